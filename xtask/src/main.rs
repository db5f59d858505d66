//! `cargo xtask <command>`: the maintainer tasks of apilogin. See `cargo xtask help`.

mod bench;
mod docs;
mod lint;
mod regen;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const HELP: &str = "\
cargo xtask <command>

Commands:
  regen [--check] [--root DIR]
                    generate crates/<id>-client/ from every specs/<id>.yaml;
                    --check writes nothing and fails with a diff when they are stale;
                    --root works on DIR/specs and DIR/crates instead of this workspace
  sandbox           serve every look-alike service on 127.0.0.1 until Ctrl-C
  demo              log in to every sandbox through the facade and print a table
  lint              lint the specs: Redocly (recommended-strict), Spectral (spectral:oas),
                    and the project's own checks; installs the pinned linters into tools/
  docs              build the publishable docs bundle in docs-out/ (bundled openapi.json and
                    .yaml and an HTML page per service, plus index.html), then test the pages
                    in headless Chromium
  bench [--quick]   regen speed, compile footprint and login round trips against their
                    peers, side by side; writes BENCHMARKS.md (--quick: fewer rounds)
  help              this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = workspace_root();
    match args.as_slice() {
        ["regen", rest @ ..] => {
            let mode = if rest.contains(&"--check") {
                regen::Mode::Check
            } else {
                regen::Mode::Write
            };
            let root = match rest.iter().position(|a| *a == "--root") {
                Some(i) => match rest.get(i + 1) {
                    Some(dir) => PathBuf::from(dir),
                    None => return usage("--root needs a folder"),
                },
                None => root,
            };
            if rest.iter().enumerate().any(|(i, a)| {
                *a != "--check" && *a != "--root" && (i == 0 || rest[i - 1] != "--root")
            }) {
                return usage("unknown regen option");
            }
            regen(&root, mode)
        }
        ["bench"] => bench(&root, bench::Options::default()),
        ["bench", "--quick"] => bench(
            &root,
            bench::Options {
                regen_rounds: 3,
                build_rounds: 1,
                requests: 600,
            },
        ),
        // These run other packages instead of linking them: xtask must build even when the
        // generated crates (and so the facade) do not, or regen could not repair them.
        ["sandbox"] => cargo_run(&root, "apilogin-sandbox"),
        ["demo"] => cargo_run(&root, "apilogin-demo"),
        ["lint"] => lint::main(&root),
        ["docs"] => docs::main(&root),
        [] | ["help" | "--help" | "-h"] => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        _ => usage(&format!("unknown arguments {args:?}")),
    }
}

fn usage(problem: &str) -> ExitCode {
    eprint!("error: {problem}\n\n{HELP}");
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
