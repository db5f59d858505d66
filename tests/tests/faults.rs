//! Fault modes: each generated client, against a sandbox misbehaving in each of `Fault::ALL`
//! ways, ends with a typed `progenitor_client::Error` — never a success, never a panic, never a
//! hang past its timeout.
//!
//! The clients talk to the sandbox directly here (no recording proxy): the answers are broken
//! on purpose, so there is no contract to check, and the `Slow` and `TruncatedBody` faults must
//! reach the client's own timeout and connection handling unchanged.
//!
//! Matrix: every fault × the login of every client, plus Txty's `login_xml` (a raw
//! `ByteStream` operation) and Rocket.Chat's `me` (a GET with credentials in headers).

use std::time::{Duration, Instant};

use apilogin_sandbox::{DEMO_PASSWORD, Fault, RecordedRequest, Sandbox, Service};
use apilogin_tests::clients::{self, Failure, outcome};
use apilogin_tests::{TEST_LIMIT, within};

/// The clients' timeout against `Fault::Slow` (whose delay is 300 s).
const SHORT: Duration = Duration::from_millis(300);
/// Generous bound on how long any faulty call may take.
const BOUND: Duration = Duration::from_secs(5);
/// A made-up Rocket.Chat token for `me`.
const FAKE_TOKEN: &str = "fault-test-token";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    RemoteItLogin,
    TxtyLogin,
    TxtyLoginXml,
    ProjectThanosLogin,
    RocketChatLogin,
    RocketChatMe,
    MattermostLogin,
}

impl Target {
    fn service(self) -> Service {
        match self {
            Target::RemoteItLogin => Service::RemoteIt,
            Target::TxtyLogin | Target::TxtyLoginXml => Service::Txty,
            Target::ProjectThanosLogin => Service::ProjectThanos,
            Target::RocketChatLogin | Target::RocketChatMe => Service::RocketChat,
            Target::MattermostLogin => Service::Mattermost,
        }
    }
}

/// What a call ended with: its status or failure.
type Got = Result<u16, Failure>;

/// Calls the target operation with valid demo credentials.
async fn call(target: Target, base_url: &str, timeout: Duration) -> Got {
    let txty = || txty_client::Client::new_with_client(base_url, clients::http(timeout, &[]));
    let txty_form = || txty_client::types::LoginForm {
        user: "demo".into(),
        pass: DEMO_PASSWORD.into(),
        description: "faults".into(),
        tfkey: None,
    };
    match target {
        Target::RemoteItLogin => {
            let client =
                remoteit_client::Client::new_with_client(base_url, clients::http(timeout, &[]))
                    .with_credentials(
                        remoteit_client::Credentials::new()
                            .developer_key(apilogin_sandbox::REMOTEIT_DEVELOPER_KEY),
                    );
            let body = remoteit_client::types::LoginRequest {
                username: "demo@remote.it".into(),
                password: DEMO_PASSWORD.into(),
            };
            outcome(&client.login().body(body).send().await)
        }
        Target::TxtyLogin => outcome(&txty().login().body(txty_form()).send().await),
        Target::TxtyLoginXml => match txty().login_xml().body(txty_form()).send().await {
            Ok(rv) => Ok(rv.status().as_u16()),
            Err(e) => Err(clients::failure(&e)),
        },
        Target::ProjectThanosLogin => {
            let client = projectthanos_client::Client::new_with_client(
                base_url,
                clients::http(timeout, &[]),
            );
            let body = projectthanos_client::types::LoginRequest {
                username: "retailer@projectthanos.com".parse().unwrap(),
                password: DEMO_PASSWORD.into(),
            };
            outcome(&client.login().body(body).send().await)
        }
        Target::RocketChatLogin => {
            let client =
                rocketchat_client::Client::new_with_client(base_url, clients::http(timeout, &[]));
            let body = rocketchat_client::types::LoginRequest::PasswordLogin(
                rocketchat_client::types::PasswordLogin {
                    user: "demo".into(),
                    username: None,
                    email: None,
                    password: DEMO_PASSWORD.into(),
                    code: None,
                },
            );
            outcome(&client.login().body(body).send().await)
        }
        Target::RocketChatMe => {
            let client =
                rocketchat_client::Client::new_with_client(base_url, clients::http(timeout, &[]))
                    .with_credentials(rocketchat_client::Credentials::auth_token_and_user_id(
                        FAKE_TOKEN, "someone",
                    ));
            outcome(&client.me().send().await)
        }
        Target::MattermostLogin => {
            let client =
                mattermost_client::Client::new_with_client(base_url, clients::http(timeout, &[]));
            let body = mattermost_client::types::LoginRequest {
                login_id: "demo".into(),
                password: DEMO_PASSWORD.into(),
                device_id: None,
                token: None,
            };
            outcome(&client.login().body(body).send().await)
        }
    }
}

