//! The desk model: the encoder's top layers fine-tuned for the desk's
//! detectors (check-worthiness, subjectivity), stored apart from the base
//! encoder and run on top of its lower layers.
//!
//! A desk directory holds `desk.json` ([`DeskInfo`]) and
//! `desk.safetensors`: only the layers from `shared` up, under their
//! Hugging Face names, in f16. The layers below `shared` are the base
//! encoder's, so every task built on this model shares them, and the
//! sentence's work below `shared` is done once.

use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use serde::{Deserialize, Serialize};

use crate::bert::{Config, Layer};
use crate::{EmbedError, corrupt, read};

/// The file names in a desk directory.
pub const DESK_WEIGHTS: &str = "desk.safetensors";
pub const DESK_INFO: &str = "desk.json";

/// What `desk.json` says about a desk model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeskInfo {
    /// Names the weights: heads trained on this model's vectors carry the
    /// same id, and a plugin uses its head only on vectors of that id.
    pub id: String,
    /// The base encoder it was tuned from ([`crate::MODEL_NAME`]).
    pub base: String,
    /// Layers of the base encoder run below the tuned ones.
    pub shared: usize,
    /// The tasks whose heads were trained with it.
    pub tasks: Vec<String>,
    /// How it was trained (the command and its settings), for the record.
    pub trained: String,
}

/// A loaded desk model: the tuned layers.
pub struct Desk {
    info: DeskInfo,
    layers: Vec<Layer>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").field("info", &self.info).field("layers", &self.layers.len()).finish()
    }
}

impl Desk {
    /// Loads `dir`; `depth` is the base encoder's number of layers.
    pub fn load(dir: &Path, config: &Config, depth: usize) -> Result<Desk, EmbedError> {
        let info_path = dir.join(DESK_INFO);
        let info: DeskInfo = serde_json::from_slice(&read(&info_path)?).map_err(|e| corrupt(&info_path, e))?;
        if info.base != crate::MODEL_NAME {
            return Err(corrupt(&info_path, format!("tuned from {}, not {}", info.base, crate::MODEL_NAME)));
        }
        if info.shared >= depth {
            return Err(corrupt(&info_path, format!("{} shared layers leave none of {depth} to tune", info.shared)));
        }
        let weights_path = dir.join(DESK_WEIGHTS);
        let vb =
            VarBuilder::from_buffered_safetensors(read(&weights_path)?, DType::F32, &Device::Cpu).map_err(|e| corrupt(&weights_path, e))?;
        let layers = (info.shared..depth).map(|i| Layer::load(&vb, config, i)).collect::<candle_core::Result<Vec<_>>>();
        Ok(Desk { info, layers: layers.map_err(|e| corrupt(&weights_path, e))? })
    }

    pub fn info(&self) -> &DeskInfo {
        &self.info
    }

    /// Runs the tuned layers on the base encoder's hidden states after
    /// `shared` layers.
    pub fn forward(&self, x: &Tensor, bias: &Tensor) -> candle_core::Result<Tensor> {
        self.layers.iter().try_fold(x.clone(), |x, layer| layer.forward(&x, bias, None))
    }
}
