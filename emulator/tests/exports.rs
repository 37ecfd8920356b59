//! Streamable exports over HTTP (PROTOCOL 3.9): the mutation, the task, the stream header and
//! files across borders, offsets, selections, line shapes, cancel, listings and bad input.

mod common;

use std::time::{Duration, Instant};

use common::{
    create_items, data, error_code, get, gql, start, start_import, task, upload_manifest, CANCEL,
    UPSERT,
};
use labelbox_emulator::Emulator;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(60);

const EXPORT: &str = "mutation exportDataRowsInCatalogPyApi($input: ExportDataRowsInCatalogInput!){exportDataRowsInCatalog(input: $input){taskId isStreamable}}";
const HEADER: &str = "query GetExportMetadataHeaderPyApi($where: WhereUniqueIdInput, $streamType: TaskStreamType!){task(where: $where){exportMetadataHeader(streamType: $streamType){totalSize totalLines}}}";
const FILE: &str = "query GetExportFileFromOffsetPyApi($where: WhereUniqueIdInput, $streamType: TaskStreamType!, $offset: UInt64!){task(where: $where){exportFileFromOffset(streamType: $streamType, offset: $offset){offsets {start end} lines {start end} file}}}";

/// Imports fast; exports take at least `min` and stream files of at most `file_size` bytes.
fn emulator(min: Duration, file_size: usize) -> Emulator {
    start(
        Emulator::builder()
            .import_rows_per_second(1_000_000)
            .min_task_duration(min)
            .export_file_size(file_size),
    )
}

/// The official SDK's `params` with every flag false (what `dataset.export()` sends).
fn params() -> Value {
    json!({"mediaTypeOverride": null, "includeAttachments": false, "includeEmbeddings": false,
           "includeMetadata": false, "includeDataRowDetails": false, "includeProjectDetails": false,
           "includePerformanceDetails": false, "includeLabelDetails": false,
           "includeInterpolatedFrames": false, "includePredictions": false, "projectIds": null,
           "modelRunIds": null, "allProjects": false, "allModelRuns": false})
}

/// The official SDK's input for a search `query` and `params`.
fn input(query: Value, params: Value) -> Value {
    json!({"input": {"taskName": "Export v2: test", "filters": {"searchQuery": {"scope": null, "query": query}},
                     "isStreamableReady": true, "params": params, "streamable": true}})
}

fn is(kind: &str, ids: &[&str]) -> Value {
    json!({"ids": ids, "operator": "is", "type": kind})
}

/// Starts an export; answers the task id.
fn export(emu: &Emulator, query: Value, params: Value) -> String {
    let started = data(emu, EXPORT, input(query, params))["exportDataRowsInCatalog"].clone();
    assert_eq!(started["isStreamable"], true);
    started["taskId"].as_str().unwrap_or_default().to_string()
}

/// A dataset with `n` imported rows (global keys `{prefix}0..`); answers its id.
fn dataset_with_rows(emu: &Emulator, prefix: &str, n: usize) -> String {
    let ds = emu.create_dataset(prefix);
    let import = start_import(emu, &create_items(&ds, prefix, n));
    assert_eq!(
        emu.wait_for_task(&import, WAIT).as_deref(),
        Some("COMPLETE")
    );
    ds
}

fn header(emu: &Emulator, task_id: &str, stream: &str) -> Value {
    data(
        emu,
        HEADER,
        json!({"where": {"id": task_id}, "streamType": stream}),
    )["task"]["exportMetadataHeader"]
        .clone()
}

fn file_at(emu: &Emulator, task_id: &str, stream: &str, offset: Value) -> (u16, Value) {
    gql(
        emu,
        FILE,
        json!({"where": {"id": task_id}, "streamType": stream, "offset": offset}),
    )
}

/// A UInt64 as the emulator writes it (a decimal string).
fn uint(v: &Value) -> u64 {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a UInt64 string: {v}"))
}

