//! A plugin as ABI v1.0 laid it out: the descriptor ends at `destroy`, before
//! v1.1's `instance_rules`. Written by hand, without the SDK, as a plugin
//! built against the first release would be; today's host must load it.

use std::ffi::c_void;

use claimdesk_plugin_api::abi::{DocViewV1, FlagV1, PluginV1, RuleInfoV1, STATUS_OK, SinkV1, SpanV1, Str};

/// `PluginV1` as released in ABI v1.0.
#[repr(C)]
struct PluginV10 {
    abi_version: u32,
    struct_size: usize,
    name: Str,
    version: Str,
    description: Str,
    rules: *const RuleInfoV1,
    rules_len: usize,
    create: Option<unsafe extern "C" fn(config: Str, err: *mut SinkV1) -> *mut c_void>,
    check: Option<unsafe extern "C" fn(state: *mut c_void, doc: *const DocViewV1, sink: *mut SinkV1) -> u32>,
    destroy: Option<unsafe extern "C" fn(state: *mut c_void)>,
}

struct Descriptor(PluginV10);
// SAFETY: immutable, and its pointers are to 'static data.
unsafe impl Sync for Descriptor {}
struct Rules([RuleInfoV1; 1]);
// SAFETY: as above.
unsafe impl Sync for Rules {}

static RULES: Rules =
    Rules([RuleInfoV1 { id: Str::new("old.first-word"), kind: 9, severity: 0, description: Str::new("Flags the first byte.") }]);
static STATE: u8 = 0;

unsafe extern "C" fn create(_config: Str, _err: *mut SinkV1) -> *mut c_void {
    (&raw const STATE).cast_mut().cast()
}

unsafe extern "C" fn check(_state: *mut c_void, doc: *const DocViewV1, sink: *mut SinkV1) -> u32 {
    // SAFETY: the host lends a valid view and sink for the call.
    let (Some(doc), Some(sink)) = (unsafe { doc.as_ref() }, unsafe { sink.as_mut() }) else { return STATUS_OK };
    if doc.text.len > 0
        && let Some(flag) = sink.flag
    {
        let raised = FlagV1 {
            span: SpanV1 { start: 0, end: 1 },
            rule: 0,
            kind: 9,
            severity: 0,
            score: 0.5,
            message: Str::new("first byte"),
            question: Str::new("?"),
        };
        // SAFETY: the callback copies the flag before returning.
        unsafe { flag(sink.ctx, &raised) };
    }
    STATUS_OK
}

unsafe extern "C" fn destroy(_state: *mut c_void) {}

static DESCRIPTOR: Descriptor = Descriptor(PluginV10 {
    abi_version: 1,
    struct_size: std::mem::size_of::<PluginV10>(),
    name: Str::new("old-timer"),
    version: Str::new("1.0.0"),
    description: Str::new("built against ABI v1.0"),
    rules: RULES.0.as_ptr(),
    rules_len: 1,
    create: Some(create),
    check: Some(check),
    destroy: Some(destroy),
});

/// The entry point: a v1.0 descriptor, shorter than today's `PluginV1`.
#[unsafe(no_mangle)]
pub extern "C" fn claimdesk_plugin_v1() -> *const PluginV1 {
    (&raw const DESCRIPTOR.0).cast()
}
