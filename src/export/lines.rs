//! [`ExportLines`]: a stream of a finished export as the lines the service served, checked
//! (UTF-8, one JSON value each) but never decoded into a tree.

use std::fmt;

use crate::error::Result;
use crate::export::json_check;
use crate::export::reader::StreamReader;
use crate::export::stream::{debug_reader, refusal, StreamPosition, StreamType};

/// One stream of a finished export as its lines, byte for byte as served (newline
/// excluded), from [`ExportTask::lines`](crate::ExportTask::lines).
///
/// Each line is checked to be UTF-8 holding one JSON value (a strict check that builds
/// nothing; nesting deeper than 128 is refused) and goes through every check of
/// [`ExportStream`](crate::ExportStream): ranges that continue the stream, counts within the
/// header's, lengths as announced, the line cap. Blank lines are skipped.
/// [`next_line`](Self::next_line) lends each line from the read buffer, without a copy; as an
/// [`Iterator`] it yields owned `String`s.
///
/// ```
/// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
/// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
/// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
/// # let export_id = &{
/// #     let client = labelbox::Client::from_env()?;
/// #     let pets = client.create_dataset("pets")?;
/// #     let specs = [labelbox::DataRowSpec::new(labelbox::RowData::url("https://example.com/cat.jpg"))];
/// #     pets.create_data_rows(&specs)?.wait_till_done()?;
/// #     let mut export = pets.export(labelbox::ExportOptions::new())?;
/// #     export.wait_till_done()?;
/// #     export.id().to_owned()
/// # };
/// use std::io::Write;
/// use labelbox::{Client, StreamType};
///
/// let export = Client::from_env()?.get_export_task(export_id)?;
/// let mut lines = export.lines(StreamType::Result)?;
/// let mut out = Vec::new();
/// while let Some(line) = lines.next_line() {
///     writeln!(out, "{}", line?).expect("writing to memory");
/// }
/// assert_eq!(lines.position().line, 1);
/// # Ok::<_, labelbox::Error>(())
/// ```
#[must_use = "iterators are lazy: nothing is fetched until it is used"]
pub struct ExportLines {
    reader: StreamReader,
}

impl fmt::Debug for ExportLines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_reader(f, "ExportLines", &self.reader)
    }
}

impl ExportLines {
    pub(crate) fn new(reader: StreamReader) -> Self {
        ExportLines { reader }
    }

    /// The next line, lent until the next call; `None` at the stream's end. An error ends
    /// the stream ([`position`](Self::position) says where to resume).
    ///
    /// # Errors
    ///
    /// The errors of iterating an [`ExportStream`](crate::ExportStream);
    /// [`Error::ExportFileCorrupt`](crate::Error::ExportFileCorrupt) for a line that is not UTF-8 or not one JSON value.
    pub fn next_line(&mut self) -> Option<Result<&str>> {
        let checked = match self.reader.next_line()? {
            Ok((bytes, line)) => match check_line(bytes) {
                Ok(()) => return Some(Ok(self.lent())),
                Err(why) => refusal(line, bytes, &why),
            },
            Err(e) => return Some(Err(e)),
        };
        Some(Err(self.reader.refuse_line(checked)))
    }

    /// The line [`StreamReader::next_line`] gave last, already checked to be UTF-8.
    fn lent(&mut self) -> &str {
        let bytes = self.reader.last_line();
        // Checked by `check_line` just before; never fails.
        std::str::from_utf8(bytes).unwrap_or_default()
    }

    /// Sets the longest line accepted; see
    /// [`ExportStream::max_line_bytes`](crate::ExportStream::max_line_bytes).
    pub fn max_line_bytes(mut self, bytes: u64) -> Self {
        self.reader.set_max_line(bytes);
        self
    }

    /// Which stream this is.
    #[must_use]
    pub fn stream_type(&self) -> StreamType {
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

    /// Where the next line starts; see
    /// [`ExportStream::position`](crate::ExportStream::position).
    #[must_use]
    pub fn position(&self) -> StreamPosition {
        self.reader.want
    }
}

impl Iterator for ExportLines {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Result<String>> {
        self.next_line().map(|line| line.map(str::to_owned))
    }
}

/// Why a line is not UTF-8 holding one JSON value, if it is not.
fn check_line(bytes: &[u8]) -> std::result::Result<(), Box<dyn fmt::Display>> {
    let text = std::str::from_utf8(bytes).map_err(|e| Box::new(e) as Box<dyn fmt::Display>)?;
    json_check::check(text).map_err(|e| Box::new(e) as Box<dyn fmt::Display>)
}
