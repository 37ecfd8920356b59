//! `labelbox dataset create | get` (and `export`, in `export.rs`).

use labelbox::Client;

use super::view;
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
        DatasetCommand::Get { id } => client.get_dataset(&id)?,
        DatasetCommand::Export(args) => return super::export::export(client, ui, args),
    };
    view::print_dataset(ui, &dataset)?;
    Ok(Exit::Success)
}
