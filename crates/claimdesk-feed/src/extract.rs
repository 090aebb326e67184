//! An article page's main text (dom_smoothie, a port of Mozilla's
//! Readability), and HTML fragments from feeds as plain text.

use dom_smoothie::{Config, Readability, TextMode};

use crate::{FeedError, FeedErrorKind};

/// Elements parsed at most, bounding the time a hostile page can cost.
const MAX_ELEMENTS: usize = 50_000;
/// Less text than this is not an article (a cookie wall, an index page).
const MIN_TEXT: usize = 140;

/// The main text of an article page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub title: Option<String>,
    pub byline: Option<String>,
    /// Paragraphs separated by blank lines.
    pub text: String,
}

/// Extracts the article from `html` fetched from `url`; `Ok(None)` when
/// the page holds no article-sized text. The page goes through the one
/// HTML entry check first (nesting depth, time budget): a refused page is
/// an error naming why.
pub fn article_text(html: &str, url: &str) -> Result<Option<Extracted>, FeedError> {
    checked(html)?;
    let config = Config { text_mode: TextMode::Formatted, max_elements_to_parse: MAX_ELEMENTS, ..Config::default() };
    let Ok(mut readability) = Readability::new(html, Some(url), Some(config)) else { return Ok(None) };
    let Ok(article) = readability.parse() else { return Ok(None) };
    let text = tidy(&article.text_content);
    if text.chars().count() < MIN_TEXT {
        return Ok(None);
    }
    let title = Some(article.title.trim().to_owned()).filter(|t| !t.is_empty());
    let byline = article.byline.map(|b| b.trim().to_owned()).filter(|b| !b.is_empty());
    Ok(Some(Extracted { title, byline, text }))
}

/// The text of an HTML fragment (a feed item's content): tags gone,
/// entities decoded, blocks on their own lines; refused (too deep, over
/// budget) by the one HTML entry check.
pub fn html_to_text(fragment: &str) -> Result<String, FeedError> {
    if !fragment.contains('<') && !fragment.contains('&') {
        return Ok(tidy(fragment));
    }
    checked(fragment)?;
    let document = dom_smoothie::Readability::new(format!("<html><body>{fragment}</body></html>"), None, None).ok().map(|r| {
        r.doc.select("script, style, noscript, template, iframe, object").remove();
        r.doc.select("body").formatted_text().to_string()
    });
    Ok(tidy(&document.unwrap_or_default()))
}

/// The one HTML entry check, for HTML the readability extractor parses.
fn checked(html: &str) -> Result<(), FeedError> {
    claimdesk_html::check(html, claimdesk_html::TIME_BUDGET).map_err(|e| FeedError::new(FeedErrorKind::Malformed, e.to_string()))
}

/// Lines trimmed, runs of blank lines folded to one.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(&line.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_article_not_the_furniture() {
        let html = r#"<html><head><title>Crane delayed | Harbour News</title></head><body>
            <nav><a href="/">Home</a> <a href="/sport">Sport</a></nav>
            <article><h1>Crane delayed</h1><p class="byline">By Ann Editor</p>
            <p>The harbour board said cargo volumes rose by 18% in the spring, the highest figure in a decade.</p>
            <p>Its chair promised a new crane by March, and officials said the dredging would cost £2.4m, which critics called a conservative estimate.</p>
            <p>Independent economists have questioned the job estimates published alongside the plan.</p></article>
            <footer>© Harbour News. All rights reserved.</footer></body></html>"#;
        let got = article_text(html, "https://harbour.example/crane").unwrap().unwrap();
        assert!(got.text.contains("cargo volumes rose by 18%"), "{got:?}");
        assert!(got.text.contains("Independent economists"), "{got:?}");
        assert!(!got.text.contains("All rights reserved") && !got.text.contains("Sport"), "{got:?}");
        assert!(got.text.contains("\n"), "paragraphs stay apart: {got:?}");
    }

    #[test]
    fn no_article_no_text() {
        assert_eq!(article_text("<html><body><p>Subscribe.</p></body></html>", "https://x.example/").unwrap(), None);
        assert_eq!(article_text("", "https://x.example/").unwrap(), None);
    }

    #[test]
    fn deep_pages_and_fragments_are_refused() {
        let deep = format!("<html><body>{}Fares rose.{}</body></html>", "<div>".repeat(20_000), "</div>".repeat(20_000));
        let e = article_text(&deep, "https://x.example/").unwrap_err();
        assert_eq!(e.kind, FeedErrorKind::Malformed);
        assert!(e.message.contains("too deeply nested"), "{e}");
        let e = html_to_text(&"<span>".repeat(5_000)).unwrap_err();
        assert!(e.message.contains("too deeply nested"), "{e}");
    }

    #[test]
    fn fragments_to_text() {
        assert_eq!(
            html_to_text("<p>Fares fell by 5%.</p><p>Tom &amp; Jerry <b>said</b> so.</p>").unwrap(),
            "Fares fell by 5%.\n\nTom & Jerry said so."
        );
        assert_eq!(html_to_text("plain   text").unwrap(), "plain text");
        assert_eq!(html_to_text("<script>alert(1)</script>ok").unwrap(), "ok");
    }
}
