//! The `x-apilogin` extension against its JSON Schema (`schemas/x-apilogin.schema.json`), with
//! every violation listed, each at its JSON pointer.
//!
//! Two readers of the one schema: a small walk of the schema's keywords over the extension
//! (`type`, `required`, `properties`, `additionalProperties`, `propertyNames`, `items`, `enum`,
//! `const`, `pattern`, lengths and bounds, `$ref` into `$defs`, `allOf`/`anyOf`/`oneOf`/`not`,
//! `if`/`then`/`else`, `dependentRequired`/`dependentSchemas`), which reports every problem;
//! and the typed model of the extension (`apilogin-login-model`, which its own test keeps equal
//! to the schema), read as a backstop, so a keyword the walk does not know is still enforced
//! (its first problem); [`read`] gives the model to the glue. No JSON Schema validator crate:
//! that would double the generator's first build. `cargo xtask lint` validates the whole schema
//! with Spectral as well (tools/spectral/x-apilogin.js).

use std::sync::OnceLock;

use apilogin_login_model::Description;
use serde_json::{Map, Value};

/// The schema, as compiled into this crate.
const SCHEMA: &str = include_str!("../../../schemas/x-apilogin.schema.json");

fn schema() -> &'static Value {
    static SCHEMA_VALUE: OnceLock<Value> = OnceLock::new();
    SCHEMA_VALUE.get_or_init(|| {
        serde_json::from_str(SCHEMA)
            .expect("schemas/x-apilogin.schema.json is JSON (the model's test reads it)")
    })
}

/// Checks `ext` (a spec's `x-apilogin`) against the extension's schema: every problem, each as
/// a JSON pointer below the extension and a message, in document order.
pub fn check(ext: &Value) -> Vec<(String, String)> {
    let root = schema();
    let mut walk = Walk {
        root,
        problems: Vec::new(),
    };
    walk.node(root, ext, "", 0);
    let mut problems = walk.problems;
    if problems.is_empty()
        && let Err(backstop) = read(ext)
    {
        problems.push(backstop);
    }
    problems
}

/// Reads `ext` into the extension's model: the first problem, if any (at its pointer below the
/// extension).
pub(crate) fn read(ext: &Value) -> Result<Description, (String, String)> {
    serde_path_to_error::deserialize::<_, Description>(ext).map_err(|e| {
        let tokens: Vec<String> = e
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                serde_path_to_error::Segment::Enum { variant } => Some(variant.clone()),
                serde_path_to_error::Segment::Unknown => None,
            })
            .collect();
        (
            apilogin_openapi::pointer(tokens.iter().map(String::as_str)),
            e.into_inner().to_string(),
        )
    })
}

/// How deep `$ref`s and combinators are followed on one value before giving up (a cycle of
/// references without a step into the value).
const MAX_DEPTH: usize = 64;

