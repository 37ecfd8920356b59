//! Helpers shared by the integration tests: a fake clock, task JSON, a client for mockito.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use labelbox::{Client, ClientBuilder, Clock, RetryPolicy};
use serde_json::{json, Value};

pub const KEY: &str = "test-secret-key-0123456789";

/// A clock that only moves when slept on (or advanced by hand), recording every sleep.
#[derive(Debug, Clone)]
pub struct FakeClock {
    state: Arc<Mutex<ClockState>>,
}

#[derive(Debug)]
struct ClockState {
    now: Instant,
    sleeps: Vec<Duration>,
    /// Added to `now` on every `now()` call, to model time passing in requests.
    tick: Duration,
}

impl FakeClock {
    pub fn new() -> Self {
        FakeClock {
            state: Arc::new(Mutex::new(ClockState {
                now: Instant::now(),
                sleeps: Vec::new(),
                tick: Duration::ZERO,
            })),
        }
    }
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state.lock().unwrap().sleeps.clone()
    }
    pub fn advance(&self, d: Duration) {
        self.state.lock().unwrap().now += d;
    }
    pub fn set_tick(&self, d: Duration) {
        self.state.lock().unwrap().tick = d;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Instant {
        let mut s = self.state.lock().unwrap();
        let tick = s.tick;
        s.now += tick;
        s.now
    }
    fn sleep(&self, d: Duration) {
        let mut s = self.state.lock().unwrap();
        s.now += d;
        s.sleeps.push(d);
    }
}

/// A builder pointed at a mockito server, with a fake clock and the jitter at its ceiling.
pub fn builder(server: &mockito::ServerGuard, clock: &FakeClock) -> ClientBuilder {
    Client::builder()
        .api_key(KEY)
        .endpoint(format!("{}/graphql", server.url()))
        .clock(clock.clone())
        .jitter(|ceiling| ceiling)
}

pub fn client(server: &mockito::ServerGuard, clock: &FakeClock) -> Client {
    builder(server, clock).build().unwrap()
}

pub fn no_retry_client(server: &mockito::ServerGuard) -> Client {
    builder(server, &FakeClock::new())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// A task as the service sends it.
pub fn task_json(id: &str, task_type: &str, status: &str) -> Value {
    json!({
        "id": id,
        "name": "task",
        "type": task_type,
        "status": status,
        "completionPercentage": 0.5,
        "createdAt": "2026-11-29T07:00:01.000Z",
        "updatedAt": "2026-11-29T07:00:02Z",
        "result": null,
        "errors": null,
        "metadata": {"k": 1},
    })
}

pub fn data(v: Value) -> String {
    json!({ "data": v }).to_string()
}

/// Mocks the current-user query (`user { id }` with no argument).
pub fn mock_user(server: &mut mockito::ServerGuard) -> mockito::Mock {
    server
        .mock("POST", "/graphql")
        .match_body(mockito::Matcher::Regex("GetUserPyApi".into()))
        .with_status(200)
        .with_body(data(json!({"user": {"id": "user-1"}})))
        .create()
}

/// A mock of the by-id task lookup (`GetUserCreatedTasksPyApi`, any user and id), for the
/// caller to give an answer and an expected count, then create.
pub fn task_lookup(server: &mut mockito::ServerGuard) -> mockito::Mock {
    server
        .mock("POST", "/graphql")
        .match_body(mockito::Matcher::Regex("GetUserCreatedTasksPyApi".into()))
}

/// The lookup's answer when the user has no task of that id.
pub fn no_such_task() -> String {
    data(json!({"user": {"createdTasks": []}}))
}

/// Mocks the by-id lookup of one task, answering `bodies` in order (the last one repeats).
pub fn mock_task_sequence(
    server: &mut mockito::ServerGuard,
    tasks: &[Value],
) -> Vec<mockito::Mock> {
    tasks
        .iter()
        .map(|t| {
            task_lookup(server)
                .with_status(200)
                .with_body(data(json!({"user": {"createdTasks": [t]}})))
                .expect(1)
                .create()
        })
        .collect()
}
