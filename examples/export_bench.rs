//! Export benchmark against the in-process emulator: prints figures, asserts nothing.
//!
//! ```sh
//! cargo run --release --example export_bench            # 150,000 rows (and 15,000)
//! cargo run --release --example export_bench -- 50000   # another size
//! ```
//!
//! It imports the rows into two datasets (the size given and a tenth of it), exports each,
//! waits, then reads the large one back five ways, in turn, in seven rounds: a bare `ureq`
//! client that downloads the stream's files and throws the bytes away (the wire's limit), the
//! raw checked lines (`ExportTask::lines`), `Value` rows (`ExportTask::stream`), typed rows
//! (`ExportedRow`), and the floor of `Value` rows (the raw lines and a clone of a built row
//! per line, see `value_rows_floor`): rows/s on the best wall time of each way (and its
//! median), the least CPU time of the reading thread (`/proc/thread-self/schedstat`; the
//! in-process emulator serves from threads of its own) and of the whole process, what that
//! allows raw lines on this machine's cores (`wire_bound`), and the requests a read sends
//! (the emulator's log). The SDK's peak memory (VmHWM) is measured in child processes of
//! this example that do nothing but stream one export, so the emulator's memory (which grows
//! with the rows it stores) is not counted and the small and the large run do not share a
//! peak. Beside it, the same large export is read by the official Python SDK's
//! `get_buffered_stream()` (`emulator/conformance/export_bench.py`, run with
//! `target/conformance-venv/bin/python` when that virtualenv exists; `cargo test
//! --workspace` creates it), best (least CPU) of three runs, whose CPU time
//! (`time.process_time()` over its reading) the SDK's CPU figures are divided by.
//!
//! serde_json is built here with the `float_roundtrip` feature the emulator (a
//! dev-dependency) turns on; users' builds of the SDK parse floats with serde_json's default
//! algorithm. The benchmark's lines hold no number, so no figure depends on it.

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
use bench_support::{client, memory_kb, output_of, process_cpu, report, specs, thread_cpu};

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
    let size = large.total_size(StreamType::Result)?.unwrap_or(0);

    println!(
        "reading the large export ({RUNS} rounds, the five ways in turn in each round; wall is \
         the best and the median of each way, CPU the least; CPU is the reading thread's, the \
         emulator serves from its own threads):"
    );
    let requests = |read: &mut dyn FnMut() -> anyhow::Result<u64>| -> anyhow::Result<usize> {
        let before = emulator.requests().len();
        read()?;
        Ok(emulator.requests().len() - before)
    };
    let mut bare_read = || bare_client(&emulator, large.id(), size);
    let mut lines_read = || {
        let mut lines = large.lines(StreamType::Result)?;
        let mut n = 0;
        while let Some(line) = lines.next_line() {
            line?;
            n += 1;
        }
        Ok(n)
    };
    let mut values_read = || count(large.stream(StreamType::Result)?);
    let mut typed_read = || count(large.stream_as::<ExportedRow>(StreamType::Result)?);
    let first_row = large
        .stream(StreamType::Result)?
        .next()
        .context("the large export is empty")??;
    let mut floor_read = || value_rows_floor(&large, &first_row);
    let (bare_requests, lines_requests) = (requests(&mut bare_read)?, requests(&mut lines_read)?);
    let [bare, lines, values, typed, floor] = interleaved([
        &mut bare_read,
        &mut lines_read,
        &mut values_read,
        &mut typed_read,
        &mut floor_read,
    ])?;
    bare.report("bare client (bytes)");
    lines.report("lines (raw, checked)");
    values.report("stream (Value rows)");
    typed.report("stream (ExportedRow)");
    floor.report("Value rows' floor");
    println!(
        "  requests per read: bare client {bare_requests}, lines {lines_requests} (the \
         emulator's log)"
    );
    println!(
        "  raw lines reach {:.2} of the bare client's speed (best wall of each; medians: \
         {:.2})",
        bare.wall.as_secs_f64() / lines.wall.as_secs_f64(),
        bare.median_wall.as_secs_f64() / lines.median_wall.as_secs_f64()
    );
    wire_bound(&bare, &lines);

    println!("peak memory of an SDK process streaming an export (separate child processes):");
    for (task, n) in [(&small_export, small), (&large, rows)] {
        let stdout = output_of(
            Command::new(std::env::current_exe()?)
                .args(["stream-child", &emulator.url(), task.id()])
                .env(ENV_API_KEY, emulator.api_key()),
            "the streaming child",
        )?;
        print!("  {n:>7} rows: {}", String::from_utf8_lossy(&stdout));
    }

    if let Some(python_cpu) = python_bench(&emulator, large.id())? {
        println!("CPU of the SDK against the official Python SDK's (same export):");
        for (what, figures) in [
            ("lines (raw, checked)", &lines),
            ("stream (Value rows)", &values),
            ("stream (ExportedRow)", &typed),
            ("Value rows' floor", &floor),
        ] {
            println!(
                "  {what:<22} {:>6.3}x Python's CPU",
                figures.cpu.as_secs_f64() / python_cpu.as_secs_f64()
            );
        }
    }
    Ok(())
}

