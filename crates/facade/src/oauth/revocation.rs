//! Token revocation (RFC 7009).
//!
//! Sent by hand over the same HTTP client: the `oauth2` crate refuses a revocation endpoint
//! that is not https, and the facade's rule is https or plain http to this machine.

use base64::Engine as _;
use openidconnect::AsyncHttpClient as _;
use openidconnect::http::{Method, Request, header};
use openidconnect::url::form_urlencoded;

use super::http::endpoint_name;
use super::{OAuthError, Provider};
use crate::SecretString;

/// Which kind of token [`Provider::revoke`] revokes (its `token_type_hint`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenKind {
    /// An access token.
    Access,
    /// A refresh token (providers usually revoke its access tokens with it).
    Refresh,
}

impl Provider {
    /// Revokes `token` at the provider's revocation endpoint
    /// ([`OAuthError::Unsupported`] when it has none). `client_secret` only for confidential
    /// clients (sent with HTTP Basic authentication). Revoking a token the provider no longer
    /// knows succeeds (RFC 7009 §2.2).
    pub async fn revoke(
        &self,
        client_id: &str,
        client_secret: Option<&SecretString>,
        token: &SecretString,
        kind: TokenKind,
    ) -> Result<(), OAuthError> {
        let url = self
            .metadata
            .additional_metadata()
            .revocation_endpoint
            .clone()
            .ok_or_else(|| self.unsupported("revocation endpoint"))?;
        let endpoint = endpoint_name(url.url());
        let mut body = form_urlencoded::Serializer::new(String::new());
        body.append_pair("token", token.expose_secret());
        body.append_pair(
            "token_type_hint",
            match kind {
                TokenKind::Access => "access_token",
                TokenKind::Refresh => "refresh_token",
            },
        );
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(url.url().as_str())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        match client_secret {
            Some(secret) => {
                // RFC 6749 §2.3.1: both form-encoded, then Basic.
                let encode =
                    |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                let pair = format!("{}:{}", encode(client_id), encode(secret.expose_secret()));
                let mut value = header::HeaderValue::from_str(&format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                ))
                .map_err(|_| {
                    OAuthError::HttpClient(
                        "the client secret cannot be sent in a header".to_owned(),
                    )
                })?;
                value.set_sensitive(true);
                request = request.header(header::AUTHORIZATION, value);
            }
            None => {
                body.append_pair("client_id", client_id);
            }
        }
        let request = request
            .body(body.finish().into_bytes())
            .map_err(|e| OAuthError::HttpClient(e.to_string()))?;
        let response = self.http.call(request).await?;
        if response.status().is_success() {
            return Ok(());
        }
        let json: serde_json::Value = serde_json::from_slice(response.body()).unwrap_or_default();
        match json["error"].as_str() {
            Some(code) => Err(OAuthError::Provider {
                code: code.to_owned(),
                description: json["error_description"].as_str().map(str::to_owned),
            }),
            None => Err(OAuthError::UnexpectedResponse {
                endpoint,
                reason: format!("HTTP {} without an OAuth error", response.status().as_u16()),
            }),
        }
    }
}
