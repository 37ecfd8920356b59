//! Reading a GraphQL answer (PROTOCOL 1.1 steps 2 to 7), its `data` decoded straight from the
//! bytes into the caller's type or buffer: no intermediate `serde_json::Value`.

use std::io::Read;
use std::marker::PhantomData;
use std::time::Duration;

use serde::de::{DeserializeSeed, IgnoredAny};
use ureq::http::Response;
use ureq::Body;

use crate::error::Error;
use crate::transport::envelope::{DataSeed, Envelope, EnvelopeSeed, GraphQlError};
use crate::transport::failure::Failure;
use crate::transport::redact::Redactor;

/// What an answer with a JSON body says, beside its bytes.
pub(super) struct Answer<'a> {
    pub(super) status: u16,
    pub(super) retry_after: Option<Duration>,
    pub(super) body: &'a [u8],
    pub(super) redact: &'a Redactor,
}

impl Answer<'_> {
    /// PROTOCOL 1.1 steps 3 to 7: the body as JSON, its `errors`, rate limiting, a non-200
    /// status, else its `data` as `seed` decodes it.
    pub(super) fn decode<S: DataSeed>(&self, seed: &mut S) -> Result<S::Value, Failure> {
        match self.parse(seed) {
            Ok(envelope) => {
                self.classify(&envelope)?;
                envelope.data.ok_or_else(|| {
                    Failure::ambiguous(self.decode_error("the answer has no data", None))
                })
            }
            // The data may not fit because the answer is an error: read its error parts alone,
            // so an error is still classified by its code before the data is blamed.
            Err(typed) => match self.parse(&mut PhantomData::<IgnoredAny>) {
                Ok(envelope) => {
                    self.classify(&envelope)?;
                    Err(Failure::ambiguous(self.decode_error(
                        "the data does not have the expected shape",
                        Some(typed),
                    )))
                }
                Err(_) if self.status == 429 => Err(self.rate_limited(None)),
                Err(_) => Err(Failure::ambiguous(self.decode_error(
                    &format!("failed to parse response as JSON (HTTP {})", self.status),
                    Some(typed),
                ))),
            },
        }
    }

    /// The body as an envelope, its `data` through `seed`. The body's UTF-8 is checked once,
    /// as a whole, so the parser need not check each string again (a third of the decode of a
    /// result page); a body that is not UTF-8 is parsed as bytes, to fail as it always did.
    fn parse<S: DataSeed>(&self, seed: &mut S) -> serde_json::Result<Envelope<S::Value>> {
        match std::str::from_utf8(self.body) {
            Ok(text) => parse_with(serde_json::Deserializer::from_str(text), seed),
            Err(_) => parse_with(serde_json::Deserializer::from_slice(self.body), seed),
        }
    }

    /// Steps 4 to 6: `Ok` when the answer is not an error.
    fn classify<T>(&self, envelope: &Envelope<T>) -> Result<(), Failure> {
        if let Some(errors) = envelope.errors.as_deref().filter(|e| !e.is_empty()) {
            return Err(Failure::ambiguous(self.graphql_errors(errors)));
        }
        let message = envelope.message.as_deref();
        if self.status == 429 || message.is_some_and(|m| m.starts_with("You have exceeded")) {
            return Err(self.rate_limited(message));
        }
        if self.status != 200 {
            let message = self.message_or_body(message);
            return Err(Failure::ambiguous(match self.status {
                401 => Error::Authentication { message },
                403 => Error::Authorization { message },
                status => Error::Api { status, message },
            }));
        }
        Ok(())
    }

    /// Rate limited: surely not processed, so any request may be sent again.
    fn rate_limited(&self, message: Option<&str>) -> Failure {
        Failure::not_processed(Error::RateLimited {
            message: self.message_or_body(message),
            retry_after: self.retry_after,
            attempts: 1,
        })
    }

    fn message_or_body(&self, message: Option<&str>) -> String {
        match message {
            Some(message) => self.redact.text(message),
            None => self.redact.body(self.body),
        }
    }

    fn decode_error(&self, message: &str, source: Option<serde_json::Error>) -> Error {
        Error::Decode {
            message: message.to_owned(),
            excerpt: self.redact.body(self.body),
            source: source.map(|e| e.into()),
        }
    }

    /// The `errors` array, by `extensions.code`, first code of the table that matches.
    fn graphql_errors(&self, errors: &[GraphQlError]) -> Error {
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
        let first_of = |code| errors.iter().find(|e| e.code() == Some(code));
        let Some((code, error)) = ORDER.iter().find_map(|&c| Some((c, first_of(c)?))) else {
            return Error::Api {
                status: self.status,
                message: self.every_message(errors),
            };
        };
        let message = self.redact.text(error.message.as_deref().unwrap_or(""));
        match code {
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
            _ => internal_error(error.exception_status(), message),
        }
    }

    /// Every message of an unknown error, joined (the body when none has one).
    fn every_message(&self, errors: &[GraphQlError]) -> String {
        let messages: Vec<&str> = errors
            .iter()
            .map(|e| e.message.as_deref().unwrap_or(""))
            .collect();
        if messages.iter().all(|m| m.is_empty()) {
            self.redact.body(self.body)
        } else {
            self.redact.text(&messages.join("; "))
        }
    }
}

