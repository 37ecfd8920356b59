//! The `projects` part of an export line: per project, the row's labels (and, with the
//! include parameters, its project and label details). Typed where the shape is known;
//! annotations stay JSON text, their shape being the tool's, decoded only when asked.

use std::collections::HashMap;
use std::fmt;

use serde::de::{DeserializeOwned, Deserializer};
use serde::ser::{Error as _, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::Error;

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
/// (`name`, `feature_id`, `bounding_box`, `radio_answer`, ...), kept as an
/// [`ExportedAnnotation`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportedAnnotations {
    /// Objects (tools): boxes, polygons, points, lines, entities...
    #[serde(default)]
    pub objects: Vec<ExportedAnnotation>,
    /// Classifications (answers).
    #[serde(default)]
    pub classifications: Vec<ExportedAnnotation>,
    /// Relationships between objects.
    #[serde(default)]
    pub relationships: Vec<ExportedAnnotation>,
}

/// One exported annotation: the JSON text the export served for it, checked when its line was
/// read, and decoded only when asked, into a [`Value`] or a type of yours.
///
/// Keeping the text costs one copy where building a `Value` costs an allocation per string
/// and per object; most readers count annotations or pick a few fields.
///
/// Two annotations are equal when their texts are. Serialized with serde_json (or into a
/// `serde_json::Value`), the text is written as it is, like serde_json's `RawValue`; for
/// another serde format, [`decode`](Self::decode) it first.
///
/// ```
/// # fn main() -> Result<(), labelbox::Error> {
/// use labelbox::ExportedAnnotations;
/// use serde::Deserialize;
///
/// let line = r#"{"classifications":[{"name":"weather","radio_answer":{"name":"sunny"}}]}"#;
/// let annotations: ExportedAnnotations = serde_json::from_str(line).unwrap();
/// let weather = &annotations.classifications[0];
/// assert_eq!(weather.json(), r#"{"name":"weather","radio_answer":{"name":"sunny"}}"#);
///
/// // As a `Value`...
/// let value: serde_json::Value = weather.decode()?;
/// assert_eq!(value["radio_answer"]["name"], "sunny");
///
/// // ...or straight into the fields you read.
/// #[derive(Deserialize)]
/// struct Answer {
///     name: String,
/// }
/// #[derive(Deserialize)]
/// struct Radio {
///     radio_answer: Answer,
/// }
/// assert_eq!(weather.decode::<Radio>()?.radio_answer.name, "sunny");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ExportedAnnotation(Box<str>);

impl ExportedAnnotation {
    /// Text the caller has checked to be one JSON value, as serde_json reads one.
    pub(crate) fn from_checked(json: &str) -> Self {
        ExportedAnnotation(json.into())
    }

    /// The annotation's JSON text, as the export served it.
    #[must_use]
    pub fn json(&self) -> &str {
        &self.0
    }

    /// The annotation decoded as `T` (`serde_json::Value` for any shape).
    ///
    /// # Errors
    /// [`Error::Decode`] when the JSON does not fit `T` (a missing field, another type, a
    /// number out of `T`'s range).
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode_json(&self.0, "an exported annotation")
    }
}

/// `json` decoded as `T`, or [`Error::Decode`] saying that `what` does not fit.
pub(crate) fn decode_json<T: DeserializeOwned>(json: &str, what: &str) -> Result<T, Error> {
    serde_json::from_str(json).map_err(|source| Error::Decode {
        message: format!("{what} does not fit: {source}"),
        excerpt: crate::error::excerpt(json),
        source: Some(Box::new(source)),
    })
}

impl fmt::Debug for ExportedAnnotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ExportedAnnotation")
            .field(&&*self.0)
            .finish()
    }
}

impl fmt::Display for ExportedAnnotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for ExportedAnnotation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw: &RawValue = serde_json::from_str(&self.0).map_err(S::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ExportedAnnotation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(|raw| ExportedAnnotation(raw.into()))
    }
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
