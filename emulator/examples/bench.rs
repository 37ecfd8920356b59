//! Benchmark: import 150,000 rows through HTTP, page all results 5,000 at a time, then export
//! the dataset and serve its stream.
//!
//! `cargo run --release -p labelbox-emulator --example bench [ROWS]`
//!
//! Prints rows/s imported (upload, then `upsertDataRows` until `COMPLETE`, the emulator's pace
//! unlimited), pages/s and rows/s served, the slowest `user` query answered while the import was
//! running (other requests must stay responsive), and the emulator's own cost of an export: the
//! time to write the stream (`exportDataRowsInCatalog` until `COMPLETE`) and to serve it
//! (`exportFileFromOffset` and a GET per file, read whole).
//!
//! With `LABELBOX_BENCH_PYTHON` set to a Python that has `labelbox==7.17.0` (e.g.
//! `target/conformance-venv/bin/python`), the same export is then read by the official SDK
//! (`conformance/export_bench.py`) on the same emulator, and its figures are printed too.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use labelbox_emulator::Emulator;
use serde_json::{json, Value};

const CHUNK_BYTES: usize = 10_000_000;
const USER_TASK: &str = "query($u: ID!, $t: ID!) { user(where: {id: $u}) { createdTasks(where: {id: $t}) { status } } }";
const EXPORT: &str = "mutation($input: ExportDataRowsInCatalogInput!) { exportDataRowsInCatalog(input: $input) { taskId } }";
const FILE: &str = "query($w: WhereUniqueIdInput, $o: UInt64!) { task(where: $w) { exportFileFromOffset(streamType: RESULT, offset: $o) { offsets { start end } file } } }";
const PAGE: usize = 5_000;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

fn gql(agent: &ureq::Agent, emu: &Emulator, query: &str, variables: Value) -> Result<Value> {
    // Read the text whole, then parse: serde_json over a reader is byte-at-a-time.
    let text = agent
        .post(&emu.url())
        .header("Authorization", format!("Bearer {}", emu.api_key()))
        .send_json(json!({"query": query, "variables": variables}))?
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_string()?;
    let body: Value = serde_json::from_str(&text)?;
    if body.get("errors").is_some() {
        bail!("GraphQL errors: {body}");
    }
    Ok(body["data"].clone())
}

fn upload(agent: &ureq::Agent, emu: &Emulator, bytes: &[u8]) -> Result<String> {
    let boundary = "benchboundary7";
    let operations = json!({"query": "mutation UploadFile($file: Upload!, $contentLength: Int!, $sign: Boolean) { uploadFile(file: $file, contentLength: $contentLength, sign: $sign) { url filename } }",
        "variables": {"file": null, "contentLength": bytes.len(), "sign": false}});
    let mut body = Vec::with_capacity(bytes.len() + 1024);
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{operations}\r\n").as_bytes());
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"1\": [\"variables.file\"]}}\r\n").as_bytes());
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"1\"; filename=\"chunk.json\"\r\nContent-Type: application/json\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let answer: Value = agent
        .post(&emu.url())
        .header("Authorization", format!("Bearer {}", emu.api_key()))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .send(&body[..])?
        .body_mut()
        .read_json()?;
    answer["data"]["uploadFile"]["url"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("upload failed: {answer}"))
}

/// Items as JSON arrays of at most CHUNK_BYTES each.
fn chunks(dataset: &str, rows: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut current: Vec<u8> = b"[".to_vec();
    for i in 0..rows {
        let item = json!({"id": {"type": "AUTO", "value": ""},
            "payload": {"row_data": format!("https://example.com/images/{i}.jpg"),
                        "global_key": format!("bench-{i}"), "external_id": format!("ext-{i}"),
                        "dataset_id": dataset}})
        .to_string();
        if current.len() + item.len() + 2 > CHUNK_BYTES {
            current.push(b']');
            out.push(std::mem::replace(&mut current, b"[".to_vec()));
        }
        if current.len() > 1 {
            current.push(b',');
        }
        current.extend_from_slice(item.as_bytes());
    }
    current.push(b']');
    out.push(current);
    out
}

