//! [`ExportedRow`]s read straight from a line's bytes: the `data_row` part's four texts copied
//! once each, the `projects` part (when present) read field by field in its known shape (its
//! annotations kept as their checked text, reviews built by `export/value_row`), every other
//! part checked by `export/json_check` and skipped. The answer is serde_json's own: whatever
//! this reader does not take whole (a syntax error, a missing or repeated field, a field of
//! another type, row data that is not a string, nesting past the check's bound) is parsed
//! again by `serde_json::from_str::<ExportedRow>`, whose row or error is final.
//!
//! What a row costs, and what was tried (callgrind, `src/export/line_cost.rs`, the 778-byte
//! project line with one label; 10,370 instructions a line here, the raw-line check 2,803):
//! - Reading the shape by the places of the tokens the raw-line check's fast path finds
//!   (AVX2 bitmasks), instead of byte by byte: 12,431. The check with its token places costs
//!   what this cursor's scan does (about 4,000); building the row is the same either way.
//! - This same walk building no `String`, `Vec` or map, only the line copied once and a
//!   `Vec<u32>` of the places of its texts (two allocations a row, the layout a row read
//!   through accessors would need): 6,177. The 15 allocations of a row of owned fields, their
//!   frees and the moves around them are the difference; the walk itself (keys matched,
//!   values passed over and checked, 14 strings scanned, `std`'s UTF-8 check) is the rest.

use std::borrow::Cow;

use serde_json::Value;

use crate::export::json_check::{number, skip_ws, string, to_special, value_end};
use crate::export::project_row::{
    ExportedAnnotation, ExportedAnnotations, ExportedLabel, ExportedLabelDetails, ExportedProject,
    ExportedProjectDetails, ExportedProjects,
};
use crate::export::stream::{self, ExportedDataRow, ExportedRow, Undecodable};
use crate::export::value_row;

