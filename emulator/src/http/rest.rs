//! The REST calls the official SDK's fixtures make on teardown: `DELETE
//! /api/v1/ontologies/{id}` and `DELETE /api/v1/feature-schemas/{id}` (204 when deleted).

use hyper::header::HeaderMap;
use hyper::Response;
use serde_json::json;

use super::response::{self, Answer, ResponseBody};
use super::{bearer_key, Service};

const ONTOLOGIES: &str = "/api/v1/ontologies/";
const FEATURE_SCHEMAS: &str = "/api/v1/feature-schemas/";

pub(super) fn is_unused_schema_deletion(path: &str) -> bool {
    path.starts_with(ONTOLOGIES) || path.starts_with(FEATURE_SCHEMAS)
}

/// Deletes an ontology no project uses, or accepts the deletion of a feature schema no stored
/// ontology holds; anything in use is answered 409 with the reason, as the service's message.
pub(super) fn delete_unused_schema(
    service: &Service,
    headers: &HeaderMap,
    path: &str,
) -> Response<ResponseBody> {
    let answer = |status: u16, message: &str| {
        response::whole_answer(Answer::new(status, &json!({ "message": message })))
    };
    if bearer_key(headers).as_deref() != Some(service.store.api_key.as_str()) {
        return answer(401, "Invalid API key");
    }
    let mut state = service.store.projects.lock();
    if let Some(id) = path.strip_prefix(ONTOLOGIES) {
        if !state.ontologies.contains_key(id) {
            return answer(404, &format!("Ontology {id} not found"));
        }
        if state
            .projects
            .values()
            .any(|p| p.ontology_id.as_deref() == Some(id))
        {
            return answer(409, &format!("Ontology {id} is used by a project"));
        }
        state.ontologies.remove(id);
    } else if let Some(id) = path.strip_prefix(FEATURE_SCHEMAS) {
        let used = state
            .ontologies
            .values()
            .any(|o| o.normalized.to_string().contains(&format!("\"{id}\"")));
        if used {
            return answer(409, &format!("Feature schema {id} is used by an ontology"));
        }
    }
    response::whole_answer(Answer::from_bytes(204, Vec::new()))
}
