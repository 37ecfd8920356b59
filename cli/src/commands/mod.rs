//! Running a parsed command line: the client, then the command group.

pub mod catalog;
mod data_rows;
mod dataset;
pub mod export;
mod labels;
mod listing;
mod lookup;
mod model;
mod project;
mod shell;
mod task;
mod view;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use labelbox::{Client, Retry, RetryPolicy, DEFAULT_ENDPOINT};

use crate::args::{Cli, Command, GlobalArgs};
use crate::exit::{self, Exit};
use crate::output::{self, Ui};

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
        Command::Project(command) => project::run(&connect(&cli.global)?, ui, command),
        Command::Labels(command) => labels::run(&connect(&cli.global)?, ui, command),
        Command::Model(command) => model::run_model(&connect(&cli.global)?, ui, command),
        Command::ModelRun(command) => model::run_model_run(&connect(&cli.global)?, ui, command),
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
    let endpoint = global
        .endpoint()
        .unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned());
    let mut builder = Client::builder().api_key(key).endpoint(&endpoint);
    if let Some(budget) = global.retry_budget().map_err(exit::usage)? {
        builder = builder.retry_policy(RetryPolicy::default().total_budget(budget));
    }
    // `-v` logs every retry already; `--quiet` asks for silence.
    if global.verbose == 0 && !global.quiet {
        let told = AtomicBool::new(false);
        builder = builder.on_retry(move |retry| {
            if !told.swap(true, Ordering::Relaxed) {
                output::message_line(&first_retry_line(&endpoint, retry));
            }
        });
    }
    Ok(builder.build()?)
}

/// The one line said when a request first has to be retried: without it a dead or misspelt
/// endpoint meant minutes of silence before the error.
fn first_retry_line(endpoint: &str, retry: &Retry<'_>) -> String {
    let for_how_long = match retry.retrying_for() {
        // Whole seconds: "1m 52s", not "1m 52s 3ms 120us".
        Some(left) => format!(
            "for up to {}",
            humantime::format_duration(Duration::from_secs(left.as_secs_f64().round() as u64))
        ),
        None => format!("up to {} attempts", retry.max_attempts()),
    };
    format!(
        "labelbox: a request to {endpoint} failed ({}); retrying {for_how_long} \
         (--retry-budget changes this, -v shows each retry, --quiet hides this line)",
        output::one_line(&retry.error().to_string())
    )
}
