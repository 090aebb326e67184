//! In-process plugins loaded with `libloading`.

use std::ffi::c_void;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;

use claimdesk_core::{Flag, Kind, Severity};
use claimdesk_plugin_api::Output;
use claimdesk_plugin_api::abi::{
    ABI_VERSION, DocViewV1, ENTRY_SYMBOL, EntryFn, FlagV1, PLUGIN_V1_0_SIZE, PluginV1, RuleInfoV1, SinkV1, Str,
};
use libloading::Library;

use crate::{CheckerBackend, Collector, LoadProblem, PluginInfo, RuleMeta, RunProblem};

type CheckFn = unsafe extern "C" fn(*mut c_void, *const DocViewV1, *mut SinkV1) -> u32;
type DestroyFn = unsafe extern "C" fn(*mut c_void);

/// A plugin loaded into this process.
#[derive(Debug)]
pub struct NativePlugin {
    info: PluginInfo,
    state: *mut c_void,
    check: CheckFn,
    destroy: DestroyFn,
    /// What the plugin reported while starting without refusing to start.
    warnings: Vec<String>,
    /// Never dropped: code from the library may still be referenced (thread
    /// locals, statics, the descriptor), and unloading buys nothing here.
    _library: ManuallyDrop<Library>,
}

// SAFETY: ABI v1 requires a plugin's `check` to be callable from any thread,
// concurrently; the SDK enforces it with `Checker: Send + Sync`.
unsafe impl Send for NativePlugin {}
// SAFETY: as above.
unsafe impl Sync for NativePlugin {}

impl Drop for NativePlugin {
    fn drop(&mut self) {
        // SAFETY: `state` came from this plugin's `create` and is dropped once.
        unsafe { (self.destroy)(self.state) }
    }
}

/// A descriptor string, copied.
///
/// # Safety
/// `s` must point to `s.len` readable bytes (ABI v1: descriptor and rule
/// strings are `'static` in the loaded library, which is never unloaded).
unsafe fn utf8(s: Str, field: &str) -> Result<String, LoadProblem> {
    // SAFETY: upheld by the caller.
    let bytes = unsafe { s.as_bytes() };
    std::str::from_utf8(bytes).map(str::to_owned).map_err(|_| LoadProblem::InvalidUtf8 { field: field.to_owned() })
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Host side of the sink: forwards to the [`Collector`] behind `ctx`.
unsafe extern "C" fn on_flag(ctx: *mut c_void, flag: *const FlagV1) {
    // A panic must not unwind into the plugin's frames.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `ctx` is the collector lent for this call; `flag` is valid during it.
        if let (Some(collector), Some(flag)) = unsafe { (ctx.cast::<Collector<'_>>().as_mut(), flag.as_ref()) } {
            collector.flag(flag);
        }
    }));
}

unsafe extern "C" fn on_error(ctx: *mut c_void, message: Str) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: as in `on_flag`; the message is valid during the call.
        if let Some(collector) = unsafe { ctx.cast::<Collector<'_>>().as_mut() } {
            // SAFETY: the message is valid for the duration of the call.
            let bytes = unsafe { message.as_bytes() };
            collector.error(&String::from_utf8_lossy(bytes));
        }
    }));
}

/// Collects an error message sent to `create`'s error sink.
unsafe extern "C" fn on_create_error(ctx: *mut c_void, message: Str) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `ctx` is the `String` lent for the `create` call.
        if let Some(out) = unsafe { ctx.cast::<String>().as_mut() } {
            // SAFETY: the message is valid for the duration of the call.
            let bytes = unsafe { message.as_bytes() };
            out.push_str(&String::from_utf8_lossy(bytes));
        }
    }));
}

/// A rule as the plugin declared it, copied.
///
/// # Safety
/// The rule's strings must be readable for the call (ABI v1: `'static` in
/// the library, or alive until the instance is destroyed).
unsafe fn rule_meta(index: usize, rule: &RuleInfoV1) -> Result<RuleMeta, LoadProblem> {
    let bad = |problem: String| LoadProblem::BadRule { index, problem };
    // SAFETY: upheld by the caller.
    let (id, description) = unsafe { (utf8(rule.id, "rule id"), utf8(rule.description, "rule description")) };
    let id = id.map_err(|e| bad(e.to_string()))?;
    if id.is_empty() {
        return Err(bad("empty rule id".to_owned()));
    }
    Ok(RuleMeta {
        id: Arc::from(id),
        kind: Kind::from_code(rule.kind).map_err(|e| bad(e.to_string()))?,
        severity: Severity::from_code(rule.severity).map_err(|e| bad(e.to_string()))?,
        description: description.map_err(|e| bad(e.to_string()))?,
    })
}

