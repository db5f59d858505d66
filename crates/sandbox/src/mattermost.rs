//! Mattermost: `POST /api/v4/users/login`, `GET /api/v4/users/me`, `POST /api/v4/users/logout`.
//!
//! As the Mattermost server does (`api4/user.go`, `app/login.go`, `app/authentication.go`): the
//! login body is a JSON object of strings (other values dropped; a body that is not JSON reads as
//! empty), a blank password is 400, and then, in order: deactivated account, too many failed
//! attempts, password, MFA code. Every login failure is 401 with the `AppError` body; a wrong or
//! unknown user and a wrong password are the same answer; a missing MFA code does not count as a
//! failure. The session token comes in the `Token` response header, and later calls send it as
//! `Authorization: Bearer <token>` (or `Token <token>`). Logout answers 200 with or without a
//! session. `me` and logout never read the request body (clients such as the Python
//! `mattermostdriver` send `{}`), and a login field that is `null` reads as empty, as Go's decoder
//! leaves it. The login rate limit of the real server is off by default and not emulated.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::accounts::{DEMO_PASSWORD, SECOND_FACTOR_CODE};
use crate::expiring::ExpiringMap;
use crate::limits::Lifetimes;
use crate::token::random_string;

/// Failed logins after which the account is locked (the server's `MaximumLoginAttempts`).
const LOCKOUT_AFTER: u32 = 10;
/// Largest login body read.
const MAX_BODY: usize = 1024 * 1024;
/// Session ids: 26 lower-case letters and digits, as Mattermost's `NewId`.
const ID_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

struct User {
    id: &'static str,
    username: &'static str,
    email: &'static str,
    nickname: &'static str,
    mfa: bool,
    active: bool,
}

static USERS: [User; 3] = [
    User {
        id: "sbxdemouser00000000000001a",
        username: "demo",
        email: "demo@example.com",
        nickname: "Demo User",
        mfa: false,
        active: true,
    },
    User {
        id: "sbxdemomfauser0000000001a",
        username: "demo-mfa",
        email: "demo-mfa@example.com",
        nickname: "Demo MFA User",
        mfa: true,
        active: true,
    },
    User {
        id: "sbxinactiveuser000000001a",
        username: "inactive",
        email: "inactive@example.com",
        nickname: "",
        mfa: false,
        active: false,
    },
];

struct Inner {
    /// Token -> index into `USERS`; expires after the token lifetime.
    sessions: ExpiringMap<String, usize>,
    /// Index into `USERS` (as text) -> failed attempts; expires after the failure lifetime.
    failures: ExpiringMap<String, u32>,
}

struct Mattermost {
    inner: Mutex<Inner>,
}

impl Mattermost {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The session of `Authorization: Bearer <token>` (or `Token <token>`).
    fn session(&self, headers: &HeaderMap) -> Option<(String, usize)> {
        let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        let (scheme, token) = auth.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") && !scheme.eq_ignore_ascii_case("token") {
            return None;
        }
        let token = token.trim().to_owned();
        let idx = *self.inner().sessions.get(Instant::now(), &token)?;
        Some((token, idx))
    }
}

/// Every route served (see [`Service::routes`](crate::Service::routes)).
pub(crate) const ROUTES: [(&str, &str); 3] = [
    ("POST", "/api/v4/users/login"),
    ("GET", "/api/v4/users/me"),
    ("POST", "/api/v4/users/logout"),
];

pub(crate) fn router(lifetimes: Lifetimes) -> Router {
    let state = Arc::new(Mattermost {
        inner: Mutex::new(Inner {
            sessions: ExpiringMap::new(lifetimes.token),
            failures: ExpiringMap::new(lifetimes.failure),
        }),
    });
    Router::new()
        .route(ROUTES[0].1, post(login))
        .route(ROUTES[1].1, get(me))
        .route(ROUTES[2].1, post(logout))
        .fallback(|| async {
            app_error(
                StatusCode::NOT_FOUND,
                "api.context.404.app_error",
                "Sorry, we could not find the page.",
            )
        })
        .with_state(state)
}

/// Mattermost's `AppError` body.
fn app_error(status: StatusCode, id: &str, message: &str) -> Response {
    (
        status,
        Json(json!({
            "id": id,
            "message": message,
            "detailed_error": "",
            "request_id": random_string(26, ID_CHARS),
            "status_code": status.as_u16(),
        })),
    )
        .into_response()
}

fn unauthorized(id: &str, message: &str) -> Response {
    app_error(StatusCode::UNAUTHORIZED, id, message)
}

