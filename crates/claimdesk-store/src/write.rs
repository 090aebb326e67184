//! Storing an analysed, checked document.

use claimdesk_core::{Claim, Document, Flag, Span, Status};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::entity::{claim, document, flag, sentence};
use crate::refs::Learnt;
use crate::{Store, StoreError, now};

/// Rows per multi-row INSERT: at most 18 columns × 1,000 rows stays under
/// both SQLite's and PostgreSQL's bound-parameter limits.
const BATCH: usize = 1000;

#[derive(Debug, Clone, PartialEq)]
pub struct NewSentence {
    pub span: Span,
    pub checkworthiness: f32,
    /// Why it scored so, in plain words (`claimdesk_core::take_explained_scores`); empty for none.
    pub why: String,
    pub speaker: Option<String>,
    pub anonymous: bool,
}

/// Everything to store for one document.
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    pub document: &'a Document,
    /// Where it came from: a path, `<stdin>`, `upload`.
    pub origin: Option<String>,
    pub sentences: Vec<NewSentence>,
    pub claims: Vec<Claim>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New {
        id: i64,
        claims: usize,
        flags: usize,
        /// An earlier document this one nearly repeats.
        near_duplicate: Option<NearDuplicate>,
    },
    /// The same text is already stored as document `id`.
    Duplicate { id: i64 },
}

/// An earlier document that holds most of a new one's sentences: the same
/// article with another headline or byline, or small edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NearDuplicate {
    /// The earlier document.
    pub of: i64,
    /// Keyed sentences the two share.
    pub shared: usize,
    /// Keyed sentences of the larger of the two.
    pub of_sentences: usize,
}

impl NearDuplicate {
    /// Shared keyed sentences over those of the larger document, 0..1.
    pub fn share(&self) -> f64 {
        self.shared as f64 / self.of_sentences.max(1) as f64
    }
}

/// Share of keyed sentences two documents must have in common to be near
/// duplicates (the larger document's count is the denominator: one long
/// article does not "nearly repeat" a paragraph quoted from it).
pub const NEAR_DUPLICATE_SHARE: f64 = 0.7;
/// Fewer words than this and a sentence gets no key: "Read more." is in
/// too many documents to tell them apart.
pub const KEYED_SENTENCE_WORDS: usize = 6;
/// A document needs this many keyed sentences to be called a near
/// duplicate of another.
const MIN_KEYED_SENTENCES: usize = 3;

/// The key of sentence `text`, if it is long enough to have one.
pub fn sentence_key(text: &str) -> Option<String> {
    (text.split_whitespace().count() >= KEYED_SENTENCE_WORDS).then(|| claimdesk_core::claim_key(text))
}

pub(crate) fn flag_row(document_id: i64, claim_id: i64, (rule_id, text_id): (i64, i64), f: &Flag, at: i64) -> flag::ActiveModel {
    flag::ActiveModel {
        id: Default::default(),
        document_id: Set(document_id),
        claim_id: Set(claim_id),
        rule_id: Set(rule_id),
        text_id: Set(text_id),
        start: Set(f.span.start as i64),
        end: Set(f.span.end as i64),
        score: Set(f64::from(f.score)),
        stale: Set(false),
        created_at: Set(at),
    }
}

pub(crate) fn claim_row(document_id: i64, c: &Claim, at: i64) -> claim::ActiveModel {
    claim::ActiveModel {
        id: Default::default(),
        document_id: Set(document_id),
        sentence_idx: Set(c.sentence_index as i32),
        start: Set(c.sentence.start as i64),
        end: Set(c.sentence.end as i64),
        text: Set(c.text.clone()),
        text_key: Set(Some(claimdesk_core::claim_key(&c.text))),
        speaker: Set(c.speaker.clone()),
        speaker_kind: Set(c.speaker_kind.as_str().to_owned()),
        priority: Set(f64::from(c.priority)),
        status: Set(Status::New.as_str().to_owned()),
        assignee: Set(None),
        verdict: Set(None),
        explanation: Set(None),
        resolved_by: Set(None),
        approved_by: Set(None),
        dismissal_reason: Set(None),
        dismissal_kind: Set(None),
        claim_reviewed: Set(None),
        version: Set(0),
        created_at: Set(at),
        updated_at: Set(at),
    }
}

