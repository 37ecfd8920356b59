//! Project export benchmark against the in-process emulator: prints figures, asserts nothing.
//!
//! ```sh
//! cargo run --release --example project_export_bench            # 150,000 rows, each labeled
//! cargo run --release --example project_export_bench -- 20000   # another size
//! ```
//!
//! It imports the rows, batches them into a project (batches of at most 100,000, the
//! asynchronous path), connects an ontology, imports one label per row (streamed from a
//! `Clone` iterator), exports the project with label details and waits. Then, in five rounds,
//! child processes of this example, which do nothing else (so the emulator's CPU and memory
//! are not counted), stream the export as `Value` rows, as typed `ExportedRow`s and as
//! `ExportedLine`s read through accessors (labels counted), and, as the floor, with every
//! line's JSON scanned but nothing built
//! (`IgnoredAny`): CPU time (every thread's run time in ns, from
//! `/proc/self/task/*/schedstat`), wall, time to the first row and peak memory (VmHWM). In
//! each round the official Python SDK reads the same export with `get_buffered_stream()`
//! (`examples/bench_support/project_export_bench.py`, run with the virtualenv of the
//! conformance test when it exists). Last, each way's CPU against Python's: the range over
//! the rounds, their median, and the least against the least.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use labelbox::{
    Annotation, AnnotationDataRow, Client, DataRowIdentifiers, ExportedLine, ExportedRow,
    ImportState, MediaType, NormalizedOntology, OntologyClassification, ProjectExportOptions,
    StreamType, TaskStatus, WaitOptions, ENV_API_KEY, MAX_BATCH_ROWS,
};
use labelbox_emulator::Emulator;
use serde_json::Value;

mod bench_support;
use bench_support::{client, memory_kb, output_of, process_cpu, specs};

const PYTHONS: [&str; 2] = [
    "target/conformance-venv/bin/python",
    "target/labelbox-integration/venv/bin/python",
];
const PYTHON_BENCH: &str = "examples/bench_support/project_export_bench.py";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("stream-child") => stream_child(&args[1..]),
        Some(rows) => parent(rows.parse().context("the row count")?),
        None => parent(150_000),
    }
}

fn wait() -> WaitOptions {
    WaitOptions::default()
        .timeout(Duration::from_secs(1_800))
        .check_frequency(Duration::from_millis(50))
}

fn parent(rows: usize) -> anyhow::Result<()> {
    let emulator = Emulator::builder()
        .import_rows_per_second(10_000_000)
        .min_task_duration(Duration::ZERO)
        .start()?;
    // The emulator checks a whole label file inside its mutation: give it time.
    let client = Client::builder()
        .api_key(emulator.api_key())
        .endpoint(emulator.url())
        .min_check_frequency(Duration::from_millis(50))
        .request_timeout(Duration::from_secs(1_800))
        .build()?;
    println!("project export benchmark: {rows} labeled rows from the in-process emulator");
    let task_id = labeled_export(&client, rows)?;

    println!(
        "streaming the export, {ROUNDS} rounds (SDK child processes, then the official SDK's \
         get_buffered_stream(); CPU, wall, first row, peak memory):"
    );
    let python = PYTHONS.into_iter().find(|p| Path::new(p).exists());
    if python.is_none() {
        println!(
            "  skipping the official SDK: no virtualenv with it (cargo test --workspace makes one)"
        );
    }
    let python_at = WAYS.len();
    let mut cpu: Vec<[f64; WAYS.len() + 1]> = Vec::new();
    for round in 1..=ROUNDS {
        let mut this = [f64::NAN; WAYS.len() + 1];
        for (at, how) in WAYS.into_iter().enumerate() {
            let f = sdk_child(&emulator, &task_id, how)?;
            this[at] = report(round, how, &f);
        }
        if let Some(python) = python {
            this[python_at] = report(
                round,
                "python",
                &python_figures(python, &emulator, &task_id)?,
            );
        }
        cpu.push(this);
    }
    if python.is_none() {
        return Ok(());
    }
    println!(
        "CPU against the official SDK's, per round: the range, the median, and the least of \
         each against its least:"
    );
    for (at, how) in WAYS.into_iter().enumerate() {
        let mut ratios: Vec<f64> = cpu.iter().map(|c| c[at] / c[python_at]).collect();
        ratios.sort_by(f64::total_cmp);
        let least = |i: usize| cpu.iter().map(|c| c[i]).fold(f64::INFINITY, f64::min);
        println!(
            "  {how:<6} {:.3}x to {:.3}x, median {:.3}x ({:.3}x least to least)",
            ratios[0],
            ratios[ratios.len() - 1],
            ratios[ratios.len() / 2],
            least(at) / least(python_at)
        );
    }
    Ok(())
}

/// Rounds of the streaming measurements: the machine is shared, so each figure is read more
/// than once and the ratios are given as a range.
const ROUNDS: usize = 5;
/// How the SDK's children read the export: the floor (lines checked, nothing built), `Value`
/// rows, typed rows of owned fields (`ExportedRow`) and typed rows read through accessors
/// (`ExportedLine`).
const WAYS: [&str; 4] = ["skip", "value", "typed", "line"];

/// One streaming child's figures.
fn sdk_child(emulator: &Emulator, task_id: &str, how: &str) -> anyhow::Result<Value> {
    let stdout = output_of(
        Command::new(std::env::current_exe()?)
            .args(["stream-child", &emulator.url(), task_id, how])
            .env(ENV_API_KEY, emulator.api_key()),
        "the streaming child",
    )?;
    serde_json::from_slice(&stdout).context("the streaming child's figures")
}

