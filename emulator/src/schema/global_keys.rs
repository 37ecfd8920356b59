//! Global-key jobs: `assignGlobalKeysToDataRows` + `assignGlobalKeysToDataRowsResult` and
//! `clearGlobalKeys` + `clearGlobalKeysResult`, shaped as the official SDK's documents
//! (`assignGlobalKeysToDataRowsPyApi`, `clearGlobalKeysPyApi` and their result queries). The
//! lookup job (`dataRowsForGlobalKeys`) lives with the data rows (`data_rows.rs`).

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};

use super::data_rows::{GlobalKeysWhereInput, JobIdInput};
use super::{coded, store};
use crate::catalog_jobs::{self, AssignOutcome, Assignment, ClearOutcome, JobResult};

/// A job's status: applied when it starts, `IN_PROGRESS` until the job duration has passed.
fn job_status(done: bool) -> String {
    if done { "COMPLETE" } else { "IN_PROGRESS" }.into()
}

#[derive(InputObject)]
struct AssignGlobalKeyToDataRowInput {
    data_row_id: ID,
    global_key: String,
}

#[derive(InputObject)]
struct AssignGlobalKeysToDataRowsInput {
    assign_inputs: Vec<AssignGlobalKeyToDataRowInput>,
}

/// A started job.
#[derive(SimpleObject)]
#[graphql(name = "GlobalKeyJob")]
struct Job {
    job_id: ID,
}

#[derive(SimpleObject)]
#[graphql(name = "GlobalKeyAssignment")]
struct AssignmentObject {
    data_row_id: ID,
    global_key: String,
}

impl From<Assignment> for AssignmentObject {
    fn from(a: Assignment) -> Self {
        AssignmentObject {
            data_row_id: ID(a.data_row_id),
            global_key: a.global_key,
        }
    }
}

#[derive(SimpleObject)]
struct AssignGlobalKeysToDataRowsData {
    /// Keys the service changed to fit its rules; the emulator never changes a key.
    sanitized_assignments: Vec<AssignmentObject>,
    invalid_global_key_assignments: Vec<AssignmentObject>,
    unmodified_assignments: Vec<AssignmentObject>,
    /// One user owns everything in the emulator: never any.
    access_denied_assignments: Vec<AssignmentObject>,
}

impl From<AssignOutcome> for AssignGlobalKeysToDataRowsData {
    fn from(o: AssignOutcome) -> Self {
        let objects = |v: Vec<Assignment>| v.into_iter().map(AssignmentObject::from).collect();
        AssignGlobalKeysToDataRowsData {
            sanitized_assignments: Vec::new(),
            invalid_global_key_assignments: objects(o.invalid),
            unmodified_assignments: objects(o.unmodified),
            access_denied_assignments: Vec::new(),
        }
    }
}

/// `data` is null until the job is `COMPLETE`.
#[derive(SimpleObject)]
struct AssignGlobalKeysToDataRowsResult {
    job_status: String,
    data: Option<AssignGlobalKeysToDataRowsData>,
}

#[derive(SimpleObject)]
struct ClearGlobalKeysData {
    cleared_global_keys: Vec<String>,
    /// Keys whose row could not be changed: never any in the emulator.
    failed_to_clear_global_keys: Vec<String>,
    not_found_global_keys: Vec<String>,
    access_denied_global_keys: Vec<String>,
}

impl From<ClearOutcome> for ClearGlobalKeysData {
    fn from(o: ClearOutcome) -> Self {
        ClearGlobalKeysData {
            cleared_global_keys: o.cleared,
            failed_to_clear_global_keys: Vec::new(),
            not_found_global_keys: o.not_found,
            access_denied_global_keys: Vec::new(),
        }
    }
}

/// `data` is null until the job is `COMPLETE`.
#[derive(SimpleObject)]
struct ClearGlobalKeysResult {
    job_status: String,
    data: Option<ClearGlobalKeysData>,
}

fn job_not_found(id: &ID) -> async_graphql::Error {
    coded(
        format!("Job {} not found", id.as_str()),
        "RESOURCE_NOT_FOUND",
    )
}

/// Runs `apply` on the catalog now and keeps its result under a new job id.
fn start(ctx: &Context<'_>, apply: impl FnOnce(&mut crate::store::Catalog) -> JobResult) -> Job {
    let store = store(ctx);
    let result = apply(&mut store.catalog());
    let id = store.new_id();
    store.catalog_jobs.insert(id.clone(), result);
    Job { job_id: ID(id) }
}

/// The global-key job results of the query root.
#[derive(Default)]
pub(crate) struct GlobalKeyQuery;

#[Object]
impl GlobalKeyQuery {
    /// An assignment job's outcome; an unknown id (or another kind of job's) is
    /// `RESOURCE_NOT_FOUND`.
    async fn assign_global_keys_to_data_rows_result(
        &self,
        ctx: &Context<'_>,
        job_id: JobIdInput,
    ) -> async_graphql::Result<AssignGlobalKeysToDataRowsResult> {
        match store(ctx).catalog_jobs.get(job_id.id.as_str()) {
            Some((JobResult::Assign(outcome), done)) => Ok(AssignGlobalKeysToDataRowsResult {
                job_status: job_status(done),
                data: done.then(|| outcome.into()),
            }),
            _ => Err(job_not_found(&job_id.id)),
        }
    }

    /// A clearing job's outcome, as above.
    async fn clear_global_keys_result(
        &self,
        ctx: &Context<'_>,
        job_id: JobIdInput,
    ) -> async_graphql::Result<ClearGlobalKeysResult> {
        match store(ctx).catalog_jobs.get(job_id.id.as_str()) {
            Some((JobResult::Clear(outcome), done)) => Ok(ClearGlobalKeysResult {
                job_status: job_status(done),
                data: done.then(|| outcome.into()),
            }),
            _ => Err(job_not_found(&job_id.id)),
        }
    }
}

/// The global-key jobs of the mutation root.
#[derive(Default)]
pub(crate) struct GlobalKeyMutation;

#[Object]
impl GlobalKeyMutation {
    /// Starts assigning keys to rows (see [`catalog_jobs::assign`] for the rules).
    async fn assign_global_keys_to_data_rows(
        &self,
        ctx: &Context<'_>,
        data: AssignGlobalKeysToDataRowsInput,
    ) -> Job {
        let asked = data
            .assign_inputs
            .into_iter()
            .map(|a| Assignment {
                data_row_id: a.data_row_id.0,
                global_key: a.global_key,
            })
            .collect();
        start(ctx, |catalog| {
            JobResult::Assign(catalog_jobs::assign(catalog, asked))
        })
    }

    /// Starts clearing keys from the rows that have them.
    async fn clear_global_keys(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: GlobalKeysWhereInput,
    ) -> Job {
        let keys = filter.ids.into_iter().map(|k| k.0).collect();
        start(ctx, |catalog| {
            JobResult::Clear(catalog_jobs::clear(catalog, keys))
        })
    }
}
