//! One real-HTTP happy path per service, plus the behaviours clients most depend on.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use apilogin_sandbox::{
    DEMO_PASSWORD, REMOTEIT_DEVELOPER_KEY, SECOND_FACTOR_CODE, Sandbox, Service,
};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

async fn json_of(resp: Response) -> Value {
    resp.json().await.expect("JSON body")
}

#[tokio::test]
async fn remoteit_login_then_authhash() {
    let sb = Sandbox::start(Service::RemoteIt).await.unwrap();
    assert!(sb.base_url().ends_with("/apv/v27"));
    let c = Client::new();
    let login = |body: Value, path: &'static str, key: Option<&'static str>| {
        let mut req = c.post(format!("{}{path}", sb.base_url())).json(&body);
        if let Some(key) = key {
            req = req.header("developerkey", key);
        }
        req.send()
    };
    let creds = json!({"username": "demo@remote.it", "password": DEMO_PASSWORD});

    let resp = login(creds.clone(), "/user/login", Some(REMOTEIT_DEVELOPER_KEY))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let ok = json_of(resp).await;
    assert_eq!(ok["status"], "true");
    assert_eq!(ok["email"], "demo@remote.it");
    assert_eq!(ok["token"].as_str().unwrap().len(), 32);
    let authhash = ok["service_authhash"].as_str().unwrap().to_owned();

    let again = json!({"username": "demo@remote.it", "authhash": authhash});
    let resp = login(again, "/user/login/authhash", Some(REMOTEIT_DEVELOPER_KEY))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(json_of(resp).await["status"], "true");

    let bogus = json!({"username": "demo@remote.it", "authhash": "ABC"});
    let resp = login(bogus, "/user/login/authhash", Some(REMOTEIT_DEVELOPER_KEY))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    let resp = login(creds, "/user/login", None).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let err = json_of(resp).await;
    assert_eq!(
        (err["status"].as_str(), err["code"].as_str()),
        (Some("false"), Some("GENERAL_ERROR"))
    );

    let mfa = json!({"username": "mfa@remote.it", "password": DEMO_PASSWORD});
    let resp = login(mfa, "/user/login", Some(REMOTEIT_DEVELOPER_KEY))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json_of(resp).await["code"], "SMS_MFA");

    // Garbage instead of JSON: the service's own 401, not a crash.
    let resp = c
        .post(format!("{}/user/login", sb.base_url()))
        .header("developerkey", REMOTEIT_DEVELOPER_KEY)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    sb.shutdown().await;
}

#[tokio::test]
async fn txty_two_factor_login_view_and_delete() {
    let sb = Sandbox::start(Service::Txty).await.unwrap();
    let c = Client::new();
    let url = |p: &str| format!("{}{p}", sb.base_url());
    let form = |p: &str, params: &[(&str, &str)]| c.post(url(p)).form(params).send();

    let mut login = vec![
        ("user", "demo-2fa"),
        ("pass", DEMO_PASSWORD),
        ("description", "test"),
    ];
    let first = json_of(form("/user/newapikey/login.json", &login).await.unwrap()).await;
    assert_eq!(first, json!({"status": "success", "success": "ADDED_TF"}));
    login.push(("tfkey", SECOND_FACTOR_CODE));
    let added = json_of(form("/user/newapikey/login.json", &login).await.unwrap()).await;
    assert_eq!(added["success"], "ADDED_KEY");
    let key = added["newapikey"]["key"].as_str().unwrap().to_owned();

    let account = [("user", "demo-2fa"), ("key", key.as_str())];
    let view = json_of(form("/view/user/api.json", &account).await.unwrap()).await;
    assert_eq!(view["status"], "success");
    assert_eq!(view["user"]["user"], "demo-2fa");
    // The same call as GET with a query string.
    let resp = c
        .get(url("/view/user/api.json"))
        .query(&account)
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(resp).await["status"], "success");

    let delete = [
        ("user", "demo-2fa"),
        ("key", key.as_str()),
        ("apikey", key.as_str()),
    ];
    let deleted = json_of(form("/user/deleteapikey/api.json", &delete).await.unwrap()).await;
    assert_eq!(
        deleted,
        json!({"status": "success", "success": "DELETE_APIKEY"})
    );
    let resp = form("/view/user/api.json", &account).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "errors are HTTP 200 too");
    assert_eq!(json_of(resp).await["error"], "INVALID_APIKEY");

    let bad = [("user", "demo"), ("pass", "nope"), ("description", "test")];
    let err = json_of(form("/user/newapikey/login.json", &bad).await.unwrap()).await;
    assert_eq!(err["error"], "USER_NOT_FOUND");
    assert_eq!(err["login"], json!({"user": "demo", "pass": "nope"}));

    let ok = [
        ("user", "demo"),
        ("pass", DEMO_PASSWORD),
        ("description", "xml"),
    ];
    let resp = form("/user/newapikey/login.xml", &ok).await.unwrap();
    assert_eq!(resp.headers()["content-type"], "application/xml");
    let xml = resp.text().await.unwrap();
    assert!(xml.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><response><status>success</status><success>ADDED_KEY</success><newapikey><controlapikey>0</controlapikey><key>"#), "{xml}");
    sb.shutdown().await;
}

