//! The login engine: runs the login flow a spec describes in its `x-apilogin` extension
//! (`schemas/x-apilogin.schema.json`). Nothing here knows a service: which request a login
//! sends, which answer means what, and where the token is all come from the description.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use apilogin_login_model::{
    Description, DetailType, GeneratedKind, Identity as IdentitySpec, Kind, Map as SpecMap, Method,
    Outcome as OutcomeSpec, ParamFrom, Place, Session as SessionSpec, Step as StepSpec, Str, Then,
    is_pointer,
};
use reqwest::header::HeaderMap;
use serde_json::{Map, Value};

use crate::credentials::Credentials;
use crate::error::{ConfigError, LoginError, Operation};
use crate::generated::clients::{self, Api};
use crate::generated::kinds::{ServiceKind, SessionDetails};
use crate::glue::{Answer, Fields};
use crate::http::{self, Call, Options};
use crate::info::DetailValue;
use crate::reads::Reads;
use crate::secret::SecretString;
use crate::service::Service;
use crate::session::{Identity, Session};

/// How the second-factor code reaches the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecondFactorMethod {
    /// A code sent by SMS (Txty `ADDED_TF`).
    Sms,
    /// A code from an authenticator app (Rocket.Chat `totp`, Mattermost MFA).
    Totp,
    /// A code sent by e-mail (Rocket.Chat `email`).
    Email,
    /// The account password, asked again (Rocket.Chat `password`).
    Password,
}

impl SecondFactorMethod {
    /// Short lower-case name: `sms`, `totp`, `email`, `password`.
    pub const fn id(self) -> &'static str {
        match self {
            SecondFactorMethod::Sms => "sms",
            SecondFactorMethod::Totp => "totp",
            SecondFactorMethod::Email => "email",
            SecondFactorMethod::Password => "password",
        }
    }

    /// What to ask the user for.
    pub const fn prompt(self) -> &'static str {
        match self {
            SecondFactorMethod::Sms => "code sent to your phone by SMS",
            SecondFactorMethod::Totp => "code from your authenticator app",
            SecondFactorMethod::Email => "code sent to you by e-mail",
            SecondFactorMethod::Password => "password again",
        }
    }

    fn from_id(id: &str) -> Option<SecondFactorMethod> {
        [Self::Sms, Self::Totp, Self::Email, Self::Password]
            .into_iter()
            .find(|m| m.id() == id)
    }
}

impl From<Method> for SecondFactorMethod {
    fn from(m: Method) -> SecondFactorMethod {
        match m {
            Method::Sms => SecondFactorMethod::Sms,
            Method::Totp => SecondFactorMethod::Totp,
            Method::Email => SecondFactorMethod::Email,
            Method::Password => SecondFactorMethod::Password,
        }
    }
}

impl fmt::Display for SecondFactorMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// What one login request produced.
pub(crate) enum Step {
    Done(Box<Session>),
    Challenge(SecondFactorMethod),
}

// ---------------------------------------------------------------------------------------------
// The description: each spec's `x-apilogin`, as typed data regen generates (`generated/
// descriptions.rs`, the model of `apilogin-login-model`).

/// The description of `kind`.
fn description(kind: ServiceKind) -> &'static Description {
    kind.description()
}

/// Every pointer into an answer that the description of `kind` holds: what the engine reads of
/// a typed answer. Built once per service.
fn reads(kind: ServiceKind) -> &'static Reads {
    static READS: LazyLock<Vec<Reads>> = LazyLock::new(|| {
        ServiceKind::ALL
            .iter()
            .map(|k| Reads::of(k.description().pointers()))
            .collect()
    });
    let i = ServiceKind::ALL.iter().position(|k| *k == kind);
    &READS[i.unwrap_or_default()]
}

/// `text` as JSON type `kind`; `None` when it does not convert.
fn convert(kind: Kind, text: String) -> Option<Value> {
    match kind {
        Kind::String => Some(Value::String(text)),
        Kind::Integer => {
            let t = text.trim();
            t.parse::<i64>()
                .map(Value::from)
                .or_else(|_| t.parse::<u64>().map(Value::from))
                .ok()
        }
        Kind::Number => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        Kind::Boolean => match text.trim() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
    }
}

/// What a value of `kind` that does not convert is called in the error (never the value).
fn what(kind: Kind, parameter: bool) -> &'static str {
    match (kind, parameter) {
        (Kind::Integer, false) => "request field typed integer",
        (Kind::Number, false) => "request field typed number",
        (Kind::Boolean, false) => "request field typed boolean (true or false)",
        (Kind::Integer, true) => "request parameter typed integer",
        (Kind::Number, true) => "request parameter typed number",
        (Kind::Boolean, true) => "request parameter typed boolean (true or false)",
        (Kind::String, _) => "request value",
    }
}

// ---------------------------------------------------------------------------------------------
// Values: sources (`$user`, ...), templates (`Bearer {token}`), pointers into answers, literals.

