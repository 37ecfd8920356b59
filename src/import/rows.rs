//! Reading an import's created or failed rows one cursor page at a time (PROTOCOL 3.7): each
//! page is read into the walk's answer buffer and its rows decoded straight into the walk's
//! row buffer, both kept from page to page.

use std::collections::{HashSet, VecDeque};
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::json;

use crate::error::{Error, Result};
use crate::import::created_row::CreatedDataRow;
use crate::import::failed_row::{FailedDataRow, WireFailedRow};
use crate::transport::{AnswerBuffer, DataSeed, Nullable};
use crate::Client;

/// The kinds of rows an import task pages over: [`CreatedDataRow`] and [`FailedDataRow`]
/// (sealed).
pub trait ImportRow: private::Sealed {}

impl ImportRow for CreatedDataRow {}
impl ImportRow for FailedDataRow {}

mod private {
    /// How a kind of row is queried; not reachable outside the crate.
    pub trait Sealed: Sized {
        /// The row as the service sends it, decoded straight from the answer.
        type Wire: serde::de::DeserializeOwned + Into<Self>;
        /// The GraphQL document of one page.
        const QUERY: &'static str;
        /// The top-level field holding the page.
        const FIELD: &'static str;
        /// What the rows are, in error messages.
        const NAME: &'static str;
    }
}

use private::Sealed;

impl Sealed for CreatedDataRow {
    type Wire = Self;
    const QUERY: &'static str =
        "query SuccessesfulDataRowImportsPyApi($taskId: ID!, $first: Int, $from: String) {
  successesfulDataRowImports(data: {taskId: $taskId, first: $first, from: $from}) {
    nodes { id externalId globalKey rowData } after total
  }
}";
    const FIELD: &'static str = "successesfulDataRowImports";
    const NAME: &'static str = "created rows";
}

impl Sealed for FailedDataRow {
    type Wire = WireFailedRow;
    const QUERY: &'static str =
        "query FailedDataRowImportsPyApi($taskId: ID!, $first: Int, $from: String) {
  failedDataRowImports(data: {taskId: $taskId, first: $first, from: $from}) {
    after total
    results { message spec { externalId globalKey rowData metadata { schemaId value name } attachments { type value name } } }
  }
}";
    const FIELD: &'static str = "failedDataRowImports";
    const NAME: &'static str = "failed rows";
}

/// A lazy iterator over an import's created rows ([`CreatedDataRow`]) or failed rows
/// ([`FailedDataRow`]): it asks the service for one page at a time, so memory does not grow
/// with the number of rows. An error ends the iteration; pages that never end (a cursor that
/// comes back, more rows than announced) are [`Error::InconsistentPages`].
///
/// The memory a page is read and decoded into is kept for the next page, so a long walk
/// allocates only its rows' texts.
#[derive(Debug)]
#[must_use = "iterators are lazy: nothing is fetched until it is used"]
pub struct ImportRows<T> {
    client: Client,
    task_id: String,
    page_size: u32,
    walk: CursorWalk<T>,
    answers: AnswerBuffer,
}

impl<T: ImportRow> ImportRows<T> {
    pub(crate) fn new(client: Client, task_id: String, page_size: u32) -> Self {
        let listing = format!("{} of import task {task_id:?}", T::NAME);
        ImportRows {
            client,
            task_id,
            page_size,
            walk: CursorWalk::new(listing),
            answers: AnswerBuffer::default(),
        }
    }

    /// The total number of rows, as the service announced it with the first page (`None`
    /// before the first page).
    #[must_use]
    pub fn total(&self) -> Option<u64> {
        self.walk.total()
    }

    /// Every remaining row, the pages decoded one after another into one `Vec`.
    pub(crate) fn collect_all(mut self) -> Result<Vec<T>> {
        let (client, task_id, first) = (&self.client, &self.task_id, self.page_size);
        let answers = &mut self.answers;
        self.walk
            .collect_with(|from, rows| fetch_page(client, task_id, first, from, answers, rows))
    }
}

