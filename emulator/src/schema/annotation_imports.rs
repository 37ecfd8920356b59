//! Annotation imports into a project: labels (`createLabelImport`, `labelImport`) and MAL
//! predictions (`createModelAssistedLabelingPredictionImport`,
//! `modelAssistedLabelingPredictionImport(s)`, `deleteModelAssistedLabelingPredictionImport`).
//! Both kinds are checked the same way (`crate::labels`) and read the same; only a label
//! import's annotations become labels.

use std::borrow::Cow;
use std::marker::PhantomData;
use std::time::Instant;

use async_graphql::{Context, InputObject, Object, Result, SimpleObject, TypeName, Upload, ID};

use super::projects::{project_not_found, ProjectObject};
use super::{coded, store, User, WhereUniqueInput};
use crate::labels::{self, ImportOutcome};
use crate::projects::{AnnotationImportKind, LabelImportRecord};
use crate::store::Store;

/// The kind of import a GraphQL type stands for.
pub(crate) trait ImportKind: Send + Sync + 'static {
    const KIND: AnnotationImportKind;
    /// The GraphQL type name (the official SDK's class name).
    const TYPE_NAME: &'static str;
}

/// `LabelImport`.
pub(crate) struct Labels;

impl ImportKind for Labels {
    const KIND: AnnotationImportKind = AnnotationImportKind::Labels;
    const TYPE_NAME: &'static str = "LabelImport";
}

/// `MALPredictionImport`.
pub(crate) struct MalPredictions;

impl ImportKind for MalPredictions {
    const KIND: AnnotationImportKind = AnnotationImportKind::MalPredictions;
    const TYPE_NAME: &'static str = "MALPredictionImport";
}

/// An import as GraphQL sees it, with its state read once: every field of one answer agrees
/// (a state of `FINISHED` beside the file URLs of a still `RUNNING` import would be read as an
/// import without files).
pub(crate) struct ImportObject<K> {
    record: LabelImportRecord,
    state: &'static str,
    kind: PhantomData<K>,
}

impl<K: ImportKind> ImportObject<K> {
    fn new(record: LabelImportRecord) -> Self {
        let state = record.state();
        ImportObject {
            record,
            state,
            kind: PhantomData,
        }
    }
}

impl<K: ImportKind> TypeName for ImportObject<K> {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed(K::TYPE_NAME)
    }
}

#[Object(name_type)]
impl<K: ImportKind> ImportObject<K> {
    async fn id(&self) -> ID {
        ID(self.record.id.clone())
    }
    async fn name(&self) -> &str {
        &self.record.name
    }
    /// `RUNNING` until the import's duration has passed, then `FINISHED` or `FAILED`.
    async fn state(&self) -> &str {
        self.state
    }
    async fn input_file_url(&self) -> &str {
        &self.record.input_file_url
    }
    async fn error_file_url(&self) -> Option<&str> {
        self.when_ended(&self.record.error_file_url)
    }
    async fn status_file_url(&self) -> Option<&str> {
        self.when_ended(&self.record.status_file_url)
    }
    async fn progress(&self) -> &str {
        if self.state == "RUNNING" {
            "0%"
        } else {
            "100%"
        }
    }
    async fn created_by(&self, ctx: &Context<'_>) -> User {
        User::of(&store(ctx).identity)
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<ProjectObject> {
        super::projects::with_project(store(ctx), &self.record.project_id, |p, _| {
            ProjectObject(p.clone())
        })
    }
}

impl<K> ImportObject<K> {
    /// A file's URL once the import has ended; none while it runs.
    fn when_ended<'a>(&self, url: &'a Option<String>) -> Option<&'a str> {
        (self.state != "RUNNING")
            .then_some(url.as_deref())
            .flatten()
    }
}

#[derive(InputObject)]
struct FilePayload {
    file: Upload,
    content_length: i32,
}

/// `data:` of both create mutations (the official SDK writes it inline, so its type name is
/// never sent).
#[derive(InputObject)]
#[graphql(name = "CreateLabelImportInput")]
struct CreateImportInput {
    project_id: ID,
    name: String,
    file_url: Option<String>,
    file_payload: Option<FilePayload>,
}

#[derive(InputObject)]
#[graphql(name = "LabelImportWhereInput")]
struct ImportByNameWhere {
    project_id: ID,
    name: String,
}

#[derive(InputObject)]
#[graphql(name = "ProjectImportsWhereInput")]
struct ProjectImportsWhere {
    project_id: ID,
}

/// What a delete answers.
#[derive(SimpleObject)]
struct DeletedImport {
    id: ID,
}

/// The project's latest import of this kind with this name.
fn latest_named<K: ImportKind>(
    store: &Store,
    filter: &ImportByNameWhere,
) -> Result<ImportObject<K>> {
    let state = store.projects.lock();
    state
        .label_imports
        .iter()
        .rev()
        .find(|i| {
            i.kind == K::KIND && i.project_id == filter.project_id.as_str() && i.name == filter.name
        })
        .map(|i| ImportObject::new(i.clone()))
        .ok_or_else(|| {
            coded(
                format!(
                    "Resource not found: no {} named {:?} in project {}",
                    K::TYPE_NAME,
                    filter.name,
                    filter.project_id.as_str()
                ),
                "RESOURCE_NOT_FOUND",
            )
        })
}

