//! Batches: [`Project::create_batch`] (the official SDK's synchronous `createBatchV2` under
//! 1,000 rows, and from 1,000 rows its asynchronous path, `createEmptyBatch` then
//! `addDataRowsToBatchAsync`, a task waited for) and the [`Project::batches`] listing
//! (`GetProjectBatchesPyApi`, cursor pages). Both go to the experimental endpoint (`/_gql`),
//! as the official SDK sends them.

use std::collections::HashSet;
use std::time::SystemTime;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::project::identifiers::DataRowIdentifiers;
use crate::project::Project;
use crate::task::{parse_timestamp, TaskStatus, WaitOptions};

/// From this many rows a batch is made by a task (the official SDK's
/// `MAX_SYNC_BATCH_ROW_COUNT`).
pub const MAX_SYNC_BATCH_ROWS: usize = 1_000;

/// The most rows one batch takes.
pub const MAX_BATCH_ROWS: usize = 100_000;

const BATCH_FIELDS: &str = "consensusSettingsJson createdAt name size id updatedAt";

/// A batch: rows of a project queued for labeling together.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Batch {
    /// Its id.
    pub id: String,
    /// Its name (unique in the project).
    pub name: String,
    /// How many rows it holds.
    pub size: u64,
    /// When it was created.
    pub created_at: Option<SystemTime>,
    /// When it was last updated.
    pub updated_at: Option<SystemTime>,
    /// Its consensus settings, as the service gives them.
    pub consensus_settings: Option<Value>,
    /// The ids the synchronous path could not add (empty on the asynchronous one).
    pub failed_data_row_ids: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireBatch {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(default)]
    consensus_settings_json: Option<Value>,
}

impl WireBatch {
    fn into_batch(self, failed: Vec<String>) -> Batch {
        Batch {
            id: self.id,
            name: self.name,
            size: self.size.unwrap_or(0),
            created_at: self.created_at.as_deref().and_then(parse_timestamp),
            updated_at: self.updated_at.as_deref().and_then(parse_timestamp),
            consensus_settings: self.consensus_settings_json.filter(|v| !v.is_null()),
            failed_data_row_ids: failed,
        }
    }
}

