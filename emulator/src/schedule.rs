//! Pacing of background tasks (imports and exports): when each row is due, and the progress
//! reported meanwhile, from the emulator's rows-per-second and minimum task duration.

use std::ops::Range;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::cancel;
use crate::store::{status, Pace, Store};

/// Runs `body` for task `task_id` on a thread of its own (named `{kind}-{task_id}`), kept so that
/// shutting down joins it; when no thread can be started the task ends `FAILED`.
pub(crate) fn spawn(
    store: &Arc<Store>,
    task_id: String,
    kind: &str,
    body: impl FnOnce(&Store, &str) + Send + 'static,
) {
    let store_for_thread = Arc::clone(store);
    let id = task_id.clone();
    let handle = std::thread::Builder::new()
        .name(format!("{kind}-{task_id}"))
        .spawn(move || body(&store_for_thread, &task_id));
    match handle {
        Ok(handle) => store.keep_thread(handle),
        Err(e) => {
            store.update_task(&id, |t| {
                t.status = status::FAILED.into();
                t.errors = Some(format!("Unable to start the {kind}: {e}"));
            });
        }
    }
}

/// How often a task's thread wakes to advance progress.
const TICK: Duration = Duration::from_millis(20);

/// Runs task `task_id` over `total` rows at the emulator's pace: each tick, `work` is given the
/// rows now due (it answers how many it did: fewer when a cancel interrupted it), and
/// `completionPercentage` follows. Ends `COMPLETE` once every row is done and the duration has
/// passed, or `CANCELED` after a cancel (settled here); stops at once when the emulator shuts down.
pub(crate) fn run(
    store: &Store,
    task_id: &str,
    cancel: &OnceLock<Instant>,
    total: usize,
    mut work: impl FnMut(Range<usize>) -> usize,
) {
    let schedule = Schedule::new(store.pace, total);
    let mut done = 0;
    loop {
        if store.is_shutting_down() {
            return;
        }
        if let Some(requested) = cancel.get() {
            cancel::settle(store, task_id, *requested);
            return;
        }
        let elapsed = schedule.started.elapsed();
        done += work(done..schedule.due(elapsed).max(done));
        if done == total && elapsed >= schedule.duration {
            complete(store, task_id, cancel);
            return;
        }
        let fraction = schedule.fraction(done, elapsed);
        store.update_task(task_id, |t| {
            t.completion_percentage = Some(fraction.min(0.99))
        });
        std::thread::sleep(
            TICK.min(schedule.duration.saturating_sub(elapsed))
                .max(Duration::from_millis(1)),
        );
    }
}

/// Completes the task unless a cancel arrived meanwhile (then it ends `CANCELED` the usual way).
fn complete(store: &Store, task_id: &str, cancel: &OnceLock<Instant>) {
    let completed = store.update_task_if(task_id, |t| {
        let running = t.status == status::IN_PROGRESS;
        if running {
            t.status = status::COMPLETE.into();
            t.completion_percentage = Some(1.0);
        }
        running
    });
    if let (false, Some(requested)) = (completed, cancel.get()) {
        cancel::settle(store, task_id, *requested);
    }
}

/// When a task's rows are due: spread evenly over its duration (the pace, or the minimum
/// duration for small tasks, so `IN_PROGRESS` stays observable).
struct Schedule {
    total: usize,
    duration: Duration,
    started: Instant,
}

impl Schedule {
    fn new(pace: Pace, total: usize) -> Self {
        let rate = f64::from(pace.rows_per_second.max(1));
        let by_rate = Duration::from_secs_f64(total as f64 / rate);
        Schedule {
            total,
            duration: by_rate.max(pace.min_task_duration),
            started: Instant::now(),
        }
    }

    /// How many rows should be applied once `elapsed` has passed.
    fn due(&self, elapsed: Duration) -> usize {
        if elapsed >= self.duration {
            return self.total;
        }
        let share = elapsed.as_secs_f64() / self.duration.as_secs_f64();
        ((self.total as f64 * share) as usize).min(self.total)
    }

    /// `completionPercentage`: rows done, or time spent for a task without rows.
    fn fraction(&self, done: usize, elapsed: Duration) -> f64 {
        if self.total == 0 {
            elapsed.as_secs_f64() / self.duration.as_secs_f64().max(f64::EPSILON)
        } else {
            done as f64 / self.total as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_spreads_rows_over_the_duration_and_ends_with_all() {
        let pace = Pace {
            rows_per_second: 100,
            min_task_duration: Duration::from_secs(2),
            cancel_duration: Duration::ZERO,
        };
        let small = Schedule::new(pace, 10);
        assert_eq!(small.duration, Duration::from_secs(2));
        assert_eq!(small.due(Duration::from_secs(1)), 5);
        assert_eq!(small.due(Duration::from_secs(5)), 10);
        let big = Schedule::new(pace, 1_000);
        assert_eq!(big.duration, Duration::from_secs(10));
        assert_eq!(big.due(Duration::from_millis(2_500)), 250);
        assert_eq!(big.fraction(250, Duration::from_millis(2_500)), 0.25);
        let empty = Schedule::new(pace, 0);
        assert_eq!(empty.due(Duration::from_secs(1)), 0);
        assert_eq!(empty.fraction(0, Duration::from_secs(1)), 0.5);
    }
}
