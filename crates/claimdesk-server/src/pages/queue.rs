//! `/queue`: claims to review, filtered, sorted and paginated by keyset.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use claimdesk_core::{Kind, Status};
use claimdesk_store::{ClaimFilter, Cursor, QueueOrder, QueueRow};
use serde::{Deserialize, Serialize};

use super::{Chrome, chrome, field, html};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, url_encode};

pub const PAGE_SIZE: u64 = 50;

pub fn routes(r: &mut crate::routes::Routes<'_>) {
    // 2: a filter by flag kind, plugin or rule reads the rules' ids first
    // (so PostgreSQL plans the queue's statement with them as literals);
    // the default view issues 1.
    r.get("/queue", queue).budget(2);
}

/// The queue's filters as they arrive in the query string; all optional,
/// validated into a [`ClaimFilter`].
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// new, in_review, resolved, published or dismissed; `open` (new and
    /// in review: the queue page's default) or `any`.
    pub status: Option<String>,
    /// A flag kind, e.g. `hedge`.
    pub kind: Option<String>,
    pub plugin: Option<String>,
    pub rule: Option<String>,
    /// A user name, `me`, or `none` (nobody assigned).
    pub assignee: Option<String>,
    /// A document id.
    pub document: Option<String>,
    pub outlet: Option<String>,
    /// Text the claim contains.
    pub q: Option<String>,
    /// `strong`: only claims the library holds a strong match for (an
    /// earlier fact-check of the same claim, most likely).
    pub matched: Option<String>,
    /// `yes`: only claims that also stand in another document.
    pub copies: Option<String>,
    /// `yes`: only claims with at least one evidence item.
    pub evidence: Option<String>,
    /// `priority` (default) or `age`.
    pub order: Option<String>,
    /// The previous page's cursor (`next`).
    pub after: Option<String>,
}

pub fn parse_cursor(s: &str) -> Option<Cursor> {
    let (p, id) = s.split_once(':')?;
    let priority: f64 = p.parse().ok().filter(|p: &f64| p.is_finite())?;
    Some(Cursor { priority, id: id.parse().ok()? })
}

impl QueueQuery {
    /// The filter, order and cursor, or what is wrong with the query.
    pub fn parse(&self, viewer_name: &str) -> Result<(ClaimFilter, QueueOrder, Option<Cursor>), Vec<String>> {
        let mut errors = Vec::new();
        let mut filter = ClaimFilter::default();
        match field(&self.status).as_deref() {
            None | Some("any") => {}
            Some("open") => filter.open = true,
            Some(s) => match s.parse::<Status>() {
                Ok(status) => filter.status = Some(status),
                Err(e) => errors.push(format!("unknown status {s:?} (one of: open, any, {})", e.expected)),
            },
        }
        if let Some(k) = field(&self.kind) {
            match k.parse::<Kind>() {
                Ok(kind) => filter.kind = Some(kind),
                Err(e) => errors.push(format!("unknown kind {k:?} (one of: {})", e.expected)),
            }
        }
        filter.plugin = field(&self.plugin);
        filter.rule = field(&self.rule);
        match field(&self.assignee).as_deref() {
            None => {}
            Some("none") => filter.unassigned = true,
            Some("me") => filter.assignee = Some(viewer_name.to_owned()),
            Some(name) => filter.assignee = Some(name.to_owned()),
        }
        if let Some(d) = field(&self.document) {
            match d.parse::<i64>() {
                Ok(id) => filter.document_id = Some(id),
                Err(_) => errors.push(format!("document must be a number, not {d:?}")),
            }
        }
        filter.outlet = field(&self.outlet);
        filter.text = field(&self.q);
        match field(&self.matched).as_deref() {
            None => {}
            Some("strong") => filter.min_match = Some(f64::from(claimdesk_match::STRONG_COSINE)),
            Some(other) => errors.push(format!("unknown match filter {other:?}: use strong")),
        }
        match field(&self.copies).as_deref() {
            None => {}
            Some("yes") => filter.copies = true,
            Some(other) => errors.push(format!("unknown copies filter {other:?}: use yes")),
        }
        match field(&self.evidence).as_deref() {
            None => {}
            Some("yes") => filter.has_evidence = true,
            Some(other) => errors.push(format!("unknown evidence filter {other:?}: use yes")),
        }
        let order = match field(&self.order).as_deref() {
            None | Some("priority") => QueueOrder::Priority,
            Some("age") => QueueOrder::Age,
            Some(other) => {
                errors.push(format!("unknown order {other:?}: use priority or age"));
                QueueOrder::Priority
            }
        };
        let after = match field(&self.after) {
            None => None,
            Some(a) => match parse_cursor(&a) {
                Some(c) => Some(c),
                None => {
                    errors.push(format!("malformed page cursor {a:?}"));
                    None
                }
            },
        };
        if errors.is_empty() { Ok((filter, order, after)) } else { Err(errors) }
    }

    /// The query string of these filters with another cursor.
    fn with_after(&self, after: &str) -> String {
        let mut next = self.clone();
        next.after = Some(after.to_owned());
        next.query_string()
    }

    pub fn query_string(&self) -> String {
        let pairs = [
            ("status", &self.status),
            ("kind", &self.kind),
            ("plugin", &self.plugin),
            ("rule", &self.rule),
            ("assignee", &self.assignee),
            ("document", &self.document),
            ("outlet", &self.outlet),
            ("q", &self.q),
            ("matched", &self.matched),
            ("copies", &self.copies),
            ("evidence", &self.evidence),
            ("order", &self.order),
            ("after", &self.after),
        ];
        pairs.iter().filter_map(|(k, v)| field(v).map(|v| format!("{k}={}", url_encode(&v)))).collect::<Vec<_>>().join("&")
    }

