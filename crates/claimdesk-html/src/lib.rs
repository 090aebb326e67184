//! The one entry point for HTML that comes from outside: uploaded and
//! fetched documents, feed items and article pages, and fact-check pages
//! imported into the library.
//!
//! Building a tree costs time in proportion to the nesting depth for every
//! element (html5ever scans the stack of open elements), so unbounded
//! nesting makes parsing quadratic: 20k nested `<div>`s took 2 s, 100k more
//! than 40 s. Every input is therefore first measured by a linear pass of
//! the tokenizer ([`check`]) and refused past [`MAX_DEPTH`]; then parsed in
//! chunks, the clock read between them, and given up past its time budget.
//!
//! Invariants:
//! - no tree is built of HTML that nests deeper than [`MAX_DEPTH`];
//! - neither the check nor the parse runs on more than one
//!   [`CHUNK`]-sized step past its budget;
//! - nothing here panics on any `&str`.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::time::{Duration, Instant};

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer};

/// Deepest element nesting an HTML input may have. Real articles nest a
/// few dozen deep; with this bound parsing stays linear in the input's size.
pub const MAX_DEPTH: usize = 256;

/// The time one input may take to check and parse, unless the caller
/// gives another.
pub const TIME_BUDGET: Duration = Duration::from_secs(10);

/// Bytes handed to the tokenizer or the parser between looks at the clock.
pub const CHUNK: usize = 64 * 1024;

/// Why HTML was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HtmlError {
    #[error("document too deeply nested: HTML elements nest {depth} deep, over the limit of {limit}")]
    TooDeep { depth: usize, limit: usize },
    #[error("reading the HTML took longer than {} seconds; try a smaller file", .budget.as_secs_f32())]
    OverBudget { budget: Duration },
}

/// `html` as a tree, after [`check`], within `budget` (both steps
/// together).
pub fn parse_document(html: &str, budget: Duration) -> Result<scraper::Html, HtmlError> {
    let started = Instant::now();
    check(html, budget)?;
    let mut parser = html5ever::driver::parse_document(scraper::HtmlTreeSink::new(scraper::Html::new_document()), Default::default());
    for chunk in chunks(html) {
        if started.elapsed() >= budget {
            return Err(HtmlError::OverBudget { budget });
        }
        parser.process(StrTendril::from_slice(chunk));
    }
    Ok(parser.finish())
}

/// Refuses HTML whose elements would nest more than [`MAX_DEPTH`] deep, or whose
/// check takes longer than `budget`, by a linear pass of html5ever's
/// tokenizer (no tree is built). For inputs another parser will read (the
/// readability extractor), this is the whole entry check. Depth is counted
/// from start and end tags: void elements and elements whose end tag may
/// be left out (`p`, `li`, `td`…) do not nest by themselves, and an element
/// left open counts until the end, as it would in the tree.
pub fn check(html: &str, budget: Duration) -> Result<(), HtmlError> {
    let started = Instant::now();
    let tokenizer = Tokenizer::new(Depth::default(), Default::default());
    let input = BufferQueue::default();
    for chunk in chunks(html) {
        if started.elapsed() >= budget {
            return Err(HtmlError::OverBudget { budget });
        }
        input.push_back(StrTendril::from_slice(chunk));
        // Read on past the limit: the pass is linear, and the error tells
        // how deep the input really nests.
        let _ = tokenizer.feed(&input);
    }
    tokenizer.end();
    let depth = tokenizer.sink.deepest.get();
    if depth > MAX_DEPTH { Err(HtmlError::TooDeep { depth, limit: MAX_DEPTH }) } else { Ok(()) }
}

/// `text` in pieces of about [`CHUNK`] bytes, cut on `char` boundaries.
fn chunks(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = CHUNK.min(rest.len());
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        let (head, tail) = rest.split_at(end);
        rest = tail;
        Some(head)
    })
}

/// Elements that never nest: void elements and those whose end tag is
/// optional (closed by their next sibling or their parent's end).
const FLAT: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param", "keygen", "p", "li",
    "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rtc", "rp", "html",
    "head", "body",
];

