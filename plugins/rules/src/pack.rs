//! Rule packs: TOML files of existence and substitution rules, parsed and
//! checked into compiled rules. Every error names the file and line.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use claimdesk_plugin_api::words::{char_after, char_before, is_word_char};
use claimdesk_plugin_api::{Kind, Severity};
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

/// Where a rule applies, relative to direct quotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    /// Only the quoted speaker's words.
    InsideQuotes,
    /// Only the reporter's own words.
    OutsideQuotes,
}

/// What a rule does with a match.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Flags the match.
    Existence,
    /// Flags the match and suggests a replacement: found text → suggestion
    /// (keys ASCII-lower-cased when the rule ignores case).
    Substitution(HashMap<String, String>),
}

/// Literal tokens, matched with aho-corasick (a regex with Unicode word
/// boundaries would leave the fast engines on non-ASCII text: a pack of
/// plain words ran at a fraction of the speed).
#[derive(Debug, Clone)]
struct Literals {
    matcher: AhoCorasick,
    /// Per token: must (start, end) sit on a word boundary?
    edges: Vec<(bool, bool)>,
}

impl Literals {
    fn new(tokens: &[String], ignore_case: bool, boundaries: bool) -> Result<Literals, String> {
        let word = |c: Option<char>| c.is_some_and(is_word_char);
        let edges =
            tokens.iter().map(|t| if boundaries { (word(t.chars().next()), word(t.chars().last())) } else { (false, false) }).collect();
        let matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(ignore_case)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(tokens)
            .map_err(|e| e.to_string())?;
        Ok(Literals { matcher, edges })
    }

    fn find(&self, text: &str, out: &mut Vec<(usize, usize)>) {
        for m in self.matcher.find_iter(text) {
            let (start_edge, end_edge) = self.edges.get(m.pattern().as_usize()).copied().unwrap_or((false, false));
            let start_ok = !start_edge || !char_before(text, m.start()).is_some_and(is_word_char);
            let end_ok = !end_edge || !char_after(text, m.end()).is_some_and(is_word_char);
            if start_ok && end_ok {
                out.push((m.start(), m.end()));
            }
        }
    }
}

/// A rule ready to run.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    /// `pack.rule`.
    pub id: String,
    pub kind: Kind,
    pub severity: Severity,
    pub description: String,
    pub message: String,
    pub question: String,
    pub score: f32,
    pub scope: Scope,
    pub ignore_case: bool,
    pub action: Action,
    literals: Option<Literals>,
    patterns: Option<Regex>,
}

