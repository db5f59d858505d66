//! Renewal under load: 1,000 requests from 4 processes sharing one store while its session
//! comes due, against the same load on a session that is not due and a session held in memory.
//! The measuring runs in `tests/benches/renewal.rs` (it needs the facade and the sandbox, which
//! xtask must not link).

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

use super::Section;

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Line {
    Skipped { skipped: String },
    Path(PathResult),
}

#[derive(Debug, Deserialize)]
struct PathResult {
    path: String,
    processes: u64,
    requests: u64,
    errors: u64,
    renewals: u64,
    wall_ms: f64,
    p50_us: f64,
    p99_us: f64,
}

/// The section's heading in BENCHMARKS.md (`--only` keeps other sections by it).
pub const TITLE: &str = "Renewal shared by processes";

pub fn bench(root: &Path) -> Result<Section> {
    eprintln!("  renewal shared by 4 processes (builds the bench in release mode first)");
    let lines: Vec<Line> = super::bench_binary(root, "renewal", &[])?;
    let mut oauth_skipped = None;
    let mut results = Vec::new();
    for line in lines {
        match line {
            Line::Skipped { skipped } => oauth_skipped = Some(skipped),
            Line::Path(r) => results.push(r),
        }
    }
    let find = |name: &str| {
        results
            .iter()
            .find(|r| r.path == name)
            .with_context(|| format!("no result for `{name}`"))
    };
    let floor = find("held session (floor): me")?;
    let due = find("store read + me, due mid-run")?;

    let mut s = Section::new(TITLE);
    s.line(
        "Rocket.Chat sandbox on 127.0.0.1 behind a recording proxy (which counts what reaches the \
         server), release build. 4 worker processes share one store folder and send 250 `me` \
         requests each, paced over about 3 s; before each request a worker asks \
         `Store::session` for the session. In the last run the stored session comes due (its \
         expiry enters the store's 60 s renewal margin) a second into the run: the store renews it \
         with Rocket.Chat's `resume` under its lock, and whoever waited reads the renewed session. \
         The floor holds the session in memory (no store read). Last, the same load on a \
         session of the real OpenID provider of the tests (npm's `oidc-provider`, which rotates \
         refresh tokens: a second renewal with the same one would be refused) that comes due \
         mid-run, renewed with its refresh token; there `me` is the userinfo endpoint, and the \
         renewals are counted as the distinct access tokens the workers were handed, less one."
            .to_string(),
    );
    let rows = results
        .iter()
        .map(|r| {
            vec![
                r.path.clone(),
                r.processes.to_string(),
                r.requests.to_string(),
                r.errors.to_string(),
                r.renewals.to_string(),
                format!("{:.0} ms", r.wall_ms),
                format!("{:.0} µs", r.p50_us),
                format!("{:.0} µs", r.p99_us),
            ]
        })
        .collect();
    s.table(
        &[
            "path",
            "processes",
            "requests",
            "errors",
            "renewal requests",
            "wall",
            "p50",
            "p99",
        ],
        rows,
    );
    s.line(format!(
        "Session coming due during {} requests from {} processes: **{} renewal request(s)** \
         (target exactly 1) and **{} errors** (target 0). Store read + request / held session \
         (p50): **{:.2}×**; p99 {:.2}×.",
        due.requests,
        due.processes,
        due.renewals,
        due.errors,
        due.p50_us / floor.p50_us,
        due.p99_us / floor.p99_us,
    ));
    match (
        find("OpenID provider: store read + userinfo, due mid-run"),
        oauth_skipped,
    ) {
        (Ok(oauth), _) => s.line(format!(
            "OpenID provider session coming due during {} requests from {} processes: **{} \
             refresh-token renewal(s)** (target exactly 1) and **{} errors** (target 0).",
            oauth.requests, oauth.processes, oauth.renewals, oauth.errors
        )),
        (Err(_), Some(why)) => s.line(format!(
            "The OpenID provider's run did not happen: {why} (`npm ci --prefix tools` installs it)."
        )),
        (Err(e), None) => return Err(e),
    }
    Ok(s)
}
