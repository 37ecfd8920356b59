//! Datasets over HTTP: listing by name, renaming, descriptions, deletion, creator and organization.

mod common;

use common::{data, error_code, gql, start};
use labelbox_emulator::Emulator;
use serde_json::json;

const FIELDS: &str = "createdAt description name rowCount id updatedAt";

fn create(emu: &Emulator, name: &str) -> String {
    let query = format!(
        "mutation CreateDatasetPyApi($name: String!) {{ createDataset(data: {{name: $name}}) {{ {FIELDS} }} }}"
    );
    let created = data(emu, &query, json!({"name": name}));
    assert_eq!(created["createDataset"]["description"], "");
    created["createDataset"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn by_name(emu: &Emulator, name: &str) -> Vec<String> {
    // What `client.get_datasets(where=Dataset.name == name)` sends.
    let query = format!(
        "query GetDatasetsPyApi($param_0: String!, $param_1: Boolean!) {{ datasets(where: {{AND: [{{name: $param_0}}, {{deleted: $param_1}}]}} skip: 0 first: 100) {{ {FIELDS} }} }}"
    );
    let found = data(emu, &query, json!({"param_0": name, "param_1": false}));
    found["datasets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| d["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn datasets_are_listed_by_name_oldest_first() {
    let emu = start(Emulator::builder());
    let a = create(&emu, "same");
    let b = create(&emu, "same");
    create(&emu, "other");
    assert_eq!(by_name(&emu, "same"), vec![a, b]);
    assert!(by_name(&emu, "none").is_empty());
}

#[test]
fn update_dataset_renames_describes_and_deletes() {
    let emu = start(Emulator::builder());
    let id = create(&emu, "before");
    let update = format!(
        "mutation updateDatasetPyApi($name: String!, $description: String!, $DatasetId: ID!) {{ updateDataset(where: {{id: $DatasetId}} data: {{name: $name description: $description}}) {{ {FIELDS} }} }}"
    );
    let updated = data(
        &emu,
        &update,
        json!({"name": "after", "description": "words", "DatasetId": id}),
    );
    assert_eq!(updated["updateDataset"]["name"], "after");
    assert_eq!(updated["updateDataset"]["description"], "words");
    assert_eq!(by_name(&emu, "after"), vec![id.clone()]);

    let delete = "mutation deleteDatasetPyApi($DatasetId: ID!) { updateDataset(where: {id: $DatasetId} data: {deleted: true}) {id} }";
    data(&emu, delete, json!({"DatasetId": id}));
    let get = format!(
        "query GetDatasetPyApi($param_0: ID!) {{ dataset(where: {{id: $param_0}}) {{ {FIELDS} }} }}"
    );
    let (_, body) = gql(&emu, &get, json!({"param_0": id}));
    assert_eq!(error_code(&body), "RESOURCE_NOT_FOUND");
    assert!(by_name(&emu, "after").is_empty());
    let (_, again) = gql(&emu, delete, json!({"DatasetId": id}));
    assert_eq!(error_code(&again), "RESOURCE_NOT_FOUND");
}

#[test]
fn a_dataset_names_its_creator_and_organization() {
    let emu = start(Emulator::builder());
    let id = create(&emu, "d");
    let query = "query GetDatasetCreatedByPyApi($param_0: ID!) { dataset(where: {id: $param_0}) { createdBy { id email } organization { id name } } }";
    let found = data(&emu, query, json!({"param_0": id}));
    assert_eq!(found["dataset"]["createdBy"]["id"], emu.user_id());
    let org = data(&emu, "{ organization { id } }", json!({}));
    assert_eq!(
        found["dataset"]["organization"]["id"],
        org["organization"]["id"]
    );
}
