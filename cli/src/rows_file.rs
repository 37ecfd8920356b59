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
    let text = read_source(path).map_err(|e| exit::usage(format!("cannot read {name}: {e}")))?;
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

fn read_source(path: &Path) -> std::io::Result<String> {
    let mut text = String::new();
    if path == Path::new("-") {
        std::io::stdin().lock().read_to_string(&mut text)?;
    } else {
        std::fs::File::open(path)?.read_to_string(&mut text)?;
    }
    Ok(text)
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

/// Walks the array element by element (so each row knows its line); a syntax error stops the walk,
/// elements that are not objects are all named.
fn parse_array(text: &str) -> (Vec<Row>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let open = text.len() - text.trim_start().len();
    let mut pos = skip_blank(text, open + 1);
    let syntax = |pos: usize, message: String| Problem {
        place: Place::Line(line_of(text, pos)),
        message,
    };
    if text[pos..].starts_with(']') {
        pos += 1;
    } else {
        let mut index = 0;
        loop {
            index += 1;
            let start = pos;
            let mut values =
                serde_json::Deserializer::from_str(&text[start..]).into_iter::<Value>();
            match values.next() {
                Some(Ok(value)) => {
                    let place = Place::Item {
                        index,
                        line: line_of(text, start),
                    };
                    match into_object(value) {
                        Ok(fields) => rows.push(Row { place, fields }),
                        Err(message) => problems.push(Problem { place, message }),
                    }
                    pos = skip_blank(text, start + values.byte_offset());
                }
                Some(Err(e)) => {
                    let line = line_of(text, start) + e.line().saturating_sub(1);
                    problems.push(Problem {
                        place: Place::Line(line),
                        message: without_position(&e),
                    });
                    return (rows, problems);
                }
                None => {
                    problems.push(syntax(start, "the JSON array is not closed".into()));
                    return (rows, problems);
                }
            }
            match text[pos..].chars().next() {
                Some(',') => pos = skip_blank(text, pos + 1),
                Some(']') => {
                    pos += 1;
                    break;
                }
                Some(other) => {
                    problems.push(syntax(pos, format!("expected `,` or `]`, found `{other}`")));
                    return (rows, problems);
                }
                None => {
                    problems.push(syntax(pos, "the JSON array is not closed".into()));
                    return (rows, problems);
                }
            }
        }
    }
    let rest = skip_blank(text, pos);
    if rest < text.len() {
        problems.push(syntax(rest, "unexpected text after the JSON array".into()));
    }
    (rows, problems)
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

fn skip_blank(text: &str, pos: usize) -> usize {
    let rest = &text[pos.min(text.len())..];
    text.len() - rest.trim_start().len()
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, pos: usize) -> usize {
    text.as_bytes()[..pos.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
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
    fn array_syntax_errors_name_their_line() {
        let problems = bad("[\n{\"a\":1},\n{\"b\":\n}\n]");
        assert_eq!(places(&problems), [Place::Line(4)]);
        assert_eq!(places(&bad("[{\"a\":1},]")), [Place::Line(1)]);
        bad("[{\"a\":1}");
        bad("[{\"a\":1}] x");
        bad("[{\"a\":1} {\"b\":2}]");
    }
}
