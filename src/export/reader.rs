//! The reading engine under [`ExportStream`](crate::ExportStream) and
//! [`ExportLines`](crate::ExportLines): one stream of a finished export asked for file by file
//! (`exportFileFromOffset`), each download read line by line. Before a line leaves, its file's
//! ranges must continue the stream exactly, the line must lie inside them and inside the
//! header's totals, and it must fit the line cap (PROTOCOL 3.9).
//!
//! Every loop here is finite: each accepted file starts where the previous one ended and ends
//! at or after its start, so the offset asked for grows with every request and stops at
//! `totalSize`; the lines of a file are read from a body cut at one byte past its announced
//! length.

use std::io::{BufRead, BufReader, Read, Take};

use serde::Deserialize;
use serde_json::json;

use crate::error::{Error, Result};
use crate::export::stream::{lenient_u64, StreamPosition, StreamStart, StreamType};
use crate::export::task::StreamHeader;
use crate::transport::body_read_error;
use crate::Client;

/// The accessors [`ExportStream`](crate::ExportStream) and [`ExportLines`](crate::ExportLines)
/// forward to the [`StreamReader`] in their `reader` field: written once, so both read the
/// same. `$what` names what the type gives ("row", "line").
macro_rules! forward_stream_accessors {
    ($what:literal) => {
        /// Sets the longest line accepted, in bytes (its newline not counted); a longer line
        /// is [`Error::ExportLineTooLong`](crate::Error::ExportLineTooLong), found before more
        /// than `bytes` of it are held in memory. The default is the client's
        /// [`max_answer_bytes`](crate::ClientBuilder::max_answer_bytes) (256 MiB unless set).
        pub fn max_line_bytes(mut self, bytes: u64) -> Self {
            self.reader.set_max_line(bytes);
            self
        }

        /// Which stream this is.
        #[must_use]
        pub fn stream_type(&self) -> $crate::StreamType {
            self.reader.stream
        }

        /// The stream's size in bytes (`totalSize`).
        #[must_use]
        pub fn total_size(&self) -> u64 {
            self.reader.header.total_size
        }

        /// The stream's number of lines (`totalLines`).
        #[must_use]
        pub fn total_lines(&self) -> u64 {
            self.reader.header.total_lines
        }

        #[doc = concat!("Where the next ", $what, " starts (for a stream started at a line, \
            the offset is known from the first ", $what, " on). Resume with \
            [`StreamStart::Offset`](crate::StreamStart::Offset) of it, or \
            [`StreamStart::Line`](crate::StreamStart::Line).")]
        #[must_use]
        pub fn position(&self) -> $crate::StreamPosition {
            self.reader.want
        }
    };
}
pub(crate) use forward_stream_accessors;

const FILE_QUERY: &str = "query GetExportFileFromOffsetPyApi($where: WhereUniqueIdInput, $streamType: TaskStreamType!, $offset: UInt64!){task(where: $where){exportFileFromOffset(streamType: $streamType, offset: $offset){offsets {start end} lines {start end} file}}}";

/// The read buffer of a file's body: most lines are parsed straight from it, uncopied; a line
/// longer than what is left of it is gathered in the spill buffer.
const READ_BUFFER: usize = 256 * 1024;

/// The room of the spill buffer kept from line to line; more is given back after a longer
/// line.
const SPILL_KEPT: usize = 1 << 20;

/// One stream of a finished export, read line by line with every check.
pub(crate) struct StreamReader {
    client: Client,
    pub(crate) task_id: String,
    pub(crate) stream: StreamType,
    pub(crate) header: StreamHeader,
    /// The offset of the next file to ask for.
    next_file: u64,
    /// The earliest line and offset the next line may start at: lines before it are skipped.
    /// Once a line was given out, where the next one starts.
    pub(crate) want: StreamPosition,
    /// Line and offset of the next line the open file will give.
    cursor: StreamPosition,
    /// Where the line given out last started (the resume point if it is refused).
    current: StreamPosition,
    /// Where the next file must start: known from the first file on (from the start, for a
    /// stream read from its beginning or from a line).
    next_start: Option<StreamPosition>,
    file: Option<OpenFile>,
    /// Whether any file was asked for (the line count is checked at the end only then).
    files_seen: bool,
    /// A line that crossed the read buffer's end.
    spill: Vec<u8>,
    /// Bytes of the read buffer the line given out last still holds, consumed on the next call.
    pending: usize,
    /// The longest line accepted, in bytes (newline excluded).
    max_line: u64,
    done: bool,
}

