//! A sentence encoder: all-MiniLM-L6-v2 (a BERT, `bert.rs`, on candle), with mean
//! pooling over the real tokens and L2 normalisation, as
//! sentence-transformers computes it.
//!
//! Invariants:
//! - Every vector [`Encoder::encode`] returns has [`DIMENSION`] components
//!   and unit length (or is all zeros for a text with no tokens), so the
//!   cosine of two is their dot product ([`dot`]).
//! - A text longer than [`MAX_TOKENS`] word pieces is cut to its first
//!   ones and its [`Embedding::truncated`] says so; nothing else is lost
//!   silently.
//! - The weights are read from a directory ([`Encoder::load`]); nothing is
//!   downloaded. A missing or corrupt file is an [`EmbedError`] naming the
//!   file, never a panic: the caller turns matching off and says why.
//! - The result does not depend on how texts are batched: each batch is
//!   padded to its longest text and padding is masked out of attention and
//!   pooling.

mod bert;

use std::path::{Path, PathBuf};

use bert::{Bert, Config};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// Components in one sentence vector.
pub const DIMENSION: usize = 384;
/// Word pieces the model reads, `[CLS]` and `[SEP]` included; the rest of a
/// longer text is cut (sentence-transformers' `max_seq_length` for this model).
pub const MAX_TOKENS: usize = 256;
/// Texts run through the model together, at most.
pub const BATCH: usize = 32;
/// Padded word pieces in one batch, at most (estimated at four bytes a
/// piece): long texts go fewer at a time, so that attention's
/// batch × heads × length² scores stay small (32 texts of 256 pieces would
/// need 100 MB per score tensor; this bound keeps it near 25 MB).
pub const BATCH_TOKENS: usize = 2048;
/// The model's name, as reports and the status page show it.
pub const MODEL_NAME: &str = "all-MiniLM-L6-v2";

/// The files a model directory holds.
const WEIGHTS: &str = "model.safetensors";
const TOKENIZER: &str = "tokenizer.json";
const CONFIG: &str = "config.json";

/// What went wrong loading or running the encoder.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("the encoder's file {path} is missing: {source}")]
    Missing { path: PathBuf, source: std::io::Error },
    #[error("the encoder's file {path} is not usable: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error("the encoder failed: {0}")]
    Inference(String),
}

impl EmbedError {
    /// A stable name for the kind of failure.
    pub fn kind(&self) -> &'static str {
        match self {
            EmbedError::Missing { .. } => "missing",
            EmbedError::Corrupt { .. } => "corrupt",
            EmbedError::Inference(_) => "inference",
        }
    }
}

fn inference(err: impl std::fmt::Display) -> EmbedError {
    EmbedError::Inference(err.to_string())
}

/// One text's vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Embedding {
    /// Unit length, [`DIMENSION`] components; all zeros for an empty text.
    pub vector: Vec<f32>,
    /// The text had more than [`MAX_TOKENS`] word pieces and was cut.
    pub truncated: bool,
}

/// The loaded model and its tokenizer. Cheap to share behind an `Arc`;
/// [`Encoder::encode`] takes `&self` and may run on several threads at once.
pub struct Encoder {
    model: Bert,
    tokenizer: Tokenizer,
    device: Device,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder").field("model", &MODEL_NAME).finish()
    }
}

