//! [`Dataset`]: getting and creating datasets (PROTOCOL 3.5), and importing data rows into
//! them (3.6).

use std::borrow::Borrow;
use std::fmt;
use std::time::SystemTime;

use serde::Deserialize;
use serde_json::json;

use crate::error::{Error, Result};
use crate::import::data_row::{DataRowSpec, UpsertItem};
use crate::import::upload::{import, ImportOptions};
use crate::import::upsert_task::DataUpsertTask;
use crate::task::parse_timestamp;
use crate::Client;

const DATASET_FIELDS: &str = "createdAt description name rowCount id updatedAt";

/// A dataset: a collection of data rows. It keeps its [`Client`], so it can import rows.
///
/// ```
/// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
/// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
/// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
/// use labelbox::{Client, DataRowSpec, RowData, TaskStatus};
///
/// let client = Client::from_env()?;
/// let dataset = client.create_dataset("pets")?;
/// let specs = vec![
///     DataRowSpec::new(RowData::url("https://example.com/cat.jpg")).global_key("cat"),
///     DataRowSpec::new(RowData::url("https://example.com/dog.jpg")).global_key("dog"),
/// ];
/// let mut task = dataset.create_data_rows(&specs)?;
/// assert_eq!(task.wait_till_done()?, TaskStatus::Complete);
/// for row in task.results()? {
///     let row = row?;
///     println!("{} {:?}", row.id(), row.global_key());
/// }
/// for failed in task.failed_data_rows()? {
///     println!("{:?} failed: {}", failed.global_key, failed.message);
/// }
/// # Ok::<_, labelbox::Error>(())
/// ```
#[derive(Clone)]
pub struct Dataset {
    client: Client,
    id: String,
    name: String,
    description: Option<String>,
    row_count: u64,
    created_at: SystemTime,
    updated_at: SystemTime,
}

impl fmt::Debug for Dataset {
    // The client is left out: nothing of it helps to identify a dataset.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dataset")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("description", &self.description)
            .field("row_count", &self.row_count)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireDataset {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    row_count: Option<u64>,
    created_at: String,
    updated_at: String,
}

/// A missing dataset field is "not found", per PROTOCOL 3.5.
#[derive(Deserialize)]
struct GetAnswer {
    dataset: Option<WireDataset>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateAnswer {
    create_dataset: Option<WireDataset>,
}

impl Client {
    /// The dataset with this id; [`Error::NotFound`] when there is none (or it is not
    /// visible to this key).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] naming the id when there is no such dataset (or it is not visible to
    /// this key); otherwise a [request failure](crate::Error#request-failures).
    pub fn get_dataset(&self, id: &str) -> Result<Dataset> {
        let document = format!(
            "query GetDatasetPyApi($param_0: ID!) {{ dataset(where: {{id: $param_0}}) {{ {DATASET_FIELDS} }} }}"
        );
        let not_found = || Error::NotFound {
            what: "dataset".to_owned(),
            id: id.to_owned(),
        };
        let answer: GetAnswer = match self.transport().query(&document, json!({"param_0": id})) {
            Ok(answer) => answer,
            Err(e) if e.is_not_found() => return Err(not_found()),
            Err(e) => return Err(e),
        };
        let wire = answer.dataset.ok_or_else(not_found)?;
        Dataset::from_wire(self.clone(), wire)
    }

