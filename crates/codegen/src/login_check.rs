//! Every check regen makes of a spec's `x-apilogin`, in one place: the extension against its
//! JSON Schema (`extension.rs`), then what the schema cannot say, on the document as read
//! (`serde_json::Value`, not the types `extension.rs` generates, so members the schema gains
//! are checked as soon as they are written): every problem, each at its JSON pointer. The
//! facade's glue (`glue.rs`) is generated only from a spec that passed, and reads the spec with
//! the helpers here (the operation lookup, parameters, request bodies, field kinds).
//!
//! * the sources and template placeholders of every value (`$input.x` needs `inputs.x`, ...)
//!   and where each may appear (`$password` and `$code` only in `login`, `$token` only where a
//!   session exists, ...);
//! * every step's operation: it exists, its answers are JSON, its request body is a component
//!   schema; every security scheme a step or the session sends exists and is not HTTP basic;
//!   every required parameter and required body property is filled by the step, and every
//!   `parameters` key and body field is one the operation has and one the login flow can fill
//!   (a string, number or boolean; a parameter not a date or an address either); a literal for
//!   a typed field converts to its type;
//! * an outcome looks at a body `field` or at a `header`, not both;
//! * every JSON pointer against the schema of the answer it reads (an outcome's
//!   `field`/`code`/`message`/`method` against the answers of its `status`; the session's
//!   token, identity and details against the `loggedIn` answers; a step's identity against its
//!   `ok` answers);
//! * notices (not errors): a token or outcome header the answer does not document, a relative
//!   first server URL (the service is then self-hosted).

use std::collections::BTreeSet;

use apilogin_openapi::{ptr, refs};
use serde_json::Value;

/// One problem (or notice) at a JSON pointer into the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub pointer: String,
    pub message: String,
}

/// What the checks found: errors make regen fail, notices are printed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Findings {
    pub errors: Vec<Finding>,
    pub notices: Vec<Finding>,
}

/// The steps of a flow, in the order they are checked (and generated).
pub(crate) const STEPS: [&str; 4] = ["login", "verify", "relogin", "logout"];

/// Where a value is read, which decides the sources it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A field, parameter or credential of the login request.
    Login,
    /// A field, parameter or credential of a session step (verify, relogin, logout).
    SessionStep(&'static str),
    /// `session.credentials`: what the session's client sends on later calls.
    SessionCredentials,
    /// `session.identity`, `session.details.*.from`, a step's `identity`: read from an answer
    /// when a session is made (by `login` or `relogin`) or checked.
    Answer,
}

impl Place {
    fn name(self) -> &'static str {
        match self {
            Place::Login => "login",
            Place::SessionStep(step) => step,
            Place::SessionCredentials => "session.credentials",
            Place::Answer => "what an answer gives (identity, session details)",
        }
    }
}

/// Checks the `x-apilogin` of `doc` (nothing when it has none): against the extension's schema
/// (`extension.rs`), then [`beyond_schema`]; every problem once, each at its pointer.
pub fn check(doc: &Value) -> Findings {
    let Some(ext) = doc.get("x-apilogin") else {
        return Findings::default();
    };
    let mut errors: Vec<Finding> = crate::extension::check(ext)
        .into_iter()
        .map(|(pointer, message)| Finding {
            pointer: format!("/x-apilogin{pointer}"),
            message,
        })
        .collect();
    let found = beyond_schema(doc);
    for f in found.errors {
        if !errors.contains(&f) {
            errors.push(f);
        }
    }
    Findings {
        errors,
        notices: found.notices,
    }
}

/// What the extension's schema cannot say about the `x-apilogin` of `doc` (nothing when it has
/// none).
fn beyond_schema(doc: &Value) -> Findings {
    let Some(ext) = doc.get("x-apilogin") else {
        return Findings::default();
    };
    let mut c = Checker {
        doc,
        ext,
        out: Findings::default(),
    };
    c.servers();
    for step in STEPS {
        if let Some(st) = ext.get(step).filter(|s| s.is_object()) {
            c.step(step, st);
        }
    }
    c.session();
    c.oauth();
    c.out
}

/// An operation of the document, as a step calls it.
pub(crate) struct Op<'a> {
    /// Its `operationId`.
    pub(crate) id: &'a str,
    /// The operation object.
    pub(crate) op: &'a Value,
    /// Its path item, `$ref` followed.
    pub(crate) item: &'a Value,
    /// The operation's JSON pointer.
    at: String,
}

/// The operation whose `operationId` is `id`.
pub(crate) fn operation<'a>(doc: &'a Value, id: &str) -> Option<Op<'a>> {
    entries(doc.get("paths")).find_map(|(path, item)| {
        let (item, item_at) = refs::resolve_at(doc, item, &ptr("/paths", path));
        apilogin_openapi::walk::METHODS.iter().find_map(|m| {
            let op = item.get(*m)?;
            (op.get("operationId").and_then(Value::as_str) == Some(id)).then(|| Op {
                id: op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
                op,
                item,
                at: ptr(&item_at, m),
            })
        })
    })
}

/// The parameters that apply to an operation, `$ref`s followed: its path item's, then its own,
/// one of the same name and place overriding the path item's (the order regen's renames of
/// colliding parameters follow, `crate::view::adapt`).
pub(crate) fn parameters<'a>(doc: &'a Value, op: &Op<'a>) -> Vec<&'a Value> {
    let mut out: Vec<&'a Value> = Vec::new();
    for list in [op.item.get("parameters"), op.op.get("parameters")] {
        for p in list.and_then(Value::as_array).into_iter().flatten() {
            let p = refs::resolve(doc, p);
            let key = |q: &Value| (q.get("name").cloned(), q.get("in").cloned());
            out.retain(|q| key(q) != key(p));
            out.push(p);
        }
    }
    out
}

/// Whether `key` of a step's `parameters` names parameter `p` (a header in any case).
pub(crate) fn names_parameter(p: &Value, key: &str) -> bool {
    let (Some(name), place) = (
        p.get("name").and_then(Value::as_str),
        p.get("in").and_then(Value::as_str),
    ) else {
        return false;
    };
    if place == Some("header") {
        name.eq_ignore_ascii_case(key)
    } else {
        name == key
    }
}

/// The host of `url` when it is this machine (`localhost`, `127.0.0.1`, `[::1]`, `0.0.0.0`):
/// a vendor's development server, never a service's public default.
pub(crate) fn loopback_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        host_port.split_inclusive(']').next()?
    } else {
        host_port.split(':').next()?
    };
    let lower = host.to_ascii_lowercase();
    (lower == "localhost"
        || lower.ends_with(".localhost")
        || lower.starts_with("127.")
        || lower == "[::1]"
        || lower == "0.0.0.0")
        .then_some(host)
}

/// Whether security scheme `scheme` is HTTP basic (a user name and a password, not one value).
pub(crate) fn is_http_basic(doc: &Value, scheme: &Value) -> bool {
    let s = refs::resolve(doc, scheme);
    s.get("type").and_then(Value::as_str) == Some("http")
        && s.get("scheme")
            .and_then(Value::as_str)
            .is_some_and(|x| x.eq_ignore_ascii_case("basic"))
}

/// An operation's request body, `$ref` followed.
pub(crate) struct RequestBody<'a> {
    /// Whether the operation requires it.
    pub(crate) required: bool,
    /// The schema of its JSON media type (else of its first one).
    pub(crate) schema: Option<&'a Value>,
}

/// The request body of operation `op`, if it has one.
pub(crate) fn request_body<'a>(doc: &'a Value, op: &'a Value) -> Option<RequestBody<'a>> {
    let request = refs::resolve(doc, op.get("requestBody")?);
    let content = request.get("content").and_then(Value::as_object);
    let media = content.and_then(|c| {
        c.iter()
            .find(|(k, _)| k.starts_with("application/json"))
            .or_else(|| c.iter().next())
    });
    Some(RequestBody {
        required: request.get("required").and_then(Value::as_bool) == Some(true),
        schema: media.and_then(|(_, m)| m.get("schema")),
    })
}

/// The component schema a request body's schema is a `$ref` to: its name in
/// `components.schemas` (the type of the generated client's `types` the body is).
pub(crate) fn body_component(schema: Option<&Value>) -> Option<&str> {
    schema?
        .get("$ref")?
        .as_str()?
        .strip_prefix(COMPONENT_SCHEMAS)
}

const COMPONENT_SCHEMAS: &str = "#/components/schemas/";

/// How a request field or parameter is sent, from its schema's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    String,
    Integer,
    Number,
    Boolean,
}

impl FieldKind {
    /// The kind as the login engine sends it (a step's `types`).
    pub(crate) fn model(self) -> apilogin_login_model::Kind {
        use apilogin_login_model::Kind;
        match self {
            FieldKind::String => Kind::String,
            FieldKind::Integer => Kind::Integer,
            FieldKind::Number => Kind::Number,
            FieldKind::Boolean => Kind::Boolean,
        }
    }

    /// Whether literal `text` can be sent as this kind (as the engine converts it).
    fn converts(self, text: &str) -> bool {
        match self {
            FieldKind::String => true,
            FieldKind::Integer => text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok(),
            FieldKind::Number => text.parse::<f64>().is_ok_and(f64::is_finite),
            FieldKind::Boolean => matches!(text, "true" | "false"),
        }
    }

    /// What a literal must be, for messages.
    fn wanted(self) -> &'static str {
        match self {
            FieldKind::String => "a string",
            FieldKind::Integer => "an integer",
            FieldKind::Number => "a number",
            FieldKind::Boolean => "a boolean (`true` or `false`)",
        }
    }
}

/// The kind of a value of `schema` (`$ref` followed), `None` for an array or object, which the
/// login flow cannot fill with one value. A schema without a `type` (or with `allOf` members
/// only) is sent as a string unless a member says otherwise.
pub(crate) fn kind_of(doc: &Value, schema: &Value) -> Option<FieldKind> {
    kind_at(doc, schema, 0)
}

