//! Errors as responses: pages get an HTML error page (or a redirect to the
//! login), the API gets JSON. Nothing a user sends may turn into a 500.

use actix_web::http::StatusCode;
use actix_web::http::header::{ContentType, LOCATION, WWW_AUTHENTICATE};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use claimdesk_core::TransitionError;
use claimdesk_store::StoreError;

/// Every error a request can end in, pages and API alike. Each variant has
/// a stable snake_case [`AppError::code`] that API clients may match on
/// (the JSON answer is `{ "code": …, "message": … }`); pages show the
/// message on an HTML error page. Handlers of pages return `AppError`;
/// handlers of the API return [`ApiError`], the same error rendered as JSON.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A page needs a login; the answer redirects to it, then back here.
    #[error("log in first")]
    LoginRequired(String),
    /// The API needs a valid bearer token.
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// Input refused: malformed, out of range, or unsafe.
    #[error("{0}")]
    BadRequest(String),
    /// A name (of a user, say) that is taken.
    #[error("{0}")]
    Duplicate(String),
    /// The claim changed since the client read it.
    #[error("{0}")]
    StaleVersion(String),
    /// The lifecycle does not allow this now (the claim's status, a missing
    /// second review).
    #[error("{0}")]
    NotAllowedNow(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("too many failed logins; try again in {0} seconds")]
    TooManyRequests(u64),
    /// The database is locked or read-only, or the work took too long.
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The stable name API clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::LoginRequired(_) => "login_required",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Duplicate(_) => "duplicate",
            AppError::StaleVersion(_) => "stale_version",
            AppError::NotAllowedNow(_) => "not_allowed_now",
            AppError::TooLarge(_) => "too_large",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::LoginRequired(_) => StatusCode::SEE_OTHER,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) | AppError::Duplicate(_) => StatusCode::BAD_REQUEST,
            AppError::StaleVersion(_) | AppError::NotAllowedNow(_) => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the user is told: internal details go to the log instead.
    fn public_message(&self) -> String {
        match self {
            AppError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                "Something went wrong on our side; the error is in the server log.".to_owned()
            }
            other => other.to_string(),
        }
    }
}

impl From<StoreError> for AppError {
    /// The one table from store errors to answers.
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        match e {
            StoreError::NotFound { .. } => AppError::NotFound(message),
            StoreError::StaleVersion { .. } => AppError::StaleVersion(message),
            StoreError::Transition(t) => t.into(),
            StoreError::Duplicate { .. } => AppError::Duplicate(message),
            StoreError::Invalid(_) => AppError::BadRequest(message),
            StoreError::Locked(_) | StoreError::ReadOnly(_) | StoreError::Open { .. } => AppError::Unavailable(message),
            StoreError::UnsupportedUrl(_) | StoreError::Migration(_) | StoreError::Corrupt { .. } | StoreError::Db(_) => {
                AppError::Internal(message)
            }
        }
    }
}

