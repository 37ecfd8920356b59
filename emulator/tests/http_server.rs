//! The HTTP server under the schema: what it reads before answering, how long it waits for a
//! body, how many connections it holds, and the framing of served files. Raw sockets where the
//! point is what a misbehaving client does.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::time::Duration;

use common::{data, gql, post_bytes, start, upload_url};
use labelbox_emulator::{Emulator, DEFAULT_MAX_BODY_BYTES};
use serde_json::json;

const USER: &str = "{ user { id } }";

/// Sends a POST head to `/graphql` declaring `length` bytes, then `sent` bytes of its body.
fn post_head(emu: &Emulator, key: &str, length: u64, sent: &[u8]) -> TcpStream {
    let mut stream =
        TcpStream::connect(("127.0.0.1", emu.port())).unwrap_or_else(|e| panic!("connect: {e}"));
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    );
    let written = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(sent));
    written.unwrap_or_else(|e| panic!("write: {e}"));
    stream
}

/// The status of the answer read from `stream` (`None` if none came within 20 s).
fn status_of(stream: &mut TcpStream) -> Option<u16> {
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .ok()?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    let line = String::from_utf8_lossy(&head);
    line.split_whitespace().nth(1)?.parse().ok()
}

/// True once the server has closed `stream` (everything it sent is read first).
fn closed_by_server(stream: &mut TcpStream) -> bool {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => true,
        Err(e) => e.kind() == ErrorKind::ConnectionReset,
    }
}

/// Threads of this test process (`/proc/self/status`).
fn threads() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// Reproduction (issue 11 #9): the emulator read a request body of up to 256 MiB before
/// checking the key, so 8 unauthenticated posts of 250 MiB took it to 4.4 GiB. Here 8 clients
/// declare 250 MiB and send only their heads: each is answered 401 at once (on the old code
/// the answer never came, the server waiting for the body). A declared body over the limit
/// with the right key is answered 413 the same way.
#[test]
fn wrong_keys_and_oversized_bodies_are_refused_before_the_body_is_read() {
    let emu = start(Emulator::builder());
    let declared = 250 * 1024 * 1024;
    let mut clients: Vec<TcpStream> = (0..8)
        .map(|_| post_head(&emu, "wrong-key", declared, b"{\"query\": "))
        .collect();
    for client in &mut clients {
        assert_eq!(status_of(client), Some(401));
        assert!(
            closed_by_server(client),
            "the unread body's connection stays open"
        );
    }
    let mut oversized = post_head(&emu, emu.api_key(), DEFAULT_MAX_BODY_BYTES + 1, b"");
    assert_eq!(status_of(&mut oversized), Some(413));
    let mut at_limit = post_head(&emu, emu.api_key(), DEFAULT_MAX_BODY_BYTES, b"{}");
    drop(at_limit.shutdown(std::net::Shutdown::Write));
    assert_ne!(status_of(&mut at_limit), Some(413));
    let log = emu.requests();
    assert_eq!(log.len(), 10);
    assert!(log[..8]
        .iter()
        .all(|r| r.status == 401 && r.fields.is_empty()));
    assert_eq!(log[8].status, 413);
    assert_eq!(data(&emu, USER, json!({}))["user"]["id"], emu.user_id());
}

/// The body limit is configurable, and holds for chunked bodies, which declare no length.
#[test]
fn the_body_limit_is_configurable_and_holds_for_chunked_bodies() {
    let emu = start(Emulator::builder().max_body_bytes(200));
    let small = json!({"query": USER}).to_string();
    let (status, _) = post_bytes(&emu, "application/json", small.as_bytes());
    assert_eq!(status, 200);
    let padded = format!(
        "{{\"query\": \"{USER}\", \"pad\": \"{}\"}}",
        "x".repeat(300)
    );
    let (status, body) = post_bytes(&emu, "application/json", padded.as_bytes());
    assert_eq!(status, 413, "{body}");

    let mut chunked =
        TcpStream::connect(("127.0.0.1", emu.port())).unwrap_or_else(|e| panic!("connect: {e}"));
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n\
         {:x}\r\n{padded}\r\n0\r\n\r\n",
        emu.api_key(),
        padded.len()
    );
    chunked
        .write_all(request.as_bytes())
        .unwrap_or_else(|e| panic!("write: {e}"));
    assert_eq!(status_of(&mut chunked), Some(413));
}

