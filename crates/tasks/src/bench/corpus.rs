//! The real-world corpus (`tests/corpus/public/`): for every file, does regen's crate build, and
//! does openapi-generator's (`-g rust`)? Each generated crate is `cargo build`-ed (dev profile)
//! with one shared target folder, so dependencies build once per generator. Then the largest spec
//! both generators take, timed as a user meets it: regen (with its build check) plus the next
//! `cargo build`, against openapi-generator's `generate` plus `cargo build`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::regen::{OPENAPI_GENERATOR_VERSION, OpenApiGenerator, install_openapi_generator};
use super::stats::{ratio, secs};
use super::{Section, run_quiet};

/// The section's heading in BENCHMARKS.md (`--only` keeps other sections by it).
pub const TITLE: &str = "Corpus: real-world specs, regen against openapi-generator";

/// One corpus file, as found in `tests/corpus/public/`.
#[derive(Debug, Clone)]
pub struct CorpusFile {
    pub path: PathBuf,
    pub id: String,
    pub version: String,
    pub operations: usize,
}

/// What one generator made of one file.
#[derive(Debug, Clone, Default)]
struct Outcome {
    generated: bool,
    builds: bool,
    /// The first error: of the generator when it failed, else of `cargo build`.
    first_error: String,
}

/// The public corpus files (stems of lower-case letters and digits; `.yaml`, `.yml`, `.json`),
/// sorted by name, each with its OpenAPI version and operation count.
pub fn corpus_files(root: &Path) -> Result<Vec<CorpusFile>> {
    let dir = root.join("tests/corpus/public");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let (Some(stem), Some(ext)) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) else {
            continue;
        };
        let id_ok = !stem.is_empty()
            && stem
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !id_ok || !matches!(ext, "yaml" | "yml" | "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path)?;
        let doc: serde_json::Value = if ext == "json" {
            serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))?
        } else {
            yaml_serde::from_str(&text).with_context(|| format!("reading {}", path.display()))?
        };
        let (version, operations) = describe(&doc);
        let id = stem.to_string();
        files.push(CorpusFile {
            path,
            id,
            version,
            operations,
        });
    }
    files.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(files)
}

/// The document's `openapi` (or `swagger`) version and its number of operations.
fn describe(doc: &serde_json::Value) -> (String, usize) {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "patch", "head", "options", "trace",
    ];
    let version = doc
        .get("openapi")
        .or_else(|| doc.get("swagger"))
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
        .unwrap_or_else(|| "?".into());
    let operations = doc
        .get("paths")
        .and_then(|p| p.as_object())
        .map(|paths| {
            paths
                .values()
                .filter_map(|item| item.as_object())
                .map(|item| {
                    item.keys()
                        .filter(|k| METHODS.contains(&k.as_str()))
                        .count()
                })
                .sum()
        })
        .unwrap_or(0);
    (version, operations)
}

fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

fn fresh(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        let dest = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            copy_dir(&path, &dest)?;
        } else {
            std::fs::copy(&path, &dest)?;
        }
    }
    Ok(())
}

/// A workspace like the repository's as far as generated crates care: its `[workspace.*]`
/// tables (what the clients inherit), its `Cargo.lock`, and the two hand-written crates the
/// clients depend on. Generated crates go under `crates/`.
fn scratch_workspace(root: &Path, dir: &Path) -> Result<()> {
    fresh(dir)?;
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))?;
    let mut out = String::from("[workspace]\nresolver = \"3\"\nmembers = [\"crates/*\"]\n\n");
    let mut keep = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            keep = matches!(
                line.trim(),
                "[workspace.package]"
                    | "[workspace.dependencies]"
                    | "[workspace.lints.rust]"
                    | "[workspace.lints.clippy]"
            );
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    std::fs::write(dir.join("Cargo.toml"), out)?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    for krate in ["runtime", "redact", "secret-names"] {
        copy_dir(
            &root.join("crates").join(krate),
            &dir.join("crates").join(krate),
        )?;
    }
    Ok(())
}

/// The first line of `output` that says `error`, or its last line.
fn first_error(output: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // A line that is an error (regen's `error: …`, rustc's `…: error[E…]`), before one that only
    // mentions the word (a notice about an HTTP 500 "error" answer).
    let is_error = |l: &str| {
        let l = l.trim_start();
        l.starts_with("error") || l.contains(": error") || l.contains("Exception")
    };
    let line = text
        .lines()
        .find(|l| is_error(l))
        .or_else(|| text.lines().find(|l| l.contains("error")))
        .or_else(|| text.lines().rev().find(|l| !l.trim().is_empty()))
        .unwrap_or("(no output)");
    let line = line.trim();
    let mut cut: String = line.chars().take(110).collect();
    if cut.len() < line.len() {
        cut.push('…');
    }
    cut.replace('|', "\\|")
}

