//! [`AnnotationImport`]: a label import (`LabelImport`) or a model-assisted-labeling
//! prediction import (`MALPredictionImport`), started from rows, an NDJSON file or a URL,
//! refreshed by project and name as the official SDK does, and waited for with the rules of
//! [`Task::wait_with`](crate::Task::wait_with): a deadline on the client's clock, no sleep
//! past it, [`Error::ImportWaitTimedOut`] when it is still running there.

use std::borrow::Borrow;
use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;

use crate::annotation::row::Annotation;
use crate::annotation::status::AnnotationStatuses;
use crate::annotation::upload::{check_and_measure, NdjsonReader};
use crate::error::{Error, Result};
use crate::project::{Project, PROJECT_FIELDS};
use crate::task::WaitOptions;
use crate::transport::MultipartFile;
use crate::Client;

/// Which kind of import: labels, or predictions for model-assisted labeling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnnotationImportKind {
    /// Ground-truth labels (`createLabelImport`).
    Labels,
    /// MAL predictions, shown to labelers as pre-labels
    /// (`createModelAssistedLabelingPredictionImport`).
    Predictions,
}

impl AnnotationImportKind {
    /// The mutation's top-level field, also the answer's key.
    fn mutation_field(self) -> &'static str {
        match self {
            AnnotationImportKind::Labels => "createLabelImport",
            AnnotationImportKind::Predictions => "createModelAssistedLabelingPredictionImport",
        }
    }

    fn file_document(self) -> String {
        let (op, field) = match self {
            AnnotationImportKind::Labels => ("createLabelImportByFilePyApi", self.mutation_field()),
            AnnotationImportKind::Predictions => (
                "createMALPredictionImportByFilePyApi",
                self.mutation_field(),
            ),
        };
        format!(
            "mutation {op}($projectId : ID!, $name: String!, $file: Upload!, $contentLength: Int!) {{\n            {field}(data: {{\n                projectId: $projectId name: $name filePayload: {{ file: $file, contentLength: $contentLength}}\n        }}) {{{}}}\n        }}",
            import_fields()
        )
    }

    fn url_document(self) -> String {
        let (op, field) = match self {
            AnnotationImportKind::Labels => ("createLabelImportByUrlPyApi", self.mutation_field()),
            AnnotationImportKind::Predictions => {
                ("createMALPredictionImportByUrlPyApi", self.mutation_field())
            }
        };
        format!(
            "mutation {op}($projectId : ID!, $name: String!, $fileUrl: String!) {{\n            {field}(data: {{\n                projectId: $projectId\n                name: $name\n                fileUrl: $fileUrl\n            }}) {{{}}}\n        }}",
            import_fields()
        )
    }

    /// `getLabelImportPyApi` / `getModelAssistedLabelingPredictionImportPyApi` and the field
    /// they answer.
    fn get_document(self) -> (String, &'static str) {
        let (op, field) = match self {
            AnnotationImportKind::Labels => ("getLabelImportPyApi", "labelImport"),
            AnnotationImportKind::Predictions => (
                "getModelAssistedLabelingPredictionImportPyApi",
                "modelAssistedLabelingPredictionImport",
            ),
        };
        let document = format!(
            "query {op}($projectId : ID!, $name: String!) {{\n            {field}(\n                where: {{projectId: $projectId, name: $name}}){{\n                    {}\n                }}}}",
            import_fields()
        );
        (document, field)
    }
}

fn import_fields() -> String {
    format!("errorFileUrl inputFileUrl name progress state statusFileUrl id project{{{PROJECT_FIELDS}}}")
}

/// An import's state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportState {
    /// `RUNNING`
    Running,
    /// `FINISHED`: statuses and errors can be read.
    Finished,
    /// `FAILED`: the file could not be read; there are no statuses.
    Failed,
    /// A state this SDK does not know, as sent.
    Other(String),
}

