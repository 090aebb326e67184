//! Verdict reports end to end: claims resolved and published through the
//! real server, then reported by `claimdesk report` and by `/reports`, in
//! every format, parsed back.

use serde_json::{Value, json};

use super::{Client, Server, act, servers};
use crate::claimdesk;

const TITLE: &str = "Harbour <fees> & \"tolls\" | 2026";
const OUTLET: &str = "Coast, Post | Ltd";
const BODY: &str = "Harbour fees doubled last year, according to officials. \
The port authority says it is the busiest harbour in the north, with 1,200 ships a year. \
Le maire affirme que le port est « le plus propre » du pays, avec 40 % de déchets en moins. \
The mayor said the new pier cost less than 4 million, the cheapest in a decade.";
const EVIDENCE_URL: &str = "https://port.example/fees?x=1&y=<2>|(3)";
const EVIDENCE_TITLE: &str = "Fee schedule, \"2025\" | <b>&</b> — 料金表";
const EXPLANATION: &str = "Fees rose 60%,\nnot 100% | see <table> & notes.";
const SHORT_FORM: &str = "Harbour fees \"doubled\" | <fact> & check — 料金";

struct Fixture {
    document: i64,
    /// Published with evidence, published without, resolved only.
    with_evidence: i64,
    without_evidence: i64,
    draft: i64,
}

fn version(api: &Client, id: i64) -> i64 {
    api.get(&format!("/api/v1/claims/{id}")).json()["claim"]["version"].as_i64().unwrap()
}

fn verdict(api: &Client, id: i64, rating: &str, explanation: &str) {
    let body = json!({ "version": version(api, id), "rating": rating, "explanation": explanation });
    let resp = api.post_json(&format!("/api/v1/claims/{id}/verdict"), &body);
    assert_eq!(resp.status, 200, "{}", resp.body);
}

fn publish(api: &Client, id: i64) {
    let resp = api.post_json(&format!("/api/v1/claims/{id}/publish"), &json!({ "version": version(api, id) }));
    assert_eq!(resp.status, 200, "{}", resp.body);
}

