//! The `apilogin` command against a real OpenID Connect provider (npm's `oidc-provider`, started
//! by `tests/oidc/provider.mjs`): the spec `specs/oidcprovider.yaml`'s `x-apilogin.oauth` run end
//! to end. The test plays the user: it reads what the command prints on standard error (the
//! authorization URL, or the device code and its page) and drives the provider's pages over
//! HTTP, as `tests/tests/oidc.rs` does for the library.
//!
//! Skipped with a notice where Node.js or the package is missing (failing under `CI=true`).

mod support;

#[path = "../../../tests/oidc/support.rs"]
mod oidc;

use std::io::BufRead as _;
use std::process::Stdio;
use std::time::Duration;

use reqwest::{StatusCode, Url};
use serde_json::Value;
use support::{Home, Output};

/// `apilogin` running: its standard error read line by line as it is written.
struct Running {
    child: std::process::Child,
    lines: tokio::sync::mpsc::UnboundedReceiver<String>,
    stderr: String,
}

impl Home {
    fn spawn(&self, args: &[&str], envs: &[(&str, &str)]) -> Running {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("apilogin"))
            .args(args)
            .env_clear()
            .env("APILOGIN_CONFIG_DIR", self.config())
            .envs(envs.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("apilogin starts");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines,
            stderr: String::new(),
        }
    }
}

impl Running {
    /// The first line of standard error for which `pick` gives something (what it gives).
    async fn until<T>(&mut self, pick: impl Fn(&str) -> Option<T>) -> T {
        loop {
            let line = tokio::time::timeout(Duration::from_secs(60), self.lines.recv())
                .await
                .expect("apilogin says something within a minute")
                .unwrap_or_else(|| panic!("apilogin ended first; it said:\n{}", self.stderr));
            self.stderr.push_str(&line);
            self.stderr.push('\n');
            if let Some(found) = pick(&line) {
                return found;
            }
        }
    }

