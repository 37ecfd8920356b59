//! Retries are visible: each retry, and giving up, is logged at info through `log`, and no
//! logged line carries the key. A test binary of its own: a process has one logger.

mod common;

use std::sync::Mutex;

use common::*;
use labelbox::RetryPolicy;

/// Every record logged in this process, as (level, target, message).
static LINES: Mutex<Vec<(log::Level, String, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        LINES.lock().unwrap().push((
            record.level(),
            record.target().to_owned(),
            record.args().to_string(),
        ));
    }
    fn flush(&self) {}
}

/// Issue 12, reproduction: retries were logged at debug only ("attempt 1 failed"), without
/// the attempt count, and giving up was silent at info.
#[test]
fn retries_and_giving_up_are_logged_at_info_without_the_key() {
    log::set_logger(&Capture).unwrap();
    // Debug, the level a user would turn on to see more; TRACE is documented as carrying the key.
    log::set_max_level(log::LevelFilter::Debug);

    let mut server = mockito::Server::new();
    // The service echoes the request, key included, in its error body.
    let failing = server
        .mock("POST", "/graphql")
        .with_status(503)
        .with_body(format!("overloaded; Authorization: Bearer {KEY}"))
        .expect(3)
        .create();
    let clock = FakeClock::new();
    let client = builder(&server, &clock)
        .retry_policy(RetryPolicy::default().max_attempts(3))
        .build()
        .unwrap();
    assert!(client.user_id().is_err());
    failing.assert();

    let lines = std::mem::take(&mut *LINES.lock().unwrap());
    let info = sdk_info(&lines);
    assert_eq!(info.len(), 3, "{info:#?}");
    assert!(
        info[0].starts_with("attempt 1 of 3 failed (server error 503"),
        "{}",
        info[0]
    );
    assert!(info[0].ends_with("retrying in 1s"), "{}", info[0]);
    assert!(info[1].starts_with("attempt 2 of 3 failed"), "{}", info[1]);
    assert!(info[1].ends_with("retrying in 2s"), "{}", info[1]);
    assert!(
        info[2].starts_with("giving up after 3 of 3 attempts: server error 503"),
        "{}",
        info[2]
    );
    // A mutation is not re-sent after a failure that may have reached the service: said too.
    assert!(client
        .create_dataset("d")
        .unwrap_err()
        .may_have_been_processed());
    let mutation_lines = std::mem::take(&mut *LINES.lock().unwrap());
    let info = sdk_info(&mutation_lines);
    assert_eq!(info.len(), 1, "{info:#?}");
    assert!(
        info[0].ends_with("not re-sent: the mutation may have been processed"),
        "{}",
        info[0]
    );

    // The client's lines (the test server, mockito, logs requests as it received them).
    let client_side = ["labelbox", "ureq", "rustls"];
    let client_lines = lines
        .iter()
        .chain(&mutation_lines)
        .filter(|(_, target, _)| client_side.iter().any(|c| target.starts_with(c)));
    for (_, target, message) in client_lines {
        assert!(!message.contains(KEY), "{target}: {message}");
    }
}

/// The SDK's own lines at info.
fn sdk_info(lines: &[(log::Level, String, String)]) -> Vec<&str> {
    lines
        .iter()
        .filter(|(level, target, _)| *level == log::Level::Info && target.starts_with("labelbox"))
        .map(|(_, _, message)| message.as_str())
        .collect()
}
