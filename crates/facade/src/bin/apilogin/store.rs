//! The session store: which sessions the user has, and where each one's secrets are kept.
//!
//! An index, `sessions.json` in the config directory (`APILOGIN_CONFIG_DIR`, else the
//! platform's config directory + `apilogin`), lists the sessions by service, base URL and
//! account, in login order (the last one of a service is its default). Each session itself is
//! kept in the OS keyring (service `apilogin`, user `<service> <base URL> <account>`) or, when
//! there is no keyring or the user asks (`--insecure-storage`, `APILOGIN_STORAGE=file`), inside
//! the index. The index is changed under a lock (`sessions.lock`) and written whole to a
//! temporary file and renamed, with mode `0600` in a `0700` folder. A store that cannot be read
//! is reported with its location and never overwritten.
//!
//! On Unix, every read and write checks what it opens: the folder and its files are opened
//! without following a symbolic link (`O_NOFOLLOW`), must belong to the user running the
//! command, and lose any permission for other users (`chmod go-rwx`, with a notice naming the
//! file and what was wrong); anything else is refused with its path and what to do.

use std::fmt;
use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use apilogin::{ServiceKind, Session};
use serde::{Deserialize, Serialize};

use crate::failure::{CliFailure, other};
use crate::output::clean;

/// The keyring's service name for every entry.
const KEYRING_SERVICE: &str = "apilogin";
/// The index file's name in the config directory.
const INDEX_FILE: &str = "sessions.json";
/// The lock file's name in the config directory.
const LOCK_FILE: &str = "sessions.lock";
/// Largest index read.
const MAX_INDEX_BYTES: u64 = 4 * 1024 * 1024;

/// Where a session's secrets are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Storage {
    /// The OS keyring (Secret Service, macOS Keychain, Windows Credential Manager).
    Keyring,
    /// The index file itself (`0600`).
    File,
}

/// Which storage a login asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preference {
    /// The keyring, else (with a notice) the file.
    Auto,
    /// The keyring or fail (`APILOGIN_STORAGE=keyring`).
    Keyring,
    /// The file (`--insecure-storage`, `APILOGIN_STORAGE=file`).
    File,
}

impl Preference {
    /// From `APILOGIN_STORAGE` (`keyring`, `file`; unset or empty: auto) and the flag.
    pub fn from_env(insecure_storage: bool) -> anyhow::Result<Preference> {
        if insecure_storage {
            return Ok(Preference::File);
        }
        match std::env::var("APILOGIN_STORAGE").ok().as_deref() {
            None | Some("") | Some("auto") => Ok(Preference::Auto),
            Some("keyring") => Ok(Preference::Keyring),
            Some("file") => Ok(Preference::File),
            Some(v) => Err(crate::failure::usage(format!(
                "APILOGIN_STORAGE is {:?}: expected keyring, file or auto",
                clean(v)
            ))),
        }
    }
}

/// One stored session, as listed in the index.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Entry {
    /// `remoteit`, `txty`, `projectthanos`, `rocketchat`.
    pub service: String,
    /// The base URL the session is valid at.
    pub base_url: String,
    /// The user name given at login.
    pub account: String,
    /// Where the session is kept.
    pub storage: Storage,
    /// The session, secrets included, when `storage` is `file`. Kept as a JSON value so that
    /// one bad entry does not make the others unreadable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session: Option<serde_json::Value>,
    /// Members a later apilogin may add: kept as they are when the index is rewritten.
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

impl Entry {
    pub fn kind(&self) -> Option<ServiceKind> {
        ServiceKind::from_id(&self.service)
    }

    fn keyring_user(&self) -> String {
        keyring_user(&self.service, &self.base_url, &self.account)
    }

    fn same_key(&self, other: &Entry) -> bool {
        self.service == other.service
            && self.base_url == other.base_url
            && self.account == other.account
    }
}

fn keyring_user(service: &str, base_url: &str, account: &str) -> String {
    format!("{service} {base_url} {account}")
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Index {
    version: u32,
    /// In login order: the last session of a service is its default.
    sessions: Vec<Entry>,
}

/// A stored session that cannot be read back (reported with where it is; left in place).
#[derive(Debug)]
pub struct Unreadable {
    pub location: String,
    pub reason: String,
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the stored session in {} cannot be read ({}); it was left as it is: repair it, or forget it with `apilogin logout`",
            self.location, self.reason
        )
    }
}

