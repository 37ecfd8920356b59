//! The project side's wire, pinned against mockito: the exact documents and variables the
//! official SDK sends, the experimental endpoint, the multipart label upload, and the waits
//! and typed failures that need a server misbehaving on purpose.

mod common;

use std::time::Duration;

use common::*;
use labelbox::{
    Annotation, AnnotationDataRow, AnnotationImportKind, ConflictResolution, DataRowIdentifiers,
    Destination, Error, ImportState, MediaType, SendToAnnotateParams, TaskStatus, WaitOptions,
};
use mockito::Matcher;
use serde_json::{json, Value};

const PROJECT_FIELDS: &str = "autoAuditNumberOfLabels autoAuditPercentage createdAt dataRowCount description editorTaskType isBenchmarkEnabled isConsensusEnabled lastActivityTime allowedMediaType modelSetupComplete name setupComplete id updatedAt uploadType";

fn project_json(id: &str) -> Value {
    json!({
        "autoAuditNumberOfLabels": 3, "autoAuditPercentage": 0.0,
        "createdAt": "2026-11-29T07:00:01.000Z", "updatedAt": "2026-11-29T07:00:01.000Z",
        "dataRowCount": 0, "description": "", "editorTaskType": null,
        "isBenchmarkEnabled": true, "isConsensusEnabled": true,
        "lastActivityTime": "2026-11-29T07:00:01.000Z", "allowedMediaType": "IMAGE",
        "modelSetupComplete": false, "name": "p", "setupComplete": null, "id": id,
        "uploadType": null,
    })
}

/// A project "p1" read through `GetProjectPyApi`.
fn project(server: &mut mockito::ServerGuard, clock: &FakeClock) -> labelbox::Project {
    let m = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("GetProjectPyApi".into()))
        .with_body(data(json!({"project": project_json("p1")})))
        .expect(1)
        .create();
    let p = client(server, clock).get_project("p1").unwrap();
    m.assert();
    p
}

fn import_json(state: &str, progress: &str) -> Value {
    json!({"id": "i1", "name": "imp", "state": state, "progress": progress,
           "inputFileUrl": "http://x/in", "errorFileUrl": null, "statusFileUrl": null,
           "project": project_json("p1")})
}

#[test]
fn create_project_sends_the_official_document() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let expected = format!("mutation CreateProjectPyApi($name: String!, $allowedMediaType: MediaType!, $autoAuditPercentage: Float!, $autoAuditNumberOfLabels: Int!, $isBenchmarkEnabled: Boolean!, $isConsensusEnabled: Boolean!){{createProject(data: {{name: $name allowedMediaType: $allowedMediaType autoAuditPercentage: $autoAuditPercentage autoAuditNumberOfLabels: $autoAuditNumberOfLabels isBenchmarkEnabled: $isBenchmarkEnabled isConsensusEnabled: $isConsensusEnabled}}) {{{PROJECT_FIELDS}}}}} ");
    let m = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Json(json!({
            "query": expected,
            "variables": {"name": "p", "allowedMediaType": "VIDEO", "autoAuditPercentage": 0,
                          "autoAuditNumberOfLabels": 3, "isBenchmarkEnabled": true,
                          "isConsensusEnabled": true},
        })))
        .with_body(data(json!({"createProject": project_json("p1")})))
        .expect(1)
        .create();
    let p = client(&server, &clock)
        .create_project("p", MediaType::Video)
        .unwrap();
    m.assert();
    assert_eq!(p.id(), "p1");
}

#[test]
fn a_missing_project_is_not_found() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    server
        .mock("POST", "/graphql")
        .with_body(data(json!({"project": null})))
        .create();
    let e = client(&server, &clock).get_project("gone").unwrap_err();
    assert!(matches!(e, Error::NotFound { ref what, ref id } if what == "project" && id == "gone"));
}

