//! [`CreatedDataRow`]: a row an import created, its four texts kept in one allocation.
//!
//! Reading an import's results is mostly making rows: with a `String` per text, a row cost four
//! allocations and four frees, a fifth of the CPU of streaming 150,000 results. The texts are
//! read borrowed from the answer where they can be (strings without escapes) and copied once,
//! back to back, into the row's single buffer (as `url::Url` keeps one serialization and
//! offsets into it).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::import::data_row::LenientText;

/// A data row an import created or updated: its id, and the external id, global key and row
/// data it was given.
///
/// Serialized with the official SDK's keys (`id`, `external_id`, `global_key`, `row_data`,
/// absent ones as `null`); read from those or the wire's camelCase (`externalId`, `globalKey`,
/// `rowData`), so a stored row reads back equal.
///
/// ```
/// # fn main() -> Result<(), serde_json::Error> {
/// let row: labelbox::CreatedDataRow = serde_json::from_str(
///     r#"{"id": "dr1", "globalKey": "img-1", "rowData": "https://x/1.jpg"}"#,
/// )?;
/// assert_eq!(row.id(), "dr1");
/// assert_eq!(row.global_key(), Some("img-1"));
/// assert_eq!(row.external_id(), None);
/// assert_eq!(
///     serde_json::to_string(&row)?,
///     r#"{"id":"dr1","external_id":null,"global_key":"img-1","row_data":"https://x/1.jpg"}"#
/// );
/// # Ok(()) }
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CreatedDataRow {
    /// The id, external id, global key and row data, back to back.
    text: Box<str>,
    /// Where the external id, the global key and the row data start in `text`.
    starts: [u32; 3],
    /// Which of the optional texts were given: bit 0 the external id, 1 the global key, 2 the
    /// row data (an absent text is empty in `text`, a present one may be empty too).
    present: u8,
}

/// The optional texts of a row, by their place in `starts` and `present`.
#[derive(Clone, Copy)]
enum Optional {
    ExternalId = 0,
    GlobalKey = 1,
    RowData = 2,
}

impl CreatedDataRow {
    /// The data row's id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.text[..self.starts[0] as usize]
    }

    /// Its external id, if it was given one.
    #[must_use]
    pub fn external_id(&self) -> Option<&str> {
        self.optional(Optional::ExternalId)
    }

    /// Its global key, if it was given one.
    #[must_use]
    pub fn global_key(&self) -> Option<&str> {
        self.optional(Optional::GlobalKey)
    }

    /// Its row data: the URL, or the JSON text of an inline JSON asset.
    #[must_use]
    pub fn row_data(&self) -> Option<&str> {
        self.optional(Optional::RowData)
    }

    fn optional(&self, which: Optional) -> Option<&str> {
        let i = which as usize;
        if self.present & (1 << i) == 0 {
            return None;
        }
        let start = self.starts[i] as usize;
        let end = self
            .starts
            .get(i + 1)
            .map_or(self.text.len(), |&e| e as usize);
        Some(&self.text[start..end])
    }

    /// A row of these texts, copied into one allocation; `None` when the row data would start
    /// past 4 GiB.
    fn from_parts(id: &str, optional: [Option<&str>; 3]) -> Option<Self> {
        let len = id.len() + optional.iter().flatten().map(|s| s.len()).sum::<usize>();
        let mut text = String::with_capacity(len);
        let (mut starts, mut present) = ([0u32; 3], 0u8);
        text.push_str(id);
        for (i, part) in optional.iter().enumerate() {
            starts[i] = u32::try_from(text.len()).ok()?;
            if let Some(part) = part {
                text.push_str(part);
                present |= 1 << i;
            }
        }
        Some(CreatedDataRow {
            text: text.into_boxed_str(),
            starts,
            present,
        })
    }
}

impl fmt::Debug for CreatedDataRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedDataRow")
            .field("id", &self.id())
            .field("external_id", &self.external_id())
            .field("global_key", &self.global_key())
            .field("row_data", &self.row_data())
            .finish()
    }
}

impl Serialize for CreatedDataRow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("id", self.id())?;
        map.serialize_entry("external_id", &self.external_id())?;
        map.serialize_entry("global_key", &self.global_key())?;
        map.serialize_entry("row_data", &self.row_data())?;
        map.end()
    }
}

