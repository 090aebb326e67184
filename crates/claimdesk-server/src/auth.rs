//! Who is asking: password hashes, sessions, API tokens, roles and login
//! throttling.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_session::SessionExt;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::{ApiError, AppError};

/// Session keys.
pub(crate) const SESSION_USER: &str = "uid";
pub(crate) const SESSION_ID: &str = "sid";
pub(crate) const SESSION_CSRF: &str = "csrf";

/// How long a login lasts. The cookie itself is a browser-session cookie
/// (no `Max-Age`); the server ends the session in the `sessions` table
/// after `idle` without a request or `lifetime` after the login, whichever
/// comes first, and on logout, password change, role change or
/// deactivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub lifetime: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy { idle: Duration::from_secs(2 * 3600), lifetime: Duration::from_secs(12 * 3600) }
    }
}

impl SessionPolicy {
    /// How stale `last_seen_at` may get before a request writes it again
    /// (a minute, or a quarter of the idle timeout when that is shorter).
    fn touch_every(&self) -> i64 {
        (self.idle.as_secs() as i64 / 4).clamp(1, 60)
    }

    /// Whether a session started at `created_at` and last seen at
    /// `last_seen_at` is over at `now` (unix seconds).
    pub fn expired(&self, created_at: i64, last_seen_at: i64, now: i64) -> bool {
        now - created_at >= self.lifetime.as_secs() as i64 || now - last_seen_at >= self.idle.as_secs() as i64
    }
}

/// Starts a server-side session for `user_id` in the cookie `session`.
pub(crate) async fn start_session(state: &AppState, session: &actix_session::Session, user_id: i64) -> Result<(), AppError> {
    let id = try_random_token(32).map_err(|e| AppError::Internal(e.to_string()))?;
    state.store.add_session(&token_hash(&id), user_id).await?;
    session.renew();
    session.clear();
    session.insert(SESSION_USER, user_id).map_err(|e| AppError::Internal(e.to_string()))?;
    session.insert(SESSION_ID, &id).map_err(|e| AppError::Internal(e.to_string()))?;
    session_csrf(session);
    // Now and then, forget sessions that ran out.
    let now = claimdesk_store::now();
    let policy = state.session_policy;
    let _ = state.store.purge_sessions(now - policy.idle.as_secs() as i64, now - policy.lifetime.as_secs() as i64).await;
    Ok(())
}

/// Ends the cookie's server-side session, if any.
pub(crate) async fn end_session(state: &AppState, session: &actix_session::Session) -> Result<(), AppError> {
    if let Ok(Some(id)) = session.get::<String>(SESSION_ID) {
        let hash = token_hash(&id);
        state.store.end_session(&hash).await?;
        state.sessions.forget(&hash);
    }
    session.purge();
    Ok(())
}

pub use claimdesk_core::Role;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error("the system's random source failed: {0}")]
    Random(String),
}

/// An argon2id PHC string for `password`, with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AuthError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AuthError::Hash(e.to_string()))?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| AuthError::Hash(e.to_string()))
}

/// [`hash_password`] on a blocking thread: argon2 is deliberately slow.
pub(crate) async fn hash_password_off_thread(password: String) -> Result<String, AppError> {
    actix_web::web::block(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Whether `password` matches the PHC string `hash` (false for a malformed hash).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// `bytes` random bytes as lowercase hex. Falls back to nothing: a failing
/// random source is reported by [`try_random_token`].
pub fn random_token(bytes: usize) -> String {
    try_random_token(bytes).unwrap_or_default()
}

pub fn try_random_token(bytes: usize) -> Result<String, AuthError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AuthError::Random(e.to_string()))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// What the store keeps of an API token: its SHA-256, hex. Tokens are
/// 256 random bits, so a fast hash is enough (no dictionary to attack).
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Logged-in user of a page request.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// This session's CSRF token, for the forms the page renders.
    pub csrf: String,
    /// The hash of this session's id, to ask later whether it still
    /// stands ([`session_stands`]).
    pub(crate) session_hash: String,
}

