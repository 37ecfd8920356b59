//! Exports on the wire (PROTOCOL 3.9), against mockito: what starting one sends, how a
//! stream is asked for and checked file by file, resuming, and each error.

mod common;

use common::*;
use labelbox::{
    Error, ExportOptions, ExportSelection, ExportTask, ExportedRow, MediaType, StreamStart,
    StreamType, TaskStatus,
};
use mockito::{Matcher, Mock, ServerGuard};
use serde_json::{json, Value};

fn row(i: usize) -> String {
    json!({"data_row": {"id": format!("dr{i}"), "global_key": format!("gk{i}"),
        "row_data": format!("https://example.com/{i}.jpg")}, "media_attributes": {"w": i}})
    .to_string()
}

/// A stream of `rows` lines cut into files of `per_file` lines: (whole text, files as
/// (start offset, first line, text)).
fn stream_files(rows: usize, per_file: usize) -> (String, Vec<(u64, u64, String)>) {
    let lines: Vec<String> = (0..rows).map(|i| format!("{}\n", row(i))).collect();
    let mut files = Vec::new();
    let mut offset = 0u64;
    for (n, chunk) in lines.chunks(per_file).enumerate() {
        let text: String = chunk.concat();
        files.push((offset, (n * per_file) as u64, text.clone()));
        offset += text.len() as u64;
    }
    (lines.concat(), files)
}

fn export_task_json(status: &str) -> Value {
    task_json("t1", "export-data-rows", status)
}

/// A client and the export task `t1` in `status`, as `get_export_task` reads it.
fn export_task(server: &mut ServerGuard, status: &str) -> ExportTask {
    mock_user(server);
    mock_task_sequence(server, &[export_task_json(status)]);
    no_retry_client(server).get_export_task("t1").unwrap()
}

fn mock_header(server: &mut ServerGuard, stream: &str, header: Value, hits: usize) -> Mock {
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex("GetExportMetadataHeaderPyApi".into()),
            Matcher::PartialJson(
                json!({"variables": {"where": {"id": "t1"}, "streamType": stream}}),
            ),
        ]))
        .with_body(data(json!({"task": {"exportMetadataHeader": header}})))
        .expect(hits)
        .create()
}

/// The RESULT stream's header for a stream of `text` with `lines` lines, asked once.
fn mock_result_header(server: &mut ServerGuard, text: &str, lines: u64) -> Mock {
    let header = json!({"totalSize": text.len(), "totalLines": lines});
    mock_header(server, "RESULT", header, 1)
}

/// The `exportFileFromOffset` answer for `asked` (a string, as the wire has it), describing
/// the file at `path` with its offsets and lines given as strings (as UInt64 may be).
fn mock_file_info(
    server: &mut ServerGuard,
    stream: &str,
    asked: u64,
    (start, end): (u64, u64),
    (first, last): (u64, u64),
    path: &str,
    hits: usize,
) -> Mock {
    let url = format!("{}{path}?signature=s", server.url());
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex("GetExportFileFromOffsetPyApi".into()),
            Matcher::PartialJson(json!({"variables": {"where": {"id": "t1"},
                "streamType": stream, "offset": asked.to_string()}})),
        ]))
        .with_body(data(json!({"task": {"exportFileFromOffset": {
            "offsets": {"start": start.to_string(), "end": end.to_string()},
            "lines": {"start": first, "end": last},
            "file": url,
        }}})))
        .expect(hits)
        .create()
}

fn mock_download(server: &mut ServerGuard, path: &str, body: &str, hits: usize) -> Mock {
    server
        .mock("GET", path)
        .match_query(Matcher::Any)
        .match_header("authorization", Matcher::Missing)
        .with_body(body)
        .expect(hits)
        .create()
}

/// Mocks a whole RESULT stream of `rows` rows in files of `per_file`, each asked and
/// downloaded once; returns the whole text and every mock.
fn mock_stream(server: &mut ServerGuard, rows: usize, per_file: usize) -> (String, Vec<Mock>) {
    let (text, files) = stream_files(rows, per_file);
    let mut mocks = vec![mock_header(
        server,
        "RESULT",
        json!({"totalSize": text.len(), "totalLines": rows}),
        1,
    )];
    for (n, (start, first, body)) in files.iter().enumerate() {
        let end = start + body.len() as u64 - 1;
        let last = first + body.lines().count() as u64 - 1;
        let path = format!("/files/{n}");
        mocks.push(mock_file_info(
            server,
            "RESULT",
            *start,
            (*start, end),
            (*first, last),
            &path,
            1,
        ));
        mocks.push(mock_download(server, &path, body, 1));
    }
    (text, mocks)
}

/// A finished export whose RESULT stream is one file announced as `announced` (with `lines`
/// lines) and asked from `asked`, served as `served`.
fn one_file_export(
    server: &mut ServerGuard,
    asked: u64,
    announced: &str,
    lines: u64,
    served: &str,
) -> ExportTask {
    let export = export_task(server, "COMPLETE");
    let size = announced.len() as u64;
    mock_header(
        server,
        "RESULT",
        json!({"totalSize": size, "totalLines": lines}),
        1,
    );
    mock_file_info(
        server,
        "RESULT",
        asked,
        (0, size - 1),
        (0, lines - 1),
        "/files/0",
        1,
    );
    mock_download(server, "/files/0", served, 1);
    export
}

