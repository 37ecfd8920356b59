//! Models and model runs over HTTP (PROTOCOL 3.10), with the official SDK's documents: models
//! and runs (create, get, delete), the data-row and label registration tasks and their status
//! queries, a run's rows, model-assisted labeling and `exportDataRowsInModelRun`; bad input is
//! refused with nothing written.

mod common;
mod project_helpers;

use std::time::Duration;

use common::{data, error_code, gql, start, CANCEL};
use labelbox_emulator::Emulator;
use project_helpers::*;
use serde_json::{json, Value};

const MODEL_FIELDS: &str = "name ontologyId id";
const RUN_FIELDS: &str =
    "name updatedAt createdAt createdBy modelId trainingMetadata modelAppId id";
const DATA_ROW_REGISTRATION: &str = "mutation createMEAModelRunDataRowRegistrationTaskPyApi($modelRunId: ID!, $dataRowIds: [ID!], $globalKeys: [ID!]) {
          createMEAModelRunDataRowRegistrationTask(where : { id : $modelRunId}, data : {dataRowIds: $dataRowIds, globalKeys: $globalKeys})}";
const DATA_ROW_STATUS: &str =
    "query MEADataRowRegistrationTaskStatusPyApi($where: WhereUniqueIdInput!){
            MEADataRowRegistrationTaskStatus(where: $where) {status errorMessage}}";
const LABEL_REGISTRATION: &str = "mutation createMEAModelRunLabelRegistrationTaskPyApi($modelRunId: ID!, $labelIds : [ID!]!) {
        createMEAModelRunLabelRegistrationTask(where : { id : $modelRunId}, data : {labelIds: $labelIds})}";
const LABEL_STATUS: &str = "query MEALabelRegistrationTaskStatusPyApi($where: WhereUniqueIdInput!){
            MEALabelRegistrationTaskStatus(where: $where) {status errorMessage}}";
const RUN_ROWS: &str = "query modelRunPyApi($modelRunId: ID!, $from : String, $first: Int){
                annotationGroups(where: {modelRunId: {id: $modelRunId}}, after: $from, first: $first)
                {nodes{labelId modelRunId dataSplit id dataRow {id globalKey rowData}},pageInfo{endCursor}}}";
const EXPORT: &str = "mutation exportDataRowsInModelRunPyApi($input: ExportDataRowsInModelRunInput!){exportDataRowsInModelRun(input: $input){taskId isStreamable}}";
const CREATED_TASK: &str = "query T($userId: ID!, $taskId: ID!) { user(where: {id: $userId}) { createdTasks(where: {id: $taskId} skip: 0 first: 1) { id status type } } }";
const TASK_BY_ID: &str =
    "query GetTaskPyApi($taskId: ID!) { task(where: {id: $taskId}) { id status type name } }";

fn emulator(task_duration: Duration) -> Emulator {
    start(
        Emulator::builder()
            .import_rows_per_second(1_000_000)
            .min_task_duration(task_duration),
    )
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// The ontology connected to `project`.
fn ontology_of(emu: &Emulator, project: &str) -> String {
    let q = "query GetProjectOntologyPyApi($projectId: ID!) { project(where: {id: $projectId}) { ontology { id } } }";
    text(&data(emu, q, json!({"projectId": project}))["project"]["ontology"]["id"])
}

fn create_model(emu: &Emulator, name: &str, ontology: &str) -> (u16, Value) {
    let q = format!("mutation createModelPyApi($name: String!, $ontologyId: ID!){{ createModel(data: {{name : $name, ontologyId : $ontologyId}}){{ {MODEL_FIELDS} }} }}");
    gql(emu, &q, json!({"name": name, "ontologyId": ontology}))
}

fn get_model(emu: &Emulator, id: &str) -> (u16, Value) {
    let q = format!(
        "query GetModelPyApi($param_0: ID!) {{ model(where: {{id: $param_0}}) {{ {MODEL_FIELDS} }} }}"
    );
    gql(emu, &q, json!({"param_0": id}))
}

fn create_run(emu: &Emulator, model: &str, name: &str, config: Value) -> (u16, Value) {
    let q = format!("mutation CreateModelRunPyApi($name: String!, $config: Json, $modelId: ID!) {{
            createModelRun(data: {{name: $name, trainingMetadata: $config, modelId: $modelId}}) {{ {RUN_FIELDS} }}}}");
    gql(
        emu,
        &q,
        json!({"name": name, "config": config, "modelId": model}),
    )
}

