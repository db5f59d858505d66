//! The device authorization grant (RFC 8628), for machines without a browser.

use std::time::Duration;

use openidconnect::core::CoreDeviceAuthorizationResponse;
use openidconnect::{Scope, TokenResponse as _};
use reqwest::Url;

use std::future::Future;
use std::pin::Pin;

use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};

use super::http::{Http, HttpError, endpoint_name};
use super::tokens::request_error;
use super::{OAuthError, Provider, Tokens};

/// What the user needs to approve a device login: show it to them.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DeviceCode {
    /// The code the user types on the verification page.
    pub user_code: String,
    /// The page where the user types it.
    pub verification_uri: Url,
    /// The page with the code already filled in, when the provider offers one.
    pub verification_uri_complete: Option<Url>,
    /// How long the code is valid.
    pub expires_in: Duration,
    /// How often the provider allows polling.
    pub interval: Duration,
}

impl Provider {
    /// Logs in with the device authorization grant: asks the provider for a code, gives it to
    /// `show` (display the code and the page to the user), then polls the token endpoint at the
    /// interval the provider asks (slower on `slow_down`) until the user approves, the code
    /// expires ([`OAuthError::DeviceCodeExpired`]), the user refuses
    /// ([`OAuthError::AccessDenied`]) or the [login timeout](Self::login_timeout) passes.
    ///
    /// The ID token, when the provider sends one, is validated (no `nonce` in this flow).
    pub async fn device(
        &self,
        client_id: &str,
        scopes: &[&str],
        show: impl FnOnce(&DeviceCode),
    ) -> Result<Tokens, OAuthError> {
        self.device_with(client_id, scopes, &[], show).await
    }

    /// [`device`](Self::device) with extra parameters of the device authorization request.
    pub(crate) async fn device_with(
        &self,
        client_id: &str,
        scopes: &[&str],
        params: &[(&str, &str)],
        show: impl FnOnce(&DeviceCode),
    ) -> Result<Tokens, OAuthError> {
        let url = self
            .metadata
            .additional_metadata()
            .device_authorization_endpoint
            .clone()
            .ok_or_else(|| self.unsupported("device authorization endpoint"))?;
        let device_endpoint = endpoint_name(url.url());
        let token_endpoint = self
            .metadata
            .token_endpoint()
            .map(|u| endpoint_name(u.url()))
            .ok_or_else(|| self.unsupported("token endpoint"))?;
        let client = self
            .client(client_id, None)
            .set_device_authorization_url(url);
        let mut request = client.exchange_device_code();
        for scope in scopes {
            request = request.add_scope(Scope::new((*scope).to_owned()));
        }
        for (name, value) in params {
            request = request.add_extra_param((*name).to_owned(), (*value).to_owned());
        }
        let details: CoreDeviceAuthorizationResponse = request
            .request_async(&self.http)
            .await
            .map_err(|e| request_error(&device_endpoint, e))?;
        let verification_uri = Url::parse(details.verification_uri().as_str()).map_err(|_| {
            OAuthError::UnexpectedResponse {
                endpoint: device_endpoint.clone(),
                reason: "its verification_uri is not a URL".to_owned(),
            }
        })?;
        let started = std::time::Instant::now();
        show(&DeviceCode {
            user_code: details.user_code().secret().clone(),
            verification_uri,
            verification_uri_complete: details
                .verification_uri_complete()
                .and_then(|u| Url::parse(u.secret()).ok()),
            expires_in: details.expires_in(),
            interval: details.interval(),
        });
        // Polls (honouring `slow_down`) until the code's own expiry or our timeout.
        let ours = self.login_timeout < details.expires_in();
        let timeout = details.expires_in().min(self.login_timeout);
        let polling = Polling {
            http: &self.http,
            fatal: std::sync::Mutex::new(None),
        };
        let response = client
            .exchange_device_access_token(&details)
            .map_err(|_| self.unsupported("token endpoint"))?
            .request_async(&polling, tokio::time::sleep, Some(timeout))
            .await
            .map_err(|e| {
                if let Some(fatal) = polling.fatal.lock().ok().and_then(|mut f| f.take()) {
                    return OAuthError::from(fatal);
                }
                match request_error(&token_endpoint, e) {
                    // The poller reports its own deadline as `expired_token`: when the deadline
                    // was the login timeout, the code itself is still valid.
                    OAuthError::DeviceCodeExpired if ours && started.elapsed() >= timeout => {
                        OAuthError::TimedOut(timeout)
                    }
                    other => other,
                }
            })?;
        let claims = match response.id_token() {
            Some(token) => Some(self.validate(client_id, token, None)?),
            None => None,
        };
        Ok(Tokens::from_response(&response, claims))
    }
}

/// The HTTP client of the device poller. `oauth2`'s poller retries after any failure of the
/// HTTP client (RFC 8628's back-off for connection problems); a redirect (never followed: the
/// device code must not go elsewhere) or an oversized answer is no passing problem, so it is
/// kept here and the poller is stopped with an error answer of its own, which
/// [`Provider::device_with`] replaces with the kept error.
struct Polling<'h> {
    http: &'h Http,
    fatal: std::sync::Mutex<Option<HttpError>>,
}

impl<'c, 'h: 'c> AsyncHttpClient<'c> for Polling<'h> {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            match self.http.call(request).await {
                Err(e @ (HttpError::Redirected { .. } | HttpError::TooLarge { .. })) => {
                    if let Ok(mut fatal) = self.fatal.lock() {
                        *fatal = Some(e);
                    }
                    openidconnect::http::Response::builder()
                        .status(400)
                        .header("content-type", "application/json")
                        .body(br#"{"error":"apilogin_stopped"}"#.to_vec())
                        .map_err(|e| HttpError::Transport {
                            endpoint: String::new(),
                            kind: crate::error::TransportKind::Other,
                            detail: e.to_string(),
                        })
                }
                other => other,
            }
        })
    }
}
