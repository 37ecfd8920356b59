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
/// The key, the endpoint and the retry budget may come from the environment instead; they are
/// read there by [`GlobalArgs::api_key`] & co., not by clap, so that a usage error never shows
/// them as options the user typed.
///
/// No `Debug`: it holds the API key.
#[derive(Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Labelbox API key (never printed) [env: LABELBOX_API_KEY]
    #[arg(long = "api-key", global = true, value_name = "KEY")]
    pub api_key_arg: Option<String>,

    /// The GraphQL endpoint; Labelbox's own when absent.
    #[arg(
        long = "endpoint",
        help = "GraphQL endpoint [env: LABELBOX_ENDPOINT] [default: https://api.labelbox.com/graphql]",
        global = true,
        value_name = "URL"
    )]
    pub endpoint_arg: Option<String>,

    /// Stop retrying a failed request (connection refused, server errors, rate limits) once
    /// this long has passed since its first try; 0s sends each request once
    #[arg(
        long = "retry-budget",
        global = true,
        value_name = "DURATION",
        value_parser = parse_duration,
        help = "Stop retrying a failed request after this long, e.g. 30s; 0s: no retries \
[env: LABELBOX_RETRY_BUDGET] [default: 2m]",
        long_help = "Stop retrying a failed request (refused connection, server error, rate \
limit...) once this long has passed since its first try, e.g. 30s; 0s sends each request once. \
Requests that may have changed something are never re-sent either way.\n\
[env: LABELBOX_RETRY_BUDGET] [default: 2m, the SDK's]"
    )]
    pub retry_budget_arg: Option<Duration>,

    /// Print one JSON document on stdout instead of human output
    #[arg(long, global = true)]
    pub json: bool,

    /// No messages or progress on stderr, only data on stdout and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// -v: the SDK's retries as they happen and the causes of errors; -vv: debug details too
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// The environment variable of the API key.
pub const ENV_API_KEY: &str = "LABELBOX_API_KEY";
/// The environment variable of the endpoint.
pub const ENV_ENDPOINT: &str = "LABELBOX_ENDPOINT";
/// The environment variable of the retry budget.
pub const ENV_RETRY_BUDGET: &str = "LABELBOX_RETRY_BUDGET";

impl GlobalArgs {
    /// `--api-key`, else `LABELBOX_API_KEY`; blank counts as absent.
    pub fn api_key(&self) -> Option<String> {
        option_or_env(self.api_key_arg.as_deref(), ENV_API_KEY)
    }

    /// `--endpoint`, else `LABELBOX_ENDPOINT`; blank counts as absent.
    pub fn endpoint(&self) -> Option<String> {
        option_or_env(self.endpoint_arg.as_deref(), ENV_ENDPOINT)
    }

    /// `--retry-budget`, else `LABELBOX_RETRY_BUDGET` (a bad value there is a usage error).
    pub fn retry_budget(&self) -> Result<Option<Duration>, String> {
        if self.retry_budget_arg.is_some() {
            return Ok(self.retry_budget_arg);
        }
        match option_or_env(None, ENV_RETRY_BUDGET) {
            Some(text) => parse_duration(&text)
                .map(Some)
                .map_err(|e| format!("invalid {ENV_RETRY_BUDGET} {text:?}: {e}")),
            None => Ok(None),
        }
    }
}

