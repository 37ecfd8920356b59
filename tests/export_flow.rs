//! Exports end to end against the emulator: export a dataset, stream back exactly the rows
//! created across several files, by ids and global keys, unknown ids, the errors stream,
//! resuming, and cancelling a running export.

mod import_support;

use std::collections::BTreeSet;
use std::time::Duration;

use import_support::*;
use labelbox::{
    Client, Dataset, Error, ExportOptions, ExportSelection, ExportTask, ExportedRow, StreamStart,
    StreamType, TaskStatus,
};
use labelbox_emulator::Emulator;
use serde_json::Value;

/// Small files, so every stream here crosses file borders.
const FILE_SIZE: usize = 2_048;

fn export_emulator() -> Emulator {
    start(fast_emulator().export_file_size(FILE_SIZE))
}

/// A dataset of `n` imported rows (`{prefix}-{i}` global keys) and the ids created.
fn dataset_with_rows(client: &Client, prefix: &str, n: usize) -> (Dataset, Vec<String>) {
    let dataset = client.create_dataset(prefix).unwrap();
    let mut import = dataset.create_data_rows(&specs(prefix, n)).unwrap();
    assert_eq!(
        import.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );
    let ids = import
        .result()
        .unwrap()
        .into_iter()
        .map(|r| r.id().to_owned())
        .collect();
    (dataset, ids)
}

fn finished(mut export: ExportTask) -> ExportTask {
    assert_eq!(
        export.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );
    export
}

