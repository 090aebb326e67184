//! Interning of flag rules and texts: each distinct (plugin, version, rule,
//! kind, severity) and (message, question) is stored once and referred to
//! by id. A per-store cache keeps lookups off the hot path; it only learns
//! ids that are committed, so a rolled-back transaction cannot poison it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use claimdesk_core::Flag;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use crate::entity::{flag_rule, flag_text};
use crate::{Store, StoreError};

pub(crate) type RuleKey = (String, String, String, &'static str, &'static str);

#[derive(Debug, Default)]
pub(crate) struct RefCache {
    rules: HashMap<RuleKey, i64>,
    texts: HashMap<String, i64>,
}

pub(crate) type SharedRefCache = Arc<Mutex<RefCache>>;

/// Ids learnt inside a transaction, published to the cache after commit.
#[derive(Debug, Default)]
pub(crate) struct Learnt {
    rules: HashMap<RuleKey, i64>,
    texts: HashMap<String, i64>,
}

fn rule_key(f: &Flag) -> RuleKey {
    (f.plugin.to_string(), f.plugin_version.to_string(), f.rule.to_string(), f.kind.as_str(), f.severity.as_str())
}

fn text_hash(message: &str, question: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(message.as_bytes());
    hasher.update([0]);
    hasher.update(question.as_bytes());
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// (rule id, text id) for each flag, creating missing rules and texts in `txn`.
    pub(crate) async fn resolve_refs(
        &self,
        txn: &DatabaseTransaction,
        flags: &[&Flag],
        learnt: &mut Learnt,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        let mut out = Vec::with_capacity(flags.len());
        for f in flags {
            let key = rule_key(f);
            let cached = self.refs.lock().ok().and_then(|c| c.rules.get(&key).copied());
            let rule_id = match cached.or_else(|| learnt.rules.get(&key).copied()) {
                Some(id) => id,
                None => {
                    let id = rule_id(txn, &key).await?;
                    learnt.rules.insert(key, id);
                    id
                }
            };
            let hash = text_hash(&f.message, &f.question);
            let cached = self.refs.lock().ok().and_then(|c| c.texts.get(&hash).copied());
            let text_id = match cached.or_else(|| learnt.texts.get(&hash).copied()) {
                Some(id) => id,
                None => {
                    let id = text_id(txn, &hash, &f.message, &f.question).await?;
                    learnt.texts.insert(hash, id);
                    id
                }
            };
            out.push((rule_id, text_id));
        }
        Ok(out)
    }

    /// Call after the transaction that learnt these ids committed.
    pub(crate) fn publish(&self, learnt: Learnt) {
        if let Ok(mut cache) = self.refs.lock() {
            cache.rules.extend(learnt.rules);
            cache.texts.extend(learnt.texts);
        }
    }
}

async fn rule_id(txn: &DatabaseTransaction, key: &RuleKey) -> Result<i64, StoreError> {
    let (plugin, version, rule, kind, severity) = key;
    let find = || {
        flag_rule::Entity::find()
            .filter(flag_rule::Column::Plugin.eq(plugin.as_str()))
            .filter(flag_rule::Column::PluginVersion.eq(version.as_str()))
            .filter(flag_rule::Column::Rule.eq(rule.as_str()))
            .filter(flag_rule::Column::Kind.eq(*kind))
            .filter(flag_rule::Column::Severity.eq(*severity))
    };
    if let Some(found) = find().one(txn).await? {
        return Ok(found.id);
    }
    let row = flag_rule::ActiveModel {
        id: Default::default(),
        plugin: Set(plugin.clone()),
        plugin_version: Set(version.clone()),
        rule: Set(rule.clone()),
        kind: Set((*kind).to_owned()),
        severity: Set((*severity).to_owned()),
    };
    // Another PostgreSQL writer may insert the same rule concurrently.
    let conflict = OnConflict::columns([
        flag_rule::Column::Plugin,
        flag_rule::Column::PluginVersion,
        flag_rule::Column::Rule,
        flag_rule::Column::Kind,
        flag_rule::Column::Severity,
    ])
    .do_nothing()
    .to_owned();
    flag_rule::Entity::insert(row).on_conflict(conflict).exec_without_returning(txn).await?;
    Ok(find().one(txn).await?.map(|r| r.id).unwrap_or_default())
}

async fn text_id(txn: &DatabaseTransaction, hash: &str, message: &str, question: &str) -> Result<i64, StoreError> {
    let find = || flag_text::Entity::find().filter(flag_text::Column::Hash.eq(hash));
    if let Some(found) = find().one(txn).await? {
        return Ok(found.id);
    }
    let row = flag_text::ActiveModel {
        id: Default::default(),
        hash: Set(hash.to_owned()),
        message: Set(message.to_owned()),
        question: Set(question.to_owned()),
    };
    let conflict = OnConflict::column(flag_text::Column::Hash).do_nothing().to_owned();
    flag_text::Entity::insert(row).on_conflict(conflict).exec_without_returning(txn).await?;
    Ok(find().one(txn).await?.map(|t| t.id).unwrap_or_default())
}
