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
  sandbox           serve the four look-alike services on 127.0.0.1 until Ctrl-C
  demo              log in to all four sandboxes through the facade and print a table
  help              this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = workspace_root();
    match args.as_slice() {
        ["regen"] => regen(&root, regen::Mode::Write),
        ["regen", "--check"] => regen(&root, regen::Mode::Check),
        // These run other packages instead of linking them: xtask must build even when the
        // generated crates (and so the facade) do not, or regen could not repair them.
        ["sandbox"] => cargo_run(&root, "apilogin-sandbox"),
        ["demo"] => cargo_run(&root, "apilogin-demo"),
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

fn cargo_run(root: &Path, package: &str) -> ExitCode {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .current_dir(root)
        .args(["run", "--quiet", "--package", package])
        .status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => ExitCode::from(s.code().and_then(|c| u8::try_from(c).ok()).unwrap_or(1)),
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
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
