//! Typed data-row import specs ([`DataRowSpec`], [`UpsertItem`]) and their client-side validation
//! (PROTOCOL 3.6, steps 1 and 5).
//!
//! The types make most malformed payloads unrepresentable (no unknown payload keys, no untyped
//! keys); what remains representable but refused by the service (an empty payload, `s3://` row
//! data, an empty attachment value, ...) is caught by [`validate_items`] / [`validate_specs`]
//! before anything is sent. The dataset import methods run the same check ([`check_import`]),
//! so a caller can report every bad item up front, without a client, and get the same answer.

use std::borrow::{Borrow, Cow};
use std::fmt;

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The asset of a data row: a URL (`https://...`) or an inline JSON object (conversations,
/// tiled imagery, ...).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RowData {
    /// A URL of the asset; must not be an `s3://` URL (only `https` assets are accepted).
    Url(String),
    /// An inline JSON object.
    Json(serde_json::Value),
}

impl RowData {
    /// Row data given as a URL.
    #[must_use]
    pub fn url(url: impl Into<String>) -> Self {
        RowData::Url(url.into())
    }

    /// Row data given as an inline JSON object.
    #[must_use]
    pub fn json(value: serde_json::Value) -> Self {
        RowData::Json(value)
    }
}

impl Serialize for RowData {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            RowData::Url(url) => serializer.serialize_str(url),
            RowData::Json(value) => value.serialize(serializer),
        }
    }
}

/// The kind of an attachment (PROTOCOL 3.6), sent as its upper-case wire name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AttachmentKind {
    /// `IMAGE`
    Image,
    /// `VIDEO`
    Video,
    /// `IMAGE_OVERLAY`
    ImageOverlay,
    /// `HTML`
    Html,
    /// `RAW_TEXT`
    RawText,
    /// `TEXT_URL`
    TextUrl,
    /// `PDF_URL`
    PdfUrl,
    /// `CAMERA_IMAGE`
    CameraImage,
    /// `AUDIO`
    Audio,
    /// A kind this SDK does not know, as read back from the service (e.g. in a failed row's
    /// echo). Refused by validation when sent.
    Other(String),
}

impl AttachmentKind {
    /// Every kind the service accepts.
    pub const ALL: [AttachmentKind; 9] = [
        AttachmentKind::Image,
        AttachmentKind::Video,
        AttachmentKind::ImageOverlay,
        AttachmentKind::Html,
        AttachmentKind::RawText,
        AttachmentKind::TextUrl,
        AttachmentKind::PdfUrl,
        AttachmentKind::CameraImage,
        AttachmentKind::Audio,
    ];

    /// The wire name, e.g. `RAW_TEXT`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            AttachmentKind::Image => "IMAGE",
            AttachmentKind::Video => "VIDEO",
            AttachmentKind::ImageOverlay => "IMAGE_OVERLAY",
            AttachmentKind::Html => "HTML",
            AttachmentKind::RawText => "RAW_TEXT",
            AttachmentKind::TextUrl => "TEXT_URL",
            AttachmentKind::PdfUrl => "PDF_URL",
            AttachmentKind::CameraImage => "CAMERA_IMAGE",
            AttachmentKind::Audio => "AUDIO",
            AttachmentKind::Other(name) => name,
        }
    }

    /// Parses a wire name; an unknown name becomes [`AttachmentKind::Other`].
    #[must_use]
    pub fn from_wire(name: &str) -> Self {
        Self::ALL
            .iter()
            .find(|kind| kind.as_str() == name)
            .cloned()
            .unwrap_or_else(|| AttachmentKind::Other(name.to_owned()))
    }
}

impl fmt::Display for AttachmentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AttachmentKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AttachmentKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(AttachmentKind::from_wire(&name))
    }
}

/// An attachment shown next to the asset while labeling.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Attachment {
    /// What the value is.
    #[serde(rename = "type")]
    pub kind: AttachmentKind,
    /// The attachment: a URL or, for [`AttachmentKind::RawText`], the text. Must not be empty.
    pub value: String,
    /// An optional display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Attachment {
    /// An attachment of `kind` with `value` and no name.
    #[must_use]
    pub fn new(kind: AttachmentKind, value: impl Into<String>) -> Self {
        Attachment {
            kind,
            value: value.into(),
            name: None,
        }
    }

    /// Sets the display name.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// A metadata field value addressed by its schema id (sent as `{"schemaId", "value"}`; its
