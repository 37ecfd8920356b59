//! The built `labelbox` binary's `dataset export` and `task stream` against the in-process
//! emulator: NDJSON on stdout or in a file, selections, includes, progress lines, exit codes.

use std::collections::BTreeSet;
use std::time::Duration;

use labelbox_emulator::{Emulator, EmulatorBuilder};
use serde_json::Value;

mod common;

use common::{labelbox, ndjson};

/// Fast imports and exports, small export files (streams cross file borders).
fn builder() -> EmulatorBuilder {
    Emulator::builder()
        .import_rows_per_second(200_000)
        .min_task_duration(Duration::from_millis(50))
        .export_file_size(1_024)
}

/// A dataset with `n` rows imported through the CLI (global keys `{prefix}-{i}`).
fn dataset_with_rows(emu: &Emulator, prefix: &str, n: usize) -> String {
    let dataset = emu.create_dataset(prefix);
    let rows: String = (0..n)
        .map(|i| {
            format!("{{\"row_data\": \"https://e.com/{prefix}/{i}.jpg\", \"global_key\": \"{prefix}-{i}\"}}\n")
        })
        .collect();
    let dir = std::env::temp_dir().join(format!(
        "labelbox-cli-export-{prefix}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("rows.ndjson");
    std::fs::write(&file, rows).unwrap();
    let file = file.display().to_string();
    labelbox(
        emu,
        &[
            "data-rows",
            "import",
            "--dataset",
            &dataset,
            &file,
            "--wait",
            "1m",
            "--every",
            "2s",
        ],
    )
    .expect(0);
    let _ = std::fs::remove_dir_all(dir);
    dataset
}

fn keys(rows: &[Value]) -> BTreeSet<String> {
    rows.iter()
        .map(|r| r["data_row"]["global_key"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn dataset_export_writes_every_row_as_ndjson_with_progress_lines() {
    let emu = builder().start().unwrap();
    let dataset = dataset_with_rows(&emu, "all", 60);
    let run = labelbox(
        &emu,
        &[
            "dataset",
            "export",
            &dataset,
            "--include",
            "metadata,details",
            "--every",
            "2s",
        ],
    );
    run.expect(0);
    let rows = run.ndjson();
    assert_eq!(rows.len(), 60, "rows seen = rows created");
    assert_eq!(keys(&rows), (0..60).map(|i| format!("all-{i}")).collect());
    assert!(rows.iter().all(|r| r["data_row"].get("details").is_some()));
    // Off a terminal: plain progress lines on stderr, and the count.
    assert!(run.stderr.contains("rows streamed"), "{}", run.stderr);
    assert!(run.stderr.contains("60 rows exported"), "{}", run.stderr);
}

#[test]
fn selections_output_files_and_the_task_as_json() {
    let emu = builder().start().unwrap();
    let dataset = dataset_with_rows(&emu, "sel", 10);
    let dir = std::env::temp_dir().join(format!("labelbox-cli-export-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("rows.ndjson").display().to_string();
    let run = labelbox(
        &emu,
        &[
            "dataset",
            "export",
            &dataset,
            "--global-key",
            "sel-3",
            "--global-key",
            "sel-8",
            "--output",
            &out,
            "--json",
            "--every",
            "2s",
        ],
    );
    run.expect(0);
    let task: Value = serde_json::from_str(&run.stdout).expect("the task as one JSON document");
    assert_eq!(task["type"], "export-data-rows");
    assert_eq!(task["status"], "COMPLETE");
    let rows = ndjson(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(keys(&rows), ["sel-3", "sel-8"].map(String::from).into());

    // The same export, read again by `task stream`, from a line on.
    let task_id = task["id"].as_str().unwrap();
    let again = labelbox(&emu, &["task", "stream", task_id]);
    again.expect(0);
    assert_eq!(again.ndjson(), rows);
    let tail = labelbox(&emu, &["task", "stream", task_id, "--from-line", "1"]);
    assert_eq!(tail.expect(0).ndjson(), rows[1..]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn task_stream_reads_errors_and_absent_streams_are_empty() {
    let emu = builder().start().unwrap();
    let errors: Vec<String> = (0..30)
        .map(|i| format!("{{\"error\": \"e{i}\"}}"))
        .collect();
    let task_id = emu.insert_export(Vec::<String>::new(), errors);
    let run = labelbox(&emu, &["task", "stream", &task_id, "--errors"]);
    let lines = run.expect(0).ndjson();
    assert_eq!(lines.len(), 30);
    assert_eq!(lines[29]["error"], "e29");
    let rows = labelbox(&emu, &["task", "stream", &task_id]);
    assert!(rows.expect(0).stdout.is_empty());
}

/// Lines leave as the service served them: key order, spacing and escapes kept (they were
/// re-serialized through a `Value` before, which sorted every key).
#[test]
fn task_stream_writes_lines_byte_for_byte() {
    let emu = builder().start().unwrap();
    let lines: Vec<String> = (0..40)
        .map(|i| format!("{{\"z\": {i}, \"data_row\" : {{\"id\":\"dr{i}\"}}, \"a\": \"\\u00e9\"}}"))
        .collect();
    let task_id = emu.insert_export(lines.clone(), Vec::<String>::new());
    let run = labelbox(&emu, &["task", "stream", &task_id]);
    assert_eq!(run.expect(0).stdout, format!("{}\n", lines.join("\n")));
    let tail = labelbox(&emu, &["task", "stream", &task_id, "--from-line", "38"]);
    assert_eq!(
        tail.expect(0).stdout,
        format!("{}\n{}\n", lines[38], lines[39])
    );
}

#[test]
fn exit_codes_follow_the_other_commands() {
    let emu = builder()
        .min_task_duration(Duration::from_secs(60))
        .start()
        .unwrap();
    let dataset = emu.create_dataset("slow");
    // Still running after --wait: exit 2, nothing on stdout.
    let run = labelbox(
        &emu,
        &[
            "dataset", "export", &dataset, "--wait", "2s", "--every", "2s",
        ],
    );
    run.expect(2);
    assert!(run.stdout.is_empty(), "{run:?}");
    // --no-wait prints the task; streaming a running export is refused (3); canceled: 1.
    let started = labelbox(
        &emu,
        &["dataset", "export", &dataset, "--no-wait", "--json"],
    );
    let task: Value = serde_json::from_str(&started.expect(0).stdout).unwrap();
    let id = task["id"].as_str().unwrap();
    assert_eq!(task["status"], "IN_PROGRESS");
    labelbox(&emu, &["task", "stream", id]).expect(3);
    labelbox(
        &emu,
        &[
            "task",
            "cancel",
            id,
            "--wait",
            "--timeout",
            "20s",
            "--every",
            "2s",
        ],
    )
    .expect(0);
    labelbox(&emu, &["task", "stream", id]).expect(1);
    // Bad input: 3 before anything is started.
    labelbox(
        &emu,
        &["dataset", "export", &dataset, "--include", "everything"],
    )
    .expect(3);
    labelbox(
        &emu,
        &[
            "dataset",
            "export",
            &dataset,
            "--global-key",
            "a",
            "--data-row-id",
            "b",
        ],
    )
    .expect(3);
    labelbox(&emu, &["dataset", "export", &dataset, "--json"]).expect(3);
    labelbox(&emu, &["dataset", "export", "no-such-dataset"]).expect(3);
    let import = emu.insert_task(labelbox_emulator::TaskSeed {
        task_type: "adv-upsert-data-rows".into(),
        status: "COMPLETE".into(),
        ..Default::default()
    });
    labelbox(&emu, &["task", "stream", &import]).expect(3);
}
