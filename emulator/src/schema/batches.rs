//! Batches: `createBatchV2` (sync), `createEmptyBatch` + `addDataRowsToBatchAsync` (a task),
//! the project's `batches` listing, `deleteBatch`, `removeQueuedDataRowsFromBatch`, and
//! moving rows between the workflow's queues (`createBulkAddRowsToQueueTask`).

use std::collections::HashSet;

use async_graphql::{
    Context, InputObject, InputValueError, InputValueResult, Json, Object, Result, Scalar,
    ScalarType, SimpleObject, Value as GqlValue, ID,
};
use serde_json::{json, Value};

use super::{coded, store, WhereUniqueInput};
use crate::projects::{BatchRecord, ProjectRecord, ProjectRow};
use crate::store::{status, Store, TaskSeed};
use crate::time;

/// Largest batch the service takes.
const MAX_BATCH_ROWS: usize = 100_000;
/// Largest page of batches.
const MAX_BATCH_PAGE: usize = 100;
/// The task type of `addDataRowsToBatchAsync`.
pub(crate) const ADD_TO_BATCH_TASK_TYPE: &str = "add-data-rows-to-batch";
/// The task type of `createBulkAddRowsToQueueTask`.
const MOVE_TO_QUEUE_TASK_TYPE: &str = "bulk-add-rows-to-queue";

/// `PageSize`: a page length, 1 to 100... as an `Int`.
#[derive(Clone, Copy)]
pub(crate) struct PageSize(i32);

