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
mod desk;
pub mod tune;

use std::path::{Path, PathBuf};

use bert::{Bert, Config, attention_bias};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
pub use desk::{Desk, DeskInfo};
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
    config: Config,
    tokenizer: Tokenizer,
    device: Device,
    weights: PathBuf,
    desk: Option<Desk>,
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
    installed("all-minilm-l6-v2", WEIGHTS)
}

/// Where the desk model ([`Desk`]) is looked for when no directory is
/// given: `models/desk`, beside the executable, then in the source tree.
pub fn default_desk_dir() -> PathBuf {
    installed("desk", desk::DESK_INFO)
}

fn installed(name: &str, marker: &str) -> PathBuf {
    let relative = Path::new("models").join(name);
    if let Some(beside) =
        std::env::current_exe().ok().and_then(|exe| exe.parent().map(|dir| dir.join(&relative))).filter(|dir| dir.join(marker).is_file())
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
        Ok(Encoder { model, config, tokenizer, device, weights: weights_path, desk: None })
    }

    /// This encoder with the fine-tuned top of `dir` (see [`Desk`]), which
    /// [`Encoder::desk_vectors`] runs.
    pub fn with_desk(mut self, dir: &Path) -> Result<Encoder, EmbedError> {
        self.desk = Some(Desk::load(dir, &self.config, self.model.depth())?);
        Ok(self)
    }

    /// The fine-tuned top loaded, if any.
    pub fn desk(&self) -> Option<&DeskInfo> {
        self.desk.as_ref().map(Desk::info)
    }

    /// Encodes `texts`, [`BATCH`] at a time (fewer when long: see
    /// [`BATCH_TOKENS`]), in order. Texts are grouped by
    /// length first so that a batch pads little.
    pub fn encode(&self, texts: &[&str]) -> Result<Vec<Embedding>, EmbedError> {
        self.batched(texts, |batch| self.encode_batch(batch))
    }

    /// The desk vector of each text: the mean of the fine-tuned top's
    /// hidden states over its tokens (not normalised: the detectors' heads
    /// read it as it is). An error if no desk is loaded.
    pub fn desk_vectors(&self, texts: &[&str]) -> Result<Vec<Embedding>, EmbedError> {
        let desk = self.desk.as_ref().ok_or_else(|| inference("no fine-tuned desk model is loaded"))?;
        self.batched(texts, |batch| {
            let (ids, mask, truncated) = self.tokenize(batch)?;
            let bias = attention_bias(&mask).map_err(inference)?;
            let shared = self.model.forward(&ids, &bias, desk.info().shared).map_err(inference)?;
            let hidden = desk.forward(&shared, &bias).map_err(inference)?;
            let rows = mean_pool(&hidden, &mask)?;
            Ok(rows.into_iter().zip(truncated).map(|(vector, truncated)| Embedding { vector, truncated }).collect())
        })
    }

    /// The hidden states of each text after the first `layers` layers,
    /// padding removed: `(tokens, hidden)` per text (what fine-tuning the
    /// layers above starts from, computed once).
    pub fn hidden_states(&self, texts: &[&str], layers: usize) -> Result<Vec<Tensor>, EmbedError> {
        let mut out = Vec::with_capacity(texts.len());
        let mut pending: Vec<Option<Tensor>> = vec![None; texts.len()];
        let order = self.chunks(texts);
        for chunk in order {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
            let (ids, mask, _) = self.tokenize(&batch)?;
            let bias = attention_bias(&mask).map_err(inference)?;
            let hidden = self.model.forward(&ids, &bias, layers).map_err(inference)?;
            let lengths: Vec<u32> = mask.sum(1).and_then(|m| m.to_vec1()).map_err(inference)?;
            for (row, (&i, length)) in chunk.iter().zip(lengths).enumerate() {
                let state = hidden.get(row).and_then(|h| h.narrow(0, 0, length as usize)).and_then(|h| h.contiguous());
                pending[i] = Some(state.map_err(inference)?);
            }
        }
        for state in pending {
            out.push(state.ok_or_else(|| inference("a text was left unencoded"))?);
        }
        Ok(out)
    }

    /// Runs `run` over `texts` in length-sorted batches and puts the
    /// results back in order.
    fn batched(&self, texts: &[&str], run: impl Fn(&[&str]) -> Result<Vec<Embedding>, EmbedError>) -> Result<Vec<Embedding>, EmbedError> {
        let mut out: Vec<Option<Embedding>> = vec![None; texts.len()];
        for chunk in self.chunks(texts) {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
            for (&i, embedding) in chunk.iter().zip(run(&batch)?) {
                out[i] = Some(embedding);
            }
        }
        out.into_iter().map(|e| e.ok_or_else(|| inference("a text was left unencoded"))).collect()
    }

    /// The batches `texts` run in, as indices: grouped by length so that a
    /// batch pads little, at most [`BATCH`] texts and about
    /// [`BATCH_TOKENS`] padded word pieces each.
    fn chunks(&self, texts: &[&str]) -> Vec<Vec<usize>> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        // Sorted by length, the last text of a batch is its widest.
        let pieces = |i: usize| (texts[i].len() / 4 + 2).min(MAX_TOKENS);
        let mut chunks = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let mut end = start + 1;
            while end < order.len() && end - start < BATCH && (end + 1 - start) * pieces(order[end]) <= BATCH_TOKENS {
                end += 1;
            }
            chunks.push(order[start..end].to_vec());
            start = end;
        }
        chunks
    }

    /// Encodes one text.
    pub fn encode_one(&self, text: &str) -> Result<Embedding, EmbedError> {
        self.encode(&[text])?.pop().ok_or_else(|| inference("no vector came back"))
    }

    /// Token ids and attention mask `(batch, length)` of `texts`, padded to
    /// the longest, and which were cut at [`MAX_TOKENS`].
    fn tokenize(&self, texts: &[&str]) -> Result<(Tensor, Tensor, Vec<bool>), EmbedError> {
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
        Ok((ids, mask, truncated))
    }

    fn encode_batch(&self, texts: &[&str]) -> Result<Vec<Embedding>, EmbedError> {
        let (ids, mask, truncated) = self.tokenize(texts)?;
        let bias = attention_bias(&mask).map_err(inference)?;
        let hidden = self.model.forward(&ids, &bias, self.model.depth()).map_err(inference)?;
        // Mean over the real tokens, then unit length.
        let rows = mean_pool(&hidden, &mask)?;
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

/// The mean of `hidden` `(batch, length, hidden)` over the tokens `mask`
/// marks, one row per text.
fn mean_pool(hidden: &Tensor, mask: &Tensor) -> Result<Vec<Vec<f32>>, EmbedError> {
    let mask = mask.to_dtype(DType::F32).and_then(|m| m.unsqueeze(2)).map_err(inference)?;
    let summed = hidden.broadcast_mul(&mask).and_then(|h| h.sum(1)).map_err(inference)?;
    let counts = mask.sum(1).and_then(|c| c.clamp(1e-9, f64::INFINITY)).map_err(inference)?;
    summed.broadcast_div(&counts).and_then(|m| m.to_vec2()).map_err(inference)
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
