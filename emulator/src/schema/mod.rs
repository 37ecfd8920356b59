//! The GraphQL schema (PROTOCOL section 3), executed by async-graphql.

mod variables;

use std::sync::Arc;
use std::time::SystemTime;

use async_graphql::{
    ComplexObject, Context, EmptySubscription, Enum, Error, ErrorExtensions, InputObject,
    InputValueError, InputValueResult, Json, MergedObject, Object, Scalar, ScalarType, Schema,
    SimpleObject, Union, Upload, Value, ID,
};

use crate::cancel;
use crate::export::EXPORT_TASK_TYPE;
use crate::import::{
    self, Attachment, FailedRow, ImportJob, MetadataField, PageResult, SuccessRow,
};
use crate::nodes::SuccessNodes;
use crate::store::{status, Identity, Store, TaskRecord, TaskSeed, UPSERT_TASK_TYPE};
use crate::time;

mod annotate;
mod annotation_imports;
mod batches;
mod data_rows;
mod datasets;
mod export;
mod global_keys;
mod labels;
mod metadata;
mod models;
mod projects;
mod resource_tags;

/// The executable schema.
pub(crate) type EmulatorSchema = Schema<Query, Mutation, EmptySubscription>;

/// Largest page of import results the service serves.
const MAX_IMPORT_PAGE: usize = 5_000;
/// Largest page of a task listing.
const MAX_TASK_PAGE: usize = 100;

pub(crate) fn build(store: Arc<Store>) -> EmulatorSchema {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .data(store)
        .extension(variables::VariablePositions)
        .finish()
}

fn store<'a>(ctx: &Context<'a>) -> &'a Arc<Store> {
    // The schema is always built with the store (see `build`); `data_unchecked` cannot miss.
    ctx.data_unchecked::<Arc<Store>>()
}

/// The code of a document or argument that does not fit the schema (answered HTTP 400).
pub(crate) const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";

/// A GraphQL error carrying `extensions.code` like the service's.
pub(crate) fn coded(message: impl Into<String>, code: &'static str) -> Error {
    Error::new(message).extend_with(|_, e| e.set("code", code))
}

// ----- scalars and enums -----

/// `DateTime`: RFC 3339 text.
#[derive(Clone, Copy)]
pub(crate) struct DateTime(SystemTime);

