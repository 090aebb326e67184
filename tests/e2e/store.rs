//! The store on every test database (SQLite always, PostgreSQL when
//! `CLAIMDESK_TEST_POSTGRES` is set), fed by the real plugins.

use std::path::PathBuf;

use claimdesk_core::{Action, Document, Policy};
use claimdesk_ingest::prepare;
use claimdesk_plugin_host::{HostOptions, PluginHost};
use claimdesk_store::{ClaimFilter, QueueOrder, Store, StoreError, Stored};
use claimdesk_tests::{builtin_plugins_dir, fixture_text, isolated_plugin, plugin_dir, test_database_urls, tokio_runtime};

fn builtins() -> PluginHost {
    PluginHost::load(&[builtin_plugins_dir().to_path_buf()], &HostOptions::default())
}

/// Runs `test` against each test database.
fn on_each_database<F, Fut>(name: &str, test: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let runtime = tokio_runtime();
    for url in test_database_urls(name) {
        runtime.block_on(async {
            let store = Store::open(&url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
            test(store).await;
        });
    }
}

fn article(name: &str) -> Document {
    Document { title: Some(name.to_owned()), outlet: Some("Gazette".to_owned()), ..Document::new(fixture_text(name)) }
}

#[test]
fn stores_a_document_once_with_its_claims_and_flags() {
    let host = builtins();
    on_each_database("store_once", |store| {
        let host = &host;
        async move {
            let doc = article("harbour.txt");
            let (new, errors) = prepare(&doc, Some("harbour.txt".into()), host);
            assert!(errors.is_empty());
            let expected_flags: usize = new.claims.iter().map(|c| c.flags.len()).sum();
            let Stored::New { id, claims, flags, near_duplicate: None } = store.store_document(&new).await.unwrap() else {
                panic!("stored")
            };
            assert_eq!((claims, flags), (new.claims.len(), expected_flags));
            assert_eq!(store.document_counts(id).await.unwrap(), (claims as u64, flags as u64));
            assert_eq!(store.store_document(&new).await.unwrap(), Stored::Duplicate { id });
            let stored = store.document(id).await.unwrap();
            assert_eq!(
                (stored.body, stored.title.as_deref(), stored.outlet.as_deref()),
                (doc.body.clone(), Some("harbour.txt"), Some("Gazette"))
            );
            assert_eq!(store.integrity_check().await.unwrap(), "ok");
        }
    });
}

#[test]
fn queue_filters_and_keyset_pages() {
    let host = builtins();
    on_each_database("queue", |store| {
        let host = &host;
        async move {
            for name in ["harbour.txt", "council-budget.txt"] {
                let doc = article(name);
                store.store_document(&prepare(&doc, None, host).0).await.unwrap();
            }
            let all = store.list_claims(&ClaimFilter::default(), QueueOrder::Priority, None, 1000).await.unwrap();
            assert!(all.len() > 10);
            assert!(all.windows(2).all(|w| (w[0].priority, w[0].id) >= (w[1].priority, w[1].id)), "priority order");
            // Keyset pages of 4 reassemble the whole list, without gaps or repeats.
            let mut paged = Vec::new();
            let mut after = None;
            loop {
                let page = store.list_claims(&ClaimFilter::default(), QueueOrder::Priority, after, 4).await.unwrap();
                let Some(last) = page.last() else { break };
                after = Some(last.cursor());
                paged.extend(page.into_iter().map(|c| c.id));
            }
            assert_eq!(paged, all.iter().map(|c| c.id).collect::<Vec<_>>());
            let oldest = store.list_claims(&ClaimFilter::default(), QueueOrder::Age, None, 3).await.unwrap();
            assert!(oldest.windows(2).all(|w| w[0].id < w[1].id));

            let by = |f: ClaimFilter| {
                let store = store.clone();
                async move { store.list_claims(&f, QueueOrder::Priority, None, 1000).await.unwrap() }
            };
            let rule = by(ClaimFilter { rule: Some("numbers.percentage".into()), ..Default::default() }).await;
            assert!(!rule.is_empty() && rule.iter().all(|c| c.text.contains('%') || c.text.contains("percent")), "{rule:?}");
            let kind = by(ClaimFilter { kind: Some(claimdesk_core::Kind::Hedge), ..Default::default() }).await;
            assert!(kind.iter().any(|c| c.text.contains("akin to")));
            assert_eq!(by(ClaimFilter { plugin: Some("nonexistent".into()), ..Default::default() }).await.len(), 0);
            let text = by(ClaimFilter { text: Some("14%".into()), ..Default::default() }).await;
            assert_eq!(text.len(), 1, "the % is matched literally");
            let hostile = by(ClaimFilter { text: Some("x' OR '1'='1\"; DROP TABLE claims; --_".into()), ..Default::default() }).await;
            assert!(hostile.is_empty());
            assert_eq!(by(ClaimFilter { outlet: Some("Gazette".into()), ..Default::default() }).await.len(), all.len());
            assert_eq!(by(ClaimFilter { status: Some(claimdesk_core::Status::Resolved), ..Default::default() }).await.len(), 0);
            assert_eq!(store.counts().await.unwrap().1 as usize, all.len(), "the claims table survived");
            assert_eq!(
                store.status_counts().await.unwrap(),
                claimdesk_core::Status::ALL
                    .iter()
                    .map(|&s| (s, if s == claimdesk_core::Status::New { all.len() as i64 } else { 0 }))
                    .collect::<Vec<_>>()
            );
            // The queue page's narrow rows are the same claims, in the same
            // order, filtered and paged the same way.
            for (filter, after) in [
                (ClaimFilter::default(), None),
                (ClaimFilter::default(), Some(all[5].cursor())),
                (ClaimFilter { kind: Some(claimdesk_core::Kind::Hedge), ..Default::default() }, None),
                (ClaimFilter { text: Some("%".into()), ..Default::default() }, None),
            ] {
                let whole = store.list_claims(&filter, QueueOrder::Priority, after, 7).await.unwrap();
                let narrow = store.queue_rows(&filter, QueueOrder::Priority, after, 7).await.unwrap();
                let projected: Vec<_> = whole
                    .iter()
                    .map(|c| (c.id, c.document_id, c.text.clone(), c.speaker.clone(), c.priority, c.status, c.version))
                    .collect();
                let got: Vec<_> = narrow
                    .iter()
                    .map(|c| (c.id, c.document_id, c.text.clone(), c.speaker.clone(), c.priority, c.status, c.version))
                    .collect();
                assert_eq!(got, projected, "{filter:?}");
                assert!(!got.is_empty(), "{filter:?}");
            }
        }
    });
}

#[test]
fn claim_actions_check_versions_and_record_events() {
    let host = builtins();
    on_each_database("workflow", |store| {
        let host = &host;
        async move {
            let doc = article("harbour.txt");
            store.store_document(&prepare(&doc, None, host).0).await.unwrap();
            let claim = store.list_claims(&ClaimFilter::default(), QueueOrder::Priority, None, 1).await.unwrap().remove(0);
            let policy = Policy::default();
            let c = store.apply_claim_action(claim.id, 0, Action::StartReview, "ana", &policy).await.unwrap();
            assert_eq!((c.status.as_str(), c.version), ("in_review", 1));
            let stale = store.apply_claim_action(claim.id, 0, Action::Assign { to: Some("bo".into()) }, "bo", &policy).await;
            assert!(matches!(stale, Err(StoreError::StaleVersion { expected: 0, found: 1, .. })), "{stale:?}");
            let illegal = store.apply_claim_action(claim.id, 1, Action::Publish, "ed", &policy).await;
            assert!(matches!(illegal, Err(StoreError::Transition(_))));
            let verdict = Action::Resolve { rating: "mostly_false".into(), explanation: "The port authority's figures differ.".into() };
            let c = store.apply_claim_action(claim.id, 1, verdict, "ana", &policy).await.unwrap();
            assert_eq!((c.verdict.as_deref(), c.version), (Some("mostly_false"), 2));
            let events = store.claim_events(claim.id).await.unwrap();
            assert_eq!(
                events.iter().map(|e| (e.action.as_str(), e.after.as_str())).collect::<Vec<_>>(),
                [("start_review", "in_review"), ("resolve", "resolved")]
            );
        }
    });
}

#[test]
fn recheck_keeps_verdicts_marks_stale_and_attaches_new_flags() {
    let builtin_only = builtins();
    let example_dir = plugin_dir("recheck-example", &[isolated_plugin("claimdesk-plugin-example")]);
    let with_example = PluginHost::load(&[builtin_plugins_dir().to_path_buf(), example_dir], &HostOptions::default());
    let numbers_only_dir =
        plugin_dir("recheck-numbers", &[&builtin_plugins_dir().join(libloading::library_filename("claimdesk_plugin_numbers"))]);
    let numbers_only = PluginHost::load(&[numbers_only_dir], &HostOptions::default());
    on_each_database("recheck", |store| {
        let (builtin_only, with_example, numbers_only) = (&builtin_only, &with_example, &numbers_only);
        async move {
            let doc = article("harbour.txt");
            let Stored::New { id, flags, .. } = store.store_document(&prepare(&doc, None, builtin_only).0).await.unwrap() else { panic!() };
            // A reviewer resolves the claim holding "akin to".
            let filter = ClaimFilter { text: Some("akin to".into()), ..Default::default() };
            let claim = store.list_claims(&filter, QueueOrder::Priority, None, 1).await.unwrap().remove(0);
            let policy = Policy::default();
            store.apply_claim_action(claim.id, 0, Action::StartReview, "ana", &policy).await.unwrap();
            let verdict = Action::Resolve { rating: "mixed".into(), explanation: "Partly.".into() };
            store.apply_claim_action(claim.id, 1, verdict, "ana", &policy).await.unwrap();

            // Same plugins: nothing changes.
            let (_, claims, _) = claimdesk_ingest::check_document(builtin_only, &doc.body, claimdesk_ingest::CLAIM_THRESHOLD);
            let same = store.recheck_document(id, &claims).await.unwrap();
            assert_eq!((same.kept, same.new_flags, same.stale, same.new_claims), (flags, 0, 0, 0));

            // A new plugin: its flags attach, existing claims reused where they exist.
            let (_, claims, _) = claimdesk_ingest::check_document(with_example, &doc.body, claimdesk_ingest::CLAIM_THRESHOLD);
            let added = store.recheck_document(id, &claims).await.unwrap();
            assert_eq!((added.kept, added.stale), (flags, 0));
            assert!(added.new_flags >= 1, "{added:?}");

            // Only `numbers` now: every other flag is kept but marked stale.
            let (_, claims, _) = claimdesk_ingest::check_document(numbers_only, &doc.body, claimdesk_ingest::CLAIM_THRESHOLD);
            let fewer = store.recheck_document(id, &claims).await.unwrap();
            assert_eq!(fewer.new_flags, 0);
            assert!(fewer.stale > 0 && fewer.kept > 0, "{fewer:?}");
            let after = store.claim(claim.id).await.unwrap();
            assert_eq!(
                (after.status.as_str(), after.verdict.as_deref(), after.version),
                ("resolved", Some("mixed"), 2),
                "the verdict survives"
            );
            let claim_flags = store.claim_flags(claim.id).await.unwrap();
            assert!(claim_flags.iter().any(|f| f.rule == "hedge.comparison" && f.stale), "kept, marked stale");
            assert!(claim_flags.iter().all(|f| f.plugin_version == env!("CARGO_PKG_VERSION")));
            assert_eq!(store.document_counts(id).await.unwrap().1 as usize, flags + added.new_flags, "nothing deleted");
        }
    });
}

#[test]
fn an_old_schema_is_migrated() {
    let runtime = tokio_runtime();
    for url in test_database_urls("old_schema") {
        runtime.block_on(async {
            let old = Store::open_without_migrating(&url).await.unwrap();
            old.migrate_to(1).await.unwrap();
            assert_eq!(old.applied_migrations().await.unwrap(), ["m001_initial"]);
            old.close().await.unwrap();
            // Rows as the first release wrote them (claims without `claim_reviewed`).
            claimdesk_store::testing::execute_sql(
                &url,
                "INSERT INTO documents (id, content_hash, title, language, body, created_at, checked_at) \
                 VALUES (1000, 'old-hash', 'Old article', 'en', 'An old article. Prices doubled.', 1, 1), \
                        (1001, 'old-hash-2', 'Old copy', 'en', 'An old article.\r\nPrices  doubled.', 2, 2); \
                 INSERT INTO claims (id, document_id, sentence_idx, start, \"end\", text, priority, status, verdict, version, created_at, updated_at) \
                 VALUES (1000, 1000, 1, 16, 31, 'Prices doubled.', 0.5, 'resolved', 'false', 2, 1, 1); \
                 INSERT INTO claims (id, document_id, sentence_idx, start, \"end\", text, priority, status, dismissal_reason, version, created_at, updated_at) \
                 VALUES (1001, 1001, 0, 0, 15, 'An old article.', 0.1, 'dismissed', 'Duplicate of claim #1002', 1, 2, 2), \
                        (1002, 1000, 0, 0, 15, 'An old article.', 0.1, 'dismissed', 'Opinion', 1, 2, 2); \
                 INSERT INTO users (id, name, password_hash, role, active, created_at) VALUES \
                 (1000, 'Ann', 'x', 'checker', true, 1), (1001, 'ann', 'y', 'editor', true, 1), (1002, 'ＢＯＢ', 'z', 'admin', true, 1);",
            )
            .await
            .unwrap();
            let store = Store::open(&url).await.unwrap();
            assert_eq!(
                store.applied_migrations().await.unwrap(),
                [
                    "m001_initial",
                    "m002_jobs",
                    "m003_settings",
                    "m004_claim_reviewed",
                    "m005_sessions",
                    "m006_speaker_kind",
                    "m007_fact_checks",
                    "m008_memory",
                    "m009_explained",
                    "m010_dismissal_kind",
                    "m011_evidence_archive",
                    "m012_saved_views",
                    "m013_notes",
                    "m014_drop_jobs",
                    "m015_feeds",
                    "m016_page_speed"
                ]
            );
            // m005 gave old users their folded names; of two that fold
            // alike, the older keeps the key and both keep their exact name.
            let by = |name: &'static str| {
                let store = store.clone();
                async move { store.user_by_name(name).await.unwrap().map(|u| u.id) }
            };
            assert_eq!((by("Ann").await, by("ann").await, by("ANN").await, by("bob").await), (Some(1000), Some(1001), Some(1000), Some(1002)));
            assert!(store.add_user("BOB", "h", claimdesk_core::Role::Checker).await.is_err(), "a folded duplicate of an old name is refused");
            assert_eq!(store.document(1000).await.unwrap().body, "An old article. Prices doubled.");
            let claim = store.claim(1000).await.unwrap();
            assert_eq!((claim.text.as_str(), claim.verdict.as_deref(), claim.claim_reviewed), ("Prices doubled.", Some("false"), None));
            // m010 told old dismissals' kinds from their reasons; none is a
            // "not check-worthy" label, so only the verdict teaches.
            use claimdesk_core::DismissalKind;
            let kinds = [claim.dismissal_kind, store.claim(1001).await.unwrap().dismissal_kind, store.claim(1002).await.unwrap().dismissal_kind];
            assert_eq!(kinds, [None, Some(DismissalKind::Duplicate), Some(DismissalKind::Other)]);
            let decisions = store.desk_decisions().await.unwrap();
            assert_eq!(decisions.iter().map(|d| (d.claim_id, d.worth_checking)).collect::<Vec<_>>(), [(1000, true)]);
            // m008's upkeep rehashed the old documents over their normal
            // form: the two that differ only in spacing and line endings
            // are linked, both kept; the same text again is a duplicate.
            let (old, copy) = (store.document(1000).await.unwrap(), store.document(1001).await.unwrap());
            assert_eq!(old.content_hash, claimdesk_core::sha256_hex("An old article. Prices doubled."));
            assert_eq!((old.near_duplicate_of, copy.near_duplicate_of), (None, Some((1000, 1.0))));
            assert_eq!(copy.content_hash, format!("{}:1001", old.content_hash));
            let again = claimdesk_core::Document::new("An old article.\nPrices doubled.\n");
            assert_eq!(store.store_document(&prepare(&again, None, &builtins()).0).await.unwrap(), Stored::Duplicate { id: 1000 });
            assert_eq!(store.claim_copies(1000).await.unwrap(), []);
            let filter = ClaimFilter { document_id: Some(1000), status: Some(claimdesk_core::Status::Resolved), ..Default::default() };
            let row = store.queue_rows(&filter, QueueOrder::Priority, None, 50).await.unwrap().remove(0);
            assert_eq!((row.id, row.match_cosine, row.copies, row.text_key), (1000, None, 0, Some(claimdesk_core::claim_key("Prices doubled."))));
            let gone = claimdesk_store::testing::execute_sql(&url, "SELECT 1 FROM jobs").await;
            assert!(gone.is_err(), "m002 made the first release's jobs table and m014 dropped it");
            assert_eq!(store.feeds().await.unwrap(), [], "m015 added feeds, none yet");
            let doc = article("harbour.txt");
            let Stored::New { id, .. } = store.store_document(&prepare(&doc, None, &builtins()).0).await.unwrap() else { panic!() };
            assert_eq!(store.document(id).await.unwrap().body, doc.body);
        });
    }
}

