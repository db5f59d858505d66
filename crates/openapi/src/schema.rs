//! OpenAPI 3.0 schema objects as JSON Schema (2020-12): the one converter, used to validate
//! examples and wire traffic with `jsonschema` (feature `validate`).
//!
//! OpenAPI 3.0's schema dialect differs from JSON Schema in a few keywords: `nullable`, boolean
//! `exclusiveMinimum`/`exclusiveMaximum`, the formats `password`, `int32`, `int64`, ..., and
//! `$ref`s to `#/components/schemas/...`. The conversion rewrites those, drops the annotations
//! JSON Schema does not know (`example`, `discriminator`, `xml`, `x-...`), and keeps the rest.

use serde_json::{Map, Value, json};

/// Converts the schemas of one document; the component schemas are converted once and given
/// to every schema converted after.
#[derive(Debug, Clone)]
pub struct Converter {
    defs: Map<String, Value>,
}

impl Converter {
    pub fn new(doc: &Value) -> Result<Self, String> {
        let mut defs = Map::new();
        if let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") {
            for (name, s) in schemas {
                defs.insert(name.clone(), convert(s)?);
            }
        }
        Ok(Self { defs })
    }

    /// A JSON Schema document for `schema`, with every component schema under `$defs` so that
    /// references resolve.
    pub fn document(&self, schema: &Value) -> Result<Value, String> {
        let mut root = match convert(schema)? {
            Value::Object(map) => map,
            other => {
                // A boolean schema cannot carry `$defs`: wrap it.
                let mut map = Map::new();
                map.insert("allOf".into(), json!([other]));
                map
            }
        };
        root.insert("$schema".into(), json!(DIALECT));
        root.insert("$defs".into(), Value::Object(self.defs.clone()));
        Ok(Value::Object(root))
    }

    /// A validator for `schema` (feature `validate`).
    #[cfg(feature = "validate")]
    pub fn validator(&self, schema: &Value) -> Result<jsonschema::Validator, String> {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            // OpenAPI's `format` is open: a format JSON Schema does not know is an annotation.
            .should_ignore_unknown_formats(true)
            .build(&self.document(schema)?)
            .map_err(|e| format!("the schema is not usable: {e}"))
    }
}

/// The JSON Schema dialect the conversion targets.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// A JSON Schema document for `schema` (an OpenAPI schema object from `doc`).
pub fn to_json_schema(doc: &Value, schema: &Value) -> Result<Value, String> {
    Converter::new(doc)?.document(schema)
}

/// Validates `instance` against the OpenAPI `schema`; the messages name the place inside the
/// instance that does not match.
#[cfg(feature = "validate")]
pub fn validate(doc: &Value, schema: &Value, instance: &Value) -> Result<(), Vec<String>> {
    let validator = Converter::new(doc)
        .and_then(|c| c.validator(schema))
        .map_err(|e| vec![e])?;
    let errors = errors(&validator, instance);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// What `validator` finds wrong with `instance`, each message led by its place in the
/// instance (`at /user: …`; `at /: …` for the instance itself).
#[cfg(feature = "validate")]
pub fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| {
            let at = e.instance_path().to_string();
            let at = if at.is_empty() { "/" } else { &at };
            let mut message = e.to_string();
            if message.chars().count() > 160 {
                message = message.chars().take(157).collect::<String>() + "...";
            }
            format!("at {at}: {message}")
        })
        .collect()
}

const SCHEMA_MAPS: &[&str] = &["properties", "patternProperties", "$defs", "definitions"];
const SCHEMA_LISTS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
const SCHEMA_VALUES: &[&str] = &["items", "not", "additionalProperties"];
/// OpenAPI annotations that JSON Schema does not know; dropped so they cannot mean anything.
const DROPPED: &[&str] = &[
    "example",
    "examples",
    "discriminator",
    "xml",
    "externalDocs",
    "nullable",
];

