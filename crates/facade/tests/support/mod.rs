//! Running the `apilogin` command as a user does: a real process, its own environment, a
//! session store in a temporary folder, against sandboxes started by the test.

#![allow(dead_code)] // each test binary uses a part

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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

/// Runs `apilogin` with a store of its own (thrown away afterwards).
pub async fn apilogin(args: &[&str], envs: &[(&str, &str)], stdin: Option<&str>) -> Output {
    Home::new().run(args, envs, stdin).await
}

/// Runs `apilogin` with exactly `envs` as its environment and `stdin` (or nothing: not a
/// terminal) as standard input. Blocking, so off the runtime that serves the sandboxes.
pub async fn run_raw(args: &[&str], envs: Vec<(String, String)>, stdin: Option<&str>) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let stdin = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_apilogin"));
        cmd.args(&args)
            .env_clear()
            .envs(envs)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("apilogin starts");
        if let Some(input) = stdin {
            // The command may exit before reading it all.
            let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
        }
        let out = child.wait_with_output().unwrap();
        Output {
            code: out.status.code().expect("exited, not killed"),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
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
