//! A catalog job: started by one request that answers a `jobId`, then polled through its
//! result query until `jobStatus` is `COMPLETE` (its `data` is decoded) or `FAILED`, under a
//! [`WaitOptions`] deadline on the client's clock (the pacing of [`crate::task::poll`]).

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::task::poll::Pacer;
use crate::task::WaitOptions;

/// The default wait of a catalog job: 60 s (the official SDK's `timeout_seconds`), a poll
/// every 2 s.
pub const JOB_WAIT_TIMEOUT: Duration = Duration::from_secs(60);

/// The default [`WaitOptions`] of catalog jobs.
pub(crate) fn default_wait() -> WaitOptions {
    WaitOptions::new().timeout(JOB_WAIT_TIMEOUT)
}

/// One kind of job: its documents, as the official SDK sends them.
pub(crate) struct JobKind {
    /// The starting field, which answers `{jobId}`; also the job's name in errors.
    pub(crate) field: &'static str,
    /// Whether the start is a mutation (never re-sent where it may have been processed).
    pub(crate) mutation: bool,
    pub(crate) start_document: &'static str,
    /// The result field and query (variable `$jobId`).
    pub(crate) result_field: &'static str,
    pub(crate) result_document: &'static str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Started {
    job_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Polled {
    job_status: String,
    #[serde(default)]
    data: Value,
}

/// Starts a job of `kind` with `variables` and waits for its data.
pub(crate) fn run<D: DeserializeOwned>(
    client: &Client,
    kind: &JobKind,
    variables: Value,
    options: &WaitOptions,
) -> Result<D> {
    // The wait's settings are checked before anything is sent.
    let mut pacer = Pacer::start(client, options)?;
    let transport = client.transport();
    let mut started: std::collections::HashMap<String, Started> = if kind.mutation {
        transport.mutate(kind.start_document, variables)?
    } else {
        transport.query(kind.start_document, variables)?
    };
    let job_id = started
        .remove(kind.field)
        .ok_or_else(|| Error::decode(format!("no {} in the answer", kind.field), ""))?
        .job_id;
    loop {
        let deadline = pacer
            .next_poll(true)
            .map_err(|expired| Error::JobTimedOut {
                job: kind.field.into(),
                job_id: job_id.clone(),
                waited: expired.waited,
                polls: expired.polls,
            })?;
        let variables = json!({ "jobId": job_id });
        let mut answer: std::collections::HashMap<String, Polled> = match deadline {
            Some(deadline) => transport.query_until(kind.result_document, variables, deadline)?,
            None => transport.query(kind.result_document, variables)?,
        };
        let polled = answer
            .remove(kind.result_field)
            .ok_or_else(|| Error::decode(format!("no {} in the answer", kind.result_field), ""))?;
        match polled.job_status.as_str() {
            "COMPLETE" => {
                return serde_json::from_value(polled.data)
                    .map_err(|e| Error::decode(format!("{} data: {e}", kind.result_field), ""))
            }
            "FAILED" => {
                return Err(Error::JobFailed {
                    job: kind.field.into(),
                    job_id,
                })
            }
            status => log::debug!("{} job {job_id} is {status}", kind.field),
        }
    }
}
