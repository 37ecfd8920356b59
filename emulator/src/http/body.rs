//! Request bodies: refused on their declared size before a byte is read, read whole under a
//! size limit and a deadline, abandoned when the server stops.

use std::time::Duration;

use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderMap, CONTENT_LENGTH};
use tokio::sync::watch;

use super::Limits;

/// Why a body could not be read.
#[derive(Debug, PartialEq)]
pub(crate) enum BodyError {
    /// Longer than the limit: declared so, or found so while reading a chunked body.
    TooLarge,
    /// Not complete within the body timeout (a stalled or very slow client).
    TimedOut(Duration),
    /// The connection failed or the framing was broken.
    Unreadable(String),
    /// The server is stopping.
    ShuttingDown,
}

/// `TooLarge` when the declared `Content-Length` is over the limit, before reading anything.
pub(crate) fn check_declared_length(headers: &HeaderMap, limits: &Limits) -> Result<(), BodyError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(length) if length > limits.max_body_bytes => Err(BodyError::TooLarge),
        _ => Ok(()),
    }
}

/// The whole body, at most `max_body_bytes`, within `body_timeout`.
pub(crate) async fn read(
    body: Incoming,
    limits: &Limits,
    stop: &mut watch::Receiver<bool>,
) -> Result<Bytes, BodyError> {
    let limit = usize::try_from(limits.max_body_bytes).unwrap_or(usize::MAX);
    let collect = Limited::new(body, limit).collect();
    tokio::select! {
        collected = tokio::time::timeout(limits.body_timeout, collect) => match collected {
            Err(_) => Err(BodyError::TimedOut(limits.body_timeout)),
            Ok(Ok(collected)) => Ok(collected.to_bytes()),
            Ok(Err(e)) if e.is::<LengthLimitError>() => Err(BodyError::TooLarge),
            Ok(Err(e)) => Err(BodyError::Unreadable(e.to_string())),
        },
        _ = stop.changed() => Err(BodyError::ShuttingDown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declared_length_over_the_limit_is_refused_and_one_at_it_is_not() {
        let limits = Limits {
            max_body_bytes: 100,
            ..Limits::default()
        };
        let mut headers = HeaderMap::new();
        assert_eq!(check_declared_length(&headers, &limits), Ok(()));
        headers.insert(CONTENT_LENGTH, 100.into());
        assert_eq!(check_declared_length(&headers, &limits), Ok(()));
        headers.insert(CONTENT_LENGTH, 101.into());
        assert_eq!(
            check_declared_length(&headers, &limits),
            Err(BodyError::TooLarge)
        );
    }
}
