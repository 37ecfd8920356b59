//! Import benchmark: prints figures, asserts nothing. Comparable, in one run, with the official
//! Python SDK (`labelbox==7.17.0`) reading the same task from the same emulator.
//!
//! ```sh
//! cargo build --release -p labelbox-emulator          # the emulator's release binary is used
//! cargo run --release --example import_bench            # 150,000 rows (and 15,000)
//! cargo run --release --example import_bench -- 50000   # another size
//! IMPORT_BENCH_HOLD=1 cargo run --release --example import_bench  # children's commands, to profile
//! ```
//!
//! The rows are the issue's comparable set: every 100th row repeats the previous row's global
//! key, so 1% of the rows fail (148,500 results and 1,500 errors for 150,000 rows). The emulator
//! runs as its own process (its release binary, beside this example), so its work is not counted
//! in any figure; without that binary the example falls back to an in-process emulator and says
//! so.
//!
//! Reading the results is measured in child processes, one per run, each doing one thing:
//! - `bare`: a bare `ureq` loop fetching the same `successesfulDataRowImports` pages and decoding
//!   only the cursor and the row count: the limit of the wire;
//! - `stream`: `DataUpsertTask::results()`, every row decoded and dropped;
//! - `collect`: `DataUpsertTask::result()`, every row kept in a `Vec`;
//! - `python`: the official SDK's `DataUpsertTask.result` (run with the conformance test's
//!   virtualenv, `target/conformance-venv`, if it exists).
//!
//! Each child prints its wall time, its CPU time (user + system, all threads) around the call
//! and its peak resident memory (VmHWM); the parent prints the median of five runs of each.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use labelbox::{
    Client, CreatedDataRow, DataRowSpec, DataUpsertTask, RowData, TaskStatus, WaitOptions,
};
use labelbox_emulator::Emulator;
use serde::Deserialize;

/// Runs of each child; the parent prints their median.
const RUNS: usize = 5;
/// The official SDK's page size, which the SDK also uses.
const PAGE: u32 = 5_000;

mod bench_support;
use bench_support::{client, memory_kb, output_of, process_cpu, report};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("child") => child(&args[1..]),
        Some(rows) => parent(rows.parse().context("the row count")?),
        None => parent(150_000),
    }
}

fn parent(rows: usize) -> anyhow::Result<()> {
    let server = Server::start()?;
    let client = client(&server.url, &server.key)?;
    let small = (rows / 10).max(1);
    println!(
        "import benchmark: {rows} rows, 1% repeated global keys ({})",
        server.kind
    );

    let large = import(&client, rows, "large")?;
    let small_task = import(&client, small, "small")?;
    if std::env::var_os("IMPORT_BENCH_HOLD").is_some() {
        return hold(&server, large.id());
    }

    println!("reading {rows} rows' results, median of {RUNS} runs, one child process each:");
    println!(
        "  {:<8} {:>7} {:>8} {:>8} {:>9} {:>9} {:>11}",
        "reader", "rows", "wall s", "CPU s", "CPU µs/row", "peak MB", "bare/wall"
    );
    let bare = measure(&server, "bare", large.id())?;
    let stream = measure(&server, "stream", large.id())?;
    let collect = measure(&server, "collect", large.id())?;
    let python = python_figures(&server, large.id())?;
    for (mode, figures) in [("bare", &bare), ("stream", &stream), ("collect", &collect)] {
        print_row(mode, figures, &bare);
    }
    match &python {
        Some(py) => {
            print_row("python", py, &bare);
            for (mode, f) in [("stream", &stream), ("collect", &collect)] {
                println!(
                    "  {mode} vs python: CPU {:.3}x, peak memory {:.3}x",
                    f.cpu_s / py.cpu_s.max(1e-9),
                    f.peak_kb as f64 / py.peak_kb.max(1) as f64
                );
            }
        }
        None => println!(
            "  python: skipped (no target/conformance-venv: run the conformance test once)"
        ),
    }
    println!(
        "  collect: the rows themselves hold {:.1} MB (structs and texts)",
        mb(collect.rows_kb)
    );
    let flat = measure(&server, "stream", small_task.id())?;
    println!(
        "  stream peak memory: {:.1} MB for {small} rows, {:.1} MB for {rows} rows",
        mb(flat.peak_kb),
        mb(stream.peak_kb)
    );
    Ok(())
}

