//! Data-row metadata over HTTP: the ontology, custom schemas, and metadata imported by schema id
//! or by name, read back the two ways the official SDK reads it.

mod common;

use std::time::Duration;

use common::{data, error_code, gql, start, start_import};
use labelbox_emulator::Emulator;
use serde_json::{json, Value};

const ONTOLOGY: &str = "query GetMetadataOntologyBetaPyApi { customMetadataOntology { id name kind reserved options { id kind name reserved } } }";
const UPSERT_SCHEMA: &str = "mutation UpsertCustomMetadataSchemaPyApi($data: UpsertCustomMetadataSchemaInput!) { upsertCustomMetadataSchema(data: $data) { id name kind options { id name kind } } }";
const SPLIT: &str = "cko8sbczn0002h2dkdaxb5kal";
const TAG: &str = "cko8s9r5v0001h2dk9elqdidh";

fn schema_named<'a>(ontology: &'a Value, name: &str) -> &'a Value {
    ontology["customMetadataOntology"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["name"] == name))
        .unwrap_or(&Value::Null)
}

#[test]
fn the_ontology_has_the_reserved_schemas_and_custom_ones_once() {
    let emu = start(Emulator::builder());
    let before = data(&emu, ONTOLOGY, json!({}));
    let split = schema_named(&before, "split");
    assert_eq!(split["id"], SPLIT);
    assert_eq!(split["kind"], "CustomMetadataEnum");
    assert_eq!(split["reserved"], true);
    assert_eq!(split["options"][2]["id"], "cko8scbz70005h2dkastwhgqt");

    let custom = json!({"data": {"name": "custom_text", "kind": "CustomMetadataString"}});
    let created = data(&emu, UPSERT_SCHEMA, custom.clone());
    assert_eq!(created["upsertCustomMetadataSchema"]["name"], "custom_text");
    let after = data(&emu, ONTOLOGY, json!({}));
    assert_eq!(schema_named(&after, "custom_text")["reserved"], false);
    let (status, again) = gql(&emu, UPSERT_SCHEMA, custom);
    assert_eq!((status, error_code(&again)), (200, "MALFORMED_REQUEST"));
    let (_, bad_kind) = gql(
        &emu,
        UPSERT_SCHEMA,
        json!({"data": {"name": "x", "kind": "NotAKind"}}),
    );
    assert_eq!(error_code(&bad_kind), "MALFORMED_REQUEST");
    let enum_schema = |option_kind: &str| {
        json!({"data": {"name": "colour", "kind": "CustomMetadataEnum",
            "options": [{"name": "red", "kind": option_kind}]}})
    };
    let (_, bad_option) = gql(&emu, UPSERT_SCHEMA, enum_schema("CustomMetadataString"));
    assert_eq!(error_code(&bad_option), "MALFORMED_REQUEST");
    let colour = data(&emu, UPSERT_SCHEMA, enum_schema("CustomMetadataEnumOption"));
    assert_eq!(
        colour["upsertCustomMetadataSchema"]["options"][0]["name"],
        "red"
    );
}

#[test]
fn metadata_imported_by_id_or_by_name_reads_back_named_and_with_kinds() {
    let emu = start(
        Emulator::builder()
            .import_rows_per_second(1_000_000)
            .min_task_duration(Duration::ZERO),
    );
    let ds = emu.create_dataset("d");
    // By id, as the SDK's create path sends an enum (the enum, then its option); by name, as
    // its upsert path sends `metadata`.
    let items = json!([
        {"payload": {"row_data": "a", "dataset_id": ds, "metadata_fields": [
            {"schemaId": TAG, "value": "t1"},
            {"schemaId": SPLIT, "value": {}},
            {"schemaId": "cko8scbz70005h2dkastwhgqt", "value": {}}]}},
        {"payload": {"row_data": "b", "dataset_id": ds, "metadata": [
            {"name": "tag", "value": "t2"}, {"name": "split", "value": "train"}]}},
        {"payload": {"row_data": "c", "dataset_id": ds, "metadata": [{"name": "nope", "value": 1}]}}
    ]);
    let task = start_import(&emu, &items);
    assert_eq!(
        emu.wait_for_task(&task, Duration::from_secs(60)).as_deref(),
        Some("COMPLETE")
    );
    let rows = emu.data_rows(&ds);
    assert_eq!(rows.len(), 2, "the row naming an unknown schema fails");
    let read = |id: &str| {
        data(
            &emu,
            "query R($id: ID!) { dataRow(where: {id: $id}) { customMetadata { schemaId value } metadataFields { schemaId name value kind } } }",
            json!({"id": id}),
        )["dataRow"]
            .clone()
    };
    let by_id = read(&rows[0].id);
    assert_eq!(by_id["customMetadata"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        by_id["metadataFields"],
        json!([
            {"schemaId": TAG, "name": "tag", "value": "t1", "kind": "CustomMetadataString"},
            {"schemaId": SPLIT, "name": "split", "value": "test", "kind": "CustomMetadataEnum"}
        ])
    );
    let by_name = read(&rows[1].id);
    assert_eq!(by_name["metadataFields"][0]["value"], "t2");
    assert_eq!(by_name["metadataFields"][1]["value"], "train");
}
