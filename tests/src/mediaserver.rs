//! A tiny look-alike of the made-up media server of `tests/fixtures/new-service/mediaserver.yaml`
//! (a Jellyfin-like login): the server the new-service test logs in to after adding that spec.
//!
//! It checks the exact wire shapes the spec's `x-apilogin` must produce, and records every
//! request it received ([`MediaServer::received`]):
//!
//! * `POST /Users/AuthenticateByName`: the header `X-Emby-Authorization: MediaBrowser
//!   Client="apilogin", Device="<non-empty>", DeviceId="<UUID v4>", Version="<non-empty>"`
//!   (exactly those keys, in that order), a JSON object body with the strings `Username` and
//!   `Pw` and, if present, the boolean `RememberMe` (a string `"true"` is refused), and nothing
//!   else. A malformed request answers 400 with every problem in `errors`; user [`LOCKED_USER`]
//!   answers 401 with `X-Login-Failure: locked`, user [`EXPIRED_USER`] 401 with
//!   `X-Password-Expired`, a wrong password 401.
//! * `GET /Users/{userId}`: `Authorization: MediaBrowser Token="<token>"` of a live session of
//!   that user, else 401 without a body; the query parameter `includePolicy`, when sent, is
//!   `true` or `false` (else 400).
//! * `POST /Sessions/Logout`: `Authorization: MediaBrowser Client="apilogin",
//!   DeviceId="<the device id of the login>", Token="<token>"` and no body, else 401 without a
//!   body; 204 without a body.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The user that logs in.
pub const USER: &str = "demo";
/// Its password.
pub const PASSWORD: &str = "demo-password";
/// Its id.
pub const USER_ID: &str = "38a5a5bb-dc30-49a2-b175-1de0d1488c43";
/// A user whose account is locked (401 with `X-Login-Failure: locked`).
pub const LOCKED_USER: &str = "locked";
/// A user whose password has expired (401 with `X-Password-Expired`).
pub const EXPIRED_USER: &str = "expired";
/// The server's id (`ServerId` of a login's answer).
pub const SERVER_ID: &str = "713dc3fe952b438fa5d2e3f1ab4c5d6e";

/// One request the server received, and its answer's status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query, if any.
    pub query: Option<String>,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The `X-Emby-Authorization` header.
    pub emby_authorization: Option<String>,
    /// The body as it came (text; empty when there was none).
    pub body: String,
    /// The status the server answered.
    pub status: u16,
}

#[derive(Default)]
struct Inner {
    /// Live sessions: token → device id.
    sessions: HashMap<String, String>,
    /// The device ids of the successful logins, in order.
    logins: Vec<String>,
    received: Vec<Received>,
    next: u64,
}

type Shared = Arc<Mutex<Inner>>;

fn lock(state: &Shared) -> std::sync::MutexGuard<'_, Inner> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running media server on 127.0.0.1; it stops when dropped.
pub struct MediaServer {
    /// Its base URL (`http://127.0.0.1:PORT`).
    pub url: String,
    state: Shared,
    task: JoinHandle<()>,
}

impl Drop for MediaServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl MediaServer {
    /// Starts a server on a free port.
    pub async fn start() -> std::io::Result<MediaServer> {
        let state = Shared::default();
        let app = Router::new()
            .route("/Users/AuthenticateByName", post(login))
            .route("/Users/{user_id}", get(user))
            .route("/Sessions/Logout", post(logout))
            .with_state(state.clone());
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(MediaServer {
            url: format!("http://{addr}"),
            state,
            task,
        })
    }

