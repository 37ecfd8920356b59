//! [`DataUpsertTask`]: the task of a data-row import, with its results and errors read one
//! cursor page at a time (PROTOCOL 3.7).

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::OnceLock;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use crate::error::{Error, Result};
use crate::import::data_row::{lenient_string, AttachmentKind};
use crate::task::{Task, TaskStatus, WaitOptions};
use crate::Client;

/// The task type of data-row imports.
pub const UPSERT_TASK_TYPE: &str = "adv-upsert-data-rows";

/// How many rows one results/errors page asks for by default (as the official SDK).
pub const DEFAULT_PAGE_SIZE: u32 = 5_000;

/// A data row an import created or updated. Serialized with the official SDK's keys
/// (`id`, `external_id`, `global_key`, `row_data`); read from those or the wire's camelCase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreatedDataRow {
    /// The data row's id.
    pub id: String,
    /// Its external id, if any.
    #[serde(default, alias = "externalId")]
    pub external_id: Option<String>,
    /// Its global key, if any.
    #[serde(default, alias = "globalKey")]
    pub global_key: Option<String>,
    /// Its row data: the URL, or the JSON text of an inline JSON asset.
    #[serde(default, alias = "rowData", deserialize_with = "lenient_string")]
    pub row_data: Option<String>,
}

/// A metadata field as echoed in a [`FailedDataRow`] (`schema_id`, or the wire's `schemaId`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FailedMetadata {
    /// The metadata schema's id.
    #[serde(default, alias = "schemaId")]
    pub schema_id: Option<String>,
    /// The value sent.
    #[serde(default)]
    pub value: serde_json::Value,
    /// The schema's name, when the service knows it.
    #[serde(default)]
    pub name: Option<String>,
}

/// An attachment as echoed in a [`FailedDataRow`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FailedAttachment {
    /// Its kind.
    #[serde(rename = "type")]
    pub kind: AttachmentKind,
    /// Its value.
    #[serde(default)]
    pub value: Option<String>,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A row an import could not create or update, with the service's reason and the spec it was
/// given. Serialized flat, with snake_case keys (`message`, `external_id`, `global_key`,
/// `row_data`, `metadata`, `attachments`).
///
/// From the service it is decoded straight from the `{message, spec: {...}}` shape: each field
/// is read once into its place, with no intermediate copy of the row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FailedDataRow {
    /// Why the row failed, e.g. `Duplicate global key: 'k1'`.
    pub message: String,
    /// The spec's external id.
    #[serde(default)]
    pub external_id: Option<String>,
    /// The spec's global key.
    #[serde(default)]
    pub global_key: Option<String>,
    /// The spec's row data (URL or JSON text).
    #[serde(default)]
    pub row_data: Option<String>,
    /// The spec's metadata fields.
    #[serde(default)]
    pub metadata: Vec<FailedMetadata>,
    /// The spec's attachments.
    #[serde(default)]
    pub attachments: Vec<FailedAttachment>,
}

/// The keys of a failed row (`results[]`).
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum FailureKey {
    Message,
    Spec,
    #[serde(other)]
    Other,
}

/// The keys of a failed row's `spec`.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum SpecKey {
    ExternalId,
    GlobalKey,
    RowData,
    Metadata,
    Attachments,
    #[serde(other)]
    Other,
}

/// Row data as the SDK keeps it: the text, or the JSON text of an inline asset.
struct LenientText(Option<String>);

impl<'de> Deserialize<'de> for LenientText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        lenient_string(d).map(LenientText)
    }
}

/// A [`FailedDataRow`] in the service's `{message, spec: {...}}` shape (`failedDataRowImports`
/// results); the public type's own serde form is the flat one users store.
pub struct WireFailedRow(FailedDataRow);

impl From<WireFailedRow> for FailedDataRow {
    fn from(wire: WireFailedRow) -> Self {
        wire.0
    }
}

