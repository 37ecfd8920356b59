//! [`ExportedLine`]: an export line kept whole, in one buffer, its known parts found once and
//! read through accessors.
//!
//! An [`ExportedRow`] owns a `String`, `Vec` or map per field: about fifteen allocations for a
//! labeled project line, their frees and the moves around them, most of what a typed row
//! costs. An `ExportedLine` is two allocations: the line (with, rarely, the unescaped texts of
//! strings that held escapes after it) and the places of its known parts ([`Span`]s, in the
//! line's order). The places form a tree written in order: each part's [`level`](Part::level)
//! says where it sits, and a part's own parts are the spans after it of a deeper level.

use std::fmt;
use std::ops::Range;

use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::export::project_row::{
    decode_json, ExportedAnnotation, ExportedLabel, ExportedLabelDetails, ExportedProject,
    ExportedProjectDetails, ExportedProjects,
};
use crate::export::stream::{ExportedDataRow, ExportedRow, Undecodable};
use crate::export::{typed_row, value_row};
use crate::Error;

/// A known part of an export line. Its level in the line's tree: 0 for `data_row`'s fields
/// and the projects, 1 for a project's fields and labels, 2 for the fields of a label and of
/// project details, 3 for those of label details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub(crate) enum Part {
    DataRowId,
    GlobalKey,
    RowData,
    ExternalId,
    /// A project, by its id (the key).
    Project,
    ProjectName,
    /// Project details (not `null`): its fields follow.
    ProjectDetails,
    /// A label: its fields follow.
    Label,
    OntologyId,
    TaskId,
    TaskName,
    BatchId,
    BatchName,
    WorkflowStatus,
    ProjectCreatedAt,
    Priority,
    ConsensusCount,
    LabelId,
    Object,
    Classification,
    Relationship,
    /// Label details (not `null`): its fields follow.
    LabelDetails,
    LabelCreatedAt,
    LabelUpdatedAt,
    LabelCreatedBy,
    ContentLastUpdatedAt,
    Review,
}

impl Part {
    /// The first part of each level of the tree: the parts are declared in level order.
    const LEVEL_STARTS: [Part; 4] = [
        Part::DataRowId,
        Part::ProjectName,
        Part::OntologyId,
        Part::LabelCreatedAt,
    ];

    /// The first part of the level below its own (`None` at the deepest): its own parts are
    /// the spans after it that are not declared before that part.
    fn first_below(self) -> Option<Part> {
        Self::LEVEL_STARTS.into_iter().find(|start| *start > self)
    }
}

/// Where a part's text is: in the line, or past its end in the unescaped texts after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Span {
    pub(crate) part: Part,
    start: u32,
    end: u32,
}

impl Span {
    /// `None` past 4 GiB (a line that long is left to serde_json, and refused here).
    pub(crate) fn new(part: Part, start: usize, end: usize) -> Option<Span> {
        Some(Span {
            part,
            start: start.try_into().ok()?,
            end: end.try_into().ok()?,
        })
    }

    /// A span whose places are known to fit a `u32` (the typed rows' reader takes lines of
    /// 2 GiB at most).
    #[inline(always)]
    pub(crate) fn within(part: Part, start: usize, end: usize) -> Span {
        debug_assert!(u32::try_from(end).is_ok() && start <= end, "{start}..{end}");
        Span {
            part,
            start: start as u32,
            end: end as u32,
        }
    }

    /// Where its text is, for a line of `line_len` bytes: `Ok` in the line, `Err` in the
    /// unescaped texts after it (counted from their start).
    fn place(self, line_len: usize) -> Result<Range<usize>, Range<usize>> {
        let (start, end) = (self.start as usize, self.end as usize);
        match start.checked_sub(line_len) {
            None => Ok(start..end),
            Some(from) => Err(from..end - line_len),
        }
    }

    /// Its text's bytes, in `line` or in the unescaped texts after it (`extra`).
    pub(crate) fn bytes_in<'a>(self, line: &'a [u8], extra: &'a [u8]) -> &'a [u8] {
        match self.place(line.len()) {
            Ok(place) => &line[place],
            Err(place) => &extra[place],
        }
    }
}

/// Spans over a line and its unescaped texts: a whole line's, or one part's own parts.
#[derive(Clone, Copy)]
pub(crate) struct Parts<'a> {
    line: &'a str,
    extra: &'a str,
    spans: &'a [Span],
}

