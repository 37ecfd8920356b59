//! What the benchmark examples share: the client, the rows, the figures.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::Context;

use labelbox::{Client, DataRowSpec, RowData};

/// A client of the emulator at `url` that may poll every 50 ms.
pub fn client(url: &str, key: &str) -> anyhow::Result<Client> {
    Ok(Client::builder()
        .api_key(key)
        .endpoint(url)
        .min_check_frequency(Duration::from_millis(50))
        .build()?)
}

/// `rows` rows named after `name`: a URL, a global key and an external id each.
pub fn specs(name: &str, rows: usize) -> Vec<DataRowSpec> {
    (0..rows)
        .map(|i| {
            DataRowSpec::new(RowData::url(format!(
                "https://storage.example.com/bench/{name}/{i:08}.jpg"
            )))
            .global_key(format!("bench-{name}-{i}"))
            .external_id(format!("{name}-{i}.jpg"))
        })
        .collect()
}

/// One figure line: rows, seconds and rows per second.
pub fn report(what: &str, rows: u64, took: Duration) {
    let rate = rows as f64 / took.as_secs_f64().max(1e-9);
    println!(
        "  {what:<22} {rows:>7} rows in {:>7.3} s = {rate:>10.0} rows/s",
        took.as_secs_f64()
    );
}

/// A `kB` figure of `/proc/self/status` (Linux only; `None` elsewhere).
pub fn memory_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// This process's CPU time: the run time of each of its live threads, in nanoseconds
/// (`/proc/self/task/*/schedstat`; `/proc/self/stat` counts in 10 ms ticks, too coarse for
/// reads of 0.02 s). A thread that ended is not counted: the benchmarks' threads (the SDK
/// starts none, the in-process emulator's runtime keeps its workers) live to the end. Zero
/// where `/proc` is missing.
pub fn process_cpu() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    tasks
        .filter_map(|task| run_time(&task.ok()?.path().join("schedstat")))
        .sum()
}

/// This thread's CPU time (`/proc/thread-self/schedstat`; zero where it is missing).
pub fn thread_cpu() -> Duration {
    run_time(Path::new("/proc/thread-self/schedstat")).unwrap_or_default()
}

/// The run time a `schedstat` file gives first, in nanoseconds.
fn run_time(schedstat: &Path) -> Option<Duration> {
    let stat = std::fs::read_to_string(schedstat).ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Runs `command` to its end: its standard output, or an error holding its standard error.
/// `what` names it in errors ("the streaming child").
pub fn output_of(command: &mut Command, what: &str) -> anyhow::Result<Vec<u8>> {
    let output = command
        .output()
        .with_context(|| format!("running {what}"))?;
    if !output.status.success() {
        anyhow::bail!("{what} failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(output.stdout)
}
