//! Failures of the command and their exit codes (documented in `--help`, tested in
//! `tests/cli.rs`).

use apilogin::{LoginError, TransportKind};

/// A failure with its own exit code, besides the ones of [`LoginError`].
#[derive(Debug)]
pub enum CliFailure {
    /// Exit 1: nothing stored for what was asked, a store that cannot be read or written.
    Other(String),
    /// Exit 2: the invocation cannot work as given.
    Usage(String),
    /// Exit 3: a stored session is no longer accepted.
    Refused(String),
    /// Exit 4: a second factor is needed and none can be had.
    NeedCode(String),
}

impl std::fmt::Display for CliFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliFailure::Other(m)
            | CliFailure::Usage(m)
            | CliFailure::Refused(m)
            | CliFailure::NeedCode(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CliFailure {}

pub fn usage(message: impl Into<String>) -> anyhow::Error {
    CliFailure::Usage(message.into()).into()
}

pub fn other(message: impl Into<String>) -> anyhow::Error {
    CliFailure::Other(message.into()).into()
}

/// The exit code of a library error.
pub fn login_exit_code(e: &LoginError) -> u8 {
    use LoginError::*;
    match e {
        BadCredentials { .. }
        | AccountLocked { .. }
        | PermissionDenied { .. }
        | SessionRejected { .. }
        | Refused { .. } => 3,
        SecondFactorInvalid { .. }
        | SecondFactorExhausted { .. }
        | SecondFactorUnsupported { .. } => 4,
        RateLimited { .. } => 5,
        // No answer, or an answer cut short: the network's doing.
        Transport {
            kind:
                TransportKind::Timeout
                | TransportKind::Connect
                | TransportKind::Tls
                | TransportKind::Interrupted,
            ..
        } => 6,
        Config(_) | Unsupported { .. } => 2,
        // The server answered, with something that is not the API: 5xx, redirect, a body
        // that is not what the spec says, too large, or a failure below HTTP of no known kind.
        _ => 7,
    }
}

/// The exit code of any failure of the command.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    if let Some(e) = e.downcast_ref::<LoginError>() {
        login_exit_code(e)
    } else if let Some(f) = e.downcast_ref::<CliFailure>() {
        match f {
            CliFailure::Other(_) => 1,
            CliFailure::Usage(_) => 2,
            CliFailure::Refused(_) => 3,
            CliFailure::NeedCode(_) => 4,
        }
    } else {
        1
    }
}
