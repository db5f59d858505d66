//! Adaptations of the code-generation view for what vendors' real specs contain and progenitor
//! 0.15 / typify 0.8 cannot take (issue 22's public corpus), each with a located notice. The
//! spec file is never edited; `lint` and `docs` read it as written.
//!
//! * **Undefined security schemes.** A `security` requirement (at the root or of an operation)
//!   that names a scheme `components.securitySchemes` does not define (go-swagger conversions
//!   and springdoc do this) is dropped from the view: the operation sends no credentials for it.
//!   If no requirement is left, the list is empty (the operation sends no credentials).
//! * **Python regular expressions.** typify compiles each `pattern` with `regress` (ECMAScript
//!   syntax), which refuses Python's named groups `(?P<name>…)` and `(?P=name)` (FastAPI writes
//!   pydantic's patterns as they are). They are rewritten to ECMAScript's `(?<name>…)` and
//!   `\k<name>`, which mean the same.
//! * **`enum` beside `allOf`.** A schema with a `type`, its own `enum` and an `allOf` (Discord:
//!   `{type: string, enum: [bot], allOf: [$ref OAuth2Scopes]}`) makes typify 0.8 panic
//!   ("entered unreachable code") while merging them. The `enum` lists the values allowed (the
//!   `allOf` can only allow as many), so the view keeps it and drops the `allOf`.
//! * **One `title` on different inline enums.** typify 0.8 names an inline schema after its
//!   `title` and takes two inline enums with one title for one type, so the `default` of the
//!   second is checked against the first's values ("value does not conform to the given
//!   schema"; FastAPI titles each property after its name: `type: {const: event, default:
//!   event, title: Type}` beside `{const: compound, …, title: Type}`). When inline enums with one
//!   title differ, the view drops that title from each of them; typify then names them after
//!   their parent and property (`EventTriggerType`).
//! * **Parameter unions of one type.** A parameter whose schema is an `anyOf`/`oneOf` of
//!   members of one primitive `type` (Prefect's path parameter `anyOf: [{type: string, format:
//!   uuid}, {type: string}]`; 3.1's `[boolean, null]` after lowering) becomes that `type`:
//!   progenitor 0.15 panics on the struct typify makes of the union. Its `nullable` is dropped
//!   as well (progenitor formats an optional parameter with `Display`, which `Option` lacks).

use serde_json::Value;

use apilogin_openapi::walk::operations;
use apilogin_openapi::{Spec, SpecError, pointer, ptr};

/// Every adaptation of this module, in the order above.
pub fn adapt(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) {
    drop_undefined_security(spec, doc, notices);
    schema_fixes(spec, doc, notices);
    distinct_enum_titles(spec, doc, notices);
    nullable_component_titles(spec, doc, notices);
    one_type_parameter_unions(spec, doc, notices);
}

/// A nullable component schema whose `title` names the same Rust type as its key: typify 0.8
/// names the wrapper after the key and the value inside after the title, so the type is
/// defined twice (`CampaignId(Option<CampaignId>)`). The view drops the title (the key names
/// the type either way).
fn nullable_component_titles(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) {
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return;
    };
    for (key, schema) in schemas.iter_mut() {
        let Value::Object(map) = schema else { continue };
        let clash = map.get("nullable").and_then(Value::as_bool) == Some(true)
            && map
                .get("title")
                .and_then(Value::as_str)
                .is_some_and(|title| {
                    apilogin_openapi::names::pascal(title) == apilogin_openapi::names::pascal(key)
                });
        if clash {
            map.remove("title");
            let at = ptr(&ptr("/components/schemas", key), "title");
            notices.push(spec.error(
                at,
                format!(
                    "the nullable schema `{key}` has a title that names the same Rust type as its \
                     key, which typify 0.8 defines twice (the wrapper and the value inside); the \
                     view drops the title"
                ),
            ));
        }
    }
}

