//! What every request handler shares.

use claimdesk_core::Policy;
use claimdesk_store::{Store, StoreError};

use crate::SharedHost;
use crate::auth::Throttle;

/// Settings keys in the store.
pub const SESSION_SECRET: &str = "session_secret";
pub const SECOND_REVIEW: &str = "require_second_review";

#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// host:port
    pub bind: String,
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// actix worker threads; `None` is one per core.
    pub workers: Option<usize>,
    pub sessions: crate::auth::SessionPolicy,
}

#[derive(Debug)]
pub struct AppState {
    pub store: Store,
    pub host: SharedHost,
    /// Signs and encrypts session cookies; shared by every node through
    /// the database so any node can read any session.
    pub session_secret: String,
    pub throttle: Throttle,
    pub counts: crate::pages::CountsCache,
    /// Verified against when a login names no user, so that answering
    /// takes as long as for a real one.
    pub dummy_hash: String,
    pub users: crate::cache::UserCache,
    pub labels: crate::cache::LabelCache,
    pub sessions: crate::cache::SessionCache,
    /// Set from [`ServerOptions::sessions`] by [`crate::bind`].
    pub session_policy: crate::auth::SessionPolicy,
    /// The fact-check library and its encoder (off until
    /// [`AppState::with_library`]).
    pub library: crate::library::Library,
}

impl AppState {
    /// Uses `library` for matching.
    pub fn with_library(mut self, library: crate::library::Library) -> AppState {
        self.library = library;
        self
    }

    pub async fn new(store: Store, host: SharedHost) -> Result<AppState, StoreError> {
        let session_secret = store.setting_or_insert(SESSION_SECRET, || crate::auth::random_token(64)).await?;
        let dummy_hash = crate::auth::hash_password(&crate::auth::random_token(16)).unwrap_or_default();
        Ok(AppState {
            store,
            host,
            session_secret,
            throttle: Throttle::default(),
            counts: Default::default(),
            dummy_hash,
            users: Default::default(),
            labels: Default::default(),
            sessions: Default::default(),
            session_policy: Default::default(),
            library: crate::library::Library::off("the server was started without the sentence encoder"),
        })
    }

    /// The lifecycle rules in force now (read on every change, so an
    /// admin's switch reaches every node at once).
    pub async fn policy(&self) -> Result<Policy, StoreError> {
        let scale = self.store.rating_scale().await?;
        let require_second_review = self.store.setting(SECOND_REVIEW).await?.as_deref() == Some("true");
        Ok(Policy { scale, require_second_review })
    }
}