fn kind_at(doc: &Value, schema: &Value, depth: usize) -> Option<FieldKind> {
    let schema = refs::resolve(doc, schema);
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => Some(FieldKind::Integer),
        Some("number") => Some(FieldKind::Number),
        Some("boolean") => Some(FieldKind::Boolean),
        Some("array" | "object") => None,
        Some(_) => Some(FieldKind::String),
        None if depth > MAX_DEPTH => Some(FieldKind::String),
        None => match schema.get("allOf").and_then(Value::as_array) {
            Some(members) => members
                .iter()
                .map(|m| kind_at(doc, m, depth + 1))
                .find(|k| *k != Some(FieldKind::String))
                .unwrap_or(Some(FieldKind::String)),
            None => Some(FieldKind::String),
        },
    }
}

/// String formats whose generated parameter type cannot be built from text by the glue.
const UNSUPPORTED_PARAMETER_FORMATS: &[&str] = &["date", "date-time", "time", "ip", "ipv4", "ipv6"];

/// The kind of parameter `p` (resolved), `None` when the login flow cannot fill it with one
/// text value: an array or object, or a string the generated client types as a date, time or
/// address.
pub(crate) fn parameter_kind(doc: &Value, p: &Value) -> Option<FieldKind> {
    let schema = p.get("schema").unwrap_or(&Value::Null);
    let format = refs::resolve(doc, schema)
        .get("format")
        .and_then(Value::as_str);
    kind_of(doc, schema)
        .filter(|_| !format.is_some_and(|f| UNSUPPORTED_PARAMETER_FORMATS.contains(&f)))
}

/// One answer an operation documents: its key in `responses` (`200`, `4XX`, `default`) and the
/// response object, `$ref` followed.
#[derive(Clone)]
struct Answer<'a> {
    code: &'a str,
    response: &'a Value,
    /// The response object's JSON pointer.
    at: String,
}

/// An answer a pointer reads, with how messages name it (`the 201 answer of `login``).
type Read<'a> = (String, Answer<'a>);

/// Any JSON value: the schema of a JSON body that has none.
static ANY: Value = Value::Bool(true);

struct Checker<'a> {
    doc: &'a Value,
    ext: &'a Value,
    out: Findings,
}

fn listed<'s>(items: impl IntoIterator<Item = &'s str>) -> String {
    let all: Vec<String> = items.into_iter().map(|s| format!("`{s}`")).collect();
    if all.is_empty() {
        "none".to_owned()
    } else {
        all.join(", ")
    }
}

fn entries(v: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    v.and_then(Value::as_object).into_iter().flatten()
}

impl<'a> Checker<'a> {
    fn error(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        let f = Finding {
            pointer: pointer.into(),
            message: message.into(),
        };
        if !self.out.errors.contains(&f) {
            self.out.errors.push(f);
        }
    }

    fn notice(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        let f = Finding {
            pointer: pointer.into(),
            message: message.into(),
        };
        if !self.out.notices.contains(&f) {
            self.out.notices.push(f);
        }
    }

