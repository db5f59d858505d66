//! How long the sandbox remembers what it issued and counted, and how often it answers: set by
//! [`SandboxBuilder`](crate::SandboxBuilder), read by the services (a leaf module, so that the
//! builder and the services do not import each other).

use std::time::Duration;

/// How long the sandbox remembers what it issued and counted.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lifetimes {
    /// Issued tokens and API keys.
    pub(crate) token: Duration,
    /// Failed-login counters and lockouts.
    pub(crate) failure: Duration,
}

/// Fixed-window rate limit per client IP (Rocket.Chat's login).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RateLimit {
    pub(crate) limit: u32,
    pub(crate) window: Duration,
}
