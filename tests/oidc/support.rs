//! What the users of the real OpenID provider share (`tests/tests/oidc.rs`, the command's
//! `crates/facade/tests/cli_oauth.rs`, the demo's row, each including this file with `#[path]`):
//! the provider started (`tests/oidc/provider.mjs`; once per test binary), and the user's
//! browser played over HTTP.

#![allow(dead_code)] // each test binary uses a part

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use reqwest::{StatusCode, Url};

/// The test user of `tests/oidc/provider.mjs`, and the password its login page takes (any).
pub const USER: &str = "alice";
pub const PASSWORD: &str = "wonderland-password";

/// The folder with `specs/` and `tools/`, above the test's package.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("specs").is_dir() && dir.join("tools").is_dir())
        .expect("the workspace holds the test's package")
        .to_owned()
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A running provider: its issuer URL, and the process (it exits when its stdin closes, that
/// is when the program that started it exits, or when this is dropped).
pub struct Running {
    pub issuer: String,
    child: Child,
}

impl Drop for Running {
    fn drop(&mut self) {
        // Closing stdin ends it; waiting reaps it.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// What to run to have the provider.
pub const INSTALL: &str = "npm ci --prefix tools (as .ci/run does), with Node.js >= 20.19";

/// Starts the provider (`tests/oidc/provider.mjs`), or says why it cannot: Node.js or the
/// package is missing.
pub fn start_provider() -> Result<Running, String> {
    start_provider_with(&[])
}

/// [`start_provider`] with `env` for `provider.mjs` (`OIDC_USERINFO_PATH`).
pub fn start_provider_with(env: &[(&str, &str)]) -> Result<Running, String> {
    let root = workspace_root();
    let package = root.join("tools/node_modules/oidc-provider/package.json");
    if !package.exists() {
        return Err(format!("{} is missing", package.display()));
    }
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => return Err(format!("node --version failed ({})", out.status)),
        Err(e) => return Err(format!("cannot run node ({e})")),
    }
    let mut child = Command::new("node")
        .arg(root.join("tests/oidc/provider.mjs"))
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        // Its warnings and errors, for a failing test to look at.
        .stderr(
            std::fs::File::create(std::env::temp_dir().join("apilogin-oidc-provider.log"))
                .map(Stdio::from)
                .unwrap_or_else(|_| Stdio::null()),
        )
        .spawn()
        .map_err(|e| format!("node does not start ({e})"))?;
    let mut line = String::new();
    let read = child
        .stdout
        .take()
        .map(|out| BufReader::new(out).read_line(&mut line));
    let issuer = line.trim().to_owned();
    let running = Running { issuer, child };
    if !matches!(read, Some(Ok(n)) if n > 0) || !running.issuer.starts_with("http://127.0.0.1:") {
        return Err(format!(
            "the provider did not print its issuer (it said {:?}; see {})",
            running.issuer,
            std::env::temp_dir()
                .join("apilogin-oidc-provider.log")
                .display()
        ));
    }
    Ok(running)
}

/// The provider shared by the tests of this binary, or `None` (skip) where Node.js or the
/// package is missing outside CI.
pub fn provider_issuer() -> Option<String> {
    static RUNNING: OnceLock<Option<Running>> = OnceLock::new();
    RUNNING
        .get_or_init(|| match start_provider() {
            Ok(running) => Some(running),
            Err(problem) => {
                assert!(
                    !in_ci(),
                    "{problem}. Under CI the OIDC tests must run: {INSTALL}"
                );
                let _ = writeln!(
                    std::io::stderr(),
                    "NOTICE: OIDC provider tests skipped: {problem}. To run them: {INSTALL}"
                );
                None
            }
        })
        .as_ref()
        .map(|r| r.issuer.clone())
}

/// The user's browser: no redirect followed by itself, cookies kept by hand.
pub struct Browser {
    http: reqwest::Client,
    cookies: HashMap<String, String>,
}

impl Browser {
    pub fn new() -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .build()
                .expect("client"),
            cookies: HashMap::new(),
        }
    }

    pub async fn send(
        &mut self,
        request: reqwest::RequestBuilder,
    ) -> (Url, StatusCode, String, Option<Url>) {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let response = request
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .expect("the page answers");
        for value in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let pair = value
                .to_str()
                .unwrap_or_default()
                .split(';')
                .next()
                .unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies
                    .insert(k.trim().to_owned(), v.trim().to_owned());
            }
        }
        let url = response.url().clone();
        let status = response.status();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| url.join(l).ok());
        let body = response.text().await.unwrap_or_default();
        (url, status, body, location)
    }

    /// Follows redirects and posts every form (login as `alice`, consent, device code) from
    /// `url` until a page without a form, or an answer from `stop_at`'s origin. `before_form`
    /// may replace a form submission with a visit of its own (to abort). Returns the last URL.
    pub async fn run(
        &mut self,
        url: Url,
        user_code: Option<&str>,
        stop_at: Option<&str>,
        abort: bool,
    ) -> (Url, String) {
        let mut next = self.http.get(url);
        for _ in 0..20 {
            let (url, status, body, location) = self.send(next).await;
            if stop_at.is_some_and(|o| url.origin().ascii_serialization() == o) {
                return (url, body);
            }
            if status.is_redirection() {
                next = self.http.get(location.expect("a redirect has a Location"));
                continue;
            }
            assert!(status.is_success(), "{url} answered {status}: {body}");
            let Some((action, mut fields)) = form(&body) else {
                return (url, body);
            };
            if abort && url.path().starts_with("/interaction/") {
                next = self
                    .http
                    .get(url.join(&format!("{}/abort", url.path())).unwrap());
                continue;
            }
            if fields.contains_key("login") || body.contains("name=\"login\"") {
                fields.insert("login".into(), USER.into());
                fields.insert("password".into(), PASSWORD.into());
            }
            if abort && fields.remove("confirm").is_some() {
                // The device flow's "[ Abort ]" button on the confirmation page.
                fields.insert("abort".into(), "yes".into());
                let (url, _, body, _) = self
                    .send(
                        self.http
                            .post(url.join(&action).expect("form action"))
                            .form(&fields),
                    )
                    .await;
                return (url, body);
            }
            if fields.get("user_code").is_some_and(String::is_empty) {
                fields.insert("user_code".into(), user_code.expect("a user code").into());
            }
            next = self
                .http
                .post(url.join(&action).expect("form action"))
                .form(&fields);
        }
        panic!("the browser went round in circles");
    }
}

/// The first form of a page: its action and its inputs' names and values.
fn form(html: &str) -> Option<(String, HashMap<String, String>)> {
    let start = html.find("<form")?;
    let html = &html[start..];
    let end = html.find("</form>").unwrap_or(html.len());
    let tag_end = html.find('>')?;
    let action = attribute(&html[..tag_end], "action").unwrap_or_default();
    let mut fields = HashMap::new();
    let mut rest = &html[..end];
    while let Some(i) = rest.find("<input") {
        rest = &rest[i..];
        let close = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..close];
        if let Some(name) = attribute(tag, "name") {
            fields.insert(name, attribute(tag, "value").unwrap_or_default());
        }
        rest = &rest[close..];
    }
    Some((action, fields))
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(html_escape::decode_html_entities(&tag[start..start + len]).into_owned())
}
