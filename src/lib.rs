//! A blocking Rust client for Labelbox long-running tasks.
//!
//! Fetch a task, wait for it with a real deadline, read its result, list and cancel tasks,
//! from a script, a non-async binary or a CI job. No async runtime: every call blocks the
//! calling thread, over one shared keep-alive connection per [`Client`].
//!
//! ```
//! # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
//! # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
//! # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
//! # let task_id = &emulator.insert_task(labelbox_emulator::TaskSeed { status: "COMPLETE".into(), ..Default::default() });
//! use std::time::Duration;
//! use labelbox::{Client, Error, TaskFilter, TaskStatus, WaitOptions};
//!
//! let client = Client::from_env()?; // LABELBOX_API_KEY, optional LABELBOX_ENDPOINT
//! let mut task = client.get_task_by_id(task_id)?;
//! let options = WaitOptions::default()
//!     .timeout(Duration::from_secs(600))
//!     .check_frequency(Duration::from_secs(5));
//! match task.wait_with_progress(options, |t| {
//!     println!("{:.0}%", 100.0 * t.completion_percentage().unwrap_or(0.0))
//! }) {
//!     Ok(TaskStatus::Complete) => println!("done"),
//!     Ok(other) => println!("ended {other}"),
//!     Err(Error::WaitTimedOut { task, .. }) => println!("still {} after 10 min", task.status()),
//!     Err(e) => return Err(e),
//! }
//!
//! for task in client.tasks(TaskFilter::new().status(TaskStatus::Failed)) {
//!     let task = task?;
//!     println!("{} {} {}", task.id(), task.task_type(), task.status());
//! }
//! # Ok::<_, labelbox::Error>(())
//! ```
//!
//! Exports ([`Dataset::export`], [`Client::export_data_rows`]) return an [`ExportTask`], whose
//! rows are streamed file by file in constant memory and can be resumed; its documentation
//! maps the official SDK's `get_buffered_stream(...).start(handler)` to this SDK.
//!
//! Projects ([`Client::create_project`], [`Project`]) take batches of catalog rows, an
//! ontology, label and prediction imports ([`AnnotationImport`], waited like tasks, its
//! statuses streamed) and export their rows with their labels ([`Project::export`],
//! [`ExportedRow::projects`]); sending rows to annotate and changing their priority start
//! [`Task`]s.
//!
//! Errors are one enum, [`Error`]; transient failures are retried per [`RetryPolicy`]
//! (mutations only when they surely were not processed).
//!
//! # Logging
//!
//! The SDK logs through the [`log`](https://docs.rs/log) facade, under the `labelbox` target:
//! every retry and every giving up at `info` (what failed, attempt n of max, the wait), the
//! polls of a wait at `debug`, a task ending with errors at `warn`. No line of the SDK carries
//! the API key.
//!
//! **Keep the `ureq` and `ureq_proto` targets below `TRACE`.** At `TRACE`, the HTTP client's
//! protocol crate (`ureq_proto`) hex-dumps every request, its `Authorization: Bearer <key>`
//! header included, and `ureq` logs redirect locations in full; at `DEBUG` and above they
//! redact headers. With `env_logger`, for instance:
//! `RUST_LOG=labelbox=trace,ureq=debug,ureq_proto=debug`.

#![warn(missing_docs)]

mod annotation;
mod catalog;
mod client;
mod config;
mod dataset;
mod error;
mod export;
mod import;
mod model;
mod project;
mod task;
mod transport;

pub use annotation::import::{AnnotationImport, AnnotationImportKind, ImportState};
pub use annotation::row::{Annotation, AnnotationDataRow};
pub use annotation::status::{AnnotationError, AnnotationStatus, AnnotationStatuses};
pub use annotation::upload::MAX_ANNOTATIONS_PER_LABEL;
pub use catalog::global_keys::{
    AssignedGlobalKey, AssignmentFailure, ClearedGlobalKeys, FailedAssignment, FailedGlobalKey,
    GlobalKeyAssignment, GlobalKeyAssignments, GlobalKeyLookup, JobOutcome, KeyFailure,
};
pub use catalog::job::JOB_WAIT_TIMEOUT;
pub use catalog::metadata::{
    DataRowRef, MetadataBatch, MetadataBatches, MetadataDelete, MetadataFailure, MetadataItem,
    MetadataUpsert, METADATA_BATCH_SIZE,
};
pub use client::Client;
pub use config::{
    ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_ENDPOINT, DEFAULT_MAX_ANSWER_BYTES,
    DEFAULT_MIN_CHECK_FREQUENCY, DEFAULT_REQUEST_TIMEOUT, ENV_API_KEY, ENV_ENDPOINT,
};
pub use dataset::{Dataset, Datasets};
pub use error::{Error, Result};
pub use export::line_row::{ExportedLine, LineAnnotation, LineLabel, LineProject};
pub use export::lines::ExportLines;
pub use export::options::{
    ExportOptions, ExportSelection, INCLUDE_NAMES, MAX_EXPORT_IDS, MAX_EXPORT_SCOPE_IDS,
};
pub use export::project_row::{
    ExportedAnnotation, ExportedAnnotations, ExportedLabel, ExportedLabelDetails, ExportedProject,
    ExportedProjectDetails, ExportedProjects,
};
pub use export::stream::{
    ExportStream, ExportedDataRow, ExportedRow, StreamPosition, StreamStart, StreamType,
};
pub use export::task::{ExportTask, EXPORT_TASK_TYPE, EXPORT_WAIT_TIMEOUT};
pub use import::created_row::CreatedDataRow;
pub use import::data_row::{
    validate_items, validate_specs, Attachment, AttachmentKind, DataRowSpec, ItemError,
    ItemProblem, MediaType, MetadataField, RowData, UpsertItem, UpsertKey,
};
pub use import::failed_row::{FailedAttachment, FailedDataRow, FailedMetadata};
pub use import::rows::{ImportRow, ImportRows};
pub use import::upload::{ImportOptions, MAX_CHUNK_BYTES};
pub use import::upsert_task::{DataUpsertTask, ImportTotals, DEFAULT_PAGE_SIZE, UPSERT_TASK_TYPE};
pub use model::export::{ModelRunExportOptions, MODEL_RUN_INCLUDE_NAMES};
pub use model::run::{ModelRun, ModelRunLabels, REGISTRATION_WAIT_TIMEOUT};
pub use model::Model;
pub use project::batch::{Batch, Batches, MAX_BATCH_ROWS, MAX_SYNC_BATCH_ROWS};
pub use project::export::{ProjectExportOptions, WorkflowStatus, PROJECT_INCLUDE_NAMES};
pub use project::identifiers::DataRowIdentifiers;
pub use project::ontology::{
    NormalizedOntology, Ontology, OntologyClassification, OntologyOption, OntologyTool,
};
pub use project::workflow::{
    ConflictResolution, Destination, SendToAnnotateParams, TaskQueue, MAX_PRIORITY_ROWS,
};
pub use project::{Project, Projects};
pub use task::listing::{TaskFilter, Tasks};
pub use task::wait_many::TaskOutcome;
pub use task::{Task, TaskStatus, WaitOptions};
pub use transport::retry::{Clock, Retry, RetryPolicy, SystemClock};

/// Compiles the README's Rust example with the doctests, so the README cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
