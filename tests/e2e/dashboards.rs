//! The Grafana dashboards: structure (uids, panel ids, datasource, layout, variables, metric
//! names against the exporter) and every panel query run against a real Prometheus scraping a
//! replay.

use crate::fake_sensor::{self, FakeSensor};
use crate::grafana::{
    Dashboard, GRAFANA_BUILTINS, Query, documented_families, known_metric_names, load_dashboards,
    metric_names, referenced_variables, strings, substitute, variable_query,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;
use wardwatch_e2e::pcapgen::write_ward_pcap;
use wardwatch_e2e::process::{Daemon, http_get};
use wardwatch_e2e::prometheus::{Prometheus, promtool_check_metrics};
use wardwatch_e2e::repo_root;

fn is_row(panel: &Value) -> bool {
    panel["type"] == "row"
}

#[test]
fn dashboards_have_unique_uids_a_schema_version_and_unique_panel_ids() {
    let dashboards = load_dashboards();
    let mut uids = BTreeSet::new();
    for d in &dashboards {
        assert!(!d.uid().is_empty(), "{}: no uid", d.file);
        assert!(
            uids.insert(d.uid().to_owned()),
            "{}: uid {} used twice",
            d.file,
            d.uid()
        );
        assert!(
            d.json["schemaVersion"].as_u64().is_some_and(|v| v >= 36),
            "{}: schemaVersion",
            d.file
        );
        assert!(
            d.json["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{}: title",
            d.file
        );
        let mut ids = BTreeSet::new();
        for panel in d.panels() {
            let id = panel["id"]
                .as_u64()
                .unwrap_or_else(|| panic!("{}: panel without id: {}", d.file, panel["title"]));
            assert!(ids.insert(id), "{}: panel id {id} used twice", d.file);
        }
    }
    assert_eq!(
        dashboards.len(),
        5,
        "fleet, model, device, inventory, sensor health"
    );
}

#[test]
fn every_panel_has_a_title_a_description_and_queries() {
    for d in load_dashboards() {
        for panel in d.panels() {
            let title = panel["title"].as_str().unwrap_or_default();
            assert!(
                !title.is_empty(),
                "{}: panel {} has no title",
                d.file,
                panel["id"]
            );
            if is_row(panel) {
                continue;
            }
            let description = panel["description"].as_str().unwrap_or_default();
            assert!(
                description.len() >= 20,
                "{}: '{title}' needs a description saying what to look at",
                d.file
            );
            let targets = panel["targets"].as_array().map_or(0, Vec::len);
            assert!(targets > 0, "{}: '{title}' has no query", d.file);
        }
    }
}

/// The datasource every panel, target and query variable must use.
fn is_datasource_variable(ds: &Value) -> bool {
    ds["type"] == "prometheus" && ds["uid"] == "${datasource}"
}

#[test]
fn every_panel_target_and_variable_queries_the_datasource_variable() {
    for d in load_dashboards() {
        let variables = d.variables();
        let ds = variables
            .iter()
            .find(|v| v["name"] == "datasource")
            .unwrap_or_else(|| panic!("{}: no datasource variable", d.file));
        assert_eq!(ds["type"], "datasource", "{}", d.file);
        assert_eq!(ds["query"], "prometheus", "{}", d.file);
        for variable in variables.iter().filter(|v| v["type"] == "query") {
            assert!(
                is_datasource_variable(&variable["datasource"]),
                "{}: variable {}",
                d.file,
                variable["name"]
            );
        }
        // Rows do not query; every other panel and all its targets must.
        for panel in d.panels().into_iter().filter(|p| !is_row(p)) {
            let title = &panel["title"];
            assert!(
                is_datasource_variable(&panel["datasource"]),
                "{}: panel {title}: {}",
                d.file,
                panel["datasource"]
            );
            for target in panel["targets"].as_array().into_iter().flatten() {
                assert!(
                    is_datasource_variable(&target["datasource"]),
                    "{}: panel {title} target {}",
                    d.file,
                    target["refId"]
                );
            }
        }
    }
}

/// A panel's place on the 24-column grid.
#[derive(Clone, Copy, Debug)]
struct Rect {
    x: u64,
    y: u64,
    w: u64,
    h: u64,
}

impl Rect {
    fn of(panel: &Value) -> Option<Rect> {
        let g = &panel["gridPos"];
        Some(Rect {
            x: g["x"].as_u64()?,
            y: g["y"].as_u64()?,
            w: g["w"].as_u64()?,
            h: g["h"].as_u64()?,
        })
    }

    fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }
}

/// Layout problems of a list of panels: outside the grid, empty, or overlapping.
fn layout_problems(panels: &[&Value]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut placed: Vec<(Rect, String)> = Vec::new();
    for panel in panels {
        let title = panel["title"].as_str().unwrap_or("?").to_owned();
        let Some(rect) = Rect::of(panel) else {
            problems.push(format!("'{title}' has no complete gridPos"));
            continue;
        };
        if rect.w == 0 || rect.h == 0 || rect.x + rect.w > 24 {
            problems.push(format!(
                "'{title}' does not fit the 24-column grid: {rect:?}"
            ));
        }
        for (other, other_title) in &placed {
            if rect.overlaps(other) {
                problems.push(format!(
                    "'{title}' {rect:?} overlaps '{other_title}' {other:?}"
                ));
            }
        }
        placed.push((rect, title));
    }
    problems
}

#[test]
fn panels_fit_24_columns_and_do_not_overlap() {
    for d in load_dashboards() {
        let problems = layout_problems(&d.panels());
        assert!(problems.is_empty(), "{}:\n{}", d.file, problems.join("\n"));
    }
    let a = serde_json::json!({"title": "a", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}});
    let b = serde_json::json!({"title": "b", "gridPos": {"x": 11, "y": 7, "w": 4, "h": 2}});
    let c = serde_json::json!({"title": "c", "gridPos": {"x": 20, "y": 9, "w": 6, "h": 2}});
    assert_eq!(
        layout_problems(&[&a, &b, &c]).len(),
        2,
        "the check catches an overlap and a panel past column 24"
    );
}

