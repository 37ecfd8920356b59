//! [`DataUpsertTask`]: the task of a data-row import, with its results and errors read one
//! cursor page at a time (PROTOCOL 3.7).

use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::import::created_row::CreatedDataRow;
use crate::import::failed_row::FailedDataRow;
use crate::import::rows::{total_of, ImportRow, ImportRows};
use crate::task::{Task, TaskStatus, WaitOptions};

/// The task type of data-row imports.
pub const UPSERT_TASK_TYPE: &str = "adv-upsert-data-rows";

/// How many rows one results/errors page asks for by default (as the official SDK).
pub const DEFAULT_PAGE_SIZE: u32 = 5_000;

/// How many rows an import created and how many failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportTotals {
    /// Rows created or updated.
    pub created: u64,
    /// Rows that failed.
    pub failed: u64,
}

/// The task of a data-row import (type `adv-upsert-data-rows`).
///
/// It holds a [`Task`] ([`task`](Self::task), [`into_task`](Self::into_task)) and forwards
/// what a caller asks of an import ([`id`](Self::id), [`status`](Self::status),
/// [`refresh`](Self::refresh), the waits...), plus the import's created and failed rows. Its
/// own [`wait_till_done`](Self::wait_till_done) / [`wait_with`](Self::wait_with) /
/// [`wait_with_progress`](Self::wait_with_progress) also warn (through `log`) when the
/// finished import has failed rows. Rows are only readable once the task has finished: wait
/// for it first; reading a running task's rows is [`Error::ResultUnavailable`], never a
/// hidden wait.
///
/// Imports come from [`Dataset::create_data_rows`](crate::Dataset::create_data_rows) /
/// [`upsert_data_rows`](crate::Dataset::upsert_data_rows); an import found by id
/// ([`Client::get_task_by_id`](crate::Client::get_task_by_id)) becomes one with [`Task::into_data_upsert`].
///
/// ```
/// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
/// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
/// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
/// # let dataset_id = &emulator.create_dataset("pets");
/// use labelbox::{Client, DataRowSpec, RowData, TaskStatus};
///
/// let client = Client::from_env()?;
/// let dataset = client.get_dataset(dataset_id)?;
/// let specs = [DataRowSpec::new(RowData::url("https://example.com/1.jpg")).global_key("1")];
/// let mut task = dataset.create_data_rows(&specs)?;
/// if task.wait_till_done()? == TaskStatus::Complete {
///     let totals = task.totals()?;
///     println!("{} created, {} failed", totals.created, totals.failed);
///     for failed in task.errors()? {
///         let failed = failed?;
///         println!("{:?}: {}", failed.global_key, failed.message);
///     }
/// }
/// # Ok::<_, labelbox::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DataUpsertTask {
    task: Task,
    page_size: u32,
    /// The failed rows' total once read from a finished import (it no longer changes), so
    /// the wait's warning and a later [`totals`](DataUpsertTask::totals) ask for it once.
    failed_total: OnceLock<u64>,
}

impl TryFrom<Task> for DataUpsertTask {
    type Error = Error;

    /// Refuses a task of another type than `adv-upsert-data-rows` ([`Error::InvalidInput`]);
    /// [`Task::into_data_upsert`] gives such a task back instead.
    fn try_from(task: Task) -> Result<Self> {
        task.into_data_upsert().map_err(|task| {
            Error::invalid_input(
                "task",
                format!(
                    "task {:?} has type {:?}, not {UPSERT_TASK_TYPE:?}",
                    task.id(),
                    task.task_type()
                ),
            )
        })
    }
}

impl From<DataUpsertTask> for Task {
    fn from(upsert: DataUpsertTask) -> Task {
        upsert.task
    }
}

impl AsRef<Task> for DataUpsertTask {
    fn as_ref(&self) -> &Task {
        &self.task
    }
}

