//! The built `labelbox` binary's `project` and `labels` commands against the in-process
//! emulator: create and list, label imports from a file (failed annotations reported, exit
//! codes as for data rows), project exports with their labels, and usage errors.

use std::time::Duration;

use labelbox::{
    DataRowIdentifiers, MediaType, NormalizedOntology, OntologyClassification, OntologyTool,
};
use labelbox_emulator::Emulator;

mod common;

use common::labelbox;

fn emulator() -> Emulator {
    Emulator::builder()
        .import_rows_per_second(200_000)
        .min_task_duration(Duration::from_millis(50))
        .start()
        .expect("the emulator starts")
}

/// A project with `n` rows (keys `{prefix}-{i}`) batched in and an ontology (a `car` box and
/// a `weather` radio) connected; answers its id.
fn labeled_project(emu: &Emulator, prefix: &str, n: usize) -> String {
    let client = common::sdk_client(emu);
    common::keyed_rows(&client, prefix, n);
    let project = client.create_project(prefix, MediaType::Image).unwrap();
    let keys: Vec<String> = (0..n).map(|i| format!("{prefix}-{i}")).collect();
    project
        .create_batch("all", DataRowIdentifiers::global_keys(keys), 3)
        .unwrap();
    let ontology = client
        .create_ontology(
            prefix,
            &NormalizedOntology::new()
                .tool(OntologyTool::bbox("car"))
                .classification(OntologyClassification::radio("weather", ["sunny", "rainy"])),
            None,
        )
        .unwrap();
    project.connect_ontology(&ontology).unwrap();
    project.id().to_owned()
}

/// An NDJSON file of a `weather` answer per key (and `extra` lines as given).
fn labels_file(prefix: &str, keys: &[String], extra: &[&str]) -> std::path::PathBuf {
    let mut text: String = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            format!("{{\"uuid\": \"u-{i}\", \"name\": \"weather\", \"dataRow\": {{\"globalKey\": \"{k}\"}}, \"answer\": {{\"name\": \"sunny\"}}}}\n")
        })
        .collect();
    for line in extra {
        text.push_str(line);
        text.push('\n');
    }
    let dir = std::env::temp_dir().join(format!(
        "labelbox-cli-labels-{prefix}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("labels.ndjson");
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn project_create_and_list() {
    let emu = emulator();
    let created = labelbox(
        &emu,
        &[
            "project",
            "create",
            "Street scenes",
            "--media-type",
            "video",
            "--json",
        ],
    );
    created.expect(0);
    let project = created.json();
    assert_eq!(project["name"], "Street scenes");
    assert_eq!(project["media_type"], "VIDEO");
    let listed = labelbox(&emu, &["project", "list", "--json"]);
    listed.expect(0);
    let ids: Vec<String> = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, [project["id"].as_str().unwrap()]);
    let table = labelbox(&emu, &["project", "list"]);
    table.expect(0);
    assert!(table.stdout.contains("Street scenes") && table.stdout.contains("VIDEO"));
    let bad = labelbox(
        &emu,
        &["project", "create", "x", "--media-type", "hologram"],
    );
    bad.expect(3);
    assert!(bad.stderr.contains("unknown media type"), "{bad:?}");
}

#[test]
fn labels_import_reports_failed_annotations_and_exits_like_data_rows() {
    let emu = emulator();
    let project = labeled_project(&emu, "li", 3);
    let keys: Vec<String> = (0..3).map(|i| format!("li-{i}")).collect();
    let good = labels_file("good", &keys[..2], &[]);
    let run = labelbox(
        &emu,
        &[
            "labels",
            "import",
            good.to_str().unwrap(),
            "--project",
            &project,
            "--wait",
            "1m",
            "--every",
            "2s",
        ],
    );
    run.expect(0);
    assert!(run.stdout.is_empty(), "{run:?}");

    let bad_line = "{\"uuid\": \"u-bad\", \"name\": \"bicycle\", \"dataRow\": {\"globalKey\": \"li-2\"}, \"bbox\": {\"top\": 1, \"left\": 1, \"height\": 1, \"width\": 1}}";
    let mixed = labels_file("mixed", &keys[2..], &[bad_line]);
    let args = [
        "labels",
        "import",
        mixed.to_str().unwrap(),
        "--project",
        &project,
        "--wait",
        "1m",
        "--every",
        "2s",
    ];
    let failed = labelbox(&emu, &args);
    failed.expect(1);
    let statuses = failed.ndjson();
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0]["uuid"], "u-bad");
    assert_eq!(statuses[0]["status"], "FAILURE");
    let mut allowed_args = args.to_vec();
    allowed_args.push("--allow-failed-rows");
    labelbox(&emu, &allowed_args).expect(0);

    // Without --wait: the import, printed at once.
    let started = labelbox(
        &emu,
        &[
            "labels",
            "import",
            good.to_str().unwrap(),
            "--project",
            &project,
            "--name",
            "again",
            "--json",
        ],
    );
    started.expect(0);
    assert_eq!(started.json()["name"], "again");
    assert_eq!(started.json()["state"], "RUNNING");

    // Bad lines are named before anything is sent.
    let broken = labels_file(
        "broken",
        &keys[..1],
        &["not json", "{\"uuid\": \"u\", \"name\": \"weather\"}"],
    );
    let run = labelbox(
        &emu,
        &[
            "labels",
            "import",
            broken.to_str().unwrap(),
            "--project",
            &project,
        ],
    );
    run.expect(3);
    assert!(
        run.stderr.contains("2 bad lines")
            && run.stderr.contains("line 2:")
            && run.stderr.contains("line 3:"),
        "{run:?}"
    );
    let missing = labelbox(
        &emu,
        &[
            "labels",
            "import",
            "/nonexistent.ndjson",
            "--project",
            &project,
        ],
    );
    missing.expect(3);
    let no_project = labelbox(
        &emu,
        &[
            "labels",
            "import",
            good.to_str().unwrap(),
            "--project",
            "nope",
        ],
    );
    no_project.expect(3);
    assert!(no_project.stderr.contains("project \"nope\" not found"));
}

