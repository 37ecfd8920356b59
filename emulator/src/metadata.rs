//! The organization's data-row metadata ontology: Labelbox's reserved schemas and the
//! custom ones created through `upsertCustomMetadataSchema`, and how a row's stored metadata
//! reads back (`metadataFields`: an enum and its chosen option as one field).

use std::sync::{Mutex, MutexGuard};

use serde_json::{json, Value};

use crate::import::MetadataField;

/// Schema kinds as the service names them.
pub(crate) mod kind {
    pub(crate) const STRING: &str = "CustomMetadataString";
    pub(crate) const NUMBER: &str = "CustomMetadataNumber";
    pub(crate) const DATETIME: &str = "CustomMetadataDateTime";
    pub(crate) const ENUM: &str = "CustomMetadataEnum";
    pub(crate) const OPTION: &str = "CustomMetadataEnumOption";
    pub(crate) const EMBEDDING: &str = "CustomMetadataEmbedding";
}

/// Kinds a custom schema may have.
const CUSTOM_KINDS: [&str; 5] = [
    kind::STRING,
    kind::NUMBER,
    kind::DATETIME,
    kind::ENUM,
    kind::EMBEDDING,
];

/// A schema (or an enum's option, with no options of its own).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Schema {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) reserved: bool,
    pub(crate) options: Vec<Schema>,
}

fn reserved(id: &str, name: &str, kind: &str, options: Vec<Schema>) -> Schema {
    Schema {
        id: id.into(),
        name: name.into(),
        kind: kind.into(),
        reserved: true,
        options,
    }
}

/// Labelbox's reserved schemas. The ids of `tag`, `split`, its option `test` and
/// `captureDateTime` are the service's (Labelbox's integration tests name them).
fn reserved_schemas() -> Vec<Schema> {
    let option = |id: &str, name: &str| reserved(id, name, kind::OPTION, Vec::new());
    vec![
        reserved("cko8s9r5v0001h2dk9elqdidh", "tag", kind::STRING, Vec::new()),
        reserved(
            "cko8sbczn0002h2dkdaxb5kal",
            "split",
            kind::ENUM,
            vec![
                option("cko8sbscr0003h2dk04w86hof", "train"),
                option("cko8sc2yr0004h2dk69aj5x63", "valid"),
                option("cko8scbz70005h2dkastwhgqt", "test"),
            ],
        ),
        reserved(
            "cko8sdzv70006h2dk8jg64zvb",
            "captureDateTime",
            kind::DATETIME,
            Vec::new(),
        ),
    ]
}

/// A schema to create or rename (`UpsertCustomMetadataSchemaInput`).
pub(crate) struct SchemaChange {
    pub(crate) id: Option<String>,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) options: Vec<(Option<String>, String)>,
}

/// The ontology: reserved schemas first, then the custom ones in creation order.
pub(crate) struct Ontology {
    schemas: Mutex<Vec<Schema>>,
}

impl Default for Ontology {
    fn default() -> Self {
        Ontology {
            schemas: Mutex::new(reserved_schemas()),
        }
    }
}

/// A schema id's place in the ontology (see [`Ontology::lookup`]).
pub(crate) struct Found {
    pub(crate) kind: String,
    /// The enum an option belongs to.
    pub(crate) parent: Option<String>,
    /// An enum's options' ids; for an option, its enum's (itself and its siblings).
    pub(crate) options: Vec<String>,
}

/// One field of a row's metadata as `metadataFields` reads it back.
pub(crate) struct ReadField {
    pub(crate) schema_id: String,
    pub(crate) name: Option<String>,
    pub(crate) value: Value,
    pub(crate) kind: Option<String>,
}

impl Ontology {
    fn lock(&self) -> MutexGuard<'_, Vec<Schema>> {
        self.schemas.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every schema, reserved first.
    pub(crate) fn all(&self) -> Vec<Schema> {
        self.lock().clone()
    }

