//! Fine-tuning the encoder's top layers with one classification head per
//! task, on a CPU (candle-nn's `VarMap` and `AdamW`).
//!
//! The layers below `shared` stay frozen, so their hidden states are
//! computed once per sentence ([`crate::Encoder::hidden_states`]) and every
//! epoch, fold and task reuses them; only the layers above and the heads
//! learn. The tasks share the tuned layers (one desk vector per sentence
//! serves every detector) and each has its own linear head on the mean of
//! the top layer's hidden states. Training is repeatable: shuffling and
//! dropout draw from one seeded generator.

use std::collections::HashMap;
use std::path::Path;

pub use candle_core::Tensor;
use candle_core::{D, DType, Device, Var};
use candle_nn::{AdamW, Linear, Module, Optimizer, ParamsAdamW, VarBuilder, VarMap};

use crate::bert::{Dropout, FUSED, Layer, attention_bias};
use crate::desk::{DESK_INFO, DESK_WEIGHTS, DeskInfo};
use crate::{EmbedError, Encoder, inference};

/// How a fine-tuning run goes.
#[derive(Debug, Clone, PartialEq)]
pub struct TuneOptions {
    /// Base layers kept frozen below the tuned ones.
    pub shared: usize,
    pub epochs: usize,
    /// AdamW's peak rate (after a warm-up over the first tenth of the
    /// steps, it falls linearly to zero).
    pub learning_rate: f64,
    pub weight_decay: f64,
    /// Sentences per step.
    pub batch: usize,
    pub dropout: f32,
    pub seed: u64,
}

impl Default for TuneOptions {
    fn default() -> Self {
        TuneOptions { shared: 2, epochs: 2, learning_rate: 1e-4, weight_decay: 0.01, batch: 32, dropout: 0.1, seed: 13 }
    }
}

/// One task's sentences: frozen hidden states and labels.
pub struct TaskData<'a> {
    pub name: &'a str,
    /// `(tokens, hidden)` per sentence, from [`Encoder::hidden_states`]
    /// with `shared` layers.
    pub states: &'a [Tensor],
    pub labels: &'a [bool],
    /// Sentences (indices) to train on.
    pub train: Vec<usize>,
    /// How many times each is seen per epoch (a small task beside a large
    /// one gets more than 1).
    pub repeat: usize,
}

impl std::fmt::Debug for TaskData<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskData")
            .field("name", &self.name)
            .field("sentences", &self.states.len())
            .field("train", &self.train.len())
            .finish()
    }
}

/// The tuned layers and heads while they learn.
pub struct Tuned {
    varmap: VarMap,
    layers: Vec<Layer>,
    heads: Vec<Linear>,
    shared: usize,
    hidden: usize,
}

impl std::fmt::Debug for Tuned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tuned").field("shared", &self.shared).field("heads", &self.heads.len()).finish()
    }
}

fn candle(err: candle_core::Error) -> EmbedError {
    inference(err)
}

impl Encoder {
    /// A tuning run's starting point: the base encoder's layers from
    /// `shared` up, as variables, and `tasks` fresh heads.
    pub fn start_tuning(&self, shared: usize, tasks: usize, seed: u64) -> Result<Tuned, EmbedError> {
        let depth = self.model.depth();
        if shared >= depth {
            return Err(inference(format!("{shared} shared layers leave none of {depth} to tune")));
        }
        let base = candle_core::safetensors::load(&self.weights, &Device::Cpu).map_err(candle)?;
        let get = |name: &str| -> Result<Tensor, EmbedError> {
            base.get(name).ok_or_else(|| inference(format!("the encoder has no tensor {name}")))?.to_dtype(DType::F32).map_err(candle)
        };
        let varmap = VarMap::new();
        {
            let mut vars = varmap.data().lock().map_err(|_| inference("the variable map is poisoned"))?;
            for i in shared..depth {
                let prefix = format!("encoder.layer.{i}");
                for suffix in ["weight", "bias"] {
                    let parts = ["query", "key", "value"]
                        .iter()
                        .map(|p| get(&format!("{prefix}.attention.self.{p}.{suffix}")))
                        .collect::<Result<Vec<_>, _>>()?;
                    let fused = Tensor::cat(&parts, 0).map_err(candle)?;
                    vars.insert(format!("{prefix}.attention.self.{FUSED}.{suffix}"), Var::from_tensor(&fused).map_err(candle)?);
                }
                for part in
                    ["attention.output.dense", "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"]
                {
                    for suffix in ["weight", "bias"] {
                        let name = format!("{prefix}.{part}.{suffix}");
                        vars.insert(name.clone(), Var::from_tensor(&get(&name)?).map_err(candle)?);
                    }
                }
            }
            let mut rng = fastrand::Rng::with_seed(seed);
            let hidden = self.config.hidden_size;
            for t in 0..tasks {
                let weight: Vec<f32> = (0..hidden).map(|_| (rng.f32() - 0.5) * 0.04).collect();
                let weight = Tensor::from_vec(weight, (1, hidden), &Device::Cpu).map_err(candle)?;
                vars.insert(format!("head.{t}.weight"), Var::from_tensor(&weight).map_err(candle)?);
                vars.insert(format!("head.{t}.bias"), Var::zeros(1, DType::F32, &Device::Cpu).map_err(candle)?);
            }
        }
        let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
        let layers = (shared..depth).map(|i| Layer::load_fused(&vb, &self.config, i)).collect::<candle_core::Result<Vec<_>>>();
        let heads = (0..tasks)
            .map(|t| {
                let p = vb.pp(format!("head.{t}"));
                Ok(Linear::new(p.get((1, self.config.hidden_size), "weight")?, Some(p.get(1, "bias")?)))
            })
            .collect::<candle_core::Result<Vec<_>>>();
        Ok(Tuned { varmap, layers: layers.map_err(candle)?, heads: heads.map_err(candle)?, shared, hidden: self.config.hidden_size })
    }
}

