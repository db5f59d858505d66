//! The generator behind `cargo xtask regen [--check]`: every `specs/<id>.yaml` becomes
//! `crates/<id>-client/`. It reads specs through the one spec model (`apilogin-openapi`), gives
//! progenitor its code-generation view (`view`, derived in memory from the model, with every
//! adaptation located), and lays out the crate around progenitor's code.
//!
//! It is a crate of its own, run by xtask as a separate program, so that xtask's other commands
//! (demo, sandbox, lint, docs) never compile progenitor.
//!
//! All or nothing: every spec is read, checked and generated in memory first; a single failure
//! writes no file. Unchanged files are not rewritten, so a no-op regen leaves mtimes (and cargo's
//! fingerprints) alone.

mod build_check;
mod components;
mod extension;
mod files;
mod generate;
pub(crate) mod glue;
mod login_check;
mod quickstart;
mod render;
mod runtime;
mod security;
mod stamp;
mod version;
mod view;

use std::fmt;
use std::path::Path;

use apilogin_openapi::{self as spec, SpecError};
pub use build_check::Outcome as BuildCheck;
pub use files::Change;
pub use generate::{WORKER_ARG, set_worker, worker_main};
use render::GeneratedFile;

/// Why regen stopped.
#[derive(Debug)]
pub enum RegenError {
    /// One or more specs cannot be generated; nothing was written. The errors, and the notices
    /// of the same run (what regen would adapt, such as a non-semver `info.version`), so that
    /// one run says everything.
    Specs(Vec<SpecError>, Vec<SpecError>),
    /// `--check` found generated files that differ from the specs.
    Stale {
        changes: Vec<Change>,
        diff: String,
    },
    /// The generated crates did not build; the old files were put back.
    Build(String),
    Io(std::io::Error),
}

impl fmt::Display for RegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegenError::Specs(errors, notices) => {
                for n in notices {
                    writeln!(f, "notice: {n}")?;
                }
                for e in errors {
                    writeln!(f, "error: {e}")?;
                }
                let mut files: Vec<&Path> = errors.iter().map(|e| e.file.as_path()).collect();
                files.dedup();
                write!(
                    f,
                    "{} problem(s) in {} spec(s); no file was written.",
                    errors.len(),
                    files.len()
                )
            }
            RegenError::Stale { changes, diff } => {
                write!(f, "{diff}")?;
                writeln!(f, "error: {} generated file(s) are stale:", changes.len())?;
                for c in changes {
                    writeln!(f, "  {}", c.path.display())?;
                }
                write!(f, "Run `cargo xtask regen` and commit the result.")
            }
            RegenError::Build(output) => write!(f, "error: {output}"),
            RegenError::Io(e) => write!(f, "error: {e}"),
        }
    }
}

impl From<std::io::Error> for RegenError {
    fn from(e: std::io::Error) -> Self {
        RegenError::Io(e)
    }
}

/// Write the changes, or (`Check`) only report them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// What a successful run did.
#[derive(Debug)]
pub struct Report {
    pub specs: usize,
    pub written: Vec<std::path::PathBuf>,
    /// How the generated code differs from what the specs say (derived and renamed names,
    /// filled-in schemas, left-out media types), each located in its spec. Empty on the no-op
    /// fast path, where nothing was generated.
    pub notices: Vec<SpecError>,
    /// What the build check did (`NotNeeded` when it was not asked for).
    pub build: BuildCheck,
}

/// [`run_with`] without the build check (the unit tests, `--no-build-check`).
pub fn run(root: &Path, mode: Mode) -> Result<Report, RegenError> {
    run_with(root, mode, false)
}

