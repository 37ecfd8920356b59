//! The built `labelbox` binary against the in-process emulator: every command, every exit code,
//! `--json` parsed back, and non-terminal output free of progress-bar control characters.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;
use std::time::Duration;

use labelbox_emulator::{Emulator, TaskSeed};
use serde_json::Value;

mod common;

use common::{bare_command, command, execute, finish, labelbox, Run};

fn emulator() -> Emulator {
    Emulator::builder().start().expect("the emulator starts")
}

fn labelbox_stdin(emu: &Emulator, args: &[&str], input: &str) -> Run {
    let mut child = command(emu, args)
        .stdin(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(input.as_bytes()).expect("stdin written");
    drop(stdin);
    finish(child)
}

/// Which output stream a test reads while the binary runs.
#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

/// Runs the binary until it has written `lines` lines on `stream`, hands them to `between`
/// (which e.g. finishes a task, so the lines are known to come first), then runs it to its end.
/// The run holds the whole output.
fn run_in_two_steps(
    emu: &Emulator,
    args: &[&str],
    stream: Stream,
    lines: usize,
    between: impl FnOnce(&str),
) -> Run {
    let mut child = command(emu, args).spawn().expect("starts");
    let mut reader: Box<dyn BufRead> = match stream {
        Stream::Stdout => Box::new(BufReader::new(child.stdout.take().expect("piped"))),
        Stream::Stderr => Box::new(BufReader::new(child.stderr.take().expect("piped"))),
    };
    let mut first = String::new();
    for _ in 0..lines {
        reader.read_line(&mut first).expect("a line");
    }
    between(&first);
    let mut rest = String::new();
    reader.read_to_string(&mut rest).expect("the rest");
    drop(reader);
    let mut run = finish(child);
    match stream {
        Stream::Stdout => run.stdout = first + &rest,
        Stream::Stderr => run.stderr = first + &rest,
    }
    run
}

fn seed(emu: &Emulator, task_type: &str, status: &str, result: Option<&str>) -> String {
    emu.insert_task(TaskSeed {
        task_type: task_type.into(),
        status: status.into(),
        result: result.map(str::to_string),
        ..TaskSeed::default()
    })
}

/// `words`, then `--timeout TIMEOUT --every 2s --json`: a wait that polls as often as allowed
/// and prints the task as JSON.
fn json_wait<'a>(words: &[&'a str], timeout: &'a str) -> Vec<&'a str> {
    let mut args = words.to_vec();
    args.extend(["--timeout", timeout, "--every", "2s", "--json"]);
    args
}

/// `data-rows import --dataset DATASET FILE`, then `more`.
fn import_args<'a>(dataset: &'a str, file: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["data-rows", "import", "--dataset", dataset, file];
    args.extend_from_slice(more);
    args
}

/// Imports FILE into the dataset.
fn import(emu: &Emulator, dataset: &str, file: &str, more: &[&str]) -> Run {
    labelbox(emu, &import_args(dataset, file, more))
}

/// Imports `rows`, given on stdin, into the dataset.
fn import_stdin(emu: &Emulator, dataset: &str, rows: &str, more: &[&str]) -> Run {
    labelbox_stdin(emu, &import_args(dataset, "-", more), rows)
}

/// A scratch directory removed at the end of the test (no extra crate for it).
mod tempdir {
    use std::path::PathBuf;

    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new(tag: &str) -> Dir {
            let path = std::env::temp_dir()
                .join(format!("labelbox-cli-test-{tag}-{}", std::process::id()));
            std::fs::create_dir_all(&path).expect("temp dir");
            Dir(path)
        }

        pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> String {
            let path = self.0.join(name);
            std::fs::write(&path, content).expect("file written");
            path.display().to_string()
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

// ---- help and usage -------------------------------------------------------------------------

#[test]
fn every_command_has_help_with_an_example() {
    let emu = emulator();
    let commands: [&[&str]; 16] = [
        &[],
        &["task"],
        &["dataset"],
        &["data-rows"],
        &["task", "get"],
        &["task", "wait"],
        &["task", "list"],
        &["task", "cancel"],
        &["task", "result"],
        &["task", "errors"],
        &["dataset", "create"],
        &["dataset", "get"],
        &["dataset", "list"],
        &["data-rows", "import"],
        &["completions"],
        &["man"],
    ];
    for words in commands {
        let mut args = words.to_vec();
        args.push("--help");
        let run = labelbox(&emu, &args);
        run.expect(0);
        assert!(run.stdout.contains("Example"), "{words:?}: {}", run.stdout);
    }
    let top = labelbox(&emu, &["--help"]);
    for code in [
        "0  success",
        "2  the wait timed out",
        "4  authentication",
        "5  any other",
    ] {
        assert!(
            top.stdout.contains(code),
            "{code} not in --help: {}",
            top.stdout
        );
    }
    assert!(
        !top.stdout.contains(emu.api_key()),
        "the key is never printed"
    );
}

#[test]
fn usage_errors_exit_3() {
    let emu = emulator();
    for args in [
        &["task", "get"][..],
        &["task", "frobnicate"],
        &["task", "list", "--status", "sleepy"],
        &["task", "wait", "x", "--timeout", "soon"],
        &["task", "wait", "x", "--every", "1s"],
        &[
            "task",
            "list",
            "--since",
            "1h",
            "--created-after",
            "2026-01-01T00:00:00Z",
        ],
        &["task", "list", "--created-after", "yesterday"],
        &[
            "data-rows",
            "import",
            "--dataset",
            "d",
            "/no/such/file.ndjson",
        ],
        &[],
    ] {
        let run = labelbox(&emu, args);
        run.expect(3);
        assert!(run.stderr.contains("error"), "{args:?}: {run:?}");
        assert!(run.stdout.is_empty(), "{args:?}: {run:?}");
    }
    let run = labelbox(&emu, &["task", "wait", "x", "--every", "1s"]);
    assert!(run.stderr.contains("at least 2s"), "{run:?}");
}

// ---- authentication -------------------------------------------------------------------------

#[test]
fn a_bad_or_missing_key_exits_4_without_printing_the_key() {
    let emu = emulator();
    let id = seed(&emu, "send-to-annotate", "COMPLETE", None);
    let bad_key = "not-the-key-0123456789";
    let run = execute(command(&emu, &["task", "get", &id]).env("LABELBOX_API_KEY", bad_key));
    run.expect(4);
    assert!(!run.stderr.contains(bad_key), "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "one line: {run:?}");

    let run = execute(command(&emu, &["task", "get", &id, "-v"]).env_remove("LABELBOX_API_KEY"));
    run.expect(4);
    assert!(run.stderr.contains("LABELBOX_API_KEY"), "{run:?}");

    // --api-key wins over the environment.
    let mut with_key = command(
        &emu,
        &["task", "get", &id, "--api-key", emu.api_key(), "--json"],
    );
    let run = execute(with_key.env("LABELBOX_API_KEY", bad_key));
    run.expect(0);
    assert!(!run.stdout.contains(emu.api_key()));
}

/// A local server that answers every request with a 404 whose message spans two lines.
fn broken_endpoint() -> String {
    scripted_endpoint(|_| {
        (
            "404 Not Found",
            r#"{"message": "no such page\nsee the docs"}"#.to_owned(),
        )
    })
}

/// A local server answering the `n`th request (from 0) with `answer(n)`: a status line's
/// status and a body.
fn scripted_endpoint(answer: fn(usize) -> (&'static str, String)) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().flatten().enumerate() {
            let (status, body) = answer(n);
            let _ = answer_request(stream, status, &body);
        }
    });
    format!("http://127.0.0.1:{port}/graphql")
}

fn answer_request(stream: std::net::TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        if line.trim().is_empty() {
            break;
        }
    }
    reader.read_exact(&mut vec![0; length])?;
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn an_api_answer_that_makes_no_sense_exits_5() {
    let emu = emulator();
    // Through LABELBOX_ENDPOINT this time (no --endpoint).
    let run = execute(
        bare_command(&emu)
            .args(["task", "get", "t1"])
            .env("LABELBOX_ENDPOINT", broken_endpoint()),
    );
    run.expect(5);
    assert_eq!(run.stderr.lines().count(), 1, "one line: {run:?}");
    assert!(run.stderr.contains("no such page see the docs"), "{run:?}");
}

/// An endpoint on a local port nothing listens on (bound, then let go): connections are refused.
fn closed_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/graphql")
}

