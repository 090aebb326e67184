//! Retrieval measures over ranked lists with one or more relevant items per
//! query, as CLEF CheckThat! scores claim retrieval.

use std::collections::{HashMap, HashSet};

/// A query's ranking (best first) and the items that are right for it.
#[derive(Debug, Clone)]
pub struct Judged {
    pub ranking: Vec<String>,
    pub relevant: HashSet<String>,
}

/// MAP@1, MAP@5, MRR and Recall@5 over the queries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub map_at_1: f64,
    pub map_at_5: f64,
    pub mrr: f64,
    pub recall_at_5: f64,
    pub queries: usize,
}

/// Average precision cut at `k`: precision at each relevant item within the
/// first `k`, over `min(relevant, k)`.
pub fn average_precision(judged: &Judged, k: usize) -> f64 {
    if judged.relevant.is_empty() {
        return 0.0;
    }
    let (mut hits, mut sum) = (0usize, 0.0);
    for (i, item) in judged.ranking.iter().take(k).enumerate() {
        if judged.relevant.contains(item) {
            hits += 1;
            sum += hits as f64 / (i + 1) as f64;
        }
    }
    sum / judged.relevant.len().min(k) as f64
}

fn reciprocal_rank(judged: &Judged) -> f64 {
    judged.ranking.iter().position(|item| judged.relevant.contains(item)).map_or(0.0, |i| 1.0 / (i + 1) as f64)
}

fn recall(judged: &Judged, k: usize) -> f64 {
    if judged.relevant.is_empty() {
        return 0.0;
    }
    let found = judged.ranking.iter().take(k).filter(|item| judged.relevant.contains(*item)).count();
    found as f64 / judged.relevant.len() as f64
}

pub fn score(queries: &[Judged]) -> Scores {
    let n = queries.len().max(1) as f64;
    let mean = |f: &dyn Fn(&Judged) -> f64| queries.iter().map(f).sum::<f64>() / n;
    Scores {
        map_at_1: mean(&|j| average_precision(j, 1)),
        map_at_5: mean(&|j| average_precision(j, 5)),
        mrr: mean(&reciprocal_rank),
        recall_at_5: mean(&|j| recall(j, 5)),
        queries: queries.len(),
    }
}

/// Reads TREC qrels (`qid 0 docid relevance`, whitespace-separated); lines
/// with relevance 0 are not relevant.
pub fn read_qrels(text: &str) -> Result<HashMap<String, HashSet<String>>, String> {
    let mut out: HashMap<String, HashSet<String>> = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let [qid, _, doc, rel] = fields[..] else {
            return Err(format!("line {}: expected `qid 0 docid relevance`", n + 1));
        };
        let rel: i64 = rel.parse().map_err(|_| format!("line {}: relevance {rel:?} is not a number", n + 1))?;
        if rel > 0 {
            out.entry(qid.to_owned()).or_default().insert(doc.to_owned());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(ranking: &[&str], relevant: &[&str]) -> Judged {
        Judged { ranking: ranking.iter().map(|s| s.to_string()).collect(), relevant: relevant.iter().map(|s| s.to_string()).collect() }
    }

    #[test]
    fn measures_by_hand() {
        let q = [judged(&["a", "b", "c"], &["b"]), judged(&["x", "y"], &["x"]), judged(&["p"], &["z"])];
        let s = score(&q);
        assert!((s.map_at_1 - 1.0 / 3.0).abs() < 1e-12);
        assert!((s.map_at_5 - (0.5 + 1.0) / 3.0).abs() < 1e-12);
        assert!((s.mrr - (0.5 + 1.0) / 3.0).abs() < 1e-12);
        assert!((s.recall_at_5 - 2.0 / 3.0).abs() < 1e-12);
        // Two relevant items, found at 1 and 3: (1/1 + 2/3) / 2.
        let two = judged(&["a", "x", "b"], &["a", "b"]);
        assert!((average_precision(&two, 5) - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
        assert!((average_precision(&two, 1) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn qrels_are_read_and_bad_lines_named() {
        let q = read_qrels("1 0 10 1\n1 0 11 0\n2\t0\t12\t1\n\n").unwrap_or_default();
        assert_eq!(q["1"].len(), 1);
        assert!(q["2"].contains("12"));
        assert!(read_qrels("1 0 10\n").unwrap_err().contains("line 1"));
        assert!(read_qrels("1 0 10 yes\n").unwrap_err().contains("line 1"));
    }
}
