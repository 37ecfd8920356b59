//! Models and model runs (the state is in `models`): `createModel`, `model`, `deleteModels`,
//! `createModelRun`, `modelRun`, `deleteModelRuns`, a run's rows (`annotationGroups`), the
//! data-row and label registrations (tasks, with their status queries) and model-assisted
//! labeling (`showPredictionsToLabelers`). The run's export is in `export.rs`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};

use super::data_rows::DataRowObject;
use super::labels::AnyJson;
use super::{coded, count_arg, store, DateTime, WhereUniqueIdInput, WhereUniqueInput};
use crate::models::{
    ModelRecord, ModelRunRecord, ModelState, Pipeline, RunRow, DATA_ROW_REGISTRATION_TASK_TYPE,
    DATA_SPLITS, DATA_SPLIT_TASK_TYPE, LABEL_REGISTRATION_TASK_TYPE, PIPELINE_STATUSES,
};
use crate::project_tasks;
use crate::store::{status, Store, TaskSeed};
use crate::time;

/// Default and largest page of a run's rows.
const RUN_ROW_PAGE: usize = 100;
const MAX_RUN_ROW_PAGE: usize = 1_000;
/// Largest page of a model or model-run listing.
const MAX_LIST_PAGE: usize = 100;

/// The `RESOURCE_NOT_FOUND` error of an object of `kind` named by `id`.
fn not_found(kind: &str, id: &str) -> async_graphql::Error {
    coded(
        format!("Resource not found: no {kind} with id {id}"),
        "RESOURCE_NOT_FOUND",
    )
}

/// The error naming every id of `kind` that does not exist.
fn missing(kind: &str, ids: &[&str]) -> async_graphql::Error {
    coded(
        format!("{kind} not found: {}", ids.join(", ")),
        "RESOURCE_NOT_FOUND",
    )
}

fn malformed(message: &str) -> async_graphql::Error {
    coded(message, "MALFORMED_REQUEST")
}

/// Model run `id` (a snapshot), or `RESOURCE_NOT_FOUND`.
pub(super) fn model_run(store: &Store, id: &str) -> Result<ModelRunRecord> {
    let state = store.projects.lock();
    state
        .models
        .runs
        .get(id)
        .cloned()
        .ok_or_else(|| not_found("ModelRun", id))
}

// ----- objects -----

/// A model.
pub(crate) struct ModelObject(ModelRecord);

