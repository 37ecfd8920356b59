//! Tasks: every field decoded, lookups in one request once the user id is known, not found
//! naming the id, one request per refresh, results and errors downloaded without the key.

mod common;

use std::time::{Duration, UNIX_EPOCH};

use common::*;
use labelbox::{Client, Error, Task, TaskStatus};
use mockito::{Matcher, Mock, ServerGuard};
use serde_json::{json, Value};

fn mock_lookup(server: &mut ServerGuard, task: Value, expect: usize) -> Mock {
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex("GetUserCreatedTasksPyApi".into()),
            Matcher::PartialJson(json!({"variables": {"userId": "user-1", "taskId": "t1"}})),
        ]))
        .with_body(data(json!({"user": {"createdTasks": [task]}})))
        .expect(expect)
        .create()
}

fn task_with(server: &mut ServerGuard, fields: Value) -> (Client, Task) {
    let mut t = task_json("t1", "export-data-rows", "COMPLETE");
    for (k, v) in fields.as_object().unwrap() {
        t[k] = v.clone();
    }
    let _user = mock_user(server);
    let _lookup = mock_lookup(server, t, 1);
    let client = no_retry_client(server);
    let task = client.get_task_by_id("t1").unwrap();
    (client, task)
}

#[test]
fn every_field_is_decoded() {
    let mut server = mockito::Server::new();
    let (_, task) = task_with(
        &mut server,
        json!({"result": "https://files.example/r.json", "errors": "https://files.example/e.json",
               "name": "Export", "completionPercentage": 1.0}),
    );
    assert_eq!(task.id(), "t1");
    assert_eq!(task.name(), "Export");
    assert_eq!(task.task_type(), "export-data-rows");
    assert_eq!(task.status(), &TaskStatus::Complete);
    assert_eq!(task.completion_percentage(), Some(1.0));
    let created = UNIX_EPOCH + Duration::from_secs(1_795_935_601);
    assert_eq!(task.created_at(), created);
    assert_eq!(task.updated_at(), created + Duration::from_secs(1));
    assert_eq!(task.result_url(), Some("https://files.example/r.json"));
    assert_eq!(task.errors_url(), Some("https://files.example/e.json"));
    assert_eq!(task.metadata(), Some(&json!({"k": 1})));
    assert!(!task.is_data_upsert());
    assert!(!format!("{task:?}").contains(KEY));
}

#[test]
fn nulls_and_unknown_statuses_decode() {
    let mut server = mockito::Server::new();
    let (_, task) = task_with(
        &mut server,
        json!({"status": "PAUSED", "completionPercentage": null, "metadata": null,
               "name": null, "type": "adv-upsert-data-rows"}),
    );
    assert_eq!(task.status(), &TaskStatus::Unknown("PAUSED".into()));
    assert_eq!(task.completion_percentage(), None);
    assert_eq!(task.metadata(), None);
    assert_eq!(task.name(), "");
    assert!(task.is_data_upsert());
}

#[test]
fn lookups_cost_one_request_once_the_user_is_known() {
    let mut server = mockito::Server::new();
    let user = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("GetUserPyApi".into()))
        .with_body(data(json!({"user": {"id": "user-1"}})))
        .expect(1)
        .create();
    let lookup = mock_lookup(
        &mut server,
        task_json("t1", "export-data-rows", "IN_PROGRESS"),
        4,
    );
    let client = no_retry_client(&server);
    for _ in 0..3 {
        client.get_task_by_id("t1").unwrap();
    }
    // A refresh is exactly one request too.
    let mut task = client.get_task_by_id("t1").unwrap();
    user.assert();
    lookup.assert();
    let refresh = mock_lookup(
        &mut server,
        task_json("t1", "export-data-rows", "COMPLETE"),
        1,
    );
    task.refresh().unwrap();
    assert_eq!(task.status(), &TaskStatus::Complete);
    refresh.assert();
}

#[test]
fn tasks_are_equal_and_hash_by_id_and_type_as_in_the_official_sdk() {
    use std::collections::HashSet;
    let mut server = mockito::Server::new();
    let _user = mock_user(&mut server);
    let lookup = mock_lookup(
        &mut server,
        task_json("t1", "export-data-rows", "IN_PROGRESS"),
        1,
    );
    let client = no_retry_client(&server);
    let before = client.get_task_by_id("t1").unwrap();
    lookup.assert();
    let _refresh = mock_lookup(
        &mut server,
        task_json("t1", "export-data-rows", "COMPLETE"),
        1,
    );
    let mut after = before.clone();
    after.refresh().unwrap();
    assert_eq!(after.status(), &TaskStatus::Complete);
    // The same task seen twice: equal, one entry in a set, although its status changed.
    assert_eq!(before, after);
    // The client's caches are interior-mutable, but a task hashes only its id and type.
    #[allow(clippy::mutable_key_type)]
    let set: HashSet<Task> = [before.clone(), after].into_iter().collect();
    assert_eq!(set.len(), 1);
    // Another type under the same id is another task.
    let _other = mock_lookup(
        &mut server,
        task_json("t1", "adv-upsert-data-rows", "COMPLETE"),
        1,
    );
    let import = client.get_task_by_id("t1").unwrap();
    assert_ne!(before, import);
}

