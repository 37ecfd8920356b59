//! Listing: three pages with a filter and the exact document and variables sent, a short
//! page ends the walk, an error ends the iteration, the user's created tasks.

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

#[test]
fn three_pages_with_every_filter() {
    let since = UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    let before = since + Duration::from_millis(86_400_250);
    let filter = TaskFilter::new()
        .status(TaskStatus::Failed)
        .task_type("adv-upsert-data-rows")
        .created_since(since)
        .created_before(before);
    let vars = json!({
        "status": "FAILED",
        "type": "adv-upsert-data-rows",
        "createdSince": "2026-11-18T11:06:40.000Z",
        "createdBefore": "2026-11-19T11:06:40.250Z",
    });
    let query = |skip: usize| {
        format!(
            "query GetOrganizationTasksPyApi($status: TaskStatus!, $type: String!, \
             $createdSince: DateTime!, $createdBefore: DateTime!) {{ organization {{ \
             tasks(where: {{AND: [{{status: $status}}, {{type: $type}}, \
             {{createdAt_gte: $createdSince}}, {{createdAt_lt: $createdBefore}}]}} \
             skip: {skip} first: 100) {{ {FIELDS} }} }} }}"
        )
    };
    let mut server = mockito::Server::new();
    let pages = [
        mock_page(&mut server, &query(0), &vars, page(0, 100)),
        mock_page(&mut server, &query(100), &vars, page(100, 100)),
        mock_page(&mut server, &query(200), &vars, page(200, 37)),
    ];
    let client = no_retry_client(&server);
    let tasks: Vec<_> = client.tasks(filter).collect::<Result<Vec<_>, _>>().unwrap();
    assert_eq!(tasks.len(), 237);
    assert_eq!(tasks[0].id(), "t0");
    assert_eq!(tasks[236].id(), "t236");
    assert!(tasks.iter().all(|t| t.status() == &TaskStatus::Failed));
    pages.iter().for_each(Mock::assert);
}

#[test]
fn one_condition_needs_no_and_and_status_is_an_enum_variable() {
    let query = format!(
        "query GetOrganizationTasksPyApi($status: TaskStatus!) {{ organization {{ \
         tasks(where: {{status: $status}} skip: 0 first: 100) {{ {FIELDS} }} }} }}"
    );
    let mut server = mockito::Server::new();
    let m = mock_page(
        &mut server,
        &query,
        &json!({"status": "CANCELLING"}),
        page(0, 2),
    );
    let client = no_retry_client(&server);
    let n = client
        .tasks(TaskFilter::new().status(TaskStatus::Canceling))
        .count();
    assert_eq!(n, 2);
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
        "query GetUserCreatedTasksPyApi($userId: ID!, $type: String!) {{ user(where: {{id: $userId}}) {{ \
         createdTasks(where: {{type: $type}} skip: 0 first: 100) {{ {FIELDS} }} }} }}"
    );
    let mut server = mockito::Server::new();
    let user = mock_user(&mut server);
    let m = server
        .mock("POST", "/graphql")
        .match_body(Matcher::PartialJson(json!({
            "query": query,
            "variables": {"userId": "user-1", "type": "export-data-rows"},
        })))
        .with_body(data(json!({"user": {"createdTasks": page(0, 3)}})))
        .expect(1)
        .create();
    let client = no_retry_client(&server);
    let n = client
        .created_tasks(TaskFilter::new().task_type("export-data-rows"))
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
