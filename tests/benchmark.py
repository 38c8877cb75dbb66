"""Benchmark the build and the built site (not a test): `make benchmark`.

Reports: cold build (every notebook executed), warm rebuild (nothing changed), rebuild after editing
one data file, rebuild after editing one notebook; HTML weight (raw and gzip) of the matrix, a topic
and a notebook page; search index size; search latency in Chromium.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's build code
from conftest import BUILD_ENVIRONMENT, ROOT, _QuietHandler, copy_project  # noqa: E402


def build(project: Path, site: Path, cache: Path) -> float:
    env = {**os.environ, **BUILD_ENVIRONMENT, "ROSETTA_CACHE_DIR": str(cache)}
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
                            cwd=project, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"build failed:\n{result.stderr[-3000:]}")
    return elapsed


def weight(path: Path) -> str:
    raw = path.read_bytes()
    return f"{len(raw) / 1024:.0f} KB raw, {len(gzip.compress(raw, 9)) / 1024:.0f} KB gzip"


def search_latency(site: Path, queries: list[str]) -> list[tuple[str, float]]:
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    from test_browser import CHROMIUM, CHROMIUM_FLAGS

    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    timings = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        page.wait_for_timeout(1000)  # let the search worker load the index before timing queries
        for query in queries:
            page.evaluate("document.getElementById('__search').checked = true")
            field = page.locator("input.md-search__input")
            field.focus()
            field.fill("")
            page.wait_for_timeout(300)
            started = time.perf_counter()
            field.fill(query)
            field.press("End")  # Material reacts to key events as well as input events
            page.wait_for_function(
                "q => document.querySelector('.md-search-result__meta')?.textContent.match(/\\d/)"
                " && document.querySelector('.md-search-result__item')", arg=query, timeout=10_000)
            timings.append((query, (time.perf_counter() - started) * 1000))
        browser.close()
    server.shutdown()
    return timings


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="rosetta-bench-"))
    project, site, cache = copy_project(workdir / "project"), workdir / "site", workdir / "cache"
    rows = [("cold build (all notebooks executed)", build(project, site, cache))]
    rows.append(("warm rebuild, nothing changed", build(project, site, cache)))
    data_file = sorted((project / "data/features").glob("*.yml"))[0]
    data_file.write_text(data_file.read_text().replace("note: ", "note: Edited. ", 1))
    rows.append((f"rebuild after editing {data_file.relative_to(project)}", build(project, site, cache)))
    notebook = project / "notebooks/tensors.py"
    notebook.write_text(notebook.read_text() + "\n# %% [markdown]\n# An edit.\n")
    rows.append((f"rebuild after editing {notebook.relative_to(project)}", build(project, site, cache)))

    print("| Build | Seconds |\n| --- | --- |")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.1f} |")
    print("\n| Page | Weight |\n| --- | --- |")
    for label, path in [("matrix", "matrix/index.html"), ("topic (graph compilation)", "topics/graph-compilation/index.html"),
                        ("notebook (autograd)", "notebooks/autograd/index.html"), ("home", "index.html")]:
        print(f"| {label} | {weight(site / path)} |")
    shared_css = sum(p.stat().st_size for p in (site / "assets/notebook-css").glob("*.css"))
    print(f"| shared notebook CSS (downloaded once) | {shared_css / 1024:.0f} KB raw |")
    print(f"| search index | {weight(site / 'search/search_index.json')} |")
    print("\n| Search query | ms to first results |\n| --- | --- |")
    for query, ms in search_latency(site, ["GradientTape", "jax.jit", "torch.compile", "eager", "optimizer"]):
        print(f"| {query} | {ms:.0f} |")
    shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
