//! Regen speed: our `regen` against openapi-generator's Rust generator, on the same specs (every one in specs/),
//! each run as a whole process, alternately.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::stats::{median, ms, ratio};
use super::{Section, run_quiet};

/// The peer, pinned: the PyPI package bundles the generator's jar.
pub const OPENAPI_GENERATOR_VERSION: &str = "7.26.0";

/// The section's heading in BENCHMARKS.md (`--only` keeps other sections by it).
pub const TITLE: &str = "Regen: every spec to its client crate";

pub fn bench(root: &Path, work: &Path, rounds: usize) -> Result<Section> {
    let specs = apilogin_openapi::spec_files(root)?;
    let peer = install_openapi_generator(work)?;
    let ours_root = work.join("regen-root");
    let regen = regen_program(root)?;

    let mut full = Vec::new();
    let mut noop = Vec::new();
    let mut peer_batch = Vec::new();
    let mut peer_each = Vec::new();
    for round in 0..rounds {
        eprintln!("  regen round {}/{rounds}", round + 1);
        // Full: an empty output tree and no stamp, so everything is generated and written.
        reset_scratch(root, &ours_root, &specs)?;
        full.push(time(Command::new(&regen).arg("--root").arg(&ours_root))?);
        let before = snapshot(&ours_root.join("crates"))?;
        noop.push(time(Command::new(&regen).arg("--root").arg(&ours_root))?);
        if snapshot(&ours_root.join("crates"))? != before {
            bail!("the no-op regen wrote a file");
        }
        peer_batch.push(peer.batch(root, &specs, &work.join("peer-batch"))?);
        peer_each.push(peer.each(root, &specs, &work.join("peer-each"))?);
    }

    let (full_m, noop_m) = (median(&full), median(&noop));
    let (batch_m, each_m) = (median(&peer_batch), median(&peer_each));
    let mut s = Section::new(TITLE);
    s.line(format!(
        "Each run is a whole process, as a maintainer runs it: `cargo xtask regen` with the generator already built \
         (dev profile, as `cargo xtask regen` builds it: opt-level 0 but for proc-macro2, unicode-ident and prettyplease at 1), against openapi-generator {OPENAPI_GENERATOR_VERSION} \
         (`openapi-generator-cli` from PyPI, `-g rust`), alternately, {rounds} rounds; medians."
    ));
    s.table(
        &["run", "median", "runs"],
        vec![
            vec![
                "apilogin regen, full (empty output tree)".into(),
                ms(full_m),
                fmt_all(&full),
            ],
            vec![
                "apilogin regen, no-op (nothing changed)".into(),
                ms(noop_m),
                fmt_all(&noop),
            ],
            vec![
                "openapi-generator, one `batch` JVM for every spec".into(),
                ms(batch_m),
                fmt_all(&peer_batch),
            ],
            vec![
                "openapi-generator, one `generate` per spec".into(),
                ms(each_m),
                fmt_all(&peer_each),
            ],
        ],
    );
    s.line(format!(
        "Ratios: openapi-generator `batch` / apilogin full = **{:.1}×**; one `generate` per spec / apilogin full = \
         **{:.1}×**. Target: at least 40×. No-op regen: **{}** (target under 50 ms), and it wrote no file (checked: \
         every generated file's bytes and mtime are unchanged).",
        ratio(batch_m, full_m),
        ratio(each_m, full_m),
        ms(noop_m)
    ));
    Ok(s)
}

/// Builds the generator as `cargo xtask regen` does (dev profile) and returns the program.
pub(super) fn regen_program(root: &Path) -> Result<PathBuf> {
    run_quiet(
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .current_dir(root)
            .args(["build", "--quiet", "--package", "apilogin-codegen"]),
    )
    .context("building the generator")?;
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    Ok(target
        .join("debug")
        .join(format!("apilogin-regen{}", std::env::consts::EXE_SUFFIX)))
}

fn fmt_all(samples: &[Duration]) -> String {
    samples
        .iter()
        .map(|d| format!("{:.0}", d.as_secs_f64() * 1000.0))
        .collect::<Vec<_>>()
        .join(", ")
        + " ms"
}

