//! Data rows: reading them (`dataRow`, `datasetDataRows`, `externalIdsToDataRowIds`, the
//! `dataRowsForGlobalKeys` job), editing and deleting them (`updateDataRow`,
//! `deleteDataRows`), and their attachments. Shapes are the official SDK's queries.

use async_graphql::{Context, Enum, InputObject, Json, Object, SimpleObject, ID};
use serde_json::Value;

use super::datasets::{self, Dataset};
use super::{coded, count_arg, store, DateTime, Organization, User, WhereUniqueInput};
use crate::attachments;
use crate::import::row_data_text;
use crate::media;
use crate::store::{Catalog, DataRow, Store};

/// How a data row is named: its id or its global key (the official SDK's `IdType`), in
/// metadata writes, batches and send-to-annotate.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "IdType")]
pub(crate) enum IdType {
    #[graphql(name = "ID")]
    Id,
    #[graphql(name = "GKEY")]
    Gkey,
}

/// One data row by id or global key (`DataRowIdentifierInput`).
#[derive(InputObject)]
pub(crate) struct DataRowIdentifierInput {
    pub(crate) id: ID,
    pub(crate) id_type: IdType,
}

/// Largest page of `datasetDataRows` (the official SDK asks 500 at a time).
const MAX_ROW_PAGE: usize = 500;
/// Largest page of a row's `attachments`.
const MAX_ATTACHMENT_PAGE: usize = 100;

pub(super) fn row_not_found(id: &str) -> async_graphql::Error {
    coded(
        format!("Resource not found: no DataRow with id {id}"),
        "RESOURCE_NOT_FOUND",
    )
}

fn attachment_not_found(id: &str) -> async_graphql::Error {
    coded(
        format!("Resource not found: no AssetAttachment with id {id}"),
        "RESOURCE_NOT_FOUND",
    )
}

/// A data row as GraphQL sees it.
pub(super) struct DataRowObject(pub(super) DataRow);

/// One entry of `customMetadata`: as imported.
#[derive(SimpleObject)]
#[graphql(name = "DataRowCustomMetadata")]
struct CustomMetadata {
    schema_id: ID,
    value: Json<Value>,
}

/// One entry of `metadataFields`: named, with its kind; an enum's value is its option's name.
#[derive(SimpleObject)]
#[graphql(name = "DataRowMetadataFieldWithKind")]
struct MetadataFieldObject {
    schema_id: ID,
    name: Option<String>,
    value: Json<Value>,
    kind: Option<String>,
}

/// An attachment of a data row.
#[derive(SimpleObject)]
#[graphql(name = "AssetAttachment")]
struct AttachmentObject {
    id: ID,
    #[graphql(name = "type")]
    kind: String,
    value: String,
    name: Option<String>,
}

impl AttachmentObject {
    fn of(stored: &Value) -> Self {
        AttachmentObject {
            id: ID(attachments::field(stored, "id").unwrap_or_default().into()),
            kind: attachments::field(stored, "type")
                .unwrap_or_default()
                .into(),
            value: attachments::field(stored, "value")
                .unwrap_or_default()
                .into(),
            name: attachments::field(stored, "name").map(String::from),
        }
    }
}

