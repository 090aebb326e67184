//! Feeds into items (feed-rs: RSS 0.9–2.0, Atom, JSON Feed), and the
//! polling interval a user writes (`15m`).

use std::time::Duration;

use crate::{FeedError, FeedErrorKind, html_to_text};

/// Longest title, author or GUID kept from a feed (longer ones are cut).
const MAX_FIELD: usize = 500;

/// What a feed says about itself and its items.
#[derive(Debug, Clone, Default)]
pub struct ParsedFeed {
    pub title: Option<String>,
    pub items: Vec<FeedItem>,
}

/// One item, in the feed's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedItem {
    /// The item's id (RSS `guid`, Atom `id`, JSON Feed `id`; feed-rs makes
    /// one from the item's content when the feed gives none).
    pub guid: String,
    /// The article's address, when the item links to an http(s) page.
    pub url: Option<String>,
    pub title: Option<String>,
    pub author: Option<String>,
    /// RFC 3339.
    pub published: Option<String>,
    /// The item's own text (content, else summary), as plain text.
    pub text: String,
    /// Why the item's own text could not be read (HTML refused by the one
    /// HTML entry check); its text is then empty.
    pub refused: Option<String>,
}

/// Parses a feed document of any of the supported formats.
pub fn parse_feed(bytes: &[u8]) -> Result<ParsedFeed, FeedError> {
    let feed = feed_rs::parser::parse(bytes)
        .map_err(|e| FeedError::new(FeedErrorKind::Malformed, format!("not a feed claimdesk can read: {e}")))?;
    let items = feed
        .entries
        .into_iter()
        .map(|entry| {
            let url = entry
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or(entry.links.first())
                .map(|l| l.href.trim().to_owned())
                .filter(|href| href.starts_with("http://") || href.starts_with("https://"));
            let html = entry.content.and_then(|c| c.body).or(entry.summary.map(|s| s.content)).unwrap_or_default();
            let (text, refused) = match html_to_text(&html) {
                Ok(text) => (text, None),
                Err(e) => (String::new(), Some(e.message)),
            };
            FeedItem {
                guid: cut(entry.id.trim()),
                url,
                title: entry.title.and_then(|t| html_to_text(&t.content).ok()).map(|t| cut(&t)).filter(|t| !t.is_empty()),
                author: entry.authors.first().and_then(|p| p.name.as_deref()).map(|n| cut(n.trim())).filter(|a| !a.is_empty()),
                published: entry.published.or(entry.updated).map(|d| d.to_rfc3339()),
                text,
                refused,
            }
        })
        .collect();
    Ok(ParsedFeed { title: feed.title.and_then(|t| html_to_text(&t.content).ok()).map(|t| cut(&t)).filter(|t| !t.is_empty()), items })
}

fn cut(s: &str) -> String {
    s.chars().take(MAX_FIELD).collect()
}

/// The polling interval when none is given.
pub const DEFAULT_EVERY: &str = "15m";

/// Shortest and longest polling interval.
pub const MIN_EVERY: Duration = Duration::from_secs(60);
pub const MAX_EVERY: Duration = Duration::from_secs(7 * 24 * 3600);

/// `90s`, `15m`, `2h`, `1d` (a bare number is minutes), between one
/// minute and a week.
pub fn parse_every(raw: &str) -> Result<Duration, FeedError> {
    let invalid = || FeedError::new(FeedErrorKind::Invalid, format!("{raw:?} is not an interval like 15m, 2h or 1d (1 minute to 7 days)"));
    let raw_trimmed = raw.trim();
    let (number, unit) = raw_trimmed.split_at(raw_trimmed.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw_trimmed.len()));
    let n: u64 = number.parse().map_err(|_| invalid())?;
    let seconds = match unit.trim() {
        "s" => Some(n),
        "" | "m" | "min" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        "d" => n.checked_mul(86_400),
        _ => None,
    }
    .ok_or_else(invalid)?;
    let every = Duration::from_secs(seconds);
    if every < MIN_EVERY || every > MAX_EVERY {
        return Err(invalid());
    }
    Ok(every)
}

/// An interval as [`parse_every`] reads it: `900` → `15m`.
pub fn every_text(secs: i64) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_every("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_every("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_every("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(parse_every("30").unwrap(), Duration::from_secs(1800));
        for secs in [60, 90, 900, 7200, 86_400] {
            assert_eq!(parse_every(&every_text(secs)).unwrap().as_secs(), secs as u64);
        }
        for bad in ["", "m", "5s", "8d", "-5m", "15 parsecs", "99999999999999999999h", "1.5h"] {
            assert_eq!(parse_every(bad).unwrap_err().kind, FeedErrorKind::Invalid, "{bad}");
        }
    }

    #[test]
    fn three_formats_read_alike() {
        let rss = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour News</title>
            <item><title>Crane &amp; dredging</title><link>https://harbour.example/crane</link><guid>h-1</guid>
            <author>desk@harbour.example (Ann Editor)</author><pubDate>Tue, 01 Dec 2026 09:30:00 GMT</pubDate>
            <description>&lt;p&gt;The board said volumes rose by 18%.&lt;/p&gt;</description></item></channel></rss>"#;
        let atom = r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Harbour News</title>
            <id>urn:harbour</id><updated>2026-12-01T09:30:00Z</updated>
            <entry><title>Crane &amp; dredging</title><id>h-1</id><link href="https://harbour.example/crane"/>
            <updated>2026-12-01T09:30:00Z</updated><author><name>Ann Editor</name></author>
            <content type="html">&lt;p&gt;The board said volumes rose by 18%.&lt;/p&gt;</content></entry></feed>"#;
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"Harbour News","items":[
            {"id":"h-1","url":"https://harbour.example/crane","title":"Crane & dredging","authors":[{"name":"Ann Editor"}],
             "date_published":"2026-12-01T09:30:00Z","content_html":"<p>The board said volumes rose by 18%.</p>"}]}"#;
        for (format, text) in [("rss", rss), ("atom", atom), ("json", json)] {
            let feed = parse_feed(text.as_bytes()).unwrap_or_else(|e| panic!("{format}: {e}"));
            assert_eq!(feed.title.as_deref(), Some("Harbour News"), "{format}");
            let item = &feed.items[0];
            assert_eq!(item.guid, "h-1", "{format}");
            assert_eq!(item.url.as_deref(), Some("https://harbour.example/crane"), "{format}");
            assert_eq!(item.title.as_deref(), Some("Crane & dredging"), "{format}");
            assert!(item.published.as_deref().is_some_and(|p| p.starts_with("2026-12-01T09:30:00")), "{format}: {item:?}");
            assert_eq!(item.text, "The board said volumes rose by 18%.", "{format}");
        }
    }

    #[test]
    fn broken_feeds_are_errors() {
        for bad in [&b"<rss><channel><item>"[..], b"{\"version\": 3", b"hello", b"\xff\xfe\x00<"] {
            assert_eq!(parse_feed(bad).unwrap_err().kind, FeedErrorKind::Malformed);
        }
    }
}
