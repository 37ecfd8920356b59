//! [`Client`]: the entry point, shared by every object it returns.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;

use crate::config::{ClientBuilder, ENV_API_KEY, ENV_ENDPOINT};
use crate::error::{Error, Result};
use crate::task::{Task, TaskData, TaskStatus, TASK_FIELDS};
use crate::transport::retry::Clock;
use crate::transport::Transport;

/// A blocking Labelbox client.
///
/// Cheap to clone: clones share one HTTP agent (one keep-alive connection pool), the
/// settings and the caches (the key's user id and the cancelable task types, each fetched
/// at most once). `Debug` never shows the API key.
///
/// ```
/// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
/// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
/// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
/// # let task_id = &emulator.insert_task(labelbox_emulator::TaskSeed { status: "COMPLETE".into(), ..Default::default() });
/// let client = labelbox::Client::from_env()?;
/// let mut task = client.get_task_by_id(task_id)?;
/// let status = task.wait_till_done()?;
/// println!("{} ended {status}", task.id());
/// # Ok::<_, labelbox::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    min_check_frequency: Duration,
    user_id: Mutex<Option<String>>,
    cancelable_types: Mutex<Option<Arc<Vec<String>>>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.transport.endpoint())
            .field("api_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Locks a cache, recovering it if a panicking thread poisoned it (caches stay consistent:
/// they are written in one assignment).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Client {
    /// A client for the service's endpoint with every default. An empty key is
    /// [`Error::InvalidInput`]; no request is sent.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty key, or one with whitespace or control characters;
    /// no request is sent.
    pub fn new(api_key: impl Into<String>) -> Result<Client> {
        ClientBuilder::new().api_key(api_key).build()
    }

    /// A client from `LABELBOX_API_KEY` and, when set and not empty, `LABELBOX_ENDPOINT`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when `LABELBOX_API_KEY` is unset or empty, or when the key or
    /// `LABELBOX_ENDPOINT` is refused as by [`ClientBuilder::build`]; no request is sent.
    pub fn from_env() -> Result<Client> {
        let key = std::env::var(ENV_API_KEY).unwrap_or_default();
        let mut builder = ClientBuilder::new().api_key(key);
        if let Ok(endpoint) = std::env::var(ENV_ENDPOINT) {
            if !endpoint.trim().is_empty() {
                builder = builder.endpoint(endpoint.trim());
            }
        }
        builder.build()
    }

    /// A builder for every setting (endpoint, timeouts, retry policy, check frequency floor).
    #[must_use]
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    pub(crate) fn from_builder(b: ClientBuilder) -> Client {
        Client {
            inner: Arc::new(Inner {
                transport: Transport::new(&b),
                min_check_frequency: b.min_check_frequency,
                user_id: Mutex::new(None),
                cancelable_types: Mutex::new(None),
            }),
        }
    }

    /// The crate-private HTTP side, for every module that sends requests.
    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    /// The clock every wait of this client uses.
    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        self.inner.transport.clock()
    }

    /// The lowest check frequency waits accept.
    #[must_use]
    pub fn min_check_frequency(&self) -> Duration {
        self.inner.min_check_frequency
    }

    /// The GraphQL endpoint this client talks to.
    #[must_use]
    pub fn endpoint(&self) -> &str {
        self.inner.transport.endpoint()
    }

    /// The id of the API key's user: fetched on first use, then kept for the client's life.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the service knows no user for the key; otherwise a [request
    /// failure](crate::Error#request-failures) (only until the id is known).
    pub fn user_id(&self) -> Result<String> {
        self.user_id_until(None)
    }

    /// [`user_id`](Self::user_id), its request (when the id is not known yet) bounded by a
    /// wait's `deadline` like the poll that needs it.
    fn user_id_until(&self, deadline: Option<Instant>) -> Result<String> {
        if let Some(id) = lock(&self.inner.user_id).as_ref() {
            return Ok(id.clone());
        }
        #[derive(Deserialize)]
        struct User {
            id: String,
        }
        #[derive(Deserialize)]
        struct Data {
            user: Option<User>,
        }
        const DOCUMENT: &str = "query GetUserPyApi { user { id } }";
        let data: Data = match deadline {
            Some(deadline) => self
                .transport()
                .query_until(DOCUMENT, json!({}), deadline)?,
            None => self.transport().query(DOCUMENT, json!({}))?,
        };
        let user = data.user.ok_or_else(|| Error::NotFound {
            what: "user of this API key".into(),
            id: String::new(),
        })?;
        *lock(&self.inner.user_id) = Some(user.id.clone());
        Ok(user.id)
    }

    /// Fetches a task created by the key's user. One request per call once the user id is
    /// known. A missing task is [`Error::NotFound`] naming the id.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty id (nothing is sent); [`Error::NotFound`] naming
    /// the id when the key's user has no such task; otherwise a [request
    /// failure](crate::Error#request-failures).
    pub fn get_task_by_id(&self, task_id: &str) -> Result<Task> {
        let data = self.fetch_task_data(task_id)?;
        Ok(Task::from_data(self.clone(), data))
    }

    /// The current fields of a task (PROTOCOL 3.2).
    pub(crate) fn fetch_task_data(&self, task_id: &str) -> Result<TaskData> {
        self.fetch_task_data_until(task_id, None)
    }

    /// The current fields of a task, retrying transient failures only while a retry
    /// would end before `deadline`.
    pub(crate) fn fetch_task_data_until(
        &self,
        task_id: &str,
        deadline: Option<Instant>,
    ) -> Result<TaskData> {
        if task_id.trim().is_empty() {
            return Err(Error::invalid_input("task_id", "must not be empty"));
        }
        let user_id = self.user_id_until(deadline)?;
        #[derive(Deserialize)]
        struct User {
            #[serde(rename = "createdTasks")]
            created_tasks: Vec<TaskData>,
        }
        #[derive(Deserialize)]
        struct Data {
            user: Option<User>,
        }
        let document = format!(
            "query GetUserCreatedTasksPyApi($userId: ID!, $taskId: ID!) {{ user(where: {{id: $userId}}) {{ createdTasks(where: {{id: $taskId}} skip: 0 first: 1) {{ {TASK_FIELDS} }} }} }}"
        );
        let not_found = || Error::NotFound {
            what: "task".into(),
            id: task_id.to_owned(),
        };
        let variables = json!({"userId": user_id, "taskId": task_id});
        let answer = match deadline {
            Some(deadline) => self.transport().query_until(&document, variables, deadline),
            None => self.transport().query(&document, variables),
        };
        let data: Data = answer.map_err(|e| if e.is_not_found() { not_found() } else { e })?;
        data.user
            .and_then(|u| u.created_tasks.into_iter().next())
            .ok_or_else(not_found)
    }

    /// The task types that can be cancelled, in kebab-case (`adv-upsert-data-rows`):
    /// fetched on first use, then kept for the client's life.
    ///
    /// # Errors
    ///
    /// A [request failure](crate::Error#request-failures), on the first call only.
    pub fn cancelable_task_types(&self) -> Result<Vec<String>> {
        self.cached_cancelable_types().map(|types| types.to_vec())
    }

    fn cached_cancelable_types(&self) -> Result<Arc<Vec<String>>> {
        if let Some(types) = lock(&self.inner.cancelable_types).as_ref() {
            return Ok(types.clone());
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            cancelable_task_types: Vec<String>,
        }
        let data: Data = self.transport().query(
            "query GetCancelableTaskTypesPyApi { cancelableTaskTypes }",
            json!({}),
        )?;
        let types: Arc<Vec<String>> = Arc::new(
            data.cancelable_task_types
                .iter()
                .map(|t| to_kebab_case(t))
                .collect(),
        );
        *lock(&self.inner.cancelable_types) = Some(types.clone());
        Ok(types)
    }

    /// Cancels a running task and returns the service's `success` (PROTOCOL 3.4).
    ///
    /// Refuses with [`Error::TaskNotCancelable`], without sending the mutation, when the
    /// task's type is not cancelable or the task is not `IN_PROGRESS`. The mutation is
    /// never re-sent after a failure that may have reached the service.
    ///
    /// # Errors
    ///
    /// The errors of [`get_task_by_id`](Self::get_task_by_id); [`Error::TaskNotCancelable`]
    /// when the task's type is not cancelable or the task is not `IN_PROGRESS` (the mutation is
    /// not sent); otherwise a [request failure](crate::Error#request-failures) of the mutation,
    /// whose [`may_have_been_processed`](Error::may_have_been_processed) says whether it may
    /// have been carried out.
    pub fn cancel_task(&self, task_id: &str) -> Result<bool> {
        let task = self.get_task_by_id(task_id)?;
        let types = self.cached_cancelable_types()?;
        let task_type = to_kebab_case(task.task_type());
        let refuse = |reason: String| Error::TaskNotCancelable {
            task_id: task.id().to_owned(),
            task_type: task.task_type().to_owned(),
            status: task.status().clone(),
            reason,
        };
        if !types.contains(&task_type) {
            return Err(refuse(format!(
                "tasks of type {:?} cannot be cancelled (cancelable types: {})",
                task.task_type(),
                types.join(", ")
            )));
        }
        if *task.status() != TaskStatus::InProgress {
            return Err(refuse(format!(
                "only IN_PROGRESS tasks can be cancelled, this one is {}",
                task.status()
            )));
        }
        #[derive(Deserialize)]
        struct Outcome {
            success: bool,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            cancel_bulk_operation_job: Outcome,
        }
        let data: Data = self.transport().mutate(
            "mutation CancelTaskPyApi($id: ID!) { cancelBulkOperationJob(id: $id) { success } }",
            json!({"id": task_id}),
        )?;
        Ok(data.cancel_bulk_operation_job.success)
    }
}

