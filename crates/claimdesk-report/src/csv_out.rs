//! CSV: one row per claim; evidence is one cell, one link per line.

use std::io::Write;

use crate::model::Report;

pub const CSV_COLUMNS: [&str; 19] = [
    "claim_id", "status", "claim_reviewed", "claim", "speaker", "verdict", "verdict_label", "rating_value", "explanation", "evidence",
    "checker", "approved_by", "reviewed_at", "kinds", "review_url", "document_id", "document_title", "document_url", "outlet",
];

/// A text cell a spreadsheet will not run: one starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading `'` (OWASP's advice on
/// CSV injection), so `=cmd|' /C calc'!A0` reads as text. Numbers we
/// write ourselves (ids, rating values) are left as they are.
pub fn text_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_owned(),
    }
}

/// Writes `report` as CSV (header row, then one row per claim) into `out`.
pub fn write_csv<W: Write>(report: &Report, out: W) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_COLUMNS)?;
    for c in &report.claims {
        let evidence: Vec<String> = c
            .evidence
            .iter()
            .map(|e| match &e.title {
                Some(title) => format!("{}: {} ({})", e.stance, e.url, title),
                None => format!("{}: {}", e.stance, e.url),
            })
            .collect();
        let opt = |s: &Option<String>| text_cell(s.as_deref().unwrap_or_default());
        writer.write_record([
            c.id.to_string(),
            text_cell(&c.status),
            text_cell(&c.claim_reviewed),
            text_cell(&c.text),
            opt(&c.speaker),
            text_cell(&c.verdict.key),
            text_cell(&c.verdict.label),
            c.verdict.value.map(|v| v.to_string()).unwrap_or_default(),
            text_cell(&c.explanation),
            text_cell(&evidence.join("\n")),
            opt(&c.checker),
            opt(&c.approved_by),
            opt(&c.reviewed_at),
            text_cell(&c.kinds.join(" ")),
            text_cell(&c.url),
            c.document.id.to_string(),
            opt(&c.document.title),
            opt(&c.document.url),
            opt(&c.document.outlet),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
