//! Claims the detectors missed, added by a checker from the document page.

use claimdesk_core::SpeakerKind;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::{claim, document, sentence};
use crate::{ClaimRow, Store, StoreError, now};

/// The longest run of sentences one claim by hand may cover.
pub const MAX_HAND_SENTENCES: usize = 5;

/// Which sentences a claim by hand covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandSelection {
    /// Sentences `first..=last`, 0-based.
    Sentences { first: usize, last: usize },
    /// The sentences a selection of the body's bytes `start..end` touches.
    Span { start: usize, end: usize },
}

impl Store {
    /// The byte spans of document `document_id`'s sentences, in order (the
    /// numbering a claim by hand refers to).
    pub async fn sentence_spans(&self, document_id: i64) -> Result<Vec<(usize, usize)>, StoreError> {
        let rows: Vec<(i64, i64)> = sentence::Entity::find()
            .select_only()
            .columns([sentence::Column::Start, sentence::Column::End])
            .filter(sentence::Column::DocumentId.eq(document_id))
            .order_by_asc(sentence::Column::Idx)
            .into_tuple()
            .all(&self.read)
            .await?;
        Ok(rows.into_iter().map(|(s, e)| (s.max(0) as usize, e.max(0) as usize)).collect())
    }

    /// Adds a claim of document `document_id` covering the sentences of
    /// `selection`, entered by `actor` with an optional
    /// `note`, to the queue: status new, top priority (someone judged it
    /// worth checking), speaker from the first sentence, an `add_claim`
    /// event saying who added it. A claim over exactly the same text of
    /// the document is a duplicate.
    pub async fn add_claim_by_hand(
        &self,
        document_id: i64,
        selection: HandSelection,
        actor: &str,
        note: Option<&str>,
    ) -> Result<ClaimRow, StoreError> {
        let txn = self.begin_write().await?;
        let doc =
            document::Entity::find_by_id(document_id).one(&txn).await?.ok_or(StoreError::NotFound { what: "document", id: document_id })?;
        let sentences = sentence::Entity::find()
            .filter(sentence::Column::DocumentId.eq(document_id))
            .order_by_asc(sentence::Column::Idx)
            .all(&txn)
            .await?;
        let (first, last) = match selection {
            HandSelection::Sentences { first, last } => (first, last),
            HandSelection::Span { start, end } => {
                let touched: Vec<usize> = (0..sentences.len())
                    .filter(|&i| (sentences[i].start.max(0) as usize) < end && (sentences[i].end.max(0) as usize) > start)
                    .collect();
                match (touched.first(), touched.last()) {
                    (Some(&f), Some(&l)) => (f, l),
                    _ => return Err(StoreError::Invalid("the selection is not in this document's sentences".to_owned())),
                }
            }
        };
        if first > last || last >= sentences.len() {
            return Err(StoreError::Invalid(format!(
                "choose sentences between 1 and {} of this document, the first not after the last",
                sentences.len()
            )));
        }
        if last - first >= MAX_HAND_SENTENCES {
            return Err(StoreError::Invalid(format!("a claim covers at most {MAX_HAND_SENTENCES} sentences; split it")));
        }
        let (head, tail) = (&sentences[first], &sentences[last]);
        let (start, end) = (head.start.max(0) as usize, tail.end.max(0) as usize);
        let text = doc
            .body
            .get(start..end)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| StoreError::Invalid(format!("sentences {}–{} hold no text", first + 1, last + 1)))?;
        let same = claim::Entity::find()
            .filter(claim::Column::DocumentId.eq(document_id))
            .filter(claim::Column::Start.eq(start as i64))
            .filter(claim::Column::End.eq(end as i64))
            .one(&txn)
            .await?;
        if let Some(same) = same {
            return Err(StoreError::Duplicate { what: "claim over these sentences", name: format!("#{}", same.id) });
        }
        let speaker_kind = match (&head.speaker, head.anonymous) {
            (None, _) => SpeakerKind::Outlet,
            (Some(_), true) => SpeakerKind::Anonymous,
            (Some(_), false) => SpeakerKind::Named,
        };
        let at = now();
        let claim = claimdesk_core::Claim {
            speaker: head.speaker.clone(),
            speaker_kind,
            // Someone judged it worth checking: the top of the queue.
            priority: 1.0,
            ..claimdesk_core::Claim::new(head.idx.max(0) as usize, claimdesk_core::Span { start, end }, text, Vec::new())
        };
        let row = crate::write::claim_row(document_id, &claim, at).insert(&txn).await?;
        let detail = serde_json::json!({ "by_hand": true, "sentences": [first + 1, last + 1], "note": note });
        crate::review::record(&txn, &row, actor, "add_claim", detail, at).await?;
        txn.commit().await?;
        row.try_into()
    }
}