#[test]
fn a_missing_task_is_not_found_naming_the_id() {
    let mut server = mockito::Server::new();
    let _user = mock_user(&mut server);
    let _lookup = task_lookup(&mut server).with_body(no_such_task()).create();
    let e = no_retry_client(&server).get_task_by_id("nope").unwrap_err();
    assert!(
        matches!(&e, Error::NotFound { what, id } if what == "task" && id == "nope"),
        "{e:?}"
    );
    assert!(e.to_string().contains("nope"), "{e}");
    assert!(e.is_not_found());
}

#[test]
fn an_empty_id_is_refused_without_a_request() {
    let server = mockito::Server::new();
    let e = no_retry_client(&server).get_task_by_id(" ").unwrap_err();
    assert!(e.is_invalid_input(), "{e:?}");
}

/// Serves a result file and checks it is fetched without any Authorization header.
fn mock_file(server: &mut ServerGuard, path: &str, body: &str) -> Mock {
    server
        .mock("GET", path)
        .match_query(Matcher::Any)
        .match_header("authorization", Matcher::Missing)
        .with_body(body)
        .expect(1)
        .create()
}

#[test]
fn export_results_and_errors_are_ndjson_downloaded_without_the_key() {
    let mut server = mockito::Server::new();
    let result = mock_file(
        &mut server,
        "/files/result.ndjson",
        "{\"a\":1}\n\n{\"a\":2}\n",
    );
    let errors = mock_file(&mut server, "/files/errors.ndjson", "{\"e\":\"bad\"}\n");
    let base = server.url();
    let (_, task) = task_with(
        &mut server,
        json!({"result": format!("{base}/files/result.ndjson?sig=x"),
               "errors": format!("{base}/files/errors.ndjson")}),
    );
    assert_eq!(task.result().unwrap(), Some(json!([{"a": 1}, {"a": 2}])));
    assert_eq!(task.errors().unwrap(), Some(json!([{"e": "bad"}])));
    result.assert();
    errors.assert();
}

#[test]
fn legacy_import_results_are_shaped_like_the_official_sdk() {
    let mut server = mockito::Server::new();
    let file = json!({
        "createdDataRows": [{"id": "d1", "externalId": "x1", "rowData": "https://a/1.jpg", "globalKey": "g1"}],
        "errors": [{"message": "Duplicate global key: 'g2'"}],
    });
    let m = server
        .mock("GET", "/files/import.json")
        .match_header("authorization", Matcher::Missing)
        .with_body(file.to_string())
        .expect(2)
        .create();
    let url = format!("{}/files/import.json", server.url());
    let (_, task) = task_with(
        &mut server,
        json!({"name": "JSON Import", "type": "", "result": url}),
    );
    assert_eq!(
        task.result().unwrap(),
        Some(
            json!([{"id": "d1", "external_id": "x1", "row_data": "https://a/1.jpg", "global_key": "g1"}])
        )
    );
    assert_eq!(
        task.errors().unwrap(),
        Some(json!([{"message": "Duplicate global key: 'g2'"}]))
    );
    m.assert();
}

#[test]
fn inline_results_of_batch_queue_and_annotate_tasks() {
    for task_type in [
        "add-data-rows-to-batch",
        "send-to-task-queue",
        "send-to-annotate",
    ] {
        let mut server = mockito::Server::new();
        let (_, task) = task_with(
            &mut server,
            json!({"type": task_type, "status": "FAILED", "result": "{\"error\": \"no batch\"}"}),
        );
        assert_eq!(task.errors().unwrap(), Some(json!({"error": "no batch"})));
        let e = task.result().unwrap_err();
        assert!(matches!(e, Error::ResultUnavailable { .. }), "{e:?}");

        let mut server = mockito::Server::new();
        let (_, task) = task_with(
            &mut server,
            json!({"type": task_type, "status": "COMPLETE", "result": "{\"ok\": true}"}),
        );
        assert_eq!(task.result().unwrap(), Some(json!({"ok": true})));
        assert_eq!(task.errors().unwrap(), None);
    }
}

#[test]
fn types_without_results_and_unfinished_tasks_are_a_clear_error() {
    let mut server = mockito::Server::new();
    let (_, task) = task_with(
        &mut server,
        json!({"type": "some-other-type", "result": "https://x/y"}),
    );
    let e = task.result().unwrap_err();
    assert!(
        matches!(&e, Error::ResultUnavailable { task_type, .. } if task_type == "some-other-type"),
        "{e:?}"
    );

    let mut server = mockito::Server::new();
    let (_, task) = task_with(&mut server, json!({"status": "IN_PROGRESS"}));
    assert!(matches!(
        task.result(),
        Err(Error::ResultUnavailable { .. })
    ));

    let mut server = mockito::Server::new();
    let (_, task) = task_with(&mut server, json!({"type": "adv-upsert-data-rows"}));
    assert!(matches!(
        task.result(),
        Err(Error::ResultUnavailable { .. })
    ));
    assert!(matches!(
        task.errors(),
        Err(Error::ResultUnavailable { .. })
    ));
}

