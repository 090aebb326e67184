//! Direct quotes and scare quotes.
//!
//! Quotes are paired inside one *unit* of text (a paragraph line group, see
//! `segment`), never across paragraphs, so one missing closing mark cannot
//! swallow the rest of an article. Curly and straight quotes are both
//! understood; `’` between letters is an apostrophe, not a closing mark.

use serde::{Deserialize, Serialize};

use crate::Span;
use crate::segment::units;

/// A quotation found in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The quotation including its marks.
    pub span: Span,
    /// The quoted words, without the marks.
    pub inner: Span,
    /// False for a quote opened at the start of a paragraph and never closed,
    /// the convention for a quotation that runs on into the next paragraph.
    pub closed: bool,
    /// Index into the analysis's attributions of who said it, if known.
    pub speaker: Option<usize>,
}

/// Every top-level quotation in `text`, in order. Quotes nested inside a
/// quotation belong to it and are not listed separately.
pub fn find_quotes(text: &str) -> Vec<Quote> {
    let mut quotes = Vec::new();
    for unit in units(text) {
        quotes_in(text, unit.span, &mut quotes);
    }
    quotes
}

#[derive(Clone, Copy, PartialEq)]
enum Mark {
    CurlyDouble,
    StraightDouble,
    CurlySingle,
    StraightSingle,
}

fn is_word_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric())
}

fn opens_after(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(c) => c.is_whitespace() || matches!(c, '(' | '[' | '—' | '–' | '-' | '/' | ':'),
    }
}

/// Appends the quotes inside `unit` to `out`.
pub(crate) fn quotes_in(text: &str, unit: Span, out: &mut Vec<Quote>) {
    let Some(slice) = unit.slice(text) else { return };
    let mut open: Option<(Mark, usize)> = None;
    let mut prev: Option<char> = None;
    let mut chars = slice.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let at = unit.start + i;
        let next = chars.peek().map(|&(_, n)| n);
        let mut close = |open: &mut Option<(Mark, usize)>, width: usize| {
            if let Some((_, start)) = open.take() {
                let end = at + width;
                out.push(Quote {
                    span: Span::new(start, end),
                    inner: Span::new(start + mark_len(text, start), at),
                    closed: true,
                    speaker: None,
                });
            }
        };
        match (c, open.map(|(m, _)| m)) {
            ('“', None) => open = Some((Mark::CurlyDouble, at)),
            ('”', Some(Mark::CurlyDouble)) => close(&mut open, c.len_utf8()),
            ('"', None) if opens_after(prev) && next.is_some_and(|n| !n.is_whitespace()) => open = Some((Mark::StraightDouble, at)),
            ('"', Some(Mark::StraightDouble)) => close(&mut open, 1),
            ('‘', None) if next.is_some_and(|n| !n.is_whitespace()) => open = Some((Mark::CurlySingle, at)),
            ('’', Some(Mark::CurlySingle)) if !is_word_char(next) && prev.is_some_and(|p| !p.is_whitespace()) => {
                close(&mut open, c.len_utf8())
            }
            ('\'', None) if opens_after(prev) && is_word_char(next) => open = Some((Mark::StraightSingle, at)),
            ('\'', Some(Mark::StraightSingle)) if !is_word_char(next) && prev.is_some_and(|p| !p.is_whitespace()) => close(&mut open, 1),
            _ => {}
        }
        prev = Some(c);
    }
    // A double quote opened at the very start of a unit and never closed is
    // a quotation running on into the next paragraph; anything else left
    // open is a stray mark or an apostrophe and is ignored.
    if let Some((Mark::CurlyDouble | Mark::StraightDouble, start)) = open {
        let content = slice.trim_start();
        if start == unit.start + (slice.len() - content.len()) {
            let end = unit.start + slice.trim_end().len();
            out.push(Quote {
                span: Span::new(start, end),
                inner: Span::new(start + mark_len(text, start), end),
                closed: false,
                speaker: None,
            });
        }
    }
}

fn mark_len(text: &str, at: usize) -> usize {
    text.get(at..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(text: &str) -> Vec<&str> {
        find_quotes(text).iter().map(|q| &text[q.inner.start..q.inner.end]).collect()
    }

    #[test]
    fn curly_straight_and_scare_quotes() {
        let text = "She called it “a turning point,” and he said \"not yet\". Critics mocked the ‘plan’ as ‘big talk’.";
        assert_eq!(quoted(text), ["a turning point,", "not yet", "plan", "big talk"]);
    }

    #[test]
    fn apostrophes_are_not_closing_marks() {
        let text = "The mayor’s aide said “there’s no plan,” while the ‘council’s view’ differed. It's 'fine'.";
        assert_eq!(quoted(text), ["there’s no plan,", "council’s view", "fine"]);
    }

    #[test]
    fn quotes_do_not_cross_paragraphs() {
        let text = "“We will win, and soon.\n\nThe vote is on Monday,” she said.";
        let quotes = find_quotes(text);
        assert_eq!(quotes.len(), 1);
        assert!(!quotes[0].closed);
        assert_eq!(&text[quotes[0].inner.start..quotes[0].inner.end], "We will win, and soon.");
        // A stray opening mark mid-paragraph is ignored.
        assert!(find_quotes("The so-called “deal was not signed.").is_empty());
    }
}
