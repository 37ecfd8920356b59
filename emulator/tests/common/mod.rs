//! Test helpers: a plain HTTP client for the emulator (ureq, statuses not turned into errors).
#![allow(dead_code)]

use std::time::Duration;

use labelbox_emulator::{Emulator, EmulatorBuilder};
use serde_json::{json, Value};

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// POSTs a GraphQL request with `key`; answers (status, headers' Retry-After, body text).
pub fn post_raw(url: &str, key: Option<&str>, body: &Value) -> (u16, Option<String>, String) {
    let mut request = agent().post(url).header("Content-Type", "application/json");
    if let Some(key) = key {
        request = request.header("Authorization", format!("Bearer {key}"));
    }
    match request.send_json(body) {
        Ok(mut response) => {
            let retry = response
                .headers()
                .get("Retry-After")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let status = response.status().as_u16();
            // A body cut off mid-way is a failed request, whatever the status line said.
            match response.body_mut().read_to_string() {
                Ok(text) => (status, retry, text),
                Err(e) => (0, None, format!("body error after status {status}: {e}")),
            }
        }
        Err(e) => (0, None, format!("transport error: {e}")),
    }
}

/// POSTs raw `bytes` as `content_type` with the emulator's key; answers (status, JSON body,
/// `Null` when the body is not JSON).
pub fn post_bytes(emu: &Emulator, content_type: &str, bytes: &[u8]) -> (u16, Value) {
    let response = agent()
        .post(&emu.url())
        .header("Authorization", format!("Bearer {}", emu.api_key()))
        .header("Content-Type", content_type)
        .send(bytes);
    match response {
        Ok(mut r) => {
            let status = r.status().as_u16();
            let text = r.body_mut().read_to_string().unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        }
        Err(e) => (0, json!({"transport": e.to_string()})),
    }
}

/// A GraphQL request with the emulator's key; answers (status, JSON body).
pub fn gql(emu: &Emulator, query: &str, variables: Value) -> (u16, Value) {
    let (status, _, text) = post_raw(
        &emu.url(),
        Some(emu.api_key()),
        &json!({"query": query, "variables": variables}),
    );
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// `data` of a successful request, panicking with the body otherwise (tests only).
pub fn data(emu: &Emulator, query: &str, variables: Value) -> Value {
    let (status, body) = gql(emu, query, variables);
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

/// Uploads `bytes` with the GraphQL multipart request, as the official SDK does.
pub fn upload(emu: &Emulator, bytes: &[u8]) -> (u16, Value) {
    let operations = json!({
        "query": "mutation UploadFile($file: Upload!, $contentLength: Int!, $sign: Boolean) { uploadFile(file: $file, contentLength: $contentLength, sign: $sign) { url filename } }",
        "variables": {"file": null, "contentLength": bytes.len(), "sign": false}
    });
    post_multipart(
        emu,
        &operations,
        "1",
        "chunk.json",
        "application/json",
        bytes,
    )
}

/// A GraphQL multipart request: `operations`, the map of part `key` to `variables.file`, and
/// the file itself.
pub fn post_multipart(
    emu: &Emulator,
    operations: &Value,
    key: &str,
    file_name: &str,
    file_type: &str,
    bytes: &[u8],
) -> (u16, Value) {
    let boundary = "----emulatortestboundary";
    let mut body = Vec::new();
    let mut part = |headers: &str, content: &[u8]| {
        body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    };
    part(
        "Content-Disposition: form-data; name=\"operations\"",
        operations.to_string().as_bytes(),
    );
    part(
        "Content-Disposition: form-data; name=\"map\"",
        json!({key: ["variables.file"]}).to_string().as_bytes(),
    );
    part(
        &format!("Content-Disposition: form-data; name=\"{key}\"; filename=\"{file_name}\"\r\nContent-Type: {file_type}"),
        bytes,
    );
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    post_bytes(emu, &content_type, &body)
}

/// Uploads and answers the URL.
pub fn upload_url(emu: &Emulator, bytes: &[u8]) -> String {
    let (status, body) = upload(emu, bytes);
    assert_eq!(status, 200, "{body}");
    body["data"]["uploadFile"]["url"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// GET without any Authorization header.
pub fn get(url: &str) -> (u16, Vec<u8>) {
    match agent().get(url).call() {
        Ok(mut r) => {
            let status = r.status().as_u16();
            let bytes = r.body_mut().read_to_vec().unwrap_or_default();
            (status, bytes)
        }
        Err(_) => (0, Vec::new()),
    }
}

pub const UPSERT: &str = "mutation UpsertDataRowsPyApi($manifestUri: String!) { upsertDataRows(data: {manifestUri: $manifestUri}) { id createdAt updatedAt name status completionPercentage result errors type metadata } }";

pub const TASK: &str = "query T($userId: ID!, $taskId: ID!) { user(where: {id: $userId}) { createdTasks(where: {id: $taskId} skip: 0 first: 1) { id status completionPercentage type } } }";

pub const CANCEL: &str =
    "mutation CancelTaskPyApi($id: ID!) { cancelBulkOperationJob(id: $id) { success } }";

/// Starts the emulator `builder` describes, panicking if it cannot (tests only).
pub fn start(builder: EmulatorBuilder) -> Emulator {
    builder
        .start()
        .unwrap_or_else(|e| panic!("emulator did not start: {e}"))
}

/// `extensions.code` of the answer's first error ("" when there is none).
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

/// Uploads `items` as one chunk plus a manifest; answers the manifest's URL.
pub fn upload_manifest(emu: &Emulator, items: &Value) -> String {
    let chunk = upload_url(emu, items.to_string().as_bytes());
    let count = items.as_array().map_or(0, Vec::len);
    let manifest = json!({"source": "SDK", "item_count": count, "chunk_uris": [chunk]});
    upload_url(emu, manifest.to_string().as_bytes())
}

/// Uploads `items` as one chunk plus a manifest and starts the import; answers the task id.
pub fn start_import(emu: &Emulator, items: &Value) -> String {
    let manifest_url = upload_manifest(emu, items);
    let data = data(emu, UPSERT, json!({"manifestUri": manifest_url}));
    assert_eq!(data["upsertDataRows"]["status"], "IN_PROGRESS");
    assert_eq!(data["upsertDataRows"]["type"], "adv-upsert-data-rows");
    data["upsertDataRows"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The task as `createdTasks` answers it.
pub fn task(emu: &Emulator, id: &str) -> Value {
    let data = data(emu, TASK, json!({"userId": emu.user_id(), "taskId": id}));
    data["user"]["createdTasks"][0].clone()
}

/// `n` create items in `dataset`, global keys `{prefix}0`, `{prefix}1`, ...
pub fn create_items(dataset: &str, prefix: &str, n: usize) -> Value {
    Value::Array(
        (0..n)
            .map(|i| create_item(dataset, &format!("{prefix}{i}")))
            .collect(),
    )
}

/// A create item of PROTOCOL 3.6.
pub fn create_item(dataset: &str, global_key: &str) -> Value {
    json!({"id": {"type": "AUTO", "value": ""},
           "payload": {"row_data": format!("https://example.com/{global_key}.jpg"),
                       "global_key": global_key, "dataset_id": dataset}})
}
