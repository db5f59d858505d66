//! Failures of the command, their exit codes and their JSON form (documented in `--help`,
//! tested in `tests/cli.rs` and `tests/cli_json_errors.rs`).

use std::time::SystemTime;

use apilogin::oauth::OAuthError;
use apilogin::store::StoreError;
use apilogin::{LoginError, ServiceKind, TransportKind};
use serde_json::{Value, json};

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
        OAuth { error, .. } => oauth_exit_code(error),
        // The server answered, with something that is not the API: 5xx, redirect, a body
        // that is not what the spec says, too large, or a failure below HTTP of no known kind.
        _ => 7,
    }
}

/// The exit code of a failed OAuth flow, refresh or revocation.
fn oauth_exit_code(e: &OAuthError) -> u8 {
    match e {
        OAuthError::InsecureUrl { .. }
        | OAuthError::InvalidIssuer { .. }
        | OAuthError::Unsupported { .. } => 2,
        OAuthError::AccessDenied { .. }
        | OAuthError::DeviceCodeExpired
        | OAuthError::Provider { .. } => 3,
        OAuthError::Transport {
            kind:
                TransportKind::Timeout
                | TransportKind::Connect
                | TransportKind::Tls
                | TransportKind::Interrupted,
            ..
        }
        | OAuthError::TimedOut(_) => 6,
        _ => 7,
    }
}

/// The `oauth_error` member of the JSON error object: what kind of OAuth failure.
fn oauth_reason(e: &OAuthError) -> &'static str {
    match e {
        OAuthError::InsecureUrl { .. } => "insecure_url",
        OAuthError::InvalidIssuer { .. } => "invalid_issuer",
        OAuthError::Discovery { .. } => "discovery",
        OAuthError::Unsupported { .. } => "unsupported",
        OAuthError::Transport { .. } => "transport",
        OAuthError::Redirected { .. } => "redirected",
        OAuthError::BodyTooLarge { .. } => "body_too_large",
        OAuthError::AccessDenied { .. } => "access_denied",
        OAuthError::StateMismatch => "state_mismatch",
        OAuthError::IssuerMismatch { .. } => "issuer_mismatch",
        OAuthError::DeviceCodeExpired => "device_code_expired",
        OAuthError::TimedOut(_) => "timed_out",
        OAuthError::Loopback(_) => "loopback",
        OAuthError::Provider { .. } => "provider",
        OAuthError::InvalidIdToken(_) => "invalid_id_token",
        OAuthError::UnexpectedResponse { .. } => "unexpected_response",
        _ => "other",
    }
}

/// A failure already shown in the command's own JSON output (`status --json` puts it beside
/// the sessions), so that `main` does not print a second object.
#[derive(Debug)]
pub struct Shown(pub anyhow::Error);

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for Shown {}

/// The exit code of any failure of the command.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    if let Some(Shown(e)) = e.downcast_ref::<Shown>() {
        exit_code(e)
    } else if let Some(e) = e.downcast_ref::<LoginError>() {
        login_exit_code(e)
    } else if let Some(e) = e.downcast_ref::<StoreError>() {
        match e {
            // What the command was told cannot work: name one session, a known storage.
            StoreError::Ambiguous { .. }
            | StoreError::InvalidStorage { .. }
            | StoreError::Config(_) => 2,
            // As a session the server no longer accepts: log in again.
            StoreError::Expired { .. } => 3,
            StoreError::Renewal(e) | StoreError::Call(e) => login_exit_code(e),
            _ => 1,
        }
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

/// The name of an exit code: `error.kind` of the JSON error object.
pub fn exit_code_name(code: u8) -> &'static str {
    match code {
        2 => "usage",
        3 => "refused",
        4 => "second_factor",
        5 => "rate_limited",
        6 => "transport",
        7 => "server",
        _ => "other",
    }
}

/// The JSON error object `--json` prints for a failure (documented in `--help`, under
/// "--json"): `{"error": {"kind", "exit_code", "message", "service", …}}`, with what the
/// library's error says besides (`reason`, `code`, `http_status`, `retry_after_seconds`,
/// `transport`) when it is one. `service` is the error's own, else the command's, else null.
pub fn json_error(e: &anyhow::Error, service: Option<ServiceKind>) -> Value {
    let code = exit_code(e);
    let login = e.chain().find_map(|c| c.downcast_ref::<LoginError>());
    let service = login.and_then(LoginError::service).or(service);
    let mut error = json!({
        "kind": exit_code_name(code),
        "exit_code": code,
        "message": format!("{e:#}"),
        "service": service.map(ServiceKind::id),
    });
    if let (Some(login), Some(map)) = (login, error.as_object_mut()) {
        for (key, value) in login_details(login) {
            map.insert(key.to_owned(), value);
        }
    }
    json!({ "error": error })
}

/// What a library error says besides its message, for the JSON error object.
fn login_details(e: &LoginError) -> Vec<(&'static str, Value)> {
    use LoginError::*;
    let reason = match e {
        BadCredentials { .. } => "bad_credentials",
        SecondFactorInvalid { .. } => "second_factor_invalid",
        SecondFactorExhausted { .. } => "second_factor_exhausted",
        SecondFactorUnsupported { .. } => "second_factor_unsupported",
        AccountLocked { .. } => "account_locked",
        RateLimited { .. } => "rate_limited",
        PermissionDenied { .. } => "permission_denied",
        SessionRejected { .. } => "session_rejected",
        Refused { .. } => "refused",
        ServerError { .. } => "server_error",
        Redirected { .. } => "redirected",
        UnexpectedResponse { .. } => "unexpected_response",
        BodyTooLarge { .. } => "body_too_large",
        Transport { .. } => "transport",
        Unsupported { .. } => "unsupported",
        OAuth { .. } => "oauth",
        Config(_) => "config",
        _ => "other",
    };
    let mut out = vec![("reason", json!(reason))];
    if let OAuth { error, .. } = e {
        out.push(("oauth_error", json!(oauth_reason(error))));
        if let OAuthError::Provider { code, .. } = error {
            out.push(("code", json!(code)));
        }
    }
    match e {
        BadCredentials {
            code: Some(code), ..
        }
        | SecondFactorUnsupported { code, .. }
        | Refused { code, .. } => out.push(("code", json!(code))),
        ServerError { status, .. } | Redirected { status, .. } => {
            out.push(("http_status", json!(status)));
        }
        UnexpectedResponse {
            status: Some(status),
            ..
        } => out.push(("http_status", json!(status))),
        RateLimited {
            reset_at: Some(at), ..
        } => {
            let wait = at
                .duration_since(SystemTime::now())
                .map_or(0, |d| d.as_secs() + 1);
            out.push(("retry_after_seconds", json!(wait)));
        }
        Transport { kind, .. } => out.push((
            "transport",
            json!(match kind {
                TransportKind::Timeout => "timeout",
                TransportKind::Connect => "connect",
                TransportKind::Tls => "tls",
                TransportKind::Interrupted => "interrupted",
                _ => "other",
            }),
        )),
        _ => {}
    }
    out
}
