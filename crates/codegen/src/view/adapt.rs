//! What a real OpenAPI 3.0 spec contains and progenitor 0.15 cannot take (issue 13): the checks
//! that list every problem of a spec before anything is generated, and the adaptations of the
//! code-generation view that make the rest generate. The rules are in the README section on
//! regen and in `tests/corpus/README.md`; each renamed or derived name is a notice.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use apilogin_openapi::Spec;
use apilogin_openapi::names::{rust_pascal, rust_snake};
use apilogin_openapi::refs::resolve;
use apilogin_openapi::walk::{operations, walk};
use apilogin_openapi::{SpecError, escape_token, pointer, ptr};

/// Method names the generated `Client` already has, or names whose builder struct would clash
/// with what `mod builder` imports (rule R). An operation named like one gets the suffix `_op`.
pub const RESERVED_METHODS: &[&str] = &[
    // what regen gives `Client` (crates/codegen: runtime.rs, security.rs)
    "new",
    "new_with_client",
    "with_credentials",
    "credentials",
    // progenitor_client::ClientInfo
    "api_version",
    "baseurl",
    "client",
    "inner",
    // progenitor_client::ClientHooks, called by every operation
    "pre",
    "exec",
    "post",
    // `use super::{…}` of progenitor's `mod builder`
    "error",
    "response_value",
    "byte_stream",
    "client_info",
    "client_hooks",
    "operation_info",
    "request_builder_ext",
];

/// Request media types progenitor 0.15 can send.
pub fn sendable(media: &str) -> bool {
    matches!(
        essence(media).as_str(),
        "application/json"
            | "application/x-www-form-urlencoded"
            | "text/plain"
            | "application/octet-stream"
    )
}

/// Request media types regen sends as a raw body with the caller's `Content-Type` (rule B):
/// everything progenitor 0.15 cannot send but structured JSON and XML (`multipart/form-data`,
/// `image/*`, `*/*`, `application/pdf`, `text/csv`…).
pub fn raw_sendable(media: &str) -> bool {
    let e = essence(media);
    !sendable(media) && !e.ends_with("json") && !e.ends_with("xml")
}

/// The media type without parameters, lower-cased (`application/json; charset=utf-8` →
/// `application/json`).
pub fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// A structured JSON media type other than `application/json` (`application/json-patch+json`,
/// `application/merge-patch+json`, `application/vnd.api+json`).
pub fn json_suffix(media: &str) -> bool {
    essence(media).ends_with("+json")
}

fn is_json(media: &str) -> bool {
    let e = essence(media);
    e == "application/json" || e.ends_with("+json")
}

// ---------------------------------------------------------------------------------------------
// Checks: every problem, located
// ---------------------------------------------------------------------------------------------

/// Every problem of `spec` that would make regen fail or generate wrong code, in document order.
pub fn check(spec: &Spec) -> Vec<SpecError> {
    let mut errors = Vec::new();
    check_paths(spec, &mut errors);
    check_operations(spec, &mut errors);
    check_properties(spec, &mut errors);
    errors
}

/// Rule P: a path key is `/` and RFC 3986 path characters, with `{name}` templates.
fn key_problems(key: &str) -> Vec<String> {
    let mut problems = Vec::new();
    // A `#fragment` after the path (Box: `/oauth2/token#refresh`, several operations of one
    // URL) is never sent: the view keeps the key, with a notice (`note_fragment_keys`).
    let (key, fragment) = match key.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (key, None),
    };
    if let Some(fragment) = fragment {
        if fragment.contains(['{', '}']) {
            problems
                .push("a template in the `#fragment` is never sent: move it before the `#`".into());
        }
        if let Some(c) = fragment.chars().find(|c| {
            !(c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/?%".contains(*c) || "{}".contains(*c))
        }) {
            problems.push(format!(
                "the character `{c}` is not allowed in a `#fragment`"
            ));
        }
    }
    if !key.starts_with('/') {
        problems.push(format!(
            "a path key must start with `/` (write `/{key}`); openapiv3 silently drops this one"
        ));
    }
    let mut open: Option<usize> = None;
    for (i, c) in key.char_indices() {
        match c {
            '{' if open.is_some() => problems.push("a `{` inside a template".into()),
            '{' => open = Some(i),
            '}' => match open.take() {
                None => problems.push("a `}` without a `{` before it".into()),
                Some(start) if start + 1 == i => {
                    problems.push("an empty template `{}`: name the parameter".into())
                }
                Some(_) => {}
            },
            '/' if open.is_some() => problems.push("a `/` inside a template".into()),
            _ if open.is_some() => {}
            c if c.is_whitespace() => problems.push(
                "a space (or other whitespace) is not allowed in a path; encode it as `%20` or \
                 remove the words after the path"
                    .into(),
            ),
            '?' => problems.push(
                "`?` starts a query: declare query parameters with `in: query`, not in the path key"
                    .into(),
            ),
            c if c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/%".contains(c) => {}
            c => problems.push(format!("the character `{c}` is not allowed in a path")),
        }
    }
    if open.is_some() {
        problems.push("an unclosed `{`".into());
    }
    problems.dedup();
    problems
}

fn templates(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = wire_path(key);
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + len].to_string());
        rest = &rest[start + len + 1..];
    }
    out
}

fn shape(key: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in key.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            _ if inside => {}
            c => out.push(c),
        }
    }
    out
}

/// The parameters that apply to an operation (path item's, overridden by the operation's), each
/// resolved, with the pointer where it is written.
fn effective_parameters(doc: &Value, path: &str, method: &str) -> Vec<(String, Value)> {
    let item = &doc["paths"][path];
    let mut out: Vec<(String, Value)> = Vec::new();
    let lists = [
        (
            ptr(&ptr("/paths", path), "parameters"),
            item.get("parameters"),
        ),
        (
            ptr(&ptr(&ptr("/paths", path), method), "parameters"),
            item[method].get("parameters"),
        ),
    ];
    for (at, list) in lists {
        for (i, p) in list
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let p = resolve(doc, p).clone();
            let id = (p.get("name").cloned(), p.get("in").cloned());
            out.retain(|(_, q)| (q.get("name").cloned(), q.get("in").cloned()) != id);
            out.push((format!("{at}/{i}"), p));
        }
    }
    out
}

fn check_paths(spec: &Spec, errors: &mut Vec<SpecError>) {
    let doc = &spec.doc;
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return;
    };
    for (key, item) in paths {
        let at = ptr("/paths", key);
        if key.starts_with("x-") {
            continue;
        }
        let problems = key_problems(key);
        if !problems.is_empty() {
            errors.push(spec.error(
                &at,
                format!("`{key}` is not a valid path: {}", problems.join("; ")),
            ));
            continue;
        }
        // Two keys that differ only in template names: a notice of
        // `note_template_name_variants`, and both are checked as any other path.
        let names = templates(key);
        for method in apilogin_openapi::walk::METHODS {
            if !item.get(*method).is_some_and(Value::is_object) {
                continue;
            }
            let params = effective_parameters(doc, key, method);
            let in_path: Vec<(&String, &str)> = params
                .iter()
                .filter(|(_, p)| p.get("in").and_then(Value::as_str) == Some("path"))
                .map(|(at, p)| (at, p.get("name").and_then(Value::as_str).unwrap_or("")))
                .collect();
            // A template without an `in: path` parameter is added to the view
            // (`add_missing_path_parameters`).
            for (p_at, name) in in_path {
                if !names.iter().any(|n| n == name) {
                    errors.push(spec.error(
                        p_at,
                        format!(
                            "the path parameter `{name}` is not a template of `{key}`; add \
                             `{{{name}}}` to the path key or make it `in: query`"
                        ),
                    ));
                }
            }
        }
    }
}

