//! Progress of a wait on stderr: a bar on a terminal, one plain line per change otherwise.

use std::io::IsTerminal;
use std::time::Duration;

use crate::output::message_line;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Shows how a task advances while the CLI waits for it.
pub enum Progress {
    /// A terminal: an `indicatif` bar with the completion percentage.
    Bar(ProgressBar),
    /// Not a terminal (CI logs): a line each time the status or the whole percentage changes.
    Lines {
        /// The task's id, at the start of each line.
        task_id: String,
        /// What was last printed.
        last: Option<(String, Option<u32>)>,
    },
    /// `--quiet` or `--json`-only output: nothing.
    Silent,
}

impl Progress {
    /// The kind of progress stderr calls for.
    pub fn for_stderr(task_id: &str, quiet: bool) -> Self {
        if quiet {
            Progress::Silent
        } else if std::io::stderr().is_terminal() {
            Progress::Bar(new_bar(task_id))
        } else {
            Progress::Lines {
                task_id: task_id.to_string(),
                last: None,
            }
        }
    }

    /// Reports the task's latest status and completion (0.0-1.0, when known).
    pub fn update(&mut self, status: &str, fraction: Option<f64>) {
        match self {
            Progress::Bar(bar) => {
                bar.set_position(whole_percent(fraction).unwrap_or(0).into());
                bar.set_message(status.to_string());
            }
            Progress::Lines { task_id, last } => {
                if let Some(text) = changed_line(task_id, last, status, fraction) {
                    message_line(&text);
                }
            }
            Progress::Silent => {}
        }
    }

    /// Removes the bar (lines stay as they are).
    pub fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

fn new_bar(task_id: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(100), ProgressDrawTarget::stderr());
    // The template is a constant: if indicatif ever refused it, a plain bar still works.
    if let Ok(style) = ProgressStyle::with_template(
        "{prefix} {spinner} [{elapsed_precise}] {wide_bar} {pos:>3}% {msg}",
    ) {
        bar.set_style(style);
    }
    bar.set_prefix(task_id.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// The line to print when the status or the whole percentage differs from the last one printed.
fn changed_line(
    task_id: &str,
    last: &mut Option<(String, Option<u32>)>,
    status: &str,
    fraction: Option<f64>,
) -> Option<String> {
    let now = (status.to_string(), whole_percent(fraction));
    if last.as_ref() == Some(&now) {
        return None;
    }
    let text = line(task_id, &now.0, now.1);
    *last = Some(now);
    Some(text)
}

/// A plain progress line: `task ID: STATUS 45%`.
fn line(task_id: &str, status: &str, percent: Option<u32>) -> String {
    match percent {
        Some(p) => format!("task {task_id}: {status} {p}%"),
        None => format!("task {task_id}: {status}"),
    }
}

fn whole_percent(fraction: Option<f64>) -> Option<u32> {
    fraction
        .filter(|f| f.is_finite())
        .map(|f| (f * 100.0).clamp(0.0, 100.0).round() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_plain_text() {
        assert_eq!(
            line("t1", "IN_PROGRESS", Some(45)),
            "task t1: IN_PROGRESS 45%"
        );
        assert_eq!(line("t1", "COMPLETE", None), "task t1: COMPLETE");
    }

    #[test]
    fn a_line_is_printed_only_on_a_change_of_status_or_whole_percentage() {
        let mut last = None;
        let mut seen = Vec::new();
        for (status, fraction) in [
            ("IN_PROGRESS", None),
            ("IN_PROGRESS", None),
            ("IN_PROGRESS", Some(0.101)),
            ("IN_PROGRESS", Some(0.104)),
            ("IN_PROGRESS", Some(0.5)),
            ("COMPLETE", Some(0.5)),
            ("COMPLETE", Some(1.0)),
        ] {
            seen.extend(changed_line("t", &mut last, status, fraction));
        }
        assert_eq!(
            seen,
            [
                "task t: IN_PROGRESS",
                "task t: IN_PROGRESS 10%",
                "task t: IN_PROGRESS 50%",
                "task t: COMPLETE 50%",
                "task t: COMPLETE 100%"
            ]
        );
    }

    #[test]
    fn percentages_are_whole_and_bounded() {
        assert_eq!(whole_percent(Some(0.456)), Some(46));
        assert_eq!(whole_percent(Some(7.0)), Some(100));
        assert_eq!(whole_percent(Some(f64::NAN)), None);
        assert_eq!(whole_percent(None), None);
    }
}
