//! The contract check: recorded [`Exchange`]s validated against the OpenAPI specs in `specs/`.
//!
//! [`ContractChecker::for_spec`] reads `specs/NAME.yaml` at test time through the spec model
//! (`apilogin-openapi`) and compiles, with the model's one OpenAPI → JSON Schema converter, one
//! validator per request body, parameter, response body and response header of every operation.
//!
//! For each exchange the checker finds the operation by method and path template (after the
//! server's base path, e.g. `/apv/v27` for remote.it), then checks the request (security
//! headers, query parameters, content type, body; form bodies are decoded into a JSON object of
//! strings first) and the response (documented status, declared headers, content type, and for
//! JSON the body). XML bodies are only checked for their content type.
//!
//! It also names the *outcomes* seen (`login 200 ApiKeyAdded`, `login request
//! application/json ResumeLogin`, …), so a test can assert that every documented one was
//! exercised ([`ContractChecker::documented_outcomes`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use std::path::{Path, PathBuf};

use apilogin_openapi::refs::resolve;
use apilogin_openapi::schema::{self, Converter};
use apilogin_openapi::walk::METHODS;
use jsonschema::Validator;
use serde_json::Value;

use crate::proxy::Exchange;

/// The workspace root: this crate lives at `tests/`.
fn workspace_root() -> PathBuf {
    apilogin_openapi::workspace_root(Path::new(env!("CARGO_MANIFEST_DIR")))
}

/// The ids of the specs in `specs/`, as the spec model lists them.
pub fn spec_ids() -> Vec<String> {
    apilogin_openapi::spec_files(&workspace_root())
        .expect("specs/ can be listed")
        .iter()
        .filter_map(|f| Some(f.file_stem()?.to_str()?.to_owned()))
        .collect()
}

/// Reads `specs/NAME.yaml` through the spec model (the same checks as regen) as JSON.
pub fn load_spec(name: &str) -> Result<Value, String> {
    let root = workspace_root();
    let files = apilogin_openapi::spec_files(&root).map_err(|e| e.to_string())?;
    let file = files
        .iter()
        .find(|f| f.file_stem().is_some_and(|s| s == name))
        .ok_or_else(|| format!("there is no spec `{name}` in specs/"))?;
    apilogin_openapi::load(&root, file)
        .map(|spec| spec.doc)
        .map_err(|e| e.to_string())
}

/// One way an exchange (or a spec) departs from the contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// What was checked, e.g. `POST /api/v1/login -> 401`.
    pub subject: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.subject, self.message)
    }
}

/// A compiled schema, plus one validator per `oneOf` branch when the schema is a `oneOf` of
/// references (to name which variant an instance is).
struct Schema {
    validator: Validator,
    variants: Vec<(String, Validator)>,
    /// The JSON type of the schema (`string`, `integer`, …), to coerce query and header text.
    json_type: Option<String>,
}

impl Schema {
    fn errors(&self, instance: &Value) -> Vec<String> {
        schema::errors(&self.validator, instance)
    }

    /// The names of the `oneOf` branches the instance matches (empty when not a `oneOf`).
    fn variant_of(&self, instance: &Value) -> Option<String> {
        let matched: Vec<&str> = self
            .variants
            .iter()
            .filter(|(_, v)| v.is_valid(instance))
            .map(|(n, _)| n.as_str())
            .collect();
        (!matched.is_empty()).then(|| matched.join("+"))
    }

    /// Text (query, header, form) turned into the JSON value the schema expects.
    fn coerce(&self, text: &str) -> Value {
        match self.json_type.as_deref() {
            Some("integer" | "number") => serde_json::from_str::<serde_json::Number>(text)
                .map_or_else(|_| Value::String(text.to_owned()), Value::Number),
            Some("boolean") => match text {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(text.to_owned()),
            },
            _ => Value::String(text.to_owned()),
        }
    }
}

