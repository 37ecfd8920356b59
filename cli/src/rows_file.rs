//! An import's rows file, read as a stream: NDJSON or one JSON array, from a file or stdin
//! (spooled to a temporary file), checked in one pass and uploaded in another, so memory does
//! not grow with the file.
//!
//! Rows are the SDK's own [`UpsertItem`]s in the official SDK's dict form (or, for the
//! `data-rows` catalog commands, any item the SDK reads with serde: global-key assignments,
//! metadata upserts and deletes). Every row is checked before any is sent, so a file with one
//! bad line changes nothing, and one run names every bad row with its line.

use std::cell::RefCell;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use labelbox::UpsertItem;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::exit;

/// Where a row sits in the input, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// An NDJSON line (1-based).
    Line(usize),
    /// An element of a JSON array (1-based), and the line it starts on.
    Item {
        /// The element's position in the array.
        index: usize,
        /// The line the element starts on.
        line: usize,
    },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(line) => write!(f, "line {line}"),
            Place::Item { index, line } => write!(f, "item {index} (line {line})"),
        }
    }
}

/// Something wrong with the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: a row, or a line for syntax errors.
    pub place: Place,
    /// What.
    pub message: String,
}

/// One row as read: where it is, and the item or why it is not one.
type RowRead<T> = (Place, Result<T, String>);

/// The rows file of an import.
pub struct RowsFile {
    /// The path, or `stdin`, for messages.
    pub name: String,
    path: PathBuf,
    array: bool,
    /// The temporary copy of stdin, removed when the import is done.
    _spool: Option<Spool>,
}

impl RowsFile {
    /// Opens `path` (`-`: stdin, copied to a temporary file first) and sees whether it holds
    /// NDJSON or a JSON array. Nothing is parsed yet.
    pub fn open(path: &Path) -> anyhow::Result<RowsFile> {
        let (name, spool) = if path == Path::new("-") {
            let spool =
                Spool::stdin().map_err(|e| exit::usage(format!("cannot read stdin: {e}")))?;
            ("stdin".to_string(), Some(spool))
        } else {
            (path.display().to_string(), None)
        };
        let path = spool
            .as_ref()
            .map_or(path, |s| s.path.as_path())
            .to_path_buf();
        let array = starts_with_bracket(&path)
            .map_err(|e| exit::usage(format!("cannot read {name}: {e}")))?;
        Ok(RowsFile {
            name,
            path,
            array,
            _spool: spool,
        })
    }

    /// The first pass: every row read and checked (shape, then the SDK's own rules). Answers
    /// how many rows there are; any problem is one usage error (exit 3) naming every bad row.
    pub fn check(&self) -> anyhow::Result<usize> {
        let places = self.check_rows::<UpsertItem>(sdk_problems, "import", "imported")?;
        Ok(places.len())
    }

    /// [`check`](Self::check) for rows of type `T`, each also checked by `rule`; `verb` and
    /// `done` word the messages ("no rows to {verb}", "nothing was {done}"). Answers where
    /// each row is, in order (so a row's index in the sending pass names its line).
    pub fn check_rows<T: DeserializeOwned>(
        &self,
        rule: impl Fn(&T) -> Result<(), String>,
        verb: &str,
        done: &str,
    ) -> anyhow::Result<Vec<Place>> {
        let mut problems = Vec::new();
        let mut places = Vec::new();
        for read in self.reader::<T>().map_err(|e| self.unreadable(&e))? {
            let (place, item) = match read {
                Ok(row) => row,
                Err(RowsError::Io(e)) => return Err(self.unreadable(&e)),
                Err(RowsError::Syntax(problem)) => {
                    problems.push(problem);
                    break;
                }
            };
            places.push(place);
            let found = item.and_then(|item| rule(&item));
            if let Err(message) = found {
                problems.push(Problem { place, message });
            }
        }
        if !problems.is_empty() {
            return Err(report(&self.name, &problems, done));
        }
        if places.is_empty() {
            return Err(exit::usage(format!("{}: no rows to {verb}", self.name)));
        }
        Ok(places)
    }

