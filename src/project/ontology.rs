//! Ontologies, enough to label: [`NormalizedOntology`] (the official SDK's
//! `OntologyBuilder.asdict()` form), [`Client::create_ontology`] (`upsertRootSchemaNodePyApi`),
//! [`Project::connect_ontology`] (the default editor connected first when the project has
//! none, then `ConnectOntologyPyApi`) and [`Project::ontology`].

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::import::data_row::MediaType;
use crate::project::Project;
use crate::Client;

const ONTOLOGY_FIELDS: &str = "classificationSchemaCount createdAt description mediaType name normalized objectSchemaCount id updatedAt";

/// An ontology in its normalized form: the tools (objects drawn on the asset) and the
/// global classifications (questions about it). Serialized as the official SDK's
/// `OntologyBuilder.asdict()`; also what the service answers in `normalized`, with the ids
/// filled in.
///
/// ```
/// use labelbox::{NormalizedOntology, OntologyClassification, OntologyTool};
/// let ontology = NormalizedOntology::new()
///     .tool(OntologyTool::bbox("car"))
///     .classification(OntologyClassification::radio("weather", ["sunny", "rainy"]));
/// assert_eq!(ontology.tools[0].tool, "rectangle");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NormalizedOntology {
    /// The tools.
    #[serde(default)]
    pub tools: Vec<OntologyTool>,
    /// The global classifications.
    #[serde(default)]
    pub classifications: Vec<OntologyClassification>,
}

impl NormalizedOntology {
    /// An empty ontology.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a tool.
    #[must_use]
    pub fn tool(mut self, tool: OntologyTool) -> Self {
        self.tools.push(tool);
        self
    }

    /// Adds a global classification.
    #[must_use]
    pub fn classification(mut self, classification: OntologyClassification) -> Self {
        self.classifications.push(classification);
        self
    }

    /// The JSON the official SDK sends: tools without a color get the builder's colors
    /// (hues spread evenly), classifications the `global` scope.
    fn to_wire(&self) -> Value {
        let count = self.tools.len();
        let tools: Vec<Value> = self
            .tools
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut tool = serde_json::to_value(t).unwrap_or(Value::Null);
                if t.color.is_none() {
                    tool["color"] = json!(hue_color(i, count));
                }
                tool
            })
            .collect();
        let classifications: Vec<Value> = self
            .classifications
            .iter()
            .map(|c| {
                let mut c = serde_json::to_value(c).unwrap_or(Value::Null);
                c["scope"] = json!("global");
                c
            })
            .collect();
        json!({"tools": tools, "classifications": classifications})
    }
}

/// The official SDK's `OntologyBuilder._update_colors`: HSV hue `i / n`, full saturation and
/// value, as `#rrggbb`.
fn hue_color(i: usize, n: usize) -> String {
    let h = i as f64 / n.max(1) as f64 * 6.0;
    let sector = h.floor();
    let f = h - sector;
    let (q, t) = (1.0 - f, f);
    let (r, g, b) = match sector as u32 % 6 {
        0 => (1.0, t, 0.0),
        1 => (q, 1.0, 0.0),
        2 => (0.0, 1.0, t),
        3 => (0.0, q, 1.0),
        4 => (t, 0.0, 1.0),
        _ => (1.0, 0.0, q),
    };
    let byte = |x: f64| (255.0 * x) as u8;
    format!("#{:02x}{:02x}{:02x}", byte(r), byte(g), byte(b))
}

/// A tool of an ontology. `tool` is the service's name of its kind (`rectangle`, `polygon`,
/// `point`, `line`, `superpixel`, `named-entity`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OntologyTool {
    /// The kind, e.g. `rectangle`.
    pub tool: String,
    /// Its name, which annotations refer to.
    pub name: String,
    /// Whether it must be used.
    #[serde(default)]
    pub required: bool,
    /// Its color, `#rrggbb` (given one on creation when `None`).
    #[serde(default)]
    pub color: Option<String>,
    /// Classifications nested in the tool.
    #[serde(default)]
    pub classifications: Vec<OntologyClassification>,
    /// Its id in this ontology (given by the service).
    #[serde(default)]
    pub schema_node_id: Option<String>,
    /// Its feature schema's id (given by the service).
    #[serde(default)]
    pub feature_schema_id: Option<String>,
    /// Attributes, as the service has them.
    #[serde(default)]
    pub attributes: Option<Value>,
}

