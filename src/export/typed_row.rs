//! [`ExportedRow`]s read straight from a line's bytes: the `data_row` part's four texts copied
//! once each, the `projects` part (when present) decoded by serde_json from its span, every
//! other part checked by `export/json_check` and skipped. The answer is
//! serde_json's own: whatever this reader does not take whole (a syntax error, a missing or
//! repeated field, a field of another type, row data that is not a string, nesting past the
//! check's bound) is parsed again by `serde_json::from_str::<ExportedRow>`, whose row or error
//! is final.

use std::borrow::Cow;

use crate::export::json_check::{skip_ws, string, to_special, value_end};
use crate::export::project_row::ExportedProjects;
use crate::export::stream::{ExportedDataRow, ExportedRow};

/// `text` as serde_json decodes it into an [`ExportedRow`], or serde_json's error.
pub(crate) fn decode(text: &str) -> serde_json::Result<ExportedRow> {
    match (Cursor { text, at: 0 }).row() {
        Some(row) => Ok(row),
        None => serde_json::from_str(text),
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

    /// The `projects` part (labels of project exports), decoded by serde_json from its own
    /// span of the line: its shape is deep and varied, and it is read when present only.
    fn projects(&mut self) -> Option<ExportedProjects> {
        let start = self.at;
        self.skip()?;
        serde_json::from_str(&self.text[start..self.at]).ok()
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
            let key = self.string()?;
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
            b'"' => Some(Some(self.string()?.into_owned())),
            b'n' if self.text[self.at..].starts_with("null") => {
                self.at += 4;
                Some(None)
            }
            _ => None,
        }
    }

    /// The string at the cursor (its opening quote): borrowed when it has no escape, else
    /// read by serde_json.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let bytes = self.text.as_bytes();
        let start = self.at + 1;
        let end = to_special(bytes, start);
        if bytes.get(end) == Some(&b'"') {
            self.at = end + 1;
            return Some(Cow::Borrowed(&self.text[start..end]));
        }
        let end = string(bytes, start).ok()?;
        let quoted = &self.text[self.at..end];
        self.at = end;
        serde_json::from_str::<String>(quoted).ok().map(Cow::Owned)
    }
}

#[cfg(test)]
mod tests {
    use super::decode;
    use crate::export::json_check::tests::{mutate, value, Rng, EXPORT_LINE};
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

    #[test]
    fn reads_what_serde_json_reads() {
        let mut rng = Rng(0x5DEE_CE66_D1CE_4E5B);
        let (mut read, mut refused) = (0, 0);
        for case in 0..60_000 {
            let mut text = if case % 4 == 0 {
                EXPORT_LINE.to_owned()
            } else {
                line(&mut rng)
            };
            if case % 4 == 0 || rng.below(3) == 0 {
                text = mutate(&mut rng, &text);
            }
            match (decode(&text), serde_json::from_str::<ExportedRow>(&text)) {
                (Ok(ours), Ok(theirs)) => {
                    assert_eq!(ours, theirs, "case {case}: {text:?}");
                    read += 1;
                }
                (Err(ours), Err(theirs)) => {
                    assert_eq!(
                        ours.to_string(),
                        theirs.to_string(),
                        "case {case}: {text:?}"
                    );
                    refused += 1;
                }
                (ours, theirs) => {
                    panic!("case {case}: {text:?}: {ours:?} but serde_json {theirs:?}")
                }
            }
        }
        assert!(
            read > 10_000 && refused > 10_000,
            "{read} read, {refused} refused"
        );
    }

    #[test]
    fn the_export_line_is_read_whole() {
        let row = decode(EXPORT_LINE).unwrap();
        assert_eq!(row.data_row.id, "c00b5s9q8rc0000000000000a");
        assert_eq!(row.data_row.global_key.as_deref(), Some("bench-large-0"));
        assert_eq!(row.data_row.external_id.as_deref(), Some("large-0.jpg"));
        // Row data that is not a string is its JSON text, as serde_json's path gives it.
        let inline = r#"{"data_row":{"id":"r","row_data":{"b":[1,2],"a":"x"}}}"#;
        assert_eq!(
            decode(inline).unwrap().data_row.row_data.as_deref(),
            Some(r#"{"a":"x","b":[1,2]}"#)
        );
    }
}