fn user_json(u: &User) -> Value {
    let (first, last) = u.nickname.split_once(' ').unwrap_or((u.nickname, ""));
    json!({
        "id": u.id,
        "create_at": 1_767_225_600_000_i64,
        "update_at": 1_767_225_600_000_i64,
        "delete_at": if u.active { 0 } else { 1_767_225_600_000_i64 },
        "username": u.username,
        "auth_data": "",
        "auth_service": "",
        "email": u.email,
        "email_verified": true,
        "nickname": u.nickname,
        "first_name": first,
        "last_name": last,
        "position": "",
        "roles": "system_user",
        "locale": "en",
        "mfa_active": u.mfa,
        "timezone": {"automaticTimezone": "", "manualTimezone": "", "useAutomaticTimezone": "true"},
    })
}

/// The body's string fields, as the server's `MapFromJSON`: `null` and anything else that is not
/// a string read as empty (left out here).
fn fields(body: &[u8]) -> serde_json::Map<String, Value> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map.into_iter().filter(|(_, v)| v.is_string()).collect(),
        _ => serde_json::Map::new(),
    }
}

async fn login(State(st): State<Arc<Mattermost>>, req: Request) -> Response {
    let body = axum::body::to_bytes(req.into_body(), MAX_BODY)
        .await
        .unwrap_or_default();
    let fields = fields(&body);
    let string = |k: &str| {
        fields
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (login_id, password, code) = (string("login_id"), string("password"), string("token"));
    if password.is_empty() {
        tracing::info!(service = "mattermost", "login refused: blank password");
        return app_error(
            StatusCode::BAD_REQUEST,
            "api.user.login.blank_pwd.app_error",
            "Password field must not be blank",
        );
    }
    let invalid = || {
        unauthorized(
            "api.user.login.invalid_credentials_email_username",
            "Enter a valid email or username and/or password.",
        )
    };
    let ident = login_id.to_lowercase();
    let Some(idx) = USERS
        .iter()
        .position(|u| u.username == ident || u.email == ident)
    else {
        tracing::info!(service = "mattermost", "login refused: unknown user");
        return invalid();
    };
    let user = &USERS[idx];
    if !user.active {
        tracing::info!(service = "mattermost", "login refused: deactivated");
        return unauthorized(
            "api.user.login.inactive.app_error",
            "Login failed because your account has been deactivated. Please contact an administrator.",
        );
    }
    let now = Instant::now();
    let key = idx.to_string();
    let mut inner = st.inner();
    if inner
        .failures
        .get(now, &key)
        .is_some_and(|n| *n >= LOCKOUT_AFTER)
    {
        tracing::info!(service = "mattermost", "login refused: locked");
        return unauthorized(
            "api.user.check_user_login_attempts.too_many.app_error",
            "Your account is locked because of too many failed password attempts. Please reset your password.",
        );
    }
    if password != DEMO_PASSWORD {
        *inner.failures.touch(now, key, None) += 1;
        tracing::info!(service = "mattermost", "login refused: wrong password");
        return invalid();
    }
    if user.mfa {
        // A missing or malformed code is not a failed attempt; a wrong one is.
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
            tracing::info!(service = "mattermost", "login needs an MFA code");
            return unauthorized(
                "mfa.validate_token.authenticate.app_error",
                "Invalid MFA token.",
            );
        }
        if code != SECOND_FACTOR_CODE {
            *inner.failures.touch(now, key, None) += 1;
            tracing::info!(service = "mattermost", "login refused: wrong MFA code");
            return unauthorized(
                "api.user.check_user_mfa.bad_code.app_error",
                "Invalid MFA token.",
            );
        }
    }
    inner.failures.remove(now, &key);
    let token = random_string(26, ID_CHARS);
    inner.sessions.insert(now, token.clone(), idx);
    drop(inner);
    tracing::info!(service = "mattermost", "login succeeded");
    let mut resp = Json(user_json(user)).into_response();
    if let Ok(v) = HeaderValue::from_str(&token) {
        resp.headers_mut().insert("token", v);
    }
    resp
}

async fn me(State(st): State<Arc<Mattermost>>, headers: HeaderMap) -> Response {
    match st.session(&headers).and_then(|(_, idx)| USERS.get(idx)) {
        Some(u) => Json(user_json(u)).into_response(),
        None => unauthorized(
            "api.context.session_expired.app_error",
            "Invalid or expired session, please login again.",
        ),
    }
}

async fn logout(State(st): State<Arc<Mattermost>>, headers: HeaderMap) -> Response {
    if let Some((token, _)) = st.session(&headers) {
        st.inner().sessions.remove(Instant::now(), &token);
        tracing::info!(service = "mattermost", "logged out");
    }
    Json(json!({"status": "OK"})).into_response()
}
