use std::sync::Arc;

use claimdesk_core::{Flag, Kind, Severity, Span};
use claimdesk_plugin_api::Output;
use claimdesk_plugin_api::abi::{FlagV1, STATUS_ERROR, STATUS_OK, STATUS_PANICKED, Str};

use crate::{PluginInfo, RunProblem};

/// Validates and copies the flags a plugin emits during one `check` call.
///
/// It is the plugin's [`Output`]: through the ABI the host's sink callbacks
/// forward to it, and a checker linked as a Rust crate writes to it
/// directly, so both paths do identical work. Messages and questions are
/// interned: plugins repeat the same few texts many times per document.
#[derive(Debug)]
pub struct Collector<'a> {
    text: &'a str,
    info: &'a PluginInfo,
    flags: Vec<Flag>,
    problem: Option<RunProblem>,
    reported: Vec<String>,
    strings: foldhash::HashSet<Arc<str>>,
}

impl<'a> Collector<'a> {
    pub fn new(text: &'a str, info: &'a PluginInfo) -> Self {
        Collector { text, info, flags: Vec::new(), problem: None, reported: Vec::new(), strings: foldhash::HashSet::default() }
    }

    fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(existing) = self.strings.get(s) {
            return existing.clone();
        }
        let new: Arc<str> = Arc::from(s);
        self.strings.insert(new.clone());
        new
    }

    fn validate(&mut self, raw: &FlagV1) -> Result<Flag, RunProblem> {
        let (start, end) = (raw.span.start, raw.span.end);
        if start > end || end > self.text.len() {
            return Err(RunProblem::SpanOutOfRange { start, end, len: self.text.len() });
        }
        if !self.text.is_char_boundary(start) || !self.text.is_char_boundary(end) {
            return Err(RunProblem::NotCharBoundary { start, end });
        }
        let rule = self.info.rules.get(raw.rule as usize).ok_or(RunProblem::UnknownRule(raw.rule))?;
        let rule_id = rule.id.clone();
        let kind = Kind::from_code(raw.kind)?;
        let severity = Severity::from_code(raw.severity)?;
        if !(0.0..=1.0).contains(&raw.score) {
            return Err(RunProblem::BadScore(raw.score));
        }
        // SAFETY: ABI v1 lends a flag's strings until the callback returns;
        // they are interned (copied) below, before it does.
        let (message, question) = unsafe { (utf8(raw.message), utf8(raw.question)) };
        let message = message.ok_or(RunProblem::InvalidUtf8("message"))?;
        let question = question.ok_or(RunProblem::InvalidUtf8("question"))?;
        Ok(Flag {
            plugin: self.info.name.clone(),
            plugin_version: self.info.version.clone(),
            rule: rule_id,
            kind,
            severity,
            span: Span::new(start, end),
            score: raw.score,
            message: self.intern(message),
            question: self.intern(question),
            quoted_speaker: None,
        })
    }

    /// The flags, or the first problem met, given the `check` status.
    pub fn finish(self, status: u32) -> Result<Vec<Flag>, RunProblem> {
        let reported = || self.reported.join("; ");
        match status {
            STATUS_OK => {}
            STATUS_PANICKED => return Err(RunProblem::Panicked(reported())),
            STATUS_ERROR => return Err(RunProblem::Reported(reported())),
            other => return Err(RunProblem::UnknownStatus(other)),
        }
        match self.problem {
            Some(problem) => Err(problem),
            None => Ok(self.flags),
        }
    }
}

/// Borrowed plugin bytes as `&str`, if they are UTF-8.
///
/// # Safety
/// `s` must point to `s.len` readable bytes that stay valid for `'s`: for a
/// flag's strings, until the plugin's callback returns, so the caller must
/// copy (intern) what it keeps before then.
unsafe fn utf8<'s>(s: Str) -> Option<&'s str> {
    // SAFETY: upheld by the caller.
    std::str::from_utf8(unsafe { s.as_bytes() }).ok()
}

impl Output for Collector<'_> {
    fn flag(&mut self, flag: &FlagV1) {
        if self.problem.is_some() {
            return;
        }
        match self.validate(flag) {
            Ok(flag) => self.flags.push(flag),
            Err(problem) => self.problem = Some(problem),
        }
    }

    fn error(&mut self, message: &str) {
        self.reported.push(message.to_owned());
    }
}