fn ids(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["data_row"]["id"].as_str().unwrap().to_owned())
        .collect()
}

fn expected_ids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("dr{i}")).collect()
}

// ---- starting an export -------------------------------------------------------------------

fn default_params(with_predictions: bool) -> Value {
    let mut params = json!({
        "mediaTypeOverride": null,
        "includeAttachments": false, "includeEmbeddings": false, "includeMetadata": false,
        "includeDataRowDetails": false, "includeProjectDetails": false,
        "includePerformanceDetails": false, "includeLabelDetails": false,
        "includeInterpolatedFrames": false,
        "projectIds": null, "modelRunIds": null, "allProjects": false, "allModelRuns": false,
    });
    if with_predictions {
        params["includePredictions"] = json!(false);
    }
    params
}

fn mock_dataset(server: &mut ServerGuard) {
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("GetDatasetPyApi".into()))
        .with_body(data(json!({"dataset": {"id": "ds1", "name": "pets", "description": null,
            "rowCount": 3, "createdAt": "2026-11-29T07:00:01Z", "updatedAt": "2026-11-29T07:00:01Z"}})))
        .create();
}

/// Checks that the mutation's variables are exactly `input` (no key more or less).
fn assert_sent_exactly(server: &mut ServerGuard, input: Value) -> Mock {
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("exportDataRowsInCatalogPyApi".into()))
        .match_request(move |request| {
            let body: Value = serde_json::from_slice(request.body().unwrap()).unwrap();
            body["variables"] == json!({"input": input})
        })
        .with_body(data(
            json!({"exportDataRowsInCatalog": {"taskId": "t1", "isStreamable": true}}),
        ))
        .expect(1)
        .create()
}

#[test]
fn a_dataset_export_sends_what_the_official_sdk_sends() {
    let mut server = mockito::Server::new();
    mock_dataset(&mut server);
    let start = assert_sent_exactly(
        &mut server,
        json!({
            "taskName": "Export v2: dataset - pets",
            "filters": {"searchQuery": {"scope": null,
                "query": [{"ids": ["ds1"], "operator": "is", "type": "dataset"}]}},
            "isStreamableReady": true,
            "params": default_params(true),
            "streamable": true,
        }),
    );
    mock_user(&mut server);
    mock_task_sequence(&mut server, &[export_task_json("IN_PROGRESS")]);
    let client = no_retry_client(&server);
    let export = client
        .get_dataset("ds1")
        .unwrap()
        .export(ExportOptions::new())
        .unwrap();
    start.assert();
    assert_eq!(export.id(), "t1");
    assert_eq!(export.status(), &TaskStatus::InProgress);
    assert_eq!(export.task_type(), "export-data-rows");
}

#[test]
fn a_selection_inside_a_dataset_sends_both_clauses() {
    let mut server = mockito::Server::new();
    mock_dataset(&mut server);
    let start = assert_sent_exactly(
        &mut server,
        json!({
            "taskName": "Export v2: dataset - pets",
            "filters": {"searchQuery": {"scope": null, "query": [
                {"ids": ["k1"], "operator": "is", "type": "global_key"},
                {"ids": ["ds1"], "operator": "is", "type": "dataset"},
            ]}},
            "isStreamableReady": true,
            "params": default_params(true),
            "streamable": true,
        }),
    );
    mock_user(&mut server);
    mock_task_sequence(&mut server, &[export_task_json("IN_PROGRESS")]);
    let dataset = no_retry_client(&server).get_dataset("ds1").unwrap();
    dataset
        .export_selected(ExportSelection::global_keys(["k1"]))
        .unwrap();
    start.assert();
}

#[test]
fn every_option_reaches_its_parameter() {
    let mut server = mockito::Server::new();
    let params = json!({
        "mediaTypeOverride": "VIDEO",
        "includeAttachments": true, "includeEmbeddings": true, "includeMetadata": true,
        "includeDataRowDetails": true, "includeProjectDetails": true,
        "includePerformanceDetails": true, "includeLabelDetails": true,
        "includeInterpolatedFrames": true,
        "projectIds": ["p1", "p2"], "modelRunIds": ["m1"], "allProjects": true, "allModelRuns": true,
    });
    let start = assert_sent_exactly(
        &mut server,
        json!({
            "taskName": "mine",
            "filters": {"searchQuery": {"scope": null,
                "query": [{"ids": ["a", "b"], "operator": "is", "type": "data_row_id"}]}},
            "isStreamableReady": true,
            "params": params,
            "streamable": true,
        }),
    );
    mock_user(&mut server);
    mock_task_sequence(&mut server, &[export_task_json("IN_PROGRESS")]);
    let mut options = ExportOptions::new()
        .task_name("mine")
        .media_type_override(MediaType::Video)
        .project_ids(["p1", "p2"])
        .model_run_ids(["m1"]);
    for name in labelbox::INCLUDE_NAMES
        .iter()
        .filter(|n| **n != "predictions")
    {
        options = options.include(name).unwrap();
    }
    let client = no_retry_client(&server);
    client
        .export_data_rows(ExportSelection::data_row_ids(["a", "b"]).options(options))
        .unwrap();
    start.assert();
}

