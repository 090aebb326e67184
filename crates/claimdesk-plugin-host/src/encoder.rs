//! The desk profile's sentence encoder: the base encoder with the desk
//! model's fine-tuned top (`claimdesk_embed::Desk`), lent to plugins as
//! ABI v1.2 sentence vectors.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use claimdesk_embed::{DIMENSION, EmbedError, Encoder};

use crate::SentenceEncoder;

/// How much work checking does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// No encoder: the plugins' own linear models (fastest).
    Fast,
    /// The sentence encoder runs once per sentence and its vectors go to
    /// every plugin (check-worthiness and subjectivity use their heads).
    #[default]
    Desk,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Fast => "fast",
            Profile::Desk => "desk",
        }
    }
}

/// The encoder with its desk model, shared by every document.
pub struct DeskEncoder {
    encoder: Arc<Encoder>,
    id: String,
}

impl std::fmt::Debug for DeskEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskEncoder").field("id", &self.id).finish()
    }
}

impl DeskEncoder {
    /// Loads the base encoder from `base` and the desk model from `desk`
    /// (each defaulting to where claimdesk keeps it).
    pub fn load(base: Option<&Path>, desk: Option<&Path>) -> Result<DeskEncoder, EmbedError> {
        let base = base.map_or_else(claimdesk_embed::default_dir, Path::to_path_buf);
        let desk: PathBuf = desk.map_or_else(claimdesk_embed::default_desk_dir, Path::to_path_buf);
        let encoder = Encoder::load(&base)?.with_desk(&desk)?;
        let id = encoder.desk().map(|d| d.id.clone()).unwrap_or_default();
        Ok(DeskEncoder { encoder: Arc::new(encoder), id })
    }
}

impl SentenceEncoder for DeskEncoder {
    fn model(&self) -> &str {
        &self.id
    }

    fn dimension(&self) -> usize {
        DIMENSION
    }

    fn vectors(&self, sentences: &[&str]) -> Result<Vec<f32>, String> {
        let vectors = self.encoder.desk_vectors(sentences).map_err(|e| e.to_string())?;
        Ok(vectors.into_iter().flat_map(|e| e.vector).collect())
    }
}
