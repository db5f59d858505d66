//! The `apilogin` command as a user runs it: a real process, environment variables, exit codes,
//! against sandboxes started here. Each run gets a session store of its own unless a test
//! shares one (`Home`); the sessions themselves are tested in `cli_sessions.rs`.

mod support;

use std::time::Duration;

use apilogin_sandbox::{DEMO_PASSWORD, Fault, SECOND_FACTOR_CODE, Sandbox, Service};
use support::{
    RecordingProxy, WRONG_PASSWORD, apilogin, demo_user, env_for, kind_of, refs, secret_members,
    with,
};

/// `apilogin --help` and `apilogin login --help` are what `tests/golden/*.txt` hold
/// (expectorate). After a deliberate change:
/// `EXPECTORATE=overwrite cargo test -p apilogin --all-features --test cli`.
///
/// The help lists every service of the specs, so the files hold the help of the services in
/// `tests/golden/services.txt`. When a spec is added or removed the comparison is skipped, with
/// a line that says so, until the files are refreshed: what a new service adds to the help
/// comes from its spec, and `help_is_complete` checks it for every service.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_matches_the_golden_files() {
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let services: String = apilogin::ServiceKind::ALL
        .iter()
        .map(|k| format!("{}\n", k.id()))
        .collect();
    let services_file = golden.join("services.txt");
    if std::env::var("EXPECTORATE").as_deref() == Ok("overwrite") {
        std::fs::write(&services_file, &services).unwrap();
    }
    let written_for = std::fs::read_to_string(&services_file).unwrap_or_default();
    if written_for != services {
        eprintln!(
            "skipped: the golden help files were written for the services {:?}, the specs now have {:?} (EXPECTORATE=overwrite refreshes them)",
            written_for.lines().collect::<Vec<_>>(),
            services.lines().collect::<Vec<_>>()
        );
        return;
    }
    for (args, file) in [
        (&["--help"][..], "help.txt"),
        (&["login", "--help"][..], "login-help.txt"),
        (&["status", "--help"][..], "status-help.txt"),
        (&["token", "--help"][..], "token-help.txt"),
        (&["logout", "--help"][..], "logout-help.txt"),
        (&["completion", "--help"][..], "completion-help.txt"),
    ] {
        let out = apilogin(args, &[], None).await.expect(0);
        expectorate::assert_contents(golden.join(file), &out.stdout);
    }
}

