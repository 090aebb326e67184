//! `numbers`: numeric, statistical, money and time-span claims — "over ten
//! years", "3 million votes", "14%", "$2.5bn", "doubled".
//!
//! A number is found (digits, or words such as "ten" and "a decade"), then
//! grown into the phrase a checker must verify: a comparative before it
//! ("more than", "over"), scale words after it ("million"), and its unit or
//! counted noun ("years", "%", "votes"). Numbers that are labels rather
//! than claims are skipped: years standing alone, times of day, dates,
//! "Article 5", "COVID-19".

use claimdesk_plugin_api::words::{PhraseSet, char_after, char_before, next_word, prev_word};
use claimdesk_plugin_api::{Checker, Flags, Kind, Rule, Severity, Text, export_plugin};

pub const DURATION: Rule = Rule {
    id: "numbers.duration",
    kind: Kind::Numeric,
    severity: Severity::Warning,
    description: "A time span: \"over ten years\", \"a decade\".",
};
pub const PERCENTAGE: Rule = Rule {
    id: "numbers.percentage",
    kind: Kind::Numeric,
    severity: Severity::Warning,
    description: "A percentage or rate: \"14%\", \"3 percentage points\".",
};
pub const MONEY: Rule = Rule {
    id: "numbers.money",
    kind: Kind::Numeric,
    severity: Severity::Warning,
    description: "An amount of money: \"$2.5bn\", \"40 million euros\".",
};
pub const QUANTITY: Rule = Rule {
    id: "numbers.quantity",
    kind: Kind::Numeric,
    severity: Severity::Info,
    description: "A count or other figure: \"3 million votes\".",
};
pub const COMPARISON: Rule = Rule {
    id: "numbers.comparison",
    kind: Kind::Numeric,
    severity: Severity::Warning,
    description: "A change or ratio: \"doubled\", \"three times as many\".",
};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Word {
    /// "ten", "twenty", "half".
    Number,
    /// "a decade", "decades": a number and a time unit in one.
    Span,
    /// "doubled", "halved".
    Change,
}

const NUMBER_WORDS: &[&str] = &[
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
    "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "half",
    "a third", "a quarter", "two-thirds", "three-quarters", "a dozen", "dozens", "hundreds", "thousands", "millions", "billions",
    "one hundred", "one thousand", "one million", "one billion", "a hundred", "a thousand", "a million", "a billion",
];
const SCALE_WORDS: &[&str] = &["hundred", "thousand", "million", "billion", "trillion", "bn", "m", "k", "mn", "tn"];
const SPAN_WORDS: &[&str] = &["a decade", "decades", "a century", "centuries", "a generation", "a year", "a month", "half a century"];
const CHANGE_WORDS: &[&str] = &[
    "double the", "twice the", "triple the", "doubled", "tripled", "trebled", "quadrupled", "halved", "twice as", "three times",
    "four times", "ten times", "tenfold", "twofold", "threefold",
];

const COMPARATIVES: &[&str] = &[
    "over", "more than", "less than", "fewer than", "nearly", "almost", "about", "around", "roughly", "at least", "up to", "under",
    "approximately", "close to", "just over", "just under", "as many as", "as much as", "as few as", "some", "only", "just", "well over",
    "upwards of", "in excess of", "at most", "barely",
];
const TIME_UNITS: &[&str] = &[
    "year", "years", "month", "months", "week", "weeks", "day", "days", "decade", "decades", "hour", "hours", "minute", "minutes",
    "century", "centuries", "years'", "yrs",
];
const CURRENCY_WORDS: &[&str] =
    &["dollars", "dollar", "euros", "euro", "pounds", "yen", "yuan", "rupees", "roubles", "rubles", "francs", "cents", "pence"];
