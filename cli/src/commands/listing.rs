//! Printing a lazy listing (`task list`, `dataset list`) as its pages arrive: a table, or one
//! JSON array with `--json`, and a hint on stderr when a limit cut it short.

use serde_json::Value;

use crate::exit::Exit;
use crate::output::{JsonArrayOut, TableOut, Ui};

/// How a listing's items look on stdout.
pub struct Columns<T> {
    /// The table's columns: header and width.
    pub table: &'static [(&'static str, usize)],
    /// An item as a table row.
    pub row: fn(&T) -> Vec<String>,
    /// An item as JSON.
    pub json: fn(&T) -> Value,
    /// What the items are, plural (`tasks`).
    pub noun: &'static str,
}

/// Prints at most `limit` items (all when `None`) as they come. When the limit is reached, one
/// more item is read to tell whether the listing was cut (it is usually in the page at hand).
pub fn print<T>(
    ui: Ui,
    items: impl Iterator<Item = labelbox::Result<T>>,
    limit: Option<usize>,
    columns: &Columns<T>,
) -> anyhow::Result<Exit> {
    let mut items = items.peekable();
    let mut json = if ui.json {
        Some(JsonArrayOut::new()?)
    } else {
        None
    };
    let (mut table, header) = TableOut::new(columns.table);
    let mut printed = 0;
    while limit.is_none_or(|limit| printed < limit) {
        let Some(item) = items.next() else { break };
        let item = item?;
        match &mut json {
            Some(out) => out.element(&(columns.json)(&item))?,
            None => table.row(&header, &(columns.row)(&item))?,
        }
        printed += 1;
    }
    if let Some(out) = json {
        out.finish()?;
    }
    let cut = limit.is_some() && items.peek().is_some_and(|next| next.is_ok());
    if cut {
        ui.note(format!(
            "showing the first {printed} {}; --limit N for more, --all for every one",
            columns.noun
        ));
    } else if printed == 0 && !ui.json {
        ui.note(format!("no {} match", columns.noun));
    }
    Ok(Exit::Success)
}
