//! Data-row imports (`upsertDataRows`): loading the manifest and chunks, the per-row rules,
//! and the background thread that processes rows at the configured pace.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Instant;

use serde::Deserialize;
use serde_json::Value;

use crate::media;
use crate::schedule;
use crate::store::{status, Catalog, DataRow, Store};
use crate::time;

/// Rows applied per catalog-lock acquisition: keeps other requests responsive during big imports.
const BATCH: usize = 2_000;

/// One import's cancel request and results (shared between the task table and the thread).
#[derive(Default)]
pub(crate) struct ImportJob {
    /// When a cancel was requested (set once, by `cancel::request`).
    pub(crate) cancel: OnceLock<Instant>,
    results: RwLock<ImportResults>,
    /// The finished import's result file, written when first asked for.
    result_url: OnceLock<String>,
}

#[derive(Default)]
struct ImportResults {
    successes: Vec<SuccessRow>,
    failures: Vec<FailedRow>,
}

/// A created or updated row, as `successesfulDataRowImports` lists it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SuccessRow {
    pub(crate) id: String,
    pub(crate) external_id: Option<String>,
    pub(crate) global_key: Option<String>,
    pub(crate) row_data: Option<String>,
}

/// A row that failed, as `failedDataRowImports` lists it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FailedRow {
    pub(crate) message: String,
    pub(crate) external_id: Option<String>,
    pub(crate) global_key: Option<String>,
    pub(crate) row_data: Option<String>,
    pub(crate) metadata: Vec<MetadataField>,
    pub(crate) attachments: Vec<Attachment>,
}

/// What became of one item (failures boxed: they are the rare, big case).
type Outcome = Result<SuccessRow, Box<FailedRow>>;

/// A page of one result list, or the cursor it was asked from when the list never gave it.
pub(crate) type PageResult<T> = Result<Page<T>, String>;

/// A page of results: the rows, the cursor of the next page, and the full count.
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) after: Option<String>,
    pub(crate) total: usize,
}

impl ImportJob {
    /// A page of created rows; `Err` carries a cursor this list never gave.
    pub(crate) fn successes(&self, from: Option<&str>, first: usize) -> PageResult<SuccessRow> {
        let results = self.results.read().unwrap_or_else(|e| e.into_inner());
        page(&results.successes, from, first)
    }

    /// A page of failed rows (for a FAILED import, its reason); `Err` carries a cursor this
    /// list never gave.
    pub(crate) fn failures(&self, from: Option<&str>, first: usize) -> PageResult<FailedRow> {
        let results = self.results.read().unwrap_or_else(|e| e.into_inner());
        page(&results.failures, from, first)
    }

    /// The URL of a finished import's result file (`None` while it runs, or when it failed or
    /// was cancelled): written the first time a client reads the task's `result`.
    pub(crate) fn result_url(&self, store: &Store, task_status: &str) -> Option<String> {
        (task_status == status::COMPLETE).then(|| {
            self.result_url
                .get_or_init(|| store.put_file(self.result_file(), "application/json"))
                .clone()
        })
    }

    /// The finished import's result file, in the shape of the service's import result files
    /// (`{"createdDataRows": [...], "errors": [...]}`, PROTOCOL 3.8).
    fn result_file(&self) -> Vec<u8> {
        let results = self.results.read().unwrap_or_else(|e| e.into_inner());
        let created: Vec<Value> = results
            .successes
            .iter()
            .map(|r| {
                serde_json::json!({"id": r.id, "externalId": r.external_id,
                    "globalKey": r.global_key, "rowData": r.row_data})
            })
            .collect();
        let errors: Vec<Value> = results
            .failures
            .iter()
            .map(|f| {
                serde_json::json!({"message": f.message, "failedDataRows": [{
                    "externalId": f.external_id, "globalKey": f.global_key,
                    "rowData": f.row_data, "metadata": f.metadata, "attachments": f.attachments}]})
            })
            .collect();
        serde_json::to_vec(&serde_json::json!({"createdDataRows": created, "errors": errors}))
            .unwrap_or_default()
    }

    fn record(&self, outcomes: Vec<Outcome>) {
        let mut results = self.results.write().unwrap_or_else(|e| e.into_inner());
        for outcome in outcomes {
            match outcome {
                Ok(row) => results.successes.push(row),
                Err(row) => results.failures.push(*row),
            }
        }
    }
}

