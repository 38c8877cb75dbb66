"""Shared fixtures: one strict build of the real site per test session, served on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What a project copy needs to build; .cache is shared through ROSETTA_CACHE_DIR instead.
PROJECT_PARTS = ("mkdocs.yml", "requirements.txt", "data", "docs", "notebooks", "overrides", "hooks", "macros", "content", "sitebuild", "benchmarks")
# The environment the Makefile exports to every build (see its comments).
BUILD_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0", "NO_MKDOCS_2_WARNING": "1",
                     "NBCONVERT_DISABLE_CONFIG_EXPORTERS": "1"}


def run_build(project: Path, site: Path, timeout: int = 1800, cache_dir: Path = ROOT / ".cache") -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of a project directory, as a user runs it."""
    env = {**os.environ, **BUILD_ENVIRONMENT, "ROSETTA_CACHE_DIR": str(cache_dir)}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"), "-d", str(site)],
        cwd=project, env=env, capture_output=True, text=True, timeout=timeout,
    )


def copy_project(destination: Path) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, destination / part)
    return destination


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    result = run_build(ROOT, site)
    assert result.returncode == 0, f"the strict build failed:\n{result.stderr[-4000:]}"
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(site_dir):
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
