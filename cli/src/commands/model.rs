//! `labelbox model create | get | delete` and `labelbox model-run create | get | add-rows |
//! delete` (and `model-run export`, in `export.rs`).

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use labelbox::{Client, DataRowIdentifiers};

use super::{task, view};
use crate::args::{AddRowsArgs, ModelCommand, ModelRunCommand};
use crate::exit::{self, Exit};
use crate::output::Ui;

/// Runs one `model` command.
pub fn run_model(client: &Client, ui: Ui, command: ModelCommand) -> anyhow::Result<Exit> {
    match command {
        ModelCommand::Create { name, ontology } => {
            let model = client.create_model(&name, &ontology)?;
            ui.note(format!("created model {}", model.id()));
            view::print_model(ui, &model)?;
        }
        ModelCommand::Get { id } => view::print_model(ui, &client.get_model(&id)?)?,
        ModelCommand::Delete { id } => {
            client.get_model(&id)?.delete()?;
            ui.note(format!("deleted model {id}"));
        }
    }
    Ok(Exit::Success)
}

/// Runs one `model-run` command.
pub fn run_model_run(client: &Client, ui: Ui, command: ModelRunCommand) -> anyhow::Result<Exit> {
    match command {
        ModelRunCommand::Create {
            name,
            model,
            config,
        } => {
            let config = config
                .map(|text| serde_json::from_str(&text))
                .transpose()
                .map_err(|e| exit::usage(format!("--config is not JSON: {e}")))?;
            let run = client.get_model(&model)?.create_model_run(&name, config)?;
            ui.note(format!("created model run {}", run.id()));
            view::print_model_run(ui, &run)?;
            Ok(Exit::Success)
        }
        ModelRunCommand::Get { id } => {
            view::print_model_run(ui, &client.get_model_run(&id)?)?;
            Ok(Exit::Success)
        }
        ModelRunCommand::Delete { id } => {
            client.get_model_run(&id)?.delete()?;
            ui.note(format!("deleted model run {id}"));
            Ok(Exit::Success)
        }
        ModelRunCommand::Export(args) => super::export::export_model_run(client, ui, args),
        ModelRunCommand::AddRows(args) => add_rows(client, ui, args),
    }
}

/// `model-run add-rows`: the registration's task, printed or waited for.
fn add_rows(client: &Client, ui: Ui, args: AddRowsArgs) -> anyhow::Result<Exit> {
    // The rows are read and checked before anything is sent.
    if args.keys && args.file.is_none() {
        return Err(exit::usage("--keys says what FILE holds: pass a FILE"));
    }
    let rows = match &args.file {
        Some(path) => {
            let names = read_names(path)?;
            if args.keys {
                DataRowIdentifiers::global_keys(names)
            } else {
                DataRowIdentifiers::ids(names)
            }
        }
        None if !args.global_keys.is_empty() => {
            DataRowIdentifiers::global_keys(args.global_keys.clone())
        }
        None => DataRowIdentifiers::ids(args.data_row_ids.clone()),
    };
    if rows.is_empty() {
        return Err(exit::usage("no rows named: the file has no ids or keys"));
    }
    let run = client.get_model_run(&args.model_run)?;
    let started = run.upsert_data_rows(&rows)?;
    ui.note(format!(
        "registration task {} started ({} rows)",
        started.id(),
        rows.len()
    ));
    task::print_or_wait(ui, started, &args.wait)
}

/// The ids or keys of a file (`-`: stdin), one per line; blank lines are skipped.
fn read_names(path: &Path) -> anyhow::Result<Vec<String>> {
    let reader: Box<dyn Read> = if path == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| exit::usage(format!("cannot read {}: {e}", path.display())))?;
        Box::new(file)
    };
    let mut names = Vec::new();
    for (number, line) in BufReader::new(reader).lines().enumerate() {
        let line =
            line.map_err(|e| exit::usage(format!("{} line {}: {e}", path.display(), number + 1)))?;
        let name = line.trim();
        if !name.is_empty() {
            names.push(name.to_owned());
        }
    }
    Ok(names)
}
