//! Labels over HTTP (PROTOCOL 3.10): label imports by uploaded file and by URL (state, status
//! and error files, the checks), labels and their counts, deletion, and project exports.

mod common;
mod project_helpers;

use std::time::Duration;

use common::{data, error_code, gql, start, upload_url};
use labelbox_emulator::Emulator;
use project_helpers::*;
use serde_json::{json, Value};

const LABELS: &str = "query GetProjectLabelsPyApi($projectId: ID!) {project (where: {id: $projectId}) {labels (skip: 0 first: 100) {id label createdBy { id } dataRow { id }} labelCount}}";
const EXPORT: &str = "mutation exportDataRowsInProjectPyApi($input: ExportDataRowsInProjectInput!){exportDataRowsInProject(input: $input){taskId isStreamable}}";

fn emulator() -> Emulator {
    start(
        Emulator::builder()
            .import_rows_per_second(1_000_000)
            .min_task_duration(Duration::from_millis(200)),
    )
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
    export_result_lines(emu, &id)
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
