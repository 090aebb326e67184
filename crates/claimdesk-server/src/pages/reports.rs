//! `/reports`: report listings, report pages and downloads.
//!
//! Everyone logged in reads reports of published claims; only editors and
//! admins build reports that include drafts (resolved, unpublished claims).

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use askama::Template;
use claimdesk_report::{Format, LoadError, NavLink, ReportRequest};
use serde::Deserialize;
use time::{Date, OffsetDateTime};

use super::{Chrome, chrome, html};
use crate::AppState;
use crate::auth::{Role, Viewer};
use crate::error::AppError;

pub fn routes(r: &mut crate::routes::Routes<'_>) {
    r.get("/reports", index).budget(3).get("/reports/documents/{id}", document_report).get("/reports/period", period_report);
}

/// How a report is asked for; all strings so that a bad value gets a clear
/// 400 page rather than the framework's parse error.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    pub format: String,
    pub drafts: String,
    pub download: String,
    pub from: String,
    pub to: String,
    pub outlet: String,
    pub kind: String,
    pub checker: String,
    pub verdict: String,
}

fn parse_date(name: &str, value: &str) -> Result<Option<Date>, AppError> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(value.trim(), &format)
        .map(Some)
        .map_err(|_| AppError::BadRequest(format!("{name} must be a date as YYYY-MM-DD, not {value:?}.")))
}

fn non_empty(value: &str) -> Option<String> {
    Some(value.trim().to_owned()).filter(|v| !v.is_empty())
}

impl ReportQuery {
    fn format(&self) -> Result<Format, AppError> {
        if self.format.is_empty() {
            return Ok(Format::Html);
        }
        Format::parse(&self.format).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
            AppError::BadRequest(format!("There is no report format {:?}; formats are {}.", self.format, names.join(", ")))
        })
    }

    fn drafts(&self, viewer: &Viewer) -> Result<bool, AppError> {
        let drafts = matches!(self.drafts.as_str(), "1" | "true" | "on");
        if drafts && viewer.role < Role::Editor {
            return Err(AppError::Forbidden("Only editors and admins can see reports with unpublished claims.".to_owned()));
        }
        Ok(drafts)
    }

    fn request(&self, viewer: &Viewer, document_id: Option<i64>) -> Result<ReportRequest, AppError> {
        let (from, to) = if document_id.is_some() { (None, None) } else { (parse_date("from", &self.from)?, parse_date("to", &self.to)?) };
        Ok(ReportRequest {
            document_id,
            from,
            to,
            outlet: non_empty(&self.outlet),
            kind: non_empty(&self.kind)
                .map(|k| k.parse())
                .transpose()
                .map_err(|e: claimdesk_core::UnknownName| AppError::BadRequest(e.to_string()))?,
            checker: non_empty(&self.checker),
            verdict: non_empty(&self.verdict),
            include_drafts: self.drafts(viewer)?,
            base_url: None,
            claim_ids: None,
        })
    }

    /// This query's parameters (but the format) as a query string.
    fn query_string(&self) -> String {
        let mut pairs = Vec::new();
        for (name, value) in [
            ("from", &self.from),
            ("to", &self.to),
            ("outlet", &self.outlet),
            ("kind", &self.kind),
            ("checker", &self.checker),
            ("verdict", &self.verdict),
            ("drafts", &self.drafts),
        ] {
            if !value.trim().is_empty() {
                pairs.push(format!("{name}={}", percent_encode(value.trim())));
            }
        }
        pairs.join("&")
    }
}

/// Everything but RFC 3986's unreserved characters is encoded in query values.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

fn percent_encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, QUERY_VALUE).to_string()
}

fn load_error(e: LoadError) -> AppError {
    match e {
        LoadError::UnknownDocument(id) => AppError::NotFound(format!("There is no document {id}.")),
        LoadError::Inverted { .. } | LoadError::UnknownVerdict { .. } | LoadError::NoPublicUrl => AppError::BadRequest(format!("{e}.")),
        LoadError::Store(e) => e.into(),
    }
}