/// One child's figures.
#[derive(Debug, Clone, Copy, Deserialize)]
struct Figures {
    rows: u64,
    wall_s: f64,
    cpu_s: f64,
    peak_kb: u64,
    /// What the collected rows themselves hold (their structs and texts), `collect` only.
    #[serde(default)]
    rows_kb: u64,
}

fn print_row(mode: &str, f: &Figures, bare: &Figures) {
    println!(
        "  {mode:<8} {:>7} {:>8.3} {:>8.3} {:>9.2} {:>9.1} {:>11.2}",
        f.rows,
        f.wall_s,
        f.cpu_s,
        1e6 * f.cpu_s / f.rows.max(1) as f64,
        mb(f.peak_kb),
        bare.wall_s / f.wall_s.max(1e-9),
    );
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// The median (by each figure separately) of `RUNS` runs of the child `mode`.
fn measure(server: &Server, mode: &str, task_id: &str) -> anyhow::Result<Figures> {
    let exe = std::env::current_exe()?;
    median((0..RUNS).map(|_| {
        let mut command = Command::new(&exe);
        command.args(["child", mode, &server.url, &server.key, task_id]);
        run_child(command)
    }))
}

/// The official SDK's figures, or `None` without its virtualenv.
fn python_figures(server: &Server, task_id: &str) -> anyhow::Result<Option<Figures>> {
    let target = target_dir()?;
    let python = target.join("conformance-venv/bin/python");
    if !python.exists() {
        return Ok(None);
    }
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("emulator/conformance/import_results_bench.py");
    median((0..RUNS).map(|_| {
        let mut command = Command::new(&python);
        command
            .arg(&script)
            .args([&server.url, &server.key, task_id]);
        run_child(command)
    }))
    .map(Some)
}

fn run_child(mut command: Command) -> anyhow::Result<Figures> {
    let stdout = output_of(&mut command, "a benchmark child")?;
    let line = String::from_utf8_lossy(&stdout);
    serde_json::from_str(line.trim()).with_context(|| format!("child printed {line:?}"))
}

fn median(runs: impl Iterator<Item = anyhow::Result<Figures>>) -> anyhow::Result<Figures> {
    let runs = runs.collect::<anyhow::Result<Vec<_>>>()?;
    let mid = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Ok(Figures {
        rows: runs[0].rows,
        wall_s: mid(runs.iter().map(|f| f.wall_s).collect()),
        cpu_s: mid(runs.iter().map(|f| f.cpu_s).collect()),
        peak_kb: mid(runs.iter().map(|f| f.peak_kb as f64).collect()) as u64,
        rows_kb: runs[0].rows_kb,
    })
}

/// `target/` (this example runs from `target/release/examples/`).
fn target_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .context("no target directory above this example")
}

