//! The spec as a portal import wants it: one document with every `$ref` resolved.
//!
//! Every `$ref` is replaced by a copy of its target, so a tool that does not follow references
//! (or follows them differently) sees the same thing. Of `components` only `securitySchemes` is
//! kept: operations name them in `security`, which is not a `$ref` and cannot be inlined. The
//! other sections were reached only through `$ref`s, now inlined; kept, they would be unused
//! components, which portals that lint on import (Stoplight runs Spectral) warn about. A schema
//! inlined from `#/components/schemas/Name` gets `title: Name` unless it has a title, so the
//! model's name survives: Redoc, Swagger UI, ReadMe and the HTML pages here label `oneOf`
//! variants and nested objects by title.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::refs::resolve;

const KEPT_COMPONENTS: &[&str] = &["securitySchemes"];
const SCHEMAS: &str = "#/components/schemas/";

/// The bundle of `doc`. A schema that contains itself (a tree, a linked list) cannot be
/// inlined: it stays a component, and the references inside it stay references.
pub fn bundle(doc: &Value) -> Value {
    let mut recursive = BTreeSet::new();
    let mut out = Map::new();
    for (key, value) in doc.as_object().into_iter().flatten() {
        let value = if key == "components" {
            let mut components = Map::new();
            for (section, items) in value.as_object().into_iter().flatten() {
                if KEPT_COMPONENTS.contains(&section.as_str()) || section.starts_with("x-") {
                    components.insert(
                        section.clone(),
                        inline(doc, items, &mut Vec::new(), &mut recursive),
                    );
                }
            }
            Value::Object(components)
        } else {
            inline(doc, value, &mut Vec::new(), &mut recursive)
        };
        out.insert(key.clone(), value);
    }
    // The recursive schemas, each inlined but for its references to itself (or to another
    // recursive schema); inlining one may find more.
    let mut kept = Map::new();
    while let Some(name) = recursive.iter().find(|n| !kept.contains_key(*n)).cloned() {
        let target = format!("{SCHEMAS}{name}");
        let node = doc
            .pointer(&format!(
                "/components/schemas/{}",
                crate::escape_token(&name)
            ))
            .cloned()
            .unwrap_or(Value::Null);
        let mut value = inline(doc, &node, &mut vec![target], &mut recursive);
        add_title(&mut value, &name);
        kept.insert(name, value);
    }
    if !kept.is_empty() {
        let components = out
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(components) = components {
            components.insert("schemas".into(), Value::Object(kept));
        }
    }
    Value::Object(out)
}

/// A copy of `node` with every `$ref` replaced by its (inlined) target. `stack` holds the
/// references being expanded: a reference back into it is a recursive schema, left as a
/// reference and recorded in `recursive`.
fn inline(
    doc: &Value,
    node: &Value,
    stack: &mut Vec<String>,
    recursive: &mut BTreeSet<String>,
) -> Value {
    match node {
        Value::Object(entries) => {
            if let Some(target) = node.get("$ref").and_then(Value::as_str) {
                let name = target.strip_prefix(SCHEMAS);
                if let Some(name) = name
                    && (stack.iter().any(|r| r == target) || recursive.contains(name))
                {
                    recursive.insert(name.to_string());
                    return node.clone();
                }
                stack.push(target.to_string());
                // OpenAPI 3.0 ignores the siblings of a `$ref`; so does the bundle. `load`
                // checked that every reference resolves.
                let mut value = inline(doc, resolve(doc, node), stack, recursive);
                stack.pop();
                if let Some(name) = name {
                    add_title(&mut value, name);
                }
                return value;
            }
            Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), inline(doc, v, stack, recursive)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| inline(doc, v, stack, recursive))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn add_title(schema: &mut Value, name: &str) {
    if let Value::Object(entries) = schema
        && !entries.contains_key("title")
    {
        entries.shift_insert(0, "title".into(), Value::String(name.into()));
    }
}

/// The `$ref`s left anywhere in `node` (only those of recursive schemas remain in a bundle).
pub fn refs(node: &Value) -> Vec<&str> {
    match node {
        Value::Object(entries) => entries
            .iter()
            .flat_map(|(k, v)| match (k.as_str(), v) {
                ("$ref", Value::String(r)) => vec![r.as_str()],
                _ => refs(v),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(refs).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r##"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /login:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Login'}
            examples:
              password: {$ref: '#/components/examples/Password'}
      responses:
        '200':
          description: ok
          headers:
            X-Limit: {$ref: '#/components/headers/Limit'}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: k}
  examples:
    Password: {value: {user: u}}
  headers:
    Limit: {schema: {type: integer}}
  schemas:
    Login:
      type: object
      properties:
        inner: {$ref: '#/components/schemas/Inner'}
    Inner: {type: string, title: Custom}
"##;

    #[test]
    fn every_ref_is_inlined_and_schemas_keep_their_names() {
        let doc: Value = yaml_serde::from_str(SPEC).unwrap();
        let b = bundle(&doc);
        assert!(refs(&b).is_empty());
        let schema = b
            .pointer("/paths/~1login/post/requestBody/content/application~1json/schema")
            .unwrap();
        assert_eq!(schema["title"], "Login");
        assert_eq!(schema.pointer("/properties/inner/title").unwrap(), "Custom");
        assert_eq!(
            b.pointer("/paths/~1login/post/requestBody/content/application~1json/examples/password/value/user"),
            Some(&Value::String("u".into()))
        );
        let sections: Vec<&str> = b["components"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(sections, ["securitySchemes"]);
        let keys: Vec<&str> = b.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["openapi", "info", "paths", "components"]);
    }

    #[test]
    fn a_recursive_schema_stays_a_component_with_its_own_references() {
        let doc: Value = yaml_serde::from_str(
            "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/A'}\ncomponents:\n  schemas:\n    A:\n      properties:\n        a: {$ref: '#/components/schemas/A'}\n        b: {$ref: '#/components/schemas/B'}\n    B: {type: string}\n",
        )
        .unwrap();
        let b = bundle(&doc);
        assert_eq!(
            refs(&b),
            ["#/components/schemas/A", "#/components/schemas/A"]
        );
        assert_eq!(b["components"]["schemas"]["A"]["title"], "A");
        assert_eq!(
            b["components"]["schemas"]["A"]["properties"]["b"]["type"],
            "string"
        );
        assert!(b["components"]["schemas"].get("B").is_none());
    }
}
