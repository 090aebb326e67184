//! A plugin that breaks the ABI contract in the way its config string
//! names, so the host's defences can be tested with a real `.so`.

use claimdesk_plugin_api::abi::{FlagV1, SpanV1, Str};
use claimdesk_plugin_api::{Checker, DynamicRule, Flags, Kind, Rule, Severity, Text, export_plugin};

const RULE: Rule =
    Rule { id: "misbehave.any", kind: Kind::Other, severity: Severity::Info, description: "Flags the first word, then misbehaves." };

#[derive(Debug)]
pub struct Misbehave {
    mode: String,
}

impl Checker for Misbehave {
    const NAME: &'static str = "misbehave";
    const VERSION: &'static str = "0.0.1";
    const DESCRIPTION: &'static str = "Breaks the plugin contract as configured (tests only).";
    const RULES: &'static [Rule] = &[RULE];

    #[allow(clippy::panic)]
    fn new(config: &str) -> Result<Self, String> {
        match config {
            "fail-create" => Err("refusing to start: the config asks me to".to_owned()),
            "panic-create" => panic!("panic while creating"),
            _ => Ok(Misbehave { mode: config.to_owned() }),
        }
    }

    #[allow(clippy::panic)]
    fn instance_rules(&self) -> &[DynamicRule] {
        if self.mode == "panic-rules" {
            panic!("panic while declaring rules");
        }
        &[]
    }

    #[allow(clippy::panic)]
    fn check(&self, doc: &Text<'_>, out: &mut Flags<'_>) {
        let len = doc.as_str().len();
        // A good flag first: the host must drop it too when a later one is bad.
        out.raise(&RULE, 0, len.min(1), 0.5, "first byte", "is it there?");
        match self.mode.as_str() {
            "panic" => panic!("deliberate panic in check"),
            "out-of-range" => out.raise(&RULE, 0, len + 10, 0.5, "too far", "?"),
            "off-boundary" => {
                let inside = doc.as_str().char_indices().find(|(_, c)| c.len_utf8() > 1).map_or(0, |(i, _)| i + 1);
                out.raise(&RULE, inside, inside + 1, 0.5, "split char", "?");
            }
            "bad-score" => out.raise(&RULE, 0, 0, 7.5, "score too high", "?"),
            "report-error" => out.error("the model file is missing"),
            "bad-kind" => {
                let mut sink = BadKind(out);
                sink.send();
            }
            _ => {}
        }
    }
}

/// Sends a flag whose kind code no ABI v1 kind has, bypassing `Flags::raise`.
struct BadKind<'a, 'b>(&'a mut Flags<'b>);

impl BadKind<'_, '_> {
    fn send(&mut self) {
        let flag = FlagV1 {
            span: SpanV1 { start: 0, end: 0 },
            rule: 0,
            kind: 99,
            severity: 0,
            score: 0.5,
            message: Str::new("m"),
            question: Str::new("q"),
        };
        self.0.raw(&flag);
    }
}

export_plugin!(Misbehave);
