//! Who a sentence is attributed to.
//!
//! Cue words ("said", "told", "according to", "it is believed") are found in
//! one pass over the text; around each cue the speaker is read off the
//! neighbouring words: the subject before it ("Witkoff told CNN", "Zelenskyy,
//! however, stressed", "X, who …, said"), the name after it ("…,” said
//! Rubio", "according to officials"), or none for impersonal cues ("it is
//! believed"). Unnamed sources are marked anonymous; "he"/"she" is resolved to
//! the last named speaker before it.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use serde::{Deserialize, Serialize};

use crate::{Quote, Sentence, Span};

/// A source a sentence's assertion is attributed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribution {
    /// Index of the sentence it belongs to.
    pub sentence: usize,
    /// The words naming the source ("Steve Witkoff", "officials", "he");
    /// `None` for impersonal cues such as "it is believed".
    pub speaker: Option<Span>,
    /// The cue: "told", "according to", "reportedly".
    pub cue: Span,
    /// True when the source is not named: "officials", "sources familiar
    /// with the talks", "some say", "it is believed".
    pub anonymous: bool,
    /// For a pronoun ("he said"), the earlier attribution naming the person.
    pub refers_to: Option<usize>,
}

impl Attribution {
    /// The speaker's name, following a pronoun to the person it stands for.
    pub fn speaker_name<'t>(&self, text: &'t str, all: &[Attribution]) -> Option<&'t str> {
        let named = self.refers_to.and_then(|i| all.get(i)).unwrap_or(self);
        named.speaker.and_then(|span| span.slice(text))
    }
}

/// Verbs that attribute what follows or precedes to their subject.
const VERBS: &[&str] = &[
    "said", "says", "say", "told", "tells", "stated", "states", "noted", "notes", "cautioned", "added", "adds", "claimed", "claims",
    "asserted", "asserts", "argued", "argues", "argue", "warned", "warns", "wrote", "writes", "explained", "insisted", "revealed",
    "announced", "stressed", "tweeted", "posted", "confirmed", "denied", "acknowledged", "suggested", "believes", "believe", "described",
    "replied", "asked", "urged", "predicted", "estimated", "reported", "maintained", "conceded", "admitted", "declared", "emphasised",
    "emphasized", "commented", "recalled", "alleged", "contended", "insists", "maintains", "estimates", "promised", "promises", "pledged",
    "vowed", "questioned", "disputed", "criticised", "criticized",
];
/// Reporting verbs that are also plural nouns ("the job estimates", "the
/// claims were false"): a verb only when what follows opens what was
/// reported (see [`opens_a_report`]).
const NOUN_LIKE_VERBS: &[&str] = &["estimates", "claims", "notes", "states", "promises", "maintains", "reports"];
/// Cues with no speaker: the assertion is attributed to nobody in particular.
/// Whether `word` is a reporting verb ("said", "claims", …).
pub(crate) fn is_reporting_verb(word: &str) -> bool {
    VERBS.contains(&word.to_ascii_lowercase().as_str())
}

const IMPERSONAL: &[&str] = &[
    "it is believed", "it is said", "it is reported", "it was reported", "it is understood", "it is thought", "it is claimed",
    "it is alleged", "it was claimed", "it was alleged", "it has been suggested", "reportedly", "allegedly", "is said to", "are said to",
    "was said to", "were said to", "is believed to", "are believed to", "is thought to", "are thought to",
];
const ACCORDING_TO: &str = "according to";

