//! The fact-check library at run time: the encoder (or why it is off), the
//! in-memory vector index over the library, and hybrid search: lexical
//! candidates from the database's full-text index fused with the encoder's
//! cosine (`claimdesk_match::fusion`). Shared by the web UI, the API and
//! the CLI (`import fact-checks`, `match`, `eval --task matching`).
//!
//! Invariants:
//! - a missing or broken encoder turns matching off, with its reason kept
//!   for `/plugins` and start-up output; nothing else depends on it;
//! - encoding runs on blocking threads, never on the async executor;
//! - the index holds only vectors the database holds: items are added when
//!   their vector is stored and removed when they are deleted.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use claimdesk_embed::{Embedding, Encoder};
use claimdesk_match::{Candidate, FactCheck, Fusion, VectorIndex};
use claimdesk_store::{ClaimRow, ClaimVector, FactCheckRow, Store, StoreError, Upserted};

/// Components of a sentence vector.
pub const DIMENSION: usize = claimdesk_embed::DIMENSION;

/// The encoder's name, for start-up output and status pages.
pub const MODEL_NAME: &str = claimdesk_embed::MODEL_NAME;

/// Candidates taken from each side before fusing.
const CANDIDATES: usize = 100;
/// Library items encoded per round trip to the database.
const ENCODE_CHUNK: u64 = 256;
/// Claims encoded per round trip: small, so that the first claims of a
/// large backlog are matched soon.
const CLAIM_CHUNK: u64 = 64;

/// Why matching could not answer.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("matching is off: {0}")]
    Off(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the encoder failed: {0}")]
    Encoder(String),
}

/// One library item a text matched.
#[derive(Debug, Clone)]
pub struct Match {
    pub item: FactCheckRow,
    /// The encoder's cosine, -1..1.
    pub cosine: f32,
    /// The fused score the ranking used.
    pub score: f64,
    /// At least [`claimdesk_match::STRONG_COSINE`].
    pub strong: bool,
}

/// What a search found, and what the panel should warn about.
#[derive(Debug, Clone, Default)]
pub struct Matches {
    pub matches: Vec<Match>,
    /// The text was longer than the encoder reads; only its start counted.
    pub truncated: bool,
    /// Set when the text looks like another language than English, the
    /// encoder's: its name (matches are less reliable).
    pub foreign_language: Option<String>,
}

/// The encoder and the index; cheap to clone.
#[derive(Clone)]
pub struct Library {
    encoder: Result<Arc<Encoder>, String>,
    index: Arc<RwLock<VectorIndex>>,
    fusion: Fusion,
    /// The matcher ([`Library::wake`]): whether it runs, and whether it
    /// was woken again while it ran.
    running: Arc<AtomicBool>,
    pending: Arc<AtomicBool>,
    /// Off when `serve --no-inline-work` leaves matching to the workers.
    matches_here: Arc<AtomicBool>,
    /// A sign-bit shortlist of this many items for every search, however
    /// small the library (measuring only); `None`: the shipped search.
    shortlist: Option<usize>,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library").field("encoder", &self.encoder.as_ref().map(|_| "loaded")).finish()
    }
}

impl Library {
    /// Loads the encoder from `dir` (default: [`claimdesk_embed::default_dir`]).
    /// Never fails: a load error turns matching off and is kept.
    pub fn load(dir: Option<&Path>) -> Library {
        let dir = dir.map_or_else(claimdesk_embed::default_dir, Path::to_owned);
        let encoder = Encoder::load(&dir).map(Arc::new).map_err(|e| e.to_string());
        match &encoder {
            Ok(_) => tracing::info!(model = claimdesk_embed::MODEL_NAME, dir = %dir.display(), "sentence encoder loaded"),
            Err(reason) => tracing::warn!(%reason, "claim matching is off"),
        }
        Library::with_encoder(encoder)
    }

