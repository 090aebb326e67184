//! Every format parsed back: the claims come out as they went in, one entry
//! per claim, whatever characters they hold.

use claimdesk_core::{Kind, RatingScale, Stance, Status};
use claimdesk_store::{ClaimRow, EvidenceRow, ReportDocument, ReportRow};
use serde_json::Value;

use super::*;

const HOSTILE_TEXT: &str = "He said \"we'll win\", costs < 5% & rising | *really* [sic],\nnew line — 中文 テスト مرحبا.";
const SCRIPT_SUMMARY: &str = "Tax </script><script>alert(1)</script> & \"cuts\" | paid";
const HOSTILE_URL: &str = "https://example.org/a?x=1&y=<2>|(3)\"q\"";

fn claim_row(id: i64, text: &str, verdict: &str, summary: Option<&str>) -> ClaimRow {
    ClaimRow {
        id,
        document_id: 7,
        sentence_index: id as i32,
        start: 0,
        end: text.len() as i64,
        text: text.to_owned(),
        speaker: Some("O'Brien, \"Jr.\" <b>&".to_owned()),
        speaker_kind: claimdesk_core::SpeakerKind::Named,
        priority: 0.5,
        status: Status::Published,
        assignee: None,
        verdict: Some(verdict.to_owned()),
        explanation: Some("Line one, with a comma.\nLine two | with a pipe & <em>tag</em>.".to_owned()),
        resolved_by: Some("chk".to_owned()),
        approved_by: None,
        dismissal_reason: None,
        dismissal_kind: None,
        claim_reviewed: summary.map(str::to_owned),
        version: 3,
        created_at: 0,
        updated_at: 0,
    }
}

fn evidence(claim_id: i64, url: &str, title: Option<&str>, stance: Stance) -> EvidenceRow {
    EvidenceRow {
        id: claim_id * 10,
        claim_id,
        url: url.to_owned(),
        title: title.map(str::to_owned),
        quoted_passage: Some("The \"figure\" was 4,5 — not 5.\nSee table 2.".to_owned()),
        note: None,
        stance,
        added_by: "chk".to_owned(),
        added_at: 0,
        archived_url: None,
    }
}

fn rows() -> Vec<ReportRow> {
    let document = ReportDocument {
        id: 7,
        title: Some("Budget <night> & \"promises\"".to_owned()),
        url: Some("https://news.example/budget?a=1&b=2".to_owned()),
        outlet: Some("The Example, Ltd.".to_owned()),
        author: Some("Zoë Ångström".to_owned()),
        published: Some("2026-03-14".to_owned()),
    };
    vec![
        ReportRow {
            claim: claim_row(1, HOSTILE_TEXT, "mostly_false", None),
            document: document.clone(),
            reviewed_at: Some(1_780_000_000),
            evidence: vec![
                evidence(1, HOSTILE_URL, Some("Report \"A\" | <b>&"), Stance::Refutes),
                evidence(1, "javascript:alert(1)", None, Stance::Context),
            ],
            kinds: vec![Kind::Numeric, Kind::Vague],
        },
        // No evidence at all, an unrated verdict, an edited short form.
        ReportRow {
            claim: claim_row(2, "Nobody has ever built a longer bridge.", "unverifiable", Some(SCRIPT_SUMMARY)),
            document,
            reviewed_at: Some(1_780_086_400),
            evidence: vec![],
            kinds: vec![Kind::Superlative],
        },
    ]
}

fn meta() -> ReportMeta {
    ReportMeta {
        title: "Checks of <Budget> & co".to_owned(),
        scope: Scope::Period { from: Some("2026-05-01".to_owned()), to: None, filters: vec!["outlet=The Example".to_owned()] },
        publisher: Organization { name: "Fact & Figure Desk".to_owned(), url: Some("https://facts.example".to_owned()) },
        base_url: "https://checks.example/".to_owned(),
        generated_at: 1_780_100_000,
        drafts: false,
    }
}

fn report() -> Report {
    Report::build(meta(), RatingScale::default(), rows())
}