impl ImportState {
    fn from_wire(s: &str) -> Self {
        match s {
            "RUNNING" => ImportState::Running,
            "FINISHED" => ImportState::Finished,
            "FAILED" => ImportState::Failed,
            other => ImportState::Other(other.to_owned()),
        }
    }

    /// The wire name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            ImportState::Running => "RUNNING",
            ImportState::Finished => "FINISHED",
            ImportState::Failed => "FAILED",
            ImportState::Other(s) => s,
        }
    }

    /// True once the import has ended (`FINISHED` or `FAILED`); unknown states keep a
    /// wait going.
    #[must_use]
    pub fn is_terminal(&self) -> bool {
        matches!(self, ImportState::Finished | ImportState::Failed)
    }
}

impl fmt::Display for ImportState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireImport {
    id: String,
    name: String,
    state: String,
    #[serde(default)]
    progress: Option<String>,
    #[serde(default)]
    input_file_url: Option<String>,
    #[serde(default)]
    error_file_url: Option<String>,
    #[serde(default)]
    status_file_url: Option<String>,
}

/// A label or prediction import of a project.
#[derive(Clone)]
pub struct AnnotationImport {
    client: Client,
    kind: AnnotationImportKind,
    project_id: String,
    wire: WireImport,
    state: ImportState,
}

impl fmt::Debug for AnnotationImport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnnotationImport")
            .field("id", &self.wire.id)
            .field("kind", &self.kind)
            .field("name", &self.wire.name)
            .field("project_id", &self.project_id)
            .field("state", &self.state)
            .field("progress", &self.wire.progress)
            .finish_non_exhaustive()
    }
}

impl AnnotationImport {
    fn new(client: Client, kind: AnnotationImportKind, project_id: &str, wire: WireImport) -> Self {
        AnnotationImport {
            state: ImportState::from_wire(&wire.state),
            client,
            kind,
            project_id: project_id.to_owned(),
            wire,
        }
    }