/// A project's imports of this kind, oldest first, `skip`/`first` applied.
fn project_imports<K: ImportKind>(
    store: &Store,
    project_id: &str,
    skip: usize,
    first: usize,
) -> Result<Vec<ImportObject<K>>> {
    let state = store.projects.lock();
    if !state.projects.contains_key(project_id) {
        return Err(project_not_found(project_id));
    }
    Ok(state
        .label_imports
        .iter()
        .filter(|i| i.kind == K::KIND && i.project_id == project_id)
        .skip(skip)
        .take(first)
        .map(|i| ImportObject::new(i.clone()))
        .collect())
}

/// Reads the annotations of an upload or of a URL this emulator serves. `Err` of the outer
/// result: a request to refuse; of the inner: an import that fails as a whole.
fn import_bytes(
    ctx: &Context<'_>,
    data: &mut CreateImportInput,
) -> Result<std::result::Result<Vec<u8>, String>> {
    match (data.file_payload.take(), data.file_url.take()) {
        (Some(payload), None) => {
            let _ = payload.content_length;
            let unreadable =
                |e: std::io::Error| coded(format!("Unreadable upload: {e}"), "MALFORMED_REQUEST");
            let upload = payload.file.value(ctx).map_err(unreadable)?;
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut upload.into_read(), &mut bytes).map_err(unreadable)?;
            Ok(Ok(bytes))
        }
        (None, Some(url)) => Ok(store(ctx)
            .file_by_url(&url)
            .map(|f| f.bytes.to_vec())
            .ok_or(format!(
                "Could not fetch {url}: the emulator reads only the files it serves"
            ))),
        _ => Err(coded(
            "Exactly one of fileUrl and filePayload must be given",
            "MALFORMED_REQUEST",
        )),
    }
}

/// Starts an import: the request checked, the annotations checked now, the import reading
/// `RUNNING` for the task duration, then `FINISHED` or `FAILED` (the file could not be read).
fn create_import<K: ImportKind>(
    ctx: &Context<'_>,
    mut data: CreateImportInput,
) -> Result<ImportObject<K>> {
    let store = store(ctx);
    let project_id = data.project_id.to_string();
    if !store.projects.lock().projects.contains_key(&project_id) {
        return Err(project_not_found(&project_id));
    }
    if data.name.trim().is_empty() {
        return Err(coded(
            format!("A {}'s name must not be empty", K::TYPE_NAME),
            "MALFORMED_REQUEST",
        ));
    }
    let bytes = import_bytes(ctx, &mut data)?;
    let finishes_at = Instant::now() + store.pace.min_task_duration;
    let outcome = match bytes {
        Ok(bytes) => labels::check(store, &project_id, &bytes, finishes_at),
        Err(reason) => ImportOutcome::failed(reason),
    };
    let record = labels::record(store, &project_id, K::KIND, data.name, outcome, finishes_at);
    Ok(ImportObject::new(record))
}

#[derive(Default)]
pub(crate) struct AnnotationImportQuery;

#[Object]
impl AnnotationImportQuery {
    /// A project's latest label import of that name.
    async fn label_import(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: ImportByNameWhere,
    ) -> Result<Option<ImportObject<Labels>>> {
        latest_named(store(ctx), &filter).map(Some)
    }

    /// A project's latest MAL prediction import of that name.
    async fn model_assisted_labeling_prediction_import(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: ImportByNameWhere,
    ) -> Result<Option<ImportObject<MalPredictions>>> {
        latest_named(store(ctx), &filter).map(Some)
    }

    /// A project's MAL prediction imports, oldest first (`Project.get_mal_prediction_imports`).
    async fn model_assisted_labeling_prediction_imports(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: ProjectImportsWhere,
        #[graphql(default = 0)] skip: usize,
        #[graphql(default = 100)] first: usize,
    ) -> Result<Vec<ImportObject<MalPredictions>>> {
        project_imports(store(ctx), filter.project_id.as_str(), skip, first)
    }

    /// A project's label imports, oldest first (`Project.get_label_imports`).
    async fn label_imports(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: ProjectImportsWhere,
        #[graphql(default = 0)] skip: usize,
        #[graphql(default = 100)] first: usize,
    ) -> Result<Vec<ImportObject<Labels>>> {
        project_imports(store(ctx), filter.project_id.as_str(), skip, first)
    }
}

#[derive(Default)]
pub(crate) struct AnnotationImportMutation;

#[Object]
impl AnnotationImportMutation {
    /// Imports labels from an NDJSON file (uploaded, or a URL this emulator serves); the
    /// accepted annotations are listed as labels once the import has finished.
    async fn create_label_import(
        &self,
        ctx: &Context<'_>,
        data: CreateImportInput,
    ) -> Result<ImportObject<Labels>> {
        create_import(ctx, data)
    }

    /// Imports MAL predictions (pre-labels) the same way; they never become labels.
    async fn create_model_assisted_labeling_prediction_import(
        &self,
        ctx: &Context<'_>,
        data: CreateImportInput,
    ) -> Result<ImportObject<MalPredictions>> {
        create_import(ctx, data)
    }

    /// Deletes a MAL prediction import; an unknown id is `RESOURCE_NOT_FOUND`.
    async fn delete_model_assisted_labeling_prediction_import(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
    ) -> Result<DeletedImport> {
        let mut state = store(ctx).projects.lock();
        let id = filter.id.as_str();
        let index = state
            .label_imports
            .iter()
            .position(|i| i.kind == AnnotationImportKind::MalPredictions && i.id == id)
            .ok_or_else(|| {
                coded(
                    format!("Resource not found: no MALPredictionImport with id {id}"),
                    "RESOURCE_NOT_FOUND",
                )
            })?;
        state.label_imports.remove(index);
        Ok(DeletedImport { id: filter.id })
    }
}
