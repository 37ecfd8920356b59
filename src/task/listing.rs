//! Listing tasks: the [`TaskFilter`] builder and the lazy [`Tasks`] iterator over offset
//! pages of 100 (PROTOCOL 3.3).

use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::task::{Task, TaskData, TaskStatus, TASK_FIELDS};

/// Tasks asked per page, like the official SDK.
pub(crate) const PAGE_SIZE: usize = 100;

/// Which tasks to list; every condition set must hold (they are combined with AND).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use labelbox::{TaskFilter, TaskStatus};
///
/// let day_ago = SystemTime::now() - Duration::from_secs(86_400);
/// let filter = TaskFilter::new()
///     .status(TaskStatus::Failed)
///     .task_type("export-data-rows")
///     .created_since(day_ago);
/// # fn list(client: &labelbox::Client, filter: TaskFilter) -> labelbox::Result<()> {
/// for task in client.tasks(filter) {
///     let task = task?; // a failed page request ends the listing with its error
///     println!("{} {} {}", task.id(), task.task_type(), task.status());
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFilter {
    status: Option<TaskStatus>,
    task_type: Option<String>,
    created_since: Option<SystemTime>,
    created_before: Option<SystemTime>,
}

impl TaskFilter {
    /// No condition: every task.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only tasks in this status (sent as a `TaskStatus!` enum variable).
    pub fn status(mut self, status: TaskStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only tasks of this type (kebab-case, e.g. `adv-upsert-data-rows`).
    pub fn task_type(mut self, task_type: impl Into<String>) -> Self {
        self.task_type = Some(task_type.into());
        self
    }

    /// Only tasks created at or after this time (`createdAt_gte`).
    pub fn created_since(mut self, time: SystemTime) -> Self {
        self.created_since = Some(time);
        self
    }

    /// Only tasks created strictly before this time (`createdAt_lt`).
    pub fn created_before(mut self, time: SystemTime) -> Self {
        self.created_before = Some(time);
        self
    }

    /// The variable declarations, `where` conditions and variable values of the filter.
    fn parts(&self) -> Result<QueryParts> {
        let mut decls = Vec::new();
        let mut conds = Vec::new();
        let mut vars = Map::new();
        if let Some(status) = &self.status {
            if let TaskStatus::Unknown(s) = status {
                if s.is_empty() {
                    return Err(Error::invalid_input("status", "must not be empty"));
                }
            }
            decls.push("$status: TaskStatus!".to_owned());
            conds.push("{status: $status}".to_owned());
            vars.insert("status".into(), Value::from(status.as_str()));
        }
        if let Some(t) = &self.task_type {
            if t.trim().is_empty() {
                return Err(Error::invalid_input("task_type", "must not be empty"));
            }
            decls.push("$type: String!".to_owned());
            conds.push("{type: $type}".to_owned());
            vars.insert("type".into(), Value::from(t.as_str()));
        }
        if let (Some(since), Some(before)) = (self.created_since, self.created_before) {
            if before <= since {
                return Err(Error::invalid_input(
                    "created_before",
                    "must be later than created_since (the range would be empty)",
                ));
            }
        }
        for (value, field, name, op) in [
            (
                self.created_since,
                "created_since",
                "createdSince",
                "createdAt_gte",
            ),
            (
                self.created_before,
                "created_before",
                "createdBefore",
                "createdAt_lt",
            ),
        ] {
            if let Some(time) = value {
                decls.push(format!("${name}: DateTime!"));
                conds.push(format!("{{{op}: ${name}}}"));
                vars.insert(name.into(), Value::from(rfc3339(time, field)?));
            }
        }
        Ok(QueryParts { decls, conds, vars })
    }
}

/// The service's DateTime form of `time`. RFC 3339 covers the years 1970 to 9999 only, and
/// `humantime` panics outside them, so other times are refused as input.
fn rfc3339(time: SystemTime, field: &str) -> Result<String> {
    const YEAR_10000: Duration = Duration::from_secs(253_402_300_800);
    match time.duration_since(UNIX_EPOCH) {
        Ok(since_epoch) if since_epoch < YEAR_10000 => {
            Ok(humantime::format_rfc3339_millis(time).to_string())
        }
        _ => Err(Error::invalid_input(
            field,
            "must be between 1970-01-01 and 9999-12-31 (UTC)",
        )),
    }
}

/// What a filter adds to a listing query.
struct QueryParts {
    /// Variable declarations, e.g. `$status: TaskStatus!`.
    decls: Vec<String>,
    /// `where` conditions, e.g. `{status: $status}`.
    conds: Vec<String>,
    /// Variable values.
    vars: Map<String, Value>,
}

/// Whose tasks are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// `organization { tasks(...) }`
    Organization,
    /// `user(where: {id: $userId}) { createdTasks(...) }`
    CreatedByUser,
}

