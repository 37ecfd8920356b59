//! Data-row metadata in bulk: upserts and deletes for any number of rows, named by data row id
//! or global key, sent in batches of 50 rows as the official SDK sends them
//! (`upsertDataRowCustomMetadata`, `deleteDataRowCustomMetadata`). The service answers only
//! the rows it could not apply; each is reported with its row and its index in the input.

use std::borrow::Borrow;
use std::fmt;
use std::marker::PhantomData;

use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::import::data_row::MetadataField;

/// Rows per request, as the official SDK's `DataRowMetadataOntology` batches them.
pub const METADATA_BATCH_SIZE: usize = 50;

// The official SDK's documents (schema/data_row_metadata.py), as it sends them.
const UPSERT_DOCUMENT: &str = r#"mutation UpsertDataRowMetadataBetaPyApi($metadata: [DataRowCustomMetadataBatchUpsertInput!]!) {
                upsertDataRowCustomMetadata(data: $metadata){
                    globalKey
                    dataRowId
                    error
                    fields {
                        value
                        schemaId
                    }
                }
            }"#;

const DELETE_DOCUMENT: &str = r#"mutation DeleteDataRowMetadataBetaPyApi($deletes: [DataRowIdentifierCustomMetadataBatchDeleteInput!]) {
                deleteDataRowCustomMetadata(dataRowIdentifiers: $deletes) {
                    dataRowId
                    error
                    fields {
                        value
                        schemaId
                    }
                }
            }
            "#;

/// A data row, by id or by global key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataRowRef {
    /// The data row's id (`ID`).
    Id(String),
    /// The data row's global key (`GKEY`).
    GlobalKey(String),
}

impl DataRowRef {
    /// The id or the key.
    #[must_use]
    pub fn value(&self) -> &str {
        match self {
            DataRowRef::Id(v) | DataRowRef::GlobalKey(v) => v,
        }
    }

    fn id_type(&self) -> &'static str {
        match self {
            DataRowRef::Id(_) => "ID",
            DataRowRef::GlobalKey(_) => "GKEY",
        }
    }
}

impl fmt::Display for DataRowRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataRowRef::Id(id) => write!(f, "data row {id}"),
            DataRowRef::GlobalKey(key) => write!(f, "global key {key:?}"),
        }
    }
}

/// The row of a dict-form item: exactly one of `data_row_id` and `global_key`.
fn row_of(
    data_row_id: Option<String>,
    global_key: Option<String>,
) -> std::result::Result<DataRowRef, String> {
    match (data_row_id, global_key) {
        (Some(id), None) => Ok(DataRowRef::Id(id)),
        (None, Some(key)) => Ok(DataRowRef::GlobalKey(key)),
        (Some(_), Some(_)) => Err("give either `data_row_id` or `global_key`, not both".into()),
        (None, None) => Err("missing `data_row_id` or `global_key`".into()),
    }
}

/// Metadata fields to set on one data row. Dict form (e.g. a line of a rows file):
/// `{"data_row_id": "..." | "global_key": "...", "fields": [{"schema_id", "value"}]}`.
///
/// Fields are sent as given: a field replaces the row's field of the same schema. An enum is
/// its schema with `{}` and its chosen option's schema with `{}` (see
/// [`option`](Self::option)).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MetadataUpsert {
    /// The row.
    pub row: DataRowRef,
    /// The fields to set.
    pub fields: Vec<MetadataField>,
}

impl MetadataUpsert {
    /// No fields yet for `row`.
    #[must_use]
    pub fn new(row: DataRowRef) -> Self {
        MetadataUpsert {
            row,
            fields: Vec::new(),
        }
    }

    /// Adds a value for schema `schema_id` (text, number, RFC 3339 datetime text, or an
    /// embedding's numbers).
    #[must_use]
    pub fn field(mut self, schema_id: impl Into<String>, value: impl Into<Value>) -> Self {
        self.fields.push(MetadataField::new(schema_id, value));
        self
    }

