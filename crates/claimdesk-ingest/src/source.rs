//! Reading inputs: files, directories (recursively) and standard input, as
//! plain text, Markdown, HTML or JSON Lines with metadata.

use std::io::Read;
use std::path::{Path, PathBuf};

use claimdesk_core::Document;

/// Default size limit for one document, in bytes.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// Why an input (or one record of it) could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    #[error("no such file")]
    Missing,
    #[error("is a directory; give the files inside it")]
    Directory,
    #[error("cannot read: {0}")]
    Io(String),
    #[error("looks like a binary file (NUL byte at byte offset {offset}); only UTF-8 text can be checked")]
    Binary { offset: usize },
    #[error("invalid UTF-8 at byte offset {offset}; convert the file to UTF-8 first")]
    InvalidUtf8 { offset: usize },
    #[error("is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("line {line}: {reason}")]
    BadRecord { line: usize, reason: String },
    #[error("is empty: there is no text to check")]
    Empty,
    #[error("{0}")]
    Invalid(#[from] claimdesk_core::DocumentError),
    /// HTML refused by the one HTML entry point (too deep, over budget).
    #[error("{0}")]
    Html(#[from] claimdesk_html::HtmlError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Html,
    JsonLines,
}

impl Format {
    pub fn of(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("md" | "markdown") => Format::Markdown,
            Some("html" | "htm" | "xhtml") => Format::Html,
            Some("jsonl" | "ndjson") => Format::JsonLines,
            _ => Format::Text,
        }
    }
}

/// One input to read: a file, or `-` for standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub path: PathBuf,
}

impl Source {
    pub fn is_stdin(&self) -> bool {
        self.path.as_os_str() == "-"
    }

    /// How the input is named in messages and in the store.
    pub fn name(&self) -> String {
        if self.is_stdin() { "<stdin>".to_owned() } else { self.path.display().to_string() }
    }
}

/// Expands directories (recursively, sorted, hidden entries skipped) into
/// their files. Paths that are neither are kept, to fail with a clear
/// error when read.
pub fn collect_sources(paths: &[PathBuf]) -> Vec<Source> {
    fn walk(dir: &Path, out: &mut Vec<Source>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            out.push(Source { path: dir.to_path_buf() });
            return;
        };
        let mut paths: Vec<PathBuf> =
            entries.filter_map(Result::ok).filter(|e| !e.file_name().to_string_lossy().starts_with('.')).map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() { walk(&path, out) } else { out.push(Source { path }) }
        }
    }
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() { walk(path, &mut out) } else { out.push(Source { path: path.clone() }) }
    }
    out
}

/// Reads `source` as UTF-8 text of at most `limit` bytes.
pub fn read_text(source: &Source, limit: usize) -> Result<String, InputError> {
    let bytes = if source.is_stdin() {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take((limit as u64).saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| InputError::Io(e.to_string()))?;
        bytes
    } else {
        let meta = match std::fs::metadata(&source.path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(InputError::Missing),
            Err(e) => return Err(InputError::Io(e.to_string())),
            Ok(meta) => meta,
        };
        if meta.is_dir() {
            return Err(InputError::Directory);
        }
        if meta.len() > limit as u64 {
            return Err(InputError::TooLarge { size: meta.len() as usize, limit });
        }
        std::fs::read(&source.path).map_err(|e| InputError::Io(e.to_string()))?
    };
    decode(bytes, limit)
}

/// Bytes as text: refused when larger than `limit`, binary, or not UTF-8.
pub fn decode(bytes: Vec<u8>, limit: usize) -> Result<String, InputError> {
    if bytes.len() > limit {
        return Err(InputError::TooLarge { size: bytes.len(), limit });
    }
    // Like git: a NUL byte early on means binary, whatever else it holds.
    if let Some(offset) = bytes[..bytes.len().min(8192)].iter().position(|&b| b == 0) {
        return Err(InputError::Binary { offset });
    }
    let text = String::from_utf8(bytes).map_err(|e| InputError::InvalidUtf8 { offset: e.utf8_error().valid_up_to() })?;
    if let Some(offset) = text.bytes().position(|b| b == 0) {
        return Err(InputError::Binary { offset });
    }
    Ok(text)
}

