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

/// `claimdesk serve`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ServeCommand {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    bind: String,
    /// The address readers reach this installation at (published
    /// fact-checks, ClaimReview, feed and sitemap link to it), unless the
    /// `public_url` setting (admin, /users) names one. Without either, the
    /// bind address is used and a warning says links will be wrong.
    #[arg(long, value_name = "URL", value_parser = parse_public_url)]
    public_url: Option<String>,
    #[command(flatten)]
    database: crate::DatabaseArg,
    #[command(flatten)]
    plugins: PluginArgs,
    /// Ingest the sample articles that ship with claimdesk.
    #[arg(long)]
    demo: bool,
    /// Mark the session cookie Secure (when served over HTTPS).
    #[arg(long)]
    secure_cookies: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// End a login session after this many seconds without a request.
    #[arg(long, value_name = "SECONDS", default_value_t = 2 * 3600, value_parser = clap::value_parser!(u64).range(1..))]
    session_idle: u64,
    /// End a login session this many seconds after the login, however busy.
    #[arg(long, value_name = "SECONDS", default_value_t = 12 * 3600, value_parser = clap::value_parser!(u64).range(1..))]
    session_lifetime: u64,
    #[command(flatten)]
    model_dir: crate::library::ModelArg,
    /// Queue web and API ingests for `claimdesk worker` (the API answers
    /// 202 with the job's URL) instead of checking them in the request,
    /// and leave encoding and matching new claims to the workers.
    #[arg(long)]
    no_inline_work: bool,
    /// The reverse proxy in front of this node (repeatable): only requests
    /// from it are believed about the client's address (`X-Forwarded-For`,
    /// for the login throttle).
    #[arg(long = "trusted-proxy", value_name = "ADDR")]
    trusted_proxies: Vec<std::net::IpAddr>,
    #[command(flatten)]
    private: crate::feed::PrivateFeeds,
    /// Say in each response the SQL statements its request issued and
    /// their time (a `Server-Timing` header), for profiling. It tells
    /// anyone how much work a request caused: not where the public reaches.
    #[arg(long)]
    server_timing: bool,
}

pub fn parse_public_url(value: &str) -> Result<String, String> {
    claimdesk_core::input::public_base_url(value).map_err(|problem| format!("{value:?} {problem}"))
}

impl ServeCommand {
    fn options(&self) -> ServerOptions {
        ServerOptions {
            bind: self.bind.clone(),
            public_url: self.public_url.clone(),
            secure_cookies: self.secure_cookies,
            workers: self.workers,
            sessions: claimdesk_server::SessionPolicy {
                idle: std::time::Duration::from_secs(self.session_idle),
                lifetime: std::time::Duration::from_secs(self.session_lifetime),
            },
            trusted_proxies: self.trusted_proxies.clone(),
            server_timing: self.server_timing,
        }
    }
}

/// How often the matcher looks for claims and library items other
/// processes stored (this server's own ingests and imports wake it at once).
pub(crate) const MATCHER_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

pub fn serve(args: ServeCommand) -> anyhow::Result<ExitCode> {
    let host = Arc::new(claimdesk_server::checking::Checking::new(plugins::loader(&args.plugins)));
    let options = args.options();
    actix_web::rt::System::new().block_on(async move {
        let store = match crate::db::open_for_service(&args.database.url).await {
            Ok(store) => store,
            Err(code) => return Ok(code),
        };
        let login = first_admin(&store).await?;
        let library = claimdesk_server::library::Library::load(args.model_dir.dir.as_deref());
        match library.status() {
            Ok(()) => {
                let indexed = library.load_index(&store).await?;
                println!("claim matching is on: {} over {indexed} library item(s)", claimdesk_server::library::MODEL_NAME);
                if args.no_inline_work {
                    // `claimdesk worker` encodes and matches; searches still run here.
                    library.match_in_workers();
                } else {
                    // Items imported without vectors (or by another version) get them in the background.
                    library.watch(&store, MATCHER_EVERY);
                }
            }
            Err(reason) => println!("claim matching is off: {reason}"),
        }
        // The desk's own check-worthiness head, if trained, now and as it changes.
        host.follow(&store).await?;
        host.watch(store.clone(), claimdesk_server::checking::FOLLOW_EVERY);
        let jobs = claimdesk_work::Jobs::open(&args.database.url).await.context("cannot open the job engine")?;
        let work = claimdesk_server::Work { jobs: Some(jobs), queue_ingests: args.no_inline_work, allow_private_feeds: args.private.allow };
        if args.no_inline_work {
            println!("ingests and feed polls are queued for `claimdesk worker`");
        } else {
            // One process does everything: this one polls the feeds too.
            let fetcher = Arc::new(claimdesk_feed::Fetcher::new(args.private.allow));
            let context = claimdesk_work::WorkContext { store: store.clone(), host: host.clone(), feeds: fetcher };
            actix_web::rt::spawn(claimdesk_work::poll_feeds_inline(context));
        }
        let state = AppState::new(store, host)
            .await
            .context("cannot read the installation's settings")?
            .with_library(library)
            .with_work(work)
            .with_live(&args.database.url);
        if args.demo {
            load_demo(&state).await?;
        }
        let public_url_set = state.store.setting(claimdesk_report::PUBLIC_URL).await?.is_some_and(|u| !u.trim().is_empty());
        let (server, addrs) = claimdesk_server::bind(state, &options).with_context(|| format!("cannot serve on {}", options.bind))?;
        for addr in &addrs {
            println!("claimdesk is serving at http://{addr}/");
        }
        if !public_url_set && options.public_url.is_none() {
            let guess = addrs.first().map(|a| format!("http://{a}")).unwrap_or_default();
            tracing::warn!(
                "no public address is set: published fact-checks, ClaimReview, the feed and the sitemap will link to {guess}, \
                 which readers elsewhere cannot reach; set it with --public-url URL or on /users"
            );
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