fn build(dir: &Path, target: &Path, package: Option<&str>) -> Result<Output> {
    let mut command = Command::new(cargo());
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .args(["build", "--quiet", "--message-format", "short"]);
    if let Some(p) = package {
        command.args(["--package", p]);
    }
    command.output().context("running cargo build")
}

/// Regen on one file alone (a scratch root without Cargo.toml: no build check), then `cargo
/// build` of the crate in the shared workspace.
fn ours(regen: &Path, file: &CorpusFile, work: &Path, ws: &Path, target: &Path) -> Result<Outcome> {
    let root = work.join("regen").join(&file.id);
    fresh(&root.join("specs"))?;
    std::fs::copy(
        &file.path,
        root.join("specs")
            .join(file.path.file_name().unwrap_or_default()),
    )?;
    let output = Command::new(regen)
        .arg("--root")
        .arg(&root)
        .output()
        .context("running regen")?;
    if !output.status.success() {
        return Ok(Outcome {
            first_error: first_error(&output),
            ..Outcome::default()
        });
    }
    let name = format!("{}-client", file.id);
    copy_dir(
        &root.join("crates").join(&name),
        &ws.join("crates").join(&name),
    )?;
    let output = build(ws, target, Some(&name))?;
    Ok(Outcome {
        generated: true,
        builds: output.status.success(),
        first_error: if output.status.success() {
            String::new()
        } else {
            first_error(&output)
        },
    })
}

/// The peer's package name for a file (its default, `openapi`, would be the same for all).
fn peer_package(id: &str) -> String {
    format!("{id}-ogen")
}

/// openapi-generator `generate -g rust` on one file, then `cargo build` of its crate (its own
/// workspace: an empty `[workspace]` is added, as a user's standalone crate has).
fn peer(
    generator: &OpenApiGenerator,
    file: &CorpusFile,
    out: &Path,
    target: &Path,
) -> Result<(Outcome, Duration, Duration)> {
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    let started = Instant::now();
    let output = generator.generate(&file.path, out, &peer_package(&file.id))?;
    let generate = started.elapsed();
    if !output.status.success() {
        return Ok((
            Outcome {
                first_error: first_error(&output),
                ..Outcome::default()
            },
            generate,
            Duration::ZERO,
        ));
    }
    let manifest = out.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).context("the peer wrote no Cargo.toml")?;
    if !text.contains("[workspace]") {
        text.push_str("\n[workspace]\n");
        std::fs::write(&manifest, text)?;
    }
    let started = Instant::now();
    let output = build(out, target, None)?;
    let built = started.elapsed();
    Ok((
        Outcome {
            generated: true,
            builds: output.status.success(),
            first_error: if output.status.success() {
                String::new()
            } else {
                first_error(&output)
            },
        },
        generate,
        built,
    ))
}

fn yes_no(o: &Outcome) -> String {
    match (o.generated, o.builds) {
        (true, true) => "**builds**".into(),
        (true, false) => "generates, does not build".into(),
        _ => "refused".into(),
    }
}