#[test]
fn build_fills_verdicts_urls_short_forms_and_totals() {
    let report = report();
    assert_eq!(report.claims.len(), 2);
    let first = &report.claims[0];
    // A published claim's review lives on its public page (no trailing
    // slash doubled); a draft has none, so it points into the report.
    assert_eq!(first.url, "https://checks.example/fact-checks/1");
    assert_eq!(crate::review_url("https://c.example", Status::Resolved, 4, 7), "https://c.example/reports/documents/7#claim-4");
    assert_eq!((first.verdict.label.as_str(), first.verdict.value), ("Mostly false", Some(2)));
    // The default short form: the sentence without its attribution ("He said").
    assert_eq!(first.claim_reviewed, "\"we'll win\", costs < 5% & rising | *really* [sic], new line — 中文 テスト مرحبا.");
    assert_eq!(first.reviewed_at.as_deref(), Some("2026-05-28T20:26:40Z"));
    assert_eq!(report.claims[1].claim_reviewed, SCRIPT_SUMMARY);
    assert_eq!(report.claims[1].verdict.value, None);
    let count = |key: &str| report.totals.by_verdict.iter().find(|c| c.key == key).map(|c| c.count);
    assert_eq!((count("mostly_false"), count("unverifiable"), count("true")), (Some(1), Some(1), Some(0)));
    assert_eq!(report.totals.by_verdict.len(), RatingScale::default().ratings.len());
    assert_eq!(report.totals.by_kind.len(), 3);
}

fn check_claim_review(review: &Value, claim: &ReportClaim) {
    assert_eq!(review["@context"], "https://schema.org");
    assert_eq!(review["@type"], "ClaimReview");
    assert_eq!(review["url"], claim.url.as_str());
    assert_eq!(review["claimReviewed"], claim.claim_reviewed.as_str());
    assert_eq!(review["datePublished"], &claim.reviewed_at.as_deref().unwrap_or_default()[..10]);
    assert_eq!(review["author"]["@type"], "Organization");
    assert_eq!(review["author"]["name"], "Fact & Figure Desk");
    assert_eq!(review["author"]["url"], "https://facts.example");
    let rating = &review["reviewRating"];
    assert_eq!(rating["@type"], "Rating");
    assert_eq!(rating["alternateName"], claim.verdict.label.as_str());
    match claim.verdict.value {
        Some(value) => {
            assert_eq!(rating["ratingValue"], value);
            assert_eq!((rating["bestRating"].as_u64(), rating["worstRating"].as_u64()), (Some(5), Some(1)));
        }
        None => {
            for field in ["ratingValue", "bestRating", "worstRating"] {
                assert!(rating.get(field).is_none(), "unrated outcomes carry alternateName only, not {field}");
            }
        }
    }
    let item = &review["itemReviewed"];
    assert_eq!(item["@type"], "Claim");
    assert_eq!(item["author"]["@type"], "Person");
    assert_eq!(item["author"]["name"], claim.speaker.as_deref().unwrap_or_default());
    assert_eq!(item["datePublished"], "2026-03-14");
    assert_eq!(item["appearance"][0]["url"], "https://news.example/budget?a=1&b=2");
}

#[test]
fn claimreview_array_has_required_and_recommended_fields() {
    let report = report();
    let parsed: Value = serde_json::from_str(&render(&report, Format::ClaimReview).expect("render")).expect("JSON");
    let array = parsed.as_array().expect("an array");
    assert_eq!(array.len(), report.claims.len());
    for (review, claim) in array.iter().zip(&report.claims) {
        check_claim_review(review, claim);
    }
}

