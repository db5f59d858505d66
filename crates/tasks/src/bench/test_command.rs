//! What a newcomer waits for on a fresh clone when they run the README's test command: the
//! command as the README writes it (read from there, so the bench times exactly what it says),
//! in a clone of the committed tree with an empty target folder, dependencies already
//! downloaded, and without `CI` (tests that need tools the clone does not have say so and skip,
//! as they do for a newcomer).

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use super::Section;
use super::fresh::{cargo, fresh_clone};
use super::regen::time;
use super::stats::secs;

/// The README's test command on a fresh clone, at most (issue 23).
const TARGET: Duration = Duration::from_secs(8 * 60);

/// The section's heading in BENCHMARKS.md (`--only` keeps other sections by it).
pub const TITLE: &str = "A fresh clone: the README's test command";

/// The `cargo test …` line of the README's "On a fresh clone" block, without its comment.
pub fn readme_test_command(readme: &str) -> Option<Vec<String>> {
    readme
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("cargo test "))
        .map(|l| l.split('#').next().unwrap_or(l))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
}

pub fn bench(root: &Path, work: &Path) -> Result<Section> {
    let readme = std::fs::read_to_string(root.join("README.md")).context("reading README.md")?;
    let Some(command) = readme_test_command(&readme) else {
        bail!("README.md has no `cargo test …` line");
    };
    let clone = fresh_clone(root, &work.join("fresh-clone-tests"))?;
    super::run_quiet(cargo(&clone).args(["fetch", "--quiet"])).context("cargo fetch")?;
    let target = clone.join("target");
    eprintln!("  fresh clone: `{}`", command.join(" "));
    let took = time(
        cargo(&clone)
            .args(&command[1..])
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("CI"),
    )
    .with_context(|| format!("`{}` on a fresh clone", command.join(" ")))?;
    std::fs::remove_dir_all(&clone).ok();

    let mut s = Section::new(TITLE);
    s.line(
        "A clone of the committed tree with an empty target folder (dependencies already \
         downloaded), dev profile, one run, `CI` unset: the command as the README writes it, \
         build and every test."
            .into(),
    );
    s.table(
        &["command", "time", "target"],
        vec![vec![
            format!("`{}`", command.join(" ")),
            format!("**{}**", secs(took)),
            format!("≤ {}", secs(TARGET)),
        ]],
    );
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_command_is_read_from_the_readme_without_its_comment() {
        let readme =
            "```sh\ncargo xtask demo   # a\ncargo test --locked --workspace  # every test\n```\n";
        assert_eq!(
            readme_test_command(readme).unwrap(),
            ["cargo", "test", "--locked", "--workspace"]
        );
        assert!(readme_test_command("no command here").is_none());
    }
}
