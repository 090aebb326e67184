//! Polite, bounded HTTP: one [`Fetcher`] per process.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::ResponseExt;
use ureq::unversioned::transport::DefaultConnector;

use crate::guard::GuardResolver;
use crate::{FeedError, FeedErrorKind};

/// Sent with every request.
pub const USER_AGENT: &str = concat!("claimdesk/", env!("CARGO_PKG_VERSION"), " (fact-check desk feed monitor)");
/// Largest feed document read.
pub const FEED_LIMIT: u64 = 5 * 1024 * 1024;
/// Largest article page read.
pub const ARTICLE_LIMIT: u64 = 2 * 1024 * 1024;
pub const MAX_REDIRECTS: u32 = 5;
/// Least time between two requests to one host from this process.
pub const HOST_INTERVAL: Duration = Duration::from_millis(500);
/// A whole request, connect to last byte.
const TIMEOUT: Duration = Duration::from_secs(20);

/// What a server said last time, for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A response worth reading.
#[derive(Debug)]
pub enum Fetched {
    /// 304: unchanged since the validators were given.
    NotModified,
    Body {
        bytes: Vec<u8>,
        /// The media type, lower case, without parameters.
        content_type: Option<String>,
        /// The URL after redirects.
        url: String,
        validators: Validators,
    },
}

/// Fetches with the SSRF guard, limits and per-host pacing.
#[derive(Debug)]
pub struct Fetcher {
    agent: ureq::Agent,
    last_by_host: Mutex<HashMap<String, Instant>>,
}

impl Fetcher {
    /// `allow_private`: allow loopback and private addresses (a feed on
    /// the local network, or a test's server).
    pub fn new(allow_private: bool) -> Fetcher {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .max_redirects(MAX_REDIRECTS)
            .user_agent(USER_AGENT)
            .http_status_as_error(false)
            // Never through a proxy named in the environment: the guard
            // checks the address connected to.
            .proxy(None)
            .build();
        let agent = ureq::Agent::with_parts(config, DefaultConnector::default(), GuardResolver::new(allow_private));
        Fetcher { agent, last_by_host: Mutex::new(HashMap::new()) }
    }

    /// GETs `url` (checked first as a feed URL would be), sending the
    /// validators, reading at most `limit` bytes.
    pub fn get(&self, url: &str, validators: Option<&Validators>, limit: u64) -> Result<Fetched, FeedError> {
        // Scheme and credentials here; the address after resolving, in the
        // resolver (an address literal and `localhost` included).
        let parsed = crate::check_feed_url(url, true)?;
        self.pace(parsed.host_str().unwrap_or_default());
        let mut request = self.agent.get(parsed.as_str());
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                request = request.header("If-None-Match", etag);
            }
            if let Some(modified) = &v.last_modified {
                request = request.header("If-Modified-Since", modified);
            }
        }
        let mut response = request.call().map_err(network)?;
        let status = response.status().as_u16();
        if status == 304 {
            return Ok(Fetched::NotModified);
        }
        if !(200..300).contains(&status) {
            return Err(FeedError::new(FeedErrorKind::Status, format!("{url} answered HTTP {status}")));
        }
        let header = |name: &str| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty() && v.len() <= 512)
        };
        let validators = Validators { etag: header("etag").map(str::to_owned), last_modified: header("last-modified").map(str::to_owned) };
        let content_type = header("content-type").map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
        let final_url = response.get_uri().to_string();
        let bytes = response.body_mut().with_config().limit(limit).read_to_vec().map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => {
                FeedError::new(FeedErrorKind::TooLarge, format!("{url} is larger than {} KB", limit / 1024))
            }
            other => network(other),
        })?;
        if content_type.as_deref().is_some_and(|t| !is_text(t)) || looks_binary(&bytes) {
            let shown = content_type.unwrap_or_else(|| "binary data".to_owned());
            return Err(FeedError::new(FeedErrorKind::NotText, format!("{url} is not text ({shown})")));
        }
        Ok(Fetched::Body { bytes, content_type, url: final_url, validators })
    }

    /// Waits until [`HOST_INTERVAL`] has passed since the last request to
    /// `host`, and books this one.
    fn pace(&self, host: &str) {
        let wait = {
            let mut last = self.last_by_host.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            let next = last.get(host).map_or(now, |t| (*t + HOST_INTERVAL).max(now));
            last.insert(host.to_owned(), next);
            if last.len() > 10_000 {
                last.retain(|_, t| now.duration_since(*t) < HOST_INTERVAL);
            }
            next.saturating_duration_since(now)
        };
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }
}

fn network(e: ureq::Error) -> FeedError {
    let message = match &e {
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
            return FeedError::new(FeedErrorKind::Refused, io.to_string());
        }
        ureq::Error::TooManyRedirects => format!("more than {MAX_REDIRECTS} redirects"),
        other => other.to_string(),
    };
    FeedError::new(FeedErrorKind::Network, message)
}

/// Media types read as text: feeds (XML, JSON) and pages.
fn is_text(media: &str) -> bool {
    media.starts_with("text/") || media.ends_with("xml") || media.ends_with("json") || media == "application/xhtml+xml"
}

/// A NUL byte in the first 8 KB: no feed or page holds one.
fn looks_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8192).any(|&b| b == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_and_binary_bodies() {
        for t in ["text/html", "application/rss+xml", "application/atom+xml", "application/feed+json", "text/xml", "application/xml"] {
            assert!(is_text(t), "{t}");
        }
        for t in ["image/png", "application/octet-stream", "application/zip", "application/pdf"] {
            assert!(!is_text(t), "{t}");
        }
        assert!(looks_binary(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(!looks_binary("<rss>café</rss>".as_bytes()));
    }

    #[test]
    fn the_resolved_address_is_checked() {
        // A real server on loopback: reachable when allowed, refused by
        // name and by address otherwise (before any connection).
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            use std::io::{Read, Write};
            for stream in listener.incoming().take(1) {
                let mut stream = stream.unwrap();
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ =
                    stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            }
        });
        for url in [format!("http://localhost:{port}/"), format!("http://127.0.0.1:{port}/"), format!("http://[::ffff:127.0.0.1]:{port}/")]
        {
            let e = Fetcher::new(false).get(&url, None, 1024).unwrap_err();
            assert_eq!(e.kind, FeedErrorKind::Refused, "{url}: {e}");
            assert!(e.message.contains("loopback") && e.message.contains("--allow-private-feeds"), "{e}");
        }
        match Fetcher::new(true).get(&format!("http://127.0.0.1:{port}/"), None, 1024).unwrap() {
            Fetched::Body { bytes, .. } => assert_eq!(bytes, b"ok"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn one_host_is_paced() {
        let fetcher = Fetcher::new(false);
        let started = Instant::now();
        fetcher.pace("news.example.org");
        fetcher.pace("other.example.org");
        assert!(started.elapsed() < HOST_INTERVAL, "different hosts do not wait");
        fetcher.pace("news.example.org");
        assert!(started.elapsed() >= HOST_INTERVAL, "the same host waits");
    }
}