fn get_run(emu: &Emulator, id: &str) -> (u16, Value) {
    let q = format!("query GetModelRunPyApi($param_0: ID!) {{ modelRun(where: {{id: $param_0}}) {{ {RUN_FIELDS} }} }}");
    gql(emu, &q, json!({"param_0": id}))
}

fn delete(emu: &Emulator, what: &str, id: &str) -> (u16, Value) {
    let (op, field) = match what {
        "model" => ("DeleteModelPyApi", "deleteModels"),
        _ => ("DeleteModelRunPyApi", "deleteModelRuns"),
    };
    let q = format!("mutation {op}($ids: ID!) {{ {field}(where: {{ids: [$ids]}})}}");
    gql(emu, &q, json!({"ids": id}))
}

/// A project with a box ontology, `n` rows in a batch, and a model on that ontology with one
/// run: (project, box schema id, row ids, model id, run id).
fn setup(emu: &Emulator, n: usize) -> (String, String, Vec<String>, String, String) {
    let (project, schema, ids) = labeled_setup(emu, n);
    let ontology = ontology_of(emu, &project);
    let (status, model) = create_model(emu, "m", &ontology);
    assert_eq!(status, 200, "{model}");
    let model = text(&model["data"]["createModel"]["id"]);
    let (status, run) = create_run(emu, &model, "r", Value::Null);
    assert_eq!(status, 200, "{run}");
    let run = text(&run["data"]["createModelRun"]["id"]);
    (project, schema, ids, model, run)
}

/// Labels the first `n` rows with one box each (a label import); answers the label ids.
fn label_rows(emu: &Emulator, project: &str, schema: &str, ids: &[String]) -> Vec<String> {
    let lines: Vec<Value> = ids.iter().map(|row| bbox(schema, row)).collect();
    import_file(emu, project, "labels", &ndjson(&lines));
    assert_eq!(finished(emu, project, "labels")["state"], "FINISHED");
    let q = "query GetProjectLabelsPyApi($projectId: ID!) {project (where: {id: $projectId}) {labels (skip: 0 first: 100) {id}}}";
    data(emu, q, json!({"projectId": project}))["project"]["labels"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| text(&l["id"]))
        .collect()
}

/// Starts a data-row registration; answers the answer.
fn register_rows(emu: &Emulator, run: &str, ids: Value, keys: Value) -> (u16, Value) {
    gql(
        emu,
        DATA_ROW_REGISTRATION,
        json!({"modelRunId": run, "dataRowIds": ids, "globalKeys": keys}),
    )
}

fn started_task(answer: &(u16, Value), field: &str) -> String {
    assert_eq!(answer.0, 200, "{}", answer.1);
    let id = text(&answer.1["data"][field]);
    assert!(!id.is_empty(), "{}", answer.1);
    id
}

fn status(emu: &Emulator, query: &str, task: &str) -> Value {
    let field = if query == DATA_ROW_STATUS {
        "MEADataRowRegistrationTaskStatus"
    } else {
        "MEALabelRegistrationTaskStatus"
    };
    data(emu, query, json!({"where": {"id": task}}))[field].clone()
}

fn run_rows(emu: &Emulator, run: &str, from: Value, first: i32) -> (u16, Value) {
    gql(
        emu,
        RUN_ROWS,
        json!({"modelRunId": run, "from": from, "first": first}),
    )
}

fn row_ids(page: &Value) -> Vec<String> {
    page["data"]["annotationGroups"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| text(&n["dataRow"]["id"]))
        .collect()
}

fn wait(emu: &Emulator, task: &str) -> Option<String> {
    emu.wait_for_task(task, Duration::from_secs(30))
}

