//! Errors as responses: pages get an HTML error page (or a redirect to the
//! login), the API gets JSON. Nothing a user sends may turn into a 500.

use actix_web::http::StatusCode;
use actix_web::http::header::{ContentType, LOCATION, WWW_AUTHENTICATE};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use claimdesk_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("log in first")]
    LoginRequired(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("too many failed logins; try again in {0} seconds")]
    TooManyRequests(u64),
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// Which HTTP status a store error answers with: the one table pages, the
/// API and the claim forms all use.
pub fn store_status(e: &StoreError) -> StatusCode {
    match e {
        StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
        StoreError::StaleVersion { .. } | StoreError::Transition(_) => StatusCode::CONFLICT,
        StoreError::Duplicate { .. } | StoreError::Invalid(_) => StatusCode::BAD_REQUEST,
        StoreError::Locked(_) | StoreError::ReadOnly(_) | StoreError::Open { .. } => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl PageError {
    /// The error for `status` with `message` (statuses without a variant
    /// of their own are bad requests).
    pub fn with_status(status: StatusCode, message: String) -> PageError {
        match status {
            StatusCode::FORBIDDEN => PageError::Forbidden(message),
            StatusCode::NOT_FOUND => PageError::NotFound(message),
            StatusCode::CONFLICT => PageError::Conflict(message),
            StatusCode::PAYLOAD_TOO_LARGE => PageError::TooLarge(message),
            StatusCode::SERVICE_UNAVAILABLE => PageError::Unavailable(message),
            StatusCode::INTERNAL_SERVER_ERROR => PageError::Internal(message),
            _ => PageError::BadRequest(message),
        }
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        PageError::with_status(store_status(&e), e.to_string())
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        PageError::Internal(format!("rendering failed: {e}"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    reason: &'a str,
    message: String,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::LoginRequired(_) => StatusCode::SEE_OTHER,
            PageError::Forbidden(_) => StatusCode::FORBIDDEN,
            PageError::NotFound(_) => StatusCode::NOT_FOUND,
            PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::Conflict(_) => StatusCode::CONFLICT,
            PageError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            PageError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            PageError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let PageError::LoginRequired(next) = self {
            let target = format!("/login?next={}", url_encode(next));
            return HttpResponse::SeeOther().insert_header((LOCATION, target)).finish();
        }
        let status = self.status_code();
        let message = match self {
            // Internal details go to the log, not the page.
            PageError::Internal(detail) => {
                tracing::error!(%detail, "page request failed");
                "Something went wrong on our side; the error is in the server log.".to_owned()
            }
            other => other.to_string(),
        };
        let page = ErrorPage { status: status.as_u16(), reason: status.canonical_reason().unwrap_or("Error"), message };
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

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The error for `status` with `message` (statuses without a variant
    /// of their own are bad requests).
    pub fn with_status(status: StatusCode, message: String) -> ApiError {
        match status {
            StatusCode::FORBIDDEN => ApiError::Forbidden(message),
            StatusCode::NOT_FOUND => ApiError::NotFound(message),
            StatusCode::CONFLICT => ApiError::Conflict(message),
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge(message),
            StatusCode::SERVICE_UNAVAILABLE => ApiError::Unavailable(message),
            StatusCode::INTERNAL_SERVER_ERROR => ApiError::Internal(message),
            _ => ApiError::BadRequest(message),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::with_status(store_status(&e), e.to_string())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let message = match self {
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "API request failed");
                "internal error; see the server log".to_owned()
            }
            other => other.to_string(),
        };
        let mut response = HttpResponse::build(self.status_code());
        if matches!(self, ApiError::Unauthorized(_)) {
            response.insert_header((WWW_AUTHENTICATE, "Bearer"));
        }
        response.json(serde_json::json!({ "error": message, "status": self.status_code().as_u16() }))
    }
}

fn is_api(req: &HttpRequest) -> bool {
    req.path().starts_with("/api/")
}

fn payload_error(req: &HttpRequest, message: String, too_large: bool) -> actix_web::Error {
    match (is_api(req), too_large) {
        (true, true) => ApiError::TooLarge(message).into(),
        (true, false) => ApiError::BadRequest(message).into(),
        (false, true) => PageError::TooLarge(message).into(),
        (false, false) => PageError::BadRequest(message).into(),
    }
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
    let message = format!("no such page: {err}");
    if is_api(req) { ApiError::NotFound(message).into() } else { PageError::NotFound(message).into() }
}

pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let message = format!("nothing at {}", req.path());
    if is_api(&req) { ApiError::NotFound(message).error_response() } else { PageError::NotFound(message).error_response() }
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
            StoreError::NotFound { what: "claim", id: 7 },
            StoreError::StaleVersion { id: 7, expected: 1, found: 2 },
            StoreError::Locked("busy".into()),
            StoreError::Duplicate { what: "user", name: "ann".into() },
        ];
        let expected = [404, 409, 503, 400];
        for (e, want) in errors.into_iter().zip(expected) {
            let status = store_status(&e);
            assert_eq!(status.as_u16(), want, "{e}");
            assert_eq!(PageError::with_status(status, e.to_string()).status_code(), status);
            assert_eq!(ApiError::from(e).status_code(), status);
        }
    }
}
