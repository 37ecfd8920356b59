//! What an export includes ([`ExportOptions`]), which rows it covers ([`ExportSelection`]),
//! and the `exportDataRowsInCatalog` mutation that starts it (PROTOCOL 3.9).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::export::task::ExportTask;
use crate::import::data_row::MediaType;
use crate::Client;

/// The most data row ids, or global keys, one export may select (the official SDK's
/// `SEARCH_LIMIT_PER_EXPORT_V2`).
pub const MAX_EXPORT_IDS: usize = 2_000;

/// The most project ids, or model-run ids, one export may name (the official SDK's
/// `EXPORT_LIMIT`).
pub const MAX_EXPORT_SCOPE_IDS: usize = 30;

const CREATE_EXPORT: &str = "mutation exportDataRowsInCatalogPyApi($input: ExportDataRowsInCatalogInput!){exportDataRowsInCatalog(input: $input){taskId isStreamable}}";

/// What each exported line includes, and the export task's name: the official SDK's
/// `CatalogExportParams` as a builder. Every `include_*` flag is off by default, as there.
///
/// Naming: the by-value setters own the plain names (`task_name`), as in every builder of this
/// crate; what was set reads back through the same name with `_value` (`task_name_value`).
///
/// ```
/// use labelbox::{ExportOptions, MediaType};
/// let options = ExportOptions::new()
///     .include_attachments(true)
///     .include_metadata(true)
///     .include_data_row_details(true)
///     .media_type_override(MediaType::Image)
///     .task_name("nightly export");
/// assert_eq!(options.task_name_value(), Some("nightly export"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportOptions {
    task_name: Option<String>,
    attachments: bool,
    embeddings: bool,
    metadata: bool,
    data_row_details: bool,
    project_details: bool,
    performance_details: bool,
    label_details: bool,
    interpolated_frames: bool,
    predictions: bool,
    media_type_override: Option<MediaType>,
    project_ids: Option<Vec<String>>,
    model_run_ids: Option<Vec<String>>,
    all_projects: bool,
    all_model_runs: bool,
}

