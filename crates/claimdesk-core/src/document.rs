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

    /// A stable fingerprint of the body (FNV-1a, 64 bit, hex), so that
    /// re-ingesting the same text can be recognised. Whitespace at the ends
    /// is ignored; everything else counts.
    pub fn content_hash(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in self.body.trim().bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
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
        assert_eq!(a.language, "en");
    }
}