#[Object(name = "Model")]
impl ModelObject {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn ontology_id(&self) -> ID {
        ID(self.0.ontology_id.clone())
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// The model's runs, oldest first.
    async fn model_runs(
        &self,
        ctx: &Context<'_>,
        skip: Option<i32>,
        first: Option<i32>,
    ) -> Result<Vec<ModelRunObject>> {
        let skip = count_arg("skip", skip, 0, usize::MAX)?;
        let first = count_arg("first", first, MAX_LIST_PAGE, MAX_LIST_PAGE)?;
        let state = store(ctx).projects.lock();
        let mut runs: Vec<&ModelRunRecord> = state
            .models
            .runs
            .values()
            .filter(|r| r.model_id == self.0.id)
            .collect();
        // Ids grow with creation.
        runs.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(runs
            .into_iter()
            .skip(skip)
            .take(first)
            .map(|r| ModelRunObject(r.clone()))
            .collect())
    }
}

/// A model run.
struct ModelRunObject(ModelRunRecord);

#[Object(name = "ModelRun")]
impl ModelRunObject {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn model_id(&self) -> ID {
        ID(self.0.model_id.clone())
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    /// The creator's id (the official SDK reads it as `created_by_id`).
    async fn created_by(&self, ctx: &Context<'_>) -> ID {
        ID(store(ctx).identity.user_id.clone())
    }
    async fn training_metadata(&self) -> Option<AnyJson> {
        self.0.training_metadata.clone().map(AnyJson)
    }
    /// Runs made by the SDK belong to no model app.
    async fn model_app_id(&self) -> Option<ID> {
        None
    }
}

/// A row of a model run (`ModelRunDataRow` in the official SDK).
struct AnnotationGroupObject {
    run_id: String,
    row: RunRow,
}

#[Object(name = "AnnotationGroup")]
impl AnnotationGroupObject {
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }
    /// The first label registered on the row, if any.
    async fn label_id(&self) -> Option<ID> {
        self.row.label_ids.first().cloned().map(ID)
    }
    async fn model_run_id(&self) -> ID {
        ID(self.run_id.clone())
    }
    async fn data_split(&self) -> &str {
        self.row.data_split
    }
    async fn data_row(&self, ctx: &Context<'_>) -> Result<DataRowObject> {
        store(ctx)
            .data_row(&self.row.data_row_id)
            .map(DataRowObject)
            .ok_or_else(|| super::data_rows::row_not_found(&self.row.data_row_id))
    }
}

#[derive(SimpleObject)]
#[graphql(name = "AnnotationGroupPageInfo")]
struct PageInfo {
    end_cursor: Option<String>,
}

#[derive(SimpleObject)]
#[graphql(name = "AnnotationGroupConnection")]
struct AnnotationGroups {
    nodes: Vec<AnnotationGroupObject>,
    page_info: PageInfo,
}

/// A registration task's state, as its status queries answer it (the task's own).
#[derive(SimpleObject)]
#[graphql(name = "MEARegistrationTaskStatus")]
struct RegistrationStatus {
    status: String,
    error_message: Option<String>,
}

/// The project as model-assisted labeling answers it.
#[derive(SimpleObject)]
#[graphql(name = "ProjectPredictionsShown")]
struct PredictionsShown {
    id: ID,
    showing_predictions_to_labelers: bool,
}

// ----- inputs -----

#[derive(InputObject)]
#[graphql(name = "CreateModelInput")]
struct CreateModelInput {
    name: String,
    ontology_id: ID,
}

#[derive(InputObject)]
#[graphql(name = "CreateModelRunInput")]
struct CreateModelRunInput {
    name: String,
    training_metadata: Option<AnyJson>,
    model_id: ID,
}

/// `get_models(where=Model.name == ...)`: the name is the one condition a model listing takes.
#[derive(InputObject, Default)]
#[graphql(name = "ModelWhereInput")]
struct ModelWhere {
    name: Option<String>,
}

#[derive(InputObject)]
#[graphql(name = "WhereIdsInput")]
struct WhereIds {
    ids: Vec<ID>,
}

#[derive(InputObject)]
#[graphql(name = "AnnotationGroupWhereInput")]
struct AnnotationGroupWhere {
    model_run_id: WhereUniqueInput,
}

#[derive(InputObject)]
#[graphql(name = "MEADataRowRegistrationInput")]
struct DataRowRegistration {
    data_row_ids: Option<Vec<ID>>,
    global_keys: Option<Vec<ID>>,
}

#[derive(InputObject)]
#[graphql(name = "MEALabelRegistrationInput")]
struct LabelRegistration {
    label_ids: Vec<ID>,
}

#[derive(InputObject)]
#[graphql(name = "MEAProjectLabelRegistrationWhereInput")]
struct ProjectLabelRegistration {
    model_run_id: ID,
    project_id: ID,
}

#[derive(InputObject)]
#[graphql(name = "UpdateModelRunConfigInput")]
struct UpdateConfigInput {
    config: AnyJson,
}

#[derive(InputObject)]
#[graphql(name = "DeleteModelRunDataRowsWhereInput")]
struct DeleteRunRowsWhere {
    model_run_id: ID,
    data_row_ids: Vec<ID>,
}

/// A run's training metadata as `updateModelRunConfig` / `resetModelRunConfig` answer it.
#[derive(SimpleObject)]
#[graphql(name = "ModelRunConfig")]
struct RunConfig {
    training_metadata: Option<AnyJson>,
}

/// The top-level keys of `createModelRun`'s training metadata camel-cased: Labelbox's own
/// `test_model_run` creates `{"batch_size": 100}` and reads `training_metadata["batchSize"]`
/// (`updateModelRunConfig` keeps keys as given: its tests read `batch_size` back).
fn camel_case_keys(metadata: serde_json::Value) -> serde_json::Value {
    let serde_json::Value::Object(map) = metadata else {
        return metadata;
    };
    let camel = |key: &str| {
        let mut out = String::with_capacity(key.len());
        let mut upper = false;
        for c in key.chars() {
            match c {
                '_' if !out.is_empty() => upper = true,
                c if upper => {
                    out.extend(c.to_uppercase());
                    upper = false;
                }
                c => out.push(c),
            }
        }
        out
    };
    map.into_iter().map(|(k, v)| (camel(&k), v)).collect()
}

/// Sets run `id`'s training metadata; answers it.
fn set_config(store: &Store, id: &str, config: Option<serde_json::Value>) -> Result<RunConfig> {
    let mut state = store.projects.lock();
    let run = state
        .models
        .runs
        .get_mut(id)
        .ok_or_else(|| not_found("ModelRun", id))?;
    run.training_metadata = config.filter(|c| !c.is_null());
    run.updated_at = time::now().max(run.created_at);
    Ok(RunConfig {
        training_metadata: run.training_metadata.clone().map(AnyJson),
    })
}

/// Deletes every id with `remove`, or, when one does not `exist`, refuses the whole request
/// naming the unknown ones (nothing deleted).
fn delete_all(
    store: &Store,
    ids: &[ID],
    kind: &str,
    exists: fn(&ModelState, &str) -> bool,
    remove: fn(&mut ModelState, &str),
) -> Result<bool> {
    let mut state = store.projects.lock();
    let unknown: Vec<&str> = ids
        .iter()
        .map(|id| id.as_str())
        .filter(|id| !exists(&state.models, id))
        .collect();
    if !unknown.is_empty() {
        return Err(missing(kind, &unknown));
    }
    for id in ids {
        remove(&mut state.models, id.as_str());
    }
    Ok(true)
}

/// `trainingPipeline`: a run's pipeline state.
#[derive(SimpleObject)]
#[graphql(name = "TrainingPipeline")]
struct PipelineObject {
    status: Option<String>,
    error_message: Option<String>,
    metadata: Option<AnyJson>,
}

impl PipelineObject {
    fn of(pipeline: &Pipeline) -> Self {
        PipelineObject {
            status: pipeline.status.clone(),
            error_message: pipeline.error_message.clone(),
            metadata: pipeline
                .metadata
                .clone()
                .map(|m| AnyJson(serde_json::Value::Object(m))),
        }
    }
}

#[derive(InputObject)]
#[graphql(name = "UpdateTrainingPipelineInput")]
struct PipelineInput {
    status: String,
    error_message: Option<String>,
    metadata: Option<AnyJson>,
}

#[derive(InputObject)]
#[graphql(name = "DataSplitAssignmentInput")]
struct SplitAssignment {
    split: String,
    data_row_ids: Option<Vec<ID>>,
    global_keys: Option<Vec<ID>>,
}

#[derive(InputObject)]
#[graphql(name = "CreateAssignDataRowsToDataSplitTaskInput")]
struct SplitAssignments {
    assignments: Vec<SplitAssignment>,
}

/// Sets the split of the run's rows each assignment names, all or nothing: an unknown split,
/// or a row that is not in the run, refuses the whole request.
fn assign_splits(store: &Store, run_id: &str, assignments: Vec<SplitAssignment>) -> Result<()> {
    let mut wanted = Vec::new();
    for a in assignments {
        let split = DATA_SPLITS
            .iter()
            .find(|s| **s == a.split)
            .ok_or_else(|| malformed(&format!("Unknown data split {:?}", a.split)))?;
        let rows = rows_named(
            store,
            DataRowRegistration {
                data_row_ids: a.data_row_ids,
                global_keys: a.global_keys,
            },
        )?;
        wanted.extend(rows.into_iter().map(|(row, _)| (row, *split)));
    }
    let mut state = store.projects.lock();
    let run = state
        .models
        .runs
        .get_mut(run_id)
        .ok_or_else(|| not_found("ModelRun", run_id))?;
    let index: HashMap<&str, usize> = run
        .rows
        .iter()
        .enumerate()
        .map(|(at, r)| (r.data_row_id.as_str(), at))
        .collect();
    let outside: Vec<&str> = wanted
        .iter()
        .filter(|(row, _)| !index.contains_key(row.as_str()))
        .map(|(row, _)| row.as_str())
        .collect();
    if !outside.is_empty() {
        return Err(missing("Data rows of the model run", &outside));
    }
    let at: Vec<(usize, &'static str)> = wanted
        .iter()
        .map(|(row, split)| (index[row.as_str()], *split))
        .collect();
    for (at, split) in at {
        run.rows[at].data_split = split;
    }
    run.updated_at = time::now().max(run.created_at);
    Ok(())
}

// ----- registrations -----

/// `(data row, label)` pairs to register on a run.
type Registrations = Vec<(String, Option<String>)>;

/// The catalog rows named by ids or by global keys, or the error naming those that do not
/// exist (nothing registered).
fn rows_named(store: &Store, data: DataRowRegistration) -> Result<Registrations> {
    let (ids, by_key) = match (data.data_row_ids, data.global_keys) {
        (Some(ids), None) => (ids, false),
        (None, Some(keys)) => (keys, true),
        (Some(_), Some(_)) => {
            return Err(malformed(
                "Provide either dataRowIds or globalKeys, not both",
            ))
        }
        (None, None) => return Err(malformed("Provide dataRowIds or globalKeys")),
    };
    let catalog = store.catalog();
    let resolve = |id: &str| match by_key {
        true => catalog.global_keys.get(id).cloned(),
        false => catalog.rows.contains_key(id).then(|| id.to_string()),
    };
    if ids.is_empty() {
        return Err(malformed("No data rows to register"));
    }
    let resolved: Vec<Option<String>> = ids.iter().map(|id| resolve(id.as_str())).collect();
    let unknown: Vec<&str> = ids
        .iter()
        .zip(&resolved)
        .filter(|(_, r)| r.is_none())
        .map(|(id, _)| id.as_str())
        .collect();
    if !unknown.is_empty() {
        return Err(missing("Data rows", &unknown));
    }
    Ok(resolved
        .into_iter()
        .flatten()
        .map(|id| (id, None))
        .collect())
}

/// Labels `ids` with their data rows, or the error naming those that do not exist.
fn labels_named(store: &Store, ids: &[ID]) -> Result<Registrations> {
    if ids.is_empty() {
        return Err(malformed("No labels to register"));
    }
    let state = store.projects.lock();
    let found: Vec<Option<(String, Option<String>)>> = ids
        .iter()
        .map(|id| {
            state
                .label(id.as_str())
                .filter(|(_, l)| l.visible())
                .map(|(_, l)| (l.data_row_id.clone(), Some(l.id.clone())))
        })
        .collect();
    let unknown: Vec<&str> = ids
        .iter()
        .zip(&found)
        .filter(|(_, f)| f.is_none())
        .map(|(id, _)| id.as_str())
        .collect();
    if !unknown.is_empty() {
        return Err(missing("Labels", &unknown));
    }
    Ok(found.into_iter().flatten().collect())
}

/// Starts a registration task on run `run_id`; its rows are registered whole when it ends,
/// unless it was cancelled or something it names was deleted meanwhile (then it fails and
/// registers nothing).
fn start_registration(
    store: &Arc<Store>,
    run_id: &str,
    task_type: &str,
    rows: Registrations,
) -> ID {
    let run = run_id.to_string();
    let apply: project_tasks::Apply = Box::new(move |store| register(store, &run, &rows));
    let name = match task_type {
        DATA_ROW_REGISTRATION_TASK_TYPE => "Send data rows to model run",
        _ => "Send labels to model run",
    };
    ID(project_tasks::start(store, name, task_type, apply))
}

fn register(
    store: &Store,
    run_id: &str,
    rows: &[(String, Option<String>)],
) -> Result<Option<String>, String> {
    let gone: Vec<&str> = {
        let catalog = store.catalog();
        rows.iter()
            .filter(|(row, _)| !catalog.rows.contains_key(row))
            .map(|(row, _)| row.as_str())
            .collect()
    };
    if !gone.is_empty() {
        return Err(format!("Data rows deleted: {}", gone.join(", ")));
    }
    let mut state = store.projects.lock();
    let labels_gone: Vec<&str> = rows
        .iter()
        .filter_map(|(_, label)| label.as_deref())
        .filter(|label| state.label(label).is_none())
        .collect();
    if !labels_gone.is_empty() {
        return Err(format!("Labels deleted: {}", labels_gone.join(", ")));
    }
    let mut new_id = || store.new_id();
    if state.models.register(run_id, rows, &mut new_id) {
        Ok(None)
    } else {
        Err(format!("Model run {run_id} was deleted"))
    }
}

/// The status of registration task `id` of `task_type`; another task is not one.
fn registration_status(store: &Store, id: &ID, task_type: &str) -> Result<RegistrationStatus> {
    store
        .task(id.as_str())
        .filter(|t| t.task_type == task_type)
        .map(|t| RegistrationStatus {
            status: t.status,
            error_message: t.errors,
        })
        .ok_or_else(|| not_found("registration task", id.as_str()))
}

// ----- roots -----

#[derive(Default)]
pub(crate) struct ModelQuery;

#[Object]
impl ModelQuery {
    /// A model by id; an unknown or deleted one is null with `RESOURCE_NOT_FOUND`.
    async fn model(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
    ) -> Result<Option<ModelObject>> {
        let state = store(ctx).projects.lock();
        let id = filter.id.as_str();
        let model = state.models.models.get(id).cloned();
        model
            .map(|m| Some(ModelObject(m)))
            .ok_or_else(|| not_found("Model", id))
    }

    /// The organization's models, oldest first.
    async fn models(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<ModelWhere>,
        skip: Option<i32>,
        first: Option<i32>,
    ) -> Result<Vec<ModelObject>> {
        let filter = filter.unwrap_or_default();
        let skip = count_arg("skip", skip, 0, usize::MAX)?;
        let first = count_arg("first", first, MAX_LIST_PAGE, MAX_LIST_PAGE)?;
        let state = store(ctx).projects.lock();
        Ok(state
            .models
            .order
            .iter()
            .filter_map(|id| state.models.models.get(id))
            .filter(|m| filter.name.as_ref().is_none_or(|n| n == &m.name))
            .skip(skip)
            .take(first)
            .map(|m| ModelObject(m.clone()))
            .collect())
    }

    /// A model run by id; an unknown or deleted one is null with `RESOURCE_NOT_FOUND`.
    async fn model_run(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
    ) -> Result<Option<ModelRunObject>> {
        model_run(store(ctx), filter.id.as_str()).map(|r| Some(ModelRunObject(r)))
    }

    /// A run's rows in registration order; the cursor is the next offset.
    async fn annotation_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: AnnotationGroupWhere,
        after: Option<String>,
        first: Option<i32>,
    ) -> Result<AnnotationGroups> {
        let run = model_run(store(ctx), filter.model_run_id.id.as_str())?;
        let first = count_arg("first", first, RUN_ROW_PAGE, MAX_RUN_ROW_PAGE)?;
        let start = match after.as_deref() {
            None => 0,
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|&n| n <= run.rows.len())
                .ok_or_else(|| malformed(&format!("Invalid cursor: {text:?}")))?,
        };
        let end = start.saturating_add(first).min(run.rows.len());
        let nodes = run.rows[start..end]
            .iter()
            .map(|row| AnnotationGroupObject {
                run_id: run.id.clone(),
                row: row.clone(),
            })
            .collect();
        let end_cursor = (end < run.rows.len()).then(|| end.to_string());
        Ok(AnnotationGroups {
            nodes,
            page_info: PageInfo { end_cursor },
        })
    }