/// Prints one reading's figures; answers its CPU seconds.
fn report(round: usize, how: &str, f: &Value) -> f64 {
    let cpu = f["cpu_s"].as_f64().unwrap_or(f64::NAN);
    println!(
        "  {round} {how:<6} {} rows, {} labels: CPU {cpu:.3} s, wall {:.3} s, first row {:.1} ms, \
         peak VmHWM {} kB",
        f["rows"],
        f["labels"],
        f["total_s"].as_f64().unwrap_or(f64::NAN),
        f["first_row_s"].as_f64().unwrap_or(f64::NAN) * 1e3,
        f["peak_rss_kib"],
    );
    cpu
}

/// Rows, project, batches, ontology, one label per row, and the project's export, finished.
fn labeled_export(client: &Client, rows: usize) -> anyhow::Result<String> {
    let started = Instant::now();
    let dataset = client.create_dataset("project bench")?;
    let specs = specs("project", rows);
    if dataset.create_data_rows(&specs)?.wait_with(wait())? != TaskStatus::Complete {
        bail!("the import did not complete");
    }
    println!(
        "  imported {rows} rows: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let step = Instant::now();
    let project = client.create_project("project bench", MediaType::Image)?;
    let keys: Vec<String> = (0..rows).map(|i| format!("bench-project-{i}")).collect();
    for (n, chunk) in keys.chunks(MAX_BATCH_ROWS).enumerate() {
        let rows = DataRowIdentifiers::global_keys(chunk);
        project.create_batch_with(&format!("batch {n}"), rows, 3, wait())?;
    }
    println!("  batched them: {:.1} s", step.elapsed().as_secs_f64());
    let step = Instant::now();
    let ontology = client.create_ontology(
        "project bench",
        &NormalizedOntology::new()
            .classification(OntologyClassification::radio("weather", ["sunny", "rainy"])),
        Some(MediaType::Image),
    )?;
    project.connect_ontology(&ontology)?;
    let labels = keys.iter().map(|key| {
        Annotation::radio(
            "weather",
            AnnotationDataRow::GlobalKey(key.clone()),
            "sunny",
        )
    });
    let mut import = project.import_labels("bench", labels)?;
    if import.wait_with(wait())? != ImportState::Finished {
        bail!("the label import did not finish");
    }
    println!(
        "  imported their labels: {:.1} s",
        step.elapsed().as_secs_f64()
    );
    println!(
        "  set up {rows} rows, {} labels in {:.1} s",
        project.label_count()?,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let mut export = project.export(ProjectExportOptions::new().include_label_details(true))?;
    if export.wait_with(wait())? != TaskStatus::Complete {
        bail!("the export did not complete");
    }
    println!(
        "  export+wait {:.1} s: {} lines, {:.1} MB",
        started.elapsed().as_secs_f64(),
        export.total_lines(StreamType::Result)?.unwrap_or(0),
        export.total_size(StreamType::Result)?.unwrap_or(0) as f64 / 1e6
    );
    Ok(export.id().to_owned())
}

/// Child: stream the export (as `Value`s or typed rows), then print its figures.
fn stream_child(args: &[String]) -> anyhow::Result<()> {
    let [url, task_id, how] = args else {
        bail!("usage: stream-child URL TASK_ID skip|value|typed|line (key in {ENV_API_KEY})");
    };
    let client = client(url, &std::env::var(ENV_API_KEY)?)?;
    let export = client.get_export_task(task_id)?;
    let cpu = process_cpu().as_secs_f64();
    let start = Instant::now();
    let mut first_row = None;
    let (mut rows, mut labels) = (0u64, 0usize);
    if how == "skip" {
        // The floor: every line read and its JSON scanned, nothing built.
        for row in export.stream_as::<serde::de::IgnoredAny>(StreamType::Result)? {
            row?;
            first_row.get_or_insert_with(|| start.elapsed());
            rows += 1;
        }
    } else if how == "line" {
        for row in export.stream_as::<ExportedLine>(StreamType::Result)? {
            let row = row?;
            first_row.get_or_insert_with(|| start.elapsed());
            rows += 1;
            labels += row.projects().map(|p| p.labels().count()).sum::<usize>();
        }
    } else if how == "typed" {
        for row in export.stream_as::<ExportedRow>(StreamType::Result)? {
            let row = row?;
            first_row.get_or_insert_with(|| start.elapsed());
            rows += 1;
            labels += row.projects.values().map(|p| p.labels.len()).sum::<usize>();
        }
    } else {
        for row in export.stream(StreamType::Result)? {
            let row: Value = row?;
            first_row.get_or_insert_with(|| start.elapsed());
            rows += 1;
            if let Some(projects) = row["projects"].as_object() {
                labels += projects
                    .values()
                    .map(|p| p["labels"].as_array().map_or(0, Vec::len))
                    .sum::<usize>();
            }
        }
    }
    // The names the Python script's figures use, so one report reads both.
    let figures = serde_json::json!({
        "rows": rows,
        "labels": labels,
        "cpu_s": process_cpu().as_secs_f64() - cpu,
        "total_s": start.elapsed().as_secs_f64(),
        "first_row_s": first_row.unwrap_or_default().as_secs_f64(),
        "peak_rss_kib": memory_kb("VmHWM:").unwrap_or(0),
    });
    println!("{figures}");
    Ok(())
}

/// The official Python SDK (run by `python`) on the same export: its figures.
fn python_figures(python: &str, emulator: &Emulator, task_id: &str) -> anyhow::Result<Value> {
    let stdout = output_of(
        Command::new(python).args([PYTHON_BENCH, &emulator.url(), emulator.api_key(), task_id]),
        "the Python benchmark",
    )?;
    serde_json::from_slice(&stdout).context("the Python figures")
}
