//! Catalog operations over HTTP with the official SDK's documents: the global-key jobs, rows'
//! metadata in bulk and custom schema deletion, and what the emulator refuses.

mod common;

use std::time::Duration;

use common::{create_items, data, error_code, gql, start, start_import};
use labelbox_emulator::Emulator;
use serde_json::{json, Value};

const ASSIGN: &str = "mutation assignGlobalKeysToDataRowsPyApi($globalKeyDataRowLinks: [AssignGlobalKeyToDataRowInput!]!) { assignGlobalKeysToDataRows(data: {assignInputs: $globalKeyDataRowLinks}) { jobId } }";
const ASSIGN_RESULT: &str = "query assignGlobalKeysToDataRowsResultPyApi($jobId: ID!) { assignGlobalKeysToDataRowsResult(jobId: {id: $jobId}) { jobStatus data { sanitizedAssignments { dataRowId globalKey } invalidGlobalKeyAssignments { dataRowId globalKey } unmodifiedAssignments { dataRowId globalKey } accessDeniedAssignments { dataRowId globalKey } } } }";
const CLEAR: &str = "mutation clearGlobalKeysPyApi($globalKeys: [ID!]!) { clearGlobalKeys(where: {ids: $globalKeys}) { jobId } }";
const CLEAR_RESULT: &str = "query clearGlobalKeysResultPyApi($jobId: ID!) { clearGlobalKeysResult(jobId: {id: $jobId}) { data { clearedGlobalKeys failedToClearGlobalKeys notFoundGlobalKeys accessDeniedGlobalKeys } jobStatus } }";
const UPSERT: &str = "mutation UpsertDataRowMetadataBetaPyApi($metadata: [DataRowCustomMetadataBatchUpsertInput!]!) { upsertDataRowCustomMetadata(data: $metadata) { globalKey dataRowId error fields { value schemaId } } }";
const DELETE: &str = "mutation DeleteDataRowMetadataBetaPyApi($deletes: [DataRowIdentifierCustomMetadataBatchDeleteInput!]) { deleteDataRowCustomMetadata(dataRowIdentifiers: $deletes) { dataRowId error fields { value schemaId } } }";
const EXPORT: &str = "query dataRowCustomMetadataPyApi($dataRowIdentifiers: DataRowCustomMetadataDataRowIdentifiersInput) { dataRowCustomMetadata(where: {dataRowIdentifiers : $dataRowIdentifiers}) { dataRowId globalKey fields { value schemaId } } }";
const UPSERT_SCHEMA: &str = "mutation UpsertCustomMetadataSchemaPyApi($data: UpsertCustomMetadataSchemaInput!) { upsertCustomMetadataSchema(data: $data) { id name kind options { id name kind } } }";
const DELETE_SCHEMA: &str = "mutation DeleteCustomMetadataSchemaPyApi($where: WhereUniqueIdInput!) { deleteCustomMetadataSchema(schema: $where) { success } }";
const TAG: &str = "cko8s9r5v0001h2dk9elqdidh";

/// An emulator with rows keyed `k0`..`k{n-1}`; answers it and the rows' ids in key order.
fn with_rows(n: usize) -> (Emulator, Vec<String>) {
    let emu = start(Emulator::builder().min_task_duration(Duration::ZERO));
    let dataset = emu.create_dataset("catalog");
    let task = start_import(&emu, &create_items(&dataset, "k", n));
    assert_eq!(
        emu.wait_for_task(&task, Duration::from_secs(60)).as_deref(),
        Some("COMPLETE")
    );
    let rows = emu.data_rows(&dataset);
    let ids = (0..n)
        .map(|i| {
            let key = format!("k{i}");
            let row = rows.iter().find(|r| r.global_key.as_deref() == Some(&key));
            row.expect("imported").id.clone()
        })
        .collect();
    (emu, ids)
}

fn job_id(answer: &Value, field: &str) -> String {
    answer[field]["jobId"]
        .as_str()
        .expect("a job id")
        .to_string()
}

#[test]
fn jobs_answer_by_their_own_result_query_only() {
    let (emu, ids) = with_rows(1);
    let links = json!([{"dataRowId": ids[0], "globalKey": "fresh"}]);
    let started = data(&emu, ASSIGN, json!({ "globalKeyDataRowLinks": links }));
    let assign = job_id(&started, "assignGlobalKeysToDataRows");
    let result = data(&emu, ASSIGN_RESULT, json!({ "jobId": assign }));
    let result = &result["assignGlobalKeysToDataRowsResult"];
    assert_eq!(result["jobStatus"], "COMPLETE");
    assert_eq!(
        result["data"]["unmodifiedAssignments"],
        json!([{"dataRowId": ids[0], "globalKey": "fresh"}])
    );
    let (_, wrong_kind) = gql(&emu, CLEAR_RESULT, json!({ "jobId": assign }));
    assert_eq!(error_code(&wrong_kind), "RESOURCE_NOT_FOUND");
    let (_, unknown) = gql(&emu, ASSIGN_RESULT, json!({"jobId": "nope"}));
    assert_eq!(error_code(&unknown), "RESOURCE_NOT_FOUND");

    let started = data(&emu, CLEAR, json!({"globalKeys": ["fresh", "k0"]}));
    let clear = job_id(&started, "clearGlobalKeys");
    let result = data(&emu, CLEAR_RESULT, json!({ "jobId": clear }));
    assert_eq!(
        result["clearGlobalKeysResult"]["data"],
        json!({"clearedGlobalKeys": ["fresh"], "failedToClearGlobalKeys": [],
               "notFoundGlobalKeys": ["k0"], "accessDeniedGlobalKeys": []}),
        "k0 was freed when the row got `fresh`"
    );
}