/// Pads `states` to one batch: hidden states `(batch, length, hidden)` and
/// the mask `(batch, length)`.
fn batch_of(states: &[&Tensor], hidden: usize) -> candle_core::Result<(Tensor, Tensor)> {
    let length = states.iter().map(|s| s.dim(0)).collect::<candle_core::Result<Vec<_>>>()?.into_iter().max().unwrap_or(1).max(1);
    let mut rows = Vec::with_capacity(states.len());
    let mut mask = Vec::with_capacity(states.len() * length);
    for state in states {
        let n = state.dim(0)?;
        rows.push(if n < length { state.pad_with_zeros(0, 0, length - n)? } else { (*state).clone() });
        mask.extend((0..length).map(|i| u32::from(i < n)));
    }
    let x = if rows.is_empty() { Tensor::zeros((0, length, hidden), DType::F32, &Device::Cpu)? } else { Tensor::stack(&rows, 0)? };
    Ok((x, Tensor::from_vec(mask, (states.len(), length), &Device::Cpu)?))
}

impl Tuned {
    /// The mean of the top layer's hidden states per sentence `(batch,
    /// hidden)`, with dropout while training.
    fn pooled(&self, states: &[&Tensor], mut dropout: Option<&mut Dropout>) -> candle_core::Result<Tensor> {
        let (mut x, mask) = batch_of(states, self.hidden)?;
        let bias = attention_bias(&mask)?;
        for layer in &self.layers {
            x = layer.forward(&x, &bias, dropout.as_deref_mut())?;
        }
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let pooled = x.broadcast_mul(&mask)?.sum(1)?.broadcast_div(&mask.sum(1)?.clamp(1e-9, f64::INFINITY)?)?;
        match dropout {
            Some(dropout) => dropout.apply(&pooled),
            None => Ok(pooled),
        }
    }

