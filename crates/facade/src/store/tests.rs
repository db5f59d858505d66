//! The store on a temporary folder, through the library: what the command relies on.

use std::sync::{Arc, Mutex};

use super::*;

/// A stored session of `kind` at `base_url` for `user`, with every detail its spec lists.
fn session_of(kind: ServiceKind, base_url: &str, user: &str) -> Session {
    let mut json = serde_json::json!({
        "service": kind.id(),
        "base_url": base_url,
        "user": {"username": user},
        "token": format!("tok-{user}"),
    });
    for d in kind.details() {
        json[d.name] = match d.kind {
            "integer" => serde_json::json!(42),
            _ => serde_json::json!(format!("value-{}", d.name)),
        };
    }
    serde_json::from_value(json).expect("a session of every service reads back")
}

/// A store in a new temporary folder's `apilogin`, keeping sessions in the file, its notices
/// collected.
fn store_in(tmp: &tempfile::TempDir) -> (Store, Arc<Mutex<Vec<Notice>>>) {
    let notices = Arc::new(Mutex::new(Vec::new()));
    let heard = notices.clone();
    let store = StoreOptions::new()
        .dir(tmp.path().join("apilogin"))
        .preference(Preference::File)
        .on_notice(move |n| heard.lock().expect("not poisoned").push(n.clone()))
        .open()
        .expect("an absent store opens empty");
    (store, notices)
}

const A: &str = "https://a.example.com";
const B: &str = "https://b.example.com";

#[tokio::test]
async fn the_default_is_the_latest_login_and_a_half_named_session_must_be_unique() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let (mut store, _) = store_in(&tmp);
    let kind = ServiceKind::RocketChat;
    let none = store.session(kind, &Selector::default()).await.unwrap_err();
    assert_eq!(
        none.to_string(),
        "not logged in to Rocket.Chat: run `apilogin login rocketchat` (`apilogin status` lists the sessions)"
    );
    for (url, user) in [(A, "alice"), (B, "alice"), (A, "bob")] {
        assert_eq!(
            store.save(&session_of(kind, url, user)).expect("saved"),
            Storage::File
        );
    }
    // Read again from disk, as another program would.
    let store = Store::open_at(store.dir()).expect("opens");
    let default = store
        .session(kind, &Selector::default())
        .await
        .expect("a default");
    assert_eq!(default.user().username, "bob");
    assert_eq!(default.token().expose_secret(), "tok-bob");
    let both = store
        .session(kind, &Selector::default().server(B).user("alice"))
        .await
        .expect("named");
    assert_eq!(both.service().base_url(), B);
    // A trailing slash is the same server.
    let at_b = store
        .session(kind, &Selector::default().server(format!("{B}/")))
        .await
        .expect("one session at B");
    assert_eq!(at_b.user().username, "alice");

    let alice = store
        .session(kind, &Selector::default().user("alice"))
        .await
        .unwrap_err();
    assert!(matches!(alice, StoreError::Ambiguous { .. }), "{alice:?}");
    assert_eq!(
        alice.to_string(),
        format!(
            "2 sessions of Rocket.Chat match; name one: --url {A} --user alice, --url {B} --user alice"
        )
    );
    let carol = store
        .session(kind, &Selector::default().server(A).user("carol"))
        .await
        .unwrap_err();
    assert_eq!(
        carol.to_string(),
        format!(
            "not logged in to Rocket.Chat at {A} as carol: run `apilogin login rocketchat` (`apilogin status` lists the sessions)"
        )
    );
    assert!(matches!(
        store
            .session(kind, &Selector::default().server("not a url"))
            .await,
        Err(StoreError::Config(_))
    ));
}

#[cfg(unix)]
#[test]
fn files_are_private_and_an_open_one_is_closed_with_a_notice() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let (mut store, notices) = store_in(&tmp);
    store
        .save(&session_of(ServiceKind::Txty, A, "alice"))
        .expect("saved");
    assert_eq!(mode(store.dir()), 0o700);
    assert_eq!(mode(store.index_path()), 0o600);
    assert!(notices.lock().expect("not poisoned").is_empty());

    std::fs::set_permissions(store.index_path(), std::fs::Permissions::from_mode(0o666))
        .expect("chmod");
    let (again, notices) = store_in(&tmp);
    assert_eq!(again.entries().len(), 1);
    assert_eq!(mode(store.index_path()), 0o600);
    let heard = notices.lock().expect("not poisoned").clone();
    assert_eq!(
        heard,
        [Notice::Closed {
            path: store.index_path().to_owned(),
            folder: false,
            was: 0o666,
            now: 0o600
        }]
    );
    assert!(heard[0].to_string().contains(
        "read and changed by other users (mode 0666): changed it to 0600; if you did not make it so"
    ));

    // A link is refused, never followed.
    let link = tmp.path().join("linked");
    std::os::unix::fs::symlink(store.dir(), &link).expect("a link");
    let refused = Store::open_at(&link).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("cannot be used: it is a symbolic link"),
        "{refused}"
    );
}

#[tokio::test]
async fn a_tampered_session_is_unreadable_and_not_replaced() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let (mut store, _) = store_in(&tmp);
    let kind = ServiceKind::RocketChat;
    store.save(&session_of(kind, A, "alice")).expect("saved");
    // Its server changed in the session but not in the entry (or the other way round).
    let text = std::fs::read_to_string(store.index_path()).expect("readable");
    let tampered = text.replacen(
        &format!("\"base_url\": \"{A}\""),
        &format!("\"base_url\": \"{B}\""),
        1,
    );
    assert_ne!(text, tampered);
    std::fs::write(store.index_path(), &tampered).expect("written");
    let (mut store, _) = store_in(&tmp);
    let e = store.session(kind, &Selector::default()).await.unwrap_err();
    assert!(matches!(e, StoreError::Unreadable { .. }), "{e:?}");
    assert!(!e.to_string().contains("tok-alice"), "{e}");
    let entry = store.entries()[0].clone();
    let e = store
        .save_as(
            entry.account(),
            &session_of(kind, entry.base_url(), "alice"),
        )
        .unwrap_err();
    assert!(matches!(e, StoreError::Unreadable { .. }), "{e:?}");
    assert_eq!(
        std::fs::read_to_string(store.index_path()).expect("readable"),
        tampered
    );
    // Forgetting it works.
    store.remove(&entry).expect("removed");
    assert!(store.entries().is_empty());
}

#[test]
fn a_session_list_of_another_format_is_refused_and_left_alone() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let dir = tmp.path().join("apilogin");
    std::fs::create_dir(&dir).expect("created");
    std::fs::write(
        dir.join("sessions.json"),
        r#"{"version": 2, "sessions": []}"#,
    )
    .expect("written");
    let e = Store::open_at(&dir).unwrap_err();
    assert!(
        e.to_string()
            .contains("version 2 is not one this apilogin knows"),
        "{e}"
    );
    std::fs::write(dir.join("sessions.json"), "{\"token\": \"tok-x").expect("written");
    let e = Store::open_at(&dir).unwrap_err();
    assert!(matches!(e, StoreError::Unusable { .. }), "{e:?}");
    assert!(!e.to_string().contains("tok-x"), "{e}");
}

/// The README shows the example that compiles (`examples/stored_session.rs`), as it is.
#[test]
fn the_readme_shows_the_compiled_example() {
    let readme = include_str!("../../README.md");
    let example = include_str!("../../examples/stored_session.rs");
    let body = &example[example.find("use apilogin").expect("a use line")..];
    assert!(
        readme.contains(&format!("```rust,ignore\n{body}```")),
        "README's store example differs from examples/stored_session.rs"
    );
}