#[test]
fn exports_by_global_keys_are_named_as_the_official_sdk_names_them() {
    let mut server = mockito::Server::new();
    let start = assert_sent_exactly(
        &mut server,
        json!({
            "taskName": "Export v2: data rows 0",
            "filters": {"searchQuery": {"scope": null,
                "query": [{"ids": ["k1", "k2"], "operator": "is", "type": "global_key"}]}},
            "isStreamableReady": true,
            "params": default_params(false),
            "streamable": true,
        }),
    );
    mock_user(&mut server);
    mock_task_sequence(&mut server, &[export_task_json("IN_PROGRESS")]);
    no_retry_client(&server)
        .export_data_rows(ExportSelection::global_keys(["k1", "k2"]))
        .unwrap();
    start.assert();
}

#[test]
fn bad_selections_are_refused_before_anything_is_sent() {
    let mut server = mockito::Server::new();
    let nothing = server.mock("POST", "/graphql").expect(0).create();
    let client = no_retry_client(&server);
    let too_many: Vec<String> = (0..2_001).map(|i| format!("id{i}")).collect();
    let cases = [
        (
            ExportSelection::data_row_ids(too_many.clone()),
            "data_row_ids",
        ),
        (ExportSelection::global_keys(too_many), "global_keys"),
        (
            ExportSelection::global_keys(Vec::<String>::new()),
            "global_keys",
        ),
        (ExportSelection::data_row_ids(["a", " "]), "data_row_ids"),
        (
            ExportSelection::data_row_ids(["a"])
                .options(ExportOptions::new().project_ids((0..31).map(|i| i.to_string()))),
            "project_ids",
        ),
        (
            ExportSelection::data_row_ids(["a"])
                .options(ExportOptions::new().include_predictions(true)),
            "include_predictions",
        ),
    ];
    for (selection, field) in cases {
        match client.export_data_rows(selection) {
            Err(Error::InvalidInput { field: f, message }) => {
                assert_eq!(f, field, "{message}")
            }
            other => panic!("expected InvalidInput on {field}, got {other:?}"),
        }
    }
    let exactly_2000: Vec<String> = (0..2_000).map(|i| format!("id{i}")).collect();
    assert_eq!(ExportSelection::data_row_ids(exactly_2000).len(), 2_000);
    assert!(ExportOptions::new().include("everything").is_err());
    nothing.assert();
}

#[test]
fn the_mutation_is_not_sent_again_after_an_ambiguous_failure() {
    let mut server = mockito::Server::new();
    let start = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("exportDataRowsInCatalogPyApi".into()))
        .with_status(502)
        .with_body("Bad Gateway")
        .expect(1)
        .create();
    let client = client(&server, &FakeClock::new()); // retries queries
    let err = client
        .export_data_rows(ExportSelection::data_row_ids(["a"]))
        .unwrap_err();
    assert!(err.may_have_been_processed(), "{err}");
    start.assert();
}

// ---- the task -------------------------------------------------------------------------------

#[test]
fn an_export_task_is_a_task_with_two_hour_waits() {
    assert_eq!(
        ExportTask::default_wait().timeout_value(),
        std::time::Duration::from_secs(7_200)
    );
    let mut server = mockito::Server::new();
    mock_user(&mut server);
    mock_task_sequence(
        &mut server,
        &[
            export_task_json("IN_PROGRESS"),
            export_task_json("IN_PROGRESS"),
            export_task_json("COMPLETE"),
        ],
    );
    let clock = FakeClock::new();
    let mut export = client(&server, &clock).get_export_task("t1").unwrap();
    assert_eq!(export.wait_till_done().unwrap(), TaskStatus::Complete);
    assert_eq!(clock.sleeps().len(), 2);
    assert_eq!(export.task().status(), &TaskStatus::Complete);
    assert_eq!(export.clone().into_task().id(), "t1");
}

#[test]
fn other_task_types_are_not_export_tasks() {
    let mut server = mockito::Server::new();
    mock_user(&mut server);
    mock_task_sequence(
        &mut server,
        &[task_json("t1", "adv-upsert-data-rows", "COMPLETE")],
    );
    let err = no_retry_client(&server).get_export_task("t1").unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
}

#[test]
fn task_result_points_streamable_exports_to_export_task() {
    let mut server = mockito::Server::new();
    mock_user(&mut server);
    mock_task_sequence(&mut server, &[export_task_json("COMPLETE")]);
    let task = no_retry_client(&server).get_task_by_id("t1").unwrap();
    for err in [task.result().unwrap_err(), task.errors().unwrap_err()] {
        match err {
            Error::ResultUnavailable { reason, .. } => {
                assert!(reason.contains("get_export_task"), "{reason}")
            }
            other => panic!("expected ResultUnavailable, got {other:?}"),
        }
    }
    assert!(ExportTask::try_from(task).is_ok());
}

// ---- reading a stream -----------------------------------------------------------------------

#[test]
fn a_stream_is_read_file_by_file_without_the_key_and_the_header_once() {
    let mut server = mockito::Server::new();
    let export = export_task(&mut server, "COMPLETE");
    let (text, mocks) = mock_stream(&mut server, 5, 2);
    assert!(export.has_result().unwrap());
    assert_eq!(export.total_lines(StreamType::Result).unwrap(), Some(5));
    assert_eq!(
        export.total_size(StreamType::Result).unwrap(),
        Some(text.len() as u64)
    );
    let mut stream = export.stream(StreamType::Result).unwrap();
    let rows: Vec<Value> = stream.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(ids(&rows), expected_ids(0..5));
    assert_eq!(rows[3]["media_attributes"]["w"], 3);
    assert_eq!(stream.position().line, 5);
    assert_eq!(stream.position().offset, text.len() as u64);
    assert!(stream.next().is_none());
    for mock in mocks {
        mock.assert(); // header once, each file asked and downloaded once, nothing past the end
    }
}

