/// Hash buckets: 2^18 weights, 1 MiB as `f32`.
pub const FEATURE_BITS: u32 = 18;

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

fn fnv(mut hash: u32, bytes: &[u8]) -> u32 {
    for &b in bytes {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// Words that signal a comparison or change: claims about the world.
fn is_comparative(word: &str) -> bool {
    matches!(
        word,
        "more"
            | "less"
            | "than"
            | "most"
            | "least"
            | "increase"
            | "increased"
            | "decrease"
            | "decreased"
            | "doubled"
            | "tripled"
            | "cut"
            | "rose"
            | "fell"
            | "higher"
            | "lower"
            | "largest"
            | "biggest"
            | "highest"
            | "lowest"
            | "record"
            | "percent"
            | "average"
            | "rate"
    )
}
fn is_first_person(word: &str) -> bool {
    matches!(word, "i" | "we" | "me" | "my" | "our" | "us" | "i'm" | "i've" | "we're" | "we've")
}
fn is_money(word: &str) -> bool {
    matches!(word, "$" | "dollars" | "million" | "billion" | "trillion" | "budget" | "tax" | "taxes" | "deficit" | "spending")
}

/// Lower-cases a token and reduces digit runs to `0`: "2019" → "0", "3.5%" → "0.0%".
fn normalise(token: &str, out: &mut String) {
    out.clear();
    let mut in_digits = false;
    for c in token.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('0');
            }
            in_digits = true;
            continue;
        }
        in_digits = false;
        // ASCII, the common case, skips Unicode case mapping (which cost a
        // third of the scoring time when every character went through it).
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// Which features a model reads; stored in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FeatureSet {
    /// Words and bigrams plus claim-structure cues (check-worthiness).
    #[default]
    Claims,
    /// Words, bigrams and trigrams only.
    Words,
    /// Only a bias among hashed features; the sentence's average word
    /// vector carries the rest (the model holds the vectors).
    Vectors,
}

impl FeatureSet {
    pub fn code(self) -> u32 {
        match self {
            FeatureSet::Claims => 0,
            FeatureSet::Words => 1,
            FeatureSet::Vectors => 2,
        }
    }

    pub fn from_code(code: u32) -> Option<FeatureSet> {
        match code {
            0 => Some(FeatureSet::Claims),
            1 => Some(FeatureSet::Words),
            2 => Some(FeatureSet::Vectors),
            _ => None,
        }
    }
}

/// Whether `c` separates tokens: white space and some punctuation.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')' | '"' | '“' | '”' | '—')
}

/// Whether `c` is trimmed from a token's ends: sentence punctuation and quotes.
fn is_trimmed(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '\'' | '‘' | '’')
}

/// The tokens features are made of: split on spaces and punctuation
/// ([`is_separator`]), sentence punctuation and quotes trimmed
/// ([`is_trimmed`]). Scans bytes and decodes a character only where a
/// byte is not ASCII: every model scores every sentence through this, and
/// splitting by `char` cost a fifth of the fast profile's word models.
pub(crate) fn tokens(text: &str) -> Tokens<'_> {
    Tokens { text, at: 0 }
}

/// The iterator of [`tokens`].
#[derive(Debug, Clone)]
pub(crate) struct Tokens<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        while self.at < bytes.len() {
            let (start, mut end) = (self.at, self.at);
            // The raw token: up to the next separator, which the next call starts after.
            self.at = bytes.len();
            while end < bytes.len() {
                let b = bytes[end];
                let c = if b.is_ascii() { char::from(b) } else { self.text[end..].chars().next().unwrap_or(' ') };
                if is_separator(c) {
                    self.at = end + c.len_utf8();
                    break;
                }
                end += c.len_utf8();
            }
            let token = self.text[start..end].trim_matches(is_trimmed);
            if !token.is_empty() {
                return Some(token);
            }
        }
        None
    }
}

/// The hashed indices of `text`'s features in `set` (deduplicated, sorted).
pub fn features_of(set: FeatureSet, text: &str, bits: u32, out: &mut Vec<u32>) {
    match set {
        FeatureSet::Claims => features(text, bits, out),
        FeatureSet::Words => word_features(text, bits, out),
        FeatureSet::Vectors => {
            out.clear();
            out.push(fnv(FNV_OFFSET, b"bias") & ((1u32 << bits) - 1));
        }
    }
}

