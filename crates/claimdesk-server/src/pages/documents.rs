//! `/documents`: the list, the ingest form, and one article with every
//! flag highlighted.

use actix_multipart::form::MultipartForm;
use actix_multipart::form::bytes::Bytes as FileField;
use actix_multipart::form::text::Text;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use claimdesk_core::{Document, Kind};
use claimdesk_ingest::{Format, InputError};
use claimdesk_store::{ClaimRow, DocumentRow, DocumentSummary, Stored};
use serde::Deserialize;

use claimdesk_core::input::is_published_date;

use super::{Chrome, chrome, field, html, redirect, set_flash};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::highlight::{Mark, Paragraph, paragraphs};
use crate::{AppState, csrf};

const PAGE_SIZE: u64 = 50;

pub fn routes(r: &mut crate::routes::Routes<'_>) {
    let limit = claimdesk_ingest::MAX_BYTES + 256 * 1024;
    if let Some(cfg) = r.config() {
        cfg.app_data(
            actix_multipart::form::MultipartFormConfig::default().total_limit(limit).memory_limit(limit).error_handler(multipart_error),
        );
    }
    r.get("/documents", list)
        .budget(2)
        .post("/documents", ingest)
        .get("/documents/{id}", show)
        .budget(5)
        .post("/documents/{id}/claims", add_claim);
}

fn multipart_error(err: actix_multipart::MultipartError, _: &HttpRequest) -> actix_web::Error {
    let overflow = matches!(err, actix_multipart::MultipartError::Payload(actix_web::error::PayloadError::Overflow))
        || format!("{err:?}").contains("Overflow");
    if overflow {
        AppError::TooLarge(format!("uploads are limited to {} MiB", claimdesk_ingest::MAX_BYTES / (1024 * 1024))).into()
    } else {
        AppError::BadRequest(format!("malformed upload: {err}")).into()
    }
}

/// The ingest form's text fields, kept when the form is shown again.
#[derive(Debug, Clone, Default)]
pub struct IngestInput {
    pub title: String,
    pub url: String,
    pub outlet: String,
    pub author: String,
    pub published: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "documents.html")]
struct DocumentsPage {
    chrome: Chrome,
    documents: Vec<DocumentSummary>,
    next: Option<i64>,
    input: IngestInput,
    errors: Vec<String>,
    /// Ingests waiting for a worker, running, or failed.
    jobs: Vec<claimdesk_work::JobView>,
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    before: Option<String>,
}

/// Jobs of each state (running, queued, failed) listed above the documents.
const JOBS_SHOWN: u32 = 20;

async fn list_page(
    state: &web::Data<AppState>,
    session: &Session,
    viewer: Viewer,
    before: Option<i64>,
    input: IngestInput,
    errors: Vec<String>,
) -> Result<DocumentsPage, AppError> {
    let documents = state.store.documents(before, PAGE_SIZE).await?;
    let next = (documents.len() as u64 == PAGE_SIZE).then(|| documents.last().map(|d| d.id)).flatten();
    let jobs = match &state.work.jobs {
        Some(jobs) if before.is_none() => {
            let unavailable = |e: claimdesk_work::WorkError| AppError::Unavailable(e.to_string());
            let mut shown = jobs.recent(claimdesk_work::JobState::Running, JOBS_SHOWN).await.map_err(unavailable)?;
            shown.extend(jobs.recent(claimdesk_work::JobState::Queued, JOBS_SHOWN).await.map_err(unavailable)?);
            shown.extend(jobs.recent(claimdesk_work::JobState::Failed, JOBS_SHOWN).await.map_err(unavailable)?);
            shown
        }
        _ => Vec::new(),
    };
    Ok(DocumentsPage { chrome: chrome(state, session, viewer, "documents").await?, documents, next, input, errors, jobs })
}

async fn list(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    query: crate::input::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let before = match field(&query.before) {
        None => None,
        Some(b) => {
            Some(b.parse::<i64>().ok().filter(|n| *n >= 1).ok_or_else(|| AppError::BadRequest(format!("malformed page cursor {b:?}")))?)
        }
    };
    let page = list_page(&state, &session, viewer, before, IngestInput::default(), Vec::new()).await?;
    html(StatusCode::OK, &page)
}

#[derive(Debug, MultipartForm)]
pub struct IngestForm {
    csrf_token: Option<Text<String>>,
    title: Option<Text<String>>,
    url: Option<Text<String>>,
    outlet: Option<Text<String>>,
    author: Option<Text<String>>,
    published: Option<Text<String>>,
    body: Option<Text<String>>,
    file: Option<FileField>,
}

