//! # labelbox-emulator
//!
//! A local, offline server that speaks the Labelbox task API (the project's `PROTOCOL.md`) well
//! enough that the official Python SDK and this workspace's Rust SDK run against it: users,
//! datasets, data-row imports processed in the background, import results, streamable exports,
//! task listings and cancellation, with faults on demand and a request log.
//!
//! ```no_run
//! use std::time::Duration;
//! use labelbox_emulator::{Emulator, Faults};
//!
//! let emu = Emulator::builder()
//!     .import_rows_per_second(5_000)
//!     .min_task_duration(Duration::from_secs(2))
//!     .faults(Faults::seeded(7).server_errors(0.2).except_operations(["upsertDataRows"]))
//!     .start()?;
//! println!("{} with key {}", emu.url(), emu.api_key());
//! # Ok::<(), labelbox_emulator::Error>(())
//! ```
//!
//! The handle is blocking; under it, HTTP/1.1 is served by `hyper` on a small `tokio` runtime
//! the emulator owns (connections are tasks, not threads), and GraphQL is executed by
//! `async-graphql` on that runtime. State lives in memory and dies with the handle.

#![warn(missing_docs)]

mod attachments;
mod cancel;
mod catalog_jobs;
mod document;
mod emulator;
mod error;
mod export;
mod faults;
mod http;
mod import;
mod labels;
mod log;
mod media;
mod metadata;
mod models;
mod nodes;
mod project_export;
mod project_tasks;
mod projects;
mod row_metadata;
mod schedule;
mod schema;
mod store;
mod time;

pub use emulator::{
    Emulator, EmulatorBuilder, DEFAULT_BODY_TIMEOUT, DEFAULT_CANCELABLE_TASK_TYPES,
    DEFAULT_CANCEL_DURATION, DEFAULT_EXPORT_FILE_SIZE, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONNECTIONS, DEFAULT_MIN_TASK_DURATION,
    DEFAULT_ROWS_PER_SECOND, DEFAULT_WORKERS,
};
pub use error::{Error, Result};
pub use faults::{FaultKind, Faults};
pub use log::{key_fingerprint, RequestListener, RequestRecord};
pub use store::{DataRow, TaskSeed};

/// 64 random-enough bits from the standard library (keys and id salts, not cryptography).
pub(crate) fn random_u64() -> u64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    if let Ok(since) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(since.as_nanos());
    }
    hasher.finish()
}
