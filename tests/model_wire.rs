//! Models and model runs on the wire, pinned against mockito: the exact documents and
//! variables the official SDK 7.17.0 sends (`createModelPyApi`, `GetModelPyApi`,
//! `DeleteModelPyApi`, `CreateModelRunPyApi`, `GetModelRunPyApi`, `DeleteModelRunPyApi`,
//! the MEA registrations and `exportDataRowsInModelRun`), and every typed failure: GraphQL
//! errors, unknown ids, bad input refused before anything is sent.

mod common;

use std::time::Duration;

use common::*;
use labelbox::{
    DataRowIdentifiers, Error, MediaType, ModelRunExportOptions, ModelRunLabels, TaskStatus,
    WaitOptions,
};
use mockito::{Matcher, Mock, ServerGuard};
use serde_json::{json, Value};

const MODEL_RUN_FIELDS: &str =
    "createdAt createdBy modelAppId modelId name trainingMetadata id updatedAt";

const REGISTER_ROWS: &str = "mutation createMEAModelRunDataRowRegistrationTaskPyApi($modelRunId: ID!, $dataRowIds: [ID!], $globalKeys: [ID!]) {\n          createMEAModelRunDataRowRegistrationTask(where : { id : $modelRunId}, data : {dataRowIds: $dataRowIds, globalKeys: $globalKeys})}\n          ";

const LABEL_STATUS: &str = "query MEALabelRegistrationTaskStatusPyApi($where: WhereUniqueIdInput!){\n            MEALabelRegistrationTaskStatus(where: $where) {status errorMessage}\n        }\n        ";

fn model_json(id: &str) -> Value {
    json!({"name": "detector", "ontologyId": "o1", "id": id})
}

fn run_json(id: &str) -> Value {
    json!({
        "createdAt": "2026-11-29T07:00:01.000Z", "updatedAt": "2026-11-29T07:00:02Z",
        "createdBy": "user-1", "modelAppId": null, "modelId": "m1", "name": "run",
        "trainingMetadata": {"lr": 0.5}, "id": id,
    })
}

/// A GraphQL error answer with this code.
fn graphql_error(code: &str, message: &str) -> String {
    json!({"errors": [{"message": message, "extensions": {"code": code}}], "data": null})
        .to_string()
}

/// A mock answering `answer` as `data` to any request naming `operation`, for the caller to
/// give an expected count and create.
fn answering(server: &mut ServerGuard, operation: &str, answer: Value) -> Mock {
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex(operation.into()))
        .with_body(data(answer))
}

/// A mock expecting exactly this document and these variables.
fn exact(server: &mut ServerGuard, query: &str, variables: Value, answer: Value) -> Mock {
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Json(
            json!({"query": query, "variables": variables}),
        ))
        .with_body(data(answer))
        .expect(1)
        .create()
}

/// A mock answering a GraphQL error with `code` to any request naming `operation`, for the
/// caller to give an expected count and create.
fn failing(server: &mut ServerGuard, operation: &str, code: &str, message: &str) -> Mock {
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex(operation.into()))
        .with_body(graphql_error(code, message))
}

/// Asserts `e` is [`Error::NotFound`] naming this `what` and `id`.
fn names(e: &Error, what: &str, id: &str) {
    assert!(
        matches!(e, Error::NotFound { what: w, id: i } if w == what && i == id),
        "{e:?}"
    );
}

/// Asserts `e` is the refusal of `field`'s value.
fn refused(e: &Error, field: &str) {
    assert!(
        matches!(e, Error::InvalidInput { field: f, .. } if f == field),
        "{e:?}"
    );
}

/// A mock that fails the test if any request comes.
fn nothing_sent(server: &mut ServerGuard) -> Mock {
    server.mock("POST", Matcher::Any).expect(0).create()
}

/// The run "r1", read through `GetModelRunPyApi`.
fn model_run(server: &mut ServerGuard, clock: &FakeClock) -> labelbox::ModelRun {
    let m = answering(
        server,
        "GetModelRunPyApi",
        json!({"modelRun": run_json("r1")}),
    )
    .expect(1)
    .create();
    let run = client(server, clock).get_model_run("r1").unwrap();
    m.assert();
    run
}

/// A server, its clock and the run "r1" read from it.
fn with_run() -> (ServerGuard, FakeClock, labelbox::ModelRun) {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let run = model_run(&mut server, &clock);
    (server, clock, run)
}

