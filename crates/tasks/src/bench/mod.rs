//! `cargo xtask bench`: regen speed, a fresh clone (first demo, first regen, the README's test command), compile footprint, login round trips, authenticated calls and logins under
//! concurrency, a session renewed while 4 processes use it, the real-world spec corpus (crates that build, and regen + build of its largest spec), OAuth logins to a stored session, each side by side with the peer a user would otherwise pick, in one run. Writes `BENCHMARKS.md`.

mod concurrency;
mod corpus;
mod footprint;
mod fresh;
mod oauth;
mod regen;
mod renewal;
mod roundtrip;
mod session;
mod soak;
mod stats;
mod test_command;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Knobs for a shorter or longer run.
pub struct Options {
    pub regen_rounds: usize,
    pub build_rounds: usize,
    pub requests: usize,
    /// Only these sections (by key); the others are kept from the last BENCHMARKS.md.
    pub only: Option<Vec<String>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            regen_rounds: 5,
            build_rounds: 1,
            requests: 2000,
            only: None,
        }
    }
}

/// The sections, by the key `--only` takes, in report order.
const SECTIONS: &[&str] = &[
    "regen",
    "fresh",
    "tests",
    "footprint",
    "roundtrip",
    "session",
    "concurrency",
    "renewal",
    "soak",
    "corpus",
    "oauth",
];

impl Options {
    /// `[--quick] [--only a,b]`.
    pub fn parse(args: &[&str]) -> std::result::Result<Options, String> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match *arg {
                "--quick" => {
                    options.regen_rounds = 3;
                    options.requests = 600;
                }
                "--only" => {
                    let list = args.next().ok_or("--only needs a list of sections")?;
                    let keys: Vec<String> = list.split(',').map(str::to_string).collect();
                    if let Some(bad) = keys.iter().find(|k| !SECTIONS.contains(&k.as_str())) {
                        return Err(format!(
                            "unknown bench section `{bad}`; the sections are {}",
                            SECTIONS.join(", ")
                        ));
                    }
                    options.only = Some(keys);
                }
                other => return Err(format!("unknown bench option `{other}`")),
            }
        }
        Ok(options)
    }

    fn runs(&self, key: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|keys| keys.iter().any(|k| k == key))
    }
}

fn title_of(key: &str) -> &'static str {
    match key {
        "regen" => regen::TITLE,
        "fresh" => fresh::TITLE,
        "tests" => test_command::TITLE,
        "footprint" => footprint::TITLE,
        "roundtrip" => roundtrip::TITLE,
        "session" => session::TITLE,
        "concurrency" => concurrency::TITLE,
        "renewal" => renewal::TITLE,
        "corpus" => corpus::TITLE,
        "oauth" => oauth::TITLE,
        _ => soak::TITLE,
    }
}

/// The sections of an earlier BENCHMARKS.md, by title.
fn earlier_sections(text: &str) -> Vec<(String, String)> {
    text.split("\n## ")
        .skip(1)
        .filter_map(|part| {
            let (title, body) = part.split_once('\n')?;
            Some((title.trim().to_string(), body.trim().to_string()))
        })
        .collect()
}

/// One part of the report.
pub struct Section {
    title: String,
    body: String,
}

impl Section {
    fn new(title: &str) -> Self {
        Section {
            title: title.to_string(),
            body: String::new(),
        }
    }

    fn line(&mut self, text: String) {
        let _ = writeln!(self.body, "{text}\n");
    }

    fn table(&mut self, header: &[&str], rows: Vec<Vec<String>>) {
        let _ = writeln!(self.body, "| {} |", header.join(" | "));
        let _ = writeln!(self.body, "|{}", " --- |".repeat(header.len()));
        for row in rows {
            let _ = writeln!(self.body, "| {} |", row.join(" | "));
        }
        self.body.push('\n');
    }
}

/// Runs `cargo bench -p apilogin-tests --bench <name> -- <args>` (a release build; these
/// binaries need the facade and the sandbox, which xtask must not link) and reads the JSON
/// lines it prints.
fn bench_binary<T: serde::de::DeserializeOwned>(
    root: &Path,
    name: &str,
    args: &[String],
) -> Result<Vec<T>> {
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(root)
        .args([
            "bench",
            "--quiet",
            "--package",
            "apilogin-tests",
            "--bench",
            name,
            "--",
        ])
        .args(args)
        .output()
        .context("running cargo bench")?;
    if !output.status.success() {
        bail!(
            "the {name} bench failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| {
            serde_json::from_str(l).with_context(|| format!("reading the {name} bench's JSON line"))
        })
        .collect()
}

