//! `Client::wait_all`: several tasks from one thread under one deadline, each outcome reported
//! as it ends, with a fake clock so the rounds and the deadline are exact.

mod common;

use std::time::Duration;

use common::*;
use labelbox::{Task, TaskOutcome, TaskStatus, WaitOptions};
use mockito::{Matcher, Mock, ServerGuard};
use serde_json::json;

const SECS: fn(u64) -> Duration = Duration::from_secs;

/// Mocks the lookups of task `id`, answering `statuses` in order, once each.
fn lookups(server: &mut ServerGuard, id: &str, statuses: &[&str]) -> Vec<Mock> {
    statuses
        .iter()
        .map(|status| {
            let task = task_json(id, "export-data-rows", status);
            server
                .mock("POST", "/graphql")
                .match_body(Matcher::AllOf(vec![
                    Matcher::Regex("GetUserCreatedTasksPyApi".into()),
                    Matcher::Regex(format!("\"taskId\":\"{id}\"")),
                ]))
                .with_status(200)
                .with_body(data(json!({"user": {"createdTasks": [task]}})))
                .expect(1)
                .create()
        })
        .collect()
}

fn options(timeout: u64) -> WaitOptions {
    WaitOptions::new()
        .timeout(SECS(timeout))
        .check_frequency(SECS(2))
}

/// Looks the tasks up (their first answers), then waits for them all, recording each end.
fn wait(
    server: &ServerGuard,
    clock: &FakeClock,
    ids: &[&str],
    timeout: u64,
) -> (Vec<Task>, Vec<TaskOutcome>, Vec<(usize, String)>) {
    let client = client(server, clock);
    let mut tasks: Vec<Task> = ids
        .iter()
        .map(|id| client.get_task_by_id(id).unwrap())
        .collect();
    let mut ends = Vec::new();
    let outcomes = client
        .wait_all_with(&mut tasks, options(timeout), |index, task, outcome| {
            ends.push((index, format!("{} {outcome}", task.id())))
        })
        .unwrap();
    (tasks, outcomes, ends)
}

#[test]
fn each_task_is_reported_as_it_ends_and_polled_only_until_then() {
    let mut server = mockito::Server::new();
    mock_user(&mut server);
    let a = lookups(
        &mut server,
        "a",
        &["IN_PROGRESS", "IN_PROGRESS", "IN_PROGRESS", "COMPLETE"],
    );
    let b = lookups(&mut server, "b", &["IN_PROGRESS", "FAILED"]);
    let c = lookups(&mut server, "c", &["CANCELED"]);
    let clock = FakeClock::new();
    let (tasks, outcomes, ends) = wait(&server, &clock, &["a", "b", "c"], 60);
    assert_eq!(
        ends,
        [
            (2, "c ended CANCELED".to_string()),
            (1, "b ended FAILED".to_string()),
            (0, "a ended COMPLETE".to_string())
        ]
    );
    assert!(outcomes[0].is_complete());
    assert!(matches!(
        outcomes[1],
        TaskOutcome::Ended(TaskStatus::Failed)
    ));
    assert_eq!(tasks[0].status(), &TaskStatus::Complete);
    // Three rounds: b ended in the first, a in the third; one sleep before each.
    assert_eq!(clock.sleeps(), [SECS(2), SECS(2), SECS(2)]);
    a.iter().chain(&b).chain(&c).for_each(Mock::assert);
}

#[test]
fn one_deadline_for_all_with_a_last_round_at_it() {
    let mut server = mockito::Server::new();
    mock_user(&mut server);
    let a = lookups(&mut server, "a", &["IN_PROGRESS"; 4]);
    let b = lookups(
        &mut server,
        "b",
        &["IN_PROGRESS", "IN_PROGRESS", "COMPLETE"],
    );
    let clock = FakeClock::new();
    let (tasks, outcomes, ends) = wait(&server, &clock, &["a", "b"], 5);
    // Rounds at 2 s, 4 s and the deadline, 5 s: not one sleep past it.
    assert_eq!(clock.sleeps(), [SECS(2), SECS(2), SECS(1)]);
    assert_eq!(
        ends,
        [
            (1, "b ended COMPLETE".to_string()),
            (0, "a timed out".to_string())
        ]
    );
    assert!(matches!(outcomes[0], TaskOutcome::TimedOut));
    assert_eq!(tasks[0].status(), &TaskStatus::InProgress);
    a.iter().chain(&b).for_each(Mock::assert);
}

#[test]
fn a_task_that_cannot_be_polled_fails_alone() {
    let mut server = mockito::Server::new();
    mock_user(&mut server);
    let a = lookups(
        &mut server,
        "a",
        &["IN_PROGRESS", "IN_PROGRESS", "COMPLETE"],
    );
    let b = lookups(&mut server, "b", &["IN_PROGRESS"]);
    let gone = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("\"taskId\":\"b\"".into()))
        .with_status(200)
        .with_body(no_such_task())
        .expect(1)
        .create();
    let clock = FakeClock::new();
    let (_, outcomes, _) = wait(&server, &clock, &["a", "b"], 60);
    match &outcomes[1] {
        TaskOutcome::Failed(error) => assert!(error.is_not_found(), "{error}"),
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(outcomes[0].is_complete());
    a.iter().chain(&b).for_each(Mock::assert);
    gone.assert();
}

#[test]
fn a_check_frequency_below_the_floor_sends_nothing() {
    let mut server = mockito::Server::new();
    mock_user(&mut server);
    let a = lookups(&mut server, "a", &["IN_PROGRESS"]);
    let clock = FakeClock::new();
    let client = client(&server, &clock);
    let mut tasks = vec![client.get_task_by_id("a").unwrap()];
    let fast = WaitOptions::new().check_frequency(Duration::from_millis(500));
    let err = client.wait_all(&mut tasks, fast).unwrap_err();
    assert!(err.is_invalid_input(), "{err}");
    assert!(clock.sleeps().is_empty());
    a.iter().for_each(Mock::assert);
    assert!(client.wait_all(&mut [], options(1)).unwrap().is_empty());
}
