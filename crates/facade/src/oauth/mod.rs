//! OAuth 2.0 and OpenID Connect logins against a provider found by discovery.
//!
//! [`Provider::discover`] reads the issuer's `/.well-known/openid-configuration` and JWKS; its
//! methods run the flows and return [`Tokens`]:
//! - [`Provider::authorization_code`]: authorization code with PKCE (RFC 7636, S256) and a
//!   loopback redirect (RFC 8252): a listener on 127.0.0.1, a random port, used once, `state`
//!   checked; the ID token validated with the `nonce` sent;
//! - [`Provider::device`]: the device authorization grant (RFC 8628);
//! - [`Provider::client_credentials`]: for programs (RFC 6749 §4.4);
//! - [`Provider::refresh`]: the refresh-token grant (§6);
//! - [`Provider::revoke`]: token revocation (RFC 7009);
//! - [`Provider::userinfo`]: who an access token belongs to, at the userinfo endpoint
//!   discovery names.
//!
//! Every request goes only to the endpoints the provider's discovery names, over https (or
//! plain http to this machine), follows no redirect, and keeps the [`Options`](crate::Options)
//! timeouts. Tokens are [`SecretString`](crate::SecretString)s; no error carries one.

mod authorization_code;
mod client_credentials;
mod device;
mod discovery;
mod error;
mod http;
mod id_token;
mod loopback;
mod refresh;
mod revocation;
mod tokens;
mod userinfo;

pub use device::DeviceCode;
pub use discovery::{DEFAULT_LOGIN_TIMEOUT, Provider};
pub use error::OAuthError;
pub use id_token::IdTokenClaims;
pub use revocation::TokenKind;
pub use tokens::Tokens;
