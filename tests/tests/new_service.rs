//! A new service is one spec: a scratch copy of the workspace gets one more spec (a small
//! made-up login API, written here), `cargo xtask regen` turns it into a client crate and the
//! facade's glue, and the `apilogin` command logs in to it (second factor included), verifies
//! and logs out, against a tiny server in this test, with no other file edited.
//!
//! It builds a copy of the workspace, which takes minutes the first time (CI runs it: it is what
//! keeps "a new service is one spec" true). The scratch workspace builds in
//! `$APILOGIN_SCRATCH_TARGET_DIR` (default: `target/scratch` of this workspace, kept between
//! runs). Pointing it at an existing target directory re-uses the compiled dependencies, but
//! only when no other cargo holds that directory's lock (run the test binary directly, not
//! through `cargo test`, in that case).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

const SPEC: &str = r#"openapi: 3.0.3
info:
  title: Tiny login API
  version: 0.1.0
  description: A made-up login API with a one-time code, written by the new-service test.
servers:
  - url: '{baseUrl}'
    variables:
      baseUrl:
        default: http://localhost:8080
tags:
  - name: auth
    description: Signing in and out.
x-apilogin:
  service:
    variant: TinyLogin
    name: Tiny Login
    summary: Tiny Login (a made-up service of the new-service test).
  login:
    operation: signIn
    body:
      name: $user
      secret: $password
      otp: $code
    outcomes:
      - status: 200
        then: loggedIn
      - status: 401
        field: /reason
        equals: otp-needed
        answering: false
        then: secondFactor
        method: totp
      - status: 401
        field: /reason
        equals: otp-needed
        then: wrongCode
      - status: 401
        then: badCredentials
        code: /reason
  session:
    token:
      body: /session
    identity:
      userId: /uid
    credentials:
      sessionKey: $token
  verify:
    operation: whoAmI
    identity:
      username: /name
      userId: /uid
    outcomes:
      - status: 200
        then: ok
      - status: 401
        then: sessionRejected
  logout:
    operation: signOut
    outcomes:
      - status: 200
        then: ok
      - status: 401
        then: sessionRejected
paths:
  /signin:
    post:
      operationId: signIn
      summary: Sign in
      tags: [auth]
      security: []
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/SignIn'
      responses:
        '200':
          description: Signed in.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Session'
        '401':
          description: Refused.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Problem'
  /whoami:
    get:
      operationId: whoAmI
      summary: Who is signed in
      tags: [auth]
      security:
        - sessionKey: []
      responses:
        '200':
          description: The user.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Me'
        '401':
          description: No session.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Problem'
  /signout:
    post:
      operationId: signOut
      summary: Sign out
      tags: [auth]
      security:
        - sessionKey: []
      responses:
        '200':
          description: Signed out.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Done'
        '401':
          description: No session.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Problem'
components:
  securitySchemes:
    sessionKey:
      type: apiKey
      in: header
      name: X-Session
  schemas:
    SignIn:
      type: object
      required: [name, secret]
      properties:
        name: {type: string}
        secret: {type: string, format: password}
        otp: {type: string, format: password}
    Session:
      type: object
      required: [session, uid]
      properties:
        session: {type: string, format: password}
        uid: {type: string}
    Me:
      type: object
      required: [name, uid]
      properties:
        name: {type: string}
        uid: {type: string}
    Problem:
      type: object
      required: [reason]
      properties:
        reason: {type: string}
    Done:
      type: object
      required: [ok]
      properties:
        ok: {type: boolean}
"#;

/// What regen may add or change for a new spec; nothing else may differ.
fn allowed(path: &str) -> bool {
    path == "specs/tinylogin.yaml"
        || path.starts_with("crates/tinylogin-client/")
        || path == "crates/facade/Cargo.toml"
        || path.starts_with("crates/facade/src/generated/")
        || path == "Cargo.lock"
}

#[derive(Default)]
struct Tiny {
    sessions: BTreeSet<String>,
}

type Shared = Arc<Mutex<Tiny>>;

fn problem(reason: &str) -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({ "reason": reason }))).into_response()
}

async fn sign_in(State(st): State<Shared>, Json(body): Json<Value>) -> Response {
    if body["name"] != "alice" || body["secret"] != "tiny-password" {
        return problem("bad-credentials");
    }
    if body["otp"] != "424242" {
        return problem("otp-needed");
    }
    let token = format!("tiny-session-{}", st.lock().unwrap().sessions.len() + 1);
    st.lock().unwrap().sessions.insert(token.clone());
    Json(json!({ "session": token, "uid": "u-1" })).into_response()
}

fn session(st: &Shared, headers: &HeaderMap) -> Option<String> {
    let token = headers.get("x-session")?.to_str().ok()?.to_owned();
    st.lock()
        .unwrap()
        .sessions
        .contains(&token)
        .then_some(token)
}

async fn who_am_i(State(st): State<Shared>, headers: HeaderMap) -> Response {
    match session(&st, &headers) {
        Some(_) => Json(json!({ "name": "alice", "uid": "u-1" })).into_response(),
        None => problem("no-session"),
    }
}

