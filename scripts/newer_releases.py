"""`make releases`: ask the package index which releases are newer than the release histories in data/.

Reads every distribution with a release history (data/frameworks/*.yml `distribution` + `releases`,
data/tools/*.yml `id` + `releases`), asks the index for its releases and prints those newer than the
newest one the data records, each as a YAML entry ready to paste (PyPI's release page as its source).
The index is PIP_INDEX_URL (a PEP 503 simple index), https://pypi.org/simple/ when unset; it is
asked for PEP 691 JSON, whose PEP 700 `upload-time` gives each release's date, and a plain HTML
index is understood too (dates then unknown). Informational only: it always exits 0, and offline it
says so in one line.

Self-contained on purpose (PyYAML and packaging only): it is a maintenance tool, not part of the build.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import yaml
from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INDEX = "https://pypi.org/simple/"
ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class IndexRelease:
    version: Version
    date: str | None  # YYYY-MM-DD of the earliest file upload, when the index says


class Offline(Exception):
    """The index could not be reached at all."""


def normalized(name: str) -> str:
    """PEP 503 name normalisation: the path segment of a project on a simple index."""
    return re.sub(r"[-_.]+", "-", name).lower()


def recorded_histories(root: Path) -> dict[str, tuple[str, list[Version]]]:
    """Distribution → (the data folder that holds its history, the versions recorded there)."""
    histories = {}
    for folder, name_key in (("data/frameworks", "distribution"), ("data/tools", "id")):
        for path in sorted((root / folder).glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            histories[data[name_key]] = (folder, [Version(r["version"]) for r in data.get("releases", [])])
    return histories


def exact_pins(root: Path) -> set[str]:
    """Distributions requirements.txt pins to one release (`name==x.y`)."""
    pins = set()
    for line in (root / "requirements.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^]]*\])?\s*==", line)
        if match:
            pins.add(normalized(match.group(1)))
    return pins


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.files: list[tuple[str, bool]] = []  # (file name, yanked)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            attributes = dict(attrs)
            name = (attributes.get("href") or "").split("#")[0].rstrip("/").rsplit("/", 1)[-1]
            self.files.append((urllib.request.url2pathname(name), "data-yanked" in attributes))


def _version_of(filename: str) -> Version | None:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None


def index_releases(index_url: str, name: str) -> list[IndexRelease] | None:
    """Final releases on the index, oldest first; None when the index does not have the project."""
    url = index_url.rstrip("/") + "/" + normalized(name) + "/"
    request = urllib.request.Request(url, headers={"Accept": ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            content_type = response.headers.get("Content-Type", "")
            body = response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise Offline(f"{url} answered HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise Offline(f"{url}: {getattr(error, 'reason', error)}") from None
    if "json" in content_type:
        files = [(f["filename"], bool(f.get("yanked")), f.get("upload-time")) for f in json.loads(body)["files"]]
    else:
        parser = _Links()
        parser.feed(body)
        files = [(filename, yanked, None) for filename, yanked in parser.files]
    dates: dict[Version, str | None] = {}
    for filename, yanked, uploaded in files:
        version = _version_of(filename)
        if yanked or version is None or version.is_prerelease or version.is_devrelease or version.local:
            continue
        day = uploaded[:10] if uploaded else None
        known = dates.get(version)
        dates[version] = min(d for d in (known, day) if d) if (known or day) else None
    return [IndexRelease(version, dates[version]) for version in sorted(dates)]


def yaml_entry(name: str, release: IndexRelease, index_url: str) -> str:
    on_pypi = index_url.rstrip("/") == DEFAULT_INDEX.rstrip("/")
    source = f"https://pypi.org/project/{normalized(name)}/{release.version}/" if on_pypi else "<official release page>"
    return f'- {{version: "{release.version}", date: {release.date or "<date>"}, source: {source}}}'


def report(root: Path, index_url: str, out=sys.stdout) -> int:
    histories = recorded_histories(root)
    untracked = sorted(exact_pins(root) - {normalized(name) for name in histories})
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = dict(zip(histories, pool.map(lambda name: index_releases(index_url, name), histories)))
    except Offline as reason:
        print(f"offline: could not reach the package index ({reason}); nothing checked", file=out)
        return 0
    newer_count = 0
    for name, (folder, recorded) in histories.items():
        releases = answers[name]
        if releases is None:
            print(f"{name}: not on the index {index_url}", file=out)
            continue
        newest_recorded = max(recorded) if recorded else None
        newer = [r for r in releases if newest_recorded is None or r.version > newest_recorded]
        if not newer:
            continue
        newer_count += len(newer)
        listed = ", ".join(f"{r.version} ({r.date or 'date unknown'})" for r in newer)
        print(f"{name}: data records up to {newest_recorded or 'nothing'}; the index has {listed} — add to {folder}/:",
              file=out)
        for release in newer:
            print("    " + yaml_entry(name, release, index_url), file=out)
    print(f"{newer_count} newer release(s) than data/ records, across {len(histories)} distributions "
          f"(index {index_url})", file=out)
    if untracked:
        print(f"pinned in requirements.txt without a release history in data/: {', '.join(untracked)}", file=out)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="project checkout to read data/ from")
    args = parser.parse_args(argv)
    return report(args.root, os.environ.get("PIP_INDEX_URL") or DEFAULT_INDEX)


if __name__ == "__main__":
    sys.exit(main())
