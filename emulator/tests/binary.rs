//! The `labelbox-emulator` binary: startup line, flags, NDJSON request log.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_labelbox-emulator"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the binary: {e}"));
    let mut line = String::new();
    if let Some(stderr) = child.stderr.take() {
        let _ = BufReader::new(stderr).read_line(&mut line);
    }
    (Running(child), line)
}

#[test]
fn prints_its_endpoint_and_logs_requests_as_ndjson() {
    let log = std::env::temp_dir().join(format!("emulator-log-{}.ndjson", std::process::id()));
    let log_path = log.to_string_lossy().to_string();
    let (_child, line) = start(&[
        "--api-key",
        "bin-key",
        "--request-log",
        &log_path,
        "--rate-limit",
        "2/1m",
    ]);
    assert!(
        line.starts_with("labelbox-emulator listening on http://127.0.0.1:"),
        "{line}"
    );
    assert!(
        line.trim_end().ends_with("/graphql (api key: bin-key)"),
        "{line}"
    );
    let url = line
        .split_whitespace()
        .nth(3)
        .unwrap_or_default()
        .to_string();

    let body = json!({"query": "query GetUserPyApi { user { id } }"});
    let statuses: Vec<u16> = (0..3)
        .map(|_| common::post_raw(&url, Some("bin-key"), &body).0)
        .collect();
    assert_eq!(statuses, vec![200, 200, 429]);

    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or(Value::Null))
        .collect();
    assert_eq!(records.len(), 3, "{text}");
    assert_eq!(records[0]["operation"], "GetUserPyApi");
    assert_eq!(records[2]["status"], 429);
    assert_eq!(records[2]["fault"], "rate_limited");
    assert!(!text.contains("bin-key"));
}

#[test]
fn a_bad_flag_is_refused_with_status_2() {
    let output = Command::new(env!("CARGO_BIN_EXE_labelbox-emulator"))
        .arg("--no-such-flag")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown argument"));
    let help = Command::new(env!("CARGO_BIN_EXE_labelbox-emulator"))
        .arg("--help")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(String::from_utf8_lossy(&help.stdout).contains("--server-error-rate"));
}

#[test]
fn the_server_limits_are_flags() {
    let (_child, line) = start(&[
        "--api-key",
        "bin-key",
        "--max-body-bytes",
        "64",
        "--body-timeout",
        "5s",
        "--max-connections",
        "8",
        "--idle-timeout",
        "5s",
    ]);
    let url = line
        .split_whitespace()
        .nth(3)
        .unwrap_or_default()
        .to_string();
    let short = json!({"query": "{ user { id } }"});
    assert_eq!(common::post_raw(&url, Some("bin-key"), &short).0, 200);
    let long = json!({"query": format!("{{ user {{ id }} }}{}", " ".repeat(64))});
    assert_eq!(common::post_raw(&url, Some("bin-key"), &long).0, 413);

    let refused = Command::new(env!("CARGO_BIN_EXE_labelbox-emulator"))
        .args(["--max-connections", "0"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("connection"));
}
