//! Fusing a lexical score (BM25 from the database's full-text index) with
//! the encoder's cosine: both are z-scored over one query's candidates and
//! mixed linearly. The weight and the threshold of a "strong" match were
//! chosen by cross-validation on training pairs (docs/DETECTION.md).

/// One library item a query might be about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub item: i64,
    /// Higher is better; `None` when the full-text index did not return it.
    pub lexical: Option<f64>,
    /// The cosine of the query's and the item's vectors.
    pub cosine: f32,
}

/// How the two scores are mixed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fusion {
    /// Weight of the lexical z-score; the cosine's is `1 - lexical_weight`.
    pub lexical_weight: f64,
}

/// The setting that ships (chosen on the CLEF 2020 CheckThat! 2A training
/// pairs by 5-fold cross-validation; docs/DETECTION.md).
pub const DEFAULT: Fusion = Fusion { lexical_weight: 0.2 };

/// From this cosine a match is "strong": the queue shows a "checked before"
/// chip for it. The lowest threshold whose false-alarm rate (the closest
/// item reaching it when the query's own fact-checks are removed from the
/// library) is at most 5 %, by 5-fold cross-validation on the training
/// pairs (`tools/strong_match_cv.py`, docs/DETECTION.md).
pub const STRONG_COSINE: f32 = 0.76;

/// Candidates with their fused score, best first; ties keep the cosine order.
pub fn fuse(candidates: &[Candidate], fusion: Fusion) -> Vec<(Candidate, f64)> {
    if candidates.is_empty() {
        return Vec::new();
    }
    let floor = candidates.iter().filter_map(|c| c.lexical).fold(f64::INFINITY, f64::min);
    let floor = if floor.is_finite() { floor } else { 0.0 };
    let lexical: Vec<f64> = candidates.iter().map(|c| c.lexical.unwrap_or(floor)).collect();
    let cosine: Vec<f64> = candidates.iter().map(|c| f64::from(c.cosine)).collect();
    let (zl, zc) = (zscores(&lexical), zscores(&cosine));
    let w = fusion.lexical_weight;
    let mut out: Vec<(Candidate, f64)> = candidates.iter().zip(zl.iter().zip(&zc)).map(|(c, (l, k))| (*c, w * l + (1.0 - w) * k)).collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cosine.total_cmp(&a.0.cosine)).then(a.0.item.cmp(&b.0.item)));
    out
}

fn zscores(values: &[f64]) -> Vec<f64> {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    values.iter().map(|v| if sd > 0.0 { (v - mean) / sd } else { 0.0 }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(item: i64, lexical: Option<f64>, cosine: f32) -> Candidate {
        Candidate { item, lexical, cosine }
    }

    #[test]
    fn the_weights_decide_between_a_lexical_and_a_semantic_favourite() {
        let cands = [c(1, Some(20.0), 0.40), c(2, Some(2.0), 0.90), c(3, None, 0.30)];
        assert_eq!(fuse(&cands, Fusion { lexical_weight: 1.0 })[0].0.item, 1);
        assert_eq!(fuse(&cands, Fusion { lexical_weight: 0.0 })[0].0.item, 2);
        assert_eq!(fuse(&cands, DEFAULT)[0].0.item, 2);
        // Missing lexical scores count as the lowest returned one.
        assert_eq!(fuse(&cands, Fusion { lexical_weight: 1.0 })[2].0.item, 3);
    }

    #[test]
    fn one_or_no_candidates_and_equal_scores_are_fine() {
        assert!(fuse(&[], DEFAULT).is_empty());
        let one = fuse(&[c(7, None, 0.5)], DEFAULT);
        assert_eq!((one[0].0.item, one[0].1), (7, 0.0));
        let tied = fuse(&[c(2, Some(1.0), 0.5), c(1, Some(1.0), 0.5)], DEFAULT);
        assert_eq!(tied.iter().map(|(c, _)| c.item).collect::<Vec<_>>(), [1, 2]);
    }
}
