//! [`ModelRun`]: a model's run (an experiment), created, read and deleted with the official
//! SDK's documents (`CreateModelRunPyApi`, `GetModelRunPyApi`, `DeleteModelRunPyApi`), and
//! the two ways rows enter it: data rows (`createMEAModelRunDataRowRegistrationTaskPyApi`,
//! a `Task` of the "send to model run" kind, PROTOCOL 3.4 and 3.10) and labels
//! (`createMEAModelRunLabelRegistrationTaskPyApi` / `...ProjectLabelRegistrationTaskPyApi`,
//! polled through `MEALabelRegistrationTaskStatusPyApi` as the official SDK does).

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::model::{not_found, not_found_or, require, Model};
use crate::project::identifiers::DataRowIdentifiers;
use crate::task::poll::Pacer;
use crate::task::{parse_timestamp, Task, WaitOptions};
use crate::Client;

/// The fields the official SDK asks for a model run (its ORM's field order).
const MODEL_RUN_FIELDS: &str =
    "createdAt createdBy modelAppId modelId name trainingMetadata id updatedAt";

/// How long [`ModelRun::upsert_labels`] waits by default: 3,600 s, a poll every 5 s (the
/// official SDK's `timeout_seconds` and `sleep_time`).
pub const REGISTRATION_WAIT_TIMEOUT: Duration = Duration::from_secs(3600);

/// A run of a [`Model`]: the data rows, labels and predictions of one experiment. It keeps
/// its [`Client`].
///
/// ```
/// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
/// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
/// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
/// # let weather = labelbox::OntologyClassification::radio("weather", ["sunny"]);
/// # let ontology = labelbox::Client::from_env()?.create_ontology("o", &labelbox::NormalizedOntology::new().classification(weather), None)?;
/// # let ontology_id = &ontology.id;
/// # let model_id = &labelbox::Client::from_env()?.create_model("m", ontology_id)?.id().to_owned();
/// # let run_id = &labelbox::Client::from_env()?.get_model(model_id)?.create_model_run("r", None)?.id().to_owned();
/// # let row_ids: Vec<String> = {
/// #     let dataset = labelbox::Client::from_env()?.create_dataset("d")?;
/// #     let url = |k| labelbox::RowData::url(format!("https://example.com/{k}.jpg"));
/// #     let specs = ["img-1", "img-2"].map(|k| labelbox::DataRowSpec::new(url(k)).global_key(k));
/// #     let mut task = dataset.create_data_rows(&specs)?;
/// #     task.wait_till_done()?;
/// #     task.results()?.map(|r| r.map(|r| r.id().to_owned())).collect::<Result<_, _>>()?
/// # };
/// use labelbox::{Client, DataRowIdentifiers, TaskStatus};
///
/// let client = Client::from_env()?;
/// let run = client.get_model_run(run_id)?;
/// let mut task = run.upsert_data_rows(&DataRowIdentifiers::global_keys(["img-1"]))?;
/// assert_eq!(task.wait_till_done()?, TaskStatus::Complete);
/// # Ok::<_, labelbox::Error>(())
/// ```
#[derive(Clone)]
pub struct ModelRun {
    client: Client,
    wire: WireModelRun,
}

impl fmt::Debug for ModelRun {
    // The client is left out: nothing of it helps to identify a run.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelRun")
            .field("id", &self.wire.id)
            .field("name", &self.wire.name)
            .field("model_id", &self.wire.model_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireModelRun {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    model_id: String,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(default)]
    created_by: Option<String>,
    #[serde(default)]
    model_app_id: Option<String>,
    #[serde(default)]
    training_metadata: Option<Value>,
}

/// The labels [`ModelRun::upsert_labels`] registers: some labels by id, or every label of a
/// project (the official SDK's `label_ids` or `project_id`, never both).
///
/// ```
/// use labelbox::ModelRunLabels;
/// let some = ModelRunLabels::label_ids(["ck-label-1", "ck-label-2"]);
/// let all = ModelRunLabels::project("ck-project");
/// assert_ne!(some, all);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModelRunLabels {
    /// These labels (`createMEAModelRunLabelRegistrationTask`).
    LabelIds(Vec<String>),
    /// Every label of this project (`createMEAModelRunProjectLabelRegistrationTask`).
    Project(String),
}

impl ModelRunLabels {
    /// Labels by id.
    #[must_use]
    pub fn label_ids<I, S>(ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ModelRunLabels::LabelIds(ids.into_iter().map(Into::into).collect())
    }

    /// Every label of a project.
    #[must_use]
    pub fn project(id: impl Into<String>) -> Self {
        ModelRunLabels::Project(id.into())
    }

