//! Every lint rule still fires: each case breaks one rule in the fixture spec
//! `crates/tasks/tests/fixtures/lint/good.yaml` and runs the real linters on it (Redocly, Spectral
//! with the project's `.spectral.yaml`, and the Rust checks), then asserts the exact findings:
//! rule, JSON pointer, and a piece of the reported line.
//!
//! The cases cover the Rust rules ([`super::checks`]), the project's Spectral rules
//! (`apilogin-...`), and the Redocly and Spectral rules that replaced earlier Rust checks. The
//! linters run once for all cases. They come from `tools/node_modules/` (`cargo xtask lint`
//! installs them); without them the test is skipped with a message, except in CI (`CI` set),
//! where it installs them or fails.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{Finding, project_checks, tools};

const GOOD: &str = include_str!("../../tests/fixtures/lint/good.yaml");

/// One broken spec: the edits that break it (each `from` is replaced everywhere it occurs, and
/// must occur), and the findings expected, as (rule, pointer, text on the reported line).
struct Case {
    what: &'static str,
    edits: &'static [(&'static str, &'static str)],
    expect: &'static [(&'static str, &'static str, &'static str)],
}

const NO_400: (&str, &str) = (
    "        '400':
          description: A malformed request.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/ErrorResponse'
",
    "",
);

const MISSING_4XX: (&str, &str, &str) = (
    "redocly/operation-4xx-response",
    "/paths/~1result/get/responses",
    "responses:",
);

