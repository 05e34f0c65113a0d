//! Reading the shipped Grafana dashboards and the PromQL in them: panels (rows' nested panels
//! included), template variables, variable references and substitution, metric names in an
//! expression, and the metric families the sensor exports (from `docs/metrics.md`, which a
//! sensor test keeps equal to the exporter's registry).

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use wardwatch_e2e::repo_root;

/// Variables Grafana defines itself (queries, data links); anything else must be defined.
pub const GRAFANA_BUILTINS: &[&str] = &[
    "__rate_interval",
    "__interval",
    "__interval_ms",
    "__range",
    "__range_s",
    "__range_ms",
    "__from",
    "__to",
    "__dashboard",
    "__org",
    "__user",
    "__name",
    "__timezone",
    "__all_variables",
    "__url_time_range",
    "__value",
    "__data",
    "__field",
    "__series",
];

/// Series Prometheus adds to every scrape target itself.
pub const PROMETHEUS_SYNTHETIC: &[&str] = &[
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
];

/// One dashboard file.
pub struct Dashboard {
    /// File name under `dashboards/grafana/`.
    pub file: String,
    /// Its JSON.
    pub json: Value,
}

/// One PromQL expression of a dashboard: a panel target or a variable's `label_values` query.
#[derive(Clone, Debug)]
pub struct Query {
    /// Dashboard uid.
    pub dashboard: String,
    /// Panel title and refId, or `variable NAME`.
    pub source: String,
    /// The expression as written (template variables not substituted).
    pub expr: String,
    /// For a variable query: the label whose values it lists.
    pub label: Option<String>,
}

/// Every `*.json` under `dashboards/grafana/`, sorted by file name.
pub fn load_dashboards() -> Vec<Dashboard> {
    let dir = repo_root().join("dashboards/grafana");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("dir entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no dashboards in {}", dir.display());
    files.iter().map(|path| load(path)).collect()
}

fn load(path: &Path) -> Dashboard {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file = path
        .file_name()
        .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
    Dashboard { file, json }
}

impl Dashboard {
    /// The dashboard uid (empty when missing).
    pub fn uid(&self) -> &str {
        self.json["uid"].as_str().unwrap_or_default()
    }

    /// Every panel, depth first: top-level panels and the panels nested in rows.
    pub fn panels(&self) -> Vec<&Value> {
        fn walk<'a>(panels: &'a Value, out: &mut Vec<&'a Value>) {
            for panel in panels.as_array().into_iter().flatten() {
                out.push(panel);
                walk(&panel["panels"], out);
            }
        }
        let mut out = Vec::new();
        walk(&self.json["panels"], &mut out);
        out
    }

    /// The template variables.
    pub fn variables(&self) -> Vec<&Value> {
        self.json["templating"]["list"]
            .as_array()
            .map(|list| list.iter().collect())
            .unwrap_or_default()
    }

    /// Names of the template variables.
    pub fn variable_names(&self) -> BTreeSet<String> {
        self.variables()
            .iter()
            .filter_map(|v| v["name"].as_str().map(str::to_owned))
            .collect()
    }

    /// Every PromQL expression: panel targets first, then variable queries.
    pub fn queries(&self) -> Vec<Query> {
        let mut out = Vec::new();
        for panel in self.panels() {
            for target in panel["targets"].as_array().into_iter().flatten() {
                out.push(Query {
                    dashboard: self.uid().to_owned(),
                    source: format!(
                        "{} [{}]",
                        panel["title"].as_str().unwrap_or("?"),
                        target["refId"].as_str().unwrap_or("?")
                    ),
                    expr: target["expr"].as_str().unwrap_or_default().to_owned(),
                    label: None,
                });
            }
        }
        for variable in self.variables() {
            if let Some((expr, label)) = variable_query(variable) {
                out.push(Query {
                    dashboard: self.uid().to_owned(),
                    source: format!("variable {}", variable["name"].as_str().unwrap_or("?")),
                    expr,
                    label: Some(label),
                });
            }
        }
        out
    }
}

