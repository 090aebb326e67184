//! Who is asking: password hashes, sessions, API tokens, roles and login
//! throttling.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_session::SessionExt;
use actix_web::{FromRequest, HttpRequest, web};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::{ApiError, PageError};

/// Session keys.
pub(crate) const SESSION_USER: &str = "uid";
pub(crate) const SESSION_CSRF: &str = "csrf";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reviews claims and gives verdicts.
    Checker,
    /// Also dismisses, publishes and builds reports.
    Editor,
    /// Also manages users and sees plugins.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Checker, Role::Editor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Checker => "checker",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

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
pub(crate) async fn hash_password_off_thread(password: String) -> Result<String, PageError> {
    actix_web::web::block(move || hash_password(&password))
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?
        .map_err(|e| PageError::Internal(e.to_string()))
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
}

impl Viewer {
    /// Refuses (403) unless the viewer has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), PageError> {
        if self.role >= role { Ok(()) } else { Err(PageError::Forbidden(format!("this needs the {} role", role.as_str()))) }
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

impl FromRequest for Viewer {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Viewer, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let login = || {
                let next = req.uri().path_and_query().map_or("/queue".to_owned(), |p| p.to_string());
                PageError::LoginRequired(next)
            };
            let session = req.get_session();
            let Some(id) = session.get::<i64>(SESSION_USER).ok().flatten() else {
                return Err(login());
            };
            let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| PageError::Internal("no state".into()))?;
            // Looked up on every request (cached for two seconds), so a
            // deactivation or role change takes effect at once on this node
            // and within two seconds on the others.
            let user = match state.users.get(&state.store, id).await? {
                Some(user) if user.active => user,
                _ => {
                    session.purge();
                    return Err(login());
                }
            };
            let role = Role::parse(&user.role).unwrap_or(Role::Checker);
            Ok(Viewer { id: user.id, name: user.name, role, csrf: session_csrf(&session) })
        })
    }
}

/// Caller of an API request, by bearer token.
#[derive(Debug, Clone)]
pub struct ApiUser {
    pub name: String,
    pub role: Role,
}

impl ApiUser {
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role >= role { Ok(()) } else { Err(ApiError::Forbidden(format!("this needs the {} role", role.as_str()))) }
    }
}

impl FromRequest for ApiUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<ApiUser, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let header = req.headers().get(actix_web::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let token = header
                .as_deref()
                .and_then(|h| h.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or(ApiError::Unauthorized("send `Authorization: Bearer TOKEN` (create one with `claimdesk token create`)"))?;
            let state = state.ok_or_else(|| ApiError::Internal("no state".into()))?;
            let user =
                state.store.user_by_token_hash(&token_hash(token)).await?.ok_or(ApiError::Unauthorized("unknown or revoked token"))?;
            Ok(ApiUser { name: user.name, role: Role::parse(&user.role).unwrap_or(Role::Checker) })
        })
    }
}

/// Failed logins per user name and per client address: after
/// [`Throttle::MAX_FAILURES`] within [`Throttle::WINDOW`], further attempts
/// are refused until the window has passed. Kept in memory: each node
/// throttles on its own, which still caps guessing at a few tries a minute.
#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    pub const MAX_FAILURES: u32 = 5;
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);

    /// Seconds to wait if any of `keys` is locked out.
    pub fn locked(&self, keys: &[&str]) -> Option<u64> {
        let map = self.failures.lock().ok()?;
        keys.iter()
            .filter_map(|k| map.get(*k))
            .filter(|(n, _)| *n >= Self::MAX_FAILURES)
            .filter_map(|(_, since)| Self::WINDOW.checked_sub(since.elapsed()))
            .map(|d| d.as_secs().max(1))
            .max()
    }

    pub fn fail(&self, keys: &[&str]) {
        if let Ok(mut map) = self.failures.lock() {
            if map.len() > 100_000 {
                map.retain(|_, (_, since)| since.elapsed() < Self::WINDOW);
            }
            for key in keys {
                let entry = map.entry((*key).to_owned()).or_insert((0, Instant::now()));
                if entry.1.elapsed() >= Self::WINDOW {
                    *entry = (0, Instant::now());
                }
                entry.0 += 1;
            }
        }
    }

    pub fn succeed(&self, key: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(key);
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
    fn throttle_locks_after_five_failures_per_key() {
        let t = Throttle::default();
        for _ in 0..4 {
            t.fail(&["user:ann", "ip:1"]);
        }
        assert_eq!(t.locked(&["user:ann"]), None);
        t.fail(&["user:ann", "ip:1"]);
        assert!(t.locked(&["user:ann"]).is_some_and(|s| s > 800));
        assert!(t.locked(&["user:bob", "ip:1"]).is_some(), "the address is locked too");
        assert_eq!(t.locked(&["user:bob", "ip:2"]), None);
        t.succeed("user:ann");
        assert_eq!(t.locked(&["user:ann"]), None);
    }

    #[test]
    fn roles_are_ordered_and_parse() {
        assert!(Role::Admin > Role::Editor && Role::Editor > Role::Checker);
        assert_eq!(Role::parse("editor"), Some(Role::Editor));
        assert_eq!(Role::parse("root"), None);
    }
}
