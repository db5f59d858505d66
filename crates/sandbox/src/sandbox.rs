//! The running sandbox, its builder and its error.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;

use crate::fault::{self, Fault, FaultState};
use crate::limits::{Lifetimes, RateLimit};
use crate::mattermost;
use crate::recorder::{self, RecordedRequest, Recordings};
use crate::rocketchat;
use crate::server::{self, ConnMode, Running};
use crate::{Service, projectthanos, remoteit, txty};

/// Rocket.Chat's default login rate limit: calls per window and client IP.
pub const DEFAULT_RATE_LIMIT: u32 = 10;

/// Rocket.Chat's default rate-limit window.
pub const DEFAULT_RATE_LIMIT_WINDOW: Duration = Duration::from_secs(60);

/// How long a failed-login counter (and a lockout) lasts by default: Rocket.Chat's default time
/// to unblock a user, which is also the window its failed logins are counted in.
pub const DEFAULT_FAILURE_LIFETIME: Duration = Duration::from_secs(300);

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// No local port could be bound (or its address read).
    #[error("cannot listen on 127.0.0.1 for the {service} sandbox: {source}")]
    Bind {
        /// The service being started.
        service: Service,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

/// Options for a [`Sandbox`]; made by [`Sandbox::builder`].
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `start` is awaited"]
pub struct SandboxBuilder {
    service: Service,
    fault: Option<Fault>,
    rate: RateLimit,
    lifetimes: Lifetimes,
}

impl SandboxBuilder {
    /// Switches a fault mode on for every route of this sandbox.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.fault = Some(fault);
        self
    }

    /// Rocket.Chat login rate limit: `limit` calls per `window` and client IP (default
    /// [`DEFAULT_RATE_LIMIT`] per [`DEFAULT_RATE_LIMIT_WINDOW`]). `u32::MAX` effectively turns it
    /// off. The other services have no rate limit and ignore this.
    pub fn rate_limit(mut self, limit: u32, window: Duration) -> Self {
        self.rate = RateLimit { limit, window };
        self
    }

    /// How long an issued token (Rocket.Chat `authToken`, Txty API key) stays valid; default
    /// [`Service::default_token_lifetime`]. An expired token is refused like a logged-out one and
    /// forgotten, so the sandbox's memory stays bounded however many logins it serves.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetimes.token = lifetime;
        self
    }

    /// How long a failed-login counter lasts after the last failure, which is also how long a
    /// lockout lasts (Rocket.Chat); default [`DEFAULT_FAILURE_LIFETIME`]. Counters are forgotten
    /// when they expire.
    pub fn failure_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetimes.failure = lifetime;
        self
    }

    /// Binds the listeners and starts serving; returns once both accept connections.
    pub async fn start(self) -> Result<Sandbox, SandboxError> {
        let service = self.service;
        let bind_err = |source| SandboxError::Bind { service, source };

        let recordings = Recordings::default();
        let rec_listener = server::bind().await.map_err(bind_err)?;
        let recorder = server::spawn(
            rec_listener,
            "recorder",
            ConnMode::Http(recorder::router(recordings.clone())),
        )
        .map_err(bind_err)?;
        let recorder_origin = format!("http://{}", recorder.addr());

        let listener = server::bind().await.map_err(bind_err)?;
        let addr = listener.local_addr().map_err(bind_err)?;
        let origin = format!("http://{addr}");
        let mode = match self.fault {
            Some(Fault::TruncatedBody) => ConnMode::Truncated,
            fault => ConnMode::Http(app(
                service,
                &origin,
                self.rate,
                self.lifetimes,
                fault,
                &recorder_origin,
            )),
        };
        let main = server::spawn(listener, service.id(), mode).map_err(bind_err)?;

        let base_url = format!("{origin}{}", service.base_path());
        tracing::info!(service = service.id(), %base_url, fault = ?self.fault, "sandbox started");
        Ok(Sandbox {
            service,
            fault: self.fault,
            base_url,
            recorder_base_url: format!("{recorder_origin}{}", service.base_path()),
            recordings,
            main,
            recorder,
        })
    }
}