    /// Creates a dataset named `name`.
    ///
    /// A mutation: after an ambiguous failure it is not sent again (the error says it may have
    /// been carried out), so a dataset is never created twice by the SDK.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty name (nothing is sent); [`Error::Decode`] when the
    /// service answers no dataset; otherwise a [request failure](crate::Error#request-failures)
    /// of the mutation, whose [`may_have_been_processed`](Error::may_have_been_processed) says
    /// whether the dataset may exist.
    pub fn create_dataset(&self, name: &str) -> Result<Dataset> {
        if name.trim().is_empty() {
            return Err(Error::invalid_input(
                "name",
                "a dataset name cannot be empty",
            ));
        }
        let document = format!(
            "mutation CreateDatasetPyApi($name: String!) {{ createDataset(data: {{name: $name}}) {{ {DATASET_FIELDS} }} }}"
        );
        let answer: CreateAnswer = self.transport().mutate(&document, json!({"name": name}))?;
        let wire = answer
            .create_dataset
            .ok_or_else(|| Error::decode("createDataset answered null", ""))?;
        Dataset::from_wire(self.clone(), wire)
    }
}

/// Datasets asked per page, like the official SDK.
const DATASET_PAGE_SIZE: usize = 100;

/// The lazy iterator of [`Client::datasets`] and [`Client::datasets_named`]: one request per
/// page of 100, made when the previous page is used up; a short page ends it. A failed request
/// is yielded once, then the iterator ends.
#[derive(Debug)]
#[must_use = "iterators are lazy: nothing is fetched until it is used"]
pub struct Datasets {
    client: Client,
    name: Option<String>,
    skip: usize,
    page: std::vec::IntoIter<WireDataset>,
    done: bool,
}

#[derive(Deserialize)]
struct ListAnswer {
    datasets: Option<Vec<WireDataset>>,
}

impl Datasets {
    /// The query of the official SDK's `get_datasets`: not deleted, and maybe with this name.
    fn fetch_page(&self) -> Result<Vec<WireDataset>> {
        let (skip, first) = (self.skip, DATASET_PAGE_SIZE);
        let (document, variables) = match &self.name {
            None => (
                format!(
                    "query GetDatasetsPyApi($param_0: Boolean!){{datasets(where: {{deleted: $param_0}} skip: {skip} first: {first}){{{DATASET_FIELDS}}}}}"
                ),
                json!({"param_0": false}),
            ),
            Some(name) => (
                format!(
                    "query GetDatasetsPyApi($param_0: String!, $param_1: Boolean!){{datasets(where: {{AND: [{{name: $param_0}}, {{deleted: $param_1}}]}} skip: {skip} first: {first}){{{DATASET_FIELDS}}}}}"
                ),
                json!({"param_0": name, "param_1": false}),
            ),
        };
        let answer: ListAnswer = self.client.transport().query(&document, variables)?;
        Ok(answer.datasets.unwrap_or_default())
    }
}

impl Iterator for Datasets {
    type Item = Result<Dataset>;