#[test]
fn project_export_streams_rows_with_their_labels() {
    let emu = emulator();
    let project = labeled_project(&emu, "pe", 4);
    let keys: Vec<String> = (0..2).map(|i| format!("pe-{i}")).collect();
    let file = labels_file("pe", &keys, &[]);
    labelbox(
        &emu,
        &[
            "labels",
            "import",
            file.to_str().unwrap(),
            "--project",
            &project,
            "--wait",
            "1m",
            "--every",
            "2s",
        ],
    )
    .expect(0);
    let run = labelbox(
        &emu,
        &[
            "project",
            "export",
            &project,
            "--include",
            "label-details,project-details",
            "--every",
            "2s",
        ],
    );
    run.expect(0);
    let rows = run.ndjson();
    assert_eq!(rows.len(), 4);
    let labels: usize = rows
        .iter()
        .map(|r| r["projects"][&project]["labels"].as_array().unwrap().len())
        .sum();
    assert_eq!(labels, 2);
    let some = labelbox(
        &emu,
        &[
            "project",
            "export",
            &project,
            "--global-key",
            "pe-0",
            "--global-key",
            "pe-3",
            "--every",
            "2s",
        ],
    );
    some.expect(0);
    assert_eq!(some.ndjson().len(), 2);
    let bad = labelbox(
        &emu,
        &[
            "project",
            "export",
            &project,
            "--workflow-status",
            "somewhere",
        ],
    );
    bad.expect(3);
    let labeled = labelbox(
        &emu,
        &[
            "project",
            "export",
            &project,
            "--labeled-after",
            "2000-01-01T00:00:00Z",
            "--every",
            "2s",
        ],
    );
    labeled.expect(0);
    assert_eq!(labeled.ndjson().len(), 2, "only the labeled rows");
    labelbox(
        &emu,
        &[
            "project",
            "export",
            &project,
            "--labeled-after",
            "yesterday",
        ],
    )
    .expect(3);
}

#[test]
fn priority_and_send_to_annotate_need_rows() {
    let emu = emulator();
    labelbox(&emu, &["project", "priority", "p", "--priority", "1"]).expect(3);
    labelbox(
        &emu,
        &[
            "project",
            "send-to-annotate",
            "--project",
            "a",
            "--from-project",
            "b",
        ],
    )
    .expect(3);
    labelbox(
        &emu,
        &[
            "project",
            "send-to-annotate",
            "--project",
            "a",
            "--from-project",
            "b",
            "--global-key",
            "k",
            "--data-row-id",
            "i",
        ],
    )
    .expect(3);
}

#[test]
fn the_new_commands_have_help_with_an_example_and_are_in_the_man_page() {
    let emu = emulator();
    let commands: [&[&str]; 8] = [
        &["project"],
        &["labels"],
        &["project", "create"],
        &["project", "list"],
        &["project", "export"],
        &["project", "send-to-annotate"],
        &["project", "priority"],
        &["labels", "import"],
    ];
    for words in commands {
        let mut args = words.to_vec();
        args.push("--help");
        let run = labelbox(&emu, &args);
        run.expect(0);
        assert!(run.stdout.contains("Example"), "{words:?}: {}", run.stdout);
    }
    let man = labelbox(&emu, &["man"]);
    man.expect(0);
    for word in ["project", "labels"] {
        assert!(man.stdout.contains(word), "{word} not in the man page");
    }
}

#[test]
fn send_to_annotate_and_priority_start_tasks_and_wait_for_them() {
    let emu = emulator();
    let source = labeled_project(&emu, "sa", 2);
    let target = labelbox(&emu, &["project", "create", "target", "--json"]);
    target.expect(0);
    let target = target.json()["id"].as_str().unwrap().to_owned();
    let sent = labelbox(
        &emu,
        &[
            "project",
            "send-to-annotate",
            "--project",
            &target,
            "--from-project",
            &source,
            "--global-key",
            "sa-0",
            "--global-key",
            "sa-1",
            "--batch-name",
            "review",
            "--wait",
            "1m",
            "--every",
            "2s",
            "--json",
        ],
    );
    sent.expect(0);
    assert_eq!(sent.json()["status"], "COMPLETE");
    let started = labelbox(
        &emu,
        &[
            "project",
            "priority",
            &source,
            "--priority",
            "1",
            "--global-key",
            "sa-0",
            "--json",
        ],
    );
    started.expect(0);
    let task = started.json();
    assert_eq!(task["status"], "IN_PROGRESS");
    let waited = labelbox(
        &emu,
        &[
            "task",
            "wait",
            task["id"].as_str().unwrap(),
            "--timeout",
            "1m",
            "--every",
            "2s",
        ],
    );
    waited.expect(0);
    let refused = labelbox(
        &emu,
        &[
            "project",
            "priority",
            &source,
            "--priority",
            "1",
            "--data-row-id",
            "not-a-row",
        ],
    );
    // The service refuses it: an API error (exit 5), its message shown.
    refused.expect(5);
    assert!(
        refused.stderr.contains("Some data rows do not exist"),
        "{refused:?}"
    );
}
