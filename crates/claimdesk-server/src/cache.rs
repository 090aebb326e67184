//! Small read caches for the hot pages. Each node keeps its own; what they
//! hold is either immutable (a document's title and outlet) or allowed to
//! lag by [`USER_TTL`] on other nodes (a user's role and active flag; the
//! node that makes a change forgets its entry at once).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use claimdesk_store::{DeskStats, Session, StatsVersion, Store, StoreError, User};

pub const USER_TTL: Duration = Duration::from_secs(2);
/// Entries kept before a cache starts over (bounds memory, not correctness).
const MAX_ENTRIES: usize = 50_000;

/// How long a user's navigation (saved views, unread count) may lag a
/// change made on another node; on the node that makes it, none.
pub const NAV_TTL: Duration = Duration::from_secs(10);

/// Entries that are fresh for [`USER_TTL`] (or another time to live)
/// after they were read from the store: the shared mechanism of the
/// caches here.
#[derive(Debug)]
struct Fresh<K, V>(Mutex<HashMap<K, (Instant, V)>>, Duration, usize);

impl<K, V> Default for Fresh<K, V> {
    fn default() -> Self {
        Fresh::new(USER_TTL, MAX_ENTRIES)
    }
}

impl<K, V> Fresh<K, V> {
    /// Entries fresh for `ttl`, at most `cap` of them.
    fn new(ttl: Duration, cap: usize) -> Self {
        Fresh(Mutex::new(HashMap::new()), ttl, cap)
    }
}

impl<K: std::hash::Hash + Eq, V: Clone> Fresh<K, V> {
    fn get<Q: std::hash::Hash + Eq + ?Sized>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
    {
        let map = self.0.lock().ok()?;
        map.get(key).filter(|(at, _)| at.elapsed() < self.1).map(|(_, v)| v.clone())
    }

    /// Remembers what the store said: `Some` is cached, `None` forgets.
    fn put(&self, key: K, value: Option<&V>) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= self.2 {
                map.clear();
            }
            match value {
                Some(v) => {
                    map.insert(key, (Instant::now(), v.clone()));
                }
                None => {
                    map.remove(&key);
                }
            }
        }
    }

    fn with_map(&self, f: impl FnOnce(&mut HashMap<K, (Instant, V)>)) {
        if let Ok(mut map) = self.0.lock() {
            f(&mut map);
        }
    }
}

#[derive(Debug, Default)]
pub struct UserCache(Fresh<i64, User>);

