//! Logins under concurrency against the Rocket.Chat sandbox (rate limit off): the facade, the
//! generated client and plain reqwest, at 1, 16 and 64 logins in flight. Prints one JSON line
//! per level and path, and one with the sandbox's resident memory; `cargo xtask bench` turns
//! them into a table. Run alone: `cargo bench -p apilogin-tests --bench concurrency
//! [-- --requests=N]` (N logins per path, level and round; 5 rounds); `--path=facade` and
//! `--in-flight=64` narrow it down, for a profiler.
//!
//! The sandbox runs in a child process (this program with `--serve`), so that its memory is its
//! own and the CPU time this process spends is the clients' alone. Every path sends the same
//! request (`POST /api/v1/login` with `{"user","password"}`) and decodes the answer into the
//! same type (`rocketchat_client::types::LoginResponse`), over a `reqwest::Client` with reqwest's
//! default connection pool, no proxy and no redirects. The paths take turns within each round,
//! in a rotating order, so that the machine's noise falls on all of them alike.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use apilogin_sandbox::{DEMO_PASSWORD, Sandbox, Service};
use apilogin_tests::quantile;
use serde_json::json;

const USER: &str = "demo";
const LEVELS: [usize; 3] = [1, 16, 64];
const ROUNDS: usize = 5;
/// The facade's and the plain client's timeouts (the generated client's are its own).
const TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(serde::Serialize)]
struct PlainLogin<'a> {
    user: &'a str,
    password: &'a str,
}

/// One way of logging in, kept alive across calls (its connection pool with it).
enum Path {
    Plain(reqwest::Client, String),
    Generated(rocketchat_client::Client),
    Facade(apilogin::Client, apilogin::Credentials),
}

impl Path {
    fn name(&self) -> &'static str {
        match self {
            Path::Plain(..) => "plain reqwest",
            Path::Generated(_) => "generated client",
            Path::Facade(..) => "facade",
        }
    }

    async fn login(&self) -> Result<(), String> {
        match self {
            Path::Plain(client, url) => {
                let response: rocketchat_client::types::LoginResponse = client
                    .post(url)
                    .json(&PlainLogin {
                        user: USER,
                        password: DEMO_PASSWORD,
                    })
                    .send()
                    .await
                    .and_then(reqwest::Response::error_for_status)
                    .map_err(|e| e.to_string())?
                    .json()
                    .await
                    .map_err(|e| e.to_string())?;
                non_empty(response.data.auth_token.expose_secret())
            }
            Path::Generated(client) => {
                let body = rocketchat_client::types::PasswordLogin {
                    user: USER.into(),
                    password: DEMO_PASSWORD.into(),
                    code: None,
                    email: None,
                    username: None,
                };
                let response = client
                    .login()
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                non_empty(response.data.auth_token.expose_secret())
            }
            Path::Facade(client, credentials) => {
                match client.login(credentials).await.map_err(|e| e.to_string())? {
                    apilogin::LoginOutcome::LoggedIn(session) => {
                        non_empty(session.token().expose_secret())
                    }
                    apilogin::LoginOutcome::SecondFactor(_) => {
                        Err("the demo account has no second factor".into())
                    }
                }
            }
        }
    }
}

fn non_empty(token: &str) -> Result<(), String> {
    if token.is_empty() {
        Err("empty token".into())
    } else {
        Ok(())
    }
}

/// One run: `logins` logins with `in_flight` at a time.
struct Run {
    wall: Duration,
    samples: Vec<Duration>,
    failures: usize,
    first_failure: Option<String>,
    cpu: Duration,
}

async fn run(path: &Arc<Path>, in_flight: usize, logins: usize) -> Run {
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = cpu_time();
    let started = Instant::now();
    let tasks: Vec<_> = (0..in_flight)
        .map(|_| {
            let (path, next) = (path.clone(), next.clone());
            tokio::spawn(async move {
                let mut samples = Vec::new();
                let mut failures = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < logins {
                    let t = Instant::now();
                    match path.login().await {
                        Ok(()) => samples.push(t.elapsed()),
                        Err(e) => failures.push(e),
                    }
                }
                (samples, failures)
            })
        })
        .collect();
    let mut out = Run {
        wall: Duration::ZERO,
        samples: Vec::with_capacity(logins),
        failures: 0,
        first_failure: None,
        cpu: Duration::ZERO,
    };
    for task in tasks {
        let (samples, failures) = task.await.expect("login task");
        out.samples.extend(samples);
        out.failures += failures.len();
        if out.first_failure.is_none() {
            out.first_failure = failures.into_iter().next();
        }
    }
    out.wall = started.elapsed();
    out.cpu = cpu_time().saturating_sub(cpu_before);
    out
}

