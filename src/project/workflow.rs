//! Moving rows through a project's workflow: its task queues
//! ([`Project::task_queues`], `GetProjectTaskQueuesPyApi`), sending catalog rows to it
//! ([`Client::send_to_annotate_from_catalog`], `SendToAnnotateFromCatalogPyApi`) and
//! changing their labeling priority ([`Project::update_data_row_labeling_priority`],
//! `createQueuePriorityUpdateTaskPyApi`). Both of the latter start a [`Task`], cancelable
//! with [`Client::cancel_task`].

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::project::identifiers::DataRowIdentifiers;
use crate::project::Project;
use crate::task::Task;
use crate::Client;

/// The most rows one priority update takes (the official SDK's documented limit).
pub const MAX_PRIORITY_ROWS: usize = 1_000_000;

/// A step of a project's workflow that rows wait in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskQueue {
    /// Its id.
    pub id: String,
    /// Its name, e.g. `Initial labeling task`.
    pub name: String,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
    /// Its kind, e.g. `INITIAL_LABELING_QUEUE`, `MANUAL_REVIEW_QUEUE`.
    #[serde(default)]
    pub queue_type: Option<String>,
    /// How many rows wait in it.
    #[serde(default)]
    pub data_row_count: u64,
}

impl Project {
    /// The project's task queues.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the project is gone; otherwise a
    /// [request failure](crate::Error#request-failures).
    pub fn task_queues(&self) -> Result<Vec<TaskQueue>> {
        const QUEUES: &str = "query GetProjectTaskQueuesPyApi($projectId: ID!) {\n              project(where: {id: $projectId}) {\n                taskQueues {\n                  dataRowCount description name queueType id\n                }\n              }\n            }\n        ";
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Inner {
            task_queues: Option<Vec<TaskQueue>>,
        }
        #[derive(Deserialize)]
        struct Data {
            project: Option<Inner>,
        }
        let data: Data = self
            .client()
            .transport()
            .query_experimental(QUEUES, json!({"projectId": self.id()}))
            .map_err(|e| self.not_found_or(e))?;
        Ok(data
            .project
            .ok_or_else(|| self.not_found())?
            .task_queues
            .unwrap_or_default())
    }

    /// Starts the task that sets these rows' labeling priority in this project (1 highest).
    ///
    /// The official SDK waits for the task inside this call and returns `true`; here the
    /// task is returned, to wait for (or cancel) as any task:
    ///
    /// ```no_run
    /// # fn f(project: &labelbox::Project) -> labelbox::Result<()> {
    /// use labelbox::{DataRowIdentifiers, TaskStatus};
    /// let mut task = project.update_data_row_labeling_priority(DataRowIdentifiers::global_keys(["img-1"]), 1)?;
    /// assert_eq!(task.wait_till_done()?, TaskStatus::Complete);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] (nothing sent) for no rows, more than [`MAX_PRIORITY_ROWS`],
    /// an empty id or a priority of 0; [`Error::NotFound`] when the project is gone;
    /// otherwise a [request failure](crate::Error#request-failures).
    pub fn update_data_row_labeling_priority(
        &self,
        rows: DataRowIdentifiers,
        priority: u32,
    ) -> Result<Task> {
        const PRIORITY: &str = "mutation createQueuePriorityUpdateTaskPyApi(\n              $priority: Int!\n              $projectId: ID!\n              $dataRowIdentifiers: QueuePriorityUpdateDataRowIdentifiersInput\n            ) {\n              project(where: { id: $projectId }) {\n                createQueuePriorityUpdateTask(\n                  data: { priority: $priority, dataRowIdentifiers: $dataRowIdentifiers }\n                ) {\n                  taskId\n                }\n              }\n            }\n        ";
        rows.check(MAX_PRIORITY_ROWS)?;
        if priority == 0 || i32::try_from(priority).is_err() {
            return Err(Error::invalid_input(
                "priority",
                format!("1 (highest) or more, got {priority}"),
            ));
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct TaskId {
            task_id: String,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Inner {
            create_queue_priority_update_task: Option<TaskId>,
        }
        #[derive(Deserialize)]
        struct Data {
            project: Option<Inner>,
        }
        let variables = json!({
            "priority": priority,
            "projectId": self.id(),
            "dataRowIdentifiers": rows.identifiers_input(),
        });
        let data: Data = self
            .client()
            .transport()
            .mutate(PRIORITY, variables)
            .map_err(|e| self.not_found_or(e))?;
        let task_id = data
            .project
            .ok_or_else(|| self.not_found())?
            .create_queue_priority_update_task
            .ok_or_else(|| Error::decode("createQueuePriorityUpdateTask answered null", ""))?
            .task_id;
        started_task(self.client(), &task_id)
    }
}

/// What to do with labels already on rows sent to a project that has some
/// (`conflictLabelsResolutionStrategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ConflictResolution {
    /// `KEEP_EXISTING` (the default).
    #[default]
    KeepExisting,
    /// `OVERRIDE_WITH_ANNOTATIONS`
    OverrideWithAnnotations,
    /// `OVERRIDE_WITH_PREDICTIONS`
    OverrideWithPredictions,
}

impl ConflictResolution {
    fn as_str(self) -> &'static str {
        match self {
            ConflictResolution::KeepExisting => "KEEP_EXISTING",
            ConflictResolution::OverrideWithAnnotations => "OVERRIDE_WITH_ANNOTATIONS",
            ConflictResolution::OverrideWithPredictions => "OVERRIDE_WITH_PREDICTIONS",
        }
    }
}

