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
mod grouping;
pub mod input;
mod lifecycle;
mod lines;
mod names;
mod normal;
mod notes;
mod quotes;
mod rating;
mod segment;
mod span;
pub mod stack;
mod stack_weights;

pub use analysis::{Analysis, analyze};
pub use attribution::Attribution;
pub use claim::{Claim, DismissalKind, MAX_CLAIM_REVIEWED, NewEvidence, ShortForm, SpeakerKind, Stance, default_short_form, short_form};
pub use document::{Document, DocumentError, MAX_METADATA};
pub use flag::{Flag, Kind, Severity, UnknownCode};
pub use grouping::{group_claims, priority, take_explained_scores, take_model_scores, take_sentence_scores};
pub use lifecycle::{Action, ClaimEvent, Command, MAX_SPEAKER, Policy, Role, Standing, Status, TransitionError, Verb, permitted};
pub use lines::{LineCol, LineIndex};
pub use names::{Named, UnknownName};
pub use normal::{claim_key, normalized_text, quote_span, sha256_hex};
pub use notes::{MAX_NOTE, NotificationKind, mentions};
pub use quotes::{Quote, find_quotes};
pub use rating::{Rating, RatingScale, RatingScaleError};
pub use segment::{Sentence, sections, segment};
#[doc(hidden)]
pub use serde as __serde;
pub use span::Span;
