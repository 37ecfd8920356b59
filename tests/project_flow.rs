//! The annotation story against the emulator: a project, a batch (both paths), an ontology,
//! a label import (rows, file, URL) with its statuses and errors, a project export streamed
//! back with its labels, and the typed failures of each step.

mod import_support;

use std::collections::HashSet;

use import_support::*;
use labelbox::{
    Annotation, AnnotationDataRow, AnnotationImportKind, DataRowIdentifiers, Error, ExportedLine,
    ExportedRow, ImportState, MediaType, NormalizedOntology, OntologyClassification, OntologyTool,
    ProjectExportOptions, StreamType, TaskStatus, WorkflowStatus,
};
use serde_json::json;

fn ontology() -> NormalizedOntology {
    NormalizedOntology::new()
        .tool(OntologyTool::bbox("car"))
        .classification(OntologyClassification::radio("weather", ["sunny", "rainy"]))
}

#[test]
fn project_crud_and_listing() {
    let emu = emulator();
    let client = client(&emu);
    let project = client.create_project("street", MediaType::Image).unwrap();
    assert_eq!(project.name(), "street");
    assert_eq!(project.media_type(), Some(MediaType::Image));
    assert_eq!(project.auto_audit_number_of_labels(), Some(3));
    let created = requests_with(&emu, "createProject").pop().unwrap();
    assert_eq!(created.operation.as_deref(), Some("CreateProjectPyApi"));
    assert_eq!(
        created.variables,
        json!({"name": "street", "allowedMediaType": "IMAGE", "autoAuditPercentage": 0,
               "autoAuditNumberOfLabels": 3, "isBenchmarkEnabled": true, "isConsensusEnabled": true})
    );
    let again = client.get_project(project.id()).unwrap();
    assert_eq!(again.id(), project.id());
    let other = client.create_project("other", MediaType::Text).unwrap();
    let listed: HashSet<String> = client
        .projects()
        .map(|p| p.unwrap().id().to_owned())
        .collect();
    assert_eq!(
        listed,
        HashSet::from([project.id().to_owned(), other.id().to_owned()])
    );
    project.delete().unwrap();
    assert!(client.get_project(project.id()).unwrap_err().is_not_found());
    assert_eq!(client.projects().count(), 1);
    assert!(matches!(
        client.create_project(" ", MediaType::Image),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        client.get_project("nope"),
        Err(Error::NotFound { what, id }) if what == "project" && id == "nope"
    ));
}

#[test]
fn batches_sync_and_async_then_listed() {
    let emu = emulator();
    let client = client(&emu);
    let ids = keyed_rows(&client, "b", 1_002);
    let project = client.create_project("batches", MediaType::Image).unwrap();
    let small = project
        .create_batch("small", DataRowIdentifiers::ids(ids[..2].to_vec()), 2)
        .unwrap();
    assert_eq!(small.size, 2);
    assert!(small.failed_data_row_ids.is_empty());
    let sync = requests_with(&emu, "project")
        .into_iter()
        .find(|r| r.operation.as_deref() == Some("createBatchV2PyApi"))
        .expect("the sync path");
    assert_eq!(sync.variables["batchInput"]["priority"], json!(2));
    assert_eq!(sync.variables["batchInput"]["globalKeys"], json!(null));

    let keys: Vec<String> = (2..1_002).map(|i| format!("b-{i}")).collect();
    let large = project
        .create_batch_with(
            "large",
            DataRowIdentifiers::global_keys(keys),
            5,
            wait_options(),
        )
        .unwrap();
    assert_eq!(large.size, 1_000);
    let ops: Vec<String> = emu
        .requests()
        .into_iter()
        .filter_map(|r| r.operation)
        .collect();
    assert!(ops.iter().any(|o| o == "createEmptyBatchPyApi"));
    assert!(ops.iter().any(|o| o == "addDataRowsToBatchAsyncPyApi"));
    assert!(ops.iter().any(|o| o == "getProjectBatchPyApi"));

    let listed: Vec<(String, u64)> = project
        .batches()
        .map(|b| {
            let b = b.unwrap();
            (b.name, b.size)
        })
        .collect();
    assert_eq!(listed.len(), 2);
    assert!(listed.contains(&("small".into(), 2)) && listed.contains(&("large".into(), 1_000)));

    for (rows, priority) in [
        (DataRowIdentifiers::ids(Vec::<String>::new()), 3),
        (DataRowIdentifiers::ids(["x"]), 0),
        (DataRowIdentifiers::ids(["x"]), 6),
        (DataRowIdentifiers::ids([""]), 3),
    ] {
        assert!(matches!(
            project.create_batch("bad", rows, priority),
            Err(Error::InvalidInput { .. })
        ));
    }
}

