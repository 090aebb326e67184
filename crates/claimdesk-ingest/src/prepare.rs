//! Checking a document and shaping the result for the store.

use claimdesk_core::{Claim, Document, analyze, group_claims, take_explained_scores};
use claimdesk_plugin_host::{PluginHost, RunError};
use claimdesk_store::{NewDocument, NewSentence};

/// A sentence without flags becomes a claim when its check-worthiness
/// reaches this.
pub const CLAIM_THRESHOLD: f32 = 0.5;

/// Analyses `text`, runs every plugin over it and groups the flags into
/// claims. Plugin failures are returned beside the result; the other
/// plugins' flags are kept.
pub fn check_document(host: &PluginHost, text: &str, threshold: f32) -> (Vec<NewSentence>, Vec<Claim>, Vec<RunError>) {
    let analysis = analyze(text);
    let outcome = host.check(text, &analysis);
    let mut flags = outcome.flags;
    let (scores, whys): (Vec<f32>, Vec<String>) = take_explained_scores(&analysis, &mut flags).into_iter().unzip();
    let sentences = analysis
        .sentences_with_attribution()
        .map(|(s, attribution)| NewSentence {
            span: s.span,
            checkworthiness: scores.get(s.index).copied().unwrap_or(0.0),
            why: whys.get(s.index).cloned().unwrap_or_default(),
            speaker: attribution.and_then(|a| a.speaker_name(text, &analysis.attributions)).map(str::to_owned),
            anonymous: attribution.is_some_and(|a| a.anonymous),
        })
        .collect();
    let claims = group_claims(text, &analysis, flags, &scores, threshold);
    (sentences, claims, outcome.errors)
}

/// Everything to store for `doc`, and the plugins that failed on it.
pub fn prepare<'a>(doc: &'a Document, origin: Option<String>, host: &PluginHost) -> (NewDocument<'a>, Vec<RunError>) {
    let (sentences, claims, errors) = check_document(host, &doc.body, CLAIM_THRESHOLD);
    (NewDocument { document: doc, origin, sentences, claims }, errors)
}
