//! Catalog jobs on global keys: assigning keys to data rows (`assignGlobalKeysToDataRows`) and
//! clearing them (`clearGlobalKeys`). The service runs them as jobs polled through a result
//! query; the emulator applies them when they start, and reports them `IN_PROGRESS` for the
//! configured job duration (zero by default: complete at the first poll).

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::store::Catalog;

/// One assignment asked for: a data row and the global key it should get.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Assignment {
    pub(crate) data_row_id: String,
    pub(crate) global_key: String,
}

/// What an assignment job did, in the order asked.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct AssignOutcome {
    /// Assigned as given (or already the row's key).
    pub(crate) unmodified: Vec<Assignment>,
    /// Refused: the row does not exist, the key is invalid or is another row's.
    pub(crate) invalid: Vec<Assignment>,
}

/// What a clearing job did, in the order asked.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ClearOutcome {
    pub(crate) cleared: Vec<String>,
    pub(crate) not_found: Vec<String>,
}

/// A job's answer, kept for its result query.
#[derive(Clone, Debug)]
pub(crate) enum JobResult {
    Assign(AssignOutcome),
    Clear(ClearOutcome),
}

/// Jobs by id: each result and when it may be reported.
#[derive(Default)]
pub(crate) struct Jobs {
    duration: Duration,
    by_id: Mutex<HashMap<String, (JobResult, Instant)>>,
}

impl Jobs {
    /// Jobs that report `IN_PROGRESS` for `duration` after they start.
    pub(crate) fn with_duration(duration: Duration) -> Self {
        Jobs {
            duration,
            by_id: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, (JobResult, Instant)>> {
        self.by_id.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps a job's result under `id`, reported once the job duration has passed.
    pub(crate) fn insert(&self, id: String, result: JobResult) {
        let ready_at = Instant::now() + self.duration;
        self.lock().insert(id, (result, ready_at));
    }

    /// A job's result if the id names one, and whether it is done.
    pub(crate) fn get(&self, id: &str) -> Option<(JobResult, bool)> {
        let jobs = self.lock();
        let (result, ready_at) = jobs.get(id)?;
        Some((result.clone(), Instant::now() >= *ready_at))
    }
}

/// Whether the service accepts `key` as a global key: not empty, no whitespace at either end
/// and no run of whitespace inside (Labelbox's `test_global_key_with_whitespaces_validation`
/// expects `" global key"`, `"global  key"` and `"global key "` refused).
pub(crate) fn is_valid_global_key(key: &str) -> bool {
    if key.is_empty() || key.trim() != key {
        return false;
    }
    let mut previous_space = false;
    for c in key.chars() {
        let space = c.is_whitespace();
        if space && previous_space {
            return false;
        }
        previous_space = space;
    }
    true
}

/// Applies `asked` in order. A row named twice gets only its first assignment (the second is
/// invalid), and a key asked twice goes to its first row (Labelbox's
/// `test_assign_same_global_keys_to_data_rows`). A row's previous key becomes free.
pub(crate) fn assign(catalog: &mut Catalog, asked: Vec<Assignment>) -> AssignOutcome {
    let mut outcome = AssignOutcome::default();
    let mut seen_rows = HashSet::new();
    for a in asked {
        let owner = catalog.global_keys.get(&a.global_key).cloned();
        let acceptable = catalog.rows.contains_key(&a.data_row_id)
            && is_valid_global_key(&a.global_key)
            && owner.as_ref().is_none_or(|o| *o == a.data_row_id)
            && seen_rows.insert(a.data_row_id.clone());
        if !acceptable {
            outcome.invalid.push(a);
            continue;
        }
        if owner.is_none() {
            set_key(catalog, &a.data_row_id, Some(a.global_key.clone()));
        }
        outcome.unmodified.push(a);
    }
    outcome
}

/// Clears each key from the row that has it; a key no row has is not found.
pub(crate) fn clear(catalog: &mut Catalog, keys: Vec<String>) -> ClearOutcome {
    let mut outcome = ClearOutcome::default();
    for key in keys {
        match catalog.global_keys.get(&key).cloned() {
            Some(row) => {
                set_key(catalog, &row, None);
                outcome.cleared.push(key);
            }
            None => outcome.not_found.push(key),
        }
    }
    outcome
}

/// Gives row `id` the key `key` (or none), freeing its previous one.
fn set_key(catalog: &mut Catalog, id: &str, key: Option<String>) {
    let Some(row) = catalog.rows.get_mut(id) else {
        return;
    };
    let old = std::mem::replace(&mut row.global_key, key.clone());
    row.updated_at = crate::time::now().max(row.created_at);
    if let Some(old) = old {
        catalog.global_keys.remove(&old);
    }
    if let Some(key) = key {
        catalog.global_keys.insert(key, id.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::DataRow;

    fn catalog_with(ids: &[&str]) -> Catalog {
        let mut catalog = Catalog::default();
        for id in ids {
            let now = crate::time::now();
            let row = DataRow {
                id: (*id).into(),
                dataset_id: "d".into(),
                global_key: None,
                external_id: None,
                row_data: serde_json::Value::Null,
                media_type: None,
                metadata: Vec::new(),
                attachments: Vec::new(),
                created_at: now,
                updated_at: now,
            };
            catalog.rows.insert((*id).into(), row);
        }
        catalog
    }

    fn asked(id: &str, key: &str) -> Assignment {
        Assignment {
            data_row_id: id.into(),
            global_key: key.into(),
        }
    }

    #[test]
    fn keys_with_edge_or_doubled_whitespace_are_invalid() {
        assert!(is_valid_global_key("global key"));
        assert!(!is_valid_global_key(" global key"));
        assert!(!is_valid_global_key("global  key"));
        assert!(!is_valid_global_key("global key "));
        assert!(!is_valid_global_key(""));
    }

    #[test]
    fn a_key_asked_twice_goes_to_the_first_row_only() {
        let mut catalog = catalog_with(&["a", "b"]);
        let out = assign(&mut catalog, vec![asked("a", "k"), asked("b", "k")]);
        assert_eq!(out.unmodified, vec![asked("a", "k")]);
        assert_eq!(out.invalid, vec![asked("b", "k")]);
        assert_eq!(catalog.global_keys.get("k").map(String::as_str), Some("a"));
    }

    #[test]
    fn reassigning_frees_the_old_key_and_missing_rows_are_invalid() {
        let mut catalog = catalog_with(&["a"]);
        assign(&mut catalog, vec![asked("a", "old")]);
        let out = assign(&mut catalog, vec![asked("a", "new"), asked("zz", "x")]);
        assert_eq!(out.invalid, vec![asked("zz", "x")]);
        assert!(!catalog.global_keys.contains_key("old"));
        assert_eq!(catalog.rows["a"].global_key.as_deref(), Some("new"));
    }

    #[test]
    fn clearing_frees_keys_and_reports_unknown_ones() {
        let mut catalog = catalog_with(&["a"]);
        assign(&mut catalog, vec![asked("a", "k")]);
        let out = clear(&mut catalog, vec!["k".into(), "k".into()]);
        assert_eq!(out.cleared, vec!["k".to_string()]);
        assert_eq!(out.not_found, vec!["k".to_string()]);
        assert_eq!(catalog.rows["a"].global_key, None);
    }
}
