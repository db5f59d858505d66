//! The loopback redirect listener of RFC 8252: 127.0.0.1, a random port, one redirect.

use std::collections::HashMap;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::OAuthError;

/// The path the provider redirects to (the client's registered `http://127.0.0.1/callback`).
pub(crate) const CALLBACK_PATH: &str = "/callback";

/// The largest request head read from the browser.
const MAX_REQUEST: usize = 16 * 1024;

/// A listener waiting for the one redirect of a login.
pub(crate) struct Loopback {
    listener: TcpListener,
    port: u16,
}

impl Loopback {
    pub(crate) async fn bind() -> Result<Loopback, OAuthError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| OAuthError::Loopback(e.to_string()))?;
        let port = listener
            .local_addr()
            .map_err(|e| OAuthError::Loopback(e.to_string()))?
            .port();
        Ok(Loopback { listener, port })
    }

    /// `http://127.0.0.1:<port>/callback`.
    pub(crate) fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Waits up to `timeout` for the redirect to the callback path; returns its query
    /// parameters. Other paths (a browser's `/favicon.ico`) get a 404 and the wait goes on.
    /// The listener is closed when this returns: it serves one login.
    pub(crate) async fn wait(
        self,
        timeout: Duration,
        page: impl Fn(&HashMap<String, String>) -> &'static str,
    ) -> Result<HashMap<String, String>, OAuthError> {
        let accept = async {
            loop {
                let (mut stream, _) = self
                    .listener
                    .accept()
                    .await
                    .map_err(|e| OAuthError::Loopback(e.to_string()))?;
                // A connection that sends nothing or garbage does not end the login.
                let Ok(Some(target)) = read_target(&mut stream).await else {
                    let _ = respond(&mut stream, "400 Bad Request", "Bad request.").await;
                    continue;
                };
                let Some(query) = target.strip_prefix(CALLBACK_PATH).and_then(|rest| {
                    if rest.is_empty() {
                        Some("")
                    } else {
                        rest.strip_prefix('?')
                    }
                }) else {
                    let _ = respond(&mut stream, "404 Not Found", "Not found.").await;
                    continue;
                };
                let params: HashMap<String, String> =
                    openidconnect::url::form_urlencoded::parse(query.as_bytes())
                        .into_owned()
                        .collect();
                let _ = respond(&mut stream, "200 OK", page(&params)).await;
                return Ok(params);
            }
        };
        tokio::time::timeout(timeout, accept)
            .await
            .map_err(|_| OAuthError::TimedOut(timeout))?
    }
}

/// The request target of `GET <target> HTTP/1.1`, once the head is complete.
async fn read_target(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    let read = async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await?;
            if n == 0 || head.len() + n > MAX_REQUEST {
                return Ok(None);
            }
            head.extend_from_slice(&buf[..n]);
        }
        Ok(Some(()))
    };
    // A browser sends its request at once; a silent connection must not hold the login.
    match tokio::time::timeout(Duration::from_secs(10), read).await {
        Ok(Ok(Some(()))) => {}
        Ok(Err(e)) => return Err(e),
        _ => return Ok(None),
    }
    let line = head.split(|&b| b == b'\r').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split(' ');
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Ok(Some(target.to_owned())),
        _ => Ok(None),
    }
}

async fn respond(stream: &mut TcpStream, status: &str, text: &str) -> std::io::Result<()> {
    let body = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>apilogin</title></head>\
         <body><p>{text}</p></body></html>"
    );
    let answer = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(answer.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn get(port: u16, target: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let request = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    }

    #[tokio::test]
    async fn serves_one_redirect_and_ignores_other_paths() {
        let loopback = Loopback::bind().await.unwrap();
        let port = loopback.port;
        assert_eq!(
            loopback.redirect_uri(),
            format!("http://127.0.0.1:{port}/callback")
        );
        let browser = tokio::spawn(async move {
            let favicon = get(port, "/favicon.ico").await;
            let mut garbage = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            garbage.write_all(b"HELLO\r\n\r\n").await.unwrap();
            let callback = get(port, "/callback?code=c%2B1&state=s").await;
            (favicon, callback)
        });
        let params = loopback
            .wait(Duration::from_secs(10), |_| "done")
            .await
            .unwrap();
        assert_eq!(params.get("code").map(String::as_str), Some("c+1"));
        assert_eq!(params.get("state").map(String::as_str), Some("s"));
        let (favicon, callback) = browser.await.unwrap();
        assert!(favicon.starts_with("HTTP/1.1 404"), "{favicon}");
        assert!(callback.starts_with("HTTP/1.1 200") && callback.contains("done"));
        // Used once: the listener is closed.
        assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());
    }

    #[tokio::test]
    async fn gives_up_when_nobody_comes() {
        let loopback = Loopback::bind().await.unwrap();
        let e = loopback
            .wait(Duration::from_millis(200), |_| "done")
            .await
            .unwrap_err();
        assert!(matches!(e, OAuthError::TimedOut(_)), "{e:?}");
    }
}