    /// Every request received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.state).received.clone()
    }

    /// The device ids of the successful logins, in order.
    pub fn login_device_ids(&self) -> Vec<String> {
        lock(&self.state).logins.clone()
    }

    /// How many sessions are live (logged in and not logged out).
    pub fn live_sessions(&self) -> usize {
        lock(&self.state).sessions.len()
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// Records the request and its answer.
fn record(
    state: &Shared,
    method: Method,
    path: String,
    query: Option<String>,
    headers: &HeaderMap,
    body: &Bytes,
    response: Response,
) -> Response {
    lock(state).received.push(Received {
        method: method.to_string(),
        path,
        query,
        authorization: header(headers, "authorization"),
        emby_authorization: header(headers, "x-emby-authorization"),
        body: String::from_utf8_lossy(body).into_owned(),
        status: response.status().as_u16(),
    });
    response
}

/// `MediaBrowser Key="value", Key="value"` → the pairs in order; `None` when it is not that.
pub fn media_browser(value: &str) -> Option<Vec<(String, String)>> {
    let mut rest = value.strip_prefix("MediaBrowser ")?;
    let mut pairs = Vec::new();
    loop {
        let (key, after) = rest.split_once("=\"")?;
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        let (value, after) = after.split_once('"')?;
        pairs.push((key.to_owned(), value.to_owned()));
        if after.is_empty() {
            return Some(pairs);
        }
        rest = after.strip_prefix(", ")?;
    }
}

/// A lower-case, hyphenated UUID of version 4 and the RFC 4122 variant.
pub fn is_uuid_v4(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| {
            g.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
        && groups[2].starts_with('4')
        && groups[3].starts_with(['8', '9', 'a', 'b'])
}

fn problem(status: StatusCode, title: &str, errors: &[String]) -> Response {
    let mut body = json!({ "title": title });
    if !errors.is_empty() {
        body["errors"] = json!(errors);
    }
    (status, Json(body)).into_response()
}

/// The problems of a login's client header; its device id when there are none.
fn client_header(headers: &HeaderMap, errors: &mut Vec<String>) -> Option<String> {
    let Some(value) = header(headers, "x-emby-authorization") else {
        errors.push("The X-Emby-Authorization header is required.".to_owned());
        return None;
    };
    let Some(pairs) = media_browser(&value) else {
        errors.push("X-Emby-Authorization is not `MediaBrowser Key=\"value\", ...`.".to_owned());
        return None;
    };
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    if keys != ["Client", "Device", "DeviceId", "Version"] {
        errors.push(format!(
            "X-Emby-Authorization has the keys {keys:?}, not Client, Device, DeviceId, Version."
        ));
        return None;
    }
    let mut ok = true;
    if pairs[0].1 != "apilogin" {
        errors.push("X-Emby-Authorization: Client must be \"apilogin\".".to_owned());
        ok = false;
    }
    if pairs[1].1.is_empty() || pairs[3].1.is_empty() {
        errors.push("X-Emby-Authorization: Device and Version must not be empty.".to_owned());
        ok = false;
    }
    if !is_uuid_v4(&pairs[2].1) {
        errors.push("X-Emby-Authorization: DeviceId must be a UUID v4.".to_owned());
        ok = false;
    }
    ok.then(|| pairs[2].1.clone())
}

async fn login(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let response = login_answer(&state, &headers, &body);
    record(
        &state,
        Method::POST,
        "/Users/AuthenticateByName".to_owned(),
        None,
        &headers,
        &body,
        response,
    )
}

fn login_answer(state: &Shared, headers: &HeaderMap, body: &Bytes) -> Response {
    let mut errors = Vec::new();
    let device = client_header(headers, &mut errors);
    let json_type =
        header(headers, "content-type").is_some_and(|t| t.starts_with("application/json"));
    if !json_type {
        errors.push("The body must be application/json.".to_owned());
    }
    let parsed: Option<serde_json::Map<String, Value>> = serde_json::from_slice(body).ok();
    let Some(fields) = parsed else {
        errors.push("The body must be a JSON object.".to_owned());
        return problem(
            StatusCode::BAD_REQUEST,
            "One or more validation errors occurred.",
            &errors,
        );
    };
    for key in fields.keys() {
        if !["Username", "Pw", "RememberMe"].contains(&key.as_str()) {
            errors.push(format!("Unknown field {key}."));
        }
    }
    let text = |name: &str, errors: &mut Vec<String>| match fields.get(name) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(format!("The {name} field must be a string."));
            None
        }
        None => {
            errors.push(format!("The {name} field is required."));
            None
        }
    };
    let user = text("Username", &mut errors);
    let password = text("Pw", &mut errors);
    if fields.get("RememberMe").is_some_and(|v| !v.is_boolean()) {
        errors.push("The RememberMe field must be a boolean.".to_owned());
    }
    let (Some(user), Some(password), Some(device), true) =
        (user, password, device, errors.is_empty())
    else {
        return problem(
            StatusCode::BAD_REQUEST,
            "One or more validation errors occurred.",
            &errors,
        );
    };
    let refused = |extra: Option<(&'static str, &'static str)>| {
        let mut r = problem(
            StatusCode::UNAUTHORIZED,
            "Invalid user name or password.",
            &[],
        );
        if let Some((name, value)) = extra {
            r.headers_mut()
                .insert(name, axum::http::HeaderValue::from_static(value));
        }
        r
    };
    match (user.as_str(), password == PASSWORD) {
        (LOCKED_USER, _) => return refused(Some(("x-login-failure", "locked"))),
        (EXPIRED_USER, _) => return refused(Some(("x-password-expired", "2026-01-01"))),
        (USER, true) => {}
        _ => return refused(None),
    }
    let mut inner = lock(state);
    inner.next += 1;
    let token = format!("{:032x}", (0x5f0c_6a1e_u128 << 64) | u128::from(inner.next));
    inner.sessions.insert(token.clone(), device.clone());
    inner.logins.push(device);
    Json(json!({
        "AccessToken": token,
        "ServerId": SERVER_ID,
        "User": {"Id": USER_ID, "Name": USER},
    }))
    .into_response()
}