impl From<TransitionError> for AppError {
    fn from(t: TransitionError) -> Self {
        let message = t.to_string();
        match t {
            TransitionError::Forbidden { .. } => AppError::Forbidden(message),
            TransitionError::UnknownRating(_)
            | TransitionError::MissingExplanation
            | TransitionError::MissingReason
            | TransitionError::SummaryTooLong { .. }
            | TransitionError::EvidenceAddress
            | TransitionError::ArchiveAddress
            | TransitionError::MissingSpeaker
            | TransitionError::SpeakerTooLong { .. } => AppError::BadRequest(message),
            TransitionError::Illegal { .. }
            | TransitionError::NeedsSecondReview
            | TransitionError::NoSecondReview
            | TransitionError::AlreadyApproved
            | TransitionError::SelfApproval(_)
            | TransitionError::OwnVerdict
            | TransitionError::NeedsEvidence => AppError::NotAllowedNow(message),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("rendering failed: {e}"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    reason: &'a str,
    code: &'a str,
    message: String,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    /// An HTML error page (or, for a missing login, the redirect to it).
    fn error_response(&self) -> HttpResponse {
        if let AppError::LoginRequired(next) = self {
            let target = format!("/login?next={}", url_encode(next));
            return HttpResponse::SeeOther().insert_header((LOCATION, target)).finish();
        }
        let status = self.status();
        let page = ErrorPage {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("Error"),
            code: self.code(),
            message: self.public_message(),
        };
        let body = page.render().unwrap_or_else(|_| "error".to_owned());
        HttpResponse::build(status).content_type(ContentType::html()).body(body)
    }
}

/// Everything but unreserved characters and `/` gets percent-encoded.
const QUERY_VALUE: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b'/');

/// Percent-encodes a query value (everything but unreserved characters
/// and `/`), by the percent-encoding crate.
pub fn url_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// An [`AppError`] answered as JSON: what API handlers return. Anything
/// that converts into an `AppError` converts into this, so `?` works alike.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self.0 {
            // The API has no login page to send anyone to.
            AppError::LoginRequired(_) => StatusCode::UNAUTHORIZED,
            ref other => other.status(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        if matches!(self.0, AppError::Unauthorized(_)) {
            response.insert_header((WWW_AUTHENTICATE, "Bearer"));
        }
        response.json(serde_json::json!({ "code": self.0.code(), "message": self.0.public_message() }))
    }
}

fn is_api(req: &HttpRequest) -> bool {
    req.path().starts_with("/api/")
}

fn payload_error(req: &HttpRequest, message: String, too_large: bool) -> actix_web::Error {
    let error = if too_large { AppError::TooLarge(message) } else { AppError::BadRequest(message) };
    answer(req, error)
}

/// `error` as the request's side expects it: JSON under `/api/`, else HTML.
pub fn answer(req: &HttpRequest, error: AppError) -> actix_web::Error {
    if is_api(req) { ApiError(error).into() } else { error.into() }
}

pub fn form_error(err: actix_web::error::UrlencodedError, req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::UrlencodedError;
    let too_large = matches!(err, UrlencodedError::Overflow { .. } | UrlencodedError::Payload(actix_web::error::PayloadError::Overflow));
    let message =
        if too_large { format!("the form is larger than {} KiB", crate::FORM_LIMIT / 1024) } else { format!("malformed form: {err}") };
    payload_error(req, message, too_large)
}

pub fn json_error(err: actix_web::error::JsonPayloadError, req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError;
    let too_large = matches!(err, JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. });
    payload_error(req, format!("malformed JSON body: {err}"), too_large)
}

pub fn query_error(err: actix_web::error::QueryPayloadError, req: &HttpRequest) -> actix_web::Error {
    payload_error(req, format!("malformed query string: {err}"), false)
}

pub fn path_error(err: actix_web::error::PathError, req: &HttpRequest) -> actix_web::Error {
    // `/claims/abc` names no claim: a 404, like an unknown number.
    answer(req, AppError::NotFound(format!("no such page: {err}")))
}

pub async fn not_found(req: HttpRequest) -> HttpResponse {
    answer(&req, AppError::NotFound(format!("nothing at {}", req.path()))).error_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(url_encode("/claims/4?x=1&y=a b"), "/claims/4%3Fx%3D1%26y%3Da%20b");
        assert_eq!(url_encode("café-~_."), "caf%C3%A9-~_.");
    }

    #[test]
    fn pages_and_api_answer_store_errors_alike() {
        let errors = [
            (StoreError::NotFound { what: "claim", id: 7 }, 404, "not_found"),
            (StoreError::StaleVersion { id: 7, expected: 1, found: 2 }, 409, "stale_version"),
            (StoreError::Locked("busy".into()), 503, "unavailable"),
            (StoreError::Duplicate { what: "user", name: "ann".into() }, 400, "duplicate"),
            (StoreError::Transition(TransitionError::MissingReason), 400, "bad_request"),
            (StoreError::Transition(TransitionError::NeedsSecondReview), 409, "not_allowed_now"),
            (StoreError::Corrupt { table: "claims", column: "status", reason: "x".into() }, 500, "internal"),
        ];
        for (e, status, code) in errors {
            let page = AppError::from(e);
            assert_eq!((page.status().as_u16(), page.code()), (status, code), "{page}");
            assert_eq!(ApiError(page).status_code().as_u16(), status);
        }
    }

    #[test]
    fn every_variant_has_its_own_code() {
        let m = || String::new();
        let all = [
            AppError::LoginRequired(m()),
            AppError::Unauthorized(m()),
            AppError::Forbidden(m()),
            AppError::NotFound(m()),
            AppError::BadRequest(m()),
            AppError::Duplicate(m()),
            AppError::StaleVersion(m()),
            AppError::NotAllowedNow(m()),
            AppError::TooLarge(m()),
            AppError::TooManyRequests(1),
            AppError::Unavailable(m()),
            AppError::Internal(m()),
        ];
        let mut codes: Vec<&str> = all.iter().map(AppError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len(), "two variants share a code");
        // The API has no login page: a missing login is 401 there, 303 on pages.
        assert_eq!(
            (AppError::LoginRequired(m()).status().as_u16(), ApiError(AppError::LoginRequired(m())).status_code().as_u16()),
            (303, 401)
        );
    }
}