/// The keys of a created row, in the official SDK's spelling or the wire's.
#[derive(Deserialize)]
#[serde(field_identifier)]
enum RowKey {
    #[serde(rename = "id")]
    Id,
    #[serde(rename = "external_id", alias = "externalId")]
    ExternalId,
    #[serde(rename = "global_key", alias = "globalKey")]
    GlobalKey,
    #[serde(rename = "row_data", alias = "rowData")]
    RowData,
    #[serde(other)]
    Other,
}

impl<'de> Deserialize<'de> for CreatedDataRow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RowVisitor)
    }
}

struct RowVisitor;

impl<'de> Visitor<'de> for RowVisitor {
    type Value = CreatedDataRow;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a created data row {id, externalId, globalKey, rowData}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CreatedDataRow, A::Error> {
        let mut id: Option<Cow<'de, str>> = None;
        let (mut external_id, mut global_key, mut row_data) = (None, None, None);
        while let Some(key) = map.next_key()? {
            match key {
                RowKey::Id => id = Some(map.next_value::<Text<'de>>()?.0),
                RowKey::ExternalId => external_id = map.next_value::<Option<Text<'de>>>()?,
                RowKey::GlobalKey => global_key = map.next_value::<Option<Text<'de>>>()?,
                RowKey::RowData => row_data = map.next_value::<LenientText<'de>>()?.0,
                RowKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let id = id.ok_or_else(|| de::Error::missing_field("id"))?;
        CreatedDataRow::from_parts(
            &id,
            [
                external_id.as_ref().map(|t| &*t.0),
                global_key.as_ref().map(|t| &*t.0),
                row_data.as_deref(),
            ],
        )
        .ok_or_else(|| de::Error::custom("a created data row's texts exceed 4 GiB"))
    }
}

/// A string, borrowed from the input when it has no escapes.
struct Text<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Owned(v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(value: serde_json::Value) -> CreatedDataRow {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn each_text_reads_back_and_absent_differs_from_empty() {
        let full = row(json!({"id": "dr1", "externalId": "e", "globalKey": "g", "rowData": "r"}));
        assert_eq!(
            (
                full.id(),
                full.external_id(),
                full.global_key(),
                full.row_data()
            ),
            ("dr1", Some("e"), Some("g"), Some("r"))
        );
        let sparse = row(json!({"id": "dr2", "externalId": null, "global_key": ""}));
        assert_eq!(
            (
                sparse.id(),
                sparse.external_id(),
                sparse.global_key(),
                sparse.row_data()
            ),
            ("dr2", None, Some(""), None)
        );
        assert_ne!(sparse, row(json!({"id": "dr2", "global_key": null})));
        assert_ne!(
            row(json!({"id": "ab", "externalId": "c"})),
            row(json!({"id": "a", "externalId": "bc"}))
        );
    }

    #[test]
    fn escaped_and_borrowed_texts_decode_alike_from_bytes() {
        let bytes = br#"{"id":"dr\u0031","globalKey":"k\"1","rowData":{"text":"hi"},"extra":[1]}"#;
        let decoded: CreatedDataRow = serde_json::from_slice(bytes).unwrap();
        assert_eq!(decoded.id(), "dr1");
        assert_eq!(decoded.global_key(), Some("k\"1"));
        assert_eq!(decoded.row_data(), Some(r#"{"text":"hi"}"#));
    }

    #[test]
    fn a_row_without_id_or_with_a_wrong_type_is_refused() {
        let missing = serde_json::from_value::<CreatedDataRow>(json!({"globalKey": "g"}));
        assert!(missing
            .unwrap_err()
            .to_string()
            .contains("missing field `id`"));
        let number = serde_json::from_value::<CreatedDataRow>(json!({"id": "a", "globalKey": 5}));
        assert!(number
            .unwrap_err()
            .to_string()
            .contains("expected a string"));
    }

    #[test]
    fn debug_names_every_text() {
        let r = row(json!({"id": "dr1", "globalKey": "g"}));
        assert_eq!(
            format!("{r:?}"),
            r#"CreatedDataRow { id: "dr1", external_id: None, global_key: Some("g"), row_data: None }"#
        );
    }
}
