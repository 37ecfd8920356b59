//! How SDK objects look on stdout: JSON (snake_case keys) and human fields and table rows.

use std::time::SystemTime;

use labelbox::{CreatedDataRow, Dataset, FailedDataRow, Task};
use serde_json::{json, Value};

use crate::output::{one_line, or_dash, percent, Ui};

/// RFC 3339 UTC, milliseconds: for JSON.
fn time_json(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

/// RFC 3339 UTC, seconds: for people.
fn time_human(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

/// A task as one JSON object: the SDK's own serialized form (snake_case keys).
pub fn task_json(task: &Task) -> Value {
    to_json(task)
}

/// Any SDK value as JSON; its `Serialize` cannot fail (string keys only), `null` if it did.
fn to_json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A task as `name  value` lines.
pub fn task_fields(task: &Task) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("id", task.id().to_string()),
        ("name", or_dash(Some(task.name()))),
        ("type", or_dash(Some(task.task_type()))),
        ("status", task.status().as_str().to_string()),
        ("progress", percent(task.completion_percentage())),
        ("created", time_human(task.created_at())),
        ("updated", time_human(task.updated_at())),
    ];
    // Long inline results (a failed task's error JSON) stay on one line.
    if let Some(result) = task.result_url() {
        fields.push(("result", one_line(result)));
    }
    if let Some(errors) = task.errors_url() {
        fields.push(("errors", one_line(errors)));
    }
    if let Some(metadata) = task.metadata().filter(|m| !m.is_null()) {
        fields.push(("metadata", metadata.to_string()));
    }
    fields
}

/// Prints a task: JSON with `--json`, fields otherwise.
pub fn print_task(ui: Ui, task: &Task) -> std::io::Result<()> {
    ui.record(&task_json(task), &task_fields(task))
}

/// The task list's columns and their widths (ids are 25 characters).
pub const TASK_COLUMNS: [(&str, usize); 6] = [
    ("ID", 25),
    ("TYPE", 22),
    ("STATUS", 11),
    ("PROGRESS", 8),
    ("CREATED", 20),
    ("NAME", 0),
];

/// A task as a table row, in [`TASK_COLUMNS`] order.
pub fn task_row(task: &Task) -> Vec<String> {
    vec![
        task.id().to_string(),
        or_dash(Some(task.task_type())),
        task.status().as_str().to_string(),
        percent(task.completion_percentage()),
        time_human(task.created_at()),
        or_dash(Some(task.name())),
    ]
}

/// A dataset as one JSON object.
pub fn dataset_json(dataset: &Dataset) -> Value {
    json!({
        "id": dataset.id(),
        "name": dataset.name(),
        "description": dataset.description(),
        "row_count": dataset.row_count(),
        "created_at": time_json(dataset.created_at()),
        "updated_at": time_json(dataset.updated_at()),
    })
}

/// Prints a dataset: JSON with `--json`, fields otherwise.
pub fn print_dataset(ui: Ui, dataset: &Dataset) -> std::io::Result<()> {
    let fields = [
        ("id", dataset.id().to_string()),
        ("name", dataset.name().to_string()),
        ("description", or_dash(dataset.description())),
        ("rows", dataset.row_count().to_string()),
        ("created", time_human(dataset.created_at())),
        ("updated", time_human(dataset.updated_at())),
    ];
    ui.record(&dataset_json(dataset), &fields)
}

/// A row an import created, as the official SDK shapes it.
pub fn created_row_json(row: &CreatedDataRow) -> Value {
    to_json(row)
}

/// A row an import could not create: the reason and the spec as the service echoed it.
pub fn failed_row_json(row: &FailedDataRow) -> Value {
    to_json(row)
}

/// The dataset list's columns and their widths.
pub const DATASET_COLUMNS: [(&str, usize); 4] =
    [("ID", 25), ("ROWS", 8), ("CREATED", 20), ("NAME", 0)];

/// A dataset as a table row, in [`DATASET_COLUMNS`] order.
pub fn dataset_row(dataset: &Dataset) -> Vec<String> {
    vec![
        dataset.id().to_string(),
        dataset.row_count().to_string(),
        time_human(dataset.created_at()),
        dataset.name().to_string(),
    ]
}