/// Rounds of the SDK measurements: each round reads the export every way once, in turn,
/// so a busy spell of the shared machine falls on all of them alike.
const RUNS: usize = 7;
/// Runs of the official Python SDK's reading; the best (least CPU) is kept.
const PYTHON_RUNS: usize = 3;

/// What reading the export one way cost over the rounds.
struct Figures {
    rows: u64,
    /// The best wall time: the wire's limit is what the comparison between ways is about,
    /// and the least-CPU run's wall (the method before) may be one that waited on a busy
    /// machine.
    wall: Duration,
    median_wall: Duration,
    /// The least CPU time of the reading thread (compared with Python's least).
    cpu: Duration,
    /// The least CPU time of the whole process (the reading thread, the emulator's threads,
    /// the kernel's work for both) over a read.
    process_cpu: Duration,
}

impl Figures {
    fn report(&self, what: &str) {
        report(what, self.rows, self.wall);
        println!(
            "  {:<22} median wall {:>7.3} s; CPU {:>7.3} s ({:.2} us/row)",
            "",
            self.median_wall.as_secs_f64(),
            self.cpu.as_secs_f64(),
            self.cpu.as_secs_f64() * 1e6 / self.rows.max(1) as f64
        );
    }
}

type Read<'a> = &'a mut dyn FnMut() -> anyhow::Result<u64>;

/// `RUNS` rounds of the `N` reads (each answers the rows or bytes it read), in turn.
fn interleaved<const N: usize>(mut reads: [Read<'_>; N]) -> anyhow::Result<[Figures; N]> {
    let mut runs: [Vec<(u64, Duration, Duration, Duration)>; N] =
        std::array::from_fn(|_| Vec::new());
    for _ in 0..RUNS {
        for (read, runs) in reads.iter_mut().zip(&mut runs) {
            let (cpu0, process0, start) = (thread_cpu(), process_cpu(), Instant::now());
            let rows = read()?;
            runs.push((
                rows,
                start.elapsed(),
                thread_cpu().saturating_sub(cpu0),
                process_cpu().saturating_sub(process0),
            ));
        }
    }
    Ok(runs.map(|runs| {
        let mut walls: Vec<Duration> = runs.iter().map(|r| r.1).collect();
        walls.sort();
        Figures {
            rows: runs.first().map_or(0, |r| r.0),
            wall: walls.first().copied().unwrap_or_default(),
            median_wall: walls.get(walls.len() / 2).copied().unwrap_or_default(),
            cpu: runs.iter().map(|r| r.2).min().unwrap_or_default(),
            process_cpu: runs.iter().map(|r| r.3).min().unwrap_or_default(),
        }
    }))
}

/// What the machine's cores allow raw lines: however the reading overlaps the serving, a
/// read's wall is at least its whole process's CPU spread over every core. Printed with the
/// bare client's figures beside, so the distance to the bare client's speed reads as CPU the
/// check adds, not as time spent waiting.
fn wire_bound(bare: &Figures, lines: &Figures) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let busy = |f: &Figures| f.process_cpu.as_secs_f64() / f.wall.as_secs_f64().max(1e-9);
    let least_wall = lines.process_cpu.as_secs_f64() / cores as f64;
    println!(
        "  process CPU per read (every thread, least): bare client {:.3} s ({:.1} cores busy \
         over its best wall), lines {:.3} s ({:.1} cores busy)",
        bare.process_cpu.as_secs_f64(),
        busy(bare),
        lines.process_cpu.as_secs_f64(),
        busy(lines),
    );
    println!(
        "  on {cores} cores, raw lines' wall is at least {least_wall:.3} s: at most {:.2} of the \
         bare client's speed",
        bare.wall.as_secs_f64() / least_wall.max(1e-9)
    );
}

