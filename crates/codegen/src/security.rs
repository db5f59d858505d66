//! `securitySchemes` and `security` → the generated crate's `Credentials`.
//!
//! progenitor ignores both (upstream issue 420), so regen generates, beside its code, a
//! `Credentials` type with one field per scheme, a table of the schemes, and a table of what each
//! operation's `security` requires. `apilogin_runtime::Authenticate` reads those tables
//! before every request: an operation gets exactly the credentials its requirement names, and an
//! unmet requirement is an error before anything is sent.
//!
//! Supported: `apiKey` in a header, query or cookie, `http` `basic` or `bearer`, and `oauth2`
//! and `openIdConnect`, whose access token the caller obtains (running the flows is not the
//! generated crate's job) and the crate sends as `Authorization: Bearer <token>`; the flows,
//! their URLs and scopes, and the scopes each operation asks for are written into the rustdoc
//! of the credential's setter. Any other scheme is a spec error at its pointer.
//! `x-apilogin-prefix` on an `apiKey` scheme is sent in front of the value (Project Thanos:
//! `Authorization: Token <auth_token>`).

use std::fmt::Write as _;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use serde_json::Value;

use apilogin_openapi::names::{rust_snake, snake};
use apilogin_openapi::refs::resolve;
use apilogin_openapi::walk::operations;
use apilogin_openapi::{Spec, SpecError, pointer};

/// Where a scheme's credential goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Header(String),
    Query(String),
    Cookie(String),
    Basic,
    Bearer,
}

/// One entry of `components.securitySchemes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheme {
    /// The name in the spec (`authToken`).
    pub name: String,
    /// The Rust field and setter (`auth_token`).
    pub field: String,
    pub place: Place,
    /// Sent before the value (`x-apilogin-prefix`), e.g. `Token `.
    pub prefix: String,
    pub description: String,
    /// `oauth2` and `openIdConnect`: where the access token comes from (the place is `Bearer`).
    pub token: Option<TokenSource>,
}

/// Where the access token of an `oauth2` or `openIdConnect` scheme comes from, for the docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// `oauth2`: its flows, in the spec's order.
    OAuth2(Vec<Flow>),
    /// `openIdConnect`: the discovery document's URL.
    OpenIdConnect(String),
}

/// One flow of an `oauth2` scheme (`implicit`, `password`, `clientCredentials`,
/// `authorizationCode`, or an extension such as `x-…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub name: String,
    /// `authorizationUrl`, `tokenUrl`, `refreshUrl` (and any other `…Url`), as written.
    pub urls: Vec<(String, String)>,
    /// Scope name and description.
    pub scopes: Vec<(String, String)>,
}

/// The schemes and, per generated method, the alternatives its `security` allows (each a list
/// of indexes into the schemes, all of which must be sent). No alternatives: send nothing.
#[derive(Debug, Default)]
pub struct Security {
    pub schemes: Vec<Scheme>,
    pub requirements: Vec<(String, Vec<Vec<usize>>)>,
    /// The scopes operations ask for, per scheme (index into `schemes`): method and scopes,
    /// in document order. Only schemes with scopes (`oauth2`, `openIdConnect`) have any.
    pub scopes: Vec<(usize, String, Vec<String>)>,
}

/// Every security problem of the spec as written, for regen's list of problems: each scheme
/// regen cannot generate and two schemes with one Rust name.
pub fn problems(spec: &Spec) -> Vec<SpecError> {
    let mut errors = Vec::new();
    let mut schemes = Vec::new();
    let mut names: Vec<String> = Vec::new();
    if let Some(map) = spec
        .doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    {
        for (name, node) in map {
            names.push(name.clone());
            let at = pointer(["components", "securitySchemes", name]);
            match scheme(spec, name, resolve(&spec.doc, node), &at) {
                Ok(s) => schemes.push(s),
                Err(e) => errors.push(e),
            }
        }
    }
    if let Err(e) = unique_fields(spec, &schemes) {
        errors.push(e);
    }
    // A requirement naming a scheme the spec does not define is not an error: the view drops
    // it with a notice (`crate::view::lenient`).
    errors
}

