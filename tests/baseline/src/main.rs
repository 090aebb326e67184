//! `claimdesk-baseline DB BIND`: serves `/queue`, 50 claims by priority
//! from the claimdesk SQLite file DB, with the least machinery that can:
//! one prepared rusqlite statement per worker thread and a compiled askama
//! template. `docs/PERFORMANCE.md` compares the real queue page with it.

use std::cell::RefCell;

use actix_web::{App, HttpResponse, HttpServer, web};
use askama::Template;

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
struct Page {
    rows: Vec<Row>,
}

thread_local! {
    static DB: RefCell<Option<rusqlite::Connection>> = const { RefCell::new(None) };
}

fn rows(path: &str) -> rusqlite::Result<Vec<Row>> {
    DB.with(|db| {
        let mut db = db.borrow_mut();
        if db.is_none() {
            *db = Some(rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?);
        }
        let Some(conn) = db.as_ref() else { return Ok(Vec::new()) };
        let mut stmt =
            conn.prepare_cached("SELECT id, text, status, priority, document_id FROM claims ORDER BY priority DESC, id DESC LIMIT 50")?;
        let rows = stmt.query_map([], |r| {
            Ok(Row { id: r.get(0)?, text: r.get(1)?, status: r.get(2)?, priority: r.get(3)?, document_id: r.get(4)? })
        })?;
        rows.collect()
    })
}

async fn queue(path: web::Data<String>) -> HttpResponse {
    match rows(&path).map(|rows| Page { rows }.render()) {
        Ok(Ok(body)) => HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body),
        Ok(Err(e)) => HttpResponse::InternalServerError().body(e.to_string()),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(db), Some(bind)) = (args.next(), args.next()) else {
        eprintln!("usage: claimdesk-baseline DB_FILE HOST:PORT");
        std::process::exit(2);
    };
    let db = web::Data::new(db);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || App::new().app_data(db.clone()).route("/queue", web::get().to(queue))).workers(1).bind(bind)?.run().await
    })
}
