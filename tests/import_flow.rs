//! Data-row imports against the emulator: import and wait, failures, upserts, paging.

mod import_support;

use std::collections::HashSet;
use std::time::Duration;

use import_support::*;
use labelbox::{CreatedDataRow, DataRowSpec, Error, RowData, TaskStatus, UpsertItem};

#[test]
fn get_dataset_of_an_unknown_id_is_not_found() {
    let emu = emulator();
    let client = client(&emu);
    let err = client.get_dataset("no-such-dataset").unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(matches!(err, Error::NotFound { ref id, .. } if id == "no-such-dataset"));
}

#[test]
fn create_dataset_then_get_it_back() {
    let emu = emulator();
    let client = client(&emu);
    let created = client.create_dataset("pets").unwrap();
    assert_eq!(created.name(), "pets");
    assert_eq!(created.row_count(), 0);
    let got = client.get_dataset(created.id()).unwrap();
    assert_eq!(got.id(), created.id());
    assert_eq!(got.name(), "pets");
    assert_eq!(got.created_at(), created.created_at());
}

#[test]
fn import_and_wait_end_to_end() {
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("e2e").unwrap();
    let specs = specs("e2e", 300);

    let mut task = dataset.create_data_rows(&specs).unwrap();
    assert_eq!(task.task_type(), "adv-upsert-data-rows");
    assert_eq!(
        task.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );

    let created = task.result().unwrap();
    assert_eq!(created.len(), 300);
    let keys: HashSet<_> = created
        .iter()
        .filter_map(|r| r.global_key().map(str::to_owned))
        .collect();
    let want: HashSet<_> = (0..300).map(|i| format!("e2e-{i}")).collect();
    assert_eq!(keys, want);
    let row = created
        .iter()
        .find(|r| r.global_key() == Some("e2e-7"))
        .unwrap();
    assert_eq!(row.external_id(), Some("e2e-ext-7"));
    assert_eq!(row.row_data(), Some("https://example.com/e2e/7.jpg"));
    assert_eq!(
        created
            .iter()
            .map(CreatedDataRow::id)
            .collect::<HashSet<_>>()
            .len(),
        300
    );

    assert_eq!(task.failed_data_rows().unwrap(), vec![]);
    assert!(!task.has_errors().unwrap());
    let totals = task.totals().unwrap();
    assert_eq!((totals.created, totals.failed), (300, 0));

    let stored = emu.data_rows(dataset.id());
    assert_eq!(stored.len(), 300);
    assert_eq!(count_field(&emu, "upsertDataRows"), 1);
}

#[test]
fn a_repeated_global_key_fails_that_row_with_its_message() {
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("dup").unwrap();
    let mut specs = specs("dup", 10);
    specs.push(DataRowSpec::new(RowData::url("https://example.com/again.jpg")).global_key("dup-3"));

    let mut task = dataset.create_data_rows(&specs).unwrap();
    assert_eq!(
        task.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );

    assert_eq!(task.result().unwrap().len(), 10);
    assert!(task.has_errors().unwrap());
    let failed = task.failed_data_rows().unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].message, "Duplicate global key: 'dup-3'");
    assert_eq!(failed[0].global_key.as_deref(), Some("dup-3"));
    assert_eq!(emu.data_rows(dataset.id()).len(), 10);
}

#[test]
fn upsert_by_global_key_and_by_id_update_the_row() {
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("upsert").unwrap();
    let mut first = dataset.create_data_rows(&specs("up", 2)).unwrap();
    first.wait_with(wait_options()).unwrap();
    let before = emu.data_rows(dataset.id());
    let row1 = before
        .iter()
        .find(|r| r.global_key.as_deref() == Some("up-1"))
        .unwrap();

    let items = [
        UpsertItem::by_global_key("up-0", DataRowSpec::update().external_id("renamed")),
        UpsertItem::by_id(row1.id.clone(), DataRowSpec::update().external_id("by-id")),
    ];
    let mut task = dataset.upsert_data_rows(&items).unwrap();
    assert_eq!(
        task.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );
    assert_eq!(task.failed_data_rows().unwrap(), vec![]);

    let after = emu.data_rows(dataset.id());
    assert_eq!(after.len(), 2, "updated in place, not created: {after:?}");
    let row0 = after
        .iter()
        .find(|r| r.global_key.as_deref() == Some("up-0"))
        .unwrap();
    assert_eq!(row0.external_id.as_deref(), Some("renamed"));
    assert_eq!(
        row0.row_data,
        serde_json::json!("https://example.com/up/0.jpg")
    );
    let again1 = after.iter().find(|r| r.id == row1.id).unwrap();
    assert_eq!(again1.external_id.as_deref(), Some("by-id"));
}

