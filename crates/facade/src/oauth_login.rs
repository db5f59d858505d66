//! The logins of the services whose spec says `x-apilogin.oauth`: the provider found by
//! discovery at the service's base URL (its issuer), the flow run by [`crate::oauth`], and the
//! tokens made into a [`Session`] as the spec's `session` says; renewal with the refresh token
//! ([`Session::relogin`]) and revocation ([`Session::logout`]).

use std::collections::BTreeMap;

use apilogin_login_model::{Description, OAuth, OAuthFlow, Place};
use reqwest::Url;
use serde_json::{Value, json};

use crate::error::{ConfigError, LoginError};
use crate::info::DetailValue;
use crate::login::Client;
use crate::oauth::{DeviceCode, OAuthError, Provider, TokenKind, Tokens};
use crate::service::{Service, ServiceKind};
use crate::session::{Identity, OAuthState, Session, SessionDetails};
use crate::{Options, http};

/// What an OAuth service's spec says about its login, for programs and the command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthInfo {
    /// The client id to use when the user gives none.
    pub client_id: Option<&'static str>,
    /// Whether the default flow is the device grant (else the browser).
    pub device_by_default: bool,
}

impl ServiceKind {
    /// How the service logs in with OAuth (its spec's `x-apilogin.oauth`), or `None` for a
    /// service that logs in with a password.
    pub fn oauth(self) -> Option<OAuthInfo> {
        let o = self.description().oauth.as_ref()?;
        Some(OAuthInfo {
            client_id: o.client_id.as_deref(),
            device_by_default: o.flow == Some(OAuthFlow::Device),
        })
    }
}

fn spec(kind: ServiceKind) -> Result<(&'static Description, &'static OAuth), LoginError> {
    let desc = kind.description();
    let oauth = desc.oauth.as_ref().ok_or(ConfigError::NoOAuth {
        service: kind,
        reason: "it does not log in with OAuth: log in with its password",
    })?;
    Ok((desc, oauth))
}

fn oauth_error(service: ServiceKind) -> impl Fn(OAuthError) -> LoginError {
    move |error| LoginError::OAuth { service, error }
}

/// The provider at the service's base URL (its issuer).
async fn provider(service: &Service, options: &Options) -> Result<Provider, LoginError> {
    http::check_url(service, options)?;
    Provider::discover(service.base_url(), options)
        .await
        .map_err(oauth_error(service.kind()))
}

fn client_id(kind: ServiceKind, oauth: &OAuth, given: Option<&str>) -> Result<String, LoginError> {
    given
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .or(oauth.client_id.as_deref())
        .map(str::to_owned)
        .ok_or_else(|| {
            ConfigError::NoOAuth {
                service: kind,
                reason: "its spec names no client id: give the client id registered with the provider",
            }
            .into()
        })
}

impl Client {
    /// Logs in to a service whose spec says `x-apilogin.oauth` with the authorization code
    /// flow, PKCE and a loopback redirect: `open_browser` gets the authorization URL (open it in
    /// a browser, or print it where there is none); the provider is found by discovery at the
    /// service's base URL (the issuer). `client_id` replaces the spec's.
    ///
    /// The session keeps the access token (its expiry from `expires_in`), the refresh token
    /// for [`Session::relogin`], and who logged in, from the validated ID token.
    pub async fn login_with_browser(
        &self,
        client_id: Option<&str>,
        open_browser: impl FnOnce(&Url),
    ) -> Result<Session, LoginError> {
        let kind = self.service().kind();
        let (desc, oauth) = spec(kind)?;
        let client_id = self::client_id(kind, oauth, client_id)?;
        let provider = provider(self.service(), self.options()).await?;
        let (scopes, params) = request_of(oauth);
        let tokens = provider
            .authorization_code_with(&client_id, &scopes, &params, open_browser)
            .await
            .map_err(oauth_error(kind))?;
        with_identity(
            &provider,
            session(self.service(), self.options(), desc, client_id, tokens)?,
        )
        .await
    }