impl Viewer {
    /// Refuses (403) unless the viewer has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.role >= role { Ok(()) } else { Err(AppError::Forbidden(format!("this needs the {} role", role.as_str()))) }
    }
}

/// The session's CSRF token, created on first use.
pub(crate) fn session_csrf(session: &actix_session::Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(SESSION_CSRF) {
        return token;
    }
    let token = random_token(32);
    // An insert only fails to serialise a String, which cannot happen.
    let _ = session.insert(SESSION_CSRF, &token);
    token
}

/// Whether asking counts as the session's activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Touch {
    /// A request of the user's: it keeps the session from idling out.
    Yes,
    /// A check made on the user's behalf (an open live stream): it does
    /// not.
    No,
}

/// The user of session `hash`, if the session still stands: it exists
/// (not logged out, not ended by a password or role change), belongs to
/// user `id`, is within its timeouts, and the user is active. Sessions and
/// users are looked up through their caches, so a deactivation or role
/// change takes effect at once on this node and within
/// [`crate::cache::USER_TTL`] on the others. A session found expired is
/// ended.
pub(crate) async fn session_stands(state: &AppState, id: i64, hash: &str, touch: Touch) -> Result<Option<claimdesk_store::User>, AppError> {
    let now = claimdesk_store::now();
    let policy = state.session_policy;
    match state.sessions.get(&state.store, hash).await? {
        Some(s) if s.user_id == id && !policy.expired(s.created_at, s.last_seen_at, now) => {
            if touch == Touch::Yes && now - s.last_seen_at >= policy.touch_every() {
                state.store.touch_session(hash, now).await?;
                state.sessions.touched(hash, now);
            }
        }
        Some(_) => {
            state.store.end_session(hash).await?;
            state.sessions.forget(hash);
            return Ok(None);
        }
        None => return Ok(None),
    }
    Ok(state.users.get(&state.store, id).await?.filter(|user| user.active))
}

impl FromRequest for Viewer {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Viewer, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let login = || {
                let next = req.uri().path_and_query().map_or("/queue".to_owned(), |p| p.to_string());
                AppError::LoginRequired(next)
            };
            let session = req.get_session();
            let (Some(id), Some(sid)) = (session.get::<i64>(SESSION_USER).ok().flatten(), session.get::<String>(SESSION_ID).ok().flatten())
            else {
                session.purge();
                return Err(login());
            };
            let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| AppError::Internal("no state".into()))?;
            let hash = token_hash(&sid);
            let Some(user) = session_stands(state, id, &hash, Touch::Yes).await? else {
                session.purge();
                return Err(login());
            };
            let role = user.role;
            Ok(Viewer { id: user.id, name: user.name, role, csrf: session_csrf(&session), session_hash: hash })
        })
    }
}

/// Caller of an API request, by bearer token.
#[derive(Debug, Clone)]
pub struct ApiUser {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

impl ApiUser {
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role >= role { Ok(()) } else { Err(AppError::Forbidden(format!("this needs the {} role", role.as_str())).into()) }
    }

    /// The caller of `req` by its bearer token, or why not (401).
    async fn authenticate(req: &HttpRequest) -> Result<ApiUser, ApiError> {
        let header = req.headers().get(actix_web::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let token = header.and_then(|h| h.strip_prefix("Bearer ")).map(str::trim).filter(|t| !t.is_empty()).ok_or_else(|| {
            AppError::Unauthorized("send `Authorization: Bearer TOKEN` (create one with `claimdesk token create`)".to_owned())
        })?;
        let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| AppError::Internal("no state".into()))?;
        let user = state
            .store
            .user_by_token_hash(&token_hash(token))
            .await?
            .ok_or_else(|| AppError::Unauthorized("unknown or revoked token".to_owned()))?;
        Ok(ApiUser { id: user.id, name: user.name, role: user.role })
    }
}

