//! The export part of the schema (PROTOCOL 3.9): `exportDataRowsInCatalog`, the `task` root,
//! and the stream fields of a task (`exportMetadataHeader`, `exportFileFromOffset`).
//!
//! The input is checked as strictly as the official SDK's traffic shows it: the search query
//! items it sends for datasets, data row ids and global keys; anything else is refused.

use std::sync::Arc;

use async_graphql::{
    Context, Enum, InputObject, InputValueError, InputValueResult, Json, Object, Scalar,
    ScalarType, SimpleObject, Value, ID,
};

use super::{coded, store, TaskObject, WhereUniqueIdInput, VALIDATION_FAILED};
use crate::export::{self, ExportJob, Include, Selection, StreamKind, EXPORT_TASK_TYPE};
use crate::project_export::{parse_date, ProjectScope};
use crate::store::{status, TaskRecord, TaskSeed};

/// Most ids one search query item may carry (the official SDK's `SEARCH_LIMIT_PER_EXPORT_V2`).
const MAX_IDS_PER_ITEM: usize = 2_000;
/// Most project or model-run ids one export may name (the official SDK's `EXPORT_LIMIT`).
const MAX_PROJECTS_OR_RUNS: usize = 30;
/// `mediaTypeOverride` values (the official SDK's `MediaType` values).
const MEDIA_TYPES: [&str; 13] = [
    "AUDIO",
    "CONVERSATIONAL",
    "PDF",
    "TMS_GEO",
    "HTML",
    "IMAGE",
    "TMS_SIMPLE",
    "TEXT",
    "UNKNOWN",
    "UNSUPPORTED",
    "VIDEO",
    "POINT_CLOUD",
    "LLM",
];
/// Search query types the official SDK can send that the emulator has nothing to match against
/// (activity dates, label dates, batches, workflow queues, slices).
const UNSUPPORTED_FILTERS: [&str; 6] = [
    "data_row_last_activity_at",
    "labeled_at",
    "batch",
    "task_queue_status",
    "task_queue_not_exist",
    "slice",
];

/// `UInt64`: a byte or line count. Accepted as a decimal string (what the official SDK sends)
/// or a non-negative integer; written as a decimal string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct UInt64(pub(crate) u64);

#[Scalar(name = "UInt64")]
impl ScalarType for UInt64 {
    fn parse(value: Value) -> InputValueResult<Self> {
        let parsed = match &value {
            Value::String(s) if s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok(),
            Value::Number(n) => n.as_u64(),
            _ => None,
        };
        parsed
            .map(UInt64)
            .ok_or_else(|| InputValueError::custom(format!("invalid UInt64: {value}")))
    }

