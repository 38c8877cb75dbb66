"""Every API Rosetta row runs in all three frameworks on the same inputs; results agree, or differ
exactly as the row declares."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from macros.loading import load_rosetta
from macros.rosetta import disagreement, run

from conftest import ROOT

FRAMEWORKS = ["pytorch", "tensorflow", "jax"]
CATEGORIES = load_rosetta(ROOT, set(FRAMEWORKS))
ROWS = [(category.id, row) for category in CATEGORIES for row in category.rows]


@pytest.mark.parametrize("category, row", ROWS, ids=[f"{c}/{r.id}" for c, r in ROWS])
def test_row_runs_and_agrees(category, row):
    results = {}
    for framework in FRAMEWORKS:
        try:
            results[framework] = run(row, framework)
        except Exception as error:
            pytest.fail(f"data/rosetta/{category}.yml: {row.id}: the {framework} code raised "
                        f"{type(error).__name__}: {error}")
    problem = disagreement(row, results)
    assert problem is None, f"data/rosetta/{category}.yml: {row.id}: {problem}"


def test_rosetta_size_and_report(capsys):
    per_category = Counter({c.id: len(c.rows) for c in CATEGORIES})
    declared = sum(1 for _, row in ROWS if row.differs)
    with capsys.disabled():
        print(f"\nRosetta rows per category: {dict(per_category)}; total {len(ROWS)}; declared differences {declared}")
    assert len(ROWS) >= 200 and len(per_category) >= 12
