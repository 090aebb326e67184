//! schema.org ClaimReview, with the fields Google's fact-check markup
//! requires (`claimReviewed`, `reviewRating.alternateName`, `url`) and
//! recommends (`author`, `datePublished`, `itemReviewed` …).

use serde::Serialize;

use crate::model::{Report, ReportClaim};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimReview {
    #[serde(rename = "@context")]
    pub context: &'static str,
    #[serde(rename = "@type")]
    pub type_: &'static str,
    pub url: String,
    #[serde(rename = "claimReviewed")]
    pub claim_reviewed: String,
    #[serde(rename = "datePublished", skip_serializing_if = "Option::is_none")]
    pub date_published: Option<String>,
    pub author: Agent,
    #[serde(rename = "reviewRating")]
    pub review_rating: Rating,
    #[serde(rename = "itemReviewed")]
    pub item_reviewed: Claim,
}

/// A Person or an Organization.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agent {
    #[serde(rename = "@type")]
    pub type_: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rating {
    #[serde(rename = "@type")]
    pub type_: &'static str,
    #[serde(rename = "alternateName")]
    pub alternate_name: String,
    /// Absent for unrated outcomes, as are best and worst.
    #[serde(rename = "ratingValue", skip_serializing_if = "Option::is_none")]
    pub rating_value: Option<u8>,
    #[serde(rename = "bestRating", skip_serializing_if = "Option::is_none")]
    pub best_rating: Option<u8>,
    #[serde(rename = "worstRating", skip_serializing_if = "Option::is_none")]
    pub worst_rating: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claim {
    #[serde(rename = "@type")]
    pub type_: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Agent>,
    #[serde(rename = "datePublished", skip_serializing_if = "Option::is_none")]
    pub date_published: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub appearance: Vec<CreativeWork>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreativeWork {
    #[serde(rename = "@type")]
    pub type_: &'static str,
    pub url: String,
}

/// Who made the claim (`itemReviewed.author`): a named speaker is a
/// `Person`; an unnamed source ("officials") is nobody anyone can cite, so
/// the claim is credited to the outlet that carried it, as is a claim with
/// no speaker (the outlet's own); with no outlet known, no author at all.
/// Never the article's journalist: the byline wrote the article, not the
/// claim. (docs/REPORTS.md says the same for readers of the reports.)
pub(crate) fn claimant(claim: &ReportClaim) -> Option<Agent> {
    use claimdesk_core::SpeakerKind;
    let outlet = || claim.document.outlet.as_ref().map(|name| Agent { type_: "Organization", name: name.clone(), url: None });
    match (claim.speaker_kind, &claim.speaker) {
        (SpeakerKind::Named, Some(name)) => Some(Agent { type_: "Person", name: name.clone(), url: None }),
        _ => outlet(),
    }
}

/// The ClaimReview of `claim`, one of `report`'s claims.
pub fn claim_review(report: &Report, claim: &ReportClaim) -> ClaimReview {
    let rated = claim.verdict.value.is_some();
    ClaimReview {
        context: "https://schema.org",
        type_: "ClaimReview",
        url: claim.url.clone(),
        claim_reviewed: claim.claim_reviewed.clone(),
        // The date part of the review time.
        date_published: claim.reviewed_at.as_ref().and_then(|at| at.get(..10)).map(str::to_owned),
        author: Agent { type_: "Organization", name: report.publisher.name.clone(), url: report.publisher.url.clone() },
        review_rating: Rating {
            type_: "Rating",
            alternate_name: claim.verdict.label.clone(),
            rating_value: claim.verdict.value,
            best_rating: rated.then_some(report.scale.best),
            worst_rating: rated.then_some(report.scale.worst),
        },
        item_reviewed: Claim {
            type_: "Claim",
            author: claimant(claim),
            date_published: claim.document.published.clone(),
            // Only web addresses (a row stored before URLs were validated may hold anything).
            appearance: claim
                .document
                .url
                .iter()
                .filter(|url| crate::html::is_web_url(url))
                .map(|url| CreativeWork { type_: "CreativeWork", url: url.clone() })
                .collect(),
        },
    }
}

/// One ClaimReview per claim of `report`, in report order.
pub fn claim_reviews(report: &Report) -> Vec<ClaimReview> {
    report.claims.iter().map(|claim| claim_review(report, claim)).collect()
}

/// The bare ClaimReview format: a JSON array.
pub fn claim_reviews_json(report: &Report) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&claim_reviews(report))
}
