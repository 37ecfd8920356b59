//! The transport against a real local HTTP server: every row of the error table
//! (PROTOCOL 1.1), retries and their exact delays, `Retry-After`, the retry budget, headers,
//! large bodies, and the key kept out of errors.

mod common;

use std::time::Duration;

use common::*;
use labelbox::{Error, RetryPolicy};
use mockito::{Matcher, Mock, ServerGuard};
use serde_json::json;

fn gql_error(code: &str, message: &str) -> String {
    json!({"errors": [{"message": message, "extensions": {"code": code}}], "data": null})
        .to_string()
}

fn internal(status: Option<u16>) -> String {
    let mut ext = json!({"code": "INTERNAL_SERVER_ERROR"});
    if let Some(s) = status {
        ext["exception"] = json!({"status": s});
    }
    json!({"errors": [{"message": "boom", "extensions": ext}], "data": null}).to_string()
}

/// Answers the next `times` requests with HTTP `status` and `body`.
fn failing(server: &mut ServerGuard, status: usize, body: &str, times: usize) -> Mock {
    server
        .mock("POST", "/graphql")
        .with_status(status)
        .with_body(body)
        .expect(times)
        .create()
}

/// Answers the next request with HTTP 429, `Retry-After: {seconds}` and the service's message.
fn rate_limited(server: &mut ServerGuard, seconds: &str) -> Mock {
    server
        .mock("POST", "/graphql")
        .with_status(429)
        .with_header("retry-after", seconds)
        .with_body(r#"{"message": "You have exceeded the rate limit"}"#)
        .expect(1)
        .create()
}

/// Answers the next request with the user `u1`.
fn user_u1(server: &mut ServerGuard) -> Mock {
    server
        .mock("POST", "/graphql")
        .with_body(data(json!({"user": {"id": "u1"}})))
        .expect(1)
        .create()
}

/// Answers the user query once with `status`/`body` and returns the error of `user_id`.
fn error_for(status: usize, body: &str) -> Error {
    let mut server = mockito::Server::new();
    let mock = failing(&mut server, status, body, 1);
    let err = no_retry_client(&server).user_id().unwrap_err();
    mock.assert();
    err
}

#[test]
fn graphql_error_codes() {
    let e = error_for(200, &gql_error("AUTHENTICATION_ERROR", "bad key"));
    assert!(
        matches!(&e, Error::Authentication { message } if message == "bad key"),
        "{e:?}"
    );
    assert!(e.is_authentication() && !e.is_retryable());

    let e = error_for(200, &gql_error("AUTHORIZATION_ERROR", "no"));
    assert!(e.is_authorization(), "{e:?}");

    for code in [
        "GRAPHQL_VALIDATION_FAILED",
        "GRAPHQL_PARSE_FAILED",
        "MALFORMED_REQUEST",
    ] {
        let e = error_for(400, &gql_error(code, "bad query"));
        assert!(matches!(e, Error::InvalidQuery { .. }), "{code}: {e:?}");
    }
    let e = error_for(
        200,
        &gql_error(
            "GRAPHQL_VALIDATION_FAILED",
            "Query complexity limit exceeded",
        ),
    );
    assert!(
        matches!(&e, Error::InvalidQuery { message } if message.contains("complexity")),
        "{e:?}"
    );

    let e = error_for(200, &gql_error("RESOURCE_NOT_FOUND", "gone"));
    assert!(e.is_not_found(), "{e:?}");
    let e = error_for(200, &gql_error("RESOURCE_CONFLICT", "taken"));
    assert!(matches!(e, Error::Conflict { .. }), "{e:?}");
    let e = error_for(200, &gql_error("OPERATION_NOT_ALLOWED", "plan"));
    assert!(matches!(e, Error::OperationNotAllowed { .. }), "{e:?}");
}

#[test]
fn internal_server_error_by_exception_status() {
    assert!(matches!(
        error_for(200, &internal(Some(400))),
        Error::InvalidQuery { .. }
    ));
    assert!(matches!(
        error_for(200, &internal(Some(422))),
        Error::Unprocessable { .. }
    ));
    assert!(matches!(
        error_for(200, &internal(Some(426))),
        Error::OperationNotAllowed { .. }
    ));
    for status in [Some(500), None] {
        let e = error_for(200, &internal(status));
        assert!(
            matches!(
                e,
                Error::Server {
                    status: 500,
                    retryable: false,
                    ..
                }
            ),
            "{status:?}: {e:?}"
        );
    }
    let e = error_for(200, &internal(Some(503)));
    assert!(
        matches!(
            e,
            Error::Server {
                status: 503,
                retryable: true,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn first_code_of_the_table_wins() {
    let body = json!({"errors": [
        {"message": "a", "extensions": {"code": "AUTHORIZATION_ERROR"}},
        {"message": "b", "extensions": {"code": "AUTHENTICATION_ERROR"}},
    ]})
    .to_string();
    assert!(error_for(200, &body).is_authentication());
}

#[test]
fn unknown_code_is_an_api_error_with_every_message() {
    let body = json!({"errors": [
        {"message": "first", "extensions": {"code": "SOMETHING_NEW"}},
        {"message": "second"},
    ]})
    .to_string();
    let e = error_for(200, &body);
    assert!(
        matches!(&e, Error::Api { status: 200, message } if message == "first; second"),
        "{e:?}"
    );
}

#[test]
fn http_statuses() {
    let e = error_for(500, "oops");
    assert!(
        matches!(
            e,
            Error::Server {
                status: 500,
                retryable: true,
                ..
            }
        ),
        "{e:?}"
    );
    let e = error_for(502, "<html>proxy</html>");
    assert!(
        matches!(&e, Error::Server { status: 502, message, .. } if message == "Bad Gateway"),
        "{e:?}"
    );
    let e = error_for(
        503,
        "upstream connect error or disconnect/reset before headers",
    );
    assert!(matches!(e, Error::Network { .. }), "{e:?}");
    assert!(e.is_retryable());

    let e = error_for(401, r#"{"message": "API access disabled"}"#);
    assert!(
        matches!(&e, Error::Authentication { message } if message == "API access disabled"),
        "{e:?}"
    );
    let e = error_for(418, r#"{"message": "teapot"}"#);
    assert!(
        matches!(&e, Error::Api { status: 418, message } if message == "teapot"),
        "{e:?}"
    );
}

#[test]
fn rate_limit_message() {
    let e = error_for(429, r#"{"message": "You have exceeded the rate limit"}"#);
    assert!(e.is_rate_limited() && e.is_retryable(), "{e:?}");
    // The message alone is enough, whatever the status.
    let e = error_for(400, r#"{"message": "You have exceeded your quota"}"#);
    assert!(e.is_rate_limited(), "{e:?}");
}

#[test]
fn undecodable_answers() {
    let e = error_for(200, "<html>not json</html>");
    assert!(
        matches!(&e, Error::Decode { excerpt, .. } if excerpt.contains("not json")),
        "{e:?}"
    );
    let e = error_for(200, r#"{"data": null}"#);
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    let e = error_for(200, r#"{"data": {"user": {"name": "no id"}}}"#);
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
}

#[test]
fn the_key_is_masked_in_error_excerpts() {
    let e = error_for(200, &format!("echo Bearer {KEY} echo"));
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains(KEY), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
}

#[test]
fn every_request_carries_the_contract_headers() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("POST", "/graphql")
        .match_header("authorization", format!("Bearer {KEY}").as_str())
        .match_header("content-type", "application/json")
        .match_header("accept", "application/json")
        .match_header(
            "x-user-agent",
            format!("rust-sdk {}", env!("CARGO_PKG_VERSION")).as_str(),
        )
        .match_body(Matcher::PartialJson(
            json!({"query": "query GetUserPyApi { user { id } }"}),
        ))
        .with_body(data(json!({"user": {"id": "u1"}})))
        .expect(1)
        .create();
    assert_eq!(no_retry_client(&server).user_id().unwrap(), "u1");
    mock.assert();
}

#[test]
fn server_errors_are_retried_with_exact_backoff() {
    let mut server = mockito::Server::new();
    let fail = failing(&mut server, 500, "", 3);
    let ok = user_u1(&mut server);
    let clock = FakeClock::new();
    // Jitter at half the ceiling: the delays must be exactly half of 1 s, 2 s, 4 s.
    let client = builder(&server, &clock)
        .jitter(|ceiling| ceiling / 2)
        .build()
        .unwrap();
    assert_eq!(client.user_id().unwrap(), "u1");
    fail.assert();
    ok.assert();
    assert_eq!(
        clock.sleeps(),
        vec![
            Duration::from_millis(500),
            Duration::from_secs(1),
            Duration::from_secs(2)
        ]
    );
}

#[test]
fn the_last_real_error_comes_back_with_the_attempt_count() {
    let mut server = mockito::Server::new();
    let fail = failing(&mut server, 503, "try later", 4);
    let clock = FakeClock::new();
    let client = builder(&server, &clock)
        .retry_policy(RetryPolicy::default().max_attempts(4))
        .build()
        .unwrap();
    let e = client.user_id().unwrap_err();
    fail.assert();
    assert!(
        matches!(&e, Error::Server { status: 503, attempts: 4, message, .. } if message == "try later"),
        "{e:?}"
    );
    assert!(e.to_string().contains("after 4 attempts"), "{e}");
    assert_eq!(clock.sleeps(), [1, 2, 4].map(Duration::from_secs).to_vec());
}

#[test]
fn the_total_budget_bounds_the_retries() {
    let mut server = mockito::Server::new();
    let fail = failing(&mut server, 500, "", 3);
    let clock = FakeClock::new();
    // 1 s + 2 s fit in 5 s; the next 4 s would not.
    let client = builder(&server, &clock)
        .retry_policy(RetryPolicy::default().total_budget(Duration::from_secs(5)))
        .build()
        .unwrap();
    let e = client.user_id().unwrap_err();
    fail.assert();
    assert_eq!(e.attempts(), Some(3));
    assert_eq!(clock.sleeps(), [1, 2].map(Duration::from_secs).to_vec());
}

#[test]
fn backoff_ceiling_is_capped() {
    let mut server = mockito::Server::new();
    let _fail = server.mock("POST", "/graphql").with_status(500).create();
    let clock = FakeClock::new();
    let client = builder(&server, &clock)
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(6)
                .max_delay(Duration::from_secs(3))
                .total_budget(Duration::from_secs(1000)),
        )
        .build()
        .unwrap();
    assert_eq!(client.user_id().unwrap_err().attempts(), Some(6));
    assert_eq!(
        clock.sleeps(),
        [1, 2, 3, 3, 3].map(Duration::from_secs).to_vec()
    );
}

/// The sleeps of a user query answered 429 with each of `retry_afters`, then the user.
fn sleeps_before_success(retry_afters: &[&str]) -> Vec<Duration> {
    let mut server = mockito::Server::new();
    let limited: Vec<Mock> = retry_afters
        .iter()
        .map(|seconds| rate_limited(&mut server, seconds))
        .collect();
    let ok = user_u1(&mut server);
    let clock = FakeClock::new();
    assert_eq!(client(&server, &clock).user_id().unwrap(), "u1");
    limited.iter().for_each(Mock::assert);
    ok.assert();
    clock.sleeps()
}

#[test]
fn rate_limits_are_retried_honouring_retry_after() {
    assert_eq!(sleeps_before_success(&["7"]), vec![Duration::from_secs(7)]);
}

/// Also issue 11, reproduction: a `Retry-After` of a day or more (86400) was ignored and the
/// request retried after the usual 1 s backoff.
#[test]
fn a_retry_after_beyond_the_budget_ends_the_retries_with_the_wait_asked() {
    for seconds in [500, 86_400] {
        let mut server = mockito::Server::new();
        let limited = rate_limited(&mut server, &seconds.to_string());
        let clock = FakeClock::new();
        let e = client(&server, &clock).user_id().unwrap_err();
        limited.assert();
        assert!(
            matches!(e, Error::RateLimited { retry_after: Some(d), attempts: 1, .. } if d == Duration::from_secs(seconds)),
            "{e:?}"
        );
        assert!(clock.sleeps().is_empty());
    }
}

#[test]
fn permanent_errors_are_not_retried() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("POST", "/graphql")
        .with_body(gql_error("AUTHENTICATION_ERROR", "bad"))
        .expect(1)
        .create();
    let clock = FakeClock::new();
    assert!(client(&server, &clock)
        .user_id()
        .unwrap_err()
        .is_authentication());
    mock.assert();
    assert!(clock.sleeps().is_empty());
}

#[test]
fn connection_refused_is_retried_for_queries() {
    // A port that was just free: nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let clock = FakeClock::new();
    let client = labelbox::Client::builder()
        .api_key(KEY)
        .endpoint(format!("http://127.0.0.1:{port}/graphql"))
        .clock(clock.clone())
        .jitter(|c| c)
        .retry_policy(RetryPolicy::default().max_attempts(3))
        .build()
        .unwrap();
    let e = client.user_id().unwrap_err();
    assert!(matches!(e, Error::Network { attempts: 3, .. }), "{e:?}");
    assert!(!e.may_have_been_processed());
    assert_eq!(clock.sleeps(), [1, 2].map(Duration::from_secs).to_vec());
}

/// Issue 21: a program can tell its user at the first retry what failed and how long the
/// SDK will keep trying (the CLI did not, for 1 min 52 s on a dead endpoint).
#[test]
fn each_retry_is_reported_to_the_observer_with_the_time_left() {
    let notices = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = notices.clone();
    let clock = FakeClock::new();
    let client = labelbox::Client::builder()
        .api_key(KEY)
        .endpoint(format!("http://127.0.0.1:{}/graphql", closed_port()))
        .clock(clock.clone())
        .jitter(|c| c)
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(10)
                .total_budget(Duration::from_secs(10)),
        )
        .on_retry(move |retry| {
            assert!(!retry.error().to_string().contains(KEY));
            seen.lock().unwrap().push((
                retry.attempt(),
                retry.max_attempts(),
                retry.delay(),
                retry.retrying_for(),
                retry.error().is_retryable(),
            ));
        })
        .build()
        .unwrap();
    let e = client.user_id().unwrap_err();
    assert!(matches!(e, Error::Network { attempts: 4, .. }), "{e:?}");
    let secs = Duration::from_secs;
    // Backoff 1, 2 and 4 s fit the 10 s budget; 8 s more (at 7 s) would not: three retries,
    // each told how much of the budget is left when it is decided.
    assert_eq!(
        *notices.lock().unwrap(),
        [
            (1, 10, secs(1), Some(secs(10)), true),
            (2, 10, secs(2), Some(secs(9)), true),
            (3, 10, secs(4), Some(secs(7)), true),
        ]
    );
}

#[test]
fn bodies_over_ten_mebibytes_are_read() {
    let big = "x".repeat(11 * 1024 * 1024);
    let mut server = mockito::Server::new();
    let mock = server
        .mock("POST", "/graphql")
        .with_body(data(json!({"user": {"id": big}})))
        .create();
    let id = no_retry_client(&server).user_id().unwrap();
    mock.assert();
    assert_eq!(id.len(), 11 * 1024 * 1024);
}

/// A client of `endpoint` (any host, plain http allowed) with a fake clock and `attempts`.
fn client_of(endpoint: &str, clock: &FakeClock, attempts: u32) -> labelbox::Client {
    labelbox::Client::builder()
        .api_key(KEY)
        .endpoint(endpoint)
        .allow_insecure_http(true)
        .clock(clock.clone())
        .jitter(|c| c)
        .retry_policy(RetryPolicy::default().max_attempts(attempts))
        .build()
        .unwrap()
}

/// A local port nothing listens on (it was free a moment ago).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Issue 11, reproduction: a server echoing the key in a GraphQL error message, or in the
/// top-level `message` of a 401 or a 429, had the key printed in the error.
#[test]
fn the_key_is_masked_in_every_text_from_the_service() {
    let echo = format!("the key {KEY} is revoked");
    for (status, body) in [
        (200, gql_error("AUTHENTICATION_ERROR", &echo)),
        (200, gql_error("RESOURCE_NOT_FOUND", &echo)),
        (200, gql_error("SOMETHING_NEW", &echo)),
        (401, json!({ "message": echo }).to_string()),
        (429, json!({ "message": echo }).to_string()),
        (418, json!({ "message": echo }).to_string()),
        (500, echo.clone()),
    ] {
        let e = error_for(status, &body);
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains(KEY), "{status}: {shown}");
        assert!(shown.contains("<redacted>"), "{status}: {shown}");
    }
}

/// Issue 11, reproduction: a 10 MB message gave a 10 MB `Display` (GraphQL errors, 429, 403,
/// and 100,000 errors joined).
#[test]
fn server_text_is_cut_to_an_excerpt_saying_what_was_left_out() {
    // 1 MB for each kind of text (enough to show the cut), 10 MB for the figure of the issue.
    let huge = "x".repeat(1_000_000);
    let many: Vec<serde_json::Value> = (0..100_000)
        .map(|i| json!({ "message": format!("error {i}") }))
        .collect();
    for (status, body) in [
        (200, gql_error("AUTHORIZATION_ERROR", &huge)),
        (429, json!({ "message": huge }).to_string()),
        (403, json!({ "message": huge }).to_string()),
        (200, json!({ "errors": many }).to_string()),
        (500, huge.clone()),
    ] {
        let shown = error_for(status, &body).to_string();
        assert!(shown.len() < 1_000, "{status}: {} bytes", shown.len());
        assert!(shown.contains(" more bytes)"), "{status}: {shown}");
    }
    let ten_mb = "x".repeat(10_000_000);
    let e = error_for(403, &json!({ "message": ten_mb }).to_string());
    assert!(e.to_string().ends_with("… (9,999,500 more bytes)"), "{e}");
}

/// Issue 11, reproduction: answers had no size limit (a 2 GiB answer was read whole, a small
/// gzip answer inflated without bound).
#[test]
fn answers_over_the_limit_are_refused_counting_decompressed_bytes() {
    use std::io::Write;
    const LIMIT: u64 = 1024 * 1024;
    let big = data(json!({"user": {"id": "x".repeat(2 * 1024 * 1024)}}));
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(big.as_bytes()).unwrap();
    let gzipped = gzip.finish().unwrap();
    assert!(gzipped.len() < 64 * 1024, "{}", gzipped.len());

    let mut server = mockito::Server::new();
    let plain = server
        .mock("POST", "/graphql")
        .with_body(&big)
        .expect(1)
        .create();
    let client = builder(&server, &FakeClock::new())
        .max_answer_bytes(LIMIT)
        .build()
        .unwrap();
    let e = client.user_id().unwrap_err();
    assert!(matches!(e, Error::AnswerTooLarge { limit: LIMIT }), "{e:?}");
    assert!(!e.is_retryable());
    assert!(e.to_string().contains("1,048,576 bytes"), "{e}");
    plain.assert();

    plain.remove();
    let compressed = server
        .mock("POST", "/graphql")
        .with_header("content-encoding", "gzip")
        .with_body(gzipped)
        .expect(1)
        .create();
    let e = client.user_id().unwrap_err();
    assert!(matches!(e, Error::AnswerTooLarge { limit: LIMIT }), "{e:?}");
    compressed.assert();
}

/// Issue 11, reproduction: `Retry-After: 0` gave 10 requests in 9.5 ms.
#[test]
fn a_zero_retry_after_keeps_a_floor_between_attempts() {
    assert_eq!(
        sleeps_before_success(&["0", "0", "0"]),
        vec![Duration::from_millis(100); 3]
    );
}

/// Issue 11, reproduction: the HTTP-date form of `Retry-After` was ignored.
#[test]
fn retry_after_as_an_http_date() {
    // A date already past: retry at once, after the floor.
    assert_eq!(
        sleeps_before_success(&["Wed, 21 Oct 2015 07:28:00 GMT"]),
        vec![Duration::from_millis(100)]
    );

    // A date a day ahead: beyond the budget, so no retry, and the error says how long.
    let tomorrow = std::time::SystemTime::now() + Duration::from_secs(86_400);
    let mut server = mockito::Server::new();
    let limited = rate_limited(&mut server, &httpdate::fmt_http_date(tomorrow));
    let clock = FakeClock::new();
    let e = client(&server, &clock).user_id().unwrap_err();
    limited.assert();
    match e {
        Error::RateLimited {
            retry_after: Some(d),
            ..
        } => assert!(d > Duration::from_secs(86_400 - 60), "{d:?}"),
        other => panic!("{other:?}"),
    }
    assert!(clock.sleeps().is_empty());
}

/// Issue 11, reproduction: a 301/302/303 of the endpoint was followed as a GET and its answer
/// read as GraphQL; a 307/308 became a network error retried 10 times and, on a mutation,
/// flagged "may have been processed".
#[test]
fn a_redirect_of_the_endpoint_is_a_typed_error_never_retried() {
    for status in [301, 302, 303, 307, 308] {
        let mut server = mockito::Server::new();
        let redirect = server
            .mock("POST", "/graphql")
            .with_status(status)
            .with_header("location", "https://elsewhere.example/graphql?token=abc")
            .expect(1)
            .create();
        let followed = server.mock("GET", Matcher::Any).expect(0).create();
        let clock = FakeClock::new();
        let e = client(&server, &clock).create_dataset("d").unwrap_err();
        redirect.assert();
        followed.assert();
        assert!(
            matches!(&e, Error::Redirected { status: s, location: Some(l) }
                if usize::from(*s) == status && l == "https://elsewhere.example/graphql"),
            "{status}: {e:?}"
        );
        assert!(!e.is_retryable() && !e.may_have_been_processed(), "{e:?}");
        assert!(!e.to_string().contains("token"), "{e}");
        assert!(clock.sleeps().is_empty());
    }
}

/// Issue 12, reproduction: a DNS failure on `create_dataset` said the request may have been
/// processed (and was not retried), though nothing was sent.
#[test]
fn an_unresolvable_host_is_never_may_have_been_processed() {
    let clock = FakeClock::new();
    let client = client_of("http://nonexistent.invalid/graphql", &clock, 3);
    let e = client.create_dataset("d").unwrap_err();
    assert!(
        matches!(
            e,
            Error::Network {
                attempts: 3,
                may_have_been_processed: false,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(!e.to_string().contains("may have been processed"), "{e}");
    assert_eq!(clock.sleeps(), [1, 2].map(Duration::from_secs).to_vec());
}

/// Issue 12: a refused connection of a mutation is retried and never "may have been
/// processed".
#[test]
fn a_refused_connection_of_a_mutation_is_retried_and_not_ambiguous() {
    let clock = FakeClock::new();
    let endpoint = format!("http://127.0.0.1:{}/graphql", closed_port());
    let e = client_of(&endpoint, &clock, 2)
        .create_dataset("d")
        .unwrap_err();
    assert!(matches!(e, Error::Network { attempts: 2, .. }), "{e:?}");
    assert!(!e.may_have_been_processed(), "{e:?}");
}

/// Issue 12, reproduction: errors flattened their cause into their message and `source()`
/// returned nothing, so `anyhow`'s `{:#}` could not show the chain.
#[test]
fn errors_keep_their_cause_as_source() {
    use std::error::Error as _;
    let endpoint = format!("http://127.0.0.1:{}/graphql", closed_port());
    let e = client_of(&endpoint, &FakeClock::new(), 1)
        .user_id()
        .unwrap_err();
    let io = e
        .source()
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .unwrap_or_else(|| panic!("no io::Error source: {e:?}"));
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
    // Display leaves the cause to source(), so a chain does not say it twice.
    assert!(!e.to_string().contains(&io.to_string()), "{e}");

    let e = error_for(200, r#"{"data": {"user": {"name": "no id"}}}"#);
    let json = e
        .source()
        .and_then(|s| s.downcast_ref::<serde_json::Error>())
        .unwrap_or_else(|| panic!("no serde_json source: {e:?}"));
    assert!(json.to_string().contains("missing field `id`"), "{json}");
    let chain = format!("{:#}", anyhow::Error::from(e));
    assert!(chain.contains("missing field `id`"), "{chain}");
}