impl std::error::Error for Unreadable {}

pub struct Store {
    dir: PathBuf,
    index_path: PathBuf,
    index: Index,
}

/// The config directory: `APILOGIN_CONFIG_DIR`, else `<platform config dir>/apilogin`.
fn config_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("APILOGIN_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::config_dir()
        .map(|d| d.join("apilogin"))
        .ok_or_else(|| {
            other("cannot find a config directory to keep sessions in (no home directory?): set APILOGIN_CONFIG_DIR")
        })
}

impl Store {
    /// Reads the index (an absent one is empty). A present one that cannot be read or parsed
    /// is an error naming it; nothing is written then.
    pub fn open() -> anyhow::Result<Store> {
        let dir = config_dir()?;
        let index_path = dir.join(INDEX_FILE);
        let index = match Folder::open(&dir)? {
            Some(folder) => read_index(&folder, &index_path)?,
            None => Index::empty(),
        };
        Ok(Store {
            dir,
            index_path,
            index,
        })
    }

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
    /// latest that matches (the default).
    pub fn find(
        &self,
        kind: ServiceKind,
        base_url: Option<&str>,
        account: Option<&str>,
    ) -> Option<&Entry> {
        self.index.sessions.iter().rev().find(|e| {
            e.service == kind.id()
                && base_url.is_none_or(|u| e.base_url == u)
                && account.is_none_or(|a| e.account == a)
        })
    }

    /// Where an entry's session is kept, for messages.
    pub fn location(&self, entry: &Entry) -> String {
        match entry.storage {
            Storage::Keyring => format!(
                "the OS keyring (service \"{KEYRING_SERVICE}\", user \"{}\")",
                clean(&entry.keyring_user())
            ),
            Storage::File => self.index_path.display().to_string(),
        }
    }

