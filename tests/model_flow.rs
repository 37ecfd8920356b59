//! Model runs against the emulator: a model and its run, data rows sent to the run (a task
//! waited to `COMPLETE`, by id and by global key), a project's labels registered, the run's
//! export streamed back with its `experiments` part, a registration task cancelled while it
//! runs, and the typed failures of each step.

mod import_support;

use std::collections::HashSet;
use std::time::Duration;

use import_support::*;
use labelbox::{
    Annotation, AnnotationDataRow, Client, DataRowIdentifiers, Error, ExportedRow, ImportState,
    MediaType, Model, ModelRunExportOptions, ModelRunLabels, NormalizedOntology,
    OntologyClassification, StreamType, TaskStatus,
};
use serde_json::{json, Value};

/// An ontology with a `weather` radio, and a model using it.
fn model(client: &Client) -> (labelbox::Ontology, Model) {
    let ontology = client
        .create_ontology(
            "weather",
            &NormalizedOntology::new()
                .classification(OntologyClassification::radio("weather", ["sunny", "rainy"])),
            Some(MediaType::Image),
        )
        .unwrap();
    let model = client.create_model("detector", &ontology.id).unwrap();
    (ontology, model)
}

/// The run's export, waited for and read as `Value` rows.
fn exported(run: &labelbox::ModelRun, options: ModelRunExportOptions) -> Vec<Value> {
    let mut export = run.export(options).unwrap();
    assert_eq!(
        export.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );
    if !export.has_result().unwrap() {
        return Vec::new();
    }
    export
        .stream(StreamType::Result)
        .unwrap()
        .map(|row| row.unwrap())
        .collect()
}

#[test]
fn rows_sent_to_a_run_come_back_in_its_export() {
    let emu = emulator();
    let client = client(&emu);
    let ids = keyed_rows(&client, "mr", 4);
    let (ontology, model) = model(&client);
    assert_eq!(model.ontology_id(), Some(ontology.id.as_str()));
    assert_eq!(client.get_model(model.id()).unwrap().name(), "detector");
    let run = model
        .create_model_run("run 1", Some(json!({"lr": 0.5})))
        .unwrap();
    let read = client.get_model_run(run.id()).unwrap();
    assert_eq!(read.model_id(), model.id());
    assert_eq!(read.training_metadata(), Some(&json!({"lr": 0.5})));

    let mut by_id = run
        .upsert_data_rows(&DataRowIdentifiers::ids(ids[..2].to_vec()))
        .unwrap();
    assert_eq!(by_id.task_type(), "send-to-model-run");
    assert_eq!(
        by_id.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );
    let mut by_key = run
        .upsert_data_rows(&DataRowIdentifiers::global_keys(["mr-2"]))
        .unwrap();
    assert_eq!(
        by_key.wait_with(wait_options()).unwrap(),
        TaskStatus::Complete
    );
    // The official SDK's document and variables reached the service.
    let sent = requests_with(&emu, "createMEAModelRunDataRowRegistrationTask");
    assert_eq!(
        sent[0].operation.as_deref(),
        Some("createMEAModelRunDataRowRegistrationTaskPyApi")
    );
    assert_eq!(
        sent[1].variables,
        json!({"modelRunId": run.id(), "dataRowIds": null, "globalKeys": ["mr-2"]})
    );

    let rows = exported(
        &run,
        ModelRunExportOptions::new()
            .include_data_row_details(true)
            .include_model_run_details(true),
    );
    let exported_ids: HashSet<&str> = rows
        .iter()
        .map(|r| r["data_row"]["id"].as_str().unwrap())
        .collect();
    let expected: HashSet<&str> = ids[..3].iter().map(String::as_str).collect();
    assert_eq!(exported_ids, expected);
    for row in &rows {
        let experiment = &row["experiments"][model.id()];
        assert_eq!(experiment["name"], "detector", "{row}");
        assert!(experiment["runs"][run.id()].is_object(), "{row}");
    }
    // Typed rows read the same export: the experiments part is checked and skipped.
    let mut typed = run.export(ModelRunExportOptions::new()).unwrap();
    typed.wait_with(wait_options()).unwrap();
    let typed_ids: HashSet<String> = typed
        .stream_as::<ExportedRow>(StreamType::Result)
        .unwrap()
        .map(|row| row.unwrap().data_row.id)
        .collect();
    assert_eq!(typed_ids, expected.iter().map(|s| s.to_string()).collect());
    // The first export asked for the run's details.
    let export = requests_with(&emu, "exportDataRowsInModelRun").remove(0);
    assert_eq!(
        export.operation.as_deref(),
        Some("exportDataRowsInModelRunPyApi")
    );
    assert_eq!(
        export.variables["input"]["params"]["includeModelRunDetails"],
        json!(true)
    );

    run.delete().unwrap();
    assert!(client.get_model_run(run.id()).unwrap_err().is_not_found());
    model.delete().unwrap();
    let e = client.get_model(model.id()).unwrap_err();
    assert!(
        matches!(e, Error::NotFound { ref what, ref id } if what == "model" && id == model.id()),
        "{e:?}"
    );
}

