//! Credentials, and their insertion into each request as its operation's `security` requires.
//!
//! The tables are the generated crate's (its spec's `securitySchemes` and each operation's
//! `security`), given through [`Authenticate`]; the rules are here.

use reqwest::header::{HeaderName, HeaderValue};

use crate::Secret;

/// A user name and password for HTTP basic authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicCredentials {
    /// The user name (sent, base64-encoded, with the password).
    pub username: String,
    /// The password.
    pub password: Secret,
}

/// Where a scheme's credential goes. A spec uses only some of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// An API key in this header, after the scheme's [`prefix`](Scheme::prefix).
    Header(&'static str),
    /// An API key in this query parameter.
    Query(&'static str),
    /// An API key in this cookie.
    Cookie(&'static str),
    /// HTTP basic authentication ([`BasicCredentials`]).
    Basic,
    /// `Authorization: Bearer <token>` (`http` `bearer`, `oauth2`, `openIdConnect`).
    Bearer,
}

/// One entry of a spec's `securitySchemes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scheme {
    /// The scheme's name in the spec, for error messages.
    pub name: &'static str,
    /// Where its credential goes.
    pub place: Place,
    /// Sent before the value (`x-apilogin-prefix`), e.g. `Token `.
    pub prefix: &'static str,
}

/// A credential that is set, as [`Authenticate::credential`] gives it.
#[derive(Clone, Copy, Debug)]
pub enum Credential<'a> {
    /// An API key or token.
    Secret(&'a Secret),
    /// A user name and password.
    Basic(&'a BasicCredentials),
}

/// The credentials of a generated crate (its `Credentials`, or `()` for a spec without
/// security schemes) and its spec's tables: which schemes there are and what each operation
/// requires. The provided methods add them to requests.
pub trait Authenticate {
    /// The security schemes of the spec, in its order.
    const SCHEMES: &'static [Scheme];

    /// The credential of scheme `index` of [`SCHEMES`](Self::SCHEMES), if set.
    fn credential(&self, index: usize) -> Option<Credential<'_>>;

    /// What an operation's `security` allows (by method name): alternatives, each a list of
    /// [`SCHEMES`](Self::SCHEMES) to send together. Empty: send no credentials.
    fn requirements(operation: &str) -> &'static [&'static [usize]];

    /// Adds to `request` the credentials `operation` requires: the first alternative whose
    /// credentials are all set (an empty one, optional authentication, only when no other is).
    /// Fails, before anything is sent, when none is.
    fn authenticate(
        &self,
        client: &reqwest::Client,
        operation: &str,
        request: &mut reqwest::Request,
    ) -> Result<(), String> {
        let alternatives = Self::requirements(operation);
        if alternatives.is_empty() {
            return Ok(());
        }
        let chosen = alternatives
            .iter()
            .filter(|alt| !alt.is_empty())
            .chain(alternatives.iter().filter(|alt| alt.is_empty()))
            .find(|alt| alt.iter().all(|&i| self.credential(i).is_some()));
        let Some(chosen) = chosen else {
            return Err(missing::<Self>(operation, alternatives));
        };
        for &i in chosen.iter() {
            let scheme = &Self::SCHEMES[i];
            match self.credential(i) {
                Some(Credential::Basic(basic)) => basic_auth(client, request, basic)?,
                Some(Credential::Secret(secret)) => insert(request, scheme, secret)?,
                None => unreachable!("`chosen` holds only schemes whose credentials are set"),
            }
        }
        Ok(())
    }

    /// Every credential's secret value, for the scrubber of [`Error`](crate::Error).
    fn secrets(&self) -> Vec<&str> {
        (0..Self::SCHEMES.len())
            .filter_map(|i| self.credential(i))
            .map(|c| match c {
                Credential::Secret(secret) => secret.expose_secret(),
                Credential::Basic(basic) => basic.password.expose_secret(),
            })
            .collect()
    }
}

/// A spec without security schemes: whatever identifies the caller travels in the operations'
/// own fields.
impl Authenticate for () {
    const SCHEMES: &'static [Scheme] = &[];

    fn credential(&self, _: usize) -> Option<Credential<'_>> {
        None
    }

    fn requirements(_: &str) -> &'static [&'static [usize]] {
        &[]
    }
}

