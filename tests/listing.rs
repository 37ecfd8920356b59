//! Listing: only the status filter reaches the wire (type and time are applied on the client),
//! the exact document and variables sent, a short page ends the walk, an error ends the
//! iteration, the user's created tasks, and listings that never end are stopped.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use labelbox::{Error, TaskFilter, TaskStatus};
use mockito::{Matcher, Mock, ServerGuard};
use serde_json::{json, Value};

const FIELDS: &str =
    "completionPercentage createdAt errors metadata name result status type id updatedAt";

fn page(from: usize, n: usize) -> Value {
    let tasks: Vec<Value> = (from..from + n)
        .map(|i| task_json(&format!("t{i}"), "adv-upsert-data-rows", "FAILED"))
        .collect();
    Value::Array(tasks)
}

fn mock_page(server: &mut ServerGuard, query: &str, vars: &Value, tasks: Value) -> Mock {
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::PartialJson(
            json!({"query": query, "variables": vars}),
        ))
        .with_body(data(json!({"organization": {"tasks": tasks}})))
        .expect(1)
        .create()
}

/// A mock of the listing page at offset `skip`, for the caller to answer and create.
fn page_at(server: &mut ServerGuard, skip: usize) -> Mock {
    let args = format!("skip: {skip} first: 100");
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex(args))
}

/// A task of `task_type` created `seconds` after 2026-11-29T07:00:00Z.
fn task_at(id: &str, task_type: &str, seconds: u64) -> Value {
    let mut t = task_json(id, task_type, "FAILED");
    let created = UNIX_EPOCH + Duration::from_secs(1_795_935_600 + seconds);
    t["createdAt"] = Value::from(humantime::format_rfc3339_millis(created).to_string());
    t
}

/// The exact body of a listing page: only the evidenced status condition reaches the wire.
fn status_page_body(skip: usize) -> Value {
    json!({
        "query": format!(
            "query GetOrganizationTasksPyApi($param_0: TaskStatus!) {{ organization {{ \
             tasks(where: {{status: $param_0}} skip: {skip} first: 100) {{ {FIELDS} }} }} }}"
        ),
        "variables": {"param_0": "FAILED"},
    })
}

#[test]
fn type_and_time_are_filtered_on_the_client_and_only_the_status_reaches_the_wire() {
    let since = UNIX_EPOCH + Duration::from_secs(1_795_935_600 + 100);
    let before = since + Duration::from_secs(100);
    let filter = TaskFilter::new()
        .status(TaskStatus::Failed)
        .task_type("adv-upsert-data-rows")
        .created_since(since)
        .created_before(before);
    // Page 1: 100 tasks, created at seconds 0..100 (all before the range); page 2: 100 tasks at
    // 100..200, every other one an export; page 3: a short page at 200.. (after the range),
    // except one at the range's last millisecond-free second.
    let first: Vec<Value> = (0..100)
        .map(|i| task_at(&format!("a{i}"), "adv-upsert-data-rows", i))
        .collect();
    let second: Vec<Value> = (0..100)
        .map(|i| {
            let kind = if i % 2 == 0 {
                "adv-upsert-data-rows"
            } else {
                "export-data-rows"
            };
            task_at(&format!("b{i}"), kind, 100 + i)
        })
        .collect();
    let third = vec![
        task_at("c0", "adv-upsert-data-rows", 199),
        task_at("c1", "adv-upsert-data-rows", 200),
    ];
    let mut server = mockito::Server::new();
    let pages: Vec<Mock> = [first, second, third]
        .into_iter()
        .enumerate()
        .map(|(n, tasks)| {
            server
                .mock("POST", "/graphql")
                .match_body(Matcher::Json(status_page_body(n * 100)))
                .with_body(data(json!({"organization": {"tasks": tasks}})))
                .expect(1)
                .create()
        })
        .collect();
    let client = no_retry_client(&server);
    let ids: Vec<String> = client
        .tasks(filter)
        .map(|t| t.map(|t| t.id().to_owned()))
        .collect::<Result<_, _>>()
        .unwrap();
    let mut want: Vec<String> = (0..100).step_by(2).map(|i| format!("b{i}")).collect();
    want.push("c0".into());
    assert_eq!(ids, want);
    pages.iter().for_each(Mock::assert);
}

