"""The build's HTML checks on pages written for the test: what they must catch, and what they must not."""

from __future__ import annotations

from pathlib import Path

from sitebuild.html_checks import duplicate_id_problems, notebook_page_problems

NOTEBOOK = '''# %% [markdown]
# # Links
#
# See [the matrix](../../matrix/#legend) and [nowhere](../../nowhere/) and [a bad anchor](../../matrix/#nope).
'''


def page(body: str) -> str:
    return (f'<html><body><header><a href="javascript:void(0)">theme</a></header>'
            f'<article class="md-content__inner">{body}</article></body></html>')


def write(site: Path, relative: str, html: str) -> Path:
    path = site / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def test_notebook_page_links_anchors_loads_and_handlers(tmp_path):
    site = tmp_path / "site"
    write(site, "matrix/index.html", page('<h2 id="legend">Legend</h2>'))
    write(site, "notebooks/links/index.html", page(
        '<a href="../../matrix/#legend">ok</a><a href="../../nowhere/">x</a><a href="../../matrix/#nope">y</a>'
        '<a href="https://docs.jax.dev/">external links are fine</a><img src="https://tracker.example/p.png">'
        '<img src="data:image/png;base64,AAAA" onload="steal()">'))
    source = tmp_path / "links.py"
    source.write_text(NOTEBOOK)
    problems = notebook_page_problems(site, "links", source)
    assert problems[0].startswith("notebooks/links.py: cell 1: the link '../../matrix/#nope' points at an anchor 'nope'")
    assert problems[1].startswith("notebooks/links.py: cell 1: the link '../../nowhere/' points at no page of the site")
    assert any("loads 'https://tracker.example/p.png' from another origin" in p for p in problems)
    assert any("an event-handler attribute" in p for p in problems)
    assert not any("javascript:void" in p for p in problems), "the theme's own header is not the notebook's"
    assert len(problems) == 4 and all(" — fix: " in p and "\n" not in p for p in problems)


def test_duplicate_ids_on_a_page(tmp_path):
    site = tmp_path / "site"
    path = write(site, "matrix/index.html", page('<h2 id="legend">Legend</h2><section id="legend"></section><p id="x">'))
    assert duplicate_id_problems(site, path) == [
        "matrix/index.html: id 'legend': appears 2 times on the page — fix: give the data item whose id makes this "
        "anchor another id"]
