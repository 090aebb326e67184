use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use claimdesk_plugin_host::{DeskEncoder, HostOptions, PluginHost, Profile, SentenceEncoder, default_dir};
use serde_json::json;

use crate::{Format, PluginArgs};

/// Loads the plugins from the executable's directory and `args.dirs`, and
/// says on stderr which did not load (or loaded with a problem).
pub fn load(args: &PluginArgs) -> PluginHost {
    load_with_head(args, None)
}

/// [`load`], the check-worthiness plugin scoring with `head` (the desk's
/// own head, from `claimdesk train --from-database`) when given.
pub fn load_with_head(args: &PluginArgs, head: Option<&str>) -> PluginHost {
    let host = make(args, desk_encoder(args), head);
    report(&host);
    host
}

/// What `serve` remakes its host with when the desk's head changes: the
/// desk encoder is loaded once and shared by every host it makes.
pub fn loader(args: &PluginArgs) -> claimdesk_server::checking::HostLoader {
    let args = args.clone();
    let encoder = desk_encoder(&args);
    let first = std::sync::atomic::AtomicBool::new(true);
    Box::new(move |head| {
        let host = make(&args, encoder.clone(), head);
        // Load problems are told once, at start-up; a remade host has the same.
        if first.swap(false, std::sync::atomic::Ordering::Relaxed) {
            report(&host);
        }
        host
    })
}

fn report(host: &PluginHost) {
    for error in host.load_errors() {
        if error.is_warning() {
            tracing::warn!("plugin loaded with a problem: {error}");
        } else {
            tracing::warn!("plugin not loaded: {error}");
        }
    }
}

/// The profile a host runs in: desk when it has an encoder.
pub fn profile(host: &PluginHost) -> Profile {
    if host.encoder_model().is_some() { Profile::Desk } else { Profile::Fast }
}

/// The desk encoder in the desk profile; `None` in the fast one, or (said
/// on stderr) when it cannot be loaded and the fast profile stands in.
fn desk_encoder(args: &PluginArgs) -> Option<Arc<DeskEncoder>> {
    if args.profile != crate::ProfileArg::Desk {
        return None;
    }
    match DeskEncoder::load(None, args.desk_model.as_deref()) {
        Ok(encoder) => Some(Arc::new(encoder)),
        Err(error) => {
            tracing::warn!("the desk profile is unavailable ({error}); falling back to the fast profile");
            None
        }
    }
}

/// The check-worthiness plugin's name, whose config gets the desk's head.
const CHECKWORTHINESS: &str = "checkworthiness";

/// A head's text in a file of its own, only this user may read, for the
/// plugin's `head=PATH` while it starts; removed when dropped.
struct HeadFile(PathBuf);

impl HeadFile {
    fn write(text: &str) -> std::io::Result<HeadFile> {
        use std::os::unix::fs::OpenOptionsExt;
        loop {
            let path = std::env::temp_dir().join(format!("claimdesk-head-{:016x}.txt", fastrand::u64(..)));
            match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path) {
                Ok(mut file) => {
                    let head = HeadFile(path);
                    file.write_all(text.as_bytes())?;
                    return Ok(head);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for HeadFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Every plugin found, the check-worthiness one given `head` if any, and
/// `encoder`'s vectors in the desk profile; warns on stderr when no plugin
/// at all was found.
fn make(args: &PluginArgs, encoder: Option<Arc<DeskEncoder>>, head: Option<&str>) -> PluginHost {
    let dirs: Vec<_> = default_dir().into_iter().chain(args.dirs.iter().cloned()).collect();
    let mut options = HostOptions { configs: args.configs.iter().cloned().collect() };
    let mut _head_file = None;
    // A head from another desk model would not apply to these vectors, and
    // the plugin would fall back to its word model: keep the shipped head.
    let head = head.filter(|text| match claimdesk_linear::Head::parse(text) {
        Err(error) => {
            tracing::warn!("the desk's check-worthiness head is damaged ({error}); the shipped head is used");
            false
        }
        Ok(parsed) if encoder.as_ref().is_some_and(|e| e.model() != parsed.model) => {
            tracing::warn!(
                "the desk's check-worthiness head was trained for desk model {:?}, not this one; \
                 the shipped head is used (retrain with `claimdesk train --from-database`)",
                parsed.model
            );
            false
        }
        Ok(_) => true,
    });
    if let Some(text) = head {
        let config = options.configs.entry(CHECKWORTHINESS.to_owned()).or_default();
        if config.split_whitespace().any(|item| item.starts_with("head=")) {
            tracing::warn!("--plugin-config names a check-worthiness head: the desk's own head is not used");
        } else {
            match HeadFile::write(text) {
                Ok(file) => {
                    *config = format!("{config} head={}", file.0.display()).trim().to_owned();
                    _head_file = Some(file);
                }
                Err(error) => {
                    tracing::warn!("cannot hand the desk's head to the check-worthiness plugin ({error}); it uses the shipped one");
                }
            }
        }
    }
    let mut host = PluginHost::load(&dirs, &options);
    if let Some(encoder) = encoder {
        host.set_encoder(encoder);
    }
    if host.plugins().next().is_none() {
        let searched = dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ");
        tracing::warn!(
            "no plugins loaded (searched {searched}); nothing will be flagged. \
             Build the built-in ones with `cargo build --release`, or pass --plugins DIR."
        );
    }
    host
}

pub fn list(args: &PluginArgs, format: Format) -> anyhow::Result<ExitCode> {
    let host = make(args, desk_encoder(args), None);
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
