//! `labelbox data-rows assign-keys` and `labelbox data-rows metadata upsert|delete`: the built
//! binary against the in-process emulator, exit codes, failures named by file line, `--json`.

use std::sync::atomic::{AtomicUsize, Ordering};

use labelbox_emulator::Emulator;
use serde_json::{json, Value};

mod common;

use common::labelbox;

const TAG: &str = "cko8s9r5v0001h2dk9elqdidh";
const CAPTURE: &str = "cko8sdzv70006h2dk8jg64zvb";

/// A scratch file removed at the end of the test.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(tag: &str, content: &str) -> Scratch {
        // Tests run in parallel in one process: a counter keeps their files apart.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "labelbox-cli-catalog-{tag}-{}-{n}.ndjson",
            std::process::id()
        ));
        std::fs::write(&path, content).expect("file written");
        Scratch(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("utf-8 path")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// An emulator with a dataset of rows keyed `k0`..; answers it and the dataset's id.
fn with_rows(n: usize) -> (Emulator, String) {
    let emu = Emulator::builder().start().expect("the emulator starts");
    let dataset = labelbox(&emu, &["dataset", "create", "catalog", "--json"]);
    let id = dataset.expect(0).json()["id"]
        .as_str()
        .expect("an id")
        .to_string();
    let rows: String = (0..n)
        .map(|i| {
            format!("{{\"row_data\": \"https://example.com/{i}.jpg\", \"global_key\": \"k{i}\"}}\n")
        })
        .collect();
    let file = Scratch::new("rows", &rows);
    labelbox(
        &emu,
        &[
            "data-rows",
            "import",
            "--dataset",
            &id,
            file.path(),
            "--wait",
            "1m",
        ],
    )
    .expect(0);
    (emu, id)
}

fn row_id(emu: &Emulator, dataset: &str, key: &str) -> String {
    let rows = emu.data_rows(dataset);
    let row = rows.iter().find(|r| r.global_key.as_deref() == Some(key));
    row.expect("the row").id.clone()
}

#[test]
fn assign_keys_exits_0_when_every_key_is_assigned_and_1_naming_the_line_of_each_failure() {
    let (emu, dataset) = with_rows(2);
    let a = row_id(&emu, &dataset, "k0");
    let b = row_id(&emu, &dataset, "k1");
    let good = Scratch::new(
        "keys-good",
        &format!("{{\"data_row_id\": \"{a}\", \"global_key\": \"new-a\"}}\n"),
    );
    let run = labelbox(&emu, &["data-rows", "assign-keys", good.path(), "--json"]);
    let out = run.expect(0).json();
    assert_eq!(out["status"], "SUCCESS");
    assert_eq!(
        out["assigned"],
        json!([{"data_row_id": a, "global_key": "new-a", "sanitized": false}])
    );
    assert_eq!(row_id(&emu, &dataset, "new-a"), a);

    let mixed = Scratch::new(
        "keys-mixed",
        &format!(
            "{{\"data_row_id\": \"{b}\", \"global_key\": \"new-b\"}}\n\n\
             {{\"data_row_id\": \"{b}\", \"global_key\": \"new-a\"}}\n"
        ),
    );
    let run = labelbox(&emu, &["data-rows", "assign-keys", mixed.path()]);
    run.expect(1);
    assert!(run.stdout.contains("PARTIAL SUCCESS"), "{run:?}");
    assert!(
        run.stderr.contains("line 3: data row") && run.stderr.contains("Invalid assignment"),
        "the failure names its line: {run:?}"
    );
}

#[test]
fn a_bad_assignments_file_exits_3_naming_every_bad_line_and_sends_nothing() {
    let emu = Emulator::builder().start().expect("the emulator starts");
    let file = Scratch::new(
        "keys-bad",
        "{\"data_row_id\": \"r\", \"global_key\": \"\"}\n{\"data_row_id\": \"r\"}\n{\"row\": 1, \"global_key\": \"g\"}\n",
    );
    let run = labelbox(&emu, &["data-rows", "assign-keys", file.path()]);
    run.expect(3);
    for line in [
        "line 1: global_key",
        "line 2:",
        "line 3: unknown field `row`",
    ] {
        assert!(run.stderr.contains(line), "{line}: {run:?}");
    }
    assert!(run.stderr.contains("nothing was assigned"), "{run:?}");
    assert!(emu.requests().is_empty(), "nothing was sent");
}

#[test]
fn metadata_upsert_and_delete_apply_the_file_and_name_each_refused_row() {
    let (emu, dataset) = with_rows(60);
    let mut lines: Vec<Value> = (0..60)
        .map(|i| json!({"global_key": format!("k{i}"), "fields": [{"schema_id": TAG, "value": format!("t{i}")}]}))
        .collect();
    lines[55] = json!({"global_key": "missing", "fields": [{"schema_id": TAG, "value": "x"}]});
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let file = Scratch::new("md-upsert", &text);
    let run = labelbox(
        &emu,
        &["data-rows", "metadata", "upsert", file.path(), "--json"],
    );
    let out = run.expect(1).json();
    assert_eq!(out["rows"], 60);
    assert_eq!(out["sent"], 60);
    assert_eq!(out["failed"], 1, "{out}");
    assert_eq!(out["failures"][0]["place"], "line 56");
    assert_eq!(out["failures"][0]["global_key"], "missing");
    let upserts = emu
        .requests()
        .iter()
        .filter(|r| r.fields.iter().any(|f| f == "upsertDataRowCustomMetadata"))
        .count();
    assert_eq!(upserts, 2, "50 rows per request");
    let stored = emu.data_rows(&dataset);
    let k3 = stored
        .iter()
        .find(|r| r.global_key.as_deref() == Some("k3"))
        .unwrap();
    assert_eq!(k3.metadata, [json!({"schemaId": TAG, "value": "t3"})]);

    let deletes = Scratch::new(
        "md-delete",
        &format!(
            "{}\n{}\n",
            json!({"global_key": "k3", "schema_ids": [TAG]}),
            json!({"global_key": "k4", "schema_ids": [TAG, CAPTURE]})
        ),
    );
    let run = labelbox(&emu, &["data-rows", "metadata", "delete", deletes.path()]);
    run.expect(1);
    // The delete document does not ask for the key: the failure comes back by row id.
    let k4 = row_id(&emu, &dataset, "k4");
    let by_row = format!("data row {k4}: Schema did not exist [{CAPTURE}]");
    assert!(run.stderr.contains(&by_row), "{run:?}");
    let by_id = Scratch::new(
        "md-delete-id",
        &format!("{}\n", json!({"data_row_id": k4, "schema_ids": [CAPTURE]})),
    );
    let run = labelbox(&emu, &["data-rows", "metadata", "delete", by_id.path()]);
    run.expect(1);
    assert!(
        run.stderr.contains("line 1: data row"),
        "by id, the line is known: {run:?}"
    );
    let stored = emu.data_rows(&dataset);
    for key in ["k3", "k4"] {
        let row = stored
            .iter()
            .find(|r| r.global_key.as_deref() == Some(key))
            .unwrap();
        assert!(row.metadata.is_empty(), "{key}: {:?}", row.metadata);
    }
    let clean = Scratch::new(
        "md-clean",
        &format!("{}\n", json!({"global_key": "k5", "schema_ids": [TAG]})),
    );
    labelbox(&emu, &["data-rows", "metadata", "delete", clean.path()]).expect(0);
}

#[test]
fn a_bad_metadata_file_exits_3_before_anything_is_sent() {
    let emu = Emulator::builder().start().expect("the emulator starts");
    let file = Scratch::new(
        "md-bad",
        "{\"global_key\": \"a\", \"fields\": []}\n{\"data_row_id\": \"r\", \"global_key\": \"g\", \"fields\": []}\nnot json\n",
    );
    let run = labelbox(&emu, &["data-rows", "metadata", "upsert", file.path()]);
    run.expect(3);
    for line in [
        "line 1: fields: no fields to set",
        "line 2: give either",
        "line 3:",
    ] {
        assert!(run.stderr.contains(line), "{line}: {run:?}");
    }
    assert!(emu.requests().is_empty(), "nothing was sent");
    for words in [
        &["data-rows", "assign-keys", "--help"][..],
        &["data-rows", "metadata", "upsert", "--help"],
        &["data-rows", "metadata", "delete", "--help"],
    ] {
        let help = labelbox(&emu, words);
        assert!(help.expect(0).stdout.contains("Example"), "{help:?}");
    }
}

#[test]
fn assign_keys_exits_2_when_the_job_outlasts_the_timeout() {
    let emu = Emulator::builder()
        .job_duration(std::time::Duration::from_secs(600))
        .start()
        .expect("the emulator starts");
    let file = Scratch::new(
        "keys-slow",
        "{\"data_row_id\": \"r\", \"global_key\": \"g\"}\n",
    );
    let run = labelbox(
        &emu,
        &["data-rows", "assign-keys", file.path(), "--timeout", "1s"],
    );
    run.expect(2);
    assert!(
        run.stderr.contains("still running after 1s (--timeout)"),
        "{run:?}"
    );
}
