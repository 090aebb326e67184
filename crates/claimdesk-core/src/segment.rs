//! Sentence segmentation for news copy.
//!
//! Two passes. First the text is cut into *units* at line breaks that
//! always end a sentence: blank lines, list items, headings, lines that end
//! in terminal punctuation, and headline-like lines without it. Then each
//! unit is split at terminal punctuation, unless the full stop belongs to an
//! abbreviation, an initial, a number or an ellipsis inside a sentence, and
//! never inside a closed quotation — a quote and its attribution stay one
//! sentence. Datelines ("Washington:") and list markers are left out of the
//! sentence they precede.

use serde::{Deserialize, Serialize};

use crate::Span;
use crate::quotes::{Quote, quotes_in};

/// One sentence of a document.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sentence {
    /// Byte span, trimmed of surrounding white space.
    pub span: Span,
    /// Position in the document, from 0.
    pub index: usize,
    /// In `[0, 1]`; 0 until a check-worthiness scorer has run.
    pub checkworthiness: f32,
}

/// A run of text that no sentence or quotation crosses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unit {
    /// From the first to the last non-blank character.
    pub span: Span,
    /// Where sentences start: after any list marker or dateline.
    pub body_start: usize,
}

/// The sentences of `text`, in order.
pub fn segment(text: &str) -> Vec<Sentence> {
    let mut quotes = Vec::new();
    let mut spans = Vec::new();
    for unit in units(text) {
        quotes.clear();
        quotes_in(text, unit.span, &mut quotes);
        split_unit_into(text, unit, &quotes, &mut spans);
    }
    number(spans)
}

pub(crate) fn number(spans: Vec<Span>) -> Vec<Sentence> {
    spans.into_iter().enumerate().map(|(index, span)| Sentence { span, index, checkworthiness: 0.0 }).collect()
}

/// Cuts `text` into consecutive sections of about `target` bytes or more,
/// each ending where a unit ends for certain: at a blank line or after a
/// line that ends in terminal punctuation. No sentence or quotation crosses
/// a section boundary, so a very large input can be analysed and checked
/// section by section, in bounded memory, with the same sentences and
/// quotes as in one piece. (Only "he said" may then fail to find a name
/// given in an earlier section.)
pub fn sections(text: &str, target: usize) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    while text.len() - start > target {
        let Some(cut) = safe_cut_after(text, start + target) else { break };
        out.push(Span::new(start, cut));
        start = cut;
    }
    out.push(Span::new(start, text.len()));
    out
}

/// The first position after `from` just past a newline that ends a unit.
fn safe_cut_after(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while let Some(offset) = bytes.get(i..)?.iter().position(|&b| b == b'\n') {
        let newline = i + offset;
        let line_start = bytes[..newline].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        let line = text.get(line_start..newline).unwrap_or("").trim();
        let ends_sentence = line.trim_end_matches(is_closer).ends_with(['.', '!', '?', '…']);
        if line.is_empty() || ends_sentence {
            return Some(newline + 1);
        }
        i = newline + 1;
    }
    None
}

/// Cuts `text` into units; see the module documentation.
pub(crate) fn units(text: &str) -> Vec<Unit> {
    let mut out = Vec::new();
    let mut current: Option<Span> = None;
    let mut prev_line = "";
    let mut line_start = 0;
    for raw in text.split('\n') {
        let start = line_start;
        line_start += raw.len() + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            flush(text, current.take(), &mut out);
            continue;
        }
        let content = Span::new(start + (raw.len() - raw.trim_start().len()), start + raw.trim_end().len());
        current = match current {
            Some(unit) if !line_break_ends_sentence(prev_line, raw, trimmed) => Some(Span::new(unit.start, content.end)),
            other => {
                flush(text, other, &mut out);
                Some(content)
            }
        };
        prev_line = trimmed;
    }
    flush(text, current, &mut out);
    out
}

fn flush(text: &str, unit: Option<Span>, out: &mut Vec<Unit>) {
    if let Some(span) = unit {
        let content = span.slice(text).unwrap_or("");
        let marker = marker_len(content);
        let rest = content[marker..].trim_start();
        let skipped = content.len() - rest.len();
        let body_start = span.start + skipped + dateline_len(rest);
        out.push(Unit { span, body_start });
    }
}

/// Words that cannot end a line of running prose that was merely wrapped.
const CONTINUATIONS: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "and", "or", "but", "that", "as", "than", "his", "her",
    "their", "its", "our", "is", "was", "are", "were", "be", "who", "which",
];

