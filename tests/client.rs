//! Building clients: key checks, the https rule, Debug without the key, env configuration,
//! and the user id fetched once.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use labelbox::{Client, Error};
use serde_json::json;

#[test]
fn a_missing_or_empty_key_is_refused_before_any_request() {
    for key in ["", "   "] {
        let e = Client::new(key).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput { field, .. } if field == "api_key"),
            "{e:?}"
        );
    }
    let e = Client::builder().build().unwrap_err();
    assert!(e.is_invalid_input(), "{e:?}");
    let e = Client::new("two words").unwrap_err();
    assert!(e.is_invalid_input(), "{e:?}");
}

#[test]
fn plain_http_to_a_non_loopback_host_is_refused() {
    let e = Client::builder()
        .api_key(KEY)
        .endpoint("http://example.com/graphql")
        .build()
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidInput { field, .. } if field == "endpoint"),
        "{e:?}"
    );
    let shown = e.to_string();
    assert!(shown.contains("allow_insecure_http"), "{shown}");
    assert!(!shown.contains(KEY));

    // Loopback is fine (the emulator), and so is an explicit opt-in.
    assert!(Client::builder()
        .api_key(KEY)
        .endpoint("http://127.0.0.1:1/graphql")
        .build()
        .is_ok());
    assert!(Client::builder()
        .api_key(KEY)
        .endpoint("http://example.com/graphql")
        .allow_insecure_http(true)
        .build()
        .is_ok());
    assert!(Client::builder()
        .api_key(KEY)
        .endpoint("https://example.com/graphql")
        .build()
        .is_ok());
}

#[test]
fn debug_never_shows_the_key() {
    let client = Client::new(KEY).unwrap();
    let shown = format!("{client:?} {:?}", Client::builder().api_key(KEY));
    assert!(!shown.contains(KEY), "{shown}");
    assert!(shown.contains("api.labelbox.com"), "{shown}");
}

#[test]
fn from_env_reads_key_and_endpoint() {
    // The only test touching these variables (tests of one binary share the environment).
    std::env::set_var("LABELBOX_API_KEY", KEY);
    std::env::set_var("LABELBOX_ENDPOINT", "http://127.0.0.1:9/graphql");
    let client = Client::from_env().unwrap();
    assert_eq!(client.endpoint(), "http://127.0.0.1:9/graphql");
    std::env::set_var("LABELBOX_ENDPOINT", "");
    assert_eq!(
        Client::from_env().unwrap().endpoint(),
        labelbox::DEFAULT_ENDPOINT
    );
    std::env::remove_var("LABELBOX_API_KEY");
    assert!(Client::from_env().unwrap_err().is_invalid_input());
    std::env::remove_var("LABELBOX_ENDPOINT");
}

#[test]
fn clones_share_the_user_id_cache() {
    let mut server = mockito::Server::new();
    let user = server
        .mock("POST", "/graphql")
        .with_body(data(json!({"user": {"id": "u1"}})))
        .expect(1)
        .create();
    let client = no_retry_client(&server);
    let clone = client.clone();
    assert_eq!(client.user_id().unwrap(), "u1");
    assert_eq!(clone.user_id().unwrap(), "u1");
    user.assert();
}

#[test]
fn public_types_can_cross_threads() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<Client>();
    send_sync::<Error>();
    send_sync::<labelbox::Task>();
    send_sync::<labelbox::Tasks>();
    send_sync::<labelbox::ClientBuilder>();
}

/// A minimal HTTP/1.1 server answering every request with `body` on kept-alive
/// connections, counting connections and requests (both counted before answering).
fn keep_alive_server(body: String) -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(AtomicUsize::new(0));
    let (c, r) = (connections.clone(), requests.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            c.fetch_add(1, Ordering::SeqCst);
            let (r, body) = (r.clone(), body.clone());
            std::thread::spawn(move || serve(stream, &r, &body));
        }
    });
    (url, connections, requests)
}

fn serve(stream: TcpStream, requests: &AtomicUsize, body: &str) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return; // connection closed
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut request_body = vec![0; length];
        if reader.read_exact(&mut request_body).is_err() {
            return;
        }
        requests.fetch_add(1, Ordering::SeqCst);
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

#[test]
fn clones_share_one_keep_alive_connection() {
    let task = task_json("t1", "export-data-rows", "COMPLETE");
    let body = data(json!({"user": {"id": "u1", "createdTasks": [task]}}));
    let (url, connections, requests) = keep_alive_server(body);
    let client = Client::builder()
        .api_key(KEY)
        .endpoint(url)
        .build()
        .unwrap();
    let clone = client.clone();
    for c in [&client, &clone, &client, &clone] {
        assert_eq!(c.get_task_by_id("t1").unwrap().id(), "t1");
    }
    // One user lookup, four task lookups, all over one connection.
    assert_eq!(requests.load(Ordering::SeqCst), 5);
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}
