//! The dict form of import rows: `Serialize`/`Deserialize` for [`DataRowSpec`], [`UpsertItem`],
//! [`UpsertKey`], [`RowData`], [`MediaType`] and [`MetadataField`], with the keys of the official
//! Python SDK's row dicts (`row_data`, `global_key`, `external_id`, `media_type`,
//! `metadata_fields`, `attachments`, and `key` for an upsert).
//!
//! This is the form users keep rows in (NDJSON files, queues), not the wire form of an import
//! (`{"id": ..., "payload": ...}`, built by `data_row::encode_item`). Reading is strict: an
//! unknown key is an error naming the expected ones, and a value of the wrong type names its key,
//! so a bad row is explained, never half-read. `null` reads as absent.
//!
//! ```
//! use labelbox::{UpsertItem, UpsertKey};
//!
//! let item: UpsertItem = serde_json::from_str(
//!     r#"{"row_data": "https://example.com/1.jpg", "global_key": "img-1",
//!         "key": {"type": "GKEY", "value": "img-1"}}"#,
//! )?;
//! assert_eq!(item.key, UpsertKey::GlobalKey("img-1".into()));
//! let again: UpsertItem = serde_json::from_value(serde_json::to_value(&item)?)?;
//! assert_eq!(again, item);
//! # Ok::<_, serde_json::Error>(())
//! ```

use std::fmt;

use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::import::data_row::{
    Attachment, DataRowSpec, MediaType, MetadataField, RowData, UpsertItem, UpsertKey,
};

/// The keys of an [`UpsertItem`] dict: a [`DataRowSpec`]'s, then `key`.
const ITEM_KEYS: [&str; 7] = [
    "row_data",
    "global_key",
    "external_id",
    "media_type",
    "metadata_fields",
    "attachments",
    "key",
];

impl<'de> Deserialize<'de> for RowData {
    /// A string is a URL, an object an inline JSON asset; anything else is refused.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(url) => Ok(RowData::Url(url)),
            object @ serde_json::Value::Object(_) => Ok(RowData::Json(object)),
            _ => Err(de::Error::custom("expected a URL string or a JSON object")),
        }
    }
}

impl<'de> Deserialize<'de> for MediaType {
    /// The wire name, in any case (`IMAGE`, `image`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        MediaType::ALL
            .into_iter()
            .find(|media| media.as_str().eq_ignore_ascii_case(&name))
            .ok_or_else(|| {
                let names: Vec<&str> = MediaType::ALL.iter().map(|m| m.as_str()).collect();
                de::Error::custom(format!(
                    "unknown media type {name:?} (expected {})",
                    names.join(", ")
                ))
            })
    }
}

/// A metadata field in dict form: `{"schema_id", "value"}` (`schemaId` is read too).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MetadataDict {
    #[serde(alias = "schemaId")]
    schema_id: String,
    value: serde_json::Value,
}

impl Serialize for MetadataField {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_struct("MetadataField", 2)?;
        map.serialize_field("schema_id", &self.schema_id)?;
        map.serialize_field("value", &self.value)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for MetadataField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let dict = MetadataDict::deserialize(deserializer)?;
        Ok(MetadataField {
            schema_id: dict.schema_id,
            value: dict.value,
        })
    }
}

/// An attachment in dict form: `{"type", "value", "name"}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentDict {
    #[serde(rename = "type")]
    kind: crate::AttachmentKind,
    value: String,
    #[serde(default)]
    name: Option<String>,
}

impl<'de> Deserialize<'de> for Attachment {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let dict = AttachmentDict::deserialize(deserializer)?;
        Ok(Attachment {
            kind: dict.kind,
            value: dict.value,
            name: dict.name,
        })
    }
}

/// A key in dict form: `{"type": "AUTO" | "GKEY" | "ID", "value": "..."}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyDict {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    value: String,
}

impl Serialize for UpsertKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_struct("UpsertKey", 2)?;
        map.serialize_field("type", self.wire_type())?;
        map.serialize_field("value", self.wire_value())?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for UpsertKey {
    /// `GKEY` and `ID` name a row to update, `AUTO` creates one; the type in any case.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let dict = KeyDict::deserialize(deserializer)?;
        match dict.kind.to_ascii_uppercase().as_str() {
            "AUTO" => Ok(UpsertKey::Create),
            "GKEY" => Ok(UpsertKey::GlobalKey(dict.value)),
            "ID" => Ok(UpsertKey::DataRowId(dict.value)),
            _ => Err(de::Error::custom(format!(
                "unknown key type {:?} (expected GKEY, ID or AUTO)",
                dict.kind
            ))),
        }
    }
}