/// The option's value, else the environment variable's; trimmed, blank as absent.
fn option_or_env(option: Option<&str>, variable: &str) -> Option<String> {
    let value = match option {
        Some(value) => value.to_string(),
        None => std::env::var(variable).ok()?,
    };
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
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
    /// Import data rows into a dataset, give them global keys, write their metadata in bulk
    #[command(
        subcommand,
        name = "data-rows",
        after_help = "Examples:\n  labelbox data-rows import --dataset DATASET_ID rows.ndjson --wait 10m\n  \
labelbox data-rows assign-keys keys.ndjson\n  \
labelbox data-rows metadata upsert metadata.ndjson"
    )]
    DataRows(DataRowsCommand),
    /// Create, list and export projects; send rows to annotate; set labeling priority
    #[command(
        subcommand,
        after_help = "Examples:\n  labelbox project create \"Street scenes\" --media-type image --json\n  \
labelbox project export PROJECT_ID --include label-details --output labels.ndjson"
    )]
    Project(ProjectCommand),
    /// Import labels (or model-assisted-labeling predictions) into a project
    #[command(
        subcommand,
        after_help = "Example:\n  labelbox labels import labels.ndjson --project PROJECT_ID --wait 10m"
    )]
    Labels(LabelsCommand),
    /// Create, read and delete models (a model's runs are `model-run`)
    #[command(
        subcommand,
        after_help = "Example:\n  MODEL=$(labelbox model create detector --ontology ONTOLOGY_ID --json | jq -r .id)"
    )]
    Model(ModelCommand),
    /// Create model runs, add data rows to them (sending to experiment), export them
    #[command(
        subcommand,
        name = "model-run",
        after_help = "Examples:\n  labelbox model-run create run-1 --model MODEL_ID --json\n  \
labelbox model-run add-rows MODEL_RUN_ID --global-key img-1 --global-key img-2 --wait 10m\n  \
labelbox model-run export MODEL_RUN_ID --include predictions --output run.ndjson"
    )]
    ModelRun(ModelRunCommand),
    /// Print a shell completion script (bash, zsh, fish, powershell) on stdout
    #[command(after_help = "Examples:\n  \
labelbox completions bash > ~/.local/share/bash-completion/completions/labelbox\n  \
labelbox completions zsh > ~/.zfunc/_labelbox\n  \
labelbox completions fish > ~/.config/fish/completions/labelbox.fish")]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: ShellArg,
    },
    /// Print the manual page (roff) on stdout
    #[command(
        after_help = "Example:\n  labelbox man > ~/.local/share/man/man1/labelbox.1 && man labelbox"
    )]
    Man,
}

/// A shell `labelbox completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    /// Bash
    Bash,
    /// Zsh
    Zsh,
    /// Fish
    Fish,
    /// PowerShell
    Powershell,
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

    /// Wait until tasks end; exit 0 if they completed, 1 if one failed or was canceled (or,
    /// for an import, if rows failed), 2 on timeout
    #[command(
        after_help = "Examples:\n  labelbox task wait TASK_ID --timeout 30m --every 10s\n  \
labelbox task wait TASK_1 TASK_2 TASK_3 --timeout 1h --for done\n\n\
One task: a progress bar on a terminal, one line per change of status or percentage otherwise \
(CI logs), then the task. Several tasks: one deadline for all, one line per task on stdout as it \
ends (NDJSON with --json); the exit code is the worst of theirs."
    )]
    Wait {
        /// The tasks' ids
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
        #[command(flatten)]
        wait: WaitArgs,
        #[command(flatten)]
        accept: AcceptArgs,
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

    /// Write a finished export's rows (or --errors) as NDJSON while they download
    #[command(
        after_help = "Examples:\n  labelbox task stream TASK_ID > rows.ndjson\n  \
labelbox task stream TASK_ID --from-line 120000 >> rows.ndjson\n\n\
Exits 1 if the export failed or was canceled, 3 if it is still running."
    )]
    Stream(crate::commands::export::StreamArgs),
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

/// Which endings a wait accepts as success.
#[derive(Debug, Clone, Copy, Args)]
pub struct AcceptArgs {
    /// complete: only COMPLETE succeeds (exit 0); done: any end (COMPLETE, FAILED, CANCELED)
    #[arg(
        long = "for",
        value_enum,
        default_value = "complete",
        value_name = "END"
    )]
    pub until: UntilArg,
    /// A COMPLETE import with rows that failed still succeeds (they are reported)
    #[arg(long)]
    pub allow_failed_rows: bool,
}

/// `--for`: what a wait calls success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UntilArg {
    /// COMPLETE (and, for an import, every row created)
    Complete,
    /// Any terminal status
    Done,
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
    /// At most this many tasks [default: 20]
    #[arg(long, value_name = "N", conflicts_with = "all")]
    pub limit: Option<usize>,
    /// Every task that matches, however many
    #[arg(long)]
    pub all: bool,
    /// Only tasks created by the API key's user
    #[arg(long)]
    pub mine: bool,
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
    /// Show one dataset, by id or by name
    #[command(after_help = "Examples:\n  labelbox dataset get DATASET_ID\n  \
