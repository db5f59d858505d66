//! Regen's checks of `x-apilogin` through `run`, on a scratch root: every problem of every spec
//! in one run, each as `file:line at pointer: message` in the spec's own file, and nothing
//! written.

use std::path::{Path, PathBuf};

use apilogin_codegen::{Mode, RegenError, run};

fn workspace_root() -> PathBuf {
    apilogin_openapi::workspace_root(Path::new(env!("CARGO_MANIFEST_DIR")))
}

/// A photo server (issue 20), block-style YAML, with four problems in its `x-apilogin`.
const PHOTOS: &str = r#"openapi: 3.0.3
info:
  title: Photos
  version: 1.0.0
servers:
  - url: /api
paths:
  /auth/login:
    post:
      operationId: login
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/LoginDto'
      responses:
        '201':
          description: Logged in.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/LoginResponse'
        '401':
          description: Wrong credentials.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Error'
  /users/me:
    get:
      operationId: me
      parameters:
        - name: X-Device
          in: header
          required: true
          schema:
            type: string
      security:
        - bearer: []
      responses:
        '200':
          description: The user.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/User'
components:
  securitySchemes:
    bearer:
      type: http
      scheme: bearer
  schemas:
    LoginDto:
      type: object
      required:
        - email
        - password
      properties:
        email:
          type: string
        password:
          type: string
    LoginResponse:
      type: object
      properties:
        accessToken:
          type: string
        userId:
          type: string
    User:
      type: object
      properties:
        id:
          type: string
        email:
          type: string
    Error:
      type: object
      properties:
        message:
          type: string
x-apilogin:
  service:
    variant: Photos
    name: Photos
    summary: A photo server.
  login:
    operation: login
    body:
      email: $user
      password: $password
    outcomes:
      - status: 201
        then: loggedIn
      - status: 401
        then: badCredentials
        code: /code
  session:
    token:
      body: /access_token
    identity:
      userId: /userId
    credentials:
      bearer: $token
  verify:
    operation: me
    body:
      secret: $password
    outcomes:
      - status: 200
        then: ok
"#;

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.trim_end() == needle)
        .unwrap_or_else(|| panic!("no line `{needle}`"))
        + 1
}

