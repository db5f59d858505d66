//! The `apilogin` command as a user runs it: a real process, environment variables, exit codes,
//! against sandboxes started here.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use apilogin_sandbox::{
    DEMO_PASSWORD, Fault, REMOTEIT_DEVELOPER_KEY, SECOND_FACTOR_CODE, Sandbox, Service,
};

const WRONG_PASSWORD: &str = "wrong-Pa55word-xyzzy";

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Output {
    /// Neither stream shows a password or developer key.
    #[track_caller]
    fn assert_quiet(&self) {
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

    /// For `login --json`: the stored session holds remote.it's developer key on purpose (later
    /// calls need it), but never a password; stderr stays quiet.
    #[track_caller]
    fn expect_session(self) -> Self {
        assert_eq!(
            self.code, 0,
            "exit code\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        for s in [DEMO_PASSWORD, WRONG_PASSWORD] {
            assert!(
                !self.stdout.contains(s),
                "password in stdout: {}",
                self.stdout
            );
        }
        for s in [DEMO_PASSWORD, WRONG_PASSWORD, REMOTEIT_DEVELOPER_KEY] {
            assert!(
                !self.stderr.contains(s),
                "secret in stderr: {}",
                self.stderr
            );
        }
        self
    }

    #[track_caller]
    fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "exit code\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self.assert_quiet();
        self
    }
}

