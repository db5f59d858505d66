//! OpenAPI 3.1 lowered to the OpenAPI 3.0 that progenitor 0.15 reads (issue 22), in the
//! code-generation view only: the spec file, `cargo xtask lint` and `docs` keep the 3.1
//! document as written.
//!
//! Every construct changed is a notice at its pointer; what cannot be lowered is an error
//! there. The lowering, construct by construct (the table in `tests/corpus/README.md`, rule L):
//!
//! | 3.1 | in the view |
//! |---|---|
//! | `openapi: 3.1.x` | `openapi: 3.0.3` |
//! | `jsonSchemaDialect`, `webhooks`, `info.summary`, `components/pathItems` | left out |
//! | a `paths` entry `$ref`ing `components/pathItems` | the path item, copied |
//! | no `paths` | `paths: {}` |
//! | `license.identifier` | `license.url` of the SPDX page (when there is no `url`) |
//! | `type: [T, "null"]` | `type: T`, `nullable: true` |
//! | `type: [T, U…]` | `anyOf` of one schema per type, each with the keywords of its kind (`nullable` for `"null"`) |
//! | `type: "null"` | `enum: [null]`, `nullable: true` |
//! | `anyOf`/`oneOf` with a `{type: "null"}` member | the member left out, `nullable: true` |
//! | `const: v` | `enum: [v]` |
//! | `examples: [a, …]` (in a schema) | `example: a` |
//! | `exclusiveMinimum: n` (a number) | `minimum: n`, `exclusiveMinimum: true` (and Maximum) |
//! | `$ref` beside constraints | `allOf: [{$ref}]` beside them |
//! | a boolean schema `true` / `false` (an item, a property, a member) | `{}` / `{not: {}}` |
//! | `$ref` beside annotations only (`description`, `title`, …) | the annotations left out |
//! | `contentEncoding: base64` | `format: byte` |
//! | `contentMediaType` (not text) on a string | `format: binary` |
//! | `$schema`, `$id`, `$comment`, `$anchor`, `prefixItems`, `unevaluatedProperties`, … | left out (a looser type) |
//! | `$defs` in a schema | component schemas (`$ref`s follow) |
//! | `$dynamicRef`, `$dynamicAnchor`, `if`/`then`/`else` | refused, located |

use serde_json::{Map, Value, json};

use apilogin_openapi::Spec;
use apilogin_openapi::{SpecError, ptr};

/// Whether `doc` says `openapi: 3.1.x`.
pub fn is_31(doc: &Value) -> bool {
    doc.get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.1."))
}

/// Annotations that may stand beside a `$ref` without changing the type.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "summary",
    "example",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "default",
    "$comment",
    "externalDocs",
    "xml",
];

/// JSON Schema 2020-12 keywords OpenAPI 3.0 does not have; left out of the view (the type is
/// looser than the spec says, never wrong).
const DROPPED: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "$anchor",
    "$vocabulary",
    "prefixItems",
    "contains",
    "minContains",
    "maxContains",
    "unevaluatedItems",
    "unevaluatedProperties",
    "dependentRequired",
    "dependentSchemas",
    "propertyNames",
    "patternProperties",
    "contentSchema",
];

/// Keywords that change what a value may be in a way 3.0 cannot say: refused.
const REFUSED: &[&str] = &[
    "$defs",
    "$dynamicRef",
    "$dynamicAnchor",
    "if",
    "then",
    "else",
];

