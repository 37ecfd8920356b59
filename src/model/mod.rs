//! [`Model`]: creating, getting and deleting models (PROTOCOL 3.10), with the documents the
//! official SDK sends (`createModelPyApi`, `GetModelPyApi`, `DeleteModelPyApi`). A model's
//! runs ([`run`]) hold data rows and labels ("sending to experiment") and export them
//! ([`export`]).

pub(crate) mod export;
pub(crate) mod run;

use std::fmt;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::model::run::ModelRun;
use crate::Client;

/// The fields the official SDK asks for a model (its ORM's field order: `name`,
/// `ontology_id`, `uid`).
const MODEL_FIELDS: &str = "name ontologyId id";

/// A model: a named program, tied to an ontology, whose runs (experiments) hold data rows,
/// labels and predictions.
///
/// ```
/// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
/// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
/// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
/// # let weather = labelbox::OntologyClassification::radio("weather", ["sunny"]);
/// # let ontology = labelbox::Client::from_env()?.create_ontology("o", &labelbox::NormalizedOntology::new().classification(weather), None)?;
/// # let ontology_id = &ontology.id;
/// use labelbox::Client;
///
/// let client = Client::from_env()?;
/// let model = client.create_model("detector", ontology_id)?;
/// let run = model.create_model_run("run 1", None)?;
/// println!("{} {}", model.id(), run.id());
/// # Ok::<_, labelbox::Error>(())
/// ```
#[derive(Clone)]
pub struct Model {
    client: Client,
    wire: WireModel,
}

impl fmt::Debug for Model {
    // The client is left out: nothing of it helps to identify a model.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Model")
            .field("id", &self.wire.id)
            .field("name", &self.wire.name)
            .field("ontology_id", &self.wire.ontology_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireModel {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    ontology_id: Option<String>,
}

impl Model {
    /// The model's id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.wire.id
    }

    /// Its name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.wire.name
    }

    /// The id of its ontology (`None` when the service gives none).
    #[must_use]
    pub fn ontology_id(&self) -> Option<&str> {
        self.wire.ontology_id.as_deref()
    }

    /// The client this model was read with.
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates a run of this model (`CreateModelRunPyApi`), with an optional training
    /// metadata `config` (any JSON, sent as `trainingMetadata`).
    ///
    /// A mutation: after an ambiguous failure it is not sent again.
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let weather = labelbox::OntologyClassification::radio("weather", ["sunny"]);
    /// # let ontology = labelbox::Client::from_env()?.create_ontology("o", &labelbox::NormalizedOntology::new().classification(weather), None)?;
    /// # let ontology_id = &ontology.id;
    /// # let model_id = &labelbox::Client::from_env()?.create_model("m", ontology_id)?.id().to_owned();
    /// let client = labelbox::Client::from_env()?;
    /// let model = client.get_model(model_id)?;
    /// let run = model.create_model_run("run 2", Some(serde_json::json!({"lr": 0.01})))?;
    /// assert_eq!(run.model_id(), model.id());
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty name (nothing is sent); [`Error::NotFound`] naming
    /// this model when the service does not know it; [`Error::Decode`] when it answers no
    /// run; otherwise a [request failure](crate::Error#request-failures).
    pub fn create_model_run(&self, name: &str, config: Option<Value>) -> Result<ModelRun> {
        run::create(self, name, config)
    }