    fn is_valid(value: &Value) -> bool {
        Self::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

/// `TaskStreamType`.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "TaskStreamType", rename_items = "SCREAMING_SNAKE_CASE")]
pub(crate) enum TaskStreamType {
    Result,
    Errors,
}

impl From<TaskStreamType> for StreamKind {
    fn from(t: TaskStreamType) -> Self {
        match t {
            TaskStreamType::Result => StreamKind::Result,
            TaskStreamType::Errors => StreamKind::Errors,
        }
    }
}

/// `exportMetadataHeader`.
#[derive(SimpleObject)]
#[graphql(name = "ExportMetadataHeader")]
pub(crate) struct MetadataHeader {
    total_size: UInt64,
    total_lines: UInt64,
}

/// An inclusive range of bytes or lines.
#[derive(SimpleObject)]
#[graphql(name = "ExportFileRange")]
pub(crate) struct FileRange {
    start: UInt64,
    end: UInt64,
}

impl From<(u64, u64)> for FileRange {
    fn from((start, end): (u64, u64)) -> Self {
        FileRange {
            start: UInt64(start),
            end: UInt64(end),
        }
    }
}

/// `exportFileFromOffset`: one file of a stream.
#[derive(SimpleObject)]
#[graphql(name = "ExportFileInfo")]
pub(crate) struct FileInfo {
    offsets: FileRange,
    lines: FileRange,
    file: String,
}

/// The stream of `kind` of a finished export task; `None` for any other task, a running or
/// failed export, or an export without that stream.
fn finished_stream(task: &TaskRecord, kind: StreamKind) -> Option<&export::Stream> {
    let job = task.export.as_deref()?;
    if task.status != status::COMPLETE {
        return None;
    }
    job.stream(kind)
}

/// `Task.exportMetadataHeader`: null when the stream does not exist.
pub(crate) fn metadata_header(task: &TaskRecord, kind: TaskStreamType) -> Option<MetadataHeader> {
    finished_stream(task, kind.into()).map(|s| MetadataHeader {
        total_size: UInt64(s.total_size),
        total_lines: UInt64(s.total_lines),
    })
}

/// `Task.exportFileFromOffset`: the file holding byte `offset`; null when the stream does not
/// exist, an error when `offset` is at or past its end.
pub(crate) fn file_from_offset(
    task: &TaskRecord,
    kind: TaskStreamType,
    offset: UInt64,
) -> async_graphql::Result<Option<FileInfo>> {
    let Some(stream) = finished_stream(task, kind.into()) else {
        return Ok(None);
    };
    let file = stream.file_at(offset.0).ok_or_else(|| {
        coded(
            format!(
                "Offset {} is out of range: the stream has {} bytes",
                offset.0, stream.total_size
            ),
            VALIDATION_FAILED,
        )
    })?;
    Ok(Some(FileInfo {
        offsets: file.offsets.into(),
        lines: file.lines.into(),
        file: file.url.clone(),
    }))
}

// ----- the mutation's input -----

#[derive(InputObject)]
#[graphql(name = "ExportDataRowsInCatalogInput")]
struct ExportDataRowsInCatalogInput {
    task_name: Option<String>,
    filters: CatalogExportFilters,
    is_streamable_ready: Option<bool>,
    streamable: Option<bool>,
    params: CatalogExportParams,
}

#[derive(InputObject)]
#[graphql(name = "CatalogExportFiltersInput")]
struct CatalogExportFilters {
    search_query: SearchQuery,
}

#[derive(InputObject)]
#[graphql(name = "ExportSearchQueryInput")]
struct SearchQuery {
    scope: Option<Json<serde_json::Value>>,
    query: Vec<SearchQueryItem>,
}

/// One item of `searchQuery.query`; which fields it needs depends on its `type`.
#[derive(InputObject)]
#[graphql(name = "ExportSearchQueryItemInput")]
struct SearchQueryItem {
    #[graphql(name = "type")]
    kind: String,
    ids: Option<Vec<String>>,
    operator: Option<String>,
    value: Option<Json<serde_json::Value>>,
    status: Option<String>,
}

#[derive(InputObject)]
#[graphql(name = "CatalogExportParamsInput")]
struct CatalogExportParams {
    media_type_override: Option<String>,
    include_attachments: Option<bool>,
    include_embeddings: Option<bool>,
    include_metadata: Option<bool>,
    include_data_row_details: Option<bool>,
    include_project_details: Option<bool>,
    include_performance_details: Option<bool>,
    include_label_details: Option<bool>,
    include_interpolated_frames: Option<bool>,
    include_predictions: Option<bool>,
    project_ids: Option<Vec<String>>,
    model_run_ids: Option<Vec<String>>,
    all_projects: Option<bool>,
    all_model_runs: Option<bool>,
}

impl SearchQuery {
    /// The rows the query names, or why it is refused.
    fn selection(self) -> Result<Selection, String> {
        if self.scope.is_some() {
            return Err("searchQuery.scope must be null for a catalog export".into());
        }
        let mut selection = Selection::default();
        for item in self.query {
            let kind = item.kind.clone();
            let slot = match kind.as_str() {
                "dataset" => None,
                "data_row_id" => Some(&mut selection.data_row_ids),
                "global_key" => Some(&mut selection.global_keys),
                other if UNSUPPORTED_FILTERS.contains(&other) => {
                    return Err(format!(
                        "Search query type '{other}' is not supported by the emulator"
                    ))
                }
                other => return Err(format!("Unknown search query type '{other}'")),
            };
            let ids = item.ids_filter()?;
            match slot {
                None if selection.dataset.is_none() && ids.len() == 1 => {
                    selection.dataset = ids.into_iter().next();
                }
                None => return Err("A search query names at most one dataset".into()),
                Some(slot) if slot.is_none() => *slot = Some(ids),
                Some(_) => return Err(format!("Search query type '{kind}' given twice")),
            }
        }
        if selection.data_row_ids.is_some() && selection.global_keys.is_some() {
            return Err("data_row_id and global_key cannot both be present in one export".into());
        }
        Ok(selection)
    }
}

impl SearchQueryItem {
    /// The ids of an `{ids, operator: "is", type}` item.
    fn ids_filter(self) -> Result<Vec<String>, String> {
        let kind = &self.kind;
        if self.operator.as_deref() != Some("is") {
            return Err(format!("Search query type '{kind}' needs operator \"is\""));
        }
        if self.value.is_some() || self.status.is_some() {
            return Err(format!("Search query type '{kind}' takes only ids"));
        }
        match self.ids {
            Some(ids) if ids.is_empty() => Err(format!("Search query type '{kind}' has no ids")),
            Some(ids) if ids.len() > MAX_IDS_PER_ITEM => Err(format!(
                "Search query type '{kind}' supports at most {MAX_IDS_PER_ITEM} ids"
            )),
            Some(ids) => Ok(ids),
            None => Err(format!("Search query type '{kind}' needs ids")),
        }
    }
}

impl CatalogExportParams {
    /// What each line carries, or why the params are refused.
    fn include(&self) -> Result<Include, String> {
        if let Some(media) = self
            .media_type_override
            .as_deref()
            .filter(|m| !MEDIA_TYPES.contains(m))
        {
            return Err(format!("Unknown mediaTypeOverride '{media}'"));
        }
        for (name, ids) in [
            ("projectIds", &self.project_ids),
            ("modelRunIds", &self.model_run_ids),
        ] {
            if ids.as_ref().is_some_and(|v| v.len() > MAX_PROJECTS_OR_RUNS) {
                return Err(format!("{name} cannot exceed {MAX_PROJECTS_OR_RUNS} items"));
            }
        }
        // Project, label, performance, frame and prediction details describe a row's projects
        // and model runs; in the emulator a row has none, so they change nothing.
        let _ = (
            self.include_project_details,
            self.include_performance_details,
            self.include_label_details,
            self.include_interpolated_frames,
            self.include_predictions,
            self.all_projects,
            self.all_model_runs,
        );
        Ok(Include {
            details: self.include_data_row_details.unwrap_or(false),
            attachments: self.include_attachments.unwrap_or(false),
            metadata: self.include_metadata.unwrap_or(false),
            embeddings: self.include_embeddings.unwrap_or(false),
        })
    }
}

#[derive(InputObject)]
#[graphql(name = "ExportDataRowsInProjectInput")]
struct ExportDataRowsInProjectInput {
    task_name: Option<String>,
    filters: ProjectExportFilters,
    is_streamable_ready: Option<bool>,
    streamable: Option<bool>,
    params: CatalogExportParams,
}

#[derive(InputObject)]
#[graphql(name = "ProjectExportFiltersInput")]
struct ProjectExportFilters {
    project_id: ID,
    search_query: SearchQuery,
}

impl ProjectExportFilters {
    /// The project's rows the query names: ids or global keys, batches, activity and label
    /// dates, workflow status; or why it is refused.
    fn selection(self, params: &CatalogExportParams) -> Result<Selection, String> {
        let mut scope = ProjectScope {
            project_id: self.project_id.to_string(),
            project_details: params.include_project_details.unwrap_or(false),
            label_details: params.include_label_details.unwrap_or(false),
            ..ProjectScope::default()
        };
        let mut selection = Selection::default();
        for item in self.search_query.query {
            match item.kind.as_str() {
                "data_row_id" => selection.data_row_ids = Some(item.ids_filter()?),
                "global_key" => selection.global_keys = Some(item.ids_filter()?),
                "batch" => scope.batch_ids = Some(item.ids_filter()?),
                "data_row_last_activity_at" => scope.last_activity_at = Some(item.date_range()?),
                "labeled_at" => scope.label_created_at = Some(item.date_range()?),
                "task_queue_status" => {
                    let status = match item.status.as_deref() {
                        Some("ToLabel") => "TO_LABEL",
                        Some("InReview") => "IN_REVIEW",
                        Some("InRework") => "IN_REWORK",
                        Some("Done") => "DONE",
                        other => return Err(format!("Unknown workflow status {other:?}")),
                    };
                    scope.workflow_status = Some(status.into());
                }
                other => {
                    return Err(format!(
                        "Search query type '{other}' is not supported in a project export"
                    ))
                }
            }
        }
        if selection.data_row_ids.is_some() && selection.global_keys.is_some() {
            return Err("data_row_id and global_key cannot both be present in one export".into());
        }
        selection.project = Some(scope);
        Ok(selection)
    }
}

impl SearchQueryItem {
    /// The range of a date item: `{operator: BETWEEN, value: {min, max}}`, or
    /// `GREATER_THAN_OR_EQUAL` / `LESS_THAN_OR_EQUAL` with one date.
    fn date_range(&self) -> Result<crate::project_export::Range, String> {
        let kind = &self.kind;
        let value = self
            .value
            .as_ref()
            .map(|v| &v.0)
            .ok_or(format!("Search query type '{kind}' needs a value"))?;
        let date = |v: &serde_json::Value| {
            v.as_str().and_then(parse_date).ok_or(format!(
                "Search query type '{kind}' has an invalid date: {v}"
            ))
        };
        match value["operator"].as_str() {
            Some("BETWEEN") => Ok((
                Some(date(&value["value"]["min"])?),
                Some(date(&value["value"]["max"])?),
            )),
            Some("GREATER_THAN_OR_EQUAL") => Ok((Some(date(&value["value"])?), None)),
            Some("LESS_THAN_OR_EQUAL") => Ok((None, Some(date(&value["value"])?))),
            other => Err(format!(
                "Search query type '{kind}' has an unknown operator {other:?}"
            )),
        }
    }
}

#[derive(InputObject)]
#[graphql(name = "ExportDataRowsInModelRunInput")]
struct ExportDataRowsInModelRunInput {
    task_name: Option<String>,
    filters: ModelRunExportFilters,
    is_streamable_ready: Option<bool>,
    streamable: Option<bool>,
    params: ModelRunExportParams,
}

#[derive(InputObject)]
#[graphql(name = "ModelRunExportFiltersInput")]
struct ModelRunExportFilters {
    model_run_id: ID,
}

/// The params the official SDK sends for a model-run export (`ModelRunExportParams`).
#[derive(InputObject)]
#[graphql(name = "ModelRunExportParamsInput")]
struct ModelRunExportParams {
    media_type_override: Option<String>,
    include_attachments: Option<bool>,
    include_embeddings: Option<bool>,
    include_metadata: Option<bool>,
    include_data_row_details: Option<bool>,
    include_predictions: Option<bool>,
    include_model_run_details: Option<bool>,
}

impl ModelRunExportParams {
    /// What each line carries (checked like a catalog export's params); predictions and run
    /// details add nothing in the emulator (its runs have no predictions and no splits set).
    fn include(self) -> Result<Include, String> {
        let _ = self.include_model_run_details;
        CatalogExportParams {
            media_type_override: self.media_type_override,
            include_attachments: self.include_attachments,
            include_embeddings: self.include_embeddings,
            include_metadata: self.include_metadata,
            include_data_row_details: self.include_data_row_details,
            include_project_details: None,
            include_performance_details: None,
            include_label_details: None,
            include_interpolated_frames: None,
            include_predictions: self.include_predictions,
            project_ids: None,
            model_run_ids: None,
            all_projects: None,
            all_model_runs: None,
        }
        .include()
    }
}

/// The answer of `exportDataRowsInCatalog`.
#[derive(SimpleObject)]
#[graphql(name = "ExportDataRowsInCatalogResult")]
struct ExportStarted {
    task_id: ID,
    is_streamable: bool,
}

fn refused(message: String) -> async_graphql::Error {
    coded(message, VALIDATION_FAILED)
}

// ----- roots -----

/// The export fields of the query root.
#[derive(Default)]
pub(crate) struct ExportQuery;

#[Object]
impl ExportQuery {
    /// A task by id (any task; the export streams are fields of it).
    async fn task(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<WhereUniqueIdInput>,
    ) -> async_graphql::Result<Option<TaskObject>> {
        let id = filter
            .map(|w| w.id)
            .ok_or_else(|| refused("task needs where: {id}".into()))?;
        match store(ctx).task(id.as_str()) {
            Some(task) => Ok(Some(TaskObject(task))),
            None => Err(coded(
                format!("Task {} not found", id.as_str()),
                "RESOURCE_NOT_FOUND",
            )),
        }
    }
}

/// The export fields of the mutation root.
#[derive(Default)]
pub(crate) struct ExportMutation;

#[Object]
impl ExportMutation {
    /// Starts an export of a project's rows (filtered by the search query), each line with
    /// its `projects[<id>]` part; the task runs in the background like a catalog export.
    async fn export_data_rows_in_project(
        &self,
        ctx: &Context<'_>,
        input: ExportDataRowsInProjectInput,
    ) -> async_graphql::Result<ExportStarted> {
        let _ = (input.is_streamable_ready, input.streamable);
        let include = input.params.include().map_err(refused)?;
        let selection = input.filters.selection(&input.params).map_err(refused)?;
        let store = store(ctx);
        let project_id = selection
            .project
            .as_ref()
            .map(|p| p.project_id.clone())
            .unwrap_or_default();
        super::projects::with_project(store, &project_id, |_, _| ())?;
        Ok(start(store, input.task_name, selection, include))
    }

    /// Starts an export of a model run's rows, each line with its
    /// `experiments[<model id>].runs[<run id>]` part; an unknown run is `RESOURCE_NOT_FOUND`.
    async fn export_data_rows_in_model_run(
        &self,
        ctx: &Context<'_>,
        input: ExportDataRowsInModelRunInput,
    ) -> async_graphql::Result<ExportStarted> {
        let _ = (input.is_streamable_ready, input.streamable);
        let include = input.params.include().map_err(refused)?;
        let store = store(ctx);
        let run_id = input.filters.model_run_id.to_string();
        super::models::model_run(store, &run_id)?;
        let selection = Selection {
            model_run: Some(run_id),
            ..Selection::default()
        };
        Ok(start(store, input.task_name, selection, include))
    }

    /// Starts an export of the rows the search query names; the task runs in the background.
    async fn export_data_rows_in_catalog(
        &self,
        ctx: &Context<'_>,
        input: ExportDataRowsInCatalogInput,
    ) -> async_graphql::Result<ExportStarted> {
        // Streamable or not, exports are written as streams (the service's behaviour since the
        // official SDK's export_v2 went streamable).
        let _ = (input.is_streamable_ready, input.streamable);
        let include = input.params.include().map_err(refused)?;
        let selection = input.filters.search_query.selection().map_err(refused)?;
        Ok(start(store(ctx), input.task_name, selection, include))
    }
}

/// Inserts an export task and starts writing it.
fn start(
    store: &Arc<crate::store::Store>,
    name: Option<String>,
    selection: Selection,
    include: Include,
) -> ExportStarted {
    let seed = TaskSeed {
        name: name.unwrap_or_default(),
        task_type: EXPORT_TASK_TYPE.into(),
        status: status::IN_PROGRESS.into(),
        completion_percentage: Some(0.0),
        ..TaskSeed::default()
    };
    let job = Arc::new(ExportJob::new(selection, include));
    let id = store.insert_export_task(seed, Arc::clone(&job));
    export::spawn(store, id.clone(), job);
    ExportStarted {
        task_id: ID(id),
        is_streamable: true,
    }
}