#[test]
fn rows_decode_straight_into_the_typed_form() {
    let mut server = mockito::Server::new();
    let export = export_task(&mut server, "COMPLETE");
    let _mocks = mock_stream(&mut server, 3, 2);
    let rows: Vec<ExportedRow> = export
        .stream_as::<ExportedRow>(StreamType::Result)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows[2].data_row.id, "dr2");
    assert_eq!(rows[2].data_row.global_key.as_deref(), Some("gk2"));
    assert_eq!(
        rows[2].data_row.row_data.as_deref(),
        Some("https://example.com/2.jpg")
    );
    assert_eq!(rows[2].data_row.external_id, None);
}

#[test]
fn a_stream_resumes_at_a_byte_offset_asking_that_file_directly() {
    let mut server = mockito::Server::new();
    let export = export_task(&mut server, "COMPLETE");
    let (text, files) = stream_files(6, 2);
    mock_result_header(&mut server, &text, 6);
    // Resume at line 3, inside the second file (lines 2..=3): that file is asked by the
    // offset of line 3 and answered whole; line 2 is skipped.
    let resume_at = (row(0).len() + row(1).len() + row(2).len() + 3) as u64;
    let (start1, _, body1) = &files[1];
    let (start2, _, body2) = &files[2];
    let end1 = start1 + body1.len() as u64 - 1;
    let end2 = start2 + body2.len() as u64 - 1;
    let first_file = mock_file_info(&mut server, "RESULT", 0, (0, 1), (0, 1), "/files/0", 0);
    let m1 = mock_file_info(
        &mut server,
        "RESULT",
        resume_at,
        (*start1, end1),
        (2, 3),
        "/files/1",
        1,
    );
    let d1 = mock_download(&mut server, "/files/1", body1, 1);
    let m2 = mock_file_info(
        &mut server,
        "RESULT",
        *start2,
        (*start2, end2),
        (4, 5),
        "/files/2",
        1,
    );
    let d2 = mock_download(&mut server, "/files/2", body2, 1);
    let rows: Vec<Value> = export
        .stream_from(StreamType::Result, StreamStart::Offset(resume_at))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids(&rows), expected_ids(3..6));
    for mock in [first_file, m1, d1, m2, d2] {
        mock.assert();
    }
}

#[test]
fn a_stream_resumes_at_a_line_without_downloading_the_files_before_it() {
    let mut server = mockito::Server::new();
    let export = export_task(&mut server, "COMPLETE");
    let (text, files) = stream_files(6, 2);
    mock_result_header(&mut server, &text, 6);
    let mut mocks = Vec::new();
    for (n, (start, first, body)) in files.iter().enumerate() {
        let end = start + body.len() as u64 - 1;
        let path = format!("/files/{n}");
        mocks.push(mock_file_info(
            &mut server,
            "RESULT",
            *start,
            (*start, end),
            (*first, first + 1),
            &path,
            1,
        ));
        // The first file holds lines 0 and 1, all before line 3: it is never downloaded.
        mocks.push(mock_download(&mut server, &path, body, usize::from(n > 0)));
    }
    let mut stream = export
        .stream_from(StreamType::Result, StreamStart::Line(3))
        .unwrap();
    let first = stream.next().unwrap().unwrap();
    assert_eq!(first["data_row"]["id"], "dr3");
    let position = stream.position();
    assert_eq!(position.line, 4);
    let rest: Vec<Value> = stream.collect::<Result<_, _>>().unwrap();
    assert_eq!(ids(&rest), expected_ids(4..6));
    for mock in mocks {
        mock.assert();
    }
    // At the very end nothing is left to ask.
    let at_end = export
        .stream_from(StreamType::Result, StreamStart::Line(6))
        .unwrap();
    assert_eq!(at_end.count(), 0);
    let past_end = export.stream_from(StreamType::Result, StreamStart::Line(7));
    assert!(matches!(past_end, Err(Error::InvalidInput { .. })));
}

