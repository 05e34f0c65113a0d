#!/usr/bin/env bash
# make fuzz: runs every cargo-fuzz target of fuzz/ for SECONDS each (default 600, or
# FUZZ_SECONDS), on the stable toolchain (libFuzzer without a sanitizer: `-s none`), with
# per-input timeouts (-timeout=2) and an RSS limit (-rss_limit_mb=1024), so hangs and memory
# blow-ups count as crashes. Fails when any target crashed, hung or ran out of memory; the
# input is left under fuzz/artifacts/<target>/. FUZZ_TARGETS="a b" runs a subset.
#
# Corpora: fuzz/corpus/<target>/ (committed seeds, read only), fuzz/regressions/<target>/
# (past findings), seeds made at fuzz time from ../shared/data/pcaps when present (never
# committed), and fuzz/work/corpus/<target>/ (what libFuzzer finds; git-ignored, kept between
# runs).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUDGET=${1:-${FUZZ_SECONDS:-600}}
[[ $BUDGET =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2; }

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz (cargo install cargo-fuzz --locked)"
  cargo install cargo-fuzz --locked
fi

WORK=$ROOT/fuzz/work
mkdir -p "$WORK/logs" "$WORK/corpus"
extra=""
if [[ -d $ROOT/../shared/data/pcaps ]]; then
  mapfile -t captures < <(find "$ROOT/../shared/data/pcaps" -maxdepth 2 -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort | head -n 40)
  if ((${#captures[@]})); then
    rm -rf "$WORK/capture-seeds"
    cargo run --quiet --locked -p wardwatch-e2e --example fuzz_seeds -- capture "$WORK/capture-seeds" "${captures[@]}"
    extra=$WORK/capture-seeds
  fi
else
  echo "skipped: real captures not present (../shared/data/pcaps); committed seeds only"
fi

cd fuzz
cargo fuzz build -s none --debug-assertions
if [[ -n ${FUZZ_TARGETS:-} ]]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  mapfile -t targets < <(cargo fuzz list)
fi

failed=()
summary=()
for t in "${targets[@]}"; do
  dirs=("$WORK/corpus/$t" "corpus/$t")
  [[ -d regressions/$t ]] && dirs+=("regressions/$t")
  [[ -n $extra && -d $extra/$t ]] && dirs+=("$extra/$t")
  mkdir -p "$WORK/corpus/$t" "artifacts/$t"
  log=$WORK/logs/$t.log
  echo "== $t: ${BUDGET}s"
  status=0
  cargo fuzz run -s none --debug-assertions "$t" "${dirs[@]}" -- \
    -max_total_time="$BUDGET" -timeout=2 -rss_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix="artifacts/$t/" >"$log" 2>&1 || status=$?
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  if ((status != 0)); then
    failed+=("$t")
    tail -n 40 "$log"
    summary+=("$(printf '%-16s FAILED (exit %s) execs=%s  see fuzz/artifacts/%s/ and %s' "$t" "$status" "${execs:-?}" "$t" "$log")")
  else
    summary+=("$(printf '%-16s ok  execs=%-12s cov=%s' "$t" "${execs:-?}" "${cov:-?}")")
  fi
  echo "${summary[-1]}"
done

echo
echo "fuzz summary (${BUDGET}s per target):"
printf '  %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "crashes, timeouts or OOMs in: ${failed[*]}" >&2
  exit 1
fi
