//! The stylesheet and the keyboard script, compiled into the binary.

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};

const CSS: &str = include_str!("../../../templates/static/app.css");
const JS: &str = include_str!("../../../templates/static/app.js");

pub fn routes(r: &mut crate::routes::Routes<'_>) {
    r.get("/static/app.css", || async { asset("text/css; charset=utf-8", CSS) })
        .get("/static/app.js", || async { asset("text/javascript; charset=utf-8", JS) });
}

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok().insert_header((CONTENT_TYPE, content_type)).insert_header((CACHE_CONTROL, "public, max-age=3600")).body(body)
}
