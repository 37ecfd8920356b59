//! `labelbox data-rows import` (the catalog commands, `assign-keys` and `metadata`, are in
//! `catalog`).

use std::cell::RefCell;

use labelbox::{Client, DataUpsertTask, FailedDataRow, ImportTotals, TaskStatus, UpsertItem};
use serde_json::json;

use super::{catalog, lookup, task, view};
use crate::args::{DataRowsCommand, ImportArgs, WaitArgs};
use crate::exit::{self, Exit};
use crate::output::{message_line, print_fields, print_json, print_line, Ui};
use crate::rows_file::RowsFile;

/// How many failed rows an import with `--wait` names on stderr (all: `task errors`).
const FAILURES_SHOWN: usize = 20;

/// Runs one `data-rows` command; the client is only built once the input is known to be good.
pub fn run(
    connect: impl FnOnce() -> anyhow::Result<Client>,
    ui: Ui,
    command: DataRowsCommand,
) -> anyhow::Result<Exit> {
    match command {
        DataRowsCommand::Import(args) => import(connect, ui, args),
        DataRowsCommand::AssignKeys(args) => catalog::assign_keys(connect, ui, args),
        DataRowsCommand::Metadata(command) => catalog::metadata(connect, ui, command),
    }
}

/// Checks every row (first pass over the file), then connects and uploads them (second pass,
/// by the SDK), one chunk in memory at a time.
fn import(
    connect: impl FnOnce() -> anyhow::Result<Client>,
    ui: Ui,
    args: ImportArgs,
) -> anyhow::Result<Exit> {
    let file = RowsFile::open(&args.file)?;
    let count = file.check()?;
    let client = connect()?;
    let dataset = lookup::dataset(
        &client,
        args.dataset.as_deref(),
        args.dataset_name.as_deref(),
    )?;
    ui.note(format!(
        "importing {count} rows from {} into dataset {}",
        file.name,
        dataset.id()
    ));
    let changed = RefCell::new(None);
    let upsert = match dataset.upsert_data_rows(file.items::<UpsertItem>(&changed)) {
        Ok(upsert) => upsert,
        Err(err) => {
            return Err(match changed.take() {
                Some(why) => exit::usage(format!(
                    "{} changed while it was being imported ({why}); nothing was imported",
                    file.name
                )),
                None => err.into(),
            })
        }
    };
    if let Some(why) = changed.take() {
        // The SDK read the same rows twice, so what it imports is consistent; still, it is
        // not the file that was checked.
        message_line(&format!(
            "warning: {} changed while it was being imported ({why})",
            file.name
        ));
    }
    ui.note(format!("import task {} started", upsert.id()));
    match args.wait {
        Some(timeout) => {
            let every = args.every;
            let limits = WaitArgs { timeout, every };
            wait_and_report(ui, upsert, limits, args.allow_failed_rows)
        }
        None if ui.json => {
            print_json(&view::task_json(upsert.task()))?;
            Ok(Exit::Success)
        }
        None => {
            print_line(upsert.id())?;
            Ok(Exit::Success)
        }
    }
}

/// `--wait`: follows the import, then reports its counts and exit.
fn wait_and_report(
    ui: Ui,
    upsert: DataUpsertTask,
    limits: WaitArgs,
    allow_failed_rows: bool,
) -> anyhow::Result<Exit> {
    // The shared wait follows a plain task; the import it ends as is one again.
    let mut task = upsert.into_task();
    let waited = task::wait_for(&mut task, ui, limits);
    let upsert = DataUpsertTask::try_from(task)?;
    if let Err(err) = waited {
        print_report(ui, &upsert, None)?;
        return Err(err);
    }
    report_finished(ui, &upsert, allow_failed_rows)
}

/// After the wait: counts on stdout, some failed rows on stderr, and the exit code.
fn report_finished(
    ui: Ui,
    upsert: &DataUpsertTask,
    allow_failed_rows: bool,
) -> anyhow::Result<Exit> {
    if *upsert.status() == TaskStatus::Failed {
        print_report(ui, upsert, None)?;
        return task::ended(upsert.task());
    }
    let totals = upsert.totals()?;
    print_report(ui, upsert, Some((totals.created, totals.failed)))?;
    if *upsert.status() != TaskStatus::Complete {
        return task::ended(upsert.task());
    }
    if !ui.quiet && totals.failed > 0 {
        for row in upsert.errors()?.take(FAILURES_SHOWN) {
            message_line(&format!("failed row {}", describe(&row?)));
        }
    }
    rows_outcome(ui, upsert, totals, allow_failed_rows)
}

/// The exit of a completed import: 0 when every row was created (or failed rows are allowed),
/// 1 when rows failed.
pub fn rows_outcome(
    ui: Ui,
    upsert: &DataUpsertTask,
    totals: ImportTotals,
    allow_failed_rows: bool,
) -> anyhow::Result<Exit> {
    if totals.failed == 0 {
        return Ok(Exit::Success);
    }
    if allow_failed_rows {
        ui.note(format!(
            "{} rows failed, allowed by --allow-failed-rows (them: labelbox task errors {})",
            totals.failed,
            upsert.id()
        ));
        return Ok(Exit::Success);
    }
    Err(exit::failure(
        Exit::Failed,
        format!(
            "{} of {} rows failed to import (all of them: labelbox task errors {})",
            totals.failed,
            totals.created + totals.failed,
            upsert.id()
        ),
    ))
}

/// The task and, once known, how many rows were created and failed.
fn print_report(
    ui: Ui,
    upsert: &DataUpsertTask,
    totals: Option<(u64, u64)>,
) -> std::io::Result<()> {
    let (created, failed) = totals.unzip();
    if ui.json {
        return print_json(&json!({
            "task": view::task_json(upsert.task()),
            "created": created,
            "failed": failed,
        }));
    }
    let mut fields = vec![
        ("task", upsert.id().to_string()),
        ("status", upsert.status().as_str().to_string()),
    ];
    if let (Some(created), Some(failed)) = (created, failed) {
        fields.push(("created", created.to_string()));
        fields.push(("failed", failed.to_string()));
    }
    print_fields(&fields)
}

/// `(global key g1, external id e1): Duplicate global key: 'g1'`.
fn describe(row: &FailedDataRow) -> String {
    let mut ids = Vec::new();
    if let Some(key) = &row.global_key {
        ids.push(format!("global key {key}"));
    }
    if let Some(id) = &row.external_id {
        ids.push(format!("external id {id}"));
    }
    if ids.is_empty() {
        format!(": {}", row.message)
    } else {
        format!("({}): {}", ids.join(", "), row.message)
    }
}
