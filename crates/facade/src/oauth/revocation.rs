//! Token revocation (RFC 7009).

use openidconnect::core::CoreRevocableToken;
use openidconnect::{AccessToken, RefreshToken};

use super::http::endpoint_name;
use super::tokens::request_error;
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
    /// clients. Revoking a token the provider no longer knows succeeds (RFC 7009 §2.2).
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
        let client = self
            .client(client_id, client_secret)
            .set_revocation_url(url);
        let secret = token.expose_secret().to_owned();
        let token = match kind {
            TokenKind::Access => CoreRevocableToken::AccessToken(AccessToken::new(secret)),
            TokenKind::Refresh => CoreRevocableToken::RefreshToken(RefreshToken::new(secret)),
        };
        client
            .revoke_token(token)
            .map_err(|_| self.unsupported("revocation endpoint"))?
            .request_async(&self.http)
            .await
            .map_err(|e| request_error(&endpoint, e))
    }
}
