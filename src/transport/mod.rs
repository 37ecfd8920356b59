//! The only place that talks HTTP.
//!
//! Sends GraphQL documents (JSON and multipart), downloads signed result files without the
//! API key, classifies every answer as PROTOCOL.md section 1.1 says, and retries transient
//! failures under the client's [`RetryPolicy`].

pub(crate) mod retry;

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use ureq::http::Response;
use ureq::Body;

use crate::config::ClientBuilder;
use crate::error::{excerpt, Error, Result};
use crate::transport::retry::{Clock, Jitter, RetryPolicy};

/// Responses are read whole whatever their size (ureq's default limit is 10 MiB).
const BODY_LIMIT: u64 = u64::MAX;

/// `X-User-Agent` sent with every GraphQL request.
pub(crate) const SDK_USER_AGENT: &str = concat!("rust-sdk ", env!("CARGO_PKG_VERSION"));

const UPLOAD_DOCUMENT: &str = "mutation UploadFile($file: Upload!, $contentLength: Int!, $sign: Boolean) { uploadFile(file: $file, contentLength: $contentLength, sign: $sign) { url filename } }";

/// Whether a request may be sent again after a failure that leaves its fate unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Queries, uploads and downloads: sending twice is harmless.
    Idempotent,
    /// Mutations: re-sent only when the first send surely was not processed.
    Mutation,
}

/// A failed attempt: the error, and whether the request surely never reached the service
/// (connection refused, host not found, connect timeout, rate limited).
struct Failure {
    error: Error,
    not_processed: bool,
}

impl Failure {
    fn ambiguous(error: Error) -> Self {
        Failure {
            error,
            not_processed: false,
        }
    }
    fn not_processed(error: Error) -> Self {
        Failure {
            error,
            not_processed: true,
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::ambiguous(error)
    }
}

/// The HTTP side of a [`Client`](crate::Client). Crate-private; see docs/ARCHITECTURE.md.
pub(crate) struct Transport {
    agent: ureq::Agent,
    endpoint: String,
    api_key: String,
    request_timeout: Duration,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
    jitter: Jitter,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("endpoint", &self.endpoint)
            .field("api_key", &"<redacted>")
            .field("request_timeout", &self.request_timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// Builds the one agent (one keep-alive pool) every request of a client goes through.
    pub(crate) fn new(b: &ClientBuilder) -> Self {
        let config = ureq::Agent::config_builder()
            // Statuses are classified here, with their bodies, not by ureq.
            .http_status_as_error(false)
            .timeout_connect(Some(b.connect_timeout))
            .timeout_global(Some(b.request_timeout))
            .build();
        Transport {
            agent: ureq::Agent::new_with_config(config),
            endpoint: b.endpoint.clone(),
            api_key: b.api_key.as_deref().unwrap_or("").trim().to_owned(),
            request_timeout: b.request_timeout,
            retry: b.retry.clone(),
            clock: b.clock.clone(),
            jitter: b.jitter.clone(),
        }
    }

    /// The endpoint requests are sent to.
    pub(crate) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The clock every wait of this client uses.
    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// A GraphQL query: retried on every transient failure.
    pub(crate) fn query<T: DeserializeOwned>(&self, document: &str, variables: Value) -> Result<T> {
        self.graphql(Kind::Idempotent, document, variables, None)
    }

    /// A GraphQL query whose retries must not end past `deadline` (on the client's clock):
    /// the polls of a wait.
    pub(crate) fn query_until<T: DeserializeOwned>(
        &self,
        document: &str,
        variables: Value,
        deadline: Instant,
    ) -> Result<T> {
        self.graphql(Kind::Idempotent, document, variables, Some(deadline))
    }

    /// A GraphQL mutation: retried only where the request surely was not processed
    /// (connection refused before sending, rate limited).
    pub(crate) fn mutate<T: DeserializeOwned>(
        &self,
        document: &str,
        variables: Value,
    ) -> Result<T> {
        self.graphql(Kind::Mutation, document, variables, None)
    }

    /// Multipart `uploadFile` (PROTOCOL 3.6 step 2); returns the file's URL. A duplicate
    /// upload is harmless (an orphan file), so uploads are retried like queries.
    pub(crate) fn upload_file(
        &self,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<String> {
        let operations = serde_json::json!({
            "query": UPLOAD_DOCUMENT,
            "variables": {"file": null, "contentLength": bytes.len(), "sign": false},
        });
        let boundary = format!("labelbox-rs-{:016x}", crate::transport::retry::random_u64());
        let body = multipart_body(&boundary, &operations, file_name, content_type, bytes);
        let content_type_header = format!("multipart/form-data; boundary={boundary}");

        #[derive(Deserialize)]
        struct Uploaded {
            url: String,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            upload_file: Uploaded,
        }
        let data: Data = self.with_retries(Kind::Idempotent, None, || {
            self.post(&content_type_header, &body)
        })?;
        Ok(data.upload_file.url)
    }

    /// GET a signed result URL with NO Authorization header, with a connect timeout and a
    /// per-read timeout (no total limit, so large files can be streamed), bodies of any size.
    pub(crate) fn download(&self, url: &str) -> Result<Box<dyn Read + Send>> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(Error::invalid_input(
                "url",
                format!("{:?} is not an http(s) URL", strip_query(url)),
            ));
        }
        self.with_retries(Kind::Idempotent, None, || {
            let mut response = self
                .agent
                .get(url)
                .config()
                .timeout_global(None)
                .timeout_per_read(Some(self.request_timeout))
                .build()
                .call()
                .map_err(classify_transport)?;
            let status = response.status().as_u16();
            match status {
                200..=299 => {
                    let reader = response
                        .into_body()
                        .into_with_config()
                        .limit(BODY_LIMIT)
                        .reader();
                    Ok(Box::new(reader) as Box<dyn Read + Send>)
                }
                500..=599 => {
                    let body = read_lossy(&mut response);
                    Err(Failure::ambiguous(server_error(status, &self.mask(&body))))
                }
                404 => Err(Failure::ambiguous(Error::NotFound {
                    what: "result file".into(),
                    id: strip_query(url).to_owned(),
                })),
                _ => {
                    let body = read_lossy(&mut response);
                    Err(Failure::ambiguous(Error::Api {
                        status,
                        message: self.mask(&excerpt(&body)),
                    }))
                }
            }
        })
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.api_key)
    }