fn main() -> Result<()> {
    let rows: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(150_000);
    let emu = Emulator::builder()
        .import_rows_per_second(u32::MAX)
        .min_task_duration(Duration::ZERO)
        .start()?;
    let agent = agent();
    let dataset = emu.create_dataset("bench");
    let chunks = chunks(&dataset, rows);

    let started = Instant::now();
    let mut uris = Vec::new();
    for chunk in &chunks {
        uris.push(upload(&agent, &emu, chunk)?);
    }
    let manifest = json!({"source": "SDK", "item_count": rows, "chunk_uris": uris}).to_string();
    let manifest_url = upload(&agent, &emu, manifest.as_bytes())?;
    let uploaded = started.elapsed();
    let task = gql(
        &agent,
        &emu,
        "mutation($m: String!) { upsertDataRows(data: {manifestUri: $m}) { id } }",
        json!({"m": manifest_url}),
    )?;
    let task_id = task["upsertDataRows"]["id"]
        .as_str()
        .context("no task id")?
        .to_string();
    let mut slowest_query = Duration::ZERO;
    let status = loop {
        let asked = Instant::now();
        let t = gql(
            &agent,
            &emu,
            USER_TASK,
            json!({"u": emu.user_id(), "t": task_id}),
        )?;
        slowest_query = slowest_query.max(asked.elapsed());
        let status = t["user"]["createdTasks"][0]["status"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if status != "IN_PROGRESS" {
            break status;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let imported = started.elapsed();
    if status != "COMPLETE" {
        bail!("import ended {status}");
    }

    let paging = Instant::now();
    let (mut pages, mut served, mut from) = (0usize, 0usize, Value::Null);
    // Each page's time: the first and the last should match (a page costs O(page), not O(offset)).
    let mut page_times = Vec::new();
    loop {
        let asked = Instant::now();
        let page = gql(&agent, &emu, "query($t: ID!, $f: Int, $from: String) { successesfulDataRowImports(data: {taskId: $t, first: $f, from: $from}) { nodes { id externalId globalKey rowData } after total } }",
            json!({"t": task_id, "f": PAGE, "from": from}))?;
        page_times.push(asked.elapsed());
        let page = &page["successesfulDataRowImports"];
        let n = page["nodes"].as_array().map_or(0, Vec::len);
        pages += 1;
        served += n;
        if n == 0 || page["after"].is_null() {
            break;
        }
        from = page["after"].clone();
    }
    let paged = paging.elapsed();
    if served != rows {
        bail!("served {served} of {rows} rows");
    }

    let export = export_and_serve(&agent, &emu, &dataset)?;
    if export.lines != rows as u64 {
        bail!("exported {} of {rows} rows", export.lines);
    }

    let secs = |d: Duration| d.as_secs_f64();
    println!("rows:                {rows} in {} chunk(s)", chunks.len());
    println!("upload:              {:.2} s", secs(uploaded));
    println!(
        "import (upload+run): {:.2} s = {:.0} rows/s",
        secs(imported),
        rows as f64 / secs(imported)
    );
    println!(
        "import (run only):   {:.2} s = {:.0} rows/s",
        secs(imported - uploaded),
        rows as f64 / secs(imported - uploaded)
    );
    println!(
        "slowest task query during the import: {:.1} ms",
        slowest_query.as_secs_f64() * 1e3
    );
    println!(
        "result pages:        {pages} x {PAGE} in {:.2} s = {:.1} pages/s, {:.0} rows/s",
        secs(paged),
        pages as f64 / secs(paged),
        served as f64 / secs(paged)
    );
    let ms = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1e3);
    println!(
        "page time:           first {:.1} ms, last full {:.1} ms",
        ms(page_times.first()),
        ms(page_times.iter().rev().nth(1).or(page_times.last()))
    );
    let mib = export.bytes as f64 / (1 << 20) as f64;
    println!(
        "export (write):      {:.2} s = {:.0} rows/s, {mib:.1} MiB in {} file(s) held in memory",
        secs(export.written),
        rows as f64 / secs(export.written),
        export.files
    );
    println!(
        "export (serve):      {:.2} s = {:.0} rows/s, {:.0} MiB/s (file queries and GETs, one client)",
        secs(export.served),
        rows as f64 / secs(export.served),
        mib / secs(export.served)
    );
    if let Ok(python) = std::env::var("LABELBOX_BENCH_PYTHON") {
        official_sdk_reads(&python, &emu, &export.task_id)?;
    }
    Ok(())
}

/// What exporting the dataset cost the emulator.
struct ExportCost {
    task_id: String,
    written: Duration,
    served: Duration,
    files: usize,
    bytes: u64,
    lines: u64,
}

fn uint(v: &Value) -> Result<u64> {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("not a UInt64: {v}"))
}

/// Exports `dataset`, waits for it, then reads its whole stream as a client would.
fn export_and_serve(agent: &ureq::Agent, emu: &Emulator, dataset: &str) -> Result<ExportCost> {
    let started = Instant::now();
    let input = json!({"taskName": "bench", "isStreamableReady": true, "streamable": true,
        "filters": {"searchQuery": {"scope": null, "query": [{"ids": [dataset], "operator": "is", "type": "dataset"}]}},
        "params": {"includeDataRowDetails": true}});
    let answer = gql(agent, emu, EXPORT, json!({ "input": input }))?;
    let task_id = answer["exportDataRowsInCatalog"]["taskId"]
        .as_str()
        .context("no export task id")?
        .to_string();
    loop {
        let t = gql(
            agent,
            emu,
            USER_TASK,
            json!({"u": emu.user_id(), "t": task_id}),
        )?;
        match t["user"]["createdTasks"][0]["status"].as_str() {
            Some("IN_PROGRESS") => std::thread::sleep(Duration::from_millis(10)),
            Some("COMPLETE") => break,
            other => bail!("export ended {other:?}"),
        }
    }
    let written = started.elapsed();

    let serving = Instant::now();
    let header = gql(agent, emu, "query($w: WhereUniqueIdInput) { task(where: $w) { exportMetadataHeader(streamType: RESULT) { totalSize totalLines } } }",
        json!({"w": {"id": task_id}}))?;
    let header = &header["task"]["exportMetadataHeader"];
    let (total, lines) = (uint(&header["totalSize"])?, uint(&header["totalLines"])?);
    let (mut offset, mut files, mut newlines) = (0, 0, 0);
    while offset < total {
        let info = gql(
            agent,
            emu,
            FILE,
            json!({"w": {"id": task_id}, "o": offset.to_string()}),
        )?;
        let info = &info["task"]["exportFileFromOffset"];
        let end = uint(&info["offsets"]["end"])?;
        let bytes = agent
            .get(info["file"].as_str().context("no file URL")?)
            .call()?
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()?;
        if bytes.len() as u64 != end - offset + 1 {
            bail!(
                "file at {offset}: {} bytes, expected {}",
                bytes.len(),
                end - offset + 1
            );
        }
        newlines += bytes.iter().filter(|b| **b == b'\n').count() as u64;
        files += 1;
        offset = end + 1;
    }
    if newlines != lines {
        bail!("read {newlines} lines, the header says {lines}");
    }
    Ok(ExportCost {
        task_id,
        written,
        served: serving.elapsed(),
        files,
        bytes: total,
        lines,
    })
}

/// Runs `conformance/export_bench.py` (the official SDK's `get_buffered_stream()`) on the export.
fn official_sdk_reads(python: &str, emu: &Emulator, task_id: &str) -> Result<()> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/conformance/export_bench.py");
    let output = std::process::Command::new(python)
        .args([script, &emu.url(), emu.api_key(), "--task", task_id])
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("cannot run {python} {script}"))?;
    if !output.status.success() {
        bail!("{script} failed: {}", output.status);
    }
    println!(
        "official Python SDK: {}",
        String::from_utf8_lossy(&output.stdout).trim()
    );
    Ok(())
}
