//! The `claimdesk` binary: argument parsing and exit codes. The work is
//! done by the library crates; errors become messages here.

mod bench;
mod check;
mod combine;
mod datasets;
mod db;
mod eval;
mod feed;
mod learn;
mod library;
mod logging;
mod plugins;
mod render;
mod report;
mod serve;
mod tune;
mod work;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "claimdesk", version, about = "Fact-check workflow: flag unverified assertions and review them.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How log lines on standard error are written (filter with RUST_LOG).
    #[arg(long, global = true, value_enum, default_value_t = logging::LogFormat::Text, env = "CLAIMDESK_LOG_FORMAT")]
    log_format: logging::LogFormat,
}

/// Where to find plugins, shared by every subcommand that loads them.
#[derive(Debug, Clone, clap::Args)]
struct PluginArgs {
    /// Also load plugins from DIR (repeatable). The directory of the
    /// claimdesk executable is always searched first.
    #[arg(long = "plugins", value_name = "DIR", env = "CLAIMDESK_PLUGINS", value_delimiter = ':')]
    dirs: Vec<PathBuf>,
    /// Config string for one plugin, as NAME=CONFIG (repeatable).
    #[arg(long = "plugin-config", value_name = "NAME=CONFIG", value_parser = parse_plugin_config)]
    configs: Vec<(String, String)>,
    /// `desk`: the fine-tuned sentence encoder runs once per sentence and
    /// check-worthiness and subjectivity use it; `fast`: no encoder, the
    /// plugins' word models alone. If the desk model cannot be loaded,
    /// claimdesk says why and falls back to `fast`.
    #[arg(long, value_enum, default_value_t = ProfileArg::Desk, env = "CLAIMDESK_PROFILE")]
    profile: ProfileArg,
    /// The desk model's directory (default: models/desk beside the
    /// executable, else in the source tree).
    #[arg(long = "desk-model", value_name = "DIR", env = "CLAIMDESK_DESK_MODEL")]
    desk_model: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ProfileArg {
    Fast,
    Desk,
}

/// The database every subcommand that stores or reads claims uses.
#[derive(Debug, clap::Args)]
struct DatabaseArg {
    /// sqlite://FILE?mode=rwc (created if missing) or postgres://USER@HOST/DB.
    #[arg(long = "database", value_name = "URL", env = "DATABASE_URL", default_value = "sqlite://claimdesk.db?mode=rwc")]
    url: String,
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
    /// Read articles, check them and store their claims for review.
    Ingest {
        /// Files or directories (read recursively); `-` reads standard input.
        /// Plain text, Markdown (.md), HTML (.html) or JSON Lines (.jsonl)
        /// with title, url, outlet, author, published and body.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        database: DatabaseArg,
        #[command(flatten)]
        plugins: PluginArgs,
        /// Skip documents larger than this many bytes.
        #[arg(long, value_name = "BYTES", default_value_t = claimdesk_ingest::MAX_BYTES)]
        max_bytes: usize,
        /// Then encode the new claims and match them against the fact-check
        /// library (a running server's matcher does it too, within seconds).
        #[arg(long = "match")]
        match_claims: bool,
        #[command(flatten)]
        model_dir: library::ModelArg,
    },
    /// Re-run the plugins over stored documents (after a plugin upgrade).
    Recheck {
        /// Only this document.
        #[arg(long, value_name = "ID")]
        document: Option<i64>,
        #[command(flatten)]
        database: DatabaseArg,
        #[command(flatten)]
        plugins: PluginArgs,
    },
    /// Add fact-checks to the library: ClaimReview JSON-LD (objects,
    /// arrays, DataFeeds, HTML pages) or TSV/CSV (`id, claim, title[,
    /// rating, url, publisher, date]`). Same URL or id: updated.
    Import {
        #[command(subcommand)]
        command: library::ImportCommand,
    },
    /// Match queries (`id<TAB>text` after a header) against the library.
    Match {
        #[arg(value_name = "QUERIES.tsv")]
        queries: PathBuf,
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
        top: u16,
        #[arg(long, value_enum, default_value = "json")]
        format: library::RunFormat,
        #[command(flatten)]
        database: DatabaseArg,
        #[command(flatten)]
        model_dir: library::ModelArg,
    },
    /// Create or upgrade the database schema.
    Migrate {
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Copy a SQLite database to FILE, consistently, while servers run
    /// (PostgreSQL: use pg_dump).
    Backup {
        /// The copy to write (must not exist).
        file: PathBuf,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Measure the detectors on labelled sentences (precision, recall, F1),
    /// or claim matching on queries with TREC qrels (MAP@1, MAP@5, MRR,
    /// Recall@5, in a scratch database).
    Eval {
        #[arg(long, value_enum)]
        task: EvalTask,
        /// Labelled data (formats of shared/data/README.md); repeatable.
        #[arg(long, value_name = "FILE", required_unless_present = "fact_checks")]
        data: Vec<PathBuf>,
        /// Matching: the library to search (any `import fact-checks` format); repeatable.
        #[arg(long, value_name = "FILE", requires_all = ["queries", "qrels"])]
        fact_checks: Vec<PathBuf>,
        /// Matching: queries, `id<TAB>text` after a header.
        #[arg(long, value_name = "FILE")]
        queries: Option<PathBuf>,
        /// Matching: TREC qrels (`qid 0 docid 1`).
        #[arg(long, value_name = "FILE")]
        qrels: Option<PathBuf>,
        /// Matching: weight of the lexical score in the fusion (default: the shipped one).
        #[arg(long, value_name = "W", value_parser = parse_weight)]
        lexical_weight: Option<f64>,
        /// Matching: search through a sign-bit shortlist of N items however
        /// small the library (what libraries over 200,000 items do with
        /// 2,000), to measure what it loses.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        shortlist: Option<u32>,
        #[command(flatten)]
        model_dir: library::ModelArg,
        /// Instead of the plugins, cross-validate a linear model (the
        /// check-worthiness model's kind) trained on the data, over K folds.
        #[arg(long, value_name = "K")]
        folds: Option<usize>,
        /// Score with this model file alone instead of the plugins.
        #[arg(long, value_name = "FILE")]
        model: Option<PathBuf>,
        #[command(flatten)]
        training: eval::TrainingArgs,
        #[command(flatten)]
        plugins: PluginArgs,
    },
    /// Train a plugin's model (check-worthiness, hedges, subjectivity), or
    /// the weights that combine check-worthiness with the other detectors'
    /// flags (`stack`, after the check-worthiness model).
    Train {
        #[arg(long, value_enum, default_value = "checkworthiness")]
        task: eval::TrainTask,
        #[arg(long, required_unless_present = "from_database", value_name = "FILE")]
        data: Vec<PathBuf>,
        /// Retrain the check-worthiness head on the desk's decisions in
        /// --database (verdict = worth checking, dismissed as not check-worthy
        /// = not); store it there for every node if CV says it is better.
        #[arg(long, conflicts_with_all = ["data", "no_output"])]
        from_database: bool,
        /// With --from-database: switch the desk back to the shipped head.
        #[arg(long, requires = "from_database")]
        restore_shipped: bool,
        /// With --from-database: store the desk's head even if it does no
        /// better than the shipped one.
        #[arg(long, requires = "from_database")]
        force: bool,
        #[command(flatten)]
        database: DatabaseArg,
        /// Default: the model file the task's plugin embeds; for `stack
        /// --encoder-scores`, the directory the files go under (the repository).
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        training: eval::TrainingArgs,
        /// For `stack`: the plugins whose flags the combination weighs.
        #[command(flatten)]
        plugins: PluginArgs,
        /// For `desk`: the tuning's settings and the encoder it starts from.
        #[command(flatten)]
        desk: tune::DeskArgs,
        #[command(flatten)]
        stack: combine::StackArgs,
    },
    /// Print performance figures (see docs/PERFORMANCE.md).
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
    /// Serve the review web UI and the JSON API.
    Serve(serve::ServeCommand),
    /// Run queued jobs (ingests, rechecks, feed polls) until stopped; start as many as
    /// the desk needs, on any machine that reaches the database.
    Worker(work::WorkerCommand),
    /// Monitor news feeds: add, list, remove, poll now.
    Feed {
        #[command(subcommand)]
        command: feed::FeedCommand,
    },
    /// Write a verdict report of published claims: one document, or a
    /// period and filters.
    Report {
        /// Only this document's claims.
        #[arg(long, value_name = "ID", conflicts_with_all = ["from", "to"])]
        document: Option<i64>,
        /// Claims published on or after this day (YYYY-MM-DD, UTC).
        #[arg(long, value_name = "DATE", value_parser = report::parse_date)]
        from: Option<time::Date>,
        /// Claims published on or before this day.
        #[arg(long, value_name = "DATE", value_parser = report::parse_date)]
        to: Option<time::Date>,
        /// outlet=NAME, kind=KIND, checker=USER or verdict=RATING; repeatable.
        #[arg(long, value_name = "KEY=VALUE", value_parser = report::parse_filter)]
        filter: Vec<(String, String)>,
        /// Include resolved claims not yet published (marked as drafts).
        #[arg(long)]
        drafts: bool,
        #[arg(long, value_parser = report_format())]
        format: claimdesk_report::Format,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Address readers reach the installation at; fact-check URLs start
        /// with it (default: the `public_url` setting; one is needed).
        #[arg(long, value_name = "URL", value_parser = serve::parse_public_url)]
        base_url: Option<String>,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Inspect plugins.
    Plugins {
        #[command(subcommand)]
        command: PluginsCommand,
    },
}

/// A value parser for one of the libraries' named enumerations: the
/// possible values (shown in `--help` and in errors) come from the type's
/// own list, so the command line cannot drift from the library.
fn named<T: claimdesk_core::Named>() -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(T::ALL.iter().map(|v| PossibleValue::new(v.name()))).try_map(|s| s.parse::<T>())
}

/// Report formats by name, `markdown` accepted for `md`.
fn report_format() -> impl clap::builder::TypedValueParser<Value = claimdesk_report::Format> {
    use claimdesk_report::Format;
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let values = Format::ALL
        .iter()
        .map(|&f| PossibleValue::new(f.as_str()).aliases(Format::ALIASES.iter().filter(|(_, g)| *g == f).map(|(alias, _)| *alias)));
    PossibleValuesParser::new(values).try_map(|s| Format::parse(&s).ok_or_else(|| format!("unknown report format {s:?}")))
}

/// What `claimdesk eval` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EvalTask {
    Checkworthiness,
    Hedges,
    Subjectivity,
    /// Claim matching (needs --fact-checks, --queries, --qrels).
    Matching,
}

impl EvalTask {
    fn sentences(self) -> Option<eval::Task> {
        match self {
            EvalTask::Checkworthiness => Some(eval::Task::Checkworthiness),
            EvalTask::Hedges => Some(eval::Task::Hedges),
            EvalTask::Subjectivity => Some(eval::Task::Subjectivity),
            EvalTask::Matching => None,
        }
    }
}

fn parse_weight(s: &str) -> Result<f64, String> {
    let x: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&x) { Ok(x) } else { Err(format!("{x} is not between 0 and 1")) }
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user (a password is generated unless --password-stdin).
    Add {
        name: String,
        #[arg(long, value_parser = named::<claimdesk_core::Role>(), default_value = "checker")]
        role: claimdesk_core::Role,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Set a new password (a password is generated unless --password-stdin);
    /// ends all the user's sessions.
    ResetPassword {
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        database: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API token for a user and print it.
    Create {
        #[arg(long, value_name = "NAME")]
        user: String,
        #[command(flatten)]
        database: DatabaseArg,
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

pub(crate) fn parse_score(s: &str) -> Result<f32, String> {
    let x: f32 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&x) { Ok(x) } else { Err(format!("{x} is not between 0 and 1")) }
}

fn parse_plugin_config(s: &str) -> Result<(String, String), String> {
    let (name, config) = s.split_once('=').ok_or_else(|| format!("{s:?} is not NAME=CONFIG"))?;
    Ok((name.to_owned(), config.to_owned()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(cli.log_format);
    let result = match cli.command {
        Command::Check { files, format, plugins, min_score } => check::run(&files, format, &plugins, min_score),
        Command::Ingest { paths, database, plugins, max_bytes, match_claims, model_dir } => {
            let encoder = match_claims.then_some(model_dir.dir.as_deref());
            db::ingest(&db::IngestArgs { paths: &paths, url: &database.url, plugins: &plugins, max_bytes, encoder })
        }
        Command::Recheck { document, database, plugins } => db::recheck(&database.url, document, &plugins),
        Command::Migrate { database } => db::migrate(&database.url),
        Command::Backup { file, database } => db::backup(&database.url, &file),
        Command::Eval {
            task,
            data,
            fact_checks,
            queries,
            qrels,
            lexical_weight,
            shortlist,
            model_dir,
            folds,
            model,
            training,
            plugins,
        } => match (task.sentences(), queries, qrels) {
            (Some(task), _, _) => {
                training.options(task).and_then(|options| eval::eval(task, &data, folds, options, model.as_deref(), &plugins))
            }
            (None, Some(queries), Some(qrels)) if !fact_checks.is_empty() => library::eval(
                &library::EvalFiles { fact_checks: &fact_checks, queries: &queries, qrels: &qrels, lexical_weight, shortlist },
                model_dir.dir.as_deref(),
            ),
            (None, _, _) => Err(anyhow::anyhow!("--task matching needs --fact-checks, --queries and --qrels")),
        },
        Command::Import { command: library::ImportCommand::FactChecks { files, database, model_dir } } => {
            library::import(&database.url, &files, model_dir.dir.as_deref())
        }
        Command::Match { queries, top, format, database, model_dir } => {
            library::run_match(&database.url, &queries, usize::from(top), format, model_dir.dir.as_deref())
        }
        Command::Train { from_database: true, restore_shipped: true, database, .. } => learn::restore_shipped(&database.url),
        Command::Train { from_database: true, task, database, desk, plugins, force, .. } => {
            learn::train_from_database(&learn::FromDatabase {
                task,
                url: &database.url,
                desk_model: plugins.desk_model.as_deref(),
                encoder: desk.encoder_dir(),
                folds: desk.folds(),
                force,
                command: std::env::args().collect::<Vec<_>>().join(" "),
            })
        }
        Command::Train { task: eval::TrainTask::Desk, data, output, training, desk, .. } => {
            tune::train_desk(&desk.training(&data, output.as_deref(), &training, std::env::args().collect::<Vec<_>>().join(" ")))
        }
        Command::Train {
            task: eval::TrainTask::Stack,
            data,
            stack: combine::StackArgs { encoder_scores: Some(scores), measure_only },
            plugins,
            output,
            ..
        } => {
            let output = (!measure_only).then(|| output.unwrap_or_else(|| PathBuf::from(".")));
            combine::train_combinations(&combine::Combining {
                data: &data,
                encoder_scores: &scores,
                plugins: &plugins,
                output: output.as_deref(),
            })
        }
        Command::Train { task, data, output, training, plugins, .. } => match task.model() {
            Some(task) => {
                let output = output.unwrap_or_else(|| PathBuf::from(task.model_file()));
                training.options(task).and_then(|options| eval::train_model(&data, &output, options))
            }
            None => {
                let output = output.unwrap_or_else(|| PathBuf::from(eval::STACK_WEIGHTS_FILE));
                training.options(eval::Task::Checkworthiness).and_then(|options| eval::train_stack(&data, &output, options, &plugins))
            }
        },
        Command::Bench { command } => bench::run(command),
        Command::Serve(command) => serve::serve(command),
        Command::Worker(command) => work::worker(command),
        Command::Feed { command } => feed::feed(command),
        Command::Report { document, from, to, filter, drafts, format, output, base_url, database } => {
            let mut request =
                claimdesk_report::ReportRequest { document_id: document, from, to, include_drafts: drafts, base_url, ..Default::default() };
            report::apply_filters(&mut request, filter).and_then(|()| report::run(&database.url, &request, format, output.as_deref()))
        }
        Command::User { command: UserCommand::Add { name, role, password_stdin, database } } => {
            serve::user_add(&database.url, &name, role, password_stdin)
        }
        Command::User { command: UserCommand::ResetPassword { name, password_stdin, database } } => {
            serve::user_reset_password(&database.url, &name, password_stdin)
        }
        Command::Token { command: TokenCommand::Create { user, database } } => serve::token_create(&database.url, &user),
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

#[cfg(test)]
mod tests {
    /// clap's own checks of every subcommand (unique names, valid defaults),
    /// which otherwise run only when that subcommand is first used.
    #[test]
    fn the_command_line_is_well_formed() {
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
