//! Output of `check`: rustc-style diagnostics, or the JSON contract of
//! `docs/ARCHITECTURE.md` ("check JSON").

use std::io::Write;

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use claimdesk_core::{Analysis, Flag, Kind, LineIndex, Severity};
use claimdesk_plugin_host::RunError;
use serde::Serialize;

/// Scores reported by a check-worthiness scorer (kind `checkworthy`, span
/// = a sentence) become the sentences' scores, not flags of their own.
pub fn split_scores(analysis: &Analysis, flags: Vec<Flag>) -> (Vec<f32>, Vec<Flag>) {
    let mut scores = vec![0.0_f32; analysis.sentences.len()];
    let mut rest = Vec::with_capacity(flags.len());
    for flag in flags {
        if flag.kind == Kind::Checkworthy {
            let i = analysis.sentences.partition_point(|s| s.span.start < flag.span.start);
            if let Some(s) = analysis.sentences.get(i).filter(|s| s.span == flag.span) {
                scores[s.index] = scores[s.index].max(flag.score);
                continue;
            }
        }
        rest.push(flag);
    }
    (scores, rest)
}

pub fn renderer(styled: bool) -> Renderer {
    let renderer = if styled { Renderer::styled() } else { Renderer::plain() };
    renderer.decor_style(DecorStyle::Ascii)
}

/// The sentence holding byte `offset`, or the flag's own span.
fn sentence_span(analysis: &Analysis, flag: &Flag) -> (usize, usize) {
    let i = analysis.sentences.partition_point(|s| s.span.end <= flag.span.start);
    match analysis.sentences.get(i) {
        Some(s) if s.span.start <= flag.span.start && flag.span.end <= s.span.end => (s.span.start, s.span.end),
        _ => (flag.span.start, flag.span.end),
    }
}

pub struct TextDocument<'a> {
    pub name: &'a str,
    pub text: &'a str,
    pub analysis: &'a Analysis,
    pub flags: &'a [Flag],
    pub errors: &'a [RunError],
}

/// One diagnostic per flag: where, the sentence with a caret line under
/// the span, rule, message and the checker's question.
pub fn text(out: &mut impl Write, doc: &TextDocument<'_>, renderer: &Renderer) -> std::io::Result<()> {
    let index = LineIndex::new(doc.text);
    for flag in doc.flags {
        // The snippet runs from the start of the sentence's first line, so the
        // renderer's line:column is the file's; it elides long lines itself.
        let (sentence_start, end) = sentence_span(doc.analysis, flag);
        let line = index.line_of(sentence_start);
        let start = index.line_start(line);
        let sentence = doc.text[start..end].trim_end_matches(['\r', '\n']);
        let level = match flag.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Info => Level::INFO,
        };
        let caret = AnnotationKind::Primary
            .span(flag.span.start - start..flag.span.end - start)
            .label(format!("{} · {} {} · score {:.2}", flag.kind, flag.plugin, flag.plugin_version, flag.score));
        let report = [level
            .primary_title(&*flag.message)
            .id(&*flag.rule)
            .element(Snippet::source(sentence).path(doc.name).line_start(line + 1).annotation(caret))
            .element(Level::HELP.message(format!("question: {}", flag.question)))];
        writeln!(out, "{}\n", renderer.render(&report))?;
    }
    for error in doc.errors {
        writeln!(out, "error: {}: {error}\n", doc.name)?;
    }
    let flagged = {
        let mut sentences: Vec<_> = doc.flags.iter().map(|f| sentence_span(doc.analysis, f).0).collect();
        sentences.dedup();
        sentences.len()
    };
    writeln!(
        out,
        "{}: {} flag{} in {} of {} sentences{}",
        doc.name,
        doc.flags.len(),
        if doc.flags.len() == 1 { "" } else { "s" },
        flagged,
        doc.analysis.sentences.len(),
        if doc.errors.is_empty() { String::new() } else { format!(", {} plugin error(s)", doc.errors.len()) }
    )
}

#[derive(Serialize)]
struct JsonAttribution<'a> {
    speaker: Option<&'a str>,
    anonymous: bool,
}

#[derive(Serialize)]
struct JsonSentence<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    checkworthiness: f32,
    attribution: Option<JsonAttribution<'a>>,
}

#[derive(Serialize)]
struct JsonFlag<'a> {
    plugin: &'a str,
    plugin_version: &'a str,
    rule: &'a str,
    kind: Kind,
    severity: Severity,
    start: usize,
    end: usize,
    text: &'a str,
    score: f32,
    message: &'a str,
    question: &'a str,
}

#[derive(Serialize)]
pub struct JsonError {
    pub plugin: String,
    pub error: String,
}

#[derive(Serialize)]
struct JsonDocument<'a> {
    path: &'a str,
    sentences: Vec<JsonSentence<'a>>,
    flags: Vec<JsonFlag<'a>>,
    errors: Vec<JsonError>,
}

/// Writes one element of the `documents` array.
pub fn json(out: &mut impl Write, doc: &TextDocument<'_>, scores: &[f32]) -> serde_json::Result<()> {
    let text = doc.text;
    let analysis = doc.analysis;
    // Attributions come in text order, so one forward walk pairs them up.
    let mut next_attribution = 0;
    let sentences = analysis
        .sentences
        .iter()
        .map(|s| {
            let all = &analysis.attributions;
            while all.get(next_attribution).is_some_and(|a| a.sentence < s.index) {
                next_attribution += 1;
            }
            let attribution = all.get(next_attribution).filter(|a| a.sentence == s.index).map(|a| JsonAttribution {
                speaker: a.speaker_name(text, &analysis.attributions),
                anonymous: a.anonymous,
            });
            JsonSentence {
                start: s.span.start,
                end: s.span.end,
                text: &text[s.span.start..s.span.end],
                checkworthiness: scores.get(s.index).copied().unwrap_or(0.0),
                attribution,
            }
        })
        .collect();
    let flags = doc
        .flags
        .iter()
        .map(|f| JsonFlag {
            plugin: &f.plugin,
            plugin_version: &f.plugin_version,
            rule: &f.rule,
            kind: f.kind,
            severity: f.severity,
            start: f.span.start,
            end: f.span.end,
            text: &text[f.span.start..f.span.end],
            score: f.score,
            message: &f.message,
            question: &f.question,
        })
        .collect();
    let errors = doc.errors.iter().map(|e| JsonError { plugin: e.plugin.clone(), error: e.error.to_string() }).collect();
    serde_json::to_writer(out, &JsonDocument { path: doc.name, sentences, flags, errors })
}
