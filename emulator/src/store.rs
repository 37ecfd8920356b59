//! In-memory state: the key's user and organization, files, datasets, data rows and tasks.
//!
//! Three locks, so an import writing rows never blocks a task listing or a file download:
//! `files`, `tasks` and `catalog` (datasets, rows, global keys).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;

use crate::export::ExportJob;
use crate::import::ImportJob;
use crate::time;

/// Task status names (an open set on the wire; these are the ones the emulator produces).
pub(crate) mod status {
    pub(crate) const IN_PROGRESS: &str = "IN_PROGRESS";
    pub(crate) const COMPLETE: &str = "COMPLETE";
    pub(crate) const FAILED: &str = "FAILED";
    pub(crate) const CANCELLING: &str = "CANCELLING";
    pub(crate) const CANCELED: &str = "CANCELED";

    /// The seed page's one-L spelling of `CANCELLING`, read as the same status.
    pub(crate) const CANCELING: &str = "CANCELING";

    pub(crate) fn is_terminal(status: &str) -> bool {
        matches!(status, COMPLETE | FAILED | CANCELED)
    }

    /// `CANCELLING` in either spelling.
    pub(crate) fn is_cancelling(status: &str) -> bool {
        matches!(status, CANCELLING | CANCELING)
    }
}

/// The task type of imports, and its cancelable PascalCase name.
pub(crate) const UPSERT_TASK_TYPE: &str = "adv-upsert-data-rows";

/// A task to put in the emulator's state as-is, for tests of clients (any status, any result).
///
/// ```
/// use labelbox_emulator::TaskSeed;
/// let seed = TaskSeed {
///     task_type: "send-to-annotate".into(),
///     status: "FAILED".into(),
///     result: Some(r#"{"error":"boom"}"#.into()),
///     ..TaskSeed::default()
/// };
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSeed {
    /// `name` (default `Seeded task`).
    pub name: String,
    /// `type`, kebab-case (default `add-data-rows-to-batch`).
    pub task_type: String,
    /// `status`, any text (default `IN_PROGRESS`).
    pub status: String,
    /// `completionPercentage` (default none).
    pub completion_percentage: Option<f64>,
    /// `result`: a URL (see [`crate::Emulator::put_file`]) or inline JSON text.
    pub result: Option<String>,
    /// `errors`: a URL or text.
    pub errors: Option<String>,
    /// `metadata`, free-form JSON.
    pub metadata: Option<serde_json::Value>,
    /// `createdAt` (default: now).
    pub created_at: Option<SystemTime>,
}

impl Default for TaskSeed {
    fn default() -> Self {
        TaskSeed {
            name: "Seeded task".into(),
            task_type: "add-data-rows-to-batch".into(),
            status: status::IN_PROGRESS.into(),
            completion_percentage: None,
            result: None,
            errors: None,
            metadata: None,
            created_at: None,
        }
    }
}

/// A data row as stored, for exactly-once assertions in tests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataRow {
    /// The row's id.
    pub id: String,
    /// The dataset it belongs to.
    pub dataset_id: String,
    /// Its global key, unique in the organization.
    pub global_key: Option<String>,
    /// Its external id.
    pub external_id: Option<String>,
    /// `row_data` as imported: a URL string or a JSON object.
    pub row_data: serde_json::Value,
    /// `media_type`, if given.
    pub media_type: Option<String>,
    /// `metadata_fields` as imported (`{"schemaId", "value", ...}` objects).
    pub metadata: Vec<serde_json::Value>,
    /// `attachments` as imported (`{"type", "value", "name"}` objects), each with the `id`
    /// the emulator gave it.
    pub attachments: Vec<serde_json::Value>,
    /// When it was created.
    pub created_at: SystemTime,
    /// When it was last changed.
    pub updated_at: SystemTime,
}

