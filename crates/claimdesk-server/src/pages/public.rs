//! The public fact-checks: `/fact-checks` (index), `/fact-checks/{id}` (one
//! published claim with its ClaimReview JSON-LD), `/fact-checks.atom` and
//! `/sitemap.xml`. No login; only published claims are reachable, and
//! anything else answers 404 exactly as a claim that does not exist (never
//! 403: a reader learns nothing of what the desk is working on).
//!
//! Every address these pages publish starts with [`AppState::public_url`].

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use claimdesk_report::{Report, ReportClaim, ReportRequest};
use serde::Deserialize;

use super::html;
use crate::AppState;
use crate::error::AppError;

/// Fact-checks per index page.
const PAGE_SIZE: u64 = 20;
/// Entries in the feed.
const FEED_SIZE: u64 = 50;
/// The sitemap protocol's limit per file.
const SITEMAP_SIZE: u64 = 50_000;

pub fn routes(r: &mut crate::routes::Routes<'_>) {
    r.get("/fact-checks", index)
        .budget(1)
        .get("/fact-checks.atom", feed)
        .get("/fact-checks/{id}", show)
        .budget(1)
        .get("/sitemap.xml", sitemap);
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IndexQuery {
    page: String,
    verdict: String,
    outlet: String,
}

/// One fact-check as a page shows it.
struct Item {
    claim: ReportClaim,
    json_ld: String,
}

#[derive(Template)]
#[template(path = "fact_checks.html")]
struct IndexPage {
    publisher: String,
    base: String,
    items: Vec<Item>,
    total: u64,
    page: u64,
    pages: u64,
    verdicts: Vec<(String, String)>,
    outlets: Vec<String>,
    verdict: String,
    outlet: String,
    /// The filters as a query string (for the pager), percent-encoded.
    filters: String,
}

#[derive(Template)]
#[template(path = "fact_check.html")]
struct FactCheckPage {
    publisher: String,
    base: String,
    item: Item,
    best: u8,
}

/// Published claims `ids`, loaded as a report whose links start with
/// `base` (one path for every public format, so they all say the same).
async fn load(state: &AppState, base: &str, ids: Vec<i64>) -> Result<Report, AppError> {
    let request = ReportRequest { base_url: Some(base.to_owned()), claim_ids: Some(ids), ..Default::default() };
    claimdesk_report::load(&state.store, &request).await.map_err(|e| match e {
        claimdesk_report::LoadError::Store(e) => e.into(),
        other => AppError::BadRequest(format!("{other}.")),
    })
}

/// `report`'s claims in the order of `ids` (newest first).
fn in_order<'a>(report: &'a Report, ids: &[i64]) -> Vec<&'a ReportClaim> {
    ids.iter().filter_map(|id| report.claims.iter().find(|c| c.id == *id)).collect()
}

/// `report`'s claims in the order of `ids`, each with its ClaimReview.
fn items(report: &Report, ids: &[i64]) -> Result<Vec<Item>, AppError> {
    in_order(report, ids)
        .into_iter()
        .map(|claim| {
            let review = claimdesk_report::claim_review(report, claim);
            let json_ld = claimdesk_report::script_safe_json(&review).map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(Item { claim: claim.clone(), json_ld })
        })
        .collect()
}

fn parse_page(page: &str) -> Result<u64, AppError> {
    let page = page.trim();
    if page.is_empty() {
        return Ok(1);
    }
    page.parse::<u64>()
        .ok()
        .filter(|p| (1..=1_000_000).contains(p))
        .ok_or_else(|| AppError::BadRequest(format!("{page:?} is not a page number.")))
}

