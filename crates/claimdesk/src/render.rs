//! Output of `check`: rustc-style diagnostics, or the JSON contract of
//! `docs/ARCHITECTURE.md` ("check JSON"). Both are written as the input is
//! checked, section by section, so output never has to be held in memory.

use std::io::{Seek, Write};

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use claimdesk_core::{Analysis, Flag, Kind, LineIndex, Severity, Span};
use serde::Serialize;

/// The span of the sentence holding `flag`, or the flag's own span.
pub fn sentence_of(analysis: &Analysis, flag: &Flag) -> Span {
    analysis.sentence_holding(flag.span).map_or(flag.span, |s| s.span)
}

/// Diagnostics for one input file.
pub struct TextOutput<'a> {
    name: &'a str,
    text: &'a str,
    index: LineIndex,
    renderer: Renderer,
    flags: usize,
    flagged_sentences: usize,
    last_sentence: Option<Span>,
    /// Overlapping flags of one sentence, waiting to be shown together.
    pending: Vec<Flag>,
    pending_sentence: Span,
    pending_end: usize,
}

impl<'a> TextOutput<'a> {
    pub fn new(name: &'a str, text: &'a str, styled: bool) -> Self {
        let renderer = if styled { Renderer::styled() } else { Renderer::plain() };
        let renderer = renderer.decor_style(DecorStyle::Ascii);
        TextOutput {
            name,
            text,
            index: LineIndex::new(text),
            renderer,
            flags: 0,
            flagged_sentences: 0,
            last_sentence: None,
            pending: Vec::new(),
            pending_sentence: Span::new(0, 0),
            pending_end: 0,
        }
    }

    /// Takes one flag (spans are file offsets). Flags that overlap in the
    /// same sentence are shown together, as one diagnostic with all their
    /// reasons; it is written when the next flag no longer overlaps.
    pub fn flag(&mut self, out: &mut impl Write, flag: Flag, sentence: Span) -> std::io::Result<()> {
        self.flags += 1;
        if self.last_sentence != Some(sentence) {
            self.flagged_sentences += 1;
            self.last_sentence = Some(sentence);
        }
        // A flag on the whole sentence overlaps everything in it: it stands alone.
        let whole_sentence = flag.span == sentence;
        let overlaps = !whole_sentence && self.pending_sentence == sentence && flag.span.start < self.pending_end;
        if !overlaps {
            self.flush(out)?;
            self.pending_sentence = sentence;
        }
        self.pending_end = self.pending_end.max(flag.span.end);
        self.pending.push(flag);
        if whole_sentence {
            self.flush(out)?;
        }
        Ok(())
    }

    /// Writes the pending group: where, the sentence with a caret line under
    /// each span, rules, messages and the checker's questions.
    fn flush(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        let mut group = std::mem::take(&mut self.pending);
        self.pending_end = 0;
        // The strongest finding leads.
        group.sort_by(|a, b| b.score.total_cmp(&a.score));
        let Some(first) = group.first() else { return Ok(()) };
        let sentence = self.pending_sentence;
        // The snippet runs from the start of the sentence's first line, so the
        // renderer's line:column is the file's; it elides long lines itself.
        let line = self.index.line_of(sentence.start);
        let start = self.index.line_start(line);
        let source = self.text[start..sentence.end].trim_end_matches(['\r', '\n']);
        let level = match group.iter().map(|f| f.severity).max().unwrap_or(first.severity) {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Info => Level::INFO,
        };
        let several = group.len() > 1;
        let carets = group.iter().enumerate().map(|(i, f)| {
            let kind = if i == 0 { AnnotationKind::Primary } else { AnnotationKind::Context };
            let rule = if several { format!("{} · ", f.rule) } else { String::new() };
            kind.span(f.span.start - start..f.span.end - start)
                .label(format!("{rule}{} · {} {} · score {:.2}", f.kind, f.plugin, f.plugin_version, f.score))
        });
        let voice = match group.iter().find_map(|f| f.quoted_speaker.as_deref()) {
            Some("") => Some("inside a quotation; the speaker is not identified".to_owned()),
            Some(name) => Some(format!("inside a quotation: these are {name}'s words")),
            None => None,
        };
        let title =
            if several { format!("{} (and {} more finding(s) here)", first.message, group.len() - 1) } else { first.message.to_string() };
        let rules = group.iter().map(|f| &*f.rule).collect::<Vec<_>>().join(", ");
        let mut questions: Vec<String> = Vec::new();
        for f in &group {
            let question = if several { format!("question ({}): {}", f.rule, f.question) } else { format!("question: {}", f.question) };
            if !questions.iter().any(|q| q.ends_with(&*f.question)) {
                questions.push(question);
            }
        }
        let report = [level
            .primary_title(title)
            .id(rules)
            .element(Snippet::source(source).path(self.name).line_start(line + 1).annotations(carets))
            .elements(voice.map(|v| Level::NOTE.message(v)))
            .elements(questions.into_iter().map(|q| Level::HELP.message(q)))];
        writeln!(out, "{}\n", self.renderer.render(&report))
    }

