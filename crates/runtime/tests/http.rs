//! The runtime over real HTTP on 127.0.0.1, driven the way a generated crate's `send` drives it
//! (`pre` hook, secrets captured, `exec`, `post`, the error built), against servers of a few
//! lines over a `TcpListener`: a redirect to another origin, bodies over the cap, a server
//! that echoes everything it was sent.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use apilogin_runtime::{
    Authenticate, Credential, Error, ErrorKind, ErrorValue, MAX_RESPONSE_BYTES, Place,
    RedirectRefused, RequestSecrets, Scheme, Secret, SecretPlaces, build_client, hooks,
};
use progenitor_client::{OperationInfo, ResponseValue};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const PASSWORD: &str = "pa$$ w\"rd-7Q";
const KEY: &str = "key-0f9e8d";

/// A spec with one header key, `x-api-key`, that `login` does not need and `me` does.
#[derive(Default)]
struct Creds {
    key: Option<Secret>,
}

impl Authenticate for Creds {
    const SCHEMES: &'static [Scheme] = &[Scheme {
        name: "apiKey",
        place: Place::Header("x-api-key"),
        prefix: "",
    }];

    fn credential(&self, index: usize) -> Option<Credential<'_>> {
        (index == 0)
            .then_some(self.key.as_ref()?)
            .map(Credential::Secret)
    }

    fn requirements(operation: &str) -> &'static [&'static [usize]] {
        match operation {
            "me" => &[&[0]],
            _ => &[],
        }
    }
}

/// The body of an error answer, whatever it is.
#[derive(Debug, serde::Deserialize)]
struct Answer(#[allow(dead_code)] serde_json::Value);

impl ErrorValue for Answer {
    fn describe(&self) -> String {
        format!("{self:?}")
    }

    fn message(&self) -> Option<String> {
        apilogin_runtime::json_message(&self.0)
    }
}

/// The generated crate's `Client`, which only tells the errors of crates apart.
struct Client;

const LOGIN_PLACES: SecretPlaces = SecretPlaces {
    query: &[],
    headers: &[],
    body: &[&["password"]],
};

fn json_only(_: &str, _: u16) -> Option<&'static [&'static str]> {
    Some(&["application/json"])
}

/// A server that answers every request with `answer(request text)` and counts the requests.
async fn serve(
    answer: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static,
) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            counted.fetch_add(1, Ordering::SeqCst);
            let answer = answer.clone();
            tokio::spawn(async move {
                let request = read_request(&mut stream).await;
                let _ = stream.write_all(&answer(&request)).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (addr, hits)
}

/// The request's head and its `Content-Length` body, as text.
async fn read_request(stream: &mut tokio::net::TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                return text;
            }
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return String::from_utf8_lossy(&bytes).into_owned(),
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
        }
    }
}

fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nconnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// What a generated `send` does, for `operation` with `request`: the hooks around the
/// exchange, then the typed error of any non-2xx answer.
async fn send(
    client: &reqwest::Client,
    credentials: &Creds,
    operation: &'static str,
    mut request: reqwest::Request,
) -> Result<reqwest::Response, Error<Answer, Client>> {
    let mut secrets = RequestSecrets::new(credentials);
    let result: Result<reqwest::Response, ErrorKind<Answer>> = async {
        let info = OperationInfo {
            operation_id: operation,
        };
        hooks::pre(credentials, client, &mut request, &info)?;
        secrets.capture(&request, LOGIN_PLACES);
        let result = hooks::exec(client, request).await;
        hooks::post(&result, &info, json_only)?;
        let response = result?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(ErrorKind::ErrorResponse(
                ResponseValue::from_response(response).await?,
            ))
        }
    }
    .await;
    result.map_err(|e| Error::new(e, secrets.scrubber()))
}