/// The service's router, wrapped in the fault layer and request logging.
fn app(
    service: Service,
    origin: &str,
    rate: RateLimit,
    lifetimes: Lifetimes,
    fault: Option<Fault>,
    recorder_origin: &str,
) -> Router {
    let router = match service {
        Service::RemoteIt => remoteit::router(),
        Service::Txty => txty::router(lifetimes),
        Service::ProjectThanos => projectthanos::router(),
        Service::RocketChat => rocketchat::router(origin.to_owned(), rate, lifetimes),
        Service::Mattermost => mattermost::router(lifetimes),
    };
    let router = match fault {
        Some(fault) => router.layer(middleware::from_fn_with_state(
            Arc::new(FaultState {
                fault,
                recorder_origin: recorder_origin.to_owned(),
            }),
            fault::apply,
        )),
        None => router,
    };
    router.layer(middleware::from_fn(log_request))
}

/// Logs method, path and status; never the query (Txty GET logins carry the password there).
async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let resp = next.run(req).await;
    tracing::debug!(%method, %path, status = resp.status().as_u16(), "request");
    resp
}

/// A running look-alike of one service's login API on `127.0.0.1`, plus a recorder listener.
///
/// Stops on [`shutdown`](Sandbox::shutdown) or when dropped; either way connections still
/// waiting (e.g. under [`Fault::Slow`]) are cut.
pub struct Sandbox {
    service: Service,
    fault: Option<Fault>,
    base_url: String,
    recorder_base_url: String,
    recordings: Recordings,
    main: Running,
    recorder: Running,
}

impl Sandbox {
    /// Starts a sandbox with default options (no fault, default rate limit).
    pub async fn start(service: Service) -> Result<Sandbox, SandboxError> {
        Sandbox::builder(service).start().await
    }

    /// Options for a sandbox of `service`.
    pub fn builder(service: Service) -> SandboxBuilder {
        SandboxBuilder {
            service,
            fault: None,
            rate: RateLimit {
                limit: DEFAULT_RATE_LIMIT,
                window: DEFAULT_RATE_LIMIT_WINDOW,
            },
            lifetimes: Lifetimes {
                token: service.default_token_lifetime(),
                failure: DEFAULT_FAILURE_LIFETIME,
            },
        }
    }

    /// The emulated service.
    pub fn service(&self) -> Service {
        self.service
    }

    /// The fault mode switched on, if any.
    pub fn fault(&self) -> Option<Fault> {
        self.fault
    }

    /// The service listener's address.
    pub fn addr(&self) -> SocketAddr {
        self.main.addr()
    }

    /// Base URL for a client, including the server's base path: `http://127.0.0.1:PORT/apv/v27`
    /// (remote.it), `…/api/4` (Txty), or just `http://127.0.0.1:PORT`. No trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The recorder's URL with the same base path as [`base_url`](Sandbox::base_url); a redirect
    /// fault sends `base_url() + X` to `recorder_base_url() + X`.
    pub fn recorder_base_url(&self) -> &str {
        &self.recorder_base_url
    }

    /// Every request the recorder received so far, oldest first.
    pub fn recorded(&self) -> Vec<RecordedRequest> {
        self.recordings.snapshot()
    }

    /// Stops both listeners and cuts open connections; returns once they are closed.
    pub async fn shutdown(self) {
        let Sandbox {
            service,
            main,
            recorder,
            ..
        } = self;
        main.stop().await;
        recorder.stop().await;
        tracing::info!(service = service.id(), "sandbox stopped");
    }
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("service", &self.service)
            .field("fault", &self.fault)
            .field("base_url", &self.base_url)
            .field("recorder_base_url", &self.recorder_base_url)
            .finish_non_exhaustive()
    }
}
