//! The command line, as clap types: every command, option and its `--help` text.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The shortest `--every` the SDK accepts: Labelbox asks clients not to poll faster.
pub const MIN_EVERY: Duration = Duration::from_secs(2);

/// The end of `labelbox --help`: an example and the exit codes (also in the README).
const AFTER_LONG_HELP: &str = "\
Example:
  LABELBOX_API_KEY=... labelbox task wait TASK_ID --timeout 10m

Exit codes:
  0  success
  1  the task failed or was canceled, or rows failed to import
  2  the wait timed out (the task is still running)
  3  bad usage or input (unknown option, bad duration, invalid rows file...)
  4  authentication or authorization (bad, missing or revoked API key)
  5  any other API or network error";

/// `labelbox`: Labelbox tasks and imports from shell scripts and CI jobs.
#[derive(Parser)]
#[command(
    name = "labelbox",
    version,
    about = "Labelbox tasks and data-row imports from shell scripts and CI jobs",
    long_about = "Start data-row imports, wait for Labelbox tasks with a time limit and read their \
results, from shell scripts and CI jobs.\n\nOnly data goes to stdout (a table or text by default, \
one JSON document with --json, NDJSON for streams); messages and progress go to stderr.",
    after_help = "Example:\n  LABELBOX_API_KEY=... labelbox task wait TASK_ID --timeout 10m\n\n\
Exit codes: 0 ok, 1 task failed/canceled or rows failed, 2 timed out, 3 bad usage or input, \
4 authentication, 5 other API or network error (details: --help).",
    after_long_help = AFTER_LONG_HELP
)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes (they may come before or after the command's name).
///
/// No `Debug`: it holds the API key.
#[derive(Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Labelbox API key (never printed)
    #[arg(
        long,
        env = "LABELBOX_API_KEY",
        hide_env_values = true,
        global = true,
        value_name = "KEY"
    )]
    pub api_key: Option<String>,

    /// The GraphQL endpoint; Labelbox's own when absent.
    #[arg(
        long,
        help = "GraphQL endpoint [default: https://api.labelbox.com/graphql]",
        env = "LABELBOX_ENDPOINT",
        hide_env_values = true,
        global = true,
        value_name = "URL"
    )]
    pub endpoint: Option<String>,

    /// Stop retrying a failed request (connection refused, server errors, rate limits) once
    /// this long has passed since its first try; 0s sends each request once
    #[arg(
        long,
        env = "LABELBOX_RETRY_BUDGET",
        global = true,
        value_name = "DURATION",
        value_parser = parse_duration,
        help = "Stop retrying a failed request after this long, e.g. 30s; 0s: no retries \
[default: 2m]",
        long_help = "Stop retrying a failed request (refused connection, server error, rate \
limit...) once this long has passed since its first try, e.g. 30s; 0s sends each request once. \
Requests that may have changed something are never re-sent either way.\n[default: 2m, the SDK's]"
    )]
    pub retry_budget: Option<Duration>,

    /// Print one JSON document on stdout instead of human output
    #[arg(long, global = true)]
    pub json: bool,

    /// No messages or progress on stderr, only data on stdout and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Print the cause chain of errors
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// The command groups.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read, wait for, list and cancel tasks
    #[command(
        subcommand,
        after_help = "Examples:\n  labelbox task wait TASK_ID --timeout 10m\n  \
labelbox task list --status failed --since 2h"
    )]
    Task(TaskCommand),
    /// Create and read datasets
    #[command(
        subcommand,
        after_help = "Example:\n  labelbox dataset create \"My images\" --json"
    )]
    Dataset(DatasetCommand),
    /// Import data rows into a dataset
    #[command(
        subcommand,
        name = "data-rows",
        after_help = "Example:\n  labelbox data-rows import --dataset DATASET_ID rows.ndjson --wait 10m"
    )]
    DataRows(DataRowsCommand),
}

/// `labelbox task ...`
#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Show one task
    #[command(after_help = "Example:\n  labelbox task get TASK_ID --json | jq -r .status")]
    Get {
        /// The task's id
        id: String,
    },

    /// Wait until a task ends; exit 0 if it completed, 1 if it failed or was canceled (or, for an
    /// import, if rows failed), 2 on timeout
    #[command(
        after_help = "Example:\n  labelbox task wait TASK_ID --timeout 30m --every 10s\n\n\
Shows a progress bar on a terminal, and one line per change of status or percentage otherwise \
(CI logs)."
    )]
    Wait {
        /// The task's id
        id: String,
        #[command(flatten)]
        wait: WaitArgs,
    },

    /// List tasks, as a table (or a JSON array with --json)
    #[command(
        after_help = "Examples:\n  labelbox task list --status failed --since 2h\n  \
labelbox task list --type adv-upsert-data-rows --limit 10 --json"
    )]
    List(ListArgs),

    /// Cancel a running task (only cancelable task types); with --wait, until it is canceled
    #[command(after_help = "Example:\n  labelbox task cancel TASK_ID --wait")]
    Cancel {
        /// The task's id
        id: String,
        /// Wait until the task has ended; exit 0 if it ended canceled, 1 if it ended otherwise
        #[arg(long)]
        wait: bool,
        /// With --wait: how long and how often
        #[command(flatten)]
        limits: WaitArgs,
    },

    /// Stream a task's result as NDJSON (import tasks: the created rows)
    #[command(after_help = "Example:\n  labelbox task result TASK_ID > created.ndjson")]
    Result {
        /// The task's id
        id: String,
    },

    /// Stream a task's errors as NDJSON (import tasks: the rows that failed)
    #[command(after_help = "Example:\n  labelbox task errors TASK_ID | jq -r .message")]
    Errors {
        /// The task's id
        id: String,
    },
}

