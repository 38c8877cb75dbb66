"""Lighthouse (npm, package.json) against Debian's Chromium: the scores and weights of each page kind.

Not a test: `make benchmark` prints the table the README shows. Pages are served with gzip, as a static
host serves them (uncompressed, Lighthouse's scores drop 20-30 points). Lighthouse's mobile preset
throttles a simulated phone, so a shared machine moves the performance score: each page is audited
`runs` times and the median reported.

    .venv/bin/python tests/lighthouse_audit.py SITE_DIR [RUNS]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from static_host import serve  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules/.bin/lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run --disable-default-apps --disable-extensions")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")

# One page of each kind the site has, by URL path.
PAGE_KINDS = {
    "home": "",
    "matrix": "matrix/",
    "topic (execution-model)": "topics/execution-model/",
    "notebook (autograd)": "notebooks/autograd/",
    "Rosetta (autodiff)": "rosetta/autodiff/",
    "migration (pytorch-to-jax)": "migration/pytorch-to-jax/",
    "claims": "claims/",
    "decision guide": "decision-guide/",
    "versions": "versions/",
}


def audit(url: str) -> dict:
    """One Lighthouse mobile run: category scores (0-100), TBT in ms, bytes transferred (compressed)."""
    with tempfile.TemporaryDirectory(prefix="rosetta-lighthouse-") as out:
        report = Path(out) / "report.json"
        result = subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", f"--only-categories={','.join(CATEGORIES)}",
             f"--chrome-flags={CHROME_FLAGS}", "--max-wait-for-load=45000", "--output=json",
             f"--output-path={report}"],
            env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True, timeout=300)
        if result.returncode or not report.is_file():
            raise RuntimeError(f"lighthouse failed on {url}: {result.stderr[-1000:]}")
        data = json.loads(report.read_text())
    audits = data["audits"]
    scores = {name: round(data["categories"][name]["score"] * 100) for name in CATEGORIES}
    failed = sorted(a["id"] for a in audits.values()
                    if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary")
    return {**scores, "tbt_ms": audits["total-blocking-time"]["numericValue"],
            "kb_gz": audits["total-byte-weight"]["numericValue"] / 1024,
            "dom_nodes": audits.get("dom-size", {}).get("numericValue"), "failed": failed}


def median_audit(url: str, runs: int) -> dict:
    results = [audit(url) for _ in range(runs)]
    summary = {key: statistics.median(r[key] for r in results)
               for key in (*CATEGORIES, "tbt_ms", "kb_gz", "dom_nodes") if results[0][key] is not None}
    summary["failed"] = sorted({f for r in results for f in r["failed"]})
    summary["perf_range"] = (min(r["performance"] for r in results), max(r["performance"] for r in results))
    return summary


def lighthouse_table(site_dir: Path, runs: int = 3) -> str:
    """The README's Lighthouse table (markdown), medians of `runs` audits per page."""
    lines = [f"| page | perf (median of {runs}; range) | a11y | best pr. | SEO | TBT | transferred (gz) | DOM nodes |",
             "|---|---|---|---|---|---|---|---|"]
    with serve(site_dir) as base:
        for label, path in PAGE_KINDS.items():
            s = median_audit(base + path, runs)
            low, high = s["perf_range"]
            note = f" (failed: {', '.join(s['failed'])})" if s["failed"] else ""
            lines.append(f"| {label} | {s['performance']:.0f} ({low}–{high}) | {s['accessibility']:.0f} | "
                         f"{s['best-practices']:.0f} | {s['seo']:.0f} | {s['tbt_ms']:.0f} ms | {s['kb_gz']:.0f} KB | "
                         f"{s.get('dom_nodes', 0):.0f} |{note}")
            print(lines[-1], file=sys.stderr, flush=True)
    return "\n".join(lines)


if __name__ == "__main__":
    print(lighthouse_table(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3))