/// Reads a stream file by file as the official SDK does; answers its lines and file count.
fn read_stream(emu: &Emulator, task_id: &str, stream: &str) -> (Vec<Value>, usize) {
    let head = header(emu, task_id, stream);
    let (total_size, total_lines) = (uint(&head["totalSize"]), uint(&head["totalLines"]));
    let (mut offset, mut next_line, mut files, mut lines) = (0, 0, 0, Vec::new());
    while offset < total_size {
        let (status, body) = file_at(emu, task_id, stream, json!(offset.to_string()));
        assert_eq!(status, 200, "{body}");
        let info = &body["data"]["task"]["exportFileFromOffset"];
        let (start, end) = (
            uint(&info["offsets"]["start"]),
            uint(&info["offsets"]["end"]),
        );
        let (first, last) = (uint(&info["lines"]["start"]), uint(&info["lines"]["end"]));
        assert_eq!(
            (start, first),
            (offset, next_line),
            "files follow each other"
        );
        let (status, bytes) = get(info["file"].as_str().unwrap_or_default());
        assert_eq!(status, 200);
        assert_eq!(
            bytes.len() as u64,
            end - start + 1,
            "body is end - start + 1 bytes"
        );
        assert!(bytes.ends_with(b"\n"), "a file holds whole lines");
        let text = String::from_utf8(bytes).unwrap_or_default();
        let file_lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        assert_eq!(file_lines.len() as u64, last - first + 1);
        lines.extend(file_lines);
        files += 1;
        offset = end + 1;
        next_line = last + 1;
    }
    assert_eq!((offset, next_line), (total_size, total_lines));
    (lines, files)
}