/// Parameters whose schema is an `anyOf`/`oneOf` of one primitive type: that type.
pub fn one_type_parameter_unions(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) {
    let mut lists = Vec::new();
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for (path, item) in paths {
            lists.push(pointer(["paths", path, "parameters"]));
            for method in item.as_object().into_iter().flat_map(|m| m.keys()) {
                lists.push(pointer(["paths", path, method, "parameters"]));
            }
        }
    }
    if let Some(Value::Object(map)) = doc.pointer("/components/parameters") {
        for name in map.keys() {
            lists.push(pointer(["components", "parameters", name]));
        }
    }
    for at in lists {
        let params: Vec<String> = match doc.pointer(&at) {
            Some(Value::Array(list)) => (0..list.len())
                .map(|i| format!("{at}/{i}/schema"))
                .collect(),
            Some(Value::Object(_)) => vec![format!("{at}/schema")],
            _ => continue,
        };
        for at in params {
            let Some(Value::Object(schema)) = doc.pointer_mut(&at) else {
                continue;
            };
            for key in ["anyOf", "oneOf"] {
                let Some(Value::Array(members)) = schema.get(key) else {
                    continue;
                };
                let types: Vec<Option<&str>> = members
                    .iter()
                    .map(|m| m.get("type").and_then(Value::as_str))
                    .collect();
                let Some(Some(first)) = types.first().copied() else {
                    continue;
                };
                let primitive = ["string", "integer", "number", "boolean"].contains(&first);
                if !primitive
                    || types.iter().any(|t| *t != Some(first))
                    || members.iter().any(|m| m.get("$ref").is_some())
                {
                    continue;
                }
                let first = first.to_string();
                schema.remove(key);
                schema.remove("title");
                // progenitor formats an optional parameter's value with `Display`, which
                // `Option<T>` (from `nullable`) lacks; a parameter not sent is absent anyway.
                let nullable = schema.remove("nullable").is_some();
                schema.insert("type".into(), Value::String(first.clone()));
                notices.push(spec.error(
                    ptr(&at, key),
                    format!(
                        "a parameter's `{key}` whose members are all `type: {first}` becomes \
                         `type: {first}` in the view (progenitor 0.15 panics on the struct \
                         typify makes of the union; any value of the members is a {first}){}",
                        if nullable {
                            "; `nullable` is dropped too (an absent parameter is not sent)"
                        } else {
                            ""
                        }
                    ),
                ));
                break;
            }
        }
    }
}

/// Undefined security schemes: the requirement naming one is dropped, a notice each.
pub fn drop_undefined_security(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) {
    let defined: Vec<String> = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut places = vec!["/security".to_string()];
    for (path, method) in operations(doc) {
        places.push(pointer(["paths", &path, &method, "security"]));
    }
    for at in places {
        let Some(Value::Array(list)) = doc.pointer_mut(&at) else {
            continue;
        };
        let mut kept = Vec::new();
        for (i, requirement) in std::mem::take(list).into_iter().enumerate() {
            let missing: Vec<String> = requirement
                .as_object()
                .into_iter()
                .flat_map(|m| m.keys())
                .filter(|name| !defined.contains(name))
                .map(|name| format!("`{name}`"))
                .collect();
            if missing.is_empty() {
                kept.push(requirement);
                continue;
            }
            let whom = if at == "/security" {
                "the operations without their own `security` send"
            } else {
                "this operation sends"
            };
            notices.push(spec.error(
                format!("{at}/{i}"),
                format!(
                    "{} {} not in `components.securitySchemes`; the view drops this security \
                     requirement, so {whom} no credentials for it",
                    missing.join(", "),
                    if missing.len() == 1 { "is" } else { "are" },
                ),
            ));
        }
        *list = kept;
    }
}

/// Python named groups in `pattern`, and `enum` beside `allOf`, in every schema.
fn schema_fixes(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) {
    for root in ["/components", "/paths"] {
        if let Some(node) = doc.pointer_mut(root) {
            fix_node(spec, node, root.to_string(), notices);
        }
    }
}

/// Keys whose values are data, not schemas: never adapted.
const DATA_KEYS: [&str; 5] = ["example", "examples", "default", "enum", "const"];

fn fix_node(spec: &Spec, node: &mut Value, at: String, notices: &mut Vec<SpecError>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(pattern)) = map.get_mut("pattern")
                && let Some(ecma) = ecmascript_pattern(pattern)
            {
                notices.push(spec.error(
                    ptr(&at, "pattern"),
                    format!(
                        "Python's named groups `(?P<…>` are not ECMAScript regular expression \
                         syntax (typify's `regress` refuses them); the view writes \
                         `{ecma}`, which means the same"
                    ),
                ));
                *pattern = ecma;
            }
            if map.get("enum").is_some_and(Value::is_array)
                && map.contains_key("type")
                && map.get("allOf").is_some_and(Value::is_array)
            {
                map.remove("allOf");
                notices.push(spec.error(
                    ptr(&at, "allOf"),
                    "an `enum` beside `allOf` makes typify 0.8 panic; the view keeps the `enum` \
                     (the values allowed) and drops the `allOf`",
                ));
            }
            for key in ["anyOf", "oneOf"] {
                if map.get(key).is_some_and(annotations_only) {
                    map.remove(key);
                    notices.push(spec.error(
                        ptr(&at, key),
                        format!(
                            "a `{key}` whose members only annotate or bound the value (formats such \
                             as `date-time` and `date`, ranges) makes typify 0.8 stop (`not yet \
                             implemented`); the view drops it and keeps the schema's own `type`, \
                             so the value is sent and read as that type, unchecked"
                        ),
                    ));
                }
            }
            for (key, value) in map.iter_mut() {
                if DATA_KEYS.contains(&key.as_str()) || key.starts_with("x-") {
                    continue;
                }
                fix_node(spec, value, ptr(&at, key), notices);
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter_mut().enumerate() {
                fix_node(spec, value, ptr(&at, &i.to_string()), notices);
            }
        }
        _ => {}
    }
}

