//! Catalog jobs: the global-key jobs against the emulator (outcomes per row or key) and a mock
//! (deadline on the injected clock, a failed job, answers that do not add up), and metadata in
//! bulk (batches of 50, failures with their input index, the source read twice).

mod common;
mod import_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use labelbox::{
    AssignmentFailure, DataRowRef, Error, GlobalKeyAssignment, JobOutcome, KeyFailure,
    MetadataDelete, MetadataUpsert, WaitOptions, METADATA_BATCH_SIZE,
};
use labelbox_emulator::Emulator;
use mockito::Matcher;
use serde_json::json;

use common::{data, FakeClock};
use import_support::{count_field, requests_with, specs, wait_options};

const TAG: &str = "cko8s9r5v0001h2dk9elqdidh";
const CAPTURE: &str = "cko8sdzv70006h2dk8jg64zvb";
const SPLIT: &str = "cko8sbczn0002h2dkdaxb5kal";
const TRAIN: &str = "cko8sbscr0003h2dk04w86hof";

/// An emulator with a dataset of `n` rows keyed `{prefix}-{i}`; answers it and the rows' ids
/// in key order.
fn rows(n: usize, prefix: &str) -> (Emulator, labelbox::Client, String, Vec<String>) {
    let emu = import_support::emulator();
    let client = import_support::client(&emu);
    let dataset = client.create_dataset("catalog").unwrap();
    let mut task = dataset.create_data_rows(specs(prefix, n)).unwrap();
    task.wait_with(wait_options()).unwrap();
    let stored = emu.data_rows(dataset.id());
    let ids = (0..n)
        .map(|i| {
            let key = format!("{prefix}-{i}");
            let row = stored
                .iter()
                .find(|r| r.global_key.as_deref() == Some(&key));
            row.unwrap().id.clone()
        })
        .collect();
    (emu, client, dataset.id().to_string(), ids)
}

fn jobs_wait() -> WaitOptions {
    wait_options().timeout(Duration::from_secs(60))
}

#[test]
fn keys_are_assigned_looked_up_and_cleared_with_an_outcome_per_entry() {
    let (emu, client, _, ids) = rows(3, "gk");
    let asked = [
        GlobalKeyAssignment::new(&ids[0], "new-0"),
        GlobalKeyAssignment::new(&ids[1], "new-0"),
        GlobalKeyAssignment::new(&ids[2], " padded"),
        GlobalKeyAssignment::new("no-such-row", "new-9"),
    ];
    let assigned = client
        .assign_global_keys_with(&asked, &jobs_wait())
        .unwrap();
    assert_eq!(assigned.outcome(), JobOutcome::PartialSuccess);
    assert_eq!(assigned.assigned.len(), 1);
    assert_eq!(assigned.assigned[0].data_row_id, ids[0]);
    assert!(!assigned.assigned[0].sanitized);
    let failed: Vec<(&str, AssignmentFailure)> = assigned
        .failed
        .iter()
        .map(|f| (f.data_row_id.as_str(), f.reason))
        .collect();
    assert_eq!(
        failed,
        [
            (ids[1].as_str(), AssignmentFailure::Invalid),
            (ids[2].as_str(), AssignmentFailure::Invalid),
            ("no-such-row", AssignmentFailure::Invalid),
        ]
    );
    let start = requests_with(&emu, "assignGlobalKeysToDataRows").remove(0);
    assert_eq!(
        start.operation.as_deref(),
        Some("assignGlobalKeysToDataRowsPyApi")
    );
    assert_eq!(
        start.variables["globalKeyDataRowLinks"][0],
        json!({"dataRowId": ids[0], "globalKey": "new-0"})
    );

    let keys = vec!["new-0".to_string(), "gk-0".to_string(), "gk-1".to_string()];
    let found = client
        .data_row_ids_for_global_keys_with(&keys, &jobs_wait())
        .unwrap();
    assert_eq!(
        found.data_row_ids,
        [Some(ids[0].clone()), None, Some(ids[1].clone())],
        "gk-0 was freed by the reassignment"
    );
    assert_eq!(found.failed.len(), 1);
    assert_eq!(found.failed[0].global_key, "gk-0");
    assert_eq!(found.failed[0].reason, KeyFailure::NotFound);
    assert_eq!(found.outcome(), JobOutcome::PartialSuccess);

    let cleared = client
        .clear_global_keys_with(&["new-0".into(), "gone".into()], &jobs_wait())
        .unwrap();
    assert_eq!(cleared.cleared, ["new-0"]);
    assert_eq!(cleared.failed[0].global_key, "gone");
    assert_eq!(cleared.failed[0].reason, KeyFailure::NotFound);
    let again = client
        .data_row_ids_for_global_keys_with(&["new-0".into()], &jobs_wait())
        .unwrap();
    assert_eq!(again.outcome(), JobOutcome::Failure);
    assert_eq!(again.data_row_ids, [None]);
}

