//! Safe defaults: no plain http to other hosts, transport errors typed, and no secret in any
//! `Debug` or `Display`.

use std::time::Duration;

use apilogin::{
    Client, ConfigError, Credentials, LoginError, LoginOutcome, Options, SecretString, Service,
    ServiceKind, Session, TransportKind,
};

use crate::common::*;

#[tokio::test]
async fn plain_http_only_to_loopback_unless_allowed() {
    for url in [
        "http://example.com",
        "http://10.0.0.1:3000",
        "http://[2001:db8::1]",
    ] {
        let service = Service::rocketchat(url).unwrap();
        let err = Client::new(service.clone()).unwrap_err();
        assert!(
            matches!(&err, LoginError::Config(ConfigError::InsecureUrl { .. })),
            "{url}: {err:?}"
        );
        assert!(err.to_string().contains("allow"), "{err}");
        Client::with_options(service, Options::default().allow_insecure_http(true)).unwrap();
    }
    for url in [
        "http://localhost:3000",
        "http://LOCALHOST",
        "http://127.0.0.1:1",
        "http://127.1.2.3",
        "http://[::1]:3000",
        "https://chat.example.com",
    ] {
        Client::new(Service::rocketchat(url).unwrap()).unwrap_or_else(|e| panic!("{url}: {e}"));
    }
}

#[tokio::test]
async fn a_stored_session_cannot_be_pointed_at_plain_http() {
    let sandbox = start(ServiceKind::RocketChat).await;
    let session = login_ok(
        &client(ServiceKind::RocketChat, &sandbox),
        &demo(ServiceKind::RocketChat),
    )
    .await;
    let mut json = serde_json::to_value(&session).unwrap();
    json["base_url"] = "http://example.com".into();
    let tampered: Session = serde_json::from_value(json).unwrap();
    for err in [
        tampered.verify().await.map(|_| ()).unwrap_err(),
        tampered.logout().await.unwrap_err(),
        tampered.relogin().await.map(|_| ()).unwrap_err(),
        tampered.rocketchat().map(|_| ()).unwrap_err(),
    ] {
        assert!(
            matches!(err, LoginError::Config(ConfigError::InsecureUrl { .. })),
            "{err:?}"
        );
    }
    let mut json = serde_json::to_value(&session).unwrap();
    json["base_url"] = "https://user:pw@example.com".into();
    let tampered: Session = serde_json::from_value(json).unwrap();
    let err = tampered.verify().await.unwrap_err();
    assert!(
        matches!(err, LoginError::Config(ConfigError::InvalidUrl { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let service = Service::rocketchat(&format!("http://127.0.0.1:{port}")).unwrap();
    let err = login_err(
        &Client::with_options(service, options()).unwrap(),
        &demo(ServiceKind::RocketChat),
    )
    .await;
    assert!(
        matches!(
            err,
            LoginError::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("check the URL"), "{err}");
    assert_quiet(&err, &[]);
}

#[tokio::test]
async fn https_to_a_plain_http_server_is_a_tls_error() {
    let sandbox = start(ServiceKind::ProjectThanos).await;
    let url = sandbox.base_url().replacen("http://", "https://", 1);
    let service = Service::new(ServiceKind::ProjectThanos, Some(&url)).unwrap();
    let err = login_err(
        &Client::with_options(service, options()).unwrap(),
        &demo(ServiceKind::ProjectThanos),
    )
    .await;
    assert!(
        matches!(
            err,
            LoginError::Transport {
                kind: TransportKind::Tls,
                ..
            }
        ),
        "{err:?}"
    );
    assert_quiet(&err, &[]);
}

#[tokio::test]
async fn connect_timeout_is_configurable() {
    let o = Options::default()
        .connect_timeout(Duration::from_millis(250))
        .timeout(Duration::from_secs(2));
    assert_eq!(o.connect_timeout, Duration::from_millis(250));
    assert_eq!(o.timeout, Duration::from_secs(2));
    assert_eq!(
        Options::default().connect_timeout,
        apilogin::DEFAULT_CONNECT_TIMEOUT
    );
    assert_eq!(Options::default().timeout, apilogin::DEFAULT_TIMEOUT);
}

#[tokio::test]
async fn no_public_type_shows_a_secret() {
    let creds = Credentials::new("demo@remote.it", DEMO_PASSWORD)
        .developer_key(REMOTEIT_DEVELOPER_KEY)
        .key_description("desc");
    assert_quiet(&creds, &[]);
    assert!(format!("{creds}").contains("demo@remote.it"));
    let secret = SecretString::new(DEMO_PASSWORD);
    assert_quiet(&secret, &[]);

    // A session of every service, its details, its identity, its client.
    let mut secret_details = 0;
    for kind in look_alikes() {
        let sandbox = start(kind).await;
        let client = client(kind, &sandbox);
        assert_quiet(&client, &[]);
        let session = login_ok(&client, &demo(kind)).await;
        // The token and every detail the spec makes secret.
        let secrets = session_secrets(&session);
        secret_details += secrets.len() - 1;
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        assert_quiet(&session, &secrets);
        assert_quiet(session.user(), &secrets);
        assert_quiet(session.token(), &secrets);
        assert_no_secret(&format!("{:?}", session.details()), &secrets);
        assert_no_secret(&format!("{:?}", session.auth_headers().unwrap()), &secrets);
        // The generated client the session hands out (`Session::<id>()`), credentials included.
        let api = session.client_debug().unwrap();
        assert!(api.contains("Client"), "{kind}: {api}");
        assert_no_secret(&api, &secrets);
        let outcome = LoginOutcome::LoggedIn(session.clone());
        assert_quiet(&outcome, &secrets);
    }
    // remote.it's developer key and authhash at least: the check of secret details is not empty.
    assert!(
        secret_details >= 2,
        "{secret_details} secret details checked"
    );

    // Challenges keep the password for the second request: still never shown.
    for kind in [ServiceKind::Txty, ServiceKind::RocketChat] {
        let sandbox = start(kind).await;
        let outcome = client(kind, &sandbox).login(&two_factor()).await.unwrap();
        assert_quiet(&outcome, &[]);
        let LoginOutcome::SecondFactor(challenge) = outcome else {
            panic!("expected a challenge")
        };
        assert_quiet(&challenge, &[]);
        let err = challenge.answer("424242").await.unwrap_err();
        assert_quiet(&err, &["424242"]);
    }
}