/// Lowers a 3.1 document in place (nothing happens to a 3.0 one).
pub fn lower(
    spec: &Spec,
    doc: &mut Value,
    notices: &mut Vec<SpecError>,
    errors: &mut Vec<SpecError>,
) {
    if !is_31(doc) {
        return;
    }
    let version = doc["openapi"].as_str().unwrap_or_default().to_string();
    notices.push(spec.error(
        "/openapi",
        format!(
            "OpenAPI {version}: regen lowers the document to OpenAPI 3.0.3 for progenitor 0.15 \
             (each construct changed is a notice of its own)"
        ),
    ));
    doc["openapi"] = json!("3.0.3");
    let root = doc.as_object_mut().expect("checked at load: a mapping");
    for (key, what) in [
        (
            "jsonSchemaDialect",
            "`jsonSchemaDialect` is left out: regen reads schemas as OpenAPI 3.1's default dialect",
        ),
        (
            "webhooks",
            "`webhooks` are left out: they are requests the server sends, and the generated \
             client makes none of them",
        ),
    ] {
        if root.remove(key).is_some() {
            notices.push(spec.error(ptr("", key), what));
        }
    }
    if !root.contains_key("paths") {
        root.insert("paths".into(), json!({}));
        notices.push(spec.error(
            "",
            "there is no `paths` (optional in OpenAPI 3.1): the generated client has no operations",
        ));
    }
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        if info.remove("summary").is_some() {
            notices.push(spec.error(
                "/info/summary",
                "`info.summary` (OpenAPI 3.1) is left out of the generated crate's docs",
            ));
        }
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut)
            && let Some(id) = license.remove("identifier")
        {
            let id = id.as_str().unwrap_or_default().to_string();
            let message = if license.contains_key("url") {
                format!("`license.identifier` `{id}` is left out; `license.url` stays")
            } else {
                let url = format!("https://spdx.org/licenses/{id}.html");
                license.insert("url".into(), json!(url));
                format!("`license.identifier` `{id}` becomes `license.url: {url}`")
            };
            notices.push(spec.error("/info/license/identifier", message));
        }
    }
    // Path items `$ref`ed from `paths` (3.1's `components/pathItems`) are copied in place.
    let path_items = root
        .get("components")
        .and_then(|c| c.get("pathItems"))
        .cloned()
        .unwrap_or(Value::Null);
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for (key, item) in paths.iter_mut() {
            let Some(target) = item.get("$ref").and_then(Value::as_str) else {
                continue;
            };
            let Some(name) = target.strip_prefix("#/components/pathItems/") else {
                continue;
            };
            let name = name.replace("~1", "/").replace("~0", "~");
            if let Some(found) = path_items.get(&name) {
                *item = found.clone();
                notices.push(spec.error(
                    ptr(&ptr("/paths", key), "$ref"),
                    format!(
                        "the path item `{name}` of `components/pathItems` (OpenAPI 3.1) is \
                         copied here: progenitor reads path items only in `paths`"
                    ),
                ));
            }
        }
    }
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut)
        && components.remove("pathItems").is_some()
    {
        notices.push(spec.error(
            "/components/pathItems",
            "`components/pathItems` (OpenAPI 3.1) is left out; the path items `paths` refers \
             to are copied where they are used",
        ));
    }

    let written = hoist_defs(spec, doc, notices);

    // Every schema, deepest first, so that a node is lowered after the nodes inside it.
    let (first_notice, first_error) = (notices.len(), errors.len());
    let mut places: Vec<String> = apilogin_openapi::walk::walk(doc)
        .schemas
        .into_keys()
        .collect();
    places.sort_by(|a, b| b.cmp(a));
    for at in places {
        if let Some(Value::Object(schema)) = doc.pointer_mut(&at) {
            lower_schema(spec, schema, &at, notices, errors);
        }
    }
    // What was found inside a hoisted `$defs` entry is located where the file has it.
    if !written.is_empty() {
        for found in notices[first_notice..]
            .iter_mut()
            .chain(errors[first_error..].iter_mut())
        {
            let at = in_file(&written, &found.pointer);
            if at != found.pointer {
                *found = spec.error(at, std::mem::take(&mut found.message));
            }
        }
    }
}

