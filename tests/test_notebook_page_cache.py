"""Notebook pages come from mkdocs-jupyter once, then from the cache, byte for byte the same; a build that renders
no notebook page does not even import it (nbconvert and jupytext were a third of a warm build)."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys

from conftest import BUILD_ENVIRONMENT, ROOT, copy_project


def build(project, site, cache) -> subprocess.CompletedProcess:
    env = {**os.environ, **BUILD_ENVIRONMENT, "ROSETTA_CACHE_DIR": str(cache)}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "mkdocs", "build", "--strict", "-d", str(site)],
                            cwd=project, env=env, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def same_trees(left, right) -> bool:
    comparison = filecmp.dircmp(left, right)
    _, mismatch, errors = filecmp.cmpfiles(left, right, comparison.common_files, shallow=False)
    return (not (comparison.left_only or comparison.right_only or mismatch or errors)
            and all(same_trees(left / sub, right / sub) for sub in comparison.common_dirs))


def test_notebook_pages_are_rendered_once_and_then_reused_without_loading_the_converter(tmp_path):
    project = copy_project(tmp_path / "project")
    cache = tmp_path / "cache"
    shutil.copytree(ROOT / ".cache/notebooks", cache / "notebooks")
    notebooks = len(list((ROOT / "notebooks").glob("*.py")))

    first = build(project, tmp_path / "rendered", cache)
    assert f"pages: 0 of {notebooks} notebook pages reused from the cache" in first.stderr
    assert "| mkdocs_jupyter.plugin" in first.stderr  # the converter ran

    second = build(project, tmp_path / "reused", cache)
    assert f"pages: {notebooks} of {notebooks} notebook pages reused from the cache" in second.stderr
    assert "mkdocs_jupyter" not in second.stderr and "| nbconvert" not in second.stderr
    assert same_trees(tmp_path / "rendered", tmp_path / "reused")
