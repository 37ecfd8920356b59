//! `labelbox dataset export`, `labelbox project export`, `labelbox model-run export` and
//! `labelbox task stream`: start an export, wait for it, and write a stream of a finished
//! export as NDJSON while it downloads.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use labelbox::{
    Client, DataRowIdentifiers, ExportOptions, ExportSelection, ExportTask, ModelRunExportOptions,
    ProjectExportOptions, StreamStart, StreamType, TaskStatus, WorkflowStatus,
};

use super::task::{ended, wait_for};
use super::view;
use crate::args::{parse_duration, parse_every, parse_time, WaitArgs};
use crate::exit::{self, Exit};
use crate::output::Ui;

/// Rows written between two flushes, so a pipe sees rows early.
const FLUSH_EVERY: u64 = 1_000;

/// The output's buffer: a thousand rows of a few hundred bytes fit, so rows leave in a few
/// large writes between two flushes.
const OUTPUT_BUFFER: usize = 256 * 1024;

/// How every export command waits and where its rows go.
#[derive(Debug, Args)]
pub struct ExportRunArgs {
    /// Give up waiting (exit 2) after this long
    #[arg(long, value_name = "DURATION", default_value = "2h", value_parser = parse_duration)]
    pub wait: Duration,
    /// Check the task this often (at least 2s)
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_every)]
    pub every: Duration,
    /// Start the export, print the task and exit without waiting
    #[arg(long, conflicts_with_all = ["output"])]
    pub no_wait: bool,
    /// Write the rows to this file instead of stdout (the task then goes to stdout)
    #[arg(long, short, visible_alias = "out", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The rows a dataset or project export keeps: by global key or by id.
#[derive(Debug, Args)]
pub struct RowSelectionArgs {
    /// Only the rows with this global key (repeat, up to 2000)
    #[arg(
        long = "global-key",
        value_name = "KEY",
        conflicts_with = "data_row_ids"
    )]
    pub global_keys: Vec<String>,
    /// Only the rows with this data row id (repeat, up to 2000)
    #[arg(long = "data-row-id", value_name = "ID")]
    pub data_row_ids: Vec<String>,
}

impl RowSelectionArgs {
    /// The selection built by `keys` or `ids`; `None` when no row was named.
    fn pick<T>(
        &self,
        keys: impl FnOnce(Vec<String>) -> T,
        ids: impl FnOnce(Vec<String>) -> T,
    ) -> Option<T> {
        if !self.global_keys.is_empty() {
            Some(keys(self.global_keys.clone()))
        } else if !self.data_row_ids.is_empty() {
            Some(ids(self.data_row_ids.clone()))
        } else {
            None
        }
    }
}

/// `labelbox dataset export` arguments.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The dataset to export
    #[arg(value_name = "DATASET_ID")]
    pub dataset: String,
    #[command(flatten)]
    pub rows: RowSelectionArgs,
    /// What each row includes, comma-separated: attachments, embeddings, metadata, details,
    /// project-details, performance-details, label-details, interpolated-frames, predictions,
    /// all-projects, all-model-runs
    #[arg(long, value_name = "PARTS", value_delimiter = ',')]
    pub include: Vec<String>,
    #[command(flatten)]
    pub run: ExportRunArgs,
}

/// `labelbox project export` arguments.
#[derive(Debug, Args)]
pub struct ProjectExportArgs {
    /// The project to export
    #[arg(value_name = "PROJECT_ID")]
    pub project: String,
    #[command(flatten)]
    pub rows: RowSelectionArgs,
    /// Only the rows of this batch (repeat)
    #[arg(long = "batch", value_name = "BATCH_ID")]
    pub batch_ids: Vec<String>,
    /// Only the rows at this workflow step: to-label, in-review, in-rework, done
    #[arg(long, value_name = "STEP", value_parser = parse_workflow_status)]
    pub workflow_status: Option<WorkflowStatus>,
    /// Only the rows with a label created at or after this time (RFC 3339)
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub labeled_after: Option<std::time::SystemTime>,
    /// Only the rows with a label created at or before this time (RFC 3339)
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub labeled_before: Option<std::time::SystemTime>,
    /// Only the rows active at or after this time (RFC 3339)
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub active_after: Option<std::time::SystemTime>,
    /// Only the rows active at or before this time (RFC 3339)
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub active_before: Option<std::time::SystemTime>,
    /// What each row includes, comma-separated: attachments, embeddings, metadata, details,
    /// project-details, performance-details, label-details, interpolated-frames
    #[arg(long, value_name = "PARTS", value_delimiter = ',')]
    pub include: Vec<String>,
    #[command(flatten)]
    pub run: ExportRunArgs,
}

/// `labelbox model-run export` arguments.
#[derive(Debug, Args)]
pub struct ModelRunExportArgs {
    /// The model run to export
    #[arg(value_name = "MODEL_RUN_ID")]
    pub model_run: String,
    /// What each row includes, comma-separated: attachments, embeddings, metadata, details,
    /// predictions, model-run-details
    #[arg(long, value_name = "PARTS", value_delimiter = ',')]
    pub include: Vec<String>,
    /// The export task's name
    #[arg(long, value_name = "NAME")]
    pub task_name: Option<String>,
    #[command(flatten)]
    pub run: ExportRunArgs,
}