#[test]
fn create_model_sends_the_official_document() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let m = exact(
        &mut server,
        "mutation createModelPyApi($name: String!, $ontologyId: ID!){\n            createModel(data: {name : $name, ontologyId : $ontologyId}){\n                    name ontologyId id\n                }\n            }",
        json!({"name": "detector", "ontologyId": "o1"}),
        json!({"createModel": model_json("m1")}),
    );
    let model = client(&server, &clock)
        .create_model("detector", "o1")
        .unwrap();
    m.assert();
    assert_eq!(
        (model.id(), model.name(), model.ontology_id()),
        ("m1", "detector", Some("o1"))
    );
}

#[test]
fn create_model_refuses_empty_names_before_sending() {
    let mut server = mockito::Server::new();
    let none = nothing_sent(&mut server);
    let client = client(&server, &FakeClock::new());
    for (name, ontology, field) in [
        ("", "o1", "name"),
        ("  ", "o1", "name"),
        ("d", "", "ontology_id"),
    ] {
        let e = client.create_model(name, ontology).unwrap_err();
        refused(&e, field);
    }
    none.assert();
}

#[test]
fn a_graphql_error_of_create_model_is_typed() {
    let mut server = mockito::Server::new();
    server
        .mock("POST", "/graphql")
        .with_body(graphql_error("RESOURCE_NOT_FOUND", "ontology not found"))
        .expect(1)
        .create();
    let e = no_retry_client(&server)
        .create_model("d", "gone")
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
}

#[test]
fn a_null_model_answer_is_a_decode_error() {
    let mut server = mockito::Server::new();
    server
        .mock("POST", "/graphql")
        .with_body(data(json!({"createModel": null})))
        .create();
    let e = no_retry_client(&server)
        .create_model("d", "o1")
        .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
}

#[test]
fn get_model_sends_the_orm_query_and_names_a_missing_model() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let document =
        "query GetModelPyApi($param_0: ID!){model(where: {id: $param_0}){name ontologyId id}}";
    let found = exact(
        &mut server,
        document,
        json!({"param_0": "m1"}),
        json!({"model": model_json("m1")}),
    );
    let client = client(&server, &clock);
    assert_eq!(client.get_model("m1").unwrap().id(), "m1");
    found.assert();

    let null = exact(
        &mut server,
        document,
        json!({"param_0": "gone"}),
        json!({"model": null}),
    );
    let e = client.get_model("gone").unwrap_err();
    null.assert();
    names(&e, "model", "gone");

    let none = nothing_sent(&mut server);
    assert!(client.get_model("").unwrap_err().is_invalid_input());
    none.assert();
}

#[test]
fn a_service_not_found_is_named_as_the_model() {
    let mut server = mockito::Server::new();
    server
        .mock("POST", "/graphql")
        .with_body(graphql_error("RESOURCE_NOT_FOUND", "Model not found"))
        .create();
    let e = no_retry_client(&server).get_model("m9").unwrap_err();
    names(&e, "model", "m9");
}

#[test]
fn delete_model_sends_the_official_document() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let get = exact(
        &mut server,
        "query GetModelPyApi($param_0: ID!){model(where: {id: $param_0}){name ontologyId id}}",
        json!({"param_0": "m1"}),
        json!({"model": model_json("m1")}),
    );
    let model = client(&server, &clock).get_model("m1").unwrap();
    get.assert();
    let delete = exact(
        &mut server,
        "mutation DeleteModelPyApi($ids: ID!) {\n            deleteModels(where: {ids: [$ids]})}",
        json!({"ids": "m1"}),
        json!({"deleteModels": true}),
    );
    model.delete().unwrap();
    delete.assert();
}

