//! Data rows' metadata in bulk: upserts and deletes by data row id or global key, each row
//! answered on its own (only failed rows are answered, which is what the official SDK's
//! `bulk_upsert`/`bulk_delete` return as "unsuccessful"), and the metadata export
//! (`dataRowCustomMetadata`). A row stores its fields as `{"schemaId", "value"}` objects, an
//! enum as its own entry plus its chosen option's (as imports store them).

use serde_json::{json, Value};

use crate::metadata::{kind, Found};
use crate::store::{Catalog, DataRow, Store};

/// The error of a delete naming a field the row does not have (Labelbox's
/// `test_delete_non_existent_schema_id` asserts this text).
pub(crate) const SCHEMA_DID_NOT_EXIST: &str = "Schema did not exist";
/// The error of a row that neither its id nor its global key names.
pub(crate) const ROW_NOT_FOUND: &str = "Data row not found";

/// Which row: by id (`ID`) or by global key (`GKEY`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RowRef {
    Id(String),
    GlobalKey(String),
}

impl RowRef {
    fn find<'c>(&self, catalog: &'c Catalog) -> Option<&'c DataRow> {
        let id = match self {
            RowRef::Id(id) => id,
            RowRef::GlobalKey(key) => catalog.global_keys.get(key)?,
        };
        catalog.rows.get(id)
    }
}

/// A field of an upsert: a schema id and its value.
pub(crate) type Field = (String, Value);

/// One row's upsert.
pub(crate) struct Upsert {
    pub(crate) data_row_id: Option<String>,
    pub(crate) global_key: Option<String>,
    pub(crate) fields: Vec<Field>,
}

/// A row the operation could not apply, with the fields at fault.
#[derive(Debug, PartialEq)]
pub(crate) struct RowFailure {
    pub(crate) data_row_id: Option<String>,
    pub(crate) global_key: Option<String>,
    pub(crate) error: String,
    pub(crate) fields: Vec<Field>,
}

/// A row's metadata as exported.
pub(crate) struct Exported {
    pub(crate) data_row_id: String,
    pub(crate) global_key: Option<String>,
    pub(crate) fields: Vec<Value>,
}

/// Applies each row's fields (a field replaces the row's field of the same schema; an enum's
/// option replaces its other options). A row is applied whole or not at all: a missing row or
/// a field whose schema is unknown or whose value does not fit its kind fails it.
pub(crate) fn upsert(store: &Store, rows: Vec<Upsert>) -> Vec<RowFailure> {
    let mut failures = Vec::new();
    for row in rows {
        let reference = match (&row.data_row_id, &row.global_key) {
            (Some(id), _) => RowRef::Id(id.clone()),
            (None, Some(key)) => RowRef::GlobalKey(key.clone()),
            (None, None) => {
                failures.push(failure(&row, "Either dataRowId or globalKey is required"));
                continue;
            }
        };
        let checked: Result<Vec<(Field, Found)>, String> = row
            .fields
            .iter()
            .map(|(id, value)| {
                check_field(store, id, value).map(|f| ((id.clone(), value.clone()), f))
            })
            .collect();
        let checked = match checked {
            Ok(c) => c,
            Err(message) => {
                failures.push(failure(&row, &message));
                continue;
            }
        };
        let mut catalog = store.catalog();
        let Some(id) = reference.find(&catalog).map(|r| r.id.clone()) else {
            drop(catalog);
            failures.push(failure(&row, ROW_NOT_FOUND));
            continue;
        };
        if let Some(stored) = catalog.rows.get_mut(&id) {
            for ((schema_id, value), found) in checked {
                set_field(&mut stored.metadata, schema_id, value, &found);
            }
            stored.updated_at = crate::time::now().max(stored.created_at);
        }
    }
    failures
}

fn failure(row: &Upsert, error: &str) -> RowFailure {
    RowFailure {
        data_row_id: row.data_row_id.clone(),
        global_key: row.global_key.clone(),
        error: error.into(),
        fields: row.fields.clone(),
    }
}

