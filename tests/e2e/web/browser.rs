//! The review flow in a real headless Chromium driven over WebDriver:
//! log in, filter the queue, move with the keyboard, open a claim, add
//! evidence, give a verdict and see it in the history. Screenshots go to
//! `target/browser-screenshots/`.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test
//! says SKIPPED loudly, unless `CLAIMDESK_TEST_BROWSER=require` (set by
//! `.ci/run`), which makes their absence a failure.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client as Browser, ClientBuilder, Locator};

use super::Server;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver, and the Chromium it started (found by its profile
/// directory): both are stopped even when the test fails half-way.
struct Driver(Child, PathBuf);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = Command::new("pkill").arg("-f").arg(self.1.display().to_string()).status();
    }
}

fn browser_available() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        if std::env::var("CLAIMDESK_TEST_BROWSER").as_deref() == Ok("require") {
            panic!("CLAIMDESK_TEST_BROWSER=require but {CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)");
        }
        eprintln!("SKIPPED: the browser test needs {CHROMIUM} and {CHROMEDRIVER} (Debian packages chromium, chromium-driver)");
    }
    present
}

fn screenshots_dir() -> PathBuf {
    let dir = claimdesk_tests::workspace_root().join("target/browser-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(browser: &Browser, name: &str) {
    let png = browser.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    std::fs::write(screenshots_dir().join(format!("{name}.png")), png).unwrap();
}

/// Waits until the element at `css` holds `needle`: after a form posts, the
/// old page may still be showing (with an older flash message).
async fn wait_for_text(browser: &Browser, css: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(element) = browser.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
            && text.contains(needle)
        {
            return text;
        }
        assert!(Instant::now() < deadline, "{css} never showed {needle:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn press(browser: &Browser, key: char) {
    let keys = KeyActions::new("keyboard".to_owned()).then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
    browser.perform_actions(keys).await.unwrap();
}

async fn connect(port: u16, profile: &Path) -> Browser {
    let mut caps = serde_json::Map::new();
    let args = [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,900",
    ];
    let mut args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    caps.insert("goog:chromeOptions".to_owned(), serde_json::json!({ "binary": CHROMIUM, "args": args }));
    // The browser's console, where Chromium reports CSP violations.
    caps.insert("goog:loggingPrefs".to_owned(), serde_json::json!({ "browser": "ALL" }));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&format!("http://127.0.0.1:{port}")).await {
            Ok(browser) => return browser,
            Err(e) if Instant::now() < deadline => {
                eprintln!("waiting for chromedriver: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start a Chromium session: {e}"),
        }
    }
}

#[test]
fn a_checker_reviews_a_claim_in_a_real_browser() {
    if !browser_available() {
        return;
    }
    for server in super::servers("browser") {
        let port = super::free_port();
        let profile = claimdesk_tests::temp_dir(&format!("chromium-{port}"));
        let chromedriver =
            Command::new(CHROMEDRIVER).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let _driver = Driver(chromedriver, profile.clone());
        super::add_user(&server.db, "brenda", "checker", &super::password_of("brenda"));
        claimdesk_tests::tokio_runtime().block_on(review(&server, port, &profile));
        claimdesk_tests::tokio_runtime().block_on(csp_violations_are_reported(&server, port, &profile));
    }
}

/// The browser's console messages since the last call (chromedriver's log
/// endpoint drains them).
async fn console(b: &Browser, port: u16) -> Vec<String> {
    let session = b.session_id().await.unwrap().expect("a WebDriver session");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut resp = agent
        .post(format!("http://127.0.0.1:{port}/session/{session}/se/log"))
        .send_json(serde_json::json!({ "type": "browser" }))
        .unwrap();
    let body: serde_json::Value = resp.body_mut().read_json().unwrap();
    body["value"].as_array().expect("log entries").iter().map(|e| e["message"].as_str().unwrap_or_default().to_owned()).collect()
}

fn csp_violations(messages: &[String]) -> Vec<&String> {
    messages.iter().filter(|m| m.contains("Content Security Policy")).collect()
}

/// A page that breaks the policy is reported in the console, which is
/// what the review test reads: the check it makes can fail.
async fn csp_violations_are_reported(server: &Server, port: u16, profile: &Path) {
    let b = connect(port, profile).await;
    b.goto(&format!("{}/login", server.base)).await.unwrap();
    b.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("input[name=name]")).await.unwrap();
    assert!(csp_violations(&console(&b, port).await).is_empty());
    b.execute("const s = document.createElement('script'); s.textContent = 'window.injected = 1'; document.body.appendChild(s);", vec![])
        .await
        .unwrap();
    let injected = b.execute("return window.injected === 1", vec![]).await.unwrap();
    assert_eq!(injected, serde_json::json!(false), "the policy blocks an injected inline script");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let messages = console(&b, port).await;
        if !csp_violations(&messages).is_empty() {
            assert!(messages.iter().any(|m| m.contains("script-src")), "{messages:?}");
            break;
        }
        assert!(Instant::now() < deadline, "the blocked script never reached the console log");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.close().await.unwrap();
}