/// Cursor pagination over an append-only list: the cursor is the next offset, so a page costs
/// O(page), not O(total). A cursor that is not an offset this list could have given (not a
/// number, or past its end) is refused: restarting from row 0 would hand rows out twice.
fn page<T: Clone>(all: &[T], from: Option<&str>, first: usize) -> PageResult<T> {
    let start = match from.filter(|c| !c.is_empty()) {
        None => 0,
        Some(cursor) => cursor
            .parse::<usize>()
            .ok()
            .filter(|&offset| offset <= all.len())
            .ok_or_else(|| cursor.to_owned())?,
    };
    let end = start.saturating_add(first).min(all.len());
    Ok(Page {
        items: all[start..end].to_vec(),
        after: (end < all.len()).then(|| end.to_string()),
        total: all.len(),
    })
}

// ----- the import file format (PROTOCOL 3.6) -----

#[derive(Deserialize)]
struct Manifest {
    chunk_uris: Vec<String>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    id: ItemKey,
    #[serde(default)]
    payload: Payload,
}

#[derive(Deserialize)]
struct ItemKey {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    value: String,
}

impl Default for ItemKey {
    fn default() -> Self {
        ItemKey {
            kind: "AUTO".into(),
            value: String::new(),
        }
    }
}

#[derive(Deserialize, Default)]
struct Payload {
    row_data: Option<Value>,
    global_key: Option<String>,
    external_id: Option<String>,
    media_type: Option<String>,
    /// `metadata_fields` (the SDK's create path, schema ids) or `metadata` (its upsert path,
    /// which may name schemas instead: the service resolves the names).
    #[serde(alias = "metadata")]
    metadata_fields: Option<Vec<MetadataField>>,
    attachments: Option<Vec<Attachment>>,
    dataset_id: Option<String>,
}

/// `{"schemaId", "value", "name"}` of `metadata_fields`.
#[derive(Deserialize, serde::Serialize, Clone, Debug, PartialEq)]
pub(crate) struct MetadataField {
    #[serde(rename = "schemaId", alias = "schema_id", default)]
    pub(crate) schema_id: Option<String>,
    #[serde(default)]
    pub(crate) value: Option<Value>,
    #[serde(default)]
    pub(crate) name: Option<String>,
}

/// `{"type", "value", "name"}` of `attachments`.
#[derive(Deserialize, serde::Serialize, Clone, Debug, PartialEq)]
pub(crate) struct Attachment {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) value: String,
    #[serde(default)]
    pub(crate) name: Option<String>,
}

/// Reads the manifest and every chunk from this emulator's files; the error is the task's.
fn load(store: &Store, manifest_url: &str) -> Result<Vec<Item>, String> {
    let manifest = store
        .file_by_url(manifest_url)
        .ok_or_else(|| format!("Unable to read manifest file at {manifest_url}"))?;
    let manifest: Manifest = serde_json::from_slice(&manifest.bytes)
        .map_err(|e| format!("Invalid manifest file at {manifest_url}: {e}"))?;
    let mut items = Vec::new();
    for uri in &manifest.chunk_uris {
        let chunk = store
            .file_by_url(uri)
            .ok_or_else(|| format!("Unable to read chunk file at {uri}"))?;
        let chunk: Vec<Item> = serde_json::from_slice(&chunk.bytes)
            .map_err(|e| format!("Invalid chunk file at {uri}: {e}"))?;
        items.extend(chunk);
    }
    Ok(items)
}

// ----- the background thread -----

/// Starts processing the import of task `task_id` on its own thread.
pub(crate) fn spawn(
    store: &Arc<Store>,
    task_id: String,
    manifest_url: String,
    job: Arc<ImportJob>,
) {
    schedule::spawn(store, task_id, "import", move |store, id| {
        run(store, id, &manifest_url, &job)
    });
}

/// Ends an import `FAILED` for `reason`, which is also its one failed-rows entry: the official
/// SDK reads a failed `DataUpsertTask`'s errors from `failedDataRowImports` (its
/// `result` raises `Job failed. Errors : <errors>`), so the reason must be found there.
fn fail(store: &Store, task_id: &str, job: &ImportJob, reason: String) {
    job.record(vec![Err(Box::new(FailedRow {
        message: reason.clone(),
        external_id: None,
        global_key: None,
        row_data: None,
        metadata: Vec::new(),
        attachments: Vec::new(),
    }))]);
    store.update_task(task_id, |t| {
        t.status = status::FAILED.into();
        t.errors = Some(reason);
    });
}