#[test]
fn a_due_feed_is_taken_once_and_its_items_recorded_once() {
    let runtime = tokio_runtime();
    for url in test_database_urls("store_feeds") {
        runtime.block_on(async {
            let store = Store::open(&url).await.unwrap();
            let feed = store.add_feed("https://news.example/rss", Some("News"), 900).await.unwrap();
            assert!(matches!(
                store.add_feed("https://news.example/rss", None, 60).await,
                Err(claimdesk_store::StoreError::Duplicate { .. })
            ));
            // Two takers at once (two workers, two nodes): one wins.
            let (a, b) = tokio::join!(store.take_due_feeds(10), store.take_due_feeds(10));
            assert_eq!([a.unwrap(), b.unwrap()].concat(), [feed.id], "{url}");
            assert_eq!(store.take_due_feeds(10).await.unwrap(), Vec::<i64>::new(), "held by the lease");
            let held = store.feed(feed.id).await.unwrap().next_poll_at;
            assert!(held >= claimdesk_store::now() + claimdesk_store::POLL_LEASE_SECS - 2);

            // Items: seen by GUID in this feed, by URL in any feed; recorded once.
            let seen = |feed_id: i64, guid: &'static str, url: Option<&'static str>| {
                let store = store.clone();
                async move { store.feed_items_seen(feed_id, &[(guid, url), ("never-seen", None)]).await.unwrap() }
            };
            assert_eq!(seen(feed.id, "g1", Some("https://news.example/a1")).await, [false, false]);
            let ok = Ok((claimdesk_store::FeedItemState::Ingested, 1));
            store.record_feed_item(feed.id, "g1", Some("https://news.example/a1"), ok.clone()).await.unwrap();
            store.record_feed_item(feed.id, "g1", Some("https://news.example/a1"), ok).await.unwrap();
            store.record_feed_item(feed.id, "g2", None, Err("too large".to_owned())).await.unwrap();
            assert_eq!(seen(feed.id, "g1", None).await, [true, false]);
            assert!(seen(feed.id + 1, "other", Some("https://news.example/a1")).await == [true, false], "the same URL in another feed");
            let feed_now = store.feed(feed.id).await.unwrap();
            assert_eq!((feed_now.items, feed_now.failed_items), (1, 1));
            let failed = store.feed_items(feed.id, Some(claimdesk_store::FeedItemState::Failed), 5).await.unwrap();
            assert_eq!((failed.len(), failed[0].guid.as_str(), failed[0].error.as_deref()), (1, "g2", Some("too large")));
            assert_eq!(store.feed_items(feed.id, None, 5).await.unwrap().len(), 2);

            // A failure backs off (interval × 2); a success resets it.
            let failed = claimdesk_store::FeedPolled { error: Some("HTTP 500".to_owned()), ..Default::default() };
            store.record_feed_poll(feed.id, &failed).await.unwrap();
            let after = store.feed(feed.id).await.unwrap();
            assert_eq!((after.failures, after.last_error.as_deref(), after.last_success_at), (1, Some("HTTP 500"), None));
            assert!(after.next_poll_at >= after.last_polled_at.unwrap() + 1800);
            let read = claimdesk_store::FeedPolled {
                etag: Some("\"v1\"".to_owned()),
                read: true,
                title: Some("News!".to_owned()),
                ..Default::default()
            };
            store.record_feed_poll(feed.id, &read).await.unwrap();
            let after = store.feed(feed.id).await.unwrap();
            assert_eq!(
                (after.failures, after.last_error, after.etag.as_deref(), after.title.as_deref()),
                (0, None, Some("\"v1\""), Some("News!"))
            );
            assert_eq!(after.next_poll_at, after.last_polled_at.unwrap() + 900);
            // Poll now, then remove (its items go; documents would stay).
            store.poll_feed_soon(feed.id).await.unwrap();
            assert_eq!(store.take_due_feeds(10).await.unwrap(), [feed.id]);
            store.remove_feed(feed.id).await.unwrap();
            assert!(matches!(store.remove_feed(feed.id).await, Err(claimdesk_store::StoreError::NotFound { .. })));
            assert_eq!(seen(feed.id + 1, "other", Some("https://news.example/a1")).await, [false, false]);
        });
    }
}