/// What each fault must end with.
#[derive(Debug)]
enum Expect {
    /// `CommunicationError` whose reqwest error `is_timeout`.
    Timeout,
    /// A body cut off mid-way: `ResponseBodyError` when the answer declared a Content-Length
    /// (the body is read after the hooks), `CommunicationError` (not a timeout) when it was
    /// chunked (the generated hook reads it inside `exec`).
    Cut,
    /// `UnexpectedResponse` with this (undocumented) status.
    Unexpected(u16),
    /// `InvalidResponsePayload`: the body did not deserialize.
    InvalidPayload,
    /// `Custom` from the generated 1 MiB body limit.
    TooLarge,
    /// `Custom` from the generated media-type check: the answer's Content-Type is not the
    /// one the spec lists for that operation and status.
    WrongMediaType,
}

fn expected(target: Target, fault: Fault) -> Expect {
    let raw = target == Target::TxtyLoginXml;
    match fault {
        Fault::Slow(_) => Expect::Timeout,
        // The sandbox's cut answer is labelled JSON: `login_xml` refuses it before reading.
        Fault::TruncatedBody if raw => Expect::WrongMediaType,
        Fault::TruncatedBody => Expect::Cut,
        Fault::BadGatewayHtml => Expect::Unexpected(502),
        Fault::HugeBody => Expect::TooLarge,
        // The generated hooks check the Content-Type against the spec before anything is
        // parsed: `login_xml` expects `application/xml`, every other operation JSON.
        Fault::MalformedJson | Fault::EmptyOk if raw => Expect::WrongMediaType,
        Fault::MalformedJson | Fault::EmptyOk => Expect::InvalidPayload,
        Fault::WrongContentType => Expect::WrongMediaType,
        // reqwest follows 307/308 by default; the recorder answers `200 {}` (JSON), which no
        // JSON operation's success schema accepts and `login_xml` refuses by its media type.
        Fault::Redirect307 | Fault::Redirect308 if raw => Expect::WrongMediaType,
        Fault::Redirect307 | Fault::Redirect308 => Expect::InvalidPayload,
        other => panic!("no expectation for {other}: a new fault mode needs one"),
    }
}

fn matches(want: &Expect, got: &Result<u16, Failure>) -> bool {
    match (want, got) {
        (Expect::Timeout, Err(Failure::Communication { timeout })) => *timeout,
        (Expect::Cut, Err(Failure::Communication { timeout })) => !timeout,
        (Expect::Cut, Err(Failure::ResponseBody)) => true,
        (Expect::Unexpected(s), Err(Failure::Unexpected(g))) => s == g,
        (Expect::InvalidPayload, Err(Failure::InvalidPayload)) => true,
        (Expect::TooLarge, Err(Failure::Custom(m))) => m.contains("larger than"),
        (Expect::WrongMediaType, Err(Failure::Custom(m))) => m.contains("Content-Type"),
        _ => false,
    }
}