/// A project as one JSON object.
pub fn project_json(project: &labelbox::Project) -> Value {
    json!({
        "id": project.id(),
        "name": project.name(),
        "description": project.description(),
        "media_type": project.media_type_name(),
        "data_row_count": project.data_row_count(),
        "created_at": time_json(project.created_at()),
        "updated_at": time_json(project.updated_at()),
    })
}

/// Prints a project: JSON with `--json`, fields otherwise.
pub fn print_project(ui: Ui, project: &labelbox::Project) -> std::io::Result<()> {
    let fields = [
        ("id", project.id().to_string()),
        ("name", project.name().to_string()),
        ("description", or_dash(project.description())),
        ("media type", or_dash(project.media_type_name())),
        ("rows", project.data_row_count().to_string()),
        ("created", time_human(project.created_at())),
        ("updated", time_human(project.updated_at())),
    ];
    ui.record(&project_json(project), &fields)
}

/// A model as one JSON object.
pub fn model_json(model: &labelbox::Model) -> Value {
    json!({"id": model.id(), "name": model.name(), "ontology_id": model.ontology_id()})
}

/// Prints a model: JSON with `--json`, fields otherwise.
pub fn print_model(ui: Ui, model: &labelbox::Model) -> std::io::Result<()> {
    let fields = [
        ("id", model.id().to_string()),
        ("name", model.name().to_string()),
        ("ontology", or_dash(model.ontology_id())),
    ];
    ui.record(&model_json(model), &fields)
}

/// A model run as one JSON object.
pub fn model_run_json(run: &labelbox::ModelRun) -> Value {
    json!({
        "id": run.id(),
        "name": run.name(),
        "model_id": run.model_id(),
        "created_by_id": run.created_by_id(),
        "training_metadata": run.training_metadata(),
        "created_at": run.created_at().map(time_json),
        "updated_at": run.updated_at().map(time_json),
    })
}

/// Prints a model run: JSON with `--json`, fields otherwise.
pub fn print_model_run(ui: Ui, run: &labelbox::ModelRun) -> std::io::Result<()> {
    let time = |t: Option<SystemTime>| or_dash(t.map(time_human).as_deref());
    let fields = [
        ("id", run.id().to_string()),
        ("name", run.name().to_string()),
        ("model", run.model_id().to_string()),
        (
            "config",
            or_dash(run.training_metadata().map(Value::to_string).as_deref()),
        ),
        ("created", time(run.created_at())),
        ("updated", time(run.updated_at())),
    ];
    ui.record(&model_run_json(run), &fields)
}

/// The project list's columns and their widths.
pub const PROJECT_COLUMNS: [(&str, usize); 5] = [
    ("ID", 25),
    ("MEDIA", 10),
    ("ROWS", 8),
    ("CREATED", 20),
    ("NAME", 0),
];

/// A project as a table row, in [`PROJECT_COLUMNS`] order.
pub fn project_row(project: &labelbox::Project) -> Vec<String> {
    vec![
        project.id().to_string(),
        or_dash(project.media_type_name()),
        project.data_row_count().to_string(),
        time_human(project.created_at()),
        project.name().to_string(),
    ]
}

/// A label or prediction import as one JSON object.
pub fn annotation_import_json(import: &labelbox::AnnotationImport) -> Value {
    json!({
        "id": import.id(),
        "name": import.name(),
        "project_id": import.project_id(),
        "state": import.state().as_str(),
        "progress": import.progress(),
    })
}

/// Prints an import: JSON with `--json`, fields otherwise.
pub fn print_annotation_import(ui: Ui, import: &labelbox::AnnotationImport) -> std::io::Result<()> {
    let fields = [
        ("id", import.id().to_string()),
        ("name", import.name().to_string()),
        ("project", import.project_id().to_string()),
        ("state", import.state().as_str().to_string()),
        ("progress", or_dash(Some(import.progress()))),
    ];
    ui.record(&annotation_import_json(import), &fields)
}
