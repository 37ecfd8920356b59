//! Data-row metadata schemas: `customMetadataOntology` (reserved and custom schemas, which the
//! official SDK reads before every import with metadata) and `upsertCustomMetadataSchema`.

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};

use super::{coded, store};
use crate::metadata::{kind, Schema, SchemaChange};

/// A schema, or an enum's option.
#[derive(SimpleObject)]
#[graphql(name = "CustomMetadataSchema")]
struct SchemaObject {
    id: ID,
    name: String,
    kind: String,
    reserved: bool,
    options: Vec<SchemaObject>,
}

impl From<Schema> for SchemaObject {
    fn from(s: Schema) -> Self {
        SchemaObject {
            id: ID(s.id),
            name: s.name,
            kind: s.kind,
            reserved: s.reserved,
            options: s.options.into_iter().map(SchemaObject::from).collect(),
        }
    }
}

#[derive(InputObject)]
struct UpsertCustomMetadataSchemaEnumOptionInput {
    id: Option<ID>,
    name: String,
    kind: String,
}

#[derive(InputObject)]
struct UpsertCustomMetadataSchemaInput {
    id: Option<ID>,
    name: String,
    kind: String,
    options: Option<Vec<UpsertCustomMetadataSchemaEnumOptionInput>>,
}

/// The metadata fields of the query root.
#[derive(Default)]
pub(crate) struct MetadataQuery;

#[Object]
impl MetadataQuery {
    /// Every metadata schema of the organization, reserved first.
    async fn custom_metadata_ontology(&self, ctx: &Context<'_>) -> Vec<SchemaObject> {
        let schemas = store(ctx).metadata.all();
        schemas.into_iter().map(SchemaObject::from).collect()
    }
}

/// The metadata fields of the mutation root.
#[derive(Default)]
pub(crate) struct MetadataMutation;

#[Object]
impl MetadataMutation {
    /// Creates a custom schema, or renames one (`id`). A name already used (reserved or
    /// custom) is refused with `MALFORMED_REQUEST`, which the official SDK's tests expect.
    async fn upsert_custom_metadata_schema(
        &self,
        ctx: &Context<'_>,
        data: UpsertCustomMetadataSchemaInput,
    ) -> async_graphql::Result<SchemaObject> {
        let store = store(ctx);
        let options = data.options.unwrap_or_default();
        if let Some(bad) = options.iter().find(|o| o.kind != kind::OPTION) {
            return Err(coded(
                format!("Invalid enum option kind: '{}'", bad.kind),
                "MALFORMED_REQUEST",
            ));
        }
        let change = SchemaChange {
            id: data.id.map(|id| id.0),
            name: data.name,
            kind: data.kind,
            options: options
                .into_iter()
                .map(|o| (o.id.map(|id| id.0), o.name))
                .collect(),
        };
        store
            .metadata
            .upsert(change, || store.new_id())
            .map(SchemaObject::from)
            .map_err(|message| coded(message, "MALFORMED_REQUEST"))
    }
}
