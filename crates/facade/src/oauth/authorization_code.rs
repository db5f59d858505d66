//! The authorization code flow with PKCE (RFC 7636, S256) and a loopback redirect (RFC 8252).

use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge, RedirectUrl, Scope, TokenResponse as _,
};
use reqwest::Url;

use super::http::endpoint_name;
use super::loopback::Loopback;
use super::tokens::request_error;
use super::{OAuthError, Provider, Tokens};

impl Provider {
    /// Logs in through the browser: opens a listener on 127.0.0.1 (a random port, one use),
    /// gives `open_browser` the authorization URL (open it, or print it where there is no
    /// browser), waits for the provider's redirect (up to the
    /// [login timeout](Self::login_timeout)), checks its `state` (and `iss`), exchanges the code
    /// with the PKCE verifier and validates the ID token with the `nonce` sent.
    ///
    /// `client_id` is a public client registered with the redirect URI
    /// `http://127.0.0.1/callback` (any port, RFC 8252 §7.3). `openid` is always asked for.
    pub async fn authorization_code(
        &self,
        client_id: &str,
        scopes: &[&str],
        open_browser: impl FnOnce(&Url),
    ) -> Result<Tokens, OAuthError> {
        self.authorization_code_with(client_id, scopes, &[], open_browser)
            .await
    }

    /// [`authorization_code`](Self::authorization_code) with extra parameters of the
    /// authorization request (`prompt`, `audience`, ...).
    pub(crate) async fn authorization_code_with(
        &self,
        client_id: &str,
        scopes: &[&str],
        params: &[(&str, &str)],
        open_browser: impl FnOnce(&Url),
    ) -> Result<Tokens, OAuthError> {
        let loopback = Loopback::bind().await?;
        let redirect = RedirectUrl::new(loopback.redirect_uri())
            .map_err(|e| OAuthError::Loopback(e.to_string()))?;
        let client = self.client(client_id, None).set_redirect_uri(redirect);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in scopes.iter().filter(|s| **s != "openid") {
            request = request.add_scope(Scope::new((*scope).to_owned()));
        }
        for (name, value) in params {
            request = request.add_extra_param((*name).to_owned(), (*value).to_owned());
        }
        let (url, state, nonce) = request.url();
        open_browser(&url);

        let params = loopback
            .wait(self.login_timeout, |params| {
                if params.contains_key("code") {
                    "You are logged in. You can close this window."
                } else {
                    "The login did not succeed. You can close this window."
                }
            })
            .await?;
        // The state first: an answer meant for another login says nothing about this one.
        let sent = state.secret().as_bytes();
        let got = params
            .get("state")
            .map(|s| s.as_bytes())
            .unwrap_or_default();
        if !constant_time_eq(sent, got) {
            return Err(OAuthError::StateMismatch);
        }
        if let Some(iss) = params.get("iss")
            && iss != self.issuer()
        {
            return Err(OAuthError::IssuerMismatch { found: iss.clone() });
        }
        if let Some(code) = params.get("error") {
            let description = params.get("error_description").cloned();
            return Err(match code.as_str() {
                "access_denied" => OAuthError::AccessDenied { description },
                _ => OAuthError::Provider {
                    code: code.clone(),
                    description,
                },
            });
        }
        let code = params
            .get("code")
            .ok_or_else(|| OAuthError::UnexpectedResponse {
                endpoint: "the loopback redirect".to_owned(),
                reason: "it carries neither a code nor an error".to_owned(),
            })?;

        let exchange = client
            .exchange_code(AuthorizationCode::new(code.clone()))
            .map_err(|_| self.unsupported("token endpoint"))?;
        let endpoint = self
            .metadata
            .token_endpoint()
            .map(|u| endpoint_name(u.url()))
            .unwrap_or_default();
        let response = exchange
            .set_pkce_verifier(verifier)
            .request_async(&self.http)
            .await
            .map_err(|e| request_error(&endpoint, e))?;
        let claims = match response.id_token() {
            Some(token) => Some(self.validate(client_id, token, Some(nonce.secret()))?),
            None => None,
        };
        let mut tokens = Tokens::from_response(&response, claims);
        if tokens.scopes.is_empty() {
            tokens.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        }
        Ok(tokens)
    }
}

/// Equality that takes as long whatever the first differing byte.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