#[test]
fn an_offset_inside_a_line_is_refused() {
    let mut server = mockito::Server::new();
    let (text, _) = stream_files(2, 2);
    let export = one_file_export(&mut server, 5, &text, 2, &text);
    let mut stream = export
        .stream_from(StreamType::Result, StreamStart::Offset(5))
        .unwrap();
    match stream.next() {
        Some(Err(Error::InvalidInput { field, .. })) => assert_eq!(field, "offset"),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    assert!(stream.next().is_none(), "an error ends the stream");
}

#[test]
fn a_short_file_is_an_error_after_the_rows_it_did_hold() {
    let mut server = mockito::Server::new();
    let (text, _) = stream_files(2, 2);
    // The body stops in the middle of the second line.
    let cut = row(0).len() + 1 + 10;
    let export = one_file_export(&mut server, 0, &text, 2, &text[..cut]);
    let mut stream = export.stream(StreamType::Result).unwrap();
    assert_eq!(stream.next().unwrap().unwrap()["data_row"]["id"], "dr0");
    match stream.next() {
        Some(Err(Error::ExportFileLength {
            expected,
            received,
            offset,
            ..
        })) => {
            assert_eq!(
                (offset, expected, received),
                (0, text.len() as u64, cut as u64)
            );
        }
        other => panic!("expected ExportFileLength, got {other:?}"),
    }
    assert!(stream.next().is_none());
    assert_eq!(stream.position().line, 1, "resume at the row that was cut");
}

#[test]
fn a_long_file_is_an_error() {
    let mut server = mockito::Server::new();
    let (text, _) = stream_files(2, 2);
    let served = format!("{text}{}\n", row(9));
    let export = one_file_export(&mut server, 0, &text, 2, &served);
    let err = export
        .stream(StreamType::Result)
        .unwrap()
        .collect::<Result<Vec<Value>, _>>()
        .unwrap_err();
    assert!(matches!(err, Error::ExportFileLength { .. }), "{err}");
    assert!(err.to_string().contains("long"), "{err}");
}

#[test]
fn a_line_that_is_not_json_is_corrupt_and_named() {
    let mut server = mockito::Server::new();
    let body = format!("{}\n{{\"data_row\": oops}}\n", row(0));
    let export = one_file_export(&mut server, 0, &body, 2, &body);
    let mut stream = export.stream(StreamType::Result).unwrap();
    assert!(stream.next().unwrap().is_ok());
    match stream.next() {
        Some(Err(Error::ExportFileCorrupt { line, stream, .. })) => {
            assert_eq!((line, stream), (1, StreamType::Result))
        }
        other => panic!("expected ExportFileCorrupt, got {other:?}"),
    }
}

#[test]
fn offsets_that_do_not_cover_the_offset_asked_are_corrupt() {
    let mut server = mockito::Server::new();
    let export = export_task(&mut server, "COMPLETE");
    let (text, _) = stream_files(4, 2);
    mock_result_header(&mut server, &text, 4);
    // Asked from 0, answered with a file that starts later: a gap nobody could read.
    mock_file_info(&mut server, "RESULT", 0, (10, 20), (0, 1), "/files/0", 1);
    let never = mock_download(&mut server, "/files/0", "", 0);
    let err = export
        .stream(StreamType::Result)
        .unwrap()
        .next()
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::ExportFileCorrupt { .. }), "{err}");
    never.assert();
}

#[test]
fn the_errors_stream_and_an_absent_stream() {
    let mut server = mockito::Server::new();
    let export = export_task(&mut server, "COMPLETE");
    let header = mock_header(&mut server, "ERRORS", Value::Null, 1);
    assert!(!export.has_errors().unwrap());
    assert_eq!(export.total_lines(StreamType::Errors).unwrap(), None);
    match export.stream(StreamType::Errors) {
        Err(Error::ExportStreamMissing { stream, task_id }) => {
            assert_eq!((stream, task_id.as_str()), (StreamType::Errors, "t1"))
        }
        other => panic!("expected ExportStreamMissing, got {other:?}"),
    }
    header.assert();
}

#[test]
fn an_empty_stream_asks_for_no_file() {
    let mut server = mockito::Server::new();
    let export = export_task(&mut server, "COMPLETE");
    mock_header(
        &mut server,
        "RESULT",
        json!({"totalSize": "0", "totalLines": "0"}),
        1,
    );
    let files = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("exportFileFromOffset".into()))
        .expect(0)
        .create();
    assert!(!export.has_result().unwrap());
    assert_eq!(export.stream(StreamType::Result).unwrap().count(), 0);
    files.assert();
}

#[test]
fn running_failed_and_canceled_exports_have_no_streams_and_nothing_is_asked() {
    for status in ["IN_PROGRESS", "FAILED", "CANCELED"] {
        let mut server = mockito::Server::new();
        let export = export_task(&mut server, status);
        let header = server
            .mock("POST", "/graphql")
            .match_body(Matcher::Regex("GetExportMetadataHeaderPyApi".into()))
            .expect(0)
            .create();
        for err in [
            export.has_result().unwrap_err(),
            export.stream(StreamType::Result).unwrap_err(),
        ] {
            match &err {
                Error::ExportNotReadable { status: s, .. } => assert_eq!(s.as_str(), status),
                other => panic!("expected ExportNotReadable, got {other:?}"),
            }
        }
        header.assert();
    }
}

// ---- a stream that cannot lie (issue 20) ----------------------------------------------------

/// The export task `t1`, read by a client built with `tune` applied (no retries).
fn export_task_with(
    server: &mut ServerGuard,
    tune: impl FnOnce(labelbox::ClientBuilder) -> labelbox::ClientBuilder,
) -> ExportTask {
    mock_user(server);
    mock_task_sequence(server, &[export_task_json("COMPLETE")]);
    tune(builder(server, &FakeClock::new()).retry_policy(labelbox::RetryPolicy::none()))
        .build()
        .unwrap()
        .get_export_task("t1")
        .unwrap()
}

/// The text of rows `rows`, one per line.
fn rows_text(rows: std::ops::Range<usize>) -> String {
    rows.map(|i| format!("{}\n", row(i))).collect()
}

/// A file as `exportFileFromOffset` answers it: (offset asked, offsets, lines, body).
type FileAnswer = (u64, (u64, u64), (u64, u64), String);

