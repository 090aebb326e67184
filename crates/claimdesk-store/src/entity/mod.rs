//! sea-orm entities: one module per table. Times are unix seconds; scores
//! are `f64`; enumerations are stored as their snake_case names.

pub mod api_token;
pub mod claim;
pub mod document;
pub mod event;
pub mod evidence;
pub mod feed;
pub mod feed_item;
pub mod flag;
pub mod flag_rule;
pub mod flag_text;
pub mod note;
pub mod note_version;
pub mod notification;
pub mod rating;
pub mod saved_view;
pub mod sentence;
pub mod session;
pub mod setting;
pub mod user;