    /// Deletes the model (`DeleteModelPyApi`).
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let weather = labelbox::OntologyClassification::radio("weather", ["sunny"]);
    /// # let ontology = labelbox::Client::from_env()?.create_ontology("o", &labelbox::NormalizedOntology::new().classification(weather), None)?;
    /// # let ontology_id = &ontology.id;
    /// # let model_id = &labelbox::Client::from_env()?.create_model("m", ontology_id)?.id().to_owned();
    /// let client = labelbox::Client::from_env()?;
    /// client.get_model(model_id)?.delete()?;
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [request failure](crate::Error#request-failures) of the mutation; a model already
    /// gone is [`Error::NotFound`].
    pub fn delete(&self) -> Result<()> {
        const DELETE: &str =
            "mutation DeleteModelPyApi($ids: ID!) {\n            deleteModels(where: {ids: [$ids]})}";
        let _: Value = self
            .client
            .transport()
            .mutate(DELETE, json!({"ids": self.id()}))
            .map_err(|e| not_found_or("model", self.id(), e))?;
        Ok(())
    }
}

/// A service "not found" named as the `what` with this id; other errors as they are.
pub(crate) fn not_found_or(what: &str, id: &str, e: Error) -> Error {
    if e.is_not_found() {
        not_found(what, id)
    } else {
        e
    }
}

/// [`Error::NotFound`] naming a `what` and its id.
pub(crate) fn not_found(what: &str, id: &str) -> Error {
    Error::NotFound {
        what: what.to_owned(),
        id: id.to_owned(),
    }
}

/// Refuses an empty (or blank) text parameter before anything is sent.
pub(crate) fn require(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(field, "cannot be empty"));
    }
    Ok(())
}

impl Client {
    /// Creates a model tied to an ontology (`createModelPyApi`).
    ///
    /// A mutation: after an ambiguous failure it is not sent again (the error says it may
    /// have been carried out).
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let weather = labelbox::OntologyClassification::radio("weather", ["sunny"]);
    /// # let ontology = labelbox::Client::from_env()?.create_ontology("o", &labelbox::NormalizedOntology::new().classification(weather), None)?;
    /// # let ontology_id = &ontology.id;
    /// let client = labelbox::Client::from_env()?;
    /// let model = client.create_model("detector", ontology_id)?;
    /// assert_eq!(model.name(), "detector");
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty name or ontology id (nothing is sent);
    /// [`Error::Decode`] when the service answers no model; otherwise a
    /// [request failure](crate::Error#request-failures).
    pub fn create_model(&self, name: &str, ontology_id: &str) -> Result<Model> {
        require("name", name)?;
        require("ontology_id", ontology_id)?;
        let document = format!(
            "mutation createModelPyApi($name: String!, $ontologyId: ID!){{\n            createModel(data: {{name : $name, ontologyId : $ontologyId}}){{\n                    {MODEL_FIELDS}\n                }}\n            }}"
        );
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            create_model: Option<WireModel>,
        }
        let data: Data = self
            .transport()
            .mutate(&document, json!({"name": name, "ontologyId": ontology_id}))?;
        let wire = data
            .create_model
            .ok_or_else(|| Error::decode("createModel answered null", ""))?;
        Ok(Model {
            client: self.clone(),
            wire,
        })
    }

    /// The model with this id (`GetModelPyApi`).
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let weather = labelbox::OntologyClassification::radio("weather", ["sunny"]);
    /// # let ontology = labelbox::Client::from_env()?.create_ontology("o", &labelbox::NormalizedOntology::new().classification(weather), None)?;
    /// # let ontology_id = &ontology.id;
    /// # let model_id = &labelbox::Client::from_env()?.create_model("m", ontology_id)?.id().to_owned();
    /// let client = labelbox::Client::from_env()?;
    /// let model = client.get_model(model_id)?;
    /// println!("{} uses ontology {:?}", model.name(), model.ontology_id());
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty id (nothing is sent); [`Error::NotFound`] naming
    /// the id when there is no such model; otherwise a
    /// [request failure](crate::Error#request-failures).
    pub fn get_model(&self, id: &str) -> Result<Model> {
        require("model_id", id)?;
        let document = format!(
            "query GetModelPyApi($param_0: ID!){{model(where: {{id: $param_0}}){{{MODEL_FIELDS}}}}}"
        );
        #[derive(Deserialize)]
        struct Data {
            model: Option<WireModel>,
        }
        let data: Data = self
            .transport()
            .query(&document, json!({"param_0": id}))
            .map_err(|e| not_found_or("model", id, e))?;
        Ok(Model {
            client: self.clone(),
            wire: data.model.ok_or_else(|| not_found("model", id))?,
        })
    }
}
