//! Authenticated calls: the generated client's `me` against plain reqwest, and the facade's
//! login → `me` → logout loop against its login-only loop. The measuring runs in
//! `tests/benches/session.rs` (it needs the facade and the clients, which xtask must not link).

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

use super::Section;

#[derive(Debug, Deserialize)]
struct PathResult {
    path: String,
    iterations: u64,
    requests: u64,
    requests_per_second: f64,
    p50_us: f64,
    p99_us: f64,
}

/// The section's heading in BENCHMARKS.md (`--only` keeps other sections by it).
pub const TITLE: &str = "Authenticated calls on loopback";

pub fn bench(root: &Path, iterations: usize) -> Result<Section> {
    eprintln!("  authenticated calls (builds the bench in release mode first)");
    let results: Vec<PathResult> =
        super::bench_binary(root, "session", &[format!("--requests={iterations}")])?;
    let find = |name: &str| {
        results
            .iter()
            .find(|r| r.path == name)
            .with_context(|| format!("no result for `{name}`"))
    };
    let (plain, generated) = (find("me, plain reqwest")?, find("me, generated client")?);
    let (session, login) = (find("facade login + me + logout")?, find("facade login")?);

    let mut s = Section::new(TITLE);
    s.line(
        "Rocket.Chat sandbox on 127.0.0.1 (rate limit off), one request at a time, connection reuse, the \
         paths interleaved in rounds; release build. `me` sends `X-Auth-Token` and `X-User-Id`: through \
         the generated client they come from its `Credentials`, applied per operation from the spec's \
         `security`; the floor is plain reqwest sending the same headers and decoding the same type."
            .to_string(),
    );
    let rows = results
        .iter()
        .map(|r| {
            vec![
                r.path.clone(),
                r.iterations.to_string(),
                r.requests.to_string(),
                format!("{:.0}", r.requests_per_second),
                format!("{:.0} µs", r.p50_us),
                format!("{:.0} µs", r.p99_us),
            ]
        })
        .collect();
    s.table(
        &["path", "iterations", "requests", "requests/s", "p50", "p99"],
        rows,
    );
    s.line(format!(
        "Authenticated call, generated client / plain reqwest (p50): **{:.3}×** (target ≤ 1.05×). \
         Facade login → `me` → logout loop / login-only loop, requests per second: **{:.2}×** \
         (target ≥ 0.8×).",
        generated.p50_us / plain.p50_us,
        session.requests_per_second / login.requests_per_second
    ));
    Ok(s)
}
