//! [`ExportTask`]: the task of a streamable export, with the export's defaults and its two
//! streams (PROTOCOL 3.9).

use std::sync::OnceLock;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::export::lines::ExportLines;
use crate::export::reader::StreamReader;
use crate::export::stream::{lenient_u64, ExportStream, StreamStart, StreamType};
use crate::task::{Task, TaskStatus, WaitOptions};
use crate::Client;

/// The task type of exports.
pub const EXPORT_TASK_TYPE: &str = "export-data-rows";

/// How long [`ExportTask::wait_till_done`] waits: 2 hours, the official SDK's export default.
pub const EXPORT_WAIT_TIMEOUT: Duration = Duration::from_secs(7_200);

const HEADER_QUERY: &str = "query GetExportMetadataHeaderPyApi($where: WhereUniqueIdInput, $streamType: TaskStreamType!){task(where: $where){exportMetadataHeader(streamType: $streamType){totalSize totalLines}}}";

/// The size of one stream of a finished export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StreamHeader {
    #[serde(deserialize_with = "lenient_u64")]
    pub(crate) total_size: u64,
    #[serde(deserialize_with = "lenient_u64")]
    pub(crate) total_lines: u64,
}

/// The task of a streamable export (type `export-data-rows`), as
/// [`Dataset::export`](crate::Dataset::export), [`Client::export_data_rows`] and
/// [`Client::get_export_task`] return it.
///
/// It is a [`Task`] ([`task`](Self::task), [`into_task`](Self::into_task), and the same
/// accessors, [`refresh`](Self::refresh), waits and [`cancel`](Self::cancel)), whose waits
/// default to 2 hours as the official SDK's, plus the export's two streams: the rows
/// ([`StreamType::Result`]) and the errors ([`StreamType::Errors`]). A stream is read lazily,
/// file by file and line by line, in the memory of one line whatever the export's size, and
/// can be resumed where a consumer stopped ([`stream_from`](Self::stream_from)).
///
/// # From the official Python SDK
///
/// ```python
/// export_task = dataset.export()
/// export_task.wait_till_done()
/// if export_task.has_errors():
///     export_task.get_buffered_stream(stream_type=lb.StreamType.ERRORS).start(
///         stream_handler=lambda error: print(error))
/// if export_task.has_result():
///     export_task.get_buffered_stream(stream_type=lb.StreamType.RESULT).start(
///         stream_handler=lambda output: print(output.json["data_row"]["id"]))
/// ```
/// reads, with this SDK:
/// ```
/// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
/// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
/// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
/// # let dataset_id = &{
/// #     let pets = labelbox::Client::from_env()?.create_dataset("pets")?;
/// #     let url = |k| labelbox::RowData::url(format!("https://example.com/{k}.jpg"));
/// #     let specs = ["cat", "dog"].map(|k| labelbox::DataRowSpec::new(url(k)).global_key(k));
/// #     pets.create_data_rows(&specs)?.wait_till_done()?;
/// #     pets.id().to_owned()
/// # };
/// use labelbox::{Client, ExportOptions, ExportedDataRow, StreamType};
///
/// let client = Client::from_env()?;
/// let dataset = client.get_dataset(dataset_id)?;
/// let mut export_task = dataset.export(ExportOptions::new())?;
/// export_task.wait_till_done()?;
/// if export_task.has_errors()? {
///     for error in export_task.stream(StreamType::Errors)? {
///         println!("{}", error?);
///     }
/// }
/// if export_task.has_result()? {
///     for output in export_task.stream(StreamType::Result)? {
///         let output = output?; // a serde_json::Value, the official `output.json`
///         println!("{}", ExportedDataRow::from_row(&output)?.id);
///     }
/// }
/// # Ok::<_, labelbox::Error>(())
/// ```
/// or, decoding each line straight into the typed row:
/// ```
/// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
/// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
/// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
/// # let dataset_id = &{
/// #     let pets = labelbox::Client::from_env()?.create_dataset("pets")?;
/// #     let url = |k| labelbox::RowData::url(format!("https://example.com/{k}.jpg"));
/// #     let specs = ["cat", "dog"].map(|k| labelbox::DataRowSpec::new(url(k)).global_key(k));
/// #     pets.create_data_rows(&specs)?.wait_till_done()?;
/// #     pets.id().to_owned()
/// # };
/// # let export_id = &{
/// #     let dataset = labelbox::Client::from_env()?.get_dataset(dataset_id)?;
/// #     let mut export = dataset.export(labelbox::ExportOptions::new())?;
/// #     export.wait_till_done()?;
/// #     export.id().to_owned()
/// # };
/// # let export_task = labelbox::Client::from_env()?.get_export_task(export_id)?;
/// use labelbox::{ExportedRow, StreamType};
/// for row in export_task.stream(StreamType::Result)?.decode_as::<ExportedRow>() {
///     let row = row?;
///     println!("{} {:?}", row.data_row.id, row.data_row.global_key);
/// }
/// # Ok::<_, labelbox::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ExportTask {
    task: Task,
    /// The header of each stream ([`StreamType::index`]), fetched at most once: only a
    /// `COMPLETE` export's header is read, and a finished export no longer changes.
    headers: [OnceLock<Option<StreamHeader>>; 2],
}

