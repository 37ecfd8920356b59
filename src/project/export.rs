//! [`Project::export`]: the `exportDataRowsInProject` mutation of the official SDK's
//! `Project.export` (streamable), with its include parameters ([`ProjectExportOptions`]) and
//! filters (ids or global keys, batches, workflow status, last activity and label creation
//! times). Read the rows with
//! [`ExportTask::stream_as`]`::<`[`ExportedRow`](crate::ExportedRow)`>`: their `projects`
//! part holds the labels.

use std::time::SystemTime;

use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::export::options::{
    include_flags, include_part, start_streamable, task_and_media_setters, MAX_EXPORT_IDS,
};
use crate::export::task::ExportTask;
use crate::import::data_row::MediaType;
use crate::project::identifiers::DataRowIdentifiers;
use crate::project::Project;

const CREATE_PROJECT_EXPORT: &str = "mutation exportDataRowsInProjectPyApi($input: ExportDataRowsInProjectInput!){exportDataRowsInProject(input: $input){taskId isStreamable}}";

/// An inclusive time range, either end open (`None`).
type TimeRange = (Option<SystemTime>, Option<SystemTime>);

/// A time as the official SDK sends an ISO 8601 filter date once it is in UTC:
/// `YYYY-MM-DDThh:mm:ss+0000`.
fn filter_time(time: SystemTime) -> String {
    let text = humantime::format_rfc3339_seconds(time).to_string();
    format!("{}+0000", text.trim_end_matches('Z'))
}

/// The official SDK's date clause: `BETWEEN` both ends, else `GREATER_THAN_OR_EQUAL` the
/// start or `LESS_THAN_OR_EQUAL` the end; the dates in UTC, said so in `timezone`.
fn date_clause(kind: &str, range: TimeRange) -> Option<Value> {
    let value = match range {
        (Some(start), Some(end)) => json!({
            "operator": "BETWEEN",
            "timezone": "UTC",
            "value": {"min": filter_time(start), "max": filter_time(end)},
        }),
        (Some(start), None) => json!({
            "operator": "GREATER_THAN_OR_EQUAL", "timezone": "UTC", "value": filter_time(start),
        }),
        (None, Some(end)) => json!({
            "operator": "LESS_THAN_OR_EQUAL", "timezone": "UTC", "value": filter_time(end),
        }),
        (None, None) => return None,
    };
    Some(json!({"type": kind, "value": value}))
}

/// A row's place in a project's workflow, the `workflow_status` filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WorkflowStatus {
    /// Waiting to be labeled (`ToLabel`).
    ToLabel,
    /// In review (`InReview`).
    InReview,
    /// In rework (`InRework`).
    InRework,
    /// Done (`Done`).
    Done,
}

impl WorkflowStatus {
    /// The search clause the official SDK sends for it.
    fn clause(self) -> Value {
        let status = match self {
            WorkflowStatus::ToLabel => return json!({"type": "task_queue_not_exist"}),
            WorkflowStatus::InReview => "InReview",
            WorkflowStatus::InRework => "InRework",
            WorkflowStatus::Done => "Done",
        };
        json!({"type": "task_queue_status", "status": status})
    }
}

/// What a project export includes and which of the project's rows it covers (the official
/// SDK's `ProjectExportParams` and `ProjectExportFilters`). Every part is off by default.
///
/// ```
/// use labelbox::{DataRowIdentifiers, ProjectExportOptions, WorkflowStatus};
/// let options = ProjectExportOptions::new()
///     .include_label_details(true)
///     .include_project_details(true)
///     .batch_ids(["ck-batch"])
///     .workflow_status(WorkflowStatus::Done);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectExportOptions {
    task_name: Option<String>,
    attachments: bool,
    embeddings: bool,
    metadata: bool,
    data_row_details: bool,
    project_details: bool,
    performance_details: bool,
    label_details: bool,
    interpolated_frames: bool,
    media_type_override: Option<MediaType>,
    rows: Option<DataRowIdentifiers>,
    last_activity_at: Option<TimeRange>,
    label_created_at: Option<TimeRange>,
    batch_ids: Option<Vec<String>>,
    workflow_status: Option<WorkflowStatus>,
}

