//! The typed model of `x-apilogin`, the login-flow extension of an OpenAPI document
//! (`schemas/x-apilogin.schema.json`, the published contract; its guide is
//! `schemas/README.md`). Defined once, for both sides:
//!
//! * regen (`crates/codegen`) reads each spec's extension into a [`Description`] (after the
//!   schema walk and `login_check.rs`), fills each step's [`Types`] from the operation's schemas,
//!   and writes the description into the facade's generated glue as a `static`;
//! * the facade's login engine (`crates/facade/src/flow.rs`) runs that `&'static Description`:
//!   nothing is parsed at run time, and a description the engine cannot run does not compile.
//!
//! Strings are [`Str`] (`Cow<'static, str>`) and lists [`List`] so that the generated glue
//! constructs them in a `static` (borrowed) and regen reads them from JSON (owned); maps are
//! [`Map`], sorted by key. A test (`schema_test.rs`) fails when this model and the schema
//! disagree on a member or an enum value.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

#[cfg(test)]
mod schema_test;

/// A string of the description: borrowed in the generated glue, owned when regen reads a spec.
pub type Str = Cow<'static, str>;

/// A list of the description.
pub type List<T> = Cow<'static, [T]>;

/// Members by name, sorted by name without repeats, so [`Map::get`] is a binary search and the
/// order is stable. Regen sorts them when it reads a spec ([`Map::from_entries`]) and writes
/// them in that order; the field is public so that the glue constructs a map in a `static`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Map<V: Clone + 'static>(pub Cow<'static, [(Str, V)]>);

impl<V: Clone + 'static> Map<V> {
    /// A map of `entries` in any order (sorted here; a later repeat of a name wins).
    pub fn from_entries(mut entries: Vec<(Str, V)>) -> Self {
        entries.reverse();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, earlier| later.0 == earlier.0);
        Map(Cow::Owned(entries))
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&V> {
        self.0
            .binary_search_by(|(k, _)| k.as_ref().cmp(name))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// The members, sorted by name.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &V)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// The values, in the order of their names.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

type Entries<'m, V> =
    std::iter::Map<std::slice::Iter<'m, (Str, V)>, fn(&'m (Str, V)) -> (&'m str, &'m V)>;

impl<'m, V: Clone + 'static> IntoIterator for &'m Map<V> {
    type Item = (&'m str, &'m V);
    type IntoIter = Entries<'m, V>;

    fn into_iter(self) -> Entries<'m, V> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

impl<V: Clone + 'static> Default for Map<V> {
    fn default() -> Self {
        Map(Cow::Borrowed(&[]))
    }
}

impl<'de, V: Clone + Deserialize<'de> + 'static> Deserialize<'de> for Map<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<V>(PhantomData<V>);
        impl<'de, V: Clone + Deserialize<'de> + 'static> Visitor<'de> for Entries<V> {
            type Value = Map<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Map<V>, A::Error> {
                let mut entries = Vec::with_capacity(access.size_hint().unwrap_or(0));
                while let Some((k, v)) = access.next_entry::<String, V>()? {
                    entries.push((Str::Owned(k), v));
                }
                Ok(Map::from_entries(entries))
            }
        }
        deserializer.deserialize_map(Entries(PhantomData))
    }
}

#[cfg(test)]
impl<V: Clone + serde::Serialize + 'static> serde::Serialize for Map<V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// An enum of the schema: its values as written in the schema, every variant in `ALL`, and its
/// `name()` (the schema's text).
macro_rules! named {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
        #[cfg_attr(test, derive(serde::Serialize))]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $text)] $variant,)*
        }

        impl $name {
            /// Every value, in the schema's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The value as the schema writes it.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }
    };
}