pub fn bench(root: &Path, work: &Path) -> Result<Section> {
    let files = corpus_files(root)?;
    if files.is_empty() {
        bail!("no corpus files in tests/corpus/public");
    }
    let generator = install_openapi_generator(work)?;
    let regen = super::regen::regen_program(root)?;
    let work = work.join("corpus");
    std::fs::create_dir_all(&work)?;
    // One target folder for every crate of both generators: dependencies build once.
    let target = work.join("target");
    let ws = work.join("ws");
    scratch_workspace(root, &ws)?;

    let mut rows = Vec::new();
    let mut results = Vec::new();
    for (i, file) in files.iter().enumerate() {
        eprintln!(
            "  corpus {}/{}: {} ({} operations)",
            i + 1,
            files.len(),
            file.id,
            file.operations
        );
        let ours = ours(&regen, file, &work, &ws, &target)?;
        let (theirs, _, _) = peer(&generator, file, &work.join("ogen").join(&file.id), &target)?;
        let mut notes = Vec::new();
        if !ours.builds {
            notes.push(format!("regen: {}", ours.first_error));
        }
        if !theirs.builds {
            notes.push(format!("openapi-generator: {}", theirs.first_error));
        }
        let note = notes.join(" · ");
        rows.push(vec![
            format!(
                "`{}`",
                file.path.file_name().unwrap_or_default().to_string_lossy()
            ),
            file.version.clone(),
            file.operations.to_string(),
            yes_no(&ours),
            yes_no(&theirs),
            note,
        ]);
        results.push((file.clone(), ours, theirs));
    }
    let ours_n = results.iter().filter(|(_, o, _)| o.builds).count();
    let theirs_n = results.iter().filter(|(_, _, t)| t.builds).count();

    let mut s = Section::new(TITLE);
    s.line(format!(
        "Every file of `tests/corpus/public/` (sources and licences in its `SOURCES.md`), each alone: `cargo xtask regen` \
         (its generator, dev profile) and openapi-generator {OPENAPI_GENERATOR_VERSION} `generate -g rust`, then `cargo build` \
         (dev profile) of the crate each wrote, all with one shared target folder (regen's crates in a workspace with the \
         repository's `Cargo.lock`; openapi-generator's each standalone, as it writes them). \"Refused\": the generator \
         exited with an error; the last column has the first error line of each generator or build that failed."
    ));
    s.table(
        &[
            "file",
            "OpenAPI",
            "operations",
            "regen",
            "openapi-generator",
            "first error",
        ],
        rows,
    );
    s.line(format!(
        "Crates that build: regen **{ours_n} of {n}**, openapi-generator **{theirs_n} of {n}** (target: regen at least 90 % \
         of the corpus and more than openapi-generator).",
        n = results.len()
    ));

    // Regen plus the user's next `cargo build`, against openapi-generator's generate plus build:
    // on the largest corpus spec both build, and on a synthetic ~300-operation spec (no large
    // public spec of the corpus builds with openapi-generator).
    let name = |f: &CorpusFile| {
        f.path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    };
    let both = results
        .iter()
        .filter(|(_, o, t)| o.builds && t.builds)
        .max_by_key(|(f, _, _)| f.operations)
        .map(|(f, _, _)| (*f).clone());
    let synthetic = synthetic_spec(root, &work)?;
    let mut rows = Vec::new();
    let mut ratios = Vec::new();
    for (label, file) in both
        .iter()
        .map(|f| (format!("`{}`, the largest both build", name(f)), f))
        .chain(std::iter::once((
            "a synthetic spec (`tests/corpus/tools/synthetic-spec.py 50`)".to_owned(),
            &synthetic,
        )))
    {
        let ((regen_t, ours_build), (gen_t, peer_build, peer_builds)) =
            timed(root, &regen, &generator, file, &work, &target)?;
        let (ours, peer) = (regen_t + ours_build, gen_t + peer_build);
        ratios.push((label.clone(), file.operations, ratio(ours, peer)));
        rows.push(vec![
            format!("{label} ({} operations)", file.operations),
            "apilogin regen (with its build check)".into(),
            secs(regen_t),
            secs(ours_build),
            secs(ours),
        ]);
        rows.push(vec![
            String::new(),
            format!(
                "openapi-generator {OPENAPI_GENERATOR_VERSION}{}",
                if peer_builds {
                    ""
                } else {
                    " (does not build: to its first error)"
                }
            ),
            secs(gen_t),
            secs(peer_build),
            secs(peer),
        ]);
    }
    s.line(
        "Regen plus the user's next `cargo build`, against openapi-generator's `generate` plus `cargo build` of \
         its crate, dependencies already built (one shared target folder): regen runs in a cargo workspace \
         that has a client already, so its build check builds the new crate where the user's `cargo build` \
         finds it (nothing compiles twice). One run each, on 2 cores: read the ratio, not the seconds."
            .into(),
    );
    s.table(
        &[
            "spec",
            "generator",
            "generate",
            "next `cargo build`",
            "total",
        ],
        rows,
    );
    let said: Vec<String> = ratios
        .iter()
        .map(|(label, ops, r)| format!("{label} ({ops} operations) **{r:.2}×**"))
        .collect();
    s.line(format!(
        "Ratio regen + build / openapi-generator + build: {} (target ≤ 1.1×).",
        said.join("; ")
    ));
    Ok(s)
}