#[Object(name = "DataRow")]
impl DataRowObject {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The row's labels in every project (see `labels`).
    async fn labels(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<super::labels::LabelWhere>,
        skip: Option<i32>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<super::labels::LabelObject>> {
        if filter.and_then(|f| f.deleted) == Some(true) {
            return Ok(Vec::new()); // deleted labels are gone
        }
        let skip = super::count_arg("skip", skip, 0, usize::MAX)?;
        let first = super::count_arg("first", first, 100, 100)?;
        Ok(super::labels::data_row_labels(ctx, &self.0.id, skip, first))
    }
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    async fn global_key(&self) -> Option<&str> {
        self.0.global_key.as_deref()
    }
    /// A URL or text as given; a JSON object as its JSON text.
    async fn row_data(&self) -> String {
        row_data_text(&self.0.row_data)
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    /// What processing the asset found (the emulator processes at once: its MIME type).
    async fn media_attributes(&self) -> Json<Value> {
        Json(media::attributes(
            self.0.media_type.as_deref(),
            &self.0.row_data,
        ))
    }
    async fn custom_metadata(&self) -> Vec<CustomMetadata> {
        self.0
            .metadata
            .iter()
            .filter_map(|m| {
                Some(CustomMetadata {
                    schema_id: ID(m.get("schemaId")?.as_str()?.to_string()),
                    value: Json(m.get("value").cloned().unwrap_or(Value::Null)),
                })
            })
            .collect()
    }
    async fn metadata_fields(&self, ctx: &Context<'_>) -> Vec<MetadataFieldObject> {
        store(ctx)
            .metadata
            .read_fields(&self.0.metadata)
            .into_iter()
            .map(|f| MetadataFieldObject {
                schema_id: ID(f.schema_id),
                name: f.name,
                value: Json(f.value),
                kind: f.kind,
            })
            .collect()
    }
    async fn dataset(&self, ctx: &Context<'_>) -> async_graphql::Result<Dataset> {
        store(ctx)
            .dataset(&self.0.dataset_id)
            .map(Dataset)
            .ok_or_else(|| datasets::not_found(&self.0.dataset_id))
    }
    async fn created_by(&self, ctx: &Context<'_>) -> User {
        User::of(&store(ctx).identity)
    }
    async fn organization(&self, ctx: &Context<'_>) -> Organization {
        Organization::of(&store(ctx).identity)
    }
    async fn attachments(
        &self,
        skip: Option<i32>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<AttachmentObject>> {
        let skip = count_arg("skip", skip, 0, usize::MAX)?;
        let first = count_arg("first", first, MAX_ATTACHMENT_PAGE, MAX_ATTACHMENT_PAGE)?;
        Ok(self
            .0
            .attachments
            .iter()
            .skip(skip)
            .take(first)
            .map(AttachmentObject::of)
            .collect())
    }
}

/// `datasetDataRows(where:)`: the external id, as `dataset.data_rows(where=DataRow.external_id
/// == x)` sends it.
#[derive(InputObject, Default)]
struct DatasetDataRowWhereInput {
    external_id: Option<String>,
}

#[derive(SimpleObject)]
struct PageInfo {
    has_next_page: bool,
    /// The cursor of the next page (the id of this page's last row); `null` on the last page.
    start_cursor: Option<ID>,
}

#[derive(SimpleObject)]
struct DatasetDataRowConnection {
    nodes: Vec<DataRowObject>,
    page_info: PageInfo,
}

/// A page of `rows` (newest first) after the row `from` (exclusive), at most `first`.
fn row_page(rows: Vec<DataRow>, from: Option<&str>, first: usize) -> DatasetDataRowConnection {
    let start = from
        .and_then(|cursor| rows.iter().position(|r| r.id == cursor))
        .map_or(0, |at| at + 1);
    let end = start.saturating_add(first).min(rows.len());
    let has_next_page = end < rows.len();
    let start_cursor = match has_next_page {
        true => rows.get(end - 1).map(|r| ID(r.id.clone())),
        false => None,
    };
    let nodes = rows
        .into_iter()
        .skip(start)
        .take(end - start)
        .map(DataRowObject)
        .collect();
    DatasetDataRowConnection {
        nodes,
        page_info: PageInfo {
            has_next_page,
            start_cursor,
        },
    }
}

#[derive(InputObject)]
pub(super) struct GlobalKeysWhereInput {
    pub(super) ids: Vec<ID>,
}

#[derive(SimpleObject)]
struct DataRowsForGlobalKeysJob {
    job_id: ID,
}

#[derive(InputObject)]
pub(super) struct JobIdInput {
    pub(super) id: ID,
}

#[derive(SimpleObject)]
struct FetchedDataRow {
    id: ID,
}

#[derive(SimpleObject)]
struct DataRowsForGlobalKeysData {
    /// One per key asked, in order; `""` where the key names no row.
    fetched_data_rows: Vec<FetchedDataRow>,
    not_found_global_keys: Vec<String>,
    access_denied_global_keys: Vec<String>,
}

#[derive(SimpleObject)]
struct DataRowsForGlobalKeysResult {
    data: DataRowsForGlobalKeysData,
    job_status: String,
}

#[derive(SimpleObject)]
struct ExternalIdToDataRowId {
    data_row_id: ID,
    external_id: String,
}

/// The data-row fields of the query root.
#[derive(Default)]
pub(crate) struct DataRowQuery;

#[Object]
impl DataRowQuery {
    /// A data row by id.
    async fn data_row(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
    ) -> async_graphql::Result<Option<DataRowObject>> {
        match store(ctx).data_row(filter.id.as_str()) {
            Some(row) => Ok(Some(DataRowObject(row))),
            None => Err(row_not_found(filter.id.as_str())),
        }
    }

    /// A dataset's rows, newest first, cursor-paginated (`from` is the previous page's
    /// `startCursor`).
    async fn dataset_data_rows(
        &self,
        ctx: &Context<'_>,
        id: ID,
        from: Option<ID>,
        first: Option<i32>,
        #[graphql(name = "where")] filter: Option<DatasetDataRowWhereInput>,
    ) -> async_graphql::Result<DatasetDataRowConnection> {
        let store = store(ctx);
        let first = count_arg("first", first, MAX_ROW_PAGE, MAX_ROW_PAGE)?;
        if store.dataset(id.as_str()).is_none() {
            return Err(datasets::not_found(id.as_str()));
        }
        let filter = filter.unwrap_or_default();
        let mut rows: Vec<DataRow> = store
            .data_rows(id.as_str())
            .into_iter()
            .filter(|r| {
                filter
                    .external_id
                    .as_ref()
                    .is_none_or(|e| r.external_id.as_ref() == Some(e))
            })
            .collect();
        rows.reverse();
        Ok(row_page(rows, from.as_ref().map(|f| f.as_str()), first))
    }

    /// Starts a lookup of rows by global key (answered by `dataRowsForGlobalKeysResult`).
    async fn data_rows_for_global_keys(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: GlobalKeysWhereInput,
    ) -> DataRowsForGlobalKeysJob {
        let keys = filter.ids.into_iter().map(|k| k.0).collect();
        DataRowsForGlobalKeysJob {
            job_id: ID(store(ctx).start_global_key_job(keys)),
        }
    }

    /// A global-key lookup's answer (the emulator's jobs are complete at once).
    async fn data_rows_for_global_keys_result(
        &self,
        ctx: &Context<'_>,
        job_id: JobIdInput,
    ) -> async_graphql::Result<DataRowsForGlobalKeysResult> {
        let resolved = store(ctx)
            .global_key_job(job_id.id.as_str())
            .ok_or_else(|| {
                coded(
                    format!("Job {} not found", job_id.id.as_str()),
                    "RESOURCE_NOT_FOUND",
                )
            })?;
        let not_found = resolved
            .iter()
            .filter(|(_, id)| id.is_none())
            .map(|(k, _)| k.clone())
            .collect();
        let fetched = resolved
            .into_iter()
            .map(|(_, id)| FetchedDataRow {
                id: ID(id.unwrap_or_default()),
            })
            .collect();
        Ok(DataRowsForGlobalKeysResult {
            data: DataRowsForGlobalKeysData {
                fetched_data_rows: fetched,
                not_found_global_keys: not_found,
                access_denied_global_keys: Vec::new(),
            },
            job_status: "COMPLETE".into(),
        })
    }

    /// The rows of each external id, in creation order.
    async fn external_ids_to_data_row_ids(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "externalId_in")] external_ids: Vec<String>,
    ) -> Vec<ExternalIdToDataRowId> {
        store(ctx)
            .all_data_rows(|r| {
                r.external_id
                    .as_ref()
                    .is_some_and(|e| external_ids.contains(e))
            })
            .into_iter()
            .map(|r| ExternalIdToDataRowId {
                data_row_id: ID(r.id),
                external_id: r.external_id.unwrap_or_default(),
            })
            .collect()
    }
}

/// `updateDataRow(data:)`: what `DataRow.update()` and `DataRow.delete()` send.
#[derive(InputObject)]
struct DataRowUpdateInput {
    external_id: Option<String>,
    global_key: Option<String>,
    /// Text; a JSON object's text is stored as the object.
    row_data: Option<String>,
    deleted: Option<bool>,
}

#[derive(InputObject)]
struct DataRowIdsInput {
    data_row_ids: Vec<ID>,
}

/// Attachment types as the service's `AttachmentType` enum names them.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
enum AttachmentType {
    Image,
    Video,
    ImageOverlay,
    Html,
    RawText,
    TextUrl,
    PdfUrl,
    CameraImage,
    Audio,
}

impl AttachmentType {
    fn as_str(self) -> &'static str {
        match self {
            AttachmentType::Image => "IMAGE",
            AttachmentType::Video => "VIDEO",
            AttachmentType::ImageOverlay => "IMAGE_OVERLAY",
            AttachmentType::Html => "HTML",
            AttachmentType::RawText => "RAW_TEXT",
            AttachmentType::TextUrl => "TEXT_URL",
            AttachmentType::PdfUrl => "PDF_URL",
            AttachmentType::CameraImage => "CAMERA_IMAGE",
            AttachmentType::Audio => "AUDIO",
        }
    }
}