#[test]
fn models_and_runs_are_created_read_and_deleted() {
    let emu = emulator(Duration::from_millis(100));
    let project = create_project(&emu, "p");
    connect_box_ontology(&emu, &project);
    let ontology = ontology_of(&emu, &project);

    let (status, created) = create_model(&emu, "my model", &ontology);
    assert_eq!(status, 200, "{created}");
    let model = created["data"]["createModel"].clone();
    assert_eq!(model["name"], "my model");
    assert_eq!(model["ontologyId"], ontology.as_str());
    let model_id = text(&model["id"]);
    assert_eq!(get_model(&emu, &model_id).1["data"]["model"], model);

    // The top-level keys of the training metadata are camel-cased (Labelbox's test_model_run).
    let config = json!({"batch_size": 100, "reruns": [1, 2], "nested": {"keep_me": 1}});
    let (_, run) = create_run(&emu, &model_id, "run 1", config);
    let run = run["data"]["createModelRun"].clone();
    assert_eq!(run["name"], "run 1");
    assert_eq!(run["modelId"], model_id.as_str());
    assert_eq!(
        run["trainingMetadata"],
        json!({"batchSize": 100, "reruns": [1, 2], "nested": {"keep_me": 1}})
    );
    assert_eq!(run["createdBy"], emu.user_id());
    let run_id = text(&run["id"]);
    assert_eq!(get_run(&emu, &run_id).1["data"]["modelRun"], run);
    let (_, bare) = create_run(&emu, &model_id, "run 2", Value::Null);
    let bare_id = text(&bare["data"]["createModelRun"]["id"]);
    assert!(bare["data"]["createModelRun"]["trainingMetadata"].is_null());

    // Listings: the models by name, the model's runs oldest first.
    let q = format!("query GetModelsPyApi($n: String) {{ models(where: {{name: $n}}, skip: 0, first: 100) {{ {MODEL_FIELDS} }} }}");
    let listed = data(&emu, &q, json!({"n": "my model"}))["models"].clone();
    assert_eq!(listed, json!([model]));
    assert_eq!(data(&emu, &q, json!({"n": "other"}))["models"], json!([]));
    let q =
        "query R($id: ID!) { model(where: {id: $id}) { modelRuns(skip: 0, first: 100) { id } } }";
    let runs = data(&emu, q, json!({"id": model_id}))["model"]["modelRuns"].clone();
    assert_eq!(runs, json!([{"id": run_id}, {"id": bare_id}]));

    // The config is replaced as given, then reset.
    let q =
        "mutation updateModelRunConfigPyApi($modelRunId: ID!, $data: UpdateModelRunConfigInput!){
                updateModelRunConfig(modelRun: {id : $modelRunId}, data: $data){trainingMetadata}}";
    let updated = data(
        &emu,
        q,
        json!({"modelRunId": run_id, "data": {"config": {"batch_size": 2000}}}),
    );
    assert_eq!(
        updated["updateModelRunConfig"]["trainingMetadata"],
        json!({"batch_size": 2000})
    );
    let q = "query ModelRunPyApi($modelRunId: ID!){ modelRun(where: {id : $modelRunId}){trainingMetadata}}";
    let read = data(&emu, q, json!({"modelRunId": run_id}));
    assert_eq!(read["modelRun"]["trainingMetadata"]["batch_size"], 2000);
    let q = "mutation resetModelRunConfigPyApi($modelRunId: ID!){ resetModelRunConfig(modelRun: {id : $modelRunId}){trainingMetadata}}";
    let reset = data(&emu, q, json!({"modelRunId": run_id}));
    assert!(reset["resetModelRunConfig"]["trainingMetadata"].is_null());
    let (_, answer) = gql(&emu, q, json!({"modelRunId": "nope"}));
    assert_eq!(error_code(&answer), "RESOURCE_NOT_FOUND", "{answer}");

    // A run deleted is gone; deleting it again is refused.
    assert_eq!(delete(&emu, "run", &run_id).0, 200);
    let (_, gone) = get_run(&emu, &run_id);
    assert_eq!(error_code(&gone), "RESOURCE_NOT_FOUND", "{gone}");
    assert!(gone["data"]["modelRun"].is_null());
    assert_eq!(
        error_code(&delete(&emu, "run", &run_id).1),
        "RESOURCE_NOT_FOUND"
    );

    // Deleting the model deletes its runs (the official SDK's test_model: get_model then
    // raises ResourceNotFoundError).
    assert_eq!(delete(&emu, "model", &model_id).0, 200);
    let (_, gone) = get_model(&emu, &model_id);
    assert_eq!(error_code(&gone), "RESOURCE_NOT_FOUND", "{gone}");
    assert!(gone["data"]["model"].is_null());
    assert_eq!(error_code(&get_run(&emu, &bare_id).1), "RESOURCE_NOT_FOUND");
}

