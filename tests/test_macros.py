"""The macros' pure functions and templates, without MkDocs, on a small hand-made Site."""

from __future__ import annotations

import dataclasses
import datetime as dt

import nbformat
import pytest

from macros.audit import claims_audit
from sitebuild.execution import ExecutedNotebook
from content.loading import Site
from macros.matrix import features_table, legend, levels_used, matrix_page, matrix_rows
from content.models import Claim, Feature, FeatureCategory, FeatureCell, Framework, SeedArticle, Topic
from content.vocabularies import (ClaimVerdicts, DifferenceKind, DifferenceKinds, SupportLevel, SupportLevels,
                                 VocabularyTerm)
from content.notebooks import NotebookSource, snippet_index
from macros.rendering import code_fence, compact_html, inline_text, source_label
from macros.urls import doc_link, html_link, page_url, relative_url
from macros.snippets import snippet_tabs
from macros.topics import framework_page, topic_page

FRAMEWORK_IDS = ("alpha", "beta", "gamma")
NAMES = {"alpha": "Alpha", "beta": "Beta", "gamma": "Gamma"}


def framework(framework_id: str, order: int) -> Framework:
    url = f"https://{framework_id}.example.org/"
    return Framework(id=framework_id, name=NAMES[framework_id], order=order,
                     distribution=framework_id, maintainer="Someone",
                     first_release={"version": "0.1", "date": dt.date(2016, 1, 1), "source": url},
                     licence="Apache-2.0", licence_source=url, home=url, docs=url, repository=url,
                     high_level_api="Layers", summary="A framework.", imports=[f"import {framework_id}"],
                     from_numpy="np.asarray(array)", colour="#1b5e20",
                     releases=[{"version": v, "date": d, "source": url} for v, d in RELEASES[framework_id]])


# What the `executed` fixture reports, plus one newer release of the first framework the data knows about.
RELEASES = {"alpha": [("2.13.0", dt.date(2026, 7, 8)), ("2.14.0", dt.date(2026, 9, 2))],
            "beta": [("2.21.0", dt.date(2026, 3, 6))], "gamma": [("0.10.2", dt.date(2026, 6, 17))]}


def cell(level: str, note: str = "A note.") -> FeatureCell:
    return FeatureCell(level=level, api="x.y", since="1.0", note=note, sources=["https://docs.example.org/a"])


@pytest.fixture
def site() -> Site:
    levels = SupportLevels(levels=[
        SupportLevel(id="built-in", label="Built in", colour="#1b5e20", symbol="●", description="In the box."),
        SupportLevel(id="partial", label="Partial", colour="#8a4b00", symbol="◔", description="Some of it."),
        SupportLevel(id="none", label="None", colour="#424242", symbol="–", description="Not offered."),
    ])
    kinds = DifferenceKinds(kinds=[DifferenceKind(id="names", label="Names differ", colour="#424242", trap=False,
                                                  description="Only names.")])
    verdicts = ClaimVerdicts(verdicts=[VocabularyTerm(id="outdated", label="Outdated", colour="#8a4b00",
                                                    description="was true, no longer")])
    category = FeatureCategory(id="autodiff", title="Autodiff", order=1, description="Gradients.", features=[
        Feature(id="grad", name="Gradients", description="Reverse mode.",
                cells={"alpha": cell("built-in"), "beta": cell("built-in"), "gamma": cell("partial")}),
    ])
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Demo notebook"),
        *[nbformat.v4.new_code_cell(f"print('{f}')", metadata={"tags": [f, "hello"]}) for f in FRAMEWORK_IDS],
    ])
    source = NotebookSource(name="demo", path=None, title="Demo notebook",
                            snippets=snippet_index(nb, "notebooks/demo.py", set(FRAMEWORK_IDS)))
    topic = Topic(id="gradients", title="Gradients", order=1, summary="About `grad`.",
                  at_a_glance={"verdict": "Any of them computes `grad`.",
                               "frameworks": {f: {"answer": f"{NAMES[f]} answers.", "level": "built-in",
                                                  "api": f"`{f}.grad`"} for f in FRAMEWORK_IDS}},
                  questions=["how do i get gradients", "gradient tape vs backward", "grad in gamma"],
                  positions={f: f"{NAMES[f]} position." for f in FRAMEWORK_IDS},
                  timeline=[{"date": dt.date(2020, 1, i), "framework": "gamma", "version": "0.1",
                             "event": f"Event {i}.", "source": "https://docs.example.org/"} for i in (1, 2, 3)],
                  related_features=["grad"], snippets=[{"notebook": "demo", "snippet": "hello", "title": "Hello", "caption": "Says hello."}],
                  verdict=[{"condition": f"you need gradients {i}", "choice": "any of them"} for i in (1, 2, 3)],
                  sources=[{"title": f"Docs {i}", "url": "https://docs.example.org/"} for i in (1, 2, 3, 4)],
                  applies_to={"alpha": "2.13", "beta": "2.21", "gamma": "0.10"},
                  last_reviewed=dt.date(2026, 1, 1))
    return Site(frameworks=tuple(framework(f, i) for i, f in enumerate(FRAMEWORK_IDS, 1)), levels=levels,
                difference_kinds=kinds, verdicts=verdicts, categories=(category,), topics=(topic,),
                notebooks={"demo": source})


