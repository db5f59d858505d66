//! Which service to log in to, and where it lives.

use std::fmt;
use std::str::FromStr;

use reqwest::Url;
use serde::{Deserialize, Serialize};

use crate::error::ConfigError;

pub use crate::generated::kinds::ServiceKind;

impl ServiceKind {
    /// Looks a service up by its [`id`](ServiceKind::id) or one of its
    /// [`aliases`](ServiceKind::aliases), ignoring case, dots, dashes and spaces (`remote.it`,
    /// `Rocket.Chat`, `project-thanos` all work).
    pub fn from_id(id: &str) -> Option<ServiceKind> {
        let norm: String = id
            .chars()
            .filter(|c| !matches!(c, '.' | '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        let plain = |s: &str| -> String {
            s.chars()
                .filter(|c| !matches!(c, '.' | '-' | '_' | ' '))
                .flat_map(char::to_lowercase)
                .collect()
        };
        ServiceKind::ALL
            .into_iter()
            .find(|s| s.id() == norm || s.aliases().iter().any(|a| plain(a) == norm))
    }
}

impl fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ServiceKind {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ServiceKind::from_id(s).ok_or_else(|| ConfigError::UnknownService {
            name: s.chars().take(40).collect(),
        })
    }
}

/// A service and the base URL of its server: everything needed to reach it.
///
/// The base URL includes the API's path prefix (`…/apv/v27` for remote.it, `…/api/4` for Txty),
/// exactly as in the OpenAPI spec's `servers` entry. It must be `http` or `https`, and carry no
/// user name, password, query or fragment (credentials never travel in URLs).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Service {
    kind: ServiceKind,
    base_url: String,
}

impl Service {
    /// A service at `base_url`, or at its public server when `base_url` is `None` (which is an
    /// error for a self-hosted service such as Rocket.Chat).
    pub fn new(kind: ServiceKind, base_url: Option<&str>) -> Result<Service, ConfigError> {
        let url = match base_url.or(kind.default_base_url()) {
            Some(url) => url,
            None => return Err(ConfigError::MissingBaseUrl { service: kind }),
        };
        Ok(Service {
            kind,
            base_url: normalize_base_url(url)?,
        })
    }

    /// Without checks: for sessions, whose URL is checked before use by [`Service::url`].
    pub(crate) fn from_parts(kind: ServiceKind, base_url: String) -> Service {
        Service { kind, base_url }
    }

    pub(crate) fn public(kind: ServiceKind) -> Service {
        Service {
            kind,
            // Constants, already normalized (no trailing slash).
            base_url: kind.default_base_url().unwrap_or_default().to_owned(),
        }
    }

    /// The same service at another server (a test server, a proxy, a staging host).
    pub fn with_base_url(self, base_url: &str) -> Result<Service, ConfigError> {
        Service::new(self.kind, Some(base_url))
    }

    /// Which service this is.
    pub fn kind(&self) -> ServiceKind {
        self.kind
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Parses the base URL again (it was validated when the `Service` was made, but a
    /// deserialized one may come from anywhere).
    pub(crate) fn url(&self) -> Result<Url, ConfigError> {
        normalize_base_url(&self.base_url).and_then(|s| {
            Url::parse(&s).map_err(|_| ConfigError::InvalidUrl {
                reason: "not a valid URL",
            })
        })
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.kind, self.base_url)
    }
}

/// Checks a base URL and returns it without a trailing slash.
fn normalize_base_url(raw: &str) -> Result<String, ConfigError> {
    let invalid = |reason| ConfigError::InvalidUrl { reason };
    let url = Url::parse(raw.trim()).map_err(|_| invalid("not a valid absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be https (or http)"));
    }
    if url.host().is_none() {
        return Err(invalid("the URL has no host"));
    }
    // Credentials must never travel in a URL (logs, proxies, error messages show URLs).
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "the URL must not contain a user name or password; pass them as credentials",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("the URL must not contain a query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_required_url() {
        assert_eq!(
            Service::new(ServiceKind::RemoteIt, None)
                .unwrap()
                .base_url(),
            "https://api.remot3.it/apv/v27"
        );
        assert!(matches!(
            Service::new(ServiceKind::RocketChat, None),
            Err(ConfigError::MissingBaseUrl { .. })
        ));
        assert_eq!(
            Service::rocketchat("https://chat.example.com/")
                .unwrap()
                .base_url(),
            "https://chat.example.com"
        );
        for s in ServiceKind::ALL {
            if s.default_base_url().is_some() {
                assert_eq!(Service::public(s), Service::new(s, None).unwrap());
            }
        }
    }

    #[test]
    fn rejects_bad_urls() {
        for bad in [
            "chat.example.com",
            "ftp://x",
            "https://u:p@x.com",
            "https://x.com/?a=1",
            "https://x.com/#f",
        ] {
            assert!(Service::rocketchat(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids() {
        assert_eq!(
            ServiceKind::from_id("Rocket.Chat"),
            Some(ServiceKind::RocketChat)
        );
        assert_eq!(
            ServiceKind::from_id("remote.it"),
            Some(ServiceKind::RemoteIt)
        );
        assert_eq!(
            ServiceKind::from_id("project-thanos"),
            Some(ServiceKind::ProjectThanos)
        );
        assert!("nope".parse::<ServiceKind>().is_err());
    }
}
