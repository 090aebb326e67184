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
const COMPARATIVE: &[&str] = &[
    "more", "less", "than", "most", "least", "increase", "increased", "decrease", "decreased", "doubled", "tripled", "cut", "rose", "fell",
    "higher", "lower", "largest", "biggest", "highest", "lowest", "record", "percent", "average", "rate",
];
const FIRST_PERSON: &[&str] = &["i", "we", "me", "my", "our", "us", "i'm", "i've", "we're", "we've"];
const MONEY: &[&str] = &["$", "dollars", "million", "billion", "trillion", "budget", "tax", "taxes", "deficit", "spending"];

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
        } else {
            in_digits = false;
            out.extend(c.to_lowercase());
        }
    }
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
    for raw in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')' | '"' | '“' | '”' | '—')) {
        let token = raw.trim_matches(|c: char| matches!(c, '.' | '!' | '?' | '\'' | '‘' | '’'));
        if token.is_empty() {
            continue;
        }
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
        money |= token.starts_with('$') || MONEY.contains(&word.as_str());
        year |= token.len() == 4 && (token.starts_with("19") || token.starts_with("20")) && token.bytes().all(|b| b.is_ascii_digit());
        comparative += usize::from(COMPARATIVE.contains(&word.as_str()));
        first_person |= FIRST_PERSON.contains(&word.as_str());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_reduced_to_their_shape() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        features("Taxes rose 14% in 2019.", FEATURE_BITS, &mut a);
        features("taxes rose 27% in 2021", FEATURE_BITS, &mut b);
        assert_eq!(a, b);
        assert!(a.iter().all(|&i| i < 1 << FEATURE_BITS));
        features("", FEATURE_BITS, &mut a);
        assert_eq!(a.len(), 2, "bias and the short-sentence cue");
    }

    #[test]
    fn long_input_is_linear_and_safe() {
        let text = "word ".repeat(20_000); // 100 KB, no punctuation
        let mut out = Vec::new();
        features(&text, FEATURE_BITS, &mut out);
        assert!(out.len() < 10);
    }
}
