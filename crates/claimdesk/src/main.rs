//! The `claimdesk` binary: argument parsing and exit codes. The work is
//! done by the library crates; errors become messages here.

mod check;
mod input;
mod plugins;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "claimdesk", version, about = "Fact-check workflow: flag unverified assertions and review them.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where to find plugins, shared by every subcommand that loads them.
#[derive(Debug, clap::Args)]
struct PluginArgs {
    /// Also load plugins from DIR (repeatable). The directory of the
    /// claimdesk executable is always searched first.
    #[arg(long = "plugins", value_name = "DIR", env = "CLAIMDESK_PLUGINS", value_delimiter = ':')]
    dirs: Vec<PathBuf>,
    /// Config string for one plugin, as NAME=CONFIG (repeatable).
    #[arg(long = "plugin-config", value_name = "NAME=CONFIG", value_parser = parse_plugin_config)]
    configs: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check files like a linter: every loaded plugin, rustc-style output.
    Check {
        /// Files to check; `-` reads standard input.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        #[command(flatten)]
        plugins: PluginArgs,
        /// Hide flags scoring below X (0 to 1).
        #[arg(long, value_name = "X", default_value = "0", value_parser = parse_score)]
        min_score: f32,
    },
    /// Inspect plugins.
    Plugins {
        #[command(subcommand)]
        command: PluginsCommand,
    },
}

#[derive(Debug, Subcommand)]
enum PluginsCommand {
    /// List every plugin found, with its rules, or why it did not load.
    List {
        #[command(flatten)]
        plugins: PluginArgs,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

fn parse_score(s: &str) -> Result<f32, String> {
    let x: f32 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&x) { Ok(x) } else { Err(format!("{x} is not between 0 and 1")) }
}

fn parse_plugin_config(s: &str) -> Result<(String, String), String> {
    let (name, config) = s.split_once('=').ok_or_else(|| format!("{s:?} is not NAME=CONFIG"))?;
    Ok((name.to_owned(), config.to_owned()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { files, format, plugins, min_score } => check::run(&files, format, &plugins, min_score),
        Command::Plugins { command: PluginsCommand::List { plugins: args, format } } => plugins::list(&args, format),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`claimdesk check … | head`): nothing to report.
        Err(error)
            if error.chain().any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)) =>
        {
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