#[test]
fn a_client_side_filter_stays_lazy() {
    // No task of page 1 matches: the first match is on page 2, and page 3 is never asked for.
    let mut server = mockito::Server::new();
    let first = page_at(&mut server, 0)
        .with_body(data(json!({"organization": {"tasks": page(0, 100)}})))
        .expect(1)
        .create();
    let mut second_page = page(100, 100);
    second_page[5]["type"] = json!("export-data-rows");
    let second = page_at(&mut server, 100)
        .with_body(data(json!({"organization": {"tasks": second_page}})))
        .expect(1)
        .create();
    let third = page_at(&mut server, 200)
        .with_body(data(json!({"organization": {"tasks": page(200, 1)}})))
        .expect(0)
        .create();
    let client = no_retry_client(&server);
    let found = client
        .tasks(TaskFilter::new().task_type("export-data-rows"))
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(found.id(), "t105");
    first.assert();
    second.assert();
    third.assert();
}

#[test]
fn listing_against_the_emulator_sends_only_the_status_and_filters_the_rest() {
    let emu = labelbox_emulator::Emulator::builder()
        .api_key(KEY)
        .start()
        .unwrap();
    let t0 = UNIX_EPOCH + Duration::from_secs(1_795_935_600);
    let seed = |i: u64, status: &str, task_type: &str| {
        emu.insert_task(labelbox_emulator::TaskSeed {
            status: status.into(),
            task_type: task_type.into(),
            created_at: Some(t0 + Duration::from_secs(i)),
            ..Default::default()
        })
    };
    // 250 tasks: every third FAILED, alternating types, one a second.
    let mut want = Vec::new();
    for i in 0..250 {
        let status = if i % 3 == 0 { "FAILED" } else { "COMPLETE" };
        let task_type = if i % 2 == 0 {
            "send-to-annotate"
        } else {
            "add-data-rows-to-batch"
        };
        let id = seed(i, status, task_type);
        if status == "FAILED" && task_type == "send-to-annotate" && (60..200).contains(&i) {
            want.push(id);
        }
    }
    want.reverse(); // the service lists newest first
    let client = labelbox::Client::builder()
        .api_key(KEY)
        .endpoint(emu.url())
        .build()
        .unwrap();
    let filter = TaskFilter::new()
        .status(TaskStatus::Failed)
        .task_type("send-to-annotate")
        .created_since(t0 + Duration::from_secs(60))
        .created_before(t0 + Duration::from_secs(200));
    let ids: Vec<String> = client
        .tasks(filter)
        .map(|t| t.map(|t| t.id().to_owned()))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids, want);
    // 84 FAILED tasks: one page, short. Only the status variable was sent.
    let listings: Vec<_> = emu
        .requests()
        .into_iter()
        .filter(|r| r.fields == ["organization"])
        .collect();
    assert_eq!(listings.len(), 1);
    assert_eq!(listings[0].variables, json!({"param_0": "FAILED"}));
    assert_eq!(listings[0].status, 200);
}

#[test]
fn canceling_is_sent_with_two_ls_and_either_spelling_is_read_back() {
    let query = format!(
        "query GetOrganizationTasksPyApi($param_0: TaskStatus!) {{ organization {{ \
         tasks(where: {{status: $param_0}} skip: 0 first: 100) {{ {FIELDS} }} }} }}"
    );
    let mut tasks = page(0, 2);
    tasks[0]["status"] = json!("CANCELLING");
    tasks[1]["status"] = json!("CANCELING");
    let mut server = mockito::Server::new();
    let m = mock_page(
        &mut server,
        &query,
        &json!({"param_0": "CANCELLING"}),
        tasks,
    );
    let client = no_retry_client(&server);
    let statuses: Vec<TaskStatus> = client
        .tasks(TaskFilter::new().status(TaskStatus::Canceling))
        .map(|t| t.unwrap().status().clone())
        .collect();
    assert_eq!(statuses, [TaskStatus::Canceling, TaskStatus::Canceling]);
    m.assert();
}

