use std::io::Write;
use std::process::ExitCode;

use claimdesk_plugin_host::{DeskEncoder, HostOptions, PluginHost, Profile, default_dir};
use serde_json::json;

use crate::{Format, PluginArgs};

/// Loads the plugins from the executable's directory and `args.dirs`, and
/// says on stderr which did not load (or loaded with a problem).
pub fn load(args: &PluginArgs) -> PluginHost {
    let host = load_quietly(args);
    for error in host.load_errors() {
        if error.is_warning() {
            eprintln!("warning: plugin loaded with a problem: {error}");
        } else {
            eprintln!("warning: plugin not loaded: {error}");
        }
    }
    host
}

/// The profile a host runs in: desk when it has an encoder.
pub fn profile(host: &PluginHost) -> Profile {
    if host.encoder_model().is_some() { Profile::Desk } else { Profile::Fast }
}

/// [`load`] without reporting load errors (the caller shows them), but
/// still warning on stderr when no plugin at all was found, and when the
/// desk profile falls back to the fast one.
fn load_quietly(args: &PluginArgs) -> PluginHost {
    let dirs: Vec<_> = default_dir().into_iter().chain(args.dirs.iter().cloned()).collect();
    let options = HostOptions { configs: args.configs.iter().cloned().collect() };
    let mut host = PluginHost::load(&dirs, &options);
    if args.profile == crate::ProfileArg::Desk {
        match DeskEncoder::load(None, args.desk_model.as_deref()) {
            Ok(encoder) => host.set_encoder(std::sync::Arc::new(encoder)),
            Err(error) => eprintln!("warning: the desk profile is unavailable ({error}); falling back to the fast profile"),
        }
    }
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
    let host = load_quietly(args);
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
                writeln!(out, "{}: {e}", if e.is_warning() { "warning" } else { "error" })?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