impl Task {
    /// This task as a [`DataUpsertTask`] when it is a data-row import
    /// (`adv-upsert-data-rows`), to read its created and failed rows; any other task is given
    /// back unchanged as `Err`.
    ///
    /// # Errors
    ///
    /// The task itself, unchanged, when it is not a data-row import.
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let task_id = &emulator.insert_task(labelbox_emulator::TaskSeed { status: "COMPLETE".into(), ..Default::default() });
    /// # let client = labelbox::Client::from_env()?;
    /// match client.get_task_by_id(task_id)?.into_data_upsert() {
    ///     Ok(import) => println!("{} rows failed", import.totals()?.failed),
    ///     Err(task) => println!("{} is a {} task", task.id(), task.task_type()),
    /// }
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    // Both variants hold the same task by value; boxing the `Err` would only add an allocation.
    #[allow(clippy::result_large_err)]
    pub fn into_data_upsert(self) -> std::result::Result<DataUpsertTask, Task> {
        if self.task_type() != UPSERT_TASK_TYPE {
            return Err(self);
        }
        Ok(DataUpsertTask {
            task: self,
            page_size: DEFAULT_PAGE_SIZE,
            failed_total: OnceLock::new(),
        })
    }
}

impl DataUpsertTask {
    crate::task::forward_task_accessors!();

    /// Fetches the task's current state (one request); see [`Task::refresh`].
    ///
    /// # Errors
    ///
    /// As [`Task::refresh`].
    pub fn refresh(&mut self) -> Result<()> {
        self.task.refresh()
    }

    /// Waits until the import has finished, polling every 2 s for at most 300 s; see
    /// [`wait_with_progress`](Self::wait_with_progress).
    ///
    /// # Errors
    ///
    /// As [`Task::wait_with_progress`].
    pub fn wait_till_done(&mut self) -> Result<TaskStatus> {
        self.wait_with_progress(WaitOptions::default(), |_| {})
    }

    /// Waits until the import has finished, with the given timeout and check frequency; see
    /// [`wait_with_progress`](Self::wait_with_progress).
    ///
    /// # Errors
    ///
    /// As [`Task::wait_with_progress`].
    pub fn wait_with(&mut self, options: WaitOptions) -> Result<TaskStatus> {
        self.wait_with_progress(options, |_| {})
    }

    /// Waits as [`Task::wait_with_progress`] does (same deadline, polling, errors and
    /// `on_poll`), then, once the import has finished `COMPLETE` or `CANCELED`, logs a warning
    /// when rows failed, naming their count. Counting them is one small request
    /// (`failedDataRowImports` with `first: 1`) made after the wait; a `FAILED` task is
    /// already warned about by the wait itself. A failure of that request is logged, never
    /// returned: the wait itself succeeded.
    ///
    /// # Errors
    ///
    /// As [`Task::wait_with_progress`]; counting the failed rows afterwards never fails the
    /// call.
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let dataset_id = &emulator.create_dataset("pets");
    /// use std::time::Duration;
    /// use labelbox::{Client, DataRowSpec, RowData, WaitOptions};
    ///
    /// let client = Client::from_env()?;
    /// let dataset = client.get_dataset(dataset_id)?;
    /// let specs = [DataRowSpec::new(RowData::url("https://example.com/1.jpg"))];
    /// let mut task = dataset.create_data_rows(&specs)?;
    /// let options = WaitOptions::default().timeout(Duration::from_secs(3600));
    /// let status = task.wait_with_progress(options, |t| {
    ///     println!("{:.0}%", 100.0 * t.completion_percentage().unwrap_or(0.0))
    /// })?;
    /// println!("import {status}");
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    pub fn wait_with_progress(
        &mut self,
        options: WaitOptions,
        on_poll: impl FnMut(&Task),
    ) -> Result<TaskStatus> {
        let status = self.task.wait_with_progress(options, on_poll)?;
        if matches!(status, TaskStatus::Complete | TaskStatus::Canceled) {
            self.warn_if_rows_failed();
        }
        Ok(status)
    }

    /// The warning of [`wait_with_progress`](Self::wait_with_progress): a COMPLETE import may
    /// still have failed rows, which callers that only look at the status would miss. Counting
    /// them costs a request, spent only when a logger would show the warning.
    fn warn_if_rows_failed(&self) {
        if !log::log_enabled!(log::Level::Warn) {
            return;
        }
        match self.failed_total() {
            Ok(0) => {}
            Ok(failed) => log::warn!(
                "import task {} finished {} with {failed} failed row(s); read them with \
                 DataUpsertTask::errors() or failed_data_rows()",
                self.task.id(),
                self.task.status()
            ),
            Err(e) => log::warn!(
                "import task {} finished {}; could not count its failed rows: {e}",
                self.task.id(),
                self.task.status()
            ),
        }
    }

