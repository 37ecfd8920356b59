//! The GraphQL API over HTTP: auth, documents, datasets, uploads, tasks and listings.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{data, error_code, get, gql, post_raw, start, upload, upload_url, CANCEL};
use labelbox_emulator::{Emulator, TaskSeed, DEFAULT_CANCELABLE_TASK_TYPES};
use serde_json::{json, Value};

fn emulator() -> Emulator {
    start(Emulator::builder().api_key("test-key"))
}

#[test]
fn a_request_without_a_valid_key_is_an_authentication_error() {
    let emu = emulator();
    let query = json!({"query": "{ user { id } }"});
    for key in [None, Some("wrong-key")] {
        let (status, _, text) = post_raw(&emu.url(), key, &query);
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert_eq!(status, 401);
        assert_eq!(error_code(&body), "AUTHENTICATION_ERROR");
        assert!(!text.contains("test-key"));
    }
}

#[test]
fn the_library_default_key_is_random() {
    let a = Emulator::start().unwrap_or_else(|e| panic!("{e}"));
    let b = Emulator::start().unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(a.api_key(), b.api_key());
    assert!(!format!("{a:?}").contains(a.api_key()));
}

#[test]
fn documents_are_parsed_as_graphql_not_text() {
    let emu = emulator();
    // Optional commas, a duplicated field, aliases, a fragment and an operation name.
    let query =
        "query Me { me: user { id id email } again: user { ...U } } fragment U on User { name }";
    let data = data(&emu, query, json!(null));
    assert_eq!(data["me"]["id"], emu.user_id());
    assert_eq!(data["again"]["name"], "Emulator User");

    let (status, body) = gql(&emu, "query { user { id ", json!({}));
    assert_eq!(status, 400);
    assert_eq!(error_code(&body), "GRAPHQL_PARSE_FAILED");

    let (status, body) = gql(&emu, "query { user { shoeSize } }", json!({}));
    assert_eq!(status, 400);
    assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED");

    let (status, body) = gql(
        &emu,
        "query Q($id: ID!) { dataset(where: {id: $id}) { id } }",
        json!({}),
    );
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED");
}

