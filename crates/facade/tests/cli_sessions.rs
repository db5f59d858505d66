//! The command's session store, as a user meets it: `login` keeps the session, `status`
//! lists it, `token` prints it for a script, `logout` ends it. Real processes, real HTTP to
//! sandboxes, the store in a temporary `APILOGIN_CONFIG_DIR`, and no keyring (the child's
//! environment has no D-Bus session bus), so the file store runs, as in CI.

mod support;

use std::net::TcpListener;
use std::time::Duration;

use apilogin_sandbox::{
    DEMO_PASSWORD, REMOTEIT_DEVELOPER_KEY, SECOND_FACTOR_CODE, Sandbox, Service,
};
use support::{Home, Output, apilogin, demo_user, env_for, kind_of, refs, run_raw, with, without};

/// The stored sessions, as `status --json --offline` lists them.
async fn listed(home: &Home) -> Vec<serde_json::Value> {
    let out = home
        .run(&["status", "--json", "--offline"], &[], None)
        .await;
    assert!(matches!(out.code, 0 | 1), "{}", out.stderr);
    out.json()["sessions"].as_array().unwrap().clone()
}

/// A call to Rocket.Chat's `/me` with the token and user id a script got from `apilogin token`.
async fn rocketchat_me(base_url: &str, token: &str, user_id: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .get(format!("{base_url}/api/v1/me"))
        .header("X-Auth-Token", token)
        .header("X-User-Id", user_id)
        .send()
        .await
        .unwrap()
        .status()
}

