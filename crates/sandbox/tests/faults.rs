//! Fault modes as a client sees them over real HTTP.

use std::time::{Duration, Instant};

use apilogin_sandbox::{DEMO_PASSWORD, Fault, REMOTEIT_DEVELOPER_KEY, Sandbox, Service};
use reqwest::{Client, StatusCode, redirect};
use serde_json::json;

async fn faulty(service: Service, fault: Fault) -> Sandbox {
    Sandbox::builder(service)
        .fault(fault)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn truncated_body_is_cut_not_hung() {
    let sb = faulty(Service::ProjectThanos, Fault::TruncatedBody).await;
    let client = Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let resp = client
        .post(format!("{}/api/organizations/user-login/", sb.base_url()))
        .json(&json!({"username": "retailer@projectthanos.com", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.content_length(),
        Some(Fault::TRUNCATED_DECLARED_LEN as u64)
    );
    let err = resp.bytes().await.expect_err("the body is cut short");
    assert!(!err.is_timeout(), "must fail fast, got {err}");
    sb.shutdown().await;
}

#[tokio::test]
async fn slow_times_out_and_shutdown_is_prompt() {
    let sb = faulty(Service::RocketChat, Fault::slow()).await;
    let client = Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client
        .get(format!("{}/api/v1/me", sb.base_url()))
        .send()
        .await
        .expect_err("300 s is beyond the timeout");
    assert!(err.is_timeout(), "{err}");

    // A request still parked inside the server must not hold up shutdown.
    let url = format!("{}/api/v1/me", sb.base_url());
    let parked = tokio::spawn(async move { Client::new().get(url).send().await });
    tokio::task::yield_now().await;
    let started = Instant::now();
    sb.shutdown().await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(parked.await.unwrap().is_err(), "the parked request was cut");
}

#[tokio::test]
async fn redirect_goes_to_the_recorder() {
    let sb = faulty(Service::RemoteIt, Fault::Redirect308).await;
    let body = json!({"username": "demo@remote.it", "password": DEMO_PASSWORD});

    let no_follow = Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    let resp = no_follow
        .post(format!("{}/user/login?x=1", sb.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        resp.headers()["location"],
        format!("{}/user/login?x=1", sb.recorder_base_url()).as_str()
    );
    assert!(sb.recorded().is_empty());

    // A client that follows 308 re-sends the POST, body and custom headers included.
    let resp = Client::new()
        .post(format!("{}/user/login", sb.base_url()))
        .header("developerkey", REMOTEIT_DEVELOPER_KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.text().await.unwrap(), "{}");
    let recorded = sb.recorded();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].method, "POST");
    assert_eq!(recorded[0].path_and_query, "/apv/v27/user/login");
    assert_eq!(
        recorded[0].header("developerkey"),
        Some(REMOTEIT_DEVELOPER_KEY)
    );
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&recorded[0].body).unwrap(),
        body
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn huge_body_declares_its_size_and_streams() {
    let sb = faulty(Service::Txty, Fault::HugeBody).await;
    let mut resp = Client::new()
        .get(format!("{}/user/newapikey/login.json", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.content_length(), Some(Fault::HUGE_BODY_LEN));
    let first = resp.chunk().await.unwrap().unwrap();
    assert!(first.starts_with(b"{\"padding\":\""));
    drop(resp); // a client with a body limit gives up here
    sb.shutdown().await;
}

#[tokio::test]
async fn canned_answers() {
    let client = Client::new();
    for (fault, status, content_type) in [
        (Fault::BadGatewayHtml, StatusCode::BAD_GATEWAY, "text/html"),
        (Fault::MalformedJson, StatusCode::OK, "application/json"),
        (Fault::EmptyOk, StatusCode::OK, "application/json"),
        (
            Fault::WrongContentType,
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
        ),
    ] {
        let sb = faulty(Service::ProjectThanos, fault).await;
        let resp = client
            .get(format!("{}/api/unknown/", sb.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), status, "{fault}");
        assert_eq!(resp.headers()["content-type"], content_type, "{fault}");
        let text = resp.text().await.unwrap();
        match fault {
            Fault::BadGatewayHtml => assert!(text.contains("<h1>502 Bad Gateway</h1>")),
            Fault::MalformedJson => {
                assert!(serde_json::from_str::<serde_json::Value>(&text).is_err())
            }
            Fault::EmptyOk => assert!(text.is_empty()),
            _ => assert_eq!(text, r#"{"detail":"Not found."}"#),
        }
    }
}

#[tokio::test]
async fn dropping_the_sandbox_closes_the_port() {
    let sb = Sandbox::start(Service::Txty).await.unwrap();
    let addr = sb.addr();
    drop(sb);
    // The accept loop stops on its own task; give it a few turns, without sleeping blindly.
    let mut refused = false;
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(refused, "port still open after drop");
}