/// Word unigrams, bigrams and trigrams (lower-cased, numbers by shape).
fn word_features(text: &str, bits: u32, out: &mut Vec<u32>) {
    out.clear();
    let mask = (1u32 << bits) - 1;
    out.push(fnv(FNV_OFFSET, b"bias") & mask);
    let mut word = String::new();
    let (mut prev, mut prev2): (Option<u32>, Option<u32>) = (None, None);
    for token in tokens(text) {
        normalise(token, &mut word);
        let unigram = fnv(fnv(FNV_OFFSET, b"w:"), word.as_bytes());
        out.push(unigram & mask);
        if let Some(p) = prev {
            let bigram = fnv(fnv(p, b" "), word.as_bytes()).wrapping_mul(FNV_PRIME) ^ 0x5bd1_e995;
            out.push(bigram & mask);
            if let Some(p2) = prev2 {
                out.push((fnv(fnv(p2, b"  "), &bigram.to_le_bytes()).wrapping_mul(FNV_PRIME) ^ 0x27d4_eb2d) & mask);
            }
        }
        prev2 = prev;
        prev = Some(unigram);
    }
    out.sort_unstable();
    out.dedup();
}

/// The hashed feature indices of `text` (deduplicated, sorted).
pub fn features(text: &str, bits: u32, out: &mut Vec<u32>) {
    out.clear();
    let mask = (1u32 << bits) - 1;
    let mut push = |hash: u32| out.push(hash & mask);
    push(fnv(FNV_OFFSET, b"bias"));
    let mut word = String::new();
    let mut prev_hash: Option<u32> = None;
    let (mut words, mut digits, mut percent, mut money, mut year, mut comparative, mut first_person) =
        (0, false, false, false, false, 0, false);
    for token in tokens(text) {
        words += 1;
        normalise(token, &mut word);
        let unigram = fnv(fnv(FNV_OFFSET, b"w:"), word.as_bytes());
        push(unigram);
        if let Some(prev) = prev_hash {
            push(fnv(fnv(prev, b" "), word.as_bytes()).wrapping_mul(FNV_PRIME) ^ 0x5bd1_e995);
        }
        prev_hash = Some(unigram);
        digits |= token.bytes().any(|b| b.is_ascii_digit());
        percent |= token.contains('%') || word == "percent";
        money |= token.starts_with('$') || is_money(&word);
        year |= token.len() == 4 && (token.starts_with("19") || token.starts_with("20")) && token.bytes().all(|b| b.is_ascii_digit());
        comparative += usize::from(is_comparative(&word));
        first_person |= is_first_person(&word);
    }
    let mut flag = |name: &[u8], on: bool| {
        if on {
            out.push(fnv(fnv(FNV_OFFSET, b"f:"), name) & mask);
        }
    };
    flag(b"digits", digits);
    flag(b"percent", percent);
    flag(b"money", money);
    flag(b"year", year);
    flag(b"comparative", comparative > 0);
    flag(b"comparative2", comparative > 1);
    flag(b"first_person", first_person);
    flag(b"question", text.trim_end().ends_with('?'));
    flag(b"short", words < 6);
    flag(b"long", words > 25);
    out.sort_unstable();
    out.dedup();
}

/// The claim-structure cues of [`features`] in plain words, as
/// explanations name them.
const CUES: [(&[u8], &str); 8] = [
    (b"digits", "a figure"),
    (b"percent", "a percentage"),
    (b"money", "money or a budget"),
    (b"year", "a year"),
    (b"comparative", "a comparison or change"),
    (b"comparative2", "several comparisons"),
    (b"first_person", "the speaker talking about themselves"),
    (b"question", "a question"),
];

