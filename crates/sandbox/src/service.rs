//! The emulated services.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// One of the emulated login services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    /// remote.it (`POST /apv/v27/user/login`, header `developerkey`).
    RemoteIt,
    /// Txty SMS gateway (`/api/4/user/newapikey/login.json`, HTTP 200 for every outcome).
    Txty,
    /// Project Thanos (`POST /api/organizations/user-login/`).
    ProjectThanos,
    /// Rocket.Chat (`POST /api/v1/login`, `/api/v1/me`, `/api/v1/logout`).
    RocketChat,
    /// Mattermost (`POST /api/v4/users/login`, token in the `Token` header; `me`, `logout`).
    Mattermost,
}

impl Service {
    /// Every service, in a stable order.
    pub const ALL: [Service; 5] = [
        Service::RemoteIt,
        Service::Txty,
        Service::ProjectThanos,
        Service::RocketChat,
        Service::Mattermost,
    ];

    /// Short lower-case identifier: `remoteit`, `txty`, `projectthanos`, `rocketchat`,
    /// `mattermost`.
    pub const fn id(self) -> &'static str {
        match self {
            Service::RemoteIt => "remoteit",
            Service::Txty => "txty",
            Service::ProjectThanos => "projectthanos",
            Service::RocketChat => "rocketchat",
            Service::Mattermost => "mattermost",
        }
    }

    /// Human-readable name, e.g. `Rocket.Chat`.
    pub const fn name(self) -> &'static str {
        match self {
            Service::RemoteIt => "remote.it",
            Service::Txty => "Txty",
            Service::ProjectThanos => "Project Thanos",
            Service::RocketChat => "Rocket.Chat",
            Service::Mattermost => "Mattermost",
        }
    }

    /// Path prefix of the real server's base URL (`/apv/v27`, `/api/4`, or empty).
    ///
    /// [`Sandbox::base_url`](crate::Sandbox::base_url) is `http://127.0.0.1:PORT` followed by this.
    pub const fn base_path(self) -> &'static str {
        match self {
            Service::RemoteIt => "/apv/v27",
            Service::Txty => "/api/4",
            Service::ProjectThanos | Service::RocketChat | Service::Mattermost => "",
        }
    }

    /// How long the real service's tokens live, where its documentation says: 90 days for a
    /// Rocket.Chat login token, two hours for a Project Thanos `auth_token`, 720 hours for a
    /// Mattermost session (the server's default). remote.it and Txty document none; the sandbox
    /// then uses 90 days too (a choice, not a documented fact).
    pub const fn default_token_lifetime(self) -> Duration {
        match self {
            Service::ProjectThanos => Duration::from_secs(2 * 3600),
            Service::Mattermost => Duration::from_secs(720 * 3600),
            Service::RemoteIt | Service::Txty | Service::RocketChat => {
                Duration::from_secs(90 * 24 * 3600)
            }
        }
    }

    /// Every route the sandbox serves for this service, as `(method, path)` with the path from
    /// the server root (base path included), in a stable order. Requests to anything else get
    /// the service's "not found" (or "method not allowed") answer.
    pub fn routes(self) -> Vec<(&'static str, String)> {
        match self {
            Service::RemoteIt => crate::remoteit::ROUTES
                .iter()
                .map(|(m, p)| (*m, (*p).to_owned()))
                .collect(),
            Service::Txty => crate::txty::routes(),
            Service::ProjectThanos => crate::projectthanos::ROUTES
                .iter()
                .map(|(m, p)| (*m, (*p).to_owned()))
                .collect(),
            Service::RocketChat => crate::rocketchat::ROUTES
                .iter()
                .map(|(m, p)| (*m, (*p).to_owned()))
                .collect(),
            Service::Mattermost => crate::mattermost::ROUTES
                .iter()
                .map(|(m, p)| (*m, (*p).to_owned()))
                .collect(),
        }
    }

    /// Looks a service up by its [`id`](Service::id) (ASCII case-insensitive).
    pub fn from_id(id: &str) -> Option<Service> {
        Service::ALL
            .into_iter()
            .find(|s| s.id().eq_ignore_ascii_case(id))
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error of [`Service::from_str`]: the text is not a service id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown service {0:?} (expected one of: remoteit, txty, projectthanos, rocketchat, mattermost)"
)]
pub struct UnknownService(pub String);

impl FromStr for Service {
    type Err = UnknownService;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Service::from_id(s).ok_or_else(|| UnknownService(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for s in Service::ALL {
            assert_eq!(s.id().parse::<Service>(), Ok(s));
        }
        assert!("nope".parse::<Service>().is_err());
    }
}
