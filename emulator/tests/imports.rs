//! Imports over HTTP: rules, background progress, cancellation, failures and result pages.

mod common;

use std::time::{Duration, Instant};

use common::{
    create_item, create_items, data, start, start_import, task, upload_url, CANCEL, UPSERT,
};
use labelbox_emulator::Emulator;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(60);

fn fast() -> Emulator {
    start(
        Emulator::builder()
            .import_rows_per_second(1_000_000)
            .min_task_duration(Duration::ZERO),
    )
}

const SUCCESSES: &str = "query SuccessesfulDataRowImportsPyApi($taskId: ID!, $first: Int, $from: String) { successesfulDataRowImports(data: {taskId: $taskId, first: $first, from: $from}) { nodes { id externalId globalKey rowData } after total } }";
const FAILURES: &str = "query FailedDataRowImportsPyApi($taskId: ID!, $first: Int, $from: String) { failedDataRowImports(data: {taskId: $taskId, first: $first, from: $from}) { after total results { message spec { externalId globalKey rowData metadata { schemaId value name } attachments { type value name } } } } }";

/// Walks every page of `query` (PROTOCOL 3.7); answers the rows and each page's `total`.
fn walk(
    emu: &Emulator,
    query: &str,
    field: &str,
    list: &str,
    task_id: &str,
    first: u32,
) -> (Vec<Value>, Vec<u64>) {
    let mut rows = Vec::new();
    let mut totals = Vec::new();
    let mut from = Value::Null;
    loop {
        let page = data(
            emu,
            query,
            json!({"taskId": task_id, "first": first, "from": from}),
        )[field]
            .clone();
        totals.push(page["total"].as_u64().unwrap_or(u64::MAX));
        let items = page[list].as_array().cloned().unwrap_or_default();
        let done = items.is_empty() || page["after"].is_null();
        rows.extend(items);
        if done {
            return (rows, totals);
        }
        from = page["after"].clone();
    }
}

#[test]
fn import_rules_fail_rows_one_by_one_and_the_task_still_completes() {
    let emu = fast();
    let ds = emu.create_dataset("d");
    let first = start_import(&emu, &json!([create_item(&ds, "taken")]));
    assert_eq!(emu.wait_for_task(&first, WAIT).as_deref(), Some("COMPLETE"));

    let items = json!([
        create_item(&ds, "g1"),
        create_item(&ds, "g1"),
        create_item(&ds, "taken"),
        {"id": {"type": "AUTO", "value": ""}, "payload": {"row_data": "https://x/y.jpg", "dataset_id": ds, "external_id": "meta",
            "metadata_fields": [{"schemaId": "s1", "value": "a"}, {"schemaId": "s1", "value": "b"}],
            "attachments": [{"type": "RAW_TEXT", "value": "note", "name": "n"}]}},
        {"id": {"type": "GKEY", "value": "never-imported"}, "payload": {"external_id": "u", "dataset_id": ds}},
        {"id": {"type": "GKEY", "value": "taken"}, "payload": {"external_id": "updated", "dataset_id": ds}},
    ]);
    let id = start_import(&emu, &items);
    assert_eq!(emu.wait_for_task(&id, WAIT).as_deref(), Some("COMPLETE"));
    let done = task(&emu, &id);
    assert_eq!(done["completionPercentage"], 1.0);

    let (created, totals) = walk(
        &emu,
        SUCCESSES,
        "successesfulDataRowImports",
        "nodes",
        &id,
        100,
    );
    assert_eq!(totals, vec![2]);
    let keys: Vec<&str> = created
        .iter()
        .filter_map(|r| r["globalKey"].as_str())
        .collect();
    assert_eq!(keys, vec!["g1", "taken"]);
    assert_eq!(created[0]["rowData"], "https://example.com/g1.jpg");

    let (failed, _) = walk(&emu, FAILURES, "failedDataRowImports", "results", &id, 100);
    let messages: Vec<&str> = failed
        .iter()
        .filter_map(|r| r["message"].as_str())
        .collect();
    assert_eq!(messages.len(), 4, "{failed:?}");
    assert_eq!(messages[0], "Duplicate global key: 'g1'");
    assert_eq!(messages[1], "Duplicate global key: 'taken'");
    assert_eq!(
        messages[2],
        "A schemaId can only be specified once per DataRow : [s1]"
    );
    assert!(messages[3].contains("never-imported"), "{}", messages[3]);
    assert_eq!(failed[2]["spec"]["externalId"], "meta");
    assert_eq!(
        failed[2]["spec"]["metadata"][1],
        json!({"schemaId": "s1", "value": "b", "name": null})
    );
    assert_eq!(
        failed[2]["spec"]["attachments"][0],
        json!({"type": "RAW_TEXT", "value": "note", "name": "n"})
    );

    // Exactly once: one row per created key, the update applied in place.
    let rows = emu.data_rows(&ds);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].global_key.as_deref(), Some("taken"));
    assert_eq!(rows[0].external_id.as_deref(), Some("updated"));
    assert_eq!(rows[1].global_key.as_deref(), Some("g1"));
    let count = data(
        &emu,
        "query($id: ID!){dataset(where:{id:$id}){rowCount}}",
        json!({"id": ds}),
    );
    assert_eq!(count["dataset"]["rowCount"], 2);
}

