"""HTML checks on one strict build of the real site."""

from __future__ import annotations

import importlib.metadata
import json
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import nbformat
import pytest
from markupsafe import escape
from packaging.version import Version

from macros import urls
from content.loading import load_site
from content.notebooks import snippet_cells
from content.releases import release_statuses
from sitebuild.execution import site_environment

from conftest import ROOT

SITE = load_site(ROOT)
LABELS = [f.name for f in SITE.frameworks]


class _Page(HTMLParser):
    """Collects ids, links, resource references and tab groups of one HTML page."""

    RESOURCE_ATTRIBUTES = {("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"),
                           ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"),
                           ("link", "href"), ("image", "href"), ("use", "href")}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.styles: list[str] = []
        self.tab_labels: list[str] = []
        self.scripts: list[str] = []
        self._in_label = False
        self._in_style = False
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        # <link rel="canonical"> and "alternate" name the page's address; they load nothing.
        loads = not (tag == "link" and attributes.get("rel") in ("canonical", "alternate"))
        for name, value in attrs:
            if (tag, name) in self.RESOURCE_ATTRIBUTES and value and loads:
                self.resources.append(value)
            if name == "srcset" and value:
                self.resources.extend(part.split()[0] for part in value.split(",") if part.strip())
            if name == "style" and value:
                self.styles.append(value)
        self._in_label = tag == "label" and "for" in attributes and attributes["for"].startswith("__tabbed")
        self._in_style = tag == "style"
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)
        if self._in_label:
            self.tab_labels.append(data.strip())
        if self._in_style:
            self.styles.append(data)

    def handle_endtag(self, tag):
        self._in_label = self._in_label and tag != "label"
        self._in_style = self._in_style and tag != "style"
        self._in_script = self._in_script and tag != "script"


@lru_cache(maxsize=None)
def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def html_files(site_dir: Path) -> list[Path]:
    return sorted(site_dir.rglob("*.html"))


def test_matrix_lists_every_feature_with_its_sources(site_dir):
    matrix = site_dir / "matrix/index.html"
    page = parse(matrix)
    links = set(page.links)
    for category in SITE.categories:
        assert category.id in page.ids
        for feature in category.features:
            assert urls.feature_anchor(feature.id) in page.ids, feature.id
            for cell in feature.cells.values():
                for url in cell.sources:
                    assert url in links, (feature.id, url)
    used = {cell.level for c in SITE.categories for f in c.features for cell in f.cells.values()}
    assert {i.removeprefix("legend-") for i in page.ids if i.startswith("legend-")} == used


def test_every_topic_page_exists_and_is_in_the_navigation(site_dir):
    home = (site_dir / "index.html").read_text(encoding="utf-8")
    for topic in SITE.topics:
        page = site_dir / "topics" / topic.id / "index.html"
        assert page.is_file(), topic.id
        assert f'href="topics/{topic.id}/"' in home, f"{topic.id} is missing from the navigation"
        assert topic.title in page.read_text(encoding="utf-8")
    for framework in SITE.frameworks:
        assert (site_dir / "frameworks" / framework.id / "index.html").is_file()


def test_notebook_pages_show_outputs_and_offer_the_executed_notebook(site_dir):
    for name, source in SITE.notebooks.items():
        page = site_dir / "notebooks" / name / "index.html"
        html = page.read_text(encoding="utf-8")
        assert source.title in html
        assert "max |difference|" in html or source.no_equivalence_check, f"{name}: equivalence check outputs are missing"
        assert f'href="{name}.ipynb"' in html and "download" in html
        executed = nbformat.read(site_dir / "notebooks" / name / f"{name}.ipynb", as_version=4)
        distributions = executed.metadata["rosetta"]["environment"]["distributions"]
        assert all(distributions[f.distribution] for f in SITE.frameworks if not f.preview)
        assert any(cell.get("outputs") for cell in executed.cells if cell.cell_type == "code")
        # TensorFlow's start-up log lines (an oneDNN notice, CUDA plugin factories) are not cell output.
        noise = ("TF_ENABLE_ONEDNN_OPTS", "oneDNN custom operations", "cuda_dnn", "cuda_blas", "cuda_fft")
        assert not [line for line in noise if line in html], f"{name}: TensorFlow start-up noise"


