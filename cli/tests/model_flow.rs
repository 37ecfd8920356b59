//! The built `labelbox` binary's `model` and `model-run` commands end to end against the
//! in-process emulator: a model and a run created, rows sent to the run and waited for, the
//! run exported to a file with its `experiments` part, a registration task cancelled with
//! `task cancel`.

use std::time::Duration;

use labelbox::{MediaType, NormalizedOntology, OntologyClassification};
use labelbox_emulator::Emulator;

mod common;

use common::labelbox;

fn emulator(task_duration: Duration) -> Emulator {
    Emulator::builder()
        .import_rows_per_second(200_000)
        .min_task_duration(task_duration)
        .start()
        .expect("the emulator starts")
}

/// `n` rows with keys `{prefix}-{i}` and an ontology; answers the ontology's id.
fn rows_and_ontology(emu: &Emulator, prefix: &str, n: usize) -> String {
    let client = common::sdk_client(emu);
    common::keyed_rows(&client, prefix, n);
    let ontology = NormalizedOntology::new()
        .classification(OntologyClassification::radio("weather", ["sunny", "rainy"]));
    client
        .create_ontology(prefix, &ontology, Some(MediaType::Image))
        .unwrap()
        .id
}

/// `model create` then `model-run create`, through the binary; answers (model, run) ids.
fn model_and_run(emu: &Emulator, ontology: &str) -> (String, String) {
    let model = labelbox(
        emu,
        &[
            "model",
            "create",
            "detector",
            "--ontology",
            ontology,
            "--json",
        ],
    );
    model.expect(0);
    let model_id = model.json()["id"].as_str().unwrap().to_owned();
    let run = labelbox(
        emu,
        &[
            "model-run",
            "create",
            "run-1",
            "--model",
            &model_id,
            "--config",
            "{\"lr\": 0.5}",
            "--json",
        ],
    );
    run.expect(0);
    assert_eq!(
        run.json()["training_metadata"],
        serde_json::json!({"lr": 0.5})
    );
    (model_id, run.json()["id"].as_str().unwrap().to_owned())
}

#[test]
fn rows_added_to_a_run_are_exported_with_their_experiments() {
    let emu = emulator(Duration::from_millis(50));
    let ontology = rows_and_ontology(&emu, "cm", 3);
    let (model, run) = model_and_run(&emu, &ontology);
    let added = labelbox(
        &emu,
        &[
            "model-run",
            "add-rows",
            &run,
            "--global-key",
            "cm-0",
            "--global-key",
            "cm-1",
            "--wait",
            "1m",
            "--every",
            "2s",
            "--json",
        ],
    );
    added.expect(0);
    assert_eq!(added.json()["status"], "COMPLETE");
    assert_eq!(added.json()["type"], "send-to-model-run");

    let out = std::env::temp_dir().join(format!(
        "labelbox-cli-model-run-{}.ndjson",
        std::process::id()
    ));
    let exported = labelbox(
        &emu,
        &[
            "model-run",
            "export",
            &run,
            "--include",
            "details,model-run-details",
            "--every",
            "2s",
            "--output",
            out.to_str().unwrap(),
            "--json",
        ],
    );
    exported.expect(0);
    assert_eq!(exported.json()["status"], "COMPLETE");
    let rows = common::ndjson(&std::fs::read_to_string(&out).unwrap());
    std::fs::remove_file(&out).ok();
    let mut keys: Vec<&str> = rows
        .iter()
        .map(|r| r["data_row"]["global_key"].as_str().unwrap())
        .collect();
    keys.sort();
    assert_eq!(keys, ["cm-0", "cm-1"]);
    for row in &rows {
        assert!(
            row["experiments"][&model]["runs"][&run].is_object(),
            "{row}"
        );
    }

    let got = labelbox(&emu, &["model-run", "get", &run, "--json"]);
    got.expect(0);
    assert_eq!(got.json()["model_id"], model.as_str());
    labelbox(&emu, &["model-run", "delete", &run]).expect(0);
    labelbox(&emu, &["model-run", "get", &run]).expect(3);
    labelbox(&emu, &["model", "delete", &model]).expect(0);
    labelbox(&emu, &["model", "get", &model]).expect(3);
}

#[test]
fn a_registration_started_without_waiting_is_cancelled_with_task_cancel() {
    let emu = emulator(Duration::from_secs(5));
    let ontology = rows_and_ontology(&emu, "cc", 2);
    let (_, run) = model_and_run(&emu, &ontology);
    let ids = "cc-0\ncc-1\n";
    let file = std::env::temp_dir().join(format!("labelbox-cli-model-keys-{}", std::process::id()));
    std::fs::write(&file, ids).unwrap();
    let started = labelbox(
        &emu,
        &[
            "model-run",
            "add-rows",
            &run,
            file.to_str().unwrap(),
            "--keys",
            "--json",
        ],
    );
    std::fs::remove_file(&file).ok();
    started.expect(0);
    assert_eq!(started.json()["status"], "IN_PROGRESS");
    let task = started.json()["id"].as_str().unwrap().to_owned();
    // --wait: exit 0 once it has ended canceled.
    labelbox(
        &emu,
        &[
            "task",
            "cancel",
            &task,
            "--wait",
            "--timeout",
            "1m",
            "--every",
            "2s",
        ],
    )
    .expect(0);
    let seen = labelbox(&emu, &["task", "get", &task, "--json"]);
    seen.expect(0);
    assert_eq!(seen.json()["status"], "CANCELED");
}
