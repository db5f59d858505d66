//! One pass over an OpenAPI 3.0 document that collects what the project checks look at: the
//! operations, every schema object, every example with the schema it must match, and the named
//! fields (parameters, headers). Each item carries the JSON pointer of the node as written, so a
//! node reached through a `$ref` is reported once, where it lives.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::ptr;
use crate::refs::resolve_at as resolve;

/// The HTTP methods a path item can hold, in the order OpenAPI lists them.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `(path, method)` of every operation, in document order.
pub fn operations(doc: &Value) -> Vec<(String, String)> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|m| item.get(**m).is_some_and(Value::is_object))
                .map(|m| (path.clone(), m.to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

pub struct Operation<'a> {
    pub path: &'a str,
    pub method: &'a str,
    pub op: &'a Value,
    pub at: String,
}

/// An example and the schema it must validate against.
pub struct Example<'a> {
    /// Where the example value is.
    pub at: String,
    pub value: &'a Value,
    pub schema: &'a Value,
    /// The media type the example is for (`None` for schema, parameter and header examples
    /// without `content`).
    pub media_type: Option<&'a str>,
}

/// A parameter, header or schema property: something with a name and (usually) a schema.
pub struct Field<'a> {
    pub kind: &'static str,
    pub name: &'a str,
    pub at: String,
    pub schema: Option<&'a Value>,
}

#[derive(Default)]
pub struct Walk<'a> {
    pub operations: Vec<Operation<'a>>,
    /// Every schema object, by pointer.
    pub schemas: BTreeMap<String, &'a Value>,
    pub examples: Vec<Example<'a>>,
    pub fields: Vec<Field<'a>>,
    /// The keys of `examples` maps outside `components/examples` (pointer, name).
    pub example_names: Vec<(String, &'a str)>,
}

pub fn walk(doc: &Value) -> Walk<'_> {
    let mut w = Walk::default();
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for (path, item) in paths {
            let item_at = ptr("/paths", path);
            let (item, item_at) = resolve(doc, item, &item_at);
            if let Some(Value::Array(params)) = item.get("parameters") {
                for (i, p) in params.iter().enumerate() {
                    w.parameter(doc, p, &ptr(&ptr(&item_at, "parameters"), &i.to_string()));
                }
            }
            for &method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let at = ptr(&item_at, method);
                w.operation(doc, op, &at);
                w.operations.push(Operation {
                    path,
                    method,
                    op,
                    at,
                });
            }
        }
    }
    if let Some(Value::Object(components)) = doc.get("components") {
        let section = |name: &str| components.get(name).and_then(Value::as_object);
        let at = |section: &str, key: &str| ptr(&ptr("/components", section), key);
        for (key, p) in section("parameters").into_iter().flatten() {
            w.parameter(doc, p, &at("parameters", key));
        }
        for (key, h) in section("headers").into_iter().flatten() {
            w.header(doc, h, &at("headers", key), key);
        }
        for (key, b) in section("requestBodies").into_iter().flatten() {
            w.content(doc, b, &at("requestBodies", key));
        }
        for (key, r) in section("responses").into_iter().flatten() {
            w.response(doc, r, &at("responses", key));
        }
        for (key, s) in section("schemas").into_iter().flatten() {
            w.schema(s, &at("schemas", key));
        }
    }
    w
}

impl<'a> Walk<'a> {
    fn operation(&mut self, doc: &'a Value, op: &'a Value, at: &str) {
        if let Some(Value::Array(params)) = op.get("parameters") {
            for (i, p) in params.iter().enumerate() {
                self.parameter(doc, p, &ptr(&ptr(at, "parameters"), &i.to_string()));
            }
        }
        if let Some(body) = op.get("requestBody") {
            let (body, body_at) = resolve(doc, body, &ptr(at, "requestBody"));
            self.content(doc, body, &body_at);
        }
        if let Some(Value::Object(responses)) = op.get("responses") {
            for (code, r) in responses {
                let (r, r_at) = resolve(doc, r, &ptr(&ptr(at, "responses"), code));
                self.response(doc, r, &r_at);
            }
        }
    }