    /// The session of an entry.
    pub fn load(&self, entry: &Entry) -> Result<Session, Unreadable> {
        let unreadable = |reason: String| Unreadable {
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
                let text = keyring::Entry::new(KEYRING_SERVICE, &entry.keyring_user())
                    .and_then(|k| k.get_password())
                    .map_err(|e| unreadable(keyring_error(&e)))?;
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
        Ok(session)
    }

    /// Stores `session` for `account`, replacing the one with the same key, as the default of
    /// its service. Returns where it went, and a notice when the keyring could not be used.
    pub fn save(
        &mut self,
        account: &str,
        session: &Session,
        preference: Preference,
    ) -> anyhow::Result<(Storage, Option<String>)> {
        let service = session.kind().id().to_owned();
        let base_url = session.service().base_url().to_owned();
        let user = keyring_user(&service, &base_url, account);
        self.check_replaceable(session.kind(), &base_url, account)?;
        let mut notice = None;
        let storage = match preference {
            Preference::File => Storage::File,
            Preference::Keyring | Preference::Auto => {
                let json = serde_json::to_string(session)?;
                match keyring::Entry::new(KEYRING_SERVICE, &user)
                    .and_then(|k| k.set_password(&json))
                {
                    Ok(()) => Storage::Keyring,
                    Err(e) if preference == Preference::Auto => {
                        notice = Some(format!(
                            "notice: no OS keyring to keep the session in ({}): stored it in {}, readable only by you",
                            keyring_error(&e),
                            self.index_path.display()
                        ));
                        Storage::File
                    }
                    Err(e) => {
                        return Err(other(format!(
                            "cannot store the session in the OS keyring ({}); APILOGIN_STORAGE=keyring forbids the file fallback",
                            keyring_error(&e)
                        )));
                    }
                }
            }
        };
        let entry = Entry {
            service,
            base_url,
            account: account.to_owned(),
            storage,
            session: match storage {
                Storage::File => Some(serde_json::to_value(session)?),
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
            delete_keyring(&old);
        }
        Ok((storage, notice))
    }

    /// Fails when a stored session with this key exists but cannot be read: it is left in
    /// place for the user to look at (`apilogin logout` forgets it).
    pub fn check_replaceable(
        &self,
        kind: ServiceKind,
        base_url: &str,
        account: &str,
    ) -> anyhow::Result<()> {
        match self.find(kind, Some(base_url), Some(account)) {
            Some(old) => match self.load(old) {
                Ok(_) => Ok(()),
                Err(e) => Err(e.into()),
            },
            None => Ok(()),
        }
    }

    /// Forgets an entry (its keyring item too).
    pub fn remove(&mut self, entry: &Entry) -> anyhow::Result<()> {
        self.mutate(|sessions| sessions.retain(|e| !e.same_key(entry)))?;
        if entry.storage == Storage::Keyring {
            delete_keyring(entry);
        }
        Ok(())
    }

    /// Changes the session list under the lock, on the index as it is on disk now (another
    /// process may have changed it since `open`), and writes it back.
    fn mutate(&mut self, change: impl FnOnce(&mut Vec<Entry>)) -> anyhow::Result<()> {
        let folder = match Folder::open(&self.dir)? {
            Some(folder) => folder,
            None => {
                create_private_dir(&self.dir).map_err(|e| {
                    store_error(&self.dir, &format!("cannot create the folder: {e}"))
                })?;
                Folder::open(&self.dir)?
                    .ok_or_else(|| store_error(&self.dir, "the folder disappeared"))?
            }
        };
        let _lock = lock(&folder)?;
        self.index = read_index(&folder, &self.index_path)?;
        change(&mut self.index.sessions);
        self.write()
    }

    /// Writes the index: to a new `0600` file in the `0700` folder, then renamed over the old
    /// one, so that a failure never leaves half a file.
    fn write(&self) -> anyhow::Result<()> {
        let fail = |e: &dyn fmt::Display| store_error(&self.index_path, &e.to_string());
        // tempfile creates the file with mode 0600.
        let mut tmp = tempfile::Builder::new()
            .prefix(".sessions")
            .suffix(".tmp")
            .tempfile_in(&self.dir)
            .map_err(|e| fail(&e))?;
        let json = serde_json::to_string_pretty(&self.index)?;
        tmp.write_all(json.as_bytes())
            .and_then(|()| tmp.write_all(b"\n"))
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| fail(&e))?;
        tmp.persist(&self.index_path).map_err(|e| fail(&e.error))?;
        Ok(())
    }
}

impl Index {
    fn empty() -> Index {
        Index {
            version: 1,
            sessions: Vec::new(),
        }
    }
}

/// The index in `folder`, at `path` (an absent one is empty).
fn read_index(folder: &Folder, path: &Path) -> anyhow::Result<Index> {
    let Some(file) = folder.open_file(INDEX_FILE, Access::Read)? else {
        return Ok(Index::empty());
    };
    let mut text = String::new();
    file.take(MAX_INDEX_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| store_error(path, &e.to_string()))?;
    // Not serde's message: it can quote values, and the file may hold tokens.
    let index: Index = serde_json::from_str(&text).map_err(|e| {
        store_error(
            path,
            &format!(
                "not a session list written by apilogin: line {}, column {}",
                e.line(),
                e.column()
            ),
        )
    })?;
    if index.version != 1 {
        return Err(store_error(
            path,
            &format!("version {} is not one this apilogin knows", index.version),
        ));
    }
    Ok(index)
}

/// An exclusive lock on the store's folder, held while the index is read, changed and
/// written, so that two `apilogin` processes never lose each other's sessions. Released when
/// dropped (when the file is closed). `fs4`'s lock: `flock` on Unix, `LockFileEx` on Windows.
struct Lock {
    _file: std::fs::File,
}

fn lock(folder: &Folder) -> anyhow::Result<Lock> {
    let path = folder.path.join(LOCK_FILE);
    let file = folder
        .open_file(LOCK_FILE, Access::Create)?
        .ok_or_else(|| store_error(&path, "it disappeared"))?;
    fs4::FileExt::lock(&file).map_err(|e| store_error(&path, &format!("cannot lock it: {e}")))?;
    Ok(Lock { _file: file })
}

fn delete_keyring(entry: &Entry) {
    if let Ok(k) = keyring::Entry::new(KEYRING_SERVICE, &entry.keyring_user()) {
        // Already gone is fine; anything else leaves an orphan nobody lists, which is harmless.
        let _ = k.delete_credential();
    }
}

/// A keyring error without anything the keyring may have echoed.
fn keyring_error(e: &keyring::Error) -> String {
    match e {
        keyring::Error::NoEntry => "no such entry".to_owned(),
        keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => {
            clean(&inner.to_string()).into_owned()
        }
        keyring::Error::BadEncoding(_) => "the entry is not text".to_owned(),
        other => clean(&other.to_string()).into_owned(),
    }
}

fn store_error(path: &Path, reason: &str) -> anyhow::Error {
    CliFailure::Other(format!(
        "the session store {} cannot be used: {}; it was left as it is (repair or remove it, or set APILOGIN_CONFIG_DIR to use another folder)",
        path.display(),
        clean(reason)
    ))
    .into()
}

/// Creates `dir` (and its parents); a folder created here gets mode `0700`.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Writes `text` to `path` readable only by the user (`0600`, set before anything is written
/// even when the file existed with wider permissions). A symbolic link is refused, never
/// followed (its target is neither written nor chmodded), and so is a file of another user.
pub fn write_private_file(path: &Path, text: &str) -> anyhow::Result<()> {
    let fail = |e: &dyn fmt::Display| other(format!("cannot write {}: {e}", path.display()));
    let mut file = open_private_output(path).map_err(|e| fail(&e))?;
    file.set_len(0).map_err(|e| fail(&e))?;
    file.write_all(text.as_bytes()).map_err(|e| fail(&e))?;
    file.sync_all().map_err(|e| fail(&e))?;
    Ok(())
}

/// Why `path` cannot be an output file, before anything is sent: a symbolic link (the session
/// would go wherever it points). `None`: it can be (absent, or a file).
pub fn output_problem(path: &Path) -> Option<String> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Some(format!(
            "{} is a symbolic link: apilogin does not write a session through a link (it would go wherever the link points); name the file itself",
            path.display()
        )),
        Ok(m) if m.is_dir() => Some(format!("{} is a folder, not a file", path.display())),
        _ => None,
    }
}