fn run(store: &Store, task_id: &str, manifest_url: &str, job: &ImportJob) {
    let items = match load(store, manifest_url) {
        Ok(items) => items,
        Err(reason) => return fail(store, task_id, job, reason),
    };
    let mut seen_keys = HashSet::new();
    schedule::run(store, task_id, &job.cancel, items.len(), |due| {
        apply_batches(store, job, &items[due], &mut seen_keys)
    });
}

/// Applies `rows` in batches of [`BATCH`] (the catalog lock is released between batches) and
/// records their outcomes; stops early at a cancel. Answers how many rows were applied.
fn apply_batches(
    store: &Store,
    job: &ImportJob,
    rows: &[Item],
    seen_keys: &mut HashSet<String>,
) -> usize {
    let mut applied = 0;
    for batch in rows.chunks(BATCH) {
        if job.cancel.get().is_some() {
            break;
        }
        let outcomes = {
            let mut catalog = store.catalog();
            batch
                .iter()
                .map(|item| apply(&mut catalog, store, item, seen_keys))
                .collect()
        };
        job.record(outcomes);
        applied += batch.len();
    }
    applied
}

// ----- the per-row rules -----

/// A row's data as text: a URL or text as is, a JSON object as its JSON text.
pub(crate) fn row_data_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn failure(item: &Item, message: String) -> Box<FailedRow> {
    let p = &item.payload;
    Box::new(FailedRow {
        message,
        external_id: p.external_id.clone(),
        global_key: p.global_key.clone(),
        row_data: p.row_data.as_ref().map(row_data_text),
        metadata: p.metadata_fields.clone().unwrap_or_default(),
        attachments: p.attachments.clone().unwrap_or_default(),
    })
}

/// Applies one item to the catalog: create (`AUTO`) or update (`GKEY`, `ID`).
fn apply(
    catalog: &mut Catalog,
    store: &Store,
    item: &Item,
    seen_keys: &mut HashSet<String>,
) -> Outcome {
    let p = &item.payload;
    if let Some(id) = duplicated_schema_id(p.metadata_fields.as_deref().unwrap_or_default()) {
        return Err(failure(
            item,
            format!("A schemaId can only be specified once per DataRow : [{id}]"),
        ));
    }
    let existing = match item.id.kind.as_str() {
        "AUTO" => None,
        "GKEY" => match catalog.global_keys.get(&item.id.value) {
            Some(id) => Some(id.clone()),
            None => {
                let message = format!("Data row with global key '{}' not found", item.id.value);
                return Err(failure(item, message));
            }
        },
        "ID" => match catalog.rows.contains_key(&item.id.value) {
            true => Some(item.id.value.clone()),
            false => {
                let message = format!("Data row with id '{}' not found", item.id.value);
                return Err(failure(item, message));
            }
        },
        other => return Err(failure(item, format!("Invalid key type: '{other}'"))),
    };
    if let Some(gk) = p.global_key.as_deref().filter(|gk| !gk.is_empty()) {
        let owner = catalog.global_keys.get(gk);
        let taken = owner.is_some() && owner != existing.as_ref();
        if taken || !seen_keys.insert(gk.to_string()) {
            return Err(failure(item, format!("Duplicate global key: '{gk}'")));
        }
    }
    match existing {
        None => create(catalog, store, item),
        Some(id) => update(catalog, store, &id, item),
    }
}

fn duplicated_schema_id(fields: &[MetadataField]) -> Option<&str> {
    let mut seen = HashSet::new();
    fields
        .iter()
        .filter_map(|f| f.schema_id.as_deref())
        .find(|id| !seen.insert(*id))
}