    /// Masks the key in text that may end up in an error (a body echoing the request).
    fn mask(&self, text: &str) -> String {
        if self.api_key.is_empty() {
            text.to_owned()
        } else {
            text.replace(&self.api_key, "<redacted>")
        }
    }

    fn graphql<T: DeserializeOwned>(
        &self,
        kind: Kind,
        document: &str,
        variables: Value,
        deadline: Option<Instant>,
    ) -> Result<T> {
        let variables = if variables.is_null() || variables.is_object() {
            variables
        } else {
            return Err(Error::invalid_input(
                "variables",
                "GraphQL variables must be a JSON object or null",
            ));
        };
        let body = serde_json::to_vec(&serde_json::json!({
            "query": document,
            "variables": variables,
        }))
        .map_err(|e| Error::invalid_input("variables", e.to_string()))?;
        self.with_retries(kind, deadline, || self.post("application/json", &body))
    }

    /// One POST of `body` to the endpoint with the headers every GraphQL request carries (the
    /// key, JSON accepted, the SDK's user agent), its answer classified and decoded.
    fn post<T: DeserializeOwned>(
        &self,
        content_type: &str,
        body: &[u8],
    ) -> std::result::Result<T, Failure> {
        let response = self
            .agent
            .post(&self.endpoint)
            .header("Authorization", &self.bearer())
            .header("Content-Type", content_type)
            .header("Accept", "application/json")
            .header("X-User-Agent", SDK_USER_AGENT)
            .send(body)
            .map_err(classify_transport)?;
        self.decode_answer(response)
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retry policy is spent.
    fn with_retries<R>(
        &self,
        kind: Kind,
        deadline: Option<Instant>,
        mut attempt: impl FnMut() -> std::result::Result<R, Failure>,
    ) -> Result<R> {
        let start = self.clock.now();
        // No retry may end past the budget, nor past the caller's deadline (a wait's).
        let budget_end = start.checked_add(self.retry.get_total_budget());
        let limit = match (budget_end, deadline) {
            (Some(b), Some(d)) => Some(b.min(d)),
            (b, d) => b.or(d),
        };
        let mut sent: u32 = 1;
        loop {
            let failure = match attempt() {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            let may_resend = kind == Kind::Idempotent || failure.not_processed;
            if !(failure.error.is_retryable() && may_resend)
                || sent >= self.retry.get_max_attempts()
            {
                return Err(finish(kind, failure, sent));
            }
            let delay = match &failure.error {
                Error::RateLimited {
                    retry_after: Some(d),
                    ..
                } => *d,
                _ => (self.jitter)(self.retry.ceiling(sent)),
            };
            let now = self.clock.now();
            if limit.is_some_and(|limit| now.checked_add(delay).is_none_or(|end| end > limit)) {
                log::debug!(
                    "not retrying: a {delay:?} delay would exceed the retry budget or deadline"
                );
                return Err(finish(kind, failure, sent));
            }
            log::debug!(
                "attempt {sent} failed ({}); retrying in {delay:?}",
                failure.error
            );
            self.clock.sleep(delay);
            sent += 1;
        }
    }

    /// Classifies an HTTP answer (PROTOCOL 1.1 steps 2 to 7) and decodes its `data`.
    fn decode_answer<T: DeserializeOwned>(
        &self,
        mut response: Response<Body>,
    ) -> std::result::Result<T, Failure> {
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        if (500..=599).contains(&status) {
            let body = read_lossy(&mut response);
            return Err(Failure::ambiguous(server_error(status, &self.mask(&body))));
        }
        let bytes = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_vec()
            .map_err(classify_transport)?;
        let text = || self.mask(&String::from_utf8_lossy(&bytes));
        let answer: Value = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(_) if status == 429 => {
                return Err(Failure::not_processed(Error::RateLimited {
                    message: excerpt(&text()),
                    retry_after,
                    attempts: 1,
                }))
            }
            Err(e) => {
                return Err(Failure::ambiguous(Error::decode(
                    format!("failed to parse response as JSON (HTTP {status}): {e}"),
                    &text(),
                )))
            }
        };
        let data = self.classify_json(status, retry_after, &answer, &text)?;
        T::deserialize(data).map_err(|e| Failure::ambiguous(Error::decode(e.to_string(), &text())))
    }
}

impl Transport {
    /// PROTOCOL 1.1 steps 4 to 7 on a JSON answer: its `errors`, rate limiting, a non-200
    /// status, else its `data`.
    fn classify_json<'a>(
        &self,
        status: u16,
        retry_after: Option<Duration>,
        answer: &'a Value,
        text: &dyn Fn() -> String,
    ) -> std::result::Result<&'a Value, Failure> {
        if let Some(errors) = answer.get("errors").and_then(Value::as_array) {
            if !errors.is_empty() {
                let body = self.mask(&answer.to_string());
                return Err(Failure::ambiguous(classify_graphql_errors(
                    status, errors, &body,
                )));
            }
        }
        let message = answer.get("message").and_then(Value::as_str);
        let message_or_body = || message.map_or_else(|| excerpt(&text()), str::to_owned);
        if status == 429 || message.is_some_and(|m| m.starts_with("You have exceeded")) {
            return Err(Failure::not_processed(Error::RateLimited {
                message: message_or_body(),
                retry_after,
                attempts: 1,
            }));
        }
        if status != 200 {
            let message = message_or_body();
            return Err(Failure::ambiguous(match status {
                401 => Error::Authentication { message },
                403 => Error::Authorization { message },
                _ => Error::Api { status, message },
            }));
        }
        match answer.get("data") {
            Some(data) if !data.is_null() => Ok(data),
            _ => Err(Failure::ambiguous(Error::decode(
                "the answer has no data",
                &text(),
            ))),
        }
    }
}

