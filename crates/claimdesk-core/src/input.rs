//! What text and addresses claimdesk accepts: the one policy every entry
//! point (CLI ingest, web forms, the JSON API, query strings) applies, and
//! the one test every renderer applies again before making a link.
//!
//! Invariants:
//! - no stored or searched text holds a control character other than tab,
//!   line feed and carriage return: such text is refused with a message
//!   naming the field and the character, never stripped, on every database
//!   alike (PostgreSQL cannot store U+0000 at all);
//! - a stored address is an absolute `http`/`https` URL with a host, no
//!   credentials, no white space or control characters, at most
//!   [`MAX_URL`] bytes; a renderer links only what [`is_web_url`] accepts.

use std::fmt;

/// Longest address accepted, in bytes.
pub const MAX_URL: usize = 2048;

/// A control character where text must not have one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} holds the control character U+{code:04X} at byte {offset}; remove it and try again")]
pub struct ControlChar {
    pub field: String,
    pub code: u32,
    pub offset: usize,
}

/// Whether `c` is refused in text: C0 controls but tab, LF and CR, and DEL.
pub fn is_refused_control(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{7f}'
}

/// Refuses `value` (shown to the user as `field`) when it holds a refused
/// control character.
pub fn check_text(field: &str, value: &str) -> Result<(), ControlChar> {
    // Every refused character is ASCII, so a byte scan finds them.
    match value.bytes().position(|b| (b < b' ' && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f) {
        None => Ok(()),
        Some(offset) => Err(ControlChar { field: field.to_owned(), code: u32::from(value.as_bytes()[offset]), offset }),
    }
}

/// Whether `s` is an address claimdesk stores and links to.
pub fn is_web_url(s: &str) -> bool {
    check_url(s).is_ok()
}

/// Why an address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlProblem {
    TooLong,
    Spaces,
    Scheme,
    Malformed,
    Credentials,
    /// A base address (`public_url`) with a query or fragment.
    NotABase,
}

impl fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlProblem::TooLong => "is longer than 2048 bytes",
            UrlProblem::Spaces => "holds white space or a control character",
            UrlProblem::Scheme => "must start with http:// or https://",
            UrlProblem::Malformed => "is not a valid web address with a host",
            UrlProblem::Credentials => "must not carry a user name or password",
            UrlProblem::NotABase => "must not have a query (?…) or fragment (#…): page addresses are added to it",
        })
    }
}

/// Checks an address against the policy above.
pub fn check_url(s: &str) -> Result<(), UrlProblem> {
    if s.len() > MAX_URL {
        return Err(UrlProblem::TooLong);
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(UrlProblem::Spaces);
    }
    let scheme = s.split_once(':').map(|(scheme, _)| scheme.to_ascii_lowercase());
    if !matches!(scheme.as_deref(), Some("http" | "https")) {
        return Err(UrlProblem::Scheme);
    }
    let parsed = url::Url::parse(s).map_err(|_| UrlProblem::Malformed)?;
    // The parser accepts `http:example.org`, `http:/x` and `https:///x`;
    // we want `//` and then a host.
    let after_scheme = &s[s.find(':').map_or(0, |i| i + 1)..];
    let authority = after_scheme.strip_prefix("//").unwrap_or("/");
    if authority.starts_with('/') || parsed.host_str().is_none_or(str::is_empty) {
        return Err(UrlProblem::Malformed);
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(UrlProblem::Credentials);
    }
    Ok(())
}

/// The address an installation is reached at (`public_url`), as links
/// start with it: a web address without query or fragment, with no
/// trailing `/`.
pub fn public_base_url(s: &str) -> Result<String, UrlProblem> {
    let s = s.trim();
    check_url(s)?;
    if s.contains(['?', '#']) {
        return Err(UrlProblem::NotABase);
    }
    Ok(s.trim_end_matches('/').to_owned())
}

/// Whether `s` is a publication date: `YYYY-MM-DD`, or an RFC 3339
/// date-time (`2024-05-01T09:30:00Z`, `…+02:00`).
pub fn is_published_date(s: &str) -> bool {
    use time::format_description::well_known::Rfc3339;
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).is_ok()
        || time::OffsetDateTime::parse(s, &Rfc3339).is_ok()
}

/// The key user names are compared by: Unicode NFKC case folding
/// (`ADMIN`, `Admin` and full-width `ＡＤＭＩＮ` are one name at login).
pub fn user_name_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    // NFKC_Casefold: normalise, fold, normalise again (folding can undo
    // a normal form).
    let folded = caseless::default_case_fold_str(&name.nfkc().collect::<String>());
    folded.nfkc().collect()
}