/// Generates (or, with `Mode::Check`, compares) every spec under `root`. With `build_check`, a
/// write that changed files is followed by a build of the changed crates (the one the next
/// `cargo build` would do), and undone when they do not build (see `build_check.rs`).
pub fn run_with(root: &Path, mode: Mode, build_check: bool) -> Result<Report, RegenError> {
    let spec_files = spec::spec_files(root)?;
    // Two files with one id are an error; the other specs are still read, so that one run
    // lists every problem.
    let duplicates = spec::duplicate_ids(&spec_files);
    let stem = |f: &std::path::PathBuf| f.file_stem().map(|s| s.to_os_string());
    let clashing: Vec<_> = duplicates.iter().filter_map(|e| stem(&e.file)).collect();
    let before = match mode {
        Mode::Write => Some(stamp::fingerprint(root, &spec_files)?),
        Mode::Check => None,
    };
    if before
        .as_deref()
        .is_some_and(|f| stamp::is_current(root, f))
    {
        return Ok(Report {
            specs: spec_files.len(),
            written: Vec::new(),
            notices: Vec::new(),
            build: BuildCheck::NotNeeded,
        });
    }
    // Specs are independent: generate them side by side, then report in file order. Each on
    // a thread with a large stack (typify and progenitor recurse on deep schemas), with a
    // panic anywhere in it an error naming the spec.
    let results: Vec<OneSpec> = std::thread::scope(|scope| {
        let handles: Vec<_> = spec_files
            .iter()
            .filter(|file| !stem(file).is_some_and(|s| clashing.contains(&s)))
            .map(|file| {
                let work = move || guarded(file, || generate_one(root, file));
                let thread =
                    || std::thread::Builder::new().name(format!("regen {}", file.display()));
                // Where the system will not reserve the large stack, the default one.
                let handle = thread()
                    .stack_size(GENERATOR_STACK)
                    .spawn_scoped(scope, work)
                    .or_else(|_| thread().spawn_scoped(scope, work));
                (file, handle)
            })
            .collect();
        handles
            .into_iter()
            .map(|(file, h)| match h {
                Ok(h) => h.join().unwrap_or_else(|_| crashed(file, "a panic".into())),
                Err(e) => crashed(file, format!("no thread to generate it on ({e})")),
            })
            .collect()
    });
    let mut generated = Vec::new();
    let mut notices = Vec::new();
    let mut specs = Vec::new();
    let mut errors = duplicates;
    for one in results {
        match one.files {
            Ok(files) => generated.extend(files),
            Err(e) => errors.extend(e),
        }
        notices.extend(one.notices);
        specs.extend(one.spec);
    }
    if errors.is_empty() {
        // The facade's glue from every spec's `x-apilogin` (see glue.rs), from the documents
        // already read and checked.
        let specs: Vec<&spec::Spec> = specs.iter().collect();
        glue::for_regen(root, &specs).map_or_else(|e| errors.extend(e), |f| generated.extend(f));
    }
    if !errors.is_empty() {
        return Err(RegenError::Specs(errors, notices));
    }
    let changes = files::plan(root, &generated)?;
    match mode {
        Mode::Check if !changes.is_empty() => {
            let diff = files::diff(&changes);
            Err(RegenError::Stale { changes, diff })
        }
        Mode::Check => Ok(Report {
            specs: spec_files.len(),
            written: Vec::new(),
            notices,
            build: BuildCheck::NotNeeded,
        }),
        Mode::Write => {
            files::apply(root, &changes)?;
            let build = if build_check {
                build_check::check(root, &changes).map_err(RegenError::Build)?
            } else {
                BuildCheck::NotNeeded
            };
            stamp::record(root, &stamp::fingerprint(root, &spec_files)?);
            Ok(Report {
                specs: spec_files.len(),
                written: changes.into_iter().map(|c| c.path).collect(),
                notices,
                build,
            })
        }
    }
}

/// The code-generation view of `specs/<id>.yaml` under `root`, as YAML: what progenitor is
/// given after regen's adaptations.
pub fn show_view(root: &Path, id: &str) -> Result<String, RegenError> {
    let files = spec::spec_files(root)?;
    let Some(file) = files
        .iter()
        .find(|f| f.file_stem().is_some_and(|s| s == id))
    else {
        let known: Vec<String> = files
            .iter()
            .filter_map(|f| f.file_stem()?.to_str().map(str::to_string))
            .collect();
        return Err(RegenError::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!(
                "there is no spec `{id}`; the specs are: {}",
                known.join(", ")
            ),
        )));
    };
    let specs = |e| RegenError::Specs(e, Vec::new());
    let spec = spec::load_all(root, file).map_err(specs)?;
    let view = view::build(&spec).map_err(specs)?.doc;
    yaml_serde::to_string(&view).map_err(|e| RegenError::Io(std::io::Error::other(e.to_string())))
}

/// The stack of a spec's generating thread: typify and progenitor recurse once per nesting
/// level of a schema, and a deep (not cyclic: cycles.rs refuses those) schema needs more than
/// the 2 MiB a thread gets by default. Only touched pages are memory.
pub(crate) const GENERATOR_STACK: usize = 256 << 20;

/// What [`generate_one`] gives for one spec file: the spec when its document could be read
/// (for the facade's glue), its files or every problem found in it, and its notices (listed in
/// a failing run too, so one run says everything).
struct OneSpec {
    spec: Option<spec::Spec>,
    files: Result<Vec<GeneratedFile>, Vec<SpecError>>,
    notices: Vec<SpecError>,
}

