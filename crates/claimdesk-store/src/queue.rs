//! The review queue: filtered claims with keyset pagination, in one query.

use claimdesk_core::Status;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect};

use std::collections::HashMap;

use crate::entity::{claim, document, evidence, flag, flag_rule, flag_text};
use crate::{ClaimRow, FlagView, Store, StoreError};
use claimdesk_core::Kind;

/// Which claims to list; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    pub status: Option<Status>,
    /// Only claims waiting for a verdict (new or in review).
    pub open: bool,
    /// Only claims nobody is assigned to.
    pub unassigned: bool,
    /// Only claims with at least one evidence item.
    pub has_evidence: bool,
    pub kind: Option<Kind>,
    pub plugin: Option<String>,
    pub rule: Option<String>,
    pub assignee: Option<String>,
    pub document_id: Option<i64>,
    pub outlet: Option<String>,
    /// Substring of the claim text; `%` and `_` match themselves.
    pub text: Option<String>,
    /// Only claims whose closest library item is at least this close
    /// (cosine), as the matcher recorded it.
    pub min_match: Option<f64>,
    /// Only claims whose text also stands in another document.
    pub copies: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueOrder {
    /// Highest priority first.
    #[default]
    Priority,
    /// Oldest first.
    Age,
}

/// Where the previous page ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cursor {
    pub priority: f64,
    pub id: i64,
}

/// A claim as the queue page lists it, with what its chips say, all read
/// by the page's one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRow {
    pub id: i64,
    pub document_id: i64,
    pub text: String,
    pub speaker: Option<String>,
    pub priority: f64,
    pub status: Status,
    pub assignee: Option<String>,
    pub version: i32,
    /// The claim's normal form, shared by its copies.
    pub text_key: Option<String>,
    /// Its closest library item's cosine, as the matcher recorded it.
    pub match_cosine: Option<f64>,
    /// Other documents holding the same claim.
    pub copies: usize,
    /// The kinds of its current (not stale) flags, sorted, without repeats.
    pub kinds: Vec<Kind>,
}