#[test]
fn every_x_apilogin_problem_of_every_spec_is_listed_with_file_line_and_pointer() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("specs")).unwrap();
    // A real spec with two problems in its `x-apilogin` and one elsewhere (a security scheme
    // regen refuses): all are listed.
    let real = std::fs::read_to_string(workspace_root().join("specs/mattermost.yaml")).unwrap();
    let mattermost = real
        .replacen("      token: $code\n", "      token: $cod\n", 1)
        .replacen(
            "    token:\n      header: Token\n",
            "    token:\n      body: /token\n",
            1,
        )
        .replacen(
            "components:\n  securitySchemes:\n",
            "components:\n  securitySchemes:\n    digest:\n      type: http\n      scheme: digest\n",
            1,
        );
    assert_eq!(mattermost.matches("$cod\n").count(), 1);
    assert!(mattermost.contains("body: /token") && mattermost.contains("scheme: digest"));
    std::fs::write(root.path().join("specs/mattermost.yaml"), &mattermost).unwrap();
    std::fs::write(root.path().join("specs/photos.yml"), PHOTOS).unwrap();

    let errors = match run(root.path(), Mode::Write) {
        Err(RegenError::Specs(errors, _)) => errors,
        other => panic!("expected spec errors, got {other:?}"),
    };
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let all = shown.join("\n");
    let expect = |file: &str, text: &str, needle: &str, pointer: &str, says: &str| {
        let line = line_of(text, needle);
        let head = format!("{file}:{line} at {pointer}: ");
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with(&head) && e.contains(says)),
            "missing `{head}… {says} …` in:\n{all}"
        );
    };
    let m = "specs/mattermost.yaml";
    expect(
        m,
        &mattermost,
        "      token: $cod",
        "/x-apilogin/login/body/token",
        "unknown source `cod`",
    );
    expect(
        m,
        &mattermost,
        "      body: /token",
        "/x-apilogin/session/token/body",
        "the pointer `/token` is not in the schema of the answer it reads: the 200 answer of `login`: `token` is not a property of `#/components/schemas/User`",
    );
    expect(
        m,
        &mattermost,
        "      scheme: digest",
        "/components/securitySchemes/digest/scheme",
        "digest",
    );
    let p = "specs/photos.yml";
    expect(
        p,
        PHOTOS,
        "      body: /access_token",
        "/x-apilogin/session/token/body",
        "`access_token` is not a property of `#/components/schemas/LoginResponse` (its properties: `accessToken`, `userId`)",
    );
    expect(
        p,
        PHOTOS,
        "        code: /code",
        "/x-apilogin/login/outcomes/1/code",
        "the 401 answer of `login`: `code` is not a property of `#/components/schemas/Error`",
    );
    expect(
        p,
        PHOTOS,
        "  verify:",
        "/x-apilogin/verify",
        "the required header parameter `X-Device` of `me` is not filled",
    );
    // `me` has no request body; the verify body's `$password` is refused as well.
    expect(
        p,
        PHOTOS,
        "      secret: $password",
        "/x-apilogin/verify/body/secret",
        "`$password`: the password is known only to `login`",
    );
    expect(
        p,
        PHOTOS,
        "    operation: me",
        "/x-apilogin/verify/operation",
        "`me` has no request body",
    );
    assert_eq!(errors.len(), 8, "{all}");
    let message = RegenError::Specs(errors, Vec::new()).to_string();
    assert!(
        message.ends_with("8 problem(s) in 2 spec(s); no file was written."),
        "{message}"
    );
    assert!(
        !root.path().join("crates").exists(),
        "nothing was written: {:?}",
        std::fs::read_dir(root.path()).unwrap().collect::<Vec<_>>()
    );
}

#[test]
fn a_relative_server_is_a_located_notice_and_the_spec_is_generated() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("specs")).unwrap();
    let fixed = PHOTOS
        .replace("      body: /access_token\n", "      body: /accessToken\n")
        .replace("        code: /code\n", "        code: /message\n")
        .replace("    body:\n      secret: $password\n", "")
        // The header is required no more (a step fills it with `parameters` once the schema
        // has that member).
        .replace("          required: true\n", "          required: false\n");
    assert!(!fixed.contains("secret: $password") && fixed.contains("required: false"));
    std::fs::write(root.path().join("specs/photos.yml"), &fixed).unwrap();
    // A facade manifest, so that regen writes the facade's glue too.
    std::fs::create_dir_all(root.path().join("crates/facade")).unwrap();
    std::fs::write(
        root.path().join("crates/facade/Cargo.toml"),
        "[package]\nname = \"apilogin\"\n\n[dependencies]\n",
    )
    .unwrap();
    let report = run(root.path(), Mode::Write).unwrap_or_else(|e| panic!("{e}"));
    let notices: Vec<String> = report.notices.iter().map(ToString::to_string).collect();
    let head = format!(
        "specs/photos.yml:{} at /servers/0/url: `/api` is a relative server URL",
        line_of(&fixed, "  - url: /api")
    );
    assert!(
        notices.iter().any(|n| n.starts_with(&head)),
        "no `{head}` in {notices:#?}"
    );
    assert!(root.path().join("crates/photos-client/src/lib.rs").exists());
    // `/api` is no public default server: the service is self-hosted.
    let clients =
        std::fs::read_to_string(root.path().join("crates/facade/src/generated/clients.rs"))
            .unwrap();
    assert!(
        clients.contains("pub fn photos(base_url: &str) -> Result<Service, ConfigError>"),
        "{clients}"
    );
    let kinds =
        std::fs::read_to_string(root.path().join("crates/facade/src/generated/kinds.rs")).unwrap();
    assert!(!kinds.contains("\"/api\""), "{kinds}");
}
