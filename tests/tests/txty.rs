//! Txty: every operation of `txty-client` (the POST form operations and the deprecated GET
//! query ones) and every documented outcome (each `oneOf` variant of each HTTP 200), through the
//! recording proxy, with each exchange checked against `specs/txty.yaml`.

use apilogin_sandbox::{DEMO_PASSWORD, SECOND_FACTOR_CODE, Service};
use apilogin_tests::clients::{self, read_stream};
use apilogin_tests::{Harness, scenario_tests};
use txty_client::Secret;
use txty_client::types::{
    AccountForm, AccountResult, DeleteApiKeyForm, DeleteResult, LoginForm, LoginResult,
};

const USER: &str = "demo";
const USER_2FA: &str = "demo-2fa";

fn form(user: &str, pass: &str, tfkey: Option<&str>) -> LoginForm {
    LoginForm {
        user: user.to_owned(),
        pass: pass.into(),
        description: "apilogin-tests".to_owned(),
        tfkey: tfkey.map(Secret::from),
    }
}

/// Logs `user` in (POST form) and returns the new API key.
async fn new_key(client: &txty_client::Client, user: &str) -> Secret {
    let tfkey = (user == USER_2FA).then_some(SECOND_FACTOR_CODE);
    match client
        .login()
        .body(form(user, DEMO_PASSWORD, tfkey))
        .send()
        .await
        .expect("login")
        .into_inner()
    {
        LoginResult::ApiKeyAdded(added) => added.newapikey.key,
        other => panic!("expected ADDED_KEY, got {other:?}"),
    }
}

fn account(user: &str, key: &Secret) -> AccountForm {
    AccountForm {
        user: user.to_owned(),
        key: key.clone(),
    }
}

scenario_tests!(Service::Txty;
    login_adds_a_key,
    two_factor_login_needs_the_code,
    wrong_password_echo_is_redacted,
    login_with_query_is_deprecated_but_works,
    login_xml_answers_xml,
    login_xml_with_query,
    view_account_xml,
    delete_api_key_xml,
    missing_description_is_refused,
    view_account_with_a_good_and_a_bad_key,
    view_account_with_query,
    delete_api_key_logs_out,
    delete_api_key_with_query,
);

