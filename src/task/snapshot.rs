//! A [`Task`] as data users keep: `Serialize` with the official SDK's snake_case field names,
//! and [`Client::task_from_snapshot`] to bring a stored task back to life (e.g. a CI job that
//! starts an import in one step and waits for it in another).

use std::time::SystemTime;

use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::task::{parse_timestamp, Task, TaskData, TaskStatus};

/// The serialized form of a task; times are RFC 3339 UTC with milliseconds.
#[derive(Serialize, Deserialize)]
struct Snapshot<Text, Meta> {
    id: Text,
    name: Text,
    #[serde(rename = "type")]
    task_type: Text,
    status: TaskStatus,
    completion_percentage: Option<f64>,
    created_at: String,
    updated_at: String,
    result: Option<Text>,
    errors: Option<Text>,
    metadata: Option<Meta>,
}

fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

impl Serialize for Task {
    /// `{"id", "name", "type", "status", "completion_percentage", "created_at", "updated_at",
    /// "result", "errors", "metadata"}`; the client (and its key) is not part of it.
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let data = &self.data;
        Snapshot {
            id: data.id.as_str(),
            name: data.name.as_str(),
            task_type: data.task_type.as_str(),
            status: data.status.clone(),
            completion_percentage: data.completion_percentage,
            created_at: rfc3339(data.created_at),
            updated_at: rfc3339(data.updated_at),
            result: data.result.as_deref(),
            errors: data.errors.as_deref(),
            metadata: data.metadata.as_ref(),
        }
        .serialize(serializer)
    }
}

impl Client {
    /// A task serialized earlier (see `Task`'s `Serialize`), attached to this client. No request
    /// is sent: [`Task::refresh`] or a wait reads its current state.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the value is not a serialized task.
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::builder().min_task_duration(std::time::Duration::ZERO).start().unwrap();
    /// # std::env::set_var("LABELBOX_API_KEY", emulator.api_key());
    /// # std::env::set_var("LABELBOX_ENDPOINT", emulator.url());
    /// # let task_id = &emulator.insert_task(labelbox_emulator::TaskSeed { status: "COMPLETE".into(), ..Default::default() });
    /// let client = labelbox::Client::from_env()?;
    /// let task = client.get_task_by_id(task_id)?;
    /// let stored = serde_json::to_string(&task).unwrap(); // e.g. into a CI artifact
    /// // ... later, maybe in another process:
    /// let mut task = client.task_from_snapshot(serde_json::from_str(&stored).unwrap())?;
    /// task.wait_till_done()?;
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    pub fn task_from_snapshot(&self, snapshot: Value) -> Result<Task> {
        let text = snapshot.to_string();
        let snapshot: Snapshot<String, Value> = serde_json::from_value(snapshot)
            .map_err(|e| Error::decode(format!("not a serialized task: {e}"), &text))?;
        let time = |field: &str, value: &str| {
            parse_timestamp(value).ok_or_else(|| {
                Error::decode(format!("task {field}: not an RFC 3339 UTC time"), value)
            })
        };
        let data = TaskData {
            created_at: time("created_at", &snapshot.created_at)?,
            updated_at: time("updated_at", &snapshot.updated_at)?,
            id: snapshot.id,
            name: snapshot.name,
            task_type: snapshot.task_type,
            status: snapshot.status,
            completion_percentage: snapshot.completion_percentage,
            result: snapshot.result,
            errors: snapshot.errors,
            metadata: snapshot.metadata,
        };
        Ok(Task::from_data(self.clone(), data))
    }
}