fn convert(schema: &Value) -> Result<Value, String> {
    let Value::Object(map) = schema else {
        return Ok(schema.clone());
    };
    let mut out = Map::new();
    for (key, value) in map {
        if DROPPED.contains(&key.as_str()) || key.starts_with("x-") {
            continue;
        }
        let converted = if key == "$ref" {
            let target = value.as_str().unwrap_or_default();
            let name = target
                .strip_prefix("#/components/schemas/")
                .ok_or_else(|| format!("`$ref: {target}` does not name a component schema"))?;
            json!(format!("#/$defs/{name}"))
        } else if SCHEMA_MAPS.contains(&key.as_str()) {
            match value {
                Value::Object(children) => Value::Object(
                    children
                        .iter()
                        .map(|(k, v)| Ok((k.clone(), convert(v)?)))
                        .collect::<Result<_, String>>()?,
                ),
                other => other.clone(),
            }
        } else if SCHEMA_LISTS.contains(&key.as_str()) {
            match value {
                Value::Array(items) => {
                    Value::Array(items.iter().map(convert).collect::<Result<_, _>>()?)
                }
                other => other.clone(),
            }
        } else if SCHEMA_VALUES.contains(&key.as_str()) {
            convert(value)?
        } else {
            value.clone()
        };
        out.insert(key.clone(), converted);
    }
    // Boolean `exclusiveMinimum: true` + `minimum: n` is JSON Schema's `exclusiveMinimum: n`.
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match out.get(exclusive) {
            Some(Value::Bool(true)) => {
                let value = out.remove(bound).unwrap_or(Value::Null);
                out.insert(exclusive.into(), value);
            }
            Some(Value::Bool(false)) => {
                out.remove(exclusive);
            }
            _ => {}
        }
    }
    // OpenAPI formats that are not JSON Schema formats.
    match out.get("format").and_then(Value::as_str) {
        Some("int32") => {
            out.remove("format");
            out.entry("minimum").or_insert(json!(i32::MIN));
            out.entry("maximum").or_insert(json!(i32::MAX));
        }
        Some("int64") => {
            out.remove("format");
            out.entry("minimum").or_insert(json!(i64::MIN));
            out.entry("maximum").or_insert(json!(i64::MAX));
        }
        // A password is a plain string; the others are annotations on numbers and strings.
        Some("password" | "float" | "double" | "byte" | "binary") => {
            out.remove("format");
        }
        _ => {}
    }
    if map.get("nullable") == Some(&Value::Bool(true)) {
        match out.get("type").cloned() {
            Some(Value::String(t)) => {
                out.insert("type".into(), json!([t, "null"]));
            }
            Some(_) => {}
            None if out.contains_key("$ref") => {
                // `nullable` next to a `$ref` (ignored by OpenAPI 3.0 itself): allow null too.
                let reference = out.remove("$ref").unwrap_or_default();
                out.insert(
                    "anyOf".into(),
                    json!([{ "$ref": reference }, { "type": "null" }]),
                );
            }
            None => {}
        }
        if let Some(Value::Array(values)) = out.get_mut("enum")
            && !values.contains(&Value::Null)
        {
            values.push(Value::Null);
        }
    }
    Ok(Value::Object(out))
}

#[cfg(all(test, feature = "validate"))]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({
            "components": { "schemas": {
                "Login": {
                    "type": "object",
                    "required": ["user", "password"],
                    "properties": {
                        "user": { "type": "string", "example": "demo" },
                        "password": { "type": "string", "format": "password" },
                        "id": { "type": "string", "format": "uuid" },
                        "note": { "type": "string", "nullable": true },
                        "kind": { "type": "string", "enum": ["a"], "nullable": true },
                        "count": { "type": "integer", "format": "int32", "minimum": 0, "exclusiveMinimum": true }
                    }
                }
            }}
        })
    }

    fn check(instance: Value) -> Result<(), Vec<String>> {
        validate(
            &doc(),
            &json!({"$ref": "#/components/schemas/Login"}),
            &instance,
        )
    }

    #[test]
    fn a_valid_instance_passes_with_password_and_nullable() {
        check(json!({"user": "u", "password": "p", "note": null, "kind": null, "count": 1}))
            .unwrap();
    }

    #[test]
    fn missing_fields_wrong_types_and_formats_are_reported() {
        let errors = check(json!({"user": 1})).unwrap_err();
        assert!(errors.iter().any(|e| e.contains("password")), "{errors:?}");
        assert!(
            errors.iter().any(|e| e.starts_with("at /user:")),
            "{errors:?}"
        );
        let errors = check(json!({"user": "u", "password": "p", "id": "nope"})).unwrap_err();
        assert!(
            errors.iter().any(|e| e.starts_with("at /id:")),
            "{errors:?}"
        );
    }

    #[test]
    fn boolean_exclusive_minimum_and_int32_bounds_hold() {
        assert!(check(json!({"user": "u", "password": "p", "count": 0})).is_err());
        assert!(check(json!({"user": "u", "password": "p", "count": 3_000_000_000u64})).is_err());
    }

    #[test]
    fn refs_outside_component_schemas_are_refused() {
        let e = to_json_schema(&doc(), &json!({"$ref": "#/components/responses/X"})).unwrap_err();
        assert!(e.contains("#/components/responses/X"), "{e}");
    }
}
