#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod credentials;
mod error;
mod flow;
mod generated;
mod glue;
mod http;
mod info;
mod login;
#[cfg(feature = "oauth")]
pub mod oauth;
#[cfg(feature = "oauth")]
mod oauth_login;
mod reads;
mod redact;
mod secret;
mod service;
mod session;
#[cfg(feature = "store")]
pub mod store;

pub use credentials::{Credentials, DEFAULT_KEY_DESCRIPTION};
pub use error::{ConfigError, LoginError, Operation, TransportKind};
pub use flow::SecondFactorMethod;
/// The generated client crates, one per spec (`apilogin::clients::rocketchat` is
/// `rocketchat_client`): their types without a dependency of your own. A client's error
/// converts into [`LoginError`] with `?`.
pub use generated::clients::crates as clients;
pub use http::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, Options};
pub use info::{DetailInfo, GeneratedInfo, InputInfo};
pub use login::{Challenge, Client, LoginOutcome, login};
#[cfg(feature = "oauth")]
pub use oauth_login::OAuthInfo;
pub use secret::SecretString;
pub use service::{Service, ServiceKind};
pub use session::{Identity, Session, SessionDetails};
#[cfg(feature = "store")]
pub use store::Store;

/// The largest answer body read from a server, in bytes (larger ones fail with
/// [`LoginError::BodyTooLarge`]).
pub const MAX_RESPONSE_BYTES: usize = generated::clients::MAX_RESPONSE_BYTES;
