//! `claimdesk-baseline DB BIND`: the yardsticks for `bench/web.sh`. Each
//! page reads from the claimdesk SQLite file DB what the real page shows
//! of its main rows, with the least machinery that can: prepared rusqlite
//! statements cached per worker thread and one compiled askama template.
//! `docs/PERFORMANCE.md` says what each reads and compares the real pages
//! with them.
//!
//! - `/queue`: 50 claims by priority (one statement, typed rows, as in
//!   every earlier measurement).
//! - `/documents`: 50 documents, newest first, and their claims counted
//!   by status (two).
//! - `/documents/{id}`: the document, its claims and their current flags
//!   with rule names (three).
//! - `/claims/{id}`: the claim with its document's title and outlet, its
//!   flags with rules and messages, its evidence and its history (four).
//! - `/dashboard`: verdicts, publications and dismissals per day over 14
//!   days, verdicts by rating, the 10 oldest open claims (three).
//! - `/fact-checks`: 20 published claims, latest publication first, with
//!   their outlets, and how many there are (two).

use std::cell::RefCell;

use actix_web::{App, HttpResponse, HttpServer, web};
use askama::Template;
use rusqlite::types::Value;

/// One section of a page: a heading and its rows, every cell as text.
struct Section {
    heading: &'static str,
    rows: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(
    source = "<!doctype html><title>{{ title }}</title><h1>{{ title }}</h1>{% for s in sections %}<h2>{{ s.heading }}</h2><table>{% for r in s.rows %}<tr>{% for c in r %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>{% endfor %}",
    ext = "html"
)]
struct Page {
    title: &'static str,
    sections: Vec<Section>,
}

thread_local! {
    static DB: RefCell<Option<rusqlite::Connection>> = const { RefCell::new(None) };
}

/// The queue's row, typed: the yardstick every earlier queue figure used.
struct Row {
    id: i64,
    text: String,
    status: String,
    priority: f64,
    document_id: i64,
}

#[derive(Template)]
#[template(
    source = "<!doctype html><title>Queue</title><table>{% for r in rows %}<tr><td>{{ \"{:.2}\"|format(r.priority) }}</td><td><a href=\"/claims/{{ r.id }}\">{{ r.text }}</a></td><td>{{ r.status }}</td><td>{{ r.document_id }}</td></tr>{% endfor %}</table>",
    ext = "html"
)]
struct QueuePage {
    rows: Vec<Row>,
}

fn queue_rows(path: &str) -> rusqlite::Result<Vec<Row>> {
    with_connection(path, |conn| {
        let mut stmt =
            conn.prepare_cached("SELECT id, text, status, priority, document_id FROM claims ORDER BY priority DESC, id DESC LIMIT 50")?;
        let rows = stmt.query_map([], |r| {
            Ok(Row { id: r.get(0)?, text: r.get(1)?, status: r.get(2)?, priority: r.get(3)?, document_id: r.get(4)? })
        })?;
        rows.collect()
    })
}

fn queue(path: &str) -> HttpResponse {
    respond(queue_rows(path).map(|rows| QueuePage { rows }.render()))
}

fn respond(page: rusqlite::Result<askama::Result<String>>) -> HttpResponse {
    match page {
        Ok(Ok(body)) => HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body),
        Ok(Err(e)) => HttpResponse::InternalServerError().body(e.to_string()),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

fn with_connection<T>(path: &str, f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    DB.with(|db| {
        let mut db = db.borrow_mut();
        if db.is_none() {
            *db = Some(rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?);
        }
        match db.as_ref() {
            Some(conn) => f(conn),
            None => Err(rusqlite::Error::InvalidQuery),
        }
    })
}

fn cell(value: Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => format!("{f:.2}"),
        Value::Text(t) => t,
        Value::Blob(b) => format!("{} bytes", b.len()),
    }
}

/// Runs each `(heading, sql)` with `param` bound where the statement has a
/// parameter, on this thread's connection.
fn sections(path: &str, queries: &[(&'static str, &str)], param: Option<i64>) -> rusqlite::Result<Vec<Section>> {
    with_connection(path, |conn| {
        let mut out = Vec::with_capacity(queries.len());
        for (heading, sql) in queries {
            let mut stmt = conn.prepare_cached(sql)?;
            let columns = stmt.column_count();
            let params: Vec<i64> = param.into_iter().take(stmt.parameter_count()).collect();
            let rows =
                stmt.query_map(rusqlite::params_from_iter(params), |r| (0..columns).map(|i| r.get::<_, Value>(i).map(cell)).collect())?;
            out.push(Section { heading, rows: rows.collect::<rusqlite::Result<_>>()? });
        }
        Ok(out)
    })
}

fn page(path: &str, title: &'static str, queries: &[(&'static str, &str)], param: Option<i64>) -> HttpResponse {
    respond(sections(path, queries, param).map(|sections| Page { title, sections }.render()))
}

