//! Rocket.Chat: `POST /api/v1/login`, `GET /api/v1/me`, `POST /api/v1/logout`.
//!
//! Login order, as in Rocket.Chat: rate limit (429), body, per-user lockout, password, then the
//! second factor. Every login failure is HTTP 401 with `{"success":false,"status":"error",…}`.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::accounts::{DEMO_PASSWORD, SECOND_FACTOR_CODE};
use crate::token::{URL_SAFE, random_string};

/// Consecutive failed logins after which a user name is blocked.
const LOCKOUT_AFTER: u32 = 5;
/// How long a blocked user name stays blocked (Rocket.Chat's default).
const LOCKOUT_FOR: Duration = Duration::from_secs(300);
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

/// Fixed-window rate limit per client IP.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RateLimit {
    pub(crate) limit: u32,
    pub(crate) window: Duration,
}

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

#[derive(Default)]
struct Inner {
    /// authToken -> index into `USERS`.
    sessions: HashMap<String, usize>,
    /// Lower-cased login identifier -> consecutive failures.
    failures: HashMap<String, Failures>,
    /// Index into `USERS` -> wrong codes since the last code-less login.
    wrong_codes: HashMap<usize, u32>,
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

pub(crate) fn router(origin: String, rate: RateLimit) -> Router {
    let state = Arc::new(RocketChat {
        origin,
        rate,
        inner: Mutex::new(Inner::default()),
    });
    Router::new()
        .route("/api/v1/login", post(login))
        .route("/api/v1/me", get(me))
        .route("/api/v1/logout", post(logout))
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
        let idx = *self.inner().sessions.get(token)?;
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

/// Reads a JSON or form body; other media types count as an empty body, as with Express.
fn parse_body(headers: &HeaderMap, body: &[u8]) -> LoginBody {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let fields: HashMap<String, String> = if ct.contains("json") {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => map
                .into_iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k, s)),
                    // Some clients send the 2FA code as a number.
                    Value::Number(n) => Some((k, n.to_string())),
                    _ => None,
                })
                .collect(),
            _ => HashMap::new(),
        }
    } else if ct.starts_with("application/x-www-form-urlencoded") {
        form_urlencoded::parse(body).into_owned().collect()
    } else {
        HashMap::new()
    };
    let take = |k: &str| fields.get(k).filter(|v| !v.is_empty()).cloned();
    let user = take("user")
        .or_else(|| take("username"))
        .or_else(|| take("email"));
    match (user, take("password"), take("resume")) {
        (Some(user), Some(password), _) => LoginBody::Password {
            user,
            password,
            code: take("code"),
        },
        (None, None, Some(resume)) => LoginBody::Resume(resume),
        _ => LoginBody::Invalid,
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
                let idx = self.inner().sessions.get(&token).copied();
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

        let failures = inner.failures.entry(ident.clone()).or_default();
        if failures.blocked_until.is_some_and(|t| now < t) {
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
            failures.count += 1;
            if failures.count >= LOCKOUT_AFTER {
                failures.count = 0;
                failures.blocked_until = Some(now + LOCKOUT_FOR);
            }
            tracing::info!(
                service = "rocketchat",
                "login refused: bad user or password"
            );
            return unauthorized("Unauthorized");
        };
        *failures = Failures::default();

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
        inner.sessions.insert(token.clone(), idx);
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

async fn logout(State(st): State<Arc<RocketChat>>, headers: HeaderMap) -> Response {
    let Some((token, _)) = st.session(&headers) else {
        return auth_error();
    };
    st.inner().sessions.remove(&token);
    tracing::info!(service = "rocketchat", "logged out");
    Json(json!({"status": "success", "data": {"message": "You've been logged out!"}}))
        .into_response()
}
