//! `claimdesk check FILE...`: the linter view of every loaded plugin.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use claimdesk_core::{Span, analyze, sections, take_explained_scores};
use claimdesk_plugin_host::PluginHost;
use serde_json::json;

use crate::render::{self, JsonOutput, TextOutput};
use claimdesk_ingest::{Source, read_text};

use crate::{Format, PluginArgs, plugins};

/// Inputs larger than this are checked in sections cut at paragraph ends,
/// which keeps memory near the size of the file itself; a news article is
/// always one section.
const SECTION_BYTES: usize = 1 << 20;

pub fn run(files: &[PathBuf], format: Format, plugin_args: &PluginArgs, min_score: f32) -> anyhow::Result<ExitCode> {
    let host = plugins::load(plugin_args);
    let stdout = std::io::stdout();
    let styled = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = BufWriter::new(stdout.lock());
    let mut input_errors = Vec::new();
    let mut documents = 0;
    if matches!(format, Format::Json) {
        write!(out, "{{\"documents\":[")?;
    }
    for path in files {
        let source = Source { path: path.clone() };
        let name = source.name();
        let text = match read_text(&source, usize::MAX) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("error: {name}: {error}");
                input_errors.push(json!({"path": name, "error": error.to_string()}));
                continue;
            }
        };
        if matches!(format, Format::Json) && documents > 0 {
            write!(out, ",")?;
        }
        check_one(&mut out, &host, &name, &text, format, styled, min_score)?;
        documents += 1;
    }
    if matches!(format, Format::Json) {
        let load_errors: Vec<_> = host.load_errors().iter().map(|e| json!({"path": e.path, "error": e.problem.to_string()})).collect();
        writeln!(
            out,
            "],\"profile\":{},\"load_errors\":{},\"input_errors\":{}}}",
            json!(plugins::profile(&host).as_str()),
            json!(load_errors),
            json!(input_errors)
        )?;
    }
    out.flush()?;
    Ok(if input_errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn check_one(
    out: &mut impl Write,
    host: &PluginHost,
    name: &str,
    text: &str,
    format: Format,
    styled: bool,
    min_score: f32,
) -> anyhow::Result<()> {
    let mut text_out = matches!(format, Format::Text).then(|| TextOutput::new(name, text, styled));
    let mut json_out = match format {
        Format::Json => Some(JsonOutput::start(out, name, text)?),
        Format::Text => None,
    };
    // JSON lists all sentences before all flags, so flags wait for the end.

    let mut errors: Vec<(String, String)> = Vec::new();
    let mut sentences = 0;
    for section in sections(text, SECTION_BYTES) {
        let part = &text[section.start..section.end];
        let analysis = analyze(part);
        let outcome = host.check(part, &analysis);
        let mut flags = outcome.flags;
        let scores = take_explained_scores(&analysis, &mut flags);
        flags.retain(|f| f.score >= min_score);
        sentences += analysis.sentences.len();
        for error in outcome.errors {
            let entry = (error.plugin, format!("{} ({})", error.error, error.path.display()));
            if !errors.contains(&entry) {
                errors.push(entry);
            }
        }
        let shift = |span: Span| Span::new(span.start + section.start, span.end + section.start);
        if let Some(json) = json_out.as_mut() {
            json.sentences(out, section.start, &analysis, &scores)?;
        }
        for mut flag in flags {
            let sentence = shift(render::sentence_of(&analysis, &flag));
            flag.span = shift(flag.span);
            if let Some(json) = json_out.as_mut() {
                json.flag(&flag)?;
            }
            if let Some(text_out) = text_out.as_mut() {
                text_out.flag(out, flag, sentence)?;
            }
        }
    }
    if let Some(json) = json_out {
        json.finish(out, &errors)?;
    }
    if let Some(mut text_out) = text_out {
        text_out.finish(out, sentences, &errors)?;
    }
    Ok(())
}
