//! `labelbox`: Labelbox tasks and data-row imports from shell scripts and CI jobs.
//!
//! Parses the command line, runs the command, and turns the outcome into an exit code
//! (see `labelbox --help` and `cli/README.md`).

mod args;
mod commands;
mod exit;
mod explain;
mod logger;
mod output;
mod progress;
mod rows_file;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;

use crate::args::Cli;
use crate::exit::Exit;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err),
    };
    let verbose = cli.global.verbose > 0;
    logger::init(cli.global.verbose);
    match commands::run(cli) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(err) if exit::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            report(&err, verbose);
            ExitCode::from(exit::exit_for(&err).code())
        }
    }
}

/// Clap's own errors: help and version are successes, the rest is bad usage (3, not clap's 2,
/// which means "timed out" here).
fn usage_error(err: &clap::Error) -> ExitCode {
    // Printing can only fail when stdout/stderr are gone; there is nobody left to tell.
    let _ = err.print();
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => ExitCode::SUCCESS,
        _ => ExitCode::from(Exit::Usage.code()),
    }
}

/// One line for the error, its causes appended (an SDK error keeps the I/O or JSON error
/// behind it as its source); with `-v`, the causes one per line instead. Only the CLI's own
/// messages may span lines (a rows file's report: one line per bad row); anything else, e.g. a
/// service's message quoting a body, is put on one line.
fn report(err: &anyhow::Error, verbose: bool) {
    let text = if let Some(failure) = err.downcast_ref::<exit::Failure>() {
        failure.message.clone()
    } else if let Some(words) = err
        .downcast_ref::<labelbox::Error>()
        .and_then(explain::in_cli_words)
    {
        words
    } else if verbose {
        output::one_line(&err.to_string())
    } else {
        output::one_line(&format!("{err:#}"))
    };
    output::message_line(&format!("error: {text}"));
    if verbose {
        for cause in err.chain().skip(1) {
            output::message_line(&format!(
                "  caused by: {}",
                output::one_line(&cause.to_string())
            ));
        }
    }
}
