//! [`Project`]: creating, getting, listing and deleting projects (PROTOCOL 3.10), with the
//! documents the official SDK sends (`CreateProjectPyApi`, `GetProjectPyApi`,
//! `GetProjectsPyApi`, `deleteProjectPyApi`, `LabelCountPyApi`, `GetProjectTaskQueuesPyApi`).

pub(crate) mod batch;
pub(crate) mod export;
pub(crate) mod identifiers;
pub(crate) mod ontology;
pub(crate) mod workflow;

use std::fmt;
use std::time::SystemTime;

use serde::Deserialize;
use serde_json::json;

use crate::error::{Error, Result};
use crate::import::data_row::MediaType;
use crate::task::parse_timestamp;
use crate::Client;

/// The fields the official SDK asks for a project, in its order.
pub(crate) const PROJECT_FIELDS: &str = "autoAuditNumberOfLabels autoAuditPercentage createdAt dataRowCount description editorTaskType isBenchmarkEnabled isConsensusEnabled lastActivityTime allowedMediaType modelSetupComplete name setupComplete id updatedAt uploadType";

/// A labeling project. It keeps its [`Client`], so it can make batches, connect an
/// ontology, import labels and export them.
///
/// ```
/// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
/// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
/// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
/// use labelbox::{Client, MediaType};
///
/// let client = Client::from_env()?;
/// let project = client.create_project("street scenes", MediaType::Image)?;
/// assert_eq!(project.media_type(), Some(MediaType::Image));
/// assert_eq!(client.get_project(project.id())?.name(), "street scenes");
/// assert_eq!(project.label_count()?, 0);
/// project.delete()?;
/// # Ok::<_, labelbox::Error>(())
/// ```
#[derive(Clone)]
pub struct Project {
    client: Client,
    wire: WireProject,
    created_at: SystemTime,
    updated_at: SystemTime,
}

impl fmt::Debug for Project {
    // The client is left out: nothing of it helps to identify a project.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Project")
            .field("id", &self.wire.id)
            .field("name", &self.wire.name)
            .field("media_type", &self.wire.allowed_media_type)
            .field("data_row_count", &self.wire.data_row_count)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireProject {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: Option<String>,
    created_at: String,
    updated_at: String,
    #[serde(default)]
    last_activity_time: Option<String>,
    #[serde(default)]
    setup_complete: Option<String>,
    #[serde(default)]
    allowed_media_type: Option<String>,
    #[serde(default)]
    editor_task_type: Option<String>,
    #[serde(default)]
    data_row_count: Option<u64>,
    #[serde(default)]
    auto_audit_number_of_labels: Option<u32>,
    #[serde(default)]
    auto_audit_percentage: Option<f64>,
    #[serde(default)]
    is_benchmark_enabled: Option<bool>,
    #[serde(default)]
    is_consensus_enabled: Option<bool>,
    #[serde(default)]
    model_setup_complete: Option<bool>,
    #[serde(default)]
    upload_type: Option<String>,
}

impl Project {
    pub(crate) fn from_wire(client: Client, wire: WireProject) -> Result<Project> {
        let time = |field: &str, text: &str| {
            parse_timestamp(text).ok_or_else(|| {
                Error::decode(format!("project {field} {text:?} is not a timestamp"), "")
            })
        };
        Ok(Project {
            created_at: time("createdAt", &wire.created_at)?,
            updated_at: time("updatedAt", &wire.updated_at)?,
            client,
            wire,
        })
    }

    /// The project's id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.wire.id
    }