#[test]
fn download_failures() {
    let mut server = mockito::Server::new();
    let missing = server
        .mock("GET", "/files/gone.ndjson")
        .match_query(Matcher::Any)
        .with_status(404)
        .create();
    let url = format!("{}/files/gone.ndjson?signature=secret", server.url());
    let (_, task) = task_with(&mut server, json!({"result": url}));
    let e = task.result().unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert!(!e.to_string().contains("secret"), "{e}");
    missing.assert();

    let mut server = mockito::Server::new();
    let _bad = server
        .mock("GET", "/files/bad.ndjson")
        .with_body("{\"a\":1}\nnot json\n")
        .create();
    let url = format!("{}/files/bad.ndjson", server.url());
    let (_, task) = task_with(&mut server, json!({"result": url}));
    let e = task.result().unwrap_err();
    assert!(
        matches!(&e, Error::Decode { message, .. } if message.contains("line 2")),
        "{e:?}"
    );
}

#[test]
fn result_downloads_are_retried_on_server_errors() {
    let mut server = mockito::Server::new();
    let fail = server
        .mock("GET", "/files/r.ndjson")
        .with_status(503)
        .expect(1)
        .create();
    let ok = server
        .mock("GET", "/files/r.ndjson")
        .with_body("{\"a\":1}\n")
        .expect(1)
        .create();
    let url = format!("{}/files/r.ndjson", server.url());
    let mut t = task_json("t1", "export-data-rows", "COMPLETE");
    t["result"] = json!(url);
    let _user = mock_user(&mut server);
    let _lookup = mock_lookup(&mut server, t, 1);
    let clock = FakeClock::new();
    let task = client(&server, &clock).get_task_by_id("t1").unwrap();
    assert_eq!(task.result().unwrap(), Some(json!([{"a": 1}])));
    fail.assert();
    ok.assert();
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(1)]);
}

/// A results page answering `from` with `after`, each row the id `row-<from>`.
fn results_page(server: &mut ServerGuard, from: Value, after: &str, total: u64) -> Mock {
    let id = format!("row-{}", from.as_str().unwrap_or("first"));
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex("successesfulDataRowImports".into()),
            Matcher::PartialJson(json!({"variables": {"taskId": "t1", "from": from}})),
        ]))
        .with_body(data(json!({"successesfulDataRowImports": {
            "nodes": [{"id": id, "externalId": null, "globalKey": null, "rowData": "https://a"}],
            "after": after, "total": total}})))
        .create()
}

/// An import task "t1", COMPLETE, fetched by id.
fn finished_import(server: &mut ServerGuard) -> labelbox::DataUpsertTask {
    let _user = mock_user(server);
    let _lookup = mock_lookup(
        server,
        task_json("t1", "adv-upsert-data-rows", "COMPLETE"),
        1,
    );
    let client = no_retry_client(server);
    let task = client.get_task_by_id("t1").unwrap();
    task.into_data_upsert().unwrap()
}

/// Reproduction of issue 11, item 6: import results whose cursor cycles A, B, A, B under
/// `total: 1` gave 87,076 rows. Now the second page, one row past the announced total, is
/// a typed error, both streamed and collected.
#[test]
fn import_results_cycling_cursors_stop_at_the_announced_total() {
    let mut server = mockito::Server::new();
    let import = finished_import(&mut server);
    let pages = [
        results_page(&mut server, Value::Null, "A", 1),
        results_page(&mut server, json!("A"), "B", 1),
        results_page(&mut server, json!("B"), "A", 1),
    ];
    let streamed: Vec<_> = import.results().unwrap().collect();
    assert_eq!(streamed.len(), 2);
    assert_eq!(streamed[0].as_ref().unwrap().id(), "row-first");
    let err = streamed[1].as_ref().unwrap_err();
    assert!(
        matches!(err, Error::InconsistentPages { listing, reason }
            if listing.contains("\"t1\"") && reason.contains("more than the 1 announced")),
        "{err:?}"
    );
    let collected = import.result().unwrap_err();
    assert!(
        matches!(collected, Error::InconsistentPages { .. }),
        "{collected:?}"
    );
    assert!(!pages[2].matched(), "the cycle is never followed");
}

/// The same cycle from a server announcing a total large enough never to be reached: the
/// cursor coming back ends the walk after three requests.
#[test]
fn import_results_whose_cursor_comes_back_end_with_an_error() {
    let mut server = mockito::Server::new();
    let import = finished_import(&mut server);
    let total = 1_000_000;
    let _pages = [
        results_page(&mut server, Value::Null, "A", total),
        results_page(&mut server, json!("A"), "B", total),
        results_page(&mut server, json!("B"), "A", total),
    ];
    let rows: Vec<_> = import.results().unwrap().collect();
    assert_eq!(
        rows.len(),
        3,
        "two rows, then the error (the repeating page is not read)"
    );
    let err = rows[2].as_ref().unwrap_err();
    assert!(err.to_string().contains("cursor \"A\" came back"), "{err}");
    assert!(!err.is_retryable());
}