    /// Trains on `tasks` (in the order of the heads) for `options.epochs`;
    /// `progress` hears `(epoch, mean loss)` after each epoch.
    pub fn train(&mut self, tasks: &[TaskData<'_>], options: &TuneOptions, mut progress: impl FnMut(usize, f32)) -> Result<(), EmbedError> {
        let mut rng = fastrand::Rng::with_seed(options.seed);
        let mut dropout = Dropout { rate: options.dropout, rng: fastrand::Rng::with_seed(options.seed.wrapping_add(1)) };
        let params = ParamsAdamW { lr: options.learning_rate, weight_decay: options.weight_decay, ..ParamsAdamW::default() };
        let mut optimizer = AdamW::new(self.varmap.all_vars(), params).map_err(candle)?;
        let batch = options.batch.max(1);
        let steps_per_epoch: usize = tasks.iter().map(|t| (t.train.len() * t.repeat).div_ceil(batch)).sum::<usize>() + tasks.len();
        let total = (steps_per_epoch * options.epochs).max(1);
        let warmup = (total / 10).max(1);
        let mut step = 0;
        for epoch in 0..options.epochs {
            // Batches of one task each, of sentences of similar length, in random order.
            let mut batches: Vec<(usize, Vec<usize>)> = Vec::new();
            for (t, task) in tasks.iter().enumerate() {
                let mut order: Vec<usize> = (0..task.repeat).flat_map(|_| task.train.iter().copied()).collect();
                rng.shuffle(&mut order);
                for group in order.chunks(batch * 50) {
                    let mut group = group.to_vec();
                    group.sort_by_key(|&i| task.states[i].dim(0).unwrap_or(0));
                    batches.extend(group.chunks(batch).map(|c| (t, c.to_vec())));
                }
            }
            rng.shuffle(&mut batches);
            let (mut loss_sum, mut seen) = (0.0f32, 0usize);
            for (t, indices) in &batches {
                let task = &tasks[*t];
                let rate = if step < warmup { step as f64 / warmup as f64 } else { (total - step) as f64 / (total - warmup).max(1) as f64 };
                optimizer.set_learning_rate(options.learning_rate * rate.max(0.0));
                step += 1;
                let states: Vec<&Tensor> = indices.iter().map(|&i| &task.states[i]).collect();
                let targets: Vec<f32> = indices.iter().map(|&i| f32::from(u8::from(task.labels[i]))).collect();
                let pooled = self.pooled(&states, Some(&mut dropout)).map_err(candle)?;
                let logits = self.heads[*t].forward(&pooled).and_then(|l| l.squeeze(D::Minus1)).map_err(candle)?;
                let targets = Tensor::from_vec(targets, indices.len(), &Device::Cpu).map_err(candle)?;
                let loss = candle_nn::loss::binary_cross_entropy_with_logit(&logits, &targets).map_err(candle)?;
                optimizer.backward_step(&loss).map_err(candle)?;
                loss_sum += loss.to_scalar::<f32>().map_err(candle)? * indices.len() as f32;
                seen += indices.len();
            }
            progress(epoch + 1, loss_sum / seen.max(1) as f32);
        }
        Ok(())
    }

    /// Head `task`'s logit for each sentence (no dropout).
    pub fn logits(&self, task: usize, states: &[&Tensor]) -> Result<Vec<f32>, EmbedError> {
        let mut out = Vec::with_capacity(states.len());
        for chunk in states.chunks(64) {
            let pooled = self.pooled(chunk, None).map_err(candle)?;
            let logits = self.heads[task].forward(&pooled).and_then(|l| l.squeeze(D::Minus1)).and_then(|l| l.to_vec1::<f32>());
            out.extend(logits.map_err(candle)?);
        }
        Ok(out)
    }

    /// Head `task`'s weights and bias.
    pub fn head(&self, task: usize) -> Result<(Vec<f32>, f32), EmbedError> {
        let head = &self.heads[task];
        let weights = head.weight().flatten_all().and_then(|w| w.to_vec1::<f32>()).map_err(candle)?;
        let bias = head.bias().map(|b| b.to_vec1::<f32>()).transpose().map_err(candle)?.and_then(|b| b.first().copied()).unwrap_or(0.0);
        Ok((weights, bias))
    }

    /// Writes the tuned layers to `dir` as a desk model (f16, the query,
    /// key and value projections under their own names again) with `info`
    /// (whose `shared` is set here). Returns the id of the weights: the
    /// first 16 hex digits of their SHA-256, computed by `hash`.
    pub fn save(&self, dir: &Path, mut info: DeskInfo, hash: impl Fn(&[u8]) -> String) -> Result<DeskInfo, EmbedError> {
        let io = |path: &Path, e: std::io::Error| EmbedError::Missing { path: path.to_owned(), source: e };
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let vars = self.varmap.data().lock().map_err(|_| inference("the variable map is poisoned"))?;
        let mut tensors: HashMap<String, Tensor> = HashMap::new();
        for (name, var) in vars.iter().filter(|(name, _)| name.starts_with("encoder.")) {
            let half = var.as_tensor().to_dtype(DType::F16).map_err(candle)?;
            if let Some(prefix) = name.strip_suffix(&format!("{FUSED}.weight")).or_else(|| name.strip_suffix(&format!("{FUSED}.bias"))) {
                let suffix = if name.ends_with("weight") { "weight" } else { "bias" };
                let h = self.hidden;
                for (i, part) in ["query", "key", "value"].iter().enumerate() {
                    tensors
                        .insert(format!("{prefix}{part}.{suffix}"), half.narrow(0, i * h, h).and_then(|t| t.contiguous()).map_err(candle)?);
                }
            } else {
                tensors.insert(name.clone(), half);
            }
        }
        let weights = dir.join(DESK_WEIGHTS);
        candle_core::safetensors::save(&tensors, &weights).map_err(|e| crate::corrupt(&weights, e))?;
        let bytes = std::fs::read(&weights).map_err(|e| io(&weights, e))?;
        info.id = hash(&bytes);
        info.shared = self.shared;
        let json = serde_json::to_string_pretty(&info).map_err(inference)?;
        let info_path = dir.join(DESK_INFO);
        std::fs::write(&info_path, json + "\n").map_err(|e| io(&info_path, e))?;
        Ok(info)
    }
}