/// How long and how often a wait polls.
#[derive(Debug, Clone, Copy, Args)]
pub struct WaitArgs {
    /// Give up (exit 2) after this long, e.g. 90s, 10m, 1h30m
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Check the task this often (at least 2s)
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_every)]
    pub every: Duration,
}

/// `labelbox task list` filters.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only tasks in this status (any case: `failed`, `FAILED`, `CANCELING`...)
    #[arg(long, value_enum, ignore_case = true)]
    pub status: Option<StatusArg>,
    /// Only tasks of this type, e.g. adv-upsert-data-rows
    #[arg(long = "type", value_name = "TYPE")]
    pub task_type: Option<String>,
    /// Only tasks created within this long, e.g. 2h
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "created_after")]
    pub since: Option<Duration>,
    /// Only tasks created after this time, RFC 3339, e.g. 2026-11-29T07:00:00Z
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub created_after: Option<SystemTime>,
    /// At most this many tasks
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

/// A task status as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// IN_PROGRESS
    #[value(name = "in-progress", aliases = ["in_progress"])]
    InProgress,
    /// COMPLETE
    Complete,
    /// FAILED
    Failed,
    /// CANCELLING (the one-L `canceling` of Labelbox's task page is the same status)
    #[value(alias = "canceling")]
    Cancelling,
    /// CANCELED
    #[value(alias = "cancelled")]
    Canceled,
}

/// `labelbox dataset ...`
#[derive(Debug, Subcommand)]
pub enum DatasetCommand {
    /// Create a dataset and print it
    #[command(
        after_help = "Example:\n  DATASET=$(labelbox dataset create \"My images\" --json | jq -r .id)"
    )]
    Create {
        /// The new dataset's name
        name: String,
    },
    /// Show one dataset
    #[command(after_help = "Example:\n  labelbox dataset get DATASET_ID")]
    Get {
        /// The dataset's id
        id: String,
    },
}

/// `labelbox data-rows ...`
#[derive(Debug, Subcommand)]
pub enum DataRowsCommand {
    /// Import data rows from an NDJSON file or a JSON array; every row is checked before any is uploaded
    #[command(after_help = "\
Examples:
  labelbox data-rows import --dataset DATASET_ID rows.ndjson --wait 10m
  cat rows.json | labelbox data-rows import --dataset DATASET_ID -

Each row is a JSON object, e.g.
  {\"row_data\": \"https://example.com/1.jpg\", \"global_key\": \"img-1\", \"external_id\": \"1\"}
Keys: row_data, global_key, external_id, media_type, metadata_fields, attachments; a row with
\"key\": {\"type\": \"GKEY\" | \"ID\", \"value\": \"...\"} updates an existing data row.

Without --wait, prints the import task's id and exits 0 once the import has started.
With --wait, exits 0 if every row was created, 1 if rows failed or the task failed, 2 on timeout.")]
    Import(ImportArgs),
}

/// `labelbox data-rows import` arguments.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The dataset to import into
    #[arg(long, value_name = "ID")]
    pub dataset: String,
    /// The rows: an NDJSON file or a JSON array file, `-` for stdin
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Wait this long for the import to finish, then report created and failed rows
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub wait: Option<Duration>,
    /// With --wait: check the task this often (at least 2s)
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_every, requires = "wait")]
    pub every: Duration,
}

/// A human duration (`90s`, `10m`, `1h 30m`), via humantime.
fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|e| format!("{e} (examples: 90s, 10m, 1h30m)"))
}

/// A polling interval: a human duration no shorter than [`MIN_EVERY`].
fn parse_every(text: &str) -> Result<Duration, String> {
    let every = parse_duration(text)?;
    if every < MIN_EVERY {
        return Err(format!(
            "must be at least {} (Labelbox asks clients not to poll faster)",
            humantime::format_duration(MIN_EVERY)
        ));
    }
    Ok(every)
}

/// An RFC 3339 timestamp; a missing offset means UTC.
fn parse_time(text: &str) -> Result<SystemTime, String> {
    humantime::parse_rfc3339_weak(text)
        .map_err(|e| format!("{e} (expected RFC 3339, e.g. 2026-11-29T07:00:00Z)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_below_the_floor_is_refused() {
        assert!(parse_every("1s").is_err());
        assert_eq!(parse_every("2s"), Ok(Duration::from_secs(2)));
    }

    #[test]
    fn durations_and_times_parse() {
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_time("2026-11-29T07:00:00Z").is_ok());
        assert!(parse_time("yesterday").is_err());
    }
}
