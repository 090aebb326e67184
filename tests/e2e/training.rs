//! `claimdesk train` / `eval` with word vectors, on sentences and vectors
//! written here: a model trained on a few words must generalise to other
//! words through their vectors, and the plugin must run the model file.

use std::path::{Path, PathBuf};

use claimdesk_tests::temp_dir;

use crate::{check_json, claimdesk, path_str, stderr, stdout};

/// Four dimensions; the first says how much a word judges. Words of the
/// test sentences below that are *not* in the training sentences still
/// have vectors, which is what the model must use.
const VECTORS: &str = "\
the 0.0 0.1 0.0 0.0
a 0.0 0.1 0.0 0.0
council 0.0 0.9 0.1 0.0
approved 0.0 0.8 0.2 0.0
budget 0.0 0.7 0.3 0.0
on 0.0 0.1 0.0 0.0
tuesday 0.0 0.6 0.1 0.1
votes 0.0 0.8 0.0 0.2
road 0.0 0.7 0.0 0.3
opened 0.0 0.8 0.1 0.0
outrageous 1.0 0.0 0.1 0.0
shameful 0.9 0.0 0.2 0.0
pathetic 1.0 0.1 0.0 0.0
decision 0.1 0.5 0.2 0.0
is 0.0 0.1 0.0 0.0
disgraceful 0.95 0.0 0.1 0.1
bridge 0.0 0.7 0.2 0.1
";

fn write_data(dir: &Path) -> (PathBuf, PathBuf) {
    let data = dir.join("subjectivity.tsv");
    let mut tsv = String::from("sentence_id\tsentence\tlabel\tsolved_conflict\n");
    for i in 0..6 {
        tsv.push_str(&format!("s{i}\tThe council approved the budget on Tuesday.\tOBJ\tFalse\n"));
        tsv.push_str(&format!("r{i}\tThe road opened on Tuesday after votes.\tOBJ\tFalse\n"));
        tsv.push_str(&format!("o{i}\tThe decision is outrageous.\tSUBJ\tFalse\n"));
        tsv.push_str(&format!("p{i}\tA shameful, pathetic decision.\tSUBJ\tFalse\n"));
    }
    std::fs::write(&data, tsv).unwrap();
    let vectors = dir.join("vectors.txt");
    std::fs::write(&vectors, VECTORS).unwrap();
    (data, vectors)
}

