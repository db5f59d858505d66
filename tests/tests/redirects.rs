//! The redirect matrix: 301, 302, 303, 307 and 308 to another origin, for every operation of
//! every generated crate (GET and POST variants) through its default constructor, and for
//! every call of the facade. A second listener stands at the redirect's target and records
//! everything it receives: it must receive nothing — no password, code, key or token in any
//! header, query, body or `Referer` — and no error message may show a secret.

use std::error::Error as _;
use std::fmt::Debug;

use apilogin_tests::redirect::RedirectPair;
use apilogin_tests::{TEST_LIMIT, within};
use progenitor_client::Error;

const STATUSES: [u16; 5] = [301, 302, 303, 307, 308];

const PASSWORD: &str = "redirect-Pa55word";
const CODE: &str = "774411";
const DEVELOPER_KEY: &str = "redirect-developer-key";
const TOKEN: &str = "redirect-session-token";
const USER_ID: &str = "redirect-user-id";
const SECRETS: [&str; 5] = [PASSWORD, CODE, DEVELOPER_KEY, TOKEN, USER_ID];

/// What one call through a generated client must have ended with: the refused redirect, named
/// with its status and a target without query, and no secret in the error's text.
fn assert_refused<T, E: Debug>(
    op: &str,
    status: u16,
    pair: &RedirectPair,
    result: Result<
        progenitor_client::ResponseValue<T>,
        impl AsRef<Error<E>> + Debug + std::fmt::Display,
    >,
) {
    let err = match result {
        Err(err) => err,
        Ok(v) => panic!("{op} {status}: followed the redirect: HTTP {}", v.status()),
    };
    let texts = [format!("{err}"), format!("{err:#}"), format!("{err:?}")];
    for text in &texts {
        for secret in SECRETS {
            assert!(
                !text.contains(secret),
                "{op} {status}: `{secret}` in {text}"
            );
        }
        assert!(!text.contains('?'), "{op} {status}: a query in {text}");
    }
    let Error::CommunicationError(e) = err.as_ref() else {
        panic!("{op} {status}: expected a refused redirect, got {err:?}")
    };
    // Each crate defines its own `RedirectRefused`; find it by its message.
    let mut source = e.source();
    let mut refused = None;
    while let Some(s) = source {
        if s.to_string().contains("another origin; not followed") {
            refused = Some(s.to_string());
        }
        source = s.source();
    }
    let refused = refused.unwrap_or_else(|| panic!("{op} {status}: no RedirectRefused in {err:#}"));
    assert!(refused.contains(&format!("HTTP {status}")), "{refused}");
    assert!(refused.contains(&pair.catcher), "{refused}");
    assert!(
        pair.caught().is_empty(),
        "{op} {status}: {:?}",
        pair.caught()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_clients_never_follow_a_redirect_to_another_origin() {
    within(TEST_LIMIT * 3, async {
        for status in STATUSES {
            let pair = RedirectPair::start(status).await.unwrap();
            let base = pair.redirector.clone();

            {
                use remoteit_client::types::{AuthhashLoginRequest, LoginRequest};
                use remoteit_client::{Client, Credentials};
                let c = Client::new(&base).unwrap().with_credentials(
                    Credentials::new()
                        .developer_key(DEVELOPER_KEY)
                        .session_token(TOKEN),
                );
                let login = LoginRequest {
                    username: "u".into(),
                    password: PASSWORD.into(),
                };
                assert_refused(
                    "remoteit login",
                    status,
                    &pair,
                    c.login().body(login).send().await,
                );
                let again = AuthhashLoginRequest {
                    username: "u".into(),
                    authhash: TOKEN.into(),
                };
                let result = c.login_with_authhash().body(again).send().await;
                assert_refused("remoteit login_with_authhash", status, &pair, result);
            }
            {
                use txty_client::Client;
                use txty_client::types::{AccountForm, DeleteApiKeyForm, LoginForm};
                let c = Client::new(&base).unwrap();
                let login = || LoginForm {
                    user: "u".into(),
                    pass: PASSWORD.into(),
                    description: "d".into(),
                    tfkey: Some(CODE.into()),
                };
                let account = || AccountForm {
                    user: "u".into(),
                    key: TOKEN.into(),
                };
                let delete = || DeleteApiKeyForm {
                    user: "u".into(),
                    key: TOKEN.into(),
                    apikey: TOKEN.into(),
                };
                let p = &pair;
                assert_refused(
                    "txty login",
                    status,
                    p,
                    c.login().body(login()).send().await,
                );
                let l = login();
                let result = c
                    .login_with_query()
                    .user(l.user)
                    .pass(l.pass)
                    .description(l.description)
                    .tfkey(CODE)
                    .send()
                    .await;
                assert_refused("txty login_with_query", status, p, result);
                assert_refused(
                    "txty login_xml",
                    status,
                    p,
                    c.login_xml().body(login()).send().await,
                );
                let result = c.view_account().body(account()).send().await;
                assert_refused("txty view_account", status, p, result);
                let result = c
                    .view_account_with_query()
                    .user("u")
                    .key(TOKEN)
                    .send()
                    .await;
                assert_refused("txty view_account_with_query", status, p, result);
                let result = c.delete_api_key().body(delete()).send().await;
                assert_refused("txty delete_api_key", status, p, result);
                let result = c
                    .delete_api_key_with_query()
                    .user("u")
                    .key(TOKEN)
                    .apikey(TOKEN)
                    .send()
                    .await;
                assert_refused("txty delete_api_key_with_query", status, p, result);
                let l = login();
                let result = c
                    .login_xml_with_query()
                    .user(l.user)
                    .pass(l.pass)
                    .description(l.description)
                    .tfkey(CODE)
                    .send()
                    .await;
                assert_refused("txty login_xml_with_query", status, p, result);
                let result = c.view_account_xml().body(account()).send().await;
                assert_refused("txty view_account_xml", status, p, result);
                let result = c
                    .view_account_xml_with_query()
                    .user("u")
                    .key(TOKEN)
                    .send()
                    .await;
                assert_refused("txty view_account_xml_with_query", status, p, result);
                let result = c.delete_api_key_xml().body(delete()).send().await;
                assert_refused("txty delete_api_key_xml", status, p, result);
                let result = c
                    .delete_api_key_xml_with_query()
                    .user("u")
                    .key(TOKEN)
                    .apikey(TOKEN)
                    .send()
                    .await;
                assert_refused("txty delete_api_key_xml_with_query", status, p, result);
            }
            {
                use projectthanos_client::types::LoginRequest;
                use projectthanos_client::{Client, Credentials};
                let c = Client::new(&base)
                    .unwrap()
                    .with_credentials(Credentials::new().token_auth(TOKEN));
                let login = LoginRequest {
                    username: "u".parse().unwrap(),
                    password: PASSWORD.into(),
                };
                assert_refused(
                    "projectthanos login",
                    status,
                    &pair,
                    c.login().body(login).send().await,
                );
            }
            {
                use rocketchat_client::types::{LoginRequest, LogoutRequest, PasswordLogin};
                use rocketchat_client::{Client, Credentials};
                let c = Client::new(&base).unwrap().with_credentials(
                    Credentials::auth_token_and_user_id(TOKEN, USER_ID).two_factor_code(CODE),
                );
                let login = || {
                    LoginRequest::PasswordLogin(PasswordLogin {
                        user: "u".into(),
                        username: None,
                        email: None,
                        password: PASSWORD.into(),
                        code: Some(CODE.into()),
                    })
                };
                let p = &pair;
                assert_refused(
                    "rocketchat login",
                    status,
                    p,
                    c.login().body(login()).send().await,
                );
                let result = c.login_form().body(login()).send().await;
                assert_refused("rocketchat login_form", status, p, result);
                assert_refused("rocketchat me", status, p, c.me().send().await);
                assert_refused("rocketchat logout", status, p, c.logout().send().await);
                let body = LogoutRequest::from(serde_json::Map::new());
                let result = c.logout_with_body().body(body).send().await;
                assert_refused("rocketchat logout_with_body", status, p, result);
            }
        }
    })
    .await;
}

/// A redirect within the origin is followed (it cannot carry anything elsewhere).
#[tokio::test]
async fn a_redirect_within_the_origin_is_followed() {
    within(TEST_LIMIT, async {
        use axum::Router;
        use axum::http::{StatusCode, header};
        use axum::response::IntoResponse;
        use axum::routing::{get, post};
        let app = Router::new()
            .route(
                "/api/v1/me",
                get(|| async { (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, "/moved/me")]) }),
            )
            .route(
                "/moved/me",
                get(|headers: axum::http::HeaderMap| async move {
                    let token = headers.get("x-auth-token").is_some();
                    let referer = headers.get(header::REFERER).is_some();
                    let body = serde_json::json!({
                        "success": true, "_id": "id", "username": if token && !referer { "ok" } else { "bad" },
                        "name": "n", "status": "online", "active": true,
                        "emails": [], "roles": [], "utcOffset": 0
                    });
                    ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
                }),
            )
            .route("/unused", post(|| async { StatusCode::OK }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        let c = rocketchat_client::Client::new(&base)
            .unwrap()
            .with_credentials(rocketchat_client::Credentials::auth_token_and_user_id(
                TOKEN, USER_ID,
            ));
        let me = c.me().send().await;
        server.abort();
        let me = me.unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(me.username, "ok", "the credentials followed, no Referer");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_facade_never_follows_a_redirect_to_another_origin() {
    use apilogin::{Client, Credentials, LoginError, Options, Service, ServiceKind, Session};
    within(TEST_LIMIT * 2, async {
        for status in STATUSES {
            let pair = RedirectPair::start(status).await.unwrap();
            let options = Options::default();
            for kind in [
                ServiceKind::RemoteIt,
                ServiceKind::Txty,
                ServiceKind::ProjectThanos,
                ServiceKind::RocketChat,
            ] {
                let service = Service::new(kind, Some(&pair.redirector)).unwrap();
                let client = Client::with_options(service, options.clone()).unwrap();
                let credentials = Credentials::new("u", PASSWORD).developer_key(DEVELOPER_KEY);
                let err = client.login(&credentials).await.map(|_| ()).unwrap_err();
                assert!(
                    matches!(err, LoginError::Redirected { status: s, .. } if s == status),
                    "{kind} {status}: {err:?}"
                );
                for text in [format!("{err}"), format!("{err:?}")] {
                    for secret in SECRETS {
                        assert!(!text.contains(secret), "{text}");
                    }
                }
            }
            // A stored session pointed at the redirector: verify, log out, log in again.
            let sessions = [
                serde_json::json!({"service": "remoteit", "developer_key": DEVELOPER_KEY,
                    "service_authhash": TOKEN, "base_url": pair.redirector,
                    "user": {"username": "u"}, "token": TOKEN}),
                serde_json::json!({"service": "txty", "controlapikey": 0,
                    "base_url": pair.redirector, "user": {"username": "u"}, "token": TOKEN}),
                serde_json::json!({"service": "rocketchat", "base_url": pair.redirector,
                    "user": {"username": "u", "user_id": USER_ID}, "token": TOKEN}),
            ];
            for json in sessions {
                let session: Session = serde_json::from_value(json).unwrap();
                for result in [
                    session.verify().await.map(|_| ()),
                    session.logout().await,
                    session.relogin().await.map(|_| ()),
                ] {
                    match result {
                        Err(LoginError::Redirected { status: s, .. }) => assert_eq!(s, status),
                        Err(LoginError::Unsupported { .. }) => {}
                        other => panic!("{session}: {other:?}"),
                    }
                }
            }
            assert!(pair.caught().is_empty(), "{status}: {:?}", pair.caught());
        }
    })
    .await;
}
