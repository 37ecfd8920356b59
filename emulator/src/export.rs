//! Streamable exports (`exportDataRowsInCatalog`, PROTOCOL 3.9): which rows a selection names,
//! the shape of each line, the NDJSON streams cut into served files, and the background thread
//! that writes them at the emulator's pace.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

use crate::attachments;
use crate::schedule;
use crate::store::{status, Catalog, DataRow, Store, TaskSeed};
use crate::time;

/// The task type of exports.
pub(crate) const EXPORT_TASK_TYPE: &str = "export-data-rows";
/// Rows written per catalog-lock acquisition: keeps other requests responsive during big exports.
const BATCH: usize = 2_000;
/// Content type of the stream's files.
const NDJSON: &str = "application/x-ndjson";

/// One export: what to write, its cancel request, and its streams once written.
pub(crate) struct ExportJob {
    /// When a cancel was requested (set once, by `cancel::request`).
    pub(crate) cancel: OnceLock<Instant>,
    selection: Selection,
    include: Include,
    streams: OnceLock<Streams>,
}

impl ExportJob {
    pub(crate) fn new(selection: Selection, include: Include) -> Self {
        ExportJob {
            cancel: OnceLock::new(),
            selection,
            include,
            streams: OnceLock::new(),
        }
    }

    /// A job whose streams are already written (seeded exports).
    fn written(streams: Streams) -> Self {
        let job = ExportJob::new(Selection::default(), Include::default());
        let _ = job.streams.set(streams);
        job
    }

    /// The stream of `kind`, once the export is written; `None` when it has no such stream.
    pub(crate) fn stream(&self, kind: StreamKind) -> Option<&Stream> {
        let streams = self.streams.get()?;
        match kind {
            StreamKind::Result => streams.result.as_ref(),
            StreamKind::Errors => streams.errors.as_ref(),
        }
    }
}

/// The rows an export names, every part ANDed; no part at all is the whole catalog.
#[derive(Default, Debug, Clone, PartialEq)]
pub(crate) struct Selection {
    pub(crate) dataset: Option<String>,
    pub(crate) data_row_ids: Option<Vec<String>>,
    pub(crate) global_keys: Option<Vec<String>>,
    /// A project export: the project's rows only, with their `projects` part.
    pub(crate) project: Option<crate::project_export::ProjectScope>,
    /// A model-run export: the run's rows only, with their `experiments` part.
    pub(crate) model_run: Option<String>,
}

/// What a scoped export adds to a row's line.
pub(crate) enum Part {
    /// The `projects` part of a project export's line.
    Projects(Value),
    /// The `experiments` part of a model-run export's line (which has no `projects`).
    Experiments(Value),
}

/// Which optional parts each line carries (the `include*` params).
#[derive(Default, Debug, Clone, Copy, PartialEq)]
pub(crate) struct Include {
    pub(crate) details: bool,
    pub(crate) attachments: bool,
    pub(crate) metadata: bool,
    pub(crate) embeddings: bool,
}

/// `TaskStreamType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamKind {
    Result,
    Errors,
}

#[derive(Default)]
struct Streams {
    result: Option<Stream>,
    errors: Option<Stream>,
}

/// A written stream: its files in order, and its size in bytes and lines.
pub(crate) struct Stream {
    pub(crate) files: Vec<StreamFile>,
    pub(crate) total_size: u64,
    pub(crate) total_lines: u64,
}

/// One file of a stream: its URL, the bytes and lines of the stream it holds (inclusive).
pub(crate) struct StreamFile {
    pub(crate) url: String,
    pub(crate) offsets: (u64, u64),
    pub(crate) lines: (u64, u64),
}

impl Stream {
    /// The file that holds byte `offset`, `None` past the end.
    pub(crate) fn file_at(&self, offset: u64) -> Option<&StreamFile> {
        let after = self.files.partition_point(|f| f.offsets.0 <= offset);
        let file = self.files.get(after.checked_sub(1)?)?;
        (offset <= file.offsets.1).then_some(file)
    }
}

/// Writes NDJSON lines into files of at most `max_file_size` bytes (whole lines only: a longer
/// line gets a file of its own), each served by the store as soon as it is full.
struct StreamWriter<'a> {
    store: &'a Store,
    max_file_size: usize,
    current: Vec<u8>,
    current_lines: u64,
    files: Vec<StreamFile>,
    size: u64,
    lines: u64,
}

