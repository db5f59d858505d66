//! The library and the command share one store: a session `apilogin login` stored works in a
//! program through `apilogin::Store`, a session a program saves is the command's, and the
//! library keeps the command's rules on file modes. Real processes, real HTTP to sandboxes on
//! 127.0.0.1, the store in a temporary folder, kept in the file (`APILOGIN_STORAGE=file`).

mod support;

use std::sync::{Arc, Mutex};

use apilogin::store::{Notice, Preference, Selector, Storage, StoreOptions};
use apilogin::{Client, Credentials, LoginOutcome, Service, ServiceKind, Store};
use apilogin_sandbox::{DEMO_PASSWORD, Sandbox, Service as Look};
use support::{Home, env_for, refs};

/// The store of `home` as a program opens it, in the file, its notices collected.
fn library_store(home: &Home) -> (Store, Arc<Mutex<Vec<Notice>>>) {
    let notices = Arc::new(Mutex::new(Vec::new()));
    let heard = notices.clone();
    let store = StoreOptions::new()
        .dir(home.config())
        .preference(Preference::File)
        .on_notice(move |n| heard.lock().unwrap().push(n.clone()))
        .open()
        .expect("the command's store opens");
    (store, notices)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_program_uses_what_the_command_stored_and_the_command_what_a_program_saved() {
    let first = Sandbox::start(Look::RocketChat).await.unwrap();
    let home = Home::new();
    let mut env = env_for(&first, "demo");
    env.push(("APILOGIN_STORAGE".to_owned(), "file".to_owned()));
    home.run(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);

    // The program: one call, the default account, a session the server accepts.
    let (store, _) = library_store(&home);
    let session = store
        .session(ServiceKind::RocketChat, &Selector::default())
        .await
        .expect("the stored session");
    assert_eq!(session.service().base_url(), first.base_url());
    let me = session.verify().await.expect("the server accepts it");
    assert_eq!(me.username, "demo");
    let named = store
        .session(
            ServiceKind::RocketChat,
            &Selector::default().server(first.base_url()).user("demo"),
        )
        .await
        .expect("named by server and account");
    assert_eq!(
        named.token().expose_secret(),
        session.token().expose_secret()
    );
    // A service nobody logged in to says what to run.
    let none = store
        .session(ServiceKind::Mattermost, &Selector::default())
        .await
        .unwrap_err();
    assert!(
        none.to_string().contains("run `apilogin login mattermost`"),
        "{none}"
    );

    // The program logs in to another server and saves the session where the command keeps
    // them: it becomes Rocket.Chat's default.
    let second = Sandbox::start(Look::RocketChat).await.unwrap();
    let client = Client::new(Service::rocketchat(second.base_url()).unwrap()).unwrap();
    let LoginOutcome::LoggedIn(saved) = client
        .login(&Credentials::new("demo", DEMO_PASSWORD))
        .await
        .unwrap()
    else {
        panic!("demo has no second factor");
    };
    let (mut store, _) = library_store(&home);
    assert_eq!(store.save(&saved).unwrap(), Storage::File);

    let out = home.run(&["status", "--json"], &[], None).await.expect(0);
    let sessions = out.json()["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2, "{sessions:#?}");
    for s in &sessions {
        assert_eq!(s["state"], "valid", "{s:#}");
    }
    assert_eq!(sessions[1]["base_url"], second.base_url());
    assert_eq!(sessions[1]["default"], true);
    let token = home
        .run(&["token", "rocketchat"], &[], None)
        .await
        .expect(0)
        .stdout;
    assert_eq!(token.trim_end(), saved.token().expose_secret());
    // The first is still there for the command and the program.
    let out = home
        .run(
            &["token", "rocketchat", "--url", first.base_url()],
            &[],
            None,
        )
        .await
        .expect(0);
    assert_eq!(out.stdout.trim_end(), session.token().expose_secret());

    // The same account on two servers: the program is told the choices, as the command is.
    let (store, _) = library_store(&home);
    let both = store
        .session(ServiceKind::RocketChat, &Selector::default().user("demo"))
        .await
        .unwrap_err();
    let out = home
        .run(&["token", "rocketchat", "--user", "demo"], &[], None)
        .await
        .expect(2);
    assert!(out.stderr.contains(&both.to_string()), "{}", out.stderr);
    assert!(
        both.to_string()
            .starts_with("2 sessions of Rocket.Chat match; name one: --url"),
        "{both}"
    );

    // Logged out by the command: gone for the program too.
    home.run(&["logout", "--all"], &[], None).await.expect(0);
    let (store, _) = library_store(&home);
    assert!(store.entries().is_empty());
    assert!(
        saved.verify().await.is_err(),
        "the command ended the program's session on the server"
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_closes_an_open_store_file_as_the_command_does() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let set_mode = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    };
    let sandbox = Sandbox::start(Look::Txty).await.unwrap();
    let home = Home::new();
    home.run(&["login", "txty"], &refs(&env_for(&sandbox, "demo")), None)
        .await
        .expect(0);
    let before = std::fs::read(home.store_file()).unwrap();

    // The command, on a 0666 file.
    set_mode(&home.store_file(), 0o666);
    let out = home
        .run(&["status", "--offline"], &[], None)
        .await
        .expect(0);
    assert_eq!(mode(&home.store_file()), 0o600);

    // The library, on the same file made 0666 again: the same fix, the same words.
    set_mode(&home.store_file(), 0o666);
    let (store, notices) = library_store(&home);
    assert_eq!(mode(&home.store_file()), 0o600);
    assert_eq!(std::fs::read(home.store_file()).unwrap(), before);
    let heard = notices.lock().unwrap().clone();
    assert_eq!(heard.len(), 1, "{heard:?}");
    let said = format!("notice: {}", heard[0]);
    assert!(out.stderr.contains(&said), "{said}\n{}", out.stderr);
    assert!(
        matches!(
            &heard[0],
            Notice::Closed {
                was: 0o666,
                now: 0o600,
                folder: false,
                ..
            }
        ),
        "{heard:?}"
    );
    // And the session still works.
    let session = store
        .session(ServiceKind::Txty, &Selector::default())
        .await
        .unwrap();
    session.verify().await.unwrap();

    // A store file that is a link: refused by both, with the same words.
    let elsewhere = home.path().join("elsewhere.json");
    std::fs::rename(home.store_file(), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, home.store_file()).unwrap();
    let refused = Store::open_at(home.config()).unwrap_err();
    let out = home
        .run(&["status", "--offline"], &[], None)
        .await
        .expect(1);
    assert!(
        out.stderr.contains(&refused.to_string()),
        "{refused}\n{}",
        out.stderr
    );
    assert!(
        refused.to_string().contains("it is a symbolic link"),
        "{refused}"
    );
}
