//! Cancellation (`cancelBulkOperationJob`): `IN_PROGRESS` -> `CANCELLING` -> `CANCELED`, the
//! same way for imports and seeded tasks, so every client can observe `CANCELLING`.

use std::sync::Arc;
use std::time::Instant;

use crate::store::{status, Store};

/// Moves task `id` from `IN_PROGRESS` to `CANCELLING` and arranges for it to end `CANCELED`
/// after the configured cancel duration; false (nothing changed) when it was not in progress.
pub(crate) fn request(store: &Arc<Store>, id: &str) -> bool {
    let requested = Instant::now();
    let mut has_thread = false;
    let accepted = store.update_task_if(id, |t| {
        if t.status != status::IN_PROGRESS {
            return false;
        }
        t.status = status::CANCELLING.into();
        // Flagged under the task lock, so an import's or export's thread never sees CANCELLING
        // without the flag (it would otherwise complete a cancelled task).
        let flag = match (&t.import, &t.export) {
            (Some(job), _) => Some(&job.cancel),
            (None, Some(job)) => Some(&job.cancel),
            (None, None) => None,
        };
        if let Some(flag) = flag {
            let _ = flag.set(requested);
            has_thread = true;
        }
        true
    });
    // An import's or export's own thread settles the cancel at its next tick (see `schedule::run`).
    if accepted && !has_thread {
        settle_in_background(store, id, requested);
    }
    accepted
}

/// A seeded task has no thread of its own: one is started just to end the cancel.
fn settle_in_background(store: &Arc<Store>, id: &str, requested: Instant) {
    let store_for_thread = Arc::clone(store);
    let task_id = id.to_string();
    let handle = std::thread::Builder::new()
        .name(format!("cancel-{id}"))
        .spawn(move || settle(&store_for_thread, &task_id, requested));
    match handle {
        Ok(handle) => store.keep_thread(handle),
        // No thread to wait with: end the cancel now rather than leave the task CANCELLING.
        Err(_) => finish(store, id),
    }
}

/// Waits until the cancel duration has passed since `requested`, then ends the task
/// `CANCELED` (unless a test changed its status meanwhile, or the emulator is shutting down).
pub(crate) fn settle(store: &Store, id: &str, requested: Instant) {
    if store.sleep_until(requested + store.pace.cancel_duration) {
        finish(store, id);
    }
}

fn finish(store: &Store, id: &str) {
    store.update_task_if(id, |t| {
        let cancelling = status::is_cancelling(&t.status);
        if cancelling {
            t.status = status::CANCELED.into();
        }
        cancelling
    });
}
