"""Notebook execution: once per change of inputs, failures reported as one line naming the cell."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content.checks import FrameworkIds
from content.errors import NotebookError
from content.loading import load_frameworks
from sitebuild.execution import cache_key, execute_all
from content.notebooks import read_notebook_source

from conftest import ROOT, copy_project, run_build

FRAMEWORKS = FrameworkIds(load_frameworks(ROOT))
SMALL_NOTEBOOK = f'''# %% [markdown]
# # Small

# %% tags=["{sorted(FRAMEWORKS)[0]}", "sum"]
import numpy as np
print(np.arange(4).sum())
'''


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "notebooks").mkdir()
    shutil.copytree(ROOT / "notebooks/helpers", tmp_path / "notebooks/helpers")
    (tmp_path / "notebooks/small.py").write_text(SMALL_NOTEBOOK)
    return tmp_path


def sources(root: Path) -> dict:
    return {p.stem: read_notebook_source(p, root, FRAMEWORKS) for p in sorted((root / "notebooks").glob("*.py"))}


def test_executes_once_then_reuses_until_an_input_changes(project):
    log: list[str] = []
    first = execute_all(sources(project), project, project / ".cache", log=log.append)
    assert not first["small"].from_cache
    assert first["small"].notebook.cells[1].outputs[0]["text"] == "6\n"
    assert first["small"].environment["distributions"]["numpy"]
    assert any("executing 1 of 1" in line for line in log) and any("executed in" in line for line in log)

    log.clear()
    second = execute_all(sources(project), project, project / ".cache", log=log.append)
    assert second["small"].from_cache and log == []

    helper = project / "notebooks/helpers/agreement.py"
    helper.write_text(helper.read_text() + "\n# a helper edit changes the key\n")
    third = execute_all(sources(project), project, project / ".cache", log=log.append)
    assert not third["small"].from_cache


def test_cache_key_covers_source_and_declared_dependencies(project):
    (project / "data.csv").write_text("1,2\n")
    notebook = project / "notebooks/small.py"
    notebook.write_text('# ---\n# jupyter:\n#   rosetta:\n#     depends_on: [data.csv]\n# ---\n\n' + SMALL_NOTEBOOK)
    before = cache_key(sources(project)["small"], project)
    (project / "data.csv").write_text("1,3\n")
    assert cache_key(sources(project)["small"], project) != before
    after_data = cache_key(sources(project)["small"], project)
    notebook.write_text(notebook.read_text() + "\n# %%\nprint('more')\n")
    assert cache_key(sources(project)["small"], project) != after_data


def test_failing_cell_is_reported_in_one_line(project):
    shutil.copy(ROOT / "tests/fixtures/broken-equivalence.py", project / "notebooks/broken-equivalence.py")
    with pytest.raises(NotebookError) as raised:
        execute_all(sources(project), project, project / ".cache", log=lambda _: None)
    message = str(raised.value)
    assert message.startswith("notebooks/broken-equivalence.py: cell 3")
    assert "AssertionError: equivalence check failed for deliberately different results" in message
    assert "\n" not in message and "\x1b" not in message
    assert not (project / ".cache/notebooks/broken-equivalence.ipynb").exists()


def add_to_reading_order(project, name: str) -> None:
    order = project / "data/notebook_order.yml"
    order.write_text(order.read_text() + f"- {name}\n")


def test_a_failed_equivalence_check_fails_the_site_build(tmp_path):
    project = copy_project(tmp_path / "project")
    shutil.copy(ROOT / "tests/fixtures/broken-equivalence.py", project / "notebooks/broken-equivalence.py")
    add_to_reading_order(project, "broken-equivalence")
    site = tmp_path / "site"
    result = run_build(project, site)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, result.stderr
    assert "notebooks/broken-equivalence.py: cell 3" in errors[0]
    assert "equivalence check failed" in errors[0]
    assert "Traceback" not in result.stderr
    assert not site.exists() or not any(site.iterdir())
