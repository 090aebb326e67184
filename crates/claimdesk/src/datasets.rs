//! Readers for the labelled data sets `eval` and `train` take (the formats
//! of `shared/data/README.md`), recognised by their header.

use std::path::Path;

use anyhow::{Context, bail};

/// One labelled sentence: `positive` is check-worthy, uncertain, or subjective.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub text: String,
    pub positive: bool,
}

fn reader(path: &Path, delimiter: u8, headers: bool) -> anyhow::Result<csv::Reader<std::fs::File>> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(csv::ReaderBuilder::new().delimiter(delimiter).has_headers(headers).flexible(true).quoting(delimiter == b',').from_reader(file))
}

/// Reads `path`, skipping rows whose label is neither class (and saying how
/// many were skipped on stderr).
pub fn read(path: &Path) -> anyhow::Result<Vec<Labelled>> {
    let first_line = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches('\u{feff}')
        .to_owned();
    // (delimiter, has header, text column, label column, positive labels, negative labels)
    let (delimiter, headers, text_col, label_col, yes, no): (u8, bool, usize, usize, &[&str], &[&str]) = match first_line.as_str() {
        l if l.starts_with("Sentence_id\tText\tclass_label") => (b'\t', true, 1, 2, &["Yes"], &["No"]),
        l if l.starts_with("sentence_id\tsentence\tlabel") => (b'\t', true, 1, 2, &["SUBJ"], &["OBJ"]),
        l if l.starts_with("sentence_id,screening,label,text") => (b',', true, 3, 2, &["1"], &["0"]),
        l if l.starts_with("text,label") => (b',', true, 0, 1, &["1"], &["0"]),
        l if l.starts_with("-1,") || l.starts_with("1,") || l.starts_with("\"-1\",") || l.starts_with("\"1\",") => {
            (b',', false, 1, 0, &["-1"], &["1"])
        }
        other => bail!("{}: unrecognised data format (first line {:?})", path.display(), other.chars().take(60).collect::<String>()),
    };
    let mut out = Vec::new();
    let mut skipped = 0;
    for (i, record) in reader(path, delimiter, headers)?.records().enumerate() {
        let record = record.with_context(|| format!("{}: record {}", path.display(), i + 1))?;
        let (Some(text), Some(label)) = (record.get(text_col), record.get(label_col)) else {
            skipped += 1;
            continue;
        };
        let label = label.trim().trim_start_matches('\u{feff}');
        let positive = if yes.contains(&label) {
            true
        } else if no.contains(&label) {
            false
        } else {
            skipped += 1;
            continue;
        };
        // CoNLL text is tokenised: "-LRB-" is "(".
        let text = text.replace("-LRB-", "(").replace("-RRB-", ")");
        out.push(Labelled { text: text.trim().to_owned(), positive });
    }
    if skipped > 0 {
        eprintln!("{}: skipped {skipped} row(s) without a valid label", path.display());
    }
    Ok(out)
}

/// Precision, recall and F1 of the positive class, and of the negative one.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scores {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub tn: usize,
}

impl Scores {
    /// The counts of `scores` judged at `threshold` against `labels`.
    pub fn at(scores: &[f32], labels: &[bool], threshold: f32) -> Scores {
        let mut s = Scores::default();
        for (&score, &label) in scores.iter().zip(labels) {
            s.add(score >= threshold, label);
        }
        s
    }

    pub fn add(&mut self, predicted: bool, actual: bool) {
        match (predicted, actual) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }

    fn prf(tp: usize, fp: usize, fn_: usize) -> (f64, f64, f64) {
        let p = if tp + fp == 0 { 0.0 } else { tp as f64 / (tp + fp) as f64 };
        let r = if tp + fn_ == 0 { 0.0 } else { tp as f64 / (tp + fn_) as f64 };
        let f = if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) };
        (p, r, f)
    }

    /// (precision, recall, F1) of the positive class.
    pub fn positive(&self) -> (f64, f64, f64) {
        Self::prf(self.tp, self.fp, self.fn_)
    }

    /// Mean F1 of both classes.
    pub fn macro_f1(&self) -> f64 {
        (self.positive().2 + Self::prf(self.tn, self.fn_, self.fp).2) / 2.0
    }
}
