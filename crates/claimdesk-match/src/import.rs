//! Reading fact-checks as other fact-checkers publish them: schema.org
//! ClaimReview in JSON-LD (one object, an array, a `@graph`, or embedded in
//! HTML pages' `<script type="application/ld+json">`), Google's DataFeed of
//! ClaimReview (`dataFeedElement[].item`), and TSV/CSV with the columns
//! `id, claim, title[, rating, url, publisher, date]` after a header row.
//!
//! A record that cannot be used is refused with its number and the reason;
//! one that can be used but lacks something is kept with a warning. Either
//! way the rest of the file is read.

use serde_json::Value;

/// One fact-check as it goes into the library.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FactCheck {
    /// What makes a record the same one on a second import: its URL, else
    /// `publisher#id` (TSV/CSV) or the JSON-LD `@id`.
    pub source_key: String,
    /// The claim as the fact-checker stated it.
    pub claim: String,
    /// The fact-check's headline.
    pub title: Option<String>,
    pub rating_label: Option<String>,
    pub rating_value: Option<f64>,
    pub url: Option<String>,
    pub publisher: Option<String>,
    /// As the source wrote it (ISO 8601 dates, usually).
    pub published: Option<String>,
    pub language: Option<String>,
    /// Set for claimdesk's own published claims; `None` for imports.
    pub claim_id: Option<i64>,
}

/// Something wrong with one record: `refused` records are not imported.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// 1-based: the record's place in the file (a data row for TSV/CSV, a
    /// ClaimReview for JSON-LD).
    pub record: usize,
    pub message: String,
    pub refused: bool,
}

/// What a file held.
#[derive(Debug, Default)]
pub struct Parsed {
    pub items: Vec<FactCheck>,
    pub problems: Vec<Problem>,
}

/// The file as a whole cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("not UTF-8 text")]
    NotText,
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("no ClaimReview found (looked for JSON-LD, a DataFeed, and TSV/CSV with a header row)")]
    Empty,
    #[error("line {line}: {reason}")]
    Table { line: u64, reason: String },
    /// An HTML page the one HTML entry point refused (too deep, over its
    /// time budget).
    #[error("{0}")]
    Html(#[from] claimdesk_html::HtmlError),
}

/// The most a field may hold, in characters; longer ones are cut with a
/// warning (a library entry is a claim and a headline, not an article).
const MAX_FIELD: usize = 2_000;

/// Reads a file whose `name` (for its extension) and `bytes` are given.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Parsed, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotText)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lower = name.to_ascii_lowercase();
    let trimmed = text.trim_start();
    let parsed = if lower.ends_with(".tsv") {
        table(text, b'\t', stem(name))?
    } else if lower.ends_with(".csv") {
        table(text, b',', stem(name))?
    } else if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let value: Value = serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
        json_ld(&[value])
    } else if trimmed.starts_with('<') {
        html(text)?
    } else {
        table(text, if text.lines().next().is_some_and(|l| l.contains('\t')) { b'\t' } else { b',' }, stem(name))?
    };
    if parsed.items.is_empty() && parsed.problems.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(parsed)
}

fn stem(name: &str) -> &str {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.split('.').next().unwrap_or(base)
}

/// The ClaimReview JSON-LD blocks of a fact-check page, read through the
/// one HTML entry point (nesting depth and time budget checked first).
fn html(text: &str) -> Result<Parsed, ImportError> {
    let document = claimdesk_html::parse_document(text, claimdesk_html::TIME_BUDGET)?;
    let mut values = Vec::new();
    let mut problems = Vec::new();
    if let Ok(selector) = scraper::Selector::parse(r#"script[type="application/ld+json"]"#) {
        for (n, script) in document.select(&selector).enumerate() {
            match serde_json::from_str::<Value>(&script.text().collect::<String>()) {
                Ok(value) => values.push(value),
                Err(e) => {
                    problems.push(Problem { record: n + 1, message: format!("JSON-LD block {} is not JSON: {e}", n + 1), refused: true })
                }
            }
        }
    }
    let mut parsed = json_ld(&values);
    parsed.problems.extend(problems);
    Ok(parsed)
}

/// Every ClaimReview object reachable from `values` (arrays, `@graph`,
/// DataFeed elements and their `item`s), in document order.
fn claim_reviews<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| claim_reviews(v, out)),
        Value::Object(map) => {
            if has_type(value, "ClaimReview") {
                out.push(value);
                return;
            }
            for key in ["@graph", "dataFeedElement", "item", "itemListElement", "mainEntity"] {
                if let Some(inner) = map.get(key) {
                    claim_reviews(inner, out);
                }
            }
        }
        _ => {}
    }
}

fn has_type(value: &Value, name: &str) -> bool {
    match value.get("@type") {
        Some(Value::String(t)) => t == name || t.ends_with(&format!("/{name}")),
        Some(Value::Array(ts)) => ts.iter().any(|t| t.as_str() == Some(name)),
        _ => false,
    }
}