fn check_operations(spec: &Spec, errors: &mut Vec<SpecError>) {
    let doc = &spec.doc;
    let mut ids: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (path, method) in operations(doc) {
        let at = pointer(["paths", &path, &method]);
        let op = &doc["paths"][&path][&method];
        let params = effective_parameters(doc, &path, &method);
        let has_body = op.get("requestBody").is_some();
        let mut rust_names: BTreeMap<String, String> = BTreeMap::new();
        for (p_at, p) in &params {
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            match p.get("in").and_then(Value::as_str) {
                Some("cookie") => errors.push(spec.error(
                    p_at,
                    format!(
                        "the cookie parameter `{name}` is not supported by progenitor 0.15; if it \
                         carries a credential, declare an `apiKey` security scheme `in: cookie` \
                         instead, otherwise remove it"
                    ),
                )),
                Some("path") if p.get("required") != Some(&Value::Bool(true)) => {
                    errors.push(spec.error(
                        p_at,
                        format!(
                            "the path parameter `{name}` must say `required: true` (OpenAPI 3.0.3)"
                        ),
                    ))
                }
                _ => {}
            }
            let rust = rust_snake(name);
            let builder_own =
                rust == "send" || (has_body && matches!(rust.as_str(), "body" | "body_map"));
            // Query and header parameters are renamed in the view (rule C (d), see
            // `rename_colliding_parameters`); a path parameter's name is in the path template.
            let renamable = matches!(
                p.get("in").and_then(Value::as_str),
                Some("query" | "header")
            );
            if renamable {
                rust_names.entry(rust).or_insert_with(|| name.to_string());
            } else if builder_own {
                errors.push(spec.error(
                    p_at,
                    format!(
                        "the parameter `{name}` would become the builder method `{rust}()`, which \
                         the generated builder already has; regen cannot rename a parameter while \
                         keeping its wire name. Rename it in the spec if the server allows"
                    ),
                ));
            } else if let Some(first) = rust_names.insert(rust.clone(), name.to_string()) {
                errors.push(spec.error(
                    p_at,
                    format!(
                        "the parameters `{first}` and `{name}` both become the Rust name `{rust}`; \
                         regen cannot rename a parameter while keeping its wire name. Keep one of \
                         them"
                    ),
                ));
            }
        }
        if let Some(id) = op.get("operationId").and_then(Value::as_str) {
            if let Some((p, m)) = ids.get(id) {
                errors.push(spec.error(
                    format!("{at}/operationId"),
                    format!(
                        "operationId `{id}` is also used by {} {p}; operationIds must be unique \
                         (OpenAPI 3.0.3): rename one",
                        m.to_uppercase()
                    ),
                ));
            } else {
                ids.insert(id.to_string(), (path.clone(), method.clone()));
            }
        }
        let Some(body) = op.get("requestBody") else {
            continue;
        };
        let (body, body_at) =
            apilogin_openapi::refs::resolve_at(doc, body, &format!("{at}/requestBody"));
        let Some(content) = body.get("content").and_then(Value::as_object) else {
            continue;
        };
        // A body regen sends raw (multipart, images, …; see `raw_request_bodies`) is no problem.
        // A `+json` body is sent as JSON with its own `Content-Type` (`json_suffix_request_bodies`).
        let any_sendable = content
            .keys()
            .any(|m| sendable(m) || raw_sendable(m) || json_suffix(m));
        for media in content.keys() {
            let media_at = format!("{body_at}/content/{}", escape_token(media));
            if !any_sendable {
                errors.push(spec.error(
                    &media_at,
                    format!(
                        "request media type `{media}` is not supported by progenitor 0.15 (it \
                         sends application/json, application/x-www-form-urlencoded, text/plain \
                         and application/octet-stream; regen sends multipart and binary types \
                         as raw bytes); offer one of those beside it, or leave the operation out \
                         of this spec"
                    ),
                ));
            }
        }
    }
}

/// A top-level component schema (`/components/schemas/<name>`): its struct is named after it,
/// so [`rename_colliding_properties`] can find the struct again.
fn is_component(at: &str) -> bool {
    at.strip_prefix("/components/schemas/")
        .is_some_and(|rest| !rest.contains('/'))
}

/// Rule C (c): properties of one object that become the same Rust field. In a component schema
/// they are renamed (see [`rename_colliding_properties`]); elsewhere (an inline object, whose
/// struct name regen does not know) they are refused, located.
fn check_properties(spec: &Spec, errors: &mut Vec<SpecError>) {
    for (at, schema) in walk(&spec.doc).schemas {
        if is_component(&at) {
            continue;
        }
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for key in props.keys() {
            let rust = rust_snake(key);
            if let Some(first) = seen.get(&rust) {
                errors.push(spec.error(
                    ptr(&ptr(&at, "properties"), key),
                    format!(
                        "the properties `{first}` and `{key}` of this inline object both become \
                         the Rust field `{rust}`, which would not compile; regen renames such \
                         fields only in component schemas. Move the object to \
                         `components/schemas` and `$ref` it, or keep one of the properties"
                    ),
                ));
            } else {
                seen.insert(rust, key);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Adaptations of the view, each with a notice
// ---------------------------------------------------------------------------------------------

/// A property renamed in the view: typify makes the field `field` of the struct `schema`
/// (a component key of the view); the generated field must carry `#[serde(rename = wire)]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRename {
    pub schema: String,
    pub field: String,
    pub wire: String,
}

/// Rule C (c) for component schemas: the first property (in document order) keeps its Rust
/// field; a later one whose field would be the same is renamed in the view to `<field>_2`,
/// `_3`… (a key typify keeps as the field name), and regen's syntax-tree pass gives that
/// field back its wire name with `#[serde(rename = "…")]`.
pub fn rename_colliding_properties(
    spec: &Spec,
    doc: &mut Value,
    notices: &mut Vec<SpecError>,
) -> Vec<FieldRename> {
    let mut renames = Vec::new();
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return renames;
    };
    for (name, schema) in schemas.iter_mut() {
        let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            continue;
        };
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut changes: Vec<(String, String)> = Vec::new();
        for key in props.keys() {
            let rust = rust_snake(key);
            if taken.contains(&rust) {
                let new = smallest_free(&rust, "_", &taken);
                taken.insert(new.clone());
                changes.push((key.clone(), new));
            } else {
                taken.insert(rust);
            }
        }
        if changes.is_empty() {
            continue;
        }
        let old = std::mem::take(props);
        for (k, v) in old {
            match changes.iter().find(|(wire, _)| *wire == k) {
                Some((_, new)) => props.insert(new.clone(), v),
                None => props.insert(k, v),
            };
        }
        if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
            for r in required.iter_mut() {
                if let Some((_, new)) = changes
                    .iter()
                    .find(|(wire, _)| Some(wire.as_str()) == r.as_str())
                {
                    *r = json!(new);
                }
            }
        }
        for (wire, field) in changes {
            notices.push(spec.error(
                pointer(["components", "schemas", name, "properties", &wire]),
                format!(
                    "the property `{wire}` becomes the Rust field `{field}` (serde still \
                     reads and writes `{wire}`): an earlier property of `{name}` has the \
                     field name it would get"
                ),
            ));
            renames.push(FieldRename {
                schema: name.clone(),
                field,
                wire,
            });
        }
    }
    renames
}

/// A query or header parameter renamed in the view: progenitor names the builder field and
/// setter after `field` and sends `field` as the name, so regen's token pass puts `wire` back
/// as the name sent, in the builders of the operation `operation` (and its split variants).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamRename {
    /// The operationId in the view.
    pub operation: String,
    pub field: String,
    pub wire: String,
}

