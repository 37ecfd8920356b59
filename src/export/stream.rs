//! [`ExportStream`]: the lazy iterator over one stream of a finished export, file by file
//! (`exportFileFromOffset`) and line by line, with the offsets that let a consumer resume
//! (PROTOCOL 3.9).

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::export::line_row::ExportedLine;
use crate::export::lines::ExportLines;
use crate::export::reader::StreamReader;
use crate::export::{json_check, typed_row, value_row};

/// One of an export's two streams (`TaskStreamType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StreamType {
    /// `RESULT`: one line per exported data row.
    Result,
    /// `ERRORS`: one line per error.
    Errors,
}

impl StreamType {
    /// The wire name: `RESULT` or `ERRORS`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            StreamType::Result => "RESULT",
            StreamType::Errors => "ERRORS",
        }
    }

    /// A slot per stream, for per-stream caches.
    pub(crate) fn index(self) -> usize {
        match self {
            StreamType::Result => 0,
            StreamType::Errors => 1,
        }
    }
}

impl fmt::Display for StreamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where [`ExportTask::stream_from`](crate::ExportTask::stream_from) starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StreamStart {
    /// The first line.
    #[default]
    Beginning,
    /// The line with this 0-based number. Files before it are skipped without being
    /// downloaded (their offsets are asked, one small request each).
    Line(u64),
    /// The line starting at this byte offset (a [`StreamPosition::offset`]): the file that
    /// holds it is asked directly. An offset inside a line is [`Error::InvalidInput`].
    Offset(u64),
}

/// Where an [`ExportStream`] is: the line and byte offset of the next row it will yield
/// (the stream's totals once it has ended). Give either back to
/// [`ExportTask::stream_from`](crate::ExportTask::stream_from) to resume there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct StreamPosition {
    /// 0-based line number.
    pub line: u64,
    /// Byte offset in the stream.
    pub offset: u64,
}

/// The `data_row` part of an exported line, the part users read most.
///
/// ```
/// let line = serde_json::json!({"data_row": {"id": "dr1", "global_key": "cat",
///     "row_data": "https://example.com/cat.jpg"}, "media_attributes": {}});
/// let row = labelbox::ExportedDataRow::from_row(&line)?;
/// assert_eq!((row.id.as_str(), row.global_key.as_deref()), ("dr1", Some("cat")));
/// # Ok::<_, labelbox::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ExportedDataRow {
    /// The data row's id.
    pub id: String,
    /// Its global key, if any.
    #[serde(default)]
    pub global_key: Option<String>,
    /// Its row data: the URL, or the JSON text of an inline asset.
    #[serde(default, deserialize_with = "crate::import::data_row::lenient_string")]
    pub row_data: Option<String>,
    /// Its external id, if any.
    #[serde(default)]
    pub external_id: Option<String>,
}

impl ExportedDataRow {
    /// Reads the `data_row` part of a line already decoded as a `Value` (no copy of the
    /// rest). A line without one is [`Error::Decode`].
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the line has no `data_row`, or it does not decode (e.g. no `id`).
    pub fn from_row(row: &Value) -> Result<Self> {
        let part = row
            .get("data_row")
            .ok_or_else(|| Error::decode("the line has no data_row", &row.to_string()))?;
        Self::deserialize(part)
            .map_err(|e| Error::decode(format!("data_row: {e}"), &part.to_string()))
    }
}

/// A line of a `RESULT` stream decoded to its `data_row` and `projects` parts only: the
/// other parts are skipped while parsing, never built. Use it with
/// [`ExportStream::decode_as`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ExportedRow {
    /// The data row.
    pub data_row: ExportedDataRow,
    /// Per project id, the row's labels there (project exports; empty in catalog exports
    /// unless they include projects).
    #[serde(default)]
    pub projects: crate::export::project_row::ExportedProjects,
}

