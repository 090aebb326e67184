//! What verdict reports read: resolved claims with their document, evidence,
//! flag kinds and the time of their review.
//!
//! A claim's review time is its latest `publish` or `resolve` event: for a
//! published claim the publication, for a draft (resolved, not published)
//! the verdict. Periods select on it.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::{claim, document, event, evidence, flag_rule};
use crate::{ClaimRow, DocumentRow, EvidenceRow, Store, StoreError};
use claimdesk_core::{Kind, Status};

/// Events that date a review.
const REVIEW_ACTIONS: [&str; 2] = ["publish", "resolve"];

/// Keeps `IN (…)` lists well under every backend's parameter limit.
const CHUNK: usize = 1000;

/// Which claims a report holds; `None` means "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportFilter {
    pub document_id: Option<i64>,
    /// Reviewed at or after (unix seconds).
    pub from: Option<i64>,
    /// Reviewed before (unix seconds).
    pub until: Option<i64>,
    pub outlet: Option<String>,
    /// Claims with a current flag of this kind.
    pub kind: Option<Kind>,
    /// Who gave the verdict.
    pub checker: Option<String>,
    /// Rating key.
    pub verdict: Option<String>,
    /// Also resolved claims that are not published yet (editors only).
    pub include_drafts: bool,
    /// Only these claims.
    pub claim_ids: Option<Vec<i64>>,
}

/// One claim of a report with everything the report shows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub claim: ClaimRow,
    pub document: ReportDocument,
    /// Unix seconds of the latest publication (or, for a draft, verdict).
    pub reviewed_at: Option<i64>,
    pub evidence: Vec<EvidenceRow>,
    /// Kinds of the claim's current flags, sorted, without repeats.
    pub kinds: Vec<Kind>,
}

/// The document fields a report cites.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportDocument {
    pub id: i64,
    pub title: Option<String>,
    pub url: Option<String>,
    pub outlet: Option<String>,
    pub author: Option<String>,
    /// As ingested (usually `YYYY-MM-DD`).
    pub published: Option<String>,
}

impl From<DocumentRow> for ReportDocument {
    fn from(d: DocumentRow) -> Self {
        ReportDocument { id: d.id, title: d.title, url: d.source_url, outlet: d.outlet, author: d.author, published: d.published }
    }
}

impl ReportFilter {
    fn condition(&self) -> Condition {
        let statuses: &[Status] = if self.include_drafts { &[Status::Published, Status::Resolved] } else { &[Status::Published] };
        let mut c = Condition::all().add(claim::Column::Status.is_in(statuses.iter().map(|s| s.as_str())));
        if let Some(id) = self.document_id {
            c = c.add(claim::Column::DocumentId.eq(id));
        }
        if let Some(ids) = &self.claim_ids {
            c = c.add(claim::Column::Id.is_in(ids.iter().copied()));
        }
        if let Some(checker) = &self.checker {
            c = c.add(claim::Column::ResolvedBy.eq(checker.as_str()));
        }
        if let Some(verdict) = &self.verdict {
            c = c.add(claim::Column::Verdict.eq(verdict.as_str()));
        }
        if let Some(outlet) = &self.outlet {
            c = c.add(crate::queue::from_outlet(outlet));
        }
        if let Some(kind) = self.kind {
            c = c.add(crate::queue::with_flag(flag_rule::Column::Kind, kind.as_str(), true));
        }
        if self.from.is_some() || self.until.is_some() {
            let mut reviewed = Query::select()
                .column(event::Column::ClaimId)
                .from(event::Entity)
                .and_where(event::Column::Action.is_in(REVIEW_ACTIONS))
                .group_by_col(event::Column::ClaimId)
                .to_owned();
            if let Some(from) = self.from {
                reviewed.and_having(Expr::col(event::Column::At).max().gte(from));
            }
            if let Some(until) = self.until {
                reviewed.and_having(Expr::col(event::Column::At).max().lt(until));
            }
            c = c.add(claim::Column::Id.in_subquery(reviewed));
        }
        c
    }
}

