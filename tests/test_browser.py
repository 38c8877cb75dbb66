"""The built site in Debian's headless Chromium, driven by Playwright: search, linked tabs, privacy,
console errors, accessibility (axe-core) and a phone-sized screen."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from macros import urls
from content.loading import load_site

from conftest import ROOT
from searching import search

SITE = load_site(ROOT)
LAST = SITE.frameworks[-1]  # the last column: choosing it changes every tab group's default

CHROMIUM = "/usr/bin/chromium"
# Keep Chromium off the network entirely: no update checks, no sync, no first-run fetches.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = ROOT / "node_modules/axe-core/axe.min.js"

# Reader queries → pages any of which is a right answer (path prefixes). At least 25 (issue 3); the dedicated
# topic pages added later (issue 8) are right answers too.
SEARCHES = [
    ("GradientTape", ["topics/automatic-differentiation/", "rosetta/autodiff/"]),
    ("DataLoader", ["topics/data-loading/", "rosetta/data-loading/", "notebooks/data-pipelines/", "matrix/"]),
    ("tf.data", ["topics/data-loading/", "rosetta/data-loading/", "notebooks/data-pipelines/", "matrix/"]),
    ("tf.function vs torch.compile", ["topics/graph-compilation/", "notebooks/graph-compilation/", "rosetta/compilation/"]),
    ("vmap", ["topics/automatic-differentiation/", "rosetta/autodiff/", "topics/jax-functional-model/",
              "notebooks/autograd/"]),
    ("SavedModel", ["topics/deployment-and-serving/", "matrix/", "notebooks/saving-and-export/"]),
    ("ONNX", ["topics/export-formats/", "topics/deployment-and-serving/", "matrix/", "notebooks/onnx-and-device-formats/"]),
    ("TorchServe", ["topics/deployment-and-serving/", "matrix/", "claims/"]),
    ("LiteRT", ["topics/export-formats/", "topics/mobile-and-edge/", "matrix/", "notebooks/mobile-and-edge/",
                "notebooks/inside-int8-models/"]),  # converts to LiteRT and compares its four int8 variants
    ("ExecuTorch", ["topics/export-formats/", "topics/mobile-and-edge/", "matrix/", "notebooks/mobile-and-edge/"]),
    ("TensorBoard with PyTorch", ["topics/visualization-and-tracking/", "matrix/", "notebooks/visualization/"]),
    ("mixed precision", ["topics/mixed-precision/", "notebooks/mixed-precision/", "matrix/", "topics/performance/", "topics/hardware-support/"]),
    ("multi-GPU", ["topics/distributed-training/", "matrix/"]),
    ("TPU", ["topics/hardware-support/", "topics/distributed-training/", "matrix/", "decision-guide/"]),
    ("jax.jit", ["topics/graph-compilation/", "rosetta/compilation/", "notebooks/graph-compilation/"]),
    ("Keras 3 backend", ["topics/keras-3-multi-backend/"]),
    ("TensorFlow.js", ["topics/in-the-browser/", "matrix/"]),
    ("pdb debugging", ["topics/debugging/", "notebooks/debugging/", "matrix/"]),
    ("eager execution", ["topics/execution-model/", "matrix/"]),
    ("session", ["topics/execution-model/", "claims/"]),
    ("learning curve", ["topics/api-design/", "decision-guide/", "topics/documentation-and-learning/"]),
    ("licence", ["topics/governance-and-licensing/", "matrix/", "frameworks/"]),
    ("Flax", ["topics/jax-functional-model/", "topics/ecosystem-and-libraries/", "matrix/",
              "topics/api-design/", "topics/training-a-model/"]),  # the last two explain Flax as JAX's layer library
    ("torch.export", ["topics/deployment-and-serving/", "topics/graph-compilation/", "matrix/", "notebooks/saving-and-export/"]),
    ("PRNG key", ["topics/randomness-and-reproducibility/", "topics/jax-functional-model/", "rosetta/random/", "notebooks/randomness/"]),
    ("einsum", ["rosetta/linear-algebra/"]),
    ("torch.std", ["rosetta/reductions/"]),
    ("versions", ["topics/releases-and-versions/", "versions/"]),
    # An API name from any framework lands on its Rosetta row (issue 5).
    ("tf.tensor_scatter_nd_update", ["rosetta/indexing-and-slicing/"]),
    ("F.scaled_dot_product_attention", ["rosetta/layers/"]),
    ("lax.fori_loop", ["rosetta/compilation/"]),
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


def test_search_finds_the_right_page_in_the_top_three(page, site_url, capsys):
    page.goto(site_url)
    misses = []
    for query, expected in SEARCHES:
        top = search(page, query)[:3]
        if not any(path.startswith(prefix) for path in top for prefix in expected):
            misses.append(f"{query!r} → {top}")
    with capsys.disabled():
        print(f"\nsearch: {len(SEARCHES) - len(misses)} of {len(SEARCHES)} queries found the right page in the top 3")
    assert len(SEARCHES) >= 25 and misses == []


def selected_tabs(page) -> list[str]:
    return page.eval_on_selector_all(
        ".tabbed-set",
        "sets => sets.map(set => { const input = set.querySelector(':scope > input:checked');"
        " return set.querySelector(`label[for='${input.id}']`).textContent.trim(); })")


def test_choosing_a_framework_switches_every_tab_group_and_is_remembered(page, site_url):
    page.goto(site_url + "topics/automatic-differentiation/")
    assert len(selected_tabs(page)) >= 2
    page.locator(".tabbed-set").first.locator("label", has_text=LAST.name).click()
    assert set(selected_tabs(page)) == {LAST.name}
    page.locator("nav.md-nav a[href$='topics/graph-compilation/']").first.click()  # instant navigation
    page.wait_for_url("**/topics/graph-compilation/")
    page.wait_for_selector(".tabbed-set")
    assert set(selected_tabs(page)) == {LAST.name}
    page.goto(site_url + "topics/training-a-model/")  # a full page load keeps the choice too
    assert set(selected_tabs(page)) == {LAST.name}


@pytest.mark.parametrize("path", ["", "matrix/", "topics/automatic-differentiation/", "notebooks/autograd/",
                                  "topics/performance/", "claims/", "decision-guide/", "rosetta/layers/",
                                  urls.page_url(urls.migration(SITE.migrations[0].id)), "versions/",
                                  urls.page_url(urls.framework(LAST.id))])
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


def visible_rows(page) -> int:
    return page.eval_on_selector_all("table.rosetta-matrix tbody tr", "rows => rows.filter(r => !r.hidden).length")


def test_matrix_filters_and_column_order_follow_the_reader(page, site_url):
    page.goto(site_url + "topics/automatic-differentiation/")
    page.locator(".tabbed-set").first.locator("label", has_text=LAST.name).click()  # the reader's framework
    page.goto(site_url + "matrix/")
    total = visible_rows(page)
    first_columns = page.eval_on_selector_all(
        "table.rosetta-matrix thead tr", "rows => rows.map(r => r.querySelector('[data-framework]').textContent)")
    assert set(first_columns) == {LAST.name}, "the chosen framework's column comes first"
    page.select_option("form.rosetta-matrix-controls select[name=category]", "serving")
    serving = visible_rows(page)
    assert 0 < serving < total
    assert page.eval_on_selector_all("table.rosetta-matrix tbody tr:not([hidden])",
                                     "rows => rows.every(r => r.dataset.category === 'serving')")
    page.select_option("form.rosetta-matrix-controls select[name=category]", "")
    page.select_option("form.rosetta-matrix-controls select[name=level]", "deprecated")
    deprecated = visible_rows(page)
    assert 0 < deprecated < total
    page.select_option("form.rosetta-matrix-controls select[name=level]", "")
    page.check("form.rosetta-matrix-controls input[name=differences]")
    assert 0 < visible_rows(page) <= total
    assert "features shown" in page.locator("form.rosetta-matrix-controls output").text_content()


def test_matrix_reads_in_full_without_javascript(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "matrix/")
    rows = page.eval_on_selector_all("table.rosetta-matrix tbody tr", "rows => rows.length")
    hidden_form = page.locator("form.rosetta-matrix-controls").is_hidden()
    context.close()
    from content.loading import load_site
    assert rows == sum(len(c.features) for c in load_site(ROOT).categories)
    assert hidden_form, "controls that need JavaScript are not shown without it"


CLAIM_ROWS = "table.rosetta-claims tbody tr"
CLAIMS_FORM = "form.rosetta-claims-controls"


def shown_claims(page) -> list[dict]:
    """The summary-table rows and entries a reader can see."""
    return page.evaluate(
        "() => ({rows: [...document.querySelectorAll('table.rosetta-claims tbody tr')].filter(r => !r.hidden)"
        ".map(r => r.dataset), entries: [...document.querySelectorAll('details.rosetta-claim')]"
        ".filter(d => !d.hidden).map(d => d.dataset)})")


def test_claims_filter_by_verdict_and_article(page, site_url):
    from content.loading import load_site
    site = load_site(ROOT)
    page.goto(site_url + "claims/")
    assert len(shown_claims(page)["rows"]) == len(site.claims)
    page.select_option(f"{CLAIMS_FORM} select[name=verdict]", "outdated")
    shown = shown_claims(page)
    expected = [c for c in site.claims if c.verdict == "outdated"]
    assert 0 < len(shown["rows"]) == len(expected) < len(site.claims)
    assert {r["verdict"] for r in shown["rows"]} == {"outdated"} and len(shown["entries"]) == len(expected)
    page.select_option(f"{CLAIMS_FORM} select[name=article]", "difference-between")
    both = [c for c in expected if "difference-between" in c.made_by]
    assert len(shown_claims(page)["rows"]) == len(both)
    page.select_option(f"{CLAIMS_FORM} select[name=verdict]", "")
    shown = shown_claims(page)
    by_article = [c for c in site.claims if "difference-between" in c.made_by]
    assert 0 < len(shown["rows"]) == len(by_article) < len(site.claims)
    assert all("difference-between" in r["articles"].split() for r in shown["rows"])
    assert f"{len(by_article)} of {len(site.claims)} claims shown" in page.locator(f"{CLAIMS_FORM} output").text_content()
    # Following a row's link opens that claim's collapsed entry.
    link = page.locator(f"{CLAIM_ROWS}:not([hidden]) th a").first
    target = urlsplit(link.get_attribute("href")).fragment  # Material makes links absolute
    assert not page.evaluate(f"document.getElementById('{target}').open")
    link.click()
    assert page.evaluate(f"document.getElementById('{target}').open")


def test_claims_table_reads_in_full_without_javascript(browser, site_url):
    from content.loading import load_site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "claims/")
    rows = page.eval_on_selector_all(CLAIM_ROWS, "rows => rows.filter(r => r.offsetParent !== null).map(r => "
                                     "[...r.cells].map(c => c.textContent.trim()))")
    hidden_form = page.locator(CLAIMS_FORM).is_hidden()
    entries = page.eval_on_selector_all("details.rosetta-claim", "ds => ds.filter(d => d.offsetParent !== null).length")
    context.close()
    site = load_site(ROOT)
    assert len(rows) == len(site.claims) and entries == len(site.claims)
    assert all(len(cells) == 4 and all(cells) for cells in rows), "each row shows claim, articles, verdict and reason"
    assert hidden_form, "controls that need JavaScript are not shown without it"


@pytest.mark.parametrize("path", ["", "topics/graph-compilation/", "notebooks/autograd/", "topics/performance/"])
def test_axe_core_finds_no_violations_in_dark_mode(browser, site_url, path):
    context = browser.new_context(color_scheme="dark")  # the palette follows prefers-color-scheme
    page = context.new_page()
    page.goto(site_url + path)
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document)).violations"
                               ".map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
    context.close()
    assert violations == [], json.dumps(violations, indent=1)
