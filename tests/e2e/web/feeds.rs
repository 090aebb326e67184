//! Feed monitoring against a real HTTP server started here (no outside
//! network exists): RSS, Atom and JSON Feed; new items ingested once, a
//! changed feed yields only its new items, 304 honoured, a malformed feed
//! and an unreachable host recorded as those feeds' errors while the others
//! carry on; oversized and binary pages fail their item only; the SSRF
//! guard at `feed add` and at fetch time. On SQLite the server polls; on
//! PostgreSQL a `claimdesk worker` does (`serve --no-inline-work`).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Client, Server, Worker};

/// One canned answer: content type, body, and an ETag honoured with 304.
#[derive(Clone)]
struct Page {
    content_type: &'static str,
    body: Vec<u8>,
    etag: Option<&'static str>,
}

/// What the site saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    user_agent: String,
    if_none_match: Option<String>,
    status: u16,
}

/// A small HTTP/1.1 site: one thread per connection, `Connection: close`.
#[derive(Clone)]
struct Site {
    base: String,
    pages: Arc<Mutex<HashMap<String, Page>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Site {
    fn start() -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let site = Site {
            base: format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port()),
            pages: Arc::default(),
            seen: Arc::default(),
        };
        let serving = site.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let site = serving.clone();
                std::thread::spawn(move || site.answer(stream));
            }
        });
        site
    }

    fn put(&self, path: &str, content_type: &'static str, body: impl Into<Vec<u8>>, etag: Option<&'static str>) {
        self.pages.lock().unwrap().insert(path.to_owned(), Page { content_type, body: body.into(), etag });
    }

    fn seen(&self, path: &str) -> Vec<Seen> {
        self.seen.lock().unwrap().iter().filter(|s| s.path == path).cloned().collect()
    }

    fn answer(&self, mut stream: std::net::TcpStream) {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).is_err() {
            return;
        }
        let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_owned();
        let mut headers = HashMap::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
            }
        }
        let page = self.pages.lock().unwrap().get(&path).cloned();
        let if_none_match = headers.get("if-none-match").cloned();
        let (status, head, body) = match page {
            None => (404, "Content-Type: text/plain\r\n".to_owned(), b"not here".to_vec()),
            Some(p) if p.etag.is_some() && if_none_match.as_deref() == p.etag => {
                (304, format!("ETag: {}\r\n", p.etag.unwrap()), Vec::new())
            }
            Some(p) => {
                let etag = p.etag.map(|e| format!("ETag: {e}\r\n")).unwrap_or_default();
                (200, format!("Content-Type: {}\r\n{etag}", p.content_type), p.body)
            }
        };
        self.seen.lock().unwrap().push(Seen {
            path,
            user_agent: headers.get("user-agent").cloned().unwrap_or_default(),
            if_none_match,
            status,
        });
        let reason = match status {
            200 => "OK",
            304 => "Not Modified",
            _ => "Not Found",
        };
        let _ = write!(stream, "HTTP/1.1 {status} {reason}\r\n{head}Content-Length: {}\r\nConnection: close\r\n\r\n", body.len());
        let _ = stream.write_all(&body);
        let _ = stream.flush();
        let _ = stream.read(&mut [0u8; 1]);
    }
}