def test_topic_tabs_embed_the_outputs_of_the_same_execution(site_dir):
    embedded = 0
    for topic in SITE.topics:
        page = site_dir / "topics" / topic.id / "index.html"
        html = page.read_text(encoding="utf-8")
        labels = parse(page).tab_labels
        assert labels == LABELS * len(topic.snippets), topic.id
        for ref in topic.snippets:
            executed = nbformat.read(site_dir / "notebooks" / ref.notebook / f"{ref.notebook}.ipynb", as_version=4)
            indices = SITE.notebooks[ref.notebook].snippets[ref.snippet]
            for cell in snippet_cells(executed, indices):
                for output in cell.outputs:
                    first_line = next((line for line in output.text.splitlines() if line.strip()), "")
                    if first_line:
                        escaped = first_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                        assert escaped.strip() in re.sub(r"<[^>]+>", "", html), (topic.id, ref.snippet, first_line)
                embedded += 1
    assert embedded >= 3 * len(SITE.topics)


def test_versions_page_shows_the_executing_environment(site_dir):
    html = (site_dir / "versions/index.html").read_text(encoding="utf-8")
    environment = nbformat.read(site_dir / "notebooks/tensors/tensors.ipynb", as_version=4).metadata["rosetta"]["environment"]
    for framework in SITE.frameworks:
        version = environment["distributions"][framework.distribution]
        assert version and version in html, framework.id
    for framework in SITE.frameworks:  # the versions the tests run are those the notebooks ran
        assert importlib.metadata.version(framework.distribution) in html, framework.id
    assert environment["python"] in html


def _status_items(html: str) -> dict[str, str]:
    """distribution → the text of its "executed with / newer" item on a page."""
    block = re.search(r'<ul class="rosetta-release-status".*?</ul>', html, re.S)
    assert block, "no release-status list on the page"
    return {m.group(1): re.sub(r"<[^>]+>", "", m.group(2))
            for m in re.finditer(r'<li data-distribution="([^"]+)">(.*?)</li>', block.group(0), re.S)}


def test_topic_and_framework_pages_say_what_executed_and_which_newer_release_did_not(site_dir):
    environment = nbformat.read(site_dir / "notebooks/tensors/tensors.ipynb", as_version=4).metadata["rosetta"]["environment"]
    statuses = release_statuses(SITE, site_environment(SITE.tools, environment["distributions"]))
    pages = {f"topics/{t.id}": [f.distribution for f in SITE.frameworks] for t in SITE.topics}
    pages |= {f"frameworks/{f.id}": [f.distribution] + [t.id for t in SITE.tools if t.framework == f.id]
              for f in SITE.frameworks}
    markers = 0
    for page, distributions in pages.items():
        items = _status_items((site_dir / page / "index.html").read_text(encoding="utf-8"))
        assert list(items) == distributions, page
        for distribution, text in items.items():
            status = statuses[distribution]
            assert f"executed with {environment['distributions'][distribution]}" in text, (page, text)
            newer = Version(status.newest.version) > Version(Version(status.executed).public)
            expected = f"newer: {status.newest.version} ({status.newest.date.isoformat()}) — not yet executed here"
            assert (expected in text) == newer, (page, text)
            markers += newer
    assert markers, "the data knows newer releases than those executed, so some page must say so"
    versions = re.sub(r"<[^>]+>", "", (site_dir / "versions/index.html").read_text(encoding="utf-8"))
    for status in statuses.values():
        assert f"{status.executed}" in versions and f"{status.newest.version} ({status.newest.date})" in versions


def test_no_page_loads_anything_from_another_origin(site_dir):
    offenders = []
    for path in html_files(site_dir):
        page = parse(path)
        references = page.resources + [m for s in page.styles for m in re.findall(r"url\(\s*['\"]?([^'\")]+)", s)]
        references += [m for s in page.styles for m in re.findall(r"@import\s+['\"]([^'\"]+)", s)]
        # Inline scripts that would fetch code from elsewhere (e.g. a CDN import of Mermaid).
        references += [m for s in page.scripts for m in re.findall(r"(https?://[^\s'\"`)]+)", s)]
        for reference in references:
            scheme = urlsplit(reference).scheme
            if scheme in ("http", "https") or reference.startswith("//"):
                offenders.append(f"{path.relative_to(site_dir)}: {reference}")
    for css in site_dir.rglob("*.css"):
        for reference in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^'\")]+)", css.read_text(encoding="utf-8")):
            offenders.append(f"{css.relative_to(site_dir)}: {reference}")
    assert offenders == []


def test_every_internal_link_and_fragment_resolves(site_dir):
    broken = []
    for path in html_files(site_dir):
        page_url = "/" + path.relative_to(site_dir).as_posix()
        for href in parse(path).links:
            parts = urlsplit(href)
            if parts.scheme or href.startswith(("//", "mailto:", "javascript:")):
                continue
            target_url = urlsplit(urljoin(page_url, href))
            target = site_dir / unquote(target_url.path).lstrip("/")
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.relative_to(site_dir)}: {href}")
            elif target_url.fragment and target.suffix == ".html" and unquote(target_url.fragment) not in parse(target).ids:
                broken.append(f"{path.relative_to(site_dir)}: {href} (no such anchor)")
    assert broken == []