#[test]
fn a_projects_labels_registered_on_a_run_are_in_its_export() {
    let emu = emulator();
    let client = client(&emu);
    let ids = keyed_rows(&client, "lab", 3);
    let (ontology, model) = model(&client);
    let project = client.create_project("labels", MediaType::Image).unwrap();
    project
        .create_batch("all", DataRowIdentifiers::ids(ids.clone()), 3)
        .unwrap();
    project.connect_ontology(&ontology).unwrap();
    let labels: Vec<Annotation> = ids[..2]
        .iter()
        .map(|id| Annotation::radio("weather", AnnotationDataRow::Id(id.clone()), "sunny"))
        .collect();
    let mut import = project.import_labels("weather", &labels).unwrap();
    assert_eq!(
        import.wait_with(wait_options()).unwrap(),
        ImportState::Finished
    );

    let run = model.create_model_run("labeled", None).unwrap();
    assert_eq!(run.training_metadata(), None);
    run.upsert_labels_with(&ModelRunLabels::project(project.id()), wait_options())
        .unwrap();
    let sent = requests_with(&emu, "createMEAModelRunProjectLabelRegistrationTask");
    assert_eq!(
        sent[0].variables,
        json!({"modelRunId": run.id(), "projectId": project.id()})
    );
    assert!(count_field(&emu, "MEALabelRegistrationTaskStatus") >= 1);

    let rows = exported(&run, ModelRunExportOptions::new());
    assert_eq!(rows.len(), 2);
    for row in &rows {
        let run_part = &row["experiments"][model.id()]["runs"][run.id()];
        assert_eq!(
            run_part["labels"].as_array().map(Vec::len),
            Some(1),
            "{row}"
        );
    }

    // An empty project has no labels to register: the service refuses, nothing waits.
    let empty = client.create_project("empty", MediaType::Image).unwrap();
    let e = run
        .upsert_labels_with(&ModelRunLabels::project(empty.id()), wait_options())
        .unwrap_err();
    assert!(!e.is_wait_timed_out(), "{e:?}");
}

#[test]
fn a_running_registration_is_cancelled_and_registers_nothing() {
    // Long enough for the cancel to arrive while it runs, short enough for the export after it.
    let emu = start(fast_emulator().min_task_duration(Duration::from_secs(5)));
    let client = client(&emu);
    let ids = keyed_rows(&client, "cx", 2);
    let (_, model) = model(&client);
    let run = model.create_model_run("cancelled", None).unwrap();
    let mut task = run.upsert_data_rows(&DataRowIdentifiers::ids(ids)).unwrap();
    assert_eq!(*task.status(), TaskStatus::InProgress);
    assert!(client.cancel_task(task.id()).unwrap());
    assert_eq!(
        task.wait_with(wait_options()).unwrap(),
        TaskStatus::Canceled
    );
    let cancel = requests_with(&emu, "cancelBulkOperationJob").pop().unwrap();
    assert_eq!(cancel.variables, json!({"id": task.id()}));
    assert!(exported(&run, ModelRunExportOptions::new()).is_empty());
}

#[test]
fn unknown_ids_are_typed_failures_and_nothing_starts() {
    let emu = emulator();
    let client = client(&emu);
    let (_, model) = model(&client);
    assert!(client
        .create_model("m", "no-such-ontology")
        .unwrap_err()
        .is_not_found());
    let e = client.get_model_run("no-such-run").unwrap_err();
    assert!(
        matches!(e, Error::NotFound { ref what, ref id } if what == "model run" && id == "no-such-run"),
        "{e:?}"
    );
    let run = model.create_model_run("r", None).unwrap();
    let e = run
        .upsert_data_rows(&DataRowIdentifiers::global_keys(["no-such-key"]))
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert!(e.to_string().contains("no-such-key"), "{e}");
    let e = run
        .upsert_labels_with(
            &ModelRunLabels::label_ids(["no-such-label"]),
            wait_options(),
        )
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert!(exported(&run, ModelRunExportOptions::new()).is_empty());

    run.delete().unwrap();
    let e = run.export(ModelRunExportOptions::new()).unwrap_err();
    assert!(
        matches!(e, Error::NotFound { ref what, ref id } if what == "model run" && id == run.id()),
        "{e:?}"
    );
    let e = run
        .upsert_data_rows(&DataRowIdentifiers::ids(["x"]))
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert_eq!(count_field(&emu, "exportDataRowsInModelRun"), 2);
}
