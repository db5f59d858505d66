//! Each generated crate used alone, as a user who depends on it without the facade would:
//! `Client::new`, log in, set the credentials from the login's answer, then every operation
//! whose spec requires credentials, with them (sent exactly as the security scheme says) and
//! without them (a clear error, and nothing on the wire).

use apilogin_sandbox::{DEMO_PASSWORD, REMOTEIT_DEVELOPER_KEY, Service};
use apilogin_tests::{Harness, within};
use progenitor_client::Error;

/// The error of a call refused before sending: `InvalidRequest` naming what is missing.
fn refused_before_sending<E: std::fmt::Debug>(err: impl Into<Error<E>>, wanted: &str) {
    match err.into() {
        Error::InvalidRequest(message) => {
            assert!(message.contains(wanted), "{message}");
            assert!(message.contains("with_credentials"), "{message}");
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
}

#[tokio::test]
async fn rocketchat_client_alone() {
    within(apilogin_tests::TEST_LIMIT, async {
        use rocketchat_client::types::{LoginRequest, PasswordLogin};
        use rocketchat_client::{Client, Credentials};
        let h = Harness::start(Service::RocketChat).await;
        let client = Client::new(h.base_url()).unwrap();

        // Without credentials: `me` and `logout` are refused before anything is sent.
        refused_before_sending(
            client.me().send().await.unwrap_err(),
            "`authToken` + `userId`",
        );
        refused_before_sending(client.logout().send().await.unwrap_err(), "`authToken`");
        assert!(h.proxy.exchanges().is_empty(), "nothing was sent");

        // A client that already holds credentials sends none with the login (`security: []`).
        let holding = client.with_credentials(Credentials::auth_token_and_user_id("stale", "u"));
        let login = holding
            .login()
            .body(LoginRequest::PasswordLogin(PasswordLogin {
                user: "demo".into(),
                username: None,
                email: None,
                password: DEMO_PASSWORD.into(),
                code: None,
            }))
            .send()
            .await
            .unwrap()
            .into_inner();
        let sent = &h.proxy.exchanges()[0];
        assert_eq!(sent.request_header("x-auth-token"), None);
        assert_eq!(sent.request_header("x-user-id"), None);
        assert_eq!(sent.request_header("x-2fa-code"), None);

        // The login's optional `twoFactorCode` goes as `x-2fa-code` once it is set, alone.
        let with_code = holding.with_credentials(
            holding
                .credentials()
                .clone()
                .two_factor_code(apilogin_sandbox::SECOND_FACTOR_CODE),
        );
        let body = LoginRequest::PasswordLogin(PasswordLogin {
            user: "demo-2fa".into(),
            username: None,
            email: None,
            password: DEMO_PASSWORD.into(),
            code: None,
        });
        with_code.login().body(body).send().await.unwrap();
        let sent = h.proxy.exchanges().pop().unwrap();
        assert_eq!(
            sent.request_header("x-2fa-code"),
            Some(apilogin_sandbox::SECOND_FACTOR_CODE)
        );
        assert_eq!(sent.request_header("x-auth-token"), None);

        let token = login.data.auth_token.expose_secret().to_owned();
        let user_id = login.data.user_id.clone();
        let authed = client.with_credentials(Credentials::auth_token_and_user_id(
            login.data.auth_token,
            login.data.user_id,
        ));
        let me = authed.me().send().await.unwrap();
        assert_eq!(me.username, "demo");
        let sent = h.proxy.exchanges().pop().unwrap();
        assert_eq!(sent.request_header("x-auth-token"), Some(token.as_str()));
        assert_eq!(sent.request_header("x-user-id"), Some(user_id.as_str()));
        assert!(
            !format!("{authed:?}").contains(&token),
            "Debug hides the token"
        );

        // Only half of the requirement: still refused, still nothing sent.
        let count = h.proxy.exchanges().len();
        let half = client.with_credentials(Credentials::new().auth_token(token.as_str()));
        refused_before_sending(half.me().send().await.unwrap_err(), "`userId`");
        assert_eq!(h.proxy.exchanges().len(), count);

        authed.logout().send().await.unwrap();
        // The logged-out token is refused by the server (a documented 401).
        let err = authed.me().send().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
        h.assert_contract();
    })
    .await;
}

#[tokio::test]
async fn remoteit_client_alone() {
    within(apilogin_tests::TEST_LIMIT, async {
        use remoteit_client::types::{AuthhashLoginRequest, LoginRequest};
        use remoteit_client::{Client, Credentials};
        let h = Harness::start(Service::RemoteIt).await;
        let bare = Client::new(h.base_url()).unwrap();
        let body = || LoginRequest {
            username: "demo@remote.it".into(),
            password: DEMO_PASSWORD.into(),
        };
        // Both logins require the developer key (root `security`).
        refused_before_sending(
            bare.login().body(body()).send().await.unwrap_err(),
            "`developerKey`",
        );
        assert!(h.proxy.exchanges().is_empty(), "nothing was sent");

        let client =
            bare.with_credentials(Credentials::new().developer_key(REMOTEIT_DEVELOPER_KEY));
        let login = client
            .login()
            .body(body())
            .send()
            .await
            .unwrap()
            .into_inner();
        let sent = h.proxy.exchanges().pop().unwrap();
        assert_eq!(
            sent.request_header("developerkey"),
            Some(REMOTEIT_DEVELOPER_KEY)
        );
        // `sessionToken` is set but no operation of this spec names it: it is not sent.
        let client = client.with_credentials(
            client
                .credentials()
                .clone()
                .session_token(login.token.clone()),
        );
        let again = AuthhashLoginRequest {
            username: login.email.clone(),
            authhash: login.service_authhash.clone(),
        };
        client
            .login_with_authhash()
            .body(again.clone())
            .send()
            .await
            .unwrap();
        let sent = h.proxy.exchanges().pop().unwrap();
        assert_eq!(
            sent.request_header("developerkey"),
            Some(REMOTEIT_DEVELOPER_KEY)
        );
        assert_eq!(sent.request_header("token"), None);

        let count = h.proxy.exchanges().len();
        refused_before_sending(
            bare.login_with_authhash()
                .body(again)
                .send()
                .await
                .unwrap_err(),
            "`developerKey`",
        );
        assert_eq!(h.proxy.exchanges().len(), count);
        h.assert_contract();
    })
    .await;
}

#[tokio::test]
async fn projectthanos_client_alone() {
    within(apilogin_tests::TEST_LIMIT, async {
        use projectthanos_client::types::LoginRequest;
        use projectthanos_client::{Client, Credentials};
        let h = Harness::start(Service::ProjectThanos).await;
        let client = Client::new(h.base_url())
            .unwrap()
            .with_credentials(Credentials::new().token_auth("an-old-token"));
        // The login is `security: []`: the token a client holds stays home.
        let login = client
            .login()
            .body(LoginRequest {
                username: "retailer@projectthanos.com".parse().unwrap(),
                password: DEMO_PASSWORD.into(),
            })
            .send()
            .await
            .unwrap()
            .into_inner();
        let sent = h.proxy.exchanges().pop().unwrap();
        assert_eq!(sent.request_header("authorization"), None);
        assert!(!login.auth_token.expose_secret().is_empty());
        // No operation of this spec uses `tokenAuth` (it describes the login only); the
        // prefix of `x-apilogin-prefix` is checked with a made-up spec in xtask's tests.
        h.assert_contract();
    })
    .await;
}

#[tokio::test]
async fn txty_client_alone() {
    within(apilogin_tests::TEST_LIMIT, async {
        use txty_client::Client;
        use txty_client::types::{AccountForm, AccountResult, LoginForm, LoginResult};
        let h = Harness::start(Service::Txty).await;
        // Txty declares no security scheme: its credentials are fields.
        let client = Client::new(h.base_url()).unwrap();
        let LoginResult::ApiKeyAdded(added) = client
            .login()
            .body(LoginForm {
                user: "demo".into(),
                pass: DEMO_PASSWORD.into(),
                description: "credentials-test".into(),
                tfkey: None,
            })
            .send()
            .await
            .unwrap()
            .into_inner()
        else {
            panic!("expected a key")
        };
        let view = client
            .view_account()
            .body(AccountForm {
                user: "demo".into(),
                key: added.newapikey.key,
            })
            .send()
            .await
            .unwrap()
            .into_inner();
        assert!(matches!(view, AccountResult::AccountView(_)), "{view:?}");
        h.assert_contract();
    })
    .await;
}

/// Every crate's `Client::new` on a machine without CA certificates: an error that says what
/// to install, not a panic. Runs in a child process (the certificate paths are read from the
/// environment, which a test must not change under its siblings).
#[test]
fn no_ca_certificates_is_an_error_not_a_panic() {
    const CHILD: &str = "APILOGIN_TEST_NO_CA_CHILD";
    if std::env::var_os(CHILD).is_some() {
        let errors = [
            remoteit_client::Client::new("https://example.com")
                .map(|_| ())
                .unwrap_err()
                .to_string(),
            txty_client::Client::new("https://example.com")
                .map(|_| ())
                .unwrap_err()
                .to_string(),
            projectthanos_client::Client::new("https://example.com")
                .map(|_| ())
                .unwrap_err()
                .to_string(),
            rocketchat_client::Client::new("https://example.com")
                .map(|_| ())
                .unwrap_err()
                .to_string(),
        ];
        for e in errors {
            assert!(e.contains("No CA certificates"), "{e}");
            assert!(e.contains("ca-certificates"), "{e}");
        }
        return;
    }
    // A folder that does not exist: no certificate file, no certificate folder.
    let nowhere = std::env::temp_dir().join("apilogin-no-ca-certificates-here");
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "no_ca_certificates_is_an_error_not_a_panic",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .env("SSL_CERT_FILE", nowhere.join("none.pem"))
        .env("SSL_CERT_DIR", &nowhere)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("1 passed"), "{text}");
}

/// A GET variant carries the password in its query: no error shows it, whether the server
/// answers something undocumented (the response's URL) or does not answer in time (the
/// transport error's URL).
#[tokio::test]
async fn errors_never_show_a_secret_from_the_query() {
    use apilogin_sandbox::{Fault, Sandbox};
    within(apilogin_tests::TEST_LIMIT, async {
        const PASSWORD: &str = "query-Pa55word";
        for (fault, timeout) in [
            (Fault::BadGatewayHtml, std::time::Duration::from_secs(10)),
            (Fault::slow(), std::time::Duration::from_millis(300)),
        ] {
            let sandbox = Sandbox::builder(Service::Txty)
                .fault(fault)
                .start()
                .await
                .unwrap();
            let http = txty_client::client_builder()
                .timeout(timeout)
                .build()
                .unwrap();
            let client = txty_client::Client::new_with_client(sandbox.base_url(), http);
            let err = client
                .login_with_query()
                .user("demo")
                .pass(PASSWORD)
                .description("d")
                .tfkey("778899")
                .send()
                .await
                .unwrap_err();
            for text in [format!("{err}"), format!("{err:?}"), format!("{err:#}")] {
                assert!(!text.contains(PASSWORD), "{fault}: {text}");
                assert!(!text.contains("778899"), "{fault}: {text}");
                assert!(!text.contains("pass="), "{fault}: {text}");
            }
        }
    })
    .await;
}
