//! The HTTP side: a `tiny_http` server with a pool of worker threads (keep-alive is tiny_http's),
//! routing, request parsing (JSON and GraphQL multipart), faults, auth and the answer's shape.

use std::io::{Cursor, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use async_graphql::futures_util::io::AllowStdIo;
use async_graphql::http::MultipartOptions;
use async_graphql::Variables;
use serde_json::{json, Value};
use tiny_http::{Header, Method, Request, Response, StatusCode};

use crate::document;
use crate::faults::{FaultKind, Faults, RateLimiter};
use crate::log::{key_fingerprint, RequestLog, RequestRecord};
use crate::schema::{EmulatorSchema, VALIDATION_FAILED};
use crate::store::Store;

/// Bodies above this are refused (the SDK's chunks are at most 10,000,000 bytes).
const MAX_BODY: u64 = 256 * 1024 * 1024;

/// What every worker needs to answer a request.
pub(crate) struct Service {
    pub(crate) store: Arc<Store>,
    pub(crate) schema: EmulatorSchema,
    pub(crate) faults: Faults,
    pub(crate) limiter: RateLimiter,
    pub(crate) log: RequestLog,
    pub(crate) seq: AtomicU64,
}

/// The running server and its workers.
pub(crate) struct Server {
    http: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
}

impl Server {
    pub(crate) fn start(http: tiny_http::Server, service: Arc<Service>, workers: usize) -> Self {
        let http = Arc::new(http);
        let stop = Arc::new(AtomicBool::new(false));
        let workers = (0..workers.max(1))
            .filter_map(|i| {
                let (http, stop, service) =
                    (Arc::clone(&http), Arc::clone(&stop), Arc::clone(&service));
                std::thread::Builder::new()
                    .name(format!("emulator-http-{i}"))
                    .spawn(move || work(&http, &stop, &service))
                    .ok()
            })
            .collect();
        Server {
            http,
            stop,
            workers,
        }
    }

    pub(crate) fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for _ in 0..self.workers.len() {
            self.http.unblock();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

fn work(http: &tiny_http::Server, stop: &AtomicBool, service: &Service) {
    while !stop.load(Ordering::SeqCst) {
        match http.recv_timeout(Duration::from_millis(200)) {
            Ok(Some(request)) => route(service, request),
            Ok(None) => continue,
            Err(_) => break,
        }
    }
}

fn route(service: &Service, request: Request) {
    let path = request.url().split('?').next().unwrap_or("").to_string();
    let method = request.method().clone();
    match (method, path.as_str()) {
        (Method::Post, "/graphql" | "/graphql/" | "/") => graphql(service, request),
        (Method::Get | Method::Head, p) if p.starts_with("/files/") => {
            let id = &p["/files/".len()..];
            serve_file(service, request, id.split('/').next().unwrap_or(id));
        }
        (Method::Get, "/" | "/graphql") => {
            let text = "labelbox-emulator: POST GraphQL requests to /graphql\n";
            respond(request, Response::from_string(text).with_status_code(200));
        }
        _ => respond(
            request,
            json_response(404, &json!({"message": "Not found"})),
        ),
    }
}

fn respond<R: Read>(request: Request, response: Response<R>) {
    // A client that went away is not the emulator's problem.
    let _ = request.respond(response);
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn json_response(status: u16, body: &Value) -> Response<Cursor<Vec<u8>>> {
    let mut response = Response::from_data(body.to_string().into_bytes()).with_status_code(status);
    if let Some(h) = header("Content-Type", "application/json") {
        response.add_header(h);
    }
    response
}

fn serve_file(service: &Service, request: Request, id: &str) {
    let Some(file) = service.store.file(id) else {
        respond(
            request,
            json_response(404, &json!({"message": "No such file"})),
        );
        return;
    };
    let len = file.bytes.len();
    let headers: Vec<Header> = header("Content-Type", &file.content_type)
        .into_iter()
        .collect();
    let response = Response::new(
        StatusCode(200),
        headers,
        Cursor::new(file.bytes),
        Some(len),
        None,
    );
    respond(request, response);
}

fn bearer_key(request: &Request) -> Option<String> {
    let value = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Authorization"))?
        .value
        .as_str()
        .trim();
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
struct Incoming {
    request: async_graphql::Request,
    logged_variables: Value,
}

fn read_incoming(content_type: &str, body: Vec<u8>) -> Result<Incoming, String> {
    if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        let reader = AllowStdIo::new(Cursor::new(body));
        let request = pollster::block_on(async_graphql::http::receive_body(
            Some(content_type),
            reader,
            MultipartOptions::default(),
        ))
        .map_err(|e| format!("Invalid multipart request: {e}"))?;
        let mut logged = serde_json::to_value(&request.variables).unwrap_or(Value::Null);
        null_uploads(&mut logged);
        return Ok(Incoming {
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
    Ok(Incoming {
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

/// The answer before it is written: status, JSON body and extra headers.
struct Answer {
    status: u16,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

impl Answer {
    fn new(status: u16, body: Value) -> Self {
        Answer {
            status,
            body: body.to_string().into_bytes(),
            headers: Vec::new(),
        }
    }
}

fn graphql(service: &Service, mut request: Request) {
    let seq = service.seq.fetch_add(1, Ordering::SeqCst);
    let key = bearer_key(&request);
    let content_type = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Content-Type"))
        .map(|h| h.value.as_str().to_string())
        .unwrap_or_default();
    let mut body = Vec::new();
    let read = request.as_reader().take(MAX_BODY).read_to_end(&mut body);
    let incoming = match read {
        Ok(_) => read_incoming(&content_type, body),
        Err(e) => Err(format!("Unreadable request body: {e}")),
    };
    let info = incoming
        .as_ref()
        .ok()
        .map(|i| document::inspect(&i.request.query, i.request.operation_name.as_deref()));
    let mut record = RequestRecord {
        seq,
        operation: None,
        fields: Vec::new(),
        variables: incoming
            .as_ref()
            .map(|i| i.logged_variables.clone())
            .unwrap_or(Value::Null),
        key_fingerprint: key.as_deref().map(key_fingerprint),
        status: 0,
        fault: None,
    };
    if let Some(Ok(info)) = &info {
        record.operation = info.name.clone();
        record.fields = info.fields.clone();
    }

    let latency = service.faults.added_latency();
    if !latency.is_zero() {
        std::thread::sleep(latency);
    }
    if let Some(answer) = gateway_fault(service, seq, &mut record) {
        finish(service, request, answer, None, record);
        return;
    }
    let answer = execute(service, key.as_deref(), incoming, info);
    let cut = service.faults.drop_for(seq, &record.fields);
    finish(service, request, answer, cut, record);
}

/// Rate limiting and 5xx, decided before anything is executed (a gateway-style fault).
fn gateway_fault(service: &Service, seq: u64, record: &mut RequestRecord) -> Option<Answer> {
    if let Some(refusal) = service.limiter.check(Instant::now()) {
        record.fault = Some(FaultKind::RateLimited);
        let mut answer = Answer::new(429, json!({"message": refusal.message}));
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
    Some(Answer::new(status, json!({"message": message})))
}

fn execute(
    service: &Service,
    key: Option<&str>,
    incoming: Result<Incoming, String>,
    info: Option<Result<document::OperationInfo, String>>,
) -> Answer {
    if key != Some(service.store.api_key.as_str()) {
        return Answer::new(401, error_body("Invalid API key", "AUTHENTICATION_ERROR"));
    }
    let incoming = match incoming {
        Ok(i) => i,
        Err(message) => return Answer::new(400, error_body(&message, "MALFORMED_REQUEST")),
    };
    if let Some(Err(message)) = info {
        return Answer::new(400, error_body(&message, "GRAPHQL_PARSE_FAILED"));
    }
    let response = pollster::block_on(service.schema.execute(incoming.request));
    if response.errors.is_empty() {
        // The common case, serialized straight to bytes (result pages are large).
        let body = serde_json::to_vec(&response).unwrap_or_default();
        return Answer {
            status: 200,
            body,
            headers: Vec::new(),
        };
    }
    let mut body = serde_json::to_value(&response).unwrap_or(Value::Null);
    let status = if classify_errors(&mut body) { 400 } else { 200 };
    if let Value::Object(map) = &mut body {
        map.entry("data").or_insert(Value::Null);
    }
    Answer::new(status, body)
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

fn finish(
    service: &Service,
    request: Request,
    answer: Answer,
    cut: Option<FaultKind>,
    mut record: RequestRecord,
) {
    record.status = answer.status;
    if cut.is_some() {
        record.fault = cut;
    }
    // Log before answering: once a client has its answer, the record is readable.
    service.log.push(record);
    match cut {
        Some(kind) => write_cut(request, &answer, kind),
        None => {
            let mut response = Response::from_data(answer.body).with_status_code(answer.status);
            if let Some(h) = header("Content-Type", "application/json") {
                response.add_header(h);
            }
            for (name, value) in &answer.headers {
                if let Some(h) = header(name, value) {
                    response.add_header(h);
                }
            }
            respond(request, response);
        }
    }
}

/// Writes a response the client cannot complete: a garbled status line, or a chunked body
/// that breaks off halfway with an invalid chunk. tiny_http gives no way to close a kept-alive
/// socket, so the cut is made in the protocol; the client sees a broken response either way.
fn write_cut(request: Request, answer: &Answer, kind: FaultKind) {
    let mut writer = request.into_writer();
    let half = &answer.body[..answer.body.len() / 2];
    let mut out = Vec::new();
    if kind == FaultKind::DroppedMidBody {
        out.extend_from_slice(
            format!(
                "HTTP/1.1 {} OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
                answer.status,
                half.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(half);
        out.extend_from_slice(b"\r\nzz-connection-dropped\r\n");
    } else {
        out.extend_from_slice(b"HTTP/1.1 \r\n\r\n");
    }
    let _ = writer.write_all(&out);
    let _ = writer.flush();
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
