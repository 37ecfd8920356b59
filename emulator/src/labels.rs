//! Label and MAL prediction imports: each NDJSON annotation is checked (a data row of the
//! project, a feature of its ontology) and gets a status line; a label import's accepted
//! annotations become one label per data row, stored as the import gave them.

use std::collections::HashMap;
use std::time::Instant;

use serde_json::{json, Value};

use crate::projects::{AnnotationImportKind, LabelImportRecord, LabelRecord};
use crate::store::Store;
use crate::time;

/// What an import did: its status lines and labels, or why it failed as a whole.
pub(crate) struct ImportOutcome {
    failure: Option<String>,
    input: Vec<u8>,
    statuses: Vec<Value>,
    labels: Vec<LabelRecord>,
}

impl ImportOutcome {
    pub(crate) fn failed(reason: String) -> Self {
        ImportOutcome {
            failure: Some(reason),
            input: Vec::new(),
            statuses: Vec::new(),
            labels: Vec::new(),
        }
    }
}

/// An annotation's error, shaped like the service's status lines.
fn error(name: &str, message: String) -> Value {
    json!({"name": name, "message": message, "additionalInfo": null})
}

/// Checks every annotation of `bytes` against the project (read under the locks now, so the
/// import's result is decided when it is created); accepted annotations are grouped into one
/// label per data row, listed from `visible_from`.
pub(crate) fn check(
    store: &Store,
    project_id: &str,
    bytes: &[u8],
    visible_from: Instant,
) -> ImportOutcome {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(_) => return ImportOutcome::failed("The file is not UTF-8 text".into()),
    };
    let mut annotations = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match serde_json::from_str::<Value>(line) {
            Ok(v) if v.is_object() => annotations.push(v),
            _ => return ImportOutcome::failed(format!("Line {} is not a JSON object", n + 1)),
        }
    }
    // Data rows named by global key, resolved before the project lock is taken.
    let by_key: HashMap<String, String> = {
        let catalog = store.catalog();
        annotations
            .iter()
            .filter_map(|a| a["dataRow"]["globalKey"].as_str())
            .filter_map(|k| {
                catalog
                    .global_keys
                    .get(k)
                    .map(|id| (k.to_string(), id.clone()))
            })
            .collect()
    };
    let state = store.projects.lock();
    let Some(project) = state.projects.get(project_id) else {
        return ImportOutcome::failed(format!("Project {project_id} not found"));
    };
    let features = project
        .ontology_id
        .as_ref()
        .and_then(|id| state.ontologies.get(id))
        .map(|o| o.features())
        .unwrap_or_default();
    let in_project = project.row_ids();
    let mut statuses = Vec::new();
    // A label per row, in the order rows first appear; `at` finds a row's label.
    let mut grouped: Vec<(String, Vec<Value>)> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for annotation in annotations {
        let row_id = annotation["dataRow"]["id"]
            .as_str()
            .map(String::from)
            .or_else(|| {
                annotation["dataRow"]["globalKey"]
                    .as_str()
                    .and_then(|k| by_key.get(k).cloned())
            });
        let mut errors = Vec::new();
        match &row_id {
            Some(id) if in_project.contains(id.as_str()) => {}
            Some(id) => errors.push(error(
                "DataRowNotFound",
                format!("Data row {id} is not in project {project_id}"),
            )),
            None => errors.push(error(
                "DataRowNotFound",
                "The annotation names no data row of the organization".into(),
            )),
        }
        let schema_id = annotation["schemaId"].as_str();
        let name = annotation["name"].as_str();
        let known = features.iter().any(|(id, n, _)| {
            Some(id.as_str()) == schema_id || (schema_id.is_none() && Some(n.as_str()) == name)
        });
        if !known {
            let what = schema_id.or(name).unwrap_or("<none>");
            errors.push(error(
                "InvalidSchemaId",
                format!("Feature schema {what} is not in the project's ontology"),
            ));
        }
        let uuid = annotation["uuid"]
            .as_str()
            .map(String::from)
            .unwrap_or_else(|| store.new_id());
        let status = if errors.is_empty() {
            "SUCCESS"
        } else {
            "FAILURE"
        };
        let mut line =
            json!({"uuid": uuid, "dataRow": annotation["dataRow"].clone(), "status": status});
        if !errors.is_empty() {
            line["errors"] = Value::Array(errors);
        } else if let Some(id) = row_id {
            match at.get(&id) {
                Some(&label) => grouped[label].1.push(annotation),
                None => {
                    at.insert(id.clone(), grouped.len());
                    grouped.push((id, vec![annotation]));
                }
            }
        }
        statuses.push(line);
    }
    drop(state);
    let now = time::now();
    let labels = grouped
        .into_iter()
        .map(|(data_row_id, annotations)| LabelRecord {
            id: store.new_id(),
            label: Value::Array(annotations.clone()).to_string(),
            data_row_id,
            annotations,
            created_at: now,
            visible_from,
        })
        .collect();
    ImportOutcome {
        failure: None,
        input: bytes.to_vec(),
        statuses,
        labels,
    }
}

fn ndjson(lines: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in lines {
        out.extend_from_slice(line.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

/// Writes the import's files, stores the import and, for a label import, its labels in the
/// project.
pub(crate) fn record(
    store: &Store,
    project_id: &str,
    kind: AnnotationImportKind,
    name: String,
    outcome: ImportOutcome,
    finishes_at: Instant,
) -> LabelImportRecord {
    let input_file_url = store.put_file(outcome.input, "application/x-ndjson");
    let (status_file_url, error_file_url) = if outcome.failure.is_some() {
        (None, None)
    } else {
        let errors: Vec<Value> = outcome
            .statuses
            .iter()
            .filter(|s| s["status"] == "FAILURE")
            .cloned()
            .collect();
        (
            Some(store.put_file(ndjson(&outcome.statuses), "application/x-ndjson")),
            Some(store.put_file(ndjson(&errors), "application/x-ndjson")),
        )
    };
    let record = LabelImportRecord {
        id: store.new_id(),
        kind,
        project_id: project_id.to_string(),
        name,
        failed: outcome.failure.is_some(),
        input_file_url,
        status_file_url,
        error_file_url,
        finishes_at,
    };
    let mut state = store.projects.lock();
    if let (AnnotationImportKind::Labels, Some(project)) =
        (kind, state.projects.get_mut(project_id))
    {
        project.labels.extend(outcome.labels);
    }
    state.label_imports.push(record.clone());
    record
}
