//! What goes to stdout (data: aligned fields and tables, JSON, NDJSON) and to stderr (messages).

use std::io::{self, Write};

use serde_json::Value;

/// Output settings from the global options.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    /// `--json`: one JSON document on stdout.
    pub json: bool,
    /// `--quiet`: no messages or progress on stderr.
    pub quiet: bool,
}

impl Ui {
    /// A message for the user on stderr, unless `--quiet`.
    pub fn note(&self, message: impl AsRef<str>) {
        if !self.quiet {
            message_line(message.as_ref());
        }
    }

    /// A record on stdout: one JSON document with `--json`, else aligned `name  value` lines.
    pub fn record(&self, json: &Value, fields: &[(&str, String)]) -> io::Result<()> {
        if self.json {
            print_json(json)
        } else {
            print_fields(fields)
        }
    }
}

/// A line on stderr. Unlike `eprintln!` it never panics: if stderr is gone there is nobody
/// left to tell.
pub fn message_line(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{text}");
}

/// One line of data on stdout.
pub fn print_line(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()
}

/// One pretty-printed JSON document on stdout.
pub fn print_json(value: &Value) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()
}

/// `name  value` lines, the values aligned.
pub fn print_fields(fields: &[(&str, String)]) -> io::Result<()> {
    let width = fields.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    let mut out = io::stdout().lock();
    for (name, value) in fields {
        writeln!(out, "{name:<width$}  {value}")?;
    }
    out.flush()
}

/// A table written row by row as rows arrive (a listing's pages): columns have fixed widths
/// chosen for their usual content, a longer cell pushes the rest of its row, and the last
/// column is not padded.
pub struct TableOut {
    widths: Vec<usize>,
    /// How many rows were written (the header not counted).
    pub rows: usize,
}

impl TableOut {
    /// Starts a table with `columns` (header, width) on stdout; the header is written with the
    /// first row, so an empty table prints nothing.
    pub fn new(columns: &[(&str, usize)]) -> (Self, Vec<String>) {
        let widths = columns.iter().map(|(_, width)| *width).collect();
        let header = columns.iter().map(|(name, _)| name.to_string()).collect();
        (TableOut { widths, rows: 0 }, header)
    }

    /// Writes one row (the header before the first).
    pub fn row(&mut self, header: &[String], row: &[String]) -> io::Result<()> {
        let mut out = io::stdout().lock();
        if self.rows == 0 {
            writeln!(out, "{}", table_line(header, &self.widths))?;
        }
        writeln!(out, "{}", table_line(row, &self.widths))?;
        self.rows += 1;
        Ok(())
    }
}

fn table_line(row: &[String], widths: &[usize]) -> String {
    let last = row.len().saturating_sub(1);
    let cells: Vec<String> = row
        .iter()
        .enumerate()
        .map(|(i, cell)| {
            let width = if i == last { 0 } else { widths[i] };
            format!("{cell:<width$}")
        })
        .collect();
    cells.join("  ")
}

/// One JSON array on stdout, written element by element as they arrive. It is closed even
/// when the listing stops on an error (when dropped unfinished), so stdout stays one valid
/// JSON document whatever the exit code.
pub struct JsonArrayOut {
    /// How many elements were written.
    pub count: usize,
    closed: bool,
}

impl JsonArrayOut {
    /// Starts the array.
    pub fn new() -> io::Result<Self> {
        let mut out = io::stdout().lock();
        out.write_all(b"[")?;
        out.flush()?;
        Ok(JsonArrayOut {
            count: 0,
            closed: false,
        })
    }

    /// One element, pretty-printed and indented.
    pub fn element(&mut self, value: &Value) -> io::Result<()> {
        let text = serde_json::to_string_pretty(value)?;
        let mut out = io::stdout().lock();
        out.write_all(if self.count == 0 { b"\n" } else { b",\n" })?;
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                out.write_all(b"\n")?;
            }
            write!(out, "  {line}")?;
        }
        out.flush()?;
        self.count += 1;
        Ok(())
    }

    /// Closes the array.
    pub fn finish(mut self) -> io::Result<()> {
        self.close()
    }

    fn close(&mut self) -> io::Result<()> {
        self.closed = true;
        let mut out = io::stdout().lock();
        out.write_all(if self.count == 0 { b"]\n" } else { b"\n]\n" })?;
        out.flush()
    }
}

impl Drop for JsonArrayOut {
    /// An array left open by an early return (an API error mid-listing) is closed here.
    fn drop(&mut self) {
        if !self.closed {
            // Stdout gone (a closed pipe): nobody is left to read the bracket.
            let _ = self.close();
        }
    }
}

/// Writes NDJSON to stdout, one value per line, flushed page by page so pipes see rows early.
pub struct NdjsonOut {
    out: io::BufWriter<io::StdoutLock<'static>>,
    /// How many values were written.
    pub count: u64,
}

impl NdjsonOut {
    /// Starts writing to stdout.
    pub fn new() -> Self {
        NdjsonOut {
            out: io::BufWriter::new(io::stdout().lock()),
            count: 0,
        }
    }

    /// One value on its own line.
    pub fn line(&mut self, value: &Value) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")?;
        self.count += 1;
        Ok(())
    }

    /// Hands the lines written so far to stdout (call at the end of each page).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Text on one line: every run of whitespace, line breaks included, becomes one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A completion fraction (0.0-1.0) as a whole percentage, `-` when unknown.
pub fn percent(fraction: Option<f64>) -> String {
    match fraction {
        Some(f) => format!("{:.0}%", (f * 100.0).clamp(0.0, 100.0)),
        None => "-".to_string(),
    }
}

/// An optional text, `-` when absent or empty.
pub fn or_dash(text: Option<&str>) -> String {
    match text {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => "-".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lines_are_aligned_and_unpadded_at_the_end() {
        let widths = [4, 8];
        let row = vec!["ab".to_string(), "COMPLETE".to_string()];
        assert_eq!(table_line(&row, &widths), "ab    COMPLETE");
    }

    #[test]
    fn one_line_joins_lines() {
        assert_eq!(one_line(" a\n  b\r\n\tc "), "a b c");
    }

    #[test]
    fn percentages_are_whole_and_clamped() {
        assert_eq!(percent(Some(0.456)), "46%");
        assert_eq!(percent(Some(1.5)), "100%");
        assert_eq!(percent(None), "-");
    }
}