/// By-value `bool` setters of include flags, shared by every export's options type.
macro_rules! include_flags {
    ($($(#[$doc:meta])* $method:ident => $field:ident;)*) => {
        $(
            $(#[$doc])*
            #[must_use]
            pub fn $method(mut self, on: bool) -> Self {
                self.$field = on;
                self
            }
        )*
    };
}
pub(crate) use include_flags;

/// The setters every export's options type has: `task_name` (documented by the attributes
/// given: what the task is named by default), `task_name_value` and `media_type_override`.
macro_rules! task_and_media_setters {
    ($(#[$doc:meta])*) => {
        $(#[$doc])*
        #[must_use]
        pub fn task_name(mut self, name: impl Into<String>) -> Self {
            self.task_name = Some(name.into());
            self
        }

        /// The name set with [`task_name`](Self::task_name), if any.
        #[must_use]
        pub fn task_name_value(&self) -> Option<&str> {
            self.task_name.as_deref()
        }

        /// `mediaTypeOverride`: export every row as this media type.
        #[must_use]
        pub fn media_type_override(mut self, media_type: $crate::MediaType) -> Self {
            self.media_type_override = Some(media_type);
            self
        }
    };
}
pub(crate) use task_and_media_setters;

/// The part an `--include` name stands for (aliases folded into the name the lists show), or
/// [`Error::InvalidInput`] naming the `known` parts when it is not one of them.
pub(crate) fn include_part(name: &str, known: &[&'static str]) -> Result<&'static str> {
    let name = match name.trim() {
        "metadata-fields" => "metadata",
        "data-row-details" => "details",
        other => other,
    };
    known.iter().copied().find(|k| *k == name).ok_or_else(|| {
        Error::invalid_input(
            "include",
            format!("unknown part {name:?}; known: {}", known.join(", ")),
        )
    })
}

impl ExportOptions {
    /// Every flag off, no override, the official SDK's default task name.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    task_and_media_setters! {
        /// The task's name. Default, as the official SDK: `Export v2: dataset - <dataset name>`
        /// for a dataset, `Export v2: data rows <number of ids>` for a selection.
    }

    include_flags! {
        /// `includeAttachments`: each row's attachments.
        include_attachments => attachments;
        /// `includeEmbeddings`: each row's embeddings.
        include_embeddings => embeddings;
        /// `includeMetadata`: each row's metadata fields.
        include_metadata => metadata;
        /// `includeDataRowDetails`: each row's `details` (dataset, creation time...).
        include_data_row_details => data_row_details;
        /// `includeProjectDetails`: the projects a row is in.
        include_project_details => project_details;
        /// `includePerformanceDetails`: labelling performance.
        include_performance_details => performance_details;
        /// `includeLabelDetails`: label details.
        include_label_details => label_details;
        /// `includeInterpolatedFrames`: interpolated video frames.
        include_interpolated_frames => interpolated_frames;
        /// `includePredictions`: model-run predictions. Only a dataset export sends it (the
        /// official SDK's data-row export has no such parameter).
        include_predictions => predictions;
        /// `allProjects`: details of every project, not just `project_ids`.
        all_projects => all_projects;
        /// `allModelRuns`: details of every model run, not just `model_run_ids`.
        all_model_runs => all_model_runs;
    }

    /// `projectIds`: the projects whose details to include (at most 30).
    #[must_use]
    pub fn project_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.project_ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// `modelRunIds`: the model runs whose details to include (at most 30).
    #[must_use]
    pub fn model_run_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.model_run_ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// Every flag by its `--include` name, for command lines and configuration files:
    /// `attachments`, `embeddings`, `metadata`, `details`, `project-details`,
    /// `performance-details`, `label-details`, `interpolated-frames`, `predictions`,
    /// `all-projects`, `all-model-runs`. An unknown name is [`Error::InvalidInput`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a name not in [`INCLUDE_NAMES`].
    ///
    /// ```
    /// let options = labelbox::ExportOptions::new().include("metadata")?.include("details")?;
    /// assert!(options.clone().include("everything").is_err());
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    pub fn include(self, name: &str) -> Result<Self> {
        Ok(match include_part(name, &INCLUDE_NAMES)? {
            "attachments" => self.include_attachments(true),
            "embeddings" => self.include_embeddings(true),
            "metadata" => self.include_metadata(true),
            "details" => self.include_data_row_details(true),
            "project-details" => self.include_project_details(true),
            "performance-details" => self.include_performance_details(true),
            "label-details" => self.include_label_details(true),
            "interpolated-frames" => self.include_interpolated_frames(true),
            "predictions" => self.include_predictions(true),
            "all-projects" => self.all_projects(true),
            _ => self.all_model_runs(true),
        })
    }

    /// The `params` input, key for key as the official SDK sends it (`includePredictions`
    /// only for dataset exports, as there).
    fn params(&self, with_predictions: bool) -> Result<Value> {
        check_scope_ids("project_ids", self.project_ids.as_deref())?;
        check_scope_ids("model_run_ids", self.model_run_ids.as_deref())?;
        let mut params = json!({
            "mediaTypeOverride": self.media_type_override.map(MediaType::as_str),
            "includeAttachments": self.attachments,
            "includeEmbeddings": self.embeddings,
            "includeMetadata": self.metadata,
            "includeDataRowDetails": self.data_row_details,
            "includeProjectDetails": self.project_details,
            "includePerformanceDetails": self.performance_details,
            "includeLabelDetails": self.label_details,
            "includeInterpolatedFrames": self.interpolated_frames,
            "projectIds": self.project_ids,
            "modelRunIds": self.model_run_ids,
            "allProjects": self.all_projects,
            "allModelRuns": self.all_model_runs,
        });
        if with_predictions {
            params["includePredictions"] = Value::Bool(self.predictions);
        } else if self.predictions {
            return Err(Error::invalid_input(
                "include_predictions",
                "a data-row export cannot include predictions (the service's data-row export \
                 has no such parameter); export the dataset instead",
            ));
        }
        Ok(params)
    }
}

/// The `--include` names [`ExportOptions::include`] knows.
pub const INCLUDE_NAMES: [&str; 11] = [
    "attachments",
    "embeddings",
    "metadata",
    "details",
    "project-details",
    "performance-details",
    "label-details",
    "interpolated-frames",
    "predictions",
    "all-projects",
    "all-model-runs",
];

fn check_scope_ids(field: &str, ids: Option<&[String]>) -> Result<()> {
    match ids {
        Some(ids) if ids.len() > MAX_EXPORT_SCOPE_IDS => Err(Error::invalid_input(
            field,
            format!("at most {MAX_EXPORT_SCOPE_IDS} ids, got {}", ids.len()),
        )),
        _ => Ok(()),
    }
}

/// Which data rows [`Client::export_data_rows`] exports: by data row id or by global key
/// (one kind per export, at most 2,000 ids, as the official SDK's `DataRow.export`), with the
/// [`ExportOptions`] to apply.
///
/// ```
/// use labelbox::{ExportOptions, ExportSelection};
/// let by_keys = ExportSelection::global_keys(["cat", "dog"])
///     .options(ExportOptions::new().include_metadata(true));
/// assert_eq!(by_keys.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSelection {
    kind: SelectionKind,
    ids: Vec<String>,
    options: ExportOptions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SelectionKind {
    DataRowIds,
    GlobalKeys,
}

impl SelectionKind {
    /// The search-query `type` and the name of the parameter in errors.
    fn wire(self) -> (&'static str, &'static str) {
        match self {
            SelectionKind::DataRowIds => ("data_row_id", "data_row_ids"),
            SelectionKind::GlobalKeys => ("global_key", "global_keys"),
        }
    }
}

impl ExportSelection {
    /// The data rows with these ids.
    #[must_use]
    pub fn data_row_ids<I, S>(ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::new(SelectionKind::DataRowIds, ids)
    }

    /// The data rows with these global keys.
    #[must_use]
    pub fn global_keys<I, S>(keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::new(SelectionKind::GlobalKeys, keys)
    }

    fn new<I, S>(kind: SelectionKind, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ExportSelection {
            kind,
            ids: ids.into_iter().map(Into::into).collect(),
            options: ExportOptions::default(),
        }
    }

    /// What to include and the task's name.
    #[must_use]
    pub fn options(mut self, options: ExportOptions) -> Self {
        self.options = options;
        self
    }

    /// How many ids or keys are selected.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when nothing is selected (refused by [`Client::export_data_rows`]).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The search-query clause, after the official SDK's checks (non-empty, at most 2,000).
    fn clause(&self) -> Result<Value> {
        let (search_type, field) = self.kind.wire();
        if self.ids.is_empty() {
            return Err(Error::invalid_input(field, "select at least one"));
        }
        if self.ids.len() > MAX_EXPORT_IDS {
            return Err(Error::invalid_input(
                field,
                format!(
                    "one export selects at most {MAX_EXPORT_IDS}, got {}; split the selection",
                    self.ids.len()
                ),
            ));
        }
        if let Some(i) = self.ids.iter().position(|id| id.trim().is_empty()) {
            return Err(Error::invalid_input(field, format!("entry {i} is empty")));
        }
        Ok(json!({"ids": self.ids, "operator": "is", "type": search_type}))
    }

    /// The official SDK's default name counts data row ids only (0 for global keys).
    fn default_task_name(&self) -> String {
        let ids = match self.kind {
            SelectionKind::DataRowIds => self.ids.len(),
            SelectionKind::GlobalKeys => 0,
        };
        format!("Export v2: data rows {ids}")
    }
}

impl Client {
    /// Starts a streamable export of the selected data rows (`exportDataRowsInCatalog`, as the
    /// official SDK's `DataRow.export`) and returns its task, fetched once.
    ///
    /// Checked before anything is sent ([`Error::InvalidInput`]): an empty selection, more
    /// than 2,000 ids or keys, an empty id, more than 30 project or model-run ids, predictions
    /// asked for. The mutation is never re-sent after a failure that may have reached the
    /// service (the error then says so).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] before anything is sent: an empty selection or an empty entry, more than
    /// [`MAX_EXPORT_IDS`] ids or keys, more than [`MAX_EXPORT_SCOPE_IDS`] project or model-run
    /// ids; otherwise a [request failure](crate::Error#request-failures) of the mutation or of
    /// fetching the task.
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
    /// use labelbox::{Client, ExportSelection, StreamType};
    ///
    /// let client = Client::from_env()?;
    /// let mut export = client.export_data_rows(ExportSelection::global_keys(["cat", "dog"]))?;
    /// export.wait_till_done()?;
    /// for row in export.stream(StreamType::Result)? {
    ///     println!("{}", row?);
    /// }
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    pub fn export_data_rows(&self, selection: ExportSelection) -> Result<ExportTask> {
        let query = vec![selection.clause()?];
        let params = selection.options.params(false)?;
        let name = selection
            .options
            .task_name
            .clone()
            .unwrap_or_else(|| selection.default_task_name());
        start_export(self, &name, query, params)
    }
}

impl Dataset {
    /// Starts a streamable export of every data row of this dataset (`exportDataRowsInCatalog`
    /// with a dataset search query, as the official SDK's `Dataset.export`) and returns its
    /// task, fetched once. The default task name is `Export v2: dataset - <name>`.
    ///
    /// Checked before anything is sent: more than 30 project or model-run ids
    /// ([`Error::InvalidInput`]). The mutation is never re-sent after a failure that may have
    /// reached the service.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for more than [`MAX_EXPORT_SCOPE_IDS`] project or model-run ids
    /// (nothing is sent); otherwise a [request failure](crate::Error#request-failures) of the
    /// mutation or of fetching the task.
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
    /// use labelbox::{Client, ExportOptions, StreamType};
    ///
    /// let client = Client::from_env()?;
    /// let dataset = client.get_dataset(dataset_id)?;
    /// let mut export = dataset.export(ExportOptions::new().include_metadata(true))?;
    /// export.wait_till_done()?;
    /// println!("{:?} rows", export.total_lines(StreamType::Result)?);
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    pub fn export(&self, options: ExportOptions) -> Result<ExportTask> {
        self.export_with_filter(None, &options)
    }

    /// Starts a streamable export of the selected rows of this dataset: the official SDK's
    /// `Dataset.export(filters={"data_row_ids": [...]})` (or `global_keys`), i.e. the
    /// selection's search clause and this dataset's. The selection's options apply, and its
    /// checks ([`Client::export_data_rows`]); the default task name is the dataset's.
    ///
    /// # Errors
    ///
    /// As [`Client::export_data_rows`].
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
    /// use labelbox::{Client, ExportSelection};
    ///
    /// let client = Client::from_env()?;
    /// let dataset = client.get_dataset(dataset_id)?;
    /// let mut export = dataset.export_selected(ExportSelection::global_keys(["cat"]))?;
    /// export.wait_till_done()?;
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    pub fn export_selected(&self, selection: ExportSelection) -> Result<ExportTask> {
        self.export_with_filter(Some(selection.clause()?), &selection.options)
    }

    fn export_with_filter(
        &self,
        filter: Option<Value>,
        options: &ExportOptions,
    ) -> Result<ExportTask> {
        let params = options.params(true)?;
        let dataset = json!({"ids": [self.id()], "operator": "is", "type": "dataset"});
        let query = filter.into_iter().chain([dataset]).collect();
        let name = options
            .task_name
            .clone()
            .unwrap_or_else(|| format!("Export v2: dataset - {}", self.name()));
        start_export(self.client(), &name, query, params)
    }
}

/// Sends the mutation once, then reads the task it started (PROTOCOL 3.2).
fn start_export(
    client: &Client,
    task_name: &str,
    query: Vec<Value>,
    params: Value,
) -> Result<ExportTask> {
    let input = json!({
        "taskName": task_name,
        "filters": {"searchQuery": {"scope": null, "query": query}},
        "isStreamableReady": true,
        "params": params,
        "streamable": true,
    });
    start_streamable(
        client,
        CREATE_EXPORT,
        "exportDataRowsInCatalog",
        input,
        |e| e,
    )
}

/// Sends an export's mutation (`document`, answering `field { taskId isStreamable }`) once
/// with `input`, then reads the task it started (PROTOCOL 3.2). Catalog, project and
/// model-run exports all start this way; `named` turns the mutation's failures into the
/// caller's terms (a "not found" naming its project or model run).
pub(crate) fn start_streamable(
    client: &Client,
    document: &str,
    field: &str,
    input: Value,
    named: impl FnOnce(Error) -> Error,
) -> Result<ExportTask> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Started {
        task_id: String,
    }
    let mut data: HashMap<String, Option<Started>> = client
        .transport()
        .mutate(document, json!({"input": input}))
        .map_err(named)?;
    let started = data
        .remove(field)
        .flatten()
        .ok_or_else(|| Error::decode(format!("{field} answered null"), ""))?;
    // The export runs even if this lookup fails: say which task it was before giving up.
    client.get_export_task(&started.task_id).inspect_err(|e| {
        log::warn!(
            "export task {} was started, but reading it failed: {e}",
            started.task_id
        )
    })
}