    /// The mutation's field, its document and variables, after the checks.
    fn request(&self, model_run_id: &str) -> Result<(&'static str, &'static str, Value)> {
        match self {
            ModelRunLabels::LabelIds(ids) => {
                if ids.is_empty() {
                    return Err(Error::invalid_input(
                        "label_ids",
                        "name at least one label, or a project",
                    ));
                }
                if let Some(i) = ids.iter().position(|s| s.trim().is_empty()) {
                    return Err(Error::invalid_input(
                        "label_ids",
                        format!("entry {i} is empty"),
                    ));
                }
                Ok((
                    "createMEAModelRunLabelRegistrationTask",
                    "mutation createMEAModelRunLabelRegistrationTaskPyApi($modelRunId: ID!, $labelIds : [ID!]!) {\n        createMEAModelRunLabelRegistrationTask(where : { id : $modelRunId}, data : {labelIds: $labelIds})}\n        ",
                    json!({"modelRunId": model_run_id, "labelIds": ids}),
                ))
            }
            ModelRunLabels::Project(project_id) => {
                require("project_id", project_id)?;
                Ok((
                    "createMEAModelRunProjectLabelRegistrationTask",
                    "mutation createMEAModelRunProjectLabelRegistrationTaskPyApi($modelRunId: ID!, $projectId : ID!) {\n        createMEAModelRunProjectLabelRegistrationTask(where : { modelRunId : $modelRunId, projectId: $projectId})}\n        ",
                    json!({"modelRunId": model_run_id, "projectId": project_id}),
                ))
            }
        }
    }
}

/// Creates a run of `model` (`CreateModelRunPyApi`).
pub(crate) fn create(model: &Model, name: &str, config: Option<Value>) -> Result<ModelRun> {
    require("name", name)?;
    let document = format!(
        "mutation CreateModelRunPyApi($name: String!, $config: Json, $modelId: ID!) {{\n            createModelRun(data: {{name: $name, trainingMetadata: $config, modelId: $modelId}}) {{{MODEL_RUN_FIELDS}}}}}"
    );
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Data {
        create_model_run: Option<WireModelRun>,
    }
    let variables = json!({"name": name, "config": config, "modelId": model.id()});
    let data: Data = model
        .client()
        .transport()
        .mutate(&document, variables)
        .map_err(|e| not_found_or("model", model.id(), e))?;
    let wire = data
        .create_model_run
        .ok_or_else(|| Error::decode("createModelRun answered null", ""))?;
    Ok(ModelRun {
        client: model.client().clone(),
        wire,
    })
}