/// `apilogin completion <shell>` prints a script for each shell clap knows; the bash one,
/// loaded into a real bash, completes the commands and every service of the specs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_scripts_complete_commands_and_services() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = apilogin(&["completion", shell], &[], None).await.expect(0);
        assert!(out.stdout.contains("logout"), "{shell}: {}", out.stdout);
    }
    apilogin(&["completion", "tcsh"], &[], None).await.expect(2);

    let script = apilogin(&["completion", "bash"], &[], None)
        .await
        .expect(0)
        .stdout;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("apilogin.bash");
    std::fs::write(&file, script).unwrap();
    let complete = |words: &str, index: usize| {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source {}; COMP_WORDS=({words}); COMP_CWORD={index}; COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}; \
                 _apilogin apilogin \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                file.display()
            ))
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let commands = complete("apilogin lo", 1);
    assert!(
        commands.lines().any(|l| l == "login") && commands.lines().any(|l| l == "logout"),
        "{commands}"
    );
    let services = complete("apilogin login ''", 2);
    for kind in apilogin::ServiceKind::ALL {
        assert!(services.lines().any(|l| l == kind.id()), "{services}");
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
        "status",
        "token",
        "APILOGIN_CONFIG_DIR",
        "APILOGIN_STORAGE",
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
        "--json",
        "--show-token",
        "--insecure-storage",
        "--fresh",
        "rocketchat",
        "projectthanos",
    ] {
        assert!(out.stdout.contains(word), "login --help lacks {word}");
    }
    // Every service of the specs, with what its spec says: its id and summary, its variables,
    // and in `token --help` the fields its sessions have.
    let token = apilogin(&["token", "--help"], &[], None).await.expect(0);
    for kind in apilogin::ServiceKind::ALL {
        assert!(out.stdout.contains(kind.id()), "login --help lacks {kind}");
        assert!(
            out.stdout.contains(kind.summary()),
            "login --help lacks {kind}"
        );
        let var = |name: &str| format!("{}_{name}", kind.id().to_ascii_uppercase());
        // A service that logs in with OAuth takes a client id, never a password.
        let names: &[&str] = if kind.uses_oauth() {
            &["URL", "CLIENT_ID"]
        } else {
            &["URL", "USERNAME", "PASSWORD"]
        };
        for name in names {
            assert!(
                out.stdout.contains(&var(name)),
                "login --help lacks {}",
                var(name)
            );
        }
        if kind.has_second_factor() {
            assert!(
                out.stdout.contains(&var("CODE")),
                "login --help lacks {}",
                var("CODE")
            );
        }
        for d in kind.details() {
            let field = d.name.replace('_', "-");
            assert!(token.stdout.contains(&field), "token --help lacks {field}");
            assert!(token.stdout.contains(d.doc), "token --help lacks {}", d.doc);
        }
        if kind.has_user_id() {
            let line = token
                .stdout
                .lines()
                .find(|l| l.trim_start().starts_with("user-id"))
                .unwrap_or_default();
            assert!(line.contains(kind.id()), "token --help: {line}");
        }
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
        // Asked for: the secrets (remote.it's developer key included), never the password.
        let out = apilogin(
            &["login", service.id(), "--json", "--show-token"],
            &refs(&env),
            None,
        )
        .await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        let out = out.hides(DEMO_PASSWORD);
        let session = out.json();
        assert_eq!(session["service"], service.id());
        assert_eq!(session["base_url"], sandbox.base_url());
        assert!(session["token"].as_str().is_some_and(|t| !t.is_empty()));

        // Without --show-token: the same, less every secret its spec names (remote.it's
        // developer key and authhash included).
        let out = apilogin(&["login", service.id(), "--json"], &refs(&env), None)
            .await
            .expect(0);
        let public = out.json();
        assert_eq!(public["service"], service.id());
        assert_eq!(public["user"], session["user"]);
        for name in secret_members(kind_of(service)) {
            assert!(session.get(name).is_some(), "{name} not in {session}");
            assert!(public.get(name).is_none(), "{name} in {public}");
        }
        for (name, value) in session.as_object().unwrap() {
            if let Some(v) = value.as_str().filter(|v| v.len() > 8) {
                assert!(
                    public.get(name).is_some() || !out.stdout.contains(v),
                    "{name} printed"
                );
            }
        }

        let out = apilogin(&["login", service.id()], &refs(&env), None)
            .await
            .expect(0);
        assert!(out.stdout.contains("Logged in to"), "{}", out.stdout);
        assert!(out.stdout.contains(demo_user(service)), "{}", out.stdout);
        assert!(!out.stdout.contains("\"token\""), "{}", out.stdout);
    }
}

/// remote.it keeps two secret details (its spec's `developer_key` and `service_authhash`, of
/// type `secret`): `login --json` prints neither, nor the token; `--show-token` prints them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_json_prints_no_secret_detail() {
    let sandbox = Sandbox::start(Service::RemoteIt).await.unwrap();
    let env = env_for(&sandbox, demo_user(Service::RemoteIt));
    let secret = kind_of(Service::RemoteIt)
        .details()
        .iter()
        .filter(|d| d.secret)
        .map(|d| d.name)
        .collect::<Vec<_>>();
    assert_eq!(secret, ["developer_key", "service_authhash"]);
    let full = apilogin(
        &["login", "remoteit", "--json", "--show-token", "--no-store"],
        &refs(&env),
        None,
    )
    .await;
    assert_eq!(full.code, 0, "{}", full.stderr);
    let full = full.json();
    let mut values = vec![full["token"].as_str().unwrap().to_owned()];
    for name in &secret {
        values.push(full[name].as_str().unwrap().to_owned());
    }
    let out = apilogin(
        &["login", "remoteit", "--json", "--no-store"],
        &refs(&env),
        None,
    )
    .await
    .expect(0);
    for value in &values {
        assert!(!out.stdout.contains(value.as_str()), "{}", out.stdout);
        assert!(!out.stderr.contains(value.as_str()), "{}", out.stderr);
    }
    let public = out.json();
    assert_eq!(public["user"], full["user"]);
    assert_eq!(public["service"], "remoteit");
}