fn set_up(server: &Server) -> (Fixture, Client, Client) {
    let checker_session = server.user("cleo", "checker");
    let editor_session = server.user("ed", "editor");
    let checker = Client::with_token(&server.base, &server.token("cleo"));
    let editor = Client::with_token(&server.base, &server.token("ed"));
    let doc = json!({ "body": BODY, "title": TITLE, "outlet": OUTLET, "author": "Zoë Ångström",
        "published": "2026-11-20", "url": "https://coast.example/fees?a=1&b=2" });
    let created = checker.post_json("/api/v1/documents", &doc);
    assert_eq!(created.status, 201, "{}", created.body);
    let document = created.json()["id"].as_i64().unwrap();
    let claims = checker.get(&format!("/api/v1/claims?document={document}&order=age")).json();
    let ids: Vec<i64> = claims["claims"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert!(ids.len() >= 3, "the fixture yields at least three claims: {claims}");
    let fixture = Fixture { document, with_evidence: ids[0], without_evidence: ids[1], draft: ids[2] };

    let evidence = json!({ "url": EVIDENCE_URL, "stance": "refutes", "title": EVIDENCE_TITLE,
        "quoted_passage": "Fees: 2024 — 10 €; 2025 — 16 €.\nSecond line, with a comma." });
    assert_eq!(checker.post_json(&format!("/api/v1/claims/{}/evidence", fixture.with_evidence), &evidence).status, 200);
    verdict(&checker, fixture.with_evidence, "mostly_false", EXPLANATION);
    verdict(&checker, fixture.without_evidence, "unverifiable", "No public records, yet.");
    verdict(&checker, fixture.draft, "false", "Draft only.");

    // The short form: a checker sets it before publication; too long is refused.
    let too_long = "x".repeat(76);
    let refused = act(&checker_session, fixture.with_evidence, "summarize", &[("claim_reviewed", &too_long)]);
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("at most 75 characters"), "{}", refused.body);
    let saved = act(&checker_session, fixture.with_evidence, "summarize", &[("claim_reviewed", SHORT_FORM)]);
    assert_eq!(saved.status, 303, "{}", saved.body);

    publish(&editor, fixture.with_evidence);
    // Publishing needs evidence unless an admin says otherwise.
    let body = json!({ "version": version(&editor, fixture.without_evidence) });
    let refused = editor.post_json(&format!("/api/v1/claims/{}/publish", fixture.without_evidence), &body);
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.json()["message"].as_str().unwrap().contains("needs at least one evidence item"), "{}", refused.body);
    let admin = server.admin();
    let token = admin.csrf();
    assert_eq!(admin.post_form("/settings", &[("csrf_token", &token), ("publish_needs_evidence", "false")]).status, 303);
    publish(&editor, fixture.without_evidence);
    // Published: only an editor may change the short form now.
    let refused = act(&checker_session, fixture.with_evidence, "summarize", &[("claim_reviewed", "Other")]);
    assert_eq!(refused.status, 403, "{}", refused.body);
    let page = checker_session.get(&format!("/claims/{}", fixture.with_evidence)).body;
    assert!(
        page.contains("Harbour fees &#34;doubled&#34; | &#60;fact&#62; &#38; check — 料金")
            || page.contains("Harbour fees &quot;doubled&quot;"),
        "short form shown escaped"
    );

    let admin = server.admin();
    let token = admin.csrf();
    let saved = admin.post_form(
        "/settings",
        &[
            ("csrf_token", &token),
            ("organization_name", "Harbour & Co <Checks>"),
            ("organization_url", "https://checks.example"),
            ("public_url", "https://checks.example/desk/"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    let bad = admin.post_form("/settings", &[("csrf_token", &token), ("public_url", "javascript:alert(1)")]);
    assert_eq!(bad.status, 400);
    drop(editor_session);
    (fixture, checker_session, server.user("edna", "editor"))
}

fn cli_report(db: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["report", "--database", db];
    all.extend_from_slice(args);
    claimdesk(&all)
}

fn stdout(out: &std::process::Output) -> String {
    assert!(out.status.success(), "report failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The JSON-LD blocks of an HTML report, parsed.
fn json_ld_blocks(html: &str) -> Vec<Value> {
    let page = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(r#"script[type="application/ld+json"]"#).unwrap();
    page.select(&selector).map(|s| serde_json::from_str(&s.text().collect::<String>()).unwrap()).collect()
}

fn csv_records(text: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(text.as_bytes()).records().collect::<Result<_, _>>().unwrap()
}

/// Rows of the Markdown claims table.
fn markdown_claim_rows(text: &str) -> usize {
    text.lines().filter(|l| l.starts_with("| [") && (l.contains("#claim-") || l.contains("/fact-checks/"))).count()
}

/// Every format of the same report holds `ids`, in order.
fn check_all_formats(db: &str, selection: &[&str], ids: &[i64]) {
    let args = |format: &'static str| [selection, &["--format", format]].concat();
    let json: Value = serde_json::from_str(&stdout(&cli_report(db, &args("json")))).unwrap();
    let json_ids: Vec<i64> = json["claims"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(json_ids, ids);
    assert_eq!(json["schema_version"], 1);
    let html = stdout(&cli_report(db, &args("html")));
    assert_eq!(json_ld_blocks(&html).len(), ids.len());
    let csv = stdout(&cli_report(db, &args("csv")));
    let csv_ids: Vec<i64> = csv_records(&csv).iter().map(|r| r[0].parse().unwrap()).collect();
    assert_eq!(csv_ids, ids);
    assert_eq!(markdown_claim_rows(&stdout(&cli_report(db, &args("md")))), ids.len());
    let reviews: Value = serde_json::from_str(&stdout(&cli_report(db, &args("claimreview")))).unwrap();
    assert_eq!(reviews.as_array().unwrap().len(), ids.len());
}

#[test]
fn reports_from_the_cli_and_the_web_hold_exactly_the_published_claims() {
    for server in servers("reports") {
        let (f, checker, editor) = set_up(&server);
        let db = server.db.as_str();
        let document = f.document.to_string();
        let published = [f.with_evidence, f.without_evidence];
        check_all_formats(db, &["--document", &document], &published);

        // ClaimReview, field by field, from the HTML's JSON-LD.
        let html = stdout(&cli_report(db, &["--document", &document, "--format", "html"]));
        let blocks = json_ld_blocks(&html);
        let first = &blocks[0];
        assert_eq!(first["@type"], "ClaimReview");
        assert_eq!(first["claimReviewed"], SHORT_FORM);
        // The public page, under the public address (its trailing "/" dropped).
        assert_eq!(first["url"], format!("https://checks.example/desk/fact-checks/{}", f.with_evidence));
        assert_eq!(first["author"], json!({ "@type": "Organization", "name": "Harbour & Co <Checks>", "url": "https://checks.example" }));
        assert_eq!(first["reviewRating"]["alternateName"], "Mostly false");
        assert_eq!((first["reviewRating"]["ratingValue"].as_u64(), first["reviewRating"]["bestRating"].as_u64()), (Some(2), Some(5)));
        assert_eq!(first["itemReviewed"]["appearance"][0]["url"], "https://coast.example/fees?a=1&b=2");
        assert_eq!(first["itemReviewed"]["datePublished"], "2026-11-20");
        assert!(first["datePublished"].as_str().unwrap().starts_with("20"), "{first}");
        let second = &blocks[1];
        assert_eq!(second["reviewRating"], json!({ "@type": "Rating", "alternateName": "Unverifiable" }));
        assert!(second["claimReviewed"].as_str().unwrap().chars().count() <= 75);
        assert!(!html.contains("<fact>") && !html.contains("<b>&</b>"), "user text is escaped");

        // CSV keeps commas, quotes, pipes and new lines inside cells.
        let csv = stdout(&cli_report(db, &["--document", &document, "--format", "csv"]));
        let records = csv_records(&csv);
        assert_eq!(&records[0][2], SHORT_FORM);
        assert_eq!(&records[0][8], EXPLANATION);
        assert_eq!(&records[0][9], format!("refutes: {EVIDENCE_URL} ({EVIDENCE_TITLE})"));
        assert_eq!(&records[1][9], "", "a claim without evidence");
        assert_eq!(&records[0][18], OUTLET);

        // Drafts: editors' reports only, and marked.
        let drafts: Value =
            serde_json::from_str(&stdout(&cli_report(db, &["--document", &document, "--drafts", "--format", "json"]))).unwrap();
        let statuses: Vec<(i64, &str)> =
            drafts["claims"].as_array().unwrap().iter().map(|c| (c["id"].as_i64().unwrap(), c["status"].as_str().unwrap())).collect();
        assert_eq!(statuses, [(f.with_evidence, "published"), (f.without_evidence, "published"), (f.draft, "draft")]);

        // Periods and filters.
        let today = time::OffsetDateTime::now_utc().date().to_string();
        check_all_formats(db, &["--from", &today, "--to", &today], &published);
        check_all_formats(db, &["--from", &today, "--filter", "verdict=unverifiable"], &[f.without_evidence]);
        // The label the pages show works as well as the key, in any case.
        check_all_formats(db, &["--from", &today, "--filter", "verdict=UNVERIFIABLE"], &[f.without_evidence]);
        check_all_formats(db, &["--filter", &format!("outlet={OUTLET}"), "--filter", "checker=cleo"], &published);
        check_all_formats(db, &["--filter", "checker=nobody"], &[]);
        // An empty period is a valid, empty report.
        check_all_formats(db, &["--from", "2001-01-01", "--to", "2001-01-31"], &[]);

        // The web: listing, report page, downloads, permissions.
        let listing = checker.get("/reports");
        assert_eq!(listing.status, 200);
        assert!(listing.body.contains(&format!("/reports/documents/{}", f.document)));
        let page = checker.get(&format!("/reports/documents/{}", f.document));
        assert_eq!((page.status, page.content_type.as_str()), (200, "text/html; charset=utf-8"));
        assert_eq!(json_ld_blocks(&page.body).len(), 2);
        assert!(page.body.contains("format=csv") && page.body.contains("download=1"), "download links");
        let csv = checker.get(&format!("/reports/documents/{}?format=csv&download=1", f.document));
        assert_eq!(csv.status, 200);
        assert_eq!(
            csv.content_disposition.as_deref(),
            Some(format!("attachment; filename=\"claimdesk-report-document-{}.csv\"", f.document).as_str())
        );
        assert_eq!(csv_records(&csv.body).len(), 2);
        for format in ["md", "json", "claimreview", "svg"] {
            let resp = checker.get(&format!("/reports/documents/{}?format={format}", f.document));
            assert_eq!(resp.status, 200, "{format}: {}", resp.body);
        }
        let period = checker.get(&format!("/reports/period?from={today}&to={today}&format=json")).json();
        assert_eq!(period["claims"].as_array().unwrap().len(), 2);
        // A filter value with commas, spaces and a pipe survives into the download links.
        let outlet = "outlet=Coast%2C%20Post%20%7C%20Ltd";
        let page = checker.get(&format!("/reports/period?{outlet}"));
        assert_eq!(json_ld_blocks(&page.body).len(), 2, "the outlet filter matches");
        assert!(
            page.body.contains(&format!("{outlet}&#38;format=csv")) || page.body.contains(&format!("{outlet}&amp;format=csv")),
            "links keep the filter"
        );
        let csv = checker.get(&format!("/reports/period?{outlet}&format=csv&download=1"));
        assert_eq!(csv_records(&csv.body).len(), 2);
        assert_eq!(checker.get(&format!("/reports/documents/{}?drafts=1", f.document)).status, 403);
        let drafts = editor.get(&format!("/reports/documents/{}?drafts=1&format=json", f.document));
        assert_eq!(drafts.json()["claims"].as_array().unwrap().len(), 3);

        // The same claims on the public pages, read with no session.
        let base = "https://checks.example/desk";
        super::public::check_public_pages(&server, base, &published, &[f.draft], (f.with_evidence, SHORT_FORM));
        super::public::check_public_filters(&server, "mostly FALSE", &OUTLET.to_lowercase(), &[f.with_evidence]);
        super::public::check_public_filters(&server, "unverifiable", "", &[f.without_evidence]);
        super::public::check_public_filters(&server, "", "Elsewhere", &[]);

        // Unpublished after a report: absent from the next one, and in the history.
        assert_eq!(act(&editor, f.with_evidence, "unpublish", &[]).status, 303);
        assert_eq!(server.client().get(&format!("/fact-checks/{}", f.with_evidence)).status, 404, "gone from the public pages");
        check_all_formats(db, &["--document", &document], &[f.without_evidence]);
        let web = checker.get(&format!("/reports/documents/{}?format=json", f.document)).json();
        assert_eq!(web["claims"].as_array().unwrap().len(), 1);
        let history = checker.get(&format!("/claims/{}", f.with_evidence)).body;
        assert!(history.contains("unpublish") && history.contains("publish") && history.contains("summarize"), "events in the history");
    }
}

#[test]
fn report_bad_input_gets_clear_errors() {
    let dir = claimdesk_tests::temp_dir("report-bad-input");
    let db = format!("sqlite://{}?mode=rwc", dir.join("r.sqlite").display());
    let migrate = claimdesk(&["migrate", "--database", &db]);
    assert!(migrate.status.success());
    let cases: [(&[&str], &str); 11] = [
        // No public address set and none given: links would be guesses.
        (&["--format", "json"], "no public address is set"),
        (&["--format", "json", "--base-url", "https://c.example/?q=1"], "must not have a query"),
        (&["--document", "999999", "--format", "html"], "no document with ID 999999"),
        (&["--format", "pdf"], "invalid value 'pdf'"),
        (&["--from", "2026-13-40", "--format", "json"], "is not a date as YYYY-MM-DD"),
        (&["--from", "2026-05-02", "--to", "2026-05-01", "--format", "json"], "the period starts (2026-05-02) after it ends (2026-05-01)"),
        (&["--filter", "colour=blue", "--format", "json"], "unknown filter \"colour\""),
        (&["--filter", "outlet", "--format", "json"], "is not KEY=VALUE"),
        (&["--document", "1", "--from", "2026-05-01", "--format", "json"], "cannot be used with"),
        // Unknown values are usage errors, not empty reports.
        (&["--filter", "verdict=bogus", "--format", "json"], "\"bogus\" is not a verdict on this installation's scale"),
        (&["--filter", "kind=bogus", "--format", "json"], "\"bogus\" is not a flag kind"),
    ];
    for (args, message) in cases {
        let out = cli_report(&db, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
    // --output: written whole, and nothing is written when the report fails.
    let target = dir.join("report.json");
    let out = cli_report(&db, &["--format", "json", "--base-url", "https://c.example", "--output", target.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(written["claims"], json!([]));
    let failed = dir.join("failed.json");
    let out = cli_report(&db, &["--document", "5", "--format", "json", "--output", failed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!failed.exists());

    // The web answers the same mistakes with 400 / 404 pages.
    let server = Server::start(&format!("sqlite://{}?mode=rwc", dir.join("w.sqlite").display()), &[]);
    let client = server.user("rita", "checker");
    for (path, status) in [
        ("/reports/documents/999999", 404),
        ("/reports/documents/abc", 404),
        ("/reports/documents/1?format=pdf", 400),
        ("/reports/period?from=yesterday", 400),
        ("/reports/period?from=2026-05-02&to=2026-05-01", 400),
        ("/reports/period?drafts=1", 403),
        ("/reports/period?verdict=bogus", 400),
        ("/reports/period?kind=bogus", 400),
    ] {
        assert_eq!(client.get(path).status, status, "{path}");
    }
    let empty = client.get("/reports/period?from=2001-01-01&to=2001-01-02&format=csv");
    assert_eq!((empty.status, empty.body.lines().count()), (200, 1), "an empty period: header only");
    assert_eq!(server.client().get("/reports/period").status, 303, "log in first");
}
