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

# ---- benchmarks (issue 6) ----------------------------------------------------
# Latency, cold start, throughput and cost, each as a ratio to a baseline from
# the same run; prints the tables and writes bench/results.md. About three
# minutes at bcrypt cost 12 on 2 cores. DDB_STAMP (DynamoDB Local, from the
# local stage's section above) is empty until that section exists.
.PHONY: bench

bench: setup $(DDB_STAMP)  ## benchmarks: latency, cold start, throughput, cost -> bench/results.md
	$(BIN)/python -m bench $(BENCH_ARGS)
