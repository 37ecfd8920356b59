//! Every item is checked before anything is sent; refused items are all listed, by index.
//! The public pre-flight checks (`validate_specs`, `validate_items`) give the same answers as the
//! dataset import methods.

mod import_support;

use import_support::*;
use labelbox::{
    validate_items, validate_specs, Attachment, AttachmentKind, DataRowSpec, Error, ItemProblem,
    RowData, UpsertItem,
};
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

/// Specs refused for every reason a create item can be refused (item 0 is fine).
fn bad_specs() -> Vec<DataRowSpec> {
    vec![
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
        DataRowSpec::new(RowData::json(json!([1]))),
    ]
}

fn bad_specs_problems() -> Vec<(usize, String, ItemProblem)> {
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
            ItemProblem::UnknownAttachmentKind("GIF".into()),
        ),
        p(9, "metadata[0].schema_id", ItemProblem::EmptySchemaId),
        p(10, "row_data", ItemProblem::S3RowData),
        p(10, "global_key", ItemProblem::EmptyGlobalKey),
        p(11, "row_data", ItemProblem::RowDataNotObject),
    ]
}

/// Upsert items refused for every reason an update can be refused (item 1 is fine).
fn bad_items() -> Vec<UpsertItem> {
    vec![
        UpsertItem::by_global_key("gk", DataRowSpec::update()),
        UpsertItem::by_global_key("gk", DataRowSpec::update().external_id("fine")),
        UpsertItem::by_id("row-id", DataRowSpec::update()),
        UpsertItem::create(DataRowSpec::update().external_id("create needs row data")),
        UpsertItem::by_id("", DataRowSpec::update().external_id("x")),
    ]
}

fn bad_items_problems() -> Vec<(usize, String, ItemProblem)> {
    vec![
        p(0, "payload", ItemProblem::EmptyPayload),
        p(2, "payload", ItemProblem::EmptyPayload),
        p(3, "row_data", ItemProblem::EmptyPayload),
        p(4, "key", ItemProblem::EmptyKey),
    ]
}

#[test]
fn every_refused_create_item_is_listed_and_nothing_is_sent() {
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("invalid").unwrap();
    let specs = bad_specs();
    let before = specs.clone();
    let err = dataset.create_data_rows(&specs).unwrap_err();
    assert!(err.is_invalid_input());
    let message = err.to_string();
    assert!(message.contains("item 2: row_data"), "{message}");
    assert!(message.contains("nothing was sent"), "{message}");
    assert_eq!(problems(err), bad_specs_problems());
    assert_eq!(specs, before, "items are not changed");
    assert_eq!(count_field(&emu, "uploadFile"), 0);
    assert_eq!(count_field(&emu, "upsertDataRows"), 0);
}

#[test]
fn validate_specs_refuses_what_create_data_rows_refuses() {
    let specs = bad_specs();
    let before = specs.clone();
    assert_eq!(
        problems(validate_specs(&specs).unwrap_err()),
        bad_specs_problems()
    );
    assert_eq!(specs, before, "items are not changed");
    // A create spec is checked the same as an upsert item without a key.
    let items: Vec<UpsertItem> = specs.into_iter().map(UpsertItem::create).collect();
    assert_eq!(
        problems(validate_items(&items).unwrap_err()),
        bad_specs_problems()
    );
}

#[test]
fn validate_items_refuses_what_upsert_data_rows_refuses() {
    assert_eq!(
        problems(validate_items(bad_items()).unwrap_err()),
        bad_items_problems()
    );
}

#[test]
fn the_pre_flight_checks_accept_good_items() {
    assert_eq!(validate_specs(&bad_specs()[..1]).ok(), Some(()));
    assert_eq!(validate_items(&bad_items()[1..2]).ok(), Some(()));
}

#[test]
fn the_pre_flight_checks_refuse_an_empty_list() {
    for err in [
        validate_specs(&[]).unwrap_err(),
        validate_items(&[]).unwrap_err(),
    ] {
        assert!(
            matches!(err, Error::InvalidInput { ref field, .. } if field == "items"),
            "{err:?}"
        );
    }
}

#[test]
fn refused_upsert_items_are_listed_and_nothing_is_sent() {
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("invalid-upsert").unwrap();
    let err = dataset.upsert_data_rows(&bad_items()).unwrap_err();
    assert_eq!(problems(err), bad_items_problems());
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
