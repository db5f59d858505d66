//! Rocket.Chat: `POST /api/v1/login`, `GET /api/v1/me`, `POST /api/v1/logout`.
//!
//! Login order, as in Rocket.Chat: rate limit (429), body, per-user lockout, password, then the
//! second factor. Every login failure is HTTP 401 with `{"success":false,"status":"error",…}`.
//!
//! The body is read exactly as the spec describes it: a password login names the user by `user`,
//! `username` or `email` (in that order of precedence), all fields are strings and no other
//! field is allowed; otherwise a string `resume` makes it a resume login; anything else fails
//! like a wrong password. The second-factor code comes from `code`, else from the header
//! `x-2fa-code`. Issued tokens expire after the sandbox's token lifetime, failed-login counters
//! after its failure lifetime (which is also the lockout's length).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::accounts::{DEMO_PASSWORD, SECOND_FACTOR_CODE};
use crate::expiring::ExpiringMap;
use crate::limits::{Lifetimes, RateLimit};
use crate::token::{URL_SAFE, random_string};

/// Consecutive failed logins after which a user name is blocked (for the failure lifetime).
const LOCKOUT_AFTER: u32 = 5;
/// Wrong second-factor codes accepted before `totp-max-attempts`.
const MAX_TOTP_ATTEMPTS: u32 = 5;
/// Largest login body read.
const MAX_BODY: usize = 1024 * 1024;

struct User {
    id: &'static str,
    username: &'static str,
    name: &'static str,
    email: &'static str,
    two_factor: bool,
}

static USERS: [User; 2] = [
    User {
        id: "sbxDemoUserId0001",
        username: "demo",
        name: "Demo User",
        email: "demo@example.com",
        two_factor: false,
    },
    User {
        id: "sbxDemo2faUser001",
        username: "demo-2fa",
        name: "Demo Two-Factor User",
        email: "demo-2fa@example.com",
        two_factor: true,
    },
];

struct Window {
    started: Instant,
    reset_epoch_ms: u64,
    used: u32,
}

#[derive(Default)]
struct Failures {
    count: u32,
    blocked_until: Option<Instant>,
}

struct Inner {
    /// authToken -> index into `USERS`; expires after the token lifetime.
    sessions: ExpiringMap<String, usize>,
    /// Lower-cased login identifier -> consecutive failures; expires after the failure lifetime.
    failures: ExpiringMap<String, Failures>,
    /// Index into `USERS` -> wrong codes since the last code-less login (bounded by `USERS`).
    wrong_codes: HashMap<usize, u32>,
    /// Rate-limit windows per client IP; windows over are dropped when a new one starts.
    windows: HashMap<IpAddr, Window>,
}

struct RocketChat {
    /// `http://127.0.0.1:PORT`, for `avatarUrl`.
    origin: String,
    rate: RateLimit,
    inner: Mutex<Inner>,
}

impl RocketChat {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Every route served (see [`Service::routes`](crate::Service::routes)).
pub(crate) const ROUTES: [(&str, &str); 3] = [
    ("POST", "/api/v1/login"),
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/logout"),
];

pub(crate) fn router(origin: String, rate: RateLimit, lifetimes: Lifetimes) -> Router {
    let state = Arc::new(RocketChat {
        origin,
        rate,
        inner: Mutex::new(Inner {
            sessions: ExpiringMap::new(lifetimes.token),
            failures: ExpiringMap::new(lifetimes.failure),
            wrong_codes: HashMap::new(),
            windows: HashMap::new(),
        }),
    });
    Router::new()
        .route(ROUTES[0].1, post(login))
        .route(ROUTES[1].1, get(me))
        .route(ROUTES[2].1, post(logout))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                Json(json!({"success": false, "error": "API endpoint does not exist"})),
            )
        })
        .with_state(state)
}

fn epoch_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Outcome of counting one login call against the client's window.
struct RateState {
    limit: u32,
    remaining: u32,
    reset_epoch_ms: u64,
    exceeded: bool,
}

impl RateState {
    fn apply(&self, resp: &mut Response) {
        let h = resp.headers_mut();
        for (name, value) in [
            ("x-ratelimit-limit", u64::from(self.limit)),
            ("x-ratelimit-remaining", u64::from(self.remaining)),
            ("x-ratelimit-reset", self.reset_epoch_ms),
        ] {
            h.insert(HeaderName::from_static(name), HeaderValue::from(value));
        }
    }
}

impl RocketChat {
    fn count_call(&self, ip: IpAddr) -> RateState {
        let now = Instant::now();
        let RateLimit { limit, window } = self.rate;
        let mut inner = self.inner();
        if !inner.windows.contains_key(&ip) {
            // A new client: forget the clients whose window is over.
            inner
                .windows
                .retain(|_, w| now.duration_since(w.started) < window);
        }
        let w = inner.windows.entry(ip).or_insert_with(|| Window {
            started: now,
            reset_epoch_ms: 0,
            used: 0,
        });
        if w.used == 0 || now.duration_since(w.started) >= window {
            w.started = now;
            w.reset_epoch_ms = epoch_ms().saturating_add(window.as_millis() as u64);
            w.used = 0;
        }
        let exceeded = w.used >= limit;
        if !exceeded {
            w.used += 1;
        }
        RateState {
            limit,
            remaining: limit.saturating_sub(w.used),
            reset_epoch_ms: w.reset_epoch_ms,
            exceeded,
        }
    }