/// Runs `apilogin` with only `envs` in its environment and `stdin` (or nothing: not a
/// terminal) as standard input. Blocking, so off the runtime that serves the sandboxes.
async fn apilogin(args: &[&str], envs: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let envs: Vec<(String, String)> = envs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
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
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
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
fn env_for(sandbox: &Sandbox, user: &str) -> Vec<(String, String)> {
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

fn refs(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn demo_user(service: Service) -> &'static str {
    match service {
        Service::RemoteIt => "demo@remote.it",
        Service::ProjectThanos => "retailer@projectthanos.com",
        _ => "demo",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_is_complete() {
    let out = apilogin(&["--help"], &[], None).await.expect(0);
    for word in [
        "login",
        "verify",
        "logout",
        "--allow-http",
        "--timeout",
        "--connect-timeout",
        "Exit codes",
        "REMOTEIT_DEVELOPER_KEY",
        "REMOTEIT_USERNAME",
        "REMOTEIT_PASSWORD",
        "TXTY_KEY_DESCRIPTION",
        "TXTY_CODE",
        "PROJECTTHANOS_PASSWORD",
        "ROCKETCHAT_URL",
        "ROCKETCHAT_CODE",
    ] {
        assert!(out.stdout.contains(word), "--help lacks {word}");
    }
    for code in 0..=7 {
        assert!(
            out.stdout.contains(&format!("\n  {code}  ")),
            "--help lacks exit code {code}"
        );
    }
    let out = apilogin(&["login", "--help"], &[], None).await.expect(0);
    for word in [
        "--url",
        "--user",
        "--key-description",
        "--code",
        "--json",
        "rocketchat",
        "projectthanos",
    ] {
        assert!(out.stdout.contains(word), "login --help lacks {word}");
    }
    for sub in ["verify", "logout"] {
        let out = apilogin(&[sub, "--help"], &[], None).await.expect(0);
        assert!(out.stdout.contains("--session"), "{sub} --help");
    }
    apilogin(&["--version"], &[], None).await.expect(0);
    apilogin(&["login", "nosuchservice"], &[], None)
        .await
        .expect(2);
    apilogin(&[], &[], None).await.expect(2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_every_service_from_the_environment() {
    for service in Service::ALL {
        let sandbox = Sandbox::start(service).await.unwrap();
        let env = env_for(&sandbox, demo_user(service));
        let out = apilogin(&["login", service.id(), "--json"], &refs(&env), None)
            .await
            .expect_session();
        let session: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(session["service"], service.id());
        assert_eq!(session["base_url"], sandbox.base_url());
        assert!(session["token"].as_str().is_some_and(|t| !t.is_empty()));

        let out = apilogin(&["login", service.id()], &refs(&env), None)
            .await
            .expect(0);
        assert!(out.stdout.contains("Logged in to"), "{}", out.stdout);
        assert!(out.stdout.contains(demo_user(service)), "{}", out.stdout);
        assert!(!out.stdout.contains("\"token\""), "{}", out.stdout);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_win_over_the_environment() {
    let sandbox = Sandbox::start(Service::ProjectThanos).await.unwrap();
    let mut env = env_for(&sandbox, "nobody@example.com");
    env.retain(|(k, _)| k != "PROJECTTHANOS_URL");
    let out = apilogin(
        &[
            "login",
            "projectthanos",
            "--url",
            sandbox.base_url(),
            "--user",
            "supplier@projectthanos.com",
            "--json",
        ],
        &refs(&env),
        None,
    )
    .await
    .expect(0);
    assert!(out.stdout.contains("SUPPLIER"), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_exit_3() {
    for service in Service::ALL {
        let sandbox = Sandbox::start(service).await.unwrap();
        let mut env = env_for(&sandbox, demo_user(service));
        for (k, v) in &mut env {
            if k.ends_with("_PASSWORD") {
                *v = WRONG_PASSWORD.to_owned();
            }
        }
        let out = apilogin(&["login", service.id()], &refs(&env), None)
            .await
            .expect(3);
        assert!(
            out.stderr.contains("rejected the user name or password"),
            "{}",
            out.stderr
        );
    }
    // Project Thanos without permission is refused too.
    let sandbox = Sandbox::start(Service::ProjectThanos).await.unwrap();
    let env = env_for(&sandbox, "noaccess@projectthanos.com");
    apilogin(&["login", "projectthanos"], &refs(&env), None)
        .await
        .expect(3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_factor_exit_codes() {
    for service in [Service::Txty, Service::RocketChat] {
        let sandbox = Sandbox::start(service).await.unwrap();
        let env = env_for(&sandbox, "demo-2fa");
        let code_var = format!("{}_CODE", service.id().to_ascii_uppercase());

        // Asked for, none given, not on a terminal.
        let out = apilogin(&["login", service.id()], &refs(&env), None)
            .await
            .expect(4);
        assert!(out.stderr.contains(&code_var), "{}", out.stderr);

        // Wrong code.
        let out = apilogin(
            &["login", service.id(), "--code", "000000"],
            &refs(&env),
            None,
        )
        .await
        .expect(4);
        assert!(out.stderr.contains("second-factor code"), "{}", out.stderr);
        assert!(!out.stderr.contains("000000"), "{}", out.stderr);

        // Right code, from the environment and from the flag.
        let mut with_code = env.clone();
        with_code.push((code_var, SECOND_FACTOR_CODE.to_owned()));
        let out = apilogin(&["login", service.id(), "--json"], &refs(&with_code), None)
            .await
            .expect(0);
        assert!(out.stdout.contains("demo-2fa"), "{}", out.stdout);
        apilogin(
            &["login", service.id(), "--code", SECOND_FACTOR_CODE],
            &refs(&env),
            None,
        )
        .await
        .expect(0);
    }
    // remote.it multi-factor accounts cannot log in through this endpoint.
    let sandbox = Sandbox::start(Service::RemoteIt).await.unwrap();
    let env = env_for(&sandbox, "mfa@remote.it");
    let out = apilogin(&["login", "remoteit"], &refs(&env), None)
        .await
        .expect(4);
    assert!(out.stderr.contains("SMS_MFA"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_exits_5() {
    let sandbox = Sandbox::builder(Service::RocketChat)
        .rate_limit(1, Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let env = env_for(&sandbox, "demo");
    apilogin(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    let out = apilogin(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(5);
    assert!(out.stderr.contains("rate limiting"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_errors_exit_6_and_server_errors_7() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    drop(listener);
    let env = [
        ("ROCKETCHAT_USERNAME", "demo"),
        ("ROCKETCHAT_PASSWORD", DEMO_PASSWORD),
    ];
    apilogin(&["login", "rocketchat", "--url", &closed], &env, None)
        .await
        .expect(6);

    let slow = Sandbox::builder(Service::RocketChat)
        .fault(Fault::Slow(Duration::from_secs(120)))
        .start()
        .await
        .unwrap();
    let out = apilogin(
        &[
            "login",
            "rocketchat",
            "--url",
            slow.base_url(),
            "--timeout",
            "0.5",
        ],
        &env,
        None,
    )
    .await
    .expect(6);
    assert!(out.stderr.contains("timed out"), "{}", out.stderr);

    let bad_gateway = Sandbox::builder(Service::RocketChat)
        .fault(Fault::BadGatewayHtml)
        .start()
        .await
        .unwrap();
    apilogin(
        &["login", "rocketchat", "--url", bad_gateway.base_url()],
        &env,
        None,
    )
    .await
    .expect(7);
    let redirect = Sandbox::builder(Service::RocketChat)
        .fault(Fault::Redirect307)
        .start()
        .await
        .unwrap();
    apilogin(
        &["login", "rocketchat", "--url", redirect.base_url()],
        &env,
        None,
    )
    .await
    .expect(7);
    assert!(redirect.recorded().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_2() {
    // Rocket.Chat is self-hosted.
    let out = apilogin(
        &["login", "rocketchat"],
        &[("ROCKETCHAT_USERNAME", "demo")],
        None,
    )
    .await
    .expect(2);
    assert!(out.stderr.contains("ROCKETCHAT_URL"), "{}", out.stderr);

    // No password and no terminal to ask on.
    let sandbox = Sandbox::start(Service::RocketChat).await.unwrap();
    let out = apilogin(
        &[
            "login",
            "rocketchat",
            "--url",
            sandbox.base_url(),
            "--user",
            "demo",
        ],
        &[],
        None,
    )
    .await
    .expect(2);
    assert!(out.stderr.contains("ROCKETCHAT_PASSWORD"), "{}", out.stderr);

    // No user either.
    let out = apilogin(
        &["login", "rocketchat", "--url", sandbox.base_url()],
        &[],
        None,
    )
    .await
    .expect(2);
    assert!(out.stderr.contains("ROCKETCHAT_USERNAME"), "{}", out.stderr);

    // remote.it without a developer key.
    let remoteit = Sandbox::start(Service::RemoteIt).await.unwrap();
    let mut env = env_for(&remoteit, "demo@remote.it");
    env.retain(|(k, _)| k != "REMOTEIT_DEVELOPER_KEY");
    let out = apilogin(&["login", "remoteit"], &refs(&env), None)
        .await
        .expect(2);
    assert!(
        out.stderr.contains("REMOTEIT_DEVELOPER_KEY"),
        "{}",
        out.stderr
    );

    // Plain http to another host is refused before anything is sent or asked.
    let out = apilogin(
        &["login", "rocketchat", "--url", "http://example.com"],
        &[],
        None,
    )
    .await
    .expect(2);
    assert!(out.stderr.contains("--allow-http"), "{}", out.stderr);
    apilogin(&["login", "rocketchat", "--url", "not a url"], &[], None)
        .await
        .expect(2);
    apilogin(&["login", "txty", "--timeout", "-1"], &[], None)
        .await
        .expect(2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_and_logout_a_stored_session() {
    for service in [Service::Txty, Service::RocketChat] {
        let sandbox = Sandbox::start(service).await.unwrap();
        let env = env_for(&sandbox, "demo");
        let json = apilogin(&["login", service.id(), "--json"], &refs(&env), None)
            .await
            .expect(0)
            .stdout;
        let token = serde_json::from_str::<serde_json::Value>(&json).unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(json.as_bytes()).unwrap();
        let path = file.path().to_str().unwrap().to_owned();

        // No credentials needed any more: an empty environment.
        let out = apilogin(&["verify", "--session", &path], &[], None)
            .await
            .expect(0);
        assert!(out.stdout.contains("Session valid: demo"), "{}", out.stdout);
        assert!(!out.stdout.contains(&token));
        let out = apilogin(&["verify", "--json"], &[], Some(&json))
            .await
            .expect(0);
        let me: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(me["username"], "demo");

        let out = apilogin(&["logout"], &[], Some(&json)).await.expect(0);
        assert!(out.stdout.contains("Logged out"), "{}", out.stdout);
        assert!(!out.stdout.contains(&token) && !out.stderr.contains(&token));

        let out = apilogin(&["verify", "--session", &path], &[], None)
            .await
            .expect(3);
        assert!(out.stderr.contains("log in again"), "{}", out.stderr);
        assert!(!out.stderr.contains(&token));
        apilogin(&["logout", "--session", "-"], &[], Some(&json))
            .await
            .expect(3);
    }

    // Project Thanos has no verify or logout.
    let sandbox = Sandbox::start(Service::ProjectThanos).await.unwrap();
    let env = env_for(&sandbox, demo_user(Service::ProjectThanos));
    let json = apilogin(&["login", "projectthanos", "--json"], &refs(&env), None)
        .await
        .expect(0)
        .stdout;
    let out = apilogin(&["verify"], &[], Some(&json)).await.expect(2);
    assert!(out.stderr.contains("no verify"), "{}", out.stderr);
    apilogin(&["logout"], &[], Some(&json)).await.expect(2);

    // Not a session; a missing file.
    let out = apilogin(&["verify"], &[], Some("{\"token\": \"zzz-secret\""))
        .await
        .expect(2);
    assert!(!out.stderr.contains("zzz-secret"), "{}", out.stderr);
    apilogin(
        &["verify", "--session", "/nonexistent/session.json"],
        &[],
        None,
    )
    .await
    .expect(1);
}