    fn with_encoder(encoder: Result<Arc<Encoder>, String>) -> Library {
        Library {
            encoder,
            index: Arc::new(RwLock::new(VectorIndex::new(DIMENSION))),
            fusion: claimdesk_match::DEFAULT,
            running: Arc::default(),
            pending: Arc::default(),
            matches_here: Arc::new(AtomicBool::new(true)),
            shortlist: None,
        }
    }

    /// A library whose encoder is off for `reason` (tests, `--no-matching`).
    pub fn off(reason: &str) -> Library {
        Library::with_encoder(Err(reason.to_owned()))
    }

    /// Sets how lexical and encoder scores are mixed (`claimdesk eval`).
    pub fn with_fusion(mut self, fusion: Fusion) -> Library {
        self.fusion = fusion;
        self
    }

    /// Searches always through a sign-bit shortlist of `items` items, however
    /// small the library (`claimdesk eval --shortlist N`, to measure what the
    /// shortlist loses). Set before [`Library::load_index`].
    pub fn with_shortlist(mut self, items: usize) -> Library {
        self.shortlist = Some(items);
        self.index = Arc::new(RwLock::new(self.empty_index()));
        self
    }

    fn empty_index(&self) -> VectorIndex {
        let index = VectorIndex::new(DIMENSION);
        match self.shortlist {
            Some(items) => index.with_exact_up_to(0).with_shortlist(items),
            None => index,
        }
    }

    /// `Err(reason)` when matching is off.
    pub fn status(&self) -> Result<(), &str> {
        self.encoder.as_ref().map(|_| ()).map_err(String::as_str)
    }

    pub(crate) fn encoder(&self) -> Result<Arc<Encoder>, LibraryError> {
        self.encoder.clone().map_err(LibraryError::Off)
    }

    /// Library items in the index.
    pub fn indexed(&self) -> usize {
        self.index.read().map_or(0, |i| i.len())
    }

    /// Leaves matching new claims and items to `claimdesk worker`: this
    /// process's matcher no longer runs (`serve --no-inline-work`); searches
    /// still encode here.
    pub fn match_in_workers(&self) {
        self.matches_here.store(false, Ordering::SeqCst);
    }

    /// Encodes `texts` for background work (the matcher): on the one
    /// background thread ([`background_pool`]), at low priority, so a bulk
    /// load never takes the cores requests need.
    async fn encode_in_background(&self, texts: Vec<String>) -> Result<Vec<Embedding>, LibraryError> {
        let encoder = self.encoder()?;
        actix_web::web::block(move || {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            match background_pool() {
                Some(pool) => pool.install(|| encoder.encode(&refs)),
                None => encoder.encode(&refs),
            }
        })
        .await
        .map_err(|e| LibraryError::Encoder(e.to_string()))?
        .map_err(|e| LibraryError::Encoder(e.to_string()))
    }

    /// Encodes `texts` on a blocking thread.
    pub async fn encode(&self, texts: Vec<String>) -> Result<Vec<Embedding>, LibraryError> {
        let encoder = self.encoder()?;
        actix_web::web::block(move || {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            encoder.encode(&refs)
        })
        .await
        .map_err(|e| LibraryError::Encoder(e.to_string()))?
        .map_err(|e| LibraryError::Encoder(e.to_string()))
    }

    /// Loads every stored vector into a fresh index and puts it in place
    /// of the current one (start-up, and when another process changed the
    /// library: [`Library::refresh_index`]).
    pub async fn load_index(&self, store: &Store) -> Result<usize, LibraryError> {
        let mut fresh = self.empty_index();
        let mut after = 0;
        loop {
            let page = store.fact_check_vectors(after, 10_000).await?;
            let Some(last) = page.last().map(|(id, _)| *id) else { break };
            for (id, bytes) in &page {
                if let Some(v) = claimdesk_embed::from_bytes(bytes) {
                    fresh.insert(*id, &v);
                }
            }
            after = last;
        }
        let len = fresh.len();
        if let Ok(mut index) = self.index.write() {
            *index = fresh;
        }
        Ok(len)
    }