/// The least a `Value` row can cost here: the raw lines read and checked, and for each line
/// a clone of an already built row dropped again. A clone makes the allocations a built
/// row holds (a `String` per key and string, a node per object, a `Vec` per array) and
/// copies its bytes, without reading JSON or searching a map: no reader that builds the row
/// from its line can cost less, unless it reads JSON faster than the raw lines' check.
/// Answers the lines read.
fn value_rows_floor(export: &ExportTask, row: &serde_json::Value) -> anyhow::Result<u64> {
    let mut lines = export.lines(StreamType::Result)?;
    let mut n = 0;
    while let Some(line) = lines.next_line() {
        line?;
        drop(std::hint::black_box(row.clone()));
        n += 1;
    }
    Ok(n)
}

fn count<T>(rows: impl Iterator<Item = labelbox::Result<T>>) -> anyhow::Result<u64> {
    let mut n = 0;
    for row in rows {
        row?;
        n += 1;
    }
    Ok(n)
}

/// The wire's limit: the stream's files asked and downloaded by a bare `ureq` agent, their
/// bytes thrown away unread (no lines, no checks). Answers the bytes received.
fn bare_client(emulator: &Emulator, task_id: &str, size: u64) -> anyhow::Result<u64> {
    const FILE_QUERY: &str = "query GetExportFileFromOffsetPyApi($where: WhereUniqueIdInput, $streamType: TaskStreamType!, $offset: UInt64!){task(where: $where){exportFileFromOffset(streamType: $streamType, offset: $offset){offsets {start end} lines {start end} file}}}";
    let agent = ureq::Agent::new_with_defaults();
    let (mut offset, mut bytes) = (0u64, 0u64);
    while offset < size {
        let body = serde_json::json!({"query": FILE_QUERY, "variables": {
            "where": {"id": task_id}, "streamType": "RESULT", "offset": offset.to_string()}});
        let mut answer = agent
            .post(&emulator.url())
            .header("Authorization", format!("Bearer {}", emulator.api_key()))
            .header("Content-Type", "application/json")
            .send(body.to_string())?;
        let answer: serde_json::Value = serde_json::from_reader(answer.body_mut().as_reader())?;
        let file = &answer["data"]["task"]["exportFileFromOffset"];
        let end = &file["offsets"]["end"];
        let end: u64 = match end.as_u64() {
            Some(end) => end,
            None => end.as_str().context("offsets.end")?.parse()?,
        };
        let url = file["file"].as_str().context("file")?;
        let mut download = agent.get(url).call()?;
        bytes += std::io::copy(&mut download.body_mut().as_reader(), &mut std::io::sink())?;
        offset = end + 1;
    }
    Ok(bytes)
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
fn python_bench(emulator: &Emulator, task_id: &str) -> anyhow::Result<Option<Duration>> {
    println!(
        "the official Python SDK's get_buffered_stream() on the same export (best of \
         {PYTHON_RUNS}, least CPU):"
    );
    if !Path::new(PYTHON).exists() || !Path::new(PYTHON_BENCH).exists() {
        println!(
            "  skipped: {PYTHON} or {PYTHON_BENCH} is missing (cargo test --workspace creates \
             the virtualenv)"
        );
        return Ok(None);
    }
    // Best of PYTHON_RUNS (least CPU), as the SDK's figures are: the machine is shared.
    let mut best: Option<serde_json::Value> = None;
    for _ in 0..PYTHON_RUNS {
        let stdout = output_of(
            Command::new(PYTHON).args([
                PYTHON_BENCH,
                &emulator.url(),
                emulator.api_key(),
                "--task",
                task_id,
            ]),
            "the Python benchmark",
        )?;
        let figures: serde_json::Value =
            serde_json::from_slice(&stdout).context("the Python benchmark's figures")?;
        let cpu = |f: &serde_json::Value| f["cpu_s"].as_f64().unwrap_or(f64::INFINITY);
        if best.as_ref().is_none_or(|b| cpu(&figures) < cpu(b)) {
            best = Some(figures);
        }
    }
    let figures = best.context("no Python run")?;
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
    let cpu = Duration::from_secs_f64(seconds("cpu_s").max(0.0));
    println!(
        "  CPU                    {:>10.3} s ({:.2} us/row)",
        cpu.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / rows.max(1) as f64
    );
    Ok(Some(cpu))
}