    /// The rows for the upload pass: a source the SDK may read several times, each time from
    /// the file, one row in memory at a time. A row that no longer reads (the file changed
    /// since [`check`](Self::check)) ends the source early, which the SDK refuses before
    /// starting the import; `failure` then says why.
    pub fn items<'a, T>(&'a self, failure: &'a RefCell<Option<String>>) -> FileItems<'a, T> {
        FileItems {
            file: self,
            failure,
            kind: PhantomData,
        }
    }

    fn reader<T: DeserializeOwned>(&self) -> io::Result<Rows<BufReader<File>, T>> {
        let reader = BufReader::with_capacity(64 * 1024, File::open(&self.path)?);
        Ok(Rows::new(reader, self.array))
    }

    fn unreadable(&self, e: &io::Error) -> anyhow::Error {
        exit::usage(format!("cannot read {}: {e}", self.name))
    }
}

/// The SDK's own checks of one row (`row_data` present, no `s3://` assets, no empty values...),
/// as one message.
fn sdk_problems(item: &UpsertItem) -> Result<(), String> {
    match labelbox::validate_items(std::iter::once(item)) {
        Err(labelbox::Error::InvalidItems(refused)) => Err(refused
            .iter()
            .map(|e| format!("{}: {}", e.field, e.problem))
            .collect::<Vec<_>>()
            .join("; ")),
        Err(other) => Err(other.to_string()),
        Ok(()) => Ok(()),
    }
}

/// A rows file as the SDK's source of `T`s (see [`RowsFile::items`]).
pub struct FileItems<'a, T> {
    file: &'a RowsFile,
    failure: &'a RefCell<Option<String>>,
    kind: PhantomData<fn() -> T>,
}

impl<T> Clone for FileItems<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for FileItems<'_, T> {}

impl<'a, T: DeserializeOwned + 'a> IntoIterator for FileItems<'a, T> {
    type Item = T;
    type IntoIter = Box<dyn Iterator<Item = T> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        let fail = move |why: String| {
            *self.failure.borrow_mut() = Some(why);
            None
        };
        let rows = match self.file.reader() {
            Ok(rows) => rows,
            Err(e) => return Box::new(fail(e.to_string()).into_iter()),
        };
        Box::new(rows.map_while(move |read| match read {
            Ok((_, Ok(item))) => Some(item),
            Ok((place, Err(message))) => fail(format!("{place}: {message}")),
            Err(RowsError::Syntax(problem)) => {
                fail(format!("{}: {}", problem.place, problem.message))
            }
            Err(RowsError::Io(e)) => fail(e.to_string()),
        }))
    }
}

/// One usage error listing every problem, one per line.
fn report(name: &str, problems: &[Problem], done: &str) -> anyhow::Error {
    let count = problems.len();
    let noun = if count == 1 { "problem" } else { "problems" };
    let mut message = format!("{name}: {count} {noun}, nothing was {done}");
    for problem in problems {
        message.push_str(&format!(
            "\n  {name}: {}: {}",
            problem.place, problem.message
        ));
    }
    exit::usage(message)
}

/// Whether the first character after a byte-order mark and blanks is `[`.
fn starts_with_bracket(path: &Path) -> io::Result<bool> {
    let mut bytes = Bytes::new(BufReader::new(File::open(path)?));
    bytes.skip_bom()?;
    bytes.skip_blank()?;
    Ok(bytes.peek()? == Some(b'['))
}

/// Why reading rows stopped.
#[derive(Debug)]
enum RowsError {
    /// The file could not be read.
    Io(io::Error),
    /// The JSON array is broken where rows cannot be told apart any more.
    Syntax(Problem),
}

/// The rows of a reader, NDJSON or a JSON array, one at a time.
struct Rows<R, T> {
    bytes: Bytes<R>,
    kind: PhantomData<fn() -> T>,
    array: Option<ArrayState>,
    /// A read error or broken array ended the walk.
    done: bool,
    /// Reused for each NDJSON line or array element.
    buffer: Vec<u8>,
}

/// Where a walk through a JSON array is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArrayState {
    /// Before the `[`.
    Start,
    /// After `[`, or after a `,` (then `after_comma`).
    Element { index: usize, after_comma: bool },
    /// After the `]`.
    End,
}

impl<R: BufRead, T: DeserializeOwned> Rows<R, T> {
    fn new(reader: R, array: bool) -> Self {
        Rows {
            bytes: Bytes::new(reader),
            kind: PhantomData,
            array: array.then_some(ArrayState::Start),
            done: false,
            buffer: Vec::new(),
        }
    }

