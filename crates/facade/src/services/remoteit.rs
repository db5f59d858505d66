//! remote.it: `POST /user/login` and `POST /user/login/authhash`, both with the `developerkey`
//! header.

use progenitor_client::ResponseValue;
use remoteit_client::types::{self, LoginResponseStatus};
use remoteit_client::{Client as Api, Secret};

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

/// The generated client for `service` over its shared HTTP client, for the logins of a
/// [`Client`](crate::Client) and the calls of its sessions.
/// The developer key comes with each login's credentials, and goes into a copy of it
/// ([`Api::with_credentials`]) that shares its connections.
pub(crate) fn api(service: &Service, options: &Options) -> Result<Api, LoginError> {
    Ok(Api::new_with_client(
        service.base_url(),
        http::client(service, options)?,
    ))
}

pub(crate) async fn login(
    service: &Service,
    options: &Options,
    api: &Api,
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
    let api = api.with_credentials(
        remoteit_client::Credentials::new().developer_key(developer_key.expose_secret()),
    );
    match api.login().body(body).send().await {
        Ok(rv) => session_from(
            &call,
            service,
            options,
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
    match session
        .remoteit()?
        .login_with_authhash()
        .body(body)
        .send()
        .await
    {
        Ok(rv) => session_from(
            &call,
            &service,
            session.options(),
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
