//! An expired stored session renewed without the password, once for every process sharing
//! the store: the renewal runs under the store's lock, and whoever gets the lock next finds
//! the renewed session on disk instead of sending a second request.

use std::time::Duration;

use super::error::{Expiry, StoreError};
use super::folder::Folder;
use super::index::{Entry, Index};
use super::{Storage, Store, keyring};
use crate::error::LoginError;
use crate::session::Session;

/// A session with less than this left is renewed before it is handed out, so that it does
/// not expire during the caller's first calls.
pub(crate) const RENEW_MARGIN: Duration = Duration::from_secs(60);

/// Whether two reads of a stored session are the same session (a renewal changes the token or
/// the expiry; Rocket.Chat's `resume` keeps the token).
fn same(a: &Session, b: &Session) -> bool {
    a.token() == b.token() && a.expires_at() == b.expires_at()
}

/// Whether `session` is to be renewed before use: it says when it expires, and that is near.
pub(crate) fn due(session: &Session) -> bool {
    session.expires_in().is_some_and(|left| left < RENEW_MARGIN)
}

/// The session of `entry`, renewed (`x-apilogin.relogin`) and stored in its place, unless
/// another process did it meanwhile. `refused` is a session the server refused (a 401): it is
/// renewed although not due, unless the stored one is no longer it. Where the service cannot
/// renew, or refuses to: [`StoreError::Expired`].
pub(crate) async fn renew(
    store: &Store,
    entry: &Entry,
    refused: Option<&Session>,
) -> Result<Session, StoreError> {
    let folder = Folder::open(&store.dir, &store.notify)?.ok_or(StoreError::Forgotten)?;
    let _lock = folder.lock_async().await?;
    // The index as it is now: another process may have renewed (or forgotten) the session.
    let mut index = Index::read(&folder, &store.index_path)?;
    let current = index
        .sessions
        .iter_mut()
        .find(|e| e.same_key(entry))
        .ok_or(StoreError::Forgotten)?;
    let session = store.load(current)?;
    // Another process renewed it since `refused` was read: its renewal is ours.
    let still_refused = refused.is_some_and(|r| same(r, &session));
    if !due(&session) && !still_refused {
        return Ok(session);
    }
    let expired = |why: Expiry| StoreError::Expired {
        service: session.kind(),
        server: current.base_url.clone(),
        account: current.account.clone(),
        why,
    };
    if !session.can_renew() {
        return Err(expired(Expiry::CannotRenew));
    }
    let renewed = match session.relogin().await {
        Ok(renewed) => renewed,
        Err(LoginError::SessionRejected { .. } | LoginError::BadCredentials { .. }) => {
            return Err(expired(Expiry::Refused));
        }
        Err(e) => return Err(StoreError::Renewal(e)),
    };
    let serialize =
        |e: serde_json::Error| super::folder::unusable(&store.index_path, e.to_string());
    match current.storage {
        Storage::File => current.session = Some(serde_json::to_value(&renewed).map_err(serialize)?),
        Storage::Keyring => {
            let json = serde_json::to_string(&renewed).map_err(serialize)?;
            keyring::set(&current.keyring_user(), &json).map_err(|reason| {
                super::folder::unusable(
                    &store.index_path,
                    format!("the renewed session cannot be kept in the OS keyring ({reason})"),
                )
            })?;
        }
    }
    // Where it was in the login order: a renewal is not a new login.
    index.write(&folder, &store.index_path)?;
    Ok(renewed)
}
