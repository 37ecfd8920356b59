//! Data-row metadata: the schemas (`customMetadataOntology`, which the official SDK reads
//! before every import with metadata, `upsertCustomMetadataSchema`,
//! `deleteCustomMetadataSchema`) and rows' metadata in bulk (`upsertDataRowCustomMetadata`,
//! `deleteDataRowCustomMetadata`, `dataRowCustomMetadata`; logic in `row_metadata`).

use async_graphql::{Context, InputObject, Json, Object, SimpleObject, ID};
use serde_json::Value;

use super::data_rows::{DataRowIdentifierInput, IdType};
use super::{coded, store, WhereUniqueIdInput, VALIDATION_FAILED};
use crate::metadata::{kind, Schema, SchemaChange};
use crate::row_metadata::{self, Exported, RowFailure, RowRef, Upsert};

impl IdType {
    fn of(self, key: String) -> RowRef {
        match self {
            IdType::Id => RowRef::Id(key),
            IdType::Gkey => RowRef::GlobalKey(key),
        }
    }
}

#[derive(InputObject)]
struct DataRowCustomMetadataUpsertInput {
    schema_id: ID,
    value: Option<Json<Value>>,
}

#[derive(InputObject)]
struct DataRowCustomMetadataBatchUpsertInput {
    data_row_id: Option<ID>,
    global_key: Option<String>,
    fields: Vec<DataRowCustomMetadataUpsertInput>,
}

#[derive(InputObject)]
struct DataRowIdentifierCustomMetadataBatchDeleteInput {
    data_row_identifier: DataRowIdentifierInput,
    schema_ids: Vec<ID>,
}

#[derive(InputObject)]
struct DataRowCustomMetadataDataRowIdentifiersInput {
    ids: Vec<ID>,
    id_type: IdType,
}

/// `where` of `dataRowCustomMetadata`; the identifiers are nullable because the official SDK
/// declares its variable so.
#[derive(InputObject)]
struct DataRowCustomMetadataWhereInput {
    data_row_identifiers: Option<DataRowCustomMetadataDataRowIdentifiersInput>,
}

/// A field of a row's metadata: `{schemaId, value}` as stored.
#[derive(SimpleObject)]
#[graphql(name = "DataRowCustomMetadataBatchField")]
struct FieldObject {
    schema_id: ID,
    value: Json<Value>,
}

fn field_objects(fields: Vec<(String, Value)>) -> Vec<FieldObject> {
    fields
        .into_iter()
        .map(|(id, value)| FieldObject {
            schema_id: ID(id),
            value: Json(value),
        })
        .collect()
}

/// A row an upsert or delete could not apply.
#[derive(SimpleObject)]
#[graphql(name = "DataRowCustomMetadataBatchResponse")]
struct RowFailureObject {
    data_row_id: Option<ID>,
    global_key: Option<String>,
    error: Option<String>,
    fields: Vec<FieldObject>,
}

impl From<RowFailure> for RowFailureObject {
    fn from(f: RowFailure) -> Self {
        RowFailureObject {
            data_row_id: f.data_row_id.map(ID),
            global_key: f.global_key,
            error: Some(f.error),
            fields: field_objects(f.fields),
        }
    }
}

/// A row's metadata as `dataRowCustomMetadata` answers it.
#[derive(SimpleObject)]
#[graphql(name = "DataRowCustomMetadataOutput")]
struct ExportedObject {
    data_row_id: ID,
    global_key: Option<String>,
    fields: Vec<FieldObject>,
}

impl From<Exported> for ExportedObject {
    fn from(e: Exported) -> Self {
        let fields = e
            .fields
            .into_iter()
            .filter_map(|m| {
                let id = m.get("schemaId")?.as_str()?.to_string();
                Some((id, m.get("value").cloned().unwrap_or(Value::Null)))
            })
            .collect();
        ExportedObject {
            data_row_id: ID(e.data_row_id),
            global_key: e.global_key,
            fields: field_objects(fields),
        }
    }
}

#[derive(SimpleObject)]
#[graphql(name = "DeleteCustomMetadataSchemaResult")]
struct DeleteSchemaResult {
    success: bool,
}

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

    /// The metadata of rows named by id or global key, in the order asked (rows that do not
    /// exist are left out).
    async fn data_row_custom_metadata(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: DataRowCustomMetadataWhereInput,
    ) -> async_graphql::Result<Vec<ExportedObject>> {
        let which = filter
            .data_row_identifiers
            .ok_or_else(|| coded("where.dataRowIdentifiers is required", VALIDATION_FAILED))?;
        let refs: Vec<RowRef> = which
            .ids
            .into_iter()
            .map(|id| which.id_type.of(id.0))
            .collect();
        let rows = row_metadata::export(store(ctx), &refs);
        Ok(rows.into_iter().map(ExportedObject::from).collect())
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

    /// Deletes a custom schema, and its fields from every row. A reserved schema is refused
    /// (`MALFORMED_REQUEST`), an unknown id is `RESOURCE_NOT_FOUND`.
    async fn delete_custom_metadata_schema(
        &self,
        ctx: &Context<'_>,
        schema: WhereUniqueIdInput,
    ) -> async_graphql::Result<DeleteSchemaResult> {
        let store = store(ctx);
        let deleted = match store.metadata.delete(schema.id.as_str()) {
            None => {
                return Err(coded(
                    format!("Metadata schema {} not found", schema.id.as_str()),
                    "RESOURCE_NOT_FOUND",
                ))
            }
            Some(Err(message)) => return Err(coded(message, "MALFORMED_REQUEST")),
            Some(Ok(deleted)) => deleted,
        };
        let mut ids: Vec<String> = deleted.options.into_iter().map(|o| o.id).collect();
        ids.push(deleted.id);
        row_metadata::forget_schemas(store, &ids);
        Ok(DeleteSchemaResult { success: true })
    }

    /// Upserts rows' metadata; answers the rows that failed, each with its error.
    async fn upsert_data_row_custom_metadata(
        &self,
        ctx: &Context<'_>,
        data: Vec<DataRowCustomMetadataBatchUpsertInput>,
    ) -> Vec<RowFailureObject> {
        let rows = data
            .into_iter()
            .map(|r| Upsert {
                data_row_id: r.data_row_id.map(|id| id.0),
                global_key: r.global_key,
                fields: r
                    .fields
                    .into_iter()
                    .map(|f| (f.schema_id.0, f.value.map_or(Value::Null, |v| v.0)))
                    .collect(),
            })
            .collect();
        let failed = row_metadata::upsert(store(ctx), rows);
        failed.into_iter().map(RowFailureObject::from).collect()
    }

    /// Deletes fields from rows' metadata; answers the rows that failed (a row lacking one of
    /// the fields named fails with `Schema did not exist` and those fields). The argument is
    /// nullable because the official SDK declares its variable so.
    async fn delete_data_row_custom_metadata(
        &self,
        ctx: &Context<'_>,
        data_row_identifiers: Option<Vec<DataRowIdentifierCustomMetadataBatchDeleteInput>>,
    ) -> async_graphql::Result<Vec<RowFailureObject>> {
        let deletes = data_row_identifiers
            .ok_or_else(|| coded("dataRowIdentifiers is required", VALIDATION_FAILED))?
            .into_iter()
            .map(|d| {
                let who = d.data_row_identifier;
                let ids = d.schema_ids.into_iter().map(|id| id.0).collect();
                (who.id_type.of(who.id.0), ids)
            })
            .collect();
        let failed = row_metadata::delete(store(ctx), deletes);
        Ok(failed.into_iter().map(RowFailureObject::from).collect())
    }
}
