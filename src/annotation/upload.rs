//! Annotation rows as the NDJSON file of an import, streamed: one pass over the caller's
//! rows checks them and counts the file's bytes, a second (on a clone of the source) writes
//! them into the request body one line at a time. Nothing but one line is held in memory.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::io::{self, Read};

use crate::annotation::row::Annotation;
use crate::error::{Error, Result};

/// Annotations of one feature on one row, at most (the official SDK's
/// `ANNOTATION_PER_LABEL_LIMIT`).
pub const MAX_ANNOTATIONS_PER_LABEL: usize = 5_000;

/// The first pass: every row checked (a uuid, a name or schema id, at most
/// [`MAX_ANNOTATIONS_PER_LABEL`] per row and feature) and the NDJSON length counted.
pub(crate) fn check_and_measure<I>(rows: I) -> Result<(u64, usize)>
where
    I: IntoIterator,
    I::Item: Borrow<Annotation>,
{
    let mut bytes = 0u64;
    let mut count = 0usize;
    let mut per_label: HashMap<(String, String), usize> = HashMap::new();
    let mut counter = Counter(0);
    for (i, row) in rows.into_iter().enumerate() {
        let row = row.borrow();
        if row.uuid.trim().is_empty() {
            return Err(Error::invalid_input(
                "annotations",
                format!("row {i}: empty uuid"),
            ));
        }
        let feature = match (&row.name, &row.schema_id) {
            (Some(name), _) if !name.trim().is_empty() => name.clone(),
            (_, Some(id)) if !id.trim().is_empty() => id.clone(),
            _ => {
                return Err(Error::invalid_input(
                    "annotations",
                    format!("row {i} (uuid {}): give a name or a schemaId", row.uuid),
                ))
            }
        };
        if row.data_row.as_str().trim().is_empty() {
            return Err(Error::invalid_input(
                "annotations",
                format!("row {i} (uuid {}): empty dataRow id or key", row.uuid),
            ));
        }
        let n = per_label
            .entry((row.data_row.as_str().to_owned(), feature.clone()))
            .or_default();
        *n += 1;
        if *n > MAX_ANNOTATIONS_PER_LABEL {
            return Err(Error::invalid_input(
                "annotations",
                format!(
                    "row {:?} has more than {MAX_ANNOTATIONS_PER_LABEL} annotations of {feature:?}",
                    row.data_row.as_str()
                ),
            ));
        }
        counter.0 = 0;
        serde_json::to_writer(&mut counter, row)
            .map_err(|e| Error::invalid_input("annotations", format!("row {i}: {e}")))?;
        // Lines are joined by "\n", as the official SDK's `parser.dumps`.
        bytes += counter.0 + u64::from(count > 0);
        count += 1;
    }
    if count == 0 {
        return Err(Error::invalid_input(
            "annotations",
            "labels cannot be empty",
        ));
    }
    Ok((bytes, count))
}

/// Counts what is written.
struct Counter(u64);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The second pass: the rows as NDJSON, encoded one line at a time as the body is read.
pub(crate) struct NdjsonReader<It> {
    rows: It,
    line: Vec<u8>,
    at: usize,
    first: bool,
}

impl<It> NdjsonReader<It> {
    pub(crate) fn new(rows: It) -> Self {
        NdjsonReader {
            rows,
            line: Vec::new(),
            at: 0,
            first: true,
        }
    }
}

impl<It> Read for NdjsonReader<It>
where
    It: Iterator,
    It::Item: Borrow<Annotation>,
{
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.line.len() {
            let Some(row) = self.rows.next() else {
                return Ok(0);
            };
            self.line.clear();
            self.at = 0;
            if !self.first {
                self.line.push(b'\n');
            }
            self.first = false;
            serde_json::to_writer(&mut self.line, row.borrow())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        }
        let n = buf.len().min(self.line.len() - self.at);
        buf[..n].copy_from_slice(&self.line[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