/// References to variables neither defined in the dashboard nor built into Grafana.
fn undefined_variables(d: &Dashboard) -> BTreeSet<String> {
    let defined = d.variable_names();
    strings(&d.json)
        .into_iter()
        .flat_map(referenced_variables)
        .filter(|name| !defined.contains(name) && !GRAFANA_BUILTINS.contains(&name.as_str()))
        .collect()
}

#[test]
fn every_referenced_template_variable_is_defined() {
    for d in load_dashboards() {
        let undefined = undefined_variables(&d);
        assert!(
            undefined.is_empty(),
            "{}: undefined variables {undefined:?}",
            d.file
        );
        let names = d.variable_names();
        for wanted in ["datasource", "instance"] {
            assert!(names.contains(wanted), "{}: no {wanted} variable", d.file);
        }
    }
    let broken = Dashboard {
        file: "broken.json".into(),
        json: serde_json::json!({"templating": {"list": [{"name": "model"}]},
            "panels": [{"targets": [{"expr": "x{model=~\"$model\", device=\"${device}\"}[$__rate_interval] [[typo]]"}]}]}),
    };
    assert_eq!(
        undefined_variables(&broken),
        BTreeSet::from(["device".to_owned(), "typo".to_owned()])
    );
}

/// Values that make every expression parse for the structural checks (not for Prometheus).
fn placeholder_values(d: &Dashboard) -> BTreeMap<String, String> {
    let mut values: BTreeMap<String, String> = d
        .variable_names()
        .into_iter()
        .map(|name| (name, ".*".to_owned()))
        .collect();
    values.extend(interval_values());
    values
}