impl<T: ImportRow> Iterator for ImportRows<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        let (client, task_id, first) = (&self.client, &self.task_id, self.page_size);
        let answers = &mut self.answers;
        self.walk
            .next_with(|from, rows| fetch_page(client, task_id, first, from, answers, rows))
    }
}

/// The total number of `T` rows of an import, from a one-row page.
pub(crate) fn total_of<T: ImportRow>(client: &Client, task_id: &str) -> Result<u64> {
    let mut rows = VecDeque::<T>::new();
    let page = fetch_page(
        client,
        task_id,
        1,
        None,
        &mut AnswerBuffer::default(),
        &mut rows,
    )?;
    Ok(page.total.unwrap_or(rows.len() as u64))
}

/// One page of `T` rows, read into `answers` and decoded onto the end of `rows`; a `null`
/// page is an empty one.
fn fetch_page<T: ImportRow>(
    client: &Client,
    task_id: &str,
    first: u32,
    from: Option<&str>,
    answers: &mut AnswerBuffer,
    rows: &mut VecDeque<T>,
) -> Result<PageInfo> {
    let variables = json!({"taskId": task_id, "first": first, "from": from});
    let mut sink = PageSink {
        start: rows.len(),
        rows,
    };
    client
        .transport()
        .query_page(T::QUERY, variables, answers, &mut sink)
}

/// What a page says beside its rows (which went into the walk's buffer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageInfo {
    /// The cursor of the next page; `None` or empty on the last.
    pub(crate) after: Option<String>,
    /// The total the service announces.
    pub(crate) total: Option<u64>,
}

impl PageInfo {
    /// The page of a `null` answer: nothing recorded for this task.
    fn empty() -> Self {
        PageInfo {
            after: None,
            total: Some(0),
        }
    }
}

/// Largest number of rows reserved up front from an announced total: a generous real import,
/// while a hostile `total` cannot make the SDK reserve gigabytes.
const MAX_PRESIZED_ROWS: u64 = 1 << 20;

/// The state of a cursor walk: the cursor, the cursors seen, the rows received against the
/// announced total, whether the walk ended, and the rows not yet taken. Fetching is left to
/// the caller (given the cursor and the buffer to append to) so the logic is testable without
/// a server.
///
/// A walk that would never end is an [`Error::InconsistentPages`]: a cursor that comes back
/// (the pages cycle), or more rows than the first page's `total`.
pub(crate) struct CursorWalk<T> {
    listing: String,
    cursor: Option<String>,
    seen_cursors: HashSet<String>,
    buffer: VecDeque<T>,
    received: u64,
    done: bool,
    total: Option<u64>,
}

/// The fetch of one page: given the cursor, it appends the page's rows to the buffer.
type Fetch<'f, T> = dyn FnMut(Option<&str>, &mut VecDeque<T>) -> Result<PageInfo> + 'f;

impl<T> CursorWalk<T> {
    /// A walk over `listing` (named in its errors), from the first page.
    pub(crate) fn new(listing: String) -> Self {
        CursorWalk {
            listing,
            cursor: None,
            seen_cursors: HashSet::new(),
            buffer: VecDeque::new(),
            received: 0,
            done: false,
            total: None,
        }
    }

    /// The total the first page announced.
    pub(crate) fn total(&self) -> Option<u64> {
        self.total
    }

