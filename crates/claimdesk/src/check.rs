//! `claimdesk check FILE...`: the linter view of every loaded plugin.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use claimdesk_core::analyze;
use serde_json::json;

use crate::render::{self, TextDocument};
use crate::{Format, PluginArgs, input, plugins};

pub fn run(files: &[PathBuf], format: Format, plugin_args: &PluginArgs, min_score: f32) -> anyhow::Result<ExitCode> {
    let host = plugins::load(plugin_args);
    for error in host.load_errors() {
        eprintln!("warning: plugin not loaded: {error}");
    }
    let stdout = std::io::stdout();
    let styled = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let renderer = render::renderer(styled);
    let mut out = BufWriter::new(stdout.lock());
    let mut input_errors = Vec::new();
    let mut documents = 0;
    if matches!(format, Format::Json) {
        write!(out, "{{\"documents\":[")?;
    }
    for path in files {
        let name = input::display_name(path);
        let text = match input::read(path) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("error: {name}: {error}");
                input_errors.push(json!({"path": name, "error": error.to_string()}));
                continue;
            }
        };
        let analysis = analyze(&text);
        let outcome = host.check(&text, &analysis);
        let (scores, mut flags) = render::split_scores(&analysis, outcome.flags);
        flags.retain(|f| f.score >= min_score);
        let doc = TextDocument { name: &name, text: &text, analysis: &analysis, flags: &flags, errors: &outcome.errors };
        match format {
            Format::Text => render::text(&mut out, &doc, &renderer)?,
            Format::Json => {
                if documents > 0 {
                    write!(out, ",")?;
                }
                render::json(&mut out, &doc, &scores)?;
            }
        }
        documents += 1;
    }
    if matches!(format, Format::Json) {
        let load_errors: Vec<_> = host.load_errors().iter().map(|e| json!({"path": e.path, "error": e.problem.to_string()})).collect();
        write!(out, "],\"load_errors\":{},\"input_errors\":{}}}", json!(load_errors), json!(input_errors))?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(if input_errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
