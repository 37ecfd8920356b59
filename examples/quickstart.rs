//! The whole task flow in one run. The catalog: create a dataset, import 1,000 rows (one of
//! which repeats a global key), wait with progress, read the created and failed rows, export
//! the dataset and stream its rows back (rows seen = rows created), list the organization's
//! completed tasks, then start another export and cancel it while it runs. The annotation
//! story: create a project, batch the rows into it, create and connect an ontology, import
//! labels (one of which names no tool), export the project and stream its labels back (labels
//! seen = the project's label count), then send rows to annotate and cancel that task.
//!
//! ```sh
//! cargo run --example quickstart                      # against an in-process emulator
//! LABELBOX_API_KEY=... cargo run --example quickstart # against Labelbox (LABELBOX_ENDPOINT optional)
//! ```

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use labelbox::{
    Annotation, AnnotationDataRow, Client, DataRowIdentifiers, DataRowSpec, Dataset, Destination,
    Error, ExportOptions, ExportTask, ExportedRow, ImportState, MediaType, NormalizedOntology,
    OntologyClassification, OntologyTool, Project, ProjectExportOptions, RowData,
    SendToAnnotateParams, StreamType, Task, TaskFilter, TaskStatus, WaitOptions, ENV_API_KEY,
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

    let keys: Vec<String> = (0..ROWS - 1).map(|i| format!("{prefix}-{i}")).collect();
    annotate(&client, &keys, poll_every)?;
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

/// Rows labeled by the import (each gets a box and a weather answer).
const LABELED: usize = 200;

/// The annotation story: project, batch, ontology, label import, project export, and a
/// send-to-annotate task cancelled.
fn annotate(client: &Client, keys: &[String], poll_every: Duration) -> anyhow::Result<()> {
    let project = client.create_project(&format!("quickstart {}", run_id()), MediaType::Image)?;
    println!("created project {} ({})", project.name(), project.id());
    let batch = project.create_batch("quickstart", DataRowIdentifiers::global_keys(keys), 3)?;
    println!(
        "batched {} rows into it ({} could not be added)",
        batch.size,
        batch.failed_data_row_ids.len()
    );
    let ontology = client.create_ontology(
        &format!("quickstart {}", run_id()),
        &NormalizedOntology::new()
            .tool(OntologyTool::bbox("car"))
            .classification(OntologyClassification::radio("weather", ["sunny", "rainy"])),
        Some(MediaType::Image),
    )?;
    project.connect_ontology(&ontology)?;
    let tools: Vec<&str> = ontology.tools().iter().map(|t| t.name.as_str()).collect();
    let questions: Vec<&str> = ontology
        .classifications()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    println!(
        "connected ontology {}: tools [{}], classifications [{}]",
        ontology.id,
        tools.join(", "),
        questions.join(", ")
    );

    import_labels(&project, keys, poll_every)?;
    export_labels(&project, poll_every)?;
    send_to_annotate_and_cancel(client, &project, keys, poll_every)
}

/// Imports a box and a weather answer on the first rows, plus one box of a tool the ontology
/// does not have (it fails), streamed from a `Clone` iterator: never collected.
fn import_labels(project: &Project, keys: &[String], poll_every: Duration) -> anyhow::Result<()> {
    let rows = keys[..LABELED]
        .iter()
        .flat_map(|key| {
            let row = AnnotationDataRow::GlobalKey(key.clone());
            [
                Annotation::bbox("car", row.clone(), 10.0, 20.0, 50.0, 80.0),
                Annotation::radio("weather", row, "sunny"),
            ]
        })
        .chain([Annotation::bbox(
            "bicycle",
            AnnotationDataRow::GlobalKey(keys[LABELED].clone()),
            1.0,
            1.0,
            5.0,
            5.0,
        )]);
    let mut import = project.import_labels("quickstart labels", rows)?;
    println!(
        "importing {} annotations: label import {}",
        2 * LABELED + 1,
        import.id()
    );
    let state = import.wait_with(wait_options(poll_every))?;
    if state != ImportState::Finished {
        bail!("the label import ended {state}");
    }
    let (mut ok, mut failed) = (0, 0);
    for status in import.statuses()? {
        if status?.is_success() {
            ok += 1;
        } else {
            failed += 1;
        }
    }
    println!("label import {state}: {ok} annotations imported, {failed} failed");
    for error in import.errors()? {
        let error = error?;
        let why = error.errors.first().map_or("", |e| e.message.as_str());
        println!(
            "  failed annotation {}: {why}",
            error.uuid.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}

/// Exports the project with its labels and streams them back: labels seen = label count.
fn export_labels(project: &Project, poll_every: Duration) -> anyhow::Result<()> {
    let mut export = project.export(
        ProjectExportOptions::new()
            .include_label_details(true)
            .include_project_details(true),
    )?;
    println!("exporting the project: task {}", export.id());
    let status = export.wait_with_progress(wait_options(poll_every), show_progress)?;
    finished("the project export", status)?;
    let (mut rows, mut labels, mut annotations) = (0u64, 0u64, 0u64);
    for row in export.stream_as::<ExportedRow>(StreamType::Result)? {
        let row = row?;
        rows += 1;
        if let Some(part) = row.projects.get(project.id()) {
            labels += part.labels.len() as u64;
            annotations += part
                .labels
                .iter()
                .map(|l| l.annotations.len() as u64)
                .sum::<u64>();
        }
    }
    let count = project.label_count()?;
    println!("streamed {rows} rows back with {labels} labels ({annotations} annotations); the project counts {count} labels");
    if labels != count {
        bail!("the export streamed {labels} labels, the project counts {count}");
    }
    Ok(())
}

/// Sends the first rows to a second project (a cancelable task) and cancels it.
fn send_to_annotate_and_cancel(
    client: &Client,
    source: &Project,
    keys: &[String],
    poll_every: Duration,
) -> anyhow::Result<()> {
    let target =
        client.create_project(&format!("quickstart review {}", run_id()), MediaType::Image)?;
    let sent = client.send_to_annotate_from_catalog(
        target.id(),
        Destination::Done,
        "from the quickstart",
        DataRowIdentifiers::global_keys(&keys[..LABELED]),
        SendToAnnotateParams::from_project(source.id()),
    );
    let mut task = match sent {
        Ok(task) => task,
        Err(e @ (Error::InvalidQuery { .. } | Error::Api { .. })) => {
            println!("send to annotate is not served here: {e}");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    println!(
        "sending {LABELED} rows to annotate: task {} is {}",
        task.id(),
        task.status()
    );
    match client.cancel_task(task.id()) {
        Ok(accepted) => println!("cancel requested: {accepted}"),
        Err(Error::TaskNotCancelable { status, reason, .. }) => {
            println!("could not cancel (task {status}): {reason}");
        }
        Err(e) => return Err(e.into()),
    }
    let status = task.wait_with(
        WaitOptions::default()
            .timeout(Duration::from_secs(60))
            .check_frequency(poll_every),
    )?;
    println!("the send-to-annotate task is {status}");
    Ok(())
}

fn run_id() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
