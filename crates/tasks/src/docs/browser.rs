//! The docs pages in a real browser: Debian's headless Chromium opens each page from its file.
//! Nothing can leave the machine: host names resolve to nothing (`--host-resolver-rules`) and
//! every request goes to a recording proxy on 127.0.0.1 that refuses it, so each attempt is seen
//! and counted. The DOM Chromium built is checked for what each page must show (every operation
//! with its path, operationId, parameters, request body fields and an example value where the
//! spec has one), and a screenshot of each page is kept.
//!
//! Who made each request comes from Chromium's own NetLog (`--log-net-log`): a request a page
//! made has the page's origin as initiator (`null` for a file); Chromium's own services (it asks
//! update.googleapis.com and accounts.google.com at every start, whatever the flags) have "not
//! an origin". The pages must make no request at all, and every attempt the proxy saw must be
//! one of Chromium's own. A canary page that does fetch from outside runs first, to prove that
//! both the proxy and the NetLog see a page's request: "zero" means something only when a leak
//! would have been counted.

use std::convert::Infallible;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};

/// What a page must show; checked on the DOM Chromium built. Needles are written as Chromium
/// serialises the DOM (`markdown::dom_text`, `markdown::dom_attr`).
pub struct Expect {
    pub page: PathBuf,
    /// The page as messages name it (where it is once published: `docs-out/<id>/index.html`).
    pub label: String,
    /// Used to name the screenshot.
    pub name: String,
    /// Substrings the whole DOM must contain.
    pub anywhere: Vec<String>,
    /// The operations' `<section>`s and what each must contain.
    pub sections: Vec<Section>,
}

pub struct Section {
    /// The `id` of the `<section>`.
    pub id: String,
    /// Substrings the section must contain.
    pub needles: Vec<String>,
    /// Values that must appear inside a rendered example (`<pre class="example">`).
    pub example_values: Vec<String>,
}

/// Records the first line of every request that reaches it, and refuses them all (403). An
/// HTTP/1 server (hyper) sees a proxy's requests as Chromium sends them: `GET http://host/...`
/// for http, `CONNECT host:443` for https.
struct Proxy {
    port: u16,
    seen: Log,
}

type Log = Arc<Mutex<Vec<String>>>;

/// How long a connection may wait before it sends its request.
const WAIT: Duration = Duration::from_secs(2);

impl Proxy {
    fn start() -> std::io::Result<Proxy> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let seen = Log::default();
        let log = Arc::clone(&seen);
        std::thread::spawn(move || runtime.block_on(serve(listener, log)));
        Ok(Proxy { port, seen })
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.lock().expect("the proxy log"))
    }
}

/// What the proxy logs for a connection that sent no bytes before closing or timing out.
const NO_REQUEST: &str = "(a connection without a request)";

async fn serve(listener: std::net::TcpListener, log: Log) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(refuse(stream, Arc::clone(&log)));
    }
}

async fn refuse(stream: tokio::net::TcpStream, log: Log) {
    let record = |line: String| log.lock().expect("the proxy log").push(line);
    // hyper ends a connection that sends nothing without a word: look for a first byte here.
    let mut first = [0u8; 1];
    let sent = tokio::time::timeout(WAIT, stream.peek(&mut first)).await;
    if !matches!(sent, Ok(Ok(n)) if n > 0) {
        record(NO_REQUEST.to_string());
        return;
    }
    let answered = AtomicBool::new(false);
    let service = service_fn(|request: Request<Incoming>| {
        // The request line, from its parts.
        record(format!(
            "{} {} {:?}",
            request.method(),
            request.uri(),
            request.version()
        ));
        answered.store(true, Ordering::SeqCst);
        let mut refused = Response::new(String::new());
        *refused.status_mut() = StatusCode::FORBIDDEN;
        std::future::ready(Ok::<_, Infallible>(refused))
    });
    let served = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(WAIT)
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), service)
        .await;
    // Bytes that were not a request are logged too: no NetLog entry explains them.
    if !answered.load(Ordering::SeqCst) {
        let why = served.err().map(|e| e.to_string()).unwrap_or_default();
        record(format!("(bytes that are not an HTTP request: {why})"));
    }
}