/// Txty's account view with the API key `apilogin token txty` printed.
async fn txty_view(base_url: &str, user: &str, key: &str) -> String {
    reqwest::Client::new()
        .post(format!("{base_url}/view/user/api.json"))
        .form(&[("user", user), ("key", key)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_status_token_logout_rocketchat() {
    let sandbox = Sandbox::start(Service::RocketChat).await.unwrap();
    let home = Home::new();
    let env = env_for(&sandbox, "demo");

    let out = home
        .run(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    assert!(out.stdout.contains("Logged in to"), "{}", out.stdout);
    let store = home.store_file();
    assert!(
        out.stdout.contains(store.to_str().unwrap()),
        "{}",
        out.stdout
    );
    // No keyring here: the fallback says so, once, on stderr; the next login says nothing.
    assert!(out.stderr.contains("no OS keyring"), "{}", out.stderr);
    let again = home
        .run(&["login", "rocketchat", "--fresh"], &refs(&env), None)
        .await
        .expect(0);
    assert!(!again.stderr.contains("no OS keyring"), "{}", again.stderr);

    // Status: checked with the server, no secret.
    let out = home.run(&["status"], &[], None).await.expect(0);
    assert!(out.stdout.contains("Rocket.Chat"), "{}", out.stdout);
    assert!(out.stdout.contains(sandbox.base_url()), "{}", out.stdout);
    assert!(out.stdout.contains("Logged in as demo"), "{}", out.stdout);
    assert!(out.stdout.contains("valid"), "{}", out.stdout);
    let out = home.run(&["status", "--json"], &[], None).await.expect(0);
    let sessions = out.json()["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["service"], "rocketchat");
    assert_eq!(sessions[0]["base_url"], sandbox.base_url());
    assert_eq!(sessions[0]["account"], "demo");
    assert_eq!(sessions[0]["storage"], "file");
    assert_eq!(sessions[0]["state"], "valid");
    assert_eq!(sessions[0]["default"], true);
    // Rocket.Chat's spec says tokens last 90 days (`lifetimeSeconds`): the session knows.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let expires_at = sessions[0]["expires_at"].as_u64().expect("an expiry");
    assert!(
        (now + 7_776_000 - 60..=now + 7_776_000).contains(&expires_at),
        "{expires_at}"
    );
    let out = home.run(&["status"], &[], None).await.expect(0);
    assert!(
        out.stdout.contains("Token: expires in 90 days")
            || out.stdout.contains("Token: expires in 89 days"),
        "{}",
        out.stdout
    );

    // Token and user id for a script; a request with them works.
    let token = home
        .run(&["token", "rocketchat"], &[], None)
        .await
        .expect(0)
        .stdout;
    let token = token.trim_end_matches('\n').to_owned();
    let user_id = home
        .run(&["token", "rocketchat", "--field", "user-id"], &[], None)
        .await
        .expect(0)
        .stdout
        .trim_end()
        .to_owned();
    assert!(!token.is_empty() && !user_id.is_empty());
    assert_eq!(
        rocketchat_me(sandbox.base_url(), &token, &user_id).await,
        200
    );
    // The token is in no other output.
    home.run(&["status"], &[], None)
        .await
        .expect(0)
        .hides(&token);
    home.run(&["status", "--json"], &[], None)
        .await
        .expect(0)
        .hides(&token);
    home.run(&["verify", "rocketchat"], &[], None)
        .await
        .expect(0)
        .hides(&token);

    // A second login re-uses the session: no password in the environment.
    let no_password = without(&env, "ROCKETCHAT_PASSWORD");
    let out = home
        .run(&["login", "rocketchat"], &refs(&no_password), None)
        .await
        .expect(0)
        .hides(&token);
    assert!(
        out.stderr.contains("without the password"),
        "{}",
        out.stderr
    );
    let token = home
        .run(&["token", "rocketchat"], &[], None)
        .await
        .expect(0)
        .stdout;
    let token = token.trim_end().to_owned();

    // Logout ends it on the server and here.
    let out = home
        .run(&["logout", "rocketchat"], &[], None)
        .await
        .expect(0)
        .hides(&token);
    assert!(out.stdout.contains("Logged out"), "{}", out.stdout);
    assert!(
        out.stderr.contains("Ended the session on the server"),
        "{}",
        out.stderr
    );
    assert_eq!(
        rocketchat_me(sandbox.base_url(), &token, &user_id).await,
        401
    );
    let out = home.run(&["status"], &[], None).await.expect(1);
    assert!(out.stderr.contains("not logged in"), "{}", out.stderr);
    assert!(listed(&home).await.is_empty());
    let out = home
        .run(&["token", "rocketchat"], &[], None)
        .await
        .expect(1);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains("apilogin login rocketchat"),
        "{}",
        out.stderr
    );

    // Now a login needs the password again.
    let out = home
        .run(&["login", "rocketchat"], &refs(&no_password), None)
        .await
        .expect(2);
    assert!(out.stderr.contains("ROCKETCHAT_PASSWORD"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_status_token_logout_txty() {
    let sandbox = Sandbox::start(Service::Txty).await.unwrap();
    let home = Home::new();
    let env = env_for(&sandbox, "demo");
    home.run(&["login", "txty"], &refs(&env), None)
        .await
        .expect(0);
    let key = home
        .run(&["token", "txty"], &[], None)
        .await
        .expect(0)
        .stdout;
    let key = key.trim_end().to_owned();
    let view = txty_view(sandbox.base_url(), "demo", &key).await;
    assert!(
        view.contains("\"success\"") || !view.contains("INVALID_APIKEY"),
        "{view}"
    );
    assert!(!view.contains("INVALID_APIKEY"), "{view}");

    // Txty has no user id: asking for one is a usage error.
    home.run(&["token", "txty", "--field", "user-id"], &[], None)
        .await
        .expect(2);

    home.run(&["logout", "txty"], &[], None)
        .await
        .expect(0)
        .hides(&key);
    let view = txty_view(sandbox.base_url(), "demo", &key).await;
    assert!(view.contains("INVALID_APIKEY"), "{view}");
    assert!(listed(&home).await.is_empty());
}

/// `token --field` offers what each spec says a session has: `token`, `user-id` where the spec
/// reads a user id, and every detail (kebab case, or as the spec writes it); each prints what
/// the login gave. A field the service does not have is a usage error naming the ones it has.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_prints_every_field_the_spec_offers() {
    let mut printed = 0;
    for service in Service::ALL {
        let kind = kind_of(service);
        let sandbox = Sandbox::start(service).await.unwrap();
        let home = Home::new();
        let env = env_for(&sandbox, demo_user(service));
        let session = home
            .run(
                &["login", service.id(), "--json", "--show-token"],
                &refs(&env),
                None,
            )
            .await;
        assert_eq!(session.code, 0, "{}", session.stderr);
        let session = session.json();
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let mut fields = vec![("token".to_owned(), text(&session["token"]))];
        if kind.has_user_id() {
            fields.push(("user-id".to_owned(), text(&session["user"]["user_id"])));
        }
        for d in kind.details() {
            let want = text(&session[d.name]);
            fields.push((d.name.replace('_', "-"), want.clone()));
            // The spec's spelling works too.
            fields.push((d.name.to_owned(), want));
        }
        for (field, want) in fields {
            let out = home
                .run(&["token", service.id(), "--field", &field], &[], None)
                .await;
            match want {
                Some(want) => {
                    assert_eq!(out.code, 0, "{service:?} {field}: {}", out.stderr);
                    assert_eq!(out.stdout, format!("{want}\n"), "{service:?} {field}");
                    printed += 1;
                }
                // An optional detail the server did not give.
                None => {
                    assert_eq!(out.code, 1, "{service:?} {field}: {}", out.stderr);
                    assert!(out.stderr.contains("has no"), "{}", out.stderr);
                }
            }
        }

        // Not a field of this service: exit 2, naming the ones it has.
        let mut unknown = vec!["no-such-field"];
        if !kind.has_user_id() {
            unknown.push("user-id");
        }
        for field in unknown {
            let out = home
                .run(&["token", service.id(), "--field", field], &[], None)
                .await
                .expect(2);
            assert!(out.stderr.contains(field), "{}", out.stderr);
            assert!(out.stderr.contains("token"), "{}", out.stderr);
            for d in kind.details() {
                assert!(
                    out.stderr.contains(&d.name.replace('_', "-")),
                    "{}",
                    out.stderr
                );
            }
        }
    }
    // token ×5, four user ids, remote.it ×2×2, Txty ×2, Project Thanos ≥ 3×2.
    assert!(printed >= 21, "{printed} fields printed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remoteit_and_projectthanos_are_stored_but_not_checked() {
    let remoteit = Sandbox::start(Service::RemoteIt).await.unwrap();
    let thanos = Sandbox::start(Service::ProjectThanos).await.unwrap();
    let home = Home::new();
    let renv = env_for(&remoteit, demo_user(Service::RemoteIt));
    home.run(&["login", "remoteit"], &refs(&renv), None)
        .await
        .expect(0);
    let tenv = env_for(&thanos, demo_user(Service::ProjectThanos));
    home.run(&["login", "projectthanos"], &refs(&tenv), None)
        .await
        .expect(0);

    let out = home.run(&["status", "--json"], &[], None).await.expect(0);
    let sessions = out.json()["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2);
    assert!(
        sessions.iter().all(|s| s["state"] == "unchecked"),
        "{sessions:?}"
    );

    // remote.it: token and developer key, each on request; no password needed to log in again
    // (the authhash), not even the developer key.
    let dev = home
        .run(
            &["token", "remoteit", "--field", "developer-key"],
            &[],
            None,
        )
        .await;
    assert_eq!(dev.code, 0, "{}", dev.stderr);
    assert_eq!(dev.stdout.trim_end(), REMOTEIT_DEVELOPER_KEY);
    let bare = without(
        &without(&renv, "REMOTEIT_PASSWORD"),
        "REMOTEIT_DEVELOPER_KEY",
    );
    let out = home
        .run(&["login", "remoteit"], &refs(&bare), None)
        .await
        .expect(0);
    assert!(
        out.stderr.contains("without the password"),
        "{}",
        out.stderr
    );
    // --fresh asks for the password.
    home.run(&["login", "remoteit", "--fresh"], &refs(&bare), None)
        .await
        .expect(2);

    // Neither has a logout call: forgotten here, with a word about it.
    let out = home.run(&["logout", "--all"], &[], None).await.expect(0);
    assert!(out.stderr.contains("no logout call"), "{}", out.stderr);
    assert!(listed(&home).await.is_empty());
}

/// `--user` defaults to the account of the stored session of the server, for a login with the
/// password too (`--fresh`, or a service that cannot log in again without it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_login_takes_the_stored_account() {
    for service in [Service::RocketChat, Service::Mattermost] {
        let sandbox = Sandbox::start(service).await.unwrap();
        let home = Home::new();
        let env = env_for(&sandbox, "demo");
        home.run(&["login", service.id()], &refs(&env), None)
            .await
            .expect(0);
        let prefix = service.id().to_ascii_uppercase();
        let bare = without(&env, &format!("{prefix}_USERNAME"));
        let out = home
            .run(&["login", service.id(), "--fresh"], &refs(&bare), None)
            .await
            .expect(0);
        assert!(out.stdout.contains("as demo"), "{}", out.stdout);
        assert_eq!(listed(&home).await.len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_and_two_servers() {
    let one = Sandbox::start(Service::RocketChat).await.unwrap();
    let two = Sandbox::start(Service::RocketChat).await.unwrap();
    let home = Home::new();
    let demo = env_for(&one, "demo");
    let tfa = with(
        &env_for(&one, "demo-2fa"),
        "ROCKETCHAT_CODE",
        SECOND_FACTOR_CODE,
    );
    let other_server = env_for(&two, "demo");
    home.run(&["login", "rocketchat"], &refs(&demo), None)
        .await
        .expect(0);
    home.run(&["login", "rocketchat"], &refs(&tfa), None)
        .await
        .expect(0);
    home.run(&["login", "rocketchat"], &refs(&other_server), None)
        .await
        .expect(0);

    let sessions = listed(&home).await;
    assert_eq!(sessions.len(), 3, "{sessions:?}");
    let defaults: Vec<_> = sessions.iter().filter(|s| s["default"] == true).collect();
    assert_eq!(defaults.len(), 1);
    assert_eq!(defaults[0]["base_url"], two.base_url());

    // The default is the last login; --url and --user pick another.
    let token_of = |args: Vec<&'static str>| {
        let home = &home;
        async move {
            let out = home.run(&args, &[], None).await.expect(0);
            out.stdout.trim_end().to_owned()
        }
    };
    let user_id_default = token_of(vec!["token", "rocketchat", "--field", "user-id"]).await;
    let out = home
        .run(
            &[
                "token",
                "rocketchat",
                "--url",
                one.base_url(),
                "--user",
                "demo-2fa",
                "--field",
                "user-id",
            ],
            &[],
            None,
        )
        .await
        .expect(0);
    let tfa_id = out.stdout.trim_end().to_owned();
    assert_ne!(tfa_id, user_id_default);
    let out = home
        .run(
            &[
                "token",
                "rocketchat",
                "--url",
                one.base_url(),
                "--user",
                "demo",
            ],
            &[],
            None,
        )
        .await
        .expect(0);
    let demo_token = out.stdout.trim_end().to_owned();
    let demo_id = home
        .run(
            &[
                "token",
                "rocketchat",
                "--url",
                one.base_url(),
                "--user",
                "demo",
                "--field",
                "user-id",
            ],
            &[],
            None,
        )
        .await
        .expect(0)
        .stdout
        .trim_end()
        .to_owned();
    assert_eq!(
        rocketchat_me(one.base_url(), &demo_token, &demo_id).await,
        200
    );
    // Unknown account: not logged in.
    home.run(&["token", "rocketchat", "--user", "nobody"], &[], None)
        .await
        .expect(1);
    // `demo` is stored on both servers, and the first server has two accounts: naming only
    // one of the two is ambiguous, and the error lists the choices (and no token).
    for args in [
        vec!["token", "rocketchat", "--user", "demo"],
        vec!["token", "rocketchat", "--url", one.base_url()],
        vec!["verify", "rocketchat", "--user", "demo"],
    ] {
        let out = home.run(&args, &[], None).await.expect(2);
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
        assert!(
            out.stderr.contains("2 sessions of Rocket.Chat match"),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains(one.base_url()), "{}", out.stderr);
    }
    // The account alone on its server is not ambiguous.
    token_of(vec!["token", "rocketchat", "--user", "demo-2fa"]).await;

    // Logging out of one leaves the others.
    home.run(
        &[
            "logout",
            "rocketchat",
            "--url",
            one.base_url(),
            "--user",
            "demo",
        ],
        &[],
        None,
    )
    .await
    .expect(0);
    assert_eq!(
        rocketchat_me(one.base_url(), &demo_token, &demo_id).await,
        401
    );
    let sessions = listed(&home).await;
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    assert!(
        sessions
            .iter()
            .all(|s| s["account"] != "demo" || s["base_url"] != one.base_url())
    );
    let out = home.run(&["logout", "--all"], &[], None).await.expect(0);
    assert_eq!(
        out.stdout.matches("Logged out").count(),
        2,
        "{}",
        out.stdout
    );
    assert!(listed(&home).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_store_is_reported_and_left_alone() {
    let sandbox = Sandbox::start(Service::RocketChat).await.unwrap();
    let env = env_for(&sandbox, "demo");

    // The whole file.
    let home = Home::new();
    std::fs::create_dir_all(home.config()).unwrap();
    let garbage = b"{\"version\": 1, \"sessions\": [ oops \"tok-secret-123\"";
    std::fs::write(home.store_file(), garbage).unwrap();
    for args in [
        &["login", "rocketchat"][..],
        &["status"],
        &["token", "rocketchat"],
        &["logout", "--all"],
    ] {
        let out = home
            .run(args, &refs(&env), None)
            .await
            .expect(1)
            .hides("tok-secret-123");
        assert!(
            out.stderr.contains(home.store_file().to_str().unwrap()),
            "{args:?}: {}",
            out.stderr
        );
        assert!(out.stderr.contains("left as it is"), "{}", out.stderr);
        assert_eq!(std::fs::read(home.store_file()).unwrap(), garbage);
    }
    // Nothing was sent: the login stopped before asking the server.
    // (The sandbox would have counted a login towards its rate limit; a new login works.)

    // One entry: reported, the others still listed, the file untouched.
    let home = Home::new();
    home.run(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    let thanos = Sandbox::start(Service::ProjectThanos).await.unwrap();
    home.run(
        &["login", "projectthanos"],
        &refs(&env_for(&thanos, demo_user(Service::ProjectThanos))),
        None,
    )
    .await
    .expect(0);
    let text = std::fs::read_to_string(home.store_file()).unwrap();
    let mut index: serde_json::Value = serde_json::from_str(&text).unwrap();
    index["sessions"][0]["session"] = serde_json::json!({"token": 5});
    let broken = serde_json::to_string_pretty(&index).unwrap();
    std::fs::write(home.store_file(), &broken).unwrap();
    let out = home
        .run(&["status", "--offline"], &[], None)
        .await
        .expect(1);
    assert!(out.stdout.contains("unreadable"), "{}", out.stdout);
    assert!(out.stdout.contains("Project Thanos"), "{}", out.stdout);
    assert!(
        out.stdout.contains(home.store_file().to_str().unwrap()),
        "{}",
        out.stdout
    );
    home.run(&["token", "rocketchat"], &[], None)
        .await
        .expect(1);
    for args in [
        &["login", "rocketchat"][..],
        &["login", "rocketchat", "--fresh"],
    ] {
        let out = home.run(args, &refs(&env), None).await.expect(1);
        assert!(out.stderr.contains("cannot be read"), "{}", out.stderr);
    }
    assert_eq!(std::fs::read_to_string(home.store_file()).unwrap(), broken);
    // Forgetting it is the way out; the other session stays.
    let out = home
        .run(&["logout", "rocketchat"], &[], None)
        .await
        .expect(0);
    assert!(
        out.stderr.contains("forgetting it anyway"),
        "{}",
        out.stderr
    );
    home.run(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    assert_eq!(listed(&home).await.len(), 2);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_readable_only_by_the_user() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;

    let sandbox = Sandbox::start(Service::Txty).await.unwrap();
    let env = env_for(&sandbox, "demo");
    let home = Home::new();
    // The session file a script asked for already exists, readable by everyone.
    let output = home.path().join("session.json");
    std::fs::write(&output, "old").unwrap();
    std::fs::set_permissions(&output, std::fs::Permissions::from_mode(0o644)).unwrap();
    home.run(
        &["login", "txty", "--output", output.to_str().unwrap()],
        &refs(&env),
        None,
    )
    .await
    .expect(0);
    assert_eq!(mode(&home.config()), 0o700);
    assert_eq!(mode(&home.store_file()), 0o600);
    assert_eq!(mode(&output), 0o600);
    // The file is a session `verify --session` takes.
    let out = apilogin(
        &["verify", "--session", output.to_str().unwrap()],
        &[],
        None,
    )
    .await
    .expect(0);
    assert!(out.stdout.contains("Session valid: demo"), "{}", out.stdout);
    // Still 0600 after an update; no temporary file left behind.
    home.run(&["login", "txty", "--insecure-storage"], &refs(&env), None)
        .await
        .expect(0);
    assert_eq!(mode(&home.store_file()), 0o600);
    let mut names: Vec<_> = std::fs::read_dir(home.config())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    // The index, its lock and the mark that the no-keyring notice was shown (it is once).
    assert_eq!(
        names,
        ["keyring-notice-shown", "sessions.json", "sessions.lock"]
    );
    assert_eq!(mode(&home.config().join("sessions.lock")), 0o600);
    assert_eq!(mode(&home.config().join("keyring-notice-shown")), 0o600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forced_file_storage_says_nothing_and_no_store_stores_nothing() {
    let sandbox = Sandbox::start(Service::RocketChat).await.unwrap();
    let env = env_for(&sandbox, "demo");
    let home = Home::new();
    let out = home
        .run(
            &["login", "rocketchat", "--insecure-storage"],
            &refs(&env),
            None,
        )
        .await
        .expect(0);
    assert!(!out.stderr.contains("keyring"), "{}", out.stderr);
    let out = home
        .run(
            &["login", "rocketchat", "--fresh"],
            &refs(&with(&env, "APILOGIN_STORAGE", "file")),
            None,
        )
        .await
        .expect(0);
    assert!(!out.stderr.contains("keyring"), "{}", out.stderr);
    home.run(
        &["login", "rocketchat"],
        &refs(&with(&env, "APILOGIN_STORAGE", "nonsense")),
        None,
    )
    .await
    .expect(2);

    let home = Home::new();
    let out = home
        .run(&["login", "rocketchat", "--no-store"], &refs(&env), None)
        .await
        .expect(0);
    assert!(out.stdout.contains("not stored"), "{}", out.stdout);
    assert!(!home.config().exists());
}

/// A Rocket.Chat look-alike whose user name, display name and e-mail carry terminal escape
/// sequences (title change, screen clear, C1 CSI, bidi override), and which echoes the
/// password back in an error, spelled as the path asks (`/json/…`, `/percent/…`, …).
async fn hostile_rocketchat() -> String {
    use axum::extract::Path;
    use axum::routing::{get, post};

    const NAME: &str = "Mallory\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}evil";
    fn me() -> serde_json::Value {
        serde_json::json!({
            "_id": "u\u{1b}[1mid", "username": "mallory\u{1b}[31m", "name": NAME,
            "emails": [{"address": "m\u{1b}[5m@example.com", "verified": true}],
            "status": "online", "active": true, "roles": ["user"], "success": true,
        })
    }
    async fn login(
        Path(mode): Path<String>,
        axum::Json(body): axum::Json<serde_json::Value>,
    ) -> axum::response::Response {
        use axum::response::IntoResponse as _;
        let password = body["password"].as_str().unwrap_or_default().to_owned();
        let echoed = match mode.as_str() {
            "evil" | "eviltoken" => {
                let token = if mode == "evil" {
                    "tok-evil-0123456789"
                } else {
                    "tok\u{1b}]0;x\u{7}"
                };
                return axum::Json(serde_json::json!({
                    "status": "success",
                    "data": {"authToken": token, "userId": "u-evil", "me": me()},
                }))
                .into_response();
            }
            // As inside a JSON string.
            "json" => serde_json::to_string(&password)
                .unwrap()
                .trim_matches('"')
                .to_owned(),
            "php" => password
                .chars()
                .map(|c| match c {
                    '/' => "\\/".to_owned(),
                    '"' => "\\\"".to_owned(),
                    c if !c.is_ascii() => c
                        .encode_utf16(&mut [0; 2])
                        .iter()
                        .map(|u| format!("\\u{u:04x}"))
                        .collect(),
                    c => c.to_string(),
                })
                .collect(),
            "unicode" => password
                .chars()
                .map(|c| format!("\\u{:04X}", c as u32))
                .collect(),
            "form" => form_urlencoded::byte_serialize(password.as_bytes()).collect(),
            "percent" => password.bytes().map(|b| format!("%{b:02x}")).collect(),
            "html" => password
                .chars()
                .map(|c| match c {
                    '"' => "&quot;".to_owned(),
                    '&' => "&amp;".to_owned(),
                    '<' => "&lt;".to_owned(),
                    '>' => "&gt;".to_owned(),
                    '/' => "&#x2F;".to_owned(),
                    c if !c.is_ascii() => format!("&#{};", c as u32),
                    c => c.to_string(),
                })
                .collect(),
            _ => password,
        };
        (
            axum::http::StatusCode::BAD_GATEWAY,
            format!("upstream refused the login, you sent: {echoed} (try later)"),
        )
            .into_response()
    }
    let app = axum::Router::new()
        .route("/{mode}/api/v1/login", post(login))
        .route("/{mode}/api/v1/me", get(|| async { axum::Json(me()) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

fn assert_harmless(out: &Output) {
    for c in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
        assert!(
            !out.stdout.contains(c) && !out.stderr.contains(c),
            "{c:?} printed\nstdout: {:?}\nstderr: {:?}",
            out.stdout,
            out.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_text_is_printed_harmless() {
    let origin = hostile_rocketchat().await;
    let url = format!("{origin}/evil");
    let home = Home::new();
    let env = [
        ("ROCKETCHAT_URL", url.as_str()),
        ("ROCKETCHAT_USERNAME", "mallory"),
        ("ROCKETCHAT_PASSWORD", DEMO_PASSWORD),
    ];
    let out = home
        .run(&["login", "rocketchat"], &env, None)
        .await
        .expect(0);
    assert_harmless(&out);
    assert!(
        out.stdout.contains("Mallory\\u{1b}]0;pwned"),
        "{}",
        out.stdout
    );
    for args in [
        &["status"][..],
        &["status", "--json"],
        &["verify", "rocketchat"],
        &["verify", "rocketchat", "--json"],
        &["login", "rocketchat", "--json"],
    ] {
        let out = home.run(args, &env, None).await;
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert_harmless(&out);
    }
    // JSON output keeps the value, escaped.
    let out = home.run(&["status", "--json"], &[], None).await.expect(0);
    assert_eq!(
        out.json()["sessions"][0]["user"]["name"],
        "Mallory\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}evil"
    );
    // A token that would steer the terminal is not printed.
    let home = Home::new();
    let url = format!("{origin}/eviltoken");
    let env = [
        ("ROCKETCHAT_URL", url.as_str()),
        ("ROCKETCHAT_USERNAME", "mallory"),
        ("ROCKETCHAT_PASSWORD", DEMO_PASSWORD),
    ];
    home.run(&["login", "rocketchat"], &env, None)
        .await
        .expect(0);
    let out = home
        .run(&["token", "rocketchat"], &[], None)
        .await
        .expect(1);
    assert!(out.stdout.is_empty(), "{:?}", out.stdout);
    assert_harmless(&out);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_echoed_in_any_encoding_is_scrubbed() {
    let origin = hostile_rocketchat().await;
    let password = "p\"ä/ss w&rd<1>%";
    for mode in ["raw", "json", "php", "unicode", "form", "percent", "html"] {
        let url = format!("{origin}/{mode}");
        let env = [
            ("ROCKETCHAT_URL", url.as_str()),
            ("ROCKETCHAT_USERNAME", "mallory"),
            ("ROCKETCHAT_PASSWORD", password),
        ];
        let out = apilogin(&["login", "rocketchat"], &env, None)
            .await
            .expect(7);
        assert!(
            out.stderr.contains("you sent: <redacted> (try later)"),
            "{mode}: {}",
            out.stderr
        );
        assert!(
            !out.stderr.contains("ss w")
                && !out.stderr.contains("ss+w")
                && !out.stderr.contains("ss%20w"),
            "{mode}: {}",
            out.stderr
        );
    }
}

/// A Rocket.Chat and Mattermost look-alike that answers a login with an error page echoing the
/// JSON body it got in a layered encoding (`/{mode}/…`): inside an HTML page (a `"` of the
/// password reads `\&quot;`), percent-encoded twice, or base64 of the body.
async fn layered_echo_server() -> String {
    use axum::extract::Path;
    use axum::routing::post;

    async fn login(Path(mode): Path<String>, body: String) -> axum::response::Response {
        use axum::response::IntoResponse as _;
        let twice = |s: &str| {
            let once: String = form_urlencoded::byte_serialize(s.as_bytes()).collect();
            form_urlencoded::byte_serialize(once.as_bytes()).collect::<String>()
        };
        let (content_type, page) = match mode.as_str() {
            "htmljson" => {
                let escaped = body
                    .replace('&', "&amp;")
                    .replace('"', "&quot;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;");
                (
                    "text/html",
                    format!("<html><body><h1>Bad gateway</h1><pre>{escaped}</pre></body></html>"),
                )
            }
            "double" => (
                "text/plain",
                format!("upstream said no to {}", twice(&body)),
            ),
            _ => {
                use base64::Engine as _;
                let encoded = base64::engine::general_purpose::STANDARD.encode(&body);
                ("text/plain", format!("request was {encoded}"))
            }
        };
        (
            axum::http::StatusCode::BAD_GATEWAY,
            [("content-type", content_type)],
            page,
        )
            .into_response()
    }
    let app = axum::Router::new()
        .route("/{mode}/api/v1/login", post(login))
        .route("/{mode}/api/v4/users/login", post(login));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_echoed_through_layered_encodings_is_scrubbed_for_both_chat_services() {
    let origin = layered_echo_server().await;
    let password = "p\"ä/ss w&rd<1>%";
    for service in ["rocketchat", "mattermost"] {
        let prefix = service.to_ascii_uppercase();
        for mode in ["htmljson", "double", "base64"] {
            let url = format!("{origin}/{mode}");
            let env = [
                (format!("{prefix}_URL"), url),
                (format!("{prefix}_USERNAME"), "mallory".to_owned()),
                (format!("{prefix}_PASSWORD"), password.to_owned()),
            ];
            let out = apilogin(&["login", service], &refs(&env), None)
                .await
                .expect(7);
            assert!(
                out.stderr.contains("<redacted>"),
                "{service} {mode}: {}",
                out.stderr
            );
            for leaked in [
                "ss w",
                "ss+w",
                "ss%20w",
                "ss%2Bw",
                "ss%2520w",
                "\\&quot;",
                "&quot;p\\",
                "ss%252Bw",
            ] {
                assert!(
                    !out.stderr.contains(leaked),
                    "{service} {mode}: {leaked} in {}",
                    out.stderr
                );
            }
            // No run of base64 in what was printed decodes to the password, at any alignment.
            for run in out
                .stderr
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/'))
            {
                use base64::Engine as _;
                for offset in 0..4.min(run.len()) {
                    let piece = &run[offset..];
                    let piece = &piece[..piece.len() / 4 * 4];
                    let decoded = base64::engine::general_purpose::STANDARD_NO_PAD
                        .decode(piece)
                        .unwrap_or_default();
                    assert!(
                        !String::from_utf8_lossy(&decoded).contains("ss w"),
                        "{service} {mode}: the password in base64 in {}",
                        out.stderr
                    );
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_never_goes_through_a_proxy() {
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let sandbox = Sandbox::start(Service::RocketChat).await.unwrap();
    let mut env = env_for(&sandbox, "demo");
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
    ] {
        env.push((var.to_owned(), proxy_url.clone()));
    }
    let home = Home::new();
    home.run(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    home.run(&["status"], &refs(&env), None).await.expect(0);
    home.run(&["logout", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    assert!(
        matches!(proxy.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the proxy got a connection"
    );

    // https does go through it (so the check above can fail): the proxy is asked to CONNECT.
    let out = home
        .run(
            &[
                "login",
                "rocketchat",
                "--url",
                "https://chat.example.invalid",
                "--timeout",
                "1",
            ],
            &refs(&env),
            None,
        )
        .await
        .expect(6);
    assert!(out.stderr.contains("could not reach"), "{}", out.stderr);
    proxy.set_nonblocking(false).unwrap();
    let (mut conn, _) = proxy.accept().expect("https went to the proxy");
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut head = [0u8; 64];
    let n = std::io::Read::read(&mut conn, &mut head).unwrap_or(0);
    assert!(String::from_utf8_lossy(&head[..n]).starts_with("CONNECT chat.example.invalid:443"));
}

/// Where a keyring runs (a desktop session with a Secret Service, macOS, Windows), the session
/// goes there and nowhere else; elsewhere the test says why it did not run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyring_storage_where_there_is_one() {
    let sandbox = Sandbox::start(Service::RocketChat).await.unwrap();
    let home = Home::new();
    let mut env = env_for(&sandbox, "demo");
    env.push(("APILOGIN_STORAGE".to_owned(), "keyring".to_owned()));
    env.push((
        "APILOGIN_CONFIG_DIR".to_owned(),
        home.config().to_str().unwrap().to_owned(),
    ));
    // What a keyring needs from the user's environment.
    for var in [
        "DBUS_SESSION_BUS_ADDRESS",
        "XDG_RUNTIME_DIR",
        "HOME",
        "USER",
    ] {
        if let Ok(v) = std::env::var(var) {
            env.push((var.to_owned(), v));
        }
    }
    let out = run_raw(&["login", "rocketchat"], env.clone(), None).await;
    if out.code == 1
        && out
            .stderr
            .contains("cannot store the session in the OS keyring")
    {
        println!(
            "SKIPPED keyring_storage_where_there_is_one: no OS keyring here ({})",
            out.stderr.trim()
        );
        return;
    }
    let out = out.expect(0);
    assert!(out.stdout.contains("the OS keyring"), "{}", out.stdout);
    let text = std::fs::read_to_string(home.store_file()).unwrap();
    let token = run_raw(&["token", "rocketchat"], env.clone(), None)
        .await
        .expect(0)
        .stdout;
    let token = token.trim_end();
    assert!(!text.contains(token), "the token is in the index file");
    let out = run_raw(&["status", "--json"], env.clone(), None)
        .await
        .expect(0);
    assert_eq!(out.json()["sessions"][0]["storage"], "keyring");
    run_raw(&["logout", "rocketchat"], env.clone(), None)
        .await
        .expect(0);
    run_raw(&["token", "rocketchat"], env, None).await.expect(1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ended_elsewhere_is_reported_and_replaced() {
    let sandbox = Sandbox::start(Service::RocketChat).await.unwrap();
    let home = Home::new();
    let env = env_for(&sandbox, "demo");
    home.run(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    let token = home
        .run(&["token", "rocketchat"], &[], None)
        .await
        .expect(0)
        .stdout;
    let user_id = home
        .run(&["token", "rocketchat", "--field", "user-id"], &[], None)
        .await
        .expect(0)
        .stdout;
    // Logged out by someone else (another client, an administrator).
    let status = reqwest::Client::new()
        .post(format!("{}/api/v1/logout", sandbox.base_url()))
        .header("X-Auth-Token", token.trim_end())
        .header("X-User-Id", user_id.trim_end())
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);

    // Status: rejected, exit 3; offline, it cannot know.
    let out = home.run(&["status"], &[], None).await.expect(3);
    assert!(out.stdout.contains("rejected"), "{}", out.stdout);
    home.run(&["status", "--offline"], &[], None)
        .await
        .expect(0);
    let out = home
        .run(&["verify", "rocketchat"], &[], None)
        .await
        .expect(3);
    assert!(out.stderr.contains("log in again"), "{}", out.stderr);

    // Login notices and falls back to the password; the new session replaces the old one.
    let out = home
        .run(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    assert!(out.stderr.contains("no longer accepted"), "{}", out.stderr);
    assert_eq!(listed(&home).await.len(), 1);
    home.run(&["status"], &[], None).await.expect(0);

    // A logout of a session the server already ended still forgets it.
    let token = home
        .run(&["token", "rocketchat"], &[], None)
        .await
        .expect(0)
        .stdout;
    reqwest::Client::new()
        .post(format!("{}/api/v1/logout", sandbox.base_url()))
        .header("X-Auth-Token", token.trim_end())
        .header("X-User-Id", user_id.trim_end())
        .send()
        .await
        .unwrap();
    let out = home
        .run(&["logout", "rocketchat"], &[], None)
        .await
        .expect(0);
    assert!(out.stderr.contains("already ended"), "{}", out.stderr);
    assert!(listed(&home).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_that_cannot_reach_the_server_still_forgets() {
    let sandbox = Sandbox::start(Service::Txty).await.unwrap();
    let home = Home::new();
    let env = env_for(&sandbox, "demo");
    home.run(&["login", "txty"], &refs(&env), None)
        .await
        .expect(0);
    sandbox.shutdown().await;
    let out = home.run(&["logout", "txty"], &[], None).await.expect(6);
    assert!(out.stderr.contains("may still be valid"), "{}", out.stderr);
    // Said once: as the error, not also as a warning before it.
    assert_eq!(
        out.stderr.matches("could not reach").count(),
        1,
        "{}",
        out.stderr
    );
    assert!(listed(&home).await.is_empty());
}

/// `login --with-token` stores a token the user already has (from standard input), after the
/// server accepted it, under the account the server says it belongs to: Rocket.Chat with its
/// user id, Mattermost with the token alone. A refused token stores nothing; a service whose
/// sessions keep more than a token (Txty's key id) says so. The token is never printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_with_a_token_you_already_have() {
    for (service, user_id_needed) in [(Service::RocketChat, true), (Service::Mattermost, false)] {
        let sandbox = Sandbox::start(service).await.unwrap();
        let id = service.id();
        // A token issued elsewhere (here: a login that stores nothing).
        let issued = apilogin(
            &["login", id, "--no-store", "--json", "--show-token"],
            &refs(&env_for(&sandbox, "demo")),
            None,
        )
        .await
        .expect(0)
        .json();
        let token = issued["token"].as_str().unwrap().to_owned();
        let user_id = issued["user"]["user_id"].as_str().unwrap().to_owned();
        let url = [(
            format!("{}_URL", id.to_ascii_uppercase()),
            sandbox.base_url().to_owned(),
        )];
        let home = Home::new();

        // Refused by the server: nothing stored, exit 3.
        let mut args = vec!["login", id, "--with-token"];
        if user_id_needed {
            args.extend(["--user-id", &user_id]);
        }
        home.run(&args, &refs(&url), Some("not-a-token\n"))
            .await
            .expect(3);
        assert!(listed(&home).await.is_empty());
        if user_id_needed {
            let out = home
                .run(&["login", id, "--with-token"], &refs(&url), Some(&token))
                .await
                .expect(2)
                .hides(&token);
            assert!(out.stderr.contains("user id"), "{}", out.stderr);
        }

        let out = home
            .run(&args, &refs(&url), Some(&format!("{token}\n")))
            .await
            .expect(0)
            .hides(&token);
        assert!(out.stderr.contains("accepted the token"), "{}", out.stderr);
        let sessions = listed(&home).await;
        assert_eq!(sessions.len(), 1, "{sessions:?}");
        assert_eq!(sessions[0]["account"], "demo");
        assert_eq!(sessions[0]["state"], "unchecked");
        let printed = home.run(&["token", id], &[], None).await.expect(0).stdout;
        assert_eq!(printed.trim_end(), token);
        home.run(&["verify", id], &[], None).await.expect(0);
    }

    let sandbox = Sandbox::start(Service::Txty).await.unwrap();
    let out = apilogin(
        &["login", "txty", "--with-token"],
        &[("TXTY_URL", sandbox.base_url())],
        Some("some-api-key\n"),
    )
    .await
    .expect(2);
    assert!(out.stderr.contains("more than a token"), "{}", out.stderr);
}

/// Without --url, `login` goes to the server of the stored session for every service, not only
/// the self-hosted ones, and says so before anything secret is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_takes_the_stored_server_of_any_service() {
    let sandbox = Sandbox::start(Service::RemoteIt).await.unwrap();
    let home = Home::new();
    let env = env_for(&sandbox, demo_user(Service::RemoteIt));
    home.run(&["login", "remoteit"], &refs(&env), None)
        .await
        .expect(0);
    let no_url = without(&env, "REMOTEIT_URL");
    let out = home
        .run(&["login", "remoteit", "--fresh"], &refs(&no_url), None)
        .await
        .expect(0);
    assert!(
        out.stderr.contains("the server of the stored session")
            && out.stderr.contains(sandbox.base_url()),
        "{}",
        out.stderr
    );
    let sessions = listed(&home).await;
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(sessions[0]["base_url"], sandbox.base_url());
}

/// The base URL of the one default session of the store.
async fn default_url(home: &Home) -> String {
    let sessions = listed(home).await;
    let defaults: Vec<_> = sessions.iter().filter(|s| s["default"] == true).collect();
    assert_eq!(defaults.len(), 1, "{sessions:?}");
    defaults[0]["base_url"].as_str().unwrap().to_owned()
}

/// `switch` makes another stored session the default, as `gh auth switch`: with two it takes
/// the other one, with more it needs --url/--user, with one there is nothing to switch to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switch_changes_the_default_session() {
    let one = Sandbox::start(Service::RocketChat).await.unwrap();
    let two = Sandbox::start(Service::RocketChat).await.unwrap();
    let home = Home::new();
    home.run(&["switch", "rocketchat"], &[], None)
        .await
        .expect(1);
    home.run(
        &["login", "rocketchat"],
        &refs(&env_for(&one, "demo")),
        None,
    )
    .await
    .expect(0);
    let out = home
        .run(&["switch", "rocketchat"], &[], None)
        .await
        .expect(2);
    assert!(out.stderr.contains("only one session"), "{}", out.stderr);
    home.run(
        &["login", "rocketchat"],
        &refs(&env_for(&two, "demo")),
        None,
    )
    .await
    .expect(0);
    assert_eq!(default_url(&home).await, two.base_url());

    // Two: the other one; again: back. No request reaches either server's login.
    let out = home
        .run(&["switch", "rocketchat"], &[], None)
        .await
        .expect(0);
    assert!(out.stdout.contains(one.base_url()), "{}", out.stdout);
    assert_eq!(default_url(&home).await, one.base_url());
    let token = home
        .run(&["token", "rocketchat"], &[], None)
        .await
        .expect(0);
    let id = home
        .run(&["token", "rocketchat", "--field", "user-id"], &[], None)
        .await
        .expect(0);
    assert_eq!(
        rocketchat_me(
            one.base_url(),
            token.stdout.trim_end(),
            id.stdout.trim_end()
        )
        .await,
        200
    );
    home.run(&["switch", "rocketchat"], &[], None)
        .await
        .expect(0);
    assert_eq!(default_url(&home).await, two.base_url());

    // Three: name it.
    home.run(
        &["login", "rocketchat"],
        &refs(&with(
            &env_for(&one, "demo-2fa"),
            "ROCKETCHAT_CODE",
            SECOND_FACTOR_CODE,
        )),
        None,
    )
    .await
    .expect(0);
    let out = home
        .run(&["switch", "rocketchat"], &[], None)
        .await
        .expect(2);
    assert!(
        out.stderr.contains("3 sessions of Rocket.Chat"),
        "{}",
        out.stderr
    );
    home.run(
        &["switch", "rocketchat", "--url", two.base_url()],
        &[],
        None,
    )
    .await
    .expect(0);
    assert_eq!(default_url(&home).await, two.base_url());
    home.run(&["switch", "rocketchat", "--user", "nobody"], &[], None)
        .await
        .expect(1);
}

/// As `gh auth status`: a session that cannot be checked is a failure, with the exit code of
/// why (6: the server cannot be reached); the list is still printed, and `--offline` is 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_fails_when_a_session_cannot_be_checked() {
    let sandbox = Sandbox::start(Service::RocketChat).await.unwrap();
    let home = Home::new();
    let env = env_for(&sandbox, "demo");
    home.run(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    home.run(&["status"], &[], None).await.expect(0);
    sandbox.shutdown().await;
    let out = home.run(&["status"], &[], None).await.expect(6);
    assert!(out.stdout.contains("Rocket.Chat"), "{}", out.stdout);
    let out = home.run(&["status", "--json"], &[], None).await.expect(6);
    let value = out.json();
    assert_eq!(value["sessions"][0]["state"], "error", "{value}");
    assert_eq!(value["error"]["kind"], "transport", "{value}");
    home.run(&["status", "--offline"], &[], None)
        .await
        .expect(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_at_the_same_time_lose_nothing() {
    let mut sandboxes = Vec::new();
    for _ in 0..3 {
        sandboxes.push(Sandbox::start(Service::RocketChat).await.unwrap());
    }
    let home = Home::new();
    let mut runs = Vec::new();
    for sandbox in &sandboxes {
        // Two account names of the same user: two sessions.
        for user in ["demo", "demo@example.com"] {
            let env = env_for(sandbox, user);
            let home = &home;
            runs.push(async move {
                home.run(&["login", "rocketchat"], &refs(&env), None)
                    .await
                    .expect(0)
            });
        }
    }
    futures_join_all(runs).await;
    assert_eq!(listed(&home).await.len(), 6);
}

/// Runs the futures at once (the logins are blocking tasks, so they overlap).
async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, out) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *out = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(Option::unwrap).collect()
}
