//! The project part of the schema: projects (`createProject`, `project`, `projects`,
//! `updateProject`, `cloneProject`), ontologies (`upsertOntology`, `connectOntology`), the
//! labeling frontend the official SDK connects, the default workflow's task queues and the
//! project overview. Batches are in `batches.rs`, labels and label imports in `labels.rs`.

use std::collections::HashSet;

use async_graphql::{Context, Enum, InputObject, Json, Object, Result, SimpleObject, ID};
use serde_json::Value;

use super::{coded, count_arg, store, DateTime, User, WhereUniqueInput};
use crate::projects::{
    with_schema_ids, OntologyRecord, ProjectRecord, ProjectState, QueueRecord, DEFAULT_QUEUES,
};
use crate::store::Store;
use crate::time;

/// Largest page of a project listing.
const MAX_PROJECT_PAGE: usize = 100;
/// The one labeling frontend the emulator knows (the official SDK connects the one named
/// `Editor`).
pub(super) const EDITOR_ID: &str = "cl0editor0000000000000000";

/// `MediaType`: the official SDK's values.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "MediaType")]
pub(crate) enum MediaType {
    #[graphql(name = "AUDIO")]
    Audio,
    #[graphql(name = "CONVERSATIONAL")]
    Conversational,
    #[graphql(name = "PDF")]
    Pdf,
    #[graphql(name = "TMS_GEO")]
    TmsGeo,
    #[graphql(name = "HTML")]
    Html,
    #[graphql(name = "IMAGE")]
    Image,
    #[graphql(name = "TMS_SIMPLE")]
    TmsSimple,
    #[graphql(name = "TEXT")]
    Text,
    #[graphql(name = "UNKNOWN")]
    Unknown,
    #[graphql(name = "UNSUPPORTED")]
    Unsupported,
    #[graphql(name = "VIDEO")]
    Video,
    #[graphql(name = "POINT_CLOUD")]
    PointCloud,
    #[graphql(name = "LLM")]
    Llm,
}

impl MediaType {
    pub(crate) fn name(self) -> &'static str {
        match self {
            MediaType::Audio => "AUDIO",
            MediaType::Conversational => "CONVERSATIONAL",
            MediaType::Pdf => "PDF",
            MediaType::TmsGeo => "TMS_GEO",
            MediaType::Html => "HTML",
            MediaType::Image => "IMAGE",
            MediaType::TmsSimple => "TMS_SIMPLE",
            MediaType::Text => "TEXT",
            MediaType::Unknown => "UNKNOWN",
            MediaType::Unsupported => "UNSUPPORTED",
            MediaType::Video => "VIDEO",
            MediaType::PointCloud => "POINT_CLOUD",
            MediaType::Llm => "LLM",
        }
    }
}

/// A project that does not exist (or was deleted).
pub(super) fn project_not_found(id: &str) -> async_graphql::Error {
    coded(
        format!("Resource not found: no Project with id {id}"),
        "RESOURCE_NOT_FOUND",
    )
}

/// An ontology that does not exist.
pub(super) fn ontology_not_found(id: &str) -> async_graphql::Error {
    coded(
        format!("Resource not found: no Ontology with id {id}"),
        "RESOURCE_NOT_FOUND",
    )
}

/// Reads project `id` (not deleted) with `read`.
pub(super) fn with_project<T>(
    store: &Store,
    id: &str,
    read: impl FnOnce(&ProjectRecord, &ProjectState) -> T,
) -> Result<T> {
    let state = store.projects.lock();
    let project = state
        .projects
        .get(id)
        .ok_or_else(|| project_not_found(id))?;
    Ok(read(project, &state))
}

/// Changes project `id` with `change` (which may refuse), stamping `updatedAt`.
pub(super) fn change_project<T>(
    store: &Store,
    id: &str,
    change: impl FnOnce(&mut ProjectRecord) -> Result<T>,
) -> Result<T> {
    let mut state = store.projects.lock();
    let project = state
        .projects
        .get_mut(id)
        .ok_or_else(|| project_not_found(id))?;
    let out = change(project)?;
    project.updated_at = time::now().max(project.created_at);
    Ok(out)
}

