//! Verdict reports: what editors publish once checkers have resolved claims.
//!
//! [`Report::build`] turns the rows the store selected into a report; the
//! renderers write it as standalone HTML (with one ClaimReview JSON-LD block
//! per claim), Markdown, versioned JSON, CSV, a bare ClaimReview array, or
//! the totals chart as SVG. [`load`] reads a report's claims and settings
//! through claimdesk-store (the one path the CLI and the web UI share);
//! rendering does no I/O: renderers return strings or write into a caller's
//! `Write`.
//!
//! Invariant: every format holds exactly the report's claims, one entry (row,
//! block, object) per claim, with text escaped for that format.

mod chart;
mod claimreview;
mod csv_out;
mod html;
mod load;
mod markdown;
mod model;

pub use chart::{bar_chart_svg, chart_svg};
pub use claimreview::{ClaimReview, claim_review, claim_reviews, claim_reviews_json};
pub use csv_out::{CSV_COLUMNS, write_csv};
pub use html::{NavLink, REPORT_CSS, html, html_with_nav, script_safe_json};
pub use load::{DEFAULT_ORGANIZATION, LoadError, ORGANIZATION_NAME, ORGANIZATION_URL, PUBLIC_URL, ReportRequest, load};
pub use markdown::markdown;
pub use model::{
    Count, DocumentRef, EvidenceLink, Organization, Report, ReportClaim, ReportMeta, SCHEMA_VERSION, Scope, Totals, Verdict,
    fact_check_url, human_time, review_url,
};

claimdesk_core::named_enum! {
    /// The formats a report comes in; the names are used on the command
    /// line, in `?format=` and in download links.
    pub enum Format as "report format" {
        Html = "html",
        Markdown = "md",
        Json = "json",
        Csv = "csv",
        ClaimReview = "claimreview",
        Svg = "svg",
    }
}

impl Format {
    /// Other names a format answers to.
    pub const ALIASES: &'static [(&'static str, Format)] = &[("markdown", Format::Markdown)];

    /// A format by name or alias.
    pub fn parse(name: &str) -> Option<Format> {
        Format::ALIASES.iter().find(|(alias, _)| *alias == name).map(|(_, f)| *f).or_else(|| name.parse().ok())
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Json => "application/json",
            Format::Csv => "text/csv; charset=utf-8",
            Format::ClaimReview => "application/ld+json",
            Format::Svg => "image/svg+xml",
        }
    }

    /// File name extension for downloads.
    pub fn extension(self) -> &'static str {
        match self {
            Format::ClaimReview => "claimreview.json",
            other => other.as_str(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("rendering the HTML report: {0}")]
    Html(#[from] askama::Error),
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("drawing the chart: {0}")]
    Chart(String),
}

/// `report` in `format`.
pub fn render(report: &Report, format: Format) -> Result<String, ReportError> {
    Ok(match format {
        Format::Html => html(report)?,
        Format::Markdown => markdown(report),
        Format::Json => serde_json::to_string_pretty(report)?,
        Format::Csv => {
            let mut out = Vec::new();
            write_csv(report, &mut out)?;
            // The csv writer only writes the UTF-8 it was given.
            String::from_utf8_lossy(&out).into_owned()
        }
        Format::ClaimReview => claim_reviews_json(report)?,
        Format::Svg => chart_svg(&report.totals)?,
    })
}

#[cfg(test)]
mod tests;