impl<'a> Parts<'a> {
    pub(crate) fn new(line: &'a str, extra: &'a str, spans: &'a [Span]) -> Self {
        Parts { line, extra, spans }
    }

    fn text(&self, span: Span) -> &'a str {
        match span.place(self.line.len()) {
            Ok(place) => &self.line[place],
            Err(place) => &self.extra[place],
        }
    }

    /// The text of the first `part`.
    fn find(&self, part: Part) -> Option<&'a str> {
        let span = self.spans.iter().find(|span| span.part == part)?;
        Some(self.text(*span))
    }

    /// Each `part` (its span), with its own parts, made by `make`.
    fn nodes<T, F: Fn(Span, Parts<'a>) -> T>(self, part: Part, make: F) -> Nodes<'a, F> {
        Nodes {
            parts: self,
            rest: self.spans,
            part,
            make,
        }
    }

    /// The line as an owned [`ExportedRow`], in one pass over the spans; `None` where a
    /// review does not build (left to serde_json) or the spans are not a row's.
    pub(crate) fn to_row(self) -> Option<ExportedRow> {
        let mut row = ExportedRow {
            data_row: ExportedDataRow {
                id: String::new(),
                global_key: None,
                row_data: None,
                external_id: None,
            },
            projects: ExportedProjects::new(),
        };
        let mut id = false;
        // The project and its label being read, each one done when the next one starts.
        let (mut project, mut label) = (None, None);
        let mut rest = self.spans;
        // Finite: `rest` shrinks by at least one span a step.
        while let Some((&span, after)) = rest.split_first() {
            rest = after;
            let text = self.text(span);
            let data_row = &mut row.data_row;
            match span.part {
                Part::DataRowId => (data_row.id, id) = (text.to_owned(), true),
                Part::GlobalKey => data_row.global_key = Some(text.to_owned()),
                Part::RowData => data_row.row_data = Some(text.to_owned()),
                Part::ExternalId => data_row.external_id = Some(text.to_owned()),
                Part::Project => {
                    finish(&mut row.projects, &mut project, &mut label);
                    project = Some((text, ExportedProject::default()));
                }
                Part::ProjectName => project.as_mut()?.1.name = text.to_owned(),
                Part::Label => {
                    let (_, open) = project.as_mut()?;
                    open.labels.extend(label.take());
                    label = Some(ExportedLabel::default());
                }
                Part::LabelId => label.as_mut()?.id = text.to_owned(),
                Part::Object | Part::Classification | Part::Relationship => {
                    let annotations = &mut label.as_mut()?.annotations;
                    let list = match span.part {
                        Part::Object => &mut annotations.objects,
                        Part::Classification => &mut annotations.classifications,
                        _ => &mut annotations.relationships,
                    };
                    list.push(ExportedAnnotation::from_checked(text));
                }
                Part::ProjectDetails | Part::LabelDetails => {
                    let (own, after) = self.own(span.part, rest);
                    rest = after;
                    if span.part == Part::ProjectDetails {
                        project.as_mut()?.1.project_details = Some(own.to_project_details());
                    } else {
                        label.as_mut()?.label_details = Some(own.to_label_details()?);
                    }
                }
                // Details' fields, read with them above: elsewhere they are no row's.
                _ => return None,
            }
        }
        finish(&mut row.projects, &mut project, &mut label);
        id.then_some(row)
    }

    /// The spans of `rest` that belong to a `part` just before it, and those after them.
    fn own(&self, part: Part, rest: &'a [Span]) -> (Parts<'a>, &'a [Span]) {
        let mut end = 0;
        if let Some(below) = part.first_below() {
            // One comparison a span: the accessors ask it of every span they pass.
            while rest.get(end).is_some_and(|span| span.part >= below) {
                end += 1;
            }
        }
        let (own, after) = rest.split_at(end);
        (
            Parts {
                spans: own,
                ..*self
            },
            after,
        )
    }

    fn owned(&self, part: Part) -> Option<String> {
        self.find(part).map(str::to_owned)
    }

    fn int(&self, part: Part) -> Option<i64> {
        self.find(part)?.parse().ok()
    }

    /// Label details from their own spans; `None` where a review does not build.
    fn to_label_details(self) -> Option<ExportedLabelDetails> {
        Some(ExportedLabelDetails {
            created_at: self.owned(Part::LabelCreatedAt),
            updated_at: self.owned(Part::LabelUpdatedAt),
            created_by: self.owned(Part::LabelCreatedBy),
            content_last_updated_at: self.owned(Part::ContentLastUpdatedAt),
            reviews: self
                .nodes(Part::Review, |review, own| own.text(review))
                .map(|review| value_row::decode(review).ok())
                .collect::<Option<_>>()?,
        })
    }

    /// Project details from their own spans.
    fn to_project_details(self) -> ExportedProjectDetails {
        ExportedProjectDetails {
            ontology_id: self.owned(Part::OntologyId),
            task_id: self.owned(Part::TaskId),
            task_name: self.owned(Part::TaskName),
            batch_id: self.owned(Part::BatchId),
            batch_name: self.owned(Part::BatchName),
            workflow_status: self.owned(Part::WorkflowStatus),
            priority: self.int(Part::Priority),
            consensus_expected_label_count: self.int(Part::ConsensusCount),
            created_at: self.owned(Part::ProjectCreatedAt),
        }
    }
}

