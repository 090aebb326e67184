//! Ingestion from the web and the API: check with the loaded plugins (on a
//! blocking thread: plugins are CPU work) and store.

use claimdesk_core::Document;
use claimdesk_store::{StoreError, Stored};

use crate::AppState;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("checking the document failed: {0}")]
    Check(String),
    #[error("{0}")]
    Invalid(String),
    #[error("checking the document took too long")]
    OverBudget,
    #[error("the document could not be queued: {0}")]
    Queue(#[from] claimdesk_work::WorkError),
}

impl From<IngestError> for crate::error::AppError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Store(e) => e.into(),
            IngestError::Check(m) => crate::error::AppError::Internal(m),
            IngestError::Invalid(m) => crate::error::AppError::BadRequest(m),
            IngestError::OverBudget => over_budget(),
            IngestError::Queue(e) => crate::error::AppError::Unavailable(e.to_string()),
        }
    }
}

/// Longest a request may spend parsing and checking what it was sent. The
/// work itself is bounded by the input's size (and HTML's nesting depth);
/// this is the backstop that answers 503 instead of holding the client.
pub const TIME_BUDGET: std::time::Duration = std::time::Duration::from_secs(30);

pub(crate) fn over_budget() -> crate::error::AppError {
    crate::error::AppError::Unavailable(format!(
        "checking the document took longer than {} seconds; try a smaller file",
        TIME_BUDGET.as_secs()
    ))
}

/// Checks and stores `doc`. Plugin failures are logged; the other plugins'
/// flags are kept, as in `claimdesk ingest`.
pub async fn ingest(state: &AppState, doc: Document, origin: &str) -> Result<Stored, IngestError> {
    let host = state.host.host();
    let origin = origin.to_owned();
    let stored_origin = Some(origin.clone());
    doc.validate().map_err(|e| IngestError::Invalid(e.to_string()))?;
    let check = actix_web::web::block(move || {
        let (new, errors) = claimdesk_ingest::prepare(&doc, Some(origin), &host);
        let (sentences, claims) = (new.sentences, new.claims);
        (doc, sentences, claims, errors)
    });
    let (doc, new_sentences, claims, errors) = actix_web::rt::time::timeout(TIME_BUDGET, check)
        .await
        .map_err(|_| IngestError::OverBudget)?
        .map_err(|e| IngestError::Check(e.to_string()))?;
    for e in &errors {
        tracing::warn!(plugin = %e.plugin, error = %e.error, "plugin failed while ingesting");
    }
    let new = claimdesk_store::NewDocument { document: &doc, origin: stored_origin, sentences: new_sentences, claims };
    let stored = state.store.store_document(&new).await?;
    if let Stored::New { id, .. } = stored {
        state.library.wake(&state.store);
        state.live.publish(&state.store, claimdesk_store::LiveEvent::new("ingest", Vec::new(), Some(id))).await;
    }
    Ok(stored)
}

/// What became of a document sent to [`ingest_or_queue`].
#[derive(Debug)]
pub enum Ingested {
    /// Checked and stored in the request.
    Stored(Stored),
    /// Queued for a worker (`serve --no-inline-work`): the job's id.
    Queued(String),
}

/// Checks and stores `doc` here, or, when the server queues its ingests,
/// validates it and queues it for `claimdesk worker`.
pub async fn ingest_or_queue(state: &AppState, doc: Document, origin: &str) -> Result<Ingested, IngestError> {
    match (&state.work.jobs, state.work.queue_ingests) {
        (Some(jobs), true) => {
            doc.validate().map_err(|e| IngestError::Invalid(e.to_string()))?;
            let request_id = crate::request_id::current();
            let id = jobs.push_ingest(claimdesk_work::IngestJob { document: doc, origin: origin.to_owned(), request_id }).await?;
            Ok(Ingested::Queued(id))
        }
        _ => Ok(Ingested::Stored(ingest(state, doc, origin).await?)),
    }
}
