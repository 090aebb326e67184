//! Helpers plugin authors need again and again: word-bounded phrase
//! matching and looking at neighbouring words.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// A set of phrases matched case-insensitively (ASCII) and only on word
/// boundaries, each with a payload.
///
/// Built on aho-corasick with its DFA forced: with more than ~100 phrases
/// the default picks an NFA that scans about 4× slower.
#[derive(Debug, Clone)]
pub struct PhraseSet<T> {
    matcher: AhoCorasick,
    payloads: Vec<T>,
    /// Phrases starting with `-` (suffixes such as "-like") match inside a
    /// hyphenated word, so only their end must be a word boundary.
    suffix: Vec<bool>,
}

/// One match of a [`PhraseSet`].
#[derive(Debug, Clone, Copy)]
pub struct PhraseMatch<'p, T> {
    pub start: usize,
    pub end: usize,
    pub payload: &'p T,
}

impl<T> PhraseSet<T> {
    pub fn new<'a>(entries: impl IntoIterator<Item = (&'a str, T)>) -> Result<Self, String> {
        let (patterns, payloads): (Vec<&str>, Vec<T>) = entries.into_iter().unzip();
        let suffix = patterns.iter().map(|p| p.starts_with('-')).collect();
        let matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .map_err(|e| e.to_string())?;
        Ok(PhraseSet { matcher, payloads, suffix })
    }

    /// One set from several word lists, each with its own payload.
    pub fn from_lists(lists: &[(&[&str], T)]) -> Result<Self, String>
    where
        T: Copy,
    {
        PhraseSet::new(lists.iter().flat_map(|&(list, payload)| list.iter().map(move |&phrase| (phrase, payload))))
    }

    /// Word-bounded matches in `text`, left to right, not overlapping.
    pub fn find_iter<'s, 't: 's>(&'s self, text: &'t str) -> impl Iterator<Item = PhraseMatch<'s, T>> + 's {
        self.matcher.find_iter(text).filter_map(move |m| {
            let index = m.pattern().as_usize();
            let start_ok = self.suffix.get(index).copied().unwrap_or(false) || !char_before(text, m.start()).is_some_and(is_word_char);
            let end_ok = !char_after(text, m.end()).is_some_and(is_word_char);
            (start_ok && end_ok).then(|| PhraseMatch { start: m.start(), end: m.end(), payload: &self.payloads[index] })
        })
    }
}

pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

pub fn char_before(text: &str, at: usize) -> Option<char> {
    text.get(..at)?.chars().next_back()
}

pub fn char_after(text: &str, at: usize) -> Option<char> {
    text.get(at..)?.chars().next()
}

/// The word ending just before `at` (skipping spaces), with its start.
pub fn prev_word(text: &str, at: usize) -> Option<(usize, &str)> {
    let before = text.get(..at)?.trim_end();
    let start = before
        .rfind(|c: char| !is_word_char(c) && c != '-' && c != '’' && c != '\'')
        .map_or(0, |i| i + before[i..].chars().next().map_or(1, char::len_utf8));
    let word = &before[start..];
    (!word.is_empty()).then_some((start, word))
}

/// The word starting just after `at` (skipping spaces), with its end.
pub fn next_word(text: &str, at: usize) -> Option<(usize, &str)> {
    let after = text.get(at..)?;
    let skipped = after.len() - after.trim_start().len();
    let rest = &after[skipped..];
    let len = rest.find(|c: char| !is_word_char(c) && c != '-' && c != '’' && c != '\'').unwrap_or(rest.len());
    let word = &rest[..len];
    (!word.is_empty()).then_some((at + skipped + len, word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_bounded_case_insensitive_matches() {
        let set = PhraseSet::new([("progress", 1), ("big progress", 2), ("-like", 3)]).unwrap();
        let text = "BIG PROGRESS, progressive talks, Article 5-like terms, unlike before";
        let found: Vec<_> = set.find_iter(text).map(|m| (&text[m.start..m.end], *m.payload)).collect();
        assert_eq!(found, [("BIG PROGRESS", 2), ("-like", 3)]);
    }

    #[test]
    fn neighbouring_words() {
        let text = "an “understanding” was reached";
        let at = text.find("understanding").unwrap();
        assert_eq!(prev_word(text, at - "“".len()), Some((0, "an")));
        let end = at + "understanding".len();
        assert_eq!(next_word(text, end + "”".len()).map(|(_, w)| w), Some("was"));
        assert_eq!(prev_word(text, 0), None);
    }
}
