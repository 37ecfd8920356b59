//! Media types of data rows: which `media_type` values exist, whether a row's data fits the
//! one it names, and the `mediaAttributes` the service derives from it.
//!
//! Evidence (Labelbox's own integration tests): `IMAGE` on a JSON object is refused with
//! `Expected type image/*, detected: application/json`; an unknown media type is refused;
//! a PDF document object imported as `TEXT` is refused; conversational, tiled and PDF objects
//! import with their own media type or none.

use serde_json::{json, Value};

/// The media types the official SDK's `MediaType` enum names.
const KNOWN: [&str; 13] = [
    "AUDIO",
    "CONVERSATIONAL",
    "PDF",
    "TMS_GEO",
    "TMS_SIMPLE",
    "HTML",
    "IMAGE",
    "TEXT",
    "VIDEO",
    "POINT_CLOUD",
    "LLM",
    "UNKNOWN",
    "UNSUPPORTED",
];

/// The MIME family an asset of a media type must have, for the types whose data is a file.
fn file_family(media_type: &str) -> Option<&'static str> {
    match media_type {
        "IMAGE" => Some("image/*"),
        "VIDEO" => Some("video/*"),
        "AUDIO" => Some("audio/*"),
        "TEXT" => Some("text/*"),
        "HTML" => Some("text/html"),
        _ => None,
    }
}

/// Whether `row_data` fits `media_type` (none given: anything goes); the refusal's message.
pub(crate) fn check(media_type: Option<&str>, row_data: &Value) -> Result<(), String> {
    let Some(media_type) = media_type else {
        return Ok(());
    };
    if !KNOWN.contains(&media_type) {
        return Err(format!("Found invalid media type: '{media_type}'"));
    }
    match (file_family(media_type), row_data) {
        (Some(family), Value::Object(_) | Value::Array(_)) => Err(format!(
            "Expected type {family}, detected: application/json"
        )),
        (None, Value::Object(fields)) => object_fits(media_type, fields),
        _ => Ok(()),
    }
}

/// A JSON row of a structured media type must carry that type's own keys.
fn object_fits(media_type: &str, fields: &serde_json::Map<String, Value>) -> Result<(), String> {
    let needs = match media_type {
        "PDF" if fields.contains_key("pdf_url") => "pdf_url",
        "PDF" => "pdfUrl",
        "TMS_GEO" | "TMS_SIMPLE" => "tileLayerUrl",
        "CONVERSATIONAL" | "LLM" => "type",
        _ => return Ok(()),
    };
    if fields.contains_key(needs) {
        Ok(())
    } else {
        Err(format!(
            "Found invalid contents for media type: '{media_type}'"
        ))
    }
}

/// A row's data as the service keeps it: a PDF document object (`pdfUrl` or `pdf_url`, as
/// Labelbox's tests send it) becomes its document's URL; anything else stays as given.
pub(crate) fn document_url(row_data: Value) -> Value {
    let url = ["pdfUrl", "pdf_url"]
        .iter()
        .find_map(|key| row_data.get(key).and_then(Value::as_str).map(String::from));
    match url {
        Some(url) => Value::String(url),
        None => row_data,
    }
}

/// `mediaAttributes` of a processed row: the MIME type guessed from its data.
pub(crate) fn attributes(media_type: Option<&str>, row_data: &Value) -> Value {
    let mime = match (media_type, row_data) {
        (_, Value::Object(fields)) => object_mime(fields),
        (Some(m), _) if file_family(m).is_some() => file_family(m)
            .unwrap_or("application/octet-stream")
            .replace('*', "unknown"),
        (_, Value::String(s)) => mime_of_name(s).to_string(),
        _ => "application/octet-stream".to_string(),
    };
    json!({"mimeType": mime})
}

fn object_mime(fields: &serde_json::Map<String, Value>) -> String {
    if fields.contains_key("pdfUrl") || fields.contains_key("pdf_url") {
        return "application/pdf".into();
    }
    fields
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("application/json")
        .to_string()
}

/// The MIME type of a file name or URL by its extension.
fn mime_of_name(name: &str) -> &'static str {
    let path = name.split(['?', '#']).next().unwrap_or(name);
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "pdf" => "application/pdf",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        _ => "text/plain",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_media_types_refuse_json_objects() {
        assert_eq!(
            check(Some("IMAGE"), &json!({"invalid_object": "x"})),
            Err("Expected type image/*, detected: application/json".into())
        );
        assert!(check(Some("IMAGE"), &json!("https://a/b.jpg")).is_ok());
        assert!(check(Some("TEXT"), &json!({"pdfUrl": "https://a.pdf"})).is_err());
    }

    #[test]
    fn unknown_types_are_refused_and_structured_types_need_their_keys() {
        assert_eq!(
            check(Some("totallyinvalid"), &json!("x")),
            Err("Found invalid media type: 'totallyinvalid'".into())
        );
        assert!(check(Some("PDF"), &json!({"pdfUrl": "https://a.pdf"})).is_ok());
        assert!(check(Some("TMS_GEO"), &json!({"pdfUrl": "https://a.pdf"})).is_err());
        assert!(check(None, &json!({"anything": 1})).is_ok());
        assert!(check(Some("PDF"), &json!({"pdf_url": "https://a.pdf"})).is_ok());
    }

    #[test]
    fn pdf_documents_become_their_url() {
        assert_eq!(
            document_url(json!({"pdf_url": "https://a.pdf", "text_layer_url": "t"})),
            json!("https://a.pdf")
        );
        assert_eq!(document_url(json!({"text": "hi"})), json!({"text": "hi"}));
    }

    #[test]
    fn attributes_name_a_mime_type() {
        assert_eq!(
            attributes(None, &json!("https://x/cat.mp4")),
            json!({"mimeType": "video/mp4"})
        );
        assert_eq!(
            attributes(None, &json!({"pdfUrl": "u"})),
            json!({"mimeType": "application/pdf"})
        );
    }
}
