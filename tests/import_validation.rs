//! Every item is checked before anything is sent; refused items are all listed, by index.

mod import_support;

use import_support::*;
use labelbox::{Attachment, AttachmentKind, DataRowSpec, Error, ItemProblem, RowData, UpsertItem};
use serde_json::json;

fn problems(err: Error) -> Vec<(usize, String, ItemProblem)> {
    match err {
        Error::InvalidItems(items) => items
            .into_iter()
            .map(|e| (e.index, e.field, e.problem))
            .collect(),
        other => panic!("expected InvalidItems, got {other:?}"),
    }
}

fn p(index: usize, field: &str, problem: ItemProblem) -> (usize, String, ItemProblem) {
    (index, field.to_owned(), problem)
}

#[test]
fn every_refused_create_item_is_listed_and_nothing_is_sent() {
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("invalid").unwrap();
    let specs = vec![
        DataRowSpec::new(RowData::url("https://ok/0.jpg")),
        DataRowSpec::update().global_key("no-row-data"),
        DataRowSpec::new(RowData::url("s3://bucket/2.jpg")),
        DataRowSpec::new(RowData::url("https://ok/3.jpg"))
            .attachment(Attachment::new(AttachmentKind::Image, "https://ok/a.jpg"))
            .attachment(Attachment::new(AttachmentKind::RawText, "")),
        DataRowSpec::new(RowData::url("")),
        DataRowSpec::new(RowData::json(json!({}))),
        DataRowSpec::new(RowData::json(json!("not an object"))),
        DataRowSpec::new(RowData::url("https://ok/7.jpg")).global_key(""),
        DataRowSpec::new(RowData::url("https://ok/8.jpg"))
            .attachment(Attachment::new(AttachmentKind::Other("GIF".into()), "x")),
        DataRowSpec::new(RowData::url("https://ok/9.jpg")).metadata("", "v"),
        DataRowSpec::new(RowData::url("s3:/also-s3")).global_key(""),
    ];
    let before = specs.clone();
    let err = dataset.create_data_rows(&specs).unwrap_err();
    assert!(err.is_invalid_input());
    let message = err.to_string();
    assert!(message.contains("item 2: row_data"), "{message}");
    assert!(message.contains("nothing was sent"), "{message}");
    assert_eq!(
        problems(err),
        vec![
            p(1, "row_data", ItemProblem::EmptyPayload),
            p(2, "row_data", ItemProblem::S3RowData),
            p(3, "attachments[1].value", ItemProblem::EmptyAttachmentValue),
            p(4, "row_data", ItemProblem::EmptyRowData),
            p(5, "row_data", ItemProblem::EmptyRowData),
            p(6, "row_data", ItemProblem::RowDataNotObject),
            p(7, "global_key", ItemProblem::EmptyGlobalKey),
            p(
                8,
                "attachments[0].type",
                ItemProblem::UnknownAttachmentKind("GIF".into())
            ),
            p(9, "metadata[0].schema_id", ItemProblem::EmptySchemaId),
            p(10, "row_data", ItemProblem::S3RowData),
            p(10, "global_key", ItemProblem::EmptyGlobalKey),
        ]
    );
    assert_eq!(specs, before, "items are not changed");
    assert_eq!(count_field(&emu, "uploadFile"), 0);
    assert_eq!(count_field(&emu, "upsertDataRows"), 0);
}

#[test]
fn refused_upsert_items_are_listed_and_nothing_is_sent() {
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("invalid-upsert").unwrap();
    let items = vec![
        UpsertItem::by_global_key("gk", DataRowSpec::update()),
        UpsertItem::by_global_key("gk", DataRowSpec::update().external_id("fine")),
        UpsertItem::by_id("row-id", DataRowSpec::update()),
        UpsertItem::create(DataRowSpec::update().external_id("create needs row data")),
        UpsertItem::by_id("", DataRowSpec::update().external_id("x")),
    ];
    let err = dataset.upsert_data_rows(&items).unwrap_err();
    assert_eq!(
        problems(err),
        vec![
            p(0, "payload", ItemProblem::EmptyPayload),
            p(2, "payload", ItemProblem::EmptyPayload),
            p(3, "row_data", ItemProblem::EmptyPayload),
            p(4, "key", ItemProblem::EmptyKey),
        ]
    );
    assert_eq!(count_field(&emu, "uploadFile"), 0);
    assert_eq!(count_field(&emu, "upsertDataRows"), 0);
}

#[test]
fn an_empty_list_is_refused() {
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("empty").unwrap();
    let err = dataset.create_data_rows(&[]).unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { ref field, .. } if field == "items"),
        "{err:?}"
    );
    assert_eq!(count_field(&emu, "uploadFile"), 0);
}