    /// Waits for the command to exit (at most two minutes).
    async fn finish(mut self) -> Output {
        let mut child = self.child;
        let status = tokio::task::spawn_blocking(move || {
            let start = std::time::Instant::now();
            loop {
                if let Some(status) = child.try_wait().expect("wait") {
                    let mut out = String::new();
                    std::io::Read::read_to_string(child.stdout.as_mut().expect("stdout"), &mut out)
                        .expect("stdout");
                    return (status, out);
                }
                if start.elapsed() > Duration::from_secs(120) {
                    let _ = child.kill();
                    panic!("apilogin did not exit within two minutes");
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        })
        .await
        .unwrap();
        while let Some(line) = self.lines.recv().await {
            self.stderr.push_str(&line);
            self.stderr.push('\n');
        }
        Output {
            code: status.0.code().expect("an exit code"),
            stdout: status.1,
            stderr: self.stderr,
        }
    }
}

/// The printed authorization URL (the line after "open this page in a browser").
fn authorization_url(line: &str) -> Option<Url> {
    let url = line.strip_prefix("  ")?;
    Url::parse(url).ok().filter(|u| u.path() == "/auth")
}

/// The device code line: its page and the code.
fn device_code(line: &str) -> Option<(Url, String)> {
    let rest = line.split_once(", open ")?.1;
    let (page, rest) = rest.split_once(" on any device and enter the code ")?;
    let code = rest.split_once(' ')?.0;
    Some((Url::parse(page).ok()?, code.to_owned()))
}

/// The origin of the loopback redirect an authorization URL names.
fn redirect_origin(url: &Url) -> String {
    url.query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| {
            Url::parse(&v)
                .expect("redirect_uri")
                .origin()
                .ascii_serialization()
        })
        .expect("a redirect_uri")
}

/// The stored session of the service (the store is a file: no keyring in the test's
/// environment).
fn stored(home: &Home) -> Option<Value> {
    let text = std::fs::read_to_string(home.store_file()).ok()?;
    let index: Value = serde_json::from_str(&text).unwrap();
    index["sessions"]
        .as_array()?
        .iter()
        .find(|e| e["service"] == "oidcprovider")
        .map(|e| e["session"].clone())
}

fn set_stored_expiry(home: &Home, at: u64) {
    let path = home.store_file();
    let mut index: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for e in index["sessions"].as_array_mut().unwrap() {
        if e["service"] == "oidcprovider" {
            e["session"]["expires_at"] = at.into();
        }
    }
    apilogin::store::write_private_file(&path, &serde_json::to_string(&index).unwrap()).unwrap();
}

async fn userinfo(issuer: &str, token: &str) -> StatusCode {
    reqwest::Client::new()
        .get(format!("{issuer}/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("userinfo answers")
        .status()
}

/// Neither stream of `out` holds any of `secrets`.
#[track_caller]
fn hides_all(out: &Output, secrets: &[&str]) {
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        assert!(
            !out.stdout.contains(s) && !out.stderr.contains(s),
            "a secret was printed\nstdout: {}\nstderr: {}",
            out.stdout,
            out.stderr
        );
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// `login --device`, approved through the provider's pages; then `status` (the expiry),
/// `token` (renewed with the refresh token once expired), and `logout` (revoked).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_login_status_token_renewal_and_logout() {
    let Some(issuer) = oidc::provider_issuer() else {
        return;
    };
    let home = Home::new();
    let mut login = home.spawn(&["login", "oidc", "--issuer", &issuer, "--device"], &[]);
    let (page, code) = login.until(device_code).await;
    assert_eq!(page.origin().ascii_serialization(), issuer);
    let (_, last) = oidc::Browser::new()
        .run(page, Some(&code), None, false)
        .await;
    assert!(last.contains("Sign-in Success"), "the last page: {last}");
    let out = login.finish().await.expect(0);
    assert!(
        out.stdout.contains(&format!(
            "Logged in to OpenID provider at {issuer} as alice@example.test (Alice), user id alice"
        )),
        "{}",
        out.stdout
    );
    let session = stored(&home).expect("the session is stored");
    let access = session["token"]
        .as_str()
        .expect("the access token")
        .to_owned();
    let refresh = session["oauth"]["refresh_token"]
        .as_str()
        .expect("the refresh token is kept")
        .to_owned();
    assert_eq!(session["oauth"]["client_id"], "apilogin-cli");
    let expires_at = session["expires_at"].as_u64().expect("the expiry is kept");
    // The provider's access tokens last an hour.
    assert!(
        (now() + 3500..=now() + 3600).contains(&expires_at),
        "{expires_at}"
    );
    hides_all(&out, &[&access, &refresh]);
    assert_eq!(userinfo(&issuer, &access).await, StatusCode::OK);

    // status: valid (userinfo answered), with the expiry; no secret.
    let status = home.run(&["status"], &[], None).await.expect(0);
    assert!(status.stdout.contains("expires in"), "{}", status.stdout);
    assert!(
        status.stdout.contains("alice@example.test"),
        "{}",
        status.stdout
    );
    hides_all(&status, &[&access, &refresh]);

    // token: the stored one while it is valid.
    let token = home.run(&["token", "oidc"], &[], None).await.expect(0);
    assert_eq!(token.stdout.trim(), access);

    // Once expired, `token` renews it with the refresh token (rotated by the provider).
    set_stored_expiry(&home, now() - 1);
    let renewed = home.run(&["token", "oidc"], &[], None).await.expect(0);
    let new_access = renewed.stdout.trim().to_owned();
    assert_ne!(new_access, access, "a new access token");
    assert_eq!(userinfo(&issuer, &new_access).await, StatusCode::OK);
    let session = stored(&home).unwrap();
    assert_eq!(
        session["token"],
        new_access.as_str(),
        "the renewed session is stored"
    );
    let new_refresh = session["oauth"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(session["expires_at"].as_u64().unwrap() > now() + 3000);
    hides_all(&renewed, &[&refresh, &new_refresh]);

    // logout: the tokens revoked, the session forgotten.
    let out = home.run(&["logout", "oidc"], &[], None).await.expect(0);
    assert!(
        out.stderr.contains("Ended the session on the server."),
        "{}",
        out.stderr
    );
    hides_all(&out, &[&new_access, &new_refresh]);
    assert_eq!(
        userinfo(&issuer, &new_access).await,
        StatusCode::UNAUTHORIZED
    );
    assert!(stored(&home).is_none());
    home.run(&["token", "oidc"], &[], None).await.expect(1);
}

/// `login oidc --issuer` at a provider that serves userinfo elsewhere than the sixth spec's
/// `/me` (as most providers do): who logged in, `verify` and `status` come from the userinfo
/// endpoint its discovery names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_with_userinfo_at_a_path_of_its_own() {
    if oidc::provider_issuer().is_none() {
        return;
    }
    let running = oidc::start_provider_with(&[("OIDC_USERINFO_PATH", "/v1/userinfo")])
        .expect("the provider, with userinfo at /v1/userinfo");
    let issuer = running.issuer.clone();
    let home = Home::new();
    let mut login = home.spawn(&["login", "oidc", "--issuer", &issuer, "--device"], &[]);
    let (page, code) = login.until(device_code).await;
    oidc::Browser::new()
        .run(page, Some(&code), None, false)
        .await;
    let out = login.finish().await.expect(0);
    assert!(
        out.stdout
            .contains("as alice@example.test (Alice), user id alice"),
        "{}",
        out.stdout
    );
    let access = stored(&home).unwrap()["token"].as_str().unwrap().to_owned();
    // The spec's path is not this provider's userinfo.
    assert_eq!(userinfo(&issuer, &access).await, StatusCode::NOT_FOUND);
    let verify = home.run(&["verify", "oidc"], &[], None).await.expect(0);
    assert!(
        verify.stdout.contains("alice@example.test"),
        "{}",
        verify.stdout
    );
    let status = home.run(&["status"], &[], None).await.expect(0);
    assert!(status.stdout.contains("expires in"), "{}", status.stdout);
    hides_all(&verify, &[&access]);
    hides_all(&status, &[&access]);

    // Revoked: userinfo refuses the token, and `verify` says the session ended.
    let revoked = reqwest::Client::new()
        .post(format!("{issuer}/token/revocation"))
        .form(&[("token", access.as_str()), ("client_id", "apilogin-cli")])
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success(), "{}", revoked.status());
    let out = home.run(&["verify", "oidc"], &[], None).await.expect(3);
    hides_all(&out, &[&access]);
    drop(running);
}

/// The browser flow: the URL printed on standard error (no browser here), the test's browser
/// following it to the command's loopback listener.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_login_through_the_printed_url() {
    let Some(issuer) = oidc::provider_issuer() else {
        return;
    };
    let home = Home::new();
    let mut login = home.spawn(&["login", "oidcprovider", "--url", &issuer, "--json"], &[]);
    let url = login.until(authorization_url).await;
    assert_eq!(url.origin().ascii_serialization(), issuer);
    let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(pairs["client_id"], "apilogin-cli");
    assert_eq!(pairs["code_challenge_method"], "S256");
    assert!(pairs["scope"].split(' ').any(|s| s == "openid"));
    let loopback = redirect_origin(&url);
    assert!(loopback.starts_with("http://127.0.0.1:"), "{loopback}");
    let (last, page) = oidc::Browser::new()
        .run(url, None, Some(&loopback), false)
        .await;
    assert_eq!(last.path(), "/callback");
    assert!(page.contains("You are logged in"), "{page}");
    let out = login.finish().await.expect(0);
    let json = out.json();
    assert_eq!(json["service"], "oidcprovider");
    assert_eq!(json["user"]["user_id"], "alice");
    let session = stored(&home).expect("stored");
    let access = session["token"].as_str().unwrap();
    let refresh = session["oauth"]["refresh_token"].as_str().unwrap();
    assert!(json.get("token").is_none(), "{json}");
    assert!(json["oauth"].get("refresh_token").is_none(), "{json}");
    hides_all(&out, &[access, refresh]);
    // verify asks the userinfo endpoint of the spec.
    let verify = home.run(&["verify", "oidc"], &[], None).await.expect(0);
    assert!(verify.stdout.contains("alice"), "{}", verify.stdout);

    // A second login renews the stored session with its refresh token: no browser.
    let again = home
        .run(&["login", "oidc", "--url", &issuer], &[], None)
        .await
        .expect(0);
    assert!(again.stderr.contains("refresh token"), "{}", again.stderr);
    assert!(!again.stderr.contains("/auth?"), "{}", again.stderr);
}

/// The JSON error of a failed login, and that nothing was stored.
#[track_caller]
fn failed(home: &Home, out: &Output, code: i32, oauth_error: &str) {
    assert_eq!(
        out.code, code,
        "stdout: {}\nstderr: {}",
        out.stdout, out.stderr
    );
    let json = out.json();
    assert_eq!(json["error"]["reason"], "oauth", "{json}");
    assert_eq!(json["error"]["oauth_error"], oauth_error, "{json}");
    assert_eq!(json["error"]["service"], "oidcprovider", "{json}");
    assert!(
        stored(home).is_none(),
        "nothing is stored after a failed login"
    );
}

/// The user refusing at the provider: access_denied, exit 3.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_browser_login_stores_nothing() {
    let Some(issuer) = oidc::provider_issuer() else {
        return;
    };
    let home = Home::new();
    let mut login = home.spawn(&["login", "oidc", "--url", &issuer, "--json"], &[]);
    let url = login.until(authorization_url).await;
    let loopback = redirect_origin(&url);
    oidc::Browser::new()
        .run(url, None, Some(&loopback), true)
        .await;
    let out = login.finish().await;
    failed(&home, &out, 3, "access_denied");
}

