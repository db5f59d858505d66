//! Renewal under load (issue 24): 4 processes share one store and make 1,000 authenticated
//! requests between them, each asking the store for the session before its request, while the
//! stored session comes due (its expiry passes into the store's renewal margin a second into
//! the run). Counted by a recording proxy in front of the Rocket.Chat sandbox: the renewal requests (`resume`
//! logins) and the errors callers saw. Side by side, in the same run: the same load on a session
//! that is not due (no renewal), and the floor, a session held in memory (no store read). Then
//! the same with a session of the real OpenID provider of the tests (renewed with its refresh
//! token), where Node.js has it.
//!
//! The parent re-runs this binary as its workers (`--worker`), so the processes are real.
//! Prints one JSON line per path; `cargo xtask bench` turns them into a table. Run alone:
//! `cargo bench -p apilogin-tests --bench renewal`.

#[path = "../oidc/support.rs"]
mod oidc;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use apilogin::store::{Preference, Selector, StoreOptions};
use apilogin::{ServiceKind, Store};
use apilogin_sandbox::{DEMO_PASSWORD, Sandbox, Service};
use apilogin_tests::proxy::RecordingProxy;
use apilogin_tests::quantile;

const PROCESSES: usize = 4;
const REQUESTS: usize = 1_000;
/// Each worker paces its requests so that the run lasts about this long and the expiry falls
/// inside it.
const RUN: Duration = Duration::from_millis(3_000);
/// The store renews a session with less than this left (`store::renew::RENEW_MARGIN`).
const MARGIN_SECS: u64 = 60;

fn store_at(dir: &Path) -> Store {
    StoreOptions::new()
        .dir(dir)
        .preference(Preference::File)
        .open()
        .expect("store")
}

/// What one worker saw.
#[derive(serde::Serialize, serde::Deserialize)]
struct Worker {
    requests: usize,
    errors: usize,
    /// Latency of each store read + request, in microseconds.
    micros: Vec<u64>,
    /// A fingerprint of each distinct token the worker was handed (never the token): with the
    /// other workers', one more than the renewals that happened.
    tokens: Vec<u64>,
}

fn fingerprint(token: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    token.hash(&mut hasher);
    hasher.finish()
}

/// `--worker DIR N held|store KIND`: N requests, each after asking the store for KIND's
/// session (or, with `held`, on the session read once).
fn worker(dir: PathBuf, requests: usize, held: bool, kind: ServiceKind) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let pause = RUN / requests as u32;
    let report = runtime.block_on(async move {
        let store = store_at(&dir);
        let once = store
            .session(kind, &Selector::default())
            .await
            .expect("the stored session");
        let (mut errors, mut micros) = (0, Vec::with_capacity(requests));
        let mut tokens = vec![fingerprint(once.token().expose_secret())];
        let started = Instant::now();
        for i in 0..requests {
            // Paced: request i is not sent before its share of RUN has passed.
            let due = started + pause * i as u32;
            tokio::time::sleep_until(due.into()).await;
            let t = Instant::now();
            let result = if held {
                once.verify().await.map(drop).map_err(|e| e.to_string())
            } else {
                match store.session(kind, &Selector::default()).await {
                    Ok(session) => {
                        let seen = fingerprint(session.token().expose_secret());
                        if !tokens.contains(&seen) {
                            tokens.push(seen);
                        }
                        session.verify().await.map(drop).map_err(|e| e.to_string())
                    }
                    Err(e) => Err(e.to_string()),
                }
            };
            micros.push(t.elapsed().as_micros() as u64);
            if let Err(e) = result {
                errors += 1;
                eprintln!("worker: {e}");
            }
        }
        Worker {
            requests,
            errors,
            micros,
            tokens,
        }
    });
    println!("{}", serde_json::to_string(&report).expect("json"));
}

/// Makes the stored session come due `after` from now, as time passing would.
fn come_due_in(store_file: &Path, after: Duration) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let at = now.as_secs() + MARGIN_SECS + after.as_secs().max(1);
    let mut index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(store_file).unwrap()).unwrap();
    for entry in index["sessions"].as_array_mut().unwrap() {
        entry["session"]["expires_at"] = at.into();
    }
    std::fs::write(store_file, serde_json::to_string_pretty(&index).unwrap()).unwrap();
}

/// One path's JSON line: what the workers saw together.
fn report(path: &str, workers: &[Worker], renewals: usize, wall: Duration) {
    let mut micros: Vec<Duration> = workers
        .iter()
        .flat_map(|w| w.micros.iter().map(|&m| Duration::from_micros(m)))
        .collect();
    micros.sort();
    println!(
        "{}",
        serde_json::json!({
            "path": path,
            "processes": PROCESSES,
            "requests": workers.iter().map(|w| w.requests).sum::<usize>(),
            "errors": workers.iter().map(|w| w.errors).sum::<usize>(),
            "renewals": renewals,
            "wall_ms": wall.as_secs_f64() * 1e3,
            "p50_us": quantile(&micros, 0.50).as_secs_f64() * 1e6,
            "p99_us": quantile(&micros, 0.99).as_secs_f64() * 1e6,
        })
    );
}

