//! Waiting on tasks with a fake clock: terminal statuses, CANCELLING and unknown statuses
//! not terminal, the deadline kept (request time counted, last sleep cut, no request after
//! it), the check-frequency floor, retries and permanent errors during a poll.

mod common;

use std::time::Duration;

use common::*;
use labelbox::{Error, Task, TaskStatus, WaitOptions};
use mockito::{Mock, ServerGuard};

const SECS: fn(u64) -> Duration = Duration::from_secs;

fn statuses(list: &[&str]) -> Vec<serde_json::Value> {
    list.iter()
        .map(|s| task_json("t1", "export-data-rows", s))
        .collect()
}

/// The task `t1` as first looked up (answering `seq[0]`) with a fake clock, on a server (to keep
/// alive) whose next lookups answer the rest of `seq` in order, and the lookups' mocks.
fn waiting(seq: &[serde_json::Value]) -> (ServerGuard, FakeClock, Task, Vec<Mock>) {
    let mut server = mockito::Server::new();
    mock_user(&mut server);
    let tasks = mock_task_sequence(&mut server, seq);
    let clock = FakeClock::new();
    let task = client(&server, &clock)
        .get_task_by_id("t1")
        .expect("the task is looked up");
    (server, clock, task, tasks)
}

#[test]
fn waits_until_complete() {
    let mut server = mockito::Server::new();
    let user = mock_user(&mut server);
    let tasks = mock_task_sequence(
        &mut server,
        &statuses(&["IN_PROGRESS", "IN_PROGRESS", "COMPLETE"]),
    );
    let clock = FakeClock::new();
    let mut task = client(&server, &clock).get_task_by_id("t1").unwrap();
    assert_eq!(task.wait_till_done().unwrap(), TaskStatus::Complete);
    assert_eq!(task.status(), &TaskStatus::Complete);
    assert_eq!(clock.sleeps(), vec![SECS(2), SECS(2)]);
    user.assert();
    tasks.iter().for_each(|m| m.assert());
}

#[test]
fn failed_and_canceled_are_terminal_and_returned() {
    for (seq, end) in [
        (&["IN_PROGRESS", "FAILED"][..], TaskStatus::Failed),
        (
            &["IN_PROGRESS", "CANCELLING", "CANCELED"][..],
            TaskStatus::Canceled,
        ),
        (
            &["IN_PROGRESS", "PAUSED", "COMPLETE"][..],
            TaskStatus::Complete,
        ),
    ] {
        let (_server, clock, mut task, tasks) = waiting(&statuses(seq));
        assert_eq!(task.wait_till_done().unwrap(), end);
        // Every intermediate status (CANCELLING, unknown) kept the wait going.
        assert_eq!(clock.sleeps().len(), seq.len() - 1, "{seq:?}");
        tasks.iter().for_each(|m| m.assert());
    }
}

#[test]
fn an_already_finished_task_sends_nothing() {
    let (_server, clock, mut task, tasks) = waiting(&statuses(&["COMPLETE"]));
    assert_eq!(task.wait_till_done().unwrap(), TaskStatus::Complete);
    tasks[0].assert(); // only the lookup
    assert!(clock.sleeps().is_empty());
}

