//! The refresh-token grant (RFC 6749 §6).

use openidconnect::{RefreshToken, TokenResponse as _};

use super::http::endpoint_name;
use super::tokens::request_error;
use super::{OAuthError, Provider, Tokens};
use crate::SecretString;

impl Provider {
    /// New tokens for `refresh_token`. `client_secret` only for confidential clients.
    ///
    /// A provider that rotates refresh tokens sends a new one; one that does not keeps the old
    /// one valid, and the returned [`Tokens::refresh_token`] is then the old one. A new ID token,
    /// when sent, is validated (without `nonce`: a refreshed ID token carries none).
    pub async fn refresh(
        &self,
        client_id: &str,
        client_secret: Option<&SecretString>,
        refresh_token: &SecretString,
    ) -> Result<Tokens, OAuthError> {
        let client = self.client(client_id, client_secret);
        let endpoint = self
            .metadata
            .token_endpoint()
            .map(|u| endpoint_name(u.url()))
            .unwrap_or_default();
        let token = RefreshToken::new(refresh_token.expose_secret().to_owned());
        let response = client
            .exchange_refresh_token(&token)
            .map_err(|_| self.unsupported("token endpoint"))?
            .request_async(&self.http)
            .await
            .map_err(|e| request_error(&endpoint, e))?;
        let claims = match response.id_token() {
            Some(token) => Some(self.validate(client_id, token, None)?),
            None => None,
        };
        let mut tokens = Tokens::from_response(&response, claims);
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = Some(refresh_token.clone());
        }
        Ok(tokens)
    }
}