// ----- objects -----

/// A project as GraphQL sees it (a snapshot).
pub(crate) struct ProjectObject(pub(crate) ProjectRecord);

#[Object(name = "Project")]
impl ProjectObject {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    /// Set once an ontology is connected.
    async fn setup_complete(&self) -> Option<DateTime> {
        self.0
            .ontology_id
            .as_ref()
            .map(|_| DateTime(self.0.updated_at))
    }
    async fn last_activity_time(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    async fn auto_audit_number_of_labels(&self) -> i32 {
        self.0.auto_audit_number_of_labels
    }
    async fn auto_audit_percentage(&self) -> f64 {
        self.0.auto_audit_percentage
    }
    async fn allowed_media_type(&self) -> &str {
        &self.0.media_type
    }
    async fn media_type(&self) -> &str {
        &self.0.media_type
    }
    async fn editor_task_type(&self) -> Option<&str> {
        self.0.editor_task_type.as_deref()
    }
    async fn data_row_count(&self) -> i32 {
        i32::try_from(self.0.rows.len()).unwrap_or(i32::MAX)
    }
    async fn model_setup_complete(&self) -> bool {
        false
    }
    async fn upload_type(&self) -> Option<&str> {
        None
    }
    async fn is_benchmark_enabled(&self) -> bool {
        self.0.is_benchmark_enabled
    }
    async fn is_consensus_enabled(&self) -> bool {
        self.0.is_consensus_enabled
    }
    async fn created_by(&self, ctx: &Context<'_>) -> User {
        User::of(&store(ctx).identity)
    }
    async fn organization(&self, ctx: &Context<'_>) -> super::Organization {
        super::Organization::of(&store(ctx).identity)
    }
    /// The connected ontology; null before `connectOntology`.
    async fn ontology(&self, ctx: &Context<'_>) -> Option<OntologyObject> {
        let id = self.0.ontology_id.as_ref()?;
        let state = store(ctx).projects.lock();
        state.ontologies.get(id).cloned().map(OntologyObject)
    }
    /// Whether model-assisted labeling shows predictions (`showPredictionsToLabelers`).
    async fn showing_predictions_to_labelers(&self) -> bool {
        self.0.showing_predictions_to_labelers
    }
    /// The labeling frontend connected by `updateProject`, if any.
    async fn labeling_frontend(&self) -> Option<LabelingFrontend> {
        self.0
            .labeling_frontend
            .as_ref()
            .map(|_| LabelingFrontend::editor())
    }
    /// The project's labels (those whose import has finished), oldest first.
    async fn labels(
        &self,
        skip: Option<i32>,
        first: Option<i32>,
    ) -> Result<Vec<super::labels::LabelObject>> {
        let skip = count_arg("skip", skip, 0, usize::MAX)?;
        let first = count_arg("first", first, 100, 100)?;
        Ok(self
            .0
            .labels
            .iter()
            .filter(|l| l.visible())
            .skip(skip)
            .take(first)
            .map(|l| super::labels::LabelObject::new(&self.0.id, l))
            .collect())
    }
    /// How many labels the project has.
    async fn label_count(&self) -> i32 {
        let n = self.0.labels.iter().filter(|l| l.visible()).count();
        i32::try_from(n).unwrap_or(i32::MAX)
    }
    /// The project's batches, cursor-paginated; `where: {id}` picks one.
    async fn batches(
        &self,
        after: Option<String>,
        first: Option<super::batches::PageSize>,
        #[graphql(name = "where")] filter: Option<WhereUniqueInput>,
    ) -> Result<super::batches::BatchConnection> {
        super::batches::page(&self.0, after, first, filter)
    }
    /// Each row's labeling priority (labeling parameter overrides), in the order rows joined.
    async fn labeling_parameter_overrides(
        &self,
        skip: Option<i32>,
        first: Option<i32>,
    ) -> Result<Vec<super::annotate::OverrideObject>> {
        let skip = count_arg("skip", skip, 0, usize::MAX)?;
        let first = count_arg("first", first, 100, 100)?;
        Ok(self
            .0
            .rows
            .iter()
            .skip(skip)
            .take(first)
            .map(super::annotate::OverrideObject::of)
            .collect())
    }
    /// The resource tags set on the project.
    async fn resource_tags(&self, ctx: &Context<'_>) -> Vec<super::resource_tags::ResourceTag> {
        super::resource_tags::all(ctx)
            .into_iter()
            .filter(|t| self.0.resource_tags.contains(&t.id_text()))
            .collect()
    }
    /// The default workflow's queues.
    async fn task_queues(&self) -> Vec<TaskQueueObject> {
        self.0
            .queues
            .iter()
            .map(|q| TaskQueueObject::of(&self.0, q))
            .collect()
    }
    /// How many of the project's rows are in each workflow state, optionally only in
    /// `batchIds`.
    async fn workstream_state_counts(
        &self,
        batch_ids: Option<Vec<String>>,
    ) -> Vec<WorkstreamStateCount> {
        state_counts(&self.0, batch_ids.as_deref())
    }
    /// Issues are not modelled: always none.
    async fn issues(&self) -> IssueCount {
        IssueCount { total_count: 0 }
    }
    async fn completed_data_row_count(&self) -> i32 {
        let n = self.0.rows.iter().filter(|r| r.queue_id.is_none()).count();
        i32::try_from(n).unwrap_or(i32::MAX)
    }
}

#[derive(SimpleObject)]
struct IssueCount {
    total_count: i32,
}

#[derive(SimpleObject)]
struct WorkstreamStateCount {
    state: String,
    count: i32,
}

/// The overview's counts: per queue kind, labeled, done and all.
fn state_counts(
    project: &ProjectRecord,
    batch_ids: Option<&[String]>,
) -> Vec<WorkstreamStateCount> {
    let rows: Vec<_> = project
        .rows
        .iter()
        .filter(|r| batch_ids.is_none_or(|ids| ids.contains(&r.batch_id)))
        .collect();
    let queue_type = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| project.queues.iter().find(|q| &q.id == id))
            .map(|q| q.queue_type.as_str())
    };
    let count_in = |kind: Option<&str>| {
        rows.iter()
            .filter(|r| queue_type(&r.queue_id) == kind)
            .count()
    };
    let labeled: HashSet<&str> = project
        .labels
        .iter()
        .filter(|l| l.visible())
        .map(|l| l.data_row_id.as_str())
        .collect();
    let counts = [
        ("Unlabeled", count_in(Some("INITIAL_LABELING_QUEUE"))),
        ("InReview", count_in(Some("MANUAL_REVIEW_QUEUE"))),
        ("InRework", count_in(Some("MANUAL_REWORK_QUEUE"))),
        ("Skipped", 0),
        ("Done", count_in(None)),
        (
            "Labeled",
            rows.iter()
                .filter(|r| labeled.contains(r.data_row_id.as_str()))
                .count(),
        ),
        ("All", rows.len()),
    ];
    counts
        .into_iter()
        .map(|(state, n)| WorkstreamStateCount {
            state: state.into(),
            count: i32::try_from(n).unwrap_or(i32::MAX),
        })
        .collect()
}

