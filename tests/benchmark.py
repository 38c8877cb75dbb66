"""Benchmark the build and the built site (not a test): `make benchmark`.

Reports: cold build (every notebook executed), warm rebuild (nothing changed; median of 3, with the CPU time
so a busy machine can be told from a slow build), rebuild after editing one data file, rebuild after editing
one notebook, a bare 3-page Material site built the same way (the floor), `mkdocs serve` from a saved data
edit to the page reloaded in Chromium; HTML weights; search latency; Lighthouse mobile on every page kind
(tests/lighthouse_audit.py). `BENCHMARK_QUICK=1` skips the cold build and Lighthouse.
"""

from __future__ import annotations

import gzip
import os
import resource
import statistics
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's build code
from conftest import BUILD_ENVIRONMENT, ROOT, _QuietHandler, copy_project  # noqa: E402
from serve_reload import serve_reload_seconds  # noqa: E402


def build(project: Path, site: Path, cache: Path) -> float:
    return timed_build(project, site, cache)[0]


def timed_build(project: Path, site: Path, cache: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one strict build."""
    env = {**os.environ, **BUILD_ENVIRONMENT, "ROSETTA_CACHE_DIR": str(cache)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
                            cwd=project, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        sys.exit(f"build failed:\n{result.stderr[-3000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_build(project: Path, site: Path, cache: Path, runs: int = 3) -> str:
    timings = [timed_build(project, site, cache) for _ in range(runs)]
    walls, cpus = [t[0] for t in timings], [t[1] for t in timings]
    return (f"{statistics.median(walls):.1f} (CPU {statistics.median(cpus):.1f}; "
            f"runs {', '.join(f'{w:.1f}' for w in walls)})")


def bare_material_site(folder: Path) -> Path:
    """The floor: a 3-page Material site with the same theme options and no hooks, plugins or data."""
    (folder / "docs").mkdir(parents=True)
    for name in ("index", "one", "two"):
        (folder / "docs" / f"{name}.md").write_text(f"# {name.title()}\n\nA page.\n")
    (folder / "mkdocs.yml").write_text("site_name: Floor\ntheme:\n  name: material\n  font: false\n")
    return folder


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
            page.evaluate("(toggle => toggle.checked || toggle.click())(document.getElementById('__search'))")
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
    quick = os.environ.get("BENCHMARK_QUICK") == "1"
    workdir = Path(tempfile.mkdtemp(prefix="rosetta-bench-"))
    project, site, cache = copy_project(workdir / "project"), workdir / "site", workdir / "cache"
    if quick:  # start from the executed notebooks already cached in this checkout
        shutil.copytree(ROOT / ".cache/notebooks", cache / "notebooks")
    rows = [] if quick else [("cold build (all notebooks executed)", f"{build(project, site, cache):.1f}")]
    build(project, site, cache)  # fills the build caches, whatever the starting point
    rows.append(("warm rebuild, nothing changed (median of 3)", median_build(project, site, cache)))
    floor = bare_material_site(workdir / "floor")
    build(floor, workdir / "floor-site", workdir / "floor-cache")
    rows.append(("bare 3-page Material site, same machine and run (median of 3)",
                 median_build(floor, workdir / "floor-site", workdir / "floor-cache")))
    data_file = sorted((project / "data/features").glob("*.yml"))[0]
    data_file.write_text(data_file.read_text().replace("note: ", "note: Edited. ", 1))
    rows.append((f"rebuild after editing {data_file.relative_to(project)}", f"{build(project, site, cache):.1f}"))
    rows.append(("`mkdocs serve`: data edit saved → page reloaded in Chromium (median of 3)",
                 serve_reload_seconds(project, cache)))
    notebook = project / "notebooks/tensors.py"
    notebook.write_text(notebook.read_text() + "\n# %% [markdown]\n# An edit.\n")
    rows.append((f"rebuild after editing {notebook.relative_to(project)}", f"{build(project, site, cache):.1f}"))
    load = os.getloadavg()

    print(f"Load average during the run: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores\n")
    print("| Build | Seconds |\n| --- | --- |")
    for label, seconds in rows:
        print(f"| {label} | {seconds} |")
    print("\n| Page | Weight |\n| --- | --- |")
    for label, path in [("matrix", "matrix/index.html"), ("topic (graph compilation)", "topics/graph-compilation/index.html"),
                        ("notebook (autograd)", "notebooks/autograd/index.html"), ("home", "index.html")]:
        print(f"| {label} | {weight(site / path)} |")
    shared_css = sum(p.stat().st_size for p in (site / "assets/notebook-css").glob("*.css"))
    print(f"| shared notebook CSS (downloaded once) | {shared_css / 1024:.0f} KB raw |")
    index = sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file())
    print(f"| Pagefind index, all chunks (fetched only as queries need them) | {index / 1024:.0f} KB |")
    print("\n| Search query | ms to first results |\n| --- | --- |")
    for query, ms in search_latency(site, ["GradientTape", "jax.jit", "torch.compile", "eager", "optimizer"]):
        print(f"| {query} | {ms:.0f} |")
    if not quick:
        from lighthouse_audit import lighthouse_table

        print("\nLighthouse mobile (simulated throttling), served with gzip:\n")
        print(lighthouse_table(site))
    shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
