//! `cargo xtask lint`: the specs must pass the linters the API docs portals use, and the
//! project's own checks.
//!
//! 1. Redocly CLI, `recommended-strict` (`.redocly.yaml`; deliberate exceptions per location,
//!    with reasons, in `.redocly.lint-ignore.yaml`).
//! 2. Spectral, `spectral:oas` and the project's own rules that Spectral can express
//!    (`.spectral.yaml`, rules `apilogin-...`; exceptions as narrow `overrides`, with reasons).
//! 3. The project's rules that neither can express, in Rust ([`checks`]; exceptions in the spec,
//!    at the node: `x-not-secret: <reason>`).
//!
//! A rule that Redocly or Spectral already applies is left to them. Every rule, theirs and the
//! project's, has a test that breaks it on a fixture spec and runs the real linters
//! (`rule_tests`).
//!
//! Both linters are pinned in `tools/` and installed by xtask itself ([`tools`]). Every finding
//! is printed as `specs/x.yaml:LINE at /json/pointer: rule: message`; any finding, warnings and
//! hints included, fails the run.

pub mod checks;
#[cfg(test)]
mod rule_tests;
mod tools;

/// The model's walk, with the pointer and `$ref` helpers the checks use beside it.
pub mod walk {
    pub use apilogin_openapi::ptr;
    pub use apilogin_openapi::refs::resolve_at as resolve;
    pub use apilogin_openapi::walk::*;
}

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use apilogin_openapi as spec;

/// One problem in one spec, from any of the three sources.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub file: String,
    pub line: Option<usize>,
    pub pointer: String,
    pub rule: String,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        let at = if self.pointer.is_empty() {
            "(document)"
        } else {
            &self.pointer
        };
        write!(f, " at {at}: {}: {}", self.rule, self.message)
    }
}

pub fn main(root: &Path) -> ExitCode {
    let started = Instant::now();
    let files = match spec::spec_files(root) {
        Ok(files) if !files.is_empty() => files,
        Ok(_) => {
            eprintln!("error: no specs/*.yaml found");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("error: cannot list specs/: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut findings = project_checks(root, &files);
    let own = findings.len();
    let mut failures = Vec::new();
    let mut summary = vec![format!("project checks in Rust: {own} finding(s)")];
    match tools::ensure_installed(root) {
        Err(e) => failures.push(e),
        Ok(bin) => {
            let (redocly, spectral) = std::thread::scope(|s| {
                let redocly = s.spawn(|| tools::redocly(root, &bin, &files));
                let spectral = tools::spectral(root, &bin, &files);
                (redocly.join().expect("the redocly thread"), spectral)
            });
            match redocly {
                Ok(r) => {
                    summary.push(format!(
                        "redocly {} (recommended-strict): {} finding(s), {} ignored by \
                         .redocly.lint-ignore.yaml",
                        r.version,
                        r.findings.len(),
                        r.ignored
                    ));
                    findings.extend(r.findings);
                }
                Err(e) => failures.push(e),
            }
            match spectral {
                Ok(r) => {
                    summary.push(format!(
                        "spectral {} (spectral:oas and the project's rules in .spectral.yaml): {} \
                         finding(s)",
                        r.version,
                        r.findings.len()
                    ));
                    findings.extend(r.findings);
                }
                Err(e) => failures.push(e),
            }
        }
    }
    findings.sort();
    for f in &findings {
        println!("{f}");
    }
    for e in &failures {
        eprintln!("error: {e}");
    }
    let elapsed = started.elapsed();
    println!(
        "lint: {} spec(s); {} ({elapsed:.1?})",
        files.len(),
        summary.join("; ")
    );
    if findings.is_empty() && failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "error: lint failed with {} finding(s){}",
            findings.len(),
            if failures.is_empty() {
                String::new()
            } else {
                format!(" and {} linter failure(s)", failures.len())
            }
        );
        ExitCode::FAILURE
    }
}

/// Loads every spec with the spec model and runs [`checks::check`] on it.
fn project_checks(root: &Path, files: &[PathBuf]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for file in files {
        let shown = file.display().to_string();
        let spec = match spec::load(root, file) {
            Ok(spec) => spec,
            Err(e) => {
                findings.push(Finding {
                    file: shown,
                    line: e.line,
                    pointer: e.pointer,
                    rule: "apilogin/spec".into(),
                    message: e.message,
                });
                continue;
            }
        };
        for p in checks::check(&spec.doc) {
            findings.push(Finding {
                file: shown.clone(),
                line: spec.line(&p.pointer),
                pointer: p.pointer,
                rule: format!("apilogin/{}", p.rule),
                message: p.message,
            });
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed specs pass the project's checks (the external linters run in
    /// `cargo xtask lint`, which needs npm).
    #[test]
    fn the_committed_specs_pass_the_project_checks() {
        let root = &crate::workspace_root();
        let files = spec::spec_files(root).unwrap();
        assert!(files.len() >= 4, "{files:?}");
        let findings = project_checks(root, &files);
        let shown: Vec<String> = findings.iter().map(ToString::to_string).collect();
        assert!(findings.is_empty(), "{}", shown.join("\n"));
    }

    #[test]
    fn findings_name_file_line_pointer_and_rule() {
        let f = Finding {
            file: "specs/x.yaml".into(),
            line: Some(12),
            pointer: "/paths/~1a/get/responses".into(),
            rule: "apilogin/operation-error-response".into(),
            message: "no error response".into(),
        };
        assert_eq!(
            f.to_string(),
            "specs/x.yaml:12 at /paths/~1a/get/responses: apilogin/operation-error-response: \
             no error response"
        );
    }

    /// OpenAPI 3.1 (issue 22): the model reads it as written, so the project's checks run on
    /// it (regen's view lowers it; the lint never sees that view).
    #[test]
    fn the_project_checks_read_an_openapi_31_spec() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("specs")).unwrap();
        std::fs::copy(
            crate::workspace_root().join("tests/corpus/cases/openapi31lowered.yaml"),
            root.path().join("specs/pets31.yaml"),
        )
        .unwrap();
        let findings = project_checks(root.path(), &[PathBuf::from("specs/pets31.yaml")]);
        assert!(
            findings.iter().all(|f| f.rule != "apilogin/spec"),
            "{findings:?}"
        );
    }
}
