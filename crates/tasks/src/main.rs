//! `apilogin-tasks`: the maintainer tasks behind `cargo xtask lint`, `docs` and `bench` (xtask
//! runs this program; see `cargo xtask help`).

mod bench;
mod docs;
mod lint;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "apilogin-tasks (run as `cargo xtask lint|docs|bench`; see `cargo xtask help`)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = workspace_root();
    match args.as_slice() {
        ["bench", rest @ ..] => match bench::Options::parse(rest) {
            Ok(options) => bench(&root, options),
            Err(problem) => usage(&problem),
        },
        ["lint"] => lint::main(&root),
        ["docs"] => docs::main(&root),
        _ => usage(&format!("unknown arguments {args:?}")),
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("error: {problem}\n\n{USAGE}");
    ExitCode::from(2)
}

fn bench(root: &Path, options: bench::Options) -> ExitCode {
    match bench::run(root, &options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: this crate's manifest sits at crates/tasks.
fn workspace_root() -> PathBuf {
    apilogin_openapi::workspace_root(Path::new(env!("CARGO_MANIFEST_DIR")))
}
