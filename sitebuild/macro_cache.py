"""Reuse a page's Markdown after the macros when nothing the macros read has changed.

The macros render pages from the validated site, the executed notebooks, the build's own package versions
(the versions page) and the page's Markdown; on a warm rebuild re-running them for every page was a fifth of
the build. The key hashes the build's inputs (`build_digest`: what the validated site is keyed by, every
executed notebook's key, the build's package versions, mkdocs.yml and the environment it reads), the site's
file list (links are relative) and the page: its source path, front matter and Markdown before the macros.

`install` wraps mkdocs-macros' `render` on its plugin instance, so the plugin still runs its own steps and
only the Jinja rendering is skipped on a hit.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from .build_cache import write_atomically

# Bump when what the macros produce changes in a way the inputs below would not show.
MACRO_CACHE_FORMAT = "1"


def build_digest(*parts: str) -> str:
    digest = hashlib.sha256(MACRO_CACHE_FORMAT.encode())
    for part in parts:
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


class _WarningRecorder(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.seen = False

    def emit(self, record: logging.LogRecord) -> None:
        self.seen = True


class MacroCache:
    """One build's view of the cache folder; `prune()` at the end keeps only the entries this build used."""

    def __init__(self, folder: Path, build: str):
        self.folder = Path(folder)
        self.build = build
        self.files = ""  # digest of the site's file list, set once every plugin has added its files
        self.used: set[str] = set()
        self.hits = 0

    def _path(self, page, markdown: str) -> Path:
        digest = hashlib.sha256()
        for part in (self.build, self.files, page.file.src_uri,
                     json.dumps(page.meta, sort_keys=True, default=str), markdown):
            digest.update(part.encode() + b"\0")
        name = f"{digest.hexdigest()[:40]}.md"
        self.used.add(name)
        return self.folder / name

    def install(self, plugin) -> None:
        original = plugin.render

        def render(markdown: str, force_rendering: bool = False) -> str:
            path = self._path(plugin.page, markdown)
            try:
                rendered = path.read_text(encoding="utf-8")
                self.hits += 1
                return rendered
            except OSError:
                pass
            warnings = _WarningRecorder()
            logging.getLogger("mkdocs").addHandler(warnings)
            try:
                rendered = original(markdown=markdown, force_rendering=force_rendering)
            finally:
                logging.getLogger("mkdocs").removeHandler(warnings)
            if rendered == markdown or warnings.seen:  # nothing rendered, or a warning a hit would not repeat
                return rendered
            write_atomically(path, rendered.encode("utf-8"))
            return rendered

        plugin.render = render

    def prune(self) -> None:
        for path in self.folder.glob("*.md"):
            if path.name not in self.used:
                path.unlink(missing_ok=True)
