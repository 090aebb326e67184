//! The safe side: what a plugin author implements, and the glue the
//! `export_plugin!` macro instantiates for it.

use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};

use claimdesk_core::{Kind, Severity};

use crate::Text;
use crate::abi::{ABI_VERSION, DocViewV1, FlagV1, PluginV1, RuleInfoV1, STATUS_ERROR, STATUS_OK, STATUS_PANICKED, SinkV1, SpanV1, Str};

/// A rule a checker declares; every flag names one.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// `plugin.rule`, e.g. `vague.progress`.
    pub id: &'static str,
    pub kind: Kind,
    pub severity: Severity,
    pub description: &'static str,
}

/// A rule a checker instance declares from its config, when its rules are
/// data (see [`Checker::instance_rules`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DynamicRule {
    pub id: String,
    pub kind: Kind,
    pub severity: Severity,
    pub description: String,
}

/// Where and how strongly an instance rule matched, for
/// [`Flags::raise_dynamic`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit<'m> {
    /// Byte offsets into the text.
    pub start: usize,
    pub end: usize,
    /// In `[0, 1]`.
    pub score: f32,
    pub message: &'m str,
    /// The question a checker should answer.
    pub question: &'m str,
}

/// A checker: what a plugin author writes.
pub trait Checker: Sized + Send + Sync + 'static {
    /// Short lowercase name, unique among loaded plugins.
    const NAME: &'static str;
    /// Usually `env!("CARGO_PKG_VERSION")`.
    const VERSION: &'static str;
    const DESCRIPTION: &'static str;
    const RULES: &'static [Rule];

    /// Builds the checker from the installation's config string for it
    /// (empty by default). An `Err` is shown to the user and the plugin is
    /// not loaded.
    fn new(config: &str) -> Result<Self, String>;

    /// Looks at one document and raises flags into `out`.
    fn check(&self, doc: &Text<'_>, out: &mut Flags<'_>);

    /// Rules this instance declares in place of [`Checker::RULES`], for
    /// checkers whose rules come from their config (ABI v1.1). A checker
    /// that returns rules here raises with [`Flags::raise_dynamic`].
    fn instance_rules(&self) -> &[DynamicRule] {
        &[]
    }

    /// Problems met while starting that did not stop the checker (one bad
    /// rule pack among good ones): shown to the user as warnings.
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Where flags go: the host's sink through the ABI, or a `Vec` when a
/// checker is linked directly.
pub trait Output {
    fn flag(&mut self, flag: &FlagV1);
    fn error(&mut self, message: &str);
}

/// Collects a checker's flags.
pub struct Flags<'a> {
    out: &'a mut dyn Output,
    rules: &'static [Rule],
    failed: bool,
}

impl std::fmt::Debug for Flags<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flags").field("rules", &self.rules.len()).field("failed", &self.failed).finish()
    }
}

impl<'a> Flags<'a> {
    pub fn new(out: &'a mut dyn Output, rules: &'static [Rule]) -> Self {
        Flags { out, rules, failed: false }
    }

    /// Raises `rule` on `start..end` (byte offsets) with a score in `[0, 1]`,
    /// a message saying what was found and the question a checker should
    /// answer.
    pub fn raise(&mut self, rule: &Rule, start: usize, end: usize, score: f32, message: &str, question: &str) {
        let index = self.rules.iter().position(|r| r.id == rule.id).map_or(u32::MAX, |i| i as u32);
        self.out.flag(&FlagV1 {
            span: SpanV1 { start, end },
            rule: index,
            kind: rule.kind.code(),
            severity: rule.severity.code(),
            score,
            message: Str::new(message),
            question: Str::new(question),
        });
    }

    /// Raises the instance rule at `index` of [`Checker::instance_rules`].
    pub fn raise_dynamic(&mut self, index: usize, rule: &DynamicRule, hit: Hit<'_>) {
        let Hit { start, end, score, message, question } = hit;
        self.out.flag(&FlagV1 {
            span: SpanV1 { start, end },
            rule: u32::try_from(index).unwrap_or(u32::MAX),
            kind: rule.kind.code(),
            severity: rule.severity.code(),
            score,
            message: Str::new(message),
            question: Str::new(question),
        });
    }