/// Template `template` with each placeholder (`{token}`, `{input.deviceName}`) replaced by
/// `lookup` of its name, `{{` and `}}` by a brace. `None` when a placeholder has no value, or
/// the template is malformed (a `{` not closed, a lone `}`, an empty `{}`; regen refuses those).
pub(crate) fn expand(template: &str, lookup: impl Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let brace = rest.as_bytes()[i];
        let after = &rest[i + 1..];
        if after.as_bytes().first() == Some(&brace) {
            out.push(char::from(brace));
            rest = &after[1..];
            continue;
        }
        if brace == b'}' {
            return None;
        }
        let end = after.find(['{', '}'])?;
        if after.as_bytes()[end] != b'}' {
            return None;
        }
        let name = after[..end].trim();
        if name.is_empty() {
            return None;
        }
        out.push_str(&lookup(name)?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// What a step's sources read from.
struct Context<'a> {
    user: &'a str,
    password: Option<&'a str>,
    code: Option<&'a str>,
    inputs: BTreeMap<&'a str, String>,
    /// The generated values (`$generated.<name>`).
    generated: BTreeMap<String, String>,
    session: Option<&'a Session>,
}

impl Context<'_> {
    /// The value of `value` (a `$source`, a template or a literal), `None` when it has none
    /// here (the field is then left out).
    fn value(&self, value: &str) -> Option<String> {
        if value.contains('{') {
            return expand(value, |name| self.source(name));
        }
        match value.strip_prefix('$') {
            Some(name) => self.source(name),
            None => Some(value.to_owned()),
        }
    }

    /// Source `name` (`user`, `token`, `input.developerKey`, …: the `$`-name without `$`).
    fn source(&self, name: &str) -> Option<String> {
        match name {
            "user" => Some(self.user.to_owned()),
            "password" => self.password.map(str::to_owned),
            "code" => self.code.map(str::to_owned),
            _ => {
                if let Some(input) = name.strip_prefix("input.") {
                    return self.inputs.get(input).cloned();
                }
                if let Some(generated) = name.strip_prefix("generated.") {
                    return self.generated.get(generated).cloned();
                }
                self.session.and_then(|s| s.value(&format!("${name}")).ok())
            }
        }
    }

    fn credentials(&self, map: &'static SpecMap<Str>) -> Vec<(&'static str, String)> {
        map.iter()
            .filter_map(|(scheme, source)| Some((scheme, self.value(source)?)))
            .collect()
    }
}

/// A body field as text: strings as they are, numbers and booleans written out.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// A pointer into the answer's body, at an array: its string (or scalar) items joined with
/// `; ` (objects and arrays in it are skipped); otherwise the value as text.
fn joined(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|item| text(Some(item)))
                .filter(|t| !t.is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        other => text(Some(other)),
    }
}

/// A pointer into the answer's body, or a source, template or literal.
fn read(answer: &Answer, ctx: &Context<'_>, value: &str) -> Option<String> {
    if is_pointer(value) {
        text(answer.body().at(value))
    } else {
        ctx.value(value)
    }
}

/// The step's request: its body (fields typed as regen found them in the schema) and its
/// parameters. A value that does not convert to its type is a [`ConfigError::InvalidCredential`]
/// (the value is not shown).
fn request<'s>(
    service: ServiceKind,
    step: &'s StepSpec,
    ctx: &Context<'_>,
) -> Result<(Option<Fields<'s>>, Map<String, Value>), LoginError> {
    let typed = |kinds: &SpecMap<Kind>,
                 values: &'s SpecMap<Str>,
                 parameter: bool|
     -> Result<Fields<'s>, LoginError> {
        let mut out = Vec::with_capacity(values.len());
        for (name, value) in values {
            let Some(text) = ctx.value(value) else {
                continue;
            };
            let kind = kinds.get(name).copied().unwrap_or(Kind::String);
            let Some(v) = convert(kind, text) else {
                return Err(ConfigError::InvalidCredential {
                    service,
                    what: what(kind, parameter),
                }
                .into());
            };
            out.push((name, v));
        }
        Ok(out)
    };
    let body = if step.body.is_empty() {
        None
    } else {
        Some(typed(&step.types.body, &step.body, false)?)
    };
    let params = typed(&step.types.parameters, &step.parameters, true)?
        .into_iter()
        .map(|(name, v)| (name.to_owned(), v))
        .collect();
    Ok((body, params))
}

