//! The builder and the running emulator's handle.

use std::fmt;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::faults::{Faults, RateLimiter};
use crate::http::{Limits, Server, Service};
use crate::log::{RequestListener, RequestLog, RequestRecord};
use crate::schema;
use crate::store::{DataRow, Pace, Store, TaskSeed};

/// Import pace by default: rows per second.
pub const DEFAULT_ROWS_PER_SECOND: u32 = 5_000;
/// Shortest import by default, so `IN_PROGRESS` is observable even for one row.
pub const DEFAULT_MIN_TASK_DURATION: Duration = Duration::from_secs(2);
/// How long a cancelled task stays `CANCELLING` by default: long enough for a poll right
/// after the cancel to see it, short enough that waiting for `CANCELED` costs nothing.
pub const DEFAULT_CANCEL_DURATION: Duration = Duration::from_millis(100);
/// Largest file an export stream is cut into by default, in bytes (4 MiB).
pub const DEFAULT_EXPORT_FILE_SIZE: usize = 4 << 20;
/// Threads of the HTTP runtime by default.
pub const DEFAULT_WORKERS: usize = 8;
/// Longest request body accepted by default: 64 MiB (the SDKs upload chunks of at most
/// 10,000,000 bytes).
pub const DEFAULT_MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;
/// How long a request body may take to arrive by default.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections served at once by default; more wait until one closes.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// How long a connection may go without sending a complete request head by default (idle
/// between keep-alive requests, or sending its headers), before the emulator closes it.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// The task types the emulator cancels by default, PascalCase as `cancelableTaskTypes` answers
/// them: the kinds Labelbox's task page lists as cancelable (streamable exports, sending to
/// annotate, sending to a model run, bulk-updating queue priority, classification creation,
/// agreement backfill). Data-row imports are not among them, as on the page. Only
/// `ExportDataRows` and `SendToAnnotate` are names seen on the wire (`../shared/PROTOCOL.md`);
/// the others are the emulator's rendering of the page's wording.
pub const DEFAULT_CANCELABLE_TASK_TYPES: [&str; 6] = [
    "ExportDataRows",
    "SendToAnnotate",
    "SendToModelRun",
    "BulkUpdateQueuePriority",
    "CreateClassifications",
    "AgreementBackfill",
];

/// Settings for an [`Emulator`]; see [`Emulator::builder`].
#[derive(Clone)]
pub struct EmulatorBuilder {
    api_key: Option<String>,
    port: u16,
    rows_per_second: u32,
    min_task_duration: Duration,
    cancel_duration: Duration,
    faults: Faults,
    workers: usize,
    cancelable_types: Vec<String>,
    export_file_size: usize,
    job_duration: Duration,
    limits: Limits,
    listener: Option<RequestListener>,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("port", &self.port)
            .field("rows_per_second", &self.rows_per_second)
            .field("min_task_duration", &self.min_task_duration)
            .field("cancel_duration", &self.cancel_duration)
            .field("faults", &self.faults)
            .field("workers", &self.workers)
            .field("cancelable_types", &self.cancelable_types)
            .field("export_file_size", &self.export_file_size)
            .field("job_duration", &self.job_duration)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            api_key: None,
            port: 0,
            rows_per_second: DEFAULT_ROWS_PER_SECOND,
            min_task_duration: DEFAULT_MIN_TASK_DURATION,
            cancel_duration: DEFAULT_CANCEL_DURATION,
            faults: Faults::none(),
            workers: DEFAULT_WORKERS,
            cancelable_types: DEFAULT_CANCELABLE_TASK_TYPES.map(String::from).to_vec(),
            export_file_size: DEFAULT_EXPORT_FILE_SIZE,
            job_duration: Duration::ZERO,
            limits: Limits::default(),
            listener: None,
        }
    }
}