/// `DataRowCountQueryInput`: the overview's batch filter, passed through unread (the counts
/// come from `workstreamStateCounts`).
#[derive(InputObject)]
#[graphql(name = "DataRowCountQueryInput")]
struct DataRowCountQueryInput {
    search_query: Option<Json<Value>>,
}

/// A task queue of the default workflow.
pub(crate) struct TaskQueueObject {
    queue: QueueRecord,
    rows: usize,
}

impl TaskQueueObject {
    fn of(project: &ProjectRecord, queue: &QueueRecord) -> Self {
        let rows = project
            .rows
            .iter()
            .filter(|r| r.queue_id.as_deref() == Some(queue.id.as_str()))
            .count();
        TaskQueueObject {
            queue: queue.clone(),
            rows,
        }
    }
}

#[Object(name = "TaskQueue")]
impl TaskQueueObject {
    async fn id(&self) -> ID {
        ID(self.queue.id.clone())
    }
    async fn name(&self) -> &str {
        &self.queue.name
    }
    async fn description(&self) -> &str {
        ""
    }
    async fn queue_type(&self) -> &str {
        &self.queue.queue_type
    }
    async fn data_row_count(&self, input: Option<DataRowCountQueryInput>) -> i32 {
        let _ = input;
        i32::try_from(self.rows).unwrap_or(i32::MAX)
    }
}