fn create(catalog: &mut Catalog, store: &Store, item: &Item) -> Outcome {
    let p = &item.payload;
    let row_data = match &p.row_data {
        Some(v) if !v.is_null() && v.as_str() != Some("") => v.clone(),
        _ => return Err(failure(item, "row_data is required".into())),
    };
    let dataset_id = p.dataset_id.clone().unwrap_or_default();
    if !catalog.datasets.contains_key(&dataset_id) {
        return Err(failure(item, format!("Dataset '{dataset_id}' not found")));
    }
    if let Err(message) = media::check(p.media_type.as_deref(), &row_data) {
        return Err(failure(item, message));
    }
    let metadata = match store
        .metadata
        .resolve(p.metadata_fields.as_deref().unwrap_or_default())
    {
        Ok(metadata) => metadata,
        Err(message) => return Err(failure(item, message)),
    };
    let now = time::now();
    let row = DataRow {
        id: store.new_id(),
        dataset_id: dataset_id.clone(),
        global_key: p.global_key.clone().filter(|gk| !gk.is_empty()),
        external_id: p.external_id.clone(),
        row_data: media::document_url(row_data),
        media_type: p.media_type.clone(),
        metadata,
        attachments: with_ids(store, p.attachments.as_deref()),
        created_at: now,
        updated_at: now,
    };
    if let Some(gk) = &row.global_key {
        catalog.global_keys.insert(gk.clone(), row.id.clone());
    }
    catalog
        .rows_by_dataset
        .entry(dataset_id)
        .or_default()
        .push(row.id.clone());
    let success = success(&row);
    catalog.rows.insert(row.id.clone(), row);
    Ok(success)
}

fn update(catalog: &mut Catalog, store: &Store, id: &str, item: &Item) -> Outcome {
    let p = &item.payload;
    let Some(row) = catalog.rows.get_mut(id) else {
        return Err(failure(item, format!("Data row with id '{id}' not found")));
    };
    let media_type = p.media_type.as_deref().or(row.media_type.as_deref());
    let row_data = p.row_data.as_ref().filter(|v| !v.is_null());
    if let Err(message) = media::check(media_type, row_data.unwrap_or(&row.row_data)) {
        return Err(failure(item, message));
    }
    let metadata = match &p.metadata_fields {
        Some(fields) => match store.metadata.resolve(fields) {
            Ok(metadata) => Some(metadata),
            Err(message) => return Err(failure(item, message)),
        },
        None => None,
    };
    if let Some(v) = p.row_data.as_ref().filter(|v| !v.is_null()) {
        row.row_data = media::document_url(v.clone());
    }
    if let Some(ext) = &p.external_id {
        row.external_id = Some(ext.clone());
    }
    if let Some(media) = &p.media_type {
        row.media_type = Some(media.clone());
    }
    if let Some(metadata) = metadata {
        row.metadata = metadata;
    }
    if p.attachments.is_some() {
        row.attachments = with_ids(store, p.attachments.as_deref());
    }
    row.updated_at = time::now().max(row.created_at);
    let old_key = match p.global_key.as_ref().filter(|gk| !gk.is_empty()) {
        Some(gk) if row.global_key.as_ref() != Some(gk) => row.global_key.replace(gk.clone()),
        _ => None,
    };
    let success = success(row);
    if let Some(old) = old_key {
        catalog.global_keys.remove(&old);
    }
    if let Some(gk) = &success.global_key {
        catalog.global_keys.insert(gk.clone(), id.to_string());
    }
    Ok(success)
}

fn success(row: &DataRow) -> SuccessRow {
    SuccessRow {
        id: row.id.clone(),
        external_id: row.external_id.clone(),
        global_key: row.global_key.clone(),
        row_data: Some(row_data_text(&row.row_data)),
    }
}

