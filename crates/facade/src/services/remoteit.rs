//! remote.it: `POST /user/login` and `POST /user/login/authhash`, both with the `developerkey`
//! header.

use std::sync::{Arc, Mutex, PoisonError};

use progenitor_client::{ClientInfo, ResponseValue};
use remoteit_client::types::{self, LoginResponseStatus};
use remoteit_client::{Client as Api, Secret};
use reqwest::header::HeaderMap;

use crate::credentials::Credentials;
use crate::error::{ConfigError, LoginError};
use crate::http::{self, Call, Options};
use crate::login::Step;
use crate::secret::SecretString;
use crate::service::{Service, ServiceKind};
use crate::session::{Identity, Session, SessionDetails};

const KIND: ServiceKind = ServiceKind::RemoteIt;

/// Codes of accounts whose second factor the legacy endpoint cannot complete.
const MFA_CODES: [&str; 3] = ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "MFA_SETUP"];

/// The headers of both logins: `developerkey`, marked sensitive.
pub(crate) fn login_headers(developer_key: &SecretString) -> Result<HeaderMap, LoginError> {
    let header = http::secret_header(
        KIND,
        "developerkey",
        developer_key.expose_secret(),
        "developer key",
    )?;
    Ok(http::header_map([header]))
}

/// The login client of a [`Client`](crate::Client): it sends the developer key of the
/// credentials, which come with each login, so it is built on the first login and kept for the
/// next ones with the same key (another key replaces it). Clones share it.
#[derive(Clone, Default)]
pub(crate) struct LoginApi(Arc<Mutex<Option<KeyedApi>>>);

/// A generated client and the developer key its `developerkey` header carries.
type KeyedApi = (SecretString, Arc<Api>);

impl LoginApi {
    fn get(
        &self,
        service: &Service,
        options: &Options,
        developer_key: &SecretString,
    ) -> Result<Arc<Api>, LoginError> {
        // A panic elsewhere cannot leave the slot half-written: take it as it is.
        let lock = || self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((key, api)) = lock().as_ref()
            && key == developer_key
        {
            // An `Arc`: handing it out allocates nothing.
            return Ok(Arc::clone(api));
        }
        // Built without holding the lock (it takes milliseconds).
        let http = http::build_client(service, options, login_headers(developer_key)?)?;
        let api = Arc::new(Api::new_with_client(service.base_url(), http));
        *lock() = Some((developer_key.clone(), Arc::clone(&api)));
        Ok(api)
    }
}

pub(crate) async fn login(
    service: &Service,
    options: &Options,
    login_api: &LoginApi,
    credentials: &Credentials,
) -> Result<Step, LoginError> {
    let developer_key = credentials
        .get_developer_key()
        .ok_or(ConfigError::MissingCredential {
            service: KIND,
            what: "developer key",
        })?;
    let call = Call::new(KIND, credentials.secrets());
    let body = types::LoginRequest {
        username: credentials.user().to_owned(),
        password: Secret::new(credentials.password().expose_secret()),
    };
    let api = login_api.get(service, options, developer_key)?;
    match api.login().body(body).send().await {
        Ok(rv) => session_from(
            &call,
            service,
            options,
            api.client(),
            credentials.user(),
            developer_key,
            rv.into_inner(),
        )
        .map(Step::done),
        Err(e) => call.fail(e, |rv| Err(login_error(rv, false))).await,
    }
}

pub(crate) async fn relogin(session: &Session) -> Result<Session, LoginError> {
    let SessionDetails::RemoteIt {
        developer_key,
        service_authhash,
    } = session.details()
    else {
        return Err(LoginError::SessionRejected { service: KIND });
    };
    let service = session.service();
    let call = Call::new(
        KIND,
        vec![
            developer_key.expose_secret(),
            service_authhash.expose_secret(),
            session.token().expose_secret(),
        ],
    );
    let username = session.user().username.as_str();
    let body = types::AuthhashLoginRequest {
        username: username.to_owned(),
        authhash: Secret::new(service_authhash.expose_secret()),
    };
    let http = session.login_http()?;
    let api = Api::new_with_client(service.base_url(), http);
    match api.login_with_authhash().body(body).send().await {
        Ok(rv) => session_from(
            &call,
            &service,
            session.options(),
            api.client(),
            username,
            developer_key,
            rv.into_inner(),
        ),
        Err(e) => call.fail(e, |rv| Err(login_error(rv, true))).await,
    }
}

fn session_from(
    call: &Call<'_>,
    service: &Service,
    options: &Options,
    login_http: &reqwest::Client,
    username: &str,
    developer_key: &SecretString,
    resp: types::LoginResponse,
) -> Result<Session, LoginError> {
    let message = match resp.status {
        LoginResponseStatus::True => {
            let user = Identity {
                user_id: resp.guid,
                email: Some(resp.email),
                ..Identity::new(username)
            };
            return Ok(Session::new(
                service,
                options,
                login_http,
                user,
                SecretString::new(resp.token.expose_secret()),
                SessionDetails::RemoteIt {
                    developer_key: developer_key.clone(),
                    service_authhash: SecretString::new(resp.service_authhash.expose_secret()),
                },
            ));
        }
        LoginResponseStatus::Pending => {
            "the account is not confirmed yet: finish the sign-up from the e-mail remote.it sent"
        }
        LoginResponseStatus::Reset => {
            "the password must be reset: do it in the remote.it web portal, then log in again"
        }
    };
    Err(LoginError::Refused {
        service: call.service,
        code: resp.status.to_string(),
        message: message.to_owned(),
    })
}

fn login_error(rv: ResponseValue<types::ErrorResponse>, relogin: bool) -> LoginError {
    let err = rv.into_inner();
    if MFA_CODES.contains(&err.code.as_str()) {
        return LoginError::SecondFactorUnsupported {
            service: KIND,
            code: err.code,
        };
    }
    if relogin {
        LoginError::SessionRejected { service: KIND }
    } else {
        LoginError::BadCredentials {
            service: KIND,
            // Server codes are short upper-case words; anything else is not shown.
            code: Some(err.code).filter(|c| super::is_code(c)),
        }
    }
}