#[derive(InputObject)]
struct DataRowAttachmentInput {
    #[graphql(name = "type")]
    kind: AttachmentType,
    value: String,
    name: Option<String>,
    data_row_id: ID,
}

#[derive(InputObject)]
struct AttachmentUpdateInput {
    #[graphql(name = "type")]
    kind: Option<AttachmentType>,
    value: Option<String>,
    name: Option<String>,
}

/// A row's new data: a JSON object's text becomes the object; a PDF document object becomes
/// its `pdfUrl` (the service turns the text layer into a media attribute).
fn new_row_data(text: &str) -> Value {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(fields)) => match fields.get("pdfUrl") {
            Some(Value::String(url)) => Value::String(url.clone()),
            _ => Value::Object(fields),
        },
        _ => Value::String(text.to_string()),
    }
}

/// Applies an update to row `id`; the refusal's message when the global key is taken or a
/// field is emptied.
fn apply_update(
    catalog: &mut Catalog,
    id: &str,
    data: DataRowUpdateInput,
) -> async_graphql::Result<DataRow> {
    let refuse = |message: String| coded(message, "MALFORMED_REQUEST");
    if let Some(gk) = &data.global_key {
        match catalog.global_keys.get(gk) {
            Some(owner) if owner != id => {
                return Err(refuse(format!("Duplicate global key: '{gk}'")));
            }
            _ => {}
        }
    }
    let row = catalog.rows.get_mut(id).ok_or_else(|| row_not_found(id))?;
    if let Some(text) = data.row_data {
        if text.is_empty() {
            return Err(refuse("rowData must not be empty".into()));
        }
        row.row_data = new_row_data(&text);
    }
    if let Some(external_id) = data.external_id {
        row.external_id = Some(external_id);
    }
    let old_key = match data.global_key {
        Some(gk) if gk.is_empty() => return Err(refuse("globalKey must not be empty".into())),
        Some(gk) => row.global_key.replace(gk),
        None => None,
    };
    row.updated_at = crate::time::now().max(row.created_at);
    let row = row.clone();
    if let Some(old) = old_key {
        catalog.global_keys.remove(&old);
    }
    if let Some(gk) = &row.global_key {
        catalog.global_keys.insert(gk.clone(), row.id.clone());
    }
    Ok(row)
}

