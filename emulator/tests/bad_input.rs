//! Bad request input: every case gets a GraphQL-shaped error answer (`errors[].message` and
//! `extensions.code`, `data` null or partial) and the server keeps serving afterwards.

mod common;

use common::{data, error_code, gql, post_bytes, start, upload_url};
use labelbox_emulator::{Emulator, TaskSeed};
use serde_json::{json, Value};

const JSON: &str = "application/json";
const MULTIPART: &str = "multipart/form-data; boundary=XyZ";
const TASKS: &str = "query($s: Int, $f: Int) { organization { tasks(skip: $s first: $f) { id } } }";
const SUCCESSES: &str = "query($t: ID!, $f: Int, $c: String) { successesfulDataRowImports(data: {taskId: $t, first: $f, from: $c}) { nodes { id } after total } }";

fn emulator() -> Emulator {
    start(Emulator::builder())
}

/// The answer is a GraphQL error answer with `code`, and the server still answers a query.
fn assert_error_and_alive(emu: &Emulator, (status, body): (u16, Value), code: &str) {
    assert!((200..500).contains(&status), "status {status}: {body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{body}");
    assert_eq!(error_code(&body), code, "{body}");
    assert!(body.get("data").is_some(), "{body}");
    let alive = data(emu, "{ user { id } }", json!({}));
    assert_eq!(alive["user"]["id"], emu.user_id());
}

#[test]
fn bodies_that_are_not_a_graphql_request_are_malformed() {
    let emu = emulator();
    let cases: [&[u8]; 6] = [
        b"{\"query\": ",                                         // cut JSON
        b"\xff\xfe\x00not utf-8 \xc3\x28",                       // not UTF-8
        b"[1, 2, 3]",                                            // JSON, not an object
        b"{\"variables\": {}}",                                  // no query
        b"{\"query\": \"{ user { id } }\", \"variables\": [1]}", // variables not an object
        b"{\"query\": \"\\ud800\"}",                             // a lone surrogate
    ];
    for body in cases {
        let answer = post_bytes(&emu, JSON, body);
        assert_eq!(
            answer.0,
            400,
            "{:?}: {}",
            String::from_utf8_lossy(body),
            answer.1
        );
        assert_error_and_alive(&emu, answer, "MALFORMED_REQUEST");
    }
}

#[test]
fn bad_multipart_requests_are_malformed() {
    let emu = emulator();
    let no_parts = b"garbage without any boundary".to_vec();
    let ops = r#"{"query": "mutation($file: Upload!) { uploadFile(file: $file) { url } }", "variables": {"file": null}}"#;
    let no_map = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{ops}\r\n--XyZ--\r\n"
    );
    let bad_path = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{ops}\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"1\": [\"variables.nope.deeper\"]}}\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"1\"; filename=\"a\"\r\n\r\nabc\r\n--XyZ--\r\n"
    );
    let bad_operations: &[u8] =
        b"--XyZ\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n\xff\r\n--XyZ--\r\n";
    // A map to a path that does not exist leaves the file variable null: the document then
    // does not fit its variables.
    let cases = [
        (no_parts, "MALFORMED_REQUEST"),
        (no_map.into_bytes(), "MALFORMED_REQUEST"),
        (bad_path.into_bytes(), "GRAPHQL_VALIDATION_FAILED"),
        (bad_operations.to_vec(), "MALFORMED_REQUEST"),
    ];
    for (body, code) in cases {
        let answer = post_bytes(&emu, MULTIPART, &body);
        assert_eq!(answer.0, 400, "{}", answer.1);
        assert_error_and_alive(&emu, answer, code);
    }
}

#[test]
fn documents_that_do_not_parse_or_nest_absurdly_are_refused() {
    let emu = emulator();
    let deep = format!("{}{}", "{ user ".repeat(20_000), "}".repeat(20_000));
    for query in ["", "query {", "{ user { id } } }", "\u{0}", deep.as_str()] {
        let answer = gql(&emu, query, json!({}));
        assert_eq!(answer.0, 400, "{}", answer.1);
        let code = error_code(&answer.1).to_string();
        assert!(
            code == "GRAPHQL_PARSE_FAILED" || code == "GRAPHQL_VALIDATION_FAILED",
            "{}",
            answer.1
        );
        assert_error_and_alive(&emu, answer, &code);
    }
}

