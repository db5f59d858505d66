//! Project Thanos: `POST /api/organizations/user-login/`.
//!
//! The real server is Django REST Framework, so errors are `{"detail": "…"}` and the checks run
//! in DRF's order: method (405), media type (415), JSON parse (400), fields (400), credentials
//! (401), permission (403).

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::post;
use serde_json::{Value, json};

use crate::accounts::DEMO_PASSWORD;
use crate::token::{HEX_LOWER, random_string};

const LOGIN_PATH: &str = "/api/organizations/user-login/";

struct Account {
    username: &'static str,
    org_type: &'static str,
    org_uuid: &'static str,
    user_uuid: &'static str,
    retailer_uuid: &'static str,
    supplier_uuid: &'static str,
    /// False for the account that exists but may not use the API (403).
    allowed: bool,
}

static ACCOUNTS: [Account; 3] = [
    Account {
        username: "retailer@projectthanos.com",
        org_type: "RETAILER",
        org_uuid: "e7409ece-e923-4aa8-a41b-4aacb9e475be",
        user_uuid: "3a7acb28-ab13-437e-8c35-46cf4f0bea49",
        retailer_uuid: "1d2e146c-a3df-4073-89c6-9ffc3061319c",
        supplier_uuid: "",
        allowed: true,
    },
    Account {
        username: "supplier@projectthanos.com",
        org_type: "SUPPLIER",
        org_uuid: "5b0c9d8e-7f6a-4b3c-9d2e-1f0a9b8c7d6e",
        user_uuid: "8c7b6a5d-4e3f-4a2b-8c1d-0e9f8a7b6c5d",
        retailer_uuid: "",
        supplier_uuid: "2f3e4d5c-6b7a-4c8d-9e0f-a1b2c3d4e5f6",
        allowed: true,
    },
    Account {
        username: "noaccess@projectthanos.com",
        org_type: "RETAILER",
        org_uuid: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        user_uuid: "4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a",
        retailer_uuid: "6e7f8a9b-0c1d-4e2f-9a3b-4c5d6e7f8a9b",
        supplier_uuid: "",
        allowed: false,
    },
];

/// Every route served (see [`Service::routes`](crate::Service::routes)).
pub(crate) const ROUTES: [(&str, &str); 1] = [("POST", LOGIN_PATH)];

pub(crate) fn router() -> Router {
    Router::new()
        .route(LOGIN_PATH, post(login).fallback(method_not_allowed))
        .fallback(not_found)
}

fn detail(status: StatusCode, detail: &str) -> Response {
    (status, Json(json!({ "detail": detail }))).into_response()
}

async fn login(headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    // An unreadable or over-large (> 2 MiB) body counts as empty: the service's own error.
    let body = body.unwrap_or_default();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    if !media_type.eq_ignore_ascii_case("application/json") {
        return detail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!("Unsupported media type \"{content_type}\" in request."),
        );
    }
    let body: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(err) => {
            return detail(
                StatusCode::BAD_REQUEST,
                &format!("JSON parse error - {err}"),
            );
        }
    };
    let field = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let (Some(username), Some(password)) = (field("username"), field("password")) else {
        return detail(
            StatusCode::BAD_REQUEST,
            "username and password are required.",
        );
    };
    let account = ACCOUNTS
        .iter()
        .find(|a| a.username.eq_ignore_ascii_case(username));
    match account {
        Some(a) if password == DEMO_PASSWORD && !a.allowed => {
            tracing::info!(
                service = "projectthanos",
                user = a.username,
                "login refused: no permission"
            );
            detail(
                StatusCode::FORBIDDEN,
                "You do not have permission to perform this action.",
            )
        }
        Some(a) if password == DEMO_PASSWORD => {
            tracing::info!(
                service = "projectthanos",
                user = a.username,
                "login succeeded"
            );
            Json(json!({
                "auth_token": random_string(40, HEX_LOWER),
                "org_uuid": a.org_uuid,
                "user_uuid": a.user_uuid,
                "retailer_uuid": a.retailer_uuid,
                "supplier_uuid": a.supplier_uuid,
                "org_type": a.org_type,
            }))
            .into_response()
        }
        _ => {
            tracing::info!(
                service = "projectthanos",
                "login refused: bad username or password"
            );
            detail(StatusCode::UNAUTHORIZED, "Invalid username or password.")
        }
    }
}

async fn method_not_allowed(method: Method) -> Response {
    let mut resp = detail(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("Method \"{method}\" not allowed."),
    );
    resp.headers_mut().insert(
        header::ALLOW,
        header::HeaderValue::from_static("POST, OPTIONS"),
    );
    resp
}

async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        detail(StatusCode::NOT_FOUND, "Not found.")
    } else {
        (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html")],
            "<h1>Not Found</h1><p>The requested resource was not found on this server.</p>",
        )
            .into_response()
    }
}
