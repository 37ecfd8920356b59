//! Data rows over HTTP: the dataset listing and its cursor, lookups by id, external id and
//! global key, edits, deletion and attachments, as the official SDK asks for them.

mod common;

use std::time::Duration;

use common::{data, error_code, gql, start, start_import};
use labelbox_emulator::Emulator;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(60);
const ROW: &str = "createdAt externalId globalKey mediaAttributes customMetadata { schemaId value } metadataFields { schemaId name value kind } rowData id updatedAt";

fn fast() -> Emulator {
    start(
        Emulator::builder()
            .import_rows_per_second(1_000_000)
            .min_task_duration(Duration::ZERO),
    )
}

/// Imports `payloads` into a new dataset and waits; answers the dataset's id.
fn dataset_with(emu: &Emulator, payloads: &[Value]) -> String {
    let ds = emu.create_dataset("d");
    let items: Vec<Value> = payloads
        .iter()
        .map(|p| {
            let mut p = p.clone();
            p["dataset_id"] = json!(ds);
            json!({"id": {"type": "AUTO", "value": ""}, "payload": p})
        })
        .collect();
    let task = start_import(emu, &Value::Array(items));
    assert_eq!(emu.wait_for_task(&task, WAIT).as_deref(), Some("COMPLETE"));
    ds
}

fn page(emu: &Emulator, ds: &str, from: Value, first: u32, filter: Value) -> Value {
    let query = format!(
        "query DatasetDataRowsPyApi($id: ID!, $from: ID, $first: Int, $where: DatasetDataRowWhereInput) {{ datasetDataRows(id: $id, from: $from, first: $first, where: $where) {{ nodes {{ {ROW} }} pageInfo {{ hasNextPage startCursor }} }} }}"
    );
    let answer = data(
        emu,
        &query,
        json!({"id": ds, "from": from, "first": first, "where": filter}),
    );
    answer["datasetDataRows"].clone()
}

