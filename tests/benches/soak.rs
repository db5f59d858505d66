//! Memory soak of the sandbox: a long run of Rocket.Chat logins with their logouts (plus logins
//! left without logout and failed logins under ever new user names, which only expiry can
//! forget) against one sandbox in this process, reading resident memory (`VmRSS`) after a
//! warm-up and at the end. Prints one JSON line; `cargo xtask bench` turns it into a table.
//! Run alone: `cargo bench -p apilogin-tests --bench soak [-- --logins=N]`.
//!
//! The sandbox is built with short token and failure lifetimes (2 s), so the abandoned tokens
//! and the failure counters expire many times over during the run; with the default lifetimes
//! (90 days, 5 minutes) they would be kept as long as the real service keeps them.

use std::time::{Duration, Instant};

use apilogin_sandbox::{DEMO_PASSWORD, Sandbox, Service};
use serde_json::{Value, json};

/// Logins with their logouts (the run's length).
const DEFAULT_LOGINS: usize = 200_000;
/// Share of the run used as warm-up before the first memory reading.
const WARM_UP_SHARE: usize = 10;
/// Concurrent client tasks.
const TASKS: usize = 4;
/// Every Nth iteration also logs in without logging out, and fails a login as a new user.
const EXTRA_EVERY: usize = 10;
const LIFETIME: Duration = Duration::from_secs(2);

/// Resident memory of this process in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

async fn login(
    client: &reqwest::Client,
    base: &str,
    user: &str,
    password: &str,
) -> Option<(String, String)> {
    let resp = client
        .post(format!("{base}/api/v1/login"))
        .json(&json!({"user": user, "password": password}))
        .send()
        .await
        .expect("login sent");
    let status = resp.status();
    let body: Value = resp.json().await.expect("login body");
    if !status.is_success() {
        assert_eq!(status, 401, "{body}");
        return None;
    }
    Some((
        body["data"]["authToken"].as_str()?.to_owned(),
        body["data"]["userId"].as_str()?.to_owned(),
    ))
}

async fn logout(client: &reqwest::Client, base: &str, token: &str, user_id: &str) {
    let resp = client
        .post(format!("{base}/api/v1/logout"))
        .header("x-auth-token", token)
        .header("x-user-id", user_id)
        .json(&json!({}))
        .send()
        .await
        .expect("logout sent");
    assert!(resp.status().is_success(), "logout: {}", resp.status());
}

/// Runs iterations `range` on one task.
async fn work(client: reqwest::Client, base: String, range: std::ops::Range<usize>) {
    for i in range {
        let (token, user_id) = login(&client, &base, "demo", DEMO_PASSWORD)
            .await
            .expect("demo login succeeds");
        logout(&client, &base, &token, &user_id).await;
        if i % EXTRA_EVERY == 0 {
            // A token nobody logs out: only its expiry frees it.
            login(&client, &base, "demo", DEMO_PASSWORD)
                .await
                .expect("demo login succeeds");
            // A failure counter under a user name never seen again.
            assert!(
                login(&client, &base, &format!("nobody-{i}"), "wrong")
                    .await
                    .is_none()
            );
        }
    }
}

async fn phase(clients: &[reqwest::Client], base: &str, from: usize, to: usize) {
    let per_task = (to - from).div_ceil(clients.len());
    let mut tasks = Vec::new();
    for (t, client) in clients.iter().enumerate() {
        let start = from + t * per_task;
        let end = (start + per_task).min(to);
        tasks.push(tokio::spawn(work(
            client.clone(),
            base.to_owned(),
            start..end,
        )));
    }
    for t in tasks {
        t.await.expect("task");
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let logins = std::env::args()
        .find_map(|a| a.strip_prefix("--logins=").and_then(|n| n.parse().ok()))
        .unwrap_or(DEFAULT_LOGINS);
    let sandbox = Sandbox::builder(Service::RocketChat)
        .rate_limit(u32::MAX, Duration::from_secs(60))
        .token_lifetime(LIFETIME)
        .failure_lifetime(LIFETIME)
        .start()
        .await
        .expect("sandbox");
    let base = sandbox.base_url().to_owned();
    // The same clients (and connections) for the whole run.
    let clients: Vec<reqwest::Client> = (0..TASKS)
        .map(|_| {
            reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client")
        })
        .collect();
    let started = Instant::now();
    let warm_up = logins / WARM_UP_SHARE;
    phase(&clients, &base, 0, warm_up).await;
    // Let the warm-up's tokens and counters expire, like everything after it will.
    tokio::time::sleep(LIFETIME).await;
    let rss_warm = rss_kib();
    let mut rss_peak = rss_warm;
    let mut samples = vec![rss_warm];
    let chunk = (logins - warm_up).div_ceil(10).max(1);
    let mut at = warm_up;
    while at < logins {
        let next = (at + chunk).min(logins);
        phase(&clients, &base, at, next).await;
        let rss = rss_kib();
        samples.push(rss);
        rss_peak = rss_peak.max(rss);
        at = next;
    }
    tokio::time::sleep(LIFETIME).await;
    let rss_end = rss_kib();
    let elapsed = started.elapsed().as_secs_f64();
    sandbox.shutdown().await;
    let extra = logins.div_ceil(EXTRA_EVERY);
    println!(
        "{}",
        json!({
            "logins": logins,
            "logouts": logins,
            "abandoned_logins": extra,
            "failed_logins": extra,
            "seconds": elapsed,
            "lifetime_s": LIFETIME.as_secs_f64(),
            "rss_warm_kib": rss_warm,
            "rss_peak_kib": rss_peak,
            "rss_end_kib": rss_end,
            "rss_samples_kib": samples,
            "growth_percent": (rss_end as f64 - rss_warm as f64) * 100.0 / rss_warm.max(1) as f64,
            "peak_growth_percent": (rss_peak as f64 - rss_warm as f64) * 100.0 / rss_warm.max(1) as f64,
        })
    );
}