#[test]
fn create_model_run_sends_name_config_and_model() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    answering(
        &mut server,
        "GetModelPyApi",
        json!({"model": model_json("m1")}),
    )
    .create();
    let model = client(&server, &clock).get_model("m1").unwrap();
    let document = format!("mutation CreateModelRunPyApi($name: String!, $config: Json, $modelId: ID!) {{\n            createModelRun(data: {{name: $name, trainingMetadata: $config, modelId: $modelId}}) {{{MODEL_RUN_FIELDS}}}}}");
    let with_config = exact(
        &mut server,
        &document,
        json!({"name": "run", "config": {"lr": 0.5}, "modelId": "m1"}),
        json!({"createModelRun": run_json("r1")}),
    );
    let run = model
        .create_model_run("run", Some(json!({"lr": 0.5})))
        .unwrap();
    with_config.assert();
    assert_eq!((run.id(), run.model_id(), run.name()), ("r1", "m1", "run"));
    assert_eq!(run.training_metadata(), Some(&json!({"lr": 0.5})));
    assert_eq!(run.created_by_id(), Some("user-1"));
    assert!(run.created_at().is_some() && run.updated_at() > run.created_at());

    let without = exact(
        &mut server,
        &document,
        json!({"name": "run 2", "config": null, "modelId": "m1"}),
        json!({"createModelRun": run_json("r2")}),
    );
    assert_eq!(model.create_model_run("run 2", None).unwrap().id(), "r2");
    without.assert();

    let none = nothing_sent(&mut server);
    assert!(model
        .create_model_run(" ", None)
        .unwrap_err()
        .is_invalid_input());
    none.assert();
}

#[test]
fn get_model_run_sends_the_orm_query_and_names_a_missing_run() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let document = format!("query GetModelRunPyApi($param_0: ID!){{modelRun(where: {{id: $param_0}}){{{MODEL_RUN_FIELDS}}}}}");
    let found = exact(
        &mut server,
        &document,
        json!({"param_0": "r1"}),
        json!({"modelRun": run_json("r1")}),
    );
    let client = client(&server, &clock);
    assert_eq!(client.get_model_run("r1").unwrap().name(), "run");
    found.assert();
    let null = exact(
        &mut server,
        &document,
        json!({"param_0": "gone"}),
        json!({"modelRun": null}),
    );
    let e = client.get_model_run("gone").unwrap_err();
    null.assert();
    names(&e, "model run", "gone");
}

#[test]
fn delete_model_run_sends_the_official_document_and_names_a_gone_run() {
    let (mut server, _clock, run) = with_run();
    let document =
        "mutation DeleteModelRunPyApi($ids: ID!) {\n            deleteModelRuns(where: {ids: [$ids]})}";
    let delete = exact(
        &mut server,
        document,
        json!({"ids": "r1"}),
        json!({"deleteModelRuns": true}),
    );
    run.delete().unwrap();
    delete.assert();
    failing(
        &mut server,
        "DeleteModelRunPyApi",
        "RESOURCE_NOT_FOUND",
        "gone",
    )
    .create();
    let e = run.delete().unwrap_err();
    names(&e, "model run", "r1");
}

#[test]
fn upsert_data_rows_by_id_returns_the_registration_task_and_it_waits_to_complete() {
    let (mut server, clock, run) = with_run();
    let register = exact(
        &mut server,
        REGISTER_ROWS,
        json!({"modelRunId": "r1", "dataRowIds": ["d1", "d2"], "globalKeys": null}),
        json!({"createMEAModelRunDataRowRegistrationTask": "t1"}),
    );
    mock_user(&mut server);
    let lookups = mock_task_sequence(
        &mut server,
        &[
            task_json("t1", "send-to-model-run", "IN_PROGRESS"),
            task_json("t1", "send-to-model-run", "COMPLETE"),
        ],
    );
    let mut task = run
        .upsert_data_rows(&DataRowIdentifiers::ids(["d1", "d2"]))
        .unwrap();
    register.assert();
    assert_eq!((task.id(), task.task_type()), ("t1", "send-to-model-run"));
    assert_eq!(task.wait_till_done().unwrap(), TaskStatus::Complete);
    for m in lookups {
        m.assert();
    }
    // One nap of the default check frequency between the two polls, on the fake clock.
    assert_eq!(clock.sleeps(), [Duration::from_secs(2)]);
}

#[test]
fn upsert_data_rows_by_global_key_sends_no_ids() {
    let (mut server, _clock, run) = with_run();
    let register = exact(
        &mut server,
        REGISTER_ROWS,
        json!({"modelRunId": "r1", "dataRowIds": null, "globalKeys": ["k1"]}),
        json!({"createMEAModelRunDataRowRegistrationTask": "t1"}),
    );
    mock_user(&mut server);
    mock_task_sequence(
        &mut server,
        &[task_json("t1", "send-to-model-run", "COMPLETE")],
    );
    let task = run
        .upsert_data_rows(&DataRowIdentifiers::global_keys(["k1"]))
        .unwrap();
    register.assert();
    assert_eq!(*task.status(), TaskStatus::Complete);
}

