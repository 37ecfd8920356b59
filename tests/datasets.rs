//! Listing datasets as the official SDK's `get_datasets` does: offset pages of 100 of the
//! datasets not deleted, optionally by name, against the emulator.

mod import_support;

use import_support::*;
use serde_json::json;

#[test]
fn every_dataset_is_listed_page_by_page_and_found_by_name() {
    let emu = emulator();
    let client = client(&emu);
    let mut created = Vec::new();
    for i in 0..150 {
        let name = if i % 50 == 7 {
            "nightly".to_string()
        } else {
            format!("d{i}")
        };
        created.push(client.create_dataset(&name).unwrap().id().to_string());
    }
    let before = count_field(&emu, "datasets");
    let listed: Vec<String> = client
        .datasets()
        .map(|d| d.unwrap().id().to_string())
        .collect();
    let mut sorted_created = created.clone();
    sorted_created.sort();
    let mut sorted_listed = listed.clone();
    sorted_listed.sort();
    assert_eq!(sorted_listed, sorted_created);
    assert_eq!(
        count_field(&emu, "datasets") - before,
        2,
        "two pages: 100 and 50"
    );

    let nightly: Vec<String> = client
        .datasets_named("nightly")
        .map(|d| d.unwrap().name().to_string())
        .collect();
    assert_eq!(nightly, ["nightly"; 3]);
    let last = requests_with(&emu, "datasets").pop().unwrap();
    assert_eq!(last.operation.as_deref(), Some("GetDatasetsPyApi"));
    assert_eq!(
        last.variables,
        json!({"param_0": "nightly", "param_1": false})
    );
    assert_eq!(client.datasets_named("none such").count(), 0);
}

#[test]
fn a_failed_page_is_yielded_once_then_the_listing_ends() {
    let emu = emulator();
    let client = labelbox::Client::builder()
        .api_key("not-the-key")
        .endpoint(emu.url())
        .build()
        .unwrap();
    let mut datasets = client.datasets();
    assert!(datasets.next().unwrap().unwrap_err().is_authentication());
    assert!(datasets.next().is_none());
}