fn crashed(file: &Path, what: String) -> OneSpec {
    OneSpec {
        spec: None,
        files: Err(vec![SpecError::new(
            file,
            "",
            format!(
                "regen's generator failed on this spec ({what}); nothing was written. Report it \
                 as a regen bug with the spec"
            ),
        )]),
        notices: Vec::new(),
    }
}

/// Runs `f` for `file`, a panic becoming an error naming the spec (panics inside progenitor
/// are already errors at the operation: generate.rs).
fn guarded(file: &Path, f: impl FnOnce() -> OneSpec) -> OneSpec {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(one) => one,
        Err(payload) => {
            let text = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "without a message".into());
            crashed(
                file,
                format!("a panic: {}", text.lines().next().unwrap_or("")),
            )
        }
    }
}

/// One spec read, checked and generated.
fn generate_one(root: &Path, file: &Path) -> OneSpec {
    let (spec, errors) = match spec::load_lenient(root, file) {
        Ok(loaded) => loaded,
        Err(e) => {
            return OneSpec {
                spec: None,
                files: Err(vec![e]),
                notices: Vec::new(),
            };
        }
    };
    let mut notices = Vec::new();
    let files = generate_loaded(&spec, errors, &mut notices);
    OneSpec {
        spec: Some(spec),
        files,
        notices,
    }
}

