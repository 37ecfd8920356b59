//! Projects over HTTP (PROTOCOL 3.10): projects, ontologies, batches (sync and as tasks), task
//! queues, labeling priority, send to annotate, and the bad input each refuses whole.

mod common;
mod project_helpers;

use std::time::Duration;

use common::{data, error_code, get, gql, start, task, CANCEL};
use labelbox_emulator::Emulator;
use project_helpers::{
    batch, connect_box_ontology, create_project, rows, BATCH_V2, PROJECT_FIELDS,
};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(60);
const BATCHES: &str = "query GetProjectBatchesPyApi($from: String, $first: PageSize, $projectId: ID!) { project(where: {id: $projectId}) { id batches(after: $from, first: $first) { nodes { id name size } pageInfo { endCursor } } } }";
const QUEUES: &str = "query Q($projectId: ID!) { project(where: {id: $projectId}) { taskQueues { id name queueType dataRowCount } } }";
const PRIORITY: &str = "mutation P($priority: Int!, $projectId: ID!, $dataRowIdentifiers: QueuePriorityUpdateDataRowIdentifiersInput) { project(where: { id: $projectId }) { createQueuePriorityUpdateTask(data: { priority: $priority, dataRowIdentifiers: $dataRowIdentifiers }) { taskId } } }";
const OVERRIDES: &str = "query O($projectId: ID!) { project(where: {id: $projectId}) { labelingParameterOverrides(skip: 0 first: 100) { priority numberOfLabels dataRow { id } } } }";
const SEND: &str = "mutation SendToAnnotateFromCatalogPyApi($input: SendToAnnotateFromCatalogInput!) { sendToAnnotateFromCatalog(input: $input) { taskId } }";

fn emulator(min: Duration) -> Emulator {
    start(
        Emulator::builder()
            .import_rows_per_second(1_000_000)
            .min_task_duration(min),
    )
}

fn batch_error(emu: &Emulator, project: &str, input: Value) -> (u16, Value) {
    gql(
        emu,
        BATCH_V2,
        json!({"projectId": project, "batchInput": input}),
    )
}

