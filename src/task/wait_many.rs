//! Waiting on several tasks at once: [`Client::wait_all`] polls every unfinished task from the
//! calling thread, under one deadline, and reports each task's outcome as it ends (a CI job
//! that started several imports and exports and needs all of them).

use std::fmt;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::task::{Task, TaskStatus, WaitOptions};

/// How one task of [`Client::wait_all`] ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum TaskOutcome {
    /// The task reached a terminal status (`COMPLETE`, `FAILED` or `CANCELED`).
    Ended(TaskStatus),
    /// The deadline passed with the task still running; the task is as last seen.
    TimedOut,
    /// Polling this task failed (e.g. it vanished, or the service kept failing past the
    /// deadline); the other tasks were still waited for.
    Failed(Error),
}

impl TaskOutcome {
    /// True only for [`TaskOutcome::Ended`] with `COMPLETE`.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        matches!(self, TaskOutcome::Ended(TaskStatus::Complete))
    }
}

impl fmt::Display for TaskOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskOutcome::Ended(status) => write!(f, "ended {status}"),
            TaskOutcome::TimedOut => f.write_str("timed out"),
            TaskOutcome::Failed(error) => write!(f, "could not be followed: {error}"),
        }
    }
}

impl Client {
    /// Waits until every task has ended, or the deadline `options.timeout_value()` from now has
    /// passed; see [`wait_all_with`](Self::wait_all_with). Returns one outcome per task, in
    /// the order of `tasks`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a check frequency below the client's minimum (nothing is
    /// sent). Failures of single tasks are their [`TaskOutcome::Failed`], not an error.
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let import_id = &emulator.insert_task(labelbox_emulator::TaskSeed { status: "COMPLETE".into(), ..Default::default() });
    /// # let export_id = &emulator.insert_task(labelbox_emulator::TaskSeed { status: "COMPLETE".into(), ..Default::default() });
    /// use std::time::Duration;
    /// use labelbox::{TaskOutcome, WaitOptions};
    /// let client = labelbox::Client::from_env()?;
    /// let mut tasks = vec![client.get_task_by_id(import_id)?, client.get_task_by_id(export_id)?];
    /// let options = WaitOptions::new().timeout(Duration::from_secs(1800));
    /// let outcomes = client.wait_all(&mut tasks, options)?;
    /// for (task, outcome) in tasks.iter().zip(&outcomes) {
    ///     println!("{}: {outcome}", task.id());
    /// }
    /// let all_complete = outcomes.iter().all(TaskOutcome::is_complete);
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    pub fn wait_all(&self, tasks: &mut [Task], options: WaitOptions) -> Result<Vec<TaskOutcome>> {
        self.wait_all_with(tasks, options, |_, _, _| {})
    }

    /// Waits for every task under one deadline, calling `on_end(index, task, outcome)` once per
    /// task, as soon as its outcome is known (tasks already finished first, then in the order
    /// they end; those still running at the deadline last, as timed out).
    ///
    /// Each round sleeps the check frequency (cut to the deadline) on this client's clock, then
    /// polls every unfinished task once, one request each; one last round is made at the
    /// deadline, and a zero timeout still polls once. A poll's transient errors are retried
    /// while the retry ends before the deadline. Tasks are polled with their own clients.
    ///
    /// # Errors
    ///
    /// As [`wait_all`](Self::wait_all).
    pub fn wait_all_with(
        &self,
        tasks: &mut [Task],
        options: WaitOptions,
        mut on_end: impl FnMut(usize, &Task, &TaskOutcome),
    ) -> Result<Vec<TaskOutcome>> {
        if let Some(task) = tasks.first() {
            task.check_frequency_allowed(options.check_frequency_value())?;
        }
        let clock = self.clock().clone();
        let start = clock.now();
        let deadline = start.checked_add(options.timeout_value());
        let mut outcomes: Vec<Option<TaskOutcome>> = tasks.iter().map(|_| None).collect();
        let mut end = |index: usize, task: &Task, outcome: TaskOutcome| {
            on_end(index, task, &outcome);
            outcomes[index] = Some(outcome);
        };
        let mut pending: Vec<usize> = Vec::new();
        for (index, task) in tasks.iter().enumerate() {
            if task.status().is_terminal() {
                end(index, task, TaskOutcome::Ended(task.status().clone()));
            } else {
                pending.push(index);
            }
        }
        let mut rounds: u32 = 0;
        while !pending.is_empty() {
            let now = clock.now();
            let remaining = match deadline {
                Some(d) => d.saturating_duration_since(now),
                None => options.check_frequency_value(),
            };
            if remaining.is_zero() && rounds > 0 {
                for index in pending.drain(..) {
                    end(index, &tasks[index], TaskOutcome::TimedOut);
                }
                break;
            }
            let nap = options.check_frequency_value().min(remaining);
            log::debug!(
                "{} tasks still running; next poll in {nap:?}",
                pending.len()
            );
            if !nap.is_zero() {
                clock.sleep(nap);
            }
            pending.retain(|&index| {
                let task = &mut tasks[index];
                let outcome = match task.client.fetch_task_data_until(task.id(), deadline) {
                    Ok(data) => {
                        task.data = data;
                        if !task.status().is_terminal() {
                            return true;
                        }
                        task.warn_if_errors();
                        TaskOutcome::Ended(task.status().clone())
                    }
                    Err(error) => TaskOutcome::Failed(error),
                };
                end(index, task, outcome);
                false
            });
            rounds = rounds.saturating_add(1);
        }
        Ok(outcomes
            .into_iter()
            .map(|outcome| outcome.unwrap_or(TaskOutcome::TimedOut))
            .collect())
    }
}
