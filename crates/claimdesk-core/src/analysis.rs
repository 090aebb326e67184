use crate::attribution::attributions_in;
use crate::quotes::quotes_in;
use crate::segment::{number, split_unit_into, units};
use crate::{Attribution, Quote, Sentence};

/// Everything the core finds in a text: sentences, quotations and who said
/// what. Every plugin is handed the same analysis, so segmentation and quote
/// boundaries are consistent across plugins and pages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Analysis {
    pub sentences: Vec<Sentence>,
    pub quotes: Vec<Quote>,
    pub attributions: Vec<Attribution>,
}

impl Analysis {
    /// Each sentence with its first attribution, if any. Attributions come
    /// in text order, so one forward walk pairs them up.
    pub fn sentences_with_attribution(&self) -> impl Iterator<Item = (&Sentence, Option<&Attribution>)> {
        let mut next = 0;
        self.sentences.iter().map(move |s| {
            while self.attributions.get(next).is_some_and(|a| a.sentence < s.index) {
                next += 1;
            }
            (s, self.attributions.get(next).filter(|a| a.sentence == s.index))
        })
    }
}

/// Segments `text`, finds its quotations and attributes them.
pub fn analyze(text: &str) -> Analysis {
    let mut quotes = Vec::new();
    let mut spans = Vec::new();
    for unit in units(text) {
        let first = quotes.len();
        quotes_in(text, unit.span, &mut quotes);
        split_unit_into(text, unit, &quotes[first..], &mut spans);
    }
    let sentences = number(spans);
    let attributions = attributions_in(text, &sentences, &mut quotes);
    Analysis { sentences, quotes, attributions }
}
