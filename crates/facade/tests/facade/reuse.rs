//! A client builds its HTTP client once: logins, challenge answers and the sessions' calls reuse
//! it, connections included. Counted by a TCP relay in front of the sandbox.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use apilogin::{Client, Credentials, LoginError, LoginOutcome, ServiceKind};
use apilogin_sandbox as sb;
use tokio::net::{TcpListener, TcpStream};

use crate::common::*;

/// A sandbox behind a relay that counts the TCP connections it accepts.
struct Counted {
    sandbox: sb::Sandbox,
    base_url: String,
    connections: Arc<AtomicUsize>,
}

impl Counted {
    async fn start(kind: ServiceKind) -> Counted {
        let sandbox = sb::Sandbox::builder(sandbox_service(kind))
            .rate_limit(1_000, Duration::from_secs(60))
            .start()
            .await
            .unwrap();
        let target = sandbox.addr();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&connections);
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut outbound = TcpStream::connect(target).await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                });
            }
        });
        let base_url = relayed(sandbox.base_url(), relay);
        Counted {
            sandbox,
            base_url,
            connections,
        }
    }

    fn client(&self, kind: ServiceKind) -> Client {
        let service = apilogin::Service::new(kind, Some(&self.base_url)).unwrap();
        Client::with_options(service, options()).unwrap()
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// `base_url` with its host and port replaced by the relay's.
fn relayed(base_url: &str, relay: SocketAddr) -> String {
    let mut url = reqwest::Url::parse(base_url).unwrap();
    url.set_port(Some(relay.port())).unwrap();
    url.as_str().trim_end_matches('/').to_owned()
}

#[tokio::test]
async fn logins_reuse_one_connection() {
    for kind in look_alikes() {
        let counted = Counted::start(kind).await;
        let client = counted.client(kind);
        assert_eq!(counted.connections(), 0, "{kind}: connected before a login");
        for _ in 0..5 {
            login_ok(&client, &demo(kind)).await;
        }
        // A clone shares the client too.
        login_ok(&client.clone(), &demo(kind)).await;
        assert_eq!(counted.connections(), 1, "{kind}");
        assert_quiet(&client, &[]);
        counted.sandbox.shutdown().await;
    }
}

#[tokio::test]
async fn challenges_and_session_calls_reuse_the_login_connection() {
    for kind in [ServiceKind::Txty, ServiceKind::RocketChat] {
        let counted = Counted::start(kind).await;
        let client = counted.client(kind);
        let challenge = match client.login(&two_factor()).await.unwrap() {
            LoginOutcome::SecondFactor(c) => c,
            other => panic!("{kind}: expected a challenge, got {other:?}"),
        };
        challenge.answer("000000").await.unwrap_err();
        let session = challenge.answer(SECOND_FACTOR_CODE).await.unwrap();
        assert_eq!(counted.connections(), 1, "{kind}");

        session.verify().await.unwrap();
        session.verify().await.unwrap();
        session.clone().verify().await.unwrap();
        // Credentials go with each request, not into the HTTP client: the session's calls
        // share the login's client and its connection.
        assert_eq!(counted.connections(), 1, "{kind}");
        if kind == ServiceKind::RocketChat {
            let again = session.relogin().await.unwrap();
            again.verify().await.unwrap();
            assert_eq!(
                counted.connections(),
                1,
                "{kind}: relogin, then the new session"
            );
        }
        session.logout().await.unwrap();
        assert_quiet(&session, &[session.token().expose_secret()]);
        counted.sandbox.shutdown().await;
    }
}

#[tokio::test]
async fn remoteit_client_follows_the_developer_key() {
    let kind = ServiceKind::RemoteIt;
    let counted = Counted::start(kind).await;
    let client = counted.client(kind);
    let session = login_ok(&client, &demo(kind)).await;
    login_ok(&client, &demo(kind)).await;
    session.relogin().await.unwrap();
    assert_eq!(counted.connections(), 1);
    assert_quiet(&client, &[]);

    // Another key is sent with its login, over the same connection.
    let other_key = Credentials::new("demo@remote.it", DEMO_PASSWORD).developer_key("not-the-key");
    let err = login_err(&client, &other_key).await;
    assert!(matches!(err, LoginError::BadCredentials { .. }), "{err:?}");
    assert_quiet(&client, &["not-the-key"]);
    let err = login_err(&client, &other_key).await;
    assert!(matches!(err, LoginError::BadCredentials { .. }), "{err:?}");

    login_ok(&client, &demo(kind)).await;
    assert_eq!(counted.connections(), 1);
    counted.sandbox.shutdown().await;
}

#[tokio::test]
async fn stored_sessions_share_the_client_of_their_base_url_and_options() {
    let kind = ServiceKind::RocketChat;
    let counted = Counted::start(kind).await;
    let session = login_ok(&counted.client(kind), &demo(kind)).await;
    let stored = serde_json::to_string(&session).unwrap();
    let loaded: apilogin::Session = serde_json::from_str(&stored).unwrap();
    let loaded = loaded.with_options(options());
    let before = counted.connections();
    loaded.verify().await.unwrap();
    loaded.verify().await.unwrap();
    loaded.rocketchat().unwrap().me().send().await.unwrap();
    // The login's client, shared per base URL and options: no new connection.
    assert_eq!(counted.connections(), before);
    // New options, new client.
    let loaded = loaded.with_options(options().timeout(Duration::from_secs(9)));
    loaded.verify().await.unwrap();
    assert_eq!(counted.connections(), before + 1);
    counted.sandbox.shutdown().await;
}
