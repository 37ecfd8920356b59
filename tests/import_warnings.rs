//! A finished import with failed rows is warned about through the `log` facade, after one small
//! count request (kept for later totals); a clean import is not. (Without a logger, no count
//! is asked: tests/import_flow.rs.)

mod import_support;

use std::sync::Mutex;

use import_support::*;
use labelbox::{DataRowSpec, RowData, TaskStatus};
use labelbox_emulator::Emulator;
use log::{Level, LevelFilter, Log, Metadata, Record};

/// Keeps every warning logged in this test binary. Tests run in parallel, so each test only
/// looks at the warnings naming its own task.
struct Warnings(Mutex<Vec<String>>);

impl Log for Warnings {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= Level::Warn
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
            kept.push(record.args().to_string());
        }
    }

    fn flush(&self) {}
}

static WARNINGS: Warnings = Warnings(Mutex::new(Vec::new()));

/// The warnings logged so far that name `task_id`.
fn warnings_about(task_id: &str) -> Vec<String> {
    // Several tests install the same logger; only the first call succeeds, which is fine.
    let _ = log::set_logger(&WARNINGS);
    log::set_max_level(LevelFilter::Warn);
    let kept = WARNINGS.0.lock().unwrap_or_else(|e| e.into_inner());
    kept.iter()
        .filter(|w| w.contains(task_id))
        .cloned()
        .collect()
}

/// The `failedDataRowImports` requests of the log, as their `first` variable.
fn failure_counts(emu: &Emulator) -> Vec<serde_json::Value> {
    requests_with(emu, "failedDataRowImports")
        .iter()
        .map(|r| r.variables["first"].clone())
        .collect()
}

#[test]
fn a_complete_import_with_failed_rows_logs_a_warning_with_their_count() {
    warnings_about("install the logger before the wait");
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("warn").unwrap();
    let mut specs = specs("warn", 5);
    for again in ["warn-1", "warn-3"] {
        specs.push(
            DataRowSpec::new(RowData::url("https://example.com/again.jpg")).global_key(again),
        );
    }
    let mut task = dataset.create_data_rows(&specs).unwrap();

    assert_eq!(
        task.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );

    let warnings = warnings_about(task.id());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("COMPLETE with 2 failed row(s)"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[0].contains("DataUpsertTask::errors()"),
        "{}",
        warnings[0]
    );
    assert_eq!(
        failure_counts(&emu),
        [serde_json::json!(1)],
        "one small count request"
    );
    // The count the warning needed is kept: the totals do not ask for it again.
    assert_eq!(task.totals().unwrap().failed, 2);
    assert_eq!(failure_counts(&emu), [serde_json::json!(1)]);
}

#[test]
fn a_clean_import_logs_no_warning() {
    warnings_about("install the logger before the wait");
    let emu = emulator();
    let client = client(&emu);
    let dataset = client.create_dataset("clean").unwrap();
    let mut task = dataset.create_data_rows(&specs("clean", 5)).unwrap();

    assert_eq!(task.wait_till_done().unwrap(), TaskStatus::Complete);

    assert_eq!(warnings_about(task.id()), Vec::<String>::new());
    assert_eq!(
        failure_counts(&emu),
        [serde_json::json!(1)],
        "the count was asked"
    );
}