impl TryFrom<Task> for ExportTask {
    type Error = Error;

    /// Refuses a task of another type than `export-data-rows`.
    fn try_from(task: Task) -> Result<Self> {
        if task.task_type() != EXPORT_TASK_TYPE {
            return Err(Error::invalid_input(
                "task",
                format!(
                    "task {:?} has type {:?}, not {EXPORT_TASK_TYPE:?}",
                    task.id(),
                    task.task_type()
                ),
            ));
        }
        Ok(ExportTask {
            task,
            headers: Default::default(),
        })
    }
}

impl Client {
    /// Fetches an export task by id (one request once the key's user id is known). A missing
    /// task is [`Error::NotFound`]; a task of another type is [`Error::InvalidInput`].
    ///
    /// # Errors
    ///
    /// The errors of [`Client::get_task_by_id`]; [`Error::InvalidInput`] when the task is not
    /// an export.
    pub fn get_export_task(&self, task_id: &str) -> Result<ExportTask> {
        ExportTask::try_from(self.get_task_by_id(task_id)?)
    }
}

impl ExportTask {
    crate::task::forward_task_accessors!();

    /// Fetches the task's current state (one request).
    ///
    /// # Errors
    ///
    /// A [request failure](crate::Error#request-failures); [`Error::NotFound`] if the task is
    /// gone.
    pub fn refresh(&mut self) -> Result<()> {
        self.task.refresh()
    }

    /// Waits until the export has finished, polling every 2 s for at most 2 hours (the
    /// official SDK's export default); see [`Task::wait_with_progress`].
    ///
    /// # Errors
    ///
    /// As [`Task::wait_with_progress`].
    pub fn wait_till_done(&mut self) -> Result<TaskStatus> {
        self.wait_with(Self::default_wait())
    }

    /// Waits with the given timeout and check frequency; see [`Task::wait_with_progress`].
    ///
    /// # Errors
    ///
    /// As [`Task::wait_with_progress`].
    pub fn wait_with(&mut self, options: WaitOptions) -> Result<TaskStatus> {
        self.task.wait_with(options)
    }

    /// Waits as [`Task::wait_with_progress`] does, calling `on_poll` after every poll.
    ///
    /// # Errors
    ///
    /// As [`Task::wait_with_progress`].
    pub fn wait_with_progress(
        &mut self,
        options: WaitOptions,
        on_poll: impl FnMut(&Task),
    ) -> Result<TaskStatus> {
        self.task.wait_with_progress(options, on_poll)
    }

    /// The wait options of [`wait_till_done`](Self::wait_till_done): 2 hours, every 2 s.
    #[must_use]
    pub fn default_wait() -> WaitOptions {
        WaitOptions::default().timeout(EXPORT_WAIT_TIMEOUT)
    }

    /// Cancels the running export (exports are cancelable, PROTOCOL 3.4); see
    /// [`Client::cancel_task`]. The task keeps its last fetched state: [`refresh`](Self::refresh)
    /// or wait to see it reach `CANCELED`.
    ///
    /// # Errors
    ///
    /// As [`Client::cancel_task`].
    pub fn cancel(&self) -> Result<bool> {
        self.task.client().cancel_task(self.id())
    }