/// A new value of `kind`, from the operating system's random numbers.
fn generate(kind: GeneratedKind, name: &str) -> Result<String, LoginError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        LoginError::from(ConfigError::HttpClient {
            detail: format!("no random numbers for the generated value `{name}`: {e}"),
        })
    })?;
    Ok(match kind {
        GeneratedKind::Uuid => uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string(),
        GeneratedKind::Hex32 => bytes.iter().map(|b| format!("{b:02x}")).collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// Running a step.

/// Sends `step` and returns its answer and the outcome it matches (`None`: none does).
async fn send<'d>(
    api: &Api,
    call: &Call<'_>,
    step: &'d StepSpec,
    ctx: &Context<'_>,
    credentials: Vec<(&'static str, String)>,
) -> Result<(Answer, Option<&'d OutcomeSpec>), LoginError> {
    // A step without credentials uses the client as it is (no copy of its base URL).
    let api = if credentials.is_empty() {
        Cow::Borrowed(api)
    } else {
        let pairs: Vec<(&str, &str)> = credentials.iter().map(|(a, b)| (*a, b.as_str())).collect();
        Cow::Owned(api.with_credentials(&pairs))
    };
    let (body, params) = request(call.service, step, ctx)?;
    let answer = api.send(call, &step.operation, body, &params).await?;
    let answering = ctx.code.is_some();
    let outcome = step
        .outcomes
        .iter()
        .find(|o| matches(o, &answer, answering));
    Ok((answer, outcome))
}

fn matches(o: &OutcomeSpec, answer: &Answer, answering: bool) -> bool {
    if o.status.is_some_and(|s| s != answer.status().as_u16()) {
        return false;
    }
    if o.answering.is_some_and(|a| a != answering) {
        return false;
    }
    // A documented answer without content comes as `null`.
    if o.empty_body
        .is_some_and(|empty| empty != answer.body().is_null())
    {
        return false;
    }
    let (present, value) = if let Some(name) = &o.header {
        let value = header(answer.headers(), name);
        (value.is_some(), value)
    } else if let Some(field) = &o.field {
        let found = answer.body().at(field).filter(|v| !v.is_null());
        (found.is_some(), text(found))
    } else {
        return true;
    };
    match (&o.equals, &o.one_of) {
        (Some(want), _) => value.as_deref() == Some(want.as_ref()),
        (None, Some(any)) => value.is_some_and(|t| any.iter().any(|a| *a == t)),
        (None, None) => present,
    }
}

/// The failure an outcome means (everything but `loggedIn`, `ok`, `secondFactor`).
fn failure(call: &Call<'_>, o: Option<&OutcomeSpec>, answer: &Answer) -> LoginError {
    let service = call.service;
    let status = answer.status();
    let Some(o) = o else {
        if status.is_server_error() {
            return LoginError::ServerError {
                service,
                status: status.as_u16(),
                excerpt: call.scrub(&answer.body().to_string()),
            };
        }
        return call.unexpected(
            Some(status),
            "an answer the service's login flow does not describe",
        );
    };
    // A pointer's value (a server's code) or a literal.
    let code_of = |value: &Option<Str>| -> Option<String> {
        let v = value.as_deref()?;
        if is_pointer(v) {
            let code = joined(answer.body().at(v))?;
            Some(if is_code(&code) {
                code
            } else {
                call.scrub(&code)
            })
        } else {
            Some(v.to_owned())
        }
    };
    match o.then {
        Then::WrongCode => LoginError::SecondFactorInvalid { service },
        Then::CodeExhausted => LoginError::SecondFactorExhausted { service },
        Then::SecondFactorUnsupported => LoginError::SecondFactorUnsupported {
            service,
            code: code_of(&o.code).unwrap_or_default(),
        },
        Then::BadCredentials => LoginError::BadCredentials {
            service,
            code: code_of(&o.code)
                .filter(|c| o.code.as_deref().is_some_and(|v| !is_pointer(v)) || is_code(c)),
        },
        Then::Locked => LoginError::AccountLocked {
            service,
            by_ip: o.by_ip,
        },
        Then::RateLimited => LoginError::RateLimited {
            service,
            reset_at: http::reset_at(answer.headers()),
        },
        Then::PermissionDenied => LoginError::PermissionDenied { service },
        Then::SessionRejected => LoginError::SessionRejected { service },
        Then::Refused => LoginError::Refused {
            service,
            code: code_of(&o.code).unwrap_or_else(|| status.as_u16().to_string()),
            message: code_of(&o.message)
                .map(|m| call.scrub(&m))
                .unwrap_or_default(),
        },
        Then::Unexpected => call.unexpected(
            Some(status),
            o.message
                .as_deref()
                .unwrap_or("an answer the service's login flow calls unexpected"),
        ),
        Then::LoggedIn | Then::Ok | Then::SecondFactor => call.unexpected(
            Some(status),
            "an answer that does not fit this step of the login flow",
        ),
    }
}

/// Whether a server's error code is a plain `UPPER_CASE` word (safe to show).
fn is_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn method(o: &OutcomeSpec, answer: &Answer) -> SecondFactorMethod {
    let named = match o.method.as_deref() {
        Some(p) if p.starts_with('/') => text(answer.body().at(p))
            .and_then(|v| o.methods.get(&v).copied())
            .or(o.default_method),
        Some(m) => return SecondFactorMethod::from_id(m).unwrap_or(SecondFactorMethod::Totp),
        None => o.default_method,
    };
    named.map_or(SecondFactorMethod::Totp, SecondFactorMethod::from)
}

fn identity(spec: &IdentitySpec, answer: &Answer, ctx: &Context<'_>, username: &str) -> Identity {
    let get = |v: &Option<Str>| non_empty(v.as_deref().and_then(|v| read(answer, ctx, v)));
    Identity {
        username: get(&spec.username).unwrap_or_else(|| username.to_owned()),
        user_id: get(&spec.user_id),
        name: get(&spec.name),
        email: get(&spec.email),
    }
}

/// The session a `loggedIn` answer gives.
fn session_of(
    kind: ServiceKind,
    desc: &Description,
    service: &Service,
    options: &Options,
    call: &Call<'_>,
    answer: &Answer,
    ctx: &Context<'_>,
) -> Result<Session, LoginError> {
    let token = match &desc.session.token {
        Place::Body(p) => text(answer.body().at(p)),
        Place::Header(h) => header(answer.headers(), h),
    };
    let Some(token) = non_empty(token) else {
        return Err(call.unexpected(Some(answer.status()), "the answer has no session token"));
    };
    let user = identity(&desc.session.identity, answer, ctx, ctx.user);
    let details = SessionDetails::build(kind, |name| {
        let Some(d) = desc.session.details.get(name) else {
            return DetailValue::Missing;
        };
        if is_pointer(&d.from) {
            match answer.body().at(&d.from) {
                Some(Value::Number(n)) if n.is_i64() => {
                    DetailValue::Integer(n.as_i64().unwrap_or_default())
                }
                v => text(v).map_or(DetailValue::Missing, DetailValue::Text),
            }
        } else {
            ctx.value(&d.from)
                .map_or(DetailValue::Missing, DetailValue::Text)
        }
    })
    .ok_or_else(|| {
        call.unexpected(
            Some(answer.status()),
            "the answer lacks what the session keeps",
        )
    })?;
    let expires_at = expiry(&desc.session, answer, &token);
    let mut session = Session::new(
        service,
        options,
        user,
        SecretString::new(token),
        details,
        ctx.generated.clone(),
    );
    session.set_expires_at(expires_at);
    Ok(session)
}

/// When a new session's token stops working (seconds since the Unix epoch): the answer's
/// `expiresIn` seconds, else the token's own `exp` when it is a JWT, else the spec's
/// `lifetimeSeconds`; `None` when nothing says.
fn expiry(spec: &SessionSpec, answer: &Answer, token: &str) -> Option<u64> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    let from_answer = spec
        .expires_in
        .as_deref()
        .and_then(|p| answer.body().at(p))
        .and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f as u64)))
        .filter(|secs| *secs > 0);
    from_answer
        .map(|secs| now.saturating_add(secs))
        .or_else(|| jwt_expiry(token))
        .or_else(|| spec.lifetime_seconds.map(|secs| now.saturating_add(secs)))
}