    /// Reloads the index when the database holds another number of
    /// vectors than it does: items another process (`claimdesk import
    /// fact-checks`, another server node) encoded or deleted.
    pub async fn refresh_index(&self, store: &Store) -> Result<(), LibraryError> {
        let stored = usize::try_from(store.fact_check_vector_count().await?).unwrap_or(0);
        if stored != self.indexed() {
            let loaded = self.load_index(store).await?;
            tracing::info!(items = loaded, "library index reloaded");
        }
        Ok(())
    }

    /// Encodes library items that have no vector yet, stores their vectors,
    /// adds them to the index and re-matches open claims against them;
    /// returns how many. `progress` hears the running total.
    pub async fn encode_missing(&self, store: &Store, progress: &dyn Fn(usize)) -> Result<usize, LibraryError> {
        self.encoder()?;
        let mut done = 0;
        loop {
            let todo = store.fact_checks_without_vectors(ENCODE_CHUNK).await?;
            if todo.is_empty() {
                return Ok(done);
            }
            // The claim alone: cross-validation preferred it to claim + title (docs/DETECTION.md).
            let texts = todo.iter().map(|(_, claim)| claim.clone()).collect();
            let embeddings = self.encode_in_background(texts).await?;
            let vectors: Vec<(i64, Vec<u8>)> =
                todo.iter().zip(&embeddings).map(|((id, _), e)| (*id, claimdesk_embed::to_bytes(&e.vector))).collect();
            store.set_fact_check_vectors(&vectors).await?;
            let mut new_items = VectorIndex::new(DIMENSION);
            if let Ok(mut index) = self.index.write() {
                for ((id, _), e) in todo.iter().zip(&embeddings) {
                    index.insert(*id, &e.vector);
                    new_items.insert(*id, &e.vector);
                }
            }
            self.rematch_open_claims(store, &new_items).await?;
            done += todo.len();
            progress(done);
        }
    }

    /// Adds or updates imported items; their vectors are made by
    /// [`Library::encode_missing`].
    pub async fn import(&self, store: &Store, items: Vec<FactCheck>) -> Result<Upserted, LibraryError> {
        Ok(store.upsert_fact_checks(&items).await?)
    }

    /// Records, for every open claim closer to one of `new_items` than to
    /// its recorded closest item, that item: imports re-match the desk.
    async fn rematch_open_claims(&self, store: &Store, new_items: &VectorIndex) -> Result<usize, LibraryError> {
        let (mut after, mut changed) = (0, 0);
        loop {
            let page = store.open_claim_vectors(after, 1000).await?;
            let Some(last) = page.last().map(|(id, ..)| *id) else { return Ok(changed) };
            let closer: Vec<(i64, i64, f64)> = page
                .iter()
                .filter_map(|(claim, bytes, known)| {
                    let vector = claimdesk_embed::from_bytes(bytes)?;
                    let (item, cosine) = new_items.top(&vector, 1).pop()?;
                    (f64::from(cosine) > known.unwrap_or(f64::NEG_INFINITY)).then_some((*claim, item, f64::from(cosine)))
                })
                .collect();
            store.set_claim_matches(&closer).await?;
            changed += closer.len();
            after = last;
        }
    }

    /// Encodes claims that have no vector yet and records each one's
    /// closest library item (its own entry, for a published claim, left
    /// out); returns how many.
    pub async fn match_new_claims(&self, store: &Store) -> Result<usize, LibraryError> {
        self.encoder()?;
        let mut done = 0;
        loop {
            let todo = store.claims_without_vectors(CLAIM_CHUNK).await?;
            if todo.is_empty() {
                return Ok(done);
            }
            let embeddings = self.encode_in_background(todo.iter().map(|(_, text)| text.clone()).collect()).await?;
            self.store_claim_vectors(store, &todo, embeddings).await?;
            done += todo.len();
            // Between batches, whatever else waits on this worker goes first.
            tokio::task::yield_now().await;
        }
    }

