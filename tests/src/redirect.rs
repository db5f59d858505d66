//! Two local listeners for redirect tests: a redirector that answers every request with one 3xx
//! status pointing at the same path and query on a catcher, and the catcher, another origin,
//! which records everything it receives.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// What the catcher received: the request line, every header and the body, as text.
pub type Caught = Arc<Mutex<Vec<String>>>;

/// A running redirector and catcher; both stop when dropped.
pub struct RedirectPair {
    /// The redirector's origin (`http://127.0.0.1:PORT`).
    pub redirector: String,
    /// The catcher's origin, on another port: another origin.
    pub catcher: String,
    caught: Caught,
    tasks: Vec<JoinHandle<()>>,
}

async fn serve(app: Router) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((addr, task))
}

async fn catch(State(caught): State<Caught>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let mut text = format!("{} {}\n", parts.method, parts.uri);
    for (name, value) in &parts.headers {
        text.push_str(&format!(
            "{name}: {}\n",
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    let body = to_bytes(body, 1 << 20).await.unwrap_or_default();
    text.push_str(&String::from_utf8_lossy(&body));
    caught.lock().unwrap_or_else(|e| e.into_inner()).push(text);
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap_or_default()
}

impl RedirectPair {
    /// Starts both listeners; the redirector answers `status` to everything.
    ///
    /// # Errors
    /// When a listener cannot be bound.
    pub async fn start(status: u16) -> std::io::Result<RedirectPair> {
        let caught = Caught::default();
        let (catcher_addr, catcher_task) =
            serve(Router::new().fallback(catch).with_state(caught.clone())).await?;
        let catcher = format!("http://{catcher_addr}");
        let target = catcher.clone();
        let status = StatusCode::from_u16(status).map_err(std::io::Error::other)?;
        let redirect = move |request: Request| {
            let target = target.clone();
            async move {
                let location = format!(
                    "{target}{}",
                    request.uri().path_and_query().map_or("/", |p| p.as_str())
                );
                let mut response = Response::new(Body::empty());
                *response.status_mut() = status;
                if let Ok(value) = HeaderValue::from_str(&location) {
                    response.headers_mut().insert(header::LOCATION, value);
                }
                response
            }
        };
        let (redirector_addr, redirector_task) = serve(Router::new().fallback(redirect)).await?;
        Ok(RedirectPair {
            redirector: format!("http://{redirector_addr}"),
            catcher,
            caught,
            tasks: vec![catcher_task, redirector_task],
        })
    }

    /// Everything the catcher received so far.
    pub fn caught(&self) -> Vec<String> {
        self.caught
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for RedirectPair {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}
