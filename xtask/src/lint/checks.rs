//! The project's own checks, on top of Redocly's and Spectral's rulesets.
//!
//! | rule | what it asks |
//! | --- | --- |
//! | `example-valid` | every example (media type, named, parameter, header, schema) validates against its schema |
//! | `operation-id`, `operation-summary`, `operation-tag` | every operation has an `operationId`, a summary, and a tag declared under `tags` |
//! | `operation-error-response` | every operation documents at least one error response (see below) |
//! | `secret-format` | every string field whose name says it carries a secret is `format: password` |
//! | `naming-convention` | one naming convention for the names the specs choose themselves, across all specs |
//!
//! An error response is a `4XX`, `5XX` or `default` response. A service that answers failures
//! with a 2XX status (Txty) documents them inside that response instead, and the rule
//! recognises exactly that: a 2XX response whose schema is a `oneOf` with an error schema as a
//! variant, or whose `x-error-variant` names the error schema its body mirrors (an XML body, say).
//! An error schema is a component schema whose name contains `Error`.
//!
//! Names: `operationId`s, security schemes and named examples are lowerCamelCase, component
//! names (schemas, examples, headers, responses, ...) are UpperCamelCase, tags are lower-case
//! (words joined by `-`), and every error body is a component schema named `...Error...`.
//! Properties, parameters, headers and paths are not checked: they are the servers' wire names
//! (`auth_token`, `authToken` and `_id` all exist) and must stay as the servers spell them.

use std::collections::BTreeSet;

use serde_json::Value;

use super::schema;
use super::walk::{self, Walk, ptr, resolve};

/// One finding of a project check: where (JSON pointer), which rule, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub pointer: String,
    pub rule: &'static str,
    pub message: String,
}

pub fn check(doc: &Value) -> Vec<Problem> {
    let w = walk::walk(doc);
    let mut out = Vec::new();
    examples(doc, &w, &mut out);
    operations(doc, &w, &mut out);
    secrets(&w, &mut out);
    naming(doc, &w, &mut out);
    let unique: BTreeSet<Problem> = out.into_iter().collect();
    unique.into_iter().collect()
}

fn problem(out: &mut Vec<Problem>, pointer: &str, rule: &'static str, message: String) {
    out.push(Problem {
        pointer: pointer.to_string(),
        rule,
        message,
    });
}

// ---------------------------------------------------------------------------------------------