impl UserCache {
    /// User `id`, from the cache when fresh; `None` when there is no such user.
    pub async fn get(&self, store: &Store, id: i64) -> Result<Option<User>, StoreError> {
        if let Some(user) = self.0.get(&id) {
            return Ok(Some(user));
        }
        let user = match store.user(id).await {
            Ok(user) => Some(user),
            Err(StoreError::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        self.0.put(id, user.as_ref());
        Ok(user)
    }

    pub fn forget(&self, id: i64) {
        self.0.put(id, None);
    }
}

/// Session id hash → its row, for [`USER_TTL`]: a session ended on this
/// node is forgotten at once, one ended on another node is refused here
/// within [`USER_TTL`].
#[derive(Debug, Default)]
pub struct SessionCache(Fresh<String, Session>);

impl SessionCache {
    pub async fn get(&self, store: &Store, id_hash: &str) -> Result<Option<Session>, StoreError> {
        if let Some(session) = self.0.get(id_hash) {
            return Ok(Some(session));
        }
        let session = store.session(id_hash).await?;
        self.0.put(id_hash.to_owned(), session.as_ref());
        Ok(session)
    }

    pub fn touched(&self, id_hash: &str, at: i64) {
        self.0.with_map(|map| {
            if let Some((_, s)) = map.get_mut(id_hash) {
                s.last_seen_at = at;
            }
        });
    }

    pub fn forget(&self, id_hash: &str) {
        self.0.put(id_hash.to_owned(), None);
    }

    /// Forgets every session of `user_id` (their sessions were ended).
    pub fn forget_user(&self, user_id: i64) {
        self.0.with_map(|map| map.retain(|_, (_, s)| s.user_id != user_id));
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

/// The queue filters' choices — active users, the outlets documents name —
/// fresh for [`USER_TTL`]: the queue is the busiest page, and the outlets
/// are a scan of every document.
#[derive(Debug, Default)]
pub struct ChoicesCache(Fresh<(), (Vec<String>, Vec<String>)>);

impl ChoicesCache {
    pub async fn get(&self, store: &Store) -> Result<(Vec<String>, Vec<String>), StoreError> {
        if let Some(choices) = self.0.get(&()) {
            return Ok(choices);
        }
        let users = store.users().await?.into_iter().filter(|u| u.active).map(|u| u.name).collect();
        let choices = (users, store.outlets(false).await?);
        self.0.put((), Some(&choices));
        Ok(choices)
    }

    /// Forgets the choices (a user was added or changed on this node).
    pub fn forget(&self) {
        self.0.put((), None);
    }
}

/// User id → their saved views and unread notifications, for every page's
/// navigation. The node that changes either forgets the entry at once
/// (a view saved or deleted, notifications read: that user's; a note
/// written or edited, which may notify anyone: every entry); other nodes
/// see the change within [`NAV_TTL`].
#[derive(Debug)]
pub struct NavCache(Fresh<i64, (Vec<claimdesk_store::SavedView>, u64)>);

impl Default for NavCache {
    fn default() -> Self {
        NavCache(Fresh::new(NAV_TTL, MAX_ENTRIES))
    }
}

impl NavCache {
    pub async fn get(&self, store: &Store, user_id: i64) -> Result<(Vec<claimdesk_store::SavedView>, u64), StoreError> {
        if let Some(nav) = self.0.get(&user_id) {
            return Ok(nav);
        }
        let nav = (store.saved_views(user_id).await?, store.unread_notifications(user_id).await?);
        self.0.put(user_id, Some(&nav));
        Ok(nav)
    }

    pub fn forget(&self, user_id: i64) {
        self.0.put(user_id, None);
    }

    /// Forgets every user's entry (a note may have notified any of them).
    pub fn forget_all(&self) {
        self.0.with_map(HashMap::clear);
    }
}

/// The lifecycle rules as pages show them (which buttons, which ratings),
/// fresh for [`USER_TTL`]; the node that changes a setting forgets it at
/// once. A change itself reads the rules afresh ([`crate::state::AppState::policy`]),
/// so a switch reaches every node's decisions at once.
#[derive(Debug, Default)]
pub struct PolicyCache(Fresh<(), claimdesk_core::Policy>);

impl PolicyCache {
    pub fn get(&self) -> Option<claimdesk_core::Policy> {
        self.0.get(&())
    }

    pub fn put(&self, policy: &claimdesk_core::Policy) {
        self.0.put((), Some(policy));
    }

    pub fn forget(&self) {
        self.0.put((), None);
    }
}

/// Values kept with the version of the data they were made from, each
/// valid while the version read now is the same (and for at most its time
/// to live): the mechanism of the dashboard's, the public pages' and the
/// checked claims' caches. A value is made by one request at a time; those
/// that miss together wait for it.
#[derive(Debug)]
struct Versioned<K, Ver, V> {
    kept: Fresh<K, (Ver, V)>,
    making: tokio::sync::Mutex<()>,
}

impl<K: std::hash::Hash + Eq, Ver: PartialEq + Clone, V: Clone> Versioned<K, Ver, V> {
    fn new(ttl: Duration, cap: usize) -> Self {
        Versioned { kept: Fresh::new(ttl, cap), making: tokio::sync::Mutex::new(()) }
    }

    fn get<Q: std::hash::Hash + Eq + ?Sized>(&self, key: &Q, version: &Ver) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
    {
        self.kept.get(key).filter(|(at, _)| at == version).map(|(_, value)| value)
    }

    fn put(&self, key: K, version: Ver, value: &V) {
        self.kept.put(key, Some(&(version, value.clone())));
    }

    /// The value kept for `key` at `version`, else `make`'s (kept when it
    /// is `Ok`).
    async fn get_or_make<E>(&self, key: K, version: Ver, make: impl std::future::Future<Output = Result<V, E>>) -> Result<V, E> {
        if let Some(value) = self.get(&key, &version) {
            return Ok(value);
        }
        let _making = self.making.lock().await;
        if let Some(value) = self.get(&key, &version) {
            return Ok(value);
        }
        let value = make.await?;
        self.put(key, version, &value);
        Ok(value)
    }

    fn forget_all(&self) {
        self.kept.with_map(HashMap::clear);
    }
}

/// The dashboard's figures per period, kept with the day and the
/// [`StatsVersion`] they were counted at: a view costs one statement (the
/// version) until a claim or an event is added on any node, or the day
/// turns; then they are counted again.
#[derive(Debug)]
pub struct StatsCache(Versioned<u32, (i64, StatsVersion), DeskStats>);

impl Default for StatsCache {
    fn default() -> Self {
        StatsCache(Versioned::new(Duration::MAX, MAX_ENTRIES))
    }
}

impl StatsCache {
    pub async fn get(&self, store: &Store, days: u32, now: i64) -> Result<DeskStats, StoreError> {
        let version = (now.div_euclid(86_400), store.stats_version().await?);
        self.0.get_or_make(days, version, store.desk_stats(days, now)).await
    }
}

/// Public pages kept, at most (each some tens of kilobytes; readers' query
/// strings are theirs to vary, so the bound is small).
const PUBLIC_PAGES: usize = 256;

/// The public fact-check pages as sent (content type and body), per
/// address, with the [`StatsVersion`] they were made at: what they show
/// changes only when a claim or an event is added (a publication, a
/// correction, an edit: every change to a claim writes an event) or a
/// report setting changes (the publisher's name, the public address),
/// which the node that changes it forgets at once and other nodes within
/// [`NAV_TTL`]. A view of a kept page costs one statement.
#[derive(Debug)]
pub struct PublicPages(Versioned<String, StatsVersion, (String, actix_web::web::Bytes)>);

impl Default for PublicPages {
    fn default() -> Self {
        PublicPages(Versioned::new(NAV_TTL, PUBLIC_PAGES))
    }
}

impl PublicPages {
    pub fn get(&self, address: &str, version: StatsVersion) -> Option<(String, actix_web::web::Bytes)> {
        self.0.get(address, &version)
    }

    pub fn put(&self, address: String, version: StatsVersion, content_type: String, body: actix_web::web::Bytes) {
        self.0.put(address, version, &(content_type, body));
    }

    pub fn forget_all(&self) {
        self.0.forget_all();
    }
}

/// The claims the desk checked, with their vectors decoded, for every
/// claim page's "similar to claims you found worth checking": kept with
/// the [`StatsVersion`] they were read at (a claim becomes checked through
/// an event) and for at most [`NAV_TTL`] (the matcher may store a checked
/// claim's vector later, which writes no event). Read from the store by
/// one view at a time: up to [`claimdesk_store::CHECKED_CLAIMS_COMPARED`]
/// vectors, megabytes, which every claim page view used to read.
#[derive(Debug)]
pub struct CheckedClaims(Versioned<(), StatsVersion, CheckedVectors>);

/// Checked claims (their vector bytes dropped) with their vectors.
pub type CheckedVectors = std::sync::Arc<Vec<(claimdesk_store::CheckedClaim, Vec<f32>)>>;

impl Default for CheckedClaims {
    fn default() -> Self {
        CheckedClaims(Versioned::new(NAV_TTL, 1))
    }
}

impl CheckedClaims {
    pub async fn get(&self, store: &Store) -> Result<CheckedVectors, StoreError> {
        let version = store.stats_version().await?;
        self.0
            .get_or_make((), version, async {
                // No claim has id 0: every checked claim, the viewed one
                // left out by the caller.
                let claims: Vec<_> = store
                    .checked_claim_vectors(0)
                    .await?
                    .into_iter()
                    .filter_map(|mut c| {
                        let vector = claimdesk_embed::from_bytes(&c.vector)?;
                        c.vector = Vec::new();
                        Some((c, vector))
                    })
                    .collect();
                Ok(std::sync::Arc::new(claims))
            })
            .await
    }
}

/// The cosine from which a claim counts as similar to one the desk checked
/// (claim against claim, both as the encoder reads them; a lower bar than
/// [`claimdesk_match::STRONG_COSINE`], which says "the same claim").
pub const SIMILAR_CHECKED: f32 = 0.7;

/// Of `checked` ([`CheckedClaims`]: the most recent
/// [`claimdesk_store::CHECKED_CLAIMS_COMPARED`] resolved or published
/// claims), those within [`SIMILAR_CHECKED`] of claim `id`'s stored
/// `vector`, closest first, at most `top`, claim `id` itself left out.
/// Empty when the claim has no vector yet.
pub fn similar_checked(
    checked: &[(claimdesk_store::CheckedClaim, Vec<f32>)],
    id: i64,
    vector: Option<&[f32]>,
    top: usize,
) -> Vec<(claimdesk_store::CheckedClaim, f32)> {
    let Some(vector) = vector else {
        return Vec::new();
    };
    let mut similar: Vec<(claimdesk_store::CheckedClaim, f32)> = checked
        .iter()
        .filter(|(c, _)| c.id != id)
        .filter_map(|(c, v)| {
            let cosine = claimdesk_embed::dot(v, vector);
            (cosine >= SIMILAR_CHECKED).then(|| (c.clone(), cosine))
        })
        .collect();
    similar.sort_by(|a, b| b.1.total_cmp(&a.1));
    similar.truncate(top);
    similar
}
