//! "Regen succeeded" means "the crates build": after writing, build the generated crates whose
//! files changed; when one fails, the old files are put back and regen fails.
//!
//! Nothing is compiled twice: the check is the build the user's next `cargo build` would do,
//! in the user's own target folder (`$CARGO_TARGET_DIR` when set, else `target/`), with the
//! same package set, profile and features as a plain `cargo build` at the root: `cargo build
//! --workspace`. (`cargo build -p <client>` would not do: under the workspace's resolver 1 the
//! features of shared dependencies such as reqwest depend on the packages selected, so its
//! artifacts would not be the ones a plain `cargo build` looks for, and the client would be
//! compiled again.) `--keep-going` builds everything it can, and only the changed packages are
//! judged: a hand-written crate that does not build is the user's business, said in a note.
//! `cargo run` (which runs regen) holds no lock on the target folder while its program runs,
//! so the check can build there. The facade's command (feature `cli`, not in a plain build)
//! is checked as before with `cargo check -p apilogin --all-features` in `regen-check/` of the
//! target folder, when the facade changed. A run that changes nothing checks nothing (the no-op
//! regen stays in milliseconds). A `--root` that is not a cargo workspace (no `Cargo.toml`:
//! the bench and the tests' scratch roots) cannot be checked; regen says it skipped the check.
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
    /// These crates built (in the user's target folder). `others_failing`: hand-written
    /// packages of the workspace that did not build (not regen's to judge).
    Passed {
        crates: Vec<String>,
        others_failing: Vec<String>,
    },
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

/// Builds the crates `changes` touched (already written under `root`); on failure, undoes
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
    let failed = |message: String| {
        let mut message = undo(root, changes, message);
        if let Err(e) = lock.restore() {
            message.push_str(&format!("\nRestoring Cargo.lock failed too: {e}"));
        }
        message
    };
    let report = |text: &str| {
        format!(
            "the generated crate(s) {} do not build:\n{text}\
             The old files (and Cargo.lock) were put back. This is a regen bug (or a progenitor \
             limit regen does not know yet): report it with the spec; `cargo xtask regen \
             --show-view <id>` shows what progenitor was given.",
            packages.join(", ")
        )
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifests: Vec<PathBuf> = folders
        .iter()
        .map(|f| canonical(&root.join("crates").join(f).join("Cargo.toml")))
        .collect();
    // The user's plain `cargo build`, in the user's target folder, without what `cargo run`
    // set for this program (a build script that reads one would make the user's next build
    // differ).
    let mut command = Command::new(&cargo);
    for (name, _) in std::env::vars_os() {
        if name
            .to_str()
            .is_some_and(|n| CARGO_RUN_SETS.contains(&n) || n.starts_with("CARGO_PKG_"))
        {
            command.env_remove(name);
        }
    }
    let output = command
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target_dir(root))
        .args([
            "build",
            "--workspace",
            "--keep-going",
            "--message-format",
            "json-diagnostic-short",
        ])
        .output()
        .map_err(|e| failed(format!("cannot run cargo: {e}")))?;
    let build = judge(&String::from_utf8_lossy(&output.stdout), &manifests);
    if !build.failed_ours.is_empty() || build.built_ours < manifests.len() {
        let mut text = build.errors_ours.join("");
        if text.is_empty() {
            // Nothing of ours failed to compile: cargo itself failed (a manifest, the lock
            // file, a dependency), and says why on stderr.
            text = String::from_utf8_lossy(&output.stderr).into_owned();
        }
        return Err(failed(report(&text)));
    }
    // The facade's command, which a plain build leaves out.
    if packages.iter().any(|p| p == "apilogin") {
        let output = Command::new(&cargo)
            .current_dir(root)
            .env("CARGO_TARGET_DIR", target_dir(root).join("regen-check"))
            .args([
                "check",
                "--quiet",
                "--message-format",
                "short",
                "--all-features",
                "-p",
                "apilogin",
            ])
            .output()
            .map_err(|e| failed(format!("cannot run cargo: {e}")))?;
        if !output.status.success() {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            return Err(failed(report(&text)));
        }
    }
    Ok(Outcome::Passed {
        crates: packages,
        others_failing: build.failed_others,
    })
}

/// What `cargo run` sets for the program it runs (besides `CARGO_PKG_*`), not in a plain
/// `cargo build`'s environment.
const CARGO_RUN_SETS: &[&str] = &[
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "CARGO_RUSTC_CURRENT_DIR",
    "OUT_DIR",
];

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// What cargo's JSON messages say about the packages regen changed (`ours`, by manifest).
#[derive(Debug, Default, PartialEq, Eq)]
struct Judged {
    /// Libraries of ours cargo built (or found fresh).
    built_ours: usize,
    /// Manifests of ours with an error, and the errors' text.
    failed_ours: Vec<PathBuf>,
    errors_ours: Vec<String>,
    /// Other packages with an error (by manifest folder name).
    failed_others: Vec<String>,
}