#[test]
fn timeout_carries_the_last_task_and_keeps_the_deadline() {
    // The lookup, then exactly three polls: at 2 s, 4 s and the deadline (5 s).
    let (_server, clock, mut task, tasks) = waiting(&statuses(&[
        "IN_PROGRESS",
        "IN_PROGRESS",
        "CANCELLING",
        "CANCELLING",
    ]));
    let e = task
        .wait_with(WaitOptions::default().timeout(SECS(5)))
        .unwrap_err();
    assert!(e.is_wait_timed_out(), "{e:?}");
    match &e {
        Error::WaitTimedOut {
            task: last,
            waited,
            polls,
        } => {
            assert_eq!(last.status(), &TaskStatus::Canceling);
            assert_eq!(*waited, SECS(5));
            assert_eq!(*polls, 3);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("CANCELLING"), "{e}");
    // The last sleep was cut to the deadline.
    assert_eq!(clock.sleeps(), vec![SECS(2), SECS(2), SECS(1)]);
    tasks.iter().for_each(|m| m.assert());
    // The task itself was updated too.
    assert_eq!(task.status(), &TaskStatus::Canceling);
}

#[test]
fn request_time_counts_and_no_request_follows_the_deadline() {
    let (_server, clock, mut task, tasks) =
        waiting(&statuses(&["IN_PROGRESS", "IN_PROGRESS", "IN_PROGRESS"]));
    let mut seen = Vec::new();
    // Every poll "takes" 1.5 s: polls end at 3.5 s and 6.5 s; the second sleep is cut to
    // the 5 s deadline; after the poll made there, no further request.
    let e = task
        .wait_with_progress(WaitOptions::default().timeout(SECS(5)), |t| {
            clock.advance(Duration::from_millis(1500));
            seen.push(t.status().clone());
        })
        .unwrap_err();
    match e {
        Error::WaitTimedOut { waited, polls, .. } => {
            assert_eq!(polls, 2);
            assert_eq!(waited, Duration::from_millis(6500));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(clock.sleeps(), vec![SECS(2), Duration::from_millis(1500)]);
    assert_eq!(seen, vec![TaskStatus::InProgress, TaskStatus::InProgress]);
    tasks.iter().for_each(|m| m.assert());
}

#[test]
fn the_progress_callback_sees_every_poll() {
    let mut server = mockito::Server::new();
    let _user = mock_user(&mut server);
    let mut seq = statuses(&["IN_PROGRESS", "IN_PROGRESS", "IN_PROGRESS", "COMPLETE"]);
    seq[2]["completionPercentage"] = serde_json::json!(0.75);
    let _tasks = mock_task_sequence(&mut server, &seq);
    let clock = FakeClock::new();
    let mut task = client(&server, &clock).get_task_by_id("t1").unwrap();
    let mut seen = Vec::new();
    let status = task
        .wait_with_progress(WaitOptions::default().check_frequency(SECS(10)), |t| {
            seen.push((t.status().clone(), t.completion_percentage()))
        })
        .unwrap();
    assert_eq!(status, TaskStatus::Complete);
    assert_eq!(
        seen,
        vec![
            (TaskStatus::InProgress, Some(0.5)),
            (TaskStatus::InProgress, Some(0.75)),
            (TaskStatus::Complete, Some(0.5)),
        ]
    );
    assert_eq!(clock.sleeps(), vec![SECS(10); 3]);
}

#[test]
fn a_check_frequency_under_the_floor_is_refused_without_a_request() {
    let (_server, clock, mut task, tasks) = waiting(&statuses(&["IN_PROGRESS"]));
    let e = task
        .wait_with(WaitOptions::default().check_frequency(Duration::from_millis(1999)))
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidInput { field, .. } if field == "check_frequency"),
        "{e:?}"
    );
    tasks[0].assert();
    assert!(clock.sleeps().is_empty());
}

#[test]
fn the_builder_can_lower_the_floor() {
    let mut server = mockito::Server::new();
    let _user = mock_user(&mut server);
    let _tasks = mock_task_sequence(&mut server, &statuses(&["IN_PROGRESS", "COMPLETE"]));
    let clock = FakeClock::new();
    let client = builder(&server, &clock)
        .min_check_frequency(Duration::from_millis(100))
        .build()
        .unwrap();
    let mut task = client.get_task_by_id("t1").unwrap();
    let status = task
        .wait_with(WaitOptions::default().check_frequency(Duration::from_millis(100)))
        .unwrap();
    assert_eq!(status, TaskStatus::Complete);
    assert_eq!(clock.sleeps(), vec![Duration::from_millis(100)]);
}

#[test]
fn transient_poll_errors_are_retried_permanent_ones_end_the_wait() {
    // A 500 during a poll: retried after a 1 s backoff, then the wait goes on.
    let (mut server, clock, mut task, first) = waiting(&statuses(&["IN_PROGRESS"]));
    let broken = task_lookup(&mut server).with_status(500).expect(1).create();
    let last = mock_task_sequence(&mut server, &statuses(&["COMPLETE"]));
    assert_eq!(task.wait_till_done().unwrap(), TaskStatus::Complete);
    assert_eq!(clock.sleeps(), vec![SECS(2), SECS(1)]);
    first[0].assert();
    broken.assert();
    last[0].assert();

    // An authentication error during a poll ends the wait at once.
    let (mut server, clock, mut task, _first) = waiting(&statuses(&["IN_PROGRESS"]));
    let denied = task_lookup(&mut server)
        .with_body(
            r#"{"errors":[{"message":"revoked","extensions":{"code":"AUTHENTICATION_ERROR"}}]}"#,
        )
        .expect(1)
        .create();
    assert!(task.wait_till_done().unwrap_err().is_authentication());
    denied.assert();
    assert_eq!(clock.sleeps(), vec![SECS(2)]);
}

#[test]
fn a_zero_timeout_polls_once() {
    let (_server, clock, mut task, tasks) = waiting(&statuses(&["IN_PROGRESS", "IN_PROGRESS"]));
    let e = task
        .wait_with(WaitOptions::default().timeout(Duration::ZERO))
        .unwrap_err();
    assert!(matches!(e, Error::WaitTimedOut { polls: 1, .. }), "{e:?}");
    assert!(clock.sleeps().is_empty());
    tasks.iter().for_each(|m| m.assert());
}

#[test]
fn retries_during_a_wait_do_not_outlast_the_deadline() {
    let (mut server, clock, mut task, first) = waiting(&statuses(&["IN_PROGRESS"]));
    let broken = task_lookup(&mut server).with_status(500).expect(2).create();
    // Poll at 2 s fails; its retry (1 s backoff) fits before the 3 s deadline and fails
    // too; the next (2 s backoff) would end at 5 s: the wait ends with the real error.
    let e = task
        .wait_with(WaitOptions::default().timeout(SECS(3)))
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Server {
                status: 500,
                attempts: 2,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(clock.sleeps(), vec![SECS(2), SECS(1)]);
    first[0].assert();
    broken.assert();
}

/// A local server answering its first requests with `bodies` (HTTP 200, one connection each,
/// then closed), and accepting every later connection without ever answering. Returns its
/// GraphQL URL.
fn stalling_after(bodies: Vec<String>) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut answers = bodies.into_iter();
        let mut stalled = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let Some(body) = answers.next() else {
                stalled.push(stream); // held open, never answered
                continue;
            };
            // Read the request: headers, then Content-Length bytes.
            let mut reader = BufReader::new(&mut stream);
            let mut length = 0;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 2 {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let _ = reader.take(length).read_to_end(&mut Vec::new());
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

/// A client of `url` with a 10 s request timeout, far longer than the waits below.
fn stalling_client(url: String) -> labelbox::Client {
    labelbox::Client::builder()
        .api_key(KEY)
        .endpoint(url)
        .request_timeout(SECS(10))
        .min_check_frequency(Duration::from_millis(100))
        .build()
        .unwrap()
}

/// Waits 2 s on `task` against a stalling server: a timeout, within the deadline plus 1.5 s.
fn a_2s_wait_ends_within_its_margin(task: &mut labelbox::Task) {
    let deadline = SECS(2);
    let start = std::time::Instant::now();
    let e = task
        .wait_with(
            WaitOptions::default()
                .timeout(deadline)
                .check_frequency(Duration::from_millis(100)),
        )
        .unwrap_err();
    let elapsed = start.elapsed();
    assert!(e.is_timeout(), "{e:?}");
    assert!(
        elapsed < deadline + Duration::from_millis(1500),
        "the wait lasted {elapsed:?}"
    );
}

/// Issue 11, reproduction: against a server that stalls, `wait_with(timeout 4 s)` returned
/// after 14 s: each poll ran with the full request timeout, whatever time was left.
///
/// A socket timeout can only be observed in wall time, so this test runs on the system clock
/// and bounds the elapsed time with a generous margin: the deadline plus 1.5 s (the 1 s a poll
/// at the deadline is always allowed, and scheduling slack), far below the 10 s request
/// timeout the wait took before.
#[test]
fn a_stalling_server_cannot_stretch_a_wait_past_its_deadline() {
    let url = stalling_after(vec![
        data(serde_json::json!({"user": {"id": "user-1"}})),
        data(
            serde_json::json!({"user": {"createdTasks": [task_json("t1", "export-data-rows", "IN_PROGRESS")]}}),
        ),
    ]);
    let client = stalling_client(url);
    let mut task = client.get_task_by_id("t1").unwrap();
    a_2s_wait_ends_within_its_margin(&mut task);
}

/// Issue 11, the same overrun one step earlier: a task that never went through
/// `get_task_by_id` (restored from a snapshot, or returned by a mutation) makes the wait's
/// first poll look up the key's user id, and that lookup ran with the full request timeout.
/// Against a server that stalls every request, the wait must still end near its deadline
/// (wall time, same margin and reason as above).
#[test]
fn the_user_lookup_of_a_first_poll_is_bounded_by_the_deadline_too() {
    let url = stalling_after(Vec::new());
    let client = stalling_client(url);
    let snapshot = serde_json::json!({
        "id": "t1", "name": "task", "type": "export-data-rows", "status": "IN_PROGRESS",
        "completion_percentage": null, "created_at": "2026-11-29T07:00:01.000Z",
        "updated_at": "2026-11-29T07:00:02.000Z", "result": null, "errors": null, "metadata": null
    });
    let mut task = client.task_from_snapshot(snapshot).unwrap();
    a_2s_wait_ends_within_its_margin(&mut task);
}
