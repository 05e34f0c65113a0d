//! End-to-end tests: each module drives the real `wardwatch` binary the way a user would.

mod alerts; // wardwatch alerts: an alert file as a table (COLUMNS), filters, JSON lines unchanged, bad lines exit 2
mod assess; // wardwatch assess: reports on the fixture pump, --write-profile, input errors exit 2
mod cli; // --help, --version, exit codes
mod dashboards; // Grafana dashboards: structure, metric names, every panel query against a real Prometheus
mod day_one; // issue #13: an assessed model held to its MUD declaration from the first packet
mod demo_detection; // issue #7: every demo scenario within two windows, no false alert, shipped models
mod eval; // wardwatch eval against a hand-labelled tiny fixture with known answers
mod fake_sensor; // stand-in /metrics with the pipeline's families, for dashboards.rs
mod fuzz_corpus; // every fuzz corpus and regression file through its target's body; seeds committed and reaching their parsers
#[allow(
    dead_code,
    reason = "the seed writer and some helpers serve the fuzz_seeds example"
)]
#[path = "../../fuzz/harness/mod.rs"]
mod fuzz_harness; // the fuzz targets' bodies (fuzz/harness/), shared with cargo-fuzz
mod grafana; // reading dashboard JSON and PromQL (shared by dashboards.rs)
mod identification; // ≥ 98 % right models on 30-minute synthetic wards of three seeds (issue #6)
mod inventory; // wardwatch inventory (real captures, formats, 80 columns), inventory mark/states/history, allow add/list
mod live_capture; // live capture on a veth pair in a namespace: counted, passive, privileges dropped
mod models_default; // the shipped models/default matches its recorded digests; make models is reproducible
mod retrain; // retrain + models on a pump fleet: validate, list, show, MUD export, run, rollback, kill safety
mod rules; // promtool: the alerting/recording rules, their unit tests, the example prometheus.yml
mod run_alerts; // attacks built in the test: Alertmanager, alert file schema, metrics, feature log, identical replays
mod run_errors; // wardwatch run refusing bad configs, models, captures: clear errors, exit 2 / 1
mod run_reload; // SIGHUP reload: good config/models switched to, bad ones refused and counted
mod run_replay; // replay scraped by a real Prometheus, promtool-clean, SIGTERM exit, state resume
mod soak; // spoofed SYN flood through Pipeline + Detector: caps, exact accounting, alert budget (10 M packets under make soak)
mod synth; // wardwatch synth: files, determinism, exit codes, memory, tshark dissection
mod synth_eval; // retrain on one synthetic ward, eval on another seed's ward with every scenario
