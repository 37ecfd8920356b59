//! The HTTP side: routing, GraphQL requests (JSON and GraphQL multipart), auth, faults and the
//! answer's shape. The server under it (`server`) is hyper on a tokio runtime the emulator owns;
//! GraphQL is executed by async-graphql natively on that runtime.
//!
//! A GraphQL request is refused on its headers (wrong key: 401, declared body over the limit:
//! 413) before its body is read, so unauthenticated or oversized posts cost no memory.

mod body;
mod response;
mod rest;
mod server;

use std::io::Cursor;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::futures_util::io::AllowStdIo;
use async_graphql::http::MultipartOptions;
use async_graphql::Variables;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE};
use hyper::{Method, Request, Response};
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::document;
use crate::faults::{FaultKind, Faults, RateLimiter};
use crate::log::{key_fingerprint, RequestLog, RequestRecord};
use crate::schema::{EmulatorSchema, VALIDATION_FAILED};
use crate::store::Store;
use body::BodyError;
use response::{Answer, Dropped, ResponseBody};

pub(crate) use server::Server;

/// Limits that keep a misbehaving client from taking the server down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Limits {
    /// Longest request body accepted; a longer declared one is answered 413 unread.
    pub(crate) max_body_bytes: u64,
    /// How long a request body may take to arrive whole.
    pub(crate) body_timeout: Duration,
    /// Connections open at once; more wait in the listen backlog.
    pub(crate) max_connections: usize,
    /// How long a connection may go without sending a complete request head.
    pub(crate) idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: crate::emulator::DEFAULT_MAX_BODY_BYTES,
            body_timeout: crate::emulator::DEFAULT_BODY_TIMEOUT,
            max_connections: crate::emulator::DEFAULT_MAX_CONNECTIONS,
            idle_timeout: crate::emulator::DEFAULT_IDLE_TIMEOUT,
        }
    }
}

/// What every connection needs to answer a request.
pub(crate) struct Service {
    pub(crate) store: Arc<Store>,
    pub(crate) schema: EmulatorSchema,
    pub(crate) faults: Faults,
    pub(crate) limiter: RateLimiter,
    pub(crate) log: RequestLog,
    pub(crate) seq: AtomicU64,
    pub(crate) limits: Limits,
}

/// Routes one request. `Err` closes the connection without an answer (a fault).
async fn handle(
    service: &Service,
    request: Request<Incoming>,
    stop: watch::Receiver<bool>,
) -> Result<Response<ResponseBody>, Dropped> {
    let path = request.uri().path();
    match (request.method(), path) {
        // `/_gql` is where the official SDK sends its "experimental" requests.
        (&Method::POST, "/graphql" | "/graphql/" | "/" | "/_gql") => {
            graphql(service, request, stop).await
        }
        // The REST deletions of unused ontologies and feature schemas (fixture teardowns).
        (&Method::DELETE, p) if rest::is_unused_schema_deletion(p) => {
            Ok(rest::delete_unused_schema(service, request.headers(), p))
        }
        (&Method::GET | &Method::HEAD, p) if p.starts_with("/files/") => {
            let id = &p["/files/".len()..];
            let id = id.split('/').next().unwrap_or(id);
            let head = request.method() == Method::HEAD;
            Ok(match service.store.file(id) {
                Some(file) => response::file(file, head),
                None => not_found("No such file"),
            })
        }
        (&Method::GET, "/" | "/graphql") => Ok(response::text(
            200,
            "labelbox-emulator: POST GraphQL requests to /graphql\n",
        )),
        _ => Ok(not_found("Not found")),
    }
}

fn not_found(message: &str) -> Response<ResponseBody> {
    response::whole_answer(Answer::new(404, &json!({ "message": message })))
}

fn bearer_key(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let key = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .unwrap_or(value);
    Some(key.trim().to_string())
}

fn error_body(message: &str, code: &str) -> Value {
    json!({"errors": [{"message": message, "extensions": {"code": code}}], "data": null})
}

/// One GraphQL request, parsed from the body.
struct ParsedRequest {
    request: async_graphql::Request,
    logged_variables: Value,
}

