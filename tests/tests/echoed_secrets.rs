//! A server that echoes the request: every operation of every generated crate, against a local
//! server that answers with what it received (the query string, the body and the credential
//! headers) in JSON, HTML (with the JSON body shown in the page, so a `"` reads `\&quot;`), form
//! encoding, plain text and base64, at a success status, documented error statuses and an
//! undocumented one, and in a header. Neither `Display` nor `Debug` of any resulting error may
//! contain a password, code, key or token, raw or in any of the encodings the server used.

use std::collections::BTreeSet;
use std::fmt::{Debug, Display};

use apilogin_tests::{TEST_LIMIT, within};
use axum::extract::{Path, Request};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

/// Secrets with the characters every encoding changes: quotes, slashes, `&`, `<`, `%`, `+`,
/// `=`, a space and letters outside ASCII (where a header can carry them).
const PASSWORD: &str = "pä\"ss/w&rd<1>%+= Ω";
const CODE: &str = "77\"44/11";
const DEVELOPER_KEY: &str = "dev\"key/+=&%";
const TOKEN: &str = "tok\"en/+=&<%>";
const USER_ID: &str = "uid\"42/&=";
const SECRETS: [&str; 5] = [PASSWORD, CODE, DEVELOPER_KEY, TOKEN, USER_ID];

const MODES: [&str; 6] = ["json", "html", "form", "text", "b64", "header"];
const STATUSES: [u16; 6] = [200, 400, 401, 403, 500, 418];

/// Every way the server may have written a secret, one or two layers deep.
fn spellings(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).unwrap();
    let json = json[1..json.len() - 1].to_owned();
    let html = |s: &str| html_escape::encode_double_quoted_attribute(s).into_owned();
    let form = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let b64 = base64::engine::general_purpose::STANDARD.encode(secret);
    let mut all = vec![
        secret.to_owned(),
        html(secret),
        html(&json),
        form(secret),
        form(&form(secret)),
        b64.trim_end_matches('=').to_owned(),
        json.clone(),
    ];
    // A part of the secret long enough to tell.
    all.push(secret.chars().take(5).collect());
    all.sort();
    all.dedup();
    all
}

/// What the server echoes: the query, the body and the credential headers as it got them.
async fn echo(
    Path(params): Path<std::collections::HashMap<String, String>>,
    request: Request,
) -> Response {
    let mode = params["mode"].clone();
    let status: u16 = params["status"].parse().unwrap();
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let mut echoed = format!(
        "query={} body={}",
        parts.uri.query().unwrap_or_default(),
        String::from_utf8_lossy(&body)
    );
    for (name, value) in &parts.headers {
        if !matches!(
            name.as_str(),
            "host" | "accept" | "content-length" | "api-version"
        ) {
            echoed.push_str(&format!(
                " {name}={}",
                String::from_utf8_lossy(value.as_bytes())
            ));
        }
    }
    let status = axum::http::StatusCode::from_u16(status).unwrap();
    let json_text = serde_json::to_string(&echoed).unwrap();
    let (content_type, text) = match mode.as_str() {
        "json" => (
            "application/json",
            serde_json::json!({
                "status": "error", "success": false, "error": echoed, "message": echoed,
                "id": "api.echo", "detailed_error": echoed, "request_id": "r", "status_code": 401,
                "reason": echoed, "errorType": "echo", "details": {"echo": echoed},
            })
            .to_string(),
        ),
        "html" => (
            "text/html",
            format!(
                "<html><body><p>Refused: {}</p><pre>{}</pre></body></html>",
                html_escape::encode_text(&echoed),
                html_escape::encode_double_quoted_attribute(&json_text)
            ),
        ),
        "form" => (
            "application/x-www-form-urlencoded",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("error", &echoed)
                .finish(),
        ),
        "b64" => (
            "text/plain",
            base64::engine::general_purpose::STANDARD.encode(&echoed),
        ),
        "header" => ("text/plain", "see the header".to_owned()),
        _ => ("text/plain", format!("you sent {echoed}")),
    };
    let header = form_urlencoded::byte_serialize(echoed.as_bytes()).collect::<String>();
    (
        status,
        [("content-type", content_type), ("x-echo", header.as_str())],
        text,
    )
        .into_response()
}

