//! Import benchmark against the in-process emulator: prints figures, asserts nothing.
//!
//! ```sh
//! cargo run --release --example import_bench            # 150,000 rows (and 15,000)
//! cargo run --release --example import_bench -- 50000   # another size
//! ```
//!
//! It imports the rows, waits, streams every result (`results()`), then collects them all
//! (`result()`), printing rows/s for each. The SDK's peak memory while streaming is measured
//! in child processes of this example that do nothing but stream one task's results, so the
//! emulator's memory (which does grow with the rows it stores) is not counted and the peaks
//! of the small and the large run are not shared.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use labelbox::{Client, DataUpsertTask, TaskStatus, WaitOptions};
use labelbox_emulator::Emulator;

mod bench_support;
use bench_support::{client, memory_kb, report, specs};

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

    println!("import benchmark: {rows} rows into the in-process emulator");
    let large_task = import(&client, rows, "large")?;
    let small_task = import(&client, small, "small")?;

    let start = Instant::now();
    let mut streamed = 0u64;
    for row in large_task.results()? {
        row?;
        streamed += 1;
    }
    report("stream results()", streamed, start.elapsed());

    let start = Instant::now();
    let collected = large_task.result()?;
    report("collect result()", collected.len() as u64, start.elapsed());
    drop(collected);

    println!("peak memory of an SDK process streaming results (separate child processes):");
    for (task, n) in [(&small_task, small), (&large_task, rows)] {
        let output = Command::new(std::env::current_exe()?)
            .args([
                "stream-child",
                &emulator.url(),
                emulator.api_key(),
                task.id(),
            ])
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
    Ok(())
}

/// Imports `rows` rows, printing the upload's and the wait's rates.
fn import(client: &Client, rows: usize, name: &str) -> anyhow::Result<DataUpsertTask> {
    let dataset = client.create_dataset(name)?;
    let specs = specs(name, rows);

    let start = Instant::now();
    let mut task = dataset.create_data_rows(&specs)?;
    report(&format!("upload {name}"), rows as u64, start.elapsed());

    let start = Instant::now();
    let options = WaitOptions::default()
        .timeout(Duration::from_secs(600))
        .check_frequency(Duration::from_millis(50));
    let status = task.wait_with(options)?;
    if status != TaskStatus::Complete {
        bail!("the import ended {status}");
    }
    report(&format!("import+wait {name}"), rows as u64, start.elapsed());
    Ok(task)
}

/// Child: stream every result of one task, then print this process's memory figures.
fn stream_child(args: &[String]) -> anyhow::Result<()> {
    let [url, key, task_id] = args else {
        bail!("usage: stream-child URL KEY TASK_ID");
    };
    let client = client(url, key)?;
    let task = DataUpsertTask::try_from(client.get_task_by_id(task_id)?)?;
    let before = memory_kb("VmRSS:");
    let start = Instant::now();
    let mut rows = 0u64;
    for row in task.results()? {
        row?;
        rows += 1;
    }
    let took = start.elapsed();
    println!(
        "streamed {rows} in {:.3} s; VmRSS before {} kB, after {} kB; peak VmHWM {} kB",
        took.as_secs_f64(),
        before.unwrap_or(0),
        memory_kb("VmRSS:").unwrap_or(0),
        memory_kb("VmHWM:").unwrap_or(0),
    );
    Ok(())
}
