//! Every fault mode of every sandbox gives the right typed error, quickly, for logins and for
//! the session calls; redirects never deliver a secret.

use std::time::{Duration, Instant};

use apilogin::{Client, LoginError, ServiceKind, Session, TransportKind};
use apilogin_sandbox::{Fault, Sandbox};

use crate::common::*;

/// Faults under test; `Slow` is far longer than the timeout the tests configure.
const FAULTS: [Fault; 9] = [
    Fault::Slow(Duration::from_secs(120)),
    Fault::TruncatedBody,
    Fault::BadGatewayHtml,
    Fault::MalformedJson,
    Fault::HugeBody,
    Fault::EmptyOk,
    Fault::WrongContentType,
    Fault::Redirect307,
    Fault::Redirect308,
];

/// A short total timeout, so that the slow fault is over in half a second.
fn fast_options() -> apilogin::Options {
    options().timeout(Duration::from_millis(500))
}

/// Checks that `result` is what `fault` must produce; `secrets` must not appear in the error.
#[track_caller]
fn check<T: std::fmt::Debug>(
    what: &str,
    fault: Fault,
    sandbox: &Sandbox,
    result: Result<T, LoginError>,
    secrets: &[&str],
) {
    let ctx = format!("{what} under {fault}");
    let err = match (fault, result) {
        (_, Ok(v)) => panic!("{ctx}: expected an error, got {v:?}"),
        (_, Err(e)) => e,
    };
    assert_quiet(&err, secrets);
    match fault {
        Fault::Slow(_) => assert!(
            matches!(
                err,
                LoginError::Transport {
                    kind: TransportKind::Timeout,
                    ..
                }
            ),
            "{ctx}: {err:?}"
        ),
        Fault::TruncatedBody => assert!(
            matches!(
                err,
                LoginError::Transport {
                    kind: TransportKind::Interrupted,
                    ..
                }
            ),
            "{ctx}: {err:?}"
        ),
        Fault::BadGatewayHtml => {
            let LoginError::ServerError {
                status: 502,
                excerpt,
                ..
            } = &err
            else {
                panic!("{ctx}: {err:?}")
            };
            assert!(excerpt.contains("502 Bad Gateway"), "{ctx}: {excerpt}");
            assert!(excerpt.chars().count() <= 201, "{ctx}: {excerpt}");
            assert!(err.to_string().contains("try again later"), "{ctx}: {err}");
        }
        Fault::MalformedJson => {
            let LoginError::UnexpectedResponse {
                reason, excerpt, ..
            } = &err
            else {
                panic!("{ctx}: {err:?}")
            };
            assert!(reason.contains("not valid JSON"), "{ctx}: {reason}");
            // The body's `"token": "sandbox"` is scrubbed.
            assert!(
                excerpt.contains(r#""token": "<redacted>""#),
                "{ctx}: {excerpt}"
            );
        }
        Fault::HugeBody => assert!(
            matches!(err, LoginError::BodyTooLarge { limit, .. } if limit == apilogin::MAX_RESPONSE_BYTES),
            "{ctx}: {err:?}"
        ),
        Fault::EmptyOk => {
            let LoginError::UnexpectedResponse { reason, .. } = &err else {
                panic!("{ctx}: {err:?}")
            };
            assert!(reason.contains("empty"), "{ctx}: {reason}");
        }
        Fault::Redirect307 | Fault::Redirect308 => {
            let want = if fault == Fault::Redirect307 {
                307
            } else {
                308
            };
            let LoginError::Redirected {
                status, location, ..
            } = &err
            else {
                panic!("{ctx}: {err:?}")
            };
            assert_eq!(*status, want, "{ctx}");
            let recorder = sandbox.recorder_base_url();
            let origin = location
                .as_deref()
                .unwrap_or_else(|| panic!("{ctx}: no location"));
            assert!(
                recorder.starts_with(origin),
                "{ctx}: {origin} vs {recorder}"
            );
            assert!(err.to_string().contains("does not follow"), "{ctx}: {err}");
        }
        // The generated clients check the Content-Type against the spec before parsing.
        Fault::WrongContentType => {
            let LoginError::UnexpectedResponse { reason, .. } = &err else {
                panic!("{ctx}: {err:?}")
            };
            assert!(
                reason.contains("Content-Type text/plain"),
                "{ctx}: {reason}"
            );
        }
        other => panic!("untested fault {other}"),
    }
    // Whatever the fault, nothing reached the second listener.
    assert_recorder_clean(sandbox, secrets);
}

async fn faulty_client(kind: ServiceKind, fault: Fault) -> (Sandbox, Client) {
    let sandbox = start_with(kind, fault).await;
    let client = Client::with_options(service(kind, &sandbox), fast_options()).unwrap();
    (sandbox, client)
}

#[tokio::test]
async fn logins_under_every_fault() {
    for kind in look_alikes() {
        for fault in FAULTS {
            let (sandbox, client) = faulty_client(kind, fault).await;
            let started = Instant::now();
            let result = client.login(&demo(kind)).await;
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{kind} {fault} took {:?}",
                started.elapsed()
            );
            check(&format!("{kind} login"), fault, &sandbox, result, &[]);
            sandbox.shutdown().await;
        }
    }
}

/// The session of a healthy login, moved to `target`'s base URL.
fn moved(session: &Session, target: &Sandbox) -> Session {
    let mut json = serde_json::to_value(session).unwrap();
    json["base_url"] = target.base_url().into();
    serde_json::from_value::<Session>(json)
        .unwrap()
        .with_options(fast_options())
}

#[tokio::test]
async fn session_calls_under_every_fault() {
    for kind in look_alikes() {
        if !(kind.supports_verify() || kind.supports_logout() || kind.supports_relogin()) {
            continue;
        }
        let healthy = start(kind).await;
        let session = login_ok(&client(kind, &healthy), &demo(kind)).await;
        let secrets = session_secrets(&session);
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        for fault in FAULTS {
            let sandbox = start_with(kind, fault).await;
            // Sandboxes share no state: a token is only good where it was issued.
            let s = moved(&session, &sandbox);
            if kind.supports_verify() {
                check(
                    &format!("{kind} verify"),
                    fault,
                    &sandbox,
                    s.verify().await,
                    &secrets,
                );
            }
            if kind.supports_relogin() {
                check(
                    &format!("{kind} relogin"),
                    fault,
                    &sandbox,
                    s.relogin().await,
                    &secrets,
                );
            }
            if kind.supports_logout() {
                check(
                    &format!("{kind} logout"),
                    fault,
                    &sandbox,
                    s.logout().await,
                    &secrets,
                );
            }
            sandbox.shutdown().await;
        }
    }
}