async fn start_echo_server() -> String {
    let app = axum::Router::new()
        .route("/{mode}/{status}", axum::routing::any(echo))
        .route("/{mode}/{status}/{*rest}", axum::routing::any(echo));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// What the calls ended with, for the check that the matrix reached every kind of error.
#[derive(Default)]
struct Seen {
    kinds: BTreeSet<String>,
    crates: BTreeSet<&'static str>,
    calls: usize,
}

impl Seen {
    fn check<T, E>(
        &mut self,
        krate: &'static str,
        op: &str,
        result: Result<
            progenitor_client::ResponseValue<T>,
            impl AsRef<progenitor_client::Error<E>> + Debug + Display,
        >,
    ) {
        self.crates.insert(krate);
        self.calls += 1;
        let Err(err) = result else {
            self.kinds.insert("Ok".into());
            return;
        };
        let kind = format!("{:?}", apilogin_tests::clients::failure(&err));
        let kind = kind
            .split(['(', ' ', '{'])
            .next()
            .unwrap_or_default()
            .to_owned();
        if !self.kinds.contains(&kind) && std::env::var_os("ECHO_DEBUG").is_some() {
            eprintln!("{krate} {op}: {err}");
        }
        self.kinds.insert(kind);
        for text in [err.to_string(), format!("{err:?}"), format!("{err:#}")] {
            for secret in SECRETS {
                for spelling in spellings(secret) {
                    assert!(
                        !text.contains(&spelling),
                        "{krate} {op}: {spelling:?} (of {secret:?}) in {text}"
                    );
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_error_of_a_generated_client_shows_what_a_server_echoed() {
    within(TEST_LIMIT * 4, async {
        let origin = start_echo_server().await;
        let mut seen = Seen::default();
        for mode in MODES {
            for status in STATUSES {
                let base = format!("{origin}/{mode}/{status}");
                let s = &mut seen;
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
                    s.check("remoteit", "login", c.login().body(login).send().await);
                    let again = AuthhashLoginRequest {
                        username: "u".into(),
                        authhash: TOKEN.into(),
                    };
                    let result = c.login_with_authhash().body(again).send().await;
                    s.check("remoteit", "login_with_authhash", result);
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
                        apikey: DEVELOPER_KEY.into(),
                    };
                    s.check("txty", "login", c.login().body(login()).send().await);
                    s.check(
                        "txty",
                        "login_xml",
                        c.login_xml().body(login()).send().await,
                    );
                    let result = c
                        .login_with_query()
                        .user("u")
                        .pass(PASSWORD)
                        .description("d")
                        .tfkey(CODE)
                        .send()
                        .await;
                    s.check("txty", "login_with_query", result);
                    let result = c
                        .login_xml_with_query()
                        .user("u")
                        .pass(PASSWORD)
                        .description("d")
                        .tfkey(CODE)
                        .send()
                        .await;
                    s.check("txty", "login_xml_with_query", result);
                    s.check(
                        "txty",
                        "view_account",
                        c.view_account().body(account()).send().await,
                    );
                    let result = c
                        .view_account_with_query()
                        .user("u")
                        .key(TOKEN)
                        .send()
                        .await;
                    s.check("txty", "view_account_with_query", result);
                    let result = c.delete_api_key().body(delete()).send().await;
                    s.check("txty", "delete_api_key", result);
                    let result = c
                        .delete_api_key_with_query()
                        .user("u")
                        .key(TOKEN)
                        .apikey(DEVELOPER_KEY)
                        .send()
                        .await;
                    s.check("txty", "delete_api_key_with_query", result);
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
                    s.check("projectthanos", "login", c.login().body(login).send().await);
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
                    s.check("rocketchat", "login", c.login().body(login()).send().await);
                    s.check(
                        "rocketchat",
                        "login_form",
                        c.login_form().body(login()).send().await,
                    );
                    s.check("rocketchat", "me", c.me().send().await);
                    s.check("rocketchat", "logout", c.logout().send().await);
                    let body = LogoutRequest::from(serde_json::Map::new());
                    let result = c.logout_with_body().body(body).send().await;
                    s.check("rocketchat", "logout_with_body", result);
                }
                {
                    use mattermost_client::types::LoginRequest;
                    use mattermost_client::{Client, Credentials};
                    let c = Client::new(&base)
                        .unwrap()
                        .with_credentials(Credentials::new().bearer_auth(TOKEN).token_auth(TOKEN));
                    let login = LoginRequest {
                        device_id: None,
                        login_id: "u".into(),
                        password: PASSWORD.into(),
                        token: Some(CODE.into()),
                    };
                    s.check("mattermost", "login", c.login().body(login).send().await);
                    s.check("mattermost", "me", c.me().send().await);
                    s.check("mattermost", "logout", c.logout().send().await);
                }
                {
                    use oidcprovider_client::{Client, Credentials};
                    let c = Client::new(&base)
                        .unwrap()
                        .with_credentials(Credentials::new().open_id(TOKEN));
                    s.check("oidcprovider", "userinfo", c.userinfo().send().await);
                }
            }
        }
        // Every generated crate is covered (a new spec makes this fail until it is added).
        let specs: BTreeSet<String> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../specs"))
                .unwrap()
                .filter_map(|e| {
                    let name = e.unwrap().file_name().into_string().unwrap();
                    let stem = name.split('.').next()?.to_owned();
                    (name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json"))
                        .then_some(stem)
                })
                .collect();
        let covered: BTreeSet<String> = seen.crates.iter().map(|c| c.to_string()).collect();
        assert_eq!(covered, specs, "every generated crate must be covered");
        // The matrix reached the typed error value, the unparsed body and the unexpected answer.
        for kind in ["ErrorResponse", "InvalidPayload", "Unexpected", "Custom"] {
            assert!(
                seen.kinds.contains(kind),
                "no {kind} among {:?}",
                seen.kinds
            );
        }
        eprintln!("{} calls, outcomes {:?}", seen.calls, seen.kinds);
    })
    .await;
}
