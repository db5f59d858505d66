//! Requests built from a spec's schemas: valid ones, and ones that break one constraint each.
//!
//! [`operations`] reads every operation of a spec (parameters, request body per media type,
//! security requirements) with its `$ref`s inlined. [`Generator`] then builds, for one operation
//! and one request media type:
//!
//! * a valid request ([`Generator::valid`]): parameters, credentials and body fields drawn from
//!   the schemas. A field whose name a *fixture* knows (a demo account's user name, a freshly
//!   issued token, …) takes the fixture's value, so that a valid request can really succeed;
//!   others take the schema's `example` or a random string of an allowed length. Optional
//!   fields, optional credentials, `oneOf` branches and `anyOf` branches are chosen at random
//!   from a seeded generator, so different seeds cover different shapes;
//! * the same request broken in one way per constraint the spec declares
//!   ([`Generator::broken`]): a required parameter, credential, body or body field left out, a
//!   field of the wrong JSON type, an empty string under `minLength`, a value outside an `enum`,
//!   an undeclared field where `additionalProperties` is false, every field an `anyOf` branch
//!   needs left out, a body of an undeclared media type, a JSON body that is not an object.
//!
//! The verdict on each request is not decided here: the test asks the contract checker whether
//! the spec accepts it, so the generator and the checker cannot drift apart silently.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

/// A request to send: method, path from the server root, query, headers and body.
#[derive(Clone, Debug)]
pub struct GeneratedRequest {
    /// What was generated, e.g. `login application/json: without required field password`.
    pub label: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path from the server root (base path included).
    pub path: String,
    /// Query parameters.
    pub query: Vec<(String, String)>,
    /// Headers (credentials and header parameters).
    pub headers: Vec<(String, String)>,
    /// `(Content-Type, bytes)`, or no body.
    pub body: Option<(String, Vec<u8>)>,
}

/// A parameter of an operation.
#[derive(Clone, Debug)]
pub struct ParamDef {
    /// The parameter's name.
    pub name: String,
    /// `query`, `header`, `path` or `cookie`.
    pub location: String,
    /// Whether it must be sent.
    pub required: bool,
    /// Its schema, `$ref`s inlined.
    pub schema: Value,
}

/// One operation of a spec, `$ref`s inlined.
#[derive(Clone, Debug)]
pub struct OperationDef {
    /// The `operationId`.
    pub id: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path from the server root (base path included).
    pub path: String,
    /// Its parameters.
    pub params: Vec<ParamDef>,
    /// Whether the request body is required.
    pub body_required: bool,
    /// `(media type, schema)` of each request body media type.
    pub body: Vec<(String, Value)>,
    /// Security alternatives: each a list of `(location, name)` credentials; an empty
    /// alternative makes credentials optional. Empty: none needed.
    pub security: Vec<Vec<(String, String)>>,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `node` with every local `$ref` replaced by its target (the specs have no cycles).
fn inline(doc: &Value, node: &Value, depth: usize) -> Value {
    if depth > 32 {
        return node.clone();
    }
    match node {
        Value::Object(map) => {
            if let Some(target) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|p| doc.pointer(p))
            {
                return inline(doc, target, depth + 1);
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), inline(doc, v, depth + 1)))
                    .collect(),
            )
        }
        Value::Array(xs) => Value::Array(xs.iter().map(|x| inline(doc, x, depth + 1)).collect()),
        other => other.clone(),
    }
}

/// The path of the first server URL (`https://host/api/4` → `/api/4`; `{baseUrl}` → ``).
fn base_path(doc: &Value) -> String {
    let url = doc
        .pointer("/servers/0/url")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    match after_scheme.find('/') {
        Some(i) if !url.starts_with('{') => after_scheme[i..].trim_end_matches('/').to_owned(),
        _ => String::new(),
    }
}

