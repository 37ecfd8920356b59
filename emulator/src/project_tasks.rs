//! Project-side tasks that are cancelable (send to annotate, queue priority updates): the task
//! reads `IN_PROGRESS` for the task duration and its change is applied whole at the end, so a
//! cancel before then leaves the project untouched.

use std::sync::Arc;
use std::time::Instant;

use crate::schedule;
use crate::store::{status, Store, TaskSeed};

/// The task type of `sendToAnnotateFromCatalog` (cancelable as `SendToAnnotate`).
pub(crate) const SEND_TO_ANNOTATE_TASK_TYPE: &str = "send-to-annotate";
/// The task type of `createQueuePriorityUpdateTask` (cancelable as `BulkUpdateQueuePriority`).
pub(crate) const QUEUE_PRIORITY_TASK_TYPE: &str = "bulk-update-queue-priority";

/// What a task does when it runs out its duration: `Ok(result)` completes it with that inline
/// JSON result, `Err(reason)` fails it with the reason (as `errors`, and as a JSON `result`, the
/// way PROTOCOL 3.8 says these tasks report a failure).
pub(crate) type Apply = Box<dyn FnOnce(&Store) -> Result<Option<String>, String> + Send>;

/// Inserts an `IN_PROGRESS` task and runs `apply` once its duration has passed, unless it was
/// cancelled first. Answers the task's id.
pub(crate) fn start(store: &Arc<Store>, name: &str, task_type: &str, apply: Apply) -> String {
    let seed = TaskSeed {
        name: name.into(),
        task_type: task_type.into(),
        status: status::IN_PROGRESS.into(),
        completion_percentage: Some(0.0),
        ..TaskSeed::default()
    };
    let id = store.insert_task(seed, None);
    let duration = store.pace.min_task_duration;
    schedule::spawn(store, id.clone(), task_type, move |store, id| {
        if !store.sleep_until(Instant::now() + duration) {
            return;
        }
        // A cancel sets CANCELLING and settles the task on its own; only a task still running
        // is applied.
        let running = store
            .task(id)
            .is_some_and(|t| t.status == status::IN_PROGRESS);
        if !running {
            return;
        }
        let outcome = apply(store);
        store.update_task_if(id, |t| {
            if t.status != status::IN_PROGRESS {
                return false;
            }
            t.completion_percentage = Some(1.0);
            match &outcome {
                Ok(result) => {
                    t.status = status::COMPLETE.into();
                    t.result = result.clone();
                }
                Err(reason) => {
                    t.status = status::FAILED.into();
                    t.errors = Some(reason.clone());
                    t.result = Some(serde_json::json!({ "error": reason }).to_string());
                }
            }
            true
        });
    });
    id
}