/// A redirect to the loopback listener with another login's state: nothing exchanged, nothing
/// stored, the code sent not printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_with_a_wrong_state_stores_nothing() {
    let Some(issuer) = oidc::provider_issuer() else {
        return;
    };
    let home = Home::new();
    let mut login = home.spawn(&["login", "oidc", "--url", &issuer, "--json"], &[]);
    let url = login.until(authorization_url).await;
    let redirect = url
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let forged = format!("{redirect}?code=forged-code-123&state=another-login&iss={issuer}");
    let answer = reqwest::get(&forged).await.expect("the listener answers");
    assert!(answer.status().is_success() || answer.status().is_client_error());
    let out = login.finish().await;
    failed(&home, &out, 7, "state_mismatch");
    hides_all(&out, &["forged-code-123"]);
}

/// A device code nobody approves before it expires (the provider's short-lived client):
/// exit 3, nothing stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_device_code_stores_nothing() {
    let Some(issuer) = oidc::provider_issuer() else {
        return;
    };
    let home = Home::new();
    let login = home.spawn(
        &[
            "login",
            "oidc",
            "--url",
            &issuer,
            "--device",
            "--client-id",
            "apilogin-short",
            "--json",
        ],
        &[],
    );
    let out = login.finish().await;
    failed(&home, &out, 3, "device_code_expired");
}

