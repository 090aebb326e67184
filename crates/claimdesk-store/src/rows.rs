//! The plain row types callers get: defined here, free of sea-orm, with
//! enumerations typed. A name in the database that is no variant of its
//! enumeration is an error ([`StoreError::Corrupt`]), never a default.

use std::str::FromStr;

use claimdesk_core::{DismissalKind, Kind, Role, Severity, SpeakerKind, Stance, Status, UnknownName};

use crate::StoreError;
use crate::entity::{claim, document, event, evidence, session, user};

/// Parses a stored name into its enumeration.
pub(crate) fn parse<T: FromStr<Err = UnknownName>>(table: &'static str, column: &'static str, value: &str) -> Result<T, StoreError> {
    value.parse().map_err(|e: UnknownName| StoreError::Corrupt { table, column, reason: e.to_string() })
}

/// One claim, whole.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimRow {
    pub id: i64,
    pub document_id: i64,
    /// Index of the sentence the claim is, in its document.
    pub sentence_index: i32,
    pub start: i64,
    pub end: i64,
    pub text: String,
    pub speaker: Option<String>,
    /// Named, anonymous, or the outlet itself (then `speaker` is `None`).
    pub speaker_kind: SpeakerKind,
    pub priority: f64,
    pub status: Status,
    pub assignee: Option<String>,
    pub verdict: Option<String>,
    pub explanation: Option<String>,
    pub resolved_by: Option<String>,
    pub approved_by: Option<String>,
    pub dismissal_reason: Option<String>,
    pub dismissal_kind: Option<DismissalKind>,
    /// ClaimReview `claimReviewed` as an editor set it; `None`: the default
    /// short form of `text`.
    pub claim_reviewed: Option<String>,
    /// Bumped on every change; a stale edit is refused.
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ClaimRow {
    /// What the permission check needs of the claim, for `viewer`, when it
    /// has `evidence` items.
    pub fn standing_for(&self, viewer: &str, evidence: usize) -> claimdesk_core::Standing {
        claimdesk_core::Standing {
            status: self.status,
            approved: self.approved_by.is_some(),
            own_verdict: self.resolved_by.as_deref() == Some(viewer),
            evidence,
        }
    }

    /// The short form reports publish: the editor's, or the default.
    pub fn claim_reviewed_or_default(&self) -> String {
        self.claim_reviewed.clone().unwrap_or_else(|| claimdesk_core::short_form(&self.text))
    }
}

impl TryFrom<claim::Model> for ClaimRow {
    type Error = StoreError;

