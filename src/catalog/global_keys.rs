//! The global-key jobs: assigning keys to data rows, clearing them, and looking rows up by key.
//! Each is a [`job`](super::job) polled until done; the outcome is typed per row or key, in
//! the order the service lists them, and checked against what was asked.

use serde::Deserialize;
use serde_json::json;

use super::job::{self, JobKind};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::task::WaitOptions;

// The official SDK's documents (client.py), as it sends them.
const ASSIGN_START: &str = r#"mutation assignGlobalKeysToDataRowsPyApi($globalKeyDataRowLinks: [AssignGlobalKeyToDataRowInput!]!) {
            assignGlobalKeysToDataRows(data: {assignInputs: $globalKeyDataRowLinks}) {
                jobId
            }
        }
        "#;

const ASSIGN_RESULT: &str = r#"query assignGlobalKeysToDataRowsResultPyApi($jobId: ID!) {
            assignGlobalKeysToDataRowsResult(jobId: {id: $jobId}) {
                jobStatus
                data {
                    sanitizedAssignments {
                        dataRowId
                        globalKey
                    }
                    invalidGlobalKeyAssignments {
                        dataRowId
                        globalKey
                    }
                    unmodifiedAssignments {
                        dataRowId
                        globalKey
                    }
                    accessDeniedAssignments {
                        dataRowId
                        globalKey
                    }
                }}}
        "#;

const LOOKUP_START: &str = r#"query getDataRowsForGlobalKeysPyApi($globalKeys: [ID!]!) {
            dataRowsForGlobalKeys(where: {ids: $globalKeys}) { jobId}}
            "#;

const LOOKUP_RESULT: &str = r#"query getDataRowsForGlobalKeysResultPyApi($jobId: ID!) {
            dataRowsForGlobalKeysResult(jobId: {id: $jobId}) { data {
                fetchedDataRows { id }
                notFoundGlobalKeys
                accessDeniedGlobalKeys
                } jobStatus}}
            "#;

const CLEAR_START: &str = r#"mutation clearGlobalKeysPyApi($globalKeys: [ID!]!) {
            clearGlobalKeys(where: {ids: $globalKeys}) { jobId}}
            "#;

const CLEAR_RESULT: &str = r#"query clearGlobalKeysResultPyApi($jobId: ID!) {
            clearGlobalKeysResult(jobId: {id: $jobId}) { data {
                clearedGlobalKeys
                failedToClearGlobalKeys
                notFoundGlobalKeys
                accessDeniedGlobalKeys
                } jobStatus}}
            "#;

const ASSIGN: JobKind = JobKind {
    field: "assignGlobalKeysToDataRows",
    mutation: true,
    start_document: ASSIGN_START,
    result_field: "assignGlobalKeysToDataRowsResult",
    result_document: ASSIGN_RESULT,
};

const CLEAR: JobKind = JobKind {
    field: "clearGlobalKeys",
    mutation: true,
    start_document: CLEAR_START,
    result_field: "clearGlobalKeysResult",
    result_document: CLEAR_RESULT,
};

const LOOKUP: JobKind = JobKind {
    field: "dataRowsForGlobalKeys",
    mutation: false,
    start_document: LOOKUP_START,
    result_field: "dataRowsForGlobalKeysResult",
    result_document: LOOKUP_RESULT,
};

/// How a whole job went, as the official SDK sums it up (`CollectionJobStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JobOutcome {
    /// Nothing failed (`SUCCESS`).
    Success,
    /// Some rows or keys failed, some did not (`PARTIAL SUCCESS`).
    PartialSuccess,
    /// Everything failed (`FAILURE`).
    Failure,
}

impl JobOutcome {
    fn of(succeeded: usize, failed: usize) -> Self {
        match (succeeded, failed) {
            (_, 0) => JobOutcome::Success,
            (0, _) => JobOutcome::Failure,
            _ => JobOutcome::PartialSuccess,
        }
    }

