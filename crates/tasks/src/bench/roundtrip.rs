//! Login round trips: facade, generated client and plain reqwest against the sandbox. The
//! measuring runs in `tests/benches/roundtrip.rs` (it needs the facade, which xtask must not
//! link); this side builds it in release mode, runs it and turns its JSON lines into a table.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

use super::Section;

/// One line the bench binary prints per path.
#[derive(Debug, Deserialize)]
struct PathResult {
    path: String,
    requests: u64,
    logins_per_second: f64,
    p50_us: f64,
    p99_us: f64,
}

/// The section's heading in BENCHMARKS.md (`--only` keeps other sections by it).
pub const TITLE: &str = "Login round trips on loopback";

pub fn bench(root: &Path, requests: usize) -> Result<Section> {
    eprintln!("  login round trips (builds the bench in release mode first)");
    let results: Vec<PathResult> =
        super::bench_binary(root, "roundtrip", &[format!("--requests={requests}")])?;
    let floor = results
        .iter()
        .find(|r| r.path == "plain-reqwest")
        .context("no floor result")?;

    let mut s = Section::new(TITLE);
    s.line(
        "remote.it login (`POST /apv/v27/user/login`, JSON both ways) against the sandbox on 127.0.0.1, one \
         request at a time, one client per path with connection reuse, the paths interleaved in rounds; \
         release build. The floor is a plain reqwest call of the same request with serde structs."
            .to_string(),
    );
    let rows = results
        .iter()
        .map(|r| {
            vec![
                r.path.clone(),
                r.requests.to_string(),
                format!("{:.0}", r.logins_per_second),
                format!("{:.0} µs", r.p50_us),
                format!("{:.0} µs", r.p99_us),
                format!("{:.3}×", r.p50_us / floor.p50_us),
            ]
        })
        .collect();
    s.table(
        &["path", "requests", "logins/s", "p50", "p99", "p50 / floor"],
        rows,
    );
    s.line("Targets: facade within 1.10× of the floor, generated client within 1.05×.".to_string());
    Ok(s)
}
