//! The places of an export line's known parts, read straight from its bytes, and the
//! [`ExportedRow`]s built from them (the [`ExportedLine`]s of `export/line_row` keep them):
//! `data_row`'s four texts, the `projects` part (when present) in its known shape (names,
//! ids, details' texts and numbers, each annotation's and review's checked text), every
//! other part checked by `export/json_check` and skipped. The cursor checks UTF-8 itself
//! (ASCII outside strings, every string checked), so a line it takes needs no other pass. The
//! answer is serde_json's own: whatever this reader does not take whole (a syntax error, a
//! missing or repeated field or project id, a field of another type, row data that is not a
//! string, nesting past the check's bound, bytes that are not UTF-8) is parsed again by
//! `serde_json::from_str::<ExportedRow>`, whose row or error is final.
//!
//! What a line costs, and what was tried (callgrind, `src/export/line_cost.rs`, the 778-byte
//! project line with one label; the raw-line check 2,804 instructions):
//! - Its places, kept by an `ExportedLine` (two allocations): 4,441. An `ExportedRow` built
//!   from them: 9,462 (its fields' fifteen allocations, their frees and copies).
//! - The values it passes over whole (each annotation, `media_attributes`) are read by the
//!   raw-line check's fast path where the CPU has AVX2 (`json_check::value_end_utf8`): by the
//!   scalar check, the line took 4,679. A place is recorded without a conversion checked:
//!   lines past 2 GiB are left to serde_json, so every place fits a span's `u32` (80 fewer).
//! - Keys are compared where they stand, against the names the object may hold, a word at a
//!   time (see [`Cursor::field`]): with a `match` on byte-string patterns, which compiles to
//!   a test per byte after a scan of the key, the line took 6,065.
//! - Reading the places over the tokens the raw-line check's fast path finds (AVX2 bitmasks)
//!   instead of byte by byte, this module's reading written once over both: 6,552 when the
//!   cursor took 6,065, slower. Whitespace and strings cost nothing to pass there, but every
//!   token costs a step (some fifteen instructions with its place), four a field, where the
//!   cursor's scans are as cheap. A walk keeping the row's shape as the check's grammar's
//!   state: 8,600.
//! - An `ExportedRow` read over the check's tokens kept on a tape: 12,431.
//! - Counting each node's own spans when it is read (so that an accessor passes over a
//!   project or label in one step) saved 150 instructions in the accessors and cost 180 here.
//! - Where this line's 4,441 go: the three values passed over and checked (the annotation,
//!   `media_attributes`, `metadata_fields`), about 1,000 (1,200 by the scalar check); the
//!   line's copy and the two allocations, about 380; the rest is keys matched and strings
//!   found, some 40 fields.
//!
//! [`ExportedLine`]: crate::ExportedLine

use crate::export::json_check::{
    self, number, skip_ws, string_utf8, to_special_or_high, value_end_utf8,
};
use crate::export::line_row::{Part, Parts, Span};
use crate::export::stream::{self, ExportedRow, Undecodable};
use crate::export::value_row;

/// The line `bytes` as serde_json decodes it into an [`ExportedRow`], or why it does not
/// decode (not UTF-8, or serde_json's error).
pub(crate) fn decode(bytes: &[u8]) -> Result<ExportedRow, Undecodable> {
    let (text, index) = read(bytes)?;
    let row = index.and_then(|index| Parts::new(text, &index.extra, &index.spans).to_row());
    match row {
        Some(row) => Ok(row),
        None => Ok(serde_json::from_str(text)?),
    }
}

/// Line `bytes` as text (or why it is not UTF-8), and the places of its known parts where
/// this reader takes it whole (`None`: the line is left to serde_json).
pub(crate) fn read(bytes: &[u8]) -> Result<(&str, Option<Index>), Undecodable> {
    let Some(index) = index(bytes) else {
        return Ok((stream::utf8(bytes)?, None));
    };
    debug_assert!(std::str::from_utf8(bytes).is_ok(), "{bytes:?}");
    // SAFETY: the cursor took the line whole, and it takes UTF-8 only: ASCII alone outside
    // strings (the grammar's bytes), and every string it reads or passes over checked
    // (`to_special_or_high` stops at the first byte that is not ASCII, `string_utf8` and
    // `value_end_utf8` check UTF-8). Checking again would be a second pass over every byte
    // (tested: `lines_that_are_not_utf8_are_refused_as_std_refuses_them`).
    let text = unsafe { std::str::from_utf8_unchecked(bytes) };
    Ok((text, Some(index)))
}