/// Grafana's interval variables, sized for a short test with a 1 s scrape interval.
fn interval_values() -> BTreeMap<String, String> {
    [
        ("__rate_interval", "1m"),
        ("__interval", "15s"),
        ("__range", "5m"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// A `wardwatch run --replay FILE --keep-running` with a JSON-lines alert sink, its replay done.
struct Replay {
    daemon: Daemon,
    _dir: tempfile::TempDir,
}

fn demo_or_generated_pcap(dir: &std::path::Path) -> PathBuf {
    let demo = repo_root().join("fixtures/demo/ward.pcap");
    if demo.is_file() {
        return demo;
    }
    eprintln!("fixtures/demo/ward.pcap not present: replaying a generated pcap");
    let pcap = dir.join("ward.pcap");
    write_ward_pcap(&pcap, 500);
    pcap
}

fn replay() -> Replay {
    let replay = start_replay(None);
    let mut daemon = replay.daemon;
    daemon.wait_for_sample("wardwatch_capture_running", 0.0, Duration::from_secs(120));
    Replay {
        daemon,
        _dir: replay._dir,
    }
}

/// Starts the replay (paced at `speed` × packet time when given) and waits until it serves.
fn start_replay(speed: Option<f64>) -> Replay {
    let dir = tempfile::tempdir().expect("temp dir");
    let pcap = demo_or_generated_pcap(dir.path());
    let alerts = dir.path().join("alerts.jsonl");
    let speed = speed.map(|s| s.to_string());
    let mut args = vec![
        "--replay",
        pcap.to_str().expect("utf-8 path"),
        "--keep-running",
        "--alerts",
        alerts.to_str().expect("utf-8 path"),
    ];
    if let Some(speed) = &speed {
        args.extend(["--replay-speed", speed.as_str()]);
    }
    let mut daemon = Daemon::start(dir.path(), &args);
    daemon.wait_http_ok("/readyz", Duration::from_secs(60));
    Replay { daemon, _dir: dir }
}

#[test]
fn dashboards_use_only_metrics_the_sensor_exports() {
    let replay = replay();
    let body = replay.daemon.scrape();
    let scraped = fake_sensor::families(&body);
    let documented = documented_families();
    // The text format has no HELP/TYPE for a labelled family without series, so the family list
    // comes from docs/metrics.md (a sensor test keeps it equal to the registry); every scraped
    // family must be on it.
    let unscraped: Vec<_> = documented
        .keys()
        .filter(|f| !scraped.contains(*f))
        .collect();
    println!("documented but not in this scrape (no series yet, or live only): {unscraped:?}");
    for family in &scraped {
        assert!(
            documented.contains_key(family),
            "{family} is exported but not in docs/metrics.md"
        );
    }
    assert!(scraped.len() >= 20, "{scraped:?}");
    let known = known_metric_names();
    for d in load_dashboards() {
        let values = placeholder_values(&d);
        for query in d.queries() {
            let expr = substitute(&query.expr, &values)
                .unwrap_or_else(|e| panic!("{}: {e}", query.source));
            let unknown: Vec<_> = metric_names(&expr)
                .into_iter()
                .filter(|m| !known.contains(m))
                .collect();
            assert!(
                unknown.is_empty(),
                "{} / {}: unknown metrics {unknown:?} in {expr}",
                d.file,
                query.source
            );
        }
    }
    assert!(
        !known.contains("wardwatch_devices_total"),
        "the known list is not a catch-all"
    );
}

/// Families the daemon fills by itself, before the flow pipeline and the detector are wired in
/// (plus Prometheus' own per-target series).
const FED_WITHOUT_THE_PIPELINE: &[&str] = &[
    "up",
    "scrape_duration_seconds",
    "process_start_time_seconds",
    "wardwatch_build_info",
    "wardwatch_packets_received_total",
    "wardwatch_bytes_received_total",
    "wardwatch_capture_dropped_packets_total",
    "wardwatch_capture_info",
    "wardwatch_capture_running",
    "wardwatch_last_packet_timestamp_seconds",
    "wardwatch_model_set_info",
    "wardwatch_model_set_models",
    "wardwatch_flow_table_capacity",
    "wardwatch_http_requests_total",
    "wardwatch_http_connections_rejected_total",
    "wardwatch_alert_sink_deliveries_total",
    "wardwatch_alert_sink_failures_total",
    "wardwatch_alert_sink_dropped_total",
    "wardwatch_alert_sink_queue_length",
    "wardwatch_reloads_total",
    "wardwatch_state_snapshots_total",
    "wardwatch_state_last_snapshot_timestamp_seconds",
    "wardwatch_log_lines_suppressed_total",
];

/// One query's outcome against Prometheus.
struct Outcome {
    query: Query,
    metrics: BTreeSet<String>,
    promql: String,
    result: Result<usize, String>,
}

/// Percent-encoding for a URL query value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Runs an instant query; the result vector, or the error Prometheus gave.
fn instant_query(prometheus: &Prometheus, promql: &str) -> Result<Vec<Value>, String> {
    let (status, body) = http_get(
        prometheus.addr,
        &format!("/api/v1/query?query={}", encode(promql)),
    )
    .ok_or("prometheus did not answer")?;
    let answer: Value =
        serde_json::from_str(&body).map_err(|e| format!("HTTP {status}: {e}: {body}"))?;
    if answer["status"] != "success" {
        return Err(format!(
            "HTTP {status}: {} {}",
            answer["errorType"], answer["error"]
        ));
    }
    match &answer["data"]["result"] {
        Value::Array(series) => Ok(series.clone()),
        scalar => Ok(vec![scalar.clone()]),
    }
}

/// Stands in for a single-value variable whose query returned nothing, so the query still runs
/// (a syntax error still shows) and comes back empty.
const NO_VALUE: &str = "no-value-for-this-variable";

/// Values of a dashboard's variables as Grafana would pick them: multi/all variables `.*`,
/// single-value ones the first value their `label_values` query returns ([`NO_VALUE`] when it
/// returns none).
fn resolve_variables(prometheus: &Prometheus, d: &Dashboard) -> BTreeMap<String, String> {
    let mut values = interval_values();
    values.insert("datasource".into(), String::new());
    for variable in d.variables() {
        let name = variable["name"].as_str().unwrap_or_default().to_owned();
        if variable["includeAll"] == true || variable["multi"] == true {
            values.insert(name, ".*".into());
        } else if let Some((expr, label)) = variable_query(variable) {
            let first = substitute(&expr, &values)
                .ok()
                .and_then(|promql| instant_query(prometheus, &promql).ok())
                .and_then(|series| {
                    series
                        .iter()
                        .filter_map(|s| s["metric"][&label].as_str())
                        .min()
                        .map(str::to_owned)
                });
            values.insert(name, first.unwrap_or_else(|| NO_VALUE.to_owned()));
        }
    }
    values
}

/// Runs every query of every dashboard (panel targets and variable queries) with the variables
/// resolved; prints each with its result count.
fn run_queries(prometheus: &Prometheus) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for d in load_dashboards() {
        let values = resolve_variables(prometheus, &d);
        let placeholders = placeholder_values(&d);
        for query in d.queries() {
            let metrics = metric_names(&substitute(&query.expr, &placeholders).unwrap_or_default());
            let promql = substitute(&query.expr, &values);
            let result = match &promql {
                Err(e) => Err(e.clone()),
                Ok(promql) if promql.contains('$') => {
                    Err("a '$' is left after substitution".into())
                }
                Ok(promql) => instant_query(prometheus, promql).map(|series| match &query.label {
                    Some(label) => series
                        .iter()
                        .filter(|s| s["metric"][label].is_string())
                        .count(),
                    None => series.len(),
                }),
            };
            let first = promql
                .as_ref()
                .ok()
                .and_then(|p| instant_query(prometheus, p).ok())
                .and_then(|series| {
                    series
                        .first()
                        .map(|s| format!(" (first: {} {})", s["metric"], s["value"][1]))
                })
                .unwrap_or_default();
            let outcome = Outcome {
                promql: promql.unwrap_or_else(|_| query.expr.clone()),
                query,
                metrics,
                result,
            };
            let shown = match &outcome.result {
                Ok(n) => format!("{n} series{first}"),
                Err(e) => format!("ERROR {e}"),
            };
            println!(
                "{} / {} -> {shown}: {}",
                outcome.query.dashboard, outcome.query.source, outcome.promql
            );
            outcomes.push(outcome);
        }
    }
    outcomes
}

/// Where the flow, device, detector and alert families come from.
#[derive(Clone, Copy, PartialEq)]
enum Pipeline {
    /// The daemon as it is (today: none of them).
    Daemon,
    /// The daemon's exposition plus synthetic series for those families ([`FakeSensor`]).
    Simulated,
}

/// Starts a replay and a Prometheus scraping it, waits for enough samples for rates, and runs
/// every query. Fails on any query Prometheus rejects, and on an empty result for the queries
/// `needs_data` selects (by the metric names they use). Returns how many had to have data.
fn queries_run_and_return_data(
    pipeline: Pipeline,
    needs_data: impl Fn(&BTreeSet<String>) -> bool,
) -> usize {
    let replay = replay();
    let fake = (pipeline == Pipeline::Simulated).then(|| FakeSensor::start(replay.daemon.addr));
    let prometheus = Prometheus::start(fake.as_ref().map_or(replay.daemon.addr, |f| f.addr));
    // Two samples of a series that appears after the first scrape: rates have data then.
    let ready = r#"count_over_time(wardwatch_http_requests_total{job="wardwatch", handler="metrics", code="200"}[1m]) >= 2"#;
    prometheus.wait_for_value(ready, Duration::from_secs(60));
    let outcomes = run_queries(&prometheus);
    let mut checked = 0;
    let mut failures = Vec::new();
    for o in &outcomes {
        let place = format!("{} / {}: {}", o.query.dashboard, o.query.source, o.promql);
        match &o.result {
            Err(e) => failures.push(format!("ERROR    {place}: {e}")),
            Ok(n) if needs_data(&o.metrics) => {
                checked += 1;
                if *n == 0 {
                    failures.push(format!("NO DATA  {place}"));
                }
            }
            Ok(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} queries failed:\n{}",
        failures.len(),
        outcomes.len(),
        failures.join("\n")
    );
    checked
}

/// The demo ward replayed at 240 × packet time (about 30 s) with the shipped models while a
/// real Prometheus scrapes it, so rates and increases see the counters move: every query of
/// every panel runs and returns data.
#[test]
fn every_panel_query_returns_data_on_a_replay() {
    let replay = start_replay(Some(240.0));
    let prometheus = Prometheus::start(replay.daemon.addr);
    let mut daemon = replay.daemon;
    daemon.wait_for_sample("wardwatch_capture_running", 0.0, Duration::from_secs(180));
    let ready = r#"count_over_time(wardwatch_http_requests_total{job="wardwatch", handler="metrics", code="200"}[1m]) >= 2"#;
    prometheus.wait_for_value(ready, Duration::from_secs(60));
    let outcomes = run_queries(&prometheus);
    let mut errors = Vec::new();
    let mut empty = BTreeSet::new();
    for o in &outcomes {
        let place = format!("{} / {}", o.query.dashboard, o.query.source);
        match &o.result {
            Err(e) => errors.push(format!("ERROR    {place}: {}: {e}", o.promql)),
            Ok(0) => {
                empty.insert(place);
            }
            Ok(_) => {}
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert!(
        empty.is_empty(),
        "panels without data on the demo replay: {empty:#?}"
    );
    assert!(outcomes.len() >= 50, "{} queries", outcomes.len());
}

/// Every query must run without error; those over families the daemon fills without any
/// traffic must return data even on a tiny replay.
#[test]
fn every_query_runs_and_those_the_daemon_feeds_return_data_on_a_replay() {
    let fed: BTreeSet<String> = FED_WITHOUT_THE_PIPELINE
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let checked = queries_run_and_return_data(Pipeline::Daemon, |metrics: &BTreeSet<String>| {
        !metrics.is_empty() && metrics.is_subset(&fed)
    });
    assert!(
        checked >= 25,
        "only {checked} queries had to return data: too few to exercise the harness"
    );
}

/// With the pipeline's families filled in by the stand-in (shaped like the exporter, checked
/// against docs/metrics.md below), every query of every dashboard returns data: the joins,
/// bucket labels and variable queries work before the real pipeline lands.
#[test]
fn with_the_pipeline_families_simulated_every_query_returns_data() {
    let checked = queries_run_and_return_data(Pipeline::Simulated, |_| true);
    let total: usize = load_dashboards().iter().map(|d| d.queries().len()).sum();
    assert_eq!(checked, total);
}

#[test]
fn the_simulated_series_follow_the_metrics_reference_and_pass_promtool() {
    let documented = documented_families();
    let text = fake_sensor::synthetic(3);
    for name in fake_sensor::families(&text) {
        let family = documented
            .get(&name)
            .unwrap_or_else(|| panic!("{name} is not in docs/metrics.md"));
        let kind = text
            .lines()
            .find_map(|l| l.strip_prefix(&format!("# TYPE {name} ")))
            .unwrap_or_default();
        assert_eq!(kind, family.kind, "{name}");
        for line in text
            .lines()
            .filter(|l| l.starts_with(&name) && l.contains('{'))
        {
            let labels = line
                .split_once('{')
                .and_then(|(_, rest)| rest.split_once('}'))
                .map_or("", |(l, _)| l);
            for label in labels
                .split(',')
                .filter_map(|pair| pair.split_once('='))
                .map(|(k, _)| k)
            {
                assert!(
                    label == "le" || family.label_words.contains(label),
                    "{name}: label {label} is not documented"
                );
            }
        }
    }
    let (code, out) = promtool_check_metrics(&text);
    assert_eq!(code, 0, "{out}\n{text}");
}