/// A line and its number, or the error that ended the stream: boxed, so that the answer for
/// every line is four words, not an `Error`'s size copied through the callers.
pub(crate) type NextLine<'a> = std::result::Result<(&'a [u8], u64), Box<Error>>;

/// The file being read and what its ranges announced.
struct OpenFile {
    reader: BufReader<Take<Box<dyn Read + Send>>>,
    /// Its first byte's offset in the stream.
    start: u64,
    /// Its length per its offsets.
    expected: u64,
    /// Bytes taken from the body so far (a line found in the read buffer included).
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

/// Where the line just found is.
#[derive(Clone, Copy)]
enum Found {
    /// The first `len` bytes of the read buffer, followed by a newline (not consumed yet).
    Buffered { len: usize },
    /// In the spill buffer, consumed; `newline` says whether one ended it (not: the body's end).
    Spilled { newline: bool },
    /// The end of the body.
    End,
}

/// Why no line was found.
enum Fault {
    Io(std::io::Error),
    TooLong,
}

impl OpenFile {
    /// Finds the next line, its bytes counted in `read`; a line longer than `max_line` is
    /// refused before the spill buffer grows past it.
    fn find_line(&mut self, spill: &mut Vec<u8>, max_line: usize) -> Result<Found, Fault> {
        spill.clear();
        // A huge line passed: its room is not kept for the lines after it.
        if spill.capacity() > SPILL_KEPT {
            spill.shrink_to(SPILL_KEPT);
        }
        loop {
            let buf = self.reader.fill_buf().map_err(Fault::Io)?;
            if buf.is_empty() {
                return Ok(if spill.is_empty() {
                    Found::End
                } else {
                    Found::Spilled { newline: false }
                });
            }
            let newline = memchr::memchr(b'\n', buf);
            let take = newline.unwrap_or(buf.len());
            self.read += (take + usize::from(newline.is_some())) as u64;
            match newline {
                Some(len) if spill.is_empty() => {
                    if len > max_line {
                        return Err(Fault::TooLong);
                    }
                    return Ok(Found::Buffered { len });
                }
                Some(len) => {
                    append_capped(spill, &buf[..len], max_line)?;
                    self.reader.consume(len + 1);
                    return Ok(Found::Spilled { newline: true });
                }
                None => {
                    append_capped(spill, buf, max_line)?;
                    self.reader.consume(take);
                }
            }
        }
    }
}

/// Appends `bytes` to `spill`, never letting it hold (nor reserve) more than `max` bytes.
fn append_capped(spill: &mut Vec<u8>, bytes: &[u8], max: usize) -> Result<(), Fault> {
    let need = spill.len() + bytes.len();
    if need > max {
        return Err(Fault::TooLong);
    }
    if need > spill.capacity() {
        let grown = need.max(spill.capacity().saturating_mul(2)).min(max);
        spill.reserve_exact(grown - spill.len());
    }
    spill.extend_from_slice(bytes);
    Ok(())
}

impl StreamReader {
    /// A reader of `stream` from `start`; a header that contradicts itself, or a start past
    /// the stream's end, is refused before any request.
    pub(crate) fn new(
        client: Client,
        task_id: &str,
        stream: StreamType,
        header: StreamHeader,
        start: StreamStart,
    ) -> Result<Self> {
        check_header(task_id, stream, header)?;
        let end = StreamPosition {
            line: header.total_lines,
            offset: header.total_size,
        };
        let origin = StreamPosition::default();
        let (want, next_file, next_start) = match start {
            StreamStart::Beginning => (origin, 0, Some(origin)),
            // At the end already (a consumer that read everything): nothing to ask.
            StreamStart::Line(line) if line == end.line => (end, end.offset, Some(end)),
            StreamStart::Offset(offset) if offset == end.offset => (end, end.offset, Some(end)),
            StreamStart::Line(line) if line > end.line => {
                return Err(past_end("line", line, end.line))
            }
            StreamStart::Line(line) => (StreamPosition { line, offset: 0 }, 0, Some(origin)),
            StreamStart::Offset(offset) if offset > end.offset => {
                return Err(past_end("offset", offset, end.offset))
            }
            // The line at `offset` is not known: the first file's ranges are taken as given.
            StreamStart::Offset(offset) => (StreamPosition { line: 0, offset }, offset, None),
        };
        let max_line = client.transport().max_answer_bytes();
        Ok(StreamReader {
            client,
            task_id: task_id.to_owned(),
            stream,
            header,
            next_file,
            want,
            cursor: want,
            current: want,
            next_start,
            file: None,
            files_seen: false,
            spill: Vec::new(),
            pending: 0,
            max_line,
            done: false,
        })
    }

