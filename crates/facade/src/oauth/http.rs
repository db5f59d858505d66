//! The HTTP client the flows use: the workspace's reqwest behind openidconnect's
//! [`AsyncHttpClient`], with the facade's safety settings (timeouts from [`Options`], no
//! redirect followed, no proxy for plain http, bounded bodies).

use std::future::Future;
use std::pin::Pin;

use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};
use reqwest::{Url, redirect};

use super::OAuthError;
use crate::Options;
use crate::error::TransportKind;
use crate::http::{error_chain, transport_kind};

/// Why one HTTP exchange failed. Its `Display` names no URL query and no body.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpError {
    /// A 3xx answer, not followed.
    #[error("redirect {status} to {location:?}")]
    Redirected {
        endpoint: String,
        status: u16,
        location: Option<String>,
    },
    /// No answer.
    #[error("{kind}: {detail}")]
    Transport {
        endpoint: String,
        kind: TransportKind,
        detail: String,
    },
    /// More than [`crate::MAX_RESPONSE_BYTES`].
    #[error("answer too large")]
    TooLarge { endpoint: String },
}

impl From<HttpError> for OAuthError {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::Redirected {
                endpoint,
                status,
                location,
            } => OAuthError::Redirected {
                endpoint,
                status,
                location,
            },
            HttpError::Transport {
                endpoint,
                kind,
                detail,
            } => OAuthError::Transport {
                endpoint,
                kind,
                detail,
            },
            HttpError::TooLarge { endpoint } => OAuthError::BodyTooLarge {
                endpoint,
                limit: crate::MAX_RESPONSE_BYTES,
            },
        }
    }
}

/// reqwest configured for the provider's endpoints.
#[derive(Clone, Debug)]
pub(crate) struct Http {
    client: reqwest::Client,
}

/// An endpoint's name in errors: its origin and path, never its query.
pub(crate) fn endpoint_name(url: &Url) -> String {
    format!("{}{}", url.origin().ascii_serialization(), url.path())
}

impl Http {
    pub(crate) fn new(issuer: &Url, options: &Options) -> Result<Http, OAuthError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            // Never follow: a code, token or client secret must reach only the endpoint the
            // discovery document names.
            .redirect(redirect::Policy::none())
            .referer(false)
            .user_agent(concat!("apilogin/", env!("CARGO_PKG_VERSION")));
        if issuer.scheme() == "http" {
            // A proxy from the environment would carry plain-http secrets off this machine,
            // and a plain-http provider needs no CA certificates.
            builder = builder
                .no_proxy()
                .tls_certs_only(Vec::<reqwest::Certificate>::new());
        }
        let client = builder
            .build()
            .map_err(|e| OAuthError::HttpClient(e.without_url().to_string()))?;
        Ok(Http { client })
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let request = reqwest::Request::try_from(request).map_err(|e| HttpError::Transport {
            endpoint: String::new(),
            kind: TransportKind::Other,
            detail: e.without_url().to_string(),
        })?;
        let endpoint = endpoint_name(request.url());
        let transport = |e: reqwest::Error| {
            let detail = error_chain(&e);
            HttpError::Transport {
                endpoint: endpoint.clone(),
                kind: transport_kind(&e, &detail),
                detail: error_chain(&e.without_url()),
            }
        };
        let mut response = self.client.execute(request).await.map_err(transport)?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| response.url().join(l).ok())
                .map(|u| u.origin().ascii_serialization());
            return Err(HttpError::Redirected {
                endpoint,
                status: status.as_u16(),
                location,
            });
        }
        let mut builder = openidconnect::http::Response::builder()
            .status(status)
            .version(response.version());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > crate::MAX_RESPONSE_BYTES {
                return Err(HttpError::TooLarge { endpoint });
            }
            body.extend_from_slice(&chunk);
        }
        builder.body(body).map_err(|e| HttpError::Transport {
            endpoint,
            kind: TransportKind::Other,
            detail: e.to_string(),
        })
    }
}

impl<'c> AsyncHttpClient<'c> for Http {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}