const PERCENT_WORDS: &[&str] = &["percent", "per cent", "percentage points", "percentage point", "pc"];
/// Capitalised words after which a number is a label: "Article 5", "No. 3".
const LABELS: &[&str] = &[
    "article", "articles", "chapter", "section", "resolution", "amendment", "title", "part", "phase", "flight", "route", "highway", "room",
    "level", "category", "stage", "grade", "type", "model", "version", "no", "no.", "number", "page", "paragraph", "clause", "rule",
    "figure", "table", "item", "point", "episode", "season", "g", "covid", "windows", "iphone", "boeing", "airbus",
];
const MONTHS: &[&str] = &[
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
];
/// Words that end a counted-noun phrase: "3 million votes *in* Ohio".
const FUNCTION_WORDS: &[&str] = &[
    "in", "on", "at", "of", "to", "for", "and", "or", "the", "a", "an", "by", "with", "from", "than", "as", "is", "was", "are", "were",
    "that", "this", "ago", "since", "after", "before", "later", "earlier",
];

fn in_list(list: &[&str], word: &str) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(word))
}

#[derive(Debug)]
pub struct Numbers {
    words: PhraseSet<Word>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Class {
    Duration,
    Percentage,
    Money,
    Quantity,
    Comparison,
}

/// Where a digit run ends: "1,200", "3.5", "2.5bn" (the scale is taken later).
fn digits_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'0'..=b'9' => i += 1,
            b',' | b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => i += 1,
            _ => break,
        }
    }
    i
}

impl Numbers {
    /// Number cores in `text`: digit runs and number words, in order.
    fn cores(&self, text: &str) -> Vec<(usize, usize, Option<Word>)> {
        let bytes = text.as_bytes();
        let mut cores = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii_digit() {
                let end = digits_end(bytes, i);
                let glued = char_before(text, i).is_some_and(|c| c.is_alphabetic() || c == '-' || c == '_' || c == '/' || c == ':');
                if !glued {
                    cores.push((i, end, None));
                }
                i = end;
            } else {
                i += 1;
            }
        }
        cores.extend(self.words.find_iter(text).map(|m| (m.start, m.end, Some(*m.payload))));
        cores.sort_by_key(|c| c.0);
        cores
    }

    /// Grows the number at `start..end` into its claim and classifies it, or
    /// `None` when it is a label, a date or a time.
    fn phrase(text: &str, start: usize, end: usize, word: Option<Word>) -> Option<(usize, usize, Class, bool)> {
        let core = &text[start..end];
        let mut class = match word {
            Some(Word::Change) => return Some((start, end, Class::Comparison, false)),
            Some(Word::Span) => Class::Duration,
            _ => Class::Quantity,
        };
        let mut end = end;
        let mut start = start;
        // Units and scales right after digits: "14%", "2.5bn", "$3m".
        if word.is_none() {
            if char_after(text, end) == Some('%') {
                end += 1;
                class = Class::Percentage;
            } else if let Some(after) = text.get(end..) {
                let letters = after.bytes().take_while(u8::is_ascii_alphabetic).count();
                if letters > 0 && in_list(SCALE_WORDS, &after[..letters]) {
                    end += letters;
                } else if letters > 0 {
                    return None; // "3rd", "9am", "4x4": not a figure claim here
                }
            }
            if matches!(char_after(text, end), Some(':')) {
                return None; // 12:30
            }
            if let Some(c) = char_before(text, start)
                && matches!(c, '$' | '€' | '£' | '¥' | '₹')
            {
                start -= c.len_utf8();
                class = Class::Money;
            }
        }
        // Scale words and number words that continue it: "3 million", "twenty five".
        while let Some((next_end, w)) = next_word(text, end) {
            let parts_are_numbers =
                w.split('-').all(|p| in_list(NUMBER_WORDS, p) || in_list(SCALE_WORDS, p) || in_list(&["one", "two", "five"], p));
            if in_list(SCALE_WORDS, w) && w.len() > 2 || parts_are_numbers && word.is_some() {
                end = next_end;
            } else {
                break;
            }
        }
        // What it counts.
        if let Some((next_end, w)) = next_word(text, end) {
            let two = next_word(text, next_end).map(|(e, w2)| (e, format!("{w} {w2}")));
            if let Some((e, _)) = two.as_ref().filter(|(_, p)| in_list(PERCENT_WORDS, p)) {
                end = *e;
                class = Class::Percentage;
            } else if in_list(PERCENT_WORDS, w) {
                end = next_end;
                class = Class::Percentage;
            } else if in_list(TIME_UNITS, w) {
                end = next_end;
                class = Class::Duration;
            } else if in_list(CURRENCY_WORDS, w) {
                end = next_end;
                class = Class::Money;
            } else if class == Class::Money
                && in_list(&["a", "an", "per", "each", "every"], w)
                && let Some((rate_end, _)) = next_word(text, next_end).filter(|(_, unit)| in_list(TIME_UNITS, unit))
            {
                // "£84 a year": a rate, one amount.
                end = rate_end;
            } else if in_list(&["a.m.", "p.m.", "am", "pm", "a", "p"], w) && word.is_none() || in_list(MONTHS, w) {
                return None;
            } else if class == Class::Quantity && w.chars().all(|c| c.is_alphabetic() && c.is_lowercase()) && !in_list(FUNCTION_WORDS, w) {
                end = next_end;
            }
        }
        // Labels and dates before it: "Article 5", "August 15".
        let prev = prev_word(text, start);
        if let Some((_, p)) = prev
            && (in_list(MONTHS, p) || (in_list(LABELS, p) && p.starts_with(char::is_uppercase)))
        {
            return None;
        }
        let comparative = Self::comparative_start(text, start);
        let is_year = word.is_none() && core.len() == 4 && core.bytes().all(|b| b.is_ascii_digit()) && ("1500".."2101").contains(&core);
        if is_year && class == Class::Quantity {
            return None; // a year on its own is a date, not a figure
        }
        if word.is_some() && class == Class::Quantity && comparative.is_none() {
            // "the two leaders", "both sides": a reference, not a count; and a
            // bare number word alone ("ten of them") says too little.
            let referring =
                prev.is_some_and(|(_, p)| in_list(&["the", "these", "those", "both", "all", "its", "his", "her", "their", "our", "my"], p));
            if referring || end == start + core.len() {
                return None;
            }
        }
        Some((comparative.unwrap_or(start), end, class, comparative.is_some()))
    }

    /// Start of a comparative right before `start` ("more than", "over").
    fn comparative_start(text: &str, start: usize) -> Option<usize> {
        let (p1, w1) = prev_word(text, start)?;
        if let Some((p2, w2)) = prev_word(text, p1)
            && in_list(COMPARATIVES, &format!("{w2} {w1}"))
        {
            return Some(p2);
        }
        in_list(COMPARATIVES, w1).then_some(p1)
    }
}