    /// Its name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.wire.name
    }

    /// Its description (`None` when the service has none).
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.wire.description.as_deref()
    }

    /// The media type of the rows it labels (`None` for a type this SDK does not know, see
    /// [`media_type_name`](Self::media_type_name)).
    #[must_use]
    pub fn media_type(&self) -> Option<MediaType> {
        let name = self.wire.allowed_media_type.as_deref()?;
        MediaType::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// The media type's wire name as the service gave it (e.g. `IMAGE`).
    #[must_use]
    pub fn media_type_name(&self) -> Option<&str> {
        self.wire.allowed_media_type.as_deref()
    }

    /// The editor's task type (model-evaluation projects), when there is one.
    #[must_use]
    pub fn editor_task_type(&self) -> Option<&str> {
        self.wire.editor_task_type.as_deref()
    }

    /// How many data rows are in the project (when it was read).
    #[must_use]
    pub fn data_row_count(&self) -> u64 {
        self.wire.data_row_count.unwrap_or(0)
    }

    /// When it was created.
    #[must_use]
    pub fn created_at(&self) -> SystemTime {
        self.created_at
    }

    /// When it was last updated.
    #[must_use]
    pub fn updated_at(&self) -> SystemTime {
        self.updated_at
    }

    /// Its last activity, when the service gives one.
    #[must_use]
    pub fn last_activity_time(&self) -> Option<SystemTime> {
        self.wire
            .last_activity_time
            .as_deref()
            .and_then(parse_timestamp)
    }

    /// When its setup (editor and ontology) was completed; `None` while it is not.
    #[must_use]
    pub fn setup_complete(&self) -> Option<SystemTime> {
        self.wire
            .setup_complete
            .as_deref()
            .and_then(parse_timestamp)
    }

    /// Labels per data row under consensus (`autoAuditNumberOfLabels`).
    #[must_use]
    pub fn auto_audit_number_of_labels(&self) -> Option<u32> {
        self.wire.auto_audit_number_of_labels
    }

    /// Share of rows labeled more than once (`autoAuditPercentage`).
    #[must_use]
    pub fn auto_audit_percentage(&self) -> Option<f64> {
        self.wire.auto_audit_percentage
    }

    /// Whether benchmarks are enabled.
    #[must_use]
    pub fn is_benchmark_enabled(&self) -> bool {
        self.wire.is_benchmark_enabled.unwrap_or(false)
    }

    /// Whether consensus is enabled.
    #[must_use]
    pub fn is_consensus_enabled(&self) -> bool {
        self.wire.is_consensus_enabled.unwrap_or(false)
    }

    /// Whether model-assisted labeling is set up.
    #[must_use]
    pub fn model_setup_complete(&self) -> bool {
        self.wire.model_setup_complete.unwrap_or(false)
    }

    /// The upload type, when the service gives one.
    #[must_use]
    pub fn upload_type(&self) -> Option<&str> {
        self.wire.upload_type.as_deref()
    }

    /// The client this project was read with.
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Deletes the project (`deleteProjectPyApi`: `updateProject` with `deleted: true`).
    ///
    /// # Errors
    ///
    /// A [request failure](crate::Error#request-failures) of the mutation; a project already
    /// gone is [`Error::NotFound`].
    pub fn delete(&self) -> Result<()> {
        const DELETE: &str = "mutation deleteProjectPyApi($ProjectId: ID!){updateProject(\n        where: {id: $ProjectId} data: {deleted: true}) {id}} ";
        let _: serde_json::Value = self
            .client
            .transport()
            .mutate(DELETE, json!({"ProjectId": self.id()}))
            .map_err(|e| self.not_found_or(e))?;
        Ok(())
    }

    /// How many labels the project has now (`LabelCountPyApi`).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the project is gone; otherwise a
    /// [request failure](crate::Error#request-failures).
    pub fn label_count(&self) -> Result<u64> {
        const COUNT: &str = "query LabelCountPyApi($projectId: ID!) {\n            project(where: {id: $projectId}) {\n                labelCount\n            }\n        }";
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Count {
            label_count: u64,
        }
        #[derive(Deserialize)]
        struct Data {
            project: Option<Count>,
        }
        let data: Data = self
            .client
            .transport()
            .query(COUNT, json!({"projectId": self.id()}))
            .map_err(|e| self.not_found_or(e))?;
        Ok(data.project.ok_or_else(|| self.not_found())?.label_count)
    }

    /// [`Error::NotFound`] naming this project.
    pub(crate) fn not_found(&self) -> Error {
        Error::NotFound {
            what: "project".to_owned(),
            id: self.id().to_owned(),
        }
    }

    /// A service "not found" named as this project; other errors as they are.
    pub(crate) fn not_found_or(&self, e: Error) -> Error {
        if e.is_not_found() {
            self.not_found()
        } else {
            e
        }
    }
}

