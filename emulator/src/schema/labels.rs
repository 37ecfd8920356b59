//! Labels: `label`, `deleteLabels`, auto-QA feedback, a project's labels (in `projects.rs`)
//! and a data row's. Their imports are in `annotation_imports.rs`.

use async_graphql::{
    Context, InputObject, InputValueError, InputValueResult, Object, Result, Scalar, ScalarType,
    SimpleObject, Value as GqlValue, ID,
};

use super::projects::ProjectObject;
use super::{coded, store, DateTime, User, WhereUniqueInput};
use crate::projects::LabelRecord;

/// A label as GraphQL sees it.
pub(crate) struct LabelObject {
    project_id: String,
    label: LabelRecord,
}

impl LabelObject {
    pub(crate) fn new(project_id: &str, label: &LabelRecord) -> Self {
        LabelObject {
            project_id: project_id.to_string(),
            label: label.clone(),
        }
    }
}

#[Object(name = "Label")]
impl LabelObject {
    async fn id(&self) -> ID {
        ID(self.label.id.clone())
    }
    /// The label's annotations as JSON text.
    async fn label(&self) -> &str {
        &self.label.label
    }
    async fn seconds_to_label(&self) -> f64 {
        0.0
    }
    async fn agreement(&self) -> Option<f64> {
        None
    }
    async fn benchmark_agreement(&self) -> Option<f64> {
        None
    }
    async fn is_benchmark_reference(&self) -> bool {
        false
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.label.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.label.created_at)
    }
    async fn created_by(&self, ctx: &Context<'_>) -> User {
        User::of(&store(ctx).identity)
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<ProjectObject> {
        super::projects::with_project(store(ctx), &self.project_id, |p, _| {
            ProjectObject(p.clone())
        })
    }
    async fn data_row(&self, ctx: &Context<'_>) -> Result<super::data_rows::DataRowObject> {
        let id = &self.label.data_row_id;
        store(ctx)
            .data_row(id)
            .map(super::data_rows::DataRowObject)
            .ok_or_else(|| super::data_rows::row_not_found(id))
    }
}

/// The labels of data row `id`, in every project, oldest first.
pub(super) fn data_row_labels(
    ctx: &Context<'_>,
    id: &str,
    skip: usize,
    first: usize,
) -> Vec<LabelObject> {
    let state = store(ctx).projects.lock();
    let mut out: Vec<LabelObject> = state
        .projects
        .values()
        .flat_map(|p| {
            p.labels
                .iter()
                .filter(|l| l.data_row_id == id && l.visible())
                .map(|l| LabelObject::new(&p.id, l))
        })
        .collect();
    out.sort_by(|a, b| (a.label.created_at, &a.label.id).cmp(&(b.label.created_at, &b.label.id)));
    out.into_iter().skip(skip).take(first).collect()
}

/// `where: {deleted}` of a data row's labels (the official SDK's own `deleted == false`).
#[derive(InputObject)]
#[graphql(name = "LabelWhereInput")]
pub(crate) struct LabelWhere {
    pub(crate) deleted: Option<bool>,
}

/// `Json`: any JSON value (the name the service's auto-QA mutation declares).
pub(crate) struct AnyJson(pub(crate) serde_json::Value);

#[Scalar(name = "Json")]
impl ScalarType for AnyJson {
    fn parse(value: GqlValue) -> InputValueResult<Self> {
        value
            .into_json()
            .map(AnyJson)
            .map_err(|e| InputValueError::custom(e.to_string()))
    }

    fn to_value(&self) -> GqlValue {
        GqlValue::from_json(self.0.clone()).unwrap_or(GqlValue::Null)
    }
}

#[derive(InputObject)]
#[graphql(name = "UpsertAutoQaLabelFeedbackInput")]
struct AutoQaFeedbackInput {
    label_id: ID,
    feedback: String,
    scores: AnyJson,
}

#[derive(SimpleObject)]
#[graphql(name = "LabelScore")]
struct LabelScore {
    id: ID,
    name: String,
    score: f64,
}

#[derive(SimpleObject)]
#[graphql(name = "AutoQaLabelFeedback")]
struct AutoQaFeedback {
    id: ID,
    scores: Vec<LabelScore>,
}

#[derive(SimpleObject)]
struct DeletedLabel {
    id: ID,
}

#[derive(Default)]
pub(crate) struct LabelQuery;

#[Object]
impl LabelQuery {
    /// A label by id.
    async fn label(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
    ) -> Result<Option<LabelObject>> {
        let state = store(ctx).projects.lock();
        let id = filter.id.as_str();
        state
            .label(id)
            .filter(|(_, l)| l.visible())
            .map(|(p, l)| Some(LabelObject::new(&p.id, l)))
            .ok_or_else(|| {
                coded(
                    format!("Resource not found: no Label with id {id}"),
                    "RESOURCE_NOT_FOUND",
                )
            })
    }
}

#[derive(Default)]
pub(crate) struct LabelMutation;

#[Object]
impl LabelMutation {
    /// Records feedback on a label: its scores (`{name: number}`) are answered back, each
    /// with an id. A score that is not a number is refused.
    async fn upsert_auto_qa_label_feedback(
        &self,
        ctx: &Context<'_>,
        input: AutoQaFeedbackInput,
    ) -> Result<AutoQaFeedback> {
        let store = store(ctx);
        let _ = input.feedback;
        let id = input.label_id.as_str();
        if store.projects.lock().label(id).is_none() {
            return Err(coded(
                format!("Resource not found: no Label with id {id}"),
                "RESOURCE_NOT_FOUND",
            ));
        }
        let Some(scores) = input.scores.0.as_object() else {
            return Err(coded(
                "scores must be an object of numbers",
                "MALFORMED_REQUEST",
            ));
        };
        let mut out = Vec::new();
        for (name, score) in scores {
            let score = score.as_f64().ok_or_else(|| {
                coded(
                    format!("Score {name:?} is not a number"),
                    "MALFORMED_REQUEST",
                )
            })?;
            out.push(LabelScore {
                id: ID(store.new_id()),
                name: name.clone(),
                score,
            });
        }
        Ok(AutoQaFeedback {
            id: ID(store.new_id()),
            scores: out,
        })
    }

    /// Deletes labels by id; unknown ids are skipped.
    async fn delete_labels(&self, ctx: &Context<'_>, label_ids: Vec<ID>) -> Vec<DeletedLabel> {
        let mut state = store(ctx).projects.lock();
        let mut deleted = Vec::new();
        for project in state.projects.values_mut() {
            project.labels.retain(|l| {
                let gone = label_ids.iter().any(|id| id.as_str() == l.id);
                if gone {
                    deleted.push(DeletedLabel {
                        id: ID(l.id.clone()),
                    });
                }
                !gone
            });
        }
        deleted
    }
}
