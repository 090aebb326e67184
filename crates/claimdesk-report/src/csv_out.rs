//! CSV: one row per claim; evidence is one cell, one link per line.

use std::io::Write;

use crate::model::Report;

pub const CSV_COLUMNS: [&str; 19] = [
    "claim_id", "status", "claim_reviewed", "claim", "speaker", "verdict", "verdict_label", "rating_value", "explanation", "evidence",
    "checker", "approved_by", "reviewed_at", "kinds", "review_url", "document_id", "document_title", "document_url", "outlet",
];

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
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        writer.write_record([
            c.id.to_string(),
            c.status.clone(),
            c.claim_reviewed.clone(),
            c.text.clone(),
            opt(&c.speaker),
            c.verdict.key.clone(),
            c.verdict.label.clone(),
            c.verdict.value.map(|v| v.to_string()).unwrap_or_default(),
            c.explanation.clone(),
            evidence.join("\n"),
            opt(&c.checker),
            opt(&c.approved_by),
            opt(&c.reviewed_at),
            c.kinds.join(" "),
            c.url.clone(),
            c.document.id.to_string(),
            opt(&c.document.title),
            opt(&c.document.url),
            opt(&c.document.outlet),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
