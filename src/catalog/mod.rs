//! Catalog operations on existing data rows: the global-key jobs
//! ([`Client::assign_global_keys`](crate::Client::assign_global_keys),
//! [`Client::clear_global_keys`](crate::Client::clear_global_keys),
//! [`Client::data_row_ids_for_global_keys`](crate::Client::data_row_ids_for_global_keys)) and
//! data-row metadata in bulk ([`Client::upsert_metadata`](crate::Client::upsert_metadata),
//! [`Client::delete_metadata`](crate::Client::delete_metadata)).

pub(crate) mod global_keys;
pub(crate) mod job;
pub(crate) mod metadata;
