//! The plugin ABI (`abi`) and the safe SDK on top of it.
//!
//! A plugin author implements [`Checker`] and writes one line,
//! `claimdesk_plugin_api::export_plugin!(MyChecker);`. The macro exports the
//! C entry point `claimdesk_plugin_v1`, and wraps every call from the host in
//! `catch_unwind`, so a panicking plugin reports an error instead of taking
//! the host down. See `docs/PLUGINS.md` for a walk-through.

pub mod abi;
mod sdk;
pub mod testing;
mod view;
pub mod words;

pub use claimdesk_core::{Kind, Severity};
pub use sdk::{Checker, DynamicRule, Flags, Hit, Output, Rule, entry};
pub use view::{Attribution, DocBuffers, Quote, Sentence, Text};
