//! The stylesheet and the keyboard script, compiled into the binary.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};

const CSS: &str = include_str!("../../../templates/static/app.css");
const JS: &str = include_str!("../../../templates/static/app.js");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/app.css", web::get().to(|| async { asset("text/css; charset=utf-8", CSS) }))
        .route("/static/app.js", web::get().to(|| async { asset("text/javascript; charset=utf-8", JS) }));
}

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok().insert_header((CONTENT_TYPE, content_type)).insert_header((CACHE_CONTROL, "public, max-age=3600")).body(body)
}