#[test]
fn results_and_errors_page_through_several_pages() {
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("pages").unwrap();
    let mut specs = specs("pg", 23);
    for i in 0..7 {
        let repeat = format!("pg-{i}");
        specs.push(DataRowSpec::new(RowData::url("https://example.com/r.jpg")).global_key(repeat));
    }
    let task = dataset.create_data_rows(&specs).unwrap().with_page_size(5);
    let mut task = task;
    task.wait_with(wait_options()).unwrap();

    let mut results = task.results().unwrap();
    assert_eq!(results.total(), None);
    let first = results.next().unwrap().unwrap();
    assert_eq!(results.total(), Some(23));
    let mut all = vec![first];
    all.extend(results.map(Result::unwrap));
    assert_eq!(all.len(), 23);
    assert_eq!(
        all.iter()
            .map(CreatedDataRow::id)
            .collect::<HashSet<_>>()
            .len(),
        23
    );

    let success_pages = requests_with(&emu, "successesfulDataRowImports");
    assert!(
        success_pages.len() >= 5,
        "23 rows in pages of 5: {}",
        success_pages.len()
    );
    assert!(success_pages[0].variables["from"].is_null());
    assert_eq!(success_pages[0].variables["first"], 5);
    assert!(success_pages[1].variables["from"].is_string());

    let errors: Vec<_> = task.errors().unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(errors.len(), 7);
    let failed_keys: HashSet<_> = errors.iter().filter_map(|e| e.global_key.clone()).collect();
    assert_eq!(failed_keys, (0..7).map(|i| format!("pg-{i}")).collect());
    assert!(count_field(&emu, "failedDataRowImports") >= 2);
}

#[test]
fn reading_rows_of_a_running_task_is_a_typed_error() {
    let emu = start(fast_emulator().min_task_duration(Duration::from_secs(30)));
    let client = client(&emu);
    let dataset = client.create_dataset("running").unwrap();
    let task = dataset.create_data_rows(&specs("run", 3)).unwrap();
    assert_eq!(task.status(), &TaskStatus::InProgress);

    let err = task.result().unwrap_err();
    assert!(matches!(err, Error::ResultUnavailable { .. }), "{err:?}");
    assert!(err.to_string().contains("wait_till_done"), "{err}");
    assert!(task.errors().is_err());
    assert!(task.totals().is_err());
    assert_eq!(count_field(&emu, "successesfulDataRowImports"), 0);
}

#[test]
fn a_task_of_another_type_is_not_a_data_upsert_task() {
    let emu = emulator();
    let client = client(&emu);
    let id = emu.insert_task(labelbox_emulator::TaskSeed::default());
    let task = client.get_task_by_id(&id).unwrap();
    let err = labelbox::DataUpsertTask::try_from(task.clone()).unwrap_err();
    assert!(err.is_invalid_input(), "{err:?}");
    // `into_data_upsert` gives the task back unchanged.
    let back = task.clone().into_data_upsert().unwrap_err();
    assert_eq!(back, task);
    assert_eq!(back.status(), task.status());
}

#[test]
fn an_import_found_by_id_reads_its_rows_through_into_data_upsert() {
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("by id").unwrap();
    let mut specs = specs("byid", 4);
    specs
        .push(DataRowSpec::new(RowData::url("https://example.com/again.jpg")).global_key("byid-0"));
    let mut started = dataset.create_data_rows(&specs).unwrap();
    started.wait_with(wait_options()).unwrap();

    let found = client.get_task_by_id(started.id()).unwrap();
    assert!(
        found.result().is_err(),
        "a plain Task points to into_data_upsert"
    );
    let import = found.into_data_upsert().unwrap();
    assert_eq!(import.id(), started.id());
    assert_eq!(import.status(), &TaskStatus::Complete);
    assert_eq!(import.task(), started.task());
    assert_eq!(import.result().unwrap().len(), 4);
    let failed = import.failed_data_rows().unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].message, "Duplicate global key: 'byid-0'");
}