    /// Chooses option `option_id` of enum schema `enum_schema_id` (two fields, as the service
    /// stores an enum).
    #[must_use]
    pub fn option(
        mut self,
        enum_schema_id: impl Into<String>,
        option_id: impl Into<String>,
    ) -> Self {
        self.fields
            .push(MetadataField::new(enum_schema_id, json!({})));
        self.fields
            .push(MetadataField::new(option_id.into(), json!({})));
        self
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpsertDict {
    data_row_id: Option<String>,
    global_key: Option<String>,
    fields: Vec<MetadataField>,
}

impl<'de> Deserialize<'de> for MetadataUpsert {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let dict = UpsertDict::deserialize(d)?;
        let row = row_of(dict.data_row_id, dict.global_key).map_err(serde::de::Error::custom)?;
        Ok(MetadataUpsert {
            row,
            fields: dict.fields,
        })
    }
}

/// Metadata fields to remove from one data row, by schema id (an enum's schema takes its
/// option along). Dict form: `{"data_row_id": "..." | "global_key": "...", "schema_ids": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MetadataDelete {
    /// The row.
    pub row: DataRowRef,
    /// The schemas whose fields go.
    pub schema_ids: Vec<String>,
}

impl MetadataDelete {
    /// Removes the fields of `schema_ids` from `row`.
    #[must_use]
    pub fn new<S: Into<String>>(row: DataRowRef, schema_ids: impl IntoIterator<Item = S>) -> Self {
        MetadataDelete {
            row,
            schema_ids: schema_ids.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteDict {
    data_row_id: Option<String>,
    global_key: Option<String>,
    schema_ids: Vec<String>,
}

impl<'de> Deserialize<'de> for MetadataDelete {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let dict = DeleteDict::deserialize(d)?;
        let row = row_of(dict.data_row_id, dict.global_key).map_err(serde::de::Error::custom)?;
        Ok(MetadataDelete {
            row,
            schema_ids: dict.schema_ids,
        })
    }
}

/// A row the service could not apply.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MetadataFailure {
    /// The row's position in the input, from 0; `None` for a delete failure of a row named by
    /// global key that the service answered with the row's id only (then `row` is that id).
    pub index: Option<usize>,
    /// The row as given (or as answered, see `index`).
    pub row: DataRowRef,
    /// The service's reason (e.g. `Schema did not exist` for a delete of a field the row
    /// does not have).
    pub message: String,
    /// The schemas at fault, as the service named them.
    pub schema_ids: Vec<String>,
}

impl fmt::Display for MetadataFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(index) => write!(f, "item {index} ({}): {}", self.row, self.message)?,
            None => write!(f, "{}: {}", self.row, self.message)?,
        }
        if !self.schema_ids.is_empty() {
            write!(f, " [{}]", self.schema_ids.join(", "))?;
        }
        Ok(())
    }
}

/// One request's worth of rows, answered.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MetadataBatch {
    /// Index of the batch's first row in the input.
    pub first_index: usize,
    /// Rows sent in this batch.
    pub rows: usize,
    /// The rows of the batch the service could not apply; the others were applied.
    pub failures: Vec<MetadataFailure>,
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::MetadataUpsert {}
    impl Sealed for super::MetadataDelete {}
}

/// An item of a bulk metadata operation: [`MetadataUpsert`] or [`MetadataDelete`] (sealed).
pub trait MetadataItem: sealed::Sealed {
    /// The row the item names.
    fn row(&self) -> &DataRowRef;
    /// The checks made on every item before anything is sent (a blank row id or key, no
    /// fields or schema ids, a blank schema id); `index` names the item in the error
    /// (`items[3].fields`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the first problem.
    fn check(&self, index: usize) -> Result<()>;
    #[doc(hidden)]
    fn encode(&self) -> Value;
    #[doc(hidden)]
    fn operation() -> Operation;
}

/// Which mutation a batch is sent with.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    field: &'static str,
    /// Whether the answer's rows carry `globalKey`.
    keys_answered: bool,
    variable: &'static str,
    document: &'static str,
}

fn check_row(row: &DataRowRef, index: usize) -> Result<()> {
    if row.value().trim().is_empty() {
        let name = match row {
            DataRowRef::Id(_) => "data_row_id",
            DataRowRef::GlobalKey(_) => "global_key",
        };
        return Err(Error::invalid_input(
            &format!("items[{index}].{name}"),
            "must not be blank",
        ));
    }
    Ok(())
}

impl MetadataItem for MetadataUpsert {
    fn row(&self) -> &DataRowRef {
        &self.row
    }

