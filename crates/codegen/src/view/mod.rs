//! The code-generation view of a spec.
//!
//! The spec files describe the servers as they are. progenitor 0.15 cannot take all of that: it
//! panics on a request body with two media types and on an operation whose success (or error)
//! responses have different schemas. So regen derives, in memory only, a view it can take:
//!
//! * [`unify_responses`]: where one class of responses (2xx, or 4xx/5xx) has several JSON
//!   schemas, a `oneOf` union schema is added to `components/schemas` and every response of that
//!   class points to it; typify turns it into one enum. Where JSON is mixed with no body or
//!   another media type in one class, every response of that class is the raw body (rule B).
//! * [`split_request_media_types`]: a request body with several media types becomes one
//!   operation per media type. The JSON one keeps the `operationId`; the others get a suffix
//!   (`login` + `loginForm` → `login()` and `login_form()`).
//!
//! * [`unconstrain_secrets`]: `format: password` schemas lose `minLength`, `maxLength` and
//!   `pattern`, so that typify still makes them `Secret`.
//! * [`split_optional_bodies`]: progenitor ignores `requestBody.required: false`; an operation
//!   with an optional body becomes one without it and one (`{id}WithBody`) with it.
//!
//! Before those, [`build`] lowers OpenAPI 3.1 to 3.0 ([`lower31`], issue 22) and runs
//! the checks and adaptations of [`adapt`] (issues 13 and 22: the OpenAPI specs people
//! really write).
//!
//! The file itself is never edited.

pub mod adapt;
pub mod cycles;
pub mod lenient;
pub mod lower31;

use serde_json::{Map, Value, json};

use adapt::essence;
use apilogin_openapi::Spec;
use apilogin_openapi::names::{pascal, snake};
use apilogin_openapi::refs::resolve;
use apilogin_openapi::walk::operations;
use apilogin_openapi::{SpecError, escape_token, pointer};

/// The view progenitor is given, and the notices of how it differs from the spec (derived and
/// renamed names, filled-in schemas, left-out media types), each located in the spec.
#[derive(Debug, Clone)]
pub struct View {
    pub doc: Value,
    pub notices: Vec<SpecError>,
    /// Fields regen must give back their wire names (`#[serde(rename)]`) after progenitor:
    /// `schema` is the Rust type name.
    pub field_renames: Vec<adapt::FieldRename>,
    /// Query and header parameters regen must give back their wire names after progenitor.
    pub param_renames: Vec<adapt::ParamRename>,
}

/// Builds the view progenitor is given (the first problem only; see [`build`]).
#[cfg(test)]
pub fn codegen_view(spec: &Spec) -> Result<Value, SpecError> {
    build(spec)
        .map(|v| v.doc)
        .map_err(|mut errors| errors.remove(0))
}

/// Checks the spec and builds its view: every problem, or the view with its notices.
///
/// First the checks of [`adapt::check`] (path keys, parameters, request media types,
/// operationIds, properties), then the adaptations for what real specs contain (rules X, M, D,
/// N/R/C), then the ones for progenitor's limits (unions, splits). Every problem found on the
/// way is returned, at most one per JSON pointer.
pub fn build(spec: &Spec) -> Result<View, Vec<SpecError>> {
    let mut notices = Vec::new();
    // OpenAPI 3.1 is lowered first; everything after reads the lowered document (the lines
    // and pointers of notices are those of the file as written).
    let mut lowering_errors = Vec::new();
    let mut lowered_doc = spec.doc.clone();
    crate::view::lower31::lower(spec, &mut lowered_doc, &mut notices, &mut lowering_errors);
    adapt::inline_content_refs(spec, &mut lowered_doc, &mut notices);
    let lowered;
    let spec = if lowered_doc == spec.doc {
        spec
    } else {
        lowered = Spec {
            doc: lowered_doc,
            ..spec.clone()
        };
        &lowered
    };
    let mut errors = lowering_errors;
    errors.extend(adapt::check(spec));
    let mut doc = spec.doc.clone();
    adapt::add_missing_path_parameters(spec, &mut doc, &mut notices);
    adapt::note_fragment_keys(spec, &doc, &mut notices);
    adapt::note_template_name_variants(spec, &doc, &mut notices);
    adapt::drop_request_encodings(spec, &mut doc, &mut notices);
    adapt::drop_unsupported_query_styles(spec, &mut doc, &mut notices);
    adapt::json_suffix_request_bodies(spec, &mut doc, &mut notices);
    adapt::drop_unsendable_alternatives(spec, &mut doc, &mut notices);
    adapt::raw_request_bodies(spec, &mut doc, &mut notices);
    adapt::fill_missing_schemas(spec, &mut doc, &mut notices);
    crate::view::lenient::adapt(spec, &mut doc, &mut notices);
    crate::view::cycles::break_composition_cycles(spec, &mut doc, &mut notices, &mut errors);
    adapt::place_default_responses(&mut doc);
    adapt::name_operations(spec, &mut doc, &mut notices);
    let param_renames = adapt::rename_colliding_parameters(spec, &mut doc, &mut notices);
    let mut field_renames = adapt::rename_colliding_properties(spec, &mut doc, &mut notices);
    let type_renames = adapt::name_types(spec, &mut doc, &mut notices);
    for r in &mut field_renames {
        let key = type_renames.get(&r.schema).unwrap_or(&r.schema);
        r.schema = apilogin_openapi::names::rust_pascal(key);
    }
    // Every problem of every operation: each step goes on past the ones it finds.
    let mut later = Vec::new();
    type_json_suffix_responses(spec, &mut doc, &mut notices);
    unify_responses(spec, &mut doc, &mut notices, &mut later);
    split_request_media_types(spec, &mut doc, &mut notices, &mut later);
    split_optional_bodies(spec, &mut doc, &mut later);
    for e in later {
        if !errors
            .iter()
            .any(|known| e.pointer.starts_with(&known.pointer))
        {
            errors.push(e);
        }
    }
    unconstrain_secrets(&mut doc);
    // Document order (the line of each pointer), whatever adaptation found it.
    notices.sort_by_key(|n| n.line.unwrap_or(0));
    if errors.is_empty() {
        Ok(View {
            doc,
            notices,
            field_renames,
            param_renames,
        })
    } else {
        Err(errors)
    }
}

