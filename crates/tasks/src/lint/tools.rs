//! The ecosystem's OpenAPI linters, pinned in `tools/package.json` + `tools/package-lock.json`
//! and installed by xtask itself into the git-ignored `tools/node_modules/` (`npm ci`), so that
//! nothing but Node.js and npm is assumed on the machine. Their JSON output is turned into
//! findings in the project's own format.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use super::Finding;

/// Records which `package-lock.json` the installed `node_modules/` came from.
const STAMP: &str = "node_modules/.apilogin-package-lock.json";

/// Environment for npm and the linters: no telemetry, no update checks, no ads.
fn quiet(cmd: &mut Command) -> &mut Command {
    cmd.env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
        .env("NO_UPDATE_NOTIFIER", "1")
        .env("DO_NOT_TRACK", "1")
        .env("SCARF_ANALYTICS", "false")
        .env("NPM_CONFIG_UPDATE_NOTIFIER", "false")
        .env("NPM_CONFIG_FUND", "false")
        .env("NPM_CONFIG_AUDIT", "false")
        .env("NO_COLOR", "1")
}

/// Installs the pinned linters unless `tools/node_modules/` already matches the lock file.
/// Returns the folder of their executables.
pub fn ensure_installed(root: &Path) -> Result<PathBuf, String> {
    let tools = root.join("tools");
    let bin = tools.join("node_modules/.bin");
    let lock = std::fs::read(tools.join("package-lock.json"))
        .map_err(|e| format!("cannot read tools/package-lock.json: {e}"))?;
    let fresh = std::fs::read(tools.join(STAMP)).is_ok_and(|stamp| stamp == lock)
        && ["redocly", "spectral"].iter().all(|b| bin.join(b).exists());
    if fresh {
        return Ok(bin);
    }
    eprintln!("lint: installing the pinned linters into tools/node_modules (npm ci) ...");
    let output = quiet(Command::new("npm").current_dir(&tools).args([
        "ci",
        "--no-audit",
        "--no-fund",
        // No install scripts: the linters need none, and one dependency's would phone home.
        "--ignore-scripts",
        "--loglevel=error",
    ]))
    .output()
    .map_err(|e| {
        format!(
            "cannot run npm ({e}): `cargo xtask lint` needs Node.js >= 20.19 with npm to install \
             its pinned linters (Debian: `apt-get install nodejs npm`, or see nodejs.org)"
        )
    })?;
    if !output.status.success() {
        return Err(format!(
            "`npm ci` in tools/ failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    std::fs::write(tools.join(STAMP), &lock)
        .map_err(|e| format!("cannot write tools/{STAMP}: {e}"))?;
    Ok(bin)
}

fn run(root: &Path, program: &Path, args: &[&str], specs: &[PathBuf]) -> Result<Output, String> {
    quiet(
        Command::new(program)
            .current_dir(root)
            .args(args)
            .args(specs),
    )
    .output()
    .map_err(|e| format!("cannot run {}: {e}", program.display()))
}

fn failed(tool: &str, output: &Output, why: impl std::fmt::Display) -> String {
    format!(
        "{tool} did not produce a report ({why}; {}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// What one linter reported.
pub struct Report {
    pub version: String,
    pub findings: Vec<Finding>,
    /// Problems ignored per location by the committed ignore file.
    pub ignored: u64,
}

/// `redocly lint` with `.redocly.yaml` (recommended-strict) and `.redocly.lint-ignore.yaml`.
pub fn redocly(root: &Path, bin: &Path, specs: &[PathBuf]) -> Result<Report, String> {
    let output = run(
        root,
        &bin.join("redocly"),
        &[
            "lint",
            "--config",
            ".redocly.yaml",
            "--format=json",
            "--max-problems=10000",
        ],
        specs,
    )?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    // One JSON report per file, back to back.
    let reports: Vec<Value> = serde_json::Deserializer::from_str(&stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .map_err(|e| failed("redocly", &output, e))?;
    if reports.len() != specs.len() {
        return Err(failed(
            "redocly",
            &output,
            format!("{} report(s) for {} spec(s)", reports.len(), specs.len()),
        ));
    }
    parse_redocly(&reports)
}

pub fn parse_redocly(reports: &[Value]) -> Result<Report, String> {
    let mut report = Report {
        version: String::new(),
        findings: Vec::new(),
        ignored: 0,
    };
    for r in reports {
        let problems = r
            .get("problems")
            .and_then(Value::as_array)
            .ok_or("a redocly report without `problems`")?;
        report.version = r["version"].as_str().unwrap_or("?").to_string();
        report.ignored += r["totals"]["ignored"].as_u64().unwrap_or(0);
        for p in problems {
            let location = &p["location"][0];
            report.findings.push(Finding {
                file: location["source"]["ref"]
                    .as_str()
                    .unwrap_or("?")
                    .to_string(),
                line: location["start"]["line"]
                    .as_u64()
                    .and_then(|l| usize::try_from(l).ok()),
                pointer: location["pointer"]
                    .as_str()
                    .unwrap_or_default()
                    .trim_start_matches('#')
                    .to_string(),
                rule: format!(
                    "redocly/{} ({})",
                    p["ruleId"].as_str().unwrap_or("?"),
                    p["severity"].as_str().unwrap_or("?")
                ),
                message: p["message"].as_str().unwrap_or_default().to_string(),
            });
        }
    }
    Ok(report)
}

/// `spectral lint` with `.spectral.yaml` (`spectral:oas`). Every result counts, hints included.
pub fn spectral(root: &Path, bin: &Path, specs: &[PathBuf]) -> Result<Report, String> {
    let output = run(
        root,
        &bin.join("spectral"),
        &[
            "lint",
            "--ruleset",
            ".spectral.yaml",
            "--format",
            "json",
            "--quiet",
        ],
        specs,
    )?;
    let results: Value =
        serde_json::from_slice(&output.stdout).map_err(|e| failed("spectral", &output, e))?;
    let version = std::fs::read_to_string(
        root.join("tools/node_modules/@stoplight/spectral-cli/package.json"),
    )
    .ok()
    .and_then(|t| serde_json::from_str::<Value>(&t).ok())
    .and_then(|p| p["version"].as_str().map(str::to_string))
    .unwrap_or_else(|| "?".into());
    let mut report = parse_spectral(root, &results)?;
    report.version = version;
    Ok(report)
}

pub fn parse_spectral(root: &Path, results: &Value) -> Result<Report, String> {
    let results = results
        .as_array()
        .ok_or("the spectral report is not a list")?;
    let mut findings = Vec::new();
    for r in results {
        let source = r["source"].as_str().unwrap_or("?");
        let file = Path::new(source)
            .strip_prefix(root)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| source.to_string());
        let pointer: String = r["path"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| match t {
                Value::String(s) => format!("/{}", s.replace('~', "~0").replace('/', "~1")),
                other => format!("/{other}"),
            })
            .collect();
        let severity = match r["severity"].as_u64() {
            Some(0) => "error",
            Some(1) => "warning",
            Some(2) => "info",
            _ => "hint",
        };
        findings.push(Finding {
            file,
            line: r["range"]["start"]["line"]
                .as_u64()
                .and_then(|l| usize::try_from(l + 1).ok()),
            pointer,
            rule: format!(
                "spectral/{} ({severity})",
                r["code"].as_str().unwrap_or("?")
            ),
            message: r["message"].as_str().unwrap_or_default().to_string(),
        });
    }
    Ok(Report {
        version: String::new(),
        findings,
        ignored: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redocly_problems_become_findings_with_line_and_pointer() {
        let report = json!({
            "totals": {"errors": 1, "warnings": 0, "ignored": 2},
            "version": "2.77.0",
            "problems": [{
                "ruleId": "no-path-trailing-slash",
                "severity": "error",
                "message": "`/a/` should not have a trailing slash.",
                "location": [{
                    "source": {"ref": "specs/x.yaml"},
                    "pointer": "#/paths/~1a~1",
                    "start": {"line": 39, "col": 3}
                }]
            }]
        });
        let r = parse_redocly(&[report]).unwrap();
        assert_eq!(r.ignored, 2);
        assert_eq!(r.version, "2.77.0");
        assert_eq!(
            r.findings[0].to_string(),
            "specs/x.yaml:39 at /paths/~1a~1: redocly/no-path-trailing-slash (error): \
             `/a/` should not have a trailing slash."
        );
    }

    #[test]
    fn spectral_results_become_findings_with_one_based_lines() {
        let results = json!([{
            "code": "path-keys-no-trailing-slash",
            "path": ["paths", "/a/"],
            "message": "Path must not end with slash.",
            "severity": 1,
            "range": {"start": {"line": 38, "character": 33}},
            "source": "/repo/specs/x.yaml"
        }]);
        let r = parse_spectral(Path::new("/repo"), &results).unwrap();
        assert_eq!(
            r.findings[0].to_string(),
            "specs/x.yaml:39 at /paths/~1a~1: spectral/path-keys-no-trailing-slash (warning): \
             Path must not end with slash."
        );
    }
}