impl Store {
    /// The claims a report holds, in text order for one document and by
    /// review time otherwise. An empty result is a valid (empty) report.
    pub async fn report_rows(&self, filter: &ReportFilter) -> Result<Vec<ReportRow>, StoreError> {
        let claims: Vec<ClaimRow> =
            crate::rows::all(claim::Entity::find().filter(filter.condition()).order_by_asc(claim::Column::Id).all(&self.read).await?)?;
        let claim_ids: Vec<i64> = claims.iter().map(|c| c.id).collect();
        let mut document_ids: Vec<i64> = claims.iter().map(|c| c.document_id).collect();
        document_ids.sort_unstable();
        document_ids.dedup();

        let mut reviewed_at: HashMap<i64, i64> = HashMap::new();
        let mut evidence_of: HashMap<i64, Vec<EvidenceRow>> = HashMap::new();
        for ids in claim_ids.chunks(CHUNK) {
            let times: Vec<(i64, i64)> = event::Entity::find()
                .select_only()
                .column(event::Column::ClaimId)
                .column_as(Expr::col(event::Column::At).max(), "at")
                .filter(event::Column::ClaimId.is_in(ids.iter().copied()))
                .filter(event::Column::Action.is_in(REVIEW_ACTIONS))
                .group_by(event::Column::ClaimId)
                .into_tuple()
                .all(&self.read)
                .await?;
            reviewed_at.extend(times);
            let rows = evidence::Entity::find()
                .filter(evidence::Column::ClaimId.is_in(ids.iter().copied()))
                .order_by_asc(evidence::Column::Id)
                .all(&self.read)
                .await?;
            for row in rows {
                let row = EvidenceRow::try_from(row)?;
                evidence_of.entry(row.claim_id).or_default().push(row);
            }
        }
        let mut documents: HashMap<i64, ReportDocument> = HashMap::new();
        for ids in document_ids.chunks(CHUNK) {
            type Row = (i64, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>);
            let rows: Vec<Row> = document::Entity::find()
                .select_only()
                .columns([
                    document::Column::Id,
                    document::Column::Title,
                    document::Column::SourceUrl,
                    document::Column::Outlet,
                    document::Column::Author,
                    document::Column::Published,
                ])
                .filter(document::Column::Id.is_in(ids.iter().copied()))
                .into_tuple()
                .all(&self.read)
                .await?;
            for (id, title, url, outlet, author, published) in rows {
                documents.insert(id, ReportDocument { id, title, url, outlet, author, published });
            }
        }
        let mut kinds_of = self.current_kinds(&claim_ids).await?;
        let mut rows: Vec<ReportRow> = claims
            .into_iter()
            .map(|claim| {
                let kinds = kinds_of.remove(&claim.id).unwrap_or_default();
                ReportRow {
                    document: documents
                        .get(&claim.document_id)
                        .cloned()
                        .unwrap_or_else(|| ReportDocument { id: claim.document_id, ..Default::default() }),
                    reviewed_at: reviewed_at.get(&claim.id).copied(),
                    evidence: evidence_of.remove(&claim.id).unwrap_or_default(),
                    kinds,
                    claim,
                }
            })
            .collect();
        if filter.document_id.is_some() {
            rows.sort_by_key(|r| (r.claim.sentence_index, r.claim.id));
        } else {
            rows.sort_by_key(|r| (r.reviewed_at, r.claim.id));
        }
        Ok(rows)
    }

