#!/usr/bin/env bash
# make models: reproducibly train the shipped model store models/default/ from a synthetic
# normal ward. Same sources, same files: running it twice gives byte-identical files.
#
#   1. wardwatch synth: seed 4242 (used by no test or fixture), models/training-ward.toml (the demo
#      ward's thinned volumes, at least three devices of every catalog device model), 72 hours
#      from 2026-01-05T00:00:00Z (three UTC days: a profile matures after three days), no attacks.
#   2. wardwatch retrain: 20 % time-ordered hold-out, models/training-params.toml (a portable set:
#      fleet profiles only), --activate, into a fresh store.
#   3. The fresh store replaces models/default/.
#
# Overrides (tests and experiments): MODELS_SEED, MODELS_DURATION, MODELS_START, MODELS_WARD,
# MODELS_OUT (default models/default), WARDWATCH_BIN (default: target/release/wardwatch, built).
set -euo pipefail
cd "$(dirname "$0")/.."
seed=${MODELS_SEED:-4242}
duration=${MODELS_DURATION:-72h}
start=${MODELS_START:-2026-01-05T00:00:00Z}
ward=${MODELS_WARD:-models/training-ward.toml}
out=${MODELS_OUT:-models/default}
bin=${WARDWATCH_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --locked --quiet -p wardwatch
  bin=target/release/wardwatch
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wardwatch-models.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$bin" synth --seed "$seed" --duration "$duration" --start "$start" --scenarios none \
  --config "$ward" --catalog models/catalog.toml --out "$work/normal.pcap"
"$bin" retrain "$work/normal.pcap" --out "$work/store" --models models --holdout 0.2 \
  --params models/training-params.toml --activate \
  | tee "$work/summary.txt"

# Catalog device models without a mature fleet profile (too few identified devices, or not
# enough windows, days or hours of the day): statistical alerts stay off for them until a site
# retrains on its own traffic.
missing=()
while read -r id; do
  grep -Eq "^model $id +.* mature$" "$work/summary.txt" || missing+=("$id")
done < <(sed -n 's/^id = "\(.*\)"$/\1/p' models/catalog.toml)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "catalog models without a mature fleet profile (${#missing[@]}): ${missing[*]}"
fi

echo "input: normal.pcap sha256 $(sha256sum "$work/normal.pcap" | cut -d' ' -f1)"
rm -rf "$out.new"
mkdir -p "$(dirname "$out")"
cp -R "$work/store" "$out.new"
rm -rf "$out"
mv "$out.new" "$out"
echo "active version: $(cat "$out/ACTIVE") in $out"
