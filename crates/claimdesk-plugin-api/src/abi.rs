//! ABI v1 (minor 2): the only types that cross between host and plugin.
//!
//! Rules of the boundary:
//! - only `#[repr(C)]` types cross; strings are borrowed UTF-8 ([`Str`]);
//! - no allocation crosses: the host copies every flag and message before
//!   the sink callback returns, and the plugin never frees host memory;
//! - a library, once loaded, is never unloaded;
//! - `PluginV1` starts with `abi_version` then `struct_size`, so any future
//!   host can read those two fields of any plugin and refuse it cleanly.
//!   Later minor additions go at the end of a struct and are detected through
//!   `struct_size`.

use std::ffi::{CStr, c_void};

/// The ABI version this crate speaks.
pub const ABI_VERSION: u32 = 1;
/// The symbol every plugin exports: `extern "C" fn() -> *const PluginV1`.
pub const ENTRY_SYMBOL: &CStr = c"claimdesk_plugin_v1";
/// Stands for "no index" in index fields.
pub const NO_INDEX: usize = usize::MAX;

/// `check` and `create` outcomes.
pub const STATUS_OK: u32 = 0;
/// The plugin reported an error through the sink's `error` callback.
pub const STATUS_ERROR: u32 = 1;
/// The plugin panicked; the SDK caught it and reported the message.
pub const STATUS_PANICKED: u32 = 2;

/// The signature of the entry symbol.
pub type EntryFn = unsafe extern "C" fn() -> *const PluginV1;

/// Borrowed UTF-8 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Str {
    pub ptr: *const u8,
    pub len: usize,
}

impl Str {
    pub const EMPTY: Str = Str { ptr: std::ptr::null(), len: 0 };

    pub const fn new(s: &str) -> Str {
        Str { ptr: s.as_ptr(), len: s.len() }
    }

    /// The bytes, or an empty slice for a null pointer.
    ///
    /// # Safety
    /// A non-null `ptr` must point to `len` readable bytes that outlive `'a`.
    pub unsafe fn as_bytes<'a>(&self) -> &'a [u8] {
        if self.ptr.is_null() || self.len == 0 {
            &[]
        } else {
            // SAFETY: upheld by the caller.
            unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
        }
    }
}

/// A byte range into the document text.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanV1 {
    pub start: usize,
    pub end: usize,
}

#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct QuoteV1 {
    /// The quotation including its marks.
    pub span: SpanV1,
    /// The quoted words.
    pub inner: SpanV1,
    /// Index into the attributions of who said it, or [`NO_INDEX`].
    pub speaker: usize,
    /// 1 when the closing mark was found.
    pub closed: u8,
}

#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct AttributionV1 {
    pub sentence: usize,
    /// Meaningful only when `has_speaker` is 1.
    pub speaker: SpanV1,
    pub cue: SpanV1,
    pub has_speaker: u8,
    pub anonymous: u8,
    /// For a pronoun, the attribution naming the person, or [`NO_INDEX`].
    pub refers_to: usize,
}

/// The document as the core analysed it, borrowed for one `check` call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct DocViewV1 {
    /// `size_of::<DocViewV1>()` as the host built it.
    pub struct_size: usize,
    pub text: Str,
    pub sentences: *const SpanV1,
    pub sentences_len: usize,
    pub quotes: *const QuoteV1,
    pub quotes_len: usize,
    pub attributions: *const AttributionV1,
    pub attributions_len: usize,
    // ---- ABI v1.2: read only when `struct_size` covers it. ----
    /// One vector per sentence from the host's sentence encoder, row `i`
    /// for sentence `i`: `sentences_len × embedding_dim` f32s. Null (and
    /// `embedding_dim` 0) when the host computed none: the fast profile,
    /// or an encoder that could not run.
    pub embeddings: *const f32,
    pub embedding_dim: usize,
    /// The id of the model that made them (`desk.json`'s `id`): a plugin
    /// uses them only with weights trained on that model.
    pub embedding_model: Str,
}

/// The size of a `DocViewV1` before ABI v1.2 added the sentence vectors.
pub const DOC_VIEW_V1_1_SIZE: usize = std::mem::offset_of!(DocViewV1, embeddings);

/// One flag, valid only during the sink call that receives it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FlagV1 {
    pub span: SpanV1,
    /// Index into the plugin's rules.
    pub rule: u32,
    /// [`claimdesk_core::Kind::code`].
    pub kind: u32,
    /// [`claimdesk_core::Severity::code`].
    pub severity: u32,
    /// In `[0, 1]`.
    pub score: f32,
    pub message: Str,
    pub question: Str,
}

