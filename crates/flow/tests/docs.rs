//! `docs/features.md` is generated from `wardwatch_flow::FEATURES`; this test fails when it is
//! stale. Regenerate with `UPDATE_DOCS=1 cargo test -p wardwatch-flow --test docs`.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    reason = "a test that reads and (on request) writes a documentation file"
)]

use std::fmt::Write;
use wardwatch_flow::{FEATURE_SCHEMA_VERSION, FEATURES};

fn render() -> String {
    let mut out = String::new();
    out.push_str("<!-- Generated from crates/flow/src/features.rs by `UPDATE_DOCS=1 cargo test -p wardwatch-flow --test docs`. Do not edit. -->\n\n");
    out.push_str("# Window features\n\n");
    let _ = writeln!(
        out,
        "Feature schema version **{FEATURE_SCHEMA_VERSION}**: one vector of {} values per device per window \
         (default 60 s of packet time), in this order. Model files record the version they were \
         trained on; changing the list, its order, units or meaning bumps it. How each value is \
         computed (what counts as a flow, a peer, a failure) is described in [flow.md](flow.md).\n",
        FEATURES.len()
    );
    out.push_str("| # | name | unit | meaning |\n|---:|---|---|---|\n");
    for (i, def) in FEATURES.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {i} | `{}` | {} | {} |",
            def.name,
            def.unit,
            def.doc.replace('|', "\\|")
        );
    }
    out
}

#[test]
fn features_doc_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/features.md");
    let expected = render();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == expected,
        "docs/features.md is stale (or missing): regenerate it with \
         `UPDATE_DOCS=1 cargo test -p wardwatch-flow --test docs`"
    );
}

#[test]
fn documented_defaults_are_the_defaults() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/flow.md");
    let text = std::fs::read_to_string(path).unwrap();
    let block = text
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a ```toml block in docs/flow.md");
    let parsed: wardwatch_flow::PipelineConfig = toml::from_str(block).unwrap();
    assert_eq!(parsed, wardwatch_flow::PipelineConfig::default());
    parsed.validate().unwrap();
}
