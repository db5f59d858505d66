//! Sandbox memory soak: runs `tests/benches/soak.rs` (200,000 Rocket.Chat logins with their
//! logouts against one sandbox) in release mode and reports resident memory after the warm-up
//! against the end of the run.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

use super::Section;

/// The target: resident memory grows by less than this after the warm-up.
const MAX_GROWTH_PERCENT: f64 = 10.0;

/// The line the bench binary prints.
#[derive(Debug, Deserialize)]
struct SoakResult {
    logins: u64,
    logouts: u64,
    abandoned_logins: u64,
    failed_logins: u64,
    seconds: f64,
    lifetime_s: f64,
    rss_warm_kib: u64,
    rss_peak_kib: u64,
    rss_end_kib: u64,
    growth_percent: f64,
    peak_growth_percent: f64,
}

/// The section's heading in BENCHMARKS.md (`--only` keeps other sections by it).
pub const TITLE: &str = "Sandbox memory soak";

pub fn bench(root: &Path) -> Result<Section> {
    eprintln!("  sandbox memory soak (builds the bench in release mode first)");
    let r: SoakResult = super::bench_binary(root, "soak", &[])?
        .into_iter()
        .next()
        .context("the soak bench printed no result")?;
    Ok(section(&r))
}

fn section(r: &SoakResult) -> Section {
    let mib = |kib: u64| format!("{:.1} MiB", kib as f64 / 1024.0);
    let mut s = Section::new(TITLE);
    s.line(format!(
        "One Rocket.Chat sandbox in the bench's process, {} logins each followed by its logout (`POST /api/v1/login`, \
         `POST /api/v1/logout`, 4 concurrent clients), plus {} logins never logged out and {} failed logins under \
         user names never seen again, which only expiry can forget; token and failure lifetimes set to {:.0} s with \
         the sandbox's builder; release build. Resident memory (`VmRSS`) is read after the warm-up (the first tenth), \
         after each further tenth (peak) and at the end.",
        r.logins, r.abandoned_logins, r.failed_logins, r.lifetime_s
    ));
    s.table(
        &[
            "logins + logouts",
            "took",
            "RSS after warm-up",
            "RSS peak",
            "RSS at end",
            "growth at end",
            "growth at peak",
        ],
        vec![vec![
            format!("{} + {}", r.logins, r.logouts),
            format!("{:.0} s", r.seconds),
            mib(r.rss_warm_kib),
            mib(r.rss_peak_kib),
            mib(r.rss_end_kib),
            format!("{:+.1} %", r.growth_percent),
            format!("{:+.1} %", r.peak_growth_percent),
        ]],
    );
    s.line(format!(
        "Growth after warm-up: **{:+.1} %** (target: under {MAX_GROWTH_PERCENT:.0} %).",
        r.growth_percent
    ));
    s
}
