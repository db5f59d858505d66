//! Problems inside shared components are reported at the component, not at the first
//! operation that uses it: a `$ref` that points at the wrong kind of component (a `schema` whose
//! `$ref` names a response, say) is found here on the spec as written, at the `$ref` itself,
//! before progenitor would stumble over it in whichever operation it met first.

use serde_json::Value;

use apilogin_openapi::{Spec, SpecError, ptr};

/// What the OpenAPI 3.0 object at a place is, as far as `$ref`s care.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Schema,
    Response,
    Parameter,
    RequestBody,
    Header,
    Example,
    Link,
    Callback,
    SecurityScheme,
    /// Anything else: not checked.
    Other,
}

impl Kind {
    fn of_components(section: &str) -> Kind {
        match section {
            "schemas" => Kind::Schema,
            "responses" => Kind::Response,
            "parameters" => Kind::Parameter,
            "requestBodies" => Kind::RequestBody,
            "headers" => Kind::Header,
            "examples" => Kind::Example,
            "links" => Kind::Link,
            "callbacks" => Kind::Callback,
            "securitySchemes" => Kind::SecurityScheme,
            _ => Kind::Other,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Schema => "a schema",
            Kind::Response => "a response",
            Kind::Parameter => "a parameter",
            Kind::RequestBody => "a request body",
            Kind::Header => "a header",
            Kind::Example => "an example",
            Kind::Link => "a link",
            Kind::Callback => "a callback",
            Kind::SecurityScheme => "a security scheme",
            Kind::Other => "something else",
        }
    }

    fn section(self) -> &'static str {
        match self {
            Kind::Schema => "schemas",
            Kind::Response => "responses",
            Kind::Parameter => "parameters",
            Kind::RequestBody => "requestBodies",
            Kind::Header => "headers",
            Kind::Example => "examples",
            Kind::Link => "links",
            Kind::Callback => "callbacks",
            Kind::SecurityScheme => "securitySchemes",
            Kind::Other => "…",
        }
    }
}

/// Every `$ref` of the spec as written that names a component of another kind than its place
/// needs, at the `$ref` (inside the component when it is written there).
pub fn ref_kinds(spec: &Spec) -> Vec<SpecError> {
    let mut errors = Vec::new();
    let doc = &spec.doc;
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let at = ptr("/paths", path);
        path_item(spec, item, &at, &mut errors);
    }
    if let Some(components) = doc.get("components").and_then(Value::as_object) {
        for (section, entries) in components {
            let kind = Kind::of_components(section);
            let base = ptr("/components", section);
            for (name, node) in entries.as_object().into_iter().flatten() {
                visit(spec, node, kind, &ptr(&base, name), &mut errors);
            }
        }
    }
    errors
}