#[test]
fn a_vector_model_trains_evaluates_and_runs_in_the_plugin() {
    let dir = temp_dir("train-vectors");
    let (data, vectors) = write_data(&dir);
    let model = dir.join("model.bin");
    // Little data: train hard, so the few sentences are learned.
    let settings =
        ["--task", "subjectivity", "--data", path_str(&data), "--vectors", path_str(&vectors), "--l2", "0.0001", "--epochs", "500"];
    let output = claimdesk(&[&["train", "--output", path_str(&model)][..], &settings].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("trained on 24 sentences"), "{}", stdout(&output));

    let output = claimdesk(&["eval", "--task", "subjectivity", "--data", path_str(&data), "--model", path_str(&model)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("macro F1 1.000"), "the training sentences are separable: {}", stdout(&output));

    // "disgraceful" and "bridge" never occur in the training sentences.
    let article = dir.join("article.txt");
    std::fs::write(&article, "A disgraceful bridge.\n\nThe bridge opened on Tuesday.\n").unwrap();
    let config = format!("subjectivity=model={}", model.display());
    let (json, output) = check_json(&[path_str(&article), "--plugin-config", &config]);
    assert!(output.status.success(), "{}", stderr(&output));
    let flagged: Vec<&str> = json["documents"][0]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "subjectivity.sentence")
        .map(|f| f["text"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, vec!["A disgraceful bridge."], "the judging word is known only by its vector");

    // Cross-validation runs the plugin with each fold's vector model.
    let output = claimdesk(&[&["eval", "--folds", "2"][..], &settings].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("2-fold cross-validation at threshold 0.50, all plugins, pooled"), "{}", stdout(&output));
}

#[test]
fn missing_or_broken_vectors_are_clear_errors_and_write_nothing() {
    let dir = temp_dir("train-vectors-bad");
    let (data, _) = write_data(&dir);
    let model = dir.join("model.bin");
    let args = ["train", "--task", "subjectivity", "--data", path_str(&data), "--output", path_str(&model)];

    let output = claimdesk(&args);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("needs word vectors (train with --vectors FILE)"), "{}", stderr(&output));

    let broken = dir.join("broken.txt");
    std::fs::write(&broken, "the 0.1 0.2\ncouncil 0.3 0.4\nbudget 0.5\n").unwrap();
    let output = claimdesk(&[&args[..], &["--vectors", path_str(&broken)]].concat());
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains(&format!("{}: line 3: expected 2 finite numbers, found 1", broken.display())), "{err}");

    std::fs::write(&broken, "the 0.1 zero\n").unwrap();
    let output = claimdesk(&[&args[..], &["--vectors", path_str(&broken)]].concat());
    assert!(stderr(&output).contains("line 1: not a number"), "{}", stderr(&output));

    let output = claimdesk(&[&args[..], &["--vectors", path_str(&dir.join("absent.txt"))]].concat());
    assert!(stderr(&output).contains("cannot open"), "{}", stderr(&output));
    assert!(!model.exists(), "no model file after a failed training");

    // A model file whose vectors are cut short: the plugin refuses it, the
    // others still run.
    let (_, vectors) = write_data(&dir);
    let output = claimdesk(&[&args[..], &["--vectors", path_str(&vectors)]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    let mut bytes = std::fs::read(&model).unwrap();
    bytes.truncate(bytes.len() - 10);
    std::fs::write(&model, bytes).unwrap();
    let article = dir.join("article.txt");
    std::fs::write(&article, "The council approved the budget, which critics called outrageous.\n").unwrap();
    let config = format!("subjectivity=model={}", model.display());
    let (json, output) = check_json(&[path_str(&article), "--plugin-config", &config]);
    let errors = json["load_errors"].to_string();
    assert!(errors.contains("word vectors are damaged"), "{errors}\n{}", stderr(&output));
    assert!(!json["documents"][0]["flags"].as_array().unwrap().is_empty(), "the other plugins ran");
}

#[test]
fn desk_thresholds_outside_0_to_1_are_refused_before_any_training() {
    for bad in [["1.5", "0.4"], ["0.4", "half"]] {
        let output = claimdesk(&[
            "train", "--task", "desk", "--data", "absent.tsv", "--thresholds", bad[0], bad[1], "--output", "/nonexistent/desk",
        ]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(stderr(&output).contains("is not a threshold between 0 and 1"), "{}", stderr(&output));
    }
}

#[test]
fn desk_training_without_a_measurement_or_thresholds_is_refused_before_it_starts() {
    let dir = temp_dir("train-desk-no-thresholds");
    let (cw, subj) = (dir.join("cw.tsv"), dir.join("subj.tsv"));
    std::fs::write(&cw, "Sentence_id\tText\tclass_label\n1\tThe council spent £2 million.\tYes\n2\tThank you.\tNo\n").unwrap();
    std::fs::write(&subj, "sentence_id\tsentence\tlabel\na\tA shameful decision.\tSUBJ\nb\tThe vote was on Monday.\tOBJ\n").unwrap();
    let output = dir.join("desk");
    let args =
        ["train", "--task", "desk", "--data", path_str(&cw), "--data", path_str(&subj), "--folds", "0", "--output", path_str(&output)];
    let out = claimdesk(&args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no thresholds for the heads: measure"), "{}", stderr(&out));
    assert!(!output.exists(), "nothing written");
}

/// Labelled sentences in the two data formats and out-of-fold encoder
/// scores for them (four folds): the encoder's score is right for most
/// sentences, and the check-worthy ones all hold a figure.
fn write_encoder_scores(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let (cw, subj, scores) = (dir.join("cw.tsv"), dir.join("subj.tsv"), dir.join("scores.tsv"));
    let mut cw_text = String::from("Sentence_id\tText\tclass_label\n");
    let mut subj_text = String::from("sentence_id\tsentence\tlabel\n");
    let mut table = String::from("task\tsentence\tpart\tlabel\tprobability\n");
    for i in 0..40 {
        let worth = i % 2 == 0;
        let text = if worth {
            format!("The council spent £{} million on the harbour wall in {}.", i + 2, 2000 + i)
        } else {
            format!("Thank you all for coming to meeting number {} tonight.", i)
        };
        cw_text.push_str(&format!("{i}\t{text}\t{}\n", if worth { "Yes" } else { "No" }));
        // Wrong for every fifth sentence.
        let p = if worth == (i % 5 != 0) { 0.8 } else { 0.2 };
        table.push_str(&format!("checkworthiness\t{i}\tfold{}\t{}\t{p}\n", i / 2 % 4 + 1, u8::from(worth)));
    }
    for i in 0..24 {
        let subjective = i % 2 == 0;
        let text = if subjective { "What a shameful, outrageous decision this is." } else { "The bridge opened on Tuesday after a vote." };
        subj_text.push_str(&format!("s{i}\t{text}\t{}\n", if subjective { "SUBJ" } else { "OBJ" }));
        let p = if subjective == (i % 6 != 0) { 0.7 } else { 0.3 };
        table.push_str(&format!("subjectivity\t{i}\tfold{}\t{}\t{p}\n", i / 2 % 4 + 1, u8::from(subjective)));
    }
    std::fs::write(&cw, cw_text).unwrap();
    std::fs::write(&subj, subj_text).unwrap();
    std::fs::write(&scores, table).unwrap();
    (cw, subj, scores)
}

/// `claimdesk ARGS` run from the repository's root, where the trainers
/// find the shipped heads and word models.
fn claimdesk_at_root(args: &[&str]) -> std::process::Output {
    std::process::Command::new(claimdesk_tests::claimdesk_bin())
        .args(args)
        .current_dir(claimdesk_tests::workspace_root())
        .env("CLAIMDESK_PROFILE", "fast")
        .env_remove("CLAIMDESK_PLUGINS")
        .output()
        .expect("claimdesk runs")
}

#[test]
fn encoder_combinations_are_measured_on_the_folds_of_the_scores_and_written_where_asked() {
    let dir = temp_dir("train-encoder-stack");
    let (cw, subj, scores) = write_encoder_scores(&dir);
    let out = dir.join("out");
    let data = ["--data", path_str(&cw), "--data", path_str(&subj)];
    let args = [&["train", "--task", "stack", "--encoder-scores", path_str(&scores)][..], &data, &["--output", path_str(&out)]].concat();
    let output = claimdesk_at_root(&args);
    let text = stdout(&output);
    assert!(output.status.success(), "{text}\n{}", stderr(&output));
    assert!(text.contains("Checkworthiness, 40 sentences, 4 folds"), "{text}");
    assert!(text.contains("Subjectivity, 24 sentences, 4 folds"), "{text}");
    for candidate in ["encoder + word model", "encoder + flags", "encoder + word model + flags"] {
        assert!(text.contains(&format!("  {candidate}: ")), "{candidate}: {text}");
    }
    assert!(text.contains("(measured only: the plugin decides without the flags)"), "{text}");
    // The word model tells these sentences apart where the encoder's
    // scores are wrong: combining with it is chosen for both heads.
    assert_eq!(text.matches("  chosen: encoder + word model (").count(), 2, "{text}");
    // The files are where the repository keeps them, under --output.
    let weights = std::fs::read_to_string(out.join("crates/claimdesk-core/src/stack_weights.rs")).unwrap();
    assert!(weights.contains("pub(crate) const WEIGHTS") && weights.contains("pub(crate) const ENCODER_WEIGHTS"), "{weights}");
    // The flags were not chosen: the host uses the encoder's score as the plugin reports it.
    assert!(weights.contains("ENCODER_WEIGHTS: [f32; crate::stack::STACK_WEIGHTS] = [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0];"), "{weights}");
    for head in ["plugins/checkworthiness/model/head.txt", "plugins/subjectivity/model/head.txt"] {
        // The head itself is the shipped one; only its combination line may differ.
        let written = std::fs::read_to_string(out.join(head)).unwrap();
        let shipped = std::fs::read_to_string(claimdesk_tests::workspace_root().join(head)).unwrap();
        let head_lines = |text: &str| text.lines().filter(|l| !l.starts_with("words ")).map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(head_lines(&written), head_lines(&shipped), "{head}");
        assert_eq!(written.lines().filter(|l| l.starts_with("words ") && l.split(' ').count() == 4).count(), 1, "{written}");
    }

    // Measuring only writes nothing.
    let quiet = dir.join("quiet");
    let output = claimdesk_at_root(
        &[
            &["train", "--task", "stack", "--encoder-scores", path_str(&scores), "--measure-only"][..],
            &data,
            &["--output", path_str(&quiet)],
        ]
        .concat(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!quiet.exists(), "measure only");

    // Scores made from other data are refused, naming the line; nothing is written.
    let table = std::fs::read_to_string(&scores).unwrap().replacen("checkworthiness\t0\tfold1\t1\t", "checkworthiness\t0\tfold1\t0\t", 1);
    let wrong = dir.join("wrong.tsv");
    std::fs::write(&wrong, table).unwrap();
    let refused = dir.join("refused");
    let output = claimdesk_at_root(
        &[&["train", "--task", "stack", "--encoder-scores", path_str(&wrong)][..], &data, &["--output", path_str(&refused)]].concat(),
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("wrong.tsv:2") && stderr(&output).contains("label differs"), "{}", stderr(&output));
    assert!(!refused.exists(), "nothing written");
}
