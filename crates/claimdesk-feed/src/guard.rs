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
                return Err(private(&why));
            }
        }
        Some(url::Host::Ipv6(ip)) if !allow_private => {
            if let Some(why) = address_refusal(IpAddr::V6(ip)) {
                return Err(private(&why));
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

/// [`check_feed_url`], then, for a host name (unless `allow_private`),
/// resolves it now and refuses it unless every address it resolves to is
/// public: what a feed is added with (the fetcher checks again, address
/// by address, at every fetch). Blocks while the name is resolved.
pub fn check_feed_url_resolved(raw: &str, allow_private: bool) -> Result<url::Url, FeedError> {
    use std::net::ToSocketAddrs;
    let url = check_feed_url(raw, allow_private)?;
    if allow_private {
        return Ok(url);
    }
    if let Some(url::Host::Domain(name)) = url.host() {
        let port = url.port_or_known_default().unwrap_or(80);
        let resolved = (name, port)
            .to_socket_addrs()
            .map_err(|e| FeedError::new(FeedErrorKind::Refused, format!("{name} cannot be resolved ({e}); check the address")))?;
        public_only(name, resolved.map(|a| a.ip()))?;
    }
    Ok(url)
}

/// Refuses `host` when any of the addresses it resolved to is not public
/// (or it resolved to none).
fn public_only(host: &str, addresses: impl IntoIterator<Item = IpAddr>) -> Result<(), FeedError> {
    let mut any = false;
    for ip in addresses {
        any = true;
        if let Some(why) = address_refusal(ip) {
            return Err(FeedError::new(
                FeedErrorKind::Refused,
                format!("{host} resolves to {ip}, {why}; feeds on the local network need --allow-private-feeds"),
            ));
        }
    }
    if any { Ok(()) } else { Err(FeedError::new(FeedErrorKind::Refused, format!("{host} resolves to no address"))) }
}

/// Why `ip` is not a public address, or `None` when it is: the most
/// specific entry of the IANA special-purpose address registries
/// ([`V4_SPECIAL`], [`V6_SPECIAL`]) decides, and an address that carries an
/// IPv4 address (IPv4-mapped, NAT64, 6to4) is judged by the one it carries.
pub fn address_refusal(ip: IpAddr) -> Option<String> {
    match ip {
        IpAddr::V4(ip) => v4_refusal(ip).map(str::to_owned),
        IpAddr::V6(ip) => v6_refusal(ip),
    }
}

/// One row of a special-purpose registry: a prefix, its length, what it
/// is (as the refusal says it), and the registry's "globally reachable".
struct Special<A> {
    prefix: A,
    len: u32,
    what: &'static str,
    global: bool,
}

const fn v4(a: u8, b: u8, c: u8, d: u8, len: u32, what: &'static str, global: bool) -> Special<u32> {
    Special { prefix: u32::from_be_bytes([a, b, c, d]), len, what, global }
}

const fn v6(s: [u16; 8], len: u32, what: &'static str, global: bool) -> Special<u128> {
    let a = Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
    Special { prefix: a.to_bits(), len, what, global }
}

const PRIVATE: &str = "a private address";
const RESERVED: &str = "a reserved address";
const DOCUMENTATION: &str = "a documentation address";
const PROTOCOL: &str = "an IETF protocol address";

/// The IANA IPv4 Special-Purpose Address Registry
/// (<https://www.iana.org/assignments/iana-ipv4-special-registry/>, as of
/// its 2024 update), row for row, plus multicast (224.0.0.0/4, its own
/// registry): no fetch of the web reaches any of these but the rows marked
/// globally reachable. To update, compare with the registry's CSV.
const V4_SPECIAL: &[Special<u32>] = &[
    v4(0, 0, 0, 0, 8, "an unspecified (\"this network\") address", false),
    v4(0, 0, 0, 0, 32, "an unspecified address", false),
    v4(10, 0, 0, 0, 8, PRIVATE, false),
    v4(100, 64, 0, 0, 10, "a shared (carrier-grade NAT) address", false),
    v4(127, 0, 0, 0, 8, "a loopback address", false),
    v4(169, 254, 0, 0, 16, "a link-local address", false),
    v4(172, 16, 0, 0, 12, PRIVATE, false),
    v4(192, 0, 0, 0, 24, PROTOCOL, false),
    v4(192, 0, 0, 0, 29, "an IPv4 service continuity address", false),
    v4(192, 0, 0, 8, 32, "the IPv4 dummy address", false),
    v4(192, 0, 0, 9, 32, "the Port Control Protocol anycast address", true),
    v4(192, 0, 0, 10, 32, "the TURN anycast address", true),
    v4(192, 0, 0, 170, 32, "a NAT64/DNS64 discovery address", false),
    v4(192, 0, 0, 171, 32, "a NAT64/DNS64 discovery address", false),
    v4(192, 0, 2, 0, 24, DOCUMENTATION, false),
    v4(192, 31, 196, 0, 24, "an AS112 address", true),
    v4(192, 52, 193, 0, 24, "an AMT address", true),
    v4(192, 88, 99, 0, 24, "a deprecated 6to4 relay anycast address", false),
    v4(192, 168, 0, 0, 16, PRIVATE, false),
    v4(192, 175, 48, 0, 24, "an AS112 direct delegation address", true),
    v4(198, 18, 0, 0, 15, "a benchmarking address", false),
    v4(198, 51, 100, 0, 24, DOCUMENTATION, false),
    v4(203, 0, 113, 0, 24, DOCUMENTATION, false),
    v4(224, 0, 0, 0, 4, "not a unicast address (multicast)", false),
    v4(240, 0, 0, 0, 4, RESERVED, false),
    v4(255, 255, 255, 255, 32, "not a unicast address (broadcast)", false),
];

/// The IANA IPv6 Special-Purpose Address Registry
/// (<https://www.iana.org/assignments/iana-ipv6-special-registry/>, as of
/// its 2024 update), row for row, plus multicast (ff00::/8), the
/// deprecated IPv4-compatible (::/96) and site-local (fec0::/10) forms.
/// Rows that embed an IPv4 address are judged by [`embedded_v4`] first.
const V6_SPECIAL: &[Special<u128>] = &[
    v6([0, 0, 0, 0, 0, 0, 0, 0], 96, "a deprecated IPv4-compatible address", false),
    v6([0, 0, 0, 0, 0, 0, 0, 0], 128, "an unspecified address", false),
    v6([0, 0, 0, 0, 0, 0, 0, 1], 128, "a loopback address", false),
    v6([0, 0, 0, 0, 0, 0xffff, 0, 0], 96, "an IPv4-mapped address", false),
    v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96, "a NAT64 address", true),
    v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, "a local-use NAT64 address", false),
    v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64, "a discard-only address", false),
    v6([0x100, 0, 0, 1, 0, 0, 0, 0], 64, "a dummy address", false),
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23, PROTOCOL, false),
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32, "a Teredo address", false),
    v6([0x2001, 1, 0, 0, 0, 0, 0, 1], 128, "the Port Control Protocol anycast address", true),
    v6([0x2001, 1, 0, 0, 0, 0, 0, 2], 128, "the TURN anycast address", true),
    v6([0x2001, 1, 0, 0, 0, 0, 0, 3], 128, "the DNS-SD service registration anycast address", true),
    v6([0x2001, 2, 0, 0, 0, 0, 0, 0], 48, "a benchmarking address", false),
    v6([0x2001, 3, 0, 0, 0, 0, 0, 0], 32, "an AMT address", true),
    v6([0x2001, 4, 0x112, 0, 0, 0, 0, 0], 48, "an AS112 address", true),
    v6([0x2001, 0x10, 0, 0, 0, 0, 0, 0], 28, "a deprecated ORCHID address", false),
    v6([0x2001, 0x20, 0, 0, 0, 0, 0, 0], 28, "an ORCHIDv2 address", true),
    v6([0x2001, 0x30, 0, 0, 0, 0, 0, 0], 28, "a drone remote ID address", true),
    v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, DOCUMENTATION, false),
    v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16, "a 6to4 address", true),
    v6([0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0], 48, "an AS112 direct delegation address", true),
    v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, DOCUMENTATION, false),
    v6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16, "a segment routing address", false),
    v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, PRIVATE, false),
    v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "a link-local address", false),
    v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, "a deprecated site-local address", false),
    v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "not a unicast address (multicast)", false),
];