/// The tokenizer's sink: counts open elements.
#[derive(Default)]
struct Depth {
    open: RefCell<HashMap<html5ever::LocalName, usize>>,
    depth: Cell<usize>,
    deepest: Cell<usize>,
}

impl TokenSink for Depth {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else { return TokenSinkResult::Continue };
        let name: &str = &tag.name;
        if FLAT.contains(&name) {
            return TokenSinkResult::Continue;
        }
        let mut open = self.open.borrow_mut();
        match tag.kind {
            TagKind::StartTag if !tag.self_closing => {
                *open.entry(tag.name.clone()).or_default() += 1;
                self.depth.set(self.depth.get() + 1);
                self.deepest.set(self.deepest.get().max(self.depth.get()));
            }
            TagKind::StartTag => {}
            TagKind::EndTag => {
                if let Some(n) = open.get_mut(&tag.name).filter(|n| **n > 0) {
                    *n -= 1;
                    self.depth.set(self.depth.get().saturating_sub(1));
                }
            }
        }
        // The tokenizer alone does not know where raw text starts.
        match (tag.kind, name) {
            (TagKind::StartTag, "script") => TokenSinkResult::RawData(RawKind::ScriptData),
            (TagKind::StartTag, "style" | "xmp" | "iframe" | "noembed" | "noframes") => TokenSinkResult::RawData(RawKind::Rawtext),
            (TagKind::StartTag, "textarea" | "title") => TokenSinkResult::RawData(RawKind::Rcdata),
            _ => TokenSinkResult::Continue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(n: usize) -> String {
        format!("{}deep{}", "<div>".repeat(n), "</div>".repeat(n))
    }

    #[test]
    fn deeply_nested_html_is_refused_before_parsing() {
        assert_eq!(check(&nested(MAX_DEPTH), TIME_BUDGET), Ok(()));
        assert_eq!(check(&nested(MAX_DEPTH + 1), TIME_BUDGET), Err(HtmlError::TooDeep { depth: 257, limit: 256 }));
        // Left open, elements still nest; closed ones do not add up.
        assert!(check(&"<span>x".repeat(300), TIME_BUDGET).is_err());
        assert_eq!(check(&"<div><b>x</b></div>".repeat(10_000), TIME_BUDGET), Ok(()));
        // Optional end tags (a page of unclosed paragraphs) and tags inside
        // scripts or comments do not nest.
        let sloppy = "<p>one<p>two<li>three".repeat(2_000);
        assert_eq!(check(&sloppy, TIME_BUDGET), Ok(()));
        let hidden = format!("<script>{}</script><!-- {} -->ok", "<div>".repeat(5_000), "<div>".repeat(5_000));
        assert_eq!(check(&hidden, TIME_BUDGET), Ok(()));
        // 100k levels: refused at once, the tree never built.
        let started = Instant::now();
        let err = parse_document(&nested(100_000), TIME_BUDGET).unwrap_err();
        assert!(matches!(err, HtmlError::TooDeep { limit: MAX_DEPTH, .. }), "{err}");
        assert!(err.to_string().starts_with("document too deeply nested"), "{err}");
        assert!(started.elapsed() < TIME_BUDGET);
    }

    #[test]
    fn a_spent_budget_stops_the_work() {
        let page = "<p>Fares rose by 5% in a year.</p>".repeat(20_000);
        assert_eq!(check(&page, Duration::ZERO), Err(HtmlError::OverBudget { budget: Duration::ZERO }));
        assert!(matches!(parse_document(&page, Duration::ZERO), Err(HtmlError::OverBudget { .. })));
        let html = parse_document(&page, TIME_BUDGET).unwrap();
        let p = scraper::Selector::parse("p").unwrap();
        assert_eq!(html.select(&p).count(), 20_000, "parsed in chunks, the same tree");
    }

    #[test]
    fn chunks_cut_on_char_boundaries() {
        let text = "é".repeat(CHUNK);
        let pieces: Vec<&str> = chunks(&text).collect();
        assert!(pieces.len() > 1);
        assert_eq!(pieces.concat(), text);
        assert_eq!(chunks("").count(), 0);
    }
}
