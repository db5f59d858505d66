//! The contract checker itself: the specs compile and their examples are valid, the checker
//! catches violations (so the service tests cannot pass vacuously), and the proxy forwards
//! exactly what it records.

use apilogin_sandbox::{DEMO_PASSWORD, Sandbox, Service};
use apilogin_tests::contract::{check_examples, check_spec_examples, load_spec, spec_ids};
use apilogin_tests::{ContractChecker, Exchange, RecordingProxy, TEST_LIMIT, within};
use serde_json::{Value, json};

fn exchange(method: &str, path: &str, status: u16) -> Exchange {
    Exchange {
        method: method.to_owned(),
        path: path.to_owned(),
        query: None,
        request_headers: Vec::new(),
        request_body: Vec::new(),
        status,
        response_headers: vec![("content-type".into(), "application/json".into())],
        response_body: b"{}".to_vec(),
        attributed_to: None,
    }
}

fn json_exchange(
    method: &str,
    path: &str,
    request: &Value,
    status: u16,
    response: &Value,
) -> Exchange {
    Exchange {
        request_headers: vec![("content-type".into(), "application/json".into())],
        request_body: serde_json::to_vec(request).unwrap(),
        response_body: serde_json::to_vec(response).unwrap(),
        ..exchange(method, path, status)
    }
}

fn messages(checker: &ContractChecker, ex: Exchange) -> Vec<String> {
    checker
        .check(&[ex])
        .into_iter()
        .map(|v| v.message)
        .collect()
}

fn assert_caught(checker: &ContractChecker, ex: Exchange, needle: &str) {
    let found = messages(checker, ex);
    assert!(
        found.iter().any(|m| m.contains(needle)),
        "expected a violation containing {needle:?}, got {found:#?}"
    );
}

/// A remote.it exchange that follows the spec, the base of the negative cases below.
fn good_remoteit_login() -> Exchange {
    let mut ex = json_exchange(
        "POST",
        "/apv/v27/user/login",
        &json!({"username": "demo@remote.it", "password": "pw"}),
        200,
        &json!({"status": "true", "token": "t", "email": "demo@remote.it", "service_authhash": "h"}),
    );
    ex.request_headers.push(("developerkey".into(), "k".into()));
    ex
}

#[test]
fn every_spec_compiles_with_the_expected_operations() {
    let expected: [(&str, &str, &[&str]); 5] = [
        ("remoteit", "/apv/v27", &["login", "loginWithAuthhash"]),
        (
            "txty",
            "/api/4",
            &[
                "login",
                "loginWithQuery",
                "loginXml",
                "loginXmlWithQuery",
                "viewAccount",
                "viewAccountWithQuery",
                "viewAccountXml",
                "viewAccountXmlWithQuery",
                "deleteApiKey",
                "deleteApiKeyWithQuery",
                "deleteApiKeyXml",
                "deleteApiKeyXmlWithQuery",
            ],
        ),
        ("projectthanos", "", &["login"]),
        ("rocketchat", "", &["login", "me", "logout"]),
        ("mattermost", "", &["login", "me", "logout"]),
    ];
    let ids = spec_ids();
    for (spec, ..) in expected {
        assert!(ids.iter().any(|id| id == spec), "{spec} is not in specs/");
    }
    // Every spec compiles; those of the table have exactly its operations. A spec the sandbox
    // has a look-alike of must be in the table (the harness relies on the same name); a spec
    // without one (just added) is only compiled.
    for spec in &ids {
        let checker = ContractChecker::for_spec(spec);
        let Some((_, base_path, ops)) = expected.iter().find(|(id, ..)| id == spec) else {
            assert!(
                Service::from_id(spec).is_none(),
                "{spec} has a sandbox look-alike: add its operations to the table"
            );
            eprintln!(
                "{spec}: compiled; its operations are not checked (the sandbox has no look-alike of it)"
            );
            continue;
        };
        assert_eq!(checker.base_path(), *base_path, "{spec}");
        let mut got = checker.operation_ids();
        got.sort_unstable();
        let mut want = ops.to_vec();
        want.sort_unstable();
        assert_eq!(got, want, "{spec}");
        // Same name as the sandbox's service id: the harness relies on it.
        assert!(Service::from_id(spec).is_some(), "{spec}");
    }
}

