//! Helpers the project, label and model tests share: a project, its ontology, rows, batches,
//! label imports and export streams.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use labelbox_emulator::Emulator;
use serde_json::{json, Value};

use crate::common::{create_items, data, get, post_multipart, start_import};

pub const PROJECT_FIELDS: &str = "id name description allowedMediaType autoAuditNumberOfLabels autoAuditPercentage isBenchmarkEnabled isConsensusEnabled dataRowCount setupComplete";
pub const BATCH_V2: &str = "mutation createBatchV2PyApi($projectId: ID!, $batchInput: CreateBatchInput!) { project(where: {id: $projectId}) { createBatchV2(input: $batchInput) { batch { id name size consensusSettingsJson } failedDataRowIds } } }";
const WAIT: Duration = Duration::from_secs(60);

/// Creates an image project (the official SDK's input for the default quality modes).
pub fn create_project(emu: &Emulator, name: &str) -> String {
    let query = format!("mutation CreateProjectPyApi($name: String!, $allowedMediaType: MediaType!, $autoAuditPercentage: Float!, $autoAuditNumberOfLabels: Int!, $isBenchmarkEnabled: Boolean!, $isConsensusEnabled: Boolean!){{createProject(data: {{name: $name allowedMediaType: $allowedMediaType autoAuditPercentage: $autoAuditPercentage autoAuditNumberOfLabels: $autoAuditNumberOfLabels isBenchmarkEnabled: $isBenchmarkEnabled isConsensusEnabled: $isConsensusEnabled}}) {{{PROJECT_FIELDS}}}}}");
    let vars = json!({"name": name, "allowedMediaType": "IMAGE", "autoAuditPercentage": 0.0,
                      "autoAuditNumberOfLabels": 3, "isBenchmarkEnabled": true, "isConsensusEnabled": true});
    let created = data(emu, &query, vars)["createProject"].clone();
    assert_eq!(created["allowedMediaType"], "IMAGE");
    assert_eq!(created["autoAuditNumberOfLabels"], 3);
    created["id"].as_str().unwrap_or_default().to_string()
}

/// A dataset of `n` imported rows; answers their ids in creation order.
pub fn rows(emu: &Emulator, prefix: &str, n: usize) -> Vec<String> {
    let ds = emu.create_dataset(prefix);
    let import = start_import(emu, &create_items(&ds, prefix, n));
    assert_eq!(
        emu.wait_for_task(&import, WAIT).as_deref(),
        Some("COMPLETE")
    );
    emu.data_rows(&ds).into_iter().map(|r| r.id).collect()
}

