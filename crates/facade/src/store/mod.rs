//! The session store of the `apilogin` command, for programs: the session `apilogin login`
//! stored, in one call, and sessions saved where the command finds them (feature `store`).
//!
//! ```no_run
//! use apilogin::{ServiceKind, Store, store::Selector};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // What `apilogin login rocketchat` stored: the default account of Rocket.Chat.
//! let store = Store::open()?;
//! let session = store.session(ServiceKind::RocketChat, &Selector::default()).await?;
//! let me = session.verify().await?;
//! println!("logged in as {me}");
//!
//! // One of several: a server, an account, or both.
//! let work = store.session(
//!     ServiceKind::RocketChat,
//!     &Selector::default().server("https://chat.example.com").user("alice"),
//! ).await?;
//! # let _ = work;
//! # Ok(())
//! # }
//! ```
//!
//! The store is what the command keeps (like `gh auth`): an index, `sessions.json` in the
//! config directory (`APILOGIN_CONFIG_DIR`, else the platform's config directory +
//! `apilogin`), lists the sessions by service, base URL and account, in login order (the last
//! one of a service is its default). Each session itself is kept in the OS keyring (service
//! `apilogin`, user `<service> <base URL> <account>`) or, when there is no keyring or the user
//! asks (`APILOGIN_STORAGE=file`), inside the index. The index is changed under a lock
//! (`sessions.lock`, `flock`/`LockFileEx`) and written whole to a temporary file and renamed,
//! with mode `0600` in a `0700` folder. A store that cannot be read is reported with its
//! location and never overwritten.
//!
//! On Unix, every read and write checks what it opens: the folder and its files are opened
//! without following a symbolic link (`O_NOFOLLOW`), must belong to the user running the
//! program, and lose any permission for other users (`chmod go-rwx`, with a [`Notice`]);
//! anything else is refused with its path and what to do ([`StoreError::Unusable`]).

mod error;
mod folder;
mod index;
mod keyring;
mod renew;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use error::{Choices, Expiry, Notice, StoreError};
pub use folder::{output_problem, write_private_file};
pub use index::Entry;

use crate::error::LoginError;
use crate::http::Options;
use crate::service::{Service, ServiceKind};
use crate::session::Session;
use folder::{Access, Folder};
use index::{INDEX_FILE, Index};

/// A file whose presence says the no-keyring notice was given: it is given once per store.
const NOTICE_FILE: &str = "keyring-notice-shown";

/// Where a session's secrets are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Storage {
    /// The OS keyring (Secret Service, macOS Keychain, Windows Credential Manager).
    Keyring,
    /// The index file itself (`0600`).
    File,
}

/// Where [`Store::save`] keeps a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preference {
    /// The keyring, else (with a [`Notice`]) the file.
    Auto,
    /// The keyring or fail (`APILOGIN_STORAGE=keyring`).
    Keyring,
    /// The file (`APILOGIN_STORAGE=file`, the command's `--insecure-storage`).
    File,
}

impl Preference {
    /// From `APILOGIN_STORAGE` (`keyring`, `file`; unset, empty or `auto`: auto), as the
    /// command reads it.
    pub fn from_env() -> Result<Preference, StoreError> {
        match std::env::var("APILOGIN_STORAGE").ok().as_deref() {
            None | Some("") | Some("auto") => Ok(Preference::Auto),
            Some("keyring") => Ok(Preference::Keyring),
            Some("file") => Ok(Preference::File),
            Some(v) => Err(StoreError::InvalidStorage {
                value: v.to_owned(),
            }),
        }
    }
}

/// Which stored session of a service: by default its default one (the latest login); a
/// server, an account, or both narrow it down (see [`Store::entry`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    server: Option<String>,
    user: Option<String>,
}

impl Selector {
    /// The session at this base URL (written as the service takes it: `https://chat.example.com`).
    pub fn server(mut self, base_url: impl Into<String>) -> Selector {
        self.server = Some(base_url.into());
        self
    }