fn parse_workflow_status(text: &str) -> Result<WorkflowStatus, String> {
    match text.trim().to_lowercase().replace('_', "-").as_str() {
        "to-label" | "tolabel" => Ok(WorkflowStatus::ToLabel),
        "in-review" | "inreview" => Ok(WorkflowStatus::InReview),
        "in-rework" | "inrework" => Ok(WorkflowStatus::InRework),
        "done" => Ok(WorkflowStatus::Done),
        _ => Err("one of to-label, in-review, in-rework, done".to_owned()),
    }
}

/// `labelbox task stream` arguments.
#[derive(Debug, Args)]
pub struct StreamArgs {
    /// The export task's id
    pub id: String,
    /// The errors stream instead of the rows
    #[arg(long)]
    pub errors: bool,
    /// Start at this line (0-based), e.g. to resume after an interrupted run
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub from_line: u64,
}

/// Runs `dataset export`.
pub fn export(client: &Client, ui: Ui, args: ExportArgs) -> anyhow::Result<Exit> {
    rows_have_a_place(ui, &args.run)?;
    let options = export_options(&args.include)?;
    let dataset = client.get_dataset(&args.dataset)?;
    let selection = args
        .rows
        .pick(ExportSelection::global_keys, ExportSelection::data_row_ids);
    let export = match selection {
        Some(selection) => dataset.export_selected(selection.options(options))?,
        None => dataset.export(options)?,
    };
    wait_and_write(ui, export, &args.run)
}

/// Runs `project export`.
pub fn export_project(client: &Client, ui: Ui, args: ProjectExportArgs) -> anyhow::Result<Exit> {
    rows_have_a_place(ui, &args.run)?;
    let mut options = with_parts(
        &args.include,
        ProjectExportOptions::new(),
        ProjectExportOptions::include,
    )?;
    if let Some(rows) = args
        .rows
        .pick(DataRowIdentifiers::global_keys, DataRowIdentifiers::ids)
    {
        options = options.data_rows(rows);
    }
    if !args.batch_ids.is_empty() {
        options = options.batch_ids(args.batch_ids.clone());
    }
    if let Some(status) = args.workflow_status {
        options = options.workflow_status(status);
    }
    if args.labeled_after.is_some() || args.labeled_before.is_some() {
        options = options.label_created_between(args.labeled_after, args.labeled_before);
    }
    if args.active_after.is_some() || args.active_before.is_some() {
        options = options.last_activity_between(args.active_after, args.active_before);
    }
    let project = client.get_project(&args.project)?;
    let export = project.export(options)?;
    wait_and_write(ui, export, &args.run)
}

/// Runs `model-run export`.
pub fn export_model_run(client: &Client, ui: Ui, args: ModelRunExportArgs) -> anyhow::Result<Exit> {
    rows_have_a_place(ui, &args.run)?;
    let mut options = with_parts(
        &args.include,
        ModelRunExportOptions::new(),
        ModelRunExportOptions::include,
    )?;
    if let Some(name) = args.task_name {
        options = options.task_name(name);
    }
    let export = client.get_model_run(&args.model_run)?.export(options)?;
    wait_and_write(ui, export, &args.run)
}

/// With `--json` the task goes to stdout: the rows then need `--output` (or `--no-wait`).
fn rows_have_a_place(ui: Ui, run: &ExportRunArgs) -> anyhow::Result<()> {
    if ui.json && run.output.is_none() && !run.no_wait {
        return Err(exit::usage(
            "--json prints the export task on stdout: pass --output FILE for the rows",
        ));
    }
    Ok(())
}

/// What every export does once started: print the task (`--no-wait`), or wait for it and write
/// its rows to `output` (stdout when `None`) while they download.
fn wait_and_write(ui: Ui, mut export: ExportTask, run: &ExportRunArgs) -> anyhow::Result<Exit> {
    ui.note(format!("export task {} started", export.id()));
    let output = run.output.as_deref();
    let limits = WaitArgs {
        timeout: run.wait,
        every: run.every,
    };
    if run.no_wait {
        view::print_task(ui, export.task())?;
        return Ok(Exit::Success);
    }
    // The rows may go to stdout: a timeout is told on stderr only (with the task's status).
    let mut task = export.task().clone();
    wait_for(&mut task, ui, limits)?;
    export = ExportTask::try_from(task)?;
    ended(export.task())?;
    let written = match output {
        Some(path) => {
            let file = File::create(path)
                .map_err(|e| exit::usage(format!("cannot write {}: {e}", path.display())))?;
            write_stream(&export, StreamType::Result, 0, ui, file)?
        }
        None => write_stream(&export, StreamType::Result, 0, ui, io::stdout().lock())?,
    };
    ui.note(format!("{written} rows exported"));
    if output.is_some() {
        view::print_task(ui, export.task())?;
    }
    Ok(Exit::Success)
}