    fn try_from(m: claim::Model) -> Result<Self, StoreError> {
        Ok(ClaimRow {
            status: parse("claims", "status", &m.status)?,
            speaker_kind: parse("claims", "speaker_kind", &m.speaker_kind)?,
            dismissal_kind: m.dismissal_kind.as_deref().map(|k| parse("claims", "dismissal_kind", k)).transpose()?,
            id: m.id,
            document_id: m.document_id,
            sentence_index: m.sentence_idx,
            start: m.start,
            end: m.end,
            text: m.text,
            speaker: m.speaker,
            priority: m.priority,
            assignee: m.assignee,
            verdict: m.verdict,
            explanation: m.explanation,
            resolved_by: m.resolved_by,
            approved_by: m.approved_by,
            dismissal_reason: m.dismissal_reason,
            claim_reviewed: m.claim_reviewed,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

/// Converts every model, failing on the first corrupt one.
pub(crate) fn all<M, R: TryFrom<M, Error = StoreError>>(models: Vec<M>) -> Result<Vec<R>, StoreError> {
    models.into_iter().map(R::try_from).collect()
}

/// One entry of a claim's audit trail.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub id: i64,
    pub claim_id: i64,
    pub actor: String,
    pub at: i64,
    /// [`claimdesk_core::Action::name`], or `add_evidence`.
    pub action: String,
    pub before: Status,
    pub after: Status,
    /// The action's details as JSON (verdict, reason, evidence id, …).
    pub detail: String,
}

impl TryFrom<event::Model> for EventRow {
    type Error = StoreError;

    fn try_from(m: event::Model) -> Result<Self, StoreError> {
        Ok(EventRow {
            before: parse("events", "before", &m.before)?,
            after: parse("events", "after", &m.after)?,
            id: m.id,
            claim_id: m.claim_id,
            actor: m.actor,
            at: m.at,
            action: m.action,
            detail: m.detail,
        })
    }
}

/// One piece of evidence on a claim.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceRow {
    pub id: i64,
    pub claim_id: i64,
    pub url: String,
    pub title: Option<String>,
    pub quoted_passage: Option<String>,
    pub note: Option<String>,
    pub stance: Stance,
    pub added_by: String,
    pub added_at: i64,
    /// An archive's copy of `url` (m011).
    pub archived_url: Option<String>,
}

impl TryFrom<evidence::Model> for EvidenceRow {
    type Error = StoreError;

    fn try_from(m: evidence::Model) -> Result<Self, StoreError> {
        Ok(EvidenceRow {
            stance: parse("evidence", "stance", &m.stance)?,
            id: m.id,
            claim_id: m.claim_id,
            url: m.url,
            title: m.title,
            quoted_passage: m.quoted_passage,
            note: m.note,
            archived_url: m.archived_url,
            added_by: m.added_by,
            added_at: m.added_at,
        })
    }
}

/// One stored document.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRow {
    pub id: i64,
    /// SHA-256 of the normalised body: re-ingesting the same text is a no-op.
    pub content_hash: String,
    pub title: Option<String>,
    pub source_url: Option<String>,
    pub outlet: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    pub language: String,
    /// Where it was ingested from: a path, `<stdin>`, or `upload`.
    pub origin: Option<String>,
    pub body: String,
    /// The earlier document this one nearly repeats, and the share of
    /// sentences they have in common (0..1).
    pub near_duplicate_of: Option<(i64, f64)>,
    pub created_at: i64,
    pub checked_at: i64,
}

impl From<document::Model> for DocumentRow {
    fn from(m: document::Model) -> Self {
        let document::Model {
            id,
            content_hash,
            title,
            source_url,
            outlet,
            author,
            published,
            language,
            origin,
            body,
            hash_form: _,
            near_duplicate_of,
            near_share,
            created_at,
            checked_at,
        } = m;
        let near_duplicate_of = near_duplicate_of.map(|of| (of, near_share.unwrap_or_default()));
        DocumentRow {
            id,
            content_hash,
            title,
            source_url,
            outlet,
            author,
            published,
            language,
            origin,
            body,
            near_duplicate_of,
            created_at,
            checked_at,
        }
    }
}

/// A flag with its rule and texts, as pages show it.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagView {
    pub id: i64,
    pub claim_id: i64,
    pub plugin: String,
    pub plugin_version: String,
    pub rule: String,
    pub kind: Kind,
    pub severity: Severity,
    pub start: i64,
    pub end: i64,
    pub score: f64,
    pub message: String,
    pub question: String,
    pub stale: bool,
}

/// A user account.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub name: String,
    /// argon2 PHC string.
    pub password_hash: String,
    pub role: Role,
    pub active: bool,
    pub created_at: i64,
    /// [`claimdesk_core::input::user_name_key`] of `name`: what a login
    /// compares.
    pub name_key: Option<String>,
}

impl TryFrom<user::Model> for User {
    type Error = StoreError;

    fn try_from(m: user::Model) -> Result<Self, StoreError> {
        Ok(User {
            role: parse("users", "role", &m.role)?,
            id: m.id,
            name: m.name,
            password_hash: m.password_hash,
            active: m.active,
            created_at: m.created_at,
            name_key: m.name_key,
        })
    }
}

/// A login session; only the SHA-256 of the cookie's id is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub id_hash: String,
    pub user_id: i64,
    pub created_at: i64,
    /// Last request seen, to the minute.
    pub last_seen_at: i64,
}

impl From<session::Model> for Session {
    fn from(m: session::Model) -> Self {
        Session { id_hash: m.id_hash, user_id: m.user_id, created_at: m.created_at, last_seen_at: m.last_seen_at }
    }
}
