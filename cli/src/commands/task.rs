//! `labelbox task get | wait | list | cancel | result | errors`.

use std::time::{SystemTime, UNIX_EPOCH};

use labelbox::{
    Client, DataUpsertTask, Error, ImportTotals, Task, TaskFilter, TaskOutcome, TaskStatus,
    WaitOptions,
};
use serde_json::{json, Value};

use super::{listing, view};
use crate::args::{
    AcceptArgs, ListArgs, OptionalWaitArgs, StatusArg, TaskCommand, UntilArg, WaitArgs,
};
use crate::exit::{self, Exit};
use crate::explain;
use crate::output::{self, NdjsonOut, Ui};
use crate::progress::Progress;

/// Runs one `task` command.
pub fn run(client: &Client, ui: Ui, command: TaskCommand) -> anyhow::Result<Exit> {
    match command {
        TaskCommand::Get { id } => get(client, ui, &id),
        TaskCommand::Wait { ids, wait, accept } => match ids.as_slice() {
            [id] => wait_command(client, ui, id, wait, accept),
            _ => wait_many(client, ui, &ids, wait, accept),
        },
        TaskCommand::List(args) => list(client, ui, args),
        TaskCommand::Cancel { id, wait, limits } => cancel(client, ui, &id, wait.then_some(limits)),
        TaskCommand::Result { id } => stream(client, ui, &id, Stream::Result),
        TaskCommand::Errors { id } => stream(client, ui, &id, Stream::Errors),
        TaskCommand::Stream(args) => super::export::stream(client, ui, args),
    }
}

fn get(client: &Client, ui: Ui, id: &str) -> anyhow::Result<Exit> {
    let task = client.get_task_by_id(id)?;
    view::print_task(ui, &task)?;
    Ok(Exit::Success)
}

fn wait_command(
    client: &Client,
    ui: Ui,
    id: &str,
    limits: WaitArgs,
    accept: AcceptArgs,
) -> anyhow::Result<Exit> {
    let mut task = client.get_task_by_id(id)?;
    let waited = wait_for(&mut task, ui, limits);
    // The task as last seen is data whatever the outcome, timeouts included.
    view::print_task(ui, &task)?;
    waited?;
    let judged = judge(ui, &task, accept);
    if let Some(totals) = judged.totals {
        ui.note(format!(
            "{} rows created, {} failed",
            totals.created, totals.failed
        ));
    }
    judged.exit
}

/// What a finished task means for the exit code (and, for a completed import, its row counts).
struct Judged {
    exit: anyhow::Result<Exit>,
    totals: Option<ImportTotals>,
}

/// Judges a finished task by `--for` and `--allow-failed-rows`. A completed import reads its
/// row counts (one request each): rows that failed fail the wait unless allowed.
fn judge(ui: Ui, task: &Task, accept: AcceptArgs) -> Judged {
    let plain = |exit| Judged { exit, totals: None };
    if accept.until == UntilArg::Done && task.status().is_terminal() {
        return plain(Ok(Exit::Success));
    }
    if *task.status() != TaskStatus::Complete || !task.is_data_upsert() {
        return plain(ended(task));
    }
    let upsert = match DataUpsertTask::try_from(task.clone()) {
        Ok(upsert) => upsert,
        Err(e) => return plain(Err(e.into())),
    };
    match upsert.totals() {
        Ok(totals) => Judged {
            exit: super::data_rows::rows_outcome(ui, &upsert, totals, accept.allow_failed_rows),
            totals: Some(totals),
        },
        Err(e) => plain(Err(e.into())),
    }
}

/// `task wait ID ID...`: one deadline for all, a line per task on stdout as it ends (NDJSON
/// with `--json`), and the worst exit of them.
fn wait_many(
    client: &Client,
    ui: Ui,
    ids: &[String],
    limits: WaitArgs,
    accept: AcceptArgs,
) -> anyhow::Result<Exit> {
    let mut worst = Exit::Success;
    let mut tasks = Vec::with_capacity(ids.len());
    for id in ids {
        match client.get_task_by_id(id) {
            Ok(task) => tasks.push(task),
            Err(e) => {
                let exit = exit::exit_for_sdk(&e);
                worst = exit::worst(worst, exit);
                print_ending(ui, id, "-", exit, &sdk_words(&e), None)?;
            }
        }
    }
    if !tasks.is_empty() {
        ui.note(format!(
            "waiting for {} tasks, at most {}",
            tasks.len(),
            humantime::format_duration(limits.timeout)
        ));
    }
    let options = WaitOptions::new()
        .timeout(limits.timeout)
        .check_frequency(limits.every);
    let mut printed = Ok(());
    client.wait_all_with(&mut tasks, options, |_, task, outcome| {
        let (exit, detail, totals) = match outcome {
            TaskOutcome::Ended(_) => {
                let judged = judge(ui, task, accept);
                let (exit, detail) = match judged.exit {
                    Ok(exit) => (exit, String::new()),
                    Err(e) => (exit::exit_for(&e), error_words(&e)),
                };
                (exit, detail, judged.totals)
            }
            TaskOutcome::TimedOut => (Exit::TimedOut, "timed out".to_string(), None),
            TaskOutcome::Failed(e) => (exit::exit_for_sdk(e), sdk_words(e), None),
            _ => (Exit::Api, outcome.to_string(), None),
        };
        worst = exit::worst(worst, exit);
        if printed.is_ok() {
            printed = print_ending(ui, task.id(), task.status().as_str(), exit, &detail, totals);
        }
    })?;
    printed?;
    Ok(worst)
}

