//! The generated client crates through the facade: re-exported as `apilogin::clients`, their
//! errors turned into `LoginError` by `?`, and a session made from a token the user already
//! has (`Client::session_from_token`), against the sandboxes.

use apilogin::{ConfigError, LoginError, ServiceKind};

use crate::common::*;

/// A session's client call, with `?` into `LoginError`.
async fn me(session: &apilogin::Session) -> Result<String, LoginError> {
    let me: apilogin::clients::rocketchat::types::Me =
        session.rocketchat()?.me().send().await?.into_inner();
    Ok(me.username)
}

#[tokio::test]
async fn client_errors_become_login_errors_and_types_are_reexported() {
    let sandbox = start(ServiceKind::RocketChat).await;
    let client = client(ServiceKind::RocketChat, &sandbox);
    let session = login_ok(&client, &demo(ServiceKind::RocketChat)).await;
    assert_eq!(me(&session).await.unwrap(), "demo");

    // The server ends the session: the client's 401 is a rejected session.
    session.logout().await.unwrap();
    let err = me(&session).await.unwrap_err();
    assert!(
        matches!(
            err,
            LoginError::SessionRejected {
                service: ServiceKind::RocketChat
            }
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains(session.token().expose_secret()));

    // No server: a transport error naming why.
    sandbox.shutdown().await;
    let err = me(&session).await.unwrap_err();
    assert!(matches!(err, LoginError::Transport { .. }), "{err:?}");
}

#[tokio::test]
async fn a_token_you_already_have_is_checked_and_says_whose_it_is() {
    let sandbox = start(ServiceKind::RocketChat).await;
    let rocketchat = client(ServiceKind::RocketChat, &sandbox);
    let issued = login_ok(&rocketchat, &demo(ServiceKind::RocketChat)).await;
    let token = issued.token().expose_secret();
    let user_id = issued.user().user_id.clone().unwrap();

    let session = rocketchat
        .session_from_token(token, Some(&user_id))
        .await
        .unwrap();
    assert_eq!(session.user().username, "demo");
    assert_eq!(session.user().user_id.as_deref(), Some(user_id.as_str()));
    assert_eq!(me(&session).await.unwrap(), "demo");

    let refused = rocketchat
        .session_from_token("not-a-token", Some(&user_id))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, LoginError::SessionRejected { .. }),
        "{refused:?}"
    );
    let no_id = rocketchat
        .session_from_token(token, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            no_id,
            LoginError::Config(ConfigError::TokenNotEnough { .. })
        ),
        "{no_id:?}"
    );

    // Txty's sessions keep the API key's id, which a token alone does not give.
    let txty = start(ServiceKind::Txty).await;
    let err = client(ServiceKind::Txty, &txty)
        .session_from_token("some-key", None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, LoginError::Config(ConfigError::TokenNotEnough { .. })),
        "{err:?}"
    );
}
