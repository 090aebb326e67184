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

/// Where `quote` (text a reader selected on a page, its white space as
/// the browser gave it) stands in `body`: byte offsets of its first
/// occurrence, white space compared as "some white space". `None` when it
/// is not there or holds nothing but white space.
pub fn quote_span(body: &str, quote: &str) -> Option<(usize, usize)> {
    let words: Vec<&str> = quote.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    // The body with each run of white space as one space, and where each
    // of its bytes came from.
    let mut flat = String::with_capacity(body.len());
    let mut origin: Vec<usize> = Vec::with_capacity(body.len());
    let mut in_space = false;
    for (at, c) in body.char_indices() {
        if c.is_whitespace() {
            if !in_space && !flat.is_empty() {
                flat.push(' ');
                origin.push(at);
            }
            in_space = true;
            continue;
        }
        in_space = false;
        for _ in 0..c.len_utf8() {
            origin.push(at);
        }
        flat.push(c);
    }
    let needle = words.join(" ");
    let found = flat.find(&needle)?;
    let last = found + needle.len() - 1;
    let start = origin[found];
    let end = origin[last] + body[origin[last]..].chars().next().map_or(1, char::len_utf8);
    Some((start, end))
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
    fn a_selection_is_found_whatever_its_white_space() {
        let body = "Fees doubled last year.\n\nThe mayor said the pier cost  less than 4 million. Café prices rose.";
        let (s, e) = quote_span(body, "pier cost less than\n4 million").unwrap();
        assert_eq!(&body[s..e], "pier cost  less than 4 million");
        let (s, e) = quote_span(body, " last year. The mayor ").unwrap();
        assert_eq!(&body[s..e], "last year.\n\nThe mayor", "across a paragraph break");
        let (s, e) = quote_span(body, "Café").unwrap();
        assert_eq!(&body[s..e], "Café");
        assert_eq!(quote_span(body, "prices fell"), None);
        assert_eq!(quote_span(body, " \n "), None);
    }

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