/// The queue row's derived columns, as correlated subqueries (each an
/// index lookup per listed row): the matcher's cosine, the documents
/// sharing the claim's normal form, and the kinds of its current flags
/// (comma-separated; `group_concat` on SQLite, `string_agg` on PostgreSQL).
fn derived_columns(backend: sea_orm::DbBackend) -> [(Expr, &'static str); 3] {
    // No DISTINCT in the kinds (`parse_kinds` drops repeats) and the
    // distinct documents counted only for a claim whose normal form another
    // claim shares (the rare case: one probe of `claims_text_key_document`
    // answers the rest): each DISTINCT builds a temporary table per row,
    // which was most of a `/queue` view's statement on SQLite
    // (docs/PERFORMANCE.md).
    let kinds = match backend {
        sea_orm::DbBackend::Postgres => "string_agg(r.kind, ',')",
        _ => "group_concat(r.kind)",
    };
    [
        (Expr::cust("(SELECT v.match_cosine FROM claim_vectors v WHERE v.claim_id = claims.id)"), "match_cosine"),
        (
            Expr::cust(
                "CASE WHEN EXISTS (SELECT 1 FROM claims c2 WHERE c2.text_key = claims.text_key AND c2.id <> claims.id) \
                 THEN (SELECT COUNT(DISTINCT c2.document_id) FROM claims c2 WHERE c2.text_key = claims.text_key) ELSE 1 END",
            ),
            "key_documents",
        ),
        (
            Expr::cust(format!(
                "(SELECT {kinds} FROM flags f JOIN flag_rules r ON r.id = f.rule_id WHERE f.claim_id = claims.id AND NOT f.stale)"
            )),
            "kinds",
        ),
    ]
}

/// The comma-separated kinds [`derived_columns`] reads, parsed and sorted.
pub(crate) fn parse_kinds(kinds: Option<&str>) -> Result<Vec<Kind>, StoreError> {
    let mut parsed = kinds
        .into_iter()
        .flat_map(|k| k.split(','))
        .filter(|k| !k.is_empty())
        .map(|k| crate::rows::parse("flag_rules", "kind", k))
        .collect::<Result<Vec<Kind>, StoreError>>()?;
    parsed.sort_unstable();
    parsed.dedup();
    Ok(parsed)
}

/// Other documents holding a claim, from the documents its normal form
/// stands in (none without a normal form).
pub(crate) fn copies(key_documents: i64) -> usize {
    usize::try_from(key_documents - 1).unwrap_or(0)
}

impl QueueRow {
    pub fn cursor(&self) -> Cursor {
        Cursor { priority: self.priority, id: self.id }
    }
}

impl ClaimRow {
    pub fn cursor(&self) -> Cursor {
        Cursor { priority: self.priority, id: self.id }
    }
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('%');
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl ClaimFilter {
    /// Whether the query may have to scan many rows rather than walk an
    /// index: free text, and filters that go through flags or documents.
    fn may_scan(&self) -> bool {
        self.text.is_some()
            || self.min_match.is_some()
            || self.copies
            || self.kind.is_some()
            || self.plugin.is_some()
            || self.rule.is_some()
            || self.outlet.is_some()
            || self.has_evidence
    }

    fn condition(&self, rules: &RuleIds) -> Condition {
        let mut c = Condition::all();
        if let Some(status) = self.status {
            c = c.add(claim::Column::Status.eq(status.as_str()));
        }
        if self.open {
            c = c.add(open_claims());
        }
        if let Some(assignee) = &self.assignee {
            c = c.add(claim::Column::Assignee.eq(assignee.as_str()));
        }
        if self.unassigned {
            c = c.add(claim::Column::Assignee.is_null());
        }
        if self.has_evidence {
            let with = Query::select().column(evidence::Column::ClaimId).from(evidence::Entity).to_owned();
            c = c.add(claim::Column::Id.in_subquery(with));
        }
        if let Some(id) = self.document_id {
            c = c.add(claim::Column::DocumentId.eq(id));
        }
        if let Some(text) = &self.text {
            c = c.add(claim::Column::Text.like(LikeExpr::new(escape_like(text)).escape('\\')));
        }
        for ids in rules.0.iter().flatten() {
            c = c.add(with_rules(ids));
        }
        if let Some(outlet) = &self.outlet {
            c = c.add(from_outlet(outlet));
        }
        if let Some(cosine) = self.min_match {
            c = c.add(crate::memory::matched_at_least(cosine));
        }
        if self.copies {
            c = c.add(crate::memory::with_copies());
        }
        c
    }
}

/// Open claims (new, in review), with the statuses as literals rather than
/// bound values: only then can SQLite and PostgreSQL prove that the
/// partial index `claims_open` (migration m016) serves the query.
pub(crate) fn open_claims() -> sea_orm::sea_query::SimpleExpr {
    Expr::cust(format!("claims.status IN ('{}', '{}')", Status::New.as_str(), Status::InReview.as_str()))
}

/// Decided claims (resolved, published), as literals for the partial
/// index `claims_decided` (migration m016), as [`open_claims`].
pub(crate) fn decided_claims() -> sea_orm::sea_query::SimpleExpr {
    Expr::cust(format!("claims.status IN ('{}', '{}')", Status::Resolved.as_str(), Status::Published.as_str()))
}

/// The ids of the flag rules a filter's kind, plugin and rule name (each
/// `None` when the filter does not ask), read before the queue's statement.
#[derive(Debug, Default)]
pub(crate) struct RuleIds([Option<Vec<i64>>; 3]);

/// Claims with a flag of one of `rules` (stale or not), the ids written
/// as literals: PostgreSQL then estimates from `flags_rule`'s statistics
/// how many claims match, and drives a rare kind's filter from the flags
/// instead of walking every open claim (6 s at 1M claims with the rules as
/// a subquery, under 1 ms so; docs/PERFORMANCE.md). No rule: no claim.
fn with_rules(rules: &[i64]) -> sea_orm::sea_query::SimpleExpr {
    if rules.is_empty() {
        return Expr::cust("1 = 0");
    }
    let list: Vec<String> = rules.iter().map(i64::to_string).collect();
    let claims = Query::select()
        .column(flag::Column::ClaimId)
        .from(flag::Entity)
        .and_where(Expr::cust(format!("flags.rule_id IN ({})", list.join(", "))))
        .to_owned();
    claim::Column::Id.in_subquery(claims)
}

/// Claims with a flag whose rule has `value` in `column` (its kind, plugin
/// or rule id); with `current_only`, stale flags do not count. Reports
/// filter through this subquery (published claims are few; the queue reads
/// the rule ids first, [`with_rules`]).
pub(crate) fn with_flag(column: flag_rule::Column, value: &str, current_only: bool) -> sea_orm::sea_query::SimpleExpr {
    let rules = Query::select().column(flag_rule::Column::Id).from(flag_rule::Entity).and_where(column.eq(value)).to_owned();
    let mut claims =
        Query::select().column(flag::Column::ClaimId).from(flag::Entity).and_where(flag::Column::RuleId.in_subquery(rules)).to_owned();
    if current_only {
        claims.and_where(flag::Column::Stale.eq(false));
    }
    claim::Column::Id.in_subquery(claims)
}

/// Claims of documents from `outlet`: the exact name, or the name with
/// ASCII letters in another case (`greenhaven gazette` finds "Greenhaven
/// Gazette"; SQLite's `lower` folds only ASCII, so that is what both
/// databases promise).
pub(crate) fn from_outlet(outlet: &str) -> sea_orm::sea_query::SimpleExpr {
    let documents = Query::select()
        .column(document::Column::Id)
        .from(document::Entity)
        .cond_where(
            Condition::any()
                .add(document::Column::Outlet.eq(outlet))
                .add(Expr::expr(Func::lower(Expr::col(document::Column::Outlet))).eq(outlet.to_ascii_lowercase())),
        )
        .to_owned();
    claim::Column::DocumentId.in_subquery(documents)
}

impl Store {
    /// The ids of the rules `filter` names by kind, plugin or rule (one
    /// statement per one named; none when it names none).
    async fn rule_ids(&self, filter: &ClaimFilter) -> Result<RuleIds, StoreError> {
        let mut ids = RuleIds::default();
        let asked = [
            (flag_rule::Column::Kind, filter.kind.map(Kind::as_str)),
            (flag_rule::Column::Plugin, filter.plugin.as_deref()),
            (flag_rule::Column::Rule, filter.rule.as_deref()),
        ];
        for (slot, (column, value)) in ids.0.iter_mut().zip(asked) {
            if let Some(value) = value {
                let found: Vec<i64> = flag_rule::Entity::find()
                    .select_only()
                    .column(flag_rule::Column::Id)
                    .filter(column.eq(value))
                    .into_tuple()
                    .all(&self.read)
                    .await?;
                *slot = Some(found);
            }
        }
        Ok(ids)
    }

    fn queue_select(
        filter: &ClaimFilter,
        rules: &RuleIds,
        order: QueueOrder,
        after: Option<Cursor>,
        limit: u64,
    ) -> sea_orm::Select<claim::Entity> {
        let mut query = claim::Entity::find().filter(filter.condition(rules));
        match order {
            QueueOrder::Priority => {
                if let Some(cursor) = after {
                    query = query.filter(
                        Condition::any()
                            .add(claim::Column::Priority.lt(cursor.priority))
                            .add(Condition::all().add(claim::Column::Priority.eq(cursor.priority)).add(claim::Column::Id.lt(cursor.id))),
                    );
                }
                query = query.order_by(claim::Column::Priority, Order::Desc).order_by(claim::Column::Id, Order::Desc);
            }
            QueueOrder::Age => {
                if let Some(cursor) = after {
                    query = query.filter(claim::Column::Id.gt(cursor.id));
                }
                query = query.order_by(claim::Column::Id, Order::Asc);
            }
        }
        query.limit(limit)
    }

    /// One page of the queue: at most `limit` claims after `after`, whole.
    pub async fn list_claims(
        &self,
        filter: &ClaimFilter,
        order: QueueOrder,
        after: Option<Cursor>,
        limit: u64,
    ) -> Result<Vec<ClaimRow>, StoreError> {
        let rules = self.rule_ids(filter).await?;
        let query = Self::queue_select(filter, &rules, order, after, limit);
        match &self.sqlite_file {
            Some(path) => {
                use sea_orm::QueryTrait;
                let statement = query.build(sea_orm::DbBackend::Sqlite);
                crate::fast::query(path.clone(), statement, filter.may_scan()).await
            }
            None => crate::rows::all(query.all(&self.read).await?),
        }
    }

    /// The same page with only what the queue page shows (a third of the
    /// columns: less to read, copy and drop on the hot path), and its
    /// chips' facts, in one statement.
    pub async fn queue_rows(
        &self,
        filter: &ClaimFilter,
        order: QueueOrder,
        after: Option<Cursor>,
        limit: u64,
    ) -> Result<Vec<QueueRow>, StoreError> {
        use claim::Column as C;
        let rules = self.rule_ids(filter).await?;
        let mut query = Self::queue_select(filter, &rules, order, after, limit).select_only().columns([
            C::Id,
            C::DocumentId,
            C::Text,
            C::Speaker,
            C::Priority,
            C::Status,
            C::Assignee,
            C::Version,
            C::TextKey,
        ]);
        for (expr, name) in derived_columns(self.db_backend()) {
            query = query.expr_as(expr, name);
        }
        match &self.sqlite_file {
            Some(path) => {
                use sea_orm::QueryTrait;
                let statement = query.build(sea_orm::DbBackend::Sqlite);
                crate::fast::query(path.clone(), statement, filter.may_scan()).await
            }
            None => {
                type Row =
                    (i64, i64, String, Option<String>, f64, String, Option<String>, i32, Option<String>, Option<f64>, i64, Option<String>);
                let rows: Vec<Row> = query.into_tuple().all(&self.read).await?;
                rows.into_iter()
                    .map(
                        |(
                            id,
                            document_id,
                            text,
                            speaker,
                            priority,
                            status,
                            assignee,
                            version,
                            text_key,
                            match_cosine,
                            documents,
                            kinds,
                        )| {
                            Ok(QueueRow {
                                id,
                                document_id,
                                text,
                                speaker,
                                priority,
                                status: crate::rows::parse("claims", "status", &status)?,
                                assignee,
                                version,
                                text_key,
                                match_cosine,
                                copies: copies(documents),
                                kinds: parse_kinds(kinds.as_deref())?,
                            })
                        },
                    )
                    .collect()
            }
        }
    }

    /// The kinds of the current (not stale) flags of each of `claim_ids`,
    /// sorted, without repeats; claims without any are absent. The queue's
    /// chips and the reports' kind totals read this.
    pub async fn current_kinds(&self, claim_ids: &[i64]) -> Result<HashMap<i64, Vec<Kind>>, StoreError> {
        let mut kinds_of: HashMap<i64, Vec<Kind>> = HashMap::new();
        if claim_ids.is_empty() {
            return Ok(kinds_of);
        }
        // Few rows: one per plugin version and rule.
        let rule_kinds: Vec<(i64, String)> = flag_rule::Entity::find()
            .select_only()
            .columns([flag_rule::Column::Id, flag_rule::Column::Kind])
            .into_tuple()
            .all(&self.read)
            .await?;
        let rule_kinds: HashMap<i64, Kind> = rule_kinds
            .into_iter()
            .map(|(id, kind)| Ok((id, crate::rows::parse("flag_rules", "kind", &kind)?)))
            .collect::<Result<_, StoreError>>()?;
        for ids in claim_ids.chunks(1000) {
            let rules: Vec<(i64, i64)> = flag::Entity::find()
                .select_only()
                .column(flag::Column::ClaimId)
                .column(flag::Column::RuleId)
                .distinct()
                .filter(flag::Column::ClaimId.is_in(ids.iter().copied()))
                .filter(flag::Column::Stale.eq(false))
                .into_tuple()
                .all(&self.read)
                .await?;
            for (id, rule) in rules {
                if let Some(kind) = rule_kinds.get(&rule) {
                    kinds_of.entry(id).or_default().push(*kind);
                }
            }
        }
        for kinds in kinds_of.values_mut() {
            kinds.sort_unstable();
            kinds.dedup();
        }
        Ok(kinds_of)
    }

    /// The flags of one claim, stale ones included, in text order.
    pub async fn claim_flags(&self, claim_id: i64) -> Result<Vec<FlagView>, StoreError> {
        self.flag_views(flag::Column::ClaimId.eq(claim_id)).await
    }

    /// The flags of one document, stale ones included, in text order.
    pub async fn document_flags(&self, document_id: i64) -> Result<Vec<FlagView>, StoreError> {
        self.flag_views(flag::Column::DocumentId.eq(document_id)).await
    }

    /// Flags matching `condition`, each with its rule and texts joined in,
    /// in one statement.
    async fn flag_views(&self, condition: sea_orm::sea_query::SimpleExpr) -> Result<Vec<FlagView>, StoreError> {
        use sea_orm::ConnectionTrait;
        let f = |c: flag::Column| (flag::Entity, c);
        let r = |c: flag_rule::Column| (flag_rule::Entity, c);
        let t = |c: flag_text::Column| (flag_text::Entity, c);
        let select = Query::select()
            .columns([f(flag::Column::Id), f(flag::Column::ClaimId), f(flag::Column::Start), f(flag::Column::End), f(flag::Column::Score)])
            .column(f(flag::Column::Stale))
            .columns([
                r(flag_rule::Column::Plugin),
                r(flag_rule::Column::PluginVersion),
                r(flag_rule::Column::Rule),
                r(flag_rule::Column::Kind),
                r(flag_rule::Column::Severity),
            ])
            .columns([t(flag_text::Column::Message), t(flag_text::Column::Question)])
            .from(flag::Entity)
            .inner_join(flag_rule::Entity, Expr::col(r(flag_rule::Column::Id)).equals(f(flag::Column::RuleId)))
            .inner_join(flag_text::Entity, Expr::col(t(flag_text::Column::Id)).equals(f(flag::Column::TextId)))
            .and_where(condition)
            .order_by(f(flag::Column::Start), Order::Asc)
            .order_by(f(flag::Column::Id), Order::Asc)
            .to_owned();
        let rows = self.read.query_all_raw(self.db_backend().build(&select)).await?;
        rows.into_iter()
            .map(|row| {
                Ok(FlagView {
                    id: row.try_get("", "id")?,
                    claim_id: row.try_get("", "claim_id")?,
                    plugin: row.try_get("", "plugin")?,
                    plugin_version: row.try_get("", "plugin_version")?,
                    rule: row.try_get("", "rule")?,
                    kind: crate::rows::parse("flag_rules", "kind", &row.try_get::<String>("", "kind")?)?,
                    severity: crate::rows::parse("flag_rules", "severity", &row.try_get::<String>("", "severity")?)?,
                    start: row.try_get("", "start")?,
                    end: row.try_get("", "end")?,
                    score: row.try_get("", "score")?,
                    message: row.try_get("", "message")?,
                    question: row.try_get("", "question")?,
                    stale: row.try_get("", "stale")?,
                })
            })
            .collect()
    }

    /// Claims per status, every status listed (zero where none), for the
    /// navigation counts.
    pub async fn status_counts(&self) -> Result<Vec<(Status, i64)>, StoreError> {
        let raw: Vec<(String, i64)> = claim::Entity::find()
            .select_only()
            .column(claim::Column::Status)
            .column_as(Expr::col(claim::Column::Id).count(), "n")
            .group_by(claim::Column::Status)
            .into_tuple::<(String, i64)>()
            .all(&self.read)
            .await?;
        let mut counts: Vec<(Status, i64)> = Status::ALL.iter().map(|&s| (s, 0)).collect();
        for (name, n) in raw {
            let status: Status = crate::rows::parse("claims", "status", &name)?;
            if let Some(entry) = counts.iter_mut().find(|(s, _)| *s == status) {
                entry.1 += n;
            }
        }
        Ok(counts)
    }
}