/// dict form is `{"schema_id", "value"}`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MetadataField {
    /// The metadata schema's id.
    pub schema_id: String,
    /// The value: a string, number, RFC 3339 datetime string or an enum option's schema id.
    pub value: serde_json::Value,
}

impl MetadataField {
    /// A value for the metadata schema `schema_id`.
    #[must_use]
    pub fn new(schema_id: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        MetadataField {
            schema_id: schema_id.into(),
            value: value.into(),
        }
    }
}

/// The media type of a data row's asset, sent as its upper-case wire name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MediaType {
    /// `AUDIO`
    Audio,
    /// `CONVERSATIONAL`
    Conversational,
    /// `HTML`
    Html,
    /// `IMAGE`
    Image,
    /// `PDF`
    Pdf,
    /// `TEXT`
    Text,
    /// `TMS_GEO` (geospatial tiles)
    TmsGeo,
    /// `TMS_SIMPLE` (simple tiles)
    TmsSimple,
    /// `VIDEO`
    Video,
    /// `POINT_CLOUD`
    PointCloud,
    /// `LLM`
    Llm,
}

impl MediaType {
    /// Every media type.
    pub const ALL: [MediaType; 11] = [
        MediaType::Audio,
        MediaType::Conversational,
        MediaType::Html,
        MediaType::Image,
        MediaType::Pdf,
        MediaType::Text,
        MediaType::TmsGeo,
        MediaType::TmsSimple,
        MediaType::Video,
        MediaType::PointCloud,
        MediaType::Llm,
    ];

    /// The wire name, e.g. `IMAGE`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Audio => "AUDIO",
            MediaType::Conversational => "CONVERSATIONAL",
            MediaType::Html => "HTML",
            MediaType::Image => "IMAGE",
            MediaType::Pdf => "PDF",
            MediaType::Text => "TEXT",
            MediaType::TmsGeo => "TMS_GEO",
            MediaType::TmsSimple => "TMS_SIMPLE",
            MediaType::Video => "VIDEO",
            MediaType::PointCloud => "POINT_CLOUD",
            MediaType::Llm => "LLM",
        }
    }
}

impl Serialize for MediaType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The fields of one data row to create, or the fields to change on an existing one.
///
/// Build it with [`new`](Self::new) or [`update`](Self::update) and the setters; the fields
/// are public to read and change, and the struct is `#[non_exhaustive]` so that fields can be
/// added without breaking callers.
///
/// ```
/// use labelbox::{Attachment, AttachmentKind, DataRowSpec, RowData};
/// let spec = DataRowSpec::new(RowData::url("https://example.com/1.jpg"))
///     .global_key("img-1")
///     .external_id("1.jpg")
///     .attachment(Attachment::new(AttachmentKind::RawText, "a note").name("note"));
/// assert_eq!(spec.global_key.as_deref(), Some("img-1"));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct DataRowSpec {
    /// The asset; required to create a row, optional when updating one.
    pub row_data: Option<RowData>,
    /// The organization-wide unique key of the row.
    pub global_key: Option<String>,
    /// A free-form id of the caller's choice.
    pub external_id: Option<String>,
    /// The asset's media type; the service infers it when absent.
    pub media_type: Option<MediaType>,
    /// Metadata fields, by schema id.
    pub metadata: Vec<MetadataField>,
    /// Attachments.
    pub attachments: Vec<Attachment>,
}

impl DataRowSpec {
    /// A spec with the given asset, for creating a row.
    #[must_use]
    pub fn new(row_data: RowData) -> Self {
        DataRowSpec {
            row_data: Some(row_data),
            ..Self::default()
        }
    }

    /// A spec with no asset, for an update: set only the fields to change. An update that
    /// changes nothing is refused by validation.
    #[must_use]
    pub fn update() -> Self {
        Self::default()
    }

    /// Sets (or replaces) the asset.
    #[must_use]
    pub fn row_data(mut self, row_data: RowData) -> Self {
        self.row_data = Some(row_data);
        self
    }

    /// Sets the global key.
    #[must_use]
    pub fn global_key(mut self, global_key: impl Into<String>) -> Self {
        self.global_key = Some(global_key.into());
        self
    }