/// The error of an operation whose requirement no set of credentials meets.
fn missing<A: Authenticate + ?Sized>(operation: &str, alternatives: &[&[usize]]) -> String {
    let wanted: Vec<String> = alternatives
        .iter()
        .map(|alt| {
            alt.iter()
                .map(|&i| format!("`{}`", A::SCHEMES[i].name))
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .collect();
    format!(
        "`{operation}` requires the credentials {}; none were sent. Set them with \
         `Client::with_credentials`",
        wanted.join(" or ")
    )
}

/// Puts an API key or token where `scheme` says.
fn insert(request: &mut reqwest::Request, scheme: &Scheme, secret: &Secret) -> Result<(), String> {
    let value = secret.expose_secret();
    match scheme.place {
        Place::Header(name) => {
            let value = format!("{}{value}", scheme.prefix);
            insert_secret_header(request, name, &value, scheme.name)
        }
        Place::Bearer => {
            let value = format!("Bearer {value}");
            insert_secret_header(request, "authorization", &value, scheme.name)
        }
        Place::Query(name) => {
            request.url_mut().query_pairs_mut().append_pair(name, value);
            Ok(())
        }
        Place::Cookie(name) => {
            if !value
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"\";,\\".contains(&b))
            {
                return Err(format!(
                    "the credential `{}` has characters a cookie cannot carry",
                    scheme.name
                ));
            }
            let cookie = match request.headers().get(reqwest::header::COOKIE) {
                Some(old) => format!(
                    "{}; {name}={value}",
                    old.to_str()
                        .map_err(|_| "a Cookie header that is not text")?
                ),
                None => format!("{name}={value}"),
            };
            insert_secret_header(request, "cookie", &cookie, scheme.name)
        }
        Place::Basic => Err(format!(
            "the credential `{}` is a basic scheme's, but holds a single value",
            scheme.name
        )),
    }
}

/// Sets header `name`, marked sensitive so that `Debug` never shows it.
fn insert_secret_header(
    request: &mut reqwest::Request,
    name: &str,
    value: &str,
    scheme: &str,
) -> Result<(), String> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("`{name}` is not a valid header name"))?;
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| format!("the credential `{scheme}` has characters a header cannot carry"))?;
    value.set_sensitive(true);
    request.headers_mut().insert(name, value);
    Ok(())
}

