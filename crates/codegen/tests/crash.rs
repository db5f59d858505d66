//! Regen never aborts the process: progenitor and typify run in a child process of
//! `apilogin-regen`, so that even a stack overflow (here: an abort, what an overflow does to a
//! process) in them is an error naming the spec, and regen exits 1 having written nothing.

use std::path::Path;
use std::process::Command;

const SPEC: &str = "\
openapi: 3.0.3
info: {title: t, version: 1.0.0}
paths:
  /a:
    get:
      operationId: getA
      responses: {'204': {description: ok}}
";

fn regen(root: &Path, abort: bool) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_apilogin-regen"));
    command.args(["--root", root.to_str().unwrap()]);
    if abort {
        command.env("APILOGIN_REGEN_WORKER_ABORT", "1");
    }
    command.output().unwrap()
}

#[test]
fn a_crash_in_the_generator_is_an_error_naming_the_spec() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("specs")).unwrap();
    std::fs::write(root.path().join("specs/one.yaml"), SPEC).unwrap();
    std::fs::write(root.path().join("specs/two.yaml"), SPEC).unwrap();

    let crashed = regen(root.path(), true);
    let stderr = String::from_utf8_lossy(&crashed.stderr);
    assert_eq!(crashed.status.code(), Some(1), "{stderr}");
    for spec in ["specs/one.yaml", "specs/two.yaml"] {
        assert!(
            stderr.contains(&format!(
                "error: {spec} at (document): progenitor/typify crashed"
            )),
            "{stderr}"
        );
    }
    assert!(
        stderr.contains("SIGABRT") || stderr.contains("signal"),
        "{stderr}"
    );
    assert!(!root.path().join("crates").exists(), "nothing written");

    // The same specs, the worker left alone: they generate.
    let fine = regen(root.path(), false);
    assert!(
        fine.status.success(),
        "{}",
        String::from_utf8_lossy(&fine.stderr)
    );
    assert!(root.path().join("crates/one-client/src/lib.rs").is_file());
}