fn line_break_ends_sentence(prev: &str, next_raw: &str, next: &str) -> bool {
    if marker_len(next) > 0 || next.starts_with('#') {
        return true;
    }
    if (marker_len(prev) > 0 && !next_raw.starts_with(char::is_whitespace)) || prev.starts_with('#') {
        return true;
    }
    let prev_end = prev.trim_end_matches(is_closer);
    if prev_end.ends_with(['.', '!', '?', '…']) {
        return true;
    }
    // A headline or a title line: no final punctuation, and the next line
    // starts as a sentence would.
    let last_word = prev.rsplit(char::is_whitespace).next().unwrap_or("");
    let dangling =
        prev.ends_with([',', ';', ':', '-', '—', '–', '(', '/', '&']) || CONTINUATIONS.iter().any(|w| w.eq_ignore_ascii_case(last_word));
    let starts_sentence = next.starts_with(|c: char| c.is_uppercase() || is_opener(c));
    !dangling && starts_sentence
}

/// Length of a list or heading marker at the start of `line` ("- ", "• ",
/// "12. ", "b) ", "## "), including the space after it; 0 if none.
fn marker_len(line: &str) -> usize {
    let bytes = line.as_bytes();
    let spaced = |n: usize| if line[n..].starts_with(' ') || line[n..].starts_with('\t') { n + 1 } else { 0 };
    if let Some(c) = line.chars().next()
        && matches!(c, '-' | '*' | '•' | '–' | '·' | '▪')
    {
        return spaced(c.len_utf8());
    }
    let hashes = bytes.iter().take_while(|&&b| b == b'#').count();
    if (1..=6).contains(&hashes) {
        return spaced(hashes);
    }
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if (1..=3).contains(&digits) && matches!(bytes.get(digits), Some(b'.' | b')')) {
        return spaced(digits + 1);
    }
    if bytes.len() > 2 && bytes[0].is_ascii_lowercase() && bytes[1] == b')' {
        return spaced(2);
    }
    0
}

/// Length of a dateline such as "Washington: ", "KYIV, Ukraine — " or
/// "LONDON (Reuters) - " at the start of a paragraph, or 0. Only taken when
/// a substantial sentence follows, so a headline like "Trump: No deal" is
/// not mistaken for one.
fn dateline_len(s: &str) -> usize {
    let mut words = 0;
    let mut commas = 0;
    let mut i = 0;
    let b = s.as_bytes();
    loop {
        let word: &str = s[i..].split([' ', ',', ':', '(']).next().unwrap_or("");
        if !word.starts_with(|c: char| c.is_uppercase()) || !word.chars().all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '’' | '\''))
        {
            return 0;
        }
        words += 1;
        i += word.len();
        if words > 5 {
            return 0;
        }
        match b.get(i) {
            Some(b' ') if b.get(i + 1).is_some_and(|c| c.is_ascii_uppercase()) => i += 1,
            Some(b',') if commas == 0 && b.get(i + 1) == Some(&b' ') => {
                commas += 1;
                i += 2;
            }
            _ => break,
        }
    }
    if s[i..].starts_with(" (")
        && let Some(close) = s[i..].find(')')
        && close < 30
    {
        i += close + 1;
    }
    let rest = &s[i..];
    let sep = [": ", " — ", " – ", " - ", " -- "].iter().find(|sep| rest.starts_with(*sep)).map_or(0, |sep| sep.len());
    if sep == 0 {
        return 0;
    }
    let body = rest[sep..].trim_start();
    let starts_ok = body.starts_with(|c: char| c.is_uppercase() || is_opener(c));
    if starts_ok && body.len() >= 40 { s.len() - body.len() } else { 0 }
}

pub(crate) fn is_closer(c: char) -> bool {
    matches!(c, '”' | '’' | '"' | '\'' | ')' | ']' | '»')
}

pub(crate) fn is_opener(c: char) -> bool {
    matches!(c, '“' | '‘' | '"' | '\'' | '(' | '[' | '«')
}

/// Splits one unit's body into sentence spans appended to `out`.
pub(crate) fn split_unit_into(text: &str, unit: Unit, quotes: &[Quote], out: &mut Vec<Span>) {
    let bytes = text.as_bytes();
    let end = unit.span.end;
    let mut start = unit.body_start;
    let mut i = start;
    let mut q = 0;
    while i < end {
        let b = bytes[i];
        let is_terminal = matches!(b, b'.' | b'!' | b'?') || (b == 0xE2 && bytes.get(i + 1..i + 3) == Some(&[0x80, 0xA6]));
        if !is_terminal {
            i += 1;
            continue;
        }
        let run_end = terminal_run_end(text, i, end);
        while q < quotes.len() && quotes[q].span.end <= i {
            q += 1;
        }
        let inside_quote = quotes.get(q).is_some_and(|quote| quote.closed && quote.span.start < i && i < quote.span.end);
        // Inside a quotation only the punctuation that closes it can end the sentence.
        let breaks = !(inside_quote && run_end < quotes[q].span.end) && ends_sentence(text, start, i, run_end, end);
        if breaks {
            push_trimmed(text, Span::new(start, run_end), out);
            start = run_end;
        }
        i = run_end.max(i + 1);
    }
    push_trimmed(text, Span::new(start, end), out);
}