    /// Whether the finished export has result rows (header present and `totalSize > 0`).
    /// One request the first time a stream's header is needed, none after.
    ///
    /// # Errors
    ///
    /// As [`total_lines`](Self::total_lines).
    pub fn has_result(&self) -> Result<bool> {
        Ok(self.total_size(StreamType::Result)?.unwrap_or(0) > 0)
    }

    /// Whether the finished export has errors (header present and `totalSize > 0`).
    ///
    /// # Errors
    ///
    /// As [`total_lines`](Self::total_lines).
    pub fn has_errors(&self) -> Result<bool> {
        Ok(self.total_size(StreamType::Errors)?.unwrap_or(0) > 0)
    }

    /// How many lines the stream has; `None` when the finished export has no such stream.
    /// A task that is not `COMPLETE` is [`Error::ExportNotReadable`].
    ///
    /// # Errors
    ///
    /// [`Error::ExportNotReadable`] when the task is not `COMPLETE` (nothing is sent);
    /// otherwise a [request failure](crate::Error#request-failures) of the stream's header
    /// (asked once per stream).
    pub fn total_lines(&self, stream: StreamType) -> Result<Option<u64>> {
        Ok(self.header(stream)?.map(|h| h.total_lines))
    }

    /// How many bytes the stream has; `None` when the finished export has no such stream.
    ///
    /// # Errors
    ///
    /// As [`total_lines`](Self::total_lines).
    pub fn total_size(&self, stream: StreamType) -> Result<Option<u64>> {
        Ok(self.header(stream)?.map(|h| h.total_size))
    }

    /// The stream's rows from its first line: see [`stream_from`](Self::stream_from).
    ///
    /// # Errors
    ///
    /// As [`stream_from`](Self::stream_from).
    pub fn stream(&self, stream: StreamType) -> Result<ExportStream<Value>> {
        self.stream_from(stream, StreamStart::Beginning)
    }

