//! Feed monitoring's outward half: fetching feeds and article pages
//! politely and safely, parsing RSS 0.9–2.0, Atom and JSON Feed (feed-rs),
//! and extracting an article's main text (dom_smoothie). No database here:
//! `claimdesk-work` records what a poll found.
//!
//! Invariants:
//! - Every request goes through [`Fetcher`]: http(s) only, a `User-Agent`
//!   naming claimdesk, a timeout, a size limit, at most
//!   [`MAX_REDIRECTS`] redirects, one request per host per
//!   [`HOST_INTERVAL`] in this process.
//! - Unless private addresses are allowed, a request never connects to a
//!   loopback, private, link-local or otherwise non-public address: every
//!   name is checked after it is resolved, on every redirect too (the
//!   check lives in the resolver, so the address checked is the address
//!   connected to). A feed URL is checked the same way when it is added.
//! - A response that is too large or not text is an error for that one
//!   request; nothing here panics on what a server sends.

mod error;
mod extract;
mod fetch;
mod guard;
mod parse;

pub use error::{FeedError, FeedErrorKind};
pub use extract::{Extracted, article_text, html_to_text};
pub use fetch::{ARTICLE_LIMIT, FEED_LIMIT, Fetched, Fetcher, HOST_INTERVAL, MAX_REDIRECTS, USER_AGENT, Validators};
pub use guard::{address_refusal, check_feed_url, check_feed_url_resolved};
pub use parse::{DEFAULT_EVERY, FeedItem, ParsedFeed, every_text, parse_every, parse_feed};
