//! [`ClientBuilder`]: every setting of a [`Client`], checked before any request is sent.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::transport::retry::{
    default_jitter, Clock, Jitter, Retry, RetryObserver, RetryPolicy, SystemClock,
};

/// The service's GraphQL endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://api.labelbox.com/graphql";
/// Default time allowed for one request (the official SDK's 60 s).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default largest GraphQL answer read ([`ClientBuilder::max_answer_bytes`]): 256 MiB, far
/// above the largest real page (a 5,000-row result page is about 1 MB).
pub const DEFAULT_MAX_ANSWER_BYTES: u64 = 256 * 1024 * 1024;
/// Default lowest check frequency accepted by [`Task::wait_till_done`](crate::Task::wait_till_done).
pub const DEFAULT_MIN_CHECK_FREQUENCY: Duration = Duration::from_secs(2);

/// Environment variable holding the API key.
pub const ENV_API_KEY: &str = "LABELBOX_API_KEY";
/// Environment variable that, when set, overrides the endpoint.
pub const ENV_ENDPOINT: &str = "LABELBOX_ENDPOINT";

/// Builds a [`Client`]. Obtain one with [`Client::builder`].
///
/// Retries are logged at `info` through `log`; if you turn logging up, keep the `ureq` and
/// `ureq_proto` targets below `TRACE`, where they dump requests with the key (see the crate
/// docs, "Logging").
///
/// ```
/// use std::time::Duration;
/// use labelbox::{Client, RetryPolicy};
///
/// let client = Client::builder()
///     .api_key("my-key")
///     .request_timeout(Duration::from_secs(30))
///     .retry_policy(RetryPolicy::default().max_attempts(5))
///     .build()?;
/// # Ok::<_, labelbox::Error>(())
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    pub(crate) api_key: Option<String>,
    pub(crate) endpoint: String,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) max_answer_bytes: u64,
    pub(crate) retry: RetryPolicy,
    pub(crate) min_check_frequency: Duration,
    pub(crate) allow_insecure_http: bool,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) jitter: Jitter,
    pub(crate) on_retry: Option<RetryObserver>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_answer_bytes: DEFAULT_MAX_ANSWER_BYTES,
            retry: RetryPolicy::default(),
            min_check_frequency: DEFAULT_MIN_CHECK_FREQUENCY,
            allow_insecure_http: false,
            clock: Arc::new(SystemClock),
            jitter: default_jitter(),
            on_retry: None,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("endpoint", &self.endpoint)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("max_answer_bytes", &self.max_answer_bytes)
            .field("retry", &self.retry)
            .field("min_check_frequency", &self.min_check_frequency)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("clock", &self.clock)
            .field("on_retry", &self.on_retry.as_ref().map(|_| "<fn>"))
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder with every default and no API key.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The API key (required). Sent as `Authorization: Bearer <key>` to the endpoint only.
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The GraphQL endpoint (default [`DEFAULT_ENDPOINT`]). Must be `https`, except for
    /// loopback hosts (`localhost`, `127.0.0.0/8`, `::1`) unless
    /// [`allow_insecure_http`](Self::allow_insecure_http) is set.
    #[must_use]
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = url.into();
        self
    }

    /// Time allowed to establish a connection (default 30 s).
    #[must_use]
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Time allowed for one GraphQL request, connection to last byte (default 60 s).
    /// Result downloads use it per read instead, so large files are not cut off.
    #[must_use]
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.request_timeout = d;
        self
    }

    /// The largest GraphQL answer read, in bytes after decompression (default
    /// [`DEFAULT_MAX_ANSWER_BYTES`], 256 MiB). A larger answer is [`Error::AnswerTooLarge`]
    /// and is not read further, so a broken or hostile server cannot exhaust memory (a 1 MiB
    /// gzip answer can inflate to 1 GiB). Result-file downloads are streamed and not limited.
    #[must_use]
    pub fn max_answer_bytes(mut self, bytes: u64) -> Self {
        self.max_answer_bytes = bytes;
        self
    }

    /// How transient failures are retried (default [`RetryPolicy::default`]).
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The lowest check frequency waits accept (default 2 s, like the service's SDK).
    #[must_use]
    pub fn min_check_frequency(mut self, d: Duration) -> Self {
        self.min_check_frequency = d;
        self
    }

    /// Allows sending the API key over plain `http` to a non-loopback host. Off by default:
    /// the key would travel in clear text.
    #[must_use]
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Replaces the clock used for every wait (backoff, polling, deadlines). For tests.
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Replaces the random part of the backoff: given the ceiling of a delay, return the
    /// delay to sleep, in `[0, ceiling]` (larger values are cut to the ceiling). The default
    /// draws uniformly. For tests, e.g. `.jitter(|ceiling| ceiling)`.
    #[must_use]
    pub fn jitter(mut self, f: impl Fn(Duration) -> Duration + Send + Sync + 'static) -> Self {
        self.jitter = Arc::new(move |ceiling| f(ceiling).min(ceiling));
        self
    }

    /// Calls `observer` before each retry of a failed request, with what failed and how long
    /// retrying may go on (default: none; retries are also logged at `info`). For a program
    /// that wants to tell its user why nothing happens yet, e.g. on an unreachable endpoint,
    /// without turning on logging. The observer runs on the thread that sends the request;
    /// keep it short.
    #[must_use]
    pub fn on_retry(mut self, observer: impl Fn(&Retry<'_>) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(Arc::new(observer));
        self
    }

    /// Checks the settings and builds the client. No request is sent.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the setting: a missing key or one with whitespace or
    /// control characters, an endpoint that is not an absolute `https` URL (plain `http` passes
    /// for loopback hosts or with [`allow_insecure_http`](Self::allow_insecure_http)), a zero
    /// request or connect timeout, a zero [`max_answer_bytes`](Self::max_answer_bytes). No
    /// request is sent.
    pub fn build(self) -> Result<Client> {
        let key = self.api_key.as_deref().map(str::trim).unwrap_or("");
        if key.is_empty() {
            return Err(Error::invalid_input(
                "api_key",
                format!("an API key is required (pass one, or set {ENV_API_KEY})"),
            ));
        }
        if key.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(Error::invalid_input(
                "api_key",
                "the API key contains whitespace or control characters",
            ));
        }
        check_endpoint(&self.endpoint, self.allow_insecure_http)?;
        if self.request_timeout.is_zero() {
            return Err(Error::invalid_input(
                "request_timeout",
                "must be greater than zero",
            ));
        }
        if self.max_answer_bytes == 0 {
            return Err(Error::invalid_input(
                "max_answer_bytes",
                "must be greater than zero",
            ));
        }
        if self.connect_timeout.is_zero() {
            return Err(Error::invalid_input(
                "connect_timeout",
                "must be greater than zero",
            ));
        }
        Ok(Client::from_builder(self))
    }
}