/// `path` opened for writing, created `0600` if absent, checked and made `0600` if present.
fn open_private_output(path: &Path) -> Result<File, String> {
    #[cfg(unix)]
    {
        use rustix::fs::{Mode, OFlags};
        let fd = rustix::fs::open(
            path,
            OFlags::WRONLY | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .map_err(|e| link_or(path, &std::io::Error::from(e)))?;
        let file = File::from(fd);
        let meta = file.metadata().map_err(|e| e.to_string())?;
        check_owner(&meta, true).map_err(|reason| format!("{reason}; name another file"))?;
        // On the open file (fchmod): never on whatever a path would lead to.
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| e.to_string())?;
        Ok(file)
    }
    #[cfg(not(unix))]
    {
        if let Some(problem) = output_problem(path) {
            return Err(problem);
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| e.to_string())
    }
}

/// The error of an `open` without following links: a link is said to be one.
#[cfg(unix)]
fn link_or(path: &Path, e: &std::io::Error) -> String {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            "it is a symbolic link, which apilogin does not follow (whoever made it would choose where sessions are read and written)".to_owned()
        }
        _ => e.to_string(),
    }
}

/// Whether the file or folder of `meta` is one apilogin may use: the user's own, and of the
/// right type (`Err`: why not).
#[cfg(unix)]
fn check_owner(meta: &std::fs::Metadata, file: bool) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt as _;
    if file && !meta.is_file() {
        return Err("it is not a regular file".to_owned());
    }
    if !file && !meta.is_dir() {
        return Err("it is not a folder".to_owned());
    }
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(format!(
            "it belongs to user {}, not to you (user {me}), so someone else could change it",
            meta.uid()
        ));
    }
    Ok(())
}

/// Who besides the owner could do what, from permission bits (`None`: nobody).
#[cfg(unix)]
fn exposure(mode: u32, folder: bool) -> Option<&'static str> {
    let read = mode & 0o044 != 0;
    let write = mode & 0o022 != 0;
    Some(match (read, write) {
        (true, true) => "read and changed by other users",
        (true, false) => "read by other users",
        (false, true) => "changed by other users",
        (false, false) if folder && mode & 0o011 != 0 => "entered by other users",
        (false, false) if mode & 0o077 != 0 => "used by other users",
        (false, false) => return None,
    })
}

/// How a file of the store is opened.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// For reading; absent: `None`.
    Read,
    /// For writing, created `0600` if absent (the lock file).
    Create,
}

