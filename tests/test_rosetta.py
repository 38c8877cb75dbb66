"""Every API Rosetta row runs in every framework on the same inputs; results agree, or differ exactly as the
row declares."""

from __future__ import annotations

from collections import Counter

import pytest

from content.checks import FrameworkIds
from content.loading import load_frameworks, load_rosetta
from content.rosetta import disagreement, run

from conftest import ROOT

FRAMEWORKS = load_frameworks(ROOT)
CATEGORIES = load_rosetta(ROOT, FrameworkIds(FRAMEWORKS))
ROWS = [(category.id, row) for category in CATEGORIES for row in category.rows]


@pytest.mark.parametrize("category, row", ROWS, ids=[f"{c}/{r.id}" for c, r in ROWS])
def test_row_runs_and_agrees(category, row):
    results = {}
    for framework in FRAMEWORKS:
        if framework.id not in row.code:  # a framework in preview that this row does not cover yet
            continue
        try:
            results[framework.id] = run(row, framework)
        except Exception as error:
            pytest.fail(f"data/rosetta/{category}.yml: {row.id}: the {framework.id} code raised "
                        f"{type(error).__name__}: {error}")
    problem = disagreement(row, results)
    assert problem is None, f"data/rosetta/{category}.yml: {row.id}: {problem}"


def test_rosetta_size_and_report(capsys):
    per_category = Counter({c.id: len(c.rows) for c in CATEGORIES})
    declared = sum(1 for _, row in ROWS if row.results_differ)
    with capsys.disabled():
        print(f"\nRosetta rows per category: {dict(per_category)}; total {len(ROWS)}; declared differences {declared}")
    assert len(ROWS) >= 200 and len(per_category) >= 12