/// The whole extension: what the facade's engine runs, and what regen generates the facade's
/// facts from.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(deny_unknown_fields)]
pub struct Description {
    pub service: Service,
    #[serde(default)]
    pub inputs: Map<Input>,
    #[serde(default)]
    pub generated: Map<Generated>,
    /// `None` only for a service that logs in with [`oauth`](Description::oauth).
    pub login: Option<Step>,
    /// The service logs in with OAuth 2.0 / OpenID Connect.
    pub oauth: Option<OAuth>,
    pub session: Session,
    pub verify: Option<Step>,
    pub relogin: Option<Step>,
    pub logout: Option<Step>,
}

/// How a service logs in with OAuth 2.0 / OpenID Connect.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OAuth {
    /// The `oauth2` or `openIdConnect` security scheme of the provider.
    pub scheme: Str,
    /// The client id when the user gives none.
    pub client_id: Option<Str>,
    /// The default flow (`None`: authorization code).
    pub flow: Option<OAuthFlow>,
    #[serde(default)]
    pub scopes: List<Str>,
    /// Extra parameters of the authorization request.
    #[serde(default)]
    pub parameters: Map<Str>,
}

named! {
    /// An OAuth flow a person logs in with.
    pub enum OAuthFlow {
        /// Authorization code with PKCE and a loopback redirect.
        AuthorizationCode = "authorizationCode",
        /// The device authorization grant.
        Device = "device",
    }
}

/// How the facade and its command name the service.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Service {
    pub variant: Str,
    pub name: Str,
    pub summary: Str,
    pub order: Option<i64>,
    pub rust_constructor: Option<Str>,
    #[serde(default)]
    pub aliases: List<Str>,
}

/// Something a login takes besides the user name, password and code (`$input.<name>`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub label: Str,
    #[serde(default)]
    pub secret: bool,
    #[serde(default)]
    pub required: bool,
    pub default: Option<Str>,
    pub help: Option<Str>,
}

/// A value made once and kept with the session (`$generated.<name>`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(deny_unknown_fields)]
pub struct Generated {
    pub kind: GeneratedKind,
    pub doc: Option<Str>,
}

named! {
    /// How a generated value is made.
    pub enum GeneratedKind {
        /// A random UUID v4, hyphenated, lower case.
        Uuid = "uuid",
        /// 32 random lower-case hex digits.
        Hex32 = "hex32",
    }
}

/// One request of the flow (`login`, `verify`, `relogin`, `logout`) and what its answers mean.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub operation: Str,
    /// `None`: none for `login`, the session's for the others.
    pub credentials: Option<Map<Str>>,
    #[serde(default)]
    pub body: Map<Str>,
    #[serde(default)]
    pub parameters: Map<Str>,
    #[serde(default)]
    pub identity: Identity,
    pub outcomes: List<Outcome>,
    /// Not in the extension: regen fills it from the operation's schemas.
    #[serde(skip)]
    pub types: Types,
}

/// The JSON types of a step's request fields that are not strings, by name (regen reads them
/// from the operation's schemas).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Types {
    pub body: Map<Kind>,
    pub parameters: Map<Kind>,
}

/// How a request field or parameter is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    String,
    Integer,
    Number,
    Boolean,
}

/// Who is logged in: values (pointers into the answer, or sources).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Identity {
    pub username: Option<Str>,
    pub user_id: Option<Str>,
    pub name: Option<Str>,
    pub email: Option<Str>,
}

/// One meaning of an answer: what selects it and what it means.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Outcome {
    pub status: Option<u16>,
    pub field: Option<Str>,
    pub header: Option<Str>,
    pub equals: Option<Str>,
    pub one_of: Option<List<Str>>,
    pub empty_body: Option<bool>,
    pub answering: Option<bool>,
    pub then: Then,
    pub method: Option<Str>,
    #[serde(default)]
    pub methods: Map<Method>,
    pub default_method: Option<Method>,
    pub code: Option<Str>,
    pub message: Option<Str>,
    #[serde(default)]
    pub by_ip: bool,
}