impl<'a> StreamWriter<'a> {
    fn new(store: &'a Store) -> Self {
        StreamWriter {
            store,
            max_file_size: store.export_file_size.max(1),
            current: Vec::new(),
            current_lines: 0,
            files: Vec::new(),
            size: 0,
            lines: 0,
        }
    }

    /// Appends `line` (without its newline).
    fn push(&mut self, line: &[u8]) {
        if !self.current.is_empty() && self.current.len() + line.len() + 1 > self.max_file_size {
            self.cut();
        }
        self.current.extend_from_slice(line);
        self.current.push(b'\n');
        self.current_lines += 1;
    }

    fn cut(&mut self) {
        let len = self.current.len() as u64;
        let bytes = std::mem::take(&mut self.current);
        let url = self.store.put_file(bytes, NDJSON);
        self.files.push(StreamFile {
            url,
            offsets: (self.size, self.size + len - 1),
            lines: (self.lines, self.lines + self.current_lines - 1),
        });
        self.size += len;
        self.lines += self.current_lines;
        self.current_lines = 0;
    }

    /// The written stream; `None` when no line was written (the stream does not exist).
    fn finish(mut self) -> Option<Stream> {
        if !self.current.is_empty() {
            self.cut();
        }
        (self.lines > 0).then_some(Stream {
            files: self.files,
            total_size: self.size,
            total_lines: self.lines,
        })
    }
}

/// A stream of the given lines (each without its newline), cut into files like any export's.
fn write_lines(store: &Store, lines: impl IntoIterator<Item = String>) -> Option<Stream> {
    let mut writer = StreamWriter::new(store);
    for line in lines {
        writer.push(line.as_bytes());
    }
    writer.finish()
}

/// Inserts a finished (`COMPLETE`) export task whose streams hold the given lines.
pub(crate) fn insert_written(
    store: &Store,
    result: impl IntoIterator<Item = String>,
    errors: impl IntoIterator<Item = String>,
) -> String {
    let streams = Streams {
        result: write_lines(store, result),
        errors: write_lines(store, errors),
    };
    let seed = TaskSeed {
        name: "Seeded export".into(),
        task_type: EXPORT_TASK_TYPE.into(),
        status: status::COMPLETE.into(),
        completion_percentage: Some(1.0),
        ..TaskSeed::default()
    };
    store.insert_export_task(seed, Arc::new(ExportJob::written(streams)))
}

// ----- the selection -----

/// The ids of the selected rows, in catalog order (a dataset's rows in creation order; ids and
/// global keys in the order given, each row once). Unknown ids and keys select nothing.
fn select(catalog: &Catalog, selection: &Selection) -> Vec<String> {
    let named: Option<Vec<&str>> = match (&selection.data_row_ids, &selection.global_keys) {
        (Some(ids), _) => Some(ids.iter().map(String::as_str).collect()),
        (None, Some(keys)) => Some(
            keys.iter()
                .filter_map(|k| catalog.global_keys.get(k).map(String::as_str))
                .collect(),
        ),
        (None, None) => None,
    };
    let in_dataset = |row: &DataRow| {
        selection
            .dataset
            .as_ref()
            .is_none_or(|d| &row.dataset_id == d)
    };
    match named {
        Some(ids) => {
            let mut seen = HashSet::new();
            ids.into_iter()
                .filter(|id| seen.insert(*id))
                .filter(|id| catalog.rows.get(*id).is_some_and(in_dataset))
                .map(str::to_string)
                .collect()
        }
        None => {
            let mut datasets: Vec<&String> = match &selection.dataset {
                Some(d) => vec![d],
                None => catalog.rows_by_dataset.keys().collect(),
            };
            // Ids grow with creation, so this is the datasets' creation order.
            datasets.sort();
            datasets
                .into_iter()
                .filter_map(|d| catalog.rows_by_dataset.get(d))
                .flatten()
                .cloned()
                .collect()
        }
    }
}

// ----- the shape of a line -----

