//! [`AnnotationStatuses`]: an import's status or error file (NDJSON), read line by line as it
//! downloads, each line a typed [`AnnotationStatus`].

use std::fmt;
use std::io::{BufRead, BufReader, Read};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};

/// The longest status line read; a longer one is [`Error::Decode`] (a line is one
/// annotation's status, a few hundred bytes).
const MAX_LINE_BYTES: u64 = 1 << 20;

/// One annotation's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AnnotationStatus {
    /// The annotation's uuid, as imported.
    #[serde(default)]
    pub uuid: Option<String>,
    /// The row, as the service echoes it (`{"id": ...}` or `{"globalKey": ...}`).
    #[serde(default)]
    pub data_row: Option<Value>,
    /// `SUCCESS` or `FAILURE`.
    pub status: String,
    /// Why it failed.
    #[serde(default)]
    pub errors: Vec<AnnotationError>,
}

impl AnnotationStatus {
    /// True for `SUCCESS`.
    #[must_use]
    pub fn is_success(&self) -> bool {
        self.status == "SUCCESS"
    }
}

/// Why an annotation failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AnnotationError {
    /// The error's kind, e.g. `ValidationError`.
    #[serde(default)]
    pub name: String,
    /// What is wrong.
    #[serde(default)]
    pub message: String,
    /// More, when the service says more.
    #[serde(default)]
    pub additional_info: Option<Value>,
}

/// The lazy iterator of [`AnnotationImport::statuses`](crate::AnnotationImport::statuses)
/// and [`errors`](crate::AnnotationImport::errors). An error ends it.
#[must_use = "iterators are lazy: nothing is read until it is used"]
pub struct AnnotationStatuses {
    body: Option<BufReader<Box<dyn Read + Send>>>,
    what: &'static str,
    line: Vec<u8>,
    line_no: u64,
}

impl fmt::Debug for AnnotationStatuses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnnotationStatuses")
            .field("file", &self.what)
            .field("line", &self.line_no)
            .finish_non_exhaustive()
    }
}

impl AnnotationStatuses {
    pub(crate) fn new(body: Box<dyn Read + Send>, what: &str) -> Self {
        AnnotationStatuses {
            body: Some(BufReader::with_capacity(64 << 10, body)),
            what: Self::label(what),
            line: Vec::new(),
            line_no: 0,
        }
    }

    pub(crate) fn empty(what: &str) -> Self {
        AnnotationStatuses {
            body: None,
            what: Self::label(what),
            line: Vec::new(),
            line_no: 0,
        }
    }

    fn label(what: &str) -> &'static str {
        if what == "errors" {
            "error file"
        } else {
            "status file"
        }
    }

    fn next_line(&mut self) -> Result<Option<AnnotationStatus>> {
        let Some(body) = self.body.as_mut() else {
            return Ok(None);
        };
        loop {
            self.line.clear();
            let read = body
                .by_ref()
                .take(MAX_LINE_BYTES + 1)
                .read_until(b'\n', &mut self.line)
                .map_err(|e| Error::decode(format!("{}: {e}", self.what), ""))?;
            if read == 0 {
                return Ok(None);
            }
            self.line_no += 1;
            if self.line.len() as u64 > MAX_LINE_BYTES {
                return Err(Error::decode(
                    format!("{} line {} is longer than 1 MiB", self.what, self.line_no),
                    "",
                ));
            }
            let text = self.line.trim_ascii();
            if text.is_empty() {
                continue;
            }
            return serde_json::from_slice(text).map(Some).map_err(|e| {
                Error::decode(
                    format!("{} line {}: {e}", self.what, self.line_no),
                    &String::from_utf8_lossy(text),
                )
            });
        }
    }
}

impl Iterator for AnnotationStatuses {
    type Item = Result<AnnotationStatus>;

    fn next(&mut self) -> Option<Result<AnnotationStatus>> {
        match self.next_line() {
            Ok(Some(status)) => Some(Ok(status)),
            Ok(None) => {
                self.body = None;
                None
            }
            Err(e) => {
                self.body = None;
                Some(Err(e))
            }
        }
    }
}
