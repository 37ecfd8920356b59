//! The import upload (PROTOCOL 3.6 steps 2-4): items cut into JSON-array chunks of at most
//! 10,000,000 bytes, each chunk and then the manifest sent with `uploadFile`, then one
//! `upsertDataRows` mutation.
//!
//! Chunks are built and uploaded one at a time, in item order, so the memory used is one chunk
//! plus the list of chunk URLs, whatever the number of items.

use std::borrow::Borrow;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{Error, Result};
use crate::import::data_row::{check_import, encode_item, ImportItem};
use crate::task::{Task, TaskData};
use crate::Client;

/// The service's limit on one chunk: 10,000,000 bytes of JSON.
pub const MAX_CHUNK_BYTES: usize = 10_000_000;

/// Cuts encoded items into JSON arrays (`[item,item,...]`) of at most `limit` bytes.
///
/// Items stay in order and whole. An item that alone exceeds the limit becomes a chunk of its
/// own (as in the official SDK): the service decides whether to accept it.
#[derive(Debug)]
pub(crate) struct Chunker {
    limit: usize,
    current: Vec<u8>,
    items_in_current: usize,
}

impl Chunker {
    pub(crate) fn new(limit: usize) -> Self {
        Chunker {
            limit,
            current: Vec::new(),
            items_in_current: 0,
        }
    }

    /// Adds one encoded item; returns the previous chunk when the item did not fit in it.
    pub(crate) fn push(&mut self, item: &[u8]) -> Option<Vec<u8>> {
        // Size of the current chunk with this item and the closing bracket.
        let grown = self.current.len() + usize::from(self.items_in_current > 0) + item.len() + 1;
        let finished = if self.items_in_current > 0 && grown > self.limit {
            self.take()
        } else {
            None
        };
        if self.items_in_current == 0 {
            self.current.push(b'[');
        } else {
            self.current.push(b',');
        }
        self.current.extend_from_slice(item);
        self.items_in_current += 1;
        finished
    }

    /// The last chunk, if any item is left.
    pub(crate) fn finish(mut self) -> Option<Vec<u8>> {
        self.take()
    }

    fn take(&mut self) -> Option<Vec<u8>> {
        if self.items_in_current == 0 {
            return None;
        }
        self.current.push(b']');
        self.items_in_current = 0;
        Some(std::mem::take(&mut self.current))
    }
}

/// The manifest uploaded after the chunks (PROTOCOL 3.6 step 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Manifest {
    pub(crate) source: &'static str,
    pub(crate) item_count: usize,
    pub(crate) chunk_uris: Vec<String>,
}

impl Manifest {
    pub(crate) fn new(item_count: usize, chunk_uris: Vec<String>) -> Self {
        Manifest {
            source: "SDK",
            item_count,
            chunk_uris,
        }
    }
}

/// Options of an import call ([`Dataset::upsert_data_rows_with`](crate::Dataset::upsert_data_rows_with)).
///
/// ```
/// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
/// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
/// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
/// # let dataset_id = &emulator.create_dataset("pets");
/// use labelbox::{Client, DataRowSpec, ImportOptions, RowData};
///
/// let dataset = Client::from_env()?.get_dataset(dataset_id)?;
/// let specs = [DataRowSpec::new(RowData::url("https://example.com/1.jpg"))];
/// // Smaller uploads, e.g. over a slow link: 1 MB chunks instead of 10 MB.
/// let options = ImportOptions::default().max_chunk_bytes(1_000_000);
/// let task = dataset.create_data_rows_with(&specs, &options)?;
/// # Ok::<_, labelbox::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    max_chunk_bytes: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            max_chunk_bytes: MAX_CHUNK_BYTES,
        }
    }
}

impl ImportOptions {
    /// Sets the largest chunk, in bytes of JSON (default and maximum [`MAX_CHUNK_BYTES`];
    /// smaller values make more, smaller uploads). Values are clamped to `1..=MAX_CHUNK_BYTES`.
    #[must_use]
    pub fn max_chunk_bytes(mut self, bytes: usize) -> Self {
        self.max_chunk_bytes = bytes.clamp(1, MAX_CHUNK_BYTES);
        self
    }
}

const UPSERT_MUTATION: &str = "mutation UpsertDataRowsPyApi($manifestUri: String!) {
  upsertDataRows(data: {manifestUri: $manifestUri}) { id createdAt updatedAt name status completionPercentage result errors type metadata }
}";

const CHUNK_FILE_NAME: &str = "json_import.json";
const MANIFEST_FILE_NAME: &str = "manifest.json";
const JSON_CONTENT_TYPE: &str = "application/json";