    fn user_json(&self, u: &User) -> Value {
        json!({
            "_id": u.id,
            "username": u.username,
            "name": u.name,
            "emails": [{"address": u.email, "verified": true}],
            "status": "online",
            "statusConnection": "online",
            "utcOffset": 0,
            "active": true,
            "roles": ["user"],
            "avatarUrl": format!("{}/avatar/{}", self.origin, u.username),
            "settings": {"preferences": {}},
        })
    }

    fn success(&self, token: &str, idx: usize) -> Response {
        let Some(u) = USERS.get(idx) else {
            return unauthorized("Unauthorized");
        };
        let body = json!({
            "status": "success",
            "success": true,
            "data": {"authToken": token, "userId": u.id, "me": self.user_json(u)},
        });
        (
            [
                (header::CACHE_CONTROL, "no-store"),
                (header::PRAGMA, "no-cache"),
            ],
            Json(body),
        )
            .into_response()
    }

    /// The session behind `X-Auth-Token` + `X-User-Id`, if both match.
    fn session(&self, headers: &HeaderMap) -> Option<(String, usize)> {
        let token = headers.get("x-auth-token")?.to_str().ok()?;
        let user_id = headers.get("x-user-id")?.to_str().ok()?;
        let idx = *self
            .inner()
            .sessions
            .get(Instant::now(), &token.to_owned())?;
        (USERS.get(idx)?.id == user_id).then(|| (token.to_owned(), idx))
    }
}

fn login_error(error: &str, message: &str, details: Option<Value>) -> Response {
    let mut body = json!({
        "success": false,
        "status": "error",
        "error": error,
        "message": message,
    });
    if let (Some(d), Some(obj)) = (details, body.as_object_mut()) {
        obj.insert("details".into(), d);
    }
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

fn unauthorized(message: &str) -> Response {
    login_error("Unauthorized", message, None)
}

fn auth_error() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({
            "success": false,
            "status": "error",
            "error": "You must be logged in to do this.",
        })),
    )
        .into_response()
}

/// What a login body asks for.
enum LoginBody {
    Password {
        user: String,
        password: String,
        code: Option<String>,
    },
    Resume(String),
    Invalid,
}

/// The fields a password login may have (`PasswordLogin` has `additionalProperties: false`).
const PASSWORD_LOGIN_FIELDS: [&str; 5] = ["user", "username", "email", "password", "code"];

/// Reads a JSON or form body as the spec's `LoginRequest`; other media types, and bodies that
/// match neither `PasswordLogin` nor `ResumeLogin`, are `Invalid`.
fn parse_body(headers: &HeaderMap, body: &[u8]) -> LoginBody {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let fields: serde_json::Map<String, Value> = match media_type.as_str() {
        "application/json" => match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => map,
            _ => return LoginBody::Invalid,
        },
        "application/x-www-form-urlencoded" => form_urlencoded::parse(body)
            .into_owned()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
        _ => return LoginBody::Invalid,
    };
    let string = |k: &str| fields.get(k).and_then(Value::as_str).map(str::to_owned);
    let all_strings = fields.values().all(Value::is_string);
    let only_password_fields = fields
        .keys()
        .all(|k| PASSWORD_LOGIN_FIELDS.contains(&k.as_str()));
    let names_user = ["user", "username", "email"]
        .iter()
        .any(|k| fields.contains_key(*k));
    if all_strings
        && only_password_fields
        && names_user
        && let Some(password) = string("password")
    {
        // `user` wins when present (even empty); `username` and `email` only when not empty.
        let user = string("user")
            .or_else(|| string("username").filter(|v| !v.is_empty()))
            .or_else(|| string("email").filter(|v| !v.is_empty()))
            .unwrap_or_default();
        return LoginBody::Password {
            user,
            password,
            code: string("code").filter(|v| !v.is_empty()),
        };
    }
    match string("resume") {
        Some(resume) => LoginBody::Resume(resume),
        None => LoginBody::Invalid,
    }
}

async fn login(State(st): State<Arc<RocketChat>>, req: Request) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |c| c.0.ip());
    let rate = st.count_call(ip);
    let mut resp = if rate.exceeded {
        let wait_s = rate
            .reset_epoch_ms
            .saturating_sub(epoch_ms())
            .div_ceil(1000);
        tracing::info!(service = "rocketchat", %ip, "login rate limited");
        (
            StatusCode::TOO_MANY_REQUESTS,
            Json(json!({
                "success": false,
                "error": format!("Error, too many requests. Please slow down. You must wait {wait_s} seconds before trying this endpoint again."),
            })),
        )
            .into_response()
    } else {
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, MAX_BODY)
            .await
            .unwrap_or_default();
        st.login(&parts.headers, &body)
    };
    rate.apply(&mut resp);
    resp
}