/// The schema of field `id` if `value` fits its kind, else why not.
fn check_field(store: &Store, id: &str, value: &Value) -> Result<Found, String> {
    let found = store
        .metadata
        .lookup(id)
        .ok_or_else(|| format!("Schema not found: {id}"))?;
    let fits = match found.kind.as_str() {
        kind::STRING => value.is_string(),
        kind::NUMBER => value.is_number(),
        kind::DATETIME => value.as_str().and_then(crate::time::parse).is_some(),
        kind::EMBEDDING => value
            .as_array()
            .is_some_and(|v| v.iter().all(Value::is_number)),
        kind::ENUM | kind::OPTION => true,
        _ => false,
    };
    if fits {
        Ok(found)
    } else {
        Err(format!(
            "Invalid value for metadata schema {id} ({})",
            found.kind
        ))
    }
}

/// Puts one field on a row's metadata: replaces the same schema's entry; an option replaces
/// its siblings and brings its enum's entry along.
fn set_field(metadata: &mut Vec<Value>, schema_id: String, value: Value, found: &Found) {
    metadata.retain(|m| schema_of(m) != Some(schema_id.as_str()));
    if let Some(parent) = &found.parent {
        // An enum holds one option: the row's other options of this enum go.
        metadata.retain(|m| !schema_of(m).is_some_and(|s| found.options.iter().any(|o| o == s)));
        let parent = parent.clone();
        if !metadata
            .iter()
            .any(|m| schema_of(m) == Some(parent.as_str()))
        {
            metadata.push(json!({"schemaId": parent, "value": {}}));
        }
    }
    metadata.push(json!({"schemaId": schema_id, "value": value}));
}

fn schema_of(entry: &Value) -> Option<&str> {
    entry.get("schemaId").and_then(Value::as_str)
}

/// Removes, from each row, the fields of the schemas named (an enum's options with it). A
/// schema the row has no field of fails that row with [`SCHEMA_DID_NOT_EXIST`], naming those
/// schemas; the row's other named fields are still removed.
pub(crate) fn delete(store: &Store, deletes: Vec<(RowRef, Vec<String>)>) -> Vec<RowFailure> {
    let mut failures = Vec::new();
    for (reference, schema_ids) in deletes {
        let options: Vec<Vec<String>> = schema_ids
            .iter()
            .map(|id| {
                store
                    .metadata
                    .lookup(id)
                    .map(|f| f.options)
                    .unwrap_or_default()
            })
            .collect();
        let mut catalog = store.catalog();
        let Some(id) = reference.find(&catalog).map(|r| r.id.clone()) else {
            drop(catalog);
            let (id, key) = match reference {
                RowRef::Id(id) => (Some(id), None),
                RowRef::GlobalKey(key) => (None, Some(key)),
            };
            failures.push(RowFailure {
                data_row_id: id,
                global_key: key,
                error: ROW_NOT_FOUND.into(),
                fields: schema_ids.into_iter().map(|s| (s, Value::Null)).collect(),
            });
            continue;
        };
        let Some(row) = catalog.rows.get_mut(&id) else {
            continue;
        };
        let mut missing = Vec::new();
        for (schema_id, options) in schema_ids.into_iter().zip(options) {
            let before = row.metadata.len();
            row.metadata
                .retain(|m| schema_of(m) != Some(schema_id.as_str()));
            if row.metadata.len() == before {
                missing.push((schema_id, Value::Null));
                continue;
            }
            row.metadata
                .retain(|m| !schema_of(m).is_some_and(|s| options.iter().any(|o| o == s)));
        }
        row.updated_at = crate::time::now().max(row.created_at);
        if !missing.is_empty() {
            failures.push(RowFailure {
                data_row_id: Some(id),
                global_key: row.global_key.clone(),
                error: SCHEMA_DID_NOT_EXIST.into(),
                fields: missing,
            });
        }
    }
    failures
}

/// Each named row's metadata, in the order asked; rows that do not exist are left out.
pub(crate) fn export(store: &Store, refs: &[RowRef]) -> Vec<Exported> {
    let catalog = store.catalog();
    refs.iter()
        .filter_map(|r| r.find(&catalog))
        .map(|row| Exported {
            data_row_id: row.id.clone(),
            global_key: row.global_key.clone(),
            fields: row.metadata.clone(),
        })
        .collect()
}