#[test]
fn bad_model_input_is_refused_with_nothing_written() {
    let emu = emulator(Duration::from_millis(100));
    let project = create_project(&emu, "p");
    connect_box_ontology(&emu, &project);
    let ontology = ontology_of(&emu, &project);

    let (_, answer) = create_model(&emu, "m", "no-such-ontology");
    assert_eq!(error_code(&answer), "RESOURCE_NOT_FOUND", "{answer}");
    assert!(answer["data"].is_null());
    let (_, answer) = create_model(&emu, " ", &ontology);
    assert_eq!(error_code(&answer), "MALFORMED_REQUEST", "{answer}");

    let (_, answer) = create_run(&emu, "no-such-model", "r", Value::Null);
    assert_eq!(error_code(&answer), "RESOURCE_NOT_FOUND", "{answer}");

    // A deletion naming one unknown id deletes nothing.
    let (_, model) = create_model(&emu, "m", &ontology);
    let model = text(&model["data"]["createModel"]["id"]);
    let q = "mutation D($ids: [ID!]!) { deleteModels(where: {ids: $ids}) }";
    let (_, answer) = gql(&emu, q, json!({"ids": [model, "unknown"]}));
    assert_eq!(error_code(&answer), "RESOURCE_NOT_FOUND", "{answer}");
    assert_eq!(get_model(&emu, &model).0, 200);
    assert_eq!(
        get_model(&emu, &model).1["data"]["model"]["id"],
        model.as_str()
    );

    // The status of a task that is not a registration is not found.
    let (_, answer) = gql(&emu, DATA_ROW_STATUS, json!({"where": {"id": "nope"}}));
    assert_eq!(error_code(&answer), "RESOURCE_NOT_FOUND", "{answer}");
}

#[test]
fn data_row_registration_is_a_task_whose_status_query_agrees() {
    let emu = emulator(Duration::from_millis(300));
    let (_, _, ids, _, run) = setup(&emu, 3);

    let task = started_task(
        &register_rows(&emu, &run, json!([ids[0], ids[1]]), Value::Null),
        "createMEAModelRunDataRowRegistrationTask",
    );
    // While it runs: IN_PROGRESS everywhere, nothing registered yet.
    assert_eq!(
        status(&emu, DATA_ROW_STATUS, &task)["status"],
        "IN_PROGRESS"
    );
    let by_id = data(&emu, TASK_BY_ID, json!({"taskId": task}))["task"].clone();
    assert_eq!(by_id["status"], "IN_PROGRESS");
    assert_eq!(by_id["type"], "send-to-model-run");
    let listed = data(
        &emu,
        CREATED_TASK,
        json!({"userId": emu.user_id(), "taskId": task}),
    );
    assert_eq!(listed["user"]["createdTasks"][0]["id"], task.as_str());
    assert!(row_ids(&run_rows(&emu, &run, Value::Null, 100).1).is_empty());

    assert_eq!(wait(&emu, &task).as_deref(), Some("COMPLETE"));
    let done = status(&emu, DATA_ROW_STATUS, &task);
    assert_eq!(done, json!({"status": "COMPLETE", "errorMessage": null}));
    // The label status query does not answer for a data-row registration.
    let (_, answer) = gql(&emu, LABEL_STATUS, json!({"where": {"id": task}}));
    assert_eq!(error_code(&answer), "RESOURCE_NOT_FOUND", "{answer}");

    // By global key, a row already registered is kept once; rows page in order.
    let keys = json!(["l1", "l2"]);
    let again = started_task(
        &register_rows(&emu, &run, Value::Null, keys),
        "createMEAModelRunDataRowRegistrationTask",
    );
    assert_eq!(wait(&emu, &again).as_deref(), Some("COMPLETE"));
    let (_, first) = run_rows(&emu, &run, Value::Null, 2);
    assert_eq!(row_ids(&first), [ids[0].clone(), ids[1].clone()]);
    let node = &first["data"]["annotationGroups"]["nodes"][0];
    assert_eq!(node["modelRunId"], run.as_str());
    assert_eq!(node["dataSplit"], "UNASSIGNED");
    assert!(node["labelId"].is_null());
    assert_eq!(node["dataRow"]["globalKey"], "l0");
    let cursor = first["data"]["annotationGroups"]["pageInfo"]["endCursor"].clone();
    assert_eq!(cursor, "2");
    let (_, last) = run_rows(&emu, &run, cursor, 2);
    assert_eq!(row_ids(&last), [ids[2].clone()]);
    assert!(last["data"]["annotationGroups"]["pageInfo"]["endCursor"].is_null());
    let (_, answer) = run_rows(&emu, &run, json!("x"), 2);
    assert_eq!(error_code(&answer), "MALFORMED_REQUEST", "{answer}");

    // Rows are taken out of the run; a row not in it refuses the request, nothing removed.
    let q = "mutation DeleteModelRunDataRowsPyApi($modelRunId: ID!, $dataRowIds: [ID!]!) {
            deleteModelRunDataRows(where: {modelRunId: $modelRunId, dataRowIds: $dataRowIds})}";
    let (_, answer) = gql(
        &emu,
        q,
        json!({"modelRunId": run, "dataRowIds": [ids[0], "not-in-run"]}),
    );
    assert_eq!(error_code(&answer), "RESOURCE_NOT_FOUND", "{answer}");
    assert_eq!(row_ids(&run_rows(&emu, &run, Value::Null, 100).1).len(), 3);
    data(&emu, q, json!({"modelRunId": run, "dataRowIds": [ids[0]]}));
    let left = row_ids(&run_rows(&emu, &run, Value::Null, 100).1);
    assert_eq!(left, [ids[1].clone(), ids[2].clone()]);
}

