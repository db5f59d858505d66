//! The bundled spec as the pages read it: its operations in order (with their anchors), their
//! parameters, tags, examples and the schemas kept as components. Shared by the page's view
//! (`view.rs`) and by what the browser test expects of it (`mod.rs`).
//!
//! The bundle has every `$ref` inlined but those of recursive schemas (a tree, a linked list),
//! which stay in `components/schemas`.

use std::collections::HashSet;

use apilogin_openapi::{refs::resolve, walk::METHODS};
use serde_json::Value;

const SCHEMAS: &str = "#/components/schemas/";

pub fn st<'a>(node: &'a Value, key: &str) -> Option<&'a str> {
    node.get(key).and_then(Value::as_str)
}

pub fn entries(node: Option<&Value>) -> impl Iterator<Item = (&str, &Value)> {
    node.and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v))
}

pub fn items(node: Option<&Value>) -> &[Value] {
    node.and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

pub fn is_true(node: &Value, key: &str) -> bool {
    node.get(key) == Some(&Value::Bool(true))
}

/// The value as compact, one-line text: strings as they are, the rest as JSON.
pub fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub struct Operation<'a> {
    pub path: &'a str,
    pub method: &'a str,
    pub op: &'a Value,
    /// The `id` of the operation's `<section>`: from the operationId, unique on the page.
    pub anchor: String,
}

impl Operation<'_> {
    pub fn id(&self) -> Option<&str> {
        st(self.op, "operationId").filter(|id| !id.is_empty())
    }

    /// The operation's parameters, then those of its path item that it does not override.
    pub fn parameters<'d>(&'d self, doc: &'d Value) -> Vec<&'d Value> {
        let mut params: Vec<&Value> = items(self.op.get("parameters")).iter().collect();
        let item = doc.get("paths").and_then(|p| p.get(self.path));
        for p in items(item.and_then(|i| i.get("parameters"))) {
            if !params
                .iter()
                .any(|q| st(q, "name") == st(p, "name") && st(q, "in") == st(p, "in"))
            {
                params.push(p);
            }
        }
        params
    }

    pub fn first_tag(&self) -> Option<&str> {
        items(self.op.get("tags")).first()?.as_str()
    }
}

/// The operations in document order.
pub fn operations(doc: &Value) -> Vec<Operation<'_>> {
    let mut out = Vec::new();
    let mut anchors = HashSet::new();
    for (path, item) in entries(doc.get("paths")) {
        for (method, op) in entries(Some(item)) {
            if !METHODS.contains(&method) || !op.is_object() {
                continue;
            }
            let base = match st(op, "operationId") {
                Some(id) if !id.is_empty() => format!("op-{}", anchor_safe(id)),
                _ => format!("op-{method}-{}", anchor_safe(path.trim_start_matches('/'))),
            };
            let mut anchor = base.clone();
            let mut n = 1;
            while !anchors.insert(anchor.clone()) {
                n += 1;
                anchor = format!("{base}-{n}");
            }
            out.push(Operation {
                path,
                method,
                op,
                anchor,
            });
        }
    }
    out
}

pub fn anchor_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The name of a `#/components/schemas/<name>` reference.
pub fn schema_ref(schema: &Value) -> Option<&str> {
    st(schema, "$ref")?.strip_prefix(SCHEMAS)
}

/// The schemas kept as components in the bundle (the recursive ones), in order.
pub fn component_schemas(doc: &Value) -> impl Iterator<Item = (&str, &Value)> {
    entries(doc.pointer("/components/schemas"))
}

/// The declared tags in order, then any undeclared ones, then untagged operations (`None`).
pub fn tag_order(doc: &Value, ops: &[Operation<'_>]) -> Vec<(Option<String>, String)> {
    let mut tags: Vec<(Option<String>, String)> = items(doc.get("tags"))
        .iter()
        .filter_map(|t| {
            Some((
                Some(st(t, "name")?.to_string()),
                st(t, "description").unwrap_or_default().to_string(),
            ))
        })
        .collect();
    for o in ops {
        let tag = o.first_tag().map(str::to_string);
        if !tags.iter().any(|(t, _)| *t == tag) {
            tags.push((tag, String::new()));
        }
    }
    tags
}

/// The examples of one media type, as `(name, summary, value)`: `example`, then `examples`
/// that have a `value`.
pub fn media_examples(media: &Value) -> Vec<(&str, Option<&str>, &Value)> {
    let mut out = Vec::new();
    if let Some(example) = media.get("example") {
        out.push(("example", None, example));
    }
    for (name, example) in entries(media.get("examples")) {
        if let Some(value) = example.get("value") {
            out.push((name, st(example, "summary"), value));
        }
    }
    out
}

/// An example as the page shows it: a string as is, a form as it is sent, the rest as JSON.
pub fn example_text(value: &Value, media_type: &str) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(fields) if media_type == "application/x-www-form-urlencoded" => {
            let mut form = form_urlencoded::Serializer::new(String::new());
            for (k, v) in fields {
                form.append_pair(k, &scalar_text(v));
            }
            form.finish()
        }
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

/// The variants of a schema, with the words that join them.
pub fn variants(schema: &Value) -> Option<(&'static str, &[Value])> {
    [
        ("one of", "oneOf"),
        ("any of", "anyOf"),
        ("all of", "allOf"),
    ]
    .into_iter()
    .find_map(|(words, key)| Some((words, schema.get(key)?.as_array()?.as_slice())))
}

/// The schema a body or response shows: a `$ref` at its top (to a recursive schema) is followed
/// once, so its fields are listed there too.
pub fn top_schema<'d>(doc: &'d Value, schema: &'d Value) -> &'d Value {
    let resolved = resolve(doc, schema);
    if resolved.get("$ref").is_some() {
        schema
    } else {
        resolved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_without_ids_get_unique_anchors() {
        let doc: Value = yaml_serde::from_str(
            "paths:\n  /a.b:\n    get: {responses: {}}\n  /a-b:\n    get: {responses: {}}\n    \
             x-note: {}\n  /c:\n    post: {operationId: a.b}\n    put: {operationId: a-b}\n",
        )
        .unwrap();
        let anchors: Vec<String> = operations(&doc).into_iter().map(|o| o.anchor).collect();
        assert_eq!(
            anchors,
            ["op-get-a-b", "op-get-a-b-2", "op-a-b", "op-a-b-2"]
        );
    }
}