/// The builder's own methods a parameter must not be named like (rule R).
const BUILDER_METHODS: &[&str] = &["send", "body", "body_map"];

/// Rule C (d) and R for parameters: in each operation (in document order, path-item parameters
/// first), a query or header parameter whose Rust name is taken by an earlier one gets `_2`,
/// `_3`…, and one named like a builder method (`send`, `body`, `body_map`) gets `_param`. The
/// renamed parameters are written into the operation (with the path item's, which are then
/// copied to every operation of the item).
pub fn rename_colliding_parameters(
    spec: &Spec,
    doc: &mut Value,
    notices: &mut Vec<SpecError>,
) -> Vec<ParamRename> {
    let mut renames = Vec::new();
    let mut items_to_flatten: BTreeSet<String> = BTreeSet::new();
    let mut per_op: Vec<(String, String, Vec<Value>)> = Vec::new();
    for (path, method) in operations(doc) {
        let params = effective_parameters(doc, &path, &method);
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut changed = false;
        let mut list = Vec::new();
        let id = doc["paths"][&path][&method]
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        for (p_at, mut p) in params {
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let renamable = matches!(
                p.get("in").and_then(Value::as_str),
                Some("query" | "header")
            );
            let mut rust = rust_snake(&name);
            let mut why = Vec::new();
            if renamable && BUILDER_METHODS.contains(&rust.as_str()) {
                why.push(format!("`{rust}()` is a method of the generated builder"));
                rust = format!("{rust}_param");
            }
            if renamable && taken.contains(&rust) {
                why.push(format!("`{rust}` is taken by an earlier parameter"));
                rust = smallest_free(&rust, "_", &taken);
            }
            taken.insert(rust.clone());
            if !why.is_empty() {
                notices.push(spec.error(
                    &p_at,
                    format!(
                        "the parameter `{name}` is the builder method `{rust}()` ({}); it is still \
                         sent as `{name}`",
                        why.join(", and ")
                    ),
                ));
                p["name"] = json!(rust);
                renames.push(ParamRename {
                    operation: id.clone(),
                    field: rust,
                    wire: name,
                });
                changed = true;
            }
            list.push(p);
        }
        if changed {
            items_to_flatten.insert(path.clone());
            per_op.push((path, method, list));
        }
    }
    // Every operation of an item that changed gets its full list; the item's own list goes.
    for path in &items_to_flatten {
        for method in apilogin_openapi::walk::METHODS {
            if !doc["paths"][path]
                .get(*method)
                .is_some_and(Value::is_object)
            {
                continue;
            }
            let list = match per_op.iter().find(|(p, m, _)| p == path && m == method) {
                Some((_, _, list)) => list.clone(),
                None => effective_parameters(doc, path, method)
                    .into_iter()
                    .map(|(_, p)| p)
                    .collect(),
            };
            doc["paths"][path][*method]["parameters"] = Value::Array(list);
        }
        if let Some(item) = doc["paths"][path].as_object_mut() {
            item.remove("parameters");
        }
    }
    renames
}

