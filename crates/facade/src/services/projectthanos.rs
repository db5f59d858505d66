//! Project Thanos: `POST /api/organizations/user-login/` with a JSON body. There is no call to
//! check, renew or end a token in the API.

use progenitor_client::ResponseValue;
use projectthanos_client::types;
use projectthanos_client::{Client as Api, Secret};

use crate::credentials::Credentials;
use crate::error::{ConfigError, LoginError};
use crate::http::{self, Call, Options};
use crate::login::Step;
use crate::secret::SecretString;
use crate::service::{Service, ServiceKind};
use crate::session::{Identity, Session, SessionDetails};

const KIND: ServiceKind = ServiceKind::ProjectThanos;

/// The generated client for `service` over its shared HTTP client, for the logins of a
/// [`Client`](crate::Client) and the calls of its sessions; a session adds its token with
/// `with_credentials`.
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
    let call = Call::new(KIND, credentials.secrets());
    // The spec's `minLength: 1` makes the user name a checked type.
    let username = credentials
        .user()
        .parse()
        .map_err(|_| ConfigError::MissingCredential {
            service: KIND,
            what: "user name",
        })?;
    let body = types::LoginRequest {
        username,
        password: Secret::new(credentials.password().expose_secret()),
    };
    match api.login().body(body).send().await {
        Ok(rv) => {
            let r = rv.into_inner();
            let non_empty = |s: String| Some(s).filter(|s| !s.is_empty());
            let user = Identity {
                user_id: Some(r.user_uuid.to_string()),
                ..Identity::new(credentials.user())
            };
            Ok(Step::done(Session::new(
                service,
                options,
                user,
                SecretString::new(r.auth_token.expose_secret()),
                SessionDetails::ProjectThanos {
                    org_type: r.org_type.to_string(),
                    org_uuid: r.org_uuid.to_string(),
                    retailer_uuid: non_empty(r.retailer_uuid),
                    supplier_uuid: non_empty(r.supplier_uuid),
                },
            )))
        }
        Err(e) => call.fail(e, |rv| Err(login_error(&call, rv))).await,
    }
}

fn login_error(call: &Call<'_>, rv: ResponseValue<types::ErrorResponse>) -> LoginError {
    let status = rv.status();
    let detail = call.scrub(&rv.into_inner().detail);
    match status.as_u16() {
        401 => LoginError::BadCredentials {
            service: KIND,
            code: None,
        },
        403 => LoginError::PermissionDenied { service: KIND },
        400 => LoginError::Refused {
            service: KIND,
            code: "400".to_owned(),
            message: detail,
        },
        404 => call.unexpected(
            Some(status),
            "the login endpoint was not found: check the base URL",
        ),
        415 => call.unexpected(
            Some(status),
            "the server did not accept the request's content type",
        ),
        _ => call.unexpected(Some(status), &detail),
    }
}