    fn check(&self, index: usize) -> Result<()> {
        check_row(&self.row, index)?;
        if self.fields.is_empty() {
            return Err(Error::invalid_input(
                &format!("items[{index}].fields"),
                "no fields to set",
            ));
        }
        match self
            .fields
            .iter()
            .position(|f| f.schema_id.trim().is_empty())
        {
            Some(i) => Err(Error::invalid_input(
                &format!("items[{index}].fields[{i}].schema_id"),
                "must not be blank",
            )),
            None => Ok(()),
        }
    }

    /// `{globalKey, dataRowId, fields: [{schemaId, value}]}`, both keys present as the
    /// official SDK's `model_dump` writes them.
    fn encode(&self) -> Value {
        let (id, key) = match &self.row {
            DataRowRef::Id(id) => (Some(id), None),
            DataRowRef::GlobalKey(key) => (None, Some(key)),
        };
        let fields: Vec<Value> = self
            .fields
            .iter()
            .map(|f| json!({"schemaId": f.schema_id, "value": f.value}))
            .collect();
        json!({"globalKey": key, "dataRowId": id, "fields": fields})
    }

    fn operation() -> Operation {
        Operation {
            field: "upsertDataRowCustomMetadata",
            keys_answered: true,
            variable: "metadata",
            document: UPSERT_DOCUMENT,
        }
    }
}

impl MetadataItem for MetadataDelete {
    fn row(&self) -> &DataRowRef {
        &self.row
    }

    fn check(&self, index: usize) -> Result<()> {
        check_row(&self.row, index)?;
        if self.schema_ids.is_empty() {
            return Err(Error::invalid_input(
                &format!("items[{index}].schema_ids"),
                "no schemas to delete",
            ));
        }
        match self.schema_ids.iter().position(|s| s.trim().is_empty()) {
            Some(i) => Err(Error::invalid_input(
                &format!("items[{index}].schema_ids[{i}]"),
                "must not be blank",
            )),
            None => Ok(()),
        }
    }

    /// `{dataRowIdentifier: {id, idType}, schemaIds}`.
    fn encode(&self) -> Value {
        json!({
            "dataRowIdentifier": {"id": self.row.value(), "idType": self.row.id_type()},
            "schemaIds": self.schema_ids,
        })
    }