/// Inserts `rows` in batches.
pub(crate) async fn insert_batched<A, C>(db: &C, rows: Vec<A>) -> Result<(), StoreError>
where
    A: ActiveModelTrait,
    C: ConnectionTrait,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<A> = rows.by_ref().take(BATCH).collect();
        <A::Entity as EntityTrait>::insert_many(batch).exec_without_returning(db).await?;
    }
    Ok(())
}

impl Store {
    /// The id of the document whose body hashes to `hash`, if stored.
    pub async fn document_by_hash(&self, hash: &str) -> Result<Option<i64>, StoreError> {
        let id = document::Entity::find()
            .select_only()
            .column(document::Column::Id)
            .filter(document::Column::ContentHash.eq(hash))
            .into_tuple::<i64>()
            .one(&self.read)
            .await?;
        Ok(id)
    }

    pub async fn document(&self, id: i64) -> Result<crate::DocumentRow, StoreError> {
        document::Entity::find_by_id(id).one(&self.read).await?.map(Into::into).ok_or(StoreError::NotFound { what: "document", id })
    }

    /// Stores a document with its sentences, claims and flags in one
    /// transaction, unless the same text is already stored.
    ///
    /// The document is validated again here ([`Document::validate`]), so no
    /// way in can store an unsafe URL or a control character. Two writers
    /// storing the same text at once both succeed: the one whose insert
    /// meets the other's (a unique violation on the content hash) answers
    /// [`Stored::Duplicate`].
    pub async fn store_document(&self, new: &NewDocument<'_>) -> Result<Stored, StoreError> {
        new.document.validate().map_err(|e| StoreError::Invalid(e.to_string()))?;
        let hash = new.document.content_hash();
        if let Some(id) = self.document_by_hash(&hash).await? {
            return Ok(Stored::Duplicate { id });
        }
        let at = now();
        let txn = self.begin_write().await?;
        // Another writer may have stored it since the check above.
        let existing = document::Entity::find().filter(document::Column::ContentHash.eq(hash.as_str())).one(&txn).await?;
        if let Some(existing) = existing {
            txn.rollback().await?;
            return Ok(Stored::Duplicate { id: existing.id });
        }
        let d = new.document;
        let keys: Vec<Option<String>> = new.sentences.iter().map(|s| d.body.get(s.span.start..s.span.end).and_then(sentence_key)).collect();
        let near_duplicate = near_duplicate(&txn, &keys).await?;
        let row = document::ActiveModel {
            id: Default::default(),
            content_hash: Set(hash.clone()),
            title: Set(d.title.clone()),
            source_url: Set(d.source_url.clone()),
            outlet: Set(d.outlet.clone()),
            author: Set(d.author.clone()),
            published: Set(d.published.clone()),
            language: Set(d.language.clone()),
            origin: Set(new.origin.clone()),
            body: Set(d.body.clone()),
            hash_form: Set(HASH_FORM),
            near_duplicate_of: Set(near_duplicate.map(|n| n.of)),
            near_share: Set(near_duplicate.map(|n| n.share())),
            created_at: Set(at),
            checked_at: Set(at),
        };
        let doc = match row.insert(&txn).await {
            Ok(doc) => doc,
            Err(e) if crate::error::is_unique_violation(&e) => {
                txn.rollback().await?;
                return match self.document_by_hash(&hash).await? {
                    Some(id) => Ok(Stored::Duplicate { id }),
                    None => Err(e.into()),
                };
            }
            Err(e) => return Err(e.into()),
        };
        let sentences = new.sentences.iter().zip(keys).enumerate().map(|(i, (s, text_key))| sentence::ActiveModel {
            id: Default::default(),
            document_id: Set(doc.id),
            idx: Set(i as i32),
            start: Set(s.span.start as i64),
            end: Set(s.span.end as i64),
            checkworthiness: Set(f64::from(s.checkworthiness)),
            speaker: Set(s.speaker.clone()),
            anonymous: Set(s.anonymous),
            text_key: Set(text_key),
            score_why: Set(Some(s.why.clone()).filter(|w| !w.is_empty())),
        });
        insert_batched(&txn, sentences.collect()).await?;
        let all: Vec<&Flag> = new.claims.iter().flat_map(|c| &c.flags).collect();
        let mut learnt = Learnt::default();
        let mut refs = self.resolve_refs(&txn, &all, &mut learnt).await?.into_iter();
        // One multi-row insert for the claims, then one query for their ids
        // (a document has at most one claim per sentence).
        insert_batched(&txn, new.claims.iter().map(|c| claim_row(doc.id, c, at)).collect()).await?;
        let ids: std::collections::HashMap<i32, i64> = claim::Entity::find()
            .select_only()
            .column(claim::Column::SentenceIdx)
            .column(claim::Column::Id)
            .filter(claim::Column::DocumentId.eq(doc.id))
            .into_tuple::<(i32, i64)>()
            .all(&txn)
            .await?
            .into_iter()
            .collect();
        let mut flags = Vec::with_capacity(all.len());
        for c in &new.claims {
            let claim_id = ids.get(&(c.sentence_index as i32)).copied().unwrap_or_default();
            flags.extend(c.flags.iter().zip(refs.by_ref()).map(|(f, r)| flag_row(doc.id, claim_id, r, f, at)));
        }
        let flag_count = flags.len();
        insert_batched(&txn, flags).await?;
        txn.commit().await?;
        self.publish(learnt);
        Ok(Stored::New { id: doc.id, claims: new.claims.len(), flags: flag_count, near_duplicate })
    }

