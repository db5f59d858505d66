//! The runtime of apilogin's generated API clients (`<id>-client`): everything they do that
//! does not depend on their spec, written and tested once.
//!
//! - [`client_builder`] and [`build_client`]: a `reqwest` client that follows redirects only
//!   within the request's origin, so a password, code, key or token never reaches another
//!   server ([`RedirectRefused`]), sends no `Referer`, and times out.
//! - [`Authenticate`]: the credentials of a spec's security schemes, each request getting
//!   exactly those its operation's `security` names; the tables are the generated crate's.
//! - [`hooks`]: progenitor's hooks around every request: credentials, response bodies bounded
//!   to [`MAX_RESPONSE_BYTES`], media types checked against the spec.
//! - [`Secret`]: the one secret type, redacted in `Debug` and `Display`.
//! - [`Error`]: progenitor's error, with text scrubbed by [`apilogin_redact`] of every secret
//!   the request carried ([`RequestSecrets`]).
//!
//! A generated crate re-exports what its users see (`Secret`, `Error`, `ErrorKind`,
//! `client_builder`, …) under the names it always had.

mod auth;
mod client;
mod error;
pub mod hooks;
mod secret;

pub use apilogin_redact;
pub use auth::{Authenticate, BasicCredentials, Credential, Place, Scheme};
pub use client::{
    ClientBuildError, DEFAULT_TIMEOUT, RedirectRefused, build_client, client_builder,
};
pub use error::{
    ERROR_TEXT_CHARS, Error, ErrorKind, ErrorValue, RequestSecrets, SecretPlaces, json_message,
};
pub use hooks::MAX_RESPONSE_BYTES;
pub use secret::Secret;
