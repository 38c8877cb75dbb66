"""Builds of changed copies of the project: what a data edit alone can add, and which checkout's code a venv runs.

Both builds reuse the notebook executions of the real build (`site_dir` runs first; run_build shares the
cache), so neither executes a notebook: the test asserts that too, which keeps it to a plain build's time.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from content.loading import load_frameworks, load_rosetta
from content.checks import FrameworkIds
from content.rosetta import disagreement, run

from conftest import ROOT, copy_project, run_build

# A fourth framework as an editor would add it: one data file, marked as a preview (this one is Keras 3 on its
# own; its distribution is already tracked as a tool, so no notebook's cache key changes).
FOURTH = {
    "id": "keras", "name": "Keras", "preview": True, "distribution": "keras", "imports": ["import keras"],
    "from_numpy": "keras.ops.convert_to_tensor(array)", "colour": "#6d28d9", "licence": "Apache-2.0",
    "licence_source": "https://github.com/keras-team/keras/blob/master/LICENSE",
    "first_release": {"version": "3.0.0", "date": dt.date(2023, 11, 28),
                      "source": "https://github.com/keras-team/keras/releases/tag/v3.0.0"},
    "home": "https://keras.io/", "docs": "https://keras.io/api/", "repository": "https://github.com/keras-team/keras",
}
NEW_LEVEL = {"id": "experimental", "label": "Experimental", "colour": "#5b21b6", "symbol": "◇",
             "description": "Offered behind an experimental flag or namespace."}


def add_fourth_framework(project: Path) -> None:
    folder = project / "data/frameworks"
    # Start from an existing file, so fields this test does not know about come along.
    template = yaml.safe_load(sorted(folder.glob("*.yml"))[0].read_text(encoding="utf-8"))
    order = 1 + max(yaml.safe_load(p.read_text(encoding="utf-8"))["order"] for p in folder.glob("*.yml"))
    # Keras was a tool run beside a framework: as a framework it takes its release history along.
    tool = project / "data/tools/keras.yml"
    releases = yaml.safe_load(tool.read_text(encoding="utf-8"))["releases"]
    tool.unlink()
    (folder / "keras.yml").write_text(yaml.safe_dump({**template, **FOURTH, "order": order, "releases": releases},
                                                     sort_keys=False, allow_unicode=True), encoding="utf-8")
    levels_path = project / "data/support_levels.yml"
    levels = yaml.safe_load(levels_path.read_text(encoding="utf-8"))
    levels["levels"].append(NEW_LEVEL)
    levels_path.write_text(yaml.safe_dump(levels, sort_keys=False, allow_unicode=True), encoding="utf-8")
    # One feature cell (at the new level) and one Rosetta row cover it; everything else is left out.
    feature_path = sorted((project / "data/features").glob("*.yml"))[0]
    category = yaml.safe_load(feature_path.read_text(encoding="utf-8"))
    category["features"][0]["cells"]["keras"] = {"level": NEW_LEVEL["id"], "note": "A cell written for the test.",
                                                 "sources": ["https://keras.io/api/"]}
    feature_path.write_text(yaml.safe_dump(category, sort_keys=False, allow_unicode=True), encoding="utf-8")
    rosetta_path = project / "data/rosetta/reductions.yml"
    reductions = yaml.safe_load(rosetta_path.read_text(encoding="utf-8"))
    row = reductions["rows"][0]
    assert row["id"] == "sum-along-axis"
    row["code"]["keras"] = "keras.ops.sum(x, axis=1)"
    row["sources"]["keras"] = "https://keras.io/api/ops/numpy/#sum-function"
    rosetta_path.write_text(yaml.safe_dump(reductions, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_a_fourth_framework_in_preview_and_a_new_level_build_from_data_alone(tmp_path, site_dir):
    project = copy_project(tmp_path / "project")
    add_fourth_framework(project)

    # The runtime probes in its data file run its Rosetta code, which agrees with the other frameworks'.
    frameworks = load_frameworks(project)
    reductions = next(c for c in load_rosetta(project, FrameworkIds(frameworks)) if c.id == "reductions")
    row = reductions.rows[0]
    results = {f.id: run(row, f) for f in frameworks if f.id in row.code}
    assert set(results) == {f.id for f in frameworks} and disagreement(row, results) is None

    site = tmp_path / "site"
    result = run_build(project, site)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "notebooks: executing" not in result.stderr, "a data edit must not re-execute notebooks"

    matrix = (site / "matrix/index.html").read_text(encoding="utf-8")
    assert '<th scope="col" data-framework="keras">Keras</th>' in matrix
    assert "Not yet covered: Keras is being added." in matrix
    assert 'class="rosetta-badge rosetta-level-experimental"' in matrix and 'id="legend-experimental"' in matrix
    css = (site / "assets/vocabulary.css").read_text(encoding="utf-8")
    assert ".rosetta-level-experimental { --rosetta-badge-colour: #5b21b6; }" in css
    assert "--rosetta-framework-keras: #6d28d9;" in css
    assert (site / "frameworks/keras/index.html").is_file()
    assert 'href="frameworks/keras/"' in (site / "index.html").read_text(encoding="utf-8"), "in the navigation"
    reductions = (site / "rosetta/reductions/index.html").read_text(encoding="utf-8")
    assert "keras.ops.sum(x, axis=1)" in reductions and "<code>import keras</code>" in reductions


def test_a_second_clone_builds_with_its_own_code_through_this_venv(tmp_path, site_dir):
    """The venv does not install the project: hooks/pipeline.py puts its own checkout first on sys.path."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, capture_output=True)
    marker = "Built from the second clone's own templates."
    template = clone / "macros/templates/topic_index.md"
    template.write_text(template.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")
    assert marker not in (ROOT / "macros/templates/topic_index.md").read_text(encoding="utf-8")
    assert not (clone / ".venv").exists()

    site = tmp_path / "site"
    result = run_build(clone, site)  # this checkout's venv python, the clone's mkdocs.yml
    assert result.returncode == 0, result.stderr[-4000:]
    assert marker in re.sub(r"<[^>]+>", "", (site / "topics/index.html").read_text(encoding="utf-8"))
    shutil.rmtree(clone)