#[test]
fn a_job_in_progress_is_polled_until_it_completes() {
    let emu = import_support::start(
        import_support::fast_emulator().job_duration(Duration::from_millis(200)),
    );
    let client = import_support::client(&emu);
    let cleared = client
        .clear_global_keys_with(&["none".into()], &jobs_wait())
        .unwrap();
    assert_eq!(cleared.failed[0].reason, KeyFailure::NotFound);
    let polls = count_field(&emu, "clearGlobalKeysResult");
    assert!(polls > 1, "the job was IN_PROGRESS first: {polls} polls");
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    let emu = import_support::emulator();
    let client = import_support::client(&emu);
    let before = emu.requests().len();
    let empty = client.assign_global_keys(&[]).unwrap_err();
    assert!(empty.is_invalid_input(), "{empty}");
    let blank = client
        .assign_global_keys(&[
            GlobalKeyAssignment::new("a", "k"),
            GlobalKeyAssignment::new(" ", "k2"),
        ])
        .unwrap_err();
    assert!(
        blank.to_string().contains("assignments[1].data_row_id"),
        "{blank}"
    );
    let empty_key = client
        .clear_global_keys(&["k".into(), String::new()])
        .unwrap_err();
    assert!(
        empty_key.to_string().contains("global_keys[1]"),
        "{empty_key}"
    );
    let too_often = WaitOptions::default().check_frequency(Duration::from_millis(1));
    let frequency = client
        .data_row_ids_for_global_keys_with(&["k".into()], &too_often)
        .unwrap_err();
    assert!(frequency.is_invalid_input(), "{frequency}");
    assert_eq!(emu.requests().len(), before, "nothing was sent");
}

/// A job that never ends: the start answered once, the result polled until the deadline.
#[test]
fn a_job_still_running_at_the_deadline_is_job_timed_out_on_the_injected_clock() {
    let mut server = mockito::Server::new();
    let start = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("clearGlobalKeysPyApi".into()))
        .with_body(data(json!({"clearGlobalKeys": {"jobId": "job-1"}})))
        .expect(1)
        .create();
    let polls = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("clearGlobalKeysResultPyApi".into()))
        .with_body(data(json!({"clearGlobalKeysResult": {
            "jobStatus": "IN_PROGRESS", "data": null}})))
        .expect(6)
        .create();
    let clock = FakeClock::new();
    let client = common::client(&server, &clock);
    let options = WaitOptions::default()
        .timeout(Duration::from_secs(10))
        .check_frequency(Duration::from_secs(2));
    let e = client
        .clear_global_keys_with(&["k".into()], &options)
        .unwrap_err();
    match &e {
        Error::JobTimedOut {
            job,
            job_id,
            waited,
            polls,
        } => {
            assert_eq!(job, "clearGlobalKeys");
            assert_eq!(job_id, "job-1");
            assert_eq!(*waited, Duration::from_secs(10));
            assert_eq!(
                *polls, 6,
                "a poll at once, then every 2 s up to the deadline"
            );
        }
        other => panic!("expected JobTimedOut, got {other:?}"),
    }
    assert!(e.is_wait_timed_out());
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(2); 5]);
    start.assert();
    polls.assert();
}

#[test]
fn a_failed_job_is_job_failed_and_its_start_is_not_sent_again() {
    let mut server = mockito::Server::new();
    let start = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("assignGlobalKeysToDataRowsPyApi".into()))
        .with_body(data(
            json!({"assignGlobalKeysToDataRows": {"jobId": "job-2"}}),
        ))
        .expect(1)
        .create();
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex(
            "assignGlobalKeysToDataRowsResultPyApi".into(),
        ))
        .with_body(data(json!({"assignGlobalKeysToDataRowsResult": {
            "jobStatus": "FAILED", "data": null}})))
        .create();
    let client = common::client(&server, &FakeClock::new());
    let e = client
        .assign_global_keys(&[GlobalKeyAssignment::new("r", "k")])
        .unwrap_err();
    assert!(
        matches!(&e, Error::JobFailed { job, job_id } if job == "assignGlobalKeysToDataRows" && job_id == "job-2"),
        "{e:?}"
    );
    start.assert();
}