async fn read_incoming(content_type: &str, body: Bytes) -> Result<ParsedRequest, String> {
    if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        let reader = AllowStdIo::new(Cursor::new(body));
        let request = async_graphql::http::receive_body(
            Some(content_type),
            reader,
            MultipartOptions::default(),
        )
        .await
        .map_err(|e| format!("Invalid multipart request: {e}"))?;
        let mut logged = serde_json::to_value(&request.variables).unwrap_or(Value::Null);
        null_uploads(&mut logged);
        return Ok(ParsedRequest {
            request,
            logged_variables: logged,
        });
    }
    let body: Value =
        serde_json::from_slice(&body).map_err(|e| format!("Request body is not JSON: {e}"))?;
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .ok_or("Request body has no \"query\" string")?;
    let variables = match body.get("variables") {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => return Err("\"variables\" must be an object".into()),
    };
    let mut request =
        async_graphql::Request::new(query).variables(Variables::from_json(variables.clone()));
    if let Some(name) = body.get("operationName").and_then(Value::as_str) {
        request = request.operation_name(name);
    }
    Ok(ParsedRequest {
        request,
        logged_variables: variables,
    })
}

/// Replaces async-graphql's upload placeholders with `null`, as the client sent them.
fn null_uploads(value: &mut Value) {
    match value {
        Value::String(s) if s.starts_with("#__graphql_file__:") => *value = Value::Null,
        Value::Array(items) => items.iter_mut().for_each(null_uploads),
        Value::Object(map) => map.values_mut().for_each(null_uploads),
        _ => {}
    }
}

async fn graphql(
    service: &Service,
    request: Request<Incoming>,
    mut stop: watch::Receiver<bool>,
) -> Result<Response<ResponseBody>, Dropped> {
    let seq = service.seq.fetch_add(1, Ordering::SeqCst);
    let (parts, body) = request.into_parts();
    let key = bearer_key(&parts.headers);
    let mut record = RequestRecord {
        seq,
        operation: None,
        fields: Vec::new(),
        variables: Value::Null,
        key_fingerprint: key.as_deref().map(key_fingerprint),
        status: 0,
        fault: None,
    };
    let latency = service.faults.added_latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(refusal) = refuse_unread(service, key.as_deref(), &parts.headers) {
        return finish(service, refusal, None, record);
    }
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let bytes = match body::read(&parts.headers, body, &service.limits, &mut stop).await {
        Ok(bytes) => bytes,
        Err(error) => return finish(service, body_refusal(error), None, record),
    };
    let incoming = read_incoming(content_type, bytes).await;
    let info = incoming
        .as_ref()
        .ok()
        .map(|i| document::inspect(&i.request.query, i.request.operation_name.as_deref()));
    if let Ok(incoming) = &incoming {
        record.variables = incoming.logged_variables.clone();
    }
    if let Some(Ok(info)) = &info {
        record.operation = info.name.clone();
        record.fields = info.fields.clone();
    }
    if let Some(answer) = gateway_fault(service, seq, &mut record) {
        return finish(service, answer, None, record);
    }
    let answer = execute(service, incoming, info).await;
    let cut = service.faults.drop_for(seq, &record.fields);
    finish(service, answer, cut, record)
}

/// A wrong key (401) or a declared body over the limit (413): answered from the headers alone,
/// so the body is never read. hyper then drains what has already arrived of the body and keeps
/// the connection, or closes it when more is still to come.
fn refuse_unread(service: &Service, key: Option<&str>, headers: &HeaderMap) -> Option<Answer> {
    if key != Some(service.store.api_key.as_str()) {
        let body = error_body("Invalid API key", "AUTHENTICATION_ERROR");
        return Some(Answer::new(401, &body));
    }
    body::check_declared_length(headers, &service.limits)
        .err()
        .map(body_refusal)
}

/// The answer to a body that could not be read; the connection is closed after it.
fn body_refusal(error: BodyError) -> Answer {
    let (status, message) = match error {
        BodyError::TooLarge => (
            413,
            "Request body is larger than the emulator accepts".into(),
        ),
        BodyError::TimedOut(after) => (
            408,
            format!(
                "Request body not received within {}",
                humantime::format_duration(after)
            ),
        ),
        BodyError::ShuttingDown => (503, "The emulator is shutting down".into()),
        BodyError::Unreadable(e) => {
            let body = error_body(
                &format!("Unreadable request body: {e}"),
                "MALFORMED_REQUEST",
            );
            return Answer::new(400, &body).closing();
        }
    };
    Answer::new(status, &json!({ "message": message })).closing()
}