/// Puts the project being read, with its label being read, into `projects`.
fn finish(
    projects: &mut ExportedProjects,
    project: &mut Option<(&str, ExportedProject)>,
    label: &mut Option<ExportedLabel>,
) {
    if let Some((id, mut done)) = project.take() {
        done.labels.extend(label.take());
        projects.insert(id.to_owned(), done);
    }
}

/// A line of an export's `RESULT` stream, kept whole, its known parts read through accessors:
/// the data row's fields and, in project exports, each project's name, details and labels
/// with their annotations. The typed row that costs least: two allocations, where an
/// [`ExportedRow`] of owned fields takes about fifteen for a labeled line. Read it with
/// [`ExportTask::stream_as`](crate::ExportTask::stream_as) or
/// [`ExportStream::decode_as`](crate::ExportStream::decode_as).
///
/// It accepts exactly the lines an [`ExportedRow`] accepts (refused with the same error), and
/// [`to_row`](Self::to_row) gives that row. The rest of the line is there too:
/// [`json`](Self::json) is its text and [`decode`](Self::decode) reads it as a type of yours.
/// Projects come in the line's order (by id for the rare lines the SDK leaves to serde_json:
/// a repeated project id or field, row data that is not a string).
///
/// ```
/// # fn main() -> Result<(), labelbox::Error> {
/// use labelbox::ExportedLine;
///
/// let line: ExportedLine = serde_json::from_str(
///     r#"{"data_row":{"id":"dr1","global_key":"cat"},"media_attributes":{},
///         "projects":{"p1":{"name":"pets","labels":[{"id":"l1","annotations":{
///         "objects":[],"classifications":[{"name":"weather"}],"relationships":[]}}]}}}"#,
/// )
/// .unwrap();
/// assert_eq!((line.data_row_id(), line.global_key()), ("dr1", Some("cat")));
/// let project = line.project("p1").unwrap();
/// assert_eq!(project.name(), "pets");
/// let label = project.labels().next().unwrap();
/// assert_eq!(label.id(), "l1");
/// let weather: serde_json::Value = label.classifications().next().unwrap().decode()?;
/// assert_eq!(weather["name"], "weather");
/// assert_eq!(line.label_count(), 1);
/// assert_eq!(line.to_row().projects["p1"].labels[0].id, "l1");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ExportedLine {
    /// The line, then the unescaped texts of its strings that held escapes.
    text: Box<str>,
    line_len: usize,
    spans: Vec<Span>,
}

impl ExportedLine {
    /// Line `bytes` read, or why not: not UTF-8, or serde_json's error for an
    /// [`ExportedRow`].
    pub(crate) fn decode_line(bytes: &[u8]) -> Result<ExportedLine, Undecodable> {
        let (line, index) = typed_row::read(bytes)?;
        match index {
            Some(index) => {
                let mut text = String::with_capacity(line.len() + index.extra.len());
                text.push_str(line);
                text.push_str(&index.extra);
                Ok(ExportedLine {
                    text: text.into_boxed_str(),
                    line_len: line.len(),
                    spans: index.spans,
                })
            }
            None => Self::from_row(line, &serde_json::from_str(line)?),
        }
    }