fn operation_id(spec: &Spec, op: &Value, at: &str) -> Result<String, SpecError> {
    op.get("operationId")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| {
            spec.error(
                at,
                "the operation has no `operationId`; it names the generated method",
            )
        })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Success,
    Error,
}

impl Class {
    fn of(code: &str) -> Option<Class> {
        match code.as_bytes().first() {
            Some(b'2') => Some(Class::Success),
            Some(b'4' | b'5') => Some(Class::Error),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Class::Success => "Success",
            Class::Error => "Error",
        }
    }
}

/// What progenitor sees of one response: a JSON schema, another body, or no body.
#[derive(Clone, PartialEq)]
enum Body {
    Json(Value),
    Other(String),
    Empty,
}

fn body_of(response: &Value) -> Body {
    let Some(content) = response.get("content").and_then(Value::as_object) else {
        return Body::Empty;
    };
    // progenitor picks the JSON entry when there is one, whatever else is listed.
    if let Some((_, media)) = content
        .iter()
        .find(|(k, _)| essence(k) == "application/json")
    {
        return Body::Json(media.get("schema").cloned().unwrap_or(Value::Null));
    }
    match content.keys().next() {
        Some(k) => Body::Other(k.clone()),
        None => Body::Empty,
    }
}

/// The media types a response of the view really has, where regen changed its `content` for
/// progenitor: the generated hooks check an answer's `Content-Type` against these (an empty
/// list: no body, nothing to check), not against the view's `content`.
pub const WIRE_MEDIA_TYPES: &str = "x-apilogin-media-types";

/// progenitor 0.15 types only `application/json` responses; a response whose only JSON is a
/// `+json` type (`application/problem+json`, `application/vnd.api+json`) would be raw bytes.
/// The view gives it to progenitor as `application/json` (the hooks still check the media
/// types the spec lists, [`WIRE_MEDIA_TYPES`]), a notice each.
pub fn type_json_suffix_responses(spec: &Spec, doc: &mut Value, notices: &mut Vec<SpecError>) {
    for (path, method) in operations(doc) {
        let written = adapt::written_key(&spec.doc, &path).to_string();
        let at = pointer(["paths", &written, &method]);
        let codes: Vec<String> = doc["paths"][&path][&method]
            .get("responses")
            .and_then(Value::as_object)
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default();
        for code in codes {
            let (response, r_at) = apilogin_openapi::refs::resolve_at(
                doc,
                &doc["paths"][&path][&method]["responses"][&code],
                &format!("{at}/responses/{}", apilogin_openapi::escape_token(&code)),
            );
            let Some(content) = response.get("content").and_then(Value::as_object) else {
                continue;
            };
            if response.get(WIRE_MEDIA_TYPES).is_some()
                || content.keys().any(|k| essence(k) == "application/json")
            {
                continue;
            }
            let Some(json) = content
                .keys()
                .find(|k| essence(k).ends_with("+json"))
                .cloned()
            else {
                continue;
            };
            let wire: Vec<Value> = content.keys().map(|k| json!(essence(k))).collect();
            let mut response = response.clone();
            let entry = content[&json].clone();
            response["content"] = json!({ "application/json": entry });
            response[WIRE_MEDIA_TYPES] = Value::Array(wire);
            notices.push(spec.error(
                format!("{r_at}/content/{}", apilogin_openapi::escape_token(&json)),
                format!(
                    "`{json}` is JSON: progenitor 0.15 types only `application/json`, so the view \
                     gives it this body as `application/json` (the answer's `Content-Type` is \
                     still checked against `{json}`)"
                ),
            ));
            doc["paths"][&path][&method]["responses"][&code] = response;
        }
    }
}

/// Where one class of responses (2xx, or 4xx/5xx) has several bodies:
///
/// * several JSON schemas: a `oneOf` union schema (`<Operation><Class>Body`) is added to
///   `components/schemas` and every response of that class points to it;
/// * JSON beside no body or another media type (rule B): progenitor 0.15 takes one kind of
///   body per class. Among error responses, the ones without JSON are left out of the view
///   (they arrive as `Error::UnexpectedResponse`, nothing lost) and the JSON type stays,
///   unless a JSON range such as `4XX` would catch them; then, and always for success
///   responses, only the raw body is right for all of them (a JSON type fails on an empty
///   204; unit would drop the JSON): every response of the class becomes the raw body
///   (`ByteStream`) in the view, with a notice for each response changed; the hooks still
///   check the media types the spec lists ([`WIRE_MEDIA_TYPES`]).
///
/// Every problem of every operation is reported.
pub fn unify_responses(
    spec: &Spec,
    doc: &mut Value,
    notices: &mut Vec<SpecError>,
    errors: &mut Vec<SpecError>,
) {
    for (path, method) in operations(doc) {
        let written = adapt::written_key(&spec.doc, &path).to_string();
        let at = pointer(["paths", &written, &method]);
        let op = doc["paths"][&path][&method].clone();
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            continue;
        };
        let id = match operation_id(spec, &op, &at) {
            Ok(id) => id,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };

        for class in [Class::Success, Class::Error] {
            let mut members: Vec<(String, Value)> = responses
                .iter()
                .filter(|(code, _)| Class::of(code) == Some(class))
                .map(|(code, r)| (code.clone(), resolve(doc, r).clone()))
                .collect();
            let mut bodies: Vec<Body> = members.iter().map(|(_, r)| body_of(r)).collect();
            let distinct_count = |bodies: &[Body]| {
                let mut distinct: Vec<&Body> = Vec::new();
                for b in bodies {
                    if !distinct.contains(&b) {
                        distinct.push(b);
                    }
                }
                distinct.len()
            };
            if distinct_count(&bodies) <= 1 {
                continue;
            }
            let is_json = |b: &Body| matches!(b, Body::Json(_));
            if class == Class::Error
                && bodies.iter().any(is_json)
                && !bodies.iter().all(is_json)
                && leave_out_unparsed_errors(
                    spec,
                    doc,
                    (&path, &method, &at),
                    &id,
                    &members,
                    &bodies,
                    notices,
                )
            {
                let kept: Vec<usize> = (0..bodies.len()).filter(|i| is_json(&bodies[*i])).collect();
                members = kept.iter().map(|i| members[*i].clone()).collect();
                bodies = kept.iter().map(|i| bodies[*i].clone()).collect();
                if distinct_count(&bodies) <= 1 {
                    continue;
                }
            }
            let distinct: Vec<&Body> = bodies.iter().fold(Vec::new(), |mut d, b| {
                if !d.contains(&b) {
                    d.push(b);
                }
                d
            });
            let codes: Vec<&str> = members.iter().map(|(c, _)| c.as_str()).collect();
            let class_name = class.name().to_lowercase();
            if !distinct.iter().all(|b| matches!(b, Body::Json(_))) {
                raw_class(
                    spec,
                    doc,
                    (&path, &method, &at),
                    &id,
                    class,
                    &members,
                    &bodies,
                    notices,
                );
                continue;
            }
            let schemas: Vec<Value> = distinct
                .iter()
                .filter_map(|b| match b {
                    Body::Json(s) => Some(s.clone()),
                    _ => None,
                })
                .collect();

            let name = format!("{}{}Body", pascal(&id), class.name());
            let schemas_at = pointer(["components", "schemas", &name]);
            if doc.pointer(&schemas_at).is_some() {
                errors.push(spec.error(
                    schemas_at,
                    format!(
                        "regen needs this schema name for the union of `{id}`'s {class_name} \
                         responses; rename the schema"
                    ),
                ));
                continue;
            }
            let union = json!({
                "description": format!(
                    "One of the {class_name} bodies of `{id}` (HTTP {}). Derived by `cargo xtask regen`: \
                     the spec lists each status with its own schema.",
                    codes.join(", ")
                ),
                "oneOf": schemas,
            });
            let Some(root) = doc.as_object_mut() else {
                return;
            };
            let Some(components) = root
                .entry("components")
                .or_insert_with(|| json!({}))
                .as_object_mut()
            else {
                errors.push(spec.error("/components", "`components` must be a mapping"));
                return;
            };
            let Some(schemas) = components
                .entry("schemas")
                .or_insert_with(|| json!({}))
                .as_object_mut()
            else {
                errors.push(spec.error(
                    "/components/schemas",
                    "`components/schemas` must be a mapping",
                ));
                return;
            };
            schemas.insert(name.clone(), union);

            let reference = json!({ "$ref": format!("#/components/schemas/{name}") });
            for (code, mut response) in members {
                for (media, content) in response["content"].as_object_mut().into_iter().flatten() {
                    if essence(media) == "application/json" {
                        content["schema"] = reference.clone();
                    }
                }
                // The resolved copy replaces any `$ref`, so a shared response stays as written.
                doc["paths"][&path][&method]["responses"][&code] = response;
            }
        }
    }
}