/// Rule X: an unsupported request media type beside a supported one is left out of the view.
pub fn drop_unsendable_alternatives(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) {
    for (path, method) in operations(doc) {
        let at = pointer(["paths", &path, &method]);
        let Some(body) = doc["paths"][&path][&method].get("requestBody") else {
            continue;
        };
        let (resolved, body_at) =
            apilogin_openapi::refs::resolve_at(doc, body, &format!("{at}/requestBody"));
        let mut resolved = resolved.clone();
        let Some(content) = resolved.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        if !content.keys().any(|m| sendable(m)) || content.keys().all(|m| sendable(m)) {
            continue;
        }
        let kept: Vec<String> = content.keys().filter(|m| sendable(m)).cloned().collect();
        for media in content.keys().filter(|m| !sendable(m)) {
            notices.push(spec.error(
                format!("{body_at}/content/{}", escape_token(media)),
                format!(
                    "request media type `{media}` is not supported by progenitor 0.15; the \
                     generated client sends this body as {} only",
                    kept.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        content.retain(|m, _| sendable(m));
        doc["paths"][&path][&method]["requestBody"] = resolved;
    }
}

/// Rule P: two path keys that differ only in their template names (`/a/{id}`, `/a/{name}`).
/// OpenAPI 3.0.3 forbids them, yet progenitor takes both as they are, each with its own
/// parameter names: a notice at the later key, and both operations generate.
pub fn note_template_name_variants(spec: &Spec, doc: &Value, notices: &mut Vec<SpecError>) {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return;
    };
    let mut shapes: BTreeMap<String, &str> = BTreeMap::new();
    for (key, item) in paths {
        if key.starts_with("x-") || !key_problems(key).is_empty() {
            continue;
        }
        let Some(first) = shapes.get(&shape(key)).copied() else {
            shapes.insert(shape(key), key);
            continue;
        };
        let both: Vec<String> = apilogin_openapi::walk::METHODS
            .iter()
            .filter(|m| item.get(**m).is_some() && paths[first].get(**m).is_some())
            .map(|m| m.to_uppercase())
            .collect();
        let clash = if both.is_empty() {
            String::new()
        } else {
            format!(
                "; both have {}, and the server answers only one of them",
                both.join(", ")
            )
        };
        notices.push(spec.error(
            ptr("/paths", key),
            format!(
                "`{key}` is the same path as `{first}` with other template names (OpenAPI 3.0.3 \
                 forbids that): regen generates the operations of both, each with the parameter \
                 names of its own key{clash}"
            ),
        ));
    }
}

/// A raw-body schema as progenitor 0.15 needs it: a plain string, `format: binary` for
/// `application/octet-stream` and no format for `text/plain`.
fn raw_schema_ok(doc: &Value, media: &str, schema: &Value) -> bool {
    let schema = resolve(doc, schema);
    let format = schema.get("format").and_then(Value::as_str);
    let wanted = if essence(media) == "application/octet-stream" {
        Some("binary")
    } else {
        None
    };
    schema.get("type").and_then(Value::as_str) == Some("string")
        && format == wanted
        && [
            "pattern",
            "minLength",
            "maxLength",
            "enum",
            "default",
            "discriminator",
        ]
        .iter()
        .all(|k| schema.get(*k).is_none())
        && schema.get("nullable") != Some(&Value::Bool(true))
}

/// Marks the `Content-Type` header parameter [`raw_request_bodies`] adds to an operation: an
/// operation split without its body (`view::split_optional_bodies`) leaves it out too.
pub const FOR_RAW_BODY: &str = "x-apilogin-raw-body-content-type";

/// Rule B for requests. A body progenitor 0.15 cannot send, offered only as `multipart/*`, an
/// image, `*/*` or any other type that is neither JSON nor XML, is sent as raw bytes in the view
/// (`application/octet-stream` with `{type: string, format: binary}`) and the operation gets
/// a required `Content-Type` header parameter (unless it has one): the caller gives the bytes
/// and the type (for multipart, with its boundary), and the header parameter replaces
/// progenitor's `application/octet-stream` on the wire. Raw bodies
/// (`application/octet-stream`, `text/plain`) whose schema progenitor refuses get the schema
/// it takes. A notice for each.
pub fn raw_request_bodies(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) {
    for (path, method) in operations(doc) {
        let at = pointer(["paths", &path, &method]);
        let Some(body) = doc["paths"][&path][&method].get("requestBody") else {
            continue;
        };
        let (resolved, body_at) =
            apilogin_openapi::refs::resolve_at(doc, body, &format!("{at}/requestBody"));
        let mut resolved = resolved.clone();
        let Some(content) = resolved.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        let id = doc["paths"][&path][&method]
            .get("operationId")
            .and_then(Value::as_str)
            .map(rust_snake)
            .unwrap_or_else(|| derived_operation_name(&method, &path));
        let media_at = |m: &str| format!("{body_at}/content/{}", escape_token(m));
        let binary = json!({"type": "string", "format": "binary"});
        let mut changed = false;
        let mut content_type: Option<String> = None;
        if content.keys().any(|m| sendable(m)) {
            for (media, entry) in content.iter_mut() {
                let raw = matches!(
                    essence(media).as_str(),
                    "application/octet-stream" | "text/plain"
                );
                let Some(schema) = entry.get("schema") else {
                    continue;
                };
                if !raw || raw_schema_ok(doc, media, schema) {
                    continue;
                }
                let (canonical, what) = if essence(media) == "text/plain" {
                    (json!({"type": "string"}), "`{type: string}` (raw text)")
                } else {
                    (
                        binary.clone(),
                        "`{type: string, format: binary}` (raw bytes)",
                    )
                };
                entry["schema"] = canonical;
                changed = true;
                notices.push(spec.error(
                    format!("{}/schema", media_at(media)),
                    format!(
                        "progenitor 0.15 sends a `{media}` body only with the schema {what}; the \
                         view uses that schema, so `{id}()` takes the body as it goes on the wire"
                    ),
                ));
            }
        } else if let Some(chosen) = content.keys().find(|m| raw_sendable(m)).cloned() {
            let raw_all: Vec<String> = content
                .keys()
                .filter(|m| raw_sendable(m))
                .cloned()
                .collect();
            for media in content.keys().filter(|m| **m != chosen) {
                let message = if raw_sendable(media) {
                    format!(
                        "`{media}` goes the same way as `{chosen}`: `{id}()` sends the body raw \
                         with `content_type(\"{}\")`",
                        essence(media)
                    )
                } else {
                    format!(
                        "request media type `{media}` is not supported by progenitor 0.15; the \
                         generated client sends this body raw, as `{}` only",
                        raw_all.join("`, `")
                    )
                };
                notices.push(spec.error(media_at(media), message));
            }
            let e = essence(&chosen);
            let how = if e.starts_with("multipart/") {
                format!(
                    "progenitor 0.15 cannot build `{chosen}` bodies: `{id}()` takes the encoded \
                     body as bytes (`body(…)`, the parts as the spec's schema describes them) and \
                     its `Content-Type` with the boundary (`content_type(\"{e}; boundary=…\")`)"
                )
            } else {
                format!(
                    "progenitor 0.15 sends raw bodies only as `application/octet-stream`: \
                     `{id}()` takes the body as bytes (`body(…)`) and the `Content-Type` to send \
                     (`content_type(…)`, `{}` in the spec)",
                    raw_all.join("`, `")
                )
            };
            notices.push(spec.error(media_at(&chosen), how));
            let entry = content.remove(&chosen).unwrap_or_default();
            let mut raw = json!({"schema": binary});
            if let Some(example) = entry.get("example") {
                raw["example"] = example.clone();
            }
            content.clear();
            content.insert("application/octet-stream".into(), raw);
            content_type = Some(raw_all.join("`, `"));
            changed = true;
        }
        if !changed {
            continue;
        }
        doc["paths"][&path][&method]["requestBody"] = resolved;
        let Some(chosen) = content_type else {
            continue;
        };
        let has_header = effective_parameters(doc, &path, &method)
            .iter()
            .any(|(_, p)| {
                p.get("in").and_then(Value::as_str) == Some("header")
                    && p.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case("content-type"))
            });
        if has_header {
            continue;
        }
        let op = &mut doc["paths"][&path][&method];
        if !op.get("parameters").is_some_and(Value::is_array) {
            op["parameters"] = json!([]);
        }
        if let Some(list) = op["parameters"].as_array_mut() {
            list.push(json!({
                "name": "Content-Type",
                "in": "header",
                "required": true,
                "description": format!(
                    "The media type of the body (the spec lists `{chosen}`). Added by `cargo xtask \
                     regen`: progenitor 0.15 sends raw bodies as `application/octet-stream`, and \
                     this header replaces that."
                ),
                "schema": {"type": "string"},
                FOR_RAW_BODY: true
            }));
        }
    }
}

/// Rule M: a media type without `schema`. JSON is any JSON value; text is a string; anything
/// else raw bytes.
pub fn fill_missing_schemas(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) {
    for (path, method) in operations(doc) {
        let at = pointer(["paths", &path, &method]);
        let mut targets: Vec<(Vec<String>, Value, String)> = Vec::new();
        let op = doc["paths"][&path][&method].clone();
        if let Some(body) = op.get("requestBody") {
            let (b, b_at) =
                apilogin_openapi::refs::resolve_at(doc, body, &format!("{at}/requestBody"));
            targets.push((vec!["requestBody".into()], b.clone(), b_at));
        }
        for (code, r) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let (r, r_at) = apilogin_openapi::refs::resolve_at(
                doc,
                r,
                &format!("{at}/responses/{}", escape_token(code)),
            );
            targets.push((vec!["responses".into(), code.clone()], r.clone(), r_at));
        }
        for (keys, mut node, node_at) in targets {
            let mut changed = false;
            for (media, entry) in node
                .get_mut("content")
                .and_then(Value::as_object_mut)
                .into_iter()
                .flatten()
            {
                let Some(entry) = entry.as_object_mut() else {
                    continue;
                };
                if entry.contains_key("schema") {
                    continue;
                }
                let (schema, what) = if is_json(media) {
                    (json!({}), "any JSON value (`serde_json::Value`)")
                } else if essence(media).starts_with("text/") {
                    (json!({"type": "string"}), "raw text")
                } else {
                    (json!({"type": "string", "format": "binary"}), "raw bytes")
                };
                entry.insert("schema".into(), schema);
                changed = true;
                notices.push(spec.error(
                    format!("{node_at}/content/{}", escape_token(media)),
                    format!("`{media}` has no `schema`: regen treats the body as {what}"),
                ));
            }
            if changed {
                let mut target = &mut doc["paths"][&path][&method];
                for k in &keys {
                    target = &mut target[k];
                }
                *target = node;
            }
        }
    }
}

/// Rule D: `default` is an error response (as `4XX` and `5XX`) when the operation lists a 2xx,
/// otherwise the success response (`2XX`).
pub fn place_default_responses(doc: &mut Value) {
    for (path, method) in operations(doc) {
        let Some(responses) = doc["paths"][&path][&method]
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let Some(default) = responses.get("default").cloned() else {
            continue;
        };
        let has_success = responses.keys().any(|k| k.starts_with('2'));
        let mut out = Map::new();
        for (code, r) in std::mem::take(responses) {
            if code != "default" {
                out.insert(code, r);
            }
        }
        let codes: &[&str] = if has_success {
            &["4XX", "5XX"]
        } else {
            &["2XX"]
        };
        for code in codes {
            if !out.contains_key(*code) {
                out.insert((*code).to_string(), default.clone());
            }
        }
        *responses = out;
    }
}

fn smallest_free(base: &str, sep: &str, taken: &BTreeSet<String>) -> String {
    (2..)
        .map(|n| format!("{base}{sep}{n}"))
        .find(|c| !taken.contains(c))
        .expect("some suffix is free")
}

/// Rule method path segment words: `{p}` → `by_<p>`, `/` → `root`.
pub fn derived_operation_name(method: &str, path: &str) -> String {
    let mut words = vec![method.to_string()];
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let mut rest = segment;
        while !rest.is_empty() {
            match rest.find('{') {
                Some(start) => {
                    let literal = &rest[..start];
                    if !rust_snake(literal).is_empty() {
                        words.push(rust_snake(literal));
                    }
                    let end = rest[start..]
                        .find('}')
                        .map(|e| start + e)
                        .unwrap_or(rest.len());
                    let name = rust_snake(&rest[start + 1..end.min(rest.len())]);
                    words.push(format!("by_{name}"));
                    rest = rest.get(end + 1..).unwrap_or("");
                }
                None => {
                    if !rust_snake(rest).is_empty() {
                        words.push(rust_snake(rest));
                    }
                    rest = "";
                }
            }
        }
    }
    if words.len() == 1 {
        words.push("root".into());
    }
    words.join("_")
}

