//! Faults on demand, the request log, and shutdown.

mod common;

use std::time::{Duration, Instant};

use common::{
    create_item, create_items, gql, post_raw, start, upload_manifest, upload_url, UPSERT,
};
use labelbox_emulator::{key_fingerprint, Emulator, FaultKind, Faults};
use serde_json::{json, Value};

const USER: &str = "query GetUserPyApi { user { id } }";
const TASKS: &str = "{ organization { tasks { id } } }";

fn with_faults(faults: Faults) -> Emulator {
    start(
        Emulator::builder()
            .faults(faults)
            .import_rows_per_second(1_000_000)
            .min_task_duration(Duration::ZERO),
    )
}

fn statuses(emu: &Emulator, n: usize) -> Vec<u16> {
    (0..n).map(|_| gql(emu, USER, json!({})).0).collect()
}

#[test]
fn server_errors_are_a_deterministic_share_decided_by_the_seed() {
    let a = with_faults(Faults::seeded(11).server_errors(0.4));
    let b = with_faults(Faults::seeded(11).server_errors(0.4));
    let c = with_faults(Faults::seeded(12).server_errors(0.4));
    let sa = statuses(&a, 40);
    assert_eq!(sa, statuses(&b, 40));
    assert_ne!(sa, statuses(&c, 40));
    let errors = sa.iter().filter(|s| **s >= 500).count();
    assert!((4..30).contains(&errors), "{sa:?}");
    assert!(
        sa.iter().all(|s| [200, 500, 502, 503].contains(s)),
        "{sa:?}"
    );
    let log = a.requests();
    for (record, status) in log.iter().zip(&sa) {
        assert_eq!(record.status, *status);
        let expected = (*status >= 500).then_some(FaultKind::ServerError(*status));
        assert_eq!(record.fault, expected);
    }
}

#[test]
fn a_server_error_is_answered_before_executing_and_exempt_operations_are_spared() {
    let emu = with_faults(
        Faults::seeded(1)
            .server_errors(1.0)
            .except_operations(["organization", "uploadFile"]),
    );
    let ds = emu.create_dataset("d");
    let manifest = upload_manifest(&emu, &json!([create_item(&ds, "k")]));
    let (status, _) = gql(&emu, UPSERT, json!({"manifestUri": manifest}));
    assert!(status >= 500, "{status}");
    let (status, body) = gql(&emu, TASKS, json!({}));
    assert_eq!(status, 200);
    assert_eq!(
        body["data"]["organization"]["tasks"],
        json!([]),
        "nothing was started"
    );
    assert!(emu.data_rows(&ds).is_empty());
}

#[test]
fn rate_limiting_answers_429_with_retry_after_even_for_exempt_operations() {
    let emu = with_faults(
        Faults::seeded(1)
            .rate_limit(2, Duration::from_secs(60))
            .except_operations(["user"]),
    );
    let body = json!({"query": USER});
    let answers: Vec<_> = (0..3)
        .map(|_| post_raw(&emu.url(), Some(emu.api_key()), &body))
        .collect();
    assert_eq!(answers[0].0, 200);
    assert_eq!(answers[1].0, 200);
    let (status, retry_after, text) = &answers[2];
    assert_eq!(*status, 429);
    let secs: u64 = retry_after
        .as_deref()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    assert!((1..=60).contains(&secs), "{retry_after:?}");
    let parsed: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let message = parsed["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("You have exceeded the limit of 2 requests per"),
        "{message}"
    );
    assert_eq!(emu.requests()[2].fault, Some(FaultKind::RateLimited));
}

#[test]
fn a_dropped_connection_happens_after_executing() {
    let emu = with_faults(
        Faults::seeded(5)
            .dropped_connections(1.0)
            .except_operations(["organization", "uploadFile"]),
    );
    let ds = emu.create_dataset("d");
    let manifest = upload_manifest(&emu, &json!([create_item(&ds, "k")]));
    // Several cut requests: the client sees a failure each time, and every one was executed.
    for _ in 0..8 {
        let (status, _, text) = post_raw(
            &emu.url(),
            Some(emu.api_key()),
            &json!({"query": UPSERT, "variables": {"manifestUri": manifest}}),
        );
        assert_eq!(status, 0, "the client must not get an answer: {text}");
    }
    let (_, body) = gql(&emu, TASKS, json!({}));
    assert_eq!(
        body["data"]["organization"]["tasks"]
            .as_array()
            .map(Vec::len),
        Some(8)
    );
    let cut: Vec<_> = emu
        .requests()
        .into_iter()
        .filter(|r| r.fields == ["upsertDataRows"])
        .map(|r| (r.status, r.fault))
        .collect();
    assert_eq!(cut.len(), 8);
    // Both kinds of cut occur (the seed fixes which requests get which).
    assert!(cut
        .iter()
        .any(|(_, f)| *f == Some(FaultKind::DroppedMidBody)));
    assert!(cut
        .iter()
        .any(|(_, f)| *f == Some(FaultKind::DroppedBeforeStatus)));
    assert!(cut.iter().all(|(status, fault)| *status == 200
        && matches!(
            fault,
            Some(FaultKind::DroppedMidBody | FaultKind::DroppedBeforeStatus)
        )));
}

#[test]
fn latency_delays_every_answer() {
    let emu = with_faults(Faults::none().latency(Duration::from_millis(150)));
    let started = Instant::now();
    let (status, _) = gql(&emu, USER, json!({}));
    assert_eq!(status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[test]
fn the_request_log_names_operations_and_variables_but_never_the_key() {
    let emu = start(Emulator::builder().api_key("very-secret-key"));
    let (status, _) = gql(
        &emu,
        "query GetDatasetPyApi($param_0: ID!) { dataset(where: {id: $param_0}) { id } }",
        json!({"param_0": "abc"}),
    );
    assert_eq!(status, 200);
    let _ = post_raw(
        &emu.url(),
        Some("wrong"),
        &json!({"query": "{ a: user { id } organization { id } }"}),
    );
    upload_url(&emu, b"hello");
    let log = emu.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].operation.as_deref(), Some("GetDatasetPyApi"));
    assert_eq!(log[0].fields, vec!["dataset"]);
    assert_eq!(log[0].variables, json!({"param_0": "abc"}));
    assert_eq!(
        log[0].key_fingerprint,
        Some(key_fingerprint("very-secret-key"))
    );
    // A wrong key is answered from the headers: the body, and so the fields, are never read.
    assert_eq!(log[1].operation, None);
    assert!(log[1].fields.is_empty());
    assert_eq!(log[1].variables, Value::Null);
    assert_eq!(log[1].status, 401);
    assert_eq!(log[1].key_fingerprint, Some(key_fingerprint("wrong")));
    assert_eq!(log[2].operation.as_deref(), Some("UploadFile"));
    assert_eq!(
        log[2].variables,
        json!({"file": null, "contentLength": 5, "sign": false})
    );
    let printed = serde_json::to_string(&log).unwrap_or_default();
    assert!(!printed.contains("very-secret-key") && !printed.contains("\"wrong\""));
}

#[test]
fn dropping_the_handle_shuts_the_server_and_its_imports_down() {
    let emu = start(Emulator::builder().import_rows_per_second(1));
    let ds = emu.create_dataset("d");
    let items = create_items(&ds, "s", 100);
    let id = common::start_import(&emu, &items);
    assert_eq!(emu.task_status(&id).as_deref(), Some("IN_PROGRESS"));
    let url = emu.url();
    drop(emu);
    let (status, _, text) = post_raw(&url, Some("k"), &json!({"query": USER}));
    assert_eq!(status, 0, "server still answering: {text}");
}
