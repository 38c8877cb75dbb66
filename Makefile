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
# nbconvert otherwise loads each of its ~28 exporters, at import, to list them in a command-line help text the
# build never shows: 0.4 s of each build that renders a notebook page. tests/conftest.py BUILD_ENVIRONMENT mirrors these.
export NBCONVERT_DISABLE_CONFIG_EXPORTERS := 1

.PHONY: setup serve build test chromium benchmark measure schema releases execute merge-caches offline linkcheck

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

# One shard of the notebook executions (CI runs one per job): `make execute SHARD=2/3`. The executed notebooks
# land in the content-keyed cache (ROSETTA_CACHE_DIR or .cache/); `make merge-caches CACHES="a b c"` joins them.
SHARD ?= 1/1
execute: setup
	$(PYTHON) -m sitebuild.sharding execute --shard $(SHARD)

merge-caches: setup
	$(PYTHON) -m sitebuild.sharding merge $${ROSETTA_CACHE_DIR:-.cache} $(CACHES)

# The offline edition: the site with Material's offline plugin and lunr search, zipped (hooks/offline.py).
# A later `make build` copies it into the site and links it from the home page.
offline: setup
	rm -rf build/offline && mkdir -p build/offline
	ROSETTA_OFFLINE=true ROSETTA_SEARCH_ENGINE=lunr $(VENV)/bin/mkdocs build --strict -d build/offline/tensor-rosetta
	rm -f build/tensor-rosetta-offline.zip
	cd build/offline && ../../$(PYTHON) -m zipfile -c ../tensor-rosetta-offline.zip tensor-rosetta
	@echo "offline edition: build/tensor-rosetta-offline.zip"

# Every external source URL (the weekly CI run does this with the same lychee arguments); needs lychee and a network.
linkcheck:
	@if command -v lychee >/dev/null && curl -sfI --max-time 5 https://github.com >/dev/null 2>&1; then \
	  lychee --no-progress --max-concurrency 8 --accept 200,429 "data/**/*.yml" "notebooks/*.py"; \
	else echo "link check skipped: no lychee or no network here (it runs weekly in .github/workflows/publish.yml)"; fi

benchmark: setup
	$(PYTHON) tests/benchmark.py

# Framework speed on this machine (about 2 minutes; run on a quiet machine): writes data/benchmarks/cpu-<date>.yml
measure: setup
	$(PYTHON) -m benchmarks --mode full --output data/benchmarks/cpu-$$(date -u +%F).yml

schema: setup
	$(PYTHON) -m content.schema

# Releases on the package index (PIP_INDEX_URL, else PyPI) newer than the histories in data/; offline it says so.
releases: $(PYTHON_STAMP)
	$(PYTHON) scripts/newer_releases.py