/// The token of `Authorization: MediaBrowser Token="<token>"` when it is a live session.
fn token_only(state: &Shared, headers: &HeaderMap) -> Option<String> {
    let pairs = media_browser(&header(headers, "authorization")?)?;
    let [(key, token)] = pairs.as_slice() else {
        return None;
    };
    (key == "Token" && lock(state).sessions.contains_key(token)).then(|| token.clone())
}

async fn user(
    State(state): State<Shared>,
    Path(user_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let include_policy = query.as_deref().map(|q| {
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect::<Vec<_>>()
    });
    let response = match include_policy.as_deref() {
        Some([(k, v)]) if k == "includePolicy" && (v == "true" || v == "false") => None,
        None | Some([]) => None,
        Some(_) => Some(problem(
            StatusCode::BAD_REQUEST,
            "includePolicy must be true or false, and the only query parameter.",
            &[],
        )),
    }
    .unwrap_or_else(|| match token_only(&state, &headers) {
        Some(_) if user_id == USER_ID && body.is_empty() => {
            Json(json!({"Id": USER_ID, "Name": USER})).into_response()
        }
        _ => StatusCode::UNAUTHORIZED.into_response(),
    });
    record(
        &state,
        Method::GET,
        format!("/Users/{user_id}"),
        query,
        &headers,
        &body,
        response,
    )
}

async fn logout(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = header(&headers, "authorization").and_then(|v| media_browser(&v));
    let response = match pairs.as_deref() {
        Some([(client, name), (device, device_id), (token, t)])
            if client == "Client"
                && name == "apilogin"
                && device == "DeviceId"
                && token == "Token"
                && body.is_empty() =>
        {
            let mut inner = lock(&state);
            if inner.sessions.get(t) == Some(device_id) {
                inner.sessions.remove(t);
                StatusCode::NO_CONTENT.into_response()
            } else {
                StatusCode::UNAUTHORIZED.into_response()
            }
        }
        _ => StatusCode::UNAUTHORIZED.into_response(),
    };
    record(
        &state,
        Method::POST,
        "/Sessions/Logout".to_owned(),
        None,
        &headers,
        &body,
        response,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_header_is_read_pair_by_pair() {
        assert_eq!(
            media_browser(r#"MediaBrowser Client="a, b", Token="t""#),
            Some(vec![
                ("Client".to_owned(), "a, b".to_owned()),
                ("Token".to_owned(), "t".to_owned())
            ])
        );
        assert_eq!(media_browser(r#"MediaBrowser Token=t"#), None);
        assert_eq!(media_browser(r#"Bearer Token="t""#), None);
        assert_eq!(media_browser(r#"MediaBrowser Token="t"x"#), None);
    }

    #[test]
    fn only_version_4_uuids_are_device_ids() {
        assert!(is_uuid_v4("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(!is_uuid_v4("0f8fad5b-d9cb-169f-a165-70867728950e"));
        assert!(!is_uuid_v4("0F8FAD5B-D9CB-469F-A165-70867728950E"));
        assert!(!is_uuid_v4("0f8fad5bd9cb469fa16570867728950e"));
    }
}