#[test]
fn no_filter_no_where_and_a_full_last_page_needs_one_more_request() {
    let query = |skip: usize| {
        format!(
            "query GetOrganizationTasksPyApi {{ organization {{ tasks(skip: {skip} first: 100) {{ {FIELDS} }} }} }}"
        )
    };
    let mut server = mockito::Server::new();
    let pages = [
        mock_page(&mut server, &query(0), &json!({}), page(0, 100)),
        mock_page(&mut server, &query(100), &json!({}), page(100, 0)),
    ];
    let client = no_retry_client(&server);
    assert_eq!(client.tasks(TaskFilter::new()).count(), 100);
    pages.iter().for_each(Mock::assert);
}

#[test]
fn pages_are_fetched_lazily() {
    let mut server = mockito::Server::new();
    let first = page_at(&mut server, 0)
        .with_body(data(json!({"organization": {"tasks": page(0, 100)}})))
        .expect(1)
        .create();
    let second = page_at(&mut server, 100)
        .with_body(data(json!({"organization": {"tasks": page(100, 1)}})))
        .expect(0)
        .create();
    let client = no_retry_client(&server);
    let taken: Vec<_> = client.tasks(TaskFilter::new()).take(100).collect();
    assert_eq!(taken.len(), 100);
    first.assert();
    second.assert();
}

#[test]
fn an_error_is_yielded_once_and_ends_the_iteration() {
    let mut server = mockito::Server::new();
    let _first = page_at(&mut server, 0)
        .with_body(data(json!({"organization": {"tasks": page(0, 100)}})))
        .create();
    let second = page_at(&mut server, 100)
        .with_body(r#"{"errors":[{"message":"no","extensions":{"code":"AUTHORIZATION_ERROR"}}]}"#)
        .expect(1)
        .create();
    let client = no_retry_client(&server);
    let mut it = client.tasks(TaskFilter::new());
    for _ in 0..100 {
        assert!(it.next().unwrap().is_ok());
    }
    assert!(it.next().unwrap().unwrap_err().is_authorization());
    assert!(it.next().is_none());
    second.assert();
}

#[test]
fn created_tasks_go_through_the_user() {
    let query = format!(
        "query GetUserCreatedTasksPyApi($userId: ID!) {{ user(where: {{id: $userId}}) {{ \
         createdTasks(skip: 0 first: 100) {{ {FIELDS} }} }} }}"
    );
    let mut server = mockito::Server::new();
    let user = mock_user(&mut server);
    let m = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Json(json!({
            "query": query,
            "variables": {"userId": "user-1"},
        })))
        .with_body(data(json!({"user": {"createdTasks": page(0, 3)}})))
        .expect(1)
        .create();
    let client = no_retry_client(&server);
    let n = client
        .created_tasks(TaskFilter::new().task_type("adv-upsert-data-rows"))
        .count();
    assert_eq!(n, 3);
    user.assert();
    m.assert();
}

#[test]
fn an_empty_range_is_invalid_input() {
    let server = mockito::Server::new();
    let now = SystemTime::now();
    let client = no_retry_client(&server);
    let mut it = client.tasks(TaskFilter::new().created_since(now).created_before(now));
    let e = it.next().unwrap().unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e:?}");
    assert!(it.next().is_none());
}