    /// Line `line` from its row as serde_json read it: the row's texts written after the
    /// line, projects by id.
    fn from_row(line: &str, row: &ExportedRow) -> Result<ExportedLine, Undecodable> {
        let mut built = Builder {
            text: line.to_owned(),
            spans: Vec::new(),
        };
        built.row(row).ok_or("the line is longer than 4 GiB")?;
        Ok(ExportedLine {
            text: built.text.into_boxed_str(),
            line_len: line.len(),
            spans: built.spans,
        })
    }

    fn parts(&self) -> Parts<'_> {
        let (line, extra) = self.text.split_at(self.line_len);
        Parts::new(line, extra, &self.spans)
    }

    /// The line's JSON text, as the export served it.
    #[must_use]
    pub fn json(&self) -> &str {
        &self.text[..self.line_len]
    }

    /// The whole line decoded as `T`, for the parts this type does not read.
    ///
    /// # Errors
    /// [`Error::Decode`] when the line does not fit `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode_json(self.json(), "an exported line")
    }

    /// The data row's id.
    #[must_use]
    pub fn data_row_id(&self) -> &str {
        self.parts().find(Part::DataRowId).unwrap_or_default()
    }

    /// Its global key, if any.
    #[must_use]
    pub fn global_key(&self) -> Option<&str> {
        self.parts().find(Part::GlobalKey)
    }

    /// Its row data: the URL, or the JSON text of an inline asset.
    #[must_use]
    pub fn row_data(&self) -> Option<&str> {
        self.parts().find(Part::RowData)
    }

    /// Its external id, if any.
    #[must_use]
    pub fn external_id(&self) -> Option<&str> {
        self.parts().find(Part::ExternalId)
    }

    /// The projects of the `projects` part (project exports), in the line's order.
    pub fn projects(&self) -> impl Iterator<Item = LineProject<'_>> {
        self.parts()
            .nodes(Part::Project, |id, parts| LineProject { id, parts })
    }

    /// The project with this id, if the line has it.
    #[must_use]
    pub fn project(&self, id: &str) -> Option<LineProject<'_>> {
        self.projects().find(|project| project.id() == id)
    }

    /// How many labels the line has, in all its projects.
    #[must_use]
    pub fn label_count(&self) -> usize {
        let label = |span: &&Span| span.part == Part::Label;
        self.spans.iter().filter(label).count()
    }

    /// The line as an [`ExportedRow`] of owned fields.
    #[must_use]
    pub fn to_row(&self) -> ExportedRow {
        // Cannot fail: a line is made with its data row's id, and its reviews were built as
        // `Value`s when it was read (or written from them).
        self.parts()
            .to_row()
            .expect("an ExportedLine's parts make an ExportedRow")
    }
}

impl fmt::Debug for ExportedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ExportedLine").field(&self.json()).finish()
    }
}

/// Written as the line's JSON, as served.
impl Serialize for ExportedLine {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw: &RawValue =
            serde_json::from_str(self.json()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// Read from serde_json (whose raw text it keeps): the lines an [`ExportedRow`] reads.
impl<'de> Deserialize<'de> for ExportedLine {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Self::decode_line(raw.get().as_bytes()).map_err(D::Error::custom)
    }
}

/// The nodes of one part among spans (projects, labels, annotations, reviews), each made
/// from its span and its own parts. Counted without passing each node's own parts: a part
/// sits at one level of the tree, so among these spans it marks its nodes alone (a
/// project's `labels().count()` is one comparison a span).
struct Nodes<'a, F> {
    parts: Parts<'a>,
    rest: &'a [Span],
    part: Part,
    make: F,
}

impl<'a, T, F: Fn(Span, Parts<'a>) -> T> Iterator for Nodes<'a, F> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        // Finite: `rest` shrinks by at least one span a step.
        while let Some((&node, after)) = self.rest.split_first() {
            self.rest = after;
            if node.part == self.part {
                let (own, after) = self.parts.own(self.part, after);
                self.rest = after;
                return Some((self.make)(node, own));
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.rest.len()))
    }

    fn count(self) -> usize {
        let part = self.part;
        self.rest.iter().filter(|span| span.part == part).count()
    }
}

/// A project in an [`ExportedLine`]: its name, details and labels.
#[derive(Clone, Copy)]
pub struct LineProject<'a> {
    /// Its id's place (read when asked).
    id: Span,
    parts: Parts<'a>,
}