fn judge(stdout: &str, ours: &[PathBuf]) -> Judged {
    let mut judged = Judged::default();
    for line in stdout.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let manifest = message["manifest_path"].as_str().map(PathBuf::from);
        let is_ours = manifest
            .as_ref()
            .is_some_and(|m| ours.iter().any(|o| *o == canonical(m)));
        match message["reason"].as_str() {
            Some("compiler-artifact") if is_ours => {
                let lib = message["target"]["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| k == "lib" || k == "rlib"));
                if lib {
                    judged.built_ours += 1;
                }
            }
            Some("compiler-message") if message["message"]["level"] == "error" => {
                let text = message["message"]["rendered"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let Some(manifest) = manifest else { continue };
                if is_ours {
                    if !judged.failed_ours.contains(&manifest) {
                        judged.failed_ours.push(manifest);
                    }
                    judged.errors_ours.push(text);
                } else {
                    let name = manifest
                        .parent()
                        .and_then(Path::file_name)
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    if !judged.failed_others.contains(&name) {
                        judged.failed_others.push(name);
                    }
                }
            }
            _ => {}
        }
    }
    judged
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

/// The target folder cargo uses for this workspace: `$CARGO_TARGET_DIR` when set, else
/// `<root>/target`.
fn target_dir(root: &Path) -> PathBuf {
    // A relative `$CARGO_TARGET_DIR` is relative to where cargo was started, not to `root`.
    let here = std::env::current_dir().unwrap_or_default();
    std::env::var_os("CARGO_TARGET_DIR")
        .filter(|d| !d.is_empty())
        .map_or_else(|| root.join("target"), |d| here.join(d))
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
        // The folders regen writes into (`src/lib.rs`, `examples/quick_start.rs`).
        for sub in ["src", "examples"] {
            if dir
                .join(sub)
                .read_dir()
                .is_ok_and(|mut d| d.next().is_none())
            {
                let _ = std::fs::remove_dir(dir.join(sub));
            }
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
        let root = apilogin_openapi::workspace_root(Path::new(env!("CARGO_MANIFEST_DIR")));
        assert_eq!(package_name(&root, "facade"), "apilogin");
        assert_eq!(
            package_name(&root, "rocketchat-client"),
            "rocketchat-client"
        );
        assert_eq!(package_name(&root, "not-there"), "not-there");
    }

    #[test]
    fn only_errors_of_the_changed_packages_fail_the_check() {
        let ours = PathBuf::from("/w/crates/a-client/Cargo.toml");
        let lines = [
            r#"{"reason":"compiler-artifact","manifest_path":"/w/crates/a-client/Cargo.toml","target":{"kind":["lib"]}}"#,
            r#"{"reason":"compiler-message","manifest_path":"/w/crates/sandbox/Cargo.toml","message":{"level":"error","rendered":"x"}}"#,
            r#"{"reason":"compiler-message","manifest_path":"/w/crates/a-client/Cargo.toml","message":{"level":"warning","rendered":"w"}}"#,
            "not json",
        ];
        let judged = judge(&lines.join("\n"), std::slice::from_ref(&ours));
        assert_eq!(judged.built_ours, 1);
        assert!(judged.failed_ours.is_empty());
        assert_eq!(judged.failed_others, ["sandbox"]);
        let error = r#"{"reason":"compiler-message","manifest_path":"/w/crates/a-client/Cargo.toml","message":{"level":"error","rendered":"src/lib.rs:1: error"}}"#;
        let judged = judge(error, &[ours]);
        assert_eq!(judged.built_ours, 0);
        assert_eq!(judged.errors_ours, ["src/lib.rs:1: error"]);
    }

    /// A new crate that does not build leaves no folder behind, its `examples/` included.
    #[test]
    fn undoing_a_new_crate_removes_its_folders() {
        let root = tempfile::tempdir().unwrap();
        let new = |path: &str| Change {
            path: PathBuf::from(path),
            old: None,
            new: Some("// x\n".into()),
        };
        let changes = [
            new("crates/new-client/Cargo.toml"),
            new("crates/new-client/src/lib.rs"),
            new("crates/new-client/examples/quick_start.rs"),
        ];
        files::apply(root.path(), &changes).unwrap();
        assert!(root.path().join("crates/new-client/examples").is_dir());
        undo(root.path(), &changes, String::new());
        assert!(!root.path().join("crates/new-client").exists());
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
