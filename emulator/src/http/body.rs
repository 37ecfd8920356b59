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
    match declared_length(headers) {
        Some(length) if length > limits.max_body_bytes => Err(BodyError::TooLarge),
        _ => Ok(()),
    }
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The whole body of a request with `headers`, at most `max_body_bytes`, within
/// `body_timeout`.
pub(crate) async fn read(
    headers: &HeaderMap,
    body: Incoming,
    limits: &Limits,
    stop: &mut watch::Receiver<bool>,
) -> Result<Bytes, BodyError> {
    let limit = usize::try_from(limits.max_body_bytes).unwrap_or(usize::MAX);
    let expected = declared_length(headers).map_or(0, |n| usize::try_from(n).unwrap_or(limit));
    let whole = gather(Limited::new(body, limit), expected.min(limit));
    tokio::select! {
        gathered = tokio::time::timeout(limits.body_timeout, whole) => match gathered {
            Err(_) => Err(BodyError::TimedOut(limits.body_timeout)),
            Ok(result) => result.map(Bytes::from),
        },
        _ = stop.changed() => Err(BodyError::ShuttingDown),
    }
}

/// The body's frames copied once into one buffer of the declared size, each frame dropped as
/// soon as it is copied (so a large upload is never held twice).
async fn gather(mut body: Limited<Incoming>, expected: usize) -> Result<Vec<u8>, BodyError> {
    let mut bytes = Vec::with_capacity(expected);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| match e.downcast::<LengthLimitError>() {
            Ok(_) => BodyError::TooLarge,
            Err(e) => BodyError::Unreadable(e.to_string()),
        })?;
        if let Some(data) = frame.data_ref() {
            bytes.extend_from_slice(data);
        }
    }
    Ok(bytes)
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
