//! [`Annotation`]: one NDJSON line of a label or prediction import, in the official SDK's
//! dict form (`uuid`, `name` or `schemaId`, `dataRow: {id | globalKey}`, then the tool's own
//! keys: `bbox`, `polygon`, `point`, `line`, `answer`, `answers`, `location`, ...).

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// The row an annotation is on: by id or by global key (exactly one, as the official SDK
/// checks).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AnnotationDataRow {
    /// `{"id": ...}`
    #[serde(rename = "id")]
    Id(String),
    /// `{"globalKey": ...}`
    #[serde(rename = "globalKey")]
    GlobalKey(String),
}

impl AnnotationDataRow {
    /// The id or key.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            AnnotationDataRow::Id(s) | AnnotationDataRow::GlobalKey(s) => s,
        }
    }
}

/// One annotation to import. `value` holds the tool's keys (e.g. `{"bbox": {...}}`); the
/// constructors fill it for the common tools.
///
/// ```
/// use labelbox::{Annotation, AnnotationDataRow};
/// let row = AnnotationDataRow::GlobalKey("img-1".into());
/// let boxed = Annotation::bbox("car", row.clone(), 10.0, 20.0, 30.0, 40.0);
/// let line = serde_json::to_value(&boxed)?;
/// assert_eq!(line["dataRow"], serde_json::json!({"globalKey": "img-1"}));
/// assert_eq!(line["bbox"]["height"], 30.0);
/// let sunny = Annotation::radio("weather", row, "sunny");
/// assert_eq!(serde_json::to_value(&sunny)?["answer"], serde_json::json!({"name": "sunny"}));
/// # Ok::<_, serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Annotation {
    /// The annotation's id (a UUID), echoed in its status.
    pub uuid: String,
    /// The tool or classification's name in the ontology (or give `schema_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The feature schema's id, in place of `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_id: Option<String>,
    /// The row it is on.
    pub data_row: AnnotationDataRow,
    /// The tool's own keys (`bbox`, `polygon`, `answer`, ...).
    #[serde(flatten)]
    pub value: Map<String, Value>,
}

impl Annotation {
    /// An annotation of the tool or classification `name` on `data_row` with these keys
    /// (`value` must be a JSON object; anything else is left out). Its uuid is random.
    #[must_use]
    pub fn new(name: impl Into<String>, data_row: AnnotationDataRow, value: Value) -> Self {
        Annotation {
            uuid: new_uuid(),
            name: Some(name.into()),
            schema_id: None,
            data_row,
            value: match value {
                Value::Object(map) => map,
                _ => Map::new(),
            },
        }
    }

    /// A bounding box (`rectangle` tool), in pixels.
    #[must_use]
    pub fn bbox(
        name: impl Into<String>,
        data_row: AnnotationDataRow,
        top: f64,
        left: f64,
        height: f64,
        width: f64,
    ) -> Self {
        let bbox = json!({"top": top, "left": left, "height": height, "width": width});
        Self::new(name, data_row, json!({ "bbox": bbox }))
    }

    /// A point.
    #[must_use]
    pub fn point(name: impl Into<String>, data_row: AnnotationDataRow, x: f64, y: f64) -> Self {
        Self::new(name, data_row, json!({"point": {"x": x, "y": y}}))
    }

    /// A radio classification's answer.
    #[must_use]
    pub fn radio(
        name: impl Into<String>,
        data_row: AnnotationDataRow,
        answer: impl Into<String>,
    ) -> Self {
        Self::new(name, data_row, json!({"answer": {"name": answer.into()}}))
    }

    /// A checklist classification's answers.
    #[must_use]
    pub fn checklist<I, S>(name: impl Into<String>, data_row: AnnotationDataRow, answers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let answers: Vec<Value> = answers
            .into_iter()
            .map(|a| json!({"name": a.into()}))
            .collect();
        Self::new(name, data_row, json!({ "answers": answers }))
    }

    /// A free-text classification's answer.
    #[must_use]
    pub fn text(
        name: impl Into<String>,
        data_row: AnnotationDataRow,
        answer: impl Into<String>,
    ) -> Self {
        Self::new(name, data_row, json!({"answer": answer.into()}))
    }

    /// Sets the uuid (e.g. to find the annotation's status by it).
    #[must_use]
    pub fn with_uuid(mut self, uuid: impl Into<String>) -> Self {
        self.uuid = uuid.into();
        self
    }
}

/// A random version-4 UUID.
fn new_uuid() -> String {
    let a = crate::transport::retry::random_u64();
    let b = crate::transport::retry::random_u64();
    let a = (a & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}