/// An ontology.
pub(crate) struct OntologyObject(pub(crate) OntologyRecord);

#[Object(name = "Ontology")]
impl OntologyObject {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        None
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn normalized(&self) -> Json<Value> {
        Json(self.0.normalized.clone())
    }
    async fn object_schema_count(&self) -> i32 {
        i32::try_from(self.0.count("tools")).unwrap_or(i32::MAX)
    }
    async fn classification_schema_count(&self) -> i32 {
        i32::try_from(self.0.count("classifications")).unwrap_or(i32::MAX)
    }
    async fn media_type(&self) -> Option<&str> {
        self.0.media_type.as_deref()
    }
    async fn created_by(&self, ctx: &Context<'_>) -> User {
        User::of(&store(ctx).identity)
    }
    /// The editor's options: the normalized form.
    async fn options(&self) -> Json<Value> {
        Json(self.0.normalized.clone())
    }
}

/// The labeling frontend (the editor).
#[derive(SimpleObject)]
pub(crate) struct LabelingFrontend {
    id: ID,
    name: String,
    description: String,
    iframe_url_path: String,
}

impl LabelingFrontend {
    fn editor() -> Self {
        LabelingFrontend {
            id: ID(EDITOR_ID.into()),
            name: "Editor".into(),
            description: "Labelbox's editor".into(),
            iframe_url_path: "https://editor.labelbox.com".into(),
        }
    }
}

#[derive(SimpleObject)]
struct LabelingFrontendOptions {
    id: ID,
    customization_options: String,
}

// ----- inputs -----

#[derive(InputObject)]
#[graphql(name = "ProjectCreateInput")]
struct ProjectCreateInput {
    name: String,
    description: Option<String>,
    allowed_media_type: Option<MediaType>,
    auto_audit_percentage: Option<f64>,
    auto_audit_number_of_labels: Option<i32>,
    is_benchmark_enabled: Option<bool>,
    is_consensus_enabled: Option<bool>,
    editor_task_type: Option<String>,
}

/// The queues whose reservations `extendReservations` extends.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "QueueType")]
enum QueueType {
    #[graphql(name = "LabelingQueue")]
    LabelingQueue,
    #[graphql(name = "ReviewQueue")]
    ReviewQueue,
}

#[derive(InputObject)]
#[graphql(name = "ProjectInstructionsInput")]
struct InstructionsInput {
    instructions_url: String,
}

#[derive(InputObject)]
struct ConnectId {
    id: ID,
}

#[derive(InputObject)]
struct ConnectInput {
    connect: ConnectId,
}

#[derive(InputObject)]
#[graphql(name = "ProjectUpdateInput")]
struct ProjectUpdateInput {
    name: Option<String>,
    description: Option<String>,
    allowed_media_type: Option<MediaType>,
    deleted: Option<bool>,
    labeling_frontend: Option<ConnectInput>,
}

/// `projects(where:)`: what the official SDK builds from `Project.uid`, `Project.name` and
/// its own `deleted == false`.
#[derive(InputObject, Default)]
#[graphql(name = "ProjectWhereInput")]
struct ProjectWhere {
    id: Option<ID>,
    name: Option<String>,
    deleted: Option<bool>,
    #[graphql(name = "AND")]
    and: Option<Vec<ProjectWhere>>,
}

impl ProjectWhere {
    fn matches(&self, p: &ProjectRecord) -> bool {
        self.id.as_ref().is_none_or(|id| id.as_str() == p.id)
            && self.name.as_ref().is_none_or(|n| *n == p.name)
            // Deleted projects are gone from the store: only `deleted: false` matches them.
            && self.deleted != Some(true)
            && self.and.iter().flatten().all(|w| w.matches(p))
    }
}

#[derive(InputObject, Default)]
#[graphql(name = "LabelingFrontendWhereInput")]
struct LabelingFrontendWhere {
    name: Option<String>,
    deleted: Option<bool>,
    #[graphql(name = "AND")]
    and: Option<Vec<LabelingFrontendWhere>>,
}

