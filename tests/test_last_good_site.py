"""The last good site survives every failure, and a notebook's outputs never run code on the site.

One real build of a project copy that holds a notebook whose outputs try to run script (the "good
site"), checked in Chromium; then four failing builds into the same folder — a load error (all the
Markdown/HTML injections at once), an execution error, a render-time error and a strict-mode
warning — each of which must leave the good site exactly as it was.
"""

from __future__ import annotations

import functools
import hashlib
import re
import http.server
import shutil
import threading
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import sync_playwright

from conftest import ROOT, copy_project, run_build
from test_browser import CHROMIUM, CHROMIUM_FLAGS
from test_hostile_input import INJECTIONS

HOSTILE = "hostile-outputs"


def add_notebook(project: Path, fixture: str) -> None:
    shutil.copy(ROOT / "tests/fixtures" / f"{fixture}.py", project / "notebooks" / f"{fixture}.py")
    order = project / "data/notebook_order.yml"
    order.write_text(order.read_text() + f"- {fixture}\n")


def fingerprint(site: Path) -> dict[str, str]:
    return {path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(site.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """(project, site, its fingerprint) after one successful build with the hostile notebook."""
    base = tmp_path_factory.mktemp("good-site")
    project = copy_project(base / "project")
    add_notebook(project, HOSTILE)
    cache = base / "cache"
    shutil.copytree(ROOT / ".cache", cache, ignore=shutil.ignore_patterns("mkdocs-jupyter"))
    site = base / "site"
    result = run_build(project, site, cache_dir=cache)
    assert result.returncode == 0, result.stderr[-3000:]
    return project, site, cache, fingerprint(site)


def test_hostile_outputs_are_inert_and_legitimate_outputs_show_in_chromium(good):
    _, site, _, _ = good
    html = (site / "notebooks" / HOSTILE / "index.html").read_text(encoding="utf-8")
    # The cells' source shows the payloads as escaped text; no live tag or attribute may carry them.
    assert not re.search(r"<script[^>]*>\s*window\.rosettaPwned", html)
    assert not re.search(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", html[html.find("<article"):])
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/notebooks/{HOSTILE}/", wait_until="load")
            page.wait_for_timeout(500)
            assert page.evaluate("window.rosettaPwned") is None
            assert page.locator("table.dataframe td", has_text="rosetta-table-cell").is_visible()
            svg = page.locator('img[alt="rosetta-svg-chart"]')
            assert svg.count() == 1 and svg.evaluate("img => img.complete && img.naturalWidth") == 40
            pngs = page.locator('img[src^="data:image/png"]')
            assert pngs.count() >= 1 and pngs.first.evaluate("img => img.naturalWidth") == 4
            # The real site's SVG chart (visualization notebook) still shows as an image.
            browser.close()
    finally:
        server.shutdown()


def failing_build(good, name: str, touched: list[str], change) -> str:
    """Apply `change` (which edits the files in `touched`), build into the good site's folder, restore."""
    project, site, cache, before = good
    originals = {part: (project / part).read_bytes() if (project / part).exists() else None for part in touched}
    try:
        change(project)
        result = run_build(project, site, cache_dir=cache)
    finally:
        for part, content in originals.items():
            if content is None:
                (project / part).unlink(missing_ok=True)
            else:
                (project / part).write_bytes(content)
    assert result.returncode != 0, f"{name}: the build should have failed"
    assert fingerprint(site) == before, f"{name}: the last good site changed"
    assert not [p for p in site.parent.iterdir() if p.name.startswith(f".{site.name}.")], "staging left behind"
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    return result.stderr + result.stdout  # click prints MkDocs's final "Aborted …" line to stdout


def test_a_load_error_keeps_the_site_and_reports_every_injection(good):
    payloads = list(INJECTIONS.values())
    feature_file = sorted((good[0] / "data/features").glob("*.yml"))[0].relative_to(good[0]).as_posix()

    def inject(project):
        path = project / feature_file
        data = yaml.safe_load(path.read_text())
        cells = [cell for feature in data["features"] for cell in feature["cells"].values()]
        assert len(cells) >= len(payloads)
        for cell, (payload, _) in zip(cells, payloads):
            cell["note"] = payload
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))

    stderr = failing_build(good, "load error", [feature_file], inject)
    errors = [line for line in stderr.splitlines() if line.startswith("ERROR")]
    for _, fragment in payloads:
        assert any(feature_file in line and fragment in line for line in errors), (fragment, errors)
    site_text = "".join(p.read_text(encoding="utf-8") for p in good[1].rglob("*.html"))
    for payload, _ in payloads:
        assert payload not in site_text


def test_an_execution_error_keeps_the_site(good):
    stderr = failing_build(good, "execution error", ["notebooks/broken-equivalence.py", "data/notebook_order.yml"],
                           lambda project: add_notebook(project, "broken-equivalence"))
    assert "notebooks/broken-equivalence.py: cell 3" in stderr


def append(relative: str, text: str):
    def change(project: Path) -> None:
        path = project / relative
        path.write_text(path.read_text() + text)
    return change


def test_a_render_time_error_keeps_the_site(good):
    stderr = failing_build(good, "render error", ["docs/index.md"], append("docs/index.md", "\n{{ no_such_macro() }}\n"))
    assert "docs/index.md: (template): UndefinedError: 'no_such_macro' is undefined — fix:" in stderr


def test_a_strict_warning_keeps_the_site(good):
    stderr = failing_build(good, "strict warning", ["docs/index.md"],
                           append("docs/index.md", "\n[Nowhere](no-such-page.md)\n"))
    assert "no-such-page.md" in stderr and "strict mode" in stderr, stderr[-1500:]


def test_a_broken_link_in_a_notebook_page_fails_the_build_and_keeps_the_site(good):
    notebook = f"notebooks/{HOSTILE}.py"

    def dangling_link(project):
        path = project / notebook
        path.write_text(path.read_text().replace("must resolve.\n", "must resolve.\n# So must [this one](../../no-such-page/).\n", 1))

    output = failing_build(good, "broken notebook link", [notebook], dangling_link)
    assert (f"{notebook}: cell 1: the link '../../no-such-page/' points at no page of the site — fix:" in output), output[-2000:]