#[test]
fn a_dead_endpoint_exits_5_within_the_retry_budget() {
    let emu = emulator();
    let endpoint = closed_endpoint();
    let started = std::time::Instant::now();
    // The SDK's own budget (2 minutes) takes about 70 s here; 1 s is spent in about 1 s.
    let args = [
        "task",
        "get",
        "t1",
        "--endpoint",
        &endpoint,
        "--retry-budget",
        "1s",
    ];
    let run = execute(bare_command(&emu).args(args));
    run.expect(5);
    // The SDK's error, then its cause (the OS's words: "Connection refused").
    assert!(
        run.stderr.to_lowercase().contains("connection refused"),
        "{run:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10), "{run:?}");
    // Issue 21: the first retry is said at once, without -v, in one line: what failed, for
    // how long it will be retried and the flag that changes it; then the error.
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{run:?}");
    assert!(
        lines[0].starts_with(&format!("labelbox: a request to {endpoint} failed (")),
        "{run:?}"
    );
    assert!(lines[0].contains("retrying for up to 1s"), "{run:?}");
    assert!(lines[0].contains("--retry-budget"), "{run:?}");
    assert!(lines[1].starts_with("error: "), "{run:?}");
    // --quiet keeps the error alone.
    let run = execute(bare_command(&emu).args(args).arg("--quiet"));
    run.expect(5);
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(run.stderr.starts_with("error: "), "{run:?}");

    // From the environment; 0s sends the request once, and nothing is retried or said so.
    let mut once = bare_command(&emu);
    once.args(["task", "get", "t1", "--endpoint", &endpoint])
        .env("LABELBOX_RETRY_BUDGET", "0s");
    let run = execute(&mut once);
    run.expect(5);
    assert!(!run.stderr.contains("attempts"), "{run:?}");
    assert!(!run.stderr.contains("retrying"), "{run:?}");

    let run = labelbox(&emu, &["task", "get", "t1", "--retry-budget", "soon"]);
    run.expect(3);
}

// ---- task get / list ------------------------------------------------------------------------

#[test]
fn task_get_prints_fields_or_one_json_document() {
    let emu = emulator();
    let id = seed(
        &emu,
        "send-to-annotate",
        "COMPLETE",
        Some(r#"{"ok": true}"#),
    );
    let run = labelbox(&emu, &["task", "get", &id]);
    run.expect(0);
    assert!(run
        .stdout
        .lines()
        .any(|l| l.starts_with("status") && l.ends_with("COMPLETE")));
    assert!(run
        .stdout
        .lines()
        .any(|l| l.starts_with("id") && l.ends_with(&id)));

    let task = labelbox(&emu, &["task", "get", &id, "--json"])
        .expect(0)
        .json();
    assert_eq!(task["id"], id.as_str());
    assert_eq!(task["status"], "COMPLETE");
    assert_eq!(task["type"], "send-to-annotate");

    let run = labelbox(&emu, &["task", "get", "no-such-task"]);
    run.expect(3);
    assert!(run.stderr.contains("no-such-task"), "{run:?}");
}

#[test]
fn task_list_filters_and_prints_a_table_or_an_array() {
    let emu = emulator();
    let failed = seed(&emu, "send-to-annotate", "FAILED", Some(r#"{"error":"x"}"#));
    let complete = seed(&emu, "add-data-rows-to-batch", "COMPLETE", None);
    let running = seed(&emu, "send-to-annotate", "IN_PROGRESS", None);

    let run = labelbox(&emu, &["task", "list"]);
    run.expect(0);
    let header = run.stdout.lines().next().expect("a header");
    assert!(
        header.starts_with("ID") && header.contains("STATUS"),
        "{run:?}"
    );
    for id in [&failed, &complete, &running] {
        assert!(run.stdout.contains(id.as_str()), "{run:?}");
    }

    let only_failed = labelbox(&emu, &["task", "list", "--status", "failed", "--json"])
        .expect(0)
        .json();
    let ids: Vec<&str> = only_failed
        .as_array()
        .expect("an array")
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [failed.as_str()]);

    let by_type = labelbox(
        &emu,
        &[
            "task",
            "list",
            "--type",
            "add-data-rows-to-batch",
            "--since",
            "1h",
            "--json",
        ],
    )
    .expect(0)
    .json();
    assert_eq!(by_type.as_array().map(Vec::len), Some(1));
    assert_eq!(by_type[0]["id"], complete.as_str());

    let limited = labelbox(&emu, &["task", "list", "--limit", "2", "--json"])
        .expect(0)
        .json();
    assert_eq!(limited.as_array().map(Vec::len), Some(2));

    let future = labelbox(
        &emu,
        &[
            "task",
            "list",
            "--created-after",
            "2999-01-01T00:00:00Z",
            "--json",
        ],
    )
    .expect(0)
    .json();
    assert_eq!(future, Value::Array(vec![]));
}

/// Issue 21: an API error on the second page left `[` and 100 tasks on stdout, unclosed.
#[test]
fn task_list_json_stays_one_valid_document_when_a_page_fails() {
    let emu = emulator();
    let endpoint = scripted_endpoint(|page| {
        match page {
        0 => {
            let tasks: Vec<Value> = (0..100)
                .map(|i| {
                    serde_json::json!({
                        "id": format!("t{i}"), "name": "n", "type": "send-to-annotate",
                        "status": "COMPLETE", "completionPercentage": 1.0,
                        "createdAt": "2026-11-29T07:00:01.000Z",
                        "updatedAt": "2026-11-29T07:00:01.000Z",
                        "result": null, "errors": null, "metadata": null
                    })
                })
                .collect();
            let data = serde_json::json!({"data": {"organization": {"tasks": tasks}}});
            ("200 OK", data.to_string())
        }
        _ => (
            "200 OK",
            r#"{"data": null, "errors": [{"message": "not allowed", "extensions": {"code": "AUTHORIZATION_ERROR"}}]}"#
                .to_owned(),
        ),
    }
    });
    let args = ["task", "list", "--all", "--json", "--endpoint", &endpoint];
    let run = execute(bare_command(&emu).args(args));
    run.expect(4);
    let listed = run.json();
    assert_eq!(listed.as_array().map(Vec::len), Some(100), "{run:?}");
    assert_eq!(listed[99]["id"], "t99");
    assert!(run.stderr.contains("not allowed"), "{run:?}");
}

#[test]
fn task_list_status_reads_both_cancelling_spellings_in_any_case() {
    let emu = emulator();
    let two_ls = seed(&emu, "send-to-annotate", "CANCELLING", None);
    let one_l = seed(&emu, "send-to-annotate", "CANCELING", None);
    seed(&emu, "send-to-annotate", "CANCELED", None);
    for spelling in ["cancelling", "canceling", "CANCELLING", "CANCELING"] {
        let listed = labelbox(&emu, &["task", "list", "--status", spelling, "--json"])
            .expect(0)
            .json();
        let mut ids: Vec<&str> = listed
            .as_array()
            .expect("an array")
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        ids.sort_unstable();
        let mut want = [two_ls.as_str(), one_l.as_str()];
        want.sort_unstable();
        assert_eq!(ids, want, "--status {spelling}");
    }
}

#[test]
fn task_list_takes_extreme_limits_and_durations() {
    let emu = emulator();
    seed(&emu, "send-to-annotate", "COMPLETE", None);
    let all = labelbox(
        &emu,
        &["task", "list", "--limit", &usize::MAX.to_string(), "--json"],
    );
    assert_eq!(all.expect(0).json().as_array().map(Vec::len), Some(1));
    let none = labelbox(&emu, &["task", "list", "--limit", "0", "--json"]);
    assert_eq!(none.expect(0).json(), Value::Array(vec![]));
    let since_now = labelbox(&emu, &["task", "list", "--since", "0s", "--json"]);
    assert_eq!(since_now.expect(0).json(), Value::Array(vec![]));

    let too_many = labelbox(&emu, &["task", "list", "--limit", "1".repeat(30).as_str()]);
    too_many.expect(3);
    let before = emu.requests().len();
    let before_1970 = labelbox(&emu, &["task", "list", "--since", "100000000000y"]);
    before_1970.expect(3);
    assert!(
        before_1970.stderr.contains("before 1970"),
        "{before_1970:?}"
    );
    assert_eq!(emu.requests().len(), before);
}

// ---- task wait ------------------------------------------------------------------------------

#[test]
fn task_wait_follows_the_task_with_plain_lines_and_exits_0() {
    let emu = emulator();
    let id = seed(&emu, "send-to-annotate", "IN_PROGRESS", None);
    let args = json_wait(&["task", "wait", &id], "30s");
    // The first progress line says the task is running; only then does it finish.
    let run = run_in_two_steps(&emu, &args, Stream::Stderr, 1, |first| {
        assert_eq!(first.trim_end(), format!("task {id}: IN_PROGRESS"));
        assert!(emu.set_task_status(&id, "COMPLETE"));
    });
    run.expect(0);
    assert!(
        run.stderr.contains(&format!("task {id}: COMPLETE")),
        "{run:?}"
    );
    assert_eq!(run.json()["status"], "COMPLETE");
}

#[test]
fn task_wait_on_a_failed_task_exits_1_with_its_error() {
    let emu = emulator();
    let id = seed(
        &emu,
        "send-to-annotate",
        "FAILED",
        Some(r#"{"error": "queue is gone"}"#),
    );
    let run = labelbox(&emu, &["task", "wait", &id]);
    run.expect(1);
    assert!(run.stderr.contains("queue is gone"), "{run:?}");
    assert!(run.stdout.contains("FAILED"), "{run:?}");

    let id = seed(&emu, "send-to-annotate", "CANCELED", None);
    let run = labelbox(&emu, &["task", "wait", &id, "--quiet"]);
    run.expect(1);
    assert!(run.stderr.contains("canceled"), "{run:?}");
}

#[test]
fn task_wait_times_out_with_exit_2() {
    let emu = emulator();
    let id = seed(&emu, "send-to-annotate", "IN_PROGRESS", None);
    let args = json_wait(&["task", "wait", &id], "2s");
    let run = labelbox(&emu, &args);
    run.expect(2);
    assert!(run.stderr.contains("timed out"), "{run:?}");
    assert_eq!(run.json()["status"], "IN_PROGRESS");

    // A zero timeout looks once.
    let run = labelbox(&emu, &json_wait(&["task", "wait", &id], "0s"));
    run.expect(2);
    assert!(run.stderr.contains("timed out after 0s"), "{run:?}");
}

// ---- datasets, imports, results, errors, cancel ---------------------------------------------

fn create_dataset(emu: &Emulator, name: &str) -> String {
    let dataset = labelbox(emu, &["dataset", "create", name, "--json"])
        .expect(0)
        .json();
    assert_eq!(dataset["name"], name);
    dataset["id"].as_str().expect("an id").to_string()
}

#[test]
fn dataset_create_and_get() {
    let emu = emulator();
    let id = create_dataset(&emu, "pictures");
    let run = labelbox(&emu, &["dataset", "get", &id]);
    run.expect(0);
    assert!(run
        .stdout
        .lines()
        .any(|l| l.starts_with("name") && l.ends_with("pictures")));
    let dataset = labelbox(&emu, &["dataset", "get", &id, "--json"])
        .expect(0)
        .json();
    assert_eq!(dataset["row_count"], 0);
    labelbox(&emu, &["dataset", "get", "no-such-dataset"]).expect(3);
}

#[test]
fn bad_rows_are_all_named_in_one_report_before_any_request() {
    let emu = emulator();
    let dataset = create_dataset(&emu, "d");
    let dir = tempdir::Dir::new("bad-rows");
    // Line 2: syntax; line 3: shape; lines 4 and 5: the SDK's own rules (line 5 twice).
    let file = dir.write(
        "rows.ndjson",
        "{\"row_data\": \"https://e.com/1.jpg\"}\n\
         {oops\n\
         {\"row_data\": \"https://e.com/3.jpg\", \"colour\": 1}\n\
         {\"row_data\": \"s3://bucket/4.jpg\"}\n\
         {\"row_data\": \"\", \"global_key\": \"\"}\n",
    );
    let before = emu.requests().len();
    let run = import(&emu, &dataset, &file, &["--wait", "30s"]);
    run.expect(3);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines.len(),
        5,
        "a heading and one line per bad row: {run:?}"
    );
    assert!(
        lines[0].contains("4 problems, nothing was imported"),
        "{run:?}"
    );
    assert!(lines[1].contains("line 2:"), "{run:?}");
    assert!(
        lines[2].contains("line 3:") && lines[2].contains("colour"),
        "{run:?}"
    );
    assert!(lines[3].contains("line 4: row_data: s3 assets"), "{run:?}");
    assert!(
        lines[4].contains("line 5:")
            && lines[4].contains("row data is empty")
            && lines[4].contains("global key is empty"),
        "{run:?}"
    );
    assert_eq!(
        emu.requests().len(),
        before,
        "no request, not even the dataset lookup"
    );

    // In an array, rows are named by item and line; a missing dataset is never looked up.
    let file = dir.write(
        "rows.json",
        "[\n {\"row_data\": \"https://e.com/1.jpg\"},\n {\"row_data\": \"s3://b/2.jpg\"},\n {\"global_key\": \"k\"}\n]",
    );
    let run = import(&emu, "no-such-dataset", &file, &[]);
    run.expect(3);
    assert!(run.stderr.contains("item 2 (line 3)"), "{run:?}");
    assert!(run.stderr.contains("item 3 (line 4)"), "{run:?}");
    assert!(!run.stderr.contains("no-such-dataset"), "{run:?}");
    assert_eq!(emu.requests().len(), before);
    assert!(emu.data_rows(&dataset).is_empty());
}

#[test]
fn odd_rows_files_are_refused_without_a_panic_or_a_request() {
    let emu = emulator();
    let dir = tempdir::Dir::new("odd-rows");
    let before = emu.requests().len();
    for (name, content, problem) in [
        ("empty.ndjson", &b""[..], "empty.ndjson: no rows to import"),
        (
            "blank.ndjson",
            b"\n  \n\t\r\n",
            "blank.ndjson: no rows to import",
        ),
        ("empty.json", b"[]", "empty.json: no rows to import"),
        (
            "trailing.json",
            b"[{\"row_data\": \"https://e.com/1.jpg\"}]\n\n]x",
            "trailing.json: line 3: unexpected text after the JSON array",
        ),
        (
            "latin1.ndjson",
            b"{\"row_data\": \"https://e.com/1.jpg\"}\n{\"external_id\": \"caf\xe9\"}\n",
            "latin1.ndjson: line 2: not UTF-8 text (byte 21 of the line)",
        ),
    ] {
        let file = dir.write(name, content);
        let run = import(&emu, "d", &file, &[]);
        run.expect(3);
        assert!(run.stderr.contains(problem), "{name}: {run:?}");
    }
    assert_eq!(emu.requests().len(), before);
}

#[test]
fn an_import_with_a_failed_row_reports_counts_exits_1_and_streams_results_and_errors() {
    let emu = emulator();
    let dataset = create_dataset(&emu, "d");
    let rows = "{\"row_data\": \"https://e.com/1.jpg\", \"global_key\": \"k1\"}\n\
                {\"row_data\": \"https://e.com/2.jpg\", \"global_key\": \"k2\", \"external_id\": \"two\"}\n\
                {\"row_data\": \"https://e.com/3.jpg\", \"global_key\": \"k1\"}\n";
    let run = import_stdin(
        &emu,
        &dataset,
        rows,
        &["--wait", "30s", "--json", "--every", "2s"],
    );
    run.expect(1);
    let report = run.json();
    assert_eq!(report["created"], 2, "{run:?}");
    assert_eq!(report["failed"], 1, "{run:?}");
    assert!(run.stderr.contains("Duplicate global key"), "{run:?}");
    let task_id = report["task"]["id"]
        .as_str()
        .expect("a task id")
        .to_string();

    let created = labelbox(&emu, &["task", "result", &task_id])
        .expect(0)
        .ndjson();
    assert_eq!(created.len(), 2);
    assert!(created.iter().any(|row| row["external_id"] == "two"));
    let failed = labelbox(&emu, &["task", "errors", &task_id])
        .expect(0)
        .ndjson();
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("Duplicate global key"));
    assert_eq!(emu.data_rows(&dataset).len(), 2);

    // Waiting for the import later says the same.
    let run = labelbox(&emu, &["task", "wait", &task_id]);
    run.expect(1);
    assert!(run.stderr.contains("2 rows created, 1 failed"), "{run:?}");
}

#[test]
fn an_import_without_wait_prints_the_task_id_and_a_clean_import_exits_0() {
    let emu = emulator();
    let dataset = create_dataset(&emu, "d");
    let dir = tempdir::Dir::new("good-rows");
    let file = dir.write(
        "rows.json",
        r#"[{"row_data": "https://e.com/1.jpg", "global_key": "a"}]"#,
    );
    let run = import(&emu, &dataset, &file, &[]);
    run.expect(0);
    let task_id = run.stdout.trim().to_string();
    let waited = labelbox(&emu, &["task", "wait", &task_id, "--every", "2s", "--json"])
        .expect(0)
        .json();
    assert_eq!(waited["type"], "adv-upsert-data-rows");

    let file = dir.write("more.ndjson", "{\"row_data\": \"https://e.com/2.jpg\"}\n");
    let run = import(&emu, &dataset, &file, &["--wait", "30s", "--every", "2s"]);
    run.expect(0);
    // Progress in a log: plain lines, the last one the finished task.
    let last = run.stderr.lines().rfind(|l| l.starts_with("task "));
    assert!(
        last.is_some_and(|l| l.ends_with(": COMPLETE 100%")),
        "{run:?}"
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("created") && l.ends_with(" 1")),
        "{run:?}"
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("failed") && l.ends_with(" 0")),
        "{run:?}"
    );
    assert_eq!(emu.data_rows(&dataset).len(), 2);
}