@pytest.fixture
def executed(site) -> dict:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Demo notebook")])
    for index, framework_id in enumerate(FRAMEWORK_IDS):
        code = nbformat.v4.new_code_cell(f"print('{framework_id}')", metadata={"tags": [framework_id, "hello"]})
        code.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"\x1b[31mhello from {framework_id}\x1b[0m\n")]
        if framework_id == "gamma":
            code.outputs.append(nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="}))
        if framework_id == "beta":
            code.outputs.append(nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg></svg>"}))
        nb.cells.append(code)
    environment = {"python": "3.11", "platform": "Linux", "machine": "x86_64", "cpu_count": 2,
                   "distributions": {"alpha": "2.13.0", "beta": "2.21.0", "gamma": "0.10.2"}}
    nb.metadata["rosetta"] = {"executed_at": "2026-11-21T00:00:00Z", "environment": environment}
    return {"demo": ExecutedNotebook("demo", None, nb, environment, 1.0, from_cache=True)}


def test_inline_text_escapes_html_and_keeps_code():
    assert str(inline_text("a <script>alert(1)</script> `x < y`")) == \
        "a &lt;script&gt;alert(1)&lt;/script&gt; <code>x &lt; y</code>"


def test_links_between_pages():
    assert doc_link("topics/a.md", "matrix.md#feature-x") == "../matrix.md#feature-x"
    assert doc_link("index.md", "topics/a.md") == "topics/a.md"
    assert page_url("topics/a.md") == "topics/a/" and page_url("index.md") == "" and page_url("topics/index.md") == "topics/"
    assert relative_url("topics/a/", "matrix/#feature-x") == "../../matrix/#feature-x"
    assert relative_url("", "matrix/#legend") == "matrix/#legend"
    assert html_link("topics/a.md", "matrix.md#feature-x") == "../../matrix/#feature-x"
    assert html_link("matrix.md", "matrix.md#feature-x") == "#feature-x"
    assert html_link("index.md", "notebooks/tensors.ipynb") == "notebooks/tensors/"
    assert source_label("https://www.beta.org/guide/autodiff/") == "beta.org/guide/autodiff"


def test_code_fence_outlasts_backticks_in_the_code():
    fence = code_fence("s = '```'\n", "python")
    assert fence.startswith("````python\n") and fence.endswith("\n````")


def test_compact_html_removes_blank_lines():
    assert compact_html("<table>\n\n  <tr>\n \n</table>") == "<table>\n  <tr>\n</table>"


def test_matrix_rows_follow_framework_order_and_legend_shows_only_used_levels(site):
    rows = matrix_rows(site)
    assert [c.framework.id for c in rows[0].cells] == list(FRAMEWORK_IDS)
    assert [level.id for level in levels_used(site, rows)] == ["built-in", "partial"]
    html = legend(site, rows, with_ids=True)
    assert 'id="legend-partial"' in html and "legend-none" not in html


def test_feature_table_escapes_data_text(site):
    hostile = Feature.model_construct(id="grad", name="<b>bold</b>", description="<script>alert(1)</script>",
                                      cells=site.categories[0].features[0].cells)
    category = FeatureCategory.model_construct(**{**dict(site.categories[0]), "features": [hostile]})
    unsafe_site = dataclasses.replace(site, categories=(category,))
    html = features_table(unsafe_site, matrix_rows(unsafe_site), "matrix.md", on_matrix_page=True)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_deprecation_badge_names_both_datings_when_official_sources_differ(site):
    deprecated = SupportLevel(id="deprecated", label="Deprecated", colour="#7f1d1d", symbol="⚠",
                              description="On its way out.")
    levels = SupportLevels(levels=[*site.levels.levels, deprecated])
    cells = dict(site.categories[0].features[0].cells)
    for framework_id, latest in (("alpha", "2.11"), ("gamma", None)):
        cells[framework_id] = FeatureCell(
            level="deprecated", api="x.y", note="Old.", sources=["https://docs.example.org/a"],
            deprecation={"since": "2.5", "latest_dating": latest, "replacement": "`x.z`",
                         "source": "https://docs.example.org/d"})
    feature = site.categories[0].features[0].model_copy(update={"cells": cells})
    category = site.categories[0].model_copy(update={"features": [feature]})
    deprecating = dataclasses.replace(site, levels=levels, categories=(category,))
    html = features_table(deprecating, matrix_rows(deprecating), "matrix.md", on_matrix_page=True)
    assert html.count("Deprecated since 2.5 or 2.11, as official sources differ;") == 1
    assert html.count("Deprecated since 2.5;") == 1


def test_matrix_page_has_permalinks_badges_and_sources(site):
    page = matrix_page(site, "matrix.md")
    assert 'id="feature-grad"' in page and 'href="#feature-grad"' in page
    assert 'href="#legend-partial"' in page and "https://docs.example.org/a" in page
    assert "## Autodiff { #autodiff }" in page


def test_off_matrix_tables_link_back_to_the_matrix(site):
    html = features_table(site, matrix_rows(site), "topics/gradients.md", on_matrix_page=False)
    assert 'href="../../matrix/#feature-grad"' in html and 'id="feature-grad"' not in html


def test_snippet_tabs_are_linked_labels_with_outputs(site, executed):
    markdown = snippet_tabs(site, executed, "demo", "hello", "topics/gradients.md")
    labels = [line for line in markdown.splitlines() if line.startswith("=== ")]
    assert labels == ['=== "Alpha"', '=== "Beta"', '=== "Gamma"']
    assert "    ```text title=\"Output\"\n    hello from alpha" in markdown
    assert "\x1b" not in markdown, "terminal colour codes are stripped"
    assert 'alt="Plot output of the Gamma cell" src="data:image/png;base64,iVBORw0KGgo="' in markdown
    assert 'src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="' in markdown, "SVG output shown through <img>"
    assert "[Demo notebook](../notebooks/demo.ipynb)" in markdown and "{: .rosetta-snippet-source }" in markdown


def test_topic_page_has_every_section(site, executed):
    page = topic_page(site, executed, "gradients", "topics/gradients.md")
    for heading in ("# Gradients", "## Where each framework stands", "## The same code in each framework",
                    "## Related rows of the feature matrix", "## Verdict", "## Sources"):
        assert heading in page
    assert "**If you need gradients 1:** any of them" in page
    assert "Alpha 2.13 · Beta 2.21 · Gamma 0.10" in page and "2026-01-01" in page
    # The answer comes first: the at-a-glance table and its verdict, then the readers' questions, then prose.
    glance, questions, prose = (page.index('class="rosetta-glance-table"'), page.index("Questions this page answers"),
                                page.index("## Where each framework stands"))
    assert glance < questions < prose
    assert page.count('<tr data-framework=') == 3 and "Any of them computes <code>grad</code>." in page
    assert 'matrix/#legend-built-in"' in page.split("Questions this page answers")[0], "badges link to the legend"


def test_pages_say_what_executed_and_which_newer_release_was_not(site, executed):
    for page in (topic_page(site, executed, "gradients", "topics/gradients.md"),
                 framework_page(site, executed, "alpha", "frameworks/alpha.md")):
        status = page[page.index('<ul class="rosetta-release-status"'):]
        status = status[:status.index("</ul>")]
        assert "Alpha: executed with <strong>2.13.0</strong>" in status
        assert "newer: <a href=\"https://alpha.example.org/\">2.14.0</a> (2026-09-02) — not yet executed here" in status
        assert '"../../versions/"' in status
    topic = topic_page(site, executed, "gradients", "topics/gradients.md")
    assert "Gamma: executed with <strong>0.10.2</strong></span></li>" in topic, "no marker when nothing newer is known"
    assert topic.count("not yet executed here") == 1


def test_framework_page_lists_every_feature_and_topic(site, executed):
    page = framework_page(site, executed, "gamma", "frameworks/gamma.md")
    assert "Partial" in page and "../../matrix/#feature-grad" in page and "../topics/gradients.md" in page
    assert "0.10.2" in page


def test_notebook_pages_share_large_css_and_drop_cdn_loaders():
    from macros.notebook_pages import slim_notebook_html

    big = ".jupyter-wrapper{--x: 1}" * 200
    html = (f"<style>{big}</style><style>pre {{ x: 1 }}</style>"
            '<script src=""> </script><script type="text/x-mathjax-config">init_mathjax()</script>'
            '<script type="module">const m = await import("https://cdn.example/mermaid.js"); // mermaid</script>'
            "<script>var keep = 1</script>")
    slimmed, shared = slim_notebook_html(html, "../../assets/notebook-css/")
    (name, css), = shared.items()
    assert css == big and f'<link rel="stylesheet" href="../../assets/notebook-css/{name}">' in slimmed
    assert "<style>pre { x: 1 }</style>" in slimmed, "small styles stay inline"
    assert "https://" not in slimmed and "mathjax" not in slimmed and 'src=""' not in slimmed
    assert "<script>var keep = 1</script>" in slimmed


def test_code_size_counts_code_lines_and_tokens_not_comments():
    from macros.code_size import measure

    size = measure("x = 1  # comment\n\n# only a comment\ny = f(x,\n      2)\n")
    assert (size.lines, size.tokens) == (3, 11)


def test_bar_chart_is_titled_svg_with_one_bar_per_timing(site):
    from content.measurements import Timing
    from macros.performance import bar_chart

    timings = [Timing(model="mlp", task="inference", framework=f, variant=v, compiled=c, median_ms=m, p25_ms=m * .9,
                      p75_ms=m * 1.1, min_ms=m * .8, max_ms=m * 1.2, first_call_ms=m * 10, repeats=5)
               for f, v, c, m in [("alpha", "eager", False, 2.0), ("gamma", "gamma.jit", True, 1.0)]]
    svg = str(bar_chart("mlp <inference>", timings, {f.id: f for f in site.frameworks}))
    assert svg.startswith('<svg class="rosetta-chart" role="img"') and "<title>mlp &lt;inference&gt;</title>" in svg
    assert svg.count("<rect") == 2 and "2.00 ms" in svg and "Alpha · eager" in svg
    assert 'fill-opacity="0.55"' in svg, "eager bars are drawn lighter than compiled ones"


def test_claims_audit_lists_each_claim_once_in_table_and_entry(site):
    articles = (SeedArticle(id="first", title="First & Last", label="First", description="One.",
                            seed_file="000_ab.txt", order=1),
                SeedArticle(id="second", label="Second", description="Untitled.", seed_file="001_cd.txt", order=2))
    claim = Claim(id="grad-exists", made_by=["first", "second"], topic="gradients", claim="Gradients `exist`.",
                  verdict="outdated", reason="They moved.", explanation="See the matrix.", changed="In 2020.",
                  evidence=[{"feature": "grad"}, {"source": "https://docs.example.org/a", "date": dt.date(2020, 1, 2)}])
    html = claims_audit(dataclasses.replace(site, articles=articles, claims=(claim,)), "claims.md")
    assert html.count('href="#claim-grad-exists"') == 1 and html.count('id="claim-grad-exists"') == 1
    assert '<tr data-verdict="outdated" data-articles="first second">' in html
    assert "All 2" in html and "Made by all 2 articles." in html  # both articles make it
    assert "First &amp; Last" in html and "<code>exist</code>" in html
    assert "(2020-01-02)" in html and "../matrix/#feature-grad" in html and "../topics/gradients/" in html
    assert '<form class="rosetta-claims-controls" aria-label="Filter the claims">' in html  # shown by CSS only with JS


def test_a_framework_in_preview_shows_where_it_is_not_covered_yet(site, executed):
    preview = framework("gamma", 4).model_copy(update={"id": "delta", "name": "Delta", "preview": True})
    with_preview = dataclasses.replace(site, frameworks=site.frameworks + (preview,))
    html = features_table(with_preview, matrix_rows(with_preview), "matrix.md", on_matrix_page=True)
    assert '<th scope="col" data-framework="delta">Delta</th>' in html
    assert "Not yet covered: Delta is being added." in html
    page = topic_page(with_preview, executed, "gradients", "topics/gradients.md")
    assert page.count("Not yet covered: Delta is being added.") == 3  # at a glance, its position, the matrix rows
    labels = [line for line in snippet_tabs(with_preview, executed, "demo", "hello", "topics/gradients.md").splitlines()
              if line.startswith("=== ")]
    assert labels == ['=== "Alpha"', '=== "Beta"', '=== "Gamma"'], "no empty tab for the preview"


def test_vocabulary_stylesheet_carries_every_colour_from_data(site):
    from macros.stylesheet import vocabulary_css

    css = vocabulary_css(site)
    assert css.startswith("/* Generated from data/") and "do not edit" in css
    for level in site.levels.levels:
        assert f".rosetta-level-{level.id} {{ --rosetta-badge-colour: {level.colour}; }}" in css
    assert ".rosetta-verdict-outdated { --rosetta-badge-colour: #8a4b00; }" in css
    assert ".rosetta-difference-names { --rosetta-difference-colour: #424242; }" in css
    assert "--rosetta-framework-alpha: #1b5e20;" in css