    /// The session of this account (the user name given at login).
    pub fn user(mut self, account: impl Into<String>) -> Selector {
        self.user = Some(account.into());
        self
    }
}

/// Called with each [`Notice`] of a store.
pub(crate) type Notifier = Arc<dyn Fn(&Notice) + Send + Sync>;

/// How to open a [`Store`]: where, where sessions go, and who hears its notices.
#[derive(Clone)]
pub struct StoreOptions {
    dir: Option<PathBuf>,
    preference: Option<Preference>,
    options: Options,
    notify: Notifier,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            dir: None,
            preference: None,
            options: Options::default(),
            notify: Arc::new(|notice| {
                let text = notice.to_string();
                eprintln!("notice: {}", apilogin_redact::terminal_safe(&text));
            }),
        }
    }
}

impl fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreOptions")
            .field("dir", &self.dir)
            .field("preference", &self.preference)
            .finish_non_exhaustive()
    }
}

impl StoreOptions {
    /// The command's store, its storage from `APILOGIN_STORAGE`, notices on standard error.
    pub fn new() -> StoreOptions {
        StoreOptions::default()
    }

    /// The store in `dir` instead of the command's (tests, programs with a folder of their own).
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> StoreOptions {
        self.dir = Some(dir.into());
        self
    }

    /// Where [`Store::save`] keeps sessions, instead of what `APILOGIN_STORAGE` says.
    pub fn preference(mut self, preference: Preference) -> StoreOptions {
        self.preference = Some(preference);
        self
    }

    /// The [`Options`] of the sessions the store hands out (and of their renewal), instead of
    /// the defaults.
    pub fn session_options(mut self, options: Options) -> StoreOptions {
        self.options = options;
        self
    }

    /// Who hears what the store did (a file of the store closed to other users, no keyring);
    /// by default, standard error (`notice: …`).
    pub fn on_notice(mut self, notify: impl Fn(&Notice) + Send + Sync + 'static) -> StoreOptions {
        self.notify = Arc::new(notify);
        self
    }

    /// Reads the index (an absent one is empty). A present one that cannot be read or parsed
    /// is an error naming it; nothing is written then.
    pub fn open(self) -> Result<Store, StoreError> {
        let dir = match self.dir {
            Some(dir) => dir,
            None => config_dir()?,
        };
        let index_path = dir.join(INDEX_FILE);
        let index = match Folder::open(&dir, &self.notify)? {
            Some(folder) => Index::read(&folder, &index_path)?,
            None => Index::empty(),
        };
        Ok(Store {
            dir,
            index_path,
            index,
            preference: self.preference,
            options: self.options,
            notify: self.notify,
        })
    }
}

