//! Login round trips against the remote.it sandbox on loopback: the facade, the generated client
//! and a plain reqwest call of the same request (the floor), interleaved in rounds so that
//! machine noise falls on all three alike. Prints one JSON line per path; `cargo xtask bench`
//! turns them into a table. Run alone: `cargo bench -p apilogin-tests --bench roundtrip`.

use std::time::{Duration, Instant};

use apilogin_sandbox::{DEMO_PASSWORD, REMOTEIT_DEVELOPER_KEY, Sandbox, Service};
use apilogin_tests::quantile;

const USER: &str = "demo@remote.it";
const ROUNDS: usize = 10;

#[derive(serde::Serialize)]
struct PlainRequest<'a> {
    username: &'a str,
    password: &'a str,
}

#[derive(serde::Deserialize)]
struct PlainResponse {
    status: String,
    token: String,
}

/// One way of logging in, kept alive across calls (connection reuse on).
enum Path {
    Plain(reqwest::Client, String),
    Generated(remoteit_client::Client),
    Facade(apilogin::Client, apilogin::Credentials),
}

impl Path {
    fn name(&self) -> &'static str {
        match self {
            Path::Plain(..) => "plain-reqwest",
            Path::Generated(_) => "generated-client",
            Path::Facade(..) => "facade",
        }
    }

    async fn login(&self) {
        match self {
            Path::Plain(client, url) => {
                let response: PlainResponse = client
                    .post(url)
                    .header("developerkey", REMOTEIT_DEVELOPER_KEY)
                    .json(&PlainRequest {
                        username: USER,
                        password: DEMO_PASSWORD,
                    })
                    .send()
                    .await
                    .expect("plain login")
                    .error_for_status()
                    .expect("plain status")
                    .json()
                    .await
                    .expect("plain body");
                assert!(response.status == "true" && !response.token.is_empty());
            }
            Path::Generated(client) => {
                let body = remoteit_client::types::LoginRequest {
                    username: USER.into(),
                    password: DEMO_PASSWORD.into(),
                };
                let login = client
                    .login()
                    .body(body)
                    .send()
                    .await
                    .expect("generated login");
                assert!(!login.token.expose_secret().is_empty());
            }
            Path::Facade(client, credentials) => {
                match client.login(credentials).await.expect("facade login") {
                    apilogin::LoginOutcome::LoggedIn(session) => {
                        assert!(!session.token().expose_secret().is_empty())
                    }
                    apilogin::LoginOutcome::SecondFactor(_) => panic!("remote.it has no challenge"),
                }
            }
        }
    }
}

fn main() {
    let requests: usize = std::env::args()
        .find_map(|a| {
            a.strip_prefix("--requests=")
                .map(|n| n.parse().expect("--requests=N"))
        })
        .unwrap_or(2000);
    let per_round = (requests / ROUNDS).max(1);

    // The server gets a runtime (and thread) of its own, the client a single-threaded one: the
    // two cores are shared the same way by every path.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let sandbox = server_rt
        .block_on(Sandbox::start(Service::RemoteIt))
        .expect("sandbox");
    let base = sandbox.base_url().to_string();

    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    client_rt.block_on(async {
        let plain = reqwest::Client::new();
        let generated = remoteit_client::Client::new(&base)
            .expect("client")
            .with_credentials(
                remoteit_client::Credentials::new().developer_key(REMOTEIT_DEVELOPER_KEY),
            );
        let service = apilogin::Service::remoteit()
            .with_base_url(&base)
            .expect("service");
        let paths = [
            Path::Plain(plain, format!("{base}/user/login")),
            Path::Generated(generated),
            Path::Facade(
                apilogin::Client::new(service).expect("facade client"),
                apilogin::Credentials::new(USER, DEMO_PASSWORD)
                    .developer_key(REMOTEIT_DEVELOPER_KEY),
            ),
        ];
        // Warm-up: connections open, caches filled.
        for path in &paths {
            for _ in 0..20 {
                path.login().await;
            }
        }
        let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); paths.len()];
        for round in 0..ROUNDS {
            // Rotate the order so that no path always runs first (or last) in a round.
            for k in 0..paths.len() {
                let i = (round + k) % paths.len();
                for _ in 0..per_round {
                    let started = Instant::now();
                    paths[i].login().await;
                    samples[i].push(started.elapsed());
                }
            }
        }
        for (path, mut times) in paths.iter().zip(samples) {
            let total: Duration = times.iter().sum();
            times.sort();
            println!(
                "{}",
                serde_json::json!({
                    "path": path.name(),
                    "requests": times.len(),
                    "logins_per_second": times.len() as f64 / total.as_secs_f64(),
                    "p50_us": quantile(&times, 0.50).as_secs_f64() * 1e6,
                    "p99_us": quantile(&times, 0.99).as_secs_f64() * 1e6,
                })
            );
        }
    });
    server_rt.block_on(sandbox.shutdown());
}