def test_search_index_covers_every_page_and_leaves_out_prompt_noise(site_dir):
    """Pagefind indexes the article of every page (not the nav repeated on each) and no notebook prompts."""
    entry = json.loads((site_dir / "pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    pages = [path for path in html_files(site_dir) if path.parent != site_dir / "404.html"]
    indexed = [path for path in pages if "data-pagefind-body" in path.read_text(encoding="utf-8")]
    assert sum(language["page_count"] for language in entry["languages"].values()) == len(indexed)
    for topic in SITE.topics:
        assert site_dir / "topics" / topic.id / "index.html" in indexed, topic.id
    material_index = json.loads((site_dir / "search/search_index.json").read_text(encoding="utf-8"))
    assert material_index["docs"] == [], "Material's index is fetched on every page load: keep it empty"
    for name in SITE.notebooks:
        text = re.sub(r"<[^>]+>", "", (site_dir / "notebooks" / name / "index.html").read_text(encoding="utf-8"))
        assert "In [" not in text and "Out[" not in text, name


def test_rosetta_pages_have_a_permalinked_section_per_row(site_dir):
    assert len(SITE.rosetta) >= 12
    for category in SITE.rosetta:
        page = parse(site_dir / "rosetta" / category.id / "index.html")
        for row in category.rows:
            assert urls.row_anchor(row.id) in page.ids, (category.id, row.id)


def test_migration_guides_link_every_covered_row(site_dir):
    assert len(SITE.migrations) >= 4
    for guide in SITE.migrations:
        html = (site_dir / "migration" / guide.id / "index.html").read_text(encoding="utf-8")
        covered = [c for c in SITE.rosetta if not guide.categories or c.id in guide.categories]
        for category in covered:
            for row in category.rows:
                target = urls.rosetta_row(category.id, row.id)
                assert urls.html_link(urls.migration(guide.id), target) in html, (guide.id, row.id)
        assert "Traps" in html


class _RenderedText(HTMLParser):
    """The words a reader can see: all text outside <script>, <style> and <svg>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style", "svg")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style", "svg")

    def handle_data(self, data):
        if not self._skip:
            self.words += data.split()


def test_claims_audit_shows_every_claim_once_with_verdict_and_evidence(site_dir):
    page = site_dir / "claims/index.html"
    html = page.read_text(encoding="utf-8")
    ids = parse(page).ids
    assert len(SITE.articles) == 4 and len(SITE.claims) >= 40
    for claim in SITE.claims:
        assert f"claim-{claim.id}" in ids
        assert html.count(f'href="#claim-{claim.id}"') == 1, "one summary-table row links to each entry"
    assert html.count('<details class="rosetta-claim"') == len(SITE.claims)
    assert html.count('class="rosetta-verdict rosetta-verdict-') >= 2 * len(SITE.claims)  # table row and entry
    for article in SITE.articles:
        assert f"article-{article.id}" in ids
        assert article.title is None or str(escape(article.title)) in html


def test_claims_audit_is_short_enough_to_scan(site_dir):
    text = _RenderedText()
    text.feed((site_dir / "claims/index.html").read_text(encoding="utf-8"))
    assert len(text.words) <= 5000, f"the claims audit has {len(text.words)} words; keep it to 5,000"
    headings = re.findall(r"<h[2-6][ >]", (site_dir / "claims/index.html").read_text(encoding="utf-8"))
    assert len(headings) <= 5, "claims are entries, not headings: the table of contents stays short"


def test_decision_guide_gives_reasons_with_links(site_dir):
    page = site_dir / "decision-guide/index.html"
    parsed = parse(page)
    assert len(SITE.situations) >= 8
    for situation in SITE.situations:
        assert situation.id in parsed.ids
        for reason in situation.reasons:  # every reason links to the matrix row or topic behind it
            target = urls.feature(reason.feature) if reason.feature else urls.topic(reason.topic)
            assert urls.html_link("decision-guide.md", target) in parsed.links, (situation.id, target)


def test_performance_and_code_size_sections_are_rendered(site_dir):
    performance = (site_dir / "topics/performance/index.html").read_text(encoding="utf-8")
    assert performance.count("<svg class=\"rosetta-chart\"") >= 8 and "<title>" in performance
    assert "say nothing about GPUs" in performance
    api = (site_dir / "topics/api-design/index.html").read_text(encoding="utf-8")
    assert "All snippets" in api


def test_every_notebook_is_embedded_in_a_topic():
    embedded = {ref.notebook for topic in SITE.topics for ref in topic.snippets}
    assert set(SITE.notebooks) - embedded == set(), "notebooks no topic page embeds"
    assert len(SITE.notebooks) >= 14