#[test]
fn upsert_data_rows_refuses_bad_selections_before_sending() {
    let (mut server, _clock, run) = with_run();
    let none = nothing_sent(&mut server);
    let empty: [&str; 0] = [];
    for (rows, field) in [
        (DataRowIdentifiers::ids(empty), "data_row_ids"),
        (DataRowIdentifiers::global_keys(empty), "global_keys"),
        (DataRowIdentifiers::ids(["d1", " "]), "data_row_ids"),
    ] {
        let e = run.upsert_data_rows(&rows).unwrap_err();
        refused(&e, field);
    }
    none.assert();
}

#[test]
fn upsert_data_rows_failures_are_typed_and_never_resent() {
    let (mut server, _clock, run) = with_run();
    let unknown = failing(
        &mut server,
        "createMEAModelRunDataRowRegistrationTaskPyApi",
        "RESOURCE_NOT_FOUND",
        "model run not found",
    )
    .expect(1)
    .create();
    let e = run
        .upsert_data_rows(&DataRowIdentifiers::ids(["d1"]))
        .unwrap_err();
    unknown.assert();
    // The service's words are kept: rows, not only the run, may be what it does not know.
    assert!(
        matches!(e, Error::NotFound { ref what, .. } if what.contains("model run not found")),
        "{e:?}"
    );
    unknown.remove();

    // A server error after sending: the mutation may have been carried out, so it is sent once.
    let broken = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex(
            "createMEAModelRunDataRowRegistrationTaskPyApi".into(),
        ))
        .with_status(500)
        .with_body("{}")
        .expect(1)
        .create();
    let e = run
        .upsert_data_rows(&DataRowIdentifiers::ids(["d1"]))
        .unwrap_err();
    broken.assert();
    assert!(e.may_have_been_processed(), "{e:?}");
    broken.remove();

    // An answer without a task id is a decode error, not a task.
    answering(
        &mut server,
        "createMEAModelRunDataRowRegistrationTaskPyApi",
        json!({"createMEAModelRunDataRowRegistrationTask": null}),
    )
    .create();
    let e = run
        .upsert_data_rows(&DataRowIdentifiers::ids(["d1"]))
        .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
}

#[test]
fn a_registration_task_the_user_cannot_see_is_not_found() {
    let (mut server, _clock, run) = with_run();
    answering(
        &mut server,
        "createMEAModelRunDataRowRegistrationTaskPyApi",
        json!({"createMEAModelRunDataRowRegistrationTask": "t1"}),
    )
    .expect(1)
    .create();
    mock_user(&mut server);
    task_lookup(&mut server).with_body(no_such_task()).create();
    let e = run
        .upsert_data_rows(&DataRowIdentifiers::ids(["d1"]))
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
}

#[test]
fn a_running_registration_task_is_canceled_like_any_task() {
    let (mut server, _clock, run) = with_run();
    answering(
        &mut server,
        "createMEAModelRunDataRowRegistrationTaskPyApi",
        json!({"createMEAModelRunDataRowRegistrationTask": "t1"}),
    )
    .create();
    mock_user(&mut server);
    task_lookup(&mut server)
        .with_body(data(json!({"user": {"createdTasks": [task_json("t1", "send-to-model-run", "IN_PROGRESS")]}})))
        .create();
    answering(
        &mut server,
        "cancelableTaskTypes",
        json!({"cancelableTaskTypes": ["ExportDataRows", "SendToModelRun"]}),
    )
    .create();
    let cancel = server
        .mock("POST", "/graphql")
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex("CancelTaskPyApi".into()),
            Matcher::PartialJson(json!({"variables": {"id": "t1"}})),
        ]))
        .with_body(data(json!({"cancelBulkOperationJob": {"success": true}})))
        .expect(1)
        .create();
    let task = run
        .upsert_data_rows(&DataRowIdentifiers::ids(["d1"]))
        .unwrap();
    assert!(run.client().cancel_task(task.id()).unwrap());
    cancel.assert();
}