impl LabelingFrontendWhere {
    fn matches(&self, name: &str) -> bool {
        self.name.as_ref().is_none_or(|n| n == name)
            && self.deleted != Some(true)
            && self.and.iter().flatten().all(|w| w.matches(name))
    }
}

#[derive(InputObject)]
#[graphql(name = "UpsertOntologyInput")]
struct UpsertOntologyInput {
    name: String,
    /// The normalized ontology as JSON text.
    normalized: String,
    media_type: Option<MediaType>,
    editor_task_type: Option<String>,
}

#[derive(InputObject)]
#[graphql(name = "LabelingFrontendOptionsCreateInput")]
struct LabelingFrontendOptionsInput {
    project: ConnectInput,
    labeling_frontend: ConnectInput,
    customization_options: String,
}

#[derive(InputObject)]
#[graphql(name = "CloneProjectInput")]
struct CloneProjectInput {
    project_id: ID,
}

#[derive(SimpleObject)]
struct AllDataRowsProcessed {
    all_data_rows_have_been_processed: bool,
}

// ----- roots -----

#[derive(Default)]
pub(crate) struct ProjectQuery;

#[Object]
impl ProjectQuery {
    /// A project by id; an unknown or deleted one is null with `RESOURCE_NOT_FOUND`.
    async fn project(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
    ) -> Result<Option<ProjectObject>> {
        with_project(store(ctx), filter.id.as_str(), |p, _| {
            ProjectObject(p.clone())
        })
        .map(Some)
    }

    /// Projects, oldest first.
    async fn projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<ProjectWhere>,
        skip: Option<i32>,
        first: Option<i32>,
    ) -> Result<Vec<ProjectObject>> {
        let filter = filter.unwrap_or_default();
        let skip = count_arg("skip", skip, 0, usize::MAX)?;
        let first = count_arg("first", first, MAX_PROJECT_PAGE, MAX_PROJECT_PAGE)?;
        let state = store(ctx).projects.lock();
        Ok(state
            .order
            .iter()
            .filter_map(|id| state.projects.get(id))
            .filter(|p| filter.matches(p))
            .skip(skip)
            .take(first)
            .map(|p| ProjectObject(p.clone()))
            .collect())
    }

    /// The labeling frontends: the editor only.
    async fn labeling_frontends(
        &self,
        #[graphql(name = "where")] filter: Option<LabelingFrontendWhere>,
        skip: Option<i32>,
        first: Option<i32>,
    ) -> Result<Vec<LabelingFrontend>> {
        let skip = count_arg("skip", skip, 0, usize::MAX)?;
        let _ = count_arg("first", first, 100, 100)?;
        let editor = LabelingFrontend::editor();
        let keep = filter.is_none_or(|f| f.matches(&editor.name)) && skip == 0;
        Ok(if keep { vec![editor] } else { Vec::new() })
    }

    /// An ontology by id.
    async fn ontology(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
    ) -> Result<Option<OntologyObject>> {
        let state = store(ctx).projects.lock();
        let id = filter.id.as_str();
        state
            .ontologies
            .get(id)
            .cloned()
            .map(OntologyObject)
            .map(Some)
            .ok_or_else(|| ontology_not_found(id))
    }

    /// Whether rows are processed: in the emulator a row is processed once it exists, so this
    /// is always true (unknown rows are reported by the batch they are put in).
    async fn query_all_data_rows_have_been_processed(
        &self,
        data_row_ids: Option<Vec<ID>>,
        global_keys: Option<Vec<ID>>,
    ) -> AllDataRowsProcessed {
        let _ = (data_row_ids, global_keys);
        AllDataRowsProcessed {
            all_data_rows_have_been_processed: true,
        }
    }
}

#[derive(Default)]
pub(crate) struct ProjectMutation;