labelbox dataset get --name \"My images\" --json | jq -r .id")]
    Get {
        /// The dataset's id
        #[arg(required_unless_present = "name", conflicts_with = "name")]
        id: Option<String>,
        /// The dataset's name instead (exit 3 when no dataset or several have it)
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
    /// List the datasets, as a table (or a JSON array with --json)
    #[command(after_help = "Examples:\n  labelbox dataset list\n  \
labelbox dataset list --name \"My images\" --json | jq -r '.[].id'")]
    List {
        /// Only datasets with exactly this name
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
    /// Export a dataset's rows and write them as NDJSON while they download
    #[command(after_help = "\
Examples:
  labelbox dataset export DATASET_ID --include metadata,details > rows.ndjson
  labelbox dataset export DATASET_ID --global-key cat --global-key dog --output rows.ndjson --json
  labelbox dataset export DATASET_ID --no-wait --json | jq -r .id

Waits for the export (progress on stderr), then streams its rows; exits 1 if the export failed or
was canceled, 2 if it did not finish within --wait (resume later with labelbox task stream).")]
    Export(crate::commands::export::ExportArgs),
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
Keys (the official SDK's): row_data, global_key, external_id, media_type, metadata_fields,
attachments; a row with \"key\": {\"type\": \"GKEY\" | \"ID\", \"value\": \"...\"} updates an
existing data row. The file is read as a stream (checked in one pass, uploaded in a second), so
its size does not matter; stdin is first copied to a temporary file.

Without --wait, prints the import task's id and exits 0 once the import has started.
With --wait, exits 0 if every row was created (or, with --allow-failed-rows, the import completed),
1 if rows failed or the task failed, 2 on timeout.")]
    Import(ImportArgs),
    /// Give data rows global keys, from an NDJSON file or a JSON array of {data_row_id, global_key}
    #[command(after_help = "\
Examples:
  labelbox data-rows assign-keys keys.ndjson
  labelbox data-rows assign-keys keys.json --timeout 5m --json

Each row is a JSON object: {\"data_row_id\": \"ck...\", \"global_key\": \"img-1\"}. Every row is
checked before anything is sent; then Labelbox runs one job for them all, waited for at most
--timeout. A row's previous key becomes free.

Prints how many keys were assigned and failed, names each failed row on stderr, and exits 0 if
every key was assigned, 1 if any failed (invalid key, another row's key, no such row), 2 if the
job did not finish within --timeout.")]
    AssignKeys(crate::commands::catalog::AssignKeysArgs),
    /// Set or remove data rows' metadata in bulk (upsert, delete)
    #[command(
        subcommand,
        after_help = "Examples:\n  labelbox data-rows metadata upsert metadata.ndjson\n  \
labelbox data-rows metadata delete deletes.ndjson"
    )]
    Metadata(MetadataCommand),
}

/// `labelbox data-rows metadata ...`
#[derive(Debug, Subcommand)]
pub enum MetadataCommand {
    /// Set metadata fields on data rows, from an NDJSON file or a JSON array
    #[command(after_help = "\
Examples:
  labelbox data-rows metadata upsert metadata.ndjson
  cat metadata.json | labelbox data-rows metadata upsert - --json

Each row is a JSON object naming its data row by id or by global key:
  {\"global_key\": \"img-1\", \"fields\": [{\"schema_id\": \"cko8s9r5v0001h2dk9elqdidh\", \"value\": \"a tag\"}]}
  {\"data_row_id\": \"ck...\", \"fields\": [...]}
A field replaces the row's field of the same schema. An enum option is two fields: the enum's
schema and the option's schema, each with the value {}. The file is checked whole before
anything is sent, then sent 50 rows per request, read as a stream.

Names each row Labelbox refused on stderr (file line, row, reason) and exits 0 if every row was
applied, 1 if any was refused, 5 if a request failed (the rows of earlier requests were applied).")]
    Upsert(crate::commands::catalog::MetadataArgs),
    /// Remove metadata fields from data rows, from an NDJSON file or a JSON array
    #[command(after_help = "\
Examples:
  labelbox data-rows metadata delete deletes.ndjson
  labelbox data-rows metadata delete deletes.json --json

Each row is a JSON object naming its data row by id or by global key and the schemas to remove:
  {\"global_key\": \"img-1\", \"schema_ids\": [\"cko8s9r5v0001h2dk9elqdidh\"]}
An enum's schema removes its option too. A row that lacks a field named is refused for that
field (\"Schema did not exist\"); its other fields named are removed.

Exits 0 if every row was applied, 1 if any was refused, 5 if a request failed.")]
    Delete(crate::commands::catalog::MetadataArgs),
}

/// `labelbox project ...`
#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Create a project and print it
    #[command(after_help = "Example:\n  \
PROJECT=$(labelbox project create \"Street scenes\" --media-type image --json | jq -r .id)")]
    Create {
        /// The new project's name
        name: String,
        /// The media type it labels: image, video, text, audio, html, pdf, conversational,
        /// tms-geo, tms-simple, point-cloud, llm
        #[arg(long, value_name = "TYPE", default_value = "image", value_parser = parse_media_type)]
        media_type: labelbox::MediaType,
    },
    /// List the projects, as a table (or a JSON array with --json)
    #[command(after_help = "Example:\n  labelbox project list --json | jq -r '.[].id'")]
    List,
    /// Export a project's rows with their labels and write them as NDJSON while they download
    #[command(after_help = "\
Examples:
  labelbox project export PROJECT_ID --include label-details,project-details > labels.ndjson
  labelbox project export PROJECT_ID --batch BATCH_ID --workflow-status done --output done.ndjson

Waits for the export (progress on stderr), then streams its rows; each row's \"projects\" part holds
its labels. Exits 1 if the export failed or was canceled, 2 if it did not finish within --wait
(resume later with labelbox task stream).")]
    Export(crate::commands::export::ProjectExportArgs),
    /// Send catalog rows to a project for annotation (a task; cancel it with labelbox task cancel)
    #[command(
        name = "send-to-annotate",
        after_help = "\
Example:
  labelbox project send-to-annotate --project DEST_ID --from-project SOURCE_ID \\
      --global-key img-1 --global-key img-2 --batch-name review --wait 10m

Without --wait, prints the task and exits 0 once it has started; with --wait, exits 0 when it
completes, 1 if it failed or was canceled, 2 on timeout."
    )]
    SendToAnnotate(SendToAnnotateArgs),
    /// Set the labeling priority of rows in a project (a task)
    #[command(after_help = "\
Example:
  labelbox project priority PROJECT_ID --priority 1 --global-key img-1 --wait 5m

Without --wait, prints the task and exits 0 once it has started; with --wait, exits 0 when it
completes, 1 if it failed or was canceled, 2 on timeout.")]
    Priority(PriorityArgs),
}

/// Rows named on the command line, by id or by global key.
#[derive(Debug, Args)]
pub struct RowsArgs {
    /// A row's global key (repeat)
    #[arg(
        long = "global-key",
        value_name = "KEY",
        required_unless_present = "data_row_ids",
        conflicts_with = "data_row_ids"
    )]
    pub global_keys: Vec<String>,
    /// A row's id (repeat)
    #[arg(long = "data-row-id", value_name = "ID")]
    pub data_row_ids: Vec<String>,
}