fn login(client: &reqwest::Client, base: &str) -> reqwest::Request {
    client
        .post(format!("{base}/login"))
        .form(&[("user", "ann"), ("password", PASSWORD)])
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_refused_and_nothing_reaches_it() {
    let (other, other_hits) = serve(|_| response("200 OK", &[], b"{}")).await;
    let location = format!("http://127.0.0.1:{}/steal?token=x", other.port());
    let (addr, _) =
        serve(move |_| response("307 Temporary Redirect", &[("location", &location)], b"")).await;
    let base = format!("http://{addr}");
    let client = build_client(&base).unwrap();
    let credentials = Creds {
        key: Some(KEY.into()),
    };
    let request = client.get(format!("{base}/me")).build().unwrap();
    let err = send(&client, &credentials, "me", request)
        .await
        .unwrap_err();
    let ErrorKind::CommunicationError(e) = err.kind() else {
        panic!("not a communication error: {err:?}");
    };
    let refused = std::iter::successors(std::error::Error::source(e), |s| s.source())
        .find_map(|s| s.downcast_ref::<RedirectRefused>())
        .expect("the refusal is the source");
    assert_eq!(refused.status, 307);
    assert_eq!(
        refused.target,
        format!("http://127.0.0.1:{}/steal", other.port())
    );
    assert_eq!(
        other_hits.load(Ordering::SeqCst),
        0,
        "the other origin was reached"
    );
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(text.contains("another origin"), "{text}");
        assert!(!text.contains(KEY), "{text}");
    }
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed() {
    let (addr, hits) = serve(|request| {
        if request.starts_with("GET /first") {
            response("302 Found", &[("location", "/second")], b"")
        } else {
            response("200 OK", &[("content-type", "application/json")], b"{}")
        }
    })
    .await;
    let base = format!("http://{addr}");
    let client = build_client(&base).unwrap();
    let request = client.get(format!("{base}/first")).build().unwrap();
    let response = send(&client, &Creds::default(), "open", request)
        .await
        .unwrap();
    assert_eq!(response.url().path(), "/second");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_body_over_the_cap_is_an_error_declared_or_chunked() {
    let big = vec![b'x'; MAX_RESPONSE_BYTES + 1];
    let declared = response("200 OK", &[("content-type", "application/json")], &big);
    let mut chunked = b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    for chunk in big.chunks(64 * 1024) {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    for answer in [declared, chunked] {
        let (addr, _) = serve(move |_| answer.clone()).await;
        let base = format!("http://{addr}");
        let client = build_client(&base).unwrap();
        let err = send(&client, &Creds::default(), "open", login(&client, &base))
            .await
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Custom(_)), "{err:?}");
        assert!(
            err.to_string()
                .contains(&format!("larger than {MAX_RESPONSE_BYTES} bytes")),
            "{err}"
        );
    }
}

#[tokio::test]
async fn a_body_at_the_cap_is_read_whole_even_chunked() {
    let body = format!("\"{}\"", "y".repeat(MAX_RESPONSE_BYTES - 2));
    let mut chunked = b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    chunked.extend_from_slice(format!("{:x}\r\n", body.len()).as_bytes());
    chunked.extend_from_slice(body.as_bytes());
    chunked.extend_from_slice(b"\r\n0\r\n\r\n");
    let (addr, _) = serve(move |_| chunked.clone()).await;
    let base = format!("http://{addr}");
    let client = build_client(&base).unwrap();
    let response = send(&client, &Creds::default(), "open", login(&client, &base))
        .await
        .unwrap();
    assert_eq!(response.bytes().await.unwrap().len(), MAX_RESPONSE_BYTES);
}

#[tokio::test]
async fn a_server_that_echoes_the_password_and_key_does_not_get_them_printed() {
    // Everything it was sent, back: in a JSON body (escaped), and in a header, percent-encoded.
    let (addr, _) = serve(|request| {
        let body = serde_json::json!({ "message": "bad login", "request": request }).to_string();
        let form = request
            .split("\r\n\r\n")
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        response(
            "401 Unauthorized",
            &[("content-type", "application/json"), ("x-echo", &form)],
            body.as_bytes(),
        )
    })
    .await;
    let base = format!("http://{addr}");
    let client = build_client(&base).unwrap();
    let credentials = Creds {
        key: Some(KEY.into()),
    };
    let mut request = login(&client, &base);
    // The key travels too (as a generated crate's `me` would send it), so it must be scrubbed.
    credentials
        .authenticate(&client, "me", &mut request)
        .unwrap();
    let err = send(&client, &credentials, "login", request)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
    let ErrorKind::ErrorResponse(value) = err.kind() else {
        panic!("not an error answer: {err:?}");
    };
    // The data is as the server sent it; only the text is scrubbed.
    assert!(format!("{:?}", value.as_ref()).contains(KEY));
    let display = err.to_string();
    let debug = format!("{err:?}");
    assert!(
        display.contains("HTTP 401") && display.contains("bad login"),
        "{display}"
    );
    assert!(debug.contains("x-echo"), "Debug shows headers: {debug}");
    assert_eq!(display, "error response: HTTP 401 Unauthorized: bad login");
    let full = format!("{err:#}");
    assert!(
        full.contains("value:") && !full.contains("x-echo"),
        "{full}"
    );
    for text in [&display, &full, &debug, &format!("{err:#?}")] {
        assert!(!text.contains(PASSWORD), "{text}");
        assert!(!text.contains("pa%24%24"), "{text}");
        assert!(!text.contains(KEY), "{text}");
    }
    for text in [&full, &debug] {
        assert!(text.contains("<redacted>"), "{text}");
    }
}

#[tokio::test]
async fn an_unmet_requirement_sends_nothing() {
    let (addr, hits) = serve(|_| response("200 OK", &[], b"{}")).await;
    let base = format!("http://{addr}");
    let client = build_client(&base).unwrap();
    let request = client.get(format!("{base}/me")).build().unwrap();
    let err = send(&client, &Creds::default(), "me", request)
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidRequest(_)),
        "{err:?}"
    );
    assert!(err.to_string().contains("`apiKey`"), "{err}");
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_answer_of_a_media_type_the_spec_does_not_list_is_not_parsed() {
    let (addr, _) = serve(|_| response("200 OK", &[("content-type", "text/html")], b"<p>")).await;
    let base = format!("http://{addr}");
    let client = build_client(&base).unwrap();
    let err = send(&client, &Creds::default(), "open", login(&client, &base))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Content-Type text/html, but the spec lists application/json"),
        "{err}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_one_line_that_says_so() {
    // A port nothing listens on: bound, then closed.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = build_client(&base).unwrap();
    let request = client
        .get(format!("{base}/login?password=hunter2"))
        .build()
        .unwrap();
    let err = send(&client, &Creds::default(), "open", request)
        .await
        .unwrap_err();
    let line = err.to_string();
    assert!(
        line.starts_with(&format!(
            "communication error: cannot connect to {base}/login: "
        )),
        "{line}"
    );
    assert!(line.to_lowercase().contains("refused"), "{line}");
    assert!(!line.contains('\n') && !line.contains("hunter2"), "{line}");
    // `{:#}` has every cause: reqwest's, hyper's, the system's.
    let full = format!("{err:#}");
    assert!(full.contains("error sending request"), "{full}");
    assert!(full.len() > line.len(), "{full}");
}