    /// Logs in to a service whose spec says `x-apilogin.oauth` with the device authorization
    /// grant: `show` gets the code and the page where the user approves it; the call returns
    /// once they have (or the code expired, or they refused). As
    /// [`login_with_browser`](Client::login_with_browser) otherwise.
    pub async fn login_with_device(
        &self,
        client_id: Option<&str>,
        show: impl FnOnce(&DeviceCode),
    ) -> Result<Session, LoginError> {
        let kind = self.service().kind();
        let (desc, oauth) = spec(kind)?;
        let client_id = self::client_id(kind, oauth, client_id)?;
        let provider = provider(self.service(), self.options()).await?;
        let (scopes, params) = request_of(oauth);
        let tokens = provider
            .device_with(&client_id, &scopes, &params, show)
            .await
            .map_err(oauth_error(kind))?;
        with_identity(
            &provider,
            session(self.service(), self.options(), desc, client_id, tokens)?,
        )
        .await
    }
}

/// The scopes (with `openid`) and extra parameters of the spec.
fn request_of(oauth: &OAuth) -> (Vec<&str>, Vec<(&str, &str)>) {
    let mut scopes: Vec<&str> = vec!["openid"];
    scopes.extend(
        oauth
            .scopes
            .iter()
            .map(|s| s.as_ref())
            .filter(|s| *s != "openid"),
    );
    let params = oauth
        .parameters
        .iter()
        .map(|(k, v)| (k, v.as_ref()))
        .collect();
    (scopes, params)
}

/// The session the tokens give, as the spec's `session` says: the token is the access token
/// (regen checks that `session.token` is `/access_token`), who logged in is read from the ID
/// token's claims with the `identity` pointers.
fn session(
    service: &Service,
    options: &Options,
    desc: &Description,
    client_id: String,
    tokens: Tokens,
) -> Result<Session, LoginError> {
    let kind = service.kind();
    debug_assert!(matches!(&desc.session.token, Place::Body(p) if p == "/access_token"));
    let claims = match &tokens.id_token_claims {
        Some(c) => json!({"sub": c.subject, "iss": c.issuer, "email": c.email, "name": c.name}),
        None => Value::Null,
    };
    let user = identity(&claims, &desc.session.identity);
    let details = SessionDetails::build(kind, |_| DetailValue::Missing).ok_or_else(|| {
        LoginError::from(ConfigError::NoOAuth {
            service: kind,
            reason: "its spec keeps session details an OAuth login cannot fill",
        })
    })?;
    let mut session = Session::new(
        service,
        options,
        user,
        tokens.access_token,
        details,
        BTreeMap::new(),
    );
    session.set_expires_at(
        tokens
            .expires_at
            .and_then(|at| at.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs()),
    );
    session.set_oauth_state(OAuthState {
        client_id,
        refresh_token: tokens.refresh_token,
    });
    Ok(session)
}