/// Where rows sent to annotate come from and how they land: the official SDK's
/// `SendToAnnotateFromCatalogParams`. Exactly one source (a project or a model run).
///
/// ```
/// use labelbox::SendToAnnotateParams;
/// let params = SendToAnnotateParams::from_project("ck-source-project")
///     .batch_priority(2)
///     .exclude_data_rows_in_project(true);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SendToAnnotateParams {
    source: Source,
    mapping: BTreeMap<String, String>,
    exclude_data_rows_in_project: bool,
    conflict: ConflictResolution,
    batch_priority: u8,
}

#[derive(Debug, Clone, PartialEq)]
enum Source {
    Project(String),
    ModelRun(String),
}

impl SendToAnnotateParams {
    fn new(source: Source) -> Self {
        SendToAnnotateParams {
            source,
            mapping: BTreeMap::new(),
            exclude_data_rows_in_project: false,
            conflict: ConflictResolution::KeepExisting,
            batch_priority: 5,
        }
    }

    /// Rows (and their labels) from this project.
    #[must_use]
    pub fn from_project(project_id: impl Into<String>) -> Self {
        Self::new(Source::Project(project_id.into()))
    }

    /// Rows (and their predictions) from this model run.
    #[must_use]
    pub fn from_model_run(model_run_id: impl Into<String>) -> Self {
        Self::new(Source::ModelRun(model_run_id.into()))
    }

    /// Maps a source feature schema id to the destination's (the ontology mapping).
    #[must_use]
    pub fn map_feature(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.mapping.insert(from.into(), to.into());
        self
    }

    /// Leaves out rows already in the destination project.
    #[must_use]
    pub fn exclude_data_rows_in_project(mut self, on: bool) -> Self {
        self.exclude_data_rows_in_project = on;
        self
    }

    /// What to do with labels the rows already have there.
    #[must_use]
    pub fn conflict_resolution(mut self, rule: ConflictResolution) -> Self {
        self.conflict = rule;
        self
    }

    /// The new batch's priority, 1 (highest) to 5 (the default).
    #[must_use]
    pub fn batch_priority(mut self, priority: u8) -> Self {
        self.batch_priority = priority;
        self
    }
}

/// Where sent rows land in the destination project.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Destination {
    /// This task queue (see [`Project::task_queues`]).
    TaskQueue(String),
    /// Straight to `Done`.
    Done,
}