#[test]
fn datasets_are_created_and_read_and_missing_ones_are_not_found() {
    let emu = emulator();
    let created = data(
        &emu,
        "mutation CreateDatasetPyApi($name: String!){createDataset(data: {name: $name}) {createdAt description name rowCount id updatedAt}}",
        json!({"name": "cats"}),
    );
    let id = created["createDataset"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(created["createDataset"]["rowCount"], 0);
    let read = data(
        &emu,
        "query GetDatasetPyApi($param_0: ID!){dataset(where: {id: $param_0}){name rowCount id}}",
        json!({"param_0": id}),
    );
    assert_eq!(read["dataset"]["name"], "cats");

    let (status, body) = gql(
        &emu,
        "query($id: ID!){dataset(where: {id: $id}){id}}",
        json!({"id": "nope"}),
    );
    assert_eq!(status, 200);
    assert_eq!(body["data"]["dataset"], Value::Null);
    assert_eq!(error_code(&body), "RESOURCE_NOT_FOUND");
}

#[test]
fn uploaded_files_are_served_back_without_auth() {
    let emu = emulator();
    let url = upload_url(&emu, b"[1,2,3]");
    assert!(url.starts_with(&emu.file_url_prefix()), "{url}");
    assert_eq!(get(&url), (200, b"[1,2,3]".to_vec()));
    let seeded = emu.put_file(b"{\"a\":1}".to_vec(), "application/json");
    assert_eq!(get(&seeded), (200, b"{\"a\":1}".to_vec()));
    assert_eq!(get(&format!("{}missing", emu.file_url_prefix())).0, 404);
    // An upload needs the key like any other request.
    let other = start(Emulator::builder().api_key("other"));
    let (status, _) = upload(&other, b"x");
    assert_eq!(status, 200);
}

const LIST: &str = "query L($where: TaskWhereInput, $skip: Int, $first: Int) { organization { tasks(where: $where, skip: $skip, first: $first) { id name status type createdAt } } }";

fn ids(data: &Value) -> Vec<String> {
    data["organization"]["tasks"]
        .as_array()
        .map(|tasks| {
            tasks
                .iter()
                .filter_map(|t| t["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn task_listings_filter_and_page_by_offset() {
    let emu = emulator();
    let t0 = UNIX_EPOCH + Duration::from_secs(1_790_000_000);
    let seed = |i: u64, status: &str, task_type: &str| {
        emu.insert_task(TaskSeed {
            name: format!("task {i}"),
            status: status.into(),
            task_type: task_type.into(),
            created_at: Some(t0 + Duration::from_secs(i)),
            ..TaskSeed::default()
        })
    };
    let a = seed(1, "COMPLETE", "send-to-annotate");
    let b = seed(2, "FAILED", "add-data-rows-to-batch");
    let c = seed(3, "COMPLETE", "adv-upsert-data-rows");
    let export = seed(4, "COMPLETE", "export-data-rows");

    let all = data(&emu, LIST, json!({}));
    assert_eq!(
        ids(&all),
        vec![c.clone(), b.clone(), a.clone()],
        "newest first, no exports"
    );
    assert_eq!(
        all["organization"]["tasks"][2]["createdAt"],
        "2026-09-21T14:13:21.000Z"
    );

    let complete = data(&emu, LIST, json!({"where": {"status": "COMPLETE"}}));
    assert_eq!(ids(&complete), vec![c.clone(), a.clone()]);
    let page = data(&emu, LIST, json!({"skip": 1, "first": 1}));
    assert_eq!(ids(&page), vec![b.clone()]);
    // The status enum variable of the official SDK, and an unknown status value refused.
    let enum_query = "query GetOrganizationTasksPyApi($param_0: TaskStatus!){organization{tasks(where: {status: $param_0} skip: 0 first: 100){id status status}}}";
    let failed = data(&emu, enum_query, json!({"param_0": "FAILED"}));
    assert_eq!(ids(&failed), vec![b]);
    let (status, _) = gql(&emu, enum_query, json!({"param_0": "DONE"}));
    assert_eq!(status, 400);

    // A finished export is not listed by the organization, not even by id (the seed page), but
    // the user's created tasks find it (PROTOCOL 3.2), by id and by status (`test_task_filter`).
    let by_id = data(&emu, LIST, json!({"where": {"id": export}}));
    assert!(ids(&by_id).is_empty());
    let created = |filter: Value| {
        let query = "query($u: ID!, $w: TaskWhereInput) { user(where: {id: $u}) { createdTasks(where: $w) { id } } }";
        let found = data(&emu, query, json!({"u": emu.user_id(), "w": filter}));
        found["user"]["createdTasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(created(json!({"id": export})), vec![export.clone()]);
    assert_eq!(
        created(json!({"status": "COMPLETE"})),
        [export.clone(), c, a]
    );

    // A running export is listed by the organization (Labelbox's `test_task_filter` finds one
    // through `organization.tasks(where: status == In_Progress)`), until it ends.
    let running = seed(5, "IN_PROGRESS", "export-data-rows");
    let in_progress = data(&emu, LIST, json!({"where": {"status": "IN_PROGRESS"}}));
    assert_eq!(ids(&in_progress), vec![running.clone()]);
    assert!(emu.set_task_status(&running, "COMPLETE"));
    let all = data(&emu, LIST, json!({}));
    assert!(!ids(&all).contains(&running));
}

#[test]
fn task_filters_without_evidence_are_validation_errors() {
    let emu = emulator();
    let t = "2026-09-21T14:13:21.000Z";
    let unverified = [
        json!({"type": "adv-upsert-data-rows"}),
        json!({"type_not": "adv-upsert-data-rows"}),
        json!({"createdAt_gte": t}),
        json!({"createdAt_lt": t}),
        json!({"updatedAt_gt": t}),
        json!({"status_in": ["FAILED"]}),
        json!({"AND": [{"status": "FAILED"}]}),
    ];
    for filter in unverified {
        let (status, body) = gql(&emu, LIST, json!({"where": filter}));
        assert_eq!(status, 400, "{filter}: {body}");
        assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED", "{filter}");
    }
    // The same conditions written in the document, as the Rust SDK used to send them.
    for document in [
        "query($t: String!) { organization { tasks(where: {type: $t}) { id } } }",
        "query($t: DateTime!) { organization { tasks(where: {createdAt_gte: $t}) { id } } }",
        "query($s: TaskStatus!) { organization { tasks(where: {AND: [{status: $s}]}) { id } } }",
    ] {
        let (status, body) = gql(&emu, document, json!({"t": t, "s": "FAILED"}));
        assert_eq!(status, 400, "{document}: {body}");
        assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED", "{document}");
    }
    // A String variable in the enum position, as in any spec-following GraphQL server.
    let as_string = "query($s: String!) { organization { tasks(where: {status: $s}) { id } } }";
    let (status, body) = gql(&emu, as_string, json!({"s": "FAILED"}));
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("String!"), "{message}");
    // The same rule inside fragments and directive arguments; the right types pass.
    for (document, ok) in [
        ("query($s: String!) { organization { ...T } } fragment T on Organization { tasks(where: {status: $s}) { id } }", false),
        ("query($s: TaskStatus!) { organization { ... on Organization { tasks(where: {status: $s}) { id } } } }", true),
        ("query($b: String!) { user @include(if: $b) { id } }", false),
        ("query($b: Boolean!) { user @include(if: $b) { id } }", true),
    ] {
        let (status, body) = gql(&emu, document, json!({"s": "FAILED", "b": true}));
        assert_eq!(status == 200, ok, "{document}: {body}");
    }
}

#[test]
fn the_cancelling_filter_reads_both_spellings() {
    let emu = emulator();
    let seed = |status: &str| {
        emu.insert_task(TaskSeed {
            status: status.into(),
            task_type: "send-to-annotate".into(),
            ..TaskSeed::default()
        })
    };
    let two_ls = seed("CANCELLING");
    let one_l = seed("CANCELING");
    let _other = seed("CANCELED");
    let enum_query = "query GetOrganizationTasksPyApi($param_0: TaskStatus!){organization{tasks(where: {status: $param_0} skip: 0 first: 100){id}}}";
    let mut listed = ids(&data(&emu, enum_query, json!({"param_0": "CANCELLING"})));
    listed.sort();
    let mut want = vec![two_ls, one_l];
    want.sort();
    assert_eq!(listed, want);
}

#[test]
fn seeded_tasks_are_found_by_id_and_change_status_on_demand() {
    let emu = emulator();
    let id = emu.insert_task(TaskSeed {
        name: "batch".into(),
        status: "IN_PROGRESS".into(),
        result: Some(r#"{"error":"x"}"#.into()),
        metadata: Some(json!({"k": 1})),
        ..TaskSeed::default()
    });
    let query = "query GetUserCreatedTasksPyApi($userId: ID!, $taskId: ID!) { user(where: {id: $userId}) { createdTasks(where: {id: $taskId} skip: 0 first: 1) { completionPercentage createdAt errors metadata name result status type id updatedAt } } }";
    let vars = json!({"userId": emu.user_id(), "taskId": id});
    let task = data(&emu, query, vars.clone())["user"]["createdTasks"][0].clone();
    assert_eq!(task["status"], "IN_PROGRESS");
    assert_eq!(task["result"], r#"{"error":"x"}"#);
    assert_eq!(task["metadata"], json!({"k": 1}));
    assert!(emu.set_task_status(&id, "FAILED"));
    assert!(emu.set_task_completion(&id, Some(0.5)));
    let task = data(&emu, query, vars)["user"]["createdTasks"][0].clone();
    assert_eq!(task["status"], "FAILED");
    assert_eq!(task["completionPercentage"], 0.5);
    assert!(task["updatedAt"].as_str() >= task["createdAt"].as_str());
    assert!(!emu.set_task_status("missing", "FAILED"));

    let none = data(
        &emu,
        query,
        json!({"userId": emu.user_id(), "taskId": "missing"}),
    );
    assert_eq!(none["user"]["createdTasks"], json!([]));
}

/// A seeded export task (a cancelable type by default) in `status`.
fn export_seed(status: &str) -> TaskSeed {
    TaskSeed {
        task_type: "export-data-rows".into(),
        status: status.into(),
        ..TaskSeed::default()
    }
}

#[test]
fn the_cancelable_types_are_configurable() {
    let emu = start(Emulator::builder().cancelable_task_types(["AddDataRowsToBatch"]));
    let types = data(&emu, "query { cancelableTaskTypes }", json!({}));
    assert_eq!(types["cancelableTaskTypes"], json!(["AddDataRowsToBatch"]));
    let batch = emu.insert_task(TaskSeed::default());
    let export = emu.insert_task(export_seed("IN_PROGRESS"));
    let ok = data(&emu, CANCEL, json!({"id": batch}));
    assert_eq!(ok["cancelBulkOperationJob"]["success"], true);
    let refused = data(&emu, CANCEL, json!({"id": export}));
    assert_eq!(refused["cancelBulkOperationJob"]["success"], false);
}

#[test]
fn cancelling_a_seeded_task_passes_through_cancelling_and_the_cancelable_types() {
    // Long enough that the poll right after the cancel cannot miss CANCELLING.
    let emu = start(
        Emulator::builder()
            .api_key("test-key")
            .cancel_duration(Duration::from_secs(2)),
    );
    let types = data(&emu, "query { cancelableTaskTypes }", json!({}));
    assert_eq!(
        types["cancelableTaskTypes"],
        json!(DEFAULT_CANCELABLE_TASK_TYPES),
        "the seed page's kinds, imports not among them"
    );
    let running = emu.insert_task(export_seed("IN_PROGRESS"));
    let done = emu.insert_task(export_seed("COMPLETE"));
    // A running task of a type that is not listed is left alone.
    let batch = emu.insert_task(TaskSeed::default());
    let not_listed = data(&emu, CANCEL, json!({"id": batch}));
    assert_eq!(not_listed["cancelBulkOperationJob"]["success"], false);
    assert_eq!(emu.task_status(&batch).as_deref(), Some("IN_PROGRESS"));
    let ok = data(&emu, CANCEL, json!({"id": running}));
    assert_eq!(ok["cancelBulkOperationJob"]["success"], true);
    let polled = data(
        &emu,
        "query($u: ID!, $t: ID!) { user(where: {id: $u}) { createdTasks(where: {id: $t}) { status } } }",
        json!({"u": emu.user_id(), "t": running}),
    );
    assert_eq!(
        polled["user"]["createdTasks"][0]["status"], "CANCELLING",
        "{polled}"
    );
    // CANCELLING is not IN_PROGRESS: a second cancel is refused.
    let twice = data(&emu, CANCEL, json!({"id": running}));
    assert_eq!(twice["cancelBulkOperationJob"]["success"], false);
    assert_eq!(
        emu.wait_for_task(&running, Duration::from_secs(60))
            .as_deref(),
        Some("CANCELED")
    );
    let refused = data(&emu, CANCEL, json!({"id": done}));
    assert_eq!(refused["cancelBulkOperationJob"]["success"], false);
    assert_eq!(emu.task_status(&done).as_deref(), Some("COMPLETE"));
    let (_, missing) = gql(&emu, CANCEL, json!({"id": "nope"}));
    assert_eq!(error_code(&missing), "RESOURCE_NOT_FOUND");
}

#[test]
fn a_status_set_during_cancelling_is_kept_and_dropping_never_waits_out_a_cancel() {
    let emu = start(Emulator::builder().cancel_duration(Duration::from_millis(200)));
    let id = emu.insert_task(export_seed("IN_PROGRESS"));
    assert_eq!(
        data(&emu, CANCEL, json!({"id": id}))["cancelBulkOperationJob"]["success"],
        true
    );
    // A test that decides the outcome itself wins over the pending cancel.
    assert!(emu.set_task_status(&id, "FAILED"));
    assert_eq!(
        emu.wait_for_task(&id, Duration::from_secs(60)).as_deref(),
        Some("FAILED")
    );
    let hour = start(Emulator::builder().cancel_duration(Duration::from_secs(3_600)));
    let pending = hour.insert_task(export_seed("IN_PROGRESS"));
    assert_eq!(
        data(&hour, CANCEL, json!({"id": pending}))["cancelBulkOperationJob"]["success"],
        true
    );
    assert_eq!(hour.task_status(&pending).as_deref(), Some("CANCELLING"));
    // Would hang for an hour if shutting down joined the cancel thread without waking it.
    drop(hour);
}

#[test]
fn timestamps_are_rfc3339_with_milliseconds() {
    let emu = emulator();
    let before = SystemTime::now();
    let id = emu.insert_task(TaskSeed::default());
    let task = common::task(&emu, &id);
    assert_eq!(task["id"], id);
    let data = data(
        &emu,
        "{ organization { tasks { createdAt updatedAt } } }",
        json!({}),
    );
    let created = data["organization"]["tasks"][0]["createdAt"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(created.len(), 24, "{created}");
    assert!(created.ends_with('Z') && created.as_bytes()[19] == b'.');
    let parsed = humantime_parse(created);
    assert!(parsed + Duration::from_millis(1) >= before, "{created}");
}

fn humantime_parse(text: &str) -> SystemTime {
    humantime::parse_rfc3339(text).unwrap_or(UNIX_EPOCH)
}

#[test]
fn concurrent_clients_on_kept_alive_connections_are_all_served() {
    let emu = emulator();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    // One agent per thread: its pooled connection is reused for every request.
                    let agent = common::agent();
                    (0..20)
                        .map(|_| {
                            agent
                                .post(&emu.url())
                                .header("Authorization", format!("Bearer {}", emu.api_key()))
                                .send_json(json!({"query": "{ user { id } }"}))
                                .map(|r| r.status().as_u16())
                                .unwrap_or(0)
                        })
                        .collect::<Vec<u16>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    assert_eq!(statuses.len(), 160);
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(emu.requests().len(), 160);
}
