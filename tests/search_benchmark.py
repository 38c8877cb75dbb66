"""Compare the two search engines on the same site and the same reader questions (not a test).

`python tests/search_benchmark.py [SITE_LUNR SITE_PAGEFIND]` builds the site once per engine (or uses the
given builds), serves each with gzip, and reports for each engine: the share of questions with a right page
in the top 3, the bytes a reader downloads before touching search and during the first search (gzip, as
transferred), and the time from typing to results in Chromium. `make benchmark` prints the same table.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from conftest import BUILD_ENVIRONMENT, ROOT  # noqa: E402
from searching import ask_all, load_questions, search  # noqa: E402
from static_host import serve  # noqa: E402

ENGINES = ("lunr", "pagefind")
LANDING_PAGE = "topics/graph-compilation/"
TIMED_QUESTIONS = 12


def build(engine: str, site: Path) -> None:
    env = {**os.environ, **BUILD_ENVIRONMENT, "ROSETTA_SEARCH_ENGINE": engine}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"{engine} build failed:\n{result.stderr[-3000:]}")


def measure(site: Path, questions: list[dict]) -> dict:
    from playwright.sync_api import sync_playwright

    from test_browser import CHROMIUM, CHROMIUM_FLAGS

    with serve(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        transferred: list[int] = []
        page.on("requestfinished", lambda request: transferred.append(request.sizes()["responseBodySize"]))
        page.goto(url + LANDING_PAGE, wait_until="networkidle")
        page.wait_for_timeout(1500)  # anything a page fetches on its own after load counts as before search
        before = sum(transferred)
        transferred.clear()
        search(page, questions[0]["q"])
        page.wait_for_timeout(500)
        during = sum(transferred)
        latencies = []
        for question in questions[1:TIMED_QUESTIONS + 1]:
            started = time.perf_counter()
            search(page, question["q"])
            latencies.append((time.perf_counter() - started) * 1000 - 400)  # minus search()'s settling pause
        answers = ask_all(page, questions)
        browser.close()
    hits = sum(a.hit for a in answers)
    return {"hits": hits, "total": len(answers), "before_kb": before / 1024, "during_kb": during / 1024,
            "median_ms": statistics.median(latencies), "catch_all_first": sum(a.catch_all_first for a in answers)}


def comparison_table(sites: dict[str, Path]) -> str:
    questions = load_questions()
    rows = ["| Engine | Right page in top 3 | Claims/matrix first | KB before search (gz) | KB during first search (gz)"
            " | Median ms to results |", "| --- | --- | --- | --- | --- | --- |"]
    for engine, site in sites.items():
        m = measure(site, questions)
        rows.append(f"| {engine} | {m['hits']}/{m['total']} ({100 * m['hits'] / m['total']:.0f} %) | "
                    f"{m['catch_all_first']} | {m['before_kb']:.0f} | {m['during_kb']:.0f} | {m['median_ms']:.0f} |")
    return "\n".join(rows)


def main() -> None:
    if len(sys.argv) == 3:
        sites = dict(zip(ENGINES, map(Path, sys.argv[1:])))
    else:
        workdir = Path(tempfile.mkdtemp(prefix="rosetta-search-"))
        sites = {engine: workdir / engine for engine in ENGINES}
        for engine, site in sites.items():
            build(engine, site)
    print(comparison_table(sites))


if __name__ == "__main__":
    main()
