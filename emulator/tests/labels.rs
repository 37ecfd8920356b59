//! Labels over HTTP (PROTOCOL 3.10): label imports by uploaded file and by URL (state, status
//! and error files, the checks), labels and their counts, deletion, and project exports.

mod common;
mod project_helpers;

use std::time::{Duration, Instant};

use common::{data, error_code, get, gql, post_bytes, start, upload_url};
use labelbox_emulator::Emulator;
use project_helpers::{batch, connect_box_ontology, create_project, rows};
use serde_json::{json, Value};

const IMPORT_FIELDS: &str =
    "errorFileUrl inputFileUrl name progress state statusFileUrl id project { id }";
const LABELS: &str = "query GetProjectLabelsPyApi($projectId: ID!) {project (where: {id: $projectId}) {labels (skip: 0 first: 100) {id label createdBy { id } dataRow { id }} labelCount}}";
const EXPORT: &str = "mutation exportDataRowsInProjectPyApi($input: ExportDataRowsInProjectInput!){exportDataRowsInProject(input: $input){taskId isStreamable}}";
const FILE: &str = "query F($where: WhereUniqueIdInput, $streamType: TaskStreamType!, $offset: UInt64!){task(where: $where){exportFileFromOffset(streamType: $streamType, offset: $offset){file}}}";
const HEADER: &str = "query H($where: WhereUniqueIdInput, $streamType: TaskStreamType!){task(where: $where){exportMetadataHeader(streamType: $streamType){totalLines}}}";

fn emulator() -> Emulator {
    start(
        Emulator::builder()
            .import_rows_per_second(1_000_000)
            .min_task_duration(Duration::from_millis(200)),
    )
}

fn bbox(schema_id: &str, row: &str) -> Value {
    json!({"uuid": format!("u-{row}-{schema_id}"), "schemaId": schema_id, "dataRow": {"id": row},
           "bbox": {"top": 1, "left": 2, "height": 3, "width": 4}})
}

fn ndjson(lines: &[Value]) -> Vec<u8> {
    lines
        .iter()
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes()
}

/// `createLabelImport` with the file in a GraphQL multipart request, as the official SDK sends it.
fn import_file(emu: &Emulator, project: &str, name: &str, bytes: &[u8]) -> Value {
    import_file_as(emu, LABEL_IMPORT, project, name, bytes)
}

/// The official SDK's names of one import kind: its by-file operation, its mutation field,
/// its by-name query and that query's field.
struct ImportKind {
    by_file: &'static str,
    create: &'static str,
    by_name: &'static str,
    get: &'static str,
}

const LABEL_IMPORT: ImportKind = ImportKind {
    by_file: "createLabelImportByFilePyApi",
    create: "createLabelImport",
    by_name: "getLabelImportPyApi",
    get: "labelImport",
};

const MAL_IMPORT: ImportKind = ImportKind {
    by_file: "createMALPredictionImportByFilePyApi",
    create: "createModelAssistedLabelingPredictionImport",
    by_name: "getModelAssistedLabelingPredictionImportPyApi",
    get: "modelAssistedLabelingPredictionImport",
};

/// An import of `kind` with the file in a GraphQL multipart request, as the official SDK sends it.
fn import_file_as(
    emu: &Emulator,
    kind: ImportKind,
    project: &str,
    name: &str,
    bytes: &[u8],
) -> Value {
    let boundary = "----labelimportboundary";
    let ImportKind {
        by_file, create, ..
    } = kind;
    let operations = json!({
        "query": format!("mutation {by_file}($projectId : ID!, $name: String!, $file: Upload!, $contentLength: Int!) {{ {create}(data: {{ projectId: $projectId name: $name filePayload: {{ file: $file, contentLength: $contentLength}} }}) {{{IMPORT_FIELDS}}} }}"),
        "variables": {"file": null, "contentLength": bytes.len(), "projectId": project, "name": name}
    });
    let file_name = format!("{project}__{name}.ndjson");
    let mut body = Vec::new();
    let mut part = |headers: &str, content: &[u8]| {
        body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    };
    part(
        "Content-Disposition: form-data; name=\"operations\"",
        operations.to_string().as_bytes(),
    );
    part(
        "Content-Disposition: form-data; name=\"map\"",
        json!({&file_name: ["variables.file"]})
            .to_string()
            .as_bytes(),
    );
    part(
        &format!("Content-Disposition: form-data; name=\"{file_name}\"; filename=\"{file_name}\"\r\nContent-Type: application/x-ndjson"),
        bytes,
    );
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let (status, answer) = post_bytes(
        emu,
        &format!("multipart/form-data; boundary={boundary}"),
        &body,
    );
    assert_eq!(status, 200, "{answer}");
    answer
}

