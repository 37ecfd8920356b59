//! Shared setup of the import tests: an emulator and a client whose waits are compressed.
#![allow(dead_code)]

use std::sync::Mutex;
use std::time::{Duration, Instant};

use labelbox::{Client, Clock, DataRowSpec, RetryPolicy, RowData, WaitOptions};
use labelbox_emulator::{Emulator, EmulatorBuilder, Faults, RequestRecord};

/// A clock whose sleeps take at most `max_real` of real time while its `now` advances by the
/// full duration: backoff and polling delays cost (almost) nothing, and time-based logic still
/// sees the durations it asked for. A few milliseconds of real sleep let the emulator's
/// background work and rate-limit windows move on.
#[derive(Debug)]
pub struct FastClock {
    max_real: Duration,
    skipped: Mutex<Duration>,
}

impl FastClock {
    pub fn new(max_real: Duration) -> Self {
        FastClock {
            max_real,
            skipped: Mutex::new(Duration::ZERO),
        }
    }
}

impl Clock for FastClock {
    fn now(&self) -> Instant {
        let skipped = *self.skipped.lock().unwrap_or_else(|e| e.into_inner());
        Instant::now() + skipped
    }

    fn sleep(&self, duration: Duration) {
        let real = duration.min(self.max_real);
        std::thread::sleep(real);
        *self.skipped.lock().unwrap_or_else(|e| e.into_inner()) += duration - real;
    }
}

/// An emulator that imports fast and finishes tasks quickly.
pub fn fast_emulator() -> EmulatorBuilder {
    Emulator::builder()
        .import_rows_per_second(200_000)
        .min_task_duration(Duration::from_millis(50))
}

pub fn start(builder: EmulatorBuilder) -> Emulator {
    builder.start().expect("emulator starts")
}

pub fn emulator() -> Emulator {
    start(fast_emulator())
}

pub fn emulator_with_faults(faults: Faults) -> Emulator {
    start(fast_emulator().faults(faults))
}

/// A client of `emu` with many quick retries and a compressed clock.
pub fn client(emu: &Emulator) -> Client {
    Client::builder()
        .api_key(emu.api_key())
        .endpoint(emu.url())
        .allow_insecure_http(true)
        .min_check_frequency(Duration::from_millis(10))
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(60)
                .initial_delay(Duration::from_millis(10))
                .max_delay(Duration::from_millis(200))
                .total_budget(Duration::from_secs(600)),
        )
        .clock(FastClock::new(Duration::from_millis(20)))
        .build()
        .expect("client builds")
}

/// Polls often, for a long (virtual) time.
pub fn wait_options() -> WaitOptions {
    WaitOptions::default()
        .timeout(Duration::from_secs(600))
        .check_frequency(Duration::from_millis(20))
}

/// `n` specs with global keys `{prefix}-{i}` and URLs that name the index.
pub fn specs(prefix: &str, n: usize) -> Vec<DataRowSpec> {
    (0..n)
        .map(|i| {
            DataRowSpec::new(RowData::url(format!(
                "https://example.com/{prefix}/{i}.jpg"
            )))
            .global_key(format!("{prefix}-{i}"))
            .external_id(format!("{prefix}-ext-{i}"))
        })
        .collect()
}

/// A dataset of `n` rows with keys `{prefix}-{i}`, imported and waited for; answers their ids
/// in key order.
pub fn keyed_rows(client: &Client, prefix: &str, n: usize) -> Vec<String> {
    let dataset = client.create_dataset(prefix).unwrap();
    let mut task = dataset.create_data_rows(&specs(prefix, n)).unwrap();
    assert_eq!(
        task.wait_with(wait_options()).unwrap(),
        labelbox::TaskStatus::Complete
    );
    let mut created: Vec<(usize, String)> = task
        .results()
        .unwrap()
        .map(|r| {
            let r = r.unwrap();
            let index = r.global_key().unwrap().rsplit('-').next().unwrap();
            (index.parse().unwrap(), r.id().to_owned())
        })
        .collect();
    created.sort();
    created.into_iter().map(|(_, id)| id).collect()
}

/// The requests of the log that had `field` as a top-level field, in order.
pub fn requests_with(emu: &Emulator, field: &str) -> Vec<RequestRecord> {
    emu.requests()
        .into_iter()
        .filter(|r| r.fields.iter().any(|f| f == field))
        .collect()
}

/// How many requests in the log had `field` as a top-level field.
pub fn count_field(emu: &Emulator, field: &str) -> usize {
    requests_with(emu, field).len()
}

/// Starts an import whose manifest the emulator cannot read (sent by hand: the SDK only
/// uploads valid manifests), so the task ends `FAILED`. Answers the task id.
pub fn start_failing_import(emu: &Emulator) -> String {
    let body = serde_json::json!({
        "query": "mutation($m: String!) { upsertDataRows(data: {manifestUri: $m}) { id } }",
        "variables": {"m": "https://elsewhere.example/manifest.json"},
    });
    let text = ureq::post(emu.url())
        .header("Authorization", format!("Bearer {}", emu.api_key()))
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .expect("the mutation is answered")
        .body_mut()
        .read_to_string()
        .expect("a text answer");
    let answer: serde_json::Value = serde_json::from_str(&text).expect("a JSON answer");
    answer["data"]["upsertDataRows"]["id"]
        .as_str()
        .expect("a task id")
        .to_owned()
}
