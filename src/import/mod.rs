//! Data-row imports: the typed specs and their validation, the chunked upload that starts an
//! import, and the [`DataUpsertTask`](crate::DataUpsertTask) that reads its results.

pub(crate) mod created_row;
pub(crate) mod data_row;
pub(crate) mod dict;
pub(crate) mod failed_row;
pub(crate) mod rows;
pub(crate) mod upload;
pub(crate) mod upsert_task;
