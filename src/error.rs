//! The one error type of the SDK, and its predicates.
//!
//! Every failure the SDK can report is a variant of [`Error`]. Variants carry what a caller
//! needs to act (the id that was not found, the status a task was in, how long a wait lasted),
//! and never the API key.

use std::fmt;
use std::time::Duration;

/// The underlying error a variant keeps, returned by [`std::error::Error::source`].
type Source = Option<Box<dyn std::error::Error + Send + Sync + 'static>>;

use crate::export::stream::StreamType;
use crate::task::{Task, TaskStatus};

/// The result type of every fallible SDK call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the SDK.
///
/// Transient variants ([`Error::Network`], [`Error::Timeout`], retryable [`Error::Server`],
/// [`Error::RateLimited`]) carry `attempts`: how many times the request was sent before the
/// SDK gave up (1 when it was not retried).
///
/// [`Error::Network`], [`Error::Timeout`] and [`Error::Decode`] keep the lower-level error
/// behind them (I/O, HTTP client, JSON) as their [`source()`](std::error::Error::source); their
/// `Display` does not repeat it. Print the chain to see it, e.g. `anyhow`'s `{:#}`. Text that
/// came from the service is masked for the API key and cut to 500 characters.
///
/// # Request failures
///
/// Any call that sends a request may fail with what the service or the connection answered,
/// after the retries of the client's [`RetryPolicy`](crate::RetryPolicy):
/// [`Error::Network`], [`Error::Timeout`], [`Error::Server`], [`Error::RateLimited`],
/// [`Error::Authentication`], [`Error::Authorization`], [`Error::InvalidQuery`],
/// [`Error::Conflict`], [`Error::OperationNotAllowed`], [`Error::Unprocessable`],
/// [`Error::Api`], [`Error::Redirected`], [`Error::AnswerTooLarge`] and [`Error::Decode`].
/// The `# Errors` section of each call names this set and the variants particular to it.
///
/// Match the variants that call for their own handling, or ask the predicates
/// ([`is_not_found`](Error::is_not_found), [`is_retryable`](Error::is_retryable),
/// [`may_have_been_processed`](Error::may_have_been_processed), ...); the enum is
/// `#[non_exhaustive]`, so keep a catch-all arm.
///
/// ```
/// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
/// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
/// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
/// use labelbox::{Client, Error};
///
/// let client = Client::from_env()?;
/// match client.get_task_by_id("ckx...") {
///     Ok(task) => println!("{} is {}", task.id(), task.status()),
///     Err(e) if e.is_not_found() => println!("no such task"),
///     Err(Error::Authentication { message }) => println!("check LABELBOX_API_KEY: {message}"),
///     Err(e) if e.is_retryable() => println!("still failing after retries: {e}"),
///     Err(e) => return Err(e),
/// }
/// # Ok::<_, labelbox::Error>(())
/// ```
#[non_exhaustive]
#[derive(Debug)]
pub enum Error {
    /// The API key is missing, malformed or revoked (`AUTHENTICATION_ERROR`, HTTP 401).
    Authentication {
        /// The service's message.
        message: String,
    },
    /// The key is valid but may not do this (`AUTHORIZATION_ERROR`, HTTP 403).
    Authorization {
        /// The service's message.
        message: String,
    },
    /// The object does not exist or is not visible to this key.
    NotFound {
        /// What was looked for, e.g. `"task"`.
        what: String,
        /// The id that was looked for.
        id: String,
    },
    /// The service rate-limited the request and the retry budget ran out.
    RateLimited {
        /// The service's message.
        message: String,
        /// The `Retry-After` the service asked for, when it sent one.
        retry_after: Option<Duration>,
        /// How many times the request was sent.
        attempts: u32,
    },
    /// The GraphQL document was refused: parse or validation failure, malformed request,
    /// query complexity limit, or an internal error with status 400.
    InvalidQuery {
        /// The service's message.
        message: String,
    },
    /// A conflicting write (`RESOURCE_CONFLICT`).
    Conflict {
        /// The service's message.
        message: String,
    },
    /// A plan or usage limit forbids the operation (`OPERATION_NOT_ALLOWED`, internal status 426).
    OperationNotAllowed {
        /// The service's message.
        message: String,
    },
    /// The request was understood but cannot be processed (internal status 422).
    Unprocessable {
        /// The service's message.
        message: String,
    },
    /// The service failed: an HTTP 5xx, or an `INTERNAL_SERVER_ERROR`.
    Server {
        /// HTTP status, or the status the GraphQL error carried (500 when it carried none).
        status: u16,
        /// The service's message or a short excerpt of its body.
        message: String,
        /// Whether the SDK considered it transient (and retried it for idempotent requests).
        retryable: bool,
        /// How many times the request was sent.
        attempts: u32,
        /// True for a mutation that may have been carried out despite the error.
        may_have_been_processed: bool,
    },
    /// Any other error answer of the service (an unknown error code, or a non-200 status
    /// without a GraphQL error).
    Api {
        /// The HTTP status.
        status: u16,
        /// The service's message(s).
        message: String,
    },
    /// The connection failed or broke.
    Network {
        /// What failed.
        message: String,
        /// How many times the request was sent.
        attempts: u32,
        /// True for a mutation that may have been carried out despite the error.
        may_have_been_processed: bool,
        /// The underlying error (I/O, HTTP client), also returned by `source()`.
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },
    /// A connect or request timeout expired.
    Timeout {
        /// Which timeout.
        message: String,
        /// How many times the request was sent.
        attempts: u32,
        /// True for a mutation that may have been carried out despite the error.
        may_have_been_processed: bool,
        /// The underlying error (I/O, HTTP client), also returned by `source()`.
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },
    /// An answer could not be decoded into what the SDK expected.
    Decode {
        /// What did not fit.
        message: String,
        /// The first characters of the body (the API key, if echoed, is masked).
        excerpt: String,
        /// The underlying parse error, when there is one, also returned by `source()`.
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },
    /// The service's answer is larger than
    /// [`ClientBuilder::max_answer_bytes`](crate::ClientBuilder::max_answer_bytes) (decompressed
    /// bytes counted); nothing more of it was read.
    AnswerTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The API endpoint answered with a redirect (HTTP 3xx). Redirects of the endpoint are not
    /// followed: a GraphQL request turned into a `GET`, or re-sent elsewhere with the key, is
    /// never what was meant. The request was not processed; fix the endpoint setting.
    Redirected {
        /// The HTTP status (301, 302, 303, 307, 308...).
        status: u16,
        /// Where the redirect pointed (its `Location`, query string removed), when it said.
        location: Option<String>,
    },
    /// A value given to the SDK was refused before anything was sent.
    InvalidInput {
        /// The parameter or field at fault.
        field: String,
        /// Why it was refused.
        message: String,
    },
    /// [`Client::cancel_task`](crate::Client::cancel_task) refused without sending the mutation.
    TaskNotCancelable {
        /// The task's id.
        task_id: String,
        /// The task's type.
        task_type: String,
        /// The task's status when it was checked.
        status: TaskStatus,
        /// Why: the type is not cancelable, or the task is not in progress.
        reason: String,
    },
    /// A task was still running at the end of a wait.
    WaitTimedOut {
        /// The task as last seen.
        task: Box<Task>,
        /// How long the wait lasted.
        waited: Duration,
        /// How many polls were made.
        polls: u32,
    },
    /// The task has no result of the kind asked for (its type has none, or it is not finished).
    ResultUnavailable {
        /// The task's id.
        task_id: String,
        /// The task's type.
        task_type: String,
        /// Why.
        reason: String,
    },
    /// Items of a data-row import were refused before anything was sent: every refused item,
    /// in order, with its index, field and reason (an item may appear more than once).
    InvalidItems(Vec<crate::import::data_row::ItemError>),
    /// An export's streams were asked for while the task is not `COMPLETE`: still running
    /// (wait for it first), failed or canceled (`status` says which).
    ExportNotReadable {
        /// The export task's id.
        task_id: String,
        /// Its status when it was checked.
        status: TaskStatus,
    },
    /// A finished export has no such stream (no errors, or no row matched the selection).
    ExportStreamMissing {
        /// The export task's id.
        task_id: String,
        /// The stream asked for.
        stream: StreamType,
    },
    /// A file of an export's stream was shorter or longer than its offsets announced
    /// (a broken or truncated download); the rows before it were good.
    ExportFileLength {
        /// The export task's id.
        task_id: String,
        /// The stream.
        stream: StreamType,
        /// The file's first byte in the stream.
        offset: u64,
        /// Its length per its offsets.
        expected: u64,
        /// The bytes received (one more than expected at most: reading stops there).
        received: u64,
    },
    /// A file of an export's stream does not fit the stream: a line that does not decode,
    /// or offsets and line numbers that do not follow.
    ExportFileCorrupt {
        /// The export task's id.
        task_id: String,
        /// The stream.
        stream: StreamType,
        /// The 0-based line where it was found.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The header of an export's stream contradicts itself (e.g. lines in a stream of 0
    /// bytes): nothing of the stream was read, since nothing in it could be checked.
    ExportHeaderInvalid {
        /// The export task's id.
        task_id: String,
        /// The stream.
        stream: StreamType,
        /// Its `totalSize`.
        total_size: u64,
        /// Its `totalLines`.
        total_lines: u64,
        /// What does not agree.
        reason: String,
    },
    /// A line of an export's stream is longer than the cap
    /// ([`ExportStream::max_line_bytes`](crate::ExportStream::max_line_bytes), by default the
    /// client's [`max_answer_bytes`](crate::ClientBuilder::max_answer_bytes)); no more than
    /// the cap was held in memory. The rows before it were good.
    ExportLineTooLong {
        /// The export task's id.
        task_id: String,
        /// The stream.
        stream: StreamType,
        /// The line's 0-based number.
        line: u64,
        /// The cap, in bytes.
        limit: u64,
    },
    /// A label or prediction import was still `RUNNING` at the end of a wait.
    ImportWaitTimedOut {
        /// The import's id.
        import_id: String,
        /// Its name (imports are looked up by project and name).
        name: String,
        /// Its progress as last seen, e.g. `"40%"`.
        progress: String,
        /// How long the wait lasted.
        waited: Duration,
        /// How many polls were made.
        polls: u32,
    },
    /// A label or prediction import's statuses or errors were asked for while it is not
    /// `FINISHED` (still running: wait first; or `FAILED`, which has no files).
    ImportNotReadable {
        /// The import's id.
        import_id: String,
        /// Its state when it was checked (`RUNNING`, `FAILED`, ...).
        state: String,
    },
    /// The task that adds a batch's rows (the asynchronous path of `create_batch`, 1,000 rows
    /// or more) did not end `COMPLETE`. The batch exists, maybe with some of its rows.
    BatchNotCreated {
        /// The batch's id.
        batch_id: String,
        /// The task's id.
        task_id: String,
        /// How it ended.
        status: TaskStatus,
        /// The task's errors, as the service gave them.
        errors: Option<String>,
    },
    /// The service's pages do not add up: a cursor it gave came back, a page repeated tasks
    /// already listed (an offset that was ignored), or more rows came than the total it
    /// announced. Reading on would never end or hand out rows twice, so the walk stops here.
    /// Not retryable: asking again gives the same pages.
    InconsistentPages {
        /// What was being paged, e.g. `"created rows of import task \"ck...\""`.
        listing: String,
        /// What did not add up.
        reason: String,
    },
    /// A catalog job ([`Client::assign_global_keys`](crate::Client::assign_global_keys) and
    /// the other global-key jobs) or a model run's label registration
    /// ([`ModelRun::upsert_labels`](crate::ModelRun::upsert_labels)) was still running at the
    /// end of its wait. The job goes on
    /// on the service: what it does is not known to the SDK.
    JobTimedOut {
        /// The job's kind, its starting field (e.g. `assignGlobalKeysToDataRows`).
        job: String,
        /// The job's id.
        job_id: String,
        /// How long the wait lasted.
        waited: Duration,
        /// How many polls were made.
        polls: u32,
    },
    /// A catalog job ended `FAILED`: the service gave no per-row outcome.
    JobFailed {
        /// The job's kind, its starting field (e.g. `clearGlobalKeys`).
        job: String,
        /// The job's id.
        job_id: String,
    },
    /// A model run's label registration
    /// ([`ModelRun::upsert_labels`](crate::ModelRun::upsert_labels)) ended `FAILED`.
    RegistrationFailed {
        /// The model run's id.
        model_run_id: String,
        /// The registration task's id.
        task_id: String,
        /// The service's `errorMessage`, when it gave one.
        message: Option<String>,
    },
}

impl Error {
    /// True for failures the SDK retries for idempotent requests: network failures,
    /// timeouts, transient server errors and rate limiting.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Network { .. } | Error::Timeout { .. } | Error::RateLimited { .. } => true,
            Error::Server { retryable, .. } => *retryable,
            _ => false,
        }
    }

    /// True when the object looked for does not exist (or is not visible to this key).
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// True for a bad or revoked key.
    #[must_use]
    pub fn is_authentication(&self) -> bool {
        matches!(self, Error::Authentication { .. })
    }

    /// True for a valid key that may not do this.
    #[must_use]
    pub fn is_authorization(&self) -> bool {
        matches!(self, Error::Authorization { .. })
    }

    /// True when the service rate-limited the request.
    #[must_use]
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::RateLimited { .. })
    }

    /// True for a connect or request timeout (not a wait that timed out).
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// True when an export's stream contradicted itself or its header (a file of the wrong
    /// length, ranges that do not follow, more lines than announced, a line that does not
    /// decode, a header that does not add up). A short file may be a broken download; the
    /// others come back the same when read again.
    #[must_use]
    pub fn is_export_inconsistent(&self) -> bool {
        matches!(
            self,
            Error::ExportFileLength { .. }
                | Error::ExportFileCorrupt { .. }
                | Error::ExportHeaderInvalid { .. }
        )
    }

    /// True when a wait ended with the task (or catalog job) still running.
    #[must_use]
    pub fn is_wait_timed_out(&self) -> bool {
        matches!(
            self,
            Error::WaitTimedOut { .. }
                | Error::JobTimedOut { .. }
                | Error::ImportWaitTimedOut { .. }
        )
    }

    /// True for input refused before anything was sent (including refused import items).
    #[must_use]
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::InvalidInput { .. } | Error::InvalidItems(_))
    }

    /// True for a mutation that failed in a way that leaves open whether the service
    /// carried it out (a timeout or a broken connection after sending): check before retrying.
    #[must_use]
    pub fn may_have_been_processed(&self) -> bool {
        match self {
            Error::Network {
                may_have_been_processed,
                ..
            }
            | Error::Timeout {
                may_have_been_processed,
                ..
            }
            | Error::Server {
                may_have_been_processed,
                ..
            } => *may_have_been_processed,
            _ => false,
        }
    }

    /// How many times the request was sent, for transient errors.
    #[must_use]
    pub fn attempts(&self) -> Option<u32> {
        match self {
            Error::Network { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::RateLimited { attempts, .. }
            | Error::Server { attempts, .. } => Some(*attempts),
            _ => None,
        }
    }

    /// The task carried by [`Error::WaitTimedOut`].
    #[must_use]
    pub fn last_task(&self) -> Option<&Task> {
        match self {
            Error::WaitTimedOut { task, .. } => Some(task),
            _ => None,
        }
    }

    /// Records how many times the request was sent (used by the retry loop).
    pub(crate) fn with_attempts(mut self, n: u32) -> Self {
        match &mut self {
            Error::Network { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::RateLimited { attempts, .. }
            | Error::Server { attempts, .. } => *attempts = n,
            _ => {}
        }
        self
    }

    /// Marks a transient failure of a mutation as possibly processed.
    pub(crate) fn mark_ambiguous(mut self) -> Self {
        match &mut self {
            Error::Network {
                may_have_been_processed,
                ..
            }
            | Error::Timeout {
                may_have_been_processed,
                ..
            }
            | Error::Server {
                may_have_been_processed,
                ..
            } => *may_have_been_processed = true,
            _ => {}
        }
        self
    }

    pub(crate) fn invalid_input(field: &str, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub(crate) fn inconsistent_pages(
        listing: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Error::InconsistentPages {
            listing: listing.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn decode(message: impl Into<String>, body: &str) -> Self {
        Error::Decode {
            message: message.into(),
            excerpt: excerpt(body),
            source: None,
        }
    }

    /// A network failure (nothing about the request's fate known yet: see `mark_ambiguous`).
    pub(crate) fn network(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Error::Network {
            message: message.into(),
            attempts: 1,
            may_have_been_processed: false,
            source: Some(source.into()),
        }
    }

    /// A timeout, `which` naming it.
    pub(crate) fn timeout(which: impl Into<String>, source: Source) -> Self {
        Error::Timeout {
            message: which.into(),
            attempts: 1,
            may_have_been_processed: false,
            source,
        }
    }
}

/// How many characters of a text from the service an error keeps.
pub(crate) const EXCERPT_CHARS: usize = 500;

/// The first [`EXCERPT_CHARS`] characters of a text from the service, saying how much was
/// left out: a 10 MB message must not become a 10 MB error line.
pub(crate) fn excerpt(text: &str) -> String {
    cut(text, false)
}

/// [`excerpt`] of the start of a longer text whose rest was not read.
pub(crate) fn excerpt_of_start(text: &str) -> String {
    cut(text, true)
}

fn cut(text: &str, rest_unread: bool) -> String {
    let (kept, left_out) = match text.char_indices().nth(EXCERPT_CHARS) {
        Some((at, _)) => (&text[..at], (text.len() - at) as u64),
        None => (text, 0),
    };
    match (left_out, rest_unread) {
        (0, false) => kept.to_owned(),
        (0, true) => format!("{kept}… (more bytes not read)"),
        (n, false) => format!("{kept}… ({} more bytes)", thousands(n)),
        (n, true) => format!("{kept}… (over {} more bytes)", thousands(n)),
    }
}

/// `9999500` -> `9,999,500`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn attempts_suffix(f: &mut fmt::Formatter<'_>, attempts: u32) -> fmt::Result {
    if attempts > 1 {
        write!(f, " (after {attempts} attempts)")?;
    }
    Ok(())
}

/// What every transient failure's message ends with: the attempts and, for a mutation, the
/// warning that it may have been carried out.
fn transient_suffix(f: &mut fmt::Formatter<'_>, attempts: u32, maybe: bool) -> fmt::Result {
    attempts_suffix(f, attempts)?;
    processed_suffix(f, maybe)
}

fn processed_suffix(f: &mut fmt::Formatter<'_>, maybe: bool) -> fmt::Result {
    if maybe {
        write!(
            f,
            "; the request may have been processed by the service, check before sending it again"
        )?;
    }
    Ok(())
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Authentication { message } => write!(f, "authentication failed: {message}"),
            Error::Authorization { message } => write!(f, "not authorized: {message}"),
            Error::NotFound { what, id } if id.is_empty() => write!(f, "not found: {what}"),
            Error::NotFound { what, id } => write!(f, "{what} {id:?} not found"),
            Error::RateLimited {
                message,
                retry_after,
                attempts,
            } => {
                write!(f, "rate limited: {message}")?;
                if let Some(d) = retry_after {
                    write!(f, " (retry after {})", humantime::format_duration(*d))?;
                }
                attempts_suffix(f, *attempts)
            }
            Error::InvalidQuery { message } => write!(f, "invalid query: {message}"),
            Error::Conflict { message } => write!(f, "conflict: {message}"),
            Error::OperationNotAllowed { message } => {
                write!(f, "operation not allowed: {message}")
            }
            Error::Unprocessable { message } => write!(f, "unprocessable request: {message}"),
            Error::Server {
                status,
                message,
                attempts,
                may_have_been_processed,
                ..
            } => {
                write!(f, "server error {status}: {message}")?;
                transient_suffix(f, *attempts, *may_have_been_processed)
            }
            Error::Api { status, message } => write!(f, "API error (HTTP {status}): {message}"),
            Error::Network {
                message,
                attempts,
                may_have_been_processed,
                ..
            } => {
                write!(f, "network error: {message}")?;
                transient_suffix(f, *attempts, *may_have_been_processed)
            }
            Error::Timeout {
                message,
                attempts,
                may_have_been_processed,
                ..
            } => {
                write!(f, "timed out: {message}")?;
                transient_suffix(f, *attempts, *may_have_been_processed)
            }
            Error::Decode {
                message, excerpt, ..
            } => {
                write!(f, "could not decode the answer: {message}; body starts: {excerpt:?}")
            }
            Error::AnswerTooLarge { limit } => write!(
                f,
                "the service's answer is larger than the limit of {} bytes \
                 (ClientBuilder::max_answer_bytes)",
                thousands(*limit)
            ),
            Error::Redirected { status, location } => {
                write!(f, "the API endpoint answered a redirect (HTTP {status})")?;
                if let Some(location) = location {
                    write!(f, " to {location}")?;
                }
                write!(f, "; redirects are not followed: check the endpoint setting")
            }
            Error::InvalidInput { field, message } => write!(f, "invalid {field}: {message}"),
            Error::TaskNotCancelable {
                task_id,
                task_type,
                status,
                reason,
            } => write!(
                f,
                "task {task_id:?} (type {task_type:?}, status {status}) cannot be cancelled: {reason}"
            ),
            Error::WaitTimedOut {
                task,
                waited,
                polls,
            } => write!(
                f,
                "task {:?} still {} after waiting {} ({polls} polls)",
                task.id(),
                task.status(),
                humantime::format_duration(*waited)
            ),
            Error::ResultUnavailable {
                task_id,
                task_type,
                reason,
            } => write!(
                f,
                "no result for task {task_id:?} (type {task_type:?}): {reason}"
            ),
            Error::InvalidItems(items) => {
                write!(f, "{} import item problem(s), nothing was sent", items.len())?;
                items.iter().try_for_each(|item| write!(f, "; {item}"))
            }
            Error::ExportNotReadable { task_id, status } => match status {
                TaskStatus::Failed => write!(f, "export task {task_id:?} failed: it has no streams"),
                TaskStatus::Canceled => {
                    write!(f, "export task {task_id:?} was canceled: it has no streams")
                }
                _ => write!(
                    f,
                    "export task {task_id:?} is still {status}: wait for it to finish first"
                ),
            },
            Error::ImportWaitTimedOut {
                import_id,
                name,
                progress,
                waited,
                polls,
            } => write!(
                f,
                "import {import_id:?} ({name:?}) still running at {progress} after waiting {} ({polls} polls)",
                humantime::format_duration(*waited)
            ),
            Error::ImportNotReadable { import_id, state } => write!(
                f,
                "import {import_id:?} is {state}: its statuses and errors are read once it is FINISHED"
            ),
            Error::BatchNotCreated {
                batch_id,
                task_id,
                status,
                errors,
            } => {
                write!(
                    f,
                    "batch {batch_id:?} was created, but the task adding its rows ({task_id:?}) ended {status}"
                )?;
                match errors {
                    Some(errors) => write!(f, ": {errors}"),
                    None => Ok(()),
                }
            }
            Error::ExportStreamMissing { task_id, stream } => write!(
                f,
                "export task {task_id:?} finished without a {stream} stream"
            ),
            Error::ExportFileLength {
                task_id,
                stream,
                offset,
                expected,
                received,
            } => {
                let (kind, got) = if received < expected {
                    ("short", format!("{received} bytes"))
                } else {
                    ("long", format!("more than {expected} bytes"))
                };
                write!(
                    f,
                    "export task {task_id:?}, {stream} stream: the file at offset {offset} is \
                     {kind}: {got} received, {expected} announced by its offsets"
                )
            }
            Error::ExportFileCorrupt {
                task_id,
                stream,
                line,
                message,
            } => write!(
                f,
                "export task {task_id:?}, {stream} stream, near line {line}: {message}"
            ),
            Error::ExportHeaderInvalid {
                task_id,
                stream,
                total_size,
                total_lines,
                reason,
            } => write!(
                f,
                "export task {task_id:?}, {stream} stream: its header ({total_size} bytes, \
                 {total_lines} lines) contradicts itself: {reason}"
            ),
            Error::ExportLineTooLong {
                task_id,
                stream,
                line,
                limit,
            } => write!(
                f,
                "export task {task_id:?}, {stream} stream: line {line} is longer than the limit \
                 of {} bytes (max_line_bytes)",
                thousands(*limit)
            ),
            Error::InconsistentPages { listing, reason } => write!(
                f,
                "the service's pages of {listing} are inconsistent, stopped reading: {reason}"
            ),
            Error::JobTimedOut {
                job,
                job_id,
                waited,
                polls,
            } => write!(
                f,
                "{job} job {job_id:?} still running after waiting {} ({polls} polls)",
                humantime::format_duration(*waited)
            ),
            Error::JobFailed { job, job_id } => write!(f, "{job} job {job_id:?} failed"),
            Error::RegistrationFailed {
                model_run_id,
                task_id,
                message,
            } => {
                write!(
                    f,
                    "registration task {task_id:?} of model run {model_run_id:?} failed"
                )?;
                match message {
                    Some(message) => write!(f, ": {}", excerpt(message)),
                    None => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for Error {
    /// The underlying I/O, HTTP-client or JSON error, for the variants that have one; their
    /// `Display` leaves its text to this (`anyhow`'s `{:#}` shows the whole chain).
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Network { source, .. }
            | Error::Timeout { source, .. }
            | Error::Decode { source, .. } => source
                .as_deref()
                .map(|e| e as &(dyn std::error::Error + 'static)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_say_what_was_left_out() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(EXCERPT_CHARS + 3);
        assert_eq!(
            excerpt(&long),
            format!("{}… (6 more bytes)", "é".repeat(EXCERPT_CHARS))
        );
        assert!(excerpt_of_start(&long).ends_with("… (over 6 more bytes)"));
        assert_eq!(excerpt_of_start("short"), "short… (more bytes not read)");
        assert_eq!(thousands(9_999_500), "9,999,500");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
    }

    #[test]
    fn a_failed_registration_says_which_and_why_in_an_excerpt() {
        let failed = |message: Option<String>| Error::RegistrationFailed {
            model_run_id: "r1".into(),
            task_id: "t1".into(),
            message,
        };
        assert_eq!(
            failed(None).to_string(),
            "registration task \"t1\" of model run \"r1\" failed"
        );
        let long = "x".repeat(EXCERPT_CHARS + 10);
        let text = failed(Some(long)).to_string();
        assert!(text.ends_with("… (10 more bytes)"), "{text}");
        let e = failed(Some("ontology mismatch".into()));
        assert!(e.to_string().ends_with("failed: ontology mismatch"));
        assert!(!e.is_retryable() && !e.is_wait_timed_out() && !e.may_have_been_processed());
    }
}
