"""What a warm build reuses from the last one: the validated site, and any folder derived from known inputs.

Both are keyed by the bytes of everything they were made from, so an edit anywhere in their inputs
misses the cache and the work is done again; nothing is keyed by clocks or file times, so a cache
restored on another machine (CI) is as good as a local one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pydantic

from content.loading import Site, load_site

# Bump when what is pickled changes shape in a way the code digest below would not notice.
SITE_CACHE_FORMAT = "1"
# Everything load_site reads or validates with: data, notebook sources, and the code that checks them.
SITE_INPUTS = ("data", "notebooks", "content", "macros")

_in_process: dict[str, Site] = {}  # `mkdocs serve` rebuilds in one process: skip even the unpickling


def cache_dir(root: Path) -> Path:
    """The build cache folder: ROSETTA_CACHE_DIR, or .cache/ in the checkout."""
    return Path(os.environ.get("ROSETTA_CACHE_DIR") or Path(root) / ".cache")


def digest_files(root: Path, folders: Iterable[str], suffixes: tuple[str, ...] = ()) -> str:
    """One hash over the relative paths and bytes of every file under `folders` (optionally by suffix)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted((Path(root) / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and (not suffixes or path.name.endswith(suffixes)):
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def site_inputs_digest(root: Path, today: dt.date) -> str:
    """What the validated site is made from: the files under SITE_INPUTS, the model library and the date (checks
    compare dates with today: "last_reviewed is in the future")."""
    return hashlib.sha256(f"{SITE_CACHE_FORMAT} {pydantic.VERSION} {today} "
                          f"{digest_files(root, SITE_INPUTS)}".encode()).hexdigest()


def load_site_cached(root: Path, cache: Path, today: dt.date | None = None) -> Site:
    """load_site, or the Site validated by an earlier build from the same inputs on the same day."""
    today = today or dt.date.today()
    key = site_inputs_digest(root, today)[:32]
    if key in _in_process:
        return _in_process[key]
    path = Path(cache) / "site" / f"{key}.pickle"
    site = None
    if path.is_file():
        try:
            site = pickle.loads(path.read_bytes())
        except Exception:  # a cache written by other code: rebuild it
            site = None
    if site is None:
        site = load_site(root, today)
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob("*.pickle"):
            stale.unlink(missing_ok=True)
        write_atomically(path, pickle.dumps(site, protocol=pickle.HIGHEST_PROTOCOL))
    _in_process.clear()
    _in_process[key] = site
    return site


def write_atomically(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all, under a temporary name unique to this writer: builds running at once
    (test workers, a shard and a serve) share the cache folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".partial-", delete=False) as handle:
        handle.write(data)
    Path(handle.name).replace(path)


def reuse_folder(destination: Path, entry: Path, make: Callable[[], None]) -> bool:
    """Copy `destination` from the cache folder `entry`, or `make()` it and keep a copy there. True if reused.

    Entries are named by the hash of their inputs; one per parent folder is kept. Another build may replace the
    entry while it is copied: then this one makes its own.
    """
    if entry.is_dir():
        try:
            shutil.rmtree(destination, ignore_errors=True)
            shutil.copytree(entry, destination)
            return True
        except OSError:
            shutil.rmtree(destination, ignore_errors=True)
    make()
    entry.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(dir=entry.parent, prefix=".partial-"))
    shutil.copytree(destination, partial, dirs_exist_ok=True)
    try:
        partial.replace(entry)
    except OSError:  # another build stored the same entry first
        shutil.rmtree(partial, ignore_errors=True)
    for other in entry.parent.iterdir():
        if other.name != entry.name and not other.name.startswith(".partial-"):
            shutil.rmtree(other, ignore_errors=True)
    return False
