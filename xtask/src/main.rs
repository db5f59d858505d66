//! `cargo xtask <command>`: the maintainer tasks of apilogin. See `cargo xtask help`.
//!
//! Only a dispatcher, with no dependencies: each command is a program of the workspace, started
//! with `cargo run`, so a command waits for its own program's build and nothing else's.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <command>

Commands:
  regen [--check] [--root DIR] [--show-view ID] [--no-build-check]
                    generate crates/<id>-client/ from every specs/<id>.{yaml,yml,json};
                    every problem of every spec is listed, and nothing is written unless all
                    pass; the crates that changed are then built as your next `cargo build`
                    would build them (in your target folder, so it finds them built), and
                    put back as they were if they do not build (--no-build-check skips that);
                    --check writes nothing and fails with a diff when they are stale;
                    --root works on DIR/specs and DIR/crates instead of this workspace;
                    --show-view prints what progenitor is given for specs/ID
  sandbox           serve every look-alike service on 127.0.0.1 until Ctrl-C
  demo              log in to every sandbox through the facade and print a table
  lint              lint the specs: Redocly (recommended-strict), Spectral (spectral:oas),
                    and the project's own checks; installs the pinned linters into tools/
  docs              build the publishable docs bundle in docs-out/ (bundled openapi.json and
                    .yaml and an HTML page per service, plus index.html), then test the pages
                    in headless Chromium
  bench [--quick] [--only SECTIONS]
                    regen speed, a fresh clone's first demo and regen and its README test
                    command, compile footprint,
                    login round trips and sessions against their floors, logins under
                    concurrency, a renewal shared by 4 processes, the corpus against
                    openapi-generator, OAuth logins to a stored session, side by side; writes
                    BENCHMARKS.md (--quick: fewer rounds; --only regen,fresh,tests,footprint,
                    roundtrip,session,concurrency,renewal,soak,corpus,oauth: run those, keep
                    the other sections as they were)
  help              this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = workspace_root();
    match args.as_slice() {
        // The generator is a program of its own (crates/codegen): the other commands never
        // compile progenitor. It is built in the dev profile like everything else, so the
        // dependencies it shares with the other programs are compiled once.
        ["regen", rest @ ..] => cargo_run(&root, &[], "apilogin-codegen", rest),
        // The spec model, Markdown, the bench's reports: crates/tasks.
        ["lint" | "docs"] | ["bench", ..] => cargo_run(&root, &[], "apilogin-tasks", &args),
        // These run other packages instead of linking them: xtask must build even when the
        // generated crates (and so the facade) do not, or regen could not repair them.
        ["sandbox"] => cargo_run(&root, &[], "apilogin-sandbox", &[]),
        ["demo"] => cargo_run(&root, &[], "apilogin-demo", &[]),
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

/// The workspace root: xtask's manifest sits one level below it.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// `cargo run --quiet <cargo_args> --package <package> -- <args>` in the workspace.
fn cargo_run(root: &Path, cargo_args: &[&str], package: &str, args: &[&str]) -> ExitCode {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .current_dir(root)
        .args(["run", "--quiet"])
        .args(cargo_args)
        .args(["--package", package, "--"])
        .args(args)
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