/// Mocks a RESULT stream of `total_size` bytes and `total_lines` lines whose files are
/// `files`, each asked at most once.
fn mock_files(
    server: &mut ServerGuard,
    (total_size, total_lines): (u64, u64),
    files: &[FileAnswer],
) -> Vec<Mock> {
    let header = json!({"totalSize": total_size.to_string(), "totalLines": total_lines});
    let mut mocks = vec![mock_header(server, "RESULT", header, 1)];
    for (n, (asked, offsets, lines, body)) in files.iter().enumerate() {
        let path = format!("/files/{n}");
        let info = mock_file_info(server, "RESULT", *asked, *offsets, *lines, &path, 1);
        mocks.push(info.expect_at_most(1));
        mocks.push(mock_download(server, &path, body, 1).expect_at_most(1));
    }
    mocks
}

/// Reads the stream until its first error: the ids of the rows before it, and the error.
fn rows_until_error(rows: impl Iterator<Item = labelbox::Result<Value>>) -> (Vec<String>, Error) {
    let mut ids = Vec::new();
    for row in rows {
        match row {
            Ok(row) => ids.push(row["data_row"]["id"].as_str().unwrap().to_owned()),
            Err(e) => return (ids, e),
        }
    }
    panic!("the stream ended without an error after {ids:?}");
}

/// Case 1: a file whose lines (or offsets) do not start where the stream is: overlap or gap.
#[test]
fn a_file_that_overlaps_or_leaves_a_gap_is_refused_before_any_of_its_rows() {
    let first = rows_text(0..5);
    let end0 = first.len() as u64;
    // (second file's lines, its rows): 3..=7 overlaps lines 3 and 4; 6..=7 skips line 5.
    for (lines, rows) in [((3, 7), 3..8), ((6, 7), 6..8), ((5, 7), 5..8)] {
        let mut server = mockito::Server::new();
        let export = export_task(&mut server, "COMPLETE");
        let second = rows_text(rows);
        let size = end0 + second.len() as u64;
        // The last case keeps the lines but its offsets step back one byte.
        let start = if lines.0 == 5 { end0 - 1 } else { end0 };
        let files = [
            (0, (0, end0 - 1), (0, 4), first.clone()),
            (end0, (start, size - 1), lines, second),
        ];
        let _mocks = mock_files(&mut server, (size, 8), &files);
        let (ids, err) = rows_until_error(export.stream(StreamType::Result).unwrap());
        assert_eq!(
            ids,
            expected_ids(0..5),
            "no row of the second file {lines:?}"
        );
        match &err {
            Error::ExportFileCorrupt { line, message, .. } => {
                assert_eq!(*line, 5, "{message}");
            }
            other => panic!("expected ExportFileCorrupt, got {other:?}"),
        }
        assert!(err.is_export_inconsistent());
    }
}

/// Case 1, resuming by line: a file skipped undownloaded must still continue the stream.
#[test]
fn a_resume_by_line_skips_only_files_that_continue_the_stream() {
    let mut server = mockito::Server::new();
    let export = export_task(&mut server, "COMPLETE");
    let first = rows_text(0..2);
    let second = rows_text(1..4); // claims lines 1..=3: overlaps line 1
    let end0 = first.len() as u64;
    let size = end0 + second.len() as u64;
    let files = [
        (0, (0, end0 - 1), (0, 1), first),
        (end0, (end0, size - 1), (1, 3), second),
    ];
    let mocks = mock_files(&mut server, (size, 4), &files);
    let err = export
        .stream_from(StreamType::Result, StreamStart::Line(3))
        .unwrap()
        .next()
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::ExportFileCorrupt { .. }), "{err}");
    // Neither file was downloaded.
    assert!(!mocks[2].matched() && !mocks[4].matched());
}

/// Case 2: a file holding more rows than its range (and the header) announce.
#[test]
fn a_row_past_the_announced_lines_is_refused_before_it_is_yielded() {
    let mut server = mockito::Server::new();
    let export = export_task(&mut server, "COMPLETE");
    let body = rows_text(0..3);
    let size = body.len() as u64;
    let _mocks = mock_files(&mut server, (size, 2), &[(0, (0, size - 1), (0, 1), body)]);
    let (ids, err) = rows_until_error(export.stream(StreamType::Result).unwrap());
    assert_eq!(ids, expected_ids(0..2), "the third row never leaves");
    match err {
        Error::ExportFileCorrupt { line, .. } => assert_eq!(line, 2),
        other => panic!("expected ExportFileCorrupt, got {other:?}"),
    }
}

/// Case 3: every offset answered with a 1-byte file of line 0: an error within a few
/// requests, from the beginning, by line and by offset.
#[test]
fn ranges_that_never_advance_end_in_an_error_within_two_requests() {
    for start in [
        StreamStart::Beginning,
        StreamStart::Line(5),
        StreamStart::Offset(7),
    ] {
        let mut server = mockito::Server::new();
        let export = export_task(&mut server, "COMPLETE");
        mock_header(
            &mut server,
            "RESULT",
            json!({"totalSize": 2_000, "totalLines": 2_000}),
            1,
        );
        let url = format!("{}/one", server.url());
        let files = server
            .mock("POST", "/graphql")
            .match_body(Matcher::Regex("GetExportFileFromOffsetPyApi".into()))
            .with_body_from_request(move |request| {
                let body: Value = serde_json::from_slice(request.body().unwrap()).unwrap();
                let asked = body["variables"]["offset"].as_str().unwrap().to_owned();
                data(json!({"task": {"exportFileFromOffset": {
                    "offsets": {"start": asked, "end": asked},
                    "lines": {"start": 0, "end": 0}, "file": url}}}))
                .into_bytes()
            })
            .expect_at_most(2)
            .create();
        let _one = mock_download(&mut server, "/one", "1", 1).expect_at_most(1);
        let err = export
            .stream_from(StreamType::Result, start)
            .unwrap()
            .find_map(Result::err)
            .expect("an error");
        assert!(
            matches!(err, Error::ExportFileCorrupt { .. }),
            "{start:?}: {err}"
        );
        files.assert();
    }
}

