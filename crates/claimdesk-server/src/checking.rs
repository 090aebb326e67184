//! The plugin host the server checks documents with, and the desk's own
//! check-worthiness head (`claimdesk train --from-database`).
//!
//! The head lives in the database, so every node follows it: each node
//! looks every [`FOLLOW_EVERY`] (and at once after an admin switches back
//! on it) and, when the stored head differs from the one its host was made
//! with, makes a new host with it (through the loader `claimdesk serve`
//! gave) and swaps it in. Checks already running finish on the old host.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use claimdesk_plugin_host::PluginHost;
use claimdesk_store::{Store, StoreError};

/// How often a node looks for a new desk head.
pub const FOLLOW_EVERY: Duration = Duration::from_secs(30);

/// Makes a plugin host, with the desk's head text if it has one.
pub type HostLoader = Box<dyn Fn(Option<&str>) -> PluginHost + Send + Sync>;

pub struct Checking {
    current: RwLock<Arc<PluginHost>>,
    /// The desk head the current host was made with; `None`: the shipped one.
    head: Mutex<Option<String>>,
    load: HostLoader,
}

impl std::fmt::Debug for Checking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checking").field("host", &self.host()).field("desk_head", &self.desk_head_in_use()).finish()
    }
}

impl Checking {
    /// A host made by `load` with the shipped heads.
    pub fn new(load: HostLoader) -> Checking {
        let host = load(None);
        Checking { current: RwLock::new(Arc::new(host)), head: Mutex::new(None), load }
    }

    /// The host to check with now.
    pub fn host(&self) -> Arc<PluginHost> {
        self.current.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Whether the host scores with the desk's own check-worthiness head.
    pub fn desk_head_in_use(&self) -> bool {
        self.head.lock().unwrap_or_else(std::sync::PoisonError::into_inner).is_some()
    }

    /// Makes the host follow the head stored in `store`; says whether it
    /// changed.
    pub async fn follow(self: &Arc<Self>, store: &Store) -> Result<bool, StoreError> {
        let wanted = store.desk_head().await?.map(|h| h.head);
        if *self.head.lock().unwrap_or_else(std::sync::PoisonError::into_inner) == wanted {
            return Ok(false);
        }
        let this = Arc::clone(self);
        let text = wanted.clone();
        let Ok(host) = actix_web::web::block(move || (this.load)(text.as_deref())).await else {
            tracing::error!("making the plugin host with the desk's head failed; keeping the current one");
            return Ok(false);
        };
        *self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(host);
        let desk = wanted.is_some();
        *self.head.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = wanted;
        tracing::info!(desk_head = desk, "plugin host remade for the desk's check-worthiness head");
        Ok(true)
    }

    /// Follows the stored head every `every`, in the background.
    pub fn watch(self: &Arc<Self>, store: Store, every: Duration) {
        let this = Arc::clone(self);
        actix_web::rt::spawn(async move {
            loop {
                actix_web::rt::time::sleep(every).await;
                if let Err(error) = this.follow(&store).await {
                    tracing::warn!(%error, "cannot read the desk's head");
                }
            }
        });
    }
}

impl claimdesk_work::HostSource for Checking {
    fn host(&self) -> Arc<PluginHost> {
        Checking::host(self)
    }
}