    /// The next row, fetching the next page when the buffer is empty. After an error the walk
    /// ends.
    pub(crate) fn next_with(
        &mut self,
        mut fetch: impl FnMut(Option<&str>, &mut VecDeque<T>) -> Result<PageInfo>,
    ) -> Option<Result<T>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            if self.done {
                return None;
            }
            if let Err(e) = self.fetch_next(&mut fetch) {
                return Some(Err(e));
            }
        }
    }

    /// Every remaining row: the pages are decoded one after another into the buffer (sized
    /// from the announced total once known), which becomes the `Vec` without a copy.
    pub(crate) fn collect_with(
        mut self,
        mut fetch: impl FnMut(Option<&str>, &mut VecDeque<T>) -> Result<PageInfo>,
    ) -> Result<Vec<T>> {
        while !self.done {
            let first = self.total.is_none();
            self.fetch_next(&mut fetch)?;
            if first && !self.done {
                let total = self.total.unwrap_or(0).min(MAX_PRESIZED_ROWS) as usize;
                self.buffer.reserve(total.saturating_sub(self.buffer.len()));
            }
        }
        Ok(Vec::from(self.buffer))
    }

    /// Fetches the next page onto the buffer and checks it against the walk so far; a page
    /// that fails, or fails the checks, leaves nothing in the buffer and ends the walk. The
    /// buffer keeps its room from page to page: only the first page grows it.
    fn fetch_next(&mut self, fetch: &mut Fetch<'_, T>) -> Result<()> {
        let before = self.buffer.len();
        let checked = fetch(self.cursor.as_deref(), &mut self.buffer).and_then(|page| {
            let rows = self.buffer.len() - before;
            self.accept(page, rows)
        });
        if checked.is_err() {
            self.buffer.truncate(before);
            self.done = true;
        }
        checked
    }

    /// Takes a fetched page's word and its count of rows: checks them against the walk so
    /// far and moves the cursor.
    fn accept(&mut self, page: PageInfo, rows: usize) -> Result<()> {
        if self.total.is_none() {
            self.total = page.total;
        }
        self.received += rows as u64;
        let after = page.after.filter(|a| !a.is_empty());
        self.done = rows == 0 || after.is_none();
        if let Some(total) = self.total.filter(|&total| self.received > total) {
            return Err(self.inconsistent(format!(
                "{} rows received, more than the {total} announced",
                self.received
            )));
        }
        if let Some(cursor) = after.as_ref().filter(|_| !self.done) {
            if !self.seen_cursors.insert(cursor.clone()) {
                return Err(self.inconsistent(format!(
                    "cursor {cursor:?} came back after {} rows: the pages cycle",
                    self.received
                )));
            }
        }
        self.cursor = after;
        Ok(())
    }

    fn inconsistent(&self, reason: String) -> Error {
        Error::inconsistent_pages(self.listing.clone(), reason)
    }
}

impl<T> fmt::Debug for CursorWalk<T> {
    /// The walk's state, not its buffered rows (a page holds thousands).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CursorWalk")
            .field("listing", &self.listing)
            .field("cursor", &self.cursor)
            .field("received", &self.received)
            .field("total", &self.total)
            .field("buffered", &self.buffer.len())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// Decodes a page's `data`, `{FIELD: {nodes | results: [...], after, total}}`, appending its
/// rows to `rows` after `start` (an earlier attempt's rows are dropped first).
struct PageSink<'a, T> {
    rows: &'a mut VecDeque<T>,
    start: usize,
}

impl<T: ImportRow> DataSeed for PageSink<'_, T> {
    type Value = PageInfo;

    fn decode<'de, D: Deserializer<'de>>(
        &mut self,
        data: D,
    ) -> std::result::Result<PageInfo, D::Error> {
        self.rows.truncate(self.start);
        let info = data.deserialize_map(DataVisitor(&mut *self.rows))?;
        Ok(info.unwrap_or_else(PageInfo::empty))
    }
}

/// The `data` object: the page's field, other fields ignored.
struct DataVisitor<'a, T>(&'a mut VecDeque<T>);

impl<'de, T: ImportRow> Visitor<'de> for DataVisitor<'_, T> {
    type Value = Option<PageInfo>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with {}", T::FIELD)
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut info = None;
        while let Some(is_page) = map.next_key_seed(KeyIs(T::FIELD))? {
            if !is_page {
                map.next_value::<IgnoredAny>()?;
            } else if info.is_some() {
                return Err(de::Error::duplicate_field(T::FIELD));
            } else {
                info = Some(map.next_value_seed(Nullable(PageSeed(&mut *self.0)))?);
            }
        }
        Ok(info.flatten())
    }
}

/// Whether a key is the given one, read without allocating.
struct KeyIs(&'static str);

impl<'de> DeserializeSeed<'de> for KeyIs {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<bool, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl Visitor<'_> for KeyIs {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<bool, E> {
        Ok(v == self.0)
    }
}