async fn under(target: Target, fault: Fault) -> (Got, Vec<RecordedRequest>) {
    let sandbox = Sandbox::builder(target.service())
        .fault(fault)
        .start()
        .await
        .expect("sandbox");
    let timeout = if matches!(fault, Fault::Slow(_)) {
        SHORT
    } else {
        clients::TIMEOUT
    };
    let started = Instant::now();
    let got = call(target, sandbox.base_url(), timeout).await;
    let elapsed = started.elapsed();
    assert!(elapsed < BOUND, "{target:?} under {fault} took {elapsed:?}");
    let recorded = sandbox.recorded();
    sandbox.shutdown().await;
    (got, recorded)
}

async fn check(target: Target, fault: Fault) {
    within(TEST_LIMIT, async {
        let (got, recorded) = under(target, fault).await;
        let want = expected(target, fault);
        assert!(
            matches(&want, &got),
            "{target:?} under {fault}: expected {want:?}, got {got:?}"
        );
        match fault {
            Fault::Redirect307 | Fault::Redirect308 => {
                assert_eq!(
                    recorded.len(),
                    1,
                    "the redirect was followed once: {recorded:?}"
                );
            }
            _ => assert!(recorded.is_empty(), "{recorded:?}"),
        }
    })
    .await;
}

macro_rules! fault_matrix {
    ($($name:ident => $fault:expr),+ $(,)?) => {
        $(
            /// One fault against every target.
            mod $name {
                use super::*;

                #[tokio::test]
                async fn remoteit_login() { check(Target::RemoteItLogin, $fault).await }
                #[tokio::test]
                async fn txty_login() { check(Target::TxtyLogin, $fault).await }
                #[tokio::test]
                async fn txty_login_xml() { check(Target::TxtyLoginXml, $fault).await }
                #[tokio::test]
                async fn projectthanos_login() { check(Target::ProjectThanosLogin, $fault).await }
                #[tokio::test]
                async fn rocketchat_login() { check(Target::RocketChatLogin, $fault).await }
                #[tokio::test]
                async fn rocketchat_me() { check(Target::RocketChatMe, $fault).await }
                #[tokio::test]
                async fn mattermost_login() { check(Target::MattermostLogin, $fault).await }
            }
        )+

        #[test]
        fn the_matrix_covers_every_fault_mode() {
            let listed = [$($fault),+];
            for fault in Fault::ALL {
                assert!(listed.contains(&fault), "{fault} is not in the matrix");
            }
        }
    };
}

fault_matrix! {
    slow => Fault::slow(),
    truncated_body => Fault::TruncatedBody,
    bad_gateway_html => Fault::BadGatewayHtml,
    malformed_json => Fault::MalformedJson,
    huge_body => Fault::HugeBody,
    empty_ok => Fault::EmptyOk,
    wrong_content_type => Fault::WrongContentType,
    redirect_307 => Fault::Redirect307,
    redirect_308 => Fault::Redirect308,
}

/// What reached the other origin when a client followed a redirect.
fn leaked(recorded: &[RecordedRequest]) -> (bool, Vec<String>) {
    let r = recorded.first().expect("the redirect was followed");
    let body = String::from_utf8_lossy(&r.body);
    let password = body.contains(DEMO_PASSWORD);
    let headers = ["developerkey", "x-auth-token", "x-user-id"]
        .into_iter()
        .filter(|h| r.header(h).is_some())
        .map(str::to_owned)
        .collect();
    (password, headers)
}