impl Project {
    /// Creates a batch named `name` of these rows at `priority` (1 highest to 5 lowest),
    /// waiting up to 5 minutes for the task of a large batch; see
    /// [`create_batch_with`](Self::create_batch_with).
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// use labelbox::{Client, DataRowIdentifiers, DataRowSpec, MediaType, RowData};
    ///
    /// let client = Client::from_env()?;
    /// let dataset = client.create_dataset("pets")?;
    /// let specs = [DataRowSpec::new(RowData::url("https://example.com/cat.jpg")).global_key("cat")];
    /// dataset.create_data_rows(&specs)?.wait_till_done()?;
    /// let project = client.create_project("pets", MediaType::Image)?;
    /// let batch = project.create_batch("first", DataRowIdentifiers::global_keys(["cat"]), 3)?;
    /// assert_eq!(batch.size, 1);
    /// assert_eq!(project.batches().count(), 1);
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`create_batch_with`](Self::create_batch_with).
    pub fn create_batch(
        &self,
        name: &str,
        rows: DataRowIdentifiers,
        priority: u8,
    ) -> Result<Batch> {
        self.create_batch_with(name, rows, priority, WaitOptions::default())
    }

    /// Creates a batch: under [`MAX_SYNC_BATCH_ROWS`] rows in one request (rows the service
    /// could not add are in [`Batch::failed_data_row_ids`]); from there, an empty batch is
    /// created and its rows added by a task, waited for with `wait` (the rules of
    /// [`Task::wait_with`](crate::Task::wait_with)), then the batch is read back.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] (nothing sent) for an empty name, a priority outside 1..=5, no
    /// rows, more than [`MAX_BATCH_ROWS`] or an empty id; [`Error::NotFound`] when the project
    /// is gone; [`Error::BatchNotCreated`] when the task adding the rows ends `FAILED` or
    /// `CANCELED`; [`Error::WaitTimedOut`] when it is still running at the deadline; otherwise
    /// a [request failure](crate::Error#request-failures).
    pub fn create_batch_with(
        &self,
        name: &str,
        rows: DataRowIdentifiers,
        priority: u8,
        wait: WaitOptions,
    ) -> Result<Batch> {
        if name.trim().is_empty() {
            return Err(Error::invalid_input("name", "a batch name cannot be empty"));
        }
        if !(1..=5).contains(&priority) {
            return Err(Error::invalid_input(
                "priority",
                format!("1 (highest) to 5 (lowest), got {priority}"),
            ));
        }
        rows.check(MAX_BATCH_ROWS)?;
        if rows.len() >= MAX_SYNC_BATCH_ROWS {
            self.create_batch_async(name, &rows, priority, wait)
        } else {
            self.create_batch_sync(name, &rows, priority)
        }
    }

    /// `(dataRowIds, globalKeys)` as the official SDK sends them: the ids always (an empty
    /// list when rows are named by key), the keys or null.
    fn batch_rows(rows: &DataRowIdentifiers) -> (Value, Value) {
        match rows {
            DataRowIdentifiers::Ids(ids) => (json!(ids), Value::Null),
            DataRowIdentifiers::GlobalKeys(keys) => (json!([]), json!(keys)),
        }
    }

    fn create_batch_sync(
        &self,
        name: &str,
        rows: &DataRowIdentifiers,
        priority: u8,
    ) -> Result<Batch> {
        let document = format!(
            "mutation createBatchV2PyApi($projectId: ID!, $batchInput: CreateBatchInput!) {{\n                  project(where: {{id: $projectId}}) {{\n                    createBatchV2(input: $batchInput) {{\n                        batch {{\n                            {BATCH_FIELDS}\n                        }}\n                        failedDataRowIds\n                    }}\n                  }}\n                }}\n            "
        );
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Created {
            batch: WireBatch,
            #[serde(default)]
            failed_data_row_ids: Option<Vec<String>>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Inner {
            #[serde(rename = "createBatchV2")]
            create_batch_v2: Option<Created>,
        }
        #[derive(Deserialize)]
        struct Data {
            project: Option<Inner>,
        }
        let (ids, keys) = Self::batch_rows(rows);
        let variables = json!({
            "projectId": self.id(),
            "batchInput": {
                "name": name,
                "dataRowIds": ids,
                "globalKeys": keys,
                "priority": priority,
                "consensusSettings": null,
            },
        });
        let data: Data = self
            .client()
            .transport()
            .mutate_experimental(&document, variables)
            .map_err(|e| self.not_found_or(e))?;
        let created = data
            .project
            .ok_or_else(|| self.not_found())?
            .create_batch_v2
            .ok_or_else(|| Error::decode("createBatchV2 answered null", ""))?;
        Ok(created
            .batch
            .into_batch(created.failed_data_row_ids.unwrap_or_default()))
    }

    fn create_batch_async(
        &self,
        name: &str,
        rows: &DataRowIdentifiers,
        priority: u8,
        wait: WaitOptions,
    ) -> Result<Batch> {
        const EMPTY: &str = "mutation createEmptyBatchPyApi($projectId: ID!, $input: CreateEmptyBatchInput!) {\n                                      project(where: {id: $projectId}) {\n                                        createEmptyBatch(input: $input) {\n                                            id\n                                        }\n                                      }\n                                    }\n                                ";
        const ADD: &str = "mutation addDataRowsToBatchAsyncPyApi($projectId: ID!, $input: AddDataRowsToBatchInput!) {\n                                      project(where: {id: $projectId}) {\n                                        addDataRowsToBatchAsync(input: $input) {\n                                          taskId\n                                        }\n                                      }\n                                    }\n                                ";
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct TaskId {
            task_id: String,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Inner {
            create_empty_batch: Option<Id>,
            add_data_rows_to_batch_async: Option<TaskId>,
        }
        #[derive(Deserialize)]
        struct Data {
            project: Option<Inner>,
        }
        let transport = self.client().transport();
        let input = json!({"name": name, "consensusSettings": null});
        let data: Data = transport
            .mutate_experimental(EMPTY, json!({"projectId": self.id(), "input": input}))
            .map_err(|e| self.not_found_or(e))?;
        let batch_id = data
            .project
            .ok_or_else(|| self.not_found())?
            .create_empty_batch
            .ok_or_else(|| Error::decode("createEmptyBatch answered null", ""))?
            .id;
        let (ids, keys) = Self::batch_rows(rows);
        let input = json!({
            "batchId": batch_id,
            "dataRowIds": ids,
            "globalKeys": keys,
            "priority": priority,
        });
        let data: Data = transport
            .mutate_experimental(ADD, json!({"projectId": self.id(), "input": input}))
            .map_err(|e| self.not_found_or(e))?;
        let task_id = data
            .project
            .ok_or_else(|| self.not_found())?
            .add_data_rows_to_batch_async
            .ok_or_else(|| Error::decode("addDataRowsToBatchAsync answered null", ""))?
            .task_id;
        let mut task = self.client().get_task_by_id(&task_id)?;
        let status = task.wait_with(wait)?;
        if status != TaskStatus::Complete {
            return Err(Error::BatchNotCreated {
                batch_id,
                task_id,
                status,
                errors: task.errors_url().map(str::to_owned),
            });
        }
        self.get_batch(&batch_id)
    }

    /// One batch of this project by id (`getProjectBatchPyApi`).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the project or the batch is not there; otherwise a
    /// [request failure](crate::Error#request-failures).
    pub fn get_batch(&self, batch_id: &str) -> Result<Batch> {
        let document = format!(
            "query getProjectBatchPyApi($projectId: ID!, $batchId: ID!) {{\n                          project(where: {{id: $projectId}}) {{\n                             batches(where: {{id: $batchId}}) {{\n                                nodes {{\n                                   {BATCH_FIELDS}\n                                }}\n                             }}\n                        }}\n                    }}\n                    "
        );
        #[derive(Deserialize)]
        struct Nodes {
            nodes: Vec<WireBatch>,
        }
        #[derive(Deserialize)]
        struct Inner {
            batches: Option<Nodes>,
        }
        #[derive(Deserialize)]
        struct Data {
            project: Option<Inner>,
        }
        let data: Data = self
            .client()
            .transport()
            .query(
                &document,
                json!({"projectId": self.id(), "batchId": batch_id}),
            )
            .map_err(|e| self.not_found_or(e))?;
        let nodes = data.project.ok_or_else(|| self.not_found())?.batches;
        nodes
            .and_then(|n| n.nodes.into_iter().find(|b| b.id == batch_id))
            .map(|b| b.into_batch(Vec::new()))
            .ok_or_else(|| Error::NotFound {
                what: "batch".to_owned(),
                id: batch_id.to_owned(),
            })
    }

    /// The project's batches, lazily, in cursor pages of 100 (`GetProjectBatchesPyApi`).
    /// A cursor that comes back, or a batch listed twice, ends the listing with
    /// [`Error::InconsistentPages`].
    pub fn batches(&self) -> Batches {
        Batches {
            project: self.clone(),
            cursor: None,
            page: Vec::new().into_iter(),
            seen_cursors: HashSet::new(),
            seen_ids: HashSet::new(),
            done: false,
        }
    }
}

/// Batches asked per page, like the official SDK's paginated collections.
const BATCH_PAGE_SIZE: u32 = 100;

/// The lazy iterator of [`Project::batches`]. A failed request is yielded once, then the
/// iterator ends.
#[derive(Debug)]
#[must_use = "iterators are lazy: nothing is fetched until it is used"]
pub struct Batches {
    project: Project,
    cursor: Option<String>,
    page: std::vec::IntoIter<WireBatch>,
    seen_cursors: HashSet<String>,
    seen_ids: HashSet<String>,
    done: bool,
}

impl Batches {
    fn fetch_page(&mut self) -> Result<Vec<WireBatch>> {
        const LIST: &str = "query GetProjectBatchesPyApi($from: String, $first: PageSize, $projectId: ID!) {\n            project(where: {id: $projectId}) {id\n            batches(after: $from, first: $first) { nodes { consensusSettingsJson createdAt name size id updatedAt } pageInfo { endCursor }}}}\n        ";
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct PageInfo {
            end_cursor: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page {
            nodes: Vec<WireBatch>,
            page_info: PageInfo,
        }
        #[derive(Deserialize)]
        struct Inner {
            batches: Page,
        }
        #[derive(Deserialize)]
        struct Data {
            project: Option<Inner>,
        }
        let variables = json!({
            "projectId": self.project.id(),
            "from": self.cursor,
            "first": BATCH_PAGE_SIZE,
        });
        let data: Data = self
            .project
            .client()
            .transport()
            .query_experimental(LIST, variables)
            .map_err(|e| self.project.not_found_or(e))?;
        let page = data
            .project
            .ok_or_else(|| self.project.not_found())?
            .batches;
        let inconsistent = |reason: String| Error::InconsistentPages {
            listing: format!("batches of project {:?}", self.project.id()),
            reason,
        };
        for batch in &page.nodes {
            if !self.seen_ids.insert(batch.id.clone()) {
                return Err(inconsistent(format!("batch {:?} listed twice", batch.id)));
            }
        }
        match page.page_info.end_cursor {
            Some(cursor) if !page.nodes.is_empty() => {
                if !self.seen_cursors.insert(cursor.clone()) {
                    return Err(inconsistent(format!("cursor {cursor:?} came back")));
                }
                self.cursor = Some(cursor);
            }
            _ => self.done = true,
        }
        Ok(page.nodes)
    }
}

impl Iterator for Batches {
    type Item = Result<Batch>;

    fn next(&mut self) -> Option<Result<Batch>> {
        loop {
            if let Some(wire) = self.page.next() {
                return Some(Ok(wire.into_batch(Vec::new())));
            }
            if self.done {
                return None;
            }
            match self.fetch_page() {
                Ok(page) => self.page = page.into_iter(),
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}