/// The places of the known parts of line `b`, read byte by byte, when this reader takes it
/// whole (else `None`: the line is left to serde_json, or is not UTF-8).
pub(crate) fn index(b: &[u8]) -> Option<Index> {
    // Every place then fits a span's `u32`: the unescaped texts after the line are never
    // longer than the strings they come from.
    if b.len() > MAX_LINE {
        return None;
    }
    let mut cursor = Cursor {
        b,
        at: 0,
        found: Index::new(),
    };
    cursor.ws()?;
    row(&mut cursor)?;
    Some(cursor.found)
}

/// The longest line this reader takes (2 GiB): its places and those of its unescaped texts
/// fit a span's `u32`, checked once here instead of at each place.
const MAX_LINE: usize = (u32::MAX / 2) as usize;

/// The places of a line's known parts, in the line's order, and the texts of the strings
/// that held escapes, unescaped (a span at or past the line's length is in `extra`, from the
/// line's length on).
pub(crate) struct Index {
    pub(crate) spans: Vec<Span>,
    pub(crate) extra: String,
}

impl Index {
    fn new() -> Self {
        Index {
            spans: Vec::with_capacity(24),
            extra: String::new(),
        }
    }
}

/// Marks a part of the line read, unless it was read before (a repeated field, which
/// serde_json refuses: left to it).
fn once(read: &mut bool) -> Option<()> {
    (!*read).then(|| *read = true)
}

/// Which known fields of an object were read, one bit per [`Part`]: a repeated field, which
/// serde_json refuses, is left to it.
#[derive(Default)]
struct Seen(u64);

impl Seen {
    fn first(&mut self, part: Part) -> Option<()> {
        let bit = 1u64 << (part as u8);
        (self.0 & bit == 0).then(|| self.0 |= bit)
    }
}

/// The part of `fields` named `key`. Compared a word at a time: a `match` on byte-string
/// patterns compiles to a test per byte, twice the instructions over a line's keys.
#[inline(always)]
fn named<T: Copy>(key: &[u8], fields: &[(&[u8], T)]) -> Option<T> {
    fields
        .iter()
        .find(|(name, _)| *name == key)
        .map(|&(_, part)| part)
}

/// The whole line: one object holding `data_row` once (with an `id` string) and `projects`
/// at most once, whitespace around it.
fn row<'a>(s: &mut Cursor<'a>) -> Option<()> {
    #[derive(Clone, Copy)]
    enum Top {
        DataRow,
        Projects,
    }
    const FIELDS: [(&[u8], Top); 2] = [(b"data_row", Top::DataRow), (b"projects", Top::Projects)];
    let (mut data_row, mut projects) = (false, false);
    s.object(|s| match s.field(&FIELDS)? {
        Some(Top::DataRow) => {
            once(&mut data_row)?;
            read_data_row(s)
        }
        Some(Top::Projects) => {
            once(&mut projects)?;
            read_projects(s)
        }
        None => s.skip(),
    })?;
    s.end()?;
    data_row.then_some(())
}

fn read_data_row<'a>(s: &mut Cursor<'a>) -> Option<()> {
    const FIELDS: [(&[u8], Part); 4] = [
        (b"id", Part::DataRowId),
        (b"global_key", Part::GlobalKey),
        (b"row_data", Part::RowData),
        (b"external_id", Part::ExternalId),
    ];
    let mut id = false;
    s.fields(&FIELDS, |s, part| {
        let string = s.text_or_null(part)?;
        id |= string && part == Part::DataRowId;
        Some(())
    })?;
    id.then_some(())
}

/// The `projects` part (labels of project exports): per project id, its fields read in their
/// known shape, unknown ones checked and skipped. A repeated project id (serde_json keeps
/// the last) or field, or a field of another shape, is left to serde_json.
fn read_projects<'a>(s: &mut Cursor<'a>) -> Option<()> {
    let (first, mut projects) = (s.found.spans.len(), 0);
    s.object(|s| {
        let (start, end) = s.key()?;
        s.put(Part::Project, start, end);
        projects += 1;
        read_project(s)
    })?;
    // Most lines have one project (or none): nothing to compare.
    (projects < 2 || s.distinct_projects(first)).then_some(())
}

fn read_project<'a>(s: &mut Cursor<'a>) -> Option<()> {
    const FIELDS: [(&[u8], Part); 3] = [
        (b"name", Part::ProjectName),
        (b"labels", Part::Label),
        (b"project_details", Part::ProjectDetails),
    ];
    s.fields(&FIELDS, |s, part| match part {
        Part::ProjectName => s.text(part),
        Part::Label => s.array(read_label),
        _ => s.or_null(part, read_project_details),
    })
}