fn unique_fields(spec: &Spec, schemes: &[Scheme]) -> Result<(), SpecError> {
    let mut fields: Vec<&str> = schemes.iter().map(|s| s.field.as_str()).collect();
    fields.sort_unstable();
    if let Some(pair) = fields.windows(2).find(|w| w[0] == w[1]) {
        return Err(spec.error(
            "/components/securitySchemes",
            format!(
                "two security schemes become the same Rust name `{}`; rename one",
                pair[0]
            ),
        ));
    }
    Ok(())
}

/// Reads the security of `spec`. `view` is the code-generation view: its operations are the
/// generated methods (a split operation keeps the `security` of the one it came from).
pub fn read(spec: &Spec, view: &Value) -> Result<Security, SpecError> {
    let mut schemes = Vec::new();
    if let Some(map) = view
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    {
        for (name, node) in map {
            let at = pointer(["components", "securitySchemes", name]);
            schemes.push(scheme(spec, name, resolve(view, node), &at)?);
        }
    }
    unique_fields(spec, &schemes)?;

    let root = view.get("security");
    let mut requirements = Vec::new();
    let mut scopes = Vec::new();
    for (path, method) in operations(view) {
        let op = &view["paths"][&path][&method];
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            continue;
        };
        // The spec's own key (a split operation's, or one with a `#fragment` of the spec's).
        let written = crate::view::adapt::written_key(&spec.doc, &path);
        let (node, at) = match op.get("security") {
            Some(node) => (node, pointer(["paths", written, &method, "security"])),
            None => (root.unwrap_or(&Value::Null), "/security".to_string()),
        };
        let method = rust_snake(id);
        for (scheme, wanted) in requested_scopes(&schemes, node) {
            if !scopes
                .iter()
                .any(|(s, m, w)| *s == scheme && *m == method && *w == wanted)
            {
                scopes.push((scheme, method.clone(), wanted));
            }
        }
        requirements.push((method, alternatives(spec, &schemes, node, &at)?));
    }
    Ok(Security {
        schemes,
        requirements,
        scopes,
    })
}

/// The scopes a `security` list asks of each scheme that has scopes (one entry per
/// alternative that names the scheme with a non-empty list).
fn requested_scopes(schemes: &[Scheme], node: &Value) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    for requirement in node.as_array().into_iter().flatten() {
        for (name, list) in requirement.as_object().into_iter().flatten() {
            let Some(index) = schemes
                .iter()
                .position(|s| &s.name == name && s.token.is_some())
            else {
                continue;
            };
            let wanted: Vec<String> = list
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            if !wanted.is_empty() {
                out.push((index, wanted));
            }
        }
    }
    out
}

/// The flows of an `oauth2` scheme, as written (whatever is not a mapping is skipped: the
/// flows are documentation here, never run).
fn flows(node: &Value) -> Vec<Flow> {
    node.get("flows")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, flow)| {
            let urls = flow
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, _)| k.ends_with("Url"))
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect();
            let scopes = flow
                .get("scopes")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect();
            Flow {
                name: name.clone(),
                urls,
                scopes,
            }
        })
        .collect()
}

