//! The GraphQL rule "All Variable Usages Are Allowed" (spec 5.8.5), checked before execution.
//!
//! async-graphql 7.2 ships the rule (`VariableInAllowedPosition`) but never runs it: its visitor
//! chain does not pass input values on to the rules. So a `$s: String!` used where the schema
//! expects the `TaskStatus` enum would be coerced and accepted, which no spec-following server
//! does (PROTOCOL 3.3). This extension walks each parsed document against the schema and
//! refuses such a document with an error without a code, which the HTTP layer answers as
//! `GRAPHQL_VALIDATION_FAILED`.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{
    Directive, ExecutableDocument, Selection, SelectionSet, VariableDefinition,
};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{Pos, Positioned, ServerError, ServerResult, Variables};
use async_graphql_value::Value;

/// Fragments nested deeper than this are not followed (cycles are refused by validation anyway).
const MAX_FRAGMENT_DEPTH: usize = 16;

/// The extension to install on the schema builder.
pub(crate) struct VariablePositions;

impl ExtensionFactory for VariablePositions {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(VariablePositionsCheck)
    }
}

struct VariablePositionsCheck;

#[async_trait::async_trait]
impl Extension for VariablePositionsCheck {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        check_document(&ctx.schema_env.registry, &doc)?;
        Ok(doc)
    }
}

/// One operation's walk: its declared variables, the document's fragments, the schema.
struct Walk<'a> {
    registry: &'a Registry,
    doc: &'a ExecutableDocument,
    declared: HashMap<&'a str, &'a VariableDefinition>,
}

fn check_document(registry: &Registry, doc: &ExecutableDocument) -> ServerResult<()> {
    for (_, operation) in doc.operations.iter() {
        let operation = &operation.node;
        let root = match operation.ty {
            async_graphql::parser::types::OperationType::Query => Some(&registry.query_type),
            async_graphql::parser::types::OperationType::Mutation => {
                registry.mutation_type.as_ref()
            }
            async_graphql::parser::types::OperationType::Subscription => None,
        };
        let Some(root) = root else { continue };
        let walk = Walk {
            registry,
            doc,
            declared: operation
                .variable_definitions
                .iter()
                .map(|d| (d.node.name.node.as_str(), &d.node))
                .collect(),
        };
        walk.directives(&operation.directives)?;
        walk.selection_set(root, &operation.selection_set.node, 0)?;
    }
    Ok(())
}

impl Walk<'_> {
    fn selection_set(&self, type_name: &str, set: &SelectionSet, depth: usize) -> ServerResult<()> {
        let Some(parent) = self.registry.types.get(type_name) else {
            return Ok(()); // unknown types are reported by the engine's own validation
        };
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    self.directives(&field.directives)?;
                    let Some(meta) = parent.field_by_name(&field.name.node) else {
                        continue;
                    };
                    for (name, value) in &field.arguments {
                        if let Some(arg) = meta.args.get(name.node.as_str()) {
                            self.value(&arg.ty, value)?;
                        }
                    }
                    let child = MetaTypeName::concrete_typename(&meta.ty);
                    self.selection_set(child, &field.selection_set.node, depth)?;
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    self.directives(&fragment.directives)?;
                    let on = fragment
                        .type_condition
                        .as_ref()
                        .map_or(type_name, |c| c.node.on.node.as_str());
                    self.selection_set(on, &fragment.selection_set.node, depth)?;
                }
                Selection::FragmentSpread(spread) if depth < MAX_FRAGMENT_DEPTH => {
                    self.directives(&spread.node.directives)?;
                    if let Some(def) = self.doc.fragments.get(&spread.node.fragment_name.node) {
                        let on = def.node.type_condition.node.on.node.as_str();
                        self.selection_set(on, &def.node.selection_set.node, depth + 1)?;
                    }
                }
                Selection::FragmentSpread(_) => {}
            }
        }
        Ok(())
    }

    /// The arguments of `@skip(if:)`, `@include(if:)` and any other directive the schema knows.
    fn directives(&self, directives: &[Positioned<Directive>]) -> ServerResult<()> {
        for directive in directives {
            let directive = &directive.node;
            let Some(meta) = self.registry.directives.get(directive.name.node.as_str()) else {
                continue;
            };
            for (name, value) in &directive.arguments {
                if let Some(arg) = meta.args.get(name.node.as_str()) {
                    self.value(&arg.ty, value)?;
                }
            }
        }
        Ok(())
    }

    /// Checks every variable inside `value`, a value of type `expected` (e.g. `[ID!]`).
    fn value(&self, expected: &str, value: &Positioned<Value>) -> ServerResult<()> {
        self.inner_value(expected, &value.node, value.pos)
    }

    fn inner_value(&self, expected: &str, value: &Value, pos: Pos) -> ServerResult<()> {
        match value {
            Value::Variable(name) => match self.declared.get(name.as_str()) {
                Some(def) if !allowed(&declared_type(def), expected) => Err(ServerError::new(
                    format!(
                        "Variable \"${name}\" of type \"{}\" used in position expecting type \"{expected}\"",
                        def.var_type.node
                    ),
                    Some(pos),
                )),
                _ => Ok(()), // undeclared variables are the engine's to report
            },
            Value::List(items) => {
                let item_type = list_item(expected.trim_end_matches('!'));
                match item_type {
                    Some(item_type) => items
                        .iter()
                        .try_for_each(|item| self.inner_value(item_type, item, pos)),
                    // A single value where a list is expected is coerced to a list of one.
                    None => Ok(()),
                }
            }
            Value::Object(fields) => {
                let name = MetaTypeName::concrete_typename(expected);
                let Some(MetaType::InputObject { input_fields, .. }) =
                    self.registry.types.get(name)
                else {
                    return Ok(());
                };
                for (key, field_value) in fields {
                    if let Some(field) = input_fields.get(key.as_str()) {
                        self.inner_value(&field.ty, field_value, pos)?;
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// The declared type, where a nullable variable with a default counts as non-null (spec).
fn declared_type(def: &VariableDefinition) -> String {
    let text = def.var_type.node.to_string();
    if def.var_type.node.nullable && def.default_value.is_some() {
        format!("{text}!")
    } else {
        text
    }
}

/// `[T]` -> `T`; anything else is not a list type.
fn list_item(ty: &str) -> Option<&str> {
    ty.strip_prefix('[')?.strip_suffix(']')
}

/// Whether a variable of type `declared` may be used where `expected` is: the same type, or a
/// non-null form of it, at every list level.
fn allowed(declared: &str, expected: &str) -> bool {
    match (declared.strip_suffix('!'), expected.strip_suffix('!')) {
        (Some(d), Some(e)) => allowed(d, e),
        (None, Some(_)) => false,
        (Some(d), None) => allowed(d, expected),
        (None, None) => match (list_item(declared), list_item(expected)) {
            (Some(d), Some(e)) => allowed(d, e),
            (None, None) => declared == expected,
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn positions_follow_the_spec() {
        for (declared, expected) in [
            ("TaskStatus!", "TaskStatus"),
            ("TaskStatus", "TaskStatus"),
            ("[ID!]!", "[ID]"),
            ("Int!", "Int!"),
        ] {
            assert!(allowed(declared, expected), "{declared} in {expected}");
        }
        for (declared, expected) in [
            ("String!", "TaskStatus"),
            ("String", "TaskStatus!"),
            ("[String]", "[TaskStatus]"),
            ("ID", "[ID]"),
            ("[ID]", "ID"),
            ("TaskStatus", "TaskStatus!"),
        ] {
            assert!(!allowed(declared, expected), "{declared} in {expected}");
        }
    }
}
