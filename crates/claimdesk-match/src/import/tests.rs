use super::*;

const REVIEW: &str = r#"{
  "@context": "https://schema.org",
  "@type": "ClaimReview",
  "url": "https://checks.example/harbour-bridge",
  "claimReviewed": "The harbour bridge cost  twice its   budget.",
  "headline": "Did the bridge cost twice its budget?",
  "author": {"@type": "Organization", "name": "Example Checks"},
  "datePublished": "2026-03-04",
  "inLanguage": "en",
  "reviewRating": {"@type": "Rating", "ratingValue": "2", "bestRating": 5, "alternateName": "Mostly false"}
}"#;

fn ok(name: &str, text: &str) -> Parsed {
    match parse(name, text.as_bytes()) {
        Ok(p) => p,
        Err(e) => panic!("{name}: {e}"),
    }
}

#[test]
fn a_claim_review_object_keeps_every_field() {
    let p = ok("one.json", REVIEW);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let item = &p.items[0];
    assert_eq!(item.source_key, "https://checks.example/harbour-bridge");
    assert_eq!(item.claim, "The harbour bridge cost twice its budget.");
    assert_eq!(item.title.as_deref(), Some("Did the bridge cost twice its budget?"));
    assert_eq!(item.rating_label.as_deref(), Some("Mostly false"));
    assert_eq!(item.rating_value, Some(2.0));
    assert_eq!(item.publisher.as_deref(), Some("Example Checks"));
    assert_eq!(item.published.as_deref(), Some("2026-03-04"));
    assert_eq!(item.language.as_deref(), Some("en"));
}

#[test]
fn arrays_graphs_data_feeds_and_html_pages() {
    assert_eq!(ok("a.json", &format!("[{REVIEW}, {REVIEW}]")).items.len(), 2);
    assert_eq!(ok("g.jsonld", &format!(r#"{{"@graph": [{{"@type": "WebPage"}}, {REVIEW}]}}"#)).items.len(), 1);
    let feed = format!(
        r#"{{"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": [
            {{"@type": "DataFeedItem", "item": [{REVIEW}]}},
            {{"@type": "DataFeedItem", "item": {REVIEW}}}]}}"#
    );
    assert_eq!(ok("feed.json", &feed).items.len(), 2);
    let page = format!(
        "<html><head><script type=\"application/ld+json\">{REVIEW}</script>\
         <script type=\"application/ld+json\">{{broken</script></head><body>x</body></html>"
    );
    let p = ok("page.html", &page);
    assert_eq!(p.items.len(), 1);
    assert_eq!(p.problems.len(), 1);
    assert!(p.problems[0].refused && p.problems[0].message.contains("not JSON"));
}

#[test]
fn missing_claim_unknown_rating_and_missing_keys_are_reported_by_record() {
    let text = r#"[
      {"@type": "ClaimReview", "url": "https://c.example/1", "headline": "Only a headline", "reviewRating": {"alternateName": "False"}},
      {"@type": "ClaimReview", "url": "https://c.example/2", "claimReviewed": "No rating here"},
      {"@type": "ClaimReview", "url": "https://c.example/3"},
      {"@type": "ClaimReview", "claimReviewed": "No url, no id"},
      {"@type": "ClaimReview", "url": "javascript:alert(1)", "claimReviewed": "Bad link"}
    ]"#;
    let p = ok("mixed.json", text);
    assert_eq!(p.items.len(), 3);
    assert_eq!(p.items[0].claim, "Only a headline");
    let by_record = |r: usize| p.problems.iter().filter(|x| x.record == r).collect::<Vec<_>>();
    assert!(!by_record(1)[0].refused && by_record(1)[0].message.contains("claimReviewed"));
    assert!(!by_record(2)[0].refused && by_record(2)[0].message.contains("no rating"));
    assert!(by_record(3)[0].refused);
    assert!(by_record(4)[0].refused && by_record(4)[0].message.contains("no url"));
    assert!(by_record(5).iter().any(|x| !x.refused && x.message.contains("not http")));
    assert_eq!(p.items[2].url, None);
}

#[test]
fn tsv_and_csv_with_optional_columns() {
    let tsv = "\tclaim\ttitle\n7\tThe mayor banned bicycles.\tBicycle ban?\n8\t\tno claim\n";
    let p = ok("library.tsv", tsv);
    assert_eq!(p.items.len(), 1);
    assert_eq!(p.items[0].source_key, "library#7");
    assert_eq!(p.problems[0].record, 2);
    let csv = "id,claim,title,rating,url,publisher,date\n\
               1,\"Tea cures colds, says a post\",Tea?,False,https://c.example/tea,Example Checks,2025-01-02\n";
    let p = ok("checks.csv", csv);
    let item = &p.items[0];
    assert_eq!(item.claim, "Tea cures colds, says a post");
    assert_eq!(item.rating_label.as_deref(), Some("False"));
    assert_eq!(item.source_key, "https://c.example/tea");
    assert_eq!(item.publisher.as_deref(), Some("Example Checks"));
}

#[test]
fn a_quoted_tsv_field_may_span_lines() {
    let tsv = "\tvclaim\ttitle\n\
               41\tThe ferry fare doubled in 2023.\t\"Did the fare double?\nA look at the \"\"new\"\" tariff\"\n\
               42\tThe bridge cost $1.2bn.\tBridge cost\n";
    let p = ok("verified_claims.tsv", tsv);
    assert_eq!(p.items.len(), 2, "{:?}", p.items);
    assert_eq!(p.items[0].source_key, "verified_claims#41");
    assert_eq!(p.items[0].title.as_deref(), Some("Did the fare double?\nA look at the \"new\" tariff"));
    assert_eq!(p.items[1].source_key, "verified_claims#42", "the id is the id column's value");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn html_goes_through_the_one_entry_point() {
    let nested = format!("<html>{}x{}</html>", "<div>".repeat(20_000), "</div>".repeat(20_000));
    let started = std::time::Instant::now();
    let err = parse("deep.html", nested.as_bytes()).unwrap_err();
    assert!(matches!(err, ImportError::Html(claimdesk_html::HtmlError::TooDeep { .. })), "{err}");
    assert!(err.to_string().contains("too deeply nested"), "{err}");
    assert!(started.elapsed() < claimdesk_html::TIME_BUDGET);
}

#[test]
fn files_that_hold_nothing_usable_are_errors_not_panics() {
    assert!(matches!(parse("x.json", b"\xff\xfe"), Err(ImportError::NotText)));
    assert!(matches!(parse("x.json", b"{\"a\": "), Err(ImportError::NotJson(_))));
    assert!(matches!(parse("x.json", b"{\"@type\": \"WebPage\"}"), Err(ImportError::Empty)));
    assert!(matches!(parse("x.html", b"<html></html>"), Err(ImportError::Empty)));
    assert!(matches!(parse("x.tsv", b""), Err(ImportError::Empty)));
    let long = format!("id\tclaim\n1\t{}\n", "word ".repeat(1000));
    let p = ok("long.tsv", &long);
    assert_eq!(p.items[0].claim.chars().count(), MAX_FIELD);
    assert!(p.problems[0].message.contains("cut"));
}
