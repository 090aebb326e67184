//! The live queue: every open queue and claim page hears, through
//! Server-Sent Events on `GET /live`, that claims changed, on whichever
//! node the change was made.
//!
//! On PostgreSQL each node `LISTEN`s on [`claimdesk_store::LIVE_CHANNEL`]
//! (one connection, re-made with backoff when lost, and said so in the
//! log) and fans what it hears out to its own pages; a change is
//! announced only by `NOTIFY`, which reaches the announcing node too. On
//! SQLite there is one node: changes are broadcast in process. Events
//! carry ids only; pages fetch what they show through the usual routes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{HttpResponse, web};
use claimdesk_store::{LIVE_CHANNEL, LiveEvent, Store};
use tokio::sync::broadcast;

use crate::AppState;
use crate::auth::Viewer;

/// Events a slow page may fall behind by before it is told to reload.
const BACKLOG: usize = 1024;
/// A comment line this often keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Waits between attempts to listen again after the connection is lost.
const RETRY_FIRST: Duration = Duration::from_millis(500);
const RETRY_MOST: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct Live {
    tx: broadcast::Sender<Arc<str>>,
    /// Changes travel through PostgreSQL (set by [`Live::listen`]).
    through_postgres: bool,
}

impl Default for Live {
    fn default() -> Self {
        Live { tx: broadcast::channel(BACKLOG).0, through_postgres: false }
    }
}

impl Live {
    /// On PostgreSQL, listens at `url` from now on (a background task on
    /// the current runtime); on SQLite, nothing to do.
    pub fn listen(&mut self, url: &str) {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return;
        }
        self.through_postgres = true;
        let (tx, url) = (self.tx.clone(), url.to_owned());
        actix_web::rt::spawn(async move {
            let mut wait = RETRY_FIRST;
            loop {
                match listen_once(&url, &tx).await {
                    Ok(()) => wait = RETRY_FIRST,
                    Err(e) => {
                        tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "lost the live channel; listening again");
                        // Pages may have missed changes meanwhile.
                        let _ = tx.send(Arc::from(LiveEvent::resync().to_json()));
                        actix_web::rt::time::sleep(wait).await;
                        wait = (wait * 2).min(RETRY_MOST);
                    }
                }
            }
        });
    }

    /// Tells every open page, on every node, about `event`. A failure is
    /// logged, never returned: the change itself is already committed.
    pub async fn publish(&self, store: &Store, event: LiveEvent) {
        if self.through_postgres {
            if let Err(e) = store.notify_live(&event).await {
                tracing::warn!(error = %e, "could not announce a change to the other nodes");
            }
        } else {
            // No page open: nobody to tell.
            let _ = self.tx.send(Arc::from(event.to_json()));
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<str>> {
        self.tx.subscribe()
    }
}

/// Listens until the connection fails.
async fn listen_once(url: &str, tx: &broadcast::Sender<Arc<str>>) -> Result<(), sqlx::Error> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    listener.listen(LIVE_CHANNEL).await?;
    tracing::info!("listening for changes from other nodes");
    loop {
        let note = listener.recv().await?;
        let _ = tx.send(Arc::from(note.payload()));
    }
}

/// `GET /live`: the event stream for the signed-in user's pages. It ends
/// when the session or the user does (a logout, a deactivation, a role or
/// password change, a timeout): asked at every event and every
/// [`RECHECK`] between them, without counting as the user's activity.
pub(crate) async fn stream(viewer: Viewer, state: web::Data<AppState>) -> HttpResponse {
    let watch = Watch { rx: state.live.subscribe(), state, user: viewer.id, session: viewer.session_hash, last_sent: Instant::now() };
    let first = futures_util::stream::once(async { Ok::<_, actix_web::Error>(web::Bytes::from_static(b"retry: 2000\n\n")) });
    let events = futures_util::stream::unfold(watch, |mut watch| async move {
        let chunk = watch.next_chunk().await?;
        watch.last_sent = Instant::now();
        Some((Ok::<_, actix_web::Error>(chunk), watch))
    });
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        // nginx: pass events on as they come.
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(futures_util::StreamExt::chain(first, events))
}

/// How often an idle stream asks whether its session still stands. Each
/// ask goes through the session and user caches, which read the database
/// at most once per [`crate::cache::USER_TTL`] per session and user on this
/// node, whatever the number of streams and pages.
const RECHECK: Duration = Duration::from_secs(5);

/// One open stream: what it listens to, and whose it is.
struct Watch {
    rx: broadcast::Receiver<Arc<str>>,
    state: web::Data<AppState>,
    user: i64,
    session: String,
    last_sent: Instant,
}

impl Watch {
    /// The next chunk to send, or `None` when the stream ends.
    async fn next_chunk(&mut self) -> Option<web::Bytes> {
        loop {
            let got = actix_web::rt::time::timeout(RECHECK, self.rx.recv()).await;
            if !self.stands().await {
                return None;
            }
            match got {
                Err(_) if self.last_sent.elapsed() < KEEP_ALIVE => {}
                Err(_) => return Some(web::Bytes::from_static(b": keep-alive\n\n")),
                Ok(Ok(payload)) => return Some(web::Bytes::from(format!("event: claims\ndata: {payload}\n\n"))),
                Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                    return Some(web::Bytes::from(format!("event: claims\ndata: {}\n\n", LiveEvent::resync().to_json())));
                }
                Ok(Err(broadcast::error::RecvError::Closed)) => return None,
            }
        }
    }

    /// Whether the stream's session and user still stand; while the
    /// database cannot say, they do (the stream asks again later).
    async fn stands(&self) -> bool {
        match crate::auth::session_stands(&self.state, self.user, &self.session, crate::auth::Touch::No).await {
            Ok(user) => user.is_some(),
            Err(e) => {
                tracing::debug!(error = %e, "could not ask whether a live stream's session stands");
                true
            }
        }
    }
}