    /// Sets the longest line accepted.
    pub(crate) fn set_max_line(&mut self, bytes: u64) {
        self.max_line = bytes;
    }

    /// The next non-blank line (without its newline) and its 0-based number; `None` at the
    /// stream's end. An error ends the stream.
    pub(crate) fn next_line(&mut self) -> Option<NextLine<'_>> {
        if let Some(file) = self.file.as_mut() {
            file.reader.consume(std::mem::take(&mut self.pending));
        }
        if self.done {
            return None;
        }
        match self.advance() {
            Ok(Some(found)) => {
                self.want = self.cursor;
                let line = self.current.line;
                let bytes = match (found, self.file.as_ref()) {
                    (Found::Buffered { len }, Some(file)) => {
                        self.pending = len + 1;
                        &file.reader.buffer()[..len]
                    }
                    _ => &self.spill[..],
                };
                Some(Ok((bytes, line)))
            }
            Ok(None) => None,
            Err(e) => Some(Err(Box::new(self.fail(e)))),
        }
    }

    /// The line [`next_line`](Self::next_line) gave out last.
    pub(crate) fn last_line(&self) -> &[u8] {
        match (self.pending, self.file.as_ref()) {
            (1.., Some(file)) => &file.reader.buffer()[..self.pending - 1],
            _ => &self.spill,
        }
    }

    /// Refuses the line given out last (it does not decode): the stream ends, and resumes at
    /// that line.
    pub(crate) fn refuse_line(&mut self, message: String) -> Error {
        let error = Error::ExportFileCorrupt {
            task_id: self.task_id.clone(),
            stream: self.stream,
            line: self.current.line,
            message,
        };
        self.want = self.current;
        self.fail(error)
    }

    fn fail(&mut self, error: Error) -> Error {
        self.done = true;
        self.file = None;
        self.pending = 0;
        error
    }

    /// Reads up to the next line to give out: files opened and closed on the way.
    fn advance(&mut self) -> Result<Option<Found>> {
        loop {
            if self.file.is_none() && !self.open_next_file()? {
                return Ok(None);
            }
            if let Some(found) = self.read_line()? {
                return Ok(Some(found));
            }
        }
    }

