//! Authenticated calls against the Rocket.Chat sandbox on loopback, side by side in one run:
//!
//! * `me` through the generated client with its `Credentials`, against plain reqwest sending
//!   the same two headers and decoding the same type (the floor);
//! * a login → `me` → logout loop through the facade, against a login-only loop through the
//!   facade, in requests per second.
//!
//! Paths are interleaved in rounds so that machine noise falls on all of them alike. Prints one
//! JSON line per path; `cargo xtask bench` turns them into tables. Run alone:
//! `cargo bench -p apilogin-tests --bench session`.

use std::time::{Duration, Instant};

use apilogin_sandbox::{DEMO_PASSWORD, Sandbox, Service};
use apilogin_tests::quantile;

const USER: &str = "demo";
const ROUNDS: usize = 10;

enum Path {
    /// `GET /api/v1/me` with plain reqwest.
    PlainMe(reqwest::Client, String, String, String),
    /// `me()` through the generated client.
    GeneratedMe(rocketchat_client::Client),
    /// Facade login, `verify` (`me`), `logout`: three requests.
    FacadeSession(apilogin::Client, apilogin::Credentials),
    /// Facade login only: one request.
    FacadeLogin(apilogin::Client, apilogin::Credentials),
}

impl Path {
    fn name(&self) -> &'static str {
        match self {
            Path::PlainMe(..) => "me, plain reqwest",
            Path::GeneratedMe(_) => "me, generated client",
            Path::FacadeSession(..) => "facade login + me + logout",
            Path::FacadeLogin(..) => "facade login",
        }
    }

    /// One iteration; returns how many HTTP requests it made.
    async fn run(&self) -> u64 {
        match self {
            Path::PlainMe(client, url, token, user_id) => {
                let me: rocketchat_client::types::Me = client
                    .get(url)
                    .header("x-auth-token", token)
                    .header("x-user-id", user_id)
                    .send()
                    .await
                    .expect("plain me")
                    .error_for_status()
                    .expect("plain status")
                    .json()
                    .await
                    .expect("plain body");
                assert_eq!(me.username, USER);
                1
            }
            Path::GeneratedMe(client) => {
                let me = client.me().send().await.expect("generated me");
                assert_eq!(me.username, USER);
                1
            }
            Path::FacadeSession(client, credentials) => {
                let session = logged_in(client, credentials).await;
                session.verify().await.expect("verify");
                session.logout().await.expect("logout");
                3
            }
            Path::FacadeLogin(client, credentials) => {
                logged_in(client, credentials).await;
                1
            }
        }
    }
}

async fn logged_in(
    client: &apilogin::Client,
    credentials: &apilogin::Credentials,
) -> apilogin::Session {
    match client.login(credentials).await.expect("facade login") {
        apilogin::LoginOutcome::LoggedIn(session) => session,
        apilogin::LoginOutcome::SecondFactor(_) => panic!("the demo account has no second factor"),
    }
}

fn main() {
    let iterations: usize = std::env::args()
        .find_map(|a| {
            a.strip_prefix("--requests=")
                .map(|n| n.parse().expect("--requests=N"))
        })
        .unwrap_or(2000);
    let per_round = (iterations / ROUNDS).max(1);

    // The server on a runtime (and thread) of its own, the client on a single-threaded one.
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
    let base = sandbox.base_url().to_string();

    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    client_rt.block_on(async {
        let service = apilogin::Service::rocketchat(&base).expect("service");
        let facade = apilogin::Client::new(service).expect("facade client");
        let credentials = apilogin::Credentials::new(USER, DEMO_PASSWORD);
        // One long-lived session for the `me` paths.
        let session = logged_in(&facade, &credentials).await;
        let token = session.token().expose_secret().to_owned();
        let user_id = session.user().user_id.clone().expect("user id");
        let generated = rocketchat_client::Client::new(&base)
            .expect("generated client")
            .with_credentials(rocketchat_client::Credentials::auth_token_and_user_id(
                token.as_str(),
                user_id.as_str(),
            ));
        let paths = [
            Path::PlainMe(
                reqwest::Client::new(),
                format!("{base}/api/v1/me"),
                token.clone(),
                user_id.clone(),
            ),
            Path::GeneratedMe(generated),
            Path::FacadeSession(facade.clone(), credentials.clone()),
            Path::FacadeLogin(facade, credentials),
        ];
        for path in &paths {
            for _ in 0..20 {
                path.run().await;
            }
        }
        let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); paths.len()];
        let mut requests = vec![0u64; paths.len()];
        for round in 0..ROUNDS {
            for k in 0..paths.len() {
                let i = (round + k) % paths.len();
                for _ in 0..per_round {
                    let started = Instant::now();
                    requests[i] += paths[i].run().await;
                    samples[i].push(started.elapsed());
                }
            }
        }
        for ((path, mut times), requests) in paths.iter().zip(samples).zip(requests) {
            let total: Duration = times.iter().sum();
            times.sort();
            println!(
                "{}",
                serde_json::json!({
                    "path": path.name(),
                    "iterations": times.len(),
                    "requests": requests,
                    "requests_per_second": requests as f64 / total.as_secs_f64(),
                    "p50_us": quantile(&times, 0.50).as_secs_f64() * 1e6,
                    "p99_us": quantile(&times, 0.99).as_secs_f64() * 1e6,
                })
            );
        }
    });
    server_rt.block_on(sandbox.shutdown());
}