fn push_trimmed(text: &str, span: Span, out: &mut Vec<Span>) {
    let Some(s) = span.slice(text) else { return };
    let trimmed = s.trim_start();
    let start = span.start + (s.len() - trimmed.len());
    let end = start + trimmed.trim_end().len();
    if end > start {
        out.push(Span::new(start, end));
    }
}

/// End of the punctuation run starting at `i`: terminal marks, then closing
/// quotes and brackets (`.”`, `?!`, `...’)`).
fn terminal_run_end(text: &str, i: usize, end: usize) -> usize {
    let mut j = i;
    let mut chars = text[i..end].chars();
    for c in chars.by_ref() {
        if matches!(c, '.' | '!' | '?' | '…') {
            j += c.len_utf8();
        } else if is_closer(c) {
            j += c.len_utf8();
            break;
        } else {
            return j;
        }
    }
    for c in chars {
        if !is_closer(c) {
            break;
        }
        j += c.len_utf8();
    }
    j
}

/// Titles and other abbreviations that never end a sentence.
const NEVER_FINAL: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt", "cmdr", "adm", "maj", "brig", "cpl", "pvt",
    "st", "mt", "ft", "pres", "rev", "hon", "fr", "supt", "det", "insp", "atty", "amb", "messrs", "vs", "v", "e.g", "i.e", "cf", "viz",
    "approx", "ca", "cllr", "ald", "mme", "mlle",
];
/// Abbreviations that stand before a number: "No. 10", "p. 4", "Art. 5".
const BEFORE_NUMBER: &[&str] = &["no", "nos", "vol", "fig", "p", "pp", "art", "ch", "sec", "para", "op", "ed"];
/// Abbreviations that may or may not end a sentence: "in Jan. The vote",
/// "Acme Inc. said".
const AMBIGUOUS: &[&str] = &[
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc", "ltd", "co", "corp", "jr", "sr", "etc",
    "est", "dept", "univ", "assn", "bros", "ave", "blvd", "rd", "al",
];
/// Words that typically open a sentence; after an ambiguous abbreviation a
/// capitalised one of these means the sentence did end.
const STARTERS: &[&str] = &[
    "the", "a", "an", "he", "she", "it", "they", "we", "i", "you", "but", "and", "in", "on", "at", "this", "that", "these", "those", "his",
    "her", "its", "their", "our", "my", "there", "when", "while", "after", "before", "however", "meanwhile", "still", "yet", "so", "as",
    "if", "then", "now", "some", "many", "most", "both", "each", "all", "for", "with", "what", "who", "why", "how", "since", "despite",
    "although", "though", "during", "last", "next", "officials", "according", "earlier", "later", "asked",
];

fn in_list(list: &[&str], word: &str) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// Whether the punctuation at `i..run_end` ends the sentence begun at `start`.
fn ends_sentence(text: &str, start: usize, i: usize, run_end: usize, end: usize) -> bool {
    let after = &text[run_end..end];
    if after.is_empty() {
        return true;
    }
    if !after.starts_with(char::is_whitespace) {
        return false; // "U.S.", "3.5", "example.com", "Yahoo!News"
    }
    let rest = after.trim_start();
    let Some(next) = rest.chars().next() else { return true };
    if next.is_lowercase() || matches!(next, ',' | ';' | ':' | '%') {
        return false; // “Why now?” he asked. / approx. five
    }
    let punct = &text[i..run_end];
    if punct.starts_with(['!', '?']) {
        return true;
    }
    if punct.starts_with('…') || punct.starts_with("..") {
        return next.is_uppercase() || is_opener(next);
    }
    let before = &text[start..i];
    let token = before.rsplit(|c: char| c.is_whitespace() || matches!(c, '“' | '"' | '‘' | '(' | '[' | '—')).next().unwrap_or("");
    let token = token.trim_start_matches(|c: char| !c.is_alphanumeric());
    if token.is_empty() {
        return true;
    }
    if in_list(NEVER_FINAL, token) {
        return false;
    }
    if in_list(BEFORE_NUMBER, token) && next.is_ascii_digit() {
        return false;
    }
    let initial = token.chars().count() == 1 && token.chars().all(char::is_uppercase);
    let dotted = token.contains('.'); // U.S., a.m., D.C.
    if initial || dotted || in_list(AMBIGUOUS, token) {
        let next_word = rest.split(|c: char| !c.is_alphabetic()).next().unwrap_or("");
        return in_list(STARTERS, next_word);
    }
    true
}

#[cfg(test)]
mod tests;