/// A task in the table.
#[derive(Clone)]
pub(crate) struct TaskRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) task_type: String,
    pub(crate) status: String,
    pub(crate) completion_percentage: Option<f64>,
    pub(crate) created_at: SystemTime,
    pub(crate) updated_at: SystemTime,
    pub(crate) result: Option<String>,
    pub(crate) errors: Option<String>,
    pub(crate) metadata: Option<serde_json::Value>,
    /// Present for imports: the cancel flag and the per-row results.
    pub(crate) import: Option<Arc<ImportJob>>,
    /// Present for exports: the cancel flag and the streams.
    pub(crate) export: Option<Arc<ExportJob>>,
}

#[derive(Default)]
struct TaskTable {
    order: Vec<String>,
    by_id: HashMap<String, TaskRecord>,
}

/// A `dataRowsForGlobalKeys` job's answer: each global key asked and the row it named then.
pub(crate) type GlobalKeyLookup = Vec<(String, Option<String>)>;

/// A dataset in the catalog.
#[derive(Clone)]
pub(crate) struct DatasetRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    /// `""` when none was given: Labelbox's own `test_dataset` asserts it.
    pub(crate) description: String,
    pub(crate) created_at: SystemTime,
    pub(crate) updated_at: SystemTime,
    pub(crate) row_count: usize,
}

/// Datasets, rows and the organization's global keys, under one lock.
#[derive(Default)]
pub(crate) struct Catalog {
    pub(crate) datasets: HashMap<String, DatasetRecord>,
    pub(crate) rows: HashMap<String, DataRow>,
    pub(crate) rows_by_dataset: HashMap<String, Vec<String>>,
    pub(crate) global_keys: HashMap<String, String>,
}

impl Catalog {
    /// Removes a row and frees its global key (the dataset's row list is the caller's).
    fn remove_row(&mut self, id: &str) -> Option<DataRow> {
        let row = self.rows.remove(id)?;
        if let Some(gk) = &row.global_key {
            if self.global_keys.get(gk).map(String::as_str) == Some(id) {
                self.global_keys.remove(gk);
            }
        }
        Some(row)
    }
}

/// An uploaded or seeded file, served by GET without auth.
#[derive(Clone)]
pub(crate) struct StoredFile {
    pub(crate) bytes: Arc<[u8]>,
    pub(crate) content_type: String,
}

/// The key's user and organization (one of each).
pub(crate) struct Identity {
    pub(crate) user_id: String,
    pub(crate) email: String,
    pub(crate) user_name: String,
    pub(crate) org_id: String,
    pub(crate) org_name: String,
    pub(crate) created_at: SystemTime,
}

/// How imports are paced.
#[derive(Clone, Copy)]
pub(crate) struct Pace {
    pub(crate) rows_per_second: u32,
    pub(crate) min_task_duration: Duration,
    /// How long a cancelled task stays `CANCELLING` before it is `CANCELED`.
    pub(crate) cancel_duration: Duration,
}

