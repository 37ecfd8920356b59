//! [`ExportStream`]: the lazy iterator over one stream of a finished export, file by file
//! (`exportFileFromOffset`) and line by line, with the offsets that let a consumer resume
//! (PROTOCOL 3.9).

use std::fmt;
use std::io::{BufRead, BufReader, Read, Take};
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::export::task::StreamHeader;
use crate::Client;

const FILE_QUERY: &str = "query GetExportFileFromOffsetPyApi($where: WhereUniqueIdInput, $streamType: TaskStreamType!, $offset: UInt64!){task(where: $where){exportFileFromOffset(streamType: $streamType, offset: $offset){offsets {start end} lines {start end} file}}}";

/// Room for the start of a file's body; lines longer than this grow the line buffer only.
const READ_BUFFER: usize = 64 * 1024;

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
/// line as it arrives: memory is one line (plus a 64 KiB read buffer), whatever the size of
/// the export. No request is made past the stream's `totalSize`. An error ends the
/// iteration; [`position`](Self::position) says where to resume.
#[must_use = "iterators are lazy: nothing is fetched until it is used"]
pub struct ExportStream<T = Value> {
    client: Client,
    task_id: String,
    stream: StreamType,
    header: StreamHeader,
    /// The offset of the next file to ask for.
    next_file: u64,
    /// The earliest line and offset the next row may start at: rows before it are skipped.
    want: StreamPosition,
    /// Line and offset of the next line the open file will give.
    cursor: StreamPosition,
    file: Option<OpenFile>,
    /// How many files were asked for (the line count is checked at the end only if any).
    files_seen: u32,
    line: Vec<u8>,
    done: bool,
    _rows: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for ExportStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportStream")
            .field("task_id", &self.task_id)
            .field("stream", &self.stream)
            .field("total_size", &self.header.total_size)
            .field("total_lines", &self.header.total_lines)
            .field("position", &self.want)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// The file being read and what its offsets announced.
struct OpenFile {
    reader: BufReader<Take<Box<dyn Read + Send>>>,
    /// Its first byte's offset in the stream.
    start: u64,
    /// Its length per its offsets.
    expected: u64,
    /// Bytes read so far.
    read: u64,
    /// The number one past its last line.
    lines_end: u64,
}

/// One file of the stream as `exportFileFromOffset` describes it.
#[derive(Debug, Deserialize)]
struct FileInfo {
    offsets: Range,
    lines: Range,
    file: String,
}

#[derive(Debug, Deserialize)]
struct Range {
    #[serde(deserialize_with = "lenient_u64")]
    start: u64,
    #[serde(deserialize_with = "lenient_u64")]
    end: u64,
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
    pub(crate) fn new(
        client: Client,
        task_id: &str,
        stream: StreamType,
        header: StreamHeader,
        start: StreamStart,
    ) -> Result<Self> {
        let end = StreamPosition {
            line: header.total_lines,
            offset: header.total_size,
        };
        let (want, next_file) = match start {
            StreamStart::Beginning => (StreamPosition::default(), 0),
            // At the end already (a consumer that read everything): nothing to ask.
            StreamStart::Line(line) if line == end.line => (end, end.offset),
            StreamStart::Offset(offset) if offset == end.offset => (end, end.offset),
            StreamStart::Line(line) if line > header.total_lines => {
                return Err(past_end("line", line, header.total_lines))
            }
            StreamStart::Line(line) => (StreamPosition { line, offset: 0 }, 0),
            StreamStart::Offset(offset) if offset > header.total_size => {
                return Err(past_end("offset", offset, header.total_size))
            }
            StreamStart::Offset(offset) => (StreamPosition { line: 0, offset }, offset),
        };
        Ok(ExportStream {
            client,
            task_id: task_id.to_owned(),
            stream,
            header,
            next_file,
            want,
            cursor: want,
            file: None,
            files_seen: 0,
            line: Vec::new(),
            done: false,
            _rows: PhantomData,
        })
    }
}

fn past_end(what: &str, asked: u64, total: u64) -> Error {
    Error::invalid_input(
        what,
        format!("{asked} is past the end of the stream ({total})"),
    )
}

impl<T> ExportStream<T> {
    /// The same stream, decoding each line straight into `U` (e.g. [`ExportedRow`]): the
    /// parts of a line `U` does not name are skipped while parsing, never built.
    pub fn decode_as<U: DeserializeOwned>(self) -> ExportStream<U> {
        ExportStream {
            client: self.client,
            task_id: self.task_id,
            stream: self.stream,
            header: self.header,
            next_file: self.next_file,
            want: self.want,
            cursor: self.cursor,
            file: self.file,
            files_seen: self.files_seen,
            line: self.line,
            done: self.done,
            _rows: PhantomData,
        }
    }