/// `chromium` on PATH.
pub fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("chromium"))
        .find(|candidate| candidate.is_file())
}

struct Chromium<'a> {
    binary: &'a Path,
    proxy_port: u16,
    scratch: PathBuf,
    runs: usize,
}

impl Chromium<'_> {
    /// Runs headless Chromium on `url` with `mode` (`--dump-dom`, `--screenshot=...`): its
    /// stdout, and the network requests its NetLog recorded.
    fn run(&mut self, url: &str, mode: &[String]) -> Result<(String, Vec<NetRequest>)> {
        self.runs += 1;
        let profile = self.scratch.join(format!("profile-{}", self.runs));
        let netlog = self.scratch.join(format!("netlog-{}.json", self.runs));
        std::fs::create_dir_all(&profile)
            .with_context(|| format!("cannot create {}", profile.display()))?;
        let mut child = Command::new(self.binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-default-apps",
                "--disable-domain-reliability",
                "--disable-client-side-phishing-detection",
                "--no-pings",
                "--metrics-recording-only",
                "--hide-scrollbars",
                "--window-size=1280,2000",
                // Chromium's network-time queries (clients2.google.com): not needed here.
                "--disable-features=NetworkTimeServiceQuerying",
            ])
            .arg(format!("--log-net-log={}", netlog.display()))
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!(
                "--proxy-server=http://127.0.0.1:{}",
                self.proxy_port
            ))
            // By default loopback bypasses the proxy; `<-loopback>` sends it there too.
            .arg("--proxy-bypass-list=<-loopback>")
            // No name resolves, but the proxy's address (an IP literal) stays reachable.
            .arg("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
            .args(mode)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", self.binary.display()))?;
        let mut stdout = child.stdout.take().expect("piped stdout");
        let mut stderr = child.stderr.take().expect("piped stderr");
        let out_reader = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stdout.read_to_string(&mut s);
            s
        });
        let err_reader = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().context("waiting for chromium")? {
                break status;
            }
            if started.elapsed() > Duration::from_secs(90) {
                let _ = child.kill();
                let _ = child.wait();
                bail!("chromium did not finish {url} within 90 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let out = out_reader.join().unwrap_or_default();
        let err = err_reader.join().unwrap_or_default();
        let _ = std::fs::remove_dir_all(&profile);
        if !status.success() {
            bail!("chromium failed on {url} ({status}):\n{err}");
        }
        let log = std::fs::read_to_string(&netlog)
            .with_context(|| format!("chromium wrote no NetLog for {url}"))?;
        let _ = std::fs::remove_file(&netlog);
        Ok((out, net_requests(&log)?))
    }
}

/// A network request from Chromium's NetLog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetRequest {
    pub url: String,
    /// The origin that caused it (`null` for a page opened from a file), or "not an origin"
    /// for Chromium's own services.
    pub initiator: String,
}

impl NetRequest {
    /// Made by a page (its content), not by the browser itself.
    pub fn by_page(&self) -> bool {
        self.initiator != "not an origin"
    }

    pub fn host(&self) -> &str {
        host_of(&self.url)
    }
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

/// The requests for anything but local files and inline data in a NetLog (JSON; a log cut
/// short by an exiting browser lacks its closing brackets).
pub fn net_requests(log: &str) -> Result<Vec<NetRequest>> {
    let parsed: serde_json::Value = serde_json::from_str(log)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", log.trim_end().trim_end_matches(','))))
        .context("cannot read Chromium's NetLog")?;
    let start_job = parsed["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        .as_u64()
        .context("the NetLog does not define URL_REQUEST_START_JOB")?;
    let mut out = Vec::new();
    for event in parsed["events"].as_array().into_iter().flatten() {
        if event["type"].as_u64() != Some(start_job) {
            continue;
        }
        let url = event["params"]["url"].as_str().unwrap_or_default();
        let local = [
            "file:",
            "data:",
            "chrome:",
            "about:",
            "blob:",
            "chrome-extension:",
        ]
        .iter()
        .any(|scheme| url.starts_with(scheme));
        if url.is_empty() || local {
            continue;
        }
        out.push(NetRequest {
            url: url.to_string(),
            initiator: event["params"]["initiator"]
                .as_str()
                .unwrap_or("not an origin")
                .to_string(),
        });
    }
    Ok(out)
}

/// The host a proxy request line asks for: `CONNECT host:443 ...` or `GET http://host/ ...`.
fn proxy_host(line: &str) -> &str {
    let target = line.split_whitespace().nth(1).unwrap_or_default();
    host_of(target)
}

fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'.' | b'_' | b'~' => {
                url.push(b as char)
            }
            b => url.push_str(&format!("%{b:02X}")),
        }
    }
    url
}

