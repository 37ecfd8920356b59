//! [`ModelRun::export`]: the `exportDataRowsInModelRun` mutation of the official SDK's
//! `ModelRun.export` (streamable), with its parameters ([`ModelRunExportOptions`], the
//! official `ModelRunExportParams` as `_export` sends them). Each exported line carries the
//! run's `experiments` part; read it from `Value` rows
//! ([`ExportTask::stream`](crate::ExportTask::stream)).

use serde_json::{json, Value};

use crate::error::Result;
use crate::export::options::{
    include_flags, include_part, start_streamable, task_and_media_setters,
};
use crate::export::task::ExportTask;
use crate::import::data_row::MediaType;
use crate::model::not_found_or;
use crate::model::run::ModelRun;

const CREATE_MODEL_RUN_EXPORT: &str = "mutation exportDataRowsInModelRunPyApi($input: ExportDataRowsInModelRunInput!){exportDataRowsInModelRun(input: $input){taskId isStreamable}}";

/// What a model-run export includes (the official SDK's `ModelRunExportParams`, the keys its
/// `ModelRun.export` sends: `includeInterpolatedFrames` and the project parts are not among
/// them, so they cannot be asked for here). Every part is off by default.
///
/// ```
/// use labelbox::{MediaType, ModelRunExportOptions};
/// let options = ModelRunExportOptions::new()
///     .include_predictions(true)
///     .include_model_run_details(true)
///     .media_type_override(MediaType::Image)
///     .task_name("experiment 4");
/// assert_eq!(options.task_name_value(), Some("experiment 4"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelRunExportOptions {
    task_name: Option<String>,
    attachments: bool,
    embeddings: bool,
    metadata: bool,
    data_row_details: bool,
    predictions: bool,
    model_run_details: bool,
    media_type_override: Option<MediaType>,
}

/// The part names [`ModelRunExportOptions::include`] knows.
pub const MODEL_RUN_INCLUDE_NAMES: [&str; 6] = [
    "attachments",
    "embeddings",
    "metadata",
    "details",
    "predictions",
    "model-run-details",
];

impl ModelRunExportOptions {
    /// Nothing included; the task gets no name (as in the official SDK).
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
        /// `includePredictions`: the run's predictions in its `experiments` part.
        include_predictions => predictions;
        /// `includeModelRunDetails`: the run's split, labels and details.
        include_model_run_details => model_run_details;
    }

    /// Turns on a part by its CLI name (see [`MODEL_RUN_INCLUDE_NAMES`]; `metadata-fields`
    /// and `data-row-details` are accepted too).
    ///
    /// ```
    /// let options = labelbox::ModelRunExportOptions::new().include("predictions")?;
    /// assert!(options.include("label-details").is_err());
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) naming the known parts for any
    /// other name.
    pub fn include(self, name: &str) -> Result<Self> {
        Ok(match include_part(name, &MODEL_RUN_INCLUDE_NAMES)? {
            "attachments" => self.include_attachments(true),
            "embeddings" => self.include_embeddings(true),
            "metadata" => self.include_metadata(true),
            "details" => self.include_data_row_details(true),
            "predictions" => self.include_predictions(true),
            _ => self.include_model_run_details(true),
        })
    }

    /// The `params` input, key for key as the official SDK's `_export` sends it.
    fn params(&self) -> Value {
        json!({
            "mediaTypeOverride": self.media_type_override.map(MediaType::as_str),
            "includeAttachments": self.attachments,
            "includeEmbeddings": self.embeddings,
            "includeMetadata": self.metadata,
            "includeDataRowDetails": self.data_row_details,
            "includePredictions": self.predictions,
            "includeModelRunDetails": self.model_run_details,
        })
    }
}

impl ModelRun {
    /// Starts a streamable export of the run's data rows (`exportDataRowsInModelRun`, sent
    /// once) and returns its [`ExportTask`]: wait, then stream it like any export.
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
    /// # let run = labelbox::Client::from_env()?.get_model_run(run_id)?;
    /// # run.upsert_data_rows(&labelbox::DataRowIdentifiers::ids(row_ids.clone()))?.wait_till_done()?;
    /// use labelbox::{Client, ModelRunExportOptions, StreamType};
    ///
    /// let client = Client::from_env()?;
    /// let run = client.get_model_run(run_id)?;
    /// let mut export = run.export(ModelRunExportOptions::new().include_predictions(true))?;
    /// export.wait_till_done()?;
    /// for row in export.stream(StreamType::Result)? {
    ///     let row = row?;
    ///     println!("{} {}", row["data_row"]["id"], row["experiments"]);
    /// }
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) naming the run when the service does not
    /// know it; otherwise a [request failure](crate::Error#request-failures) of the mutation
    /// or of reading the task it started.
    pub fn export(&self, options: ModelRunExportOptions) -> Result<ExportTask> {
        let input = json!({
            "taskName": options.task_name,
            "filters": {"modelRunId": self.id()},
            "isStreamableReady": true,
            "params": options.params(),
            "streamable": true,
        });
        start_streamable(
            self.client(),
            CREATE_MODEL_RUN_EXPORT,
            "exportDataRowsInModelRun",
            input,
            |e| not_found_or("model run", self.id(), e),
        )
    }
}
