//! The corpus's runtime probe (issue 22): what the view's adaptations of bodies do on the wire,
//! with crates generated from `cases/binarybodies.yaml`, `cases/mixedbodies.yaml`,
//! `cases/fragmentkeys.json` and `cases/jsonpatchbody.yaml`, against a
//! one-answer HTTP server on 127.0.0.1. `crates/codegen/tests/corpus.rs` builds it in its
//! scratch workspace as the package `corpusprobe` and runs it; a failed check panics.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Accepts one connection, reads the request up to its body, answers `reply`; the request head.
async fn serve_once(listener: &TcpListener, reply: &'static str) -> String {
    let (mut sock, _) = listener.accept().await.expect("a connection");
    let mut buf = vec![0u8; 65536];
    let mut got = Vec::new();
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = sock.read(&mut buf).await.expect("the request");
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    sock.write_all(reply.as_bytes()).await.expect("the answer");
    sock.shutdown().await.ok();
    String::from_utf8_lossy(&got).to_string()
}

fn content_types(head: &str) -> Vec<String> {
    head.lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("content-type:"))
        .map(|l| l[13..].trim().to_string())
        .collect()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));

    // Rule B, requests: an `image/*` body goes with the Content-Type the caller gives, once.
    let c = binarybodies_client::Client::new(&base).expect("a client");
    let call = c
        .upload_image()
        .content_type("image/png")
        .body(vec![1u8, 2, 3])
        .send();
    let (head, res) = tokio::join!(
        serve_once(
            &listener,
            "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 10\r\n\
             connection: close\r\n\r\n{\"id\":\"x\"}"
        ),
        call
    );
    assert_eq!(content_types(&head), ["image/png"], "{head}");
    assert!(res.is_ok(), "upload_image: {:?}", res.err().map(|e| e.to_string()));

    // Wildcard media types: `image/*` in the spec lets `image/jpeg` through the hooks' check.
    let call = c.get_image().id("1").send();
    let (_, res) = tokio::join!(
        serve_once(
            &listener,
            "HTTP/1.1 200 OK\r\ncontent-type: image/jpeg\r\ncontent-length: 3\r\n\
             connection: close\r\n\r\nabc"
        ),
        call
    );
    assert!(res.is_ok(), "get_image: {:?}", res.err().map(|e| e.to_string()));
    // ... but not `text/html`.
    let call = c.get_image().id("1").send();
    let (_, res) = tokio::join!(
        serve_once(
            &listener,
            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 3\r\n\
             connection: close\r\n\r\nabc"
        ),
        call
    );
    assert!(res.is_err(), "get_image accepted text/html");

    // Rule B, responses: a 204 without body beside a JSON 200 is a success (raw body) ...
    let m = mixedbodies_client::Client::new(&base).expect("a client");
    let call = m.get_pet().id("1").send();
    let (_, res) = tokio::join!(
        serve_once(&listener, "HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n"),
        call
    );
    let ok = res.expect("get_pet 204 is a success");
    assert_eq!(ok.status().as_u16(), 204);
    // ... the JSON 200 is still checked against the media types the spec lists ...
    let call = m.get_pet().id("1").send();
    let (_, res) = tokio::join!(
        serve_once(
            &listener,
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\
             connection: close\r\n\r\nhi"
        ),
        call
    );
    assert!(res.is_err(), "get_pet accepted text/plain for its JSON 200");
    // ... and a 404 without body beside a JSON 400 keeps its status.
    let call = m.get_pet().id("1").send();
    let (_, res) = tokio::join!(
        serve_once(&listener, "HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n"),
        call
    );
    let e = res.err().expect("get_pet 404 is an error");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(404), "{e}");
    // A `+json` error body is typed, and accepted under its own media type.
    let call = m.create_owner().send();
    let (_, res) = tokio::join!(
        serve_once(
            &listener,
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\n\
             content-length: 16\r\nconnection: close\r\n\r\n{\"message\":\"no\"}"
        ),
        call
    );
    let e = res.err().expect("create_owner 400 is an error");
    let problem = e.error_response().expect("a typed error answer");
    assert_eq!(problem.message.as_deref(), Some("no"), "{e}");

    // Rule P: a `#fragment` path key (Box's `/oauth2/token#refresh`) is never sent: the request
    // line has the path alone, for the split operation of such a key too (`…#x-body`).
    let f = fragmentkeys_client::Client::new(&base).expect("a client");
    let call = f
        .refresh_token()
        .body(fragmentkeys_client::types::TokenRequest {
            grant_type: "refresh_token".into(),
            refresh_token: Some("r".into()),
        })
        .send();
    let (head, res) = tokio::join!(
        serve_once(
            &listener,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\
             connection: close\r\n\r\n{}"
        ),
        call
    );
    assert!(head.starts_with("POST /oauth2/token HTTP/1.1\r\n"), "{head}");
    assert!(res.is_ok(), "refresh_token: {:?}", res.err().map(|e| e.to_string()));
    let call = f
        .add_share_link_to_file_with_body()
        .file_id("f1")
        .body(fragmentkeys_client::types::AddShareLinkToFileWithBodyBody { shared_link: None })
        .send();
    let (head, res) = tokio::join!(
        serve_once(&listener, "HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n"),
        call
    );
    assert!(head.starts_with("PUT /files/f1 HTTP/1.1\r\n"), "{head}");
    assert!(res.is_ok(), "add_share_link_to_file_with_body: {:?}", res.err().map(|e| e.to_string()));

    // Rule B: a `+json` request body goes as JSON with the spec's media type, once.
    let j = jsonpatchbody_client::Client::new(&base).expect("a client");
    let call = j
        .patch_metadata()
        .id("1")
        .content_type("application/json-patch+json")
        .body(vec![jsonpatchbody_client::types::PatchOp {
            op: jsonpatchbody_client::types::PatchOpOp::Remove,
            path: "/a".into(),
            value: None,
        }])
        .send();
    let (head, res) = tokio::join!(
        serve_once(&listener, "HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n"),
        call
    );
    assert_eq!(content_types(&head), ["application/json-patch+json"], "{head}");
    assert!(res.is_ok(), "patch_metadata: {:?}", res.err().map(|e| e.to_string()));
    println!("corpusprobe: 13 checks passed");
}
