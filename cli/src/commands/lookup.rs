//! Finding a dataset by id or by name, for `dataset get` and `data-rows import`.

use labelbox::{Client, Dataset};

use crate::exit;

/// The dataset with this id, or the one dataset with this name (clap requires one of them).
pub fn dataset(client: &Client, id: Option<&str>, name: Option<&str>) -> anyhow::Result<Dataset> {
    match (id, name) {
        (Some(id), _) => Ok(client.get_dataset(id)?),
        (None, Some(name)) => dataset_named(client, name),
        (None, None) => Err(exit::usage("name a dataset: its id, or --name")),
    }
}

/// The one dataset named `name`; none, or several (names are not unique), is a usage error.
fn dataset_named(client: &Client, name: &str) -> anyhow::Result<Dataset> {
    let mut found: Vec<Dataset> = client.datasets_named(name).collect::<Result<_, _>>()?;
    match found.len() {
        0 => Err(exit::usage(format!(
            "no dataset is named {name:?} (`labelbox dataset list` lists them)"
        ))),
        1 => Ok(found.remove(0)),
        n => {
            let ids: Vec<&str> = found.iter().map(Dataset::id).collect();
            Err(exit::usage(format!(
                "{n} datasets are named {name:?} ({}); name one by its id",
                ids.join(", ")
            )))
        }
    }
}
