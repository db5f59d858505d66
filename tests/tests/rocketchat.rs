//! Rocket.Chat: every operation of `rocketchat-client` (`login` with JSON, `login_form`, `me`,
//! `logout`) and every documented outcome (password and resume logins, 401 with each error code
//! of the two-factor and lockout flows, 429 with its rate-limit headers), through the recording
//! proxy, with each exchange checked against `specs/rocketchat.yaml`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use apilogin_sandbox::{DEMO_PASSWORD, SECOND_FACTOR_CODE, Sandbox, Service};
use apilogin_tests::clients::{self, error_body};
use apilogin_tests::{Harness, scenario_tests};
use progenitor_client::ResponseValue;
use rocketchat_client::Secret;
use rocketchat_client::types::{
    EmailLogin, LoginErrorBody, LoginErrorDetailsMethod, LoginRequest, LoginResponse,
    LogoutRequest, PasswordLogin, ResumeLogin, UsernameLogin,
};

const USER: &str = "demo";
const USER_2FA: &str = "demo-2fa";

type LoginResult = Result<ResponseValue<LoginResponse>, rocketchat_client::Error<LoginErrorBody>>;

fn password(user: &str, password: &str, code: Option<&str>) -> LoginRequest {
    LoginRequest::PasswordLogin(PasswordLogin {
        user: user.to_owned(),
        username: None,
        email: None,
        password: password.into(),
        code: code.map(Secret::from),
    })
}

/// The body clients send with a logout: `{}`.
fn empty_object() -> LogoutRequest {
    LogoutRequest::from(serde_json::Map::new())
}

fn resume(token: &Secret) -> LoginRequest {
    LoginRequest::ResumeLogin(ResumeLogin {
        resume: token.clone(),
    })
}

/// The `error` code of a 401 login answer.
fn login_error(result: LoginResult) -> String {
    match error_body(result, 401).into_inner() {
        LoginErrorBody::LoginError(e) => e.error,
        other => panic!("expected a LoginError, got {other:?}"),
    }
}