    /// Encodes claim `id` now (a reader is waiting for it: the claim page
    /// of a claim the background matcher has not reached yet), records its
    /// vector and closest item as the matcher would, and returns the
    /// vector and whether the claim was cut.
    pub async fn match_claim_now(&self, store: &Store, id: i64, text: &str) -> Result<(Vec<f32>, bool), LibraryError> {
        self.encoder()?;
        let embeddings = self.encode(vec![text.to_owned()]).await?;
        let stored = embeddings.first().map(|e| (e.vector.clone(), e.truncated));
        self.store_claim_vectors(store, &[(id, text.to_owned())], embeddings).await?;
        stored.ok_or_else(|| LibraryError::Encoder("it returned no vector".to_owned()))
    }

    /// Stores the vectors of claims `todo` with each one's closest library
    /// item (its own entry, for a published claim, left out).
    async fn store_claim_vectors(&self, store: &Store, todo: &[(i64, String)], embeddings: Vec<Embedding>) -> Result<(), LibraryError> {
        let nearest: Vec<Vec<(i64, f32)>> = match self.index.read() {
            Ok(index) => embeddings.iter().map(|e| index.top(&e.vector, 2)).collect(),
            Err(_) => vec![Vec::new(); embeddings.len()],
        };
        let mut ids: Vec<i64> = nearest.iter().flatten().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        let owner: std::collections::HashMap<i64, Option<i64>> =
            store.fact_checks_by_id(&ids).await?.into_iter().map(|r| (r.id, r.claim_id)).collect();
        let rows: Vec<ClaimVector> = todo
            .iter()
            .zip(&embeddings)
            .zip(&nearest)
            .map(|(((claim, _), e), nearest)| {
                let best = nearest
                    .iter()
                    .find(|(item, _)| owner.get(item).copied().flatten() != Some(*claim))
                    .map(|(item, cosine)| (*item, f64::from(*cosine)));
                ClaimVector { claim_id: *claim, vector: claimdesk_embed::to_bytes(&e.vector), truncated: e.truncated, best }
            })
            .collect();
        store.set_claim_vectors(&rows).await?;
        Ok(())
    }

    /// One round of the matcher: follow other processes' changes to the
    /// library, encode new library items (re-matching open claims), then
    /// match new claims.
    async fn work(&self, store: &Store) -> Result<(), LibraryError> {
        self.refresh_index(store).await?;
        let items = self.encode_missing(store, &|_| {}).await?;
        let claims = self.match_new_claims(store).await?;
        if items + claims > 0 {
            tracing::info!(items, claims, "matcher encoded library items and claims");
        }
        Ok(())
    }

    /// Runs the matcher in the background, when matching is on (after an
    /// ingest, an import or a publication: the caller does not wait). One
    /// matcher runs at a time; waking it while it runs makes it go round
    /// once more.
    pub fn wake(&self, store: &Store) {
        if self.status().is_err() || !self.matches_here.load(Ordering::SeqCst) {
            return;
        }
        self.pending.store(true, Ordering::SeqCst);
        if self.running.swap(true, Ordering::SeqCst) {
            return;
        }
        let (library, store) = (self.clone(), store.clone());
        actix_web::rt::spawn(async move {
            loop {
                while library.pending.swap(false, Ordering::SeqCst) {
                    if let Err(e) = library.work(&store).await {
                        tracing::warn!(error = %e, "the matcher failed; it will try again");
                    }
                }
                library.running.store(false, Ordering::SeqCst);
                // Woken between the last round and now: go on if no other run took over.
                if !library.pending.load(Ordering::SeqCst) || library.running.swap(true, Ordering::SeqCst) {
                    break;
                }
            }
        });
    }