impl FromRequest for ApiUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<ApiUser, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        // Under `/api/v1`, [`authenticate_first`] has already found the
        // caller; elsewhere (`/metrics`) it is found now.
        let known = req.extensions().get::<ApiUser>().cloned();
        let req = req.clone();
        Box::pin(async move {
            match known {
                Some(user) => Ok(user),
                None => ApiUser::authenticate(&req).await,
            }
        })
    }
}

/// The API's first step: the bearer token is checked before any handler
/// reads the body, so an unknown or revoked token is a 401 however
/// malformed (or large) the body is, and no body of an unauthenticated
/// caller is read. The caller found is kept for [`ApiUser`]'s extractor.
/// The OpenAPI document is public.
pub(crate) async fn authenticate_first(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.path().strip_prefix(crate::API_PREFIX) != Some("/openapi.json") {
        let user = ApiUser::authenticate(req.request()).await?;
        req.extensions_mut().insert(user);
    }
    next.call(req).await
}

/// Login throttling, per node, in memory. Three counters of failed logins
/// within [`Throttle::WINDOW`]:
/// - per (account, address): after [`Throttle::PAIR_LIMIT`] failures that
///   address may not try that account again until the window has passed;
/// - per address: after [`Throttle::ADDRESS_LIMIT`] it may not try any;
/// - per account, from every address: never a refusal (that would lock the
///   real user out), but each attempt then waits a little, up to
///   [`Throttle::MAX_DELAY`].
///
/// An attempt is counted when it starts, under one lock, so concurrent
/// attempts cannot all slip under a limit; it is taken back if it succeeds.
#[derive(Debug, Default)]
pub struct Throttle {
    counters: Mutex<HashMap<String, Counter>>,
}

#[derive(Debug, Clone, Copy)]
struct Counter {
    attempts: u32,
    since: Instant,
}

/// A login attempt under way; hand it back to [`Throttle::finish`].
#[derive(Debug)]
#[must_use]
pub struct Attempt {
    pair: String,
    address: String,
    account: String,
    /// How long to wait before checking the password.
    pub delay: Duration,
}