#[derive(Serialize)]
struct Line<'a> {
    data_row: LineRow<'a>,
    media_attributes: MediaAttributes,
    #[serde(skip_serializing_if = "Option::is_none")]
    attachments: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata_fields: Option<Vec<LineMetadata<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    embeddings: Option<[(); 0]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    projects: Option<&'a Value>,
    experiments: &'a Value,
}

#[derive(Serialize)]
struct LineRow<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    global_key: Option<&'a str>,
    row_data: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<Details<'a>>,
}

#[derive(Serialize)]
struct Details<'a> {
    dataset_id: &'a str,
    dataset_name: &'a str,
    created_at: String,
    updated_at: String,
    last_activity_at: String,
    created_by: &'a str,
}

#[derive(Serialize)]
struct LineMetadata<'a> {
    schema_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    schema_name: Option<&'a str>,
    value: &'a Value,
}

#[derive(Serialize, Default)]
struct MediaAttributes {
    #[serde(skip_serializing_if = "Option::is_none")]
    asset_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mime_type: Option<&'static str>,
}

/// Serializes `row`'s line into `out` (cleared first).
fn write_line(
    catalog: &Catalog,
    store: &Store,
    include: Include,
    row: &DataRow,
    part: Option<&Part>,
    out: &mut Vec<u8>,
) {
    out.clear();
    // `{}`: a data row in no project and no model run.
    let empty = Value::Object(serde_json::Map::new());
    let row_data = match &row.row_data {
        Value::String(s) => Cow::Borrowed(s.as_str()),
        other => Cow::Owned(other.to_string()),
    };
    let details = include.details.then(|| Details {
        dataset_id: &row.dataset_id,
        dataset_name: catalog
            .datasets
            .get(&row.dataset_id)
            .map_or("", |d| d.name.as_str()),
        created_at: time::format(row.created_at),
        updated_at: time::format(row.updated_at),
        last_activity_at: time::format(row.updated_at),
        created_by: &store.identity.email,
    });
    let line = Line {
        data_row: LineRow {
            id: &row.id,
            global_key: row.global_key.as_deref(),
            row_data,
            external_id: row.external_id.as_deref(),
            details,
        },
        media_attributes: media_attributes(row),
        attachments: include
            .attachments
            .then(|| row.attachments.iter().map(attachments::as_given).collect()),
        metadata_fields: include
            .metadata
            .then(|| row.metadata.iter().map(line_metadata).collect()),
        embeddings: include.embeddings.then_some([]),
        projects: match part {
            Some(Part::Projects(projects)) => Some(projects),
            Some(Part::Experiments(_)) => None,
            None => Some(&empty),
        },
        experiments: match part {
            Some(Part::Experiments(experiments)) => experiments,
            _ => &empty,
        },
    };
    // Writing into a Vec cannot fail, and every part is plain data.
    let _ = serde_json::to_writer(&mut *out, &line);
}

/// A stored metadata field (`{"schemaId", "value", "name"}`) as an export line shows it.
fn line_metadata(field: &Value) -> LineMetadata<'_> {
    let text = |key: &str| field.get(key).and_then(Value::as_str);
    LineMetadata {
        schema_id: text("schemaId").or_else(|| text("schema_id")),
        schema_name: text("name"),
        value: field.get("value").unwrap_or(&Value::Null),
    }
}

/// What the emulator can tell of an asset without fetching it: its kind and MIME type, from the
/// imported media type or the URL's extension.
fn media_attributes(row: &DataRow) -> MediaAttributes {
    const BY_EXTENSION: [(&str, &str, &str); 12] = [
        ("jpg", "image", "image/jpeg"),
        ("jpeg", "image", "image/jpeg"),
        ("png", "image", "image/png"),
        ("gif", "image", "image/gif"),
        ("webp", "image", "image/webp"),
        ("mp4", "video", "video/mp4"),
        ("mp3", "audio", "audio/mpeg"),
        ("wav", "audio", "audio/wav"),
        ("pdf", "pdf", "application/pdf"),
        ("txt", "text", "text/plain"),
        ("html", "html", "text/html"),
        ("json", "conversational", "application/json"),
    ];
    let extension = row
        .row_data
        .as_str()
        .and_then(|url| url.split(['?', '#']).next())
        .and_then(|path| path.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase());
    let known = extension.and_then(|ext| BY_EXTENSION.iter().find(|(e, _, _)| *e == ext));
    MediaAttributes {
        asset_type: known.map(|(_, asset, _)| *asset),
        mime_type: known.map(|(_, _, mime)| *mime),
    }
}

