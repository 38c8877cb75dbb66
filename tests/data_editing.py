"""Helpers for the data-error tests: a copy of the project's data to break, and the check that the build refuses it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from content.errors import DataError, NotebookError, SiteInputError, SiteInputErrors
from content.loading import load_frameworks, load_site

from conftest import ROOT

TODAY = dt.date.today()
# Framework ids as data names them: the first and last column.
FIRST, LAST = load_frameworks(ROOT)[0].id, load_frameworks(ROOT)[-1].id


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    for part in ("data", "notebooks"):
        shutil.copytree(ROOT / part, root / part)
    return root


def feature_files(root: Path) -> list[Path]:
    return sorted((root / "data/features").glob("*.yml"))


def topic_with_snippets(root: Path) -> Path:
    return next(p for p in sorted((root / "data/topics").glob("*.yml")) if yaml.safe_load(p.read_text())["snippets"])


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def first_cell(data, framework=FIRST):
    return data["features"][0]["cells"][framework]


# Each case: (name, function(root) → (file, key path) it breaks, fragment the message must contain)


def claim_files(root: Path) -> list[Path]:
    return sorted((root / "data/claims").glob("*.yml"))


def any_topic(root: Path) -> Path:
    return sorted((root / "data/topics").glob("*.yml"))[0]


def errors_of(raised: SiteInputError) -> list[SiteInputError]:
    return raised.errors if isinstance(raised, SiteInputErrors) else [raised]


def assert_refused(project: Path, breakage) -> None:
    """`breakage` breaks the copy and says (file, key path, message fragment): loading must stop with that error
    among the batch, every error of which is one line with a fix."""
    expected_file, expected_key, fragment = breakage(project)
    with pytest.raises(SiteInputError) as raised:
        load_site(project, today=TODAY)
    errors = errors_of(raised.value)
    matching = [e for e in errors if e.file == expected_file and e.key_path.startswith(expected_key)
                and fragment in str(e)]
    assert matching, "\n".join(str(e) for e in errors)
    for error in errors:
        message = str(error)
        assert "\n" not in message and " — fix: " in message and error.fix.strip(), message
        assert len(message) < 1200, message[:200]
    error = matching[0]
    assert isinstance(error, NotebookError if expected_file.startswith("notebooks/") else DataError)