fn read_label<'a>(s: &mut Cursor<'a>) -> Option<()> {
    // `annotations` is marked by the bit of its first kind of annotation.
    const FIELDS: [(&[u8], Part); 3] = [
        (b"id", Part::LabelId),
        (b"annotations", Part::Object),
        (b"label_details", Part::LabelDetails),
    ];
    s.put(Part::Label, s.at, s.at);
    s.fields(&FIELDS, |s, part| match part {
        Part::LabelId => s.text(part),
        Part::Object => read_annotations(s),
        _ => s.or_null(part, read_label_details),
    })
}

fn read_annotations<'a>(s: &mut Cursor<'a>) -> Option<()> {
    const FIELDS: [(&[u8], Part); 3] = [
        (b"objects", Part::Object),
        (b"classifications", Part::Classification),
        (b"relationships", Part::Relationship),
    ];
    s.fields(&FIELDS, |s, part| s.array(|s| s.json(part)))
}

fn read_label_details<'a>(s: &mut Cursor<'a>) -> Option<()> {
    const FIELDS: [(&[u8], Part); 5] = [
        (b"created_at", Part::LabelCreatedAt),
        (b"updated_at", Part::LabelUpdatedAt),
        (b"created_by", Part::LabelCreatedBy),
        (b"content_last_updated_at", Part::ContentLastUpdatedAt),
        (b"reviews", Part::Review),
    ];
    s.fields(&FIELDS, |s, part| {
        if part == Part::Review {
            return s.array(|s| s.review());
        }
        s.text_or_null(part).map(drop)
    })
}

fn read_project_details<'a>(s: &mut Cursor<'a>) -> Option<()> {
    const FIELDS: [(&[u8], Part); 9] = [
        (b"ontology_id", Part::OntologyId),
        (b"task_id", Part::TaskId),
        (b"task_name", Part::TaskName),
        (b"batch_id", Part::BatchId),
        (b"batch_name", Part::BatchName),
        (b"workflow_status", Part::WorkflowStatus),
        (b"created_at", Part::ProjectCreatedAt),
        (b"priority", Part::Priority),
        (b"consensus_expected_label_count", Part::ConsensusCount),
    ];
    s.fields(&FIELDS, |s, part| match part {
        Part::Priority | Part::ConsensusCount => s.int_or_null(part),
        _ => s.text_or_null(part).map(drop),
    })
}

/// The line's bytes, read one by one (strings sixteen at a time). Each reading method is
/// called with the cursor on its value's first byte (whitespace before it skipped), reads
/// it, checked, and moves past it, or answers `None`: the line is not of the row's shape
/// (or not JSON, or not UTF-8), and is left to serde_json.
struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
    found: Index,
}

/// A string as read: its place in the line (no escape in it), or its text unescaped.
enum Quoted {
    InLine(usize, usize),
    Unescaped(String),
}

