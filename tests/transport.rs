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

#[test]
fn rate_limits_are_retried_honouring_retry_after() {
    let mut server = mockito::Server::new();
    let limited = rate_limited(&mut server, "7");
    let ok = user_u1(&mut server);
    let clock = FakeClock::new();
    assert_eq!(client(&server, &clock).user_id().unwrap(), "u1");
    limited.assert();
    ok.assert();
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(7)]);
}

#[test]
fn a_retry_after_beyond_the_budget_ends_the_retries() {
    let mut server = mockito::Server::new();
    let limited = rate_limited(&mut server, "500");
    let clock = FakeClock::new();
    let e = client(&server, &clock).user_id().unwrap_err();
    limited.assert();
    assert!(
        matches!(e, Error::RateLimited { retry_after: Some(d), attempts: 1, .. } if d == Duration::from_secs(500)),
        "{e:?}"
    );
    assert!(clock.sleeps().is_empty());
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