    /// Inserts `flags` (all for claim `claim_id` of `document_id`) in batches
    /// inside one transaction: the bulk path the ingest benchmark measures.
    pub async fn insert_flags(&self, document_id: i64, claim_id: i64, flags: &[Flag]) -> Result<(), StoreError> {
        let at = now();
        let txn = self.begin_write().await?;
        let mut learnt = Learnt::default();
        let refs = self.resolve_refs(&txn, &flags.iter().collect::<Vec<_>>(), &mut learnt).await?;
        insert_batched(&txn, flags.iter().zip(refs).map(|(f, r)| flag_row(document_id, claim_id, r, f, at)).collect()).await?;
        txn.commit().await?;
        self.publish(learnt);
        Ok(())
    }

    /// Counts of (documents, claims, flags).
    pub async fn counts(&self) -> Result<(u64, u64, u64), StoreError> {
        use sea_orm::PaginatorTrait;
        Ok((
            document::Entity::find().count(&self.read).await?,
            claim::Entity::find().count(&self.read).await?,
            flag::Entity::find().count(&self.read).await?,
        ))
    }
}

/// The normal form new documents' `content_hash` is taken over (m008).
pub(crate) const HASH_FORM: i32 = 2;

/// The stored document sharing the most of `keys` (a new document's
/// sentence keys), when it shares enough to be a near duplicate.
pub(crate) async fn near_duplicate<C: ConnectionTrait>(db: &C, keys: &[Option<String>]) -> Result<Option<NearDuplicate>, StoreError> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
    let mut mine: Vec<&str> = keys.iter().flatten().map(String::as_str).collect();
    mine.sort_unstable();
    mine.dedup();
    if mine.len() < MIN_KEYED_SENTENCES {
        return Ok(None);
    }
    // Bound the parameters: the first 2,000 distinct keys decide.
    mine.truncate(2000);
    let shared = Expr::col(sentence::Column::TextKey).count_distinct();
    let select = Query::select()
        .column(sentence::Column::DocumentId)
        .expr_as(shared.clone(), Alias::new("shared"))
        .from(sentence::Entity)
        .and_where(sentence::Column::TextKey.is_in(mine.iter().copied()))
        .group_by_col(sentence::Column::DocumentId)
        .order_by_expr(shared, Order::Desc)
        .order_by(sentence::Column::DocumentId, Order::Asc)
        .limit(1)
        .to_owned();
    let Some(best) = db.query_one_raw(db.get_database_backend().build(&select)).await? else { return Ok(None) };
    let (of, shared): (i64, i64) = (best.try_get("", "document_id")?, best.try_get("", "shared")?);
    let theirs = Query::select()
        .expr_as(Expr::col(sentence::Column::TextKey).count_distinct(), Alias::new("n"))
        .from(sentence::Entity)
        .and_where(sentence::Column::DocumentId.eq(of))
        .to_owned();
    let theirs: i64 = match db.query_one_raw(db.get_database_backend().build(&theirs)).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    let found = NearDuplicate { of, shared: shared as usize, of_sentences: mine.len().max(theirs as usize) };
    Ok((found.share() >= NEAR_DUPLICATE_SHARE).then_some(found))
}
