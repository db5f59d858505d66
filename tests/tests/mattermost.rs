//! Mattermost: every operation of `mattermost-client` (`login`, `me`, `logout`) and every
//! documented outcome the look-alike can produce (login 200 with the `Token` header, 400 blank
//! password, 401 with each error id, me 200/401, logout 200), through the recording proxy, with
//! each exchange checked against `specs/mattermost.yaml`.
//!
//! The one documented outcome no scenario shows is `logout 500` (the server's session store
//! failing), which the sandbox does not emulate; the coverage test names it as the exception.

use std::collections::BTreeSet;

use apilogin_sandbox::{DEMO_PASSWORD, SECOND_FACTOR_CODE, Service};
use apilogin_tests::clients::{TIMEOUT, error_body, http};
use apilogin_tests::contract::ContractChecker;
use apilogin_tests::{Harness, TEST_LIMIT, within};
use mattermost_client::types::{AppError, LoginRequest, User};
use mattermost_client::{Client, Credentials, Error, ResponseValue};

type LoginResult = Result<ResponseValue<User>, Error<AppError>>;

fn client(base_url: &str) -> Client {
    Client::new_with_client(base_url, http(TIMEOUT, &[]))
}

fn request(user: &str, password: &str, code: Option<&str>) -> LoginRequest {
    LoginRequest {
        login_id: user.to_owned(),
        password: password.into(),
        token: code.map(Into::into),
        device_id: None,
    }
}

async fn login(client: &Client, user: &str, password: &str, code: Option<&str>) -> LoginResult {
    client
        .login()
        .body(request(user, password, code))
        .send()
        .await
}

/// The error id of a failed login with `status`.
fn error_id(result: LoginResult, status: u16) -> String {
    error_body(result, status).into_inner().id
}

async fn login_returns_the_token_in_a_header() -> Harness {
    let h = Harness::start(Service::Mattermost).await;
    let rv = login(&client(h.base_url()), "demo", DEMO_PASSWORD, None)
        .await
        .expect("demo login");
    let token = rv.headers()["token"].to_str().unwrap().to_owned();
    assert_eq!(token.len(), 26);
    let user = rv.into_inner();
    assert_eq!(user.username, "demo");
    assert!(!format!("{user:?}").contains(&token));
    // By e-mail address too.
    let by_email = login(
        &client(h.base_url()),
        "demo@example.com",
        DEMO_PASSWORD,
        None,
    )
    .await
    .expect("login by e-mail");
    assert_eq!(by_email.into_inner().username, "demo");
    h
}

async fn wrong_password_and_unknown_user_are_the_same_401() -> Harness {
    let h = Harness::start(Service::Mattermost).await;
    let c = client(h.base_url());
    for (user, password) in [("demo", "wrong"), ("nobody", DEMO_PASSWORD)] {
        let err = error_body(login(&c, user, password, None).await, 401).into_inner();
        assert_eq!(err.id, "api.user.login.invalid_credentials_email_username");
        assert_eq!(err.status_code, 401);
    }
    h
}

async fn blank_password_is_400() -> Harness {
    let h = Harness::start(Service::Mattermost).await;
    let result = login(&client(h.base_url()), "demo", "", None).await;
    assert_eq!(error_id(result, 400), "api.user.login.blank_pwd.app_error");
    h
}

async fn mfa_required_then_bad_code_then_accepted() -> Harness {
    let h = Harness::start(Service::Mattermost).await;
    let c = client(h.base_url());
    let required = login(&c, "demo-mfa", DEMO_PASSWORD, None).await;
    assert_eq!(
        error_id(required, 401),
        "mfa.validate_token.authenticate.app_error"
    );
    let bad = login(&c, "demo-mfa", DEMO_PASSWORD, Some("000000")).await;
    assert_eq!(
        error_id(bad, 401),
        "api.user.check_user_mfa.bad_code.app_error"
    );
    let ok = login(&c, "demo-mfa", DEMO_PASSWORD, Some(SECOND_FACTOR_CODE))
        .await
        .expect("login with the code");
    assert!(ok.headers().contains_key("token"));
    assert_eq!(ok.into_inner().mfa_active, Some(true));
    h
}