/// The [`FeatureSet::Claims`] cues of a sentence that an explanation can
/// name, in plain words (from [`CUES`]), each with its hashed index.
/// `present` is the sentence's features as [`features`] computes them
/// (sorted), which the caller has already: naming costs a few lookups, no
/// second pass over the words. Words, bigrams, the length cues and the bias
/// are not named (a word says little to a checker on its own).
pub fn named_features(bits: u32, present: &[u32]) -> Vec<(&'static str, u32)> {
    let mask = (1u32 << bits) - 1;
    CUES.iter()
        .map(|(name, words)| (*words, fnv(fnv(FNV_OFFSET, b"f:"), name) & mask))
        .filter(|(_, index)| present.binary_search(index).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_features_are_the_cues_present() {
        let mut all = Vec::new();
        features("Unemployment in Leeds dropped to 4% in 2019, more than ever?", FEATURE_BITS, &mut all);
        let names: Vec<&str> = named_features(FEATURE_BITS, &all).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["a figure", "a percentage", "a year", "a comparison or change", "several comparisons", "a question"]);
        features("We thank you.", FEATURE_BITS, &mut all);
        assert_eq!(
            named_features(FEATURE_BITS, &all).into_iter().map(|(n, _)| n).collect::<Vec<_>>(),
            ["the speaker talking about themselves"]
        );
    }

    #[test]
    fn tokens_split_as_chars_would() {
        // The definition, by `char`: what the byte scanner must match.
        fn by_chars(text: &str) -> Vec<&str> {
            text.split(is_separator).map(|raw| raw.trim_matches(is_trimmed)).filter(|t| !t.is_empty()).collect()
        }
        let cases = [
            "",
            "  ",
            "Prices rose 12% (to $4.5bn), the ministry said: \"not 'so' fast!\"",
            "“Quoted,” she said—then left… ‘done’.",
            "tab\tnew\nline\u{0b}vt\u{0c}ff\r\u{a0}nbsp\u{2003}em\u{3000}ideo\u{85}nel",
            "Über-Ärger 2019: café's naïve résumé; 日本語のテキスト。",
            "...?!'' ‘’ .a. b",
            "ends with a separator,",
            "é",
        ];
        for text in cases {
            assert_eq!(tokens(text).collect::<Vec<_>>(), by_chars(text), "{text:?}");
        }
        // Every character the two sets name, and some others, in random strings.
        let alphabet: Vec<char> = " \t\n\u{b}\u{c}\r,;:()\"“”—.!?'‘’aZ9é\u{a0}\u{2028}日-".chars().collect();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..2000 {
            let length = next(24);
            let text: String = (0..length).map(|_| alphabet[next(alphabet.len())]).collect();
            assert_eq!(tokens(&text).collect::<Vec<_>>(), by_chars(&text), "{text:?}");
        }
    }

    #[test]
    fn numbers_are_reduced_to_their_shape() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        features("Taxes rose 14% in 2019.", FEATURE_BITS, &mut a);
        features("taxes rose 27% in 2021", FEATURE_BITS, &mut b);
        assert_eq!(a, b);
        assert!(a.iter().all(|&i| i < 1 << FEATURE_BITS));
        let mut word = String::new();
        normalise("Über-Ärger2019x3", &mut word);
        assert_eq!(word, "über-ärger0x0", "non-ASCII letters lower-cased too");
        features("", FEATURE_BITS, &mut a);
        assert_eq!(a.len(), 2, "bias and the short-sentence cue");
    }

    #[test]
    fn long_input_is_linear_and_safe() {
        let text = "word ".repeat(20_000); // 100 KB, no punctuation
        let mut out = Vec::new();
        features(&text, FEATURE_BITS, &mut out);
        assert!(out.len() < 10);
        features_of(FeatureSet::Words, &text, FEATURE_BITS, &mut out);
        assert_eq!(out.len(), 4, "bias, one word, one bigram, one trigram");
    }

    #[test]
    fn word_features_see_order_but_not_case_or_figures() {
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        features_of(FeatureSet::Words, "Some critics say 40 people", FEATURE_BITS, &mut a);
        features_of(FeatureSet::Words, "some critics say 12 people", FEATURE_BITS, &mut b);
        features_of(FeatureSet::Words, "critics say some 12 people", FEATURE_BITS, &mut c);
        assert_eq!(a, b);
        assert_ne!(a, c, "bigrams and trigrams differ");
        assert_eq!(a.len(), 1 + 5 + 4 + 3);
    }
}