/// Answers from [`crate::cache::PublicPages`] when the page kept for this
/// address is current, else makes it with `make` (and keeps it when it
/// is a 200).
async fn kept<F: std::future::Future<Output = Result<HttpResponse, AppError>>>(
    state: &AppState,
    request: &HttpRequest,
    make: F,
) -> Result<HttpResponse, AppError> {
    let address = request.uri().to_string();
    let version = state.store.stats_version().await?;
    if let Some((content_type, body)) = state.public_pages.get(&address, version) {
        return Ok(HttpResponse::Ok().content_type(content_type).body(body));
    }
    let response = make.await?;
    if response.status() != StatusCode::OK {
        return Ok(response);
    }
    let content_type = response
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("text/html; charset=utf-8")
        .to_owned();
    let body =
        actix_web::body::to_bytes(response.into_body()).await.map_err(|e| AppError::Internal(format!("cannot read the page made: {e}")))?;
    state.public_pages.put(address, version, content_type.clone(), body.clone());
    Ok(HttpResponse::Ok().content_type(content_type).body(body))
}

async fn index(state: web::Data<AppState>, request: HttpRequest, query: crate::input::Query<IndexQuery>) -> Result<HttpResponse, AppError> {
    kept(&state, &request, make_index(&state, query.into_inner())).await
}