impl ModelRun {
    /// The run's id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.wire.id
    }

    /// Its name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.wire.name
    }

    /// The id of its model.
    #[must_use]
    pub fn model_id(&self) -> &str {
        &self.wire.model_id
    }

    /// When it was created (`None` when the service gives no readable time).
    #[must_use]
    pub fn created_at(&self) -> Option<SystemTime> {
        self.wire.created_at.as_deref().and_then(parse_timestamp)
    }

    /// When it was last updated (`None` when the service gives no readable time).
    #[must_use]
    pub fn updated_at(&self) -> Option<SystemTime> {
        self.wire.updated_at.as_deref().and_then(parse_timestamp)
    }

    /// The id of the user who created it.
    #[must_use]
    pub fn created_by_id(&self) -> Option<&str> {
        self.wire.created_by.as_deref()
    }

    /// The id of its model app, when it has one.
    #[must_use]
    pub fn model_app_id(&self) -> Option<&str> {
        self.wire.model_app_id.as_deref()
    }

    /// Its training metadata (the `config` it was created with), when it has some.
    #[must_use]
    pub fn training_metadata(&self) -> Option<&Value> {
        self.wire
            .training_metadata
            .as_ref()
            .filter(|v| !v.is_null())
    }

    /// The client this run was read with.
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Adds data rows to the run, by id or by global key, without labels ("sending to
    /// experiment"): `createMEAModelRunDataRowRegistrationTaskPyApi`, sent once, then the
    /// registration's task read by id ([`Client::get_task_by_id`]).
    ///
    /// The official SDK polls the registration with its own status query and blocks; here the
    /// registration is returned as the [`Task`] it is (type `send-to-model-run`, cancelable
    /// with [`Client::cancel_task`] while in progress), and waiting is one line with the task
    /// rules: [`Task::wait_till_done`] or [`Task::wait_with`].
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let weather = labelbox::OntologyClassification::radio("weather", ["sunny"]);
    /// # let ontology = labelbox::Client::from_env()?.create_ontology("o", &labelbox::NormalizedOntology::new().classification(weather), None)?;
    /// # let ontology_id = &ontology.id;
    /// # let model_id = &labelbox::Client::from_env()?.create_model("m", ontology_id)?.id().to_owned();
    /// # let run_id = &labelbox::Client::from_env()?.get_model(model_id)?.create_model_run("r", None)?.id().to_owned();
    /// # let row_ids: Vec<String> = {
    /// #     let dataset = labelbox::Client::from_env()?.create_dataset("d")?;
    /// #     let url = |k| labelbox::RowData::url(format!("https://example.com/{k}.jpg"));
    /// #     let specs = ["img-1", "img-2"].map(|k| labelbox::DataRowSpec::new(url(k)).global_key(k));
    /// #     let mut task = dataset.create_data_rows(&specs)?;
    /// #     task.wait_till_done()?;
    /// #     task.results()?.map(|r| r.map(|r| r.id().to_owned())).collect::<Result<_, _>>()?
    /// # };
    /// use labelbox::{Client, DataRowIdentifiers, TaskStatus, WaitOptions};
    /// use std::time::Duration;
    ///
    /// let client = Client::from_env()?;
    /// let run = client.get_model_run(run_id)?;
    /// let mut task = run.upsert_data_rows(&DataRowIdentifiers::ids(row_ids))?;
    /// let status = task.wait_with(WaitOptions::new().timeout(Duration::from_secs(3600)))?;
    /// assert_eq!(status, TaskStatus::Complete);
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] (nothing sent) for no rows or an empty id or key;
    /// [`Error::NotFound`] in the service's words when it does not know the run or some of
    /// the rows (nothing is registered then); otherwise a
    /// [request failure](crate::Error#request-failures) of the mutation or of reading the task
    /// (the task's id is then logged: the registration goes on).
    pub fn upsert_data_rows(&self, rows: &DataRowIdentifiers) -> Result<Task> {
        const FIELD: &str = "createMEAModelRunDataRowRegistrationTask";
        const DOCUMENT: &str = "mutation createMEAModelRunDataRowRegistrationTaskPyApi($modelRunId: ID!, $dataRowIds: [ID!], $globalKeys: [ID!]) {\n          createMEAModelRunDataRowRegistrationTask(where : { id : $modelRunId}, data : {dataRowIds: $dataRowIds, globalKeys: $globalKeys})}\n          ";
        // The official SDK sets no upper bound here; the service's answer is final.
        rows.check(usize::MAX)?;
        let (ids, keys) = match rows {
            DataRowIdentifiers::Ids(ids) => (Some(ids), None),
            DataRowIdentifiers::GlobalKeys(keys) => (None, Some(keys)),
        };
        let variables = json!({"modelRunId": self.id(), "dataRowIds": ids, "globalKeys": keys});
        let task_id = self.start_registration(FIELD, DOCUMENT, variables)?;
        self.client.get_task_by_id(&task_id).inspect_err(|e| {
            log::warn!(
                "model run {}: registration task {task_id} was started, but reading it failed: {e}",
                self.id()
            )
        })
    }

    /// Adds labels (and their data rows) to the run and waits for the registration with
    /// the official SDK's default: up to [`REGISTRATION_WAIT_TIMEOUT`], a poll every 5 s.
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let weather = labelbox::OntologyClassification::radio("weather", ["sunny"]);
    /// # let ontology = labelbox::Client::from_env()?.create_ontology("o", &labelbox::NormalizedOntology::new().classification(weather), None)?;
    /// # let ontology_id = &ontology.id;
    /// # let model_id = &labelbox::Client::from_env()?.create_model("m", ontology_id)?.id().to_owned();
    /// # let run_id = &labelbox::Client::from_env()?.get_model(model_id)?.create_model_run("r", None)?.id().to_owned();
    /// # let row_ids: Vec<String> = {
    /// #     let dataset = labelbox::Client::from_env()?.create_dataset("d")?;
    /// #     let url = |k| labelbox::RowData::url(format!("https://example.com/{k}.jpg"));
    /// #     let specs = ["img-1", "img-2"].map(|k| labelbox::DataRowSpec::new(url(k)).global_key(k));
    /// #     let mut task = dataset.create_data_rows(&specs)?;
    /// #     task.wait_till_done()?;
    /// #     task.results()?.map(|r| r.map(|r| r.id().to_owned())).collect::<Result<_, _>>()?
    /// # };
    /// # let project_id = &{
    /// #     let client = labelbox::Client::from_env()?;
    /// #     let project = client.create_project("p", labelbox::MediaType::Image)?;
    /// #     project.create_batch("b", labelbox::DataRowIdentifiers::ids(row_ids.clone()), 3)?;
    /// #     project.connect_ontology(&ontology)?;
    /// #     let row = labelbox::AnnotationDataRow::Id(row_ids[0].clone());
    /// #     let label = [labelbox::Annotation::radio("weather", row, "sunny")];
    /// #     project.import_labels("l", &label)?.wait_till_done()?;
    /// #     project.id().to_owned()
    /// # };
    /// use labelbox::{Client, ModelRunLabels};
    ///
    /// let client = Client::from_env()?;
    /// let run = client.get_model_run(run_id)?;
    /// run.upsert_labels(&ModelRunLabels::project(project_id))?;
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`upsert_labels_with`](Self::upsert_labels_with).
    pub fn upsert_labels(&self, labels: &ModelRunLabels) -> Result<()> {
        let wait = WaitOptions::new()
            .timeout(REGISTRATION_WAIT_TIMEOUT)
            .check_frequency(Duration::from_secs(5));
        self.upsert_labels_with(labels, wait)
    }

    /// Adds labels to the run (`createMEAModelRunLabelRegistrationTaskPyApi` for label ids,
    /// `createMEAModelRunProjectLabelRegistrationTaskPyApi` for a project's labels), then
    /// polls `MEALabelRegistrationTaskStatusPyApi` until it is `COMPLETE`, under `wait`'s
    /// deadline on the client's clock (the task wait rules). This registration is not
    /// known to be a [`Task`], so it is polled the official SDK's way.
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let weather = labelbox::OntologyClassification::radio("weather", ["sunny"]);
    /// # let ontology = labelbox::Client::from_env()?.create_ontology("o", &labelbox::NormalizedOntology::new().classification(weather), None)?;
    /// # let ontology_id = &ontology.id;
    /// # let model_id = &labelbox::Client::from_env()?.create_model("m", ontology_id)?.id().to_owned();
    /// # let run_id = &labelbox::Client::from_env()?.get_model(model_id)?.create_model_run("r", None)?.id().to_owned();
    /// # let row_ids: Vec<String> = {
    /// #     let dataset = labelbox::Client::from_env()?.create_dataset("d")?;
    /// #     let url = |k| labelbox::RowData::url(format!("https://example.com/{k}.jpg"));
    /// #     let specs = ["img-1", "img-2"].map(|k| labelbox::DataRowSpec::new(url(k)).global_key(k));
    /// #     let mut task = dataset.create_data_rows(&specs)?;
    /// #     task.wait_till_done()?;
    /// #     task.results()?.map(|r| r.map(|r| r.id().to_owned())).collect::<Result<_, _>>()?
    /// # };
    /// # let project_id = &{
    /// #     let client = labelbox::Client::from_env()?;
    /// #     let project = client.create_project("p", labelbox::MediaType::Image)?;
    /// #     project.create_batch("b", labelbox::DataRowIdentifiers::ids(row_ids.clone()), 3)?;
    /// #     project.connect_ontology(&ontology)?;
    /// #     let row = labelbox::AnnotationDataRow::Id(row_ids[0].clone());
    /// #     let label = [labelbox::Annotation::radio("weather", row, "sunny")];
    /// #     project.import_labels("l", &label)?.wait_till_done()?;
    /// #     project.id().to_owned()
    /// # };
    /// use labelbox::{Client, ModelRunLabels, WaitOptions};
    /// use std::time::Duration;
    ///
    /// let client = Client::from_env()?;
    /// let run = client.get_model_run(run_id)?;
    /// let wait = WaitOptions::new().timeout(Duration::from_secs(600));
    /// run.upsert_labels_with(&ModelRunLabels::project(project_id), wait)?;
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] (nothing sent) for no label ids, an empty id or project id, or
    /// a check frequency under the client's floor; [`Error::NotFound`] in the service's words
    /// for an unknown run, label or project;
    /// [`Error::RegistrationFailed`] when it ends `FAILED`; [`Error::JobTimedOut`] when it is
    /// still running at the deadline (it goes on); otherwise a
    /// [request failure](crate::Error#request-failures).
    pub fn upsert_labels_with(&self, labels: &ModelRunLabels, wait: WaitOptions) -> Result<()> {
        const STATUS: &str = "query MEALabelRegistrationTaskStatusPyApi($where: WhereUniqueIdInput!){\n            MEALabelRegistrationTaskStatus(where: $where) {status errorMessage}\n        }\n        ";
        let (field, document, variables) = labels.request(self.id())?;
        // The wait's settings are checked before anything is sent.
        let mut pacer = Pacer::start(&self.client, &wait)?;
        let task_id = self.start_registration(field, document, variables)?;
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Status {
            status: String,
            #[serde(default)]
            error_message: Option<String>,
        }
        #[derive(Deserialize)]
        struct Data {
            #[serde(rename = "MEALabelRegistrationTaskStatus")]
            status: Option<Status>,
        }
        loop {
            let deadline = pacer
                .next_poll(false)
                .map_err(|expired| Error::JobTimedOut {
                    job: field.to_owned(),
                    job_id: task_id.clone(),
                    waited: expired.waited,
                    polls: expired.polls,
                })?;
            let variables = json!({"where": {"id": task_id}});
            let transport = self.client.transport();
            let data: Data = match deadline {
                Some(deadline) => transport.query_until(STATUS, variables, deadline)?,
                None => transport.query(STATUS, variables)?,
            };
            let status = data
                .status
                .ok_or_else(|| not_found("label registration task", &task_id))?;
            match status.status.as_str() {
                "COMPLETE" => return Ok(()),
                "FAILED" => {
                    return Err(Error::RegistrationFailed {
                        model_run_id: self.id().to_owned(),
                        task_id,
                        message: status.error_message,
                    })
                }
                other => log::debug!("label registration {task_id} is {other}"),
            }
        }
    }

    /// Sends a registration mutation once; its answer is the registration's id. A "not
    /// found" keeps the service's words: the run, or rows, labels or a project it names.
    fn start_registration(&self, field: &str, document: &str, variables: Value) -> Result<String> {
        let mut data: std::collections::HashMap<String, Option<String>> =
            self.client.transport().mutate(document, variables)?;
        data.remove(field)
            .flatten()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Error::decode(format!("{field} answered no task id"), ""))
    }

    /// Deletes the run (`DeleteModelRunPyApi`).
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let weather = labelbox::OntologyClassification::radio("weather", ["sunny"]);
    /// # let ontology = labelbox::Client::from_env()?.create_ontology("o", &labelbox::NormalizedOntology::new().classification(weather), None)?;
    /// # let ontology_id = &ontology.id;
    /// # let model_id = &labelbox::Client::from_env()?.create_model("m", ontology_id)?.id().to_owned();
    /// # let run_id = &labelbox::Client::from_env()?.get_model(model_id)?.create_model_run("r", None)?.id().to_owned();
    /// let client = labelbox::Client::from_env()?;
    /// client.get_model_run(run_id)?.delete()?;
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [request failure](crate::Error#request-failures) of the mutation; a run already
    /// gone is [`Error::NotFound`].
    pub fn delete(&self) -> Result<()> {
        const DELETE: &str = "mutation DeleteModelRunPyApi($ids: ID!) {\n            deleteModelRuns(where: {ids: [$ids]})}";
        let _: Value = self
            .client
            .transport()
            .mutate(DELETE, json!({"ids": self.id()}))
            .map_err(|e| not_found_or("model run", self.id(), e))?;
        Ok(())
    }
}