    fn operation() -> Operation {
        Operation {
            field: "deleteDataRowCustomMetadata",
            keys_answered: false,
            variable: "deletes",
            document: DELETE_DOCUMENT,
        }
    }
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct WireField {
    schema_id: Option<String>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct WireFailure {
    data_row_id: Option<String>,
    #[serde(default)]
    global_key: Option<String>,
    error: Option<String>,
    #[serde(default)]
    fields: Vec<WireField>,
}

/// The batches of a bulk metadata operation, sent one per [`next`](Iterator::next): each
/// reads at most [`METADATA_BATCH_SIZE`] items from the source, sends them in one request and
/// yields what the service answered. After an error nothing more is sent (the batches yielded
/// before were applied). Made by [`Client::upsert_metadata`] and [`Client::delete_metadata`].
#[derive(Debug)]
pub struct MetadataBatches<I, T> {
    client: Client,
    items: I,
    /// Items the checking pass counted; the sending pass must read as many.
    expected: usize,
    sent: usize,
    done: bool,
    kind: PhantomData<fn() -> T>,
}

impl<I, T> MetadataBatches<I, T>
where
    I: Iterator,
    I::Item: Borrow<T>,
    T: MetadataItem,
{
    /// Sends every remaining batch and collects the failures, in input order.
    ///
    /// # Errors
    ///
    /// The first error of a batch (the batches before it were applied; iterate instead to
    /// see their failures as they come).
    pub fn failures(self) -> Result<Vec<MetadataFailure>> {
        let mut all = Vec::new();
        for batch in self {
            all.extend(batch?.failures);
        }
        Ok(all)
    }

    fn send(&mut self, batch: &[I::Item]) -> Result<MetadataBatch> {
        let first_index = self.sent;
        for (offset, item) in batch.iter().enumerate() {
            item.borrow().check(first_index + offset)?;
        }
        let op = T::operation();
        let encoded: Vec<Value> = batch.iter().map(|i| i.borrow().encode()).collect();
        let mut answer: std::collections::HashMap<String, Vec<WireFailure>> = self
            .client
            .transport()
            .mutate(op.document, json!({ op.variable: encoded }))?;
        let answered = answer
            .remove(op.field)
            .ok_or_else(|| Error::decode(format!("no {} in the answer", op.field), ""))?;
        let rows: Vec<&DataRowRef> = batch.iter().map(|i| i.borrow().row()).collect();
        let failures = attribute(first_index, &rows, answered, op.keys_answered)?;
        self.sent += batch.len();
        Ok(MetadataBatch {
            first_index,
            rows: batch.len(),
            failures,
        })
    }
}

/// Gives each answered failure its row: answers come in the order of the batch's rows, each
/// matched to the next row it names, by data row id or by global key. The delete document
/// does not ask for `globalKey` (`keys_answered` false), so a failure of a row named by key
/// may come back with only the row's id: then, if the batch has rows named by key, it is
/// reported with that id and no index (which of them it is, the answer does not say). Any
/// other answer no remaining row matches contradicts the batch sent, and ends the operation.
fn attribute(
    first_index: usize,
    rows: &[&DataRowRef],
    answered: Vec<WireFailure>,
    keys_answered: bool,
) -> Result<Vec<MetadataFailure>> {
    if answered.len() > rows.len() {
        return Err(Error::decode(
            format!(
                "the service answered {} failures for a batch of {} rows",
                answered.len(),
                rows.len()
            ),
            "",
        ));
    }
    let keyed_rows = rows.iter().any(|r| matches!(r, DataRowRef::GlobalKey(_)));
    let mut cursor = 0;
    let mut failures = Vec::with_capacity(answered.len().min(rows.len()));
    for answer in answered {
        let id = answer.data_row_id.as_deref();
        let key = answer.global_key.as_deref();
        let found = rows[cursor..].iter().position(|r| match r {
            DataRowRef::Id(x) => Some(x.as_str()) == id,
            DataRowRef::GlobalKey(k) => Some(k.as_str()) == key || Some(k.as_str()) == id,
        });
        let (index, row) = match (found, id) {
            (Some(offset), _) => {
                let position = cursor + offset;
                cursor = position + 1;
                (Some(first_index + position), rows[position].clone())
            }
            (None, Some(id)) if !keys_answered && keyed_rows => {
                (None, DataRowRef::Id(id.to_string()))
            }
            (None, _) => {
                return Err(Error::decode(
                    format!(
                        "the service answered a failure for a row not in the batch \
                         (dataRowId {id:?}, globalKey {key:?})"
                    ),
                    "",
                ))
            }
        };
        failures.push(MetadataFailure {
            index,
            row,
            message: answer.error.unwrap_or_default(),
            schema_ids: answer
                .fields
                .into_iter()
                .filter_map(|f| f.schema_id)
                .collect(),
        });
    }
    Ok(failures)
}

impl<I, T> Iterator for MetadataBatches<I, T>
where
    I: Iterator,
    I::Item: Borrow<T>,
    T: MetadataItem,
{
    type Item = Result<MetadataBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let batch: Vec<I::Item> = self.items.by_ref().take(METADATA_BATCH_SIZE).collect();
        let read = self.sent + batch.len();
        if batch.is_empty() || read > self.expected {
            self.done = true;
            if read == self.expected {
                return None;
            }
            return Some(Err(Error::invalid_input(
                "items",
                format!(
                    "the source gave {} items when checked and {} when sent; stopped there",
                    self.expected,
                    if batch.is_empty() { self.sent } else { read }
                ),
            )));
        }
        let outcome = self.send(&batch);
        if outcome.is_err() {
            self.done = true;
        }
        Some(outcome)
    }
}

/// Checks every item (first pass), then makes the batches of the second pass.
fn batches<I, T>(client: &Client, items: I) -> Result<MetadataBatches<I::IntoIter, T>>
where
    I: IntoIterator + Clone,
    I::Item: Borrow<T>,
    T: MetadataItem,
{
    let mut expected = 0;
    for (index, item) in items.clone().into_iter().enumerate() {
        item.borrow().check(index)?;
        expected += 1;
    }
    if expected == 0 {
        return Err(Error::invalid_input("items", "nothing to do: no items"));
    }
    Ok(MetadataBatches {
        client: client.clone(),
        items: items.into_iter(),
        expected,
        sent: 0,
        done: false,
        kind: PhantomData,
    })
}

impl Client {
    /// Sets metadata fields on any number of data rows, in batches of
    /// [`METADATA_BATCH_SIZE`] rows (`upsertDataRowCustomMetadata`).
    ///
    /// The source is read twice, like an import's: once to check every item before anything
    /// is sent, once to send them a batch at a time (one batch in memory). The returned
    /// iterator sends a batch per step and yields its [`MetadataBatch`]: the rows of it the
    /// service refused, each with its index in the input (a missing row, an unknown schema,
    /// a value of the wrong kind). [`MetadataBatches::failures`] sends them all.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] before anything is sent: no items, a blank row id or key, an
    /// item without fields or with a blank schema id (naming the first, `items[3].fields`).
    /// Each batch then yields its own errors: a [request failure](crate::Error#request-failures)
    /// (the mutation is never re-sent where it may have been processed), [`Error::Decode`]
    /// for an answer naming a row not in the batch, [`Error::InvalidInput`] when the source
    /// gives other items on the second pass.
    ///
    /// ```
    /// # let emulator = labelbox_emulator::Emulator::start().unwrap();
    /// # let client = labelbox::Client::builder().api_key(emulator.api_key()).endpoint(emulator.url()).build()?;
    /// use labelbox::{DataRowRef, MetadataUpsert};
    /// let rows = vec![
    ///     MetadataUpsert::new(DataRowRef::GlobalKey("img-1".into()))
    ///         .field("cko8s9r5v0001h2dk9elqdidh", "a tag"),
    /// ];
    /// for failure in client.upsert_metadata(&rows)?.failures()? {
    ///     eprintln!("{failure}");
    /// }
    /// # Ok::<_, labelbox::Error>(())
    /// ```
    pub fn upsert_metadata<I>(
        &self,
        items: I,
    ) -> Result<MetadataBatches<I::IntoIter, MetadataUpsert>>
    where
        I: IntoIterator + Clone,
        I::Item: Borrow<MetadataUpsert>,
    {
        batches(self, items)
    }