impl<'de> Deserialize<'de> for WireFailedRow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct RowVisitor;

        impl<'de> Visitor<'de> for RowVisitor {
            type Value = FailedDataRow;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a failed data row import {message, spec}")
            }

            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<FailedDataRow, A::Error> {
                let mut row = FailedDataRow::default();
                while let Some(key) = map.next_key()? {
                    match key {
                        FailureKey::Message => {
                            row.message = map.next_value::<Option<String>>()?.unwrap_or_default()
                        }
                        FailureKey::Spec => map.next_value_seed(SpecInto(&mut row))?,
                        FailureKey::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(row)
            }
        }

        d.deserialize_map(RowVisitor).map(WireFailedRow)
    }
}

/// Reads a `spec` object (or `null`) into the fields of the row being decoded.
struct SpecInto<'a>(&'a mut FailedDataRow);

impl<'de> DeserializeSeed<'de> for SpecInto<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for SpecInto<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a data row spec or null")
    }

    fn visit_none<E: de::Error>(self) -> std::result::Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let row = self.0;
        while let Some(key) = map.next_key()? {
            match key {
                SpecKey::ExternalId => row.external_id = map.next_value()?,
                SpecKey::GlobalKey => row.global_key = map.next_value()?,
                SpecKey::RowData => row.row_data = map.next_value::<LenientText>()?.0,
                SpecKey::Metadata => {
                    row.metadata = map.next_value::<Option<_>>()?.unwrap_or_default()
                }
                SpecKey::Attachments => {
                    row.attachments = map.next_value::<Option<_>>()?.unwrap_or_default()
                }
                SpecKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// One page of a cursor walk, as the service sends it (`results` for failed rows).
#[derive(Debug, Deserialize)]
pub(crate) struct Page<T> {
    #[serde(default = "Vec::new", alias = "nodes", alias = "results")]
    pub(crate) items: Vec<T>,
    #[serde(default)]
    pub(crate) after: Option<String>,
    #[serde(default)]
    pub(crate) total: Option<u64>,
}

impl<T> Page<T> {
    /// The page with its wire rows turned into rows (a move for each, no copy).
    fn into_rows<R>(self) -> Page<R>
    where
        T: Into<R>,
    {
        Page {
            items: self.items.into_iter().map(Into::into).collect(),
            after: self.after,
            total: self.total,
        }
    }

    /// The page of a `null` answer: nothing recorded for this task.
    fn empty() -> Self {
        Page {
            items: Vec::new(),
            after: None,
            total: Some(0),
        }
    }
}

/// Largest number of rows reserved up front from an announced total: a generous real import,
/// while a hostile `total` cannot make the SDK reserve gigabytes.
const MAX_PRESIZED_ROWS: u64 = 1 << 20;

/// The state of a cursor walk: the cursor, the cursors seen, the rows received against the
/// announced total, whether the walk ended. Fetching is left to the caller so the logic is
/// testable without a server.
///
/// A walk that would never end is an [`Error::InconsistentPages`]: a cursor that comes back
/// (the pages cycle), or more rows than the first page's `total`.
#[derive(Debug)]
pub(crate) struct CursorWalk<T> {
    listing: String,
    cursor: Option<String>,
    seen_cursors: HashSet<String>,
    buffer: VecDeque<T>,
    received: u64,
    done: bool,
    total: Option<u64>,
}

impl<T> CursorWalk<T> {
    /// A walk over `listing` (named in its errors), from the first page.
    pub(crate) fn new(listing: String) -> Self {
        CursorWalk {
            listing,
            cursor: None,
            seen_cursors: HashSet::new(),
            buffer: VecDeque::new(),
            received: 0,
            done: false,
            total: None,
        }
    }

    /// The total the first page announced.
    pub(crate) fn total(&self) -> Option<u64> {
        self.total
    }

    /// The next row, fetching the next page (given the current cursor) when the buffer is
    /// empty. After an error the walk ends.
    pub(crate) fn next_with(
        &mut self,
        mut fetch: impl FnMut(Option<&str>) -> Result<Page<T>>,
    ) -> Option<Result<T>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            if self.done {
                return None;
            }
            match fetch(self.cursor.as_deref()).and_then(|page| self.accept(page)) {
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
                Ok(items) => self.buffer = items.into(),
            }
        }
    }

    /// Every remaining row, pages appended straight into one `Vec` (sized from the announced
    /// total), without going row by row.
    pub(crate) fn collect_with(
        mut self,
        mut fetch: impl FnMut(Option<&str>) -> Result<Page<T>>,
    ) -> Result<Vec<T>> {
        let mut rows: Vec<T> = self.buffer.drain(..).collect();
        while !self.done {
            let mut items = fetch(self.cursor.as_deref()).and_then(|page| self.accept(page))?;
            if rows.capacity() == 0 {
                let presize = self.total.unwrap_or(0).min(MAX_PRESIZED_ROWS) as usize;
                rows.reserve_exact(presize.max(items.len()));
            }
            rows.append(&mut items);
        }
        Ok(rows)
    }

    /// Takes a fetched page: checks it against the walk so far, moves the cursor, and answers
    /// its rows.
    fn accept(&mut self, page: Page<T>) -> Result<Vec<T>> {
        if self.total.is_none() {
            self.total = page.total;
        }
        self.received += page.items.len() as u64;
        let after = page.after.filter(|a| !a.is_empty());
        self.done = page.items.is_empty() || after.is_none();
        if let Some(total) = self.total.filter(|&total| self.received > total) {
            return Err(self.inconsistent(format!(
                "{} rows received, more than the {total} announced",
                self.received
            )));
        }
        if let Some(cursor) = after.as_ref().filter(|_| !self.done) {
            if !self.seen_cursors.insert(cursor.clone()) {
                return Err(self.inconsistent(format!(
                    "cursor {cursor:?} came back after {} rows: the pages cycle",
                    self.received
                )));
            }
        }
        self.cursor = after;
        Ok(page.items)
    }

    fn inconsistent(&mut self, reason: String) -> Error {
        self.done = true;
        Error::inconsistent_pages(self.listing.clone(), reason)
    }
}