    /// Its id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.wire.id
    }

    /// Its name (unique per project: it is how the import is looked up).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.wire.name
    }

    /// Labels or predictions.
    #[must_use]
    pub fn kind(&self) -> AnnotationImportKind {
        self.kind
    }

    /// The project it imports into.
    #[must_use]
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// Its state when last read.
    #[must_use]
    pub fn state(&self) -> &ImportState {
        &self.state
    }

    /// Its progress when last read, e.g. `"40%"`.
    #[must_use]
    pub fn progress(&self) -> &str {
        self.wire.progress.as_deref().unwrap_or("")
    }

    /// The URL of the file it imports (served without the API key).
    #[must_use]
    pub fn input_file_url(&self) -> Option<&str> {
        self.wire.input_file_url.as_deref()
    }

    /// Reads the import again (by project and name, as the official SDK does).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when it is gone; otherwise a
    /// [request failure](crate::Error#request-failures).
    pub fn refresh(&mut self) -> Result<()> {
        self.refresh_until(None)
    }

    fn refresh_until(&mut self, deadline: Option<Instant>) -> Result<()> {
        let (document, field) = self.kind.get_document();
        let variables = json!({"projectId": self.project_id, "name": self.wire.name});
        let transport = self.client.transport();
        let mut data: serde_json::Map<String, serde_json::Value> = match deadline {
            Some(d) => transport.query_until(&document, variables, d),
            None => transport.query(&document, variables),
        }
        .map_err(|e| self.not_found_or(e))?;
        let wire = data
            .remove(field)
            .filter(|v| !v.is_null())
            .ok_or_else(|| self.not_found())?;
        let wire: WireImport =
            serde_json::from_value(wire).map_err(|e| Error::decode(format!("{field}: {e}"), ""))?;
        self.state = ImportState::from_wire(&wire.state);
        self.wire = wire;
        Ok(())
    }

    fn not_found(&self) -> Error {
        Error::NotFound {
            what: "annotation import".to_owned(),
            id: format!("{} in project {}", self.wire.name, self.project_id),
        }
    }

    fn not_found_or(&self, e: Error) -> Error {
        if e.is_not_found() {
            self.not_found()
        } else {
            e
        }
    }

    /// The wait of [`wait_till_done`](Self::wait_till_done): 1 hour, a poll every 10 s (the
    /// official SDK's sleep; it has no deadline).
    #[must_use]
    pub fn default_wait() -> WaitOptions {
        WaitOptions::default()
            .timeout(Duration::from_secs(3_600))
            .check_frequency(Duration::from_secs(10))
    }

    /// Waits until the import is `FINISHED` or `FAILED`, with [`default_wait`](Self::default_wait).
    ///
    /// # Errors
    ///
    /// As [`wait_with_progress`](Self::wait_with_progress).
    pub fn wait_till_done(&mut self) -> Result<ImportState> {
        self.wait_with(Self::default_wait())
    }

    /// Waits with these options.
    ///
    /// # Errors
    ///
    /// As [`wait_with_progress`](Self::wait_with_progress).
    pub fn wait_with(&mut self, options: WaitOptions) -> Result<ImportState> {
        self.wait_with_progress(options, |_| {})
    }

    /// Waits until the import ends, calling `on_poll` after every poll. The timeout is a
    /// deadline on the client's clock that counts request time: the last sleep is cut to it
    /// and one last poll made there; still `RUNNING` then is [`Error::ImportWaitTimedOut`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a check frequency below the client's minimum (nothing
    /// sent); [`Error::ImportWaitTimedOut`]; a [request failure](crate::Error#request-failures)
    /// of a poll that could not be retried before the deadline.
    pub fn wait_with_progress(
        &mut self,
        options: WaitOptions,
        mut on_poll: impl FnMut(&AnnotationImport),
    ) -> Result<ImportState> {
        let every = options.check_frequency_value();
        let floor = self.client.min_check_frequency();
        if every < floor || every.is_zero() {
            return Err(Error::invalid_input(
                "check_frequency",
                format!(
                    "{} is below the minimum of {}",
                    humantime::format_duration(every),
                    humantime::format_duration(floor)
                ),
            ));
        }
        let clock = self.client.transport().clock().clone();
        let start = clock.now();
        let deadline = start.checked_add(options.timeout_value());
        let mut polls: u32 = 0;
        loop {
            if self.state.is_terminal() {
                return Ok(self.state.clone());
            }
            let now = clock.now();
            let remaining = deadline.map_or(every, |d| d.saturating_duration_since(now));
            if remaining.is_zero() && polls > 0 {
                return Err(Error::ImportWaitTimedOut {
                    import_id: self.wire.id.clone(),
                    name: self.wire.name.clone(),
                    progress: self.progress().to_owned(),
                    waited: now.saturating_duration_since(start),
                    polls,
                });
            }
            let nap = every.min(remaining);
            log::debug!(
                "import {} is {}; next poll in {nap:?}",
                self.wire.id,
                self.state
            );
            if !nap.is_zero() {
                clock.sleep(nap);
            }
            self.refresh_until(deadline)?;
            polls = polls.saturating_add(1);
            on_poll(self);
        }
    }

    /// Every annotation's status (`SUCCESS` or `FAILURE` with its errors), streamed from the
    /// status file line by line. Call after the import is `FINISHED` (this does not wait,
    /// unlike the official SDK's property).
    ///
    /// # Errors
    ///
    /// [`Error::ImportNotReadable`] while it runs or once it failed (nothing sent); a
    /// [request failure](crate::Error#request-failures) of the download.
    pub fn statuses(&self) -> Result<AnnotationStatuses> {
        self.open_file(self.wire.status_file_url.as_deref(), "statuses")
    }

    /// The statuses of the annotations that failed, streamed from the error file.
    ///
    /// # Errors
    ///
    /// As [`statuses`](Self::statuses).
    pub fn errors(&self) -> Result<AnnotationStatuses> {
        self.open_file(self.wire.error_file_url.as_deref(), "errors")
    }

    fn open_file(&self, url: Option<&str>, what: &str) -> Result<AnnotationStatuses> {
        if self.state != ImportState::Finished {
            return Err(Error::ImportNotReadable {
                import_id: self.wire.id.clone(),
                state: self.state.to_string(),
            });
        }
        let Some(url) = url else {
            return Ok(AnnotationStatuses::empty(what));
        };
        let body = self.client.transport().download(url)?;
        Ok(AnnotationStatuses::new(body, what))
    }
}

