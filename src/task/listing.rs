//! Listing tasks: the [`TaskFilter`] builder and the lazy [`Tasks`] iterator over offset
//! pages of 100 (PROTOCOL 3.3).

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::task::{Task, TaskData, TaskStatus, TASK_FIELDS};

/// Tasks asked per page, like the official SDK.
pub(crate) const PAGE_SIZE: usize = 100;

/// Which tasks to list; every condition set must hold.
///
/// Only the status reaches the service (as the official SDK sends it: `where: {status:
/// $param_0}` with a `TaskStatus!` variable). The type and the created-at range have no
/// evidence of working as service-side filters (PROTOCOL 3.3), so they are applied on the
/// client while paging: the listing still asks one page of 100 at a time, lazily, and yields
/// only the tasks that match.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use labelbox::{TaskFilter, TaskStatus};
///
/// let day_ago = SystemTime::now() - Duration::from_secs(86_400);
/// let filter = TaskFilter::new()
///     .status(TaskStatus::Failed)
///     .task_type("adv-upsert-data-rows")
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
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Only tasks in this status: sent to the service as a `TaskStatus!` enum variable.
    /// [`TaskStatus::Canceling`] is sent `CANCELLING`.
    #[must_use]
    pub fn status(mut self, status: TaskStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only tasks of this type (kebab-case, e.g. `adv-upsert-data-rows`), compared on the client.
    #[must_use]
    pub fn task_type(mut self, task_type: impl Into<String>) -> Self {
        self.task_type = Some(task_type.into());
        self
    }

    /// Only tasks created at or after this time, compared on the client.
    #[must_use]
    pub fn created_since(mut self, time: SystemTime) -> Self {
        self.created_since = Some(time);
        self
    }

    /// Only tasks created strictly before this time, compared on the client.
    #[must_use]
    pub fn created_before(mut self, time: SystemTime) -> Self {
        self.created_before = Some(time);
        self
    }

    /// Refuses a filter that cannot match anything or cannot be sent, before any request.
    fn check(&self) -> Result<()> {
        if let Some(TaskStatus::Unknown(s)) = &self.status {
            if s.trim().is_empty() {
                return Err(Error::invalid_input("status", "must not be empty"));
            }
        }
        if self.task_type.as_ref().is_some_and(|t| t.trim().is_empty()) {
            return Err(Error::invalid_input("task_type", "must not be empty"));
        }
        for (time, field) in [
            (self.created_since, "created_since"),
            (self.created_before, "created_before"),
        ] {
            if let Some(time) = time {
                check_time(time, field)?;
            }
        }
        if let (Some(since), Some(before)) = (self.created_since, self.created_before) {
            if before <= since {
                return Err(Error::invalid_input(
                    "created_before",
                    "must be later than created_since (the range would be empty)",
                ));
            }
        }
        Ok(())
    }

    /// Whether a listed task meets the conditions the service was not asked to apply.
    fn keeps(&self, task: &TaskData) -> bool {
        self.task_type
            .as_deref()
            .is_none_or(|t| t == task.task_type)
            && self
                .created_since
                .is_none_or(|since| task.created_at >= since)
            && self
                .created_before
                .is_none_or(|before| task.created_at < before)
    }
}