/// A provider whose token endpoint redirects to another origin during the device login: the
/// redirect is not followed (the device code would go with it), exit 7, nothing stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_endpoint_redirecting_elsewhere_stores_nothing() {
    use axum::Router;
    use axum::http::header;
    use axum::response::IntoResponse;
    use axum::routing::{get, post};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let discovery = serde_json::json!({
        "issuer": origin,
        "authorization_endpoint": format!("{origin}/auth"),
        "token_endpoint": format!("{origin}/token"),
        "device_authorization_endpoint": format!("{origin}/device/auth"),
        "jwks_uri": format!("{origin}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    });
    let page = format!("{origin}/device");
    let app = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || async move { axum::Json(discovery) }),
        )
        .route(
            "/jwks",
            get(|| async { axum::Json(serde_json::json!({ "keys": [] })) }),
        )
        .route(
            "/device/auth",
            post(move || async move {
                axum::Json(serde_json::json!({
                    "device_code": "secret-device-code-456",
                    "user_code": "WDJB-MJHT",
                    "verification_uri": page,
                    "expires_in": 60,
                    "interval": 1,
                }))
            }),
        )
        .route(
            "/token",
            post(|| async {
                (
                    axum::http::StatusCode::TEMPORARY_REDIRECT,
                    [(header::LOCATION, "http://127.0.0.2:9/collect?x=1")],
                )
                    .into_response()
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let home = Home::new();
    let out = home
        .run(
            &[
                "login",
                "oidc",
                "--url",
                &origin,
                "--device",
                "--client-id",
                "x",
                "--json",
            ],
            &[],
            None,
        )
        .await;
    failed(&home, &out, 7, "redirected");
    hides_all(&out, &["secret-device-code-456", "collect"]);
    assert!(out.stderr.contains("127.0.0.2:9"), "{}", out.stderr);
}

/// --device and --client-id are for services that log in with OAuth; a password login of an
/// OAuth service is refused before anything is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_flags_on_a_password_service_are_usage_errors() {
    let out = support::apilogin(
        &[
            "login",
            "rocketchat",
            "--url",
            "http://127.0.0.1:9",
            "--device",
        ],
        &[],
        None,
    )
    .await
    .expect(2);
    assert!(
        out.stderr.contains("--device and --client-id"),
        "{}",
        out.stderr
    );
}