/// CPU time of this process's threads so far (`/proc/self/task/*/schedstat`, nanoseconds).
fn cpu_time() -> Duration {
    let mut ns = 0u64;
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for task in tasks.flatten() {
            if let Ok(stat) = std::fs::read_to_string(task.path().join("schedstat")) {
                ns += stat
                    .split_whitespace()
                    .next()
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
    }
    Duration::from_nanos(ns)
}

/// Resident memory (`VmRSS`) and its peak (`VmHWM`) of process `pid`, in KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// `--serve`: the sandbox, until standard input closes. Prints its base URL first.
fn serve() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let sandbox = Sandbox::builder(Service::RocketChat)
            .rate_limit(u32::MAX, Duration::from_secs(60))
            .start()
            .await
            .expect("sandbox");
        println!("{}", sandbox.base_url());
        tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new()))
            .await
            .expect("stdin")
            .ok();
        sandbox.shutdown().await;
    });
}

fn main() {
    if std::env::args().any(|a| a == "--serve") {
        return serve();
    }
    let per_round: usize = std::env::args()
        .find_map(|a| {
            a.strip_prefix("--requests=")
                .map(|n| n.parse().expect("--requests=N"))
        })
        .unwrap_or(2000);

    let only_path = std::env::args().find_map(|a| a.strip_prefix("--path=").map(str::to_owned));
    let levels: Vec<usize> = std::env::args()
        .find_map(|a| {
            a.strip_prefix("--in-flight=")
                .map(|n| vec![n.parse().expect("--in-flight=N")])
        })
        .unwrap_or_else(|| LEVELS.to_vec());
    let mut server = Command::new(std::env::current_exe().expect("this program"))
        .arg("--serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the sandbox process starts");
    let mut base = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut base)
        .expect("the sandbox's base URL");
    let base = base.trim().to_owned();
    let (rss_start, _) = memory_kib(server.id());

    // The clients on a runtime as `#[tokio::main]` makes it (a worker per core).
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let sent = rt.block_on(async {
        let plain = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .expect("plain client");
        let generated = rocketchat_client::Client::new_with_client(
            &base,
            rocketchat_client::client_builder()
                .no_proxy()
                .build()
                .expect("generated client's reqwest client"),
        );
        let options = apilogin::Options::default()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TIMEOUT);
        let facade = apilogin::Client::with_options(
            apilogin::Service::rocketchat(&base).expect("service"),
            options,
        )
        .expect("facade client");
        let paths: Vec<Arc<Path>> = [
            Path::Plain(plain, format!("{base}/api/v1/login")),
            Path::Generated(generated),
            Path::Facade(facade, apilogin::Credentials::new(USER, DEMO_PASSWORD)),
        ]
        .into_iter()
        .filter(|p| only_path.as_deref().is_none_or(|o| p.name().starts_with(o)))
        .map(Arc::new)
        .collect();
        // Logins sent to the sandbox, warm-ups included.
        let mut sent = 0usize;
        for &in_flight in &levels {
            // Warm-up: every path opens its connections for this level.
            for path in &paths {
                let warm = run(path, in_flight, in_flight * 4).await;
                sent += warm.samples.len() + warm.failures;
            }
            let mut runs: Vec<Vec<Run>> = paths.iter().map(|_| Vec::new()).collect();
            for round in 0..ROUNDS {
                for k in 0..paths.len() {
                    let i = (round + k) % paths.len();
                    runs[i].push(run(&paths[i], in_flight, per_round).await);
                }
            }
            for (path, runs) in paths.iter().zip(runs) {
                let mut rates: Vec<f64> = runs
                    .iter()
                    .map(|r| r.samples.len() as f64 / r.wall.as_secs_f64())
                    .collect();
                let mut samples: Vec<Duration> = runs
                    .iter()
                    .flat_map(|r| r.samples.iter().copied())
                    .collect();
                samples.sort();
                let failed: usize = runs.iter().map(|r| r.failures).sum();
                if let Some(e) = runs.iter().find_map(|r| r.first_failure.as_ref()) {
                    eprintln!("{} at {in_flight} in flight failed: {e}", path.name());
                }
                let cpu: Duration = runs.iter().map(|r| r.cpu).sum();
                let rounds = rates.clone();
                rates.sort_by(f64::total_cmp);
                sent += samples.len() + failed;
                println!(
                    "{}",
                    json!({
                        "in_flight": in_flight,
                        "path": path.name(),
                        "logins": samples.len(),
                        "failures": failed,
                        "logins_per_second": rates[rates.len() / 2],
                        "rounds": rounds,
                        "p50_us": quantile(&samples, 0.50).as_secs_f64() * 1e6,
                        "p99_us": quantile(&samples, 0.99).as_secs_f64() * 1e6,
                        "cpu_us_per_login": cpu.as_secs_f64() * 1e6 / samples.len().max(1) as f64,
                    })
                );
            }
        }
        sent
    });
    let (rss_end, rss_peak) = memory_kib(server.id());
    drop(server.stdin.take());
    server.wait().expect("the sandbox process ends");
    println!(
        "{}",
        json!({
            "sandbox_logins": sent,
            "sandbox_rss_start_kib": rss_start,
            "sandbox_rss_end_kib": rss_end,
            "sandbox_rss_peak_kib": rss_peak,
        })
    );
}