impl OntologyTool {
    /// A tool of kind `tool` (the service's name, e.g. `rectangle`) named `name`.
    #[must_use]
    pub fn new(tool: impl Into<String>, name: impl Into<String>) -> Self {
        OntologyTool {
            tool: tool.into(),
            name: name.into(),
            required: false,
            color: None,
            classifications: Vec::new(),
            schema_node_id: None,
            feature_schema_id: None,
            attributes: None,
        }
    }

    /// A bounding box (`rectangle`).
    #[must_use]
    pub fn bbox(name: impl Into<String>) -> Self {
        Self::new("rectangle", name)
    }

    /// A polygon.
    #[must_use]
    pub fn polygon(name: impl Into<String>) -> Self {
        Self::new("polygon", name)
    }

    /// A point.
    #[must_use]
    pub fn point(name: impl Into<String>) -> Self {
        Self::new("point", name)
    }

    /// A polyline (`line`).
    #[must_use]
    pub fn line(name: impl Into<String>) -> Self {
        Self::new("line", name)
    }

    /// A text entity (`named-entity`).
    #[must_use]
    pub fn named_entity(name: impl Into<String>) -> Self {
        Self::new("named-entity", name)
    }
}

/// A classification: a question with a kind (`radio`, `checklist`, `text`) and, for the
/// first two, its options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OntologyClassification {
    /// The kind: `radio`, `checklist` or `text`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The question as shown to labelers (the official SDK's `instructions`).
    #[serde(default)]
    pub instructions: String,
    /// Its name, which annotations refer to.
    pub name: String,
    /// Whether it must be answered.
    #[serde(default)]
    pub required: bool,
    /// The answers to choose from.
    #[serde(default)]
    pub options: Vec<OntologyOption>,
    /// Its id in this ontology (given by the service).
    #[serde(default)]
    pub schema_node_id: Option<String>,
    /// Its feature schema's id (given by the service).
    #[serde(default)]
    pub feature_schema_id: Option<String>,
    /// Attributes, as the service has them.
    #[serde(default)]
    pub attributes: Option<Value>,
}

impl OntologyClassification {
    fn new<I, S>(kind: &str, name: impl Into<String>, options: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let name = name.into();
        OntologyClassification {
            kind: kind.to_owned(),
            instructions: name.clone(),
            name,
            required: false,
            options: options.into_iter().map(OntologyOption::new).collect(),
            schema_node_id: None,
            feature_schema_id: None,
            attributes: None,
        }
    }

    /// One answer of these options.
    #[must_use]
    pub fn radio<I, S>(name: impl Into<String>, options: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::new("radio", name, options)
    }

    /// Any answers of these options.
    #[must_use]
    pub fn checklist<I, S>(name: impl Into<String>, options: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::new("checklist", name, options)
    }

    /// A free-text answer.
    #[must_use]
    pub fn text(name: impl Into<String>) -> Self {
        Self::new("text", name, std::iter::empty::<String>())
    }
}

/// An answer of a `radio` or `checklist` classification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OntologyOption {
    /// Its id in this ontology (given by the service).
    #[serde(default)]
    pub schema_node_id: Option<String>,
    /// Its feature schema's id (given by the service).
    #[serde(default)]
    pub feature_schema_id: Option<String>,
    /// As shown.
    pub label: String,
    /// As annotations name it.
    pub value: String,
    /// Classifications nested under this answer.
    #[serde(default)]
    pub options: Vec<OntologyClassification>,
}

impl OntologyOption {
    /// An answer whose label and value are `value`.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        OntologyOption {
            schema_node_id: None,
            feature_schema_id: None,
            label: value.clone(),
            value,
            options: Vec::new(),
        }
    }
}

/// An ontology as the service has it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Ontology {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its description, if any.
    pub description: Option<String>,
    /// Its media type's wire name (e.g. `IMAGE`), if it has one.
    pub media_type: Option<String>,
    /// Its tools and classifications, ids filled in.
    pub normalized: NormalizedOntology,
}

impl Ontology {
    /// Its tools.
    #[must_use]
    pub fn tools(&self) -> &[OntologyTool] {
        &self.normalized.tools
    }