async fn login_adds_a_key() -> Harness {
    let h = Harness::start(Service::Txty).await;
    let client = clients::txty(h.base_url());
    let result = client
        .login()
        .body(form(USER, DEMO_PASSWORD, None))
        .send()
        .await
        .unwrap();
    let LoginResult::ApiKeyAdded(added) = result.into_inner() else {
        panic!("expected ADDED_KEY");
    };
    assert_eq!(added.newapikey.controlapikey, 0);
    assert!(!added.newapikey.key.expose_secret().is_empty());
    assert!(!format!("{added:?}").contains(added.newapikey.key.expose_secret()));

    // The login went as a form body, not in the URL.
    let sent = &h.exchanges()[0];
    assert_eq!(
        sent.request_header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(sent.query, None);
    h
}

async fn two_factor_login_needs_the_code() -> Harness {
    let h = Harness::start(Service::Txty).await;
    let client = clients::txty(h.base_url());
    let first = client
        .login()
        .body(form(USER_2FA, DEMO_PASSWORD, None))
        .send()
        .await
        .unwrap();
    assert!(matches!(
        first.into_inner(),
        LoginResult::TwoFactorRequired(_)
    ));

    let wrong = client
        .login()
        .body(form(USER_2FA, DEMO_PASSWORD, Some("000000")))
        .send()
        .await
        .unwrap();
    match wrong.into_inner() {
        LoginResult::TxtyError(e) => assert_eq!(e.error, "USER_NOT_FOUND"),
        other => panic!("expected USER_NOT_FOUND, got {other:?}"),
    }

    let key = new_key(&client, USER_2FA).await;
    let view = client
        .view_account()
        .body(account(USER_2FA, &key))
        .send()
        .await
        .unwrap();
    assert!(matches!(view.into_inner(), AccountResult::AccountView(v) if v.user.user == USER_2FA));
    h
}

async fn wrong_password_echo_is_redacted() -> Harness {
    const WRONG: &str = "wrong-password-0xC0FFEE";
    let h = Harness::start(Service::Txty).await;
    let result = clients::txty(h.base_url())
        .login()
        .body(form(USER, WRONG, None))
        .send()
        .await
        .unwrap();
    // The server echoes the submitted password back (as the real one does)…
    let wire = &h.exchanges()[0];
    assert!(String::from_utf8_lossy(&wire.response_body).contains(WRONG));
    // …but the typed answer keeps it in a Secret: Debug (of the whole ResponseValue, headers
    // included) never shows it.
    let debug = format!("{result:?}");
    assert!(!debug.contains(WRONG), "{debug}");
    let LoginResult::TxtyError(err) = result.into_inner() else {
        panic!("expected USER_NOT_FOUND");
    };
    assert_eq!(err.error, "USER_NOT_FOUND");
    let echo = err.login.expect("the login echo");
    assert_eq!(echo.user.as_deref(), Some(USER));
    assert_eq!(echo.pass.as_ref().map(Secret::expose_secret), Some(WRONG));
    assert!(!format!("{echo:?}").contains(WRONG));
    h
}

async fn login_with_query_is_deprecated_but_works() -> Harness {
    let h = Harness::start(Service::Txty).await;
    let client = clients::txty(h.base_url());
    let query = |user: &str, pass: &str| {
        client
            .login_with_query()
            .user(user)
            .pass(pass)
            .description("apilogin-tests")
    };
    let added = query(USER, DEMO_PASSWORD)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(matches!(added, LoginResult::ApiKeyAdded(_)), "{added:?}");
    let tf = query(USER_2FA, DEMO_PASSWORD)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(matches!(tf, LoginResult::TwoFactorRequired(_)), "{tf:?}");
    let with_code = query(USER_2FA, DEMO_PASSWORD)
        .tfkey(SECOND_FACTOR_CODE)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        matches!(with_code, LoginResult::ApiKeyAdded(_)),
        "{with_code:?}"
    );
    let refused = query(USER, "nope").send().await.unwrap().into_inner();
    assert!(
        matches!(refused, LoginResult::TxtyError(ref e) if e.error == "USER_NOT_FOUND"),
        "{refused:?}"
    );

    // Why it is deprecated: the password travels in the URL.
    let sent = &h.exchanges()[0];
    assert_eq!(sent.method, "GET");
    assert!(
        sent.query
            .as_deref()
            .is_some_and(|q| q.contains("pass=demo-password")),
        "{sent:?}"
    );
    h
}

async fn login_xml_answers_xml() -> Harness {
    let h = Harness::start(Service::Txty).await;
    let client = clients::txty(h.base_url());
    let xml = client
        .login_xml()
        .body(form(USER, DEMO_PASSWORD, None))
        .send()
        .await
        .unwrap();
    assert_eq!(xml.status(), 200);
    assert_eq!(xml.headers()["content-type"], "application/xml");
    let bytes = read_stream(xml.into_inner()).await.unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><response>"#),
        "{text}"
    );
    assert!(
        text.contains("<status>success</status><success>ADDED_KEY</success>"),
        "{text}"
    );
    assert!(
        text.contains("<newapikey><controlapikey>0</controlapikey><key>"),
        "{text}"
    );
    assert!(text.ends_with("</response>"), "{text}");

    let tf = client
        .login_xml()
        .body(form(USER_2FA, DEMO_PASSWORD, None))
        .send()
        .await
        .unwrap();
    let text = String::from_utf8(read_stream(tf.into_inner()).await.unwrap()).unwrap();
    assert!(text.contains("<success>ADDED_TF</success>"), "{text}");

    // A refused XML login echoes the password too, and `login_xml` hands back raw bytes, so
    // no `Secret` can hide it (the spec's XML `userNotFound` example shows no `<login>` echo;
    // the sandbox mirrors the JSON answer, echo included, as the spec's prose says).
    let refused = client
        .login_xml()
        .body(form(USER, "wrong-xml-password", None))
        .send()
        .await
        .unwrap();
    let text = String::from_utf8(read_stream(refused.into_inner()).await.unwrap()).unwrap();
    assert!(
        text.contains("<status>error</status><error>USER_NOT_FOUND</error>"),
        "{text}"
    );
    assert!(text.contains("<pass>wrong-xml-password</pass>"), "{text}");
    h
}