fn mock_label_status(
    server: &mut ServerGuard,
    status: &str,
    message: Value,
    expect: usize,
) -> Mock {
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Json(
            json!({"query": LABEL_STATUS, "variables": {"where": {"id": "lt1"}}}),
        ))
        .with_body(data(
            json!({"MEALabelRegistrationTaskStatus": {"status": status, "errorMessage": message}}),
        ))
        .expect(expect)
        .create()
}

#[test]
fn upsert_labels_by_id_polls_the_official_status_until_complete() {
    let (mut server, clock, run) = with_run();
    let register = exact(
        &mut server,
        "mutation createMEAModelRunLabelRegistrationTaskPyApi($modelRunId: ID!, $labelIds : [ID!]!) {\n        createMEAModelRunLabelRegistrationTask(where : { id : $modelRunId}, data : {labelIds: $labelIds})}\n        ",
        json!({"modelRunId": "r1", "labelIds": ["l1", "l2"]}),
        json!({"createMEAModelRunLabelRegistrationTask": "lt1"}),
    );
    let running = mock_label_status(&mut server, "IN_PROGRESS", Value::Null, 1);
    let done = mock_label_status(&mut server, "COMPLETE", Value::Null, 1);
    run.upsert_labels(&ModelRunLabels::label_ids(["l1", "l2"]))
        .unwrap();
    register.assert();
    running.assert();
    done.assert();
    // The official SDK's pace: 5 s before each poll.
    assert_eq!(clock.sleeps(), [Duration::from_secs(5); 2]);
}

#[test]
fn upsert_labels_of_a_project_sends_the_project_document() {
    let (mut server, _clock, run) = with_run();
    let register = exact(
        &mut server,
        "mutation createMEAModelRunProjectLabelRegistrationTaskPyApi($modelRunId: ID!, $projectId : ID!) {\n        createMEAModelRunProjectLabelRegistrationTask(where : { modelRunId : $modelRunId, projectId: $projectId})}\n        ",
        json!({"modelRunId": "r1", "projectId": "p1"}),
        json!({"createMEAModelRunProjectLabelRegistrationTask": "lt1"}),
    );
    let done = mock_label_status(&mut server, "COMPLETE", Value::Null, 1);
    run.upsert_labels(&ModelRunLabels::project("p1")).unwrap();
    register.assert();
    done.assert();
}

#[test]
fn a_failed_label_registration_is_typed_with_the_service_message() {
    let (mut server, _clock, run) = with_run();
    answering(
        &mut server,
        "createMEAModelRunProjectLabelRegistrationTaskPyApi",
        json!({"createMEAModelRunProjectLabelRegistrationTask": "lt1"}),
    )
    .create();
    mock_label_status(&mut server, "FAILED", json!("ontology mismatch"), 1);
    let e = run
        .upsert_labels(&ModelRunLabels::project("p1"))
        .unwrap_err();
    assert!(
        matches!(e, Error::RegistrationFailed { ref model_run_id, ref task_id, message: Some(ref m) }
            if model_run_id == "r1" && task_id == "lt1" && m == "ontology mismatch"),
        "{e:?}"
    );
    assert!(e.to_string().contains("ontology mismatch"), "{e}");
}

#[test]
fn a_label_registration_still_running_at_the_deadline_times_out() {
    let (mut server, _clock, run) = with_run();
    answering(
        &mut server,
        "createMEAModelRunLabelRegistrationTaskPyApi",
        json!({"createMEAModelRunLabelRegistrationTask": "lt1"}),
    )
    .create();
    // 12 s with a poll every 5 s: polls at 5, 10 and 12 s, then the wait ends.
    let polls = mock_label_status(&mut server, "IN_PROGRESS", Value::Null, 3);
    let wait = WaitOptions::new()
        .timeout(Duration::from_secs(12))
        .check_frequency(Duration::from_secs(5));
    let e = run
        .upsert_labels_with(&ModelRunLabels::label_ids(["l1"]), wait)
        .unwrap_err();
    polls.assert();
    assert!(
        matches!(e, Error::JobTimedOut { ref job_id, polls: 3, .. } if job_id == "lt1"),
        "{e:?}"
    );
    assert!(e.is_wait_timed_out());
}

