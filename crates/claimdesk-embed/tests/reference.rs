//! The encoder against an independent numpy forward pass over the same
//! weights (`tools/minilm_reference.py`, numbers kept in
//! `tests/fixtures/embed/reference.json`), and its promises about
//! batching, truncation and bad files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test binary: failing loudly is the point

use std::path::Path;

use claimdesk_embed::{DIMENSION, EmbedError, Encoder, MAX_TOKENS, default_dir, dot};
use serde_json::Value;

fn encoder() -> Encoder {
    match Encoder::load(&default_dir()) {
        Ok(encoder) => encoder,
        Err(err) => panic!("the shipped model loads: {err}"),
    }
}

fn reference() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/embed/reference.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn numbers(value: &Value) -> Vec<f64> {
    value.as_array().into_iter().flatten().filter_map(Value::as_f64).collect()
}

#[test]
fn vectors_and_cosines_match_the_numpy_reference_to_three_decimals() {
    let reference = reference();
    let sentences: Vec<&str> = reference["sentences"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    assert_eq!(sentences.len(), 5);
    let embeddings = encoder().encode(&sentences).unwrap_or_else(|e| panic!("{e}"));
    for (i, embedding) in embeddings.iter().enumerate() {
        assert_eq!(embedding.vector.len(), DIMENSION);
        let norm = dot(&embedding.vector, &embedding.vector).sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "unit length, got {norm}");
        let expected = numbers(&reference["first_components"][i]);
        assert_eq!(expected.len(), 8);
        for (got, want) in embedding.vector.iter().zip(&expected) {
            assert!((f64::from(*got) - want).abs() < 5e-4, "sentence {i}: component {got} vs reference {want}");
        }
        let cosines = numbers(&reference["cosines"][i]);
        for (j, want) in cosines.iter().enumerate() {
            let got = f64::from(dot(&embedding.vector, &embeddings[j].vector));
            assert!((got - want).abs() < 5e-4, "cosine({i}, {j}) = {got}, reference {want}");
        }
    }
    // The pair every sentence-transformers user knows.
    let eat = f64::from(dot(&embeddings[0].vector, &embeddings[1].vector));
    let ride = f64::from(dot(&embeddings[0].vector, &embeddings[2].vector));
    assert!(eat > 0.7 && ride < 0.3, "{eat} {ride}");
}

#[test]
fn a_text_gets_the_same_vector_alone_or_padded_in_a_batch() {
    let encoder = encoder();
    let short = "Prices rose.";
    let long =
        "The minister said on Tuesday that prices had risen faster in the capital than anywhere else in the country since the spring.";
    let alone = encoder.encode_one(short).unwrap_or_else(|e| panic!("{e}"));
    let batch = encoder.encode(&[long, short, long]).unwrap_or_else(|e| panic!("{e}"));
    let cosine = dot(&alone.vector, &batch[1].vector);
    assert!(cosine > 0.9999, "padding changed the vector: {cosine}");
    assert!(dot(&batch[0].vector, &batch[2].vector) > 0.9999);
}

#[test]
fn a_long_text_is_cut_and_says_so_and_an_empty_one_is_not() {
    let encoder = encoder();
    let long = "word ".repeat(MAX_TOKENS * 2);
    let out = encoder.encode(&[&long, "A short claim.", "", "   "]).unwrap_or_else(|e| panic!("{e}"));
    assert!(out[0].truncated);
    assert!(!out[1].truncated);
    assert!(!out[2].truncated && !out[3].truncated);
    assert_eq!(out[2].vector.len(), DIMENSION);
}

#[test]
fn missing_and_corrupt_files_are_errors_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("claimdesk-embed-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let err = Encoder::load(&dir).err().unwrap_or_else(|| panic!("loaded from an empty dir"));
    assert_eq!(err.kind(), "missing");
    assert!(err.to_string().contains("config.json"), "{err}");

    let source = default_dir();
    for name in ["config.json", "tokenizer.json"] {
        std::fs::copy(source.join(name), dir.join(name)).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(dir.join("model.safetensors"), b"\x10\0\0\0\0\0\0\0{not json}      ").unwrap_or_else(|e| panic!("{e}"));
    let err = Encoder::load(&dir).err().unwrap_or_else(|| panic!("loaded garbage weights"));
    assert!(matches!(err, EmbedError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("model.safetensors"), "{err}");

    // Weights cut short: the header promises more than the file holds.
    let weights = std::fs::read(source.join("model.safetensors")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("model.safetensors"), &weights[..weights.len() / 2]).unwrap_or_else(|e| panic!("{e}"));
    let err = Encoder::load(&dir).err().unwrap_or_else(|| panic!("loaded half the weights"));
    assert_eq!(err.kind(), "corrupt", "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