#[test]
fn bad_registrations_are_refused_and_start_nothing() {
    let emu = emulator(Duration::from_millis(100));
    let (project, schema, ids, _, run) = setup(&emu, 2);
    let refused = [
        (
            json!([ids[0], "no-such-row"]),
            Value::Null,
            "RESOURCE_NOT_FOUND",
        ),
        (Value::Null, json!(["no-such-key"]), "RESOURCE_NOT_FOUND"),
        (Value::Null, Value::Null, "MALFORMED_REQUEST"),
        (json!([]), Value::Null, "MALFORMED_REQUEST"),
        (json!([ids[0]]), json!(["l1"]), "MALFORMED_REQUEST"),
    ];
    for (row_ids_given, keys, code) in refused {
        let (_, answer) = register_rows(&emu, &run, row_ids_given, keys);
        assert_eq!(error_code(&answer), code, "{answer}");
        assert!(answer["data"].is_null(), "{answer}");
    }
    let (_, answer) = register_rows(&emu, "no-such-run", json!([ids[0]]), Value::Null);
    assert_eq!(error_code(&answer), "RESOURCE_NOT_FOUND", "{answer}");

    let labels = label_rows(&emu, &project, &schema, &ids[..1]);
    let (_, answer) = gql(
        &emu,
        LABEL_REGISTRATION,
        json!({"modelRunId": run, "labelIds": [labels[0], "no-such-label"]}),
    );
    assert_eq!(error_code(&answer), "RESOURCE_NOT_FOUND", "{answer}");
    let (_, answer) = gql(
        &emu,
        LABEL_REGISTRATION,
        json!({"modelRunId": "no-such-run", "labelIds": labels}),
    );
    assert_eq!(error_code(&answer), "RESOURCE_NOT_FOUND", "{answer}");

    // None of them started a task or registered a row.
    let q = "query { user { createdTasks(skip: 0, first: 100) { type } } }";
    let tasks = data(&emu, q, json!({}))["user"]["createdTasks"].clone();
    let registrations = tasks
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["type"] != "adv-upsert-data-rows")
        .count();
    assert_eq!(registrations, 0, "{tasks}");
    assert!(row_ids(&run_rows(&emu, &run, Value::Null, 100).1).is_empty());
}

#[test]
fn a_registration_cancelled_while_in_progress_registers_nothing() {
    let emu = emulator(Duration::from_secs(2));
    let (_, _, ids, _, run) = setup(&emu, 1);
    let task = started_task(
        &register_rows(&emu, &run, json!(ids), Value::Null),
        "createMEAModelRunDataRowRegistrationTask",
    );
    let cancelled = data(&emu, CANCEL, json!({"id": task}));
    assert_eq!(cancelled["cancelBulkOperationJob"]["success"], true);
    assert_eq!(wait(&emu, &task).as_deref(), Some("CANCELED"));
    assert_eq!(status(&emu, DATA_ROW_STATUS, &task)["status"], "CANCELED");
    std::thread::sleep(Duration::from_millis(2_500));
    assert!(row_ids(&run_rows(&emu, &run, Value::Null, 100).1).is_empty());
}