fn batch_names(emu: &Emulator, project: &str) -> Vec<String> {
    let page = data(emu, BATCHES, json!({"projectId": project, "first": 100}));
    page["project"]["batches"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|b| b["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn projects_are_created_read_listed_updated_and_deleted() {
    let emu = emulator(Duration::ZERO);
    let id = create_project(&emu, "first");
    let get = format!(
        "query GetProjectPyApi($id: ID!){{project(where: {{id: $id}}){{{PROJECT_FIELDS}}}}}"
    );
    let got = data(&emu, &get, json!({"id": id}))["project"].clone();
    assert_eq!(got["name"], "first");
    assert_eq!(got["description"], "");
    assert_eq!(got["setupComplete"], Value::Null);
    let update = "mutation updateProjectPyApi($name: String!, $allowedMediaType: MediaType!, $ProjectId: ID!){updateProject(where: {id: $ProjectId} data: {name: $name allowedMediaType: $allowedMediaType}) {name allowedMediaType}}";
    let updated = data(
        &emu,
        update,
        json!({"name": "renamed", "allowedMediaType": "TEXT", "ProjectId": id}),
    );
    assert_eq!(
        updated["updateProject"],
        json!({"name": "renamed", "allowedMediaType": "TEXT"})
    );
    let list = "query GetProjectsPyApi($name: String!, $deleted: Boolean!){projects(where: {AND: [{name: $name}, {deleted: $deleted}]} skip: 0 first: 100){id}}";
    assert_eq!(
        data(&emu, list, json!({"name": "renamed", "deleted": false}))["projects"][0]["id"],
        id
    );
    data(&emu, "mutation deleteProjectPyApi($ProjectId: ID!){updateProject(where: {id: $ProjectId} data: {deleted: true}) {id}}", json!({"ProjectId": id}));
    assert_eq!(
        data(&emu, list, json!({"name": "renamed", "deleted": false}))["projects"],
        json!([])
    );
    let (_, body) = gql(&emu, &get, json!({"id": id}));
    assert_eq!(error_code(&body), "RESOURCE_NOT_FOUND");
}

#[test]
fn a_project_needs_a_known_media_type() {
    let emu = emulator(Duration::ZERO);
    let query = "mutation C($name: String!, $m: MediaType!){createProject(data: {name: $name allowedMediaType: $m}) {id}}";
    let (status, body) = gql(&emu, query, json!({"name": "p", "m": "HOLOGRAM"}));
    assert_eq!(
        (status, error_code(&body)),
        (400, "GRAPHQL_VALIDATION_FAILED")
    );
    let (_, body) = gql(
        &emu,
        "mutation C($name: String!){createProject(data: {name: $name}) {id}}",
        json!({"name": "p"}),
    );
    assert_eq!(error_code(&body), "MALFORMED_REQUEST");
    assert_eq!(
        data(
            &emu,
            "query { projects(skip: 0 first: 10) { id } }",
            json!({})
        )["projects"],
        json!([])
    );
}

#[test]
fn an_ontology_of_another_media_type_is_not_connected() {
    let emu = emulator(Duration::ZERO);
    let project = create_project(&emu, "p");
    let ontology = data(
        &emu,
        "mutation U($data: UpsertOntologyInput!){ upsertOntology(data: $data){ id } }",
        json!({"data": {"name": "o", "normalized": "{\"tools\": [], \"classifications\": []}", "mediaType": "VIDEO"}}),
    )["upsertOntology"]["id"]
        .clone();
    let connect = "mutation C($projectId: ID!, $ontologyId: ID!){ project(where: {id: $projectId}) {connectOntology(ontologyId: $ontologyId) {id}}}";
    let (_, body) = gql(
        &emu,
        connect,
        json!({"projectId": project, "ontologyId": ontology}),
    );
    assert_eq!(error_code(&body), "MALFORMED_REQUEST");
    let read = data(
        &emu,
        "query O($id: ID!){project(where: {id: $id}){ontology{id} setupComplete}}",
        json!({"id": project}),
    );
    assert_eq!(
        read["project"],
        json!({"ontology": null, "setupComplete": null})
    );
}

#[test]
fn batches_take_known_rows_once_and_list_them() {
    let emu = emulator(Duration::ZERO);
    let project = create_project(&emu, "p");
    let ids = rows(&emu, "b", 3);
    let input = json!({"name": "first", "dataRowIds": [ids[0], ids[1], "nope"], "priority": 3,
                       "consensusSettings": {"numberOfLabels": 3, "coveragePercentage": 0.1}});
    let created = data(
        &emu,
        BATCH_V2,
        json!({"projectId": project, "batchInput": input}),
    )["project"]["createBatchV2"]
        .clone();
    assert_eq!(created["batch"]["size"], 2);
    assert_eq!(created["failedDataRowIds"], json!(["nope"]));
    assert_eq!(
        created["batch"]["consensusSettingsJson"],
        json!({"number_of_labels": 3, "coverage_percentage": 0.1})
    );
    let second = batch(&emu, &project, "second", &[ids[1].clone(), ids[2].clone()]);
    assert_eq!(
        second["batch"]["size"], 1,
        "a row already in the project is not added again"
    );
    assert_eq!(batch_names(&emu, &project), ["first", "second"]);
    let page = data(&emu, BATCHES, json!({"projectId": project, "first": 1}));
    assert_eq!(page["project"]["batches"]["pageInfo"]["endCursor"], "1");
    let queues = data(&emu, QUEUES, json!({"projectId": project}))["project"]["taskQueues"].clone();
    let types: Vec<&str> = queues
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|q| q["queueType"].as_str())
        .collect();
    assert_eq!(
        types,
        [
            "INITIAL_LABELING_QUEUE",
            "MANUAL_REVIEW_QUEUE",
            "MANUAL_REWORK_QUEUE"
        ]
    );
    assert_eq!(queues[0]["dataRowCount"], 3);
}

#[test]
fn bad_batches_are_refused_whole() {
    let emu = emulator(Duration::ZERO);
    let project = create_project(&emu, "p");
    let ids = rows(&emu, "bad", 2);
    batch(&emu, &project, "taken", &ids[..1]);
    let cases = [
        (
            json!({"name": "x", "dataRowIds": ["a", "b"], "priority": 5}),
            "MALFORMED_REQUEST",
            "No valid data rows to be added from the list provided!",
        ),
        (
            json!({"name": "x", "dataRowIds": [ids[0]], "priority": 5}),
            "MALFORMED_REQUEST",
            "No valid data rows to add to project",
        ),
        (
            json!({"name": "x", "globalKeys": ["bad1", "missing"], "priority": 5}),
            "MALFORMED_REQUEST",
            "Data rows with the following global keys do not exist: missing.",
        ),
        (
            json!({"name": "x", "dataRowIds": [ids[1]], "priority": 6}),
            "MALFORMED_REQUEST",
            "Priority must be between 1 and 5, got 6",
        ),
        (
            json!({"name": "taken", "dataRowIds": [ids[1]], "priority": 5}),
            "RESOURCE_CONFLICT",
            "Batch with name \"taken\" already exists in this project",
        ),
    ];
    for (input, code, message) in cases {
        let (_, body) = batch_error(&emu, &project, input);
        assert_eq!(
            (error_code(&body), body["errors"][0]["message"].as_str()),
            (code, Some(message)),
            "{body}"
        );
    }
    let (status, body) = batch_error(
        &emu,
        &project,
        json!({"name": "x", "dataRowIds": [ids[1]], "priority": null}),
    );
    assert_eq!(
        (status, error_code(&body)),
        (400, "GRAPHQL_VALIDATION_FAILED")
    );
    assert_eq!(
        batch_names(&emu, &project),
        ["taken"],
        "nothing half-written"
    );
    let count = data(
        &emu,
        "query C($id: ID!){project(where: {id: $id}){dataRowCount}}",
        json!({"id": project}),
    );
    assert_eq!(count["project"]["dataRowCount"], 1);
}

#[test]
fn the_async_batch_path_is_a_task() {
    let emu = emulator(Duration::ZERO);
    let project = create_project(&emu, "p");
    let ids = rows(&emu, "a", 2);
    let empty = data(&emu, "mutation E($projectId: ID!, $input: CreateEmptyBatchInput!) { project(where: {id: $projectId}) { createEmptyBatch(input: $input) { id } } }",
        json!({"projectId": project, "input": {"name": "big", "consensusSettings": null}}))["project"]["createEmptyBatch"]["id"].clone();
    let add = "mutation A($projectId: ID!, $input: AddDataRowsToBatchInput!) { project(where: {id: $projectId}) { addDataRowsToBatchAsync(input: $input) { taskId } } }";
    let task_id = data(&emu, add, json!({"projectId": project, "input": {"batchId": empty, "dataRowIds": ids, "priority": 3}}))["project"]["addDataRowsToBatchAsync"]["taskId"].clone();
    let t = task(&emu, task_id.as_str().unwrap_or_default());
    assert_eq!(
        (t["status"].as_str(), t["type"].as_str()),
        (Some("COMPLETE"), Some("add-data-rows-to-batch"))
    );
    let failed = data(&emu, add, json!({"projectId": project, "input": {"batchId": empty, "dataRowIds": ["zz"], "priority": 3}}))["project"]["addDataRowsToBatchAsync"]["taskId"].clone();
    assert_eq!(
        task(&emu, failed.as_str().unwrap_or_default())["status"],
        "FAILED"
    );
    let page = data(&emu, BATCHES, json!({"projectId": project}));
    assert_eq!(page["project"]["batches"]["nodes"][0]["size"], 2);
}

#[test]
fn queue_priority_updates_are_cancelable_tasks_applied_whole() {
    let emu = emulator(Duration::from_millis(400));
    let project = create_project(&emu, "p");
    let ids = rows(&emu, "q", 2);
    batch(&emu, &project, "b", &ids);
    let vars = |priority: i64| json!({"priority": priority, "projectId": project, "dataRowIdentifiers": {"ids": ids, "idType": "ID"}});
    let (_, body) = gql(&emu, PRIORITY, vars(0));
    assert_eq!(error_code(&body), "MALFORMED_REQUEST");
    let (_, body) = gql(
        &emu,
        PRIORITY,
        json!({"priority": 2, "projectId": project, "dataRowIdentifiers": {"ids": ["nope"], "idType": "ID"}}),
    );
    assert_eq!(error_code(&body), "MALFORMED_REQUEST");
    let id = data(&emu, PRIORITY, vars(2))["project"]["createQueuePriorityUpdateTask"]["taskId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(task(&emu, &id)["type"], "bulk-update-queue-priority");
    assert_eq!(
        data(&emu, CANCEL, json!({"id": id}))["cancelBulkOperationJob"]["success"],
        true
    );
    assert_eq!(emu.wait_for_task(&id, WAIT).as_deref(), Some("CANCELED"));
    let priorities = |emu: &Emulator| -> Vec<i64> {
        let o = data(emu, OVERRIDES, json!({"projectId": project}));
        o["project"]["labelingParameterOverrides"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x["priority"].as_i64())
            .collect()
    };
    assert_eq!(
        priorities(&emu),
        [5, 5],
        "a cancelled update changes nothing"
    );
    let id = data(&emu, PRIORITY, vars(2))["project"]["createQueuePriorityUpdateTask"]["taskId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(task(&emu, &id)["status"], "IN_PROGRESS");
    assert_eq!(emu.wait_for_task(&id, WAIT).as_deref(), Some("COMPLETE"));
    assert_eq!(priorities(&emu), [2, 2]);
    let set = format!("mutation S($projectId: ID!) {{project(where: {{ id: $projectId }}) {{setLabelingParameterOverrides(dataWithDataRowIdentifiers: [{{dataRowIdentifier: {{id: \"{}\", idType: ID}}, priority: 4}}]) {{success}}}}}}", ids[0]);
    assert_eq!(
        data(&emu, &set, json!({"projectId": project}))["project"]["setLabelingParameterOverrides"]
            ["success"],
        true
    );
    assert_eq!(priorities(&emu), [4, 2]);
}

#[test]
fn send_to_annotate_creates_the_batch_in_the_queue_when_it_completes() {
    let emu = emulator(Duration::from_millis(300));
    let project = create_project(&emu, "dest");
    let ids = rows(&emu, "s", 2);
    let queues = data(&emu, QUEUES, json!({"projectId": project}))["project"]["taskQueues"].clone();
    let review = queues[1]["id"].clone();
    let input = |queue: Value, name: &str| {
        json!({"input": {"destinationProjectId": project,
        "batchInput": {"batchName": name, "batchPriority": 5},
        "destinationTaskQueue": {"type": "id", "value": queue}, "excludeDataRowsInProject": false,
        "annotationsInput": null, "predictionsInput": null, "conflictLabelsResolutionStrategy": "KEEP_EXISTING",
        "searchQuery": {"scope": null, "query": [{"type": "data_row_id", "operator": "is", "ids": ids}]},
        "ordering": {"type": "RANDOM", "random": {"seed": 1}, "sorting": null}, "sorting": null, "limit": null}})
    };
    let (_, body) = gql(&emu, SEND, input(json!("no-such-queue"), "x"));
    assert_eq!(error_code(&body), "RESOURCE_NOT_FOUND");
    let cancelled = data(&emu, SEND, input(review.clone(), "cancelled"))
        ["sendToAnnotateFromCatalog"]["taskId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(task(&emu, &cancelled)["type"], "send-to-annotate");
    assert_eq!(
        data(&emu, CANCEL, json!({"id": cancelled}))["cancelBulkOperationJob"]["success"],
        true
    );
    assert_eq!(
        emu.wait_for_task(&cancelled, WAIT).as_deref(),
        Some("CANCELED")
    );
    assert!(
        batch_names(&emu, &project).is_empty(),
        "a cancelled send writes nothing"
    );
    let sent = data(&emu, SEND, input(review, "sent"))["sendToAnnotateFromCatalog"]["taskId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(emu.wait_for_task(&sent, WAIT).as_deref(), Some("COMPLETE"));
    assert_eq!(batch_names(&emu, &project), ["sent"]);
    let queues = data(&emu, QUEUES, json!({"projectId": project}))["project"]["taskQueues"].clone();
    assert_eq!(queues[1]["dataRowCount"], 2);
}

#[test]
fn unused_ontologies_are_deleted_over_rest() {
    let emu = emulator(Duration::ZERO);
    let project = create_project(&emu, "p");
    connect_box_ontology(&emu, &project);
    let ontology = data(
        &emu,
        "query O($id: ID!){project(where: {id: $id}){ontology{id}}}",
        json!({"id": project}),
    )["project"]["ontology"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let base = emu.url().trim_end_matches("/graphql").to_string();
    let delete = |path: &str| {
        let response = common::agent()
            .delete(&format!("{base}/api/v1/ontologies/{path}"))
            .header("Authorization", format!("Bearer {}", emu.api_key()))
            .call();
        response.map(|r| r.status().as_u16()).unwrap_or(0)
    };
    assert_eq!(delete(&ontology), 409, "in use by the project");
    data(
        &emu,
        "mutation D($id: ID!){updateProject(where: {id: $id} data: {deleted: true}) {id}}",
        json!({"id": project}),
    );
    assert_eq!(delete(&ontology), 204);
    assert_eq!(delete(&ontology), 404);
    assert_eq!(
        get(&format!("{base}/api/v1/ontologies/{ontology}")).0,
        404,
        "only DELETE is served"
    );
}

#[test]
fn resource_tags_are_created_set_on_projects_and_deleted() {
    let emu = emulator(Duration::ZERO);
    let project = create_project(&emu, "p");
    let create = "mutation CreateResourceTagPyApi($text:String!,$color:String!) { createResourceTag(input:{text:$text,color:$color}) {color text id}}";
    let tag =
        data(&emu, create, json!({"text": "t", "color": "#ffffff"}))["createResourceTag"].clone();
    assert_eq!(
        (tag["text"].as_str(), tag["color"].as_str()),
        (Some("t"), Some("ffffff"))
    );
    let (_, body) = gql(&emu, create, json!({"text": " ", "color": "#000000"}));
    assert_eq!(error_code(&body), "MALFORMED_REQUEST");
    let set = "mutation U($projectId:ID!,$resourceTagIds:[String!]) { project(where:{id:$projectId}){updateProjectResourceTags(input:{resourceTagIds:$resourceTagIds}){id}}}";
    let (_, body) = gql(
        &emu,
        set,
        json!({"projectId": project, "resourceTagIds": [tag["id"], "nope"]}),
    );
    assert_eq!(error_code(&body), "RESOURCE_NOT_FOUND");
    let read =
        "query G($projectId: ID!) { project(where: {id: $projectId}) { resourceTags { id } } }";
    assert_eq!(
        data(&emu, read, json!({"projectId": project}))["project"]["resourceTags"],
        json!([]),
        "nothing half-written"
    );
    data(
        &emu,
        set,
        json!({"projectId": project, "resourceTagIds": [tag["id"]]}),
    );
    assert_eq!(
        data(&emu, read, json!({"projectId": project}))["project"]["resourceTags"],
        json!([{"id": tag["id"]}])
    );
    assert_eq!(
        data(
            &emu,
            "query { organization { resourceTag { id } } }",
            json!({})
        )["organization"]["resourceTag"],
        json!([{"id": tag["id"]}])
    );
    data(
        &emu,
        "mutation D($id: String!) { deleteResourceTag(input: {id: $id}) { id } }",
        json!({"id": tag["id"]}),
    );
    assert_eq!(
        data(&emu, read, json!({"projectId": project}))["project"]["resourceTags"],
        json!([])
    );
}

#[test]
fn rows_move_between_queues_only_all_together() {
    let emu = emulator(Duration::ZERO);
    let project = create_project(&emu, "p");
    let ids = rows(&emu, "m", 2);
    batch(&emu, &project, "b", &ids);
    let queues = data(&emu, QUEUES, json!({"projectId": project}))["project"]["taskQueues"].clone();
    let review = queues[1]["id"].clone();
    let query = "mutation AddDataRowsToTaskQueueAsyncPyApi($projectId: ID!, $queueId: ID, $dataRowIdentifiers: AddRowsToTaskQueueViaDataRowIdentifiersInput!) { project(where: { id: $projectId }) { createBulkAddRowsToQueueTask(data: { queueId: $queueId, dataRowIdentifiers: $dataRowIdentifiers }) { taskId } } }";
    let move_rows = |ids: Value, id_type: &str| {
        let vars = json!({"projectId": project, "queueId": review, "dataRowIdentifiers": {"ids": ids, "idType": id_type}});
        let id = data(&emu, query, vars)["project"]["createBulkAddRowsToQueueTask"]["taskId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        task(&emu, &id)["status"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(move_rows(json!([ids[0], "nope"]), "ID"), "FAILED");
    let counts = |emu: &Emulator| -> Vec<i64> {
        let q = data(emu, QUEUES, json!({"projectId": project}))["project"]["taskQueues"].clone();
        q.as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x["dataRowCount"].as_i64())
            .collect()
    };
    assert_eq!(counts(&emu), [2, 0, 0], "nothing moved");
    assert_eq!(move_rows(json!(["m1"]), "GKEY"), "COMPLETE");
    assert_eq!(counts(&emu), [1, 1, 0]);
}

#[test]
fn reservations_are_extended_by_queue_type() {
    let emu = emulator(Duration::ZERO);
    let project = create_project(&emu, "p");
    let extend = |queue: &str| {
        let query = format!("mutation ExtendReservationsPyApi($projectId: ID!){{ extendReservations(projectId:$projectId queueType:{queue}) }}");
        gql(&emu, &query, json!({"projectId": project}))
    };
    assert_eq!(extend("LabelingQueue").1["data"]["extendReservations"], 0);
    assert_eq!(extend("ReviewQueue").1["data"]["extendReservations"], 0);
    let (status, body) = extend("InvalidQueueType");
    assert_eq!(
        (status, error_code(&body)),
        (400, "GRAPHQL_VALIDATION_FAILED")
    );
}
