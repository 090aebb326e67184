//! `claimdesk serve`, `claimdesk user add` and `claimdesk token create`.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use claimdesk_ingest::Format;
use claimdesk_server::auth::{Role, hash_password, random_token, token_hash, try_random_token};
use claimdesk_server::{AppState, ServerOptions};
use claimdesk_store::{Store, Stored};

use crate::db::{block_on, open};
use crate::{PluginArgs, plugins};

/// Sample articles shipped with claimdesk (written for it), for `--demo`.
const DEMO_ARTICLES: &str = include_str!("../../../samples/demo.jsonl");

pub struct ServeArgs<'a> {
    pub url: &'a str,
    pub plugins: &'a PluginArgs,
    pub options: ServerOptions,
    pub demo: bool,
    /// The sentence encoder's directory (default: the shipped one).
    pub encoder: Option<&'a std::path::Path>,
}

/// The server's log: `tracing` events on standard error, filtered by
/// `CLAIMDESK_LOG` (`RUST_LOG` syntax; default `warn,claimdesk=info,
/// claimdesk_server=info`, which keeps the database driver's per-query
/// events out).
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("CLAIMDESK_LOG").unwrap_or_else(|_| EnvFilter::new("warn,claimdesk=info,claimdesk_server=info"));
    // A second call (never made) would only be refused; nothing to report.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(false).try_init();
}

/// How often the matcher looks for claims and library items other
/// processes stored (this server's own ingests and imports wake it at once).
const MATCHER_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

pub fn serve(args: ServeArgs<'_>) -> anyhow::Result<ExitCode> {
    init_logging();
    let host = Arc::new(claimdesk_server::checking::Checking::new(plugins::loader(args.plugins)));
    actix_web::rt::System::new().block_on(async move {
        let store = open(args.url).await?;
        let login = first_admin(&store).await?;
        let library = claimdesk_server::library::Library::load(args.encoder);
        match library.status() {
            Ok(()) => {
                let indexed = library.load_index(&store).await?;
                println!("claim matching is on: {} over {indexed} library item(s)", claimdesk_server::library::MODEL_NAME);
                // Items imported without vectors (or by another version) get them in the background.
                library.watch(&store, MATCHER_EVERY);
            }
            Err(reason) => println!("claim matching is off: {reason}"),
        }
        // The desk's own check-worthiness head, if trained, now and as it changes.
        host.follow(&store).await?;
        host.watch(store.clone(), claimdesk_server::checking::FOLLOW_EVERY);
        let state = AppState::new(store, host).await.context("cannot read the installation's settings")?.with_library(library);
        if args.demo {
            load_demo(&state).await?;
        }
        let (server, addrs) =
            claimdesk_server::bind(state, &args.options).with_context(|| format!("cannot serve on {}", args.options.bind))?;
        for addr in addrs {
            println!("claimdesk is serving at http://{addr}/");
        }
        match login {
            Some(password) => println!("log in as admin with password {password} (shown only now; change it on /users)"),
            None => println!("log in with an existing account (add one with `claimdesk user add NAME --role checker`)"),
        }
        server.await.context("the server stopped")?;
        Ok(ExitCode::SUCCESS)
    })
}

/// On an installation without users, creates `admin` with a random password
/// and returns the password.
async fn first_admin(store: &Store) -> anyhow::Result<Option<String>> {
    if store.user_count().await? > 0 {
        return Ok(None);
    }
    let password = try_random_token(12)?;
    let hash = hash_password(&password)?;
    match store.add_user("admin", &hash, Role::Admin).await {
        Ok(_) => Ok(Some(password)),
        // Another node created it first.
        Err(claimdesk_store::StoreError::Duplicate { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn load_demo(state: &AppState) -> anyhow::Result<()> {
    let documents = claimdesk_ingest::parse_documents(DEMO_ARTICLES.to_owned(), Format::JsonLines)?;
    let (mut new, mut old) = (0, 0);
    for doc in documents {
        match claimdesk_server::ingest(state, doc?, "demo").await? {
            Stored::New { .. } => new += 1,
            Stored::Duplicate { .. } => old += 1,
        }
    }
    println!("demo: {new} sample article(s) ingested, {old} already there");
    Ok(())
}

pub fn user_add(url: &str, name: &str, role: Role, password_stdin: bool) -> anyhow::Result<ExitCode> {
    if !claimdesk_server::valid_user_name(name) {
        bail!("invalid user name {name:?}: use 1 to 64 letters, digits, '.', '_' or '-'");
    }
    let (password, generated) = new_password(password_stdin)?;
    let hash = hash_password(&password)?;
    block_on(async {
        let store = open(url).await?;
        store.add_user(name, &hash, role).await?;
        println!("added {name} ({})", role.as_str());
        if generated {
            println!("password: {password}");
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The password from the first line of standard input, or a generated one
/// (then `true`), at least `MIN_PASSWORD` characters.
fn new_password(password_stdin: bool) -> anyhow::Result<(String, bool)> {
    let (password, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        if std::io::stdin().is_terminal() {
            eprintln!("no --password-stdin: generating a password");
        }
        (random_token(12), true)
    };
    if password.chars().count() < claimdesk_server::MIN_PASSWORD {
        bail!("the password needs at least {} characters", claimdesk_server::MIN_PASSWORD);
    }
    Ok((password, generated))
}

/// Sets a new password for `name` (the way back from a lost admin
/// password); like a reset on the users page, it ends all their sessions.
pub fn user_reset_password(url: &str, name: &str, password_stdin: bool) -> anyhow::Result<ExitCode> {
    let (password, generated) = new_password(password_stdin)?;
    let hash = hash_password(&password)?;
    block_on(async {
        let store = open(url).await?;
        let user = store.user_by_name(name).await?.with_context(|| format!("no user named {name:?}"))?;
        store.update_user(user.id, user.role, user.active, Some(&hash)).await?;
        println!("new password set for {} ({}); their sessions are ended", user.name, user.role);
        if generated {
            println!("password: {password}");
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn token_create(url: &str, name: &str) -> anyhow::Result<ExitCode> {
    block_on(async {
        let store = open(url).await?;
        let user = store.user_by_name(name).await?.with_context(|| format!("no user named {name:?}"))?;
        if !user.active {
            bail!("user {name:?} is deactivated");
        }
        let token = try_random_token(32)?;
        store.add_api_token(user.id, &token_hash(&token)).await?;
        println!("{token}");
        eprintln!("API token for {name} ({}); send it as `Authorization: Bearer TOKEN`. It is shown only now.", user.role);
        Ok(ExitCode::SUCCESS)
    })
}
