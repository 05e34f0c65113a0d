#!/usr/bin/env bash
# make run: replays the bundled demo ward capture through the real sensor with the shipped models
# and shows what it produced: a banner (file, size, packets), the device inventory, the alerts,
# and where to go from here. Nothing is made up: every line comes from the files and the
# wardwatch commands below, and any failing step stops the demo with its log.
#
# WARDWATCH_BIN overrides the binary (default target/release/wardwatch, built by `make build`),
# e.g. WARDWATCH_BIN=target/debug/wardwatch scripts/run-demo.sh while developing.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${WARDWATCH_BIN:-target/release/wardwatch}
capture=fixtures/demo/ward.pcap
config=fixtures/demo/sensor.toml
models=models
out=target/demo

fail() {
  echo "make run: $*" >&2
  exit 1
}

# step LOG DESCRIPTION COMMAND...: runs COMMAND with its standard error in LOG; on failure prints
# the end of LOG and stops with the command's exit code.
step() {
  local log=$1 what=$2
  shift 2
  local code=0
  "$@" 2>"$log" || code=$?
  if [ "$code" -ne 0 ]; then
    echo "make run: $what failed (exit $code): $*" >&2
    tail -n 20 "$log" >&2
    exit "$code"
  fi
}

[ -x "$bin" ] && [ -s "$bin" ] || fail "$bin is missing: build it with 'make build' (or set WARDWATCH_BIN)"
[ -f "$capture" ] || fail "$capture is missing: regenerate it with 'make fixtures'"
mkdir -p "$out"
# The alert sink appends: start from an empty file so the demo shows this run only.
rm -f "$out/alerts.jsonl" "$out/inventory.json"

step "$out/run.log" "replaying the capture" \
  "$bin" run --replay "$capture" --config "$config" --models "$models" \
  --alerts "$out/alerts.jsonl" --inventory-out "$out/inventory.json" --metrics-listen 127.0.0.1:0

# Banner: the size from the file system, the packet count and model version from the sensor's log.
packets=$(sed -n 's/.* replay finished packets=\([0-9][0-9]*\).*/\1/p' "$out/run.log" | tail -n 1)
version=$(sed -n 's/.* trained profiles loaded .* version=\([^ ]*\).*/\1/p' "$out/run.log" | tail -n 1)
[ -n "$packets" ] || fail "the sensor's log ($out/run.log) does not say how many packets it replayed"
[ -n "$version" ] || fail "the sensor's log ($out/run.log) does not name the model version it loaded"
bytes=$(stat -c %s "$capture")
size=$(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1000000 }')
echo "wardwatch demo: replayed $capture ($size, $packets packets) through $("$bin" --version), models $models/default version $version"
echo

# The inventory table: `wardwatch inventory` replays the same capture with the same configuration;
# its JSON must be byte for byte what the sensor wrote (--inventory-out), so the table below is the
# sensor's inventory.
step "$out/inventory.log" "reading the inventory" \
  "$bin" inventory "$capture" --config "$config" --models "$models" --format json \
  >"$out/inventory.check.json"
cmp -s "$out/inventory.check.json" "$out/inventory.json" ||
  fail "the inventory of '$bin inventory' differs from the sensor's $out/inventory.json"
rm -f "$out/inventory.check.json"
echo "== Inventory: every device seen, known-exploited and highest risk first"
step "$out/inventory.log" "printing the inventory" \
  "$bin" inventory "$capture" --config "$config" --models "$models"
echo

echo "== Alerts, in the order the sensor raised them (packet time)"
step "$out/alerts.log" "reading the alerts" "$bin" alerts "$out/alerts.jsonl"
echo

echo "Files:   $out/alerts.jsonl (one JSON alert per line), $out/inventory.json, $out/run.log (sensor log)"
echo "Live:    sudo wardwatch run --interface IF --internal-net CIDR --alerts FILE  (a SPAN or TAP port; root only to open it, then user 'wardwatch'; docs/operations.md)"
echo "Metrics: $bin run --replay $capture --config $config --keep-running, then http://127.0.0.1:9917/metrics; Grafana dashboards in dashboards/ (docs/dashboards.md)"