/// A non-secret input of a spec is a flag of `login` (Txty's `keyDescription`:
/// `--key-description`), and what it says reaches the server; the variable is the fallback and
/// the spec's default the last resort.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_input_flag_reaches_the_server() {
    let sandbox = Sandbox::start(Service::Txty).await.unwrap();
    let proxy = RecordingProxy::start(&sandbox).await;
    let env = with(&env_for(&sandbox, "demo"), "TXTY_URL", proxy.base_url());
    let sent = |n: usize| {
        let recorded = proxy.recorded();
        assert_eq!(recorded.len(), n, "{recorded:?}");
        let login = recorded.last().unwrap();
        assert!(
            login.path_and_query.contains("newapikey/login"),
            "{login:?}"
        );
        login.field("description")
    };
    let login = |args: Vec<&'static str>, env: Vec<(String, String)>| async move {
        let mut all = vec!["login", "txty", "--no-store"];
        all.extend(args);
        apilogin(&all, &refs(&env), None).await.expect(0)
    };
    login(vec!["--key-description", "from-the-flag"], env.clone()).await;
    assert_eq!(sent(1).as_deref(), Some("from-the-flag"));
    let with_var = with(&env, "TXTY_KEY_DESCRIPTION", "from-the-variable");
    login(vec![], with_var.clone()).await;
    assert_eq!(sent(2).as_deref(), Some("from-the-variable"));
    login(vec!["--key-description", "flag-wins"], with_var).await;
    assert_eq!(sent(3).as_deref(), Some("flag-wins"));
    login(vec![], env.clone()).await;
    assert_eq!(sent(4).as_deref(), Some("apilogin"), "the spec's default");

    // Another service's input flag is a mistake, said before anything is sent.
    let out = apilogin(
        &[
            "login",
            "rocketchat",
            "--url",
            proxy.base_url(),
            "--key-description",
            "x",
        ],
        &refs(&env),
        None,
    )
    .await
    .expect(2);
    assert!(out.stderr.contains("--key-description"), "{}", out.stderr);
    assert!(out.stderr.contains("Txty"), "{}", out.stderr);
    assert_eq!(proxy.recorded().len(), 4);
}

