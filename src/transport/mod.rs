//! The only place that talks HTTP.
//!
//! Sends GraphQL documents (JSON and multipart), downloads signed result files without the
//! API key, classifies every answer as PROTOCOL.md section 1.1 says, and retries transient
//! failures under the client's [`RetryPolicy`].

mod answer;
mod buffer;
mod connect;
mod envelope;
mod failure;
mod multipart;
mod redact;
pub(crate) mod retry;

#[cfg(test)]
mod decode_bench;

use std::io::Read;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use ureq::http::Response;
use ureq::Body;

use crate::config::ClientBuilder;
use crate::error::{Error, Result};
use crate::transport::answer::{server_error, Answer, ErrorBody};
pub(crate) use crate::transport::buffer::AnswerBuffer;
pub(crate) use crate::transport::envelope::{DataSeed, Nullable};
pub(crate) use crate::transport::failure::body_read_error;
use crate::transport::failure::{classify_transport, Failure, Kind};
use crate::transport::multipart::Multipart;
use crate::transport::redact::Redactor;
use crate::transport::retry::{
    parse_retry_after, Clock, Jitter, Retry, RetryObserver, RetryPolicy,
};

/// `X-User-Agent` sent with every GraphQL request.
/// Where a GraphQL request goes and under which retry rules.
#[derive(Clone, Copy)]
struct Route<'a> {
    kind: Kind,
    endpoint: &'a str,
}

/// The file part of [`Transport::mutate_with_file`]: its name, type and exact length.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MultipartFile<'a> {
    pub(crate) name: &'a str,
    pub(crate) content_type: &'a str,
    pub(crate) len: u64,
}

pub(crate) const SDK_USER_AGENT: &str = concat!("rust-sdk ", env!("CARGO_PKG_VERSION"));

const UPLOAD_DOCUMENT: &str = "mutation UploadFile($file: Upload!, $contentLength: Int!, $sign: Boolean) { uploadFile(file: $file, contentLength: $contentLength, sign: $sign) { url filename } }";

/// The least time a poll made at (or just before) a wait's deadline is given to be answered:
/// a wait overruns its deadline by at most this much, whatever the server does.
const LAST_POLL_ALLOWANCE: Duration = Duration::from_secs(1);

/// The least wait before re-sending a rate-limited request, whatever `Retry-After` says
/// (`0` must not turn into a burst of requests).
const RATE_LIMIT_FLOOR: Duration = Duration::from_millis(100);

/// Redirects a result download may follow (signed storage URLs may redirect; the key is never
/// sent there).
const DOWNLOAD_REDIRECTS: u32 = 10;

/// The HTTP side of a [`Client`](crate::Client). Crate-private; see docs/ARCHITECTURE.md.
pub(crate) struct Transport {
    agent: ureq::Agent,
    endpoint: String,
    /// Where the official SDK sends its `experimental=True` requests (batches, task queues):
    /// the endpoint with `/graphql` replaced by `/_gql`, as its request client does.
    experimental_endpoint: String,
    api_key: String,
    redact: Redactor,
    request_timeout: Duration,
    max_answer_bytes: u64,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
    jitter: Jitter,
    on_retry: Option<RetryObserver>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("endpoint", &self.endpoint)
            .field("api_key", &"<redacted>")
            .field("request_timeout", &self.request_timeout)
            .field("max_answer_bytes", &self.max_answer_bytes)
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
            // A redirect of the endpoint is an error (`Error::Redirected`), never followed:
            // ureq would turn the POST into a GET, or re-send it elsewhere.
            .max_redirects(0)
            .timeout_connect(Some(b.connect_timeout))
            .timeout_global(Some(b.request_timeout))
            .build();
        let api_key = b.api_key.as_deref().unwrap_or("").trim().to_owned();
        Transport {
            agent: connect::agent(config),
            endpoint: b.endpoint.clone(),
            experimental_endpoint: b.endpoint.replace("/graphql", "/_gql"),
            redact: Redactor::new(&api_key),
            api_key,
            request_timeout: b.request_timeout,
            max_answer_bytes: b.max_answer_bytes,
            retry: b.retry.clone(),
            clock: b.clock.clone(),
            jitter: b.jitter.clone(),
            on_retry: b.on_retry.clone(),
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
        let buffer = &mut AnswerBuffer::default();
        self.graphql(
            Route {
                kind: Kind::Idempotent,
                endpoint: &self.endpoint,
            },
            document,
            variables,
            None,
            buffer,
            &mut PhantomData,
        )
    }