/// Case 4: offsets up to u64::MAX: no overflow, and the length error says what came.
#[test]
fn offsets_up_to_u64_max_do_not_overflow() {
    let mut server = mockito::Server::new();
    let export = export_task(&mut server, "COMPLETE");
    let body = rows_text(0..1);
    let files = [(0, (0, u64::MAX - 1), (0, 0), body.clone())];
    let _mocks = mock_files(&mut server, (u64::MAX, 1), &files);
    let (ids, err) = rows_until_error(export.stream(StreamType::Result).unwrap());
    assert_eq!(ids, expected_ids(0..1));
    match err {
        Error::ExportFileLength {
            expected, received, ..
        } => assert_eq!((expected, received), (u64::MAX, body.len() as u64)),
        other => panic!("expected ExportFileLength, got {other:?}"),
    }
    // Resuming at the very end asks nothing.
    let at_end = export
        .stream_from(StreamType::Result, StreamStart::Offset(u64::MAX))
        .unwrap();
    assert_eq!(at_end.count(), 0);
}

/// A file server on a raw socket: answers one GET with `head` (status line and headers,
/// the blank line included), then hands the socket to `body`.
fn raw_file_server(
    head: String,
    body: impl FnOnce(&mut std::net::TcpStream) + Send + 'static,
) -> (String, std::thread::JoinHandle<()>) {
    use std::io::{BufRead, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/file", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut request = std::io::BufReader::new(socket.try_clone().unwrap());
        let mut line = String::new();
        while request.read_line(&mut line).unwrap_or(0) > 2 {
            line.clear();
        }
        if socket.write_all(head.as_bytes()).is_ok() {
            body(&mut socket);
        }
    });
    (url, handle)
}

/// Mocks a one-file RESULT stream of `size` bytes and `lines` lines served from `url`.
fn mock_remote_file(server: &mut ServerGuard, size: u64, lines: u64, url: &str) {
    mock_header(
        server,
        "RESULT",
        json!({"totalSize": size, "totalLines": lines}),
        1,
    );
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("GetExportFileFromOffsetPyApi".into()))
        .with_body(data(json!({"task": {"exportFileFromOffset": {
            "offsets": {"start": 0, "end": size - 1},
            "lines": {"start": 0, "end": lines - 1}, "file": url}}})))
        .create();
}

/// Case 5: a body that stops coming is a timeout, told as one.
#[test]
fn a_stalled_file_body_is_a_timeout() {
    use std::io::Write;
    let mut server = mockito::Server::new();
    let export = export_task_with(&mut server, |b| {
        b.request_timeout(std::time::Duration::from_secs(1))
    });
    let first = rows_text(0..1);
    let size = first.len() as u64 * 2;
    let (release, stalled) = std::sync::mpsc::channel::<()>();
    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n");
    let sent = first.clone();
    let (url, handle) = raw_file_server(head, move |socket| {
        let _ = socket.write_all(sent.as_bytes());
        let _ = socket.flush();
        let _ = stalled.recv_timeout(std::time::Duration::from_secs(10));
    });
    mock_remote_file(&mut server, size, 2, &url);
    let (ids, err) = rows_until_error(export.stream(StreamType::Result).unwrap());
    release.send(()).unwrap();
    handle.join().unwrap();
    assert_eq!(ids, expected_ids(0..1));
    assert!(err.is_timeout(), "{err:?}");
    assert!(matches!(err, Error::Timeout { .. }));
}

/// Case 6: a header of 0 bytes with lines is refused, not read as an empty stream.
#[test]
fn a_header_of_no_bytes_with_lines_is_an_error() {
    let mut server = mockito::Server::new();
    let export = export_task(&mut server, "COMPLETE");
    mock_header(
        &mut server,
        "RESULT",
        json!({"totalSize": 0, "totalLines": 3}),
        1,
    );
    let files = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("exportFileFromOffset".into()))
        .expect(0)
        .create();
    match export.stream(StreamType::Result) {
        Err(Error::ExportHeaderInvalid {
            total_size,
            total_lines,
            ..
        }) => assert_eq!((total_size, total_lines), (0, 3)),
        other => panic!("expected ExportHeaderInvalid, got {other:?}"),
    }
    assert!(export.lines(StreamType::Result).is_err());
    files.assert();
}

/// Case 7: a line past the cap (set on the stream) is a typed error; the rows before it
/// are good.
#[test]
fn a_line_past_the_set_cap_is_refused() {
    let mut server = mockito::Server::new();
    let body = format!("{}\n{}\n", row(0), row(10)); // the second a byte longer
    let export = one_file_export(&mut server, 0, &body, 2, &body);
    let cap = row(0).len() as u64;
    let mut rows = export
        .stream(StreamType::Result)
        .unwrap()
        .max_line_bytes(cap);
    assert_eq!(rows.next().unwrap().unwrap()["data_row"]["id"], "dr0");
    match rows.next() {
        Some(Err(Error::ExportLineTooLong { line, limit, .. })) => {
            assert_eq!((line, limit), (1, cap))
        }
        other => panic!("expected ExportLineTooLong, got {other:?}"),
    }
    assert!(rows.next().is_none());
    assert_eq!(rows.position().line, 1);
}