/// Runs `task stream`: any finished export's rows or errors, from a line on.
pub fn stream(client: &Client, ui: Ui, args: StreamArgs) -> anyhow::Result<Exit> {
    let export = client.get_export_task(&args.id)?;
    match export.status() {
        TaskStatus::Complete => {}
        status if status.is_terminal() => return ended(export.task()),
        status => {
            return Err(exit::usage(format!(
                "export task {} is still {status}: wait for it first (labelbox task wait {})",
                args.id, args.id
            )))
        }
    }
    let which = if args.errors {
        StreamType::Errors
    } else {
        StreamType::Result
    };
    let written = write_stream(&export, which, args.from_line, ui, io::stdout().lock())?;
    ui.note(format!("{written} {} lines", which.as_str().to_lowercase()));
    Ok(Exit::Success)
}

fn export_options(include: &[String]) -> anyhow::Result<ExportOptions> {
    with_parts(include, ExportOptions::new(), ExportOptions::include)
}

/// `--include`'s parts turned on one by one in any export's options (empty parts skipped,
/// an unknown one refused by the SDK with the list of known ones).
fn with_parts<O>(
    include: &[String],
    options: O,
    add: impl Fn(O, &str) -> labelbox::Result<O>,
) -> anyhow::Result<O> {
    include
        .iter()
        .filter(|part| !part.trim().is_empty())
        .try_fold(options, |options, part| Ok(add(options, part)?))
}

/// Writes the stream from `from_line` as NDJSON while it downloads, each line byte for byte
/// as the service served it (checked, never re-serialized: key order, spacing and escapes
/// kept), with progress on stderr; an absent stream (no errors, no matching rows) is empty.
/// Returns the rows written.
fn write_stream(
    export: &ExportTask,
    which: StreamType,
    from_line: u64,
    ui: Ui,
    out: impl Write,
) -> anyhow::Result<u64> {
    let Some(total) = export.total_lines(which)? else {
        return Ok(0);
    };
    let mut lines = export.lines_from(which, StreamStart::Line(from_line))?;
    let mut out = BufWriter::with_capacity(OUTPUT_BUFFER, out);
    let mut progress = RowProgress::new(export.id(), total, from_line, ui.quiet);
    let mut written = 0u64;
    while let Some(line) = lines.next_line() {
        write_line(&mut out, line?)?;
        written += 1;
        progress.advance();
        if written % FLUSH_EVERY == 0 {
            out.flush()?;
        }
    }
    out.flush()?;
    progress.finish();
    Ok(written)
}

fn write_line(out: &mut impl Write, line: &str) -> io::Result<()> {
    out.write_all(line.as_bytes())?;
    out.write_all(b"\n")
}

/// Rows streamed so far on stderr: a bar on a terminal, a line per tenth otherwise.
enum RowProgress {
    Bar(ProgressBar),
    Lines {
        task_id: String,
        done: u64,
        total: u64,
        tenth: u64,
    },
    Silent,
}

impl RowProgress {
    fn new(task_id: &str, total: u64, from_line: u64, quiet: bool) -> Self {
        if quiet {
            return RowProgress::Silent;
        }
        if io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} rows",
            ) {
                bar.set_style(style);
            }
            bar.set_prefix(task_id.to_string());
            bar.set_position(from_line);
            return RowProgress::Bar(bar);
        }
        RowProgress::Lines {
            task_id: task_id.to_string(),
            done: from_line,
            total,
            tenth: tenth(from_line, total),
        }
    }

    fn advance(&mut self) {
        match self {
            RowProgress::Bar(bar) => bar.inc(1),
            RowProgress::Lines {
                task_id,
                done,
                total,
                tenth: last,
            } => {
                *done += 1;
                let now = tenth(*done, *total);
                if now > *last {
                    *last = now;
                    crate::output::message_line(&format!(
                        "task {task_id}: {done}/{total} rows streamed"
                    ));
                }
            }
            RowProgress::Silent => {}
        }
    }

    fn finish(&self) {
        if let RowProgress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// How many tenths of `total` `done` is (10 when total is 0).
fn tenth(done: u64, total: u64) -> u64 {
    done.saturating_mul(10).checked_div(total).unwrap_or(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_due_at_each_tenth() {
        assert_eq!(tenth(0, 100), 0);
        assert_eq!(tenth(9, 100), 0);
        assert_eq!(tenth(10, 100), 1);
        assert_eq!(tenth(100, 100), 10);
        assert_eq!(tenth(0, 0), 10);
    }

    #[test]
    fn include_names_become_options() {
        let options = export_options(&["metadata".into(), "".into(), "details".into()]).unwrap();
        assert_eq!(
            options,
            ExportOptions::new()
                .include_metadata(true)
                .include_data_row_details(true)
        );
        assert!(export_options(&["everything".into()]).is_err());
    }
}
