//! Where the workspace is: the folder that holds `specs/` and the workspace's `Cargo.toml`.
//! Every tool and test that reads the specs finds it here, from its own `CARGO_MANIFEST_DIR`.

use std::path::{Path, PathBuf};

/// The nearest folder at or above `start` with a `specs/` folder and a `Cargo.toml`: the
/// workspace root. Panics when there is none (a crate moved out of the workspace).
pub fn workspace_root(start: &Path) -> PathBuf {
    start
        .ancestors()
        .find(|dir| dir.join("specs").is_dir() && dir.join("Cargo.toml").is_file())
        .unwrap_or_else(|| {
            panic!(
                "no workspace (a folder with specs/ and Cargo.toml) at or above {}",
                start.display()
            )
        })
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_holds_the_specs_from_any_crate_folder() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = workspace_root(here);
        assert!(root.join("specs").is_dir());
        assert_eq!(workspace_root(&root.join("crates/codegen/src")), root);
        assert_eq!(workspace_root(&root), root);
    }
}