#[tokio::test]
async fn a_timeout_is_one_line_that_says_so() {
    // A server that takes the connection and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let _held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            open.push(stream);
        }
    });
    let client = apilogin_runtime::client_builder()
        .timeout(std::time::Duration::from_millis(300))
        .build()
        .unwrap();
    let request = client.get(format!("{base}/slow")).build().unwrap();
    let err = send(&client, &Creds::default(), "open", request)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("communication error: timed out {base}/slow")
    );
}

#[tokio::test]
async fn an_error_answer_is_its_status_and_message_on_one_line() {
    let (addr, _) = serve(|_| {
        response(
            "401 Unauthorized",
            &[
                ("content-type", "application/json"),
                ("www-authenticate", "Bearer"),
            ],
            br#"{"status": "error", "error": {"message": "Invalid credentials", "id": 17}}"#,
        )
    })
    .await;
    let base = format!("http://{addr}");
    let client = build_client(&base).unwrap();
    let err = send(&client, &Creds::default(), "login", login(&client, &base))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "error response: HTTP 401 Unauthorized: Invalid credentials"
    );
    let full = format!("{err:#}");
    assert!(full.contains("\"id\": Number(17)"), "{full}");
    assert!(!full.contains("www-authenticate"), "{full}");
    assert!(format!("{err:?}").contains("www-authenticate: Bearer"));
}