struct Media {
    media_type: String,
    schema: Option<Schema>,
}

struct Param {
    name: String,
    location: String,
    required: bool,
    schema: Option<Schema>,
}

struct HeaderSpec {
    name: String,
    required: bool,
    schema: Option<Schema>,
}

struct ResponseSpec {
    content: Vec<Media>,
    headers: Vec<HeaderSpec>,
}

/// A credential a security requirement needs: `(location, name)` of a scheme, e.g.
/// `("header", "developerkey")`.
/// Where a credential goes (`header`, `query`, `cookie`, `http <scheme>`), under which name, and
/// the prefix its value starts with (`x-apilogin-prefix` of an `apiKey` header, e.g. `Token `;
/// empty when none).
type Credential = (String, String, String);

struct Operation {
    id: String,
    method: String,
    path: String,
    params: Vec<Param>,
    body_required: bool,
    body: Vec<Media>,
    /// Alternatives (any one suffices); each needs all of its credentials. Empty: none needed.
    security: Vec<Vec<Credential>>,
    responses: BTreeMap<String, ResponseSpec>,
}

/// Validates recorded exchanges against one spec; see the module docs.
pub struct ContractChecker {
    spec: String,
    base_path: String,
    operations: Vec<Operation>,
}

impl fmt::Debug for ContractChecker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContractChecker")
            .field("spec", &self.spec)
            .field("base_path", &self.base_path)
            .field(
                "operations",
                &self.operations.iter().map(|o| &o.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// What compiling needs: the document (for `$ref`s) and the model's converter.
struct Compiler<'a> {
    doc: &'a Value,
    converter: Converter,
}

impl<'a> Compiler<'a> {
    fn new(doc: &'a Value) -> Result<Self, String> {
        Ok(Compiler {
            doc,
            converter: Converter::new(doc)?,
        })
    }

    fn schema(&self, raw: &Value) -> Result<Schema, String> {
        let validator = self.converter.validator(raw)?;
        let resolved = resolve(self.doc, raw);
        let mut variants = Vec::new();
        if let Some(branches) = resolved.get("oneOf").and_then(Value::as_array) {
            for branch in branches {
                let name = branch
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.rsplit('/').next())
                    .map_or_else(|| format!("#{}", variants.len()), str::to_owned);
                variants.push((name, self.converter.validator(branch)?));
            }
        }
        let json_type = resolved
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Ok(Schema {
            validator,
            variants,
            json_type,
        })
    }

    fn content(&self, content: Option<&Value>) -> Result<Vec<Media>, String> {
        let Some(content) = content.and_then(Value::as_object) else {
            return Ok(Vec::new());
        };
        content
            .iter()
            .map(|(media_type, media)| {
                Ok(Media {
                    media_type: media_type.to_ascii_lowercase(),
                    schema: media.get("schema").map(|s| self.schema(s)).transpose()?,
                })
            })
            .collect()
    }
}

