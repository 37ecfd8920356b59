//! Cancelling: success, every refusal (without the mutation being sent), the cancelable
//! types cached per client, and a mutation never re-sent after an ambiguous failure.

mod common;

use std::time::Duration;

use common::*;
use labelbox::{Error, TaskStatus};
use mockito::{Matcher, Mock, ServerGuard};
use serde_json::json;

fn mock_types(server: &mut ServerGuard, expect: usize) -> Mock {
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("cancelableTaskTypes".into()))
        .with_body(data(
            json!({"cancelableTaskTypes": ["AdvUpsertDataRows", "SendToAnnotate"]}),
        ))
        .expect(expect)
        .create()
}

fn mock_mutation(server: &mut ServerGuard, status: usize, body: &str, expect: usize) -> Mock {
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex("cancelBulkOperationJob".into()),
            Matcher::PartialJson(json!({"variables": {"id": "t1"}})),
        ]))
        .with_status(status)
        .with_body(body)
        .expect(expect)
        .create()
}

fn mock_task(server: &mut ServerGuard, task_type: &str, status: &str) -> Mock {
    task_lookup(server)
        .with_body(data(
            json!({"user": {"createdTasks": [task_json("t1", task_type, status)]}}),
        ))
        .create()
}

/// A server that knows the user, the task `t1` (of `task_type`, in `status`) and the cancelable
/// types, with the types' mock (expecting one request). A dropped mockito mock still answers:
/// mocks live as long as their server.
fn setup(task_type: &str, status: &str) -> (ServerGuard, Mock) {
    let mut server = mockito::Server::new();
    mock_user(&mut server);
    mock_task(&mut server, task_type, status);
    let types = mock_types(&mut server, 1);
    (server, types)
}

const SUCCESS: &str = r#"{"data": {"cancelBulkOperationJob": {"success": true}}}"#;

#[test]
fn cancels_a_running_task_of_a_cancelable_type() {
    let (mut server, types) = setup("adv-upsert-data-rows", "IN_PROGRESS");
    let mutation = mock_mutation(&mut server, 200, SUCCESS, 2);
    let client = client(&server, &FakeClock::new());
    assert!(client.cancel_task("t1").unwrap());
    // Second call: the types come from the cache.
    assert!(client.cancel_task("t1").unwrap());
    types.assert();
    mutation.assert();
    assert_eq!(
        client.cancelable_task_types().unwrap().as_slice(),
        ["adv-upsert-data-rows", "send-to-annotate"]
    );
}

#[test]
fn a_type_that_is_not_cancelable_is_refused_without_the_mutation() {
    let (mut server, _types) = setup("export-data-rows", "IN_PROGRESS");
    let mutation = mock_mutation(&mut server, 200, SUCCESS, 0);
    let e = client(&server, &FakeClock::new())
        .cancel_task("t1")
        .unwrap_err();
    match &e {
        Error::TaskNotCancelable {
            task_id,
            task_type,
            status,
            ..
        } => {
            assert_eq!(task_id, "t1");
            assert_eq!(task_type, "export-data-rows");
            assert_eq!(status, &TaskStatus::InProgress);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("export-data-rows"), "{e}");
    mutation.assert();
}

#[test]
fn a_task_not_in_progress_is_refused_without_the_mutation() {
    for status in ["COMPLETE", "FAILED", "CANCELED", "CANCELLING", "PAUSED"] {
        let (mut server, _types) = setup("adv-upsert-data-rows", status);
        let mutation = mock_mutation(&mut server, 200, SUCCESS, 0);
        let e = client(&server, &FakeClock::new())
            .cancel_task("t1")
            .unwrap_err();
        assert!(
            matches!(&e, Error::TaskNotCancelable { status: s, .. } if s.as_str() == status),
            "{status}: {e:?}"
        );
        assert!(e.to_string().contains(status), "{e}");
        mutation.assert();
    }
}

#[test]
fn a_missing_task_is_not_found() {
    let mut server = mockito::Server::new();
    let _user = mock_user(&mut server);
    let _lookup = task_lookup(&mut server).with_body(no_such_task()).create();
    let mutation = mock_mutation(&mut server, 200, SUCCESS, 0);
    let e = client(&server, &FakeClock::new())
        .cancel_task("t1")
        .unwrap_err();
    assert!(
        matches!(&e, Error::NotFound { id, .. } if id == "t1"),
        "{e:?}"
    );
    mutation.assert();
}

#[test]
fn a_mutation_is_not_resent_after_an_ambiguous_failure() {
    let (mut server, _types) = setup("adv-upsert-data-rows", "IN_PROGRESS");
    let mutation = mock_mutation(&mut server, 500, "internal", 1);
    let clock = FakeClock::new();
    let e = client(&server, &clock).cancel_task("t1").unwrap_err();
    mutation.assert();
    assert!(clock.sleeps().is_empty());
    assert!(matches!(e, Error::Server { attempts: 1, .. }), "{e:?}");
    assert!(e.may_have_been_processed());
    assert!(e.to_string().contains("may have been processed"), "{e}");
}

#[test]
fn a_rate_limited_mutation_is_resent() {
    let (mut server, _types) = setup("adv-upsert-data-rows", "IN_PROGRESS");
    let limited = mock_mutation(
        &mut server,
        429,
        r#"{"message": "You have exceeded the rate limit"}"#,
        1,
    );
    let ok = mock_mutation(&mut server, 200, SUCCESS, 1);
    let clock = FakeClock::new();
    assert!(client(&server, &clock).cancel_task("t1").unwrap());
    limited.assert();
    ok.assert();
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(1)]);
}

#[test]
fn success_false_is_returned_as_is() {
    let (mut server, _types) = setup("send-to-annotate", "IN_PROGRESS");
    let _m = mock_mutation(
        &mut server,
        200,
        r#"{"data": {"cancelBulkOperationJob": {"success": false}}}"#,
        1,
    );
    assert!(!client(&server, &FakeClock::new())
        .cancel_task("t1")
        .unwrap());
}