fn path_item(spec: &Spec, item: &Value, at: &str, errors: &mut Vec<SpecError>) {
    for (key, node) in item.as_object().into_iter().flatten() {
        let here = ptr(at, key);
        match key.as_str() {
            "parameters" => each(spec, node, Kind::Parameter, &here, errors),
            "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace" => {
                for (k, v) in node.as_object().into_iter().flatten() {
                    let there = ptr(&here, k);
                    match k.as_str() {
                        "parameters" => each(spec, v, Kind::Parameter, &there, errors),
                        "requestBody" => visit(spec, v, Kind::RequestBody, &there, errors),
                        "responses" => members(spec, v, Kind::Response, &there, errors),
                        "callbacks" => members(spec, v, Kind::Callback, &there, errors),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

fn each(spec: &Spec, list: &Value, kind: Kind, at: &str, errors: &mut Vec<SpecError>) {
    for (i, node) in list.as_array().into_iter().flatten().enumerate() {
        visit(spec, node, kind, &format!("{at}/{i}"), errors);
    }
}

fn members(spec: &Spec, map: &Value, kind: Kind, at: &str, errors: &mut Vec<SpecError>) {
    for (key, node) in map.as_object().into_iter().flatten() {
        visit(spec, node, kind, &ptr(at, key), errors);
    }
}

/// `content` of a parameter, request body, response or header: each media type's schema and
/// examples.
fn content(spec: &Spec, map: &Value, at: &str, errors: &mut Vec<SpecError>) {
    for (media, node) in map.as_object().into_iter().flatten() {
        let here = ptr(at, media);
        if let Some(schema) = node.get("schema") {
            visit(spec, schema, Kind::Schema, &ptr(&here, "schema"), errors);
        }
        if let Some(examples) = node.get("examples") {
            members(
                spec,
                examples,
                Kind::Example,
                &ptr(&here, "examples"),
                errors,
            );
        }
    }
}

fn visit(spec: &Spec, node: &Value, kind: Kind, at: &str, errors: &mut Vec<SpecError>) {
    let Some(map) = node.as_object() else { return };
    if let Some(Value::String(target)) = map.get("$ref") {
        let tokens = apilogin_openapi::locate::tokens(target);
        if target.starts_with("#/components/") && tokens.len() == 3 && kind != Kind::Other {
            let found = Kind::of_components(&tokens[1]);
            if found != Kind::Other && found != kind {
                let hint = if kind == Kind::Schema && found == Kind::Response {
                    "; a response is not a schema: use the schema it carries (e.g. a \
                     `#/components/schemas/…` entry), or refer to the response where a response \
                     goes (under `responses`)"
                } else {
                    ""
                };
                errors.push(spec.error(
                    format!("{at}/$ref"),
                    format!(
                        "`$ref: {target}` names {}, but {} goes here (`#/components/{}/…`){hint}",
                        found.name(),
                        kind.name(),
                        kind.section()
                    ),
                ));
            }
        }
        return;
    }
    match kind {
        Kind::Schema => {
            for (key, value) in map {
                let here = ptr(at, key);
                match key.as_str() {
                    "properties" => members(spec, value, Kind::Schema, &here, errors),
                    "items" | "not" => visit(spec, value, Kind::Schema, &here, errors),
                    "additionalProperties" => visit(spec, value, Kind::Schema, &here, errors),
                    "allOf" | "oneOf" | "anyOf" => each(spec, value, Kind::Schema, &here, errors),
                    _ => {}
                }
            }
        }
        Kind::Parameter | Kind::Header => {
            if let Some(schema) = map.get("schema") {
                visit(spec, schema, Kind::Schema, &ptr(at, "schema"), errors);
            }
            if let Some(c) = map.get("content") {
                content(spec, c, &ptr(at, "content"), errors);
            }
            if let Some(examples) = map.get("examples") {
                members(spec, examples, Kind::Example, &ptr(at, "examples"), errors);
            }
        }
        Kind::RequestBody => {
            if let Some(c) = map.get("content") {
                content(spec, c, &ptr(at, "content"), errors);
            }
        }
        Kind::Response => {
            if let Some(c) = map.get("content") {
                content(spec, c, &ptr(at, "content"), errors);
            }
            if let Some(h) = map.get("headers") {
                members(spec, h, Kind::Header, &ptr(at, "headers"), errors);
            }
            if let Some(l) = map.get("links") {
                members(spec, l, Kind::Link, &ptr(at, "links"), errors);
            }
        }
        Kind::Callback => {
            for (expression, item) in map {
                path_item(spec, item, &ptr(at, expression), errors);
            }
        }
        Kind::Example | Kind::Link | Kind::SecurityScheme | Kind::Other => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "\
openapi: 3.0.3
info: {title: t, version: 1.0.0}
paths:
  /a:
    get:
      operationId: getA
      parameters:
        - $ref: '#/components/schemas/Thing'
      responses:
        '200':
          $ref: '#/components/responses/Unauthorized'
        '401':
          $ref: '#/components/schemas/Thing'
components:
  schemas:
    Thing:
      type: object
      properties:
        inner: {$ref: '#/components/schemas/Thing'}
        wrong: {$ref: '#/components/responses/UnauthorizedResponse'}
  responses:
    Unauthorized:
      description: no
      content:
        application/json:
          schema:
            $ref: '#/components/responses/UnauthorizedResponse'
    UnauthorizedResponse:
      description: the body
";

    #[test]
    fn a_ref_to_the_wrong_kind_is_an_error_where_it_is_written() {
        let spec = apilogin_openapi::parse(std::path::Path::new("specs/demo.yaml"), SPEC).unwrap();
        let found = ref_kinds(&spec);
        let at: Vec<(&str, Option<usize>)> =
            found.iter().map(|e| (e.pointer.as_str(), e.line)).collect();
        assert_eq!(
            at,
            [
                ("/paths/~1a/get/parameters/0/$ref", Some(8)),
                ("/paths/~1a/get/responses/401/$ref", Some(13)),
                ("/components/schemas/Thing/properties/wrong/$ref", Some(20)),
                (
                    "/components/responses/Unauthorized/content/application~1json/schema/$ref",
                    Some(27)
                ),
            ],
            "{found:#?}"
        );
        assert!(
            found[3]
                .message
                .contains("names a response, but a schema goes here")
        );
    }
}