    fn next_row(&mut self) -> Result<Option<RowRead<T>>, RowsError> {
        match self.array {
            None => self.next_line(),
            Some(state) => self.next_element(state),
        }
    }

    /// The next non-blank NDJSON line, parsed.
    fn next_line(&mut self) -> Result<Option<RowRead<T>>, RowsError> {
        loop {
            self.buffer.clear();
            let first = self.bytes.line == 1;
            if !self
                .bytes
                .read_line(&mut self.buffer)
                .map_err(RowsError::Io)?
            {
                return Ok(None);
            }
            let line = self.bytes.line - usize::from(self.buffer.last() == Some(&b'\n'));
            let mut text: &[u8] = &self.buffer;
            if first {
                text = text.strip_prefix(BOM).unwrap_or(text);
            }
            if text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some((Place::Line(line), parse_row(text))));
        }
    }

    /// The next element of the JSON array, parsed.
    fn next_element(&mut self, state: ArrayState) -> Result<Option<RowRead<T>>, RowsError> {
        let syntax = |line, message: &str| {
            RowsError::Syntax(Problem {
                place: Place::Line(line),
                message: message.to_string(),
            })
        };
        let io = RowsError::Io;
        let (index, after_comma) = match state {
            ArrayState::Start => {
                self.bytes.skip_bom().map_err(io)?;
                self.bytes.skip_blank().map_err(io)?;
                self.bytes.next().map_err(io)?; // the `[`, seen when the file was opened
                (1, false)
            }
            ArrayState::Element { index, after_comma } => (index, after_comma),
            ArrayState::End => return Ok(None),
        };
        self.bytes.skip_blank().map_err(io)?;
        match self.bytes.peek().map_err(io)? {
            None => return Err(syntax(self.bytes.line, "the JSON array is not closed")),
            Some(b']') if after_comma => {
                return Err(syntax(
                    self.bytes.line,
                    "a `,` before `]` (no element follows it)",
                ))
            }
            Some(b']') => {
                self.bytes.next().map_err(io)?;
                self.array = Some(ArrayState::End);
                self.bytes.skip_blank().map_err(io)?;
                if self.bytes.peek().map_err(io)?.is_some() {
                    return Err(syntax(
                        self.bytes.line,
                        "unexpected text after the JSON array",
                    ));
                }
                return Ok(None);
            }
            Some(_) => {}
        }
        let line = self.bytes.line;
        self.buffer.clear();
        self.bytes.read_value(&mut self.buffer).map_err(io)?;
        if self.buffer.is_empty() {
            return Err(syntax(line, "the JSON array is not closed"));
        }
        let row = match parse_value(&self.buffer) {
            Ok(value) => into_item(value),
            // Lines inside the element count from its first line.
            Err(e) => Err(without_position(&e)),
        };
        self.bytes.skip_blank().map_err(io)?;
        match self.bytes.next().map_err(io)? {
            Some(b',') => {
                self.array = Some(ArrayState::Element {
                    index: index + 1,
                    after_comma: true,
                })
            }
            Some(b']') => {
                self.array = Some(ArrayState::Element {
                    index: index + 1,
                    after_comma: false,
                });
                // Put the `]` back for the next call, which ends the walk.
                self.bytes.unread(b']');
            }
            Some(other) => {
                return Err(syntax(
                    self.bytes.line,
                    &format!("expected `,` or `]`, found `{}`", char::from(other)),
                ))
            }
            None => return Err(syntax(self.bytes.line, "the JSON array is not closed")),
        }
        Ok(Some((Place::Item { index, line }, row)))
    }
}