impl<'a> Cursor<'a> {
    /// An object: `entry` called on each of its entries with the cursor on the key's opening
    /// quote, to read the key ([`key`](Self::key) or [`field`](Self::field)) and its value.
    fn object(&mut self, mut entry: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        if self.b.get(self.at) != Some(&b'{') {
            return None;
        }
        self.at += 1;
        if self.ws()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            // Whitespace skipped: after the brace above, after the comma below.
            if self.b.get(self.at) != Some(&b'"') {
                return None;
            }
            entry(self)?;
            match self.ws()? {
                b',' => {
                    self.at += 1;
                    self.ws()?;
                }
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// An object whose known fields are `fields`: `read` called with the part each known key
    /// names, the cursor on its value; the values of other keys checked and skipped. A known
    /// field there twice (serde_json refuses it) leaves the line to serde_json.
    fn fields(
        &mut self,
        fields: &[(&[u8], Part)],
        mut read: impl FnMut(&mut Self, Part) -> Option<()>,
    ) -> Option<()> {
        let mut seen = Seen::default();
        self.object(|s| {
            let Some(part) = s.field(fields)? else {
                return s.skip();
            };
            seen.first(part)?;
            read(s, part)
        })
    }

    /// A key's place (see [`place`](Self::place)), and its colon: the cursor on the value.
    fn key(&mut self) -> Option<(usize, usize)> {
        let quoted = self.quoted()?;
        let place = self.place(quoted);
        self.colon()?;
        Some(place)
    }

    /// Which of `fields` a key names (`None`: none of them), and its colon: the cursor on the
    /// value. Each name is compared where the key stands first, closing quote included: the
    /// keys the service writes are matched without a scan.
    #[inline(always)]
    fn field<T: Copy>(&mut self, fields: &[(&[u8], T)]) -> Option<Option<T>> {
        let rest = &self.b[self.at + 1..];
        let standing = fields
            .iter()
            .find(|(name, _)| rest.get(name.len()) == Some(&b'"') && rest.starts_with(name));
        let part = match standing {
            Some(&(name, part)) => {
                self.at += name.len() + 2;
                Some(part)
            }
            // Another key, or one written with escapes.
            None => match self.quoted()? {
                Quoted::InLine(start, end) => named(&self.b[start..end], fields),
                Quoted::Unescaped(key) => named(key.as_bytes(), fields),
            },
        };
        self.colon()?;
        Some(part)
    }

    /// The colon after a key, and the whitespace around it.
    #[inline(always)]
    fn colon(&mut self) -> Option<()> {
        self.at = json_check::colon(self.b, self.at).ok()?;
        Some(())
    }

    /// An array: `item` called on each item.
    fn array(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        if self.b.get(self.at) != Some(&b'[') {
            return None;
        }
        self.at += 1;
        if self.ws()? == b']' {
            self.at += 1;
            return Some(());
        }
        loop {
            self.ws()?;
            item(self)?;
            match self.ws()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

impl Cursor<'_> {
    /// A string, its text marked `part`. Not inlined: one small copy, called from many
    /// places, costs fewer instructions than the copies inlined (measured).
    #[inline(never)]
    fn text(&mut self, part: Part) -> Option<()> {
        if self.b.get(self.at) != Some(&b'"') {
            return None;
        }
        // The fast path of `quoted`, written here again: calling it costs 50 instructions a
        // project line (measured). The rest is out of line, to keep this small.
        let start = self.at + 1;
        let end = to_special_or_high(self.b, start);
        if self.b.get(end) == Some(&b'"') {
            self.at = end + 1;
            self.put(part, start, end);
            return Some(());
        }
        self.unusual_text(part)
    }

    /// [`text`](Self::text) for a string that is not ASCII or holds an escape.
    #[cold]
    #[inline(never)]
    fn unusual_text(&mut self, part: Part) -> Option<()> {
        let quoted = self.unusual()?;
        let (start, end) = self.place(quoted);
        self.put(part, start, end);
        Some(())
    }

    /// Where string `quoted`, just read, is: in the line, or (unescaped) in `extra`.
    #[inline(always)]
    fn place(&mut self, quoted: Quoted) -> (usize, usize) {
        match quoted {
            Quoted::InLine(start, end) => (start, end),
            Quoted::Unescaped(text) => self.unescaped(&text),
        }
    }

    /// A string (marked `part`: answers `true`) or `null` (`false`).
    fn text_or_null(&mut self, part: Part) -> Option<bool> {
        // A string is what the service mostly writes: looked for first.
        if self.b.get(self.at) != Some(&b'"') && self.null() {
            return Some(false);
        }
        self.text(part).map(|()| true)
    }

    /// An `i64`, as serde_json reads it from the number's text (marked `part`), or `null`.
    fn int_or_null(&mut self, part: Part) -> Option<()> {
        if self.null() {
            return Some(());
        }
        let end = number(self.b, self.at).ok()?;
        serde_json::from_slice::<i64>(&self.b[self.at..end]).ok()?;
        self.put(part, self.at, end);
        self.at = end;
        Some(())
    }

    /// `null`, or an object marked `part` read by `read`.
    fn or_null(&mut self, part: Part, read: impl FnOnce(&mut Self) -> Option<()>) -> Option<()> {
        if self.null() {
            return Some(());
        }
        self.put(part, self.at, self.at);
        read(self)
    }

    /// Consumes a `null`, if one is there.
    fn null(&mut self) -> bool {
        let found = self.b[self.at..].starts_with(b"null");
        if found {
            self.at += 4;
        }
        found
    }

    /// Any value, checked (UTF-8 too): where it is.
    fn value(&mut self) -> Option<(usize, usize)> {
        let start = self.at;
        self.at = value_end_utf8(self.b, start).ok()?;
        Some((start, self.at))
    }

    /// Any value, checked and passed over.
    fn skip(&mut self) -> Option<()> {
        self.value().map(drop)
    }

    /// Any value, checked, its text marked `part`.
    fn json(&mut self, part: Part) -> Option<()> {
        let (start, end) = self.value()?;
        self.put(part, start, end);
        Some(())
    }

    /// A review: any JSON value that serde_json builds as a `Value` (built here once, by
    /// `export/value_row`, to know: a number past `f64`'s range is refused), its text marked.
    fn review(&mut self) -> Option<()> {
        let (start, end) = self.value()?;
        let text = std::str::from_utf8(&self.b[start..end]).ok()?;
        value_row::decode(text).ok()?;
        self.put(Part::Review, start, end);
        Some(())
    }

    /// Nothing but whitespace is left.
    fn end(&mut self) -> Option<()> {
        self.ws();
        (self.at == self.b.len()).then_some(())
    }

    /// Whether no project id recorded from span `first` on is there twice (serde_json would
    /// keep the last), compared as bytes.
    fn distinct_projects(&self, first: usize) -> bool {
        let (line, extra) = (self.b, self.found.extra.as_bytes());
        let spans = self.found.spans[first..].iter();
        let mut ids: Vec<&[u8]> = spans
            .filter(|span| span.part == Part::Project)
            .map(|span| span.bytes_in(line, extra))
            .collect();
        ids.sort_unstable();
        ids.windows(2).all(|pair| pair[0] != pair[1])
    }

    /// Records that `part` is at `start..end` (of the line, or of `extra` past its end).
    fn put(&mut self, part: Part, start: usize, end: usize) {
        self.found.spans.push(Span::within(part, start, end));
    }

    /// `text`, copied to `extra`: where it is there, counted from the line's length.
    fn unescaped(&mut self, text: &str) -> (usize, usize) {
        let start = self.b.len() + self.found.extra.len();
        self.found.extra.push_str(text);
        (start, start + text.len())
    }

    /// The byte after whitespace. The service writes none: one byte is looked at here,
    /// inline, and the loop called only where there is some (every byte JSON allows outside
    /// strings but whitespace is above the space).
    #[inline(always)]
    fn ws(&mut self) -> Option<u8> {
        let byte = *self.b.get(self.at)?;
        if byte > b' ' {
            return Some(byte);
        }
        self.at = skip_ws(self.b, self.at);
        self.b.get(self.at).copied()
    }

    /// The string at the cursor (its opening quote), and the cursor past it: its place when
    /// it is ASCII without an escape (what the service writes, found sixteen bytes at a
    /// time), else checked for UTF-8 and read by serde_json.
    #[inline(always)]
    fn quoted(&mut self) -> Option<Quoted> {
        let start = self.at + 1;
        let end = to_special_or_high(self.b, start);
        if self.b.get(end) == Some(&b'"') {
            self.at = end + 1;
            return Some(Quoted::InLine(start, end));
        }
        self.unusual()
    }

    /// [`quoted`](Self::quoted) for a string that is not ASCII or holds an escape.
    #[cold]
    fn unusual(&mut self) -> Option<Quoted> {
        let end = string_utf8(self.b, self.at + 1).ok()?;
        let quoted = std::str::from_utf8(&self.b[self.at..end]).ok()?;
        let start = self.at + 1;
        self.at = end;
        if !quoted.contains('\\') {
            return Some(Quoted::InLine(start, end - 1));
        }
        Some(Quoted::Unescaped(serde_json::from_str(quoted).ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::decode;
    use crate::export::json_check::tests::{case_line_with, mutate, value, Rng, EXPORT_LINE};
    use crate::{ExportedLine, ExportedRow};

    /// A field's value: mostly a string, sometimes what serde_json must judge.
    fn field(rng: &mut Rng, out: &mut String) {
        match rng.below(16) {
            0 => out.push_str("null"),
            1 => value(rng, out, 5),
            2 => out.push_str(r#""with \"escapes\" \u00e9\/""#),
            _ => out.push_str(r#""https://example.com/a.jpg""#),
        }
    }

    /// A line with a `data_row` part (or not, or twice), its fields in any order, present or
    /// not, of any type, beside parts of any shape.
    fn line(rng: &mut Rng) -> String {
        let mut out = String::from("{");
        for n in 0..=rng.below(3) {
            if n > 0 {
                out.push(',');
            }
            // One data_row part mostly first; a second one now and then.
            if n > 0 && rng.below(8) != 0 {
                out.push_str(r#""media_attributes":"#);
                value(rng, &mut out, 3);
                continue;
            }
            out.push_str(if rng.below(8) == 0 {
                r#""d\u0061ta_row":{"#
            } else {
                r#""data_row" : {"#
            });
            // Mostly an id, then any fields (repeated now and then), unknown ones too.
            let mut keys = Vec::new();
            if rng.below(8) != 0 {
                keys.push("id");
            }
            for _ in 0..rng.below(4) {
                let known = ["global_key", "row_data", "external_id", "i\\u0064", "id"];
                let unknown = ["details", "media", "x"];
                keys.push(if rng.below(2) == 0 {
                    unknown[rng.below(unknown.len())]
                } else {
                    known[rng.below(known.len())]
                });
            }
            for (m, key) in keys.iter().enumerate() {
                if m > 0 {
                    out.push(',');
                }
                out.push_str(&format!("{key:?}:"));
                field(rng, &mut out);
            }
            out.push('}');
        }
        out.push('}');
        out
    }

    /// Decodes `text` with this reader (as an `ExportedRow` and as an `ExportedLine`) and with
    /// serde_json and asserts they agree: the same row (answered) or the same error (`None`).
    fn same_as_serde_json(case: usize, text: &str) -> Option<ExportedRow> {
        let line = ExportedLine::decode_line(text.as_bytes());
        match (
            decode(text.as_bytes()),
            serde_json::from_str::<ExportedRow>(text),
        ) {
            (Ok(ours), Ok(theirs)) => {
                assert_eq!(ours, theirs, "case {case}: {text:?}");
                let line = line.unwrap_or_else(|e| panic!("case {case}: {text:?}: {e}"));
                assert_reads_as(&line, &theirs);
                Some(ours)
            }
            (Err(ours), Err(theirs)) => {
                assert_eq!(
                    ours.to_string(),
                    theirs.to_string(),
                    "case {case}: {text:?}"
                );
                let line = line.map(|line| line.to_row());
                assert_eq!(line.unwrap_err().to_string(), theirs.to_string());
                None
            }
            (ours, theirs) => {
                panic!("case {case}: {text:?}: {ours:?} but serde_json {theirs:?}")
            }
        }
    }

    /// Every accessor of `line` answers what `row`'s fields hold.
    #[track_caller]
    fn assert_reads_as(line: &ExportedLine, row: &ExportedRow) {
        assert_eq!(&line.to_row(), row, "{line:?}");
        let data = &row.data_row;
        assert_eq!(line.data_row_id(), data.id);
        assert_eq!(line.global_key(), data.global_key.as_deref());
        assert_eq!(line.row_data(), data.row_data.as_deref());
        assert_eq!(line.external_id(), data.external_id.as_deref());
        assert_eq!(line.projects().count(), row.projects.len(), "{line:?}");
        let labels = row.projects.values().map(|p| p.labels.len()).sum::<usize>();
        assert_eq!(line.label_count(), labels);
        for project in line.projects() {
            let owned = &row.projects[project.id()];
            assert_eq!(
                line.project(project.id()).map(|p| p.id()),
                Some(project.id())
            );
            assert_eq!(project.name(), owned.name);
            assert_eq!(project.details(), owned.project_details);
            assert_eq!(project.labels().count(), owned.labels.len());
            for (label, owned) in project.labels().zip(&owned.labels) {
                assert_eq!(label.id(), owned.id);
                assert_eq!(label.details(), owned.label_details);
                let annotations = &owned.annotations;
                assert_eq!(label.annotation_count(), annotations.len());
                // Counted over the spans, not walked: the same numbers.
                assert_eq!(label.objects().count(), annotations.objects.len());
                let classifications = annotations.classifications.len();
                assert_eq!(label.classifications().count(), classifications);
                assert_eq!(
                    label.relationships().count(),
                    annotations.relationships.len()
                );
                for (ours, theirs) in [
                    (label.objects().collect::<Vec<_>>(), &annotations.objects),
                    (
                        label.classifications().collect(),
                        &annotations.classifications,
                    ),
                    (label.relationships().collect(), &annotations.relationships),
                ] {
                    let ours: Vec<&str> = ours.iter().map(|a| a.json()).collect();
                    let theirs: Vec<&str> = theirs.iter().map(|a| a.json()).collect();
                    assert_eq!(ours, theirs);
                }
            }
        }
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let mut rng = Rng(0x5DEE_CE66_D1CE_4E5B);
        let (mut read, mut refused) = (0, 0);
        for case in 0..60_000 {
            let text = case_line_with(&mut rng, case, line);
            match same_as_serde_json(case, &text) {
                Some(_) => read += 1,
                None => refused += 1,
            }
        }
        assert!(
            read > 10_000 && refused > 10_000,
            "{read} read, {refused} refused"
        );
    }

    type Part = fn(&mut Rng, &mut String);

    /// An object with some of `fields` in any order, now and then one repeated, one unknown,
    /// a key escaped, or the whole object something else.
    fn object(rng: &mut Rng, out: &mut String, fields: &[(&str, Part)]) {
        if rng.below(100) == 0 {
            return value(rng, out, 5);
        }
        if rng.below(100) == 0 {
            return out.push_str("null");
        }
        out.push('{');
        // Most fields, from a random one on; now and then one more, repeated or unknown.
        let from = rng.below(fields.len());
        let mut picked: Vec<usize> = (0..fields.len())
            .map(|n| (from + n) % fields.len())
            .filter(|_| rng.below(4) != 0)
            .collect();
        if rng.below(40) == 0 {
            picked.push(rng.below(fields.len() + 1));
        }
        for (n, &field) in picked.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            let Some(&(key, part)) = fields.get(field) else {
                out.push_str(r#""unknown":"#);
                match rng.below(3) {
                    0 => value(rng, out, 4),
                    _ => out.push_str(r#"{"a":[1,"b",null],"c":{}}"#),
                }
                continue;
            };
            if rng.below(12) == 0 {
                // The same key, escaped: serde_json compares keys unescaped.
                out.push_str(&format!("\"\\u{:04x}{}\":", key.as_bytes()[0], &key[1..]));
            } else {
                out.push_str(&format!("{key:?} : "));
            }
            part(rng, out);
        }
        out.push('}');
    }

    fn text(rng: &mut Rng, out: &mut String) {
        match rng.below(48) {
            0 => out.push_str("null"),
            1 => value(rng, out, 5),
            2..=8 => out.push_str(r#""caf\u00e9 \"x\"""#),
            _ => out.push_str(r#""2026-12-06T22:00:00.000Z""#),
        }
    }

    fn int(rng: &mut Rng, out: &mut String) {
        let odd = [
            "1.5",
            "1e2",
            "\"7\"",
            "9223372036854775808",
            "-9223372036854775809",
            "true",
        ];
        let fine = ["3", "-1", "0", "-0", "null", "9223372036854775807"];
        out.push_str(if rng.below(16) == 0 {
            odd[rng.below(odd.len())]
        } else {
            fine[rng.below(fine.len())]
        });
    }

    fn values(rng: &mut Rng, out: &mut String) {
        if rng.below(30) == 0 {
            return value(rng, out, 5);
        }
        out.push('[');
        for n in 0..rng.below(3) {
            if n > 0 {
                out.push(',');
            }
            match rng.below(8) {
                0 => value(rng, out, 3),
                _ => out.push_str(
                    r#"{"name":"weather","answer":{"name":"sunny"},"uuid":"0b6a","n":[1,-2.5e3]}"#,
                ),
            }
        }
        out.push(']');
    }

    fn annotations(rng: &mut Rng, out: &mut String) {
        object(
            rng,
            out,
            &[
                ("objects", values),
                ("classifications", values),
                ("relationships", values),
            ],
        );
    }

    fn label_details(rng: &mut Rng, out: &mut String) {
        object(
            rng,
            out,
            &[
                ("created_at", text),
                ("updated_at", text),
                ("created_by", text),
                ("content_last_updated_at", text),
                ("reviews", values),
            ],
        );
    }

    fn label(rng: &mut Rng, out: &mut String) {
        object(
            rng,
            out,
            &[
                ("id", text),
                ("annotations", annotations),
                ("label_details", label_details),
            ],
        );
    }

    fn labels(rng: &mut Rng, out: &mut String) {
        if rng.below(30) == 0 {
            return value(rng, out, 5);
        }
        out.push('[');
        for n in 0..rng.below(3) {
            if n > 0 {
                out.push(',');
            }
            label(rng, out);
        }
        out.push(']');
    }

    fn project_details(rng: &mut Rng, out: &mut String) {
        object(
            rng,
            out,
            &[
                ("ontology_id", text),
                ("task_id", text),
                ("task_name", text),
                ("batch_id", text),
                ("batch_name", text),
                ("workflow_status", text),
                ("priority", int),
                ("consensus_expected_label_count", int),
                ("created_at", text),
                ("workflow_history", values),
            ],
        );
    }

    fn project(rng: &mut Rng, out: &mut String) {
        object(
            rng,
            out,
            &[
                ("name", text),
                ("labels", labels),
                ("project_details", project_details),
            ],
        );
    }

    /// A project export's line: a `data_row` part, then projects (ids repeated now and then).
    fn project_line(rng: &mut Rng) -> String {
        let mut out = String::from(r#"{"data_row":{"id":"r1","global_key":"k"},"projects":"#);
        if rng.below(30) == 0 {
            value(rng, &mut out, 4);
        } else {
            out.push('{');
            for n in 0..rng.below(3) {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(["\"p1\":", "\"p2\":", "\"p\\u0031\":"][rng.below(3)]);
                project(rng, &mut out);
            }
            out.push('}');
        }
        out.push('}');
        out
    }

    #[test]
    fn reads_projects_as_serde_json_does() {
        let mut rng = Rng(0x1405_7B7E_F767_814F);
        let (mut read, mut labeled, mut refused, mut fast) = (0, 0, 0, 0);
        for case in 0..60_000 {
            let mut text = if case % 8 == 0 {
                crate::export::line_cost::PROJECT_LINE.to_owned()
            } else {
                project_line(&mut rng)
            };
            if case % 8 == 0 || rng.below(4) == 0 {
                text = mutate(&mut rng, &text);
            }
            let Some(ours) = same_as_serde_json(case, &text) else {
                refused += 1;
                continue;
            };
            read += 1;
            if ours.projects.values().any(|p| !p.labels.is_empty()) {
                labeled += 1;
            }
            // Read by this reader itself, not handed to serde_json.
            if super::index(text.as_bytes()).is_some() {
                fast += 1;
            }
        }
        assert!(
            read > 10_000 && labeled > 5_000 && refused > 10_000 && fast > read * 9 / 10,
            "{read} read ({labeled} with labels, {fast} by this reader), {refused} refused"
        );
    }

    /// Lines made not UTF-8 anywhere (a key, a string read, a part passed over) are refused
    /// with `std`'s reason, as a row, as a line, and before serde_json sees them; lines kept
    /// UTF-8 (a character that is not ASCII put in) are read as serde_json reads them. The
    /// readers check UTF-8 themselves, and the text they lend is trusted to be.
    #[test]
    fn lines_that_are_not_utf8_are_refused_as_std_refuses_them() {
        let mut rng = Rng(0xA076_1D64_78BD_642F);
        let (mut refused, mut read) = (0, 0);
        for case in 0..30_000 {
            let text = if case % 2 == 0 {
                crate::export::line_cost::PROJECT_LINE.to_owned()
            } else {
                project_line(&mut rng)
            };
            let mut bytes = text.into_bytes();
            for _ in 0..=rng.below(2) {
                let at = rng.below(bytes.len());
                if rng.below(3) == 0 {
                    // A character that is not ASCII: UTF-8 still.
                    bytes.splice(at..at, "é€".bytes().take([2, 5][rng.below(2)]));
                } else {
                    bytes[at] = [0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xF0, 0xFF][rng.below(7)];
                }
            }
            match std::str::from_utf8(&bytes) {
                Err(why) => {
                    refused += 1;
                    let why = why.to_string();
                    let line = ExportedLine::decode_line(&bytes).map(|line| line.to_row());
                    assert_eq!(line.unwrap_err().to_string(), why, "case {case}");
                    assert_eq!(decode(&bytes).unwrap_err().to_string(), why, "case {case}");
                    assert!(super::index(&bytes).is_none(), "case {case}");
                }
                Ok(text) => {
                    read += usize::from(same_as_serde_json(case, text).is_some());
                }
            }
        }
        assert!(
            refused > 10_000 && read > 1_000,
            "{refused} refused, {read} read"
        );
    }

    /// The lines of the emulator's exports are read whole, never handed to serde_json.
    #[test]
    fn export_lines_take_the_fast_path() {
        for line in [EXPORT_LINE, crate::export::line_cost::PROJECT_LINE] {
            let index = super::index(line.as_bytes()).expect(line);
            let parts = crate::export::line_row::Parts::new(line, &index.extra, &index.spans);
            assert_eq!(parts.to_row(), serde_json::from_str(line).ok(), "{line}");
        }
        let row = decode(crate::export::line_cost::PROJECT_LINE.as_bytes()).unwrap();
        let label = &row.projects["c00b5s9q8rc0000000000proj"].labels[0];
        let weather: serde_json::Value = label.annotations.classifications[0].decode().unwrap();
        assert_eq!(weather["answer"]["name"], "sunny");
        let details = label.label_details.as_ref().unwrap();
        assert_eq!(details.created_by.as_deref(), Some("emulator@example.com"));
    }

    #[test]
    fn the_export_line_is_read_whole() {
        let row = decode(EXPORT_LINE.as_bytes()).unwrap();
        assert_eq!(row.data_row.id, "c00b5s9q8rc0000000000000a");
        assert_eq!(row.data_row.global_key.as_deref(), Some("bench-large-0"));
        assert_eq!(row.data_row.external_id.as_deref(), Some("large-0.jpg"));
        // Row data that is not a string is its JSON text, as serde_json's path gives it.
        let inline = r#"{"data_row":{"id":"r","row_data":{"b":[1,2],"a":"x"}}}"#;
        assert_eq!(
            decode(inline.as_bytes())
                .unwrap()
                .data_row
                .row_data
                .as_deref(),
            Some(r#"{"a":"x","b":[1,2]}"#)
        );
    }
}