/// Security schemes by name → where the credential goes: `apiKey` in a header, query or
/// cookie, and `http` (`("http bearer", "authorization")`: an `Authorization: Bearer …` header).
fn security_schemes(doc: &Value) -> HashMap<String, Credential> {
    doc.pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|schemes| {
            schemes
                .iter()
                .filter_map(|(name, s)| {
                    let s = resolve(doc, s);
                    let credential = match s.get("type")?.as_str()? {
                        "apiKey" => (
                            s.get("in")?.as_str()?.to_owned(),
                            s.get("name")?.as_str()?.to_ascii_lowercase(),
                            s.get("x-apilogin-prefix")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_owned(),
                        ),
                        "http" => (
                            format!("http {}", s.get("scheme")?.as_str()?.to_ascii_lowercase()),
                            "authorization".to_owned(),
                            String::new(),
                        ),
                        _ => return None,
                    };
                    Some((name.clone(), credential))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The path of the first server URL (variables at their defaults), without a trailing slash.
fn server_base_path(doc: &Value) -> Result<String, String> {
    let Some(server) = doc.pointer("/servers/0") else {
        return Ok(String::new());
    };
    let mut url = server
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or("/")
        .to_owned();
    if let Some(vars) = server.get("variables").and_then(Value::as_object) {
        for (name, var) in vars {
            let default = var.get("default").and_then(Value::as_str).unwrap_or("");
            url = url.replace(&format!("{{{name}}}"), default);
        }
    }
    let path = match reqwest::Url::parse(&url) {
        Ok(u) => u.path().to_owned(),
        Err(_) => url,
    };
    Ok(path.trim_end_matches('/').to_owned())
}

fn template_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p)
}

fn media_type_of(content_type: Option<&str>) -> Option<String> {
    content_type.map(|ct| {
        ct.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    })
}

fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.ends_with("+json")
}

fn is_form(media_type: &str) -> bool {
    media_type == "application/x-www-form-urlencoded"
}

/// A form body as a JSON object of strings (a later duplicate wins).
pub fn form_to_json(body: &[u8]) -> Value {
    Value::Object(
        form_urlencoded::parse(body)
            .into_owned()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    )
}

/// What examining one exchange found.
#[derive(Default)]
struct Examined {
    problems: Vec<String>,
    outcomes: Vec<String>,
}

impl ContractChecker {
    /// The checker of `specs/NAME.yaml`, compiled once per test binary and shared.
    ///
    /// # Panics
    /// If the spec cannot be read or one of its schemas does not compile: a broken contract.
    pub fn for_spec(name: &str) -> Arc<ContractChecker> {
        static CACHE: OnceLock<Mutex<HashMap<String, Arc<ContractChecker>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(c) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(name) {
            return c.clone();
        }
        let checker = load_spec(name)
            .and_then(|doc| ContractChecker::from_document(name, &doc))
            .unwrap_or_else(|e| panic!("spec {name}: {e}"));
        let checker = Arc::new(checker);
        cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(name.to_owned())
            .or_insert(checker)
            .clone()
    }

    /// Compiles a checker from a parsed OpenAPI 3.0 document.
    pub fn from_document(name: &str, doc: &Value) -> Result<ContractChecker, String> {
        let compiler = Compiler::new(doc)?;
        let schemes = security_schemes(doc);
        let global_security = doc.get("security");
        let mut operations = Vec::new();
        let paths = doc
            .get("paths")
            .and_then(Value::as_object)
            .ok_or("no paths")?;
        for (path, item) in paths {
            let item = resolve(doc, item);
            let shared_params = item.get("parameters");
            for &method in METHODS {
                let Some(op) = item.get(method) else {
                    continue;
                };
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or(path)
                    .to_owned();
                let ctx = |e: String| format!("{id}: {e}");

                let mut params = Vec::new();
                for list in [shared_params, op.get("parameters")].into_iter().flatten() {
                    for p in list.as_array().into_iter().flatten() {
                        let p = resolve(doc, p);
                        let location = p.get("in").and_then(Value::as_str).unwrap_or("query");
                        params.push(Param {
                            name: p
                                .get("name")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_owned(),
                            location: location.to_owned(),
                            required: location == "path"
                                || p.get("required").and_then(Value::as_bool) == Some(true),
                            schema: p
                                .get("schema")
                                .map(|s| compiler.schema(s))
                                .transpose()
                                .map_err(ctx)?,
                        });
                    }
                }

                let (body_required, body) = match op.get("requestBody") {
                    Some(rb) => {
                        let rb = resolve(doc, rb);
                        (
                            rb.get("required").and_then(Value::as_bool) == Some(true),
                            compiler.content(rb.get("content")).map_err(ctx)?,
                        )
                    }
                    None => (false, Vec::new()),
                };

                let security = op
                    .get("security")
                    .or(global_security)
                    .and_then(Value::as_array)
                    .map(|reqs| {
                        reqs.iter()
                            .map(|req| {
                                req.as_object()
                                    .map(|r| {
                                        r.keys().filter_map(|k| schemes.get(k).cloned()).collect()
                                    })
                                    .unwrap_or_default()
                            })
                            .collect::<Vec<Vec<Credential>>>()
                    })
                    .unwrap_or_default();
                // An empty requirement (`{}`) makes credentials optional.
                let security = if security.iter().any(Vec::is_empty) {
                    Vec::new()
                } else {
                    security
                };

                let mut responses = BTreeMap::new();
                for (status, resp) in op
                    .get("responses")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let resp = resolve(doc, resp);
                    let mut headers = Vec::new();
                    for (hname, h) in resp
                        .get("headers")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                    {
                        let h = resolve(doc, h);
                        headers.push(HeaderSpec {
                            name: hname.to_ascii_lowercase(),
                            required: h.get("required").and_then(Value::as_bool) == Some(true),
                            schema: h
                                .get("schema")
                                .map(|s| compiler.schema(s))
                                .transpose()
                                .map_err(ctx)?,
                        });
                    }
                    responses.insert(
                        status.to_ascii_uppercase(),
                        ResponseSpec {
                            content: compiler.content(resp.get("content")).map_err(ctx)?,
                            headers,
                        },
                    );
                }

                operations.push(Operation {
                    id,
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    params,
                    body_required,
                    body,
                    security,
                    responses,
                });
            }
        }
        Ok(ContractChecker {
            spec: name.to_owned(),
            base_path: server_base_path(doc)?,
            operations,
        })
    }

    /// The spec's name.
    pub fn spec(&self) -> &str {
        &self.spec
    }

    /// The server base path the operation paths are relative to (`/apv/v27`, `/api/4`, or ``).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// Every `operationId`, in spec order.
    pub fn operation_ids(&self) -> Vec<&str> {
        self.operations.iter().map(|o| o.id.as_str()).collect()
    }

    /// Every operation as `(METHOD, path)`, the path from the server root (base path included),
    /// in spec order: the routes a server of this spec serves.
    pub fn routes(&self) -> Vec<(String, String)> {
        self.operations
            .iter()
            .map(|o| (o.method.clone(), format!("{}{}", self.base_path, o.path)))
            .collect()
    }

    /// What is wrong with the request of `ex` alone (empty: the spec accepts it).
    pub fn request_problems(&self, ex: &Exchange) -> Vec<String> {
        let mut found = Examined::default();
        match self.find_operation(ex) {
            Ok(op) => self.examine_request(op, ex, &mut found),
            Err(e) => found.problems.push(e),
        }
        found.problems
    }

    /// What is wrong with the response of `ex` alone, for the operation its request names.
    pub fn response_problems(&self, ex: &Exchange) -> Vec<String> {
        let mut found = Examined::default();
        match self.find_operation(ex) {
            Ok(op) => self.examine_response(op, ex, &mut found),
            Err(e) => found.problems.push(e),
        }
        found.problems
    }

    fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.id == id)
    }

    /// Every violation in `exchanges` (empty when all of them follow the spec).
    pub fn check(&self, exchanges: &[Exchange]) -> Vec<Violation> {
        exchanges
            .iter()
            .flat_map(|ex| {
                self.examine(ex)
                    .problems
                    .into_iter()
                    .map(move |message| Violation {
                        subject: ex.label(),
                        message,
                    })
            })
            .collect()
    }

    /// The outcomes the spec documents: `OP STATUS [VARIANT]` for each response (one per `oneOf`
    /// branch of a JSON body), and `OP request MEDIA [VARIANT]` for each request body type.
    pub fn documented_outcomes(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let variants = |m: &Media| -> Vec<String> {
            match &m.schema {
                Some(s) if is_json(&m.media_type) || is_form(&m.media_type) => {
                    if s.variants.is_empty() {
                        vec![String::new()]
                    } else {
                        s.variants.iter().map(|(n, _)| n.clone()).collect()
                    }
                }
                _ => vec![String::new()],
            }
        };
        for op in &self.operations {
            for media in &op.body {
                for v in variants(media) {
                    out.insert(outcome(&[&op.id, "request", &media.media_type, &v]));
                }
            }
            for (status, resp) in &op.responses {
                if resp.content.is_empty() {
                    out.insert(outcome(&[&op.id, status]));
                }
                for media in &resp.content {
                    for v in variants(media) {
                        out.insert(outcome(&[&op.id, status, &v]));
                    }
                }
            }
        }
        out
    }

    /// The outcomes `exchanges` show, named like [`documented_outcomes`](Self::documented_outcomes).
    pub fn observed_outcomes(&self, exchanges: &[Exchange]) -> BTreeSet<String> {
        exchanges
            .iter()
            .flat_map(|ex| self.examine(ex).outcomes)
            .collect()
    }

    /// Validates a JSON response body as `operation_id` would answer it with `status`
    /// (for hand-made bodies; recorded exchanges go through [`check`](Self::check)).
    pub fn validate_response_body(
        &self,
        operation_id: &str,
        status: u16,
        body: &Value,
    ) -> Vec<String> {
        let Some(op) = self.operation(operation_id) else {
            return vec![format!("no operation {operation_id}")];
        };
        let Some(resp) = find_response(op, status) else {
            return vec![format!("status {status} is not documented")];
        };
        match resp
            .content
            .iter()
            .find(|m| is_json(&m.media_type))
            .and_then(|m| m.schema.as_ref())
        {
            Some(schema) => schema.errors(body),
            None => vec!["no JSON schema for that response".into()],
        }
    }

    fn find_operation(&self, ex: &Exchange) -> Result<&Operation, String> {
        if let Some(id) = &ex.attributed_to {
            return self
                .operation(id)
                .ok_or_else(|| format!("attributed to unknown operation {id}"));
        }
        let rel = ex
            .path
            .strip_prefix(self.base_path.as_str())
            .filter(|rel| rel.starts_with('/'))
            .ok_or_else(|| {
                format!(
                    "path {} is outside the server base path {}",
                    ex.path, self.base_path
                )
            })?;
        let on_path: Vec<&Operation> = self
            .operations
            .iter()
            .filter(|o| template_matches(&o.path, rel))
            .collect();
        if on_path.is_empty() {
            return Err(format!("no operation in the spec for path {rel}"));
        }
        on_path
            .iter()
            .find(|o| o.method.eq_ignore_ascii_case(&ex.method))
            .copied()
            .ok_or_else(|| format!("method {} is not described for {rel}", ex.method))
    }

    fn examine(&self, ex: &Exchange) -> Examined {
        let mut found = Examined::default();
        match self.find_operation(ex) {
            Ok(op) => {
                self.examine_request(op, ex, &mut found);
                self.examine_response(op, ex, &mut found);
            }
            Err(e) => found.problems.push(e),
        }
        found
    }

    fn examine_request(&self, op: &Operation, ex: &Exchange, found: &mut Examined) {
        let problems = &mut found.problems;
        let query: Vec<(String, String)> = ex
            .query
            .as_deref()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();

        // Security: one alternative must be fully present.
        let present = |(location, name, prefix): &Credential| match location.as_str() {
            // With a prefix (`Token `), the value must start with it (in any case, as servers
            // compare the scheme word) and carry a credential after it.
            "header" => ex.request_header(name).is_some_and(|v| {
                v.get(..prefix.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
                    && !v[prefix.len()..].trim().is_empty()
            }),
            "query" => query.iter().any(|(k, v)| k == name && !v.is_empty()),
            "cookie" => ex.request_header("cookie").is_some_and(|c| {
                c.split(';')
                    .any(|kv| kv.trim().starts_with(&format!("{name}=")))
            }),
            http => http.strip_prefix("http ").is_some_and(|scheme| {
                ex.request_header(name).is_some_and(|v| {
                    v.split_once(' ').is_some_and(|(s, credential)| {
                        s.eq_ignore_ascii_case(scheme) && !credential.trim().is_empty()
                    })
                })
            }),
        };
        if !op.security.is_empty() && !op.security.iter().any(|alt| alt.iter().all(present)) {
            let needed: Vec<String> = op
                .security
                .iter()
                .map(|alt| {
                    alt.iter()
                        .map(|(l, n, p)| {
                            if p.is_empty() {
                                format!("{l} {n}")
                            } else {
                                format!("{l} {n} ({p:?}…)")
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" + ")
                })
                .collect();
            problems.push(format!(
                "request lacks the credentials of {}: {}",
                op.id,
                needed.join(" or ")
            ));
        }

        // Parameters.
        let rel = ex.path.strip_prefix(self.base_path.as_str()).unwrap_or("");
        for p in &op.params {
            let values: Vec<String> = match p.location.as_str() {
                "query" => query
                    .iter()
                    .filter(|(k, _)| *k == p.name)
                    .map(|(_, v)| v.clone())
                    .collect(),
                "header" => ex
                    .request_headers
                    .iter()
                    .filter(|(k, _)| k.eq_ignore_ascii_case(&p.name))
                    .map(|(_, v)| v.clone())
                    .collect(),
                "path" => op
                    .path
                    .split('/')
                    .zip(rel.split('/'))
                    .filter(|(t, _)| *t == format!("{{{}}}", p.name))
                    .map(|(_, v)| v.to_owned())
                    .collect(),
                _ => Vec::new(),
            };
            if values.is_empty() && p.required {
                problems.push(format!(
                    "required {} parameter `{}` is missing",
                    p.location, p.name
                ));
            }
            if let Some(schema) = &p.schema {
                for v in &values {
                    for e in schema.errors(&schema.coerce(v)) {
                        problems.push(format!("{} parameter `{}` {e}", p.location, p.name));
                    }
                }
            }
        }
        for (k, _) in &query {
            if !op
                .params
                .iter()
                .any(|p| p.location == "query" && p.name == *k)
            {
                problems.push(format!("query parameter `{k}` is not described"));
            }
        }

        // Body.
        let media = media_type_of(ex.request_header("content-type"));
        if op.body.is_empty() {
            if !ex.request_body.is_empty() {
                problems.push(format!("request has a body, but {} describes none", op.id));
            }
            return;
        }
        // No body (a Content-Type without a body counts as none, as with common servers).
        if ex.request_body.is_empty() {
            if op.body_required {
                problems.push(format!("request body of {} is required", op.id));
            }
            return;
        }
        let media = media.unwrap_or_default();
        let Some(spec) = op.body.iter().find(|m| m.media_type == media) else {
            let allowed: Vec<&str> = op.body.iter().map(|m| m.media_type.as_str()).collect();
            problems.push(format!(
                "request content type `{media}` is not described (allowed: {})",
                allowed.join(", ")
            ));
            return;
        };
        let instance = if is_json(&media) {
            match serde_json::from_slice::<Value>(&ex.request_body) {
                Ok(v) => Some(v),
                Err(e) => {
                    problems.push(format!("request body is not JSON: {e}"));
                    return;
                }
            }
        } else if is_form(&media) {
            Some(form_to_json(&ex.request_body))
        } else {
            None
        };
        let mut variant = String::new();
        if let (Some(instance), Some(schema)) = (instance, &spec.schema) {
            for e in schema.errors(&instance) {
                problems.push(format!("request body {e}"));
            }
            variant = schema.variant_of(&instance).unwrap_or_default();
        }
        found
            .outcomes
            .push(outcome(&[&op.id, "request", &media, &variant]));
    }

    fn examine_response(&self, op: &Operation, ex: &Exchange, found: &mut Examined) {
        let problems = &mut found.problems;
        let Some(resp) = find_response(op, ex.status) else {
            let documented: Vec<&str> = op.responses.keys().map(String::as_str).collect();
            problems.push(format!(
                "status {} is not documented for {} (documented: {})",
                ex.status,
                op.id,
                documented.join(", ")
            ));
            return;
        };
        let status = status_key(op, ex.status);

        for h in &resp.headers {
            match ex.response_header(&h.name) {
                None if h.required => {
                    problems.push(format!("required response header `{}` is missing", h.name));
                }
                None => {}
                Some(value) => {
                    if let Some(schema) = &h.schema {
                        for e in schema.errors(&schema.coerce(value)) {
                            problems.push(format!("response header `{}` {e}", h.name));
                        }
                    }
                }
            }
        }

        if resp.content.is_empty() {
            if !ex.response_body.is_empty() {
                problems.push("response has a body, but the spec describes none".into());
            }
            found.outcomes.push(outcome(&[&op.id, &status]));
            return;
        }
        let Some(media) = media_type_of(ex.response_header("content-type")) else {
            problems.push("response has no Content-Type".into());
            return;
        };
        let Some(spec) = resp.content.iter().find(|m| m.media_type == media) else {
            let allowed: Vec<&str> = resp.content.iter().map(|m| m.media_type.as_str()).collect();
            problems.push(format!(
                "response content type `{media}` is not described (allowed: {})",
                allowed.join(", ")
            ));
            return;
        };
        let mut variant = String::new();
        if is_json(&media) {
            match serde_json::from_slice::<Value>(&ex.response_body) {
                Err(e) => problems.push(format!("response body is not JSON: {e}")),
                Ok(body) => {
                    if let Some(schema) = &spec.schema {
                        for e in schema.errors(&body) {
                            problems.push(format!("response body {e}"));
                        }
                        variant = schema.variant_of(&body).unwrap_or_default();
                    }
                }
            }
        } else if ex.response_body.is_empty() {
            problems.push(format!("`{media}` response has an empty body"));
        }
        found.outcomes.push(outcome(&[&op.id, &status, &variant]));
    }
}

fn outcome(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The response key a status falls under: exact (`401`), range (`4XX`), or `DEFAULT`.
fn status_key(op: &Operation, status: u16) -> String {
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    [exact, range, "DEFAULT".to_owned()]
        .into_iter()
        .find(|k| op.responses.contains_key(k))
        .unwrap_or_default()
}

fn find_response(op: &Operation, status: u16) -> Option<&ResponseSpec> {
    op.responses.get(&status_key(op, status))
}

/// Checks that every example in a spec (media examples, named examples, parameter examples and
/// `example`s inside component schemas) is valid against its schema.
pub fn check_spec_examples(name: &str) -> Vec<Violation> {
    match load_spec(name) {
        Ok(doc) => check_examples(name, &doc),
        Err(e) => vec![Violation {
            subject: name.to_owned(),
            message: e,
        }],
    }
}

/// [`check_spec_examples`] on an already parsed document: the spec model's walk finds every
/// example and the schema it must match.
pub fn check_examples(name: &str, doc: &Value) -> Vec<Violation> {
    let compiler = match Compiler::new(doc) {
        Ok(c) => c,
        Err(message) => {
            return vec![Violation {
                subject: name.to_owned(),
                message,
            }];
        }
    };
    let mut out = Vec::new();
    for example in apilogin_openapi::walk::walk(doc).examples {
        let subject = format!("{name}{}", example.at);
        match compiler.schema(example.schema) {
            Ok(s) => out.extend(s.errors(example.value).into_iter().map(|e| Violation {
                subject: subject.clone(),
                message: format!("example {e}"),
            })),
            Err(message) => out.push(Violation { subject, message }),
        }
    }
    out
}
