//! [`Task`]: a long-running server-side operation, its status, waiting for it, and its
//! result files.

pub(crate) mod listing;
pub(crate) mod poll;
pub(crate) mod snapshot;
pub(crate) mod wait_many;

/// The accessors a kind of task ([`DataUpsertTask`](crate::DataUpsertTask),
/// [`ExportTask`](crate::ExportTask)) forwards to the [`Task`] it holds in its `task` field:
/// written once, so every kind reads the same.
macro_rules! forward_task_accessors {
    () => {
        /// The plain task, as last fetched, for everything this type does not forward.
        #[must_use]
        pub fn task(&self) -> &$crate::Task {
            &self.task
        }

        /// The plain task.
        #[must_use]
        pub fn into_task(self) -> $crate::Task {
            self.task
        }

        /// The task's id.
        #[must_use]
        pub fn id(&self) -> &str {
            self.task.id()
        }

        /// The task's name; empty when the service sent none.
        #[must_use]
        pub fn name(&self) -> &str {
            self.task.name()
        }

        /// The task's type, e.g. `adv-upsert-data-rows` or `export-data-rows`.
        #[must_use]
        pub fn task_type(&self) -> &str {
            self.task.task_type()
        }

        /// The status as last fetched.
        #[must_use]
        pub fn status(&self) -> &$crate::TaskStatus {
            self.task.status()
        }

        /// Progress from 0.0 to 1.0, when the service reports it.
        #[must_use]
        pub fn completion_percentage(&self) -> Option<f64> {
            self.task.completion_percentage()
        }

        /// When the task was created.
        #[must_use]
        pub fn created_at(&self) -> std::time::SystemTime {
            self.task.created_at()
        }

        /// When the task last changed.
        #[must_use]
        pub fn updated_at(&self) -> std::time::SystemTime {
            self.task.updated_at()
        }

        /// Free-form metadata, when the service sent some.
        #[must_use]
        pub fn metadata(&self) -> Option<&serde_json::Value> {
            self.task.metadata()
        }
    };
}
pub(crate) use forward_task_accessors;

use std::fmt;
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::client::Client;
use crate::error::{Error, Result};

/// Every field of a task (PROTOCOL 2.1), in the order the official SDK selects them.
pub(crate) const TASK_FIELDS: &str =
    "completionPercentage createdAt errors metadata name result status type id updatedAt";

/// The task type of data-row imports (the tasks `DataUpsertTask` wraps).
pub(crate) const DATA_UPSERT_TYPE: &str = "adv-upsert-data-rows";

/// Task types whose `result` field is inline JSON rather than a URL.
const INLINE_RESULT_TYPES: [&str; 3] = [
    "add-data-rows-to-batch",
    "send-to-task-queue",
    "send-to-annotate",
];

use crate::export::task::EXPORT_TASK_TYPE as EXPORT_TYPE;
const LEGACY_IMPORT_NAME: &str = "JSON Import";

/// Status of a [`Task`]. An open set: statuses this SDK does not know are kept as
/// [`TaskStatus::Unknown`] and are treated as still running.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskStatus {
    /// `IN_PROGRESS`: running.
    InProgress,
    /// `COMPLETE`: finished (per-row failures of an import do not fail it).
    Complete,
    /// `CANCELLING`: a cancel was requested; still running.
    Canceling,
    /// `CANCELED`: stopped by a cancel.
    Canceled,
    /// `FAILED`: finished with an error.
    Failed,
    /// Any other status string, kept verbatim.
    Unknown(String),
}

