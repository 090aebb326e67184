//! The BERT encoder all-MiniLM-L6-v2 is (embeddings, then layers of
//! self-attention and a feed-forward block, each followed by a residual
//! layer norm), on candle-core and candle-nn, reading the weights under
//! their Hugging Face names.
//!
//! Written here rather than taken from candle-transformers for speed on one
//! core: the feed-forward's exact GELU went through a scalar `erf` per
//! element, about a quarter of the encoder's time; [`Gelu`] evaluates the
//! same function with a rational approximation of `erf` that vectorises
//! (error below 1e-7), and the query, key and value projections run as one
//! matrix product. docs/decisions/0034 says more.

use candle_core::{CpuStorage, CustomOp1, D, DType, Layout, Module, Result, Shape, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, VarBuilder};

/// The model's shape, as `config.json` gives it (other keys ignored).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
    /// Only `gelu` (the exact, erf-based one) is supported.
    pub hidden_act: String,
}

/// `erf(x)` for f32 by a rational approximation on [-4, 4] (beyond, ±1 to
/// float precision); absolute error below 1e-7. Branch-free, so a loop of
/// it vectorises.
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    const P: [f32; 7] = [-2.726_142_3e-10, 2.770_681_4e-8, -2.101_024e-6, -5.692_506_4e-5, -7.349_906_3e-4, -2.954_6e-3, -1.609_603_3e-2];
    const Q: [f32; 5] = [-1.456_607_2e-5, -2.133_740_6e-4, -1.682_827e-3, -7.373_329e-3, -1.426_474e-2];
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let p = P.iter().skip(1).fold(P[0], |acc, c| acc * x2 + c) * x;
    let q = Q.iter().skip(1).fold(Q[0], |acc, c| acc * x2 + c);
    p / q
}

/// The exact GELU, `x · (1 + erf(x / √2)) / 2`, over a whole f32 tensor.
pub struct Gelu;

fn gelu_slice(input: &[f32]) -> Vec<f32> {
    input.iter().map(|&x| 0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))).collect()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn gelu_avx2(input: &[f32]) -> Vec<f32> {
    gelu_slice(input)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn gelu_avx512(input: &[f32]) -> Vec<f32> {
    gelu_slice(input)
}

fn gelu(input: &[f32]) -> Vec<f32> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU supports AVX-512F, checked just above; the
        // function needs only that feature.
        return unsafe { gelu_avx512(input) };
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        return unsafe { gelu_avx2(input) };
    }
    gelu_slice(input)
}

/// The contiguous f32 data of a tensor's storage.
fn f32_data<'a>(op: &str, storage: &'a CpuStorage, layout: &Layout) -> Result<&'a [f32]> {
    let CpuStorage::F32(data) = storage else {
        return Err(candle_core::Error::Msg(format!("{op}: f32 only")));
    };
    let Some((start, end)) = layout.contiguous_offsets() else {
        return Err(candle_core::Error::Msg(format!("{op}: contiguous tensors only")));
    };
    Ok(&data[start..end])
}

impl CustomOp1 for Gelu {
    fn name(&self) -> &'static str {
        "claimdesk-gelu"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        Ok((CpuStorage::F32(gelu(f32_data("gelu", storage, layout)?)), layout.shape().clone()))
    }

    /// For fine-tuning: the gradient times GELU's derivative,
    /// `Φ(x) + x·φ(x)`.
    fn bwd(&self, arg: &Tensor, _res: &Tensor, grad_res: &Tensor) -> Result<Option<Tensor>> {
        Ok(Some(grad_res.mul(&arg.contiguous()?.apply_op1_no_bwd(&GeluSlope)?)?))
    }
}

/// The derivative of the exact GELU, elementwise (used only in training).
struct GeluSlope;

impl CustomOp1 for GeluSlope {
    fn name(&self) -> &'static str {
        "claimdesk-gelu-slope"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let slope = f32_data("gelu slope", storage, layout)?
            .iter()
            .map(|&x| {
                let density = (-0.5 * x * x).exp() * 0.398_942_3; // φ(x) = e^(-x²/2) / √(2π)
                0.5 * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2)) + x * density
            })
            .collect();
        Ok((CpuStorage::F32(slope), layout.shape().clone()))
    }
}

/// Dropout for fine-tuning: masks drawn from a seeded generator, so that a
/// training run is repeatable.
pub struct Dropout {
    pub rate: f32,
    pub rng: fastrand::Rng,
}

impl Dropout {
    /// `x` with each element zeroed at `rate` and the rest scaled up.
    pub fn apply(&mut self, x: &Tensor) -> Result<Tensor> {
        if self.rate <= 0.0 {
            return Ok(x.clone());
        }
        let keep = 1.0 - self.rate;
        let mask: Vec<f32> = (0..x.elem_count()).map(|_| if self.rng.f32() < keep { 1.0 / keep } else { 0.0 }).collect();
        x.mul(&Tensor::from_vec(mask, x.shape(), x.device())?)
    }
}