async fn review(server: &Server, port: u16, profile: &Path) {
    let b = connect(port, profile).await;
    let base = &server.base;
    b.goto(&format!("{base}/queue")).await.unwrap();
    // Sent to the login page, which brings us back afterwards.
    b.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("input[name=name]")).await.unwrap();
    b.find(Locator::Css("input[name=name]")).await.unwrap().send_keys("brenda").await.unwrap();
    b.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(&super::password_of("brenda")).await.unwrap();
    shot(&b, "01-login").await;
    b.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
    b.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#filters")).await.unwrap();
    assert_eq!(b.current_url().await.unwrap().path(), "/queue");

    // Filter: new claims mentioning the stadium.
    b.find(Locator::Css("select[name=status]")).await.unwrap().select_by_value("new").await.unwrap();
    b.find(Locator::Css("input[name=q]")).await.unwrap().send_keys("stadium").await.unwrap();
    b.find(Locator::Css("#filters button[type=submit]")).await.unwrap().click().await.unwrap();
    // The unfiltered page has rows too: wait for the filtered page's address.
    let deadline = Instant::now() + Duration::from_secs(10);
    let url = loop {
        let url = b.current_url().await.unwrap();
        if url.query().is_some_and(|q| q.contains("status=new") && q.contains("q=stadium")) {
            break url;
        }
        assert!(Instant::now() < deadline, "the filter form never led to the filtered queue: {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(url.path(), "/queue");
    b.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#queue tr.row")).await.unwrap();
    let rows = b.find_all(Locator::Css("#queue tr.row")).await.unwrap();
    assert!(!rows.is_empty());
    for row in &rows {
        assert!(row.text().await.unwrap().to_lowercase().contains("stadium"), "every row matches the filter");
    }
    shot(&b, "02-queue-filtered").await;

    // Keyboard: j selects the first row, Enter opens it.
    let first_href = rows[0].attr("data-href").await.unwrap().unwrap();
    press(&b, 'j').await;
    let selected = b.find(Locator::Css("#queue tr.row.selected")).await.unwrap();
    assert_eq!(selected.attr("data-href").await.unwrap().unwrap(), first_href);
    press(&b, '?').await;
    assert!(b.find(Locator::Css("#shortcuts")).await.unwrap().is_displayed().await.unwrap(), "? shows the shortcuts");
    shot(&b, "03-shortcuts").await;
    press(&b, '?').await;
    press(&b, '\u{E007}').await; // Enter
    b.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#evidence-form")).await.unwrap();
    assert_eq!(b.current_url().await.unwrap().path(), first_href);
    let sentence = b.find(Locator::Css("blockquote.context mark.sentence")).await.unwrap().text().await.unwrap();
    assert!(!sentence.is_empty(), "the claim's sentence is highlighted in its paragraph");

    // a assigns to me.
    press(&b, 'a').await;
    wait_for_text(&b, "p.flash", "Assigned to brenda").await;

    // The shortcut hints sit beside their labels, not as bars of their own.
    let hint = b.execute("return document.querySelector('#evidence-form label kbd').getBoundingClientRect().width", vec![]).await.unwrap();
    assert!(hint.as_f64().unwrap() < 40.0, "the e hint is {hint} px wide");
    // e focuses the evidence form.
    press(&b, 'e').await;
    let active = b.execute("return document.activeElement.id", vec![]).await.unwrap();
    assert_eq!(active, "evidence-url");
    b.find(Locator::Css("#evidence-url")).await.unwrap().send_keys("https://stats.example/stadium-jobs-study").await.unwrap();
    b.find(Locator::Css("#evidence-form input[name=title]")).await.unwrap().send_keys("Independent jobs study").await.unwrap();
    b.find(Locator::Css("#evidence-form select[name=stance]")).await.unwrap().select_by_value("refutes").await.unwrap();
    b.find(Locator::Css("#evidence-form textarea[name=note]"))
        .await
        .unwrap()
        .send_keys("Finds 400 permanent jobs, not thousands.")
        .await
        .unwrap();
    shot(&b, "04-evidence").await;
    b.find(Locator::Css("#evidence-form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_text(&b, "p.flash", "Evidence added").await;
    wait_for_text(&b, "ul.evidence", "Independent jobs study").await;

    // v focuses the verdict form.
    press(&b, 'v').await;
    let active = b.execute("return document.activeElement.id", vec![]).await.unwrap();
    assert_eq!(active, "verdict-rating");
    b.find(Locator::Css("#verdict-rating")).await.unwrap().select_by_value("mostly_false").await.unwrap();
    b.find(Locator::Css("#verdict-form textarea[name=explanation]"))
        .await
        .unwrap()
        .send_keys("The only independent study finds far fewer jobs.")
        .await
        .unwrap();
    b.find(Locator::Css("#verdict-form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_text(&b, "p.flash", "Verdict saved").await;
    let history = b.find(Locator::Css("ol.history")).await.unwrap().text().await.unwrap();
    for expected in
        ["brenda assign", "brenda add evidence", "brenda start review", "brenda resolve", "in review → resolved", "verdict mostly_false"]
    {
        assert!(history.contains(expected), "history lacks {expected:?}:\n{history}");
    }
    assert!(b.find(Locator::Css("h1 .status")).await.unwrap().text().await.unwrap().contains("resolved"));
    shot(&b, "05-verdict-history").await;

    // The short form reports publish, edited on the claim page.
    let field = b.find(Locator::Css("#summarize-form input[name=claim_reviewed]")).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys("Stadium \"created thousands\" of jobs").await.unwrap();
    b.find(Locator::Css("#summarize-form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_text(&b, "p.flash", "Short form saved").await;
    wait_for_text(&b, "#claim-reviewed", "Stadium \"created thousands\" of jobs").await;

    // An editor publishes it (through the API); the report shows it.
    let claim_id: i64 = first_href.trim_start_matches("/claims/").parse().unwrap();
    super::add_user(&server.db, "eddie", "editor", &super::password_of("eddie"));
    let editor = super::Client::with_token(base, &server.token("eddie"));
    let version = editor.get(&format!("/api/v1/claims/{claim_id}")).json()["claim"]["version"].as_i64().unwrap();
    let published = editor.post_json(&format!("/api/v1/claims/{claim_id}/publish"), &serde_json::json!({ "version": version }));
    assert_eq!(published.status, 200, "{}", published.body);
    b.goto(&format!("{base}/reports")).await.unwrap();
    b.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#report-documents a")).await.unwrap();
    shot(&b, "07-reports").await;
    b.find(Locator::Css("#report-documents td a")).await.unwrap().click().await.unwrap();
    let heading = wait_for_text(&b, "article.claim h3", "created thousands").await;
    assert_eq!(heading, "Stadium \"created thousands\" of jobs");
    let reviewed = b
        .execute(r#"return JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent).claimReviewed"#, vec![])
        .await
        .unwrap();
    assert_eq!(reviewed, "Stadium \"created thousands\" of jobs");
    assert!(b.find(Locator::Css("figure.chart svg")).await.is_ok(), "the chart is inline");
    // The report's inline style sheet is allowed by its hash: it applies.
    let radius = b.execute("return getComputedStyle(document.querySelector('article.claim')).borderTopLeftRadius", vec![]).await.unwrap();
    assert_eq!(radius, "6px", "the report's style sheet applies under the CSP");
    shot(&b, "08-report").await;

    // The document view highlights flags by kind, with a legend.
    b.goto(&format!("{base}/documents/1")).await.unwrap();
    let marks = b.find_all(Locator::Css("article.body mark")).await.unwrap();
    assert!(!marks.is_empty());
    assert!(!b.find_all(Locator::Css(".legend .kind")).await.unwrap().is_empty());
    shot(&b, "06-document").await;
    desk(&b, server).await;
    // Every page above ran under the Content-Security-Policy: none broke it.
    let messages = console(&b, port).await;
    assert!(csp_violations(&messages).is_empty(), "CSP violations in the browser: {messages:#?}");
    b.close().await.unwrap();
}

/// The desk's daily moves in the browser: a claim added by hand from a text
/// selection, a bulk assignment, the live queue hearing a change made
/// elsewhere, pages that fit a 390 px phone, and the
/// public page of a published claim read with no session.
async fn desk(b: &Browser, server: &Server) {
    let base = &server.base;
    let api = super::Client::with_token(base, &server.token("eddie"));
    let body = "The choir met at noon in the old hall. Volunteers painted the library door blue.\n\nThe bakery opened at seven.";
    let created = api.post_json("/api/v1/documents", &serde_json::json!({ "body": body, "title": "Parish notes" }));
    assert_eq!(created.status, 201, "{}", created.body);
    let document = created.json()["id"].as_i64().unwrap();

    // Select the first paragraph's text with the mouse's equivalent: the
    // form learns the selection, and its sentences become a claim.
    b.goto(&format!("{base}/documents/{document}")).await.unwrap();
    b.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#add-claim-form")).await.unwrap();
    b.execute(
        "const p = document.querySelector('article.body p'); const r = document.createRange(); r.selectNodeContents(p); \
         const s = window.getSelection(); s.removeAllRanges(); s.addRange(r); \
         p.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));",
        vec![],
    )
    .await
    .unwrap();
    let shown = wait_for_text(b, "#add-claim-selected", "Volunteers painted").await;
    assert!(shown.starts_with("Selected:"), "{shown}");
    shot(b, "09-claim-by-hand").await;
    b.find(Locator::Css("#add-claim-form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_text(b, "p.flash", "Claim added to the queue").await;
    let added: i64 = b.current_url().await.unwrap().path().trim_start_matches("/claims/").parse().unwrap();
    let text = api.get(&format!("/api/v1/claims/{added}")).json()["claim"]["text"].as_str().unwrap().to_owned();
    assert_eq!(text, "The choir met at noon in the old hall. Volunteers painted the library door blue.");
    let history = b.find(Locator::Css("ol.history")).await.unwrap().text().await.unwrap();
    assert!(history.contains("brenda add claim"), "{history}");
    // A note that mentions eddie (read below as eddie's notification).
    b.find(Locator::Css("#note-form textarea[name=body]")).await.unwrap().send_keys("@eddie is this one for us?").await.unwrap();
    b.find(Locator::Css("#note-form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_text(b, "p.flash", "Note added").await;
    wait_for_text(b, "ol.notes", "@eddie is this one for us?").await;

    // Bulk: tick two rows of the open queue, assign them to brenda.
    b.goto(&format!("{base}/queue?assignee=none")).await.unwrap();
    b.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#bulk")).await.unwrap();
    let boxes = b.find_all(Locator::Css("#queue input[name=claim]")).await.unwrap();
    assert!(boxes.len() >= 2, "unassigned claims to tick");
    let mut ticked = Vec::new();
    for tick in &boxes[..2] {
        tick.click().await.unwrap();
        let value = tick.attr("value").await.unwrap().unwrap();
        ticked.push(value.split(':').next().unwrap().parse::<i64>().unwrap());
    }
    b.find(Locator::Css("#bulk select[name=to]")).await.unwrap().select_by_value("brenda").await.unwrap();
    shot(b, "10-bulk").await;
    b.find(Locator::Css("#bulk button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_text(b, "p.flash", "assign: 2 claims done").await;
    for id in &ticked {
        assert_eq!(api.get(&format!("/api/v1/claims/{id}")).json()["claim"]["assignee"], "brenda");
    }

    // The live queue: a change made elsewhere (the API, as eddie) is
    // announced on the open queue page, which offers a reload.
    b.goto(&format!("{base}/queue")).await.unwrap();
    b.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#live-note")).await.unwrap();
    assert!(b.find(Locator::Css("#live-note")).await.unwrap().attr("hidden").await.unwrap().is_some(), "quiet until something changes");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let claim = api.get(&format!("/api/v1/claims/{}", ticked[0])).json()["claim"].clone();
    let reassigned =
        api.post_json(&format!("/api/v1/claims/{}/assign", ticked[0]), &serde_json::json!({ "version": claim["version"], "to": "eddie" }));
    assert_eq!(reassigned.status, 200, "{}", reassigned.body);
    let note = wait_for_text(b, "#live-note", "Claims changed").await;
    assert!(note.contains("Reload"), "{note}");
    shot(b, "10b-live-queue").await;

    // A phone: nothing is wider than its 390 px screen.
    b.set_window_size(390, 844).await.unwrap();
    let width = b.execute("return window.innerWidth", vec![]).await.unwrap();
    assert_eq!(width, 390, "the window is a phone's width");
    for (path, name) in [(format!("/claims/{added}"), "11-phone-claim"), ("/queue".to_owned(), "12-phone-queue")] {
        b.goto(&format!("{base}{path}")).await.unwrap();
        b.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("main")).await.unwrap();
        shot(b, name).await;
        let scroll = b.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap();
        assert!(scroll.as_i64().unwrap() <= 390, "{path} is {scroll} px wide on a 390 px screen");
    }
    b.set_window_size(1280, 900).await.unwrap();

    // The public page of a published claim, with no session at all.
    let published = api.get("/api/v1/claims?status=published").json()["claims"][0]["id"].as_i64().expect("a published claim");
    b.delete_all_cookies().await.unwrap();
    b.goto(&format!("{base}/fact-checks/{published}")).await.unwrap();
    b.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("article.claim h1")).await.unwrap();
    assert_eq!(b.current_url().await.unwrap().path(), format!("/fact-checks/{published}"), "no login asked");
    let review =
        b.execute(r#"return JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent)"#, vec![]).await.unwrap();
    assert_eq!(review["@type"], "ClaimReview");
    assert!(review["url"].as_str().unwrap().ends_with(&format!("/fact-checks/{published}")), "{review}");
    assert_eq!(review["claimReviewed"], "Stadium \"created thousands\" of jobs");
    shot(b, "13-public-fact-check").await;

    // eddie logs in: the mention waits in his notifications.
    b.goto(&format!("{base}/notifications")).await.unwrap();
    b.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("input[name=name]")).await.unwrap();
    b.find(Locator::Css("input[name=name]")).await.unwrap().send_keys("eddie").await.unwrap();
    b.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(&super::password_of("eddie")).await.unwrap();
    b.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
    let told = wait_for_text(b, "#notifications", "brenda mentioned you in a note on").await;
    assert!(told.contains(&format!("claim {added}")), "{told}");
    assert_eq!(b.find(Locator::Css("#nav-notifications .unread")).await.unwrap().text().await.unwrap(), "1");
    shot(b, "14-notifications").await;
}