impl TaskStatus {
    /// The wire string (`IN_PROGRESS`, `COMPLETE`, `CANCELLING`, `CANCELED`, `FAILED`, or the
    /// unknown string as received).
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            TaskStatus::InProgress => "IN_PROGRESS",
            TaskStatus::Complete => "COMPLETE",
            TaskStatus::Canceling => "CANCELLING",
            TaskStatus::Canceled => "CANCELED",
            TaskStatus::Failed => "FAILED",
            TaskStatus::Unknown(s) => s,
        }
    }

    /// True only for `COMPLETE`, `FAILED` and `CANCELED`: the task will not change again.
    #[must_use]
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            TaskStatus::Complete | TaskStatus::Failed | TaskStatus::Canceled
        )
    }

    /// Parses a wire string; never fails (unknown strings become [`TaskStatus::Unknown`]).
    #[must_use]
    pub fn from_wire(s: &str) -> Self {
        match s {
            "IN_PROGRESS" => TaskStatus::InProgress,
            "COMPLETE" => TaskStatus::Complete,
            // The documented spelling has two Ls; accept the one-L variant too.
            "CANCELLING" | "CANCELING" => TaskStatus::Canceling,
            "CANCELED" => TaskStatus::Canceled,
            "FAILED" => TaskStatus::Failed,
            other => TaskStatus::Unknown(other.to_owned()),
        }
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskStatus {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Ok(TaskStatus::from_wire(s))
    }
}

impl Serialize for TaskStatus {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TaskStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(TaskStatus::from_wire(&s))
    }
}

/// A task as the service sends it (PROTOCOL 2.1).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TaskData {
    pub(crate) id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub(crate) name: String,
    #[serde(rename = "type", default, deserialize_with = "null_as_empty")]
    pub(crate) task_type: String,
    pub(crate) status: TaskStatus,
    #[serde(default)]
    pub(crate) completion_percentage: Option<f64>,
    #[serde(deserialize_with = "timestamp")]
    pub(crate) created_at: SystemTime,
    #[serde(deserialize_with = "timestamp")]
    pub(crate) updated_at: SystemTime,
    #[serde(default)]
    pub(crate) result: Option<String>,
    #[serde(default)]
    pub(crate) errors: Option<String>,
    #[serde(default)]
    pub(crate) metadata: Option<Value>,
}

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

fn timestamp<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<SystemTime, D::Error> {
    let s = String::deserialize(d)?;
    parse_timestamp(&s)
        .ok_or_else(|| serde::de::Error::custom(format!("invalid RFC 3339 UTC time {s:?}")))
}

/// RFC 3339 in UTC, with or without fractional seconds (`Z` or a zero offset).
pub(crate) fn parse_timestamp(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let utc = s
        .strip_suffix("+00:00")
        .or_else(|| s.strip_suffix("-00:00"))
        .map(|base| format!("{base}Z"));
    humantime::parse_rfc3339(utc.as_deref().unwrap_or(s)).ok()
}

/// A server-side operation (import, export, batch...) that may take a while.
///
/// A task keeps its [`Client`], so it can [`refresh`](Task::refresh) itself and
/// [`wait`](Task::wait_till_done) for its end. Its `Debug` shows the task, never the client's
/// key.
///
/// ```
/// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
/// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
/// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
/// # let task_id = &emulator.insert_task(labelbox_emulator::TaskSeed { status: "COMPLETE".into(), ..Default::default() });
/// use labelbox::{Client, TaskStatus};
///
/// let client = Client::from_env()?;
/// let mut task = client.get_task_by_id(task_id)?;
/// if task.wait_till_done()? == TaskStatus::Complete {
///     println!("{}: {:?}", task.task_type(), task.result()?);
/// } else {
///     println!("{} ended {}: {:?}", task.id(), task.status(), task.errors()?);
/// }
/// # Ok::<_, labelbox::Error>(())
/// ```
#[derive(Clone)]
pub struct Task {
    client: Client,
    data: TaskData,
}

