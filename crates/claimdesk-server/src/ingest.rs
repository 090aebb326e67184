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
}

impl From<IngestError> for crate::error::PageError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Store(e) => e.into(),
            IngestError::Check(m) => crate::error::PageError::Internal(m),
        }
    }
}

impl From<IngestError> for crate::error::ApiError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Store(e) => e.into(),
            IngestError::Check(m) => crate::error::ApiError::Internal(m),
        }
    }
}

/// Checks and stores `doc`. Plugin failures are logged; the other plugins'
/// flags are kept, as in `claimdesk ingest`.
pub async fn ingest(state: &AppState, doc: Document, origin: &str) -> Result<Stored, IngestError> {
    let host = state.host.clone();
    let origin = origin.to_owned();
    let stored_origin = Some(origin.clone());
    let (doc, new_sentences, claims, errors) = actix_web::web::block(move || {
        let (new, errors) = claimdesk_ingest::prepare(&doc, Some(origin), &host);
        let (sentences, claims) = (new.sentences, new.claims);
        (doc, sentences, claims, errors)
    })
    .await
    .map_err(|e| IngestError::Check(e.to_string()))?;
    for e in &errors {
        eprintln!("claimdesk serve: plugin failed while ingesting: {e}");
    }
    let new = claimdesk_store::NewDocument { document: &doc, origin: stored_origin, sentences: new_sentences, claims };
    Ok(state.store.store_document(&new).await?)
}