#[test]
fn ontology_label_import_and_project_export() {
    let emu = emulator();
    let client = client(&emu);
    let ids = keyed_rows(&client, "l", 4);
    let project = client.create_project("labels", MediaType::Image).unwrap();
    project
        .create_batch("all", DataRowIdentifiers::ids(ids.clone()), 3)
        .unwrap();
    let created = client
        .create_ontology("street", &ontology(), Some(MediaType::Image))
        .unwrap();
    assert_eq!(created.tools()[0].name, "car");
    assert!(created.tools()[0].feature_schema_id.is_some());
    project.connect_ontology(&created).unwrap();
    let read = project.ontology().unwrap().expect("connected");
    assert_eq!(read.id, created.id);
    assert_eq!(read.classifications()[0].options.len(), 2);

    let annotations: Vec<Annotation> = ids[..3]
        .iter()
        .flat_map(|id| {
            let row = AnnotationDataRow::Id(id.clone());
            [
                Annotation::bbox("car", row.clone(), 1.0, 2.0, 3.0, 4.0),
                Annotation::radio("weather", row, "sunny"),
            ]
        })
        .chain([Annotation::bbox(
            "no such tool",
            AnnotationDataRow::Id(ids[3].clone()),
            1.0,
            1.0,
            1.0,
            1.0,
        )])
        .collect();
    let mut import = project.import_labels("first", &annotations).unwrap();
    assert_eq!(import.kind(), AnnotationImportKind::Labels);
    assert!(matches!(
        import.statuses(),
        Err(Error::ImportNotReadable { .. })
    ));
    assert_eq!(
        import.wait_with(wait_options()).unwrap(),
        ImportState::Finished
    );
    let statuses: Vec<_> = import.statuses().unwrap().map(|s| s.unwrap()).collect();
    assert_eq!(statuses.len(), 7);
    assert_eq!(statuses.iter().filter(|s| s.is_success()).count(), 6);
    let errors: Vec<_> = import.errors().unwrap().map(|s| s.unwrap()).collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].uuid.as_deref(),
        Some(annotations[6].uuid.as_str())
    );
    assert!(!errors[0].errors.is_empty());
    assert_eq!(project.label_count().unwrap(), 3);
    let upload = requests_with(&emu, "createLabelImport").pop().unwrap();
    assert_eq!(
        upload.operation.as_deref(),
        Some("createLabelImportByFilePyApi")
    );

    let mut export = project
        .export(
            ProjectExportOptions::new()
                .include_label_details(true)
                .include_project_details(true),
        )
        .unwrap();
    assert_eq!(
        export.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );
    let rows: Vec<ExportedRow> = export
        .stream_as::<ExportedRow>(StreamType::Result)
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(rows.len(), 4);
    let labels: usize = rows
        .iter()
        .map(|r| r.projects[project.id()].labels.len())
        .sum();
    assert_eq!(labels, 3);
    let labeled = rows
        .iter()
        .find(|r| r.data_row.id == ids[0])
        .expect("first row");
    let part = &labeled.projects[project.id()];
    let annotations = &part.labels[0].annotations;
    assert_eq!(annotations.objects.len(), 1);
    assert_eq!(annotations.classifications.len(), 1);
    // Kept as the export's text, decoded on access: as a `Value` or a type of the caller's.
    let car: serde_json::Value = annotations.objects[0].decode().unwrap();
    assert_eq!(car["name"], "car");
    assert_eq!(
        annotations.objects[0].json(),
        serde_json::to_string(&annotations.objects[0]).unwrap()
    );
    #[derive(serde::Deserialize)]
    struct Named {
        name: String,
    }
    let weather: Named = annotations.classifications[0].decode().unwrap();
    assert_eq!(weather.name, "weather");
    assert!(matches!(
        annotations.classifications[0].decode::<Vec<u8>>(),
        Err(Error::Decode { .. })
    ));
    assert!(part.labels[0].label_details.is_some());
    assert_eq!(
        part.project_details.as_ref().unwrap().batch_name.as_deref(),
        Some("all")
    );
    // The same stream as `ExportedLine`s: each one reads as the row above, through accessors.
    let lines: Vec<ExportedLine> = export
        .stream_as::<ExportedLine>(StreamType::Result)
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(
        lines.iter().map(ExportedLine::to_row).collect::<Vec<_>>(),
        rows
    );
    assert_eq!(
        lines.iter().map(ExportedLine::label_count).sum::<usize>(),
        3
    );
    let line = lines.iter().find(|l| l.data_row_id() == ids[0]).unwrap();
    let in_project = line.project(project.id()).unwrap();
    let label = in_project.labels().next().unwrap();
    let car: serde_json::Value = label.objects().next().unwrap().decode().unwrap();
    assert_eq!(car["name"], "car");
    assert_eq!(label.details(), part.labels[0].label_details);
    assert_eq!(in_project.details(), part.project_details);
    let sent = requests_with(&emu, "exportDataRowsInProject")
        .pop()
        .unwrap();
    assert_eq!(
        sent.variables["input"]["filters"]["projectId"],
        json!(project.id())
    );
    assert_eq!(
        sent.variables["input"]["params"]["includeLabelDetails"],
        json!(true)
    );

    // Filters: two rows by id, then the rows that are done (none: all wait to be labeled).
    let mut some = project
        .export(ProjectExportOptions::new().data_rows(DataRowIdentifiers::ids(ids[..2].to_vec())))
        .unwrap();
    some.wait_with(wait_options()).unwrap();
    let n = some
        .stream_as::<ExportedRow>(StreamType::Result)
        .unwrap()
        .count();
    assert_eq!(n, 2);
    let mut done = project
        .export(ProjectExportOptions::new().workflow_status(WorkflowStatus::Done))
        .unwrap();
    done.wait_with(wait_options()).unwrap();
    let sent = requests_with(&emu, "exportDataRowsInProject")
        .pop()
        .unwrap();
    assert_eq!(
        sent.variables["input"]["filters"]["searchQuery"]["query"],
        json!([{"type": "task_queue_status", "status": "Done"}])
    );

    // Dates: the rows with a label created in the last hour; none before a day ago.
    let now = std::time::SystemTime::now();
    let hour = std::time::Duration::from_secs(3_600);
    let count = |options: ProjectExportOptions| {
        let mut export = project.export(options).unwrap();
        export.wait_with(wait_options()).unwrap();
        if !export.has_result().unwrap() {
            return 0;
        }
        export
            .stream_as::<ExportedRow>(StreamType::Result)
            .unwrap()
            .count()
    };
    let recent =
        ProjectExportOptions::new().label_created_between(Some(now - hour), Some(now + hour));
    assert_eq!(count(recent), 3);
    let sent = requests_with(&emu, "exportDataRowsInProject")
        .pop()
        .unwrap();
    let clause = &sent.variables["input"]["filters"]["searchQuery"]["query"][0];
    assert_eq!(clause["type"], "labeled_at");
    assert_eq!(clause["value"]["operator"], "BETWEEN");
    assert_eq!(clause["value"]["timezone"], "UTC");
    assert!(clause["value"]["value"]["min"]
        .as_str()
        .unwrap()
        .ends_with("+0000"));
    let old = ProjectExportOptions::new().last_activity_between(None, Some(now - 24 * hour));
    assert_eq!(count(old), 0);
}

