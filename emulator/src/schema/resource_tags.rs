//! Resource tags: `createResourceTag`, `deleteResourceTag`, the organization's `resourceTag`
//! list, and a project's `resourceTags` / `updateProjectResourceTags`.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};

use super::{coded, store};
use crate::projects::ResourceTagRecord;

/// A resource tag; its color is written without the `#` (Labelbox's own test adds it back).
#[derive(SimpleObject, Clone)]
#[graphql(name = "ResourceTag")]
pub(crate) struct ResourceTag {
    id: ID,
    text: String,
    color: String,
}

impl ResourceTag {
    pub(crate) fn of(tag: &ResourceTagRecord) -> Self {
        ResourceTag {
            id: ID(tag.id.clone()),
            text: tag.text.clone(),
            color: tag.color.clone(),
        }
    }
}

impl ResourceTag {
    pub(crate) fn id_text(&self) -> String {
        self.id.to_string()
    }
}

/// Every tag of the organization, oldest first.
pub(crate) fn all(ctx: &Context<'_>) -> Vec<ResourceTag> {
    store(ctx)
        .projects
        .lock()
        .resource_tags
        .iter()
        .map(ResourceTag::of)
        .collect()
}

#[derive(InputObject)]
#[graphql(name = "CreateResourceTagInput")]
struct CreateInput {
    text: String,
    color: String,
}

#[derive(InputObject)]
#[graphql(name = "DeleteResourceTagInput")]
struct DeleteInput {
    id: String,
}

#[derive(InputObject)]
#[graphql(name = "UpdateProjectResourceTagsInput")]
struct ProjectTagsInput {
    resource_tag_ids: Option<Vec<String>>,
}

#[derive(SimpleObject)]
struct Deleted {
    id: ID,
}

#[derive(Default)]
pub(crate) struct ResourceTagMutation;

#[Object]
impl ResourceTagMutation {
    /// Creates a tag; an empty text is refused.
    async fn create_resource_tag(
        &self,
        ctx: &Context<'_>,
        input: CreateInput,
    ) -> Result<ResourceTag> {
        if input.text.trim().is_empty() {
            return Err(coded("A resource tag needs a text", "MALFORMED_REQUEST"));
        }
        let store = store(ctx);
        let tag = ResourceTagRecord {
            id: store.new_id(),
            text: input.text,
            color: input.color.trim_start_matches('#').to_string(),
        };
        store.projects.lock().resource_tags.push(tag.clone());
        Ok(ResourceTag::of(&tag))
    }

    /// Deletes a tag and takes it off every project.
    async fn delete_resource_tag(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<Deleted> {
        let mut state = store(ctx).projects.lock();
        let before = state.resource_tags.len();
        state.resource_tags.retain(|t| t.id != input.id);
        if state.resource_tags.len() == before {
            return Err(coded(
                format!("Resource not found: no ResourceTag with id {}", input.id),
                "RESOURCE_NOT_FOUND",
            ));
        }
        for project in state.projects.values_mut() {
            project.resource_tags.retain(|t| t != &input.id);
        }
        Ok(Deleted { id: ID(input.id) })
    }
}

/// `updateProjectResourceTags`, under `project(where: {id})` of the mutation root.
pub(crate) struct ProjectTagMutations(pub(crate) String);

#[Object]
impl ProjectTagMutations {
    /// Sets the project's tags (every id must name a tag, else nothing changes).
    async fn update_project_resource_tags(
        &self,
        ctx: &Context<'_>,
        input: ProjectTagsInput,
    ) -> Result<Vec<ResourceTag>> {
        let ids = input.resource_tag_ids.unwrap_or_default();
        let mut state = store(ctx).projects.lock();
        let tags: Vec<ResourceTag> = ids
            .iter()
            .map(|id| {
                state
                    .resource_tags
                    .iter()
                    .find(|t| &t.id == id)
                    .map(ResourceTag::of)
                    .ok_or_else(|| {
                        coded(
                            format!("Resource not found: no ResourceTag with id {id}"),
                            "RESOURCE_NOT_FOUND",
                        )
                    })
            })
            .collect::<Result<_>>()?;
        let project = state
            .projects
            .get_mut(&self.0)
            .ok_or_else(|| super::projects::project_not_found(&self.0))?;
        project.resource_tags = ids;
        Ok(tags)
    }
}