impl<'a> LineProject<'a> {
    /// The project's id.
    #[must_use]
    pub fn id(&self) -> &'a str {
        self.parts.text(self.id)
    }

    /// Its name (empty when the line has none).
    #[must_use]
    pub fn name(&self) -> &'a str {
        self.parts.find(Part::ProjectName).unwrap_or_default()
    }

    /// The row's labels in the project.
    pub fn labels(&self) -> impl Iterator<Item = LineLabel<'a>> {
        self.parts
            .nodes(Part::Label, |_, parts| LineLabel { parts })
    }

    /// With `include_project_details`: its batch, queue, priority and workflow status.
    #[must_use]
    pub fn details(&self) -> Option<ExportedProjectDetails> {
        let details = self
            .parts
            .nodes(Part::ProjectDetails, |_, own| own)
            .next()?;
        Some(details.to_project_details())
    }
}

/// A label in an [`ExportedLine`]: its id, annotations and details.
#[derive(Debug, Clone, Copy)]
pub struct LineLabel<'a> {
    parts: Parts<'a>,
}

impl<'a> LineLabel<'a> {
    /// The label's id (empty when the line has none).
    #[must_use]
    pub fn id(&self) -> &'a str {
        self.parts.find(Part::LabelId).unwrap_or_default()
    }

    /// Its objects (tools): boxes, polygons, points, lines, entities...
    pub fn objects(&self) -> impl Iterator<Item = LineAnnotation<'a>> {
        self.annotations(Part::Object)
    }

    /// Its classifications (answers).
    pub fn classifications(&self) -> impl Iterator<Item = LineAnnotation<'a>> {
        self.annotations(Part::Classification)
    }

    /// Its relationships between objects.
    pub fn relationships(&self) -> impl Iterator<Item = LineAnnotation<'a>> {
        self.annotations(Part::Relationship)
    }

    fn annotations(&self, part: Part) -> impl Iterator<Item = LineAnnotation<'a>> {
        self.parts.nodes(part, |annotation, own| LineAnnotation {
            json: own.text(annotation),
        })
    }

    /// How many annotations it has, of every kind.
    #[must_use]
    pub fn annotation_count(&self) -> usize {
        let annotation = |span: &&Span| {
            matches!(
                span.part,
                Part::Object | Part::Classification | Part::Relationship
            )
        };
        self.parts.spans.iter().filter(annotation).count()
    }

    /// With `include_label_details`: who made it and when.
    #[must_use]
    pub fn details(&self) -> Option<ExportedLabelDetails> {
        let details = self.parts.nodes(Part::LabelDetails, |_, own| own).next()?;
        details.to_label_details()
    }
}

/// An annotation in an [`ExportedLine`]: its JSON text, checked when the line was read, and
/// decoded only when asked (as an [`ExportedAnnotation`] is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LineAnnotation<'a> {
    json: &'a str,
}

impl<'a> LineAnnotation<'a> {
    /// The annotation's JSON text, as the export served it.
    #[must_use]
    pub fn json(&self) -> &'a str {
        self.json
    }

    /// The annotation decoded as `T` (`serde_json::Value` for any shape).
    ///
    /// # Errors
    /// [`Error::Decode`] when the JSON does not fit `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode_json(self.json, "an exported annotation")
    }
}

impl fmt::Display for LineAnnotation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.json)
    }
}

impl fmt::Debug for LineProject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LineProject")
            .field("id", &self.id())
            .field("parts", &self.parts)
            .finish()
    }
}

impl fmt::Debug for Parts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.spans.iter().map(|span| (span.part, self.text(*span))))
            .finish()
    }
}

/// An [`ExportedLine`] written from a row serde_json read: each text after the line.
struct Builder {
    text: String,
    spans: Vec<Span>,
}

impl Builder {
    fn put(&mut self, part: Part, text: &str) -> Option<()> {
        let start = self.text.len();
        self.text.push_str(text);
        self.spans.push(Span::new(part, start, self.text.len())?);
        Some(())
    }

    fn put_some(&mut self, part: Part, text: Option<&str>) -> Option<()> {
        text.map_or(Some(()), |text| self.put(part, text))
    }

