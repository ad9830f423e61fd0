# The two commands of the README: `make demo` and `make test`. Each brings the
# machine up to date first (scripts/bootstrap.sh skips what is already done).
SHELL := /bin/bash
export COREPACK_INTEGRITY_KEYS := 0
export COREPACK_ENABLE_DOWNLOAD_PROMPT := 0
PNPM := corepack pnpm

.PHONY: setup demo test lint typecheck unit bench

setup:
	@bash scripts/bootstrap.sh

demo: setup
	$(PNPM) --filter @beamflow/examples run demo

lint: setup
	$(PNPM) run lint

typecheck: setup
	$(PNPM) run typecheck

unit: setup
	$(PNPM) run test

test: setup
	$(PNPM) run lint
	$(PNPM) run typecheck
	$(PNPM) run test

bench: setup
	$(PNPM) run bench
