//! Markdown (GitHub-flavoured tables): totals, one table row per claim,
//! methodology.

use std::fmt::Write;

use crate::model::{Count, Report, Scope};

/// Text made inert for Markdown: HTML characters as entities, Markdown's
/// punctuation backslash-escaped (`|` included, so table cells hold), line
/// breaks as `<br>` inside cells or spaces elsewhere.
fn escape(text: &str, in_cell: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.trim().lines().enumerate() {
        if i > 0 {
            out.push_str(if in_cell { "<br>" } else { " " });
        }
        for ch in line.trim_end_matches('\r').chars() {
            match ch {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                    out.push('\\');
                    out.push(ch);
                }
                c if c.is_control() => out.push(' '),
                c => out.push(c),
            }
        }
    }
    out
}

/// A link destination that cannot end the link or the table cell early:
/// the characters Markdown or tables give meaning to, percent-encoded.
pub(crate) fn link_destination(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for ch in url.trim().chars() {
        match ch {
            '(' | ')' | '<' | '>' | '|' | '\\' | '`' | '"' | ' ' | '[' | ']' => {
                let _ = write!(out, "%{:02X}", ch as u32);
            }
            c if c.is_control() => {
                let mut buf = [0_u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn counts_table(out: &mut String, heading: &str, counts: &[Count]) {
    let _ = writeln!(out, "| {heading} | Claims |\n| --- | ---: |");
    for c in counts {
        let _ = writeln!(out, "| {} | {} |", escape(&c.label, true), c.count);
    }
    out.push('\n');
}

pub fn markdown(report: &Report) -> String {
    let mut out = String::with_capacity(512 + report.claims.len() * 400);
    let _ = writeln!(out, "# {}\n", escape(&report.title, false));
    match &report.scope {
        Scope::Document(d) => {
            let title = d.title.as_deref().unwrap_or("Untitled document");
            let _ = write!(out, "Document {}: ", d.id);
            match &d.url {
                // Only web addresses become links (stored rows from before
                // URLs were validated may hold anything).
                Some(url) if crate::html::is_web_url(url) => {
                    let _ = write!(out, "[{}]({})", escape(title, false), link_destination(url));
                }
                Some(url) => {
                    let _ = write!(out, "{} ({})", escape(title, false), escape(url, false));
                }
                None => out.push_str(&escape(title, false)),
            }
            for part in [&d.outlet, &d.author, &d.published].into_iter().flatten() {
                let _ = write!(out, " · {}", escape(part, false));
            }
            out.push_str("\n\n");
        }
        Scope::Period { from, to, filters } => {
            let _ = write!(
                out,
                "Claims reviewed from {} to {}",
                escape(from.as_deref().unwrap_or("the start"), false),
                escape(to.as_deref().unwrap_or("today"), false)
            );
            if !filters.is_empty() {
                let _ = write!(out, " ({})", escape(&filters.join(", "), false));
            }
            out.push_str(".\n\n");
        }
    }
    let _ = writeln!(
        out,
        "Published by {}. Generated {}.{}\n",
        escape(&report.publisher.name, false),
        escape(&crate::human_time(&report.generated_at), false),
        if report.drafts { " **Draft: includes claims not yet published.**" } else { "" }
    );

    let n = report.totals.claims;
    let _ = writeln!(out, "## Totals\n\n{n} {}.\n", if n == 1 { "claim" } else { "claims" });
    counts_table(&mut out, "Verdict", &report.totals.by_verdict);
    if !report.totals.by_kind.is_empty() {
        counts_table(&mut out, "Flag kind", &report.totals.by_kind);
    }

    out.push_str("## Claims\n\n");
    if report.claims.is_empty() {
        out.push_str("No claims match this report.\n\n");
    } else {
        out.push_str("| # | Claim | Sentence | Speaker | Verdict | Explanation | Evidence | Checker | Reviewed |\n");
        out.push_str("| ---: | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for c in &report.claims {
            let evidence: Vec<String> = c
                .evidence
                .iter()
                .map(|e| {
                    let label = e.title.as_deref().filter(|t| !t.trim().is_empty()).unwrap_or(&e.url);
                    if crate::html::is_web_url(&e.url) {
                        format!("{}: [{}]({})", escape(&e.stance, true), escape(label, true), link_destination(&e.url))
                    } else {
                        // Not a web address (`javascript:` …): text, never a link.
                        format!("{}: {}", escape(&e.stance, true), escape(&e.url, true))
                    }
                })
                .collect();
            let opt = |s: &Option<String>| s.as_deref().map(|s| escape(s, true)).unwrap_or_default();
            let _ = writeln!(
                out,
                "| [{id}]({url}) | {} | {} | {} | {}{} | {} | {} | {} | {} |",
                escape(&c.claim_reviewed, true),
                escape(&c.text, true),
                opt(&c.speaker),
                escape(&c.verdict.label, true),
                if c.status == "draft" { " (draft)" } else { "" },
                escape(&c.explanation, true),
                evidence.join("<br>"),
                opt(&c.checker),
                c.reviewed_at.as_deref().and_then(|at| at.get(..10)).unwrap_or(""),
                id = c.id,
                url = link_destination(&c.url),
            );
        }
        out.push('\n');
    }

    out.push_str("## Methodology\n\nEach claim was flagged by claimdesk's checkers, reviewed by a fact-checker against the evidence listed, and rated on this scale:\n\n");
    out.push_str("| Rating | Value | Meaning |\n| --- | ---: | --- |\n");
    for r in &report.scale.ratings {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            escape(&r.label, true),
            r.value.map_or_else(|| "unrated".to_owned(), |v| format!("{v} of {}", report.scale.best)),
            escape(&r.meaning, true)
        );
    }
    out
}
