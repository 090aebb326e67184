//! From files to stored claims: reading inputs in their formats, checking
//! them with the loaded plugins and grouping flags into claims (jobs that do
//! the same elsewhere are `claimdesk-work`'s). No SQL here (that is the
//! store's), no HTTP (the server's).

mod prepare;
mod source;

pub use prepare::{CLAIM_THRESHOLD, check_document, prepare};
pub use source::{Format, InputError, MAX_BYTES, Source, collect_sources, decode, parse_documents, read_documents, read_text};