#[Object]
impl ProjectMutation {
    /// Creates a project with its default workflow (three queues).
    async fn create_project(
        &self,
        ctx: &Context<'_>,
        data: ProjectCreateInput,
    ) -> Result<ProjectObject> {
        let store = store(ctx);
        let Some(media_type) = data.allowed_media_type else {
            return Err(coded("A media type is required", "MALFORMED_REQUEST"));
        };
        if data.name.trim().is_empty() {
            return Err(coded(
                "A project's name must not be empty",
                "MALFORMED_REQUEST",
            ));
        }
        let now = time::now();
        let record = ProjectRecord {
            id: store.new_id(),
            name: data.name,
            description: data.description.unwrap_or_default(),
            media_type: media_type.name().into(),
            editor_task_type: data.editor_task_type,
            auto_audit_number_of_labels: data.auto_audit_number_of_labels.unwrap_or(1),
            auto_audit_percentage: data.auto_audit_percentage.unwrap_or(1.0),
            is_benchmark_enabled: data.is_benchmark_enabled.unwrap_or(false),
            is_consensus_enabled: data.is_consensus_enabled.unwrap_or(false),
            created_at: now,
            updated_at: now,
            ontology_id: None,
            labeling_frontend: None,
            showing_predictions_to_labelers: false,
            batches: Vec::new(),
            rows: Vec::new(),
            labels: Vec::new(),
            queues: default_queues(store),
            resource_tags: Vec::new(),
        };
        Ok(ProjectObject(insert_project(store, record)))
    }

    /// Renames, describes, retypes, connects the editor or deletes (`deleted: true`) a project.
    async fn update_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
        data: ProjectUpdateInput,
    ) -> Result<ProjectObject> {
        let store = store(ctx);
        let id = filter.id.as_str();
        if let Some(lf) = &data.labeling_frontend {
            if lf.connect.id.as_str() != EDITOR_ID {
                return Err(coded(
                    format!(
                        "Resource not found: no LabelingFrontend with id {}",
                        lf.connect.id.as_str()
                    ),
                    "RESOURCE_NOT_FOUND",
                ));
            }
        }
        let project = change_project(store, id, |p| {
            if let Some(name) = data.name {
                p.name = name;
            }
            if let Some(description) = data.description {
                p.description = description;
            }
            if let Some(media_type) = data.allowed_media_type {
                p.media_type = media_type.name().into();
            }
            if let Some(lf) = data.labeling_frontend {
                p.labeling_frontend = Some(lf.connect.id.to_string());
            }
            Ok(p.clone())
        })?;
        if data.deleted == Some(true) {
            let mut state = store.projects.lock();
            state.projects.remove(id);
            state.order.retain(|p| p != id);
        }
        Ok(ProjectObject(project))
    }

    /// A copy of a project's settings and ontology, without its rows or labels.
    async fn clone_project(
        &self,
        ctx: &Context<'_>,
        data: CloneProjectInput,
    ) -> Result<ProjectObject> {
        let store = store(ctx);
        let source = with_project(store, data.project_id.as_str(), |p, _| p.clone())?;
        let now = time::now();
        let record = ProjectRecord {
            id: store.new_id(),
            name: format!("{} (copy)", source.name),
            created_at: now,
            updated_at: now,
            batches: Vec::new(),
            rows: Vec::new(),
            labels: Vec::new(),
            queues: default_queues(store),
            ..source
        };
        Ok(ProjectObject(insert_project(store, record)))
    }

    /// Creates an ontology from its normalized form; every feature gets a schema id.
    async fn upsert_ontology(
        &self,
        ctx: &Context<'_>,
        data: UpsertOntologyInput,
    ) -> Result<OntologyObject> {
        let store = store(ctx);
        let _ = data.editor_task_type;
        let normalized: Value = serde_json::from_str(&data.normalized).map_err(|e| {
            coded(
                format!("Invalid normalized ontology: {e}"),
                "MALFORMED_REQUEST",
            )
        })?;
        if !normalized.is_object() {
            return Err(coded(
                "Invalid normalized ontology: not an object",
                "MALFORMED_REQUEST",
            ));
        }
        let mut new_id = || store.new_id();
        let record = OntologyRecord {
            id: store.new_id(),
            name: data.name,
            normalized: with_schema_ids(normalized, &mut new_id),
            media_type: data.media_type.map(|m| m.name().to_string()),
            created_at: time::now(),
        };
        store
            .projects
            .lock()
            .ontologies
            .insert(record.id.clone(), record.clone());
        Ok(OntologyObject(record))
    }

    /// Stores the options the official SDK sends with the editor (read by nothing else).
    async fn create_labeling_frontend_options(
        &self,
        ctx: &Context<'_>,
        data: LabelingFrontendOptionsInput,
    ) -> Result<LabelingFrontendOptions> {
        let store = store(ctx);
        with_project(store, data.project.connect.id.as_str(), |_, _| ())?;
        let _ = data.labeling_frontend;
        let id = store.new_id();
        store
            .projects
            .lock()
            .frontend_options
            .insert(id.clone(), data.customization_options.clone());
        Ok(LabelingFrontendOptions {
            id: ID(id),
            customization_options: data.customization_options,
        })
    }

    /// Extends the key's reservations in a queue: the emulator has none, so 0; a queue type
    /// other than `LabelingQueue` or `ReviewQueue` is refused.
    async fn extend_reservations(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        queue_type: QueueType,
    ) -> Result<i32> {
        let _ = queue_type;
        with_project(store(ctx), project_id.as_str(), |_, _| ())?;
        Ok(0)
    }

    /// Sets the project's instructions: the URL is kept in its ontology's normalized form as
    /// `projectInstructions`, where the official SDK reads it.
    async fn set_project_instructions(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
        data: InstructionsInput,
    ) -> Result<ProjectObject> {
        let store = store(ctx);
        let mut state = store.projects.lock();
        let id = filter.id.as_str();
        let project = state
            .projects
            .get(id)
            .cloned()
            .ok_or_else(|| project_not_found(id))?;
        let ontology_id = project.ontology_id.clone().ok_or_else(|| {
            coded(
                "The project has no ontology to attach instructions to",
                "MALFORMED_REQUEST",
            )
        })?;
        if let Some(ontology) = state.ontologies.get_mut(&ontology_id) {
            ontology.normalized["projectInstructions"] = Value::String(data.instructions_url);
        }
        Ok(ProjectObject(project))
    }
}

