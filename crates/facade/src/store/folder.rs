//! The store's folder and files, opened and checked without trusting what is there: on Unix
//! without following a symbolic link (`O_NOFOLLOW`, files opened relative to the folder), the
//! user's own, and with every permission of other users removed on what was opened (`fchmod`),
//! with a [`Notice`].

use std::fmt;
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::Notifier;
use super::error::{Notice, StoreError};

/// The store's lock file's name.
const LOCK_FILE: &str = "sessions.lock";

pub(crate) fn unusable(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::Unusable {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// How a file of the store is opened.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// For reading; absent: `None`.
    Read,
    /// For writing, created `0600` if absent (the lock file).
    Create,
}

/// The store's folder, opened without following a link and checked (Unix: owned by the user,
/// nothing for other users), with the files in it opened relative to it.
pub(crate) struct Folder<'n> {
    pub(crate) path: PathBuf,
    notify: &'n Notifier,
    #[cfg(unix)]
    fd: std::os::fd::OwnedFd,
}

impl<'n> Folder<'n> {
    /// The folder at `path`, checked and fixed; `None` when there is none.
    pub(crate) fn open(
        path: &Path,
        notify: &'n Notifier,
    ) -> Result<Option<Folder<'n>>, StoreError> {
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
                Err(e) => return Err(unusable(path, link_or(path, &std::io::Error::from(e)))),
            };
            let file = File::from(fd);
            enforce(&file, path, false, notify)?;
            Ok(Some(Folder {
                path: path.to_owned(),
                notify,
                fd: file.into(),
            }))
        }
        #[cfg(not(unix))]
        {
            match std::fs::symlink_metadata(path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(unusable(path, e.to_string())),
                Ok(m) if m.file_type().is_symlink() => Err(unusable(
                    path,
                    "it is a symbolic link, which apilogin does not follow",
                )),
                Ok(m) if !m.is_dir() => Err(unusable(path, "it is not a folder")),
                Ok(_) => Ok(Some(Folder {
                    path: path.to_owned(),
                    notify,
                })),
            }
        }
    }

    /// The folder at `path`, created `0700` (with its parents) when absent.
    pub(crate) fn create(path: &Path, notify: &'n Notifier) -> Result<Folder<'n>, StoreError> {
        if let Some(folder) = Folder::open(path, notify)? {
            return Ok(folder);
        }
        create_private_dir(path)
            .map_err(|e| unusable(path, format!("cannot create the folder: {e}")))?;
        Folder::open(path, notify)?.ok_or_else(|| unusable(path, "the folder disappeared"))
    }

    /// The file `name` of the folder, opened without following a link, checked and fixed.
    pub(crate) fn open_file(&self, name: &str, access: Access) -> Result<Option<File>, StoreError> {
        let path = self.path.join(name);
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            // NONBLOCK: a FIFO planted under the name does not hang the caller.
            let flags = OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
            let flags = match access {
                Access::Read => flags | OFlags::RDONLY,
                Access::Create => flags | OFlags::WRONLY | OFlags::CREATE,
            };
            let fd = match rustix::fs::openat(&self.fd, name, flags, Mode::from_raw_mode(0o600)) {
                Ok(fd) => fd,
                Err(rustix::io::Errno::NOENT) if access == Access::Read => return Ok(None),
                Err(e) => return Err(unusable(&path, link_or(&path, &std::io::Error::from(e)))),
            };
            let file = File::from(fd);
            enforce(&file, &path, true, self.notify)?;
            Ok(Some(file))
        }
        #[cfg(not(unix))]
        {
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(unusable(
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
                .map_err(|e| unusable(&path, e.to_string()))
        }
    }

    /// An exclusive lock on the store, held while the index is read, changed and written, so
    /// that two processes never lose each other's sessions. Released when dropped (when the
    /// file is closed). `fs4`'s lock: `flock` on Unix, `LockFileEx` on Windows.
    pub(crate) fn lock(&self) -> Result<Lock, StoreError> {
        let path = self.path.join(LOCK_FILE);
        let file = self
            .open_file(LOCK_FILE, Access::Create)?
            .ok_or_else(|| unusable(&path, "it disappeared"))?;
        fs4::FileExt::lock(&file).map_err(|e| unusable(&path, format!("cannot lock it: {e}")))?;
        Ok(Lock { _file: file })
    }
}

impl Folder<'_> {
    /// [`Folder::lock`] for async callers: the wait is on one of tokio's blocking threads, so
    /// that a task of the same runtime holding the lock can finish and release it.
    pub(crate) async fn lock_async(&self) -> Result<Lock, StoreError> {
        let path = self.path.join(LOCK_FILE);
        let file = self
            .open_file(LOCK_FILE, Access::Create)?
            .ok_or_else(|| unusable(&path, "it disappeared"))?;
        let cannot = |e: &dyn fmt::Display| unusable(&path, format!("cannot lock it: {e}"));
        let file = tokio::task::spawn_blocking(move || fs4::FileExt::lock(&file).map(|()| file))
            .await
            .map_err(|e| cannot(&e))?
            .map_err(|e| cannot(&e))?;
        Ok(Lock { _file: file })
    }
}