/// The error to hand back once retrying stops.
fn finish(kind: Kind, failure: Failure, sent: u32) -> Error {
    let error = failure.error.with_attempts(sent);
    let transient = matches!(
        error,
        Error::Network { .. }
            | Error::Timeout { .. }
            | Error::Server {
                retryable: true,
                ..
            }
    );
    if kind == Kind::Mutation && transient && !failure.not_processed {
        error.mark_ambiguous()
    } else {
        error
    }
}

/// HTTP 5xx: a server error, or a connection reset reported by a proxy.
fn server_error(status: u16, body: &str) -> Error {
    if body.contains("upstream connect error or disconnect/reset before headers") {
        return Error::Network {
            message: format!("connection reset by the service's proxy (HTTP {status})"),
            attempts: 1,
            may_have_been_processed: false,
        };
    }
    let message = if status == 502 {
        "Bad Gateway".to_owned()
    } else if body.trim().is_empty() {
        format!("HTTP {status}")
    } else {
        excerpt(body)
    };
    Error::Server {
        status,
        message,
        retryable: true,
        attempts: 1,
        may_have_been_processed: false,
    }
}

/// The GraphQL `errors` array, by `extensions.code`, first code of the table that matches.
fn classify_graphql_errors(status: u16, errors: &[Value], body: &str) -> Error {
    const ORDER: [&str; 9] = [
        "AUTHENTICATION_ERROR",
        "AUTHORIZATION_ERROR",
        "GRAPHQL_VALIDATION_FAILED",
        "GRAPHQL_PARSE_FAILED",
        "RESOURCE_NOT_FOUND",
        "RESOURCE_CONFLICT",
        "MALFORMED_REQUEST",
        "OPERATION_NOT_ALLOWED",
        "INTERNAL_SERVER_ERROR",
    ];
    let code_of = |e: &Value| {
        e.pointer("/extensions/code")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let message_of = |e: &Value| {
        e.get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    for code in ORDER {
        let Some(error) = errors.iter().find(|e| code_of(e).as_deref() == Some(code)) else {
            continue;
        };
        let message = message_of(error);
        return match code {
            "AUTHENTICATION_ERROR" => Error::Authentication { message },
            "AUTHORIZATION_ERROR" => Error::Authorization { message },
            "GRAPHQL_VALIDATION_FAILED" | "GRAPHQL_PARSE_FAILED" | "MALFORMED_REQUEST" => {
                Error::InvalidQuery { message }
            }
            "RESOURCE_NOT_FOUND" => Error::NotFound {
                what: message,
                id: String::new(),
            },
            "RESOURCE_CONFLICT" => Error::Conflict { message },
            "OPERATION_NOT_ALLOWED" => Error::OperationNotAllowed { message },
            _ => internal_error(error, message),
        };
    }
    let messages: Vec<String> = errors.iter().map(message_of).collect();
    let message = if messages.iter().all(String::is_empty) {
        excerpt(body)
    } else {
        messages.join("; ")
    };
    Error::Api { status, message }
}

/// `INTERNAL_SERVER_ERROR`, refined by `extensions.exception.status`.
fn internal_error(error: &Value, message: String) -> Error {
    let status = error
        .pointer("/extensions/exception/status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok());
    match status {
        Some(400) => Error::InvalidQuery { message },
        Some(422) => Error::Unprocessable { message },
        Some(426) => Error::OperationNotAllowed { message },
        Some(500) | None => Error::Server {
            status: 500,
            message,
            retryable: false,
            attempts: 1,
            may_have_been_processed: false,
        },
        Some(other) => Error::Server {
            status: other,
            message,
            retryable: true,
            attempts: 1,
            may_have_been_processed: false,
        },
    }
}

/// Maps a ureq failure (no HTTP answer) to an error, noting when the request surely
/// never reached the service.
fn classify_transport(e: ureq::Error) -> Failure {
    use std::io::ErrorKind;
    use ureq::Timeout as T;
    let network = |message: String| Error::Network {
        message,
        attempts: 1,
        may_have_been_processed: false,
    };
    let timeout = |message: String| Error::Timeout {
        message,
        attempts: 1,
        may_have_been_processed: false,
    };
    match e {
        ureq::Error::Timeout(t @ (T::Resolve | T::Connect)) => {
            Failure::not_processed(timeout(format!("{t} timeout")))
        }
        ureq::Error::Timeout(t) => Failure::ambiguous(timeout(format!("{t} timeout"))),
        ureq::Error::HostNotFound => Failure::not_processed(network("host not found".into())),
        ureq::Error::ConnectionFailed => {
            Failure::not_processed(network("connection failed".into()))
        }
        ureq::Error::Io(io) if io.kind() == ErrorKind::ConnectionRefused => {
            Failure::not_processed(network(format!("connection refused: {io}")))
        }
        ureq::Error::Io(io) if matches!(io.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
            Failure::ambiguous(timeout(io.to_string()))
        }
        ureq::Error::Io(io) => Failure::ambiguous(network(io.to_string())),
        ureq::Error::BadUri(uri) => Failure::ambiguous(Error::invalid_input(
            "url",
            format!("bad URI {:?}", strip_query(&uri)),
        )),
        ureq::Error::Http(e) => Failure::ambiguous(Error::invalid_input("request", e.to_string())),
        other => Failure::ambiguous(network(other.to_string())),
    }
}

/// `Retry-After` as delay-seconds (the HTTP-date form is ignored: backoff applies).
fn parse_retry_after(value: &str) -> Option<Duration> {
    let secs: f64 = value.trim().parse().ok()?;
    if (0.0..86_400.0).contains(&secs) {
        Some(Duration::from_secs_f64(secs))
    } else {
        None
    }
}

/// Best-effort body read for error messages (its own failure is not worth reporting).
fn read_lossy(response: &mut Response<Body>) -> String {
    response
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .lossy_utf8(true)
        .read_to_string()
        .unwrap_or_default()
}

/// A URL without its query string: signed URLs carry credentials there.
fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// The GraphQL multipart request body (`operations`, `map`, file part `1`).
fn multipart_body(
    boundary: &str,
    operations: &Value,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Vec<u8> {
    // Quotes and line breaks would break the part header.
    let safe_name: String = file_name
        .chars()
        .map(|c| {
            if matches!(c, '"' | '\r' | '\n') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let safe_type: String = content_type
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n'))
        .collect();
    let mut body = Vec::with_capacity(bytes.len() + 1024);
    let text = |s: &str, body: &mut Vec<u8>| body.extend_from_slice(s.as_bytes());
    text(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{operations}\r\n"), &mut body);
    text(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"1\": [\"variables.file\"]}}\r\n"), &mut body);
    text(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"1\"; filename=\"{safe_name}\"\r\nContent-Type: {safe_type}\r\n\r\n"), &mut body);
    body.extend_from_slice(bytes);
    text(&format!("\r\n--{boundary}--\r\n"), &mut body);
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    use mockito::Matcher;
    use serde_json::json;

    fn transport(server: &mockito::ServerGuard, retry: RetryPolicy) -> Transport {
        let b = ClientBuilder::new()
            .api_key("unit-key")
            .endpoint(format!("{}/graphql", server.url()))
            .request_timeout(Duration::from_millis(300))
            .retry_policy(retry)
            .jitter(|_| Duration::ZERO);
        Transport::new(&b)
    }

    #[test]
    fn upload_file_sends_the_graphql_multipart_request() {
        let mut server = mockito::Server::new();
        let mock = server
            .mock("POST", "/graphql")
            .match_header("authorization", "Bearer unit-key")
            .match_header(
                "content-type",
                Matcher::Regex("^multipart/form-data; boundary=labelbox-rs-".into()),
            )
            .match_body(Matcher::AllOf(vec![
                Matcher::Regex(r#"name="operations"\r\n\r\n\{"query":"mutation UploadFile"#.into()),
                Matcher::Regex(r#""variables":\{"contentLength":7,"file":null,"sign":false\}"#.into()),
                Matcher::Regex(r#"name="map"\r\n\r\n\{"1": \["variables.file"\]\}"#.into()),
                Matcher::Regex(
                    r#"name="1"; filename="chunk_a.json"\r\nContent-Type: application/json\r\n\r\n\[1,2,3\]\r\n--labelbox-rs-[0-9a-f]{16}--"#
                        .into(),
                ),
            ]))
            .with_body(r#"{"data": {"uploadFile": {"url": "https://files/x", "filename": "x"}}}"#)
            .expect(1)
            .create();
        let t = transport(&server, RetryPolicy::none());
        let url = t
            .upload_file("chunk\"a.json", "application/json", b"[1,2,3]")
            .unwrap();
        assert_eq!(url, "https://files/x");
        mock.assert();
    }

    #[test]
    fn download_streams_without_the_key() {
        let mut server = mockito::Server::new();
        let mock = server
            .mock("GET", "/f")
            .match_header("authorization", Matcher::Missing)
            .with_body("hello")
            .expect(1)
            .create();
        let t = transport(&server, RetryPolicy::none());
        let mut text = String::new();
        t.download(&format!("{}/f", server.url()))
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "hello");
        mock.assert();
        assert!(matches!(
            t.download("ftp://x/y"),
            Err(Error::InvalidInput { .. })
        ));
    }

    /// A TCP server that accepts connections and never answers. Stop it to learn how many
    /// connections were made (the backlog is drained first, so none is missed).
    struct SilentServer {
        url: String,
        stop: Arc<std::sync::atomic::AtomicBool>,
        handle: std::thread::JoinHandle<usize>,
    }

    impl SilentServer {
        fn start() -> Self {
            use std::sync::atomic::{AtomicBool, Ordering};
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.set_nonblocking(true).unwrap();
            let url = format!("http://{}/graphql", listener.local_addr().unwrap());
            let stop = Arc::new(AtomicBool::new(false));
            let flag = stop.clone();
            let handle = std::thread::spawn(move || {
                let mut held = Vec::new();
                loop {
                    match listener.accept() {
                        Ok((stream, _)) => held.push(stream),
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            if flag.load(Ordering::SeqCst) {
                                return held.len();
                            }
                            std::thread::sleep(Duration::from_millis(2));
                        }
                        Err(_) => return held.len(),
                    }
                }
            });
            SilentServer { url, stop, handle }
        }

        fn transport(&self, retry: RetryPolicy) -> Transport {
            let b = ClientBuilder::new()
                .api_key("unit-key")
                .endpoint(&self.url)
                .request_timeout(Duration::from_millis(200))
                .retry_policy(retry)
                .jitter(|_| Duration::ZERO);
            Transport::new(&b)
        }

        fn connections(self) -> usize {
            self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
            self.handle.join().unwrap()
        }
    }

    #[test]
    fn a_timed_out_mutation_is_not_resent() {
        let server = SilentServer::start();
        let t = server.transport(RetryPolicy::default().max_attempts(3));
        let e = t.mutate::<Value>("mutation { ok }", json!({})).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Timeout {
                    attempts: 1,
                    may_have_been_processed: true,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("may have been processed"), "{e}");
        assert_eq!(server.connections(), 1);
    }

    #[test]
    fn a_timed_out_query_is_retried() {
        let server = SilentServer::start();
        let t = server.transport(RetryPolicy::default().max_attempts(2));
        let e = t.query::<Value>("query { ok }", json!({})).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Timeout {
                    attempts: 2,
                    may_have_been_processed: false,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(server.connections(), 2);
    }

    #[test]
    fn variables_must_be_an_object() {
        let server = mockito::Server::new();
        let t = transport(&server, RetryPolicy::none());
        let e = t.query::<Value>("query { ok }", json!([1])).unwrap_err();
        assert!(e.is_invalid_input());
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0.5 "), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn strip_query_hides_signatures() {
        assert_eq!(
            strip_query("https://f.example/a.json?sig=abc"),
            "https://f.example/a.json"
        );
    }
}