fn streamed(export: &ExportTask) -> Vec<ExportedRow> {
    export
        .stream_as::<ExportedRow>(StreamType::Result)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn id_set(rows: &[ExportedRow]) -> BTreeSet<String> {
    rows.iter().map(|r| r.data_row.id.clone()).collect()
}

#[test]
fn a_dataset_export_streams_back_every_row_created_across_files() {
    let emu = export_emulator();
    let client = client(&emu);
    let (dataset, created) = dataset_with_rows(&client, "all", 300);
    let export = finished(
        dataset
            .export(ExportOptions::new().include_metadata(true))
            .unwrap(),
    );
    assert_eq!(export.task_type(), "export-data-rows");
    assert!(export.has_result().unwrap());
    assert!(!export.has_errors().unwrap());
    assert_eq!(export.total_lines(StreamType::Result).unwrap(), Some(300));
    let size = export.total_size(StreamType::Result).unwrap().unwrap();
    assert!(size > 4 * FILE_SIZE as u64, "several files: {size} bytes");

    let rows = streamed(&export);
    assert_eq!(rows.len(), 300, "rows seen = rows created");
    assert_eq!(id_set(&rows), created.iter().cloned().collect());
    let keys: BTreeSet<_> = rows
        .iter()
        .filter_map(|r| r.data_row.global_key.clone())
        .collect();
    assert_eq!(keys.len(), 300);
    assert!(rows.iter().all(|r| r.data_row.row_data.is_some()));

    // Files were asked one by one from offset 0, each once, never at or past the end, and
    // the header once per stream (RESULT, ERRORS).
    let offsets: Vec<u64> = operations(&emu, "GetExportFileFromOffsetPyApi")
        .iter()
        .map(|v| {
            v["offset"]
                .as_str()
                .expect("offsets are strings")
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(offsets[0], 0);
    assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
    assert!(offsets.iter().all(|o| *o < size));
    assert!(offsets.len() as u64 >= size.div_ceil(FILE_SIZE as u64));
    assert_eq!(operations(&emu, "GetExportMetadataHeaderPyApi").len(), 2);
}

/// The variables of every request of this operation, in order.
fn operations(emu: &Emulator, name: &str) -> Vec<Value> {
    emu.requests()
        .into_iter()
        .filter(|r| r.operation.as_deref() == Some(name))
        .map(|r| r.variables)
        .collect()
}

#[test]
fn value_rows_carry_what_the_options_include() {
    let emu = export_emulator();
    let client = client(&emu);
    let (dataset, _) = dataset_with_rows(&client, "val", 3);
    let export = finished(
        dataset
            .export(ExportOptions::new().include_data_row_details(true))
            .unwrap(),
    );
    let rows: Vec<Value> = export
        .stream(StreamType::Result)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        let data_row = labelbox::ExportedDataRow::from_row(row).unwrap();
        assert!(!data_row.id.is_empty());
        assert!(row["data_row"].get("details").is_some(), "{row}");
    }
}

#[test]
fn exports_by_ids_and_by_global_keys_stream_exactly_those_rows() {
    let emu = export_emulator();
    let client = client(&emu);
    let (dataset, created) = dataset_with_rows(&client, "sel", 40);

    let some_ids: Vec<String> = created.iter().step_by(3).cloned().collect();
    let by_ids = finished(
        client
            .export_data_rows(ExportSelection::data_row_ids(some_ids.clone()))
            .unwrap(),
    );
    assert_eq!(id_set(&streamed(&by_ids)), some_ids.into_iter().collect());

    let keys = ["sel-1", "sel-7", "sel-39"];
    let by_keys = finished(
        client
            .export_data_rows(ExportSelection::global_keys(keys))
            .unwrap(),
    );
    let rows = streamed(&by_keys);
    let got: BTreeSet<_> = rows
        .iter()
        .filter_map(|r| r.data_row.global_key.clone())
        .collect();
    assert_eq!(got, keys.iter().map(|k| k.to_string()).collect());

    let in_dataset = finished(
        dataset
            .export_selected(ExportSelection::global_keys(["sel-2", "sel-3"]))
            .unwrap(),
    );
    assert_eq!(streamed(&in_dataset).len(), 2);
}

#[test]
fn an_export_of_unknown_ids_has_no_streams() {
    let emu = export_emulator();
    let client = client(&emu);
    let export = finished(
        client
            .export_data_rows(ExportSelection::data_row_ids(["no-such-row"]))
            .unwrap(),
    );
    assert!(!export.has_result().unwrap());
    assert!(!export.has_errors().unwrap());
    assert_eq!(export.total_lines(StreamType::Result).unwrap(), None);
    match export.stream(StreamType::Result) {
        Err(Error::ExportStreamMissing { stream, .. }) => assert_eq!(stream, StreamType::Result),
        other => panic!("expected ExportStreamMissing, got {other:?}"),
    }
}

#[test]
fn a_stopped_stream_resumes_where_it_stopped_by_offset_or_line() {
    let emu = export_emulator();
    let client = client(&emu);
    let (dataset, _) = dataset_with_rows(&client, "res", 120);
    let export = finished(dataset.export(ExportOptions::new()).unwrap());
    let all = streamed(&export);

    let mut first = export.stream_as::<ExportedRow>(StreamType::Result).unwrap();
    let head: Vec<_> = first.by_ref().take(47).collect::<Result<_, _>>().unwrap();
    let stopped = first.position();
    assert_eq!(stopped.line, 47);
    drop(first);

    let by_offset: Vec<ExportedRow> = export
        .stream_from(StreamType::Result, StreamStart::Offset(stopped.offset))
        .unwrap()
        .decode_as::<ExportedRow>()
        .collect::<Result<_, _>>()
        .unwrap();
    let by_line: Vec<ExportedRow> = export
        .stream_from(StreamType::Result, StreamStart::Line(stopped.line))
        .unwrap()
        .decode_as::<ExportedRow>()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(by_offset, by_line);
    let resumed: Vec<_> = head.into_iter().chain(by_offset).collect();
    assert_eq!(resumed, all, "nothing lost, nothing twice");
}

/// Raw lines across files: the same rows as the decoded stream, each line byte for byte as
/// served (their concatenation is the stream, `totalSize` bytes), resumable at a position.
#[test]
fn raw_lines_are_the_stream_byte_for_byte_and_resume() {
    let emu = export_emulator();
    let client = client(&emu);
    let (dataset, _) = dataset_with_rows(&client, "raw", 90);
    let export = finished(dataset.export(ExportOptions::new()).unwrap());
    let values: Vec<Value> = export
        .stream(StreamType::Result)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut lines = export.lines(StreamType::Result).unwrap();
    let mut text = String::new();
    let mut stopped = None;
    while let Some(line) = lines.next_line() {
        text.push_str(line.unwrap());
        text.push('\n');
        if lines.position().line == 30 {
            stopped = Some(lines.position());
        }
    }
    let size = export.total_size(StreamType::Result).unwrap().unwrap();
    assert_eq!(
        text.len() as u64,
        size,
        "every byte of the stream, newlines included"
    );
    let parsed: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(parsed, values);

    let stopped = stopped.unwrap();
    let rest: Vec<String> = export
        .lines_from(StreamType::Result, StreamStart::Offset(stopped.offset))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let all: Vec<&str> = text.lines().collect();
    assert_eq!(rest, all[30..]);
}

#[test]
fn the_errors_stream_of_a_seeded_export_is_read_like_the_rows() {
    let emu = export_emulator();
    let client = client(&emu);
    let errors: Vec<String> = (0..50)
        .map(|i| format!(r#"{{"error":"row {i} could not be exported","data_row_id":"d{i}"}}"#))
        .collect();
    let task_id = emu.insert_export(["{\"data_row\":{\"id\":\"d-ok\"}}"], errors);
    let export = client.get_export_task(&task_id).unwrap();
    assert!(export.has_errors().unwrap());
    let lines: Vec<Value> = export
        .stream(StreamType::Errors)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(lines.len(), 50);
    assert_eq!(lines[49]["data_row_id"], "d49");
}

#[test]
fn a_running_export_is_cancelled_and_has_no_streams() {
    // Exports take at least 30 s here; the dataset is made directly, no import to wait for.
    let emu = start(fast_emulator().min_task_duration(Duration::from_secs(30)));
    let client = client(&emu);
    let dataset = client.get_dataset(&emu.create_dataset("can")).unwrap();
    let mut export = dataset.export(ExportOptions::new()).unwrap();
    assert_eq!(export.status(), &TaskStatus::InProgress);
    assert!(matches!(
        export.stream(StreamType::Result),
        Err(Error::ExportNotReadable { .. })
    ));
    assert!(export.cancel().unwrap());
    assert_eq!(
        export.wait_with(wait_options()).unwrap(),
        TaskStatus::Canceled
    );
    match export.has_result() {
        Err(Error::ExportNotReadable { status, .. }) => assert_eq!(status, TaskStatus::Canceled),
        other => panic!("expected ExportNotReadable, got {other:?}"),
    }
}

/// Reading raw lines costs what the wire needs and no more: once the header is known, each
/// read of the stream sends one `exportFileFromOffset` per file, at the files' own offsets,
/// and nothing else (no header again, no user lookup, no repeat); a second read sends the same.
#[test]
fn raw_lines_ask_each_file_once_per_read_and_nothing_else() {
    let emu = export_emulator();
    let client = client(&emu);
    let (dataset, _) = dataset_with_rows(&client, "reqs", 120);
    let export = finished(dataset.export(ExportOptions::new()).unwrap());
    let size = export.total_size(StreamType::Result).unwrap().unwrap();
    assert!(size > 4 * FILE_SIZE as u64, "several files: {size} bytes");

    let mut reads = Vec::new();
    for _ in 0..2 {
        let before = emu.requests().len();
        let lines = export.lines(StreamType::Result).unwrap();
        assert_eq!(lines.map(Result::unwrap).count(), 120);
        let sent: Vec<(Option<String>, Value)> = emu.requests()[before..]
            .iter()
            .map(|r| (r.operation.clone(), r.variables["offset"].clone()))
            .collect();
        assert!(
            sent.iter()
                .all(|(op, _)| op.as_deref() == Some("GetExportFileFromOffsetPyApi")),
            "{sent:?}"
        );
        let offsets: Vec<u64> = sent
            .iter()
            .map(|(_, o)| o.as_str().unwrap().parse().unwrap())
            .collect();
        assert_eq!(offsets[0], 0);
        assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
        assert!(offsets.iter().all(|o| *o < size), "{offsets:?}");
        assert!(offsets.len() as u64 >= size.div_ceil(FILE_SIZE as u64));
        reads.push(offsets);
    }
    assert_eq!(reads[0], reads[1], "the second read asks the same files");
    assert_eq!(operations(&emu, "GetExportMetadataHeaderPyApi").len(), 1);
}