    /// The status of a data-row registration: its task's.
    #[graphql(name = "MEADataRowRegistrationTaskStatus")]
    async fn data_row_registration_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueIdInput,
    ) -> Result<RegistrationStatus> {
        registration_status(store(ctx), &filter.id, DATA_ROW_REGISTRATION_TASK_TYPE)
    }

    /// A run's training pipeline (all null until `updateTrainingPipeline`).
    async fn training_pipeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
    ) -> Result<PipelineObject> {
        Ok(PipelineObject::of(
            &model_run(store(ctx), filter.id.as_str())?.pipeline,
        ))
    }

    /// The status of a data-split assignment: its task's.
    async fn assign_data_rows_to_data_split_task_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
    ) -> Result<RegistrationStatus> {
        registration_status(store(ctx), &filter.id, DATA_SPLIT_TASK_TYPE)
    }

    /// The status of a label registration: its task's.
    #[graphql(name = "MEALabelRegistrationTaskStatus")]
    async fn label_registration_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueIdInput,
    ) -> Result<RegistrationStatus> {
        registration_status(store(ctx), &filter.id, LABEL_REGISTRATION_TASK_TYPE)
    }
}

#[derive(Default)]
pub(crate) struct ModelMutation;

#[Object]
impl ModelMutation {
    /// Creates a model on an existing ontology.
    async fn create_model(&self, ctx: &Context<'_>, data: CreateModelInput) -> Result<ModelObject> {
        let store = store(ctx);
        if data.name.trim().is_empty() {
            return Err(malformed("A model's name must not be empty"));
        }
        let mut state = store.projects.lock();
        let ontology_id = data.ontology_id.to_string();
        if !state.ontologies.contains_key(&ontology_id) {
            return Err(super::projects::ontology_not_found(&ontology_id));
        }
        let record = ModelRecord {
            id: store.new_id(),
            name: data.name,
            ontology_id,
            created_at: time::now(),
        };
        state.models.order.push(record.id.clone());
        state
            .models
            .models
            .insert(record.id.clone(), record.clone());
        Ok(ModelObject(record))
    }