/// The lazy iterator over one stream of a finished export, from
/// [`ExportTask::stream`](crate::ExportTask::stream).
///
/// Each item is one NDJSON line decoded as `T` (`serde_json::Value` by default). One file is
/// asked for and downloaded at a time, when the previous one is used up, and read line by
/// line as it arrives: memory is one line at most (plus a 256 KiB read buffer), whatever the
/// size of the export. No request is made past the stream's `totalSize`.
///
/// Nothing leaves the stream that its own metadata contradicts: each file must start at the
/// line and offset where the previous one ended ([`Error::ExportFileCorrupt`] before any of
/// its rows otherwise), hold no more lines than its range and the header announce, and be
/// exactly as long as its offsets ([`Error::ExportFileLength`]); a line longer than
/// [`max_line_bytes`](Self::max_line_bytes) is [`Error::ExportLineTooLong`]. An error ends
/// the iteration; [`position`](Self::position) says where to resume.
#[must_use = "iterators are lazy: nothing is fetched until it is used"]
pub struct ExportStream<T = Value> {
    reader: StreamReader,
    /// How a line becomes a row: serde_json, or for `Value`, [`ExportedRow`] and
    /// [`ExportedLine`] rows the faster readers of `export/value_row`, `export/typed_row` and
    /// `export/line_row`, which yield the same rows and leave every refusal to serde_json.
    decode: Decode<T>,
    _rows: PhantomData<fn() -> T>,
}

/// How a stream decodes a line's bytes into a row, or says why it does not. Bytes, not text:
/// a decoder whose own check covers UTF-8 spares the line a second pass.
type Decode<T> = fn(&[u8]) -> std::result::Result<T, Undecodable>;

impl<T> fmt::Debug for ExportStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_reader(f, "ExportStream", &self.reader)
    }
}

/// The Debug of the two stream types.
pub(crate) fn debug_reader(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    reader: &StreamReader,
) -> fmt::Result {
    f.debug_struct(name)
        .field("task_id", &reader.task_id)
        .field("stream", &reader.stream)
        .field("total_size", &reader.header.total_size)
        .field("total_lines", &reader.header.total_lines)
        .field("position", &reader.want)
        .finish_non_exhaustive()
}

/// A `UInt64` as a JSON number or a string of digits (servers send either).
pub(crate) fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Number(u64),
        Text(String),
    }
    match Wire::deserialize(d)? {
        Wire::Number(n) => Ok(n),
        Wire::Text(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("{s:?} is not a UInt64"))),
    }
}

impl ExportStream<Value> {
    pub(crate) fn new(reader: StreamReader) -> Self {
        ExportStream {
            reader,
            decode: value_rows,
            _rows: PhantomData,
        }
    }
}

impl<T> ExportStream<T> {
    /// The same stream, decoding each line straight into `U` (e.g. [`ExportedRow`]): the
    /// parts of a line `U` does not name are skipped while parsing, never built. Rows are
    /// what `serde_json::from_str::<U>` gives for the line (and a line it refuses is refused);
    /// [`ExportedRow`], [`ExportedLine`] and `Value` rows are read by the SDK's own faster
    /// readers, which give the same rows, and `serde::de::IgnoredAny` (lines checked, nothing
    /// built) by the SDK's JSON check, which accepts the same lines.
    pub fn decode_as<U: DeserializeOwned + 'static>(self) -> ExportStream<U> {
        ExportStream {
            reader: self.reader,
            decode: decoder::<U>(),
            _rows: PhantomData,
        }
    }

    /// The same stream as the lines the service served, undecoded (see [`ExportLines`]).
    pub fn into_lines(self) -> ExportLines {
        ExportLines::new(self.reader)
    }

    crate::export::reader::forward_stream_accessors!("row");
}

impl<T: DeserializeOwned> Iterator for ExportStream<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        let (bytes, line) = match self.reader.next_line()? {
            Ok(found) => found,
            Err(e) => return Some(Err(*e)),
        };
        // The row goes straight out; a refusal is built apart (a row moved through the
        // refusal's `Result`s cost copies at odd offsets, which stall).
        let refusal = match (self.decode)(bytes) {
            Ok(row) => return Some(Ok(row)),
            Err(e) => refusal(line, bytes, &e),
        };
        Some(Err(self.reader.refuse_line(refusal)))
    }
}

