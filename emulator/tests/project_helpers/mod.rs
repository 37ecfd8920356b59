//! Helpers the project and label tests share: a project, its ontology, rows and batches.
#![allow(dead_code)]

use std::time::Duration;

use labelbox_emulator::Emulator;
use serde_json::{json, Value};

use crate::common::{create_items, data, start_import};

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