/// The kinds of rows an import task pages over: [`CreatedDataRow`] and [`FailedDataRow`]
/// (sealed).
pub trait ImportRow: private::Sealed {}

impl ImportRow for CreatedDataRow {}
impl ImportRow for FailedDataRow {}

mod private {
    /// How a kind of row is queried; not reachable outside the crate.
    pub trait Sealed: Sized {
        /// The row as the service sends it, decoded straight from the answer.
        type Wire: serde::de::DeserializeOwned + Into<Self>;
        /// The GraphQL document of one page.
        const QUERY: &'static str;
        /// The top-level field holding the page.
        const FIELD: &'static str;
        /// What the rows are, in error messages.
        const NAME: &'static str;
    }
}

use private::Sealed;

impl Sealed for CreatedDataRow {
    type Wire = Self;
    const QUERY: &'static str =
        "query SuccessesfulDataRowImportsPyApi($taskId: ID!, $first: Int, $from: String) {
  successesfulDataRowImports(data: {taskId: $taskId, first: $first, from: $from}) {
    nodes { id externalId globalKey rowData } after total
  }
}";
    const FIELD: &'static str = "successesfulDataRowImports";
    const NAME: &'static str = "created rows";
}

impl Sealed for FailedDataRow {
    type Wire = WireFailedRow;
    const QUERY: &'static str =
        "query FailedDataRowImportsPyApi($taskId: ID!, $first: Int, $from: String) {
  failedDataRowImports(data: {taskId: $taskId, first: $first, from: $from}) {
    after total
    results { message spec { externalId globalKey rowData metadata { schemaId value name } attachments { type value name } } }
  }
}";
    const FIELD: &'static str = "failedDataRowImports";
    const NAME: &'static str = "failed rows";
}

