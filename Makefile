# Entry points (see README): `make serve` sets everything up and serves the site; `make test` runs
# every test. Each install step is guarded by a stamp file, so re-running installs nothing new.
SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
PYTHON_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
export TF_CPP_MIN_LOG_LEVEL := 2
export TF_ENABLE_ONEDNN_OPTS := 0
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve build test chromium benchmark measure schema releases

setup: $(PYTHON_STAMP) $(NODE_STAMP)

# torch==2.13.0 resolves to the CPU wheel on this machine kind's disk (pip only: uv/poetry miss it).
$(PYTHON_STAMP): requirements.txt pyproject.toml
	@test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

serve: setup
	$(VENV)/bin/mkdocs serve --dev-addr 127.0.0.1:8000

build: setup
	$(VENV)/bin/mkdocs build --strict

test: setup chromium
	$(VENV)/bin/pytest

benchmark: setup
	$(PYTHON) tests/benchmark.py

# Framework speed on this machine (about 2 minutes; run on a quiet machine): writes data/benchmarks/cpu-<date>.yml
measure: setup
	$(PYTHON) -m benchmarks --mode full --output data/benchmarks/cpu-$$(date -u +%F).yml

schema: setup
	$(PYTHON) -m macros.schema

# Releases on the package index (PIP_INDEX_URL, else PyPI) newer than the histories in data/; offline it says so.
releases: $(PYTHON_STAMP)
	$(PYTHON) scripts/newer_releases.py