fn wording(class: Class) -> (&'static Rule, &'static str, &'static str, f32) {
    match class {
        Class::Duration => {
            (&DURATION, "A time span is asserted.", "Is the span exact: when did this last happen, and by whose count?", 0.7)
        }
        Class::Percentage => (&PERCENTAGE, "A percentage is asserted.", "A percentage of what, measured by whom, and when?", 0.75),
        Class::Money => {
            (&MONEY, "An amount of money is asserted.", "Where does the figure come from, and over what period is it counted?", 0.75)
        }
        Class::Quantity => (&QUANTITY, "A figure is asserted.", "Who counted this, how, and is the figure current?", 0.55),
        Class::Comparison => {
            (&COMPARISON, "A change or comparison is asserted.", "Compared with what baseline, and over what period?", 0.7)
        }
    }
}

impl Checker for Numbers {
    const NAME: &'static str = "numbers";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Numeric, statistical, money and time-span claims.";
    const RULES: &'static [Rule] = &[DURATION, PERCENTAGE, MONEY, QUANTITY, COMPARISON];

    fn new(_config: &str) -> Result<Self, String> {
        Ok(Numbers {
            words: PhraseSet::from_lists(&[(NUMBER_WORDS, Word::Number), (SPAN_WORDS, Word::Span), (CHANGE_WORDS, Word::Change)])?,
        })
    }

