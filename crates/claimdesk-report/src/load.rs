//! Building a report from the store: the one path the CLI and the web UI
//! share, so both select, title and attribute reports the same way.

use claimdesk_store::{ReportFilter, Store, StoreError};
use time::{Date, Duration, OffsetDateTime, Time};

use crate::model::{DocumentRef, Organization, Report, ReportMeta, Scope};

/// Settings (the store's `settings` table) a report reads.
pub const ORGANIZATION_NAME: &str = "report_organization_name";
pub const ORGANIZATION_URL: &str = "report_organization_url";
/// Where readers reach the installation; the public fact-check pages'
/// addresses (ClaimReview `url`) start with it. No default: a guessed
/// address would be published wrong.
pub const PUBLIC_URL: &str = "public_url";
pub const DEFAULT_ORGANIZATION: &str = "claimdesk";

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("no document with ID {0}")]
    UnknownDocument(i64),
    #[error("the period starts ({from}) after it ends ({to})")]
    Inverted { from: Date, to: Date },
    #[error("{given:?} is not a verdict on this installation's scale; use a key or a label: {choices}")]
    UnknownVerdict { given: String, choices: String },
    #[error("no public address is set, and published links need one: pass --base-url URL or set the public address (admin, /users)")]
    NoPublicUrl,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What to report on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportRequest {
    pub document_id: Option<i64>,
    /// First day, inclusive (UTC).
    pub from: Option<Date>,
    /// Last day, inclusive (UTC).
    pub to: Option<Date>,
    pub outlet: Option<String>,
    pub kind: Option<claimdesk_core::Kind>,
    pub checker: Option<String>,
    pub verdict: Option<String>,
    pub include_drafts: bool,
    /// Overrides the `public_url` setting; one of the two is needed.
    pub base_url: Option<String>,
    /// Only these claims (the public pages' one page of fact-checks).
    pub claim_ids: Option<Vec<i64>>,
}

fn midnight(date: Date) -> i64 {
    date.with_time(Time::MIDNIGHT).assume_utc().unix_timestamp()
}

impl ReportRequest {
    /// The other filters as `name=value`, for headings.
    fn filter_labels(&self) -> Vec<String> {
        let mut labels = Vec::new();
        let kind = self.kind.map(|k| k.as_str().to_owned());
        for (name, value) in [("outlet", &self.outlet), ("kind", &kind), ("checker", &self.checker), ("verdict", &self.verdict)] {
            if let Some(value) = value {
                labels.push(format!("{name}={value}"));
            }
        }
        labels
    }

    fn store_filter(&self) -> ReportFilter {
        ReportFilter {
            document_id: self.document_id,
            from: self.from.map(midnight),
            // Through the end of the last day.
            until: self.to.map(|to| midnight(to) + Duration::DAY.whole_seconds()),
            outlet: self.outlet.clone(),
            kind: self.kind,
            checker: self.checker.clone(),
            verdict: self.verdict.clone(),
            include_drafts: self.include_drafts,
            claim_ids: self.claim_ids.clone(),
        }
    }
}

/// Reads the report `request` asks for. An unknown document is an error; a
/// period with no reviewed claims is a valid, empty report.
pub async fn load(store: &Store, request: &ReportRequest) -> Result<Report, LoadError> {
    if let (Some(from), Some(to)) = (request.from, request.to)
        && from > to
    {
        return Err(LoadError::Inverted { from, to });
    }
    let scope = match request.document_id {
        Some(id) => {
            let d = store.report_document(id).await.map_err(|e| match e {
                StoreError::NotFound { .. } => LoadError::UnknownDocument(id),
                other => LoadError::Store(other),
            })?;
            Scope::Document(DocumentRef::from(d))
        }
        None => Scope::Period {
            from: request.from.map(|d| d.to_string()),
            to: request.to.map(|d| d.to_string()),
            filters: request.filter_labels(),
        },
    };
    let title = match &scope {
        Scope::Document(d) => format!("Fact-check report: {}", d.title.as_deref().unwrap_or(&format!("document {}", d.id))),
        Scope::Period { from, to, .. } => match (from, to) {
            (None, None) => "Fact-check report".to_owned(),
            (from, to) => format!("Fact-check report, {} to {}", from.as_deref().unwrap_or("the start"), to.as_deref().unwrap_or("today")),
        },
    };
    let publisher = Organization {
        name: store.setting(ORGANIZATION_NAME).await?.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| DEFAULT_ORGANIZATION.to_owned()),
        url: store.setting(ORGANIZATION_URL).await?.filter(|u| !u.trim().is_empty()),
    };
    let meta = ReportMeta {
        title,
        scope,
        publisher,
        base_url: String::new(),
        generated_at: OffsetDateTime::now_utc().unix_timestamp(),
        drafts: request.include_drafts,
    };
    let scale = store.rating_scale().await?;
    let mut filter = request.store_filter();
    // A verdict filter names a rating by key or label; one the scale does
    // not know is the user's mistake, not an empty report.
    if let Some(given) = &request.verdict {
        let rating =
            scale.find(given).ok_or_else(|| LoadError::UnknownVerdict { given: given.clone(), choices: scale.keys().join(", ") })?;
        filter.verdict = Some(rating.key.clone());
    }
    // Last: a usage error above says what is wrong first.
    let base_url = match &request.base_url {
        Some(url) => url.clone(),
        None => store
            .setting(PUBLIC_URL)
            .await?
            .and_then(|url| claimdesk_core::input::public_base_url(&url).ok())
            .ok_or(LoadError::NoPublicUrl)?,
    };
    let rows = store.report_rows(&filter).await?;
    Ok(Report::build(ReportMeta { base_url, ..meta }, scale, rows))
}