    /// Its global classifications.
    #[must_use]
    pub fn classifications(&self) -> &[OntologyClassification] {
        &self.normalized.classifications
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireOntology {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    media_type: Option<String>,
    /// An object, or its JSON text.
    #[serde(default)]
    normalized: Value,
}

impl WireOntology {
    fn into_ontology(self) -> Result<Ontology> {
        let normalized = match self.normalized {
            Value::String(text) => serde_json::from_str(&text),
            Value::Null => Ok(NormalizedOntology::default()),
            other => serde_json::from_value(other),
        }
        .map_err(|e| Error::decode(format!("ontology {:?}: normalized: {e}", self.id), ""))?;
        Ok(Ontology {
            id: self.id,
            name: self.name,
            description: self.description,
            media_type: self.media_type,
            normalized,
        })
    }
}

impl Client {
    /// Creates an ontology from its normalized form, for rows of `media_type` (`None`: any).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty name or an ontology with neither tools nor
    /// classifications (nothing is sent); otherwise a
    /// [request failure](crate::Error#request-failures) of the mutation.
    pub fn create_ontology(
        &self,
        name: &str,
        normalized: &NormalizedOntology,
        media_type: Option<MediaType>,
    ) -> Result<Ontology> {
        if name.trim().is_empty() {
            return Err(Error::invalid_input(
                "name",
                "an ontology name cannot be empty",
            ));
        }
        if normalized.tools.is_empty() && normalized.classifications.is_empty() {
            return Err(Error::invalid_input(
                "normalized",
                "an ontology needs at least one tool or classification",
            ));
        }
        let document = format!(
            "mutation upsertRootSchemaNodePyApi($data:  UpsertOntologyInput!){{\n                           upsertOntology(data: $data){{ {ONTOLOGY_FIELDS} }}\n        }} "
        );
        let variables = json!({"data": {
            "name": name,
            "normalized": normalized.to_wire().to_string(),
            "mediaType": media_type.map(MediaType::as_str),
        }});
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            upsert_ontology: Option<WireOntology>,
        }
        let data: Data = self.transport().mutate(&document, variables)?;
        data.upsert_ontology
            .ok_or_else(|| Error::decode("upsertOntology answered null", ""))?
            .into_ontology()
    }
}

impl Project {
    /// Connects `ontology` to the project, so its rows can be labeled with it. A project
    /// without an editor gets the default one first (`Editor`), as the official SDK does.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the ontology has a media type and it is not the
    /// project's (nothing is sent); [`Error::NotFound`] when the project is gone, or no
    /// `Editor` exists to connect; otherwise a [request failure](crate::Error#request-failures).
    pub fn connect_ontology(&self, ontology: &Ontology) -> Result<()> {
        if let (Some(theirs), Some(ours)) = (ontology.media_type.as_deref(), self.media_type_name())
        {
            if theirs != ours && theirs != "UNKNOWN" {
                return Err(Error::invalid_input(
                    "ontology",
                    format!("the ontology is for {theirs}, the project for {ours}"),
                ));
            }
        }
        if !self.has_labeling_frontend()? {
            self.connect_default_editor()?;
        }
        const CONNECT: &str = "mutation ConnectOntologyPyApi($projectId: ID!, $ontologyId: ID!){\n            project(where: {id: $projectId}) {connectOntology(ontologyId: $ontologyId) {id}}}";
        let _: Value = self
            .client()
            .transport()
            .mutate(
                CONNECT,
                json!({"ontologyId": ontology.id, "projectId": self.id()}),
            )
            .map_err(|e| self.not_found_or(e))?;
        Ok(())
    }

    /// The project's ontology, `None` when none is connected (`GetProjectOntologyPyApi`).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the project is gone; [`Error::Decode`] for a `normalized`
    /// that is not an ontology; otherwise a [request failure](crate::Error#request-failures).
    pub fn ontology(&self) -> Result<Option<Ontology>> {
        let document = format!(
            "query GetProjectOntologyPyApi($param_0: ID!){{project(where: {{id: $param_0}}){{ontology{{{ONTOLOGY_FIELDS}}}}}}}"
        );
        #[derive(Deserialize)]
        struct Inner {
            ontology: Option<WireOntology>,
        }
        #[derive(Deserialize)]
        struct Data {
            project: Option<Inner>,
        }
        let data: Data = self
            .client()
            .transport()
            .query(&document, json!({"param_0": self.id()}))
            .map_err(|e| self.not_found_or(e))?;
        data.project
            .ok_or_else(|| self.not_found())?
            .ontology
            .map(WireOntology::into_ontology)
            .transpose()
    }

