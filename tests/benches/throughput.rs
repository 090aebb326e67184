//! `check` throughput on one core over a ~50 MB corpus of LIAR statements:
//! segmentation alone, the whole core analysis, and analysis plus every
//! built-in plugin through the ABI — the pipeline of `claimdesk check`
//! without its output. Run: `taskset -c 0 cargo bench -p claimdesk-tests --bench throughput`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use claimdesk_core::{analyze, sections, segment};
use claimdesk_plugin_host::{HostOptions, PluginHost};
use claimdesk_tests::bench::{corpus, liar_statements, mb_per_s, median};
use claimdesk_tests::{builtin_plugins_dir, plugin_dir};

fn main() {
    let Some(statements) = liar_statements() else {
        println!("throughput: skipped, no LIAR data (set CLAIMDESK_LIAR or provide ../shared/data/verdicts/liar_train.tsv)");
        return;
    };
    let text = corpus(&statements, 50 * 1024 * 1024);
    let parts = sections(&text, 1 << 20);
    // The three rule-based checkers on their own, then with the scorer.
    let three = plugin_dir(
        "bench-three",
        &["vague", "hedges", "numbers"]
            .map(|p| builtin_plugins_dir().join(libloading::library_filename(format!("claimdesk_plugin_{p}"))))
            .iter()
            .map(|p| p.as_path())
            .collect::<Vec<_>>(),
    );
    let host = PluginHost::load(&[three], &HostOptions::default());
    assert!(host.load_errors().is_empty(), "{:?}", host.load_errors());
    assert_eq!(host.plugins().count(), 3);
    let all = PluginHost::load(&[builtin_plugins_dir().to_path_buf()], &HostOptions::default());
    assert_eq!(all.plugins().count(), 10);
    println!("corpus: {} bytes from {} LIAR statements, {} sections", text.len(), statements.len(), parts.len());

    let rounds = 5;
    let mut sentences = 0;
    let t = median(rounds, || {
        sentences = parts.iter().map(|p| black_box(segment(&text[p.start..p.end])).len()).sum();
    });
    println!("segmentation:                {:>7.1} MB/s  ({sentences} sentences, median of {rounds})", mb_per_s(text.len(), t));

    let t = median(rounds, || {
        for p in &parts {
            black_box(analyze(&text[p.start..p.end]));
        }
    });
    println!("analysis (+quotes, speakers):{:>7.1} MB/s", mb_per_s(text.len(), t));

    let mut flags = 0;
    let t = median(rounds, || {
        flags = 0;
        for p in &parts {
            let part = &text[p.start..p.end];
            let outcome = host.check(part, &analyze(part));
            assert!(outcome.errors.is_empty());
            flags += outcome.flags.len();
        }
    });
    println!("analysis + 3 plugins (ABI):  {:>7.1} MB/s  ({flags} flags)", mb_per_s(text.len(), t));

    let t = median(rounds, || {
        for p in &parts {
            let part = &text[p.start..p.end];
            assert!(all.check(part, &analyze(part)).errors.is_empty());
        }
    });
    println!("analysis + all 10 built-ins: {:>7.1} MB/s", mb_per_s(text.len(), t));
}