/// Keywords that only annotate or bound a value (no type, shape or reference of their own).
const ANNOTATIONS: [&str; 13] = [
    "format",
    "description",
    "title",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "example",
    "deprecated",
];

/// A non-empty list of subschemas that carry only [`ANNOTATIONS`] (`anyOf: [{format: date-time},
/// {format: date}]`).
fn annotations_only(list: &Value) -> bool {
    list.as_array().is_some_and(|items| {
        !items.is_empty()
            && items.iter().all(|item| {
                item.as_object().is_some_and(|m| {
                    !m.is_empty() && m.keys().all(|k| ANNOTATIONS.contains(&k.as_str()))
                })
            })
    })
}

/// `(?P<name>` → `(?<name>`, `(?P=name)` → `\k<name>`; `None` when there is neither.
fn ecmascript_pattern(pattern: &str) -> Option<String> {
    if !pattern.contains("(?P<") && !pattern.contains("(?P=") {
        return None;
    }
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(i) = rest.find("(?P") {
        // An escaped `\(` is a literal parenthesis.
        let escaped = rest[..i].chars().rev().take_while(|c| *c == '\\').count() % 2 == 1;
        out.push_str(&rest[..i]);
        let after = &rest[i + 3..];
        if !escaped && after.starts_with('<') {
            out.push_str("(?");
            rest = after;
        } else if !escaped && after.starts_with('=') {
            match after.find(')') {
                Some(end) => {
                    out.push_str(&format!("\\k<{}>", &after[1..end]));
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str("(?P");
                    rest = after;
                }
            }
        } else {
            out.push_str("(?P");
            rest = after;
        }
    }
    out.push_str(rest);
    (out != pattern).then_some(out)
}

/// Inline enums that share a `title` but differ: the title is dropped from each.
fn distinct_enum_titles(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) {
    let mut found: Vec<(String, String, Value)> = Vec::new(); // pointer, title, enum + default
    for root in ["/components", "/paths"] {
        if let Some(node) = doc.pointer(root) {
            titled_enums(node, root.to_string(), &mut found);
        }
    }
    let mut drop = Vec::new();
    for (at, title, what) in &found {
        if found.iter().any(|(_, t, w)| t == title && w != what) {
            drop.push((at.clone(), title.clone()));
        }
    }
    for (at, title) in drop {
        if let Some(Value::Object(map)) = doc.pointer_mut(&at) {
            map.remove("title");
            notices.push(spec.error(
                ptr(&at, "title"),
                format!(
                    "inline enums with different values share the title `{title}`, which typify \
                     0.8 takes for one type; the view drops this title (the type is named after \
                     its parent and property)"
                ),
            ));
        }
    }
}

