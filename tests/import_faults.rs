//! Imports under injected faults: every row is created exactly once, nothing is lost, and
//! `upsertDataRows` is never sent a second time.

mod import_support;

use std::collections::HashSet;
use std::time::Duration;

use import_support::*;
use labelbox::{ImportOptions, TaskStatus};
use labelbox_emulator::{Emulator, FaultKind, Faults};

/// `upsertDataRows` requests the emulator executed (a rate-limited one was refused before it
/// ran, so re-sending it is safe).
fn executed_upserts(emu: &Emulator) -> usize {
    requests_with(emu, "upsertDataRows")
        .iter()
        .filter(|r| r.fault != Some(FaultKind::RateLimited))
        .count()
}

#[test]
fn import_wait_and_results_survive_server_errors_drops_and_rate_limits() {
    let faults = Faults::seeded(7)
        .server_errors(0.2)
        .dropped_connections(0.1)
        .rate_limit(8, Duration::from_millis(300))
        .except_operations(["upsertDataRows"]);
    let emu = emulator_with_faults(faults);
    let client = client(&emu);
    // Created by the emulator: createDataset is a mutation, which a dropped connection
    // would (rightly) leave ambiguous.
    let dataset_id = emu.create_dataset("faults");
    let dataset = client.get_dataset(&dataset_id).unwrap();
    let specs = specs("f", 2_000);

    let options = ImportOptions::default().max_chunk_bytes(30_000);
    let mut task = dataset
        .create_data_rows_with(&specs, &options)
        .unwrap()
        .with_page_size(150);
    assert_eq!(
        task.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );

    let created = task.result().unwrap();
    let failed = task.failed_data_rows().unwrap();
    assert_eq!(failed, vec![]);
    assert_eq!(created.len(), 2_000, "every row reported once");
    let keys: HashSet<_> = created
        .iter()
        .filter_map(|r| r.global_key().map(str::to_owned))
        .collect();
    assert_eq!(keys.len(), 2_000);

    let stored = emu.data_rows(&dataset_id);
    assert_eq!(stored.len(), 2_000, "every row created exactly once");
    let stored_keys: HashSet<_> = stored.iter().filter_map(|r| r.global_key.clone()).collect();
    assert_eq!(stored_keys, keys);

    assert_eq!(executed_upserts(&emu), 1, "upsertDataRows executed once");
    // The faults really happened, each kind of them.
    let faults: Vec<FaultKind> = emu.requests().iter().filter_map(|r| r.fault).collect();
    eprintln!("{} requests, faults: {faults:?}", emu.requests().len());
    let count = |pred: fn(&FaultKind) -> bool| faults.iter().filter(|f| pred(f)).count();
    assert!(count(|f| matches!(f, FaultKind::ServerError(_))) > 0);
    assert!(count(|f| matches!(f, FaultKind::RateLimited)) > 0);
    assert!(
        count(|f| matches!(
            f,
            FaultKind::DroppedBeforeStatus | FaultKind::DroppedMidBody
        )) > 0
    );
}

fn ambiguous_upsert(faults: Faults) {
    let emu = emulator_with_faults(faults);
    let client = client(&emu);
    let dataset_id = emu.create_dataset("ambiguous");
    let dataset = client.get_dataset(&dataset_id).unwrap();

    let err = dataset.create_data_rows(&specs("a", 5)).unwrap_err();
    assert!(err.may_have_been_processed(), "{err:?}");
    assert!(err.to_string().contains("may have been processed"), "{err}");
    assert_eq!(
        count_field(&emu, "upsertDataRows"),
        1,
        "sent once, not again"
    );
}

#[test]
fn a_server_error_on_upsert_data_rows_is_ambiguous_and_not_resent() {
    ambiguous_upsert(
        Faults::seeded(3)
            .server_errors(1.0)
            .except_operations(["uploadFile", "dataset"]),
    );
}

#[test]
fn a_dropped_upsert_data_rows_is_ambiguous_and_not_resent() {
    ambiguous_upsert(
        Faults::seeded(3)
            .dropped_connections(1.0)
            .except_operations(["uploadFile", "dataset"]),
    );
}