/// Every operation of the parsed spec `doc`, in document order.
pub fn operations(doc: &Value) -> Vec<OperationDef> {
    let base = base_path(doc);
    let schemes: HashMap<String, (String, String)> = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            let v = inline(doc, v, 0);
            Some((
                k.clone(),
                (
                    v.get("in")?.as_str()?.to_owned(),
                    v.get("name")?.as_str()?.to_ascii_lowercase(),
                ),
            ))
        })
        .collect();
    let mut out = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let item = inline(doc, item, 0);
        for method in METHODS {
            let Some(op) = item.get(method) else {
                continue;
            };
            let params = [item.get("parameters"), op.get("parameters")]
                .into_iter()
                .flatten()
                .filter_map(Value::as_array)
                .flatten()
                .map(|p| {
                    let location = p.get("in").and_then(Value::as_str).unwrap_or("query");
                    ParamDef {
                        name: p
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        location: location.to_owned(),
                        required: location == "path" || p.get("required") == Some(&json!(true)),
                        schema: p.get("schema").cloned().unwrap_or(json!({})),
                    }
                })
                .collect();
            let body = op
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(media, m)| (media.clone(), m.get("schema").cloned().unwrap_or(json!({}))))
                .collect();
            let security = op
                .get("security")
                .or_else(|| doc.get("security"))
                .and_then(Value::as_array)
                .map(|alts| {
                    alts.iter()
                        .map(|alt| {
                            alt.as_object()
                                .into_iter()
                                .flatten()
                                .filter_map(|(k, _)| schemes.get(k).cloned())
                                .collect()
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.push(OperationDef {
                id: op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or(path)
                    .to_owned(),
                method: method.to_ascii_uppercase(),
                path: format!("{base}{path}"),
                params,
                body_required: op.pointer("/requestBody/required") == Some(&json!(true)),
                body,
                security,
            });
        }
    }
    out
}

/// A small seeded pseudo-random generator (xorshift64*): reproducible runs, no dependency.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A coin toss.
    pub fn coin(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }

    /// Random printable text of `len` characters, with some that need escaping in URLs, forms
    /// and JSON.
    pub fn text(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] =
            b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.@+&=%/\"'";
        (0..len)
            .map(|_| char::from(ALPHABET[self.below(ALPHABET.len())]))
            .collect()
    }
}

/// Values a valid request should use for fields, parameters and credential headers of a given
/// name (lower case for headers), e.g. a demo account's password or a freshly issued token.
pub type Fixture = HashMap<String, Value>;

/// Builds requests for one operation and one request media type (see the module docs).
pub struct Generator<'a> {
    op: &'a OperationDef,
    /// The media type and schema of the body, if the operation has one.
    media: Option<&'a (String, Value)>,
}

/// A body value as it will be sent, before encoding.
#[derive(Clone)]
struct Draft {
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Value>,
    /// The body's schema after choosing a `oneOf` branch.
    body_schema: Value,
}

fn string_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn json_type(schema: &Value) -> Option<&str> {
    schema
        .get("type")
        .and_then(Value::as_str)
        .or_else(|| schema.get("properties").map(|_| "object"))
}

fn required_of(schema: &Value) -> Vec<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

impl<'a> Generator<'a> {
    /// Generators for every `(operation, media type)` pair of `op` (one without a body when the
    /// operation has none).
    pub fn for_operation(op: &'a OperationDef) -> Vec<Generator<'a>> {
        if op.body.is_empty() {
            vec![Generator { op, media: None }]
        } else {
            op.body
                .iter()
                .map(|m| Generator { op, media: Some(m) })
                .collect()
        }
    }

    /// `operationId` and media type, for messages.
    pub fn name(&self) -> String {
        match self.media {
            Some((m, _)) => format!("{} {m}", self.op.id),
            None => self.op.id.clone(),
        }
    }

    fn is_form(&self) -> bool {
        self.media
            .is_some_and(|(m, _)| m == "application/x-www-form-urlencoded")
    }

    /// A value valid against `schema`, for a field called `name`.
    fn value(&self, schema: &Value, name: &str, fixture: &Fixture, rng: &mut Rng) -> Value {
        if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
            let branch = &branches[rng.below(branches.len())];
            return self.value(branch, name, fixture, rng);
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return values[rng.below(values.len())].clone();
        }
        match json_type(schema) {
            Some("object") => Value::Object(self.object(schema, fixture, rng)),
            Some("integer") => fixture
                .get(name)
                .cloned()
                .or_else(|| schema.get("example").cloned())
                .unwrap_or(json!(0)),
            Some("number") => json!(1.5),
            Some("boolean") => json!(rng.coin()),
            Some("array") => json!([]),
            _ => {
                if let Some(v) = fixture.get(name) {
                    return v.clone();
                }
                let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
                match schema.get("example") {
                    Some(Value::String(e)) if rng.coin() => json!(e),
                    _ => {
                        let len = min.max(1) + rng.below(12);
                        json!(rng.text(len))
                    }
                }
            }
        }
    }

