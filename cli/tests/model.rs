//! The built `labelbox` binary's `model` and `model-run` commands against a mockito server:
//! the variables each command sends, what it prints, its exit codes (a failed registration
//! too, which the emulator does not make on demand), and input refused before anything is
//! sent. The flows against the emulator are in `model_flow.rs`.

use std::process::{Command, Stdio};

use mockito::{Matcher, Mock, ServerGuard};
use serde_json::{json, Value};

mod common;

use common::{finish, Run, BIN};

const KEY: &str = "cli-model-test-key";

/// The binary pointed at `server`, its output captured.
fn labelbox(server: &ServerGuard, args: &[&str]) -> Run {
    let child = Command::new(BIN)
        .env("LABELBOX_API_KEY", KEY)
        .env_remove("LABELBOX_ENDPOINT")
        .env("LABELBOX_RETRY_BUDGET", "0s")
        .args(args)
        .arg("--endpoint")
        .arg(format!("{}/graphql", server.url()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    finish(child)
}

fn data(value: Value) -> String {
    json!({ "data": value }).to_string()
}

fn mock(server: &mut ServerGuard, operation: &str, answer: Value) -> Mock {
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex(operation.into()))
        .with_body(data(answer))
        .create()
}

fn run_json(id: &str) -> Value {
    json!({
        "createdAt": "2026-11-29T07:00:01.000Z", "updatedAt": "2026-11-29T07:00:02Z",
        "createdBy": "user-1", "modelAppId": null, "modelId": "m1", "name": "run-1",
        "trainingMetadata": null, "id": id,
    })
}

fn task_json(status: &str) -> Value {
    json!({
        "id": "t1", "name": "register", "type": "send-to-model-run", "status": status,
        "completionPercentage": null, "createdAt": "2026-11-29T07:00:01.000Z",
        "updatedAt": "2026-11-29T07:00:02Z", "result": null, "errors": null, "metadata": null,
    })
}

/// A server that knows the run `r1`, registers rows as task `t1` (expecting `variables`) and
/// answers the task in `status`; answers the registration's mock.
fn registering(server: &mut ServerGuard, variables: Value, status: &str) -> Mock {
    mock(
        server,
        "GetModelRunPyApi",
        json!({"modelRun": run_json("r1")}),
    );
    mock(server, "GetUserPyApi", json!({"user": {"id": "user-1"}}));
    mock(
        server,
        "GetUserCreatedTasksPyApi",
        json!({"user": {"createdTasks": [task_json(status)]}}),
    );
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex("createMEAModelRunDataRowRegistrationTaskPyApi".into()),
            Matcher::PartialJson(json!({ "variables": variables })),
        ]))
        .with_body(data(
            json!({"createMEAModelRunDataRowRegistrationTask": "t1"}),
        ))
        .expect(1)
        .create()
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("labelbox-cli-model-{name}-{}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn model_create_sends_the_ontology_and_prints_the_model() {
    let mut server = mockito::Server::new();
    let create = server
        .mock("POST", "/graphql")
        .match_body(Matcher::PartialJson(
            json!({"variables": {"name": "detector", "ontologyId": "o1"}}),
        ))
        .with_body(data(
            json!({"createModel": {"name": "detector", "ontologyId": "o1", "id": "m1"}}),
        ))
        .expect(1)
        .create();
    let run = labelbox(
        &server,
        &["model", "create", "detector", "--ontology", "o1", "--json"],
    );
    run.expect(0);
    create.assert();
    assert_eq!(
        run.json(),
        json!({"id": "m1", "name": "detector", "ontology_id": "o1"})
    );
}