fn ids(page: &Value) -> Vec<String> {
    page["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| n["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn row(emu: &Emulator, id: &str) -> (u16, Value) {
    let query = format!(
        "query GetDataRowPyApi($param_0: ID!) {{ dataRow(where: {{id: $param_0}}) {{ {ROW} }} }}"
    );
    gql(emu, &query, json!({"param_0": id}))
}

#[test]
fn dataset_rows_are_listed_newest_first_with_an_exclusive_cursor() {
    let emu = fast();
    let payloads: Vec<Value> = (0..5)
        .map(|i| json!({"row_data": format!("https://e.com/{i}.jpg"), "external_id": format!("e{}", i % 2)}))
        .collect();
    let ds = dataset_with(&emu, &payloads);
    let stored: Vec<String> = emu.data_rows(&ds).into_iter().rev().map(|r| r.id).collect();

    let first = page(&emu, &ds, Value::Null, 2, Value::Null);
    assert_eq!(ids(&first), stored[..2]);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["pageInfo"]["startCursor"], stored[1]);
    let rest = page(
        &emu,
        &ds,
        first["pageInfo"]["startCursor"].clone(),
        500,
        Value::Null,
    );
    assert_eq!(ids(&rest), stored[2..]);
    assert_eq!(rest["pageInfo"]["startCursor"], Value::Null);

    let e1 = page(&emu, &ds, Value::Null, 500, json!({"externalId": "e1"}));
    assert_eq!(ids(&e1).len(), 2);
    assert_eq!(first["nodes"][0]["rowData"], "https://e.com/4.jpg");
    assert_eq!(
        first["nodes"][0]["mediaAttributes"]["mimeType"],
        "image/jpeg"
    );
}

#[test]
fn a_row_is_found_by_id_and_a_missing_one_is_not_found() {
    let emu = fast();
    let ds = dataset_with(
        &emu,
        &[
            json!({"row_data": {"type": "application/vnd.labelbox.conversational", "messages": []}, "global_key": "g"}),
        ],
    );
    let id = emu.data_rows(&ds)[0].id.clone();
    let (status, body) = row(&emu, &id);
    assert_eq!(status, 200, "{body}");
    let row_data: Value =
        serde_json::from_str(body["data"]["dataRow"]["rowData"].as_str().unwrap_or(""))
            .unwrap_or_default();
    assert_eq!(row_data["messages"], json!([]));
    assert_eq!(body["data"]["dataRow"]["globalKey"], "g");
    let relations = data(
        &emu,
        "query R($id: ID!) { dataRow(where: {id: $id}) { dataset { id } createdBy { id } organization { id } } }",
        json!({"id": id}),
    );
    assert_eq!(relations["dataRow"]["dataset"]["id"], ds);
    assert_eq!(relations["dataRow"]["createdBy"]["id"], emu.user_id());
    let (_, missing) = row(&emu, "no-such-row");
    assert_eq!(error_code(&missing), "RESOURCE_NOT_FOUND");
}

#[test]
fn rows_are_looked_up_by_external_id_and_by_global_key() {
    let emu = fast();
    let ds = dataset_with(
        &emu,
        &[
            json!({"row_data": "a", "external_id": "x", "global_key": "ga"}),
            json!({"row_data": "b", "external_id": "x"}),
            json!({"row_data": "c", "external_id": "y"}),
        ],
    );
    let rows = emu.data_rows(&ds);
    let lookup = data(
        &emu,
        "query externalIdsToDataRowIdsPyApi($externalId_in: [String!]!) { externalIdsToDataRowIds(externalId_in: $externalId_in) { dataRowId externalId } }",
        json!({"externalId_in": ["x", "z"]}),
    );
    let found: Vec<&str> = lookup["externalIdsToDataRowIds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["dataRowId"].as_str())
        .collect();
    assert_eq!(found, vec![rows[0].id.as_str(), rows[1].id.as_str()]);

    let job = data(
        &emu,
        "query getDataRowsForGlobalKeysPyApi($globalKeys: [ID!]!) { dataRowsForGlobalKeys(where: {ids: $globalKeys}) { jobId } }",
        json!({"globalKeys": ["ga", "nope"]}),
    );
    let result = data(
        &emu,
        "query getDataRowsForGlobalKeysResultPyApi($jobId: ID!) { dataRowsForGlobalKeysResult(jobId: {id: $jobId}) { data { fetchedDataRows { id } notFoundGlobalKeys accessDeniedGlobalKeys } jobStatus } }",
        json!({"jobId": job["dataRowsForGlobalKeys"]["jobId"]}),
    );
    let answer = &result["dataRowsForGlobalKeysResult"];
    assert_eq!(answer["jobStatus"], "COMPLETE");
    assert_eq!(
        answer["data"]["fetchedDataRows"],
        json!([{"id": rows[0].id}, {"id": ""}])
    );
    assert_eq!(answer["data"]["notFoundGlobalKeys"], json!(["nope"]));
}

const UPDATE: &str = "mutation updateDataRowPyApi($externalId: String, $rowData: String, $globalKey: String, $DataRowId: ID!) { updateDataRow(where: {id: $DataRowId} data: {externalId: $externalId rowData: $rowData globalKey: $globalKey}) { id externalId globalKey rowData } }";

#[test]
fn update_data_row_changes_fields_and_keeps_global_keys_unique() {
    let emu = fast();
    let ds = dataset_with(
        &emu,
        &[
            json!({"row_data": "a", "global_key": "g1"}),
            json!({"row_data": "b", "global_key": "g2"}),
        ],
    );
    let id = emu.data_rows(&ds)[0].id.clone();
    let updated = data(
        &emu,
        UPDATE,
        json!({"externalId": "e", "rowData": "{\"pdfUrl\": \"https://d.pdf\", \"textLayerUrl\": \"t\"}", "DataRowId": id}),
    );
    assert_eq!(updated["updateDataRow"]["externalId"], "e");
    assert_eq!(updated["updateDataRow"]["rowData"], "https://d.pdf");
    let (_, taken) = gql(&emu, UPDATE, json!({"globalKey": "g2", "DataRowId": id}));
    assert_eq!(error_code(&taken), "MALFORMED_REQUEST");
    let renamed = data(&emu, UPDATE, json!({"globalKey": "g3", "DataRowId": id}));
    assert_eq!(renamed["updateDataRow"]["globalKey"], "g3");
}

#[test]
fn deleted_rows_are_gone_and_free_their_global_keys() {
    let emu = fast();
    let ds = dataset_with(
        &emu,
        &[
            json!({"row_data": "a", "global_key": "k1"}),
            json!({"row_data": "b", "global_key": "k2"}),
            json!({"row_data": "c"}),
        ],
    );
    let rows = emu.data_rows(&ds);
    let delete_one = "mutation deleteDataRowPyApi($DataRowId: ID!) { updateDataRow(where: {id: $DataRowId} data: {deleted: true}) {id} }";
    data(&emu, delete_one, json!({"DataRowId": rows[0].id}));
    let bulk = format!(
        "mutation deleteDataRowsPyApi {{ deleteDataRows(where: {{dataRowIds: [\"{}\", \"missing\"]}}) {{ id }} }}",
        rows[1].id
    );
    let deleted = data(&emu, &bulk, json!({}));
    assert_eq!(deleted["deleteDataRows"], json!([{"id": rows[1].id}]));
    let left: Vec<String> = emu.data_rows(&ds).into_iter().map(|r| r.id).collect();
    assert_eq!(left, vec![rows[2].id.clone()]);
    let (_, gone) = row(&emu, &rows[0].id);
    assert_eq!(error_code(&gone), "RESOURCE_NOT_FOUND");

    let again = start_import(
        &emu,
        &json!([{"id": {"type": "AUTO", "value": ""}, "payload": {"row_data": "d", "global_key": "k1", "dataset_id": ds}}]),
    );
    emu.wait_for_task(&again, WAIT);
    assert_eq!(emu.data_rows(&ds).len(), 2);
}

#[test]
fn attachments_are_created_listed_updated_and_deleted() {
    let emu = fast();
    let ds = dataset_with(
        &emu,
        &[
            json!({"row_data": "a", "attachments": [{"type": "RAW_TEXT", "value": "v", "name": "n"}]}),
        ],
    );
    let id = emu.data_rows(&ds)[0].id.clone();
    let list = |emu: &Emulator| {
        data(
            emu,
            "query GetDataRowAttachmentsPyApi($param_0: ID!) { dataRow(where: {id: $param_0}) { attachments(skip: 0 first: 100) { name type value id } } }",
            json!({"param_0": id}),
        )["dataRow"]["attachments"]
            .clone()
    };
    assert_eq!(list(&emu)[0]["value"], "v");
    let created = data(
        &emu,
        "mutation CreateDataRowAttachmentPyApi($type: AttachmentType!, $value: String!, $name: String, $dataRowId: ID!) { createDataRowAttachment(data: {type: $type value: $value name: $name dataRowId: $dataRowId}) { name type value id } }",
        json!({"type": "IMAGE", "value": "https://i.jpg", "name": null, "dataRowId": id}),
    );
    let attachment = created["createDataRowAttachment"]["id"].clone();
    assert_eq!(list(&emu).as_array().map(Vec::len), Some(2));
    let updated = data(
        &emu,
        "mutation updateDataRowAttachmentPyApi($attachment_id: ID!, $name: String, $type: AttachmentType, $value: String) { updateDataRowAttachment(where: {id: $attachment_id}, data: {name: $name, type: $type, value: $value}) { id name type value } }",
        json!({"attachment_id": attachment, "name": "renamed"}),
    );
    assert_eq!(
        updated["updateDataRowAttachment"],
        json!({"id": attachment, "name": "renamed", "type": "IMAGE", "value": "https://i.jpg"})
    );
    let delete = "mutation deleteDataRowAttachmentPyApi($attachment_id: ID!) { deleteDataRowAttachment(where: {id: $attachment_id}) { id } }";
    data(&emu, delete, json!({"attachment_id": attachment}));
    assert_eq!(list(&emu).as_array().map(Vec::len), Some(1));
    let (_, missing) = gql(&emu, delete, json!({"attachment_id": attachment}));
    assert_eq!(error_code(&missing), "RESOURCE_NOT_FOUND");
    let (status, bad_type) = gql(
        &emu,
        "mutation A($id: ID!) { createDataRowAttachment(data: {type: INVALID value: \"v\" dataRowId: $id}) { id } }",
        json!({"id": id}),
    );
    assert_eq!(
        (status, error_code(&bad_type)),
        (400, "GRAPHQL_VALIDATION_FAILED")
    );
}