/// Heads of a noun phrase that name nobody: "officials", "a source".
const ANONYMOUS_HEADS: &[&str] = &[
    "official", "officials", "source", "sources", "people", "person", "critics", "analysts", "experts", "observers", "insiders", "insider",
    "aide", "aides", "diplomat", "diplomats", "some", "many", "others", "someone", "those", "reports",
];
/// After a source, words that withhold its name: "an official who asked
/// not to be named".
const UNNAMED_MARKERS: &[&str] = &["not to be named", "not to be identified", "anonymity", "declined to be named", "without being named"];
/// Heads that name a role or body: a source, though not a person's name.
const ROLE_HEADS: &[&str] = &[
    "spokesperson", "spokesman", "spokeswoman", "minister", "ministry", "president", "envoy", "government", "police", "statement",
    "report", "agency", "department", "company", "campaign", "authorities", "lawmakers", "senators", "residents", "witnesses",
    "scientists", "researchers", "economists", "leader", "leaders", "council", "court", "judge", "prosecutors", "investigators", "doctors",
    "mayor", "governor", "chancellor", "secretary", "ambassador", "study", "survey", "data", "figures", "hall", "office", "administration",
    "party", "union", "board", "committee", "regulator", "watchdog", "charity", "hospital", "university", "operator", "organisers",
    "organizers", "firm", "bank", "officers", "inspectors", "auditors", "councillors", "councilors",
];
const PRONOUNS: &[&str] = &["he", "she", "they", "we", "i"];
const DETERMINERS: &[&str] = &["the", "a", "an", "some", "many", "several", "two", "three", "most", "other", "one"];
/// Words that may sit between a subject and its verb: "Trump has said".
const AUXILIARIES: &[&str] = &[
    "has", "have", "had", "was", "is", "also", "later", "previously", "then", "would", "will", "once", "repeatedly", "publicly",
    "privately", "earlier", "reportedly", "again", "recently", "however",
];
/// Lower-case words allowed inside a name: "Ursula von der Leyen".
const PARTICLES: &[&str] = &["von", "der", "van", "de", "la", "le", "bin", "al", "da", "di", "du", "del", "dos"];
/// Capitalised words that open a sentence but are not names.
const NOT_NAMES: &[&str] = &[
    "but", "and", "the", "a", "an", "in", "on", "at", "after", "when", "while", "meanwhile", "however", "yesterday", "then", "so", "also",
    "earlier", "later", "last", "as", "this", "that", "speaking", "posting", "writing", "asked", "today", "tonight",
];

fn in_list(list: &[&str], word: &str) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(word))
}

enum Cue {
    Verb,
    Impersonal,
    AccordingTo,
}

fn automaton() -> Option<&'static (AhoCorasick, Vec<Cue>)> {
    static CUES: OnceLock<Option<(AhoCorasick, Vec<Cue>)>> = OnceLock::new();
    CUES.get_or_init(|| {
        let mut patterns: Vec<&str> = Vec::new();
        let mut kinds = Vec::new();
        for &p in VERBS {
            patterns.push(p);
            kinds.push(Cue::Verb);
        }
        for &p in IMPERSONAL {
            patterns.push(p);
            kinds.push(Cue::Impersonal);
        }
        patterns.push(ACCORDING_TO);
        kinds.push(Cue::AccordingTo);
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .ok()
            .map(|ac| (ac, kinds))
    })
    .as_ref()
}

pub(crate) fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
    let after = text[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
    before && after
}

/// Finds attributions and fills in each quote's speaker.
pub(crate) fn attributions_in(text: &str, sentences: &[Sentence], quotes: &mut [Quote]) -> Vec<Attribution> {
    let mut out: Vec<Attribution> = Vec::new();
    let Some((ac, kinds)) = automaton() else { return out };
    let mut s = 0;
    for m in ac.find_iter(text) {
        let cue = Span::new(m.start(), m.end());
        if !is_word_boundary(text, cue.start, cue.end) {
            continue;
        }
        while s < sentences.len() && sentences[s].span.end <= cue.start {
            s += 1;
        }
        let Some(sentence) = sentences.get(s).filter(|sent| sent.span.start <= cue.start) else { continue };
        let kind = kinds.get(m.pattern().as_usize());
        // "the United States", "Claims Court": a verb cue is written in lower case.
        if matches!(kind, Some(Cue::Verb)) && text[cue.start..cue.end].bytes().any(|b| b.is_ascii_uppercase()) {
            continue;
        }
        // "who asked not to be named": withholding a name, not reporting.
        let after = text[cue.end..].trim_start();
        if matches!(kind, Some(Cue::Verb)) && (after.starts_with("not to be") || after.starts_with("to remain anonymous")) {
            continue;
        }
        // "the job estimates", "the claims were false": nouns, not reporting.
        if matches!(kind, Some(Cue::Verb)) && in_list(NOUN_LIKE_VERBS, &text[cue.start..cue.end]) && !opens_a_report(text, cue.end) {
            continue;
        }
        let found = match kind {
            Some(Cue::Impersonal) => Some((None, true)),
            Some(Cue::AccordingTo) => phrase_after(text, cue.end, sentence.span.end).map(|(span, anon)| (Some(span), anon)),
            Some(Cue::Verb) => speaker_of_verb(text, sentence.span, cue).map(|(span, anon)| (Some(span), anon)),
            None => None,
        };
        if let Some((speaker, anonymous)) = found {
            out.push(Attribution { sentence: s, speaker, cue, anonymous, refers_to: None });
        }
    }
    resolve_pronouns(text, &mut out);
    assign_quote_speakers(sentences, &out, quotes);
    out
}