/// Attachments as stored: each with an id of its own (`createDataRowAttachment` and
/// `dataRow { attachments }` answer it).
fn with_ids(store: &Store, attachments: Option<&[Attachment]>) -> Vec<Value> {
    attachments
        .unwrap_or_default()
        .iter()
        .map(|a| crate::attachments::stored(store.new_id(), &a.kind, &a.value, a.name.as_deref()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Pace;
    use std::time::Duration;

    fn store_with_dataset() -> (Store, String) {
        let store = Store::new(
            "k".into(),
            Pace {
                rows_per_second: 1000,
                min_task_duration: Duration::ZERO,
                cancel_duration: Duration::ZERO,
            },
        );
        let ds = store.create_dataset("d".into(), None).id;
        (store, ds)
    }

    fn items(json: Value) -> Vec<Item> {
        serde_json::from_value::<Vec<Item>>(json).unwrap_or_default()
    }

    fn apply_all(store: &Store, items: &[Item]) -> Vec<Outcome> {
        let mut seen = HashSet::new();
        let mut catalog = store.catalog();
        items
            .iter()
            .map(|i| apply(&mut catalog, store, i, &mut seen))
            .collect()
    }

    #[test]
    fn duplicate_global_keys_fail_within_an_import_and_across_imports() {
        let (store, ds) = store_with_dataset();
        let first = items(serde_json::json!([
            {"id": {"type": "AUTO", "value": ""}, "payload": {"row_data": "https://a/1.jpg", "global_key": "g1", "dataset_id": ds}},
            {"id": {"type": "AUTO", "value": ""}, "payload": {"row_data": "https://a/2.jpg", "global_key": "g1", "dataset_id": ds}},
        ]));
        let out = apply_all(&store, &first);
        assert!(out[0].is_ok());
        assert_eq!(
            out[1].as_ref().err().map(|f| f.message.as_str()),
            Some("Duplicate global key: 'g1'")
        );
        let again = apply_all(&store, &first[..1]);
        assert_eq!(
            again[0].as_ref().err().map(|f| f.message.as_str()),
            Some("Duplicate global key: 'g1'")
        );
        assert_eq!(store.data_rows(&ds).len(), 1);
    }

    #[test]
    fn schema_id_twice_fails_the_row() {
        let (store, ds) = store_with_dataset();
        let it = items(
            serde_json::json!([{"payload": {"row_data": "https://a", "dataset_id": ds,
            "metadata_fields": [{"schemaId": "s1", "value": "a"}, {"schemaId": "s1", "value": "b"}]}}]),
        );
        let out = apply_all(&store, &it);
        let failed = out[0].as_ref().err().cloned();
        assert_eq!(
            failed.as_ref().map(|f| f.message.as_str()),
            Some("A schemaId can only be specified once per DataRow : [s1]")
        );
        assert_eq!(failed.map(|f| f.metadata.len()), Some(2));
    }

    #[test]
    fn updates_by_global_key_and_id_and_missing_keys_fail() {
        let (store, ds) = store_with_dataset();
        let created = apply_all(
            &store,
            &items(
                serde_json::json!([{"payload": {"row_data": "https://a", "global_key": "g", "dataset_id": ds}}]),
            ),
        );
        let id = created[0]
            .as_ref()
            .map(|r| r.id.clone())
            .unwrap_or_default();
        let out = apply_all(
            &store,
            &items(serde_json::json!([
                {"id": {"type": "GKEY", "value": "g"}, "payload": {"external_id": "e", "global_key": "g2", "dataset_id": ds}},
                {"id": {"type": "ID", "value": id}, "payload": {"row_data": {"text": "hi"}, "dataset_id": ds}},
                {"id": {"type": "GKEY", "value": "missing"}, "payload": {"external_id": "x", "dataset_id": ds}},
            ])),
        );
        assert!(out[0].is_ok() && out[1].is_ok());
        assert!(out[2].is_err());
        let rows = store.data_rows(&ds);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].global_key.as_deref(), Some("g2"));
        assert_eq!(rows[0].external_id.as_deref(), Some("e"));
        assert_eq!(rows[0].row_data, serde_json::json!({"text": "hi"}));
        assert!(!store.catalog().global_keys.contains_key("g"));
    }

    #[test]
    fn pages_walk_with_cursor_and_total() {
        let all: Vec<u32> = (0..12).collect();
        let p1 = page(&all, None, 5).unwrap_or_else(|c| panic!("{c}"));
        assert_eq!(
            (p1.items.len(), p1.after.as_deref(), p1.total),
            (5, Some("5"), 12)
        );
        let p3 = page(&all, Some("10"), 5).unwrap_or_else(|c| panic!("{c}"));
        assert_eq!((p3.items, p3.after), (vec![10, 11], None));
        let end = page(&all, Some("12"), 5).unwrap_or_else(|c| panic!("{c}"));
        assert!(end.items.is_empty());
        for bad in ["13", "x", "-1", "1.5"] {
            assert_eq!(page(&all, Some(bad), 5).err().as_deref(), Some(bad));
        }
    }
}