/// Writes the set fields of a spec into a map being serialized.
fn serialize_spec_fields<M: SerializeMap>(spec: &DataRowSpec, map: &mut M) -> Result<(), M::Error> {
    if let Some(row_data) = &spec.row_data {
        map.serialize_entry("row_data", row_data)?;
    }
    if let Some(global_key) = &spec.global_key {
        map.serialize_entry("global_key", global_key)?;
    }
    if let Some(external_id) = &spec.external_id {
        map.serialize_entry("external_id", external_id)?;
    }
    if let Some(media_type) = &spec.media_type {
        map.serialize_entry("media_type", media_type)?;
    }
    if !spec.metadata.is_empty() {
        map.serialize_entry("metadata_fields", &spec.metadata)?;
    }
    if !spec.attachments.is_empty() {
        map.serialize_entry("attachments", &spec.attachments)?;
    }
    Ok(())
}

impl Serialize for DataRowSpec {
    /// The fields that are set, under the official SDK's dict keys.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        serialize_spec_fields(self, &mut map)?;
        map.end()
    }
}

impl Serialize for UpsertItem {
    /// The spec's fields, and `key` unless the item creates a row.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        serialize_spec_fields(&self.spec, &mut map)?;
        if self.key != UpsertKey::Create {
            map.serialize_entry("key", &self.key)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for DataRowSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let item = deserializer.deserialize_map(RowVisitor { with_key: false })?;
        Ok(item.spec)
    }
}

impl<'de> Deserialize<'de> for UpsertItem {
    /// A spec's keys, and an optional `key` (absent: the item creates a row).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RowVisitor { with_key: true })
    }
}

/// Reads a row dict key by key, so that an error names the key it is about.
struct RowVisitor {
    /// Whether `key` is allowed (an [`UpsertItem`]) or not (a [`DataRowSpec`]).
    with_key: bool,
}

impl RowVisitor {
    fn keys(&self) -> &'static [&'static str] {
        let spec_keys = ITEM_KEYS.len() - 1;
        if self.with_key {
            &ITEM_KEYS
        } else {
            &ITEM_KEYS[..spec_keys]
        }
    }
}

/// The value of `key`, `null` as `None`, an error prefixed with the key.
fn value<'de, A: MapAccess<'de>, T: DeserializeOwned>(
    map: &mut A,
    key: &str,
) -> Result<Option<T>, A::Error> {
    let value: serde_json::Value = map.next_value()?;
    if value.is_null() {
        return Ok(None);
    }
    serde_json::from_value(value).map_err(|e| de::Error::custom(format!("`{key}`: {e}")))
}

impl<'de> Visitor<'de> for RowVisitor {
    type Value = UpsertItem;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a data row object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UpsertItem, A::Error> {
        let mut item = UpsertItem::create(DataRowSpec::update());
        let spec = &mut item.spec;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "row_data" => spec.row_data = value(&mut map, &key)?,
                "global_key" => spec.global_key = value(&mut map, &key)?,
                "external_id" => spec.external_id = value(&mut map, &key)?,
                "media_type" => spec.media_type = value(&mut map, &key)?,
                "metadata_fields" => spec.metadata = value(&mut map, &key)?.unwrap_or_default(),
                "attachments" => spec.attachments = value(&mut map, &key)?.unwrap_or_default(),
                "key" if self.with_key => {
                    item.key = value(&mut map, &key)?.unwrap_or(UpsertKey::Create)
                }
                _ => {
                    return Err(de::Error::custom(format!(
                        "unknown key `{key}` (expected {})",
                        self.keys().join(", ")
                    )))
                }
            }
        }
        Ok(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(value: serde_json::Value) -> Result<UpsertItem, String> {
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    #[test]
    fn errors_name_the_key_at_fault() {
        for (row, needle) in [
            (json!({"row_data": 5}), "`row_data`: expected a URL string"),
            (json!({"globalkey": "g"}), "unknown key `globalkey`"),
            (json!({"media_type": "HOLOGRAM"}), "unknown media type"),
            (json!({"attachments": {}}), "`attachments`"),
            (json!({"key": "g1"}), "`key`"),
            (
                json!({"key": {"type": "NAME", "value": "x"}}),
                "unknown key type",
            ),
            (json!({"metadata_fields": [{"value": 1}]}), "schema_id"),
        ] {
            let message = item(row.clone()).unwrap_err();
            assert!(message.contains(needle), "{row}: {message}");
        }
    }

    #[test]
    fn a_spec_refuses_an_upsert_key() {
        let err =
            serde_json::from_value::<DataRowSpec>(json!({"key": {"type": "ID", "value": "x"}}));
        assert!(err.unwrap_err().to_string().contains("unknown key `key`"));
    }

    #[test]
    fn nulls_read_as_absent_and_types_in_any_case() {
        let read = item(json!({"row_data": "https://a", "global_key": null,
                               "media_type": "image", "key": {"type": "auto"}}))
        .unwrap();
        assert_eq!(read.spec.global_key, None);
        assert_eq!(read.spec.media_type, Some(MediaType::Image));
        assert_eq!(read.key, UpsertKey::Create);
    }
}
