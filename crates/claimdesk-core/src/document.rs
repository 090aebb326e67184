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

    /// SHA-256 of the body, hex: re-ingesting the same text is recognised.
    /// White space at the ends is ignored; everything else counts.
    pub fn content_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.body.trim().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_ignores_surrounding_whitespace_only() {
        let a = Document::new("Prices rose 3%.");
        let b = Document::new("\n Prices rose 3%.  \n");
        let c = Document::new("Prices rose 4%.");
        assert_eq!(a.content_hash(), b.content_hash());
        assert_ne!(a.content_hash(), c.content_hash());
        assert_eq!(Document::new("").content_hash(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(a.language, "en");
    }
}
