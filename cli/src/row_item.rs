//! One input row (a JSON object, keys as in Labelbox's Python SDK) into the SDK's [`UpsertItem`].
//!
//! Only the shape is checked here (known keys, value types); the SDK's own rules (empty
//! payloads, `s3://` assets, empty values...) are `labelbox::validate_items`', which the import
//! runs on the converted rows before connecting.

use labelbox::{Attachment, AttachmentKind, DataRowSpec, MediaType, RowData, UpsertItem};
use serde_json::{Map, Value};

/// The keys a row may have.
const KEYS: [&str; 7] = [
    "row_data",
    "global_key",
    "external_id",
    "media_type",
    "metadata_fields",
    "attachments",
    "key",
];

/// The media types, by wire name.
const MEDIA_TYPES: [(&str, MediaType); 11] = [
    ("AUDIO", MediaType::Audio),
    ("CONVERSATIONAL", MediaType::Conversational),
    ("HTML", MediaType::Html),
    ("IMAGE", MediaType::Image),
    ("PDF", MediaType::Pdf),
    ("TEXT", MediaType::Text),
    ("TMS_GEO", MediaType::TmsGeo),
    ("TMS_SIMPLE", MediaType::TmsSimple),
    ("VIDEO", MediaType::Video),
    ("POINT_CLOUD", MediaType::PointCloud),
    ("LLM", MediaType::Llm),
];

/// Converts a row, or says everything wrong with it in one message.
pub fn to_item(row: &Map<String, Value>) -> Result<UpsertItem, String> {
    let mut problems = Vec::new();
    for name in row.keys() {
        if !KEYS.contains(&name.as_str()) {
            problems.push(format!(
                "unknown key `{name}` (expected {})",
                KEYS.join(", ")
            ));
        }
    }
    let mut spec = DataRowSpec::update();
    note(&mut problems, row_data(row).map(|v| spec.row_data = v));
    note(
        &mut problems,
        text(row, "global_key").map(|v| spec.global_key = v),
    );
    note(
        &mut problems,
        text(row, "external_id").map(|v| spec.external_id = v),
    );
    note(&mut problems, media_type(row).map(|v| spec.media_type = v));
    note(&mut problems, metadata(row).map(|v| spec.metadata = v));
    note(
        &mut problems,
        attachments(row).map(|v| spec.attachments = v),
    );
    let key = key(row);
    if let Err(problem) = &key {
        problems.push(problem.clone());
    }
    match key {
        Ok(key) if problems.is_empty() => Ok(UpsertItem { key, spec }),
        _ => Err(problems.join("; ")),
    }
}

fn note(problems: &mut Vec<String>, result: Result<(), String>) {
    if let Err(problem) = result {
        problems.push(problem);
    }
}

/// A field that may be absent or null.
fn field<'a>(row: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    row.get(name).filter(|v| !v.is_null())
}

fn row_data(row: &Map<String, Value>) -> Result<Option<RowData>, String> {
    match field(row, "row_data") {
        None => Ok(None),
        Some(Value::String(url)) => Ok(Some(RowData::url(url.clone()))),
        Some(object @ Value::Object(_)) => Ok(Some(RowData::json(object.clone()))),
        Some(_) => Err("`row_data` must be a URL string or a JSON object".into()),
    }
}

fn text(row: &Map<String, Value>, name: &str) -> Result<Option<String>, String> {
    match field(row, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("`{name}` must be a string")),
    }
}

fn media_type(row: &Map<String, Value>) -> Result<Option<MediaType>, String> {
    let Some(name) = text(row, "media_type")? else {
        return Ok(None);
    };
    MEDIA_TYPES
        .iter()
        .find(|(wire, _)| wire.eq_ignore_ascii_case(&name))
        .map(|(_, media)| Some(*media))
        .ok_or_else(|| {
            let names: Vec<&str> = MEDIA_TYPES.iter().map(|(wire, _)| *wire).collect();
            format!(
                "unknown `media_type` {name:?} (expected {})",
                names.join(", ")
            )
        })
}

/// `metadata_fields`: `[{"schemaId" (or "schema_id"): "...", "value": ...}]`.
fn metadata(row: &Map<String, Value>) -> Result<Vec<labelbox::MetadataField>, String> {
    let mut fields = Vec::new();
    for (at, object) in objects(row, "metadata_fields")? {
        let schema_id = match object.get("schemaId") {
            Some(_) => required_text(object, &at, "schemaId")?,
            None => required_text(object, &at, "schema_id")
                .map_err(|_| format!("`{at}` needs a string `schemaId`"))?,
        };
        let value = object
            .get("value")
            .ok_or_else(|| format!("`{at}` needs a `value`"))?;
        fields.push(labelbox::MetadataField {
            schema_id: schema_id.to_string(),
            value: value.clone(),
        });
    }
    Ok(fields)
}

/// `attachments`: `[{"type": "IMAGE", "value": "...", "name": "..."}]`.
fn attachments(row: &Map<String, Value>) -> Result<Vec<Attachment>, String> {
    let mut attachments = Vec::new();
    for (at, object) in objects(row, "attachments")? {
        let kind = required_text(object, &at, "type")?;
        let value = required_text(object, &at, "value")?;
        let mut attachment = Attachment::new(AttachmentKind::from_wire(kind), value);
        match object.get("name") {
            None | Some(Value::Null) => {}
            Some(Value::String(name)) => attachment = attachment.name(name.clone()),
            Some(_) => return Err(format!("`{at}.name` must be a string")),
        }
        attachments.push(attachment);
    }
    Ok(attachments)
}

