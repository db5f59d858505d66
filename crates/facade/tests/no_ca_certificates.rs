//! The `apilogin` command on a machine without CA certificates: plain http to the sandboxes
//! works, an https URL is a TLS failure (exit 6) that says what to install.
//!
//! The command runs with `SSL_CERT_FILE` naming an empty file and `SSL_CERT_DIR` an empty
//! folder: reqwest's rustls-platform-verifier loads the roots through rustls-native-certs, which
//! reads only those two when they are set. That the command really had no roots shows in the
//! https answer, which names them (with roots, https to a plain-http server fails in the
//! handshake instead).

mod support;

use apilogin_sandbox::{Sandbox, Service};
use support::{Home, demo_user, env_for, refs, with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_tls_needs_ca_certificates() {
    let empty = tempfile::tempdir().unwrap();
    let file = empty.path().join("none.pem");
    std::fs::write(&file, "").unwrap();
    let dir = empty.path().join("certs");
    std::fs::create_dir(&dir).unwrap();
    let no_roots = [
        (
            "SSL_CERT_FILE".to_owned(),
            file.to_str().unwrap().to_owned(),
        ),
        ("SSL_CERT_DIR".to_owned(), dir.to_str().unwrap().to_owned()),
    ];
    for kind in apilogin::ServiceKind::ALL {
        let Some(service) = Service::from_id(kind.id()) else {
            eprintln!(
                "skipped {kind}: the sandbox has no look-alike of it (its server is a real one, e.g. the OpenID provider of tests/tests/oidc.rs)"
            );
            continue;
        };
        let sandbox = Sandbox::start(service).await.unwrap();
        let mut env = env_for(&sandbox, demo_user(service));
        env.extend(no_roots.iter().cloned());
        Home::new()
            .run(&["login", kind.id()], &refs(&env), None)
            .await
            .expect(0);

        let url_var = format!("{}_URL", kind.id().to_ascii_uppercase());
        let https = sandbox.base_url().replacen("http://", "https://", 1);
        let out = Home::new()
            .run(
                &["login", kind.id()],
                &refs(&with(&env, &url_var, &https)),
                None,
            )
            .await
            .expect(6);
        for needle in [
            "TLS",
            "no CA certificates were loaded",
            "apt-get install ca-certificates",
        ] {
            assert!(out.stderr.contains(needle), "{kind}: {}", out.stderr);
        }
    }
}