#[test]
fn label_import_from_a_file_and_a_url() {
    let emu = emulator();
    let client = client(&emu);
    let ids = keyed_rows(&client, "f", 2);
    let project = client.create_project("files", MediaType::Image).unwrap();
    project
        .create_batch("all", DataRowIdentifiers::ids(ids.clone()), 3)
        .unwrap();
    let ontology = client.create_ontology("o", &ontology(), None).unwrap();
    project.connect_ontology(&ontology).unwrap();
    let line = |id: &str| {
        serde_json::to_string(&Annotation::radio(
            "weather",
            AnnotationDataRow::Id(id.into()),
            "rainy",
        ))
        .unwrap()
    };
    let dir = std::env::temp_dir().join(format!("labelbox-labels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("labels.ndjson");
    std::fs::write(&path, format!("{}\n", line(&ids[0]))).unwrap();
    let mut import = project
        .import_annotations_file(AnnotationImportKind::Labels, "from file", &path)
        .unwrap();
    assert_eq!(
        import.wait_with(wait_options()).unwrap(),
        ImportState::Finished
    );
    assert_eq!(import.statuses().unwrap().count(), 1);

    let url = emu.put_file(line(&ids[1]).into_bytes(), "application/x-ndjson");
    let mut by_url = project
        .import_annotations_url(AnnotationImportKind::Labels, "from url", &url)
        .unwrap();
    assert_eq!(
        by_url.wait_with(wait_options()).unwrap(),
        ImportState::Finished
    );
    let sent = requests_with(&emu, "createLabelImport").pop().unwrap();
    assert_eq!(
        sent.operation.as_deref(),
        Some("createLabelImportByUrlPyApi")
    );
    assert_eq!(
        sent.variables,
        json!({"fileUrl": url, "projectId": project.id(), "name": "from url"})
    );
    assert_eq!(project.label_count().unwrap(), 2);
    let found = project
        .get_annotation_import(AnnotationImportKind::Labels, "from file")
        .unwrap();
    assert_eq!(found.id(), import.id());

    // Typed failures, nothing sent.
    let before = emu.requests().len();
    assert!(matches!(
        project.import_labels("empty", Vec::<Annotation>::new()),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        project.import_annotations_file(AnnotationImportKind::Labels, "x", &dir.join("missing")),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        project.import_annotations_url(AnnotationImportKind::Labels, "x", "ftp://a"),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        project.import_labels(
            " ",
            [Annotation::radio(
                "weather",
                AnnotationDataRow::Id("a".into()),
                "x"
            )]
        ),
        Err(Error::InvalidInput { .. })
    ));
    assert_eq!(emu.requests().len(), before);
    assert!(project
        .get_annotation_import(AnnotationImportKind::Labels, "none such")
        .unwrap_err()
        .is_not_found());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn mal_predictions_import_from_rows_a_file_and_a_url_and_never_become_labels() {
    let emu = emulator();
    let client = client(&emu);
    let ids = keyed_rows(&client, "m", 3);
    let project = client
        .create_project("pre-labels", MediaType::Image)
        .unwrap();
    project
        .create_batch("all", DataRowIdentifiers::ids(ids.clone()), 3)
        .unwrap();
    let ontology = client.create_ontology("o", &ontology(), None).unwrap();
    project.connect_ontology(&ontology).unwrap();
    let box_on =
        |id: &str| Annotation::bbox("car", AnnotationDataRow::Id(id.into()), 1.0, 2.0, 3.0, 4.0);
    let predictions = [
        box_on(&ids[0]),
        Annotation::bbox(
            "no such tool",
            AnnotationDataRow::Id(ids[1].clone()),
            1.0,
            1.0,
            1.0,
            1.0,
        ),
    ];
    let mut import = project.import_predictions("pre", &predictions).unwrap();
    assert_eq!(import.kind(), AnnotationImportKind::Predictions);
    assert_eq!(
        import.wait_with(wait_options()).unwrap(),
        ImportState::Finished
    );
    assert_eq!(import.statuses().unwrap().count(), 2);
    assert_eq!(import.errors().unwrap().count(), 1, "checked like labels");
    let sent = requests_with(&emu, "createModelAssistedLabelingPredictionImport")
        .pop()
        .unwrap();
    assert_eq!(
        sent.operation.as_deref(),
        Some("createMALPredictionImportByFilePyApi")
    );

    let dir = std::env::temp_dir().join(format!("labelbox-mal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("predictions.ndjson");
    let line = serde_json::to_string(&box_on(&ids[1])).unwrap();
    std::fs::write(&path, format!("{line}\n")).unwrap();
    let mut from_file = project
        .import_annotations_file(AnnotationImportKind::Predictions, "file", &path)
        .unwrap();
    assert_eq!(
        from_file.wait_with(wait_options()).unwrap(),
        ImportState::Finished
    );
    assert_eq!(from_file.errors().unwrap().count(), 0);
    let url = emu.put_file(
        serde_json::to_string(&box_on(&ids[2]))
            .unwrap()
            .into_bytes(),
        "application/x-ndjson",
    );
    let mut by_url = project
        .import_annotations_url(AnnotationImportKind::Predictions, "url", &url)
        .unwrap();
    assert_eq!(
        by_url.wait_with(wait_options()).unwrap(),
        ImportState::Finished
    );
    assert_eq!(
        requests_with(&emu, "createModelAssistedLabelingPredictionImport")
            .pop()
            .unwrap()
            .operation
            .as_deref(),
        Some("createMALPredictionImportByUrlPyApi")
    );

    let found = project
        .get_annotation_import(AnnotationImportKind::Predictions, "file")
        .unwrap();
    assert_eq!(found.id(), from_file.id());
    assert!(
        project
            .get_annotation_import(AnnotationImportKind::Labels, "file")
            .unwrap_err()
            .is_not_found(),
        "a prediction import is not found as a label import"
    );
    assert_eq!(
        project.label_count().unwrap(),
        0,
        "predictions are not labels"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn send_to_annotate_and_priority_are_tasks_that_complete_or_cancel() {
    let emu = start(fast_emulator().min_task_duration(std::time::Duration::from_millis(300)));
    let client = client(&emu);
    let ids = keyed_rows(&client, "s", 3);
    let source = client.create_project("source", MediaType::Image).unwrap();
    source
        .create_batch("all", DataRowIdentifiers::ids(ids.clone()), 3)
        .unwrap();
    let target = client.create_project("target", MediaType::Image).unwrap();

    let mut sent = client
        .send_to_annotate_from_catalog(
            target.id(),
            labelbox::Destination::Done,
            "sent",
            DataRowIdentifiers::global_keys(["s-0", "s-1"]),
            labelbox::SendToAnnotateParams::from_project(source.id()),
        )
        .unwrap();
    assert_eq!(sent.status(), &TaskStatus::InProgress);
    assert_eq!(
        sent.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );
    let batches: Vec<_> = target.batches().map(|b| b.unwrap()).collect();
    assert_eq!(batches.len(), 1);
    assert_eq!((batches[0].name.as_str(), batches[0].size), ("sent", 2));

    // Cancelled while it runs: nothing is written.
    let mut cancelled = client
        .send_to_annotate_from_catalog(
            target.id(),
            labelbox::Destination::Done,
            "cancelled",
            DataRowIdentifiers::ids([ids[2].clone()]),
            labelbox::SendToAnnotateParams::from_project(source.id()),
        )
        .unwrap();
    assert!(client.cancel_task(cancelled.id()).unwrap());
    assert_eq!(
        cancelled.wait_with(wait_options()).unwrap(),
        TaskStatus::Canceled
    );
    assert_eq!(target.batches().count(), 1);

    let mut priority = source
        .update_data_row_labeling_priority(DataRowIdentifiers::ids(ids[..2].to_vec()), 1)
        .unwrap();
    assert_eq!(
        priority.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );
    let mut export = source
        .export(ProjectExportOptions::new().include_project_details(true))
        .unwrap();
    export.wait_with(wait_options()).unwrap();
    let priorities: Vec<(String, Option<i64>)> = export
        .stream_as::<ExportedRow>(StreamType::Result)
        .unwrap()
        .map(|r| {
            let r = r.unwrap();
            let details = r.projects[source.id()].project_details.clone().unwrap();
            (r.data_row.id, details.priority)
        })
        .collect();
    for (id, p) in priorities {
        let expected = if id == ids[2] { 3 } else { 1 };
        assert_eq!(p, Some(expected), "row {id}");
    }
    // Rows not in the project refuse the task.
    let refused = source
        .update_data_row_labeling_priority(DataRowIdentifiers::ids(["not-a-row"]), 1)
        .unwrap_err();
    assert!(
        matches!(refused, Error::InvalidQuery { ref message } if message.contains("do not exist")),
        "{refused:?}"
    );
}