/// The store's folder, opened without following a link and checked (Unix: owned by the user,
/// nothing for other users), with the files in it opened relative to it.
struct Folder {
    path: PathBuf,
    #[cfg(unix)]
    fd: std::os::fd::OwnedFd,
}

impl Folder {
    /// The folder at `path`, checked and fixed; `None` when there is none.
    fn open(path: &Path) -> anyhow::Result<Option<Folder>> {
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            let fd = match rustix::fs::open(
                path,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            ) {
                Ok(fd) => fd,
                Err(rustix::io::Errno::NOENT) => return Ok(None),
                Err(e) => {
                    return Err(store_error(path, &link_or(path, &std::io::Error::from(e))));
                }
            };
            let file = File::from(fd);
            enforce(&file, path, false)?;
            Ok(Some(Folder {
                path: path.to_owned(),
                fd: file.into(),
            }))
        }
        #[cfg(not(unix))]
        {
            match std::fs::symlink_metadata(path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(store_error(path, &e.to_string())),
                Ok(m) if m.file_type().is_symlink() => Err(store_error(
                    path,
                    "it is a symbolic link, which apilogin does not follow",
                )),
                Ok(m) if !m.is_dir() => Err(store_error(path, "it is not a folder")),
                Ok(_) => Ok(Some(Folder {
                    path: path.to_owned(),
                })),
            }
        }
    }

    /// The file `name` of the folder, opened without following a link, checked and fixed.
    fn open_file(&self, name: &str, access: Access) -> anyhow::Result<Option<File>> {
        let path = self.path.join(name);
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            // NONBLOCK: a FIFO planted under the name does not hang the command.
            let flags = OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
            let flags = match access {
                Access::Read => flags | OFlags::RDONLY,
                Access::Create => flags | OFlags::WRONLY | OFlags::CREATE,
            };
            let fd = match rustix::fs::openat(&self.fd, name, flags, Mode::from_raw_mode(0o600)) {
                Ok(fd) => fd,
                Err(rustix::io::Errno::NOENT) if access == Access::Read => return Ok(None),
                Err(e) => {
                    return Err(store_error(
                        &path,
                        &link_or(&path, &std::io::Error::from(e)),
                    ));
                }
            };
            let file = File::from(fd);
            enforce(&file, &path, true)?;
            Ok(Some(file))
        }
        #[cfg(not(unix))]
        {
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(store_error(
                        &path,
                        "it is a symbolic link, which apilogin does not follow",
                    ));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && access == Access::Read => {
                    return Ok(None);
                }
                _ => {}
            }
            let mut options = std::fs::OpenOptions::new();
            match access {
                Access::Read => options.read(true),
                Access::Create => options.write(true).create(true).truncate(false),
            };
            options
                .open(&path)
                .map(Some)
                .map_err(|e| store_error(&path, &e.to_string()))
        }
    }
}

/// Checks an open file or folder of the store: the user's own, of the right type; with
/// permissions for other users, they are removed (`fchmod`, on what was opened) with a notice.
#[cfg(unix)]
fn enforce(open: &File, path: &Path, file: bool) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let meta = open
        .metadata()
        .map_err(|e| store_error(path, &e.to_string()))?;
    check_owner(&meta, file).map_err(|reason| store_error(path, &reason))?;
    let mode = meta.permissions().mode() & 0o7777;
    let Some(exposed) = exposure(mode, !file) else {
        return Ok(());
    };
    let fixed = mode & 0o700;
    open.set_permissions(std::fs::Permissions::from_mode(fixed))
        .map_err(|e| {
            store_error(
                path,
                &format!(
                    "it could be {exposed} (mode {mode:04o}) and its mode cannot be changed ({e}): run `chmod go-rwx {}`",
                    path.display()
                ),
            )
        })?;
    let what = if file {
        "the session store"
    } else {
        "the session folder"
    };
    let check = if mode & 0o022 != 0 {
        "; if you did not make it so, check with `apilogin status` that every session and server listed is yours"
    } else {
        ""
    };
    eprintln!(
        "notice: {what} {} could be {exposed} (mode {mode:04o}): changed it to {fixed:04o}{check}",
        crate::output::clean(&path.display().to_string())
    );
    Ok(())
}
