"""The offline edition (`make offline`): unzipped and opened from file:// in Chromium, it reads, links and
searches without any server or network."""

from __future__ import annotations

import os
import re
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import sync_playwright

from conftest import BUILD_ENVIRONMENT, ROOT
from searching import search
from test_browser import CHROMIUM, CHROMIUM_FLAGS

pytestmark = pytest.mark.browser
ZIP = ROOT / "build/tensor-rosetta-offline.zip"
_HREF = re.compile(r'(?:href|src)="([^"#?]*)[^"]*"')


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory) -> Path:
    env = {**os.environ, **BUILD_ENVIRONMENT, "ROSETTA_CACHE_DIR": str(ROOT / ".cache")}
    result = subprocess.run(["make", "--no-print-directory", "offline"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    folder = tmp_path_factory.mktemp("offline")
    with zipfile.ZipFile(ZIP) as archive:
        archive.extractall(folder)
    return folder / "tensor-rosetta"


def test_every_relative_link_names_a_file_in_the_zip(offline_site):
    broken = []
    for page in offline_site.rglob("*.html"):
        for target in _HREF.findall(page.read_text(encoding="utf-8")):
            if target and not re.match(r"^[a-z][a-z0-9+.-]*:", target):
                if not (page.parent / unquote(target)).is_file():
                    broken.append(f"{page.relative_to(offline_site)} → {target}")
    assert not broken, f"{len(broken)} links lead nowhere from file://: {broken[:10]}"


def test_pages_read_and_link_from_file_urls_without_any_request_elsewhere(offline_site):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto((offline_site / "claims.html").as_uri())
        # A link the claims macro wrote as a directory URL ('../matrix/#feature-…') now names the file.
        page.goto(page.eval_on_selector("a[href^='matrix.html#feature-']", "a => a.href"))
        assert page.url.startswith((offline_site / "matrix.html").as_uri()), page.url
        assert page.locator("table.rosetta-matrix").count() > 0, "the matrix page did not render"
        browser.close()
    assert not [url for url in requested if not url.startswith(("file://", "data:", "about:", "blob:"))], requested
    assert not errors, errors


def test_search_answers_from_file_urls_without_any_request_elsewhere(offline_site):
    """Material's lunr worker runs in an iframe through the vendored iframe-worker shim and gets the index that
    search/search_index.js inlines; a page below the top folder finds both by its relative base."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            for start in ("index.html", "topics/training-a-model.html"):
                page.goto((offline_site / start).as_uri())
                found = search(page, "GradientTape")
                assert any(path.endswith("/topics/automatic-differentiation.html") for path in found), \
                    f"search from {start} over file:// did not find the autodiff topic: {found}"
            # A result opens its page.
            page.click(".md-search-result__item > a")
            assert page.url.startswith((offline_site / "topics/").as_uri()), page.url
            assert page.locator("article h1").count() == 1, "the result's page did not render"
        finally:
            browser.close()
    assert not [url for url in requested if not url.startswith(("file://", "data:", "about:", "blob:"))], requested
    assert not errors, errors