#[Scalar(name = "PageSize")]
impl ScalarType for PageSize {
    fn parse(value: GqlValue) -> InputValueResult<Self> {
        match &value {
            GqlValue::Number(n) => n
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .filter(|n| *n >= 0)
                .map(PageSize)
                .ok_or_else(|| InputValueError::custom(format!("invalid PageSize: {n}"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> GqlValue {
        GqlValue::from(self.0)
    }
}

/// A batch as GraphQL sees it.
pub(crate) struct BatchObject(BatchRecord);

#[Object(name = "Batch")]
impl BatchObject {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn created_at(&self) -> super::DateTime {
        super::DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> super::DateTime {
        super::DateTime(self.0.updated_at)
    }
    async fn size(&self) -> i32 {
        i32::try_from(self.0.size).unwrap_or(i32::MAX)
    }
    /// As the service writes it: snake-case keys.
    async fn consensus_settings_json(&self) -> Option<Json<Value>> {
        self.0.consensus_settings.clone().map(Json)
    }
    async fn created_by(&self, ctx: &Context<'_>) -> super::User {
        super::User::of(&store(ctx).identity)
    }
}

#[derive(SimpleObject)]
#[graphql(name = "BatchPageInfo")]
pub(crate) struct PageInfo {
    end_cursor: Option<String>,
}

#[derive(SimpleObject)]
pub(crate) struct BatchConnection {
    nodes: Vec<BatchObject>,
    page_info: PageInfo,
}

/// A page of a project's batches, oldest first; the cursor is the next offset.
pub(super) fn page(
    project: &ProjectRecord,
    after: Option<String>,
    first: Option<PageSize>,
    filter: Option<WhereUniqueInput>,
) -> Result<BatchConnection> {
    let from = match after.as_deref() {
        None | Some("") => 0,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= project.batches.len())
            .ok_or_else(|| coded(format!("Invalid cursor: {text:?}"), "MALFORMED_REQUEST"))?,
    };
    let first = first
        .map_or(MAX_BATCH_PAGE, |n| usize::try_from(n.0).unwrap_or(0))
        .min(MAX_BATCH_PAGE);
    let selected: Vec<&BatchRecord> = project
        .batches
        .iter()
        .filter(|b| filter.as_ref().is_none_or(|f| f.id.as_str() == b.id))
        .collect();
    let end = (from + first).min(selected.len());
    let nodes = selected[from.min(end)..end]
        .iter()
        .map(|b| BatchObject((*b).clone()))
        .collect();
    Ok(BatchConnection {
        nodes,
        page_info: PageInfo {
            end_cursor: (end < selected.len()).then(|| end.to_string()),
        },
    })
}

// ----- inputs -----

#[derive(InputObject)]
#[graphql(name = "ConsensusSettingsInput")]
struct ConsensusSettings {
    number_of_labels: i32,
    coverage_percentage: f64,
}

impl ConsensusSettings {
    fn stored(&self) -> Value {
        json!({"number_of_labels": self.number_of_labels, "coverage_percentage": self.coverage_percentage})
    }
}

#[derive(InputObject)]
#[graphql(name = "CreateBatchInput")]
struct CreateBatchInput {
    name: String,
    data_row_ids: Option<Vec<ID>>,
    global_keys: Option<Vec<ID>>,
    priority: i32,
    consensus_settings: Option<ConsensusSettings>,
}

#[derive(InputObject)]
#[graphql(name = "CreateEmptyBatchInput")]
struct CreateEmptyBatchInput {
    name: String,
    consensus_settings: Option<ConsensusSettings>,
}

#[derive(InputObject)]
#[graphql(name = "AddDataRowsToBatchInput")]
struct AddDataRowsToBatchInput {
    batch_id: ID,
    data_row_ids: Option<Vec<ID>>,
    global_keys: Option<Vec<ID>>,
    priority: i32,
}

#[derive(InputObject)]
#[graphql(name = "AddRowsToTaskQueueViaDataRowIdentifiersInput")]
struct DataRowIdentifiers {
    ids: Vec<ID>,
    id_type: super::data_rows::IdType,
}

#[derive(InputObject)]
#[graphql(name = "AddRowsToTaskQueueInput")]
struct MoveToQueueInput {
    queue_id: Option<ID>,
    data_row_identifiers: DataRowIdentifiers,
}

#[derive(SimpleObject)]
struct CreateBatchResult {
    batch: BatchObject,
    failed_data_row_ids: Vec<ID>,
}

#[derive(SimpleObject)]
struct IdResult {
    id: ID,
}

/// `{taskId}`: the answer of the mutations that start a task.
#[derive(SimpleObject)]
pub(crate) struct TaskIdResult {
    pub(crate) task_id: ID,
}

#[derive(SimpleObject)]
struct DeleteBatchResult {
    deleted_batch_id: ID,
}

#[derive(InputObject)]
#[graphql(name = "CreateBatchesInput")]
struct CreateBatchesInput {
    batch_name_prefix: String,
    data_row_ids: Option<Vec<ID>>,
    global_keys: Option<Vec<ID>>,
    priority: i32,
    consensus_settings: Option<ConsensusSettings>,
}

#[derive(InputObject)]
#[graphql(name = "CreateBatchesFromDatasetInput")]
struct CreateBatchesFromDatasetInput {
    batch_name_prefix: String,
    dataset_id: ID,
    priority: i32,
    consensus_settings: Option<ConsensusSettings>,
}

#[derive(SimpleObject)]
struct BatchTask {
    batch_uuid: ID,
    task_id: ID,
}

#[derive(SimpleObject)]
struct CreateBatchesResult {
    tasks: Vec<BatchTask>,
}

/// The rows a batch is asked for.
struct Rows {
    ids: Option<Vec<ID>>,
    keys: Option<Vec<ID>>,
}

/// Creates a batch with its rows, or refuses the whole request (a name already used in the
/// project, bad priority, no usable row) without writing anything.
fn create_filled_batch(
    store: &Store,
    project_id: &str,
    name: &str,
    rows: Rows,
    priority: i32,
    consensus: Option<ConsensusSettings>,
) -> Result<(BatchRecord, Vec<String>)> {
    // The name is checked first: the official SDK's own test expects a conflict for a reused
    // name even when the rows are already in the project.
    let draft =
        super::projects::with_project(store, project_id, |p, _| new_batch(store, p, name, None))??;
    let Rows { ids, keys } = rows;
    let resolved = resolve_rows(store, project_id, ids, keys, priority)?;
    let batch = super::projects::change_project(store, project_id, |p| {
        let mut batch = new_batch(store, p, name, consensus)?;
        batch.id = draft.id;
        p.batches.push(batch.clone());
        add_rows(p, &batch.id, &resolved.add, priority);
        Ok(p.batches
            .iter()
            .find(|b| b.id == batch.id)
            .cloned()
            .unwrap_or(batch))
    })?;
    Ok((batch, resolved.failed))
}

/// `createBatches`' task: complete with the batch, or failed with the reason as its result.
fn batches_task(
    store: &Store,
    project_id: &str,
    prefix: &str,
    rows: Rows,
    priority: i32,
    consensus: Option<ConsensusSettings>,
) -> CreateBatchesResult {
    let name = format!("{prefix}0000");
    let outcome = create_filled_batch(store, project_id, &name, rows, priority, consensus);
    let (batch_id, seed) = match outcome {
        Ok((batch, failed)) => (
            batch.id,
            TaskSeed {
                name: "Create batches".into(),
                task_type: "create-batches".into(),
                status: status::COMPLETE.into(),
                completion_percentage: Some(1.0),
                result: Some(json!({"failedDataRowIds": failed}).to_string()),
                ..TaskSeed::default()
            },
        ),
        Err(e) => (
            String::new(),
            TaskSeed {
                name: "Create batches".into(),
                task_type: "create-batches".into(),
                status: status::FAILED.into(),
                completion_percentage: Some(1.0),
                result: Some(json!({"error": e.message}).to_string()),
                errors: Some(e.message),
                ..TaskSeed::default()
            },
        ),
    };
    let task_id = store.insert_task(seed, None);
    CreateBatchesResult {
        tasks: vec![BatchTask {
            batch_uuid: ID(batch_id),
            task_id: ID(task_id),
        }],
    }
}

// ----- the rows of a batch -----

/// The rows a batch request names, checked against the catalog and the project: the ids to
/// add and the ids that cannot be added. An error names what makes the whole request bad.
struct Resolved {
    add: Vec<String>,
    failed: Vec<String>,
}

fn resolve_rows(
    store: &Store,
    project_id: &str,
    ids: Option<Vec<ID>>,
    keys: Option<Vec<ID>>,
    priority: i32,
) -> Result<Resolved> {
    if !(1..=5).contains(&priority) {
        return Err(coded(
            format!("Priority must be between 1 and 5, got {priority}"),
            "MALFORMED_REQUEST",
        ));
    }
    let (ids, keys) = (ids.unwrap_or_default(), keys.unwrap_or_default());
    if ids.is_empty() == keys.is_empty() {
        return Err(coded(
            "Exactly one of dataRowIds and globalKeys must be given",
            "MALFORMED_REQUEST",
        ));
    }
    if ids.len().max(keys.len()) > MAX_BATCH_ROWS {
        return Err(coded(
            "Batch exceeds max size of 100000 data rows",
            "MALFORMED_REQUEST",
        ));
    }
    let catalog = store.catalog();
    let mut candidates = Vec::new();
    if keys.is_empty() {
        candidates.extend(ids.into_iter().map(|id| id.to_string()));
    } else {
        let missing: Vec<&str> = keys
            .iter()
            .filter(|k| !catalog.global_keys.contains_key(k.as_str()))
            .map(|k| k.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(coded(
                format!(
                    "Data rows with the following global keys do not exist: {}.",
                    missing.join(", ")
                ),
                "MALFORMED_REQUEST",
            ));
        }
        candidates.extend(
            keys.iter()
                .filter_map(|k| catalog.global_keys.get(k.as_str()).cloned()),
        );
    }
    // A row whose asset is in a cloud bucket cannot be read without an IAM integration, which
    // the emulator never has: such rows fail, as rows the service cannot process do.
    let usable: Vec<bool> = candidates
        .iter()
        .map(|id| {
            catalog.rows.get(id).is_some_and(|row| {
                !row.row_data
                    .as_str()
                    .is_some_and(|url| url.starts_with("gs://") || url.starts_with("s3://"))
            })
        })
        .collect();
    let known_anywhere = candidates.iter().any(|id| catalog.rows.contains_key(id));
    drop(catalog);
    let state = store.projects.lock();
    // Sets, not scans: a batch has up to 100,000 rows, and so may the project.
    let in_project: HashSet<&str> = state
        .projects
        .get(project_id)
        .map(ProjectRecord::row_ids)
        .unwrap_or_default();
    let mut added = HashSet::new();
    let mut out = Resolved {
        add: Vec::new(),
        failed: Vec::new(),
    };
    for (id, usable) in candidates.into_iter().zip(usable) {
        if usable && !in_project.contains(id.as_str()) && added.insert(id.clone()) {
            out.add.push(id);
        } else if !added.contains(&id) {
            out.failed.push(id);
        }
    }
    if out.add.is_empty() {
        let message = if known_anywhere {
            "No valid data rows to add to project"
        } else {
            "No valid data rows to be added from the list provided!"
        };
        return Err(coded(message, "MALFORMED_REQUEST"));
    }
    Ok(out)
}

/// Puts `rows` in `batch_id` of the project, in the labeling queue.
fn add_rows(project: &mut ProjectRecord, batch_id: &str, rows: &[String], priority: i32) {
    let now = time::now();
    let queue = project.queues.first().map(|q| q.id.clone());
    for id in rows {
        project.rows.push(ProjectRow {
            data_row_id: id.clone(),
            batch_id: batch_id.to_string(),
            priority,
            queue_id: queue.clone(),
            number_of_labels: None,
            added_at: now,
        });
    }
    if let Some(batch) = project.batches.iter_mut().find(|b| b.id == batch_id) {
        batch.size += rows.len();
        batch.updated_at = now;
    }
}

fn new_batch(
    store: &Store,
    project: &ProjectRecord,
    name: &str,
    consensus: Option<ConsensusSettings>,
) -> Result<BatchRecord> {
    if name.trim().is_empty() {
        return Err(coded(
            "A batch's name must not be empty",
            "MALFORMED_REQUEST",
        ));
    }
    if project.batches.iter().any(|b| b.name == name) {
        return Err(coded(
            format!("Batch with name \"{name}\" already exists in this project"),
            "RESOURCE_CONFLICT",
        ));
    }
    let now = time::now();
    Ok(BatchRecord {
        id: store.new_id(),
        name: name.to_string(),
        created_at: now,
        updated_at: now,
        size: 0,
        consensus_settings: consensus.map(|c| c.stored()),
    })
}

/// The project's batch and queue mutations, under `project(where: {id})` of the mutation root.
pub(crate) struct BatchMutations(pub(crate) String);

#[Object]
impl BatchMutations {
    /// Creates a batch of the rows named, at once; rows that cannot be added are listed in
    /// `failedDataRowIds`. Nothing is written when the request is refused.
    async fn create_batch_v2(
        &self,
        ctx: &Context<'_>,
        input: CreateBatchInput,
    ) -> Result<CreateBatchResult> {
        let (batch, failed) = create_filled_batch(
            store(ctx),
            &self.0,
            &input.name,
            Rows {
                ids: input.data_row_ids,
                keys: input.global_keys,
            },
            input.priority,
            input.consensus_settings,
        )?;
        Ok(CreateBatchResult {
            batch: BatchObject(batch),
            failed_data_row_ids: failed.into_iter().map(ID).collect(),
        })
    }

    /// Creates `<prefix>0000` (one batch: the emulator's batches hold up to 100,000 rows, as
    /// many as the SDK sends) as a task, `COMPLETE` at once, or `FAILED` with the reason as its
    /// result and nothing written.
    async fn create_batches(
        &self,
        ctx: &Context<'_>,
        input: CreateBatchesInput,
    ) -> Result<CreateBatchesResult> {
        let rows = Rows {
            ids: input.data_row_ids,
            keys: input.global_keys,
        };
        Ok(batches_task(
            store(ctx),
            &self.0,
            &input.batch_name_prefix,
            rows,
            input.priority,
            input.consensus_settings,
        ))
    }

    /// Like `createBatches`, with the dataset's rows not yet in the project.
    async fn create_batches_from_dataset(
        &self,
        ctx: &Context<'_>,
        input: CreateBatchesFromDatasetInput,
    ) -> Result<CreateBatchesResult> {
        let store = store(ctx);
        if store.dataset(input.dataset_id.as_str()).is_none() {
            return Err(super::datasets::not_found(input.dataset_id.as_str()));
        }
        let in_project: HashSet<String> = super::projects::with_project(store, &self.0, |p, _| {
            p.rows.iter().map(|r| r.data_row_id.clone()).collect()
        })?;
        let ids: Vec<ID> = store
            .data_rows(input.dataset_id.as_str())
            .into_iter()
            .filter(|r| !in_project.contains(&r.id))
            .map(|r| ID(r.id))
            .collect();
        let rows = Rows {
            ids: Some(ids),
            keys: None,
        };
        Ok(batches_task(
            store,
            &self.0,
            &input.batch_name_prefix,
            rows,
            input.priority,
            input.consensus_settings,
        ))
    }

    /// Creates a batch without rows (the first step of the async path).
    async fn create_empty_batch(
        &self,
        ctx: &Context<'_>,
        input: CreateEmptyBatchInput,
    ) -> Result<IdResult> {
        let store = store(ctx);
        let batch = super::projects::change_project(store, &self.0, |p| {
            let batch = new_batch(store, p, &input.name, input.consensus_settings)?;
            p.batches.push(batch.clone());
            Ok(batch)
        })?;
        Ok(IdResult { id: ID(batch.id) })
    }

    /// Adds rows to a batch as a task (`add-data-rows-to-batch`): `COMPLETE` with the rows
    /// added, or `FAILED` with the reason in `errors` and nothing added.
    async fn add_data_rows_to_batch_async(
        &self,
        ctx: &Context<'_>,
        input: AddDataRowsToBatchInput,
    ) -> Result<TaskIdResult> {
        let store = store(ctx);
        let batch_id = input.batch_id.to_string();
        let known = super::projects::with_project(store, &self.0, |p, _| {
            p.batches.iter().any(|b| b.id == batch_id)
        })?;
        if !known {
            return Err(coded(
                format!("Resource not found: no Batch with id {batch_id}"),
                "RESOURCE_NOT_FOUND",
            ));
        }
        let outcome = resolve_rows(
            store,
            &self.0,
            input.data_row_ids,
            input.global_keys,
            input.priority,
        );
        let seed = match outcome {
            Ok(resolved) => {
                super::projects::change_project(store, &self.0, |p| {
                    add_rows(p, &batch_id, &resolved.add, input.priority);
                    Ok(())
                })?;
                let failed = json!({"failedDataRowIds": resolved.failed});
                TaskSeed {
                    name: "Add data rows to batch".into(),
                    task_type: ADD_TO_BATCH_TASK_TYPE.into(),
                    status: status::COMPLETE.into(),
                    completion_percentage: Some(1.0),
                    result: Some(failed.to_string()),
                    ..TaskSeed::default()
                }
            }
            Err(e) => TaskSeed {
                name: "Add data rows to batch".into(),
                task_type: ADD_TO_BATCH_TASK_TYPE.into(),
                status: status::FAILED.into(),
                completion_percentage: Some(1.0),
                errors: Some(e.message),
                ..TaskSeed::default()
            },
        };
        Ok(TaskIdResult {
            task_id: ID(store.insert_task(seed, None)),
        })
    }

    /// Deletes a batch and takes its rows out of the project (their labels stay).
    async fn delete_batch(&self, ctx: &Context<'_>, batch_id: ID) -> Result<DeleteBatchResult> {
        let store = store(ctx);
        super::projects::change_project(store, &self.0, |p| {
            let before = p.batches.len();
            p.batches.retain(|b| b.id != batch_id.as_str());
            if p.batches.len() == before {
                return Err(coded(
                    format!("Resource not found: no Batch with id {}", batch_id.as_str()),
                    "RESOURCE_NOT_FOUND",
                ));
            }
            p.rows.retain(|r| r.batch_id != batch_id.as_str());
            Ok(())
        })?;
        Ok(DeleteBatchResult {
            deleted_batch_id: batch_id,
        })
    }

    /// Takes the batch's rows that still wait in a queue out of the project.
    async fn remove_queued_data_rows_from_batch(
        &self,
        ctx: &Context<'_>,
        batch_id: ID,
    ) -> Result<IdResult> {
        let store = store(ctx);
        super::projects::change_project(store, &self.0, |p| {
            if !p.batches.iter().any(|b| b.id == batch_id.as_str()) {
                return Err(coded(
                    format!("Resource not found: no Batch with id {}", batch_id.as_str()),
                    "RESOURCE_NOT_FOUND",
                ));
            }
            p.rows
                .retain(|r| r.batch_id != batch_id.as_str() || r.queue_id.is_none());
            Ok(())
        })?;
        Ok(IdResult { id: batch_id })
    }

    /// Moves project rows to a queue (`queueId: null` is Done), as a task that is complete at
    /// once; rows not in the project fail it and nothing moves.
    async fn create_bulk_add_rows_to_queue_task(
        &self,
        ctx: &Context<'_>,
        data: MoveToQueueInput,
    ) -> Result<TaskIdResult> {
        let store = store(ctx);
        let named: Vec<String> = data
            .data_row_identifiers
            .ids
            .iter()
            .map(|i| i.to_string())
            .collect();
        let ids = super::annotate::resolve(store, &named, data.data_row_identifiers.id_type);
        let queue = data.queue_id.map(|q| q.to_string());
        let outcome = super::projects::change_project(store, &self.0, |p| {
            if let Some(q) = &queue {
                if !p.queues.iter().any(|x| &x.id == q) {
                    return Ok(Err(format!("Task queue {q} not found in project")));
                }
            }
            // An identifier that names no row fails the move too: nothing moves by half.
            let in_project = p.row_ids();
            if ids.is_empty()
                || ids.len() != named.len()
                || !ids.iter().all(|id| in_project.contains(id.as_str()))
            {
                return Ok(Err("Some data rows are not in the project".to_string()));
            }
            let moved: HashSet<&String> = ids.iter().collect();
            for row in p.rows.iter_mut().filter(|r| moved.contains(&r.data_row_id)) {
                row.queue_id = queue.clone();
            }
            Ok(Ok(()))
        })?;
        let (state, errors) = match outcome {
            Ok(()) => (status::COMPLETE, None),
            Err(e) => (status::FAILED, Some(e)),
        };
        let seed = TaskSeed {
            name: "Move data rows to task queue".into(),
            task_type: MOVE_TO_QUEUE_TASK_TYPE.into(),
            status: state.into(),
            completion_percentage: Some(1.0),
            errors,
            ..TaskSeed::default()
        };
        Ok(TaskIdResult {
            task_id: ID(store.insert_task(seed, None)),
        })
    }
}