    /// Sets the external id.
    #[must_use]
    pub fn external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }

    /// Sets the media type.
    #[must_use]
    pub fn media_type(mut self, media_type: MediaType) -> Self {
        self.media_type = Some(media_type);
        self
    }

    /// Adds a metadata field value for the schema `schema_id`.
    #[must_use]
    pub fn metadata(
        mut self,
        schema_id: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        self.metadata.push(MetadataField::new(schema_id, value));
        self
    }

    /// Adds an attachment.
    #[must_use]
    pub fn attachment(mut self, attachment: Attachment) -> Self {
        self.attachments.push(attachment);
        self
    }

    /// True when the spec sets no field at all.
    fn sets_nothing(&self) -> bool {
        self.row_data.is_none()
            && self.global_key.is_none()
            && self.external_id.is_none()
            && self.media_type.is_none()
            && self.metadata.is_empty()
            && self.attachments.is_empty()
    }
}

/// Which row an [`UpsertItem`] addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UpsertKey {
    /// None: a new row is created (`AUTO`).
    Create,
    /// The row with this global key is updated, or created if there is none (`GKEY`).
    GlobalKey(String),
    /// The row with this data row id is updated (`ID`).
    DataRowId(String),
}

impl UpsertKey {
    pub(crate) fn wire_type(&self) -> &'static str {
        match self {
            UpsertKey::Create => "AUTO",
            UpsertKey::GlobalKey(_) => "GKEY",
            UpsertKey::DataRowId(_) => "ID",
        }
    }

    pub(crate) fn wire_value(&self) -> &str {
        match self {
            UpsertKey::Create => "",
            UpsertKey::GlobalKey(value) | UpsertKey::DataRowId(value) => value,
        }
    }
}

/// One item of [`Dataset::upsert_data_rows`](crate::Dataset::upsert_data_rows): a key and the
/// fields to set.
#[derive(Debug, Clone, PartialEq)]
pub struct UpsertItem {
    /// Which row to create or update.
    pub key: UpsertKey,
    /// The fields to set.
    pub spec: DataRowSpec,
}

impl UpsertItem {
    /// Creates a new row from `spec` (which must have row data).
    #[must_use]
    pub fn create(spec: DataRowSpec) -> Self {
        UpsertItem {
            key: UpsertKey::Create,
            spec,
        }
    }

    /// Updates (or creates) the row with `global_key`.
    #[must_use]
    pub fn by_global_key(global_key: impl Into<String>, spec: DataRowSpec) -> Self {
        UpsertItem {
            key: UpsertKey::GlobalKey(global_key.into()),
            spec,
        }
    }

    /// Updates the row with data row id `id`.
    #[must_use]
    pub fn by_id(id: impl Into<String>, spec: DataRowSpec) -> Self {
        UpsertItem {
            key: UpsertKey::DataRowId(id.into()),
            spec,
        }
    }
}

/// Why an item was refused before upload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ItemProblem {
    /// A create item without row data, or an update item with nothing but its key.
    EmptyPayload,
    /// Row data that is an empty string or an empty JSON object.
    EmptyRowData,
    /// Row data starting `s3:/`: only `https` assets are accepted.
    S3RowData,
    /// JSON row data that is not an object.
    RowDataNotObject,
    /// An update key (global key or data row id) that is empty.
    EmptyKey,
    /// A global key that is an empty string.
    EmptyGlobalKey,
    /// An attachment whose value is empty.
    EmptyAttachmentValue,
    /// An attachment kind the service does not accept.
    UnknownAttachmentKind(String),
    /// A metadata field with an empty schema id.
    EmptySchemaId,
}

impl fmt::Display for ItemProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ItemProblem::EmptyPayload => f.write_str("empty payload (nothing to create or update)"),
            ItemProblem::EmptyRowData => f.write_str("row data is empty"),
            ItemProblem::S3RowData => f.write_str("s3 assets must start with 'https'"),
            ItemProblem::RowDataNotObject => f.write_str("JSON row data must be an object"),
            ItemProblem::EmptyKey => f.write_str("the key's value is empty"),
            ItemProblem::EmptyGlobalKey => f.write_str("global key is empty"),
            ItemProblem::EmptyAttachmentValue => {
                f.write_str("attachment value must be a non-empty string")
            }
            ItemProblem::UnknownAttachmentKind(kind) => {
                write!(f, "unknown attachment type {kind:?}")
            }
            ItemProblem::EmptySchemaId => f.write_str("metadata schema id is empty"),
        }
    }
}

/// One refused item: its index in the caller's list, the offending field and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ItemError {
    /// Index of the item in the list passed to the import call.
    pub index: usize,
    /// The offending field, e.g. `row_data` or `attachments[1].value`.
    pub field: String,
    /// What is wrong.
    pub problem: ItemProblem,
}

