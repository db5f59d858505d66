//! [`Tokens`]: what a flow gives, and the mapping of the token endpoint's errors.

use std::time::{Duration, SystemTime};

use openidconnect::core::CoreTokenResponse;
use openidconnect::{ErrorResponse, OAuth2TokenResponse, RequestTokenError};

use super::OAuthError;
use super::http::HttpError;
use super::id_token::IdTokenClaims;
use crate::SecretString;

/// The tokens a flow obtained. `Debug` shows no token.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Tokens {
    /// The access token.
    pub access_token: SecretString,
    /// Its type, as the provider names it (`Bearer`).
    pub token_type: String,
    /// The provider's `expires_in`, when it sent one.
    pub expires_in: Option<Duration>,
    /// When the access token expires (now + `expires_in`).
    pub expires_at: Option<SystemTime>,
    /// The refresh token, when the provider issued one.
    pub refresh_token: Option<SecretString>,
    /// The scopes granted, when the provider says (else those asked for).
    pub scopes: Vec<String>,
    /// The ID token as received, when there is one. It has been validated.
    pub id_token: Option<SecretString>,
    /// The validated ID token's claims.
    pub id_token_claims: Option<IdTokenClaims>,
}

impl Tokens {
    /// Tokens from a token endpoint answer (the ID token, if any, validated by the caller).
    pub(crate) fn from_response(
        response: &CoreTokenResponse,
        id_token_claims: Option<IdTokenClaims>,
    ) -> Tokens {
        let expires_in = response.expires_in();
        Tokens {
            access_token: SecretString::new(response.access_token().secret().clone()),
            token_type: response.token_type().as_ref().to_owned(),
            expires_in,
            expires_at: expires_in.and_then(|d| SystemTime::now().checked_add(d)),
            refresh_token: response
                .refresh_token()
                .map(|t| SecretString::new(t.secret().clone())),
            scopes: response
                .scopes()
                .map(|s| s.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default(),
            id_token: openidconnect::TokenResponse::id_token(response)
                .map(|t| SecretString::new(t.to_string())),
            id_token_claims,
        }
    }

    /// Whether the access token has expired (or expires within `margin`).
    pub fn expires_within(&self, margin: Duration) -> bool {
        self.expires_at
            .is_some_and(|at| SystemTime::now() + margin >= at)
    }
}

/// A token, device or revocation endpoint's error as an [`OAuthError`].
pub(crate) fn request_error<T>(endpoint: &str, e: RequestTokenError<HttpError, T>) -> OAuthError
where
    T: ErrorResponse + 'static,
{
    match e {
        RequestTokenError::ServerResponse(e) => server_error(&e),
        RequestTokenError::Request(e) => e.into(),
        // Not the body: it may hold a token.
        RequestTokenError::Parse(e, _) => OAuthError::UnexpectedResponse {
            endpoint: endpoint.to_owned(),
            reason: format!(
                "the JSON does not have the expected shape (at {})",
                e.path()
            ),
        },
        RequestTokenError::Other(reason) => OAuthError::UnexpectedResponse {
            endpoint: endpoint.to_owned(),
            reason,
        },
    }
}

/// An OAuth error answer (`error`, `error_description`), by its code.
pub(crate) fn server_error<T: ErrorResponse>(e: &T) -> OAuthError {
    // The standard error responses serialize to `{"error": ..., "error_description": ...}`.
    let json = serde_json::to_value(e).unwrap_or_default();
    let code = json["error"].as_str().unwrap_or("unknown_error").to_owned();
    let description = json["error_description"].as_str().map(str::to_owned);
    match code.as_str() {
        "access_denied" => OAuthError::AccessDenied { description },
        "expired_token" => OAuthError::DeviceCodeExpired,
        _ => OAuthError::Provider { code, description },
    }
}