/// One task's line of `task wait ID ID...`: `ID  STATUS  exit N  detail`, or an NDJSON object.
fn print_ending(
    ui: Ui,
    id: &str,
    status: &str,
    exit: Exit,
    detail: &str,
    totals: Option<ImportTotals>,
) -> std::io::Result<()> {
    if ui.json {
        let line = json!({
            "id": id,
            "status": status,
            "exit": exit.code(),
            "message": (!detail.is_empty()).then_some(detail),
            "created": totals.map(|t| t.created),
            "failed": totals.map(|t| t.failed),
        });
        return output::print_line(&line.to_string());
    }
    let mut text = format!("{id}  {status}  exit {}", exit.code());
    if let Some(totals) = totals {
        text.push_str(&format!(
            "  {} rows created, {} failed",
            totals.created, totals.failed
        ));
    }
    if !detail.is_empty() {
        text.push_str(&format!("  {detail}"));
    }
    output::print_line(&text)
}

/// An SDK error in the CLI's words, on one line.
fn sdk_words(err: &Error) -> String {
    explain::in_cli_words(err).unwrap_or_else(|| output::one_line(&err.to_string()))
}

/// A CLI error's message, on one line.
fn error_words(err: &anyhow::Error) -> String {
    match err.downcast_ref::<Error>() {
        Some(sdk) => sdk_words(sdk),
        None => output::one_line(&err.to_string()),
    }
}