#[test]
fn unreachable_and_unsupported_databases_are_clear_errors() {
    let runtime = tokio_runtime();
    runtime.block_on(async {
        let missing_dir = PathBuf::from("/nonexistent-claimdesk-dir/x.db");
        let err = Store::open(&format!("sqlite://{}?mode=rwc", missing_dir.display())).await.unwrap_err();
        assert!(matches!(err, StoreError::Open { .. }), "{err}");
        let err = Store::open("postgres://postgres@127.0.0.1:1/none").await.unwrap_err();
        assert!(err.to_string().starts_with("cannot open database postgres://postgres@127.0.0.1:1/none"), "{err}");
        assert!(matches!(Store::open("mysql://x").await.unwrap_err(), StoreError::UnsupportedUrl(_)));
    });
}

/// A name in the database that is no variant of its enumeration (written
/// by hand, or by a newer version) is an error naming the column — on the
/// sea-orm path and on SQLite's fast queue path alike — never a default.
#[test]
fn an_unknown_status_in_the_database_is_an_error_not_a_default() {
    let runtime = tokio_runtime();
    let host = builtins();
    for url in test_database_urls("corrupt_status") {
        runtime.block_on(async {
            let store = Store::open(&url).await.unwrap();
            let Stored::New { id: doc, .. } = store.store_document(&prepare(&article("harbour.txt"), None, &host).0).await.unwrap() else {
                panic!("stored")
            };
            let claim = store.document_claims(doc).await.unwrap()[0].id;
            claimdesk_store::testing::execute_sql(&url, &format!("UPDATE claims SET status = 'on_fire' WHERE id = {claim}")).await.unwrap();
            for result in [
                store.claim(claim).await.map(|_| ()),
                store.list_claims(&ClaimFilter::default(), QueueOrder::Priority, None, 50).await.map(|_| ()),
                store.queue_rows(&ClaimFilter::default(), QueueOrder::Priority, None, 50).await.map(|_| ()),
                store.status_counts().await.map(|_| ()),
            ] {
                let error = result.expect_err("a corrupt status is refused");
                assert!(matches!(error, StoreError::Corrupt { .. }), "{url}: {error}");
                assert!(error.to_string().contains("claims.status") && error.to_string().contains("on_fire"), "{error}");
            }
            // Each column is named for what it holds, on both read paths.
            let sql = format!("UPDATE claims SET status = 'new', speaker_kind = 'gossip' WHERE id = {claim}");
            claimdesk_store::testing::execute_sql(&url, &sql).await.unwrap();
            for result in [
                store.claim(claim).await.map(|_| ()),
                store.list_claims(&ClaimFilter::default(), QueueOrder::Priority, None, 50).await.map(|_| ()),
            ] {
                let error = result.expect_err("a corrupt speaker kind is refused");
                assert!(error.to_string().contains("claims.speaker_kind") && error.to_string().contains("gossip"), "{url}: {error}");
            }
            store.close().await.unwrap();
        });
    }
}