impl fmt::Display for ItemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "item {}: {}: {}", self.index, self.field, self.problem)
    }
}

/// Whether an item creates a row (row data required) or updates one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intent {
    Create,
    Update,
}

/// The key of every item of [`Dataset::create_data_rows`](crate::Dataset::create_data_rows).
pub(crate) static CREATE: UpsertKey = UpsertKey::Create;

/// What one import item is made of: which row it addresses and the fields to set. A spec on
/// its own creates a row.
pub(crate) trait ImportItem {
    /// The item's key and spec.
    fn parts(&self) -> (&UpsertKey, &DataRowSpec);
}

impl ImportItem for DataRowSpec {
    fn parts(&self) -> (&UpsertKey, &DataRowSpec) {
        (&CREATE, self)
    }
}

impl ImportItem for UpsertItem {
    fn parts(&self) -> (&UpsertKey, &DataRowSpec) {
        (&self.key, &self.spec)
    }
}

/// Checks upsert items exactly as
/// [`Dataset::upsert_data_rows`](crate::Dataset::upsert_data_rows) does, without sending
/// anything: a pre-flight check that reports every refused item in one pass. Any source of
/// items will do (a slice, a `Vec`, an iterator reading a file); it is read once.
///
/// # Errors
///
/// [`Error::InvalidItems`] listing every problem (item index, field, reason) in item order, or
/// [`Error::InvalidInput`] when there is no item.
///
/// ```
/// use labelbox::{validate_items, DataRowSpec, Error, ItemProblem, RowData, UpsertItem};
///
/// let items = vec![
///     UpsertItem::create(DataRowSpec::new(RowData::url("https://example.com/1.jpg"))),
///     UpsertItem::create(DataRowSpec::new(RowData::url("s3://bucket/2.jpg"))),
///     UpsertItem::by_global_key("img-3", DataRowSpec::update()),
/// ];
/// match validate_items(&items) {
///     Err(Error::InvalidItems(problems)) => {
///         let found: Vec<_> = problems.iter().map(|p| (p.index, p.problem.clone())).collect();
///         assert_eq!(found, [(1, ItemProblem::S3RowData), (2, ItemProblem::EmptyPayload)]);
///     }
///     other => panic!("expected InvalidItems, got {other:?}"),
/// }
/// assert!(validate_items(&items[..1]).is_ok());
/// ```
pub fn validate_items<I>(items: I) -> Result<(), Error>
where
    I: IntoIterator,
    I::Item: Borrow<UpsertItem>,
{
    check_import::<UpsertItem, _>(items).map(|_| ())
}

/// Checks specs exactly as [`Dataset::create_data_rows`](crate::Dataset::create_data_rows)
/// does (every spec creates a row, so each needs row data), without sending anything. Any
/// source of specs will do; it is read once.
///
/// # Errors
///
/// As [`validate_items`].
///
/// ```
/// use labelbox::{validate_specs, DataRowSpec, RowData};
///
/// let ok = [DataRowSpec::new(RowData::url("https://example.com/1.jpg"))];
/// assert!(validate_specs(&ok).is_ok());
/// let missing_row_data = [DataRowSpec::update().global_key("img-2")];
/// assert!(validate_specs(&missing_row_data).unwrap_err().is_invalid_input());
/// ```
pub fn validate_specs<I>(specs: I) -> Result<(), Error>
where
    I: IntoIterator,
    I::Item: Borrow<DataRowSpec>,
{
    check_import::<DataRowSpec, _>(specs).map(|_| ())
}

/// The one pre-flight check of every import, in one pass over the items: there is at least
/// one and none is refused. Answers how many there are.
pub(crate) fn check_import<T, I>(items: I) -> Result<usize, Error>
where
    T: ImportItem,
    I: IntoIterator,
    I::Item: Borrow<T>,
{
    let mut problems = Vec::new();
    let mut count = 0;
    for (index, item) in items.into_iter().enumerate() {
        let (key, spec) = item.borrow().parts();
        check_item(key, spec, &mut |field: &str, problem| {
            problems.push(ItemError {
                index,
                field: field.to_owned(),
                problem,
            })
        });
        count += 1;
    }
    if count == 0 {
        return Err(Error::invalid_input(
            "items",
            "nothing to import: the list is empty",
        ));
    }
    if problems.is_empty() {
        Ok(count)
    } else {
        Err(Error::InvalidItems(problems))
    }
}

