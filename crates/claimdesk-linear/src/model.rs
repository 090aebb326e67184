use std::sync::Arc;

use crate::features::{FeatureSet, features_of, tokens};
use crate::vectors::WordVectors;

/// A trained model: weights over hashed features plus the scale they use,
/// and, for [`FeatureSet::Vectors`], weights over the sentence's average
/// word vector with the vectors themselves.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub bits: u32,
    pub features: FeatureSet,
    /// The score from which the model's task counts a sentence as positive
    /// (chosen by cross-validation when training).
    pub threshold: f32,
    pub weights: Vec<f32>,
    /// One weight per vector dimension (empty without vectors); private,
    /// with the vectors, so `projection` always matches them.
    dense: Vec<f32>,
    vectors: Option<Arc<WordVectors>>,
    /// Each word's vector projected on `dense` ([`WordVectors::project`]).
    projection: Vec<f32>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("not a claimdesk model file (bad magic bytes)")]
    BadMagic,
    #[error("model format version {0}, expected 1, 2 or 3")]
    BadVersion(u32),
    #[error("model uses feature set {0}, which this claimdesk does not know")]
    UnknownFeatures(u32),
    #[error("model threshold {0} is not between 0 and 1")]
    BadThreshold(f32),
    #[error("model file is {found} bytes, expected {expected} for 2^{bits} weights")]
    BadLength { found: usize, expected: usize, bits: u32 },
    #[error("model has {0} feature bits; expected between 8 and 24")]
    BadBits(u32),
    #[error("the model's word vectors are damaged")]
    BadVectors,
    #[error("the {0:?} feature set needs word vectors (train with --vectors FILE)")]
    MissingVectors(FeatureSet),
}

const MAGIC: &[u8; 4] = b"CDLM";

/// One labelled sentence.
#[derive(Debug, Clone)]
pub struct Example {
    pub text: String,
    pub positive: bool,
}

#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub bits: u32,
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    /// Weight of positive examples relative to negative ones.
    pub positive_weight: f32,
    pub seed: u64,
    pub features: FeatureSet,
    /// Return the average of the weights after each epoch instead of the
    /// last ones: steadier on small, noisy data.
    pub average: bool,
    pub optimizer: Optimizer,
    /// Stored with the model: see [`Model::threshold`].
    pub threshold: f32,
    /// Word vectors for [`FeatureSet::Vectors`], stored with the model.
    pub vectors: Option<Arc<WordVectors>>,
}

/// How weights are fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Optimizer {
    /// Online AdaGrad, one example at a time, `epochs` passes; `l2` is
    /// applied to the weights an example touches.
    #[default]
    Online,
    /// Full-batch Adam on mean loss + `l2`/2 · ‖w‖², `epochs` steps: fits the
    /// regularised objective closely, which small data sets need.
    Batch,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            bits: crate::FEATURE_BITS,
            epochs: 10,
            learning_rate: 0.03,
            l2: 1e-5,
            positive_weight: 2.0,
            seed: 7,
            features: FeatureSet::Claims,
            average: false,
            optimizer: Optimizer::Online,
            threshold: 0.5,
            vectors: None,
        }
    }
}