#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => time::parse(s)
                .map(DateTime)
                .ok_or_else(|| InputValueError::custom(format!("invalid DateTime: {s}"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(time::format(self.0))
    }
}

/// Task statuses accepted by filters (the `status` output field is open text).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
enum TaskStatus {
    InProgress,
    Complete,
    Failed,
    Cancelling,
    Canceled,
}

impl TaskStatus {
    /// Whether a task's status text is this status; `CANCELLING` also reads the seed page's
    /// one-L `CANCELING` (a seeded task may carry either).
    fn matches(self, have: &str) -> bool {
        match self {
            TaskStatus::InProgress => have == status::IN_PROGRESS,
            TaskStatus::Complete => have == status::COMPLETE,
            TaskStatus::Failed => have == status::FAILED,
            TaskStatus::Cancelling => status::is_cancelling(have),
            TaskStatus::Canceled => have == status::CANCELED,
        }
    }
}

// ----- inputs -----

#[derive(InputObject)]
struct WhereUniqueInput {
    id: ID,
}

/// `where: {id}` of the `task` root.
#[derive(InputObject)]
#[graphql(name = "WhereUniqueIdInput")]
pub(crate) struct WhereUniqueIdInput {
    pub(crate) id: ID,
}

/// Task filters: only what the official SDK is seen sending (PROTOCOL 3.3): `{id}` for a
/// lookup and `{status}` with a `TaskStatus` enum value. Any other field (`type`, `createdAt_*`,
/// `AND`...) has no evidence of working against the service, so it is refused as a validation
/// error rather than honoured.
#[derive(InputObject, Default)]
#[graphql(name = "TaskWhereInput")]
struct TaskWhere {
    id: Option<ID>,
    status: Option<TaskStatus>,
}

impl TaskWhere {
    fn matches(&self, t: &TaskRecord) -> bool {
        self.id.as_ref().is_none_or(|id| id.as_str() == t.id)
            && self.status.is_none_or(|s| s.matches(&t.status))
    }
}

/// Which exports a listing shows. `user.createdTasks` lists every export (the official SDK's
/// `test_task_filter` finds a finished one through `user.created_tasks(where: status ==
/// Complete)`). `organization.tasks` lists an export only while it runs: the same test finds
/// the running export through `organization.tasks(where: status == In_Progress)` (its fallback
/// for a missed one calls `ExportTask.refresh`, which 7.17.0 does not have, so against the
/// service it passes by finding it), and the seed page says exports are not retrieved there,
/// which the emulator keeps for finished ones, the only ones nothing shows listed.
#[derive(Clone, Copy, PartialEq)]
enum Exports {
    Listed,
    WhileRunning,
}

impl Exports {
    fn shows(self, t: &TaskRecord) -> bool {
        self == Exports::Listed
            || t.task_type != EXPORT_TASK_TYPE
            || !status::is_terminal(&t.status)
    }
}

fn list_tasks(
    ctx: &Context<'_>,
    filter: Option<TaskWhere>,
    skip: Option<i32>,
    first: Option<i32>,
    exports: Exports,
) -> async_graphql::Result<Vec<TaskObject>> {
    let filter = filter.unwrap_or_default();
    let skip = count_arg("skip", skip, 0, usize::MAX)?;
    let first = count_arg("first", first, MAX_TASK_PAGE, MAX_TASK_PAGE)?;
    Ok(store(ctx)
        .list_tasks(|t| exports.shows(t) && filter.matches(t), skip, first)
        .into_iter()
        .map(TaskObject)
        .collect())
}

#[derive(InputObject)]
struct UpsertDataRowsInput {
    manifest_uri: String,
}

#[derive(InputObject)]
struct ImportResultsInput {
    task_id: ID,
    first: Option<i32>,
    #[graphql(name = "from")]
    from_cursor: Option<String>,
}

impl ImportResultsInput {
    /// The requested page of one of the task's result lists, as GraphQL nodes, with the next
    /// cursor and the full count.
    fn page<R, N: From<R>>(
        &self,
        ctx: &Context<'_>,
        list: fn(&ImportJob, Option<&str>, usize) -> PageResult<R>,
    ) -> async_graphql::Result<(Vec<N>, Option<String>, i64)> {
        let job = import_job(ctx, &self.task_id);
        let first = count_arg("first", self.first, MAX_IMPORT_PAGE, MAX_IMPORT_PAGE)?;
        let page = list(&job, self.from_cursor.as_deref(), first)
            .map_err(|bad| coded(format!("Invalid cursor: {bad:?}"), "MALFORMED_REQUEST"))?;
        let nodes = page.items.into_iter().map(N::from).collect();
        Ok((nodes, page.after, count(page.total)))
    }
}

/// A `skip`/`first`-style argument: `default` when absent, capped at `max`. A negative count
/// does not fit the query, so it is refused like a badly typed argument (HTTP 400).
fn count_arg(
    name: &str,
    value: Option<i32>,
    default: usize,
    max: usize,
) -> async_graphql::Result<usize> {
    match value.map(usize::try_from) {
        None => Ok(default.min(max)),
        Some(Ok(n)) => Ok(n.min(max)),
        Some(Err(_)) => Err(coded(
            format!("Argument \"{name}\" must not be negative"),
            VALIDATION_FAILED,
        )),
    }
}

// ----- objects -----

struct TaskObject(TaskRecord);

#[Object(name = "Task")]
impl TaskObject {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    #[graphql(name = "type")]
    async fn task_type(&self) -> &str {
        &self.0.task_type
    }
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn completion_percentage(&self) -> Option<f64> {
        self.0.completion_percentage
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    /// A finished import's is its result file's URL (see [`ImportJob::result_url`]).
    async fn result(&self, ctx: &Context<'_>) -> Option<String> {
        let import = self.0.import.as_ref();
        self.0
            .result
            .clone()
            .or_else(|| import.and_then(|job| job.result_url(store(ctx), &self.0.status)))
    }
    async fn errors(&self) -> Option<&str> {
        self.0.errors.as_deref()
    }
    async fn metadata(&self) -> Option<Json<serde_json::Value>> {
        self.0.metadata.clone().map(Json)
    }
    /// Size of an export's stream; null when it has none (see `export`).
    async fn export_metadata_header(
        &self,
        stream_type: export::TaskStreamType,
    ) -> Option<export::MetadataHeader> {
        export::metadata_header(&self.0, stream_type)
    }
    /// The file of an export's stream that holds byte `offset` (see `export`).
    async fn export_file_from_offset(
        &self,
        stream_type: export::TaskStreamType,
        offset: export::UInt64,
    ) -> async_graphql::Result<Option<export::FileInfo>> {
        export::file_from_offset(&self.0, stream_type, offset)
    }
}

/// The key's user: every field comes from the store's identity, built once per request.
#[derive(SimpleObject)]
#[graphql(complex)]
struct User {
    id: ID,
    email: String,
    name: String,
    nickname: Option<String>,
    created_at: DateTime,
    updated_at: DateTime,
    is_external_user: bool,
    is_viewer: bool,
    last_login_at: Option<DateTime>,
    picture: Option<String>,
    /// Never set: export date filters are then read as UTC (the official SDK's default).
    timezone: Option<String>,
    organization: Organization,
}

impl User {
    fn of(identity: &Identity) -> Self {
        let since = DateTime(identity.created_at);
        User {
            id: ID(identity.user_id.clone()),
            email: identity.email.clone(),
            name: identity.user_name.clone(),
            nickname: Some("emulator".into()),
            created_at: since,
            updated_at: since,
            is_external_user: false,
            is_viewer: false,
            last_login_at: Some(since),
            picture: None,
            timezone: None,
            organization: Organization::of(identity),
        }
    }
}

#[ComplexObject]
impl User {
    /// Tasks created by this user: in the emulator, every task of the organization, exports
    /// included, filtered as `Organization::tasks`.
    async fn created_tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<TaskWhere>,
        skip: Option<i32>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<TaskObject>> {
        list_tasks(ctx, filter, skip, first, Exports::Listed)
    }
}

/// The key's organization, from the store's identity.
#[derive(SimpleObject)]
#[graphql(complex)]
struct Organization {
    id: ID,
    name: String,
    created_at: DateTime,
    updated_at: DateTime,
}

impl Organization {
    fn of(identity: &Identity) -> Self {
        Organization {
            id: ID(identity.org_id.clone()),
            name: identity.org_name.clone(),
            created_at: DateTime(identity.created_at),
            updated_at: DateTime(identity.created_at),
        }
    }
}

#[ComplexObject]
impl Organization {
    /// The organization's tasks, exports only while they run (see [`Exports`]).
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<TaskWhere>,
        skip: Option<i32>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<TaskObject>> {
        list_tasks(ctx, filter, skip, first, Exports::WhileRunning)
    }

    /// The organization's resource tags (see `resource_tags`).
    async fn resource_tag(&self, ctx: &Context<'_>) -> Vec<resource_tags::ResourceTag> {
        resource_tags::all(ctx)
    }
}

#[derive(SimpleObject)]
struct UploadedFile {
    url: String,
    filename: String,
}

#[derive(SimpleObject)]
struct CancelResult {
    success: bool,
}

#[derive(SimpleObject)]
struct AwsIamIntegrationSettings {
    role_arn: Option<String>,
}

#[derive(SimpleObject)]
struct GcpIamIntegrationSettings {
    service_account_email_id: Option<String>,
    read_bucket: Option<String>,
}

#[derive(Union)]
#[allow(dead_code)] // no integration exists in the emulator; the type is for documents to validate
enum IamIntegrationSettings {
    Aws(AwsIamIntegrationSettings),
    Gcp(GcpIamIntegrationSettings),
}

#[derive(SimpleObject)]
struct IamIntegration {
    id: ID,
    name: String,
    provider: String,
    is_org_default: bool,
    valid: bool,
    created_at: DateTime,
    updated_at: DateTime,
    last_valid_at: Option<DateTime>,
    settings: Option<IamIntegrationSettings>,
}

/// One row of a result page as GraphQL sees it (the generic path; see [`crate::nodes`]).
#[derive(SimpleObject)]
#[graphql(name = "SuccessfulDataRowImport")]
pub(crate) struct SuccessNode {
    id: ID,
    external_id: Option<String>,
    global_key: Option<String>,
    row_data: Option<String>,
}

impl From<SuccessRow> for SuccessNode {
    fn from(r: SuccessRow) -> Self {
        SuccessNode {
            id: ID(r.id),
            external_id: r.external_id,
            global_key: r.global_key,
            row_data: r.row_data,
        }
    }
}

#[derive(SimpleObject)]
struct SuccessfulDataRowImports {
    nodes: SuccessNodes,
    after: Option<String>,
    total: i64,
}

#[derive(SimpleObject)]
#[graphql(name = "DataRowMetadataField")]
struct MetadataOut {
    schema_id: Option<String>,
    value: Option<String>,
    name: Option<String>,
}

#[derive(SimpleObject)]
#[graphql(name = "AttachmentSpec")]
struct AttachmentOut {
    #[graphql(name = "type")]
    kind: String,
    value: String,
    name: Option<String>,
}

#[derive(SimpleObject)]
#[graphql(name = "DataRowImportSpec")]
struct FailedSpec {
    external_id: Option<String>,
    global_key: Option<String>,
    row_data: Option<String>,
    metadata: Vec<MetadataOut>,
    attachments: Vec<AttachmentOut>,
}

#[derive(SimpleObject)]
#[graphql(name = "FailedDataRowImport")]
struct FailedNode {
    message: String,
    spec: FailedSpec,
}

fn metadata_out(m: MetadataField) -> MetadataOut {
    MetadataOut {
        schema_id: m.schema_id,
        value: m.value.map(|v| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        }),
        name: m.name,
    }
}

fn attachment_out(a: Attachment) -> AttachmentOut {
    AttachmentOut {
        kind: a.kind,
        value: a.value,
        name: a.name,
    }
}

impl From<FailedRow> for FailedNode {
    fn from(r: FailedRow) -> Self {
        FailedNode {
            message: r.message,
            spec: FailedSpec {
                external_id: r.external_id,
                global_key: r.global_key,
                row_data: r.row_data,
                metadata: r.metadata.into_iter().map(metadata_out).collect(),
                attachments: r.attachments.into_iter().map(attachment_out).collect(),
            },
        }
    }
}

#[derive(SimpleObject)]
struct FailedDataRowImports {
    results: Vec<FailedNode>,
    after: Option<String>,
    total: i64,
}

/// The import behind `task_id`. An unknown id, or a task that is not an import, has no rows:
/// an empty, complete page, as the official SDK expects (it reads the page without checking
/// for `null` or an error, so a `RESOURCE_NOT_FOUND` crashes it).
fn import_job(ctx: &Context<'_>, task_id: &ID) -> Arc<ImportJob> {
    store(ctx)
        .task(task_id.as_str())
        .and_then(|task| task.import)
        .unwrap_or_default()
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

// ----- roots -----

/// Query root: one part per capability, merged (add a capability's part to the tuple).
#[derive(MergedObject, Default)]
pub(crate) struct Query(
    TaskQuery,
    datasets::DatasetQuery,
    data_rows::DataRowQuery,
    metadata::MetadataQuery,
    export::ExportQuery,
    global_keys::GlobalKeyQuery,
    projects::ProjectQuery,
    labels::LabelQuery,
    annotation_imports::AnnotationImportQuery,
    models::ModelQuery,
);

/// Mutation root, merged the same way.
#[derive(MergedObject, Default)]
pub(crate) struct Mutation(
    TaskMutation,
    datasets::DatasetMutation,
    data_rows::DataRowMutation,
    metadata::MetadataMutation,
    export::ExportMutation,
    global_keys::GlobalKeyMutation,
    projects::ProjectMutation,
    labels::LabelMutation,
    annotation_imports::AnnotationImportMutation,
    annotate::AnnotateMutation,
    resource_tags::ResourceTagMutation,
    models::ModelMutation,
    ProjectRootMutation,
);

/// The task, user and import fields of the query root.
#[derive(Default)]
pub(crate) struct TaskQuery;

#[Object]
impl TaskQuery {
    /// The key's user; `where: {id}` must name that user, else `null`.
    async fn user(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<WhereUniqueInput>,
    ) -> Option<User> {
        let identity = &store(ctx).identity;
        match filter {
            Some(w) if w.id.as_str() != identity.user_id => None,
            _ => Some(User::of(identity)),
        }
    }

    /// The key's organization.
    async fn organization(&self, ctx: &Context<'_>) -> Organization {
        Organization::of(&store(ctx).identity)
    }

    /// Task types that `cancelBulkOperationJob` accepts, PascalCase.
    async fn cancelable_task_types(&self, ctx: &Context<'_>) -> Vec<String> {
        store(ctx).cancelable_types.clone()
    }

    /// The organization's IAM integrations (none in the emulator).
    async fn iam_integrations(&self) -> Vec<IamIntegration> {
        Vec::new()
    }

    /// Rows created or updated by an import, cursor-paginated.
    async fn successesful_data_row_imports(
        &self,
        ctx: &Context<'_>,
        data: ImportResultsInput,
    ) -> async_graphql::Result<SuccessfulDataRowImports> {
        let (rows, after, total) = data.page(ctx, ImportJob::successes)?;
        Ok(SuccessfulDataRowImports {
            nodes: SuccessNodes(rows),
            after,
            total,
        })
    }

    /// Rows an import could not apply, with their messages, cursor-paginated.
    async fn failed_data_row_imports(
        &self,
        ctx: &Context<'_>,
        data: ImportResultsInput,
    ) -> async_graphql::Result<FailedDataRowImports> {
        let (results, after, total) = data.page(ctx, ImportJob::failures)?;
        Ok(FailedDataRowImports {
            results,
            after,
            total,
        })
    }
}

/// The upload, import and cancel fields of the mutation root.
#[derive(Default)]
pub(crate) struct TaskMutation;

#[Object]
impl TaskMutation {
    /// Stores a file (GraphQL multipart request) and answers its unauthenticated URL.
    async fn upload_file(
        &self,
        ctx: &Context<'_>,
        file: Upload,
        content_length: Option<i64>,
        sign: Option<bool>,
    ) -> async_graphql::Result<UploadedFile> {
        let _ = (content_length, sign);
        let upload = file
            .value(ctx)
            .map_err(|e| coded(format!("Unreadable upload: {e}"), "MALFORMED_REQUEST"))?;
        let content_type = upload
            .content_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into());
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut upload.into_read(), &mut bytes)
            .map_err(|e| coded(format!("Unreadable upload: {e}"), "MALFORMED_REQUEST"))?;
        let url = store(ctx).put_file(bytes, &content_type);
        let filename = url.rsplit('/').next().unwrap_or_default().to_string();
        Ok(UploadedFile { url, filename })
    }

    /// Starts an import from a manifest of uploaded chunks; the task runs in the background.
    async fn upsert_data_rows(
        &self,
        ctx: &Context<'_>,
        data: UpsertDataRowsInput,
    ) -> async_graphql::Result<TaskObject> {
        let store = store(ctx);
        let job = Arc::new(ImportJob::default());
        let seed = TaskSeed {
            name: "Upsert Data Rows".into(),
            task_type: UPSERT_TASK_TYPE.into(),
            status: status::IN_PROGRESS.into(),
            completion_percentage: Some(0.0),
            ..TaskSeed::default()
        };
        let id = store.insert_task(seed, Some(Arc::clone(&job)));
        let task = store.task(&id);
        import::spawn(store, id.clone(), data.manifest_uri, job);
        task.map(TaskObject)
            .ok_or_else(|| coded("Task vanished", "INTERNAL_SERVER_ERROR"))
    }

    /// Cancels an in-progress task of a cancelable type: `CANCELLING`, then `CANCELED`. A task
    /// of another type is left alone and answers `success: false` (the official SDK never asks).
    async fn cancel_bulk_operation_job(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<CancelResult> {
        let store = store(ctx);
        let task = store.task(id.as_str()).ok_or_else(|| {
            coded(
                format!("Task {} not found", id.as_str()),
                "RESOURCE_NOT_FOUND",
            )
        })?;
        Ok(CancelResult {
            success: store.is_cancelable(&task.task_type) && cancel::request(store, &task.id),
        })
    }
}

/// `project(where: {id})` of the mutation root: the project's own mutations, one part per
/// capability.
#[derive(Default)]
pub(crate) struct ProjectRootMutation;

#[Object]
impl ProjectRootMutation {
    async fn project(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
    ) -> async_graphql::Result<ProjectMutations> {
        let id = filter.id.to_string();
        projects::with_project(store(ctx), &id, |_, _| ())?;
        Ok(ProjectMutations(
            batches::BatchMutations(id.clone()),
            projects::OntologyMutations(id.clone()),
            annotate::PriorityMutations(id.clone()),
            models::PredictionMutations(id.clone()),
            resource_tags::ProjectTagMutations(id),
        ))
    }
}

/// The mutations under `project(where:)`.
#[derive(MergedObject)]
pub(crate) struct ProjectMutations(
    batches::BatchMutations,
    projects::OntologyMutations,
    annotate::PriorityMutations,
    models::PredictionMutations,
    resource_tags::ProjectTagMutations,
);