    /// Deletes models and their runs; an unknown id refuses the whole request.
    async fn delete_models(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereIds,
    ) -> Result<bool> {
        delete_all(
            store(ctx),
            &filter.ids,
            "Models",
            |m, id| m.models.contains_key(id),
            ModelState::delete_model,
        )
    }

    /// Creates a run of a model, with its training metadata.
    async fn create_model_run(
        &self,
        ctx: &Context<'_>,
        data: CreateModelRunInput,
    ) -> Result<ModelRunObject> {
        let store = store(ctx);
        if data.name.trim().is_empty() {
            return Err(malformed("A model run's name must not be empty"));
        }
        let mut state = store.projects.lock();
        let model_id = data.model_id.to_string();
        if !state.models.models.contains_key(&model_id) {
            return Err(not_found("Model", &model_id));
        }
        let now = time::now();
        let record = ModelRunRecord {
            id: store.new_id(),
            name: data.name,
            model_id,
            training_metadata: data
                .training_metadata
                .map(|m| camel_case_keys(m.0))
                .filter(|m| !m.is_null()),
            created_at: now,
            updated_at: now,
            rows: Vec::new(),
            pipeline: Pipeline::default(),
        };
        state.models.runs.insert(record.id.clone(), record.clone());
        Ok(ModelRunObject(record))
    }

