//! The public fact-checks (`/fact-checks`, one fact-check's page, the Atom
//! feed, the sitemap), read with no session, and where their links point
//! when no public address is set.

use serde_json::Value;

use super::{Client, Server};

/// The `<loc>`s of a sitemap, parsed.
fn sitemap_locations(xml: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut in_loc, mut locs) = (false, Vec::new());
    loop {
        match reader.read_event().expect("the sitemap is XML") {
            Event::Start(e) => in_loc = e.name().as_ref() == b"loc",
            Event::Text(t) if in_loc => locs.push(t.decode().unwrap().into_owned()),
            Event::End(_) => in_loc = false,
            Event::Eof => return locs,
            _ => {}
        }
    }
}

fn feed(client: &Client) -> atom_syndication::Feed {
    let resp = client.get("/fact-checks.atom");
    assert_eq!((resp.status, resp.content_type.as_str()), (200, "application/atom+xml; charset=utf-8"));
    resp.body.parse().expect("the feed is Atom")
}

/// What a reader with no session sees of a desk whose public address is
/// `base` and where `published` are published (newest last), `hidden`
/// claims exist but are not published, and `(shown, headline)` is a
/// published claim and its short form.
pub fn check_public_pages(server: &Server, base: &str, published: &[i64], hidden: &[i64], (shown, headline): (i64, &str)) {
    let reader = server.client();
    // One fact-check: public, with its ClaimReview and canonical address.
    let newest = *published.last().unwrap();
    let page = reader.get(&format!("/fact-checks/{shown}"));
    assert_eq!(page.status, 200, "{}", page.body);
    let html = scraper::Html::parse_document(&page.body);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    let blocks: Vec<Value> = html
        .select(&select(r#"script[type="application/ld+json"]"#))
        .map(|s| serde_json::from_str(&s.text().collect::<String>()).unwrap())
        .collect();
    assert_eq!(blocks.len(), 1, "one ClaimReview");
    let review = &blocks[0];
    assert_eq!(review["@type"], "ClaimReview");
    assert_eq!(review["url"], format!("{base}/fact-checks/{shown}"), "ClaimReview points at the public page");
    assert_eq!(review["claimReviewed"], headline);
    let canonical = html.select(&select(r#"link[rel="canonical"]"#)).next().unwrap().value().attr("href").unwrap().to_owned();
    assert_eq!(canonical, format!("{base}/fact-checks/{shown}"));
    let h1: String = html.select(&select("h1")).next().unwrap().text().collect();
    assert_eq!(h1, headline, "the short form, decoded as it was typed");
    assert!(page.csp.is_some(), "served under the same Content-Security-Policy");
    let time = html.select(&select("time[datetime]")).next().expect("a <time datetime>");
    assert!(
        time.value().attr("datetime").unwrap().ends_with('Z') && time.text().collect::<String>().ends_with(" UTC"),
        "ISO in the attribute, people's date shown"
    );

    // Anything that is not published answers like something that does not exist.
    let missing = reader.get("/fact-checks/999999");
    assert_eq!(missing.status, 404);
    for id in hidden {
        let resp = reader.get(&format!("/fact-checks/{id}"));
        assert_eq!(resp.status, 404, "claim {id} is not published");
        assert_eq!(resp.body.replace(&id.to_string(), "N"), missing.body.replace("999999", "N"), "no trace of existence");
    }
    assert_eq!(reader.get("/fact-checks/abc").status, 404);

    // The index: newest first, filters, bad filters.
    let index = reader.get("/fact-checks");
    assert_eq!(index.status, 200);
    let order: Vec<i64> = published.iter().rev().copied().collect();
    let links: Vec<i64> = scraper::Html::parse_document(&index.body)
        .select(&select("article h2 a"))
        .map(|a| a.value().attr("href").unwrap().trim_start_matches("/fact-checks/").parse().unwrap())
        .collect();
    assert_eq!(links, order, "newest publication first");
    for id in hidden {
        assert!(!links.contains(id));
    }
    let bad = reader.get("/fact-checks?verdict=bogus");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("is not a verdict"), "{}", bad.body);
    assert_eq!(reader.get("/fact-checks?page=0").status, 400);
    assert_eq!(reader.get("/fact-checks?page=x").status, 400);
    let empty_page = reader.get("/fact-checks?page=9");
    assert_eq!(empty_page.status, 200);
    assert!(empty_page.body.contains("No published fact-checks"));

    // The feed and the sitemap: every published claim, nothing else.
    let feed = feed(&reader);
    let ids: Vec<String> = feed.entries().iter().map(|e| e.id().to_owned()).collect();
    assert_eq!(ids, order.iter().map(|id| format!("{base}/fact-checks/{id}")).collect::<Vec<_>>());
    assert_eq!(feed.entries()[0].links()[0].href(), format!("{base}/fact-checks/{newest}"));
    let sitemap = reader.get("/sitemap.xml");
    assert_eq!((sitemap.status, sitemap.content_type.as_str()), (200, "application/xml; charset=utf-8"));
    let mut locs = sitemap_locations(&sitemap.body);
    locs.sort();
    let mut expected: Vec<String> = published.iter().map(|id| format!("{base}/fact-checks/{id}")).collect();
    expected.push(format!("{base}/fact-checks"));
    expected.sort();
    assert_eq!(locs, expected);
}

/// Filters of the index by verdict (key or label) and outlet.
pub fn check_public_filters(server: &Server, verdict_label: &str, outlet: &str, expect: &[i64]) {
    let reader = server.client();
    let encode = |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    let index = reader.get(&format!("/fact-checks?verdict={}&outlet={}", encode(verdict_label), encode(outlet)));
    assert_eq!(index.status, 200, "{}", index.body);
    let links: Vec<i64> = scraper::Html::parse_document(&index.body)
        .select(&scraper::Selector::parse("article h2 a").unwrap())
        .map(|a| a.value().attr("href").unwrap().trim_start_matches("/fact-checks/").parse().unwrap())
        .collect();
    assert_eq!(links, expect, "verdict {verdict_label:?}, outlet {outlet:?}");
}

/// No public address set: links fall back to the bound address, and the
/// settings page says so until one is set; `--public-url` is used when the
/// setting is not.
#[test]
fn public_links_come_from_the_setting_the_option_or_the_bind_address_with_a_warning() {
    let dir = claimdesk_tests::temp_dir("public-url");
    let db = format!("sqlite://{}?mode=rwc", dir.join("p.sqlite").display());
    let server = Server::start(&db, &[]);
    let admin = server.admin();
    let users = admin.get("/users");
    assert!(users.body.contains("public-url-warning") && users.body.contains(&server.base), "warned: {}", users.body);
    assert_eq!(feed(&server.client()).id(), format!("{}/fact-checks", server.base), "the bound address, not a made-up one");
    let token = admin.csrf();
    let bad = admin.post_form("/settings", &[("csrf_token", &token), ("public_url", "https://checks.example/?x=1")]);
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("must not have a query"), "{}", bad.body);
    let saved = admin.post_form("/settings", &[("csrf_token", &token), ("public_url", "https://checks.example/")]);
    assert_eq!(saved.status, 303);
    assert!(!admin.get("/users").body.contains("public-url-warning"));
    assert_eq!(feed(&server.client()).id(), "https://checks.example/fact-checks");
    drop(server);

    let other = format!("sqlite://{}?mode=rwc", dir.join("q.sqlite").display());
    let server = Server::start(&other, &["--public-url", "https://desk.example/checks/"]);
    assert!(!server.admin().get("/users").body.contains("public-url-warning"));
    let locs = sitemap_locations(&server.client().get("/sitemap.xml").body);
    assert_eq!(locs, ["https://desk.example/checks/fact-checks"]);
    drop(server);

    let refused = crate::claimdesk(&["serve", "--database", &other, "--public-url", "javascript:alert(1)"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("must start with http"));
}