/// What a user name looks like (UTS #39's confusable skeleton of its
/// folded key): `аdmin` with a Cyrillic `а` looks like `admin`. A new name
/// whose skeleton matches an existing user's is refused.
pub fn user_name_skeleton(name: &str) -> String {
    unicode_security::confusable_detection::skeleton(&user_name_key(name)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_web_addresses_with_a_host_pass() {
        for good in ["https://a.example/x?y=1#z", "http://a.example", "HTTPS://A.example/", "https://a.example:8080/p", "https://例え.jp/"]
        {
            assert!(is_web_url(good), "{good}");
        }
        let bad = [
            ("javascript:alert(document.domain)", UrlProblem::Scheme),
            ("JavaScript:alert(1)", UrlProblem::Scheme),
            ("data:text/html,<script>", UrlProblem::Scheme),
            ("vbscript:x", UrlProblem::Scheme),
            ("ftp://a.example", UrlProblem::Scheme),
            ("/relative", UrlProblem::Scheme),
            ("https:///x", UrlProblem::Malformed),
            ("http:a.example", UrlProblem::Malformed),
            ("https://", UrlProblem::Malformed),
            ("https://a.example/ b", UrlProblem::Spaces),
            ("https://a.example/\tb", UrlProblem::Spaces),
            ("java\nscript:alert(1)", UrlProblem::Spaces),
            ("https://user:pw@a.example/", UrlProblem::Credentials),
        ];
        for (url, problem) in bad {
            assert_eq!(check_url(url), Err(problem), "{url:?}");
        }
        assert_eq!(check_url(&format!("https://a.example/{}", "x".repeat(MAX_URL))), Err(UrlProblem::TooLong));
    }

    #[test]
    fn a_public_base_has_no_query_fragment_or_trailing_slash() {
        assert_eq!(public_base_url(" https://checks.example/desk/ "), Ok("https://checks.example/desk".to_owned()));
        assert_eq!(public_base_url("http://127.0.0.1:8080"), Ok("http://127.0.0.1:8080".to_owned()));
        assert_eq!(public_base_url("https://checks.example/?x=1"), Err(UrlProblem::NotABase));
        assert_eq!(public_base_url("https://checks.example/#top"), Err(UrlProblem::NotABase));
        assert_eq!(public_base_url("javascript:alert(1)"), Err(UrlProblem::Scheme));
    }

    #[test]
    fn control_characters_are_named_with_field_and_offset() {
        assert_eq!(check_text("body", "tabs\tand\r\nlines are fine"), Ok(()));
        assert_eq!(check_text("body", "non-Latin ü 東京 is fine"), Ok(()));
        let err = check_text("body", "a\u{0}b").unwrap_err();
        assert_eq!((err.code, err.offset), (0, 1));
        assert_eq!(err.to_string(), "body holds the control character U+0000 at byte 1; remove it and try again");
        assert_eq!(check_text("q", "x\u{b}").unwrap_err().code, 0x0b);
        assert_eq!(check_text("q", "\u{7f}").unwrap_err().code, 0x7f);
        assert!(is_refused_control('\u{1b}') && !is_refused_control('\n') && !is_refused_control('é'));
    }

    #[test]
    fn user_names_fold_and_look_alikes_share_a_skeleton() {
        assert_eq!(user_name_key("ADMIN"), "admin");
        assert_eq!(user_name_key("ＡＤＭＩＮ"), "admin", "full-width folds by NFKC");
        assert_eq!(user_name_key("Straße"), "strasse");
        assert_ne!(user_name_key("\u{430}dmin"), "admin", "Cyrillic а is another letter to folding");
        assert_eq!(user_name_skeleton("\u{430}dmin"), user_name_skeleton("admin"), "but looks the same");
        assert_eq!(user_name_skeleton("ADMIN"), user_name_skeleton("admin"));
        assert_ne!(user_name_skeleton("ann"), user_name_skeleton("bob"));
    }

    #[test]
    fn published_is_a_date_or_a_date_time() {
        for good in ["2024-02-29", "2024-05-01T09:30:00Z", "2024-05-01T09:30:00+02:00", "2024-05-01T09:30:00.5Z"] {
            assert!(is_published_date(good), "{good}");
        }
        for bad in ["not-a-date", "2023-02-29", "2024-5-1", "yesterday", "", "2024-05-01 09:30"] {
            assert!(!is_published_date(bad), "{bad}");
        }
    }
}
