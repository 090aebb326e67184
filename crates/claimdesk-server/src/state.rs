//! What every request handler shares.

use claimdesk_core::Policy;
use claimdesk_store::{Store, StoreError};

use crate::SharedHost;
use crate::auth::Throttle;

/// Settings keys in the store.
pub const SESSION_SECRET: &str = "session_secret";
pub const SECOND_REVIEW: &str = "require_second_review";
/// `false` lets claims be published without evidence; unset is on.
pub const PUBLISH_NEEDS_EVIDENCE: &str = "publish_needs_evidence";

#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// host:port
    pub bind: String,
    /// `serve --public-url`: where readers reach the installation when the
    /// `public_url` setting is unset (already checked by
    /// `claimdesk_core::input::public_base_url`).
    pub public_url: Option<String>,
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// actix worker threads; `None` is one per core.
    pub workers: Option<usize>,
    pub sessions: crate::auth::SessionPolicy,
    /// `serve --trusted-proxy`: requests from these addresses carry the
    /// client's address in `X-Forwarded-For`.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `serve --server-timing`: each response says the SQL statements its
    /// request issued and their time (`Server-Timing: db;…`). For
    /// profiling and the query-budget test: it tells a stranger how much
    /// work a request caused, so leave it off where the public can reach.
    pub server_timing: bool,
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
    /// The queue filters' users and outlets.
    pub choices: crate::cache::ChoicesCache,
    /// Each user's saved views and unread count, for the navigation.
    pub nav: crate::cache::NavCache,
    /// The lifecycle rules as pages show them ([`AppState::shown_policy`]).
    pub shown_policy: crate::cache::PolicyCache,
    /// The dashboard's figures, per period.
    pub stats: crate::cache::StatsCache,
    /// The public fact-check pages as last sent.
    pub public_pages: crate::cache::PublicPages,
    /// The checked claims' vectors, for the claim page.
    pub checked: crate::cache::CheckedClaims,
    /// Set from [`ServerOptions::sessions`] by [`crate::bind`].
    pub session_policy: crate::auth::SessionPolicy,
    /// Where published links point when the `public_url` setting is unset:
    /// `serve --public-url`, else the bound address (set by [`crate::bind`]).
    pub fallback_url: std::sync::OnceLock<PublicUrl>,
    /// The fact-check library and its encoder (off until
    /// [`AppState::with_library`]).
    pub library: crate::library::Library,
    /// The job engine, and whether ingests wait in it for a worker
    /// (`serve --no-inline-work`) instead of being checked in the request.
    pub work: Work,
    /// Set from [`ServerOptions::trusted_proxies`] by [`crate::bind`].
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The live queue's events.
    pub live: crate::live::Live,
    /// Request counts and latencies for `/metrics`.
    pub metrics: crate::metrics::Metrics,
    /// Set from [`ServerOptions::server_timing`] by [`crate::bind`].
    pub server_timing: bool,
}

/// The job engine as the server uses it.
#[derive(Debug, Clone, Default)]
pub struct Work {
    /// `None`: this server was started without one (tests); jobs then 404.
    pub jobs: Option<claimdesk_work::Jobs>,
    /// Queue ingests for `claimdesk worker` instead of checking them here.
    pub queue_ingests: bool,
    /// Feeds on loopback and private addresses may be added.
    pub allow_private_feeds: bool,
}

impl AppState {
    /// The client's address: the peer's, or, when the peer is a trusted
    /// proxy, the last address in `X-Forwarded-For` that is not one (the
    /// entries before it are whatever the client claimed). A malformed
    /// header counts as no header.
    pub fn client_address(&self, req: &actix_web::HttpRequest) -> Option<std::net::IpAddr> {
        let peer = req.peer_addr()?.ip();
        if !self.trusted_proxies.contains(&peer) {
            return Some(peer);
        }
        let mut forwarded = Vec::new();
        for value in req.headers().get_all("x-forwarded-for") {
            let Ok(text) = value.to_str() else { return Some(peer) };
            for part in text.split(',') {
                match part.trim().parse::<std::net::IpAddr>() {
                    Ok(ip) => forwarded.push(ip),
                    Err(_) => return Some(peer),
                }
            }
        }
        Some(forwarded.into_iter().rev().find(|ip| !self.trusted_proxies.contains(ip)).unwrap_or(peer))
    }

    /// Hears changes made on other nodes of the database at `url` (on
    /// PostgreSQL; SQLite has one node). Call on the server's runtime.
    pub fn with_live(mut self, url: &str) -> AppState {
        self.live.listen(url);
        self
    }

    /// Uses `work` for jobs.
    pub fn with_work(mut self, work: Work) -> AppState {
        self.work = work;
        self
    }

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
            choices: Default::default(),
            nav: Default::default(),
            shown_policy: Default::default(),
            stats: Default::default(),
            public_pages: Default::default(),
            checked: Default::default(),
            session_policy: Default::default(),
            fallback_url: Default::default(),
            library: crate::library::Library::off("the server was started without the sentence encoder"),
            work: Work::default(),
            trusted_proxies: Vec::new(),
            live: Default::default(),
            metrics: Default::default(),
            server_timing: false,
        })
    }

    /// Where readers reach this installation: the `public_url` setting
    /// (read on every call, so an admin's change reaches every node), else
    /// `serve --public-url`, else the bound address.
    pub async fn public_url(&self) -> Result<PublicUrl, StoreError> {
        let setting = self.store.setting(claimdesk_report::PUBLIC_URL).await?;
        if let Some(url) = setting.as_deref().and_then(|u| claimdesk_core::input::public_base_url(u).ok()) {
            return Ok(PublicUrl { url, source: PublicUrlSource::Setting });
        }
        Ok(self.fallback_url.get().cloned().unwrap_or(PublicUrl { url: "http://localhost".to_owned(), source: PublicUrlSource::Bind }))
    }

    /// The lifecycle rules as a page shows them (its buttons, its
    /// ratings): cached for [`crate::cache::USER_TTL`], forgotten by the
    /// node that changes a setting. Decisions use [`AppState::policy`].
    pub async fn shown_policy(&self) -> Result<Policy, StoreError> {
        if let Some(policy) = self.shown_policy.get() {
            return Ok(policy);
        }
        let policy = self.policy().await?;
        self.shown_policy.put(&policy);
        Ok(policy)
    }

    /// The lifecycle rules in force now (read on every change, so an
    /// admin's switch reaches every node at once).
    pub async fn policy(&self) -> Result<Policy, StoreError> {
        let scale = self.store.rating_scale().await?;
        let require_second_review = self.store.setting(SECOND_REVIEW).await?.as_deref() == Some("true");
        let publish_needs_evidence = self.store.setting(PUBLISH_NEEDS_EVIDENCE).await?.as_deref() != Some("false");
        Ok(Policy { scale, require_second_review, publish_needs_evidence })
    }
}

/// A base address for links readers follow, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// No trailing `/`.
    pub url: String,
    pub source: PublicUrlSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicUrlSource {
    /// The `public_url` setting.
    Setting,
    /// `serve --public-url`.
    Option,
    /// Guessed from the bound address: right only for readers on this
    /// machine, so pages warn about it.
    Bind,
}

impl PublicUrl {
    pub fn is_guess(&self) -> bool {
        self.source == PublicUrlSource::Bind
    }
}