impl EmulatorBuilder {
    /// The only API key accepted (default: a random key, see [`Emulator::api_key`]).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The port on 127.0.0.1 (default 0: any free port, see [`Emulator::url`]).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// How many rows an import applies per second (default [`DEFAULT_ROWS_PER_SECOND`]).
    pub fn import_rows_per_second(mut self, rows: u32) -> Self {
        self.rows_per_second = rows;
        self
    }

    /// The shortest time an import takes (default [`DEFAULT_MIN_TASK_DURATION`]).
    pub fn min_task_duration(mut self, duration: Duration) -> Self {
        self.min_task_duration = duration;
        self
    }

    /// How long a cancelled task (import or seeded) stays `CANCELLING` before it is
    /// `CANCELED` (default [`DEFAULT_CANCEL_DURATION`]).
    pub fn cancel_duration(mut self, duration: Duration) -> Self {
        self.cancel_duration = duration;
        self
    }

    /// Faults to inject (default none).
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Threads of the HTTP runtime (default [`DEFAULT_WORKERS`]). Connections are tasks on
    /// them, not threads of their own.
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers;
        self
    }

    /// The task types `cancelableTaskTypes` answers and `cancelBulkOperationJob` accepts,
    /// PascalCase (default [`DEFAULT_CANCELABLE_TASK_TYPES`]). A test that must cancel a
    /// data-row import adds `"AdvUpsertDataRows"`; production is not known to accept that.
    ///
    /// ```no_run
    /// use labelbox_emulator::{Emulator, DEFAULT_CANCELABLE_TASK_TYPES};
    ///
    /// let emu = Emulator::builder()
    ///     .cancelable_task_types(DEFAULT_CANCELABLE_TASK_TYPES.into_iter().chain(["AdvUpsertDataRows"]))
    ///     .start()?;
    /// # Ok::<(), labelbox_emulator::Error>(())
    /// ```
    pub fn cancelable_task_types<S: Into<String>>(
        mut self,
        types: impl IntoIterator<Item = S>,
    ) -> Self {
        self.cancelable_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// The largest file an export stream is cut into, in bytes (default
    /// [`DEFAULT_EXPORT_FILE_SIZE`]); files hold whole lines, so a longer line gets a file of
    /// its own. Small sizes make tests cross file borders.
    pub fn export_file_size(mut self, bytes: usize) -> Self {
        self.export_file_size = bytes;
        self
    }

    /// How long a global-key job (`assignGlobalKeysToDataRows`, `clearGlobalKeys`) reports
    /// `IN_PROGRESS` before its result is `COMPLETE` (default zero: complete at the first
    /// poll). The job is applied when it starts either way; a duration lets clients' waits
    /// and deadlines be tested.
    pub fn job_duration(mut self, duration: Duration) -> Self {
        self.job_duration = duration;
        self
    }

    /// The longest request body accepted (default [`DEFAULT_MAX_BODY_BYTES`]). A request
    /// declaring a longer one is answered 413 without its body being read; a chunked body
    /// that grows past it is answered 413 when it does.
    pub fn max_body_bytes(mut self, bytes: u64) -> Self {
        self.limits.max_body_bytes = bytes;
        self
    }

    /// How long a request body may take to arrive whole (default [`DEFAULT_BODY_TIMEOUT`]);
    /// a slower one is answered 408 and its connection closed.
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.limits.body_timeout = timeout;
        self
    }

    /// How many connections are served at once (default [`DEFAULT_MAX_CONNECTIONS`]); more
    /// wait in the listen backlog until one closes.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.limits.max_connections = connections;
        self
    }

    /// How long a connection may go without sending a complete request head (default
    /// [`DEFAULT_IDLE_TIMEOUT`]): idle between keep-alive requests, or sending its headers
    /// slowly. Past it the emulator closes the connection.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }

    /// Called with every request record as soon as it is complete (before the answer is sent).
    pub fn on_request(mut self, listener: impl Fn(&RequestRecord) + Send + Sync + 'static) -> Self {
        self.listener = Some(Arc::new(listener));
        self
    }

    /// Binds 127.0.0.1 and starts serving on the HTTP runtime's threads.
    pub fn start(self) -> Result<Emulator> {
        self.faults.validate()?;
        validate_limits(&self.limits)?;
        if self.rows_per_second == 0 {
            return Err(Error::InvalidConfig(
                "rows per second must be at least 1".into(),
            ));
        }
        if self.export_file_size == 0 {
            return Err(Error::InvalidConfig(
                "the export file size must be at least 1 byte".into(),
            ));
        }
        if self.api_key.as_deref() == Some("") {
            return Err(Error::InvalidConfig("the API key must not be empty".into()));
        }
        let listener = std::net::TcpListener::bind(("127.0.0.1", self.port))
            .and_then(|l| l.local_addr().map(|a| (l, a.port())));
        let (listener, port) =
            listener.map_err(|e| Error::Bind(format!("127.0.0.1:{}: {e}", self.port)))?;
        let api_key = self.api_key.unwrap_or_else(random_key);
        let pace = Pace {
            rows_per_second: self.rows_per_second,
            min_task_duration: self.min_task_duration,
            cancel_duration: self.cancel_duration,
        };
        let store = Arc::new(
            Store::new(api_key, pace)
                .with_cancelable_types(self.cancelable_types)
                .with_export_file_size(self.export_file_size)
                .with_job_duration(self.job_duration),
        );
        store.set_base_url(format!("http://127.0.0.1:{port}"));
        let service = Arc::new(Service {
            store: Arc::clone(&store),
            schema: schema::build(Arc::clone(&store)),
            limiter: RateLimiter::new(&self.faults),
            faults: self.faults,
            log: RequestLog::new(self.listener),
            seq: AtomicU64::new(0),
            limits: self.limits,
        });
        let server = Server::start(listener, Arc::clone(&service), self.workers)
            .map_err(|e| Error::Bind(format!("cannot start the HTTP runtime: {e}")))?;
        Ok(Emulator {
            store,
            service,
            server,
            port,
        })
    }
}