fn run_workers(dir: &Path, held: bool, kind: ServiceKind) -> (Vec<Worker>, Duration) {
    let exe = std::env::current_exe().expect("this bench");
    let started = Instant::now();
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            Command::new(&exe)
                .args(["--worker", dir.to_str().unwrap()])
                .arg((REQUESTS / PROCESSES).to_string())
                .arg(if held { "held" } else { "store" })
                .arg(kind.id())
                .stdout(Stdio::piped())
                .spawn()
                .expect("a worker")
        })
        .collect();
    let workers = children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().expect("worker output");
            assert!(out.status.success(), "a worker failed");
            let line = String::from_utf8_lossy(&out.stdout);
            serde_json::from_str(line.trim()).expect("worker JSON")
        })
        .collect();
    (workers, started.elapsed())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--worker") {
        let dir = PathBuf::from(&args[i + 1]);
        let requests = args[i + 2].parse().expect("requests");
        let kind = ServiceKind::from_id(&args[i + 4]).expect("a service");
        worker(dir, requests, args[i + 3] == "held", kind);
        return;
    }

    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let sandbox = server_rt
        .block_on(
            Sandbox::builder(Service::RocketChat)
                .rate_limit(u32::MAX, Duration::from_secs(60))
                .start(),
        )
        .expect("sandbox");
    // Through a recording proxy, which counts what reaches the server.
    let proxy = server_rt
        .block_on(RecordingProxy::start(sandbox.base_url()))
        .expect("proxy");
    let base = proxy.base_url().to_string();
    let home = tempfile::tempdir().expect("a store folder");
    let dir = home.path().join("apilogin");
    server_rt.block_on(async {
        let service = apilogin::Service::rocketchat(&base).expect("service");
        let client = apilogin::Client::new(service).expect("client");
        let credentials = apilogin::Credentials::new("demo", DEMO_PASSWORD);
        let apilogin::LoginOutcome::LoggedIn(session) =
            client.login(&credentials).await.expect("login")
        else {
            panic!("the demo account has no second factor");
        };
        store_at(&dir).save(&session).expect("stored");
    });
    let store_file = store_at(&dir).index_path().to_path_buf();
    let logins = || {
        proxy
            .exchanges()
            .iter()
            .filter(|e| e.path == "/api/v1/login")
            .count()
    };

    for (path, held, due) in [
        ("held session (floor): me", true, false),
        ("store read + me, not due", false, false),
        ("store read + me, due mid-run", false, true),
    ] {
        if due {
            come_due_in(&store_file, Duration::from_secs(1));
        }
        let before = logins();
        let (workers, wall) = run_workers(&dir, held, ServiceKind::RocketChat);
        let renewals = logins() - before;
        report(path, &workers, renewals, wall);
    }
    server_rt.block_on(sandbox.shutdown());
    oauth_due_mid_run();
}

/// The same load on a session of the real OpenID provider that comes due mid-run: renewed with
/// its refresh token. The provider rotates refresh tokens, so a second renewal with the same one
/// would be refused (an error); the renewals are counted as the distinct access tokens the
/// workers were handed, less one.
fn oauth_due_mid_run() {
    let running = match oidc::start_provider() {
        Ok(running) => running,
        Err(why) => {
            println!("{}", serde_json::json!({ "skipped": why }));
            return;
        }
    };
    let kind = ServiceKind::ALL
        .into_iter()
        .find(|k| k.uses_oauth())
        .expect("a service that logs in with OAuth");
    let home = tempfile::tempdir().expect("a store folder");
    let dir = home.path().join("apilogin");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let service = apilogin::Service::new(kind, Some(&running.issuer)).expect("the issuer");
        let client = apilogin::Client::new(service).expect("client");
        let approval = std::sync::Mutex::new(None);
        let session = client
            .login_with_device(None, |code| {
                let (page, user_code) = (code.verification_uri.clone(), code.user_code.clone());
                *approval.lock().unwrap() = Some(tokio::spawn(async move {
                    oidc::Browser::new()
                        .run(page, Some(&user_code), None, false)
                        .await
                }));
            })
            .await
            .expect("device login");
        let task = approval.lock().unwrap().take();
        task.expect("approved").await.expect("the browser");
        store_at(&dir).save(&session).expect("stored");
    });
    let store_file = store_at(&dir).index_path().to_path_buf();
    come_due_in(&store_file, Duration::from_secs(1));
    let (workers, wall) = run_workers(&dir, false, kind);
    let mut tokens: Vec<u64> = workers.iter().flat_map(|w| w.tokens.clone()).collect();
    tokens.sort_unstable();
    tokens.dedup();
    report(
        "OpenID provider: store read + userinfo, due mid-run",
        &workers,
        tokens.len() - 1,
        wall,
    );
    drop(running);
}