    /// Wakes the matcher every `every` (claims ingested and items imported
    /// by other processes are matched within that time).
    pub fn watch(&self, store: &Store, every: std::time::Duration) {
        if self.status().is_err() {
            return;
        }
        let (library, store) = (self.clone(), store.clone());
        actix_web::rt::spawn(async move {
            loop {
                library.wake(&store);
                actix_web::rt::time::sleep(every).await;
            }
        });
    }

    /// Removes `ids` from the index (their rows are gone).
    pub fn forget(&self, ids: &[i64]) {
        if let Ok(mut index) = self.index.write() {
            ids.iter().for_each(|id| index.remove(*id));
        }
    }

    /// The `top` library items closest to `text`. Empty or blank text finds
    /// nothing (and is no error).
    pub async fn search(&self, store: &Store, text: &str, top: usize) -> Result<Matches, LibraryError> {
        let text = text.trim();
        if text.is_empty() || top == 0 {
            return Ok(Matches::default());
        }
        let mut embedding = self.encode(vec![text.to_owned()]).await?;
        let Some(embedding) = embedding.pop() else { return Ok(Matches::default()) };
        self.search_vector(store, text, &embedding.vector, embedding.truncated, top).await
    }

    /// [`Library::search`] with `text`'s vector already made.
    async fn search_vector(&self, store: &Store, text: &str, vector: &[f32], truncated: bool, top: usize) -> Result<Matches, LibraryError> {
        let terms = claimdesk_match::query_terms(text);
        let lexical = store.lexical_candidates(&terms, CANDIDATES as u64).await?;
        let mut candidates: Vec<Candidate> = Vec::new();
        if let Ok(index) = self.index.read() {
            let nearest = index.top(vector, CANDIDATES);
            let floor = nearest.last().map_or(0.0, |(_, c)| *c);
            let lexical_of: std::collections::HashMap<i64, f64> = lexical.iter().copied().collect();
            for (item, cosine) in &nearest {
                candidates.push(Candidate { item: *item, lexical: lexical_of.get(item).copied(), cosine: *cosine });
            }
            let seen: std::collections::HashSet<i64> = nearest.iter().map(|(id, _)| *id).collect();
            for (item, score) in &lexical {
                if !seen.contains(item) {
                    let cosine = index.cosine(vector, *item).unwrap_or(floor);
                    candidates.push(Candidate { item: *item, lexical: Some(*score), cosine });
                }
            }
        }
        let fused = claimdesk_match::fuse(&candidates, self.fusion);
        let ids: Vec<i64> = fused.iter().take(top).map(|(c, _)| c.item).collect();
        let rows = store.fact_checks_by_id(&ids).await?;
        let by_id: std::collections::HashMap<i64, FactCheckRow> = rows.into_iter().map(|r| (r.id, r)).collect();
        let matches = fused
            .iter()
            .take(top)
            .filter_map(|(c, score)| {
                by_id.get(&c.item).map(|item| Match {
                    item: item.clone(),
                    cosine: c.cosine,
                    score: *score,
                    strong: c.cosine >= claimdesk_match::STRONG_COSINE,
                })
            })
            .collect();
        Ok(Matches { matches, truncated, foreign_language: foreign_language(text) })
    }

    /// The `top` library items closest to `claim`, leaving out the claim's
    /// own entry (a published claim is no earlier check of itself). Uses
    /// the claim's stored vector when the matcher has made it.
    pub async fn claim_matches(&self, store: &Store, claim: &ClaimRow, top: usize) -> Result<Matches, LibraryError> {
        self.encoder()?;
        let stored = Self::stored_vector(store, claim.id).await?;
        self.claim_matches_with(store, claim, stored.as_ref(), top).await
    }