// ----- the background thread -----

/// Starts writing the export of task `task_id` on its own thread.
pub(crate) fn spawn(store: &Arc<Store>, task_id: String, job: Arc<ExportJob>) {
    schedule::spawn(store, task_id, "export", move |store, id| {
        run(store, id, &job)
    });
}

fn run(store: &Store, task_id: &str, job: &ExportJob) {
    let (ids, parts) = scoped_rows(store, &job.selection);
    let mut writer = Some(StreamWriter::new(store));
    schedule::run(store, task_id, &job.cancel, ids.len(), |due| {
        let Some(out) = writer.as_mut() else {
            return 0;
        };
        let written = write_batches(store, job, &ids, &parts, due, out);
        // All written: the streams are complete before the task is (the header is served
        // only once the task is COMPLETE).
        if written.end == ids.len() {
            if let Some(out) = writer.take() {
                let _ = job.streams.set(Streams {
                    result: out.finish(),
                    errors: None,
                });
            }
        }
        written.len()
    });
}

/// The rows an export writes, in order, with the part its scope (a project, a model run) adds
/// to each line.
fn scoped_rows(store: &Store, selection: &Selection) -> (Vec<String>, HashMap<String, Part>) {
    if let Some(run_id) = &selection.model_run {
        let (ids, parts) = crate::models::export_parts(&store.projects.lock(), run_id);
        let parts = parts
            .into_iter()
            .map(|(id, part)| (id, Part::Experiments(part)))
            .collect();
        return (ids, parts);
    }
    match &selection.project {
        Some(scope) => {
            let (ids, parts) = crate::project_export::select(store, scope);
            // The ids and keys named narrow the project's rows.
            let named = select(
                &store.catalog(),
                &Selection {
                    project: None,
                    ..selection.clone()
                },
            );
            let named: HashSet<&String> = named.iter().collect();
            let narrowed = selection.data_row_ids.is_some() || selection.global_keys.is_some();
            let ids: Vec<String> = ids
                .into_iter()
                .filter(|id| !narrowed || named.contains(id))
                .collect();
            let parts = parts
                .into_iter()
                .map(|(id, part)| (id, Part::Projects(part)))
                .collect();
            (ids, parts)
        }
        None => (select(&store.catalog(), selection), HashMap::new()),
    }
}

