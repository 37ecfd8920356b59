//! Building clients: key checks, the https rule, Debug without the key, env configuration,
//! and the user id fetched once.

mod common;

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