    /// One flag per kind of figure and sentence: the host keeps only one
    /// flag of a rule per sentence, so several figures of a kind ("from
    /// 31% to 58%") are raised together, spanning them all and naming each
    /// in the message.
    fn check(&self, doc: &Text<'_>, out: &mut Flags<'_>) {
        let text = doc.as_str();
        let sentence_ends: Vec<usize> = doc.sentences().map(|s| s.end).collect();
        let mut covered = 0;
        let mut found: Vec<(usize, usize, usize, Class, bool)> = Vec::new();
        for (start, end, word) in self.cores(text) {
            if start < covered {
                continue;
            }
            let Some((start, end, class, compared)) = Self::phrase(text, start, end, word) else { continue };
            if start < covered {
                continue;
            }
            covered = end;
            found.push((sentence_ends.partition_point(|&e| e <= start), start, end, class, compared));
        }
        // `found` is in text order, so each sentence's figures are one run.
        let mut run_start = 0;
        while run_start < found.len() {
            let sentence = found[run_start].0;
            let run_end = run_start + found[run_start..].iter().take_while(|f| f.0 == sentence).count();
            let run = &found[run_start..run_end];
            for (i, &(_, start, _, class, _)) in run.iter().enumerate() {
                if run[..i].iter().any(|f| f.3 == class) {
                    continue; // raised with the first of its kind
                }
                let same: Vec<&(usize, usize, usize, Class, bool)> = run[i..].iter().filter(|f| f.3 == class).collect();
                let (rule, message, question, score) = wording(class);
                let score = if same.iter().any(|f| f.4) { (score + 0.15_f32).min(1.0) } else { score };
                let end = same.iter().map(|f| f.2).max().unwrap_or(start);
                let message: std::borrow::Cow<'_, str> = if same.len() > 1 {
                    let figures: Vec<&str> = same.iter().map(|f| text.get(f.1..f.2).unwrap_or("")).collect();
                    format!("{} ({})", message.trim_end_matches('.'), figures.join(", ")).into()
                } else {
                    message.into()
                };
                out.raise(rule, start, end, score, &message, question);
            }
            run_start = run_end;
        }
    }
}

export_plugin!(Numbers);

#[cfg(test)]
mod tests {
    use claimdesk_plugin_api::testing::pairs;

    use super::*;

    fn flags(text: &str) -> Vec<(&'static str, String)> {
        pairs(&Numbers::new("").unwrap(), text)
    }

    #[test]
    fn figures_with_their_units_and_comparatives() {
        let got = flags("His first visit in over ten years drew 3 million viewers, up 14%, and cost $2.5bn, or 40 million euros.");
        assert_eq!(
            got,
            [
                ("numbers.duration", "over ten years".to_owned()),
                ("numbers.quantity", "3 million viewers".to_owned()),
                ("numbers.percentage", "14%".to_owned()),
                // Two amounts in one sentence: one flag over both.
                ("numbers.money", "$2.5bn, or 40 million euros".to_owned())
            ]
        );
        assert_eq!(
            flags("Exports doubled in a decade."),
            [("numbers.comparison", "doubled".to_owned()), ("numbers.duration", "a decade".to_owned())]
        );
    }

    #[test]
    fn every_figure_of_a_sentence_is_flagged_and_amounts_keep_their_rate() {
        // Two percentages in one sentence: one flag that covers both (the host keeps one per rule and sentence).
        let raised = claimdesk_plugin_api::testing::run(
            &Numbers::new("").unwrap(),
            "Backing for the tram rose from 31% in spring to 58% by the autumn. Turnout was 12%.",
        )
        .unwrap();
        let spans: Vec<(&str, &str)> = raised.iter().map(|r| (r.rule, r.text.as_str())).collect();
        assert_eq!(spans, [("numbers.percentage", "31% in spring to 58%"), ("numbers.percentage", "12%")]);
        assert!(raised[0].message.contains("31%") && raised[0].message.contains("58%"), "{}", raised[0].message);
        assert_eq!(flags("The levy adds £84 a year to the average bill."), [("numbers.money", "£84 a year".to_owned())]);
        assert_eq!(flags("Fares rise by $3 per week."), [("numbers.money", "$3 per week".to_owned())]);
    }

    #[test]
    fn labels_dates_and_times_are_not_figures() {
        let text = "Under Article 5, signed in 2019 on August 15 at 3 p.m., COVID-19 and the G7 met the two leaders.";
        assert!(flags(text).is_empty(), "{:?}", flags(text));
    }
}