#[test]
fn a_run_deleted_before_its_registration_ends_fails_it() {
    let emu = emulator(Duration::from_millis(500));
    let (_, _, ids, _, run) = setup(&emu, 1);
    let task = started_task(
        &register_rows(&emu, &run, json!(ids), Value::Null),
        "createMEAModelRunDataRowRegistrationTask",
    );
    assert_eq!(delete(&emu, "run", &run).0, 200);
    assert_eq!(wait(&emu, &task).as_deref(), Some("FAILED"));
    let failed = status(&emu, DATA_ROW_STATUS, &task);
    assert_eq!(failed["status"], "FAILED");
    assert!(text(&failed["errorMessage"]).contains(&run), "{failed}");
}

#[test]
fn labels_are_registered_and_exported_under_experiments() {
    let emu = emulator(Duration::from_millis(100));
    let (project, schema, ids, model, run) = setup(&emu, 3);
    // Model-assisted labeling, as the official SDK's fixture turns it on.
    let q = "mutation toggle_model_assisted_labelingPyApi($project_id: ID!, $show: Boolean!) {
            project(where: {id: $project_id }) { showPredictionsToLabelers(show: $show) { id, showingPredictionsToLabelers } } }";
    let shown = data(&emu, q, json!({"project_id": project, "show": true}));
    assert_eq!(
        shown["project"]["showPredictionsToLabelers"]["showingPredictionsToLabelers"],
        true
    );

    let rows_task = started_task(
        &register_rows(&emu, &run, json!([ids[2]]), Value::Null),
        "createMEAModelRunDataRowRegistrationTask",
    );
    assert_eq!(wait(&emu, &rows_task).as_deref(), Some("COMPLETE"));
    let labels = label_rows(&emu, &project, &schema, &ids[..2]);
    assert_eq!(labels.len(), 2);
    let answer = gql(
        &emu,
        LABEL_REGISTRATION,
        json!({"modelRunId": run, "labelIds": labels}),
    );
    let task = started_task(&answer, "createMEAModelRunLabelRegistrationTask");
    assert_eq!(wait(&emu, &task).as_deref(), Some("COMPLETE"));
    assert_eq!(status(&emu, LABEL_STATUS, &task)["status"], "COMPLETE");

    // The labels' rows joined the run after the row registered first, each with its label.
    let (_, page) = run_rows(&emu, &run, Value::Null, 100);
    let nodes = page["data"]["annotationGroups"]["nodes"].clone();
    assert_eq!(row_ids(&page).len(), 3);
    assert_eq!(nodes[0]["dataRow"]["id"], ids[2].as_str());
    assert!(nodes[0]["labelId"].is_null());
    let labelled: Vec<String> = (1..3).map(|i| text(&nodes[i]["labelId"])).collect();
    let mut expected = labels.clone();
    expected.sort();
    let mut got = labelled.clone();
    got.sort();
    assert_eq!(got, expected);

    let params = json!({"mediaTypeOverride": null, "includeAttachments": false, "includeEmbeddings": false,
        "includeMetadata": false, "includeDataRowDetails": true, "includePredictions": true,
        "includeModelRunDetails": false});
    let input = |run: &str| {
        json!({"input": {"taskName": "mr", "filters": {"modelRunId": run},
        "isStreamableReady": true, "params": params, "streamable": true}})
    };
    let started = data(&emu, EXPORT, input(&run))["exportDataRowsInModelRun"].clone();
    assert_eq!(started["isStreamable"], true);
    let lines = export_result_lines(&emu, &text(&started["taskId"]));
    assert_eq!(lines.len(), 3);
    for line in &lines {
        assert!(line["media_attributes"].is_object(), "{line}");
        assert!(line.get("projects").is_none(), "{line}");
        assert_eq!(line["data_row"]["details"]["dataset_name"], "l");
        let experiment = &line["experiments"][model.as_str()];
        assert_eq!(experiment["name"], "m");
        let run_part = &experiment["runs"][run.as_str()];
        assert_eq!(run_part["name"], "r");
        assert_eq!(run_part["predictions"], json!([]));
        let row = text(&line["data_row"]["id"]);
        let exported: Vec<String> = run_part["labels"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| text(&l["id"]))
            .collect();
        let node = nodes
            .as_array()
            .into_iter()
            .flatten()
            .find(|n| n["dataRow"]["id"] == row.as_str())
            .cloned()
            .unwrap_or_default();
        assert_eq!(run_part["run_data_row_id"], node["id"]);
        match node["labelId"].as_str() {
            Some(label) => {
                assert_eq!(exported, [label.to_string()]);
                let objects = &run_part["labels"][0]["annotations"]["objects"];
                assert_eq!(objects[0]["schemaId"], schema.as_str(), "{line}");
            }
            None => assert!(exported.is_empty(), "{line}"),
        }
    }

    // An unknown run is refused; a bad media type override too.
    let (_, answer) = gql(&emu, EXPORT, input("no-such-run"));
    assert_eq!(error_code(&answer), "RESOURCE_NOT_FOUND", "{answer}");
    let mut bad = input(&run);
    bad["input"]["params"]["mediaTypeOverride"] = json!("NOPE");
    let (status, answer) = gql(&emu, EXPORT, bad);
    assert_eq!(status, 400, "{answer}");
}