#[test]
fn a_wait_without_a_logger_sends_no_count_request_and_totals_ask_once() {
    // No logger is installed in this test binary, so the wait's warning would go nowhere.
    assert!(!log::log_enabled!(log::Level::Warn));
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("quiet").unwrap();
    let mut specs = specs("quiet", 3);
    specs.push(
        DataRowSpec::new(RowData::url("https://example.com/again.jpg")).global_key("quiet-1"),
    );
    let mut task = dataset.create_data_rows(&specs).unwrap();
    assert_eq!(
        task.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );
    assert_eq!(count_field(&emu, "failedDataRowImports"), 0);

    let totals = task.totals().unwrap();
    assert_eq!((totals.created, totals.failed), (3, 1));
    assert!(task.has_errors().unwrap());
    assert_eq!(task.totals().unwrap(), totals);
    // The failed total of a finished import is asked once; the created total each time.
    assert_eq!(count_field(&emu, "failedDataRowImports"), 1);
    assert_eq!(count_field(&emu, "successesfulDataRowImports"), 2);
}

#[test]
fn a_failed_import_gives_its_reason_among_its_errors() {
    let emu = emulator();
    let client = client(&emu);
    // A manifest the emulator cannot read fails the import; the SDK finds the reason in the
    // failed rows, as the official SDK does.
    let id = start_failing_import(&emu);
    let mut task = client
        .get_task_by_id(&id)
        .unwrap()
        .into_data_upsert()
        .unwrap();
    assert_eq!(task.wait_with(wait_options()).unwrap(), TaskStatus::Failed);
    let failed = task.failed_data_rows().unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0]
            .message
            .starts_with("Unable to read manifest file"),
        "{}",
        failed[0].message
    );
    assert!(task.result().is_err());
}

#[test]
fn a_cancelled_import_reports_the_rows_it_created_before_stopping() {
    // Imports are not cancelable by default (nor known to be in production): opted in here.
    let emu = start(
        fast_emulator()
            .import_rows_per_second(2_000)
            .cancelable_task_types(["AdvUpsertDataRows"]),
    );
    let client = client(&emu);
    let dataset = client.create_dataset("cancel").unwrap();
    let mut task = dataset.create_data_rows(&specs("c", 20_000)).unwrap();
    assert!(client.cancel_task(task.id()).unwrap());
    assert_eq!(
        task.wait_with(wait_options()).unwrap(),
        TaskStatus::Canceled
    );

    let created = task.result().unwrap();
    assert!(created.len() < 20_000, "stopped early: {}", created.len());
    assert_eq!(task.totals().unwrap().created, created.len() as u64);
    assert_eq!(emu.data_rows(dataset.id()).len(), created.len());
}

#[test]
fn cancelling_an_import_is_refused_with_the_types_the_server_named() {
    let emu = start(fast_emulator().import_rows_per_second(2_000));
    let client = client(&emu);
    let dataset = client.create_dataset("no cancel").unwrap();
    let task = dataset.create_data_rows(&specs("n", 5_000)).unwrap();
    let err = client.cancel_task(task.id()).unwrap_err();
    match &err {
        labelbox::Error::TaskNotCancelable { reason, .. } => {
            assert!(reason.contains("adv-upsert-data-rows"), "{reason}");
            assert!(reason.contains("export-data-rows"), "{reason}");
        }
        other => panic!("expected TaskNotCancelable, got {other:?}"),
    }
    let cancels = emu
        .requests()
        .iter()
        .filter(|r| r.fields.iter().any(|f| f == "cancelBulkOperationJob"))
        .count();
    assert_eq!(cancels, 0, "the mutation is never sent for a refused type");
}