    /// Which stream this is.
    #[must_use]
    pub fn stream_type(&self) -> StreamType {
        self.stream
    }

    /// The stream's size in bytes (`totalSize`).
    #[must_use]
    pub fn total_size(&self) -> u64 {
        self.header.total_size
    }

    /// The stream's number of lines (`totalLines`).
    #[must_use]
    pub fn total_lines(&self) -> u64 {
        self.header.total_lines
    }

    /// Where the next row starts (for a stream started at a line, the offset is known from
    /// the first row on). Resume with [`StreamStart::Offset`] of it, or
    /// [`StreamStart::Line`].
    #[must_use]
    pub fn position(&self) -> StreamPosition {
        self.want
    }

    /// Reads the next line into `self.line` (blank lines skipped); `false` at the stream's
    /// end.
    fn next_line(&mut self) -> Result<bool> {
        loop {
            if self.file.is_none() && !self.open_next_file()? {
                return Ok(false);
            }
            if self.read_line()? && !self.line.iter().all(u8::is_ascii_whitespace) {
                return Ok(true);
            }
        }
    }

    /// Reads the open file's next line into `self.line` and moves the cursor past it;
    /// `false` (and the file closed) at its end. Lines before `want` are skipped here.
    fn read_line(&mut self) -> Result<bool> {
        let Some(file) = self.file.as_mut() else {
            return Ok(false);
        };
        loop {
            self.line.clear();
            let n = file.reader.read_until(b'\n', &mut self.line).map_err(|e| {
                Error::network(
                    format!("reading a file of the export's {} stream", self.stream),
                    e,
                )
            })? as u64;
            file.read += n;
            if n == 0 || file.read > file.expected || !self.line.ends_with(b"\n") {
                if file.read != file.expected {
                    return Err(self.length_error());
                }
                if n == 0 {
                    return self.close_file().map(|()| false);
                }
            }
            let line_start = self.cursor;
            self.cursor.line += 1;
            self.cursor.offset += n;
            if line_start.offset < self.want.offset || line_start.line < self.want.line {
                if line_start.offset < self.want.offset && self.cursor.offset > self.want.offset {
                    return Err(Error::invalid_input(
                        "offset",
                        format!(
                            "{} is inside line {} (which starts at {}); resume at a \
                             StreamPosition's offset",
                            self.want.offset, line_start.line, line_start.offset
                        ),
                    ));
                }
                continue;
            }
            return Ok(true);
        }
    }

    /// At the end of a file: its lines must be the ones its `lines` range announced.
    fn close_file(&mut self) -> Result<()> {
        let file = self.file.take().expect("a file is open");
        if self.cursor.line != file.lines_end {
            return Err(self.corrupt(format!(
                "the file at offset {} ends at line {}, its range says {}",
                file.start, self.cursor.line, file.lines_end
            )));
        }
        Ok(())
    }

