//! `shouting`: the example plugin walked through in `docs/PLUGINS.md`.
//!
//! Flags runs of words written in capitals ("BIG PROGRESS ON RUSSIA"):
//! emphasis standing in for evidence. Inside a quotation the message names
//! the speaker the core found. Config: `min_words=N` (default 3).

use claimdesk_plugin_api::{Checker, Flags, Kind, Rule, Severity, Text, export_plugin};

const CAPS: Rule = Rule {
    id: "shouting.caps",
    kind: Kind::Other,
    severity: Severity::Info,
    description: "Several words in capitals: emphasis standing in for evidence.",
};

#[derive(Debug)]
pub struct Shouting {
    min_words: usize,
}

/// A word in capitals: at least two letters, no lower-case letter.
fn is_shouted(word: &str) -> bool {
    word.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !word.chars().any(char::is_lowercase)
}

impl Checker for Shouting {
    const NAME: &'static str = "shouting";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Runs of words written in capitals.";
    const RULES: &'static [Rule] = &[CAPS];

    fn new(config: &str) -> Result<Self, String> {
        let min_words = match config.trim() {
            "" => 3,
            setting => setting
                .strip_prefix("min_words=")
                .and_then(|n| n.parse().ok())
                .filter(|&n| n > 0)
                .ok_or_else(|| format!("unknown config {setting:?}; expected min_words=N with N ≥ 1"))?,
        };
        Ok(Shouting { min_words })
    }

    fn check(&self, doc: &Text<'_>, out: &mut Flags<'_>) {
        for sentence in doc.sentences() {
            // (start, end, words) of the current run of shouted words.
            let mut run: Option<(usize, usize, usize)> = None;
            let words = sentence.text.split_whitespace().map(|w| {
                let offset = w.as_ptr() as usize - sentence.text.as_ptr() as usize;
                let w = w.trim_matches(|c: char| !c.is_alphanumeric());
                let start = sentence.start + offset + sentence.text[offset..].find(w).unwrap_or(0);
                (start, w)
            });
            for (start, word) in words.chain([(sentence.end, "")]) {
                if is_shouted(word) {
                    run = Some(match run {
                        Some((s, _, n)) => (s, start + word.len(), n + 1),
                        None => (start, start + word.len(), 1),
                    });
                } else if let Some((s, e, n)) = run.take()
                    && n >= self.min_words
                {
                    let speaker = doc.quote_at(s).and_then(|q| doc.speaker_name(q.speaker));
                    let message = match speaker {
                        Some(name) => format!("{name} writes this in capitals."),
                        None => "Written in capitals.".to_owned(),
                    };
                    out.raise(&CAPS, s, e, 0.4, &message, "Strip the emphasis: what exactly is claimed, and is it supported?");
                }
            }
        }
    }
}

export_plugin!(Shouting);

#[cfg(test)]
mod tests {
    use claimdesk_plugin_api::testing::{pairs, run};

    use super::*;

    #[test]
    fn flags_a_shouted_quote_with_its_speaker() {
        let checker = Shouting::new("").unwrap();
        let text = "“WE WILL WIN THIS,” Ana Ruiz wrote.";
        assert_eq!(pairs(&checker, text), [("shouting.caps", "WE WILL WIN THIS".to_owned())]);
        assert_eq!(run(&checker, text).unwrap()[0].message, "Ana Ruiz writes this in capitals.");
    }

    #[test]
    fn short_runs_and_acronyms_pass() {
        let checker = Shouting::new("").unwrap();
        assert!(pairs(&checker, "The US and UK met NATO officials.").is_empty());
        assert!(Shouting::new("min_words=0").is_err());
        assert_eq!(pairs(&Shouting::new("min_words=2").unwrap(), "The US and UK met.").len(), 0);
    }
}