impl<R: BufRead, T: DeserializeOwned> Iterator for Rows<R, T> {
    type Item = Result<RowRead<T>, RowsError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_row() {
            Ok(Some(row)) => Some(Ok(row)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One NDJSON line: UTF-8 text holding a JSON object that is a row.
fn parse_row<T: DeserializeOwned>(text: &[u8]) -> Result<T, String> {
    if let Err(e) = std::str::from_utf8(text) {
        return Err(format!(
            "not UTF-8 text (byte {} of the line); save the file as UTF-8",
            e.valid_up_to() + 1
        ));
    }
    let value = parse_value(text).map_err(|e| without_position(&e))?;
    into_item(value)
}

fn parse_value(text: &[u8]) -> serde_json::Result<Value> {
    serde_json::from_slice(text)
}

/// A parsed JSON value as a row: an object with the row keys.
fn into_item<T: DeserializeOwned>(value: Value) -> Result<T, String> {
    if !value.is_object() {
        return Err(format!("expected a JSON object, found {}", kind_of(&value)));
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// serde_json's message without its ` at line L column C` tail (the caller names the place).
fn without_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(cut) if err.line() > 0 => format!("{} (column {})", &text[..cut], err.column()),
        _ => text,
    }
}

/// A byte reader that counts lines and can look one byte ahead.
struct Bytes<R> {
    reader: R,
    /// The line of the next byte (1-based).
    line: usize,
    /// A byte put back.
    pending: Option<u8>,
}

impl<R: BufRead> Bytes<R> {
    fn new(reader: R) -> Self {
        Bytes {
            reader,
            line: 1,
            pending: None,
        }
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        if let Some(byte) = self.pending {
            return Ok(Some(byte));
        }
        Ok(self.reader.fill_buf()?.first().copied())
    }

    fn next(&mut self) -> io::Result<Option<u8>> {
        let byte = match self.pending.take() {
            Some(byte) => Some(byte),
            None => {
                let byte = self.reader.fill_buf()?.first().copied();
                if byte.is_some() {
                    self.reader.consume(1);
                }
                byte
            }
        };
        if byte == Some(b'\n') {
            self.line += 1;
        }
        Ok(byte)
    }

    /// Puts back the byte just read (not a newline).
    fn unread(&mut self, byte: u8) {
        self.pending = Some(byte);
    }

    fn skip_bom(&mut self) -> io::Result<()> {
        if self.pending.is_none() && self.reader.fill_buf()?.starts_with(BOM) {
            self.reader.consume(BOM.len());
        }
        Ok(())
    }

    fn skip_blank(&mut self) -> io::Result<()> {
        while self.peek()?.is_some_and(|b| b.is_ascii_whitespace()) {
            self.next()?;
        }
        Ok(())
    }

    /// Appends a line (with its `\n`, if any) to `out`; false at the end of the input.
    fn read_line(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        let read = self.reader.read_until(b'\n', out)?;
        if out.last() == Some(&b'\n') {
            self.line += 1;
        }
        Ok(read > 0)
    }

    /// Appends one JSON value's bytes to `out`: an object or array up to its closing bracket,
    /// a string up to its closing quote, anything else up to a blank, `,` or `]`. The value is
    /// not checked (the JSON parser does that); only its end is found. Empty at the end of the
    /// input.
    fn read_value(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        while let Some(byte) = self.peek()? {
            let scalar_end = !in_string
                && depth == 0
                && !out.is_empty()
                && out[0] != b'"'
                && (byte.is_ascii_whitespace() || byte == b',' || byte == b']');
            if scalar_end {
                return Ok(());
            }
            self.next()?;
            out.push(byte);
            if in_string {
                match (escaped, byte) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
            } else {
                match byte {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            let closed = !in_string && depth == 0 && matches!(byte, b'}' | b']' | b'"');
            if closed {
                return Ok(());
            }
        }
        Ok(())
    }
}

/// Stdin copied to a private temporary file, for the passes that read it again; removed on
/// drop.
struct Spool {
    path: PathBuf,
}

impl Spool {
    fn stdin() -> io::Result<Spool> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "labelbox-import-{}-{nanos}.json",
            std::process::id()
        ));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path)?;
        let spool = Spool { path };
        io::copy(&mut io::stdin().lock().take(u64::MAX), &mut file)?;
        file.sync_data().ok();
        Ok(spool)
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row and the problem that ended the walk, if any.
    fn read(text: &str) -> (Vec<RowRead<UpsertItem>>, Option<Problem>) {
        let array = text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('[');
        let mut rows = Vec::new();
        for row in Rows::new(text.as_bytes(), array) {
            match row {
                Ok(row) => rows.push(row),
                Err(RowsError::Syntax(problem)) => return (rows, Some(problem)),
                Err(RowsError::Io(e)) => panic!("{e}"),
            }
        }
        (rows, None)
    }

    fn places(rows: &[RowRead<UpsertItem>]) -> Vec<Place> {
        rows.iter().map(|(place, _)| *place).collect()
    }

    fn bad_places(rows: &[RowRead<UpsertItem>]) -> Vec<Place> {
        rows.iter()
            .filter(|(_, row)| row.is_err())
            .map(|(place, _)| *place)
            .collect()
    }

    const ROW: &str = r#"{"row_data": "https://e.com/1.jpg"}"#;

    #[test]
    fn ndjson_rows_know_their_lines_and_blank_lines_are_skipped() {
        let (rows, end) = read(&format!("\u{feff}{ROW}\n\n{ROW}\r\n"));
        assert_eq!(end, None);
        assert_eq!(places(&rows), [Place::Line(1), Place::Line(3)]);
        assert!(rows.iter().all(|(_, row)| row.is_ok()), "{rows:?}");
    }

    #[test]
    fn every_bad_ndjson_line_is_named() {
        let (rows, _) = read(&format!(
            "{ROW}\n{{oops\n[1]\n{ROW}\n\"text\"\n{{\"colour\": 1}}"
        ));
        assert_eq!(rows.len(), 6);
        assert_eq!(
            bad_places(&rows),
            [
                Place::Line(2),
                Place::Line(3),
                Place::Line(5),
                Place::Line(6)
            ]
        );
        assert!(rows[2].1.as_ref().unwrap_err().contains("an array"));
        assert!(rows[5]
            .1
            .as_ref()
            .unwrap_err()
            .contains("unknown key `colour`"));
    }

    #[test]
    fn array_elements_know_their_index_and_line() {
        let (rows, end) = read(&format!("[\n  {ROW},\n  {ROW}\n]\n"));
        assert_eq!(end, None);
        assert_eq!(places(&rows)[1], Place::Item { index: 2, line: 3 });
        let (rows, end) = read("  [ ]  ");
        assert!(rows.is_empty() && end.is_none());
    }

    #[test]
    fn every_bad_array_element_is_named_and_the_walk_goes_on() {
        let (rows, end) = read(&format!(
            "[{ROW}, 2,\n \"x, ]\", {{\"b\":\n}}, {ROW}, [1, {{}}]]"
        ));
        assert_eq!(end, None, "{rows:?}");
        assert_eq!(
            bad_places(&rows),
            [
                Place::Item { index: 2, line: 1 },
                Place::Item { index: 3, line: 2 },
                Place::Item { index: 4, line: 2 },
                Place::Item { index: 6, line: 3 }
            ]
        );
        assert_eq!(rows.len(), 6);
    }

    #[test]
    fn the_lines_of_a_long_array_stay_right() {
        let elements: Vec<String> = (0..2_000).map(|_| ROW.to_string()).collect();
        let (rows, _) = read(&format!("[\n{}\n]", elements.join(",\n")));
        assert_eq!(rows.len(), 2_000);
        assert_eq!(
            places(&rows)[1_999],
            Place::Item {
                index: 2_000,
                line: 2_001
            }
        );
        let (_, end) = read(&format!("[\n{},\n\n  oops]", elements.join(",\n")));
        assert_eq!(end, None);
    }

    #[test]
    fn a_broken_array_ends_the_walk_at_its_line() {
        for (text, line) in [
            (format!("[{ROW},]"), 1),
            (format!("[{ROW}"), 1),
            (format!("[{ROW}]\n\n]x"), 3),
            (format!("[{ROW} {ROW}]"), 1),
            (format!("[\n{ROW},\n"), 3),
        ] {
            let (_, end) = read(&text);
            let end = end.unwrap_or_else(|| panic!("{text:?} parsed"));
            assert_eq!(end.place, Place::Line(line), "{text:?}: {end:?}");
        }
    }

    #[test]
    fn values_end_where_json_says() {
        for (text, value) in [
            ("{\"a\": \"}\\\"\"} ,", "{\"a\": \"}\\\"\"}"),
            ("\"x,]\"]", "\"x,]\""),
            ("12.5,", "12.5"),
            ("[[1], 2]]", "[[1], 2]"),
        ] {
            let mut bytes = Bytes::new(text.as_bytes());
            let mut out = Vec::new();
            bytes.read_value(&mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), value);
        }
    }
}
