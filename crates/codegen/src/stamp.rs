//! The no-op fast path: when neither the specs, nor the generated files, nor the xtask binary
//! changed since the last successful regen, there is nothing to generate.
//!
//! Only `cargo xtask regen` uses it. `--check` (CI, and the freshness test) always generates
//! and compares for real.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// Where the fingerprint of the last successful regen is kept (git-ignored).
fn stamp_path(root: &Path) -> PathBuf {
    root.join("target").join("xtask-regen.stamp")
}

/// Hashes what a regen's output depends on: this binary, every spec, and every file regen owns.
pub fn fingerprint(root: &Path, specs: &[PathBuf]) -> std::io::Result<String> {
    let mut hasher = DefaultHasher::new();
    // A rebuilt xtask (new generator, new templates) must regenerate.
    program()?.hash(&mut hasher);
    for spec in specs {
        spec.hash(&mut hasher);
        std::fs::read(root.join(spec))?.hash(&mut hasher);
    }
    // The facade's glue also depends on the x-apilogin schema and the files it writes.
    for file in crate::glue::DEPENDS_ON {
        file.hash(&mut hasher);
        std::fs::read(root.join(file))
            .unwrap_or_default()
            .hash(&mut hasher);
    }
    let mut owned = crate::files::owned_files(root)?;
    owned.sort();
    for file in owned {
        file.hash(&mut hasher);
        std::fs::read(root.join(&file))?.hash(&mut hasher);
    }
    Ok(format!("{:016x}", hasher.finish()))
}

/// This program as it was when regen started: the build check (`cargo build --workspace`) may
/// replace the file while regen runs, after which `current_exe()` names a deleted file.
fn program() -> std::io::Result<&'static (PathBuf, u64, std::time::SystemTime)> {
    static PROGRAM: std::sync::OnceLock<(PathBuf, u64, std::time::SystemTime)> =
        std::sync::OnceLock::new();
    if let Some(known) = PROGRAM.get() {
        return Ok(known);
    }
    let exe = std::env::current_exe()?;
    let meta = std::fs::metadata(&exe)?;
    Ok(PROGRAM.get_or_init(|| {
        (
            exe,
            meta.len(),
            meta.modified().unwrap_or(std::time::UNIX_EPOCH),
        )
    }))
}

pub fn is_current(root: &Path, fingerprint: &str) -> bool {
    std::fs::read_to_string(stamp_path(root)).is_ok_and(|s| s.trim() == fingerprint)
}

/// Records a successful regen. A failure to record only costs the next run its fast path.
pub fn record(root: &Path, fingerprint: &str) {
    let path = stamp_path(root);
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::write(path, fingerprint);
}
