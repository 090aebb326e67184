//! The process's log: `tracing` events on standard error, as text or one
//! JSON object per line (`--log-format`), filtered by `RUST_LOG` (or
//! `CLAIMDESK_LOG`; default `warn,claimdesk=info,claimdesk_server=info,
//! claimdesk_work=info`, which keeps the database driver's per-query events
//! out). Request and job spans (request id, job id) ride on every line.

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

const DEFAULT: &str = "warn,claimdesk=info,claimdesk_server=info,claimdesk_work=info,apalis=warn";

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_env("RUST_LOG")
        .or_else(|_| EnvFilter::try_from_env("CLAIMDESK_LOG"))
        .unwrap_or_else(|_| EnvFilter::new(DEFAULT));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(false);
    // A second call (never made) would only be refused; nothing to report.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(true).try_init(),
    };
}