/// A JSON object, as rows and their list entries are.
type Object = Map<String, Value>;

/// The entries of a list of objects, each with its name for messages (`attachments[0]`).
fn objects<'a>(row: &'a Object, name: &str) -> Result<Vec<(String, &'a Object)>, String> {
    list(row, name)?
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let at = format!("{name}[{i}]");
            match entry.as_object() {
                Some(object) => Ok((at, object)),
                None => Err(format!("`{at}` must be an object")),
            }
        })
        .collect()
}

/// A string member of a list entry, which must be there.
fn required_text<'a>(
    object: &'a Map<String, Value>,
    at: &str,
    name: &str,
) -> Result<&'a str, String> {
    object
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("`{at}` needs a string `{name}`"))
}

fn list<'a>(row: &'a Map<String, Value>, name: &str) -> Result<&'a [Value], String> {
    match field(row, name) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(format!("`{name}` must be an array")),
    }
}

/// `key`: absent (create), or `{"type": "GKEY" | "ID" | "AUTO", "value": "..."}`.
fn key(row: &Map<String, Value>) -> Result<labelbox::UpsertKey, String> {
    use labelbox::UpsertKey;
    let Some(key) = field(row, "key") else {
        return Ok(UpsertKey::Create);
    };
    let bad = || "`key` must be {\"type\": \"GKEY\" or \"ID\", \"value\": \"...\"}".to_string();
    let object = key.as_object().ok_or_else(bad)?;
    let kind = object.get("type").and_then(Value::as_str).ok_or_else(bad)?;
    let value = object.get("value").and_then(Value::as_str).unwrap_or("");
    match kind.to_ascii_uppercase().as_str() {
        "AUTO" => Ok(UpsertKey::Create),
        "GKEY" => Ok(UpsertKey::GlobalKey(value.to_string())),
        "ID" => Ok(UpsertKey::DataRowId(value.to_string())),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use labelbox::UpsertKey;
    use serde_json::json;

    fn convert(value: Value) -> Result<UpsertItem, String> {
        match value {
            Value::Object(map) => to_item(&map),
            _ => unreachable!("tests pass objects"),
        }
    }

    #[test]
    fn a_full_row_converts() {
        let item = convert(json!({
            "row_data": "https://example.com/1.jpg",
            "global_key": "g1",
            "external_id": "e1",
            "media_type": "image",
            "metadata_fields": [{"schemaId": "s1", "value": "v"}],
            "attachments": [{"type": "RAW_TEXT", "value": "note", "name": "n"}]
        }))
        .unwrap();
        assert_eq!(item.key, UpsertKey::Create);
        assert_eq!(item.spec.global_key.as_deref(), Some("g1"));
        assert_eq!(item.spec.media_type, Some(MediaType::Image));
        assert_eq!(item.spec.metadata[0].schema_id, "s1");
        assert_eq!(item.spec.attachments[0].kind, AttachmentKind::RawText);
    }

    #[test]
    fn update_keys_convert() {
        let item = convert(json!({"key": {"type": "GKEY", "value": "g1"}, "external_id": "e"}));
        assert_eq!(item.unwrap().key, UpsertKey::GlobalKey("g1".into()));
        let item = convert(json!({"key": {"type": "ID", "value": "dr1"}, "external_id": "e"}));
        assert_eq!(item.unwrap().key, UpsertKey::DataRowId("dr1".into()));
    }

    #[test]
    fn every_problem_of_a_row_is_listed() {
        let message = convert(json!({
            "row_data": 5,
            "globalkey": "g",
            "media_type": "HOLOGRAM",
            "attachments": {},
            "key": "g1"
        }))
        .unwrap_err();
        for needle in ["row_data", "globalkey", "HOLOGRAM", "attachments", "key"] {
            assert!(message.contains(needle), "{needle} missing in {message}");
        }
    }

    #[test]
    fn list_entries_are_checked_and_named() {
        let item = convert(json!({"metadata_fields": [{"schema_id": "s1", "value": 1}]}));
        assert_eq!(item.unwrap().spec.metadata[0].schema_id, "s1");
        for (row, message) in [
            (
                json!({"metadata_fields": [5]}),
                "`metadata_fields[0]` must be an object",
            ),
            (
                json!({"metadata_fields": [{"value": 1}]}),
                "`metadata_fields[0]` needs a string `schemaId`",
            ),
            (
                json!({"metadata_fields": [{"schemaId": 7, "value": 1}]}),
                "`metadata_fields[0]` needs a string `schemaId`",
            ),
            (
                json!({"metadata_fields": [{"schemaId": "s"}]}),
                "`metadata_fields[0]` needs a `value`",
            ),
            (
                json!({"attachments": [{"type": "IMAGE", "value": "v"}, {"type": "IMAGE"}]}),
                "`attachments[1]` needs a string `value`",
            ),
            (
                json!({"attachments": [{"type": "IMAGE", "value": "v", "name": 1}]}),
                "`attachments[0].name` must be a string",
            ),
        ] {
            assert_eq!(convert(row).unwrap_err(), message);
        }
    }
}
