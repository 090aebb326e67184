//! Jobs: where a queued ingest stands (`serve --no-inline-work`).

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::{ApiError, ErrorOut};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::AppError;

/// A job queued for `claimdesk worker`.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobQueuedOut {
    /// The job's id.
    pub job: String,
    /// Where to follow it: `GET` this for its state.
    pub url: String,
    pub state: String,
}

impl JobQueuedOut {
    pub fn new(job: String) -> JobQueuedOut {
        JobQueuedOut { url: job_url(&job), job, state: claimdesk_work::JobState::Queued.as_str().to_owned() }
    }
}

pub fn job_url(id: &str) -> String {
    format!("/api/v1/jobs/{id}")
}

/// A job and its outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobOut {
    pub id: String,
    /// `ingest`, `recheck` or `feed_poll`.
    pub kind: String,
    /// `queued` (new, or waiting for a retry), `running`, `done` or `failed`.
    pub state: String,
    /// Attempts so far (a worker that died while running it used one).
    pub attempts: i64,
    pub max_attempts: i64,
    /// The last attempt's error.
    pub error: Option<String>,
    /// What it produced, once done: for an ingest, `document` (its id),
    /// `claims`, `flags`, or `duplicate: true`.
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    /// When it was queued (or is next due), Unix seconds.
    pub run_at: i64,
    /// When it ended, Unix seconds.
    pub done_at: Option<i64>,
}

impl From<claimdesk_work::JobView> for JobOut {
    fn from(j: claimdesk_work::JobView) -> Self {
        JobOut {
            id: j.id,
            kind: j.kind.to_owned(),
            state: j.state.as_str().to_owned(),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            error: j.error,
            result: j.result,
            run_at: j.run_at,
            done_at: j.done_at,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}", params(("id" = String, Path, max_length = 64, description = "The job's id")), responses((status = 200, body = JobOut), (status = 404, body = ErrorOut)))]
pub(super) async fn get_job(_user: ApiUser, state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let missing = || AppError::NotFound(format!("no job {:?}", id.as_str()));
    let Some(jobs) = &state.work.jobs else {
        return Err(missing().into());
    };
    let job = jobs.job(&id).await.map_err(|e| AppError::Unavailable(e.to_string()))?.ok_or_else(missing)?;
    Ok(HttpResponse::Ok().json(JobOut::from(job)))
}
