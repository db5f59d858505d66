//! Mattermost through the facade: no line of the facade was written for it (its spec's
//! `x-apilogin` is all there is), so this checks that the description runs as the server answers.

use apilogin::{
    LoginError, LoginOutcome, Operation, SecondFactorMethod, Service, ServiceKind, Session,
    SessionDetails,
};

use crate::common::*;

const KIND: ServiceKind = ServiceKind::Mattermost;

#[tokio::test]
async fn login_verify_logout_with_the_token_from_a_header() {
    let sandbox = start(KIND).await;
    assert_eq!(KIND.default_base_url(), None);
    assert!(Service::mattermost(sandbox.base_url()).is_ok());
    let session = login_ok(&client(KIND, &sandbox), &demo(KIND)).await;
    assert_eq!(session.user().username, "demo");
    assert_eq!(session.user().email.as_deref(), Some("demo@example.com"));
    assert_eq!(session.user().name.as_deref(), Some("Demo User"));
    assert!(session.user().user_id.is_some());
    assert!(matches!(session.details(), SessionDetails::Mattermost {}));
    let token = session.token().expose_secret().to_owned();
    assert_eq!(token.len(), 26);
    // Later calls: `Authorization: Bearer <token>`, from the spec's bearerAuth scheme.
    let headers = session.auth_headers().unwrap();
    assert_eq!(headers["authorization"], format!("Bearer {token}").as_str());
    assert!(headers["authorization"].is_sensitive());
    assert!(session.expose_auth_params().is_empty());
    let me = session.mattermost().unwrap().me().send().await.unwrap();
    assert_eq!(me.username, "demo");
    assert_eq!(session.verify().await.unwrap().username, "demo");

    // A stored session works the same after a round trip through JSON.
    let json = serde_json::to_string(&session).unwrap();
    assert!(json.contains("\"service\":\"mattermost\""), "{json}");
    let back: Session = serde_json::from_str(&json).unwrap();
    back.with_options(options()).logout().await.unwrap();
    let err = session.verify().await.unwrap_err();
    assert!(matches!(err, LoginError::SessionRejected { .. }), "{err:?}");
    let err = session.relogin().await.unwrap_err();
    assert!(
        matches!(
            err,
            LoginError::Unsupported {
                operation: Operation::Relogin,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn second_factor_wrong_code_then_right_code() {
    let sandbox = start(KIND).await;
    let client = client(KIND, &sandbox);
    let creds = apilogin::Credentials::new("demo-mfa", DEMO_PASSWORD);
    let LoginOutcome::SecondFactor(challenge) = client.login(&creds).await.unwrap() else {
        panic!("expected a challenge")
    };
    assert_eq!(challenge.method(), SecondFactorMethod::Totp);
    assert_eq!(challenge.service(), KIND);
    let err = challenge.answer("000000").await.unwrap_err();
    assert!(
        matches!(err, LoginError::SecondFactorInvalid { .. }),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("000000"));
    // A code that is not digits is "MFA required" again for the server: still a wrong code.
    let err = challenge.answer("abc").await.unwrap_err();
    assert!(
        matches!(err, LoginError::SecondFactorInvalid { .. }),
        "{err:?}"
    );
    let session = challenge.answer(SECOND_FACTOR_CODE).await.unwrap();
    assert_eq!(session.user().username, "demo-mfa");
}

#[tokio::test]
async fn bad_credentials_inactive_and_lockout() {
    let sandbox = start(KIND).await;
    let client = client(KIND, &sandbox);
    let err = login_err(&client, &wrong(KIND)).await;
    assert!(matches!(err, LoginError::BadCredentials { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(WRONG_PASSWORD));

    let inactive = apilogin::Credentials::new("inactive", DEMO_PASSWORD);
    let err = login_err(&client, &inactive).await;
    assert!(
        matches!(err, LoginError::Refused { ref code, .. } if code == "api.user.login.inactive.app_error"),
        "{err:?}"
    );
    assert!(err.to_string().contains("deactivated"), "{err}");

    for _ in 0..9 {
        let err = login_err(&client, &wrong(KIND)).await;
        assert!(matches!(err, LoginError::BadCredentials { .. }), "{err:?}");
    }
    let err = login_err(&client, &demo(KIND)).await;
    assert!(
        matches!(err, LoginError::AccountLocked { by_ip: false, .. }),
        "{err:?}"
    );
}
