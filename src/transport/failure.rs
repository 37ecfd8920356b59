//! A failed attempt, what may be done about it, and the errors of requests that got no HTTP
//! answer.

use crate::error::Error;
use crate::transport::connect::NotSent;

/// Whether a request may be sent again after a failure that leaves its fate unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Queries, uploads and downloads: sending twice is harmless.
    Idempotent,
    /// Mutations: re-sent only when the first send surely was not processed.
    Mutation,
}

/// A failed attempt: the error, and whether the request surely never reached the service
/// (nothing sent: resolve or connect failed; or refused unprocessed: rate limited).
pub(super) struct Failure {
    pub(super) error: Error,
    pub(super) not_processed: bool,
}

impl Failure {
    pub(super) fn ambiguous(error: Error) -> Self {
        Failure {
            error,
            not_processed: false,
        }
    }

    pub(super) fn not_processed(error: Error) -> Self {
        Failure {
            error,
            not_processed: true,
        }
    }

    /// Whether `kind` of request may be sent again after this failure.
    pub(super) fn may_resend(&self, kind: Kind) -> bool {
        self.error.is_retryable() && (kind == Kind::Idempotent || self.not_processed)
    }

    /// The error to hand back once retrying stops, after `sent` sends.
    pub(super) fn finish(self, kind: Kind, sent: u32) -> Error {
        let error = self.error.with_attempts(sent);
        let transient = matches!(
            error,
            Error::Network { .. }
                | Error::Timeout { .. }
                | Error::Server {
                    retryable: true,
                    ..
                }
        );
        if kind == Kind::Mutation && transient && !self.not_processed {
            error.mark_ambiguous()
        } else {
            error
        }
    }
}

/// Maps a ureq failure (no HTTP answer) to an error. Only failures the agent's resolver or
/// connector tagged [`NotSent`] are known not to have reached the service.
pub(super) fn classify_transport(e: ureq::Error) -> Failure {
    match e {
        ureq::Error::Other(other) => match other.downcast::<NotSent>() {
            Ok(not_sent) => Failure::not_processed(before_sending(not_sent.0)),
            Err(other) => Failure::ambiguous(Error::network("the HTTP client failed", other)),
        },
        e => Failure::ambiguous(after_connecting(e)),
    }
}

/// A failure while reading a download's body (after its answer came): a per-read timeout
/// (ureq wraps its own error in the `io::Error`) is [`Error::Timeout`], anything else
/// [`Error::Network`]. `what` says what was being read.
pub(crate) fn body_read_error(e: std::io::Error, what: String) -> Error {
    use std::io::ErrorKind;
    if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) {
        return Error::timeout(format!("{what}: no data in time"), Some(Box::new(e)));
    }
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<ureq::Error>())
    {
        Some(ureq::Error::Timeout(t)) => {
            Error::timeout(format!("{what}: {}", timeout_phase(*t)), Some(Box::new(e)))
        }
        _ => Error::network(what, e),
    }
}

/// A failure to resolve the host or to connect: nothing was sent.
fn before_sending(e: ureq::Error) -> Error {
    match e {
        ureq::Error::Timeout(t) => {
            Error::timeout(format!("{} (nothing was sent)", timeout_phase(t)), None)
        }
        // The source says why: the host not found, the connection refused, TLS...
        ureq::Error::Io(io) => Error::network("could not connect (nothing was sent)", io),
        other => Error::network("could not connect (nothing was sent)", other),
    }
}

/// A failure once connected: the request may have reached the service.
fn after_connecting(e: ureq::Error) -> Error {
    use std::io::ErrorKind;
    match e {
        ureq::Error::Timeout(t) => Error::timeout(timeout_phase(t), None),
        ureq::Error::Io(io) if matches!(io.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
            Error::timeout("reading or writing the connection", Some(Box::new(io)))
        }
        ureq::Error::Io(io) => Error::network("the connection failed", io),
        ureq::Error::BadUri(uri) => {
            Error::invalid_input("url", format!("bad URI {:?}", super::strip_query(&uri)))
        }
        ureq::Error::Http(e) => Error::invalid_input("request", e.to_string()),
        other => Error::network("the HTTP exchange failed", other),
    }
}

/// What was being done when a ureq timeout expired, in the caller's words.
fn timeout_phase(t: ureq::Timeout) -> &'static str {
    use ureq::Timeout as T;
    match t {
        T::Resolve => "resolving the host",
        T::Connect => "connecting",
        T::SendRequest | T::SendBody | T::PerWrite | T::Await100 => "sending the request",
        T::RecvResponse | T::RecvBody | T::PerRead => "waiting for the answer",
        // The time allowed for the whole request (the client's request timeout, or what
        // was left of a wait), and phases later ureq versions may add.
        _ => "the request's total time",
    }
}
