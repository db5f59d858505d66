//! The index, `sessions.json`: which sessions are stored, by service, base URL and account, in
//! login order (the last one of a service is its default); a session kept in the file is in
//! its entry.

use std::fmt;
use std::io::{Read as _, Write as _};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Storage;
use super::error::StoreError;
use super::folder::{Access, Folder, unusable};
use crate::service::ServiceKind;

/// The index file's name in the store's folder.
pub(crate) const INDEX_FILE: &str = "sessions.json";
/// Largest index read.
const MAX_INDEX_BYTES: u64 = 4 * 1024 * 1024;

/// One stored session, as listed in the index (its secrets are not here when it is kept in
/// the keyring, and never in `Debug`).
#[derive(Clone, Serialize, Deserialize)]
pub struct Entry {
    /// `remoteit`, `txty`, `projectthanos`, `rocketchat`, … (a service a later apilogin knows
    /// is kept as it is).
    pub(crate) service: String,
    /// The base URL the session is valid at.
    pub(crate) base_url: String,
    /// The user name given at login.
    pub(crate) account: String,
    /// Where the session is kept.
    pub(crate) storage: Storage,
    /// The session, secrets included, when `storage` is `file`. Kept as a JSON value so that
    /// one bad entry does not make the others unreadable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) session: Option<serde_json::Value>,
    /// Members a later apilogin may add: kept as they are when the index is rewritten.
    #[serde(flatten)]
    pub(crate) extra: serde_json::Map<String, serde_json::Value>,
}

impl Entry {
    /// The service, when this apilogin knows it.
    pub fn kind(&self) -> Option<ServiceKind> {
        ServiceKind::from_id(&self.service)
    }

    /// The service's id as stored (`rocketchat`).
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The base URL the session is valid at.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The account: the user name given at login.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// Where the session is kept.
    pub fn storage(&self) -> Storage {
        self.storage
    }

    pub(crate) fn keyring_user(&self) -> String {
        super::keyring::user(&self.service, &self.base_url, &self.account)
    }

    pub(crate) fn same_key(&self, other: &Entry) -> bool {
        self.service == other.service
            && self.base_url == other.base_url
            && self.account == other.account
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("service", &self.service)
            .field("base_url", &self.base_url)
            .field("account", &self.account)
            .field("storage", &self.storage)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Index {
    version: u32,
    /// In login order: the last session of a service is its default.
    pub(crate) sessions: Vec<Entry>,
}

impl Index {
    pub(crate) fn empty() -> Index {
        Index {
            version: 1,
            sessions: Vec::new(),
        }
    }

    /// The index in `folder`, at `path` (an absent one is empty). One that cannot be read or
    /// parsed is an error naming it.
    pub(crate) fn read(folder: &Folder<'_>, path: &Path) -> Result<Index, StoreError> {
        let Some(file) = folder.open_file(INDEX_FILE, Access::Read)? else {
            return Ok(Index::empty());
        };
        let mut text = String::new();
        file.take(MAX_INDEX_BYTES)
            .read_to_string(&mut text)
            .map_err(|e| unusable(path, e.to_string()))?;
        // Not serde's message: it can quote values, and the file may hold tokens.
        let index: Index = serde_json::from_str(&text).map_err(|e| {
            unusable(
                path,
                format!(
                    "not a session list written by apilogin: line {}, column {}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        if index.version != 1 {
            return Err(unusable(
                path,
                format!("version {} is not one this apilogin knows", index.version),
            ));
        }
        Ok(index)
    }

    /// Writes the index to a new `0600` file in the folder, then renames it over the old one,
    /// so that a failure never leaves half a file.
    pub(crate) fn write(&self, folder: &Folder<'_>, path: &Path) -> Result<(), StoreError> {
        let fail = |e: &dyn fmt::Display| unusable(path, e.to_string());
        // tempfile creates the file with mode 0600.
        let mut tmp = tempfile::Builder::new()
            .prefix(".sessions")
            .suffix(".tmp")
            .tempfile_in(&folder.path)
            .map_err(|e| fail(&e))?;
        let json = serde_json::to_string_pretty(self).map_err(|e| fail(&e))?;
        tmp.write_all(json.as_bytes())
            .and_then(|()| tmp.write_all(b"\n"))
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| fail(&e))?;
        tmp.persist(path).map_err(|e| fail(&e.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_of_a_later_apilogin_are_kept_and_no_secret_is_in_debug() {
        let text = r#"{"version": 1, "sessions": [{"service": "rocketchat",
            "base_url": "https://chat.example.com", "account": "alice", "storage": "file",
            "session": {"token": "tok-secret"}, "label": "work"}]}"#;
        let index: Index = serde_json::from_str(text).expect("reads");
        let entry = &index.sessions[0];
        assert_eq!(entry.kind(), Some(ServiceKind::RocketChat));
        assert_eq!(entry.extra["label"], "work");
        let back = serde_json::to_value(&index).expect("writes");
        assert_eq!(back["sessions"][0]["label"], "work");
        let debug = format!("{entry:?}");
        assert!(!debug.contains("tok-secret"), "{debug}");
        assert!(debug.contains("alice"), "{debug}");
        // A member the index itself does not know is not apilogin's format.
        assert!(
            serde_json::from_str::<Index>(r#"{"version": 1, "sessions": [], "x": 1}"#).is_err()
        );
    }
}