#[test]
fn result_nodes_answer_any_selection_as_graphql_does() {
    let emu = fast();
    let ds = emu.create_dataset("d");
    let mut items = create_items(&ds, "n", 3);
    items[1]["payload"]["external_id"] = json!("ext-1");
    items[2]["payload"]["row_data"] = json!({"text": "hi"});
    let id = start_import(&emu, &items);
    assert_eq!(emu.wait_for_task(&id, WAIT).as_deref(), Some("COMPLETE"));
    // Validation refuses unused variables and fragments: declare only those the selection uses.
    let nodes = |selection: &str| {
        let mut declared = String::from("$t: ID!");
        for var in ["yes", "no"] {
            if selection.contains(&format!("${var}")) {
                declared.push_str(&format!(", ${var}: Boolean!"));
            }
        }
        let fragment = match selection.contains("...F") {
            true => " fragment F on SuccessfulDataRowImport { globalKey id }",
            false => "",
        };
        let query = format!(
            "query({declared}) {{ successesfulDataRowImports(data: {{taskId: $t}}) {{ nodes {{ {selection} }} }} }}{fragment}"
        );
        let variables = json!({"t": id, "yes": true, "no": false});
        let mut used = json!({"t": id});
        for var in ["yes", "no"] {
            if selection.contains(&format!("${var}")) {
                used[var] = variables[var].clone();
            }
        }
        data(&emu, &query, used)["successesfulDataRowImports"]["nodes"].clone()
    };
    let ids: Vec<Value> = emu.data_rows(&ds).iter().map(|r| json!(r.id)).collect();
    let plain = nodes("id externalId globalKey rowData");
    assert_eq!(
        plain,
        json!([
            {"id": ids[0], "externalId": null, "globalKey": "n0", "rowData": "https://example.com/n0.jpg"},
            {"id": ids[1], "externalId": "ext-1", "globalKey": "n1", "rowData": "https://example.com/n1.jpg"},
            {"id": ids[2], "externalId": null, "globalKey": "n2", "rowData": "{\"text\":\"hi\"}"},
        ])
    );
    // Aliases, a field twice, fragments and __typename, in document order.
    let shaped = nodes(
        "key: globalKey id id ...F ... on SuccessfulDataRowImport { __typename rowData } ... { key: globalKey }",
    );
    assert_eq!(
        shaped[1],
        json!({"key": "n1", "id": ids[1], "globalKey": "n1", "__typename": "SuccessfulDataRowImport",
               "rowData": "https://example.com/n1.jpg"})
    );
    // Directives are honoured (the generic path): the same answer as without them.
    let directed = nodes(
        "id @include(if: $yes) externalId @skip(if: $no) globalKey rowData @skip(if: $yes) ...F @include(if: $no)",
    );
    assert_eq!(
        directed[1],
        json!({"id": ids[1], "externalId": "ext-1", "globalKey": "n1"})
    );
    let with_directive = nodes("id externalId globalKey rowData @include(if: $yes)");
    assert_eq!(with_directive, plain);
}

#[test]
fn result_pages_are_cursor_paginated_with_the_full_total() {
    let emu = fast();
    let ds = emu.create_dataset("d");
    let items = create_items(&ds, "k", 12);
    let id = start_import(&emu, &items);
    assert_eq!(emu.wait_for_task(&id, WAIT).as_deref(), Some("COMPLETE"));
    let (rows, totals) = walk(
        &emu,
        SUCCESSES,
        "successesfulDataRowImports",
        "nodes",
        &id,
        5,
    );
    assert_eq!(totals, vec![12, 12, 12]);
    let keys: Vec<String> = rows
        .iter()
        .filter_map(|r| r["globalKey"].as_str().map(str::to_string))
        .collect();
    let expected: Vec<String> = (0..12).map(|i| format!("k{i}")).collect();
    assert_eq!(keys, expected);
    let first = data(
        &emu,
        SUCCESSES,
        json!({"taskId": id, "first": 5, "from": null}),
    );
    assert_eq!(first["successesfulDataRowImports"]["after"], "5");
    let (failed, totals) = walk(&emu, FAILURES, "failedDataRowImports", "results", &id, 5);
    assert!(failed.is_empty());
    assert_eq!(totals, vec![0]);
    // An unknown task has no rows: an empty, complete page (what the official SDK reads;
    // an error object made it crash with a TypeError).
    for (query, field, list) in [
        (SUCCESSES, "successesfulDataRowImports", "nodes"),
        (FAILURES, "failedDataRowImports", "results"),
    ] {
        let missing = data(
            &emu,
            query,
            json!({"taskId": "nope", "first": 5, "from": null}),
        );
        assert_eq!(
            missing[field],
            json!({list: [], "after": null, "total": 0}),
            "{field}"
        );
    }
}