/// Imports `rows` rows (every 100th repeating the previous key), printing the upload's and the
/// wait's rates.
fn import(client: &Client, rows: usize, name: &str) -> anyhow::Result<DataUpsertTask> {
    let dataset = client.create_dataset(name)?;
    let specs: Vec<DataRowSpec> = (0..rows)
        .map(|i| {
            let key = if i % 100 == 99 { i - 1 } else { i };
            DataRowSpec::new(RowData::url(format!(
                "https://storage.example.com/bench/{name}/{i:08}.jpg"
            )))
            .global_key(format!("bench-{name}-{key}"))
            .external_id(format!("{name}-{i}.jpg"))
        })
        .collect();

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

/// The emulator the benchmark reads from: its release binary as a child process, else an
/// in-process one.
struct Server {
    url: String,
    key: String,
    kind: &'static str,
    _process: Option<KillOnDrop>,
    _in_process: Option<Emulator>,
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Server {
    fn start() -> anyhow::Result<Server> {
        let binary = target_dir()?.join("release/labelbox-emulator");
        if !binary.exists() {
            let emulator = Emulator::builder()
                .import_rows_per_second(10_000_000)
                .min_task_duration(Duration::ZERO)
                .start()?;
            return Ok(Server {
                url: emulator.url(),
                key: emulator.api_key().to_owned(),
                kind: "in-process emulator: build its release binary for comparable figures",
                _process: None,
                _in_process: Some(emulator),
            });
        }
        let key = "import-bench-key";
        let mut child = Command::new(&binary)
            .args([
                "--port",
                "0",
                "--api-key",
                key,
                "--rows-per-second",
                "10000000",
            ])
            .args(["--min-task-duration", "0s"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut line = String::new();
        if let Some(stderr) = child.stderr.take() {
            BufReader::new(stderr).read_line(&mut line)?;
        }
        let process = KillOnDrop(child);
        // `labelbox-emulator listening on http://127.0.0.1:PORT/graphql (api key: KEY)`
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .with_context(|| format!("no URL in the emulator's first line: {line:?}"))?;
        Ok(Server {
            url: url.to_owned(),
            key: key.to_owned(),
            kind: "the emulator's release binary",
            _process: Some(process),
            _in_process: None,
        })
    }
}

/// Child: one reader over one task's results, then its figures as one JSON line.
fn child(args: &[String]) -> anyhow::Result<()> {
    let [mode, url, key, task_id] = args else {
        bail!("usage: child MODE URL KEY TASK_ID");
    };
    let client = client(url, key)?;
    let task = DataUpsertTask::try_from(client.get_task_by_id(task_id)?)?;
    let mut collected = Vec::new();
    let (wall_start, cpu_start) = (Instant::now(), process_cpu().as_secs_f64());
    let rows = match mode.as_str() {
        "bare" => bare_pages(url, key, task_id)?,
        "stream" => task
            .results()?
            .try_fold(0u64, |n, row| row.map(|_| n + 1))?,
        "collect" => {
            collected = task.result()?;
            collected.len() as u64
        }
        other => bail!("unknown mode {other}"),
    };
    let (wall, cpu) = (
        wall_start.elapsed(),
        process_cpu().as_secs_f64() - cpu_start,
    );
    // Counted after the measured call, so the figures are of reading alone.
    let rows_kb = collected.iter().map(row_bytes).sum::<usize>() as u64 / 1024;
    println!(
        "{{\"rows\":{rows},\"wall_s\":{},\"cpu_s\":{cpu},\"peak_kb\":{},\"rows_kb\":{rows_kb}}}",
        wall.as_secs_f64(),
        memory_kb("VmHWM:").unwrap_or(0)
    );
    Ok(())
}

/// The bytes a collected row holds: its struct and its texts (allocator overhead aside).
fn row_bytes(row: &CreatedDataRow) -> usize {
    let texts = [row.external_id(), row.global_key(), row.row_data()];
    std::mem::size_of::<CreatedDataRow>()
        + row.id().len()
        + texts.iter().flatten().map(|t| t.len()).sum::<usize>()
}

/// Keeps the emulator and its imported task up, printing each child's command line to run
/// under a profiler (`perf record -g -- …`), until Enter is pressed.
fn hold(server: &Server, task_id: &str) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    for mode in ["bare", "stream", "collect"] {
        println!(
            "{} child {mode} {} {} {task_id}",
            exe.display(),
            server.url,
            server.key
        );
    }
    println!("press Enter to stop the emulator");
    std::io::stdin().read_line(&mut String::new())?;
    Ok(())
}

/// The limit of the wire: the same pages the SDK fetches, decoding only the cursor and the
/// number of nodes.
fn bare_pages(url: &str, key: &str, task_id: &str) -> anyhow::Result<u64> {
    #[derive(Deserialize)]
    struct Answer {
        data: Data,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Data {
        successesful_data_row_imports: Page,
    }
    #[derive(Deserialize)]
    struct Page {
        nodes: Vec<serde::de::IgnoredAny>,
        after: Option<String>,
    }
    const QUERY: &str = "query SuccessesfulDataRowImportsPyApi($taskId: ID!, $first: Int, $from: String) { successesfulDataRowImports(data: {taskId: $taskId, first: $first, from: $from}) { nodes { id externalId globalKey rowData } after total } }";
    let agent = ureq::Agent::new_with_defaults();
    let (mut rows, mut from) = (0u64, None::<String>);
    loop {
        let body = serde_json::json!({
            "query": QUERY,
            "variables": {"taskId": task_id, "first": PAGE, "from": from},
        });
        let bytes = agent
            .post(url)
            .header("Authorization", &format!("Bearer {key}"))
            .header("Content-Type", "application/json")
            .send(serde_json::to_vec(&body)?)?
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()?;
        let page = serde_json::from_slice::<Answer>(&bytes)?
            .data
            .successesful_data_row_imports;
        rows += page.nodes.len() as u64;
        match page.after {
            Some(after) if !after.is_empty() && !page.nodes.is_empty() => from = Some(after),
            _ => return Ok(rows),
        }
    }
}
