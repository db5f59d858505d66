//! The project's own checks that neither Redocly nor Spectral can express, on top of their
//! rulesets and of the project's Spectral rules (`apilogin-...` in `.spectral.yaml`).
//!
//! | rule | what it asks | why it is not a Spectral rule |
//! | --- | --- | --- |
//! | `secret-format` | every string field whose name says it carries a secret is `format: password` | the secret names are one Rust list ([`apilogin_secret_names`]), shared with the facade's scrubber |
//! | `operation-error-response` | every operation documents at least one error response (see below) | it follows `$ref`s into component schemas; Spectral's paths see either the `$ref` or the schema, never both |
//!
//! An error response is a `4XX`, `5XX` or `default` response. A service that answers failures
//! with a 2XX status (Txty) documents them inside that response instead, and the rule
//! recognises exactly that: a 2XX response whose schema is a `oneOf` with an error schema as a
//! variant, or whose `x-error-variant` names the error schema its body mirrors (an XML body, say).
//! An error schema is a component schema whose name contains `Error` (Spectral's
//! `apilogin-error-body-name` holds the 4XX bodies to the same naming).
//!
//! What the earlier Rust checks asked and Redocly or Spectral now ask instead: example validity
//! (Redocly `no-invalid-media-type-examples`, `no-invalid-parameter-examples`,
//! `no-invalid-schema-examples`; Spectral `oas3-valid-media-example`, `oas3-valid-schema-example`),
//! `operationId` (both `operation-operationId`), summary (Redocly `operation-summary`), tags
//! (Spectral `operation-tags`, `operation-tag-defined`), and the naming convention (Spectral
//! `apilogin-*-casing`, `apilogin-error-body-name`).

use std::collections::BTreeSet;

use serde_json::Value;

use apilogin_secret_names::is_secret_name;

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
    for o in &w.operations {
        error_response(doc, o, &mut out);
    }
    secrets(&w, &mut out);
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
        if !is_secret_name(field.name) || !is_string(schema) {
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
    fn the_secret_names_are_the_shared_list() {
        // `pwd` was only in the lint's list, `code` only in the facade's: both count now.
        for name in ["pwd", "code", "session_id", "Cookie"] {
            let p = only(
                &bad(
                    "name: client\n          in: query",
                    &format!("name: {name}\n          in: query"),
                ),
                "secret-format",
            );
            assert_eq!(
                p.pointer, "/paths/~1login/post/parameters/0/schema",
                "{name}"
            );
        }
        // Not a string: not asked to be `format: password`.
        assert_eq!(
            bad(
                "newapikey: {type: object}",
                "newapikey: {type: object}\n        code: {type: integer}"
            ),
            vec![]
        );
    }
}