#[test]
fn model_run_create_sends_the_config_as_json() {
    let mut server = mockito::Server::new();
    mock(
        &mut server,
        "GetModelPyApi",
        json!({"model": {"name": "d", "ontologyId": "o1", "id": "m1"}}),
    );
    let create = server
        .mock("POST", "/graphql")
        .match_body(Matcher::PartialJson(json!({"variables": {
            "name": "run-1", "config": {"lr": 0.01}, "modelId": "m1"}})))
        .with_body(data(json!({"createModelRun": run_json("r1")})))
        .expect(1)
        .create();
    let run = labelbox(
        &server,
        &[
            "model-run",
            "create",
            "run-1",
            "--model",
            "m1",
            "--config",
            "{\"lr\": 0.01}",
            "--json",
        ],
    );
    run.expect(0);
    create.assert();
    assert_eq!(run.json()["id"], "r1");
    assert_eq!(run.json()["model_id"], "m1");
}

#[test]
fn a_config_that_is_not_json_is_refused_before_sending() {
    let mut server = mockito::Server::new();
    let none = server.mock("POST", Matcher::Any).expect(0).create();
    let run = labelbox(
        &server,
        &[
            "model-run",
            "create",
            "r",
            "--model",
            "m1",
            "--config",
            "{lr",
        ],
    );
    run.expect(3);
    assert!(run.stderr.contains("--config is not JSON"), "{run:?}");
    none.assert();
}

#[test]
fn add_rows_from_a_file_of_ids_prints_the_registration_task() {
    let mut server = mockito::Server::new();
    let register = registering(
        &mut server,
        json!({"modelRunId": "r1", "dataRowIds": ["d1", "d2"], "globalKeys": null}),
        "IN_PROGRESS",
    );
    let file = temp_file("ids", "d1\n\n  d2  \n");
    let run = labelbox(
        &server,
        &[
            "model-run",
            "add-rows",
            "r1",
            file.to_str().unwrap(),
            "--json",
        ],
    );
    run.expect(0);
    register.assert();
    assert_eq!(run.json()["id"], "t1");
    assert_eq!(run.json()["type"], "send-to-model-run");
    assert!(
        run.stderr.contains("registration task t1 started (2 rows)"),
        "{run:?}"
    );
}

#[test]
fn add_rows_by_global_key_waits_for_the_task() {
    let mut server = mockito::Server::new();
    let register = registering(
        &mut server,
        json!({"modelRunId": "r1", "dataRowIds": null, "globalKeys": ["k1", "k2"]}),
        "COMPLETE",
    );
    let run = labelbox(
        &server,
        &[
            "model-run",
            "add-rows",
            "r1",
            "--global-key",
            "k1",
            "--global-key",
            "k2",
            "--wait",
            "1m",
            "--json",
        ],
    );
    run.expect(0);
    register.assert();
    assert_eq!(run.json()["status"], "COMPLETE");
}

#[test]
fn a_file_of_keys_is_sent_as_global_keys_and_a_failed_registration_exits_1() {
    let mut server = mockito::Server::new();
    let register = registering(
        &mut server,
        json!({"modelRunId": "r1", "dataRowIds": null, "globalKeys": ["k1"]}),
        "FAILED",
    );
    let file = temp_file("keys", "k1\n");
    let run = labelbox(
        &server,
        &[
            "model-run",
            "add-rows",
            "r1",
            file.to_str().unwrap(),
            "--keys",
            "--wait",
            "1m",
        ],
    );
    run.expect(1);
    register.assert();
    assert!(run.stderr.contains("task t1 ended FAILED"), "{run:?}");
}

#[test]
fn add_rows_refuses_an_empty_file_and_mixed_sources_before_sending() {
    let mut server = mockito::Server::new();
    let none = server.mock("POST", Matcher::Any).expect(0).create();
    let empty = temp_file("empty", "\n  \n");
    let run = labelbox(
        &server,
        &["model-run", "add-rows", "r1", empty.to_str().unwrap()],
    );
    run.expect(3);
    assert!(run.stderr.contains("no rows named"), "{run:?}");
    let keys_without_file = labelbox(
        &server,
        &["model-run", "add-rows", "r1", "--keys", "--global-key", "k"],
    );
    keys_without_file.expect(3);
    assert!(
        keys_without_file.stderr.contains("FILE"),
        "{keys_without_file:?}"
    );
    for args in [
        vec!["model-run", "add-rows", "r1"],
        vec![
            "model-run",
            "add-rows",
            "r1",
            "--global-key",
            "k",
            "--data-row-id",
            "d",
        ],
        vec![
            "model-run",
            "add-rows",
            "r1",
            empty.to_str().unwrap(),
            "--global-key",
            "k",
        ],
    ] {
        let run = labelbox(&server, &args);
        assert_ne!(run.code, 0, "{args:?}: {run:?}");
        assert!(run.stderr.contains("Usage"), "{args:?}: {run:?}");
    }
    let missing = labelbox(
        &server,
        &["model-run", "add-rows", "r1", "/nonexistent/rows.txt"],
    );
    missing.expect(3);
    assert!(missing.stderr.contains("cannot read"), "{missing:?}");
    none.assert();
}

