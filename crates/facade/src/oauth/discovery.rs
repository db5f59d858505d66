//! [`Provider`]: an OpenID Connect provider, read from its discovery document.

use std::time::Duration;

use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClient, CoreClientAuthMethod, CoreGrantType,
    CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm,
    CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalProviderMetadata, ClientId, ClientSecret, DeviceAuthorizationUrl, DiscoveryError,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, ProviderMetadata, RevocationUrl,
};
use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::OAuthError;
use super::http::{Http, HttpError};
use crate::{Options, SecretString};

/// The endpoints beyond OpenID Connect Discovery that the flows use.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub(crate) struct MoreEndpoints {
    pub(crate) device_authorization_endpoint: Option<DeviceAuthorizationUrl>,
    pub(crate) revocation_endpoint: Option<RevocationUrl>,
}

impl AdditionalProviderMetadata for MoreEndpoints {}

pub(crate) type Metadata = ProviderMetadata<
    MoreEndpoints,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// A client of the provider as discovery describes it: the authorization endpoint set, the
/// token and userinfo endpoints where the provider has them.
pub(crate) type BaseClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// How long a login waits for the user (browser or device approval) by default.
pub const DEFAULT_LOGIN_TIMEOUT: Duration = Duration::from_secs(300);

/// An OpenID Connect provider: its discovery document and signing keys.
///
/// ```no_run
/// # async fn run() -> Result<(), apilogin::oauth::OAuthError> {
/// let provider =
///     apilogin::oauth::Provider::discover("https://accounts.example.com", &Default::default())
///         .await?;
/// let tokens = provider
///     .authorization_code("my-client-id", &["openid", "email"], |url| {
///         println!("Open {url} in your browser to log in.");
///     })
///     .await?;
/// println!("logged in, access token expires in {:?}", tokens.expires_in);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Provider {
    pub(crate) metadata: Metadata,
    pub(crate) http: Http,
    pub(crate) login_timeout: Duration,
}

impl Provider {
    /// Reads `issuer`'s discovery document (`/.well-known/openid-configuration`) and its JWKS.
    ///
    /// The issuer and every endpoint must be https, or plain http to this machine (or anywhere
    /// if [`Options::allow_insecure_http`]); the document's `issuer` must be `issuer`.
    pub async fn discover(issuer: &str, options: &Options) -> Result<Provider, OAuthError> {
        let invalid = || OAuthError::InvalidIssuer {
            issuer: issuer.to_owned(),
        };
        let url = Url::parse(issuer).map_err(|_| invalid())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(invalid());
        }
        check_secure("issuer", &url, options)?;
        let http = Http::new(&url, options)?;
        let issuer_url = IssuerUrl::new(issuer.to_owned()).map_err(|_| invalid())?;
        let metadata = Metadata::discover_async(issuer_url, &http)
            .await
            .map_err(|e| discovery_error(issuer, e))?;
        let more = metadata.additional_metadata();
        let endpoints = [
            (
                "authorization endpoint",
                Some(metadata.authorization_endpoint().url()),
            ),
            ("token endpoint", metadata.token_endpoint().map(|u| u.url())),
            (
                "userinfo endpoint",
                metadata.userinfo_endpoint().map(|u| u.url()),
            ),
            ("JWKS", Some(metadata.jwks_uri().url())),
            (
                "device authorization endpoint",
                more.device_authorization_endpoint.as_ref().map(|u| u.url()),
            ),
            (
                "revocation endpoint",
                more.revocation_endpoint.as_ref().map(|u| u.url()),
            ),
        ];
        for (what, endpoint) in endpoints {
            if let Some(endpoint) = endpoint {
                check_secure(what, endpoint, options)?;
            }
        }
        Ok(Provider {
            metadata,
            http,
            login_timeout: DEFAULT_LOGIN_TIMEOUT,
        })
    }

    /// How long [`authorization_code`](Self::authorization_code) waits for the browser and
    /// [`device`](Self::device) for the approval (default 5 minutes).
    pub fn login_timeout(mut self, timeout: Duration) -> Self {
        self.login_timeout = timeout;
        self
    }

    /// The issuer, as the discovery document names it.
    pub fn issuer(&self) -> &str {
        self.metadata.issuer().as_str()
    }

    /// Whether the provider has a device authorization endpoint ([`device`](Self::device)).
    pub fn supports_device(&self) -> bool {
        self.metadata
            .additional_metadata()
            .device_authorization_endpoint
            .is_some()
    }

    /// Whether the provider has a revocation endpoint ([`revoke`](Self::revoke)).
    pub fn supports_revocation(&self) -> bool {
        self.metadata
            .additional_metadata()
            .revocation_endpoint
            .is_some()
    }

    /// An openidconnect client for `client_id` (and its secret, for confidential clients).
    pub(crate) fn client(&self, client_id: &str, secret: Option<&SecretString>) -> BaseClient {
        CoreClient::from_provider_metadata(
            self.metadata.clone(),
            ClientId::new(client_id.to_owned()),
            secret.map(|s| ClientSecret::new(s.expose_secret().to_owned())),
        )
    }

    /// [`OAuthError::Unsupported`] for a missing endpoint.
    pub(crate) fn unsupported(&self, what: &'static str) -> OAuthError {
        OAuthError::Unsupported {
            issuer: self.issuer().to_owned(),
            what,
        }
    }
}

/// https, or http to loopback, or http allowed by the options.
fn check_secure(what: &'static str, url: &Url, options: &Options) -> Result<(), OAuthError> {
    let loopback = url.host_str().is_some_and(|h| {
        let h = h.trim_start_matches('[').trim_end_matches(']');
        h.eq_ignore_ascii_case("localhost")
            || h.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback || options.allow_insecure_http => Ok(()),
        _ => Err(OAuthError::InsecureUrl {
            what,
            url: url.origin().ascii_serialization(),
        }),
    }
}

fn discovery_error(issuer: &str, e: DiscoveryError<HttpError>) -> OAuthError {
    let reason = match e {
        DiscoveryError::Request(e) => return e.into(),
        DiscoveryError::Parse(e) => format!(
            "the document is not OpenID Connect provider metadata (at {})",
            e.path()
        ),
        DiscoveryError::Response(status, _, _) => format!("it answered HTTP {status}"),
        DiscoveryError::UrlParse(_) => {
            "the issuer URL cannot be joined with the discovery path".to_owned()
        }
        DiscoveryError::Validation(reason) => reason,
        DiscoveryError::Other(reason) => reason,
        _ => "unknown failure".to_owned(),
    };
    OAuthError::Discovery {
        issuer: issuer.to_owned(),
        reason,
    }
}