#[test]
fn html_parses_with_one_json_ld_block_per_claim_and_everything_escaped() {
    let report = report();
    let text = render(&report, Format::Html).expect("render");
    let page = scraper::Html::parse_document(&text);
    let select = |css: &str| scraper::Selector::parse(css).expect("selector");
    let blocks: Vec<_> = page.select(&select(r#"script[type="application/ld+json"]"#)).collect();
    assert_eq!(blocks.len(), report.claims.len());
    assert_eq!(page.select(&select("script")).count(), report.claims.len(), "no script element smuggled in:\n{text}");
    for (block, claim) in blocks.iter().zip(&report.claims) {
        let json: Value = serde_json::from_str(&block.text().collect::<String>()).expect("JSON-LD parses");
        check_claim_review(&json, claim);
    }
    let articles: Vec<_> = page.select(&select("article.claim")).collect();
    assert_eq!(articles.len(), report.claims.len());
    for (article, claim) in articles.iter().zip(&report.claims) {
        let heading: String = article.select(&select("h3")).flat_map(|h| h.text()).collect();
        assert_eq!(heading, claim.claim_reviewed);
        let quote: String = article.select(&select("blockquote")).flat_map(|h| h.text()).collect();
        assert_eq!(quote, claim.text);
        assert_eq!(article.value().attr("id"), Some(format!("claim-{}", claim.id).as_str()));
    }
    let links: Vec<&str> = articles[0].select(&select("ul.evidence a")).filter_map(|a| a.value().attr("href")).collect();
    assert_eq!(links, vec![HOSTILE_URL], "the javascript: address is text, not a link");
    assert!(articles[0].text().any(|t| t.contains("javascript:alert(1)")));
    assert!(articles[1].text().any(|t| t.contains("No evidence links recorded")));
    assert_eq!(page.select(&select("h1")).flat_map(|h| h.text()).collect::<String>(), "Checks of <Budget> & co");
    assert_eq!(page.select(&select("figure.chart svg")).count(), 1, "the chart is inline");
    let footer: String = page.select(&select("footer")).flat_map(|f| f.text()).collect();
    for rating in &report.scale.ratings {
        assert!(footer.contains(&rating.meaning), "methodology lists {}", rating.key);
    }
}

/// The text of each cell of each table in `markdown`.
fn markdown_tables(markdown: &str) -> Vec<Vec<Vec<String>>> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut tables = Vec::new();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut cell: Option<String> = None;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) => rows.clear(),
            Event::End(TagEnd::Table) => tables.push(std::mem::take(&mut rows)),
            Event::Start(Tag::TableHead | Tag::TableRow) => rows.push(Vec::new()),
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                if let (Some(text), Some(row)) = (cell.take(), rows.last_mut()) {
                    row.push(text);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(cell) = &mut cell {
                    cell.push_str(&t);
                }
            }
            Event::InlineHtml(html) if html.as_ref() == "<br>" => {
                if let Some(cell) = &mut cell {
                    cell.push('\n');
                }
            }
            Event::InlineHtml(html) => panic!("user text became HTML: {html}"),
            _ => {}
        }
    }
    tables
}

#[test]
fn markdown_tables_have_one_row_per_claim_and_cells_read_back() {
    let report = report();
    let text = render(&report, Format::Markdown).expect("render");
    let tables = markdown_tables(&text);
    let claims = tables.iter().find(|t| t.first().is_some_and(|h| h.first().map(String::as_str) == Some("#"))).expect("claims table");
    assert_eq!(claims.len() - 1, report.claims.len(), "header plus one row per claim:\n{text}");
    for (row, claim) in claims[1..].iter().zip(&report.claims) {
        assert_eq!(row.len(), 9, "no cell split by a pipe: {row:?}");
        assert_eq!(row[0], claim.id.to_string());
        assert_eq!(row[1], claim.claim_reviewed);
        assert_eq!(row[2], claim.text);
        assert_eq!(row[3], claim.speaker.clone().unwrap_or_default());
        assert_eq!(row[4], claim.verdict.label);
        assert_eq!(row[5], claim.explanation);
    }
    assert!(claims[1][6].contains("Report \"A\" | <b>&"), "{}", claims[1][6]);
    assert!(!text.contains("](javascript"), "a javascript: address is never a link:\n{text}");
    assert!(claims[1][6].contains("context: javascript:alert(1)"), "{}", claims[1][6]);
    let verdicts = tables.iter().find(|t| t[0][0] == "Verdict").expect("totals table");
    assert_eq!(verdicts.len() - 1, report.scale.ratings.len());
    let methodology = tables.iter().find(|t| t[0][0] == "Rating").expect("methodology");
    assert_eq!(methodology.len() - 1, report.scale.ratings.len());
}