/// The text of every `<pre class="example">` in a DOM.
fn examples_text(dom: &str) -> String {
    let mut out = String::new();
    let mut rest = dom;
    while let Some(start) = rest.find("<pre class=\"example\"") {
        let after = &rest[start..];
        let end = after.find("</pre>").unwrap_or(after.len());
        out.push_str(&after[..end]);
        out.push('\n');
        rest = &after[end..];
    }
    out
}

fn section<'d>(dom: &'d str, id: &str) -> Option<&'d str> {
    // ` id=`, not `data-operation-id=`.
    let start = dom.find(&format!(" id=\"{id}\""))?;
    let after = &dom[start..];
    let end = after.find("</section>")?;
    Some(&after[..end])
}

/// Checks one DOM against its expectations; the list of what is missing.
pub fn check_dom(dom: &str, expect: &Expect) -> Vec<String> {
    let mut missing = Vec::new();
    for needle in &expect.anywhere {
        if !dom.contains(needle.as_str()) {
            missing.push(format!("`{needle}`"));
        }
    }
    for Section {
        id,
        needles,
        example_values,
    } in &expect.sections
    {
        match section(dom, id) {
            None => missing.push(format!("the operation section `#{id}`")),
            Some(s) => {
                for needle in needles {
                    if !s.contains(needle.as_str()) {
                        missing.push(format!("`{needle}` in `#{id}`"));
                    }
                }
                let examples = examples_text(s);
                for value in example_values {
                    if !examples.contains(value.as_str()) {
                        missing.push(format!("the example value `{value}` in `#{id}`"));
                    }
                }
            }
        }
    }
    missing
}

pub struct Outcome {
    pub lines: Vec<String>,
}

/// What one Chromium run asked the network for, by the NetLog and at the proxy.
struct Traffic {
    by_page: Vec<String>,
    own: Vec<String>,
    /// Proxy requests the NetLog does not explain.
    unexplained: Vec<String>,
    at_proxy: usize,
}

impl Traffic {
    fn of(requests: &[NetRequest], proxy_lines: Vec<String>) -> Traffic {
        // A connection that sent nothing carried nothing: Chromium opens spare connections to
        // the proxy ahead of need (preconnect) and sometimes leaves one unused. Every request
        // still needs a NetLog entry that explains it.
        let unexplained = proxy_lines
            .iter()
            .filter(|line| line.as_str() != NO_REQUEST)
            .filter(|line| !requests.iter().any(|r| r.host() == proxy_host(line)))
            .cloned()
            .collect();
        Traffic {
            by_page: requests
                .iter()
                .filter(|r| r.by_page())
                .map(|r| r.url.clone())
                .collect(),
            own: requests
                .iter()
                .filter(|r| !r.by_page())
                .map(|r| r.host().to_string())
                .collect(),
            unexplained,
            at_proxy: proxy_lines
                .iter()
                .filter(|l| l.as_str() != NO_REQUEST)
                .count(),
        }
    }
}

