//! Export benchmark against the in-process emulator: prints figures, asserts nothing.
//!
//! ```sh
//! cargo run --release --example export_bench            # 150,000 rows (and 15,000)
//! cargo run --release --example export_bench -- 50000   # another size
//! ```
//!
//! It imports the rows into two datasets (the size given and a tenth of it), exports each,
//! waits, then streams every row back (`ExportTask::stream`): rows/s and the time to the first
//! row. The SDK's peak memory (VmHWM) is measured in child processes of this example that do
//! nothing but stream one export, so the emulator's memory (which grows with the rows it
//! stores) is not counted and the small and the large run do not share a peak. Beside it, the
//! same large export is read by the official Python SDK's `get_buffered_stream()`
//! (`emulator/conformance/export_bench.py`, run with `target/conformance-venv/bin/python`
//! when that virtualenv exists; `cargo test --workspace` creates it).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use labelbox::{
    Client, ExportOptions, ExportTask, ExportedRow, StreamType, TaskStatus, WaitOptions,
    ENV_API_KEY,
};
use labelbox_emulator::Emulator;

mod bench_support;
use bench_support::{client, memory_kb, report, specs};

const PYTHON: &str = "target/conformance-venv/bin/python";
const PYTHON_BENCH: &str = "emulator/conformance/export_bench.py";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("stream-child") => stream_child(&args[1..]),
        Some(rows) => parent(rows.parse().context("the row count")?),
        None => parent(150_000),
    }
}

fn parent(rows: usize) -> anyhow::Result<()> {
    let emulator = Emulator::builder()
        .import_rows_per_second(10_000_000)
        .min_task_duration(Duration::ZERO)
        .start()?;
    let client = client(&emulator.url(), emulator.api_key())?;
    let small = (rows / 10).max(1);

    println!("export benchmark: {rows} rows from the in-process emulator");
    let large = export(&client, rows, "large")?;
    let small_export = export(&client, small, "small")?;

    let start = Instant::now();
    let mut first_row = None;
    let mut streamed = 0u64;
    for row in large.stream(StreamType::Result)? {
        row?;
        first_row.get_or_insert_with(|| start.elapsed());
        streamed += 1;
    }
    let took = start.elapsed();
    report("stream (Value rows)", streamed, took);
    println!(
        "  time to first row      {:>10.1} ms",
        first_row.unwrap_or_default().as_secs_f64() * 1e3
    );

    let start = Instant::now();
    let mut typed = 0u64;
    for row in large.stream_as::<ExportedRow>(StreamType::Result)? {
        row?;
        typed += 1;
    }
    report("stream (ExportedRow)", typed, start.elapsed());

    println!("peak memory of an SDK process streaming an export (separate child processes):");
    for (task, n) in [(&small_export, small), (&large, rows)] {
        let output = Command::new(std::env::current_exe()?)
            .args(["stream-child", &emulator.url(), task.id()])
            .env(ENV_API_KEY, emulator.api_key())
            .output()
            .context("running the streaming child")?;
        if !output.status.success() {
            bail!(
                "streaming child failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        print!("  {n:>7} rows: {}", String::from_utf8_lossy(&output.stdout));
    }

    python_bench(&emulator, large.id())
}

/// Imports `rows` rows into a new dataset, exports it and waits for the export.
fn export(client: &Client, rows: usize, name: &str) -> anyhow::Result<ExportTask> {
    let dataset = client.create_dataset(name)?;
    let specs = specs(name, rows);
    let options = WaitOptions::default()
        .timeout(Duration::from_secs(600))
        .check_frequency(Duration::from_millis(50));
    let mut import = dataset.create_data_rows(&specs)?;
    if import.wait_with(options)? != TaskStatus::Complete {
        bail!("the import of {name} did not complete");
    }

    let start = Instant::now();
    let mut export = dataset.export(ExportOptions::new())?;
    let status = export.wait_with(options)?;
    if status != TaskStatus::Complete {
        bail!("the export of {name} ended {status}");
    }
    report(&format!("export+wait {name}"), rows as u64, start.elapsed());
    let size = export.total_size(StreamType::Result)?.unwrap_or(0);
    println!(
        "  {name} stream: {} lines, {:.1} MB",
        export.total_lines(StreamType::Result)?.unwrap_or(0),
        size as f64 / 1e6
    );
    Ok(export)
}

/// Child: stream every row of one export, then print its time and this process's memory.
fn stream_child(args: &[String]) -> anyhow::Result<()> {
    let [url, task_id] = args else {
        bail!("usage: stream-child URL TASK_ID (key in {ENV_API_KEY})");
    };
    let client = client(url, &std::env::var(ENV_API_KEY)?)?;
    let export = client.get_export_task(task_id)?;
    let before = memory_kb("VmRSS:");
    let start = Instant::now();
    let mut first_row = None;
    let mut rows = 0u64;
    for row in export.stream(StreamType::Result)? {
        row?;
        first_row.get_or_insert_with(|| start.elapsed());
        rows += 1;
    }
    let took = start.elapsed();
    println!(
        "streamed {rows} in {:.3} s (first row after {:.1} ms); VmRSS before {} kB, after {} kB; \
         peak VmHWM {} kB",
        took.as_secs_f64(),
        first_row.unwrap_or_default().as_secs_f64() * 1e3,
        before.unwrap_or(0),
        memory_kb("VmRSS:").unwrap_or(0),
        memory_kb("VmHWM:").unwrap_or(0),
    );
    Ok(())
}

/// The official Python SDK reading the same export, when its virtualenv is there: its
/// figures, printed from the JSON object the script answers.
fn python_bench(emulator: &Emulator, task_id: &str) -> anyhow::Result<()> {
    println!("the official Python SDK's get_buffered_stream() on the same export:");
    if !Path::new(PYTHON).exists() || !Path::new(PYTHON_BENCH).exists() {
        println!(
            "  skipped: {PYTHON} or {PYTHON_BENCH} is missing (cargo test --workspace creates \
             the virtualenv)"
        );
        return Ok(());
    }
    let output = Command::new(PYTHON)
        .args([
            PYTHON_BENCH,
            &emulator.url(),
            emulator.api_key(),
            "--task",
            task_id,
        ])
        .output()
        .context("running the Python benchmark")?;
    if !output.status.success() {
        bail!(
            "the Python benchmark failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let figures: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("the Python benchmark's figures")?;
    let seconds = |key: &str| figures[key].as_f64().unwrap_or(f64::NAN);
    let rows = figures["rows"].as_u64().unwrap_or(0);
    report(
        "stream (Python)",
        rows,
        Duration::from_secs_f64(seconds("total_s").max(0.0)),
    );
    println!(
        "  time to first row      {:>10.1} ms",
        seconds("first_row_s") * 1e3
    );
    println!(
        "  peak memory            {:>10} kB (ru_maxrss; {} kB before streaming)",
        figures["peak_rss_kib"], figures["rss_before_stream_kib"]
    );
    Ok(())
}