    /// Removes metadata fields from any number of data rows, in batches of
    /// [`METADATA_BATCH_SIZE`] rows (`deleteDataRowCustomMetadata`), as
    /// [`upsert_metadata`](Self::upsert_metadata) does. A row that lacks a field named is a
    /// failure naming those schemas (`Schema did not exist`); its other fields named are
    /// removed.
    ///
    /// # Errors
    ///
    /// As [`upsert_metadata`](Self::upsert_metadata); an item without schema ids is refused.
    pub fn delete_metadata<I>(
        &self,
        items: I,
    ) -> Result<MetadataBatches<I::IntoIter, MetadataDelete>>
    where
        I: IntoIterator + Clone,
        I::Item: Borrow<MetadataDelete>,
    {
        batches(self, items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(id: Option<&str>, key: Option<&str>) -> WireFailure {
        WireFailure {
            data_row_id: id.map(String::from),
            global_key: key.map(String::from),
            error: Some("e".into()),
            fields: Vec::new(),
        }
    }

    #[test]
    fn delete_answers_name_rows_by_id_or_key_else_by_the_id_answered() {
        let a = DataRowRef::GlobalKey("a".into());
        let x = DataRowRef::Id("x".into());
        let b = DataRowRef::GlobalKey("b".into());
        let rows = [&a, &x, &b];
        let answers = vec![answer(Some("x"), None), answer(Some("row-of-b"), None)];
        let failures = attribute(100, &rows, answers, false).unwrap();
        let at: Vec<Option<usize>> = failures.iter().map(|f| f.index).collect();
        assert_eq!(at, [Some(101), None], "{failures:?}");
        assert_eq!(failures[1].row, DataRowRef::Id("row-of-b".into()));
        let echoed = vec![answer(Some("b"), None)];
        let failures = attribute(0, &rows, echoed, false).unwrap();
        assert_eq!(
            failures[0].index,
            Some(2),
            "a key echoed as the id names its row"
        );
    }

    #[test]
    fn upsert_answers_must_name_their_row_and_come_in_order() {
        let a = DataRowRef::GlobalKey("a".into());
        let x = DataRowRef::Id("x".into());
        let rows = [&a, &x];
        let stranger = vec![answer(Some("y"), None)];
        assert!(attribute(0, &rows, stranger, true).is_err());
        let backwards = vec![answer(Some("x"), None), answer(None, Some("a"))];
        assert!(attribute(0, &rows, backwards, true).is_err());
        let too_many = vec![answer(Some("x"), None); 3];
        assert!(attribute(0, &rows, too_many, false).is_err());
        let by_key = attribute(0, &rows, vec![answer(Some("r"), Some("a"))], true).unwrap();
        assert_eq!(by_key[0].row, a);
    }
}
