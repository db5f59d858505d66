//! The sandbox serves exactly the routes the specs declare.
//!
//! For each service, the sandbox's route list ([`Service::routes`]) must equal the spec's
//! operations (method and path from the server root). The list is then checked against the
//! running sandbox over HTTP, so it cannot drift from the router: every listed route answers
//! with something other than "not found" / "method not allowed", and every other method on a
//! listed path, and paths next to the listed ones, are answered 404 or 405.

use std::collections::BTreeSet;
use std::time::Duration;

use apilogin_sandbox::{Sandbox, Service};
use apilogin_tests::{ContractChecker, TEST_LIMIT, within};

/// HEAD is left out: servers answer it wherever they answer GET.
const PROBE_METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

fn sandbox_routes(service: Service) -> BTreeSet<(String, String)> {
    service
        .routes()
        .into_iter()
        .map(|(m, p)| (m.to_owned(), p))
        .collect()
}

fn spec_routes(service: Service) -> BTreeSet<(String, String)> {
    ContractChecker::for_spec(service.id())
        .routes()
        .into_iter()
        .collect()
}

#[test]
fn sandbox_routes_are_the_spec_operations() {
    let mut problems = Vec::new();
    for service in Service::ALL {
        let sandbox = sandbox_routes(service);
        let spec = spec_routes(service);
        assert!(!spec.is_empty(), "{service}: the spec has no operations");
        for (m, p) in sandbox.difference(&spec) {
            problems.push(format!(
                "{service}: the sandbox serves {m} {p}, the spec does not declare it"
            ));
        }
        for (m, p) in spec.difference(&sandbox) {
            problems.push(format!(
                "{service}: the spec declares {m} {p}, the sandbox does not serve it"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

async fn status(http: &reqwest::Client, origin: &str, method: &str, path: &str) -> u16 {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    http.request(method.clone(), format!("{origin}{path}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
        .status()
        .as_u16()
}

async fn probe(service: Service) -> Vec<String> {
    let sandbox = Sandbox::builder(service)
        .rate_limit(u32::MAX, Duration::from_secs(60))
        .start()
        .await
        .expect("sandbox");
    let origin = format!("http://{}", sandbox.addr());
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let routes = sandbox_routes(service);
    let paths: BTreeSet<&String> = routes.iter().map(|(_, p)| p).collect();
    let mut problems = Vec::new();
    for (m, p) in &routes {
        let s = status(&http, &origin, m, p).await;
        if s == 404 || s == 405 {
            problems.push(format!("{service}: listed route {m} {p} answers {s}"));
        }
    }
    for p in &paths {
        for m in PROBE_METHODS {
            if routes.contains(&(m.to_owned(), (*p).clone())) {
                continue;
            }
            let s = status(&http, &origin, m, p).await;
            if s != 404 && s != 405 {
                problems.push(format!("{service}: unlisted route {m} {p} answers {s}"));
            }
        }
        let mut neighbours = vec![format!("{p}/extra"), format!("{p}x")];
        if let Some((stem, _)) = p.rsplit_once('.') {
            neighbours.push(format!("{stem}.txt"));
            neighbours.push(stem.to_owned());
        } else {
            neighbours.push(p.trim_end_matches('/').to_owned());
        }
        for n in neighbours {
            if paths.contains(&n) {
                continue;
            }
            for m in ["GET", "POST"] {
                let s = status(&http, &origin, m, &n).await;
                if s != 404 && s != 405 {
                    problems.push(format!("{service}: unlisted path {m} {n} answers {s}"));
                }
            }
        }
    }
    sandbox.shutdown().await;
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_serves_exactly_its_listed_routes() {
    let mut problems = Vec::new();
    for service in Service::ALL {
        problems.extend(within(TEST_LIMIT, probe(service)).await);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
