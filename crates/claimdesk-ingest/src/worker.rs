//! The in-process worker: takes queued jobs from the store and runs them.

use claimdesk_core::Document;
use claimdesk_plugin_host::PluginHost;
use claimdesk_store::{Job, Store, StoreError, Stored};
use serde_json::json;

use crate::prepare;

/// Job kind: ingest the document in the payload.
pub const INGEST_JOB: &str = "ingest";

/// The payload of an ingest job for `doc`.
pub fn ingest_job_payload(doc: &Document, origin: &str) -> serde_json::Value {
    json!({
        "title": doc.title, "url": doc.source_url, "outlet": doc.outlet, "author": doc.author,
        "published": doc.published, "language": doc.language, "body": doc.body, "origin": origin,
    })
}

fn document_of(payload: &serde_json::Value) -> Result<(Document, Option<String>), String> {
    let text = |key: &str| payload.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let body = text("body").ok_or("the payload has no body")?;
    let doc = Document {
        title: text("title"),
        source_url: text("url"),
        outlet: text("outlet"),
        author: text("author"),
        published: text("published"),
        language: text("language").unwrap_or_else(|| "en".to_owned()),
        body,
    };
    doc.validate().map_err(|e| e.to_string())?;
    Ok((doc, text("origin")))
}

async fn run_one(store: &Store, host: &PluginHost, job: &Job) -> Result<serde_json::Value, String> {
    if job.kind != INGEST_JOB {
        return Err(format!("unknown job kind {:?}", job.kind));
    }
    let payload: serde_json::Value = serde_json::from_str(&job.payload).map_err(|e| format!("bad payload: {e}"))?;
    let (doc, origin) = document_of(&payload)?;
    let (new, errors) = prepare(&doc, origin, host);
    let plugin_errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
    match store.store_document(&new).await.map_err(|e| e.to_string())? {
        Stored::New { id, claims, flags, near_duplicate } => Ok(json!({
            "document": id,
            "claims": claims,
            "flags": flags,
            "plugin_errors": plugin_errors,
            "near_duplicate_of": near_duplicate.map(|n| n.of),
        })),
        Stored::Duplicate { id } => Ok(json!({"document": id, "duplicate": true})),
    }
}

/// Runs queued jobs until none is left; returns how many ran. A job that
/// fails is recorded as failed with its error; the loop goes on.
pub async fn run_jobs(store: &Store, host: &PluginHost, worker: &str) -> Result<usize, StoreError> {
    let mut ran = 0;
    while let Some(job) = store.take_job(worker).await? {
        let outcome = run_one(store, host, &job).await;
        store.finish_job(job.id, outcome).await?;
        ran += 1;
    }
    Ok(ran)
}
