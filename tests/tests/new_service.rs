//! A new service is one spec, in the real workspace. A full copy of this workspace (every file
//! git knows, committed or not) goes through what a maintainer does:
//!
//! 1. changes one `x-apilogin` field of a real spec and runs plain `cargo xtask regen` (build
//!    check on): it succeeds, rewrites only the facade's glue, and checks the facade;
//! 2. adds a made-up spec while the facade does not build: regen fails and puts back every
//!    file it or cargo touched, `Cargo.lock` included;
//! 3. adds the made-up spec for real: regen succeeds, checks the new crate and the facade, and
//!    changes nothing but the new crate, the facade's glue and manifest, and `Cargo.lock`;
//! 4. `cargo test --workspace --all-features` compiles, the facade's tests (which cover every
//!    service) pass, and `cargo xtask demo`'s program still prints its table;
//! 5. the `apilogin` command logs in to the new service (second factor included), prints no
//!    secret of its session, verifies and logs out, against a tiny server in this test.
//!
//! The copy builds in `$APILOGIN_SCRATCH_TARGET_DIR` (default: `target/scratch` of this
//! workspace, kept between runs). An empty scratch folder is first seeded with this test's own
//! compiled dependencies (`cp -a` of `target/debug`), so CI compiles the copy's crates, not
//! every dependency a second time.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use apilogin_tests::mediaserver::{self, MediaServer};
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
    details:
      refresh:
        from: /refresh
        type: secret
        doc: The refresh key the service hands out with a session (secret).
    detailsDoc: 'Tiny Login: the session key and a refresh key.'
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
      required: [session, uid, refresh]
      properties:
        session: {type: string, format: password}
        uid: {type: string}
        refresh: {type: string, format: password}
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
    let refresh = format!("tiny-refresh-{}", token.trim_start_matches("tiny-session-"));
    Json(json!({ "session": token, "uid": "u-1", "refresh": refresh })).into_response()
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

/// Every file of the workspace git knows (tracked, or new and not ignored), relative to `root`:
/// what a clone plus the maintainer's uncommitted work holds, without `target/`,
/// `tools/node_modules/` or `docs-out/`.
fn source_files(root: &Path) -> BTreeSet<String> {
    let out = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
        .expect("git runs (the test copies the files git knows)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        // Deleted but not yet committed.
        .filter(|p| root.join(p).is_file())
        .collect()
}

/// Every file under `root` but `target/` and `config/` (the command's store), relative.
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
            if rel == "target" || rel == "config" {
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

/// Every file under `root` with its contents.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    files(root)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(root.join(&rel)).unwrap();
            (rel, bytes)
        })
        .collect()
}

/// The files that differ between two snapshots (added, removed or changed).
fn changed(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    names
        .into_iter()
        .filter(|n| before.get(*n) != after.get(*n))
        .cloned()
        .collect()
}

/// A copy of the workspace and the target folder it builds in.
struct Copy {
    dir: tempfile::TempDir,
    target: PathBuf,
}

