//! ABI overhead of the `numbers` checker; see `abi_overhead/common.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "abi_overhead/common.rs"]
mod common;

fn main() {
    common::run::<claimdesk_plugin_numbers::Numbers>("numbers");
}
