//! remote.it: every operation of `remoteit-client` and every documented outcome, through the
//! recording proxy, with each exchange checked against `specs/remoteit.yaml`.

use apilogin_sandbox::{DEMO_PASSWORD, REMOTEIT_DEVELOPER_KEY, Service};
use apilogin_tests::clients::{self, TIMEOUT, error_body};
use apilogin_tests::{Harness, scenario_tests};
use remoteit_client::types::{
    AuthhashLoginRequest, ErrorResponseStatus, LoginRequest, LoginResponseStatus,
};

const USER: &str = "demo@remote.it";
const MFA_USER: &str = "mfa@remote.it";

fn credentials(username: &str, password: &str) -> LoginRequest {
    LoginRequest {
        username: username.to_owned(),
        password: password.into(),
    }
}

scenario_tests!(Service::RemoteIt;
    login_succeeds,
    wrong_password_is_401,
    missing_developer_key_is_401,
    unknown_developer_key_is_401,
    mfa_account_is_401_sms_mfa,
    authhash_relogin_succeeds,
    stale_authhash_is_401,
);

async fn login_succeeds() -> Harness {
    let h = Harness::start(Service::RemoteIt).await;
    let login = clients::remoteit(h.base_url())
        .login()
        .body(credentials(USER, DEMO_PASSWORD))
        .send()
        .await
        .expect("demo login succeeds")
        .into_inner();
    assert_eq!(login.status, LoginResponseStatus::True);
    assert_eq!(login.email, USER);
    assert!(!login.token.expose_secret().is_empty());
    assert!(login.guid.is_some());
    // The session token and the authhash are secrets: their Debug output is redacted.
    let debug = format!("{login:?}");
    assert!(!debug.contains(login.token.expose_secret()), "{debug}");
    assert!(
        !debug.contains(login.service_authhash.expose_secret()),
        "{debug}"
    );

    // The developer key went over the wire as the `developerkey` header, and JSON as the body.
    let sent = &h.exchanges()[0];
    assert_eq!(
        sent.request_header("developerkey"),
        Some(REMOTEIT_DEVELOPER_KEY)
    );
    assert_eq!(
        sent.request_header("content-type"),
        Some("application/json")
    );
    h
}

async fn wrong_password_is_401() -> Harness {
    let h = Harness::start(Service::RemoteIt).await;
    let result = clients::remoteit(h.base_url())
        .login()
        .body(credentials(USER, "not-the-password"))
        .send()
        .await;
    let err = error_body(result, 401).into_inner();
    assert_eq!(err.status, ErrorResponseStatus::False);
    assert_eq!(err.code, "GENERAL_ERROR");
    h
}

async fn missing_developer_key_is_401() -> Harness {
    let h = Harness::start(Service::RemoteIt).await;
    // The generated client refuses to send a login without the developer key its spec requires.
    let client =
        remoteit_client::Client::new_with_client(h.base_url(), clients::http(TIMEOUT, &[]));
    let result = client
        .login()
        .body(credentials(USER, DEMO_PASSWORD))
        .send()
        .await;
    assert!(
        matches!(result.as_ref().map_err(|e| e.kind()), Err(progenitor_client::Error::InvalidRequest(m)) if m.contains("developerKey")),
        "{result:?}"
    );
    assert!(h.proxy.exchanges().is_empty(), "nothing was sent");
    // The server's answer to such a request, sent without the generated client.
    let response = clients::http(TIMEOUT, &[])
        .post(format!("{}/user/login", h.base_url()))
        .json(&serde_json::json!({"username": USER, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "GENERAL_ERROR");
    // The request breaks the spec's security requirement, and the checker must say so.
    h.expect_violation("lacks the credentials of login: header developerkey");
    h
}

async fn unknown_developer_key_is_401() -> Harness {
    let h = Harness::start(Service::RemoteIt).await;
    let client =
        remoteit_client::Client::new_with_client(h.base_url(), clients::http(TIMEOUT, &[]))
            .with_credentials(
                remoteit_client::Credentials::new().developer_key("not-a-developer-key"),
            );
    let result = client
        .login()
        .body(credentials(USER, DEMO_PASSWORD))
        .send()
        .await;
    assert_eq!(error_body(result, 401).into_inner().code, "GENERAL_ERROR");
    h
}

async fn mfa_account_is_401_sms_mfa() -> Harness {
    let h = Harness::start(Service::RemoteIt).await;
    let result = clients::remoteit(h.base_url())
        .login()
        .body(credentials(MFA_USER, DEMO_PASSWORD))
        .send()
        .await;
    let err = error_body(result, 401).into_inner();
    assert_eq!(err.status, ErrorResponseStatus::False);
    assert_eq!(err.code, "SMS_MFA");
    h
}

async fn authhash_relogin_succeeds() -> Harness {
    let h = Harness::start(Service::RemoteIt).await;
    let client = clients::remoteit(h.base_url());
    let first = client
        .login()
        .body(credentials(USER, DEMO_PASSWORD))
        .send()
        .await
        .expect("password login")
        .into_inner();
    let again = client
        .login_with_authhash()
        .body(AuthhashLoginRequest {
            username: USER.to_owned(),
            authhash: first.service_authhash.clone(),
        })
        .send()
        .await
        .expect("authhash login")
        .into_inner();
    assert_eq!(again.status, LoginResponseStatus::True);
    assert_eq!(again.email, USER);
    assert_ne!(
        again.token.expose_secret(),
        first.token.expose_secret(),
        "a new session token"
    );
    assert_eq!(again.service_authhash, first.service_authhash);
    h
}

async fn stale_authhash_is_401() -> Harness {
    let h = Harness::start(Service::RemoteIt).await;
    let result = clients::remoteit(h.base_url())
        .login_with_authhash()
        .body(AuthhashLoginRequest {
            username: USER.to_owned(),
            authhash: "E1F1772EA75D04755B8BBD236C470550E7A9FB33".into(),
        })
        .send()
        .await;
    let err = error_body(result, 401).into_inner();
    assert_eq!(err.status, ErrorResponseStatus::False);
    assert_eq!(err.code, "GENERAL_ERROR");
    h
}
