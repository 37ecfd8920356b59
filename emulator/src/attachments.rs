//! Data-row attachments as stored: `{"id", "type", "value", "name"}` objects.

use serde_json::{json, Value};

/// One attachment as a row stores it.
pub(crate) fn stored(id: String, kind: &str, value: &str, name: Option<&str>) -> Value {
    json!({"id": id, "type": kind, "value": value, "name": name})
}

/// A field of a stored attachment, as text (`None` when absent or null).
pub(crate) fn field<'a>(attachment: &'a Value, key: &str) -> Option<&'a str> {
    attachment.get(key).and_then(Value::as_str)
}

/// A stored attachment as it was given (`{"type", "value", "name"}`), without the id the
/// emulator gave it: how export lines show it.
pub(crate) fn as_given(attachment: &Value) -> Value {
    json!({
        "type": field(attachment, "type"),
        "value": field(attachment, "value"),
        "name": field(attachment, "name"),
    })
}
