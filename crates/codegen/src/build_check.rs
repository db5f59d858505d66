//! "Regen succeeded" means "the crates build": after writing, `cargo check` the generated
//! crates whose files changed; when that fails, the old files are put back and regen fails.
//!
//! The check uses its own target folder, `target/regen-check/`, because `cargo xtask regen`
//! runs inside `cargo run`, which holds the build lock of the workspace's target folder. A run
//! that changes nothing checks nothing (the no-op regen stays in milliseconds). A `--root` that
//! is not a cargo workspace (no `Cargo.toml`: the bench and the tests' scratch roots) cannot be
//! checked; regen says it skipped the check.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::files::{self, Change};

/// What became of the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing changed, or only files of removed crates.
    NotNeeded,
    /// `cargo check` passed for these crates.
    Passed(Vec<String>),
    /// The root is not a cargo workspace.
    Skipped(String),
}

/// The generated crates (package names) that have a new or changed file.
pub fn changed_crates(changes: &[Change]) -> Vec<String> {
    let mut crates: Vec<String> = changes
        .iter()
        .filter(|c| c.new.is_some())
        .filter_map(|c| {
            let mut parts = c.path.components();
            (parts.next()?.as_os_str() == "crates")
                .then(|| parts.next())
                .flatten()
                .and_then(|p| p.as_os_str().to_str().map(str::to_string))
        })
        .collect();
    crates.sort();
    crates.dedup();
    crates
}

/// Checks the crates `changes` touched (already written under `root`); on failure, undoes
/// `changes` and returns cargo's output.
pub fn check(root: &Path, changes: &[Change]) -> Result<Outcome, String> {
    let crates = changed_crates(changes);
    if crates.is_empty() {
        return Ok(Outcome::NotNeeded);
    }
    if !root.join("Cargo.toml").is_file() {
        return Ok(Outcome::Skipped(format!(
            "{} has no Cargo.toml, so the generated crates were not built",
            root.display()
        )));
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target_dir(root))
        .args(["check", "--quiet", "--message-format", "short"]);
    for name in &crates {
        command.args(["-p", name]);
    }
    let output = command
        .output()
        .map_err(|e| undo(root, changes, format!("cannot run cargo: {e}")))?;
    if output.status.success() {
        return Ok(Outcome::Passed(crates));
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Err(undo(
        root,
        changes,
        format!(
            "the generated crate(s) {} do not build (`cargo check`):\n{text}\
             The old files were put back. This is a regen bug (or a progenitor limit regen does \
             not know yet): report it with the spec; `cargo xtask regen --show-view <id>` shows \
             what progenitor was given.",
            crates.join(", ")
        ),
    ))
}

fn target_dir(root: &Path) -> PathBuf {
    root.join("target").join("regen-check")
}

/// Puts the old files back (and removes new ones); `message` gains a note if that fails too.
fn undo(root: &Path, changes: &[Change], message: String) -> String {
    let reverse: Vec<Change> = changes
        .iter()
        .map(|c| Change {
            path: c.path.clone(),
            old: c.new.clone(),
            new: c.old.clone(),
        })
        .collect();
    let mut message = message;
    if let Err(e) = files::apply(root, &reverse) {
        message.push_str(&format!("\nRestoring the old files failed too: {e}"));
    }
    // Folders of crates that did not exist before.
    for name in changed_crates(changes) {
        let dir = root.join("crates").join(&name);
        if dir
            .join("src")
            .read_dir()
            .is_ok_and(|mut d| d.next().is_none())
        {
            let _ = std::fs::remove_dir(dir.join("src"));
        }
        if dir.read_dir().is_ok_and(|mut d| d.next().is_none()) {
            let _ = std::fs::remove_dir(&dir);
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_crates_with_new_contents_are_checked() {
        let change = |path: &str, new: Option<&str>| Change {
            path: PathBuf::from(path),
            old: None,
            new: new.map(str::to_string),
        };
        let changes = [
            change("crates/b-client/src/lib.rs", Some("x")),
            change("crates/a-client/Cargo.toml", Some("x")),
            change("crates/b-client/README.md", Some("x")),
            change("crates/gone-client/src/lib.rs", None),
        ];
        assert_eq!(changed_crates(&changes), ["a-client", "b-client"]);
    }
}
