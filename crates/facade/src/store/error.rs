//! What can go wrong with the store, and what it tells the user on the way.

use std::fmt;
use std::path::PathBuf;

use crate::error::{ConfigError, LoginError};
use crate::service::ServiceKind;

/// A store that cannot be used, or a session it does not have.
///
/// Every message says where and what to do; none contains a token (a stored session's
/// contents are never quoted).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store's folder or one of its files cannot be used as it is (a symbolic link,
    /// another user's, not apilogin's format, unwritable…). Nothing was changed.
    #[error("the session store {} cannot be used: {reason}; it was left as it is (repair or remove it, or set APILOGIN_CONFIG_DIR to use another folder)", path.display())]
    Unusable {
        /// The folder or file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// One stored session cannot be read back (corrupt, tampered with, its keyring entry
    /// gone). It was left in place; the others still work.
    #[error(
        "the stored session in {location} cannot be read ({reason}); it was left as it is: repair it, or forget it with `apilogin logout`"
    )]
    Unreadable {
        /// Where it is kept: the index file, or the keyring entry.
        location: String,
        /// What is wrong with it.
        reason: String,
    },

    /// No stored session matches.
    #[error("not logged in to {}: run `apilogin login {}` (`apilogin status` lists the sessions)", not_logged_in(*service, server.as_deref(), user.as_deref()), service.id())]
    NotLoggedIn {
        /// The service asked for.
        service: ServiceKind,
        /// The server asked for, if any.
        server: Option<String>,
        /// The account asked for, if any.
        user: Option<String>,
    },

    /// A server alone (or an account alone) matches several stored sessions: name one.
    #[error("{} sessions of {} match; name one: {choices}", choices.0.len(), service.name())]
    Ambiguous {
        /// The service asked for.
        service: ServiceKind,
        /// The sessions that match.
        choices: Choices,
    },

    /// The keyring was required (`APILOGIN_STORAGE=keyring`) and cannot be used.
    #[error(
        "cannot store the session in the OS keyring ({reason}); APILOGIN_STORAGE=keyring forbids the file fallback"
    )]
    Keyring {
        /// Why not.
        reason: String,
    },

    /// `APILOGIN_STORAGE` has a value apilogin does not know.
    #[error("APILOGIN_STORAGE is {value:?}: expected keyring, file or auto")]
    InvalidStorage {
        /// The variable's value.
        value: String,
    },

    /// Neither `APILOGIN_CONFIG_DIR` nor a platform config folder.
    #[error(
        "cannot find a config directory to keep sessions in (no home directory?): set APILOGIN_CONFIG_DIR"
    )]
    NoConfigDir,

    /// The session was forgotten by another process meanwhile.
    #[error("the session was forgotten meanwhile (by another apilogin)")]
    Forgotten,

    /// A session file ([`write_private_file`](crate::store::write_private_file)) cannot be
    /// written.
    #[error("cannot write {}: {reason}", path.display())]
    Output {
        /// The file.
        path: PathBuf,
        /// Why not.
        reason: String,
    },

    /// The stored session has expired (or is about to), and cannot be renewed without the
    /// password: log in again.
    #[error("the stored {service} session of {account} at {server} has expired and {why}: run `apilogin login {}`", service.id())]
    Expired {
        /// The service.
        service: ServiceKind,
        /// The server.
        server: String,
        /// The account.
        account: String,
        /// Why it was not renewed.
        why: Expiry,
    },

    /// Renewing an expired stored session failed for another reason than a refusal (the
    /// server could not be reached, answered with an error…): the session is as it was.
    #[error("cannot renew the stored session: {0}")]
    Renewal(#[source] LoginError),

    /// What a call [`Store::call`](crate::Store::call) ran returned (the server refused the
    /// session again after its renewal, or another error).
    #[error(transparent)]
    Call(LoginError),

    /// The server of a [`Selector`](crate::store::Selector) is not a base URL the service
    /// takes.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// Why an expired session was not renewed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expiry {
    /// The service has no way to renew a session without the password.
    CannotRenew,
    /// The server refused to renew it (it ended the session).
    Refused,
}

impl fmt::Display for Expiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expiry::CannotRenew => "the service cannot renew it without the password",
            Expiry::Refused => "the server refused to renew it",
        })
    }
}

fn not_logged_in(service: ServiceKind, server: Option<&str>, user: Option<&str>) -> String {
    let mut what = service.name().to_owned();
    if let Some(u) = server {
        what.push_str(&format!(" at {u}"));
    }
    if let Some(a) = user {
        what.push_str(&format!(" as {a}"));
    }
    what
}

/// Stored sessions a message asks to choose from: `--url <server> --user <account>` each, as
/// the command names them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Choices(pub Vec<(String, String)>);

impl fmt::Display for Choices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (server, account)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "--url {server} --user {account}")?;
        }
        Ok(())
    }
}

impl<'a> FromIterator<&'a super::Entry> for Choices {
    fn from_iter<I: IntoIterator<Item = &'a super::Entry>>(entries: I) -> Choices {
        Choices(
            entries
                .into_iter()
                .map(|e| (e.base_url().to_owned(), e.account().to_owned()))
                .collect(),
        )
    }
}

/// Something the store did that the user should hear about, given to the store's notice
/// handler ([`StoreOptions::on_notice`](crate::store::StoreOptions::on_notice); by default,
/// written to standard error as `notice: …`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notice {
    /// A folder or file of the store could be used by other users: their permissions were
    /// removed (`chmod go-rwx`).
    Closed {
        /// The folder or file.
        path: PathBuf,
        /// Whether it is the folder.
        folder: bool,
        /// Its mode before.
        was: u32,
        /// Its mode now.
        now: u32,
    },
    /// There is no OS keyring: the session went into the index file (`0600`). Said once per
    /// store.
    NoKeyring {
        /// Why there is none.
        reason: String,
        /// The index file.
        path: PathBuf,
    },
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::Closed {
                path,
                folder,
                was,
                now,
            } => {
                let what = if *folder {
                    "the session folder"
                } else {
                    "the session store"
                };
                let exposed = super::folder::exposure(*was, *folder).unwrap_or("used by others");
                write!(
                    f,
                    "{what} {} could be {exposed} (mode {was:04o}): changed it to {now:04o}",
                    path.display()
                )?;
                if was & 0o022 != 0 {
                    f.write_str("; if you did not make it so, check with `apilogin status` that every session and server listed is yours")?;
                }
                Ok(())
            }
            Notice::NoKeyring { reason, path } => write!(
                f,
                "no OS keyring to keep sessions in ({reason}): stored in {}, readable only by you (said once)",
                path.display()
            ),
        }
    }
}