/// A text field: a string, or an object's `name`.
fn text_of(value: Option<&Value>) -> Option<String> {
    let s = match value? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Object(map) => return text_of(map.get("name").or_else(|| map.get("alternateName"))),
        Value::Array(items) => return items.iter().find_map(|v| text_of(Some(v))),
        _ => return None,
    };
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

fn number_of(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|v: &f64| v.is_finite())
}

fn json_ld(values: &[Value]) -> Parsed {
    let mut reviews = Vec::new();
    values.iter().for_each(|v| claim_reviews(v, &mut reviews));
    let mut parsed = Parsed::default();
    for (n, review) in reviews.into_iter().enumerate() {
        let record = n + 1;
        let url = text_of(review.get("url"));
        let Some(source_key) = url.clone().or_else(|| text_of(review.get("@id"))) else {
            parsed.problems.push(Problem { record, message: "no url and no @id: it could not be updated later".into(), refused: true });
            continue;
        };
        let mut warn = |message: String| parsed.problems.push(Problem { record, message, refused: false });
        let title = text_of(review.get("headline")).or_else(|| text_of(review.get("name")));
        let claim = match text_of(review.get("claimReviewed")) {
            Some(claim) => claim,
            None => match &title {
                Some(title) => {
                    warn("no claimReviewed; the headline stands for the claim".into());
                    title.clone()
                }
                None => {
                    parsed.problems.push(Problem {
                        record,
                        message: "no claimReviewed and no headline: nothing to match against".into(),
                        refused: true,
                    });
                    continue;
                }
            },
        };
        let rating = review.get("reviewRating");
        let rating_label = text_of(rating.and_then(|r| r.get("alternateName"))).or_else(|| text_of(rating.and_then(|r| r.get("name"))));
        let rating_value = number_of(rating.and_then(|r| r.get("ratingValue")));
        if rating_label.is_none() && rating_value.is_none() {
            warn("no rating (reviewRating has neither alternateName nor ratingValue)".into());
        }
        let publisher = text_of(review.get("author")).or_else(|| text_of(review.get("publisher")));
        let language = text_of(review.get("inLanguage")).or_else(|| text_of(review.get("itemReviewed").and_then(|i| i.get("inLanguage"))));
        let item = FactCheck {
            source_key,
            claim,
            title,
            rating_label,
            rating_value,
            url,
            publisher,
            published: text_of(review.get("datePublished")),
            language,
            claim_id: None,
        };
        parsed.items.push(bounded(item, record, &mut parsed.problems));
    }
    parsed
}

fn table(text: &str, delimiter: u8, stem: &str) -> Result<Parsed, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        // Quoted fields in TSV too: a title that spans lines is one field
        // of one record (the CheckThat! library has such), never new rows.
        .quoting(true)
        .from_reader(text.as_bytes());
    let mut parsed = Parsed::default();
    for (n, row) in reader.records().enumerate() {
        let record = n + 1;
        let row =
            row.map_err(|e| ImportError::Table { line: e.position().map_or(record as u64 + 1, |p| p.line()), reason: e.to_string() })?;
        let field = |i: usize| row.get(i).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let (Some(id), Some(claim)) = (field(0), field(1)) else {
            parsed.problems.push(Problem { record, message: "an id and a claim are needed (columns 1 and 2)".into(), refused: true });
            continue;
        };
        let rating_label = field(3);
        let publisher = field(5);
        let url = field(4);
        let scope = publisher.clone().unwrap_or_else(|| stem.to_owned());
        let item = FactCheck {
            source_key: url.clone().unwrap_or_else(|| format!("{scope}#{id}")),
            claim,
            title: field(2),
            rating_value: None,
            rating_label,
            url,
            publisher,
            published: field(6),
            language: None,
            claim_id: None,
        };
        parsed.items.push(bounded(item, record, &mut parsed.problems));
    }
    Ok(parsed)
}

/// Cuts over-long fields (with a warning) and drops URLs that are not
/// http(s), which the library would otherwise link to.
fn bounded(mut item: FactCheck, record: usize, problems: &mut Vec<Problem>) -> FactCheck {
    for (name, field) in [("claim", Some(&mut item.claim)), ("title", item.title.as_mut())] {
        if let Some(field) = field
            && field.chars().count() > MAX_FIELD
        {
            *field = field.chars().take(MAX_FIELD).collect();
            problems.push(Problem { record, message: format!("{name} cut to {MAX_FIELD} characters"), refused: false });
        }
    }
    if let Some(url) = &item.url {
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            problems.push(Problem { record, message: format!("url {url:?} is not http(s); dropped"), refused: false });
            item.url = None;
        }
    }
    item
}

#[cfg(test)]
mod tests;