#[test]
fn batches_go_to_the_experimental_endpoint() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let p = project(&mut server, &clock);
    let m = server
        .mock("POST", "/_gql")
        .match_body(Matcher::AllOf(vec![
            Matcher::PartialJson(json!({
                "variables": {"projectId": "p1", "batchInput": {"name": "b", "dataRowIds": [],
                    "globalKeys": ["k1"], "priority": 1, "consensusSettings": null}},
            })),
            Matcher::Regex("^\\{\"query\":\"mutation createBatchV2PyApi".into()),
        ]))
        .with_body(data(json!({"project": {"createBatchV2": {
            "batch": {"id": "b1", "name": "b", "size": 1, "createdAt": null, "updatedAt": null,
                      "consensusSettingsJson": null},
            "failedDataRowIds": ["x"]}}})))
        .expect(1)
        .create();
    let batch = p
        .create_batch("b", DataRowIdentifiers::global_keys(["k1"]), 1)
        .unwrap();
    m.assert();
    assert_eq!(batch.failed_data_row_ids, ["x"]);
}

#[test]
fn a_failed_batch_task_is_batch_not_created() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let p = project(&mut server, &clock);
    server
        .mock("POST", "/_gql")
        .match_body(Matcher::Regex("createEmptyBatchPyApi".into()))
        .with_body(data(json!({"project": {"createEmptyBatch": {"id": "b1"}}})))
        .expect(1)
        .create();
    server
        .mock("POST", "/_gql")
        .match_body(Matcher::Regex("addDataRowsToBatchAsyncPyApi".into()))
        .with_body(data(
            json!({"project": {"addDataRowsToBatchAsync": {"taskId": "t1"}}}),
        ))
        .expect(1)
        .create();
    let _user = mock_user(&mut server);
    let mut failed = task_json("t1", "add-data-rows-to-batch", "FAILED");
    failed["errors"] = json!("rows not found");
    let _tasks = mock_task_sequence(&mut server, &[failed]);
    let ids: Vec<String> = (0..1_000).map(|i| format!("r{i}")).collect();
    let e = p
        .create_batch("big", DataRowIdentifiers::ids(ids), 5)
        .unwrap_err();
    match e {
        Error::BatchNotCreated {
            batch_id,
            task_id,
            status,
            errors,
        } => {
            assert_eq!((batch_id.as_str(), task_id.as_str()), ("b1", "t1"));
            assert_eq!(status, TaskStatus::Failed);
            assert_eq!(errors.as_deref(), Some("rows not found"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn priority_update_returns_a_cancelable_task() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let p = project(&mut server, &clock);
    let doc = "mutation createQueuePriorityUpdateTaskPyApi(\n              $priority: Int!\n              $projectId: ID!\n              $dataRowIdentifiers: QueuePriorityUpdateDataRowIdentifiersInput\n            ) {\n              project(where: { id: $projectId }) {\n                createQueuePriorityUpdateTask(\n                  data: { priority: $priority, dataRowIdentifiers: $dataRowIdentifiers }\n                ) {\n                  taskId\n                }\n              }\n            }\n        ";
    let m = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Json(json!({
            "query": doc,
            "variables": {"priority": 2, "projectId": "p1",
                          "dataRowIdentifiers": {"ids": ["r1", "r2"], "idType": "ID"}},
        })))
        .with_body(data(
            json!({"project": {"createQueuePriorityUpdateTask": {"taskId": "t9"}}}),
        ))
        .expect(1)
        .create();
    let _user = mock_user(&mut server);
    let _tasks = mock_task_sequence(
        &mut server,
        &[task_json("t9", "BulkUpdateQueuePriority", "IN_PROGRESS")],
    );
    let task = p
        .update_data_row_labeling_priority(DataRowIdentifiers::ids(["r1", "r2"]), 2)
        .unwrap();
    m.assert();
    assert_eq!(task.id(), "t9");
    // cancel_task reads the task and the cancelable types before it sends the cancel.
    let _again = mock_task_sequence(
        &mut server,
        &[task_json("t9", "BulkUpdateQueuePriority", "IN_PROGRESS")],
    );
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("cancelableTaskTypes".into()))
        .with_body(data(
            json!({"cancelableTaskTypes": ["BulkUpdateQueuePriority"]}),
        ))
        .create();
    let cancel = server
        .mock("POST", "/graphql")
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex("cancelBulkOperationJob".into()),
            Matcher::PartialJson(json!({"variables": {"id": "t9"}})),
        ]))
        .with_body(data(json!({"cancelBulkOperationJob": {"success": true}})))
        .expect(1)
        .create();
    assert!(client(&server, &clock).cancel_task(task.id()).unwrap());
    cancel.assert();
    assert!(matches!(
        p.update_data_row_labeling_priority(DataRowIdentifiers::ids(["r1"]), 0),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn send_to_annotate_sends_the_official_input() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let doc = "mutation SendToAnnotateFromCatalogPyApi($input: SendToAnnotateFromCatalogInput!) {\n                            sendToAnnotateFromCatalog(input: $input) {\n                              taskId\n                            }\n                          }\n        ";
    let m = server
        .mock("POST", "/graphql")
        .match_body(Matcher::PartialJson(json!({
            "query": doc,
            "variables": {"input": {
                "destinationProjectId": "dest",
                "batchInput": {"batchName": "sent", "batchPriority": 2},
                "destinationTaskQueue": {"type": "id", "value": "q1"},
                "excludeDataRowsInProject": true,
                "annotationsInput": {"projectId": "src", "featureSchemaIdsMapping": {"a": "b"}},
                "predictionsInput": null,
                "conflictLabelsResolutionStrategy": "OVERRIDE_WITH_ANNOTATIONS",
                "searchQuery": {"scope": null,
                    "query": [{"type": "global_key", "operator": "is", "ids": ["k1", "k2"]}]},
                "ordering": {"type": "RANDOM", "sorting": null},
                "sorting": null,
                "limit": null,
            }},
        })))
        .with_body(data(json!({"sendToAnnotateFromCatalog": {"taskId": "t5"}})))
        .expect(1)
        .create();
    let _user = mock_user(&mut server);
    let _tasks = mock_task_sequence(
        &mut server,
        &[task_json("t5", "send-to-annotate", "IN_PROGRESS")],
    );
    let task = client(&server, &clock)
        .send_to_annotate_from_catalog(
            "dest",
            Destination::TaskQueue("q1".into()),
            "sent",
            DataRowIdentifiers::global_keys(["k1", "k2"]),
            SendToAnnotateParams::from_project("src")
                .map_feature("a", "b")
                .exclude_data_rows_in_project(true)
                .conflict_resolution(ConflictResolution::OverrideWithAnnotations)
                .batch_priority(2),
        )
        .unwrap();
    m.assert();
    assert_eq!(task.id(), "t5");
    let c = client(&server, &clock);
    for (name, rows, params) in [
        (
            "",
            DataRowIdentifiers::ids(["r"]),
            SendToAnnotateParams::from_project("s"),
        ),
        (
            "b",
            DataRowIdentifiers::ids(Vec::<String>::new()),
            SendToAnnotateParams::from_project("s"),
        ),
        (
            "b",
            DataRowIdentifiers::ids(["r"]),
            SendToAnnotateParams::from_model_run("m").batch_priority(9),
        ),
    ] {
        assert!(matches!(
            c.send_to_annotate_from_catalog("d", Destination::Done, name, rows, params),
            Err(Error::InvalidInput { .. })
        ));
    }
}

#[test]
fn predictions_by_url_use_the_mal_mutation() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let p = project(&mut server, &clock);
    let expected = format!("mutation createMALPredictionImportByUrlPyApi($projectId : ID!, $name: String!, $fileUrl: String!) {{\n            createModelAssistedLabelingPredictionImport(data: {{\n                projectId: $projectId\n                name: $name\n                fileUrl: $fileUrl\n            }}) {{errorFileUrl inputFileUrl name progress state statusFileUrl id project{{{PROJECT_FIELDS}}}}}\n        }}");
    let m = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Json(json!({
            "query": expected,
            "variables": {"fileUrl": "https://x/p.ndjson", "projectId": "p1", "name": "imp"},
        })))
        .with_body(data(
            json!({"createModelAssistedLabelingPredictionImport": import_json("RUNNING", "0%")}),
        ))
        .expect(1)
        .create();
    let import = p
        .import_annotations_url(
            AnnotationImportKind::Predictions,
            "imp",
            "https://x/p.ndjson",
        )
        .unwrap();
    m.assert();
    assert_eq!(import.state(), &ImportState::Running);
    assert_eq!(import.kind(), AnnotationImportKind::Predictions);
}