    /// An object valid against `schema`: its required fields, a random choice of the optional
    /// ones, and the fields of one randomly chosen `anyOf` branch.
    fn object(&self, schema: &Value, fixture: &Fixture, rng: &mut Rng) -> Map<String, Value> {
        let mut wanted = required_of(schema);
        if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
            wanted.extend(required_of(&branches[rng.below(branches.len())]));
        }
        let mut out = Map::new();
        for (name, prop) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if wanted.contains(name) || rng.coin() {
                out.insert(name.clone(), self.value(prop, name, fixture, rng));
            }
        }
        out
    }

    /// The oneOf branch of the body schema a value was built from is not kept, so pick the
    /// branch first and build from it.
    fn draft(&self, fixture: &Fixture, rng: &mut Rng) -> Draft {
        let mut query = Vec::new();
        let mut headers = Vec::new();
        for p in &self.op.params {
            if !p.required && !rng.coin() {
                continue;
            }
            let v = string_of(&self.value(&p.schema, &p.name, fixture, rng));
            match p.location.as_str() {
                "query" => query.push((p.name.clone(), v)),
                "header" => headers.push((p.name.to_ascii_lowercase(), v)),
                _ => {}
            }
        }
        if !self.op.security.is_empty() {
            let optional = self.op.security.iter().any(Vec::is_empty);
            let alt = &self.op.security[rng.below(self.op.security.len())];
            if !(optional && alt.is_empty()) {
                for (location, name) in alt {
                    let v = fixture.get(name).map(string_of).unwrap_or_default();
                    match location.as_str() {
                        "header" => headers.push((name.clone(), v)),
                        "query" => query.push((name.clone(), v)),
                        _ => {}
                    }
                }
            }
        }
        let (body, body_schema) = match self.media {
            None => (None, Value::Null),
            Some((_, schema)) => {
                let schema = match schema.get("oneOf").and_then(Value::as_array) {
                    Some(branches) => branches[rng.below(branches.len())].clone(),
                    None => schema.clone(),
                };
                (Some(self.value(&schema, "", fixture, rng)), schema)
            }
        };
        Draft {
            query,
            headers,
            body,
            body_schema,
        }
    }

    fn encode(&self, label: String, d: &Draft) -> GeneratedRequest {
        let body = match (self.media, &d.body) {
            (Some((media, _)), Some(v)) => Some((media.clone(), self.encode_body(v))),
            _ => None,
        };
        GeneratedRequest {
            label: format!("{}: {label}", self.name()),
            method: self.op.method.clone(),
            path: self.op.path.clone(),
            query: d.query.clone(),
            headers: d.headers.clone(),
            body,
        }
    }

    fn encode_body(&self, v: &Value) -> Vec<u8> {
        if self.is_form() {
            let mut form = form_urlencoded::Serializer::new(String::new());
            for (k, v) in v.as_object().into_iter().flatten() {
                form.append_pair(k, &string_of(v));
            }
            form.finish().into_bytes()
        } else {
            serde_json::to_vec(v).unwrap_or_default()
        }
    }

    /// A valid request (see the module docs).
    pub fn valid(&self, fixture: &Fixture, rng: &mut Rng) -> GeneratedRequest {
        let d = self.draft(fixture, rng);
        self.encode("valid".into(), &d)
    }

    /// A valid request, then the same request broken once per declared constraint.
    pub fn broken(&self, fixture: &Fixture, rng: &mut Rng) -> Vec<GeneratedRequest> {
        let d = self.draft(fixture, rng);
        let mut drafts: Vec<(String, Draft)> = Vec::new();
        let mut push = |label: String, d: Draft| drafts.push((label, d));

        for p in self.op.params.iter().filter(|p| p.required) {
            let mut b = d.clone();
            b.query
                .retain(|(k, _)| !(p.location == "query" && *k == p.name));
            b.headers
                .retain(|(k, _)| !(p.location == "header" && k.eq_ignore_ascii_case(&p.name)));
            push(
                format!("without required {} parameter {}", p.location, p.name),
                b,
            );
        }
        for p in &self.op.params {
            if p.schema
                .get("minLength")
                .and_then(Value::as_u64)
                .unwrap_or(0)
                > 0
            {
                let mut b = d.clone();
                for (k, v) in b.query.iter_mut().chain(b.headers.iter_mut()) {
                    if k.eq_ignore_ascii_case(&p.name) {
                        v.clear();
                    }
                }
                push(format!("empty {} parameter {}", p.location, p.name), b);
            }
        }
        if !self.op.security.is_empty() && !self.op.security.iter().any(Vec::is_empty) {
            for (_, name) in self.op.security.iter().flatten() {
                let mut b = d.clone();
                b.headers.retain(|(k, _)| k != name);
                b.query.retain(|(k, _)| k != name);
                push(format!("without credential {name}"), b);
            }
        }
        let Some((media, _)) = self.media else {
            return self.encode_all(drafts, None);
        };
        if self.op.body_required {
            let mut b = d.clone();
            b.body = None;
            push("without the required body".into(), b);
        }
        // The body of an undeclared media type: encoded as declared, labelled as text.
        let mut as_text = self.encode("body sent as text/plain".into(), &d);
        if let Some((ct, _)) = as_text.body.as_mut() {
            *ct = "text/plain".into();
        }
        let is_json = media == "application/json";
        if is_json {
            let mut b = d.clone();
            b.body = Some(json!(["not", "an", "object"]));
            push("a JSON array as body".into(), b);
        }
        let Some(Value::Object(fields)) = &d.body else {
            return self.encode_all(drafts, Some(as_text));
        };
        let schema = &d.body_schema;
        let props = schema
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let with = |f: &dyn Fn(&mut Map<String, Value>)| {
            let mut b = d.clone();
            let mut fields = fields.clone();
            f(&mut fields);
            b.body = Some(Value::Object(fields));
            b
        };
        for name in required_of(schema) {
            push(
                format!("without required field {name}"),
                with(&|f| {
                    f.remove(&name);
                }),
            );
        }
        if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
            let names: Vec<String> = branches.iter().flat_map(required_of).collect();
            push(
                format!("without any of {}", names.join(", ")),
                with(&|f| f.retain(|k, _| !names.contains(k))),
            );
        }
        if schema.get("additionalProperties") == Some(&json!(false)) {
            push(
                "with an undeclared field".into(),
                with(&|f| {
                    f.insert("undeclaredField".into(), json!("x"));
                }),
            );
        }
        // `not: {anyOf: [{required: [f], properties: {f: {maxLength: 0}}}, …]}`: "f must not be
        // empty", as a spec says it where `minLength` would change the generated type.
        for branch in schema
            .pointer("/not/anyOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for (name, p) in branch
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if p.get("maxLength") == Some(&json!(0)) && fields.contains_key(name) {
                    push(
                        format!("field {name} empty (refused by `not`)"),
                        with(&|f| {
                            f.insert(name.clone(), json!(""));
                        }),
                    );
                }
            }
        }
        for (name, prop) in &props {
            if !fields.contains_key(name) {
                continue;
            }
            if is_json && json_type(prop) == Some("string") {
                push(
                    format!("field {name} as a number"),
                    with(&|f| {
                        f.insert(name.clone(), json!(123456));
                    }),
                );
                push(
                    format!("field {name} as an object"),
                    with(&|f| {
                        f.insert(name.clone(), json!({"value": "x"}));
                    }),
                );
            }
            if prop.get("minLength").and_then(Value::as_u64).unwrap_or(0) > 0 {
                push(
                    format!("field {name} empty"),
                    with(&|f| {
                        f.insert(name.clone(), json!(""));
                    }),
                );
            }
            if prop.get("enum").is_some() {
                push(
                    format!("field {name} outside its enum"),
                    with(&|f| {
                        f.insert(name.clone(), json!("NOT-IN-THE-ENUM"));
                    }),
                );
            }
        }
        self.encode_all(drafts, Some(as_text))
    }

    fn encode_all(
        &self,
        drafts: Vec<(String, Draft)>,
        extra: Option<GeneratedRequest>,
    ) -> Vec<GeneratedRequest> {
        drafts
            .into_iter()
            .map(|(label, d)| self.encode(label, &d))
            .chain(extra)
            .collect()
    }
}
