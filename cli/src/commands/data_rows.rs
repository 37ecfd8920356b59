//! `labelbox data-rows import`.

use labelbox::{Client, DataUpsertTask, FailedDataRow, ImportTotals, TaskStatus, UpsertItem};
use serde_json::json;

use super::{task, view};
use crate::args::{DataRowsCommand, ImportArgs, WaitArgs};
use crate::exit::{self, Exit};
use crate::output::{message_line, print_fields, print_json, print_line, Ui};
use crate::{row_item, rows_file};

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
    }
}

fn import(
    connect: impl FnOnce() -> anyhow::Result<Client>,
    ui: Ui,
    args: ImportArgs,
) -> anyhow::Result<Exit> {
    let rows = rows_file::load(&args.file, row_item::to_item, sdk_problems)?;
    let client = connect()?;
    let dataset = client.get_dataset(&args.dataset)?;
    ui.note(format!(
        "importing {} rows from {} into dataset {}",
        rows.items.len(),
        rows.name,
        dataset.id()
    ));
    let upsert = dataset.upsert_data_rows(&rows.items)?;
    ui.note(format!("import task {} started", upsert.id()));
    match args.wait {
        Some(timeout) => {
            let every = args.every;
            wait_and_report(ui, upsert, WaitArgs { timeout, every })
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
fn wait_and_report(ui: Ui, upsert: DataUpsertTask, limits: WaitArgs) -> anyhow::Result<Exit> {
    // The shared wait follows a plain task; the import it ends as is one again.
    let mut task = upsert.into_task();
    let waited = task::wait_for(&mut task, ui, limits);
    let upsert = DataUpsertTask::try_from(task)?;
    if let Err(err) = waited {
        print_report(ui, &upsert, None)?;
        return Err(err);
    }
    report_finished(ui, &upsert)
}

/// The SDK's own checks of the rows (`row_data` present, no `s3://` assets, no empty
/// values...), run before connecting so that one report names every bad row: each refused
/// row's index and why.
fn sdk_problems(items: &[UpsertItem]) -> Vec<(usize, String)> {
    // No items: every row was refused for its shape already (the SDK would only add that the
    // list is empty).
    if items.is_empty() {
        return Vec::new();
    }
    match labelbox::validate_items(items) {
        Err(labelbox::Error::InvalidItems(refused)) => refused
            .iter()
            .map(|e| (e.index, format!("{}: {}", e.field, e.problem)))
            .collect(),
        // The only other refusal is an empty list, excluded above; the upsert checks again.
        _ => Vec::new(),
    }
}

/// After the wait: counts on stdout, some failed rows on stderr, and the exit code.
fn report_finished(ui: Ui, upsert: &DataUpsertTask) -> anyhow::Result<Exit> {
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
    rows_outcome(upsert, totals)
}

/// The exit of a completed import: 0 when every row was created, 1 when rows failed.
pub fn rows_outcome(upsert: &DataUpsertTask, totals: ImportTotals) -> anyhow::Result<Exit> {
    if totals.failed == 0 {
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