/// The command's config directory: `APILOGIN_CONFIG_DIR`, else `<platform config dir>/apilogin`.
pub fn config_dir() -> Result<PathBuf, StoreError> {
    if let Some(dir) = std::env::var_os("APILOGIN_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::config_dir()
        .map(|d| d.join("apilogin"))
        .ok_or(StoreError::NoConfigDir)
}

/// The sessions the `apilogin` command keeps (see [the module](self)): read them, save one.
///
/// A `Store` holds the index as it was read; every change is made under the store's lock on
/// the index as it is on disk then (another process may have changed it), and written back.
pub struct Store {
    dir: PathBuf,
    index_path: PathBuf,
    index: Index,
    preference: Option<Preference>,
    options: Options,
    notify: Notifier,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .field("sessions", &self.index.sessions)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// The command's store (`APILOGIN_CONFIG_DIR`, else the platform's config directory +
    /// `apilogin`), with [`StoreOptions`]' defaults.
    pub fn open() -> Result<Store, StoreError> {
        StoreOptions::new().open()
    }

    /// The store in `dir`.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), apilogin::store::StoreError> {
    /// let store = apilogin::Store::open_at("/srv/myapp/apilogin")?;
    /// println!("{} stored session(s)", store.entries().len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn open_at(dir: impl Into<PathBuf>) -> Result<Store, StoreError> {
        StoreOptions::new().dir(dir).open()
    }

    /// The store's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The index file (where sessions kept in the file are).
    pub fn index_path(&self) -> &Path {
        &self.index_path
    }

    /// Every stored session, in login order.
    pub fn entries(&self) -> &[Entry] {
        &self.index.sessions
    }

    /// Whether `entry` is the default (last logged-in) session of its service.
    pub fn is_default(&self, entry: &Entry) -> bool {
        self.index
            .sessions
            .iter()
            .rev()
            .find(|e| e.service == entry.service)
            .is_some_and(|e| e.same_key(entry))
    }

    /// The session of `kind` at `base_url` as `account`; any of the two left out: the
    /// latest that matches (the default). `base_url` as stored (see [`Store::entry`]).
    pub fn find(
        &self,
        kind: ServiceKind,
        base_url: Option<&str>,
        account: Option<&str>,
    ) -> Option<&Entry> {
        self.matching(kind, base_url, account).pop()
    }

    /// Every session of `kind` at `base_url` as `account` (each left out: any), oldest first.
    pub fn matching(
        &self,
        kind: ServiceKind,
        base_url: Option<&str>,
        account: Option<&str>,
    ) -> Vec<&Entry> {
        self.index
            .sessions
            .iter()
            .filter(|e| {
                e.service == kind.id()
                    && base_url.is_none_or(|u| e.base_url == u)
                    && account.is_none_or(|a| e.account == a)
            })
            .collect()
    }

    /// The stored session `which` names: with neither server nor user, the default (the latest
    /// login); with one of them, the one session it names ([`StoreError::Ambiguous`] with the
    /// choices when a user is stored on two servers, or a server with two accounts); with
    /// both, that one. None: [`StoreError::NotLoggedIn`].
    pub fn entry(&self, kind: ServiceKind, which: &Selector) -> Result<&Entry, StoreError> {
        // The base URL as the library normalises it, so that it matches the stored ones.
        let url = which
            .server
            .as_deref()
            .map(|u| Service::new(kind, Some(u)).map(|s| s.base_url().to_owned()))
            .transpose()?;
        let user = which.user.as_deref();
        if url.is_some() != user.is_some() {
            let matching = self.matching(kind, url.as_deref(), user);
            if matching.len() > 1 {
                return Err(StoreError::Ambiguous {
                    service: kind,
                    choices: matching.into_iter().collect(),
                });
            }
        }
        self.find(kind, url.as_deref(), user)
            .ok_or_else(|| StoreError::NotLoggedIn {
                service: kind,
                server: url.clone(),
                user: user.map(str::to_owned),
            })
    }

    /// The session `apilogin login` stored for `kind` (see [`Store::entry`] for which), with
    /// the store's [`Options`] ([`StoreOptions::session_options`]).
    ///
    /// A session that has expired, or expires within a minute, is renewed first without the
    /// password where the service can (`x-apilogin.relogin`: Rocket.Chat, remote.it), and
    /// stored in its place. The renewal runs under the store's lock, so that programs and
    /// commands sharing the store make one renewal request between them: whoever waited finds
    /// the renewed session. Where the service cannot renew, or the server refuses:
    /// [`StoreError::Expired`] (log in again). Without an expiry, the session is handed out as
    /// it is (a refused call says it ended).
    pub async fn session(
        &self,
        kind: ServiceKind,
        which: &Selector,
    ) -> Result<Session, StoreError> {
        self.session_of(self.entry(kind, which)?).await
    }

    /// The session of an entry, renewed first when it has expired, as [`Store::session`]
    /// does ([`Store::load`] reads it as it is).
    pub async fn session_of(&self, entry: &Entry) -> Result<Session, StoreError> {
        let session = self.load(entry)?;
        if renew::due(&session) {
            return renew::renew(self, entry, None).await;
        }
        Ok(session)
    }

    /// Runs `call` on the session of `kind` as [`Store::session`] gives it (renewed first
    /// when due). Where the server refuses that session ([`LoginError::SessionRejected`], a
    /// 401: it ended before its recorded expiry), the session is renewed once — under the
    /// store's lock, so that callers refused together make one renewal request, and not at all
    /// where another process renewed it meanwhile — and `call` runs again, once, on the
    /// renewed session. A generated client's error converts into [`LoginError`] with `?`.
    ///
    /// Errors: the store's; [`StoreError::Expired`] where the service cannot renew or the
    /// server refuses to; the call's own as [`StoreError::Call`].
    pub async fn call<T, F, Fut>(
        &self,
        kind: ServiceKind,
        which: &Selector,
        mut call: F,
    ) -> Result<T, StoreError>
    where
        F: FnMut(Session) -> Fut,
        Fut: std::future::Future<Output = Result<T, LoginError>>,
    {
        let entry = self.entry(kind, which)?;
        let session = self.session_of(entry).await?;
        let refused = session.clone();
        match call(session).await {
            Err(LoginError::SessionRejected { .. }) => {}
            other => return other.map_err(StoreError::Call),
        }
        let renewed = renew::renew(self, entry, Some(&refused)).await?;
        call(renewed).await.map_err(StoreError::Call)
    }

    /// Where an entry's session is kept, for messages.
    pub fn location(&self, entry: &Entry) -> String {
        match entry.storage {
            Storage::Keyring => format!(
                "the OS keyring (service \"{}\", user \"{}\")",
                keyring::SERVICE,
                entry.keyring_user()
            ),
            Storage::File => self.index_path.display().to_string(),
        }
    }

    /// The session of an entry ([`StoreError::Unreadable`] when it cannot be read back, or
    /// belongs to another service or server than its entry says).
    pub fn load(&self, entry: &Entry) -> Result<Session, StoreError> {
        let unreadable = |reason: String| StoreError::Unreadable {
            location: self.location(entry),
            reason,
        };
        let session: Session = match entry.storage {
            Storage::File => {
                let value = entry
                    .session
                    .clone()
                    .ok_or_else(|| unreadable("the session is missing".to_owned()))?;
                serde_json::from_value(value).map_err(|_| unreadable("not a session".to_owned()))?
            }
            Storage::Keyring => {
                let text = keyring::get(&entry.keyring_user()).map_err(unreadable)?;
                serde_json::from_str(&text).map_err(|e| {
                    unreadable(format!(
                        "not a session: line {}, column {}",
                        e.line(),
                        e.column()
                    ))
                })?
            }
        };
        if session.kind().id() != entry.service || session.service().base_url() != entry.base_url {
            return Err(unreadable(
                "the session belongs to another service or server than its entry".to_owned(),
            ));
        }
        Ok(session.with_options(self.options.clone()))
    }

    /// Stores `session` under its user name (as `apilogin login --with-token` does), replacing
    /// the one with the same service, server and account, as the default of its service.
    /// Returns where it went.
    ///
    /// ```no_run
    /// # async fn run(session: apilogin::Session) -> Result<(), Box<dyn std::error::Error>> {
    /// let mut store = apilogin::Store::open()?;
    /// store.save(&session)?; // `apilogin status` lists it, `apilogin token` prints it
    /// # Ok(())
    /// # }
    /// ```
    pub fn save(&mut self, session: &Session) -> Result<Storage, StoreError> {
        let account = session.user().username.clone();
        self.save_as(&account, session)
    }

    /// [`Store::save`] under `account` (the user name given at login, when the server knows
    /// the user by another).
    pub fn save_as(&mut self, account: &str, session: &Session) -> Result<Storage, StoreError> {
        let preference = match self.preference {
            Some(p) => p,
            None => Preference::from_env()?,
        };
        let service = session.kind().id().to_owned();
        let base_url = session.service().base_url().to_owned();
        let user = keyring::user(&service, &base_url, account);
        self.check_replaceable(session.kind(), &base_url, account)?;
        let serialize = |e: serde_json::Error| folder::unusable(&self.index_path, e.to_string());
        let mut no_keyring = None;
        let storage = match preference {
            Preference::File => Storage::File,
            Preference::Keyring | Preference::Auto => {
                let json = serde_json::to_string(session).map_err(serialize)?;
                match keyring::set(&user, &json) {
                    Ok(()) => Storage::Keyring,
                    Err(reason) if preference == Preference::Auto => {
                        no_keyring = Some(reason);
                        Storage::File
                    }
                    Err(reason) => return Err(StoreError::Keyring { reason }),
                }
            }
        };
        let entry = Entry {
            service,
            base_url,
            account: account.to_owned(),
            storage,
            session: match storage {
                Storage::File => Some(serde_json::to_value(session).map_err(serialize)?),
                Storage::Keyring => None,
            },
            extra: serde_json::Map::new(),
        };
        let mut old = None;
        self.mutate(|sessions| {
            old = sessions
                .iter()
                .position(|e| e.same_key(&entry))
                .map(|i| sessions.remove(i));
            sessions.push(entry);
        })?;
        // A session that moved from the keyring to the file leaves nothing behind.
        if let Some(old) = old
            && old.storage == Storage::Keyring
            && storage == Storage::File
        {
            keyring::delete(&old.keyring_user());
        }
        if let Some(reason) = no_keyring
            && self.first_notice()?
        {
            (self.notify)(&Notice::NoKeyring {
                reason,
                path: self.index_path.clone(),
            });
        }
        Ok(storage)
    }

    /// Whether the no-keyring notice is yet to be given for this store; marks it given.
    fn first_notice(&self) -> Result<bool, StoreError> {
        let Some(folder) = Folder::open(&self.dir, &self.notify)? else {
            return Ok(true);
        };
        if folder.open_file(NOTICE_FILE, Access::Read)?.is_some() {
            return Ok(false);
        }
        folder.open_file(NOTICE_FILE, Access::Create)?;
        Ok(true)
    }

    /// Fails when a stored session with this key exists but cannot be read: it is left in
    /// place for the user to look at (`apilogin logout` forgets it).
    pub fn check_replaceable(
        &self,
        kind: ServiceKind,
        base_url: &str,
        account: &str,
    ) -> Result<(), StoreError> {
        match self.find(kind, Some(base_url), Some(account)) {
            Some(old) => self.load(old).map(drop),
            None => Ok(()),
        }
    }

    /// Makes an entry its service's default: it moves to the end of the login order.
    pub fn make_default(&mut self, entry: &Entry) -> Result<(), StoreError> {
        let mut found = false;
        self.mutate(|sessions| {
            if let Some(i) = sessions.iter().position(|e| e.same_key(entry)) {
                let moved = sessions.remove(i);
                sessions.push(moved);
                found = true;
            }
        })?;
        if found {
            Ok(())
        } else {
            Err(StoreError::Forgotten)
        }
    }

    /// Forgets an entry (its keyring item too). Nothing is sent to the server.
    pub fn remove(&mut self, entry: &Entry) -> Result<(), StoreError> {
        self.mutate(|sessions| sessions.retain(|e| !e.same_key(entry)))?;
        if entry.storage == Storage::Keyring {
            keyring::delete(&entry.keyring_user());
        }
        Ok(())
    }

    /// Changes the session list under the lock, on the index as it is on disk now (another
    /// process may have changed it since `open`), and writes it back.
    fn mutate(&mut self, change: impl FnOnce(&mut Vec<Entry>)) -> Result<(), StoreError> {
        let folder = Folder::create(&self.dir, &self.notify)?;
        let _lock = folder.lock()?;
        self.index = Index::read(&folder, &self.index_path)?;
        change(&mut self.index.sessions);
        self.index.write(&folder, &self.index_path)
    }
}

#[cfg(test)]
mod tests;