fn check_item(key: &UpsertKey, spec: &DataRowSpec, report: &mut dyn FnMut(&str, ItemProblem)) {
    let intent = match key {
        UpsertKey::Create => Intent::Create,
        UpsertKey::GlobalKey(_) | UpsertKey::DataRowId(_) => Intent::Update,
    };
    if intent == Intent::Update && key.wire_value().is_empty() {
        report("key", ItemProblem::EmptyKey);
    }
    match (&spec.row_data, intent) {
        (None, Intent::Create) => report("row_data", ItemProblem::EmptyPayload),
        (None, Intent::Update) if spec.sets_nothing() => {
            report("payload", ItemProblem::EmptyPayload)
        }
        (None, Intent::Update) => {}
        (Some(row_data), _) => check_row_data(row_data, report),
    }
    if spec.global_key.as_deref() == Some("") {
        report("global_key", ItemProblem::EmptyGlobalKey);
    }
    for (i, field) in spec.metadata.iter().enumerate() {
        if field.schema_id.is_empty() {
            report(
                &format!("metadata[{i}].schema_id"),
                ItemProblem::EmptySchemaId,
            );
        }
    }
    for (i, attachment) in spec.attachments.iter().enumerate() {
        if let AttachmentKind::Other(kind) = &attachment.kind {
            let problem = ItemProblem::UnknownAttachmentKind(kind.clone());
            report(&format!("attachments[{i}].type"), problem);
        }
        if attachment.value.is_empty() {
            let field = format!("attachments[{i}].value");
            report(&field, ItemProblem::EmptyAttachmentValue);
        }
    }
}

fn check_row_data(row_data: &RowData, report: &mut dyn FnMut(&str, ItemProblem)) {
    match row_data {
        RowData::Url(url) if url.is_empty() => report("row_data", ItemProblem::EmptyRowData),
        // The service only accepts https assets; the Python SDK refuses the `s3:/` prefix.
        RowData::Url(url) if url.starts_with("s3:/") => report("row_data", ItemProblem::S3RowData),
        RowData::Url(_) => {}
        RowData::Json(serde_json::Value::Object(map)) if map.is_empty() => {
            report("row_data", ItemProblem::EmptyRowData)
        }
        RowData::Json(serde_json::Value::Object(_)) => {}
        RowData::Json(_) => report("row_data", ItemProblem::RowDataNotObject),
    }
}

/// The wire form of one item: `{"id": {"type", "value"}, "payload": {...}}` (PROTOCOL 3.6.1).
#[derive(Serialize)]
struct WireItem<'a> {
    id: WireKey<'a>,
    payload: WirePayload<'a>,
}

#[derive(Serialize)]
struct WireKey<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    value: &'a str,
}

#[derive(Serialize)]
struct WirePayload<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    row_data: Option<&'a RowData>,
    #[serde(skip_serializing_if = "Option::is_none")]
    global_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_type: Option<MediaType>,
    #[serde(
        skip_serializing_if = "<[_]>::is_empty",
        serialize_with = "wire_metadata"
    )]
    metadata_fields: &'a [MetadataField],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    attachments: &'a [Attachment],
    dataset_id: &'a str,
}

/// Metadata fields on the wire: `{"schemaId", "value"}` (the dict form says `schema_id`).
fn wire_metadata<S: Serializer>(
    fields: &&[MetadataField],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct WireField<'a> {
        #[serde(rename = "schemaId")]
        schema_id: &'a str,
        value: &'a serde_json::Value,
    }
    serializer.collect_seq(fields.iter().map(|field| WireField {
        schema_id: &field.schema_id,
        value: &field.value,
    }))
}

/// Appends the JSON wire form of one item to `out`.
pub(crate) fn encode_item(
    key: &UpsertKey,
    spec: &DataRowSpec,
    dataset_id: &str,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    let item = WireItem {
        id: WireKey {
            kind: key.wire_type(),
            value: key.wire_value(),
        },
        payload: WirePayload {
            row_data: spec.row_data.as_ref(),
            global_key: spec.global_key.as_deref(),
            external_id: spec.external_id.as_deref(),
            media_type: spec.media_type,
            metadata_fields: &spec.metadata,
            attachments: &spec.attachments,
            dataset_id,
        },
    };
    serde_json::to_writer(out, &item)
}

