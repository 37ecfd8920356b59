//! Reading an import's rows: NDJSON or one JSON array, from a file or stdin, every bad row named.
//!
//! Every row is checked before any is uploaded, so a file with one bad line imports nothing.

use std::fmt;
use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};

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

impl Place {
    /// The line the place is on.
    pub fn line(&self) -> usize {
        match self {
            Place::Line(line) | Place::Item { line, .. } => *line,
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(line) => write!(f, "line {line}"),
            Place::Item { index, line } => write!(f, "item {index} (line {line})"),
        }
    }
}

/// One row of the input, as the JSON object it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Where it is.
    pub place: Place,
    /// The object.
    pub fields: Map<String, Value>,
}

/// Something wrong with the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: a row, or a line for syntax errors.
    pub place: Place,
    /// What.
    pub message: String,
}

/// The rows of an input, converted, with what to call the input in messages.
#[derive(Debug)]
pub struct Loaded<T> {
    /// The path, or `stdin`.
    pub name: String,
    /// The rows, in input order.
    pub items: Vec<T>,
}

/// Reads `path` (`-` for stdin), parses it, converts every row with `convert`, then checks the
/// converted rows together with `check` (each refused row's index among them, and why). Any
/// problem anywhere is one usage error (exit 3) naming every bad row, so one run finds them all.
pub fn load<T>(
    path: &Path,
    convert: impl Fn(&Map<String, Value>) -> Result<T, String>,
    check: impl Fn(&[T]) -> Vec<(usize, String)>,
) -> anyhow::Result<Loaded<T>> {
    let name = display_name(path);
    let bytes = read_source(path).map_err(|e| exit::usage(format!("cannot read {name}: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| not_utf8(&name, &e))?;
    let (rows, mut problems) = parse(&text);
    if rows.is_empty() && problems.is_empty() {
        return Err(exit::usage(format!("{name}: no rows to import")));
    }
    let mut items = Vec::with_capacity(rows.len());
    let mut places = Vec::with_capacity(rows.len());
    for row in &rows {
        match convert(&row.fields) {
            Ok(item) => {
                items.push(item);
                places.push(row.place);
            }
            Err(message) => problems.push(Problem {
                place: row.place,
                message,
            }),
        }
    }
    problems.extend(check(&items).into_iter().filter_map(|(index, message)| {
        let place = *places.get(index)?;
        Some(Problem { place, message })
    }));
    if !problems.is_empty() {
        return Err(report(&name, &by_place(problems)));
    }
    Ok(Loaded { name, items })
}

/// The problems in input order, those of one place joined into one.
fn by_place(mut problems: Vec<Problem>) -> Vec<Problem> {
    // Stable: a row's problems keep the order they were found in.
    problems.sort_by_key(|problem| problem.place.line());
    let mut merged: Vec<Problem> = Vec::with_capacity(problems.len());
    for problem in problems {
        match merged.last_mut() {
            Some(last) if last.place == problem.place => {
                last.message.push_str("; ");
                last.message.push_str(&problem.message);
            }
            _ => merged.push(problem),
        }
    }
    merged
}

fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "stdin".to_string()
    } else {
        path.display().to_string()
    }
}

fn read_source(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin().lock().read_to_end(&mut bytes)?;
    } else {
        std::fs::File::open(path)?.read_to_end(&mut bytes)?;
    }
    Ok(bytes)
}

/// Input that is not UTF-8 text, with the line of the first bad byte.
fn not_utf8(name: &str, err: &std::string::FromUtf8Error) -> anyhow::Error {
    let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
    let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = valid.len() - valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
    let problem = Problem {
        place: Place::Line(line),
        message: format!("not UTF-8 text (byte {column} of the line); save the file as UTF-8"),
    };
    report(name, &[problem])
}

/// One usage error listing every problem, one per line.
fn report(name: &str, problems: &[Problem]) -> anyhow::Error {
    let count = problems.len();
    let noun = if count == 1 { "problem" } else { "problems" };
    let mut message = format!("{name}: {count} {noun}, nothing was imported");
    for problem in problems {
        message.push_str(&format!(
            "\n  {name}: {}: {}",
            problem.place, problem.message
        ));
    }
    exit::usage(message)
}