impl RowsArgs {
    /// The rows as the SDK names them.
    pub fn identifiers(&self) -> labelbox::DataRowIdentifiers {
        if self.global_keys.is_empty() {
            labelbox::DataRowIdentifiers::ids(self.data_row_ids.clone())
        } else {
            labelbox::DataRowIdentifiers::global_keys(self.global_keys.clone())
        }
    }
}

/// How long a command waits for the task it started, if at all.
#[derive(Debug, Args)]
pub struct OptionalWaitArgs {
    /// Wait this long for the task to end (exit 2 past it)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub wait: Option<Duration>,
    /// With --wait: check the task this often (at least 2s)
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_every, requires = "wait")]
    pub every: Duration,
}

/// `labelbox project send-to-annotate` arguments.
#[derive(Debug, Args)]
pub struct SendToAnnotateArgs {
    /// The project the rows go to
    #[arg(long, value_name = "ID")]
    pub project: String,
    /// The project whose rows (and labels) are sent
    #[arg(long, value_name = "ID")]
    pub from_project: String,
    /// The rows (at most 2000)
    #[command(flatten)]
    pub rows: RowsArgs,
    /// The task queue they land in (default: straight to Done)
    #[arg(long, value_name = "QUEUE_ID")]
    pub queue: Option<String>,
    /// The new batch's name
    #[arg(
        long,
        value_name = "NAME",
        default_value = "sent from the labelbox command"
    )]
    pub batch_name: String,
    /// The new batch's priority, 1 (highest) to 5
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub priority: u8,
    /// Leave out rows already in the project
    #[arg(long)]
    pub exclude_rows_in_project: bool,
    #[command(flatten)]
    pub wait: OptionalWaitArgs,
}