/// The most specific row of `table` that holds `bits` (of a `width`-bit
/// address).
fn most_specific<A: Copy + Into<u128>>(table: &'static [Special<A>], bits: u128, width: u32) -> Option<&'static Special<A>> {
    table
        .iter()
        .filter(|row| {
            let shift = width - row.len;
            row.len == 0 || (bits >> shift) == (row.prefix.into() >> shift)
        })
        .max_by_key(|row| row.len)
}

fn v4_refusal(ip: Ipv4Addr) -> Option<&'static str> {
    most_specific(V4_SPECIAL, u128::from(ip.to_bits()), 32).filter(|row| !row.global).map(|row| row.what)
}

fn v6_refusal(ip: Ipv6Addr) -> Option<String> {
    if let Some((form, v4)) = embedded_v4(ip) {
        return v4_refusal(v4).map(|why| format!("{form} of {v4}, {why}"));
    }
    most_specific(V6_SPECIAL, ip.to_bits(), 128).filter(|row| !row.global).map(|row| row.what.to_owned())
}

/// The IPv4 address an IPv6 address carries, where the form routes to it:
/// IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96, RFC 6052) and 6to4
/// (2002::/16, RFC 3056), with the form as a refusal names it.
fn embedded_v4(ip: Ipv6Addr) -> Option<(&'static str, Ipv4Addr)> {
    let bits = ip.to_bits();
    let low = Ipv4Addr::from_bits(bits as u32);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(("an IPv4-mapped address", v4));
    }
    if bits >> 32 == Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0).to_bits() >> 32 {
        return Some(("a NAT64 address", low));
    }
    if bits >> 112 == 0x2002 {
        return Some(("a 6to4 address", Ipv4Addr::from_bits((bits >> 80) as u32)));
    }
    None
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
            // Found by the second hardening round: NAT64, 6to4 and
            // IPv4-compatible forms of loopback, and benchmarking.
            "64:ff9b::7f00:1", "2002:7f00:1::", "::127.0.0.1", "198.18.0.1", "198.19.255.255",
            // More of the registries' rows.
            "64:ff9b::a00:1", "64:ff9b:1::1", "2002:a9fe:a9fe::1", "192.0.0.8", "192.0.2.1", "203.0.113.9", "240.0.0.1", "224.0.0.1",
            "2001:db8::1", "3fff::1", "100::1", "2001:2::1", "2001::1", "5f00::1", "fec0::1", "192.88.99.1",
        ] {
            let ip: IpAddr = private.parse().unwrap();
            assert!(address_refusal(ip).is_some(), "{private}");
        }
        for public in [
            "93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:1.1.1.1", "64:ff9b::808:808", "2002:808:808::1", "192.0.0.9",
            "192.31.196.1", "2001:4:112::1", "2001:1::1", "11.0.0.1", "198.20.0.1",
        ] {
            assert_eq!(address_refusal(public.parse().unwrap()), None, "{public}");
        }
        let why = |ip: &str| address_refusal(ip.parse().unwrap()).unwrap();
        assert_eq!(why("64:ff9b::7f00:1"), "a NAT64 address of 127.0.0.1, a loopback address");
        assert_eq!(why("2002:7f00:1::"), "a 6to4 address of 127.0.0.1, a loopback address");
        assert_eq!(why("::127.0.0.1"), "a deprecated IPv4-compatible address");
        assert_eq!(why("198.18.0.1"), "a benchmarking address");
    }

    #[test]
    fn a_name_is_refused_for_any_private_address_it_resolves_to() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(public_only("news.example", [ip("93.184.216.34"), ip("2606:4700::1111")]).is_ok());
        for private in ["127.0.0.1", "10.0.0.7", "169.254.169.254", "::1"] {
            let e = public_only("sneaky.example", [ip("93.184.216.34"), ip(private)]).unwrap_err();
            assert_eq!(e.kind, FeedErrorKind::Refused);
            assert!(e.message.starts_with(&format!("sneaky.example resolves to {private}, ")), "{e}");
        }
        assert!(public_only("nothing.example", []).is_err());
        // `localhost` is refused by its name before any lookup; allowed, a
        // name is not even resolved. (A name that resolves to loopback
        // through the system's resolver is the e2e test's, with the
        // machine's own host name.)
        let e = check_feed_url_resolved("http://localhost.:8080/rss", false).unwrap_err();
        assert!(e.message.contains("loopback"), "{e}");
        assert!(check_feed_url_resolved("http://no-such-host.invalid/rss", true).is_ok());
        let e = check_feed_url_resolved("http://no-such-host.invalid/rss", false).unwrap_err();
        assert!(e.message.contains("cannot be resolved"), "{e}");
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
        for url in ["http://[64:ff9b::7f00:1]/rss", "http://[2002:7f00:1::]/rss", "http://[::127.0.0.1]/rss", "http://198.18.0.1/rss"] {
            assert_eq!(check_feed_url(url, false).unwrap_err().kind, FeedErrorKind::Refused, "{url}");
        }
        assert_eq!(check_feed_url(" https://news.example.org/feed.xml ", false).unwrap().as_str(), "https://news.example.org/feed.xml");
    }
}