/// Runs a command, its output kept for the error message only.
fn run_quiet(command: &mut Command) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| {
            String::from_utf8_lossy(if o.stdout.is_empty() {
                &o.stderr
            } else {
                &o.stdout
            })
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string()
        })
        .unwrap_or_else(|| "not found".into())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| format!("{:.0} GiB", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".into());
    format!("{cores} cores ({cpu}), {memory} memory")
}

pub fn run(root: &Path, options: &Options) -> Result<()> {
    let work = root.join("target/bench");
    std::fs::create_dir_all(&work)?;
    let started = std::time::Instant::now();
    eprintln!(
        "bench: results go to BENCHMARKS.md (work folder {})",
        work.display()
    );
    let earlier =
        earlier_sections(&std::fs::read_to_string(root.join("BENCHMARKS.md")).unwrap_or_default());
    // With `--only`, a section not run is kept, in place, as the last run wrote it.
    let mut report: Vec<(String, String)> = Vec::new();
    for &key in SECTIONS {
        if options.runs(key) {
            let s = match key {
                "regen" => regen::bench(root, &work, options.regen_rounds)?,
                "fresh" => fresh::bench(root, &work)?,
                "tests" => test_command::bench(root, &work)?,
                "footprint" => footprint::bench(root, &work, options.build_rounds)?,
                "roundtrip" => roundtrip::bench(root, options.requests)?,
                "session" => session::bench(root, options.requests)?,
                "concurrency" => concurrency::bench(root, options.requests)?,
                "renewal" => renewal::bench(root)?,
                "corpus" => corpus::bench(root, &work)?,
                "oauth" => oauth::bench(root)?,
                _ => soak::bench(root)?,
            };
            report.push((s.title, s.body));
        } else if let Some((title, body)) = earlier.iter().find(|(t, _)| t == title_of(key)) {
            const KEPT: &str = "_Kept from an earlier run (not rerun by `--only`)._";
            let body = body.strip_prefix(KEPT).unwrap_or(body).trim_start();
            report.push((title.clone(), format!("{KEPT}\n\n{body}")));
        }
    }

    let mut out = String::new();
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Written by `cargo xtask bench` — do not edit by hand; run it again. Numbers from one run on one machine: \
         compare the rows of a table with each other (they ran side by side), not with another machine.\n"
    );
    let _ = writeln!(
        out,
        "- Date: {}",
        command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"])
    );
    let _ = writeln!(out, "- Machine: {}", machine());
    let _ = writeln!(
        out,
        "- Toolchain: {}; {}",
        command_line("rustc", &["--version"]),
        command_line("cargo", &["--version"])
    );
    let _ = writeln!(
        out,
        "- Peer: openapi-generator-cli {} on {}",
        regen::OPENAPI_GENERATOR_VERSION,
        command_line("java", &["-version"])
    );
    let _ = writeln!(
        out,
        "- Generator: progenitor-impl 0.15.1; clients use progenitor-client 0.15.1 and reqwest 0.13 (rustls)"
    );
    let _ = writeln!(
        out,
        "- Command: `cargo xtask bench{}` (regen rounds {}, cold-build rounds {}, {} requests per path); took {:.0} s\n",
        options
            .only
            .as_ref()
            .map(|keys| format!(" --only {}", keys.join(",")))
            .unwrap_or_default(),
        options.regen_rounds,
        options.build_rounds,
        options.requests,
        started.elapsed().as_secs_f64()
    );
    for (title, body) in report {
        let _ = writeln!(out, "## {title}\n\n{}", body.trim_end());
        out.push('\n');
    }
    std::fs::write(root.join("BENCHMARKS.md"), &out)?;
    print!("{out}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_takes_known_sections() {
        let options = Options::parse(&["--quick", "--only", "fresh,regen"]).unwrap();
        assert!(options.runs("fresh") && options.runs("regen") && !options.runs("soak"));
        assert_eq!(options.requests, 600);
        let e = Options::parse(&["--only", "fresh,nope"]).err().unwrap();
        assert!(e.contains("`nope`") && e.contains("soak"), "{e}");
        assert!(Options::parse(&[]).unwrap().runs("soak"));
    }

    #[test]
    fn earlier_sections_are_found_by_title() {
        let text = "# Benchmarks\n\n- Date: x\n\n## A\n\nbody a\n\n## B\n\n| t |\n";
        assert_eq!(
            earlier_sections(text),
            [
                ("A".to_string(), "body a".to_string()),
                ("B".to_string(), "| t |".to_string())
            ]
        );
    }
}