/// The `label_values(EXPR, LABEL)` of a query variable, split into EXPR and LABEL.
pub fn variable_query(variable: &Value) -> Option<(String, String)> {
    if variable["type"] != "query" {
        return None;
    }
    let query = &variable["query"];
    let text = query.as_str().or_else(|| query["query"].as_str())?;
    let inner = text
        .trim()
        .strip_prefix("label_values(")?
        .strip_suffix(')')?;
    let (expr, label) = inner.rsplit_once(',')?;
    Some((expr.trim().to_owned(), label.trim().to_owned()))
}

/// Every string anywhere in a JSON value.
pub fn strings(value: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    fn walk<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::String(s) => out.push(s),
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            Value::Object(map) => map.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(value, &mut out);
    out
}

/// A variable reference found in text: its name and the byte range it covers.
struct Reference {
    name: String,
    start: usize,
    end: usize,
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Grafana's three reference syntaxes: `$name`, `${name}` (also `${name:format}`,
/// `${__value.raw}`) and `[[name]]` (also `[[name:format]]`).
fn references(text: &str) -> Vec<Reference> {
    let bytes = text.as_bytes();
    let name_end = |from: usize| {
        (from..bytes.len())
            .find(|&i| !is_name_byte(bytes[i]))
            .unwrap_or(bytes.len())
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let braced = bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'{');
        let bracketed = bytes[i] == b'[' && bytes.get(i + 1) == Some(&b'[');
        let plain = bytes[i] == b'$' && bytes.get(i + 1).is_some_and(|&b| is_name_start(b));
        let (open, close) = match (braced, bracketed, plain) {
            (true, _, _) => (2, Some("}")),
            (_, true, _) => (2, Some("]]")),
            (_, _, true) => (1, None),
            _ => {
                i += 1;
                continue;
            }
        };
        let name_start = i + open;
        let end_of_name = name_end(name_start);
        let end = match close {
            None => end_of_name,
            Some(close) => match text[end_of_name..].find(close) {
                Some(offset) => end_of_name + offset + close.len(),
                None => {
                    i += 1;
                    continue;
                }
            },
        };
        if end_of_name > name_start {
            out.push(Reference {
                name: text[name_start..end_of_name].to_owned(),
                start: i,
                end,
            });
        }
        i = end.max(i + 1);
    }
    out
}

/// Names of the variables referenced in `text`.
pub fn referenced_variables(text: &str) -> Vec<String> {
    references(text).into_iter().map(|r| r.name).collect()
}

/// `text` with every variable reference replaced by its value; `Err` names the first
/// variable without a value.
pub fn substitute(text: &str, values: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for reference in references(text) {
        let value = values
            .get(&reference.name)
            .ok_or_else(|| format!("no value for ${}", reference.name))?;
        out.push_str(&text[last..reference.start]);
        out.push_str(value);
        last = reference.end;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// PromQL words that are never metric names.
const PROMQL_WORDS: &[&str] = &[
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "inf",
    "nan",
    "atan2",
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
];
/// Modifiers followed by a parenthesised label list.
const LABEL_LIST_WORDS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

/// Index just past the bracket matching the one at `open` (strings inside skipped).
fn skip_balanced(bytes: &[u8], open: usize, left: u8, right: u8) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' | b'`' => i = skip_string(bytes, i) - 1,
            b if b == left => depth += 1,
            b if b == right => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Index just past the string literal starting at `start`.
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() && bytes[i] != quote {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    i + 1
}

/// The metric names a PromQL expression selects (template variables already substituted):
/// identifiers outside label matchers, strings, durations and label lists that are not
/// functions, aggregations or keywords.
pub fn metric_names(promql: &str) -> BTreeSet<String> {
    let bytes = promql.as_bytes();
    let mut names = BTreeSet::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' || b == b'\'' || b == b'`' {
            i = skip_string(bytes, i);
        } else if b == b'{' {
            i = skip_balanced(bytes, i, b'{', b'}');
        } else if b == b'[' {
            i = skip_balanced(bytes, i, b'[', b']');
        } else if b.is_ascii_digit()
            || (b == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
        } else if is_name_start(b) || b == b':' {
            let start = i;
            while i < bytes.len() && (is_name_byte(bytes[i]) || bytes[i] == b':') {
                i += 1;
            }
            let word = &promql[start..i];
            let next = (i..bytes.len()).find(|&j| !bytes[j].is_ascii_whitespace());
            let before_paren = next.is_some_and(|j| bytes[j] == b'(');
            if LABEL_LIST_WORDS.contains(&word) {
                if let Some(j) = next.filter(|_| before_paren) {
                    i = skip_balanced(bytes, j, b'(', b')');
                }
            } else if !before_paren && !PROMQL_WORDS.contains(&word) {
                names.insert(word.to_owned());
            }
        } else {
            i += 1;
        }
    }
    names
}

