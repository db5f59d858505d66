//! The userinfo endpoint (OpenID Connect Core §5.3), where the provider's discovery names it:
//! who the access token belongs to, at whatever path the provider serves it.

use openidconnect::AsyncHttpClient as _;
use openidconnect::http::{Method, Request, header};

use super::http::endpoint_name;
use super::{OAuthError, Provider};
use crate::SecretString;

impl Provider {
    /// The userinfo endpoint discovery names, if the provider has one.
    pub fn userinfo_endpoint(&self) -> Option<&str> {
        self.metadata.userinfo_endpoint().map(|u| u.url().as_str())
    }

    /// The claims the userinfo endpoint gives for `access_token` (a JSON object; `sub` is
    /// always there). A token the provider refuses (401, RFC 6750 `invalid_token`) is
    /// [`OAuthError::Provider`] with code `invalid_token`; no endpoint:
    /// [`OAuthError::Unsupported`].
    pub async fn userinfo(
        &self,
        access_token: &SecretString,
    ) -> Result<serde_json::Map<String, serde_json::Value>, OAuthError> {
        let url = self
            .metadata
            .userinfo_endpoint()
            .ok_or_else(|| self.unsupported("userinfo endpoint"))?
            .url()
            .clone();
        let endpoint = endpoint_name(&url);
        let mut bearer =
            header::HeaderValue::from_str(&format!("Bearer {}", access_token.expose_secret()))
                .map_err(|_| {
                    OAuthError::HttpClient("the access token cannot be sent in a header".to_owned())
                })?;
        bearer.set_sensitive(true);
        let request = Request::builder()
            .method(Method::GET)
            .uri(url.as_str())
            .header(header::AUTHORIZATION, bearer)
            .header(header::ACCEPT, "application/json")
            .body(Vec::new())
            .map_err(|e| OAuthError::HttpClient(e.to_string()))?;
        let response = self.http.call(request).await?;
        let unexpected = |reason: String| OAuthError::UnexpectedResponse {
            endpoint: endpoint.clone(),
            reason,
        };
        match response.status().as_u16() {
            200 => {}
            401 => {
                return Err(OAuthError::Provider {
                    code: "invalid_token".to_owned(),
                    description: None,
                });
            }
            status => return Err(unexpected(format!("HTTP {status}"))),
        }
        let claims: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(response.body())
                .map_err(|_| unexpected("an answer that is not a JSON object".to_owned()))?;
        if !claims.get("sub").is_some_and(serde_json::Value::is_string) {
            return Err(unexpected("claims without `sub`".to_owned()));
        }
        Ok(claims)
    }
}