impl Copy {
    fn new() -> Copy {
        let source = workspace();
        let dir = tempfile::Builder::new()
            .prefix("apilogin-new-service-")
            .tempdir()
            .unwrap();
        for rel in source_files(&source) {
            let to = dir.path().join(&rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(source.join(&rel), &to).unwrap();
        }
        let target = std::env::var_os("APILOGIN_SCRATCH_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| source.join("target/scratch"));
        seed(&target);
        Copy { dir, target }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn cargo(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        Command::new(cargo)
            .args(args)
            .current_dir(self.root())
            .env("CARGO_TARGET_DIR", &self.target)
            .env("APILOGIN_STORAGE", "file")
            .env("APILOGIN_CONFIG_DIR", self.root().join("config"))
            .envs(env.iter().copied())
            .output()
            .expect("cargo runs")
    }

    /// `cargo xtask regen` as a maintainer runs it: build check on.
    fn regen(&self) -> std::process::Output {
        self.cargo(&["xtask", "regen"], &[])
    }

    /// A program of the copy's `target/debug`, already built.
    fn bin(&self, name: &str) -> Command {
        let mut command = Command::new(self.target.join("debug").join(name));
        command
            .current_dir(self.root())
            .env("APILOGIN_STORAGE", "file")
            .env("APILOGIN_CONFIG_DIR", self.root().join("config"));
        command
    }
}

/// Seeds an empty scratch target folder with the dependencies this test binary was built
/// with (its own `target/debug`), keeping modification times so that cargo sees them fresh.
/// Only the copy's own crates (other paths, so other hashes) are then compiled.
fn seed(target: &Path) {
    if target.join("debug").exists() {
        return;
    }
    let Some(debug) = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.to_path_buf()))
        .filter(|d| d.join(".fingerprint").is_dir())
    else {
        return;
    };
    std::fs::create_dir_all(target.join("debug")).unwrap();
    for part in ["deps", "build", ".fingerprint"] {
        // Best effort: without the seed, cargo compiles everything itself.
        let _ = Command::new("cp")
            .args(["-a", "--reflink=auto"])
            .arg(debug.join(part))
            .arg(target.join("debug"))
            .status();
    }
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// What regen may add or change for a new spec; nothing else may differ.
fn allowed(path: &str) -> bool {
    path == "specs/tinylogin.yaml"
        || path.starts_with("crates/tinylogin-client/")
        || path == "specs/mediaserver.yaml"
        || path.starts_with("crates/mediaserver-client/")
        || path == "crates/facade/Cargo.toml"
        || path.starts_with("crates/facade/src/generated/")
        || path == "Cargo.lock"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "builds a copy of the workspace (minutes on a fresh clone): run with `--ignored`, as CI does"]
async fn a_new_spec_is_a_new_service() {
    let copy = Copy::new();
    let root = copy.root().to_path_buf();

    // 1. One changed `x-apilogin` field of a real spec: plain regen, build check on.
    let spec = root.join("specs/mattermost.yaml");
    let original = std::fs::read_to_string(&spec).unwrap();
    let edited = original.replacen(
        "    summary: Mattermost",
        "    summary: Mattermost, edited by the new-service test,",
        1,
    );
    assert_ne!(
        edited, original,
        "specs/mattermost.yaml has a service.summary"
    );
    let before = snapshot(&root);
    std::fs::write(&spec, &edited).unwrap();
    let regen = copy.regen();
    assert!(regen.status.success(), "regen failed:\n{}", text(&regen));
    assert!(
        text(&regen).contains("built: apilogin (for your next `cargo build`)"),
        "the facade was not checked:\n{}",
        text(&regen)
    );
    let after = snapshot(&root);
    assert_eq!(
        changed(&before, &after),
        [
            "crates/facade/src/generated/descriptions.rs",
            "crates/facade/src/generated/kinds.rs",
            "specs/mattermost.yaml"
        ],
        "{}",
        text(&regen)
    );
    assert!(
        String::from_utf8_lossy(&after["crates/facade/src/generated/kinds.rs"])
            .contains("edited by the new-service test")
    );
    std::fs::write(&spec, &original).unwrap();
    let regen = copy.regen();
    assert!(regen.status.success(), "regen failed:\n{}", text(&regen));
    assert!(changed(&before, &snapshot(&root)).is_empty());

    // 2. A new spec while the facade does not build: regen fails and every file is as it was,
    //    Cargo.lock included (cargo's check had added the new crate to it).
    let lib = root.join("crates/facade/src/lib.rs");
    let lib_text = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(
        &lib,
        format!("{lib_text}\ncompile_error!(\"the new-service test breaks the facade\");\n"),
    )
    .unwrap();
    let before = snapshot(&root);
    std::fs::write(root.join("specs/tinylogin.yaml"), SPEC).unwrap();
    let regen = copy.regen();
    assert!(
        !regen.status.success(),
        "regen succeeded:\n{}",
        text(&regen)
    );
    assert!(
        text(&regen).contains("the new-service test breaks the facade"),
        "{}",
        text(&regen)
    );
    std::fs::remove_file(root.join("specs/tinylogin.yaml")).unwrap();
    assert_eq!(
        changed(&before, &snapshot(&root)),
        Vec::<String>::new(),
        "a failed regen left changes behind:\n{}",
        text(&regen)
    );
    assert!(!root.join("crates/tinylogin-client").exists());
    std::fs::write(&lib, &lib_text).unwrap();

    // 3. The new specs (the tiny one, and the media server of the fixtures, which uses every
    //    x-apilogin capability a plain login does not): regen checks the new crates and the
    //    facade, and touches nothing else.
    let before = snapshot(&root);
    std::fs::write(root.join("specs/tinylogin.yaml"), SPEC).unwrap();
    std::fs::copy(
        root.join("tests/fixtures/new-service/mediaserver.yaml"),
        root.join("specs/mediaserver.yaml"),
    )
    .unwrap();
    let regen = copy.regen();
    assert!(regen.status.success(), "regen failed:\n{}", text(&regen));
    assert!(
        text(&regen).contains("built: apilogin, mediaserver-client, tinylogin-client (for your"),
        "{}",
        text(&regen)
    );
    // Nothing compiled twice: the user's next `cargo build` finds the new crates built.
    let next = copy.cargo(&["build"], &[]);
    assert!(next.status.success(), "{}", text(&next));
    for name in ["tinylogin-client", "mediaserver-client", "apilogin v"] {
        assert!(
            !text(&next).contains(&format!("Compiling {name}")),
            "the next `cargo build` compiled {name} again:\n{}",
            text(&next)
        );
    }
    let changes = changed(&before, &snapshot(&root));
    let unexpected: Vec<&String> = changes.iter().filter(|r| !allowed(r)).collect();
    assert!(
        unexpected.is_empty(),
        "edited besides the new service: {unexpected:?}"
    );
    assert!(
        changes
            .iter()
            .any(|r| r == "crates/tinylogin-client/src/lib.rs"),
        "{changes:?}"
    );

    // 4. The workspace's tests compile with the new service, and those that cover every
    //    service pass; the demo still prints its table.
    let build = copy.cargo(&["test", "--workspace", "--all-features", "--no-run"], &[]);
    assert!(
        build.status.success(),
        "the tests do not compile:\n{}",
        text(&build)
    );
    let build = copy.cargo(&["build", "--workspace", "--all-features", "--bins"], &[]);
    assert!(
        build.status.success(),
        "the programs do not build:\n{}",
        text(&build)
    );
    // The copy has no `tools/node_modules`, so no OpenID provider: the facade's tests against
    // it (`cli_oauth.rs`) skip with a notice, as outside CI (they run in the workspace itself).
    let facade = copy.cargo(&["test", "-p", "apilogin", "--all-features"], &[("CI", "")]);
    assert!(
        facade.status.success(),
        "the facade's tests fail with one more service:\n{}",
        text(&facade)
    );
    let demo = copy.bin("apilogin-demo").output().unwrap();
    let table = String::from_utf8_lossy(&demo.stdout);
    assert!(demo.status.success(), "the demo failed:\n{}", text(&demo));
    assert!(table.contains("Tiny Login"), "{table}");
    assert!(table.contains("Media Server"), "{table}");
    assert!(table.contains("Mattermost"), "{table}");

    // 5. The command, against the tiny server.
    let state: Shared = Arc::default();
    let app = Router::new()
        .route("/signin", post(sign_in))
        .route("/whoami", get(who_am_i))
        .route("/signout", post(sign_out))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let session_file = root.join("tiny-session.json");
    let session_arg = session_file.to_string_lossy().into_owned();
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = copy.bin("apilogin");
        command.args(args).envs(env.iter().copied());
        tokio::task::spawn_blocking(move || command.output().expect("apilogin runs"))
    };
    let secrets = [
        ("TINYLOGIN_PASSWORD", "tiny-password"),
        ("TINYLOGIN_CODE", "424242"),
    ];
    let login = run(
        &[
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
        &secrets,
    )
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&login.stdout);
    assert!(login.status.success(), "login failed:\n{}", text(&login));
    assert!(stdout.contains("alice"), "{stdout}");
    for secret in ["tiny-session-", "tiny-refresh-", "tiny-password", "424242"] {
        assert!(
            !text(&login).contains(secret),
            "login printed a secret ({secret}):\n{}",
            text(&login)
        );
    }
    assert_eq!(state.lock().unwrap().sessions.len(), 1);
    // The session file keeps the secret detail (that is what it is for).
    let file = std::fs::read_to_string(&session_file).unwrap();
    assert!(file.contains("tiny-refresh-1"), "{file}");

    let verify = run(&["verify", "--session", &session_arg], &[])
        .await
        .unwrap();
    assert!(verify.status.success(), "verify failed:\n{}", text(&verify));
    assert!(String::from_utf8_lossy(&verify.stdout).contains("alice"));

    let logout = run(&["logout", "--session", &session_arg], &[])
        .await
        .unwrap();
    assert!(logout.status.success(), "logout failed:\n{}", text(&logout));
    assert!(state.lock().unwrap().sessions.is_empty());

    // Stored, then `token` offers what the spec says the session has.
    let stored = run(
        &["login", "tinylogin", "--url", &url, "--user", "alice"],
        &secrets,
    )
    .await
    .unwrap();
    assert!(stored.status.success(), "login failed:\n{}", text(&stored));
    assert!(!text(&stored).contains("tiny-"), "{}", text(&stored));
    let user_id = run(&["token", "tinylogin", "--field", "user-id"], &[])
        .await
        .unwrap();
    assert!(user_id.status.success(), "{}", text(&user_id));
    assert_eq!(String::from_utf8_lossy(&user_id.stdout).trim(), "u-1");
    let status = run(&["status", "--json"], &[]).await.unwrap();
    assert!(status.status.success(), "{}", text(&status));
    assert!(!text(&status).contains("tiny-"), "{}", text(&status));

    // A wrong code is a second-factor failure (exit code 4).
    let wrong = run(
        &[
            "login",
            "tinylogin",
            "--url",
            &url,
            "--user",
            "alice",
            "--no-store",
        ],
        &[
            ("TINYLOGIN_PASSWORD", "tiny-password"),
            ("TINYLOGIN_CODE", "000000"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(wrong.status.code(), Some(4), "{}", text(&wrong));

    // 6. The media server: a header parameter and credentials from templates, a device id made
    //    once and sent again, a typed body field, outcomes on headers and empty bodies.
    let media = MediaServer::start().await.unwrap();
    let password = [("MEDIASERVER_PASSWORD", mediaserver::PASSWORD)];
    let login = run(
        &[
            "login",
            "mediaserver",
            "--url",
            &media.url,
            "--user",
            mediaserver::USER,
            "--device-name",
            "test-box",
        ],
        &password,
    )
    .await
    .unwrap();
    assert!(login.status.success(), "login failed:\n{}", text(&login));
    let first = media
        .received()
        .pop()
        .expect("the login reached the server");
    let header = first.emby_authorization.clone().unwrap_or_default();
    assert!(header.contains("Device=\"test-box\""), "{first:?}");
    assert!(first.body.contains("\"RememberMe\":true"), "{first:?}");
    let token = run(&["token", "mediaserver"], &[]).await.unwrap();
    let token = String::from_utf8_lossy(&token.stdout).trim().to_owned();
    assert!(!token.is_empty());
    assert!(!text(&login).contains(&token), "login printed the token");

    // Logging in again (password again) sends the device id of the stored session.
    let again = run(
        &[
            "login",
            "mediaserver",
            "--fresh",
            "--user",
            mediaserver::USER,
        ],
        &password,
    )
    .await
    .unwrap();
    assert!(again.status.success(), "login failed:\n{}", text(&again));
    let ids = media.login_device_ids();
    assert_eq!(ids.len(), 2, "{:?}", media.received());
    assert_eq!(ids[0], ids[1], "a second device id was made");
    assert!(mediaserver::is_uuid_v4(&ids[0]), "{ids:?}");

    let verify = run(&["verify", "mediaserver"], &[]).await.unwrap();
    assert!(verify.status.success(), "verify failed:\n{}", text(&verify));
    assert!(String::from_utf8_lossy(&verify.stdout).contains(mediaserver::USER));
    let live = media.live_sessions();
    let logout = run(&["logout", "mediaserver"], &[]).await.unwrap();
    assert!(logout.status.success(), "logout failed:\n{}", text(&logout));
    assert_eq!(media.live_sessions(), live - 1);

    // An outcome on a header: the locked account (exit code 3, refused).
    let locked = run(
        &[
            "login",
            "mediaserver",
            "--url",
            &media.url,
            "--user",
            mediaserver::LOCKED_USER,
            "--no-store",
        ],
        &password,
    )
    .await
    .unwrap();
    assert_eq!(locked.status.code(), Some(3), "{}", text(&locked));
    assert!(text(&locked).contains("locked"), "{}", text(&locked));
}
