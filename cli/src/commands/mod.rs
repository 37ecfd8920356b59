//! Running a parsed command line: the client, then the command group.

mod data_rows;
mod dataset;
pub mod export;
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
    }
}

/// The client for `--api-key` / `--endpoint` (or their environment variables).
fn connect(global: &GlobalArgs) -> anyhow::Result<Client> {
    let key = global.api_key.as_deref().map(str::trim).unwrap_or("");
    if key.is_empty() {
        return Err(exit::failure(
            Exit::Auth,
            "no API key: pass --api-key or set LABELBOX_API_KEY",
        ));
    }
    let mut builder = Client::builder().api_key(key);
    if let Some(endpoint) = global.endpoint.as_deref().filter(|e| !e.trim().is_empty()) {
        builder = builder.endpoint(endpoint.trim());
    }
    if let Some(budget) = global.retry_budget {
        builder = builder.retry_policy(RetryPolicy::default().total_budget(budget));
    }
    Ok(builder.build()?)
}
