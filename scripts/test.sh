#!/usr/bin/env bash
# Runs every test of the workspace: cargo nextest when installed, else cargo test; then the doc
# tests and one pass of every criterion benchmark (the smoke of `make bench`).
# Prints the runner's summary line last.
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC LC_ALL=C
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --locked --workspace --no-fail-fast 2>&1 | tee target/test.log
  cargo test --locked --workspace --doc --quiet >target/doctest.log 2>&1 || { cat target/doctest.log; exit 1; }
  # Smoke of `make bench`: every criterion benchmark runs once in test mode.
  cargo test --locked --workspace --bench '*' >target/bench-smoke.log 2>&1 || { cat target/bench-smoke.log; exit 1; }
  grep -E '^ *Summary' target/test.log | tail -1
else
  cargo test --locked --workspace --no-fail-fast 2>&1 | tee target/test.log
  cargo test --locked --workspace --bench '*' >target/bench-smoke.log 2>&1 || { cat target/bench-smoke.log; exit 1; }
  grep -E '^test result' target/test.log | awk '{p+=$4; f+=$6; i+=$8} END {printf "Summary: %d passed, %d failed, %d ignored\n", p, f, i}'
fi