/// Polls `labelImport` until it is no longer RUNNING.
fn finished(emu: &Emulator, project: &str, name: &str) -> Value {
    finished_as(emu, LABEL_IMPORT, project, name)
}

/// Polls an import of `kind` by name until it is no longer RUNNING.
fn finished_as(emu: &Emulator, kind: ImportKind, project: &str, name: &str) -> Value {
    let ImportKind { by_name, get, .. } = kind;
    let query = format!("query {by_name}($projectId : ID!, $name: String!) {{ {get}(where: {{projectId: $projectId, name: $name}}){{{IMPORT_FIELDS}}}}}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let import = data(emu, &query, json!({"projectId": project, "name": name}))[get].clone();
        if import["state"] != "RUNNING" || Instant::now() > deadline {
            return import;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn ndjson_lines(url: &Value) -> Vec<Value> {
    let (status, bytes) = get(url.as_str().unwrap_or_default());
    assert_eq!(status, 200);
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// A project with an ontology and `n` rows in a batch: (project, box schema id, row ids).
fn labeled_setup(emu: &Emulator, n: usize) -> (String, String, Vec<String>) {
    let project = create_project(emu, "p");
    let schema = connect_box_ontology(emu, &project);
    let ids = rows(emu, "l", n);
    batch(emu, &project, "b", &ids);
    (project, schema, ids)
}

#[test]
fn a_label_import_checks_each_annotation_and_labels_the_accepted_ones() {
    let emu = emulator();
    let (project, schema, ids) = labeled_setup(&emu, 2);
    let outside = rows(&emu, "out", 1);
    let lines = [
        bbox(&schema, &ids[0]),
        bbox("no-such-schema", &ids[1]),
        bbox(&schema, &outside[0]),
    ];
    let created =
        import_file(&emu, &project, "first", &ndjson(&lines))["data"]["createLabelImport"].clone();
    assert_eq!(created["state"], "RUNNING");
    assert_eq!(created["statusFileUrl"], Value::Null);
    assert_eq!(
        data(&emu, LABELS, json!({"projectId": project}))["project"]["labelCount"],
        0,
        "not listed while running"
    );
    let done = finished(&emu, &project, "first");
    assert_eq!(done["state"], "FINISHED");
    let statuses = ndjson_lines(&done["statusFileUrl"]);
    let kinds: Vec<&str> = statuses
        .iter()
        .filter_map(|s| s["status"].as_str())
        .collect();
    assert_eq!(kinds, ["SUCCESS", "FAILURE", "FAILURE"]);
    let errors = ndjson_lines(&done["errorFileUrl"]);
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["errors"][0]["name"], "InvalidSchemaId");
    assert_eq!(errors[1]["errors"][0]["name"], "DataRowNotFound");
    assert_eq!(ndjson_lines(&done["inputFileUrl"]).len(), 3);
    let labels = data(&emu, LABELS, json!({"projectId": project}))["project"].clone();
    assert_eq!(labels["labelCount"], 1);
    assert_eq!(labels["labels"][0]["dataRow"]["id"], ids[0].as_str());
    let stored: Value =
        serde_json::from_str(labels["labels"][0]["label"].as_str().unwrap_or("null"))
            .unwrap_or_default();
    assert_eq!(stored, json!([lines[0]]), "annotations are stored as given");
}

#[test]
fn imports_by_url_read_served_files_and_fail_on_others() {
    let emu = emulator();
    let (project, schema, ids) = labeled_setup(&emu, 1);
    let by_url = format!("mutation createLabelImportByUrlPyApi($projectId : ID!, $name: String!, $fileUrl: String!) {{ createLabelImport(data: {{ projectId: $projectId name: $name fileUrl: $fileUrl }}) {{{IMPORT_FIELDS}}} }}");
    let url = upload_url(&emu, &ndjson(&[bbox(&schema, &ids[0])]));
    data(
        &emu,
        &by_url,
        json!({"projectId": project, "name": "u", "fileUrl": url}),
    );
    assert_eq!(finished(&emu, &project, "u")["state"], "FINISHED");
    data(
        &emu,
        &by_url,
        json!({"projectId": project, "name": "far", "fileUrl": "https://example.com/labels.ndjson"}),
    );
    let failed = finished(&emu, &project, "far");
    assert_eq!(
        (failed["state"].as_str(), &failed["errorFileUrl"]),
        (Some("FAILED"), &Value::Null)
    );
    let (_, body) = gql(
        &emu,
        &by_url,
        json!({"projectId": "nope", "name": "x", "fileUrl": url}),
    );
    assert_eq!(error_code(&body), "RESOURCE_NOT_FOUND");
    let garbage = import_file(&emu, &project, "garbage", b"not json\n");
    assert_eq!(garbage["data"]["createLabelImport"]["state"], "RUNNING");
    assert_eq!(finished(&emu, &project, "garbage")["state"], "FAILED");
    assert_eq!(
        data(&emu, LABELS, json!({"projectId": project}))["project"]["labelCount"],
        1
    );
}

#[test]
fn mal_prediction_imports_are_checked_like_labels_listed_and_deleted_but_never_labels() {
    let emu = emulator();
    let (project, schema, ids) = labeled_setup(&emu, 2);
    let lines = [bbox(&schema, &ids[0]), bbox("no-such-schema", &ids[1])];
    let created = import_file_as(&emu, MAL_IMPORT, &project, "pre", &ndjson(&lines));
    let created = &created["data"]["createModelAssistedLabelingPredictionImport"];
    assert_eq!(
        (created["state"].as_str(), created["project"]["id"].as_str()),
        (Some("RUNNING"), Some(project.as_str()))
    );
    let done = finished_as(&emu, MAL_IMPORT, &project, "pre");
    assert_eq!(done["state"], "FINISHED");
    let errors = ndjson_lines(&done["errorFileUrl"]);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["errors"][0]["name"], "InvalidSchemaId");
    assert_eq!(
        data(&emu, LABELS, json!({"projectId": project}))["project"]["labelCount"],
        0,
        "predictions are not labels"
    );
    let (_, body) = gql(
        &emu,
        "query getLabelImportPyApi($projectId : ID!, $name: String!) { labelImport(where: {projectId: $projectId, name: $name}){ id } }",
        json!({"projectId": project, "name": "pre"}),
    );
    assert_eq!(
        error_code(&body),
        "RESOURCE_NOT_FOUND",
        "not a label import"
    );

    let list = format!("query getModelAssistedLabelingPredictionImportsPyApi($projectId: ID!) {{ modelAssistedLabelingPredictionImports(skip: 0, first: 100, where: {{ projectId: $projectId  }}) {{ {IMPORT_FIELDS} }}}}");
    let listed = data(&emu, &list, json!({"projectId": project}));
    let listed = &listed["modelAssistedLabelingPredictionImports"];
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["id"], done["id"]);
    let delete = "mutation deleteModelAssistedLabelingPredictionImportPyApi($id: ID!) { deleteModelAssistedLabelingPredictionImport(where: { id: $id }) { id } }";
    let deleted = data(&emu, delete, json!({"id": done["id"]}));
    assert_eq!(
        deleted["deleteModelAssistedLabelingPredictionImport"]["id"],
        done["id"]
    );
    let listed = data(&emu, &list, json!({"projectId": project}));
    assert_eq!(listed["modelAssistedLabelingPredictionImports"], json!([]));
    let (_, body) = gql(&emu, delete, json!({"id": done["id"]}));
    assert_eq!(error_code(&body), "RESOURCE_NOT_FOUND", "deleted once");
}

#[test]
fn labels_are_deleted_by_id() {
    let emu = emulator();
    let (project, schema, ids) = labeled_setup(&emu, 2);
    import_file(
        &emu,
        &project,
        "two",
        &ndjson(&[bbox(&schema, &ids[0]), bbox(&schema, &ids[1])]),
    );
    finished(&emu, &project, "two");
    let labels = data(&emu, LABELS, json!({"projectId": project}))["project"]["labels"].clone();
    let first = labels[0]["id"].as_str().unwrap_or_default().to_string();
    let deleted = data(
        &emu,
        &format!(
            "mutation deleteLabelsPyApi{{deleteLabels(labelIds: [\"{first}\", \"nope\"]){{id}}}}"
        ),
        json!({}),
    );
    assert_eq!(deleted["deleteLabels"], json!([{"id": first}]));
    let left = data(&emu, LABELS, json!({"projectId": project}))["project"].clone();
    assert_eq!(left["labelCount"], 1);
    let row_labels = data(&emu, "query R($id: ID!){dataRow(where: {id: $id}){labels(where: {deleted: false} skip: 0 first: 10){id}}}", json!({"id": ids[0]}));
    assert_eq!(row_labels["dataRow"]["labels"], json!([]));
}

fn export_lines(emu: &Emulator, project: &str, query: Value, details: bool) -> Vec<Value> {
    let params = json!({"mediaTypeOverride": null, "includeAttachments": false, "includeEmbeddings": false,
        "includeMetadata": false, "includeDataRowDetails": details, "includeProjectDetails": details,
        "includePerformanceDetails": false, "includeLabelDetails": details, "includeInterpolatedFrames": false});
    let input = json!({"input": {"taskName": "t", "isStreamableReady": true, "streamable": true, "params": params,
        "filters": {"projectId": project, "searchQuery": {"scope": null, "query": query}}}});
    let id = data(emu, EXPORT, input)["exportDataRowsInProject"]["taskId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        emu.wait_for_task(&id, Duration::from_secs(30)).as_deref(),
        Some("COMPLETE")
    );
    let header = data(
        emu,
        HEADER,
        json!({"where": {"id": id}, "streamType": "RESULT"}),
    );
    if header["task"]["exportMetadataHeader"].is_null() {
        return Vec::new();
    }
    let file = data(
        emu,
        FILE,
        json!({"where": {"id": id}, "streamType": "RESULT", "offset": "0"}),
    );
    ndjson_lines(&file["task"]["exportFileFromOffset"]["file"])
}

#[test]
fn project_exports_hold_labels_and_details_and_follow_the_filters() {
    let emu = emulator();
    let (project, schema, ids) = labeled_setup(&emu, 2);
    import_file(&emu, &project, "one", &ndjson(&[bbox(&schema, &ids[0])]));
    finished(&emu, &project, "one");
    let lines = export_lines(&emu, &project, json!([]), true);
    assert_eq!(lines.len(), 2);
    let part = &lines[0]["projects"][&project];
    assert_eq!(
        part["labels"][0]["annotations"]["objects"][0]["schemaId"],
        schema.as_str()
    );
    assert_eq!(part["project_details"]["workflow_status"], "TO_LABEL");
    assert_eq!(part["project_details"]["batch_name"], "b");
    assert!(part["labels"][0]["label_details"]["created_at"].is_string());
    assert_eq!(lines[1]["projects"][&project]["labels"], json!([]));
    let plain = export_lines(&emu, &project, json!([]), false);
    assert!(plain[0]["projects"][&project]
        .get("project_details")
        .is_none());
    let labeled = json!([{"type": "labeled_at", "value": {"operator": "BETWEEN", "timezone": "UTC",
        "value": {"min": "2000-01-01 00:00:00", "max": "2050-01-01 00:00:00"}}}]);
    assert_eq!(export_lines(&emu, &project, labeled, false).len(), 1);
    let future = json!([{"type": "labeled_at", "value": {"operator": "GREATER_THAN_OR_EQUAL", "timezone": "UTC", "value": "2050-01-01T00:00:00+0000"}}]);
    assert!(
        export_lines(&emu, &project, future, false).is_empty(),
        "no stream at all"
    );
    let by_id = json!([{"ids": [ids[1]], "operator": "is", "type": "data_row_id"}]);
    let only = export_lines(&emu, &project, by_id, false);
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["data_row"]["id"], ids[1].as_str());
    let (status, body) = gql(
        &emu,
        EXPORT,
        json!({"input": {"filters": {"projectId": project, "searchQuery": {"scope": null,
        "query": [{"type": "slice", "ids": ["x"], "operator": "is"}]}}, "params": {}}}),
    );
    assert_eq!(
        (status, error_code(&body)),
        (400, "GRAPHQL_VALIDATION_FAILED")
    );
}