#[derive(Deserialize)]
struct GetAnswer {
    project: Option<WireProject>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateAnswer {
    create_project: Option<WireProject>,
}

impl Client {
    /// Creates a project labeling rows of `media_type`, with the official SDK's defaults
    /// (benchmark and consensus quality modes: `autoAuditNumberOfLabels` 3,
    /// `autoAuditPercentage` 0).
    ///
    /// A mutation: after an ambiguous failure it is not sent again (the error says it may
    /// have been carried out).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty name (nothing is sent); [`Error::Decode`] when the
    /// service answers no project; otherwise a [request failure](crate::Error#request-failures).
    pub fn create_project(&self, name: &str, media_type: MediaType) -> Result<Project> {
        if name.trim().is_empty() {
            return Err(Error::invalid_input(
                "name",
                "a project name cannot be empty",
            ));
        }
        let document = format!(
            "mutation CreateProjectPyApi($name: String!, $allowedMediaType: MediaType!, $autoAuditPercentage: Float!, $autoAuditNumberOfLabels: Int!, $isBenchmarkEnabled: Boolean!, $isConsensusEnabled: Boolean!){{createProject(data: {{name: $name allowedMediaType: $allowedMediaType autoAuditPercentage: $autoAuditPercentage autoAuditNumberOfLabels: $autoAuditNumberOfLabels isBenchmarkEnabled: $isBenchmarkEnabled isConsensusEnabled: $isConsensusEnabled}}) {{{PROJECT_FIELDS}}}}} "
        );
        let variables = json!({
            "name": name,
            "allowedMediaType": media_type.as_str(),
            "autoAuditPercentage": 0,
            "autoAuditNumberOfLabels": 3,
            "isBenchmarkEnabled": true,
            "isConsensusEnabled": true,
        });
        let answer: CreateAnswer = self.transport().mutate(&document, variables)?;
        let wire = answer
            .create_project
            .ok_or_else(|| Error::decode("createProject answered null", ""))?;
        Project::from_wire(self.clone(), wire)
    }

    /// The project with this id.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] naming the id when there is no such project (or it is not visible
    /// to this key); otherwise a [request failure](crate::Error#request-failures).
    pub fn get_project(&self, id: &str) -> Result<Project> {
        let document = format!(
            "query GetProjectPyApi($param_0: ID!){{project(where: {{id: $param_0}}){{{PROJECT_FIELDS}}}}}"
        );
        let not_found = || Error::NotFound {
            what: "project".to_owned(),
            id: id.to_owned(),
        };
        let answer: GetAnswer = match self.transport().query(&document, json!({"param_0": id})) {
            Ok(answer) => answer,
            Err(e) if e.is_not_found() => return Err(not_found()),
            Err(e) => return Err(e),
        };
        Project::from_wire(self.clone(), answer.project.ok_or_else(not_found)?)
    }

    /// Every project the key can see (not deleted), lazily, in offset pages of 100 as the
    /// official SDK's `get_projects` reads them.
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// let client = labelbox::Client::from_env()?;
    /// client.create_project("listed", labelbox::MediaType::Image)?;
    /// for project in client.projects() {
    ///     let project = project?;
    ///     println!("{} {}", project.id(), project.name());
    /// }
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    pub fn projects(&self) -> Projects {
        Projects {
            client: self.clone(),
            skip: 0,
            page: Vec::new().into_iter(),
            done: false,
        }
    }
}

/// Projects asked per page, like the official SDK.
const PROJECT_PAGE_SIZE: usize = 100;

/// The lazy iterator of [`Client::projects`]: one request per page of 100, made when the
/// previous page is used up; a short page ends it. A failed request is yielded once, then
/// the iterator ends.
#[derive(Debug)]
#[must_use = "iterators are lazy: nothing is fetched until it is used"]
pub struct Projects {
    client: Client,
    skip: usize,
    page: std::vec::IntoIter<WireProject>,
    done: bool,
}

impl Projects {
    fn fetch_page(&self) -> Result<Vec<WireProject>> {
        #[derive(Deserialize)]
        struct Data {
            projects: Option<Vec<WireProject>>,
        }
        let (skip, first) = (self.skip, PROJECT_PAGE_SIZE);
        let document = format!(
            "query GetProjectsPyApi($param_0: Boolean!){{projects(where: {{deleted: $param_0}} skip: {skip} first: {first}){{{PROJECT_FIELDS}}}}}"
        );
        let data: Data = self
            .client
            .transport()
            .query(&document, json!({"param_0": false}))?;
        Ok(data.projects.unwrap_or_default())
    }
}

impl Iterator for Projects {
    type Item = Result<Project>;

    fn next(&mut self) -> Option<Result<Project>> {
        loop {
            if let Some(wire) = self.page.next() {
                return Some(Project::from_wire(self.client.clone(), wire));
            }
            if self.done {
                return None;
            }
            match self.fetch_page() {
                Ok(page) => {
                    // A full page may be followed by more; a short one is the last.
                    self.done = page.len() < PROJECT_PAGE_SIZE;
                    self.skip += page.len();
                    self.page = page.into_iter();
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}
