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
    /// The sentence that wholly contains `span`, if one does.
    pub fn sentence_holding(&self, span: crate::Span) -> Option<&Sentence> {
        let i = self.sentences.partition_point(|s| s.span.end <= span.start);
        self.sentences.get(i).filter(|s| s.span.contains_span(span))
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    /// Random text from news-like pieces and awkward characters: analysis
    /// never panics, and every span it returns is on char boundaries and in order.
    #[test]
    fn random_text_never_breaks_the_analysis() {
        const PIECES: &[&str] = &[
            "said", "Mr.", "U.S.", "“", "”", "‘", "’", "\"", "'", ".", "...", "…", "!", "?", ",", ":", "\n", "\n\n", "\r\n", " ", "- ",
            "1. ", "3.5%", "WASHINGTON:", "— ", "according to", "officials", "he", "Zoë", "🎉", "e\u{301}", "(", ")", "Ana Ruiz", "told",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..500 {
            let mut text = String::new();
            for _ in 0..(seed % 60) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(PIECES[(seed % PIECES.len() as u64) as usize]);
            }
            let analysis = analyze(&text);
            let spans = analysis
                .sentences
                .iter()
                .map(|s| s.span)
                .chain(analysis.quotes.iter().flat_map(|q| [q.span, q.inner]))
                .chain(analysis.attributions.iter().flat_map(|a| a.speaker.into_iter().chain([a.cue])));
            for span in spans {
                assert!(span.start <= span.end && span.slice(&text).is_some(), "{span:?} in {text:?}");
            }
            assert!(analysis.sentences.windows(2).all(|w| w[0].span.end <= w[1].span.start), "{text:?}");
        }
    }

    #[test]
    fn a_hundred_kilobyte_sentence_without_punctuation() {
        let text = "the council met again and the talks went on ".repeat(2300);
        assert!(text.len() > 100_000);
        let analysis = analyze(&text);
        assert_eq!(analysis.sentences.len(), 1);
    }
}
