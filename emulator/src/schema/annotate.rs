//! Sending rows to a project and their labeling priority: `sendToAnnotateFromCatalog` (a
//! `send-to-annotate` task), `createQueuePriorityUpdateTask` (a `bulk-update-queue-priority`
//! task), `setLabelingParameterOverrides` and the project's `labelingParameterOverrides`.

use std::collections::{HashMap, HashSet};

use async_graphql::{Context, InputObject, Json, Object, Result, SimpleObject, ID};
use serde_json::{json, Value};

use super::batches::TaskIdResult;
use super::data_rows::{DataRowIdentifierInput, IdType};
use super::{coded, store};
use crate::project_tasks::{self, QUEUE_PRIORITY_TASK_TYPE, SEND_TO_ANNOTATE_TASK_TYPE};
use crate::projects::{LabelRecord, ProjectRow};
use crate::store::Store;
use crate::time;

/// Data row ids by id or global key, resolved in the catalog (unknown ones dropped).
pub(crate) fn resolve(store: &Store, ids: &[String], id_type: IdType) -> Vec<String> {
    let catalog = store.catalog();
    ids.iter()
        .filter_map(|id| match id_type {
            IdType::Id => catalog.rows.contains_key(id).then(|| id.clone()),
            IdType::Gkey => catalog.global_keys.get(id).cloned(),
        })
        .collect()
}

/// A labeling parameter override: a project row's priority.
#[derive(SimpleObject)]
#[graphql(complex, name = "LabelingParameterOverride")]
pub(crate) struct OverrideObject {
    id: ID,
    priority: i32,
    number_of_labels: i32,
    #[graphql(skip)]
    data_row_id: String,
}

#[async_graphql::ComplexObject]
impl OverrideObject {
    async fn data_row(&self, ctx: &Context<'_>) -> Result<super::data_rows::DataRowObject> {
        store(ctx)
            .data_row(&self.data_row_id)
            .map(super::data_rows::DataRowObject)
            .ok_or_else(|| super::data_rows::row_not_found(&self.data_row_id))
    }
}

impl OverrideObject {
    pub(crate) fn of(row: &ProjectRow) -> Self {
        OverrideObject {
            id: ID(format!("{}-{}", row.batch_id, row.data_row_id)),
            priority: row.priority,
            number_of_labels: row.number_of_labels.unwrap_or(1),
            data_row_id: row.data_row_id.clone(),
        }
    }
}

#[derive(InputObject)]
#[graphql(name = "LabelingParameterOverrideWithDataRowIdentifierInput")]
struct OverrideInput {
    data_row_identifier: DataRowIdentifierInput,
    priority: i32,
}

#[derive(InputObject)]
#[graphql(name = "QueuePriorityUpdateDataRowIdentifiersInput")]
struct PriorityIdentifiers {
    ids: Vec<String>,
    id_type: IdType,
}

#[derive(InputObject)]
#[graphql(name = "CreateQueuePriorityUpdateTaskInput")]
struct QueuePriorityInput {
    priority: i32,
    data_row_identifiers: Option<PriorityIdentifiers>,
}

#[derive(SimpleObject)]
struct Success {
    success: bool,
}

fn priority_in_range(priority: i32) -> Result<()> {
    if (1..=5).contains(&priority) {
        Ok(())
    } else {
        Err(coded(
            format!("Priority must be between 1 and 5, got {priority}"),
            "MALFORMED_REQUEST",
        ))
    }
}

/// Rows of the project among `ids`, or the error naming the ones that are not in it.
fn rows_in_project(store: &Store, project_id: &str, ids: &[String]) -> Result<()> {
    super::projects::with_project(store, project_id, |p, _| {
        let in_project = p.row_ids();
        let missing: Vec<&String> = ids
            .iter()
            .filter(|id| !in_project.contains(id.as_str()))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(coded(
                format!(
                    "Data rows not in project {project_id}: {}",
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "MALFORMED_REQUEST",
            ))
        }
    })?
}

/// The priority mutations, under `project(where: {id})` of the mutation root.
pub(crate) struct PriorityMutations(pub(crate) String);

#[Object]
impl PriorityMutations {
    /// Sets each named row's priority; every row must be in the project, else nothing changes.
    async fn set_labeling_parameter_overrides(
        &self,
        ctx: &Context<'_>,
        data_with_data_row_identifiers: Vec<OverrideInput>,
    ) -> Result<Success> {
        let store = store(ctx);
        let mut wanted = Vec::new();
        for o in &data_with_data_row_identifiers {
            let id = &o.data_row_identifier;
            let resolved = resolve(store, std::slice::from_ref(&id.id.0), id.id_type);
            let row = resolved.into_iter().next().ok_or_else(|| {
                coded(
                    format!("Data row {} not found", id.id.0),
                    "RESOURCE_NOT_FOUND",
                )
            })?;
            wanted.push((row, o.priority));
        }
        let ids: Vec<String> = wanted.iter().map(|(id, _)| id.clone()).collect();
        rows_in_project(store, &self.0, &ids)?;
        // The last override of a row wins, as when they were applied one by one.
        let priorities: HashMap<&String, i32> = wanted.iter().map(|(id, p)| (id, *p)).collect();
        super::projects::change_project(store, &self.0, |p| {
            for row in &mut p.rows {
                if let Some(priority) = priorities.get(&row.data_row_id) {
                    row.priority = *priority;
                }
            }
            Ok(())
        })?;
        Ok(Success { success: true })
    }

