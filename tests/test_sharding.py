"""Sharded execution, as the CI workflow runs it: `make execute SHARD=i/3` into three cache folders, merged,
then a build that executes nothing.

Each shard's folder starts with the shard's own executed notebooks from .cache/ except its quickest one, so
every shard really executes one notebook (about a minute in all) and the shards' lists must cover the site.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import BUILD_ENVIRONMENT, ROOT
from sitebuild.sharding import parse_shard, shard_names

SHARDS = 3


def make(target: str, cache, *variables: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **BUILD_ENVIRONMENT, "ROSETTA_CACHE_DIR": str(cache)}
    return subprocess.run(["make", "--no-print-directory", target, *variables], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=1800)


def test_shard_arguments_are_checked():
    assert parse_shard("2/3") == (2, 3)
    for wrong in ("0/3", "4/3", "3", "a/b"):
        with pytest.raises(SystemExit, match="fix: write INDEX/COUNT"):
            parse_shard(wrong)
    names = [f"n{i}" for i in range(19)]
    shards = [shard_names(names, i, SHARDS) for i in range(1, SHARDS + 1)]
    assert sorted(sum(shards, [])) == sorted(names), "the shards together hold every notebook exactly once"


@pytest.mark.slow
def test_three_shards_merged_leave_nothing_to_execute(tmp_path):
    cached = {path.stem: path for path in (ROOT / ".cache/notebooks").glob("*.ipynb")}
    notebooks = sorted(path.stem for path in (ROOT / "notebooks").glob("*.py"))
    if set(notebooks) - set(cached):
        pytest.skip("run `make build` first: the shard folders are seeded from the executed notebooks in .cache/")
    seconds = {name: json.loads(cached[name].read_text())["metadata"]["rosetta"]["seconds"] for name in notebooks}
    caches = []
    for index in range(1, SHARDS + 1):
        cache = tmp_path / f"shard-{index}"
        (cache / "notebooks").mkdir(parents=True)
        mine = shard_names(notebooks, index, SHARDS)
        quickest = min(mine, key=seconds.get)
        for name in mine:
            if name != quickest:
                shutil.copy2(cached[name], cache / "notebooks" / cached[name].name)
        result = make("execute", cache, f"SHARD={index}/{SHARDS}")
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        assert f"executing 1 of {len(mine)}" in result.stdout and quickest in result.stdout, result.stdout
        caches.append(cache)

    merged = tmp_path / "merged"
    result = make("merge-caches", merged, "CACHES=" + " ".join(map(str, caches)))
    assert result.returncode == 0 and f"merged {len(notebooks)} executed notebooks" in result.stdout, result.stdout

    env = {**os.environ, **BUILD_ENVIRONMENT, "ROSETTA_CACHE_DIR": str(merged)}
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert build.returncode == 0, build.stderr[-3000:]
    assert "notebooks: executing" not in build.stderr, "the build after merging executed notebooks again"