fn text(field: &Option<Text<String>>) -> String {
    field.as_ref().map(|t| t.0.clone()).unwrap_or_default()
}

fn input_error(e: &InputError) -> String {
    format!("The file cannot be ingested: {e}.")
}

async fn ingest(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    MultipartForm(form): MultipartForm<IngestForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_ref().map(|t| t.0.as_str()))?;
    let input = IngestInput {
        title: text(&form.title),
        url: text(&form.url),
        outlet: text(&form.outlet),
        author: text(&form.author),
        published: text(&form.published),
        body: text(&form.body),
    };
    let file = form.file.filter(|f| !f.data.is_empty());
    // Errors in the form refuse it whole; a bad record of an uploaded file
    // is skipped with its line number while the others are ingested.
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
    let url = input.url.trim();
    if !url.is_empty()
        && let Err(problem) = claimdesk_core::input::check_url(url)
    {
        errors.push(format!("The URL {problem}."));
    }
    if !input.published.trim().is_empty() && !is_published_date(input.published.trim()) {
        errors.push("The date must be a calendar date (YYYY-MM-DD) or a date-time (2024-05-01T09:30:00Z).".to_owned());
    }
    let parsed: Vec<Document> = match (&file, input.body.trim().is_empty()) {
        (Some(_), false) => {
            errors.push("Paste a text or upload a file, not both.".to_owned());
            Vec::new()
        }
        (None, true) => {
            errors.push("Paste the article's text or choose a file.".to_owned());
            Vec::new()
        }
        (None, false) => vec![Document::new(input.body.clone())],
        (Some(file), true) => {
            let format = Format::of(std::path::Path::new(file.file_name.as_deref().unwrap_or("upload.txt")));
            let data = file.data.to_vec();
            // Parsing is CPU work bounded by the input's size (and HTML by
            // its nesting depth): off the request workers, within a budget.
            let parse = web::block(move || {
                claimdesk_ingest::decode(data, claimdesk_ingest::MAX_BYTES).and_then(|text| claimdesk_ingest::parse_documents(text, format))
            });
            let parsed = actix_web::rt::time::timeout(crate::ingest::TIME_BUDGET, parse)
                .await
                .map_err(|_| crate::ingest::over_budget())?
                .map_err(|e| AppError::Internal(e.to_string()))?;
            match parsed {
                Ok(docs) => docs.into_iter().filter_map(|d| d.map_err(|e| skipped.push(input_error(&e))).ok()).collect(),
                Err(InputError::TooLarge { .. }) => return Err(AppError::TooLarge("the file is larger than 10 MiB".to_owned())),
                Err(e) => {
                    errors.push(input_error(&e));
                    Vec::new()
                }
            }
        }
    };
    let mut documents = Vec::with_capacity(parsed.len());
    for mut doc in parsed {
        let meta = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        doc.title = meta(&input.title).or(doc.title);
        doc.source_url = meta(&input.url).or(doc.source_url);
        doc.outlet = meta(&input.outlet).or(doc.outlet);
        doc.author = meta(&input.author).or(doc.author);
        doc.published = meta(&input.published).or(doc.published);
        match doc.validate() {
            Ok(()) => documents.push(doc),
            Err(e) if file.is_none() => errors.push(format!("The document cannot be ingested: {e}.")),
            Err(e) => skipped.push(format!("A record cannot be ingested: {e}.")),
        }
    }
    if documents.is_empty() {
        errors.append(&mut skipped);
    }
    if !errors.is_empty() {
        let page = list_page(&state, &session, viewer, None, input, errors).await?;
        return html(StatusCode::BAD_REQUEST, &page);
    }
    let origin = if file.is_some() { "upload" } else { "pasted" };
    let mut last = None;
    let (mut new, mut duplicates, mut queued, mut near) = (0, 0, 0, Vec::new());
    for doc in documents {
        let stored = match crate::ingest::ingest_or_queue(&state, doc, origin).await? {
            crate::Ingested::Stored(stored) => stored,
            crate::Ingested::Queued(_) => {
                queued += 1;
                continue;
            }
        };
        match stored {
            Stored::New { id, near_duplicate, .. } => {
                new += 1;
                last = Some(id);
                near.extend(
                    near_duplicate
                        .map(|n| format!("document {id} nearly repeats document {} ({:.0}% of sentences)", n.of, n.share() * 100.0)),
                );
            }
            Stored::Duplicate { id } => {
                duplicates += 1;
                last = Some(id);
            }
        }
    }
    state.counts.invalidate();
    let mut message = match (new, duplicates) {
        _ if queued > 0 => format!(
            "{queued} document{} queued for checking; {}",
            if queued == 1 { "" } else { "s" },
            "they appear below when a worker has checked them."
        ),
        (1, 0) => "Document ingested and checked.".to_owned(),
        (0, 1) => "This text was already ingested; here it is.".to_owned(),
        (n, d) => format!("{n} documents ingested, {d} already there."),
    };
    if !near.is_empty() {
        message = format!("{message} Near duplicates: {}.", near.join("; "));
    }
    if !skipped.is_empty() {
        let mut page = list_page(&state, &session, viewer, None, IngestInput::default(), skipped).await?;
        page.chrome.flash = Some(message);
        return html(StatusCode::OK, &page);
    }
    set_flash(&session, &message);
    Ok(match (new + duplicates, last) {
        (1, Some(id)) => redirect(&format!("/documents/{id}")),
        _ => redirect("/documents"),
    })
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage {
    chrome: Chrome,
    document: DocumentRow,
    paragraphs: Vec<Paragraph>,
    claims: Vec<ClaimRow>,
    legend: Vec<(&'static str, usize)>,
    /// Later documents that nearly repeat this one, with their shares.
    near_duplicates: Vec<(i64, f64)>,
    /// The document's sentences, numbered from 1 (for a claim by hand).
    sentences: Vec<String>,
    /// The add-a-claim form's input and error, after a refusal.
    input: HandForm,
    error: Option<String>,
}

/// The add-a-claim form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct HandForm {
    csrf_token: Option<String>,
    quote: String,
    from: String,
    to: String,
    note: String,
}

