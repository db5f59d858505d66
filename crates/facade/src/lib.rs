#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod credentials;
mod error;
mod http;
mod login;
mod redact;
mod secret;
mod service;
mod services;
mod session;

pub use credentials::{Credentials, DEFAULT_KEY_DESCRIPTION};
pub use error::{ConfigError, LoginError, Operation, TransportKind};
pub use http::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, Options};
pub use login::{Challenge, Client, LoginOutcome, SecondFactorMethod, login};
pub use secret::SecretString;
pub use service::{Service, ServiceKind};
pub use session::{Identity, Session, SessionDetails};

/// The largest answer body read from a server, in bytes (larger ones fail with
/// [`LoginError::BodyTooLarge`]).
pub const MAX_RESPONSE_BYTES: usize = remoteit_client::MAX_RESPONSE_BYTES;