#[test]
fn label_rows_are_streamed_as_ndjson_in_one_multipart_request() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let p = project(&mut server, &clock);
    let rows = [
        Annotation::radio("q", AnnotationDataRow::Id("r1".into()), "a").with_uuid("u1"),
        Annotation::bbox(
            "box",
            AnnotationDataRow::GlobalKey("k2".into()),
            1.0,
            2.0,
            3.0,
            4.0,
        )
        .with_uuid("u2"),
    ];
    let ndjson = format!(
        "{}\n{}",
        serde_json::to_string(&rows[0]).unwrap(),
        serde_json::to_string(&rows[1]).unwrap()
    );
    // The `operations` part, exactly: the official SDK's document and variables.
    let document = format!("mutation createLabelImportByFilePyApi($projectId : ID!, $name: String!, $file: Upload!, $contentLength: Int!) {{\n            createLabelImport(data: {{\n                projectId: $projectId name: $name filePayload: {{ file: $file, contentLength: $contentLength}}\n        }}) {{errorFileUrl inputFileUrl name progress state statusFileUrl id project{{{PROJECT_FIELDS}}}}}\n        }}");
    let operations = json!({
        "query": document,
        "variables": {"file": null, "contentLength": ndjson.len(), "projectId": "p1", "name": "imp"},
    })
    .to_string();
    let m = server
        .mock("POST", "/graphql")
        .match_header("content-type", Matcher::Regex("^multipart/form-data; boundary=".into()))
        .match_body(Matcher::AllOf(vec![
Matcher::Regex(regex_escape(&format!(
            "filename=\"p1__imp.ndjson\"\r\nContent-Type: application/x-ndjson\r\n\r\n{ndjson}\r\n--"
        ))),
Matcher::Regex(regex_escape(&operations)),
]))
        .with_body(data(json!({"createLabelImport": import_json("RUNNING", "0%")})))
        .expect(1)
        .create();
    // A Clone iterator over references, not a Vec: read twice, never collected.
    let import = p.import_labels("imp", rows.iter()).unwrap();
    m.assert();
    assert_eq!(import.id(), "i1");
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if "\\.+*?()|[]{}^$".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}