#[test]
fn training_pipelines_and_data_splits() {
    let emu = emulator(Duration::from_millis(100));
    let (_, _, ids, _, run) = setup(&emu, 2);
    let pipeline = "query trainingPipelinePyApi($modelRunId: ID!) {
            trainingPipeline(where: {id : $modelRunId}) {status, errorMessage, metadata}}";
    let read =
        |run: &str| data(&emu, pipeline, json!({"modelRunId": run}))["trainingPipeline"].clone();
    assert_eq!(
        read(&run),
        json!({"status": null, "errorMessage": null, "metadata": null})
    );
    let update =
        "mutation setPipelineStatusPyApi($modelRunId: ID!, $data: UpdateTrainingPipelineInput!){
                updateTrainingPipeline(modelRun: {id : $modelRunId}, data: $data){status}}";
    let set = |data_in: Value| gql(&emu, update, json!({"modelRunId": run, "data": data_in}));
    set(json!({"status": "COMPLETE", "metadata": {"k1": "v1"}, "errorMessage": "an error"}));
    set(json!({"status": "COMPLETE", "metadata": {"k2": "v2"}}));
    assert_eq!(
        read(&run),
        json!({"status": "COMPLETE", "errorMessage": "an error", "metadata": {"k1": "v1", "k2": "v2"}})
    );
    let (_, answer) = set(json!({"status": "INVALID"}));
    assert_eq!(error_code(&answer), "MALFORMED_REQUEST", "{answer}");
    assert_eq!(read(&run)["status"], "COMPLETE");

    let task = started_task(
        &register_rows(&emu, &run, json!(ids), Value::Null),
        "createMEAModelRunDataRowRegistrationTask",
    );
    assert_eq!(wait(&emu, &task).as_deref(), Some("COMPLETE"));
    let assign = "mutation assignDataSplitPyApi($modelRunId: ID!, $data: CreateAssignDataRowsToDataSplitTaskInput!){
                  createAssignDataRowsToDataSplitTask(modelRun : {id: $modelRunId}, data: $data)}";
    let split_of = || -> Vec<String> {
        let (_, page) = run_rows(&emu, &run, Value::Null, 100);
        page["data"]["annotationGroups"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|n| text(&n["dataSplit"]))
            .collect()
    };
    let by_key =
        json!({"assignments": [{"split": "TEST", "dataRowIds": null, "globalKeys": ["l0", "l1"]}]});
    let answer = gql(&emu, assign, json!({"modelRunId": run, "data": by_key}));
    let task = started_task(&answer, "createAssignDataRowsToDataSplitTask");
    let status_q = "query assignDataRowsToDataSplitTaskStatusPyApi($id: ID!){
            assignDataRowsToDataSplitTaskStatus(where: {id : $id}){status errorMessage}}";
    let done = data(&emu, status_q, json!({"id": task}));
    assert_eq!(
        done["assignDataRowsToDataSplitTaskStatus"]["status"],
        "COMPLETE"
    );
    assert_eq!(split_of(), ["TEST", "TEST"]);

    // An unknown split, or a row not in the run, changes nothing.
    let other = rows(&emu, "o", 1);
    for bad in [
        json!({"split": "NOPE", "dataRowIds": [ids[0]], "globalKeys": null}),
        json!({"split": "TRAINING", "dataRowIds": [ids[0], other[0]], "globalKeys": null}),
    ] {
        let (_, answer) = gql(
            &emu,
            assign,
            json!({"modelRunId": run, "data": {"assignments": [bad]}}),
        );
        assert!(answer["errors"][0]["message"].is_string(), "{answer}");
    }
    assert_eq!(split_of(), ["TEST", "TEST"]);
}
