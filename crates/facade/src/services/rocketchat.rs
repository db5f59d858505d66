//! Rocket.Chat: `POST /api/v1/login` (password + optional TOTP code, or `resume`),
//! `GET /api/v1/me`, `POST /api/v1/logout`.

use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use rocketchat_client::types::{self, LoginErrorBody, LoginErrorDetailsMethod};
use rocketchat_client::{Client as Api, Secret};

use crate::credentials::Credentials;
use crate::error::LoginError;
use crate::http::{self, Call, Options};
use crate::login::{SecondFactorMethod, Step};
use crate::secret::SecretString;
use crate::service::{Service, ServiceKind};
use crate::session::{Identity, Session, SessionDetails};

const KIND: ServiceKind = ServiceKind::RocketChat;

/// The generated client for `service` over its shared HTTP client, for the logins of a
/// [`Client`](crate::Client) and the calls of its sessions; a session adds its token with
/// `with_credentials`.
pub(crate) fn api(service: &Service, options: &Options) -> Result<Api, LoginError> {
    Ok(Api::new_with_client(
        service.base_url(),
        http::client(service, options)?,
    ))
}

/// What a login was for: the meaning of `Unauthorized` differs.
#[derive(Clone, Copy, PartialEq)]
enum Purpose {
    Password,
    SecondFactor,
    Resume,
}

pub(crate) async fn login(
    service: &Service,
    options: &Options,
    api: &Api,
    credentials: &Credentials,
    code: Option<&SecretString>,
) -> Result<Step, LoginError> {
    let mut secrets = credentials.secrets();
    secrets.extend(code.map(SecretString::expose_secret));
    let call = Call::new(KIND, secrets);
    let body = types::LoginRequest::PasswordLogin(types::PasswordLogin {
        user: credentials.user().to_owned(),
        username: None,
        email: None,
        password: Secret::new(credentials.password().expose_secret()),
        code: code.map(|c| Secret::new(c.expose_secret())),
    });
    let purpose = if code.is_some() {
        Purpose::SecondFactor
    } else {
        Purpose::Password
    };
    match api.login().body(body).send().await {
        Ok(rv) => Ok(Step::done(session_of(service, options, rv.into_inner()))),
        Err(e) => call.fail(e, |rv| login_error(&call, rv, purpose)).await,
    }
}

pub(crate) async fn relogin(session: &Session) -> Result<Session, LoginError> {
    let service = session.service();
    let options = session.options();
    let call = Call::new(KIND, vec![session.token().expose_secret()]);
    let api = api(&service, options)?;
    let body = types::LoginRequest::ResumeLogin(types::ResumeLogin {
        resume: Secret::new(session.token().expose_secret()),
    });
    match api.login().body(body).send().await {
        Ok(rv) => Ok(session_of(&service, options, rv.into_inner())),
        Err(e) => match call
            .fail(e, |rv| login_error(&call, rv, Purpose::Resume))
            .await
        {
            Ok(_) => Err(call.unexpected(
                Some(StatusCode::UNAUTHORIZED),
                "a resume login asked for a second factor",
            )),
            Err(e) => Err(e),
        },
    }
}

pub(crate) async fn verify(session: &Session) -> Result<Identity, LoginError> {
    let (call, api) = authed(session)?;
    match api.me().send().await {
        Ok(rv) => {
            let me = rv.into_inner();
            Ok(Identity {
                username: me.username,
                user_id: Some(me.id),
                name: Some(me.name).filter(|n| !n.is_empty()),
                email: me.emails.into_iter().next().map(|e| e.address),
            })
        }
        Err(e) => {
            call.fail(e, |_| Err(LoginError::SessionRejected { service: KIND }))
                .await
        }
    }
}

pub(crate) async fn logout(session: &Session) -> Result<(), LoginError> {
    let (call, api) = authed(session)?;
    match api.logout().send().await {
        Ok(_) => Ok(()),
        Err(e) => {
            call.fail(e, |_| Err(LoginError::SessionRejected { service: KIND }))
                .await
        }
    }
}

/// The session's generated client (it sends `X-Auth-Token` and `X-User-Id` where the spec
/// says), and the call context that scrubs the token.
fn authed(session: &Session) -> Result<(Call<'_>, Api), LoginError> {
    Ok((
        Call::new(KIND, vec![session.token().expose_secret()]),
        session.rocketchat()?,
    ))
}

fn login_error(
    call: &Call<'_>,
    rv: ResponseValue<LoginErrorBody>,
    purpose: Purpose,
) -> Result<Step, LoginError> {
    let service = KIND;
    if rv.status() == StatusCode::TOO_MANY_REQUESTS {
        return Err(LoginError::RateLimited {
            service,
            reset_at: http::reset_at(rv.headers()),
        });
    }
    let status = rv.status();
    let err = match rv.into_inner() {
        LoginErrorBody::LoginError(err) => err,
        LoginErrorBody::RateLimitError(_) => {
            return Err(call.unexpected(
                Some(status),
                "a rate-limit answer with a status other than 429",
            ));
        }
    };
    Err(match err.error.as_str() {
        "totp-required" if purpose == Purpose::Password => {
            let method = match err.details.map(|d| d.method) {
                Some(LoginErrorDetailsMethod::Email) => SecondFactorMethod::Email,
                Some(LoginErrorDetailsMethod::Password) => SecondFactorMethod::Password,
                Some(LoginErrorDetailsMethod::Totp) | None => SecondFactorMethod::Totp,
            };
            return Ok(Step::Challenge(method));
        }
        "error-login-blocked-for-user" | "error-login-blocked-for-ip" => {
            LoginError::AccountLocked {
                service,
                by_ip: err.error.ends_with("-ip"),
            }
        }
        // A resume token that is refused, whatever the wording: the session is over.
        _ if purpose == Purpose::Resume => LoginError::SessionRejected { service },
        "totp-required" | "totp-invalid" => LoginError::SecondFactorInvalid { service },
        "totp-max-attempts" => LoginError::SecondFactorExhausted { service },
        "Unauthorized" => LoginError::BadCredentials {
            service,
            code: Some("Unauthorized".to_owned()),
        },
        other => LoginError::Refused {
            service,
            code: call.scrub(other),
            message: call.scrub(&err.message),
        },
    })
}

fn session_of(service: &Service, options: &Options, resp: types::LoginResponse) -> Session {
    let data = resp.data;
    let me = data.me;
    let user = Identity {
        username: me.username,
        user_id: Some(data.user_id),
        name: Some(me.name).filter(|n| !n.is_empty()),
        email: me.emails.into_iter().next().map(|e| e.address),
    };
    Session::new(
        service,
        options,
        user,
        SecretString::new(data.auth_token.expose_secret()),
        SessionDetails::RocketChat {},
    )
}