async fn sign_out(State(st): State<Shared>, headers: HeaderMap) -> Response {
    match session(&st, &headers) {
        Some(token) => {
            st.lock().unwrap().sessions.remove(&token);
            Json(json!({ "ok": true })).into_response()
        }
        None => problem("no-session"),
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the workspace")
        .to_path_buf()
}

/// Every file under `root` but `target/` and `.git`, relative to `root`.
fn files(root: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if rel == "target" || rel == ".git" || rel.ends_with(".regen-tmp") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(rel);
            }
        }
    }
    out
}

fn cargo(dir: &Path, target: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("APILOGIN_STORAGE", "file")
        .env("APILOGIN_CONFIG_DIR", dir.join("config"))
        .envs(env.iter().copied())
        .output()
        .expect("cargo runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_spec_is_a_new_service() {
    let source = workspace();
    let scratch = tempfile_dir();
    let before = files(&source);
    for rel in &before {
        let to = scratch.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(source.join(rel), &to).unwrap();
    }
    std::fs::write(scratch.join("specs/tinylogin.yaml"), SPEC).unwrap();
    let target = std::env::var_os("APILOGIN_SCRATCH_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| source.join("target/scratch"));

    let regen = cargo(
        &scratch,
        &target,
        // The build check is left out: the `cargo run` of the command below builds the new
        // client crate and the facade anyway, in the same target folder.
        &[
            "run",
            "-q",
            "-p",
            "xtask",
            "--",
            "regen",
            "--no-build-check",
        ],
        &[],
    );
    assert!(
        regen.status.success(),
        "regen failed: {}",
        String::from_utf8_lossy(&regen.stderr)
    );
    // Nothing but the new spec and what regen generates from it changed.
    let after = files(&scratch);
    let mut changed: Vec<String> = after
        .iter()
        .filter(|rel| {
            !before.contains(*rel)
                || std::fs::read(scratch.join(rel)).ok() != std::fs::read(source.join(rel)).ok()
        })
        .cloned()
        .collect();
    changed.retain(|rel| !rel.starts_with("config/"));
    let unexpected: Vec<&String> = changed.iter().filter(|r| !allowed(r)).collect();
    assert!(
        unexpected.is_empty(),
        "edited besides the new service: {unexpected:?}"
    );
    assert!(
        changed
            .iter()
            .any(|r| r == "crates/tinylogin-client/src/lib.rs"),
        "{changed:?}"
    );

    // The tiny server.
    let state: Shared = Arc::default();
    let app = Router::new()
        .route("/signin", post(sign_in))
        .route("/whoami", get(who_am_i))
        .route("/signout", post(sign_out))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let session_file = scratch.join("tiny-session.json");
    let session_arg = session_file.to_string_lossy().into_owned();
    let env = [
        ("TINYLOGIN_PASSWORD", "tiny-password"),
        ("TINYLOGIN_CODE", "424242"),
    ];
    let run = |args: Vec<&str>, env: Vec<(&'static str, &'static str)>| {
        let scratch = scratch.clone();
        let target = target.clone();
        let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
        tokio::task::spawn_blocking(move || {
            let mut all = vec!["run", "-q", "-p", "apilogin", "--features", "cli", "--"];
            all.extend(args.iter().map(String::as_str));
            cargo(&scratch, &target, &all, &env)
        })
    };
    let login = run(
        vec![
            "login",
            "tinylogin",
            "--url",
            &url,
            "--user",
            "alice",
            "--no-store",
            "--json",
            "--output",
            &session_arg,
        ],
        env.to_vec(),
    )
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&login.stdout);
    assert!(
        login.status.success(),
        "login failed: {stdout}\n{}",
        String::from_utf8_lossy(&login.stderr)
    );
    assert!(stdout.contains("alice"), "{stdout}");
    assert!(
        !stdout.contains("tiny-session-"),
        "the token was printed: {stdout}"
    );
    assert_eq!(state.lock().unwrap().sessions.len(), 1);

    let verify = run(vec!["verify", "--session", &session_arg], vec![])
        .await
        .unwrap();
    assert!(
        verify.status.success(),
        "verify failed: {}",
        String::from_utf8_lossy(&verify.stderr)
    );
    assert!(String::from_utf8_lossy(&verify.stdout).contains("alice"));

    let logout = run(vec!["logout", "--session", &session_arg], vec![])
        .await
        .unwrap();
    assert!(
        logout.status.success(),
        "logout failed: {}",
        String::from_utf8_lossy(&logout.stderr)
    );
    assert!(state.lock().unwrap().sessions.is_empty());

    // A wrong code is a second-factor failure (exit code 4).
    let wrong = run(
        vec![
            "login",
            "tinylogin",
            "--url",
            &url,
            "--user",
            "alice",
            "--no-store",
        ],
        vec![
            ("TINYLOGIN_PASSWORD", "tiny-password"),
            ("TINYLOGIN_CODE", "000000"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        wrong.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
    let _ = std::fs::remove_dir_all(&scratch);
}

/// A fresh scratch folder under the system's temporary folder.
fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "apilogin-new-service-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
