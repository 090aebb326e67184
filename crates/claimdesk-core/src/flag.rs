use serde::{Deserialize, Serialize};

use crate::Span;

crate::named_enum! {
    /// What sort of unverified assertion a flag points at.
    ///
    /// The list is closed for ABI v1: a plugin that reports another code gets
    /// an error, not a silent `Other`. Each variant has a stable numeric code
    /// (its explicit discriminant, used by the plugin ABI) and a stable
    /// snake_case name (used in JSON and the database). Codes never change
    /// or get reused; a new kind takes the next free number.
    #[repr(u32)]
    pub enum Kind as "flag kind" {
        Vague = "vague" => 0,
        Hedge = "hedge" => 1,
        Unattributed = "unattributed" => 2,
        AnonymousSource = "anonymous_source" => 3,
        Numeric = "numeric" => 4,
        Superlative = "superlative" => 5,
        Quote = "quote" => 6,
        Prediction = "prediction" => 7,
        Checkworthy = "checkworthy" => 8,
        Other = "other" => 9,
        /// Opinion or loaded wording presented as report.
        Subjective = "subjective" => 10,
    }
}

crate::named_enum! {
    /// How loudly a flag asks for attention (ordered: info < warning < error).
    #[repr(u32)]
    pub enum Severity as "severity" {
        Info = "info" => 0,
        Warning = "warning" => 1,
        Error = "error" => 2,
    }
}

/// A numeric code that names no known [`Kind`] or [`Severity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} code {code}")]
pub struct UnknownCode {
    pub what: &'static str,
    pub code: u32,
}

impl Kind {
    /// The ABI code: the variant's explicit discriminant.
    pub fn code(self) -> u32 {
        self as u32
    }

    pub fn from_code(code: u32) -> Result<Kind, UnknownCode> {
        Kind::ALL.iter().copied().find(|k| k.code() == code).ok_or(UnknownCode { what: "kind", code })
    }
}

impl Severity {
    /// The ABI code: the variant's explicit discriminant.
    pub fn code(self) -> u32 {
        self as u32
    }

    pub fn from_code(code: u32) -> Result<Severity, UnknownCode> {
        Severity::ALL.iter().copied().find(|s| s.code() == code).ok_or(UnknownCode { what: "severity", code })
    }
}

/// One assertion a plugin raised on a span of a document.
///
/// Messages and questions are shared (`Arc<str>`): a plugin repeats the same
/// few texts thousands of times over a large document, and the host interns
/// them as it copies them out of the plugin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    pub plugin: std::sync::Arc<str>,
    pub plugin_version: std::sync::Arc<str>,
    /// Rule id, e.g. `vague.progress`.
    pub rule: std::sync::Arc<str>,
    pub kind: Kind,
    pub severity: Severity,
    pub span: Span,
    /// In `[0, 1]`: how sure the plugin is that this needs checking.
    pub score: f32,
    pub message: std::sync::Arc<str>,
    /// The question a checker should answer to resolve the flag.
    pub question: std::sync::Arc<str>,
    /// Whose words the span is in: the speaker of the quotation holding it,
    /// `Some("")` for a quotation whose speaker is unknown, and `None` for
    /// the reporter's own words (outside quotations).
    #[serde(default)]
    pub quoted_speaker: Option<std::sync::Arc<str>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_errors() {
        for &kind in Kind::ALL {
            assert_eq!(Kind::from_code(kind.code()), Ok(kind));
        }
        let mut codes: Vec<u32> = Kind::ALL.iter().map(|k| k.code()).collect();
        codes.dedup();
        assert_eq!(codes.len(), Kind::ALL.len(), "codes are unique");
        for &severity in Severity::ALL {
            assert_eq!(Severity::from_code(severity.code()), Ok(severity));
        }
        assert_eq!(Kind::from_code(11), Err(UnknownCode { what: "kind", code: 11 }));
        // Codes are part of the ABI: the ones released first keep their numbers.
        assert_eq!((Kind::Vague.code(), Kind::Other.code(), Kind::Subjective.code()), (0, 9, 10));
        assert!(Severity::from_code(3).is_err());
        assert_eq!(Kind::AnonymousSource.as_str(), "anonymous_source");
    }
}