/// A lazy iterator of tasks: one request per page of 100, the next page fetched only when
/// the previous one is used up, ending on a short page. An error is yielded once and ends
/// the iteration.
#[derive(Debug)]
pub struct Tasks {
    client: Client,
    filter: TaskFilter,
    scope: Scope,
    skip: usize,
    buffer: VecDeque<TaskData>,
    done: bool,
}

impl Tasks {
    fn new(client: Client, filter: TaskFilter, scope: Scope) -> Self {
        Tasks {
            client,
            filter,
            scope,
            skip: 0,
            buffer: VecDeque::new(),
            done: false,
        }
    }

    fn fetch_page(&self) -> Result<Vec<TaskData>> {
        let (document, variables) = self.page_query()?;
        let data: Value = self.client.transport().query(&document, variables)?;
        let list = match self.scope {
            Scope::Organization => data.pointer("/organization/tasks"),
            Scope::CreatedByUser => data.pointer("/user/createdTasks"),
        };
        match list {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(list) => Vec::<TaskData>::deserialize(list)
                .map_err(|e| Error::decode(format!("task list: {e}"), &list.to_string())),
        }
    }

    /// The document and variables of the current page's query: the filter's conditions, the
    /// page's offset, and the user id when listing the user's own tasks.
    fn page_query(&self) -> Result<(String, Value)> {
        let QueryParts {
            mut decls,
            conds,
            mut vars,
        } = self.filter.parts()?;
        let where_arg = match conds.len() {
            0 => String::new(),
            1 => format!("where: {} ", conds[0]),
            _ => format!("where: {{AND: [{}]}} ", conds.join(", ")),
        };
        let args = format!("{where_arg}skip: {} first: {PAGE_SIZE}", self.skip);
        let (name, selection) = match self.scope {
            Scope::Organization => (
                "GetOrganizationTasksPyApi",
                format!("organization {{ tasks({args}) {{ {TASK_FIELDS} }} }}"),
            ),
            Scope::CreatedByUser => {
                decls.insert(0, "$userId: ID!".to_owned());
                vars.insert("userId".into(), Value::from(self.client.user_id()?));
                (
                    "GetUserCreatedTasksPyApi",
                    format!(
                        "user(where: {{id: $userId}}) {{ createdTasks({args}) {{ {TASK_FIELDS} }} }}"
                    ),
                )
            }
        };
        let decls = if decls.is_empty() {
            String::new()
        } else {
            format!("({})", decls.join(", "))
        };
        let document = format!("query {name}{decls} {{ {selection} }}");
        Ok((document, Value::Object(vars)))
    }
}

impl Iterator for Tasks {
    type Item = Result<Task>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(data) = self.buffer.pop_front() {
            return Some(Ok(Task::from_data(self.client.clone(), data)));
        }
        if self.done {
            return None;
        }
        match self.fetch_page() {
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
            Ok(page) => {
                self.done = page.len() < PAGE_SIZE;
                self.skip += page.len();
                self.buffer.extend(page);
                let data = self.buffer.pop_front()?;
                Some(Ok(Task::from_data(self.client.clone(), data)))
            }
        }
    }
}

impl Client {
    /// The organization's tasks matching `filter`, fetched lazily a page of 100 at a time (export
    /// tasks are not listed by the service).
    pub fn tasks(&self, filter: TaskFilter) -> Tasks {
        Tasks::new(self.clone(), filter, Scope::Organization)
    }

    /// The tasks created by the key's user matching `filter`, fetched lazily.
    pub fn created_tasks(&self, filter: TaskFilter) -> Tasks {
        Tasks::new(self.clone(), filter, Scope::CreatedByUser)
    }
}
