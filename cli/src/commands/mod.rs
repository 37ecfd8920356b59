//! Running a parsed command line: the client, then the command group.

pub mod catalog;
mod data_rows;
mod dataset;
pub mod export;
mod listing;
mod lookup;
mod shell;
mod task;
mod view;

use labelbox::{Client, RetryPolicy};

use crate::args::{Cli, Command, GlobalArgs};
use crate::exit::{self, Exit};
use crate::output::Ui;

/// Runs the command; `Ok` carries the exit code of an outcome that is not an error.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    let ui = Ui {
        json: cli.global.json,
        quiet: cli.global.quiet,
    };
    match cli.command {
        Command::Task(command) => task::run(&connect(&cli.global)?, ui, command),
        Command::Dataset(command) => dataset::run(&connect(&cli.global)?, ui, command),
        // The rows file is checked before the client is built: bad input is reported even
        // without a key.
        Command::DataRows(command) => data_rows::run(|| connect(&cli.global), ui, command),
        Command::Completions { shell } => shell::completions(shell),
        Command::Man => shell::man(),
    }
}

/// The client for `--api-key` / `--endpoint` / `--retry-budget` (or their environment
/// variables).
fn connect(global: &GlobalArgs) -> anyhow::Result<Client> {
    let Some(key) = global.api_key() else {
        return Err(exit::failure(
            Exit::Auth,
            "no API key: pass --api-key or set LABELBOX_API_KEY",
        ));
    };
    let mut builder = Client::builder().api_key(key);
    if let Some(endpoint) = global.endpoint() {
        builder = builder.endpoint(endpoint);
    }
    if let Some(budget) = global.retry_budget().map_err(exit::usage)? {
        builder = builder.retry_policy(RetryPolicy::default().total_budget(budget));
    }
    Ok(builder.build()?)
}