#[test]
fn too_many_annotations_of_a_feature_on_a_row_are_refused_before_sending() {
    let server = mockito::Server::new();
    let nothing_sent = |p: &labelbox::Project| {
        let rows: Vec<Annotation> = (0..5_001)
            .map(|_| Annotation::point("pt", AnnotationDataRow::Id("r1".into()), 1.0, 1.0))
            .collect();
        p.import_labels("imp", &rows).unwrap_err()
    };
    let mut server = server;
    let clock = FakeClock::new();
    let p = project(&mut server, &clock);
    let guard = server.mock("POST", "/graphql").expect(0).create();
    assert!(matches!(nothing_sent(&p), Error::InvalidInput { .. }));
    guard.assert();
}

#[test]
fn an_import_wait_ends_at_its_deadline_without_oversleeping() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let p = project(&mut server, &clock);
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("createLabelImportByUrlPyApi".into()))
        .with_body(data(
            json!({"createLabelImport": import_json("RUNNING", "0%")}),
        ))
        .create();
    let polls = server
        .mock("POST", "/graphql")
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex("getLabelImportPyApi".into()),
            Matcher::PartialJson(json!({"variables": {"projectId": "p1", "name": "imp"}})),
        ]))
        .with_body(data(json!({"labelImport": import_json("RUNNING", "40%")})))
        .expect(3)
        .create();
    let mut import = p
        .import_annotations_url(AnnotationImportKind::Labels, "imp", "https://x/l.ndjson")
        .unwrap();
    let options = WaitOptions::default()
        .timeout(Duration::from_secs(25))
        .check_frequency(Duration::from_secs(10));
    let e = import.wait_with(options).unwrap_err();
    polls.assert();
    assert!(e.is_wait_timed_out());
    match e {
        Error::ImportWaitTimedOut {
            polls,
            progress,
            waited,
            ..
        } => {
            assert_eq!(polls, 3);
            assert_eq!(progress, "40%");
            assert_eq!(waited, Duration::from_secs(25));
        }
        other => panic!("{other:?}"),
    }
    // 10 + 10 + 5 (cut to the deadline), the third poll made at the deadline: no oversleep.
    let slept: Vec<Duration> = clock.sleeps();
    assert_eq!(
        slept[slept.len() - 3..],
        [
            Duration::from_secs(10),
            Duration::from_secs(10),
            Duration::from_secs(5)
        ]
    );
}