/// Who the claims (an ID token's, or the userinfo endpoint's) say logged in, read with the
/// spec's identity pointers; the user name falls back on the user id, then on `sub`.
fn identity(claims: &Value, spec: &apilogin_login_model::Identity) -> Identity {
    let read = |p: &Option<apilogin_login_model::Str>| {
        p.as_deref()
            .and_then(|p| claims.pointer(p))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let user_id = read(&spec.user_id);
    Identity {
        username: read(&spec.username)
            .or_else(|| user_id.clone())
            .or_else(|| claims["sub"].as_str().map(str::to_owned))
            .unwrap_or_default(),
        user_id,
        name: read(&spec.name),
        email: read(&spec.email),
    }
}

/// [`Session::verify`] of an OAuth session: the userinfo endpoint the provider's discovery
/// names (the spec's `openIdConnect` scheme sends its endpoints to discovery, and providers
/// serve userinfo at paths of their own), read with the spec's `verify.identity` pointers.
/// `None`: the provider names none, and the spec's own `verify` step applies.
pub(crate) async fn verify(current: &Session) -> Option<Result<Identity, LoginError>> {
    current.kind().description().verify.as_ref()?;
    match provider(&current.service(), current.options()).await {
        Ok(provider) => verify_at(&provider, current).await,
        Err(e) => Some(Err(e)),
    }
}

/// [`verify`] at a provider already discovered.
async fn verify_at(provider: &Provider, current: &Session) -> Option<Result<Identity, LoginError>> {
    let kind = current.kind();
    let pointers = &kind.description().verify.as_ref()?.identity;
    provider.userinfo_endpoint()?;
    Some(match provider.userinfo(current.token()).await {
        Ok(claims) => Ok(identity(&Value::Object(claims), pointers)),
        Err(OAuthError::Provider { code, .. }) if code == "invalid_token" => {
            Err(LoginError::SessionRejected { service: kind })
        }
        Err(error) => Err(LoginError::OAuth {
            service: kind,
            error,
        }),
    })
}

/// The session with who it belongs to as the spec's `verify` step (the userinfo endpoint)
/// says, where the spec has one: providers put most claims there rather than in the ID token.
/// What `verify` does not say is kept from the ID token.
async fn with_identity(provider: &Provider, mut session: Session) -> Result<Session, LoginError> {
    if !session.kind().supports_verify() {
        return Ok(session);
    }
    // The provider the login just discovered: not discovered again.
    let said = match verify_at(provider, &session).await {
        Some(said) => said?,
        None => session.verify().await?,
    };
    let had = session.user().clone();
    let user_id = said.user_id.or(had.user_id);
    session.set_user(Identity {
        username: if said.username.is_empty() {
            had.username
        } else {
            said.username
        },
        user_id,
        name: said.name.or(had.name),
        email: said.email.or(had.email),
    });
    Ok(session)
}

/// [`Session::relogin`] of an OAuth session: the refresh-token grant. A refresh token the
/// provider refuses (`invalid_grant`) is [`LoginError::SessionRejected`].
pub(crate) async fn relogin(current: &Session) -> Result<Session, LoginError> {
    let kind = current.kind();
    let (desc, _) = spec(kind)?;
    let state = current.oauth_state().expect("an OAuth session");
    let Some(refresh_token) = &state.refresh_token else {
        return Err(LoginError::SessionRejected { service: kind });
    };
    let service = current.service();
    let provider = provider(&service, current.options()).await?;
    let tokens = provider
        .refresh(&state.client_id, None, refresh_token)
        .await
        .map_err(|error| match error {
            OAuthError::Provider { code, .. } if code == "invalid_grant" => {
                LoginError::SessionRejected { service: kind }
            }
            error => LoginError::OAuth {
                service: kind,
                error,
            },
        })?;
    let mut renewed = session(
        &service,
        current.options(),
        desc,
        state.client_id.clone(),
        tokens,
    )?;
    // A refresh does not change who is logged in (and its answer may have no ID token).
    renewed.set_user(current.user().clone());
    Ok(renewed)
}

/// [`Session::logout`] of an OAuth session: the refresh token (which ends the grant) and the
/// access token revoked (RFC 7009).
pub(crate) async fn logout(current: &Session) -> Result<(), LoginError> {
    let kind = current.kind();
    let state = current.oauth_state().expect("an OAuth session");
    let provider = provider(&current.service(), current.options()).await?;
    if !provider.supports_revocation() {
        return Err(LoginError::Unsupported {
            service: kind,
            operation: crate::Operation::Logout,
        });
    }
    if let Some(refresh) = &state.refresh_token {
        provider
            .revoke(&state.client_id, None, refresh, TokenKind::Refresh)
            .await
            .map_err(oauth_error(kind))?;
    }
    provider
        .revoke(&state.client_id, None, current.token(), TokenKind::Access)
        .await
        .map_err(oauth_error(kind))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oauth_services_are_those_whose_spec_says_so() {
        for kind in ServiceKind::ALL {
            assert_eq!(kind.oauth().is_some(), kind.uses_oauth(), "{kind}");
            assert_eq!(
                kind.description().login.is_none(),
                kind.uses_oauth(),
                "{kind}"
            );
        }
        assert!(ServiceKind::ALL.iter().any(|k| k.uses_oauth()));
    }

    #[test]
    fn openid_is_always_asked_for_once() {
        let oauth = OAuth {
            scheme: "s".into(),
            client_id: None,
            flow: None,
            scopes: vec!["email".into(), "openid".into()].into(),
            parameters: apilogin_login_model::Map::from_entries(vec![(
                "prompt".into(),
                "consent".into(),
            )]),
        };
        let (scopes, params) = request_of(&oauth);
        assert_eq!(scopes, ["openid", "email"]);
        assert_eq!(params, [("prompt", "consent")]);
        let kind = ServiceKind::ALL[0];
        assert!(matches!(
            client_id(kind, &oauth, None),
            Err(LoginError::Config(ConfigError::NoOAuth { .. }))
        ));
        assert_eq!(client_id(kind, &oauth, Some(" cli ")).unwrap(), "cli");
    }
}