impl Client {
    /// The model run with this id (`GetModelRunPyApi`).
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let weather = labelbox::OntologyClassification::radio("weather", ["sunny"]);
    /// # let ontology = labelbox::Client::from_env()?.create_ontology("o", &labelbox::NormalizedOntology::new().classification(weather), None)?;
    /// # let ontology_id = &ontology.id;
    /// # let model_id = &labelbox::Client::from_env()?.create_model("m", ontology_id)?.id().to_owned();
    /// # let run_id = &labelbox::Client::from_env()?.get_model(model_id)?.create_model_run("r", None)?.id().to_owned();
    /// let client = labelbox::Client::from_env()?;
    /// let run = client.get_model_run(run_id)?;
    /// println!("{} of model {}", run.name(), run.model_id());
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty id (nothing is sent); [`Error::NotFound`] naming
    /// the id when there is no such run; otherwise a
    /// [request failure](crate::Error#request-failures).
    pub fn get_model_run(&self, id: &str) -> Result<ModelRun> {
        require("model_run_id", id)?;
        let document = format!(
            "query GetModelRunPyApi($param_0: ID!){{modelRun(where: {{id: $param_0}}){{{MODEL_RUN_FIELDS}}}}}"
        );
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            model_run: Option<WireModelRun>,
        }
        let data: Data = self
            .transport()
            .query(&document, json!({"param_0": id}))
            .map_err(|e| not_found_or("model run", id, e))?;
        Ok(ModelRun {
            client: self.clone(),
            wire: data.model_run.ok_or_else(|| not_found("model run", id))?,
        })
    }
}