named! {
    /// What an answer means.
    pub enum Then {
        LoggedIn = "loggedIn",
        Ok = "ok",
        SecondFactor = "secondFactor",
        WrongCode = "wrongCode",
        CodeExhausted = "codeExhausted",
        SecondFactorUnsupported = "secondFactorUnsupported",
        BadCredentials = "badCredentials",
        Locked = "locked",
        RateLimited = "rateLimited",
        PermissionDenied = "permissionDenied",
        SessionRejected = "sessionRejected",
        Refused = "refused",
        Unexpected = "unexpected",
    }
}

named! {
    /// How a second-factor code reaches the user.
    pub enum Method {
        Sms = "sms",
        Totp = "totp",
        Email = "email",
        Password = "password",
    }
}

/// Where a `loggedIn` answer keeps the session, and what later calls send.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Session {
    pub token: Place,
    #[serde(default)]
    pub identity: Identity,
    #[serde(default)]
    pub details: Map<Detail>,
    pub details_doc: Option<Str>,
    #[serde(default)]
    pub credentials: Map<Str>,
    #[serde(default)]
    pub params: List<Param>,
    /// How long a session lasts when neither the answer nor the token says.
    pub lifetime_seconds: Option<u64>,
    /// A pointer to the seconds the token lasts, in the login's answer.
    pub expires_in: Option<Str>,
}

/// Where the token is: a body field (a pointer) or a response header.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Place {
    Body(Str),
    Header(Str),
}

/// What else a session keeps (`SessionDetails::<variant>`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(deny_unknown_fields)]
pub struct Detail {
    pub from: Str,
    #[serde(rename = "type")]
    pub kind: DetailType,
    pub doc: Str,
}

named! {
    /// The type of a session detail.
    pub enum DetailType {
        String = "string",
        Secret = "secret",
        Integer = "integer",
        /// An empty or missing value is none.
        OptionalString = "optionalString",
    }
}

/// A value later calls send as a field rather than through a security scheme.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(deny_unknown_fields)]
pub struct Param {
    pub field: Str,
    pub from: ParamFrom,
}

named! {
    /// What a session parameter sends.
    pub enum ParamFrom {
        User = "$user",
        Token = "$token",
    }
}

/// Whether `value` is a JSON pointer into an answer (not a template).
pub fn is_pointer(value: &str) -> bool {
    value.starts_with('/') && !value.contains('{')
}

impl Identity {
    /// The values given.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        [&self.username, &self.user_id, &self.name, &self.email]
            .into_iter()
            .flatten()
            .map(|s| s.as_ref())
    }
}

impl Description {
    /// The steps the description has, with their names (`login` first).
    pub fn steps(&self) -> impl Iterator<Item = (&'static str, &Step)> {
        [
            ("login", self.login.as_ref()),
            ("verify", self.verify.as_ref()),
            ("relogin", self.relogin.as_ref()),
            ("logout", self.logout.as_ref()),
        ]
        .into_iter()
        .filter_map(|(name, step)| Some((name, step?)))
    }

    /// Every pointer into an answer that the description holds: what the engine may read.
    pub fn pointers(&self) -> Vec<&str> {
        let mut all: Vec<&str> = Vec::new();
        if let Place::Body(p) = &self.session.token {
            all.push(p);
        }
        all.extend(self.session.identity.values());
        all.extend(self.session.details.values().map(|d| d.from.as_ref()));
        all.extend(self.session.expires_in.as_deref());
        for (_, step) in self.steps() {
            all.extend(step.body.values().map(|v| v.as_ref()));
            all.extend(step.parameters.values().map(|v| v.as_ref()));
            all.extend(step.identity.values());
            for o in step.outcomes.iter() {
                all.extend(
                    [&o.field, &o.method, &o.code, &o.message]
                        .into_iter()
                        .flatten()
                        .map(|s| s.as_ref()),
                );
            }
        }
        all.retain(|v| is_pointer(v));
        all
    }
}