/// A page object, its rows appended to the buffer.
struct PageSeed<'a, T>(&'a mut VecDeque<T>);

impl<'de, T: ImportRow> DeserializeSeed<'de> for PageSeed<'_, T> {
    type Value = PageInfo;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<PageInfo, D::Error> {
        d.deserialize_map(self)
    }
}

/// The keys of a page (`results` holds the rows of failed-row pages).
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum PageKey {
    #[serde(alias = "results")]
    Nodes,
    After,
    Total,
    #[serde(other)]
    Other,
}

impl<'de, T: ImportRow> Visitor<'de> for PageSeed<'_, T> {
    type Value = PageInfo;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a page {nodes, after, total}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<PageInfo, A::Error> {
        let mut page = PageInfo {
            after: None,
            total: None,
        };
        let mut rows_seen = false;
        while let Some(key) = map.next_key()? {
            match key {
                PageKey::Nodes if rows_seen => return Err(de::Error::duplicate_field("nodes")),
                PageKey::Nodes => {
                    rows_seen = true;
                    map.next_value_seed(RowsInto(&mut *self.0))?;
                }
                PageKey::After => page.after = map.next_value()?,
                PageKey::Total => page.total = map.next_value()?,
                PageKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(page)
    }
}

/// A page's array of rows, each decoded as the service sends it and appended.
struct RowsInto<'a, T>(&'a mut VecDeque<T>);