/// `AdvUpsertDataRows` -> `adv-upsert-data-rows`. Acronyms stay one word
/// (`ExportToJSONFile` -> `export-to-json-file`), digits stick to the word before them,
/// `_`, `-` and spaces become one `-`, and kebab-case input is unchanged.
pub(crate) fn to_kebab_case(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    let mut out = String::with_capacity(chars.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if matches!(c, '_' | '-' | ' ') {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            continue;
        }
        if c.is_uppercase() && i > 0 && !out.ends_with('-') {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let starts_word = prev.is_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_uppercase() && next_is_lower);
            if starts_word {
                out.push('-');
            }
        }
        out.extend(c.to_lowercase());
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_kebab_case;

    #[test]
    fn kebab_case() {
        let cases = [
            ("AdvUpsertDataRows", "adv-upsert-data-rows"),
            ("ExportDataRows", "export-data-rows"),
            ("SendToAnnotate", "send-to-annotate"),
            ("adv-upsert-data-rows", "adv-upsert-data-rows"),
            ("ExportToJSONFile", "export-to-json-file"),
            ("HTTPServer", "http-server"),
            ("JSON", "json"),
            ("Export2Json", "export2-json"),
            ("snake_case_name", "snake-case-name"),
            ("", ""),
            ("A", "a"),
            ("addDataRowsToBatch", "add-data-rows-to-batch"),
            ("  Trailing_ ", "trailing"),
        ];
        for (input, want) in cases {
            assert_eq!(to_kebab_case(input), want, "{input}");
        }
    }
}
