#!/usr/bin/env bash
# make run: replay the bundled demo capture through the sensor with the shipped models and show
# the inventory and the alerts. Prints only what the sensor really produced.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/wardwatch
"$bin" --version
demo=fixtures/demo/ward.pcap
if [ ! -f "$demo" ]; then
  echo "The demo capture $demo is not in this tree yet (synthetic ward, issue #4): nothing to replay."
  echo "What exists now: $bin --help"
  exit 0
fi