/// The line `bytes` as serde_json decodes it into an [`ExportedRow`], or why it does not
/// decode (not UTF-8, or serde_json's error).
pub(crate) fn decode(bytes: &[u8]) -> Result<ExportedRow, Undecodable> {
    let text = stream::utf8(bytes)?;
    match (Cursor { text, at: 0 }).row() {
        Some(row) => Ok(row),
        None => Ok(serde_json::from_str(text)?),
    }
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

/// A field of `data_row` as read: absent, `null`, or a string.
type Field = Option<Option<String>>;

impl<'a> Cursor<'a> {
    fn ws(&mut self) -> Option<u8> {
        self.at = skip_ws(self.text.as_bytes(), self.at);
        self.text.as_bytes().get(self.at).copied()
    }

    /// Consumes `byte` after whitespace.
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.ws()? == byte).then(|| self.at += 1)
    }

    /// The whole line: one object holding `data_row` once (and `projects` at most once),
    /// whitespace around it.
    fn row(&mut self) -> Option<ExportedRow> {
        let mut data_row = None;
        let mut projects = None;
        self.object(|cursor, key| match &*key {
            "data_row" if data_row.is_none() => {
                data_row = Some(cursor.data_row()?);
                Some(())
            }
            "projects" if projects.is_none() => {
                projects = Some(cursor.projects()?);
                Some(())
            }
            "data_row" | "projects" => None,
            _ => cursor.skip(),
        })?;
        self.ws();
        (self.at == self.text.len()).then_some(())?;
        Some(ExportedRow {
            data_row: data_row?,
            projects: projects.unwrap_or_default(),
        })
    }

    /// The `projects` part (labels of project exports): per project id, its fields read in
    /// their known shape, unknown ones checked and skipped. A repeated project id (serde_json
    /// keeps the last) or field, or a field of another shape, is left to serde_json.
    fn projects(&mut self) -> Option<ExportedProjects> {
        let mut projects = ExportedProjects::new();
        self.object(|cursor, id| {
            let project = cursor.project()?;
            projects
                .insert(id.into_owned(), project)
                .is_none()
                .then_some(())
        })?;
        Some(projects)
    }

    fn project(&mut self) -> Option<ExportedProject> {
        let (mut name, mut labels, mut details) = (None, None, None);
        self.object(|cursor, key| match &*key {
            "name" => once(&mut name, cursor.text()?),
            "labels" => once(&mut labels, cursor.array(Self::label)?),
            "project_details" => once(&mut details, cursor.or_null(Self::project_details)?),
            _ => cursor.skip(),
        })?;
        Some(ExportedProject {
            name: name.unwrap_or_default(),
            labels: labels.unwrap_or_default(),
            project_details: details.flatten(),
        })
    }

    fn label(&mut self) -> Option<ExportedLabel> {
        let (mut id, mut annotations, mut details) = (None, None, None);
        self.object(|cursor, key| match &*key {
            "id" => once(&mut id, cursor.text()?),
            "annotations" => once(&mut annotations, cursor.annotations()?),
            "label_details" => once(&mut details, cursor.or_null(Self::label_details)?),
            _ => cursor.skip(),
        })?;
        Some(ExportedLabel {
            id: id.unwrap_or_default(),
            annotations: annotations.unwrap_or_default(),
            label_details: details.flatten(),
        })
    }

    fn annotations(&mut self) -> Option<ExportedAnnotations> {
        let (mut objects, mut classifications, mut relationships) = (None, None, None);
        self.object(|cursor, key| match &*key {
            "objects" => once(&mut objects, cursor.array(Self::annotation)?),
            "classifications" => once(&mut classifications, cursor.array(Self::annotation)?),
            "relationships" => once(&mut relationships, cursor.array(Self::annotation)?),
            _ => cursor.skip(),
        })?;
        Some(ExportedAnnotations {
            objects: objects.unwrap_or_default(),
            classifications: classifications.unwrap_or_default(),
            relationships: relationships.unwrap_or_default(),
        })
    }

    fn label_details(&mut self) -> Option<ExportedLabelDetails> {
        let (mut created_at, mut updated_at, mut created_by, mut content_last_updated_at) =
            (None, None, None, None);
        let mut reviews = None;
        self.object(|cursor, key| match &*key {
            "created_at" => once(&mut created_at, cursor.text_or_null()?),
            "updated_at" => once(&mut updated_at, cursor.text_or_null()?),
            "created_by" => once(&mut created_by, cursor.text_or_null()?),
            "content_last_updated_at" => once(&mut content_last_updated_at, cursor.text_or_null()?),
            "reviews" => once(&mut reviews, cursor.array(Self::json)?),
            _ => cursor.skip(),
        })?;
        Some(ExportedLabelDetails {
            created_at: created_at.flatten(),
            updated_at: updated_at.flatten(),
            created_by: created_by.flatten(),
            content_last_updated_at: content_last_updated_at.flatten(),
            reviews: reviews.unwrap_or_default(),
        })
    }

    fn project_details(&mut self) -> Option<ExportedProjectDetails> {
        let mut texts: [Field; 7] = Default::default();
        let (mut priority, mut consensus) = (None, None);
        self.object(|cursor, key| {
            let slot = match &*key {
                "ontology_id" => 0,
                "task_id" => 1,
                "task_name" => 2,
                "batch_id" => 3,
                "batch_name" => 4,
                "workflow_status" => 5,
                "created_at" => 6,
                "priority" => return once(&mut priority, cursor.int_or_null()?),
                "consensus_expected_label_count" => {
                    return once(&mut consensus, cursor.int_or_null()?)
                }
                _ => return cursor.skip(),
            };
            once(&mut texts[slot], cursor.text_or_null()?)
        })?;
        let [ontology_id, task_id, task_name, batch_id, batch_name, workflow_status, created_at] =
            texts.map(Option::flatten);
        Some(ExportedProjectDetails {
            ontology_id,
            task_id,
            task_name,
            batch_id,
            batch_name,
            workflow_status,
            priority: priority.flatten(),
            consensus_expected_label_count: consensus.flatten(),
            created_at,
        })
    }

    /// An array at the cursor, each item read by `item`.
    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.eat(b'[')?;
        let mut items = Vec::new();
        if self.ws()? == b']' {
            self.at += 1;
            return Some(items);
        }
        loop {
            self.ws()?;
            items.push(item(self)?);
            match self.ws()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(items);
                }
                _ => return None,
            }
        }
    }

    /// `null`, or what `read` reads.
    fn or_null<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.null() {
            return Some(None);
        }
        read(self).map(Some)
    }

    /// Consumes a `null` at the cursor, if one is there.
    fn null(&mut self) -> bool {
        let found = self.text.as_bytes()[self.at..].starts_with(b"null");
        if found {
            self.at += 4;
        }
        found
    }

    /// Any JSON value, as serde_json builds it (by `export/value_row`).
    fn json(&mut self) -> Option<Value> {
        let (value, end) = value_row::value_at(self.text, self.at)?;
        self.at = end;
        Some(value)
    }

    /// One annotation: any JSON value, checked and its text copied.
    fn annotation(&mut self) -> Option<ExportedAnnotation> {
        let start = self.at;
        self.skip()?;
        Some(ExportedAnnotation::from_checked(&self.text[start..self.at]))
    }

    /// A string (copied); anything else is left to serde_json.
    fn text(&mut self) -> Option<String> {
        match self.text.as_bytes().get(self.at)? {
            b'"' => self.string(),
            _ => None,
        }
    }

    /// An `i64` (read by serde_json from the number's text) or `null`; anything else is left
    /// to serde_json.
    fn int_or_null(&mut self) -> Option<Option<i64>> {
        if self.null() {
            return Some(None);
        }
        let end = number(self.text.as_bytes(), self.at).ok()?;
        let read = serde_json::from_str(&self.text[self.at..end]).ok()?;
        self.at = end;
        Some(Some(read))
    }

    fn data_row(&mut self) -> Option<ExportedDataRow> {
        let (mut id, mut global_key, mut row_data, mut external_id): (Field, Field, Field, Field) =
            (None, None, None, None);
        self.object(|cursor, key| {
            let slot = match &*key {
                "id" => &mut id,
                "global_key" => &mut global_key,
                "row_data" => &mut row_data,
                "external_id" => &mut external_id,
                _ => return cursor.skip(),
            };
            if slot.is_some() {
                return None;
            }
            *slot = Some(cursor.text_or_null()?);
            Some(())
        })?;
        Some(ExportedDataRow {
            id: id??,
            global_key: global_key.flatten(),
            row_data: row_data.flatten(),
            external_id: external_id.flatten(),
        })
    }

    /// An object at the cursor: `field` called with the cursor on each key's value.
    fn object(
        &mut self,
        mut field: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'{')?;
        if self.ws()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            if self.ws()? != b'"' {
                return None;
            }
            let key = self.key()?;
            self.eat(b':')?;
            self.ws()?;
            field(self, key)?;
            match self.ws()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A value checked and passed over.
    fn skip(&mut self) -> Option<()> {
        self.at = value_end(self.text.as_bytes(), self.at).ok()?;
        Some(())
    }

    /// A string (copied) or `null`; anything else is left to serde_json.
    fn text_or_null(&mut self) -> Option<Option<String>> {
        match self.text.as_bytes().get(self.at)? {
            b'"' => self.string().map(Some),
            b'n' if self.text[self.at..].starts_with("null") => {
                self.at += 4;
                Some(None)
            }
            _ => None,
        }
    }

    /// The key at the cursor (its opening quote): borrowed when it has no escape (what the
    /// service writes), else read by serde_json.
    #[inline(always)]
    fn key(&mut self) -> Option<Cow<'a, str>> {
        match self.plain() {
            Some(key) => Some(Cow::Borrowed(key)),
            None => self.escaped().map(Cow::Owned),
        }
    }

    /// The string at the cursor (its opening quote), copied once when it has no escape, else
    /// read by serde_json.
    fn string(&mut self) -> Option<String> {
        match self.plain() {
            Some(text) => Some(text.to_owned()),
            None => self.escaped(),
        }
    }

    /// The string at the cursor (its opening quote), borrowed, if it holds no escape (nor
    /// control character): then the cursor moves past it.
    #[inline(always)]
    fn plain(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let start = self.at + 1;
        let end = to_special(bytes, start);
        (bytes.get(end) == Some(&b'"')).then(|| {
            self.at = end + 1;
            &self.text[start..end]
        })
    }

    /// The string at the cursor (its opening quote), escapes and all, read by serde_json.
    fn escaped(&mut self) -> Option<String> {
        let end = string(self.text.as_bytes(), self.at + 1).ok()?;
        let quoted = &self.text[self.at..end];
        self.at = end;
        serde_json::from_str(quoted).ok()
    }
}