/// One encoder layer: self-attention then the feed-forward block, each
/// followed by a residual layer norm.
pub struct Layer {
    qkv: Linear,
    out: Linear,
    attention_norm: LayerNorm,
    up: Linear,
    down: Linear,
    output_norm: LayerNorm,
    heads: usize,
    eps: f64,
}

impl Layer {
    /// Layer `index` under its Hugging Face names (`encoder.layer.{index}`).
    pub fn load(vb: &VarBuilder, config: &Config, index: usize) -> Result<Layer> {
        let h = config.hidden_size;
        let s = vb.pp(format!("encoder.layer.{index}")).pp("attention.self");
        let part = |name: &str| -> Result<(Tensor, Tensor)> {
            let p = s.pp(name);
            Ok((p.get((h, h), "weight")?, p.get(h, "bias")?))
        };
        let (q, k, v) = (part("query")?, part("key")?, part("value")?);
        let qkv = Linear::new(Tensor::cat(&[&q.0, &k.0, &v.0], 0)?, Some(Tensor::cat(&[&q.1, &k.1, &v.1], 0)?));
        Self::with_qkv(vb, config, index, qkv)
    }

    /// Layer `index` with its query, key and value projections stored as
    /// one (`attention.self.qkv`, as fine-tuning keeps them, so that an
    /// update reaches the product the layer computes).
    pub fn load_fused(vb: &VarBuilder, config: &Config, index: usize) -> Result<Layer> {
        let h = config.hidden_size;
        let p = vb.pp(format!("encoder.layer.{index}")).pp("attention.self").pp(FUSED);
        let qkv = Linear::new(p.get((3 * h, h), "weight")?, Some(p.get(3 * h, "bias")?));
        Self::with_qkv(vb, config, index, qkv)
    }

    fn with_qkv(vb: &VarBuilder, config: &Config, index: usize, qkv: Linear) -> Result<Layer> {
        let (h, inner, eps) = (config.hidden_size, config.intermediate_size, config.layer_norm_eps);
        let l = vb.pp(format!("encoder.layer.{index}"));
        Ok(Layer {
            qkv,
            out: candle_nn::linear(h, h, l.pp("attention.output.dense"))?,
            attention_norm: candle_nn::layer_norm(h, eps, l.pp("attention.output.LayerNorm"))?,
            up: candle_nn::linear(h, inner, l.pp("intermediate.dense"))?,
            down: candle_nn::linear(inner, h, l.pp("output.dense"))?,
            output_norm: candle_nn::layer_norm(h, eps, l.pp("output.LayerNorm"))?,
            heads: config.num_attention_heads,
            eps,
        })
    }

    /// The layer's output for hidden states `x` `(batch, length, hidden)`
    /// and the attention bias of [`attention_bias`]. With `dropout` (while
    /// fine-tuning) every operation keeps its gradient and the two
    /// sub-layer outputs are dropped out; without, the fused inference
    /// kernels run.
    pub fn forward(&self, x: &Tensor, bias: &Tensor, mut dropout: Option<&mut Dropout>) -> Result<Tensor> {
        let (batch, length, hidden) = x.dims3()?;
        let width = hidden / self.heads;
        // The projections run on all tokens of the batch as one matrix
        // product (a batched product of per-text matrices is too small to
        // spread over cores).
        let x = x.reshape((batch * length, hidden))?;
        let qkv = self.qkv.forward(&x)?.reshape((batch, length, 3 * hidden))?;
        let split =
            |i: usize| qkv.narrow(2, i * hidden, hidden)?.reshape((batch, length, self.heads, width))?.transpose(1, 2)?.contiguous();
        let q = (split(0)? * (1.0 / (width as f64).sqrt()))?;
        let (k, v) = (split(1)?, split(2)?);
        let scores = q.matmul(&k.t()?)?.broadcast_add(bias)?;
        let weights =
            if dropout.is_some() { candle_nn::ops::softmax(&scores, D::Minus1)? } else { candle_nn::ops::softmax_last_dim(&scores)? };
        let context = weights.matmul(&v)?.transpose(1, 2)?.reshape((batch * length, hidden))?;
        let mut attended = self.out.forward(&context)?;
        if let Some(dropout) = dropout.as_deref_mut() {
            attended = dropout.apply(&attended)?;
        }
        let x = self.norm(&self.attention_norm, &(attended + x)?, dropout.is_some())?;
        let inner = self.up.forward(&x)?.contiguous()?.apply_op1(Gelu)?;
        let mut down = self.down.forward(&inner)?;
        if let Some(dropout) = dropout.as_deref_mut() {
            down = dropout.apply(&down)?;
        }
        self.norm(&self.output_norm, &(down + x)?, dropout.is_some())?.reshape((batch, length, hidden))
    }

    fn norm(&self, norm: &LayerNorm, x: &Tensor, differentiable: bool) -> Result<Tensor> {
        if !differentiable {
            return norm.forward(x);
        }
        // candle-nn's fused layer norm has no gradient: the same from plain operations.
        let mean = x.mean_keepdim(D::Minus1)?;
        let centred = x.broadcast_sub(&mean)?;
        let variance = centred.sqr()?.mean_keepdim(D::Minus1)?;
        let normed = centred.broadcast_div(&(variance + self.eps)?.sqrt()?)?.broadcast_mul(norm.weight())?;
        match norm.bias() {
            Some(bias) => normed.broadcast_add(bias),
            None => Ok(normed),
        }
    }
}

