//! Running the `apilogin` command as a user does: a real process, its own environment, a
//! session store in a temporary folder, against sandboxes started by the test.

#![allow(dead_code)] // each test binary uses a part

use std::path::{Path, PathBuf};

use apilogin_sandbox::{DEMO_PASSWORD, REMOTEIT_DEVELOPER_KEY, Sandbox, Service};

pub const WRONG_PASSWORD: &str = "wrong-Pa55word-xyzzy";

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Neither stream shows a password or developer key.
    #[track_caller]
    pub fn assert_quiet(&self) {
        for s in [DEMO_PASSWORD, WRONG_PASSWORD, REMOTEIT_DEVELOPER_KEY] {
            assert!(
                !self.stdout.contains(s),
                "secret in stdout: {}",
                self.stdout
            );
            assert!(
                !self.stderr.contains(s),
                "secret in stderr: {}",
                self.stderr
            );
        }
    }

    /// The exit code is `code`, and no password or developer key was printed.
    #[track_caller]
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "exit code\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self.assert_quiet();
        self
    }

    /// Neither stream contains `secret`.
    #[track_caller]
    pub fn hides(self, secret: &str) -> Self {
        assert!(!secret.is_empty());
        assert!(
            !self.stdout.contains(secret) && !self.stderr.contains(secret),
            "{secret:?} printed\nstdout: {}\nstderr: {}",
            self.stdout,
            self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

/// A user's home for the command: the session store lives in `config()` (created by the
/// command, so that its mode is the command's doing).
pub struct Home {
    dir: tempfile::TempDir,
}

impl Default for Home {
    fn default() -> Self {
        Self::new()
    }
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("config").join("apilogin")
    }

    pub fn store_file(&self) -> PathBuf {
        self.config().join("sessions.json")
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `apilogin` with only `envs` (and `APILOGIN_CONFIG_DIR`) in its environment. With
    /// no other variable, there is no D-Bus session bus to find: no keyring, so the file
    /// store runs.
    pub async fn run(&self, args: &[&str], envs: &[(&str, &str)], stdin: Option<&str>) -> Output {
        let mut all: Vec<(String, String)> = vec![(
            "APILOGIN_CONFIG_DIR".to_owned(),
            self.config().to_str().unwrap().to_owned(),
        )];
        all.extend(envs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        run_raw(args, all, stdin).await
    }
}

impl Home {
    /// [`Home::run`], with the command's standard error going to the file `stderr` as it is
    /// written (a server the command talks to can read what it said so far: see
    /// [`RecordingProxy::start_watching`]); `Output::stderr` is the file's content afterwards.
    pub async fn run_stderr_to(
        &self,
        args: &[&str],
        envs: &[(&str, &str)],
        stderr: &Path,
    ) -> Output {
        let mut all: Vec<(String, String)> = vec![(
            "APILOGIN_CONFIG_DIR".to_owned(),
            self.config().to_str().unwrap().to_owned(),
        )];
        all.extend(envs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        run_to(args, all, None, Some(stderr.to_owned())).await
    }
}

/// Runs `apilogin` with a store of its own (thrown away afterwards).
pub async fn apilogin(args: &[&str], envs: &[(&str, &str)], stdin: Option<&str>) -> Output {
    Home::new().run(args, envs, stdin).await
}

/// Runs `apilogin` with exactly `envs` as its environment and `stdin` (or nothing: not a
/// terminal) as standard input. Blocking, so off the runtime that serves the sandboxes.
pub async fn run_raw(args: &[&str], envs: Vec<(String, String)>, stdin: Option<&str>) -> Output {
    run_to(args, envs, stdin, None).await
}

/// How long one run of the command may take before the test fails (every run here talks to a
/// local sandbox; a hung command must not hang the suite).
const RUN_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

/// [`run_raw`], with standard error to the file `stderr_file` when given.
async fn run_to(
    args: &[&str],
    envs: Vec<(String, String)>,
    stdin: Option<&str>,
    stderr_file: Option<PathBuf>,
) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let stdin = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let bin = assert_cmd::cargo::cargo_bin!("apilogin");
        let (status, stdout, stderr) = match &stderr_file {
            // assert_cmd pipes standard error; a file the test watches while the command runs
            // needs a plain process.
            Some(path) => {
                let out = std::process::Command::new(bin)
                    .args(&args)
                    .env_clear()
                    .envs(envs)
                    .stdin(std::process::Stdio::null())
                    .stderr(std::fs::File::create(path).unwrap())
                    .output()
                    .expect("apilogin starts");
                let stderr = std::fs::read_to_string(path).unwrap();
                (out.status, out.stdout, stderr)
            }
            None => {
                // Without input, standard input is empty (not a terminal). The command may
                // exit before reading all of it.
                let out = assert_cmd::Command::new(bin)
                    .args(&args)
                    .env_clear()
                    .envs(envs)
                    .timeout(RUN_LIMIT)
                    .write_stdin(stdin.unwrap_or_default())
                    .output()
                    .expect("apilogin starts");
                let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
                (out.status, out.stdout, stderr)
            }
        };
        Output {
            code: status.code().unwrap_or_else(|| {
                panic!("apilogin did not exit within {RUN_LIMIT:?}, or was killed")
            }),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr,
        }
    })
    .await
    .unwrap()
}

/// The environment that logs in to `sandbox` with the account `user`.
pub fn env_for(sandbox: &Sandbox, user: &str) -> Vec<(String, String)> {
    let prefix = sandbox.service().id().to_ascii_uppercase();
    let mut env = vec![
        (format!("{prefix}_URL"), sandbox.base_url().to_owned()),
        (format!("{prefix}_USERNAME"), user.to_owned()),
        (format!("{prefix}_PASSWORD"), DEMO_PASSWORD.to_owned()),
    ];
    if sandbox.service() == Service::RemoteIt {
        env.push((
            "REMOTEIT_DEVELOPER_KEY".to_owned(),
            REMOTEIT_DEVELOPER_KEY.to_owned(),
        ));
    }
    env
}

pub fn refs(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

pub fn with(env: &[(String, String)], key: &str, value: &str) -> Vec<(String, String)> {
    let mut env: Vec<_> = env.iter().filter(|(k, _)| k != key).cloned().collect();
    env.push((key.to_owned(), value.to_owned()));
    env
}

pub fn without(env: &[(String, String)], key: &str) -> Vec<(String, String)> {
    env.iter().filter(|(k, _)| k != key).cloned().collect()
}

pub fn demo_user(service: Service) -> &'static str {
    match service {
        Service::RemoteIt => "demo@remote.it",
        Service::ProjectThanos => "retailer@projectthanos.com",
        _ => "demo",
    }
}

/// One request that went through a [`RecordingProxy`].
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path_and_query: String,
    pub body: Vec<u8>,
    /// What the watched file held when the request arrived (see
    /// [`RecordingProxy::start_watching`]).
    pub witness: Option<String>,
}

