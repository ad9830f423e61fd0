# The two commands of the README: `make demo` and `make test`. Each brings the
# machine up to date first (scripts/bootstrap.sh skips what is already done).
SHELL := /bin/bash
export COREPACK_INTEGRITY_KEYS := 0
export COREPACK_ENABLE_DOWNLOAD_PROMPT := 0
PNPM := corepack pnpm

.PHONY: setup setup-test demo test lint typecheck unit bench

setup:
	@bash scripts/bootstrap.sh

# The tests also need a real RTMP server (Debian's nginx with its RTMP module), a
# Vulkan device on the CPU (Mesa's lavapipe) for the hardware-frame tests, and
# Chromium (headless, driven by playwright-core) for the browser playback tests, and
# Redis for the cluster tests (BullMQ's queue).
setup-test:
	@bash scripts/bootstrap.sh nginx-rtmp vulkan chromium redis

demo: setup
	$(PNPM) --filter @beamflow/examples run demo

lint: setup
	$(PNPM) run lint

typecheck: setup
	$(PNPM) run typecheck

unit: setup-test
	$(PNPM) run test

test: setup-test
	$(PNPM) run lint
	$(PNPM) run typecheck
	$(PNPM) run test

# The cluster benchmark runs a Redis of its own.
bench: setup
	@bash scripts/bootstrap.sh redis
	$(PNPM) run bench