/// A lazy iterator over an import's created rows ([`CreatedDataRow`]) or failed rows
/// ([`FailedDataRow`]): it asks the service for one page at a time, so memory does not grow
/// with the number of rows. An error ends the iteration; pages that never end (a cursor that
/// comes back, more rows than announced) are [`Error::InconsistentPages`].
#[derive(Debug)]
#[must_use = "iterators are lazy: nothing is fetched until it is used"]
pub struct ImportRows<T> {
    client: Client,
    task_id: String,
    page_size: u32,
    walk: CursorWalk<T>,
}

impl<T: ImportRow> ImportRows<T> {
    fn new(client: Client, task_id: String, page_size: u32) -> Self {
        let walk = CursorWalk::new(format!("{} of import task {task_id:?}", T::NAME));
        ImportRows {
            client,
            task_id,
            page_size,
            walk,
        }
    }

    /// The total number of rows, as the service announced it with the first page (`None`
    /// before the first page).
    #[must_use]
    pub fn total(&self) -> Option<u64> {
        self.walk.total()
    }

    /// Every remaining row, collected page by page into one `Vec`.
    fn collect_all(self) -> Result<Vec<T>> {
        let (client, task_id, first) = (&self.client, &self.task_id, self.page_size);
        self.walk
            .collect_with(|from| fetch_page(client, task_id, first, from))
    }
}

impl<T: ImportRow> Iterator for ImportRows<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        let (client, task_id, first) = (&self.client, &self.task_id, self.page_size);
        self.walk
            .next_with(|from| fetch_page(client, task_id, first, from))
    }
}

