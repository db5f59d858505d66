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

/// A real stack overflow in typify: springdoc's polymorphism as written (regen's view adapts it,
/// see `cycles.rs`; here the worker is given the document unadapted). The worker dies of it,
/// which is what `generate.rs` turns into an error naming the spec; regen itself is another
/// process.
#[test]
fn the_worker_takes_a_real_stack_overflow_in_typify_alone() {
    use std::io::Write as _;
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/cases");
    let text = std::fs::read_to_string(corpus.join("springdocpolymorphism.yaml")).unwrap();
    let doc: serde_json::Value = yaml_serde::from_str(&text).unwrap();
    let input = serde_json::json!({"doc": doc, "view": doc}).to_string();
    let mut worker = Command::new(env!("CARGO_BIN_EXE_apilogin-regen"))
        .arg(apilogin_codegen::WORKER_ARG)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    worker
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = worker.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("overflowed its stack"), "{stderr}");
    assert!(output.stdout.is_empty());
}