/// The `exp` claim of a token that is a JWT (three base64url parts), read without checking
/// the signature: it only says when the server will stop taking the token.
pub(crate) fn jwt_expiry(token: &str) -> Option<u64> {
    use base64::Engine as _;
    let mut parts = token.split('.');
    let (_, payload, _, None) = (parts.next()?, parts.next()?, parts.next()?, parts.next()) else {
        return None;
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice::<Value>(&bytes)
        .ok()?
        .get("exp")?
        .as_u64()
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
}

// ---------------------------------------------------------------------------------------------
// The login.

/// The values of the login's inputs (given, else their default).
fn inputs<'a>(desc: &'a Description, credentials: &Credentials) -> BTreeMap<&'a str, String> {
    desc.inputs
        .iter()
        .filter_map(|(name, spec)| {
            let v = credentials
                .input_value(name)
                .map(|s| s.expose_secret().to_owned())
                .or_else(|| spec.default.as_deref().map(str::to_owned))?;
            Some((name, v))
        })
        .collect()
}

/// One login request: with `code`, the answer to a challenge.
pub(crate) async fn login(
    service: &Service,
    options: &Options,
    api: &Api,
    credentials: &Credentials,
    code: Option<&SecretString>,
) -> Result<Step, LoginError> {
    let kind = service.kind();
    let desc = description(kind);
    let inputs = inputs(desc, credentials);
    let mut secrets = vec![credentials.password().expose_secret()];
    secrets.extend(code.map(SecretString::expose_secret));
    for (name, spec) in desc.inputs.iter() {
        if spec.secret
            && let Some(v) = credentials.input_value(name)
        {
            secrets.push(v.expose_secret());
        }
    }
    let call = Call::new(kind, secrets).reading(reads(kind));
    let mut generated = BTreeMap::new();
    for (name, spec) in desc.generated.iter() {
        let value = credentials.generated_or(name, || generate(spec.kind, name))?;
        generated.insert(name.to_owned(), value);
    }
    let ctx = Context {
        user: credentials.user(),
        password: Some(credentials.password().expose_secret()),
        code: code.map(SecretString::expose_secret),
        inputs,
        generated,
        session: None,
    };
    let Some(step) = &desc.login else {
        return Err(ConfigError::OAuthOnly { service: kind }.into());
    };
    static NONE: SpecMap<Str> = SpecMap(Cow::Borrowed(&[]));
    let creds = ctx.credentials(step.credentials.as_ref().unwrap_or(&NONE));
    let (answer, outcome) = send(api, &call, step, &ctx, creds).await?;
    match outcome {
        Some(o) if o.then == Then::LoggedIn => {
            session_of(kind, desc, service, options, &call, &answer, &ctx)
                .map(|s| Step::Done(Box::new(s)))
        }
        Some(o) if o.then == Then::SecondFactor => Ok(Step::Challenge(method(o, &answer))),
        _ => Err(failure(&call, outcome, &answer)),
    }
}

/// A session from a token the user already has, checked with the server by the spec's `verify`
/// step, which also says who it belongs to.
pub(crate) async fn from_token(
    service: &Service,
    options: &Options,
    token: &str,
    user_id: Option<&str>,
) -> Result<Session, LoginError> {
    let kind = service.kind();
    let desc = description(kind);
    let not_enough = |reason| {
        LoginError::from(ConfigError::TokenNotEnough {
            service: kind,
            reason,
        })
    };
    if token.trim().is_empty() {
        return Err(ConfigError::MissingCredential {
            service: kind,
            what: "token",
        }
        .into());
    }
    if desc.verify.is_none() {
        return Err(not_enough(
            "the service has no call that checks a token; log in with the password",
        ));
    }
    let needs_user_id = desc
        .session
        .credentials
        .values()
        .any(|source| source.contains("userId"));
    if needs_user_id && user_id.is_none_or(|id| id.trim().is_empty()) {
        return Err(not_enough(
            "its calls send the user id with the token: give the user id too",
        ));
    }
    let Some(details) = SessionDetails::build(kind, |_| DetailValue::Missing) else {
        return Err(not_enough(
            "its sessions keep more than a token (see the service's session details); log in with the password",
        ));
    };
    let provisional = Identity {
        username: String::new(),
        user_id: user_id.map(|id| id.trim().to_owned()),
        name: None,
        email: None,
    };
    let mut session = Session::new(
        service,
        options,
        provisional,
        SecretString::new(token.trim().to_owned()),
        details,
        BTreeMap::new(),
    );
    let mut user = session.verify().await?;
    if user.user_id.is_none() {
        user.user_id = session.user().user_id.clone();
    }
    if user.username.is_empty() {
        return Err(LoginError::UnexpectedResponse {
            service: kind,
            status: None,
            reason: "the server accepted the token but did not say whose it is".to_owned(),
            excerpt: String::new(),
        });
    }
    session.set_user(user);
    session.set_expires_at(jwt_expiry(token.trim()));
    Ok(session)
}

