//! `apilogin::oauth` against a real OpenID Connect provider: npm's `oidc-provider` (panva,
//! OpenID Certified), started by `tests/oidc/provider.mjs` on 127.0.0.1. The test plays the
//! user's browser over HTTP: it follows the provider's redirects and posts its login, consent
//! and device-code forms, and the provider's last redirect lands on the library's loopback
//! listener.
//!
//! `.ci/run` installs the provider (`npm ci --prefix tools`); without Node.js or the package the
//! tests fail under `CI=true` and are skipped, with a notice, elsewhere.

use std::time::Duration;

use apilogin::oauth::{OAuthError, Provider, TokenKind, Tokens};
use apilogin::{Options, SecretString};
use reqwest::{StatusCode, Url};
use serde_json::Value;

#[path = "../oidc/support.rs"]
mod support;
use support::{Browser, USER, provider_issuer};

const PUBLIC_CLIENT: &str = "apilogin-cli";
/// A public client whose device codes expire after 2 seconds.
const SHORT_CLIENT: &str = "apilogin-short";
const SERVICE_CLIENT: &str = "apilogin-service";
const SERVICE_SECRET: &str = "service-secret";

async fn discover() -> Option<Provider> {
    let issuer = provider_issuer()?;
    Some(
        Provider::discover(&issuer, &Options::default())
            .await
            .expect("discovery")
            .login_timeout(Duration::from_secs(30)),
    )
}

/// An authorization-code login with the browser played by the test.
async fn browser_login(provider: &Provider, abort: bool) -> Result<Tokens, OAuthError> {
    let browser = tokio::sync::Mutex::new(None);
    let result = provider
        .authorization_code(
            PUBLIC_CLIENT,
            &["openid", "email", "offline_access"],
            |url| {
                let url = url.clone();
                let redirect =
                    url.query_pairs()
                        .find(|(k, _)| k == "redirect_uri")
                        .map(|(_, v)| {
                            Url::parse(&v)
                                .expect("redirect_uri")
                                .origin()
                                .ascii_serialization()
                        });
                *browser.try_lock().unwrap() = Some(tokio::spawn(async move {
                    Browser::new()
                        .run(url, None, redirect.as_deref(), abort)
                        .await
                }));
            },
        )
        .await;
    let task = browser.into_inner().expect("the browser was opened");
    let (last, _) = task.await.expect("the browser");
    assert_eq!(
        last.path(),
        "/callback",
        "the provider redirected to the loopback listener"
    );
    result
}

async fn userinfo(provider_issuer: &str, token: &SecretString) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .get(format!("{provider_issuer}/me"))
        .bearer_auth(token.expose_secret())
        .send()
        .await
        .expect("userinfo answers");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn introspect(provider_issuer: &str, token: &SecretString) -> Value {
    reqwest::Client::new()
        .post(format!("{provider_issuer}/token/introspection"))
        .basic_auth(SERVICE_CLIENT, Some(SERVICE_SECRET))
        .form(&[("token", token.expose_secret())])
        .send()
        .await
        .expect("introspection answers")
        .json()
        .await
        .expect("introspection JSON")
}