    /// Deletes model runs; an unknown id refuses the whole request.
    async fn delete_model_runs(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereIds,
    ) -> Result<bool> {
        delete_all(
            store(ctx),
            &filter.ids,
            "Model runs",
            |m, id| m.runs.contains_key(id),
            |m, id| {
                m.runs.remove(id);
            },
        )
    }

    /// Replaces a run's training metadata (kept as given).
    async fn update_model_run_config(
        &self,
        ctx: &Context<'_>,
        model_run: WhereUniqueInput,
        data: UpdateConfigInput,
    ) -> Result<RunConfig> {
        set_config(store(ctx), model_run.id.as_str(), Some(data.config.0))
    }

    /// Clears a run's training metadata.
    async fn reset_model_run_config(
        &self,
        ctx: &Context<'_>,
        model_run: WhereUniqueInput,
    ) -> Result<RunConfig> {
        set_config(store(ctx), model_run.id.as_str(), None)
    }

    /// Takes data rows out of a run; a row not in the run refuses the whole request.
    async fn delete_model_run_data_rows(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: DeleteRunRowsWhere,
    ) -> Result<bool> {
        let mut state = store(ctx).projects.lock();
        let run_id = filter.model_run_id.as_str();
        let run = state
            .models
            .runs
            .get_mut(run_id)
            .ok_or_else(|| not_found("ModelRun", run_id))?;
        let in_run: HashSet<&str> = run.rows.iter().map(|r| r.data_row_id.as_str()).collect();
        let unknown: Vec<&str> = filter
            .data_row_ids
            .iter()
            .map(|id| id.as_str())
            .filter(|id| !in_run.contains(id))
            .collect();
        if !unknown.is_empty() {
            return Err(missing("Data rows of the model run", &unknown));
        }
        let deleted: HashSet<&str> = filter.data_row_ids.iter().map(|id| id.as_str()).collect();
        run.rows
            .retain(|r| !deleted.contains(r.data_row_id.as_str()));
        run.updated_at = time::now().max(run.created_at);
        Ok(true)
    }