/// Whether the words after a noun-like verb at `end` open what was
/// reported: "estimates that…", "claims the scheme…", "notes a delay".
fn opens_a_report(text: &str, end: usize) -> bool {
    let rest = text[end..].trim_start();
    let next = rest.split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | ';' | ':')).next().unwrap_or("");
    in_list(
        &["that", "the", "a", "an", "it", "this", "there", "he", "she", "they", "we", "its", "their", "his", "her", "more", "about"],
        next,
    ) || next.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '$' | '£' | '€' | '“' | '"'))
}

/// The speaker of a verb cue: after it when a quotation precedes it
/// ("…,” said Rubio), otherwise its subject.
fn speaker_of_verb(text: &str, sentence: Span, cue: Span) -> Option<(Span, bool)> {
    let before = text[sentence.start..cue.start].trim_end();
    if before.ends_with(['”', '"', '’']) || before.is_empty() {
        return phrase_after(text, cue.end, sentence.end);
    }
    subject_before(text, sentence.start, sentence.start + before.len())
}

/// Whitespace-separated words of `text[lo..hi]`, last first, with spans.
fn words_back(text: &str, lo: usize, hi: usize) -> impl Iterator<Item = (Span, &str)> {
    let slice = &text[lo..hi];
    let mut end = slice.len();
    std::iter::from_fn(move || {
        let trimmed = slice[..end].trim_end();
        if trimmed.is_empty() {
            return None;
        }
        let start = trimmed.rfind(char::is_whitespace).map_or(0, |i| i + trimmed[i..].chars().next().map_or(1, char::len_utf8));
        let word = &trimmed[start..];
        end = start;
        Some((Span::new(lo + start, lo + trimmed.len()), word))
    })
}

fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase) && word.chars().all(|c| c.is_alphabetic() || matches!(c, '-' | '.' | '’' | '\''))
}

/// The subject ending at `end`: a name, a pronoun or a noun phrase with a
/// known head. Skips auxiliaries ("has said"), a relative pronoun ("X, who
/// revealed") and one parenthetical ("X, however, said"; "X, who …, said").
fn subject_before(text: &str, lo: usize, mut end: usize) -> Option<(Span, bool)> {
    for _ in 0..3 {
        match words_back(text, lo, end).next() {
            Some((span, w)) if in_list(AUXILIARIES, w) => end = span.start,
            _ => break,
        }
    }
    let prefix = text[lo..end].trim_end();
    end = lo + prefix.len();
    let relative = words_back(text, lo, end).next().filter(|(_, w)| in_list(&["who", "which"], w));
    if let Some((span, _)) = relative {
        // "X, who revealed": the subject is X, just before the comma.
        let before = text[lo..span.start].trim_end();
        end = lo + before.strip_suffix(',').unwrap_or(before).trim_end().len();
    } else if let Some(without_comma) = text[lo..end].strip_suffix(',') {
        let open = without_comma.rfind(',').filter(|&i| without_comma.len() - i < 160)?;
        // An appositive name between the commas ("Acme's chief, Ana Ruiz,
        // said") is the speaker; anything else between them ("however",
        // "who chairs the council") is skipped.
        let inner = without_comma[open + 1..].trim();
        let first = inner.split_whitespace().next().unwrap_or("");
        if !in_list(&["who", "which", "however", "though"], first)
            && let Some((span, false)) = noun_phrase_back(text, lo + open + 1, lo + without_comma.len())
            && span.slice(text).is_some_and(|s| s.starts_with(char::is_uppercase) && !in_list(PRONOUNS, s))
        {
            return Some((span, false));
        }
        end = lo + without_comma[..open].trim_end().len();
    }
    // "sources familiar with the talks said": the anonymous head comes first.
    let window_lo = end.saturating_sub(80).max(lo);
    let window_lo = (window_lo..end).find(|&i| text.is_char_boundary(i)).unwrap_or(end);
    for marker in ["familiar with", "close to", "briefed on", "with knowledge of"] {
        if let Some(pos) = text[window_lo..end].rfind(marker) {
            let head = words_back(text, lo, window_lo + pos).next()?;
            if in_list(ANONYMOUS_HEADS, head.1) {
                return Some((Span::new(head.0.start, end), true));
            }
        }
    }
    noun_phrase_back(text, lo, end)
}