/// Rate limiting and 5xx, decided before anything is executed (a gateway-style fault).
fn gateway_fault(service: &Service, seq: u64, record: &mut RequestRecord) -> Option<Answer> {
    if let Some(refusal) = service.limiter.check(Instant::now()) {
        record.fault = Some(FaultKind::RateLimited);
        let mut answer = Answer::new(429, &json!({"message": refusal.message}));
        answer
            .headers
            .push(("Retry-After", refusal.retry_after_secs.to_string()));
        return Some(answer);
    }
    let status = service.faults.server_error_for(seq, &record.fields)?;
    record.fault = Some(FaultKind::ServerError(status));
    let message = match status {
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    };
    Some(Answer::new(status, &json!({"message": message})))
}

async fn execute(
    service: &Service,
    incoming: Result<ParsedRequest, String>,
    info: Option<Result<document::OperationInfo, String>>,
) -> Answer {
    let incoming = match incoming {
        Ok(i) => i,
        Err(message) => return Answer::new(400, &error_body(&message, "MALFORMED_REQUEST")),
    };
    if let Some(Err(message)) = info {
        return Answer::new(400, &error_body(&message, "GRAPHQL_PARSE_FAILED"));
    }
    let response = service.schema.execute(incoming.request).await;
    if response.errors.is_empty() {
        // The common case, serialized straight to bytes (result pages are large).
        return Answer::from_bytes(200, serde_json::to_vec(&response).unwrap_or_default());
    }
    let mut body = serde_json::to_value(&response).unwrap_or(Value::Null);
    let status = if classify_errors(&mut body) { 400 } else { 200 };
    if let Value::Object(map) = &mut body {
        map.entry("data").or_insert(Value::Null);
    }
    Answer::new(status, &body)
}

/// Gives every error an `extensions.code` as the service does. Resolvers always set a code, so
/// an error without one comes from the engine checking the document or its variables against
/// the schema: `GRAPHQL_VALIDATION_FAILED`. True when there is such an error (answered 400),
/// whether the engine or a resolver checking an argument raised it.
fn classify_errors(body: &mut Value) -> bool {
    let mut validation = false;
    let Some(errors) = body.get_mut("errors").and_then(Value::as_array_mut) else {
        return false;
    };
    for error in errors {
        match error.pointer("/extensions/code").and_then(Value::as_str) {
            Some(code) => validation |= code == VALIDATION_FAILED,
            None => {
                validation = true;
                if let Value::Object(map) = error {
                    let ext = map.entry("extensions").or_insert_with(|| json!({}));
                    if let Value::Object(ext) = ext {
                        ext.insert("code".into(), json!(VALIDATION_FAILED));
                    }
                }
            }
        }
    }
    validation
}

/// Logs the request, then writes its answer (or cuts it, for a dropped-connection fault).
fn finish(
    service: &Service,
    answer: Answer,
    cut: Option<FaultKind>,
    mut record: RequestRecord,
) -> Result<Response<ResponseBody>, Dropped> {
    record.status = answer.status;
    if cut.is_some() {
        record.fault = cut;
    }
    // Log before answering: once a client has its answer, the record is readable.
    service.log.push(record);
    response::written(answer, cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_get_their_code_and_400() {
        let mut body = json!({"data": null, "errors": [{"message": "Unknown field"}]});
        assert!(classify_errors(&mut body));
        assert_eq!(
            body.pointer("/errors/0/extensions/code"),
            Some(&json!("GRAPHQL_VALIDATION_FAILED"))
        );
        let mut coded = json!({"data": {"dataset": null}, "errors": [
            {"message": "nf", "path": ["dataset"], "extensions": {"code": "RESOURCE_NOT_FOUND"}}]});
        assert!(!classify_errors(&mut coded));
    }

    #[test]
    fn upload_placeholders_are_logged_as_null() {
        let mut v = json!({"file": "#__graphql_file__:0", "contentLength": 3});
        null_uploads(&mut v);
        assert_eq!(v, json!({"file": null, "contentLength": 3}));
    }
}
