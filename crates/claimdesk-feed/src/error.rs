//! The one error type, with a kind callers can match on.

/// What went wrong with a feed or an article page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedErrorKind {
    /// The URL or the address it resolves to is not allowed.
    Refused,
    /// Could not connect, timed out, too many redirects.
    Network,
    /// The server answered with an error status.
    Status,
    /// The response exceeded the size limit.
    TooLarge,
    /// The response is not text (an image, an archive, …).
    NotText,
    /// The feed could not be parsed, or the page held no text.
    Malformed,
    /// A setting given by the user is invalid (`--every`).
    Invalid,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct FeedError {
    pub kind: FeedErrorKind,
    pub message: String,
}

impl FeedError {
    pub fn new(kind: FeedErrorKind, message: impl Into<String>) -> Self {
        FeedError { kind, message: message.into() }
    }
}