    /// The failed rows' total: asked once (a one-row page), then kept, as a finished import's
    /// rows no longer change.
    fn failed_total(&self) -> Result<u64> {
        if let Some(total) = self.failed_total.get() {
            return Ok(*total);
        }
        let total = self.total_of::<FailedDataRow>()?;
        if self.task.status().is_terminal() {
            let _ = self.failed_total.set(total);
        }
        Ok(total)
    }

    /// Sets how many rows each results/errors page asks for (at least 1; default 5,000).
    #[must_use]
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// The page size used by [`results`](Self::results) and [`errors`](Self::errors).
    #[must_use]
    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    /// The created rows, one page at a time. Errors if the task has not finished or failed.
    ///
    /// # Errors
    ///
    /// [`Error::ResultUnavailable`] when the task has not finished, or has `FAILED` (nothing is
    /// sent). Errors while reading the pages come from the iterator.
    pub fn results(&self) -> Result<ImportRows<CreatedDataRow>> {
        self.ensure_readable(true)?;
        Ok(self.rows())
    }

    /// The failed rows, one page at a time. Errors if the task has not finished.
    ///
    /// # Errors
    ///
    /// [`Error::ResultUnavailable`] when the task has not finished (nothing is sent). Errors
    /// while reading the pages come from the iterator.
    pub fn errors(&self) -> Result<ImportRows<FailedDataRow>> {
        self.ensure_readable(false)?;
        Ok(self.rows())
    }

    /// Every created row, collected (an empty `Vec` when there is none): the pages are
    /// appended into one `Vec` sized from the announced total.
    ///
    /// # Errors
    ///
    /// As [`results`](Self::results), plus the first error of any page: a [request
    /// failure](crate::Error#request-failures), [`Error::Decode`], or
    /// [`Error::InconsistentPages`] for pages that never end.
    pub fn result(&self) -> Result<Vec<CreatedDataRow>> {
        self.results()?.collect_all()
    }

    /// Same as [`result`](Self::result).
    ///
    /// # Errors
    ///
    /// As [`result`](Self::result).
    pub fn created_data_rows(&self) -> Result<Vec<CreatedDataRow>> {
        self.result()
    }

    /// Every failed row, collected (an empty `Vec` when there is none).
    ///
    /// # Errors
    ///
    /// As [`errors`](Self::errors), plus the first error of any page (as
    /// [`result`](Self::result)).
    pub fn failed_data_rows(&self) -> Result<Vec<FailedDataRow>> {
        self.errors()?.collect_all()
    }

    /// Whether any row failed (one small query for the errors' total, unless a wait or an
    /// earlier call already read it).
    ///
    /// # Errors
    ///
    /// As [`totals`](Self::totals).
    pub fn has_errors(&self) -> Result<bool> {
        self.ensure_readable(false)?;
        Ok(self.failed_total()? > 0)
    }

    /// How many rows were created and how many failed (one small query each; the failed
    /// total is not asked again when a wait or an earlier call already read it).
    ///
    /// # Errors
    ///
    /// [`Error::ResultUnavailable`] when the task has not finished (nothing is sent); otherwise
    /// a [request failure](crate::Error#request-failures).
    pub fn totals(&self) -> Result<ImportTotals> {
        self.ensure_readable(false)?;
        Ok(ImportTotals {
            created: self.total_of::<CreatedDataRow>()?,
            failed: self.failed_total()?,
        })
    }

    fn total_of<T: ImportRow>(&self) -> Result<u64> {
        total_of::<T>(self.task.client(), self.task.id())
    }

    fn rows<T: ImportRow>(&self) -> ImportRows<T> {
        let client = self.task.client().clone();
        ImportRows::new(client, self.task.id().to_owned(), self.page_size)
    }

    /// Rows exist once the task has ended; a FAILED task has no created rows to read.
    fn ensure_readable(&self, successes: bool) -> Result<()> {
        let reason = match self.task.status() {
            TaskStatus::Complete | TaskStatus::Canceled => return Ok(()),
            TaskStatus::Failed if !successes => return Ok(()),
            TaskStatus::Failed => "the task FAILED; its errors() say why".to_owned(),
            other => format!(
                "the task is still {other}: call wait_till_done() (or refresh()) until it \
                 has finished, then read its rows"
            ),
        };
        Err(Error::ResultUnavailable {
            task_id: self.task.id().to_owned(),
            task_type: self.task.task_type().to_owned(),
            reason,
        })
    }
}