/// The logistic function: a logit to a probability.
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Model {
    pub fn new(
        bits: u32,
        features: FeatureSet,
        threshold: f32,
        weights: Vec<f32>,
        dense: Vec<f32>,
        vectors: Option<Arc<WordVectors>>,
    ) -> Model {
        let projection = vectors.as_ref().map(|v| v.project(&dense)).unwrap_or_default();
        Model { bits, features, threshold, weights, dense, vectors, projection }
    }

    /// The word vectors the model was trained with, if any (to train
    /// another model on the same ones).
    pub fn vectors(&self) -> Option<&Arc<WordVectors>> {
        self.vectors.as_ref()
    }

    /// Probability that `text` is positive.
    pub fn score(&self, text: &str, scratch: &mut Vec<u32>) -> f32 {
        features_of(self.features, text, self.bits, scratch);
        let sparse: f32 = scratch.iter().map(|&i| self.weights.get(i as usize).copied().unwrap_or(0.0)).sum();
        let dense = match &self.vectors {
            Some(vectors) => vectors.average_projected(tokens(text), &self.projection),
            None => 0.0,
        };
        sigmoid(sparse + dense)
    }

    /// What raised `text`'s score: up to `n` of its claim-structure cues
    /// ([`crate::named_features`]) with a positive weight, strongest first.
    /// Empty for models that are not over claim features.
    ///
    /// `scratch` is the buffer [`Model::score`] filled for the same `text`
    /// (its features); pass `fresh` when it holds something else.
    pub fn explain(&self, text: &str, n: usize, scratch: &mut Vec<u32>, fresh: bool) -> Vec<&'static str> {
        if self.features != FeatureSet::Claims {
            return Vec::new();
        }
        if fresh {
            features_of(self.features, text, self.bits, scratch);
        }
        let mut named: Vec<(&'static str, f32)> = crate::named_features(self.bits, scratch)
            .into_iter()
            .filter_map(|(name, i)| self.weights.get(i as usize).map(|&w| (name, w)))
            .filter(|(_, w)| *w > 0.05)
            .collect();
        named.sort_by(|a, b| b.1.total_cmp(&a.1));
        named.into_iter().take(n).map(|(name, _)| name).collect()
    }

    /// Whether `text` is positive: its score reaches the threshold.
    pub fn decide(&self, text: &str, scratch: &mut Vec<u32>) -> (bool, f32) {
        let score = self.score(text, scratch);
        (score >= self.threshold, score)
    }

    /// Serialises as `CDLM`, version 2, bits, feature set, threshold, then
    /// the weights (little endian); version 3 when the model has word
    /// vectors, which follow the weights: the dense weights' count and
    /// values, then the vectors. Version 1 files (claim features, threshold
    /// 0.5) still load.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(20 + 4 * self.weights.len());
        out.extend_from_slice(MAGIC);
        let version: u32 = if self.vectors.is_some() { 3 } else { 2 };
        out.extend_from_slice(&version.to_le_bytes());
        out.extend_from_slice(&self.bits.to_le_bytes());
        out.extend_from_slice(&self.features.code().to_le_bytes());
        out.extend_from_slice(&self.threshold.to_le_bytes());
        for w in &self.weights {
            out.extend_from_slice(&w.to_le_bytes());
        }
        if let Some(vectors) = &self.vectors {
            out.extend_from_slice(&(self.dense.len() as u32).to_le_bytes());
            for w in &self.dense {
                out.extend_from_slice(&w.to_le_bytes());
            }
            vectors.write(&mut out);
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let word = |i: usize| bytes.get(i..i + 4).and_then(|b| <[u8; 4]>::try_from(b).ok());
        if bytes.get(..4) != Some(MAGIC.as_slice()) {
            return Err(ModelError::BadMagic);
        }
        let version = word(4).map(u32::from_le_bytes).ok_or(ModelError::BadMagic)?;
        let (features, threshold, header) = match version {
            1 => (FeatureSet::Claims, 0.5, 12),
            2 | 3 => {
                let code = word(12).map(u32::from_le_bytes).ok_or(ModelError::BadMagic)?;
                let features = FeatureSet::from_code(code).ok_or(ModelError::UnknownFeatures(code))?;
                let threshold = word(16).map(f32::from_le_bytes).ok_or(ModelError::BadMagic)?;
                if !(0.0..=1.0).contains(&threshold) {
                    return Err(ModelError::BadThreshold(threshold));
                }
                (features, threshold, 20)
            }
            other => return Err(ModelError::BadVersion(other)),
        };
        let bits = word(8).map(u32::from_le_bytes).ok_or(ModelError::BadMagic)?;
        if !(8..=24).contains(&bits) {
            return Err(ModelError::BadBits(bits));
        }
        let expected = header + 4 * (1usize << bits);
        if bytes.len() < expected || (version < 3 && bytes.len() != expected) {
            return Err(ModelError::BadLength { found: bytes.len(), expected, bits });
        }
        let floats = |b: &[u8]| b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect::<Vec<f32>>();
        let weights = floats(&bytes[header..expected]);
        let (dense, vectors) = if version == 3 {
            let rest = &bytes[expected..];
            let count = word(expected).map(u32::from_le_bytes).ok_or(ModelError::BadVectors)? as usize;
            let dense = floats(rest.get(4..4 + 4 * count).ok_or(ModelError::BadVectors)?);
            let (vectors, tail) = WordVectors::read(&rest[4 + 4 * count..]).ok_or(ModelError::BadVectors)?;
            if !tail.is_empty() || vectors.dims() != count {
                return Err(ModelError::BadVectors);
            }
            (dense, Some(Arc::new(vectors)))
        } else {
            (Vec::new(), None)
        };
        if features == FeatureSet::Vectors && vectors.is_none() {
            return Err(ModelError::MissingVectors(features));
        }
        Ok(Model::new(bits, features, threshold, weights, dense, vectors))
    }
}