struct Walk<'s> {
    root: &'s Value,
    problems: Vec<(String, String)>,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn is_type(v: &Value, ty: &str) -> bool {
    match ty {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}

fn type_name(ty: &str) -> &str {
    match ty {
        "boolean" => "a boolean (true or false)",
        "integer" => "an integer",
        "number" => "a number",
        "string" => "a string",
        "array" => "a list",
        "object" => "a mapping",
        "null" => "null",
        other => other,
    }
}

fn listed<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items
        .into_iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

fn matches_pattern(pattern: &str, text: &str) -> bool {
    // A pattern the regex engine cannot read is the schema's problem, not the spec's.
    regress::Regex::new(pattern).map_or(true, |re| re.find(text).is_some())
}

impl<'s> Walk<'s> {
    fn problem(&mut self, at: &str, message: String) {
        let entry = (at.to_owned(), message);
        if !self.problems.contains(&entry) {
            self.problems.push(entry);
        }
    }

    /// The problems of `value` (at `at`) against `schema`, without recording them.
    fn trial(
        &self,
        schema: &'s Value,
        value: &Value,
        at: &str,
        depth: usize,
    ) -> Vec<(String, String)> {
        let mut inner = Walk {
            root: self.root,
            problems: Vec::new(),
        };
        inner.node(schema, value, at, depth);
        inner.problems
    }

    fn resolve(&self, reference: &str) -> Option<&'s Value> {
        reference
            .strip_prefix('#')
            .and_then(|p| self.root.pointer(p))
    }

    fn node(&mut self, schema: &'s Value, value: &Value, at: &str, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let Some(s) = schema.as_object() else {
            if schema == &Value::Bool(false) {
                self.problem(at, "no value is allowed here".to_owned());
            }
            return;
        };
        if let Some(target) = s.get("$ref").and_then(Value::as_str)
            && let Some(next) = self.resolve(target)
        {
            self.node(next, value, at, depth + 1);
        }
        // A wrong type says it all: the other keywords of this schema would only repeat it.
        if let Some(ty) = s.get("type") {
            let types: Vec<&str> = match ty {
                Value::String(t) => vec![t.as_str()],
                Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !types.is_empty() && !types.iter().any(|t| is_type(value, t)) {
                let wanted: Vec<&str> = types.iter().map(|t| type_name(t)).collect();
                self.problem(
                    at,
                    format!("expected {}, found {}", wanted.join(" or "), kind(value)),
                );
                return;
            }
        }
        if let Some(options) = s.get("enum").and_then(Value::as_array)
            && !options.contains(value)
        {
            let names: Vec<String> = options.iter().map(shown).collect();
            self.problem(
                at,
                format!(
                    "unknown value {}, expected one of {}",
                    shown(value),
                    names.join(", ")
                ),
            );
        }
        if let Some(constant) = s.get("const")
            && constant != value
        {
            self.problem(
                at,
                format!("expected {}, found {}", shown(constant), shown(value)),
            );
        }
        match value {
            Value::String(text) => self.string(s, text, at),
            Value::Number(_) => self.number(s, value, at),
            Value::Array(items) => self.array(s, items, at, depth),
            Value::Object(members) => self.object(s, members, at, depth),
            _ => {}
        }
        self.combinators(s, value, at, depth);
    }

    fn string(&mut self, s: &Map<String, Value>, text: &str, at: &str) {
        let chars = text.chars().count() as u64;
        if let Some(min) = s.get("minLength").and_then(Value::as_u64)
            && chars < min
        {
            self.problem(
                at,
                if min == 1 {
                    "must not be empty".to_owned()
                } else {
                    format!("must be at least {min} characters long")
                },
            );
        }
        if let Some(max) = s.get("maxLength").and_then(Value::as_u64)
            && chars > max
        {
            self.problem(at, format!("must be at most {max} characters long"));
        }
        if let Some(pattern) = s.get("pattern").and_then(Value::as_str)
            && !matches_pattern(pattern, text)
        {
            self.problem(
                at,
                format!("`{text}` does not match the pattern `{pattern}`"),
            );
        }
    }

    fn number(&mut self, s: &Map<String, Value>, value: &Value, at: &str) {
        let Some(n) = value.as_f64() else { return };
        if let Some(min) = s.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            self.problem(at, format!("{value} is less than the minimum {min}"));
        }
        if let Some(max) = s.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            self.problem(at, format!("{value} is more than the maximum {max}"));
        }
    }

    fn array(&mut self, s: &'s Map<String, Value>, items: &[Value], at: &str, depth: usize) {
        if let Some(min) = s.get("minItems").and_then(Value::as_u64)
            && (items.len() as u64) < min
        {
            self.problem(at, format!("needs at least {min} item(s)"));
        }
        if let Some(max) = s.get("maxItems").and_then(Value::as_u64)
            && (items.len() as u64) > max
        {
            self.problem(at, format!("takes at most {max} item(s)"));
        }
        if let Some(item) = s.get("items") {
            for (i, v) in items.iter().enumerate() {
                self.node(item, v, &format!("{at}/{i}"), depth);
            }
        }
    }

    fn object(
        &mut self,
        s: &'s Map<String, Value>,
        members: &Map<String, Value>,
        at: &str,
        depth: usize,
    ) {
        let properties = s.get("properties").and_then(Value::as_object);
        for name in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !members.contains_key(name) {
                self.problem(at, format!("missing field `{name}`"));
            }
        }
        let count = members.len() as u64;
        if let Some(min) = s.get("minProperties").and_then(Value::as_u64)
            && count < min
        {
            self.problem(at, format!("needs at least {min} member(s)"));
        }
        if let Some(max) = s.get("maxProperties").and_then(Value::as_u64)
            && count > max
        {
            let names: Vec<&str> = members.keys().map(String::as_str).collect();
            self.problem(
                at,
                format!("takes at most {max} member(s), found {}", listed(names)),
            );
        }
        for (name, member) in members {
            let member_at = apilogin_openapi::ptr(at, name);
            if let Some(names) = s.get("propertyNames") {
                for (_, message) in self.trial(names, &Value::String(name.clone()), "", depth + 1) {
                    self.problem(&member_at, format!("the name `{name}`: {message}"));
                }
            }
            if let Some(schema) = properties.and_then(|p| p.get(name)) {
                self.node(schema, member, &member_at, depth);
                continue;
            }
            match s.get("additionalProperties") {
                Some(Value::Bool(false)) => {
                    let known: Vec<&str> = properties
                        .into_iter()
                        .flatten()
                        .map(|(k, _)| k.as_str())
                        .collect();
                    self.problem(
                        &member_at,
                        format!("unknown field `{name}`, expected one of {}", listed(known)),
                    );
                }
                Some(schema @ Value::Object(_)) => self.node(schema, member, &member_at, depth),
                _ => {}
            }
        }
        if let Some(dependent) = s.get("dependentRequired").and_then(Value::as_object) {
            for (name, needs) in dependent {
                if !members.contains_key(name) {
                    continue;
                }
                for need in needs
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if !members.contains_key(need) {
                        self.problem(at, format!("`{name}` needs `{need}` beside it"));
                    }
                }
            }
        }
        if let Some(dependent) = s.get("dependentSchemas").and_then(Value::as_object) {
            for (name, schema) in dependent {
                if members.contains_key(name) {
                    self.node(schema, &Value::Object(members.clone()), at, depth + 1);
                }
            }
        }
    }

    fn combinators(&mut self, s: &'s Map<String, Value>, value: &Value, at: &str, depth: usize) {
        for member in s
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.node(member, value, at, depth + 1);
        }
        for keyword in ["anyOf", "oneOf"] {
            let Some(members) = s.get(keyword).and_then(Value::as_array) else {
                continue;
            };
            let trials: Vec<Vec<(String, String)>> = members
                .iter()
                .map(|m| self.trial(m, value, at, depth + 1))
                .collect();
            let fitting = trials.iter().filter(|t| t.is_empty()).count();
            if fitting == 0 {
                // The closest alternative's problems say best what to change.
                if let Some(closest) = trials.into_iter().min_by_key(Vec::len) {
                    for (p, m) in closest {
                        self.problem(&p, m);
                    }
                }
            } else if keyword == "oneOf" && fitting > 1 {
                self.problem(
                    at,
                    format!("fits {fitting} of the alternatives where exactly one is allowed"),
                );
            }
        }
        if let Some(not) = s.get("not")
            && self.trial(not, value, at, depth + 1).is_empty()
        {
            let said = not
                .get("description")
                .and_then(Value::as_str)
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            let message = match not.get("required").and_then(Value::as_array) {
                Some(both) if both.len() > 1 => format!(
                    "{} cannot be given together{said}",
                    listed(both.iter().filter_map(Value::as_str))
                ),
                _ => format!("a value that is not allowed here{said}"),
            };
            self.problem(at, message);
        }
        if let Some(condition) = s.get("if") {
            let branch = if self.trial(condition, value, at, depth + 1).is_empty() {
                s.get("then")
            } else {
                s.get("else")
            };
            if let Some(branch) = branch {
                self.node(branch, value, at, depth + 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn minimal() -> Value {
        json!({
            "service": {"variant": "Demo", "name": "Demo", "summary": "A demo."},
            "login": {"operation": "login", "outcomes": [{"status": 200, "then": "loggedIn"}]},
            "session": {"token": {"body": "/token"}}
        })
    }

    #[test]
    fn a_valid_extension_has_no_problem() {
        assert_eq!(check(&minimal()), Vec::new());
    }

    #[test]
    fn every_violation_is_listed_each_at_its_pointer() {
        let mut ext = minimal();
        ext["service"]["variant"] = json!("lower");
        ext["service"]["extra"] = json!(1);
        ext["login"]["outcomes"][0]["then"] = json!("maybe");
        ext["login"]["outcomes"]
            .as_array_mut()
            .unwrap()
            .push(json!({"status": 99}));
        ext["session"]["token"] = json!({"body": "token", "header": "X-Token"});
        ext["inputs"] = json!({"Bad": {"label": ""}});
        let problems = check(&ext);
        let at = |p: &str| {
            problems
                .iter()
                .filter(|(q, _)| q == p)
                .map(|(_, m)| m.as_str())
                .collect::<Vec<_>>()
        };
        assert!(
            at("/service/variant")[0].contains("does not match the pattern"),
            "{problems:?}"
        );
        assert!(
            at("/service/extra")[0].contains("unknown field `extra`"),
            "{problems:?}"
        );
        assert!(
            at("/login/outcomes/0/then")[0].contains("unknown value `maybe`, expected one of"),
            "{problems:?}"
        );
        assert!(
            at("/login/outcomes/1")
                .iter()
                .any(|m| m.contains("missing field `then`")),
            "{problems:?}"
        );
        assert!(
            at("/login/outcomes/1/status")[0].contains("less than the minimum"),
            "{problems:?}"
        );
        assert!(
            at("/session/token")[0].contains("at most 1 member"),
            "{problems:?}"
        );
        assert!(
            at("/session/token/body")[0].contains("pattern `^/`"),
            "{problems:?}"
        );
        assert!(
            at("/inputs/Bad")
                .iter()
                .any(|m| m.contains("the name `Bad`")),
            "{problems:?}"
        );
        assert!(
            at("/inputs/Bad/label")[0].contains("must not be empty"),
            "{problems:?}"
        );
        assert_eq!(problems.len(), 9, "{problems:#?}");
    }

    #[test]
    fn a_missing_member_and_a_wrong_type_are_named() {
        let mut ext = minimal();
        ext.as_object_mut().unwrap().remove("session");
        ext["login"]["outcomes"] = json!("all of them");
        let problems = check(&ext);
        assert!(
            problems.contains(&(String::new(), "missing field `session`".to_owned())),
            "{problems:?}"
        );
        assert!(
            problems.contains(&(
                "/login/outcomes".to_owned(),
                "expected a list, found a string".to_owned()
            )),
            "{problems:?}"
        );
    }

    #[test]
    fn the_walk_and_the_typed_reading_agree_on_the_real_keywords() {
        // Whatever the walk accepts, the model (kept equal to the same schema) reads.
        let ext = minimal();
        assert!(read(&ext).is_ok());
        let mut broken = minimal();
        broken["login"]["outcomes"][0]["then"] = json!("maybe");
        assert!(read(&broken).is_err());
        assert!(!check(&broken).is_empty());
    }
}
