//! What a GraphQL document asks for, read before executing it: the operation's name and its
//! top-level fields (for the request log and for fault exemptions).

use async_graphql::parser::parse_query;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

/// The operation a request selects.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct OperationInfo {
    pub(crate) name: Option<String>,
    pub(crate) fields: Vec<String>,
}

/// Parses `query`; `Err` carries the parser's message (a `GRAPHQL_PARSE_FAILED`).
pub(crate) fn inspect(query: &str, operation_name: Option<&str>) -> Result<OperationInfo, String> {
    let doc = parse_query(query).map_err(|e| e.to_string())?;
    let chosen = doc
        .operations
        .iter()
        .find(|(name, _)| operation_name.is_none() || name.map(|n| n.as_str()) == operation_name)
        .or_else(|| doc.operations.iter().next());
    let Some((name, op)) = chosen else {
        return Ok(OperationInfo::default());
    };
    let mut fields = Vec::new();
    collect_fields(&doc, &op.node.selection_set.node, &mut fields, 0);
    Ok(OperationInfo {
        name: name
            .map(|n| n.to_string())
            .or_else(|| operation_name.map(str::to_string)),
        fields,
    })
}

/// Top-level field names, through fragments (depth-capped against fragment cycles, which
/// validation rejects later anyway).
fn collect_fields(doc: &ExecutableDocument, set: &SelectionSet, out: &mut Vec<String>, depth: u8) {
    if depth > 8 {
        return;
    }
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                let name = f.node.name.node.to_string();
                if !out.contains(&name) {
                    out.push(name);
                }
            }
            Selection::InlineFragment(frag) => {
                collect_fields(doc, &frag.node.selection_set.node, out, depth + 1)
            }
            Selection::FragmentSpread(spread) => {
                if let Some(def) = doc.fragments.get(&spread.node.fragment_name.node) {
                    collect_fields(doc, &def.node.selection_set.node, out, depth + 1);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_fields_through_aliases_and_fragments() {
        let info = inspect(
            "query A { a: user { id } ...F } query B { x } fragment F on Query { organization { id } user { id } }",
            Some("A"),
        );
        assert_eq!(
            info,
            Ok(OperationInfo {
                name: Some("A".into()),
                fields: vec!["user".into(), "organization".into()],
            })
        );
        assert!(inspect("query {", None).is_err());
        let anon = inspect("{ cancelableTaskTypes }", None);
        assert_eq!(
            anon.map(|i| (i.name, i.fields)),
            Ok((None, vec!["cancelableTaskTypes".into()]))
        );
    }
}