    /// Sets a run's training pipeline status; the metadata given is merged into the stored one,
    /// an error message replaces the stored one (Labelbox's `test_model_run_status`).
    async fn update_training_pipeline(
        &self,
        ctx: &Context<'_>,
        model_run: WhereUniqueInput,
        data: PipelineInput,
    ) -> Result<PipelineObject> {
        if !PIPELINE_STATUSES.contains(&data.status.as_str()) {
            return Err(malformed(&format!(
                "Unknown training pipeline status {:?}",
                data.status
            )));
        }
        let metadata = match data.metadata.map(|m| m.0) {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::Object(m)) => Some(m),
            Some(_) => return Err(malformed("Training pipeline metadata must be an object")),
        };
        let mut state = store(ctx).projects.lock();
        let id = model_run.id.as_str();
        let run = state
            .models
            .runs
            .get_mut(id)
            .ok_or_else(|| not_found("ModelRun", id))?;
        let pipeline = &mut run.pipeline;
        pipeline.status = Some(data.status);
        if let Some(message) = data.error_message {
            pipeline.error_message = Some(message);
        }
        if let Some(m) = metadata {
            pipeline
                .metadata
                .get_or_insert_with(Default::default)
                .extend(m);
        }
        Ok(PipelineObject::of(pipeline))
    }

    /// Assigns run rows to data splits: a task applied when asked (`COMPLETE` at once); bad
    /// input refuses the request, nothing changed and no task made.
    async fn create_assign_data_rows_to_data_split_task(
        &self,
        ctx: &Context<'_>,
        model_run: WhereUniqueInput,
        data: SplitAssignments,
    ) -> Result<ID> {
        let store = store(ctx);
        assign_splits(store, model_run.id.as_str(), data.assignments)?;
        let seed = TaskSeed {
            name: "Assign data rows to data split".into(),
            task_type: DATA_SPLIT_TASK_TYPE.into(),
            status: status::COMPLETE.into(),
            completion_percentage: Some(1.0),
            ..TaskSeed::default()
        };
        Ok(ID(store.insert_task(seed, None)))
    }

    /// Starts registering data rows (by id or global key) on a run: a `send-to-model-run`
    /// task. Unknown rows refuse the request, nothing started.
    #[graphql(name = "createMEAModelRunDataRowRegistrationTask")]
    async fn create_data_row_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
        data: DataRowRegistration,
    ) -> Result<ID> {
        let store = store(ctx);
        let run = model_run(store, filter.id.as_str())?;
        let rows = rows_named(store, data)?;
        Ok(start_registration(
            store,
            &run.id,
            DATA_ROW_REGISTRATION_TASK_TYPE,
            rows,
        ))
    }

    /// Starts registering labels (and their rows) on a run. Unknown labels refuse the
    /// request, nothing started.
    #[graphql(name = "createMEAModelRunLabelRegistrationTask")]
    async fn create_label_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
        data: LabelRegistration,
    ) -> Result<ID> {
        let store = store(ctx);
        let run = model_run(store, filter.id.as_str())?;
        let rows = labels_named(store, &data.label_ids)?;
        Ok(start_registration(
            store,
            &run.id,
            LABEL_REGISTRATION_TASK_TYPE,
            rows,
        ))
    }

    /// Starts registering every label of a project (and their rows) on a run.
    #[graphql(name = "createMEAModelRunProjectLabelRegistrationTask")]
    async fn create_project_label_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: ProjectLabelRegistration,
    ) -> Result<ID> {
        let store = store(ctx);
        let run = model_run(store, filter.model_run_id.as_str())?;
        let rows: Registrations =
            super::projects::with_project(store, filter.project_id.as_str(), |p, _| {
                p.labels
                    .iter()
                    .filter(|l| l.visible())
                    .map(|l| (l.data_row_id.clone(), Some(l.id.clone())))
                    .collect()
            })?;
        if rows.is_empty() {
            return Err(malformed("No labels to register"));
        }
        Ok(start_registration(
            store,
            &run.id,
            LABEL_REGISTRATION_TASK_TYPE,
            rows,
        ))
    }
}

/// Model-assisted labeling, under `project(where: {id})` of the mutation root.
pub(crate) struct PredictionMutations(pub(crate) String);

#[Object]
impl PredictionMutations {
    /// Turns model-assisted labeling on or off.
    async fn show_predictions_to_labelers(
        &self,
        ctx: &Context<'_>,
        show: bool,
    ) -> Result<PredictionsShown> {
        super::projects::change_project(store(ctx), &self.0, |p| {
            p.showing_predictions_to_labelers = show;
            Ok(PredictionsShown {
                id: ID(p.id.clone()),
                showing_predictions_to_labelers: show,
            })
        })
    }
}