#[test]
fn times_outside_rfc3339_are_invalid_input_not_a_panic() {
    let server = mockito::Server::new();
    let client = no_retry_client(&server);
    let before_1970 = UNIX_EPOCH - Duration::from_secs(1);
    let after_9999 = UNIX_EPOCH + Duration::from_secs(253_402_300_800);
    for (filter, field) in [
        (
            TaskFilter::new().created_since(before_1970),
            "created_since",
        ),
        (
            TaskFilter::new().created_before(after_9999),
            "created_before",
        ),
    ] {
        let mut it = client.tasks(filter);
        match it.next() {
            Some(Err(Error::InvalidInput { field: f, .. })) => assert_eq!(f, field),
            other => panic!("expected InvalidInput for {field}, got {other:?}"),
        }
        assert!(it.next().is_none());
    }
}

/// Reproduction of issue 11, item 6: a listing server that ignores `skip` answered the same
/// full page forever (1.57 M tasks in 15 s). Now pages holding only tasks already listed end
/// the listing with a typed error once more of them come in a row than tasks created during
/// the listing explain: 100 tasks listed explain two such pages, the third is an error.
#[test]
fn a_server_ignoring_skip_ends_the_listing_with_an_error() {
    let mut server = mockito::Server::new();
    let same = server
        .mock("POST", "/graphql")
        .with_body(data(json!({"organization": {"tasks": page(0, 100)}})))
        .expect(4)
        .create();
    let client = no_retry_client(&server);
    let results: Vec<_> = client.tasks(TaskFilter::new()).collect();
    assert_eq!(results.len(), 101);
    assert!(results[..100].iter().all(Result::is_ok));
    let err = results[100].as_ref().unwrap_err();
    assert!(
        matches!(err, Error::InconsistentPages { reason, .. }
            if reason.contains("the 3 pages from offset 100 on")),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    same.assert();
}

/// Issue 21: 100 or more tasks created while a listing is read push whole pages of tasks
/// listed already under the next offsets. That is no error: every task listed before the
/// creation comes exactly once, and the listing ends.
#[test]
fn tasks_created_by_the_hundred_during_a_listing_are_no_error() {
    for created_meanwhile in [100, 300, 1_000] {
        let emu = labelbox_emulator::Emulator::builder()
            .api_key(KEY)
            .start()
            .unwrap();
        let t0 = UNIX_EPOCH + Duration::from_secs(1_795_935_600);
        let seed = |i: u64| {
            emu.insert_task(labelbox_emulator::TaskSeed {
                status: "COMPLETE".into(),
                task_type: "send-to-annotate".into(),
                created_at: Some(t0 + Duration::from_secs(i)),
                ..Default::default()
            })
        };
        let mut before: Vec<String> = (0..150).map(seed).collect();
        before.reverse(); // newest first
        let client = labelbox::Client::builder()
            .api_key(KEY)
            .endpoint(emu.url())
            .build()
            .unwrap();
        let mut listing = client.tasks(TaskFilter::new());
        let mut ids: Vec<String> = listing
            .by_ref()
            .take(100)
            .map(|t| t.unwrap().id().to_owned())
            .collect();
        for i in 0..created_meanwhile {
            seed(1_000 + i);
        }
        for task in listing {
            ids.push(task.unwrap().id().to_owned());
        }
        let listed: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(listed.len(), ids.len(), "each task once");
        assert!(
            before.iter().all(|id| listed.contains(id)),
            "{created_meanwhile}"
        );
    }
}

/// Offsets shift when tasks are created during a listing: a task seen on the previous page
/// comes again at the top of the next one. It is yielded once, and the listing goes on.
#[test]
fn a_task_repeated_by_a_shifted_offset_is_yielded_once() {
    let mut server = mockito::Server::new();
    let _first = page_at(&mut server, 0)
        .with_body(data(json!({"organization": {"tasks": page(0, 100)}})))
        .create();
    let _second = page_at(&mut server, 100)
        .with_body(data(json!({"organization": {"tasks": page(99, 3)}})))
        .create();
    let client = no_retry_client(&server);
    let ids: Vec<String> = client
        .tasks(TaskFilter::new())
        .map(|t| t.unwrap().id().to_owned())
        .collect();
    assert_eq!(ids.len(), 102);
    assert_eq!(&ids[98..], ["t98", "t99", "t100", "t101"]);
}