/// Where an import's annotations come from.
enum Source<'a, I> {
    Rows(I),
    File(&'a Path),
}

impl Project {
    /// Imports these annotations as labels (the official SDK's
    /// `LabelImport.create_from_objects`). The rows are read twice, from clones of `rows`:
    /// once to check them and measure the file, once to stream it into the request; only a
    /// line is held in memory.
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// use std::time::Duration;
    /// use labelbox::{
    ///     Annotation, AnnotationDataRow, Client, DataRowIdentifiers, DataRowSpec, ImportState,
    ///     MediaType, NormalizedOntology, OntologyClassification, RowData, WaitOptions,
    /// };
    ///
    /// let client = Client::from_env()?;
    /// let dataset = client.create_dataset("pets")?;
    /// let specs = [DataRowSpec::new(RowData::url("https://example.com/cat.jpg")).global_key("cat")];
    /// dataset.create_data_rows(&specs)?.wait_till_done()?;
    /// let project = client.create_project("pets", MediaType::Image)?;
    /// project.create_batch("all", DataRowIdentifiers::global_keys(["cat"]), 3)?;
    /// let ontology = NormalizedOntology::new()
    ///     .classification(OntologyClassification::radio("mood", ["calm", "playful"]));
    /// project.connect_ontology(&client.create_ontology("pets", &ontology, None)?)?;
    ///
    /// let cat = AnnotationDataRow::GlobalKey("cat".into());
    /// let labels = [Annotation::radio("mood", cat, "calm")];
    /// let mut import = project.import_labels("moods", &labels)?;
    /// let wait = WaitOptions::default().timeout(Duration::from_secs(60));
    /// assert_eq!(import.wait_with(wait)?, ImportState::Finished);
    /// for status in import.statuses()? {
    ///     assert!(status?.is_success());
    /// }
    /// assert_eq!(project.label_count()?, 1);
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] (nothing sent) for an empty name, no rows, a row without a
    /// name or schema id, an empty uuid or data row, or more than 5,000 annotations of a
    /// feature on a row; [`Error::NotFound`] when the project is gone; otherwise a
    /// [request failure](crate::Error#request-failures) (a mutation, never sent twice).
    pub fn import_labels<I>(&self, name: &str, rows: I) -> Result<AnnotationImport>
    where
        I: IntoIterator + Clone,
        I::Item: Borrow<Annotation>,
    {
        self.import_annotations(AnnotationImportKind::Labels, name, Source::Rows(rows))
    }

    /// Imports these annotations as MAL predictions (`MALPredictionImport.create_from_objects`).
    ///
    /// # Errors
    ///
    /// As [`import_labels`](Self::import_labels).
    pub fn import_predictions<I>(&self, name: &str, rows: I) -> Result<AnnotationImport>
    where
        I: IntoIterator + Clone,
        I::Item: Borrow<Annotation>,
    {
        self.import_annotations(AnnotationImportKind::Predictions, name, Source::Rows(rows))
    }

    /// Imports an NDJSON file of annotations, streamed from disk (`create_from_file`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty name or a file that cannot be opened (nothing
    /// sent); otherwise as [`import_labels`](Self::import_labels).
    pub fn import_annotations_file(
        &self,
        kind: AnnotationImportKind,
        name: &str,
        path: &Path,
    ) -> Result<AnnotationImport> {
        self.import_annotations::<[&Annotation; 0]>(kind, name, Source::File(path))
    }

    /// Imports the NDJSON file at `url`, which the service fetches (`create_from_url`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty name or a URL that is not http(s) (nothing sent);
    /// otherwise a [request failure](crate::Error#request-failures).
    pub fn import_annotations_url(
        &self,
        kind: AnnotationImportKind,
        name: &str,
        url: &str,
    ) -> Result<AnnotationImport> {
        check_name(name)?;
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(Error::invalid_input("url", "an http(s) URL is needed"));
        }
        let variables = json!({"fileUrl": url, "projectId": self.id(), "name": name});
        let data: serde_json::Map<String, serde_json::Value> = self
            .client()
            .transport()
            .mutate(&kind.url_document(), variables)
            .map_err(|e| self.not_found_or(e))?;
        self.started(kind, data)
    }

    /// The import of this kind named `name` (its latest, names being reusable).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when there is none; otherwise a
    /// [request failure](crate::Error#request-failures).
    pub fn get_annotation_import(
        &self,
        kind: AnnotationImportKind,
        name: &str,
    ) -> Result<AnnotationImport> {
        let wire = WireImport {
            id: String::new(),
            name: name.to_owned(),
            state: String::new(),
            progress: None,
            input_file_url: None,
            error_file_url: None,
            status_file_url: None,
        };
        let mut import = AnnotationImport::new(self.client().clone(), kind, self.id(), wire);
        import.refresh()?;
        Ok(import)
    }

    fn import_annotations<I>(
        &self,
        kind: AnnotationImportKind,
        name: &str,
        source: Source<'_, I>,
    ) -> Result<AnnotationImport>
    where
        I: IntoIterator + Clone,
        I::Item: Borrow<Annotation>,
    {
        check_name(name)?;
        let file_name = format!("{}__{name}.ndjson", self.id());
        let operations = |len: u64| {
            json!({
                "query": kind.file_document(),
                "variables": {"file": null, "contentLength": len, "projectId": self.id(), "name": name},
            })
        };
        let transport = self.client().transport();
        let data: serde_json::Map<String, serde_json::Value> = match source {
            Source::Rows(rows) => {
                let (len, _) = check_and_measure(rows.clone())?;
                let file = MultipartFile {
                    name: &file_name,
                    content_type: "application/x-ndjson",
                    len,
                };
                let mut open = || -> Result<Box<dyn Read + '_>> {
                    Ok(Box::new(NdjsonReader::new(rows.clone().into_iter())))
                };
                transport.mutate_with_file(&operations(len), file, &mut open)
            }
            Source::File(path) => {
                let unreadable = |e: std::io::Error| {
                    Error::invalid_input("path", format!("{}: {e}", path.display()))
                };
                let len = std::fs::metadata(path).map_err(unreadable)?.len();
                if len == 0 {
                    return Err(Error::invalid_input("path", "the file is empty"));
                }
                let file = MultipartFile {
                    name: &file_name,
                    content_type: "application/x-ndjson",
                    len,
                };
                let mut open = || -> Result<Box<dyn Read + '_>> {
                    let f = File::open(path).map_err(unreadable)?;
                    Ok(Box::new(BufReader::new(f)))
                };
                transport.mutate_with_file(&operations(len), file, &mut open)
            }
        }
        .map_err(|e| self.not_found_or(e))?;
        self.started(kind, data)
    }

    fn started(
        &self,
        kind: AnnotationImportKind,
        mut data: serde_json::Map<String, serde_json::Value>,
    ) -> Result<AnnotationImport> {
        let field = kind.mutation_field();
        let wire = data
            .remove(field)
            .filter(|v| !v.is_null())
            .ok_or_else(|| Error::decode(format!("{field} answered null"), ""))?;
        let wire: WireImport =
            serde_json::from_value(wire).map_err(|e| Error::decode(format!("{field}: {e}"), ""))?;
        Ok(AnnotationImport::new(
            self.client().clone(),
            kind,
            self.id(),
            wire,
        ))
    }
}

fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid_input("name", "an import needs a name"));
    }
    Ok(())
}