/// Refuses endpoints that would send the key in clear text to another machine.
fn check_endpoint(endpoint: &str, allow_insecure: bool) -> Result<()> {
    let (scheme, rest) = endpoint.split_once("://").ok_or_else(|| {
        Error::invalid_input("endpoint", format!("{endpoint:?} is not an absolute URL"))
    })?;
    let host = host_of(rest);
    if host.is_empty() {
        return Err(Error::invalid_input(
            "endpoint",
            format!("{endpoint:?} has no host"),
        ));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if allow_insecure || is_loopback(host) => Ok(()),
        "http" => Err(Error::invalid_input(
            "endpoint",
            format!(
                "{endpoint:?} is plain http to a non-loopback host: the API key would be sent \
                 unencrypted; use https, or opt in with ClientBuilder::allow_insecure_http(true)"
            ),
        )),
        other => Err(Error::invalid_input(
            "endpoint",
            format!("unsupported scheme {other:?} (use https)"),
        )),
    }
}

/// The host part of `host[:port]/path`, without user info, port or IPv6 brackets.
fn host_of(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    authority.split(':').next().unwrap_or("")
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert!(check_endpoint("https://api.labelbox.com/graphql", false).is_ok());
        assert!(check_endpoint("http://127.0.0.1:8080/graphql", false).is_ok());
        assert!(check_endpoint("http://localhost/graphql", false).is_ok());
        assert!(check_endpoint("http://[::1]:9/graphql", false).is_ok());
        assert!(check_endpoint("http://user@127.0.0.1:9/x", false).is_ok());
        assert!(check_endpoint("http://example.com/graphql", false).is_err());
        assert!(check_endpoint("http://127.0.0.1.evil.com/graphql", false).is_err());
        assert!(check_endpoint("http://example.com/graphql", true).is_ok());
        assert!(check_endpoint("ftp://example.com/", true).is_err());
        assert!(check_endpoint("example.com", true).is_err());
    }
}