async fn make_index(state: &AppState, query: IndexQuery) -> Result<HttpResponse, AppError> {
    let page = parse_page(&query.page)?;
    let scale = state.shown_policy().await?.scale;
    let verdict = super::field(&Some(query.verdict.clone()));
    let verdict_key = match &verdict {
        None => None,
        Some(given) => Some(
            scale
                .find(given)
                .ok_or_else(|| AppError::BadRequest(format!("{given:?} is not a verdict; use one of {}.", scale.keys().join(", "))))?
                .key
                .clone(),
        ),
    };
    let outlet = super::field(&Some(query.outlet.clone()));
    let filter = claimdesk_store::ReportFilter { verdict: verdict_key.clone(), outlet: outlet.clone(), ..Default::default() };
    let (rows, total) = state.store.published_page(&filter, (page - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let base = state.public_url().await?.url;
    let report = load(state, &base, ids.clone()).await?;
    let publisher = report.publisher.name.clone();
    let mut filters = form_urlencoded::Serializer::new(String::new());
    if let Some(v) = &verdict_key {
        filters.append_pair("verdict", v);
    }
    if let Some(o) = &outlet {
        filters.append_pair("outlet", o);
    }
    let page_view = IndexPage {
        publisher,
        base,
        items: items(&report, &ids)?,
        total,
        page,
        pages: total.div_ceil(PAGE_SIZE).max(1),
        verdicts: scale.ratings.iter().map(|r| (r.key.clone(), r.label.clone())).collect(),
        outlets: state.store.outlets(true).await?,
        verdict: verdict_key.unwrap_or_default(),
        outlet: outlet.unwrap_or_default(),
        filters: filters.finish(),
    };
    html(StatusCode::OK, &page_view)
}

fn not_published(id: &str) -> AppError {
    AppError::NotFound(format!("There is no published fact-check {id}."))
}

async fn show(state: web::Data<AppState>, request: HttpRequest, id: web::Path<String>) -> Result<HttpResponse, AppError> {
    kept(&state, &request, make_show(&state, id.into_inner())).await
}

async fn make_show(state: &AppState, id: String) -> Result<HttpResponse, AppError> {
    let claim_id = id.parse::<i64>().ok().filter(|n| *n >= 1).ok_or_else(|| not_published(&id))?;
    // One address per fact-check: `+44` and `044` are `44`'s, sent there
    // (whether or not it is published, so the answer tells nothing).
    if claim_id.to_string() != *id {
        return Ok(HttpResponse::PermanentRedirect().insert_header(("Location", format!("/fact-checks/{claim_id}"))).finish());
    }
    let base = state.public_url().await?.url;
    let report = load(state, &base, vec![claim_id]).await?;
    let item = items(&report, &[claim_id])?.pop().ok_or_else(|| not_published(&id))?;
    let page = FactCheckPage { publisher: report.publisher.name.clone(), base, item, best: report.scale.best };
    html(StatusCode::OK, &page)
}

/// RFC 3339 to the feed's time type (the epoch for a time that is none).
fn feed_time(rfc3339: Option<&str>) -> atom_syndication::FixedDateTime {
    rfc3339
        .and_then(|t| atom_syndication::FixedDateTime::parse_from_rfc3339(t).ok())
        .unwrap_or_else(|| atom_syndication::FixedDateTime::parse_from_rfc3339("1970-01-01T00:00:00Z").unwrap_or_default())
}

async fn feed(state: web::Data<AppState>, request: HttpRequest) -> Result<HttpResponse, AppError> {
    kept(&state, &request, make_feed(&state)).await
}

async fn make_feed(state: &AppState) -> Result<HttpResponse, AppError> {
    use atom_syndication::{Content, Entry, Feed, Link, Person, Text};
    let base = state.public_url().await?.url;
    let (rows, _) = state.store.published_page(&Default::default(), 0, FEED_SIZE).await?;
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let report = load(state, &base, ids.clone()).await?;
    let link = |href: String, rel: &str, mime: Option<&str>| Link {
        href,
        rel: rel.to_owned(),
        mime_type: mime.map(str::to_owned),
        ..Default::default()
    };
    let entries: Vec<Entry> = in_order(&report, &ids)
        .into_iter()
        .map(|claim| {
            let at = feed_time(claim.reviewed_at.as_deref());
            let speaker = claim.speaker.as_deref().map(|s| format!("{s}: ")).unwrap_or_default();
            Entry {
                title: Text::plain(format!("{}: {}", claim.verdict.label, claim.claim_reviewed)),
                id: claim.url.clone(),
                updated: at,
                published: Some(at),
                // Public output never names a login: the organisation
                // signs every entry.
                authors: vec![Person { name: report.publisher.name.clone(), uri: report.publisher.url.clone(), ..Default::default() }],
                links: vec![link(claim.url.clone(), "alternate", Some("text/html"))],
                summary: Some(Text::plain(format!("{speaker}\u{201c}{}\u{201d}", claim.text))),
                content: Some(Content {
                    value: Some(claim.explanation.clone()),
                    content_type: Some("text".to_owned()),
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    let feed = Feed {
        title: Text::plain(format!("Fact-checks by {}", report.publisher.name)),
        id: format!("{base}/fact-checks"),
        updated: entries.first().map_or_else(|| feed_time(None), |e| e.updated),
        authors: vec![Person { name: report.publisher.name.clone(), uri: report.publisher.url.clone(), ..Default::default() }],
        links: vec![
            link(format!("{base}/fact-checks.atom"), "self", Some("application/atom+xml")),
            link(format!("{base}/fact-checks"), "alternate", Some("text/html")),
        ],
        entries,
        ..Default::default()
    };
    let body = feed.write_to(Vec::new()).map_err(|e| AppError::Internal(format!("cannot write the feed: {e}")))?;
    Ok(HttpResponse::Ok().content_type("application/atom+xml; charset=utf-8").body(body))
}

async fn sitemap(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    use quick_xml::events::{BytesDecl, BytesText, Event};
    let base = state.public_url().await?.url;
    let (rows, _) = state.store.published_page(&Default::default(), 0, SITEMAP_SIZE).await?;
    let mut writer = quick_xml::Writer::new(Vec::new());
    let failed = |e: std::io::Error| AppError::Internal(format!("cannot write the sitemap: {e}"));
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))).map_err(failed)?;
    let day = time::macros::format_description!("[year]-[month]-[day]");
    writer
        .create_element("urlset")
        .with_attribute(("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"))
        .write_inner_content(|w| {
            let index = format!("{base}/fact-checks");
            w.create_element("url").write_inner_content(|w| {
                w.create_element("loc").write_text_content(BytesText::new(&index))?;
                Ok(())
            })?;
            for (id, at) in &rows {
                let loc = claimdesk_report::fact_check_url(&base, *id);
                let lastmod = time::OffsetDateTime::from_unix_timestamp(*at).ok().and_then(|t| t.format(&day).ok());
                w.create_element("url").write_inner_content(|w| {
                    w.create_element("loc").write_text_content(BytesText::new(&loc))?;
                    if let Some(lastmod) = &lastmod {
                        w.create_element("lastmod").write_text_content(BytesText::new(lastmod))?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })
        .map_err(failed)?;
    Ok(HttpResponse::Ok().content_type("application/xml; charset=utf-8").body(writer.into_inner()))
}
