//! What a project export (`exportDataRowsInProject`) selects and what its lines say about the
//! project: the project's rows passing the filters, each with its `projects[<id>]` part
//! (name, labels, and with the include params its `project_details` and `label_details`).

use std::collections::HashMap;
use std::time::SystemTime;

use serde_json::{json, Value};

use crate::projects::{LabelRecord, ProjectRecord};
use crate::store::Store;
use crate::time;

/// An inclusive time range; either end may be open.
pub(crate) type Range = (Option<SystemTime>, Option<SystemTime>);

/// A project export's scope and filters.
#[derive(Default, Debug, Clone, PartialEq)]
pub(crate) struct ProjectScope {
    pub(crate) project_id: String,
    pub(crate) batch_ids: Option<Vec<String>>,
    pub(crate) label_created_at: Option<Range>,
    pub(crate) last_activity_at: Option<Range>,
    /// `TO_LABEL`, `IN_REVIEW`, `IN_REWORK` or `DONE`.
    pub(crate) workflow_status: Option<String>,
    pub(crate) project_details: bool,
    pub(crate) label_details: bool,
}

fn within(range: &Range, t: SystemTime) -> bool {
    range.0.is_none_or(|from| t >= from) && range.1.is_none_or(|to| t <= to)
}

/// The workflow status of a row in `queue_type` (`None`: done).
fn workflow_status(queue_type: Option<&str>) -> &'static str {
    match queue_type {
        Some("INITIAL_LABELING_QUEUE") => "TO_LABEL",
        Some("MANUAL_REVIEW_QUEUE") => "IN_REVIEW",
        Some("MANUAL_REWORK_QUEUE") => "IN_REWORK",
        Some(_) => "IN_PROGRESS",
        None => "DONE",
    }
}

/// The project's rows that pass the scope's filters, in the order they joined the project,
/// each with its `projects` part. An unknown project selects nothing.
pub(crate) fn select(store: &Store, scope: &ProjectScope) -> (Vec<String>, HashMap<String, Value>) {
    let activity: HashMap<String, SystemTime> = store
        .catalog()
        .rows
        .values()
        .map(|r| (r.id.clone(), r.updated_at))
        .collect();
    let state = store.projects.lock();
    let Some(project) = state.projects.get(&scope.project_id) else {
        return (Vec::new(), HashMap::new());
    };
    // Each row's visible labels, in the project's order: found once, not per row.
    let mut by_row: HashMap<&str, Vec<&LabelRecord>> = HashMap::new();
    for label in project.labels.iter().filter(|l| l.visible()) {
        by_row.entry(&label.data_row_id).or_default().push(label);
    }
    let mut ids = Vec::new();
    let mut parts = HashMap::new();
    for row in &project.rows {
        let labels = by_row
            .get(row.data_row_id.as_str())
            .map_or(&[][..], Vec::as_slice);
        let queue_type = row
            .queue_id
            .as_ref()
            .and_then(|q| project.queues.iter().find(|x| &x.id == q))
            .map(|q| q.queue_type.as_str());
        let status = workflow_status(queue_type);
        let last_activity = labels
            .iter()
            .map(|l| l.created_at)
            .chain(activity.get(&row.data_row_id).copied())
            .chain([row.added_at])
            .max();
        let keep = activity.contains_key(&row.data_row_id)
            && scope
                .batch_ids
                .as_ref()
                .is_none_or(|b| b.contains(&row.batch_id))
            && scope.workflow_status.as_ref().is_none_or(|w| w == status)
            && scope
                .last_activity_at
                .as_ref()
                .is_none_or(|r| last_activity.is_some_and(|t| within(r, t)))
            && scope
                .label_created_at
                .as_ref()
                .is_none_or(|r| labels.iter().any(|l| within(r, l.created_at)));
        if !keep {
            continue;
        }
        let part = project_part(project, row, labels, status, scope);
        ids.push(row.data_row_id.clone());
        parts.insert(row.data_row_id.clone(), json!({ &project.id: part }));
    }
    (ids, parts)
}

fn project_part(
    project: &ProjectRecord,
    row: &crate::projects::ProjectRow,
    labels: &[&LabelRecord],
    status: &str,
    scope: &ProjectScope,
) -> Value {
    let mut part = json!({
        "name": project.name,
        "labels": labels.iter().map(|l| label_line(l, scope.label_details)).collect::<Vec<_>>(),
    });
    if scope.project_details {
        let batch = project.batches.iter().find(|b| b.id == row.batch_id);
        part["project_details"] = json!({
            "ontology_id": project.ontology_id,
            "task_id": row.queue_id,
            "task_name": row.queue_id.as_ref().and_then(|q| project.queues.iter().find(|x| &x.id == q)).map(|q| q.name.clone()),
            "batch_id": row.batch_id,
            "batch_name": batch.map(|b| b.name.clone()),
            "workflow_status": status,
            "priority": row.priority,
            "consensus_expected_label_count": row.number_of_labels.unwrap_or(1),
            "workflow_history": [],
            "created_at": time::format(row.added_at),
        });
    }
    part
}

/// A label as a project export shows it: its annotations as the import gave them, split into
/// objects (tools) and classifications.
pub(crate) fn label_line(label: &LabelRecord, details: bool) -> Value {
    let (objects, classifications): (Vec<&Value>, Vec<&Value>) = label
        .annotations
        .iter()
        .partition(|a| a.get("answer").is_none() && a.get("answers").is_none());
    let mut line = json!({
        "id": label.id,
        "annotations": {
            "objects": objects,
            "classifications": classifications,
            "relationships": [],
        },
    });
    if details {
        line["label_details"] = json!({
            "created_at": time::format(label.created_at),
            "updated_at": time::format(label.created_at),
            "created_by": "emulator@example.com",
            "content_last_updated_at": time::format(label.created_at),
            "reviews": [],
        });
    }
    line
}

/// Reads a filter's date: `YYYY-MM-DD HH:MM:SS` or ISO 8601 with an optional `+HHMM` offset.
pub(crate) fn parse_date(text: &str) -> Option<SystemTime> {
    let (stamp, offset) = match text.get(19..) {
        Some(rest) if rest.starts_with(['+', '-']) && rest.len() == 5 => (&text[..19], rest),
        Some("") | Some("Z") => (&text[..19], "+0000"),
        _ => return None,
    };
    let base = time::parse(&format!("{}Z", stamp.replace(' ', "T")))?;
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let hours: i64 = offset.get(1..3)?.parse().ok()?;
    let minutes: i64 = offset.get(3..5)?.parse().ok()?;
    let shift = sign * (hours * 3600 + minutes * 60);
    let shift = std::time::Duration::from_secs(shift.unsigned_abs());
    Some(if sign > 0 {
        base.checked_sub(shift)?
    } else {
        base.checked_add(shift)?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_dates_read_both_forms_and_offsets() {
        let plain = parse_date("2000-01-01 00:00:00").map(time::format);
        assert_eq!(plain.as_deref(), Some("2000-01-01T00:00:00.000Z"));
        let shifted = parse_date("2000-01-01T02:30:00+0230").map(time::format);
        assert_eq!(shifted.as_deref(), Some("2000-01-01T00:00:00.000Z"));
        assert_eq!(parse_date("yesterday"), None);
    }
}
