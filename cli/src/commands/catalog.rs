//! `labelbox data-rows assign-keys` and `labelbox data-rows metadata upsert|delete`: catalog
//! jobs on existing data rows, from rows files read as streams (`rows_file`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use labelbox::{
    Client, DataRowRef, GlobalKeyAssignment, MetadataBatches, MetadataDelete, MetadataFailure,
    MetadataItem, MetadataUpsert, WaitOptions,
};
use serde_json::{json, Value};

use crate::args::{parse_duration, parse_every, MetadataCommand};
use crate::exit::{self, Exit};
use crate::output::{message_line, print_fields, print_json, Ui};
use crate::rows_file::{Place, RowsFile};

/// `labelbox data-rows assign-keys` arguments.
#[derive(Debug, Args)]
pub struct AssignKeysArgs {
    /// The assignments: an NDJSON file or a JSON array file, `-` for stdin
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Wait this long for Labelbox's job to finish
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Check the job this often (at least 2s)
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_every)]
    pub every: Duration,
}

/// `labelbox data-rows metadata upsert|delete` arguments.
#[derive(Debug, Args)]
pub struct MetadataArgs {
    /// The rows: an NDJSON file or a JSON array file, `-` for stdin
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// The SDK's own check of one assignment, before anything is sent.
fn assignment_rule(a: &GlobalKeyAssignment) -> Result<(), String> {
    if a.data_row_id.trim().is_empty() {
        return Err("data_row_id: must not be blank".into());
    }
    if a.global_key.is_empty() {
        return Err("global_key: must not be empty".into());
    }
    Ok(())
}

/// Checks the file, then runs one job for every assignment in it.
pub fn assign_keys(
    connect: impl FnOnce() -> anyhow::Result<Client>,
    ui: Ui,
    args: AssignKeysArgs,
) -> anyhow::Result<Exit> {
    let file = RowsFile::open(&args.file)?;
    let places = file.check_rows(assignment_rule, "assign", "assigned")?;
    // One job takes them all (as the official SDK sends them): the list is read into memory,
    // two short strings a row.
    let changed = RefCell::new(None);
    let assignments: Vec<GlobalKeyAssignment> = file.items(&changed).into_iter().collect();
    if let Some(why) = changed.take() {
        return Err(exit::usage(format!(
            "{} changed after it was checked ({why}); nothing was assigned",
            file.name
        )));
    }
    let client = connect()?;
    ui.note(format!(
        "assigning {} global keys from {}",
        assignments.len(),
        file.name
    ));
    let options = WaitOptions::new()
        .timeout(args.timeout)
        .check_frequency(args.every);
    let outcome = client.assign_global_keys_with(&assignments, &options)?;
    // Each failure's line, by its (row, key): an index built once, not a scan per failure.
    let mut first_of: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, a) in assignments.iter().enumerate() {
        first_of
            .entry((a.data_row_id.as_str(), a.global_key.as_str()))
            .or_insert(i);
    }
    let line_of = |id: &str, key: &str| first_of.get(&(id, key)).and_then(|&i| places.get(i));
    if ui.json {
        let failed: Vec<Value> = outcome
            .failed
            .iter()
            .map(|f| {
                json!({"data_row_id": f.data_row_id, "global_key": f.global_key,
                       "error": f.reason.to_string()})
            })
            .collect();
        let assigned: Vec<Value> = outcome
            .assigned
            .iter()
            .map(|a| {
                json!({"data_row_id": a.data_row_id, "global_key": a.global_key,
                       "sanitized": a.sanitized})
            })
            .collect();
        print_json(
            &json!({"status": outcome.outcome().as_str(), "assigned": assigned,
                           "failed": failed}),
        )?;
    } else {
        print_fields(&[
            ("status", outcome.outcome().to_string()),
            ("assigned", outcome.assigned.len().to_string()),
            ("failed", outcome.failed.len().to_string()),
        ])?;
    }
    if !ui.quiet {
        for f in &outcome.failed {
            let place = line_of(&f.data_row_id, &f.global_key)
                .map_or(String::new(), |p| format!("{}: {p}: ", file.name));
            message_line(&format!(
                "{place}data row {} -> {:?}: {}",
                f.data_row_id, f.global_key, f.reason
            ));
        }
    }
    if outcome.failed.is_empty() {
        return Ok(Exit::Success);
    }
    Err(exit::failure(
        Exit::Failed,
        format!(
            "{} of {} global keys were not assigned",
            outcome.failed.len(),
            assignments.len()
        ),
    ))
}

/// `metadata upsert|delete`: checks the file, then sends it 50 rows per request.
pub fn metadata(
    connect: impl FnOnce() -> anyhow::Result<Client>,
    ui: Ui,
    command: MetadataCommand,
) -> anyhow::Result<Exit> {
    match command {
        MetadataCommand::Upsert(args) => {
            let rule = |item: &MetadataUpsert| sdk_rule(item);
            bulk(connect, ui, &args, rule, "upsert", |client, items| {
                client.upsert_metadata(items)
            })
        }
        MetadataCommand::Delete(args) => {
            let rule = |item: &MetadataDelete| sdk_rule(item);
            bulk(connect, ui, &args, rule, "delete", |client, items| {
                client.delete_metadata(items)
            })
        }
    }
}

