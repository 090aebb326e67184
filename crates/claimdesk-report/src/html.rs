//! Standalone, printable HTML with one ClaimReview JSON-LD block per claim.

use askama::Template;

use crate::claimreview::claim_reviews;
use crate::model::{Report, ReportClaim, Scope};
use crate::{ReportError, chart_svg};

/// A link in the web UI's bar above a report (not printed).
#[derive(Debug, Clone, PartialEq)]
pub struct NavLink {
    pub label: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    report: &'a Report,
    claims: Vec<ClaimView<'a>>,
    chart: String,
    nav: &'a [NavLink],
}

struct ClaimView<'a> {
    claim: &'a ReportClaim,
    /// The ClaimReview as JSON that is safe inside `<script>`.
    json_ld: String,
}

impl ReportPage<'_> {
    fn scope_line(&self) -> String {
        match &self.report.scope {
            Scope::Document(d) => {
                let mut line = format!("Document {}", d.id);
                for part in [&d.outlet, &d.author, &d.published].into_iter().flatten() {
                    line.push_str(" · ");
                    line.push_str(part);
                }
                line
            }
            Scope::Period { from, to, filters } => {
                let mut line =
                    format!("Claims reviewed from {} to {}", from.as_deref().unwrap_or("the start"), to.as_deref().unwrap_or("today"));
                if !filters.is_empty() {
                    line.push_str(&format!(" ({})", filters.join(", ")));
                }
                line
            }
        }
    }
}

/// The report's style sheet, inlined so the HTML file stands alone. A page
/// serving the report under a Content-Security-Policy allows exactly this
/// text by its hash.
pub const REPORT_CSS: &str = include_str!("../../../templates/report.css");

/// Only web addresses become links; anything else (`javascript:` …) is
/// shown as text.
pub(crate) use claimdesk_core::input::is_web_url;

/// JSON that cannot close its `<script>` element or open a comment.
pub fn script_safe_json<T: serde::Serialize>(value: &T) -> Result<String, serde_json::Error> {
    Ok(serde_json::to_string_pretty(value)?.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026"))
}

pub fn html(report: &Report) -> Result<String, ReportError> {
    html_with_nav(report, &[])
}

/// The HTML report with a bar of links above it (for the web UI).
pub fn html_with_nav(report: &Report, nav: &[NavLink]) -> Result<String, ReportError> {
    let reviews = claim_reviews(report);
    let mut claims = Vec::with_capacity(report.claims.len());
    for (claim, review) in report.claims.iter().zip(&reviews) {
        claims.push(ClaimView { claim, json_ld: script_safe_json(review)? });
    }
    let page = ReportPage { report, claims, chart: chart_svg(&report.totals)?, nav };
    Ok(page.render()?)
}