/// One JSON Lines record.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    body: String,
    title: Option<String>,
    url: Option<String>,
    outlet: Option<String>,
    author: Option<String>,
    published: Option<String>,
    language: Option<String>,
}

/// The documents in `source`: one for a text, Markdown or HTML file, one
/// per line for JSON Lines. A bad JSON line is an error of its own; the
/// other lines still come through.
pub fn read_documents(source: &Source, limit: usize) -> Result<Vec<Result<Document, InputError>>, InputError> {
    let text = read_text(source, limit)?;
    let format = if source.is_stdin() { Format::Text } else { Format::of(&source.path) };
    parse_documents(text, format)
}

/// The documents in `text`, read as `format`.
pub fn parse_documents(text: String, format: Format) -> Result<Vec<Result<Document, InputError>>, InputError> {
    let (body, title) = match format {
        Format::Text => (text, None),
        Format::Markdown => (markdown_text(&text), None),
        Format::Html => html_text_and_title(&text)?,
        Format::JsonLines => return Ok(json_lines(&text)),
    };
    if body.trim().is_empty() {
        return Err(InputError::Empty);
    }
    let doc = Document { title, ..Document::new(body) };
    doc.validate()?;
    Ok(vec![Ok(doc)])
}

fn json_lines(text: &str) -> Vec<Result<Document, InputError>> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let bad = |reason: String| InputError::BadRecord { line: i + 1, reason };
            let r: Record = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
            if r.body.trim().is_empty() {
                return Err(bad("empty body".to_owned()));
            }
            let doc = Document {
                title: r.title,
                source_url: r.url,
                outlet: r.outlet,
                author: r.author,
                published: r.published,
                language: r.language.unwrap_or_else(|| "en".to_owned()),
                body: r.body,
            };
            doc.validate().map_err(|e| bad(e.to_string()))?;
            Ok(doc)
        })
        .collect()
}

/// Markdown's text: paragraphs, headings and list items each on their own
/// paragraph; markup, link targets and images dropped.
fn markdown_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::BlockQuote(_) | TagEnd::CodeBlock) => {
                out.push_str("\n\n")
            }
            _ => {}
        }
    }
    out.trim().to_owned()
}

const BLOCKS: &[&str] = &[
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "section", "article", "header", "footer", "tr", "br", "pre",
    "figcaption", "title",
];

/// HTML's visible text and title: block elements become paragraphs;
/// script, style and the head (but for its title, kept as the document
/// title) are dropped. Read through the one HTML entry point
/// ([`claimdesk_html::parse_document`]: depth and time budget checked).
fn html_text_and_title(html: &str) -> Result<(String, Option<String>), InputError> {
    use scraper::Node;
    let document = claimdesk_html::parse_document(html, claimdesk_html::TIME_BUDGET)?;
    let title = html_title(&document);
    let mut out = String::with_capacity(html.len() / 2);
    let mut stack = vec![(document.tree.root(), false)];
    while let Some((node, closing)) = stack.pop() {
        match node.value() {
            Node::Element(e) if closing => {
                if BLOCKS.contains(&e.name()) {
                    out.push_str("\n\n");
                }
            }
            Node::Element(e) => {
                if matches!(e.name(), "script" | "style" | "head" | "noscript" | "template") {
                    continue;
                }
                stack.push((node, true));
                stack.extend(node.children().rev().map(|c| (c, false)));
            }
            Node::Text(t) => {
                let collapsed = t.split_whitespace().collect::<Vec<_>>().join(" ");
                if !collapsed.is_empty() {
                    if t.starts_with(char::is_whitespace) && !out.ends_with(char::is_whitespace) && !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(&collapsed);
                    if t.ends_with(char::is_whitespace) {
                        out.push(' ');
                    }
                }
            }
            _ => stack.extend(node.children().rev().map(|c| (c, false))),
        }
    }
    // Tidy paragraph breaks: trim each line, at most one blank line.
    let mut tidy = String::with_capacity(out.len());
    for para in out.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        if !tidy.is_empty() {
            tidy.push_str("\n\n");
        }
        tidy.push_str(para);
    }
    Ok((tidy, title))
}