fn validate_limits(limits: &Limits) -> Result<()> {
    let refused = if limits.max_body_bytes == 0 {
        "the body limit must be at least 1 byte"
    } else if limits.max_connections == 0 {
        "at least 1 connection must be allowed"
    } else if limits.body_timeout.is_zero() || limits.idle_timeout.is_zero() {
        "the body and idle timeouts must not be zero"
    } else {
        return Ok(());
    };
    Err(Error::InvalidConfig(refused.into()))
}

fn random_key() -> String {
    format!(
        "lbemu_{:016x}{:016x}",
        crate::random_u64(),
        crate::random_u64()
    )
}

/// A running emulator on 127.0.0.1; dropping it shuts the server and its imports down.
pub struct Emulator {
    store: Arc<Store>,
    service: Arc<Service>,
    server: Server,
    port: u16,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Settings, all defaulted.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// Starts an emulator with default settings.
    pub fn start() -> Result<Emulator> {
        EmulatorBuilder::default().start()
    }

    /// The GraphQL endpoint, `http://127.0.0.1:PORT/graphql`.
    pub fn url(&self) -> String {
        format!("{}/graphql", self.store.base_url())
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        self.store.base_url()
    }

    /// Where files are served: `http://127.0.0.1:PORT/files/`.
    pub fn file_url_prefix(&self) -> String {
        format!("{}/files/", self.store.base_url())
    }

    /// The port listened on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The only API key accepted.
    pub fn api_key(&self) -> &str {
        &self.store.api_key
    }

    /// The id of the key's user (the creator of every task).
    pub fn user_id(&self) -> &str {
        &self.store.identity.user_id
    }