impl CompiledRule {
    /// The rule's matches in `text`, by position (literal and pattern
    /// matches may overlap; the host keeps one flag per rule and sentence).
    pub fn find(&self, text: &str) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        if let Some(literals) = &self.literals {
            literals.find(text, &mut found);
        }
        if let Some(patterns) = &self.patterns {
            found.extend(patterns.find_iter(text).filter(|m| m.start() < m.end()).map(|m| (m.start(), m.end())));
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    /// The key a match looks up in a substitution table.
    pub fn key(&self, found: &str) -> String {
        if self.ignore_case { found.to_ascii_lowercase() } else { found.to_owned() }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    name: Spanned<String>,
    /// For the pack's readers; accepted, not used.
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(default)]
    rule: Vec<RuleDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    id: Spanned<String>,
    #[serde(rename = "type", default)]
    kind_of_rule: Option<Spanned<String>>,
    kind: Spanned<String>,
    severity: Option<Spanned<String>>,
    description: Option<String>,
    message: Spanned<String>,
    question: Option<String>,
    #[serde(default)]
    tokens: Vec<String>,
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
    #[serde(default)]
    swap: Option<Spanned<HashMap<String, String>>>,
    ignorecase: Option<bool>,
    word_boundaries: Option<bool>,
    scope: Option<Spanned<String>>,
    score: Option<Spanned<f32>>,
}

/// A pack that could not be used, with where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}: {problem}")]
pub struct PackError {
    pub file: String,
    pub line: usize,
    pub problem: String,
}

/// 1-based line of byte `offset` in `source`.
fn line_of(source: &str, offset: usize) -> usize {
    source.as_bytes().iter().take(offset.min(source.len())).filter(|&&b| b == b'\n').count() + 1
}

/// Parses and checks the pack in `source`, read from `file`.
pub fn parse_pack(file: &str, source: &str) -> Result<Vec<CompiledRule>, PackError> {
    let at = |offset: usize, problem: String| PackError { file: file.to_owned(), line: line_of(source, offset), problem };
    let pack: PackFile = toml::from_str(source).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        at(offset, format!("invalid rule pack: {}", e.message()))
    })?;
    let pack_name = pack.name.get_ref().trim();
    if pack_name.is_empty() || !pack_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(at(pack.name.span().start, format!("pack name {pack_name:?} must be letters, digits, '-' or '_'")));
    }
    if pack.rule.is_empty() {
        return Err(at(0, "the pack has no [[rule]]".to_owned()));
    }
    let mut rules: Vec<CompiledRule> = Vec::with_capacity(pack.rule.len());
    for def in pack.rule {
        let rule_at = def.id.span().start;
        let id_name = def.id.get_ref().trim().to_owned();
        let bad = |offset: usize, problem: String| at(offset, format!("rule {id_name:?}: {problem}"));
        if id_name.is_empty() || !id_name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
            return Err(bad(rule_at, "an id is letters, digits, '-', '_' or '.'".to_owned()));
        }
        let id = format!("{pack_name}.{id_name}");
        if rules.iter().any(|r| r.id == id) {
            return Err(bad(rule_at, "this id is already used in the pack".to_owned()));
        }
        let kind = def.kind.get_ref().parse::<Kind>().ok().ok_or_else(|| {
            let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
            bad(def.kind.span().start, format!("unknown kind {:?}; kinds are {}", def.kind.get_ref(), kinds.join(", ")))
        })?;
        let severity = match &def.severity {
            None => Severity::Warning,
            Some(s) => s
                .get_ref()
                .parse::<Severity>()
                .ok()
                .ok_or_else(|| bad(s.span().start, format!("unknown severity {:?}; use info, warning or error", s.get_ref())))?,
        };
        let scope = match def.scope.as_ref().map(|s| (s.get_ref().as_str(), s.span().start)) {
            None | Some(("everywhere", _)) => Scope::Everywhere,
            Some(("inside_quotes", _)) => Scope::InsideQuotes,
            Some(("outside_quotes", _)) => Scope::OutsideQuotes,
            Some((other, offset)) => {
                return Err(bad(offset, format!("unknown scope {other:?}; use everywhere, inside_quotes or outside_quotes")));
            }
        };
        let score = match &def.score {
            None => 0.6,
            Some(s) if (0.0..=1.0).contains(s.get_ref()) => *s.get_ref(),
            Some(s) => return Err(bad(s.span().start, format!("score {} is not between 0 and 1", s.get_ref()))),
        };
        if def.message.get_ref().trim().is_empty() {
            return Err(bad(def.message.span().start, "the message is empty".to_owned()));
        }
        let ignore_case = def.ignorecase.unwrap_or(true);
        let boundaries = def.word_boundaries.unwrap_or(true);
        let substitution = match def.kind_of_rule.as_ref().map(|t| (t.get_ref().as_str(), t.span().start)) {
            None | Some(("existence", _)) => false,
            Some(("substitution", _)) => true,
            Some((other, offset)) => return Err(bad(offset, format!("unknown rule type {other:?}; use existence or substitution"))),
        };
        // Literal tokens (or swap keys) and regular-expression patterns.
        let mut literals: Vec<String> = Vec::new();
        let mut alternatives: Vec<String> = Vec::new();
        let action = if substitution {
            let swap = def.swap.as_ref().ok_or_else(|| bad(rule_at, "a substitution rule needs a `swap` table".to_owned()))?;
            if swap.get_ref().is_empty() {
                return Err(bad(swap.span().start, "the `swap` table is empty".to_owned()));
            }
            let mut keyed = HashMap::new();
            let mut keys: Vec<&String> = swap.get_ref().keys().collect();
            // Longest first, so "lashed out at" wins over "lashed".
            keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
            for key in keys {
                if key.trim().is_empty() {
                    return Err(bad(swap.span().start, "a `swap` key is empty".to_owned()));
                }
                literals.push(key.trim().to_owned());
                let normalised = if ignore_case { key.trim().to_ascii_lowercase() } else { key.trim().to_owned() };
                keyed.insert(normalised, swap.get_ref()[key].clone());
            }
            Action::Substitution(keyed)
        } else {
            if def.tokens.is_empty() && def.patterns.is_empty() {
                return Err(bad(rule_at, "the rule has no `tokens` and no `patterns`: nothing to look for".to_owned()));
            }
            let mut tokens: Vec<&String> = def.tokens.iter().collect();
            tokens.sort_by_key(|t| std::cmp::Reverse(t.len()));
            for token in tokens {
                if token.trim().is_empty() {
                    return Err(bad(rule_at, "a token is empty".to_owned()));
                }
                literals.push(token.trim().to_owned());
            }
            for pattern in &def.patterns {
                let compiled = Regex::new(pattern.get_ref())
                    .map_err(|e| bad(pattern.span().start, format!("invalid pattern {:?}: {e}", pattern.get_ref())))?;
                if compiled.is_match("") {
                    return Err(bad(pattern.span().start, format!("pattern {:?} matches the empty string", pattern.get_ref())));
                }
                let p = pattern.get_ref();
                alternatives.push(if boundaries { format!(r"\b(?:{p})\b") } else { format!("(?:{p})") });
            }
            Action::Existence
        };
        let literals = if literals.is_empty() {
            None
        } else {
            Some(
                Literals::new(&literals, ignore_case, boundaries)
                    .map_err(|e| bad(rule_at, format!("the tokens cannot be matched: {e}")))?,
            )
        };
        let patterns = if alternatives.is_empty() {
            None
        } else {
            let combined = format!("{}(?:{})", if ignore_case { "(?i)" } else { "" }, alternatives.join("|"));
            Some(Regex::new(&combined).map_err(|e| bad(rule_at, format!("the rule's patterns do not combine: {e}")))?)
        };
        rules.push(CompiledRule {
            description: def.description.unwrap_or_else(|| def.message.get_ref().clone()),
            message: def.message.into_inner(),
            question: def.question.unwrap_or_else(|| "What supports this wording?".to_owned()),
            id,
            kind,
            severity,
            score,
            scope,
            ignore_case,
            action,
            literals,
            patterns,
        });
    }
    Ok(rules)
}