fn noun_phrase_back(text: &str, lo: usize, end: usize) -> Option<(Span, bool)> {
    let mut words = words_back(text, lo, end);
    let (last_span, last) = words.next()?;
    if in_list(PRONOUNS, last) {
        return Some((last_span, false));
    }
    if is_capitalised(last) && !in_list(NOT_NAMES, last) && !in_list(ANONYMOUS_HEADS, last) {
        // A particle counts only when a capitalised word precedes it, which
        // is when `start` moves past it.
        let mut start = last_span.start;
        for (span, w) in words.take(6) {
            if is_capitalised(w) && !in_list(NOT_NAMES, w) {
                start = span.start;
            } else if !in_list(PARTICLES, w) {
                break;
            }
        }
        return Some((strip_titles(text, Span::new(start, last_span.end)), false));
    }
    let head = last.trim_end_matches(|c: char| !c.is_alphabetic());
    let anonymous = in_list(ANONYMOUS_HEADS, head);
    // Any noun right after "the"/"a" names a role: "the treasurer said".
    let after_article =
        || text[lo..last_span.start].trim_end().rsplit(char::is_whitespace).next().is_some_and(|w| in_list(&["the", "a", "an"], w));
    let role = in_list(ROLE_HEADS, head) || (head.chars().all(char::is_lowercase) && after_article());
    if !anonymous && !role {
        return None;
    }
    let mut start = last_span.start;
    for (span, w) in words.take(4) {
        if w.ends_with([',', '”', '"', ':', ';']) || in_list(NOT_NAMES, w) && !in_list(DETERMINERS, w) {
            break;
        }
        start = span.start;
        if in_list(DETERMINERS, w) {
            break;
        }
    }
    Some((Span::new(start, last_span.end), anonymous))
}

/// Words of a title or an origin before a name: "US Secretary of State".
const TITLES: &[&str] = &[
    "president", "prime", "minister", "secretary", "of", "state", "chancellor", "envoy", "special", "senator", "sen.", "rep.", "governor",
    "gov.", "mayor", "general", "gen.", "foreign", "defence", "defense", "finance", "interior", "vice", "deputy", "chief", "executive",
    "ceo", "spokesperson", "spokesman", "spokeswoman", "commission", "commissioner", "ambassador", "king", "queen", "prince", "pope",
    "judge", "justice", "dr.", "mr.", "mrs.", "ms.", "prof.", "professor", "leader", "speaker", "house", "senate", "white", "head",
    "former", "acting", "european", "federal", "national",
];

/// Nationalities and places that stand before a title: "Italian Prime Minister".
const ORIGINS: &[&str] = &[
    "american", "russian", "ukrainian", "british", "french", "german", "italian", "finnish", "chinese", "israeli", "iranian", "indian",
    "canadian", "australian", "japanese", "spanish", "polish", "turkish", "brazilian", "mexican", "palestinian", "syrian", "saudi",
    "korean", "dutch", "swedish", "norwegian", "danish", "irish", "scottish", "welsh", "greek", "egyptian", "nigerian", "kenyan", "south",
    "north", "state", "city", "county", "transport", "health", "trade", "education", "energy", "labour", "labor",
];

/// Drops titles and origins from the front of a name: "US President Donald
/// Trump" → "Donald Trump", "Transport Minister Dana Hoyle" → "Dana Hoyle".
/// The name starts after the last title word; the last word always stays.
fn strip_titles(text: &str, span: Span) -> Span {
    let mut start = span.start;
    let mut at = span.start;
    for word in text[span.start..span.end].split(' ') {
        let next = at + word.len() + 1;
        if next >= span.end {
            break;
        }
        let acronym = word.len() <= 3 && word.chars().all(|c| c.is_ascii_uppercase()); // US, UK, EU
        if in_list(TITLES, word) || in_list(ORIGINS, word) || acronym {
            start = next;
        }
        at = next;
    }
    Span::new(start, span.end)
}

