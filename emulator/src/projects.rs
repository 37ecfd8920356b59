//! Projects, their batches, ontologies and labels: the state behind `schema/projects.rs` and
//! `schema/labels.rs`, under one lock of its own (catalog reads happen before it is taken, so
//! the two locks are never held together).

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::{Instant, SystemTime};

use serde_json::Value;

/// The queue types of the default workflow, in the order the service lists them.
pub(crate) const DEFAULT_QUEUES: [(&str, &str); 3] = [
    ("Initial labeling task", "INITIAL_LABELING_QUEUE"),
    ("Initial review task", "MANUAL_REVIEW_QUEUE"),
    ("Rework", "MANUAL_REWORK_QUEUE"),
];

/// A project as stored.
#[derive(Clone)]
pub(crate) struct ProjectRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) media_type: String,
    pub(crate) editor_task_type: Option<String>,
    pub(crate) auto_audit_number_of_labels: i32,
    pub(crate) auto_audit_percentage: f64,
    pub(crate) is_benchmark_enabled: bool,
    pub(crate) is_consensus_enabled: bool,
    pub(crate) created_at: SystemTime,
    pub(crate) updated_at: SystemTime,
    pub(crate) ontology_id: Option<String>,
    pub(crate) labeling_frontend: Option<String>,
    /// Model-assisted labeling: predictions shown to labelers.
    pub(crate) showing_predictions_to_labelers: bool,
    pub(crate) batches: Vec<BatchRecord>,
    /// The project's data rows, each with its batch and queue.
    pub(crate) rows: Vec<ProjectRow>,
    pub(crate) labels: Vec<LabelRecord>,
    /// The queues of the default workflow (ids given at creation).
    pub(crate) queues: Vec<QueueRecord>,
    /// Ids of the resource tags set on the project.
    pub(crate) resource_tags: Vec<String>,
}

impl ProjectRecord {
    /// The ids of the project's data rows as a set, for requests that check many rows against
    /// the project: one pass over `rows` instead of one per row checked.
    pub(crate) fn row_ids(&self) -> HashSet<&str> {
        self.rows.iter().map(|r| r.data_row_id.as_str()).collect()
    }
}

/// A resource tag of the organization.
#[derive(Clone)]
pub(crate) struct ResourceTagRecord {
    pub(crate) id: String,
    pub(crate) text: String,
    /// Without the leading `#`.
    pub(crate) color: String,
}

/// A task queue of the project's workflow.
#[derive(Clone)]
pub(crate) struct QueueRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) queue_type: String,
}

/// A data row in a project.
#[derive(Clone)]
pub(crate) struct ProjectRow {
    pub(crate) data_row_id: String,
    pub(crate) batch_id: String,
    /// 1 (highest) to 5 (lowest).
    pub(crate) priority: i32,
    /// The queue id the row waits in; `None` once done.
    pub(crate) queue_id: Option<String>,
    /// Overridden labeling priority (labeling parameter overrides), if any.
    pub(crate) number_of_labels: Option<i32>,
    pub(crate) added_at: SystemTime,
}

/// A batch of a project.
#[derive(Clone)]
pub(crate) struct BatchRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) created_at: SystemTime,
    pub(crate) updated_at: SystemTime,
    pub(crate) size: usize,
    pub(crate) consensus_settings: Option<Value>,
}

/// A label: the annotations one import gave one data row, stored as given.
#[derive(Clone)]
pub(crate) struct LabelRecord {
    pub(crate) id: String,
    pub(crate) data_row_id: String,
    pub(crate) label: String,
    pub(crate) annotations: Vec<Value>,
    pub(crate) created_at: SystemTime,
    /// Listed from this instant on (when its import finishes).
    pub(crate) visible_from: Instant,
}

impl LabelRecord {
    pub(crate) fn visible(&self) -> bool {
        Instant::now() >= self.visible_from
    }
}

/// An ontology made from the normalized form, feature schema ids filled in.
#[derive(Clone)]
pub(crate) struct OntologyRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) normalized: Value,
    pub(crate) media_type: Option<String>,
    pub(crate) created_at: SystemTime,
}

impl OntologyRecord {
    /// Every tool and classification at the top of the ontology: (feature schema id, name,
    /// kind), the kind being the tool's type or the classification's.
    pub(crate) fn features(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for (list, kind_key) in [("tools", "tool"), ("classifications", "type")] {
            for f in self.normalized[list].as_array().into_iter().flatten() {
                let text = |k: &str| f[k].as_str().unwrap_or_default().to_string();
                out.push((text("featureSchemaId"), text("name"), text(kind_key)));
            }
        }
        out
    }

