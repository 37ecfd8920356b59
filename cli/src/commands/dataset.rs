//! `labelbox dataset create | get | list` (and `export`, in `export.rs`).

use labelbox::Client;

use super::{listing, lookup, view};
use crate::args::DatasetCommand;
use crate::exit::Exit;
use crate::output::Ui;

/// Runs one `dataset` command.
pub fn run(client: &Client, ui: Ui, command: DatasetCommand) -> anyhow::Result<Exit> {
    let dataset = match command {
        DatasetCommand::Create { name } => {
            let dataset = client.create_dataset(&name)?;
            ui.note(format!("created dataset {}", dataset.id()));
            dataset
        }
        DatasetCommand::Get { id, name } => {
            lookup::dataset(client, id.as_deref(), name.as_deref())?
        }
        DatasetCommand::List { name } => {
            let datasets = match name {
                Some(name) => client.datasets_named(&name),
                None => client.datasets(),
            };
            let columns = listing::Columns {
                table: &view::DATASET_COLUMNS,
                row: view::dataset_row,
                json: view::dataset_json,
                noun: "datasets",
            };
            return listing::print(ui, datasets, None, &columns);
        }
        DatasetCommand::Export(args) => return super::export::export(client, ui, args),
    };
    view::print_dataset(ui, &dataset)?;
    Ok(Exit::Success)
}
