//! Listing datasets (the official SDK's `Client.get_datasets`): `datasets(where:, skip:, first:)`
//! with the `where` it sends, `{deleted: false}` alone or `AND`-ed with `{name: ...}`.

use async_graphql::{Context, InputObject, Object};

use super::{count_arg, store, Dataset};

/// Largest page of a dataset listing.
const MAX_DATASET_PAGE: usize = 100;

/// The dataset filters the official SDK sends: `name`, `deleted`, and `AND` of them.
#[derive(InputObject, Default)]
#[graphql(name = "DatasetWhereInput")]
struct DatasetWhere {
    name: Option<String>,
    deleted: Option<bool>,
    #[graphql(name = "AND")]
    and: Option<Vec<DatasetWhere>>,
}

impl DatasetWhere {
    /// Whether a dataset matches; no dataset of the emulator is ever deleted.
    fn matches(&self, name: &str) -> bool {
        self.name.as_deref().is_none_or(|want| want == name)
            && self.deleted.is_none_or(|deleted| !deleted)
            && self
                .and
                .as_ref()
                .is_none_or(|all| all.iter().all(|w| w.matches(name)))
    }
}

/// The dataset listing part of the query root.
#[derive(Default)]
pub(crate) struct DatasetQuery;

#[Object]
impl DatasetQuery {
    /// The organization's datasets matching `where`, oldest first, offset-paginated.
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
            .datasets()
            .into_iter()
            .filter(|d| filter.matches(&d.name))
            .skip(skip)
            .take(first)
            .map(Dataset)
            .collect())
    }
}