impl<'de, T: ImportRow> DeserializeSeed<'de> for RowsInto<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: ImportRow> Visitor<'de> for RowsInto<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array of {}", T::NAME)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(row) = seq.next_element::<T::Wire>()? {
            self.0.push_back(row.into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scripted page: its rows, its cursor and its total.
    type Scripted = Result<(Vec<u32>, Option<&'static str>, Option<u64>)>;

    fn page(items: &[u32], after: Option<&'static str>) -> Scripted {
        page_of(items, after, Some(99))
    }

    fn page_of(items: &[u32], after: Option<&'static str>, total: Option<u64>) -> Scripted {
        Ok((items.to_vec(), after, total))
    }

    /// A fetch that appends the next scripted page, as the page sink does.
    fn scripted(
        pages: Vec<Scripted>,
    ) -> impl FnMut(Option<&str>, &mut VecDeque<u32>) -> Result<PageInfo> {
        let mut pages = pages.into_iter();
        move |_, rows| {
            let (items, after, total) = pages.next().expect("fetched past the script")?;
            rows.extend(&items);
            Ok(PageInfo {
                after: after.map(str::to_owned),
                total,
            })
        }
    }

    /// Walks with scripted pages, recording the cursor each fetch was given.
    fn walk(pages: Vec<Scripted>) -> (Vec<std::result::Result<u32, String>>, Vec<Option<String>>) {
        let mut fetch = scripted(pages);
        let mut cursors = Vec::new();
        let mut walk = CursorWalk::new("rows".into());
        let mut out = Vec::new();
        while let Some(item) = walk.next_with(|from, rows| {
            cursors.push(from.map(str::to_owned));
            fetch(from, rows)
        }) {
            out.push(item.map_err(|e| e.to_string()));
        }
        (out, cursors)
    }

    #[test]
    fn walks_pages_passing_each_cursor_and_stops_on_null_after() {
        let (items, cursors) = walk(vec![
            page(&[1, 2], Some("c1")),
            page(&[3], Some("c2")),
            page(&[4], None),
        ]);
        assert_eq!(items, vec![Ok(1), Ok(2), Ok(3), Ok(4)]);
        assert_eq!(cursors, vec![None, Some("c1".into()), Some("c2".into())]);
    }

    #[test]
    fn stops_on_empty_after_or_empty_page() {
        let (items, cursors) = walk(vec![page(&[1], Some(""))]);
        assert_eq!(items, vec![Ok(1)]);
        assert_eq!(cursors.len(), 1);
        let (items, cursors) = walk(vec![page(&[1], Some("c1")), page(&[], Some("c2"))]);
        assert_eq!(items, vec![Ok(1)]);
        assert_eq!(cursors.len(), 2);
    }

    /// Issue 11, item 6: a cursor cycling A, B, A, B gave 87,076 rows against `total: 1`.
    /// Without a total, the cursor coming back ends the walk with an error, and the rows of
    /// the page that brought it back are not yielded.
    #[test]
    fn a_cursor_that_comes_back_is_an_error() {
        let pages = ["A", "B", "A", "B"].map(|c| page_of(&[1], Some(c), None));
        let (items, cursors) = walk(pages.into());
        assert_eq!(items.len(), 3, "{items:?}");
        assert!(items[2]
            .as_ref()
            .unwrap_err()
            .contains("cursor \"A\" came back"));
        assert_eq!(cursors.len(), 3);
        // A cursor that does not move at all is the shortest cycle.
        let (items, _) = walk(vec![page(&[1], Some("c")), page(&[2], Some("c"))]);
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(
            items[1].as_ref().unwrap_err().contains("came back"),
            "{items:?}"
        );
    }

    /// The same reproduction with its `total: 1`: the second page is already one row too many.
    #[test]
    fn more_rows_than_the_announced_total_is_an_error() {
        let pages = ["A", "B", "A", "B"].map(|c| page_of(&[7], Some(c), Some(1)));
        let (items, cursors) = walk(pages.into());
        assert_eq!(items[0], Ok(7));
        let err = items[1].as_ref().unwrap_err();
        assert!(
            err.contains("2 rows received, more than the 1 announced"),
            "{err}"
        );
        assert!(err.contains("inconsistent"), "{err}");
        assert_eq!((items.len(), cursors.len()), (2, 2));
    }

    #[test]
    fn collecting_appends_pages_and_checks_them_the_same_way() {
        let rows = CursorWalk::new("rows".into())
            .collect_with(scripted(vec![
                page_of(&[1, 2], Some("c1"), Some(3)),
                page_of(&[3], None, Some(3)),
            ]))
            .unwrap();
        assert_eq!(rows, [1, 2, 3]);
        let cycling = ["A", "B", "A"].map(|c| page_of(&[1], Some(c), None));
        let err = CursorWalk::<u32>::new("rows".into())
            .collect_with(scripted(cycling.into()))
            .unwrap_err();
        assert!(matches!(err, Error::InconsistentPages { .. }), "{err:?}");
    }

    #[test]
    fn a_hostile_total_does_not_reserve_memory_for_it() {
        let rows = CursorWalk::new("rows".into())
            .collect_with(scripted(vec![
                page_of(&[1], Some("c1"), Some(u64::MAX)),
                page_of(&[2], None, None),
            ]))
            .unwrap();
        assert_eq!(rows, [1, 2]);
        assert!(rows.capacity() as u64 <= MAX_PRESIZED_ROWS);
    }

    #[test]
    fn an_error_is_yielded_once_and_ends_the_walk() {
        let (items, _) = walk(vec![
            page(&[1], Some("c1")),
            Err(Error::invalid_input("x", "boom")),
        ]);
        assert_eq!(items.len(), 2);
        assert!(items[1].as_ref().unwrap_err().contains("boom"));
    }

    /// A fetch that appended rows before failing (a page cut short) leaves none behind.
    #[test]
    fn a_failed_fetch_leaves_no_rows_of_its_page() {
        let mut walk = CursorWalk::new("rows".into());
        let mut calls = 0;
        let mut fetch = |_: Option<&str>, rows: &mut VecDeque<u32>| {
            calls += 1;
            rows.extend([8, 9]);
            Err(Error::invalid_input("x", "cut short"))
        };
        assert!(walk.next_with(&mut fetch).unwrap().is_err());
        assert!(walk.next_with(&mut fetch).is_none());
        assert_eq!(calls, 1);
    }

    /// Decodes a page's `data` through the sink, after `before` rows already there.
    fn sink<T: ImportRow>(data: &str, rows: &mut VecDeque<T>) -> serde_json::Result<PageInfo> {
        let mut sink = PageSink {
            start: rows.len(),
            rows,
        };
        sink.decode(&mut serde_json::Deserializer::from_str(data))
    }

    #[test]
    fn the_sink_appends_a_pages_rows_and_reads_its_cursor() {
        let mut rows = VecDeque::<CreatedDataRow>::new();
        let info = sink(
            r#"{"successesfulDataRowImports": {"nodes": [
                {"id": "r1", "externalId": null, "globalKey": "g", "rowData": "https://a"},
                {"id": "r2", "rowData": {"type": "x"}}], "after": "c", "total": 7},
                "other": [1]}"#,
            &mut rows,
        )
        .unwrap();
        assert_eq!(
            (rows.len(), info),
            (
                2,
                PageInfo {
                    after: Some("c".into()),
                    total: Some(7)
                }
            )
        );
        let texts: Vec<_> = rows
            .iter()
            .map(|r| (r.id(), r.global_key(), r.row_data()))
            .collect();
        assert_eq!(
            texts,
            [
                ("r1", Some("g"), Some("https://a")),
                ("r2", None, Some("{\"type\":\"x\"}"))
            ]
        );
    }

    #[test]
    fn the_sink_reads_failed_rows_after_their_cursor() {
        let mut rows = VecDeque::<FailedDataRow>::new();
        let info = sink(
            r#"{"failedDataRowImports": {"after": null, "total": 1, "results": [
                {"message": "Duplicate global key: 'k'", "spec": {"globalKey": "k"}}]}}"#,
            &mut rows,
        )
        .unwrap();
        assert_eq!((rows.len(), info.after, info.total), (1, None, Some(1)));
        assert_eq!(rows[0].global_key.as_deref(), Some("k"));
    }

    #[test]
    fn a_null_or_missing_page_is_empty_and_a_retry_replaces_its_attempts_rows() {
        let mut rows = VecDeque::<CreatedDataRow>::new();
        for data in [r#"{"successesfulDataRowImports": null}"#, "{}"] {
            assert_eq!(sink(data, &mut rows).unwrap(), PageInfo::empty());
        }
        let page = r#"{"successesfulDataRowImports": {"nodes": [{"id": "r1"}], "after": "c"}}"#;
        let mut sink = PageSink {
            start: 0,
            rows: &mut rows,
        };
        for _attempt in 0..2 {
            sink.decode(&mut serde_json::Deserializer::from_str(page))
                .unwrap();
        }
        assert_eq!(
            rows.len(),
            1,
            "the second attempt's rows replace the first's"
        );
    }

    #[test]
    fn a_page_of_the_wrong_shape_is_refused() {
        let mut rows = VecDeque::<CreatedDataRow>::new();
        for data in [
            r#"{"successesfulDataRowImports": {"nodes": [{"globalKey": "g"}]}}"#,
            r#"{"successesfulDataRowImports": {"nodes": {"id": "r1"}}}"#,
            r#"{"successesfulDataRowImports": {"nodes": [], "nodes": []}}"#,
            r#"{"successesfulDataRowImports": 5}"#,
        ] {
            assert!(sink(data, &mut rows).is_err(), "{data}");
        }
    }

    #[test]
    fn row_data_of_any_json_kind_is_kept_as_text() {
        let rows: Vec<CreatedDataRow> = serde_json::from_value(json!([
            {"id": "a", "rowData": "https://x/\u{e9}.jpg"},
            {"id": "b", "rowData": 3},
            {"id": "c", "rowData": true},
            {"id": "d", "rowData": [1, "a", {"k": null}]},
            {"id": "e", "rowData": 1.5},
            {"id": "f", "rowData": null},
            {"id": "g"},
        ]))
        .unwrap();
        let texts: Vec<Option<&str>> = rows.iter().map(CreatedDataRow::row_data).collect();
        assert_eq!(
            texts,
            [
                Some("https://x/\u{e9}.jpg"),
                Some("3"),
                Some("true"),
                Some("[1,\"a\",{\"k\":null}]"),
                Some("1.5"),
                None,
                None
            ]
        );
    }
}
