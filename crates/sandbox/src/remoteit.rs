//! remote.it: `POST /apv/v27/user/login` and `POST /apv/v27/user/login/authhash`.
//!
//! Statuses are the strings `"true"` / `"false"`; failures are HTTP 401 with a `code`. As the spec
//! says, the body must be JSON (`Content-Type: application/json`); any other body counts as empty
//! and gets the "required" error.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::post;
use serde_json::{Value, json};

use crate::accounts::{DEMO_PASSWORD, REMOTEIT_DEVELOPER_KEY};
use crate::token::{HEX_LOWER, HEX_UPPER, random_string};

struct User {
    email: &'static str,
    guid: &'static str,
    /// Accounts with multi-factor authentication cannot use this legacy login.
    mfa: bool,
    /// The `service_authhash` every password login returns; random per sandbox.
    authhash: String,
}

struct RemoteIt {
    users: Vec<User>,
}

/// Every route served (see [`Service::routes`](crate::Service::routes)).
pub(crate) const ROUTES: [(&str, &str); 2] = [
    ("POST", "/apv/v27/user/login"),
    ("POST", "/apv/v27/user/login/authhash"),
];

pub(crate) fn router() -> Router {
    let state = Arc::new(RemoteIt {
        users: vec![
            User {
                email: "demo@remote.it",
                guid: "7f3d2c1a-5b6e-4d8f-9a0b-1c2d3e4f5a6b",
                mfa: false,
                authhash: random_string(40, HEX_UPPER),
            },
            User {
                email: "mfa@remote.it",
                guid: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                mfa: true,
                authhash: random_string(40, HEX_UPPER),
            },
        ],
    });
    Router::new()
        .route(ROUTES[0].1, post(login))
        .route(ROUTES[1].1, post(login_authhash))
        .fallback(not_found)
        .with_state(state)
}

fn error(status: StatusCode, reason: &str, code: &str) -> Response {
    (
        status,
        Json(json!({"status": "false", "reason": reason, "code": code})),
    )
        .into_response()
}

fn invalid_credentials() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "[0102] The username or password is invalid",
        "GENERAL_ERROR",
    )
}

/// The 401 answer when the `developerkey` header is missing or unknown.
fn refuse_developer_key(headers: &HeaderMap) -> Option<Response> {
    match headers.get("developerkey") {
        Some(key) if key.as_bytes() == REMOTEIT_DEVELOPER_KEY.as_bytes() => None,
        _ => {
            tracing::info!(
                service = "remoteit",
                "login refused: missing or unknown developer key"
            );
            Some(error(
                StatusCode::UNAUTHORIZED,
                "[0100] Missing or invalid developer key",
                "GENERAL_ERROR",
            ))
        }
    }
}

/// The body as JSON, when it is declared as JSON; `Null` otherwise.
fn json_body(headers: &HeaderMap, body: &[u8]) -> Value {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if is_json {
        serde_json::from_slice(body).unwrap_or(Value::Null)
    } else {
        Value::Null
    }
}

/// The two named string fields of a JSON object body, if both are there.
fn two_fields<'a>(body: &'a Value, a: &str, b: &str) -> Option<(&'a str, &'a str)> {
    Some((body.get(a)?.as_str()?, body.get(b)?.as_str()?))
}

impl RemoteIt {
    fn find(&self, username: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(username))
    }

    fn success(&self, user: &User) -> Response {
        if user.mfa {
            tracing::info!(
                service = "remoteit",
                user = user.email,
                "login needs SMS MFA"
            );
            return error(
                StatusCode::UNAUTHORIZED,
                "[0160] Multi-factor authentication required: SMS code sent",
                "SMS_MFA",
            );
        }
        tracing::info!(service = "remoteit", user = user.email, "login succeeded");
        Json(json!({
            "status": "true",
            "token": random_string(32, HEX_LOWER),
            "email": user.email,
            "service_authhash": user.authhash,
            "guid": user.guid,
        }))
        .into_response()
    }
}

async fn login(
    State(st): State<Arc<RemoteIt>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    // An unreadable or over-large (> 2 MiB) body counts as empty: the service's own error.
    let body = body.unwrap_or_default();
    if let Some(resp) = refuse_developer_key(&headers) {
        return resp;
    }
    let body = json_body(&headers, &body);
    let Some((username, password)) = two_fields(&body, "username", "password") else {
        return error(
            StatusCode::UNAUTHORIZED,
            "[0101] username and password are required",
            "GENERAL_ERROR",
        );
    };
    match st.find(username) {
        Some(user) if password == DEMO_PASSWORD => st.success(user),
        _ => {
            tracing::info!(
                service = "remoteit",
                "login refused: bad username or password"
            );
            invalid_credentials()
        }
    }
}

async fn login_authhash(
    State(st): State<Arc<RemoteIt>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    // An unreadable or over-large (> 2 MiB) body counts as empty: the service's own error.
    let body = body.unwrap_or_default();
    if let Some(resp) = refuse_developer_key(&headers) {
        return resp;
    }
    let body = json_body(&headers, &body);
    let Some((username, authhash)) = two_fields(&body, "username", "authhash") else {
        return error(
            StatusCode::UNAUTHORIZED,
            "[0101] username and authhash are required",
            "GENERAL_ERROR",
        );
    };
    match st.find(username) {
        Some(user) if !authhash.is_empty() && authhash == user.authhash => st.success(user),
        _ => {
            tracing::info!(service = "remoteit", "authhash login refused");
            error(
                StatusCode::UNAUTHORIZED,
                "[0102] The username or authhash is invalid",
                "GENERAL_ERROR",
            )
        }
    }
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not found", "GENERAL_ERROR")
}
