//! The specs against the clients people really use: a third-party client, pinned in
//! `tests/clients/requirements.txt`, drives a sandbox through the recording proxy, and every
//! exchange must follow the spec.
//!
//! Mattermost: the PyPI `mattermostdriver` (`tests/clients/mattermostdriver_session.py`) logs in
//! without MFA (its body has `"token": null`), is refused without a code, logs in with one, and
//! sends `GET /users/me` and `POST /users/logout` with the JSON body `{}` it puts on every call.
//!
//! `.ci/run` installs the pinned packages into `tools/python` (git-ignored); this test puts that
//! folder on `PYTHONPATH`. Without Python or the driver the test fails under `CI=true` and is
//! skipped, with a notice, elsewhere. `APILOGIN_PYTHON` names another interpreter.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use apilogin_sandbox::{DEMO_PASSWORD, SECOND_FACTOR_CODE, Service};
use apilogin_tests::{Exchange, Harness, TEST_LIMIT, within};
use serde_json::Value;

fn workspace_root() -> PathBuf {
    apilogin_openapi::workspace_root(Path::new(env!("CARGO_MANIFEST_DIR")))
}

fn clients_dir() -> PathBuf {
    workspace_root().join("tests/clients")
}

/// The version `tests/clients/requirements.txt` pins for `package`.
fn pinned(package: &str) -> String {
    let path = clients_dir().join("requirements.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .find_map(|l| l.trim().strip_prefix(&format!("{package}==")))
        .unwrap_or_else(|| panic!("{} pins no {package}", path.display()))
        .trim()
        .to_owned()
}

/// `python3` (or `APILOGIN_PYTHON`) with the pinned packages of `tools/python` on its path.
fn python() -> Command {
    let program = std::env::var("APILOGIN_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut cmd = Command::new(program);
    let mut path = vec![workspace_root().join("tools/python")];
    if let Some(old) = std::env::var_os("PYTHONPATH") {
        path.extend(std::env::split_paths(&old));
    }
    cmd.env(
        "PYTHONPATH",
        std::env::join_paths(path).expect("PYTHONPATH entries"),
    )
    .env("PYTHONDONTWRITEBYTECODE", "1")
    // The driver talks to 127.0.0.1 only: never through a proxy of the environment.
    .env("NO_PROXY", "127.0.0.1,localhost")
    .env("no_proxy", "127.0.0.1,localhost");
    cmd
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Whether the pinned `package` can be imported. When it cannot: a panic under CI, else a
/// notice and `false` (the caller skips).
fn available(package: &str, module: &str) -> bool {
    let want = pinned(package);
    let probe = python()
        .arg("-c")
        .arg(format!(
            "import importlib.metadata as m, {module}; print(m.version({package:?}))"
        ))
        .output();
    let problem = match probe {
        Err(e) => format!("cannot run Python ({e})"),
        Ok(out) if !out.status.success() => format!(
            "Python cannot import {module}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Ok(out) => {
            let got = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            if got == want {
                return true;
            }
            format!("{package} is {got}, not the pinned {want}")
        }
    };
    let install = "python3 -m pip install --target tools/python -r tests/clients/requirements.txt \
                   (as .ci/run does)";
    assert!(
        !in_ci(),
        "{problem}. Under CI this test must run: {install}"
    );
    // Straight to stderr, past the test harness's capture of `eprintln!`: a skip is seen.
    let _ = writeln!(
        std::io::stderr(),
        "NOTICE: third-party client test skipped: {problem}. To run it: {install}"
    );
    false
}

fn run(mut cmd: Command) -> Output {
    let out = cmd.output().expect("python runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn body(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

fn route(ex: &Exchange) -> (String, String, u16) {
    (ex.method.clone(), ex.path.clone(), ex.status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mattermostdriver_follows_the_mattermost_spec() {
    if !available("mattermostdriver", "mattermostdriver") {
        return;
    }
    let h = Harness::start(Service::Mattermost).await;
    let port = h.proxy.addr().port();
    let mut cmd = python();
    cmd.arg(clients_dir().join("mattermostdriver_session.py"))
        .arg(port.to_string())
        .args(["demo", "demo-mfa", DEMO_PASSWORD, SECOND_FACTOR_CODE]);
    // The script blocks; the sandbox and the proxy keep serving on the runtime's other thread.
    let out = within(TEST_LIMIT, tokio::task::spawn_blocking(move || run(cmd)))
        .await
        .expect("the script's thread");
    let result: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "the script printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    for (session, user) in [("plain", "demo"), ("mfa", "demo-mfa")] {
        for step in ["login", "me"] {
            assert_eq!(result[session][step], user, "{result}");
        }
        assert_eq!(result[session]["logout"], "OK", "{result}");
    }
    assert_eq!(result["mfaWithoutCode"], "Invalid MFA token.", "{result}");

    // What went over the wire: the driver's own shapes, so the contract below is about them.
    let exchanges = h.exchanges();
    let routes: Vec<_> = exchanges.iter().map(route).collect();
    let call = |m: &str, p: &str, s: u16| (m.to_owned(), p.to_owned(), s);
    assert_eq!(
        routes,
        [
            call("POST", "/api/v4/users/login", 200),
            call("GET", "/api/v4/users/me", 200),
            call("POST", "/api/v4/users/logout", 200),
            call("POST", "/api/v4/users/login", 401),
            call("POST", "/api/v4/users/login", 200),
            call("GET", "/api/v4/users/me", 200),
            call("POST", "/api/v4/users/logout", 200),
        ]
    );
    let login = body(&exchanges[0].request_body);
    assert_eq!(login["login_id"], "demo");
    assert!(
        login["token"].is_null() && login.get("token").is_some(),
        "{login}"
    );
    assert!(body(&exchanges[3].request_body)["token"].is_null());
    assert_eq!(
        body(&exchanges[3].response_body)["id"],
        "mfa.validate_token.authenticate.app_error"
    );
    assert_eq!(
        body(&exchanges[4].request_body)["token"],
        SECOND_FACTOR_CODE
    );
    for i in [1, 2, 5, 6] {
        let ex = &exchanges[i];
        assert_eq!(ex.request_body, b"{}", "{}", ex.label());
        assert_eq!(ex.request_header("content-type"), Some("application/json"));
        assert!(
            ex.request_header("authorization")
                .is_some_and(|a| a.starts_with("Bearer ")),
            "{}",
            ex.label()
        );
    }
    // And every exchange follows specs/mattermost.yaml.
    h.assert_contract();
}