async fn view_account_with_a_good_and_a_bad_key() -> Harness {
    let h = Harness::start(Service::Txty).await;
    let client = clients::txty(h.base_url());
    let key = new_key(&client, USER).await;
    let view = client
        .view_account()
        .body(account(USER, &key))
        .send()
        .await
        .unwrap()
        .into_inner();
    let AccountResult::AccountView(view) = view else {
        panic!("expected the account, got {view:?}");
    };
    assert_eq!(view.user.user, USER);
    assert!(view.user.credits >= 0);

    let bad = client
        .view_account()
        .body(account(USER, &Secret::from("not-a-key")))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        matches!(bad, AccountResult::TxtyError(ref e) if e.error == "INVALID_APIKEY"),
        "{bad:?}"
    );
    h
}

async fn view_account_with_query() -> Harness {
    let h = Harness::start(Service::Txty).await;
    let client = clients::txty(h.base_url());
    let key = new_key(&client, USER).await;
    let view = client
        .view_account_with_query()
        .user(USER)
        .key(&key)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        matches!(view, AccountResult::AccountView(ref v) if v.user.user == USER),
        "{view:?}"
    );
    let bad = client
        .view_account_with_query()
        .user(USER_2FA)
        .key(&key)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        matches!(bad, AccountResult::TxtyError(ref e) if e.error == "INVALID_APIKEY"),
        "{bad:?}"
    );
    h
}

async fn delete_api_key_logs_out() -> Harness {
    let h = Harness::start(Service::Txty).await;
    let client = clients::txty(h.base_url());
    let key = new_key(&client, USER).await;
    let delete = |key: &Secret| DeleteApiKeyForm {
        user: USER.to_owned(),
        key: key.clone(),
        apikey: key.clone(),
    };
    let deleted = client
        .delete_api_key()
        .body(delete(&key))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        matches!(deleted, DeleteResult::ApiKeyDeleted(_)),
        "{deleted:?}"
    );

    // The key no longer works, for viewing nor for deleting again.
    let view = client
        .view_account()
        .body(account(USER, &key))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        matches!(view, AccountResult::TxtyError(ref e) if e.error == "INVALID_APIKEY"),
        "{view:?}"
    );
    let again = client
        .delete_api_key()
        .body(delete(&key))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        matches!(again, DeleteResult::TxtyError(ref e) if e.error == "INVALID_APIKEY"),
        "{again:?}"
    );
    h
}

async fn delete_api_key_with_query() -> Harness {
    let h = Harness::start(Service::Txty).await;
    let client = clients::txty(h.base_url());
    let key = new_key(&client, USER).await;
    let other = new_key(&client, USER).await;
    // One key deletes another of the same account.
    let deleted = client
        .delete_api_key_with_query()
        .user(USER)
        .key(&key)
        .apikey(&other)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        matches!(deleted, DeleteResult::ApiKeyDeleted(_)),
        "{deleted:?}"
    );
    let view = client
        .view_account()
        .body(account(USER, &other))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(matches!(view, AccountResult::TxtyError(_)), "{view:?}");
    let view = client
        .view_account()
        .body(account(USER, &key))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(matches!(view, AccountResult::AccountView(_)), "{view:?}");

    // Deleting a key that is gone: the sandbox answers APIKEY_NOT_FOUND (a `TxtyError`).
    let gone = client
        .delete_api_key_with_query()
        .user(USER)
        .key(&key)
        .apikey(&other)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        matches!(gone, DeleteResult::TxtyError(ref e) if e.error == "APIKEY_NOT_FOUND"),
        "{gone:?}"
    );
    h
}