// ---------------------------------------------------------------------------------------------
// The session's operations.

/// A session step that was sent: its description, answer and matching outcome, and the
/// session's secret details (scrubbed from excerpts).
struct Ran {
    desc: &'static Description,
    step: &'static StepSpec,
    answer: Answer,
    outcome: Option<&'static OutcomeSpec>,
    held: Vec<String>,
}

impl Session {
    /// The step of `operation`, or [`LoginError::Unsupported`].
    fn step_of(
        &self,
        operation: Operation,
    ) -> Result<(&'static Description, &'static StepSpec), LoginError> {
        let kind = self.kind();
        let desc = description(kind);
        let step = match operation {
            Operation::Verify => desc.verify.as_ref(),
            Operation::Logout => desc.logout.as_ref(),
            Operation::Relogin => desc.relogin.as_ref(),
        };
        step.map(|s| (desc, s)).ok_or(LoginError::Unsupported {
            service: kind,
            operation,
        })
    }

    /// What a session step's sources read: the session, and the inputs its details kept.
    fn context<'a>(&'a self, desc: &'a Description) -> Context<'a> {
        let inputs = desc
            .session
            .details
            .iter()
            .filter_map(|(name, d)| {
                let input = d.from.strip_prefix("$input.")?;
                Some((input, self.details().field(name)?))
            })
            .collect();
        Context {
            user: &self.user().username,
            password: None,
            code: None,
            inputs,
            generated: self
                .generated_values()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
            session: Some(self),
        }
    }

    fn secrets<'a>(&'a self, _desc: &Description, held: &'a [String]) -> Vec<&'a str> {
        let mut v = vec![self.token().expose_secret()];
        v.extend(held.iter().map(String::as_str));
        v
    }

    /// The session's secret details, as text (to scrub from excerpts).
    fn secret_details(&self, desc: &Description) -> Vec<String> {
        desc.session
            .details
            .iter()
            .filter(|(_, d)| d.kind == DetailType::Secret)
            .filter_map(|(name, _)| self.details().field(name))
            .collect()
    }

    async fn run(&self, operation: Operation) -> Result<Ran, LoginError> {
        let (desc, step) = self.step_of(operation)?;
        let service = self.service();
        let api = Api::new(&service, self.options())?;
        let held = self.secret_details(desc);
        let call = Call::new(self.kind(), self.secrets(desc, &held)).reading(reads(self.kind()));
        let ctx = self.context(desc);
        let creds = ctx.credentials(
            step.credentials
                .as_ref()
                .unwrap_or(&desc.session.credentials),
        );
        let (answer, outcome) = send(&api, &call, step, &ctx, creds).await?;
        Ok(Ran {
            desc,
            step,
            answer,
            outcome,
            held,
        })
    }

    /// Checks with the server that the session is still valid and returns who it belongs to
    /// (the spec's `x-apilogin.verify`: Txty's account view, Rocket.Chat's and Mattermost's
    /// `me`; for an OpenID Connect session, the userinfo endpoint the provider's discovery
    /// names). A service without one: [`LoginError::Unsupported`].
    pub async fn verify(&self) -> Result<Identity, LoginError> {
        #[cfg(feature = "oauth")]
        if self.oauth_state().is_some()
            && let Some(said) = crate::oauth_login::verify(self).await
        {
            return said;
        }
        let Ran {
            desc,
            step,
            answer,
            outcome,
            held,
        } = self.run(Operation::Verify).await?;
        let call = Call::new(self.kind(), self.secrets(desc, &held)).reading(reads(self.kind()));
        match outcome.map(|o| o.then) {
            Some(Then::Ok) => {
                let ctx = self.context(desc);
                Ok(identity(
                    &step.identity,
                    &answer,
                    &ctx,
                    &self.user().username,
                ))
            }
            _ => Err(failure(&call, outcome, &answer)),
        }
    }

    /// Ends the session on the server (the spec's `x-apilogin.logout`: Txty deletes the API
    /// key, Rocket.Chat and Mattermost log out); the token stops working. A service without
    /// one: [`LoginError::Unsupported`].
    pub async fn logout(&self) -> Result<(), LoginError> {
        #[cfg(feature = "oauth")]
        if self.oauth_state().is_some() {
            return crate::oauth_login::logout(self).await;
        }
        let Ran {
            desc,
            answer,
            outcome,
            held,
            ..
        } = self.run(Operation::Logout).await?;
        let call = Call::new(self.kind(), self.secrets(desc, &held)).reading(reads(self.kind()));
        match outcome.map(|o| o.then) {
            Some(Then::Ok) => Ok(()),
            _ => Err(failure(&call, outcome, &answer)),
        }
    }