/// Deserializes a value that should be a string but may come back as any JSON (row data of a
/// JSON asset): strings stay as they are, anything else becomes its JSON text.
pub(crate) fn lenient_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    LenientText::deserialize(deserializer).map(|text| text.0.map(Cow::into_owned))
}

/// Row data as the SDK keeps it: the text (borrowed from the input when it has no escapes, the
/// common case of every result row), or the JSON text of an inline asset; `None` for `null`.
pub(crate) struct LenientText<'de>(pub(crate) Option<Cow<'de, str>>);

impl<'de> Deserialize<'de> for LenientText<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(LenientVisitor)
            .map(LenientText)
    }
}

struct LenientVisitor;

impl LenientVisitor {
    fn json_text<'de, E: de::Error>(value: serde_json::Value) -> Result<Option<Cow<'de, str>>, E> {
        serde_json::to_string(&value)
            .map(|text| Some(Cow::Owned(text)))
            .map_err(de::Error::custom)
    }
}

impl<'de> de::Visitor<'de> for LenientVisitor {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string or any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_string())))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_string())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_string())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Self::json_text(serde_json::Value::from(v))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let value = serde_json::Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Self::json_text(value)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let value = serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Self::json_text(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn encode(key: &UpsertKey, spec: &DataRowSpec) -> serde_json::Value {
        let mut out = Vec::new();
        encode_item(key, spec, "ds1", &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    fn check(items: &[UpsertItem]) -> Vec<ItemError> {
        match check_import::<UpsertItem, _>(items) {
            Ok(_) => Vec::new(),
            Err(Error::InvalidItems(problems)) => problems,
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn create_item_encodes_to_the_wire_shape() {
        let spec = DataRowSpec::new(RowData::url("https://x/1.jpg"))
            .global_key("gk")
            .external_id("e")
            .media_type(MediaType::Image)
            .metadata("schema-1", "tag")
            .attachment(Attachment::new(AttachmentKind::RawText, "hi").name("n"))
            .attachment(Attachment::new(AttachmentKind::ImageOverlay, "https://o"));
        assert_eq!(
            encode(&UpsertKey::Create, &spec),
            json!({
                "id": {"type": "AUTO", "value": ""},
                "payload": {
                    "row_data": "https://x/1.jpg", "global_key": "gk", "external_id": "e",
                    "media_type": "IMAGE",
                    "metadata_fields": [{"schemaId": "schema-1", "value": "tag"}],
                    "attachments": [
                        {"type": "RAW_TEXT", "value": "hi", "name": "n"},
                        {"type": "IMAGE_OVERLAY", "value": "https://o"}
                    ],
                    "dataset_id": "ds1"
                }
            })
        );
    }

    #[test]
    fn update_items_encode_their_keys_and_only_set_fields() {
        let spec = DataRowSpec::update().external_id("new");
        assert_eq!(
            encode(&UpsertKey::GlobalKey("g".into()), &spec),
            json!({"id": {"type": "GKEY", "value": "g"},
                   "payload": {"external_id": "new", "dataset_id": "ds1"}})
        );
        let json_row = DataRowSpec::new(RowData::json(json!({"type": "x", "messages": []})));
        assert_eq!(
            encode(&UpsertKey::DataRowId("r1".into()), &json_row),
            json!({"id": {"type": "ID", "value": "r1"},
                   "payload": {"row_data": {"type": "x", "messages": []}, "dataset_id": "ds1"}})
        );
    }

    #[test]
    fn valid_items_pass() {
        let items = [
            UpsertItem::create(DataRowSpec::new(RowData::url("https://a"))),
            UpsertItem::by_global_key("g", DataRowSpec::update().external_id("x")),
            UpsertItem::by_id("id", DataRowSpec::update().metadata("s", 1)),
        ];
        assert_eq!(check(&items), vec![]);
    }

    // Every problem, with its index and field: tests/import_validation.rs, through the
    // public validate_specs / validate_items.

    #[test]
    fn validation_does_not_touch_items() {
        let items = vec![UpsertItem::create(DataRowSpec::update())];
        let before = items.clone();
        assert_eq!(check(&items).len(), 1);
        assert_eq!(items, before);
    }

    #[test]
    fn attachment_kinds_round_trip_their_wire_names() {
        for kind in AttachmentKind::ALL {
            assert_eq!(AttachmentKind::from_wire(kind.as_str()), kind);
        }
        assert_eq!(
            AttachmentKind::from_wire("NEW"),
            AttachmentKind::Other("NEW".into())
        );
    }
}
