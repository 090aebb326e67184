//! `/dashboard` (editors and admins): claims in and out per day, how long
//! claims wait for a verdict and for publication, open claims per
//! assignee, the verdicts given, the oldest open claims; charts drawn on
//! the server as SVG. `GET /api/v1/stats` gives the same figures.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use claimdesk_store::{DeskStats, Durations};

use super::{Chrome, chrome, html};
use crate::AppState;
use crate::auth::{Role, Viewer};
use crate::error::AppError;

pub fn routes(r: &mut crate::routes::Routes<'_>) {
    r.get("/dashboard", dashboard).budget(1);
}

/// `?days=N`: the period, 1 to 366 days up to today (default 14).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Days up to today, 1 to 366 (default 14).
    pub days: Option<String>,
}

impl StatsQuery {
    pub fn days(&self) -> Result<u32, AppError> {
        match super::field(&self.days) {
            None => Ok(14),
            Some(d) => d
                .parse::<u32>()
                .ok()
                .filter(|d| (1..=366).contains(d))
                .ok_or_else(|| AppError::BadRequest(format!("days must be a number from 1 to 366, not {d:?}."))),
        }
    }
}

/// The figures for the last `days` days.
pub(crate) async fn stats(state: &AppState, days: u32) -> Result<DeskStats, AppError> {
    Ok(state.stats.get(&state.store, days, time::OffsetDateTime::now_utc().unix_timestamp()).await?)
}

/// A duration as people read it: "45 s", "12 min", "3 h 20 min", "2 d 4 h".
pub fn human_duration(seconds: i64) -> String {
    let (d, h, m) = (seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{seconds} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    days: u32,
    stats: DeskStats,
    /// Rating key to label.
    labels: Vec<(String, String)>,
    charts: Vec<String>,
}

impl DashboardPage {
    fn label(&self, key: &str) -> String {
        self.labels.iter().find(|(k, _)| k == key).map_or_else(|| key.to_owned(), |(_, l)| l.clone())
    }

    fn duration(&self, d: &Durations, which: &str) -> String {
        let value = if which == "median" { d.median_s } else { d.p90_s };
        value.map_or_else(|| "—".to_owned(), human_duration)
    }
}

async fn dashboard(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    query: crate::input::Query<StatsQuery>,
) -> Result<HttpResponse, AppError> {
    viewer.require(Role::Editor)?;
    let days = query.days()?;
    let stats = stats(&state, days).await?;
    let scale = state.shown_policy().await?.scale;
    let labels: Vec<(String, String)> = scale.ratings.iter().map(|r| (r.key.clone(), r.label.clone())).collect();
    let day = |d: &claimdesk_store::DayCounts| d.day.get(5..).unwrap_or_default().to_owned();
    let chart = |title: &str, bars: Vec<(String, usize)>| {
        claimdesk_report::bar_chart_svg(title, "Claims", &bars).map_err(|e| AppError::Internal(e.to_string()))
    };
    let charts = vec![
        chart("Claims in per day", stats.days.iter().map(|d| (day(d), d.claims_in as usize)).collect())?,
        chart("Verdicts per day", stats.days.iter().map(|d| (day(d), d.verdicts as usize)).collect())?,
        chart(
            "Verdicts given",
            labels.iter().map(|(k, l)| (l.clone(), stats.verdicts.iter().find(|(v, _)| v == k).map_or(0, |(_, n)| *n as usize))).collect(),
        )?,
        chart(
            "Open claims per assignee",
            stats.open_by_assignee.iter().map(|(a, n)| (a.clone().unwrap_or_else(|| "nobody".to_owned()), *n as usize)).collect(),
        )?,
    ];
    let page = DashboardPage { chrome: chrome(&state, &session, viewer, "dashboard").await?, days, stats, labels, charts };
    html(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_as_people_say_them() {
        use super::human_duration;
        assert_eq!(human_duration(45), "45 s");
        assert_eq!(human_duration(12 * 60 + 5), "12 min");
        assert_eq!(human_duration(3 * 3600), "3 h");
        assert_eq!(human_duration(3 * 3600 + 20 * 60), "3 h 20 min");
        assert_eq!(human_duration(2 * 86_400 + 4 * 3600 + 59), "2 d 4 h");
        assert_eq!(human_duration(86_400), "1 d");
    }
}
