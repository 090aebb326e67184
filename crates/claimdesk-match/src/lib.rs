//! Claim matching's pure parts: reading fact-check libraries as other
//! fact-checkers publish them ([`import`]), mixing the database's lexical
//! score with the encoder's cosine ([`fusion`]), an exact scan over 8-bit
//! vectors ([`index`]), and the retrieval measures `claimdesk eval` prints
//! ([`measure`]).
//!
//! Invariants:
//! - no I/O: callers hand in bytes and vectors;
//! - a record that cannot be imported is reported with its number and the
//!   others are kept; nothing here panics on input;
//! - rankings are deterministic: ties are broken by item id.

pub mod fusion;
pub mod import;
pub mod index;
pub mod measure;

pub use fusion::{Candidate, DEFAULT, Fusion, STRONG_COSINE, fuse};
pub use import::{FactCheck, ImportError, Parsed, Problem, parse};
pub use index::{EXACT_UP_TO, VectorIndex};
pub use measure::{Judged, Scores, read_qrels, score};

/// Words of a text for a full-text query: lower-case letters and digits,
/// without stop words and one-letter words, each once, in order. Both
/// databases' indexes get the same words (quoted, OR-ed).
pub fn query_terms(text: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() > 1 && !STOP_WORDS.contains(&w.as_str()))
        .filter(|w| seen.insert(w.clone()))
        .take(64)
        .collect()
}

/// Words too common to say what a claim is about, plus the debris of
/// tweets (links, `pic.twitter.com`).
const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "by", "with", "from", "is", "are", "was", "were", "be", "been",
    "being", "it", "its", "this", "that", "these", "those", "as", "but", "not", "no", "so", "if", "then", "than", "there", "their", "they",
    "them", "he", "she", "his", "her", "we", "our", "you", "your", "me", "my", "rt", "via", "http", "https", "pic", "twitter", "com",
    "www", "co", "amp",
];