    pub(crate) fn count(&self, list: &str) -> usize {
        self.normalized[list].as_array().map_or(0, Vec::len)
    }
}

/// What an annotation import makes of its annotations.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum AnnotationImportKind {
    /// `createLabelImport`: the accepted annotations become the project's labels.
    Labels,
    /// `createModelAssistedLabelingPredictionImport`: pre-labels shown to labelers; checked
    /// like labels, never listed as labels.
    MalPredictions,
}

/// A label or MAL prediction import: its files are written when it is created; it reads
/// `RUNNING` until `finishes_at`.
#[derive(Clone)]
pub(crate) struct LabelImportRecord {
    pub(crate) id: String,
    pub(crate) kind: AnnotationImportKind,
    pub(crate) project_id: String,
    pub(crate) name: String,
    pub(crate) failed: bool,
    pub(crate) input_file_url: String,
    pub(crate) status_file_url: Option<String>,
    pub(crate) error_file_url: Option<String>,
    pub(crate) finishes_at: Instant,
}

impl LabelImportRecord {
    pub(crate) fn state(&self) -> &'static str {
        match (Instant::now() >= self.finishes_at, self.failed) {
            (false, _) => "RUNNING",
            (true, false) => "FINISHED",
            (true, true) => "FAILED",
        }
    }
}

/// Everything project-side.
#[derive(Default)]
pub(crate) struct ProjectState {
    pub(crate) projects: HashMap<String, ProjectRecord>,
    /// Project ids in creation order.
    pub(crate) order: Vec<String>,
    pub(crate) ontologies: HashMap<String, OntologyRecord>,
    pub(crate) label_imports: Vec<LabelImportRecord>,
    /// The organization's resource tags, oldest first.
    pub(crate) resource_tags: Vec<ResourceTagRecord>,
    /// Labeling frontend option sets by id (their text as given).
    pub(crate) frontend_options: HashMap<String, String>,
    /// Models and model runs (their labels are the projects').
    pub(crate) models: crate::models::ModelState,
}

impl ProjectState {
    /// The project a label belongs to, and the label.
    pub(crate) fn label(&self, id: &str) -> Option<(&ProjectRecord, &LabelRecord)> {
        self.projects
            .values()
            .find_map(|p| p.labels.iter().find(|l| l.id == id).map(|l| (p, l)))
    }
}

/// The lock around [`ProjectState`].
#[derive(Default)]
pub(crate) struct Projects(Mutex<ProjectState>);

impl Projects {
    pub(crate) fn lock(&self) -> MutexGuard<'_, ProjectState> {
        // A panicking request must not take the whole emulator down with it.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Gives every tool, classification and option of a normalized ontology a feature schema id
/// (and a schema node id), keeping ids already there.
pub(crate) fn with_schema_ids(mut normalized: Value, new_id: &mut impl FnMut() -> String) -> Value {
    fn fill(node: &mut Value, new_id: &mut dyn FnMut() -> String) {
        if let Some(obj) = node.as_object_mut() {
            for key in ["featureSchemaId", "schemaNodeId"] {
                if obj.get(key).is_none_or(Value::is_null) {
                    obj.insert(key.into(), Value::String(new_id()));
                }
            }
            for list in ["classifications", "options"] {
                for child in obj
                    .get_mut(list)
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    fill(child, new_id);
                }
            }
        }
    }
    for list in ["tools", "classifications"] {
        if normalized.get(list).is_none() {
            normalized[list] = Value::Array(Vec::new());
        }
        for node in normalized[list].as_array_mut().into_iter().flatten() {
            fill(node, new_id);
        }
    }
    normalized
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schema_ids_are_given_to_every_feature_and_kept_when_present() {
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("id{n}")
        };
        let out = with_schema_ids(
            json!({"tools": [{"tool": "rectangle", "name": "box", "classifications": [
                {"type": "radio", "name": "r", "options": [{"value": "a"}]}]}],
                "classifications": [{"type": "text", "name": "t", "featureSchemaId": "keep"}]}),
            &mut next,
        );
        assert_eq!(out["tools"][0]["featureSchemaId"], "id1");
        assert_eq!(
            out["tools"][0]["classifications"][0]["options"][0]["featureSchemaId"],
            "id5"
        );
        assert_eq!(out["classifications"][0]["featureSchemaId"], "keep");
        let record = OntologyRecord {
            id: "o".into(),
            name: "o".into(),
            normalized: out,
            media_type: None,
            created_at: SystemTime::UNIX_EPOCH,
        };
        let names: Vec<String> = record.features().into_iter().map(|f| f.1).collect();
        assert_eq!(names, ["box", "t"]);
    }
}