    /// A GraphQL query of one page of a walk: the answer is read into the walk's `buffer` and
    /// its `data` decoded by `seed` (which may append into the walk's own storage). Retried
    /// like [`query`](Transport::query); each attempt decodes afresh.
    pub(crate) fn query_page<S: DataSeed>(
        &self,
        document: &str,
        variables: Value,
        buffer: &mut AnswerBuffer,
        seed: &mut S,
    ) -> Result<S::Value> {
        self.graphql(
            Route {
                kind: Kind::Idempotent,
                endpoint: &self.endpoint,
            },
            document,
            variables,
            None,
            buffer,
            seed,
        )
    }

    /// A GraphQL query that must end by `deadline` (on the client's clock): the polls of a
    /// wait. Each attempt's timeout is cut to the time left (but see `LAST_POLL_ALLOWANCE`),
    /// and no retry starts that would end past it.
    pub(crate) fn query_until<T: DeserializeOwned>(
        &self,
        document: &str,
        variables: Value,
        deadline: Instant,
    ) -> Result<T> {
        let buffer = &mut AnswerBuffer::default();
        let deadline = Some(deadline);
        self.graphql(
            Route {
                kind: Kind::Idempotent,
                endpoint: &self.endpoint,
            },
            document,
            variables,
            deadline,
            buffer,
            &mut PhantomData,
        )
    }

    /// A GraphQL mutation: retried only where the request surely was not processed
    /// (nothing was sent: the host could not be resolved or connected to; rate limited).
    pub(crate) fn mutate<T: DeserializeOwned>(
        &self,
        document: &str,
        variables: Value,
    ) -> Result<T> {
        let buffer = &mut AnswerBuffer::default();
        self.graphql(
            Route {
                kind: Kind::Mutation,
                endpoint: &self.endpoint,
            },
            document,
            variables,
            None,
            buffer,
            &mut PhantomData,
        )
    }

    /// A GraphQL query sent where the official SDK sends it with `experimental=True`
    /// (`/_gql`): batches and task queues. Retried like [`query`](Transport::query).
    pub(crate) fn query_experimental<T: DeserializeOwned>(
        &self,
        document: &str,
        variables: Value,
    ) -> Result<T> {
        let buffer = &mut AnswerBuffer::default();
        let endpoint = &self.experimental_endpoint;
        self.graphql(
            Route {
                kind: Kind::Idempotent,
                endpoint,
            },
            document,
            variables,
            None,
            buffer,
            &mut PhantomData,
        )
    }

    /// A GraphQL mutation sent to the experimental endpoint (`/_gql`), under the rules of
    /// [`mutate`](Transport::mutate).
    pub(crate) fn mutate_experimental<T: DeserializeOwned>(
        &self,
        document: &str,
        variables: Value,
    ) -> Result<T> {
        let buffer = &mut AnswerBuffer::default();
        let endpoint = &self.experimental_endpoint;
        self.graphql(
            Route {
                kind: Kind::Mutation,
                endpoint,
            },
            document,
            variables,
            None,
            buffer,
            &mut PhantomData,
        )
    }