/// How lines become `U`s: the readers of `export/typed_row`, `export/line_row` and
/// `export/value_row` for [`ExportedRow`], [`ExportedLine`] and `Value` (the rows serde_json
/// gives, read faster), the check of `export/json_check` for `IgnoredAny` (lines scanned,
/// nothing built), serde_json otherwise.
fn decoder<U: DeserializeOwned + 'static>() -> Decode<U> {
    let exported: Decode<ExportedRow> = typed_row::decode;
    let line: Decode<ExportedLine> = ExportedLine::decode_line;
    let value: Decode<Value> = value_rows;
    let ignored: Decode<IgnoredAny> = checked_ignored;
    // Each is `Decode<U>` exactly when `U` is its row type.
    let own: [&dyn Any; 4] = [&exported, &line, &value, &ignored];
    let found = own
        .into_iter()
        .find_map(|decode| decode.downcast_ref::<Decode<U>>().copied());
    found.unwrap_or(decode_with_serde::<U>)
}

/// A line's bytes as text: one UTF-8 check of the whole line (fast on ASCII) spares
/// serde_json a check of every string it meets.
pub(crate) fn utf8(bytes: &[u8]) -> std::result::Result<&str, Undecodable> {
    Ok(std::str::from_utf8(bytes)?)
}

/// A line built into a `Value` by `export/value_row`.
fn value_rows(bytes: &[u8]) -> std::result::Result<Value, Undecodable> {
    Ok(value_row::decode(utf8(bytes)?)?)
}

/// A line checked to be one JSON value, as `serde_json::from_str::<IgnoredAny>` would: what
/// `export/json_check` accepts serde_json accepts (tested); what it refuses (errors, nesting
/// past 128) is left to serde_json, whose answer is final. The check is the raw lines' own
/// (its fast path where the CPU has one), UTF-8 included.
fn checked_ignored(bytes: &[u8]) -> std::result::Result<IgnoredAny, Undecodable> {
    if json_check::check_utf8(bytes) {
        Ok(IgnoredAny)
    } else {
        decode_with_serde(bytes)
    }
}

/// A line decoded by serde_json into `T`.
fn decode_with_serde<T: DeserializeOwned>(bytes: &[u8]) -> std::result::Result<T, Undecodable> {
    Ok(serde_json::from_str(utf8(bytes)?)?)
}

/// Why a line does not decode: `std`'s UTF-8 error or serde_json's (boxed by `?`), as its
/// refusal says it.
pub(crate) type Undecodable = Box<dyn std::error::Error + Send + Sync>;

/// Why line `line` was refused, with its start.
pub(crate) fn refusal(line: u64, bytes: &[u8], why: &dyn fmt::Display) -> String {
    format!(
        "line {line} does not decode: {why}; it starts: {:?}",
        crate::error::excerpt(&String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]))
    )
}

#[cfg(test)]
mod tests {
    use super::decoder;
    use crate::export::json_check::tests::{case_line, Rng};
    use crate::ExportedRow;
    use serde::de::IgnoredAny;
    use serde_json::Value;

    /// Bytes that are not UTF-8 are refused with `std`'s reason, whatever the rows.
    #[test]
    fn lines_that_are_not_utf8_say_so() {
        let line = &[&br#"{"data_row":{"id":""#[..], b"\xff", br#""}}"#].concat();
        let why = std::str::from_utf8(line).unwrap_err().to_string();
        let answers = [
            decoder::<IgnoredAny>()(line).map(drop),
            decoder::<ExportedRow>()(line).map(drop),
            decoder::<crate::ExportedLine>()(line).map(drop),
            decoder::<Value>()(line).map(drop),
            decoder::<std::collections::HashMap<String, Value>>()(line).map(drop),
        ];
        for answer in answers {
            assert_eq!(answer.unwrap_err().to_string(), why);
        }
    }

    /// `IgnoredAny` rows are read by the JSON check, and a line is refused exactly when
    /// serde_json refuses it, with serde_json's error.
    #[test]
    fn ignored_rows_are_refused_as_serde_json_refuses_them() {
        let decode = decoder::<IgnoredAny>();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let (mut accepted, mut refused) = (0, 0);
        for case in 0..40_000 {
            let line = case_line(&mut rng, case);
            let theirs = serde_json::from_str::<IgnoredAny>(&line).map_err(|e| e.to_string());
            let ours = decode(line.as_bytes()).map(drop).map_err(|e| e.to_string());
            assert_eq!(ours, theirs.map(drop), "case {case}: {line:?}");
            if ours.is_ok() {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
        assert!(
            accepted > 5_000 && refused > 5_000,
            "{accepted} accepted, {refused} refused"
        );
    }
}