impl fmt::Debug for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The client is left out: it adds nothing about the task.
        f.debug_struct("Task")
            .field("id", &self.data.id)
            .field("name", &self.data.name)
            .field("type", &self.data.task_type)
            .field("status", &self.data.status)
            .field("completion_percentage", &self.data.completion_percentage)
            .field("created_at", &self.data.created_at)
            .field("updated_at", &self.data.updated_at)
            .field("result", &self.data.result)
            .field("errors", &self.data.errors)
            .field("metadata", &self.data.metadata)
            .finish()
    }
}

impl PartialEq for Task {
    /// Two tasks are equal when they are the same task: same id and type, as in the official
    /// SDK (a refreshed copy equals the one fetched before; compare
    /// [`status`](Task::status) and the other fields to see a change).
    fn eq(&self, other: &Self) -> bool {
        self.data.id == other.data.id && self.data.task_type == other.data.task_type
    }
}

impl Eq for Task {}

impl Hash for Task {
    /// Hashes what equality compares, so tasks can key a `HashMap` or fill a `HashSet`.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.data.id.hash(state);
        self.data.task_type.hash(state);
    }
}

/// How long and how often [`Task::wait_with`] polls.
///
/// Naming: the by-value setters own the plain names (`timeout`), as in every builder of this
/// crate; what was set reads back through the same name with `_value` (`timeout_value`).
///
/// ```
/// use std::time::Duration;
/// let options = labelbox::WaitOptions::default()
///     .timeout(Duration::from_secs(3600))
///     .check_frequency(Duration::from_secs(10));
/// assert_eq!(options.timeout_value(), Duration::from_secs(3600));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitOptions {
    timeout: Duration,
    check_frequency: Duration,
}

impl Default for WaitOptions {
    /// 300 s timeout, a poll every 2 s (the service's SDK defaults).
    fn default() -> Self {
        WaitOptions {
            timeout: Duration::from_secs(300),
            check_frequency: Duration::from_secs(2),
        }
    }
}

impl WaitOptions {
    /// The defaults: 300 s timeout, 2 s check frequency.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Longest the wait may block, request time included.
    #[must_use]
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Time between polls; at least the client's minimum (2 s by default).
    #[must_use]
    pub fn check_frequency(mut self, d: Duration) -> Self {
        self.check_frequency = d;
        self
    }

    /// The timeout set with [`timeout`](Self::timeout).
    #[must_use]
    pub fn timeout_value(&self) -> Duration {
        self.timeout
    }

    /// The check frequency set with [`check_frequency`](Self::check_frequency).
    #[must_use]
    pub fn check_frequency_value(&self) -> Duration {
        self.check_frequency
    }
}

impl Task {
    /// Wraps decoded task fields (used by every call that returns a task).
    pub(crate) fn from_data(client: Client, data: TaskData) -> Self {
        Task { client, data }
    }