/// Nothing secret in an error's words.
fn assert_no_secret(e: &OAuthError, secrets: &[&str]) {
    let text = format!("{e} {e:?}");
    for s in secrets {
        assert!(!text.contains(s), "the error shows a secret: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_reads_the_providers_endpoints() {
    let Some(provider) = discover().await else {
        return;
    };
    assert_eq!(provider.issuer(), provider_issuer().unwrap());
    assert!(provider.supports_device());
    assert!(provider.supports_revocation());
    // A wrong issuer is a typed error, not a panic or a hang.
    let e = Provider::discover("http://127.0.0.1:9/", &Options::default())
        .await
        .unwrap_err();
    assert!(matches!(e, OAuthError::Transport { .. }), "{e:?}");
    let e = Provider::discover("http://example.com", &Options::default())
        .await
        .unwrap_err();
    assert!(matches!(e, OAuthError::InsecureUrl { .. }), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_code_with_pkce_then_refresh_then_revocation() {
    let Some(provider) = discover().await else {
        return;
    };
    let issuer = provider_issuer().unwrap();
    let tokens = browser_login(&provider, false).await.expect("login");
    let claims = tokens
        .id_token_claims
        .clone()
        .expect("a validated ID token");
    assert_eq!(claims.subject, USER);
    assert_eq!(claims.issuer, issuer);
    assert!(
        tokens
            .expires_in
            .is_some_and(|d| d > Duration::from_secs(60))
    );
    assert!(!tokens.expires_within(Duration::from_secs(60)));
    assert!(!format!("{tokens:?}").contains(tokens.access_token.expose_secret()));
    let (status, me) = userinfo(&issuer, &tokens.access_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["sub"], USER);
    assert_eq!(me["email"], "alice@example.test");

    let refresh = tokens.refresh_token.clone().expect("a refresh token");
    let renewed = provider
        .refresh(PUBLIC_CLIENT, None, &refresh)
        .await
        .expect("refresh");
    assert_ne!(renewed.access_token, tokens.access_token);
    assert!(renewed.expires_in.is_some());
    let (status, _) = userinfo(&issuer, &renewed.access_token).await;
    assert_eq!(status, StatusCode::OK);
    // oidc-provider rotates public clients' refresh tokens: the old one is spent.
    let e = provider
        .refresh(PUBLIC_CLIENT, None, &refresh)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, OAuthError::Provider { code, .. } if code == "invalid_grant"),
        "{e:?}"
    );
    assert_no_secret(&e, &[refresh.expose_secret()]);

    provider
        .revoke(
            PUBLIC_CLIENT,
            None,
            &renewed.access_token,
            TokenKind::Access,
        )
        .await
        .expect("revocation");
    let (status, _) = userinfo(&issuer, &renewed.access_token).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a revoked token is refused"
    );
    let new_refresh = renewed
        .refresh_token
        .clone()
        .expect("a rotated refresh token");
    provider
        .revoke(PUBLIC_CLIENT, None, &new_refresh, TokenKind::Refresh)
        .await
        .expect("revocation of the refresh token");
    let e = provider
        .refresh(PUBLIC_CLIENT, None, &new_refresh)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, OAuthError::Provider { code, .. } if code == "invalid_grant"),
        "{e:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id_tokens_with_a_wrong_nonce_audience_or_signature_are_refused() {
    let Some(provider) = discover().await else {
        return;
    };
    let tokens = browser_login(&provider, false).await.expect("login");
    let id_token = tokens.id_token.clone().expect("an ID token");
    provider
        .validate_id_token(PUBLIC_CLIENT, &id_token, None)
        .expect("the real token is valid");
    let e = provider
        .validate_id_token(PUBLIC_CLIENT, &id_token, Some("another-login's-nonce"))
        .unwrap_err();
    assert!(
        matches!(&e, OAuthError::InvalidIdToken(r) if r.contains("nonce")),
        "{e:?}"
    );
    let e = provider
        .validate_id_token("another-client", &id_token, None)
        .unwrap_err();
    assert!(
        matches!(&e, OAuthError::InvalidIdToken(r) if r.contains("aud")),
        "{e:?}"
    );
    // One character of the signature changed.
    let raw = id_token.expose_secret();
    let (head, signature) = raw.rsplit_once('.').unwrap();
    let first = if signature.starts_with('A') { 'B' } else { 'A' };
    let forged = SecretString::new(format!("{head}.{first}{}", &signature[1..]));
    let e = provider
        .validate_id_token(PUBLIC_CLIENT, &forged, None)
        .unwrap_err();
    assert!(
        matches!(&e, OAuthError::InvalidIdToken(r) if r.contains("signature")),
        "{e:?}"
    );
    // Unsigned (`alg: none`), with the same claims.
    let unsigned = SecretString::new(format!(
        "{}.{}.",
        base64_url(br#"{"alg":"none"}"#),
        head.split_once('.').unwrap().1
    ));
    let e = provider
        .validate_id_token(PUBLIC_CLIENT, &unsigned, None)
        .unwrap_err();
    assert!(matches!(e, OAuthError::InvalidIdToken(_)), "{e:?}");
    assert_no_secret(&e, &[raw]);
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_denied_on_the_redirect_is_a_typed_error() {
    let Some(provider) = discover().await else {
        return;
    };
    let e = browser_login(&provider, true).await.unwrap_err();
    assert!(matches!(e, OAuthError::AccessDenied { .. }), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_with_another_state_exchanges_nothing() {
    let Some(provider) = discover().await else {
        return;
    };
    let visit = tokio::sync::Mutex::new(None);
    let e = provider
        .authorization_code(PUBLIC_CLIENT, &["openid"], |url| {
            let redirect = url
                .query_pairs()
                .find(|(k, _)| k == "redirect_uri")
                .map(|(_, v)| v.into_owned())
                .unwrap();
            // An answer made for another login: a code, and a state this login did not send.
            *visit.try_lock().unwrap() = Some(tokio::spawn(async move {
                reqwest::get(format!("{redirect}?code=stolen-code&state=another-login"))
                    .await
                    .map(|r| r.status())
            }));
        })
        .await
        .unwrap_err();
    assert!(matches!(e, OAuthError::StateMismatch), "{e:?}");
    assert_no_secret(&e, &["stolen-code"]);
    let status = visit
        .into_inner()
        .unwrap()
        .await
        .unwrap()
        .expect("the listener answered");
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_flow_with_the_user_approving_in_a_browser() {
    let Some(provider) = discover().await else {
        return;
    };
    let issuer = provider_issuer().unwrap();
    let browser = tokio::sync::Mutex::new(None);
    let tokens = provider
        .device(
            PUBLIC_CLIENT,
            &["openid", "email", "offline_access"],
            |code| {
                assert!(!code.user_code.is_empty());
                assert!(code.expires_in > Duration::from_secs(60));
                let url = code.verification_uri.clone();
                let user_code = code.user_code.clone();
                *browser.try_lock().unwrap() = Some(tokio::spawn(async move {
                    Browser::new().run(url, Some(&user_code), None, false).await
                }));
            },
        )
        .await
        .expect("device login");
    let (_, page) = browser.into_inner().unwrap().await.unwrap();
    assert!(page.contains("Sign-in Success"), "the last page: {page}");
    assert_eq!(
        tokens.id_token_claims.as_ref().map(|c| c.subject.as_str()),
        Some(USER)
    );
    assert!(tokens.refresh_token.is_some());
    let (status, _) = userinfo(&issuer, &tokens.access_token).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_code_the_user_refuses_is_access_denied() {
    let Some(provider) = discover().await else {
        return;
    };
    let browser = tokio::sync::Mutex::new(None);
    let e = provider
        .device(PUBLIC_CLIENT, &["openid"], |code| {
            let url = code.verification_uri.clone();
            let user_code = code.user_code.clone();
            *browser.try_lock().unwrap() = Some(tokio::spawn(async move {
                Browser::new().run(url, Some(&user_code), None, true).await
            }));
        })
        .await
        .unwrap_err();
    assert!(matches!(e, OAuthError::AccessDenied { .. }), "{e:?}");
    let (_, page) = browser.into_inner().unwrap().await.unwrap();
    assert!(page.contains("interrupted"), "the last page: {page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_login_nobody_approves_in_time_times_out() {
    let Some(provider) = discover().await else {
        return;
    };
    let e = provider
        .login_timeout(Duration::from_secs(1))
        .device(PUBLIC_CLIENT, &["openid"], |_| {})
        .await
        .unwrap_err();
    assert!(matches!(e, OAuthError::TimedOut(_)), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_code_nobody_approves_expires() {
    let Some(provider) = discover().await else {
        return;
    };
    let e = provider
        .device(SHORT_CLIENT, &["openid"], |code| {
            assert!(code.expires_in <= Duration::from_secs(2), "{code:?}");
        })
        .await
        .unwrap_err();
    assert!(matches!(e, OAuthError::DeviceCodeExpired), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_credentials_and_their_revocation() {
    let Some(provider) = discover().await else {
        return;
    };
    let issuer = provider_issuer().unwrap();
    let secret = SecretString::new(SERVICE_SECRET);
    let tokens = provider
        .client_credentials(SERVICE_CLIENT, &secret, &[])
        .await
        .expect("client credentials");
    assert!(tokens.expires_in.is_some());
    assert!(tokens.refresh_token.is_none());
    assert_eq!(
        introspect(&issuer, &tokens.access_token).await["active"],
        true
    );
    provider
        .revoke(
            SERVICE_CLIENT,
            Some(&secret),
            &tokens.access_token,
            TokenKind::Access,
        )
        .await
        .expect("revocation");
    assert_eq!(
        introspect(&issuer, &tokens.access_token).await["active"],
        false
    );

    let wrong = SecretString::new("not-the-secret");
    let e = provider
        .client_credentials(SERVICE_CLIENT, &wrong, &[])
        .await
        .unwrap_err();
    assert!(
        matches!(&e, OAuthError::Provider { code, .. } if code == "invalid_client"),
        "{e:?}"
    );
    assert_no_secret(&e, &["not-the-secret"]);
}

/// A provider whose token endpoint answers 307 to another origin: the client secret must not
/// follow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_endpoint_redirecting_elsewhere_is_a_typed_error() {
    use axum::Router;
    use axum::http::header;
    use axum::response::IntoResponse;
    use axum::routing::{get, post};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let discovery = serde_json::json!({
        "issuer": origin,
        "authorization_endpoint": format!("{origin}/auth"),
        "token_endpoint": format!("{origin}/token"),
        "jwks_uri": format!("{origin}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    });
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = hits.clone();
    let app = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || async move { axum::Json(discovery) }),
        )
        .route(
            "/jwks",
            get(|| async { axum::Json(serde_json::json!({ "keys": [] })) }),
        )
        .route(
            "/token",
            post(move || async move {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                (
                    axum::http::StatusCode::TEMPORARY_REDIRECT,
                    [(header::LOCATION, "http://127.0.0.2:9/collect?x=1")],
                )
                    .into_response()
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let provider = Provider::discover(&origin, &Options::default())
        .await
        .expect("discovery of the stand-in");
    let secret = SecretString::new("do-not-forward");
    let e = provider
        .client_credentials("program", &secret, &[])
        .await
        .unwrap_err();
    match &e {
        OAuthError::Redirected {
            status, location, ..
        } => {
            assert_eq!(*status, 307);
            assert_eq!(location.as_deref(), Some("http://127.0.0.2:9"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_no_secret(&e, &["do-not-forward", "collect"]);
}

/// An `https` issuer that answers in plain HTTP: a TLS failure, named as one (the command's
/// exit 6), as for the password services' requests. Needs no provider: the sandbox serves the
/// plain HTTP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_to_a_plain_http_server_is_a_tls_error() {
    let sandbox = apilogin_sandbox::Sandbox::start(apilogin_sandbox::Service::RocketChat)
        .await
        .unwrap();
    let issuer = sandbox.base_url().replacen("http://", "https://", 1);
    let e = Provider::discover(&issuer, &Options::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            OAuthError::Transport {
                kind: apilogin::TransportKind::Tls,
                ..
            }
        ),
        "{e:?}"
    );
}
