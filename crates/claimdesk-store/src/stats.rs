//! The desk's figures for the dashboard and `GET /api/v1/stats`.

use std::collections::BTreeMap;

use claimdesk_core::Status;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::{claim, event};
use crate::{Store, StoreError};

const DAY: i64 = 86_400;

/// One day's claims in (ingested or added) and out (a verdict, a
/// publication, a dismissal).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct DayCounts {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub claims_in: u64,
    pub verdicts: u64,
    pub published: u64,
    pub dismissed: u64,
}

/// Median and 90th percentile of a duration, in seconds, over `count` claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Durations {
    pub count: u64,
    pub median_s: Option<i64>,
    pub p90_s: Option<i64>,
}

/// An open claim waiting longest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WaitingClaim {
    pub id: i64,
    pub text: String,
    pub assignee: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct DeskStats {
    /// The last `days` days, oldest first, every day present.
    pub days: Vec<DayCounts>,
    /// From ingest to the first verdict, for claims whose first verdict
    /// fell in the period.
    pub to_verdict: Durations,
    /// From ingest to the first publication, likewise.
    pub to_publication: Durations,
    /// Open claims (new, in review) per assignee; `None` is nobody.
    pub open_by_assignee: Vec<(Option<String>, u64)>,
    /// Resolved and published claims per verdict key.
    pub verdicts: Vec<(String, u64)>,
    pub oldest_open: Vec<WaitingClaim>,
}

/// The `q`-quantile of sorted `values` (nearest rank): the dashboard's
/// durations and the metrics' job latencies.
pub fn quantile(sorted: &[i64], q: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

fn durations(mut values: Vec<i64>) -> Durations {
    values.sort_unstable();
    Durations { count: values.len() as u64, median_s: quantile(&values, 0.5), p90_s: quantile(&values, 0.9) }
}

fn day_name(day: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::from_unix_timestamp(day * DAY).ok().and_then(|t| t.format(&format).ok()).unwrap_or_default()
}

impl Store {
    /// The desk's figures over the last `days` days up to `now` (unix seconds).
    pub async fn desk_stats(&self, days: u32, now: i64) -> Result<DeskStats, StoreError> {
        let today = now.div_euclid(DAY);
        let first = today - i64::from(std::cmp::max(days, 1)) + 1;
        let since = first * DAY;
        let mut by_day: BTreeMap<i64, DayCounts> =
            (first..=today).map(|d| (d, DayCounts { day: day_name(d), ..Default::default() })).collect();
        let created: Vec<i64> = claim::Entity::find()
            .select_only()
            .column(claim::Column::CreatedAt)
            .filter(claim::Column::CreatedAt.gte(since))
            .into_tuple()
            .all(&self.read)
            .await?;
        for at in created {
            if let Some(d) = by_day.get_mut(&at.div_euclid(DAY)) {
                d.claims_in += 1;
            }
        }
        let out: Vec<(String, i64)> = event::Entity::find()
            .select_only()
            .columns([event::Column::Action, event::Column::At])
            .filter(event::Column::At.gte(since))
            .filter(event::Column::Action.is_in(["resolve", "publish", "dismiss"]))
            .into_tuple()
            .all(&self.read)
            .await?;
        for (action, at) in out {
            if let Some(d) = by_day.get_mut(&at.div_euclid(DAY)) {
                match action.as_str() {
                    "resolve" => d.verdicts += 1,
                    "publish" => d.published += 1,
                    _ => d.dismissed += 1,
                }
            }
        }
        let mut to_verdict = Vec::new();
        let mut to_publication = Vec::new();
        for (action, into) in [("resolve", &mut to_verdict), ("publish", &mut to_publication)] {
            let firsts: Vec<(i64, i64)> = event::Entity::find()
                .select_only()
                .column(event::Column::ClaimId)
                .column_as(Expr::col(event::Column::At).min(), "at")
                .filter(event::Column::Action.eq(action))
                .group_by(event::Column::ClaimId)
                .having(Expr::col(event::Column::At).min().gte(since))
                .into_tuple()
                .all(&self.read)
                .await?;
            for ids in firsts.chunks(1000) {
                let created: Vec<(i64, i64)> = claim::Entity::find()
                    .select_only()
                    .columns([claim::Column::Id, claim::Column::CreatedAt])
                    .filter(claim::Column::Id.is_in(ids.iter().map(|(id, _)| *id)))
                    .into_tuple()
                    .all(&self.read)
                    .await?;
                let created: std::collections::HashMap<i64, i64> = created.into_iter().collect();
                into.extend(ids.iter().filter_map(|(id, at)| created.get(id).map(|c| Ord::max(at - c, 0))));
            }
        }
        let open = [Status::New.as_str(), Status::InReview.as_str()];
        let open_by_assignee: Vec<(Option<String>, i64)> = claim::Entity::find()
            .select_only()
            .column(claim::Column::Assignee)
            .column_as(Expr::col(claim::Column::Id).count(), "n")
            .filter(claim::Column::Status.is_in(open))
            .group_by(claim::Column::Assignee)
            .into_tuple()
            .all(&self.read)
            .await?;
        let mut open_by_assignee: Vec<(Option<String>, u64)> =
            open_by_assignee.into_iter().map(|(a, n)| (a, Ord::max(n, 0) as u64)).collect();
        open_by_assignee.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let verdicts: Vec<(Option<String>, i64)> = claim::Entity::find()
            .select_only()
            .column(claim::Column::Verdict)
            .column_as(Expr::col(claim::Column::Id).count(), "n")
            .filter(claim::Column::Status.is_in([Status::Resolved.as_str(), Status::Published.as_str()]))
            .group_by(claim::Column::Verdict)
            .into_tuple()
            .all(&self.read)
            .await?;
        let verdicts = verdicts.into_iter().filter_map(|(v, n)| v.map(|v| (v, Ord::max(n, 0) as u64))).collect();
        let oldest: Vec<(i64, String, Option<String>, i64)> = claim::Entity::find()
            .select_only()
            .columns([claim::Column::Id, claim::Column::Text, claim::Column::Assignee, claim::Column::CreatedAt])
            .filter(claim::Column::Status.is_in(open))
            .order_by_asc(claim::Column::CreatedAt)
            .order_by_asc(claim::Column::Id)
            .limit(10)
            .into_tuple()
            .all(&self.read)
            .await?;
        Ok(DeskStats {
            days: by_day.into_values().collect(),
            to_verdict: durations(to_verdict),
            to_publication: durations(to_publication),
            open_by_assignee,
            verdicts,
            oldest_open: oldest
                .into_iter()
                .map(|(id, text, assignee, created_at)| WaitingClaim { id, text, assignee, created_at })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[7], 0.9), Some(7));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!((quantile(&ten, 0.5), quantile(&ten, 0.9)), (Some(5), Some(9)));
        assert_eq!(durations(vec![30, 10, 20]), Durations { count: 3, median_s: Some(20), p90_s: Some(30) });
        assert_eq!(day_name(0), "1970-01-01");
    }
}