    /// The client this task was fetched with (for `DataUpsertTask`).
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// The task's id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.data.id
    }

    /// The task's name (e.g. `JSON Import`); empty when the service sent none.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.data.name
    }

    /// The task's type in kebab-case, e.g. `adv-upsert-data-rows`; empty when the service
    /// sent none.
    #[must_use]
    pub fn task_type(&self) -> &str {
        &self.data.task_type
    }

    /// The status as last fetched.
    #[must_use]
    pub fn status(&self) -> &TaskStatus {
        &self.data.status
    }

    /// Completion between 0.0 and 1.0, when the service reports it.
    #[must_use]
    pub fn completion_percentage(&self) -> Option<f64> {
        self.data.completion_percentage
    }

    /// When the task was created.
    #[must_use]
    pub fn created_at(&self) -> SystemTime {
        self.data.created_at
    }

    /// When the task last changed.
    #[must_use]
    pub fn updated_at(&self) -> SystemTime {
        self.data.updated_at
    }

    /// The raw `result` field: a URL of a result file for import and export tasks, inline
    /// JSON text for batch/queue/annotate tasks, or nothing.
    #[must_use]
    pub fn result_url(&self) -> Option<&str> {
        self.data.result.as_deref()
    }

    /// The raw `errors` field: a URL of an errors file (export tasks), or nothing.
    #[must_use]
    pub fn errors_url(&self) -> Option<&str> {
        self.data.errors.as_deref()
    }

    /// Free-form metadata, when the service sent some.
    #[must_use]
    pub fn metadata(&self) -> Option<&Value> {
        self.data.metadata.as_ref()
    }

    /// True for a data-row import (`adv-upsert-data-rows`), whose paginated rows are read
    /// through [`into_data_upsert`](Task::into_data_upsert).
    #[must_use]
    pub fn is_data_upsert(&self) -> bool {
        self.data.task_type == DATA_UPSERT_TYPE
    }

    /// Fetches the task's current state (one request).
    ///
    /// # Errors
    ///
    /// A [request failure](crate::Error#request-failures); [`Error::NotFound`] if the task is
    /// gone.
    pub fn refresh(&mut self) -> Result<()> {
        self.data = self.client.fetch_task_data(&self.data.id)?;
        Ok(())
    }

    /// Waits until the task is finished, polling every 2 s for at most 300 s. See
    /// [`wait_with_progress`](Task::wait_with_progress).
    ///
    /// # Errors
    ///
    /// As [`wait_with_progress`](Task::wait_with_progress).
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let task_id = &emulator.insert_task(labelbox_emulator::TaskSeed { status: "COMPLETE".into(), ..Default::default() });
    /// # let client = labelbox::Client::from_env()?;
    /// let mut task = client.get_task_by_id(task_id)?;
    /// match task.wait_till_done() {
    ///     Ok(status) => println!("ended {status}"),
    ///     Err(e) if e.is_wait_timed_out() => println!("still running after 5 minutes"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    pub fn wait_till_done(&mut self) -> Result<TaskStatus> {
        self.wait_with_progress(WaitOptions::default(), |_| {})
    }

    /// Waits until the task is finished, with the given timeout and check frequency. See
    /// [`wait_with_progress`](Task::wait_with_progress).
    ///
    /// # Errors
    ///
    /// As [`wait_with_progress`](Task::wait_with_progress).
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let task_id = &emulator.insert_task(labelbox_emulator::TaskSeed { status: "COMPLETE".into(), ..Default::default() });
    /// use std::time::Duration;
    /// use labelbox::WaitOptions;
    /// # let client = labelbox::Client::from_env()?;
    /// let mut task = client.get_task_by_id(task_id)?;
    /// let options = WaitOptions::default()
    ///     .timeout(Duration::from_secs(3600))
    ///     .check_frequency(Duration::from_secs(30));
    /// let status = task.wait_with(options)?;
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    pub fn wait_with(&mut self, options: WaitOptions) -> Result<TaskStatus> {
        self.wait_with_progress(options, |_| {})
    }

    /// Waits until the task is finished (`COMPLETE`, `FAILED` or `CANCELED`) and returns that
    /// status; `on_poll` is called with the task after every poll.
    ///
    /// The timeout is a deadline on the client's monotonic clock that counts request time:
    /// the last sleep is cut to the deadline and one last poll is made there. A task still
    /// running then (including `CANCELLING` and unknown statuses) is
    /// [`Error::WaitTimedOut`], carrying the task as last seen. A check frequency below the
    /// client's minimum is [`Error::InvalidInput`]. A zero timeout still polls once.
    ///
    /// Each poll's request timeout is cut to the time left before the deadline (but at least
    /// 1 s, so the poll made at the deadline can be answered): a server that stalls cannot
    /// stretch the wait by more than that. Transient errors of a poll are retried under the
    /// client's retry policy, as long as the retry ends before the deadline; any other error, or a transient one that cannot
    /// be retried in time, ends the wait with that error. A task that ends `FAILED`, or with
    /// errors, is logged as a warning (through `log`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a check frequency below the client's minimum (nothing is
    /// sent); [`Error::WaitTimedOut`], carrying the task as last seen, when it is still running
    /// at the deadline; a [request failure](crate::Error#request-failures) of a poll that could
    /// not be retried before the deadline.
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let task_id = &emulator.insert_task(labelbox_emulator::TaskSeed { status: "COMPLETE".into(), ..Default::default() });
    /// use std::time::Duration;
    /// use labelbox::{Error, WaitOptions};
    /// # let client = labelbox::Client::from_env()?;
    /// let mut task = client.get_task_by_id(task_id)?;
    /// let options = WaitOptions::default().timeout(Duration::from_secs(600));
    /// match task.wait_with_progress(options, |t| {
    ///     eprintln!("{} {:.0}%", t.status(), 100.0 * t.completion_percentage().unwrap_or(0.0))
    /// }) {
    ///     Ok(status) => println!("ended {status}"),
    ///     Err(Error::WaitTimedOut { task, polls, .. }) => {
    ///         println!("still {} after {polls} polls", task.status())
    ///     }
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    pub fn wait_with_progress(
        &mut self,
        options: WaitOptions,
        mut on_poll: impl FnMut(&Task),
    ) -> Result<TaskStatus> {
        let mut pacer = poll::Pacer::start(&self.client, &options)?;
        loop {
            if self.data.status.is_terminal() {
                self.warn_if_errors();
                return Ok(self.data.status.clone());
            }
            log::debug!(
                "task {} is {}; next poll in at most {:?}",
                self.data.id,
                self.data.status,
                pacer.frequency()
            );
            let deadline = match pacer.next_poll(false) {
                Ok(deadline) => deadline,
                Err(expired) => {
                    return Err(Error::WaitTimedOut {
                        task: Box::new(self.clone()),
                        waited: expired.waited,
                        polls: expired.polls,
                    })
                }
            };
            self.data = self.client.fetch_task_data_until(&self.data.id, deadline)?;
            on_poll(self);
        }
    }

    /// Refuses a check frequency under the client's floor (and zero, a busy loop).
    fn check_frequency_allowed(&self, frequency: Duration) -> Result<()> {
        poll::check_frequency_allowed(&self.client, frequency)
    }

    fn warn_if_errors(&self) {
        if self.data.status == TaskStatus::Failed || self.data.errors.is_some() {
            log::warn!(
                "task {} ended {} with errors; see Task::errors for details",
                self.data.id,
                self.data.status
            );
        }
    }

    /// The result of a finished non-import task (PROTOCOL 3.8):
    /// - legacy `JSON Import` tasks: the created rows, as a JSON array of
    ///   `{"id", "external_id", "row_data", "global_key"}`;
    /// - legacy (non-streamable) `export-data-rows` tasks, whose `result` is a file URL: the
    ///   lines of that NDJSON file, as a JSON array;
    /// - `add-data-rows-to-batch`, `send-to-task-queue`, `send-to-annotate`: the inline JSON.
    ///
    /// Streamable exports, the kind [`Dataset::export`](crate::Dataset::export) starts, have no
    /// result file: their rows are read with
    /// [`ExportTask::stream`](crate::ExportTask::stream) (convert with
    /// [`ExportTask::try_from`](crate::ExportTask) or fetch with
    /// [`Client::get_export_task`](crate::Client::get_export_task)); here they are
    /// [`Error::ResultUnavailable`] saying so.
    ///
    /// `None` when the task has no result field. Result files are downloaded without the API
    /// key. Data-row imports (`adv-upsert-data-rows`) have paginated results of their own;
    /// other types, unfinished and failed tasks are [`Error::ResultUnavailable`].
    ///
    /// # Errors
    ///
    /// [`Error::ResultUnavailable`] for a data-row import, a streamable export, a type without
    /// a result, or a task not finished `COMPLETE` (nothing is sent); for a result file, a
    /// [request failure](crate::Error#request-failures) of its download or [`Error::Decode`]
    /// for a line that is not JSON.
    pub fn result(&self) -> Result<Option<Value>> {
        if self.is_data_upsert() {
            return Err(self.unavailable(
                "data-row import results are paginated: read them through \
                 Task::into_data_upsert()",
            ));
        }
        self.refuse_streamable_export()?;
        match &self.data.status {
            TaskStatus::Failed => {
                return Err(self.unavailable("the task failed; see Task::errors"));
            }
            s if !s.is_terminal() => {
                return Err(self.unavailable(&format!(
                    "the task is still {s}; wait for it to finish first"
                )));
            }
            _ => {}
        }
        let Some(result) = self.data.result.as_deref() else {
            return Ok(None);
        };
        if self.data.name == LEGACY_IMPORT_NAME {
            let file = self.download_json(result)?;
            let rows = file
                .get("createdDataRows")
                .and_then(Value::as_array)
                .map(|rows| rows.iter().map(shape_created_row).collect())
                .unwrap_or_default();
            Ok(Some(Value::Array(rows)))
        } else if self.data.task_type == EXPORT_TYPE {
            self.download_ndjson(result).map(Some)
        } else if INLINE_RESULT_TYPES.contains(&self.data.task_type.as_str()) {
            parse_inline(result).map(Some)
        } else {
            Err(self.unavailable(
                "the SDK reads results of JSON Import, export and batch/queue/annotate tasks only; \
                 the raw field is Task::result_url",
            ))
        }
    }

    /// The errors of a finished non-import task (PROTOCOL 3.8), `None` when there are none:
    /// - legacy `JSON Import` tasks: the file's `error` when failed, its `errors` otherwise;
    /// - legacy `export-data-rows` tasks: the lines of the NDJSON errors file (streamable
    ///   exports are [`Error::ResultUnavailable`]: read
    ///   [`ExportTask::stream`](crate::ExportTask::stream) with `StreamType::Errors`);
    /// - `add-data-rows-to-batch`, `send-to-task-queue`, `send-to-annotate`: on failure, the
    ///   inline JSON of the `result` field.
    ///
    /// Other types (and data-row imports, whose errors are paginated) are
    /// [`Error::ResultUnavailable`].
    ///
    /// # Errors
    ///
    /// [`Error::ResultUnavailable`] for a data-row import, a streamable export or a type
    /// without errors (nothing is sent); for an errors file, a [request
    /// failure](crate::Error#request-failures) of its download or [`Error::Decode`] for a line
    /// that is not JSON.
    pub fn errors(&self) -> Result<Option<Value>> {
        if self.is_data_upsert() {
            return Err(self.unavailable(
                "data-row import errors are paginated: read them through \
                 Task::into_data_upsert()",
            ));
        }
        self.refuse_streamable_export()?;
        if !self.data.status.is_terminal() {
            return Err(self.unavailable(&format!(
                "the task is still {}; wait for it to finish first",
                self.data.status
            )));
        }
        if self.data.name == LEGACY_IMPORT_NAME {
            let Some(url) = self.data.result.as_deref() else {
                return Ok(None);
            };
            let file = self.download_json(url)?;
            let key = if self.data.status == TaskStatus::Failed {
                "error"
            } else {
                "errors"
            };
            Ok(file.get(key).filter(|v| !is_empty(v)).cloned())
        } else if self.data.task_type == EXPORT_TYPE {
            match self.data.errors.as_deref() {
                Some(url) => self.download_ndjson(url).map(Some),
                None => Ok(None),
            }
        } else if INLINE_RESULT_TYPES.contains(&self.data.task_type.as_str()) {
            match (&self.data.status, self.data.result.as_deref()) {
                (TaskStatus::Failed, Some(inline)) => parse_inline(inline).map(Some),
                _ => Ok(None),
            }
        } else {
            Err(self.unavailable(
                "the SDK reads errors of JSON Import, export and batch/queue/annotate tasks only",
            ))
        }
    }

    /// A streamable export (an export without a result file URL) is read through
    /// `ExportTask`'s streams, never a result file: say so rather than answer "no result".
    fn refuse_streamable_export(&self) -> Result<()> {
        let streamable = self.data.task_type == EXPORT_TYPE
            && self.data.result.is_none()
            && self.data.errors.is_none();
        if streamable {
            return Err(self.unavailable(
                "streamable exports are read through their streams: \
                 client.get_export_task(id)?.stream(StreamType::Result) (or ExportTask::try_from(task))",
            ));
        }
        Ok(())
    }

    fn unavailable(&self, reason: &str) -> Error {
        Error::ResultUnavailable {
            task_id: self.data.id.clone(),
            task_type: self.data.task_type.clone(),
            reason: reason.to_owned(),
        }
    }

    fn download_bytes(&self, url: &str) -> Result<Vec<u8>> {
        let mut reader = self.client.transport().download(url)?;
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| Error::network("reading the result file failed", e))?;
        Ok(bytes)
    }

    fn download_json(&self, url: &str) -> Result<Value> {
        let bytes = self.download_bytes(url)?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::decode(
                format!("result file is not JSON: {e}"),
                &String::from_utf8_lossy(&bytes),
            )
        })
    }

    fn download_ndjson(&self, url: &str) -> Result<Value> {
        let bytes = self.download_bytes(url)?;
        let text = String::from_utf8_lossy(&bytes);
        let mut lines = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let value = serde_json::from_str(line).map_err(|e| {
                Error::decode(format!("line {} of the NDJSON file: {e}", n + 1), line)
            })?;
            lines.push(value);
        }
        Ok(Value::Array(lines))
    }
}