    /// Logs in again without the password (the spec's `x-apilogin.relogin`: remote.it's
    /// `service_authhash`, Rocket.Chat's `resume`) and returns the new session. A service
    /// without one: [`LoginError::Unsupported`].
    pub async fn relogin(&self) -> Result<Session, LoginError> {
        #[cfg(feature = "oauth")]
        if self.oauth_state().is_some() {
            return crate::oauth_login::relogin(self).await;
        }
        let Ran {
            desc,
            answer,
            outcome,
            held,
            ..
        } = self.run(Operation::Relogin).await?;
        let call = Call::new(self.kind(), self.secrets(desc, &held)).reading(reads(self.kind()));
        match outcome.map(|o| o.then) {
            Some(Then::LoggedIn) => {
                let ctx = self.context(desc);
                session_of(
                    self.kind(),
                    desc,
                    &self.service(),
                    self.options(),
                    &call,
                    &answer,
                    &ctx,
                )
            }
            Some(Then::SecondFactor) => Err(call.unexpected(
                Some(answer.status()),
                "a re-login asked for a second factor",
            )),
            _ => Err(failure(&call, outcome, &answer)),
        }
    }

    /// The headers that authenticate later calls, marked sensitive: the session's security
    /// schemes that go in headers (remote.it `developerkey` + `token`; Project Thanos
    /// `Authorization: Token …`; Rocket.Chat `X-Auth-Token` + `X-User-Id`; Mattermost
    /// `Authorization: Bearer …`). Empty for a service whose calls take fields instead
    /// ([`expose_auth_params`](Session::expose_auth_params)).
    pub fn auth_headers(&self) -> Result<HeaderMap, LoginError> {
        let kind = self.kind();
        let desc = description(kind);
        let mut pairs = Vec::new();
        for (scheme, source) in desc.session.credentials.iter() {
            let Some((name, prefix)) = clients::scheme_header(kind, scheme) else {
                continue;
            };
            let value = format!("{prefix}{}", self.value(source)?);
            pairs.push(http::secret_header(kind, name, &value, "credential")?);
        }
        Ok(http::header_map(pairs))
    }

    /// The values later calls send as fields rather than headers (the spec's
    /// `x-apilogin.session.params`: Txty's `user` and `key`), to send in a form body (never in
    /// a URL query: URLs end up in logs). Empty for the other services. The values are exposed.
    pub fn expose_auth_params(&self) -> Vec<(&'static str, &str)> {
        let desc = description(self.kind());
        desc.session
            .params
            .iter()
            .map(|p| {
                let value = match p.from {
                    ParamFrom::User => self.user().username.as_str(),
                    ParamFrom::Token => self.token().expose_secret(),
                };
                (&*p.field, value)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reads::{Body, at};
    use reqwest::StatusCode;
    use reqwest::header::HeaderValue;
    use serde_json::json;

    fn ctx() -> Context<'static> {
        Context {
            user: "demo",
            password: Some("pw"),
            code: None,
            inputs: BTreeMap::from([("deviceName", "my box".to_owned())]),
            generated: BTreeMap::from([("deviceId".to_owned(), "d-1".to_owned())]),
            session: None,
        }
    }

    /// A step of `json` (the extension's form) with regen's `types` of `types` (`{"body":
    /// {"count": "integer"}, "parameters": {…}}`).
    fn step(json: Value, types: Value) -> StepSpec {
        let mut step: StepSpec = serde_json::from_value(json).expect("a step");
        let kinds = |v: &Value| {
            let entries = v
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, kind)| {
                    let kind = match kind.as_str() {
                        Some("integer") => Kind::Integer,
                        Some("number") => Kind::Number,
                        Some("boolean") => Kind::Boolean,
                        _ => Kind::String,
                    };
                    (Str::Owned(name.clone()), kind)
                })
                .collect();
            SpecMap::from_entries(entries)
        };
        step.types.body = kinds(&types["body"]);
        step.types.parameters = kinds(&types["parameters"]);
        step
    }