/// The synthetic ~300-operation spec (`tests/corpus/tools/synthetic-spec.py 50`), written to
/// `work`, as a corpus file.
fn synthetic_spec(root: &Path, work: &Path) -> Result<CorpusFile> {
    let out = Command::new("python3")
        .arg(root.join("tests/corpus/tools/synthetic-spec.py"))
        .arg("50")
        .output()
        .context("running tests/corpus/tools/synthetic-spec.py (python3)")?;
    if !out.status.success() {
        bail!(
            "synthetic-spec.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::create_dir_all(work)?;
    let path = work.join("synthetic.yaml");
    std::fs::write(&path, &out.stdout)?;
    let doc: serde_json::Value = yaml_serde::from_slice(&out.stdout).context("synthetic spec")?;
    let (version, operations) = describe(&doc);
    Ok(CorpusFile {
        path,
        id: "synthetic".into(),
        version,
        operations,
    })
}

type Ours = (Duration, Duration);
/// generate, build, and whether the build passed.
type Theirs = (Duration, Duration, bool);

/// Regen (build check included) plus `cargo build`, and the peer's generate plus `cargo build`,
/// on one file; dependencies already built in `target`.
fn timed(
    root: &Path,
    regen: &Path,
    generator: &OpenApiGenerator,
    file: &CorpusFile,
    work: &Path,
    target: &Path,
) -> Result<(Ours, Theirs)> {
    let ws = work.join("timed");
    scratch_workspace(root, &ws)?;
    // Warm the workspace with a small spec of the corpus, kept in place: the timed run then adds
    // a spec to a workspace that has a client (and the facade-free dependencies) built already.
    std::fs::create_dir_all(ws.join("specs"))?;
    let warm = root.join("tests/corpus/public/petstoreexpanded.yaml");
    if warm.exists() && file.id != "petstoreexpanded" {
        std::fs::copy(&warm, ws.join("specs/petstoreexpanded.yaml"))?;
        eprintln!("  corpus: warming regen's build check");
        run_quiet(
            Command::new(regen)
                .arg("--root")
                .arg(&ws)
                .env("CARGO_TARGET_DIR", target),
        )
        .context("warming regen's build check")?;
    }
    let name = file.path.file_name().unwrap_or_default();
    std::fs::copy(&file.path, ws.join("specs").join(name))?;
    eprintln!("  corpus: timing regen + cargo build of {}", file.id);
    let started = Instant::now();
    run_quiet(
        Command::new(regen)
            .arg("--root")
            .arg(&ws)
            .env("CARGO_TARGET_DIR", target),
    )
    .context("the timed regen")?;
    let regen_t = started.elapsed();
    let started = Instant::now();
    run_quiet(
        Command::new(cargo())
            .current_dir(&ws)
            .env("CARGO_TARGET_DIR", target)
            .args([
                "build",
                "--quiet",
                "--package",
                &format!("{}-client", file.id),
            ]),
    )?;
    let ours_build = started.elapsed();

    eprintln!(
        "  corpus: timing openapi-generator + cargo build of {}",
        file.id
    );
    let out = work.join("timed-ogen").join(&file.id);
    let (outcome, gen_t, peer_build) = peer(generator, file, &out, target)?;
    if !outcome.generated {
        bail!(
            "openapi-generator did not generate {} the second time: {}",
            file.id,
            outcome.first_error
        );
    }
    Ok(((regen_t, ours_build), (gen_t, peer_build, outcome.builds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_counts_operations_and_reads_the_version() {
        let doc = serde_json::json!({
            "openapi": "3.1.0",
            "paths": {
                "/a": {"get": {}, "post": {}, "parameters": [], "summary": "x"},
                "/b": {"delete": {}},
            }
        });
        assert_eq!(describe(&doc), ("3.1.0".to_string(), 3));
        assert_eq!(
            describe(&serde_json::json!({"swagger": "2.0"})),
            ("2.0".to_string(), 0)
        );
    }

    #[test]
    fn the_corpus_is_found_with_versions_and_sizes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let files = corpus_files(&root).unwrap();
        assert!(files.len() >= 20, "{} files", files.len());
        assert!(files.iter().all(|f| f.operations > 0), "{files:?}");
        assert!(
            files
                .iter()
                .filter(|f| f.version.starts_with("3.1"))
                .count()
                >= 6,
            "{files:?}"
        );
        assert!(files.iter().any(|f| f.operations >= 250), "{files:?}");
    }

    #[test]
    fn first_error_prefers_an_error_line_and_escapes_pipes() {
        let output = Command::new("sh")
            .args(["-c", "echo fine; echo 'error: a | b' >&2; exit 1"])
            .output()
            .unwrap();
        assert_eq!(first_error(&output), "error: a \\| b");
        let output = Command::new("sh")
            .args([
                "-c",
                "echo 'notice: specs/x.json:3 at /r/500: an HTTP 500 error answer' >&2; \
                 echo 'error: specs/x.json:9 at /p: refused' >&2; exit 1",
            ])
            .output()
            .unwrap();
        assert_eq!(first_error(&output), "error: specs/x.json:9 at /p: refused");
    }
}
