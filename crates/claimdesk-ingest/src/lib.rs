//! From files to stored claims: reading inputs in their formats, checking
//! them with the loaded plugins, grouping flags into claims, and the worker
//! loop that does the same for jobs queued in the store. No SQL here (that
//! is the store's), no HTTP (the server's).

mod prepare;
mod source;
mod worker;

pub use prepare::{CLAIM_THRESHOLD, check_document, prepare};
pub use source::{
    Format, InputError, MAX_BYTES, MAX_HTML_DEPTH, Source, check_html_depth, collect_sources, decode, parse_documents, read_documents,
    read_text,
};
pub use worker::{INGEST_JOB, ingest_job_payload, run_jobs};