/// A metric family as `docs/metrics.md` documents it.
pub struct Family {
    /// `counter`, `gauge` or `histogram`.
    pub kind: String,
    /// Every backticked word of its labels column: the label names (and some values).
    pub label_words: BTreeSet<String>,
}

/// The metric families `docs/metrics.md` lists. A sensor unit test keeps this page equal to
/// the exporter's registry (the text format omits labelled families that have no series yet,
/// so a scrape alone cannot list them all).
pub fn documented_families() -> BTreeMap<String, Family> {
    let path = repo_root().join("docs/metrics.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    doc.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .strip_prefix('|')?
                .split(" | ")
                .map(str::trim)
                .collect();
            let name = cells.first()?.strip_prefix('`')?.strip_suffix('`')?;
            let kind = (*cells.get(1)?).to_owned();
            let label_words = cells
                .get(2)?
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect();
            Some((name.to_owned(), Family { kind, label_words }))
        })
        .filter(|(name, _)| name.starts_with("wardwatch_") || name.starts_with("process_"))
        .collect()
}

/// The `record:` names of a rules file.
pub fn recording_rules(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("- record:"))
        .map(|name| name.trim().to_owned())
        .collect()
}

/// Metric names the dashboards may use: the documented families (histograms with their
/// `_bucket`, `_sum` and `_count` series), Prometheus' own per-target series and the
/// recording rules of `dashboards/prometheus/wardwatch.rules.yml`.
pub fn known_metric_names() -> BTreeSet<String> {
    let mut known = BTreeSet::new();
    for (name, family) in documented_families() {
        if family.kind == "histogram" {
            for suffix in ["_bucket", "_sum", "_count"] {
                known.insert(format!("{name}{suffix}"));
            }
        }
        known.insert(name);
    }
    known.extend(PROMETHEUS_SYNTHETIC.iter().map(|s| (*s).to_owned()));
    known.extend(recording_rules(
        &repo_root().join("dashboards/prometheus/wardwatch.rules.yml"),
    ));
    known
}

#[test]
fn references_cover_the_three_syntaxes_and_leave_the_rest_alone() {
    let text = r#"a $x ${y} ${z:regex} [[w]] [[v:csv]] ${__value.raw} $1 {{le}} $"#;
    assert_eq!(
        referenced_variables(text),
        ["x", "y", "z", "w", "v", "__value"]
    );
    let values: BTreeMap<String, String> = [
        ("x", "1"),
        ("y", "2"),
        ("z", "3"),
        ("w", "4"),
        ("v", "5"),
        ("__value", "6"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(
        substitute(text, &values).unwrap(),
        "a 1 2 3 4 5 6 $1 {{le}} $"
    );
    assert_eq!(
        substitute("rate(x[$__rate_interval])", &values).unwrap_err(),
        "no value for $__rate_interval"
    );
}

#[test]
fn metric_names_skip_functions_labels_strings_and_modifiers() {
    let promql = r#"topk(10, sum by (model) (rate(a_total{job="x", le="1"}[5m] offset 1m)) / on (instance) group_left (model, class) b_info > bool 0.5) or c:rule:rate5m unless max without (le) (d_bucket) and histogram_quantile(0.9, e) * 1e-9"#;
    let names: Vec<_> = metric_names(promql).into_iter().collect();
    assert_eq!(
        names,
        ["a_total", "b_info", "c:rule:rate5m", "d_bucket", "e"]
    );
    assert!(metric_names(r#"label_replace(up, "dst", "$1", "src", "(.*)")"#).contains("up"));
}