/// Everything the request handlers and import threads share.
pub(crate) struct Store {
    pub(crate) api_key: String,
    pub(crate) identity: Identity,
    pub(crate) pace: Pace,
    /// PascalCase task types `cancelBulkOperationJob` accepts (`cancelableTaskTypes`).
    pub(crate) cancelable_types: Vec<String>,
    /// The organization's data-row metadata schemas.
    pub(crate) metadata: crate::metadata::Ontology,
    /// Projects, batches, ontologies and labels (their own lock).
    pub(crate) projects: crate::projects::Projects,
    /// `dataRowsForGlobalKeys` jobs by id.
    global_key_jobs: Mutex<HashMap<String, GlobalKeyLookup>>,
    /// Global-key assignment and clearing jobs by id.
    pub(crate) catalog_jobs: crate::catalog_jobs::Jobs,
    /// Largest file an export stream is cut into, in bytes (a longer line gets a file of its own).
    pub(crate) export_file_size: usize,
    base_url: OnceLock<String>,
    files: RwLock<HashMap<String, StoredFile>>,
    tasks: Mutex<TaskTable>,
    task_changed: Condvar,
    catalog: Mutex<Catalog>,
    next_id: AtomicU64,
    id_salt: u64,
    shutting_down: AtomicBool,
    background: Mutex<Vec<JoinHandle<()>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking import thread must not take the whole emulator down with it.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Store {
    /// The store with `types` (PascalCase) as the cancelable task types.
    pub(crate) fn with_cancelable_types(mut self, types: Vec<String>) -> Self {
        self.cancelable_types = types;
        self
    }

    /// The store with global-key jobs `IN_PROGRESS` for `duration` after they start.
    pub(crate) fn with_job_duration(mut self, duration: Duration) -> Self {
        self.catalog_jobs = crate::catalog_jobs::Jobs::with_duration(duration);
        self
    }

    /// The store with export streams cut into files of at most `bytes`.
    pub(crate) fn with_export_file_size(mut self, bytes: usize) -> Self {
        self.export_file_size = bytes;
        self
    }

    /// Whether a task of kebab-case `task_type` may be cancelled: its PascalCase name, turned
    /// into a type the official SDK's way (`ExportDataRows` -> `export-data-rows`), is listed.
    pub(crate) fn is_cancelable(&self, task_type: &str) -> bool {
        self.cancelable_types
            .iter()
            .any(|name| kebab_case(name) == task_type)
    }

    pub(crate) fn new(api_key: String, pace: Pace) -> Self {
        let id_salt = crate::random_u64() & 0xff_ffff_ffff;
        let mut store = Store {
            api_key,
            identity: Identity {
                user_id: String::new(),
                email: "emulator@example.com".into(),
                user_name: "Emulator User".into(),
                org_id: String::new(),
                org_name: "Emulator Organization".into(),
                created_at: time::now(),
            },
            pace,
            cancelable_types: Vec::new(),
            metadata: crate::metadata::Ontology::default(),
            projects: crate::projects::Projects::default(),
            global_key_jobs: Mutex::new(HashMap::new()),
            catalog_jobs: crate::catalog_jobs::Jobs::default(),
            export_file_size: crate::emulator::DEFAULT_EXPORT_FILE_SIZE,
            base_url: OnceLock::new(),
            files: RwLock::new(HashMap::new()),
            tasks: Mutex::new(TaskTable::default()),
            task_changed: Condvar::new(),
            catalog: Mutex::new(Catalog::default()),
            next_id: AtomicU64::new(1),
            id_salt,
            shutting_down: AtomicBool::new(false),
            background: Mutex::new(Vec::new()),
        };
        store.identity.user_id = store.new_id();
        store.identity.org_id = store.new_id();
        store
    }

    /// A 25-character id shaped like the service's cuids (`c` + base-36 digits).
    pub(crate) fn new_id(&self) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        format!("c{}{}", base36(self.id_salt, 10), base36(n, 14))
    }