fn scheme(spec: &Spec, name: &str, node: &Value, at: &str) -> Result<Scheme, SpecError> {
    let text = |key: &str| node.get(key).and_then(Value::as_str);
    let kind = text("type").unwrap_or_default();
    let mut token = None;
    let place = match kind {
        "apiKey" => {
            let key = text("name").filter(|n| !n.is_empty()).ok_or_else(|| {
                spec.error(
                    format!("{at}/name"),
                    "an `apiKey` scheme needs the `name` of its header, query parameter or cookie",
                )
            })?;
            match text("in") {
                Some("header") => Place::Header(key.to_string()),
                Some("query") => Place::Query(key.to_string()),
                Some("cookie") => Place::Cookie(key.to_string()),
                other => {
                    return Err(spec.error(
                        format!("{at}/in"),
                        format!(
                            "`in: {}` is not an apiKey location; use header, query or cookie",
                            other.unwrap_or("(missing)")
                        ),
                    ));
                }
            }
        }
        "http" => match text("scheme").map(str::to_ascii_lowercase).as_deref() {
            Some("basic") => Place::Basic,
            Some("bearer") => Place::Bearer,
            other => {
                return Err(spec.error(
                    format!("{at}/scheme"),
                    format!(
                        "the `http` scheme `{}` is not supported; regen generates `basic` and \
                         `bearer` (an `apiKey` header with `x-apilogin-prefix` covers other \
                         `Authorization` prefixes)",
                        other.unwrap_or("(missing)")
                    ),
                ));
            }
        },
        // The caller brings the access token; the crate sends it as a bearer token.
        "oauth2" => {
            token = Some(TokenSource::OAuth2(flows(node)));
            Place::Bearer
        }
        "openIdConnect" => {
            let url = text("openIdConnectUrl").unwrap_or_default().to_string();
            token = Some(TokenSource::OpenIdConnect(url));
            Place::Bearer
        }
        other => {
            return Err(spec.error(
                format!("{at}/type"),
                format!(
                    "security scheme type `{other}` is not supported; regen generates `apiKey` \
                     (header, query, cookie), `http` (basic, bearer), `oauth2` and \
                     `openIdConnect` (a bearer access token)"
                ),
            ));
        }
    };
    let prefix = match node.get("x-apilogin-prefix") {
        None => String::new(),
        Some(Value::String(p)) if matches!(place, Place::Header(_)) => p.clone(),
        Some(_) => {
            return Err(spec.error(
                format!("{at}/x-apilogin-prefix"),
                "`x-apilogin-prefix` is a string, and only for `apiKey` schemes in a header",
            ));
        }
    };
    let field = snake(name);
    if field.is_empty() || field.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(spec.error(
            at,
            format!("the scheme name `{name}` does not make a Rust name; rename it"),
        ));
    }
    Ok(Scheme {
        name: name.to_string(),
        field,
        place,
        prefix,
        description: text("description").unwrap_or_default().to_string(),
        token,
    })
}

/// A `security` list: alternatives, each a map of scheme names (the scopes of `oauth2` and
/// `openIdConnect` schemes are documentation: the token the caller gives has them or not).
fn alternatives(
    spec: &Spec,
    schemes: &[Scheme],
    node: &Value,
    at: &str,
) -> Result<Vec<Vec<usize>>, SpecError> {
    let Some(list) = node.as_array() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (i, requirement) in list.iter().enumerate() {
        let mut needed = Vec::new();
        for name in requirement.as_object().into_iter().flat_map(|m| m.keys()) {
            let index = schemes
                .iter()
                .position(|s| &s.name == name)
                .ok_or_else(|| {
                    spec.error(
                        format!("{at}/{i}"),
                        format!("`{name}` is not in `components.securitySchemes`"),
                    )
                })?;
            needed.push(index);
        }
        out.push(needed);
    }
    Ok(out)
}

impl Scheme {
    fn describe(&self) -> String {
        match &self.token {
            Some(TokenSource::OAuth2(_)) => {
                "OAuth 2.0 access token, sent as `Authorization: Bearer …`".into()
            }
            Some(TokenSource::OpenIdConnect(_)) => {
                "OpenID Connect access token, sent as `Authorization: Bearer …`".into()
            }
            None => self.place.describe(),
        }
    }

    /// The rustdoc of an `oauth2` / `openIdConnect` setter: where the token comes from, the
    /// flows with their URLs and scopes, and the scopes each operation asks for.
    fn token_doc(&self, index: usize, security: &Security) -> String {
        let mut out = String::new();
        match &self.token {
            None => return out,
            Some(TokenSource::OAuth2(flows)) => {
                out.push_str(
                    "\nGive the access token an OAuth 2.0 flow of this scheme issued (this crate \
                     does not run the flows).\n",
                );
                for flow in flows {
                    let _ = writeln!(out, "\nFlow `{}`:", flow.name);
                    for (key, url) in &flow.urls {
                        let _ = writeln!(out, "- `{key}`: `{url}`");
                    }
                    if flow.scopes.is_empty() {
                        out.push_str("- no scopes\n");
                    } else {
                        out.push_str("- scopes:\n");
                        for (scope, about) in &flow.scopes {
                            let about = about.split_whitespace().collect::<Vec<_>>().join(" ");
                            if about.is_empty() {
                                let _ = writeln!(out, "  - `{scope}`");
                            } else {
                                let _ = writeln!(out, "  - `{scope}`: {about}");
                            }
                        }
                    }
                }
            }
            Some(TokenSource::OpenIdConnect(url)) => {
                let _ = writeln!(
                    out,
                    "\nGive the access token the OpenID Connect provider issued (this crate does \
                     not run the flows); its discovery document: `{url}`."
                );
            }
        }
        let asked: Vec<String> = security
            .scopes
            .iter()
            .filter(|(s, _, _)| *s == index)
            .map(|(_, method, scopes)| {
                let list: Vec<String> = scopes.iter().map(|s| format!("`{s}`")).collect();
                format!("- `{method}()`: {}", list.join(", "))
            })
            .collect();
        if !asked.is_empty() {
            out.push_str("\nScopes the operations ask for:\n");
            for line in asked {
                let _ = writeln!(out, "{line}");
            }
        }
        out
    }
}

