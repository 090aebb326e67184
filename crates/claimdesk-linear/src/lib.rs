//! Logistic regression over hashed sentence features.
//!
//! Features are meant to carry over to unseen speakers and topics: word
//! unigrams and bigrams with numbers reduced to their shape, plus a few
//! structural cues (figures, percentages, money, years, comparisons,
//! first-person talk, questions, length). They are hashed into `2^bits`
//! buckets, so a model is one flat weight vector. The `vectors` feature
//! set reads a sentence's average pre-trained word vector instead, with
//! the vectors carried in the model file (`vectors.rs`). No allocation per feature
//! beyond the output vector, linear in the sentence length. The only I/O is
//! [`model_from_config`] reading a model file a plugin's config names.

mod features;
mod head;
mod model;
mod vectors;

pub use features::{FEATURE_BITS, FeatureSet, features, features_of, named_features};
pub use head::{Head, HeadError};
pub use model::{Example, Model, ModelError, Optimizer, TrainOptions, head_from_config, model_from_config, sigmoid, train};
pub use vectors::{VectorsError, WordVectors};