/// HTTP basic authentication through reqwest's own encoder.
fn basic_auth(
    client: &reqwest::Client,
    request: &mut reqwest::Request,
    basic: &BasicCredentials,
) -> Result<(), String> {
    let placeholder = reqwest::Request::new(reqwest::Method::GET, request.url().clone());
    let taken = std::mem::replace(request, placeholder);
    *request = reqwest::RequestBuilder::from_parts(client.clone(), taken)
        .basic_auth(&basic.username, Some(basic.password.expose_secret()))
        .build()
        .map_err(|e| format!("cannot add HTTP basic authentication: {}", e.without_url()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spec's tables: a header key with a prefix, a query key, a cookie, basic, bearer.
    #[derive(Default)]
    struct Creds {
        header: Option<Secret>,
        query: Option<Secret>,
        cookie: Option<Secret>,
        basic: Option<BasicCredentials>,
        bearer: Option<Secret>,
    }

    impl Authenticate for Creds {
        const SCHEMES: &'static [Scheme] = &[
            Scheme {
                name: "header",
                place: Place::Header("Authorization"),
                prefix: "Token ",
            },
            Scheme {
                name: "query",
                place: Place::Query("api_key"),
                prefix: "",
            },
            Scheme {
                name: "cookie",
                place: Place::Cookie("sid"),
                prefix: "",
            },
            Scheme {
                name: "basic",
                place: Place::Basic,
                prefix: "",
            },
            Scheme {
                name: "bearer",
                place: Place::Bearer,
                prefix: "",
            },
        ];

        fn credential(&self, index: usize) -> Option<Credential<'_>> {
            match index {
                0 => self.header.as_ref().map(Credential::Secret),
                1 => self.query.as_ref().map(Credential::Secret),
                2 => self.cookie.as_ref().map(Credential::Secret),
                3 => self.basic.as_ref().map(Credential::Basic),
                4 => self.bearer.as_ref().map(Credential::Secret),
                _ => None,
            }
        }

        fn requirements(operation: &str) -> &'static [&'static [usize]] {
            match operation {
                "keys" => &[&[0, 1, 2]],
                "either" => &[&[3], &[4]],
                "optional" => &[&[4], &[]],
                _ => &[],
            }
        }
    }

    fn new_request() -> reqwest::Request {
        let url = reqwest::Url::parse("http://127.0.0.1:1/p?x=1").unwrap();
        reqwest::Request::new(reqwest::Method::GET, url)
    }

    fn header(request: &reqwest::Request, name: &str) -> Option<String> {
        request
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    #[test]
    fn each_place_gets_its_credential_marked_sensitive() {
        let creds = Creds {
            header: Some("tok".into()),
            query: Some("q k".into()),
            cookie: Some("c1".into()),
            ..Creds::default()
        };
        let client = reqwest::Client::new();
        let mut request = new_request();
        creds.authenticate(&client, "keys", &mut request).unwrap();
        assert_eq!(header(&request, "authorization").unwrap(), "Token tok");
        assert_eq!(header(&request, "cookie").unwrap(), "sid=c1");
        assert_eq!(request.url().query(), Some("x=1&api_key=q+k"));
        assert!(request.headers().values().all(HeaderValue::is_sensitive));
        assert_eq!(creds.secrets(), ["tok", "q k", "c1"]);
    }

    #[test]
    fn the_first_alternative_that_is_set_is_sent() {
        let client = reqwest::Client::new();
        let basic = Creds {
            basic: Some(BasicCredentials {
                username: "u".into(),
                password: "p".into(),
            }),
            bearer: Some("b".into()),
            ..Creds::default()
        };
        let mut request = new_request();
        basic.authenticate(&client, "either", &mut request).unwrap();
        assert_eq!(header(&request, "authorization").unwrap(), "Basic dTpw");
        let bearer = Creds {
            bearer: Some("b".into()),
            ..Creds::default()
        };
        let mut request = new_request();
        bearer
            .authenticate(&client, "either", &mut request)
            .unwrap();
        assert_eq!(header(&request, "authorization").unwrap(), "Bearer b");
    }

    #[test]
    fn an_unmet_requirement_fails_before_sending_and_names_the_schemes() {
        let client = reqwest::Client::new();
        let mut request = new_request();
        let err = Creds::default()
            .authenticate(&client, "either", &mut request)
            .unwrap_err();
        assert!(err.contains("`basic` or `bearer`"), "{err}");
        // Optional authentication: nothing set, nothing sent, no error.
        Creds::default()
            .authenticate(&client, "optional", &mut request)
            .unwrap();
        assert!(request.headers().is_empty());
    }

    #[test]
    fn values_a_header_or_cookie_cannot_carry_are_errors_that_do_not_show_them() {
        let client = reqwest::Client::new();
        let creds = Creds {
            header: Some("a\nb".into()),
            query: Some("q".into()),
            cookie: Some("c".into()),
            ..Creds::default()
        };
        let err = creds
            .authenticate(&client, "keys", &mut new_request())
            .unwrap_err();
        assert!(err.contains("`header`") && !err.contains("a\nb"), "{err}");
        let creds = Creds {
            header: Some("h".into()),
            query: Some("q".into()),
            cookie: Some("c;d".into()),
            ..Creds::default()
        };
        let err = creds
            .authenticate(&client, "keys", &mut new_request())
            .unwrap_err();
        assert!(err.contains("cookie") && !err.contains("c;d"), "{err}");
    }
}