fn examples(doc: &Value, w: &Walk<'_>, out: &mut Vec<Problem>) {
    for example in &w.examples {
        if let Err(errors) = schema::validate(doc, example.schema, example.value) {
            let what = match example.media_type {
                Some(media_type) => format!("the `{media_type}` example"),
                None => "the example".to_string(),
            };
            problem(
                out,
                &example.at,
                "example-valid",
                format!("{what} does not match its schema: {}", errors.join("; ")),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------

fn operations(doc: &Value, w: &Walk<'_>, out: &mut Vec<Problem>) {
    let declared: BTreeSet<&str> = doc
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("name").and_then(Value::as_str))
        .collect();
    for o in &w.operations {
        let name = format!("{} {}", o.method.to_uppercase(), o.path);
        let text = |key: &str| {
            o.op.get(key)
                .and_then(Value::as_str)
                .is_some_and(|s| !s.trim().is_empty())
        };
        if !text("operationId") {
            problem(
                out,
                &o.at,
                "operation-id",
                format!("{name} has no `operationId`: generated clients and docs links need one"),
            );
        }
        if !text("summary") {
            problem(
                out,
                &o.at,
                "operation-summary",
                format!("{name} has no `summary`: docs portals show it as the operation's title"),
            );
        }
        match o.op.get("tags").and_then(Value::as_array) {
            Some(tags) if !tags.is_empty() => {
                for (i, tag) in tags.iter().enumerate() {
                    let tag = tag.as_str().unwrap_or_default();
                    if !declared.contains(tag) {
                        problem(
                            out,
                            &ptr(&ptr(&o.at, "tags"), &i.to_string()),
                            "operation-tag",
                            format!("tag `{tag}` is not declared in the top-level `tags` list"),
                        );
                    }
                }
            }
            _ => problem(
                out,
                &o.at,
                "operation-tag",
                format!("{name} has no tag: docs portals group operations by tag"),
            ),
        }
        error_response(doc, o, out);
    }
}

/// The name of the component schema `schema` refers to, if it is an error schema.
fn error_schema(doc: &Value, schema: &Value) -> Option<String> {
    let target = schema.get("$ref")?.as_str()?;
    let name = target.strip_prefix("#/components/schemas/")?;
    (name.contains("Error") && doc.pointer(target.trim_start_matches('#')).is_some())
        .then(|| name.to_string())
}

fn error_response(doc: &Value, o: &walk::Operation<'_>, out: &mut Vec<Problem>) {
    let responses_at = ptr(&o.at, "responses");
    let Some(Value::Object(responses)) = o.op.get("responses") else {
        problem(
            out,
            &o.at,
            "operation-error-response",
            "the operation has no `responses`".to_string(),
        );
        return;
    };
    if responses
        .keys()
        .any(|code| code.starts_with('4') || code.starts_with('5') || code == "default")
    {
        return;
    }
    // Failures answered with a 2XX status, documented as a variant of that response.
    for (code, response) in responses.iter().filter(|(c, _)| c.starts_with('2')) {
        let (response, response_at) = resolve(doc, response, &ptr(&responses_at, code));
        if let Some(variant) = response.get("x-error-variant") {
            let named = variant
                .as_str()
                .and_then(|r| error_schema(doc, &serde_json::json!({ "$ref": r })));
            if named.is_some() {
                return;
            }
            problem(
                out,
                &ptr(&response_at, "x-error-variant"),
                "operation-error-response",
                "`x-error-variant` must be a reference to an error schema, e.g. \
                 '#/components/schemas/ServiceError'"
                    .to_string(),
            );
            return;
        }
        for media in response
            .get("content")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|c| c.values())
        {
            let Some(schema) = media.get("schema") else {
                continue;
            };
            let (schema, _) = resolve(doc, schema, "");
            let variants = schema.get("oneOf").and_then(Value::as_array);
            if variants
                .into_iter()
                .flatten()
                .any(|v| error_schema(doc, v).is_some())
            {
                return;
            }
        }
    }
    problem(
        out,
        &responses_at,
        "operation-error-response",
        "no error response: add a 4XX (or `default`) response; a service that answers failures \
         with a 2XX status documents them as an error-schema variant (`oneOf`) of that response, \
         or names the error schema in the response's `x-error-variant`"
            .to_string(),
    );
}

// ---------------------------------------------------------------------------------------------

/// Whether a field name says the field carries a secret (password, token, key, ...).
pub fn secret_name(name: &str) -> bool {
    let n: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    const EXACT: &[&str] = &[
        "pass", "pwd", "pin", "otp", "totp", "tfkey", "key", "secret", "token",
    ];
    const SUFFIX: &[&str] = &[
        "password",
        "passwd",
        "passphrase",
        "secret",
        "token",
        "apikey",
        "authhash",
        "privatekey",
        "accesskey",
        "secretkey",
        "sessionid",
    ];
    EXACT.contains(&n.as_str()) || SUFFIX.iter().any(|s| n.ends_with(s))
}

/// A string-valued schema (secrets are strings; `newapikey` the object and `controlapikey` the
/// integer are not).
fn is_string(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(_) => false,
        None => {
            schema.get("$ref").is_none()
                && schema.get("properties").is_none()
                && schema.get("items").is_none()
                && ["oneOf", "anyOf", "allOf"]
                    .iter()
                    .all(|k| schema.get(k).is_none())
        }
    }
}

fn secrets(w: &Walk<'_>, out: &mut Vec<Problem>) {
    for field in &w.fields {
        let Some(schema) = field.schema else { continue };
        if !secret_name(field.name) || !is_string(schema) {
            continue;
        }
        let marked = schema.get("format").and_then(Value::as_str) == Some("password")
            || schema
                .get("x-not-secret")
                .is_some_and(|r| r.as_str().is_some_and(|reason| !reason.trim().is_empty()));
        if !marked {
            let at = if field.kind == "property" {
                field.at.clone()
            } else {
                ptr(&field.at, "schema")
            };
            problem(
                out,
                &at,
                "secret-format",
                format!(
                    "{} `{}` carries a secret: add `format: password` so that docs tools and \
                     generated clients mask it (or `x-not-secret: <reason>` if it does not)",
                    field.kind, field.name
                ),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------

pub fn lower_camel(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

pub fn upper_camel(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

pub fn tag_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|word| {
            word.starts_with(|c: char| c.is_ascii_lowercase())
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

fn naming(doc: &Value, w: &Walk<'_>, out: &mut Vec<Problem>) {
    let mut require = |ok: bool, at: &str, what: &str, name: &str, convention: &str| {
        if !ok {
            problem(
                out,
                at,
                "naming-convention",
                format!("{what} `{name}` should be {convention}, like the other specs"),
            );
        }
    };
    for o in &w.operations {
        if let Some(id) = o.op.get("operationId").and_then(Value::as_str) {
            require(
                lower_camel(id),
                &ptr(&o.at, "operationId"),
                "operationId",
                id,
                "lowerCamelCase (`loginWithAuthhash`)",
            );
        }
        for (i, tag) in
            o.op.get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
        {
            let tag = tag.as_str().unwrap_or_default();
            require(
                tag_name(tag),
                &ptr(&ptr(&o.at, "tags"), &i.to_string()),
                "tag",
                tag,
                "lower-case words joined by `-` (`authentication`)",
            );
        }
    }
    for (i, tag) in doc
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let name = tag.get("name").and_then(Value::as_str).unwrap_or_default();
        require(
            tag_name(name),
            &format!("/tags/{i}/name"),
            "tag",
            name,
            "lower-case words joined by `-` (`authentication`)",
        );
    }
    if let Some(Value::Object(components)) = doc.get("components") {
        for (section, names) in components {
            let Some(names) = names.as_object() else {
                continue;
            };
            for name in names.keys() {
                let at = ptr(&ptr("/components", section), name);
                if section == "securitySchemes" {
                    require(
                        lower_camel(name),
                        &at,
                        "security scheme",
                        name,
                        "lowerCamelCase (`developerKey`)",
                    );
                } else if !section.starts_with("x-") {
                    require(
                        upper_camel(name),
                        &at,
                        "component",
                        name,
                        "UpperCamelCase (`LoginRequest`)",
                    );
                }
            }
        }
    }
    for (at, name) in &w.example_names {
        if !at.starts_with("/components/examples/") {
            require(
                lower_camel(name),
                at,
                "example",
                name,
                "lowerCamelCase (`invalidCredentials`)",
            );
        }
    }
    // Error bodies are named `...Error...` in every spec: the error-variant recognition of
    // `operation-error-response` and the readers of the docs both rely on it.
    for o in &w.operations {
        let Some(Value::Object(responses)) = o.op.get("responses") else {
            continue;
        };
        for (code, response) in responses {
            if !(code.starts_with('4') || code.starts_with('5') || code == "default") {
                continue;
            }
            let (response, response_at) =
                resolve(doc, response, &ptr(&ptr(&o.at, "responses"), code));
            for (media_type, media) in response
                .get("content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let Some(target) = media
                    .get("schema")
                    .and_then(|s| s.get("$ref"))
                    .and_then(Value::as_str)
                else {
                    continue;
                };
                let name = target.rsplit('/').next().unwrap_or_default();
                require(
                    name.contains("Error"),
                    &ptr(&ptr(&ptr(&response_at, "content"), media_type), "schema"),
                    "error body schema",
                    name,
                    "named with `Error` (`ErrorResponse`, `AuthError`)",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small spec that passes every check; the tests break one thing at a time.
    const GOOD: &str = r##"
openapi: 3.0.3
info: {title: t, version: '1'}
tags:
  - name: authentication
paths:
  /login:
    post:
      operationId: login
      summary: Log in
      tags: [authentication]
      parameters:
        - name: client
          in: query
          schema: {type: string}
          example: demo
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/LoginRequest'}
            example: {user: demo, password: pw}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/LoginResponse'}
              examples:
                loggedIn:
                  value: {token: abc, id: 1d2e146c-a3df-4073-89c6-9ffc3061319c}
        '401':
          description: refused
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ErrorResponse'}
  /result:
    get:
      operationId: viewResult
      summary: Errors come with HTTP 200
      tags: [authentication]
      responses:
        '200':
          description: either
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Result'}
components:
  schemas:
    LoginRequest:
      type: object
      required: [user, password]
      properties:
        user: {type: string, example: demo}
        password: {type: string, format: password}
    LoginResponse:
      type: object
      required: [token]
      properties:
        token: {type: string, format: password}
        id: {type: string, format: uuid}
        newapikey: {type: object}
        controlapikey: {type: integer}
    Result:
      oneOf:
        - $ref: '#/components/schemas/LoginResponse'
        - $ref: '#/components/schemas/ServiceError'
    ErrorResponse:
      type: object
      properties:
        detail: {type: string}
    ServiceError:
      type: object
      properties:
        error: {type: string}
"##;

    fn problems(text: &str) -> Vec<Problem> {
        let doc: Value = yaml_serde::from_str(text).unwrap();
        check(&doc)
    }

    fn bad(from: &str, to: &str) -> Vec<Problem> {
        assert!(GOOD.contains(from), "{from}");
        problems(&GOOD.replacen(from, to, 1))
    }

    fn only(problems: &[Problem], rule: &str) -> Problem {
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].rule, rule, "{problems:#?}");
        problems[0].clone()
    }

    #[test]
    fn the_good_spec_passes() {
        assert_eq!(problems(GOOD), vec![]);
    }

    #[test]
    fn a_request_example_that_misses_a_required_field_is_caught() {
        let p = only(
            &bad("{user: demo, password: pw}", "{user: demo}"),
            "example-valid",
        );
        assert_eq!(
            p.pointer,
            "/paths/~1login/post/requestBody/content/application~1json/example"
        );
        assert!(p.message.contains("password"), "{}", p.message);
    }

    #[test]
    fn a_named_response_example_with_a_bad_uuid_is_caught() {
        let p = only(
            &bad("1d2e146c-a3df-4073-89c6-9ffc3061319c", "not-a-uuid"),
            "example-valid",
        );
        assert_eq!(
            p.pointer,
            "/paths/~1login/post/responses/200/content/application~1json/examples/loggedIn/value"
        );
    }

    #[test]
    fn a_parameter_example_of_the_wrong_type_is_caught() {
        let p = only(
            &bad(
                "example: demo\n      requestBody",
                "example: 42\n      requestBody",
            ),
            "example-valid",
        );
        assert_eq!(p.pointer, "/paths/~1login/post/parameters/0/example");
    }

    #[test]
    fn a_schema_example_is_checked_against_its_own_schema() {
        let p = only(
            &bad(
                "{type: string, example: demo}",
                "{type: string, example: [demo]}",
            ),
            "example-valid",
        );
        assert_eq!(
            p.pointer,
            "/components/schemas/LoginRequest/properties/user/example"
        );
    }

    #[test]
    fn operations_need_an_id_a_summary_and_a_declared_tag() {
        let p = only(&bad("      operationId: login\n", ""), "operation-id");
        assert_eq!(p.pointer, "/paths/~1login/post");
        let p = only(&bad("      summary: Log in\n", ""), "operation-summary");
        assert_eq!(p.pointer, "/paths/~1login/post");
        let p = only(
            &bad("tags: [authentication]\n      parameters", "parameters"),
            "operation-tag",
        );
        assert_eq!(p.pointer, "/paths/~1login/post");
        let p = only(
            &bad(
                "tags: [authentication]\n      parameters",
                "tags: [auth]\n      parameters",
            ),
            "operation-tag",
        );
        assert_eq!(p.pointer, "/paths/~1login/post/tags/0");
    }

    #[test]
    fn an_operation_without_any_error_response_is_caught() {
        let p = only(
            &bad(
                "- $ref: '#/components/schemas/ServiceError'",
                "- {type: string}",
            ),
            "operation-error-response",
        );
        assert_eq!(p.pointer, "/paths/~1result/get/responses");
    }

    #[test]
    fn an_error_variant_inside_a_2xx_oneof_counts_as_the_error_response() {
        // GOOD's /result answers errors with HTTP 200, as a `ServiceError` variant: no problem
        // (see `the_good_spec_passes`).
        // A non-error `x-error-variant` is refused; a good one is accepted.
        let with = |variant: &str| {
            bad(
                "description: either\n",
                &format!("description: either\n          x-error-variant: '{variant}'\n"),
            )
        };
        assert_eq!(with("#/components/schemas/ServiceError"), vec![]);
        let p = only(
            &with("#/components/schemas/LoginResponse"),
            "operation-error-response",
        );
        assert_eq!(
            p.pointer,
            "/paths/~1result/get/responses/200/x-error-variant"
        );
    }

    #[test]
    fn a_secret_without_format_password_is_caught() {
        let p = only(
            &bad(
                "token: {type: string, format: password}",
                "token: {type: string}",
            ),
            "secret-format",
        );
        assert_eq!(
            p.pointer,
            "/components/schemas/LoginResponse/properties/token"
        );
        let p = only(
            &bad(
                "name: client\n          in: query\n          schema: {type: string}",
                "name: api_key\n          in: query\n          schema: {type: string}",
            ),
            "secret-format",
        );
        assert_eq!(p.pointer, "/paths/~1login/post/parameters/0/schema");
        // An explicit, reasoned opt-out is accepted.
        assert_eq!(
            bad(
                "token: {type: string, format: password}",
                "token: {type: string, x-not-secret: a public id}"
            ),
            vec![]
        );
    }

    #[test]
    fn secret_names_cover_the_four_services() {
        for name in [
            "password",
            "pass",
            "auth_token",
            "authToken",
            "token",
            "key",
            "apikey",
            "tfkey",
            "service_authhash",
            "X-Auth-Token",
        ] {
            assert!(secret_name(name), "{name}");
        }
        for name in [
            "user",
            "username",
            "userId",
            "code",
            "status",
            "org_uuid",
            "tokenType",
        ] {
            assert!(!secret_name(name), "{name}");
        }
    }

    #[test]
    fn names_that_break_the_convention_are_caught() {
        let p = only(
            &bad("operationId: login\n", "operationId: log_in\n"),
            "naming-convention",
        );
        assert_eq!(p.pointer, "/paths/~1login/post/operationId");
        let p = only(&bad("loggedIn:", "logged-in:"), "naming-convention");
        assert!(p.message.contains("logged-in"), "{}", p.message);
        let renamed = GOOD.replace("LoginResponse", "loginResponse");
        let p = only(&problems(&renamed), "naming-convention");
        assert_eq!(p.pointer, "/components/schemas/loginResponse");
        let renamed = GOOD.replace("authentication", "Authentication");
        assert!(
            problems(&renamed)
                .iter()
                .all(|p| p.rule == "naming-convention")
        );
        let renamed = GOOD.replace("ErrorResponse", "Refusal");
        let p = only(&problems(&renamed), "naming-convention");
        assert!(p.message.contains("Refusal"), "{}", p.message);
    }
}