/// The name of the fused query/key/value projection under
/// `encoder.layer.{i}.attention.self`.
pub const FUSED: &str = "qkv";

/// The additive attention bias for `mask` `(batch, length)`, 1 for a real
/// token: 0 where attended, a large negative number where padded.
pub fn attention_bias(mask: &Tensor) -> Result<Tensor> {
    let (batch, length) = mask.dims2()?;
    ((mask.to_dtype(DType::F32)? - 1.0)? * 1e9)?.reshape((batch, 1, 1, length))
}

/// The encoder: token ids (and an attention mask) in, one hidden vector per
/// token out.
pub struct Bert {
    words: Embedding,
    positions: Embedding,
    types: Embedding,
    norm: LayerNorm,
    layers: Vec<Layer>,
}

impl Bert {
    pub fn load(vb: VarBuilder, config: &Config) -> Result<Bert> {
        check(config)?;
        let (h, eps) = (config.hidden_size, config.layer_norm_eps);
        let e = vb.pp("embeddings");
        let words = candle_nn::embedding(config.vocab_size, h, e.pp("word_embeddings"))?;
        let positions = candle_nn::embedding(config.max_position_embeddings, h, e.pp("position_embeddings"))?;
        let types = candle_nn::embedding(config.type_vocab_size, h, e.pp("token_type_embeddings"))?;
        let norm = candle_nn::layer_norm(h, eps, e.pp("LayerNorm"))?;
        let layers = (0..config.num_hidden_layers).map(|i| Layer::load(&vb, config, i)).collect::<Result<Vec<_>>>()?;
        Ok(Bert { words, positions, types, norm, layers })
    }

    /// How many layers the encoder has.
    pub fn depth(&self) -> usize {
        self.layers.len()
    }

    /// Hidden states `(batch, length, hidden)` of `ids` `(batch, length)`
    /// after the first `layers` layers; `bias` comes from
    /// [`attention_bias`] and keeps padding out of attention.
    pub fn forward(&self, ids: &Tensor, bias: &Tensor, layers: usize) -> Result<Tensor> {
        let length = ids.dim(1)?;
        let positions = Tensor::arange(0u32, length as u32, ids.device())?;
        let types = Tensor::zeros(length, DType::U32, ids.device())?;
        let mut x =
            self.words.forward(ids)?.broadcast_add(&self.positions.forward(&positions)?)?.broadcast_add(&self.types.forward(&types)?)?;
        x = self.norm.forward(&x)?;
        for layer in self.layers.iter().take(layers) {
            x = layer.forward(&x, bias, None)?;
        }
        Ok(x)
    }
}

/// Refuses a configuration `Bert` cannot run.
pub fn check(config: &Config) -> Result<()> {
    if config.hidden_act != "gelu" {
        return Err(candle_core::Error::Msg(format!("hidden_act {:?} is not supported (only gelu)", config.hidden_act)));
    }
    let h = config.hidden_size;
    if config.num_attention_heads == 0 || !h.is_multiple_of(config.num_attention_heads) {
        return Err(candle_core::Error::Msg(format!("{h} is not a multiple of {} heads", config.num_attention_heads)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_erf_is_erf_to_float_precision() {
        // Reference values of erf (Abramowitz and Stegun, table 7.1, and the limits).
        for (x, want) in [
            (0.0f32, 0.0f32),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (1.5, 0.966_105_1),
            (2.0, 0.995_322_3),
            (3.0, 0.999_977_9),
            (6.0, 1.0),
        ] {
            assert!((erf(x) - want).abs() < 2e-7, "erf({x}) = {} not {want}", erf(x));
            assert!((erf(-x) + want).abs() < 2e-7);
        }
        // The dispatched loop agrees with the scalar one.
        let xs: Vec<f32> = (-4000..4000).map(|i| i as f32 / 500.0).collect();
        assert!(gelu(&xs).iter().zip(gelu_slice(&xs)).all(|(a, b)| (a - b).abs() < 1e-6));
        assert!((gelu(&[1.0])[0] - 0.841_344_7).abs() < 1e-6);
    }

    #[test]
    fn the_gelu_gradient_is_its_derivative() {
        use candle_core::{Device, Var};
        let xs: Vec<f32> = (-60..60).map(|i| i as f32 / 10.0).collect();
        let x = Var::from_vec(xs.clone(), xs.len(), &Device::Cpu).unwrap();
        let y = x.as_tensor().apply_op1(Gelu).unwrap().sum_all().unwrap();
        let grads = y.backward().unwrap();
        let slope: Vec<f32> = grads.get(x.as_tensor()).unwrap().to_vec1().unwrap();
        let h = 1e-2f32;
        for (x, s) in xs.iter().zip(slope) {
            let numeric = (gelu_slice(&[x + h])[0] - gelu_slice(&[x - h])[0]) / (2.0 * h);
            assert!((numeric - s).abs() < 2e-3, "at {x}: {s} vs {numeric}");
        }
    }
}
