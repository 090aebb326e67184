//! `/library` (admins): the fact-check library's state and an upload form
//! for the formats `claimdesk import fact-checks` reads.

use actix_multipart::form::MultipartForm;
use actix_multipart::form::bytes::Bytes as FileField;
use actix_multipart::form::text::Text;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Chrome, chrome, html};
use crate::auth::{Role, Viewer};
use crate::error::AppError;
use crate::{AppState, csrf};

pub fn routes(r: &mut crate::routes::Routes<'_>) {
    r.get("/library", show).post("/library", upload);
}

#[derive(Template)]
#[template(path = "library.html")]
struct LibraryPage {
    chrome: Chrome,
    items: i64,
    /// `Err(reason)` when matching is off.
    matching: Result<usize, String>,
    /// After an upload: what it did.
    outcome: Option<String>,
    /// `(refused, "record N: …")` per problem of the upload.
    problems: Vec<(bool, String)>,
    error: Option<String>,
}

async fn page(state: &web::Data<AppState>, session: &Session, viewer: Viewer) -> Result<LibraryPage, AppError> {
    Ok(LibraryPage {
        chrome: chrome(state, session, viewer, "plugins").await?,
        items: state.store.fact_check_count().await?,
        matching: state.library.status().map(|()| state.library.indexed()).map_err(str::to_owned),
        outcome: None,
        problems: Vec::new(),
        error: None,
    })
}

async fn show(state: web::Data<AppState>, session: Session, viewer: Viewer) -> Result<HttpResponse, AppError> {
    viewer.require(Role::Admin)?;
    html(StatusCode::OK, &page(&state, &session, viewer).await?)
}

#[derive(Debug, MultipartForm)]
pub struct UploadForm {
    csrf_token: Option<Text<String>>,
    file: Option<FileField>,
}

async fn upload(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    MultipartForm(form): MultipartForm<UploadForm>,
) -> Result<HttpResponse, AppError> {
    viewer.require(Role::Admin)?;
    csrf::verify(&session, form.csrf_token.as_ref().map(|t| t.0.as_str()))?;
    let mut view = page(&state, &session, viewer).await?;
    let Some(file) = form.file.filter(|f| !f.data.is_empty()) else {
        view.error = Some("Choose a file: ClaimReview JSON-LD (or an HTML page holding it), a DataFeed, or TSV/CSV.".to_owned());
        return html(StatusCode::BAD_REQUEST, &view);
    };
    let name = file.file_name.clone().unwrap_or_else(|| "upload".to_owned());
    let data = file.data.to_vec();
    let parse_name = name.clone();
    let parsed = actix_web::rt::time::timeout(crate::ingest::TIME_BUDGET, web::block(move || claimdesk_match::parse(&parse_name, &data)))
        .await
        .map_err(|_| crate::ingest::over_budget())?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            view.error = Some(format!("{name} cannot be imported: {e}."));
            return html(StatusCode::BAD_REQUEST, &view);
        }
    };
    view.problems = parsed.problems.iter().map(|p| (p.refused, format!("record {}: {}", p.record, p.message))).collect();
    let done = state.library.import(&state.store, parsed.items).await?;
    state.library.wake(&state.store);
    let refused = view.problems.iter().filter(|(r, _)| *r).count();
    view.outcome = Some(format!("{name}: {} added, {} updated, {refused} refused.", done.added, done.updated));
    view.items = state.store.fact_check_count().await?;
    html(StatusCode::OK, &view)
}
