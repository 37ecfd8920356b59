//! The one error type of the SDK, and its predicates.
//!
//! Every failure the SDK can report is a variant of [`Error`]. Variants carry what a caller
//! needs to act (the id that was not found, the status a task was in, how long a wait lasted),
//! and never the API key.

use std::fmt;
use std::time::Duration;

use crate::task::{Task, TaskStatus};

/// The result type of every fallible SDK call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the SDK.
///
/// Transient variants ([`Error::Network`], [`Error::Timeout`], retryable [`Error::Server`],
/// [`Error::RateLimited`]) carry `attempts`: how many times the request was sent before the
/// SDK gave up (1 when it was not retried).
///
/// Match the variants that call for their own handling, or ask the predicates
/// ([`is_not_found`](Error::is_not_found), [`is_retryable`](Error::is_retryable),
/// [`may_have_been_processed`](Error::may_have_been_processed), ...); the enum is
/// `#[non_exhaustive]`, so keep a catch-all arm.
///
/// ```no_run
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
    },
    /// A connect or request timeout expired.
    Timeout {
        /// Which timeout.
        message: String,
        /// How many times the request was sent.
        attempts: u32,
        /// True for a mutation that may have been carried out despite the error.
        may_have_been_processed: bool,
    },
    /// An answer could not be decoded into what the SDK expected.
    Decode {
        /// What did not fit.
        message: String,
        /// The first characters of the body (the API key, if echoed, is masked).
        excerpt: String,
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
}

impl Error {
    /// True for failures the SDK retries for idempotent requests: network failures,
    /// timeouts, transient server errors and rate limiting.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Network { .. } | Error::Timeout { .. } | Error::RateLimited { .. } => true,
            Error::Server { retryable, .. } => *retryable,
            _ => false,
        }
    }

    /// True when the object looked for does not exist (or is not visible to this key).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// True for a bad or revoked key.
    pub fn is_authentication(&self) -> bool {
        matches!(self, Error::Authentication { .. })
    }

    /// True for a valid key that may not do this.
    pub fn is_authorization(&self) -> bool {
        matches!(self, Error::Authorization { .. })
    }

    /// True when the service rate-limited the request.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::RateLimited { .. })
    }

    /// True for a connect or request timeout (not a wait that timed out).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// True when a wait ended with the task still running.
    pub fn is_wait_timed_out(&self) -> bool {
        matches!(self, Error::WaitTimedOut { .. })
    }

    /// True for input refused before anything was sent (including refused import items).
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::InvalidInput { .. } | Error::InvalidItems(_))
    }

    /// True for a mutation that failed in a way that leaves open whether the service
    /// carried it out (a timeout or a broken connection after sending): check before retrying.
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
        }
    }
}

/// The first characters of a body, for error messages.
pub(crate) fn excerpt(body: &str) -> String {
    const MAX: usize = 300;
    let mut out: String = body.chars().take(MAX).collect();
    if body.chars().nth(MAX).is_some() {
        out.push('…');
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
            } => {
                write!(f, "network error: {message}")?;
                transient_suffix(f, *attempts, *may_have_been_processed)
            }
            Error::Timeout {
                message,
                attempts,
                may_have_been_processed,
            } => {
                write!(f, "timed out: {message}")?;
                transient_suffix(f, *attempts, *may_have_been_processed)
            }
            Error::Decode { message, excerpt } => {
                write!(f, "could not decode the answer: {message}; body starts: {excerpt:?}")
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
            Error::InconsistentPages { listing, reason } => write!(
                f,
                "the service's pages of {listing} are inconsistent, stopped reading: {reason}"
            ),
        }
    }
}

impl std::error::Error for Error {}
