//! The whole import flow in one run: create a dataset, import 1,000 rows (one of which repeats
//! a global key), wait with progress, read the created and failed rows, list the
//! organization's completed tasks, then start a large import and cancel it.
//!
//! ```sh
//! cargo run --example quickstart                      # against an in-process emulator
//! LABELBOX_API_KEY=... cargo run --example quickstart # against Labelbox (LABELBOX_ENDPOINT optional)
//! ```

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use labelbox::{
    Client, DataRowSpec, DataUpsertTask, Error, RowData, TaskFilter, TaskStatus, WaitOptions,
    ENV_API_KEY,
};
use labelbox_emulator::Emulator;

const ROWS: usize = 1_000;
const LARGE_ROWS: usize = 20_000;

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
    wait_with_progress(&mut task, poll_every)?;

    let totals = task.totals()?;
    println!("created {} rows, {} failed", totals.created, totals.failed);
    for failure in task.errors()? {
        let failure = failure?;
        let key = failure.global_key.as_deref().unwrap_or("-");
        println!("  failed row (global key {key}): {}", failure.message);
    }

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

    cancel_a_large_import(&client, &dataset, &prefix, poll_every)?;
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

fn wait_with_progress(task: &mut DataUpsertTask, poll_every: Duration) -> anyhow::Result<()> {
    let options = WaitOptions::default()
        .timeout(Duration::from_secs(300))
        .check_frequency(poll_every);
    // On a terminal the progress line is redrawn in place; elsewhere one line per poll.
    let in_place = std::io::stdout().is_terminal();
    let status = task.wait_with_progress(options, |t| {
        let percent = 100.0 * t.completion_percentage().unwrap_or(0.0);
        if in_place {
            print!("\r  {} {percent:5.1}%", t.status());
            let _ = std::io::stdout().flush();
        } else {
            println!("  {} {percent:5.1}%", t.status());
        }
    })?;
    if in_place {
        println!();
    }
    if status != TaskStatus::Complete {
        bail!("the import ended {status}");
    }
    Ok(())
}

fn cancel_a_large_import(
    client: &Client,
    dataset: &labelbox::Dataset,
    prefix: &str,
    poll_every: Duration,
) -> anyhow::Result<()> {
    let specs: Vec<DataRowSpec> = (ROWS..ROWS + LARGE_ROWS).map(|i| spec(prefix, i)).collect();
    let mut task: DataUpsertTask = dataset.create_data_rows(&specs)?;
    println!(
        "started a large import of {LARGE_ROWS} rows: task {} is {}",
        task.id(),
        task.status()
    );
    match client.cancel_task(task.id()) {
        Ok(accepted) => println!("cancel requested: {accepted}"),
        // A fast service may finish the import before the cancel arrives.
        Err(Error::TaskNotCancelable { status, reason, .. }) => {
            println!("could not cancel (task {status}): {reason}");
        }
        Err(e) => return Err(e.into()),
    }
    let status = task.wait_with(
        WaitOptions::default()
            .timeout(Duration::from_secs(120))
            .check_frequency(poll_every),
    )?;
    let totals = task.totals()?;
    println!(
        "the large import is {status}: {} of {LARGE_ROWS} rows were created before it stopped",
        totals.created
    );
    Ok(())
}

fn run_id() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
