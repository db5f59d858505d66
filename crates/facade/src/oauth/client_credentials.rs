//! The client credentials grant (RFC 6749 §4.4), for programs.

use openidconnect::Scope;

use super::http::endpoint_name;
use super::tokens::request_error;
use super::{OAuthError, Provider, Tokens};
use crate::SecretString;

impl Provider {
    /// Gets an access token for the confidential client `client_id` itself (no user), sending
    /// its secret with HTTP Basic authentication.
    pub async fn client_credentials(
        &self,
        client_id: &str,
        client_secret: &SecretString,
        scopes: &[&str],
    ) -> Result<Tokens, OAuthError> {
        let client = self.client(client_id, Some(client_secret));
        let endpoint = self
            .metadata
            .token_endpoint()
            .map(|u| endpoint_name(u.url()))
            .unwrap_or_default();
        let mut request = client
            .exchange_client_credentials()
            .map_err(|_| self.unsupported("token endpoint"))?;
        for scope in scopes {
            request = request.add_scope(Scope::new((*scope).to_owned()));
        }
        let response = request
            .request_async(&self.http)
            .await
            .map_err(|e| request_error(&endpoint, e))?;
        Ok(Tokens::from_response(&response, None))
    }
}
