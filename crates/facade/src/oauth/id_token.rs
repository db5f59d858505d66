//! ID token validation: signature from the provider's JWKS, `iss`, `aud`, `exp`, `nonce`.

use std::str::FromStr;
use std::time::{Duration, SystemTime};

use openidconnect::core::{CoreIdToken, CoreIdTokenVerifier};
use openidconnect::{ClaimsVerificationError, ClientId, Nonce};

use super::{OAuthError, Provider};
use crate::SecretString;

/// What a validated ID token says about the user.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IdTokenClaims {
    /// The user's identifier at the provider (`sub`).
    pub subject: String,
    /// The provider (`iss`).
    pub issuer: String,
    /// When the ID token expires (`exp`).
    pub expires_at: SystemTime,
    /// The user's e-mail address, when the provider sent it.
    pub email: Option<String>,
    /// The user's name, when the provider sent it.
    pub name: Option<String>,
}

impl Provider {
    /// Validates an ID token issued to `client_id`: its signature with the provider's keys
    /// (JWKS, read at discovery), its `iss`, `aud`, `exp`, and `nonce` when one is given (a
    /// token with no `nonce` claim is then refused).
    pub fn validate_id_token(
        &self,
        client_id: &str,
        id_token: &SecretString,
        nonce: Option<&str>,
    ) -> Result<IdTokenClaims, OAuthError> {
        let token = CoreIdToken::from_str(id_token.expose_secret())
            .map_err(|_| OAuthError::InvalidIdToken("it is not a signed JWT".to_owned()))?;
        self.validate(client_id, &token, nonce)
    }

    pub(crate) fn validate(
        &self,
        client_id: &str,
        token: &CoreIdToken,
        nonce: Option<&str>,
    ) -> Result<IdTokenClaims, OAuthError> {
        let verifier = CoreIdTokenVerifier::new_public_client(
            ClientId::new(client_id.to_owned()),
            self.metadata.issuer().clone(),
            self.metadata.jwks().clone(),
        );
        let expected = nonce.map(|n| Nonce::new(n.to_owned()));
        let claims = match &expected {
            Some(nonce) => token.claims(&verifier, nonce),
            // No nonce was sent (device flow, refresh): none to check.
            None => token.claims(&verifier, |_: Option<&Nonce>| Ok(())),
        }
        .map_err(|e| OAuthError::InvalidIdToken(reason(&e)))?;
        Ok(IdTokenClaims {
            subject: claims.subject().as_str().to_owned(),
            issuer: claims.issuer().as_str().to_owned(),
            expires_at: SystemTime::UNIX_EPOCH
                + Duration::from_secs(claims.expiration().timestamp().max(0) as u64),
            email: claims.email().map(|e| e.as_str().to_owned()),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned()),
        })
    }
}

/// Why the token was refused, in words that quote no claim value.
fn reason(e: &ClaimsVerificationError) -> String {
    match e {
        ClaimsVerificationError::Expired(_) => "it has expired (exp)".to_owned(),
        ClaimsVerificationError::InvalidAudience(_) => {
            "it was issued to another client (aud)".to_owned()
        }
        ClaimsVerificationError::InvalidIssuer(_) => {
            "it was issued by another provider (iss)".to_owned()
        }
        ClaimsVerificationError::InvalidNonce(_) => {
            "its nonce is not the one this login sent".to_owned()
        }
        ClaimsVerificationError::SignatureVerification(e) => {
            format!("its signature does not verify with the provider's keys ({e})")
        }
        other => other.to_string(),
    }
}