#[test]
fn an_import_is_in_progress_with_a_rising_percentage_then_complete() {
    let emu = start(
        Emulator::builder()
            .import_rows_per_second(40)
            .min_task_duration(Duration::ZERO),
    );
    let ds = emu.create_dataset("d");
    let items = create_items(&ds, "p", 100);
    let id = start_import(&emu, &items);
    // Poll until some rows are applied; the import takes 2.5 s in all.
    let deadline = Instant::now() + WAIT;
    let seen = loop {
        let t = task(&emu, &id);
        let pct = t["completionPercentage"].as_f64().unwrap_or(0.0);
        if pct > 0.0 || Instant::now() > deadline {
            break t;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let pct = seen["completionPercentage"].as_f64().unwrap_or(0.0);
    assert!(pct > 0.0 && pct < 1.0, "{seen}");
    assert_eq!(seen["status"], "IN_PROGRESS");
    assert_eq!(emu.wait_for_task(&id, WAIT).as_deref(), Some("COMPLETE"));
    assert_eq!(emu.data_rows(&ds).len(), 100);
}

#[test]
fn the_minimum_duration_keeps_a_small_import_in_progress() {
    let emu = start(Emulator::builder().min_task_duration(Duration::from_secs(30)));
    let ds = emu.create_dataset("d");
    let id = start_import(&emu, &json!([create_item(&ds, "one")]));
    assert_eq!(
        emu.wait_for_task(&id, Duration::from_millis(300))
            .as_deref(),
        Some("IN_PROGRESS")
    );
}

#[test]
fn cancel_moves_through_cancelling_to_canceled_and_stops_processing() {
    let emu = start(
        Emulator::builder()
            .import_rows_per_second(10)
            .min_task_duration(Duration::ZERO)
            // Long enough that the poll right after the cancel cannot miss CANCELLING.
            .cancel_duration(Duration::from_secs(2))
            // Imports are not cancelable by default (nor known to be in production).
            .cancelable_task_types(["AdvUpsertDataRows"]),
    );
    let ds = emu.create_dataset("d");
    let items = create_items(&ds, "c", 1000);
    let id = start_import(&emu, &items);
    let answer = data(&emu, CANCEL, json!({"id": id}));
    assert_eq!(answer["cancelBulkOperationJob"]["success"], true);
    let status = task(&emu, &id)["status"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(status, "CANCELLING");
    assert_eq!(emu.wait_for_task(&id, WAIT).as_deref(), Some("CANCELED"));
    let rows_then = emu.data_rows(&ds).len();
    assert!(rows_then < 1000, "{rows_then}");
    // A second cancel of a finished task is refused.
    let again = data(&emu, CANCEL, json!({"id": id}));
    assert_eq!(again["cancelBulkOperationJob"]["success"], false);
    assert_eq!(emu.data_rows(&ds).len(), rows_then);
}

#[test]
fn an_unreadable_manifest_or_chunk_fails_the_task() {
    let emu = fast();
    let ds = emu.create_dataset("d");
    let cases = [
        format!("{}nothing-here", emu.file_url_prefix()),
        "https://elsewhere.example.com/manifest.json".to_string(),
        upload_url(&emu, b"not json"),
        upload_url(
            &emu,
            json!({"chunk_uris": [upload_url(&emu, b"{broken")]})
                .to_string()
                .as_bytes(),
        ),
    ];
    for manifest in cases {
        let started = data(&emu, UPSERT, json!({"manifestUri": manifest}));
        let id = started["upsertDataRows"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert_eq!(
            emu.wait_for_task(&id, WAIT).as_deref(),
            Some("FAILED"),
            "{manifest}"
        );
        let errors = data(
            &emu,
            "query($u: ID!, $t: ID!){user(where:{id:$u}){createdTasks(where:{id:$t}){errors}}}",
            json!({"u": emu.user_id(), "t": id}),
        );
        let message = errors["user"]["createdTasks"][0]["errors"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            message.starts_with("Unable to read") || message.starts_with("Invalid"),
            "{message}"
        );
    }
    assert!(emu.data_rows(&ds).is_empty());
}

#[test]
fn imports_are_not_cancelable_by_default() {
    let emu = start(
        Emulator::builder()
            .import_rows_per_second(10)
            .min_task_duration(Duration::ZERO),
    );
    let ds = emu.create_dataset("d");
    let id = start_import(&emu, &create_items(&ds, "n", 100));
    let answer = data(&emu, CANCEL, json!({"id": id}));
    assert_eq!(answer["cancelBulkOperationJob"]["success"], false);
    assert_eq!(emu.task_status(&id).as_deref(), Some("IN_PROGRESS"));
}

#[test]
fn rows_whose_data_does_not_fit_their_media_type_fail() {
    let emu = fast();
    let ds = emu.create_dataset("d");
    let item = |row_data: Value, media_type: &str| json!({"payload": {"row_data": row_data, "media_type": media_type, "dataset_id": ds}});
    let pdf = json!({"pdfUrl": "https://a/doc.pdf", "textLayerUrl": "https://a/layer.json"});
    let items = json!([
        item(json!({"invalid_object": "invalid_value"}), "IMAGE"),
        item(json!("https://a/x.jpg"), "totallyinvalid"),
        item(pdf.clone(), "TEXT"),
        item(pdf, "PDF"),
        item(json!("https://a/x.jpg"), "IMAGE"),
        item(json!({"pdf_url": "https://a/other.pdf"}), "PDF"),
    ]);
    let id = start_import(&emu, &items);
    assert_eq!(emu.wait_for_task(&id, WAIT).as_deref(), Some("COMPLETE"));
    let (failed, _) = walk(&emu, FAILURES, "failedDataRowImports", "results", &id, 100);
    let messages: Vec<&str> = failed
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(
        messages,
        vec![
            "Expected type image/*, detected: application/json",
            "Found invalid media type: 'totallyinvalid'",
            "Expected type text/*, detected: application/json",
        ]
    );
    let kept: Vec<Value> = emu.data_rows(&ds).into_iter().map(|r| r.row_data).collect();
    assert_eq!(
        kept,
        vec![
            json!("https://a/doc.pdf"),
            json!("https://a/x.jpg"),
            json!("https://a/other.pdf")
        ]
    );
}

#[test]
fn a_finished_import_has_a_result_file_url() {
    let emu = fast();
    let ds = emu.create_dataset("d");
    let items = json!([create_item(&ds, "a"), create_item(&ds, "a")]);
    let id = start_import(&emu, &items);
    assert_eq!(emu.wait_for_task(&id, WAIT).as_deref(), Some("COMPLETE"));
    let query = "query T($userId: ID!, $taskId: ID!) { user(where: {id: $userId}) { createdTasks(where: {id: $taskId} skip: 0 first: 1) { result errors } } }";
    let found = data(&emu, query, json!({"userId": emu.user_id(), "taskId": id}));
    let task = &found["user"]["createdTasks"][0];
    assert_eq!(task["errors"], Value::Null);
    let url = task["result"].as_str().unwrap_or_default();
    assert!(url.starts_with(&emu.file_url_prefix()), "{url}");
    let (status, bytes) = common::get(url);
    assert_eq!(status, 200);
    let file: Value = serde_json::from_slice(&bytes).unwrap_or_default();
    assert_eq!(file["createdDataRows"][0]["globalKey"], "a");
    assert_eq!(file["errors"][0]["message"], "Duplicate global key: 'a'");
}

#[test]
fn a_failed_import_lists_its_reason_among_the_failed_rows() {
    let emu = start(Emulator::builder().min_task_duration(Duration::ZERO));
    let upsert = "mutation($m: String!) { upsertDataRows(data: {manifestUri: $m}) { id } }";
    let started = data(
        &emu,
        upsert,
        json!({"m": "https://elsewhere.example/m.json"}),
    );
    let id = started["upsertDataRows"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(emu.wait_for_task(&id, WAIT).as_deref(), Some("FAILED"));
    // The official SDK's FAILED DataUpsertTask reads its errors here (`Job failed. Errors :`).
    let (failed, totals) = walk(&emu, FAILURES, "failedDataRowImports", "results", &id, 100);
    assert_eq!(totals, vec![1]);
    assert_eq!(
        failed[0]["message"],
        "Unable to read manifest file at https://elsewhere.example/m.json"
    );
    assert_eq!(failed[0]["spec"]["metadata"], json!([]));
    let (created, _) = walk(
        &emu,
        SUCCESSES,
        "successesfulDataRowImports",
        "nodes",
        &id,
        100,
    );
    assert!(created.is_empty());
}