    fn row(&mut self, row: &ExportedRow) -> Option<()> {
        let data = &row.data_row;
        self.put(Part::DataRowId, &data.id)?;
        self.put_some(Part::GlobalKey, data.global_key.as_deref())?;
        self.put_some(Part::RowData, data.row_data.as_deref())?;
        self.put_some(Part::ExternalId, data.external_id.as_deref())?;
        let mut projects: Vec<_> = row.projects.iter().collect();
        projects.sort_unstable_by_key(|(id, _)| *id);
        for (id, project) in projects {
            self.put(Part::Project, id)?;
            self.put(Part::ProjectName, &project.name)?;
            if let Some(details) = &project.project_details {
                self.project_details(details)?;
            }
            for label in &project.labels {
                self.label(label)?;
            }
        }
        Some(())
    }

    fn project_details(&mut self, details: &ExportedProjectDetails) -> Option<()> {
        self.put(Part::ProjectDetails, "")?;
        for (part, text) in [
            (Part::OntologyId, &details.ontology_id),
            (Part::TaskId, &details.task_id),
            (Part::TaskName, &details.task_name),
            (Part::BatchId, &details.batch_id),
            (Part::BatchName, &details.batch_name),
            (Part::WorkflowStatus, &details.workflow_status),
            (Part::ProjectCreatedAt, &details.created_at),
        ] {
            self.put_some(part, text.as_deref())?;
        }
        for (part, int) in [
            (Part::Priority, details.priority),
            (Part::ConsensusCount, details.consensus_expected_label_count),
        ] {
            self.put_some(part, int.map(|int| int.to_string()).as_deref())?;
        }
        Some(())
    }