impl Recorded {
    /// The body as a form (`a=b&c=d`) or JSON object: the value of field `name`, as text.
    pub fn field(&self, name: &str) -> Option<String> {
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(&self.body) {
            return map.get(name).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            });
        }
        form_urlencoded::parse(&self.body)
            .chain(form_urlencoded::parse(
                self.path_and_query
                    .split_once('?')
                    .map_or("", |(_, q)| q)
                    .as_bytes(),
            ))
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// A plain HTTP relay in front of a sandbox that records every request (method, path, body)
/// and passes it on unchanged, answer included: what the command really sent, over HTTP.
pub struct RecordingProxy {
    base_url: String,
    recorded: std::sync::Arc<std::sync::Mutex<Vec<Recorded>>>,
}

impl RecordingProxy {
    /// A proxy for `sandbox`, serving the same base path.
    pub async fn start(sandbox: &Sandbox) -> RecordingProxy {
        Self::start_inner(sandbox, None).await
    }

    /// A proxy that also records, with each request, what the file `witness` held when the
    /// request arrived: with the command's standard error there
    /// ([`Home::run_stderr_to`]), what the command had said before it sent the request.
    pub async fn start_watching(sandbox: &Sandbox, witness: &Path) -> RecordingProxy {
        Self::start_inner(sandbox, Some(witness.to_owned())).await
    }

    async fn start_inner(sandbox: &Sandbox, witness: Option<PathBuf>) -> RecordingProxy {
        use axum::body::Bytes;
        use axum::extract::State;
        use axum::http::{HeaderMap, Method, Uri};

        type Shared = (
            std::sync::Arc<std::sync::Mutex<Vec<Recorded>>>,
            String,
            reqwest::Client,
            Option<PathBuf>,
        );
        async fn relay(
            State((recorded, upstream, http, witness)): State<Shared>,
            method: Method,
            uri: Uri,
            headers: HeaderMap,
            body: Bytes,
        ) -> axum::response::Response {
            let path_and_query = uri
                .path_and_query()
                .map_or_else(|| uri.path().to_owned(), ToString::to_string);
            recorded.lock().unwrap().push(Recorded {
                method: method.to_string(),
                path_and_query: path_and_query.clone(),
                body: body.to_vec(),
                witness: witness
                    .as_deref()
                    .map(|p| std::fs::read_to_string(p).unwrap_or_default()),
            });
            let mut request = http.request(
                reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap(),
                format!("{upstream}{path_and_query}"),
            );
            for (name, value) in &headers {
                if !matches!(name.as_str(), "host" | "content-length" | "connection") {
                    request = request.header(name.as_str(), value.as_bytes());
                }
            }
            let answer = request.body(body.to_vec()).send().await.unwrap();
            let mut response = axum::http::Response::builder().status(answer.status().as_u16());
            for (name, value) in answer.headers() {
                if !matches!(
                    name.as_str(),
                    "content-length" | "connection" | "transfer-encoding"
                ) {
                    response = response.header(name.as_str(), value.as_bytes());
                }
            }
            response
                .body(axum::body::Body::from(answer.bytes().await.unwrap()))
                .unwrap()
        }

        let recorded = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let upstream = format!("http://{}", sandbox.addr());
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let app = axum::Router::new().fallback(relay).with_state((
            recorded.clone(),
            upstream,
            http,
            witness,
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        RecordingProxy {
            base_url: format!("http://{addr}{}", sandbox.service().base_path()),
            recorded,
        }
    }

    /// The proxy's base URL, with the sandbox's base path.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Every request so far, oldest first.
    pub fn recorded(&self) -> Vec<Recorded> {
        self.recorded.lock().unwrap().clone()
    }
}

/// The service of the specs a sandbox look-alike stands for (the same id).
pub fn kind_of(service: Service) -> apilogin::ServiceKind {
    apilogin::ServiceKind::from_id(service.id()).expect("a look-alike of a service of the specs")
}

/// The members of a session of `kind` that its spec makes secret: the token and the secret
/// details (members of the session's JSON by their names in the spec).
pub fn secret_members(kind: apilogin::ServiceKind) -> Vec<&'static str> {
    std::iter::once("token")
        .chain(kind.details().iter().filter(|d| d.secret).map(|d| d.name))
        .collect()
}