impl NativePlugin {
    /// Loads and validates the plugin at `path`, then creates its checker
    /// with the config string `config(name)` returns.
    pub fn load<'c>(path: &Path, config: impl FnOnce(&str) -> &'c str) -> Result<NativePlugin, LoadProblem> {
        // A damaged file would be mapped past its end and kill the process.
        #[cfg(target_os = "linux")]
        crate::elf::check_library(path)?;
        // SAFETY: loading runs the library's initialisers; plugins are trusted
        // code, as any in-process extension is. The file's structure was
        // checked above; everything after this is checked.
        let library = unsafe { Library::new(path) }.map_err(|e| LoadProblem::NotALibrary(e.to_string()))?;
        // SAFETY: the symbol, if present, has the ABI's entry signature.
        let entry = unsafe { library.get::<EntryFn>(ENTRY_SYMBOL) }.map_err(|_| LoadProblem::MissingEntrySymbol)?;
        // SAFETY: calling the entry point is the ABI's first step.
        let descriptor = unsafe { entry() };
        if descriptor.is_null() {
            return Err(LoadProblem::NullDescriptor);
        }
        // Every ABI version starts with `abi_version: u32` then `struct_size`,
        // so these two reads are valid whatever version the plugin speaks.
        // SAFETY: non-null descriptor pointer to at least those two fields.
        let abi_version = unsafe { std::ptr::addr_of!((*descriptor).abi_version).read_unaligned() };
        if abi_version != ABI_VERSION {
            return Err(LoadProblem::AbiMismatch { found: abi_version, expected: ABI_VERSION });
        }
        // SAFETY: as above.
        let struct_size = unsafe { std::ptr::addr_of!((*descriptor).struct_size).read_unaligned() };
        if struct_size < PLUGIN_V1_0_SIZE {
            return Err(LoadProblem::DescriptorTooSmall { found: struct_size, needed: PLUGIN_V1_0_SIZE });
        }
        // Copy what the plugin declared into a zeroed descriptor: fields a
        // v1.0 plugin does not have stay zero, that is `None`.
        let mut copy = std::mem::MaybeUninit::<PluginV1>::zeroed();
        // SAFETY: the plugin declared `struct_size` readable bytes (at least
        // v1.0's); at most a whole `PluginV1` is copied, and an all-zero
        // `PluginV1` is valid (null pointers, `None` functions).
        let d = unsafe {
            std::ptr::copy_nonoverlapping(
                descriptor.cast::<u8>(),
                copy.as_mut_ptr().cast::<u8>(),
                struct_size.min(std::mem::size_of::<PluginV1>()),
            );
            copy.assume_init()
        };
        // SAFETY: descriptor strings are 'static in the loaded library,
        // which is never unloaded.
        let (name, version, description) =
            unsafe { (utf8(d.name, "plugin name"), utf8(d.version, "plugin version"), utf8(d.description, "plugin description")) };
        let name = name?;
        if !valid_name(&name) {
            return Err(LoadProblem::BadName(name));
        }
        let rules: &[RuleInfoV1] = if d.rules_len == 0 {
            &[]
        } else if d.rules.is_null() {
            return Err(LoadProblem::BadRule { index: 0, problem: format!("{} rules declared but the rule array is null", d.rules_len) });
        } else {
            // SAFETY: the descriptor declares `rules_len` rules at `rules`.
            unsafe { std::slice::from_raw_parts(d.rules, d.rules_len) }
        };
        let info = PluginInfo {
            name: Arc::from(name.as_str()),
            version: Arc::from(version?),
            description: description?,
            abi_version,
            path: path.to_path_buf(),
            rules: rules
                .iter()
                .enumerate()
                // SAFETY: the rule array and its strings are 'static in the library.
                .map(|(i, r)| unsafe { rule_meta(i, r) })
                .collect::<Result<_, _>>()?,
        };
        let create = d.create.ok_or(LoadProblem::MissingEntryPoint("create"))?;
        let check = d.check.ok_or(LoadProblem::MissingEntryPoint("check"))?;
        let destroy = d.destroy.ok_or(LoadProblem::MissingEntryPoint("destroy"))?;

        let config = config(&name);
        let mut message = String::new();
        let mut err_sink = SinkV1 { ctx: (&raw mut message).cast(), flag: None, error: Some(on_create_error) };
        // SAFETY: `create` has the ABI signature; the config and sink outlive the call.
        let state = unsafe { create(Str::new(config), &mut err_sink) };
        if state.is_null() {
            if message.is_empty() {
                message = "create returned no checker".to_owned();
            }
            return Err(LoadProblem::CreateFailed(message));
        }
        let mut plugin = NativePlugin {
            warnings: if message.is_empty() { Vec::new() } else { vec![message] },
            info,
            state,
            check,
            destroy,
            _library: ManuallyDrop::new(library),
        };
        // ABI v1.1: rules the instance declares from its config.
        if let Some(instance_rules) = d.instance_rules {
            let mut len = 0usize;
            // SAFETY: `state` is live; the array lives until `destroy`.
            let rules = unsafe { instance_rules(state, &mut len) };
            if len > 0 {
                if rules.is_null() {
                    return Err(LoadProblem::BadRule { index: 0, problem: format!("{len} instance rules declared but the array is null") });
                }
                // SAFETY: the plugin declared `len` rules at `rules`; they are
                // copied before anything else happens to the state.
                let rules = unsafe { std::slice::from_raw_parts(rules, len) };
                // On error `plugin` is dropped, which destroys the state.
                // SAFETY: instance rules live until the state is destroyed,
                // and they are copied here.
                plugin.info.rules = rules.iter().enumerate().map(|(i, r)| unsafe { rule_meta(i, r) }).collect::<Result<_, _>>()?;
            }
        }
        Ok(plugin)
    }
}

impl CheckerBackend for NativePlugin {
    fn info(&self) -> &PluginInfo {
        &self.info
    }

    fn warnings(&self) -> &[String] {
        &self.warnings
    }

    fn check(&self, text: &str, view: &DocViewV1) -> Result<Vec<Flag>, RunProblem> {
        let mut collector = Collector::new(text, &self.info);
        let mut sink = SinkV1 { ctx: (&raw mut collector).cast(), flag: Some(on_flag), error: Some(on_error) };
        // SAFETY: `state` is live; `view` and `sink` outlive the call, and the
        // collector validates everything the plugin sends.
        let status = unsafe { (self.check)(self.state, view, &mut sink) };
        collector.finish(status)
    }
}