impl Client {
    /// Sends catalog rows to a project for annotation, as a new batch named `batch_name`
    /// (the official SDK's `send_to_annotate_from_catalog`). Returns the task, to wait for or
    /// cancel ([`Client::cancel_task`]).
    ///
    /// ```no_run
    /// # fn f(client: &labelbox::Client) -> labelbox::Result<()> {
    /// use labelbox::{DataRowIdentifiers, Destination, SendToAnnotateParams};
    /// let mut task = client.send_to_annotate_from_catalog(
    ///     "ck-destination",
    ///     Destination::Done,
    ///     "from the catalog",
    ///     DataRowIdentifiers::global_keys(["img-1", "img-2"]),
    ///     SendToAnnotateParams::from_project("ck-source"),
    /// )?;
    /// task.wait_till_done()?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] (nothing sent) for an empty batch name, no rows, more than
    /// 2,000 of them, an empty id or a batch priority outside 1..=5; otherwise a
    /// [request failure](crate::Error#request-failures) of the mutation or of reading the
    /// task it started.
    pub fn send_to_annotate_from_catalog(
        &self,
        destination_project_id: &str,
        destination: Destination,
        batch_name: &str,
        rows: DataRowIdentifiers,
        params: SendToAnnotateParams,
    ) -> Result<Task> {
        const SEND: &str = "mutation SendToAnnotateFromCatalogPyApi($input: SendToAnnotateFromCatalogInput!) {\n                            sendToAnnotateFromCatalog(input: $input) {\n                              taskId\n                            }\n                          }\n        ";
        if batch_name.trim().is_empty() {
            return Err(Error::invalid_input(
                "batch_name",
                "a batch name cannot be empty",
            ));
        }
        if !(1..=5).contains(&params.batch_priority) {
            return Err(Error::invalid_input(
                "batch_priority",
                format!("1 (highest) to 5 (lowest), got {}", params.batch_priority),
            ));
        }
        rows.check(crate::export::options::MAX_EXPORT_IDS)?;
        let queue = match destination {
            Destination::TaskQueue(id) => json!({"type": "id", "value": id}),
            Destination::Done => json!({"type": "done"}),
        };
        let (annotations, predictions) = match &params.source {
            Source::Project(id) => (
                json!({"projectId": id, "featureSchemaIdsMapping": params.mapping}),
                Value::Null,
            ),
            Source::ModelRun(id) => (
                Value::Null,
                json!({
                    "featureSchemaIdsMapping": params.mapping,
                    "modelRunId": id,
                    "minConfidence": 0,
                    "maxConfidence": 1,
                }),
            ),
        };
        let input = json!({
            "destinationProjectId": destination_project_id,
            "batchInput": {"batchName": batch_name, "batchPriority": params.batch_priority},
            "destinationTaskQueue": queue,
            "excludeDataRowsInProject": params.exclude_data_rows_in_project,
            "annotationsInput": annotations,
            "predictionsInput": predictions,
            "conflictLabelsResolutionStrategy": params.conflict.as_str(),
            "searchQuery": {"scope": null, "query": [rows.search_clause()]},
            "ordering": {
                "type": "RANDOM",
                "random": {"seed": crate::transport::random_seed()},
                "sorting": null,
            },
            "sorting": null,
            "limit": null,
        });
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct TaskId {
            task_id: String,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            send_to_annotate_from_catalog: Option<TaskId>,
        }
        let data: Data = self.transport().mutate(SEND, json!({"input": input}))?;
        let task_id = data
            .send_to_annotate_from_catalog
            .ok_or_else(|| Error::decode("sendToAnnotateFromCatalog answered null", ""))?
            .task_id;
        started_task(self, &task_id)
    }
}

/// The task a mutation started; if reading it fails, the log says which task runs anyway.
fn started_task(client: &Client, task_id: &str) -> Result<Task> {
    client
        .get_task_by_id(task_id)
        .inspect_err(|e| log::warn!("task {task_id} was started, but reading it failed: {e}"))
}
