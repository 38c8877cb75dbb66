"""Every Python API cited in data/features resolves in the installed versions, or the cell names
the package it lives in and that package is not installed. A cited API that warns of its own
deprecation on access must be marked deprecated in data."""

from __future__ import annotations

import os
import pytest

from content.api_names import cited_names, import_aliases, resolve
from content.loading import load_site

from conftest import ROOT

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
SITE = load_site(ROOT)
ALIASES = import_aliases(SITE.frameworks)
CITED = [
    (f"{category.id}/{feature.id}/{framework_id}", name, cell)
    for category in SITE.categories for feature in category.features
    for framework_id, cell in feature.cells.items() if cell.api
    for name in cited_names(cell.api, ALIASES)
]


def test_there_are_api_names_to_check():
    assert len(CITED) >= 50


@pytest.mark.parametrize("where, name, cell", CITED, ids=[f"{w}:{n}" for w, n, _ in CITED])
def test_cited_api_resolves(where, name, cell):
    result = resolve(name, ALIASES, cell.package)
    assert result.status != "unresolved", (
        f"data/features/{where.split('/')[0]}.yml: {where}: `{name}` does not resolve ({result.detail}) — "
        "fix the name, or set `package:` to the pip distribution it lives in")
    if result.deprecation_warning:
        assert cell.level == "deprecated" or cell.deprecation, (
            f"{where}: `{name}` warns '{result.deprecation_warning[:120]}' — mark the cell deprecated")


def test_aliases_come_from_the_frameworks_import_lines():
    framework = SITE.frameworks[0].model_copy(update={"imports": ["import a.b as ab", "from c import d", "import e"]})
    assert import_aliases([framework]) == {"np": "numpy", "ab": "a.b", "d": "c.d"}
    assert cited_names("`ab.f` or `d.g(x)` and Plain.text", {"ab": "a.b", "d": "c.d"}) == ["ab.f", "d.g"]


def test_only_a_warning_naming_the_api_counts_as_its_deprecation(monkeypatch):
    import sys
    import types
    import warnings

    class Package(types.ModuleType):
        def __getattr__(self, attribute):
            warnings.warn("read_text is deprecated. Use files() instead.", DeprecationWarning)
            if attribute == "old_api":
                warnings.warn("`fakepkg.old_api` is deprecated, use `new_api`", DeprecationWarning)
            return lambda: None

    monkeypatch.setitem(sys.modules, "fakepkg", Package("fakepkg"))
    assert resolve("fakepkg.new_api", {}).deprecation_warning == ""
    assert "old_api" in resolve("fakepkg.old_api", {}).deprecation_warning