/// The store's lock (see [`Folder::lock`]).
pub(crate) struct Lock {
    _file: File,
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

/// Writes `text` (a session's JSON, say) to `path` readable only by the user: `0600`, set
/// before anything is written even when the file existed with wider permissions. A symbolic
/// link is refused, never followed (its target is neither written nor chmodded), and so is a
/// file of another user. What `std::fs::write` does not do.
///
/// ```no_run
/// # fn main() -> Result<(), apilogin::store::StoreError> {
/// # let session: apilogin::Session = serde_json::from_str("{}").unwrap();
/// let json = serde_json::to_string_pretty(&session).expect("a session serializes");
/// apilogin::store::write_private_file("session.json".as_ref(), &json)?;
/// # Ok(())
/// # }
/// ```
pub fn write_private_file(path: &Path, text: &str) -> Result<(), StoreError> {
    let fail = |e: &dyn fmt::Display| StoreError::Output {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let mut file = open_private_output(path).map_err(|e| fail(&e))?;
    file.set_len(0).map_err(|e| fail(&e))?;
    file.write_all(text.as_bytes()).map_err(|e| fail(&e))?;
    file.sync_all().map_err(|e| fail(&e))?;
    Ok(())
}

/// Why `path` cannot be a file for [`write_private_file`], to ask before anything is sent: a
/// symbolic link (the session would go wherever it points), or a folder. `None`: it can be
/// (absent, or a file).
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
pub(crate) fn exposure(mode: u32, folder: bool) -> Option<&'static str> {
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

/// Checks an open file or folder of the store: the user's own, of the right type; with
/// permissions for other users, they are removed (`fchmod`, on what was opened) with a notice.
#[cfg(unix)]
fn enforce(open: &File, path: &Path, file: bool, notify: &Notifier) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt as _;
    let meta = open.metadata().map_err(|e| unusable(path, e.to_string()))?;
    check_owner(&meta, file).map_err(|reason| unusable(path, reason))?;
    let mode = meta.permissions().mode() & 0o7777;
    let Some(exposed) = exposure(mode, !file) else {
        return Ok(());
    };
    let fixed = mode & 0o700;
    open.set_permissions(std::fs::Permissions::from_mode(fixed))
        .map_err(|e| {
            unusable(
                path,
                format!(
                    "it could be {exposed} (mode {mode:04o}) and its mode cannot be changed ({e}): run `chmod go-rwx {}`",
                    path.display()
                ),
            )
        })?;
    notify(&Notice::Closed {
        path: path.to_owned(),
        folder: !file,
        was: mode,
        now: fixed,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposure_names_what_others_could_do() {
        assert_eq!(exposure(0o600, false), None);
        assert_eq!(exposure(0o700, true), None);
        assert_eq!(
            exposure(0o666, false),
            Some("read and changed by other users")
        );
        assert_eq!(exposure(0o644, false), Some("read by other users"));
        assert_eq!(exposure(0o620, false), Some("changed by other users"));
        assert_eq!(exposure(0o711, true), Some("entered by other users"));
        assert_eq!(exposure(0o611, false), Some("used by other users"));
    }
}
