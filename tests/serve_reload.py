"""`mkdocs serve` as an editor uses it: save a data file, wait until the open page shows the edit.

Used by `make benchmark`. The clock starts when the file is written and stops when Chromium shows the new text
after mkdocs' live reload: the rebuild and the reload, as the editor waits for them.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import BUILD_ENVIRONMENT


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_served(url: str, server: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"mkdocs serve stopped: {server.stderr.read()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"mkdocs serve did not answer at {url}")


def serve_reload_seconds(project: Path, cache: Path, edits: int = 3) -> str:
    """Median seconds from saving an edit of a topic's verdict to the topic page showing it."""
    from playwright.sync_api import sync_playwright

    from test_browser import CHROMIUM, CHROMIUM_FLAGS

    topic = sorted((project / "data/topics").glob("*.yml"))[0]
    port = _free_port()
    env = {**os.environ, **BUILD_ENVIRONMENT, "ROSETTA_CACHE_DIR": str(cache)}
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                              cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/topics/{topic.stem}/"
    seconds = []
    try:
        _wait_until_served(url, server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page()
            page.goto(url)
            original = topic.read_text()
            for edit in range(1, edits + 1):
                marker = f"Reload marker {edit}."
                page.wait_for_timeout(1500)  # let the server settle after the last rebuild
                started = time.perf_counter()
                # Inside the quotes when the verdict is quoted, so the file stays valid YAML.
                topic.write_text(re.sub(r"verdict: (['\"]?)", lambda m: f"verdict: {m.group(1)}{marker} ", original, 1))
                page.wait_for_function("m => document.body.innerText.includes(m)", arg=marker, timeout=120_000)
                seconds.append(time.perf_counter() - started)
            topic.write_text(original)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return f"{statistics.median(seconds):.1f} (runs {', '.join(f'{s:.1f}' for s in seconds)})"