fn parse_inline(text: &str) -> Result<Value> {
    serde_json::from_str(text)
        .map_err(|e| Error::decode(format!("inline result is not JSON: {e}"), text))
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// A created row of a legacy import file, shaped like the official SDK's result.
fn shape_created_row(row: &Value) -> Value {
    serde_json::json!({
        "id": row.get("id"),
        "external_id": row.get("externalId"),
        "row_data": row.get("rowData"),
        "global_key": row.get("globalKey"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for wire in [
            "IN_PROGRESS",
            "COMPLETE",
            "CANCELLING",
            "CANCELED",
            "FAILED",
            "PAUSED",
        ] {
            let s: TaskStatus = serde_json::from_value(Value::from(wire)).unwrap();
            assert_eq!(serde_json::to_value(&s).unwrap(), Value::from(wire));
        }
        assert_eq!(TaskStatus::from_wire("CANCELLING"), TaskStatus::Canceling);
        assert_eq!(
            TaskStatus::from_wire("PAUSED"),
            TaskStatus::Unknown("PAUSED".into())
        );
    }

    #[test]
    fn terminal_statuses() {
        assert!(TaskStatus::Complete.is_terminal());
        assert!(TaskStatus::Failed.is_terminal());
        assert!(TaskStatus::Canceled.is_terminal());
        assert!(!TaskStatus::InProgress.is_terminal());
        assert!(!TaskStatus::Canceling.is_terminal());
        assert!(!TaskStatus::Unknown("X".into()).is_terminal());
    }

    #[test]
    fn timestamps_with_and_without_fraction() {
        let a = parse_timestamp("2026-11-29T07:00:01.000Z").unwrap();
        let b = parse_timestamp("2026-11-29T07:00:01Z").unwrap();
        let c = parse_timestamp("2026-11-29T07:00:01+00:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(b, c);
        let d = parse_timestamp("2026-11-29T07:00:01.250Z").unwrap();
        assert_eq!(d.duration_since(b).unwrap(), Duration::from_millis(250));
        assert!(parse_timestamp("yesterday").is_none());
    }
}