/// Where the weights are looked for when no directory is given: beside the
/// executable (`models/all-minilm-l6-v2`, as an installation lays them
/// out), then in the source tree the binary was built from.
pub fn default_dir() -> PathBuf {
    let relative = Path::new("models").join("all-minilm-l6-v2");
    if let Some(beside) =
        std::env::current_exe().ok().and_then(|exe| exe.parent().map(|dir| dir.join(&relative))).filter(|dir| dir.join(WEIGHTS).is_file())
    {
        return beside;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..").join(relative)
}

fn read(path: &Path) -> Result<Vec<u8>, EmbedError> {
    std::fs::read(path).map_err(|source| EmbedError::Missing { path: path.to_owned(), source })
}

fn corrupt(path: &Path, reason: impl std::fmt::Display) -> EmbedError {
    EmbedError::Corrupt { path: path.to_owned(), reason: reason.to_string() }
}

impl Encoder {
    /// Loads the model from `dir` (`model.safetensors`, `tokenizer.json`,
    /// `config.json`); weights stored in f16 are widened to f32.
    pub fn load(dir: &Path) -> Result<Encoder, EmbedError> {
        let config_path = dir.join(CONFIG);
        let config: Config = serde_json::from_slice(&read(&config_path)?).map_err(|e| corrupt(&config_path, e))?;
        if config.hidden_size != DIMENSION {
            return Err(corrupt(&config_path, format!("hidden size {} is not {DIMENSION}", config.hidden_size)));
        }
        let tokenizer_path = dir.join(TOKENIZER);
        let mut tokenizer = Tokenizer::from_bytes(read(&tokenizer_path)?).map_err(|e| corrupt(&tokenizer_path, e))?;
        tokenizer.with_padding(Some(PaddingParams { strategy: PaddingStrategy::BatchLongest, ..PaddingParams::default() }));
        tokenizer
            .with_truncation(Some(TruncationParams { max_length: MAX_TOKENS, ..TruncationParams::default() }))
            .map_err(|e| corrupt(&tokenizer_path, e))?;
        let weights_path = dir.join(WEIGHTS);
        let device = Device::Cpu;
        let vb = VarBuilder::from_buffered_safetensors(read(&weights_path)?, DType::F32, &device).map_err(|e| corrupt(&weights_path, e))?;
        let model = Bert::load(vb, &config).map_err(|e| corrupt(&weights_path, e))?;
        Ok(Encoder { model, tokenizer, device })
    }

    /// Encodes `texts`, [`BATCH`] at a time (fewer when long: see
    /// [`BATCH_TOKENS`]), in order. Texts are grouped by
    /// length first so that a batch pads little.
    pub fn encode(&self, texts: &[&str]) -> Result<Vec<Embedding>, EmbedError> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let mut out: Vec<Option<Embedding>> = vec![None; texts.len()];
        // Sorted by length, the last text of a batch is its widest.
        let pieces = |i: usize| (texts[i].len() / 4 + 2).min(MAX_TOKENS);
        let mut chunks: Vec<&[usize]> = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let mut end = start + 1;
            while end < order.len() && end - start < BATCH && (end + 1 - start) * pieces(order[end]) <= BATCH_TOKENS {
                end += 1;
            }
            chunks.push(&order[start..end]);
            start = end;
        }
        for chunk in chunks {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
            for (&i, embedding) in chunk.iter().zip(self.encode_batch(&batch)?) {
                out[i] = Some(embedding);
            }
        }
        out.into_iter().map(|e| e.ok_or_else(|| inference("a text was left unencoded"))).collect()
    }

    /// Encodes one text.
    pub fn encode_one(&self, text: &str) -> Result<Embedding, EmbedError> {
        self.encode(&[text])?.pop().ok_or_else(|| inference("no vector came back"))
    }

    fn encode_batch(&self, texts: &[&str]) -> Result<Vec<Embedding>, EmbedError> {
        let encodings = self.tokenizer.encode_batch(texts.to_vec(), true).map_err(inference)?;
        let width = encodings.first().map_or(0, |e| e.get_ids().len());
        let mut ids = Vec::with_capacity(texts.len() * width);
        let mut mask = Vec::with_capacity(texts.len() * width);
        let mut truncated = Vec::with_capacity(texts.len());
        for encoding in &encodings {
            ids.extend_from_slice(encoding.get_ids());
            mask.extend_from_slice(encoding.get_attention_mask());
            truncated.push(!encoding.get_overflowing().is_empty());
        }
        let shape = (texts.len(), width);
        let ids = Tensor::from_vec(ids, shape, &self.device).map_err(inference)?;
        let mask = Tensor::from_vec(mask, shape, &self.device).map_err(inference)?;
        let hidden = self.model.forward(&ids, &mask).map_err(inference)?;
        // Mean over the real tokens, then unit length.
        let mask = mask.to_dtype(DType::F32).and_then(|m| m.unsqueeze(2)).map_err(inference)?;
        let summed = hidden.broadcast_mul(&mask).and_then(|h| h.sum(1)).map_err(inference)?;
        let counts = mask.sum(1).and_then(|c| c.clamp(1e-9, f64::INFINITY)).map_err(inference)?;
        let mean = summed.broadcast_div(&counts).map_err(inference)?;
        let rows: Vec<Vec<f32>> = mean.to_vec2().map_err(inference)?;
        Ok(rows
            .into_iter()
            .zip(truncated)
            .map(|(mut vector, truncated)| {
                normalize(&mut vector);
                Embedding { vector, truncated }
            })
            .collect())
    }
}

/// Scales `v` to unit length; a zero vector stays zero.
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// The dot product: the cosine of two unit vectors.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A vector as stored in a database column: little-endian f32s.
pub fn to_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Reads a stored vector back; `None` if the bytes are not [`DIMENSION`]
/// little-endian f32s.
pub fn from_bytes(bytes: &[u8]) -> Option<Vec<f32>> {
    if bytes.len() != DIMENSION * 4 {
        return None;
    }
    Some(bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
}