/// Loads, renders (off the async workers: a big report takes a while) and
/// answers with the report in the asked format.
async fn respond(
    state: &web::Data<AppState>,
    request: ReportRequest,
    format: Format,
    download: bool,
    file_stem: String,
    base: String,
    query: String,
) -> Result<HttpResponse, AppError> {
    let mut request = request;
    request.base_url = Some(state.public_url().await?.url);
    let report = claimdesk_report::load(&state.store, &request).await.map_err(load_error)?;
    let separator = if query.is_empty() { "" } else { "&" };
    let mut nav = vec![NavLink { label: "← Reports".to_owned(), href: "/reports".to_owned() }];
    for f in Format::ALL {
        nav.push(NavLink {
            label: format!("Download {}", f.as_str()),
            href: format!("{base}?{query}{separator}format={}&download=1", f.as_str()),
        });
    }
    let rendered = web::block(move || match format {
        Format::Html => claimdesk_report::html_with_nav(&report, if download { &[] } else { &nav }),
        other => claimdesk_report::render(&report, other),
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut response = HttpResponse::Ok();
    response.insert_header((CONTENT_TYPE, format.content_type()));
    if download || !matches!(format, Format::Html | Format::Svg) {
        response.insert_header((CONTENT_DISPOSITION, format!("attachment; filename=\"{file_stem}.{}\"", format.extension())));
    }
    Ok(response.body(rendered))
}

async fn document_report(
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
    query: crate::input::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound(format!("There is no document {:?}.", id.as_str())))?;
    let query = query.into_inner();
    let request = query.request(&viewer, Some(id))?;
    let format = query.format()?;
    let download = query.download == "1";
    let kept = if request.include_drafts { "drafts=1".to_owned() } else { String::new() };
    respond(&state, request, format, download, format!("claimdesk-report-document-{id}"), format!("/reports/documents/{id}"), kept).await
}

async fn period_report(
    state: web::Data<AppState>,
    viewer: Viewer,
    query: crate::input::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let request = query.request(&viewer, None)?;
    let format = query.format()?;
    let stem = match (request.from, request.to) {
        (None, None) => "claimdesk-report".to_owned(),
        (from, to) => format!(
            "claimdesk-report-{}-to-{}",
            from.map_or_else(|| "start".to_owned(), |d| d.to_string()),
            to.map_or_else(|| "today".to_owned(), |d| d.to_string())
        ),
    };
    respond(&state, request, format, query.download == "1", stem, "/reports/period".to_owned(), query.query_string()).await
}

pub struct DocumentLine {
    pub id: i64,
    pub label: String,
    pub outlet: Option<String>,
    pub published_claims: i64,
}

pub struct MonthLine {
    pub label: String,
    pub from: Date,
    pub to: Date,
    pub claims: usize,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    chrome: Chrome,
    documents: Vec<DocumentLine>,
    months: Vec<MonthLine>,
    formats: Vec<&'static str>,
}

/// The first and last day of the month holding unix time `at` (UTC).
fn month_of(at: i64) -> Option<(Date, Date)> {
    let date = OffsetDateTime::from_unix_timestamp(at).ok()?.date();
    let first = Date::from_calendar_date(date.year(), date.month(), 1).ok()?;
    let last = Date::from_calendar_date(date.year(), date.month(), date.month().length(date.year())).ok()?;
    Some((first, last))
}

async fn index(state: web::Data<AppState>, session: Session, viewer: Viewer) -> Result<HttpResponse, AppError> {
    let published = state.store.documents_with_published_claims(200).await?;
    let ids: Vec<i64> = published.iter().map(|(id, _)| *id).collect();
    let labels = state.store.document_labels(&ids).await?;
    let documents = published
        .into_iter()
        .map(|(id, published_claims)| {
            let (label, outlet) = labels.get(&id).cloned().unwrap_or_else(|| (format!("Document {id}"), None));
            DocumentLine { id, label, outlet, published_claims }
        })
        .collect();
    let mut per_month: BTreeMap<(Date, Date), usize> = BTreeMap::new();
    for at in state.store.published_review_times().await? {
        if let Some(month) = month_of(at) {
            *per_month.entry(month).or_default() += 1;
        }
    }
    let months = per_month
        .into_iter()
        .rev()
        .map(|((from, to), claims)| MonthLine { label: format!("{} {}", from.month(), from.year()), from, to, claims })
        .collect();
    let page = ReportsPage {
        chrome: chrome(&state, &session, viewer, "reports").await?,
        documents,
        months,
        formats: Format::ALL.iter().map(|f| f.as_str()).collect(),
    };
    html(StatusCode::OK, &page)
}