    /// The stream's rows from `start`: a lazy iterator of `serde_json::Value` (one per NDJSON
    /// line; [`ExportStream::decode_as`] decodes straight into a type of yours, e.g.
    /// [`ExportedRow`](crate::ExportedRow)).
    ///
    /// It asks the service for one file at a time (`exportFileFromOffset`), downloads it
    /// without the API key and yields its lines as they arrive, so memory stays one line
    /// whatever the export's size; each file's length is checked against its offsets.
    /// [`ExportStream::position`] tells where to resume after a stop.
    ///
    /// Errors before any request: a task not `COMPLETE` ([`Error::ExportNotReadable`]), a
    /// start past the stream's end ([`Error::InvalidInput`]); the header (one request, once
    /// per stream) may say the stream does not exist ([`Error::ExportStreamMissing`]) or
    /// contradict itself ([`Error::ExportHeaderInvalid`]). While iterating: a file shorter or
    /// longer than announced ([`Error::ExportFileLength`]), a line that is not JSON, more
    /// lines than announced, or ranges that do not continue the stream exactly
    /// ([`Error::ExportFileCorrupt`], before any row of the file at fault), a line longer
    /// than the cap ([`Error::ExportLineTooLong`]), a stalled download
    /// ([`Error::Timeout`]) and other network failures; any error ends the iteration.
    ///
    /// # Errors
    ///
    /// [`Error::ExportNotReadable`] when the task is not `COMPLETE` and [`Error::InvalidInput`]
    /// for a start past the stream's end (nothing is sent); [`Error::ExportStreamMissing`] when
    /// the finished export has no such stream, [`Error::ExportHeaderInvalid`] when its header
    /// contradicts itself; otherwise a [request failure](crate::Error#request-failures) of the
    /// header. Errors while iterating come from the iterator (see above).
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let dataset_id = &{
    /// #     let pets = labelbox::Client::from_env()?.create_dataset("pets")?;
    /// #     let url = |k| labelbox::RowData::url(format!("https://example.com/{k}.jpg"));
    /// #     let specs = ["cat", "dog"].map(|k| labelbox::DataRowSpec::new(url(k)).global_key(k));
    /// #     pets.create_data_rows(&specs)?.wait_till_done()?;
    /// #     pets.id().to_owned()
    /// # };
    /// # let export_id = &{
    /// #     let dataset = labelbox::Client::from_env()?.get_dataset(dataset_id)?;
    /// #     let mut export = dataset.export(labelbox::ExportOptions::new())?;
    /// #     export.wait_till_done()?;
    /// #     export.id().to_owned()
    /// # };
    /// use labelbox::{Client, StreamStart, StreamType};
    ///
    /// let export = Client::from_env()?.get_export_task(export_id)?;
    /// let mut rows = export.stream(StreamType::Result)?;
    /// for row in rows.by_ref().take(1_000) {
    ///     println!("{}", row?);
    /// }
    /// let stopped_at = rows.position();
    /// // later, maybe in another process:
    /// for row in export.stream_from(StreamType::Result, StreamStart::Offset(stopped_at.offset))? {
    ///     println!("{}", row?);
    /// }
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    pub fn stream_from(
        &self,
        stream: StreamType,
        start: StreamStart,
    ) -> Result<ExportStream<Value>> {
        self.reader(stream, start).map(ExportStream::new)
    }

    /// The stream's lines as the service served them, from its first line: see
    /// [`lines_from`](Self::lines_from).
    ///
    /// # Errors
    ///
    /// As [`stream_from`](Self::stream_from).
    pub fn lines(&self, stream: StreamType) -> Result<ExportLines> {
        self.lines_from(stream, StreamStart::Beginning)
    }

    /// The stream's lines from `start`, byte for byte as the service served them: each
    /// checked to be UTF-8 holding one JSON value, never decoded into a tree (the fastest
    /// way to copy an export), with the checks, positions and resume of
    /// [`stream_from`](Self::stream_from). See [`ExportLines`].
    ///
    /// # Errors
    ///
    /// As [`stream_from`](Self::stream_from).
    pub fn lines_from(&self, stream: StreamType, start: StreamStart) -> Result<ExportLines> {
        self.reader(stream, start).map(ExportLines::new)
    }

    fn reader(&self, stream: StreamType, start: StreamStart) -> Result<StreamReader> {
        let header = self
            .header(stream)?
            .ok_or_else(|| Error::ExportStreamMissing {
                task_id: self.id().to_owned(),
                stream,
            })?;
        StreamReader::new(self.task.client().clone(), self.id(), stream, header, start)
    }

    /// Same as [`stream`](Self::stream) followed by [`ExportStream::decode_as`].
    ///
    /// # Errors
    ///
    /// As [`stream_from`](Self::stream_from).
    pub fn stream_as<T: DeserializeOwned + 'static>(
        &self,
        stream: StreamType,
    ) -> Result<ExportStream<T>> {
        Ok(self.stream(stream)?.decode_as())
    }

    /// The stream's header, fetched once; `None` when the stream does not exist.
    fn header(&self, stream: StreamType) -> Result<Option<StreamHeader>> {
        self.ensure_complete()?;
        let cell = &self.headers[stream.index()];
        if let Some(header) = cell.get() {
            return Ok(*header);
        }
        let header = self.fetch_header(stream)?;
        Ok(*cell.get_or_init(|| header))
    }

    fn fetch_header(&self, stream: StreamType) -> Result<Option<StreamHeader>> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct TaskHeader {
            export_metadata_header: Option<StreamHeader>,
        }
        #[derive(Deserialize)]
        struct Data {
            task: Option<TaskHeader>,
        }
        let variables = json!({"where": {"id": self.id()}, "streamType": stream.as_str()});
        let data: Data = self
            .task
            .client()
            .transport()
            .query(HEADER_QUERY, variables)?;
        let task = data.task.ok_or_else(|| Error::NotFound {
            what: "export task".into(),
            id: self.id().to_owned(),
        })?;
        Ok(task.export_metadata_header)
    }

    /// Streams are read from a `COMPLETE` export only (as the official SDK).
    fn ensure_complete(&self) -> Result<()> {
        match self.status() {
            TaskStatus::Complete => Ok(()),
            status => Err(Error::ExportNotReadable {
                task_id: self.id().to_owned(),
                status: status.clone(),
            }),
        }
    }
}
