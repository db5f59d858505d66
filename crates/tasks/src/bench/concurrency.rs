//! Logins under concurrency: the facade, a generated client and plain reqwest at 1, 16 and 64
//! logins in flight against the Rocket.Chat sandbox (rate limit off). The measuring runs in
//! `tests/benches/concurrency.rs` (it needs the facade, the clients and the sandbox, which
//! xtask must not link); this side runs it in release mode and tabulates its JSON lines.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

use super::Section;

/// The target: the facade's logins per second at 64 in flight, against plain reqwest's.
const TARGET_RATIO: f64 = 0.9;
/// The level the target is about.
const TARGET_IN_FLIGHT: u64 = 64;
/// Rounds the bench binary runs per level (its `ROUNDS`).
const ROUNDS: usize = 5;

/// One line of the bench binary: a level and a path, or the sandbox's memory.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Line {
    Path(PathResult),
    Memory(MemoryResult),
}

#[derive(Debug, Deserialize)]
struct PathResult {
    in_flight: u64,
    path: String,
    logins: u64,
    failures: u64,
    logins_per_second: f64,
    p50_us: f64,
    p99_us: f64,
    cpu_us_per_login: f64,
}

#[derive(Debug, Deserialize)]
struct MemoryResult {
    sandbox_logins: u64,
    sandbox_rss_start_kib: u64,
    sandbox_rss_end_kib: u64,
    sandbox_rss_peak_kib: u64,
}

/// The section's heading in BENCHMARKS.md (`--only` keeps other sections by it).
pub const TITLE: &str = "Logins under concurrency";

pub fn bench(root: &Path, requests: usize) -> Result<Section> {
    eprintln!("  logins under concurrency (builds the bench in release mode first)");
    let lines: Vec<Line> =
        super::bench_binary(root, "concurrency", &[format!("--requests={requests}")])?;
    let mut paths = Vec::new();
    let mut memory = None;
    for line in lines {
        match line {
            Line::Path(p) => paths.push(p),
            Line::Memory(m) => memory = Some(m),
        }
    }
    let memory = memory.context("the concurrency bench printed no memory line")?;
    section(requests, &paths, &memory)
}

fn section(requests: usize, paths: &[PathResult], memory: &MemoryResult) -> Result<Section> {
    let floor = |in_flight: u64| {
        paths
            .iter()
            .find(|r| r.in_flight == in_flight && r.path == "plain reqwest")
            .with_context(|| format!("no plain reqwest result at {in_flight} in flight"))
    };
    let mut s = Section::new(TITLE);
    s.line(format!(
        "Rocket.Chat login (`POST /api/v1/login`, JSON both ways) against the sandbox on 127.0.0.1 with its rate \
         limit off, in a process of its own (so its memory is its own, and the CPU time below is the clients'). \
         Each path sends the same request and decodes the answer into the same type (the generated crate's \
         `LoginResponse`), over one `reqwest::Client` kept for the whole run with reqwest's default connection \
         pool, no proxy and no redirects; the facade and plain reqwest have the same timeouts. `in flight` tasks \
         log in until the round's {requests} logins are done; {ROUNDS} rounds per level, the paths taking turns \
         in a rotating order; release build, clients on a multi-threaded tokio runtime. logins/s is the median \
         of the rounds; p50 and p99 are over every login of the level; client CPU is the clients' process's CPU \
         time (all threads) per login."
    ));
    let mut rows = Vec::new();
    for r in paths {
        let base = floor(r.in_flight)?;
        rows.push(vec![
            r.in_flight.to_string(),
            r.path.clone(),
            r.logins.to_string(),
            r.failures.to_string(),
            format!("{:.0}", r.logins_per_second),
            format!("{:.2}×", r.logins_per_second / base.logins_per_second),
            format!("{:.0} µs", r.p50_us),
            format!("{:.0} µs", r.p99_us),
            format!("{:.1} µs", r.cpu_us_per_login),
        ]);
    }
    s.table(
        &[
            "in flight",
            "path",
            "logins",
            "failures",
            "logins/s",
            "/ plain reqwest",
            "p50",
            "p99",
            "client CPU per login",
        ],
        rows,
    );
    let at_target = |name: &str| {
        paths
            .iter()
            .find(|r| r.in_flight == TARGET_IN_FLIGHT && r.path == name)
            .with_context(|| format!("no {name} result at {TARGET_IN_FLIGHT} in flight"))
    };
    let plain = at_target("plain reqwest")?;
    let (facade, generated) = (at_target("facade")?, at_target("generated client")?);
    let failures: u64 = paths.iter().map(|r| r.failures).sum();
    let mib = |kib: u64| format!("{:.1} MiB", kib as f64 / 1024.0);
    s.line(format!(
        "At {TARGET_IN_FLIGHT} in flight, logins per second: facade / plain reqwest **{:.2}×** (target ≥ {TARGET_RATIO}×), \
         generated client / plain reqwest **{:.2}×**. Failures: **{failures}** (target 0). The sandbox's resident memory \
         (`VmRSS`): {} when started, {} after the {} logins (peak {}); it keeps every token it issued, as the real \
         server does for their lifetime.",
        facade.logins_per_second / plain.logins_per_second,
        generated.logins_per_second / plain.logins_per_second,
        mib(memory.sandbox_rss_start_kib),
        mib(memory.sandbox_rss_end_kib),
        memory.sandbox_logins,
        mib(memory.sandbox_rss_peak_kib),
    ));
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(in_flight: u64, path: &str, rate: f64) -> PathResult {
        PathResult {
            in_flight,
            path: path.into(),
            logins: 100,
            failures: 0,
            logins_per_second: rate,
            p50_us: 100.0,
            p99_us: 300.0,
            cpu_us_per_login: 40.0,
        }
    }

    #[test]
    fn ratios_are_against_plain_reqwest_at_the_same_level() {
        let paths = [
            result(64, "plain reqwest", 20000.0),
            result(64, "generated client", 19000.0),
            result(64, "facade", 18500.0),
        ];
        let memory = MemoryResult {
            sandbox_logins: 300,
            sandbox_rss_start_kib: 5120,
            sandbox_rss_end_kib: 10240,
            sandbox_rss_peak_kib: 10240,
        };
        let s = section(100, &paths, &memory).unwrap();
        assert!(
            s.body.contains("| 64 | facade | 100 | 0 | 18500 | 0.93× |"),
            "{}",
            s.body
        );
        assert!(
            s.body.contains("facade / plain reqwest **0.93×**"),
            "{}",
            s.body
        );
        assert!(
            s.body
                .contains("5.0 MiB when started, 10.0 MiB after the 300 logins"),
            "{}",
            s.body
        );
        let missing = section(100, &paths[1..], &memory).err().unwrap();
        assert!(missing.to_string().contains("plain reqwest"), "{missing}");
    }
}