impl RocketChat {
    fn login(&self, headers: &HeaderMap, body: &[u8]) -> Response {
        let (user, password, code) = match parse_body(headers, body) {
            LoginBody::Invalid => {
                tracing::info!(service = "rocketchat", "login refused: malformed body");
                return unauthorized("Unauthorized");
            }
            LoginBody::Resume(token) => {
                let idx = self.inner().sessions.get(Instant::now(), &token).copied();
                return match idx {
                    Some(idx) => {
                        tracing::info!(service = "rocketchat", "resume login succeeded");
                        self.success(&token, idx)
                    }
                    None => {
                        tracing::info!(service = "rocketchat", "resume login refused");
                        unauthorized("You've been logged out by the server. Please log in again.")
                    }
                };
            }
            LoginBody::Password {
                user,
                password,
                code,
            } => (user, password, code),
        };
        let code = code.or_else(|| {
            headers
                .get("x-2fa-code")
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        });
        let ident = user.to_lowercase();
        let now = Instant::now();
        let mut inner = self.inner();

        let blocked_until = inner
            .failures
            .get(now, &ident)
            .and_then(|f| f.blocked_until);
        if blocked_until.is_some_and(|t| now < t) {
            tracing::info!(service = "rocketchat", "login refused: user blocked");
            return login_error(
                "error-login-blocked-for-user",
                "Login has been temporarily blocked for this User",
                None,
            );
        }

        let by_email = ident.contains('@');
        let found = USERS.iter().position(|u| {
            if by_email {
                u.email.eq_ignore_ascii_case(&ident)
            } else {
                u.username.eq_ignore_ascii_case(&ident)
            }
        });
        let Some(idx) = found.filter(|_| password == DEMO_PASSWORD) else {
            let lockout = inner.failures.lifetime();
            let failures = inner.failures.touch(now, ident, None);
            failures.count += 1;
            if failures.count >= LOCKOUT_AFTER {
                failures.count = 0;
                failures.blocked_until = Some(now + lockout);
            }
            tracing::info!(
                service = "rocketchat",
                "login refused: bad user or password"
            );
            return unauthorized("Unauthorized");
        };
        inner.failures.remove(now, &ident);

        if USERS.get(idx).is_some_and(|u| u.two_factor) {
            let details =
                json!({"method": "totp", "codeGenerated": false, "availableMethods": ["totp"]});
            let Some(code) = code else {
                // A code-less login starts a fresh round of code attempts.
                inner.wrong_codes.remove(&idx);
                tracing::info!(service = "rocketchat", "login needs a TOTP code");
                return login_error("totp-required", "TOTP Required", Some(details));
            };
            let wrong = inner.wrong_codes.entry(idx).or_default();
            if *wrong >= MAX_TOTP_ATTEMPTS {
                tracing::info!(
                    service = "rocketchat",
                    "login refused: too many wrong codes"
                );
                return login_error(
                    "totp-max-attempts",
                    "TOTP Maximum Attempts Reached",
                    Some(json!({"method": "totp"})),
                );
            }
            if code != SECOND_FACTOR_CODE {
                *wrong += 1;
                tracing::info!(service = "rocketchat", "login refused: wrong TOTP code");
                return login_error(
                    "totp-invalid",
                    "TOTP Invalid",
                    Some(json!({"method": "totp"})),
                );
            }
            inner.wrong_codes.remove(&idx);
        }

        let token = random_string(43, URL_SAFE);
        inner.sessions.insert(now, token.clone(), idx);
        drop(inner);
        tracing::info!(service = "rocketchat", "login succeeded");
        self.success(&token, idx)
    }
}

async fn me(State(st): State<Arc<RocketChat>>, headers: HeaderMap) -> Response {
    let Some((_, idx)) = st.session(&headers) else {
        return auth_error();
    };
    let Some(u) = USERS.get(idx) else {
        return auth_error();
    };
    let mut body = st.user_json(u);
    if let Some(obj) = body.as_object_mut() {
        obj.insert("success".into(), Value::Bool(true));
    }
    Json(body).into_response()
}

/// A logout's body, ignored by the server, must be absent or a JSON object (`LogoutRequest`).
fn logout_body_ok(headers: &HeaderMap, body: &[u8]) -> bool {
    if body.is_empty() {
        return true;
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    is_json && matches!(serde_json::from_slice::<Value>(body), Ok(Value::Object(_)))
}

async fn logout(State(st): State<Arc<RocketChat>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    if !logout_body_ok(&parts.headers, &body) {
        tracing::info!(
            service = "rocketchat",
            "logout refused: body is not a JSON object"
        );
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({
                "success": false,
                "status": "error",
                "error": "The request body must be a JSON object.",
            })),
        )
            .into_response();
    }
    let Some((token, _)) = st.session(&parts.headers) else {
        return auth_error();
    };
    st.inner().sessions.remove(Instant::now(), &token);
    tracing::info!(service = "rocketchat", "logged out");
    Json(json!({"status": "success", "data": {"message": "You've been logged out!"}}))
        .into_response()
}