/// Case 7: a file of one endless line (no newline), its cap the client's answer size cap:
/// refused once the cap is passed, not read whole into memory.
#[test]
fn an_endless_line_stops_at_the_answer_size_cap() {
    use std::io::Write;
    let mut server = mockito::Server::new();
    let export = export_task_with(&mut server, |b| b.max_answer_bytes(64 * 1024));
    let size: u64 = 256 << 20;
    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n");
    let written = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let count = written.clone();
    let (url, handle) = raw_file_server(head, move |socket| {
        let chunk = vec![b'a'; 64 * 1024];
        for _ in 0..size / chunk.len() as u64 {
            if socket.write_all(&chunk).is_err() {
                break;
            }
            count.fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::SeqCst);
        }
    });
    mock_remote_file(&mut server, size, 1, &url);
    let mut rows = export.stream(StreamType::Result).unwrap();
    match rows.next() {
        Some(Err(Error::ExportLineTooLong { line, limit, .. })) => {
            assert_eq!((line, limit), (0, 64 * 1024))
        }
        other => panic!("expected ExportLineTooLong, got {other:?}"),
    }
    drop(rows); // closes the connection: the server stops writing
    handle.join().unwrap();
    let sent = written.load(std::sync::atomic::Ordering::SeqCst);
    assert!(sent < size / 4, "{sent} bytes were sent of {size}");
}

// ---- raw lines ----------------------------------------------------------------------------

#[test]
fn lines_are_given_byte_for_byte_with_positions_and_resume() {
    let mut server = mockito::Server::new();
    // Keys out of order, spacing and escapes as served: all kept.
    let body = "{\"z\": 1, \"a\": {\"b\":\"\\u00e9\"}}\n\n{ \"data_row\" : {\"id\":\"x\"} }\n";
    let export = one_file_export(&mut server, 0, body, 3, body);
    let mut lines = export.lines(StreamType::Result).unwrap();
    assert_eq!(
        lines.next_line().unwrap().unwrap(),
        "{\"z\": 1, \"a\": {\"b\":\"\\u00e9\"}}"
    );
    assert_eq!(lines.position().line, 1);
    let rest: Vec<String> = lines.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(rest, ["{ \"data_row\" : {\"id\":\"x\"} }"]);
    assert_eq!(lines.position().offset, body.len() as u64);
}

#[test]
fn a_line_that_is_not_json_or_not_utf8_is_corrupt_in_raw_lines() {
    for bad in [&b"{\"a\": oops}"[..], &b"\"\xff\""[..], &b"{} {}"[..]] {
        let mut server = mockito::Server::new();
        let mut body = format!("{}\n", row(0)).into_bytes();
        body.extend_from_slice(bad);
        body.push(b'\n');
        let text = String::from_utf8_lossy(&body).into_owned();
        let export = export_task(&mut server, "COMPLETE");
        let size = body.len() as u64;
        mock_header(
            &mut server,
            "RESULT",
            json!({"totalSize": size, "totalLines": 2}),
            1,
        );
        mock_file_info(&mut server, "RESULT", 0, (0, size - 1), (0, 1), "/f", 1);
        server
            .mock("GET", "/f")
            .match_query(Matcher::Any)
            .with_body(body.clone())
            .create();
        let mut lines = export.lines(StreamType::Result).unwrap();
        assert!(lines.next_line().unwrap().is_ok());
        match lines.next_line() {
            Some(Err(Error::ExportFileCorrupt { line, .. })) => assert_eq!(line, 1, "{text}"),
            other => panic!("expected ExportFileCorrupt for {text:?}, got {other:?}"),
        }
        assert_eq!(lines.position().line, 1);
    }
}

/// Case 7, gzip: a small compressed file that inflates to one huge line is refused once
/// the decoded line passes the cap (it was inflated whole into memory before).
#[test]
fn a_gzip_file_inflating_to_a_huge_line_stops_at_the_cap() {
    use std::io::Write;
    let size: u64 = 32 << 20;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..size >> 20 {
        gzip.write_all(&chunk).unwrap();
    }
    let gzipped = gzip.finish().unwrap();
    let mut server = mockito::Server::new();
    let export = export_task_with(&mut server, |b| b.max_answer_bytes(1 << 20));
    mock_header(
        &mut server,
        "RESULT",
        json!({"totalSize": size, "totalLines": 1}),
        1,
    );
    mock_file_info(&mut server, "RESULT", 0, (0, size - 1), (0, 0), "/z", 1);
    server
        .mock("GET", "/z")
        .match_query(Matcher::Any)
        .with_header("content-encoding", "gzip")
        .with_body(gzipped)
        .create();
    match export.stream(StreamType::Result).unwrap().next() {
        Some(Err(Error::ExportLineTooLong { line, limit, .. })) => {
            assert_eq!((line, limit), (0, 1 << 20))
        }
        other => panic!("expected ExportLineTooLong, got {other:?}"),
    }
}