/// Validates every item, uploads the chunks and the manifest, then starts the import with one
/// `upsertDataRows`. Nothing is sent when an item is refused.
///
/// The source is read twice, checked in a first pass and encoded in a second, so it need not
/// sit in memory: the upload holds one chunk at a time. A source that does not give the same
/// number of items twice (a file that changed between the passes) starts no import.
pub(crate) fn import<T, I>(
    client: &Client,
    dataset_id: &str,
    items: I,
    options: &ImportOptions,
) -> Result<Task>
where
    T: ImportItem,
    I: IntoIterator + Clone,
    I::Item: Borrow<T>,
{
    let checked = check_import::<T, _>(items.clone())?;
    let manifest = upload_chunks::<T, _>(client, dataset_id, items, options.max_chunk_bytes)?;
    if manifest.item_count != checked {
        return Err(Error::invalid_input(
            "items",
            format!(
                "the source gave {checked} items when checked and {} when uploaded; \
                 no import was started",
                manifest.item_count
            ),
        ));
    }
    let manifest_bytes = serde_json::to_vec(&manifest)
        .map_err(|e| Error::invalid_input("manifest", e.to_string()))?;
    let manifest_url =
        client
            .transport()
            .upload_file(MANIFEST_FILE_NAME, JSON_CONTENT_TYPE, &manifest_bytes)?;
    log::debug!(
        "uploaded {} items in {} chunks; starting the import",
        manifest.item_count,
        manifest.chunk_uris.len()
    );
    start_import(client, &manifest_url)
}

/// Encodes and uploads the chunks one at a time, in order.
fn upload_chunks<T, I>(
    client: &Client,
    dataset_id: &str,
    items: I,
    limit: usize,
) -> Result<Manifest>
where
    T: ImportItem,
    I: IntoIterator,
    I::Item: Borrow<T>,
{
    let transport = client.transport();
    let upload = |chunk: Vec<u8>| {
        log::debug!("uploading an import chunk of {} bytes", chunk.len());
        transport.upload_file(CHUNK_FILE_NAME, JSON_CONTENT_TYPE, &chunk)
    };
    let mut chunker = Chunker::new(limit);
    let mut chunk_uris = Vec::new();
    let mut encoded = Vec::new();
    let mut count = 0;
    for (index, item) in items.into_iter().enumerate() {
        let (key, spec) = item.borrow().parts();
        encoded.clear();
        encode_item(key, spec, dataset_id, &mut encoded)
            .map_err(|e| Error::invalid_input(&format!("items[{index}]"), e.to_string()))?;
        count += 1;
        if let Some(chunk) = chunker.push(&encoded) {
            chunk_uris.push(upload(chunk)?);
        }
    }
    if let Some(chunk) = chunker.finish() {
        chunk_uris.push(upload(chunk)?);
    }
    Ok(Manifest::new(count, chunk_uris))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpsertAnswer {
    upsert_data_rows: Option<TaskData>,
}

/// Sends `upsertDataRows` once. It is a mutation: after an ambiguous failure it is not sent
/// again (a second one would import every row twice); the error says it may have started.
fn start_import(client: &Client, manifest_url: &str) -> Result<Task> {
    let answer: UpsertAnswer = client
        .transport()
        .mutate(UPSERT_MUTATION, json!({"manifestUri": manifest_url}))?;
    let task = answer
        .upsert_data_rows
        .ok_or_else(|| Error::decode("upsertDataRows answered null", ""))?;
    Ok(Task::from_data(client.clone(), task))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(items: &[&str], limit: usize) -> Vec<String> {
        let mut chunker = Chunker::new(limit);
        let mut out = Vec::new();
        for item in items {
            out.extend(chunker.push(item.as_bytes()));
        }
        out.extend(chunker.finish());
        out.into_iter()
            .map(|c| String::from_utf8(c).unwrap())
            .collect()
    }

    #[test]
    fn everything_fits_in_one_chunk() {
        assert_eq!(chunks(&["1", "22", "333"], 100), vec!["[1,22,333]"]);
    }

    #[test]
    fn no_items_no_chunks() {
        assert!(chunks(&[], 100).is_empty());
    }

    #[test]
    fn chunks_respect_the_limit_exactly() {
        // "[1,22]" is 6 bytes: fits a limit of 6; adding ",333" would make 10.
        assert_eq!(chunks(&["1", "22", "333"], 6), vec!["[1,22]", "[333]"]);
        assert_eq!(chunks(&["1", "22", "333"], 5), vec!["[1]", "[22]", "[333]"]);
    }

    #[test]
    fn an_oversized_item_is_a_chunk_of_its_own() {
        assert_eq!(
            chunks(&["1", "4444444", "2"], 5),
            vec!["[1]", "[4444444]", "[2]"]
        );
    }

    #[test]
    fn every_chunk_is_valid_json_within_the_limit_and_order_is_kept() {
        let items: Vec<String> = (0..1000).map(|i| format!("{{\"n\":{i}}}")).collect();
        let refs: Vec<&str> = items.iter().map(String::as_str).collect();
        let got = chunks(&refs, 300);
        assert!(got.len() > 10);
        let mut seen = Vec::new();
        for chunk in &got {
            assert!(chunk.len() <= 300);
            let values: Vec<serde_json::Value> = serde_json::from_str(chunk).unwrap();
            seen.extend(values.into_iter().map(|v| v["n"].as_u64().unwrap()));
        }
        assert_eq!(seen, (0..1000).collect::<Vec<u64>>());
    }

    #[test]
    fn manifest_has_the_wire_shape() {
        let manifest = Manifest::new(3, vec!["u1".into(), "u2".into()]);
        assert_eq!(
            serde_json::to_value(&manifest).unwrap(),
            serde_json::json!({"source": "SDK", "item_count": 3, "chunk_uris": ["u1", "u2"]})
        );
    }
}