async fn show(state: web::Data<AppState>, session: Session, viewer: Viewer, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let page = document_page(&state, &session, viewer, id.into_inner(), HandForm::default(), None).await?;
    html(StatusCode::OK, &page)
}

/// Adds a claim the detectors missed, from a selection or sentence numbers.
async fn add_claim(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    id: web::Path<i64>,
    form: crate::input::Form<HandForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    let id = id.into_inner();
    let form = form.into_inner();
    let input =
        crate::claims::HandInput { quote: form.quote.clone(), from: form.from.clone(), to: form.to.clone(), note: form.note.clone() };
    match crate::claims::add_by_hand(&state, &viewer.name, id, &input).await {
        Ok(claim) => {
            set_flash(&session, "Claim added to the queue.");
            Ok(redirect(&format!("/claims/{}", claim.id)))
        }
        Err(error @ (AppError::BadRequest(_) | AppError::Duplicate(_))) => {
            let status = error.status();
            let page = document_page(&state, &session, viewer, id, form, Some(super::upper_first(&error.to_string()))).await?;
            html(status, &page)
        }
        Err(error) => Err(error),
    }
}

async fn document_page(
    state: &web::Data<AppState>,
    session: &Session,
    viewer: Viewer,
    id: i64,
    input: HandForm,
    error: Option<String>,
) -> Result<DocumentPage, AppError> {
    let document = state.store.document(id).await?;
    let flags = state.store.document_flags(id).await?;
    let claims = state.store.document_claims(id).await?;
    let live: Vec<_> = flags.iter().filter(|f| !f.stale).collect();
    let marks: Vec<Mark> = live
        .iter()
        .map(|f| Mark {
            start: f.start as usize,
            end: f.end as usize,
            class: format!("k-{}", f.kind),
            title: format!("{} ({}): {}", super::human(f.kind), f.rule, f.message),
        })
        .collect();
    let legend = Kind::ALL.iter().map(|k| (k.as_str(), live.iter().filter(|f| f.kind == *k).count())).filter(|(_, n)| *n > 0).collect();
    let sentences = state
        .store
        .sentence_spans(id)
        .await?
        .into_iter()
        .map(|(s, e)| document.body.get(s..e).unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    Ok(DocumentPage {
        near_duplicates: state.store.near_duplicates_of(id).await?,
        chrome: chrome(state, session, viewer, "documents").await?,
        paragraphs: paragraphs(&document.body, &marks),
        document,
        claims,
        legend,
        sentences,
        input,
        error,
    })
}
