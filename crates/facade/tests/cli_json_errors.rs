//! `--json` means JSON, errors included: a failure of `login`, `status` or `verify` with
//! `--json` prints one JSON object on stdout, `{"error": {"kind", "exit_code", "message",
//! "service", …}}` (as `apilogin --help` documents), with the exit code it has without
//! `--json`; stderr still says it in words. And a server's message is said once. Real
//! processes, real HTTP to sandboxes and servers on 127.0.0.1.

mod support;

use std::time::Duration;

use apilogin_sandbox::{DEMO_PASSWORD, Fault, Sandbox, Service};
use support::{Home, Output, WRONG_PASSWORD, apilogin, demo_user, env_for, refs, with};

/// The exit codes' names, as `--help` lists them.
const KINDS: [(i32, &str); 7] = [
    (1, "other"),
    (2, "usage"),
    (3, "refused"),
    (4, "second_factor"),
    (5, "rate_limited"),
    (6, "transport"),
    (7, "server"),
];

/// The error object of `out`: stdout is exactly one JSON object whose `error` has the
/// documented members, naming the exit code the process ended with; stderr has the message
/// in words.
#[track_caller]
fn error_of(out: &Output) -> serde_json::Map<String, serde_json::Value> {
    let mut stream =
        serde_json::Deserializer::from_str(&out.stdout).into_iter::<serde_json::Value>();
    let value = stream
        .next()
        .unwrap_or_else(|| panic!("nothing on stdout; stderr: {}", out.stderr))
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", out.stdout));
    assert!(
        stream.next().is_none(),
        "more than one JSON value: {}",
        out.stdout
    );
    let error = value["error"]
        .as_object()
        .unwrap_or_else(|| panic!("no error object: {}", out.stdout))
        .clone();
    let kind = KINDS.iter().find(|(c, _)| *c == out.code).unwrap().1;
    assert_eq!(error["kind"], kind, "{}", out.stdout);
    assert_eq!(error["exit_code"], out.code, "{}", out.stdout);
    let message = error["message"].as_str().unwrap();
    assert!(!message.is_empty());
    assert!(error.contains_key("service"), "{}", out.stdout);
    assert!(
        out.stderr.contains(&format!("error: {message}")),
        "stderr: {}\nstdout: {}",
        out.stderr,
        out.stdout
    );
    error
}