/// Opens every page in headless Chromium and checks it; the screenshots go to `screenshots`.
pub fn test_pages(chromium: &Path, pages: &[Expect], screenshots: &Path) -> Result<Outcome> {
    let proxy = Proxy::start().context("cannot start the recording proxy")?;
    let scratch =
        std::env::temp_dir().join(format!("apilogin-docs-browser-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)
        .with_context(|| format!("cannot create {}", scratch.display()))?;
    std::fs::create_dir_all(screenshots)
        .with_context(|| format!("cannot create {}", screenshots.display()))?;
    let mut browser = Chromium {
        binary: chromium,
        proxy_port: proxy.port,
        scratch: scratch.clone(),
        runs: 0,
    };
    let mut run = |url: &str, mode: &[String]| -> Result<(String, Traffic)> {
        let (out, requests) = browser.run(url, mode)?;
        // A refused connection is logged before its answer is sent; give stragglers a moment.
        std::thread::sleep(Duration::from_millis(200));
        Ok((out, Traffic::of(&requests, proxy.take())))
    };
    let result = (|| {
        let mut lines = Vec::new();
        // The canary: a page that fetches from outside must be seen by the proxy and the NetLog.
        let canary = scratch.join("canary.html");
        std::fs::write(
            &canary,
            "<!DOCTYPE html><title>canary</title>\
             <img src=\"http://canary.invalid/leak.png\" alt=\"\">",
        )
        .context("cannot write the canary page")?;
        let (_, traffic) = run(&file_url(&canary), &["--dump-dom".into()])?;
        if !traffic.by_page.iter().any(|u| u.contains("canary.invalid")) || traffic.at_proxy == 0 {
            bail!(
                "the canary page's request to canary.invalid was not seen (NetLog: {:?}; proxy: \
                 {} request(s)): the browser test could not see a leak, so it proves nothing",
                traffic.by_page,
                traffic.at_proxy
            );
        }
        lines.push(format!(
            "canary: a page's outside fetch is caught (NetLog: {}; proxy: {} request(s) refused)",
            traffic.by_page.join(", "),
            traffic.at_proxy
        ));

        let mut problems = Vec::new();
        let mut at_proxy = 0;
        let mut page_total = 0;
        let mut own = std::collections::BTreeSet::new();
        for expect in pages {
            let url = file_url(&expect.page);
            let (dom, dom_traffic) = run(&url, &["--dump-dom".into()])?;
            let missing = check_dom(&dom, expect);
            if !missing.is_empty() {
                problems.push(format!(
                    "{}: the rendered page lacks {}",
                    expect.label,
                    missing.join(", ")
                ));
            }
            let shot = screenshots.join(format!("{}.png", expect.name));
            let _ = std::fs::remove_file(&shot);
            let (_, shot_traffic) = run(&url, &[format!("--screenshot={}", shot.display())])?;
            let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
            // A blank 1280x2000 PNG is about 11 KiB; the pages' are well over 100 KiB.
            if size < 32 * 1024 {
                problems.push(format!(
                    "{}: the screenshot is missing or blank ({size} bytes)",
                    expect.label
                ));
            }
            let mut by_page = 0;
            for traffic in [dom_traffic, shot_traffic] {
                by_page += traffic.by_page.len();
                at_proxy += traffic.at_proxy;
                own.extend(traffic.own);
                if !traffic.by_page.is_empty() {
                    problems.push(format!(
                        "{}: the page requested {}",
                        expect.label,
                        traffic.by_page.join(", ")
                    ));
                }
                if !traffic.unexplained.is_empty() {
                    problems.push(format!(
                        "{}: the proxy saw request(s) the NetLog does not explain: {}",
                        expect.label,
                        traffic.unexplained.join(", ")
                    ));
                }
            }
            page_total += by_page;
            lines.push(format!(
                "{}: {}, {by_page} request(s) by the page, screenshot screenshots/{}.png ({} KiB)",
                expect.label,
                if missing.is_empty() {
                    "rendered as expected"
                } else {
                    "NOT rendered as expected"
                },
                expect.name,
                size / 1024
            ));
        }
        lines.push(format!(
            "network: nothing left the machine; the pages made {page_total} request(s); the \
             proxy refused {at_proxy} attempt(s), all by Chromium's own background services ({})",
            own.into_iter().collect::<Vec<_>>().join(", ")
        ));
        if problems.is_empty() {
            Ok(Outcome { lines })
        } else {
            for l in &lines {
                eprintln!("browser: {l}");
            }
            Err(anyhow::anyhow!(problems.join("\n")))
        }
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dom_without_the_example_value_or_parameter_fails() {
        let dom = "<main><section id=\"op-login\"><tr data-param=\"user\"></tr>\
                   <pre class=\"example\"><code>{\"user\": \"demo\"}</code></pre></section></main>";
        let mut expect = Expect {
            page: PathBuf::from("x.html"),
            label: "x.html".into(),
            name: "x".into(),
            anywhere: vec!["<main>".into()],
            sections: vec![Section {
                id: "op-login".into(),
                needles: vec!["data-param=\"user\"".into()],
                example_values: vec!["demo".into()],
            }],
        };
        assert_eq!(check_dom(dom, &expect), Vec::<String>::new());
        expect.sections[0].example_values = vec!["other".into()];
        expect.sections[0]
            .needles
            .push("data-param=\"pass\"".into());
        let missing = check_dom(dom, &expect);
        assert_eq!(missing.len(), 2, "{missing:?}");
        // A section is found by its own `id`, not by a `data-operation-id` that reads the same.
        let dom = "<section data-operation-id=\"op-x\" id=\"op-op-x\"></section>\
                   <section id=\"op-x\"><tr data-param=\"q\"></tr></section>";
        let expect = Expect {
            anywhere: Vec::new(),
            sections: vec![Section {
                id: "op-x".into(),
                needles: vec!["data-param=\"q\"".into()],
                example_values: Vec::new(),
            }],
            ..expect
        };
        assert_eq!(check_dom(dom, &expect), Vec::<String>::new());
    }

    #[test]
    fn file_urls_are_percent_encoded() {
        assert_eq!(
            file_url(Path::new("/a b/index.html")),
            "file:///a%20b/index.html"
        );
    }

    #[test]
    fn netlog_requests_are_told_apart_by_initiator() {
        let log = r#"{"constants": {"logEventTypes": {"URL_REQUEST_START_JOB": 7}},
            "events": [
              {"type": 7, "params": {"url": "file:///x/index.html", "initiator": "null"}},
              {"type": 7, "params": {"url": "http://cdn.test/a.css", "initiator": "null"}},
              {"type": 7, "params": {"url": "https://accounts.google.com/ListAccounts", "initiator": "not an origin"}},
              {"type": 3, "params": {"url": "http://other.test/"}},"#;
        let requests = net_requests(log).unwrap();
        assert_eq!(requests.len(), 2, "{requests:?}");
        assert!(requests[0].by_page());
        assert_eq!(requests[0].host(), "cdn.test");
        assert!(!requests[1].by_page());
        let traffic = Traffic::of(
            &requests,
            vec![
                "CONNECT accounts.google.com:443 HTTP/1.1".into(),
                "GET http://unknown.test/ HTTP/1.1".into(),
            ],
        );
        assert_eq!(traffic.by_page, vec!["http://cdn.test/a.css"]);
        assert_eq!(traffic.own, vec!["accounts.google.com"]);
        assert_eq!(
            traffic.unexplained,
            vec!["GET http://unknown.test/ HTTP/1.1"]
        );
    }

    /// An http request, an https one (`CONNECT`), and a connection that sends nothing: each
    /// logged by its first line, the requests refused.
    #[test]
    fn the_proxy_records_and_refuses() {
        use std::io::Write;
        use std::net::TcpStream;

        let proxy = Proxy::start().unwrap();
        let ask = |request: &[u8]| {
            let mut s = TcpStream::connect(("127.0.0.1", proxy.port)).unwrap();
            s.write_all(request).unwrap();
            let mut answer = String::new();
            s.read_to_string(&mut answer).unwrap();
            answer
        };
        let answer = ask(b"GET http://x.invalid/a?b=1 HTTP/1.1\r\nHost: x.invalid\r\n\r\n");
        assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
        let answer = ask(b"CONNECT y.invalid:443 HTTP/1.1\r\nHost: y.invalid:443\r\n\r\n");
        assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
        assert_eq!(
            proxy.take(),
            [
                "GET http://x.invalid/a?b=1 HTTP/1.1",
                "CONNECT y.invalid:443 HTTP/1.1"
            ]
        );
        drop(TcpStream::connect(("127.0.0.1", proxy.port)).unwrap());
        let answer = ask(b"not http\r\n\r\n");
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
        let started = Instant::now();
        let mut seen = Vec::new();
        while seen.len() < 2 && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
            seen.extend(proxy.take());
        }
        seen.sort();
        assert_eq!(seen[0], NO_REQUEST, "{seen:?}");
        assert!(
            seen[1].starts_with("(bytes that are not an HTTP request"),
            "{seen:?}"
        );
    }
}