    /// Reads the open file's next line and moves the cursor past it: `Some` for a line to
    /// give out, `None` once the file is closed at its end. Blank lines and lines before
    /// `want` are skipped here.
    fn read_line(&mut self) -> Result<Option<Found>> {
        let max_line = usize::try_from(self.max_line).unwrap_or(usize::MAX);
        loop {
            let file = self.file.as_mut().expect("a file is open");
            let found = match file.find_line(&mut self.spill, max_line) {
                Ok(found) => found,
                Err(Fault::Io(e)) => {
                    let what = format!("reading a file of the export's {} stream", self.stream);
                    return Err(body_read_error(e, what));
                }
                Err(Fault::TooLong) => return Err(self.line_too_long()),
            };
            let (len, newline) = match found {
                Found::Buffered { len } => (len, true),
                Found::Spilled { newline } => (self.spill.len(), newline),
                Found::End if file.read == file.expected => {
                    return self.close_file().map(|()| None)
                }
                Found::End => return Err(self.length_error()),
            };
            // A line past the announced length, or cut before its newline by the body's end
            // inside the announced length, is the file's length at fault.
            if file.read > file.expected || (!newline && file.read != file.expected) {
                return Err(self.length_error());
            }
            if self.cursor.line >= file.lines_end {
                let message = format!(
                    "the file at offset {} holds more lines than its range (up to line {})",
                    file.start,
                    file.lines_end - 1
                );
                return Err(self.corrupt(message));
            }
            let start = self.cursor;
            self.cursor.line += 1;
            self.cursor.offset += len as u64 + u64::from(newline);
            let bytes = match found {
                Found::Buffered { len } => &file.reader.buffer()[..len],
                _ => &self.spill[..],
            };
            let skipped = start.offset < self.want.offset || start.line < self.want.line;
            let blank = !skipped && bytes.iter().all(u8::is_ascii_whitespace);
            if let Found::Buffered { len } = found {
                if skipped || blank {
                    file.reader.consume(len + 1);
                }
            }
            if skipped {
                if start.offset < self.want.offset && self.cursor.offset > self.want.offset {
                    return Err(Error::invalid_input(
                        "offset",
                        format!(
                            "{} is inside line {} (which starts at {}); resume at a \
                             StreamPosition's offset",
                            self.want.offset, start.line, start.offset
                        ),
                    ));
                }
                continue;
            }
            if !blank {
                self.current = start;
                return Ok(Some(found));
            }
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
            self.files_seen = true;
            let after = StreamPosition {
                line: info.lines.end + 1,
                offset: info.offsets.end + 1,
            };
            self.next_start = Some(after);
            self.next_file = after.offset;
            if info.lines.end < self.want.line {
                // Resuming at a later line: this file is skipped without downloading it.
                self.cursor = after;
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
                reader: BufReader::with_capacity(
                    READ_BUFFER,
                    body.take(expected.saturating_add(1)),
                ),
                start: info.offsets.start,
                expected,
                read: 0,
                lines_end: after.line,
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

    /// The file must hold the offset asked, lie inside the stream, have room for its lines
    /// (a line takes a byte at least), and start exactly where the stream is: no overlap, no
    /// gap, no step back.
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
        if lines.end - lines.start > offsets.end - offsets.start {
            return Err(self.corrupt(format!(
                "the file of bytes {}..={} cannot hold lines {}..={}",
                offsets.start, offsets.end, lines.start, lines.end
            )));
        }
        match self.next_start {
            Some(at) if at.line != lines.start || at.offset != offsets.start => {
                Err(self.corrupt(format!(
                    "the stream is at line {} (offset {}), the next file starts at line {} \
                     (offset {}): its ranges {}",
                    at.line,
                    at.offset,
                    lines.start,
                    offsets.start,
                    if lines.start < at.line || offsets.start < at.offset {
                        "overlap the previous file's"
                    } else {
                        "leave a gap"
                    }
                )))
            }
            _ => Ok(()),
        }
    }

    /// At the end of the stream every line must have been met.
    fn check_end(&mut self) -> Result<()> {
        self.done = true;
        if self.files_seen && self.cursor.line != self.header.total_lines {
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

    fn line_too_long(&self) -> Error {
        Error::ExportLineTooLong {
            task_id: self.task_id.clone(),
            stream: self.stream,
            line: self.cursor.line,
            limit: self.max_line,
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

/// A stream's size and line count must agree: no lines in no bytes, a byte at least per line.
fn check_header(task_id: &str, stream: StreamType, header: StreamHeader) -> Result<()> {
    let reason = if header.total_size == 0 && header.total_lines > 0 {
        "an empty stream cannot hold lines"
    } else if header.total_size > 0 && header.total_lines == 0 {
        "a stream of bytes without a line"
    } else if header.total_lines > header.total_size {
        "more lines than bytes"
    } else {
        return Ok(());
    };
    Err(Error::ExportHeaderInvalid {
        task_id: task_id.to_owned(),
        stream,
        total_size: header.total_size,
        total_lines: header.total_lines,
        reason: reason.to_owned(),
    })
}

fn past_end(what: &str, asked: u64, total: u64) -> Error {
    Error::invalid_input(
        what,
        format!("{asked} is past the end of the stream ({total})"),
    )
}