    pub fn finish(&mut self, out: &mut impl Write, sentences: usize, errors: &[(String, String)]) -> std::io::Result<()> {
        self.flush(out)?;
        for (plugin, error) in errors {
            writeln!(out, "error: {}: plugin {plugin}: {error}\n", self.name)?;
        }
        let s = if self.flags == 1 { "" } else { "s" };
        let failed = if errors.is_empty() { String::new() } else { format!(", {} plugin error(s)", errors.len()) };
        writeln!(out, "{}: {} flag{s} in {} of {sentences} sentences{failed}", self.name, self.flags, self.flagged_sentences)
    }
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
    /// Why it scored so, in plain words (absent when nothing scored it).
    #[serde(skip_serializing_if = "str::is_empty")]
    why: &'a str,
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
    /// Inside a quotation: the words are the speaker's, not the reporter's.
    quoted: bool,
    /// The quotation's speaker, when known.
    speaker: Option<&'a str>,
}

/// Writes one element of the `documents` array piece by piece: the
/// sentences of each section as it is checked, then all flags, then errors.
pub struct JsonOutput<'a> {
    text: &'a str,
    sentences: usize,
    spool: Spool,
}

impl<'a> JsonOutput<'a> {
    pub fn start(out: &mut impl Write, name: &str, text: &'a str) -> serde_json::Result<Self> {
        write!(out, "{{\"path\":").map_err(serde_json::Error::io)?;
        serde_json::to_writer(&mut *out, name)?;
        write!(out, ",\"sentences\":[").map_err(serde_json::Error::io)?;
        let spool = Spool::new().map_err(serde_json::Error::io)?;
        Ok(JsonOutput { text, sentences: 0, spool })
    }

    /// The sentences of a section starting at byte `base` of the file.
    pub fn sentences(&mut self, out: &mut impl Write, base: usize, section: &Analysis, scores: &[(f32, String)]) -> serde_json::Result<()> {
        let part = &self.text[base..];
        for (s, attribution) in section.sentences_with_attribution() {
            let attribution =
                attribution.map(|a| JsonAttribution { speaker: a.speaker_name(part, &section.attributions), anonymous: a.anonymous });
            let sentence = JsonSentence {
                start: base + s.span.start,
                end: base + s.span.end,
                text: &part[s.span.start..s.span.end],
                checkworthiness: scores.get(s.index).map_or(0.0, |s| s.0),
                why: scores.get(s.index).map_or("", |s| s.1.as_str()),
                attribution,
            };
            if self.sentences > 0 {
                out.write_all(b",").map_err(serde_json::Error::io)?;
            }
            serde_json::to_writer(&mut *out, &sentence)?;
            self.sentences += 1;
        }
        Ok(())
    }

    /// Writes one flag (with file offsets) to the spool, where flags wait
    /// until every sentence has been written.
    pub fn flag(&mut self, f: &Flag) -> std::io::Result<()> {
        let spool = &mut self.spool;
        let flag = JsonFlag {
            plugin: &f.plugin,
            plugin_version: &f.plugin_version,
            rule: &f.rule,
            kind: f.kind,
            severity: f.severity,
            start: f.span.start,
            end: f.span.end,
            text: &self.text[f.span.start..f.span.end],
            score: f.score,
            message: &f.message,
            question: &f.question,
            quoted: f.quoted_speaker.is_some(),
            speaker: f.quoted_speaker.as_deref().filter(|s| !s.is_empty()),
        };
        if spool.flags > 0 {
            spool.file.write_all(b",")?;
        }
        spool.flags += 1;
        serde_json::to_writer(&mut spool.file, &flag).map_err(std::io::Error::from)
    }

    /// The spooled flags and the errors close the document.
    pub fn finish(self, out: &mut impl Write, errors: &[(String, String)]) -> std::io::Result<()> {
        write!(out, "],\"flags\":[")?;
        let mut file = self.spool.file.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        file.seek(std::io::SeekFrom::Start(0))?;
        std::io::copy(&mut file, out)?;
        let errors: Vec<_> = errors.iter().map(|(plugin, error)| serde_json::json!({"plugin": plugin, "error": error})).collect();
        write!(out, "],\"errors\":{}}}", serde_json::Value::from(errors))
    }
}

/// An unnamed temporary file holding a document's JSON flags: the JSON lists
/// all sentences before all flags, and holding a large input's flags in
/// memory would cost several times the input's size.
struct Spool {
    file: std::io::BufWriter<std::fs::File>,
    flags: usize,
}

impl Spool {
    fn new() -> std::io::Result<Spool> {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("claimdesk-flags-{}-{n}.json", std::process::id()));
        let file = std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path)?;
        // Unlinked at once: the open file lives on, and nothing is left behind
        // whatever happens to this process.
        std::fs::remove_file(&path)?;
        Ok(Spool { file: std::io::BufWriter::new(file), flags: 0 })
    }
}