#[test]
fn a_finished_import_streams_its_statuses_and_a_failed_one_has_none() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let p = project(&mut server, &clock);
    let status_url = format!("{}/files/status", server.url());
    let error_url = format!("{}/files/errors", server.url());
    server
        .mock("GET", "/files/status")
        .match_header("authorization", Matcher::Missing)
        .with_body("{\"uuid\":\"u1\",\"dataRow\":{\"id\":\"r1\"},\"status\":\"SUCCESS\"}\n{\"uuid\":\"u2\",\"dataRow\":{\"id\":\"r2\"},\"status\":\"FAILURE\",\"errors\":[{\"name\":\"ValidationError\",\"message\":\"no such feature\"}]}\n")
        .create();
    server
        .mock("GET", "/files/errors")
        .with_body("{\"uuid\":\"u2\",\"status\":\"FAILURE\",\"errors\":[{\"name\":\"ValidationError\",\"message\":\"no such feature\"}]}\nnot json\n")
        .create();
    let mut finished = import_json("FINISHED", "100%");
    finished["statusFileUrl"] = json!(status_url);
    finished["errorFileUrl"] = json!(error_url);
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex("getLabelImportPyApi".into()),
            Matcher::PartialJson(json!({"variables": {"name": "done"}})),
        ]))
        .with_body(data(json!({"labelImport": finished})))
        .create();
    let import = p
        .get_annotation_import(AnnotationImportKind::Labels, "done")
        .unwrap();
    let statuses: Vec<_> = import.statuses().unwrap().map(Result::unwrap).collect();
    assert_eq!(statuses.len(), 2);
    assert!(statuses[0].is_success());
    assert_eq!(statuses[1].errors[0].message, "no such feature");
    let mut errors = import.errors().unwrap();
    assert_eq!(errors.next().unwrap().unwrap().uuid.as_deref(), Some("u2"));
    assert!(matches!(errors.next(), Some(Err(Error::Decode { .. }))));
    assert!(errors.next().is_none());

    server
        .mock("POST", "/graphql")
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex("getLabelImportPyApi".into()),
            Matcher::PartialJson(json!({"variables": {"name": "bad"}})),
        ]))
        .with_body(data(json!({"labelImport": import_json("FAILED", "0%")})))
        .create();
    let failed = p
        .get_annotation_import(AnnotationImportKind::Labels, "bad")
        .unwrap();
    assert_eq!(failed.state(), &ImportState::Failed);
    assert!(matches!(
        failed.statuses(),
        Err(Error::ImportNotReadable { ref state, .. }) if state == "FAILED"
    ));
}

#[test]
fn bad_selections_and_ontologies_are_refused_before_anything_is_sent() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let p = project(&mut server, &clock);
    let c = client(&server, &clock);
    let guard = server.mock("POST", Matcher::Any).expect(0).create();
    let many: Vec<String> = (0..2_001).map(|i| format!("r{i}")).collect();
    for options in [
        labelbox::ProjectExportOptions::new().data_rows(DataRowIdentifiers::ids(many.clone())),
        labelbox::ProjectExportOptions::new().data_rows(DataRowIdentifiers::global_keys([""])),
        labelbox::ProjectExportOptions::new().batch_ids(Vec::<String>::new()),
    ] {
        assert!(matches!(p.export(options), Err(Error::InvalidInput { .. })));
    }
    assert!(matches!(
        labelbox::ProjectExportOptions::new().include("everything"),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        c.create_ontology("o", &labelbox::NormalizedOntology::new(), None),
        Err(Error::InvalidInput { .. })
    ));
    let too_many: Vec<String> = (0..100_001).map(|i| format!("r{i}")).collect();
    assert!(matches!(
        p.create_batch("b", DataRowIdentifiers::ids(too_many), 3),
        Err(Error::InvalidInput { .. })
    ));
    guard.assert();
}