/// Waits for the task with progress on stderr; a timeout is exit 2 and leaves `task` as last
/// seen. Shared by `task wait`, `task cancel --wait` and `data-rows import --wait`.
pub fn wait_for(task: &mut Task, ui: Ui, limits: WaitArgs) -> anyhow::Result<()> {
    let mut progress = Progress::for_stderr(task.id(), ui.quiet);
    progress.update(task.status().as_str(), task.completion_percentage());
    let options = WaitOptions::new()
        .timeout(limits.timeout)
        .check_frequency(limits.every);
    let waited = task.wait_with_progress(options, |seen| {
        progress.update(seen.status().as_str(), seen.completion_percentage())
    });
    progress.finish();
    match waited {
        Ok(_) => Ok(()),
        Err(labelbox::Error::WaitTimedOut { task: last, .. }) => {
            *task = *last;
            Err(exit::failure(
                Exit::TimedOut,
                format!(
                    "timed out after {}: task {} is still {}",
                    humantime::format_duration(limits.timeout),
                    task.id(),
                    task.status()
                ),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// A task a command started (`project send-to-annotate`, `project priority`,
/// `model-run add-rows`): printed at once, or waited for (exit 0 complete, 1 failed or
/// canceled, 2 timed out) and printed as it ended.
pub fn print_or_wait(ui: Ui, mut started: Task, wait: &OptionalWaitArgs) -> anyhow::Result<Exit> {
    let Some(timeout) = wait.wait else {
        view::print_task(ui, &started)?;
        return Ok(Exit::Success);
    };
    let limits = WaitArgs {
        timeout,
        every: wait.every,
    };
    let waited = wait_for(&mut started, ui, limits);
    view::print_task(ui, &started)?;
    waited?;
    ended(&started)
}

/// The exit of a finished task: 0 when complete, 1 (with the reason) when failed or canceled.
pub fn ended(task: &Task) -> anyhow::Result<Exit> {
    match task.status() {
        TaskStatus::Complete => Ok(Exit::Success),
        TaskStatus::Canceled => Err(exit::failure(
            Exit::Failed,
            format!("task {} was canceled", task.id()),
        )),
        status => {
            let reason = failure_reason(task)
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            Err(exit::failure(
                Exit::Failed,
                format!("task {} ended {status}{reason}", task.id()),
            ))
        }
    }
}

/// A failed task's inline error (batch/queue/annotate tasks put it in `result`), on one line.
fn failure_reason(task: &Task) -> Option<String> {
    let text = task.result_url()?.trim();
    if text.is_empty() || text.starts_with("http://") || text.starts_with("https://") {
        return None;
    }
    let flat = output::one_line(text);
    Some(if flat.chars().count() > 300 {
        flat.chars().take(300).collect::<String>() + "..."
    } else {
        flat
    })
}

/// How many tasks `task list` shows without `--limit` or `--all` (as `gh run list`).
const DEFAULT_LIST_LIMIT: usize = 20;

fn list(client: &Client, ui: Ui, args: ListArgs) -> anyhow::Result<Exit> {
    let limit = match (args.all, args.limit) {
        (true, _) => None,
        (false, limit) => Some(limit.unwrap_or(DEFAULT_LIST_LIMIT)),
    };
    let mine = args.mine;
    let filter = task_filter(args)?;
    let tasks = if mine {
        client.created_tasks(filter)
    } else {
        client.tasks(filter)
    };
    let columns = listing::Columns {
        table: &view::TASK_COLUMNS,
        row: view::task_row,
        json: view::task_json,
        noun: "tasks",
    };
    listing::print(ui, tasks, limit, &columns)
}

/// The SDK filter for `task list`'s options.
fn task_filter(args: ListArgs) -> anyhow::Result<TaskFilter> {
    let mut filter = TaskFilter::new();
    if let Some(after) = created_after(&args)? {
        filter = filter.created_since(after);
    }
    if let Some(status) = args.status {
        filter = filter.status(sdk_status(status));
    }
    if let Some(task_type) = args.task_type {
        filter = filter.task_type(task_type);
    }
    Ok(filter)
}

/// `--since` as a time, or `--created-after`.
fn created_after(args: &ListArgs) -> anyhow::Result<Option<SystemTime>> {
    let Some(since) = args.since else {
        return Ok(args.created_after);
    };
    // Times before 1970 cannot be written in RFC 3339 as Labelbox reads it.
    match SystemTime::now().checked_sub(since) {
        Some(after) if after >= UNIX_EPOCH => Ok(Some(after)),
        _ => Err(exit::usage(format!(
            "--since {} reaches before 1970",
            humantime::format_duration(since)
        ))),
    }
}

fn sdk_status(status: StatusArg) -> TaskStatus {
    match status {
        StatusArg::InProgress => TaskStatus::InProgress,
        StatusArg::Complete => TaskStatus::Complete,
        StatusArg::Failed => TaskStatus::Failed,
        StatusArg::Cancelling => TaskStatus::Canceling,
        StatusArg::Canceled => TaskStatus::Canceled,
    }
}

fn cancel(client: &Client, ui: Ui, id: &str, wait: Option<WaitArgs>) -> anyhow::Result<Exit> {
    match client.cancel_task(id) {
        Ok(true) => ui.note(format!("cancel of task {id} requested")),
        Ok(false) => {
            return Err(exit::failure(
                Exit::Api,
                format!("Labelbox did not accept the cancel of task {id}"),
            ))
        }
        // Already on its way out, or out: what the cancel asked for.
        Err(Error::TaskNotCancelable {
            status: TaskStatus::Canceling,
            ..
        }) => ui.note(format!("task {id} is already being canceled")),
        Err(Error::TaskNotCancelable {
            status: TaskStatus::Canceled,
            ..
        }) => ui.note(format!("task {id} was already canceled")),
        Err(e) => return Err(e.into()),
    }
    let mut task = client.get_task_by_id(id)?;
    let Some(limits) = wait else {
        view::print_task(ui, &task)?;
        return Ok(Exit::Success);
    };
    let waited = wait_for(&mut task, ui, limits);
    view::print_task(ui, &task)?;
    waited?;
    match task.status() {
        TaskStatus::Canceled => Ok(Exit::Success),
        status => Err(exit::failure(
            Exit::Failed,
            format!("task {id} ended {status}, not canceled"),
        )),
    }
}

/// Which stream of a task to print.
#[derive(Debug, Clone, Copy)]
enum Stream {
    Result,
    Errors,
}

fn stream(client: &Client, ui: Ui, id: &str, which: Stream) -> anyhow::Result<Exit> {
    let task = client.get_task_by_id(id)?;
    let mut out = NdjsonOut::new();
    if task.is_data_upsert() {
        let upsert = DataUpsertTask::try_from(task)?;
        let page = u64::from(upsert.page_size());
        match which {
            Stream::Result => {
                write_pages(&mut out, upsert.results()?, view::created_row_json, page)?
            }
            Stream::Errors => write_pages(&mut out, upsert.errors()?, view::failed_row_json, page)?,
        }
    } else {
        let value = match which {
            Stream::Result => task.result()?,
            Stream::Errors => task.errors()?,
        };
        match value {
            Some(Value::Array(items)) => items.iter().try_for_each(|item| out.line(item))?,
            Some(value) => out.line(&value)?,
            None => {}
        }
        out.flush()?;
    }
    let noun = match which {
        Stream::Result => "result",
        Stream::Errors => "error",
    };
    ui.note(format!("{} {noun} lines", out.count));
    Ok(Exit::Success)
}

/// Writes rows as they come, flushing at each page's end so a pipe sees them early.
fn write_pages<T>(
    out: &mut NdjsonOut,
    rows: impl Iterator<Item = labelbox::Result<T>>,
    to_json: fn(&T) -> Value,
    page: u64,
) -> anyhow::Result<()> {
    for row in rows {
        out.line(&to_json(&row?))?;
        if out.count % page.max(1) == 0 {
            out.flush()?;
        }
    }
    out.flush()?;
    Ok(())
}