/// Rules N, R and C (a): every operation gets a method name that is unique, not one the client
/// already has. Names stay as written unless they must change.
pub fn name_operations(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) {
    let ops = operations(doc);
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut renames: Vec<(usize, String, String, bool)> = Vec::new();
    // Explicit ids first, then derived ones, each in document order.
    for derived in [false, true] {
        for (i, (path, method)) in ops.iter().enumerate() {
            let op = &doc["paths"][path][method];
            let explicit = op.get("operationId").and_then(Value::as_str);
            if explicit.is_some() == derived {
                continue;
            }
            let mut name = match explicit {
                Some(id) => rust_snake(id),
                None => derived_operation_name(method, path),
            };
            let mut why = Vec::new();
            if RESERVED_METHODS.contains(&name.as_str()) {
                why.push(format!(
                    "`{name}` is a method the generated client already has"
                ));
                name = format!("{name}_op");
            }
            if taken.contains(&name) {
                why.push(format!("`{name}` is taken by another operation"));
                name = smallest_free(&name, "_", &taken);
            }
            taken.insert(name.clone());
            match explicit {
                Some(id) if why.is_empty() && rust_snake(id) == name => {}
                Some(id) => renames.push((
                    i,
                    name.clone(),
                    format!(
                        "operationId `{id}`: {}; the method is `{name}()`",
                        why.join(", and ")
                    ),
                    true,
                )),
                None => {
                    let extra = if why.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", why.join(", and "))
                    };
                    renames.push((
                        i,
                        name.clone(),
                        format!(
                            "no operationId; the method is `{name}()`{extra}. Add an operationId \
                             to choose the name"
                        ),
                        false,
                    ))
                }
            }
        }
    }
    renames.sort_by_key(|r| r.0);
    for (i, name, message, explicit) in renames {
        let (path, method) = &ops[i];
        let at = pointer(["paths", path, method]);
        let at = if explicit {
            format!("{at}/operationId")
        } else {
            at
        };
        notices.push(spec.error(at, message));
        doc["paths"][path][method]["operationId"] = json!(name);
    }
}

/// Points every `$ref` to `from` (or inside it) at `to` instead.
pub fn rewrite_refs(node: &mut Value, from: &str, to: &str) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                if r == from {
                    *r = to.to_string();
                } else if let Some(rest) = r.strip_prefix(&format!("{from}/")) {
                    *r = format!("{to}/{rest}");
                }
            }
            map.values_mut().for_each(|v| rewrite_refs(v, from, to));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, from, to)),
        _ => {}
    }
}

/// Rule C (b): component schemas that become the same Rust type, and inline bodies that
/// progenitor would name like a component.
/// Returns the component schemas renamed (old key → new key).
pub fn name_types(
    spec: &Spec,
    doc: &mut Value,
    notices: &mut Vec<SpecError>,
) -> BTreeMap<String, String> {
    let keys: Vec<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    for key in &keys {
        let rust = rust_pascal(key);
        if taken.contains(&rust) {
            let new = smallest_free(&rust, "", &taken);
            notices.push(spec.error(
                pointer(["components", "schemas", key]),
                format!(
                    "the schema `{key}` becomes the Rust type `{new}`: `{rust}` is taken by an \
                     earlier schema whose name differs only in case or separators"
                ),
            ));
            taken.insert(new.clone());
            renames.insert(key.clone(), new);
        } else {
            taken.insert(rust);
        }
    }
    if !renames.is_empty() {
        for (old, new) in &renames {
            rewrite_refs(
                doc,
                &format!("#/components/schemas/{}", escape_token(old)),
                &format!("#/components/schemas/{}", escape_token(new)),
            );
        }
        let schemas = doc["components"]["schemas"]
            .as_object_mut()
            .expect("listed above");
        let old = std::mem::take(schemas);
        for (k, v) in old {
            let k = renames.get(&k).cloned().unwrap_or(k);
            schemas.insert(k, v);
        }
    }

    // Inline bodies progenitor names `<Operation>Body` / `<Operation>Response`.
    let mut hoisted: Vec<(String, Value)> = Vec::new();
    for (path, method) in operations(doc) {
        let op_at = pointer(["paths", &path, &method]);
        let Some(id) = doc["paths"][&path][&method]
            .get("operationId")
            .and_then(Value::as_str)
        else {
            continue;
        };
        let base = rust_pascal(id);
        let mut places: Vec<(Vec<String>, String)> = Vec::new();
        let op = doc["paths"][&path][&method].clone();
        if let Some(content) = op
            .pointer("/requestBody/content")
            .and_then(Value::as_object)
        {
            for media in content.keys() {
                places.push((
                    vec!["requestBody".into(), "content".into(), media.clone()],
                    format!("{base}Body"),
                ));
            }
        }
        for (code, r) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            for media in r
                .get("content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|c| c.0)
            {
                places.push((
                    vec![
                        "responses".into(),
                        code.clone(),
                        "content".into(),
                        media.clone(),
                    ],
                    format!("{base}Response"),
                ));
            }
        }
        for (keys, name) in places {
            if !taken.contains(&name) {
                continue;
            }
            let mut node = &mut doc["paths"][&path][&method];
            for k in &keys {
                node = &mut node[k];
            }
            let Some(schema) = node.get("schema") else {
                continue;
            };
            let named = schema.get("$ref").is_none()
                && (schema.get("properties").is_some()
                    || schema.get("type").and_then(Value::as_str) == Some("object")
                    || ["oneOf", "anyOf", "allOf", "enum"]
                        .iter()
                        .any(|k| schema.get(*k).is_some()));
            if !named {
                continue;
            }
            let new = smallest_free(&name, "", &taken);
            taken.insert(new.clone());
            let schema = node["schema"].take();
            node["schema"] = json!({ "$ref": format!("#/components/schemas/{new}") });
            let at = format!(
                "{op_at}/{}/schema",
                keys.iter()
                    .map(|k| escape_token(k))
                    .collect::<Vec<_>>()
                    .join("/")
            );
            notices.push(spec.error(
                at,
                format!(
                    "this inline schema becomes the Rust type `{new}`: `{name}`, the name \
                     progenitor gives it, is a component schema"
                ),
            ));
            hoisted.push((new, schema));
        }
    }
    if !hoisted.is_empty() {
        let root = doc.as_object_mut().expect("a mapping");
        let components = root.entry("components").or_insert_with(|| json!({}));
        let schemas = components
            .as_object_mut()
            .map(|c| c.entry("schemas").or_insert_with(|| json!({})));
        if let Some(Value::Object(schemas)) = schemas {
            for (name, schema) in hoisted {
                schemas.insert(name, schema);
            }
        }
    }
    renames
}