    /// Claim `id`'s vector as the matcher stored it, and whether the claim
    /// was longer than the encoder reads.
    pub async fn stored_vector(store: &Store, id: i64) -> Result<Option<(Vec<f32>, bool)>, LibraryError> {
        Ok(store.claim_vector(id).await?.and_then(|(bytes, cut)| Some((claimdesk_embed::from_bytes(&bytes)?, cut))))
    }

    /// [`Library::claim_matches`] with the claim's stored vector already read.
    pub async fn claim_matches_with(
        &self,
        store: &Store,
        claim: &ClaimRow,
        stored: Option<&(Vec<f32>, bool)>,
        top: usize,
    ) -> Result<Matches, LibraryError> {
        self.encoder()?;
        let mut found = match stored {
            Some((vector, truncated)) => self.search_vector(store, claim.text.trim(), vector, *truncated, top + 1).await?,
            None => self.search(store, &claim.text, top + 1).await?,
        };
        found.matches.retain(|m| m.item.claim_id != Some(claim.id));
        found.matches.truncate(top);
        Ok(found)
    }
}

/// The language `text` is reliably written in, when it is not English.
pub fn foreign_language(text: &str) -> Option<String> {
    let info = whatlang::detect(text)?;
    (info.is_reliable() && info.lang() != whatlang::Lang::Eng).then(|| info.lang().eng_name().to_owned())
}

/// The library key of claimdesk's own published claim `id`.
pub fn own_key(id: i64) -> String {
    format!("claimdesk:claim:{id}")
}

/// Keeps claim `id`'s entry in the library in step with it: a published
/// claim is there with its verdict and short form (its vector made in the
/// background), any other is not.
pub(crate) async fn sync_own_claim(state: &crate::AppState, id: i64, policy: &claimdesk_core::Policy) -> Result<(), LibraryError> {
    let claim = state.store.claim(id).await?;
    let key = own_key(id);
    if claim.status != claimdesk_core::Status::Published {
        if let Some(gone) = state.store.delete_fact_check(&key).await? {
            state.library.forget(&[gone]);
        }
        return Ok(());
    }
    let rating_label = claim.verdict.as_deref().map(|v| policy.scale.get(v).map_or_else(|| v.to_owned(), |r| r.label.clone()));
    let text = claim.claim_reviewed.clone().unwrap_or_else(|| claimdesk_core::default_short_form(&claim.text).text);
    let published = time::OffsetDateTime::from_unix_timestamp(claim.updated_at).ok().map(|t| t.date().to_string());
    let item = FactCheck {
        source_key: key,
        claim: text,
        title: None,
        rating_label,
        rating_value: None,
        url: None,
        publisher: None,
        published,
        language: None,
        claim_id: Some(id),
    };
    state.store.upsert_fact_checks(&[item]).await?;
    state.library.wake(&state.store);
    Ok(())
}

/// Background encoding's one thread, at the lowest scheduling priority
/// (nice 19): the matcher encodes there, one capped batch at a time
/// ([`CLAIM_CHUNK`] claims), so that with a bulk load pending requests
/// still get the cores (docs/PERFORMANCE.md measures the queue's latency
/// while 100,000 claims are encoded). The encoder's matrix products run
/// on this one-thread pool too, instead of every core. `None` if the
/// thread cannot be made (the caller then encodes where it is).
fn background_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "claimdesk-background".to_owned())
            .start_handler(|_| lower_priority())
            .build()
            .map_err(|e| tracing::warn!(error = %e, "no background thread: the matcher encodes on the blocking pool"))
            .ok()
    })
    .as_ref()
}

/// Lowers the calling thread's scheduling priority to nice 19 (on Linux,
/// nice is per thread).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: `gettid` and `setpriority` take plain integers and touch no
    // memory of ours; a failure only leaves the priority as it was.
    unsafe {
        let tid = libc::gettid();
        if libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19) != 0 {
            tracing::warn!("the background thread keeps its priority");
        }
    }
}