/// The error object's message contains `text`.
#[track_caller]
fn says(error: &serde_json::Map<String, serde_json::Value>, text: &str) {
    let message = error["message"].as_str().unwrap();
    assert!(message.contains(text), "{text:?} not in {message:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_are_refused_3_for_every_service() {
    for service in Service::ALL {
        let sandbox = Sandbox::start(service).await.unwrap();
        let mut env = env_for(&sandbox, demo_user(service));
        let var = format!("{}_PASSWORD", service.id().to_ascii_uppercase());
        env = with(&env, &var, WRONG_PASSWORD);
        let out = apilogin(&["login", service.id(), "--json"], &refs(&env), None)
            .await
            .expect(3);
        let error = error_of(&out);
        assert_eq!(error["reason"], "bad_credentials", "{}", out.stdout);
        assert_eq!(error["service"], service.id(), "{}", out.stdout);
        says(&error, "rejected the user name or password");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_are_2() {
    let sandbox = Sandbox::start(Service::RocketChat).await.unwrap();
    // No password and no terminal to ask on.
    let out = apilogin(
        &[
            "login",
            "rocketchat",
            "--json",
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
    let error = error_of(&out);
    assert_eq!(error["service"], "rocketchat");
    says(&error, "ROCKETCHAT_PASSWORD");
    assert!(
        !error.contains_key("reason"),
        "not the library's: {}",
        out.stdout
    );

    // The library's configuration errors: an insecure URL.
    let out = apilogin(
        &[
            "login",
            "rocketchat",
            "--json",
            "--url",
            "http://example.com",
        ],
        &[],
        None,
    )
    .await
    .expect(2);
    assert_eq!(error_of(&out)["reason"], "config");

    // A command line clap refuses, --json among its arguments: JSON as well (clap's usage
    // text stays on stderr).
    let out = apilogin(&["login", "rocketchat", "--json", "--nonsense"], &[], None)
        .await
        .expect(2);
    let mut stream =
        serde_json::Deserializer::from_str(&out.stdout).into_iter::<serde_json::Value>();
    let value = stream.next().unwrap().unwrap();
    assert!(stream.next().is_none());
    assert_eq!(value["error"]["kind"], "usage");
    assert_eq!(value["error"]["exit_code"], 2);
    assert!(
        value["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--nonsense"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("Usage:"), "{}", out.stderr);
    // Without --json, nothing on stdout.
    let out = apilogin(&["login", "rocketchat", "--nonsense"], &[], None)
        .await
        .expect(2);
    assert_eq!(out.stdout, "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_failures_are_6() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    drop(listener);
    let env = [
        ("ROCKETCHAT_USERNAME", "demo"),
        ("ROCKETCHAT_PASSWORD", DEMO_PASSWORD),
    ];
    let out = apilogin(
        &["login", "rocketchat", "--json", "--url", &closed],
        &env,
        None,
    )
    .await
    .expect(6);
    let error = error_of(&out);
    assert_eq!(error["reason"], "transport");
    assert_eq!(error["transport"], "connect");
    assert_eq!(error["service"], "rocketchat");

    let slow = Sandbox::builder(Service::RocketChat)
        .fault(Fault::Slow(Duration::from_secs(120)))
        .start()
        .await
        .unwrap();
    let out = apilogin(
        &[
            "login",
            "rocketchat",
            "--json",
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
    assert_eq!(error_of(&out)["transport"], "timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_factor_4_rate_limit_5_server_7() {
    // A code asked for, none to be had.
    let sandbox = Sandbox::start(Service::RocketChat).await.unwrap();
    let env = env_for(&sandbox, "demo-2fa");
    let out = apilogin(&["login", "rocketchat", "--json"], &refs(&env), None)
        .await
        .expect(4);
    let error = error_of(&out);
    assert_eq!(error["service"], "rocketchat");
    says(&error, "ROCKETCHAT_CODE");
    // A wrong one.
    let wrong = with(&env, "ROCKETCHAT_CODE", "000000");
    let out = apilogin(&["login", "rocketchat", "--json"], &refs(&wrong), None)
        .await
        .expect(4)
        .hides("000000");
    assert_eq!(error_of(&out)["reason"], "second_factor_invalid");

    // Rate limited.
    let limited = Sandbox::builder(Service::RocketChat)
        .rate_limit(1, Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let env = env_for(&limited, "demo");
    apilogin(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    let out = apilogin(&["login", "rocketchat", "--json"], &refs(&env), None)
        .await
        .expect(5);
    let error = error_of(&out);
    assert_eq!(error["reason"], "rate_limited");
    let wait = error["retry_after_seconds"].as_u64().unwrap();
    assert!((1..=61).contains(&wait), "{}", out.stdout);

    // The server fails (a gateway's HTML page).
    let failing = Sandbox::builder(Service::Txty)
        .fault(Fault::BadGatewayHtml)
        .start()
        .await
        .unwrap();
    let env = env_for(&failing, "demo");
    let out = apilogin(&["login", "txty", "--json"], &refs(&env), None)
        .await
        .expect(7);
    let error = error_of(&out);
    assert_eq!(error["reason"], "server_error");
    assert_eq!(error["http_status"], 502);
    assert_eq!(error["service"], "txty");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_and_verify_failures_are_json_too() {
    let home = Home::new();
    // Nothing stored: status still lists its (no) sessions, beside the error.
    let out = home.run(&["status", "--json"], &[], None).await.expect(1);
    let error = error_of(&out);
    assert_eq!(out.json()["sessions"], serde_json::json!([]));
    says(&error, "not logged in");
    let out = home
        .run(&["verify", "rocketchat", "--json"], &[], None)
        .await
        .expect(1);
    assert_eq!(error_of(&out)["service"], "rocketchat");

    // A session the server no longer accepts.
    let sandbox = Sandbox::builder(Service::RocketChat)
        .token_lifetime(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let env = env_for(&sandbox, "demo");
    home.run(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let out = home.run(&["status", "--json"], &[], None).await.expect(3);
    let error = error_of(&out);
    assert_eq!(
        out.json()["sessions"][0]["state"],
        "rejected",
        "{}",
        out.stdout
    );
    says(&error, "log in again");
    let out = home
        .run(&["verify", "rocketchat", "--json"], &[], None)
        .await
        .expect(3);
    let error = error_of(&out);
    assert_eq!(error["reason"], "session_rejected");
    assert_eq!(error["service"], "rocketchat");

    // A session file that is not one.
    let out = apilogin(&["verify", "--json", "--session", "-"], &[], Some("{}"))
        .await
        .expect(2);
    assert_eq!(error_of(&out)["service"], serde_json::Value::Null);
}

/// A Rocket.Chat look-alike that refuses every login with an error of its own: the same
/// text as code and message (`/same`), different ones (`/differ`), or a code alone (`/bare`).
async fn refusing_rocketchat() -> String {
    use axum::extract::Path;
    use axum::routing::post;
    async fn login(Path(mode): Path<String>) -> axum::response::Response {
        use axum::response::IntoResponse as _;
        let body = match mode.as_str() {
            "same" => serde_json::json!({"success": false, "status": "error",
                "error": "Your server says no", "message": "Your server says no"}),
            "differ" => serde_json::json!({"success": false, "status": "error",
                "error": "error-app-user-is-not-allowed", "message": "Ask your administrator"}),
            _ => serde_json::json!({"success": false, "status": "error",
                "error": "error-app-user-is-not-allowed"}),
        };
        (axum::http::StatusCode::UNAUTHORIZED, axum::Json(body)).into_response()
    }
    let app = axum::Router::new().route("/{mode}/api/v1/login", post(login));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_message_is_said_once() {
    let origin = refusing_rocketchat().await;
    let env = [
        ("ROCKETCHAT_USERNAME", "demo"),
        ("ROCKETCHAT_PASSWORD", DEMO_PASSWORD),
    ];
    for (mode, said, repeated) in [
        (
            "same",
            "Rocket.Chat refused the request: Your server says no",
            "Your server says no",
        ),
        (
            "differ",
            "Rocket.Chat refused the request (error-app-user-is-not-allowed): Ask your administrator",
            "error-app-user-is-not-allowed",
        ),
        (
            "bare",
            "Rocket.Chat refused the request (error-app-user-is-not-allowed)",
            "error-app-user-is-not-allowed",
        ),
    ] {
        let url = format!("{origin}/{mode}");
        let out = apilogin(&["login", "rocketchat", "--url", &url], &env, None)
            .await
            .expect(3);
        assert_eq!(out.stderr.trim_end(), format!("error: {said}"), "{mode}");
        assert_eq!(out.stderr.matches(repeated).count(), 1, "{}", out.stderr);

        let out = apilogin(
            &["login", "rocketchat", "--json", "--url", &url],
            &env,
            None,
        )
        .await
        .expect(3);
        let error = error_of(&out);
        assert_eq!(error["message"], said);
        assert_eq!(error["reason"], "refused");
        assert_eq!(
            error["code"].as_str().unwrap(),
            if mode == "same" {
                "Your server says no"
            } else {
                "error-app-user-is-not-allowed"
            }
        );
    }
}

/// `--help` documents the error object, and names each exit code by its `kind`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_names_every_kind() {
    let out = apilogin(&["--help"], &[], None).await.expect(0);
    for (code, kind) in KINDS {
        assert!(
            out.stdout.contains(&format!("\n  {code}  {kind}: ")),
            "--help does not name exit code {code} {kind}"
        );
    }
    assert!(
        out.stdout
            .contains(r#"{"error": {"kind": "refused", "exit_code": 3"#)
    );
    for sub in ["login", "status", "verify"] {
        let out = apilogin(&[sub, "--help"], &[], None).await.expect(0);
        assert!(out.stdout.contains("JSON error object"), "{sub} --help");
    }
}
