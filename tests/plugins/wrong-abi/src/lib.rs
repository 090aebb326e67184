//! A plugin built for a future ABI: its descriptor says version 2. Written
//! by hand, without the SDK, as a plugin from another version would be.

use claimdesk_plugin_api::abi::{PluginV1, Str};

struct Descriptor(PluginV1);
// SAFETY: immutable, and its pointers are to 'static data.
unsafe impl Sync for Descriptor {}

static DESCRIPTOR: Descriptor = Descriptor(PluginV1 {
    abi_version: 2,
    struct_size: std::mem::size_of::<PluginV1>(),
    name: Str::new("from-the-future"),
    version: Str::new("9.0.0"),
    description: Str::new("speaks ABI v2"),
    rules: std::ptr::null(),
    rules_len: 0,
    create: None,
    check: None,
    destroy: None,
    instance_rules: None,
});

/// The entry point, with a descriptor the host must refuse.
#[unsafe(no_mangle)]
pub extern "C" fn claimdesk_plugin_v1() -> *const PluginV1 {
    &DESCRIPTOR.0
}
