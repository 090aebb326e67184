//! Running a checker in-process, without the host: for plugin unit tests.

use claimdesk_core::analyze;

use crate::abi::FlagV1;
use crate::{Checker, DocBuffers, Flags, Output};

/// One flag a checker raised, copied out.
#[derive(Debug, Clone, PartialEq)]
pub struct Raised {
    /// The rule id, or `"?"` for an index the checker did not declare
    /// (for instance rules, see `index`).
    pub rule: &'static str,
    /// The flag's rule index: into `RULES`, or into the instance rules.
    pub index: u32,
    pub start: usize,
    pub end: usize,
    /// The flagged text, or `""` for an invalid span.
    pub text: String,
    pub score: f32,
    pub message: String,
    pub question: String,
}

struct Recorder<'t, C> {
    text: &'t str,
    raised: Vec<Raised>,
    errors: Vec<String>,
    _checker: std::marker::PhantomData<C>,
}

impl<C: Checker> Output for Recorder<'_, C> {
    fn flag(&mut self, f: &FlagV1) {
        // SAFETY: `Flags::raise` lends these strings for the duration of this call.
        let copy = |s: crate::abi::Str| String::from_utf8_lossy(unsafe { s.as_bytes() }).into_owned();
        self.raised.push(Raised {
            rule: C::RULES.get(f.rule as usize).map_or("?", |r| r.id),
            index: f.rule,
            start: f.span.start,
            end: f.span.end,
            text: self.text.get(f.span.start..f.span.end).unwrap_or("").to_owned(),
            score: f.score,
            message: copy(f.message),
            question: copy(f.question),
        });
    }

    fn error(&mut self, message: &str) {
        self.errors.push(message.to_owned());
    }
}

/// Analyses `text` as the host would and runs `checker` over it. Returns
/// the flags raised, or the errors the checker reported.
pub fn run<C: Checker>(checker: &C, text: &str) -> Result<Vec<Raised>, Vec<String>> {
    run_on(checker, &DocBuffers::new(&analyze(text)), text)
}

/// [`run`] on buffers the test prepared (for instance with sentence
/// vectors, [`DocBuffers::set_embeddings`]).
pub fn run_on<C: Checker>(checker: &C, buffers: &DocBuffers, text: &str) -> Result<Vec<Raised>, Vec<String>> {
    let mut recorder = Recorder::<C> { text, raised: Vec::new(), errors: Vec::new(), _checker: std::marker::PhantomData };
    checker.check(&buffers.text(text), &mut Flags::new(&mut recorder, C::RULES));
    if recorder.errors.is_empty() { Ok(recorder.raised) } else { Err(recorder.errors) }
}

/// `(rule, flagged text)` pairs, the usual thing to assert on.
pub fn pairs<C: Checker>(checker: &C, text: &str) -> Vec<(&'static str, String)> {
    run(checker, text).unwrap_or_default().into_iter().map(|r| (r.rule, r.text)).collect()
}