/// The model a plugin uses, from its config string: empty for `embedded`
/// (the model built into the plugin), `model=PATH` for a file, `model=off`
/// for none. Errors say what is wrong, for the plugin's creation error.
pub fn model_from_config(config: &str, embedded: &[u8]) -> Result<Option<Model>, String> {
    match setting(config, "model")? {
        None => Model::from_bytes(embedded).map(Some).map_err(|e| format!("embedded model: {e}")),
        Some("off") => Ok(None),
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| format!("cannot read model {path}: {e}"))?;
            Model::from_bytes(&bytes).map(Some).map_err(|e| format!("model {path}: {e}"))
        }
    }
}

/// The head a plugin's config asks for: `head=PATH` reads one from a file
/// (`claimdesk train --from-database` writes the desk's own), `head=off`
/// none; otherwise the `embedded` text.
pub fn head_from_config(config: &str, embedded: &str) -> Result<Option<crate::Head>, String> {
    match setting(config, "head")? {
        None => crate::Head::parse(embedded).map(Some).map_err(|e| format!("embedded head: {e}")),
        Some("off") => Ok(None),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read head {path}: {e}"))?;
            crate::Head::parse(&text).map(Some).map_err(|e| format!("head {path}: {e}"))
        }
    }
}

/// The value of `key` in a plugin config of space-separated `key=value`
/// settings (`model=PATH head=off`); an unknown key is an error.
fn setting<'c>(config: &'c str, key: &str) -> Result<Option<&'c str>, String> {
    let mut found = None;
    for item in config.split_whitespace() {
        match item.split_once('=') {
            Some((name @ ("model" | "head"), value)) if !value.is_empty() => {
                if name == key {
                    found = Some(value);
                }
            }
            _ => return Err(format!("unknown config {item:?}; expected model=PATH|off and/or head=PATH|off")),
        }
    }
    Ok(found)
}

/// Trains a logistic regression on `examples` (see [`Optimizer`]).
pub fn train(examples: &[Example], options: TrainOptions) -> Result<Model, ModelError> {
    if options.features == FeatureSet::Vectors && options.vectors.is_none() {
        return Err(ModelError::MissingVectors(options.features));
    }
    Ok(match options.optimizer {
        Optimizer::Online => train_online(examples, options),
        Optimizer::Batch => train_batch(examples, options),
    })
}

/// One example as the trainer sees it: hashed feature indices, the average
/// word vector (empty without vectors) and the label.
struct Encoded {
    sparse: Vec<u32>,
    dense: Vec<f32>,
    positive: bool,
}

impl Encoded {
    fn logit(&self, weights: &[f32], dense: &[f32]) -> f32 {
        self.sparse.iter().map(|&f| weights[f as usize]).sum::<f32>() + self.dense.iter().zip(dense).map(|(x, w)| x * w).sum::<f32>()
    }
}

fn encode(examples: &[Example], options: &TrainOptions) -> Vec<Encoded> {
    examples
        .iter()
        .map(|e| {
            let mut sparse = Vec::new();
            features_of(options.features, &e.text, options.bits, &mut sparse);
            let mut dense = Vec::new();
            if let Some(vectors) = &options.vectors {
                vectors.average(tokens(&e.text), &mut dense);
            }
            Encoded { sparse, dense, positive: e.positive }
        })
        .collect()
}

/// Adam's moment estimates for one block of weights.
struct Adam {
    m: Vec<f32>,
    v: Vec<f32>,
}

impl Adam {
    const BETA1: f32 = 0.9;
    const BETA2: f32 = 0.999;

    fn new(dim: usize) -> Adam {
        Adam { m: vec![0.0; dim], v: vec![0.0; dim] }
    }

