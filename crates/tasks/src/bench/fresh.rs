//! What a newcomer waits for on a fresh clone: `cargo xtask demo` until its table prints, beside
//! the cold `cargo build` of the demo program alone, in the same run; and the first
//! `cargo xtask regen`. Each starts from a clone of the committed tree with an empty target
//! folder (the crates.io downloads are shared: `cargo fetch` runs first).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};

use super::regen::time;
use super::stats::{ratio, secs};
use super::{Section, run_quiet};

/// `cargo xtask demo` may take at most this many times the cold build of the demo alone.
const DEMO_TARGET: f64 = 1.25;
/// The first `cargo xtask regen` on a fresh clone, at most.
const FIRST_REGEN_TARGET: Duration = Duration::from_secs(60);

/// The section's heading in BENCHMARKS.md (`--only` keeps other sections by it).
pub const TITLE: &str = "A fresh clone: the first demo and the first regen";

pub fn bench(root: &Path, work: &Path) -> Result<Section> {
    let clone = fresh_clone(root, &work.join("fresh-clone"))?;
    run_quiet(cargo(&clone).args(["fetch", "--quiet"])).context("cargo fetch")?;

    eprintln!("  fresh clone: cold `cargo build -p apilogin-demo`");
    let demo_alone = cold(
        &clone,
        "target-demo-alone",
        &["build", "--quiet", "--package", "apilogin-demo"],
    )?;
    eprintln!("  fresh clone: cold `cargo xtask demo`");
    let xtask_demo = cold(&clone, "target-xtask-demo", &["xtask", "demo"])?;
    eprintln!("  fresh clone: cold `cargo xtask regen`");
    let first_regen = cold(&clone, "target-first-regen", &["xtask", "regen"])?;
    std::fs::remove_dir_all(&clone).ok();

    let demo_ratio = ratio(xtask_demo, demo_alone);
    let mut s = Section::new(TITLE);
    s.line(
        "A clone of the committed tree with an empty target folder (dependencies already downloaded), \
         dev profile, one run each, one after the other. `cargo xtask demo` is timed until the process \
         exits after printing its table: it builds xtask (a dispatcher without dependencies), then the demo program, then logs in to the \
         sandboxes."
            .into(),
    );
    s.table(
        &["what the user waits for", "time", "target"],
        vec![
            vec![
                "`cargo build -p apilogin-demo` (the floor)".into(),
                secs(demo_alone),
                String::new(),
            ],
            vec![
                "`cargo xtask demo` until the table prints".into(),
                format!("{} (**{demo_ratio:.2}×** the floor)", secs(xtask_demo)),
                format!("≤ {DEMO_TARGET}× the floor"),
            ],
            vec![
                "first `cargo xtask regen` (builds xtask and the generator, then runs it)".into(),
                format!("**{}**", secs(first_regen)),
                format!("≤ {}", secs(FIRST_REGEN_TARGET)),
            ],
        ],
    );
    Ok(s)
}

pub(super) fn cargo(dir: &Path) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(dir).env_remove("CARGO_TARGET_DIR");
    command
}

/// Runs `cargo <args>` in the clone with a new, empty target folder.
fn cold(clone: &Path, target: &str, args: &[&str]) -> Result<Duration> {
    let target = clone.join(target);
    if target.exists() {
        std::fs::remove_dir_all(&target)?;
    }
    let took = time(cargo(clone).args(args).env("CARGO_TARGET_DIR", &target))?;
    std::fs::remove_dir_all(&target).ok();
    Ok(took)
}

/// A `git clone` of the workspace's committed tree (no target folder, no local changes).
pub(super) fn fresh_clone(root: &Path, dir: &Path) -> Result<PathBuf> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    run_quiet(
        Command::new("git")
            .args(["clone", "--quiet", "--no-hardlinks"])
            .arg(root)
            .arg(dir),
    )
    .context("cloning the workspace")?;
    Ok(dir.to_path_buf())
}