    /// Creates a custom schema (no `id`) or renames one (`id`); `new_id` names new schemas
    /// and options. The refusal's message when the name is taken, the kind unknown, the id
    /// not a custom schema's, or options given to a kind that is not an enum.
    pub(crate) fn upsert(
        &self,
        change: SchemaChange,
        mut new_id: impl FnMut() -> String,
    ) -> Result<Schema, String> {
        let name = change.name.trim().to_string();
        if name.is_empty() {
            return Err("Metadata schema name must not be empty".into());
        }
        if !CUSTOM_KINDS.contains(&change.kind.as_str()) {
            return Err(format!("Invalid metadata schema kind: '{}'", change.kind));
        }
        if !change.options.is_empty() && change.kind != kind::ENUM {
            return Err("Only enum metadata schemas have options".into());
        }
        let mut schemas = self.lock();
        let taken = schemas
            .iter()
            .any(|s| s.name == name && Some(&s.id) != change.id.as_ref());
        if taken {
            return Err(format!("Metadata schema with name '{name}' already exists"));
        }
        let options = change
            .options
            .into_iter()
            .map(|(id, name)| Schema {
                id: id.unwrap_or_else(&mut new_id),
                name,
                kind: kind::OPTION.into(),
                reserved: false,
                options: Vec::new(),
            })
            .collect();
        let schema = Schema {
            id: change.id.clone().unwrap_or_else(&mut new_id),
            name,
            kind: change.kind,
            reserved: false,
            options,
        };
        match change.id {
            None => schemas.push(schema.clone()),
            Some(id) => {
                let slot = schemas
                    .iter_mut()
                    .find(|s| s.id == id && !s.reserved)
                    .ok_or_else(|| format!("Custom metadata schema '{id}' not found"))?;
                *slot = schema.clone();
            }
        }
        Ok(schema)
    }

    /// What schema id `id` is: a schema, or an enum's option (with its enum's id).
    pub(crate) fn lookup(&self, id: &str) -> Option<Found> {
        let schemas = self.lock();
        for schema in schemas.iter() {
            if schema.id == id {
                return Some(Found {
                    kind: schema.kind.clone(),
                    parent: None,
                    options: schema.options.iter().map(|o| o.id.clone()).collect(),
                });
            }
            if let Some(option) = schema.options.iter().find(|o| o.id == id) {
                return Some(Found {
                    kind: option.kind.clone(),
                    parent: Some(schema.id.clone()),
                    options: schema.options.iter().map(|o| o.id.clone()).collect(),
                });
            }
        }
        None
    }

    /// Deletes custom schema `id`; answers it (its options' ids are in it). The refusal's
    /// message for a reserved schema, and `None` for an id that names no schema.
    pub(crate) fn delete(&self, id: &str) -> Option<Result<Schema, String>> {
        let mut schemas = self.lock();
        let at = schemas.iter().position(|s| s.id == id)?;
        if schemas[at].reserved {
            return Some(Err(format!(
                "Reserved metadata schema '{}' cannot be deleted",
                schemas[at].name
            )));
        }
        Some(Ok(schemas.remove(at)))
    }

    /// Metadata as a row stores it (`{"schemaId", "value"}`), from an import's fields: a field
    /// with a schema id is kept as given; a field naming its schema is resolved, and a named
    /// enum's value names its option (stored as the enum and the option, as the official SDK
    /// sends them). The refusal's message for a name that is no schema's or option's.
    pub(crate) fn resolve(&self, fields: &[MetadataField]) -> Result<Vec<Value>, String> {
        let schemas = self.lock();
        let mut out = Vec::new();
        for field in fields {
            let value = field.value.clone().unwrap_or(Value::Null);
            if let Some(id) = &field.schema_id {
                out.push(json!({"schemaId": id, "value": value}));
                continue;
            }
            let name = field.name.as_deref().unwrap_or_default();
            let schema = schemas
                .iter()
                .find(|s| s.name == name)
                .ok_or_else(|| format!("Metadata schema with name '{name}' not found"))?;
            if schema.kind != kind::ENUM {
                out.push(json!({"schemaId": schema.id, "value": value}));
                continue;
            }
            let chosen = value.as_str().unwrap_or_default();
            let option = schema
                .options
                .iter()
                .find(|o| o.name == chosen || o.id == chosen)
                .ok_or_else(|| {
                    format!("Option '{chosen}' not found for metadata schema '{name}'")
                })?;
            out.push(json!({"schemaId": schema.id, "value": {}}));
            out.push(json!({"schemaId": option.id, "value": {}}));
        }
        Ok(out)
    }