impl Throttle {
    pub const PAIR_LIMIT: u32 = 5;
    pub const ADDRESS_LIMIT: u32 = 20;
    /// Account-wide failures before attempts on it are slowed down.
    pub const ACCOUNT_SLOWDOWN: u32 = 5;
    pub const MAX_DELAY: Duration = Duration::from_secs(3);
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);

    fn live(map: &mut HashMap<String, Counter>, key: &str) -> u32 {
        match map.get(key) {
            Some(c) if c.since.elapsed() < Self::WINDOW => c.attempts,
            Some(_) => {
                map.remove(key);
                0
            }
            None => 0,
        }
    }

    fn wait(map: &HashMap<String, Counter>, key: &str) -> u64 {
        map.get(key).and_then(|c| Self::WINDOW.checked_sub(c.since.elapsed())).map_or(1, |d| d.as_secs().max(1))
    }

    /// Starts an attempt on `account` (a folded user name) from `address`:
    /// refused with the seconds to wait when a limit is reached.
    pub fn begin(&self, account: &str, address: &str) -> Result<Attempt, u64> {
        let pair = format!("pair:{account}\u{1f}{address}");
        let address = format!("ip:{address}");
        let account = format!("user:{account}");
        let Ok(mut map) = self.counters.lock() else { return Err(Self::WINDOW.as_secs()) };
        if map.len() > 100_000 {
            map.retain(|_, c| c.since.elapsed() < Self::WINDOW);
        }
        if Self::live(&mut map, &pair) >= Self::PAIR_LIMIT {
            return Err(Self::wait(&map, &pair));
        }
        if Self::live(&mut map, &address) >= Self::ADDRESS_LIMIT {
            return Err(Self::wait(&map, &address));
        }
        let failures = Self::live(&mut map, &account);
        let over = failures.saturating_sub(Self::ACCOUNT_SLOWDOWN - 1);
        let delay = Duration::from_millis(500 * u64::from(over)).min(Self::MAX_DELAY);
        for key in [&pair, &address, &account] {
            map.entry(key.clone()).or_insert(Counter { attempts: 0, since: Instant::now() }).attempts += 1;
        }
        Ok(Attempt { pair, address, account, delay })
    }

    /// Ends an attempt: a failure stays counted; a success takes back its
    /// count from every key and clears the account and the pair.
    pub fn finish(&self, attempt: Attempt, succeeded: bool) {
        if !succeeded {
            return;
        }
        if let Ok(mut map) = self.counters.lock() {
            map.remove(&attempt.pair);
            map.remove(&attempt.account);
            if let Some(c) = map.get_mut(&attempt.address) {
                c.attempts = c.attempts.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horse!", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
        assert_ne!(hash, hash_password("correct horse").unwrap(), "fresh salt each time");
    }

    #[test]
    fn throttle_refuses_a_pair_and_an_address_but_only_slows_an_account() {
        let t = Throttle::default();
        for _ in 0..Throttle::PAIR_LIMIT {
            let attempt = t.begin("ann", "10.0.0.1").unwrap();
            t.finish(attempt, false);
        }
        assert!(t.begin("ann", "10.0.0.1").is_err_and(|wait| wait > 800), "this address is done with ann");
        let from_home = t.begin("ann", "10.0.0.2").expect("the real user, elsewhere, may still try");
        assert!(from_home.delay > Duration::ZERO && from_home.delay <= Throttle::MAX_DELAY, "but waits a little");
        t.finish(from_home, true);
        assert_eq!(t.begin("ann", "10.0.0.3").unwrap().delay, Duration::ZERO, "a success clears the account");
        assert!(t.begin("bob", "10.0.0.1").is_ok(), "other accounts from that address are fine");
        // One address trying many accounts.
        let t = Throttle::default();
        for i in 0..Throttle::ADDRESS_LIMIT {
            let attempt = t.begin(&format!("user{i}"), "10.9.9.9").unwrap();
            t.finish(attempt, false);
        }
        assert!(t.begin("someone", "10.9.9.9").is_err());
    }

    #[test]
    fn concurrent_attempts_cannot_slip_under_the_limit() {
        let t = std::sync::Arc::new(Throttle::default());
        let started = std::sync::atomic::AtomicU32::new(0);
        std::thread::scope(|scope| {
            for _ in 0..32 {
                scope.spawn(|| {
                    // Held open while the others start: as if all 32 were
                    // checking their passwords at once.
                    if let Ok(attempt) = t.begin("admin", "10.0.0.9") {
                        started.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(50));
                        t.finish(attempt, false);
                    }
                });
            }
        });
        assert_eq!(started.into_inner(), Throttle::PAIR_LIMIT);
    }

    #[test]
    fn sessions_expire_when_idle_or_old() {
        let policy = SessionPolicy { idle: Duration::from_secs(100), lifetime: Duration::from_secs(1000) };
        assert!(!policy.expired(0, 0, 99));
        assert!(policy.expired(0, 0, 100), "idle for the whole idle timeout");
        assert!(!policy.expired(0, 950, 999), "busy, within the lifetime");
        assert!(policy.expired(0, 990, 1000), "busy, but past the lifetime");
        assert_eq!(policy.touch_every(), 25, "a quarter of a short idle timeout");
        assert_eq!(SessionPolicy::default().touch_every(), 60);
        assert_eq!((SessionPolicy::default().idle.as_secs(), SessionPolicy::default().lifetime.as_secs()), (7200, 43200));
    }

    #[test]
    fn roles_are_ordered_and_parse() {
        assert!(Role::Admin > Role::Editor && Role::Editor > Role::Checker);
        assert_eq!("editor".parse::<Role>(), Ok(Role::Editor));
        assert!("root".parse::<Role>().is_err());
    }
}