/// Reproduction (issue 11 #10): there was no timeout on reading a body. 8 clients that
/// declared 1 MB and sent 10 bytes blocked every worker, so a valid request got no answer, and
/// dropping the `Emulator` hung until such a client left. Here the valid request is answered
/// while they stall, and dropping the emulator does not wait for them.
#[test]
fn stalled_bodies_block_neither_other_requests_nor_shutdown() {
    let emu = start(Emulator::builder());
    let stalled: Vec<TcpStream> = (0..8)
        .map(|_| post_head(&emu, emu.api_key(), 1_000_000, b"{\"query\":"))
        .collect();
    let (status, body) = gql(&emu, USER, json!({}));
    assert_eq!(status, 200, "{body}");

    let (dropped, done) = mpsc::channel();
    std::thread::spawn(move || {
        drop(emu);
        let _ = dropped.send(());
    });
    assert!(
        done.recv_timeout(Duration::from_secs(20)).is_ok(),
        "dropping the emulator waited on stalled clients"
    );
    drop(stalled);
}

/// A body that does not arrive within the body timeout is answered 408 and its connection
/// closed; the server serves on.
#[test]
fn a_body_that_stalls_past_the_timeout_is_answered_408() {
    let emu = start(Emulator::builder().body_timeout(Duration::from_millis(300)));
    let mut stalled = post_head(&emu, emu.api_key(), 1_000_000, b"{\"query\":");
    assert_eq!(status_of(&mut stalled), Some(408));
    assert!(closed_by_server(&mut stalled));
    let record = emu.requests().pop().map(|r| r.status);
    assert_eq!(record, Some(408));
    assert_eq!(data(&emu, USER, json!({}))["user"]["id"], emu.user_id());
}

/// Reproduction (issue 11 #11): one thread per open connection, reclaimed only seconds after
/// it closed, so 2,000 idle sockets made 2,000 threads. Here 500 idle sockets add no thread
/// (on the old code: one each), and a valid request, accepted after all of them, is answered.
#[test]
fn idle_connections_cost_no_thread_and_a_request_still_gets_its_answer() {
    let emu = start(Emulator::builder());
    let before = threads();
    let idle: Vec<TcpStream> = (0..500)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", emu.port())).ok())
        .collect();
    assert_eq!(idle.len(), 500);
    // Accepted in order: once this is answered, every idle socket has been accepted.
    let (status, body) = gql(&emu, USER, json!({}));
    assert_eq!(status, 200, "{body}");
    let added = threads().saturating_sub(before);
    assert!(added < 50, "{added} threads for 500 idle connections");
}

/// Past the connection limit a new connection waits; connections that send no request are
/// closed after the idle timeout, so it is then served.
#[test]
fn past_the_connection_limit_a_connection_waits_for_an_idle_one_to_close() {
    let emu = start(
        Emulator::builder()
            .max_connections(2)
            .idle_timeout(Duration::from_millis(300)),
    );
    let mut idle: Vec<TcpStream> = (0..2)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", emu.port())).ok())
        .collect();
    let (status, body) = gql(&emu, USER, json!({}));
    assert_eq!(status, 200, "{body}");
    for socket in &mut idle {
        assert!(closed_by_server(socket));
    }
}

/// Reproduction (issue 14): served files of 32 KiB or more had no `Content-Length` (they were
/// sent chunked), on GET and on HEAD. Every size carries it now, uploads included.
#[test]
fn served_files_carry_content_length_on_get_and_head_whatever_their_size() {
    let emu = start(Emulator::builder());
    let agent = common::agent();
    let mut urls: Vec<(String, Vec<u8>)> = [0, 10, 32 * 1024 - 1, 32 * 1024, 1_000_000]
        .into_iter()
        .map(|size| {
            let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            (
                emu.put_file(bytes.clone(), "application/octet-stream"),
                bytes,
            )
        })
        .collect();
    let uploaded = vec![b'u'; 50_000];
    urls.push((upload_url(&emu, &uploaded), uploaded));
    for (url, bytes) in urls {
        let length = bytes.len().to_string();
        let mut got = agent
            .get(&url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let header = |name: &str, r: &ureq::http::Response<ureq::Body>| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        assert_eq!(header("content-length", &got).as_deref(), Some(&*length));
        assert_eq!(header("transfer-encoding", &got), None);
        let body = got
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .unwrap_or_default();
        assert!(body == bytes, "GET {url}: body differs");
        let head = agent
            .head(&url)
            .call()
            .unwrap_or_else(|e| panic!("HEAD {url}: {e}"));
        assert_eq!(header("content-length", &head).as_deref(), Some(&*length));
        assert_eq!(header("transfer-encoding", &head), None);
    }
}