    fn has_labeling_frontend(&self) -> Result<bool> {
        const GET: &str = "query GetProjectLabelingFrontendPyApi($param_0: ID!){project(where: {id: $param_0}){labelingFrontend{description iframeUrlPath name id}}}";
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Inner {
            labeling_frontend: Option<Value>,
        }
        #[derive(Deserialize)]
        struct Data {
            project: Option<Inner>,
        }
        let data: Data = self
            .client()
            .transport()
            .query(GET, json!({"param_0": self.id()}))
            .map_err(|e| self.not_found_or(e))?;
        Ok(data
            .project
            .ok_or_else(|| self.not_found())?
            .labeling_frontend
            .is_some_and(|f| !f.is_null()))
    }

    /// The official SDK's `_connect_default_labeling_front_end`: find the `Editor`, connect
    /// it, and give it empty customization options.
    fn connect_default_editor(&self) -> Result<()> {
        const FIND: &str = "query GetLabelingFrontendsPyApi($param_0: String!, $param_1: Boolean!){labelingFrontends(where: {AND: [{name: $param_0}, {deleted: $param_1}]} skip: 0 first: 100){description iframeUrlPath name id}}";
        const CONNECT: &str = "mutation ConnectProjectAndLabelingFrontendPyApi($projectId: ID!, $labelingFrontendId: ID!){updateProject(\n        where: {id: $projectId} data: {labelingFrontend: {connect: {id: $labelingFrontendId}}}) {id}} ";
        const OPTIONS: &str = "mutation CreateLabelingFrontendOptionsPyApi($project: ID!, $labelingFrontend: ID!, $customizationOptions: String!){createLabelingFrontendOptions(data: {project: {connect: {id: $project}} labelingFrontend: {connect: {id: $labelingFrontend}} customizationOptions: $customizationOptions}) {customizationOptions id}} ";
        #[derive(Deserialize)]
        struct Frontend {
            id: String,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Found {
            labeling_frontends: Option<Vec<Frontend>>,
        }
        let transport = self.client().transport();
        let found: Found = transport.query(FIND, json!({"param_0": "Editor", "param_1": false}))?;
        let editor = found
            .labeling_frontends
            .and_then(|f| f.into_iter().next())
            .ok_or_else(|| Error::NotFound {
                what: "labeling frontend".to_owned(),
                id: "Editor".to_owned(),
            })?;
        let _: Value = transport
            .mutate(
                CONNECT,
                json!({"projectId": self.id(), "labelingFrontendId": editor.id}),
            )
            .map_err(|e| self.not_found_or(e))?;
        let _: Value = transport.mutate(
            OPTIONS,
            json!({
                "project": self.id(),
                "labelingFrontend": editor.id,
                "customizationOptions": "{\"tools\": [], \"classifications\": []}",
            }),
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_colors_are_the_official_builders() {
        // colorsys.hsv_to_rgb(i / n, 1, 1), each channel int(255 * x), as OntologyBuilder does.
        let colors = |n: usize| (0..n).map(|i| hue_color(i, n)).collect::<Vec<_>>();
        assert_eq!(colors(1), ["#ff0000"]);
        assert_eq!(colors(3), ["#ff0000", "#00ff00", "#0000ff"]);
        assert_eq!(
            colors(7),
            ["#ff0000", "#ffda00", "#48ff00", "#00ff91", "#0091ff", "#4800ff", "#ff00da"]
        );
    }

    #[test]
    fn the_wire_form_gives_colors_and_the_global_scope() {
        let wire = NormalizedOntology::new()
            .tool(OntologyTool::bbox("car"))
            .classification(OntologyClassification::radio("weather", ["sunny"]))
            .to_wire();
        assert_eq!(wire["tools"][0]["color"], "#ff0000");
        assert_eq!(wire["tools"][0]["tool"], "rectangle");
        assert_eq!(wire["classifications"][0]["scope"], "global");
        assert_eq!(wire["classifications"][0]["options"][0]["value"], "sunny");
    }
}
