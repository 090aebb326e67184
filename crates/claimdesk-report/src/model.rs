//! The report as data: what every format shows, and the JSON format itself.

use claimdesk_core::{RatingScale, short_form};
use claimdesk_store::{ReportDocument, ReportRow};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Version of the JSON format; bumped when a field changes meaning or goes.
pub const SCHEMA_VERSION: u32 = 1;

/// The fact-checking organisation that publishes the reviews.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// What a report covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Scope {
    Document(DocumentRef),
    Period {
        /// First day (`YYYY-MM-DD`), inclusive.
        from: Option<String>,
        /// Last day, inclusive.
        to: Option<String>,
        /// Other filters as `name=value`, for the heading.
        filters: Vec<String>,
    },
}

/// Everything about a report that does not come from its claims.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportMeta {
    pub title: String,
    pub scope: Scope,
    pub publisher: Organization,
    /// Where the installation's pages are served (`https://checks.example`);
    /// review URLs start with it.
    pub base_url: String,
    /// Unix seconds.
    pub generated_at: i64,
    /// Whether unpublished (resolved) claims are included.
    pub drafts: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentRef {
    pub id: i64,
    pub title: Option<String>,
    pub url: Option<String>,
    pub outlet: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
}

impl From<ReportDocument> for DocumentRef {
    fn from(d: ReportDocument) -> Self {
        DocumentRef { id: d.id, title: d.title, url: d.url, outlet: d.outlet, author: d.author, published: d.published }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub key: String,
    pub label: String,
    /// `None` for unrated outcomes ("Unverifiable").
    pub value: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceLink {
    pub url: String,
    pub title: Option<String>,
    /// supports / refutes / context
    pub stance: String,
    pub quoted_passage: Option<String>,
    /// An archive's copy of `url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportClaim {
    pub id: i64,
    /// The review's own address (ClaimReview `url`).
    pub url: String,
    /// The short form published as ClaimReview `claimReviewed`.
    pub claim_reviewed: String,
    /// The whole sentence.
    pub text: String,
    pub speaker: Option<String>,
    /// `named`, `anonymous` (an unnamed source) or `outlet` (no speaker).
    pub speaker_kind: claimdesk_core::SpeakerKind,
    /// `published` or `draft`.
    pub status: String,
    pub verdict: Verdict,
    pub explanation: String,
    pub evidence: Vec<EvidenceLink>,
    /// Who gave the verdict.
    pub checker: Option<String>,
    pub approved_by: Option<String>,
    /// When it was published (for a draft: when the verdict was given), RFC 3339.
    pub reviewed_at: Option<String>,
    pub kinds: Vec<String>,
    pub document: DocumentRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Count {
    pub key: String,
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub claims: usize,
    /// Every rating of the scale in its order (zeros included), then any
    /// verdict no longer on the scale.
    pub by_verdict: Vec<Count>,
    /// Flag kinds, most frequent first.
    pub by_kind: Vec<Count>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub title: String,
    pub scope: Scope,
    pub generated_at: String,
    pub drafts: bool,
    pub publisher: Organization,
    /// The methodology: the rating scale with its meanings.
    pub scale: RatingScale,
    pub totals: Totals,
    pub claims: Vec<ReportClaim>,
}

/// RFC 3339 for unix seconds (the epoch for a time out of range).
pub(crate) fn rfc3339(at: i64) -> String {
    OffsetDateTime::from_unix_timestamp(at).unwrap_or(OffsetDateTime::UNIX_EPOCH).format(&Rfc3339).unwrap_or_default()
}

/// The public page of published claim `claim_id` under `base`.
pub fn fact_check_url(base: &str, claim_id: i64) -> String {
    format!("{base}/fact-checks/{claim_id}")
}

/// A review's own address (ClaimReview `url`): the public page of a
/// published claim; a draft has none, so its place in the (login-only)
/// document report.
pub fn review_url(base: &str, status: claimdesk_core::Status, claim_id: i64, document_id: i64) -> String {
    if status == claimdesk_core::Status::Published {
        fact_check_url(base, claim_id)
    } else {
        format!("{base}/reports/documents/{document_id}#claim-{claim_id}")
    }
}

/// An RFC 3339 time as people read it, in UTC: "28 Nov 2026, 14:05 UTC"
/// (a text that is no such time is shown as it is).
pub fn human_time(rfc3339: &str) -> String {
    let format = time::macros::format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute] UTC");
    OffsetDateTime::parse(rfc3339, &Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(time::UtcOffset::UTC).format(&format).ok())
        .unwrap_or_else(|| rfc3339.to_owned())
}

impl Report {
    pub fn build(meta: ReportMeta, scale: RatingScale, rows: Vec<ReportRow>) -> Report {
        let base = meta.base_url.trim_end_matches('/');
        let claims: Vec<ReportClaim> = rows
            .into_iter()
            .map(|row| {
                let c = row.claim;
                let url = review_url(base, c.status, c.id, row.document.id);
                let key = c.verdict.unwrap_or_default();
                let rating = scale.get(&key);
                let verdict =
                    Verdict { label: rating.map_or_else(|| key.clone(), |r| r.label.clone()), value: rating.and_then(|r| r.value), key };
                let d = row.document;
                ReportClaim {
                    id: c.id,
                    url,
                    claim_reviewed: c.claim_reviewed.unwrap_or_else(|| short_form(&c.text)),
                    text: c.text,
                    speaker: c.speaker,
                    speaker_kind: c.speaker_kind,
                    status: if c.status == claimdesk_core::Status::Published { "published" } else { "draft" }.to_owned(),
                    verdict,
                    explanation: c.explanation.unwrap_or_default(),
                    evidence: row
                        .evidence
                        .into_iter()
                        .map(|e| EvidenceLink {
                            url: e.url,
                            title: e.title,
                            stance: e.stance.to_string(),
                            quoted_passage: e.quoted_passage,
                            archived_url: e.archived_url,
                        })
                        .collect(),
                    checker: c.resolved_by,
                    approved_by: c.approved_by,
                    reviewed_at: row.reviewed_at.map(rfc3339),
                    kinds: row.kinds.iter().map(|k| k.to_string()).collect(),
                    document: d.into(),
                }
            })
            .collect();
        let totals = totals(&scale, &claims);
        Report {
            schema_version: SCHEMA_VERSION,
            title: meta.title,
            scope: meta.scope,
            generated_at: rfc3339(meta.generated_at),
            drafts: meta.drafts,
            publisher: meta.publisher,
            scale,
            totals,
            claims,
        }
    }
}

fn totals(scale: &RatingScale, claims: &[ReportClaim]) -> Totals {
    let mut by_verdict: Vec<Count> = scale.ratings.iter().map(|r| Count { key: r.key.clone(), label: r.label.clone(), count: 0 }).collect();
    let mut by_kind: Vec<Count> = Vec::new();
    for claim in claims {
        match by_verdict.iter_mut().find(|c| c.key == claim.verdict.key) {
            Some(count) => count.count += 1,
            None => by_verdict.push(Count { key: claim.verdict.key.clone(), label: claim.verdict.label.clone(), count: 1 }),
        }
        for kind in &claim.kinds {
            match by_kind.iter_mut().find(|c| &c.key == kind) {
                Some(count) => count.count += 1,
                None => by_kind.push(Count { key: kind.clone(), label: kind.replace('_', " "), count: 1 }),
            }
        }
    }
    by_kind.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    Totals { claims: claims.len(), by_verdict, by_kind }
}