    fn resolve(&self, node: &'a Value) -> &'a Value {
        refs::resolve(self.doc, node)
    }

    // -----------------------------------------------------------------------------------------
    // Servers

    fn servers(&mut self) {
        let Some(url) = self.doc.pointer("/servers/0/url").and_then(Value::as_str) else {
            return;
        };
        if let Some(host) = loopback_host(url) {
            self.notice(
                "/servers/0/url",
                format!(
                    "`{url}` is on this machine ({host}), so it is taken as a development server: \
                     the service is self-hosted (no public default server), and a login must be \
                     given the server's address"
                ),
            );
            return;
        }
        if url.contains('{') || url.contains("://") {
            return;
        }
        self.notice(
            "/servers/0/url",
            format!(
                "`{url}` is a relative server URL, so the service is self-hosted (it has no public \
                 default server): a login must be given the server's address including `{url}`, \
                 e.g. `https://server.example.com{}`",
                if url.starts_with('/') {
                    url.to_owned()
                } else {
                    format!("/{url}")
                }
            ),
        );
    }

    // -----------------------------------------------------------------------------------------
    // Values: sources, templates

    /// A value of `place` at `at`: its `$source`, or the placeholders of its template.
    fn value(&mut self, place: Place, value: &str, at: &str) {
        if let Some(source) = value.strip_prefix('$') {
            self.source(place, source, &format!("`{value}`"), at);
        } else if value.contains('{') {
            match placeholders(value) {
                Ok(names) => {
                    for name in names {
                        self.source(place, &name, &format!("`{{{name}}}` in `{value}`"), at);
                    }
                }
                Err(problem) => self.error(at, format!("the template `{value}` {problem}")),
            }
        }
    }

    /// Source `name` (without `$` or braces), written as `shown`, used at `place`.
    fn source(&mut self, place: Place, name: &str, shown: &str, at: &str) {
        let ext = self.ext;
        let session_only = |c: &mut Self, what: &str| {
            if matches!(place, Place::Login | Place::Answer) {
                c.error(
                    at,
                    format!(
                        "{shown}: {what} has a value only where a session exists \
                         (session.credentials, verify, relogin, logout), not in {}",
                        place.name()
                    ),
                );
            }
        };
        match name {
            "user" => {}
            "password" | "code" => {
                if place != Place::Login {
                    let what = if name == "password" {
                        "the password is known only to `login` (a session never keeps it)"
                    } else {
                        "the second-factor code is known only to `login` (answering a challenge)"
                    };
                    self.error(at, format!("{shown}: {what}, not to {}", place.name()));
                }
            }
            "token" => session_only(self, "the session token"),
            "userId" => session_only(self, "the session's user id"),
            _ => {
                let (kind, key) = name.split_once('.').unwrap_or((name, ""));
                match kind {
                    "input" if !key.is_empty() => {
                        if ext.pointer(&ptr("/inputs", key)).is_none() {
                            self.error(
                                at,
                                format!(
                                    "{shown}: there is no input `{key}` in `x-apilogin.inputs` \
                                     (the inputs: {})",
                                    listed(entries(ext.get("inputs")).map(|(k, _)| k.as_str()))
                                ),
                            );
                        } else {
                            self.input_in_session(place, key, shown, at);
                        }
                    }
                    "generated" if !key.is_empty() => {
                        if ext.pointer(&ptr("/generated", key)).is_none() {
                            self.error(
                                at,
                                format!(
                                    "{shown}: there is no generated value `{key}` in \
                                     `x-apilogin.generated` (the generated values: {})",
                                    listed(entries(ext.get("generated")).map(|(k, _)| k.as_str()))
                                ),
                            );
                        }
                    }
                    "detail" if !key.is_empty() => {
                        if ext.pointer(&ptr("/session/details", key)).is_none() {
                            self.error(
                                at,
                                format!(
                                    "{shown}: there is no session detail `{key}` in \
                                     `x-apilogin.session.details` (the details: {})",
                                    listed(
                                        entries(ext.pointer("/session/details"))
                                            .map(|(k, _)| k.as_str())
                                    )
                                ),
                            );
                        } else {
                            session_only(self, "a session detail");
                        }
                    }
                    _ => self.error(
                        at,
                        format!(
                            "{shown}: unknown source `{name}`; the sources are `user`, \
                             `password`, `code`, `token`, `userId`, `input.<name>`, \
                             `generated.<name>` and `detail.<name>` (as `$user` or `{{user}}`)"
                        ),
                    ),
                }
            }
        }
    }

    /// `$input.<key>` after the login: the engine knows only the inputs a session detail keeps.
    fn input_in_session(&mut self, place: Place, key: &str, shown: &str, at: &str) {
        let kept_as = entries(self.ext.pointer("/session/details"))
            .find(|(_, d)| d.get("from").and_then(Value::as_str) == Some(&format!("$input.{key}")))
            .map(|(name, _)| name.clone());
        match (place, kept_as) {
            (Place::SessionCredentials, kept) => self.error(
                at,
                format!(
                    "{shown}: a session's later calls do not know the login's inputs; keep it in \
                     a session detail (`from: $input.{key}`) and send `$detail.{}`",
                    kept.as_deref().unwrap_or("<name>")
                ),
            ),
            (Place::SessionStep(step), None) => self.notice(
                at,
                format!(
                    "{shown} has no value in `{step}` (a session knows only the inputs a session \
                     detail keeps): the value is left out; keep it with \
                     `session.details.<name>.from: $input.{key}`"
                ),
            ),
            _ => {}
        }
    }

    // -----------------------------------------------------------------------------------------
    // Operations

    /// The operation's answers, in written order.
    fn answers(&self, op: &Op<'a>) -> Vec<Answer<'a>> {
        entries(op.op.get("responses"))
            .map(|(code, r)| {
                let (response, at) =
                    refs::resolve_at(self.doc, r, &ptr(&ptr(&op.at, "responses"), code));
                Answer { code, response, at }
            })
            .collect()
    }

    /// The answer documented for `status`: its own, else its range (`4XX`), else `default`.
    fn answer_for(&self, op: &Op<'a>, status: u64) -> Option<Answer<'a>> {
        let answers = self.answers(op);
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        answers
            .iter()
            .find(|a| a.code == exact)
            .or_else(|| answers.iter().find(|a| a.code.eq_ignore_ascii_case(&range)))
            .or_else(|| answers.iter().find(|a| a.code == "default"))
            .cloned()
    }

    /// The schema of an answer's JSON body and its pointer: `None` when it has no body.
    fn body_schema(&self, answer: &Answer<'a>) -> Option<(&'a Value, String)> {
        let content = answer.response.get("content").and_then(Value::as_object)?;
        content.iter().find(|(k, _)| is_json(k)).map(|(k, m)| {
            let at = ptr(&ptr(&ptr(&answer.at, "content"), k), "schema");
            (m.get("schema").unwrap_or(&ANY), at)
        })
    }

    // -----------------------------------------------------------------------------------------
    // Steps

    fn step(&mut self, step: &'static str, st: &'a Value) {
        let at = format!("/x-apilogin/{step}");
        let place = if step == "login" {
            Place::Login
        } else {
            Place::SessionStep(step)
        };
        for (key, member) in [
            ("body", "body"),
            ("parameters", "parameters"),
            ("credentials", "credentials"),
        ] {
            for (name, value) in entries(st.get(key)) {
                if let Some(value) = value.as_str() {
                    self.value(place, value, &ptr(&ptr(&at, member), name));
                }
            }
        }
        // The schemes the step sends: its own, else the session's (none for `login`).
        let sent: Vec<String> = match st.get("credentials").and_then(Value::as_object) {
            Some(own) => {
                for scheme in own.keys() {
                    self.scheme(scheme, &ptr(&format!("{at}/credentials"), scheme));
                }
                own.keys().cloned().collect()
            }
            None if step == "login" => Vec::new(),
            None => entries(self.ext.pointer("/session/credentials"))
                .map(|(k, _)| k.clone())
                .collect(),
        };
        let outcomes: Vec<&'a Value> = st
            .get("outcomes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        for (i, outcome) in outcomes.iter().enumerate() {
            if outcome.get("field").is_some() && outcome.get("header").is_some() {
                self.error(
                    format!("{at}/outcomes/{i}"),
                    "an outcome looks at a body `field` or at a `header`, not both",
                );
            }
        }
        let Some(id) = st.get("operation").and_then(Value::as_str) else {
            return;
        };
        let Some(op) = operation(self.doc, id) else {
            self.error(
                format!("{at}/operation"),
                format!("no operation has operationId `{id}`"),
            );
            return;
        };
        self.json_answers(&op, &format!("{at}/operation"));
        if let Some(own) = st.get("credentials").and_then(Value::as_object) {
            for scheme in own.keys() {
                self.listed_in_security(&op, scheme, &ptr(&format!("{at}/credentials"), scheme));
            }
        }
        self.step_parameters(&op, st, &sent, &at);
        self.step_body(&op, st, &at);
        if let Some(identity) = st.get("identity") {
            let answers: Vec<Read<'a>> = self
                .answers_of(&op, st, &["ok", "loggedIn"])
                .into_iter()
                .map(|a| (format!("the {} answer of `{}`", a.code, op.id), a))
                .collect();
            // A session step reads its identity with the session at hand.
            let reads = if step == "login" {
                Place::Answer
            } else {
                place
            };
            self.identity(identity, reads, &format!("{at}/identity"), &answers);
        }
        for (i, outcome) in outcomes.into_iter().enumerate() {
            self.outcome(&op, outcome, &format!("{at}/outcomes/{i}"));
        }
    }

    /// A security scheme a step or the session sends: it exists and takes one value.
    fn scheme(&mut self, scheme: &str, at: &str) {
        match self
            .doc
            .pointer(&ptr("/components/securitySchemes", scheme))
        {
            None => {
                let known: Vec<String> = entries(self.doc.pointer("/components/securitySchemes"))
                    .map(|(name, _)| format!("`{name}`"))
                    .collect();
                self.error(
                    at,
                    format!(
                        "`{scheme}` is not one of the spec's `components.securitySchemes` ({})",
                        if known.is_empty() {
                            "it has none".to_owned()
                        } else {
                            format!("its schemes: {}", known.join(", "))
                        }
                    ),
                );
            }
            Some(s) => {
                if is_http_basic(self.doc, s) {
                    self.error(
                        at,
                        "an HTTP basic scheme cannot take one value from the login flow",
                    );
                }
            }
        }
    }

    /// `oauth`: its scheme is an `oauth2` or `openIdConnect` scheme of the spec; for `oauth2`,
    /// the flow is one of the scheme's `flows` and the scopes are the flow's; the session is
    /// the token endpoint's answer (`session.token` `/access_token`, `expiresIn` `/expires_in`).
    fn oauth(&mut self) {
        let Some(oauth) = self.ext.get("oauth").filter(|o| o.is_object()) else {
            return;
        };
        let Some(name) = oauth.get("scheme").and_then(Value::as_str) else {
            return;
        };
        let at = "/x-apilogin/oauth/scheme";
        let Some(scheme) = self
            .doc
            .pointer(&ptr("/components/securitySchemes", name))
            .map(|s| refs::resolve(self.doc, s))
        else {
            // Reported as every other unknown scheme.
            self.scheme(name, at);
            return;
        };
        let flow = oauth
            .get("flow")
            .and_then(Value::as_str)
            .unwrap_or("authorizationCode");
        match scheme.get("type").and_then(Value::as_str) {
            Some("openIdConnect") => {}
            Some("oauth2") => {
                // OpenAPI 3.2 names the device grant's flow `deviceAuthorization`.
                let key = if flow == "device" {
                    "deviceAuthorization"
                } else {
                    flow
                };
                let flow_at = if oauth.get("flow").is_some() {
                    "/x-apilogin/oauth/flow"
                } else {
                    "/x-apilogin/oauth"
                };
                match scheme.get("flows").and_then(|f| f.get(key)) {
                    None => {
                        let known: Vec<String> = entries(scheme.get("flows"))
                            .map(|(n, _)| format!("`{n}`"))
                            .collect();
                        self.error(
                            flow_at,
                            format!(
                                "the flow `{flow}` is not one of the `flows` of the scheme `{name}` (it has {}; `{flow}` is `flows.{key}`)",
                                if known.is_empty() {
                                    "none".to_owned()
                                } else {
                                    known.join(", ")
                                }
                            ),
                        );
                    }
                    Some(f) => {
                        let scopes = f.get("scopes");
                        for (i, scope) in oauth
                            .get("scopes")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .enumerate()
                        {
                            if let Some(scope) = scope.as_str()
                                && scope != "openid"
                                && scopes.and_then(|s| s.get(scope)).is_none()
                            {
                                self.error(
                                    format!("/x-apilogin/oauth/scopes/{i}"),
                                    format!(
                                        "`{scope}` is not a scope of the flow `flows.{key}` of the scheme `{name}`"
                                    ),
                                );
                            }
                        }
                    }
                }
            }
            other => self.error(
                at,
                format!(
                    "`{name}` is {}, not an `oauth2` or `openIdConnect` scheme",
                    other.map_or_else(
                        || "a scheme without a type".to_owned(),
                        |t| format!("an `{t}` scheme")
                    )
                ),
            ),
        }
        // The session is made from the token endpoint's answer (RFC 6749 §5.1).
        let session = self.ext.get("session");
        match session.and_then(|s| s.get("token")) {
            Some(token) if token.get("body").and_then(Value::as_str) == Some("/access_token") => {}
            Some(_) => self.error(
                "/x-apilogin/session/token",
                "with `oauth`, the session's token is the access token: `{\"body\": \"/access_token\"}`",
            ),
            None => {}
        }
        if let Some(e) = session
            .and_then(|s| s.get("expiresIn"))
            .and_then(Value::as_str)
            && e != "/expires_in"
        {
            self.error(
                "/x-apilogin/session/expiresIn",
                "with `oauth`, the token's lifetime is the token endpoint's `/expires_in`",
            );
        }
    }

    /// A scheme a step sends on purpose must be one its operation's `security` (or the
    /// document's) names: the generated client sends only those, so another would silently not
    /// be sent.
    fn listed_in_security(&mut self, op: &Op<'a>, scheme: &str, at: &str) {
        let Some(requirements) = op
            .op
            .get("security")
            .or_else(|| self.doc.get("security"))
            .and_then(Value::as_array)
        else {
            self.error(
                at,
                format!(
                    "`{}` has no `security`, so its generated client sends no credentials and \
                     `{scheme}` would not be sent: list it in the operation's `security` \
                     (`security: [{{{scheme}: []}}]`), as the server requires it",
                    op.id
                ),
            );
            return;
        };
        let listed = requirements
            .iter()
            .filter_map(Value::as_object)
            .any(|alternative| alternative.contains_key(scheme));
        if !listed {
            self.error(
                at,
                format!(
                    "the `security` of `{}` does not name `{scheme}`, so its generated client \
                     would not send it: add `{{{scheme}: []}}` to the operation's `security`, as \
                     the server requires it",
                    op.id
                ),
            );
        }
    }

    /// The login flow reads JSON answers only.
    fn json_answers(&mut self, op: &Op<'a>, at: &str) {
        for answer in self.answers(op) {
            if let Some(content) = answer.response.get("content").and_then(Value::as_object)
                && !content.is_empty()
                && !content.keys().any(|k| k.starts_with("application/json"))
            {
                self.error(
                    at,
                    format!(
                        "`{}` answers {} with a body that is not JSON; the login flow reads JSON \
                         answers only",
                        op.id, answer.code
                    ),
                );
            }
        }
    }

    /// Every `parameters` key is a parameter of the operation the login flow can fill; every
    /// required parameter is filled by the step's `parameters` or by a security scheme it sends.
    fn step_parameters(&mut self, op: &Op<'a>, st: &Value, sent: &[String], at: &str) {
        let params = parameters(self.doc, op);
        let given = st.get("parameters").and_then(Value::as_object);
        for (key, value) in given.into_iter().flatten() {
            let key_at = ptr(&format!("{at}/parameters"), key);
            match params.iter().find(|p| names_parameter(p, key)) {
                None => self.error(
                    key_at,
                    format!(
                        "`{}` has no parameter `{key}` (its parameters: {})",
                        op.id,
                        listed(
                            params
                                .iter()
                                .filter_map(|p| p.get("name").and_then(Value::as_str))
                        )
                    ),
                ),
                Some(p) if p.get("in").and_then(Value::as_str) == Some("cookie") => self.error(
                    key_at,
                    format!(
                        "`{key}` of `{}` is a cookie parameter, which the login flow cannot send",
                        op.id
                    ),
                ),
                Some(p) => match parameter_kind(self.doc, p) {
                    None => self.error(
                        key_at,
                        format!(
                            "the parameter `{key}` of `{}` is not a plain string, number or \
                             boolean in the spec (an array, object, date or address); the login \
                             flow fills parameters with one text value",
                            op.id
                        ),
                    ),
                    Some(kind) => {
                        if let Some(v) = value.as_str() {
                            self.typed_literal(v, kind, &key_at);
                        }
                    }
                },
            }
        }
        for p in &params {
            let (Some(name), Some(place)) = (
                p.get("name").and_then(Value::as_str),
                p.get("in").and_then(Value::as_str),
            ) else {
                continue;
            };
            let required =
                place == "path" || p.get("required").and_then(Value::as_bool) == Some(true);
            if !required || place == "cookie" {
                continue;
            }
            let filled = given.is_some_and(|g| g.keys().any(|k| names_parameter(p, k)))
                || sent
                    .iter()
                    .any(|scheme| self.scheme_fills(scheme, place, name));
            if !filled {
                self.error(
                    at,
                    format!(
                        "the required {place} parameter `{name}` of `{}` is not filled: give it in \
                         the step's `parameters`",
                        op.id
                    ),
                );
            }
        }
    }

    /// Whether security scheme `scheme` sends parameter `name` in `place`.
    fn scheme_fills(&self, scheme: &str, place: &str, name: &str) -> bool {
        let Some(s) = self
            .doc
            .pointer(&ptr("/components/securitySchemes", scheme))
        else {
            return false;
        };
        let s = self.resolve(s);
        let get = |k: &str| s.get(k).and_then(Value::as_str);
        match get("type") {
            Some("apiKey") => {
                get("in") == Some(place)
                    && get("name").is_some_and(|n| {
                        if place == "header" {
                            n.eq_ignore_ascii_case(name)
                        } else {
                            n == name
                        }
                    })
            }
            Some("http" | "oauth2" | "openIdConnect") => {
                place == "header" && name.eq_ignore_ascii_case("authorization")
            }
            _ => false,
        }
    }

    /// The step's body against the operation's request body: it has one, it is a component
    /// schema, every required property is filled and every field is a property.
    fn step_body(&mut self, op: &Op<'a>, st: &Value, at: &str) {
        let body = st
            .get("body")
            .and_then(Value::as_object)
            .filter(|b| !b.is_empty());
        let op_at = format!("{at}/operation");
        let Some(request) = request_body(self.doc, op.op) else {
            if body.is_some() {
                self.error(op_at, format!("`{}` has no request body", op.id));
            }
            return;
        };
        let Some(body) = body else {
            if request.required {
                self.error(
                    op_at,
                    format!(
                        "`{}` requires a request body: give the step a `body`",
                        op.id
                    ),
                );
            }
            return;
        };
        let (Some(schema), Some(component)) = (request.schema, body_component(request.schema))
        else {
            self.error(
                op_at,
                format!(
                    "the request body of `{}` must be a `$ref` to a component schema",
                    op.id
                ),
            );
            return;
        };
        let reference = format!("{COMPONENT_SCHEMAS}{component}");
        let schema = self.resolve(schema);
        let body_at = format!("{at}/body");
        let keys: BTreeSet<&str> = body.keys().map(String::as_str).collect();
        // Required properties: every one of the schema's (and its allOf members'); of oneOf or
        // anyOf alternatives, those of the one the body comes closest to.
        let mut missing: Vec<String> = Vec::new();
        self.missing_required(schema, &keys, &mut missing, 0);
        for name in missing {
            self.error(
                &body_at,
                format!(
                    "the required body property `{name}` of `{}` (`{reference}`) is not filled: \
                     add it to the step's `body`",
                    op.id
                ),
            );
        }
        for (name, value) in body {
            let field_at = ptr(&body_at, name);
            match property(self.doc, schema, name) {
                Property::Known(prop) => match kind_of(self.doc, prop) {
                    None => self.error(
                        field_at,
                        format!(
                            "the body field `{name}` of `{}` is an array or object in the spec; \
                             the login flow fills fields with one value",
                            op.id
                        ),
                    ),
                    Some(kind) => {
                        if let Some(v) = value.as_str() {
                            self.typed_literal(v, kind, &field_at);
                        }
                    }
                },
                Property::Open => {}
                Property::Unknown(known) => self.error(
                    field_at,
                    format!(
                        "`{name}` is not a property of the request body of `{}` (`{reference}`; its \
                         properties: {}), so the generated client would not send it",
                        op.id,
                        listed(known.iter().map(String::as_str))
                    ),
                ),
            }
        }
    }

    fn missing_required(
        &self,
        schema: &'a Value,
        keys: &BTreeSet<&str>,
        missing: &mut Vec<String>,
        depth: usize,
    ) {
        let schema = self.resolve(schema);
        if depth > MAX_DEPTH {
            return;
        }
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !keys.contains(name) && !missing.iter().any(|m| m == name) {
                missing.push(name.to_owned());
            }
        }
        for member in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.missing_required(member, keys, missing, depth + 1);
        }
        for keyword in ["oneOf", "anyOf"] {
            let Some(members) = schema.get(keyword).and_then(Value::as_array) else {
                continue;
            };
            let closest = members
                .iter()
                .map(|m| {
                    let mut own = Vec::new();
                    self.missing_required(m, keys, &mut own, depth + 1);
                    own
                })
                .min_by_key(Vec::len);
            for name in closest.into_iter().flatten() {
                if !missing.contains(&name) {
                    missing.push(name);
                }
            }
        }
    }

    /// A literal for a field or parameter typed `integer`, `number` or `boolean` must convert.
    fn typed_literal(&mut self, value: &str, kind: FieldKind, at: &str) {
        if value.starts_with('$') || value.contains('{') || kind.converts(value) {
            return;
        }
        self.error(
            at,
            format!(
                "`{value}` is not {}, the type the operation gives this value",
                kind.wanted()
            ),
        );
    }

    /// The answers a step's `then` outcomes (of `thens`) read: each such outcome's status, or
    /// every documented success (2xx) when it has none (every answer when none is a success).
    fn answers_of(&self, op: &Op<'a>, st: &Value, thens: &[&str]) -> Vec<Answer<'a>> {
        let mut out: Vec<Answer<'a>> = Vec::new();
        let add = |a: Answer<'a>, out: &mut Vec<Answer<'a>>| {
            if !out.iter().any(|b| b.code == a.code) {
                out.push(a);
            }
        };
        for o in st
            .get("outcomes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !o
                .get("then")
                .and_then(Value::as_str)
                .is_some_and(|t| thens.contains(&t))
            {
                continue;
            }
            match o.get("status").and_then(Value::as_u64) {
                Some(status) => {
                    if let Some(a) = self.answer_for(op, status) {
                        add(a, &mut out);
                    }
                }
                None => {
                    let all = self.answers(op);
                    let success: Vec<Answer<'a>> = all
                        .iter()
                        .filter(|a| a.code.starts_with('2'))
                        .cloned()
                        .collect();
                    for a in if success.is_empty() { all } else { success } {
                        add(a, &mut out);
                    }
                }
            }
        }
        out
    }

    // -----------------------------------------------------------------------------------------
    // Pointers

    /// Pointer `pointer` (at `at`) must resolve in the body schema of at least one of `answers`
    /// (`every`: of each of them).
    fn pointer(&mut self, pointer: &str, at: &str, answers: &[Read<'a>], every: bool) {
        if answers.is_empty() {
            return;
        }
        let mut failures: Vec<String> = Vec::new();
        for (who, answer) in answers {
            let why = match self.body_schema(answer) {
                None => Some(format!("{who} has no JSON body")),
                Some((schema, schema_at)) => self
                    .resolve_pointer(schema, &schema_at, pointer)
                    .err()
                    .map(|why| format!("{who}: {why}")),
            };
            match why {
                None if !every => return,
                None => {}
                Some(why) => failures.push(why),
            }
        }
        if failures.is_empty() {
            return;
        }
        let shown = if failures.len() == 1 {
            failures.remove(0)
        } else {
            failures.join("; ")
        };
        let whose = match (every, answers.len()) {
            (_, 1) => "the answer it reads",
            (true, _) => "every answer it reads",
            (false, _) => "any answer it reads",
        };
        self.error(
            at,
            format!("the pointer `{pointer}` is not in the schema of {whose}: {shown}"),
        );
    }

    /// Follows `pointer` through `schema` (at `schema_at`): `properties`, `items`,
    /// `additionalProperties`, and the members of `allOf`/`oneOf`/`anyOf`; a schema that
    /// constrains nothing takes any pointer. The error says where it stops.
    fn resolve_pointer(
        &self,
        schema: &'a Value,
        schema_at: &str,
        pointer: &str,
    ) -> Result<(), String> {
        let tokens = apilogin_openapi::locate::tokens(pointer);
        self.walk_pointer(schema, schema_at, &tokens, 0)
            .map_err(|(_, why)| why)
    }

    /// [`Self::resolve_pointer`] from `tokens` on; the error has how many tokens were followed
    /// before it, so that of several alternatives the one that went furthest explains.
    fn walk_pointer(
        &self,
        schema: &'a Value,
        at: &str,
        tokens: &[String],
        depth: usize,
    ) -> Result<(), (usize, String)> {
        let Some((token, rest)) = tokens.split_first() else {
            return Ok(());
        };
        if depth > MAX_DEPTH {
            return Ok(());
        }
        let (schema, at) = refs::resolve_at(self.doc, schema, at);
        let Some(s) = schema.as_object() else {
            // `true`, or something that is not a schema: nothing to check.
            return Ok(());
        };
        let here = format!("`#{at}`");
        let members: Vec<(String, &'a Value)> = ["allOf", "oneOf", "anyOf"]
            .iter()
            .filter_map(|k| Some((*k, s.get(*k)?.as_array()?)))
            .flat_map(|(k, list)| {
                list.iter()
                    .enumerate()
                    .map(move |(i, m)| (format!("{k}/{i}"), m))
            })
            .collect();
        let ty: Vec<&str> = match s.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let properties = s.get("properties").and_then(Value::as_object);
        let items = s.get("items");
        let additional = s.get("additionalProperties");
        let index = token.parse::<usize>().is_ok();
        let constrains = properties.is_some()
            || items.is_some()
            || additional.is_some()
            || !ty.is_empty()
            || !members.is_empty();
        if !constrains {
            return Ok(());
        }
        let deeper = |r: Result<(), (usize, String)>| r.map_err(|(n, why)| (n + 1, why));
        // This schema's own keywords.
        if let Some(p) = properties.and_then(|p| p.get(token.as_str())) {
            let next = ptr(&ptr(&at, "properties"), token);
            return deeper(self.walk_pointer(p, &next, rest, depth + 1));
        }
        if index && let Some(items) = items {
            return deeper(self.walk_pointer(items, &format!("{at}/items"), rest, depth + 1));
        }
        if let Some(extra) = additional.filter(|a| a.is_object()) {
            let next = format!("{at}/additionalProperties");
            return deeper(self.walk_pointer(extra, &next, rest, depth + 1));
        }
        if additional == Some(&Value::Bool(true)) {
            return Ok(());
        }
        let own_open = members.is_empty()
            && ((ty.contains(&"object") && properties.is_none() && additional.is_none())
                || (ty.contains(&"array") && index && items.is_none()));
        if own_open {
            return Ok(());
        }
        // The members of allOf/oneOf/anyOf.
        let mut furthest: Option<(usize, String)> = None;
        for (key, member) in &members {
            match self.walk_pointer(member, &format!("{at}/{key}"), tokens, depth + 1) {
                Ok(()) => return Ok(()),
                Err(why) => {
                    if furthest.as_ref().is_none_or(|f| why.0 > f.0) {
                        furthest = Some(why);
                    }
                }
            }
        }
        if let Some(why) = furthest.take_if(|w| w.0 > 0) {
            return Err(why);
        }
        let mut names: Vec<&str> = properties
            .into_iter()
            .flatten()
            .map(|(k, _)| k.as_str())
            .collect();
        for (_, member) in &members {
            let member = refs::resolve(self.doc, member);
            names.extend(entries(member.get("properties")).map(|(k, _)| k.as_str()));
        }
        let scalar = ty.iter().find(|t| !["object", "array"].contains(t));
        if names.is_empty()
            && let Some(why) = furthest
        {
            return Err(why);
        }
        Err((
            0,
            match scalar {
                _ if !names.is_empty() => format!(
                    "`{token}` is not a property of {here} (its properties: {})",
                    listed(names)
                ),
                Some(t) => format!("{here} is a {t}, which has no `{token}`"),
                None if ty.contains(&"array") => {
                    format!("{here} is a list: `{token}` is not an index")
                }
                None => format!("{here} has no `{token}`"),
            },
        ))
    }

    fn identity(&mut self, identity: &Value, place: Place, at: &str, answers: &[Read<'a>]) {
        for (name, value) in entries(Some(identity)) {
            let Some(value) = value.as_str() else {
                continue;
            };
            let value_at = ptr(at, name);
            if value.starts_with('/') {
                self.pointer(value, &value_at, answers, false);
            } else {
                self.value(place, value, &value_at);
            }
        }
    }

    /// An outcome's status is documented; its pointers are checked against the answers of its
    /// status (every documented answer when it has none), and its header (a notice when no
    /// answer documents it).
    fn outcome(&mut self, op: &Op<'a>, outcome: &Value, at: &str) {
        let answers: Vec<Read<'a>> = match outcome.get("status").and_then(Value::as_u64) {
            Some(status) => match self.answer_for(op, status) {
                Some(a) => vec![(format!("the {status} answer of `{}`", op.id), a)],
                None => {
                    // The generated client refuses an undocumented answer before the
                    // flow's outcomes are tried: this outcome could never match.
                    self.error(
                        format!("{at}/status"),
                        format!(
                            "`{}` documents no {status} answer (nor a {}XX or `default` one), so \
                             this outcome never matches: the generated client refuses an \
                             undocumented answer before the outcomes are tried; document the \
                             answer in the spec",
                            op.id,
                            status / 100
                        ),
                    );
                    return;
                }
            },
            None => self
                .answers(op)
                .into_iter()
                .map(|a| (format!("the {} answer of `{}`", a.code, op.id), a))
                .collect(),
        };
        for key in ["field", "code", "message", "method"] {
            if let Some(p) = outcome
                .get(key)
                .and_then(Value::as_str)
                .filter(|p| p.starts_with('/'))
            {
                self.pointer(p, &format!("{at}/{key}"), &answers, false);
            }
        }
        if let Some(header) = outcome.get("header").and_then(Value::as_str) {
            self.header(header, &format!("{at}/header"), &answers);
        }
    }

    /// A notice unless one of `answers` documents response header `name`.
    fn header(&mut self, name: &str, at: &str, answers: &[Read<'a>]) {
        if answers.is_empty() {
            return;
        }
        let documented = answers.iter().any(|(_, a)| {
            entries(a.response.get("headers")).any(|(h, _)| h.eq_ignore_ascii_case(name))
        });
        if !documented {
            let whose: Vec<&str> = answers.iter().map(|(w, _)| w.as_str()).collect();
            self.notice(
                at,
                format!(
                    "the header `{name}` is not documented by {} (add it to the answer's \
                     `headers` so the spec says where it comes from)",
                    whose.join(" or ")
                ),
            );
        }
    }

    // -----------------------------------------------------------------------------------------
    // The session

    fn session(&mut self) {
        let Some(session) = self.ext.get("session") else {
            return;
        };
        for (scheme, value) in entries(session.get("credentials")) {
            let at = ptr("/x-apilogin/session/credentials", scheme);
            self.scheme(scheme, &at);
            if let Some(v) = value.as_str() {
                self.value(Place::SessionCredentials, v, &at);
            }
        }
        // The answers a session is made from: the `loggedIn` answers of login and relogin.
        let mut logged_in: Vec<Read<'a>> = Vec::new();
        for step in ["login", "relogin"] {
            let Some(st) = self.ext.get(step) else {
                continue;
            };
            let Some(op) = st
                .get("operation")
                .and_then(Value::as_str)
                .and_then(|id| operation(self.doc, id))
            else {
                continue;
            };
            for a in self.answers_of(&op, st, &["loggedIn"]) {
                // relogin may call login's operation: one answer is checked once.
                if logged_in.iter().any(|(_, b)| b.at == a.at) {
                    continue;
                }
                let by = if op.id == step {
                    String::new()
                } else {
                    format!(" ({step})")
                };
                logged_in.push((format!("the {} answer of `{}`{by}", a.code, op.id), a));
            }
        }
        if let Some(token) = session.get("token") {
            if let Some(p) = token.get("body").and_then(Value::as_str) {
                self.pointer(p, "/x-apilogin/session/token/body", &logged_in, true);
            }
            if let Some(h) = token.get("header").and_then(Value::as_str) {
                for one in &logged_in {
                    self.header(
                        h,
                        "/x-apilogin/session/token/header",
                        std::slice::from_ref(one),
                    );
                }
            }
        }
        if let Some(identity) = session.get("identity") {
            self.identity(
                identity,
                Place::Answer,
                "/x-apilogin/session/identity",
                &logged_in,
            );
        }
        for (name, detail) in entries(session.get("details")) {
            let Some(from) = detail.get("from").and_then(Value::as_str) else {
                continue;
            };
            let at = ptr(&ptr("/x-apilogin/session/details", name), "from");
            if from.starts_with('/') {
                let optional = detail.get("type").and_then(Value::as_str) == Some("optionalString");
                self.pointer(from, &at, &logged_in, !optional);
            } else {
                self.value(Place::Answer, from, &at);
            }
        }
    }
}

/// What an object schema says of a property.
pub(crate) enum Property<'a> {
    /// A declared property (or one its `additionalProperties` schema takes), with its schema,
    /// `$ref` followed.
    Known(&'a Value),
    /// The schema takes any property.
    Open,
    /// Not a property: the names the schema has.
    Unknown(Vec<String>),
}

/// Property `name` of an object schema (`$ref`s and `allOf`/`oneOf`/`anyOf` followed): its
/// schema, open (any name is taken), or unknown (with the names it has).
pub(crate) fn property<'a>(doc: &'a Value, schema: &'a Value, name: &str) -> Property<'a> {
    property_at(doc, schema, name, 0)
}

fn property_at<'a>(doc: &'a Value, schema: &'a Value, name: &str, depth: usize) -> Property<'a> {
    let schema = refs::resolve(doc, schema);
    if depth > MAX_DEPTH {
        return Property::Open;
    }
    if let Some(p) = schema.pointer(&ptr("/properties", name)) {
        return Property::Known(refs::resolve(doc, p));
    }
    let mut known: Vec<String> = entries(schema.get("properties"))
        .map(|(k, _)| k.clone())
        .collect();
    let members: Vec<&'a Value> = ["allOf", "oneOf", "anyOf"]
        .iter()
        .filter_map(|k| schema.get(*k).and_then(Value::as_array))
        .flatten()
        .collect();
    let mut open = match schema.get("additionalProperties") {
        Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        Some(other) => return Property::Known(refs::resolve(doc, other)),
        None => known.is_empty() && members.is_empty(),
    };
    for member in members {
        match property_at(doc, member, name, depth + 1) {
            Property::Known(p) => return Property::Known(p),
            Property::Open => open = true,
            Property::Unknown(more) => known.extend(more),
        }
    }
    if open {
        Property::Open
    } else {
        Property::Unknown(known)
    }
}

/// How deep `$ref`s and combinators are followed (a schema that refers to itself).
const MAX_DEPTH: usize = 64;

fn is_json(media: &str) -> bool {
    let media = media.split(';').next().unwrap_or(media).trim();
    media.starts_with("application/json") || media.ends_with("+json")
}

/// The placeholder names of a template (`{token}` → `token`); `{{` and `}}` are literal braces.
fn placeholders(template: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some('{') | None => {
                            return Err(
                                "has a `{` that is not closed (write `{{` for a literal brace)"
                                    .to_owned(),
                            );
                        }
                        Some(c) => name.push(c),
                    }
                }
                if name.trim().is_empty() {
                    return Err("has an empty placeholder `{}`".to_owned());
                }
                names.push(name);
            }
            '}' => {
                return Err(
                    "has a `}` that closes nothing (write `}}` for a literal brace)".to_owned(),
                );
            }
            _ => {}
        }
    }
    Ok(names)
}

