//! Small read caches for the hot pages. Each node keeps its own; what they
//! hold is either immutable (a document's title and outlet) or allowed to
//! lag by [`USER_TTL`] on other nodes (a user's role and active flag; the
//! node that makes a change forgets its entry at once).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use claimdesk_store::{Session, Store, StoreError, User};

pub const USER_TTL: Duration = Duration::from_secs(2);
/// Entries kept before a cache starts over (bounds memory, not correctness).
const MAX_ENTRIES: usize = 50_000;

#[derive(Debug, Default)]
pub struct UserCache(Mutex<HashMap<i64, (Instant, User)>>);

impl UserCache {
    /// User `id`, from the cache when fresh; `None` when there is no such user.
    pub async fn get(&self, store: &Store, id: i64) -> Result<Option<User>, StoreError> {
        if let Ok(map) = self.0.lock()
            && let Some((at, user)) = map.get(&id)
            && at.elapsed() < USER_TTL
        {
            return Ok(Some(user.clone()));
        }
        let user = match store.user(id).await {
            Ok(user) => user,
            Err(StoreError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(id, (Instant::now(), user.clone()));
        }
        Ok(Some(user))
    }

    pub fn forget(&self, id: i64) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(&id);
        }
    }
}

/// Session id hash → its row, for [`USER_TTL`]: a session ended on this
/// node is forgotten at once, one ended on another node is refused here
/// within [`USER_TTL`].
#[derive(Debug, Default)]
pub struct SessionCache(Mutex<HashMap<String, (Instant, Session)>>);

impl SessionCache {
    pub async fn get(&self, store: &Store, id_hash: &str) -> Result<Option<Session>, StoreError> {
        if let Ok(map) = self.0.lock()
            && let Some((at, session)) = map.get(id_hash)
            && at.elapsed() < USER_TTL
        {
            return Ok(Some(session.clone()));
        }
        let session = store.session(id_hash).await?;
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            match &session {
                Some(s) => {
                    map.insert(id_hash.to_owned(), (Instant::now(), s.clone()));
                }
                None => {
                    map.remove(id_hash);
                }
            }
        }
        Ok(session)
    }

    pub fn touched(&self, id_hash: &str, at: i64) {
        if let Ok(mut map) = self.0.lock()
            && let Some((_, s)) = map.get_mut(id_hash)
        {
            s.last_seen_at = at;
        }
    }

    pub fn forget(&self, id_hash: &str) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(id_hash);
        }
    }

    /// Forgets every session of `user_id` (their sessions were ended).
    pub fn forget_user(&self, user_id: i64) {
        if let Ok(mut map) = self.0.lock() {
            map.retain(|_, (_, s)| s.user_id != user_id);
        }
    }
}

/// Document id → (label, outlet). Documents are never edited after ingest.
#[derive(Debug, Default)]
pub struct LabelCache(Mutex<HashMap<i64, (String, Option<String>)>>);

impl LabelCache {
    pub async fn get(&self, store: &Store, ids: &[i64]) -> Result<HashMap<i64, (String, Option<String>)>, StoreError> {
        let mut found = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        if let Ok(map) = self.0.lock() {
            for id in ids {
                match map.get(id) {
                    Some(label) => {
                        found.insert(*id, label.clone());
                    }
                    None => missing.push(*id),
                }
            }
        } else {
            missing.extend_from_slice(ids);
        }
        if !missing.is_empty() {
            let loaded = store.document_labels(&missing).await?;
            if let Ok(mut map) = self.0.lock() {
                if map.len() + loaded.len() > MAX_ENTRIES {
                    map.clear();
                }
                map.extend(loaded.iter().map(|(k, v)| (*k, v.clone())));
            }
            found.extend(loaded);
        }
        Ok(found)
    }
}