fn titled_enums(node: &Value, at: String, found: &mut Vec<(String, String, Value)>) {
    match node {
        Value::Object(map) => {
            // A component's own title does not name its type (its key does).
            let component = at.starts_with("/components/") && at.matches('/').count() == 3;
            if let (Some(Value::String(title)), Some(Value::Array(_)), false) =
                (map.get("title"), map.get("enum"), component)
            {
                let what = serde_json::json!([map.get("enum"), map.get("default")]);
                found.push((at.clone(), title.clone(), what));
            }
            for (key, value) in map {
                if DATA_KEYS.contains(&key.as_str()) || key.starts_with("x-") {
                    continue;
                }
                titled_enums(value, ptr(&at, key), found);
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                titled_enums(value, ptr(&at, &i.to_string()), found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(doc: Value) -> Spec {
        let text = serde_json::to_string_pretty(&doc).unwrap();
        apilogin_openapi::parse(std::path::Path::new("specs/x.json"), &text).unwrap()
    }

    #[test]
    fn annotation_only_unions_and_nullable_titles_like_their_keys_are_dropped() {
        let mut doc = json!({
            "openapi": "3.0.3", "info": {"title": "x", "version": "1"}, "paths": {},
            "components": {"schemas": {
                "send_date": {"type": "string", "anyOf": [{"format": "date-time"}, {"format": "date"}]},
                "limit": {"type": "number", "oneOf": [{"minimum": 0, "maximum": 10, "format": "int32"}]},
                "kept": {"anyOf": [{"type": "string"}, {"format": "date"}]},
                "campaign_id": {"title": "campaign_id", "type": "string", "nullable": true},
                "other": {"title": "Campaign", "type": "string", "nullable": true},
                "plain": {"title": "plain", "type": "string"}
            }}
        });
        let spec = spec(doc.clone());
        let mut notices = Vec::new();
        adapt(&spec, &mut doc, &mut notices);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["send_date"], json!({"type": "string"}));
        assert_eq!(schemas["limit"], json!({"type": "number"}));
        assert!(
            schemas["kept"]["anyOf"].is_array(),
            "a member with a type stays"
        );
        assert!(schemas["campaign_id"].get("title").is_none());
        assert_eq!(schemas["other"]["title"], "Campaign");
        assert_eq!(
            schemas["plain"]["title"], "plain",
            "not nullable: no wrapper, no clash"
        );
        let at: Vec<&str> = notices.iter().map(|n| n.pointer.as_str()).collect();
        assert_eq!(
            at,
            [
                "/components/schemas/send_date/anyOf",
                "/components/schemas/limit/oneOf",
                "/components/schemas/campaign_id/title"
            ]
        );
    }

    #[test]
    fn python_named_groups_become_ecmascript() {
        assert_eq!(
            ecmascript_pattern(r"data:(?P<mime>\w+)(?P=mime)\(?P<x>"),
            Some(r"data:(?<mime>\w+)\k<mime>\(?P<x>".to_string())
        );
        assert_eq!(ecmascript_pattern(r"^[a-z]+$"), None);
    }

    #[test]
    fn an_undefined_scheme_drops_its_requirement_with_a_notice() {
        let s = spec(json!({
            "openapi": "3.0.3", "info": {"title": "x", "version": "1.0.0"},
            "security": [{"nope": []}, {"key": []}],
            "paths": {"/a": {"get": {"security": [{"gone": []}], "responses": {}}}},
            "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "k"}}}
        }));
        let mut doc = s.doc.clone();
        let mut notices = Vec::new();
        adapt(&s, &mut doc, &mut notices);
        assert_eq!(doc["security"], json!([{"key": []}]));
        assert_eq!(doc["paths"]["/a"]["get"]["security"], json!([]));
        let at: Vec<&str> = notices.iter().map(|n| n.pointer.as_str()).collect();
        assert_eq!(at, ["/security/0", "/paths/~1a/get/security/0"]);
        assert!(notices[1].message.contains("`gone` is not in"));
        assert!(notices[1].line.is_some());
    }

    #[test]
    fn enum_beside_all_of_and_shared_enum_titles() {
        let s = spec(json!({
            "openapi": "3.0.3", "info": {"title": "x", "version": "1.0.0"}, "paths": {},
            "components": {"schemas": {
                "S": {"type": "string", "enum": ["a", "b"]},
                "A": {"type": "object", "properties": {
                    "s": {"type": "string", "enum": ["a"], "allOf": [{"$ref": "#/components/schemas/S"}]},
                    "kind": {"type": "string", "enum": ["a"], "default": "a", "title": "Kind"}}},
                "B": {"type": "object", "properties": {
                    "kind": {"type": "string", "enum": ["b"], "default": "b", "title": "Kind"},
                    "same": {"type": "string", "enum": ["c"], "title": "Same"}}},
                "C": {"properties": {"same": {"type": "string", "enum": ["c"], "title": "Same"}}}
            }}
        }));
        let mut doc = s.doc.clone();
        let mut notices = Vec::new();
        adapt(&s, &mut doc, &mut notices);
        let a = &doc["components"]["schemas"]["A"]["properties"];
        assert_eq!(a["s"], json!({"type": "string", "enum": ["a"]}));
        assert!(a["kind"].get("title").is_none());
        assert!(
            doc["components"]["schemas"]["B"]["properties"]["kind"]
                .get("title")
                .is_none()
        );
        assert_eq!(
            doc["components"]["schemas"]["C"]["properties"]["same"]["title"],
            "Same"
        );
        assert_eq!(notices.len(), 3, "{notices:?}");
    }
}
