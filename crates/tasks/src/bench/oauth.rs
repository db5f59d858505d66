//! OAuth logins to a stored session: a device login at the real OpenID provider of the tests
//! and its renewal with the refresh token, against a password login to the same store. The
//! measuring runs in `tests/benches/oauth_login.rs` (it needs the facade, the sandbox and
//! Node.js's `oidc-provider`, which xtask must not link).

use std::path::Path;

use anyhow::Result;
use serde::Deserialize;

use super::Section;

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Line {
    Skipped { skipped: String },
    Path(PathResult),
}

#[derive(Debug, Deserialize)]
struct PathResult {
    path: String,
    iterations: u64,
    p50_ms: f64,
    max_ms: f64,
}

/// The section's heading in BENCHMARKS.md (`--only` keeps other sections by it).
pub const TITLE: &str = "OAuth logins to a stored session";

pub fn bench(root: &Path) -> Result<Section> {
    eprintln!(
        "  OAuth logins (builds the bench in release mode first; needs Node.js's oidc-provider)"
    );
    let lines: Vec<Line> = super::bench_binary(root, "oauth_login", &[])?;
    let mut s = Section::new(TITLE);
    let mut rows = Vec::new();
    for line in lines {
        match line {
            Line::Skipped { skipped } => {
                s.line(format!(
                    "Not run: {skipped} (`npm ci --prefix tools` installs the provider)."
                ));
                return Ok(s);
            }
            Line::Path(r) => rows.push(r),
        }
    }
    s.line(
        "From nothing to a session in the store (a file store in a temporary folder), one login \
         at a time, release build: a device login at npm's `oidc-provider` on 127.0.0.1 \
         (discovery, the device authorization request, the code approved through the provider's \
         pages over HTTP by the bench, polling, the ID token validated, userinfo), its renewal \
         with the refresh token (discovery, the refresh grant), and a password login to the \
         Rocket.Chat sandbox. A device login waits for the user and then for the provider's \
         polling interval (5 s for oidc-provider): that wait, not apilogin, is its time."
            .to_string(),
    );
    let find = |name: &str| rows.iter().find(|r| r.path.starts_with(name));
    let table = rows
        .iter()
        .map(|r| {
            vec![
                r.path.clone(),
                r.iterations.to_string(),
                format!("{:.1} ms", r.p50_ms),
                format!("{:.1} ms", r.max_ms),
            ]
        })
        .collect();
    s.table(&["path", "iterations", "p50", "max"], table);
    if let (Some(refresh), Some(password)) = (find("refresh"), find("password")) {
        s.line(format!(
            "Renewal with the refresh token / password login, p50: **{:.2}×**.",
            refresh.p50_ms / password.p50_ms
        ));
    }
    Ok(s)
}