    /// Every GraphQL request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.service.log.snapshot()
    }

    /// Puts a task in the state as-is; returns its id.
    pub fn insert_task(&self, seed: TaskSeed) -> String {
        self.store.insert_task(seed, None)
    }

    /// Changes a task's status (e.g. to let a seeded task finish); false if there is no such task.
    /// A terminal status on a task without a percentage leaves the percentage alone.
    pub fn set_task_status(&self, task_id: &str, status: &str) -> bool {
        self.store
            .update_task(task_id, |t| t.status = status.to_string())
    }

    /// Changes a task's `result` and `errors`; false if there is no such task.
    pub fn set_task_outcome(
        &self,
        task_id: &str,
        result: Option<String>,
        errors: Option<String>,
    ) -> bool {
        self.store.update_task(task_id, |t| {
            t.result = result;
            t.errors = errors;
        })
    }

    /// Changes a task's `completionPercentage`; false if there is no such task.
    pub fn set_task_completion(&self, task_id: &str, completion: Option<f64>) -> bool {
        self.store
            .update_task(task_id, |t| t.completion_percentage = completion)
    }

    /// A task's current status, `None` if there is no such task.
    pub fn task_status(&self, task_id: &str) -> Option<String> {
        self.store.task(task_id).map(|t| t.status)
    }

    /// Blocks until the task is terminal (`COMPLETE`, `FAILED`, `CANCELED`) or `timeout`
    /// passes; returns its status then, `None` if there is no such task.
    pub fn wait_for_task(&self, task_id: &str, timeout: Duration) -> Option<String> {
        self.store.wait_for_task(task_id, timeout)
    }

    /// Puts a finished (`COMPLETE`) export task in the state whose `RESULT` and `ERRORS`
    /// streams hold the given NDJSON lines (each without its newline; none: no such stream),
    /// cut into files like any export; returns its id. For clients' tests of streams the
    /// emulator's own exports never produce (an errors stream, lines of any content).
    pub fn insert_export<R, E>(
        &self,
        result: impl IntoIterator<Item = R>,
        errors: impl IntoIterator<Item = E>,
    ) -> String
    where
        R: Into<String>,
        E: Into<String>,
    {
        crate::export::insert_written(
            &self.store,
            result.into_iter().map(Into::into),
            errors.into_iter().map(Into::into),
        )
    }

    /// Serves `bytes` with `content_type` at a new unauthenticated URL, returned.
    pub fn put_file(&self, bytes: impl Into<Vec<u8>>, content_type: &str) -> String {
        self.store.put_file(bytes.into(), content_type)
    }

    /// Creates a dataset directly; returns its id.
    pub fn create_dataset(&self, name: &str) -> String {
        self.store.create_dataset(name.to_string(), None).id
    }

    /// The rows of a dataset as stored, in creation order.
    pub fn data_rows(&self, dataset_id: &str) -> Vec<DataRow> {
        self.store.data_rows(dataset_id)
    }

    /// Stops serving and waits for the workers and imports to end (also done on drop).
    pub fn shutdown(self) {}
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.server.stop();
        self.store.shut_down();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handle_can_be_shared_across_test_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Emulator>();
        send_sync::<EmulatorBuilder>();
    }

    #[test]
    fn bad_settings_are_refused_before_binding() {
        let zero_pace = Emulator::builder().import_rows_per_second(0).start();
        assert!(matches!(zero_pace, Err(Error::InvalidConfig(_))));
        let empty_key = Emulator::builder().api_key("").start();
        assert!(matches!(empty_key, Err(Error::InvalidConfig(_))));
        let no_connections = Emulator::builder().max_connections(0).start();
        assert!(matches!(no_connections, Err(Error::InvalidConfig(_))));
        let no_time = Emulator::builder().body_timeout(Duration::ZERO).start();
        assert!(matches!(no_time, Err(Error::InvalidConfig(_))));
        let bad_rate = Emulator::builder()
            .faults(Faults::seeded(1).dropped_connections(-0.1))
            .start();
        assert!(matches!(bad_rate, Err(Error::InvalidConfig(_))));
    }

    #[test]
    fn debug_output_never_shows_the_key() {
        let builder = Emulator::builder().api_key("hidden-key");
        assert!(!format!("{builder:?}").contains("hidden-key"));
    }
}
