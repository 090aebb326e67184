//! `GET /metrics` in Prometheus's text format, for admins (a bearer token
//! of an admin, as a scraper sends it).
//!
//! Counted as requests pass: requests and their latency by route pattern
//! (`/claims/{id}`, never the raw path, so the series stay few). Read from
//! the database at scrape time, so every node reports the same desk: claims
//! by status (the queue's depth), jobs by kind and state, the time from
//! queued to done of the last [`LATENCY_SAMPLE`] jobs of each kind. From
//! this node's plugin host: runs and failures per plugin.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use prometheus::{Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder};

use crate::AppState;
use crate::auth::{ApiUser, Role};
use crate::error::{ApiError, AppError};

/// Jobs of each kind the latency quantiles are taken over.
pub const LATENCY_SAMPLE: u32 = 1000;

#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    statements: HistogramVec,
}

impl Default for Metrics {
    #[expect(clippy::expect_used, reason = "the names, labels and buckets are constants prometheus accepts")]
    fn default() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("claimdesk_http_requests_total", "HTTP requests answered, by route pattern, method and status"),
            &["route", "method", "status"],
        )
        .expect("valid counter");
        let latency = HistogramVec::new(
            HistogramOpts::new("claimdesk_http_request_duration_seconds", "Time to answer, by route pattern and method")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
            &["route", "method"],
        )
        .expect("valid histogram");
        let statements = HistogramVec::new(
            HistogramOpts::new("claimdesk_http_db_statements", "SQL statements a request issued, by route pattern")
                .buckets(vec![0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 32.0, 64.0]),
            &["route"],
        )
        .expect("valid histogram");
        let _ = registry.register(Box::new(requests.clone()));
        let _ = registry.register(Box::new(latency.clone()));
        let _ = registry.register(Box::new(statements.clone()));
        Metrics { registry, requests, latency, statements }
    }
}

/// Counts every request by the route it matched, with the SQL statements
/// it issued (every statement of the request's task: extractors,
/// handler and middleware inside this one). With `serve --server-timing`
/// the response says them in a `Server-Timing` header (`db;dur=MS;desc="N
/// statements"`), which the query-budget test reads.
pub(crate) async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let state = req.app_data::<web::Data<AppState>>().map(|s| (s.metrics.clone(), s.server_timing));
    let method = method_label(req.method());
    let tally = std::sync::Arc::new(claimdesk_store::meter::Tally::default());
    let mut res = claimdesk_store::meter::metered(tally.clone(), next.call(req)).await?;
    if let Some((metrics, server_timing)) = state {
        // Only the router's own patterns: a path no route matched is one
        // series however many paths are tried.
        let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_owned());
        let status = status_label(res.status());
        metrics.requests.with_label_values(&[route.as_str(), method, status.as_str()]).inc();
        metrics.latency.with_label_values(&[route.as_str(), method]).observe(started.elapsed().as_secs_f64());
        metrics.statements.with_label_values(&[route.as_str()]).observe(tally.statements() as f64);
        if server_timing {
            let value = format!("db;dur={:.3};desc=\"{} statements\"", tally.time().as_secs_f64() * 1000.0, tally.statements());
            if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&value) {
                res.headers_mut().insert(actix_web::http::header::HeaderName::from_static("server-timing"), value);
            }
        }
    }
    Ok(res)
}

/// The `method` label: the methods HTTP defines, every other as `other`,
/// so made-up methods cannot add series.
fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    const KNOWN: [(Method, &str); 9] = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::DELETE, "DELETE"),
        (Method::PATCH, "PATCH"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::CONNECT, "CONNECT"),
        (Method::TRACE, "TRACE"),
    ];
    KNOWN.iter().find(|(m, _)| m == method).map_or("other", |(_, name)| name)
}

/// The `status` label: the code when HTTP names it (a closed set), else
/// its class (`5xx`), so the series stay few whatever a handler answers.
fn status_label(status: actix_web::http::StatusCode) -> String {
    if status.canonical_reason().is_some() { status.as_u16().to_string() } else { format!("{}xx", status.as_u16() / 100) }
}

