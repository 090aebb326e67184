//! The claim model and the text analysis every plugin and page shares.
//!
//! This crate does no I/O and has no async, SQL or HTTP: given text it
//! returns spans, and given a claim and an action it returns the next state or
//! an error. Everything here is deterministic and cannot panic on any input.

mod analysis;
mod attribution;
mod claim;
mod document;
mod flag;
pub mod input;
mod lines;
mod quotes;
mod rating;
mod segment;
mod span;
pub mod stack;
mod stack_weights;

pub use analysis::{Analysis, analyze};
pub use attribution::Attribution;
pub use claim::{
    Action, Claim, ClaimEvent, Evidence, MAX_CLAIM_REVIEWED, Policy, Stance, Status, TransitionError, group_claims, priority, short_form,
    take_model_scores, take_sentence_scores,
};
pub use document::{Document, DocumentError, MAX_METADATA};
pub use flag::{Flag, Kind, Severity, UnknownCode};
pub use lines::{LineCol, LineIndex};
pub use quotes::{Quote, find_quotes};
pub use rating::{Rating, RatingScale, RatingScaleError};
pub use segment::{Sentence, sections, segment};
pub use span::Span;
