//! A small chunk limit forces several chunks; the manifest lists them in order and every row
//! arrives exactly once.

mod import_support;

use std::collections::HashMap;

use import_support::*;
use labelbox::{ImportOptions, TaskStatus};

fn get_json(url: &str) -> serde_json::Value {
    let body = ureq::get(url)
        .call()
        .expect("file is served")
        .body_mut()
        .read_to_string()
        .expect("file is text");
    serde_json::from_str(&body).expect("file is JSON")
}

#[test]
fn a_small_chunk_limit_uploads_several_ordered_chunks_and_every_row_once() {
    const LIMIT: usize = 4_000;
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("chunks").unwrap();
    let specs = specs("ch", 250);

    let options = ImportOptions::default().max_chunk_bytes(LIMIT);
    let mut task = dataset.create_data_rows_with(&specs, &options).unwrap();

    // Every upload but the last (the manifest) is a chunk within the limit.
    let uploads = requests_with(&emu, "uploadFile");
    assert!(
        uploads.len() >= 6,
        "several chunks and a manifest: {}",
        uploads.len()
    );
    for upload in &uploads[..uploads.len() - 1] {
        let length = upload.variables["contentLength"].as_u64().unwrap();
        assert!(length as usize <= LIMIT, "chunk of {length} bytes");
    }

    // The manifest names the chunks in item order; together they hold every item once.
    let upserts = requests_with(&emu, "upsertDataRows");
    assert_eq!(upserts.len(), 1);
    let manifest = get_json(upserts[0].variables["manifestUri"].as_str().unwrap());
    assert_eq!(manifest["source"], "SDK");
    assert_eq!(manifest["item_count"], 250);
    let chunk_uris = manifest["chunk_uris"].as_array().unwrap();
    assert_eq!(chunk_uris.len(), uploads.len() - 1);
    let mut keys = Vec::new();
    for uri in chunk_uris {
        let chunk = get_json(uri.as_str().unwrap());
        for item in chunk.as_array().unwrap() {
            assert_eq!(item["id"], serde_json::json!({"type": "AUTO", "value": ""}));
            assert_eq!(item["payload"]["dataset_id"], dataset.id());
            keys.push(item["payload"]["global_key"].as_str().unwrap().to_owned());
        }
    }
    let want: Vec<String> = (0..250).map(|i| format!("ch-{i}")).collect();
    assert_eq!(keys, want);

    assert_eq!(
        task.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );
    let mut stored: HashMap<String, usize> = HashMap::new();
    for row in emu.data_rows(dataset.id()) {
        *stored.entry(row.global_key.unwrap()).or_default() += 1;
    }
    assert_eq!(stored.len(), 250);
    assert!(stored.values().all(|&n| n == 1));
    assert_eq!(task.result().unwrap().len(), 250);
}