fn failed(e: impl std::fmt::Display) -> ApiError {
    AppError::Internal(format!("metrics: {e}")).into()
}

/// `GET /metrics`.
pub(crate) async fn scrape(user: ApiUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    user.require(Role::Admin)?;
    let desk = Registry::new();
    let claims = IntGaugeVec::new(Opts::new("claimdesk_claims", "Claims by status (the queue's depth)"), &["status"]).map_err(failed)?;
    for (status, n) in state.store.status_counts().await? {
        claims.with_label_values(&[status.as_str()]).set(n);
    }
    desk.register(Box::new(claims)).map_err(failed)?;
    let plugin_runs = IntGaugeVec::new(Opts::new("claimdesk_plugin_runs", "Plugin runs on this node since its host was made"), &["plugin"])
        .map_err(failed)?;
    let plugin_failures =
        IntGaugeVec::new(Opts::new("claimdesk_plugin_failures", "Plugin failures on this node since its host was made"), &["plugin"])
            .map_err(failed)?;
    for (info, health) in state.host.host().health() {
        plugin_runs.with_label_values(&[&*info.name]).set(i64::try_from(health.runs).unwrap_or(i64::MAX));
        plugin_failures.with_label_values(&[&*info.name]).set(i64::try_from(health.failures).unwrap_or(i64::MAX));
    }
    desk.register(Box::new(plugin_runs)).map_err(failed)?;
    desk.register(Box::new(plugin_failures)).map_err(failed)?;
    if let Some(jobs) = &state.work.jobs {
        let counts = IntGaugeVec::new(Opts::new("claimdesk_jobs", "Jobs by kind and state"), &["kind", "state"]).map_err(failed)?;
        for kind in claimdesk_work::Kind::ALL {
            for s in claimdesk_work::JobState::ALL {
                counts.with_label_values(&[kind.as_str(), s.as_str()]).set(0);
            }
        }
        for (kind, s, n) in jobs.counts().await.map_err(failed)?.counts {
            counts.with_label_values(&[kind, s.as_str()]).set(n);
        }
        desk.register(Box::new(counts)).map_err(failed)?;
        let latency = GaugeVec::new(
            Opts::new("claimdesk_job_latency_seconds", "Seconds from queued to done, over the last 1000 done jobs of each kind"),
            &["kind", "quantile"],
        )
        .map_err(failed)?;
        for kind in claimdesk_work::Kind::ALL {
            let mut seconds = jobs.latencies(kind, LATENCY_SAMPLE).await.map_err(failed)?;
            seconds.sort_unstable();
            for q in [0.5, 0.9, 0.99] {
                if let Some(v) = claimdesk_store::quantile(&seconds, q) {
                    latency.with_label_values(&[kind.as_str(), &q.to_string()]).set(v as f64);
                }
            }
        }
        desk.register(Box::new(latency)).map_err(failed)?;
    }
    let mut families = state.metrics.registry.gather();
    families.extend(desk.gather());
    let mut body = Vec::new();
    let encoder = TextEncoder::new();
    encoder.encode(&families, &mut body).map_err(failed)?;
    Ok(HttpResponse::Ok().content_type(encoder.format_type()).body(body))
}

#[cfg(test)]
mod tests {
    use actix_web::http::{Method, StatusCode};

    use super::*;

    #[test]
    fn labels_come_from_closed_sets() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::HEAD), "HEAD");
        for made_up in ["M1QQQQQQQQ", "get", "BREW"] {
            assert_eq!(method_label(&Method::from_bytes(made_up.as_bytes()).unwrap()), "other", "{made_up}");
        }
        assert_eq!(status_label(StatusCode::NOT_FOUND), "404");
        assert_eq!(status_label(StatusCode::from_u16(599).unwrap()), "5xx");
        assert_eq!(status_label(StatusCode::from_u16(299).unwrap()), "2xx");
    }
}