    /// Sets the priority (1 to 5) of the named rows, or of every row of the project, as a
    /// cancelable task; rows not in the project refuse the request.
    async fn create_queue_priority_update_task(
        &self,
        ctx: &Context<'_>,
        data: QueuePriorityInput,
    ) -> Result<TaskIdResult> {
        let store = store(ctx);
        priority_in_range(data.priority)?;
        let ids = match &data.data_row_identifiers {
            Some(d) => {
                let ids = resolve(store, &d.ids, d.id_type);
                if ids.len() != d.ids.len() {
                    return Err(coded("Some data rows do not exist", "MALFORMED_REQUEST"));
                }
                rows_in_project(store, &self.0, &ids)?;
                Some(ids)
            }
            None => None,
        };
        let project_id = self.0.clone();
        let priority = data.priority;
        let apply: project_tasks::Apply = Box::new(move |store: &Store| {
            let mut state = store.projects.lock();
            let project = state
                .projects
                .get_mut(&project_id)
                .ok_or(format!("Project {project_id} was deleted"))?;
            for row in project.rows.iter_mut() {
                if ids
                    .as_ref()
                    .is_none_or(|ids| ids.contains(&row.data_row_id))
                {
                    row.priority = priority;
                }
            }
            Ok(None)
        });
        let id = project_tasks::start(
            store,
            "Update queue priority",
            QUEUE_PRIORITY_TASK_TYPE,
            apply,
        );
        Ok(TaskIdResult { task_id: ID(id) })
    }
}

// ----- send to annotate -----

#[derive(InputObject)]
#[graphql(name = "SendToAnnotateBatchInput")]
struct BatchInput {
    batch_name: String,
    batch_priority: Option<i32>,
}

#[derive(InputObject)]
#[graphql(name = "SendToAnnotateDestinationTaskQueueInput")]
struct DestinationQueue {
    #[graphql(name = "type")]
    kind: String,
    value: Option<String>,
}

#[derive(InputObject)]
#[graphql(name = "SendToAnnotateAnnotationsInput")]
struct AnnotationsInput {
    project_id: ID,
    feature_schema_ids_mapping: Json<Value>,
}

#[derive(InputObject)]
#[graphql(name = "SendToAnnotateSearchQueryInput")]
struct SendSearchQuery {
    scope: Option<Json<Value>>,
    query: Vec<Json<Value>>,
}

#[derive(InputObject)]
#[graphql(name = "SendToAnnotateFromCatalogInput")]
struct SendToAnnotateInput {
    destination_project_id: ID,
    batch_input: BatchInput,
    destination_task_queue: Option<DestinationQueue>,
    exclude_data_rows_in_project: Option<bool>,
    annotations_input: Option<AnnotationsInput>,
    predictions_input: Option<Json<Value>>,
    conflict_labels_resolution_strategy: Option<String>,
    search_query: SendSearchQuery,
    ordering: Option<Json<Value>>,
    sorting: Option<Json<Value>>,
    limit: Option<i32>,
}

/// What a send-to-annotate task will do, checked when it is asked for.
struct SendPlan {
    project_id: String,
    batch_name: String,
    priority: i32,
    queue: Option<String>,
    rows: Vec<String>,
    exclude_in_project: bool,
    /// The source project and the feature schema id mapping.
    annotations: Option<(String, serde_json::Map<String, Value>)>,
}

