impl Client {
    /// This client with `credentials`: each operation then sends the ones its spec requires.
    /// Cheap: the connection pool is shared with `self`.
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

/// A user name and password for HTTP basic authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicCredentials {
    /// The user name (sent, base64-encoded, with the password).
    pub username: String,
    /// The password.
    pub password: Secret,
}

/// Where a scheme's credential goes. A spec uses only some of these.
#[allow(dead_code)]
enum Place {
    Header(&'static str),
    Query(&'static str),
    Cookie(&'static str),
    Basic,
    Bearer,
}

/// One entry of the spec's `securitySchemes`.
struct SchemeInfo {
    name: &'static str,
    place: Place,
    /// Sent before the value (`x-apilogin-prefix`).
    prefix: &'static str,
}

#[allow(dead_code)]
enum Credential<'a> {
    Secret(&'a Secret),
    Basic(&'a BasicCredentials),
}

impl Authenticate for Credentials {
    fn secrets(&self) -> Vec<&str> {
        (0..SCHEMES.len())
            .filter_map(|i| self.get(i))
            .map(|c| match c {
                Credential::Secret(secret) => secret.expose_secret(),
                Credential::Basic(basic) => basic.password.expose_secret(),
            })
            .collect()
    }

    fn authenticate(
        &self,
        client: &reqwest::Client,
        operation: &str,
        request: &mut reqwest::Request,
    ) -> Result<(), String> {
        let alternatives = security_requirements(operation);
        if alternatives.is_empty() {
            return Ok(());
        }
        // The first alternative whose credentials are all set; an empty one (`{}`: optional
        // authentication) only when no other is.
        let chosen = alternatives
            .iter()
            .filter(|alt| !alt.is_empty())
            .chain(alternatives.iter().filter(|alt| alt.is_empty()))
            .find(|alt| alt.iter().all(|&i| self.get(i).is_some()));
        let Some(chosen) = chosen else {
            let wanted: Vec<String> = alternatives
                .iter()
                .map(|alt| {
                    alt.iter()
                        .map(|&i| format!("`{}`", SCHEMES[i].name))
                        .collect::<Vec<_>>()
                        .join(" + ")
                })
                .collect();
            return Err(format!(
                "`{operation}` requires the credentials {}; none were sent. Set them with \
                 `Client::with_credentials`",
                wanted.join(" or ")
            ));
        };
        for &i in chosen.iter() {
            let scheme = &SCHEMES[i];
            match (&scheme.place, self.get(i)) {
                (Place::Basic, Some(Credential::Basic(basic))) => {
                    basic_auth(client, request, basic)?;
                }
                (place, Some(Credential::Secret(secret))) => {
                    let value = secret.expose_secret();
                    match place {
                        Place::Header(name) => {
                            let value = format!("{}{value}", scheme.prefix);
                            insert_secret_header(request, name, &value, scheme.name)?;
                        }
                        Place::Bearer => {
                            let value = format!("Bearer {value}");
                            insert_secret_header(request, "authorization", &value, scheme.name)?;
                        }
                        Place::Query(name) => {
                            request.url_mut().query_pairs_mut().append_pair(name, value);
                        }
                        Place::Cookie(name) => {
                            if !value.bytes().all(|b| b.is_ascii_graphic() && !b"\";,\\".contains(&b)) {
                                return Err(format!(
                                    "the credential `{}` has characters a cookie cannot carry",
                                    scheme.name
                                ));
                            }
                            let cookie = match request.headers().get(reqwest::header::COOKIE) {
                                Some(old) => format!(
                                    "{}; {name}={value}",
                                    old.to_str().map_err(|_| "a Cookie header that is not text")?
                                ),
                                None => format!("{name}={value}"),
                            };
                            insert_secret_header(request, "cookie", &cookie, scheme.name)?;
                        }
                        Place::Basic => unreachable!("basic schemes hold BasicCredentials"),
                    }
                }
                _ => unreachable!("`chosen` holds only schemes whose credentials are set"),
            }
        }
        Ok(())
    }
}

/// Sets header `name`, marked sensitive so that `Debug` never shows it.
fn insert_secret_header(
    request: &mut reqwest::Request,
    name: &str,
    value: &str,
    scheme: &str,
) -> Result<(), String> {
    let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("`{name}` is not a valid header name"))?;
    let mut value = reqwest::header::HeaderValue::from_str(value)
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