fn default_queues(store: &Store) -> Vec<QueueRecord> {
    DEFAULT_QUEUES
        .iter()
        .map(|(name, queue_type)| QueueRecord {
            id: store.new_id(),
            name: (*name).into(),
            queue_type: (*queue_type).into(),
        })
        .collect()
}

fn insert_project(store: &Store, record: ProjectRecord) -> ProjectRecord {
    let mut state = store.projects.lock();
    state.order.push(record.id.clone());
    state.projects.insert(record.id.clone(), record.clone());
    record
}

/// `connectOntology` (the other project mutations are in `batches.rs` and `labels.rs`).
pub(super) fn connect_ontology(
    store: &Store,
    project_id: &str,
    ontology_id: &str,
) -> Result<ProjectObject> {
    let mut state = store.projects.lock();
    let ontology = state.ontologies.get(ontology_id).cloned().ok_or_else(|| {
        coded(
            format!("Resource not found: no Ontology with id {ontology_id}"),
            "RESOURCE_NOT_FOUND",
        )
    })?;
    let project = state
        .projects
        .get_mut(project_id)
        .ok_or_else(|| project_not_found(project_id))?;
    if let Some(media) = &ontology.media_type {
        if media != &project.media_type && media != "UNKNOWN" {
            return Err(coded(
                format!(
                    "Ontology media type {media} does not match the project's {}",
                    project.media_type
                ),
                "MALFORMED_REQUEST",
            ));
        }
    }
    project.ontology_id = Some(ontology.id);
    project.updated_at = time::now().max(project.created_at);
    Ok(ProjectObject(project.clone()))
}

/// `connectOntology`, under `project(where: {id})` of the mutation root.
pub(crate) struct OntologyMutations(pub(crate) String);

#[Object]
impl OntologyMutations {
    /// Connects an ontology whose media type is the project's (or unset).
    async fn connect_ontology(&self, ctx: &Context<'_>, ontology_id: ID) -> Result<ProjectObject> {
        connect_ontology(store(ctx), &self.0, ontology_id.as_str())
    }
}
