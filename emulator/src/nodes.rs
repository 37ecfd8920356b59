//! The `nodes` list of `successesfulDataRowImports`, resolved in one pass.
//!
//! A result page holds up to 5,000 rows. Resolved the generic way, every row is an object
//! future and every field another one: most of a page's time. The selection set is the same
//! for every row, so it is read once into a plan (response key -> column) and the rows are
//! turned into values in a plain loop. The GraphQL type stays `[SuccessfulDataRowImport!]!`
//! (validation and introspection see no difference); a selection the plan does not cover (any
//! directive, such as `@skip`) takes the generic path.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::resolve_list;
use async_graphql::{ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value};

use crate::import::SuccessRow;
use crate::schema::SuccessNode;

/// The rows of one page, as the `nodes` field of `SuccessfulDataRowImports`.
pub(crate) struct SuccessNodes(pub(crate) Vec<SuccessRow>);

/// What a response key of a node holds.
#[derive(Clone, Copy)]
enum Column {
    Id,
    ExternalId,
    GlobalKey,
    RowData,
    TypeName,
}

impl OutputType for SuccessNodes {
    fn type_name() -> Cow<'static, str> {
        <Vec<SuccessNode> as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<SuccessNode> as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<SuccessNode> as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let mut plan = Vec::new();
        if !plan_selection(ctx, &ctx.item.node, &mut plan, 0) {
            let generic = self.0.iter().cloned().map(SuccessNode::from);
            return resolve_list(ctx, field, generic, Some(self.0.len())).await;
        }
        Ok(Value::List(self.0.iter().map(|r| node(r, &plan)).collect()))
    }
}

/// Reads `set` (through fragments) into `plan`; false when it holds anything the plan does not
/// cover. Repeated response keys are merged, as GraphQL merges them.
fn plan_selection(
    ctx: &ContextSelectionSet<'_>,
    set: &SelectionSet,
    plan: &mut Vec<(Name, Column)>,
    depth: usize,
) -> bool {
    // Fragment cycles are refused by validation; the cap only keeps this loop finite anyway.
    if depth > 16 {
        return false;
    }
    set.items.iter().all(|item| match &item.node {
        Selection::Field(f) => {
            let f = &f.node;
            let column = match f.name.node.as_str() {
                "id" => Column::Id,
                "externalId" => Column::ExternalId,
                "globalKey" => Column::GlobalKey,
                "rowData" => Column::RowData,
                "__typename" => Column::TypeName,
                _ => return false,
            };
            if !f.directives.is_empty() {
                return false;
            }
            let key = f.alias.as_ref().map_or(&f.name.node, |a| &a.node);
            if !plan.iter().any(|(k, _)| k == key) {
                plan.push((key.clone(), column));
            }
            true
        }
        Selection::InlineFragment(frag) => {
            frag.node.directives.is_empty()
                && plan_selection(ctx, &frag.node.selection_set.node, plan, depth + 1)
        }
        Selection::FragmentSpread(spread) => {
            let name = &spread.node.fragment_name.node;
            match ctx.query_env.fragments.get(name) {
                Some(def) if spread.node.directives.is_empty() => {
                    plan_selection(ctx, &def.node.selection_set.node, plan, depth + 1)
                }
                _ => false,
            }
        }
    })
}

fn node(row: &SuccessRow, plan: &[(Name, Column)]) -> Value {
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
    let fields: IndexMap<Name, Value> = plan
        .iter()
        .map(|(key, column)| {
            let value = match column {
                Column::Id => Value::String(row.id.clone()),
                Column::ExternalId => text(&row.external_id),
                Column::GlobalKey => text(&row.global_key),
                Column::RowData => text(&row.row_data),
                Column::TypeName => Value::String("SuccessfulDataRowImport".into()),
            };
            (key.clone(), value)
        })
        .collect();
    Value::Object(fields)
}
