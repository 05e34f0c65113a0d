# wardwatch — the public interface for people. Each target is one or two commands; `make help` lists them.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
DEB_PACKAGES := libpcap-dev prometheus prometheus-alertmanager tshark tcpdump
DEMO := fixtures/demo/ward.pcap

.PHONY: help deps build run test lint bench fuzz soak fixtures models oui

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

deps: ## Install the Debian packages wardwatch needs (idempotent; apt-get only when something is missing)
	@scripts/deps.sh $(DEB_PACKAGES)

build: ## Build the release binary (target/release/wardwatch)
	$(CARGO) build --release --locked -p wardwatch

run: deps build ## Replay the bundled demo ward capture with the shipped models: inventory + alerts
	@scripts/run-demo.sh

test: deps lint ## Lint, then every test of the workspace (unit, property, golden, end-to-end)
	@scripts/test.sh

lint: ## cargo fmt --check and clippy -D warnings on all targets
	$(CARGO) fmt --all --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

bench: ## Criterion benchmarks (full size)
	$(CARGO) bench --locked --workspace

fuzz: ## Long fuzzing of every wire and file parser (cargo-fuzz, stable, no sanitizer)
	@scripts/fuzz.sh $${FUZZ_SECONDS:-600}

soak: ## Long floods and soak tests (10-million-packet spoofed flood, memory plateau)
	WARDWATCH_SOAK=1 $(CARGO) test --release --locked --workspace -- --ignored soak --nocapture

fixtures: ## Regenerate every generated fixture (git diff stays clean when nothing changed)
	@scripts/fixtures.sh

models: ## Reproducibly train the shipped models/default from a synthetic normal ward
	@scripts/models.sh

oui: ## Regenerate models/oui.tsv from Debian's ieee-data registry
	@scripts/oui.sh