/// What a response's body is, in words, for a notice.
fn describe(body: &Body) -> String {
    match body {
        Body::Json(schema) => match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => format!(
                "JSON `types::{}`",
                apilogin_openapi::names::rust_pascal(r.rsplit('/').next().unwrap_or(r))
            ),
            None => "JSON".to_string(),
        },
        Body::Other(media) => format!("`{media}`"),
        Body::Empty => "no body".to_string(),
    }
}

/// Rule B for error classes: the error responses without a JSON body (no body, HTML, text…)
/// beside JSON ones are left out of the view, so that the error type stays the JSON type and
/// those answers arrive as `Error::UnexpectedResponse` (status, headers and body kept). Not
/// when a JSON range (`4XX`) covers one of them: progenitor would parse it as JSON. Returns
/// whether it left them out (a notice each).
fn leave_out_unparsed_errors(
    spec: &Spec,
    doc: &mut Value,
    (path, method, at): (&str, &str, &str),
    id: &str,
    members: &[(String, Value)],
    bodies: &[Body],
    notices: &mut Vec<SpecError>,
) -> bool {
    let json_ranges: Vec<char> = members
        .iter()
        .zip(bodies)
        .filter(|(_, b)| matches!(b, Body::Json(_)))
        .filter(|((code, _), _)| code.to_ascii_uppercase().ends_with("XX"))
        .filter_map(|((code, _), _)| code.chars().next())
        .collect();
    let others: Vec<&String> = members
        .iter()
        .zip(bodies)
        .filter(|(_, b)| !matches!(b, Body::Json(_)))
        .map(|((code, _), _)| code)
        .collect();
    if others.iter().any(|code| {
        code.chars()
            .next()
            .is_some_and(|c| json_ranges.contains(&c))
    }) {
        return false;
    }
    let json: Vec<String> = members
        .iter()
        .zip(bodies)
        .filter(|(_, b)| matches!(b, Body::Json(_)))
        .map(|((code, _), b)| format!("{code}: {}", describe(b)))
        .collect();
    for ((code, _), body) in members.iter().zip(bodies) {
        if matches!(body, Body::Json(_)) {
            continue;
        }
        if let Some(responses) = doc["paths"][path][method]["responses"].as_object_mut() {
            responses.remove(code);
        }
        notices.push(spec.error(
            format!("{at}/responses/{}", apilogin_openapi::escape_token(code)),
            format!(
                "HTTP {code} ({}) is not JSON like the other error responses of `{id}` ({}); \
                 progenitor 0.15 takes one kind of body per class, so `{}()` keeps the JSON \
                 error type and this answer arrives as `Error::UnexpectedResponse`, with its \
                 status, headers and body",
                describe(body),
                json.join(", "),
                snake(id)
            ),
        ));
    }
    true
}