    fn next(&mut self) -> Option<Result<Dataset>> {
        loop {
            if let Some(wire) = self.page.next() {
                return Some(Dataset::from_wire(self.client.clone(), wire));
            }
            if self.done {
                return None;
            }
            match self.fetch_page() {
                Ok(page) => {
                    self.done = page.len() < DATASET_PAGE_SIZE;
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

impl Client {
    /// Every dataset the key can see, lazily, oldest first (as the service orders them).
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// let client = labelbox::Client::from_env()?;
    /// for dataset in client.datasets() {
    ///     let dataset = dataset?;
    ///     println!("{} {} ({} rows)", dataset.id(), dataset.name(), dataset.row_count());
    /// }
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    pub fn datasets(&self) -> Datasets {
        self.list_datasets(None)
    }

    /// The datasets named exactly `name` (names are not unique), lazily.
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// let client = labelbox::Client::from_env()?;
    /// let nightly: Vec<_> = client.datasets_named("nightly").collect::<Result<_, _>>()?;
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    pub fn datasets_named(&self, name: &str) -> Datasets {
        self.list_datasets(Some(name.to_owned()))
    }

    fn list_datasets(&self, name: Option<String>) -> Datasets {
        Datasets {
            client: self.clone(),
            name,
            skip: 0,
            page: Vec::new().into_iter(),
            done: false,
        }
    }
}

impl Dataset {
    fn from_wire(client: Client, wire: WireDataset) -> Result<Self> {
        Ok(Dataset {
            client,
            created_at: parse_time("createdAt", &wire.created_at)?,
            updated_at: parse_time("updatedAt", &wire.updated_at)?,
            id: wire.id,
            name: wire.name.unwrap_or_default(),
            description: wire.description,
            row_count: wire.row_count.unwrap_or(0),
        })
    }

    /// The dataset's id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its description, if any.
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// How many data rows it held when it was read.
    #[must_use]
    pub fn row_count(&self) -> u64 {
        self.row_count
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

    /// The client it was read with.
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates one data row per spec, in order. Every spec needs row data.
    ///
    /// `specs` is any source that can be read twice: a slice or `&Vec` of specs, or an iterator
    /// that is `Clone`, e.g. one reading rows from a file, so a large import need not sit in
    /// memory. It is read once to check every spec and once to upload, one chunk of at most
    /// 10,000,000 bytes at a time. (A `Vec` passed by value is cloned for the first pass: pass
    /// `&vec`.)
    ///
    /// Every spec is checked before anything is sent: when any is refused, the call fails with
    /// [`Error::InvalidItems`] listing every refused item by index and reason, and nothing is
    /// uploaded. [`validate_specs`](crate::validate_specs) runs the same check on its own.
    /// Rows the service cannot create (e.g. a duplicate global key) do not fail the call: they
    /// are in the task's [`errors`](DataUpsertTask::errors) once it has finished.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidItems`] or [`Error::InvalidInput`] before anything is sent (also when the
    /// source gives a different number of specs the second time); otherwise the errors of the
    /// uploads and of the `upsertDataRows` mutation.
    pub fn create_data_rows<I>(&self, specs: I) -> Result<DataUpsertTask>
    where
        I: IntoIterator + Clone,
        I::Item: Borrow<DataRowSpec>,
    {
        self.create_data_rows_with(specs, &ImportOptions::default())
    }

    /// [`create_data_rows`](Self::create_data_rows) with options.
    ///
    /// # Errors
    ///
    /// As [`create_data_rows`](Self::create_data_rows).
    pub fn create_data_rows_with<I>(
        &self,
        specs: I,
        options: &ImportOptions,
    ) -> Result<DataUpsertTask>
    where
        I: IntoIterator + Clone,
        I::Item: Borrow<DataRowSpec>,
    {
        let task = import::<DataRowSpec, _>(&self.client, &self.id, specs, options)?;
        DataUpsertTask::try_from(task)
    }

    /// Creates or updates rows: each item is keyed by global key, by data row id, or by nothing
    /// (a new row). The source of items and the validation are as in
    /// [`create_data_rows`](Self::create_data_rows); an update item with nothing but its key is
    /// refused. [`validate_items`](crate::validate_items) runs the same check on its own, e.g.
    /// to report bad input before connecting.
    ///
    /// # Errors
    ///
    /// As [`create_data_rows`](Self::create_data_rows).
    pub fn upsert_data_rows<I>(&self, items: I) -> Result<DataUpsertTask>
    where
        I: IntoIterator + Clone,
        I::Item: Borrow<UpsertItem>,
    {
        self.upsert_data_rows_with(items, &ImportOptions::default())
    }

    /// [`upsert_data_rows`](Self::upsert_data_rows) with options.
    ///
    /// # Errors
    ///
    /// As [`create_data_rows`](Self::create_data_rows).
    pub fn upsert_data_rows_with<I>(
        &self,
        items: I,
        options: &ImportOptions,
    ) -> Result<DataUpsertTask>
    where
        I: IntoIterator + Clone,
        I::Item: Borrow<UpsertItem>,
    {
        let task = import::<UpsertItem, _>(&self.client, &self.id, items, options)?;
        DataUpsertTask::try_from(task)
    }
}

fn parse_time(field: &str, text: &str) -> Result<SystemTime> {
    parse_timestamp(text)
        .ok_or_else(|| Error::decode(format!("dataset {field}: not an RFC 3339 UTC time"), text))
}