/// Creates an image ontology with one box tool and connects it; answers the tool's schema id.
pub fn connect_box_ontology(emu: &Emulator, project: &str) -> String {
    let normalized = json!({"tools": [{"tool": "rectangle", "name": "box", "color": "#ff0000",
                                        "required": false, "classifications": []}],
                            "classifications": []});
    let ontology = data(
        emu,
        "mutation upsertRootSchemaNodePyApi($data: UpsertOntologyInput!){ upsertOntology(data: $data){ id normalized mediaType objectSchemaCount } }",
        json!({"data": {"name": "o", "normalized": normalized.to_string(), "mediaType": "IMAGE"}}),
    )["upsertOntology"]
        .clone();
    assert_eq!(ontology["objectSchemaCount"], 1);
    let schema_id = ontology["normalized"]["tools"][0]["featureSchemaId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!schema_id.is_empty(), "{ontology}");
    let id = ontology["id"].as_str().unwrap_or_default();
    data(
        emu,
        "mutation ConnectOntologyPyApi($projectId: ID!, $ontologyId: ID!){ project(where: {id: $projectId}) {connectOntology(ontologyId: $ontologyId) {id}}}",
        json!({"projectId": project, "ontologyId": id}),
    );
    schema_id
}

/// Puts `rows` in a new batch of the project (priority 5); answers the batch.
pub fn batch(emu: &Emulator, project: &str, name: &str, rows: &[String]) -> Value {
    let input = json!({"name": name, "dataRowIds": rows, "globalKeys": null, "priority": 5, "consensusSettings": null});
    data(
        emu,
        BATCH_V2,
        json!({"projectId": project, "batchInput": input}),
    )["project"]["createBatchV2"]
        .clone()
}

pub const IMPORT_FIELDS: &str =
    "errorFileUrl inputFileUrl name progress state statusFileUrl id project { id }";
pub const FILE: &str = "query F($where: WhereUniqueIdInput, $streamType: TaskStreamType!, $offset: UInt64!){task(where: $where){exportFileFromOffset(streamType: $streamType, offset: $offset){file}}}";
pub const HEADER: &str = "query H($where: WhereUniqueIdInput, $streamType: TaskStreamType!){task(where: $where){exportMetadataHeader(streamType: $streamType){totalLines}}}";

pub fn bbox(schema_id: &str, row: &str) -> Value {
    json!({"uuid": format!("u-{row}-{schema_id}"), "schemaId": schema_id, "dataRow": {"id": row},
           "bbox": {"top": 1, "left": 2, "height": 3, "width": 4}})
}

pub fn ndjson(lines: &[Value]) -> Vec<u8> {
    lines
        .iter()
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes()
}

/// `createLabelImport` with the file in a GraphQL multipart request, as the official SDK sends it.
pub fn import_file(emu: &Emulator, project: &str, name: &str, bytes: &[u8]) -> Value {
    import_file_as(emu, LABEL_IMPORT, project, name, bytes)
}

/// The official SDK's names of one import kind: its by-file operation, its mutation field,
/// its by-name query and that query's field.
pub struct ImportKind {
    by_file: &'static str,
    create: &'static str,
    by_name: &'static str,
    get: &'static str,
}

pub const LABEL_IMPORT: ImportKind = ImportKind {
    by_file: "createLabelImportByFilePyApi",
    create: "createLabelImport",
    by_name: "getLabelImportPyApi",
    get: "labelImport",
};

pub const MAL_IMPORT: ImportKind = ImportKind {
    by_file: "createMALPredictionImportByFilePyApi",
    create: "createModelAssistedLabelingPredictionImport",
    by_name: "getModelAssistedLabelingPredictionImportPyApi",
    get: "modelAssistedLabelingPredictionImport",
};

/// An import of `kind` with the file in a GraphQL multipart request, as the official SDK sends it.
pub fn import_file_as(
    emu: &Emulator,
    kind: ImportKind,
    project: &str,
    name: &str,
    bytes: &[u8],
) -> Value {
    let ImportKind {
        by_file, create, ..
    } = kind;
    let operations = json!({
        "query": format!("mutation {by_file}($projectId : ID!, $name: String!, $file: Upload!, $contentLength: Int!) {{ {create}(data: {{ projectId: $projectId name: $name filePayload: {{ file: $file, contentLength: $contentLength}} }}) {{{IMPORT_FIELDS}}} }}"),
        "variables": {"file": null, "contentLength": bytes.len(), "projectId": project, "name": name}
    });
    let file_name = format!("{project}__{name}.ndjson");
    let (status, answer) = post_multipart(
        emu,
        &operations,
        &file_name,
        &file_name,
        "application/x-ndjson",
        bytes,
    );
    assert_eq!(status, 200, "{answer}");
    answer
}

/// Polls `labelImport` until it is no longer RUNNING.
pub fn finished(emu: &Emulator, project: &str, name: &str) -> Value {
    finished_as(emu, LABEL_IMPORT, project, name)
}

/// Polls an import of `kind` by name until it is no longer RUNNING.
pub fn finished_as(emu: &Emulator, kind: ImportKind, project: &str, name: &str) -> Value {
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

pub fn ndjson_lines(url: &Value) -> Vec<Value> {
    let (status, bytes) = get(url.as_str().unwrap_or_default());
    assert_eq!(status, 200);
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// A project with an ontology and `n` rows in a batch: (project, box schema id, row ids).
pub fn labeled_setup(emu: &Emulator, n: usize) -> (String, String, Vec<String>) {
    let project = create_project(emu, "p");
    let schema = connect_box_ontology(emu, &project);
    let ids = rows(emu, "l", n);
    batch(emu, &project, "b", &ids);
    (project, schema, ids)
}

/// Waits for export `id` to complete; answers its RESULT stream's lines (none without one).
pub fn export_result_lines(emu: &Emulator, id: &str) -> Vec<Value> {
    assert_eq!(
        emu.wait_for_task(id, Duration::from_secs(30)).as_deref(),
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