#[test]
fn an_unknown_model_run_is_a_usage_error_naming_it() {
    let mut server = mockito::Server::new();
    mock(&mut server, "GetModelRunPyApi", json!({"modelRun": null}));
    for args in [
        vec!["model-run", "export", "gone", "--output", "/dev/null"],
        vec!["model-run", "add-rows", "gone", "--global-key", "k"],
    ] {
        let run = labelbox(&server, &args);
        run.expect(3);
        assert!(run.stderr.contains("gone"), "{args:?}: {run:?}");
    }
}

#[test]
fn model_run_export_sends_the_include_flags_and_refuses_unknown_parts() {
    let mut server = mockito::Server::new();
    mock(
        &mut server,
        "GetModelRunPyApi",
        json!({"modelRun": run_json("r1")}),
    );
    let export = server
        .mock("POST", "/graphql")
        .match_body(Matcher::PartialJson(json!({"variables": {"input": {
            "taskName": "nightly",
            "filters": {"modelRunId": "r1"},
            "params": {"includePredictions": true, "includeModelRunDetails": true,
                       "includeAttachments": false}}}})))
        .with_body(data(
            json!({"exportDataRowsInModelRun": {"taskId": "e1", "isStreamable": true}}),
        ))
        .expect(1)
        .create();
    mock(
        &mut server,
        "GetUserPyApi",
        json!({"user": {"id": "user-1"}}),
    );
    let mut task = task_json("IN_PROGRESS");
    task["id"] = json!("e1");
    task["type"] = json!("export-data-rows");
    mock(
        &mut server,
        "GetUserCreatedTasksPyApi",
        json!({"user": {"createdTasks": [task]}}),
    );
    let run = labelbox(
        &server,
        &[
            "model-run",
            "export",
            "r1",
            "--include",
            "predictions,model-run-details",
            "--task-name",
            "nightly",
            "--no-wait",
            "--json",
        ],
    );
    run.expect(0);
    export.assert();
    assert_eq!(run.json()["id"], "e1");

    let refused = labelbox(
        &server,
        &[
            "model-run",
            "export",
            "r1",
            "--include",
            "label-details",
            "--no-wait",
        ],
    );
    refused.expect(3);
    assert!(refused.stderr.contains("model-run-details"), "{refused:?}");
    // The rows need a place when the task goes to stdout.
    let no_place = labelbox(&server, &["model-run", "export", "r1", "--json"]);
    no_place.expect(3);
    assert!(no_place.stderr.contains("--output"), "{no_place:?}");
}

#[test]
fn every_model_command_has_help_with_an_example_and_the_man_page_has_them() {
    let server = mockito::Server::new();
    for words in [
        &["model"][..],
        &["model", "create"],
        &["model", "get"],
        &["model", "delete"],
        &["model-run"],
        &["model-run", "create"],
        &["model-run", "get"],
        &["model-run", "delete"],
        &["model-run", "add-rows"],
        &["model-run", "export"],
    ] {
        let mut args = words.to_vec();
        args.push("--help");
        let run = labelbox(&server, &args);
        run.expect(0);
        assert!(run.stdout.contains("Example"), "{words:?}: {}", run.stdout);
    }
    let man = labelbox(&server, &["man"]);
    man.expect(0);
    assert!(man.stdout.contains("model\\-run"), "{}", man.stdout);
}