#[test]
fn upsert_labels_refuses_bad_input_before_sending() {
    let (mut server, _clock, run) = with_run();
    let none = nothing_sent(&mut server);
    let empty: [&str; 0] = [];
    for (labels, field) in [
        (ModelRunLabels::label_ids(empty), "label_ids"),
        (ModelRunLabels::label_ids([""]), "label_ids"),
        (ModelRunLabels::project(""), "project_id"),
    ] {
        let e = run.upsert_labels(&labels).unwrap_err();
        refused(&e, field);
    }
    // A busy loop is refused before the mutation too.
    let busy = WaitOptions::new().check_frequency(Duration::ZERO);
    let e = run
        .upsert_labels_with(&ModelRunLabels::project("p1"), busy)
        .unwrap_err();
    assert!(
        matches!(e, Error::InvalidInput { ref field, .. } if field == "check_frequency"),
        "{e:?}"
    );
    none.assert();
}

const EXPORT: &str = "mutation exportDataRowsInModelRunPyApi($input: ExportDataRowsInModelRunInput!){exportDataRowsInModelRun(input: $input){taskId isStreamable}}";

fn export_input(task_name: Value, params: Value) -> Value {
    json!({"input": {
        "taskName": task_name,
        "filters": {"modelRunId": "r1"},
        "isStreamableReady": true,
        "params": params,
        "streamable": true,
    }})
}

#[test]
fn export_sends_the_official_input_and_returns_the_export_task() {
    let (mut server, _clock, run) = with_run();
    let defaults = exact(
        &mut server,
        EXPORT,
        export_input(
            Value::Null,
            json!({"mediaTypeOverride": null, "includeAttachments": false,
                   "includeEmbeddings": false, "includeMetadata": false,
                   "includeDataRowDetails": false, "includePredictions": false,
                   "includeModelRunDetails": false}),
        ),
        json!({"exportDataRowsInModelRun": {"taskId": "e1", "isStreamable": true}}),
    );
    mock_user(&mut server);
    task_lookup(&mut server)
        .with_body(data(
            json!({"user": {"createdTasks": [task_json("e1", "export-data-rows", "IN_PROGRESS")]}}),
        ))
        .create();
    let export = run.export(ModelRunExportOptions::new()).unwrap();
    defaults.assert();
    assert_eq!(export.id(), "e1");

    let every = exact(
        &mut server,
        EXPORT,
        export_input(
            json!("exp"),
            json!({"mediaTypeOverride": "IMAGE", "includeAttachments": true,
                   "includeEmbeddings": true, "includeMetadata": true,
                   "includeDataRowDetails": true, "includePredictions": true,
                   "includeModelRunDetails": true}),
        ),
        json!({"exportDataRowsInModelRun": {"taskId": "e1", "isStreamable": true}}),
    );
    let mut options = ModelRunExportOptions::new()
        .task_name("exp")
        .media_type_override(MediaType::Image);
    for part in labelbox::MODEL_RUN_INCLUDE_NAMES {
        options = options.include(part).unwrap();
    }
    run.export(options).unwrap();
    every.assert();
}

#[test]
fn export_failures_are_typed() {
    let (mut server, _clock, run) = with_run();
    let unknown = failing(
        &mut server,
        "exportDataRowsInModelRunPyApi",
        "RESOURCE_NOT_FOUND",
        "no such run",
    )
    .expect(1)
    .create();
    let e = run.export(ModelRunExportOptions::new()).unwrap_err();
    unknown.assert();
    names(&e, "model run", "r1");
    unknown.remove();

    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("exportDataRowsInModelRunPyApi".into()))
        .with_body(json!({"errors": [{"message": "Invalid params"}], "data": null}).to_string())
        .expect(1)
        .create();
    let e = run.export(ModelRunExportOptions::new()).unwrap_err();
    assert!(
        matches!(e, Error::Api { ref message, .. } if message.contains("Invalid params")),
        "{e:?}"
    );
}

#[test]
fn an_export_part_the_official_sdk_does_not_send_is_refused() {
    for name in [
        "label-details",
        "interpolated-frames",
        "project-details",
        "all",
    ] {
        let e = ModelRunExportOptions::new().include(name).unwrap_err();
        assert!(
            matches!(e, Error::InvalidInput { ref field, ref message }
            if field == "include" && message.contains("model-run-details")),
            "{e:?}"
        );
    }
    assert_eq!(
        ModelRunExportOptions::new()
            .include("metadata-fields")
            .unwrap(),
        ModelRunExportOptions::new().include_metadata(true)
    );
}