fn generate_loaded(
    spec: &spec::Spec,
    mut errors: Vec<SpecError>,
    notices: &mut Vec<SpecError>,
) -> Result<Vec<GeneratedFile>, Vec<SpecError>> {
    // Every problem of the spec in one run, from every phase, whatever else failed:
    // unresolved `$ref`s, the view's checks, security (schemes and every requirement, on the
    // spec as written), the crate version, and its `x-apilogin` (the schema and login_check.rs).
    let view = match view::build(spec) {
        Ok(view) => Some(view),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    errors.extend(security::problems(spec));
    errors.extend(components::ref_kinds(spec));
    let (crate_version, version_notice) = version::crate_version(spec);
    let login = login_check::check(&spec.doc);
    let located = |f: login_check::Finding| spec.error(f.pointer, f.message);
    errors.extend(login.errors.into_iter().map(located));
    if let Some(view) = &view {
        notices.extend(view.notices.iter().cloned());
    }
    notices.extend(version_notice);
    notices.extend(login.notices.into_iter().map(located));
    notices.sort_by_key(|e| e.line.unwrap_or(0));
    let Some(view) = view.filter(|_| errors.is_empty()) else {
        let mut unique: Vec<SpecError> = Vec::new();
        for e in errors {
            if !unique.contains(&e) {
                unique.push(e);
            }
        }
        unique.sort_by_key(|e| e.line.unwrap_or(0));
        return Err(unique);
    };
    let one = |e: SpecError| vec![e];
    let mut view = view;
    version::fix_view(spec, &mut view.doc, &crate_version);
    let security = security::read(spec, &view.doc).map_err(one)?;
    let mut code = generate::generate(spec, &view.doc).map_err(one)?;
    code.tokens = generate::restore_param_names(&code.tokens, &view.param_renames)
        .map_err(|e| vec![spec.error("", e)])?;
    render::render(
        spec,
        &view.doc,
        &code,
        &security,
        &view.field_renames,
        &crate_version,
    )
    .map_err(one)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn workspace_root() -> PathBuf {
        apilogin_openapi::workspace_root(Path::new(env!("CARGO_MANIFEST_DIR")))
    }

    /// rust-analyzer's way: `cargo test` fails when a spec changed and regen was not run.
    #[test]
    fn generated_crates_are_fresh() {
        match run(&workspace_root(), Mode::Check) {
            Ok(report) => assert!(
                report.specs >= 4,
                "expected the four specs, found {}",
                report.specs
            ),
            Err(e) => panic!("{e}"),
        }
    }

    /// Each generated README's quick start is its crate's `examples/quick_start.rs` as it is
    /// (which `cargo test` and `cargo clippy --all-targets` compile), header line aside.
    #[test]
    fn every_readme_quick_start_is_the_compiled_example() {
        let root = workspace_root();
        let mut seen = 0;
        for entry in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
            let dir = entry.path();
            if !dir.to_string_lossy().ends_with("-client") {
                continue;
            }
            let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
            let example = std::fs::read_to_string(dir.join(render::QUICK_START))
                .unwrap_or_else(|e| panic!("{}: {e}", dir.join(render::QUICK_START).display()));
            let (header, program) = example.split_once('\n').unwrap();
            assert!(header.contains(render::MARKER), "{header}");
            assert!(program.contains("async fn main()"), "{program}");
            assert!(
                readme.contains(&format!("```rust,no_run\n{program}```")),
                "{}: the README's quick start differs from {}",
                dir.display(),
                render::QUICK_START
            );
            seen += 1;
        }
        assert!(seen >= 5, "expected the five client crates, found {seen}");
    }

    const GOOD: &str = r#"
openapi: 3.0.3
info: {title: Demo API, version: 1.2.3}
servers: [{url: "http://localhost:1"}]
paths:
  /login:
    post:
      operationId: login
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Req'}
          application/x-www-form-urlencoded:
            schema: {$ref: '#/components/schemas/Req'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Ok'}
        '401':
          description: denied
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Denied'}
        '429':
          description: limited
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Limited'}
components:
  schemas:
    Req:
      type: object
      required: [user, password]
      properties:
        user: {type: string}
        password: {type: string, format: password}
    Ok:
      type: object
      properties:
        token: {type: string, format: password}
    Denied:
      type: object
      required: [message]
      properties:
        message: {type: string}
    Limited:
      type: object
      required: [error]
      properties:
        error: {type: string}
"#;

    fn scratch(specs: &[(&str, &str)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("specs")).unwrap();
        for (name, text) in specs {
            std::fs::write(root.path().join("specs").join(name), text).unwrap();
        }
        root
    }

    fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>, std::time::SystemTime)> {
        let mut out = Vec::new();
        let mut stack = vec![root.join("crates")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let meta = std::fs::metadata(&path).unwrap();
                    out.push((
                        path.clone(),
                        std::fs::read(&path).unwrap(),
                        meta.modified().unwrap(),
                    ));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn a_spec_becomes_a_crate_and_a_second_run_writes_nothing() {
        let root = scratch(&[("demo.yaml", GOOD)]);
        let first = run(root.path(), Mode::Write).unwrap();
        assert_eq!(
            first.written.len(),
            4,
            "Cargo.toml, README.md, src/lib.rs, examples/quick_start.rs"
        );
        let lib =
            std::fs::read_to_string(root.path().join("crates/demo-client/src/lib.rs")).unwrap();
        assert!(
            lib.starts_with("// Generated by `cargo xtask regen` from specs/demo.yaml."),
            "{}",
            &lib[..200]
        );
        assert!(
            lib.contains("pub fn login_form("),
            "the form body gets its own method"
        );
        assert!(lib.contains("pub fn login("));
        assert!(
            lib.contains("LoginErrorBody"),
            "401 and 429 share one union type"
        );
        assert!(
            lib.contains("pub password: crate::Secret"),
            "format: password becomes Secret"
        );
        let toml =
            std::fs::read_to_string(root.path().join("crates/demo-client/Cargo.toml")).unwrap();
        assert!(toml.contains("version = \"1.2.3\""), "{toml}");

        let before = snapshot(root.path());
        let second = run(root.path(), Mode::Write).unwrap();
        assert!(second.written.is_empty(), "{:?}", second.written);
        assert_eq!(
            snapshot(root.path()),
            before,
            "a no-op regen touches nothing"
        );
        run(root.path(), Mode::Check).unwrap();
    }

    #[test]
    fn a_hand_edit_of_a_generated_file_is_undone_despite_the_no_op_stamp() {
        let root = scratch(&[("demo.yaml", GOOD)]);
        run(root.path(), Mode::Write).unwrap();
        let lib = root.path().join("crates/demo-client/src/lib.rs");
        let generated = std::fs::read_to_string(&lib).unwrap();
        std::fs::write(&lib, format!("{generated}\n// edited by hand\n")).unwrap();
        let report = run(root.path(), Mode::Write).unwrap();
        assert_eq!(
            report.written,
            vec![PathBuf::from("crates/demo-client/src/lib.rs")]
        );
        assert_eq!(std::fs::read_to_string(&lib).unwrap(), generated);
    }

    #[test]
    fn check_reports_drift_with_a_diff() {
        let root = scratch(&[("demo.yaml", GOOD)]);
        run(root.path(), Mode::Write).unwrap();
        std::fs::write(
            root.path().join("specs/demo.yaml"),
            GOOD.replace("1.2.3", "1.2.4"),
        )
        .unwrap();
        match run(root.path(), Mode::Check) {
            Err(RegenError::Stale { diff, changes }) => {
                assert!(
                    diff.contains("-version = \"1.2.3\"\n+version = \"1.2.4\""),
                    "{diff}"
                );
                assert!(changes.iter().any(|c| c.path.ends_with("Cargo.toml")));
            }
            other => panic!("expected stale, got {other:?}"),
        }
    }

    #[test]
    fn one_bad_spec_writes_nothing_at_all() {
        let root = scratch(&[("demo.yaml", GOOD)]);
        run(root.path(), Mode::Write).unwrap();
        // A change to the good spec, and a second spec that cannot be generated.
        std::fs::write(
            root.path().join("specs/demo.yaml"),
            GOOD.replace("1.2.3", "2.0.0"),
        )
        .unwrap();
        std::fs::write(
            root.path().join("specs/broken.yaml"),
            GOOD.replace("3.0.3", "3.2.0"),
        )
        .unwrap();
        let before = snapshot(root.path());
        match run(root.path(), Mode::Write) {
            Err(RegenError::Specs(errors, _)) => {
                assert_eq!(errors.len(), 1);
                assert_eq!(errors[0].file, PathBuf::from("specs/broken.yaml"));
                assert_eq!(errors[0].pointer, "/openapi");
            }
            other => panic!("expected a spec error, got {other:?}"),
        }
        assert_eq!(snapshot(root.path()), before, "the tree is untouched");
        assert!(!root.path().join("crates/broken-client").exists());
    }

    #[test]
    fn an_unsupported_security_scheme_writes_nothing() {
        let root = scratch(&[("demo.yaml", GOOD)]);
        run(root.path(), Mode::Write).unwrap();
        let text = GOOD.replace(
            "components:\n",
            "components:\n  securitySchemes:\n    digest:\n      type: http\n      scheme: digest\n",
        );
        std::fs::write(root.path().join("specs/demo.yaml"), text).unwrap();
        let before = snapshot(root.path());
        match run(root.path(), Mode::Write) {
            Err(RegenError::Specs(errors, _)) => {
                assert_eq!(
                    errors[0].pointer,
                    "/components/securitySchemes/digest/scheme"
                );
                assert!(errors[0].message.contains("digest"), "{}", errors[0]);
            }
            other => panic!("expected a spec error, got {other:?}"),
        }
        assert_eq!(snapshot(root.path()), before, "the tree is untouched");
    }

    #[test]
    fn a_default_response_beside_a_2xx_one_is_an_error_response() {
        // progenitor asserts on this as written (it counts `default` as success and error);
        // the view makes it `4XX` and `5XX` (rule D), so it joins the union of errors.
        let text = GOOD.replace("        '429':", "        default:");
        let root = scratch(&[("demo.yaml", &text)]);
        run(root.path(), Mode::Write).unwrap();
        let lib =
            std::fs::read_to_string(root.path().join("crates/demo-client/src/lib.rs")).unwrap();
        assert!(
            lib.contains("LoginErrorBody"),
            "401 and default share one union"
        );
    }

    #[test]
    fn progenitor_panics_become_errors_at_the_operation() {
        // An `encoding` object on a JSON response is one progenitor asserts on.
        let text = GOOD.replace(
            "              schema: {$ref: '#/components/schemas/Ok'}\n",
            "              schema: {$ref: '#/components/schemas/Ok'}\n              encoding: {token: {contentType: text/plain}}\n",
        );
        assert_ne!(text, GOOD);
        let root = scratch(&[("demo.yaml", &text)]);
        match run(root.path(), Mode::Write) {
            Err(RegenError::Specs(errors, _)) => {
                assert_eq!(errors[0].pointer, "/paths/~1login/post", "{}", errors[0]);
                assert!(errors[0].message.contains("progenitor"), "{}", errors[0]);
            }
            other => panic!("expected a spec error, got {other:?}"),
        }
        assert!(!root.path().join("crates").exists());
    }

    #[test]
    fn output_is_deterministic() {
        let a = scratch(&[("demo.yaml", GOOD)]);
        let b = scratch(&[("demo.yaml", GOOD)]);
        run(a.path(), Mode::Write).unwrap();
        run(b.path(), Mode::Write).unwrap();
        for file in ["Cargo.toml", "README.md", "src/lib.rs", render::QUICK_START] {
            let left = std::fs::read(a.path().join("crates/demo-client").join(file)).unwrap();
            let right = std::fs::read(b.path().join("crates/demo-client").join(file)).unwrap();
            assert_eq!(left, right, "{file}");
        }
    }
}