/// The text of an XML answer.
async fn xml_text(rv: progenitor_client::ResponseValue<progenitor_client::ByteStream>) -> String {
    assert_eq!(rv.status(), 200);
    assert_eq!(rv.headers()["content-type"], "application/xml");
    String::from_utf8(read_stream(rv.into_inner()).await.unwrap()).unwrap()
}

async fn login_xml_with_query() -> Harness {
    let h = Harness::start(Service::Txty).await;
    let client = clients::txty(h.base_url());
    let added = client
        .login_xml_with_query()
        .user(USER)
        .pass(DEMO_PASSWORD)
        .description("apilogin-tests")
        .send()
        .await
        .unwrap();
    let text = xml_text(added).await;
    assert!(text.contains("<success>ADDED_KEY</success>"), "{text}");
    let tf = client
        .login_xml_with_query()
        .user(USER_2FA)
        .pass(DEMO_PASSWORD)
        .description("apilogin-tests")
        .tfkey(SECOND_FACTOR_CODE)
        .send()
        .await
        .unwrap();
    let text = xml_text(tf).await;
    assert!(text.contains("<success>ADDED_KEY</success>"), "{text}");
    assert_eq!(h.exchanges()[0].method, "GET");
    h
}

async fn view_account_xml() -> Harness {
    let h = Harness::start(Service::Txty).await;
    let client = clients::txty(h.base_url());
    let key = new_key(&client, USER).await;
    let view = client
        .view_account_xml()
        .body(account(USER, &key))
        .send()
        .await
        .unwrap();
    let text = xml_text(view).await;
    assert!(
        text.contains("<status>success</status><user><user>demo</user>"),
        "{text}"
    );
    let bad = client
        .view_account_xml_with_query()
        .user(USER_2FA)
        .key(&key)
        .send()
        .await
        .unwrap();
    let text = xml_text(bad).await;
    assert!(
        text.contains("<status>error</status><error>INVALID_APIKEY</error>"),
        "{text}"
    );
    let good = client
        .view_account_xml_with_query()
        .user(USER)
        .key(&key)
        .send()
        .await
        .unwrap();
    assert!(xml_text(good).await.contains("<credits>"));
    h
}

async fn delete_api_key_xml() -> Harness {
    let h = Harness::start(Service::Txty).await;
    let client = clients::txty(h.base_url());
    let key = new_key(&client, USER).await;
    let other = new_key(&client, USER).await;
    let deleted = client
        .delete_api_key_xml()
        .body(DeleteApiKeyForm {
            user: USER.to_owned(),
            key: key.clone(),
            apikey: other.clone(),
        })
        .send()
        .await
        .unwrap();
    let text = xml_text(deleted).await;
    assert!(text.contains("<success>DELETE_APIKEY</success>"), "{text}");
    let deleted = client
        .delete_api_key_xml_with_query()
        .user(USER)
        .key(&key)
        .apikey(&key)
        .send()
        .await
        .unwrap();
    let text = xml_text(deleted).await;
    assert!(text.contains("<success>DELETE_APIKEY</success>"), "{text}");
    // Both keys are gone now.
    let gone = client
        .delete_api_key_xml_with_query()
        .user(USER)
        .key(&key)
        .apikey(&key)
        .send()
        .await
        .unwrap();
    let text = xml_text(gone).await;
    assert!(text.contains("<error>INVALID_APIKEY</error>"), "{text}");
    h
}

/// `description` is required by the spec; the sandbox refuses a login without it like a wrong
/// one (the request is sent raw, as the generated client cannot leave it out).
async fn missing_description_is_refused() -> Harness {
    let h = Harness::start(Service::Txty).await;
    h.expect_violation("\"description\" is a required property");
    let resp = clients::http(clients::TIMEOUT, &[])
        .post(format!("{}/user/newapikey/login.json", h.base_url()))
        .form(&[("user", USER), ("pass", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "error", "{body}");
    assert_eq!(body["error"], "USER_NOT_FOUND", "{body}");
    h
}
