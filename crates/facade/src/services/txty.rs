//! Txty: `POST /user/newapikey/login.json` (creates an API key, the session token),
//! `POST /view/user/api.json`, `POST /user/deleteapikey/api.json`. Every outcome is HTTP 200;
//! the body's `status` tells them apart. Only the form-body operations are used: the GET ones
//! would put the password and key in the URL.

use txty_client::types::{self, AccountResult, DeleteResult, LoginResult};
use txty_client::{Client as Api, Secret};

use crate::credentials::Credentials;
use crate::error::LoginError;
use crate::http::{self, Call, Options};
use crate::login::{SecondFactorMethod, Step};
use crate::secret::SecretString;
use crate::service::{Service, ServiceKind};
use crate::session::{Identity, Session, SessionDetails};

use super::is_code;

const KIND: ServiceKind = ServiceKind::Txty;

/// The generated client for `service`. No secret headers: user and key travel in the form
/// body, so one client serves every login of a [`Client`](crate::Client) and every call of its
/// sessions.
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
    code: Option<&SecretString>,
) -> Result<Step, LoginError> {
    let mut secrets = credentials.secrets();
    secrets.extend(code.map(SecretString::expose_secret));
    let call = Call::new(KIND, secrets);
    let body = types::LoginForm {
        user: credentials.user().to_owned(),
        pass: Secret::new(credentials.password().expose_secret()),
        description: credentials.get_key_description().to_owned(),
        tfkey: code.map(|c| Secret::new(c.expose_secret())),
    };
    let result = match api.login().body(body).send().await {
        Ok(rv) => rv.into_inner(),
        Err(e) => {
            return call
                .fail(e, |_| Err(call.unexpected(None, "undocumented error")))
                .await;
        }
    };
    match result {
        LoginResult::ApiKeyAdded(added) => Ok(Step::done(Session::new(
            service,
            options,
            Identity::new(credentials.user()),
            SecretString::new(added.newapikey.key.expose_secret()),
            SessionDetails::Txty {
                controlapikey: added.newapikey.controlapikey,
            },
        ))),
        LoginResult::TwoFactorRequired(_) => Ok(Step::Challenge(SecondFactorMethod::Sms)),
        // The error echoes the submitted password (`login.pass`): only the code is used.
        LoginResult::TxtyError(err) => Err(match err.error.as_str() {
            // Txty answers a wrong tfkey like a wrong password; with the password just
            // accepted (it produced the challenge), the code is what was wrong.
            "USER_NOT_FOUND" if code.is_some() => LoginError::SecondFactorInvalid { service: KIND },
            "USER_NOT_FOUND" => LoginError::BadCredentials {
                service: KIND,
                code: Some(err.error),
            },
            other => refused(&call, other),
        }),
    }
}

pub(crate) async fn verify(session: &Session) -> Result<Identity, LoginError> {
    let call = Call::new(KIND, vec![session.token().expose_secret()]);
    let body = types::AccountForm {
        user: session.user().username.clone(),
        key: Secret::new(session.token().expose_secret()),
    };
    let result = match session.txty()?.view_account().body(body).send().await {
        Ok(rv) => rv.into_inner(),
        Err(e) => {
            return call
                .fail(e, |_| Err(call.unexpected(None, "undocumented error")))
                .await;
        }
    };
    match result {
        AccountResult::AccountView(view) => Ok(Identity {
            username: view.user.user,
            user_id: None,
            name: Some(view.user.name).filter(|n| !n.is_empty()),
            email: Some(view.user.email).filter(|e| !e.is_empty()),
        }),
        AccountResult::TxtyError(err) => Err(session_error(&call, &err.error)),
    }
}

pub(crate) async fn logout(session: &Session) -> Result<(), LoginError> {
    let call = Call::new(KIND, vec![session.token().expose_secret()]);
    // Logging out = deleting the API key the login created, authenticated by that same key.
    let body = types::DeleteApiKeyForm {
        user: session.user().username.clone(),
        key: Secret::new(session.token().expose_secret()),
        apikey: Secret::new(session.token().expose_secret()),
    };
    let result = match session.txty()?.delete_api_key().body(body).send().await {
        Ok(rv) => rv.into_inner(),
        Err(e) => {
            return call
                .fail(e, |_| Err(call.unexpected(None, "undocumented error")))
                .await;
        }
    };
    match result {
        DeleteResult::ApiKeyDeleted(_) => Ok(()),
        DeleteResult::TxtyError(err) => Err(session_error(&call, &err.error)),
    }
}

fn session_error(call: &Call<'_>, code: &str) -> LoginError {
    match code {
        "INVALID_APIKEY" | "APIKEY_NOT_FOUND" | "USER_NOT_FOUND" => {
            LoginError::SessionRejected { service: KIND }
        }
        other => refused(call, other),
    }
}

fn refused(call: &Call<'_>, code: &str) -> LoginError {
    LoginError::Refused {
        service: KIND,
        code: if is_code(code) {
            code.to_owned()
        } else {
            call.scrub(code)
        },
        message: "see Txty's API documentation for this error code".to_owned(),
    }
}
