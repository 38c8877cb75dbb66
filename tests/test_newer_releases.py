"""`make releases` (scripts/newer_releases.py) against a fake package index served over real HTTP.

The fake index is a local http.server answering PEP 691 JSON (with PEP 700 upload times) for most
projects and a PEP 503 HTML page for one, built from the release histories in data/, plus a few newer
releases; the program must report exactly those.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

SCRIPT = ROOT / "scripts/newer_releases.py"


def recorded() -> dict[str, list[dict]]:
    """Distribution → its release history, as data/ records it."""
    histories = {}
    for path in sorted((ROOT / "data/frameworks").glob("*.yml")):
        data = yaml.safe_load(path.read_text())
        histories[data["distribution"]] = data["releases"]
    for path in sorted((ROOT / "data/tools").glob("*.yml")):
        data = yaml.safe_load(path.read_text())
        histories[data["id"]] = data["releases"]
    return histories


def wheel(name: str, version: str) -> str:
    return f"{name.replace('-', '_')}-{version}-py3-none-any.whl"


class _FakeIndex(http.server.BaseHTTPRequestHandler):
    """/simple/<project>/ → <root>/<project>.json (PEP 691) or <root>/<project>.html (PEP 503); else 404."""

    def __init__(self, *args, root: Path, **kwargs):
        self.root = root
        super().__init__(*args, **kwargs)

    def do_GET(self):
        project = self.path.strip("/").split("/")[-1]
        for suffix, content_type in ((".json", "application/vnd.pypi.simple.v1+json"), (".html", "text/html")):
            path = self.root / f"{project}{suffix}"
            if path.exists():
                body = path.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        self.send_error(404)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_index(tmp_path):
    histories = recorded()
    extra = {  # newer than data/: one final release, plus a pre-release and a yanked one that must be ignored
        "torch": [("99.0.0", "2030-01-02T10:00:00Z", False), ("99.1.0rc1", "2030-02-01T10:00:00Z", False),
                  ("98.0.0", "2029-12-01T10:00:00Z", True)],
    }
    html_project, html_version = "optax", "9.9.9"
    missing_project = "grain"
    for name, releases in histories.items():
        if name == missing_project:
            continue
        files = [{"filename": wheel(name, r["version"]), "url": f"https://files.example/{wheel(name, r['version'])}",
                  "hashes": {}, "upload-time": f"{r['date']}T12:00:00Z"} for r in releases]
        files += [{"filename": wheel(name, version), "url": "https://files.example/x", "hashes": {},
                   "upload-time": uploaded, "yanked": yanked} for version, uploaded, yanked in extra.get(name, [])]
        if name == html_project:
            links = "".join(f'<a href="../../files/{f["filename"]}">{f["filename"]}</a>\n'
                            for f in files + [{"filename": wheel(name, html_version)}])
            (tmp_path / f"{name}.html").write_text(f"<!DOCTYPE html><html><body>\n{links}</body></html>")
        else:
            (tmp_path / f"{name}.json").write_text(json.dumps(
                {"meta": {"api-version": "1.1"}, "name": name, "versions": [], "files": files}))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_FakeIndex, root=tmp_path))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/simple/"
    server.shutdown()


def run(index_url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT)], env={**os.environ, "PIP_INDEX_URL": index_url},
                          capture_output=True, text=True, timeout=120)


def test_prints_exactly_the_releases_newer_than_the_data(fake_index):
    result = run(fake_index)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    reported = [line for line in lines if not line.startswith(" ") and ": data records up to" in line]
    assert len(reported) == 2, result.stdout
    torch = next(line for line in reported if line.startswith("torch:"))
    newest_torch = max(recorded()["torch"], key=lambda r: tuple(int(p) for p in r["version"].split(".")))
    assert f"data records up to {newest_torch['version']}" in torch and "99.0.0 (2030-01-02)" in torch
    assert "99.1.0rc1" not in result.stdout and "98.0.0" not in result.stdout, "pre-releases and yanked files count"
    assert '- {version: "99.0.0", date: 2030-01-02, source: <official release page>}' in result.stdout
    optax = next(line for line in reported if line.startswith("optax:"))
    assert "9.9.9 (date unknown)" in optax, "a PEP 503 HTML index has no dates"
    assert "grain: not on the index" in result.stdout
    assert "2 newer release(s) than data/ records" in result.stdout


def test_offline_says_so_in_one_line_and_exits_0():
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    result = run(f"http://127.0.0.1:{port}/simple/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("offline: could not reach the package index")
    assert not result.stderr