/// `labelbox project priority` arguments.
#[derive(Debug, Args)]
pub struct PriorityArgs {
    /// The project
    #[arg(value_name = "PROJECT_ID")]
    pub project: String,
    /// The new priority (1 is the highest)
    #[arg(long, value_name = "N")]
    pub priority: u32,
    /// The rows
    #[command(flatten)]
    pub rows: RowsArgs,
    #[command(flatten)]
    pub wait: OptionalWaitArgs,
}

/// `labelbox model ...`
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Create a model tied to an ontology and print it
    #[command(
        after_help = "Example:\n  labelbox model create detector --ontology ONTOLOGY_ID --json"
    )]
    Create {
        /// The new model's name
        name: String,
        /// The ontology its predictions use
        #[arg(long, value_name = "ONTOLOGY_ID")]
        ontology: String,
    },
    /// Print a model
    #[command(after_help = "Example:\n  labelbox model get MODEL_ID --json")]
    Get {
        /// The model's id
        #[arg(value_name = "MODEL_ID")]
        id: String,
    },
    /// Delete a model
    #[command(after_help = "Example:\n  labelbox model delete MODEL_ID")]
    Delete {
        /// The model's id
        #[arg(value_name = "MODEL_ID")]
        id: String,
    },
}

/// `labelbox model-run ...`
#[derive(Debug, Subcommand)]
pub enum ModelRunCommand {
    /// Create a run of a model and print it
    #[command(after_help = "Example:\n  \
RUN=$(labelbox model-run create run-1 --model MODEL_ID --config '{\"lr\": 0.01}' --json | jq -r .id)")]
    Create {
        /// The new run's name
        name: String,
        /// The model it belongs to
        #[arg(long, value_name = "MODEL_ID")]
        model: String,
        /// Its training metadata, as JSON
        #[arg(long, value_name = "JSON")]
        config: Option<String>,
    },
    /// Print a model run
    #[command(
        after_help = "Example:\n  labelbox model-run get MODEL_RUN_ID --json | jq .training_metadata"
    )]
    Get {
        /// The run's id
        #[arg(value_name = "MODEL_RUN_ID")]
        id: String,
    },
    /// Delete a model run
    #[command(after_help = "Example:\n  labelbox model-run delete MODEL_RUN_ID")]
    Delete {
        /// The run's id
        #[arg(value_name = "MODEL_RUN_ID")]
        id: String,
    },
    /// Add data rows to a model run (sending to experiment: a cancelable task)
    #[command(after_help = "\
Examples:
  labelbox model-run add-rows MODEL_RUN_ID row-ids.txt --wait 30m
  labelbox model-run add-rows MODEL_RUN_ID keys.txt --keys
  labelbox model-run add-rows MODEL_RUN_ID --global-key img-1 --global-key img-2

Without --wait, prints the registration task and exits 0 once it has started (cancel it with
labelbox task cancel); with --wait, exits 0 when it completes, 1 if it failed or was canceled,
2 on timeout.")]
    AddRows(AddRowsArgs),
    /// Export a model run's rows (with their experiments part) as NDJSON while they download
    #[command(after_help = "\
Examples:
  labelbox model-run export MODEL_RUN_ID --include predictions,model-run-details > run.ndjson
  labelbox model-run export MODEL_RUN_ID --output run.ndjson --json

Waits for the export (progress on stderr), then streams its rows; each row's \"experiments\" part
holds the run's labels and predictions. Exits 0 when every row is written, 1 if the export failed,
2 on timeout.")]
    Export(crate::commands::export::ModelRunExportArgs),
}

