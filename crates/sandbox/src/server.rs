//! The accept loop shared by the service listener and the recorder.
//!
//! Hand-run instead of `axum::serve` so that stopping a sandbox also cancels connections that
//! are still inside a handler (the `Slow` fault sleeps for minutes); `axum::serve` would either
//! wait for them (graceful) or leave them running detached.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::service::{Service as _, service_fn};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

/// How accepted connections are answered.
#[derive(Clone)]
pub(crate) enum ConnMode {
    /// Normal HTTP/1.1 through an axum router.
    Http(Router),
    /// Raw TCP writer for [`Fault::TruncatedBody`](crate::Fault::TruncatedBody).
    Truncated,
}

/// A running listener; stops when [`stop`](Running::stop) is awaited or when dropped.
pub(crate) struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Running {
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, cancels open connections and waits until all of that is done.
    pub(crate) async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Dropping the sender wakes the loop, which then cancels its connections itself; this
        // needs no runtime here, so it is safe from any thread.
        self.stop.take();
    }
}

/// Binds an ephemeral port on 127.0.0.1.
pub(crate) async fn bind() -> io::Result<TcpListener> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await
}

/// Starts serving an already bound listener.
pub(crate) fn spawn(
    listener: TcpListener,
    label: &'static str,
    mode: ConnMode,
) -> io::Result<Running> {
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(accept_loop(listener, label, mode, rx));
    Ok(Running {
        addr,
        stop: Some(tx),
        task: Some(task),
    })
}

async fn accept_loop(
    listener: TcpListener,
    label: &'static str,
    mode: ConnMode,
    mut stop: oneshot::Receiver<()>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            // Fires on an explicit stop and also when the handle was dropped.
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    conns.spawn(serve_conn(stream, peer, mode.clone()));
                }
                Err(err) => {
                    // E.g. out of file descriptors: back off instead of spinning.
                    tracing::warn!(server = label, %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            // Reap finished connections so the set does not grow without bound.
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    conns.shutdown().await;
    tracing::debug!(server = label, "stopped");
}

async fn serve_conn(stream: TcpStream, peer: SocketAddr, mode: ConnMode) {
    match mode {
        ConnMode::Truncated => crate::fault::serve_truncated(stream).await,
        ConnMode::Http(router) => {
            let svc = TowerToHyperService::new(router);
            let svc = service_fn(move |mut req: hyper::Request<Incoming>| {
                // Lets handlers extract `ConnectInfo<SocketAddr>` (per-client rate limits).
                req.extensions_mut().insert(ConnectInfo(peer));
                svc.call(req)
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc);
            if let Err(err) = conn.await {
                tracing::debug!(%err, "connection ended with an error");
            }
        }
    }
}
