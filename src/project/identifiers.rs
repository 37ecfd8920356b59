//! [`DataRowIdentifiers`]: data rows named by id or by global key, as the official SDK's
//! `UniqueIds` / `GlobalKeys` (batches, queue priority, send to annotate).

use serde_json::{json, Value};

use crate::error::{Error, Result};

/// Data rows named by their ids or by their global keys (never both in one call).
///
/// ```
/// use labelbox::DataRowIdentifiers;
/// let rows = DataRowIdentifiers::global_keys(["img-1", "img-2"]);
/// assert_eq!(rows.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DataRowIdentifiers {
    /// Data row ids (the official SDK's `UniqueIds`, `idType` `ID`).
    Ids(Vec<String>),
    /// Global keys (the official SDK's `GlobalKeys`, `idType` `GKEY`).
    GlobalKeys(Vec<String>),
}

impl DataRowIdentifiers {
    /// Rows by id.
    #[must_use]
    pub fn ids<I, S>(ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        DataRowIdentifiers::Ids(ids.into_iter().map(Into::into).collect())
    }

    /// Rows by global key.
    #[must_use]
    pub fn global_keys<I, S>(keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        DataRowIdentifiers::GlobalKeys(keys.into_iter().map(Into::into).collect())
    }

    /// The ids or keys.
    #[must_use]
    pub fn as_slice(&self) -> &[String] {
        match self {
            DataRowIdentifiers::Ids(v) | DataRowIdentifiers::GlobalKeys(v) => v,
        }
    }

    /// How many rows are named.
    #[must_use]
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// True when no row is named.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    /// The field named in errors: `data_row_ids` or `global_keys`.
    pub(crate) fn field(&self) -> &'static str {
        match self {
            DataRowIdentifiers::Ids(_) => "data_row_ids",
            DataRowIdentifiers::GlobalKeys(_) => "global_keys",
        }
    }

    /// Refuses an empty selection, more than `max` entries, or an empty entry.
    pub(crate) fn check(&self, max: usize) -> Result<()> {
        let field = self.field();
        if self.is_empty() {
            return Err(Error::invalid_input(field, "name at least one data row"));
        }
        if self.len() > max {
            return Err(Error::invalid_input(
                field,
                format!("at most {max} data rows, got {}", self.len()),
            ));
        }
        if let Some(i) = self.as_slice().iter().position(|s| s.trim().is_empty()) {
            return Err(Error::invalid_input(field, format!("entry {i} is empty")));
        }
        Ok(())
    }

    /// `{"ids", "idType"}` (`ID` or `GKEY`), the official SDK's `DataRowIdentifiers` input.
    pub(crate) fn identifiers_input(&self) -> Value {
        let id_type = match self {
            DataRowIdentifiers::Ids(_) => "ID",
            DataRowIdentifiers::GlobalKeys(_) => "GKEY",
        };
        json!({"ids": self.as_slice(), "idType": id_type})
    }

    /// A catalog search clause: `{"type": "data_row_id" | "global_key", "operator": "is", "ids"}`.
    pub(crate) fn search_clause(&self) -> Value {
        let kind = match self {
            DataRowIdentifiers::Ids(_) => "data_row_id",
            DataRowIdentifiers::GlobalKeys(_) => "global_key",
        };
        json!({"type": kind, "operator": "is", "ids": self.as_slice()})
    }
}