/// Rule B: every response of a class that mixes JSON with no body or other media types becomes
/// the raw body in the view (see [`unify_responses`]).
#[allow(clippy::too_many_arguments)]
fn raw_class(
    spec: &Spec,
    doc: &mut Value,
    (path, method, at): (&str, &str, &str),
    id: &str,
    class: Class,
    members: &[(String, Value)],
    bodies: &[Body],
    notices: &mut Vec<SpecError>,
) {
    let all: Vec<String> = members
        .iter()
        .zip(bodies)
        .map(|((code, _), body)| format!("{code}: {}", describe(body)))
        .collect();
    let what = match class {
        Class::Success => format!("`{}()` returns", snake(id)),
        Class::Error => format!("`{}()`'s error (`Error::ErrorResponse`) holds", snake(id)),
    };
    for ((code, response), body) in members.iter().zip(bodies) {
        if matches!(body, Body::Other(_)) {
            // Already raw for progenitor.
            continue;
        }
        // What the spec lists (kept when an earlier step already recorded it).
        let wire: Vec<Value> = match response.get(WIRE_MEDIA_TYPES).and_then(Value::as_array) {
            Some(listed) => listed.clone(),
            None => response
                .get("content")
                .and_then(Value::as_object)
                .map(|c| c.keys().map(|k| json!(essence(k))).collect())
                .unwrap_or_default(),
        };
        let mut response = response.clone();
        response["content"] = json!({"application/octet-stream": {
            "schema": {"type": "string", "format": "binary"}
        }});
        response[WIRE_MEDIA_TYPES] = Value::Array(wire);
        doc["paths"][path][method]["responses"][code] = response;
        let parse = match body {
            Body::Json(_) => format!(
                "; its body is {}: parse it with `serde_json::from_slice`",
                describe(body)
            ),
            _ => String::new(),
        };
        notices.push(spec.error(
            format!("{at}/responses/{}", apilogin_openapi::escape_token(code)),
            format!(
                "the {} responses of `{id}` mix JSON with other or no bodies ({}); progenitor 0.15 \
                 takes one kind of body per class, so {what} the raw body (`ByteStream`) for \
                 HTTP {code}{parse}",
                class.name().to_lowercase(),
                all.join(", ")
            ),
        ));
    }
}

/// The media types progenitor 0.15 can send, and the suffix of the method for each.
fn media_suffix(media: &str) -> Option<&'static str> {
    match essence(media).as_str() {
        "application/json" => Some(""),
        "application/x-www-form-urlencoded" => Some("Form"),
        "text/plain" => Some("Text"),
        "application/octet-stream" => Some("Binary"),
        _ => None,
    }
}

pub fn split_request_media_types(
    spec: &Spec,
    doc: &mut Value,
    notices: &mut Vec<SpecError>,
    errors: &mut Vec<SpecError>,
) {
    let mut added: Vec<(String, String, String, Value)> = Vec::new();
    for (path, method) in operations(doc) {
        let at = pointer(["paths", &path, &method]);
        let op = &doc["paths"][&path][&method];
        let Some(body) = op.get("requestBody") else {
            continue;
        };
        let body = resolve(doc, body).clone();
        let Some(content) = body.get("content").and_then(Value::as_object) else {
            continue;
        };

        let mut refused = false;
        for media in content.keys() {
            let media_at = format!("{at}/requestBody/content/{}", escape_token(media));
            if media_suffix(media).is_none() {
                refused = true;
                errors.push(spec.error(
                    media_at,
                    format!(
                        "request media type `{media}` is not supported by progenitor 0.15 (it sends \
                         application/json, application/x-www-form-urlencoded, text/plain and \
                         application/octet-stream)"
                    ),
                ));
                continue;
            }
        }
        if refused || content.len() < 2 {
            continue;
        }

        let id = match operation_id(spec, op, &at) {
            Ok(id) => id,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let primary = content
            .keys()
            .find(|k| essence(k) == "application/json")
            .unwrap_or_else(|| content.keys().next().expect("two or more"))
            .clone();
        let path_params = doc["paths"][&path].get("parameters").cloned();
        let mut kept = Map::new();
        for (media, entry) in content.iter().filter(|(k, _)| **k != primary) {
            let suffix = media_suffix(media).expect("checked above");
            if kept
                .keys()
                .any(|k: &String| media_suffix(k) == Some(suffix))
                || media_suffix(&primary) == Some(suffix)
            {
                // progenitor sends one body per operation; two media types it sends the same
                // way (`application/json` and `application/json; charset=utf-8`) are one method.
                let first = if media_suffix(&primary) == Some(suffix) {
                    primary.clone()
                } else {
                    kept.keys()
                        .find(|k: &&String| media_suffix(k) == Some(suffix))
                        .cloned()
                        .unwrap_or_default()
                };
                notices.push(spec.error(
                    format!("{at}/requestBody/content/{}", escape_token(media)),
                    format!(
                        "`{media}` is sent as `{first}` is: the generated client has one method \
                         for both, sending `{first}`"
                    ),
                ));
                continue;
            }
            kept.insert(media.clone(), entry.clone());
            let mut copy = op.clone();
            copy["operationId"] = json!(format!("{id}{suffix}"));
            let note = format!(
                "Sends the body as `{media}`; `{}` sends `{primary}` to the same endpoint.",
                snake(&id)
            );
            let description = match copy.get("description").and_then(Value::as_str) {
                Some(d) => format!("{d}\n\n{note}"),
                None => note,
            };
            copy["description"] = json!(description);
            let mut single = body.clone();
            single["content"] = json!({ media.clone(): entry.clone() });
            copy["requestBody"] = single;
            // A URL fragment is never sent (RFC 9110 §7.1; `http::Uri` drops it), so this
            // second path key reaches the same endpoint while giving progenitor a distinct
            // operation: `{path}#form` is `{path}` on the wire.
            let key = format!("{path}#{}", suffix.to_ascii_lowercase());
            if doc["paths"].get(&key).is_some() {
                errors.push(spec.error(
                    pointer(["paths", &key]),
                    "this path key is reserved by regen for a split operation",
                ));
                continue;
            }
            let mut item = Map::new();
            if let Some(p) = &path_params {
                item.insert("parameters".into(), p.clone());
            }
            item.insert(method.clone(), copy);
            added.push((path.clone(), method.clone(), key, Value::Object(item)));
        }
        let mut primary_body = body.clone();
        primary_body["content"] = json!({ primary.clone(): content[&primary].clone() });
        added.push((path.clone(), method.clone(), String::new(), primary_body));
    }

    for (path, method, key, value) in added {
        if key.is_empty() {
            doc["paths"][&path][&method]["requestBody"] = value;
        } else {
            doc["paths"][&key] = value;
        }
    }
    ensure_unique_operation_ids(spec, doc, errors);
}

/// typify maps a schema to `Secret` only where it is exactly `{type: string, format: password}`
/// (descriptions aside): a `minLength` would make a password a plain newtype whose `Debug`
/// shows it. The view drops the string constraints of secrets; the server still enforces
/// them, and the spec as published still declares them.
pub fn unconstrain_secrets(doc: &mut Value) {
    match doc {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some("password") {
                for key in ["minLength", "maxLength", "pattern"] {
                    map.remove(key);
                }
            }
            map.values_mut().for_each(unconstrain_secrets);
        }
        Value::Array(items) => items.iter_mut().for_each(unconstrain_secrets),
        _ => {}
    }
}