    fn response(&mut self, doc: &'a Value, r: &'a Value, at: &str) {
        if let Some(Value::Object(headers)) = r.get("headers") {
            for (name, h) in headers {
                let (h, h_at) = resolve(doc, h, &ptr(&ptr(at, "headers"), name));
                self.header(doc, h, &h_at, name);
            }
        }
        self.content(doc, r, at);
    }

    fn parameter(&mut self, doc: &'a Value, p: &'a Value, at: &str) {
        let (p, at) = resolve(doc, p, at);
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        self.named(doc, p, &at, "parameter", name);
    }

    fn header(&mut self, doc: &'a Value, h: &'a Value, at: &str, name: &'a str) {
        self.named(doc, h, at, "header", name);
    }

    /// A parameter or header: `schema` + `example(s)`, or `content`.
    fn named(
        &mut self,
        doc: &'a Value,
        node: &'a Value,
        at: &str,
        kind: &'static str,
        name: &'a str,
    ) {
        let schema = node.get("schema");
        self.fields.push(Field {
            kind,
            name,
            at: at.to_string(),
            schema,
        });
        if let Some(schema) = schema {
            self.schema(schema, &ptr(at, "schema"));
            self.examples_of(doc, node, at, schema, None);
        }
        self.content(doc, node, at);
    }

    /// The `content` map of a request body, response, parameter or header.
    fn content(&mut self, doc: &'a Value, node: &'a Value, at: &str) {
        let Some(Value::Object(content)) = node.get("content") else {
            return;
        };
        for (media_type, media) in content {
            let media_at = ptr(&ptr(at, "content"), media_type);
            let Some(schema) = media.get("schema") else {
                continue;
            };
            self.schema(schema, &ptr(&media_at, "schema"));
            self.examples_of(doc, media, &media_at, schema, Some(media_type));
        }
    }

    fn examples_of(
        &mut self,
        doc: &'a Value,
        node: &'a Value,
        at: &str,
        schema: &'a Value,
        media_type: Option<&'a str>,
    ) {
        if let Some(value) = node.get("example") {
            self.examples.push(Example {
                at: ptr(at, "example"),
                value,
                schema,
                media_type,
            });
        }
        if let Some(Value::Object(examples)) = node.get("examples") {
            for (name, example) in examples {
                let name_at = ptr(&ptr(at, "examples"), name);
                self.example_names.push((name_at.clone(), name));
                let (example, example_at) = resolve(doc, example, &name_at);
                if let Some(value) = example.get("value") {
                    self.examples.push(Example {
                        at: ptr(&example_at, "value"),
                        value,
                        schema,
                        media_type,
                    });
                }
            }
        }
    }

    /// A schema object and every schema inside it (not following `$ref`: the targets are
    /// component schemas, walked on their own).
    fn schema(&mut self, schema: &'a Value, at: &str) {
        if !schema.is_object() || self.schemas.contains_key(at) {
            return;
        }
        self.schemas.insert(at.to_string(), schema);
        if let Some(value) = schema.get("example") {
            self.examples.push(Example {
                at: ptr(at, "example"),
                value,
                schema,
                media_type: None,
            });
        }
        if let Some(Value::Object(props)) = schema.get("properties") {
            for (name, prop) in props {
                let prop_at = ptr(&ptr(at, "properties"), name);
                self.fields.push(Field {
                    kind: "property",
                    name,
                    at: prop_at.clone(),
                    schema: Some(prop),
                });
                self.schema(prop, &prop_at);
            }
        }
        for key in ["items", "additionalProperties", "not"] {
            if let Some(child) = schema.get(key) {
                self.schema(child, &ptr(at, key));
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(children)) = schema.get(key) {
                for (i, child) in children.iter().enumerate() {
                    self.schema(child, &ptr(&ptr(at, key), &i.to_string()));
                }
            }
        }
    }
}
