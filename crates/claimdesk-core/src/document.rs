use serde::{Deserialize, Serialize};

/// An article as ingested: metadata plus the UTF-8 body every span refers to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Document {
    pub title: Option<String>,
    pub source_url: Option<String>,
    pub outlet: Option<String>,
    pub author: Option<String>,
    /// ISO 8601 date or date-time, as given by the source.
    pub published: Option<String>,
    /// BCP 47 language tag; `en` unless the source says otherwise.
    pub language: String,
    pub body: String,
}

impl Document {
    pub fn new(body: impl Into<String>) -> Self {
        Document { language: "en".to_owned(), body: body.into(), ..Document::default() }
    }

    /// Checks every field against the input policy ([`crate::input`]): the
    /// source URL is a web address, `published` a date or date-time, the
    /// language a plausible tag, metadata short, and no text holds a refused
    /// control character. Every way a document enters calls this before
    /// storing it, and the store calls it again.
    pub fn validate(&self) -> Result<(), DocumentError> {
        use crate::input::{check_text, check_url, is_published_date};
        let metadata = [
            ("title", &self.title),
            ("url", &self.source_url),
            ("outlet", &self.outlet),
            ("author", &self.author),
            ("published", &self.published),
        ];
        for (field, value) in metadata {
            if let Some(value) = value {
                check_text(field, value)?;
                if value.len() > MAX_METADATA {
                    return Err(DocumentError::TooLong { field });
                }
            }
        }
        check_text("body", &self.body)?;
        if let Some(url) = &self.source_url {
            check_url(url).map_err(|problem| DocumentError::Url { url: url.clone(), problem })?;
        }
        if let Some(date) = &self.published
            && !is_published_date(date)
        {
            return Err(DocumentError::Published(date.clone()));
        }
        let language_ok =
            !self.language.is_empty() && self.language.len() <= 35 && self.language.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !language_ok {
            return Err(DocumentError::Language(self.language.clone()));
        }
        Ok(())
    }

    /// SHA-256 of the body's normal form ([`crate::normalized_text`]: NFC,
    /// white space runs and line endings as one space), hex: re-ingesting
    /// the same text is recognised, whatever its line endings or spacing.
    pub fn content_hash(&self) -> String {
        crate::sha256_hex(crate::normalized_text(&self.body))
    }
}

/// Longest title, URL, outlet, author or date accepted, in bytes.
pub const MAX_METADATA: usize = 2048;

/// Why a document is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("url {url:?} {problem}")]
    Url { url: String, problem: crate::input::UrlProblem },
    #[error("published {0:?} is not a date (YYYY-MM-DD) or a date-time (RFC 3339, e.g. 2024-05-01T09:30:00Z)")]
    Published(String),
    #[error("language {0:?} is not a language tag such as en or pt-BR")]
    Language(String),
    #[error("{field} is longer than 2048 bytes")]
    TooLong { field: &'static str },
    #[error(transparent)]
    Control(#[from] crate::input::ControlChar),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_ignores_line_endings_spacing_and_composition() {
        let a = Document::new("Prices rose 3%.\n\nIn the caf\u{e9}, too.");
        let b = Document::new("\r\n Prices rose  3%.\r\n\r\nIn the cafe\u{301}, too.  \n");
        let c = Document::new("Prices rose 4%.\n\nIn the caf\u{e9}, too.");
        assert_eq!(a.content_hash(), b.content_hash());
        assert_ne!(a.content_hash(), c.content_hash());
        assert_eq!(Document::new("").content_hash(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(a.language, "en");
    }

    #[test]
    fn validation_refuses_unsafe_urls_bad_dates_and_control_characters() {
        let ok = Document {
            source_url: Some("https://news.example/a".into()),
            published: Some("2024-05-01T09:30:00Z".into()),
            ..Document::new("Officials said big progress.")
        };
        assert_eq!(ok.validate(), Ok(()));
        let js = Document { source_url: Some("javascript:alert(document.domain)".into()), ..ok.clone() };
        assert!(matches!(js.validate(), Err(DocumentError::Url { .. })));
        assert!(js.validate().unwrap_err().to_string().contains("must start with http:// or https://"));
        let date = Document { published: Some("not-a-date".into()), ..ok.clone() };
        assert!(matches!(date.validate(), Err(DocumentError::Published(_))));
        let nul = Document { body: "a\u{0}b".into(), ..ok.clone() };
        assert!(matches!(nul.validate(), Err(DocumentError::Control(_))));
        let title = Document { title: Some("x\u{1b}[31m".into()), ..ok.clone() };
        assert!(title.validate().unwrap_err().to_string().starts_with("title holds the control character U+001B"));
        let lang = Document { language: "en\"><".into(), ..ok.clone() };
        assert!(matches!(lang.validate(), Err(DocumentError::Language(_))));
        let long = Document { author: Some("a".repeat(MAX_METADATA + 1)), ..ok };
        assert_eq!(long.validate(), Err(DocumentError::TooLong { field: "author" }));
    }
}
