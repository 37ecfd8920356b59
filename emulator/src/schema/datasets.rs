//! Datasets: `dataset`, `datasets`, `createDataset`, `updateDataset` (renames, descriptions
//! and `deleted: true`, the official SDK's `Dataset.delete()`).

use async_graphql::{Context, InputObject, Object, ID};

use super::{coded, count, count_arg, store, DateTime, Organization, User, WhereUniqueInput};
use crate::store::DatasetRecord;

/// Largest page of `datasets` (the official SDK asks 100 at a time).
const MAX_DATASET_PAGE: usize = 100;

/// A dataset as GraphQL sees it.
pub(super) struct Dataset(pub(super) DatasetRecord);

#[Object]
impl Dataset {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// `""` when none was given (Labelbox's own `test_dataset` asserts it).
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn row_count(&self) -> i64 {
        count(self.0.row_count)
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    /// The key's user: the only creator in the emulator.
    async fn created_by(&self, ctx: &Context<'_>) -> User {
        User::of(&store(ctx).identity)
    }
    async fn organization(&self, ctx: &Context<'_>) -> Organization {
        Organization::of(&store(ctx).identity)
    }
}

/// A missing dataset, as the service reports it.
pub(super) fn not_found(id: &str) -> async_graphql::Error {
    coded(
        format!("Resource not found: no Dataset with id {id}"),
        "RESOURCE_NOT_FOUND",
    )
}

#[derive(InputObject)]
struct DatasetCreateInput {
    name: String,
    description: Option<String>,
}

/// `datasets(where:)`: what `client.get_datasets(where=Dataset.name == n)` sends (the name,
/// `deleted: false`, joined by `AND`); nothing else is evidenced, so nothing else is accepted.
#[derive(InputObject, Default)]
#[graphql(name = "DatasetWhereInput")]
struct DatasetWhere {
    name: Option<String>,
    deleted: Option<bool>,
    #[graphql(name = "AND")]
    and: Option<Vec<DatasetWhere>>,
}

impl DatasetWhere {
    fn matches(&self, d: &DatasetRecord) -> bool {
        // Deleted datasets are gone from the store: `deleted: true` matches nothing.
        self.name.as_ref().is_none_or(|n| *n == d.name)
            && self.deleted != Some(true)
            && self
                .and
                .as_ref()
                .is_none_or(|all| all.iter().all(|w| w.matches(d)))
    }
}

#[derive(InputObject)]
struct DatasetUpdateInput {
    name: Option<String>,
    description: Option<String>,
    deleted: Option<bool>,
}

/// The dataset fields of the query root.
#[derive(Default)]
pub(crate) struct DatasetQuery;

#[Object]
impl DatasetQuery {
    /// A dataset by id.
    async fn dataset(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
    ) -> async_graphql::Result<Option<Dataset>> {
        match store(ctx).dataset(filter.id.as_str()) {
            Some(d) => Ok(Some(Dataset(d))),
            None => Err(not_found(filter.id.as_str())),
        }
    }

    /// The organization's datasets, oldest first, offset-paginated.
    async fn datasets(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<DatasetWhere>,
        skip: Option<i32>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<Dataset>> {
        let filter = filter.unwrap_or_default();
        let skip = count_arg("skip", skip, 0, usize::MAX)?;
        let first = count_arg("first", first, MAX_DATASET_PAGE, MAX_DATASET_PAGE)?;
        Ok(store(ctx)
            .datasets(|d| filter.matches(d))
            .into_iter()
            .skip(skip)
            .take(first)
            .map(Dataset)
            .collect())
    }
}

/// The dataset fields of the mutation root.
#[derive(Default)]
pub(crate) struct DatasetMutation;

#[Object]
impl DatasetMutation {
    /// Creates an empty dataset.
    async fn create_dataset(&self, ctx: &Context<'_>, data: DatasetCreateInput) -> Dataset {
        Dataset(store(ctx).create_dataset(data.name, data.description))
    }

    /// Renames a dataset, sets its description, or deletes it (`deleted: true`, with its
    /// rows; their global keys become free). Answers the dataset as it was last.
    async fn update_dataset(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: WhereUniqueInput,
        data: DatasetUpdateInput,
    ) -> async_graphql::Result<Dataset> {
        let store = store(ctx);
        let id = filter.id.as_str();
        let updated = store
            .update_dataset(id, |d| {
                if let Some(name) = data.name {
                    d.name = name;
                }
                if let Some(description) = data.description {
                    d.description = description;
                }
            })
            .ok_or_else(|| not_found(id))?;
        if data.deleted == Some(true) {
            store.delete_dataset(id);
        }
        Ok(Dataset(updated))
    }
}
