use crate::features;

/// A trained model: weights over hashed features plus the scale they use.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub bits: u32,
    pub weights: Vec<f32>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("not a claimdesk model file (bad magic bytes)")]
    BadMagic,
    #[error("model format version {0}, expected 1")]
    BadVersion(u32),
    #[error("model file is {found} bytes, expected {expected} for 2^{bits} weights")]
    BadLength { found: usize, expected: usize, bits: u32 },
    #[error("model has {0} feature bits; expected between 8 and 24")]
    BadBits(u32),
}

const MAGIC: &[u8; 4] = b"CDLM";

/// One labelled sentence.
#[derive(Debug, Clone)]
pub struct Example {
    pub text: String,
    pub positive: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    pub bits: u32,
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    /// Weight of positive examples relative to negative ones.
    pub positive_weight: f32,
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions { bits: crate::FEATURE_BITS, epochs: 10, learning_rate: 0.03, l2: 1e-5, positive_weight: 2.0, seed: 7 }
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Model {
    /// Probability that `text` is positive.
    pub fn score(&self, text: &str, scratch: &mut Vec<u32>) -> f32 {
        features(text, self.bits, scratch);
        sigmoid(scratch.iter().map(|&i| self.weights.get(i as usize).copied().unwrap_or(0.0)).sum())
    }

    /// Serialises as `CDLM`, version 1, bits, then the weights (little endian).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(12 + 4 * self.weights.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&self.bits.to_le_bytes());
        for w in &self.weights {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let word = |i: usize| bytes.get(i..i + 4).and_then(|b| <[u8; 4]>::try_from(b).ok());
        if bytes.get(..4) != Some(MAGIC.as_slice()) {
            return Err(ModelError::BadMagic);
        }
        let version = word(4).map(u32::from_le_bytes).ok_or(ModelError::BadMagic)?;
        if version != 1 {
            return Err(ModelError::BadVersion(version));
        }
        let bits = word(8).map(u32::from_le_bytes).ok_or(ModelError::BadMagic)?;
        if !(8..=24).contains(&bits) {
            return Err(ModelError::BadBits(bits));
        }
        let expected = 12 + 4 * (1usize << bits);
        if bytes.len() != expected {
            return Err(ModelError::BadLength { found: bytes.len(), expected, bits });
        }
        let weights = bytes[12..].chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        Ok(Model { bits, weights })
    }
}

/// Trains by AdaGrad on the logistic loss, examples shuffled each epoch.
pub fn train(examples: &[Example], options: TrainOptions) -> Model {
    let dim = 1usize << options.bits;
    let mut weights = vec![0.0_f32; dim];
    let mut grad_sq = vec![1e-8_f32; dim];
    let encoded: Vec<(Vec<u32>, bool)> = examples
        .iter()
        .map(|e| {
            let mut f = Vec::new();
            features(&e.text, options.bits, &mut f);
            (f, e.positive)
        })
        .collect();
    let mut order: Vec<usize> = (0..encoded.len()).collect();
    let mut rng = options.seed.max(1);
    for _ in 0..options.epochs {
        // Fisher–Yates with xorshift: reproducible without a dependency.
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        for &i in &order {
            let (feats, positive) = &encoded[i];
            let p = sigmoid(feats.iter().map(|&f| weights[f as usize]).sum());
            let (target, weight) = if *positive { (1.0, options.positive_weight) } else { (0.0, 1.0) };
            let g = (p - target) * weight;
            for &f in feats {
                let f = f as usize;
                let grad = g + options.l2 * weights[f];
                grad_sq[f] += grad * grad;
                weights[f] -= options.learning_rate * grad / grad_sq[f].sqrt();
            }
        }
    }
    Model { bits: options.bits, weights }
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
        let model = train(&data, TrainOptions { bits: 12, epochs: 30, ..TrainOptions::default() });
        let mut scratch = Vec::new();
        assert!(model.score("Wages rose 5% in 2012.", &mut scratch) > 0.5);
        assert!(model.score("Thank you, good evening.", &mut scratch) < 0.5);
        let bytes = model.to_bytes();
        assert_eq!(Model::from_bytes(&bytes), Ok(model));
    }

    #[test]
    fn corrupt_files_are_errors() {
        assert_eq!(Model::from_bytes(b"nope"), Err(ModelError::BadMagic));
        let mut bytes = Model { bits: 8, weights: vec![0.0; 256] }.to_bytes();
        bytes.pop();
        assert!(matches!(Model::from_bytes(&bytes), Err(ModelError::BadLength { .. })));
        bytes[4] = 9;
        assert_eq!(Model::from_bytes(&bytes), Err(ModelError::BadVersion(9)));
    }
}