    pub(crate) fn set_base_url(&self, url: String) {
        let _ = self.base_url.set(url);
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn base_url(&self) -> &str {
        self.base_url.get().map(String::as_str).unwrap_or("")
    }

    pub(crate) fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Relaxed)
    }

    pub(crate) fn shut_down(&self) {
        self.shutting_down.store(true, Ordering::Relaxed);
        // Taking the lock once means no waiter is between its flag check and its wait, so
        // none misses the wake-up and sleeps out its whole timeout.
        drop(lock(&self.tasks));
        self.task_changed.notify_all();
        let threads: Vec<_> = lock(&self.background).drain(..).collect();
        for thread in threads {
            let _ = thread.join();
        }
    }

    /// Sleeps until `deadline`; false if the emulator started shutting down first (then the
    /// caller should stop, so dropping the handle never waits out a long delay).
    pub(crate) fn sleep_until(&self, deadline: Instant) -> bool {
        let mut table = lock(&self.tasks);
        loop {
            if self.is_shutting_down() {
                return false;
            }
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            table = self
                .task_changed
                .wait_timeout(table, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    pub(crate) fn keep_thread(&self, handle: JoinHandle<()>) {
        let mut threads = lock(&self.background);
        threads.retain(|t| !t.is_finished());
        threads.push(handle);
    }

    // ----- files -----

    pub(crate) fn put_file(&self, bytes: Vec<u8>, content_type: &str) -> String {
        let id = self.new_id();
        let file = StoredFile {
            bytes: bytes.into(),
            content_type: content_type.to_string(),
        };
        self.files
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.clone(), file);
        format!("{}/files/{id}", self.base_url())
    }

    pub(crate) fn file(&self, id: &str) -> Option<StoredFile> {
        self.files
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    /// The stored file behind one of this emulator's file URLs.
    pub(crate) fn file_by_url(&self, url: &str) -> Option<StoredFile> {
        let prefix = format!("{}/files/", self.base_url());
        let id = url.strip_prefix(&prefix)?;
        self.file(id.split(['/', '?']).next().unwrap_or(id))
    }

    // ----- tasks -----

    pub(crate) fn insert_task(&self, seed: TaskSeed, import: Option<Arc<ImportJob>>) -> String {
        self.insert_task_with(seed, import, None)
    }

    /// Inserts an export task, its job attached from the start.
    pub(crate) fn insert_export_task(&self, seed: TaskSeed, export: Arc<ExportJob>) -> String {
        self.insert_task_with(seed, None, Some(export))
    }

    fn insert_task_with(
        &self,
        seed: TaskSeed,
        import: Option<Arc<ImportJob>>,
        export: Option<Arc<ExportJob>>,
    ) -> String {
        let id = self.new_id();
        let created_at = seed.created_at.unwrap_or_else(time::now);
        let record = TaskRecord {
            id: id.clone(),
            name: seed.name,
            task_type: seed.task_type,
            status: seed.status,
            completion_percentage: seed.completion_percentage,
            created_at,
            updated_at: created_at,
            result: seed.result,
            errors: seed.errors,
            metadata: seed.metadata,
            import,
            export,
        };
        let mut table = lock(&self.tasks);
        table.order.push(id.clone());
        table.by_id.insert(id.clone(), record);
        drop(table);
        self.task_changed.notify_all();
        id
    }

    pub(crate) fn task(&self, id: &str) -> Option<TaskRecord> {
        lock(&self.tasks).by_id.get(id).cloned()
    }

    /// Applies `change` to task `id` and stamps `updatedAt`; false when there is no such task.
    pub(crate) fn update_task(&self, id: &str, change: impl FnOnce(&mut TaskRecord)) -> bool {
        self.update_task_if(id, |task| {
            change(task);
            true
        })
    }

    /// Like [`Store::update_task`], for changes that may decline (`change` answers false):
    /// a declined change leaves `updatedAt` alone. True when the change was made.
    pub(crate) fn update_task_if(
        &self,
        id: &str,
        change: impl FnOnce(&mut TaskRecord) -> bool,
    ) -> bool {
        let mut table = lock(&self.tasks);
        let Some(task) = table.by_id.get_mut(id) else {
            return false;
        };
        if !change(task) {
            return false;
        }
        task.updated_at = time::now().max(task.created_at);
        drop(table);
        self.task_changed.notify_all();
        true
    }

    /// Tasks matching `keep`, newest first, after skipping `skip`, at most `first`.
    pub(crate) fn list_tasks(
        &self,
        keep: impl Fn(&TaskRecord) -> bool,
        skip: usize,
        first: usize,
    ) -> Vec<TaskRecord> {
        let table = lock(&self.tasks);
        let mut all: Vec<&TaskRecord> = table
            .order
            .iter()
            .filter_map(|id| table.by_id.get(id))
            .filter(|t| keep(t))
            .collect();
        // Newest first; insertion order breaks ties so pages are stable.
        all.reverse();
        all.sort_by_key(|t| std::cmp::Reverse(t.created_at));
        all.into_iter().skip(skip).take(first).cloned().collect()
    }

    /// Blocks until task `id` is terminal (or `timeout`); its status then, `None` if unknown.
    pub(crate) fn wait_for_task(&self, id: &str, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        let mut table = lock(&self.tasks);
        loop {
            let status = table.by_id.get(id)?.status.clone();
            let now = Instant::now();
            if status::is_terminal(&status) || now >= deadline || self.is_shutting_down() {
                return Some(status);
            }
            table = self
                .task_changed
                .wait_timeout(table, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    // ----- catalog -----

    pub(crate) fn catalog(&self) -> MutexGuard<'_, Catalog> {
        lock(&self.catalog)
    }

    pub(crate) fn create_dataset(
        &self,
        name: String,
        description: Option<String>,
    ) -> DatasetRecord {
        let now = time::now();
        let record = DatasetRecord {
            id: self.new_id(),
            name,
            description: description.unwrap_or_default(),
            created_at: now,
            updated_at: now,
            row_count: 0,
        };
        self.catalog()
            .datasets
            .insert(record.id.clone(), record.clone());
        record
    }

    pub(crate) fn dataset(&self, id: &str) -> Option<DatasetRecord> {
        let catalog = self.catalog();
        let mut record = catalog.datasets.get(id)?.clone();
        record.row_count = catalog.rows_by_dataset.get(id).map_or(0, Vec::len);
        Some(record)
    }

    /// The datasets matching `keep`, oldest first.
    pub(crate) fn datasets(&self, keep: impl Fn(&DatasetRecord) -> bool) -> Vec<DatasetRecord> {
        let catalog = self.catalog();
        let mut all: Vec<DatasetRecord> = catalog
            .datasets
            .values()
            .map(|d| DatasetRecord {
                row_count: catalog.rows_by_dataset.get(&d.id).map_or(0, Vec::len),
                ..d.clone()
            })
            .filter(|d| keep(d))
            .collect();
        all.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        all
    }

    /// Applies `change` to dataset `id` and stamps `updatedAt`; the dataset after, if any.
    pub(crate) fn update_dataset(
        &self,
        id: &str,
        change: impl FnOnce(&mut DatasetRecord),
    ) -> Option<DatasetRecord> {
        {
            let mut catalog = self.catalog();
            let dataset = catalog.datasets.get_mut(id)?;
            change(dataset);
            dataset.updated_at = time::now().max(dataset.created_at);
        }
        self.dataset(id)
    }

    /// Deletes a dataset and its rows (their global keys become free); false if there is none.
    pub(crate) fn delete_dataset(&self, id: &str) -> bool {
        let mut catalog = self.catalog();
        if catalog.datasets.remove(id).is_none() {
            return false;
        }
        let rows = catalog.rows_by_dataset.remove(id).unwrap_or_default();
        for row in rows {
            catalog.remove_row(&row);
        }
        true
    }

    /// A data row by id.
    pub(crate) fn data_row(&self, id: &str) -> Option<DataRow> {
        self.catalog().rows.get(id).cloned()
    }

    /// Applies `change` to data row `id` and stamps `updatedAt`; the row after, if any.
    pub(crate) fn update_data_row(
        &self,
        id: &str,
        change: impl FnOnce(&mut DataRow),
    ) -> Option<DataRow> {
        let mut catalog = self.catalog();
        let row = catalog.rows.get_mut(id)?;
        change(row);
        row.updated_at = time::now().max(row.created_at);
        Some(row.clone())
    }

    /// Deletes the rows among `ids` that exist (their global keys become free); answers them.
    pub(crate) fn delete_data_rows(&self, ids: &[String]) -> Vec<String> {
        let mut catalog = self.catalog();
        let deleted: Vec<String> = ids
            .iter()
            .filter(|id| catalog.rows.contains_key(id.as_str()))
            .cloned()
            .collect();
        for id in &deleted {
            if let Some(row) = catalog.remove_row(id) {
                if let Some(list) = catalog.rows_by_dataset.get_mut(&row.dataset_id) {
                    list.retain(|r| r != id);
                }
            }
        }
        deleted
    }

    /// Starts a global-key lookup: the keys are resolved now; answers the job's id.
    pub(crate) fn start_global_key_job(&self, keys: Vec<String>) -> String {
        let resolved = {
            let catalog = self.catalog();
            keys.into_iter()
                .map(|k| {
                    let id = catalog.global_keys.get(&k).cloned();
                    (k, id)
                })
                .collect()
        };
        let id = self.new_id();
        lock(&self.global_key_jobs).insert(id.clone(), resolved);
        id
    }

    /// A global-key lookup's answer: each key and its row id, if any.
    pub(crate) fn global_key_job(&self, id: &str) -> Option<GlobalKeyLookup> {
        lock(&self.global_key_jobs).get(id).cloned()
    }

    /// Every row, in creation order (ids grow with creation).
    pub(crate) fn all_data_rows(&self, keep: impl Fn(&DataRow) -> bool) -> Vec<DataRow> {
        let catalog = self.catalog();
        let mut rows: Vec<DataRow> = catalog.rows.values().filter(|r| keep(r)).cloned().collect();
        rows.sort_by(|a, b| a.id.cmp(&b.id));
        rows
    }

    pub(crate) fn data_rows(&self, dataset_id: &str) -> Vec<DataRow> {
        let catalog = self.catalog();
        catalog
            .rows_by_dataset
            .get(dataset_id)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| catalog.rows.get(id).cloned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn base36(mut n: u64, width: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// A PascalCase name kebab-cased as the official SDK does it: a dash before each capital
/// but the first, all lower case (`AdvUpsertDataRows` -> `adv-upsert-data-rows`).
pub(crate) fn kebab_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('-');
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_names_are_kebab_cased_the_official_sdks_way() {
        assert_eq!(kebab_case("ExportDataRows"), "export-data-rows");
        assert_eq!(kebab_case("AdvUpsertDataRows"), "adv-upsert-data-rows");
        assert_eq!(kebab_case(""), "");
    }

    fn store() -> Store {
        Store::new(
            "k".into(),
            Pace {
                rows_per_second: 1000,
                min_task_duration: Duration::ZERO,
                cancel_duration: Duration::ZERO,
            },
        )
    }

    #[test]
    fn ids_are_unique_and_cuid_shaped() {
        let s = store();
        let a = s.new_id();
        let b = s.new_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 25);
        assert!(a.starts_with('c'));
    }

    #[test]
    fn listing_is_newest_first_with_offset() {
        let s = store();
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let ids: Vec<String> = (0..5)
            .map(|i| {
                s.insert_task(
                    TaskSeed {
                        created_at: Some(t0 + Duration::from_secs(i)),
                        ..TaskSeed::default()
                    },
                    None,
                )
            })
            .collect();
        let page: Vec<String> = s
            .list_tasks(|_| true, 1, 2)
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(page, vec![ids[3].clone(), ids[2].clone()]);
    }

    #[test]
    fn wait_for_task_returns_once_terminal() {
        let s = Arc::new(store());
        let id = s.insert_task(TaskSeed::default(), None);
        let s2 = Arc::clone(&s);
        let id2 = id.clone();
        let t = std::thread::spawn(move || {
            s2.update_task(&id2, |t| t.status = status::COMPLETE.into());
        });
        let got = s.wait_for_task(&id, Duration::from_secs(30));
        t.join().ok();
        assert_eq!(got.as_deref(), Some("COMPLETE"));
        assert_eq!(s.wait_for_task("nope", Duration::ZERO), None);
    }
}
