//! `cargo xtask <command>`: the maintainer tasks of apilogin. See `cargo xtask help`.

mod regen;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const HELP: &str = "\
cargo xtask <command>

Commands:
  regen [--check]   generate crates/<id>-client/ from every specs/<id>.yaml;
                    --check writes nothing and fails with a diff when they are stale
  help              this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = workspace_root();
    match args.as_slice() {
        ["regen"] => regen(&root, regen::Mode::Write),
        ["regen", "--check"] => regen(&root, regen::Mode::Check),
        [] | ["help" | "--help" | "-h"] => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        _ => {
            eprint!("error: unknown arguments {args:?}\n\n{HELP}");
            ExitCode::from(2)
        }
    }
}

/// The workspace root: xtask's manifest sits one level below it.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn regen(root: &Path, mode: regen::Mode) -> ExitCode {
    let started = Instant::now();
    match regen::run(root, mode) {
        Ok(report) => {
            let elapsed = started.elapsed();
            match mode {
                regen::Mode::Check => println!(
                    "regen --check: {} spec(s), generated crates are up to date ({elapsed:.1?})",
                    report.specs
                ),
                regen::Mode::Write if report.written.is_empty() => {
                    println!(
                        "regen: {} spec(s), nothing changed ({elapsed:.1?})",
                        report.specs
                    )
                }
                regen::Mode::Write => {
                    for path in &report.written {
                        println!("wrote {}", path.display());
                    }
                    println!(
                        "regen: {} spec(s), {} file(s) written ({elapsed:.1?})",
                        report.specs,
                        report.written.len()
                    );
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