impl Place {
    fn describe(&self) -> String {
        match self {
            Place::Header(n) => format!("API key in header `{n}`"),
            Place::Query(n) => format!("API key in query parameter `{n}`"),
            Place::Cookie(n) => format!("API key in cookie `{n}`"),
            Place::Basic => "HTTP basic authentication".to_string(),
            Place::Bearer => "HTTP bearer token (`Authorization: Bearer …`)".to_string(),
        }
    }

    fn rust(&self) -> TokenStream {
        match self {
            Place::Header(n) => quote!(apilogin_runtime::Place::Header(#n)),
            Place::Query(n) => quote!(apilogin_runtime::Place::Query(#n)),
            Place::Cookie(n) => quote!(apilogin_runtime::Place::Cookie(#n)),
            Place::Basic => quote!(apilogin_runtime::Place::Basic),
            Place::Bearer => quote!(apilogin_runtime::Place::Bearer),
        }
    }
}

/// `text` as doc attributes, one per line (`/// line` once laid out).
fn docs(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The Rust items generated for `security`: the `Credentials` type with its setters, the
/// client's methods that take and give them, and their `apilogin_runtime::Authenticate` with
/// the scheme and requirement tables the runtime reads before every request. A spec without
/// schemes gets `type Auth = ();` (the runtime's `Authenticate` for `()` sends nothing).
pub fn rust(security: &Security) -> TokenStream {
    if security.schemes.is_empty() {
        return quote! {
            /// This API declares no security schemes: whatever identifies the caller travels in
            /// the operations' own fields.
            type Auth = ();
        };
    }
    let fields = security.schemes.iter().map(|s| {
        let mut doc = format!("`{}`: {}.", s.name, s.describe());
        if !s.description.is_empty() {
            doc.push_str("\n\n");
            doc.push_str(&s.description);
        }
        let doc = docs(&doc);
        let field = ident(&s.field);
        let ty = match s.place {
            Place::Basic => quote!(BasicCredentials),
            _ => quote!(Secret),
        };
        quote!(#doc pub #field: Option<#ty>,)
    });
    let setters = security.schemes.iter().enumerate().map(|(index, s)| {
        let prefix = if s.prefix.is_empty() {
            String::new()
        } else {
            format!(" (sent as `{}<value>`)", s.prefix)
        };
        let doc = docs(&format!(
            "Sets `{}` ({}){prefix}.\n{}",
            s.name,
            s.describe(),
            s.token_doc(index, security)
        ));
        let field = ident(&s.field);
        match s.place {
            Place::Basic => quote! {
                #doc
                pub fn #field(mut self, username: impl Into<String>, password: impl Into<Secret>) -> Self {
                    self.#field = Some(BasicCredentials { username: username.into(), password: password.into() });
                    self
                }
            },
            _ => quote! {
                #doc
                pub fn #field(mut self, value: impl Into<Secret>) -> Self {
                    self.#field = Some(value.into());
                    self
                }
            },
        }
    });
    // A requirement that names several schemes (Rocket.Chat's token and user id) gets one
    // constructor that takes them together.
    let mut combined: Vec<&Vec<usize>> = security
        .requirements
        .iter()
        .flat_map(|(_, alts)| alts)
        .filter(|alt| {
            alt.len() > 1
                && alt
                    .iter()
                    .all(|&i| security.schemes[i].place != Place::Basic)
        })
        .collect();
    combined.sort();
    combined.dedup();
    let combined = combined.into_iter().map(|alt| {
        let names: Vec<&Scheme> = alt.iter().map(|&i| &security.schemes[i]).collect();
        let fname = ident(
            &names
                .iter()
                .map(|s| s.field.as_str())
                .collect::<Vec<_>>()
                .join("_and_"),
        );
        let fields: Vec<Ident> = names.iter().map(|s| ident(&s.field)).collect();
        let listed = names
            .iter()
            .map(|s| format!("`{}`", s.name))
            .collect::<Vec<_>>()
            .join(" and ");
        let doc = docs(&format!("{listed}, which operations require together."));
        quote! {
            #doc
            pub fn #fname(#(#fields: impl Into<Secret>),*) -> Self {
                Self::new()#(.#fields(#fields))*
            }
        }
    });
    let get = security.schemes.iter().enumerate().map(|(i, s)| {
        let field = ident(&s.field);
        let variant = match s.place {
            Place::Basic => quote!(apilogin_runtime::Credential::Basic),
            _ => quote!(apilogin_runtime::Credential::Secret),
        };
        let i = Literal::usize_unsuffixed(i);
        quote!(#i => self.#field.as_ref().map(#variant),)
    });
    let schemes = security.schemes.iter().map(|s| {
        let (name, place, prefix) = (&s.name, s.place.rust(), &s.prefix);
        quote!(apilogin_runtime::Scheme { name: #name, place: #place, prefix: #prefix },)
    });
    let requirements = security
        .requirements
        .iter()
        .filter(|(_, alts)| !alts.is_empty())
        .map(|(method, alts)| {
            let alts = alts.iter().map(|alt| {
                let alt = alt.iter().map(|&i| Literal::usize_unsuffixed(i));
                quote!(&[#(#alt),*])
            });
            quote!(#method => &[#(#alts),*],)
        });
    quote! {
        type Auth = Credentials;

        pub use apilogin_runtime::BasicCredentials;

        /// The credentials of this API's security schemes (`components.securitySchemes`).
        ///
        /// Give them to a client with [`Client::with_credentials`]. Each request sends exactly the
        /// credentials its operation's `security` names (none for an operation with
        /// `security: []`); an operation whose requirement is not met fails with
        /// [`ErrorKind::InvalidRequest`] before anything is sent. Values are [`Secret`]s: `Debug`
        /// never shows them.
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct Credentials {
            #(#fields)*
        }

        impl Credentials {
            /// No credentials: operations that require some fail without sending.
            pub fn new() -> Self {
                Self::default()
            }

            #(#setters)*

            #(#combined)*
        }

        impl Client {
            /// This client with `credentials`: each operation then sends the ones its spec
            /// requires. Cheap: the connection pool is shared with `self`.
            pub fn with_credentials(&self, credentials: Credentials) -> Self {
                Self {
                    baseurl: self.baseurl.clone(),
                    client: self.client.clone(),
                    inner: credentials,
                }
            }

            /// The credentials this client sends.
            pub fn credentials(&self) -> &Credentials {
                &self.inner
            }
        }

        impl apilogin_runtime::Authenticate for Credentials {
            /// The security schemes of the spec, in its order.
            const SCHEMES: &'static [apilogin_runtime::Scheme] = &[#(#schemes)*];

            fn credential(&self, index: usize) -> Option<apilogin_runtime::Credential<'_>> {
                match index {
                    #(#get)*
                    _ => None,
                }
            }

            /// What each operation's `security` allows (by method name).
            fn requirements(operation: &str) -> &'static [&'static [usize]] {
                match operation {
                    #(#requirements)*
                    _ => &[],
                }
            }
        }
    }
}

/// One line per scheme for the generated README.
pub fn readme_lines(security: &Security) -> String {
    let mut out = String::new();
    for (index, s) in security.schemes.iter().enumerate() {
        let users: Vec<String> = security
            .requirements
            .iter()
            .filter(|(_, alts)| alts.iter().any(|alt| alt.contains(&index)))
            .map(|(method, alts)| {
                // `{}` among the alternatives: the operation also goes without credentials.
                let optional = if alts.iter().any(Vec::is_empty) {
                    " (when set)"
                } else {
                    ""
                };
                format!("`{method}()`{optional}")
            })
            .collect();
        let used = if users.is_empty() {
            "no operation of this spec".to_string()
        } else {
            users.join(", ")
        };
        let _ = writeln!(
            out,
            "- `Credentials::{}` — `{}`, {}; sent by {used}.",
            s.field,
            s.name,
            s.describe()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(doc: Value) -> Spec {
        Spec {
            id: "demo".into(),
            file: "specs/demo.yaml".into(),
            doc,
            text: String::new(),
        }
    }

    fn op(security: Option<Value>) -> Value {
        let mut op = json!({"operationId": "call", "responses": {"200": {"description": "ok"}}});
        if let Some(s) = security {
            op["security"] = s;
        }
        op
    }

    fn doc(schemes: Value, root: Option<Value>, security: Option<Value>) -> Value {
        let mut doc = json!({
            "openapi": "3.0.3",
            "paths": {"/call": {"get": op(security)}},
            "components": {"securitySchemes": schemes},
        });
        if let Some(r) = root {
            doc["security"] = r;
        }
        doc
    }

    /// The generated items as prettyplease lays them out.
    fn pretty(security: &Security) -> String {
        prettyplease::unparse(&syn::parse2(rust(security)).expect("the items parse"))
    }

    fn read_doc(doc: Value) -> Result<Security, SpecError> {
        let s = spec(doc);
        read(&s, &s.doc)
    }

    #[test]
    fn every_supported_kind_becomes_a_place() {
        let security = read_doc(doc(
            json!({
                "q": {"type": "apiKey", "in": "query", "name": "api_key"},
                "c": {"type": "apiKey", "in": "cookie", "name": "sid"},
                "h": {"type": "apiKey", "in": "header", "name": "Authorization", "x-apilogin-prefix": "Token "},
                "basicAuth": {"type": "http", "scheme": "basic"},
                "bearerAuth": {"type": "http", "scheme": "Bearer"},
            }),
            None,
            Some(json!([{"q": [], "c": []}, {"bearerAuth": []}, {}])),
        ))
        .unwrap();
        let places: Vec<(&str, &Place, &str)> = security
            .schemes
            .iter()
            .map(|s| (s.field.as_str(), &s.place, s.prefix.as_str()))
            .collect();
        assert_eq!(
            places,
            // In the order the spec lists them.
            [
                ("q", &Place::Query("api_key".into()), ""),
                ("c", &Place::Cookie("sid".into()), ""),
                ("h", &Place::Header("Authorization".into()), "Token "),
                ("basic_auth", &Place::Basic, ""),
                ("bearer_auth", &Place::Bearer, ""),
            ]
        );
        assert_eq!(
            security.requirements,
            [("call".to_string(), vec![vec![0, 1], vec![4], vec![]])]
        );
        let rust = pretty(&security);
        assert!(
            rust.contains("pub basic_auth: Option<BasicCredentials>"),
            "{rust}"
        );
        assert!(
            rust.contains("pub fn q_and_c(q: impl Into<Secret>, c: impl Into<Secret>)"),
            "{rust}"
        );
        assert!(
            rust.contains(r#""call" => &[&[0, 1], &[4], &[]],"#),
            "{rust}"
        );
        assert!(
            rust.contains(r#"place: apilogin_runtime::Place::Header("Authorization"),"#),
            "{rust}"
        );
        assert!(rust.contains(r#"prefix: "Token ","#), "{rust}");
    }

    #[test]
    fn the_root_security_applies_where_an_operation_has_none() {
        let schemes = json!({"key": {"type": "apiKey", "in": "header", "name": "k"}});
        let root = Some(json!([{"key": []}]));
        let inherited = read_doc(doc(schemes.clone(), root.clone(), None)).unwrap();
        assert_eq!(inherited.requirements[0].1, vec![vec![0]]);
        let opted_out = read_doc(doc(schemes.clone(), root, Some(json!([])))).unwrap();
        assert!(opted_out.requirements[0].1.is_empty());
        let none = read_doc(doc(schemes, None, None)).unwrap();
        assert!(none.requirements[0].1.is_empty());
        assert!(pretty(&none).contains("type Auth = Credentials;"));
    }

    #[test]
    fn a_spec_without_schemes_gets_no_credentials_type() {
        let security =
            read_doc(json!({"openapi": "3.0.3", "paths": {"/call": {"get": op(None)}}})).unwrap();
        let rust = pretty(&security);
        assert!(rust.contains("type Auth = ();"), "{rust}");
        assert!(!rust.contains("struct Credentials"), "{rust}");
    }

    #[test]
    fn unsupported_schemes_are_errors_at_their_pointer() {
        let cases = [
            (
                json!({"type": "mutualTLS"}),
                "/components/securitySchemes/s/type",
                "mutualTLS",
            ),
            (
                json!({"type": "http", "scheme": "digest"}),
                "/components/securitySchemes/s/scheme",
                "digest",
            ),
            (
                json!({"type": "apiKey", "in": "body", "name": "x"}),
                "/components/securitySchemes/s/in",
                "body",
            ),
            (
                json!({"type": "apiKey", "in": "header"}),
                "/components/securitySchemes/s/name",
                "name",
            ),
            (
                json!({"type": "apiKey", "in": "query", "name": "k", "x-apilogin-prefix": "T "}),
                "/components/securitySchemes/s/x-apilogin-prefix",
                "header",
            ),
        ];
        for (scheme, pointer, said) in cases {
            let err = read_doc(doc(json!({"s": scheme}), None, None)).unwrap_err();
            assert_eq!(err.pointer, pointer, "{err}");
            assert!(err.message.contains(said), "{err}");
            assert_eq!(err.file, std::path::PathBuf::from("specs/demo.yaml"));
        }
    }

    #[test]
    fn oauth2_and_openid_connect_send_a_bearer_token_and_document_their_flows() {
        let security = read_doc(doc(
            json!({
                "petstore_auth": {"type": "oauth2", "flows": {
                    "implicit": {
                        "authorizationUrl": "https://example.com/oauth/authorize",
                        "scopes": {"write:pets": "modify pets", "read:pets": "read your pets"}
                    },
                    "clientCredentials": {"tokenUrl": "https://example.com/oauth/token", "scopes": {}}
                }},
                "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://example.com/.well-known/openid-configuration"},
            }),
            None,
            Some(json!([{"petstore_auth": ["write:pets", "read:pets"]}, {"oidc": []}])),
        ))
        .unwrap();
        assert_eq!(security.schemes[0].place, Place::Bearer);
        assert_eq!(security.schemes[1].place, Place::Bearer);
        assert_eq!(security.requirements[0].1, vec![vec![0], vec![1]]);
        assert_eq!(
            security.scopes,
            vec![(
                0,
                "call".to_string(),
                vec!["write:pets".into(), "read:pets".into()]
            )]
        );
        let rust = pretty(&security);
        for wanted in [
            "pub petstore_auth: Option<Secret>",
            "pub oidc: Option<Secret>",
            r#"name: "petstore_auth","#,
            "place: apilogin_runtime::Place::Bearer,",
            "/// Flow `implicit`:",
            "/// - `authorizationUrl`: `https://example.com/oauth/authorize`",
            "///   - `write:pets`: modify pets",
            "/// - `tokenUrl`: `https://example.com/oauth/token`",
            "/// - `call()`: `write:pets`, `read:pets`",
            "discovery document: `https://example.com/.well-known/openid-configuration`",
            "OAuth 2.0 access token, sent as `Authorization: Bearer …`",
        ] {
            assert!(rust.contains(wanted), "{wanted} in\n{rust}");
        }
        assert!(readme_lines(&security).contains("OpenID Connect access token"));
    }

    #[test]
    fn every_security_problem_is_found_on_the_spec_as_written_but_undefined_schemes() {
        let mut d = doc(
            json!({
                "key": {"type": "apiKey", "in": "header", "name": "k"},
                "digest": {"type": "http", "scheme": "digest"},
            }),
            Some(json!([{"rootMissing": []}])),
            Some(json!([{"key": []}, {"nope": []}])),
        );
        d["paths"]["/other"] = json!({"post": op(Some(json!([{"alsoMissing": []}])))});
        let found = problems(&spec(d));
        let at: Vec<&str> = found.iter().map(|e| e.pointer.as_str()).collect();
        // Requirements naming undefined schemes are the view's notices (`crate::view::lenient`).
        assert_eq!(
            at,
            ["/components/securitySchemes/digest/scheme"],
            "{found:?}"
        );
    }

    #[test]
    fn an_unknown_scheme_in_a_requirement_the_view_kept_is_an_error() {
        let err = read_doc(doc(
            json!({"key": {"type": "apiKey", "in": "header", "name": "k"}}),
            None,
            Some(json!([{"key": []}, {"nope": []}])),
        ))
        .unwrap_err();
        assert_eq!(err.pointer, "/paths/~1call/get/security/1");
        assert!(err.message.contains("`nope`"), "{err}");
    }
}
