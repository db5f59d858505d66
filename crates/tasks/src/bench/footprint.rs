//! What depending on a generated crate costs a user's build: a tiny consumer of
//! `remoteit-client` against the same consumer written with plain reqwest + serde (the floor),
//! both with reqwest's rustls TLS, each built cold in an empty target folder.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::stats::{median, ratio, secs};
use super::{Section, run_quiet};

const GENERATED_MAIN: &str = r#"
use remoteit_client::{Client, types::LoginRequest};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("developerkey", std::env::var("KEY")?.parse()?);
    let http = reqwest::Client::builder().default_headers(headers).build()?;
    let client = Client::new_with_client(&std::env::var("URL")?, http);
    let login = client
        .login()
        .body(LoginRequest { username: std::env::var("USER")?, password: std::env::var("PASS")?.into() })
        .send()
        .await?;
    println!("{}", login.email);
    Ok(())
}
"#;

const PLAIN_MAIN: &str = r#"
#[derive(serde::Serialize)]
struct LoginRequest { username: String, password: String }

#[derive(serde::Deserialize)]
struct LoginResponse { email: String, token: String }

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = reqwest::Client::new();
    let login: LoginResponse = client
        .post(format!("{}/user/login", std::env::var("URL")?))
        .header("developerkey", std::env::var("KEY")?)
        .json(&LoginRequest { username: std::env::var("USER")?, password: std::env::var("PASS")? })
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    println!("{} {}", login.email, login.token.len());
    Ok(())
}
"#;

/// Both consumers use exactly these: the same reqwest features and the same tokio, so the only
/// difference is the generated crate and what it brings.
const COMMON_DEPS: &str = r#"reqwest = { version = "0.13.5", default-features = false, features = ["json", "rustls"] }
tokio = { version = "1", features = ["rt", "macros"] }
"#;

/// The section's heading in BENCHMARKS.md (`--only` keeps other sections by it).
pub const TITLE: &str = "Compile footprint of a generated crate";

pub fn bench(root: &Path, work: &Path, rounds: usize) -> Result<Section> {
    let generated = work.join("consumer-generated");
    let plain = work.join("consumer-plain");
    let client_path = root.join("crates/remoteit-client");
    write_consumer(
        root,
        &generated,
        &format!(
            "remoteit-client = {{ path = {:?} }}\n{COMMON_DEPS}",
            client_path.display().to_string()
        ),
        GENERATED_MAIN,
    )?;
    write_consumer(
        root,
        &plain,
        &format!("serde = {{ version = \"1\", features = [\"derive\"] }}\n{COMMON_DEPS}"),
        PLAIN_MAIN,
    )?;

    let mut plain_times = Vec::new();
    let mut generated_times = Vec::new();
    for round in 0..rounds {
        eprintln!("  cold consumer builds, round {}/{rounds}", round + 1);
        plain_times.push(cold_build(&plain)?);
        generated_times.push(cold_build(&generated)?);
    }
    let (p, g) = (median(&plain_times), median(&generated_times));
    let (p_crates, g_crates) = (crate_count(&plain)?, crate_count(&generated)?);

    let mut s = Section::new(TITLE);
    s.line(format!(
        "A one-file consumer that logs in to remote.it, built with `cargo build` (dev profile) into an empty target \
         folder each time, crates already downloaded, same Cargo.lock versions, reqwest with `rustls` in both; \
         alternately, {rounds} round(s); medians."
    ));
    s.table(
        &["consumer", "cold build", "crates compiled"],
        vec![
            vec![
                "plain reqwest + serde (the floor)".into(),
                secs(p),
                p_crates.to_string(),
            ],
            vec![
                "remoteit-client (generated)".into(),
                secs(g),
                g_crates.to_string(),
            ],
        ],
    );
    s.line(format!(
        "Ratio generated / floor: **{:.2}×** (target: within 1.15×).",
        ratio(g, p)
    ));
    Ok(s)
}

fn write_consumer(root: &Path, dir: &Path, deps: &str, main: &str) -> Result<()> {
    std::fs::create_dir_all(dir.join("src"))?;
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("consumer");
    // An empty [workspace] keeps the consumer out of ours, as a user's crate would be.
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[workspace]\n\n[dependencies]\n{deps}"
        ),
    )?;
    std::fs::write(dir.join("src/main.rs"), main.trim_start())?;
    // Same versions as the workspace: cargo keeps what it needs from our lock file.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).context("copying Cargo.lock")?;
    Ok(())
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn cold_build(dir: &Path) -> Result<Duration> {
    let target = dir.join("target");
    if target.exists() {
        std::fs::remove_dir_all(&target)?;
    }
    let started = Instant::now();
    run_quiet(
        cargo()
            .current_dir(dir)
            .args(["build", "--quiet"])
            .env_remove("CARGO_TARGET_DIR"),
    )?;
    Ok(started.elapsed())
}

/// Packages compiled for the consumer (build dependencies included), itself excluded.
fn crate_count(dir: &Path) -> Result<usize> {
    let out = cargo()
        .current_dir(dir)
        .args([
            "tree",
            "--quiet",
            "--prefix",
            "none",
            "--edges",
            "normal,build",
            "--format",
            "{p}",
        ])
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut packages: Vec<&str> = text
        .lines()
        .map(|l| l.trim_end_matches(" (*)"))
        .filter(|l| !l.is_empty())
        .collect();
    packages.sort();
    packages.dedup();
    Ok(packages.len().saturating_sub(1))
}
