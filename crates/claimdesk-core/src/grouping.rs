//! From flags and sentence scores to claims: which sentences become claims,
//! and how urgently each wants review.

use crate::stack::Scorer;
use crate::{Claim, Flag};

/// How urgently a claim wants review, in [0, 1]: its strongest flag
/// (warnings and errors count fully, info at 0.8), nudged up by each further
/// flag, and never below the sentence's check-worthiness.
pub fn priority(flags: &[Flag], checkworthiness: f32) -> f32 {
    let weight = |f: &Flag| if f.severity == crate::Severity::Info { 0.8 } else { 1.0 };
    let strongest = flags.iter().map(|f| f.score * weight(f)).fold(0.0, f32::max);
    let more = 0.05 * flags.len().saturating_sub(1) as f32;
    (strongest + more).min(1.0).max(checkworthiness)
}

/// Takes the sentence scores a check-worthiness scorer reported (flags of
/// kind `checkworthy` spanning exactly one sentence) out of `flags`, and
/// returns each sentence's check-worthiness: the scorer's score combined
/// with the kinds of the sentence's other flags under that scorer's weights
/// ([`crate::stack`]), or 0 where none was reported.
pub fn take_sentence_scores(analysis: &crate::Analysis, flags: &mut Vec<Flag>) -> Vec<f32> {
    take_explained_scores(analysis, flags).into_iter().map(|(score, _)| score).collect()
}

/// Scores from which a sentence's score is explained: why a sentence
/// scored high is what a checker asks.
pub const EXPLAINED_FROM: f32 = 0.5;

/// [`take_sentence_scores`] with why each sentence scored as it did, in
/// plain words: the scorer's message (which model, which cues) and the
/// other flags' kinds that raise check-worthiness. Empty where nothing
/// was reported or the score is below [`EXPLAINED_FROM`].
pub fn take_explained_scores(analysis: &crate::Analysis, flags: &mut Vec<Flag>) -> Vec<(f32, String)> {
    let reported = take_reported(analysis, flags);
    let mut kinds: Vec<Vec<crate::Kind>> = vec![Vec::new(); reported.len()];
    for flag in flags.iter() {
        if let Some(list) = analysis.sentence_holding(flag.span).and_then(|s| kinds.get_mut(s.index))
            && !list.contains(&flag.kind)
        {
            list.push(flag.kind);
        }
    }
    reported
        .into_iter()
        .zip(&kinds)
        .map(|(reported, kinds)| {
            let Some(reported) = reported else { return (0.0, String::new()) };
            let score = crate::stack::checkworthiness(reported.scorer, reported.score, kinds);
            if score < EXPLAINED_FROM {
                return (score, String::new());
            }
            let others: Vec<&str> = kinds.iter().filter_map(|k| crate::stack::reason(*k)).collect();
            let mut why = reported.message.trim_end_matches('.').to_owned();
            if !others.is_empty() {
                why.push_str("; other detectors found ");
                why.push_str(&others.join(", "));
            }
            (score, why)
        })
        .collect()
}

/// One sentence's score as its scorer reported it.
struct Reported {
    score: f32,
    scorer: Scorer,
    message: std::sync::Arc<str>,
}

/// The scores the check-worthiness scorer reported, as they came (before
/// combining with the other flags), taken out of `flags`; `None` where the
/// scorer reported nothing.
pub fn take_model_scores(analysis: &crate::Analysis, flags: &mut Vec<Flag>) -> Vec<Option<f32>> {
    take_reported(analysis, flags).into_iter().map(|r| r.map(|r| r.score)).collect()
}