#[tokio::test]
async fn projectthanos_login_and_errors() {
    let sb = Sandbox::start(Service::ProjectThanos).await.unwrap();
    let c = Client::new();
    let url = format!("{}/api/organizations/user-login/", sb.base_url());
    let post_json = |body: &str| {
        c.post(&url)
            .header("content-type", "application/json; charset=utf-8")
            .body(body.to_owned())
            .send()
    };
    let creds = |user: &str| json!({"username": user, "password": DEMO_PASSWORD}).to_string();

    let resp = post_json(&creds("retailer@projectthanos.com"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let ok = json_of(resp).await;
    assert_eq!(ok["org_type"], "RETAILER");
    assert_eq!(ok["supplier_uuid"], "");
    assert_eq!(ok["auth_token"].as_str().unwrap().len(), 40);

    let status = |body: String| async move { post_json(&body).await.unwrap().status() };
    assert_eq!(
        status(creds("noaccess@projectthanos.com")).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(creds("nobody@projectthanos.com")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status(r#"{"username":"x"}"#.into()).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(status("{oops".into()).await, StatusCode::BAD_REQUEST);

    let resp = c
        .post(&url)
        .header("content-type", "text/plain")
        .body(creds("retailer@projectthanos.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        json_of(resp).await,
        json!({"detail": "Unsupported media type \"text/plain\" in request."})
    );

    let resp = c
        .get(format!("{}/api/nope/", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(json_of(resp).await, json!({"detail": "Not found."}));
    sb.shutdown().await;
}

#[tokio::test]
async fn rocketchat_login_me_resume_logout() {
    let sb = Sandbox::start(Service::RocketChat).await.unwrap();
    let c = Client::new();
    let url = |p: &str| format!("{}/api/v1/{p}", sb.base_url());

    // Form body, like the documented curl example.
    let resp = c
        .post(url("login"))
        .form(&[("user", "demo"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    assert_eq!(resp.headers()["x-ratelimit-limit"], "10");
    assert_eq!(resp.headers()["x-ratelimit-remaining"], "9");
    let reset: u64 = resp.headers()["x-ratelimit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert!(
        reset > now_ms && reset <= now_ms + 61_000,
        "reset is epoch milliseconds"
    );
    let body = json_of(resp).await;
    assert_eq!(body["status"], "success");
    let token = body["data"]["authToken"].as_str().unwrap().to_owned();
    let user_id = body["data"]["userId"].as_str().unwrap().to_owned();
    assert_eq!(body["data"]["me"]["username"], "demo");

    let me = || {
        c.get(url("me"))
            .header("X-Auth-Token", &token)
            .header("X-User-Id", &user_id)
            .send()
    };
    let resp = me().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(json_of(resp).await["_id"], user_id.as_str());

    let resp = c
        .post(url("login"))
        .json(&json!({"resume": token}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    let resp = c
        .post(url("logout"))
        .header("X-Auth-Token", &token)
        .header("X-User-Id", &user_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_of(resp).await,
        json!({"status": "success", "data": {"message": "You've been logged out!"}})
    );
    let resp = me().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        json_of(resp).await["error"],
        "You must be logged in to do this."
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn rocketchat_two_factor_lockout_and_rate_limit() {
    let sb = Sandbox::builder(Service::RocketChat)
        .rate_limit(14, Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let c = Client::new();
    let url = format!("{}/api/v1/login", sb.base_url());
    let login = |body: Value, code: Option<&str>| {
        let mut req = c.post(&url).json(&body);
        if let Some(code) = code {
            req = req.header("x-2fa-code", code);
        }
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status();
            (status, json_of(resp).await)
        }
    };
    let two_fa = json!({"user": "demo-2fa@example.com", "password": DEMO_PASSWORD});

    let (status, body) = login(two_fa.clone(), None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("totp-required"))
    );
    assert_eq!(body["details"]["method"], "totp");
    let (_, body) = login(two_fa.clone(), Some("000000")).await;
    assert_eq!(body["error"], "totp-invalid");
    let (status, _) = login(two_fa.clone(), Some(SECOND_FACTOR_CODE)).await;
    assert_eq!(status, StatusCode::OK);

    let wrong = json!({"username": "demo", "password": "wrong"});
    for _ in 0..5 {
        assert_eq!(login(wrong.clone(), None).await.1["error"], "Unauthorized");
    }
    let right = json!({"username": "demo", "password": DEMO_PASSWORD});
    assert_eq!(
        login(right, None).await.1["error"],
        "error-login-blocked-for-user"
    );

    // 3 + 5 + 1 = 9 calls so far; the limit is 14.
    for _ in 0..5 {
        assert_ne!(
            login(wrong.clone(), None).await.0,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    let resp = c.post(&url).json(&wrong).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["x-ratelimit-remaining"], "0");
    let body = json_of(resp).await;
    assert_eq!(body["success"], false);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("Error, too many requests.")
    );
    sb.shutdown().await;
}

/// Tokens, keys and failure counters expire after the lifetimes set with the builder.
#[tokio::test]
async fn tokens_keys_and_failure_counters_expire() {
    const LIFETIME: Duration = Duration::from_millis(300);
    let c = Client::new();

    let sb = Sandbox::builder(Service::RocketChat)
        .token_lifetime(LIFETIME)
        .failure_lifetime(LIFETIME)
        .rate_limit(u32::MAX, Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let url = |p: &str| format!("{}/api/v1/{p}", sb.base_url());
    let login = |body: Value| c.post(url("login")).json(&body).send();
    let body = json_of(
        login(json!({"user": "demo", "password": DEMO_PASSWORD}))
            .await
            .unwrap(),
    )
    .await;
    let (token, user_id) = (
        body["data"]["authToken"].as_str().unwrap().to_owned(),
        body["data"]["userId"].as_str().unwrap().to_owned(),
    );
    let me = || {
        c.get(url("me"))
            .header("x-auth-token", &token)
            .header("x-user-id", &user_id)
            .send()
    };
    assert_eq!(me().await.unwrap().status(), StatusCode::OK);
    for _ in 0..5 {
        let resp = login(json!({"user": "demo", "password": "wrong"}))
            .await
            .unwrap();
        assert_eq!(json_of(resp).await["error"], "Unauthorized");
    }
    let blocked = login(json!({"user": "demo", "password": DEMO_PASSWORD}))
        .await
        .unwrap();
    assert_eq!(
        json_of(blocked).await["error"],
        "error-login-blocked-for-user"
    );

    tokio::time::sleep(LIFETIME + Duration::from_millis(100)).await;
    assert_eq!(me().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let resume = login(json!({"resume": &token})).await.unwrap();
    assert_eq!(resume.status(), StatusCode::UNAUTHORIZED);
    let again = login(json!({"user": "demo", "password": DEMO_PASSWORD}))
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK, "the lockout is over");
    sb.shutdown().await;

    let sb = Sandbox::builder(Service::Txty)
        .token_lifetime(LIFETIME)
        .start()
        .await
        .unwrap();
    let url = |p: &str| format!("{}{p}", sb.base_url());
    let added = json_of(
        c.post(url("/user/newapikey/login.json"))
            .form(&[
                ("user", "demo"),
                ("pass", DEMO_PASSWORD),
                ("description", "test"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    let key = added["newapikey"]["key"].as_str().unwrap().to_owned();
    let view = || {
        c.post(url("/view/user/api.json"))
            .form(&[("user", "demo"), ("key", key.as_str())])
            .send()
    };
    assert_eq!(json_of(view().await.unwrap()).await["status"], "success");
    tokio::time::sleep(LIFETIME + Duration::from_millis(100)).await;
    assert_eq!(
        json_of(view().await.unwrap()).await["error"],
        "INVALID_APIKEY"
    );
    sb.shutdown().await;
}
