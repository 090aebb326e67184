//! The cost of the plugin ABI: each built-in checker called through its
//! loaded `.so` against the same checker linked as a Rust crate, on 2 KB
//! documents. Both paths validate and copy flags through the same
//! `Collector`, so the difference is the boundary itself.
//! Each checker gets its own bench binary (`abi_vague`, `abi_hedges`,
//! `abi_numbers`): linked together, their entry symbols would collide.
//! Run: `taskset -c 0 cargo bench -p claimdesk-tests --bench 'abi_*'`.

use std::hint::black_box;

use claimdesk_core::analyze;
use claimdesk_plugin_api::abi::STATUS_OK;
use claimdesk_plugin_api::{Checker, DocBuffers, Flags};
use claimdesk_plugin_host::{CheckerBackend, Collector, NativePlugin, PluginInfo};
use claimdesk_tests::bench::{corpus, liar_statements, median};
use claimdesk_tests::builtin_plugins_dir;

struct Doc {
    text: String,
    buffers: DocBuffers,
}

fn linked<C: Checker>(checker: &C, info: &PluginInfo, docs: &[Doc]) -> usize {
    docs.iter()
        .map(|d| {
            let mut collector = Collector::new(&d.text, info);
            let mut flags = Flags::new(&mut collector, C::RULES);
            checker.check(&d.buffers.text(&d.text), &mut flags);
            black_box(collector.finish(STATUS_OK).unwrap()).len()
        })
        .sum()
}

fn through_abi(plugin: &NativePlugin, docs: &[Doc]) -> usize {
    docs.iter().map(|d| black_box(plugin.check(&d.text, &d.buffers.view(&d.text)).unwrap()).len()).sum()
}

fn compare<C: Checker>(name: &str, docs: &[Doc]) {
    let file = builtin_plugins_dir().join(libloading::library_filename(format!("claimdesk_plugin_{name}")));
    let plugin = NativePlugin::load(&file, |_| "").unwrap();
    let checker = C::new("").unwrap();
    let info = plugin.info().clone();
    assert_eq!(linked(&checker, &info, docs), through_abi(&plugin, docs), "both paths find the same flags");
    let rounds = 31;
    // Interleave the two so drifting clock speed affects both alike.
    let mut abi = Vec::new();
    let mut direct = Vec::new();
    for _ in 0..rounds {
        abi.push(median(1, || {
            black_box(through_abi(&plugin, docs));
        }));
        direct.push(median(1, || {
            black_box(linked(&checker, &info, docs));
        }));
    }
    abi.sort();
    direct.sort();
    let (a, d) = (abi[rounds / 2], direct[rounds / 2]);
    let per_doc = |t: std::time::Duration| t.as_secs_f64() * 1e6 / docs.len() as f64;
    println!(
        "{name:<8} ABI {:>7.2} µs/doc   linked {:>7.2} µs/doc   ratio {:.3}",
        per_doc(a),
        per_doc(d),
        a.as_secs_f64() / d.as_secs_f64()
    );
}

/// Benchmarks checker `C`, whose library is `claimdesk_plugin_{name}`.
pub fn run<C: Checker>(name: &str) {
    let Some(statements) = liar_statements() else {
        println!("abi_{name}: skipped, no LIAR data (set CLAIMDESK_LIAR or provide ../shared/data/verdicts/liar_train.tsv)");
        return;
    };
    let text = corpus(&statements, 4 * 1024 * 1024);
    // Cut into ~2 KB documents at paragraph ends.
    let mut docs = Vec::new();
    let mut rest = text.as_str();
    while rest.len() > 2048 && docs.len() < 1000 {
        let cut = rest[2048..].find("\n\n").map_or(rest.len(), |i| 2048 + i + 2);
        let doc = &rest[..cut];
        docs.push(Doc { text: doc.to_owned(), buffers: DocBuffers::new(&analyze(doc)) });
        rest = &rest[cut..];
    }
    let mean = docs.iter().map(|d| d.text.len()).sum::<usize>() / docs.len();
    println!("{} documents of {mean} bytes on average", docs.len());
    compare::<C>(name, &docs);
}
