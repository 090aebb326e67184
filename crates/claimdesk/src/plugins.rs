use std::io::Write;
use std::process::ExitCode;

use claimdesk_plugin_host::{HostOptions, PluginHost, default_dir};
use serde_json::json;

use crate::{Format, PluginArgs};

/// Loads the plugins from the executable's directory and `args.dirs`,
/// warning on stderr when none at all was found.
pub fn load(args: &PluginArgs) -> PluginHost {
    let dirs: Vec<_> = default_dir().into_iter().chain(args.dirs.iter().cloned()).collect();
    let options = HostOptions { configs: args.configs.iter().cloned().collect() };
    let host = PluginHost::load(&dirs, &options);
    if host.plugins().next().is_none() {
        let searched = dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ");
        eprintln!(
            "warning: no plugins loaded (searched {searched}); nothing will be flagged. \
             Build the built-in ones with `cargo build --release`, or pass --plugins DIR."
        );
    }
    host
}

pub fn list(args: &PluginArgs, format: Format) -> anyhow::Result<ExitCode> {
    let host = load(args);
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            let plugins: Vec<_> = host
                .plugins()
                .map(|p| {
                    json!({
                        "name": &*p.name, "version": &*p.version, "abi_version": p.abi_version,
                        "description": p.description, "path": p.path,
                        "rules": p.rules.iter().map(|r| json!({
                            "id": &*r.id, "kind": r.kind, "severity": r.severity, "description": r.description,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let errors: Vec<_> = host.load_errors().iter().map(|e| json!({"path": e.path, "error": e.problem.to_string()})).collect();
            serde_json::to_writer_pretty(&mut out, &json!({"plugins": plugins, "errors": errors}))?;
            writeln!(out)?;
        }
        Format::Text => {
            for p in host.plugins() {
                writeln!(out, "{} {} (ABI v{})  {}", p.name, p.version, p.abi_version, p.path.display())?;
                writeln!(out, "    {}", p.description)?;
                for r in &p.rules {
                    writeln!(out, "    {:<24} {:<16} {:<8} {}", r.id, r.kind, r.severity, r.description)?;
                }
            }
            if host.plugins().next().is_none() {
                writeln!(out, "no plugins loaded")?;
            }
            for e in host.load_errors() {
                writeln!(out, "error: {e}")?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
