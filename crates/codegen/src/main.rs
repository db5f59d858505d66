//! `apilogin-regen`: the program `cargo xtask regen` runs. See `apilogin-regen --help`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use apilogin_codegen::{
    BuildCheck, Mode, WORKER_ARG, run_with, set_worker, show_view, worker_main,
};

const HELP: &str = "\
apilogin-regen (run as `cargo xtask regen`)

Usage: cargo xtask regen [--check] [--root DIR] [--no-build-check]
       cargo xtask regen --show-view ID [--root DIR]

  (no option)     generate crates/<id>-client/ from every spec in specs/
  --check         write nothing; fail with a diff when the generated crates are stale
  --root DIR      work on DIR/specs and DIR/crates instead of this workspace
  --no-build-check  do not build the crates whose files changed (by default they are
                  built as a plain `cargo build` builds them, in your target folder, and a
                  crate that does not build is an error and its old files are put back;
                  a --root without Cargo.toml is never checked)
  --show-view ID  print, as YAML, the code-generation view of specs/ID.yaml: the document
                  progenitor is given after regen's adaptations
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // A child of regen that runs progenitor for one spec (see `generate.rs`).
    if args.first().is_some_and(|a| a == WORKER_ARG) {
        return worker_main();
    }
    // progenitor and typify run in child processes of this program: a stack overflow or an
    // abort in them becomes an error naming the spec, never the end of regen.
    // (`APILOGIN_REGEN_IN_PROCESS=1`: in this process, on large-stack threads, as the tests do.)
    let in_process = std::env::var_os("APILOGIN_REGEN_IN_PROCESS").is_some_and(|v| v == "1");
    if let (false, Ok(me)) = (in_process, std::env::current_exe()) {
        set_worker(me);
    }
    let mut mode = Mode::Write;
    let mut root = workspace_root();
    let mut view = None;
    let mut build_check = true;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => mode = Mode::Check,
            "--no-build-check" => build_check = false,
            "--root" => match args.next() {
                Some(dir) => root = PathBuf::from(dir),
                None => return usage("--root needs a folder"),
            },
            "--show-view" => match args.next() {
                Some(id) => view = Some(id.clone()),
                None => return usage("--show-view needs a spec id, e.g. `rocketchat`"),
            },
            "-h" | "--help" | "help" => {
                print!("{HELP}");
                return ExitCode::SUCCESS;
            }
            other => return usage(&format!("unknown option `{other}`")),
        }
    }
    if let Some(id) = view {
        return match show_view(&root, &id) {
            Ok(yaml) => {
                print!("{yaml}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        };
    }
    regen(&root, mode, build_check)
}

fn usage(problem: &str) -> ExitCode {
    eprint!("error: {problem}\n\n{HELP}");
    ExitCode::from(2)
}

/// The workspace root: this crate's manifest sits at `crates/codegen/`.
fn workspace_root() -> PathBuf {
    apilogin_openapi::workspace_root(Path::new(env!("CARGO_MANIFEST_DIR")))
}

fn regen(root: &Path, mode: Mode, build_check: bool) -> ExitCode {
    let started = Instant::now();
    match run_with(root, mode, build_check) {
        Ok(report) => {
            let elapsed = started.elapsed();
            for notice in &report.notices {
                println!("notice: {notice}");
            }
            match mode {
                Mode::Check => println!(
                    "regen --check: {} spec(s), generated crates are up to date ({elapsed:.1?})",
                    report.specs
                ),
                Mode::Write if report.written.is_empty() => {
                    println!(
                        "regen: {} spec(s), nothing changed ({elapsed:.1?})",
                        report.specs
                    )
                }
                Mode::Write => {
                    for path in &report.written {
                        println!("wrote {}", path.display());
                    }
                    match &report.build {
                        BuildCheck::Passed {
                            crates,
                            others_failing,
                        } => {
                            println!("built: {} (for your next `cargo build`)", crates.join(", "));
                            if !others_failing.is_empty() {
                                println!(
                                    "note: {} did not build; not regen's crates (run `cargo build` to see why)",
                                    others_failing.join(", ")
                                );
                            }
                        }
                        BuildCheck::Skipped(why) => println!("build check skipped: {why}"),
                        BuildCheck::NotNeeded => {}
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
