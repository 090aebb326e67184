//! Fine-tuning the encoder's top (`claimdesk_embed::tune`) and the desk
//! model it writes: a toy task is learnt, the saved model gives the
//! vectors the heads were trained on, long and broken input is handled.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test binary: failing loudly is the point

use claimdesk_embed::tune::{TaskData, TuneOptions};
use claimdesk_embed::{DeskInfo, EmbedError, Encoder, default_dir};

const FIGURES: [&str; 6] = [
    "Unemployment fell from 9 percent to 4 percent in four years.",
    "The council spent £2.4 million on the new depot last year.",
    "Bus fares rose by 12% in 2023, the steepest rise in a decade.",
    "Crime in the city centre doubled between 2019 and 2022.",
    "The hospital treated 40,000 patients, twice as many as in 2015.",
    "Half of all households now recycle their food waste.",
];
const CHATTER: [&str; 6] = [
    "Thank you all for coming tonight.",
    "Good evening and welcome to the debate.",
    "I want to thank my family for their support.",
    "Let me say something about that.",
    "It is great to be here with you.",
    "We will come back to that in a moment.",
];

fn encoder() -> Encoder {
    Encoder::load(&default_dir()).unwrap_or_else(|e| panic!("the shipped model loads: {e}"))
}

#[test]
fn a_toy_task_is_learnt_and_the_saved_desk_model_reproduces_it() {
    let base = encoder();
    let texts: Vec<&str> = FIGURES.iter().chain(&CHATTER).copied().collect();
    let labels: Vec<bool> = (0..texts.len()).map(|i| i < FIGURES.len()).collect();
    let shared = 5; // tune the last layer only: a quick test
    let states = base.hidden_states(&texts, shared).unwrap();
    assert_eq!(states.len(), texts.len());
    let options = TuneOptions { shared, epochs: 12, learning_rate: 1e-3, batch: 4, dropout: 0.0, ..TuneOptions::default() };
    let mut tuned = base.start_tuning(shared, 1, 7).unwrap();
    let mut losses = Vec::new();
    let task = TaskData { name: "toy", states: &states, labels: &labels, train: (0..texts.len()).collect(), repeat: 1 };
    tuned.train(&[task], &options, |_, loss| losses.push(loss)).unwrap();
    assert!(losses.last().unwrap() < &(losses[0] * 0.5), "the loss falls: {losses:?}");
    let refs: Vec<_> = states.iter().collect();
    let logits = tuned.logits(0, &refs).unwrap();
    assert!(logits.iter().zip(&labels).all(|(z, &positive)| (*z > 0.0) == positive), "the toy task is learnt: {logits:?}");

    // Saved (in f16) and loaded back, the desk vectors under the head give the same logits.
    let dir = std::env::temp_dir().join(format!("claimdesk-desk-test-{}", std::process::id()));
    let info = DeskInfo {
        id: String::new(),
        base: claimdesk_embed::MODEL_NAME.into(),
        shared: 0,
        tasks: vec!["toy".into()],
        trained: "test".into(),
    };
    let info = tuned.save(&dir, info, |bytes| format!("{:016x}", bytes.len())).unwrap();
    assert_eq!((info.shared, info.id.len()), (shared, 16));
    let desk = encoder().with_desk(&dir).unwrap();
    assert_eq!(desk.desk().unwrap(), &info);
    let (weights, bias) = tuned.head(0).unwrap();
    let vectors = desk.desk_vectors(&texts).unwrap();
    for (vector, logit) in vectors.iter().zip(&logits) {
        let again = bias + weights.iter().zip(&vector.vector).map(|(w, x)| w * x).sum::<f32>();
        assert!((again - logit).abs() < 0.05 * logit.abs().max(1.0), "{again} vs {logit}");
    }
    // A 100 KB sentence: cut at the encoder's limit, a vector all the same.
    let long = "The council said the depot cost more than planned. ".repeat(2000);
    let cut = desk.desk_vectors(&[long.as_str()]).unwrap();
    assert!(cut[0].truncated && cut[0].vector.iter().all(|x| x.is_finite()));

    // A missing or damaged desk model is a named error.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let err = encoder().with_desk(&empty).unwrap_err();
    assert!(matches!(err, EmbedError::Missing { .. }) && err.to_string().contains("desk.json"), "{err}");
    std::fs::write(dir.join("desk.safetensors"), b"not a tensor file").unwrap();
    let err = encoder().with_desk(&dir).unwrap_err();
    assert!(matches!(err, EmbedError::Corrupt { .. }) && err.to_string().contains("desk.safetensors"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