    /// A row's stored metadata (`{"schemaId", "value"}` as imported) as `metadataFields`
    /// reads it: an enum with its chosen option is one field whose value is the option's
    /// name; the option's own entry is folded into it.
    pub(crate) fn read_fields(&self, stored: &[Value]) -> Vec<ReadField> {
        let schemas = self.lock();
        let ids: Vec<&str> = stored
            .iter()
            .filter_map(|m| m.get("schemaId").and_then(Value::as_str))
            .collect();
        let mut out = Vec::new();
        for entry in stored {
            let Some(id) = entry.get("schemaId").and_then(Value::as_str) else {
                continue;
            };
            let value = entry.get("value").cloned().unwrap_or(Value::Null);
            let found = schemas.iter().find(|s| s.id == id);
            let is_option = schemas.iter().any(|s| s.options.iter().any(|o| o.id == id));
            match found {
                _ if is_option => {}
                Some(schema) if schema.kind == kind::ENUM => {
                    let chosen = schema.options.iter().find(|o| ids.contains(&o.id.as_str()));
                    out.push(ReadField {
                        schema_id: id.to_string(),
                        name: Some(schema.name.clone()),
                        value: chosen.map_or(Value::Null, |o| Value::String(o.name.clone())),
                        kind: Some(schema.kind.clone()),
                    });
                }
                Some(schema) => out.push(ReadField {
                    schema_id: id.to_string(),
                    name: Some(schema.name.clone()),
                    value,
                    kind: Some(schema.kind.clone()),
                }),
                None => out.push(ReadField {
                    schema_id: id.to_string(),
                    name: None,
                    value,
                    kind: None,
                }),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("id{n}")
        }
    }

    #[test]
    fn custom_schemas_are_created_renamed_and_names_stay_unique() {
        let ontology = Ontology::default();
        let change = |id: Option<&str>, name: &str| SchemaChange {
            id: id.map(String::from),
            name: name.into(),
            kind: kind::STRING.into(),
            options: Vec::new(),
        };
        let created = ontology.upsert(change(None, "custom_text"), counter());
        assert_eq!(created.as_ref().map(|s| s.id.as_str()), Ok("id1"));
        assert!(ontology
            .upsert(change(None, "custom_text"), counter())
            .is_err());
        assert!(ontology.upsert(change(None, "tag"), counter()).is_err());
        let renamed = ontology.upsert(change(Some("id1"), "other"), counter());
        assert_eq!(renamed.map(|s| s.name), Ok("other".to_string()));
        assert_eq!(ontology.all().len(), 4);
    }

    #[test]
    fn named_fields_resolve_to_schema_ids_and_enums_to_their_option() {
        let ontology = Ontology::default();
        let named = |name: &str, value: Value| MetadataField {
            schema_id: None,
            value: Some(value),
            name: Some(name.into()),
        };
        let stored = ontology.resolve(&[named("tag", json!("t")), named("split", json!("train"))]);
        assert_eq!(
            stored,
            Ok(vec![
                json!({"schemaId": "cko8s9r5v0001h2dk9elqdidh", "value": "t"}),
                json!({"schemaId": "cko8sbczn0002h2dkdaxb5kal", "value": {}}),
                json!({"schemaId": "cko8sbscr0003h2dk04w86hof", "value": {}}),
            ])
        );
        assert!(ontology.resolve(&[named("nope", json!(1))]).is_err());
        assert!(ontology.resolve(&[named("split", json!("nope"))]).is_err());
    }

    #[test]
    fn an_enum_and_its_option_read_back_as_one_field() {
        let ontology = Ontology::default();
        let stored = [
            json!({"schemaId": "cko8s9r5v0001h2dk9elqdidh", "value": "a tag"}),
            json!({"schemaId": "cko8sbczn0002h2dkdaxb5kal", "value": {}}),
            json!({"schemaId": "cko8sbscr0003h2dk04w86hof", "value": {}}),
        ];
        let fields = ontology.read_fields(&stored);
        let read: Vec<(Option<String>, Value)> =
            fields.into_iter().map(|f| (f.name, f.value)).collect();
        assert_eq!(
            read,
            vec![
                (Some("tag".into()), json!("a tag")),
                (Some("split".into()), json!("train")),
            ]
        );
    }
}
