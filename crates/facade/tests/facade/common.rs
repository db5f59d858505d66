//! Helpers shared by the tests.

use std::time::Duration;

use apilogin::{
    Client, Credentials, LoginError, LoginOutcome, Options, Service, ServiceKind, Session,
};
use apilogin_sandbox as sb;
pub use apilogin_sandbox::{DEMO_PASSWORD, REMOTEIT_DEVELOPER_KEY, SECOND_FACTOR_CODE};

/// A wrong password that must never show up anywhere either.
pub const WRONG_PASSWORD: &str = "wrong-Pa55word-xyzzy";

/// The sandbox's look-alike of `kind` (the same id).
pub fn sandbox_service(kind: ServiceKind) -> sb::Service {
    sb::Service::from_id(kind.id())
        .unwrap_or_else(|| panic!("the sandbox has no look-alike of {kind}"))
}

/// Every service of the specs that the sandbox has a look-alike of, for the tests that log in
/// to every service. A service without one (a spec added before its look-alike) is skipped,
/// with a line that says so.
pub fn look_alikes() -> Vec<ServiceKind> {
    ServiceKind::ALL
        .into_iter()
        .filter(|kind| {
            let found = sb::Service::from_id(kind.id()).is_some();
            if !found {
                eprintln!(
                    "skipped {kind}: the sandbox has no look-alike of it (crates/sandbox), so it cannot be logged in to here"
                );
            }
            found
        })
        .collect()
}

/// The secrets of `session`, as its spec says: the token and every secret detail (read from
/// the session's JSON, where the details are members by their names in the spec).
pub fn session_secrets(session: &Session) -> Vec<String> {
    let json = serde_json::to_value(session).unwrap();
    let mut secrets = vec![session.token().expose_secret().to_owned()];
    for detail in session.kind().details().iter().filter(|d| d.secret) {
        let value = json[detail.name].as_str().unwrap_or_else(|| {
            panic!(
                "{}: secret detail {} missing in {json}",
                session.kind(),
                detail.name
            )
        });
        secrets.push(value.to_owned());
    }
    secrets
}

pub async fn start(kind: ServiceKind) -> sb::Sandbox {
    sb::Sandbox::start(sandbox_service(kind)).await.unwrap()
}

pub async fn start_with(kind: ServiceKind, fault: sb::Fault) -> sb::Sandbox {
    sb::Sandbox::builder(sandbox_service(kind))
        .fault(fault)
        .start()
        .await
        .unwrap()
}

pub fn service(kind: ServiceKind, sandbox: &sb::Sandbox) -> Service {
    Service::new(kind, Some(sandbox.base_url())).unwrap()
}

/// Short timeouts: the sandbox answers in milliseconds.
pub fn options() -> Options {
    Options::default()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
}

pub fn client(kind: ServiceKind, sandbox: &sb::Sandbox) -> Client {
    Client::with_options(service(kind, sandbox), options()).unwrap()
}

/// The account without a second factor.
pub fn demo(kind: ServiceKind) -> Credentials {
    match kind {
        ServiceKind::RemoteIt => {
            Credentials::new("demo@remote.it", DEMO_PASSWORD).developer_key(REMOTEIT_DEVELOPER_KEY)
        }
        ServiceKind::Txty => Credentials::new("demo", DEMO_PASSWORD).key_description("tests"),
        ServiceKind::ProjectThanos => Credentials::new("retailer@projectthanos.com", DEMO_PASSWORD),
        _ => Credentials::new("demo", DEMO_PASSWORD),
    }
}

/// The same account with a wrong password.
pub fn wrong(kind: ServiceKind) -> Credentials {
    let d = demo(kind);
    let c = Credentials::new(d.user(), WRONG_PASSWORD);
    match d.get_developer_key() {
        Some(k) => c.developer_key(k.expose_secret()),
        None => c,
    }
}

/// The account with a second factor (Txty, Rocket.Chat).
pub fn two_factor() -> Credentials {
    Credentials::new("demo-2fa", DEMO_PASSWORD)
}

pub async fn login_ok(client: &Client, creds: &Credentials) -> Session {
    match client.login(creds).await {
        Ok(LoginOutcome::LoggedIn(s)) => s,
        other => panic!("expected a session, got {other:?}"),
    }
}

pub async fn login_err(client: &Client, creds: &Credentials) -> LoginError {
    match client.login(creds).await {
        Err(e) => e,
        Ok(other) => panic!("expected an error, got {other:?}"),
    }
}

/// The secrets no output may contain.
pub fn known_secrets() -> Vec<String> {
    vec![
        DEMO_PASSWORD.to_owned(),
        WRONG_PASSWORD.to_owned(),
        REMOTEIT_DEVELOPER_KEY.to_owned(),
    ]
}

/// Fails if `text` contains any of `secrets` (or of the [`known_secrets`]).
#[track_caller]
pub fn assert_no_secret(text: &str, secrets: &[&str]) {
    for s in known_secrets()
        .iter()
        .map(String::as_str)
        .chain(secrets.iter().copied())
    {
        assert!(!s.is_empty());
        assert!(!text.contains(s), "a secret leaked into: {text}");
    }
}

/// `Debug`, alternate `Debug` and `Display` of `v` contain no secret.
#[track_caller]
pub fn assert_quiet<T: std::fmt::Debug + std::fmt::Display>(v: &T, secrets: &[&str]) {
    assert_no_secret(&format!("{v:?}"), secrets);
    assert_no_secret(&format!("{v:#?}"), secrets);
    assert_no_secret(&format!("{v}"), secrets);
}

/// Every request that reached the recorder, as text (headers and bodies), must be free of
/// secrets: a redirect must never deliver a password, key or token.
#[track_caller]
pub fn assert_recorder_clean(sandbox: &sb::Sandbox, secrets: &[&str]) {
    let recorded = sandbox.recorded();
    for r in &recorded {
        let mut text = format!("{} {}\n", r.method, r.path_and_query);
        for (n, v) in &r.headers {
            text.push_str(&format!("{n}: {v}\n"));
        }
        text.push_str(&String::from_utf8_lossy(&r.body));
        assert_no_secret(&text, secrets);
    }
    assert!(
        recorded.is_empty(),
        "the redirect was followed: {recorded:?}"
    );
}