fn rss(base: &str, items: &[(&str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, title, description)| {
            format!(
                "<item><title>{title}</title><link>{base}/{guid}.html</link><guid>{guid}</guid>\
                 <pubDate>Tue, 01 Dec 2026 09:30:00 GMT</pubDate><description>{description}</description></item>"
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Harbour News</title><link>{base}/</link>{items}</channel></rss>")
}

const ARTICLE_PAGE: &str = "<html><head><title>Cargo record | Harbour News</title></head><body>\
    <nav><a href='/'>Home</a> <a href='/sport'>Sport pages</a></nav><article><h1>Cargo record</h1>\
    <p>The harbour board said cargo volumes rose by 18% in the spring, the highest figure in a decade.</p>\
    <p>Its chair promised a new crane by March, and officials said the dredging would cost £2.4m.</p>\
    <p>Independent economists have questioned the job estimates published alongside the plan.</p></article>\
    <footer>Copyright Harbour News, all rights reserved.</footer></body></html>";

/// Waits until every feed in `ids` has been polled since `before` (its
/// `last_polled_at` or `failures` moved; callers wait a second between
/// polls so the time does move), and returns the feeds by id.
fn wait_polled(api: &Client, ids: &[i64], before: &HashMap<i64, Value>, worker: Option<&Worker>) -> HashMap<i64, Value> {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let feeds: HashMap<i64, Value> =
            api.get("/api/v1/feeds").json().as_array().unwrap().iter().map(|f| (f["id"].as_i64().unwrap(), f.clone())).collect();
        let done = ids.iter().all(|id| {
            let now = &feeds[id]["last_polled_at"];
            now.is_i64() && before.get(id).is_none_or(|b| b["last_polled_at"] != *now || b["failures"] != feeds[id]["failures"])
        });
        if done {
            return feeds;
        }
        assert!(Instant::now() < deadline, "feeds {ids:?} not polled: {feeds:?}\n{}", worker.map(Worker::log_tail).unwrap_or_default());
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn document_titled(api: &Client, title: &str) -> Vec<Value> {
    let all = api.get("/api/v1/documents?limit=200").json();
    all.as_array()
        .unwrap()
        .iter()
        .filter(|d| d["title"] == title)
        .map(|d| api.get(&format!("/api/v1/documents/{}", d["id"])).json())
        .collect()
}

#[test]
fn feeds_are_polled_politely_and_safely() {
    for db in claimdesk_tests::test_database_urls("web_feeds") {
        let site = Site::start();
        let base = site.base.clone();
        site.put(
            "/news.rss",
            "application/rss+xml",
            rss(
                &base,
                &[("a2", "Ferry fares", "The ferry company said fares would fall by 5% in June."), ("a1", "Cargo record", "Short teaser.")],
            ),
            Some("\"v1\""),
        );
        site.put("/a1.html", "text/html; charset=utf-8", ARTICLE_PAGE, None);
        site.put("/a2.html", "text/html", "<html><body><p>Subscribe to read.</p></body></html>", None);
        site.put(
            "/feed.json",
            "application/feed+json",
            json!({"version": "https://jsonfeed.org/version/1.1", "title": "Council Bulletin", "items": [
                {"id": "c-1", "title": "Bin collections", "content_html": "<p>The council said recycling rose to 58% last year, up from 31%.</p>"}]})
            .to_string(),
            None,
        );
        site.put(
            "/atom.xml",
            "application/atom+xml",
            format!(
                "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Big Files</title><id>urn:big</id>\
                 <updated>2026-12-01T09:30:00Z</updated>\
                 <entry><title>Huge</title><id>big-1</id><link href=\"{base}/huge.html\"/><updated>2026-12-01T09:30:00Z</updated></entry>\
                 <entry><title>Picture</title><id>big-2</id><link href=\"{base}/picture.png\"/><updated>2026-12-01T09:30:00Z</updated></entry></feed>"
            ),
            None,
        );
        site.put("/huge.html", "text/html", format!("<html><body><p>{}</p></body></html>", "Rates rose by 3%. ".repeat(150_000)), None);
        site.put("/picture.png", "image/png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec(), None);
        site.put("/broken.xml", "application/rss+xml", "<rss><channel><item><title>Half a feed", None);

        // The guard, at the door: no flag, no loopback; no other schemes.
        let local = format!("{base}/news.rss");
        for (url, said) in
            [(local.as_str(), "loopback"), ("ftp://news.example/feed", "http or https"), ("file:///etc/passwd", "http or https")]
        {
            let out = crate::claimdesk(&["feed", "add", url, "--database", &db]);
            assert_eq!(out.status.code(), Some(2), "{url}");
            assert!(crate::stderr(&out).contains(said), "{url}: {}", crate::stderr(&out));
        }
        let out = crate::claimdesk(&["feed", "add", "https://news.example/rss", "--every", "5s", "--database", &db]);
        assert_eq!(out.status.code(), Some(2), "an interval under a minute is refused");

        let logs = claimdesk_tests::temp_dir("web-feeds");
        let postgres = db.starts_with("postgres");
        let extra: &[&str] = if postgres { &["--allow-private-feeds", "--no-inline-work"] } else { &["--allow-private-feeds"] };
        let server = Server::start(&db, extra);
        let worker = postgres.then(|| Worker::start_with(&db, "feeds-worker", &logs, &["--allow-private-feeds"]));
        let api = Client::with_token(&server.base, &server.token("admin"));
        let bad = api.post_json("/api/v1/feeds", &json!({"url": "file:///etc/passwd"}));
        assert_eq!((bad.status, bad.json()["code"].as_str()), (400, Some("bad_request")), "{}", bad.body);
        assert_eq!(api.post_json("/api/v1/feeds", &json!({"url": local, "every": "1 fortnight"})).status, 400);

        let mut ids = Vec::new();
        for (path, outlet) in [("/news.rss", Some("Harbour News Ltd")), ("/feed.json", None), ("/atom.xml", None), ("/broken.xml", None)] {
            let added = api.post_json("/api/v1/feeds", &json!({"url": format!("{base}{path}"), "outlet": outlet, "every": "1h"}));
            assert_eq!(added.status, 201, "{}", added.body);
            ids.push(added.json()["id"].as_i64().unwrap());
        }
        let again = api.post_json("/api/v1/feeds", &json!({"url": local}));
        assert_eq!((again.status, again.json()["code"].as_str()), (400, Some("duplicate")));
        // Nothing listens on port 1.
        let unreachable = api.post_json("/api/v1/feeds", &json!({"url": "http://127.0.0.1:1/rss.xml"})).json()["id"].as_i64().unwrap();
        ids.push(unreachable);
        let [news, json_feed, atom, broken, _] = ids[..] else { unreachable!() };

        let feeds = wait_polled(&api, &ids, &HashMap::new(), worker.as_ref());
        assert_eq!(
            (&feeds[&news]["items"], &feeds[&news]["failed_items"], &feeds[&news]["last_error"]),
            (&json!(2), &json!(0), &json!(null)),
            "{feeds:?}"
        );
        assert_eq!(feeds[&news]["title"], "Harbour News");
        assert!(feeds[&news]["last_success_at"].is_i64());
        assert_eq!((&feeds[&json_feed]["items"], &feeds[&json_feed]["last_error"]), (&json!(1), &json!(null)));
        assert_eq!(
            (&feeds[&atom]["items"], &feeds[&atom]["failed_items"]),
            (&json!(0), &json!(2)),
            "the big and binary pages fail their items"
        );
        assert!(feeds[&broken]["last_error"].as_str().unwrap().contains("not a feed"), "{}", feeds[&broken]);
        assert_eq!((&feeds[&broken]["failures"], &feeds[&broken]["last_success_at"]), (&json!(1), &json!(null)));
        assert!(feeds[&unreachable]["last_error"].as_str().is_some_and(|e| !e.is_empty()), "{}", feeds[&unreachable]);
        assert!(feeds[&broken]["next_poll_at"].as_i64().unwrap() >= feeds[&broken]["last_polled_at"].as_i64().unwrap() + 7200, "backs off");

        // The article's main text, from its page; the other item from the feed.
        let cargo = document_titled(&api, "Cargo record");
        assert_eq!(cargo.len(), 1);
        let body = cargo[0]["body"].as_str().unwrap();
        assert!(body.contains("cargo volumes rose by 18%") && body.contains("Independent economists"), "{body}");
        assert!(!body.contains("Sport pages") && !body.contains("all rights reserved") && !body.contains("Short teaser"), "{body}");
        assert_eq!(
            (cargo[0]["outlet"].as_str(), cargo[0]["url"].as_str()),
            (Some("Harbour News Ltd"), Some(format!("{base}/a1.html").as_str()))
        );
        assert_eq!(cargo[0]["origin"], format!("feed:{news}"));
        assert!(cargo[0]["published"].as_str().unwrap().starts_with("2026-12-01T09:30:00"));
        assert!(
            cargo[0]["claims"].as_array().unwrap().iter().any(|c| c["text"].as_str().unwrap().contains("18%")),
            "checked like any document"
        );
        let ferry = document_titled(&api, "Ferry fares");
        assert_eq!(ferry[0]["body"], "The ferry company said fares would fall by 5% in June.");
        assert_eq!(document_titled(&api, "Bin collections")[0]["outlet"], "Council Bulletin", "the feed's title by default");
        assert!(site.seen("/news.rss").iter().all(|s| s.user_agent.starts_with("claimdesk/")), "{:?}", site.seen("/news.rss"));

        // Polled again, unchanged: a conditional GET answered 304, nothing new.
        let documents = api.get("/api/v1/documents?limit=200").json().as_array().unwrap().len();
        assert_eq!(api.post_json(&format!("/api/v1/feeds/{news}/poll"), &json!({})).status, 202);
        std::thread::sleep(Duration::from_millis(1100));
        let feeds = wait_polled(&api, &[news], &feeds, worker.as_ref());
        let last = site.seen("/news.rss").pop().unwrap();
        assert_eq!((last.if_none_match.as_deref(), last.status), (Some("\"v1\""), 304), "{last:?}");
        assert_eq!(api.get("/api/v1/documents?limit=200").json().as_array().unwrap().len(), documents);

        // Changed: only the new item is ingested.
        site.put(
            "/news.rss",
            "application/rss+xml",
            rss(
                &base,
                &[
                    ("a3", "Crane order", "The port ordered two cranes for £9m, its largest order since 2019."),
                    ("a2", "Ferry fares", "x"),
                    ("a1", "Cargo record", "y"),
                ],
            ),
            Some("\"v2\""),
        );
        api.post_json(&format!("/api/v1/feeds/{news}/poll"), &json!({}));
        std::thread::sleep(Duration::from_millis(1100));
        let feeds = wait_polled(&api, &[news], &feeds, worker.as_ref());
        assert_eq!(feeds[&news]["items"], 3);
        assert_eq!(api.get("/api/v1/documents?limit=200").json().as_array().unwrap().len(), documents + 1);
        assert_eq!(document_titled(&api, "Crane order").len(), 1);
        assert_eq!(site.seen("/a1.html").len(), 1, "an item seen before is not fetched again");

        // The page: errors shown (escaped by the template), for admins only.
        let admin = server.admin();
        let page = admin.get("/feeds");
        assert_eq!(page.status, 200);
        assert!(page.body.contains("not a feed claimdesk can read") && page.body.contains("feed-failing"), "{}", page.body);
        assert!(page.body.contains("Failed items") && page.body.contains("is not text (image/png)"), "{}", page.body);
        let checker = server.user("feedreader", "checker");
        assert_eq!(checker.get("/feeds").status, 403);
        assert_eq!(Client::with_token(&server.base, &server.token("feedreader")).get("/api/v1/feeds").status, 403);
        let token = admin.csrf();
        let added =
            admin.post_form("/feeds", &[("csrf_token", &token), ("url", "gopher://old.example/"), ("outlet", ""), ("every", "15m")]);
        assert_eq!(added.status, 400);
        assert!(added.body.contains("http or https"), "{}", added.body);

        // The CLI sees the same; a poll from a process without the flag is
        // refused at fetch time and says so.
        let listed = crate::claimdesk(&["feed", "list", "--database", &db]);
        assert!(
            crate::stdout(&listed).contains(&format!("{base}/broken.xml")) && crate::stdout(&listed).contains("last error (1 in a row)")
        );
        let refused = crate::claimdesk(&["feed", "poll", &news.to_string(), "--database", &db]);
        assert_eq!(refused.status.code(), Some(1));
        assert!(
            crate::stdout(&refused).contains("loopback") && crate::stdout(&refused).contains("--allow-private-feeds"),
            "{}",
            crate::stdout(&refused)
        );

        // Removed: gone from the list, its documents stay.
        assert_eq!(api.delete(&format!("/api/v1/feeds/{news}")).status, 204);
        assert_eq!(api.delete(&format!("/api/v1/feeds/{news}")).status, 404);
        assert!(api.get("/api/v1/feeds").json().as_array().unwrap().iter().all(|f| f["id"] != news));
        assert_eq!(document_titled(&api, "Cargo record").len(), 1);
        drop(worker);
    }
}