/// A spec's `x-apilogin` problems without the schema check, as `(pointer, message)`.
#[cfg(test)]
fn errors_of(doc: &Value) -> Vec<(String, String)> {
    beyond_schema(doc)
        .errors
        .into_iter()
        .map(|f| (f.pointer, f.message))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A photo server like the one of issue 20: `POST /auth/login` `{email, password}` → 201
    /// `{accessToken, userId}`; `GET /users/me` with a required header; logout.
    fn photos() -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "Photos", "version": "1.0.0"},
            "servers": [{"url": "https://photos.example.com/api"}],
            "paths": {
                "/auth/login": {"post": {
                    "operationId": "login",
                    "parameters": [{"name": "X-Client", "in": "header", "required": true, "schema": {"type": "string"}}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LoginDto"}}}},
                    "responses": {
                        "201": {"description": "ok", "headers": {"X-Session": {"schema": {"type": "string"}}},
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LoginResponse"}}}},
                        "401": {"description": "no", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                    }
                }},
                "/users/me": {"get": {
                    "operationId": "me",
                    "parameters": [{"name": "X-Device", "in": "header", "required": true, "schema": {"type": "string"}},
                                   {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                    "security": [{"bearer": []}],
                    "responses": {
                        "200": {"description": "me", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
                        "401": {"description": "no", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                    }
                }},
                "/auth/logout": {"post": {
                    "operationId": "logout",
                    "security": [{"bearer": []}],
                    "responses": {"200": {"description": "bye"}}
                }}
            },
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"},
                    "basic": {"type": "http", "scheme": "basic"}
                },
                "schemas": {
                    "LoginDto": {"type": "object", "required": ["email", "password"], "properties": {
                        "email": {"type": "string"}, "password": {"type": "string"}, "remember": {"type": "boolean"}}},
                    "LoginResponse": {"allOf": [{"$ref": "#/components/schemas/Token"}, {"type": "object", "properties": {
                        "userId": {"type": "string"}, "user": {"$ref": "#/components/schemas/User"}}}]},
                    "Token": {"type": "object", "properties": {"accessToken": {"type": "string"}}},
                    "User": {"type": "object", "properties": {"id": {"type": "string"}, "email": {"type": "string"},
                        "emails": {"type": "array", "items": {"type": "object", "properties": {"address": {"type": "string"}}}},
                        "extra": {"type": "object"}}},
                    "Error": {"type": "object", "properties": {"message": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                        "statusCode": {"type": "integer"}}}
                }
            },
            "x-apilogin": {
                "service": {"variant": "Photos", "name": "Photos", "summary": "A photo server."},
                "inputs": {"client": {"label": "client"}},
                "generated": {"deviceId": {"kind": "uuid", "doc": "the device"}},
                "login": {
                    "operation": "login",
                    "parameters": {"X-Client": "apilogin {input.client} {generated.deviceId}"},
                    "body": {"email": "$user", "password": "$password", "remember": "true"},
                    "outcomes": [
                        {"status": 201, "then": "loggedIn"},
                        {"status": 401, "field": "/message", "then": "refused", "message": "/message", "code": "/statusCode"}
                    ]
                },
                "session": {
                    "token": {"body": "/accessToken"},
                    "identity": {"userId": "/userId", "email": "/user/emails/0/address", "username": "$user"},
                    "credentials": {"bearer": "$token"}
                },
                "verify": {
                    "operation": "me",
                    "parameters": {"X-Device": "{generated.deviceId}", "limit": "10"},
                    "identity": {"userId": "/id", "email": "/email"},
                    "outcomes": [{"status": 200, "then": "ok"}, {"status": 401, "then": "sessionRejected"}]
                },
                "logout": {"operation": "logout", "outcomes": [{"status": 200, "then": "ok"}]}
            }
        })
    }

    fn errors(doc: &Value) -> Vec<(String, String)> {
        errors_of(doc)
    }

    fn at<'e>(errors: &'e [(String, String)], pointer: &str) -> Vec<&'e str> {
        errors
            .iter()
            .filter(|(p, _)| p == pointer)
            .map(|(_, m)| m.as_str())
            .collect()
    }

    #[test]
    fn a_good_flow_has_no_problem() {
        let found = check(&photos());
        assert_eq!(found.errors, Vec::new());
        assert_eq!(found.notices, Vec::new());
    }

    #[test]
    fn a_token_pointer_missing_from_the_201_schema_is_an_error_at_the_pointer() {
        // The server's 201 body says `access_token`; the extension reads `/accessToken`.
        let mut doc = photos();
        doc["components"]["schemas"]["Token"]["properties"] =
            json!({"access_token": {"type": "string"}});
        let e = errors(&doc);
        let m = at(&e, "/x-apilogin/session/token/body");
        assert_eq!(m.len(), 1, "{e:?}");
        assert!(m[0].contains("the pointer `/accessToken`"), "{m:?}");
        assert!(m[0].contains("the 201 answer of `login`"), "{m:?}");
        assert!(
            m[0].contains("`accessToken` is not a property of `#/components/schemas/LoginResponse` (its properties: `access_token`, `userId`, `user`)"),
            "names the properties there are: {m:?}"
        );
        assert_eq!(e.len(), 1, "{e:?}");
    }

    #[test]
    fn pointers_go_through_refs_all_of_items_and_stop_at_scalars() {
        let mut doc = photos();
        let id = &mut doc["x-apilogin"]["session"]["identity"];
        id["userId"] = json!("/userId/deeper");
        id["name"] = json!("/user/emails/first/address");
        id["email"] = json!("/user/extra/anything/at/all");
        let e = errors(&doc);
        let m = at(&e, "/x-apilogin/session/identity/userId");
        assert!(m[0].contains("is a string, which has no `deeper`"), "{e:?}");
        let m = at(&e, "/x-apilogin/session/identity/name");
        assert!(m[0].contains("is a list: `first` is not an index"), "{e:?}");
        assert!(
            at(&e, "/x-apilogin/session/identity/email").is_empty(),
            "an open object takes anything: {e:?}"
        );
        assert_eq!(e.len(), 2, "{e:?}");
    }

    #[test]
    fn outcome_pointers_are_checked_against_the_answer_of_their_status() {
        let mut doc = photos();
        doc["x-apilogin"]["login"]["outcomes"][1]["field"] = json!("/accessToken");
        doc["x-apilogin"]["login"]["outcomes"][1]["message"] = json!("/message/0");
        doc["x-apilogin"]["login"]["outcomes"]
            .as_array_mut()
            .unwrap()
            .push(json!({"status": 403, "field": "/reason", "then": "permissionDenied"}));
        // A status the operation does not document never reaches the outcomes.
        doc["x-apilogin"]["login"]["outcomes"]
            .as_array_mut()
            .unwrap()
            .push(json!({"status": 418, "then": "refused"}));
        let e = errors(&doc);
        let m = at(&e, "/x-apilogin/login/outcomes/1/field");
        assert!(m[0].contains("the 401 answer of `login`"), "{e:?}");
        assert!(
            at(&e, "/x-apilogin/login/outcomes/1/message").is_empty(),
            "oneOf: a list of strings: {e:?}"
        );
        let m = at(&e, "/x-apilogin/login/outcomes/2/status");
        assert!(m[0].contains("documents no 403 answer"), "{e:?}");
        let m = at(&e, "/x-apilogin/login/outcomes/3/status");
        assert!(m[0].contains("documents no 418 answer (nor a 4XX or `default` one), so this outcome never matches"), "{e:?}");
        assert_eq!(e.len(), 3, "{e:?}");
    }

    #[test]
    fn an_unknown_source_or_placeholder_is_an_error() {
        let mut doc = photos();
        doc["x-apilogin"]["login"]["body"]["email"] = json!("$input.x");
        doc["x-apilogin"]["login"]["parameters"]["X-Client"] =
            json!("apilogin {input.client} {generated.device}");
        doc["x-apilogin"]["verify"]["parameters"]["X-Device"] = json!("$detail.nope");
        doc["x-apilogin"]["session"]["credentials"]["bearer"] = json!("$tokn");
        doc["x-apilogin"]["verify"]["parameters"]["limit"] = json!("{oops");
        let e = errors(&doc);
        let m = at(&e, "/x-apilogin/login/body/email");
        assert!(m[0].contains("there is no input `x`"), "{e:?}");
        assert!(
            m[0].contains("`client`"),
            "names the inputs there are: {e:?}"
        );
        let m = at(&e, "/x-apilogin/login/parameters/X-Client");
        assert!(
            m[0].contains("`{generated.device}`") && m[0].contains("no generated value `device`"),
            "{e:?}"
        );
        let m = at(&e, "/x-apilogin/verify/parameters/X-Device");
        assert!(m[0].contains("no session detail `nope`"), "{e:?}");
        let m = at(&e, "/x-apilogin/session/credentials/bearer");
        assert!(m[0].contains("unknown source `tokn`"), "{e:?}");
        let m = at(&e, "/x-apilogin/verify/parameters/limit");
        assert!(m[0].contains("not closed"), "{e:?}");
        assert_eq!(e.len(), 5, "{e:?}");
    }

    #[test]
    fn sources_are_refused_where_they_have_no_value() {
        let mut doc = photos();
        doc["x-apilogin"]["verify"]["parameters"]["X-Device"] = json!("$password");
        doc["x-apilogin"]["logout"]["parameters"] = json!({});
        doc["x-apilogin"]["logout"]["credentials"] = json!({"bearer": "{code}"});
        doc["x-apilogin"]["login"]["body"]["remember"] = json!("$token");
        doc["x-apilogin"]["session"]["identity"]["username"] = json!("$userId");
        // A session step's identity is read with the session: its user id is known there.
        doc["x-apilogin"]["verify"]["identity"]["userId"] = json!("$userId");
        let e = errors(&doc);
        let m = at(&e, "/x-apilogin/verify/parameters/X-Device");
        assert!(
            m[0].contains("`$password`: the password is known only to `login`"),
            "{e:?}"
        );
        assert!(m[0].ends_with("not to verify"), "{e:?}");
        let m = at(&e, "/x-apilogin/logout/credentials/bearer");
        assert!(
            m[0].contains("`{code}` in `{code}`: the second-factor code"),
            "{e:?}"
        );
        let m = at(&e, "/x-apilogin/login/body/remember");
        assert!(m[0].contains("only where a session exists"), "{e:?}");
        let m = at(&e, "/x-apilogin/session/identity/username");
        assert!(m[0].contains("only where a session exists"), "{e:?}");
        assert_eq!(e.len(), 4, "{e:?}");
    }

    #[test]
    fn an_input_after_the_login_needs_a_detail_that_keeps_it() {
        let mut doc = photos();
        doc["x-apilogin"]["verify"]["parameters"]["X-Device"] = json!("{input.client}");
        doc["x-apilogin"]["session"]["credentials"]["bearer"] = json!("$input.client");
        let found = check(&doc);
        assert_eq!(found.notices.len(), 1, "{found:?}");
        assert_eq!(
            found.notices[0].pointer,
            "/x-apilogin/verify/parameters/X-Device"
        );
        assert!(
            found.notices[0]
                .message
                .contains("has no value in `verify`"),
            "{found:?}"
        );
        assert_eq!(found.errors.len(), 1, "{found:?}");
        assert_eq!(
            found.errors[0].pointer,
            "/x-apilogin/session/credentials/bearer"
        );
        assert!(
            found.errors[0].message.contains("send `$detail.<name>`"),
            "{found:?}"
        );
        doc["x-apilogin"]["session"]["details"] =
            json!({"client": {"from": "$input.client", "type": "string", "doc": "the client"}});
        doc["x-apilogin"]["session"]["credentials"]["bearer"] = json!("$detail.client");
        assert_eq!(check(&doc), Findings::default());
    }

    #[test]
    fn a_required_parameter_or_body_property_the_step_leaves_empty_is_an_error_at_the_step() {
        let mut doc = photos();
        doc["x-apilogin"]["verify"]
            .as_object_mut()
            .unwrap()
            .remove("parameters");
        doc["x-apilogin"]["login"]["body"]
            .as_object_mut()
            .unwrap()
            .remove("email");
        let e = errors(&doc);
        let m = at(&e, "/x-apilogin/verify");
        assert_eq!(m.len(), 1, "{e:?}");
        assert!(
            m[0].contains("the required header parameter `X-Device` of `me` is not filled"),
            "{e:?}"
        );
        let m = at(&e, "/x-apilogin/login/body");
        assert!(
            m[0].contains(
                "the required body property `email` of `login` (`#/components/schemas/LoginDto`)"
            ),
            "{e:?}"
        );
        assert_eq!(e.len(), 2, "{e:?}");
    }

    #[test]
    fn a_security_scheme_the_step_sends_fills_a_parameter_of_its_name() {
        let mut doc = photos();
        doc["components"]["securitySchemes"]["device"] =
            json!({"type": "apiKey", "in": "header", "name": "x-device"});
        doc["x-apilogin"]["verify"]["credentials"] =
            json!({"device": "{generated.deviceId}", "bearer": "$token"});
        doc["x-apilogin"]["verify"]["parameters"]
            .as_object_mut()
            .unwrap()
            .remove("X-Device");
        doc["paths"]["/users/me"]["get"]["security"] = json!([{"bearer": [], "device": []}]);
        assert_eq!(errors(&doc), Vec::new());
    }

    /// The generated client sends only the schemes an operation's `security` names: a step
    /// that sends another would have it silently left out (a vendor's login without
    /// `security` whose server needs a client header).
    #[test]
    fn a_scheme_a_step_sends_must_be_in_its_operations_security() {
        let mut doc = photos();
        doc["x-apilogin"]["login"]["credentials"] = json!({"bearer": "client {input.client}"});
        doc["x-apilogin"]["logout"]["credentials"] = json!({"bearer": "$token"});
        doc["components"]["securitySchemes"]["device"] =
            json!({"type": "apiKey", "in": "header", "name": "x-device"});
        doc["x-apilogin"]["verify"]["credentials"] =
            json!({"device": "{generated.deviceId}", "bearer": "$token"});
        let e = errors(&doc);
        let m = at(&e, "/x-apilogin/login/credentials/bearer");
        assert!(
            m[0].contains("`login` has no `security`") && m[0].contains("would not be sent"),
            "{e:?}"
        );
        let m = at(&e, "/x-apilogin/verify/credentials/device");
        assert!(
            m[0].contains("the `security` of `me` does not name `device`"),
            "{e:?}"
        );
        assert!(
            at(&e, "/x-apilogin/logout/credentials/bearer").is_empty(),
            "{e:?}"
        );
        assert!(
            at(&e, "/x-apilogin/verify/credentials/bearer").is_empty(),
            "{e:?}"
        );
        // The document's `security` counts for an operation without its own.
        doc["security"] = json!([{"bearer": []}]);
        doc["paths"]["/auth/login"]["post"]
            .as_object_mut()
            .unwrap()
            .remove("security");
        let e = errors(&doc);
        assert!(
            at(&e, "/x-apilogin/login/credentials/bearer").is_empty(),
            "{e:?}"
        );
    }

    #[test]
    fn a_server_on_this_machine_is_a_development_server() {
        for (url, host) in [
            ("http://localhost", Some("localhost")),
            ("http://localhost:8096/api", Some("localhost")),
            ("https://127.0.0.1:8443", Some("127.0.0.1")),
            ("http://[::1]:80/x", Some("[::1]")),
            ("http://user@0.0.0.0:1", Some("0.0.0.0")),
            ("https://photos.example.com/api", None),
            ("https://localhost.example.com", None),
            ("/api", None),
        ] {
            assert_eq!(loopback_host(url), host, "{url}");
        }
        let mut doc = photos();
        doc["servers"][0]["url"] = json!("http://localhost:2283/api");
        let found = check(&doc);
        assert_eq!(found.errors, Vec::new());
        assert!(
            found.notices.iter().any(|n| n.pointer == "/servers/0/url"
                && n.message.contains("taken as a development server")),
            "{:?}",
            found.notices
        );
    }

    #[test]
    fn unknown_parameters_unknown_body_fields_and_unconvertible_literals_are_errors() {
        let mut doc = photos();
        doc["x-apilogin"]["verify"]["parameters"]["X-Nope"] = json!("x");
        doc["x-apilogin"]["verify"]["parameters"]["limit"] = json!("ten");
        doc["x-apilogin"]["login"]["body"]["remember"] = json!("yes");
        doc["x-apilogin"]["login"]["body"]["mail"] = json!("$user");
        let e = errors(&doc);
        let m = at(&e, "/x-apilogin/verify/parameters/X-Nope");
        assert!(
            m[0].contains("`me` has no parameter `X-Nope` (its parameters: `X-Device`, `limit`)"),
            "{e:?}"
        );
        let m = at(&e, "/x-apilogin/verify/parameters/limit");
        assert!(m[0].contains("`ten` is not an integer"), "{e:?}");
        let m = at(&e, "/x-apilogin/login/body/remember");
        assert!(m[0].contains("`yes` is not a boolean"), "{e:?}");
        let m = at(&e, "/x-apilogin/login/body/mail");
        assert!(
            m[0].contains("`mail` is not a property of the request body"),
            "{e:?}"
        );
        assert_eq!(e.len(), 4, "{e:?}");
    }

    #[test]
    fn unknown_operations_and_schemes_are_all_listed() {
        let mut doc = photos();
        doc["x-apilogin"]["verify"]["operation"] = json!("whoami");
        doc["x-apilogin"]["logout"]["operation"] = json!("signOut");
        doc["x-apilogin"]["session"]["credentials"] = json!({"nope": "$token", "basic": "$token"});
        let e = errors(&doc);
        assert!(
            at(&e, "/x-apilogin/verify/operation")[0]
                .contains("no operation has operationId `whoami`"),
            "{e:?}"
        );
        assert!(
            at(&e, "/x-apilogin/logout/operation")[0].contains("`signOut`"),
            "{e:?}"
        );
        assert!(
            at(&e, "/x-apilogin/session/credentials/nope")[0].contains("not one of the spec's"),
            "{e:?}"
        );
        assert!(
            at(&e, "/x-apilogin/session/credentials/basic")[0].contains("HTTP basic"),
            "{e:?}"
        );
        assert_eq!(e.len(), 4, "{e:?}");
    }

    #[test]
    fn undocumented_headers_and_relative_servers_are_notices() {
        let mut doc = photos();
        doc["x-apilogin"]["session"]["token"] = json!({"header": "X-Token"});
        doc["x-apilogin"]["login"]["outcomes"][1] =
            json!({"status": 401, "header": "X-Session", "then": "badCredentials"});
        doc["servers"][0]["url"] = json!("/api");
        let found = check(&doc);
        assert_eq!(found.errors, Vec::new());
        let notices: Vec<(&str, &str)> = found
            .notices
            .iter()
            .map(|f| (f.pointer.as_str(), f.message.as_str()))
            .collect();
        assert_eq!(notices.len(), 3, "{notices:?}");
        assert_eq!(notices[0].0, "/servers/0/url");
        assert!(
            notices[0].1.contains("`/api` is a relative server URL")
                && notices[0].1.contains("https://server.example.com/api"),
            "{notices:?}"
        );
        assert_eq!(notices[1].0, "/x-apilogin/login/outcomes/1/header");
        assert!(
            notices[1]
                .1
                .contains("`X-Session` is not documented by the 401 answer of `login`"),
            "{notices:?}"
        );
        assert_eq!(notices[2].0, "/x-apilogin/session/token/header");
        assert!(notices[2].1.contains("`X-Token`"), "{notices:?}");
        doc["x-apilogin"]["session"]["token"] = json!({"header": "x-session"});
        assert_eq!(
            check(&doc).notices.len(),
            2,
            "documented (in any case) is quiet"
        );
    }

    #[test]
    fn templates_escape_braces_and_name_placeholders() {
        assert_eq!(
            placeholders("MediaBrowser Token=\"{token}\"").unwrap(),
            vec!["token"]
        );
        assert_eq!(
            placeholders("{{x}} {input.a}{user}").unwrap(),
            vec!["input.a", "user"]
        );
        assert!(placeholders("a } b").is_err());
        assert!(placeholders("{}").is_err());
        assert!(placeholders("{ }").is_err());
        assert!(placeholders("{a").is_err());
        assert!(placeholders("{a} }").is_err());
        assert!(placeholders("{a{b}}").is_err());
    }

    #[test]
    fn a_template_is_read_only_where_a_value_has_a_brace() {
        let mut doc = photos();
        doc["x-apilogin"]["login"]["parameters"]["X-Client"] = json!("plain } text");
        assert_eq!(errors(&doc), Vec::new());
        doc["x-apilogin"]["login"]["parameters"]["X-Client"] = json!("{a{b}}");
        let e = errors(&doc);
        let m = at(&e, "/x-apilogin/login/parameters/X-Client");
        assert!(
            m[0].contains("the template `{a{b}}` has a `{` that is not closed"),
            "{e:?}"
        );
        assert_eq!(e.len(), 1, "{e:?}");
    }

    #[test]
    fn an_outcome_looks_at_a_field_or_a_header_not_both() {
        let mut doc = photos();
        doc["x-apilogin"]["login"]["outcomes"][1]["header"] = json!("X-Session");
        // Reported with an unknown operation too: every problem in one run.
        doc["x-apilogin"]["verify"]["operation"] = json!("whoami");
        doc["x-apilogin"]["verify"]["outcomes"][1]["field"] = json!("/reason");
        doc["x-apilogin"]["verify"]["outcomes"][1]["header"] = json!("X-Reason");
        let e = errors(&doc);
        let m = at(&e, "/x-apilogin/login/outcomes/1");
        assert_eq!(
            m,
            ["an outcome looks at a body `field` or at a `header`, not both"],
            "{e:?}"
        );
        assert_eq!(at(&e, "/x-apilogin/verify/outcomes/1").len(), 1, "{e:?}");
        assert_eq!(at(&e, "/x-apilogin/verify/operation").len(), 1, "{e:?}");
        assert_eq!(e.len(), 3, "{e:?}");
    }

    #[test]
    fn a_body_field_or_parameter_the_flow_cannot_fill_with_one_value_is_an_error() {
        let mut doc = photos();
        let schemas = &mut doc["components"]["schemas"];
        schemas["LoginDto"]["properties"]["remember"] =
            json!({"type": "array", "items": {"type": "boolean"}});
        schemas["LoginDto"]["properties"]["email"] = json!({"$ref": "#/components/schemas/Token"});
        let me = &mut doc["paths"]["/users/me"]["get"]["parameters"];
        me[1]["schema"] = json!({"type": "string", "format": "date"});
        me.as_array_mut()
            .unwrap()
            .push(json!({"name": "ids", "in": "query",
            "schema": {"type": "array", "items": {"type": "integer"}}}));
        doc["x-apilogin"]["verify"]["parameters"]["ids"] = json!("1");
        let e = errors(&doc);
        for field in ["remember", "email"] {
            let m = at(&e, &format!("/x-apilogin/login/body/{field}"));
            assert!(
                m[0].contains(&format!(
                    "the body field `{field}` of `login` is an array or object in the spec"
                )),
                "{e:?}"
            );
        }
        for name in ["limit", "ids"] {
            let m = at(&e, &format!("/x-apilogin/verify/parameters/{name}"));
            assert!(
                m[0].contains(&format!(
                    "the parameter `{name}` of `me` is not a plain string, number or boolean"
                )),
                "{e:?}"
            );
        }
        assert_eq!(e.len(), 4, "{e:?}");
    }

    #[test]
    fn a_literal_converts_to_a_type_given_through_all_of() {
        let mut doc = photos();
        doc["components"]["schemas"]["Flag"] = json!({"type": "boolean"});
        doc["components"]["schemas"]["LoginDto"]["properties"]["remember"] =
            json!({"allOf": [{"$ref": "#/components/schemas/Flag"}], "description": "remember me"});
        doc["x-apilogin"]["login"]["body"]["remember"] = json!("yes");
        // As the engine converts: an integer beyond i64 is sent as a u64.
        doc["x-apilogin"]["verify"]["parameters"]["limit"] = json!("18446744073709551615");
        let e = errors(&doc);
        let m = at(&e, "/x-apilogin/login/body/remember");
        assert!(m[0].contains("`yes` is not a boolean"), "{e:?}");
        assert_eq!(e.len(), 1, "{e:?}");
    }

    #[test]
    fn the_schema_problems_come_first_and_once() {
        let mut doc = photos();
        doc["x-apilogin"]["service"]["extra"] = json!(1);
        doc["x-apilogin"]["login"]["body"]["email"] = json!("$input.x");
        let found = check(&doc);
        assert_eq!(found.errors.len(), 2, "{found:?}");
        assert_eq!(found.errors[0].pointer, "/x-apilogin/service/extra");
        assert!(found.errors[0].message.contains("unknown field `extra`"));
        assert_eq!(found.errors[1].pointer, "/x-apilogin/login/body/email");
    }

    #[test]
    fn a_spec_without_the_extension_has_nothing_to_check() {
        let mut doc = photos();
        doc.as_object_mut().unwrap().remove("x-apilogin");
        doc["servers"][0]["url"] = json!("/api");
        assert_eq!(check(&doc), Findings::default());
    }

    /// A spec logging in with OAuth: an `openIdConnect` scheme, an `oauth2` one with an
    /// authorization code flow, and the userinfo call.
    fn oidc() -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "IdP", "version": "1.0.0"},
            "servers": [{"url": "https://id.example.com"}],
            "paths": {"/me": {"get": {
                "operationId": "userinfo",
                "security": [{"oidc": []}],
                "responses": {"200": {"description": "me", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"sub": {"type": "string"}}}}}}}
            }}},
            "components": {"securitySchemes": {
                "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://id.example.com/.well-known/openid-configuration"},
                "oauth": {"type": "oauth2", "flows": {"authorizationCode": {
                    "authorizationUrl": "https://id.example.com/auth", "tokenUrl": "https://id.example.com/token",
                    "scopes": {"email": "your e-mail address"}}}},
                "key": {"type": "apiKey", "in": "header", "name": "X-Key"}
            }},
            "x-apilogin": {
                "service": {"variant": "IdP", "name": "IdP", "summary": "An identity provider."},
                "oauth": {"scheme": "oidc", "clientId": "cli", "scopes": ["email"]},
                "session": {"token": {"body": "/access_token"}, "expiresIn": "/expires_in",
                            "credentials": {"oidc": "$token"}},
                "verify": {"operation": "userinfo", "identity": {"userId": "/sub"},
                           "outcomes": [{"status": 200, "then": "ok"}]}
            }
        })
    }

    #[test]
    fn an_oauth_login_names_an_oauth_scheme_and_one_of_its_flows() {
        let doc = oidc();
        assert_eq!(check(&doc), Findings::default());
        // An oauth2 scheme: its authorization code flow and its scopes.
        let mut ok = oidc();
        ok["x-apilogin"]["oauth"]["scheme"] = json!("oauth");
        assert_eq!(errors(&ok), []);

        let mut doc = oidc();
        doc["x-apilogin"]["oauth"]["scheme"] = json!("nope");
        let e = errors(&doc);
        assert!(
            at(&e, "/x-apilogin/oauth/scheme")[0]
                .contains("`nope` is not one of the spec's `components.securitySchemes`"),
            "{e:?}"
        );

        doc["x-apilogin"]["oauth"]["scheme"] = json!("key");
        let e = errors(&doc);
        assert_eq!(
            at(&e, "/x-apilogin/oauth/scheme"),
            ["`key` is an `apiKey` scheme, not an `oauth2` or `openIdConnect` scheme"],
            "{e:?}"
        );

        let mut doc = ok.clone();
        doc["x-apilogin"]["oauth"]["flow"] = json!("device");
        let e = errors(&doc);
        assert!(at(&e, "/x-apilogin/oauth/flow")[0].contains("the flow `device` is not one of the `flows` of the scheme `oauth` (it has `authorizationCode`; `device` is `flows.deviceAuthorization`)"), "{e:?}");

        let mut doc = ok.clone();
        doc["x-apilogin"]["oauth"]["scopes"] = json!(["openid", "email", "admin"]);
        let e = errors(&doc);
        assert_eq!(
            at(&e, "/x-apilogin/oauth/scopes/2"),
            ["`admin` is not a scope of the flow `flows.authorizationCode` of the scheme `oauth`"],
            "{e:?}"
        );
        assert_eq!(e.len(), 1, "{e:?}");

        // The session is the token endpoint's answer.
        let mut doc = oidc();
        doc["x-apilogin"]["session"]["token"] = json!({"body": "/id_token"});
        doc["x-apilogin"]["session"]["expiresIn"] = json!("/ttl");
        let e = errors(&doc);
        assert_eq!(at(&e, "/x-apilogin/session/token").len(), 1, "{e:?}");
        assert_eq!(at(&e, "/x-apilogin/session/expiresIn").len(), 1, "{e:?}");
    }

    #[test]
    fn a_description_needs_a_login_or_oauth() {
        let mut doc = oidc();
        doc["x-apilogin"].as_object_mut().unwrap().remove("oauth");
        let found = check(&doc);
        assert_eq!(found.errors.len(), 1, "{found:?}");
        assert_eq!(found.errors[0].pointer, "/x-apilogin");
    }
}