fn take_reported(analysis: &crate::Analysis, flags: &mut Vec<Flag>) -> Vec<Option<Reported>> {
    let sentences = &analysis.sentences;
    let mut scores: Vec<Option<Reported>> = sentences.iter().map(|_| None).collect();
    flags.retain(|flag| {
        if flag.kind == crate::Kind::Checkworthy {
            let i = sentences.partition_point(|s| s.span.start < flag.span.start);
            if let Some(s) = sentences.get(i).filter(|s| s.span == flag.span) {
                if scores[s.index].as_ref().is_none_or(|r| flag.score > r.score) {
                    let scorer = if flag.rule.as_ref() == crate::stack::ENCODER_RULE { Scorer::Encoder } else { Scorer::Words };
                    scores[s.index] = Some(Reported { score: flag.score, scorer, message: flag.message.clone() });
                }
                return false;
            }
        }
        true
    });
    scores
}

/// Groups flags into claims: one claim per sentence that has a flag or whose
/// check-worthiness reaches `threshold`. `flags` must be sorted by position
/// (as the plugin host returns them); `scores` holds each sentence's
/// check-worthiness. Flags outside every sentence are dropped.
pub fn group_claims(text: &str, analysis: &crate::Analysis, flags: Vec<Flag>, scores: &[f32], threshold: f32) -> Vec<Claim> {
    let sentences = &analysis.sentences;
    let mut per_sentence: Vec<Vec<Flag>> = vec![Vec::new(); sentences.len()];
    for flag in flags {
        if let Some(list) = analysis.sentence_holding(flag.span).and_then(|s| per_sentence.get_mut(s.index)) {
            list.push(flag);
        }
    }
    let mut claims = Vec::new();
    for ((sentence, attribution), flags) in analysis.sentences_with_attribution().zip(per_sentence) {
        let score = scores.get(sentence.index).copied().unwrap_or(0.0);
        if flags.is_empty() && score < threshold {
            continue;
        }
        let speaker = attribution.and_then(|a| a.speaker_name(text, &analysis.attributions)).map(str::to_owned);
        let speaker_kind = crate::SpeakerKind::detected(speaker.as_deref(), attribution.is_some_and(|a| a.anonymous));
        let mut claim = Claim::new(sentence.index, sentence.span, sentence.span.slice(text).unwrap_or(""), flags);
        claim.priority = priority(&claim.flags, score);
        claim.speaker = speaker;
        claim.speaker_kind = speaker_kind;
        claims.push(claim);
    }
    claims
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    #[test]
    fn claims_group_flags_by_sentence() {
        use std::sync::Arc;
        let text = "Prices doubled, officials said. Nothing else happened. The plan is huge.";
        let analysis = crate::analyze(text);
        let flag = |start: usize, end: usize, score: f32| Flag {
            plugin: Arc::from("p"),
            plugin_version: Arc::from("1"),
            rule: Arc::from("p.r"),
            kind: crate::Kind::Numeric,
            severity: crate::Severity::Warning,
            span: Span::new(start, end),
            score,
            message: Arc::from("m"),
            question: Arc::from("q"),
            quoted_speaker: None,
        };
        let flags = vec![flag(7, 14, 0.6), flag(0, 6, 0.5), flag(64, 68, 0.9)];
        let claims = group_claims(text, &analysis, flags.clone(), &[0.0, 0.7, 0.0], 0.5);
        assert_eq!(claims.len(), 3, "two flagged sentences and one check-worthy one");
        assert_eq!(claims[0].flags.len(), 2);
        assert_eq!(claims[0].speaker.as_deref(), Some("officials"));
        assert_eq!(claims[0].speaker_kind, crate::SpeakerKind::Anonymous);
        assert_eq!(claims[1].speaker_kind, crate::SpeakerKind::Outlet, "no speaker: the outlet's own claim");
        assert!((claims[0].priority - 0.65).abs() < 1e-6, "strongest 0.6 plus 0.05 for the second flag");
        assert_eq!(claims[1].text, "Nothing else happened.");
        assert!((claims[1].priority - 0.7).abs() < 1e-6, "check-worthiness alone");
        assert_eq!((claims[2].sentence_index, claims[2].flags.len()), (2, 1));
        assert_eq!(group_claims(text, &analysis, flags, &[], 0.5).len(), 2, "no scores: flagged sentences only");
    }
}