#[test]
fn out_of_range_and_negative_counts_are_validation_errors() {
    let emu = emulator();
    emu.insert_task(TaskSeed::default());
    let task = emu.insert_task(TaskSeed::default());
    let cases = [
        (TASKS, json!({"s": -1, "f": 10})),
        (TASKS, json!({"s": 0, "f": -5})),
        (TASKS, json!({"s": 0, "f": 99_999_999_999_u64})),
        (TASKS, json!({"s": 1e300, "f": 1})),
        (TASKS, json!({"s": "many", "f": 1})),
        (SUCCESSES, json!({"t": task, "f": -1, "c": null})),
        (
            SUCCESSES,
            json!({"t": task, "f": 4_294_967_296_u64, "c": null}),
        ),
        (
            "{ organization { tasks(first: 99999999999999999999999) { id } } }",
            json!({}),
        ),
    ];
    for (query, variables) in cases {
        let answer = gql(&emu, query, variables.clone());
        assert_eq!(answer.0, 400, "{variables}: {}", answer.1);
        assert_error_and_alive(&emu, answer, "GRAPHQL_VALIDATION_FAILED");
    }
    // The largest valid counts are fine: capped pages, not errors.
    let max = data(&emu, TASKS, json!({"s": i32::MAX, "f": i32::MAX}));
    assert_eq!(max["organization"]["tasks"], json!([]));
    let listed = data(&emu, TASKS, json!({"s": 0, "f": i32::MAX}));
    assert_eq!(
        listed["organization"]["tasks"].as_array().map(Vec::len),
        Some(2)
    );
}

#[test]
fn unknown_enum_values_in_filters_are_validation_errors() {
    let emu = emulator();
    let by_status = "query($s: TaskStatus!) { organization { tasks(where: {status: $s}) { id } } }";
    let cases = [
        (by_status, json!({"s": "PAUSED"})),
        (by_status, json!({"s": "in_progress"})),
        (by_status, json!({"s": 3})),
        (
            "{ organization { tasks(where: {status: SOMETIMES}) { id } } }",
            json!({}),
        ),
    ];
    for (query, variables) in cases {
        let answer = gql(&emu, query, variables.clone());
        assert_eq!(answer.0, 400, "{variables}: {}", answer.1);
        assert_error_and_alive(&emu, answer, "GRAPHQL_VALIDATION_FAILED");
    }
}

#[test]
fn odd_cursors_and_manifests_never_break_the_server() {
    let emu = emulator();
    let task = emu.insert_task(TaskSeed::default());
    // A cursor this list never gave is refused, never read as "from the start" (which would
    // hand the same rows out twice).
    for cursor in ["abc", "-1", "1", "99999999999999999999999999", "\u{1F600}"] {
        let answer = gql(&emu, SUCCESSES, json!({"t": task, "f": 5, "c": cursor}));
        assert_error_and_alive(&emu, answer, "MALFORMED_REQUEST");
    }
    let empty = data(&emu, SUCCESSES, json!({"t": task, "f": 5, "c": ""}));
    assert_eq!(empty["successesfulDataRowImports"]["total"], 0);
    // An import whose manifest is not a manifest fails its task, with the reason.
    let junk = upload_url(&emu, b"\xff\xfe not json");
    let upsert = "mutation($m: String!) { upsertDataRows(data: {manifestUri: $m}) { id } }";
    for manifest in [junk.as_str(), "https://elsewhere.example/m.json", "\u{0}"] {
        let started = data(&emu, upsert, json!({"m": manifest}));
        let id = started["upsertDataRows"]["id"].as_str().unwrap_or_default();
        let status = emu.wait_for_task(id, std::time::Duration::from_secs(60));
        assert_eq!(status.as_deref(), Some("FAILED"), "{manifest}");
    }
}