/// Parses NDJSON, or a JSON array when the first non-blank character is `[`: the rows that
/// parsed, and a problem for each that did not (a syntax error in an array ends it).
pub fn parse(text: &str) -> (Vec<Row>, Vec<Problem>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('[') {
        parse_array(text)
    } else {
        parse_ndjson(text)
    }
}

fn parse_ndjson(text: &str) -> (Vec<Row>, Vec<Problem>) {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let place = Place::Line(index + 1);
        let parsed = serde_json::from_str::<Value>(line)
            .map_err(|e| without_position(&e))
            .and_then(into_object);
        match parsed {
            Ok(fields) => rows.push(Row { place, fields }),
            Err(message) => problems.push(Problem { place, message }),
        }
    }
    (rows, problems)
}

/// Walks the array element by element (so each row knows its line); a syntax error stops the
/// walk, elements that are not objects are all named.
fn parse_array(text: &str) -> (Vec<Row>, Vec<Problem>) {
    let mut walk = ArrayWalk::new(text);
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let walked = walk.elements(|place, parsed| match parsed {
        Ok(fields) => rows.push(Row { place, fields }),
        Err(message) => problems.push(Problem { place, message }),
    });
    if let Err(problem) = walked.and_then(|()| walk.end()) {
        problems.push(problem);
    }
    (rows, problems)
}

/// A position in a JSON array's text that knows its line. Lines are counted as the walk moves
/// forward, so a large array is read in linear time (counting from the start for every element
/// took minutes for 100,000 rows).
struct ArrayWalk<'a> {
    text: &'a str,
    pos: usize,
    /// The line of byte `counted`.
    line: usize,
    counted: usize,
}

impl<'a> ArrayWalk<'a> {
    /// At the first element (the text starts with `[` once blanks are skipped).
    fn new(text: &'a str) -> Self {
        let open = text.len() - text.trim_start().len();
        let mut walk = ArrayWalk {
            text,
            pos: open + 1,
            line: 1,
            counted: 0,
        };
        walk.skip_blank();
        walk
    }

    /// Hands each element to `found` (the object, or why it is not one), up to the closing `]`.
    fn elements(
        &mut self,
        mut found: impl FnMut(Place, Result<Map<String, Value>, String>),
    ) -> Result<(), Problem> {
        if self.eat(']') {
            return Ok(());
        }
        let mut index = 0;
        loop {
            index += 1;
            let (place, value) = self.element(index)?;
            found(place, into_object(value));
            self.skip_blank();
            if self.eat(']') {
                return Ok(());
            }
            if !self.eat(',') {
                return Err(self.unexpected("expected `,` or `]`"));
            }
            self.skip_blank();
        }
    }

    /// The element at the current position, which the walk then passes.
    fn element(&mut self, index: usize) -> Result<(Place, Value), Problem> {
        let start = self.pos;
        let line = self.line_at(start);
        let mut values = serde_json::Deserializer::from_str(&self.text[start..]).into_iter();
        match values.next() {
            Some(Ok(value)) => {
                self.pos = start + values.byte_offset();
                Ok((Place::Item { index, line }, value))
            }
            Some(Err(e)) => Err(Problem {
                place: Place::Line(line + e.line().saturating_sub(1)),
                message: without_position(&e),
            }),
            // Only blanks were left.
            None => Err(self.problem("the JSON array is not closed".into())),
        }
    }

    /// After the closing `]`: only blanks may follow.
    fn end(&mut self) -> Result<(), Problem> {
        self.skip_blank();
        if self.pos < self.text.len() {
            return Err(self.problem("unexpected text after the JSON array".into()));
        }
        Ok(())
    }

    /// What stands at the current position where `expected` should (or the end of the text).
    fn unexpected(&mut self, expected: &str) -> Problem {
        match self.text[self.pos..].chars().next() {
            Some(other) => self.problem(format!("{expected}, found `{other}`")),
            None => self.problem("the JSON array is not closed".into()),
        }
    }