/// Documents why a hand-built `reqwest::Client` given to `new_with_client` must follow the rules
/// the generated READMEs give (start from `client_builder()`; `Client::new` and the facade do,
/// see `redirects.rs`): with reqwest's default redirect policy, a 307/308 to another origin (here the sandbox's recorder,
/// on another port) is followed with the same method and body, so the password and the
/// secret default headers (`developerkey`, `X-Auth-Token`) reach that origin. reqwest strips
/// only `Authorization`, `Cookie` and the proxy/`WWW-Authenticate` headers on a cross-origin
/// redirect.
#[tokio::test]
async fn followed_redirects_carry_secrets_to_the_other_origin() {
    within(TEST_LIMIT, async {
        for fault in [Fault::Redirect307, Fault::Redirect308] {
            let (_, recorded) = under(Target::RemoteItLogin, fault).await;
            assert_eq!(recorded[0].method, "POST");
            assert_eq!(recorded[0].path_and_query, "/apv/v27/user/login");
            assert_eq!(
                leaked(&recorded),
                (true, vec!["developerkey".to_owned()]),
                "{fault}"
            );

            for target in [
                Target::TxtyLogin,
                Target::ProjectThanosLogin,
                Target::RocketChatLogin,
            ] {
                let (_, recorded) = under(target, fault).await;
                assert_eq!(recorded[0].method, "POST", "{target:?}");
                assert_eq!(
                    leaked(&recorded),
                    (true, vec![]),
                    "{target:?} under {fault}"
                );
            }

            let (_, recorded) = under(Target::RocketChatMe, fault).await;
            assert_eq!(recorded[0].header("x-auth-token"), Some(FAKE_TOKEN));
            assert_eq!(
                leaked(&recorded),
                (
                    false,
                    vec!["x-auth-token".to_owned(), "x-user-id".to_owned()]
                ),
                "{fault}"
            );
        }
    })
    .await;
}

/// With the generated clients' own `Client::new` (15 s timeouts), a cut body still fails fast.
#[tokio::test]
async fn default_clients_fail_fast_on_a_cut_body() {
    within(TEST_LIMIT, async {
        let sandbox = Sandbox::builder(Service::ProjectThanos)
            .fault(Fault::TruncatedBody)
            .start()
            .await
            .unwrap();
        let started = Instant::now();
        let result = projectthanos_client::Client::new(sandbox.base_url())
            .unwrap()
            .login()
            .body(projectthanos_client::types::LoginRequest {
                username: "retailer@projectthanos.com".parse().unwrap(),
                password: DEMO_PASSWORD.into(),
            })
            .send()
            .await;
        // The sandbox declares a Content-Length, so the cut shows when the body is read.
        assert_eq!(outcome(&result), Err(Failure::ResponseBody));
        assert!(started.elapsed() < BOUND);
    })
    .await;
}

/// A success answer that fails to deserialize (a malformed one here; in real life e.g. a new
/// enum value next to a valid token) is printed by the crate's `Error` as a scrubbed excerpt:
/// the values of members named like secrets (`"token": "sandbox"`) are replaced, while the body
/// itself stays available, as it came, through `Error::kind`.
#[tokio::test]
async fn an_undecodable_body_is_printed_scrubbed_by_the_error() {
    within(TEST_LIMIT, async {
        let sandbox = Sandbox::builder(Service::RemoteIt)
            .fault(Fault::MalformedJson)
            .start()
            .await
            .unwrap();
        let client = clients::remoteit(sandbox.base_url());
        let err = client
            .login()
            .body(remoteit_client::types::LoginRequest {
                username: "demo@remote.it".into(),
                password: DEMO_PASSWORD.into(),
            })
            .send()
            .await
            .expect_err("malformed JSON");
        assert_eq!(clients::failure(&err), Failure::InvalidPayload);
        // `Fault::MALFORMED_JSON_BODY` carries `"token": "sandbox"`.
        assert!(
            format!("{err}").contains(r#""token": "<redacted>""#),
            "{err}"
        );
        for text in [format!("{err}"), format!("{err:?}")] {
            assert!(!text.contains("sandbox"), "{text}");
        }
        let remoteit_client::ErrorKind::InvalidResponsePayload(body, _) = err.kind() else {
            panic!("{err:?}")
        };
        assert!(String::from_utf8_lossy(body).contains("sandbox"));
    })
    .await;
}
