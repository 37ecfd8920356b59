//! SDK errors told in the CLI's words: the option or command to reach for, not SDK method names.

use labelbox::Error;

/// The message for an SDK error, when the CLI has better words for it than the SDK's own text.
pub fn in_cli_words(err: &Error) -> Option<String> {
    let text = match err {
        Error::InvalidInput { field, message } => match field.as_str() {
            "api_key" => format!("bad API key: {message} (check --api-key or LABELBOX_API_KEY)"),
            "endpoint" => {
                format!("bad endpoint: {message} (check --endpoint or LABELBOX_ENDPOINT)")
            }
            "check_frequency" => format!("--every: {message}"),
            _ => return None,
        },
        Error::Authentication { .. } => {
            format!("{err} (check --api-key or LABELBOX_API_KEY)")
        }
        Error::NotFound { what, id } if what == "task" => format!(
            "no task {id}: only tasks created by this API key's user can be read \
             (`labelbox task list --mine` lists them)"
        ),
        Error::NotFound { what, id } if what == "dataset" => {
            format!("no dataset {id} (`labelbox dataset list` lists them)")
        }
        Error::ResultUnavailable {
            task_id,
            task_type,
            reason,
        } => unavailable(task_id, task_type, reason),
        Error::TaskNotCancelable {
            task_id, reason, ..
        } => format!("task {task_id} cannot be canceled: {reason}"),
        Error::JobTimedOut { job_id, waited, .. } => format!(
            "Labelbox's job {job_id} was still running after {} (--timeout); it goes on, \
             and its rows may change later",
            // Whole seconds: the wait is --timeout, give or take a request.
            humantime::format_duration(std::time::Duration::from_secs(waited.as_secs()))
        ),
        Error::JobFailed { job_id, .. } => {
            format!("Labelbox's job {job_id} failed; nothing says which rows it changed")
        }
        _ => return None,
    };
    Some(text)
}

/// Why a result or errors stream cannot be read, and what to run instead.
fn unavailable(task_id: &str, task_type: &str, reason: &str) -> String {
    if reason.contains("still") {
        format!(
            "task {task_id} has not finished: wait for it first (`labelbox task wait {task_id}`)"
        )
    } else if reason.contains("failed") {
        format!("task {task_id} failed: `labelbox task errors {task_id}` says why")
    } else {
        format!(
            "the results of {task_type:?} tasks cannot be read by this tool; \
             `labelbox task get {task_id}` shows the task's raw result field"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_sdk_names_in_the_words() {
        let errors = [
            Error::ResultUnavailable {
                task_id: "t1".into(),
                task_type: "send-to-annotate".into(),
                reason: "the task is still IN_PROGRESS; wait for it to finish first".into(),
            },
            Error::ResultUnavailable {
                task_id: "t1".into(),
                task_type: "send-to-annotate".into(),
                reason: "the task failed; see Task::errors".into(),
            },
            Error::ResultUnavailable {
                task_id: "t1".into(),
                task_type: "odd".into(),
                reason: "the raw field is Task::result_url".into(),
            },
        ];
        for err in &errors {
            let words = in_cli_words(err).expect("words");
            assert!(words.contains("labelbox task"), "{words}");
            assert!(!words.contains("::"), "{words}");
        }
    }
}