async fn deactivated_account_is_401_inactive() -> Harness {
    let h = Harness::start(Service::Mattermost).await;
    let result = login(&client(h.base_url()), "inactive", DEMO_PASSWORD, None).await;
    assert_eq!(error_id(result, 401), "api.user.login.inactive.app_error");
    h
}

async fn ten_failures_lock_the_account() -> Harness {
    let h = Harness::start(Service::Mattermost).await;
    let c = client(h.base_url());
    for _ in 0..10 {
        let result = login(&c, "demo", "wrong", None).await;
        assert_eq!(
            error_id(result, 401),
            "api.user.login.invalid_credentials_email_username"
        );
    }
    // Locked: even the right password is refused.
    let locked = login(&c, "demo", DEMO_PASSWORD, None).await;
    assert_eq!(
        error_id(locked, 401),
        "api.user.check_user_login_attempts.too_many.app_error"
    );
    h
}

async fn me_and_logout() -> Harness {
    let h = Harness::start(Service::Mattermost).await;
    let c = client(h.base_url());
    let rv = login(&c, "demo", DEMO_PASSWORD, None).await.expect("login");
    let token = rv.headers()["token"].to_str().unwrap().to_owned();
    let authed = c.with_credentials(Credentials::new().bearer_auth(token.as_str()));
    let me = authed.me().send().await.expect("me").into_inner();
    assert_eq!(me.username, "demo");
    let sent = &h.exchanges()[1];
    assert_eq!(
        sent.request_header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
    let out = authed.logout().send().await.expect("logout").into_inner();
    assert_eq!(out.status.to_string(), "OK");
    let after = authed.me().send().await;
    assert_eq!(
        error_body(after, 401).into_inner().id,
        "api.context.session_expired.app_error"
    );
    // Logout needs no session: 200 again, with the dead token and without any.
    authed.logout().send().await.expect("logout again");
    c.logout().send().await.expect("logout without a session");
    // `me` without credentials fails before sending (its `security` requires bearerAuth).
    assert!(matches!(c.me().send().await, Err(Error::InvalidRequest(_))));
    h
}

/// One test per scenario, each with its own sandbox and proxy.
mod scenario {
    macro_rules! scenarios {
        ($($name:ident),+ $(,)?) => {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    apilogin_tests::within(apilogin_tests::TEST_LIMIT, super::$name())
                        .await
                        .assert_contract();
                }
            )+
        };
    }
    scenarios!(
        login_returns_the_token_in_a_header,
        wrong_password_and_unknown_user_are_the_same_401,
        blank_password_is_400,
        mfa_required_then_bad_code_then_accepted,
        deactivated_account_is_401_inactive,
        ten_failures_lock_the_account,
        me_and_logout,
    );
}

/// Together the scenarios exercise every documented outcome but the server failure of logout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_outcome_is_exercised() {
    let checker = ContractChecker::for_spec("mattermost");
    let harnesses = vec![
        within(TEST_LIMIT, login_returns_the_token_in_a_header()).await,
        within(
            TEST_LIMIT,
            wrong_password_and_unknown_user_are_the_same_401(),
        )
        .await,
        within(TEST_LIMIT, blank_password_is_400()).await,
        within(TEST_LIMIT, mfa_required_then_bad_code_then_accepted()).await,
        within(TEST_LIMIT, deactivated_account_is_401_inactive()).await,
        within(TEST_LIMIT, ten_failures_lock_the_account()).await,
        within(TEST_LIMIT, me_and_logout()).await,
    ];
    let mut observed = BTreeSet::new();
    for h in harnesses {
        observed.extend(checker.observed_outcomes(&h.exchanges()));
        h.assert_contract();
    }
    let missing: Vec<String> = checker
        .documented_outcomes()
        .difference(&observed)
        .cloned()
        .collect();
    assert_eq!(
        missing,
        ["logout 500".to_owned()],
        "observed: {observed:#?}"
    );
}
