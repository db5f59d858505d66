//! Every login path of every service: success, bad credentials, second factor, lockout, rate
//! limit, verify, logout, re-login, stored sessions.

use std::time::{Duration, SystemTime};

use apilogin::{
    ConfigError, Credentials, LoginError, LoginOutcome, Operation, SecondFactorMethod, ServiceKind,
    Session, SessionDetails,
};
use apilogin_sandbox as sb;

use crate::common::*;

// ---------------------------------------------------------------- remote.it

#[tokio::test]
async fn remoteit_login_relogin_and_unsupported_calls() {
    let sandbox = start(ServiceKind::RemoteIt).await;
    let client = client(ServiceKind::RemoteIt, &sandbox);
    let session = login_ok(&client, &demo(ServiceKind::RemoteIt)).await;
    assert_eq!(session.kind(), ServiceKind::RemoteIt);
    assert_eq!(session.user().username, "demo@remote.it");
    assert_eq!(session.user().email.as_deref(), Some("demo@remote.it"));
    assert!(!session.token().expose_secret().is_empty());
    let SessionDetails::RemoteIt {
        developer_key,
        service_authhash,
    } = session.details()
    else {
        panic!("{session:?}")
    };
    assert_eq!(developer_key.expose_secret(), REMOTEIT_DEVELOPER_KEY);
    assert!(!service_authhash.expose_secret().is_empty());

    let headers = session.auth_headers().unwrap();
    assert_eq!(headers["developerkey"], REMOTEIT_DEVELOPER_KEY);
    assert_eq!(headers["token"], session.token().expose_secret());
    assert!(headers.values().all(|v| v.is_sensitive()));

    // Re-login without the password.
    let again = session.relogin().await.unwrap();
    assert_eq!(again.user().username, "demo@remote.it");
    assert!(!again.token().expose_secret().is_empty());
    assert_quiet(
        &again,
        &[
            again.token().expose_secret(),
            service_authhash.expose_secret(),
        ],
    );

    for (result, op) in [
        (session.verify().await.map(|_| ()), Operation::Verify),
        (session.logout().await, Operation::Logout),
    ] {
        let err = result.unwrap_err();
        assert!(
            matches!(err, LoginError::Unsupported { service: ServiceKind::RemoteIt, operation } if operation == op),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn remoteit_bad_credentials_mfa_and_developer_key() {
    let sandbox = start(ServiceKind::RemoteIt).await;
    let client = client(ServiceKind::RemoteIt, &sandbox);

    let err = login_err(&client, &wrong(ServiceKind::RemoteIt)).await;
    assert!(
        matches!(&err, LoginError::BadCredentials { service: ServiceKind::RemoteIt, code: Some(c) } if c == "GENERAL_ERROR"),
        "{err:?}"
    );
    assert!(err.to_string().contains("developer key"), "{err}");
    assert_quiet(&err, &[]);

    let bad_key = Credentials::new("demo@remote.it", DEMO_PASSWORD).developer_key("not-the-key");
    let err = login_err(&client, &bad_key).await;
    assert!(matches!(err, LoginError::BadCredentials { .. }), "{err:?}");
    assert_quiet(&err, &["not-the-key"]);

    // The legacy endpoint cannot complete multi-factor logins: a typed error, not a challenge.
    let mfa =
        Credentials::new("mfa@remote.it", DEMO_PASSWORD).developer_key(REMOTEIT_DEVELOPER_KEY);
    let err = login_err(&client, &mfa).await;
    assert!(
        matches!(&err, LoginError::SecondFactorUnsupported { code, .. } if code == "SMS_MFA"),
        "{err:?}"
    );
    assert!(err.to_string().contains("multi-factor"), "{err}");

    // Caught before any request.
    let no_key = Credentials::new("demo@remote.it", DEMO_PASSWORD);
    let err = login_err(&client, &no_key).await;
    assert!(
        matches!(
            err,
            LoginError::Config(ConfigError::MissingCredential {
                what: "developer key",
                ..
            })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn remoteit_relogin_with_a_bad_authhash_is_rejected() {
    let sandbox = start(ServiceKind::RemoteIt).await;
    let session = login_ok(
        &client(ServiceKind::RemoteIt, &sandbox),
        &demo(ServiceKind::RemoteIt),
    )
    .await;
    let mut json: serde_json::Value = serde_json::to_value(&session).unwrap();
    json["service_authhash"] = "forged-authhash".into();
    let forged: Session = serde_json::from_value(json).unwrap();
    let err = forged.with_options(options()).relogin().await.unwrap_err();
    assert!(matches!(err, LoginError::SessionRejected { .. }), "{err:?}");
}

// ---------------------------------------------------------------- Txty

#[tokio::test]
async fn txty_login_verify_logout() {
    let sandbox = start(ServiceKind::Txty).await;
    let client = client(ServiceKind::Txty, &sandbox);
    let session = login_ok(&client, &demo(ServiceKind::Txty)).await;
    assert_eq!(session.user().username, "demo");
    assert!(matches!(session.details(), SessionDetails::Txty { .. }));
    let key = session.token().expose_secret().to_owned();
    assert_eq!(
        session.expose_auth_params(),
        vec![("user", "demo"), ("key", key.as_str())]
    );
    assert!(session.auth_headers().unwrap().is_empty());

    let me = session.verify().await.unwrap();
    assert_eq!(me.username, "demo");

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

    session.logout().await.unwrap();
    // The key is gone: the session no longer works.
    let err = session.verify().await.unwrap_err();
    assert!(
        matches!(
            err,
            LoginError::SessionRejected {
                service: ServiceKind::Txty
            }
        ),
        "{err:?}"
    );
    let err = session.logout().await.unwrap_err();
    assert!(matches!(err, LoginError::SessionRejected { .. }), "{err:?}");
    assert_quiet(&err, &[&key]);
}

#[tokio::test]
async fn txty_bad_credentials_never_show_the_echoed_password() {
    let sandbox = start(ServiceKind::Txty).await;
    let client = client(ServiceKind::Txty, &sandbox);
    // The server echoes the submitted password back in its error body.
    let err = login_err(&client, &wrong(ServiceKind::Txty)).await;
    assert!(
        matches!(&err, LoginError::BadCredentials { service: ServiceKind::Txty, code: Some(c) } if c == "USER_NOT_FOUND"),
        "{err:?}"
    );
    assert_quiet(&err, &[]);
    let err = login_err(&client, &Credentials::new("nobody", WRONG_PASSWORD)).await;
    assert!(matches!(err, LoginError::BadCredentials { .. }), "{err:?}");
    assert_quiet(&err, &[]);
}

#[tokio::test]
async fn txty_second_factor() {
    let sandbox = start(ServiceKind::Txty).await;
    let client = client(ServiceKind::Txty, &sandbox);
    let challenge = match client.login(&two_factor()).await.unwrap() {
        LoginOutcome::SecondFactor(c) => c,
        other => panic!("expected a challenge, got {other:?}"),
    };
    assert_eq!(challenge.method(), SecondFactorMethod::Sms);
    assert_eq!(challenge.service(), ServiceKind::Txty);
    assert_quiet(&challenge, &[]);

    let err = challenge.answer("000000").await.unwrap_err();
    assert!(
        matches!(
            err,
            LoginError::SecondFactorInvalid {
                service: ServiceKind::Txty
            }
        ),
        "{err:?}"
    );
    assert_quiet(&err, &["000000"]);
    let err = challenge.answer("  ").await.unwrap_err();
    assert!(
        matches!(
            err,
            LoginError::Config(ConfigError::MissingCredential { .. })
        ),
        "{err:?}"
    );

    // The challenge can be answered again after a wrong code.
    let session = challenge.answer(SECOND_FACTOR_CODE).await.unwrap();
    assert_eq!(session.user().username, "demo-2fa");
    session.verify().await.unwrap();
    session.logout().await.unwrap();
}

// ---------------------------------------------------------------- Project Thanos

#[tokio::test]
async fn projectthanos_logins_and_unsupported_calls() {
    let sandbox = start(ServiceKind::ProjectThanos).await;
    let client = client(ServiceKind::ProjectThanos, &sandbox);

    let session = login_ok(&client, &demo(ServiceKind::ProjectThanos)).await;
    let SessionDetails::ProjectThanos {
        org_type,
        retailer_uuid,
        supplier_uuid,
        ..
    } = session.details()
    else {
        panic!("{session:?}")
    };
    assert_eq!(org_type, "RETAILER");
    assert!(retailer_uuid.is_some() && supplier_uuid.is_none());
    assert!(session.user().user_id.is_some());
    let headers = session.auth_headers().unwrap();
    let auth = &headers["authorization"];
    assert!(auth.is_sensitive());
    assert_eq!(auth, &format!("Token {}", session.token().expose_secret()));

    let supplier = Credentials::new("supplier@projectthanos.com", DEMO_PASSWORD);
    let session2 = login_ok(&client, &supplier).await;
    assert!(
        matches!(session2.details(), SessionDetails::ProjectThanos { org_type, .. } if org_type == "SUPPLIER")
    );

    let err = login_err(&client, &wrong(ServiceKind::ProjectThanos)).await;
    assert!(
        matches!(
            err,
            LoginError::BadCredentials {
                service: ServiceKind::ProjectThanos,
                ..
            }
        ),
        "{err:?}"
    );
    assert_quiet(&err, &[]);

    let noaccess = Credentials::new("noaccess@projectthanos.com", DEMO_PASSWORD);
    let err = login_err(&client, &noaccess).await;
    assert!(
        matches!(err, LoginError::PermissionDenied { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("administrator"), "{err}");

    for (err, op) in [
        (
            session.verify().await.map(|_| ()).unwrap_err(),
            Operation::Verify,
        ),
        (session.logout().await.unwrap_err(), Operation::Logout),
        (
            session.relogin().await.map(|_| ()).unwrap_err(),
            Operation::Relogin,
        ),
    ] {
        assert!(
            matches!(err, LoginError::Unsupported { service: ServiceKind::ProjectThanos, operation } if operation == op),
            "{err:?}"
        );
        assert!(err.to_string().contains("no "), "{err}");
    }
}

// ---------------------------------------------------------------- Rocket.Chat

#[tokio::test]
async fn rocketchat_login_verify_relogin_logout() {
    let sandbox = start(ServiceKind::RocketChat).await;
    let client = client(ServiceKind::RocketChat, &sandbox);
    let session = login_ok(&client, &demo(ServiceKind::RocketChat)).await;
    assert_eq!(session.user().username, "demo");
    let user_id = session.user().user_id.clone().unwrap();
    let headers = session.auth_headers().unwrap();
    assert_eq!(headers["x-auth-token"], session.token().expose_secret());
    assert_eq!(headers["x-user-id"], user_id.as_str());
    assert!(headers["x-auth-token"].is_sensitive());

    let me = session.verify().await.unwrap();
    assert_eq!(me.username, "demo");
    assert_eq!(me.user_id.as_deref(), Some(user_id.as_str()));

    // The session's generated client is authenticated for every operation of the spec.
    let me = session.rocketchat().unwrap().me().send().await.unwrap();
    assert_eq!(me.id, user_id);
    // And it is only the Rocket.Chat one.
    let err = session.txty().map(|_| ()).unwrap_err();
    assert!(
        matches!(
            err,
            LoginError::Config(apilogin::ConfigError::WrongService {
                session: ServiceKind::RocketChat,
                wanted: ServiceKind::Txty
            })
        ),
        "{err:?}"
    );

    let again = session.relogin().await.unwrap();
    assert_eq!(again.user().user_id.as_deref(), Some(user_id.as_str()));

    again.logout().await.unwrap();
    for err in [
        session.verify().await.map(|_| ()).unwrap_err(),
        session.logout().await.unwrap_err(),
        session.relogin().await.map(|_| ()).unwrap_err(),
    ] {
        assert!(
            matches!(
                err,
                LoginError::SessionRejected {
                    service: ServiceKind::RocketChat
                }
            ),
            "{err:?}"
        );
        assert_quiet(&err, &[session.token().expose_secret()]);
    }
}

#[tokio::test]
async fn rocketchat_bad_credentials_and_lockout() {
    let sandbox = sb::Sandbox::builder(sb::Service::RocketChat)
        .rate_limit(u32::MAX, Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let client = client(ServiceKind::RocketChat, &sandbox);
    for _ in 0..5 {
        let err = login_err(&client, &wrong(ServiceKind::RocketChat)).await;
        assert!(matches!(err, LoginError::BadCredentials { .. }), "{err:?}");
        assert_quiet(&err, &[]);
    }
    // Even the right password is refused now.
    let err = login_err(&client, &demo(ServiceKind::RocketChat)).await;
    assert!(
        matches!(
            err,
            LoginError::AccountLocked {
                service: ServiceKind::RocketChat,
                by_ip: false
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("wait"), "{err}");
}

#[tokio::test]
async fn rocketchat_second_factor_and_max_attempts() {
    let sandbox = sb::Sandbox::builder(sb::Service::RocketChat)
        .rate_limit(u32::MAX, Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let client = client(ServiceKind::RocketChat, &sandbox);
    let LoginOutcome::SecondFactor(challenge) = client.login(&two_factor()).await.unwrap() else {
        panic!("expected a challenge")
    };
    assert_eq!(challenge.method(), SecondFactorMethod::Totp);
    assert!(
        challenge.to_string().contains("authenticator"),
        "{challenge}"
    );

    let err = challenge.answer("000000").await.unwrap_err();
    assert!(
        matches!(err, LoginError::SecondFactorInvalid { .. }),
        "{err:?}"
    );
    let session = challenge.answer(SECOND_FACTOR_CODE).await.unwrap();
    assert_eq!(session.user().username, "demo-2fa");
    session.verify().await.unwrap();

    // Five wrong codes, then the challenge is exhausted, even for the right code.
    let LoginOutcome::SecondFactor(challenge) = client.login(&two_factor()).await.unwrap() else {
        panic!("expected a challenge")
    };
    for _ in 0..5 {
        let err = challenge.answer("999999").await.unwrap_err();
        assert!(
            matches!(err, LoginError::SecondFactorInvalid { .. }),
            "{err:?}"
        );
    }
    let err = challenge.answer(SECOND_FACTOR_CODE).await.unwrap_err();
    assert!(
        matches!(err, LoginError::SecondFactorExhausted { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("log in again"), "{err}");

    // Starting over gives a fresh challenge.
    let LoginOutcome::SecondFactor(challenge) = client.login(&two_factor()).await.unwrap() else {
        panic!("expected a challenge")
    };
    challenge.answer(SECOND_FACTOR_CODE).await.unwrap();
}

#[tokio::test]
async fn rocketchat_rate_limit_says_when_it_resets() {
    let sandbox = sb::Sandbox::builder(sb::Service::RocketChat)
        .rate_limit(2, Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let client = client(ServiceKind::RocketChat, &sandbox);
    login_ok(&client, &demo(ServiceKind::RocketChat)).await;
    login_ok(&client, &demo(ServiceKind::RocketChat)).await;
    let err = login_err(&client, &demo(ServiceKind::RocketChat)).await;
    let LoginError::RateLimited {
        service: ServiceKind::RocketChat,
        reset_at: Some(reset_at),
    } = err
    else {
        panic!("{err:?}")
    };
    let now = SystemTime::now();
    assert!(
        reset_at > now && reset_at < now + Duration::from_secs(61),
        "{reset_at:?}"
    );
    assert!(err.to_string().contains("wait"), "{err}");
}

// ---------------------------------------------------------------- every service

#[tokio::test]
async fn sessions_round_trip_through_json() {
    for kind in look_alikes() {
        let sandbox = start(kind).await;
        let session = login_ok(&client(kind, &sandbox), &demo(kind)).await;
        let json = serde_json::to_string(&session).unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["service"], kind.id(), "{kind}");
        assert_eq!(value["base_url"], sandbox.base_url());
        assert_eq!(value["token"], session.token().expose_secret());

        let back: Session = serde_json::from_str(&json).unwrap();
        assert_eq!(back.kind(), kind);
        assert_eq!(back.service(), session.service());
        assert_eq!(back.user(), session.user());
        assert_eq!(back.token(), session.token());
        assert_eq!(back.details(), session.details());
        if kind.supports_verify() {
            back.verify().await.unwrap();
        }
        if kind.supports_relogin() {
            back.relogin().await.unwrap();
        }
        assert_quiet(&back, &[session.token().expose_secret()]);
    }
}

#[tokio::test]
async fn empty_credentials_are_refused_before_sending() {
    for kind in look_alikes() {
        let sandbox = start(kind).await;
        let client = client(kind, &sandbox);
        let err = login_err(&client, &Credentials::new("", DEMO_PASSWORD)).await;
        assert!(
            matches!(
                err,
                LoginError::Config(ConfigError::MissingCredential { .. })
            ),
            "{err:?}"
        );
        let err = login_err(&client, &Credentials::new("demo", "").developer_key("k")).await;
        assert!(
            matches!(
                err,
                LoginError::Config(ConfigError::MissingCredential {
                    what: "password",
                    ..
                })
            ),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn services_without_second_factor_never_challenge() {
    for kind in [ServiceKind::RemoteIt, ServiceKind::ProjectThanos] {
        assert!(!kind.has_second_factor());
        let sandbox = start(kind).await;
        let outcome = client(kind, &sandbox).login(&demo(kind)).await.unwrap();
        assert!(matches!(outcome, LoginOutcome::LoggedIn(_)), "{outcome:?}");
    }
}