/// progenitor 0.15 ignores `requestBody.required: false`: the generated method would fail
/// unless a body is set. A body declared `required: false` becomes two operations: the original one without a
/// body, and `{id}WithBody` (at the path key `{path}#body`, the same endpoint on the wire) with it.
pub fn split_optional_bodies(spec: &Spec, doc: &mut Value, errors: &mut Vec<SpecError>) {
    let mut added: Vec<(String, String, String, Value)> = Vec::new();
    for (path, method) in operations(doc) {
        let op = &doc["paths"][&path][&method];
        let Some(body) = op.get("requestBody") else {
            continue;
        };
        // Only where the spec says so: many specs leave out `required` on bodies their
        // servers need (OpenAPI's default is `false`), and the method would lose its body.
        if resolve(doc, body).get("required") != Some(&Value::Bool(false)) {
            continue;
        }
        let written = adapt::written_key(&spec.doc, &path);
        let id = match operation_id(spec, op, &pointer(["paths", written, &method])) {
            Ok(id) => id,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let mut copy = op.clone();
        copy["operationId"] = json!(format!("{id}WithBody"));
        let note = format!(
            "Sends the optional request body; `{}` sends none.",
            snake(&id)
        );
        let description = match copy.get("description").and_then(Value::as_str) {
            Some(d) => format!("{d}\n\n{note}"),
            None => note,
        };
        copy["description"] = json!(description);
        let key = if path.contains('#') {
            format!("{path}-body")
        } else {
            format!("{path}#body")
        };
        if doc["paths"].get(&key).is_some() {
            errors.push(spec.error(
                pointer(["paths", &key]),
                "this path key is reserved by regen for a split operation",
            ));
            continue;
        }
        let mut item = Map::new();
        if let Some(p) = doc["paths"][&path].get("parameters") {
            item.insert("parameters".into(), p.clone());
        }
        item.insert(method.clone(), copy);
        added.push((path.clone(), method.clone(), key, Value::Object(item)));
    }
    for (path, method, key, item) in added {
        if let Some(op) = doc["paths"][&path][&method].as_object_mut() {
            op.remove("requestBody");
            // The `Content-Type` regen added for a raw body goes with the body.
            if let Some(Value::Array(params)) = op.get_mut("parameters") {
                params.retain(|p| p.get(adapt::FOR_RAW_BODY).is_none());
            }
        }
        doc["paths"][&key] = item;
    }
    ensure_unique_operation_ids(spec, doc, errors);
}

fn ensure_unique_operation_ids(spec: &Spec, doc: &Value, errors: &mut Vec<SpecError>) {
    let mut seen = std::collections::BTreeMap::new();
    for (path, method) in operations(doc) {
        let op = &doc["paths"][&path][&method];
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            continue;
        };
        if let Some(first) = seen.insert(id.to_string(), (path.clone(), method.clone())) {
            let original = adapt::written_key(&spec.doc, &path).to_string();
            errors.push(spec.error(
                pointer(["paths", &original, &method, "operationId"]),
                format!(
                    "operationId `{id}` is also used by {} {} (regen names split operations \
                     `<operationId>Form`, `…Text`, `…Binary`); rename one",
                    first.1.to_uppercase(),
                    first.0
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn spec(doc: Value) -> Spec {
        Spec {
            id: "demo".into(),
            file: PathBuf::from("specs/demo.yaml"),
            doc,
            text: String::new(),
        }
    }

    fn login_with(body: Value, responses: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1.0.0"},
            "paths": {"/login": {"post": {
                "operationId": "login",
                "requestBody": body,
                "responses": responses
            }}},
            "components": {"schemas": {
                "Req": {"type": "object"},
                "Ok": {"type": "object"},
                "Denied": {"type": "object", "properties": {"message": {"type": "string"}}},
                "Limited": {"type": "object", "properties": {"error": {"type": "string"}}}
            }}
        })
    }

    fn json_body(schema: &str) -> Value {
        json!({"description": "d", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
    }

    #[test]
    fn an_optional_body_becomes_an_operation_without_it_and_one_with_it() {
        let mut doc = json!({"paths": {"/logout": {"post": {
            "operationId": "logout",
            "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}},
        }}}});
        let s = spec(doc.clone());
        let mut errors = Vec::new();
        split_optional_bodies(&s, &mut doc, &mut errors);
        assert!(errors.is_empty());
        assert!(doc["paths"]["/logout"]["post"].get("requestBody").is_none());
        let with = &doc["paths"]["/logout#body"]["post"];
        assert_eq!(with["operationId"], "logoutWithBody");
        assert!(with["requestBody"]["content"]["application/json"].is_object());
    }

    #[test]
    fn an_optional_raw_body_takes_its_content_type_parameter_along() {
        let mut doc = login_with(
            json!({"required": false, "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}}),
            json!({"200": json_body("Ok")}),
        );
        doc["paths"]["/login"]["post"]["parameters"] =
            json!([{"name": "q", "in": "query", "schema": {"type": "string"}}]);
        let view = build(&spec(doc)).unwrap();
        let names = |op: &Value| -> Vec<String> {
            op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap().to_string())
                .collect()
        };
        let without = &view.doc["paths"]["/login"]["post"];
        assert!(without.get("requestBody").is_none());
        assert_eq!(names(without), ["q"]);
        let with = &view.doc["paths"]["/login#body"]["post"];
        assert_eq!(names(with), ["q", "Content-Type"]);
    }

    #[test]
    fn two_media_types_become_two_operations() {
        let s = spec(login_with(
            json!({"content": {
                "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Req"}},
                "application/json": {"schema": {"$ref": "#/components/schemas/Req"}}
            }}),
            json!({"200": json_body("Ok")}),
        ));
        let view = codegen_view(&s).unwrap();
        let json_op = &view["paths"]["/login"]["post"];
        assert_eq!(json_op["operationId"], "login");
        let media: Vec<_> = json_op["requestBody"]["content"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(media, ["application/json"]);
        let form_op = &view["paths"]["/login#form"]["post"];
        assert_eq!(form_op["operationId"], "loginForm");
        let media: Vec<_> = form_op["requestBody"]["content"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(media, ["application/x-www-form-urlencoded"]);
        // The spec as written is untouched.
        assert!(s.doc["paths"].get("/login#form").is_none());
    }

    #[test]
    fn two_media_types_progenitor_sends_alike_are_one_method_with_a_notice() {
        let s = spec(login_with(
            json!({"content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Req"}},
                "application/json; charset=utf-8": {"schema": {"$ref": "#/components/schemas/Req"}},
                "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Req"}}
            }}),
            json!({"200": json_body("Ok")}),
        ));
        let view = build(&s).unwrap();
        assert!(view.doc["paths"]["/login#form"]["post"].is_object());
        let paths: Vec<&String> = view.doc["paths"].as_object().unwrap().keys().collect();
        assert_eq!(paths, ["/login", "/login#form"]);
        assert_eq!(view.notices.len(), 1, "{:?}", view.notices);
        assert!(view.notices[0].pointer.ends_with("charset=utf-8"));
    }

    #[test]
    fn different_error_schemas_become_one_union() {
        let s = spec(login_with(
            json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}}),
            json!({"200": json_body("Ok"), "401": json_body("Denied"), "429": json_body("Limited")}),
        ));
        let view = codegen_view(&s).unwrap();
        let union = &view["components"]["schemas"]["LoginErrorBody"];
        assert_eq!(
            union["oneOf"],
            json!([{"$ref": "#/components/schemas/Denied"}, {"$ref": "#/components/schemas/Limited"}])
        );
        for code in ["401", "429"] {
            let schema = &view["paths"]["/login"]["post"]["responses"][code]["content"]["application/json"]
                ["schema"];
            assert_eq!(schema["$ref"], "#/components/schemas/LoginErrorBody");
        }
        // One success schema: left alone.
        assert!(
            view["components"]["schemas"]
                .get("LoginSuccessBody")
                .is_none()
        );
    }

    #[test]
    fn the_same_schema_on_several_codes_needs_no_union() {
        let s = spec(login_with(
            json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}}),
            json!({"200": json_body("Ok"), "400": json_body("Denied"), "401": json_body("Denied")}),
        ));
        assert_eq!(codegen_view(&s).unwrap(), s.doc);
    }

    #[test]
    fn different_success_schemas_become_one_union() {
        let s = spec(login_with(
            json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}}),
            json!({"200": json_body("Ok"), "202": json_body("Limited")}),
        ));
        let view = codegen_view(&s).unwrap();
        assert!(view["components"]["schemas"]["LoginSuccessBody"]["oneOf"].is_array());
    }

    #[test]
    fn json_mixed_with_an_empty_body_makes_the_success_class_raw_with_a_notice_each() {
        let s = spec(login_with(
            json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}}),
            json!({"200": json_body("Ok"), "204": {"description": "no content"},
                   "206": {"description": "part", "content": {"text/plain": {"schema": {"type": "string"}}}}}),
        ));
        let view = build(&s).unwrap();
        let responses = &view.doc["paths"]["/login"]["post"]["responses"];
        let raw =
            json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}});
        for code in ["200", "204"] {
            assert_eq!(responses[code]["content"], raw, "{code}");
        }
        // The hooks still check what the spec lists.
        assert_eq!(
            responses["200"][WIRE_MEDIA_TYPES],
            json!(["application/json"])
        );
        assert_eq!(responses["204"][WIRE_MEDIA_TYPES], json!([]));
        // Already raw for progenitor: left as written.
        assert_eq!(
            responses["206"]["content"]["text/plain"]["schema"]["type"],
            "string"
        );
        let at: Vec<&str> = view.notices.iter().map(|n| n.pointer.as_str()).collect();
        assert_eq!(
            at,
            [
                "/paths/~1login/post/responses/200",
                "/paths/~1login/post/responses/204"
            ]
        );
        assert!(
            view.notices[0].message.contains("types::Ok"),
            "{}",
            view.notices[0]
        );
        // The spec as written is untouched.
        assert!(
            s.doc["paths"]["/login"]["post"]["responses"]["204"]
                .get("content")
                .is_none()
        );
    }

    #[test]
    fn error_answers_without_json_beside_json_ones_are_left_to_unexpected_response() {
        let s = spec(login_with(
            json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}}),
            json!({"200": json_body("Ok"), "401": json_body("Denied"), "404": {"description": "gone"},
                   "429": json_body("Limited"), "500": {"description": "oops", "content": {"text/html": {}}}}),
        ));
        let view = build(&s).unwrap();
        let responses = &view.doc["paths"]["/login"]["post"]["responses"];
        let codes: Vec<&String> = responses.as_object().unwrap().keys().collect();
        assert_eq!(codes, ["200", "401", "429"]);
        // The JSON ones still differ: one union.
        assert_eq!(
            responses["401"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/LoginErrorBody"
        );
        let left_out: Vec<&SpecError> = view
            .notices
            .iter()
            .filter(|n| n.message.contains("UnexpectedResponse"))
            .collect();
        assert_eq!(left_out.len(), 2, "{:?}", view.notices);
        assert_eq!(left_out[0].pointer, "/paths/~1login/post/responses/404");
        assert_eq!(left_out[1].pointer, "/paths/~1login/post/responses/500");
    }

    #[test]
    fn an_error_answer_a_json_range_would_catch_makes_the_error_class_raw() {
        let s = spec(login_with(
            json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}}),
            json!({"200": json_body("Ok"), "404": {"description": "gone"}, "4XX": json_body("Denied")}),
        ));
        let view = build(&s).unwrap();
        let responses = &view.doc["paths"]["/login"]["post"]["responses"];
        assert_eq!(responses["404"][WIRE_MEDIA_TYPES], json!([]));
        assert_eq!(
            responses["4XX"][WIRE_MEDIA_TYPES],
            json!(["application/json"])
        );
        assert_eq!(view.notices.len(), 2, "{:?}", view.notices);
    }

    #[test]
    fn a_json_suffix_response_is_typed_and_its_media_type_still_checked() {
        let s = spec(login_with(
            json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}}),
            json!({"200": json_body("Ok"),
                   "400": {"description": "problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Denied"}}}},
                   "404": json_body("Denied")}),
        ));
        let view = build(&s).unwrap();
        let r400 = &view.doc["paths"]["/login"]["post"]["responses"]["400"];
        assert_eq!(
            r400["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Denied"
        );
        assert_eq!(r400[WIRE_MEDIA_TYPES], json!(["application/problem+json"]));
        // One error type: no union, nothing left out.
        assert!(
            view.doc["components"]["schemas"]
                .get("LoginErrorBody")
                .is_none()
        );
        assert_eq!(view.notices.len(), 1, "{:?}", view.notices);
        assert_eq!(
            view.notices[0].pointer,
            "/paths/~1login/post/responses/400/content/application~1problem+json"
        );
    }

    #[test]
    fn every_operation_s_union_problem_is_reported_in_one_run() {
        let mut doc = login_with(
            json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}}),
            json!({"200": json_body("Ok"), "202": json_body("Limited")}),
        );
        doc["paths"]["/other"] = json!({"get": {"operationId": "other",
            "responses": {"200": json_body("Ok"), "201": json_body("Denied")}}});
        doc["components"]["schemas"]["LoginSuccessBody"] = json!({"type": "object"});
        doc["components"]["schemas"]["OtherSuccessBody"] = json!({"type": "object"});
        let errors = build(&spec(doc)).unwrap_err();
        let at: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            at,
            [
                "/components/schemas/LoginSuccessBody",
                "/components/schemas/OtherSuccessBody"
            ]
        );
    }

    #[test]
    fn multipart_and_image_bodies_are_sent_raw_with_a_content_type_parameter() {
        for media in ["multipart/form-data", "image/png", "*/*"] {
            let s = spec(login_with(
                json!({"content": {media: {"schema": {"$ref": "#/components/schemas/Req"}}}}),
                json!({"200": json_body("Ok")}),
            ));
            let view = build(&s).unwrap();
            let op = &view.doc["paths"]["/login"]["post"];
            assert_eq!(
                op["requestBody"]["content"],
                json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
            );
            assert_eq!(op["parameters"][0]["name"], "Content-Type");
            assert_eq!(op["parameters"][0]["in"], "header");
            assert_eq!(op["parameters"][0]["required"], true);
            let expected_at = format!(
                "/paths/~1login/post/requestBody/content/{}",
                apilogin_openapi::escape_token(media)
            );
            assert_eq!(view.notices.len(), 1, "{:?}", view.notices);
            assert_eq!(view.notices[0].pointer, expected_at);
            assert!(view.notices[0].message.contains("content_type("));
        }
    }

    #[test]
    fn several_raw_types_share_the_raw_method_and_xml_beside_them_is_left_out() {
        let s = spec(login_with(
            json!({"content": {
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                "application/xml": {"schema": {"type": "object"}}
            }}),
            json!({"200": json_body("Ok")}),
        ));
        let view = build(&s).unwrap();
        let op = &view.doc["paths"]["/login"]["post"];
        assert_eq!(op["parameters"].as_array().unwrap().len(), 1);
        let description = op["parameters"][0]["description"].as_str().unwrap();
        assert!(
            description.contains("`image/png`, `image/jpeg`"),
            "{description}"
        );
        let messages: Vec<(&str, &str)> = view
            .notices
            .iter()
            .map(|n| (n.pointer.rsplit('/').next().unwrap(), n.message.as_str()))
            .collect();
        let of = |media: &str| messages.iter().find(|(m, _)| *m == media).unwrap().1;
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(of("image~1png").contains("`image/png`, `image/jpeg` in the spec"));
        assert!(of("image~1jpeg").contains("content_type(\"image/jpeg\")"));
        assert!(of("application~1xml").contains("as `image/png`, `image/jpeg` only"));
    }

    #[test]
    fn an_octet_stream_body_with_another_schema_gets_the_one_progenitor_takes() {
        let s = spec(login_with(
            json!({"content": {"application/octet-stream": {"schema": {"type": "string", "format": "byte", "maxLength": 10}}}}),
            json!({"200": json_body("Ok")}),
        ));
        let view = build(&s).unwrap();
        let body = &view.doc["paths"]["/login"]["post"]["requestBody"];
        assert_eq!(
            body["content"]["application/octet-stream"]["schema"],
            json!({"type": "string", "format": "binary"})
        );
        assert!(
            view.doc["paths"]["/login"]["post"]
                .get("parameters")
                .is_none()
        );
        assert_eq!(
            view.notices[0].pointer,
            "/paths/~1login/post/requestBody/content/application~1octet-stream/schema"
        );
    }

    #[test]
    fn xml_alone_is_still_refused() {
        let s = spec(login_with(
            json!({"content": {"application/xml": {"schema": {"$ref": "#/components/schemas/Req"}}}}),
            json!({"200": json_body("Ok")}),
        ));
        let e = codegen_view(&s).unwrap_err();
        assert_eq!(
            e.pointer,
            "/paths/~1login/post/requestBody/content/application~1xml"
        );
    }

    #[test]
    fn path_keys_that_differ_only_in_template_names_both_generate_with_a_notice() {
        let p = |name: &str| json!([{"name": name, "in": "path", "required": true, "schema": {"type": "string"}}]);
        let doc = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1.0.0"}, "paths": {
            "/teams/{teamId}": {"get": {"operationId": "getTeam", "parameters": p("teamId"), "responses": {"200": json_body("Ok")}}},
            "/teams/{slug}": {"get": {"operationId": "getTeamBySlug", "parameters": p("slug"), "responses": {"200": json_body("Ok")}}}
        }, "components": {"schemas": {"Ok": {"type": "object"}}}});
        let view = build(&spec(doc.clone())).unwrap();
        assert_eq!(view.doc["paths"], doc["paths"]);
        assert_eq!(view.notices.len(), 1);
        assert_eq!(view.notices[0].pointer, "/paths/~1teams~1{slug}");
        assert!(
            view.notices[0].message.contains("GET"),
            "{}",
            view.notices[0]
        );
    }

    #[test]
    fn a_31_document_is_lowered_before_the_other_adaptations() {
        let doc = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1.0.0"}, "paths": {
            "/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": ["string", "null"]}}}}}}}
        }});
        let view = build(&spec(doc)).unwrap();
        assert_eq!(view.doc["openapi"], "3.0.3");
        assert_eq!(
            view.doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
            json!({"type": "string", "nullable": true})
        );
        // The lowering's notices and rule N's (no operationId), in one list.
        let at: Vec<&str> = view.notices.iter().map(|n| n.pointer.as_str()).collect();
        assert!(at.contains(&"/openapi"), "{at:?}");
        assert!(at.contains(&"/paths/~1a/get"), "{at:?}");
        assert!(
            at.contains(&"/paths/~1a/get/responses/200/content/application~1json/schema/type"),
            "{at:?}"
        );
    }

    #[test]
    fn form_encoding_objects_are_left_out_with_a_notice() {
        let s = spec(login_with(
            json!({"content": {"application/x-www-form-urlencoded": {
                "schema": {"$ref": "#/components/schemas/Req"},
                "encoding": {"a": {"style": "deepObject", "explode": true}}
            }}}),
            json!({"200": json_body("Ok")}),
        ));
        let view = build(&s).unwrap();
        let media = &view.doc["paths"]["/login"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"];
        assert!(media.get("encoding").is_none(), "{media}");
        let n = &view.notices[0];
        assert!(n.pointer.ends_with("/encoding"), "{n}");
        assert!(
            n.message
                .contains("`a`: `style: deepObject, explode: true`"),
            "{n}"
        );
        assert!(n.message.contains("serde_urlencoded"), "{n}");
    }

    #[test]
    fn a_template_without_a_path_parameter_gets_one() {
        let mut doc = login_with(json!({"content": {}}), json!({"200": json_body("Ok")}));
        doc["paths"]["/files/{path}"] =
            json!({"get": {"operationId": "getFile", "responses": {"204": {"description": "ok"}}}});
        doc["paths"]["/carts"] = json!({"get": {
            "operationId": "getCart",
            "parameters": [{"name": "cartId", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"204": {"description": "ok"}}
        }});
        // A declared `in: path` parameter without a template is still refused.
        let errors = build(&spec(doc.clone())).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].pointer.starts_with("/paths/~1carts"),
            "{}",
            errors[0]
        );
        doc["paths"].as_object_mut().unwrap().remove("/carts");
        let view = build(&spec(doc)).unwrap();
        let added = &view.doc["paths"]["/files/{path}"]["get"]["parameters"][0];
        assert_eq!(
            added,
            &json!({
                "name": "path", "in": "path", "required": true,
                "description": "Added by `cargo xtask regen`: the path template has no `in: path` parameter in the spec.",
                "schema": {"type": "string"}
            })
        );
        assert!(
            view.notices
                .iter()
                .any(|n| n.pointer == "/paths/~1files~1{path}/get")
        );
    }

    #[test]
    fn fragment_keys_are_kept_with_a_notice() {
        let mut doc = login_with(json!({"content": {}}), json!({"200": json_body("Ok")}));
        doc["paths"]["/login#refresh"] = json!({"post": {
            "operationId": "refresh",
            "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": json_body("Ok")}
        }});
        doc["paths"]["/bad#{x}"] =
            json!({"get": {"operationId": "bad", "responses": {"204": {"description": "ok"}}}});
        let errors = build(&spec(doc.clone())).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("fragment"), "{}", errors[0]);
        doc["paths"].as_object_mut().unwrap().remove("/bad#{x}");
        let view = build(&spec(doc)).unwrap();
        assert!(view.doc["paths"]["/login#refresh"]["post"].is_object());
        // The split of an optional body keeps to the key's URL, and its notices point at the key.
        assert!(view.doc["paths"]["/login#refresh-body"]["post"].is_object());
        let n = view
            .notices
            .iter()
            .find(|n| n.pointer == "/paths/~1login#refresh")
            .expect("a notice at the key");
        assert!(n.message.contains("never sent"), "{n}");
        assert!(n.message.contains("POST /login"), "{n}");
        assert_eq!(
            adapt::written_key(&spec(view.doc.clone()).doc, "/login#refresh-body"),
            "/login#refresh-body"
        );
    }

    #[test]
    fn a_json_suffix_body_is_json_with_the_callers_content_type() {
        let s = spec(login_with(
            json!({"content": {
                "application/json-patch+json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "application/xml": {"schema": {"type": "object"}}
            }}),
            json!({"200": json_body("Ok")}),
        ));
        let view = build(&s).unwrap();
        let op = &view.doc["paths"]["/login"]["post"];
        let content = op["requestBody"]["content"].as_object().unwrap();
        assert_eq!(content.keys().collect::<Vec<_>>(), ["application/json"]);
        assert_eq!(op["parameters"][0]["name"], "Content-Type");
        assert_eq!(op["parameters"][0]["required"], true);
        assert_eq!(view.notices.len(), 2, "{:?}", view.notices);
        assert!(view.notices.iter().any(|n| {
            n.message
                .contains("content_type(\"application/json-patch+json\")")
        }));
    }

    #[test]
    fn content_refs_and_deep_object_parameters() {
        let mut doc = login_with(json!({"content": {}}), json!({"200": json_body("Ok")}));
        doc["components"]["mediaTypes"] =
            json!({"ok": {"application/json": {"schema": {"$ref": "#/components/schemas/Ok"}}}});
        doc["components"]["parameters"] = json!({"meta": {
            "name": "metadata", "in": "query", "style": "deepObject", "explode": true,
            "schema": {"type": "object", "additionalProperties": {"type": "string"}}
        }});
        doc["paths"]["/things"] = json!({"get": {
            "operationId": "listThings",
            "parameters": [{"$ref": "#/components/parameters/meta"}, {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "ok", "content": {"$ref": "#/components/mediaTypes/ok"}}}
        }});
        let view = build(&spec(doc)).unwrap();
        let op = &view.doc["paths"]["/things"]["get"];
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Ok"
        );
        let names: Vec<&Value> = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| &p["name"])
            .collect();
        assert_eq!(names, [&json!("limit")]);
        assert!(
            view.notices
                .iter()
                .any(|n| n.pointer == "/components/parameters/meta"
                    && n.message.contains("`list_things()` cannot send it"))
        );
        assert!(
            view.notices
                .iter()
                .any(|n| n.pointer == "/paths/~1things/get/responses/200/content")
        );
    }

    #[test]
    fn split_names_that_collide_are_refused() {
        let mut doc = login_with(
            json!({"content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Req"}},
                "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Req"}}
            }}),
            json!({"200": json_body("Ok")}),
        );
        doc["paths"]["/other"] =
            json!({"get": {"operationId": "loginForm", "responses": {"200": json_body("Ok")}}});
        let e = codegen_view(&spec(doc)).unwrap_err();
        assert!(e.message.contains("loginForm"), "{e}");
    }
}