/// `at` (a pointer into the view) as written in the file, through the `$defs` entries
/// [`hoist_defs`] moved (view pointer, file pointer).
fn in_file(written: &[(String, String)], at: &str) -> String {
    written
        .iter()
        .filter(|(view, _)| at == view || at.starts_with(&format!("{view}/")))
        .max_by_key(|(view, _)| view.len())
        .map(|(view, file)| format!("{file}{}", &at[view.len()..]))
        .unwrap_or_else(|| at.to_string())
}

/// The kinds of value a keyword constrains (`pattern`: strings), for splitting `type: [A, B]`
/// into `anyOf` members; `None` for keywords that apply to any value (`enum`, `description`).
fn keyword_kinds(key: &str, value: &Value) -> Option<&'static [&'static str]> {
    const NUMBERS: &[&str] = &["integer", "number"];
    match key {
        "pattern" | "minLength" | "maxLength" => Some(&["string"]),
        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => {
            Some(NUMBERS)
        }
        "items" | "minItems" | "maxItems" | "uniqueItems" => Some(&["array"]),
        "properties" | "required" | "additionalProperties" | "minProperties" | "maxProperties" => {
            Some(&["object"])
        }
        "format" => match value.as_str() {
            Some("int32" | "int64" | "float" | "double") => Some(NUMBERS),
            _ => Some(&["string"]),
        },
        _ => None,
    }
}

/// `$defs` inside a schema (pydantic's nested models): each definition becomes a component
/// schema (its own name, or the smallest `<name>2`, `3`… that is free), and every `$ref` to it
/// follows. A notice each. Returns where each one went (view pointer, file pointer).
fn hoist_defs(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) -> Vec<(String, String)> {
    // Where each hoisted definition is written in the file, for the notices of nested ones.
    let mut written: Vec<(String, String)> = Vec::new();
    // Definitions may hold `$defs` of their own: again until none is left (bounded).
    for _ in 0..8 {
        let found: Vec<String> = apilogin_openapi::walk::walk(doc)
            .schemas
            .into_iter()
            .filter(|(_, s)| s.get("$defs").is_some_and(Value::is_object))
            .map(|(at, _)| at)
            .collect();
        if found.is_empty() {
            return written;
        }
        for at in found {
            let Some(Value::Object(defs)) = doc
                .pointer_mut(&at)
                .and_then(Value::as_object_mut)
                .and_then(|s| s.remove("$defs"))
            else {
                continue;
            };
            for (name, def) in defs {
                let taken = |n: &str| doc.pointer(&ptr("/components/schemas", n)).is_some();
                let new = if taken(&name) {
                    (2..)
                        .map(|i| format!("{name}{i}"))
                        .find(|n| !taken(n))
                        .expect("a free name")
                } else {
                    name.clone()
                };
                let Some(root) = doc.as_object_mut() else {
                    return written;
                };
                let schemas = root
                    .entry("components")
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .map(|c| c.entry("schemas").or_insert_with(|| json!({})));
                let Some(Value::Object(schemas)) = schemas else {
                    return written;
                };
                schemas.insert(new.clone(), def);
                let from = format!("#{}", ptr(&ptr(&at, "$defs"), &name));
                let to = format!("#{}", ptr("/components/schemas", &new));
                crate::view::adapt::rewrite_refs(doc, &from, &to);
                let file_at = in_file(&written, &ptr(&ptr(&at, "$defs"), &name));
                written.push((ptr("/components/schemas", &new), file_at.clone()));
                notices.push(spec.error(
                    file_at,
                    format!(
                        "`$defs/{name}` becomes the component schema `{new}` (progenitor reads \
                         references to `components/schemas` only); its `$ref`s follow"
                    ),
                ));
            }
        }
    }
    written
}

fn null_type(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("null")
        && v.as_object().is_some_and(|m| {
            m.keys()
                .all(|k| k == "type" || ANNOTATIONS.contains(&k.as_str()))
        })
}

