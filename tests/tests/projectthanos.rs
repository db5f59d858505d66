//! Project Thanos: `projectthanos-client`'s `login` and every documented status (200 for both
//! organisation types, 400, 401, 403, 404, 415), through the recording proxy, with each exchange
//! checked against `specs/projectthanos.yaml`.

use apilogin_sandbox::{DEMO_PASSWORD, Service};
use apilogin_tests::clients::{self, TIMEOUT, error_body};
use apilogin_tests::{Harness, scenario_tests};
use projectthanos_client::types::{LoginRequest, LoginResponseOrgType};

const LOGIN_PATH: &str = "/api/organizations/user-login/";

fn credentials(username: &str, password: &str) -> LoginRequest {
    LoginRequest {
        username: username.parse().expect("a non-empty user name"),
        password: password.into(),
    }
}

fn raw() -> reqwest::Client {
    clients::http(TIMEOUT, &[])
}

scenario_tests!(Service::ProjectThanos;
    retailer_login_succeeds,
    supplier_login_succeeds,
    empty_password_is_400,
    missing_password_is_400,
    wrong_password_is_401,
    account_without_api_access_is_403,
    missing_trailing_slash_is_404,
    wrong_base_url_is_a_typed_404,
    text_plain_body_is_415,
);

async fn retailer_login_succeeds() -> Harness {
    let h = Harness::start(Service::ProjectThanos).await;
    let login = clients::projectthanos(h.base_url())
        .login()
        .body(credentials("retailer@projectthanos.com", DEMO_PASSWORD))
        .send()
        .await
        .expect("retailer login")
        .into_inner();
    assert_eq!(login.org_type, LoginResponseOrgType::Retailer);
    assert!(!login.retailer_uuid.is_empty());
    assert_eq!(login.supplier_uuid, "");
    assert!(!login.auth_token.expose_secret().is_empty());
    assert!(!format!("{login:?}").contains(login.auth_token.expose_secret()));
    assert_eq!(
        h.exchanges()[0].request_header("content-type"),
        Some("application/json")
    );
    h
}

async fn supplier_login_succeeds() -> Harness {
    let h = Harness::start(Service::ProjectThanos).await;
    let login = clients::projectthanos(h.base_url())
        .login()
        .body(credentials("SUPPLIER@projectthanos.com", DEMO_PASSWORD))
        .send()
        .await
        .expect("supplier login (user names are case-insensitive)")
        .into_inner();
    assert_eq!(login.org_type, LoginResponseOrgType::Supplier);
    assert_eq!(login.retailer_uuid, "");
    assert!(!login.supplier_uuid.is_empty());
    h
}

async fn empty_password_is_400() -> Harness {
    let h = Harness::start(Service::ProjectThanos).await;
    // The spec refuses an empty password (its `not`), but the typed client can still send one
    // (the constraint is not in the Rust type), and the server answers 400.
    let client = clients::projectthanos(h.base_url());
    let result = client
        .login()
        .body(credentials("retailer@projectthanos.com", ""))
        .send()
        .await;
    assert!(!error_body(result, 400).into_inner().detail.is_empty());
    // The typed client refuses an empty username itself (the spec's `minLength: 1`)...
    assert!(
        "".parse::<projectthanos_client::types::LoginRequestUsername>()
            .is_err()
    );
    // ...and the server refuses it too: sent with plain reqwest, through the proxy.
    let resp = raw()
        .post(format!("{}{LOGIN_PATH}", h.base_url()))
        .json(&serde_json::json!({"username": "", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    h.expect_violation("is shorter than 1 character");
    h
}

async fn missing_password_is_400() -> Harness {
    let h = Harness::start(Service::ProjectThanos).await;
    // The typed client cannot leave out a required field (`LoginRequest.password` is not an
    // Option), so this request is sent with plain reqwest, through the proxy all the same.
    let resp = raw()
        .post(format!("{}{LOGIN_PATH}", h.base_url()))
        .json(&serde_json::json!({"username": "retailer@projectthanos.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["detail"], "username and password are required.");
    // The request breaks the spec on purpose; the response is still checked.
    h.expect_violation("\"password\" is a required property");
    h
}

async fn wrong_password_is_401() -> Harness {
    let h = Harness::start(Service::ProjectThanos).await;
    let result = clients::projectthanos(h.base_url())
        .login()
        .body(credentials(
            "retailer@projectthanos.com",
            "not-the-password",
        ))
        .send()
        .await;
    assert_eq!(
        error_body(result, 401).into_inner().detail,
        "Invalid username or password."
    );
    h
}

async fn account_without_api_access_is_403() -> Harness {
    let h = Harness::start(Service::ProjectThanos).await;
    let result = clients::projectthanos(h.base_url())
        .login()
        .body(credentials("noaccess@projectthanos.com", DEMO_PASSWORD))
        .send()
        .await;
    assert!(
        error_body(result, 403)
            .into_inner()
            .detail
            .contains("permission")
    );
    h
}

async fn missing_trailing_slash_is_404() -> Harness {
    let h = Harness::start(Service::ProjectThanos).await;
    // The generated client always adds the slash, so the wrong URL is sent with plain reqwest.
    let path = LOGIN_PATH.trim_end_matches('/');
    let resp = raw()
        .post(format!("{}{path}", h.base_url()))
        .json(&serde_json::json!({"username": "retailer@projectthanos.com", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["detail"], "Not found.");
    // The path is in no spec operation: check it as the login it was meant to be.
    h.attribute(path, "login");
    h
}

async fn wrong_base_url_is_a_typed_404() -> Harness {
    let h = Harness::start(Service::ProjectThanos).await;
    // A base URL with a stray `/api`: the typed client gets its documented 404 body.
    let client = clients::projectthanos(&format!("{}/api", h.base_url()));
    let result = client
        .login()
        .body(credentials("retailer@projectthanos.com", DEMO_PASSWORD))
        .send()
        .await;
    assert_eq!(error_body(result, 404).into_inner().detail, "Not found.");
    h.attribute(&format!("/api{LOGIN_PATH}"), "login");
    h
}

async fn text_plain_body_is_415() -> Harness {
    let h = Harness::start(Service::ProjectThanos).await;
    // The generated client always sends JSON, so the wrong media type is sent with plain reqwest.
    let resp = raw()
        .post(format!("{}{LOGIN_PATH}", h.base_url()))
        .header("content-type", "text/plain")
        .body(format!(
            r#"{{"username":"retailer@projectthanos.com","password":"{DEMO_PASSWORD}"}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        body["detail"],
        r#"Unsupported media type "text/plain" in request."#
    );
    h.expect_violation("request content type `text/plain` is not described");
    h
}