#[test]
fn an_ontology_of_another_media_type_is_not_connected() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let p = project(&mut server, &clock);
    let c = client(&server, &clock);
    let normalized = json!({"tools": [{"tool": "rectangle", "name": "car", "color": "#ff0000",
        "featureSchemaId": "f1", "schemaNodeId": "s1"}], "classifications": []});
    server
        .mock("POST", "/graphql")
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex("upsertRootSchemaNodePyApi".into()),
            Matcher::PartialJson(
                json!({"variables": {"data": {"name": "o", "mediaType": "VIDEO"}}}),
            ),
        ]))
        .with_body(data(
            json!({"upsertOntology": {"id": "o1", "name": "o", "description": null,
            "mediaType": "VIDEO", "normalized": normalized,
            "classificationSchemaCount": 0, "objectSchemaCount": 1,
            "createdAt": "2026-11-29T07:00:01.000Z", "updatedAt": "2026-11-29T07:00:01.000Z"}}),
        ))
        .expect(1)
        .create();
    let ontology = c
        .create_ontology(
            "o",
            &labelbox::NormalizedOntology::new().tool(labelbox::OntologyTool::bbox("car")),
            Some(MediaType::Video),
        )
        .unwrap();
    assert_eq!(ontology.tools()[0].feature_schema_id.as_deref(), Some("f1"));
    let guard = server.mock("POST", Matcher::Any).expect(0).create();
    assert!(matches!(
        p.connect_ontology(&ontology),
        Err(Error::InvalidInput { .. })
    ));
    guard.assert();
}

#[test]
fn a_batch_cursor_that_comes_back_ends_the_listing() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let p = project(&mut server, &clock);
    let page = |id: &str| {
        data(json!({"project": {"id": "p1", "batches": {
            "nodes": [{"id": id, "name": id, "size": 1, "createdAt": null, "updatedAt": null,
                       "consensusSettingsJson": null}],
            "pageInfo": {"endCursor": "c1"}}}}))
    };
    server
        .mock("POST", "/_gql")
        .match_body(Matcher::PartialJson(
            json!({"variables": {"from": null, "first": 100, "projectId": "p1"}}),
        ))
        .with_body(page("b1"))
        .expect(1)
        .create();
    server
        .mock("POST", "/_gql")
        .match_body(Matcher::PartialJson(json!({"variables": {"from": "c1"}})))
        .with_body(page("b2"))
        .expect(1)
        .create();
    // The page that repeats the cursor is not trusted: none of its batches is yielded.
    let listed: Vec<_> = p.batches().collect();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].as_ref().unwrap().id, "b1");
    assert!(matches!(listed[1], Err(Error::InconsistentPages { .. })));
}

#[test]
fn a_label_import_that_may_have_started_is_not_sent_again() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let p = project(&mut server, &clock);
    let m = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex(
            "createMALPredictionImportByFilePyApi".into(),
        ))
        .with_status(502)
        .with_body("bad gateway")
        .expect(1)
        .create();
    let rows = [Annotation::radio(
        "q",
        AnnotationDataRow::Id("r1".into()),
        "a",
    )];
    let e = p.import_predictions("mal", &rows).unwrap_err();
    m.assert();
    assert!(e.may_have_been_processed(), "{e:?}");
}

/// A source whose second reading differs from its first (a file rewritten in between).
#[derive(Clone)]
struct Shifting(std::rc::Rc<std::cell::Cell<u32>>);

impl IntoIterator for Shifting {
    type Item = Annotation;
    type IntoIter = std::vec::IntoIter<Annotation>;
    fn into_iter(self) -> Self::IntoIter {
        let pass = self.0.get();
        self.0.set(pass + 1);
        let answer = if pass == 0 {
            "a"
        } else {
            "a much longer answer"
        };
        vec![Annotation::radio("q", AnnotationDataRow::Id("r1".into()), answer).with_uuid("u")]
            .into_iter()
    }
}

#[test]
fn rows_that_change_between_the_two_readings_fail_the_request() {
    let mut server = mockito::Server::new();
    let clock = FakeClock::new();
    let p = project(&mut server, &clock);
    let m = server
        .mock("POST", "/graphql")
        .match_body(Matcher::Regex("a much longer answer".into()))
        .with_body(data(
            json!({"createLabelImport": import_json("RUNNING", "0%")}),
        ))
        .expect(0)
        .create();
    let e = p
        .import_labels("imp", Shifting(Default::default()))
        .unwrap_err();
    m.assert();
    assert!(!e.is_invalid_input(), "a request failure: {e:?}");
}