/// A whole JSON document read as an envelope (nothing may follow it).
fn parse_with<'de, R: serde_json::de::Read<'de>, S: DataSeed>(
    mut deserializer: serde_json::Deserializer<R>,
    seed: &mut S,
) -> serde_json::Result<Envelope<S::Value>> {
    let envelope = EnvelopeSeed(seed).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(envelope)
}

/// `INTERNAL_SERVER_ERROR`, refined by `extensions.exception.status`.
fn internal_error(status: Option<u16>, message: String) -> Error {
    match status {
        Some(400) => Error::InvalidQuery { message },
        Some(422) => Error::Unprocessable { message },
        Some(426) => Error::OperationNotAllowed { message },
        Some(500) | None => server(500, message, false),
        Some(other) => server(other, message, true),
    }
}

fn server(status: u16, message: String, retryable: bool) -> Error {
    Error::Server {
        status,
        message,
        retryable,
        attempts: 1,
        may_have_been_processed: false,
    }
}

/// How much of an error answer's body is read for its message.
const ERROR_BODY_BYTES: u64 = 64 * 1024;

/// The start of an error answer's body (at most [`ERROR_BODY_BYTES`]), for its message.
pub(super) struct ErrorBody {
    text: String,
    /// Whether `text` is the whole body.
    whole: bool,
}

impl ErrorBody {
    /// Reads the start of the body, lossily (a broken body still has its start to show).
    pub(super) fn read(response: &mut Response<Body>) -> Self {
        let mut bytes = Vec::new();
        let reader = response.body_mut().with_config().reader();
        let _ = reader.take(ERROR_BODY_BYTES + 1).read_to_end(&mut bytes);
        let whole = bytes.len() as u64 <= ERROR_BODY_BYTES;
        bytes.truncate(ERROR_BODY_BYTES as usize);
        ErrorBody {
            text: String::from_utf8_lossy(&bytes).into_owned(),
            whole,
        }
    }

    /// The body as an error may show it: the key masked, cut to an excerpt.
    pub(super) fn message(&self, redact: &Redactor) -> String {
        if self.whole {
            redact.text(&self.text)
        } else {
            redact.start(&self.text)
        }
    }
}

/// HTTP 5xx (step 2, before any parsing): a server error, or a connection reset reported by
/// a proxy.
pub(super) fn server_error(status: u16, body: &ErrorBody, redact: &Redactor) -> Error {
    if body
        .text
        .contains("upstream connect error or disconnect/reset before headers")
    {
        return Error::Network {
            message: format!("connection reset by the service's proxy (HTTP {status})"),
            attempts: 1,
            may_have_been_processed: false,
            source: None,
        };
    }
    let message = if status == 502 {
        "Bad Gateway".to_owned()
    } else if body.text.trim().is_empty() {
        format!("HTTP {status}")
    } else {
        body.message(redact)
    };
    server(status, message, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Data {
        user: String,
    }

    fn decode(status: u16, body: &str) -> Result<Data, Error> {
        let redact = Redactor::new("k");
        let answer = Answer {
            status,
            retry_after: None,
            body: body.as_bytes(),
            redact: &redact,
        };
        answer.decode(&mut PhantomData::<Data>).map_err(|f| f.error)
    }

    #[test]
    fn data_is_decoded_straight_into_the_type() {
        assert_eq!(decode(200, r#"{"data": {"user": "u"}}"#).unwrap().user, "u");
    }

    /// The body is checked for UTF-8 once, then parsed as text; one that is not UTF-8 is still
    /// a decode error naming the JSON error, never data with a replaced character.
    #[test]
    fn text_is_decoded_and_bytes_that_are_not_utf8_are_a_decode_error() {
        assert_eq!(
            decode(200, r#"{"data": {"user": "Zoë"}}"#).unwrap().user,
            "Zoë"
        );
        let redact = Redactor::new("k");
        let answer = Answer {
            status: 200,
            retry_after: None,
            body: b"{\"data\": {\"user\": \"Zo\xeb\"}}",
            redact: &redact,
        };
        let e = answer
            .decode(&mut PhantomData::<Data>)
            .map_err(|f| f.error)
            .unwrap_err();
        assert!(
            matches!(&e, Error::Decode { source: Some(source), .. }
                if source.to_string().contains("invalid unicode")),
            "{e:?}"
        );
    }

    /// The order of PROTOCOL 1.1 holds when the typed decode fails: the error code first.
    #[test]
    fn an_error_answer_is_classified_by_its_code_even_when_its_data_does_not_fit() {
        let body = r#"{"data": {"user": 5}, "errors": [{"message": "no", "extensions": {"code": "AUTHENTICATION_ERROR"}}]}"#;
        assert!(decode(200, body).unwrap_err().is_authentication());
        let limited = r#"{"data": {"user": 5}, "message": "You have exceeded the limit"}"#;
        assert!(decode(200, limited).unwrap_err().is_rate_limited());
        let e = decode(200, r#"{"data": {"user": 5}}"#).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Decode {
                    source: Some(_),
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(decode(429, "<html>slow down</html>")
            .unwrap_err()
            .is_rate_limited());
    }
}
