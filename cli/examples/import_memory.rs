//! Peak memory of `labelbox data-rows import FILE` by file size: prints figures, asserts nothing.
//!
//! ```sh
//! cargo build --release -p labelbox-cli                         # the binary measured
//! cargo run --release -p labelbox-cli --example import_memory   # 100,000 and 1,000,000 rows
//! cargo run --release -p labelbox-cli --example import_memory -- 20000 200000
//! ```
//!
//! For each size it writes an NDJSON file of that many rows (about 150 bytes each), starts the
//! in-process emulator, runs the `labelbox` binary next to this example (no `--wait`: the
//! command ends once every chunk is uploaded and the import has started) and samples the
//! child's `VmHWM` (peak resident memory) in `/proc` while it runs. The emulator lives in this
//! process, so its memory is not counted. Linux only.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use labelbox_emulator::Emulator;

fn main() -> anyhow::Result<()> {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().context("a row count"))
        .collect::<Result<_, _>>()?;
    let sizes = if sizes.is_empty() {
        vec![100_000, 1_000_000]
    } else {
        sizes
    };
    let binary = binary()?;
    println!(
        "peak memory of `labelbox data-rows import FILE` ({})",
        binary.display()
    );
    for rows in sizes {
        measure(&binary, rows)?;
    }
    Ok(())
}

/// The `labelbox` binary of the same profile: `target/<profile>/labelbox`.
fn binary() -> anyhow::Result<PathBuf> {
    let example = std::env::current_exe()?;
    let profile_dir = example
        .parent()
        .and_then(Path::parent)
        .context("the example's directory")?;
    let binary = profile_dir.join("labelbox");
    if !binary.exists() {
        bail!(
            "{} is missing: build it first (cargo build --release -p labelbox-cli)",
            binary.display()
        );
    }
    Ok(binary)
}

fn measure(binary: &Path, rows: usize) -> anyhow::Result<()> {
    let file = std::env::temp_dir().join(format!(
        "labelbox-memory-{}-{rows}.ndjson",
        std::process::id()
    ));
    write_rows(&file, rows)?;
    let bytes = std::fs::metadata(&file)?.len();
    let emulator = Emulator::builder()
        .import_rows_per_second(10_000_000)
        .min_task_duration(Duration::ZERO)
        .start()?;
    let dataset = create_dataset(binary, &emulator)?;
    let start = Instant::now();
    let mut child = Command::new(binary)
        .args(["data-rows", "import", "--dataset", &dataset, "--quiet"])
        .arg(&file)
        .args(["--endpoint", &emulator.url()])
        .env("LABELBOX_API_KEY", emulator.api_key())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut peak_kb = 0;
    while child.try_wait()?.is_none() {
        peak_kb = peak_kb.max(vm_hwm_kb(child.id()).unwrap_or(0));
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = start.elapsed();
    let output = child.wait_with_output()?;
    std::fs::remove_file(&file).ok();
    if !output.status.success() {
        bail!(
            "the import failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    println!(
        "  {rows:>9} rows, {:>6.1} MiB file: peak VmHWM {:>6.1} MiB, {:.1} s to upload",
        bytes as f64 / 1_048_576.0,
        peak_kb as f64 / 1024.0,
        took.as_secs_f64()
    );
    Ok(())
}

/// Rows with a key, an external id and a metadata field, one per line.
fn write_rows(path: &Path, rows: usize) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for i in 0..rows {
        writeln!(
            out,
            r#"{{"row_data": "https://storage.example.com/bench/{i:08}.jpg", "global_key": "mem-{i}", "external_id": "{i}.jpg", "metadata_fields": [{{"schema_id": "cko8s9r5v0001h2dk9elqdidh", "value": "tag"}}]}}"#
        )?;
    }
    out.flush()?;
    Ok(())
}

fn create_dataset(binary: &Path, emulator: &Emulator) -> anyhow::Result<String> {
    let output = Command::new(binary)
        .args([
            "dataset",
            "create",
            "memory",
            "--json",
            "--endpoint",
            &emulator.url(),
        ])
        .env("LABELBOX_API_KEY", emulator.api_key())
        .output()?;
    let dataset: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    Ok(dataset["id"].as_str().context("a dataset id")?.to_string())
}

/// The process's peak resident memory so far, from `/proc/PID/status`.
fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