    /// Sends a flag exactly as given, bypassing [`Flags::raise`]'s rule
    /// lookup: for plugins that build [`FlagV1`]s themselves. The host
    /// validates it like any other.
    pub fn raw(&mut self, flag: &FlagV1) {
        self.out.flag(flag);
    }

    /// Reports that the check failed; the host shows `message` and drops
    /// this document's flags from this plugin.
    pub fn error(&mut self, message: &str) {
        self.failed = true;
        self.out.error(message);
    }

    pub fn failed(&self) -> bool {
        self.failed
    }
}

/// The host's sink as an [`Output`].
struct SinkOutput(*mut SinkV1);

impl Output for SinkOutput {
    fn flag(&mut self, flag: &FlagV1) {
        // SAFETY: the host passed a valid sink for the duration of the call.
        if let Some(sink) = unsafe { self.0.as_mut() }
            && let Some(callback) = sink.flag
        {
            // SAFETY: the callback copies the flag before returning.
            unsafe { callback(sink.ctx, flag) }
        }
    }

    fn error(&mut self, message: &str) {
        report(self.0, message);
    }
}

fn report(sink: *mut SinkV1, message: &str) {
    // SAFETY: the host passed a valid (or null) sink for the duration of the call.
    if let Some(sink) = unsafe { sink.as_mut() }
        && let Some(callback) = sink.error
    {
        // SAFETY: the callback copies the message before returning.
        unsafe { callback(sink.ctx, Str::new(message)) }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic with a non-string payload".to_owned())
}

/// What `export_plugin!` expands to; not for direct use.
pub mod entry {
    use super::*;

    /// The descriptor the entry symbol returns; lives in a `static`.
    #[derive(Debug)]
    pub struct Descriptor {
        _rules: Box<[RuleInfoV1]>,
        plugin: PluginV1,
    }

    // SAFETY: the descriptor is immutable after construction and its
    // pointers refer to `'static` strings and to its own boxed rules.
    unsafe impl Send for Descriptor {}
    // SAFETY: as above.
    unsafe impl Sync for Descriptor {}

    impl Descriptor {
        pub fn new<C: Checker>() -> Descriptor {
            let rules: Box<[RuleInfoV1]> = C::RULES
                .iter()
                .map(|r| RuleInfoV1 {
                    id: Str::new(r.id),
                    kind: r.kind.code(),
                    severity: r.severity.code(),
                    description: Str::new(r.description),
                })
                .collect();
            let plugin = PluginV1 {
                abi_version: ABI_VERSION,
                struct_size: std::mem::size_of::<PluginV1>(),
                name: Str::new(C::NAME),
                version: Str::new(C::VERSION),
                description: Str::new(C::DESCRIPTION),
                rules: rules.as_ptr(),
                rules_len: rules.len(),
                create: Some(create::<C>),
                check: Some(check::<C>),
                destroy: Some(destroy::<C>),
                instance_rules: Some(instance_rules::<C>),
            };
            Descriptor { _rules: rules, plugin }
        }

        pub fn as_ptr(&self) -> *const PluginV1 {
            &self.plugin
        }
    }

    /// What `create` hands the host as the checker's state: the checker and
    /// the ABI form of its instance rules, which point into the checker's
    /// own strings and so live exactly as long.
    struct Instance<C> {
        checker: C,
        rules: Box<[RuleInfoV1]>,
    }

    /// Builds the descriptor in `cell` (once) without letting a panic escape.
    pub fn descriptor<C: Checker>(cell: &'static std::sync::OnceLock<Descriptor>) -> *const PluginV1 {
        catch_unwind(|| cell.get_or_init(Descriptor::new::<C>).as_ptr()).unwrap_or(std::ptr::null())
    }

    unsafe extern "C" fn create<C: Checker>(config: Str, err: *mut SinkV1) -> *mut c_void {
        let result = catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: the host lends the config string for this call.
            let Ok(config) = std::str::from_utf8(unsafe { config.as_bytes() }) else {
                return Err("config string is not UTF-8".to_owned());
            };
            C::new(config).map(|checker| {
                let mut instance = Box::new(Instance { checker, rules: Box::default() });
                instance.rules = instance
                    .checker
                    .instance_rules()
                    .iter()
                    .map(|r| RuleInfoV1 {
                        id: Str::new(&r.id),
                        kind: r.kind.code(),
                        severity: r.severity.code(),
                        description: Str::new(&r.description),
                    })
                    .collect();
                let warnings = instance.checker.warnings();
                (Box::into_raw(instance).cast::<c_void>(), warnings)
            })
        }));
        match result {
            Ok(Ok((state, warnings))) => {
                // Reported on success: the host shows them as warnings.
                for warning in warnings {
                    report(err, &warning);
                }
                state
            }
            Ok(Err(message)) => {
                report(err, &message);
                std::ptr::null_mut()
            }
            Err(payload) => {
                report(err, &format!("panicked while starting: {}", panic_message(&*payload)));
                std::ptr::null_mut()
            }
        }
    }

    /// # Safety
    /// Called by the host as ABI v1 says: `state` from `create::<C>`, not yet
    /// destroyed; `doc` and `sink` valid for the duration of the call.
    unsafe extern "C" fn check<C: Checker>(state: *mut c_void, doc: *const DocViewV1, sink: *mut SinkV1) -> u32 {
        let result = catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: `state` came from `create::<C>` and is not yet destroyed.
            let Some(instance) = (unsafe { state.cast::<Instance<C>>().as_ref() }) else { return STATUS_ERROR };
            let checker = &instance.checker;
            // SAFETY: the host lends a valid view for the duration of the call.
            let Some(view) = (unsafe { doc.as_ref() }) else { return STATUS_ERROR };
            // SAFETY: as above; the host upholds ABI v1's guarantees.
            let text = unsafe { Text::from_view(view) };
            let mut output = SinkOutput(sink);
            let mut flags = Flags::new(&mut output, C::RULES);
            checker.check(&text, &mut flags);
            if flags.failed() { STATUS_ERROR } else { STATUS_OK }
        }));
        result.unwrap_or_else(|payload| {
            report(sink, &panic_message(&*payload));
            STATUS_PANICKED
        })
    }

    /// # Safety
    /// Called once by the host with a `state` from `create::<C>`.
    unsafe extern "C" fn destroy<C: Checker>(state: *mut c_void) {
        if !state.is_null() {
            // SAFETY: `state` came from `Box::into_raw` in `create::<C>`.
            let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(state.cast::<Instance<C>>()) })));
        }
    }

    unsafe extern "C" fn instance_rules<C: Checker>(state: *mut c_void, len: *mut usize) -> *const RuleInfoV1 {
        // A panic must not unwind into the host: it reads as "no rules".
        catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: `len` is the host's, valid for this call.
            let len = unsafe { len.as_mut() }?;
            *len = 0;
            // SAFETY: `state` came from `create::<C>` and is not yet destroyed.
            let instance = unsafe { state.cast::<Instance<C>>().as_ref() }?;
            *len = instance.rules.len();
            Some(instance.rules.as_ptr())
        }))
        .ok()
        .flatten()
        .unwrap_or(std::ptr::null())
    }
}

/// Exports a [`Checker`] as a claimdesk plugin:
/// `claimdesk_plugin_api::export_plugin!(MyChecker);`
#[macro_export]
macro_rules! export_plugin {
    ($checker:ty) => {
        /// The ABI v1 entry point.
        #[unsafe(no_mangle)]
        pub extern "C" fn claimdesk_plugin_v1() -> *const $crate::abi::PluginV1 {
            static DESCRIPTOR: ::std::sync::OnceLock<$crate::entry::Descriptor> = ::std::sync::OnceLock::new();
            $crate::entry::descriptor::<$checker>(&DESCRIPTOR)
        }
    };
}
