"""Reproducible pages (issue 10): a build from freshly executed notebooks is byte-identical to a build from the
cache, page by page, notebook download by notebook download, sitemap and search index included — except inside
the outputs of cells tagged `measured` (timings, file sizes), which say on the page that they vary.

Slow by nature: the second build executes every notebook again (about as long as a cold build, ~5 minutes on
two cores), which is the point — a notebook re-run with unchanged inputs must not change a single page.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys

import pytest

from conftest import BUILD_ENVIRONMENT, ROOT, copy_project
from sitebuild.reproducible import differs_outside_measurements


def build(project, site, cache) -> subprocess.CompletedProcess:
    env = {**os.environ, **BUILD_ENVIRONMENT, "ROSETTA_CACHE_DIR": str(cache)}
    env.pop("SOURCE_DATE_EPOCH", None)  # the dates must come from the data, not from the caller
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)], cwd=project,
                          env=env, capture_output=True, text=True, timeout=3600)


def differing_files(left, right) -> list[str]:
    comparison = filecmp.dircmp(left, right)
    found = [f"only in one build: {name}" for name in comparison.left_only + comparison.right_only]
    _, mismatch, errors = filecmp.cmpfiles(left, right, comparison.common_files, shallow=False)
    found += errors + [name for name in mismatch if differs_outside_measurements(left / name, right / name)]
    for sub in comparison.common_dirs:
        found += [f"{sub}/{name}" for name in differing_files(left / sub, right / sub)]
    return found


@pytest.mark.slow
def test_rebuilding_with_the_execution_cache_wiped_changes_no_file(tmp_path):
    project = copy_project(tmp_path / "project")
    warm = tmp_path / "warm-cache"
    shutil.copytree(ROOT / ".cache/notebooks", warm / "notebooks")
    first = build(project, tmp_path / "site-from-cache", warm)
    assert first.returncode == 0, first.stderr[-3000:]

    second = build(project, tmp_path / "site-re-executed", tmp_path / "empty-cache")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "notebooks: executing" in second.stderr, "the second build should have executed the notebooks"

    differences = differing_files(tmp_path / "site-from-cache", tmp_path / "site-re-executed")
    assert not differences, (f"{len(differences)} files differ after re-executing: {differences[:20]} — fix: remove "
                             "what varies between runs from the output, or tag the cell `measured` if it is a "
                             "measurement")
