"""What a reader downloads before touching anything: every page kind within the budget (issue 10), served
with gzip as a static host serves it, counted by Chromium itself (bytes on the wire, headers included)."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from lighthouse_audit import PAGE_KINDS
from searching import search
from static_host import serve
from test_browser import CHROMIUM, CHROMIUM_FLAGS

BUDGET_KB = 250  # gzip, before the first interaction: the search index must not be in it

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def gzip_site(site_dir):
    with serve(site_dir) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def bytes_before_interaction(browser, url: str) -> tuple[int, list[str]]:
    """Bytes received for `url` and everything it loads by itself (until the network has been idle)."""
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls: dict[str, str] = {}
    received: dict[str, int] = {}
    cdp.on("Network.requestWillBeSent", lambda event: urls.__setitem__(event["requestId"], event["request"]["url"]))
    cdp.on("Network.loadingFinished",
           lambda event: received.__setitem__(event["requestId"], int(event["encodedDataLength"])))
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(1000)  # late fetches (Material's sitemap, the search worker) come after load
    context.close()
    return sum(received.values()), sorted(urls[r] for r in received if r in urls)


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_each_page_kind_loads_within_the_budget(browser, gzip_site, kind):
    total, urls = bytes_before_interaction(browser, gzip_site + PAGE_KINDS[kind])
    assert not [u for u in urls if "/pagefind/" in u], f"{kind}: the search index loads before any search: {urls}"
    assert total <= BUDGET_KB * 1024, (f"{kind}: {total / 1024:.0f} KB before interaction (budget {BUDGET_KB} KB "
                                       f"gzip): {urls}")


def test_the_search_index_loads_on_first_use(browser, gzip_site):
    """The budget holds because the index waits for the search box; it still arrives when the reader searches."""
    page = browser.new_page()
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(gzip_site, wait_until="networkidle")
    assert not [u for u in fetched if "/pagefind/" in u]
    assert search(page, "GradientTape"), "the search box answered nothing"
    assert [u for u in fetched if "/pagefind/" in u], "searching fetched no Pagefind index"
    page.close()