/// `labelbox model-run add-rows` arguments.
#[derive(Debug, Args)]
pub struct AddRowsArgs {
    /// The model run
    #[arg(value_name = "MODEL_RUN_ID")]
    pub model_run: String,
    /// A file naming the rows, one per line (`-` for stdin): data row ids, or global keys
    /// with --keys
    #[arg(
        value_name = "FILE",
        required_unless_present_any = ["global_keys", "data_row_ids"],
        conflicts_with_all = ["global_keys", "data_row_ids"]
    )]
    pub file: Option<PathBuf>,
    /// FILE lists global keys, not data row ids
    #[arg(long)]
    pub keys: bool,
    /// A row's global key (repeat)
    #[arg(
        long = "global-key",
        value_name = "KEY",
        conflicts_with = "data_row_ids"
    )]
    pub global_keys: Vec<String>,
    /// A row's id (repeat)
    #[arg(long = "data-row-id", value_name = "ID")]
    pub data_row_ids: Vec<String>,
    #[command(flatten)]
    pub wait: OptionalWaitArgs,
}

/// `labelbox labels ...`
#[derive(Debug, Subcommand)]
pub enum LabelsCommand {
    /// Import an NDJSON file of annotations into a project, streamed from disk
    #[command(after_help = "\
Examples:
  labelbox labels import labels.ndjson --project PROJECT_ID --wait 10m
  labelbox labels import predictions.ndjson --project PROJECT_ID --predictions --name mal-1

Each line is one annotation in the official SDK's form, e.g.
  {\"uuid\": \"...\", \"name\": \"car\", \"dataRow\": {\"globalKey\": \"img-1\"},
   \"bbox\": {\"top\": 10, \"left\": 20, \"height\": 50, \"width\": 80}}

Every line is checked before anything is sent (bad lines are named, exit 3). Without --wait,
prints the import and exits 0 once it has started. With --wait, prints each failed
annotation's status as NDJSON on stdout and exits 0 if every annotation was imported (or, with
--allow-failed-rows, the import finished), 1 if annotations failed or the import failed, 2 on
timeout.")]
    Import(LabelsImportArgs),
}

/// `labelbox labels import` arguments.
#[derive(Debug, Args)]
pub struct LabelsImportArgs {
    /// The annotations: an NDJSON file
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The project to import into
    #[arg(long, value_name = "ID")]
    pub project: String,
    /// The import's name (unique in the project; default: the file name and the time)
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Import model-assisted-labeling predictions instead of labels
    #[arg(long)]
    pub predictions: bool,
    /// Wait this long for the import to finish, then report failed annotations
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub wait: Option<Duration>,
    /// With --wait: check the import this often (at least 2s)
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_every, requires = "wait")]
    pub every: Duration,
    /// With --wait: annotations that failed in a finished import do not fail the command
    #[arg(long, requires = "wait")]
    pub allow_failed_rows: bool,
}

/// A media type by its wire name, any case, `-` or `_`.
pub fn parse_media_type(text: &str) -> Result<labelbox::MediaType, String> {
    let wire = text.trim().to_uppercase().replace('-', "_");
    labelbox::MediaType::ALL
        .into_iter()
        .find(|m| m.as_str() == wire)
        .ok_or_else(|| {
            let known: Vec<String> = labelbox::MediaType::ALL
                .iter()
                .map(|m| m.as_str().to_lowercase().replace('_', "-"))
                .collect();
            format!("unknown media type; known: {}", known.join(", "))
        })
}

/// `labelbox data-rows import` arguments.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The dataset to import into
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "dataset_name",
        conflicts_with = "dataset_name"
    )]
    pub dataset: Option<String>,
    /// The dataset to import into, by name (exit 3 when no dataset or several have it)
    #[arg(long, value_name = "NAME")]
    pub dataset_name: Option<String>,
    /// The rows: an NDJSON file or a JSON array file, `-` for stdin
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Wait this long for the import to finish, then report created and failed rows
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub wait: Option<Duration>,
    /// With --wait: check the task this often (at least 2s)
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_every, requires = "wait")]
    pub every: Duration,
    /// With --wait: rows that failed in a COMPLETE import do not fail the command
    #[arg(long, requires = "wait")]
    pub allow_failed_rows: bool,
}

/// A human duration (`90s`, `10m`, `1h 30m`), via humantime.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|e| format!("{e} (examples: 90s, 10m, 1h30m)"))
}

/// A polling interval: a human duration no shorter than [`MIN_EVERY`].
pub fn parse_every(text: &str) -> Result<Duration, String> {
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
pub fn parse_time(text: &str) -> Result<SystemTime, String> {
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
