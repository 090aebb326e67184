//! The SSRF guard: a feed fetcher must not be turned against the local
//! network. Feed URLs are checked when added; every resolved address is
//! checked again by [`GuardResolver`] before ureq connects to it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

use crate::{FeedError, FeedErrorKind};

/// Longest feed URL accepted.
const MAX_URL: usize = 2048;

/// Checks a feed URL as given by a user: an absolute http(s) URL with a
/// host and no credentials; a host that is an address (or `localhost`)
/// must be public unless `allow_private`. Names are checked again, after
/// resolving, at every fetch.
pub fn check_feed_url(raw: &str, allow_private: bool) -> Result<url::Url, FeedError> {
    let refused = |why: String| FeedError::new(FeedErrorKind::Refused, why);
    let raw = raw.trim();
    if raw.len() > MAX_URL {
        return Err(refused(format!("the feed URL is longer than {MAX_URL} characters")));
    }
    let url = url::Url::parse(raw).map_err(|e| refused(format!("the feed URL is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refused(format!("a feed URL must be http or https, not {}:", url.scheme())));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused("a feed URL must not carry a user name or password".to_owned()));
    }
    let private = |why: &str| {
        refused(format!("{} is {why}; feeds on the local network need --allow-private-feeds", url.host_str().unwrap_or_default()))
    };
    match url.host() {
        None => return Err(refused("the feed URL has no host".to_owned())),
        Some(url::Host::Ipv4(ip)) if !allow_private => {
            if let Some(why) = address_refusal(IpAddr::V4(ip)) {
                return Err(private(why));
            }
        }
        Some(url::Host::Ipv6(ip)) if !allow_private => {
            if let Some(why) = address_refusal(IpAddr::V6(ip)) {
                return Err(private(why));
            }
        }
        Some(url::Host::Domain(name)) if !allow_private => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") {
                return Err(private("a loopback address"));
            }
        }
        Some(_) => {}
    }
    Ok(url)
}

/// Why `ip` is not a public address, or `None` when it is.
pub fn address_refusal(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(ip) => v4_refusal(ip),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => v4_refusal(v4),
            None => v6_refusal(ip),
        },
    }
}

fn v4_refusal(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() {
        Some("a private address")
    } else if ip.is_link_local() {
        Some("a link-local address")
    } else if ip.is_unspecified() || a == 0 {
        Some("an unspecified address")
    } else if a == 100 && (64..128).contains(&b) {
        Some("a shared (carrier-grade NAT) address")
    } else if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        Some("not a unicast address")
    } else {
        None
    }
}

fn v6_refusal(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() {
        Some("an unspecified address")
    } else if ip.is_unique_local() {
        Some("a private address")
    } else if ip.is_unicast_link_local() {
        Some("a link-local address")
    } else if ip.is_multicast() {
        Some("not a unicast address")
    } else {
        None
    }
}

/// Resolves as ureq would, then drops every address that is not public
/// (unless allowed); none left is an error naming the host and why.
#[derive(Debug, Default)]
pub(crate) struct GuardResolver {
    pub(crate) allow_private: bool,
    inner: DefaultResolver,
}

impl GuardResolver {
    pub(crate) fn new(allow_private: bool) -> Self {
        GuardResolver { allow_private, inner: DefaultResolver::default() }
    }
}

impl Resolver for GuardResolver {
    fn resolve(&self, uri: &Uri, config: &Config, timeout: NextTimeout) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let resolved = self.inner.resolve(uri, config, timeout)?;
        if self.allow_private {
            return Ok(resolved);
        }
        let mut kept = self.empty();
        let mut refusal = None;
        for address in &resolved {
            match address_refusal(address.ip()) {
                None => kept.push(*address),
                Some(why) => refusal = Some((address.ip(), why)),
            }
        }
        match refusal {
            Some((ip, why)) if kept.is_empty() => Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("refused: {} resolves to {ip}, {why} (allow with --allow-private-feeds)", uri.host().unwrap_or_default()),
            ))),
            _ => Ok(kept),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_pass() {
        for private in [
            "127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1", "255.255.255.255", "::1",
            "::", "fc00::1", "fe80::1", "::ffff:127.0.0.1", "ff02::1",
        ] {
            let ip: IpAddr = private.parse().unwrap();
            assert!(address_refusal(ip).is_some(), "{private}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:1.1.1.1"] {
            assert_eq!(address_refusal(public.parse().unwrap()), None, "{public}");
        }
    }

    #[test]
    fn feed_urls_are_checked_when_added() {
        for (url, said) in [
            ("ftp://example.org/feed", "http or https"),
            ("file:///etc/passwd", "http or https"),
            ("javascript:alert(1)", "http or https"),
            ("not a url", "not a URL"),
            ("http://127.0.0.1:8080/rss", "loopback"),
            ("http://[::1]/rss", "loopback"),
            ("http://LOCALHOST./rss", "loopback"),
            ("http://10.0.0.5/rss", "private"),
            ("http://169.254.169.254/latest/meta-data", "link-local"),
            ("https://user:pw@example.org/rss", "user name"),
        ] {
            let e = check_feed_url(url, false).unwrap_err();
            assert_eq!(e.kind, FeedErrorKind::Refused);
            assert!(e.message.contains(said), "{url}: {e}");
        }
        assert!(check_feed_url("http://127.0.0.1:8080/rss", true).is_ok());
        assert_eq!(check_feed_url(" https://news.example.org/feed.xml ", false).unwrap().as_str(), "https://news.example.org/feed.xml");
    }
}