/// Lowers one schema object (not the schemas inside it, which [`lower`] visits on their own).
fn lower_schema(
    spec: &Spec,
    schema: &mut Map<String, Value>,
    at: &str,
    notices: &mut Vec<SpecError>,
    errors: &mut Vec<SpecError>,
) {
    for key in REFUSED {
        if schema.contains_key(*key) {
            errors.push(spec.error(
                ptr(at, key),
                format!(
                    "`{key}` (JSON Schema 2020-12) cannot be lowered to OpenAPI 3.0 for progenitor \
                     0.15; describe the value without it"
                ),
            ));
        }
    }

    // Boolean schemas (`true`: anything, `false`: nothing) where 3.0 wants a schema object.
    let mut places: Vec<(String, &mut Value)> = Vec::new();
    for (key, child) in schema.iter_mut() {
        match (key.as_str(), child) {
            ("items" | "not", child) => places.push((ptr(at, key), child)),
            ("properties", Value::Object(props)) => {
                for (name, p) in props.iter_mut() {
                    places.push((ptr(&ptr(at, key), name), p));
                }
            }
            ("allOf" | "anyOf" | "oneOf", Value::Array(members)) => {
                for (i, m) in members.iter_mut().enumerate() {
                    places.push((ptr(&ptr(at, key), &i.to_string()), m));
                }
            }
            _ => {}
        }
    }
    for (child_at, child) in places {
        if let Value::Bool(b) = *child {
            *child = if b { json!({}) } else { json!({"not": {}}) };
            notices.push(spec.error(
                child_at,
                format!(
                    "the boolean schema `{b}` becomes `{}`",
                    if b { "{}" } else { "{not: {}}" }
                ),
            ));
        }
    }
    let mut note = |key: &str, message: String| notices.push(spec.error(ptr(at, key), message));

    if let Some(value) = schema.remove("const") {
        schema.insert("enum".into(), json!([value]));
        note(
            "const",
            format!("`const: {value}` becomes `enum: [{value}]`"),
        );
    }

    if let Some(Value::Array(examples)) = schema.get("examples").cloned() {
        schema.remove("examples");
        if let Some(first) = examples.first()
            && !schema.contains_key("example")
        {
            schema.insert("example".into(), first.clone());
        }
        note(
            "examples",
            format!(
                "`examples` (a list of {}) becomes `example` (the first)",
                examples.len()
            ),
        );
    }

    for (exclusive, bound, stricter) in [
        ("exclusiveMinimum", "minimum", 1.0_f64),
        ("exclusiveMaximum", "maximum", -1.0_f64),
    ] {
        let Some(n) = schema.get(exclusive).filter(|v| v.is_number()).cloned() else {
            continue;
        };
        let value = n.as_f64().unwrap_or_default();
        let inclusive = schema.get(bound).and_then(Value::as_f64);
        // With both, the stricter one holds.
        let keep_inclusive = inclusive.is_some_and(|b| (b - value) * stricter > 0.0);
        if keep_inclusive {
            schema.remove(exclusive);
            note(
                exclusive,
                format!("`{exclusive}: {n}` is left out: `{bound}` is stricter"),
            );
        } else {
            schema.insert(bound.into(), n.clone());
            schema.insert(exclusive.into(), json!(true));
            note(
                exclusive,
                format!("`{exclusive}: {n}` becomes `{bound}: {n}`, `{exclusive}: true`"),
            );
        }
    }

    let is_string = schema.get("type").and_then(Value::as_str) == Some("string");
    let encoding = schema.remove("contentEncoding");
    let media = schema.remove("contentMediaType");
    if let Some(encoding) = &encoding {
        let base64 = encoding
            .as_str()
            .is_some_and(|e| e.eq_ignore_ascii_case("base64"));
        if is_string && base64 && !schema.contains_key("format") {
            schema.insert("format".into(), json!("byte"));
            note(
                "contentEncoding",
                "`contentEncoding: base64` becomes `format: byte`".into(),
            );
        } else {
            note(
                "contentEncoding",
                format!("`contentEncoding: {encoding}` is left out: the value is a string"),
            );
        }
    }
    if let Some(media) = &media {
        let text = media.as_str().is_some_and(|m| {
            let m = crate::view::adapt::essence(m);
            m.starts_with("text/") || m.ends_with("json") || m.ends_with("xml")
        });
        if is_string && encoding.is_none() && !text && !schema.contains_key("format") {
            schema.insert("format".into(), json!("binary"));
            note(
                "contentMediaType",
                format!("`contentMediaType: {media}` becomes `format: binary`"),
            );
        } else {
            note(
                "contentMediaType",
                format!("`contentMediaType: {media}` is left out: the value is a string"),
            );
        }
    }

    // `type` as a list.
    if let Some(Value::Array(types)) = schema.get("type").cloned() {
        let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
        let nullable = names.contains(&"null");
        let rest: Vec<&str> = names.iter().copied().filter(|t| *t != "null").collect();
        let written = names.join(", ");
        match rest.as_slice() {
            [] => {
                schema.remove("type");
                schema.insert("enum".into(), json!([null]));
                schema.insert("nullable".into(), json!(true));
                note(
                    "type",
                    format!("`type: [{written}]` becomes `enum: [null]`, `nullable: true`"),
                );
            }
            [one] => {
                schema.insert("type".into(), json!(one));
                if nullable {
                    schema.insert("nullable".into(), json!(true));
                }
                note(
                    "type",
                    format!(
                        "`type: [{written}]` becomes `type: {one}`{}",
                        if nullable { ", `nullable: true`" } else { "" }
                    ),
                );
            }
            many => {
                schema.remove("type");
                // Keywords that apply to one kind of value go to the members of that kind
                // (ASP.NET Core's `type: [integer, string]` with `format`, `pattern`).
                let mut members: Vec<Map<String, Value>> = many
                    .iter()
                    .map(|t| Map::from_iter([("type".to_string(), json!(t))]))
                    .collect();
                let keys: Vec<String> = schema.keys().cloned().collect();
                for key in keys {
                    let Some(kinds) = keyword_kinds(&key, &schema[&key]) else {
                        continue;
                    };
                    let value = schema.remove(&key).unwrap_or_default();
                    for m in members.iter_mut() {
                        if m["type"].as_str().is_some_and(|t| kinds.contains(&t)) {
                            m.insert(key.clone(), value.clone());
                        }
                    }
                }
                let members: Vec<Value> = members.into_iter().map(Value::Object).collect();
                if schema.contains_key("anyOf") {
                    errors.push(spec.error(
                        ptr(at, "type"),
                        format!(
                            "`type: [{written}]` beside `anyOf` cannot be lowered to OpenAPI 3.0; \
                             list the types as members of the `anyOf`"
                        ),
                    ));
                } else {
                    schema.insert("anyOf".into(), Value::Array(members));
                    if nullable {
                        schema.insert("nullable".into(), json!(true));
                    }
                    note(
                        "type",
                        format!(
                            "`type: [{written}]` becomes `anyOf` of one schema per type{}",
                            if nullable { ", `nullable: true`" } else { "" }
                        ),
                    );
                }
            }
        }
    } else if schema.get("type").and_then(Value::as_str) == Some("null") {
        schema.remove("type");
        schema.insert("enum".into(), json!([null]));
        schema.insert("nullable".into(), json!(true));
        note(
            "type",
            "`type: \"null\"` becomes `enum: [null]`, `nullable: true`".into(),
        );
    }

    // `{type: "null"}` members of a union (FastAPI's `Optional[X]`).
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = schema.get_mut(key) else {
            continue;
        };
        let before = members.len();
        // Members are lowered already: `{type: "null"}` is `{enum: [null], nullable: true}`.
        members.retain(|m| {
            !(null_type(m)
                || (m.get("enum") == Some(&json!([null]))
                    && m.get("nullable") == Some(&json!(true))
                    && m.as_object().is_some_and(|o| {
                        o.keys().all(|k| {
                            matches!(k.as_str(), "enum" | "nullable")
                                || ANNOTATIONS.contains(&k.as_str())
                        })
                    })))
        });
        if members.len() < before && !members.is_empty() {
            schema.insert("nullable".into(), json!(true));
            note(
                key,
                format!("the `{{type: \"null\"}}` member of `{key}` becomes `nullable: true`"),
            );
        }
    }

    for key in DROPPED {
        if schema.remove(*key).is_some() {
            note(
                key,
                format!(
                    "`{key}` (JSON Schema 2020-12) is left out: OpenAPI 3.0 has no such keyword, \
                     so the generated type accepts more than the spec says"
                ),
            );
        }
    }

    // `$ref` beside other keywords (3.1 reads them all; 3.0 ignores the siblings).
    if schema.contains_key("$ref") && schema.len() > 1 {
        let siblings: Vec<String> = schema.keys().filter(|k| *k != "$ref").cloned().collect();
        if siblings.iter().all(|k| ANNOTATIONS.contains(&k.as_str())) {
            for k in &siblings {
                schema.remove(k);
            }
            note(
                "$ref",
                format!(
                    "the annotations beside `$ref` ({}) are left out of the view; the referenced \
                     schema describes the type",
                    siblings.join(", ")
                ),
            );
        } else {
            let reference = schema.remove("$ref").expect("checked");
            let mut all_of = vec![json!({ "$ref": reference })];
            if let Some(Value::Array(more)) = schema.remove("allOf") {
                all_of.extend(more);
            }
            schema.insert("allOf".into(), Value::Array(all_of));
            note(
                "$ref",
                format!(
                    "`$ref` beside {} becomes `allOf: [{{$ref}}]` beside them",
                    siblings.join(", ")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(doc: Value) -> Spec {
        Spec {
            id: "demo".into(),
            file: "specs/demo.yaml".into(),
            doc,
            text: String::new(),
        }
    }

    fn lowered(doc: Value) -> (Value, Vec<SpecError>, Vec<SpecError>) {
        let s = spec(doc.clone());
        let mut view = doc;
        let (mut notices, mut errors) = (Vec::new(), Vec::new());
        lower(&s, &mut view, &mut notices, &mut errors);
        (view, notices, errors)
    }

    fn with_schema(schema: Value) -> Value {
        json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
               "components": {"schemas": {"S": schema}}})
    }

    #[test]
    fn a_30_document_is_left_alone() {
        let doc = json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": {"S": {"const": 1}}}});
        let (view, notices, errors) = lowered(doc.clone());
        assert_eq!(view, doc);
        assert!(notices.is_empty() && errors.is_empty());
    }

    #[test]
    fn the_document_level_constructs_are_lowered_with_notices() {
        let (view, notices, errors) = lowered(json!({
            "openapi": "3.1.0",
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "info": {"title": "t", "version": "1", "summary": "s",
                     "license": {"name": "MIT", "identifier": "MIT"}},
            "webhooks": {"ping": {"post": {"responses": {"200": {"description": "ok"}}}}}
        }));
        assert!(errors.is_empty());
        assert_eq!(view["openapi"], "3.0.3");
        assert_eq!(view["paths"], json!({}));
        assert!(view.get("webhooks").is_none() && view.get("jsonSchemaDialect").is_none());
        assert_eq!(
            view["info"]["license"],
            json!({"name": "MIT", "url": "https://spdx.org/licenses/MIT.html"})
        );
        let at: Vec<&str> = notices.iter().map(|n| n.pointer.as_str()).collect();
        for p in [
            "/openapi",
            "/jsonSchemaDialect",
            "/webhooks",
            "",
            "/info/summary",
            "/info/license/identifier",
        ] {
            assert!(at.contains(&p), "no notice at {p:?}: {at:?}");
        }
    }

    #[test]
    fn path_items_of_components_are_copied_into_paths() {
        let (view, notices, errors) = lowered(json!({
            "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/health": {"$ref": "#/components/pathItems/Health"}},
            "components": {"pathItems": {"Health": {"get": {"operationId": "health",
                "responses": {"204": {"description": "ok"}}}}}}
        }));
        assert!(errors.is_empty());
        assert_eq!(view["paths"]["/health"]["get"]["operationId"], "health");
        assert!(view["components"].get("pathItems").is_none());
        assert!(notices.iter().any(|n| n.pointer == "/paths/~1health/$ref"));
    }

    #[test]
    fn type_lists_become_nullable_or_any_of() {
        let (view, notices, errors) = lowered(with_schema(json!({
            "type": "object",
            "properties": {
                "a": {"type": ["string", "null"]},
                "b": {"type": ["integer", "string"]},
                "c": {"type": "null"},
                "d": {"anyOf": [{"$ref": "#/components/schemas/S"}, {"type": "null"}]}
            }
        })));
        assert!(errors.is_empty(), "{errors:?}");
        let p = &view["components"]["schemas"]["S"]["properties"];
        assert_eq!(p["a"], json!({"type": "string", "nullable": true}));
        assert_eq!(
            p["b"],
            json!({"anyOf": [{"type": "integer"}, {"type": "string"}]})
        );
        assert_eq!(p["c"], json!({"enum": [null], "nullable": true}));
        assert_eq!(
            p["d"],
            json!({"anyOf": [{"$ref": "#/components/schemas/S"}], "nullable": true})
        );
        assert!(
            notices
                .iter()
                .any(|n| n.pointer == "/components/schemas/S/properties/a/type")
        );
        assert!(
            notices
                .iter()
                .any(|n| n.pointer == "/components/schemas/S/properties/d/anyOf")
        );
    }

    #[test]
    fn const_examples_bounds_content_and_ref_siblings_are_lowered() {
        let (view, notices, errors) = lowered(with_schema(json!({
            "type": "object",
            "properties": {
                "kind": {"type": "string", "const": "pet"},
                "age": {"type": "integer", "exclusiveMinimum": 0, "maximum": 10, "exclusiveMaximum": 20, "examples": [3, 4]},
                "photo": {"type": "string", "contentMediaType": "image/png"},
                "blob": {"type": "string", "contentEncoding": "base64"},
                "owner": {"$ref": "#/components/schemas/S", "description": "who"},
                "limited": {"$ref": "#/components/schemas/S", "maxProperties": 3},
                "pair": {"type": "array", "prefixItems": [{"type": "string"}]}
            }
        })));
        assert!(errors.is_empty(), "{errors:?}");
        let p = &view["components"]["schemas"]["S"]["properties"];
        assert_eq!(p["kind"], json!({"type": "string", "enum": ["pet"]}));
        assert_eq!(
            p["age"],
            json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 10, "example": 3})
        );
        assert_eq!(p["photo"], json!({"type": "string", "format": "binary"}));
        assert_eq!(p["blob"], json!({"type": "string", "format": "byte"}));
        assert_eq!(p["owner"], json!({"$ref": "#/components/schemas/S"}));
        assert_eq!(
            p["limited"],
            json!({"maxProperties": 3, "allOf": [{"$ref": "#/components/schemas/S"}]})
        );
        assert_eq!(p["pair"], json!({"type": "array"}));
        // One notice per construct changed, each at its keyword.
        for key in [
            "kind/const",
            "age/exclusiveMinimum",
            "age/exclusiveMaximum",
            "age/examples",
            "photo/contentMediaType",
            "blob/contentEncoding",
            "owner/$ref",
            "limited/$ref",
            "pair/prefixItems",
        ] {
            let want = format!("/components/schemas/S/properties/{key}");
            assert!(
                notices.iter().any(|n| n.pointer == want),
                "no notice at {want}"
            );
        }
    }

    #[test]
    fn keywords_of_one_kind_go_to_the_member_of_that_kind() {
        // ASP.NET Core 10's numbers.
        let (view, _, errors) = lowered(with_schema(json!({
            "type": ["null", "integer", "string"],
            "format": "int32",
            "pattern": "^-?(?:0|[1-9]\\d*)$",
            "exclusiveMinimum": 0,
            "description": "a count"
        })));
        assert!(errors.is_empty());
        assert_eq!(
            view["components"]["schemas"]["S"],
            json!({
                "description": "a count",
                "anyOf": [
                    {"type": "integer", "format": "int32", "minimum": 0, "exclusiveMinimum": true},
                    {"type": "string", "pattern": "^-?(?:0|[1-9]\\d*)$"}
                ],
                "nullable": true
            })
        );
    }

    #[test]
    fn boolean_schemas_become_schema_objects() {
        let (view, notices, errors) = lowered(with_schema(json!({
            "type": "object",
            "properties": {"any": true, "list": {"type": "array", "items": false}},
            "additionalProperties": false
        })));
        assert!(errors.is_empty());
        let s = &view["components"]["schemas"]["S"];
        assert_eq!(s["properties"]["any"], json!({}));
        assert_eq!(s["properties"]["list"]["items"], json!({"not": {}}));
        assert_eq!(s["additionalProperties"], json!(false));
        let at: Vec<&str> = notices.iter().map(|n| n.pointer.as_str()).collect();
        assert_eq!(
            at,
            [
                "/openapi",
                "",
                "/components/schemas/S/properties/list/items",
                "/components/schemas/S/properties/any"
            ]
        );
    }

    #[test]
    fn what_cannot_be_lowered_is_an_error_at_its_keyword() {
        let (_, _, errors) = lowered(with_schema(json!({
            "type": "object",
            "properties": {"v": {"if": {"type": "string"}, "then": {"minLength": 1}},
                           "w": {"items": {"$dynamicRef": "#node"}}}
        })));
        let at: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            at,
            [
                "/components/schemas/S/properties/w/items/$dynamicRef",
                "/components/schemas/S/properties/v/if",
                "/components/schemas/S/properties/v/then"
            ]
        );
    }

    #[test]
    fn defs_become_component_schemas_and_their_refs_follow() {
        let (view, notices, errors) = lowered(with_schema(json!({
            "type": "object",
            "properties": {
                "a": {"$ref": "#/components/schemas/S/$defs/S"},
                "b": {"$ref": "#/components/schemas/S/$defs/Inner"}
            },
            "$defs": {
                "S": {"type": "string", "const": "x"},
                "Inner": {"type": "object", "$defs": {"Deep": {"type": "integer"}},
                          "properties": {"d": {"$ref": "#/components/schemas/S/$defs/Inner/$defs/Deep"}}}
            }
        })));
        assert!(errors.is_empty(), "{errors:?}");
        let schemas = &view["components"]["schemas"];
        assert!(schemas["S"].get("$defs").is_none());
        // `S` is taken: the definition is `S2`, lowered like any schema (`const`).
        assert_eq!(schemas["S2"], json!({"type": "string", "enum": ["x"]}));
        assert_eq!(
            schemas["S"]["properties"]["a"]["$ref"],
            "#/components/schemas/S2"
        );
        assert_eq!(
            schemas["S"]["properties"]["b"]["$ref"],
            "#/components/schemas/Inner"
        );
        assert_eq!(schemas["Deep"], json!({"type": "integer"}));
        assert_eq!(
            schemas["Inner"]["properties"]["d"]["$ref"],
            "#/components/schemas/Deep"
        );
        assert!(
            notices
                .iter()
                .any(|n| n.pointer == "/components/schemas/S/$defs/Inner")
        );
        // Located where the file has it, and so is what is lowered inside.
        assert!(
            notices
                .iter()
                .any(|n| n.pointer == "/components/schemas/S/$defs/S/const")
        );
        assert!(
            notices
                .iter()
                .any(|n| n.pointer == "/components/schemas/S/$defs/Inner/$defs/Deep")
        );
    }
}