/// Released migrations never change: the schema a fresh database gets is
/// the committed snapshot, column for column and index for index, on each
/// backend. A new migration updates the snapshot
/// (`CLAIMDESK_UPDATE_SCHEMA=1` writes it) and the diff shows in review.
#[test]
fn a_fresh_database_gets_exactly_the_released_schema() {
    let runtime = tokio_runtime();
    for url in test_database_urls("schema_snapshot") {
        let postgres = url.starts_with("postgres");
        let snapshot =
            claimdesk_tests::workspace_root().join(format!("tests/fixtures/schema/{}.txt", if postgres { "postgres" } else { "sqlite" }));
        let schema = runtime.block_on(async {
            Store::open(&url).await.unwrap().close().await.unwrap();
            claimdesk_store::testing::schema(&url).await.unwrap()
        });
        if std::env::var_os("CLAIMDESK_UPDATE_SCHEMA").is_some() {
            std::fs::create_dir_all(snapshot.parent().unwrap()).unwrap();
            std::fs::write(&snapshot, &schema).unwrap();
        }
        let expected = std::fs::read_to_string(&snapshot).unwrap_or_else(|e| panic!("{}: {e}", snapshot.display()));
        assert_eq!(schema, expected, "{url}: the fresh schema differs from {}", snapshot.display());
    }
}