/// Writes the lines of `ids[due]` in batches of [`BATCH`] (the catalog lock is released between
/// batches); stops early at a cancel. Answers the range written. A row deleted meanwhile is
/// left out.
fn write_batches(
    store: &Store,
    job: &ExportJob,
    ids: &[String],
    parts: &HashMap<String, Part>,
    due: Range<usize>,
    out: &mut StreamWriter<'_>,
) -> Range<usize> {
    let mut line = Vec::with_capacity(512);
    let mut end = due.start;
    for batch in ids[due.clone()].chunks(BATCH) {
        if job.cancel.get().is_some() {
            break;
        }
        let catalog = store.catalog();
        for id in batch {
            if let Some(row) = catalog.rows.get(id) {
                write_line(&catalog, store, job.include, row, parts.get(id), &mut line);
                out.push(&line);
            }
        }
        end += batch.len();
    }
    due.start..end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Pace;
    use std::time::{Duration, SystemTime};

    fn store(file_size: usize) -> Store {
        let pace = Pace {
            rows_per_second: 1000,
            min_task_duration: Duration::ZERO,
            cancel_duration: Duration::ZERO,
        };
        Store::new("k".into(), pace).with_export_file_size(file_size)
    }

    #[test]
    fn lines_are_cut_into_files_at_line_borders() {
        let s = store(10);
        let lines = ["aaaa", "bbbb", "cccccccccccccc", "d"].map(String::from);
        let stream = write_lines(&s, lines).expect("a stream");
        let spans: Vec<_> = stream.files.iter().map(|f| (f.offsets, f.lines)).collect();
        // "aaaa\nbbbb\n" fills 10 bytes; the long line gets a file of its own.
        assert_eq!(
            spans,
            vec![((0, 9), (0, 1)), ((10, 24), (2, 2)), ((25, 26), (3, 3))]
        );
        assert_eq!((stream.total_size, stream.total_lines), (27, 4));
        let body = s
            .file_by_url(&stream.files[1].url)
            .map(|f| f.bytes.to_vec());
        assert_eq!(body.as_deref(), Some(&b"cccccccccccccc\n"[..]));
        assert_eq!(stream.file_at(9).map(|f| f.lines), Some((0, 1)));
        assert_eq!(stream.file_at(10).map(|f| f.lines), Some((2, 2)));
        assert_eq!(stream.file_at(26).map(|f| f.lines), Some((3, 3)));
        assert!(stream.file_at(27).is_none());
        assert!(write_lines(&s, Vec::new()).is_none());
    }

    fn row(id: &str, dataset: &str, gk: Option<&str>) -> DataRow {
        DataRow {
            id: id.into(),
            dataset_id: dataset.into(),
            global_key: gk.map(String::from),
            external_id: None,
            row_data: Value::String(format!("https://example.com/{id}.png")),
            media_type: None,
            metadata: vec![serde_json::json!({"schemaId": "s1", "value": "v", "name": "tag"})],
            attachments: vec![serde_json::json!({"type": "RAW_TEXT", "value": "hi", "name": null})],
            created_at: SystemTime::UNIX_EPOCH,
            updated_at: SystemTime::UNIX_EPOCH,
        }
    }

    fn catalog() -> Catalog {
        let mut c = Catalog::default();
        for (id, ds, gk) in [
            ("r1", "d1", Some("g1")),
            ("r2", "d1", None),
            ("r3", "d2", Some("g3")),
        ] {
            c.rows.insert(id.into(), row(id, ds, gk));
            c.rows_by_dataset
                .entry(ds.into())
                .or_default()
                .push(id.into());
            if let Some(gk) = gk {
                c.global_keys.insert(gk.into(), id.into());
            }
        }
        c
    }

    #[test]
    fn selections_and_their_intersections() {
        let c = catalog();
        let pick = |dataset: Option<&str>, ids: Option<&[&str]>, keys: Option<&[&str]>| {
            let to = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
            select(
                &c,
                &Selection {
                    dataset: dataset.map(String::from),
                    data_row_ids: ids.map(to),
                    global_keys: keys.map(to),
                    project: None,
                    model_run: None,
                },
            )
        };
        assert_eq!(pick(Some("d1"), None, None), ["r1", "r2"]);
        assert_eq!(pick(None, None, None), ["r1", "r2", "r3"]);
        assert_eq!(
            pick(None, Some(&["r3", "nope", "r1", "r3"]), None),
            ["r3", "r1"]
        );
        assert_eq!(pick(None, None, Some(&["g3", "missing"])), ["r3"]);
        assert_eq!(pick(Some("d1"), Some(&["r1", "r3"]), None), ["r1"]);
        assert!(pick(Some("unknown"), None, None).is_empty());
    }

    #[test]
    fn lines_carry_what_the_params_include() {
        let s = store(1000);
        let c = catalog();
        let r = &c.rows["r1"];
        let mut out = Vec::new();
        write_line(&c, &s, Include::default(), r, None, &mut out);
        let bare: Value = serde_json::from_slice(&out).unwrap_or_default();
        assert_eq!(
            bare,
            serde_json::json!({"data_row": {"id": "r1", "global_key": "g1", "row_data": "https://example.com/r1.png"},
                "media_attributes": {"asset_type": "image", "mime_type": "image/png"},
                "projects": {}, "experiments": {}})
        );
        let all = Include {
            details: true,
            attachments: true,
            metadata: true,
            embeddings: true,
        };
        write_line(&c, &s, all, r, None, &mut out);
        let full: Value = serde_json::from_slice(&out).unwrap_or_default();
        assert_eq!(full["data_row"]["details"]["dataset_id"], "d1");
        assert_eq!(
            full["data_row"]["details"]["created_at"],
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(full["attachments"][0]["type"], "RAW_TEXT");
        assert_eq!(
            full["metadata_fields"],
            serde_json::json!([{"schema_id": "s1", "schema_name": "tag", "value": "v"}])
        );
        assert_eq!(full["embeddings"], serde_json::json!([]));
    }
}