#[test]
fn markdown_link_destinations_cannot_break_out() {
    let destination = markdown::link_destination("https://example.org/a?x=1&y=<2>|(3) \"q\"");
    for bad in ['<', '>', '|', '(', ')', ' ', '"'] {
        assert!(!destination.contains(bad), "{destination}");
    }
    assert_eq!(destination, "https://example.org/a?x=1&y=%3C2%3E%7C%283%29%20%22q%22");
}

#[test]
fn csv_reads_back_field_for_field() {
    let report = report();
    let text = render(&report, Format::Csv).expect("render");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().expect("headers").iter().map(str::to_owned).collect();
    assert_eq!(headers, CSV_COLUMNS);
    let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("records");
    assert_eq!(records.len(), report.claims.len());
    let column = |name: &str| CSV_COLUMNS.iter().position(|c| *c == name).expect("column");
    for (record, claim) in records.iter().zip(&report.claims) {
        assert_eq!(&record[column("claim_id")], claim.id.to_string());
        assert_eq!(&record[column("claim")], claim.text);
        assert_eq!(&record[column("claim_reviewed")], claim.claim_reviewed);
        assert_eq!(&record[column("speaker")], claim.speaker.as_deref().unwrap_or_default());
        assert_eq!(&record[column("explanation")], claim.explanation);
        assert_eq!(&record[column("verdict_label")], claim.verdict.label);
        assert_eq!(&record[column("document_title")], claim.document.title.as_deref().unwrap_or_default());
    }
    assert_eq!(&records[0][column("evidence")], format!("refutes: {HOSTILE_URL} (Report \"A\" | <b>&)\ncontext: javascript:alert(1)"));
    assert_eq!(&records[1][column("evidence")], "");
    assert_eq!(&records[1][column("rating_value")], "", "unrated");
}

#[test]
fn csv_cells_that_a_spreadsheet_would_run_are_neutralised() {
    let mut report = report();
    let formula = "=cmd|' /C calc'!A0";
    let claim = &mut report.claims[0];
    claim.claim_reviewed = formula.to_owned();
    claim.explanation = "+1+1".to_owned();
    claim.document.outlet = Some("@SUM(A1)".to_owned());
    claim.document.title = Some("-2+3".to_owned());
    claim.speaker = Some("\tTab".to_owned());
    let text = render(&report, Format::Csv).expect("render");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let record = reader.records().next().expect("a row").expect("a record");
    let column = |name: &str| CSV_COLUMNS.iter().position(|c| *c == name).expect("column");
    assert_eq!(&record[column("claim_reviewed")], "'=cmd|' /C calc'!A0");
    assert_eq!(&record[column("explanation")], "'+1+1");
    assert_eq!(&record[column("outlet")], "'@SUM(A1)");
    assert_eq!(&record[column("document_title")], "'-2+3");
    assert_eq!(&record[column("speaker")], "'\tTab");
    assert_eq!(&record[column("claim_id")], report.claims[0].id.to_string(), "numbers stay numbers");
    assert!(!text.lines().any(|l| l.starts_with('=') || l.contains(",=")), "no cell starts with =");
}

#[test]
fn json_is_versioned_and_round_trips() {
    let report = report();
    let text = render(&report, Format::Json).expect("render");
    let value: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(value["schema_version"], SCHEMA_VERSION);
    assert_eq!(value["claims"].as_array().map(Vec::len), Some(report.claims.len()));
    let back: Report = serde_json::from_str(&text).expect("reads back as a report");
    assert_eq!(back, report);
}

#[test]
fn svg_chart_has_a_bar_per_rating_and_escapes_labels() {
    let mut scale = RatingScale::default();
    scale.ratings[0].label = "True <really> & sure".to_owned();
    let report = Report::build(meta(), scale, rows());
    let svg = render(&report, Format::Svg).expect("render");
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
    assert!(!svg.contains("<really>"), "label escaped");
    let page = scraper::Html::parse_fragment(&svg);
    let texts: String = page.root_element().text().collect();
    assert!(texts.contains("True <really> & sure") && texts.contains("Mostly false"), "{texts}");
}

