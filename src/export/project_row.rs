//! The `projects` part of an export line: per project, the row's labels (and, with the
//! include parameters, its project and label details). Typed where the shape is known;
//! annotations stay JSON, their shape being the tool's.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `projects` part of an export line, by project id.
pub type ExportedProjects = HashMap<String, ExportedProject>;

/// What an export line says about the row in one project.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportedProject {
    /// The project's name.
    #[serde(default)]
    pub name: String,
    /// The row's labels in the project.
    #[serde(default)]
    pub labels: Vec<ExportedLabel>,
    /// With `include_project_details`: its batch, queue, priority and workflow status.
    #[serde(default)]
    pub project_details: Option<ExportedProjectDetails>,
}

/// A label in an export line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportedLabel {
    /// The label's id.
    #[serde(default)]
    pub id: String,
    /// Its annotations.
    #[serde(default)]
    pub annotations: ExportedAnnotations,
    /// With `include_label_details`: who made it and when.
    #[serde(default)]
    pub label_details: Option<ExportedLabelDetails>,
}

/// A label's annotations, as the export groups them. Each one is the tool's own JSON
/// (`name`, `feature_id`, `bounding_box`, `radio_answer`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportedAnnotations {
    /// Objects (tools): boxes, polygons, points, lines, entities...
    #[serde(default)]
    pub objects: Vec<Value>,
    /// Classifications (answers).
    #[serde(default)]
    pub classifications: Vec<Value>,
    /// Relationships between objects.
    #[serde(default)]
    pub relationships: Vec<Value>,
}

impl ExportedAnnotations {
    /// How many annotations there are, of every kind.
    #[must_use]
    pub fn len(&self) -> usize {
        self.objects.len() + self.classifications.len() + self.relationships.len()
    }

    /// True when there is none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A label's details (`include_label_details`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportedLabelDetails {
    /// When it was created (RFC 3339 text, as exported).
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it was last updated.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Who created it (an email).
    #[serde(default)]
    pub created_by: Option<String>,
    /// When its content last changed.
    #[serde(default)]
    pub content_last_updated_at: Option<String>,
    /// Its reviews, as exported.
    #[serde(default)]
    pub reviews: Vec<Value>,
}

/// A row's place in a project (`include_project_details`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportedProjectDetails {
    /// The project's ontology.
    #[serde(default)]
    pub ontology_id: Option<String>,
    /// The task queue the row waits in (none when done).
    #[serde(default)]
    pub task_id: Option<String>,
    /// That queue's name.
    #[serde(default)]
    pub task_name: Option<String>,
    /// The row's batch.
    #[serde(default)]
    pub batch_id: Option<String>,
    /// The batch's name.
    #[serde(default)]
    pub batch_name: Option<String>,
    /// `TO_LABEL`, `IN_REVIEW`, `IN_REWORK` or `DONE`.
    #[serde(default)]
    pub workflow_status: Option<String>,
    /// Its labeling priority.
    #[serde(default)]
    pub priority: Option<i64>,
    /// Labels expected under consensus.
    #[serde(default)]
    pub consensus_expected_label_count: Option<i64>,
    /// When it joined the project.
    #[serde(default)]
    pub created_at: Option<String>,
}