fn ids_of(lines: &[Value], key: &str) -> Vec<String> {
    lines
        .iter()
        .map(|l| l["data_row"][key].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_dataset_export_runs_in_the_background_and_streams_every_row_across_files() {
    let emu = emulator(Duration::from_millis(600), 1_000);
    let ds = dataset_with_rows(&emu, "row", 40);
    let id = export(&emu, json!([is("dataset", &[&ds])]), params());

    let mut seen = Vec::new();
    let deadline = Instant::now() + WAIT;
    let last = loop {
        let t = task(&emu, &id);
        assert_eq!(t["type"], "export-data-rows");
        seen.push(t["completionPercentage"].as_f64().unwrap_or(-1.0));
        if t["status"] != "IN_PROGRESS" || Instant::now() > deadline {
            break t;
        }
        // Before COMPLETE there is no stream to read: a header read after the status above
        // may find the export just ended, never still running.
        if header(&emu, &id, "RESULT") != Value::Null {
            assert_ne!(
                task(&emu, &id)["status"],
                "IN_PROGRESS",
                "a stream while running"
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(last["status"], "COMPLETE");
    assert_eq!(last["completionPercentage"], 1.0);
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert!(seen.iter().any(|p| *p > 0.0 && *p < 1.0), "{seen:?}");

    let (lines, files) = read_stream(&emu, &id, "RESULT");
    assert!(
        files >= 4,
        "40 lines of ~100 bytes in 1,000-byte files: {files}"
    );
    let stored: Vec<String> = emu.data_rows(&ds).into_iter().map(|r| r.id).collect();
    assert_eq!(ids_of(&lines, "id"), stored);
    let keys: Vec<String> = (0..40).map(|i| format!("row{i}")).collect();
    assert_eq!(ids_of(&lines, "global_key"), keys);
    assert_eq!(header(&emu, &id, "ERRORS"), Value::Null);
    assert_eq!(header(&emu, &id, "RESULT")["totalLines"], "40");
}

#[test]
fn offsets_find_the_file_that_holds_them_and_the_end_is_an_error() {
    let emu = emulator(Duration::ZERO, 500);
    let ds = dataset_with_rows(&emu, "o", 20);
    let id = export(&emu, json!([is("dataset", &[&ds])]), params());
    assert_eq!(emu.wait_for_task(&id, WAIT).as_deref(), Some("COMPLETE"));
    let total = uint(&header(&emu, &id, "RESULT")["totalSize"]);

    let (_, first) = file_at(&emu, &id, "RESULT", json!("0"));
    let first = first["data"]["task"]["exportFileFromOffset"].clone();
    let end = uint(&first["offsets"]["end"]);
    // A byte inside the first file, and its last byte, answer the same file.
    for offset in [1, end] {
        let (_, same) = file_at(&emu, &id, "RESULT", json!(offset.to_string()));
        assert_eq!(same["data"]["task"]["exportFileFromOffset"], first);
    }
    let (_, second) = file_at(&emu, &id, "RESULT", json!((end + 1).to_string()));
    let second = &second["data"]["task"]["exportFileFromOffset"];
    assert_eq!(uint(&second["offsets"]["start"]), end + 1);
    assert_eq!(
        uint(&second["lines"]["start"]),
        uint(&first["lines"]["end"]) + 1
    );
    // A number is a UInt64 too.
    let (status, _) = file_at(&emu, &id, "RESULT", json!(0));
    assert_eq!(status, 200);

    for past in [total, total + 1] {
        let (status, body) = file_at(&emu, &id, "RESULT", json!(past.to_string()));
        assert_eq!(
            (status, error_code(&body)),
            (400, "GRAPHQL_VALIDATION_FAILED"),
            "{body}"
        );
    }
    for bad in [json!("-1"), json!("1e3"), json!("x"), json!(-1), json!(1.5)] {
        let (status, body) = file_at(&emu, &id, "RESULT", bad.clone());
        assert_eq!(
            (status, error_code(&body)),
            (400, "GRAPHQL_VALIDATION_FAILED"),
            "{bad}: {body}"
        );
    }
    // No errors stream: the file query answers null, like the header.
    let (status, none) = file_at(&emu, &id, "ERRORS", json!("0"));
    assert_eq!(status, 200);
    assert_eq!(none["data"]["task"]["exportFileFromOffset"], Value::Null);
}

#[test]
fn exports_by_data_row_ids_and_global_keys_and_of_unknown_ids() {
    let emu = emulator(Duration::ZERO, 4_096);
    let ds = dataset_with_rows(&emu, "s", 5);
    let rows = emu.data_rows(&ds);
    let (a, c) = (rows[0].id.as_str(), rows[2].id.as_str());

    let by_ids = export(&emu, json!([is("data_row_id", &[c, "nope", a])]), params());
    assert_eq!(
        emu.wait_for_task(&by_ids, WAIT).as_deref(),
        Some("COMPLETE")
    );
    let (lines, _) = read_stream(&emu, &by_ids, "RESULT");
    assert_eq!(ids_of(&lines, "id"), [c, a]);
    assert_eq!(header(&emu, &by_ids, "ERRORS"), Value::Null);

    let by_keys = export(
        &emu,
        json!([is("global_key", &["s4", "s1", "missing"])]),
        params(),
    );
    assert_eq!(
        emu.wait_for_task(&by_keys, WAIT).as_deref(),
        Some("COMPLETE")
    );
    let (lines, _) = read_stream(&emu, &by_keys, "RESULT");
    assert_eq!(ids_of(&lines, "global_key"), ["s4", "s1"]);

    // A dataset export narrowed by ids (what `dataset.export(filters=...)` sends).
    let other = dataset_with_rows(&emu, "t", 2);
    let t0 = emu.data_rows(&other)[0].id.clone();
    let narrowed = export(
        &emu,
        json!([is("data_row_id", &[a, &t0]), is("dataset", &[&ds])]),
        params(),
    );
    assert_eq!(
        emu.wait_for_task(&narrowed, WAIT).as_deref(),
        Some("COMPLETE")
    );
    let (lines, _) = read_stream(&emu, &narrowed, "RESULT");
    assert_eq!(ids_of(&lines, "id"), [a]);

    // Unknown ids: COMPLETE, with neither stream (the official SDK's own test).
    let unknown = export(&emu, json!([is("data_row_id", &["invalid_id"])]), params());
    assert_eq!(
        emu.wait_for_task(&unknown, WAIT).as_deref(),
        Some("COMPLETE")
    );
    assert_eq!(task(&emu, &unknown)["completionPercentage"], 1.0);
    assert_eq!(header(&emu, &unknown, "RESULT"), Value::Null);
    assert_eq!(header(&emu, &unknown, "ERRORS"), Value::Null);
    let (_, none) = file_at(&emu, &unknown, "RESULT", json!("0"));
    assert_eq!(none["data"]["task"]["exportFileFromOffset"], Value::Null);
}

#[test]
fn the_include_params_shape_each_line() {
    let emu = emulator(Duration::ZERO, 4_096);
    let ds = emu.create_dataset("shapes");
    let items = json!([{"id": {"type": "AUTO", "value": ""},
        "payload": {"row_data": "https://example.com/a.jpg", "global_key": "gk-a", "external_id": "ext-a",
                    "dataset_id": ds,
                    "attachments": [{"type": "RAW_TEXT", "value": "note", "name": "n"}],
                    "metadata_fields": [{"schemaId": "cko8s9r5v0001h2dk9elqdidh", "value": "tag value"}]}},
        {"id": {"type": "AUTO", "value": ""},
        "payload": {"row_data": {"type": "application/vnd.labelbox.conversational", "messages": []},
                    "dataset_id": ds}}]);
    let manifest = upload_manifest(&emu, &items);
    let import = data(&emu, UPSERT, json!({"manifestUri": manifest}))["upsertDataRows"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        emu.wait_for_task(&import, WAIT).as_deref(),
        Some("COMPLETE")
    );

    let bare = export(&emu, json!([is("dataset", &[&ds])]), params());
    assert_eq!(emu.wait_for_task(&bare, WAIT).as_deref(), Some("COMPLETE"));
    let (lines, _) = read_stream(&emu, &bare, "RESULT");
    let id = emu.data_rows(&ds)[0].id.clone();
    assert_eq!(
        lines[0],
        json!({"data_row": {"id": id, "global_key": "gk-a", "row_data": "https://example.com/a.jpg",
                            "external_id": "ext-a"},
               "media_attributes": {"asset_type": "image", "mime_type": "image/jpeg"},
               "projects": {}, "experiments": {}})
    );
    // Row data that is JSON is written as JSON text; absent keys are left out.
    let second = &lines[1]["data_row"];
    assert_eq!(second.get("global_key"), None);
    let text = second["row_data"].as_str().unwrap_or_default();
    assert_eq!(
        serde_json::from_str::<Value>(text).ok(),
        Some(json!({"type": "application/vnd.labelbox.conversational", "messages": []}))
    );

    let mut all = params();
    for flag in [
        "includeAttachments",
        "includeEmbeddings",
        "includeMetadata",
        "includeDataRowDetails",
    ] {
        all[flag] = json!(true);
    }
    all["projectIds"] = json!(["some-project"]);
    all["mediaTypeOverride"] = json!("IMAGE");
    let full = export(&emu, json!([is("dataset", &[&ds])]), all);
    assert_eq!(emu.wait_for_task(&full, WAIT).as_deref(), Some("COMPLETE"));
    let (lines, _) = read_stream(&emu, &full, "RESULT");
    let line = &lines[0];
    let details = &line["data_row"]["details"];
    assert_eq!(details["dataset_id"], json!(ds));
    assert_eq!(details["dataset_name"], "shapes");
    assert_eq!(details["created_by"], "emulator@example.com");
    for time in ["created_at", "updated_at", "last_activity_at"] {
        assert!(
            details[time].as_str().is_some_and(|t| t.ends_with('Z')),
            "{details}"
        );
    }
    assert_eq!(
        line["attachments"],
        json!([{"type": "RAW_TEXT", "value": "note", "name": "n"}])
    );
    assert_eq!(
        line["metadata_fields"],
        json!([{"schema_id": "cko8s9r5v0001h2dk9elqdidh", "value": "tag value"}])
    );
    assert_eq!(line["embeddings"], json!([]));
    assert_eq!(
        (&line["projects"], &line["experiments"]),
        (&json!({}), &json!({}))
    );
    assert_eq!(lines[1]["attachments"], json!([]));
}

#[test]
fn a_running_export_is_cancelled_and_never_gets_a_stream() {
    let emu = start(
        Emulator::builder()
            .import_rows_per_second(1_000_000)
            .min_task_duration(Duration::from_secs(30))
            .cancel_duration(Duration::from_millis(200)),
    );
    let ds = emu.create_dataset("c");
    let id = export(&emu, json!([is("dataset", &[&ds])]), params());
    assert_eq!(task(&emu, &id)["status"], "IN_PROGRESS");
    let types = data(&emu, "query { cancelableTaskTypes }", json!({}));
    assert!(types["cancelableTaskTypes"]
        .as_array()
        .is_some_and(|t| t.contains(&json!("ExportDataRows"))));
    let started = Instant::now();
    let cancel = data(&emu, CANCEL, json!({"id": id}));
    assert_eq!(cancel["cancelBulkOperationJob"]["success"], true);
    assert_eq!(task(&emu, &id)["status"], "CANCELLING");
    assert_eq!(emu.wait_for_task(&id, WAIT).as_deref(), Some("CANCELED"));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the export stopped at once"
    );
    assert_eq!(header(&emu, &id, "RESULT"), Value::Null);
    // A second cancel of a finished task changes nothing.
    let again = data(&emu, CANCEL, json!({"id": id}));
    assert_eq!(again["cancelBulkOperationJob"]["success"], false);
}

#[test]
fn exports_are_listed_by_the_user_not_by_the_organization() {
    let emu = emulator(Duration::ZERO, 4_096);
    let ds = dataset_with_rows(&emu, "l", 1);
    let id = export(&emu, json!([is("dataset", &[&ds])]), params());
    assert_eq!(emu.wait_for_task(&id, WAIT).as_deref(), Some("COMPLETE"));
    let org = data(
        &emu,
        "query($s: TaskStatus!) { organization { tasks(where: {status: $s}) { id type } } }",
        json!({"s": "COMPLETE"}),
    );
    let org_tasks = org["organization"]["tasks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!org_tasks.is_empty(), "the import is listed");
    assert!(
        org_tasks.iter().all(|t| t["type"] != "export-data-rows"),
        "{org}"
    );
    let by_id = data(
        &emu,
        "query($t: ID!) { organization { tasks(where: {id: $t}) { id } } }",
        json!({"t": id}),
    );
    assert_eq!(by_id["organization"]["tasks"], json!([]));

    let mine = data(
        &emu,
        "query($u: ID!, $s: TaskStatus!) { user(where: {id: $u}) { createdTasks(where: {status: $s}) { id type name } } }",
        json!({"u": emu.user_id(), "s": "COMPLETE"}),
    );
    let listed = &mine["user"]["createdTasks"];
    let export_task = listed
        .as_array()
        .and_then(|l| l.iter().find(|t| t["id"] == json!(id)))
        .cloned();
    assert_eq!(
        export_task.map(|t| t["name"].clone()),
        Some(json!("Export v2: test"))
    );
    // The `task` root finds any task by id, with its fields.
    let root = data(
        &emu,
        "query($t: ID!) { task(where: {id: $t}) { id type status } }",
        json!({"t": id}),
    );
    assert_eq!(root["task"]["type"], "export-data-rows");
}

#[test]
fn seeded_exports_serve_an_errors_stream() {
    let emu = emulator(Duration::ZERO, 30);
    let id = emu.insert_export(
        vec![r#"{"data_row":{"id":"a"}}"#],
        (0..5).map(|i| format!(r#"{{"message":"error {i}"}}"#)),
    );
    assert_eq!(task(&emu, &id)["status"], "COMPLETE");
    let (errors, files) = read_stream(&emu, &id, "ERRORS");
    assert!(files >= 2, "{files}");
    let messages: Vec<&str> = errors
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert_eq!(
        messages,
        ["error 0", "error 1", "error 2", "error 3", "error 4"]
    );
    let (result, _) = read_stream(&emu, &id, "RESULT");
    assert_eq!(result, [json!({"data_row": {"id": "a"}})]);
    // A seeded export without result lines has no result stream.
    let empty = emu.insert_export(Vec::<String>::new(), vec!["{}"]);
    assert_eq!(header(&emu, &empty, "RESULT"), Value::Null);
    assert_eq!(header(&emu, &empty, "ERRORS")["totalLines"], "1");
}

#[test]
fn bad_export_inputs_are_refused_before_any_task_starts() {
    let emu = emulator(Duration::ZERO, 4_096);
    let ds = emu.create_dataset("bad");
    let many: Vec<String> = (0..2_001).map(|i| format!("id{i}")).collect();
    let refused_queries = [
        json!([{"ids": [ds], "operator": "is", "type": "project"}]),
        json!([{"ids": [ds], "type": "dataset"}]),
        json!([{"ids": [ds], "operator": "isnt", "type": "dataset"}]),
        json!([{"ids": [], "operator": "is", "type": "data_row_id"}]),
        json!([{"operator": "is", "type": "global_key"}]),
        json!([{"ids": many, "operator": "is", "type": "data_row_id"}]),
        json!([is("data_row_id", &["a"]), is("global_key", &["b"])]),
        json!([is("data_row_id", &["a"]), is("data_row_id", &["b"])]),
        json!([is("dataset", &[&ds, "other"])]),
        json!([{"type": "data_row_last_activity_at", "value": {"operator": "GREATER_THAN_OR_EQUAL", "timezone": "UTC", "value": "2000-01-01"}}]),
        json!([{"ids": [ds], "operator": "is", "type": "dataset", "value": 1}]),
    ];
    for query in refused_queries {
        let (status, body) = gql(&emu, EXPORT, input(query.clone(), params()));
        assert_eq!(
            (status, error_code(&body)),
            (400, "GRAPHQL_VALIDATION_FAILED"),
            "{query}: {body}"
        );
    }
    let mut scoped = input(json!([is("dataset", &[&ds])]), params());
    scoped["input"]["filters"]["searchQuery"]["scope"] = json!({"projectId": "p"});
    let mut unknown_field = input(json!([is("dataset", &[&ds])]), params());
    unknown_field["input"]["filters"]["searchQuery"]["query"][0]["extra"] = json!(1);
    let mut bad_media = input(json!([is("dataset", &[&ds])]), params());
    bad_media["input"]["params"]["mediaTypeOverride"] = json!("SPREADSHEET");
    let mut too_many_projects = input(json!([is("dataset", &[&ds])]), params());
    too_many_projects["input"]["params"]["projectIds"] = json!(vec!["p"; 31]);
    let mut unknown_param = input(json!([is("dataset", &[&ds])]), params());
    unknown_param["input"]["params"]["includeEverything"] = json!(true);
    let mut no_params = input(json!([is("dataset", &[&ds])]), params());
    no_params["input"]
        .as_object_mut()
        .map(|o| o.remove("params"));
    for variables in [
        scoped,
        unknown_field,
        bad_media,
        too_many_projects,
        unknown_param,
        no_params,
    ] {
        let (status, body) = gql(&emu, EXPORT, variables.clone());
        assert_eq!(
            (status, error_code(&body)),
            (400, "GRAPHQL_VALIDATION_FAILED"),
            "{variables}: {body}"
        );
    }
    // Nothing was started.
    let listed = data(
        &emu,
        "query($u: ID!) { user(where: {id: $u}) { createdTasks { id } } }",
        json!({"u": emu.user_id()}),
    );
    assert_eq!(listed["user"]["createdTasks"], json!([]));

    // The task root: an unknown task, a missing `where`, an unknown stream type.
    let (status, body) = gql(
        &emu,
        HEADER,
        json!({"where": {"id": "nope"}, "streamType": "RESULT"}),
    );
    assert_eq!(
        (status, error_code(&body)),
        (200, "RESOURCE_NOT_FOUND"),
        "{body}"
    );
    let (status, body) = gql(&emu, HEADER, json!({"where": null, "streamType": "RESULT"}));
    assert_eq!(
        (status, error_code(&body)),
        (400, "GRAPHQL_VALIDATION_FAILED"),
        "{body}"
    );
    let seeded = emu.insert_export(vec!["{}"], Vec::<String>::new());
    let (status, body) = gql(
        &emu,
        HEADER,
        json!({"where": {"id": seeded}, "streamType": "BOTH"}),
    );
    assert_eq!(
        (status, error_code(&body)),
        (400, "GRAPHQL_VALIDATION_FAILED"),
        "{body}"
    );
    // An import is not an export: no stream.
    let ds2 = emu.create_dataset("imp");
    let import = start_import(&emu, &create_items(&ds2, "i", 1));
    assert_eq!(
        emu.wait_for_task(&import, WAIT).as_deref(),
        Some("COMPLETE")
    );
    assert_eq!(header(&emu, &import, "RESULT"), Value::Null);
}