#[test]
fn an_empty_report_is_valid_in_every_format() {
    let report = Report::build(meta(), RatingScale::default(), Vec::new());
    assert_eq!(report.totals.claims, 0);
    for &format in Format::ALL {
        let text = render(&report, format).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        match format {
            Format::Html => assert!(!text.contains("application/ld+json") && text.contains("No claims match")),
            Format::Markdown => assert!(text.contains("No claims match")),
            Format::Json => assert_eq!(serde_json::from_str::<Value>(&text).expect("json")["claims"], Value::Array(vec![])),
            Format::Csv => assert_eq!(text.lines().count(), 1, "header only"),
            Format::ClaimReview => assert_eq!(serde_json::from_str::<Value>(&text).expect("json"), Value::Array(vec![])),
            Format::Svg => assert!(text.starts_with("<svg")),
        }
    }
}

#[test]
fn formats_parse_from_their_names() {
    for &format in Format::ALL {
        assert_eq!(Format::parse(format.as_str()), Some(format));
    }
    assert_eq!(Format::parse("markdown"), Some(Format::Markdown));
    assert_eq!(Format::parse("pdf"), None);
}

#[test]
fn unsafe_stored_addresses_never_become_links_or_appearances() {
    let mut report = report();
    report.claims[0].document.url = Some("javascript:alert(document.domain)".to_owned());
    let reviews = serde_json::to_value(claim_reviews(&report)).expect("JSON");
    assert!(reviews[0]["itemReviewed"].get("appearance").is_none(), "{reviews}");
    let md = render(&report, Format::Markdown).expect("render");
    assert!(!md.contains("](javascript"), "{md}");
    let html = render(&report, Format::Html).expect("render");
    assert!(!html.contains("href=\"javascript"), "no javascript: link in the HTML");
}

#[test]
fn markdown_totals_count_in_the_right_number() {
    let one = Report::build(meta(), RatingScale::default(), rows().into_iter().take(1).collect());
    let text = markdown(&one);
    assert!(text.contains("\n1 claim.\n") && !text.contains("1 claims"), "{text}");
    assert!(markdown(&report()).contains("\n2 claims.\n"));
}

#[test]
fn the_claimant_is_a_person_only_when_a_speaker_is_named() {
    use claimdesk_core::SpeakerKind;
    let report = report();
    let mut claim = report.claims[0].clone();
    let author = |c: &model::ReportClaim| crate::claimreview::claimant(c).map(|a| (a.type_, a.name));
    assert_eq!(author(&claim), Some(("Person", claim.speaker.clone().unwrap())));
    // "Officials said": not a person; the outlet that carried it is the claimant.
    claim.speaker_kind = SpeakerKind::Anonymous;
    claim.speaker = Some("Officials".to_owned());
    assert_eq!(author(&claim), Some(("Organization", "The Example, Ltd.".to_owned())));
    // No speaker: the outlet's own claim, never the article's journalist.
    claim.speaker_kind = SpeakerKind::Outlet;
    claim.speaker = None;
    assert_eq!(author(&claim), Some(("Organization", "The Example, Ltd.".to_owned())));
    claim.document.outlet = None;
    assert_eq!(author(&claim), None, "no outlet known: no author, rather than a wrong one");
}

#[test]
fn times_read_as_people_write_them() {
    assert_eq!(crate::human_time("2026-11-28T14:05:09Z"), "28 Nov 2026, 14:05 UTC");
    assert_eq!(crate::human_time("2026-11-28T16:05:00+02:00"), "28 Nov 2026, 14:05 UTC", "shown in UTC");
    assert_eq!(crate::human_time("2026-03-01T00:00:00Z"), "1 Mar 2026, 00:00 UTC");
    assert_eq!(crate::human_time("yesterday"), "yesterday", "not a time: as it is");
}