/// The SDK's own checks of one item, worded without the SDK's `items[i].` prefix.
fn sdk_rule<T: MetadataItem>(item: &T) -> Result<(), String> {
    match item.check(0) {
        Ok(()) => Ok(()),
        Err(labelbox::Error::InvalidInput { field, message }) => {
            let field = field
                .strip_prefix("items[0].")
                .unwrap_or(&field)
                .to_string();
            Err(format!("{field}: {message}"))
        }
        Err(other) => Err(other.to_string()),
    }
}

/// What one bulk run did.
#[derive(Default)]
struct Tally {
    sent: usize,
    failed: usize,
    failures: Vec<Value>,
}

fn bulk<T, S>(
    connect: impl FnOnce() -> anyhow::Result<Client>,
    ui: Ui,
    args: &MetadataArgs,
    rule: impl Fn(&T) -> Result<(), String>,
    verb: &str,
    start: S,
) -> anyhow::Result<Exit>
where
    T: MetadataItem + serde::de::DeserializeOwned,
    S: for<'a> FnOnce(
        &Client,
        crate::rows_file::FileItems<'a, T>,
    )
        -> labelbox::Result<MetadataBatches<Box<dyn Iterator<Item = T> + 'a>, T>>,
{
    let file = RowsFile::open(&args.file)?;
    let places = file.check_rows(rule, verb, "changed")?;
    let client = connect()?;
    ui.note(format!(
        "{verb} of metadata for {} rows from {}, 50 rows per request",
        places.len(),
        file.name
    ));
    let changed = RefCell::new(None);
    let batches = start(&client, file.items::<T>(&changed))?;
    let mut tally = Tally::default();
    let mut interrupted = None;
    for batch in batches {
        match batch {
            Ok(batch) => {
                tally.sent += batch.rows;
                for failure in &batch.failures {
                    report_failure(
                        ui,
                        &file.name,
                        failure.index.and_then(|i| places.get(i)),
                        failure,
                        &mut tally,
                    );
                }
            }
            Err(err) => {
                interrupted = Some(err);
                break;
            }
        }
    }
    if let Some(why) = changed.take() {
        message_line(&format!(
            "warning: {} changed after it was checked ({why})",
            file.name
        ));
    }
    print_summary(ui, places.len(), &tally)?;
    if let Some(err) = interrupted {
        let sent = tally.sent;
        return Err(anyhow::Error::new(err).context(format!(
            "stopped after {sent} of {} rows were sent (those were applied, but for the \
             failures named)",
            places.len()
        )));
    }
    if tally.failed == 0 {
        return Ok(Exit::Success);
    }
    Err(exit::failure(
        Exit::Failed,
        format!("{} of {} rows were refused", tally.failed, places.len()),
    ))
}

/// One refused row: a line on stderr, and a record for `--json`.
fn report_failure(
    ui: Ui,
    name: &str,
    place: Option<&Place>,
    failure: &MetadataFailure,
    tally: &mut Tally,
) {
    tally.failed += 1;
    let (key, value) = match &failure.row {
        DataRowRef::Id(id) => ("data_row_id", id.as_str()),
        DataRowRef::GlobalKey(k) => ("global_key", k.as_str()),
        _ => ("row", failure.row.value()),
    };
    if ui.json {
        tally.failures.push(json!({
            "index": failure.index,
            "place": place.map(ToString::to_string),
            key: value,
            "error": failure.message,
            "schema_ids": failure.schema_ids,
        }));
    }
    if !ui.quiet {
        // A failure the service named by row id only (a delete by global key) has no line.
        let at = place.map_or(String::new(), |p| format!("{name}: {p}: "));
        let mut line = format!("{at}{}: {}", failure.row, failure.message);
        if !failure.schema_ids.is_empty() {
            line.push_str(&format!(" [{}]", failure.schema_ids.join(", ")));
        }
        message_line(&line);
    }
}

fn print_summary(ui: Ui, rows: usize, tally: &Tally) -> std::io::Result<()> {
    if ui.json {
        return print_json(&json!({
            "rows": rows,
            "sent": tally.sent,
            "failed": tally.failed,
            "failures": tally.failures,
        }));
    }
    print_fields(&[
        ("rows", rows.to_string()),
        ("sent", tally.sent.to_string()),
        ("failed", tally.failed.to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::exit::{exit_for_sdk, Exit};

    #[test]
    fn a_job_past_its_deadline_exits_2_and_a_failed_job_1() {
        let timed_out = labelbox::Error::JobTimedOut {
            job: "assignGlobalKeysToDataRows".into(),
            job_id: "j".into(),
            waited: Duration::from_secs(60),
            polls: 31,
        };
        assert_eq!(exit_for_sdk(&timed_out), Exit::TimedOut);
        let failed = labelbox::Error::JobFailed {
            job: "assignGlobalKeysToDataRows".into(),
            job_id: "j".into(),
        };
        assert_eq!(exit_for_sdk(&failed), Exit::Failed);
    }
}