    /// The official SDK's name: `SUCCESS`, `PARTIAL SUCCESS` or `FAILURE`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            JobOutcome::Success => "SUCCESS",
            JobOutcome::PartialSuccess => "PARTIAL SUCCESS",
            JobOutcome::Failure => "FAILURE",
        }
    }
}

impl std::fmt::Display for JobOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A global key to give a data row (dict form `{"data_row_id", "global_key"}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GlobalKeyAssignment {
    /// The data row's id.
    pub data_row_id: String,
    /// The key it should get.
    pub global_key: String,
}

impl GlobalKeyAssignment {
    /// Key `global_key` for the row `data_row_id`.
    #[must_use]
    pub fn new(data_row_id: impl Into<String>, global_key: impl Into<String>) -> Self {
        GlobalKeyAssignment {
            data_row_id: data_row_id.into(),
            global_key: global_key.into(),
        }
    }
}

/// A key the service gave a row.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AssignedGlobalKey {
    /// The row.
    pub data_row_id: String,
    /// Its key now: the one asked for, or the service's sanitized form of it.
    pub global_key: String,
    /// True when the service changed the key to fit its rules.
    pub sanitized: bool,
}

/// Why an assignment failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AssignmentFailure {
    /// The row does not exist, or the key is invalid or another row's.
    Invalid,
    /// The key's user may not change the row.
    AccessDenied,
}

impl std::fmt::Display for AssignmentFailure {
    /// The official SDK's texts.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AssignmentFailure::Invalid => {
                "Invalid assignment. Either DataRow does not exist, or globalKey is invalid"
            }
            AssignmentFailure::AccessDenied => "Access denied to Data Row",
        })
    }
}

/// An assignment the service refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FailedAssignment {
    /// The row.
    pub data_row_id: String,
    /// The key asked for.
    pub global_key: String,
    /// Why.
    pub reason: AssignmentFailure,
}

/// The outcome of [`Client::assign_global_keys`]: one entry per assignment asked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct GlobalKeyAssignments {
    /// Keys given (sanitized ones first, as the service lists them).
    pub assigned: Vec<AssignedGlobalKey>,
    /// Assignments refused.
    pub failed: Vec<FailedAssignment>,
}

impl GlobalKeyAssignments {
    /// Success, partial success or failure.
    #[must_use]
    pub fn outcome(&self) -> JobOutcome {
        JobOutcome::of(self.assigned.len(), self.failed.len())
    }
}

/// Why a key could not be cleared or looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyFailure {
    /// No data row has the key.
    NotFound,
    /// The key's user may not read or change the row.
    AccessDenied,
    /// The row was found but its key could not be cleared.
    NotCleared,
}

impl std::fmt::Display for KeyFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyFailure::NotFound => "no data row has this global key",
            KeyFailure::AccessDenied => "access denied to the data row",
            KeyFailure::NotCleared => "clearing the global key failed",
        })
    }
}

/// A global key a job could not handle.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FailedGlobalKey {
    /// The key.
    pub global_key: String,
    /// Why.
    pub reason: KeyFailure,
}

/// The outcome of [`Client::clear_global_keys`]: one entry per key asked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ClearedGlobalKeys {
    /// Keys cleared (their rows have no key now).
    pub cleared: Vec<String>,
    /// Keys not cleared.
    pub failed: Vec<FailedGlobalKey>,
}

impl ClearedGlobalKeys {
    /// Success, partial success or failure.
    #[must_use]
    pub fn outcome(&self) -> JobOutcome {
        JobOutcome::of(self.cleared.len(), self.failed.len())
    }
}

/// The outcome of [`Client::data_row_ids_for_global_keys`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct GlobalKeyLookup {
    /// One entry per key asked, in the order asked: the row's id, or `None`.
    pub data_row_ids: Vec<Option<String>>,
    /// Keys without a row, and why.
    pub failed: Vec<FailedGlobalKey>,
}

impl GlobalKeyLookup {
    /// Success, partial success or failure.
    #[must_use]
    pub fn outcome(&self) -> JobOutcome {
        let found = self.data_row_ids.iter().flatten().count();
        JobOutcome::of(found, self.failed.len())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAssignment {
    data_row_id: String,
    global_key: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssignData {
    sanitized_assignments: Vec<WireAssignment>,
    invalid_global_key_assignments: Vec<WireAssignment>,
    unmodified_assignments: Vec<WireAssignment>,
    access_denied_assignments: Vec<WireAssignment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClearData {
    cleared_global_keys: Vec<String>,
    failed_to_clear_global_keys: Vec<String>,
    not_found_global_keys: Vec<String>,
    access_denied_global_keys: Vec<String>,
}

#[derive(Deserialize)]
struct FetchedRow {
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LookupData {
    fetched_data_rows: Vec<FetchedRow>,
    not_found_global_keys: Vec<String>,
    access_denied_global_keys: Vec<String>,
}

/// Refuses an empty list, a blank data row id and an empty key, naming the first bad one.
/// A key's other rules (whitespace...) are the service's to judge, row by row.
fn check_assignments(assignments: &[GlobalKeyAssignment]) -> Result<()> {
    if assignments.is_empty() {
        return Err(Error::invalid_input(
            "assignments",
            "nothing to do: the list is empty",
        ));
    }
    for (i, a) in assignments.iter().enumerate() {
        if a.data_row_id.trim().is_empty() {
            let field = format!("assignments[{i}].data_row_id");
            return Err(Error::invalid_input(&field, "must not be blank"));
        }
        if a.global_key.is_empty() {
            let field = format!("assignments[{i}].global_key");
            return Err(Error::invalid_input(&field, "must not be empty"));
        }
    }
    Ok(())
}

/// Refuses an empty list and an empty key, naming the first.
fn check_keys(keys: &[String]) -> Result<()> {
    if keys.is_empty() {
        return Err(Error::invalid_input(
            "global_keys",
            "nothing to do: the list is empty",
        ));
    }
    match keys.iter().position(String::is_empty) {
        Some(i) => Err(Error::invalid_input(
            &format!("global_keys[{i}]"),
            "must not be empty",
        )),
        None => Ok(()),
    }
}

/// Whether two lists hold the same entries, as many times each (in any order).
fn same_entries<'a>(
    answered: impl Iterator<Item = &'a str>,
    asked: impl Iterator<Item = &'a str>,
) -> bool {
    let mut answered: Vec<&str> = answered.collect();
    let mut asked: Vec<&str> = asked.collect();
    answered.sort_unstable();
    asked.sort_unstable();
    answered == asked
}

/// The job answered a different number of entries than were asked.
fn count_mismatch(job: &str, asked: usize, answered: usize) -> Error {
    Error::decode(
        format!("the {job} job answered {answered} outcomes for {asked} entries asked"),
        "",
    )
}

impl Client {
    /// Gives data rows global keys, as a job waited for at most 60 s (a poll every 2 s); see
    /// [`assign_global_keys_with`](Self::assign_global_keys_with).
    ///
    /// # Errors
    ///
    /// As [`assign_global_keys_with`](Self::assign_global_keys_with).
    pub fn assign_global_keys(
        &self,
        assignments: &[GlobalKeyAssignment],
    ) -> Result<GlobalKeyAssignments> {
        self.assign_global_keys_with(assignments, &job::default_wait())
    }

    /// Gives data rows global keys (`assignGlobalKeysToDataRows`), then polls the job until it
    /// is done, within `options`. A row's previous key becomes free. Each assignment is
    /// answered: [`assigned`](GlobalKeyAssignments::assigned) (maybe sanitized by the service)
    /// or [`failed`](GlobalKeyAssignments::failed) with its reason (a key another row has, or
    /// given twice, is invalid for all but its first row).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty list, a blank id or key, or a check frequency
    /// below the client's minimum (nothing is sent); [`Error::JobTimedOut`] when the job is
    /// still running at the deadline; [`Error::JobFailed`]; [`Error::Decode`] when the job
    /// answers another number of outcomes than assignments asked; a [request
    /// failure](crate::Error#request-failures) (the starting mutation is never re-sent where it
    /// may have been processed).
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::start().unwrap();
    /// # let client = labelbox::Client::builder().api_key(emulator.api_key()).endpoint(emulator.url()).build()?;
    /// use labelbox::GlobalKeyAssignment;
    /// let outcome = client.assign_global_keys(&[GlobalKeyAssignment::new("no-such-row", "img-1")])?;
    /// for failed in &outcome.failed {
    ///     eprintln!("{} -> {}: {}", failed.data_row_id, failed.global_key, failed.reason);
    /// }
    /// # assert_eq!(outcome.failed.len(), 1);
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    pub fn assign_global_keys_with(
        &self,
        assignments: &[GlobalKeyAssignment],
        options: &WaitOptions,
    ) -> Result<GlobalKeyAssignments> {
        check_assignments(assignments)?;
        let links: Vec<_> = assignments
            .iter()
            .map(|a| json!({"dataRowId": a.data_row_id, "globalKey": a.global_key}))
            .collect();
        let data: AssignData = job::run(
            self,
            &ASSIGN,
            json!({ "globalKeyDataRowLinks": links }),
            options,
        )?;
        let assigned_of = |rows: Vec<WireAssignment>, sanitized: bool| {
            rows.into_iter().map(move |r| AssignedGlobalKey {
                data_row_id: r.data_row_id,
                global_key: r.global_key,
                sanitized,
            })
        };
        let failed_of = |rows: Vec<WireAssignment>, reason: AssignmentFailure| {
            rows.into_iter().map(move |r| FailedAssignment {
                data_row_id: r.data_row_id,
                global_key: r.global_key,
                reason,
            })
        };
        let outcome = GlobalKeyAssignments {
            assigned: assigned_of(data.sanitized_assignments, true)
                .chain(assigned_of(data.unmodified_assignments, false))
                .collect(),
            failed: failed_of(
                data.invalid_global_key_assignments,
                AssignmentFailure::Invalid,
            )
            .chain(failed_of(
                data.access_denied_assignments,
                AssignmentFailure::AccessDenied,
            ))
            .collect(),
        };
        let answered = outcome.assigned.len() + outcome.failed.len();
        if answered != assignments.len() {
            return Err(count_mismatch(ASSIGN.field, assignments.len(), answered));
        }
        let answered_rows = outcome
            .assigned
            .iter()
            .map(|a| a.data_row_id.as_str())
            .chain(outcome.failed.iter().map(|f| f.data_row_id.as_str()));
        let asked_rows = assignments.iter().map(|a| a.data_row_id.as_str());
        if !same_entries(answered_rows, asked_rows) {
            return Err(Error::decode(
                "the assignment job's rows are not the rows asked (one answered twice, \
                 or one not asked)",
                "",
            ));
        }
        Ok(outcome)
    }

    /// Clears global keys from the rows that have them, as a job waited for at most 60 s; see
    /// [`clear_global_keys_with`](Self::clear_global_keys_with).
    ///
    /// # Errors
    ///
    /// As [`clear_global_keys_with`](Self::clear_global_keys_with).
    pub fn clear_global_keys(&self, global_keys: &[String]) -> Result<ClearedGlobalKeys> {
        self.clear_global_keys_with(global_keys, &job::default_wait())
    }

    /// Clears global keys from the rows that have them (`clearGlobalKeys`), then polls the job
    /// until it is done, within `options`. Each key is answered: cleared, or failed with its
    /// reason.
    ///
    /// # Errors
    ///
    /// As [`assign_global_keys_with`](Self::assign_global_keys_with).
    pub fn clear_global_keys_with(
        &self,
        global_keys: &[String],
        options: &WaitOptions,
    ) -> Result<ClearedGlobalKeys> {
        check_keys(global_keys)?;
        let data: ClearData =
            job::run(self, &CLEAR, json!({ "globalKeys": global_keys }), options)?;
        let failed_of = |keys: Vec<String>, reason: KeyFailure| {
            keys.into_iter()
                .map(move |global_key| FailedGlobalKey { global_key, reason })
        };
        let outcome = ClearedGlobalKeys {
            cleared: data.cleared_global_keys,
            failed: failed_of(data.failed_to_clear_global_keys, KeyFailure::NotCleared)
                .chain(failed_of(data.not_found_global_keys, KeyFailure::NotFound))
                .chain(failed_of(
                    data.access_denied_global_keys,
                    KeyFailure::AccessDenied,
                ))
                .collect(),
        };
        let answered = outcome.cleared.len() + outcome.failed.len();
        if answered != global_keys.len() {
            return Err(count_mismatch(CLEAR.field, global_keys.len(), answered));
        }
        let answered_keys = outcome
            .cleared
            .iter()
            .map(String::as_str)
            .chain(outcome.failed.iter().map(|f| f.global_key.as_str()));
        if !same_entries(answered_keys, global_keys.iter().map(String::as_str)) {
            return Err(Error::decode(
                "the clearing job's keys are not the keys asked (one answered twice, or one \
                 not asked)",
                "",
            ));
        }
        Ok(outcome)
    }

    /// The data rows of global keys, as a job waited for at most 60 s; see
    /// [`data_row_ids_for_global_keys_with`](Self::data_row_ids_for_global_keys_with).
    ///
    /// # Errors
    ///
    /// As [`data_row_ids_for_global_keys_with`](Self::data_row_ids_for_global_keys_with).
    pub fn data_row_ids_for_global_keys(&self, global_keys: &[String]) -> Result<GlobalKeyLookup> {
        self.data_row_ids_for_global_keys_with(global_keys, &job::default_wait())
    }

    /// The data rows of global keys (`dataRowsForGlobalKeys`), polled until the job is done,
    /// within `options`: one id per key, in the order asked (`None` for a key without a row,
    /// also listed in [`failed`](GlobalKeyLookup::failed)).
    ///
    /// # Errors
    ///
    /// As [`assign_global_keys_with`](Self::assign_global_keys_with) (the lookup is a query,
    /// retried like one).
    pub fn data_row_ids_for_global_keys_with(
        &self,
        global_keys: &[String],
        options: &WaitOptions,
    ) -> Result<GlobalKeyLookup> {
        check_keys(global_keys)?;
        let data: LookupData =
            job::run(self, &LOOKUP, json!({ "globalKeys": global_keys }), options)?;
        if data.fetched_data_rows.len() != global_keys.len() {
            return Err(count_mismatch(
                LOOKUP.field,
                global_keys.len(),
                data.fetched_data_rows.len(),
            ));
        }
        let failed_of = |keys: Vec<String>, reason: KeyFailure| {
            keys.into_iter()
                .map(move |global_key| FailedGlobalKey { global_key, reason })
        };
        let mut failed_keys = data
            .not_found_global_keys
            .iter()
            .chain(&data.access_denied_global_keys);
        if let Some(stray) = failed_keys.find(|k| !global_keys.contains(k)) {
            return Err(Error::decode(
                format!("the lookup job answered key {stray:?}, which was not asked"),
                "",
            ));
        }
        Ok(GlobalKeyLookup {
            // The service marks a key without a row with "" in its place.
            data_row_ids: data
                .fetched_data_rows
                .into_iter()
                .map(|r| Some(r.id).filter(|id| !id.is_empty()))
                .collect(),
            failed: failed_of(data.not_found_global_keys, KeyFailure::NotFound)
                .chain(failed_of(
                    data.access_denied_global_keys,
                    KeyFailure::AccessDenied,
                ))
                .collect(),
        })
    }
}