/// The row holding attachment `id`, and the attachment's place in it.
fn find_attachment(catalog: &Catalog, id: &str) -> Option<(String, usize)> {
    catalog.rows.values().find_map(|row| {
        let at = row
            .attachments
            .iter()
            .position(|a| attachments::field(a, "id") == Some(id))?;
        Some((row.id.clone(), at))
    })
}

fn edit_attachment(
    store: &Store,
    id: &str,
    edit: impl FnOnce(&mut Vec<Value>, usize) -> Value,
) -> async_graphql::Result<AttachmentObject> {
    let mut catalog = store.catalog();
    let (row_id, at) = find_attachment(&catalog, id).ok_or_else(|| attachment_not_found(id))?;
    let row = catalog
        .rows
        .get_mut(&row_id)
        .ok_or_else(|| attachment_not_found(id))?;
    let attachment = edit(&mut row.attachments, at);
    row.updated_at = crate::time::now().max(row.created_at);
    Ok(AttachmentObject::of(&attachment))
}

/// The data-row fields of the mutation root.
#[derive(Default)]
pub(crate) struct DataRowMutation;

#[Object]
impl DataRowMutation {
    /// Changes a row's external id, global key or data, or deletes it (`deleted: true`; its
    /// global key becomes free). Answers the row.
    async fn update_data_row(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
        data: DataRowUpdateInput,
    ) -> async_graphql::Result<DataRowObject> {
        let store = store(ctx);
        let id = filter.id.as_str();
        if data.deleted == Some(true) {
            let row = store.data_row(id).ok_or_else(|| row_not_found(id))?;
            store.delete_data_rows(std::slice::from_ref(&row.id));
            return Ok(DataRowObject(row));
        }
        let row = apply_update(&mut store.catalog(), id, data)?;
        Ok(DataRowObject(row))
    }