pub fn time(command: &mut Command) -> Result<Duration> {
    let started = Instant::now();
    run_quiet(command)?;
    Ok(started.elapsed())
}

fn reset_scratch(root: &Path, scratch: &Path, specs: &[PathBuf]) -> Result<()> {
    if scratch.exists() {
        std::fs::remove_dir_all(scratch)?;
    }
    std::fs::create_dir_all(scratch.join("specs"))?;
    for spec in specs {
        std::fs::copy(root.join(spec), scratch.join(spec))?;
    }
    Ok(())
}

type Snapshot = Vec<(PathBuf, Vec<u8>, std::time::SystemTime)>;

fn snapshot(dir: &Path) -> Result<Snapshot> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let modified = std::fs::metadata(&path)?.modified()?;
                out.push((path.clone(), std::fs::read(&path)?, modified));
            }
        }
    }
    out.sort();
    Ok(out)
}

pub(super) struct OpenApiGenerator {
    cli: PathBuf,
}

/// Installs the pinned peer into a virtualenv under the bench folder (once).
pub(super) fn install_openapi_generator(work: &Path) -> Result<OpenApiGenerator> {
    let venv = work.join("openapi-generator");
    let cli = venv.join("bin/openapi-generator-cli");
    let stamp = venv.join("installed-version");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(OPENAPI_GENERATOR_VERSION) {
        which("java").context(
            "openapi-generator needs Java 17: `apt-get install openjdk-17-jre-headless`",
        )?;
        eprintln!(
            "  installing openapi-generator-cli=={OPENAPI_GENERATOR_VERSION} into {}",
            venv.display()
        );
        run_quiet(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run_quiet(
            Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check"])
                .arg(format!(
                    "openapi-generator-cli=={OPENAPI_GENERATOR_VERSION}"
                )),
        )?;
        std::fs::write(&stamp, OPENAPI_GENERATOR_VERSION)?;
    }
    Ok(OpenApiGenerator { cli })
}

fn which(tool: &str) -> Result<()> {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false);
    if found {
        Ok(())
    } else {
        bail!("`{tool}` is not on PATH")
    }
}

impl OpenApiGenerator {
    /// `generate -g rust` of one spec into `out`, the crate named `package`; its output kept.
    pub(super) fn generate(
        &self,
        spec: &Path,
        out: &Path,
        package: &str,
    ) -> Result<std::process::Output> {
        Command::new(&self.cli)
            .args(["generate", "-g", "rust", "-i"])
            .arg(spec)
            .arg("-o")
            .arg(out)
            .arg(format!("--additional-properties=packageName={package}"))
            .output()
            .context("running openapi-generator")
    }

    /// Every spec in one JVM: the peer's fastest way.
    fn batch(&self, root: &Path, specs: &[PathBuf], out: &Path) -> Result<Duration> {
        if out.exists() {
            std::fs::remove_dir_all(out)?;
        }
        std::fs::create_dir_all(out)?;
        let mut configs = Vec::new();
        for spec in specs {
            let id = spec.file_stem().and_then(|s| s.to_str()).unwrap_or("spec");
            let config = out.join(format!("{id}.config.yaml"));
            std::fs::write(
                &config,
                format!(
                    "inputSpec: {}\ngeneratorName: rust\noutputDir: {}\n",
                    root.join(spec).display(),
                    out.join(id).display()
                ),
            )?;
            configs.push(config);
        }
        time(
            Command::new(&self.cli)
                .args(["batch", "--fail-fast"])
                .args(&configs),
        )
    }

    /// One `generate` per spec, as a script over the specs would do.
    fn each(&self, root: &Path, specs: &[PathBuf], out: &Path) -> Result<Duration> {
        if out.exists() {
            std::fs::remove_dir_all(out)?;
        }
        let started = Instant::now();
        for spec in specs {
            let id = spec.file_stem().and_then(|s| s.to_str()).unwrap_or("spec");
            run_quiet(
                Command::new(&self.cli)
                    .args(["generate", "-g", "rust", "-i"])
                    .arg(root.join(spec))
                    .arg("-o")
                    .arg(out.join(id)),
            )?;
        }
        Ok(started.elapsed())
    }
}
