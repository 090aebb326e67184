use serde::{Deserialize, Serialize};

use crate::Span;

/// What sort of unverified assertion a flag points at.
///
/// The list is closed for ABI v1: a plugin that reports another code gets an
/// error, not a silent `Other`. Each variant has a stable numeric code used by
/// the plugin ABI and a stable snake_case name used in JSON and the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Vague,
    Hedge,
    Unattributed,
    AnonymousSource,
    Numeric,
    Superlative,
    Quote,
    Prediction,
    Checkworthy,
    Other,
    /// Opinion or loaded wording presented as report (added after `Other`,
    /// so the older codes keep their numbers).
    Subjective,
}

/// How loudly a flag asks for attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// A numeric code that names no known [`Kind`] or [`Severity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} code {code}")]
pub struct UnknownCode {
    pub what: &'static str,
    pub code: u32,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Vague,
        Kind::Hedge,
        Kind::Unattributed,
        Kind::AnonymousSource,
        Kind::Numeric,
        Kind::Superlative,
        Kind::Quote,
        Kind::Prediction,
        Kind::Checkworthy,
        Kind::Other,
        Kind::Subjective,
    ];

    /// The ABI code: the variant's position in [`Kind::ALL`].
    pub fn code(self) -> u32 {
        Kind::ALL.iter().position(|&k| k == self).unwrap_or(9) as u32
    }

    pub fn from_code(code: u32) -> Result<Kind, UnknownCode> {
        Kind::ALL.get(code as usize).copied().ok_or(UnknownCode { what: "kind", code })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Vague => "vague",
            Kind::Hedge => "hedge",
            Kind::Unattributed => "unattributed",
            Kind::AnonymousSource => "anonymous_source",
            Kind::Numeric => "numeric",
            Kind::Superlative => "superlative",
            Kind::Quote => "quote",
            Kind::Prediction => "prediction",
            Kind::Checkworthy => "checkworthy",
            Kind::Other => "other",
            Kind::Subjective => "subjective",
        }
    }
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Error];

    pub fn code(self) -> u32 {
        self as u32
    }

    pub fn from_code(code: u32) -> Result<Severity, UnknownCode> {
        Severity::ALL.get(code as usize).copied().ok_or(UnknownCode { what: "severity", code })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
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
        for kind in Kind::ALL {
            assert_eq!(Kind::from_code(kind.code()), Ok(kind));
        }
        for severity in Severity::ALL {
            assert_eq!(Severity::from_code(severity.code()), Ok(severity));
        }
        assert_eq!(Kind::from_code(11), Err(UnknownCode { what: "kind", code: 11 }));
        // Codes are part of the ABI: the ones released first keep their numbers.
        assert_eq!((Kind::Vague.code(), Kind::Other.code(), Kind::Subjective.code()), (0, 9, 10));
        assert!(Severity::from_code(3).is_err());
        assert_eq!(Kind::AnonymousSource.as_str(), "anonymous_source");
    }
}