    /// Deletes rows by id; answers those that existed.
    async fn delete_data_rows(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: DataRowIdsInput,
    ) -> Vec<DataRowObject> {
        let store = store(ctx);
        let ids: Vec<String> = filter.data_row_ids.into_iter().map(|id| id.0).collect();
        let rows: Vec<DataRow> = ids.iter().filter_map(|id| store.data_row(id)).collect();
        store.delete_data_rows(&ids);
        rows.into_iter().map(DataRowObject).collect()
    }

    /// Adds an attachment to a row.
    async fn create_data_row_attachment(
        &self,
        ctx: &Context<'_>,
        data: DataRowAttachmentInput,
    ) -> async_graphql::Result<AttachmentObject> {
        let store = store(ctx);
        if data.value.is_empty() {
            return Err(coded(
                "Attachment value must not be empty",
                "MALFORMED_REQUEST",
            ));
        }
        let attachment = attachments::stored(
            store.new_id(),
            data.kind.as_str(),
            &data.value,
            data.name.as_deref(),
        );
        let row_id = data.data_row_id.as_str();
        store
            .update_data_row(row_id, |row| row.attachments.push(attachment.clone()))
            .ok_or_else(|| row_not_found(row_id))?;
        Ok(AttachmentObject::of(&attachment))
    }

    /// Changes an attachment's type, value or name (each when given).
    async fn update_data_row_attachment(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
        data: AttachmentUpdateInput,
    ) -> async_graphql::Result<AttachmentObject> {
        if data.value.as_deref() == Some("") {
            return Err(coded(
                "Attachment value must not be empty",
                "MALFORMED_REQUEST",
            ));
        }
        edit_attachment(store(ctx), filter.id.as_str(), |list, at| {
            let current = &list[at];
            let kind = data.kind.map(AttachmentType::as_str);
            let updated = attachments::stored(
                attachments::field(current, "id").unwrap_or_default().into(),
                kind.or(attachments::field(current, "type"))
                    .unwrap_or_default(),
                data.value
                    .as_deref()
                    .or(attachments::field(current, "value"))
                    .unwrap_or_default(),
                data.name.as_deref().or(attachments::field(current, "name")),
            );
            list[at] = updated.clone();
            updated
        })
    }

    /// Removes an attachment from its row.
    async fn delete_data_row_attachment(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
    ) -> async_graphql::Result<AttachmentObject> {
        edit_attachment(store(ctx), filter.id.as_str(), |list, at| list.remove(at))
    }
}