    fn step(&mut self, weights: &mut [f32], gradient: &[f32], step: usize, learning_rate: f32) {
        let (c1, c2) = (1.0 - Self::BETA1.powi(step as i32), 1.0 - Self::BETA2.powi(step as i32));
        for i in 0..weights.len() {
            let g = gradient[i];
            self.m[i] = Self::BETA1 * self.m[i] + (1.0 - Self::BETA1) * g;
            self.v[i] = Self::BETA2 * self.v[i] + (1.0 - Self::BETA2) * g * g;
            weights[i] -= learning_rate * (self.m[i] / c1) / ((self.v[i] / c2).sqrt() + 1e-8);
        }
    }
}

fn train_batch(examples: &[Example], options: TrainOptions) -> Model {
    let dim = 1usize << options.bits;
    let dense_dim = options.vectors.as_ref().map_or(0, |v| v.dims());
    let encoded = encode(examples, &options);
    let n = encoded.len().max(1) as f32;
    let (mut weights, mut gradient, mut adam) = (vec![0.0_f32; dim], vec![0.0_f32; dim], Adam::new(dim));
    let (mut dense, mut dense_gradient, mut dense_adam) = (vec![0.0_f32; dense_dim], vec![0.0_f32; dense_dim], Adam::new(dense_dim));
    for step in 1..=options.epochs {
        for (g, w) in gradient.iter_mut().zip(&weights).chain(dense_gradient.iter_mut().zip(&dense)) {
            *g = options.l2 * w;
        }
        for example in &encoded {
            let p = sigmoid(example.logit(&weights, &dense));
            let (target, weight) = if example.positive { (1.0, options.positive_weight) } else { (0.0, 1.0) };
            let g = (p - target) * weight / n;
            for &f in &example.sparse {
                gradient[f as usize] += g;
            }
            for (dg, x) in dense_gradient.iter_mut().zip(&example.dense) {
                *dg += g * x;
            }
        }
        adam.step(&mut weights, &gradient, step, options.learning_rate);
        dense_adam.step(&mut dense, &dense_gradient, step, options.learning_rate);
    }
    Model::new(options.bits, options.features, options.threshold, weights, dense, options.vectors)
}