    /// A GraphQL multipart mutation carrying one file of `file_len` bytes (the official SDK's
    /// label imports: `variables.file` is the file). The file is streamed from a fresh reader
    /// of `open_file` per attempt, never held in memory; a mutation, so it is sent again only
    /// when nothing was sent. A reader that gives another length than `file_len` fails the
    /// request (the body's `Content-Length` would lie).
    pub(crate) fn mutate_with_file<'r, T: DeserializeOwned>(
        &self,
        operations: &Value,
        file: MultipartFile<'_>,
        open_file: &mut dyn FnMut() -> Result<Box<dyn Read + 'r>>,
    ) -> Result<T> {
        let multipart = Multipart::new(operations, file.name, file.content_type);
        self.with_retries(Kind::Mutation, None, |timeout| {
            let reader = open_file().map_err(Failure::not_processed)?;
            let mut body = multipart.reader_of(reader, file.len);
            let response = self
                .endpoint_request(&self.endpoint, multipart.content_type(), timeout)
                .header("Content-Length", multipart.len_with(file.len))
                .send(ureq::SendBody::from_reader(&mut body))
                .map_err(classify_transport)?;
            self.read_answer(response, &mut AnswerBuffer::default(), &mut PhantomData)
        })
    }

    /// Multipart `uploadFile` (PROTOCOL 3.6 step 2); returns the file's URL. A duplicate
    /// upload is harmless (an orphan file), so uploads are retried like queries. `bytes` are
    /// streamed from the caller's slice, every attempt.
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
        let multipart = Multipart::new(&operations, file_name, content_type);

        #[derive(Deserialize)]
        struct Uploaded {
            url: String,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            upload_file: Uploaded,
        }
        let data: Data = self.with_retries(Kind::Idempotent, None, |timeout| {
            let mut body = multipart.reader(bytes);
            let response = self
                .endpoint_request(&self.endpoint, multipart.content_type(), timeout)
                .header("Content-Length", multipart.len(bytes))
                .send(ureq::SendBody::from_reader(&mut body))
                .map_err(classify_transport)?;
            self.read_answer(response, &mut AnswerBuffer::default(), &mut PhantomData)
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
        self.with_retries(Kind::Idempotent, None, |_| {
            let response = self
                .agent
                .get(url)
                .config()
                .timeout_global(None)
                .timeout_per_read(Some(self.request_timeout))
                .max_redirects(DOWNLOAD_REDIRECTS)
                .build()
                .call()
                .map_err(classify_transport)?;
            self.read_download(url, response)
        })
    }

    /// The largest answer read ([`ClientBuilder::max_answer_bytes`](crate::ClientBuilder::max_answer_bytes)),
    /// also the default cap of an export's line.
    pub(crate) fn max_answer_bytes(&self) -> u64 {
        self.max_answer_bytes
    }

    /// A result file's answer: its body as a reader, or the error it stands for.
    fn read_download(
        &self,
        url: &str,
        mut response: Response<Body>,
    ) -> std::result::Result<Box<dyn Read + Send>, Failure> {
        let status = response.status().as_u16();
        match status {
            200..=299 => Ok(Box::new(response.into_body().into_with_config().reader())),
            500..=599 => {
                let body = ErrorBody::read(&mut response);
                Err(Failure::ambiguous(server_error(
                    status,
                    &body,
                    &self.redact,
                )))
            }
            404 => Err(Failure::ambiguous(Error::NotFound {
                what: "result file".into(),
                id: strip_query(url).to_owned(),
            })),
            _ => {
                let body = ErrorBody::read(&mut response);
                Err(Failure::ambiguous(Error::Api {
                    status,
                    message: body.message(&self.redact),
                }))
            }
        }
    }

    /// Sends a GraphQL document (under the retry rules of `kind`, within `deadline`), each
    /// answer read into `buffer` and its `data` decoded by `seed`.
    fn graphql<S: DataSeed>(
        &self,
        Route { kind, endpoint }: Route<'_>,
        document: &str,
        variables: Value,
        deadline: Option<Instant>,
        buffer: &mut AnswerBuffer,
        seed: &mut S,
    ) -> Result<S::Value> {
        if !(variables.is_null() || variables.is_object()) {
            return Err(Error::invalid_input(
                "variables",
                "GraphQL variables must be a JSON object or null",
            ));
        }
        let body = serde_json::to_vec(&serde_json::json!({
            "query": document,
            "variables": variables,
        }))
        .map_err(|e| Error::invalid_input("variables", e.to_string()))?;
        self.with_retries(kind, deadline, |timeout| {
            let response = self
                .endpoint_request(endpoint, "application/json", timeout)
                .send(&body[..])
                .map_err(classify_transport)?;
            self.read_answer(response, buffer, seed)
        })
    }

    /// A POST to the endpoint with the headers every GraphQL request carries (the key, JSON
    /// accepted, the SDK's user agent), ending within `timeout`.
    fn endpoint_request(
        &self,
        endpoint: &str,
        content_type: &str,
        timeout: Duration,
    ) -> ureq::RequestBuilder<ureq::typestate::WithBody> {
        self.agent
            .post(endpoint)
            .config()
            .timeout_global(Some(timeout))
            .build()
            .header("Authorization", &format!("Bearer {}", self.api_key))
            .header("Content-Type", content_type)
            .header("Accept", "application/json")
            .header("X-User-Agent", SDK_USER_AGENT)
    }

    /// Runs `attempt` (given its timeout) until it succeeds, fails for good, or the retry
    /// policy or the caller's deadline is spent.
    fn with_retries<R>(
        &self,
        kind: Kind,
        deadline: Option<Instant>,
        mut attempt: impl FnMut(Duration) -> std::result::Result<R, Failure>,
    ) -> Result<R> {
        let limit = self.retry_limit(deadline);
        let mut sent: u32 = 1;
        loop {
            let failure = match attempt(self.attempt_timeout(deadline)) {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            match self.next_delay(kind, &failure, sent, limit) {
                Some(delay) => self.clock.sleep(delay),
                None => return Err(failure.finish(kind, sent)),
            }
            sent += 1;
        }
    }

    /// When retrying must have ended: the end of the retry budget counted from now, or the
    /// caller's deadline (a wait's) if sooner.
    fn retry_limit(&self, deadline: Option<Instant>) -> Option<Instant> {
        let budget_end = self
            .clock
            .now()
            .checked_add(self.retry.total_budget_value());
        match (budget_end, deadline) {
            (Some(b), Some(d)) => Some(b.min(d)),
            (b, d) => b.or(d),
        }
    }

    /// The wait before re-sending after `failure` of send number `sent`, or `None` to give
    /// up. Every retry, and giving up on a transient failure, is logged at info.
    fn next_delay(
        &self,
        kind: Kind,
        failure: &Failure,
        sent: u32,
        limit: Option<Instant>,
    ) -> Option<Duration> {
        let (error, max) = (&failure.error, self.retry.max_attempts_value());
        if !failure.may_resend(kind) {
            if error.is_retryable() {
                log::info!(
                    "attempt {sent} of {max} failed ({error}); not re-sent: the mutation may \
                     have been processed"
                );
            }
            return None;
        }
        if sent >= max {
            log::info!("giving up after {sent} of {max} attempts: {error}");
            return None;
        }
        let delay = self.delay_before_retry(error, sent);
        let wait = humantime::format_duration(delay);
        let now = self.clock.now();
        if limit.is_some_and(|limit| now.checked_add(delay).is_none_or(|end| end > limit)) {
            log::info!(
                "giving up after attempt {sent} of {max} ({error}): waiting {wait} more would \
                 end past the retry budget or the wait's deadline"
            );
            return None;
        }
        log::info!("attempt {sent} of {max} failed ({error}); retrying in {wait}");
        if let Some(observer) = &self.on_retry {
            observer(&Retry {
                attempt: sent,
                max_attempts: max,
                delay,
                retrying_for: limit.map(|limit| limit.saturating_duration_since(now)),
                error,
            });
        }
        Some(delay)
    }

    /// The client's request timeout, cut to the time left before `deadline`, but never under
    /// [`LAST_POLL_ALLOWANCE`] (the poll made at a wait's deadline still gets an answer).
    fn attempt_timeout(&self, deadline: Option<Instant>) -> Duration {
        match deadline {
            None => self.request_timeout,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(self.clock.now());
                self.request_timeout.min(left.max(LAST_POLL_ALLOWANCE))
            }
        }
    }

    /// The wait before retry `retry` (1-based): the service's `Retry-After` when it was rate
    /// limited and said one, else the jittered backoff; at least [`RATE_LIMIT_FLOOR`] after a
    /// rate limit.
    fn delay_before_retry(&self, error: &Error, retry: u32) -> Duration {
        let backoff = || (self.jitter)(self.retry.ceiling(retry));
        match error {
            Error::RateLimited { retry_after, .. } => {
                retry_after.unwrap_or_else(backoff).max(RATE_LIMIT_FLOOR)
            }
            _ => backoff(),
        }
    }

    /// Classifies an HTTP answer of the endpoint (PROTOCOL 1.1 steps 2 to 7, redirects
    /// refused) and decodes its `data` through `seed`, reading at most `max_answer_bytes` of
    /// it into `buffer`.
    fn read_answer<S: DataSeed>(
        &self,
        mut response: Response<Body>,
        buffer: &mut AnswerBuffer,
        seed: &mut S,
    ) -> std::result::Result<S::Value, Failure> {
        let status = response.status().as_u16();
        match status {
            300..=399 => return Err(Failure::not_processed(self.redirected(status, &response))),
            500..=599 => {
                let body = ErrorBody::read(&mut response);
                return Err(Failure::ambiguous(server_error(
                    status,
                    &body,
                    &self.redact,
                )));
            }
            _ => {}
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let reader = response
            .body_mut()
            .with_config()
            .limit(self.max_answer_bytes)
            .reader();
        let body = buffer
            .read_all(reader)
            .map_err(|e| match ureq::Error::from(e) {
                ureq::Error::BodyExceedsLimit(limit) => {
                    Failure::ambiguous(Error::AnswerTooLarge { limit })
                }
                e => classify_transport(e),
            })?;
        Answer {
            status,
            retry_after,
            body,
            redact: &self.redact,
        }
        .decode(seed)
    }

    /// A redirect of the endpoint, naming where it pointed (without its query string).
    fn redirected(&self, status: u16, response: &Response<Body>) -> Error {
        let location = response
            .headers()
            .get("location")
            .map(|v| String::from_utf8_lossy(v.as_bytes()))
            .map(|v| self.redact.text(strip_query(&v)));
        Error::Redirected { status, location }
    }
}

/// A URL without its query string: signed URLs carry credentials there.
fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// A random seed from 0 to 10,000, as the official SDK draws one for a random ordering
/// (`random.randint(0, 10000)`).
pub(crate) fn random_seed() -> u64 {
    retry::random_u64() % 10_001
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

    /// The file's bytes are streamed from the caller's slice (issue 10): a retry must still
    /// send the whole body, length-delimited, again.
    #[test]
    fn a_retried_upload_sends_the_same_body_again() {
        let mut server = mockito::Server::new();
        let whole_body = Matcher::Regex(
            r#"^--labelbox-rs-[0-9a-f]{16}\r\n(?s:.*)\r\n\r\n\[1,2,3\]\r\n--labelbox-rs-[0-9a-f]{16}--\r\n$"#.into(),
        );
        let failed = server
            .mock("POST", "/graphql")
            .match_header("content-length", Matcher::Regex("^[0-9]+$".into()))
            .match_header("transfer-encoding", Matcher::Missing)
            .match_body(whole_body.clone())
            .with_status(500)
            .expect(1)
            .create();
        let ok = server
            .mock("POST", "/graphql")
            .match_body(whole_body)
            .with_body(r#"{"data": {"uploadFile": {"url": "https://files/x", "filename": "x"}}}"#)
            .expect(1)
            .create();
        let t = transport(&server, RetryPolicy::default().max_attempts(2));
        let url = t
            .upload_file("a.json", "application/json", b"[1,2,3]")
            .unwrap();
        assert_eq!(url, "https://files/x");
        failed.assert();
        ok.assert();
    }

    /// A GET of `path` on `server` without the key, answering `body`.
    fn keyless_get(server: &mut mockito::ServerGuard, path: &str, body: &str) -> mockito::Mock {
        server
            .mock("GET", path)
            .match_header("authorization", Matcher::Missing)
            .with_body(body)
            .expect(1)
            .create()
    }

    /// The text of a result file, downloaded without retries.
    fn download_text(server: &mockito::ServerGuard, url: &str) -> String {
        let mut text = String::new();
        transport(server, RetryPolicy::none())
            .download(url)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    #[test]
    fn download_streams_without_the_key() {
        let mut server = mockito::Server::new();
        let mock = keyless_get(&mut server, "/f", "hello");
        assert_eq!(
            download_text(&server, &format!("{}/f", server.url())),
            "hello"
        );
        let t = transport(&server, RetryPolicy::none());
        mock.assert();
        assert!(matches!(
            t.download("ftp://x/y"),
            Err(Error::InvalidInput { .. })
        ));
    }

    /// The endpoint's redirects are refused (the agent follows none), a result file's are
    /// still followed, without the key.
    #[test]
    fn downloads_follow_redirects_without_the_key() {
        let mut server = mockito::Server::new();
        let moved = server
            .mock("GET", "/signed")
            .match_query(Matcher::UrlEncoded("sig".into(), "1".into()))
            .match_header("authorization", Matcher::Missing)
            .with_status(302)
            .with_header("location", "/stored")
            .expect(1)
            .create();
        let stored = keyless_get(&mut server, "/stored", "rows");
        let url = format!("{}/signed?sig=1", server.url());
        assert_eq!(download_text(&server, &url), "rows");
        moved.assert();
        stored.assert();
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
    fn strip_query_hides_signatures() {
        assert_eq!(
            strip_query("https://f.example/a.json?sig=abc"),
            "https://f.example/a.json"
        );
    }
}
