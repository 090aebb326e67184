//! `claimdesk report`: a verdict report from the database, to stdout or a file.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use claimdesk_report::{Format, ReportRequest};

use crate::db::{block_on, open};

/// `YYYY-MM-DD`, for clap.
pub fn parse_date(s: &str) -> Result<time::Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &format).map_err(|e| format!("{s:?} is not a date as YYYY-MM-DD ({e})"))
}

/// `KEY=VALUE` for `--filter`, with the keys a report knows.
pub fn parse_filter(s: &str) -> Result<(String, String), String> {
    const KEYS: [&str; 4] = ["outlet", "kind", "checker", "verdict"];
    let (key, value) = s.split_once('=').ok_or_else(|| format!("{s:?} is not KEY=VALUE"))?;
    let key = key.trim();
    if !KEYS.contains(&key) {
        return Err(format!("unknown filter {key:?}; filters are {}", KEYS.join(", ")));
    }
    if value.trim().is_empty() {
        return Err(format!("filter {key} needs a value"));
    }
    Ok((key.to_owned(), value.trim().to_owned()))
}

/// Applies `--filter` pairs to `request` (a repeated key: the last wins).
pub fn apply_filters(request: &mut ReportRequest, filters: Vec<(String, String)>) -> anyhow::Result<()> {
    for (key, value) in filters {
        let slot = match key.as_str() {
            "kind" => {
                request.kind = Some(value.parse()?);
                continue;
            }
            "outlet" => &mut request.outlet,
            "checker" => &mut request.checker,
            _ => &mut request.verdict,
        };
        *slot = Some(value);
    }
    Ok(())
}

pub fn run(url: &str, request: &ReportRequest, format: Format, output: Option<&Path>) -> anyhow::Result<ExitCode> {
    let text = block_on(async {
        let store = open(url).await?;
        let report = claimdesk_report::load(&store, request).await?;
        let text = claimdesk_report::render(&report, format)?;
        store.close().await?;
        anyhow::Ok((text, report.claims.len()))
    })?;
    let (text, claims) = text;
    match output {
        // Rendered in full first: a failure never leaves half a file.
        Some(path) => {
            std::fs::write(path, text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("{}: {claims} claim(s), {}", path.display(), format.as_str());
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
