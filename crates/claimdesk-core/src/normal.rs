//! Normal forms for recognising the same text: the key two copies of one
//! claim share, and the form a document's content hash is taken over.
//!
//! Invariant: both are pure functions of the text; changing either changes
//! what counts as "the same", so stored keys would have to be recomputed.

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// The text as its content hash sees it: Unicode NFC, every run of white
/// space (line endings included) one space, none at the ends. Two copies
/// that differ only in line endings, composed/decomposed accents or
/// spacing have the same normal form.
pub fn normalized_text(text: &str) -> String {
    let nfc: String = text.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The key of a claim's text: its words (letters and digits, compatibility
/// forms folded, case folded), hashed. "Crime rose 20%!" and "crime rose
/// 20 %" share a key; "Crime rose 21%" does not.
pub fn claim_key(text: &str) -> String {
    let folded = caseless::default_case_fold_str(&text.nfkc().collect::<String>());
    let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    hex(&Sha256::digest(words.join(" ").as_bytes())[..16])
}

/// SHA-256 of `text`, hex.
pub fn sha256_hex(data: impl AsRef<[u8]>) -> String {
    hex(&Sha256::digest(data.as_ref()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_form_folds_line_endings_spacing_and_composition() {
        assert_eq!(normalized_text("  Caf\u{65}\u{301} prices\r\nrose\r\n\r\n3%.\t "), "Caf\u{e9} prices rose 3%.");
        assert_eq!(normalized_text("a\rb"), "a b");
        assert_ne!(normalized_text("Prices rose 3%."), normalized_text("Prices rose 4%."));
        assert_eq!(normalized_text(""), "");
    }

    #[test]
    fn claim_keys_ignore_case_punctuation_and_spacing_only() {
        let key = claim_key("Crime rose 20% last year, the mayor said.");
        assert_eq!(key, claim_key("crime rose 20 %  last year the mayor said"));
        assert_eq!(key, claim_key("CRIME ROSE 20% LAST YEAR — THE MAYOR SAID!"));
        assert_eq!(key, claim_key("Ｃrime rose ２0% last year, the mayor said."));
        assert_ne!(key, claim_key("Crime rose 21% last year, the mayor said."));
        assert_ne!(key, claim_key("Crime fell 20% last year, the mayor said."));
        assert_eq!(key.len(), 32);
    }
}