const CASES: &[Case] = &[
    Case {
        what: "the good spec",
        edits: &[],
        expect: &[],
    },
    // ---- the Rust rules (checks.rs) ------------------------------------------------------
    Case {
        what: "secret-format: a token property without `format: password`",
        edits: &[(
            "        token:\n          type: string\n          format: password\n",
            "        token:\n          type: string\n",
        )],
        expect: &[(
            "apilogin/secret-format",
            "/components/schemas/LoginResponse/properties/token",
            "token:",
        )],
    },
    Case {
        what: "secret-format: a query parameter named like a key (the shared list)",
        edits: &[("- name: client\n", "- name: api_key\n")],
        expect: &[(
            "apilogin/secret-format",
            "/paths/~1login/post/parameters/0/schema",
            "schema:",
        )],
    },
    Case {
        what: "secret-format: `x-not-secret` with a reason is the per-location exception",
        edits: &[(
            "          format: password\n          description: The session token.",
            "          x-not-secret: a public id in this fixture\n          description: The session token.",
        )],
        expect: &[],
    },
    Case {
        what: "operation-error-response: an error variant of the 2XX response counts (Redocly's rule does not know that)",
        edits: &[NO_400],
        expect: &[MISSING_4XX],
    },
    Case {
        what: "operation-error-response: no error response and no error variant",
        edits: &[
            NO_400,
            (
                "        - $ref: '#/components/schemas/ServiceError'\n",
                "        - $ref: '#/components/schemas/LoginRequest'\n",
            ),
        ],
        expect: &[
            MISSING_4XX,
            (
                "apilogin/operation-error-response",
                "/paths/~1result/get/responses",
                "responses:",
            ),
        ],
    },
    Case {
        what: "operation-error-response: `x-error-variant` names a schema that is not an error",
        edits: &[
            NO_400,
            (
                "          description: The result or an error.\n",
                "          description: The result or an error.\n          x-error-variant: '#/components/schemas/LoginResponse'\n",
            ),
        ],
        expect: &[
            MISSING_4XX,
            (
                "apilogin/operation-error-response",
                "/paths/~1result/get/responses/200/x-error-variant",
                "x-error-variant:",
            ),
        ],
    },
    // ---- the project's Spectral rules (.spectral.yaml) -------------------------------------
    Case {
        what: "apilogin-operation-id-casing",
        edits: &[("operationId: login\n", "operationId: log_in\n")],
        expect: &[(
            "spectral/apilogin-operation-id-casing",
            "/paths/~1login/post/operationId",
            "operationId: log_in",
        )],
    },
    Case {
        what: "apilogin-security-scheme-casing",
        edits: &[
            (
                "components:\n",
                "components:\n  securitySchemes:\n    Bearer_token:\n      type: http\n      scheme: bearer\n      description: A bearer token.\n",
            ),
            (
                "      security: []\n      parameters:",
                "      security:\n        - Bearer_token: []\n      parameters:",
            ),
        ],
        expect: &[(
            "spectral/apilogin-security-scheme-casing",
            "/components/securitySchemes/Bearer_token",
            "Bearer_token:",
        )],
    },
    Case {
        what: "apilogin-component-casing",
        edits: &[("LoginRequest", "loginRequest")],
        expect: &[(
            "spectral/apilogin-component-casing",
            "/components/schemas/loginRequest",
            "loginRequest:",
        )],
    },
    Case {
        what: "apilogin-tag-casing: a declared tag",
        edits: &[(
            "    description: Logging in.\n",
            "    description: Logging in.\n  - name: Log_out\n    description: Logging out.\n",
        )],
        expect: &[("spectral/apilogin-tag-casing", "/tags/1/name", "Log_out")],
    },
    Case {
        what: "apilogin-tag-casing: the tags of operations",
        edits: &[("authentication", "Authentication")],
        expect: &[
            (
                "spectral/apilogin-tag-casing",
                "/tags/0/name",
                "Authentication",
            ),
            (
                "spectral/apilogin-tag-casing",
                "/paths/~1login/post/tags/0",
                "Authentication",
            ),
            (
                "spectral/apilogin-tag-casing",
                "/paths/~1result/get/tags/0",
                "Authentication",
            ),
        ],
    },
    Case {
        what: "apilogin-example-name-casing: a response example",
        edits: &[("loggedIn:", "logged-in:")],
        expect: &[(
            "spectral/apilogin-example-name-casing",
            "/paths/~1login/post/responses/200/content/application~1json/examples/logged-in",
            "logged-in:",
        )],
    },
    Case {
        what: "apilogin-example-name-casing: a parameter example",
        edits: &[(
            "          example: demo\n      requestBody",
            "          examples:\n            Demo_client:\n              value: demo\n      requestBody",
        )],
        expect: &[(
            "spectral/apilogin-example-name-casing",
            "/paths/~1login/post/parameters/0/examples/Demo_client",
            "Demo_client:",
        )],
    },
    Case {
        what: "apilogin-error-body-name",
        edits: &[(
            "          description: Wrong credentials.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/ErrorResponse'",
            "          description: Wrong credentials.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/LoginResponse'",
        )],
        expect: &[(
            "spectral/apilogin-error-body-name",
            "/paths/~1login/post/responses/401/content/application~1json/schema/$ref",
            "LoginResponse",
        )],
    },
    Case {
        what: "apilogin-x-apilogin-schema (tools/spectral/x-apilogin.js)",
        edits: &[(
            "\ncomponents:\n",
            "\nx-apilogin:\n  bogus: 1\ncomponents:\n",
        )],
        expect: &[(
            "spectral/apilogin-x-apilogin-schema",
            "/x-apilogin",
            "x-apilogin:",
        )],
    },
    // ---- earlier Rust checks, now Redocly's and Spectral's rules ---------------------------
    Case {
        what: "no operationId (was apilogin/operation-id)",
        edits: &[("      operationId: login\n", "")],
        expect: &[
            (
                "redocly/operation-operationId",
                "/paths/~1login/post/operationId",
                "post:",
            ),
            (
                "spectral/operation-operationId",
                "/paths/~1login/post",
                "post:",
            ),
        ],
    },
    Case {
        what: "no summary (was apilogin/operation-summary)",
        edits: &[("      summary: Log in\n", "")],
        expect: &[(
            "redocly/operation-summary",
            "/paths/~1login/post/summary",
            "post:",
        )],
    },
    Case {
        what: "an empty summary (was apilogin/operation-summary)",
        edits: &[("      summary: Log in\n", "      summary: ''\n")],
        expect: &[(
            "redocly/operation-summary",
            "/paths/~1login/post/summary",
            "summary: ''",
        )],
    },
    Case {
        what: "no tags (was apilogin/operation-tag)",
        edits: &[(
            "      tags:\n        - authentication\n      security: []\n      parameters:",
            "      security: []\n      parameters:",
        )],
        expect: &[("spectral/operation-tags", "/paths/~1login/post", "post:")],
    },
    Case {
        what: "an undeclared tag (was apilogin/operation-tag)",
        edits: &[(
            "        - authentication\n      security: []\n      parameters:",
            "        - auth\n      security: []\n      parameters:",
        )],
        expect: &[(
            "spectral/operation-tag-defined",
            "/paths/~1login/post/tags/0",
            "- auth",
        )],
    },
    Case {
        what: "a request example without a required member (was apilogin/example-valid)",
        edits: &[(
            "              user: demo\n              password: demo-password\n",
            "              user: demo\n",
        )],
        expect: &[
            (
                "redocly/no-invalid-media-type-examples",
                "/paths/~1login/post/requestBody/content/application~1json/example",
                "user: demo",
            ),
            (
                "spectral/oas3-valid-media-example",
                "/paths/~1login/post/requestBody/content/application~1json/example",
                "example:",
            ),
        ],
    },
    Case {
        what: "a named response example with a bad uuid (was apilogin/example-valid)",
        edits: &[("1d2e146c-a3df-4073-89c6-9ffc3061319c", "not-a-uuid")],
        expect: &[
            (
                "redocly/no-invalid-media-type-examples",
                "/paths/~1login/post/responses/200/content/application~1json/examples/loggedIn/value/id",
                "not-a-uuid",
            ),
            (
                "spectral/oas3-valid-media-example",
                "/paths/~1login/post/responses/200/content/application~1json/examples/loggedIn/value/id",
                "not-a-uuid",
            ),
        ],
    },
    Case {
        what: "an example beyond `format: int32` (was apilogin/example-valid)",
        edits: &[("attempts: 1\n", "attempts: 99999999999\n")],
        expect: &[
            (
                "redocly/no-invalid-media-type-examples",
                "/paths/~1login/post/responses/200/content/application~1json/examples/loggedIn/value/attempts",
                "99999999999",
            ),
            (
                "spectral/oas3-valid-media-example",
                "/paths/~1login/post/responses/200/content/application~1json/examples/loggedIn/value/attempts",
                "99999999999",
            ),
        ],
    },
    Case {
        what: "a parameter example of the wrong type (was apilogin/example-valid)",
        edits: &[(
            "          example: demo\n      requestBody",
            "          example: 42\n      requestBody",
        )],
        expect: &[
            (
                "redocly/no-invalid-parameter-examples",
                "/paths/~1login/post/parameters/0/example",
                "example: 42",
            ),
            (
                "spectral/oas3-valid-media-example",
                "/paths/~1login/post/parameters/0/example",
                "example: 42",
            ),
        ],
    },
    Case {
        what: "a schema example of the wrong type (was apilogin/example-valid)",
        edits: &[(
            "          example: demo\n        password:",
            "          example: [demo]\n        password:",
        )],
        expect: &[
            (
                "redocly/no-invalid-schema-examples",
                "/components/schemas/LoginRequest/properties/user/example",
                "example: [demo]",
            ),
            (
                "spectral/oas3-valid-schema-example",
                "/components/schemas/LoginRequest/properties/user/example",
                "example: [demo]",
            ),
        ],
    },
];

