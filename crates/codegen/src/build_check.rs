//! "Regen succeeded" means "the crates build": after writing, `cargo check` the generated
//! crates whose files changed; when that fails, the old files are put back and regen fails.
//!
//! The check uses its own target folder, `regen-check/` in the workspace's target folder
//! (`$CARGO_TARGET_DIR` when set, else `target/`), because `cargo xtask regen` runs inside
//! `cargo run`, which holds the build lock of the target folder itself. A run that changes
//! nothing checks nothing (the no-op regen stays in milliseconds). A `--root` that is not a
//! cargo workspace (no `Cargo.toml`: the bench and the tests' scratch roots) cannot be
//! checked; regen says it skipped the check.
//!
//! Cargo names packages, not folders: `crates/facade/` is the package `apilogin`, so each
//! changed folder's package name is read from its `Cargo.toml`. The check may update
//! `Cargo.lock` (a new client crate is a new package); when it fails, `Cargo.lock` is put back
//! byte for byte with the generated files, so a failed regen leaves the tree as it found it.

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

/// The package name in `crates/<folder>/Cargo.toml` (the folder name when it cannot be read).
fn package_name(root: &Path, folder: &str) -> String {
    std::fs::read_to_string(root.join("crates").join(folder).join("Cargo.toml"))
        .ok()
        .and_then(|text| text.parse::<toml_edit::DocumentMut>().ok())
        .and_then(|doc| doc.get("package")?.get("name")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| folder.to_owned())
}

/// Checks the crates `changes` touched (already written under `root`); on failure, undoes
/// `changes`, puts `Cargo.lock` back as it was, and returns cargo's output.
pub fn check(root: &Path, changes: &[Change]) -> Result<Outcome, String> {
    let folders = changed_crates(changes);
    if folders.is_empty() {
        return Ok(Outcome::NotNeeded);
    }
    if !root.join("Cargo.toml").is_file() {
        return Ok(Outcome::Skipped(format!(
            "{} has no Cargo.toml, so the generated crates were not built",
            root.display()
        )));
    }
    let packages: Vec<String> = folders.iter().map(|f| package_name(root, f)).collect();
    let lock = Lockfile::read(root);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target_dir(root))
        // Every feature: the facade's generated glue is also used by its command (`cli`).
        .args([
            "check",
            "--quiet",
            "--message-format",
            "short",
            "--all-features",
        ]);
    for name in &packages {
        command.args(["-p", name]);
    }
    let failed = |message: String| {
        let mut message = undo(root, changes, message);
        if let Err(e) = lock.restore() {
            message.push_str(&format!("\nRestoring Cargo.lock failed too: {e}"));
        }
        message
    };
    let output = command
        .output()
        .map_err(|e| failed(format!("cannot run cargo: {e}")))?;
    if output.status.success() {
        return Ok(Outcome::Passed(packages));
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Err(failed(format!(
        "the generated crate(s) {} do not build (`cargo check`):\n{text}\
         The old files (and Cargo.lock) were put back. This is a regen bug (or a progenitor limit \
         regen does not know yet): report it with the spec; `cargo xtask regen --show-view <id>` \
         shows what progenitor was given.",
        packages.join(", ")
    )))
}

/// `Cargo.lock` as it was before the check, to put back when the check fails.
struct Lockfile {
    path: PathBuf,
    contents: Option<Vec<u8>>,
}

impl Lockfile {
    fn read(root: &Path) -> Lockfile {
        let path = root.join("Cargo.lock");
        let contents = std::fs::read(&path).ok();
        Lockfile { path, contents }
    }

    /// Writes the old contents back if cargo changed them (removes a lock file cargo created).
    fn restore(&self) -> std::io::Result<()> {
        let now = std::fs::read(&self.path).ok();
        if now == self.contents {
            return Ok(());
        }
        match &self.contents {
            Some(bytes) => std::fs::write(&self.path, bytes),
            None => std::fs::remove_file(&self.path),
        }
    }
}

/// `regen-check/` in the target folder cargo uses for this workspace: `$CARGO_TARGET_DIR` when
/// set (where `cargo run` holds the lock of the folder itself, not of this subfolder), else
/// `<root>/target`.
fn target_dir(root: &Path) -> PathBuf {
    // A relative `$CARGO_TARGET_DIR` is relative to where cargo was started, not to `root`.
    let here = std::env::current_dir().unwrap_or_default();
    std::env::var_os("CARGO_TARGET_DIR")
        .filter(|d| !d.is_empty())
        .map_or_else(|| root.join("target"), |d| here.join(d))
        .join("regen-check")
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

    /// Cargo's `-p` takes package names: the facade's folder is `facade`, its package `apilogin`.
    #[test]
    fn folders_are_checked_by_their_package_names() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .nth(2)
            .expect("the generator lives at crates/codegen");
        assert_eq!(package_name(root, "facade"), "apilogin");
        assert_eq!(package_name(root, "rocketchat-client"), "rocketchat-client");
        assert_eq!(package_name(root, "not-there"), "not-there");
    }

    #[test]
    fn a_lock_file_is_put_back_byte_for_byte_or_removed() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("Cargo.lock");
        std::fs::write(&path, "version = 4\n").unwrap();
        let lock = Lockfile::read(root.path());
        std::fs::write(&path, "version = 4\n[[package]]\nname = \"new-client\"\n").unwrap();
        lock.restore().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "version = 4\n");
        std::fs::remove_file(&path).unwrap();
        let none = Lockfile::read(root.path());
        std::fs::write(&path, "created by cargo").unwrap();
        none.restore().unwrap();
        assert!(!path.exists());
    }
}