/// Host callbacks. Both copy what they are given before returning.
#[repr(C)]
#[derive(Debug)]
pub struct SinkV1 {
    pub ctx: *mut c_void,
    pub flag: Option<unsafe extern "C" fn(ctx: *mut c_void, flag: *const FlagV1)>,
    pub error: Option<unsafe extern "C" fn(ctx: *mut c_void, message: Str)>,
}

/// A rule a plugin declares: flags refer to it by index.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct RuleInfoV1 {
    /// e.g. `vague.progress`.
    pub id: Str,
    pub kind: u32,
    pub severity: u32,
    pub description: Str,
}

/// The plugin's descriptor, returned by the entry symbol and never freed.
#[repr(C)]
#[derive(Debug)]
pub struct PluginV1 {
    pub abi_version: u32,
    /// `size_of::<PluginV1>()` as the plugin was built.
    pub struct_size: usize,
    pub name: Str,
    pub version: Str,
    pub description: Str,
    pub rules: *const RuleInfoV1,
    pub rules_len: usize,
    /// Makes a checker from a config string; null on failure, with the
    /// reason sent to `err`.
    pub create: Option<unsafe extern "C" fn(config: Str, err: *mut SinkV1) -> *mut c_void>,
    /// Checks one document, sending flags to `sink`; returns a `STATUS_*`.
    pub check: Option<unsafe extern "C" fn(state: *mut c_void, doc: *const DocViewV1, sink: *mut SinkV1) -> u32>,
    pub destroy: Option<unsafe extern "C" fn(state: *mut c_void)>,
    // ---- ABI v1.1: read only when `struct_size` covers it. ----
    /// The rules this checker instance declares, for plugins whose rules
    /// come from their config (rule packs): `len` receives the count; the
    /// array lives until `destroy`. When it returns rules, flags of this
    /// instance index into them instead of `rules`. Null or 0: use `rules`.
    pub instance_rules: Option<unsafe extern "C" fn(state: *mut c_void, len: *mut usize) -> *const RuleInfoV1>,
}

/// The size of a `PluginV1` as ABI v1.0 defined it (before
/// `instance_rules`): the smallest descriptor a host accepts.
pub const PLUGIN_V1_0_SIZE: usize = std::mem::offset_of!(PluginV1, instance_rules);

/// The layout of every type that crosses the boundary, frozen: a change
/// that would move a field breaks the build here, not a plugin in the
/// field. (Figures for 64-bit targets, the only ones claimdesk builds for.)
#[cfg(target_pointer_width = "64")]
mod layout {
    use std::mem::{align_of, offset_of, size_of};

    use super::*;

    macro_rules! frozen {
        ($ty:ty, size $size:literal, align $align:literal, $($field:ident @ $offset:literal),*) => {
            const _: () = assert!(size_of::<$ty>() == $size && align_of::<$ty>() == $align);
            $(const _: () = assert!(offset_of!($ty, $field) == $offset);)*
        };
    }

    frozen!(Str, size 16, align 8, ptr @ 0, len @ 8);
    frozen!(SpanV1, size 16, align 8, start @ 0, end @ 8);
    frozen!(QuoteV1, size 48, align 8, span @ 0, inner @ 16, speaker @ 32, closed @ 40);
    frozen!(AttributionV1, size 56, align 8, sentence @ 0, speaker @ 8, cue @ 24, has_speaker @ 40, anonymous @ 41, refers_to @ 48);
    frozen!(DocViewV1, size 104, align 8, struct_size @ 0, text @ 8, sentences @ 24, sentences_len @ 32, quotes @ 40, quotes_len @ 48,
        attributions @ 56, attributions_len @ 64, embeddings @ 72, embedding_dim @ 80, embedding_model @ 88);
    const _: () = assert!(DOC_VIEW_V1_1_SIZE == 72);
    frozen!(FlagV1, size 64, align 8, span @ 0, rule @ 16, kind @ 20, severity @ 24, score @ 28, message @ 32, question @ 48);
    frozen!(SinkV1, size 24, align 8, ctx @ 0, flag @ 8, error @ 16);
    frozen!(RuleInfoV1, size 40, align 8, id @ 0, kind @ 16, severity @ 20, description @ 24);
    frozen!(PluginV1, size 112, align 8, abi_version @ 0, struct_size @ 8, name @ 16, version @ 32, description @ 48, rules @ 64,
        rules_len @ 72, create @ 80, check @ 88, destroy @ 96, instance_rules @ 104);
    const _: () = assert!(PLUGIN_V1_0_SIZE == 104);
}