/// AdaGrad on the logistic loss, examples shuffled each epoch.
fn train_online(examples: &[Example], options: TrainOptions) -> Model {
    let dim = 1usize << options.bits;
    let dense_dim = options.vectors.as_ref().map_or(0, |v| v.dims());
    let mut weights = vec![0.0_f32; dim];
    let mut grad_sq = vec![1e-8_f32; dim];
    let (mut dense, mut dense_sq) = (vec![0.0_f32; dense_dim], vec![1e-8_f32; dense_dim]);
    let encoded = encode(examples, &options);
    let mut order: Vec<usize> = (0..encoded.len()).collect();
    let mut rng = options.seed.max(1);
    let mut sum = if options.average { vec![0.0_f32; dim] } else { Vec::new() };
    for _ in 0..options.epochs {
        // Fisher–Yates with xorshift: reproducible without a dependency.
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        for &i in &order {
            let example = &encoded[i];
            let p = sigmoid(example.logit(&weights, &dense));
            let (target, weight) = if example.positive { (1.0, options.positive_weight) } else { (0.0, 1.0) };
            let g = (p - target) * weight;
            for &f in &example.sparse {
                let f = f as usize;
                let grad = g + options.l2 * weights[f];
                grad_sq[f] += grad * grad;
                weights[f] -= options.learning_rate * grad / grad_sq[f].sqrt();
            }
            for ((w, sq), x) in dense.iter_mut().zip(&mut dense_sq).zip(&example.dense) {
                let grad = g * x + options.l2 * *w;
                *sq += grad * grad;
                *w -= options.learning_rate * grad / sq.sqrt();
            }
        }
        for (total, w) in sum.iter_mut().zip(&weights) {
            *total += w;
        }
    }
    if options.average && options.epochs > 0 {
        weights = sum.into_iter().map(|total| total / options.epochs as f32).collect();
    }
    Model::new(options.bits, options.features, options.threshold, weights, dense, options.vectors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(text: &str, positive: bool) -> Example {
        Example { text: text.to_owned(), positive }
    }

    #[test]
    fn learns_a_separable_toy_task_and_round_trips() {
        let data = vec![
            ex("Unemployment fell 3% last year.", true),
            ex("The deficit doubled to $400 billion.", true),
            ex("Taxes rose by 12 percent in 2010.", true),
            ex("Thank you all for coming tonight.", false),
            ex("I love this country.", false),
            ex("Good evening everyone.", false),
        ];
        let model = train(&data, TrainOptions { bits: 12, epochs: 30, ..TrainOptions::default() }).unwrap();
        let mut scratch = Vec::new();
        assert!(model.score("Wages rose 5% in 2012.", &mut scratch) > 0.5);
        assert!(model.score("Thank you, good evening.", &mut scratch) < 0.5);
        let bytes = model.to_bytes();
        assert_eq!(Model::from_bytes(&bytes), Ok(model));
    }

    #[test]
    fn corrupt_files_are_errors() {
        assert_eq!(Model::from_bytes(b"nope"), Err(ModelError::BadMagic));
        let model = Model::new(8, FeatureSet::Words, 0.4, vec![0.5; 256], Vec::new(), None);
        let mut bytes = model.to_bytes();
        assert_eq!(Model::from_bytes(&bytes), Ok(model.clone()));
        bytes[12] = 7;
        assert_eq!(Model::from_bytes(&bytes), Err(ModelError::UnknownFeatures(7)));
        bytes[12] = 1;
        let threshold = bytes[16..20].to_vec();
        bytes[16..20].copy_from_slice(&2.0f32.to_le_bytes());
        assert_eq!(Model::from_bytes(&bytes), Err(ModelError::BadThreshold(2.0)));
        bytes[16..20].copy_from_slice(&threshold);
        bytes.pop();
        assert!(matches!(Model::from_bytes(&bytes), Err(ModelError::BadLength { .. })));
        bytes[4] = 9;
        assert_eq!(Model::from_bytes(&bytes), Err(ModelError::BadVersion(9)));
        // A version 1 file: no feature set field, the claim features.
        let mut v1 = b"CDLM".to_vec();
        v1.extend_from_slice(&1u32.to_le_bytes());
        v1.extend_from_slice(&8u32.to_le_bytes());
        v1.extend(std::iter::repeat_n(0u8, 4 * 256));
        assert_eq!(Model::from_bytes(&v1).map(|m| (m.features, m.threshold)), Ok((FeatureSet::Claims, 0.5)));
    }

    #[test]
    fn vector_models_round_trip_and_refuse_damage() {
        let vectors = WordVectors::read_text("calm 0 1\nfurious 1 0\nreport 0 1\nrage 1 0.1\n".as_bytes(), 10).unwrap();
        let data = vec![ex("A calm report.", false), ex("Furious!", true), ex("The report.", false), ex("Furious, furious.", true)];
        let options = TrainOptions {
            bits: 8,
            epochs: 300,
            l2: 0.0,
            learning_rate: 0.1,
            features: FeatureSet::Vectors,
            optimizer: Optimizer::Batch,
            vectors: Some(Arc::new(vectors)),
            ..TrainOptions::default()
        };
        let model = train(&data, options.clone()).unwrap();
        let mut scratch = Vec::new();
        assert!(model.score("Rage.", &mut scratch) > 0.5, "an unseen word, known by its vector");
        assert!(model.score("Calm.", &mut scratch) < 0.5);
        let online = train(&data, TrainOptions { optimizer: Optimizer::Online, epochs: 50, ..options.clone() }).unwrap();
        assert!(online.score("Rage.", &mut scratch) > online.score("Calm.", &mut scratch));
        let bytes = model.to_bytes();
        assert_eq!(&bytes[4..8], &3u32.to_le_bytes());
        assert_eq!(Model::from_bytes(&bytes), Ok(model));
        assert_eq!(Model::from_bytes(&bytes[..bytes.len() - 1]), Err(ModelError::BadVectors));
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Model::from_bytes(&longer), Err(ModelError::BadVectors));
        // A version 2 file that claims the vector feature set has no vectors.
        let mut v2 = bytes[..20 + 4 * 256].to_vec();
        v2[4..8].copy_from_slice(&2u32.to_le_bytes());
        assert_eq!(Model::from_bytes(&v2), Err(ModelError::MissingVectors(FeatureSet::Vectors)));
        assert_eq!(train(&data, TrainOptions { vectors: None, ..options }).unwrap_err(), ModelError::MissingVectors(FeatureSet::Vectors));
    }
}
