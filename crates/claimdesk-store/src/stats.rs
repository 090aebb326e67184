//! The desk's figures for the dashboard and `GET /api/v1/stats`.

use std::collections::BTreeMap;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

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

/// What [`Store::desk_stats`] depends on besides the day: the newest claim
/// and the newest event. Claims are never deleted and every change to one
/// writes an event, so figures computed at one version hold until it moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatsVersion {
    pub claims: i64,
    pub events: i64,
}

impl Store {
    /// The current [`StatsVersion`]: two primary-key maxima in one
    /// statement (an index probe each, at any size).
    pub async fn stats_version(&self) -> Result<StatsVersion, StoreError> {
        let select = sea_orm::sea_query::Query::select()
            .expr_as(Expr::cust("CAST(COALESCE((SELECT MAX(id) FROM claims), 0) AS BIGINT)"), "claims")
            .expr_as(Expr::cust("CAST(COALESCE((SELECT MAX(id) FROM events), 0) AS BIGINT)"), "events")
            .to_owned();
        match self.read.query_one_raw(self.db_backend().build(&select)).await? {
            Some(row) => Ok(StatsVersion { claims: row.try_get("", "claims")?, events: row.try_get("", "events")? }),
            None => Ok(StatsVersion::default()),
        }
    }

    /// The desk's figures over the last `days` days up to `now` (unix seconds).
    pub async fn desk_stats(&self, days: u32, now: i64) -> Result<DeskStats, StoreError> {
        let today = now.div_euclid(DAY);
        let first = today - i64::from(std::cmp::max(days, 1)) + 1;
        let since = first * DAY;
        let mut by_day: BTreeMap<i64, DayCounts> =
            (first..=today).map(|d| (d, DayCounts { day: day_name(d), ..Default::default() })).collect();
        // Counted per day by the database (a day is `at / 86400`, integer
        // division on both), not loaded claim by claim.
        let day = |column: &str| Expr::cust(format!("{column} / {DAY}"));
        let created: Vec<(i64, i64)> = claim::Entity::find()
            .select_only()
            .column_as(day("created_at"), "day")
            .column_as(Expr::col(claim::Column::Id).count(), "n")
            .filter(claim::Column::CreatedAt.gte(since))
            .group_by(day("created_at"))
            .into_tuple()
            .all(&self.read)
            .await?;
        for (at, n) in created {
            if let Some(d) = by_day.get_mut(&at) {
                d.claims_in = Ord::max(n, 0) as u64;
            }
        }
        let out: Vec<(String, i64, i64)> = event::Entity::find()
            .select_only()
            .column(event::Column::Action)
            .column_as(day("at"), "day")
            .column_as(Expr::col(event::Column::Id).count(), "n")
            .filter(event::Column::Action.is_in(["resolve", "publish", "dismiss"]))
            .filter(event::Column::At.gte(since))
            .group_by(event::Column::Action)
            .group_by(day("at"))
            .into_tuple()
            .all(&self.read)
            .await?;
        for (action, at, n) in out {
            if let Some(d) = by_day.get_mut(&at) {
                let n = Ord::max(n, 0) as u64;
                match action.as_str() {
                    "resolve" => d.verdicts += n,
                    "publish" => d.published += n,
                    _ => d.dismissed += n,
                }
            }
        }
        // From creation to the first such event, for the claims whose
        // first one fell in the period: only claims with such an event in
        // the period are looked at (`events_action_at`), each one's first
        // found through `events_claim`, its creation joined in.
        let mut to_verdict = Vec::new();
        let mut to_publication = Vec::new();
        for (action, into) in [("resolve", &mut to_verdict), ("publish", &mut to_publication)] {
            let recent = sea_orm::sea_query::Query::select()
                .column(event::Column::ClaimId)
                .from(event::Entity)
                .and_where(event::Column::Action.eq(action))
                .and_where(event::Column::At.gte(since))
                .to_owned();
            let waits = sea_orm::sea_query::Query::select()
                .expr_as(Expr::cust("MIN(events.at) - MIN(claims.created_at)"), "wait")
                .from(event::Entity)
                .inner_join(claim::Entity, Expr::col((claim::Entity, claim::Column::Id)).equals((event::Entity, event::Column::ClaimId)))
                .and_where(Expr::col((event::Entity, event::Column::Action)).eq(action))
                .and_where(Expr::col((event::Entity, event::Column::ClaimId)).in_subquery(recent))
                .group_by_col((event::Entity, event::Column::ClaimId))
                .and_having(Expr::col((event::Entity, event::Column::At)).min().gte(since))
                .to_owned();
            let mut found = Vec::new();
            for row in self.read.query_all_raw(self.db_backend().build(&waits)).await? {
                found.push(row.try_get::<i64>("", "wait")?);
            }
            let waits = found;
            into.extend(waits.into_iter().map(|wait| Ord::max(wait, 0)));
        }
        let open_by_assignee: Vec<(Option<String>, i64)> = claim::Entity::find()
            .select_only()
            .column(claim::Column::Assignee)
            .column_as(Expr::col(claim::Column::Id).count(), "n")
            .filter(crate::queue::open_claims())
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
            .filter(crate::queue::decided_claims())
            .group_by(claim::Column::Verdict)
            .into_tuple()
            .all(&self.read)
            .await?;
        let verdicts = verdicts.into_iter().filter_map(|(v, n)| v.map(|v| (v, Ord::max(n, 0) as u64))).collect();
        let oldest: Vec<(i64, String, Option<String>, i64)> = claim::Entity::find()
            .select_only()
            .columns([claim::Column::Id, claim::Column::Text, claim::Column::Assignee, claim::Column::CreatedAt])
            .filter(crate::queue::open_claims())
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