/// A `content` map written as a `$ref` (Redocly bundles write `content: {$ref:
/// '#/components/mediaTypes/x'}`; OpenAPI 3.0 allows no `$ref` there, and openapiv3 refuses
/// the document): the view copies the referenced media types in place, a notice each. Runs
/// before the checks, on the document every later step reads.
pub fn inline_content_refs(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) {
    fn visit(
        root: &Value,
        node: &Value,
        at: &str,
        parent: &str,
        found: &mut Vec<(String, Value, String)>,
    ) {
        match node {
            Value::Object(map) => {
                for (key, value) in map {
                    if key.starts_with("x-") || key == "example" || key == "examples" {
                        continue;
                    }
                    let here = ptr(at, key);
                    if key == "content" && parent != "properties" {
                        let target = value
                            .as_object()
                            .filter(|m| m.len() == 1)
                            .and_then(|m| m.get("$ref"))
                            .and_then(Value::as_str);
                        if let Some(target) = target {
                            let resolved = target
                                .strip_prefix('#')
                                .and_then(|p| root.pointer(p))
                                .filter(|v| {
                                    v.as_object()
                                        .is_some_and(|m| m.keys().all(|k| k.contains('/')))
                                });
                            if let Some(resolved) = resolved {
                                found.push((here, resolved.clone(), target.to_string()));
                                continue;
                            }
                        }
                    }
                    visit(root, value, &here, key, found);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    visit(root, item, &format!("{at}/{i}"), "", found);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    for top in ["paths", "components"] {
        if let Some(node) = doc.get(top) {
            visit(doc, node, &format!("/{top}"), top, &mut found);
        }
    }
    for (at, content, target) in found {
        if let Some(slot) = doc.pointer_mut(&at) {
            *slot = content;
        }
        notices.push(spec.error(
            at,
            format!(
                "`content` is a `$ref` to `{target}`, which OpenAPI 3.0 does not allow here \
                 (a bundler's shortcut); the view copies the media types it names in place"
            ),
        ));
    }
}

/// A query parameter in a style progenitor 0.15 cannot send (`deepObject`, `spaceDelimited`,
/// `pipeDelimited`; it sends `form` only, and refuses the whole spec otherwise). Sending it as
/// `form` would put other names on the wire (`gt=…` instead of `date_created[gt]=…`), so an
/// optional one is left out of the view: the generated method cannot send it. A notice per
/// parameter as written (a shared `components/parameters` entry once, naming how many
/// operations use it). A required one stays, and progenitor's refusal names it.
pub fn drop_unsupported_query_styles(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) {
    let mut dropped: BTreeMap<String, (String, String, Vec<String>)> = BTreeMap::new();
    for (path, method) in operations(doc) {
        let at = pointer(["paths", &path, &method]);
        let id = doc["paths"][&path][&method]
            .get("operationId")
            .and_then(Value::as_str)
            .map(rust_snake)
            .unwrap_or_else(|| derived_operation_name(&method, &path));
        let mut lists = Vec::new();
        if doc["paths"][&path]
            .get("parameters")
            .is_some_and(Value::is_array)
        {
            lists.push((ptr(&ptr("/paths", &path), "parameters"), true));
        }
        if doc["paths"][&path][&method]
            .get("parameters")
            .is_some_and(Value::is_array)
        {
            lists.push((ptr(&at, "parameters"), false));
        }
        let mut removed_here: Vec<String> = Vec::new();
        for (list_at, item_level) in lists {
            let list = if item_level {
                doc["paths"][&path]["parameters"].clone()
            } else {
                doc["paths"][&path][&method]["parameters"].clone()
            };
            let Some(items) = list.as_array() else {
                continue;
            };
            for (i, p) in items.iter().enumerate() {
                let (resolved, p_at) =
                    apilogin_openapi::refs::resolve_at(doc, p, &format!("{list_at}/{i}"));
                let style = resolved
                    .get("style")
                    .and_then(Value::as_str)
                    .unwrap_or("form");
                if resolved.get("in").and_then(Value::as_str) != Some("query")
                    || style == "form"
                    || resolved.get("required") == Some(&Value::Bool(true))
                {
                    continue;
                }
                let name = resolved
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                removed_here.push(name.clone());
                dropped
                    .entry(p_at)
                    .or_insert_with(|| (name, style.to_string(), Vec::new()))
                    .2
                    .push(id.clone());
            }
        }
        if removed_here.is_empty() {
            continue;
        }
        // The operation's own list, with the path item's copied in (other operations of the
        // item keep theirs), without the dropped ones.
        let kept: Vec<Value> = effective_parameters(doc, &path, &method)
            .into_iter()
            .filter(|(_, p)| {
                !(p.get("in").and_then(Value::as_str) == Some("query")
                    && p.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| removed_here.iter().any(|r| r == n)))
            })
            .map(|(_, p)| p)
            .collect();
        doc["paths"][&path][&method]["parameters"] = Value::Array(kept);
        // A dropped parameter of the path item applies to each of its operations: it goes from
        // the item's list too (each operation drops it, as it is optional).
        let resolved_item: Vec<Value> = doc["paths"][&path]
            .get("parameters")
            .and_then(Value::as_array)
            .map(|l| l.iter().map(|p| resolve(doc, p).clone()).collect())
            .unwrap_or_default();
        if let Some(list) = doc["paths"][&path]
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
        {
            let mut i = 0;
            list.retain(|_| {
                let p = &resolved_item[i];
                i += 1;
                !(p.get("in").and_then(Value::as_str) == Some("query")
                    && p.get("style").and_then(Value::as_str).unwrap_or("form") != "form"
                    && p.get("required") != Some(&Value::Bool(true)))
            });
        }
    }
    for (at, (name, style, ops)) in dropped {
        let which = if ops.len() == 1 {
            format!("`{}()` cannot send it", ops[0])
        } else {
            format!(
                "the {} operations that use it (`{}()`, …) cannot send it",
                ops.len(),
                ops[0]
            )
        };
        notices.push(spec.error(
            at,
            format!(
                "the optional query parameter `{name}` has `style: {style}`, and progenitor 0.15 \
                 sends only `style: form` (as `form` it would go on the wire under other names); \
                 the view leaves it out, so {which}"
            ),
        ));
    }
}

/// Rule P: a path template without an `in: path` parameter on an operation (@nestjs/swagger
/// writes `{prop}` for its wildcard and `:colon` routes without declaring it). The view adds
/// the parameter to the operation, `{type: string}` and required (progenitor asserts a
/// template has one), a notice each. The path item's own list is left alone.
pub fn add_missing_path_parameters(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) {
    let keys: Vec<String> = doc
        .get("paths")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for key in keys {
        if key.starts_with("x-") || !key_problems(&key).is_empty() {
            continue;
        }
        let names = templates(&key);
        for method in apilogin_openapi::walk::METHODS {
            if !doc["paths"][&key]
                .get(*method)
                .is_some_and(Value::is_object)
            {
                continue;
            }
            let declared: Vec<String> = effective_parameters(doc, &key, method)
                .iter()
                .filter(|(_, p)| p.get("in").and_then(Value::as_str) == Some("path"))
                .filter_map(|(_, p)| p.get("name").and_then(Value::as_str).map(str::to_string))
                .collect();
            for name in names.iter().filter(|n| !declared.contains(n)) {
                let op = &mut doc["paths"][&key][*method];
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(rust_snake)
                    .unwrap_or_else(|| derived_operation_name(method, &key));
                if !op.get("parameters").is_some_and(Value::is_array) {
                    op["parameters"] = json!([]);
                }
                if let Some(list) = op["parameters"].as_array_mut() {
                    list.push(json!({
                        "name": name,
                        "in": "path",
                        "required": true,
                        "description": "Added by `cargo xtask regen`: the path template has no \
                                        `in: path` parameter in the spec.",
                        "schema": {"type": "string"}
                    }));
                }
                notices.push(spec.error(
                    ptr(&ptr("/paths", &key), method),
                    format!(
                        "the path template `{{{name}}}` has no `in: path` parameter here (OpenAPI \
                         requires one); the view adds `{{name: {name}, in: path, required: true, \
                         schema: {{type: string}}}}`, so `{id}()` takes `{}(…)` as a string, \
                         percent-encoded into the path",
                        rust_snake(name)
                    ),
                ));
            }
        }
    }
}

/// Rule P: a path key with a `#fragment` (Box lists several operations of one URL as
/// `/oauth2/token#refresh`, `/files/{file_id}#add_shared_link`). A fragment is never sent
/// (the generated client's URL has it, `http::Uri` drops it before the request line), so the
/// view keeps the key as written: progenitor sees one path per key, and two operations with
/// the same method and URL both generate. A notice per key.
pub fn note_fragment_keys(spec: &Spec, doc: &Value, notices: &mut Vec<SpecError>) {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return;
    };
    for (key, item) in paths {
        let Some((url, fragment)) = key.split_once('#') else {
            continue;
        };
        if key.starts_with("x-") || !key_problems(key).is_empty() {
            continue;
        }
        let methods: Vec<&str> = apilogin_openapi::walk::METHODS
            .iter()
            .copied()
            .filter(|m| item.get(*m).is_some_and(Value::is_object))
            .collect();
        let ops: Vec<String> = methods
            .iter()
            .map(|m| {
                let id = item[*m]
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(rust_snake)
                    .unwrap_or_else(|| derived_operation_name(m, key));
                format!("`{id}()` ({} {url})", m.to_uppercase())
            })
            .collect();
        // Other keys of the same URL with an operation of the same method.
        let same: Vec<String> = paths
            .iter()
            .filter(|(k, _)| *k != key && wire_path(k) == url)
            .flat_map(|(k, other)| {
                methods
                    .iter()
                    .filter(|m| other.get(**m).is_some_and(Value::is_object))
                    .map(move |m| format!("{} {k}", m.to_uppercase()))
            })
            .collect();
        let shared = if same.is_empty() {
            String::new()
        } else {
            format!(
                "; the server tells it apart from {} by the request alone",
                same.join(", ")
            )
        };
        notices.push(spec.error(
            ptr("/paths", key),
            format!(
                "`#{fragment}` is a URL fragment, which is never sent: {} sends its request to \
                 `{url}` (the view keeps the key, so each operation generates{shared})",
                if ops.is_empty() {
                    "each operation here".to_string()
                } else {
                    ops.join(", ")
                }
            ),
        ));
    }
}

/// What a request body's `encoding` object asks for, per property, in words.
fn describe_encoding(encoding: &Map<String, Value>) -> Vec<String> {
    encoding
        .iter()
        .map(|(prop, e)| {
            let mut asks = Vec::new();
            if let Some(style) = e.get("style").and_then(Value::as_str) {
                let explode = e.get("explode").and_then(Value::as_bool);
                asks.push(match explode {
                    Some(x) => format!("`style: {style}, explode: {x}`"),
                    None => format!("`style: {style}`"),
                });
            } else if let Some(x) = e.get("explode").and_then(Value::as_bool) {
                asks.push(format!("`explode: {x}`"));
            }
            if let Some(ct) = e.get("contentType").and_then(Value::as_str) {
                asks.push(format!("`contentType: {ct}`"));
            }
            if e.get("allowReserved") == Some(&Value::Bool(true)) {
                asks.push("`allowReserved: true`".into());
            }
            if e.get("headers").is_some() {
                asks.push("part `headers`".into());
            }
            if asks.is_empty() {
                asks.push("nothing beyond the defaults".into());
            }
            format!("`{prop}`: {}", asks.join(", "))
        })
        .collect()
}

/// An `encoding` object on a form or JSON request body makes progenitor 0.15 panic ("media type
/// encoding"). The view leaves it out, a notice each saying what it asked for and what the
/// generated client sends instead: a form goes through `serde_urlencoded`, which writes each
/// top-level field as `name=value` (form style, exploded, reserved characters
/// percent-encoded) and refuses nested objects and arrays (the call fails with
/// `Error::InvalidRequest` when such a field is set; `style: deepObject`'s `a[b]=c` is never
/// written); per-property `contentType` and `headers` do not exist in a urlencoded body.
/// On JSON, OpenAPI defines no `encoding` at all. Multipart bodies are sent raw (rule B),
/// their `encoding` describes what the caller encodes.
pub fn drop_request_encodings(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) {
    for (path, method) in operations(doc) {
        let at = pointer(["paths", &path, &method]);
        let Some(body) = doc["paths"][&path][&method].get("requestBody") else {
            continue;
        };
        let (resolved, body_at) =
            apilogin_openapi::refs::resolve_at(doc, body, &format!("{at}/requestBody"));
        let mut resolved = resolved.clone();
        let Some(content) = resolved.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        let id = doc["paths"][&path][&method]
            .get("operationId")
            .and_then(Value::as_str)
            .map(rust_snake)
            .unwrap_or_else(|| derived_operation_name(&method, &path));
        let json_too = content.keys().any(|m| essence(m) == "application/json");
        let mut changed = false;
        for (media, entry) in content.iter_mut() {
            if !(sendable(media) || json_suffix(media)) {
                continue;
            }
            let Some(entry) = entry.as_object_mut() else {
                continue;
            };
            let Some(encoding) = entry.remove("encoding") else {
                continue;
            };
            changed = true;
            let Some(encoding) = encoding.as_object().filter(|e| !e.is_empty()) else {
                continue;
            };
            let asks = describe_encoding(encoding).join("; ");
            let e = essence(media);
            let what = if e == "application/x-www-form-urlencoded" {
                let alternative = if json_too {
                    format!(
                        " This form is `{id}_form()`; the JSON method (`{id}()`) sends nested \
                         fields as JSON objects and arrays."
                    )
                } else {
                    String::new()
                };
                format!(
                    "progenitor 0.15 panics on it, so the view leaves it out. The generated client \
                     sends this form with `serde_urlencoded`: each top-level field as \
                     `name=value` (form style, exploded, reserved characters percent-encoded); \
                     `serde_urlencoded` refuses a nested object or array instead of writing \
                     `name[key]=value` (`style: deepObject`), so the call fails with \
                     `Error::InvalidRequest` when such a field is set; and per-property `contentType` or `headers` do not \
                     apply to a urlencoded body.{alternative}"
                )
            } else {
                format!(
                    "OpenAPI applies `encoding` only to multipart and form bodies, and progenitor \
                     0.15 panics on it, so the view leaves it out: `{media}` is sent as plain JSON"
                )
            };
            notices.push(spec.error(
                format!("{body_at}/content/{}/encoding", escape_token(media)),
                format!("this `encoding` asks for {asks}. {what}"),
            ));
        }
        if changed {
            doc["paths"][&path][&method]["requestBody"] = resolved;
        }
    }
}

/// A request body offered only as `+json` types (`application/json-patch+json`,
/// `application/merge-patch+json`) and nothing progenitor 0.15 sends: the view gives the first
/// one to progenitor as `application/json` (so the body is typed, and serialized as JSON), and
/// adds a required `Content-Type` header parameter as for raw bodies (rule B): the caller
/// passes the spec's media type, which replaces progenitor's `application/json` on the wire.
/// Other media types of the body are left out. A notice each.
pub fn json_suffix_request_bodies(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) {
    for (path, method) in operations(doc) {
        let at = pointer(["paths", &path, &method]);
        let Some(body) = doc["paths"][&path][&method].get("requestBody") else {
            continue;
        };
        let (resolved, body_at) =
            apilogin_openapi::refs::resolve_at(doc, body, &format!("{at}/requestBody"));
        let mut resolved = resolved.clone();
        let Some(content) = resolved.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        if content.keys().any(|m| sendable(m) || raw_sendable(m)) {
            continue;
        }
        let Some(chosen) = content.keys().find(|m| json_suffix(m)).cloned() else {
            continue;
        };
        let id = doc["paths"][&path][&method]
            .get("operationId")
            .and_then(Value::as_str)
            .map(rust_snake)
            .unwrap_or_else(|| derived_operation_name(&method, &path));
        let media_at = |m: &str| format!("{body_at}/content/{}", escape_token(m));
        let e = essence(&chosen);
        for media in content.keys().filter(|m| **m != chosen) {
            notices.push(spec.error(
                media_at(media),
                format!(
                    "request media type `{media}` is not supported by progenitor 0.15; `{id}()` \
                     sends this body as `{e}` only"
                ),
            ));
        }
        notices.push(spec.error(
            media_at(&chosen),
            format!(
                "progenitor 0.15 sends structured bodies only as `application/json`: `{id}()` \
                 serializes the typed body as JSON and takes the `Content-Type` to send \
                 (`content_type(\"{e}\")`), which replaces `application/json` on the wire"
            ),
        ));
        let entry = content.remove(&chosen).unwrap_or_default();
        content.clear();
        content.insert("application/json".into(), entry);
        doc["paths"][&path][&method]["requestBody"] = resolved;
        let has_header = effective_parameters(doc, &path, &method)
            .iter()
            .any(|(_, p)| {
                p.get("in").and_then(Value::as_str) == Some("header")
                    && p.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case("content-type"))
            });
        if has_header {
            continue;
        }
        let op = &mut doc["paths"][&path][&method];
        if !op.get("parameters").is_some_and(Value::is_array) {
            op["parameters"] = json!([]);
        }
        if let Some(list) = op["parameters"].as_array_mut() {
            list.push(json!({
                "name": "Content-Type",
                "in": "header",
                "required": true,
                "description": format!(
                    "The media type of the body: `{e}` (the spec's). Added by `cargo xtask regen`: \
                     progenitor 0.15 sends JSON bodies as `application/json`, and this header \
                     replaces that."
                ),
                "schema": {"type": "string"},
                FOR_RAW_BODY: true
            }));
        }
    }
}

/// The URL path of path key `key`: what goes on the wire, without the `#fragment` that a spec
/// (Box's several operations of one URL) or the view (a split operation, `{key}#form`) gives a
/// key to tell operations of one URL apart. The one place a key is split at `#`.
pub fn wire_path(key: &str) -> &str {
    key.split_once('#').map_or(key, |(path, _)| path)
}

/// The path key of the spec file an operation of the view comes from: the key itself, or, for
/// a key the view added for a split operation (`{key}#form`, `{key}#body`, `{key}-body`), the
/// spec's key it was made from. Spec keys may have a `#fragment` of their own (Box's).
pub fn written_key<'a>(spec_doc: &Value, key: &'a str) -> &'a str {
    let in_spec = |k: &str| spec_doc["paths"].get(k).is_some();
    let mut candidate = key;
    loop {
        if in_spec(candidate) {
            return candidate;
        }
        let shorter = candidate
            .strip_suffix("-body")
            .or_else(|| candidate.rfind('#').map(|i| &candidate[..i]));
        match shorter {
            Some(s) => candidate = s,
            None => return wire_path(key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_names_follow_rule_n() {
        assert_eq!(
            derived_operation_name("get", "/users/{id}"),
            "get_users_by_id"
        );
        assert_eq!(
            derived_operation_name("patch", "/users/{userId}/sessions/{session-id}"),
            "patch_users_by_user_id_sessions_by_session_id"
        );
        assert_eq!(derived_operation_name("get", "/"), "get_root");
        assert_eq!(derived_operation_name("get", "/users/"), "get_users");
        assert_eq!(
            derived_operation_name("get", "/api/v1/health-check.json"),
            "get_api_v1_health_check_json"
        );
        assert_eq!(
            derived_operation_name("head", "/files/{name}.{ext}"),
            "head_files_by_name_by_ext"
        );
    }

    fn spec(doc: Value) -> Spec {
        Spec {
            id: "demo".into(),
            file: "specs/demo.yaml".into(),
            doc,
            text: String::new(),
        }
    }

    #[test]
    fn default_is_an_error_beside_a_2xx_and_the_success_without() {
        let mut doc = json!({"paths": {"/a": {
            "get": {"responses": {"200": {"description": "ok"}, "404": {"description": "no"}, "default": {"description": "d"}}},
            "put": {"responses": {"default": {"description": "d"}}}
        }}});
        place_default_responses(&mut doc);
        let get: Vec<_> = doc["paths"]["/a"]["get"]["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(get, ["200", "404", "4XX", "5XX"]);
        let put: Vec<_> = doc["paths"]["/a"]["put"]["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(put, ["2XX"]);
    }

    #[test]
    fn media_types_without_schema_get_one_with_a_notice() {
        let doc = json!({"paths": {"/a": {"post": {
            "operationId": "a",
            "requestBody": {"content": {"text/plain": {}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {}}}}
        }}}});
        let s = spec(doc.clone());
        let mut view = doc;
        let mut notices = Vec::new();
        fill_missing_schemas(&s, &mut view, &mut notices);
        let op = &view["paths"]["/a"]["post"];
        assert_eq!(
            op["requestBody"]["content"]["text/plain"]["schema"],
            json!({"type": "string"})
        );
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"],
            json!({})
        );
        assert_eq!(notices.len(), 2);
        assert_eq!(
            notices[0].pointer,
            "/paths/~1a/post/requestBody/content/text~1plain"
        );
    }

    #[test]
    fn reserved_and_colliding_operation_names_get_suffixes() {
        let doc = json!({"paths": {
            "/a": {"get": {"operationId": "getUser"}, "post": {"operationId": "post"}},
            "/b": {"get": {"operationId": "get_user"}},
            "/users/{id}": {"get": {}}
        }});
        let s = spec(doc.clone());
        let mut view = doc;
        let mut notices = Vec::new();
        name_operations(&s, &mut view, &mut notices);
        assert_eq!(view["paths"]["/a"]["get"]["operationId"], "getUser");
        assert_eq!(view["paths"]["/a"]["post"]["operationId"], "post_op");
        assert_eq!(view["paths"]["/b"]["get"]["operationId"], "get_user_2");
        assert_eq!(
            view["paths"]["/users/{id}"]["get"]["operationId"],
            "get_users_by_id"
        );
        assert_eq!(notices.len(), 3);
    }

    #[test]
    fn bad_path_keys_say_why() {
        assert!(key_problems("/good/{id}/items/{item-id}.json").is_empty());
        assert!(key_problems("/login - with Facebook")[0].contains("space"));
        assert!(key_problems("api/v1")[0].contains("/"));
        assert!(key_problems("/users/{id")[0].contains("{"));
        assert!(key_problems("/users/id}")[0].contains("}"));
        assert!(key_problems("/groups/{}")[0].contains("empty"));
        assert!(key_problems("/search?q={q}")[0].contains("?"));
        assert_eq!(shape("/teams/{slug}"), shape("/teams/{teamId}"));
    }
}
