//! Models and model runs: the state behind `schema/models.rs`, kept in the project state (under
//! its lock: a run's labels are the projects' labels), and the `experiments` part a model-run
//! export (`exportDataRowsInModelRun`) writes on each of the run's rows.

use std::collections::HashMap;
use std::time::SystemTime;

use serde_json::{json, Value};

use crate::project_export::label_line;
use crate::projects::ProjectState;

/// The task type of `createMEAModelRunDataRowRegistrationTask` (the seed page's "sending to
/// experiment", cancelable as `SendToModelRun`).
pub(crate) const DATA_ROW_REGISTRATION_TASK_TYPE: &str = "send-to-model-run";
/// The task type of the label registrations (not on the seed page's cancelable list).
pub(crate) const LABEL_REGISTRATION_TASK_TYPE: &str = "model-run-label-registration";
/// The task type of `createAssignDataRowsToDataSplitTask` (applied when asked).
pub(crate) const DATA_SPLIT_TASK_TYPE: &str = "assign-data-rows-to-data-split";
/// The data splits (the official SDK's `DataSplit`).
pub(crate) const DATA_SPLITS: [&str; 4] = ["TRAINING", "TEST", "VALIDATION", "UNASSIGNED"];
/// The training pipeline statuses (the official SDK's `ModelRun.Status`).
pub(crate) const PIPELINE_STATUSES: [&str; 5] = [
    "EXPORTING_DATA",
    "PREPARING_DATA",
    "TRAINING_MODEL",
    "COMPLETE",
    "FAILED",
];

/// A model: a name and the ontology its runs' predictions use.
#[derive(Clone)]
pub(crate) struct ModelRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) ontology_id: String,
    pub(crate) created_at: SystemTime,
}

/// A run of a model, with the data rows registered to it.
#[derive(Clone)]
pub(crate) struct ModelRunRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) model_id: String,
    pub(crate) training_metadata: Option<Value>,
    pub(crate) created_at: SystemTime,
    pub(crate) updated_at: SystemTime,
    /// Registered rows, in registration order (one per data row).
    pub(crate) rows: Vec<RunRow>,
    /// The training pipeline's state, as `updateTrainingPipeline` last set it.
    pub(crate) pipeline: Pipeline,
}

/// A run's training pipeline: all null until set.
#[derive(Clone, Default)]
pub(crate) struct Pipeline {
    pub(crate) status: Option<String>,
    pub(crate) error_message: Option<String>,
    pub(crate) metadata: Option<serde_json::Map<String, Value>>,
}

/// A data row of a model run (an "annotation group"), with the labels registered on it.
#[derive(Clone)]
pub(crate) struct RunRow {
    pub(crate) id: String,
    pub(crate) data_row_id: String,
    pub(crate) label_ids: Vec<String>,
    /// `TRAINING`, `VALIDATION`, `TEST` or `UNASSIGNED`.
    pub(crate) data_split: &'static str,
}

/// The organization's models and their runs.
#[derive(Default)]
pub(crate) struct ModelState {
    pub(crate) models: HashMap<String, ModelRecord>,
    /// Model ids in creation order.
    pub(crate) order: Vec<String>,
    pub(crate) runs: HashMap<String, ModelRunRecord>,
}

impl ModelState {
    /// Registers data rows on run `run_id` (rows already there are kept as they are), each
    /// with the labels given for it (added to those it has). `new_id` names new rows.
    pub(crate) fn register(
        &mut self,
        run_id: &str,
        rows: &[(String, Option<String>)],
        new_id: &mut dyn FnMut() -> String,
    ) -> bool {
        let Some(run) = self.runs.get_mut(run_id) else {
            return false;
        };
        // Where each row is, kept as rows are added: registrations can be large.
        let mut index: HashMap<String, usize> = run
            .rows
            .iter()
            .enumerate()
            .map(|(at, r)| (r.data_row_id.clone(), at))
            .collect();
        for (data_row_id, label_id) in rows {
            let at = *index.entry(data_row_id.clone()).or_insert_with(|| {
                run.rows.push(RunRow {
                    id: new_id(),
                    data_row_id: data_row_id.clone(),
                    label_ids: Vec::new(),
                    data_split: "UNASSIGNED",
                });
                run.rows.len() - 1
            });
            let row = &mut run.rows[at];
            if let Some(label) = label_id.as_ref().filter(|l| !row.label_ids.contains(l)) {
                row.label_ids.push(label.clone());
            }
        }
        run.updated_at = crate::time::now().max(run.created_at);
        true
    }

    /// Deletes a model and its runs.
    pub(crate) fn delete_model(&mut self, id: &str) {
        self.models.remove(id);
        self.order.retain(|m| m != id);
        self.runs.retain(|_, run| run.model_id != id);
    }
}

/// The rows of model run `run_id` in registration order, each with its `experiments` part:
/// `{<model id>: {name, runs: {<run id>: {name, run_data_row_id, labels, predictions}}}}`.
/// The labels are the registered ones that still exist; predictions are never imported into
/// the emulator's runs, so they are empty. An unknown run selects nothing.
pub(crate) fn export_parts(
    state: &ProjectState,
    run_id: &str,
) -> (Vec<String>, HashMap<String, Value>) {
    let models = &state.models;
    let Some(run) = models.runs.get(run_id) else {
        return (Vec::new(), HashMap::new());
    };
    let model_name = models
        .models
        .get(&run.model_id)
        .map_or("", |m| m.name.as_str());
    let mut ids = Vec::with_capacity(run.rows.len());
    let mut parts = HashMap::with_capacity(run.rows.len());
    for row in &run.rows {
        let labels: Vec<Value> = row
            .label_ids
            .iter()
            .filter_map(|id| state.label(id))
            .map(|(_, label)| label_line(label, false))
            .collect();
        let part = json!({ &run.model_id: {
            "name": model_name,
            "runs": { &run.id: {
                "name": run.name,
                "run_data_row_id": row.id,
                "labels": labels,
                "predictions": [],
            }},
        }});
        ids.push(row.data_row_id.clone());
        parts.insert(row.data_row_id.clone(), part);
    }
    (ids, parts)
}
