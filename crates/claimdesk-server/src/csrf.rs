//! CSRF: the synchronizer-token pattern. Each session holds a random token
//! (inside the encrypted session cookie); every state-changing form sends
//! it back as `csrf_token`, compared in constant time. A cross-site form
//! cannot read the token, so it cannot forge the field.

use actix_session::Session;
use subtle::ConstantTimeEq;

use crate::auth::SESSION_CSRF;
use crate::error::AppError;

/// Refuses (403) unless `submitted` is this session's token.
pub fn verify(session: &Session, submitted: Option<&str>) -> Result<(), AppError> {
    let expected = session.get::<String>(SESSION_CSRF).ok().flatten();
    match (expected, submitted) {
        (Some(expected), Some(submitted)) if bool::from(expected.as_bytes().ct_eq(submitted.as_bytes())) => Ok(()),
        _ => Err(AppError::Forbidden("the form's security token is missing or out of date (reload the page and submit again)".to_owned())),
    }
}