/// Drops the fields of deleted schemas (`ids`: a schema and its options) from every row, so an
/// export never names a schema the ontology no longer has.
pub(crate) fn forget_schemas(store: &Store, ids: &[String]) {
    let mut catalog = store.catalog();
    for row in catalog.rows.values_mut() {
        row.metadata
            .retain(|m| !schema_of(m).is_some_and(|s| ids.iter().any(|i| i == s)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Pace;
    use std::time::Duration;

    const SPLIT: &str = "cko8sbczn0002h2dkdaxb5kal";
    const TRAIN: &str = "cko8sbscr0003h2dk04w86hof";
    const TEST: &str = "cko8scbz70005h2dkastwhgqt";
    const TAG: &str = "cko8s9r5v0001h2dk9elqdidh";
    const CAPTURE: &str = "cko8sdzv70006h2dk8jg64zvb";

    fn store_with_row() -> (Store, String) {
        let store = Store::new(
            "k".into(),
            Pace {
                rows_per_second: 1000,
                min_task_duration: Duration::ZERO,
                cancel_duration: Duration::ZERO,
            },
        );
        let now = crate::time::now();
        let row = DataRow {
            id: "row1".into(),
            dataset_id: "d".into(),
            global_key: Some("gk1".into()),
            external_id: None,
            row_data: Value::Null,
            media_type: None,
            metadata: Vec::new(),
            attachments: Vec::new(),
            created_at: now,
            updated_at: now,
        };
        {
            let mut catalog = store.catalog();
            catalog.global_keys.insert("gk1".into(), "row1".into());
            catalog.rows.insert("row1".into(), row);
        }
        (store, "row1".into())
    }

    fn by_key(fields: Vec<Field>) -> Upsert {
        Upsert {
            data_row_id: None,
            global_key: Some("gk1".into()),
            fields,
        }
    }

    fn stored(store: &Store) -> Vec<Value> {
        export(store, &[RowRef::Id("row1".into())]).remove(0).fields
    }

    #[test]
    fn an_option_replaces_its_siblings_and_a_field_its_old_value() {
        let (store, _) = store_with_row();
        let first = vec![
            (SPLIT.to_string(), json!({})),
            (TRAIN.to_string(), json!({})),
            (TAG.to_string(), json!("a")),
        ];
        assert!(upsert(&store, vec![by_key(first)]).is_empty());
        let second = vec![(TEST.to_string(), json!({})), (TAG.to_string(), json!("b"))];
        assert!(upsert(&store, vec![by_key(second)]).is_empty());
        let all = stored(&store);
        let mut ids: Vec<&str> = all.iter().filter_map(schema_of).collect();
        ids.sort_unstable();
        let mut want = vec![SPLIT, TEST, TAG];
        want.sort_unstable();
        assert_eq!(ids, want);
        assert!(all.contains(&json!({"schemaId": TAG, "value": "b"})));
    }

    #[test]
    fn a_bad_value_or_missing_row_fails_the_row_whole() {
        let (store, _) = store_with_row();
        let bad = by_key(vec![
            (TAG.into(), json!("ok")),
            (CAPTURE.into(), json!("soon")),
        ]);
        let failed = upsert(&store, vec![bad]);
        assert_eq!(failed.len(), 1);
        assert!(failed[0].error.contains(CAPTURE));
        assert!(stored(&store).is_empty());
        let missing = Upsert {
            data_row_id: Some("nope".into()),
            global_key: None,
            fields: vec![(TAG.into(), json!("x"))],
        };
        assert_eq!(upsert(&store, vec![missing])[0].error, ROW_NOT_FOUND);
    }

    #[test]
    fn deleting_an_enum_takes_its_option_and_reports_absent_schemas() {
        let (store, _) = store_with_row();
        let fields = vec![
            (SPLIT.to_string(), json!({})),
            (TRAIN.to_string(), json!({})),
            (TAG.to_string(), json!("a")),
        ];
        upsert(&store, vec![by_key(fields)]);
        let failed = delete(
            &store,
            vec![(
                RowRef::GlobalKey("gk1".into()),
                vec![SPLIT.into(), CAPTURE.into()],
            )],
        );
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].error, SCHEMA_DID_NOT_EXIST);
        assert_eq!(failed[0].fields, vec![(CAPTURE.to_string(), Value::Null)]);
        assert_eq!(stored(&store), vec![json!({"schemaId": TAG, "value": "a"})]);
    }
}