impl ProjectExportOptions {
    /// Nothing included, every row of the project.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    task_and_media_setters! {
        /// The export task's name (the official SDK sends none by default).
    }

    include_flags! {
        /// `includeAttachments`
        include_attachments => attachments;
        /// `includeEmbeddings`
        include_embeddings => embeddings;
        /// `includeMetadata`
        include_metadata => metadata;
        /// `includeDataRowDetails`
        include_data_row_details => data_row_details;
        /// `includeProjectDetails`: the row's batch, queue, priority and workflow status.
        include_project_details => project_details;
        /// `includePerformanceDetails`
        include_performance_details => performance_details;
        /// `includeLabelDetails`: each label's creation, update and author.
        include_label_details => label_details;
        /// `includeInterpolatedFrames` (video)
        include_interpolated_frames => interpolated_frames;
    }

    /// Only these rows (by id or global key, at most 2,000).
    #[must_use]
    pub fn data_rows(mut self, rows: DataRowIdentifiers) -> Self {
        self.rows = Some(rows);
        self
    }

    /// Only the rows whose last activity is in this range (either end open, both inclusive).
    #[must_use]
    pub fn last_activity_between(
        mut self,
        start: Option<SystemTime>,
        end: Option<SystemTime>,
    ) -> Self {
        self.last_activity_at = Some((start, end));
        self
    }

    /// Only the rows with a label created in this range (either end open, both inclusive).
    #[must_use]
    pub fn label_created_between(
        mut self,
        start: Option<SystemTime>,
        end: Option<SystemTime>,
    ) -> Self {
        self.label_created_at = Some((start, end));
        self
    }

    /// Only the rows of these batches (at most 2,000).
    #[must_use]
    pub fn batch_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.batch_ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// Only the rows at this step of the workflow.
    #[must_use]
    pub fn workflow_status(mut self, status: WorkflowStatus) -> Self {
        self.workflow_status = Some(status);
        self
    }

    /// Turns on an include part by its CLI name (`attachments`, `embeddings`, `metadata`,
    /// `details`, `project-details`, `performance-details`, `label-details`,
    /// `interpolated-frames`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the known parts for any other name.
    pub fn include(self, name: &str) -> Result<Self> {
        Ok(match include_part(name, &PROJECT_INCLUDE_NAMES)? {
            "attachments" => self.include_attachments(true),
            "embeddings" => self.include_embeddings(true),
            "metadata" => self.include_metadata(true),
            "details" => self.include_data_row_details(true),
            "project-details" => self.include_project_details(true),
            "performance-details" => self.include_performance_details(true),
            "label-details" => self.include_label_details(true),
            _ => self.include_interpolated_frames(true),
        })
    }

    fn params(&self) -> Value {
        json!({
            "mediaTypeOverride": self.media_type_override.map(MediaType::as_str),
            "includeAttachments": self.attachments,
            "includeEmbeddings": self.embeddings,
            "includeMetadata": self.metadata,
            "includeDataRowDetails": self.data_row_details,
            "includeProjectDetails": self.project_details,
            "includePerformanceDetails": self.performance_details,
            "includeLabelDetails": self.label_details,
            "includeInterpolatedFrames": self.interpolated_frames,
        })
    }

    /// The search clauses, in the order the official SDK's `build_filters` adds them.
    fn search_query(&self) -> Result<Vec<Value>> {
        let mut query = Vec::new();
        if let Some(range) = self.last_activity_at {
            query.extend(date_clause("data_row_last_activity_at", range));
        }
        if let Some(range) = self.label_created_at {
            query.extend(date_clause("labeled_at", range));
        }
        if let Some(rows) = &self.rows {
            rows.check(MAX_EXPORT_IDS)?;
            query.push(rows.search_clause());
        }
        if let Some(batches) = &self.batch_ids {
            let batch_rows = DataRowIdentifiers::Ids(batches.clone());
            batch_rows.check(MAX_EXPORT_IDS).map_err(|e| match e {
                Error::InvalidInput { message, .. } => Error::invalid_input("batch_ids", message),
                other => other,
            })?;
            query.push(json!({"ids": batches, "operator": "is", "type": "batch"}));
        }
        if let Some(status) = self.workflow_status {
            query.push(status.clause());
        }
        Ok(query)
    }
}

/// The part names [`ProjectExportOptions::include`] knows.
pub const PROJECT_INCLUDE_NAMES: [&str; 8] = [
    "attachments",
    "embeddings",
    "metadata",
    "details",
    "project-details",
    "performance-details",
    "label-details",
    "interpolated-frames",
];

impl Project {
    /// Starts a streamable export of the project's rows and labels.
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// use labelbox::{Client, ExportedRow, MediaType, ProjectExportOptions, StreamType, TaskStatus};
    ///
    /// let client = Client::from_env()?;
    /// let project = client.create_project("export me", MediaType::Image)?;
    /// let mut export = project.export(ProjectExportOptions::new().include_label_details(true))?;
    /// assert_eq!(export.wait_till_done()?, TaskStatus::Complete);
    /// if export.has_result()? {
    ///     for row in export.stream_as::<ExportedRow>(StreamType::Result)? {
    ///         let row = row?;
    ///         let labels: usize = row.projects.values().map(|p| p.labels.len()).sum();
    ///         println!("{}: {labels} labels", row.data_row.id);
    ///     }
    /// }
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] (nothing sent) for an empty or too large selection;
    /// otherwise a [request failure](crate::Error#request-failures) of the mutation or of
    /// reading the task it started.
    pub fn export(&self, options: ProjectExportOptions) -> Result<ExportTask> {
        let query = options.search_query()?;
        let input = json!({
            "taskName": options.task_name,
            "isStreamableReady": true,
            "filters": {
                "projectId": self.id(),
                "searchQuery": {"scope": null, "query": query},
            },
            "params": options.params(),
            "streamable": true,
        });
        start_streamable(
            self.client(),
            CREATE_PROJECT_EXPORT,
            "exportDataRowsInProject",
            input,
            |e| self.not_found_or(e),
        )
    }
}