const DOCUMENTS: &[(&str, &str)] = &[
    ("Documents", "SELECT id, title, outlet, author, published, created_at FROM documents ORDER BY id DESC LIMIT 50"),
    (
        "Claims",
        "SELECT document_id, status, COUNT(*) FROM claims WHERE document_id IN (SELECT id FROM documents ORDER BY id DESC LIMIT 50) \
         GROUP BY document_id, status",
    ),
];

const DOCUMENT: &[(&str, &str)] = &[
    ("Document", "SELECT id, title, outlet, author, published, body FROM documents WHERE id = ?1"),
    ("Claims", "SELECT id, sentence_idx, text, speaker, priority, status FROM claims WHERE document_id = ?1 ORDER BY sentence_idx"),
    (
        "Flags",
        "SELECT f.claim_id, r.plugin, r.rule, r.kind, f.start, f.\"end\", f.score FROM flags f JOIN flag_rules r ON r.id = f.rule_id \
         WHERE f.document_id = ?1 AND NOT f.stale ORDER BY f.start",
    ),
];

const CLAIM: &[(&str, &str)] = &[
    (
        "Claim",
        "SELECT c.id, c.text, c.speaker, c.status, c.verdict, c.explanation, c.assignee, c.version, d.title, d.outlet \
         FROM claims c JOIN documents d ON d.id = c.document_id WHERE c.id = ?1",
    ),
    (
        "Flags",
        "SELECT r.plugin, r.rule, r.kind, r.severity, t.message, t.question, f.score FROM flags f \
         JOIN flag_rules r ON r.id = f.rule_id JOIN flag_texts t ON t.id = f.text_id WHERE f.claim_id = ?1 ORDER BY f.start",
    ),
    ("Evidence", "SELECT url, title, quoted_passage, stance, added_by, added_at FROM evidence WHERE claim_id = ?1 ORDER BY id"),
    ("History", "SELECT actor, at, action, \"before\", \"after\", detail FROM events WHERE claim_id = ?1 ORDER BY id"),
];

const DASHBOARD: &[(&str, &str)] = &[
    (
        "Per day",
        "SELECT action, at / 86400, COUNT(*) FROM events WHERE action IN ('resolve', 'publish', 'dismiss') \
         AND at >= CAST(strftime('%s', 'now') AS INTEGER) - 14 * 86400 GROUP BY action, at / 86400",
    ),
    ("Verdicts", "SELECT verdict, COUNT(*) FROM claims WHERE status IN ('resolved', 'published') GROUP BY verdict"),
    (
        "Oldest open",
        "SELECT id, text, assignee, created_at FROM claims WHERE status IN ('new', 'in_review') ORDER BY created_at, id LIMIT 10",
    ),
];

const FACT_CHECKS: &[(&str, &str)] = &[
    (
        "Fact-checks",
        "SELECT c.id, c.text, c.speaker, c.verdict, c.explanation, d.outlet, MAX(e.at) AS at FROM events e \
         JOIN claims c ON c.id = e.claim_id JOIN documents d ON d.id = c.document_id \
         WHERE e.action = 'publish' AND c.status = 'published' GROUP BY c.id ORDER BY at DESC, c.id DESC LIMIT 20",
    ),
    ("Count", "SELECT COUNT(*) FROM claims WHERE status = 'published'"),
];

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(db), Some(bind)) = (args.next(), args.next()) else {
        eprintln!("usage: claimdesk-baseline DB_FILE HOST:PORT");
        std::process::exit(2);
    };
    let db = web::Data::new(db);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(db.clone())
                .route("/queue", web::get().to(|db: web::Data<String>| async move { queue(&db) }))
                .route("/documents", web::get().to(|db: web::Data<String>| async move { page(&db, "Documents", DOCUMENTS, None) }))
                .route(
                    "/documents/{id}",
                    web::get().to(|db: web::Data<String>, id: web::Path<i64>| async move { page(&db, "Document", DOCUMENT, Some(*id)) }),
                )
                .route(
                    "/claims/{id}",
                    web::get().to(|db: web::Data<String>, id: web::Path<i64>| async move { page(&db, "Claim", CLAIM, Some(*id)) }),
                )
                .route("/dashboard", web::get().to(|db: web::Data<String>| async move { page(&db, "Dashboard", DASHBOARD, None) }))
                .route("/fact-checks", web::get().to(|db: web::Data<String>| async move { page(&db, "Fact-checks", FACT_CHECKS, None) }))
        })
        .workers(1)
        .bind(bind)?
        .run()
        .await
    })
}