    #[test]
    fn pointers_find_what_serde_json_finds() {
        let doc = json!({
            "data": {"me": {"emails": [{"address": "a@b"}, {"address": "c@d"}], "name": null}},
            "": {"": 1},
            "a/b": 2,
            "m~n": 3,
            "list": [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
            "x": "text"
        });
        for pointer in [
            "",
            "/",
            "//",
            "/data",
            "/data/me/emails/0/address",
            "/data/me/emails/1/address",
            "/data/me/emails/2/address",
            "/data/me/emails/01/address",
            "/data/me/emails/+1/address",
            "/data/me/emails/-1",
            "/data/me/emails/",
            "/data/me/name",
            "/data/nope/deeper",
            "/a~1b",
            "/m~0n",
            "/a/b",
            "/list/10",
            "/list/010",
            "/list/99999999999999999999999",
            "/x/0",
            "data",
            "/data/me/emails/0/address/",
        ] {
            assert_eq!(at(&doc, pointer), doc.pointer(pointer), "{pointer:?}");
        }
    }

    fn answer(status: u16, headers: &[(&'static str, &'static str)], body: Value) -> Answer {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_static(value));
        }
        Answer::new(
            StatusCode::from_u16(status).expect("a status"),
            map,
            Body::Whole(body),
        )
    }

    fn outcome(json: Value) -> OutcomeSpec {
        serde_json::from_value(json).expect("an outcome")
    }

    #[test]
    fn templates_replace_placeholders_and_keep_escaped_braces() {
        let c = ctx();
        assert_eq!(
            c.value(r#"MediaBrowser Device="{input.deviceName}", DeviceId="{generated.deviceId}", User="{user}""#)
                .as_deref(),
            Some(r#"MediaBrowser Device="my box", DeviceId="d-1", User="demo""#)
        );
        assert_eq!(
            c.value("{{literal}} {user}}}").as_deref(),
            Some("{literal} demo}")
        );
        assert_eq!(c.value("{ user }").as_deref(), Some("demo"));
        assert_eq!(
            c.value("no braces: $ and }").as_deref(),
            Some("no braces: $ and }")
        );
        assert_eq!(c.value("$generated.deviceId").as_deref(), Some("d-1"));
        assert_eq!(c.value("$input.deviceName").as_deref(), Some("my box"));
    }

    #[test]
    fn a_template_with_a_placeholder_without_value_has_no_value() {
        let c = ctx();
        // No code was sent, no session exists, no such input or generated value.
        for v in [
            "Code {code}",
            "Token {token}",
            "{input.nope}",
            "{generated.nope}",
            "{detail.x}",
        ] {
            assert_eq!(c.value(v), None, "{v}");
        }
        assert_eq!(c.value("$code"), None);
    }

    #[test]
    fn a_malformed_template_has_no_value() {
        for t in ["{user", "user}", "{}", "{us{er}", "a { b"] {
            assert_eq!(expand(t, |_| Some("x".to_owned())), None, "{t}");
        }
        assert_eq!(expand("", |_| None).as_deref(), Some(""));
        assert_eq!(
            expand("é{a}ü", |n| Some(n.to_uppercase())).as_deref(),
            Some("éAü")
        );
    }

    #[test]
    fn request_fields_and_parameters_are_sent_as_their_schema_types() {
        let s = step(
            json!({
                "operation": "x",
                "outcomes": [{"then": "ok"}],
                "body": {"name": "$user", "count": "42", "big": "18446744073709551615", "ratio": "0.5",
                         "remember": "true", "otp": "$code", "label": "{user}-{input.deviceName}"},
                "parameters": {"limit": " 7 ", "flag": "false", "X-Client": "c={generated.deviceId}", "gone": "{code}"}
            }),
            json!({"body": {"count": "integer", "big": "integer", "ratio": "number", "remember": "boolean", "otp": "integer"},
                   "parameters": {"limit": "integer", "flag": "boolean"}}),
        );
        let (body, params) = request(ServiceKind::ALL[0], &s, &ctx()).expect("converts");
        let body = body.map(|fields| {
            Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
        });
        assert_eq!(
            body,
            Some(
                json!({"name": "demo", "count": 42, "big": 18446744073709551615u64, "ratio": 0.5,
                        "remember": true, "label": "demo-my box"})
            )
        );
        assert_eq!(
            Value::Object(params),
            json!({"limit": 7, "flag": false, "X-Client": "c=d-1"})
        );
    }

    #[test]
    fn a_value_that_does_not_convert_is_a_typed_error_without_the_value() {
        for (kind, value) in [
            ("integer", "4.5"),
            ("integer", "pw"),
            ("number", "NaN"),
            ("number", "inf"),
            ("boolean", "yes"),
            ("boolean", "$password"),
        ] {
            let s = step(
                json!({"operation": "x", "outcomes": [{"then": "ok"}], "body": {"f": value}}),
                json!({"body": {"f": kind}}),
            );
            let err = request(ServiceKind::ALL[0], &s, &ctx()).expect_err(value);
            assert!(
                matches!(
                    err,
                    LoginError::Config(ConfigError::InvalidCredential { .. })
                ),
                "{err:?}"
            );
            assert!(!err.to_string().contains("pw"), "{err}");
            let s = step(
                json!({"operation": "x", "outcomes": [{"then": "ok"}], "parameters": {"p": value}}),
                json!({"parameters": {"p": kind}}),
            );
            let err = request(ServiceKind::ALL[0], &s, &ctx()).expect_err(value);
            assert!(err.to_string().contains("parameter"), "{err}");
        }
        // No body member: no body at all.
        let s = step(
            json!({"operation": "x", "outcomes": [{"then": "ok"}]}),
            json!({}),
        );
        let (body, params) = request(ServiceKind::ALL[0], &s, &ctx()).expect("empty");
        assert!(body.is_none());
        assert!(params.is_empty());
    }

    #[test]
    fn outcomes_match_on_a_header_or_an_empty_body() {
        let locked = answer(
            401,
            &[("x-login-failure", "locked")],
            json!({"title": "no"}),
        );
        let plain = answer(401, &[], json!({"title": "no"}));
        let empty = answer(204, &[], Value::Null);
        let equals = outcome(
            json!({"status": 401, "header": "X-Login-Failure", "equals": "locked", "then": "locked"}),
        );
        assert!(matches(&equals, &locked, false));
        assert!(!matches(&equals, &plain, false));
        let one_of = outcome(
            json!({"header": "x-login-failure", "oneOf": ["disabled", "locked"], "then": "locked"}),
        );
        assert!(matches(&one_of, &locked, false));
        let other =
            outcome(json!({"header": "X-Login-Failure", "oneOf": ["disabled"], "then": "locked"}));
        assert!(!matches(&other, &locked, false));
        let present = outcome(json!({"header": "X-Login-Failure", "then": "locked"}));
        assert!(matches(&present, &locked, false));
        assert!(!matches(&present, &plain, false));
        let is_empty = outcome(json!({"emptyBody": true, "then": "ok"}));
        assert!(matches(&is_empty, &empty, false));
        assert!(!matches(&is_empty, &plain, false));
        let not_empty = outcome(json!({"status": 401, "emptyBody": false, "then": "refused"}));
        assert!(matches(&not_empty, &plain, false));
        assert!(!matches(&not_empty, &answer(401, &[], Value::Null), false));
        // Body fields as before.
        let field = outcome(json!({"field": "/title", "equals": "no", "then": "refused"}));
        assert!(matches(&field, &plain, false));
        assert!(!matches(&field, &empty, false));
    }

    #[test]
    fn message_pointers_to_arrays_are_joined() {
        assert_eq!(
            joined(Some(
                &json!(["The Pw field is required.", 3, {"x": 1}, ["n"], true, ""])
            ))
            .as_deref(),
            Some("The Pw field is required.; 3; true")
        );
        assert_eq!(joined(Some(&json!([{"x": 1}]))), None);
        assert_eq!(joined(Some(&json!("one"))).as_deref(), Some("one"));
        let call = Call::new(ServiceKind::ALL[0], vec!["pw"]);
        let o = outcome(
            json!({"status": 400, "then": "refused", "code": "/codes", "message": "/errors"}),
        );
        let a = answer(
            400,
            &[],
            json!({"codes": ["A", "B"], "errors": ["bad pw", "too short"]}),
        );
        match failure(&call, Some(&o), &a) {
            LoginError::Refused { code, message, .. } => {
                assert_eq!(code, "A; B");
                assert_eq!(message, "bad <redacted>; too short");
            }
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn generated_values_are_random_uuids_v4_or_32_hex_digits() {
        let a = generate(GeneratedKind::Uuid, "a").expect("random");
        let b = generate(GeneratedKind::Uuid, "b").expect("random");
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(&a).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(a, parsed.hyphenated().to_string());
        let h = generate(GeneratedKind::Hex32, "h").expect("random");
        assert_eq!(h.len(), 32);
        assert!(
            h.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)),
            "{h}"
        );
        assert_ne!(h, generate(GeneratedKind::Hex32, "h").expect("random"));
    }

    #[test]
    fn credentials_make_each_generated_value_once_and_prefer_a_given_one() {
        let c = Credentials::new("u", "p");
        let first = c
            .generated_or("deviceId", || generate(GeneratedKind::Uuid, "deviceId"))
            .expect("made");
        let clone = c.clone();
        let again = clone
            .generated_or("deviceId", || -> Result<String, LoginError> {
                panic!("made twice")
            })
            .expect("kept");
        assert_eq!(first, again);
        assert_eq!(c.generated_value("deviceId"), Some(first.clone()));
        let given = Credentials::new("u", "p").generated("deviceId", "mine");
        let v = given
            .generated_or("deviceId", || -> Result<String, LoginError> {
                panic!("given")
            })
            .expect("given");
        assert_eq!(v, "mine");
    }

    #[test]
    fn a_session_expires_as_the_answer_the_token_or_the_spec_says() {
        use base64::Engine as _;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let jwt = format!(
            "{}.{}.sig",
            b64(json!({"alg": "RS256"})),
            b64(json!({"exp": 2_000_000_000u64}))
        );
        assert_eq!(jwt_expiry(&jwt), Some(2_000_000_000));
        for not_jwt in [
            "plain-token",
            "a.b",
            "a.b.c.d",
            "x.%%%.y",
            &format!("h.{}.s", b64(json!({"exp": "soon"}))),
        ] {
            assert_eq!(jwt_expiry(not_jwt), None, "{not_jwt}");
        }
        let spec = |v: Value| -> SessionSpec { serde_json::from_value(v).unwrap() };
        let both = spec(
            json!({"token": {"body": "/t"}, "expiresIn": "/expires_in", "lifetimeSeconds": 60}),
        );
        let answer_says = answer(200, &[], json!({"t": "tok", "expires_in": 3600}));
        let silent = answer(200, &[], json!({"t": "tok"}));
        let within = |got: Option<u64>, want: u64| {
            let got = got.expect("an expiry");
            assert!(
                got >= now + want && got <= now + want + 5,
                "{got} vs now + {want}"
            );
        };
        within(expiry(&both, &answer_says, "tok"), 3600);
        within(expiry(&both, &silent, "tok"), 60);
        assert_eq!(expiry(&both, &silent, &jwt), Some(2_000_000_000));
        let none = spec(json!({"token": {"body": "/t"}}));
        assert_eq!(expiry(&none, &silent, "tok"), None);
    }

    #[test]
    fn every_description_reads() {
        for kind in ServiceKind::ALL {
            let desc = description(kind);
            // The description generated for a service is that service's.
            assert_eq!(desc.service.variant, format!("{kind:?}"), "{kind}");
            // A login step, or an OAuth login instead.
            match &desc.login {
                Some(login) => assert!(!login.outcomes.is_empty(), "{kind}"),
                None => assert!(desc.oauth.is_some(), "{kind}"),
            }
            // What the engine reads of an answer: every pointer, the token's among them.
            let pointers = desc.pointers();
            if let Place::Body(token) = &desc.session.token {
                assert!(pointers.contains(&token.as_ref()), "{kind}");
            }
            assert_eq!(*reads(kind), Reads::of(pointers), "{kind}");
        }
    }
}