/// Times a task can carry: RFC 3339 covers the years 1970 to 9999 only, so a bound outside
/// them is a mistake of the caller (e.g. an overflowed subtraction), refused as input.
fn check_time(time: SystemTime, field: &str) -> Result<()> {
    const YEAR_10000: Duration = Duration::from_secs(253_402_300_800);
    match time.duration_since(UNIX_EPOCH) {
        Ok(since_epoch) if since_epoch < YEAR_10000 => Ok(()),
        _ => Err(Error::invalid_input(
            field,
            "must be between 1970-01-01 and 9999-12-31 (UTC)",
        )),
    }
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
/// the previous one is used up, ending on a short page. Tasks the filter's client-side
/// conditions (type, created-at range) leave out are skipped, so a page may yield fewer than
/// 100 tasks, or none. An error is yielded once and ends the iteration.
///
/// Each task is yielded once: a task seen on an earlier page is not yielded again. Offsets
/// shift when tasks are created during the listing (newest first), so whole pages of tasks
/// listed already are expected after 100 or more are created, and the listing goes on past
/// them. A run of such pages longer than the tasks listed so far can explain (a server
/// ignoring `skip`, or pages that cycle) ends the listing with [`Error::InconsistentPages`]
/// rather than looping.
#[derive(Debug)]
#[must_use = "iterators are lazy: nothing is fetched until it is used"]
pub struct Tasks {
    client: Client,
    filter: TaskFilter,
    scope: Scope,
    skip: usize,
    buffer: VecDeque<TaskData>,
    /// Ids listed so far, to yield each task once and notice a page of listed tasks.
    seen: HashSet<String>,
    /// Pages in a row holding only tasks listed already, and the offset of the first.
    stale_run: Option<(usize, usize)>,
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
            seen: HashSet::new(),
            stale_run: None,
            done: false,
        }
    }

    fn fetch_page(&self) -> Result<Vec<TaskData>> {
        #[derive(Deserialize)]
        struct OrganizationTasks {
            tasks: Option<Vec<TaskData>>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct UserTasks {
            created_tasks: Option<Vec<TaskData>>,
        }
        #[derive(Deserialize)]
        struct Page {
            organization: Option<OrganizationTasks>,
            user: Option<UserTasks>,
        }
        let (document, variables) = self.page_query()?;
        let page: Page = self.client.transport().query(&document, variables)?;
        let tasks = match self.scope {
            Scope::Organization => page.organization.and_then(|o| o.tasks),
            Scope::CreatedByUser => page.user.and_then(|u| u.created_tasks),
        };
        Ok(tasks.unwrap_or_default())
    }

    /// The document and variables of the current page's query: the status condition (the
    /// only one sent), the page's offset, and the user id when listing the user's own tasks.
    fn page_query(&self) -> Result<(String, Value)> {
        self.filter.check()?;
        let mut decls = Vec::new();
        let mut vars = Map::new();
        let mut args = String::new();
        if let Some(status) = &self.filter.status {
            decls.push("$param_0: TaskStatus!");
            args.push_str("where: {status: $param_0} ");
            vars.insert("param_0".into(), Value::from(status.as_str()));
        }
        args.push_str(&format!("skip: {} first: {PAGE_SIZE}", self.skip));
        let (name, selection) = match self.scope {
            Scope::Organization => (
                "GetOrganizationTasksPyApi",
                format!("organization {{ tasks({args}) {{ {TASK_FIELDS} }} }}"),
            ),
            Scope::CreatedByUser => {
                decls.insert(0, "$userId: ID!");
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

    /// Takes a fetched page: keeps the tasks not listed before that the filter keeps, and
    /// moves the offset on.
    fn accept(&mut self, page: Vec<TaskData>) -> Result<()> {
        let fetched = page.len();
        let offset = self.skip;
        self.done = fetched < PAGE_SIZE;
        self.skip += fetched;
        let mut new = 0;
        for task in page {
            if self.seen.insert(task.id.clone()) {
                new += 1;
                if self.filter.keeps(&task) {
                    self.buffer.push_back(task);
                }
            }
        }
        if fetched == 0 || new > 0 {
            self.stale_run = None;
            return Ok(());
        }
        self.stale_page(offset)
    }

    /// A page of tasks all listed already. `k` tasks created since a page was read push the
    /// tasks after it `k` places down, so the next pages show tasks listed already until the
    /// offset passes them: at most one page per 100 tasks listed so far while `k` stays put
    /// (these pages add nothing to `seen`), one more if tasks keep coming meanwhile. A longer
    /// run is no shift: `skip` is ignored or the pages cycle.
    fn stale_page(&mut self, offset: usize) -> Result<()> {
        let (first, run) = self
            .stale_run
            .map_or((offset, 1), |(first, run)| (first, run + 1));
        self.stale_run = Some((first, run));
        if run <= self.seen.len().div_ceil(PAGE_SIZE) + 1 {
            return Ok(());
        }
        self.done = true;
        Err(Error::inconsistent_pages(
            "tasks",
            format!(
                "the {run} pages from offset {first} on hold only tasks already listed, more \
                 than tasks created meanwhile can explain (is `skip` ignored?)"
            ),
        ))
    }
}

impl Iterator for Tasks {
    type Item = Result<Task>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(data) = self.buffer.pop_front() {
                return Some(Ok(Task::from_data(self.client.clone(), data)));
            }
            if self.done {
                return None;
            }
            if let Err(e) = self.fetch_page().and_then(|page| self.accept(page)) {
                self.done = true;
                return Some(Err(e));
            }
        }
    }
}

impl Client {
    /// The organization's tasks matching `filter`, fetched lazily a page of 100 at a time.
    /// Export tasks are listed there while they run (Labelbox's own tests find a running one
    /// this way) but not once finished (Labelbox's task page); [`Client::created_tasks`]
    /// lists them all.
    pub fn tasks(&self, filter: TaskFilter) -> Tasks {
        Tasks::new(self.clone(), filter, Scope::Organization)
    }

    /// The tasks created by the key's user matching `filter`, fetched lazily, finished exports
    /// included (Labelbox's `test_task_filter` finds one there by status).
    pub fn created_tasks(&self, filter: TaskFilter) -> Tasks {
        Tasks::new(self.clone(), filter, Scope::CreatedByUser)
    }
}