#[test]
fn metadata_upserts_answer_refused_rows_only_and_deletes_name_absent_schemas() {
    let (emu, ids) = with_rows(2);
    let rows = json!([
        {"dataRowId": ids[0], "globalKey": null, "fields": [{"schemaId": TAG, "value": "a"}]},
        {"dataRowId": null, "globalKey": "k1", "fields": [{"schemaId": TAG, "value": 3}]},
        {"dataRowId": null, "globalKey": "nobody", "fields": [{"schemaId": TAG, "value": "c"}]},
    ]);
    let refused = data(&emu, UPSERT, json!({ "metadata": rows }));
    let refused = refused["upsertDataRowCustomMetadata"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert_eq!(refused[0]["globalKey"], "k1");
    assert!(refused[0]["error"].as_str().unwrap().contains(TAG));
    assert_eq!(refused[1]["error"], "Data row not found");

    let who = json!({"ids": [ids[1], "missing", ids[0]], "idType": "ID"});
    let exported = data(&emu, EXPORT, json!({ "dataRowIdentifiers": who }));
    assert_eq!(
        exported["dataRowCustomMetadata"],
        json!([
            {"dataRowId": ids[1], "globalKey": "k1", "fields": []},
            {"dataRowId": ids[0], "globalKey": "k0", "fields": [{"value": "a", "schemaId": TAG}]},
        ])
    );

    let deletes = json!([
        {"dataRowIdentifier": {"id": "k0", "idType": "GKEY"}, "schemaIds": [TAG]},
        {"dataRowIdentifier": {"id": ids[1], "idType": "ID"}, "schemaIds": [TAG]},
    ]);
    let failed = data(&emu, DELETE, json!({ "deletes": deletes }));
    assert_eq!(
        failed["deleteDataRowCustomMetadata"],
        json!([{"dataRowId": ids[1], "error": "Schema did not exist",
                "fields": [{"value": null, "schemaId": TAG}]}])
    );
    assert!(emu.data_rows(&emu_dataset(&emu, &ids[0]))[0]
        .metadata
        .is_empty());
    let (status, null_deletes) = gql(&emu, DELETE, json!({"deletes": null}));
    assert_eq!(
        (status, error_code(&null_deletes)),
        (400, "GRAPHQL_VALIDATION_FAILED")
    );
    let (status, bad_type) = gql(
        &emu,
        DELETE,
        json!({"deletes": [{"dataRowIdentifier": {"id": "k0", "idType": "KEY"}, "schemaIds": []}]}),
    );
    assert_eq!(
        (status, error_code(&bad_type)),
        (400, "GRAPHQL_VALIDATION_FAILED")
    );
}

/// The dataset of row `id`.
fn emu_dataset(emu: &Emulator, id: &str) -> String {
    let answer = data(
        emu,
        "query D($id: ID!) { dataRow(where: {id: $id}) { dataset { id } } }",
        json!({ "id": id }),
    );
    answer["dataRow"]["dataset"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn deleting_a_custom_schema_takes_its_fields_off_every_row_and_reserved_ones_stay() {
    let (emu, ids) = with_rows(1);
    let created = data(
        &emu,
        UPSERT_SCHEMA,
        json!({"data": {"name": "note", "kind": "CustomMetadataString"}}),
    );
    let note = created["upsertCustomMetadataSchema"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let rows = json!([{"dataRowId": ids[0], "globalKey": null,
        "fields": [{"schemaId": note, "value": "n"}, {"schemaId": TAG, "value": "t"}]}]);
    data(&emu, UPSERT, json!({ "metadata": rows }));
    let deleted = data(&emu, DELETE_SCHEMA, json!({"where": {"id": note}}));
    assert_eq!(deleted["deleteCustomMetadataSchema"]["success"], true);
    let dataset = emu_dataset(&emu, &ids[0]);
    assert_eq!(
        emu.data_rows(&dataset)[0].metadata,
        [json!({"schemaId": TAG, "value": "t"})]
    );
    let (_, again) = gql(&emu, DELETE_SCHEMA, json!({"where": {"id": note}}));
    assert_eq!(error_code(&again), "RESOURCE_NOT_FOUND");
    let (_, reserved) = gql(&emu, DELETE_SCHEMA, json!({"where": {"id": TAG}}));
    assert_eq!(error_code(&reserved), "MALFORMED_REQUEST");
}

#[test]
fn a_job_reports_in_progress_without_data_for_the_job_duration() {
    let emu = start(Emulator::builder().job_duration(Duration::from_millis(300)));
    let started = data(&emu, CLEAR, json!({"globalKeys": ["none"]}));
    let id = job_id(&started, "clearGlobalKeys");
    let first = data(&emu, CLEAR_RESULT, json!({ "jobId": id }));
    assert_eq!(first["clearGlobalKeysResult"]["jobStatus"], "IN_PROGRESS");
    assert_eq!(first["clearGlobalKeysResult"]["data"], Value::Null);
    std::thread::sleep(Duration::from_millis(350));
    let later = data(&emu, CLEAR_RESULT, json!({ "jobId": id }));
    assert_eq!(later["clearGlobalKeysResult"]["jobStatus"], "COMPLETE");
    assert_eq!(
        later["clearGlobalKeysResult"]["data"]["notFoundGlobalKeys"],
        json!(["none"])
    );
}
