//! The types users keep and exchange: rows in the official SDK's dict form, import outcomes and
//! tasks, through serde and back; and imports from any source that can be read twice.

mod import_support;

use std::cell::Cell;

use import_support::*;
use labelbox::{
    Attachment, AttachmentKind, CreatedDataRow, DataRowSpec, FailedDataRow, MediaType, RowData,
    TaskStatus, UpsertItem,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// `value` read as `T`, written back, must be `value` again.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: Value) -> T {
    let read: T = serde_json::from_value(value.clone()).expect("reads");
    assert_eq!(serde_json::to_value(&read).unwrap(), value);
    read
}

#[test]
fn rows_use_the_official_sdk_dict_keys() {
    let dict = json!({
        "row_data": "https://example.com/1.jpg",
        "global_key": "img-1",
        "external_id": "1.jpg",
        "media_type": "IMAGE",
        "metadata_fields": [{"schema_id": "cko8s9r5v0001h2dk9elqdidh", "value": "tag"}],
        "attachments": [{"type": "RAW_TEXT", "value": "a note", "name": "note"}]
    });
    let spec: DataRowSpec = round_trip(dict.clone());
    let built = DataRowSpec::new(RowData::url("https://example.com/1.jpg"))
        .global_key("img-1")
        .external_id("1.jpg")
        .media_type(MediaType::Image)
        .metadata("cko8s9r5v0001h2dk9elqdidh", "tag")
        .attachment(Attachment::new(AttachmentKind::RawText, "a note").name("note"));
    assert_eq!(spec, built);

    let mut keyed = dict;
    keyed["key"] = json!({"type": "GKEY", "value": "img-1"});
    let item: UpsertItem = round_trip(keyed);
    assert_eq!(item, UpsertItem::by_global_key("img-1", built));
    let by_id: UpsertItem =
        round_trip(json!({"external_id": "e", "key": {"type": "ID", "value": "dr1"}}));
    assert_eq!(
        by_id,
        UpsertItem::by_id("dr1", DataRowSpec::update().external_id("e"))
    );
    // A create item has no key; JSON row data stays an object.
    let create: UpsertItem =
        round_trip(json!({"row_data": {"type": "conversation", "messages": []}}));
    assert_eq!(create.key, labelbox::UpsertKey::Create);
}

#[test]
fn rows_read_the_wire_spelling_of_schema_ids_and_refuse_unknown_keys() {
    let spec: DataRowSpec = serde_json::from_value(json!({
        "row_data": "https://a", "metadata_fields": [{"schemaId": "s1", "value": 3}]
    }))
    .unwrap();
    assert_eq!(spec.metadata[0].schema_id, "s1");
    let err = serde_json::from_value::<DataRowSpec>(json!({"rowData": "https://a"})).unwrap_err();
    assert!(err.to_string().contains("unknown key `rowData`"), "{err}");
}

#[test]
fn outcomes_and_statuses_round_trip() {
    let created: CreatedDataRow = round_trip(
        json!({"id": "dr1", "external_id": "e", "global_key": "g", "row_data": "https://a"}),
    );
    // The wire's camelCase reads too.
    let wire: CreatedDataRow = serde_json::from_value(
        json!({"id": "dr1", "externalId": "e", "globalKey": "g", "rowData": "https://a"}),
    )
    .unwrap();
    assert_eq!(wire, created);
    let failed: FailedDataRow = round_trip(json!({
        "message": "Duplicate global key: 'g'",
        "external_id": null, "global_key": "g", "row_data": "https://a",
        "metadata": [{"schema_id": "s", "value": 1, "name": "n"}],
        "attachments": [{"type": "IMAGE", "value": "https://b", "name": null}]
    }));
    assert_eq!(failed.attachments[0].kind, AttachmentKind::Image);
    for status in ["COMPLETE", "CANCELLING", "PAUSED"] {
        let _: TaskStatus = round_trip(json!(status));
    }
    let _: MediaType = round_trip(json!("POINT_CLOUD"));
    let _: AttachmentKind = round_trip(json!("CAMERA_IMAGE"));
}

#[test]
fn a_task_serializes_without_its_key_and_comes_back() {
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("serde").unwrap();
    let task = dataset
        .create_data_rows(&specs("s", 3))
        .unwrap()
        .into_task();
    let stored = serde_json::to_value(&task).unwrap();
    assert_eq!(stored["id"], task.id());
    assert_eq!(stored["type"], "adv-upsert-data-rows");
    assert!(stored["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(!stored.to_string().contains(emu.api_key()));
    let mut back = client.task_from_snapshot(stored).unwrap();
    assert_eq!(back, task);
    assert_eq!(
        back.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );
    assert!(client
        .task_from_snapshot(json!({"id": 1}))
        .unwrap_err()
        .to_string()
        .contains("serialized task"));
}

#[test]
fn an_import_reads_a_lazy_source_twice_without_collecting_it() {
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("lazy").unwrap();
    let passes = Cell::new(0);
    // Rows made on the fly, as a file reader would: the source is a Clone iterator.
    let rows = (0..2_500).map(|i| {
        UpsertItem::create(
            DataRowSpec::new(RowData::url(format!("https://example.com/{i}.jpg")))
                .global_key(format!("lazy-{i}")),
        )
    });
    let counted = rows.clone().inspect(|_| passes.set(passes.get() + 1));
    let mut task = dataset.upsert_data_rows(counted).unwrap();
    assert_eq!(passes.get(), 5_000, "read once to check, once to upload");
    assert_eq!(
        task.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );
    assert_eq!(emu.data_rows(dataset.id()).len(), 2_500);
    // Slices and Vecs still work.
    let specs = specs("v", 2);
    dataset.create_data_rows(&specs).unwrap();
    dataset.create_data_rows(&specs[..1]).unwrap();
    dataset.create_data_rows(specs).unwrap();
}

#[test]
fn a_source_that_changes_between_passes_starts_no_import() {
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("shrinking").unwrap();
    let reads = Cell::new(0);
    let source = std::iter::once(()).flat_map(|()| {
        reads.set(reads.get() + 1);
        // The second pass (the upload) sees one row fewer, as a file cut short would.
        let n = if reads.get() == 1 { 3 } else { 2 };
        specs("c", n)
    });
    let err = dataset.create_data_rows(source).unwrap_err();
    assert!(err.is_invalid_input(), "{err}");
    assert!(
        err.to_string().contains("3 items when checked and 2"),
        "{err}"
    );
    assert_eq!(count_field(&emu, "upsertDataRows"), 0);
}