    fn problem(&mut self, message: String) -> Problem {
        Problem {
            place: Place::Line(self.line_at(self.pos)),
            message,
        }
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.text[self.pos..].starts_with(c);
        if found {
            self.pos += c.len_utf8();
        }
        found
    }

    fn skip_blank(&mut self) {
        let rest = &self.text[self.pos..];
        self.pos = self.text.len() - rest.trim_start().len();
    }

    /// The 1-based line of a byte offset.
    fn line_at(&mut self, pos: usize) -> usize {
        let pos = pos.min(self.text.len());
        if pos < self.counted {
            // Never happens in a forward walk; counting again from the start is still right.
            (self.line, self.counted) = (1, 0);
        }
        let bytes = &self.text.as_bytes()[self.counted..pos];
        self.line += bytes.iter().filter(|&&b| b == b'\n').count();
        self.counted = pos;
        self.line
    }
}

fn into_object(value: Value) -> Result<Map<String, Value>, String> {
    match value {
        Value::Object(fields) => Ok(fields),
        other => Err(format!("expected a JSON object, found {}", kind_of(&other))),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn places(problems: &[Problem]) -> Vec<Place> {
        problems.iter().map(|p| p.place).collect()
    }

    /// Rows of an input that must parse.
    fn ok(text: &str) -> Vec<Row> {
        let (rows, problems) = parse(text);
        assert!(problems.is_empty(), "{problems:?}");
        rows
    }

    /// Problems of an input that must not parse.
    fn bad(text: &str) -> Vec<Problem> {
        let (_, problems) = parse(text);
        assert!(!problems.is_empty(), "{text:?} parsed");
        problems
    }

    #[test]
    fn ndjson_rows_know_their_lines_and_blank_lines_are_skipped() {
        let rows = ok("{\"a\":1}\n\n{\"b\":2}\r\n");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].place, Place::Line(3));
        assert_eq!(rows[1].fields["b"], 2);
    }

    #[test]
    fn every_bad_ndjson_line_is_named() {
        let (rows, problems) = parse("{\"a\":1}\n{oops\n[1]\n{\"c\":3}\n\"text\"\n");
        assert_eq!(
            rows.len(),
            2,
            "the good lines are kept for their own checks"
        );
        assert_eq!(
            places(&problems),
            [Place::Line(2), Place::Line(3), Place::Line(5)]
        );
        assert!(problems[1].message.contains("an array"), "{problems:?}");
    }

    #[test]
    fn array_elements_know_their_index_and_line() {
        let rows = ok("[\n  {\"a\": 1},\n  {\"b\": 2}\n]\n");
        assert_eq!(rows[1].place, Place::Item { index: 2, line: 3 });
        assert!(ok("  [ ]  ").is_empty());
    }

    #[test]
    fn every_non_object_array_element_is_named() {
        let problems = bad("[{\"a\":1}, 2,\n \"x\", {}]");
        assert_eq!(
            places(&problems),
            [
                Place::Item { index: 2, line: 1 },
                Place::Item { index: 3, line: 2 }
            ]
        );
    }

    #[test]
    fn the_lines_of_a_long_array_stay_right() {
        let elements: Vec<String> = (0..2_000).map(|i| format!("{{\"i\": {i}}}")).collect();
        let rows = ok(&format!("[\n{}\n]", elements.join(",\n")));
        assert_eq!(rows.len(), 2_000);
        assert_eq!(
            rows[1_999].place,
            Place::Item {
                index: 2_000,
                line: 2_001
            }
        );
        let problems = bad(&format!("[\n{},\n\n  oops]", elements.join(",\n")));
        assert_eq!(places(&problems), [Place::Line(2_003)]);
    }

    #[test]
    fn array_syntax_errors_name_their_line() {
        let problems = bad("[\n{\"a\":1},\n{\"b\":\n}\n]");
        assert_eq!(places(&problems), [Place::Line(4)]);
        assert_eq!(places(&bad("[{\"a\":1},]")), [Place::Line(1)]);
        bad("[{\"a\":1}");
        bad("[{\"a\":1}] x");
        bad("[{\"a\":1} {\"b\":2}]");
    }
}
