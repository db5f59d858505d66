//! An OAuth login to a stored session against a password login to the same store, side by
//! side in one run:
//!
//! * a device login (`Client::login_with_device`) at the real OpenID provider of the tests
//!   (`tests/oidc/provider.mjs`), the code approved through the provider's pages over HTTP as a
//!   person would, then `Store::save_as`;
//! * the renewal of that session with its refresh token (`Session::relogin`), then `save_as`;
//! * a password login to the Rocket.Chat sandbox (no second factor), then `save_as`.
//!
//! The store is a file store in a temporary folder. Prints one JSON line per path (or one
//! `skipped` line without Node.js or the provider's package); `cargo xtask bench` turns them into
//! a table. Run alone: `cargo bench -p apilogin-tests --bench oauth_login`.

#[path = "../oidc/support.rs"]
mod oidc;

use std::time::{Duration, Instant};

use apilogin::store::{Preference, StoreOptions};
use apilogin::{Client, Credentials, LoginOutcome, Options, Service, ServiceKind};
use apilogin_sandbox::{DEMO_PASSWORD, Sandbox};
use apilogin_tests::quantile;

const ROUNDS: usize = 5;

fn line(path: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{}",
        serde_json::json!({
            "path": path,
            "iterations": samples.len(),
            "p50_ms": quantile(&samples, 0.5).as_secs_f64() * 1000.0,
            "max_ms": samples.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
        })
    );
}

#[tokio::main]
async fn main() {
    let running = match oidc::start_provider() {
        Ok(running) => running,
        Err(why) => {
            println!("{}", serde_json::json!({ "skipped": why }));
            return;
        }
    };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut store = StoreOptions::new()
        .dir(dir.path())
        .preference(Preference::File)
        .on_notice(|_| {})
        .open()
        .expect("the store");
    let oidc_kind = ServiceKind::ALL
        .into_iter()
        .find(|k| k.uses_oauth())
        .expect("a service that logs in with OAuth");
    let options = Options::default();
    let oidc_client = Client::with_options(
        Service::new(oidc_kind, Some(&running.issuer)).expect("the issuer"),
        options.clone(),
    )
    .expect("the client");
    let sandbox = Sandbox::start(apilogin_sandbox::Service::RocketChat)
        .await
        .expect("the sandbox");
    let chat = Client::with_options(
        Service::rocketchat(sandbox.base_url()).expect("the sandbox's URL"),
        options,
    )
    .expect("the client");
    let credentials = Credentials::new("demo", DEMO_PASSWORD);

    let (mut device, mut refresh, mut password) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let approval = std::sync::Mutex::new(None);
        let session = oidc_client
            .login_with_device(None, |code| {
                let page = code.verification_uri.clone();
                let user_code = code.user_code.clone();
                *approval.lock().unwrap() = Some(tokio::spawn(async move {
                    oidc::Browser::new()
                        .run(page, Some(&user_code), None, false)
                        .await
                }));
            })
            .await
            .expect("device login");
        let account = session.user().username.clone();
        store.save_as(&account, &session).expect("stored");
        device.push(started.elapsed());
        let task = approval.lock().unwrap().take();
        task.expect("approved").await.expect("the browser");

        let started = Instant::now();
        let renewed = session.relogin().await.expect("refresh");
        store.save_as(&account, &renewed).expect("stored");
        refresh.push(started.elapsed());

        let started = Instant::now();
        let session = match chat.login(&credentials).await.expect("password login") {
            LoginOutcome::LoggedIn(session) => session,
            LoginOutcome::SecondFactor(_) => panic!("the demo account has no second factor"),
        };
        store.save_as("demo", &session).expect("stored");
        password.push(started.elapsed());
    }
    line("device login → stored (OpenID provider)", device);
    line("refresh-token renewal → stored (OpenID provider)", refresh);
    line("password login → stored (Rocket.Chat sandbox)", password);
    sandbox.shutdown().await;
    drop(running);
}