#[test]
fn spec_examples_match_their_schemas() {
    for spec in spec_ids() {
        let spec = spec.as_str();
        let violations = check_spec_examples(spec);
        assert!(
            violations.is_empty(),
            "{spec}: {:#?}",
            violations
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn example_check_is_not_vacuous() {
    // Corrupting an example of each kind in memory is reported.
    let corruptions: [(&str, &str, Value); 5] = [
        // a media-type `example`
        (
            "projectthanos",
            "/paths/~1api~1organizations~1user-login~1/post/responses/401/content/application~1json/example",
            json!({"message": "no detail"}),
        ),
        // a named example behind a `$ref` to components/examples
        (
            "rocketchat",
            "/components/examples/ResumeLoginExample/value",
            json!({"resume": 42}),
        ),
        // a parameter `example`
        (
            "txty",
            "/paths/~1view~1user~1api.json/get/parameters/0/example",
            json!(7),
        ),
        // an `example` inside a component schema
        (
            "projectthanos",
            "/components/schemas/LoginResponse/properties/org_uuid/example",
            json!("nope"),
        ),
        // a response header `example`
        (
            "rocketchat",
            "/components/headers/XRateLimitReset/example",
            json!("soon"),
        ),
    ];
    for (spec, pointer, bad) in corruptions {
        let mut doc = load_spec(spec).unwrap();
        assert!(check_examples(spec, &doc).is_empty(), "{spec}");
        *doc.pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{spec}{pointer}")) = bad;
        let found = check_examples(spec, &doc);
        assert!(!found.is_empty(), "{spec}{pointer}: corruption not caught");
    }
}

#[test]
fn a_conforming_exchange_passes() {
    let checker = ContractChecker::for_spec("remoteit");
    assert_eq!(checker.check(&[good_remoteit_login()]), vec![]);
    assert_eq!(
        checker.observed_outcomes(&[good_remoteit_login()]),
        ["login 200", "login request application/json"]
            .map(String::from)
            .into()
    );
}

#[test]
fn bad_response_bodies_are_caught() {
    let remoteit = ContractChecker::for_spec("remoteit");
    // `status` is the string "true", not a JSON boolean.
    let bad = json!({"status": true, "token": "t", "email": "e", "service_authhash": "h"});
    let errors = remoteit.validate_response_body("login", 200, &bad);
    assert!(errors.iter().any(|e| e.contains("/status")), "{errors:?}");
    // A 401 body without `code`.
    let errors =
        remoteit.validate_response_body("login", 401, &json!({"status": "false", "reason": "r"}));
    assert!(
        errors
            .iter()
            .any(|e| e.contains("\"code\" is a required property")),
        "{errors:?}"
    );

    // `format: uuid` is checked.
    let thanos = ContractChecker::for_spec("projectthanos");
    let body = json!({
        "auth_token": "t", "org_uuid": "not-a-uuid", "user_uuid": "3a7acb28-ab13-437e-8c35-46cf4f0bea49",
        "retailer_uuid": "", "supplier_uuid": "", "org_type": "RETAILER"
    });
    let errors = thanos.validate_response_body("login", 200, &body);
    assert!(errors.iter().any(|e| e.contains("/org_uuid")), "{errors:?}");
    let errors = thanos.validate_response_body("login", 200, &json!({"detail": "x"}));
    assert!(!errors.is_empty());

    // A Txty body matching none of the `oneOf` branches.
    let txty = ContractChecker::for_spec("txty");
    let errors = txty.validate_response_body(
        "login",
        200,
        &json!({"status": "success", "success": "ADDED_SOMETHING"}),
    );
    assert!(!errors.is_empty());
    // …and one matching exactly one is fine.
    let errors = txty.validate_response_body(
        "login",
        200,
        &json!({"status": "success", "success": "ADDED_TF"}),
    );
    assert_eq!(errors, Vec::<String>::new());

    // Rocket.Chat: a two-factor error whose `details.method` is unknown.
    let rc = ContractChecker::for_spec("rocketchat");
    let body = json!({"success": false, "status": "error", "error": "totp-required", "message": "m", "details": {"method": "sms"}});
    let errors = rc.validate_response_body("login", 401, &body);
    assert!(
        errors.iter().any(|e| e.contains("/details/method")),
        "{errors:?}"
    );
    assert!(
        !rc.validate_response_body("login", 500, &json!({}))
            .is_empty()
    );
    assert!(
        !rc.validate_response_body("nope", 200, &json!({}))
            .is_empty()
    );
}

#[test]
fn bad_exchanges_are_caught() {
    // A scheme with `x-apilogin-prefix` (Mattermost's `Authorization: Token …`) needs its
    // prefix: any other `Authorization` value is no credential of `me`.
    let mattermost = ContractChecker::for_spec("mattermost");
    let me = |authorization: &str| {
        let mut ex = json_exchange(
            "GET",
            "/api/v4/users/me",
            &json!({}),
            401,
            &json!({"id": "api.context.session_expired.app_error", "message": "m",
                    "detailed_error": "", "request_id": "r", "status_code": 401}),
        );
        ex.request_body = Vec::new();
        ex.request_headers = vec![("authorization".into(), authorization.into())];
        messages(&mattermost, ex)
            .into_iter()
            .filter(|m| m.contains("lacks the credentials"))
            .collect::<Vec<_>>()
    };
    assert_eq!(me("Token abc"), Vec::<String>::new());
    assert_eq!(me("token abc"), Vec::<String>::new());
    assert_eq!(me("Bearer abc"), Vec::<String>::new());
    for wrong in ["Basic abc", "abc", "Token "] {
        let found = me(wrong);
        assert!(
            found.iter().any(|m| m.contains("(\"Token \"…)")),
            "{wrong}: {found:?}"
        );
    }

    let remoteit = ContractChecker::for_spec("remoteit");

    let mut ex = good_remoteit_login();
    ex.status = 502;
    assert_caught(&remoteit, ex, "status 502 is not documented for login");

    let mut ex = good_remoteit_login();
    ex.response_headers = vec![("content-type".into(), "text/plain; charset=utf-8".into())];
    assert_caught(
        &remoteit,
        ex,
        "response content type `text/plain` is not described",
    );

    let mut ex = good_remoteit_login();
    ex.response_body = b"{\"status\": ".to_vec();
    assert_caught(&remoteit, ex, "response body is not JSON");

    let mut ex = good_remoteit_login();
    ex.request_headers.retain(|(n, _)| n != "developerkey");
    assert_caught(
        &remoteit,
        ex,
        "lacks the credentials of login: header developerkey",
    );

    let mut ex = good_remoteit_login();
    ex.request_body = serde_json::to_vec(&json!({"username": "u"})).unwrap();
    assert_caught(&remoteit, ex, "\"password\" is a required property");

    let mut ex = good_remoteit_login();
    ex.request_headers[0].1 = "application/x-www-form-urlencoded".into();
    assert_caught(
        &remoteit,
        ex,
        "request content type `application/x-www-form-urlencoded` is not described",
    );

    let mut ex = good_remoteit_login();
    ex.query = Some("debug=1".into());
    assert_caught(&remoteit, ex, "query parameter `debug` is not described");

    let mut ex = good_remoteit_login();
    ex.path = "/apv/v27/user/logout".into();
    assert_caught(
        &remoteit,
        ex,
        "no operation in the spec for path /user/logout",
    );

    let mut ex = good_remoteit_login();
    ex.path = "/user/login".into();
    assert_caught(&remoteit, ex, "outside the server base path /apv/v27");

    let mut ex = good_remoteit_login();
    ex.method = "PUT".into();
    assert_caught(&remoteit, ex, "method PUT is not described for /user/login");

    let mut ex = good_remoteit_login();
    ex.attributed_to = Some("logout".into());
    assert_caught(&remoteit, ex, "attributed to unknown operation logout");

    // Txty: query parameters and form bodies.
    let txty = ContractChecker::for_spec("txty");
    let mut ex = exchange("GET", "/api/4/view/user/api.json", 200);
    ex.query = Some("user=demo".into());
    ex.response_body =
        serde_json::to_vec(&json!({"status": "error", "error": "INVALID_APIKEY"})).unwrap();
    assert_caught(&txty, ex, "required query parameter `key` is missing");

    let mut ex = exchange("POST", "/api/4/user/newapikey/login.json", 200);
    ex.request_headers = vec![(
        "content-type".into(),
        "application/x-www-form-urlencoded".into(),
    )];
    ex.request_body = b"user=demo&pass=x".to_vec();
    ex.response_body =
        serde_json::to_vec(&json!({"status": "success", "success": "ADDED_TF"})).unwrap();
    assert_caught(&txty, ex, "\"description\" is a required property");

    let mut ex = exchange("POST", "/api/4/user/newapikey/login.xml", 200);
    ex.request_headers = vec![(
        "content-type".into(),
        "application/x-www-form-urlencoded".into(),
    )];
    ex.request_body = b"user=demo&pass=x&description=d".to_vec();
    assert_caught(
        &txty,
        ex,
        "response content type `application/json` is not described (allowed: application/xml)",
    );

    // Rocket.Chat: response headers and bodies on operations without a request body.
    let rc = ContractChecker::for_spec("rocketchat");
    let mut ex = json_exchange(
        "POST",
        "/api/v1/login",
        &json!({"user": "demo", "password": "pw"}),
        429,
        &json!({"success": false, "error": "slow down"}),
    );
    ex.response_headers
        .push(("x-ratelimit-limit".into(), "ten".into()));
    assert_caught(&rc, ex, "response header `x-ratelimit-limit`");

    let mut ex = exchange("GET", "/api/v1/me", 401);
    ex.request_body = b"{}".to_vec();
    ex.response_body =
        serde_json::to_vec(&json!({"success": false, "status": "error", "error": "e"})).unwrap();
    assert_caught(&rc, ex, "request has a body, but me describes none");

    // A login body that is neither a password nor a resume login.
    let ex = json_exchange(
        "POST",
        "/api/v1/login",
        &json!({"resume": 5}),
        401,
        &json!({"success": false, "status": "error", "error": "Unauthorized", "message": "Unauthorized"}),
    );
    assert_caught(&rc, ex, "request body");
}

#[test]
fn documented_outcomes_name_every_status_and_variant() {
    let txty = ContractChecker::for_spec("txty").documented_outcomes();
    for o in [
        "login 200 ApiKeyAdded",
        "login 200 TwoFactorRequired",
        "login 200 TxtyError",
        "login request application/x-www-form-urlencoded",
        "loginXml 200",
        "loginXmlWithQuery 200",
        "viewAccountXml request application/x-www-form-urlencoded",
        "deleteApiKeyXmlWithQuery 200",
        "deleteApiKeyWithQuery 200 ApiKeyDeleted",
    ] {
        assert!(txty.contains(o), "{o} in {txty:#?}");
    }
    let rc = ContractChecker::for_spec("rocketchat").documented_outcomes();
    for o in [
        "login request application/json PasswordLogin",
        "login request application/x-www-form-urlencoded ResumeLogin",
        "login request application/json UsernameLogin",
        "login request application/x-www-form-urlencoded EmailLogin",
        "login 429",
        "logout request application/json",
        "logout 400",
        "logout 401",
    ] {
        assert!(rc.contains(o), "{o} in {rc:#?}");
    }
    let thanos = ContractChecker::for_spec("projectthanos").documented_outcomes();
    assert_eq!(
        thanos.iter().filter(|o| o.starts_with("login 4")).count(),
        5,
        "{thanos:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_forwards_and_records_the_exact_bytes() {
    within(TEST_LIMIT, async {
        let sandbox = Sandbox::start(Service::RocketChat).await.unwrap();
        let proxy = RecordingProxy::start(sandbox.base_url()).await.unwrap();
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let body = format!(r#"{{"user":"demo","password":"{DEMO_PASSWORD}"}}"#);
        let resp = http
            .post(format!("{}/api/v1/login?probe=1", proxy.base_url()))
            .header("content-type", "application/json")
            .header("x-probe", "kept")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let received = resp.bytes().await.unwrap();

        let recorded = proxy.exchanges();
        assert_eq!(recorded.len(), 1);
        let ex = &recorded[0];
        assert_eq!(
            (ex.method.as_str(), ex.path.as_str()),
            ("POST", "/api/v1/login")
        );
        assert_eq!(ex.query.as_deref(), Some("probe=1"));
        assert_eq!(ex.request_header("x-probe"), Some("kept"));
        assert_eq!(ex.request_body, body.as_bytes());
        assert_eq!(ex.status, status);
        assert_eq!(status, 200);
        assert_eq!(ex.response_body, received.to_vec());
        assert_eq!(ex.response_header("cache-control"), Some("no-store"));
        assert_eq!(headers["cache-control"], "no-store");
        assert!(headers.contains_key("x-ratelimit-limit"));

        // The sandbox saw the forwarded request: the token works for `me` through the proxy.
        let login: Value = serde_json::from_slice(&received).unwrap();
        let me = http
            .get(format!("{}/api/v1/me", proxy.base_url()))
            .header("x-auth-token", login["data"]["authToken"].as_str().unwrap())
            .header("x-user-id", login["data"]["userId"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200);

        // Only the undocumented `probe` query parameter breaks the contract.
        let violations = ContractChecker::for_spec("rocketchat").check(&proxy.exchanges());
        assert_eq!(violations.len(), 1, "{violations:#?}");
        assert!(violations[0].message.contains("`probe`"));
    })
    .await;
}