    fn label(&mut self, label: &ExportedLabel) -> Option<()> {
        self.put(Part::Label, "")?;
        self.put(Part::LabelId, &label.id)?;
        let annotations = &label.annotations;
        for (part, list) in [
            (Part::Object, &annotations.objects),
            (Part::Classification, &annotations.classifications),
            (Part::Relationship, &annotations.relationships),
        ] {
            for annotation in list {
                self.put(part, annotation.json())?;
            }
        }
        let Some(details) = &label.label_details else {
            return Some(());
        };
        self.put(Part::LabelDetails, "")?;
        for (part, text) in [
            (Part::LabelCreatedAt, &details.created_at),
            (Part::LabelUpdatedAt, &details.updated_at),
            (Part::LabelCreatedBy, &details.created_by),
            (Part::ContentLastUpdatedAt, &details.content_last_updated_at),
        ] {
            self.put_some(part, text.as_deref())?;
        }
        for review in &details.reviews {
            self.put(Part::Review, &review.to_string())?;
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::{ExportedLine, Part};
    use crate::export::line_cost::PROJECT_LINE;
    use crate::ExportedRow;

    fn line(text: &str) -> ExportedLine {
        ExportedLine::decode_line(text.as_bytes()).unwrap()
    }

    #[test]
    fn reads_the_emulators_line() {
        let line = line(PROJECT_LINE);
        assert_eq!(line.json(), PROJECT_LINE);
        assert_eq!(line.data_row_id(), "c00b5s9q8rc0000000000000a");
        assert_eq!(line.external_id(), Some("project-0.jpg"));
        let project = line.project("c00b5s9q8rc0000000000proj").unwrap();
        assert_eq!(project.name(), "project bench");
        assert_eq!(project.details(), None);
        let label = project.labels().next().unwrap();
        assert_eq!(label.id(), "c00b5s9q8rc000000000label0");
        assert_eq!((label.objects().count(), label.annotation_count()), (0, 1));
        let weather: serde_json::Value = label.classifications().next().unwrap().decode().unwrap();
        assert_eq!(weather["answer"]["name"], "sunny");
        let details = label.details().unwrap();
        assert_eq!(details.created_by.as_deref(), Some("emulator@example.com"));
        assert!(line.project("another").is_none());
        // The rest of the line, decoded when asked.
        let media: serde_json::Value = line.decode().unwrap();
        assert_eq!(media["media_attributes"]["mime_type"], "image/jpeg");
    }

    /// Serialized as the line it is, read back from inside a larger document, equal.
    #[test]
    fn serializes_as_its_line() {
        let line = line(PROJECT_LINE);
        let written = serde_json::to_string(&line).unwrap();
        assert_eq!(written, PROJECT_LINE);
        let lines: Vec<ExportedLine> =
            serde_json::from_str(&format!("[{written}, {written}]")).unwrap();
        assert_eq!(lines, [line.clone(), line.clone()]);
        assert_eq!(
            format!("{line:?}"),
            format!("ExportedLine({PROJECT_LINE:?})")
        );
    }

    /// A line left to serde_json (row data that is not a string, two projects) reads the same
    /// through accessors, its projects by id; a line an `ExportedRow` refuses is refused with
    /// its error.
    #[test]
    fn lines_serde_json_reads_read_the_same() {
        let text = r#"{"data_row":{"id":"r","row_data":{"b":1,"a":"x"}},"projects":{"p2":{"name":"two"},"p1":{"labels":[{"id":"l","label_details":{"reviews":[{"score":1}]}}]}}}"#;
        let line = line(text);
        assert_eq!(line.row_data(), Some(r#"{"a":"x","b":1}"#));
        let ids: Vec<&str> = line.projects().map(|p| p.id()).collect();
        assert_eq!(ids, ["p1", "p2"]);
        assert_eq!(line.project("p1").unwrap().name(), "");
        assert_eq!(line.label_count(), 1);
        let label = line.project("p1").unwrap().labels().next().unwrap();
        assert_eq!(
            label.details().unwrap().reviews,
            [serde_json::json!({"score": 1})]
        );
        assert_eq!(
            line.to_row(),
            serde_json::from_str::<ExportedRow>(text).unwrap()
        );
        assert_eq!(line.json(), text);

        let refused = r#"{"data_row":{"global_key":"no id"}}"#;
        let theirs = serde_json::from_str::<ExportedRow>(refused).unwrap_err();
        let ours = ExportedLine::decode_line(refused.as_bytes()).unwrap_err();
        assert_eq!(ours.to_string(), theirs.to_string());
        assert!(serde_json::from_str::<ExportedLine>(refused).is_err());
    }

    /// Strings with escapes are read unescaped, keys too.
    #[test]
    fn escapes_are_read() {
        let text = r#"{"data_row":{"id":"r\u00e9","global_key":"caf\u00e9 \"x\""},"projects":{"p\u0031":{"name":"n\/a"}}}"#;
        let line = line(text);
        assert_eq!(line.data_row_id(), "ré");
        assert_eq!(line.global_key(), Some("café \"x\""));
        assert_eq!(line.project("p1").unwrap().name(), "n/a");
        assert_eq!(
            line.to_row(),
            serde_json::from_str::<ExportedRow>(text).unwrap()
        );
    }

    /// The accessors find a part's own parts by the order the parts are declared in
    /// (`Part::first_below`): it must be the tree's, level by level.
    #[test]
    fn parts_are_declared_in_the_trees_level_order() {
        use Part::*;
        // No wildcard: a new part must be given its level here.
        let level = |part: Part| match part {
            DataRowId | GlobalKey | RowData | ExternalId | Project => 0,
            ProjectName | ProjectDetails | Label => 1,
            OntologyId | TaskId | TaskName | BatchId | BatchName | WorkflowStatus
            | ProjectCreatedAt | Priority | ConsensusCount | LabelId | Object | Classification
            | Relationship | LabelDetails => 2,
            LabelCreatedAt | LabelUpdatedAt | LabelCreatedBy | ContentLastUpdatedAt | Review => 3,
        };
        let all = [
            DataRowId,
            GlobalKey,
            RowData,
            ExternalId,
            Project,
            ProjectName,
            ProjectDetails,
            Label,
            OntologyId,
            TaskId,
            TaskName,
            BatchId,
            BatchName,
            WorkflowStatus,
            ProjectCreatedAt,
            Priority,
            ConsensusCount,
            LabelId,
            Object,
            Classification,
            Relationship,
            LabelDetails,
            LabelCreatedAt,
            LabelUpdatedAt,
            LabelCreatedBy,
            ContentLastUpdatedAt,
            Review,
        ];
        // Every part, once, in declaration order.
        assert_eq!(all.len(), Review as usize + 1);
        assert!(all
            .iter()
            .enumerate()
            .all(|(at, part)| *part as usize == at));
        for part in all {
            let first_below = all.into_iter().find(|other| level(*other) > level(part));
            assert_eq!(part.first_below(), first_below, "{part:?}");
            for other in all {
                if level(other) > level(part) {
                    assert!(
                        Some(other) >= part.first_below(),
                        "{other:?} below {part:?}"
                    );
                } else {
                    assert!(part.first_below().is_none_or(|below| other < below));
                }
            }
        }
    }
}
