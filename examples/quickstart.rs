//! The whole task flow in one run: create a dataset, import 1,000 rows (one of which repeats
//! a global key), wait with progress, read the created and failed rows, export the dataset and
//! stream its rows back (rows seen = rows created), list the organization's completed tasks,
//! then start another export and cancel it while it runs.
//!
//! ```sh
//! cargo run --example quickstart                      # against an in-process emulator
//! LABELBOX_API_KEY=... cargo run --example quickstart # against Labelbox (LABELBOX_ENDPOINT optional)
//! ```

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use labelbox::{
    Client, DataRowSpec, Dataset, Error, ExportOptions, ExportTask, ExportedRow, RowData,
    StreamType, Task, TaskFilter, TaskStatus, WaitOptions, ENV_API_KEY,
};
use labelbox_emulator::Emulator;

const ROWS: usize = 1_000;

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    // Kept alive until the end of main: dropping it stops the server.
    let (client, _emulator, poll_every) = connect()?;

    let dataset = client.create_dataset(&format!("quickstart {}", run_id()))?;
    println!("created dataset {} ({})", dataset.name(), dataset.id());

    // 1,000 rows; the last one repeats the first one's global key, so it fails.
    let prefix = format!("quickstart-{}", run_id());
    let mut specs: Vec<DataRowSpec> = (0..ROWS - 1).map(|i| spec(&prefix, i)).collect();
    specs.push(
        DataRowSpec::new(RowData::url("https://picsum.photos/id/1/200/300"))
            .global_key(format!("{prefix}-0"))
            .external_id("the duplicate"),
    );
    let mut task = dataset.create_data_rows(&specs)?;
    println!("importing {ROWS} rows: task {}", task.id());
    let status = task.wait_with_progress(wait_options(poll_every), show_progress)?;
    finished("the import", status)?;

    let totals = task.totals()?;
    println!("created {} rows, {} failed", totals.created, totals.failed);
    for failure in task.errors()? {
        let failure = failure?;
        let key = failure.global_key.as_deref().unwrap_or("-");
        println!("  failed row (global key {key}): {}", failure.message);
    }

    export_and_stream_back(&dataset, totals.created, poll_every)?;

    println!("completed tasks of the organization:");
    for listed in client
        .tasks(TaskFilter::new().status(TaskStatus::Complete))
        .take(10)
    {
        let listed = listed?;
        println!(
            "  {} {} {}",
            listed.id(),
            listed.task_type(),
            listed.status()
        );
    }

    cancel_a_running_export(&dataset, poll_every)?;
    println!("done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// A client of the real service when `LABELBOX_API_KEY` is set, else of an in-process emulator.
fn connect() -> anyhow::Result<(Client, Option<Emulator>, Duration)> {
    if std::env::var_os(ENV_API_KEY).is_some() {
        let client = Client::from_env().context("building the client from the environment")?;
        println!("talking to {}", client.endpoint());
        return Ok((client, None, Duration::from_secs(2)));
    }
    let emulator = Emulator::builder()
        .import_rows_per_second(2_000)
        .min_task_duration(Duration::from_millis(1_500))
        .start()
        .context("starting the emulator")?;
    println!(
        "{ENV_API_KEY} is not set: started the Labelbox emulator in-process at {}",
        emulator.url()
    );
    let poll_every = Duration::from_millis(250);
    let client = Client::builder()
        .api_key(emulator.api_key())
        .endpoint(emulator.url())
        .min_check_frequency(poll_every)
        .build()?;
    Ok((client, Some(emulator), poll_every))
}

fn spec(prefix: &str, i: usize) -> DataRowSpec {
    DataRowSpec::new(RowData::url(format!(
        "https://picsum.photos/id/{}/200/300",
        i % 1000
    )))
    .global_key(format!("{prefix}-{i}"))
    .external_id(format!("image-{i}.jpg"))
}

/// Up to 5 minutes, polling as often as the client allows.
fn wait_options(poll_every: Duration) -> WaitOptions {
    WaitOptions::default()
        .timeout(Duration::from_secs(300))
        .check_frequency(poll_every)
}

/// Shows a poll: the line is redrawn in place on a terminal, one line per poll elsewhere.
fn show_progress(task: &Task) {
    let percent = 100.0 * task.completion_percentage().unwrap_or(0.0);
    if std::io::stdout().is_terminal() {
        print!("\r  {} {percent:5.1}%", task.status());
        let _ = std::io::stdout().flush();
    } else {
        println!("  {} {percent:5.1}%", task.status());
    }
}

/// Ends the progress line; anything but COMPLETE stops the run.
fn finished(what: &str, status: TaskStatus) -> anyhow::Result<()> {
    if std::io::stdout().is_terminal() {
        println!();
    }
    if status != TaskStatus::Complete {
        bail!("{what} ended {status}");
    }
    Ok(())
}

/// Exports the dataset, waits, and streams every row back, decoding only its `data_row` part.
fn export_and_stream_back(
    dataset: &Dataset,
    created: u64,
    poll_every: Duration,
) -> anyhow::Result<()> {
    let mut export = dataset.export(ExportOptions::new().include_data_row_details(true))?;
    println!("exporting the dataset: task {}", export.id());
    let status = export.wait_with_progress(wait_options(poll_every), show_progress)?;
    finished("the export", status)?;
    let mut seen = 0u64;
    let mut first = None;
    for row in export.stream_as::<ExportedRow>(StreamType::Result)? {
        let row = row?;
        seen += 1;
        first.get_or_insert(row.data_row);
    }
    if let Some(row) = first {
        match &row.global_key {
            Some(key) => println!("  first row: {} (global key {key})", row.id),
            None => println!("  first row: {} (no global key)", row.id),
        }
    }
    println!("streamed {seen} rows back; {created} were created");
    if seen != created {
        bail!("the export streamed {seen} rows, the import created {created}");
    }
    Ok(())
}

/// Starts an export (a cancelable task type, unlike imports) and cancels it while it runs.
fn cancel_a_running_export(dataset: &Dataset, poll_every: Duration) -> anyhow::Result<()> {
    let mut export = dataset.export(ExportOptions::new().task_name("quickstart: to cancel"))?;
    println!(
        "started another export: task {} is {}",
        export.id(),
        export.status()
    );
    match export.cancel() {
        Ok(accepted) => println!("cancel requested: {accepted}"),
        // A fast service may finish the export before the cancel arrives.
        Err(Error::TaskNotCancelable { status, reason, .. }) => {
            println!("could not cancel (task {status}): {reason}");
        }
        Err(e) => return Err(e.into()),
    }
    let status = export.wait_with(
        ExportTask::default_wait()
            .timeout(Duration::from_secs(60))
            .check_frequency(poll_every),
    )?;
    println!("the export is {status}");
    Ok(())
}

fn run_id() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