/// The store's memory of text: an article re-published with another
/// headline, a byline and an edited sentence is linked to the first as a
/// near duplicate; one claim quoted in an unrelated article is a copy of
/// the first article's claim (queue filter, counts, list of copies).
#[test]
fn near_duplicate_documents_and_copied_claims_are_recognised() {
    on_each_database("memory", |store| async move {
        let host = builtins();
        let first = article("harbour.txt");
        let Stored::New { id: a, near_duplicate: None, .. } = store.store_document(&prepare(&first, None, &host).0).await.unwrap() else {
            panic!("first stored")
        };
        let edited = first
            .body
            .replace(
                "Mayor hails ‘historic breakthrough’ in harbour talks as unions stay wary",
                "By Jo Reyes\n\nHarbour deal ‘close’, mayor says",
            )
            .replace("Critics argue the figures are inflated.", "Critics say those numbers look exaggerated.");
        assert_ne!(edited, first.body);
        let second = Document { title: Some("Harbour deal close".to_owned()), ..Document::new(edited) };
        let Stored::New { id: b, near_duplicate: Some(near), .. } = store.store_document(&prepare(&second, None, &host).0).await.unwrap()
        else {
            panic!("the edited copy is stored and linked")
        };
        assert_eq!(near.of, a);
        assert!(near.share() >= claimdesk_store::NEAR_DUPLICATE_SHARE && near.share() < 1.0, "{near:?}");
        assert_eq!(store.document(b).await.unwrap().near_duplicate_of.map(|(of, _)| of), Some(a));
        assert_eq!(store.near_duplicates_of(a).await.unwrap().iter().map(|(id, _)| *id).collect::<Vec<_>>(), [b]);

        let quoted = "Dr. Amara Osei, who chairs the port council, said the plan could create 3,000 jobs and cut freight costs by 14%.";
        let mut other = article("council-budget.txt");
        other.body = format!("{}\n\n{quoted}\n", other.body.trim_end());
        let Stored::New { id: c, near_duplicate: None, .. } = store.store_document(&prepare(&other, None, &host).0).await.unwrap() else {
            panic!("an unrelated article quoting one sentence is no near duplicate")
        };
        let claims = store.document_claims(c).await.unwrap();
        let copy = claims.iter().find(|cl| cl.text.contains("3,000 jobs")).expect("the quoted sentence is a claim");
        let copies = store.claim_copies(copy.id).await.unwrap();
        assert_eq!(copies.iter().map(|x| x.document_id).collect::<Vec<_>>(), [a, b]);
        assert!(copies.iter().all(|x| x.status == claimdesk_core::Status::New));
        let filter = ClaimFilter { document_id: Some(c), copies: true, ..Default::default() };
        let listed = store.queue_rows(&filter, QueueOrder::Priority, None, 50).await.unwrap();
        assert_eq!(listed.iter().map(|r| (r.id, r.copies)).collect::<Vec<_>>(), [(copy.id, 2)]);
        // No claim has a recorded match yet: the strong-match filter lists none.
        let filter = ClaimFilter { min_match: Some(0.75), ..Default::default() };
        assert!(store.queue_rows(&filter, QueueOrder::Priority, None, 50).await.unwrap().is_empty());
        let vector = claimdesk_store::ClaimVector { claim_id: copy.id, vector: vec![0; 8], truncated: false, best: Some((7, 0.9)) };
        store.set_claim_vectors(&[vector]).await.unwrap();
        assert_eq!(
            store.queue_rows(&filter, QueueOrder::Priority, None, 50).await.unwrap().iter().map(|r| r.id).collect::<Vec<_>>(),
            [copy.id]
        );
        let listed = store.queue_rows(&filter, QueueOrder::Priority, None, 50).await.unwrap();
        assert_eq!(listed.iter().map(|r| r.match_cosine).collect::<Vec<_>>(), [Some(0.9)]);
    });
}
