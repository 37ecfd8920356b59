//! `labelbox labels import`: an NDJSON file of annotations streamed into a project's label (or
//! prediction) import, then, with `--wait`, its failed annotations reported.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use labelbox::{
    Annotation, AnnotationImport, AnnotationImportKind, Client, Error, ImportState, WaitOptions,
};

use super::view;
use crate::args::{LabelsCommand, LabelsImportArgs};
use crate::exit::{self, Exit};
use crate::output::{message_line, NdjsonOut, Ui};
use crate::progress::Progress;

/// Runs one `labels` command.
pub fn run(client: &Client, ui: Ui, command: LabelsCommand) -> anyhow::Result<Exit> {
    match command {
        LabelsCommand::Import(args) => import(client, ui, args),
    }
}

fn import(client: &Client, ui: Ui, args: LabelsImportArgs) -> anyhow::Result<Exit> {
    let count = check_file(&args.file)?;
    let kind = if args.predictions {
        AnnotationImportKind::Predictions
    } else {
        AnnotationImportKind::Labels
    };
    let name = args.name.clone().unwrap_or_else(|| default_name(&args));
    let project = client.get_project(&args.project)?;
    let mut import = project.import_annotations_file(kind, &name, &args.file)?;
    ui.note(format!(
        "import {} ({name:?}) of {count} annotations started from {}",
        import.id(),
        args.file.display()
    ));
    let Some(timeout) = args.wait else {
        view::print_annotation_import(ui, &import)?;
        return Ok(Exit::Success);
    };
    let options = WaitOptions::new()
        .timeout(timeout)
        .check_frequency(args.every);
    let mut progress = Progress::for_stderr(import.id(), ui.quiet);
    let waited = import.wait_with_progress(options, |seen| {
        progress.update(seen.state().as_str(), percent(seen.progress()))
    });
    progress.finish();
    match waited {
        Ok(ImportState::Finished) => report(ui, &import, args.allow_failed_rows),
        Ok(state) => Err(exit::failure(
            Exit::Failed,
            format!("import {} ended {state}", import.id()),
        )),
        Err(Error::ImportWaitTimedOut { progress, .. }) => Err(exit::failure(
            Exit::TimedOut,
            format!(
                "timed out after {}: import {} is still running ({progress})",
                humantime::format_duration(timeout),
                import.id()
            ),
        )),
        Err(other) => Err(other.into()),
    }
}

/// Prints every failed annotation's status as NDJSON on stdout; exit 1 when there are some
/// (unless allowed).
fn report(ui: Ui, import: &AnnotationImport, allow_failed: bool) -> anyhow::Result<Exit> {
    let mut out = NdjsonOut::new();
    for status in import.errors()? {
        out.line(&serde_json::to_value(status?)?)?;
    }
    out.flush()?;
    let failed = out.count;
    if failed == 0 {
        ui.note(format!(
            "import {} finished: every annotation imported",
            import.id()
        ));
        return Ok(Exit::Success);
    }
    if allow_failed {
        ui.note(format!(
            "{failed} annotations failed, allowed by --allow-failed-rows"
        ));
        return Ok(Exit::Success);
    }
    message_line(&format!(
        "labelbox: {failed} annotations of import {} failed (their statuses are on stdout)",
        import.id()
    ));
    Err(exit::failure(
        Exit::Failed,
        format!("{failed} annotations failed to import"),
    ))
}

/// Bad lines named, at most this many (then a count of the rest).
const BAD_LINES_SHOWN: usize = 20;

/// One pass over the file before anything is sent: every non-blank line must be one
/// annotation (`uuid`, `dataRow` with `id` or `globalKey`, the tool's keys); the bad ones are
/// named with their line numbers (exit 3). Answers how many annotations there are.
fn check_file(path: &Path) -> anyhow::Result<u64> {
    let file = File::open(path)
        .map_err(|e| exit::usage(format!("cannot read {}: {e}", path.display())))?;
    let mut count = 0u64;
    let mut bad = Vec::new();
    let mut bad_count = 0usize;
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| exit::usage(format!("cannot read {}: {e}", path.display())))?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Annotation>(&line) {
            Ok(_) => count += 1,
            Err(e) => {
                bad_count += 1;
                if bad.len() < BAD_LINES_SHOWN {
                    bad.push(format!("line {}: {e}", i + 1));
                }
            }
        }
    }
    if bad_count > 0 {
        let more = bad_count - bad.len();
        let tail = if more > 0 {
            format!("\n  ... and {more} more")
        } else {
            String::new()
        };
        return Err(exit::usage(format!(
            "{} has {bad_count} bad lines (nothing was imported):\n  {}{tail}",
            path.display(),
            bad.join("\n  ")
        )));
    }
    if count == 0 {
        return Err(exit::usage(format!(
            "{} holds no annotation",
            path.display()
        )));
    }
    Ok(count)
}

/// `"40%"` as 0.4, for the progress line.
fn percent(progress: &str) -> Option<f64> {
    let number: f64 = progress.trim().trim_end_matches('%').parse().ok()?;
    Some(number / 100.0)
}

/// The file name and the time: import names are unique per project.
fn default_name(args: &LabelsImportArgs) -> String {
    let stem = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "labels".to_owned());
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("{stem} {secs}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_text_becomes_a_fraction() {
        assert_eq!(percent("40%"), Some(0.4));
        assert_eq!(percent(""), None);
    }
}
