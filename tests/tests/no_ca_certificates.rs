//! Without CA certificates only TLS breaks: the generated clients' `Client::new` and the
//! facade work over plain http, and an https URL fails with an error that names the missing
//! certificates and what to do.
//!
//! The machine's CA certificates are taken away from a second run of this test binary:
//! `SSL_CERT_FILE` names an empty file and `SSL_CERT_DIR` an empty folder. reqwest (feature
//! `rustls`) verifies with rustls-platform-verifier, which on Linux loads the roots through
//! rustls-native-certs, and that reads only those two when they are set. The run checks first
//! that reqwest really finds no roots.

use std::process::Command;

use apilogin::{LoginError, LoginOutcome, TransportKind};
use apilogin_sandbox::{DEMO_PASSWORD, REMOTEIT_DEVELOPER_KEY, Sandbox, Service};

/// The hint both the generated crates and the facade give.
const HINT: &str = "apt-get install ca-certificates";

#[test]
fn only_tls_needs_ca_certificates() {
    let empty = tempfile::tempdir().unwrap();
    let file = empty.path().join("none.pem");
    std::fs::write(&file, "").unwrap();
    let dir = empty.path().join("certs");
    std::fs::create_dir(&dir).unwrap();
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "without_ca_certificates",
            "--test-threads=1",
        ])
        .env("SSL_CERT_FILE", &file)
        .env("SSL_CERT_DIR", &dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by only_tls_needs_ca_certificates, with the CA certificates taken away"]
async fn without_ca_certificates() {
    // The simulation holds: reqwest finds no roots.
    let e = reqwest::Client::builder()
        .build()
        .expect_err("this run must have no CA certificates");
    assert!(
        format!("{:?}", e).contains("No CA certificates"),
        "not the missing roots: {e:?}"
    );

    // The generated clients: `Client::new` over plain http works, over https it fails with
    // the hint.
    let remoteit = Sandbox::start(Service::RemoteIt).await.unwrap();
    let projectthanos = Sandbox::start(Service::ProjectThanos).await.unwrap();
    let login = remoteit_client::Client::new(remoteit.base_url())
        .expect("an http client needs no CA certificates")
        .with_credentials(remoteit_client::Credentials::new().developer_key(REMOTEIT_DEVELOPER_KEY))
        .login()
        .body(remoteit_client::types::LoginRequest {
            username: "demo@remote.it".into(),
            password: DEMO_PASSWORD.into(),
        })
        .send()
        .await
        .expect("remote.it login over http");
    assert!(!login.token.expose_secret().is_empty());
    let login = projectthanos_client::Client::new(projectthanos.base_url())
        .expect("an http client needs no CA certificates")
        .login()
        .body(projectthanos_client::types::LoginRequest {
            username: "retailer@projectthanos.com".parse().unwrap(),
            password: DEMO_PASSWORD.into(),
        })
        .send()
        .await
        .expect("Project Thanos login over http");
    assert!(!login.auth_token.expose_secret().is_empty());
    let https = remoteit.base_url().replacen("http://", "https://", 1);
    let errors = [
        remoteit_client::Client::new(&https)
            .err()
            .map(|e| e.to_string()),
        txty_client::Client::new(&https)
            .err()
            .map(|e| e.to_string()),
        projectthanos_client::Client::new(&https)
            .err()
            .map(|e| e.to_string()),
        rocketchat_client::Client::new(&https)
            .err()
            .map(|e| e.to_string()),
        mattermost_client::Client::new(&https)
            .err()
            .map(|e| e.to_string()),
    ];
    for e in errors {
        let e = e.expect("an https client cannot be built without CA certificates");
        assert!(e.contains("No CA certificates") && e.contains(HINT), "{e}");
    }
    for plain in [
        txty_client::Client::new("http://127.0.0.1:1")
            .err()
            .map(|e| e.to_string()),
        rocketchat_client::Client::new("http://127.0.0.1:1")
            .err()
            .map(|e| e.to_string()),
        mattermost_client::Client::new("http://127.0.0.1:1")
            .err()
            .map(|e| e.to_string()),
    ] {
        assert!(plain.is_none(), "{plain:?}");
    }

    // The facade: every service logs in over plain http; https is a TLS error with the hint.
    for kind in apilogin::ServiceKind::ALL {
        let Some(look_alike) = Service::from_id(kind.id()) else {
            eprintln!(
                "skipped {kind}: the sandbox has no look-alike of it (its server is a real one, e.g. the OpenID provider of tests/tests/oidc.rs)"
            );
            continue;
        };
        let sandbox = Sandbox::start(look_alike).await.unwrap();
        let service = apilogin::Service::new(kind, Some(sandbox.base_url())).unwrap();
        let user = match look_alike {
            Service::RemoteIt => "demo@remote.it",
            Service::ProjectThanos => "retailer@projectthanos.com",
            _ => "demo",
        };
        // Inputs a service does not have are not sent.
        let credentials =
            apilogin::Credentials::new(user, DEMO_PASSWORD).developer_key(REMOTEIT_DEVELOPER_KEY);
        match apilogin::Client::new(service)
            .unwrap_or_else(|e| panic!("{kind} over http: {e}"))
            .login(&credentials)
            .await
        {
            Ok(LoginOutcome::LoggedIn(_)) => {}
            other => panic!("{kind} over http: {other:?}"),
        }
        let https = sandbox.base_url().replacen("http://", "https://", 1);
        let e = apilogin::Client::new(apilogin::Service::new(kind, Some(&https)).unwrap())
            .expect_err("an https client cannot work without CA certificates");
        assert!(
            matches!(
                e,
                LoginError::Transport {
                    kind: TransportKind::Tls,
                    ..
                }
            ),
            "{kind}: {e:?}"
        );
        let text = e.to_string();
        assert!(
            text.contains("no CA certificates") && text.contains(HINT),
            "{text}"
        );
    }
}