fn root() -> PathBuf {
    crate::workspace_root()
}

/// The folder of the linters' executables, or `None` (with a message) when they are not
/// installed and this is not CI.
fn linters(root: &Path) -> Option<PathBuf> {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    if ci {
        return Some(tools::ensure_installed(root).unwrap_or_else(|e| panic!("{e}")));
    }
    let bin = root.join("tools/node_modules/.bin");
    if ["redocly", "spectral"].iter().all(|b| bin.join(b).exists()) {
        Some(bin)
    } else {
        eprintln!(
            "SKIPPED lint rule tests: Redocly and Spectral are not installed in tools/node_modules \
             (run `cargo xtask lint` once to install them; in CI, with CI=true, this test installs \
             them or fails)"
        );
        None
    }
}

fn broken(case: &Case) -> String {
    let mut text = GOOD.to_string();
    for (from, to) in case.edits {
        assert!(
            text.contains(from),
            "{}: no {from:?} in the fixture",
            case.what
        );
        text = text.replace(from, to);
    }
    text
}

/// A finding's rule without the severity the linters add: `redocly/operation-summary`.
fn rule(f: &Finding) -> &str {
    f.rule.split(" (").next().unwrap_or_default()
}

#[test]
fn every_lint_rule_fires_on_a_spec_broken_for_it() {
    let root = root();
    let Some(bin) = linters(&root) else { return };
    let dir = tempfile::tempdir().unwrap();
    // File names are lower-case letters and digits: regen's loader, which the Rust checks use,
    // insists (they name crates).
    let files: Vec<PathBuf> = CASES
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let file = dir.path().join(format!("case{i:02}.yaml"));
            std::fs::write(&file, broken(case)).unwrap();
            file
        })
        .collect();

    let (mut findings, redocly, spectral) = std::thread::scope(|s| {
        let redocly = s.spawn(|| tools::redocly(&root, &bin, &files));
        let spectral = s.spawn(|| tools::spectral(&root, &bin, &files));
        let own = project_checks(&root, &files);
        (
            own,
            redocly.join().unwrap().unwrap_or_else(|e| panic!("{e}")),
            spectral.join().unwrap().unwrap_or_else(|e| panic!("{e}")),
        )
    });
    findings.extend(redocly.findings);
    findings.extend(spectral.findings);

    let mut failures = Vec::new();
    for (case, file) in CASES.iter().zip(&files) {
        let name = file.file_name().unwrap();
        let text = broken(case);
        let lines: Vec<&str> = text.lines().collect();
        let mine: Vec<&Finding> = findings
            .iter()
            .filter(|f| Path::new(&f.file).file_name() == Some(name))
            .collect();
        let got: BTreeSet<(&str, &str)> = mine.iter().map(|f| (rule(f), &*f.pointer)).collect();
        let want: BTreeSet<(&str, &str)> = case.expect.iter().map(|&(r, p, _)| (r, p)).collect();
        if got != want {
            failures.push(format!(
                "{} ({}):\n  expected {want:?}\n  got {}",
                case.what,
                name.display(),
                mine.iter()
                    .map(|f| f.to_string())
                    .collect::<Vec<_>>()
                    .join("\n      ")
            ));
            continue;
        }
        // Every finding names the line, and it is the line of the broken node.
        for f in &mine {
            let &(_, _, on_line) = case
                .expect
                .iter()
                .find(|&&(r, p, _)| r == rule(f) && p == f.pointer)
                .unwrap();
            let line = f.line.and_then(|l| lines.get(l.wrapping_sub(1)));
            if !line.is_some_and(|l| l.contains(on_line)) {
                failures.push(format!(
                    "{}: {f}\n  is reported on line {:?} ({line:?}), which does not contain {on_line:?}",
                    case.what, f.line
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} lint cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

/// Each of the project's rules, in Rust and in `.spectral.yaml`, has a case above.
#[test]
fn every_project_rule_has_a_case() {
    let spectral = std::fs::read_to_string(root().join(".spectral.yaml")).unwrap();
    let spectral_rules = spectral
        .lines()
        .filter_map(|l| l.strip_prefix("  apilogin-"))
        .filter_map(|l| l.strip_suffix(':'))
        .map(|name| format!("spectral/apilogin-{name}"));
    let spectral_js = std::fs::read_to_string(root().join("tools/spectral/x-apilogin.js")).unwrap();
    let spectral_rules = spectral_rules.chain(
        spectral_js
            .lines()
            .filter_map(|l| l.trim().strip_prefix("'apilogin-"))
            .filter_map(|l| l.strip_suffix("': {"))
            .map(|name| format!("spectral/apilogin-{name}")),
    );
    let rust_rules = ["secret-format", "operation-error-response"]
        .iter()
        .map(|name| format!("apilogin/{name}"));
    let tested: BTreeSet<&str> = CASES
        .iter()
        .flat_map(|c| c.expect.iter().map(|&(r, _, _)| r))
        .collect();
    let rules: Vec<String> = spectral_rules.chain(rust_rules).collect();
    assert!(rules.len() >= 8, "{rules:?}");
    for rule in &rules {
        assert!(tested.contains(rule.as_str()), "no case breaks {rule}");
    }
}
