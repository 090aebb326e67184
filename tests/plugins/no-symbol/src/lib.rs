//! A shared library that is not a claimdesk plugin: no entry symbol.

/// Exported so the library is not empty.
#[unsafe(no_mangle)]
pub extern "C" fn not_a_plugin() -> u32 {
    42
}
