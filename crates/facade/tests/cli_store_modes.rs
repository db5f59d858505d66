//! The session store keeps its promise on what already exists, not only on what it creates:
//! a folder or file other users can read or write is closed (with a notice) or refused, a
//! symbolic link is never followed, `--output` never writes through a link, and a server
//! that comes from the store is named before any secret goes to it. Real processes, real
//! HTTP to sandboxes on 127.0.0.1, the store in a temporary `APILOGIN_CONFIG_DIR`.

#![cfg(unix)]

mod support;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use apilogin_sandbox::{DEMO_PASSWORD, Sandbox, Service};
use support::{Home, RecordingProxy, env_for, refs, without};

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Whether this process may give a file to another user (root may; in CI it often is).
fn can_chown() -> bool {
    let probe = tempfile::NamedTempFile::new().unwrap();
    std::os::unix::fs::chown(probe.path(), Some(65534), None).is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_others_can_use_is_closed_with_a_notice() {
    let sandbox = Sandbox::start(Service::RocketChat).await.unwrap();
    let env = env_for(&sandbox, "demo");
    let home = Home::new();
    std::fs::create_dir_all(home.config()).unwrap();
    set_mode(&home.config(), 0o777);
    let out = home
        .run(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    let folder = home.config().display().to_string();
    let notice = out
        .stderr
        .lines()
        .find(|l| l.starts_with("notice: the session folder"))
        .unwrap_or_else(|| panic!("no notice: {}", out.stderr));
    assert!(notice.contains(&folder), "{notice}");
    assert!(
        notice.contains("read and changed by other users"),
        "{notice}"
    );
    assert!(notice.contains("mode 0777"), "{notice}");
    assert!(notice.contains("0700"), "{notice}");
    assert!(notice.contains("apilogin status"), "{notice}");
    assert_eq!(mode(&home.config()), 0o700);
    assert_eq!(mode(&home.store_file()), 0o600);

    // Readable only (0755) is closed too, on a read alone, with its own words; once closed,
    // nothing more is said.
    set_mode(&home.config(), 0o755);
    let out = home
        .run(&["status", "--offline"], &[], None)
        .await
        .expect(0);
    assert!(
        out.stderr
            .contains(&format!("notice: the session folder {folder} could be read by other users (mode 0755): changed it to 0700")),
        "{}",
        out.stderr
    );
    assert_eq!(mode(&home.config()), 0o700);
    let out = home
        .run(&["status", "--offline"], &[], None)
        .await
        .expect(0);
    assert!(!out.stderr.contains("notice"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_file_others_can_use_is_closed_with_a_notice() {
    let sandbox = Sandbox::start(Service::RocketChat).await.unwrap();
    let env = env_for(&sandbox, "demo");
    let home = Home::new();
    home.run(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    let before = std::fs::read(home.store_file()).unwrap();

    // On a read.
    set_mode(&home.store_file(), 0o666);
    let out = home
        .run(&["token", "rocketchat"], &[], None)
        .await
        .expect(0);
    assert!(
        out.stderr.contains(&format!(
            "notice: the session store {} could be read and changed by other users (mode 0666): changed it to 0600",
            home.store_file().display()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(mode(&home.store_file()), 0o600);
    assert_eq!(std::fs::read(home.store_file()).unwrap(), before);

    // On a write, and the lock file too.
    set_mode(&home.store_file(), 0o644);
    let lock = home.config().join("sessions.lock");
    set_mode(&lock, 0o666);
    let out = home
        .run(&["login", "rocketchat", "--fresh"], &refs(&env), None)
        .await
        .expect(0);
    assert!(
        out.stderr
            .contains("could be read by other users (mode 0644)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!(
            "notice: the session store {} could be read and changed by other users (mode 0666)",
            lock.display()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(mode(&home.store_file()), 0o600);
    assert_eq!(mode(&lock), 0o600);
}

/// Every command that reads or writes the store, with what it needs.
fn store_commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["login", "rocketchat", "--fresh"],
        vec!["status", "--offline"],
        vec!["token", "rocketchat"],
        vec!["verify", "rocketchat"],
        vec!["logout", "--all"],
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_linked_store_file_or_folder_is_refused_and_left_alone() {
    let sandbox = Sandbox::start(Service::RocketChat).await.unwrap();
    let proxy = RecordingProxy::start(&sandbox).await;
    let mut env = env_for(&sandbox, "demo");
    env.retain(|(k, _)| k != "ROCKETCHAT_URL");
    env.push(("ROCKETCHAT_URL".to_owned(), proxy.base_url().to_owned()));

    // A real store elsewhere, with a session: what a link would lead to.
    let elsewhere = Home::new();
    elsewhere
        .run(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    set_mode(&elsewhere.store_file(), 0o644);
    let content = std::fs::read(elsewhere.store_file()).unwrap();
    let sent = proxy.recorded().len();

    // sessions.json is a link to it.
    let home = Home::new();
    std::fs::create_dir_all(home.config()).unwrap();
    set_mode(&home.config(), 0o700);
    std::os::unix::fs::symlink(elsewhere.store_file(), home.store_file()).unwrap();
    for args in store_commands() {
        let out = home.run(&args, &refs(&env), None).await.expect(1);
        assert!(
            out.stderr.contains(&format!(
                "the session store {} cannot be used: it is a symbolic link, which apilogin does not follow",
                home.store_file().display()
            )),
            "{args:?}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("set APILOGIN_CONFIG_DIR"),
            "{}",
            out.stderr
        );
    }
    assert!(
        std::fs::symlink_metadata(home.store_file())
            .unwrap()
            .is_symlink()
    );
    assert_eq!(std::fs::read(elsewhere.store_file()).unwrap(), content);
    assert_eq!(
        mode(&elsewhere.store_file()),
        0o644,
        "the link's target was chmodded"
    );

    // The folder is a link to that store's folder.
    let home = Home::new();
    std::fs::create_dir_all(home.config().parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(elsewhere.config(), home.config()).unwrap();
    set_mode(&elsewhere.config(), 0o755);
    for args in store_commands() {
        let out = home.run(&args, &refs(&env), None).await.expect(1);
        assert!(
            out.stderr.contains(&format!(
                "the session store {} cannot be used: it is a symbolic link",
                home.config().display()
            )),
            "{args:?}: {}",
            out.stderr
        );
    }
    assert_eq!(
        mode(&elsewhere.config()),
        0o755,
        "the link's target was chmodded"
    );
    assert_eq!(std::fs::read(elsewhere.store_file()).unwrap(), content);
    let mut names: Vec<_> = std::fs::read_dir(elsewhere.config())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    // What its own login left (the index, the lock, the mark of the no-keyring notice), no more.
    assert_eq!(
        names,
        ["keyring-notice-shown", "sessions.json", "sessions.lock"]
    );

    // A link to a folder that does not exist yet: not created through the link either.
    let home = Home::new();
    std::fs::create_dir_all(home.config().parent().unwrap()).unwrap();
    let nowhere = home.path().join("nowhere");
    std::os::unix::fs::symlink(&nowhere, home.config()).unwrap();
    for args in [&["login", "rocketchat"][..], &["status"]] {
        let out = home.run(args, &refs(&env), None).await.expect(1);
        assert!(
            out.stderr.contains("it is a symbolic link"),
            "{}",
            out.stderr
        );
    }
    assert!(!nowhere.exists());

    // The lock file is a link: the login that would write through it fails, the target is
    // neither created nor changed.
    let home = Home::new();
    home.run(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    let lock = home.config().join("sessions.lock");
    std::fs::remove_file(&lock).unwrap();
    let target = home.path().join("lock-target");
    std::os::unix::fs::symlink(&target, &lock).unwrap();
    let out = home
        .run(&["login", "rocketchat", "--fresh"], &refs(&env), None)
        .await
        .expect(1);
    assert!(
        out.stderr.contains(&format!(
            "{} cannot be used: it is a symbolic link",
            lock.display()
        )),
        "{}",
        out.stderr
    );
    assert!(!target.exists());

    // A refused store stopped every command before it sent anything: only the logins of
    // the stores that worked (and the one the lock stopped after its login) reached the
    // server.
    let logins = proxy
        .recorded()
        .iter()
        .skip(sent)
        .filter(|r| r.path_and_query.ends_with("/login"))
        .count();
    assert_eq!(logins, 2, "{:#?}", proxy.recorded());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_of_another_user_is_refused() {
    if !can_chown() {
        eprintln!(
            "skipped: this process cannot give a file to another user (not root); the link refusals cover the refusal path"
        );
        return;
    }
    let sandbox = Sandbox::start(Service::RocketChat).await.unwrap();
    let proxy = RecordingProxy::start(&sandbox).await;
    let env = support::with(
        &env_for(&sandbox, "demo"),
        "ROCKETCHAT_URL",
        proxy.base_url(),
    );
    let home = Home::new();
    home.run(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);
    let sent = proxy.recorded().len();

    // Another user's file in the user's folder (as a replacement in an open folder would be).
    std::os::unix::fs::chown(home.store_file(), Some(65534), None).unwrap();
    set_mode(&home.store_file(), 0o644);
    for args in store_commands() {
        let out = home.run(&args, &refs(&env), None).await.expect(1);
        assert!(
            out.stderr.contains(&format!(
                "the session store {} cannot be used: it belongs to user 65534, not to you",
                home.store_file().display()
            )),
            "{args:?}: {}",
            out.stderr
        );
        assert!(out.stderr.contains("remove it"), "{}", out.stderr);
    }
    assert_eq!(mode(&home.store_file()), 0o644);

    // Another user's folder.
    std::os::unix::fs::chown(home.store_file(), Some(0), None).unwrap();
    std::os::unix::fs::chown(home.config(), Some(65534), None).unwrap();
    let out = home
        .run(&["status", "--offline"], &[], None)
        .await
        .expect(1);
    assert!(
        out.stderr.contains(&format!(
            "the session store {} cannot be used: it belongs to user 65534",
            home.config().display()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(proxy.recorded().len(), sent, "a refused store sent nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_refuses_a_link_and_leaves_its_target_alone() {
    let sandbox = Sandbox::start(Service::Txty).await.unwrap();
    let proxy = RecordingProxy::start(&sandbox).await;
    let env = support::with(&env_for(&sandbox, "demo"), "TXTY_URL", proxy.base_url());
    let home = Home::new();
    let target = home.path().join("precious.txt");
    std::fs::write(&target, "precious").unwrap();
    set_mode(&target, 0o644);
    let link = home.path().join("session.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();

    let out = home
        .run(
            &["login", "txty", "--output", link.to_str().unwrap()],
            &refs(&env),
            None,
        )
        .await
        .expect(2);
    assert!(
        out.stderr
            .contains(&format!("--output: {} is a symbolic link", link.display())),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
    assert_eq!(mode(&target), 0o644);
    assert!(
        proxy.recorded().is_empty(),
        "refused before anything was sent"
    );
    assert!(!home.config().exists(), "nothing stored");

    // A link to nowhere is refused too (it would create its target).
    let dangling = home.path().join("dangling.json");
    let nowhere = home.path().join("nowhere");
    std::os::unix::fs::symlink(&nowhere, &dangling).unwrap();
    home.run(
        &["login", "txty", "--output", dangling.to_str().unwrap()],
        &refs(&env),
        None,
    )
    .await
    .expect(2);
    assert!(!nowhere.exists());

    // The file itself is written, 0600.
    let real = home.path().join("real.json");
    home.run(
        &["login", "txty", "--output", real.to_str().unwrap()],
        &refs(&env),
        None,
    )
    .await
    .expect(0);
    assert_eq!(mode(&real), 0o600);
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .contains("\"token\"")
    );
}

/// The attack of issue 21: someone who could write the store points a session's server at
/// their own. `login --fresh` without `--url` then logs in there, but only after saying so:
/// the server that received the password had already been named on standard error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_from_the_store_is_named_before_the_password_goes_there() {
    let genuine = Sandbox::start(Service::RocketChat).await.unwrap();
    let env = env_for(&genuine, "demo");
    let home = Home::new();
    home.run(&["login", "rocketchat"], &refs(&env), None)
        .await
        .expect(0);

    // The other server, recording what the command had written to stderr when each request
    // arrived.
    let stderr_file = home.path().join("stderr.txt");
    let theirs = Sandbox::start(Service::RocketChat).await.unwrap();
    let proxy = RecordingProxy::start_watching(&theirs, &stderr_file).await;
    let text = std::fs::read_to_string(home.store_file()).unwrap();
    assert!(text.contains(genuine.base_url()));
    std::fs::write(
        home.store_file(),
        text.replace(genuine.base_url(), proxy.base_url()),
    )
    .unwrap();
    // As the review found it: readable and writable by others.
    set_mode(&home.store_file(), 0o666);

    let no_url = without(&env, "ROCKETCHAT_URL");
    let out = home
        .run_stderr_to(
            &["login", "rocketchat", "--fresh"],
            &refs(&no_url),
            &stderr_file,
        )
        .await
        .expect(0);
    let named = format!(
        "Logging in to Rocket.Chat at {}, the server of the stored session (--url or ROCKETCHAT_URL chooses another).",
        proxy.base_url()
    );
    assert!(out.stderr.contains(&named), "{}", out.stderr);
    let recorded = proxy.recorded();
    let login = recorded
        .iter()
        .find(|r| r.path_and_query.ends_with("/login"))
        .unwrap_or_else(|| panic!("no login reached the other server: {recorded:#?}"));
    assert_eq!(login.field("password").as_deref(), Some(DEMO_PASSWORD));
    let said_before = login.witness.as_deref().unwrap();
    assert!(
        said_before.contains(&named),
        "the password went before the server was named; stderr then: {said_before:?}"
    );
    // And the open file was reported first, with the advice to check the servers.
    let notice = said_before.find("notice: the session store").unwrap();
    assert!(notice < said_before.find(&named).unwrap(), "{said_before}");
    assert!(said_before.contains("apilogin status"), "{said_before}");

    // A re-login with the stored session names it before sending the stored token too.
    std::fs::write(&stderr_file, "").unwrap();
    let first = proxy.recorded().len();
    let out = home
        .run_stderr_to(&["login", "rocketchat"], &refs(&no_url), &stderr_file)
        .await
        .expect(0);
    assert!(
        out.stderr.contains("without the password"),
        "{}",
        out.stderr
    );
    let relogin = &proxy.recorded()[first];
    assert!(
        relogin.witness.as_deref().unwrap().contains(&named),
        "{relogin:#?}"
    );

    // A server the command line names is not announced: the user chose it.
    let out = home
        .run(
            &[
                "login",
                "rocketchat",
                "--fresh",
                "--url",
                genuine.base_url(),
            ],
            &refs(&no_url),
            None,
        )
        .await
        .expect(0);
    assert!(!out.stderr.contains("Logging in to"), "{}", out.stderr);
}
