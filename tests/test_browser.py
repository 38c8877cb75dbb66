"""The built site in Debian's headless Chromium, driven by Playwright: search, linked tabs, privacy,
console errors, accessibility (axe-core) and a phone-sized screen."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
# Keep Chromium off the network entirely: no update checks, no sync, no first-run fetches.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = ROOT / "node_modules/axe-core/axe.min.js"

SEARCHES = [
    ("GradientTape", "topics/automatic-differentiation/"),
    ("jax.jit", "topics/graph-compilation/"),
    ("eager execution", "topics/execution-model/"),
    ("optimizer training step", "topics/training-a-model/"),
    ("versions", "versions/"),
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site_url):
    """A fresh page that records every request, console error and page error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requests, page.errors = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    origin = urlsplit(site_url).netloc
    foreign = [url for url in page.requests if urlsplit(url).scheme in ("http", "https", "ws", "wss")
               and urlsplit(url).netloc != origin]
    assert foreign == [], "requests outside the site's origin"
    assert page.errors == [], "console errors"
    context.close()


def search(page, query: str) -> list[str]:
    page.evaluate("document.getElementById('__search').checked = true")
    field = page.locator("input.md-search__input")
    field.focus()
    field.fill("")
    field.type(query)
    page.wait_for_selector(".md-search-result__item", state="attached", timeout=10_000)
    page.wait_for_timeout(300)
    return page.eval_on_selector_all(".md-search-result__item > a", "links => links.map(a => a.href)")


@pytest.mark.parametrize("query, expected", SEARCHES)
def test_search_finds_the_page_in_the_top_three(page, site_url, query, expected):
    page.goto(site_url)
    top = [urlsplit(url).path.lstrip("/").split("#")[0] for url in search(page, query)[:3]]
    assert expected in top, f"{query!r} → {top}"


def selected_tabs(page) -> list[str]:
    return page.eval_on_selector_all(
        ".tabbed-set",
        "sets => sets.map(set => { const input = set.querySelector(':scope > input:checked');"
        " return set.querySelector(`label[for='${input.id}']`).textContent.trim(); })")


def test_choosing_jax_switches_every_tab_group_and_is_remembered(page, site_url):
    page.goto(site_url + "topics/automatic-differentiation/")
    assert len(selected_tabs(page)) >= 2
    page.locator(".tabbed-set").first.locator("label", has_text="JAX").click()
    assert set(selected_tabs(page)) == {"JAX"}
    page.locator("nav.md-nav a[href$='topics/graph-compilation/']").first.click()  # instant navigation
    page.wait_for_url("**/topics/graph-compilation/")
    page.wait_for_selector(".tabbed-set")
    assert set(selected_tabs(page)) == {"JAX"}
    page.goto(site_url + "topics/training-a-model/")  # a full page load keeps the choice too
    assert set(selected_tabs(page)) == {"JAX"}


@pytest.mark.parametrize("path", ["", "matrix/", "topics/automatic-differentiation/", "notebooks/autograd/"])
def test_axe_core_finds_no_violations(page, site_url, path):
    page.goto(site_url + path)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document)).violations"
                               ".map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
    assert violations == [], json.dumps(violations, indent=1)


@pytest.mark.parametrize("path", ["", "matrix/", "topics/graph-compilation/", "notebooks/training-loop/"])
def test_pages_fit_a_phone_screen(browser, site_url, path):
    context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(site_url + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert overflow <= 0, f"{path or 'home'} scrolls sideways by {overflow}px on a 375px screen"