/// Every non-secret input of every spec has a flag, with its help line; no secret input has one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_non_secret_input_has_a_flag() {
    let help = apilogin(&["login", "--help"], &[], None)
        .await
        .expect(0)
        .stdout;
    let mut flags = 0;
    for kind in apilogin::ServiceKind::ALL {
        for input in kind.inputs() {
            let flag = format!(
                "--{} ",
                input.env_suffix().to_ascii_lowercase().replace('_', "-")
            );
            let var = format!("{}_{}", kind.id().to_ascii_uppercase(), input.env_suffix());
            assert!(help.contains(&var), "{var} not in {help}");
            if input.secret {
                assert!(!help.contains(&flag), "secret input {flag}in {help}");
            } else {
                flags += 1;
                assert!(help.contains(&flag), "{flag}not in {help}");
                assert!(help.contains(input.help), "{} not in {help}", input.help);
            }
        }
    }
    assert!(flags >= 1, "no spec has a non-secret input");
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

        // Wrong code, from the environment.
        let wrong = support::with(&env, &code_var, "000000");
        let out = apilogin(&["login", service.id()], &refs(&wrong), None)
            .await
            .expect(4);
        assert!(out.stderr.contains("second-factor code"), "{}", out.stderr);
        assert!(!out.stderr.contains("000000"), "{}", out.stderr);

        // Never from a flag: it would be visible in the process list.
        let out = apilogin(
            &["login", service.id(), "--code", SECOND_FACTOR_CODE],
            &refs(&env),
            None,
        )
        .await
        .expect(2)
        .hides(SECOND_FACTOR_CODE);
        assert!(out.stderr.contains(&code_var), "{}", out.stderr);

        // Right code, from the environment and from standard input.
        let with_code = support::with(&env, &code_var, SECOND_FACTOR_CODE);
        let out = apilogin(&["login", service.id(), "--json"], &refs(&with_code), None)
            .await
            .expect(0);
        assert!(out.stdout.contains("demo-2fa"), "{}", out.stdout);
        let out = apilogin(
            &["login", service.id()],
            &refs(&env),
            Some(&format!("{SECOND_FACTOR_CODE}\n")),
        )
        .await
        .expect(0)
        .hides(SECOND_FACTOR_CODE);
        assert!(out.stdout.contains("demo-2fa"), "{}", out.stdout);
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

    // Every other answer that is not the API's is the server's doing (7); one cut short is
    // the connection's (6). For every service.
    for service in Service::ALL {
        for (fault, code) in [
            (Fault::MalformedJson, 7),
            (Fault::EmptyOk, 7),
            (Fault::HugeBody, 7),
            (Fault::WrongContentType, 7),
            (Fault::BadGatewayHtml, 7),
            (Fault::Redirect308, 7),
            (Fault::TruncatedBody, 6),
        ] {
            let sandbox = Sandbox::builder(service)
                .fault(fault)
                .start()
                .await
                .unwrap();
            let env = env_for(&sandbox, demo_user(service));
            let out = apilogin(&["login", service.id()], &refs(&env), None).await;
            assert_eq!(
                out.code, code,
                "{service:?} {fault:?}\nstdout: {}\nstderr: {}",
                out.stdout, out.stderr
            );
            assert_eq!(
                code == 6,
                out.stderr.contains("could not reach"),
                "{}",
                out.stderr
            );
            out.expect(code);
        }
    }
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
        let json = apilogin(
            &["login", service.id(), "--json", "--show-token"],
            &refs(&env),
            None,
        )
        .await
        .expect(0)
        .stdout;
        let token = serde_json::from_str::<serde_json::Value>(&json).unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("session.json").to_str().unwrap().to_owned();
        std::fs::write(&path, &json).unwrap();

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
    let json = apilogin(
        &["login", "projectthanos", "--json", "--show-token"],
        &refs(&env),
        None,
    )
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

/// Mattermost has no line of CLI code: its name, variables and second factor come from its spec.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mattermost_second_factor_verify_and_logout() {
    let home = support::Home::new();
    let sandbox = Sandbox::start(Service::Mattermost).await.unwrap();
    let env = env_for(&sandbox, "demo-mfa");
    let out = home
        .run(&["login", "mattermost"], &refs(&env), None)
        .await
        .expect(4);
    assert!(out.stderr.contains("MATTERMOST_CODE"), "{}", out.stderr);
    let with_code = support::with(&env, "MATTERMOST_CODE", SECOND_FACTOR_CODE);
    home.run(&["login", "mattermost"], &refs(&with_code), None)
        .await
        .expect(0)
        .hides(SECOND_FACTOR_CODE)
        .hides(DEMO_PASSWORD);
    let out = home
        .run(&["verify", "mattermost"], &[], None)
        .await
        .expect(0);
    assert!(out.stdout.contains("demo-mfa"), "{}", out.stdout);
    home.run(&["logout", "mattermost"], &[], None)
        .await
        .expect(0);
}
