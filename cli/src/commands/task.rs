//! `labelbox task get | wait | list | cancel | result | errors`.

use std::time::{SystemTime, UNIX_EPOCH};

use labelbox::{Client, DataUpsertTask, Task, TaskFilter, TaskStatus, WaitOptions};
use serde_json::Value;

use super::view;
use crate::args::{ListArgs, StatusArg, TaskCommand, WaitArgs};
use crate::exit::{self, Exit};
use crate::output::{self, NdjsonOut, Ui};
use crate::progress::Progress;

/// Runs one `task` command.
pub fn run(client: &Client, ui: Ui, command: TaskCommand) -> anyhow::Result<Exit> {
    match command {
        TaskCommand::Get { id } => get(client, ui, &id),
        TaskCommand::Wait { id, wait } => wait_command(client, ui, &id, wait),
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

fn wait_command(client: &Client, ui: Ui, id: &str, limits: WaitArgs) -> anyhow::Result<Exit> {
    let mut task = client.get_task_by_id(id)?;
    let waited = wait_for(&mut task, ui, limits);
    // The task as last seen is data whatever the outcome, timeouts included.
    view::print_task(ui, &task)?;
    waited?;
    ended(&task)?;
    if !task.is_data_upsert() {
        return Ok(Exit::Success);
    }
    // An import that completed may still have rows that failed: that fails the wait too.
    let upsert = DataUpsertTask::try_from(task)?;
    let totals = upsert.totals()?;
    ui.note(format!(
        "{} rows created, {} failed",
        totals.created, totals.failed
    ));
    super::data_rows::rows_outcome(&upsert, totals)
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

fn list(client: &Client, ui: Ui, args: ListArgs) -> anyhow::Result<Exit> {
    let limit = args.limit.unwrap_or(usize::MAX);
    let tasks: Vec<Task> = client
        .tasks(task_filter(args)?)
        .take(limit)
        .collect::<Result<_, _>>()?;
    if ui.json {
        let list: Vec<Value> = tasks.iter().map(view::task_json).collect();
        output::print_json(&Value::Array(list))?;
    } else if tasks.is_empty() {
        ui.note("no tasks match");
    } else {
        let rows: Vec<Vec<String>> = tasks.iter().map(view::task_row).collect();
        output::print_table(&view::TASK_COLUMNS, &rows)?;
    }
    Ok(Exit::Success)
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
    if !client.cancel_task(id)? {
        return Err(exit::failure(
            Exit::Api,
            format!("Labelbox did not accept the cancel of task {id}"),
        ));
    }
    ui.note(format!("cancel of task {id} requested"));
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
