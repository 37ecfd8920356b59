//! [`ExportLines`]: a stream of a finished export as the lines the service served, checked
//! (UTF-8, one JSON value each) but never decoded into a tree.

use std::fmt;

use crate::error::Result;
use crate::export::json_check;
use crate::export::reader::StreamReader;
use crate::export::stream::{debug_reader, refusal};

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
        let refused = match self.reader.next_line()? {
            // UTF-8 and JSON checked in one pass; a refused line is asked again for why.
            Ok((bytes, _)) if json_check::check_utf8(bytes) => return Some(Ok(self.lent())),
            Ok((bytes, line)) => refusal(line, bytes, &why_refused(bytes)),
            Err(e) => return Some(Err(*e)),
        };
        Some(Err(self.reader.refuse_line(refused)))
    }

    /// The line [`StreamReader::next_line`] gave last, which `check_utf8` accepted.
    fn lent(&mut self) -> &str {
        let bytes = self.reader.last_line();
        debug_assert!(std::str::from_utf8(bytes).is_ok(), "{bytes:?}");
        // SAFETY: `bytes` are the line `json_check::check_utf8` accepted just before (nothing
        // was read in between), and it accepts UTF-8 only: its answer is that of
        // `std::str::from_utf8` followed by the JSON check (json_check's test
        // `checks_utf8_and_json_as_the_two_checks_do`, on generated and mutated bytes, and
        // this module's test below). Checking again would be a second pass over every byte
        // of every line, for the type only.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }

    crate::export::reader::forward_stream_accessors!("line");
}

impl Iterator for ExportLines {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Result<String>> {
        self.next_line().map(|line| line.map(str::to_owned))
    }
}

/// Why a line [`json_check::check_utf8`] refused is not UTF-8 holding one JSON value: `std`'s
/// UTF-8 error, else [`json_check::check`]'s (the two checks it makes in one pass).
pub(crate) fn why_refused(bytes: &[u8]) -> Box<dyn fmt::Display> {
    match std::str::from_utf8(bytes) {
        Err(e) => Box::new(e),
        Ok(text) => match json_check::check(text) {
            Err(e) => Box::new(e),
            // Not met: `check_utf8` refuses exactly what these two refuse (tested).
            Ok(()) => Box::new("the line was refused"),
        },
    }
}

#[cfg(test)]
mod tests {
    use crate::export::json_check::check_utf8;

    /// What the one-pass check accepts is UTF-8, wherever the odd bytes sit: the invariant
    /// that lets `lent` skip a second pass.
    #[test]
    fn accepted_lines_are_utf8() {
        let pieces: [&[u8]; 12] = [
            b"\"",
            b"a",
            b"\\",
            b"n",
            b"\xC3\xA9",
            b"\xC3",
            b"\xA9",
            b"\xED\xA0\x80",
            b"\xF0\x9F\x90\xB1",
            b"\xF4\x90\x80\x80",
            b"\xC0\xAF",
            b"\xFF",
        ];
        let mut seed = 0x243F_6A88_85A3_08D3u64;
        let (mut accepted, mut refused) = (0, 0);
        for _ in 0..200_000 {
            let mut line = b"[\"".to_vec();
            for _ in 0..seed % 6 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                line.extend_from_slice(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            line.extend_from_slice(b"\"]");
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            if check_utf8(&line) {
                assert!(std::str::from_utf8(&line).is_ok(), "{line:?}");
                accepted += 1;
            } else {
                refused += 1;
            }
        }
        assert!(
            accepted > 1_000 && refused > 1_000,
            "{accepted} accepted, {refused} refused"
        );
    }
}
