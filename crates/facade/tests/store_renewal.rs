//! An expired stored session is renewed once for everyone sharing the store: several
//! `apilogin token` processes and several threads of a program, started together, make one
//! renewal request between them (counted by a recording proxy in front of the sandbox), and
//! all get the renewed session. Where the service cannot renew, or the server refuses, the
//! caller is told to log in again. Real processes, real HTTP to sandboxes on 127.0.0.1.

mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use apilogin::store::{Expiry, Preference, Selector, StoreError, StoreOptions};
use apilogin::{ServiceKind, Store};
use apilogin_sandbox::{Sandbox, Service as Look};
use support::{Home, RecordingProxy, demo_user, env_for, refs, run_raw, with};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Makes every stored session of `home` (kept in the file) expire at `at`, as time passing
/// would.
fn expire_all(home: &Home, at: u64) {
    let path = home.store_file();
    let mut index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for entry in index["sessions"].as_array_mut().unwrap() {
        entry["session"]["expires_at"] = at.into();
    }
    std::fs::write(&path, serde_json::to_string_pretty(&index).unwrap()).unwrap();
}

fn store_of(home: &Home) -> Store {
    StoreOptions::new()
        .dir(home.config())
        .preference(Preference::File)
        .open()
        .unwrap()
}

/// Rocket.Chat's `sandbox` behind a recording proxy, and a home where `apilogin login
/// rocketchat` stored the demo account's session through it.
async fn logged_in_through_proxy(sandbox: &Sandbox) -> (RecordingProxy, Home) {
    let proxy = RecordingProxy::start(sandbox).await;
    let env = with(
        &env_for(sandbox, "demo"),
        "ROCKETCHAT_URL",
        proxy.base_url(),
    );
    let home = Home::new();
    home.run(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    (proxy, home)
}

/// Rocket.Chat logins (password or `resume`) that went through `proxy`.
fn logins(proxy: &RecordingProxy) -> usize {
    proxy
        .recorded()
        .iter()
        .filter(|r| r.path_and_query.ends_with("/api/v1/login"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_and_threads_sharing_the_store_renew_an_expired_session_once() {
    let sandbox = Sandbox::start(Look::RocketChat).await.unwrap();
    let (proxy, home) = logged_in_through_proxy(&sandbox).await;
    assert_eq!(logins(&proxy), 1);

    // Not expired: handed out as it is, nothing sent.
    let stored = store_of(&home)
        .session(ServiceKind::RocketChat, &Selector::default())
        .await
        .unwrap();
    assert_eq!(logins(&proxy), 1);

    expire_all(&home, now() - 10);
    const PROCESSES: usize = 4;
    const THREADS: usize = 4;
    let start = std::sync::Arc::new(std::sync::Barrier::new(THREADS + 1));
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let dir = home.config();
            let start = start.clone();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                start.wait();
                runtime.block_on(async move {
                    let store = Store::open_at(dir).unwrap();
                    store
                        .session(ServiceKind::RocketChat, &Selector::default())
                        .await
                        .map(|s| (s.token().expose_secret().to_owned(), s.expires_at()))
                })
            })
        })
        .collect();
    let env = vec![(
        "APILOGIN_CONFIG_DIR".to_owned(),
        home.config().to_str().unwrap().to_owned(),
    )];
    start.wait();
    let processes: Vec<_> = (0..PROCESSES)
        .map(|_| tokio::spawn(run_raw(&["token", "rocketchat"], env.clone(), None)))
        .collect();
    let mut outputs = Vec::new();
    for p in processes {
        outputs.push(p.await.unwrap());
    }
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();

    assert_eq!(
        logins(&proxy),
        2,
        "one renewal request for {PROCESSES} processes and {THREADS} threads: {:#?}",
        proxy.recorded()
    );
    let renewal = proxy.recorded().last().unwrap().clone();
    assert!(renewal.field("resume").is_some(), "{renewal:?}");
    let token = stored.token().expose_secret();
    for out in outputs {
        let out = out.expect(0);
        assert_eq!(out.stdout.trim_end(), token);
    }
    for result in results {
        let (got, expires_at) = result.unwrap();
        assert_eq!(got, token);
        assert!(expires_at.unwrap() > SystemTime::now());
    }
    // Stored in its place: the next reader sends nothing.
    let renewed = store_of(&home)
        .session(ServiceKind::RocketChat, &Selector::default())
        .await
        .unwrap();
    assert!(renewed.expires_in().unwrap().as_secs() > 86_400);
    renewed.verify().await.unwrap();
    assert_eq!(logins(&proxy), 2);

    // The server ended the session: renewing it is refused, and the caller is told to log in.
    renewed.logout().await.unwrap();
    expire_all(&home, now() - 10);
    let e = store_of(&home)
        .session(ServiceKind::RocketChat, &Selector::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Expired {
                why: Expiry::Refused,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string().contains("run `apilogin login rocketchat`"),
        "{e}"
    );
    let out = home
        .run(&["token", "rocketchat"], &[], None)
        .await
        .expect(3);
    assert!(out.stderr.contains(&e.to_string()), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_that_cannot_renew_says_to_log_in_again() {
    let sandbox = Sandbox::start(Look::ProjectThanos).await.unwrap();
    let proxy = RecordingProxy::start(&sandbox).await;
    let user = demo_user(Look::ProjectThanos);
    let env = with(
        &env_for(&sandbox, user),
        "PROJECTTHANOS_URL",
        proxy.base_url(),
    );
    let home = Home::new();
    home.run(&["login", "projectthanos"], &refs(&env), None)
        .await
        .expect(0);
    let sent = proxy.recorded().len();
    // About to expire (within the minute) counts as expired.
    expire_all(&home, now() + 30);
    let e = store_of(&home)
        .session(ServiceKind::ProjectThanos, &Selector::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Expired {
                why: Expiry::CannotRenew,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "the stored Project Thanos session of {user} at {} has expired and the service cannot renew it without the password: run `apilogin login projectthanos`",
            proxy.base_url()
        )
    );
    assert_eq!(proxy.recorded().len(), sent, "nothing sent");
}

/// `Store::call`: a call the server refuses (a 401) is retried once on a renewed session, and
/// callers refused together make one renewal request between them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_call_is_retried_once_on_one_renewal() {
    let sandbox = Sandbox::start(Look::RocketChat).await.unwrap();
    let (proxy, home) = logged_in_through_proxy(&sandbox).await;
    // Stored a while ago, not due: only the server's 401 says it ended.
    expire_all(&home, now() + 3_600);
    assert_eq!(logins(&proxy), 1);

    const CALLERS: usize = 4;
    let store = std::sync::Arc::new(store_of(&home));
    let tasks: Vec<_> = (0..CALLERS)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut attempts = 0;
                let user = store
                    .call(ServiceKind::RocketChat, &Selector::default(), |session| {
                        attempts += 1;
                        let first = attempts == 1;
                        async move {
                            if first {
                                // What a call with a session the server ended returns.
                                return Err(apilogin::LoginError::SessionRejected {
                                    service: session.kind(),
                                });
                            }
                            let me = session.verify().await?;
                            Ok((me.to_string(), session.expires_in()))
                        }
                    })
                    .await;
                (user, attempts)
            })
        })
        .collect();
    for task in tasks {
        let (user, attempts) = task.await.unwrap();
        let (me, expires_in) = user.unwrap();
        assert!(me.contains("demo"), "{me}");
        assert!(
            expires_in.unwrap().as_secs() > 86_400,
            "the renewed session"
        );
        assert_eq!(attempts, 2, "retried once");
    }
    assert_eq!(
        logins(&proxy),
        2,
        "one renewal request for {CALLERS} refused callers: {:#?}",
        proxy.recorded()
    );
    assert!(proxy.recorded().iter().any(|r| r.field("resume").is_some()));
}

/// `Store::call` where the server ended the session and refuses to renew it (the token's
/// lifetime passed on the server): a typed error that says to log in, one renewal attempt,
/// the stored session left in place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_whose_session_the_server_ended_says_to_log_in_again() {
    let sandbox = Sandbox::builder(Look::RocketChat)
        .token_lifetime(std::time::Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let (proxy, home) = logged_in_through_proxy(&sandbox).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let before = std::fs::read(home.store_file()).unwrap();
    let mut attempts = 0;
    let e = store_of(&home)
        .call(ServiceKind::RocketChat, &Selector::default(), |session| {
            attempts += 1;
            async move { session.verify().await }
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Expired {
                why: Expiry::Refused,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string().contains("run `apilogin login rocketchat`"),
        "{e}"
    );
    assert_eq!(attempts, 1, "not retried without a renewed session");
    let resumes = proxy
        .recorded()
        .iter()
        .filter(|r| r.field("resume").is_some())
        .count();
    assert_eq!(resumes, 1);
    assert_eq!(std::fs::read(home.store_file()).unwrap(), before);
}