fn html_title(document: &scraper::Html) -> Option<String> {
    let selector = scraper::Selector::parse("title").ok()?;
    let title = document.select(&selector).next()?.text().collect::<String>();
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then_some(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_text_and_paragraphs() {
        let md = "# Budget *doubles*\n\nThe council [approved](http://x) it.\nIt cost `$3m`.\n\n- one\n- two\n";
        assert_eq!(markdown_text(md), "Budget doubles\n\nThe council approved it. It cost $3m.\n\none\n\ntwo");
    }

    #[test]
    fn html_keeps_visible_text_as_paragraphs() {
        let html = "<html><head><title> Port  deal </title><style>p{}</style></head><body><h1>Port deal</h1>\
                    <p>Talks made <b>huge</b> progress.</p><script>alert(1)</script><ul><li>One</li><li>Two</li></ul></body></html>";
        let (text, title) = html_text_and_title(html).unwrap();
        assert_eq!(text, "Port deal\n\nTalks made huge progress.\n\nOne\n\nTwo");
        assert_eq!(title.as_deref(), Some("Port deal"));
    }

    #[test]
    fn deeply_nested_html_is_refused_before_parsing() {
        // The depth rules themselves are claimdesk-html's tests; here, that
        // an HTML upload goes through them.
        let nested = |n: usize| format!("{}deep{}", "<div>".repeat(n), "</div>".repeat(n));
        let err = parse_documents(nested(70_000), Format::Html).unwrap_err();
        assert!(matches!(err, InputError::Html(claimdesk_html::HtmlError::TooDeep { .. })), "{err}");
        assert!(err.to_string().starts_with("document too deeply nested"), "{err}");
        let ok = parse_documents(nested(claimdesk_html::MAX_DEPTH - 2), Format::Html).unwrap();
        assert_eq!(ok[0].as_ref().unwrap().body, "deep");
    }

    #[test]
    fn json_lines_records_and_bad_lines() {
        let text = "{\"title\":\"A\",\"body\":\"Prices rose 4%.\",\"outlet\":\"Gazette\"}\nnot json\n\n{\"body\":\"  \"}\n";
        let docs = json_lines(text);
        assert_eq!(docs.len(), 3);
        let first = docs[0].as_ref().unwrap();
        assert_eq!((first.title.as_deref(), first.outlet.as_deref(), first.body.as_str()), (Some("A"), Some("Gazette"), "Prices rose 4%."));
        assert!(matches!(&docs[1], Err(InputError::BadRecord { line: 2, .. })));
        assert!(matches!(&docs[2], Err(InputError::BadRecord { line: 4, reason }) if reason == "empty body"));
    }

    #[test]
    fn json_lines_refuse_unsafe_urls_and_bad_dates_line_by_line() {
        let text = concat!(
            "{\"body\":\"Officials said big progress.\",\"url\":\"javascript:alert(document.domain)\"}\n",
            "{\"body\":\"Prices rose 4%.\",\"url\":\"https://news.example/a\",\"published\":\"2024-05-01\"}\n",
            "{\"body\":\"Taxes fell.\",\"published\":\"not-a-date\"}\n",
            "{\"body\":\"a\\u0000b\"}\n",
        );
        let docs = json_lines(text);
        assert!(
            matches!(&docs[0], Err(InputError::BadRecord { line: 1, reason }) if reason.contains("must start with http:// or https://"))
        );
        assert_eq!(docs[1].as_ref().unwrap().source_url.as_deref(), Some("https://news.example/a"));
        assert!(matches!(&docs[2], Err(InputError::BadRecord { line: 3, reason }) if reason.contains("not a date")));
        assert!(matches!(&docs[3], Err(InputError::BadRecord { line: 4, reason }) if reason.contains("U+0000")));
        assert!(matches!(parse_documents("bell\u{7}".into(), Format::Text), Err(InputError::Invalid(_))));
    }
}