    pub fn value(&self, name: &str) -> String {
        let v = match name {
            "status" => &self.status,
            "kind" => &self.kind,
            "plugin" => &self.plugin,
            "rule" => &self.rule,
            "assignee" => &self.assignee,
            "document" => &self.document,
            "outlet" => &self.outlet,
            "q" => &self.q,
            "matched" => &self.matched,
            "copies" => &self.copies,
            "evidence" => &self.evidence,
            "order" => &self.order,
            _ => &None,
        };
        v.clone().unwrap_or_default()
    }
}

pub struct Row {
    pub claim: QueueRow,
    pub document: String,
    pub outlet: String,
    /// The library holds a strong match (cosine at least
    /// [`claimdesk_match::STRONG_COSINE`]).
    pub strong_match: bool,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    chrome: Chrome,
    query: QueueQuery,
    errors: Vec<String>,
    rows: Vec<Row>,
    next: Option<String>,
    first_page: bool,
    kinds: Vec<&'static str>,
    plugins: Vec<String>,
    rules: Vec<String>,
    /// Active users, for the assignee filter and the bulk assignment.
    users: Vec<String>,
    outlets: Vec<String>,
    /// This query's filters, without a cursor (what a saved view keeps).
    filters: String,
    /// Which bulk actions the viewer's role may take at all.
    may_dismiss: bool,
}

async fn queue(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    query: crate::input::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    let mut query = query.into_inner();
    // The page opens on the claims that wait for a verdict.
    if query.status.is_none() {
        query.status = Some("open".to_owned());
    }
    let parsed = query.parse(&viewer.name);
    let (rows, next, errors, status) = match parsed {
        Ok((filter, order, after)) => {
            let claims = state.store.queue_rows(&filter, order, after, PAGE_SIZE).await?;
            let next = (claims.len() as u64 == PAGE_SIZE)
                .then(|| claims.last().map(|c| query.with_after(&format!("{}:{}", c.priority, c.id))))
                .flatten();
            (claims, next, Vec::new(), StatusCode::OK)
        }
        Err(errors) => (Vec::new(), None, errors, StatusCode::BAD_REQUEST),
    };
    let mut ids: Vec<i64> = rows.iter().map(|c| c.document_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let labels = if ids.is_empty() { HashMap::new() } else { state.labels.get(&state.store, &ids).await? };
    // Copies of one claim are grouped: the page lists the first, whose chip
    // says how many other documents hold it (the claim page lists them).
    let mut shown = std::collections::HashSet::new();
    let rows = rows
        .into_iter()
        .filter(|claim| {
            let copied = claim.text_key.as_deref().filter(|_| claim.copies > 0);
            copied.is_none_or(|key| shown.insert(key.to_owned()))
        })
        .map(|claim| {
            let (document, outlet) = labels.get(&claim.document_id).cloned().unwrap_or_default();
            let strong_match = claim.match_cosine.is_some_and(|c| c >= f64::from(claimdesk_match::STRONG_COSINE));
            Row { claim, document, outlet: outlet.unwrap_or_default(), strong_match }
        })
        .collect();
    let host = state.host.host();
    let plugins: Vec<String> = host.plugins().map(|p| p.name.to_string()).collect();
    let rules: Vec<String> = host.plugins().flat_map(|p| p.rules.iter().map(|r| r.id.to_string())).collect();
    let filters = QueueQuery { after: None, ..query.clone() }.query_string();
    let (users, outlets) = state.choices.get(&state.store).await?;
    // The bulk form offers dismiss and publish to the roles the core lets
    // take them at all (each claim is still checked on its own).
    let may_dismiss = viewer.role >= claimdesk_core::Verb::Dismiss.least_role(Status::New);
    let page = QueuePage {
        users,
        outlets,
        filters,
        may_dismiss,
        chrome: chrome(&state, &session, viewer, "queue").await?,
        first_page: field(&query.after).is_none(),
        query,
        errors,
        rows,
        next,
        kinds: Kind::ALL.iter().map(|k| k.as_str()).collect(),
        plugins,
        rules,
    };
    html(status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_parse_and_round_trip() {
        let q =
            QueueQuery { status: Some("new".into()), q: Some("50% & \"up\"".into()), assignee: Some("me".into()), ..Default::default() };
        let (filter, order, after) = q.parse("ann").unwrap();
        assert_eq!(filter.status, Some(Status::New));
        assert_eq!(filter.assignee.as_deref(), Some("ann"));
        assert_eq!(filter.text.as_deref(), Some("50% & \"up\""));
        assert_eq!((order, after), (QueueOrder::Priority, None));
        assert_eq!(q.query_string(), "status=new&assignee=me&q=50%25%20%26%20%22up%22");
        assert_eq!(parse_cursor("0.75:12"), Some(Cursor { priority: 0.75, id: 12 }));
    }

    #[test]
    fn bad_filters_are_reported_not_ignored() {
        let q = QueueQuery {
            status: Some("done".into()),
            document: Some("x".into()),
            after: Some("NaN:1".into()),
            order: Some("random".into()),
            ..Default::default()
        };
        assert_eq!(q.parse("ann").unwrap_err().len(), 4);
        let q = QueueQuery { matched: Some("weak".into()), copies: Some("no".into()), ..Default::default() };
        assert_eq!(q.parse("ann").unwrap_err().len(), 2);
        let q = QueueQuery { matched: Some("strong".into()), copies: Some("yes".into()), ..Default::default() };
        let (filter, ..) = q.parse("ann").unwrap();
        assert_eq!(filter.min_match, Some(f64::from(claimdesk_match::STRONG_COSINE)));
        assert!(filter.copies);
        assert_eq!(q.query_string(), "matched=strong&copies=yes");
    }
}
