//! Login round trips: facade, generated client and plain reqwest against the sandbox. The
//! measuring runs in `tests/benches/roundtrip.rs` (it needs the facade, which xtask must not
//! link); this side builds it in release mode, runs it and turns its JSON lines into a table.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
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

pub fn bench(root: &Path, requests: usize) -> Result<Section> {
    eprintln!("  login round trips (builds the bench in release mode first)");
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(root)
        .args([
            "bench",
            "--quiet",
            "--package",
            "apilogin-tests",
            "--bench",
            "roundtrip",
            "--",
        ])
        .arg(format!("--requests={requests}"))
        .output()
        .context("running cargo bench")?;
    if !output.status.success() {
        bail!(
            "the round-trip bench failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let results: Vec<PathResult> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .context("reading the bench's JSON lines")?;
    let floor = results
        .iter()
        .find(|r| r.path == "plain-reqwest")
        .context("no floor result")?;

    let mut s = Section::new("Login round trips on loopback");
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
