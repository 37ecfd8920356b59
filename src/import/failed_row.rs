//! [`FailedDataRow`]: a row an import could not create, read from the service's
//! `{message, spec: {...}}` shape field by field into place.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::import::data_row::{AttachmentKind, LenientText};
use crate::transport::Nullable;

/// A metadata field as echoed in a [`FailedDataRow`] (`schema_id`, or the wire's `schemaId`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FailedMetadata {
    /// The metadata schema's id.
    #[serde(default, alias = "schemaId")]
    pub schema_id: Option<String>,
    /// The value sent.
    #[serde(default)]
    pub value: serde_json::Value,
    /// The schema's name, when the service knows it.
    #[serde(default)]
    pub name: Option<String>,
}

/// An attachment as echoed in a [`FailedDataRow`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FailedAttachment {
    /// Its kind.
    #[serde(rename = "type")]
    pub kind: AttachmentKind,
    /// Its value.
    #[serde(default)]
    pub value: Option<String>,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A row an import could not create or update, with the service's reason and the spec it was
/// given. Serialized flat, with snake_case keys (`message`, `external_id`, `global_key`,
/// `row_data`, `metadata`, `attachments`).
///
/// From the service it is decoded straight from the `{message, spec: {...}}` shape: each field
/// is read once into its place, with no intermediate copy of the row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FailedDataRow {
    /// Why the row failed, e.g. `Duplicate global key: 'k1'`.
    pub message: String,
    /// The spec's external id.
    #[serde(default)]
    pub external_id: Option<String>,
    /// The spec's global key.
    #[serde(default)]
    pub global_key: Option<String>,
    /// The spec's row data (URL or JSON text).
    #[serde(default)]
    pub row_data: Option<String>,
    /// The spec's metadata fields.
    #[serde(default)]
    pub metadata: Vec<FailedMetadata>,
    /// The spec's attachments.
    #[serde(default)]
    pub attachments: Vec<FailedAttachment>,
}

/// The keys of a failed row (`results[]`).
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum FailureKey {
    Message,
    Spec,
    #[serde(other)]
    Other,
}

/// The keys of a failed row's `spec`.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum SpecKey {
    ExternalId,
    GlobalKey,
    RowData,
    Metadata,
    Attachments,
    #[serde(other)]
    Other,
}

/// A [`FailedDataRow`] in the service's `{message, spec: {...}}` shape (`failedDataRowImports`
/// results); the public type's own serde form is the flat one users store.
pub struct WireFailedRow(FailedDataRow);

impl From<WireFailedRow> for FailedDataRow {
    fn from(wire: WireFailedRow) -> Self {
        wire.0
    }
}

impl<'de> Deserialize<'de> for WireFailedRow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct RowVisitor;

        impl<'de> Visitor<'de> for RowVisitor {
            type Value = FailedDataRow;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a failed data row import {message, spec}")
            }

            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<FailedDataRow, A::Error> {
                let mut row = FailedDataRow::default();
                while let Some(key) = map.next_key()? {
                    match key {
                        FailureKey::Message => {
                            row.message = map.next_value::<Option<String>>()?.unwrap_or_default()
                        }
                        FailureKey::Spec => {
                            map.next_value_seed(Nullable(SpecInto(&mut row)))?;
                        }
                        FailureKey::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(row)
            }
        }

        d.deserialize_map(RowVisitor).map(WireFailedRow)
    }
}

/// Reads a `spec` object into the fields of the row being decoded.
struct SpecInto<'a>(&'a mut FailedDataRow);

impl<'de> DeserializeSeed<'de> for SpecInto<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SpecInto<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a data row spec")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let row = self.0;
        while let Some(key) = map.next_key()? {
            match key {
                SpecKey::ExternalId => row.external_id = map.next_value()?,
                SpecKey::GlobalKey => row.global_key = map.next_value()?,
                SpecKey::RowData => {
                    row.row_data = map.next_value::<LenientText>()?.0.map(Cow::into_owned)
                }
                SpecKey::Metadata => {
                    row.metadata = map.next_value::<Option<_>>()?.unwrap_or_default()
                }
                SpecKey::Attachments => {
                    row.attachments = map.next_value::<Option<_>>()?.unwrap_or_default()
                }
                SpecKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_the_wire_shape_into_place() {
        let wire: WireFailedRow = serde_json::from_value(json!(
            {"message": "Duplicate global key: 'k'", "spec": {
                "externalId": "e", "globalKey": "k", "rowData": "https://a",
                "metadata": [{"schemaId": "s", "value": "v", "name": null}],
                "attachments": [{"type": "RAW_TEXT", "value": "t", "name": "n"}]}}
        ))
        .unwrap();
        assert_eq!(
            FailedDataRow::from(wire),
            FailedDataRow {
                message: "Duplicate global key: 'k'".into(),
                external_id: Some("e".into()),
                global_key: Some("k".into()),
                row_data: Some("https://a".into()),
                metadata: vec![FailedMetadata {
                    schema_id: Some("s".into()),
                    value: json!("v"),
                    name: None
                }],
                attachments: vec![FailedAttachment {
                    kind: AttachmentKind::RawText,
                    value: Some("t".into()),
                    name: Some("n".into())
                }],
            }
        );
    }

    #[test]
    fn failed_rows_with_a_null_or_missing_spec_and_unknown_keys_decode() {
        let wire: Vec<WireFailedRow> = serde_json::from_value(json!([
            {"message": "Unable to read manifest file", "spec": null},
            {"message": null, "extra": [1, {"x": 2}]},
            {"spec": {"globalKey": "k", "rowData": {"text": "hi"}, "metadata": null, "more": 1}},
        ]))
        .unwrap();
        let rows: Vec<FailedDataRow> = wire.into_iter().map(Into::into).collect();
        assert_eq!(rows[0].message, "Unable to read manifest file");
        assert_eq!(rows[0].global_key, None);
        assert_eq!(rows[1], FailedDataRow::default());
        assert_eq!(rows[2].global_key.as_deref(), Some("k"));
        assert_eq!(rows[2].row_data.as_deref(), Some("{\"text\":\"hi\"}"));
        assert!(rows[2].metadata.is_empty());
        assert!(serde_json::from_value::<WireFailedRow>(json!("text")).is_err());
    }
}