impl SendToAnnotateInput {
    fn plan(self, store: &Store) -> Result<SendPlan> {
        // Ordering, sorting and the conflict strategy change nothing for the rows named by id.
        let _ = (
            &self.conflict_labels_resolution_strategy,
            &self.ordering,
            &self.sorting,
            self.limit,
        );
        let _ = &self.search_query.scope;
        if self.predictions_input_is_unsupported() {
            return Err(coded(
                "Predictions from model runs are not supported by the emulator",
                "MALFORMED_REQUEST",
            ));
        }
        let project_id = self.destination_project_id.to_string();
        let queues = super::projects::with_project(store, &project_id, |p, _| p.queues.clone())?;
        let queue = match self.destination_task_queue {
            None => queues.first().map(|q| q.id.clone()),
            Some(q) if q.kind == "done" => None,
            Some(q) => {
                let id = q.value.unwrap_or_default();
                if !queues.iter().any(|x| x.id == id) {
                    return Err(coded(
                        format!("Task queue {id} not found in project {project_id}"),
                        "RESOURCE_NOT_FOUND",
                    ));
                }
                Some(id)
            }
        };
        let priority = self.batch_input.batch_priority.unwrap_or(5);
        priority_in_range(priority)?;
        let mut rows = Vec::new();
        for item in &self.search_query.query {
            let ids: Vec<String> = item.0["ids"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            let kind = match item.0["type"].as_str() {
                Some("data_row_id") => IdType::Id,
                Some("global_key") => IdType::Gkey,
                other => {
                    return Err(coded(
                        format!("Search query type {other:?} is not supported by the emulator"),
                        "MALFORMED_REQUEST",
                    ))
                }
            };
            rows.extend(resolve(store, &ids, kind));
        }
        if rows.is_empty() {
            return Err(coded("No data rows to send", "MALFORMED_REQUEST"));
        }
        let annotations = match self.annotations_input {
            Some(a) => {
                let source = a.project_id.to_string();
                super::projects::with_project(store, &source, |_, _| ())?;
                let mapping = a
                    .feature_schema_ids_mapping
                    .0
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                Some((source, mapping))
            }
            None => None,
        };
        Ok(SendPlan {
            project_id,
            batch_name: self.batch_input.batch_name,
            priority,
            queue,
            rows,
            exclude_in_project: self.exclude_data_rows_in_project.unwrap_or(true),
            annotations,
        })
    }

    fn predictions_input_is_unsupported(&self) -> bool {
        self.predictions_input
            .as_ref()
            .is_some_and(|p| !p.0.is_null())
    }
}

/// Applies a send: a new batch of the rows (those already in the project left out when asked),
/// in the destination queue, with the source project's labels copied (feature schema ids
/// mapped) when asked.
fn send(store: &Store, plan: SendPlan) -> Result<Option<String>, String> {
    let mut state = store.projects.lock();
    let copied: Vec<LabelRecord> = match &plan.annotations {
        Some((source, mapping)) => state
            .projects
            .get(source)
            .map(|p| {
                p.labels
                    .iter()
                    .filter(|l| plan.rows.contains(&l.data_row_id) && l.visible())
                    .map(|l| mapped_label(store, l, mapping))
                    .collect()
            })
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let project = state
        .projects
        .get_mut(&plan.project_id)
        .ok_or(format!("Project {} was deleted", plan.project_id))?;
    if project.batches.iter().any(|b| b.name == plan.batch_name) {
        return Err(format!(
            "Batch with name \"{}\" already exists in this project",
            plan.batch_name
        ));
    }
    let in_project = if plan.exclude_in_project {
        project.row_ids()
    } else {
        HashSet::new()
    };
    let rows: Vec<String> = plan
        .rows
        .into_iter()
        .filter(|id| !in_project.contains(id.as_str()))
        .collect();
    if rows.is_empty() {
        return Err("No valid data rows to add to project".into());
    }
    let now = time::now();
    let batch_id = store.new_id();
    project.batches.push(crate::projects::BatchRecord {
        id: batch_id.clone(),
        name: plan.batch_name,
        created_at: now,
        updated_at: now,
        size: rows.len(),
        consensus_settings: None,
    });
    for id in &rows {
        project.rows.push(ProjectRow {
            data_row_id: id.clone(),
            batch_id: batch_id.clone(),
            priority: plan.priority,
            queue_id: plan.queue.clone(),
            number_of_labels: None,
            added_at: now,
        });
    }
    project.labels.extend(copied);
    project.updated_at = now;
    Ok(Some(
        json!({"batchId": batch_id, "dataRowIds": rows}).to_string(),
    ))
}

fn mapped_label(
    store: &Store,
    label: &LabelRecord,
    mapping: &serde_json::Map<String, Value>,
) -> LabelRecord {
    let annotations: Vec<Value> = label
        .annotations
        .iter()
        .map(|a| {
            let mut a = a.clone();
            if let Some(to) = a["schemaId"]
                .as_str()
                .and_then(|from| mapping.get(from))
                .cloned()
            {
                a["schemaId"] = to;
            }
            a
        })
        .collect();
    LabelRecord {
        id: store.new_id(),
        data_row_id: label.data_row_id.clone(),
        label: Value::Array(annotations.clone()).to_string(),
        annotations,
        created_at: time::now(),
        visible_from: std::time::Instant::now(),
    }
}

#[derive(Default)]
pub(crate) struct AnnotateMutation;

#[Object]
impl AnnotateMutation {
    /// Sends catalog rows to a project as a cancelable `send-to-annotate` task; the request is
    /// checked now (project, queue, priority, rows), the batch written when the task completes.
    async fn send_to_annotate_from_catalog(
        &self,
        ctx: &Context<'_>,
        input: SendToAnnotateInput,
    ) -> Result<TaskIdResult> {
        let store = store(ctx);
        let plan = input.plan(store)?;
        let apply: project_tasks::Apply = Box::new(move |store: &Store| send(store, plan));
        let id = project_tasks::start(store, "Send to annotate", SEND_TO_ANNOTATE_TASK_TYPE, apply);
        Ok(TaskIdResult { task_id: ID(id) })
    }
}