/// The source named after a cue, up to the next punctuation: "according to
/// officials", "said Rubio", "said a spokesperson for the ministry".
fn phrase_after(text: &str, from: usize, sentence_end: usize) -> Option<(Span, bool)> {
    let rest = &text[from..sentence_end];
    let stop = rest.find([',', '.', ';', ':', '!', '?', '“', '”', '"', '(']).unwrap_or(rest.len());
    let phrase = &rest[..stop];
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for w in phrase.split_whitespace().take(6) {
        let at = phrase[offset..].find(w).map_or(offset, |i| offset + i);
        offset = at + w.len();
        words.push((at, w));
    }
    let (first_at, first) = *words.first()?;
    let mut anonymous = false;
    let mut last = 0;
    if is_capitalised(first) && !in_list(NOT_NAMES, first) {
        for (i, &(_, w)) in words.iter().enumerate() {
            if is_capitalised(w) || (i > 0 && in_list(PARTICLES, w)) {
                last = i;
            } else {
                break;
            }
        }
        // "US officials": a capitalised modifier before an anonymous head.
        if let Some(&(_, next)) = words.get(last + 1)
            && in_list(ANONYMOUS_HEADS, next)
        {
            last += 1;
            anonymous = true;
        }
    } else {
        let head = words.iter().position(|&(_, w)| in_list(ANONYMOUS_HEADS, w) || in_list(ROLE_HEADS, w))?;
        if words[..head].iter().any(|&(_, w)| !in_list(DETERMINERS, w) && !w.chars().all(char::is_alphabetic)) {
            return None;
        }
        // "a senior council official": the noun phrase ends at its last head.
        let mut head = head;
        while words.get(head + 1).is_some_and(|&(_, w)| in_list(ANONYMOUS_HEADS, w) || in_list(ROLE_HEADS, w)) {
            head += 1;
        }
        anonymous = in_list(ANONYMOUS_HEADS, words[head].1);
        last = head;
        // "sources familiar with the matter", "a source close to the talks"
        if anonymous && words.get(head + 1).is_some_and(|&(_, w)| in_list(&["familiar", "close", "briefed"], w)) {
            last = words.len() - 1;
        }
    }
    let (last_at, last_word) = words[last];
    // "…, who asked not to be named": whoever it is, the name is withheld.
    let after = &text[from + last_at + last_word.len()..sentence_end];
    let window = after.get(..after.len().min(80)).unwrap_or(after);
    anonymous |= UNNAMED_MARKERS.iter().any(|m| window.contains(m));
    Some((Span::new(from + first_at, from + last_at + last_word.len()), anonymous))
}

/// Points each "he"/"she" at the nearest earlier named speaker.
fn resolve_pronouns(text: &str, attributions: &mut [Attribution]) {
    let mut last_named: Option<usize> = None;
    for (i, a) in attributions.iter_mut().enumerate() {
        let word = a.speaker.and_then(|s| s.slice(text)).unwrap_or("");
        if in_list(&["he", "she"], word) {
            a.refers_to = last_named;
        } else if a.speaker.is_some() && !a.anonymous && !in_list(PRONOUNS, word) && word.starts_with(char::is_uppercase) {
            last_named = Some(i);
        }
    }
}

/// Each quotation's speaker is the attribution in its sentence nearest to it.
fn assign_quote_speakers(sentences: &[Sentence], attributions: &[Attribution], quotes: &mut [Quote]) {
    for quote in quotes.iter_mut() {
        let sentence = sentences.partition_point(|s| s.span.end <= quote.span.start);
        let distance = |a: &Attribution| {
            if a.cue.start >= quote.span.end { a.cue.start - quote.span.end } else { quote.span.start.saturating_sub(a.cue.end) }
        };
        // Attributions are in text order: find this sentence's by bisection.
        let first = attributions.partition_point(|a| a.sentence < sentence);
        let count = attributions[first..].iter().take_while(|a| a.sentence == sentence).count();
        quote.speaker = attributions[first..first + count]
            .iter()
            .enumerate()
            .filter(|(_, a)| !quote.span.contains_span(a.cue))
            .min_by_key(|(_, a)| distance(a))
            .map(|(i, _)| first + i);
    }
}

#[cfg(test)]
mod tests;