    /// One page of the published claims `filter` selects, newest
    /// publication first, and how many there are in all: the public
    /// fact-check index, feed and sitemap. (Drafts are never listed,
    /// whatever `filter.include_drafts` says.)
    pub async fn published_page(&self, filter: &ReportFilter, offset: u64, limit: u64) -> Result<(Vec<(i64, i64)>, u64), StoreError> {
        let filter = ReportFilter { include_drafts: false, ..filter.clone() };
        let selected = Query::select().column(claim::Column::Id).from(claim::Entity).cond_where(filter.condition()).to_owned();
        let published = || {
            event::Entity::find().filter(event::Column::Action.eq("publish")).filter(event::Column::ClaimId.in_subquery(selected.clone()))
        };
        let total: Option<i64> = published()
            .select_only()
            .column_as(Expr::col(event::Column::ClaimId).count_distinct(), "n")
            .into_tuple()
            .one(&self.read)
            .await?;
        let page: Vec<(i64, i64)> = published()
            .select_only()
            .column(event::Column::ClaimId)
            .column_as(Expr::col(event::Column::At).max(), "at")
            .group_by(event::Column::ClaimId)
            .order_by(Expr::col(event::Column::At).max(), sea_orm::Order::Desc)
            .order_by_desc(event::Column::ClaimId)
            .offset(offset)
            .limit(limit)
            .into_tuple()
            .all(&self.read)
            .await?;
        Ok((page, u64::try_from(total.unwrap_or(0)).unwrap_or(0)))
    }

    /// The outlets documents name, sorted; with `published_only`, only
    /// those with a published claim (the public index's choices).
    pub async fn outlets(&self, published_only: bool) -> Result<Vec<String>, StoreError> {
        let mut query = document::Entity::find()
            .select_only()
            .column(document::Column::Outlet)
            .distinct()
            .filter(document::Column::Outlet.is_not_null())
            .order_by_asc(document::Column::Outlet);
        if published_only {
            let published = Query::select()
                .column(claim::Column::DocumentId)
                .from(claim::Entity)
                .and_where(claim::Column::Status.eq(Status::Published.as_str()))
                .to_owned();
            query = query.filter(document::Column::Id.in_subquery(published));
        }
        let outlets: Vec<Option<String>> = query.into_tuple().all(&self.read).await?;
        Ok(outlets.into_iter().flatten().filter(|o| !o.trim().is_empty()).collect())
    }

    /// Review times of all published claims (unix seconds), for listing the
    /// periods that have reports.
    pub async fn published_review_times(&self) -> Result<Vec<i64>, StoreError> {
        let published = Query::select()
            .column(claim::Column::Id)
            .from(claim::Entity)
            .and_where(claim::Column::Status.eq(Status::Published.as_str()))
            .to_owned();
        let times: Vec<(i64, i64)> = event::Entity::find()
            .select_only()
            .column(event::Column::ClaimId)
            .column_as(Expr::col(event::Column::At).max(), "at")
            .filter(event::Column::ClaimId.in_subquery(published))
            .filter(event::Column::Action.is_in(REVIEW_ACTIONS))
            .group_by(event::Column::ClaimId)
            .into_tuple()
            .all(&self.read)
            .await?;
        Ok(times.into_iter().map(|(_, at)| at).collect())
    }

    /// Documents with published claims, newest first, with their number of
    /// published claims.
    pub async fn documents_with_published_claims(&self, limit: u64) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(claim::Entity::find()
            .select_only()
            .column(claim::Column::DocumentId)
            .column_as(Expr::col(claim::Column::Id).count(), "n")
            .filter(claim::Column::Status.eq(Status::Published.as_str()))
            .group_by(claim::Column::DocumentId)
            .order_by_desc(claim::Column::DocumentId)
            .limit(limit)
            .into_tuple()
            .all(&self.read)
            .await?)
    }

    /// Document `id` for a report's heading.
    pub async fn report_document(&self, id: i64) -> Result<ReportDocument, StoreError> {
        document::Entity::find_by_id(id)
            .one(&self.read)
            .await?
            .map(|d| ReportDocument::from(DocumentRow::from(d)))
            .ok_or(StoreError::NotFound { what: "document", id })
    }
}