/// Fills `slot` with `read`, unless it was filled before (a repeated field, which serde_json
/// refuses: left to it).
fn once<T>(slot: &mut Option<T>, read: T) -> Option<()> {
    slot.is_none().then(|| *slot = Some(read))
}

#[cfg(test)]
mod tests {
    use super::decode;
    use crate::export::json_check::tests::{case_line_with, mutate, value, Rng, EXPORT_LINE};
    use crate::ExportedRow;

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

    /// Decodes `text` with this reader and with serde_json and asserts they agree: the same
    /// row (answered) or the same error (`None`).
    fn same_as_serde_json(case: usize, text: &str) -> Option<ExportedRow> {
        match (
            decode(text.as_bytes()),
            serde_json::from_str::<ExportedRow>(text),
        ) {
            (Ok(ours), Ok(theirs)) => {
                assert_eq!(ours, theirs, "case {case}: {text:?}");
                Some(ours)
            }
            (Err(ours), Err(theirs)) => {
                assert_eq!(
                    ours.to_string(),
                    theirs.to_string(),
                    "case {case}: {text:?}"
                );
                None
            }
            (ours, theirs) => {
                panic!("case {case}: {text:?}: {ours:?} but serde_json {theirs:?}")
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
            if (super::Cursor { text: &text, at: 0 }).row().is_some() {
                fast += 1;
            }
        }
        assert!(
            read > 10_000 && labeled > 5_000 && refused > 10_000 && fast > read * 9 / 10,
            "{read} read ({labeled} with labels, {fast} by this reader), {refused} refused"
        );
    }

    /// The lines of the emulator's exports are read whole, never handed to serde_json.
    #[test]
    fn export_lines_take_the_fast_path() {
        for line in [EXPORT_LINE, crate::export::line_cost::PROJECT_LINE] {
            let row = (super::Cursor { text: line, at: 0 }).row();
            assert_eq!(row, serde_json::from_str(line).ok(), "{line}");
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