#[test]
fn an_answer_that_does_not_account_for_every_key_is_a_decode_error() {
    let mut server = mockito::Server::new();
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("getDataRowsForGlobalKeysPyApi".into()))
        .with_body(data(json!({"dataRowsForGlobalKeys": {"jobId": "j"}})))
        .create();
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("getDataRowsForGlobalKeysResultPyApi".into()))
        .with_body(data(json!({"dataRowsForGlobalKeysResult": {
            "jobStatus": "COMPLETE",
            "data": {"fetchedDataRows": [{"id": "r1"}],
                     "notFoundGlobalKeys": [], "accessDeniedGlobalKeys": []}}})))
        .create();
    let client = common::client(&server, &FakeClock::new());
    let e = client
        .data_row_ids_for_global_keys(&["a".into(), "b".into()])
        .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    assert!(e.to_string().contains("1 outcomes for 2"), "{e}");
}

#[test]
fn metadata_is_upserted_and_deleted_in_batches_of_50_with_failures_at_their_index() {
    let (emu, client, dataset, ids) = rows(120, "md");
    let mut items: Vec<MetadataUpsert> = (0..120)
        .map(|i| {
            MetadataUpsert::new(DataRowRef::GlobalKey(format!("md-{i}")))
                .field(TAG, format!("tag {i}"))
                .field(CAPTURE, "2026-11-29T07:00:00.000Z")
                .option(SPLIT, TRAIN)
        })
        .collect();
    items[7] = MetadataUpsert::new(DataRowRef::Id("no-such-row".into())).field(TAG, "x");
    items[77] = MetadataUpsert::new(DataRowRef::Id(ids[77].clone())).field(CAPTURE, "soon");
    let batches: Vec<_> = client
        .upsert_metadata(&items)
        .unwrap()
        .map(|b| b.unwrap())
        .collect();
    assert_eq!(
        batches.iter().map(|b| b.rows).collect::<Vec<_>>(),
        [METADATA_BATCH_SIZE, METADATA_BATCH_SIZE, 20]
    );
    assert_eq!(count_field(&emu, "upsertDataRowCustomMetadata"), 3);
    let failures: Vec<_> = batches.into_iter().flat_map(|b| b.failures).collect();
    assert_eq!(
        failures.iter().map(|f| f.index).collect::<Vec<_>>(),
        [Some(7), Some(77)]
    );
    assert_eq!(failures[0].row, DataRowRef::Id("no-such-row".into()));
    assert_eq!(failures[1].schema_ids, [CAPTURE]);
    let stored = emu.data_rows(&dataset);
    let row3 = stored.iter().find(|r| r.id == ids[3]).unwrap();
    assert_eq!(row3.metadata.len(), 4, "tag, capture, split and its option");
    let row77 = stored.iter().find(|r| r.id == ids[77]).unwrap();
    assert!(
        row77.metadata.is_empty(),
        "a failed row is applied not at all"
    );

    let deletes: Vec<MetadataDelete> = ids
        .iter()
        .take(60)
        .map(|id| MetadataDelete::new(DataRowRef::Id(id.clone()), [SPLIT, CAPTURE]))
        .collect();
    let failed = client.delete_metadata(deletes).unwrap().failures().unwrap();
    // Row 7 got no metadata (its item named another row): both schemas did not exist.
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].index, Some(7));
    assert_eq!(failed[0].message, "Schema did not exist");
    assert_eq!(failed[0].schema_ids, [SPLIT, CAPTURE]);
    let stored = emu.data_rows(&dataset);
    let row3 = stored.iter().find(|r| r.id == ids[3]).unwrap();
    assert_eq!(row3.metadata, [json!({"schemaId": TAG, "value": "tag 3"})]);
    let delete = requests_with(&emu, "deleteDataRowCustomMetadata").remove(0);
    assert_eq!(
        delete.operation.as_deref(),
        Some("DeleteDataRowMetadataBetaPyApi")
    );
    assert_eq!(
        delete.variables["deletes"][0],
        json!({"dataRowIdentifier": {"id": ids[0], "idType": "ID"}, "schemaIds": [SPLIT, CAPTURE]})
    );
}