#[test]
fn inline_results_stream_as_ndjson() {
    let emu = emulator();
    let id = seed(&emu, "send-to-annotate", "COMPLETE", Some(r#"{"sent": 3}"#));
    let lines = labelbox(&emu, &["task", "result", &id]).expect(0).ndjson();
    assert_eq!(lines, [serde_json::json!({"sent": 3})]);
    let running = seed(&emu, "send-to-annotate", "IN_PROGRESS", None);
    labelbox(&emu, &["task", "result", &running]).expect(3);
}

#[test]
fn cancel_with_wait_exits_0_once_canceled_and_refusals_exit_3() {
    let emu = Emulator::builder()
        .min_task_duration(Duration::from_secs(60))
        .start()
        .expect("the emulator starts");
    let dataset = create_dataset(&emu, "d");
    let run = import_stdin(
        &emu,
        &dataset,
        "{\"row_data\": \"https://e.com/1.jpg\"}\n",
        &[],
    );
    run.expect(0);
    // Imports are not a cancelable type.
    labelbox(&emu, &["task", "cancel", run.stdout.trim()]).expect(3);
    let task_id = seed(&emu, "export-data-rows", "IN_PROGRESS", None);
    let args = json_wait(&["task", "cancel", &task_id, "--wait"], "20s");
    let run = labelbox(&emu, &args);
    run.expect(0);
    assert_eq!(run.json()["status"], "CANCELED");

    // Already canceled: what was asked for, so a success.
    let again = labelbox(&emu, &["task", "cancel", &task_id]);
    again.expect(0);
    assert!(again.stderr.contains("already canceled"), "{again:?}");
    let not_cancelable = seed(&emu, "some-other-type", "IN_PROGRESS", None);
    labelbox(&emu, &["task", "cancel", &not_cancelable]).expect(3);
}

// ---- issue 13: logging, errors in CLI words, waiting like CI wants, listing, shells ---------

#[test]
fn verbose_shows_the_sdks_retries_and_never_the_key_or_http_traces() {
    let emu = emulator();
    let endpoint = closed_endpoint();
    let secret = "secret-key-that-must-never-show-0123";
    let args = [
        "task",
        "get",
        "t1",
        "--endpoint",
        &endpoint,
        "--retry-budget",
        "2s",
        "--api-key",
        secret,
    ];
    // Even a logger-wide RUST_LOG=trace does not open the HTTP crates' traces.
    let run = execute(
        bare_command(&emu)
            .args(args)
            .arg("-vv")
            .env("RUST_LOG", "trace"),
    );
    run.expect(5);
    assert!(!run.stderr.contains(secret), "{run:?}");
    assert!(
        !run.stderr.to_lowercase().contains("authorization"),
        "{run:?}"
    );
    let retries = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("labelbox: ") && l.contains("retrying in"))
        .count();
    assert!(
        retries >= 1,
        "the retries are shown as they happen: {run:?}"
    );
    for line in run.stderr.lines() {
        assert!(
            line.starts_with("labelbox: ")
                || line.starts_with("error: ")
                || line.starts_with("  caused by: "),
            "only the SDK's records and the error: {line:?}"
        );
    }
    // With -v, no first-retry notice beside the records; without -v, that notice (no
    // records) and the error; with --quiet, the error alone.
    assert!(!run.stderr.contains("-v shows each retry"), "{run:?}");
    let plain = execute(bare_command(&emu).args(args));
    let lines: Vec<&str> = plain.expect(5).stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{plain:?}");
    assert!(lines[0].contains("-v shows each retry"), "{plain:?}");
    let quiet = execute(bare_command(&emu).args(args).arg("--quiet"));
    assert_eq!(quiet.expect(5).stderr.lines().count(), 1, "{quiet:?}");

    // -v: info and warnings, e.g. the SDK's warning about a failed task.
    let failed = seed(
        &emu,
        "send-to-annotate",
        "FAILED",
        Some(r#"{"error": "x"}"#),
    );
    let run = labelbox(&emu, &["task", "wait", &failed, "-v"]);
    run.expect(1);
    assert!(run.stderr.contains("labelbox: warn: task"), "{run:?}");
    assert!(!run.stderr.contains(emu.api_key()), "{run:?}");
    let run = labelbox(&emu, &["task", "wait", &failed]);
    assert!(!run.stderr.contains("labelbox: warn"), "{run:?}");
}

#[test]
fn a_malformed_key_exits_4_as_documented() {
    let emu = emulator();
    for key in ["abc def", "abc\u{7}def"] {
        let run = execute(command(&emu, &["task", "get", "t1"]).env("LABELBOX_API_KEY", key));
        run.expect(4);
        assert!(run.stderr.contains("LABELBOX_API_KEY"), "{run:?}");
        assert!(!run.stderr.contains(key), "{run:?}");
    }
    let run = labelbox(&emu, &["task", "get", "t1", "--api-key", "abc def"]);
    run.expect(4);
}

#[test]
fn usage_errors_do_not_list_options_the_environment_supplies() {
    let emu = emulator();
    let run = execute(
        bare_command(&emu)
            .args(["task", "wait"])
            .env("LABELBOX_ENDPOINT", emu.url())
            .env("LABELBOX_RETRY_BUDGET", "5s"),
    );
    run.expect(3);
    assert!(run.stderr.contains("<ID>"), "{run:?}");
    for option in ["--api-key", "--endpoint", "--retry-budget"] {
        assert!(!run.stderr.contains(option), "{option}: {run:?}");
    }
    let run = execute(
        bare_command(&emu)
            .args(["task", "get", "t1"])
            .env("LABELBOX_RETRY_BUDGET", "soon"),
    );
    run.expect(3);
    assert!(run.stderr.contains("LABELBOX_RETRY_BUDGET"), "{run:?}");
}

#[test]
fn errors_are_told_in_cli_words() {
    let emu = emulator();
    let running = seed(&emu, "send-to-annotate", "IN_PROGRESS", None);
    let run = labelbox(&emu, &["task", "result", &running]);
    run.expect(3);
    assert!(
        run.stderr
            .contains(&format!("labelbox task wait {running}")),
        "{run:?}"
    );
    assert!(!run.stderr.contains("::"), "no SDK names: {run:?}");
    let run = labelbox(&emu, &["task", "get", "no-such-task"]);
    assert!(
        run.expect(3).stderr.contains("labelbox task list --mine"),
        "{run:?}"
    );
}

/// The lines of `task wait ID ID...` (or its NDJSON), by task id.
fn endings(run: &Run) -> std::collections::HashMap<String, Value> {
    run.ndjson()
        .into_iter()
        .map(|line| (line["id"].as_str().unwrap().to_string(), line))
        .collect()
}

#[test]
fn task_wait_takes_several_tasks_under_one_deadline_and_exits_with_the_worst() {
    let emu = emulator();
    let complete = seed(&emu, "send-to-annotate", "COMPLETE", None);
    let failed = seed(
        &emu,
        "send-to-annotate",
        "FAILED",
        Some(r#"{"error": "gone"}"#),
    );
    let running = seed(&emu, "send-to-annotate", "IN_PROGRESS", None);

    // The finished tasks are reported at once, the running one when it ends.
    let args = json_wait(&["task", "wait", &complete, &failed, &running], "30s");
    let run = run_in_two_steps(&emu, &args, Stream::Stdout, 2, |first_two| {
        assert!(
            first_two.contains(&complete) && first_two.contains(&failed),
            "{first_two}"
        );
        assert!(!first_two.contains(&running), "{first_two}");
        assert!(emu.set_task_status(&running, "COMPLETE"));
    });
    run.expect(1);
    let lines = endings(&run);
    assert_eq!(lines.len(), 3, "{run:?}");
    assert_eq!(lines[&complete]["exit"], 0);
    assert_eq!(lines[&failed]["exit"], 1);
    assert!(
        lines[&failed]["message"].as_str().unwrap().contains("gone"),
        "{run:?}"
    );
    assert_eq!(lines[&running]["status"], "COMPLETE");

    // --for done: any end is a success.
    let run = labelbox(
        &emu,
        &json_wait(&["task", "wait", &complete, &failed, "--for", "done"], "5s"),
    );
    run.expect(0);

    // A task still running at the deadline (2), one that does not exist (3): the worst wins.
    let stuck = seed(&emu, "send-to-annotate", "IN_PROGRESS", None);
    let run = labelbox(
        &emu,
        &json_wait(&["task", "wait", &complete, &stuck, "no-such-task"], "2s"),
    );
    run.expect(3);
    let lines = endings(&run);
    assert_eq!(lines[&stuck]["exit"], 2, "{run:?}");
    assert_eq!(lines["no-such-task"]["exit"], 3, "{run:?}");
    let run = labelbox(
        &emu,
        &["task", "wait", &complete, &stuck, "--timeout", "2s"],
    );
    run.expect(2);
    assert!(
        run.stdout.lines().any(|l| l.starts_with(stuck.as_str())
            && l.contains("exit 2")
            && l.contains("timed out")),
        "plain lines: {run:?}"
    );
}

#[test]
fn failed_rows_of_a_complete_import_can_be_allowed() {
    let emu = emulator();
    let dataset = create_dataset(&emu, "d");
    let rows = "{\"row_data\": \"https://e.com/1.jpg\", \"global_key\": \"k1\"}\n\
                {\"row_data\": \"https://e.com/2.jpg\", \"global_key\": \"k1\"}\n";
    let run = import_stdin(
        &emu,
        &dataset,
        rows,
        &[
            "--wait",
            "30s",
            "--every",
            "2s",
            "--json",
            "--allow-failed-rows",
        ],
    );
    run.expect(0);
    assert_eq!(run.json()["failed"], 1, "{run:?}");
    assert!(run.stderr.contains("--allow-failed-rows"), "{run:?}");
    let task_id = run.json()["task"]["id"].as_str().unwrap().to_string();
    labelbox(&emu, &["task", "wait", &task_id]).expect(1);
    labelbox(&emu, &["task", "wait", &task_id, "--allow-failed-rows"]).expect(0);
    labelbox(&emu, &["task", "wait", &task_id, "--for", "done"]).expect(0);
    // In a multi-task wait too, with the counts on the task's line.
    let run = labelbox(
        &emu,
        &["task", "wait", &task_id, &task_id, "--allow-failed-rows"],
    );
    run.expect(0);
    assert!(run.stdout.contains("1 rows created, 1 failed"), "{run:?}");
}

#[test]
fn cancel_with_wait_on_a_task_already_cancelling_waits_for_canceled() {
    let emu = emulator();
    let id = seed(&emu, "adv-upsert-data-rows", "CANCELLING", None);
    let args = json_wait(&["task", "cancel", &id, "--wait"], "30s");
    let run = run_in_two_steps(&emu, &args, Stream::Stderr, 1, |first| {
        assert!(first.contains("already being canceled"), "{first}");
        assert!(emu.set_task_status(&id, "CANCELED"));
    });
    run.expect(0);
    assert_eq!(run.json()["status"], "CANCELED");
    assert_eq!(
        count_requests(&emu, "cancelBulkOperationJob"),
        0,
        "nothing re-sent"
    );
}

fn count_requests(emu: &Emulator, field: &str) -> usize {
    emu.requests()
        .iter()
        .filter(|r| r.fields.iter().any(|f| f == field))
        .count()
}

#[test]
fn task_list_shows_20_by_default_all_on_request_and_reads_only_the_pages_it_needs() {
    let emu = emulator();
    let ids: Vec<String> = (0..150)
        .map(|_| seed(&emu, "send-to-annotate", "COMPLETE", None))
        .collect();
    let before = count_requests(&emu, "organization");
    let run = labelbox(&emu, &["task", "list"]);
    run.expect(0);
    assert_eq!(
        run.stdout.lines().count(),
        21,
        "a header and 20 rows: {run:?}"
    );
    assert!(
        run.stderr.contains("--all"),
        "a hint that there is more: {run:?}"
    );
    assert_eq!(
        count_requests(&emu, "organization") - before,
        1,
        "one page read"
    );

    let all = labelbox(&emu, &["task", "list", "--all", "--json"])
        .expect(0)
        .json();
    assert_eq!(all.as_array().map(Vec::len), Some(150));
    let mine = labelbox(
        &emu,
        &["task", "list", "--mine", "--limit", "120", "--json"],
    )
    .expect(0)
    .json();
    assert_eq!(mine.as_array().map(Vec::len), Some(120));
    let listed: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(ids.iter().all(|id| listed.contains(&id.as_str())));
    labelbox(&emu, &["task", "list", "--all", "--limit", "3"]).expect(3);
}

#[test]
fn datasets_are_listed_and_found_by_name() {
    let emu = emulator();
    let first = create_dataset(&emu, "nightly");
    let other = create_dataset(&emu, "other");
    let run = labelbox(&emu, &["dataset", "list"]);
    run.expect(0);
    assert!(run.stdout.starts_with("ID"), "{run:?}");
    assert!(
        run.stdout.contains(&first) && run.stdout.contains(&other),
        "{run:?}"
    );
    let named = labelbox(&emu, &["dataset", "list", "--name", "other", "--json"])
        .expect(0)
        .json();
    assert_eq!(named.as_array().map(Vec::len), Some(1));
    assert_eq!(named[0]["id"], other.as_str());

    let found = labelbox(&emu, &["dataset", "get", "--name", "nightly", "--json"])
        .expect(0)
        .json();
    assert_eq!(found["id"], first.as_str());
    labelbox(&emu, &["dataset", "get", "--name", "none such"]).expect(3);

    // An import script needs no id: the dataset by name.
    let rows = "{\"row_data\": \"https://e.com/1.jpg\"}\n";
    let run = labelbox_stdin(
        &emu,
        &[
            "data-rows",
            "import",
            "--dataset-name",
            "nightly",
            "-",
            "--wait",
            "30s",
            "--every",
            "2s",
        ],
        rows,
    );
    run.expect(0);
    assert_eq!(emu.data_rows(&first).len(), 1);
    // Two datasets with one name: which one is not guessed.
    create_dataset(&emu, "nightly");
    let run = labelbox_stdin(
        &emu,
        &["data-rows", "import", "--dataset-name", "nightly", "-"],
        rows,
    );
    run.expect(3);
    assert!(run.stderr.contains("2 datasets are named"), "{run:?}");
    assert_eq!(emu.data_rows(&first).len(), 1);
}

#[test]
fn a_large_rows_file_streams_in_both_forms_and_every_row_arrives_once() {
    let emu = emulator();
    let dataset = create_dataset(&emu, "big");
    let dir = tempdir::Dir::new("large-rows");
    let rows: Vec<String> = (0..3_000)
        .map(|i| format!("{{\"row_data\": \"https://e.com/{i}.jpg\", \"global_key\": \"g{i}\", \"metadata_fields\": [{{\"schema_id\": \"s\", \"value\": {i}}}]}}"))
        .collect();
    let ndjson = dir.write("rows.ndjson", rows[..1_500].join("\n"));
    let array = dir.write("rows.json", format!("[\n{}\n]", rows[1_500..].join(",\n")));
    for file in [&ndjson, &array] {
        import(&emu, &dataset, file, &["--wait", "60s", "--every", "2s"]).expect(0);
    }
    let stored = emu.data_rows(&dataset);
    assert_eq!(stored.len(), 3_000);
    let mut keys: Vec<_> = stored.iter().filter_map(|r| r.global_key.clone()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 3_000, "every row once");
}

#[test]
fn completions_and_a_man_page_are_generated() {
    let emu = emulator();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = execute(
            bare_command(&emu)
                .args(["completions", shell])
                .env_remove("LABELBOX_API_KEY"),
        );
        run.expect(0);
        assert!(run.stdout.contains("labelbox"), "{shell}: {run:?}");
        assert!(
            run.stdout.contains("allow-failed-rows"),
            "{shell}: every option: {run:?}"
        );
    }
    labelbox(&emu, &["completions", "tcsh"]).expect(3);
    let man = execute(bare_command(&emu).arg("man").env_remove("LABELBOX_API_KEY"));
    man.expect(0);
    assert!(man.stdout.contains(".TH labelbox 1"), "{man:?}");
    assert!(man.stdout.contains("completions"), "{man:?}");
}