    /// Asks for the file holding `next_file` and opens its download; `false` at the end of
    /// the stream (nothing asked past `totalSize`).
    fn open_next_file(&mut self) -> Result<bool> {
        loop {
            if self.next_file >= self.header.total_size {
                return self.check_end().map(|()| false);
            }
            let info = self.fetch_file_info(self.next_file)?;
            self.check_file_info(&info)?;
            self.files_seen += 1;
            self.next_file = info.offsets.end + 1;
            if info.lines.end < self.want.line {
                // Resuming at a later line: this file is skipped without downloading it.
                self.cursor = StreamPosition {
                    line: info.lines.end + 1,
                    offset: info.offsets.end + 1,
                };
                continue;
            }
            self.cursor = StreamPosition {
                line: info.lines.start,
                offset: info.offsets.start,
            };
            let expected = info.offsets.end - info.offsets.start + 1;
            let body = self.client.transport().download(&info.file)?;
            self.file = Some(OpenFile {
                // One byte more than announced, to tell a long file from a right one.
                reader: BufReader::with_capacity(READ_BUFFER, body.take(expected + 1)),
                start: info.offsets.start,
                expected,
                read: 0,
                lines_end: info.lines.end + 1,
            });
            return Ok(true);
        }
    }

    fn fetch_file_info(&self, offset: u64) -> Result<FileInfo> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct TaskFile {
            export_file_from_offset: Option<FileInfo>,
        }
        #[derive(Deserialize)]
        struct Data {
            task: Option<TaskFile>,
        }
        let variables = json!({
            "where": {"id": self.task_id},
            "streamType": self.stream.as_str(),
            "offset": offset.to_string(),
        });
        let data: Data = self.client.transport().query(FILE_QUERY, variables)?;
        data.task
            .and_then(|t| t.export_file_from_offset)
            .ok_or_else(|| self.corrupt(format!("no file holds offset {offset}")))
    }

    /// The file must hold the offset asked, end inside the stream, and leave no gap.
    fn check_file_info(&self, info: &FileInfo) -> Result<()> {
        let (offsets, lines) = (&info.offsets, &info.lines);
        let asked = self.next_file;
        if offsets.start > asked || offsets.end < asked || offsets.end >= self.header.total_size {
            return Err(self.corrupt(format!(
                "offset {asked} was answered with the file of bytes {}..={} (stream of {} bytes)",
                offsets.start, offsets.end, self.header.total_size
            )));
        }
        if lines.start > lines.end || lines.end >= self.header.total_lines {
            return Err(self.corrupt(format!(
                "the file at offset {} has lines {}..={} (stream of {} lines)",
                offsets.start, lines.start, lines.end, self.header.total_lines
            )));
        }
        Ok(())
    }

    /// At the end of the stream every line must have been met.
    fn check_end(&mut self) -> Result<()> {
        self.done = true;
        if self.files_seen > 0 && self.cursor.line != self.header.total_lines {
            return Err(self.corrupt(format!(
                "the stream ended at line {}, its header says {} lines",
                self.cursor.line, self.header.total_lines
            )));
        }
        self.want = StreamPosition {
            line: self.header.total_lines,
            offset: self.header.total_size,
        };
        Ok(())
    }

    fn length_error(&self) -> Error {
        let file = self.file.as_ref().expect("a file is open");
        Error::ExportFileLength {
            task_id: self.task_id.clone(),
            stream: self.stream,
            offset: file.start,
            expected: file.expected,
            received: file.read,
        }
    }

    fn corrupt(&self, message: String) -> Error {
        Error::ExportFileCorrupt {
            task_id: self.task_id.clone(),
            stream: self.stream,
            line: self.cursor.line,
            message,
        }
    }
}

impl<T: DeserializeOwned> Iterator for ExportStream<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        if self.done {
            return None;
        }
        let row = match self.next_line() {
            Ok(false) => return None,
            Ok(true) => serde_json::from_slice::<T>(&self.line).map_err(|e| {
                let line_number = self.cursor.line - 1;
                Error::ExportFileCorrupt {
                    task_id: self.task_id.clone(),
                    stream: self.stream,
                    line: line_number,
                    message: format!(
                        "line {line_number} does not decode: {e}; it starts: {:?}",
                        crate::error::excerpt(&String::from_utf8_lossy(&self.line))
                    ),
                }
            }),
            Err(e) => Err(e),
        };
        match row {
            Ok(row) => {
                self.want = self.cursor;
                Some(Ok(row))
            }
            Err(e) => {
                self.done = true;
                self.file = None;
                Some(Err(e))
            }
        }
    }
}