#[test]
fn bad_metadata_items_are_refused_before_anything_is_sent() {
    let emu = import_support::emulator();
    let client = import_support::client(&emu);
    let before = emu.requests().len();
    let no_fields = vec![
        MetadataUpsert::new(DataRowRef::Id("a".into())).field(TAG, "x"),
        MetadataUpsert::new(DataRowRef::Id("b".into())),
    ];
    let e = client.upsert_metadata(&no_fields).unwrap_err();
    assert!(e.to_string().contains("items[1].fields"), "{e}");
    let blank = vec![MetadataDelete::new(
        DataRowRef::GlobalKey(" ".into()),
        [TAG],
    )];
    let e = client.delete_metadata(&blank).unwrap_err();
    assert!(e.to_string().contains("items[0].global_key"), "{e}");
    let none: Vec<MetadataDelete> = Vec::new();
    assert!(client
        .delete_metadata(&none)
        .unwrap_err()
        .is_invalid_input());
    assert_eq!(emu.requests().len(), before, "nothing was sent");
}

/// A source that gives fewer items on its second pass than on its first.
#[derive(Clone)]
struct Shrinking {
    passes: Arc<AtomicUsize>,
    items: Vec<MetadataUpsert>,
}

impl IntoIterator for Shrinking {
    type Item = MetadataUpsert;
    type IntoIter = std::vec::IntoIter<MetadataUpsert>;

    fn into_iter(self) -> Self::IntoIter {
        let mut items = self.items;
        if self.passes.fetch_add(1, Ordering::SeqCst) > 0 {
            items.truncate(60);
        }
        items.into_iter()
    }
}

#[test]
fn a_source_that_changes_between_passes_ends_in_an_error_after_what_was_sent() {
    let (emu, client, _, _) = rows(1, "sh");
    let items = (0..120)
        .map(|_| MetadataUpsert::new(DataRowRef::GlobalKey("sh-0".into())).field(TAG, "t"))
        .collect();
    let source = Shrinking {
        passes: Arc::new(AtomicUsize::new(0)),
        items,
    };
    let outcomes: Vec<_> = client.upsert_metadata(source).unwrap().collect();
    assert_eq!(outcomes.len(), 3, "two batches, then the error");
    assert_eq!(outcomes[1].as_ref().unwrap().rows, 10);
    let e = outcomes[2].as_ref().unwrap_err();
    assert!(
        e.to_string().contains("120 items when checked and 60"),
        "{e}"
    );
    assert_eq!(count_field(&emu, "upsertDataRowCustomMetadata"), 2);
}

#[test]
fn a_failure_for_a_row_not_in_the_batch_stops_the_operation() {
    let mut server = mockito::Server::new();
    let mutation = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("UpsertDataRowMetadataBetaPyApi".into()))
        .with_body(data(json!({"upsertDataRowCustomMetadata": [
            {"globalKey": null, "dataRowId": "stranger", "error": "x", "fields": []}]})))
        .expect(1)
        .create();
    let client = common::client(&server, &FakeClock::new());
    let items: Vec<_> = (0..60)
        .map(|i| MetadataUpsert::new(DataRowRef::Id(format!("r{i}"))).field(TAG, "t"))
        .collect();
    let outcomes: Vec<_> = client.upsert_metadata(&items).unwrap().collect();
    assert_eq!(outcomes.len(), 1, "nothing sent after the contradiction");
    assert!(
        matches!(&outcomes[0], Err(Error::Decode { .. })),
        "{:?}",
        outcomes[0]
    );
    mutation.assert();
}

#[test]
fn a_clearing_job_answering_a_key_twice_is_a_decode_error() {
    let mut server = mockito::Server::new();
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("clearGlobalKeysPyApi".into()))
        .with_body(data(json!({"clearGlobalKeys": {"jobId": "j"}})))
        .create();
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("clearGlobalKeysResultPyApi".into()))
        .with_body(data(json!({"clearGlobalKeysResult": {
            "jobStatus": "COMPLETE",
            "data": {"clearedGlobalKeys": ["a", "a"], "failedToClearGlobalKeys": [],
                     "notFoundGlobalKeys": [], "accessDeniedGlobalKeys": []}}})))
        .create();
    let client = common::client(&server, &FakeClock::new());
    let e = client
        .clear_global_keys(&["a".into(), "b".into()])
        .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
}