/// One page of `T` rows, decoded straight from the answer; a `null` answer is an empty page.
fn fetch_page<T: ImportRow>(
    client: &Client,
    task_id: &str,
    first: u32,
    from: Option<&str>,
) -> Result<Page<T>> {
    let variables = json!({"taskId": task_id, "first": first, "from": from});
    let mut data: HashMap<String, Option<Page<T::Wire>>> =
        client.transport().query(T::QUERY, variables)?;
    Ok(data
        .remove(T::FIELD)
        .flatten()
        .map_or_else(Page::empty, Page::into_rows))
}

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
/// ([`Client::get_task_by_id`]) becomes one with [`Task::into_data_upsert`].
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
        let page = fetch_page::<T>(self.task.client(), self.task.id(), 1, None)?;
        Ok(page.total.unwrap_or(page.items.len() as u64))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn page(items: &[u32], after: Option<&str>) -> Page<u32> {
        page_of(items, after, Some(99))
    }

    fn page_of(items: &[u32], after: Option<&str>, total: Option<u64>) -> Page<u32> {
        Page {
            items: items.to_vec(),
            after: after.map(str::to_owned),
            total,
        }
    }

    /// Walks with scripted pages, recording the cursor each fetch was given.
    fn walk(
        pages: Vec<Result<Page<u32>>>,
    ) -> (Vec<std::result::Result<u32, String>>, Vec<Option<String>>) {
        let mut pages = pages.into_iter();
        let mut cursors = Vec::new();
        let mut walk = CursorWalk::new("rows".into());
        let mut out = Vec::new();
        while let Some(item) = walk.next_with(|from| {
            cursors.push(from.map(str::to_owned));
            pages
                .next()
                .unwrap_or_else(|| panic!("fetched past the script"))
        }) {
            out.push(item.map_err(|e| e.to_string()));
        }
        (out, cursors)
    }

    #[test]
    fn walks_pages_passing_each_cursor_and_stops_on_null_after() {
        let (items, cursors) = walk(vec![
            Ok(page(&[1, 2], Some("c1"))),
            Ok(page(&[3], Some("c2"))),
            Ok(page(&[4], None)),
        ]);
        assert_eq!(items, vec![Ok(1), Ok(2), Ok(3), Ok(4)]);
        assert_eq!(cursors, vec![None, Some("c1".into()), Some("c2".into())]);
    }

    #[test]
    fn stops_on_empty_after_or_empty_page() {
        let (items, cursors) = walk(vec![Ok(page(&[1], Some("")))]);
        assert_eq!(items, vec![Ok(1)]);
        assert_eq!(cursors.len(), 1);
        let (items, cursors) = walk(vec![Ok(page(&[1], Some("c1"))), Ok(page(&[], Some("c2")))]);
        assert_eq!(items, vec![Ok(1)]);
        assert_eq!(cursors.len(), 2);
    }

    /// Issue 11, item 6: a cursor cycling A, B, A, B gave 87,076 rows against `total: 1`.
    /// Without a total, the cursor coming back ends the walk with an error.
    #[test]
    fn a_cursor_that_comes_back_is_an_error() {
        let pages = ["A", "B", "A", "B"].map(|c| Ok(page_of(&[1], Some(c), None)));
        let (items, cursors) = walk(pages.into());
        assert_eq!(items.len(), 3, "{items:?}");
        assert!(items[2]
            .as_ref()
            .unwrap_err()
            .contains("cursor \"A\" came back"));
        assert_eq!(cursors.len(), 3);
        // A cursor that does not move at all is the shortest cycle.
        let (items, _) = walk(vec![Ok(page(&[1], Some("c"))), Ok(page(&[2], Some("c")))]);
        assert!(
            items[1].as_ref().unwrap_err().contains("came back"),
            "{items:?}"
        );
    }

    /// The same reproduction with its `total: 1`: the second page is already one row too many.
    #[test]
    fn more_rows_than_the_announced_total_is_an_error() {
        let pages = ["A", "B", "A", "B"].map(|c| Ok(page_of(&[7], Some(c), Some(1))));
        let (items, cursors) = walk(pages.into());
        assert_eq!(items[0], Ok(7));
        let err = items[1].as_ref().unwrap_err();
        assert!(
            err.contains("2 rows received, more than the 1 announced"),
            "{err}"
        );
        assert!(err.contains("inconsistent"), "{err}");
        assert_eq!((items.len(), cursors.len()), (2, 2));
    }

    #[test]
    fn collecting_appends_pages_and_checks_them_the_same_way() {
        let mut pages = vec![
            Ok(page_of(&[1, 2], Some("c1"), Some(3))),
            Ok(page_of(&[3], None, Some(3))),
        ]
        .into_iter();
        let rows = CursorWalk::new("rows".into())
            .collect_with(|_| pages.next().unwrap())
            .unwrap();
        assert_eq!(rows, [1, 2, 3]);
        assert!(rows.capacity() >= 3);
        let mut cycling = ["A", "B", "A"]
            .map(|c| Ok(page_of(&[1], Some(c), None)))
            .into_iter();
        let err = CursorWalk::<u32>::new("rows".into())
            .collect_with(|_| cycling.next().unwrap())
            .unwrap_err();
        assert!(matches!(err, Error::InconsistentPages { .. }), "{err:?}");
    }

    #[test]
    fn a_hostile_total_does_not_reserve_memory_for_it() {
        let mut pages = vec![Ok(page_of(&[1], None, Some(u64::MAX)))].into_iter();
        let rows = CursorWalk::new("rows".into())
            .collect_with(|_| pages.next().unwrap())
            .unwrap();
        assert_eq!(rows, [1]);
        assert!(rows.capacity() as u64 <= MAX_PRESIZED_ROWS);
    }

    #[test]
    fn an_error_is_yielded_once_and_ends_the_walk() {
        let (items, _) = walk(vec![
            Ok(page(&[1], Some("c1"))),
            Err(Error::invalid_input("x", "boom")),
        ]);
        assert_eq!(items.len(), 2);
        assert!(items[1].as_ref().unwrap_err().contains("boom"));
    }

    #[test]
    fn decodes_success_pages() {
        let data = json!({"successesfulDataRowImports": {
            "nodes": [{"id": "r1", "externalId": null, "globalKey": "g", "rowData": "https://a"},
                      {"id": "r2", "rowData": {"type": "x"}}],
            "after": "c", "total": 7}});
        let page: Page<CreatedDataRow> =
            serde_json::from_value(data["successesfulDataRowImports"].clone()).unwrap();
        assert_eq!(page.after.as_deref(), Some("c"));
        assert_eq!(page.total, Some(7));
        assert_eq!(
            page.items,
            vec![
                CreatedDataRow {
                    id: "r1".into(),
                    external_id: None,
                    global_key: Some("g".into()),
                    row_data: Some("https://a".into())
                },
                CreatedDataRow {
                    id: "r2".into(),
                    external_id: None,
                    global_key: None,
                    row_data: Some("{\"type\":\"x\"}".into())
                },
            ]
        );
    }

    #[test]
    fn decodes_failure_pages() {
        let data = json!({"failedDataRowImports": {"after": null, "total": 1, "results": [
            {"message": "Duplicate global key: 'k'", "spec": {
                "externalId": "e", "globalKey": "k", "rowData": "https://a",
                "metadata": [{"schemaId": "s", "value": "v", "name": null}],
                "attachments": [{"type": "RAW_TEXT", "value": "t", "name": "n"}]}}]}});
        let page: Page<FailedDataRow> =
            serde_json::from_value::<Page<WireFailedRow>>(data["failedDataRowImports"].clone())
                .unwrap()
                .into_rows();
        assert_eq!(page.after, None);
        assert_eq!(
            page.items,
            vec![FailedDataRow {
                message: "Duplicate global key: 'k'".into(),
                external_id: Some("e".into()),
                global_key: Some("k".into()),
                row_data: Some("https://a".into()),
                metadata: vec![FailedMetadata {
                    schema_id: Some("s".into()),
                    value: json!("v"),
                    name: None
                }],
                attachments: vec![FailedAttachment {
                    kind: AttachmentKind::RawText,
                    value: Some("t".into()),
                    name: Some("n".into())
                }],
            }]
        );
    }

    #[test]
    fn row_data_of_any_json_kind_is_kept_as_text() {
        let rows: Vec<CreatedDataRow> = serde_json::from_value(json!([
            {"id": "a", "rowData": "https://x/\u{e9}.jpg"},
            {"id": "b", "rowData": 3},
            {"id": "c", "rowData": true},
            {"id": "d", "rowData": [1, "a", {"k": null}]},
            {"id": "e", "rowData": 1.5},
            {"id": "f", "rowData": null},
            {"id": "g"},
        ]))
        .unwrap();
        let texts: Vec<Option<&str>> = rows.iter().map(|r| r.row_data.as_deref()).collect();
        assert_eq!(
            texts,
            [
                Some("https://x/\u{e9}.jpg"),
                Some("3"),
                Some("true"),
                Some("[1,\"a\",{\"k\":null}]"),
                Some("1.5"),
                None,
                None
            ]
        );
    }

    #[test]
    fn failed_rows_with_a_null_or_missing_spec_and_unknown_keys_decode() {
        let wire: Vec<WireFailedRow> = serde_json::from_value(json!([
            {"message": "Unable to read manifest file", "spec": null},
            {"message": null, "extra": [1, {"x": 2}]},
            {"spec": {"globalKey": "k", "rowData": {"text": "hi"}, "metadata": null, "more": 1}},
        ]))
        .unwrap();
        let rows: Vec<FailedDataRow> = wire.into_iter().map(Into::into).collect();
        assert_eq!(rows[0].message, "Unable to read manifest file");
        assert_eq!(rows[0].global_key, None);
        assert_eq!(rows[1], FailedDataRow::default());
        assert_eq!(rows[2].global_key.as_deref(), Some("k"));
        assert_eq!(rows[2].row_data.as_deref(), Some("{\"text\":\"hi\"}"));
        assert!(rows[2].metadata.is_empty());
        assert!(serde_json::from_value::<WireFailedRow>(json!("text")).is_err());
    }
}
