//! Answers as hyper responses: whole bodies with their `Content-Length` (written in one piece
//! with the head where they fit), served files, and answers cut by a dropped-connection fault.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Bytes, Frame, SizeHint};
use hyper::header::{HeaderValue, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use serde_json::Value;

use crate::faults::FaultKind;
use crate::store::StoredFile;

/// Every response's body.
pub(crate) type ResponseBody = BoxBody<Bytes, io::Error>;

/// The answer to a GraphQL request before it is written: status, JSON body, extra headers.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    pub(crate) headers: Vec<(&'static str, String)>,
    /// Close the connection after this answer (the request's body was not read whole).
    pub(crate) close: bool,
}

impl Answer {
    pub(crate) fn new(status: u16, body: &Value) -> Self {
        Answer::from_bytes(status, body.to_string().into_bytes())
    }

    pub(crate) fn from_bytes(status: u16, body: Vec<u8>) -> Self {
        Answer {
            status,
            body,
            headers: Vec::new(),
            close: false,
        }
    }

    pub(crate) fn closing(mut self) -> Self {
        self.close = true;
        self
    }
}

/// The request's connection is closed without an answer (a dropped-connection fault cut
/// before the status line). hyper closes the socket when a service returns an error.
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a fault")
    }
}

impl std::error::Error for Dropped {}

/// The answer whole, or the fault's cut of it.
pub(crate) fn written(
    answer: Answer,
    cut: Option<FaultKind>,
) -> Result<Response<ResponseBody>, Dropped> {
    match cut {
        None => Ok(whole_answer(answer)),
        Some(FaultKind::DroppedMidBody) => Ok(headed(answer, |bytes| CutBody::new(bytes).boxed())),
        Some(_) => Err(Dropped),
    }
}

/// The answer whole, with its `Content-Length`.
pub(crate) fn whole_answer(answer: Answer) -> Response<ResponseBody> {
    headed(answer, |bytes| whole(Bytes::from(bytes)))
}

/// The answer's status and headers over the body `body` makes of its bytes.
fn headed(answer: Answer, body: impl FnOnce(Vec<u8>) -> ResponseBody) -> Response<ResponseBody> {
    // Explicit, so a cut body still promises the whole length.
    let length = HeaderValue::from(answer.body.len());
    let mut response = Response::new(body(answer.body));
    *response.status_mut() = status(answer.status);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CONTENT_LENGTH, length);
    if answer.close {
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
    }
    for (name, value) in answer.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

/// A served file with its `Content-Length` whatever its size, on GET and HEAD (empty body).
pub(crate) fn file(file: StoredFile, head: bool) -> Response<ResponseBody> {
    let length = file.bytes.len();
    let body = if head {
        Bytes::new()
    } else {
        Bytes::from_owner(file.bytes)
    };
    let mut response = Response::new(whole(body));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&file.content_type) {
        headers.insert(CONTENT_TYPE, value);
    }
    headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
    response
}

/// A plain-text answer.
pub(crate) fn text(status_code: u16, text: &'static str) -> Response<ResponseBody> {
    let mut response = Response::new(whole(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status(status_code);
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn whole(bytes: Bytes) -> ResponseBody {
    Full::new(bytes).map_err(|never| match never {}).boxed()
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Half of an answer, then a failure: hyper has promised the whole length, so it closes the
/// socket and the client sees the body end early.
struct CutBody {
    half: Option<Bytes>,
    promised: u64,
}

impl CutBody {
    fn new(mut whole: Vec<u8>) -> Self {
        let promised = whole.len() as u64;
        whole.truncate(whole.len() / 2);
        CutBody {
            half: Some(Bytes::from(whole)),
            promised,
        }
    }
}

impl Body for CutBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        Poll::Ready(Some(match self.half.take() {
            Some(half) => Ok(Frame::data(half)),
            None => Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection dropped by a fault",
            )),
        }))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.promised)
    }
}