fn header_u64(rv_headers: &reqwest::header::HeaderMap, name: &str) -> u64 {
    rv_headers
        .get(name)
        .unwrap_or_else(|| panic!("header {name}"))
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

scenario_tests!(Service::RocketChat;
    login_with_json_succeeds,
    login_with_form_succeeds,
    wrong_password_is_401_unauthorized,
    totp_required_then_invalid_then_accepted,
    totp_max_attempts,
    lockout_after_five_failures,
    rate_limit_is_429_with_headers,
    resume_login,
    me_and_logout,
    login_by_username_or_email_with_the_code_in_a_header,
    malformed_logins_fail_like_wrong_passwords,
    logout_body_is_optional_and_must_be_an_object,
);

async fn login_with_json_succeeds() -> Harness {
    let h = Harness::start(Service::RocketChat).await;
    let rv = clients::rocketchat(h.base_url())
        .login()
        .body(password(USER, DEMO_PASSWORD, None))
        .send()
        .await
        .expect("demo login");
    assert_eq!(rv.headers()["cache-control"], "no-store");
    assert_eq!(header_u64(rv.headers(), "x-ratelimit-limit"), 10);
    assert_eq!(header_u64(rv.headers(), "x-ratelimit-remaining"), 9);
    let login = rv.into_inner();
    assert_eq!(login.success, Some(true));
    assert_eq!(login.data.me.username, USER);
    assert_eq!(login.data.user_id, login.data.me.id);
    let token = login.data.auth_token.expose_secret();
    assert!(!token.is_empty());
    assert!(!format!("{login:?}").contains(token));
    assert_eq!(
        h.exchanges()[0].request_header("content-type"),
        Some("application/json")
    );
    h
}

async fn login_with_form_succeeds() -> Harness {
    let h = Harness::start(Service::RocketChat).await;
    let login = clients::rocketchat(h.base_url())
        .login_form()
        .body(password("demo@example.com", DEMO_PASSWORD, None))
        .send()
        .await
        .expect("form login by e-mail address")
        .into_inner();
    assert_eq!(login.data.me.username, USER);
    let sent = &h.exchanges()[0];
    // Same endpoint as `login` (the generated `#form` suffix is a URL fragment, never sent).
    assert_eq!(sent.path, "/api/v1/login");
    assert_eq!(
        sent.request_header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    h
}

async fn wrong_password_is_401_unauthorized() -> Harness {
    let h = Harness::start(Service::RocketChat).await;
    let client = clients::rocketchat(h.base_url());
    let result = client
        .login()
        .body(password(USER, "not-the-password", None))
        .send()
        .await;
    let rv = error_body(result, 401);
    assert!(rv.headers().contains_key("x-ratelimit-remaining"));
    let LoginErrorBody::LoginError(err) = rv.into_inner() else {
        panic!("expected a LoginError");
    };
    assert_eq!(
        (err.error.as_str(), err.message.as_str()),
        ("Unauthorized", "Unauthorized")
    );
    assert!(!err.success);
    // The same through the form operation.
    let result = client
        .login_form()
        .body(password("nobody", DEMO_PASSWORD, None))
        .send()
        .await;
    assert_eq!(login_error(result), "Unauthorized");
    h
}

async fn totp_required_then_invalid_then_accepted() -> Harness {
    let h = Harness::start(Service::RocketChat).await;
    let client = clients::rocketchat(h.base_url());

    let required = client
        .login()
        .body(password(USER_2FA, DEMO_PASSWORD, None))
        .send()
        .await;
    let LoginErrorBody::LoginError(err) = error_body(required, 401).into_inner() else {
        panic!("expected a LoginError");
    };
    assert_eq!(err.error, "totp-required");
    let details = err.details.expect("details");
    assert_eq!(details.method, LoginErrorDetailsMethod::Totp);
    assert_eq!(details.code_generated, Some(false));

    let invalid = client
        .login()
        .body(password(USER_2FA, DEMO_PASSWORD, Some("000000")))
        .send()
        .await;
    assert_eq!(login_error(invalid), "totp-invalid");

    let login = client
        .login()
        .body(password(USER_2FA, DEMO_PASSWORD, Some(SECOND_FACTOR_CODE)))
        .send()
        .await
        .expect("login with the code")
        .into_inner();
    assert_eq!(login.data.me.username, USER_2FA);
    h
}

async fn totp_max_attempts() -> Harness {
    let h = Harness::start(Service::RocketChat).await;
    let client = clients::rocketchat(h.base_url());
    let required = client
        .login()
        .body(password(USER_2FA, DEMO_PASSWORD, None))
        .send()
        .await;
    assert_eq!(login_error(required), "totp-required");
    for _ in 0..5 {
        let wrong = client
            .login_form()
            .body(password(USER_2FA, DEMO_PASSWORD, Some("111111")))
            .send()
            .await;
        assert_eq!(login_error(wrong), "totp-invalid");
    }
    // After five wrong codes even the right one is refused.
    let right = client
        .login()
        .body(password(USER_2FA, DEMO_PASSWORD, Some(SECOND_FACTOR_CODE)))
        .send()
        .await;
    assert_eq!(login_error(right), "totp-max-attempts");
    h
}

async fn lockout_after_five_failures() -> Harness {
    let h = Harness::start(Service::RocketChat).await;
    let client = clients::rocketchat(h.base_url());
    for _ in 0..5 {
        let wrong = client
            .login()
            .body(password(USER, "not-the-password", None))
            .send()
            .await;
        assert_eq!(login_error(wrong), "Unauthorized");
    }
    // The sixth call is refused even with the right password.
    let blocked = client
        .login()
        .body(password(USER, DEMO_PASSWORD, None))
        .send()
        .await;
    assert_eq!(login_error(blocked), "error-login-blocked-for-user");
    h
}

async fn rate_limit_is_429_with_headers() -> Harness {
    let builder = Sandbox::builder(Service::RocketChat).rate_limit(2, Duration::from_secs(60));
    let h = Harness::from_builder(Service::RocketChat, builder).await;
    let client = clients::rocketchat(h.base_url());
    for remaining in [1, 0] {
        let rv = client
            .login()
            .body(password(USER, DEMO_PASSWORD, None))
            .send()
            .await
            .expect("within the limit");
        assert_eq!(header_u64(rv.headers(), "x-ratelimit-remaining"), remaining);
    }
    let before = now_ms();
    let limited = client
        .login()
        .body(password(USER, DEMO_PASSWORD, None))
        .send()
        .await;
    let rv = error_body(limited, 429);
    assert_eq!(header_u64(rv.headers(), "x-ratelimit-limit"), 2);
    assert_eq!(header_u64(rv.headers(), "x-ratelimit-remaining"), 0);
    // The reset is an epoch time in milliseconds, within the 60 s window.
    let reset = header_u64(rv.headers(), "x-ratelimit-reset");
    assert!(
        reset > before && reset <= before + 61_000,
        "reset {reset}, now {before}"
    );
    let LoginErrorBody::RateLimitError(err) = rv.into_inner() else {
        panic!("expected the rate-limit body");
    };
    assert!(!err.success);
    assert!(err.error.contains("too many requests"), "{}", err.error);
    // The form operation is limited the same way.
    let limited = client
        .login_form()
        .body(password(USER, DEMO_PASSWORD, None))
        .send()
        .await;
    error_body(limited, 429);
    h
}

async fn resume_login() -> Harness {
    let h = Harness::start(Service::RocketChat).await;
    let client = clients::rocketchat(h.base_url());
    let first = client
        .login()
        .body(password(USER, DEMO_PASSWORD, None))
        .send()
        .await
        .unwrap()
        .into_inner();
    let token = first.data.auth_token;

    let again = client
        .login()
        .body(resume(&token))
        .send()
        .await
        .expect("resume (JSON)")
        .into_inner();
    assert_eq!(again.data.user_id, first.data.user_id);
    assert_eq!(again.data.auth_token, token);
    let again = client
        .login_form()
        .body(resume(&token))
        .send()
        .await
        .expect("resume (form)")
        .into_inner();
    assert_eq!(again.data.user_id, first.data.user_id);

    let unknown = client
        .login()
        .body(resume(&Secret::from("not-a-token")))
        .send()
        .await;
    assert_eq!(login_error(unknown), "Unauthorized");
    h
}

async fn me_and_logout() -> Harness {
    let h = Harness::start(Service::RocketChat).await;
    let login = clients::rocketchat(h.base_url())
        .login()
        .body(password(USER, DEMO_PASSWORD, None))
        .send()
        .await
        .unwrap()
        .into_inner();
    let authed = clients::rocketchat_authed(
        h.base_url(),
        login.data.auth_token.expose_secret(),
        &login.data.user_id,
    );

    let me = authed.me().send().await.expect("me").into_inner();
    assert_eq!(
        (me.id.as_str(), me.username.as_str()),
        (login.data.user_id.as_str(), USER)
    );
    assert!(me.success);

    // The usual client's logout, with `{}` as its body.
    let bye = authed
        .logout_with_body()
        .body(empty_object())
        .send()
        .await
        .expect("logout")
        .into_inner();
    assert_eq!(bye.data.message, "You've been logged out!");

    // The token is dead now, for `me` and for `logout`.
    let me = authed.me().send().await;
    let err = error_body(me, 401).into_inner();
    assert_eq!(err.error, "You must be logged in to do this.");
    assert!(!err.success);
    // And the generated `logout()`, without a body.
    let again = authed.logout().send().await;
    assert!(!error_body(again, 401).into_inner().success);

    // The credentials went as headers.
    let me_call = h
        .exchanges()
        .into_iter()
        .find(|e| e.path == "/api/v1/me")
        .unwrap();
    assert_eq!(
        me_call.request_header("x-user-id"),
        Some(login.data.user_id.as_str())
    );
    assert_eq!(
        me_call.request_header("x-auth-token"),
        Some(login.data.auth_token.expose_secret())
    );
    h
}

async fn login_by_username_or_email_with_the_code_in_a_header() -> Harness {
    let h = Harness::start(Service::RocketChat).await;
    let client = clients::rocketchat(h.base_url());
    let by_username = client
        .login()
        .body(LoginRequest::UsernameLogin(UsernameLogin {
            username: USER.to_owned(),
            email: None,
            password: DEMO_PASSWORD.into(),
            code: None,
        }))
        .send()
        .await
        .expect("login by username")
        .into_inner();
    assert_eq!(by_username.data.me.username, USER);
    let by_email = client
        .login_form()
        .body(LoginRequest::EmailLogin(EmailLogin {
            email: "demo@example.com".to_owned(),
            password: DEMO_PASSWORD.into(),
            code: None,
        }))
        .send()
        .await
        .expect("form login by email")
        .into_inner();
    assert_eq!(by_email.data.me.username, USER);
    // And the other way round: `username` as a form, `email` as JSON.
    let form_by_username = client
        .login_form()
        .body(LoginRequest::UsernameLogin(UsernameLogin {
            username: USER.to_owned(),
            email: None,
            password: DEMO_PASSWORD.into(),
            code: None,
        }))
        .send()
        .await
        .expect("form login by username")
        .into_inner();
    assert_eq!(form_by_username.data.me.username, USER);
    let json_by_email = client
        .login()
        .body(LoginRequest::EmailLogin(EmailLogin {
            email: "demo@example.com".to_owned(),
            password: DEMO_PASSWORD.into(),
            code: None,
        }))
        .send()
        .await
        .expect("login by email")
        .into_inner();
    assert_eq!(json_by_email.data.me.username, USER);
    // `user` wins over `username`, as on the server.
    let both = client
        .login()
        .body(LoginRequest::PasswordLogin(PasswordLogin {
            user: USER.to_owned(),
            username: Some("nobody".to_owned()),
            email: Some("nobody@example.com".to_owned()),
            password: DEMO_PASSWORD.into(),
            code: None,
        }))
        .send()
        .await
        .expect("user wins")
        .into_inner();
    assert_eq!(both.data.me.username, USER);

    // The second factor in the `x-2fa-code` header (security scheme `twoFactorCode`), sent as
    // a sensitive default header of the client, not as a builder parameter.
    let with_header = rocketchat_client::Client::new_with_client(
        h.base_url(),
        clients::http(clients::TIMEOUT, &[("x-2fa-code", SECOND_FACTOR_CODE)]),
    );
    let login = with_header
        .login()
        .body(LoginRequest::UsernameLogin(UsernameLogin {
            username: USER_2FA.to_owned(),
            email: None,
            password: DEMO_PASSWORD.into(),
            code: None,
        }))
        .send()
        .await
        .expect("2FA login with the code in the header")
        .into_inner();
    assert_eq!(login.data.me.username, USER_2FA);
    let sent = h.exchanges().pop().unwrap();
    assert_eq!(sent.request_header("x-2fa-code"), Some(SECOND_FACTOR_CODE));
    assert!(!sent.request_contains("\"code\""));
    // A wrong header code is a wrong code.
    let wrong = rocketchat_client::Client::new_with_client(
        h.base_url(),
        clients::http(clients::TIMEOUT, &[("x-2fa-code", "000000")]),
    )
    .login()
    .body(password(USER_2FA, DEMO_PASSWORD, None))
    .send()
    .await;
    assert_eq!(login_error(wrong), "totp-invalid");
    h
}

async fn malformed_logins_fail_like_wrong_passwords() -> Harness {
    let h = Harness::start(Service::RocketChat).await;
    let http = clients::http(clients::TIMEOUT, &[]);
    let url = format!("{}/api/v1/login", h.base_url());
    for body in [
        // A code that is not a string.
        serde_json::json!({"user": USER_2FA, "password": DEMO_PASSWORD, "code": 123456}),
        // A field no password login has.
        serde_json::json!({"user": USER, "password": DEMO_PASSWORD, "remember": "yes"}),
        // No user named at all.
        serde_json::json!({"password": DEMO_PASSWORD}),
    ] {
        let resp = http.post(&url).json(&body).send().await.unwrap();
        assert_eq!(resp.status(), 401, "{body}");
        let err: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(err["error"], "Unauthorized", "{body}");
    }
    // The three requests break the spec on purpose (no `oneOf` variant matches).
    h.expect_violation("request body at /");
    h
}

async fn logout_body_is_optional_and_must_be_an_object() -> Harness {
    let h = Harness::start(Service::RocketChat).await;
    let client = clients::rocketchat(h.base_url());
    let http = clients::http(clients::TIMEOUT, &[]);
    let url = format!("{}/api/v1/logout", h.base_url());
    let mut sessions = Vec::new();
    for _ in 0..2 {
        let login = client
            .login()
            .body(password(USER, DEMO_PASSWORD, None))
            .send()
            .await
            .unwrap()
            .into_inner();
        sessions.push((
            login.data.auth_token.expose_secret().to_owned(),
            login.data.user_id,
        ));
    }
    // Not a JSON object: refused before the credentials are looked at.
    let (token, user_id) = &sessions[0];
    let resp = http
        .post(&url)
        .header("x-auth-token", token)
        .header("x-user-id", user_id)
        .header("content-type", "application/json")
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    h.expect_violation("request body at /");
    // `{}` as popular clients send it, and no body at all: both log out.
    let resp = http
        .post(&url)
        .header("x-auth-token", token)
        .header("x-user-id", user_id)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (token, user_id) = &sessions[1];
    let resp = http
        .post(&url)
        .header("x-auth-token", token)
        .header("x-user-id", user_id)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    h
}
