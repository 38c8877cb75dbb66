"""Reuse a Markdown page's rendered HTML when nothing it is rendered from has changed.

Python-Markdown was about half of a warm build, and a rebuild after one data edit changes few pages. A
page's HTML depends on its Markdown (after the macros ran), the Markdown configuration (mkdocs.yml and
the versions of the Markdown packages), and the site's set of files (links are resolved against it):
the key hashes all of these. A cached render also replays the warnings the first render logged (a
broken link), so a strict build fails on a cache hit exactly as it did on the miss.

Notebook pages have their own cache (NotebookRenderCache, below), keyed by the executed notebook.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import pickle
from dataclasses import dataclass
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page

from .build_cache import write_atomically

# The packages whose code turns Markdown into HTML on these pages.
RENDERING_DISTRIBUTIONS = ("mkdocs", "markdown", "pymdown-extensions", "pygments", "mkdocs-material")
# Page.render logs its link and anchor warnings here.
_PAGES_LOGGER = "mkdocs.structure.pages"


@dataclass(frozen=True)
class RenderedPage:
    content: str
    toc: object
    title: str | None
    present_anchor_ids: frozenset[str]
    links_to_anchors: dict[str, dict[str, str]] | None  # by the linked file's src_uri
    log: tuple[tuple[int, str], ...]  # (level, message) records Page.render logged


class _Recorder(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno > logging.DEBUG:
            self.records.append((record.levelno, record.getMessage()))


def configuration_digest(config_file: Path) -> str:
    versions = " ".join(f"{name}={importlib.metadata.version(name)}" for name in RENDERING_DISTRIBUTIONS)
    return hashlib.sha256(Path(config_file).read_bytes() + versions.encode()).hexdigest()


def files_digest(files) -> str:
    return hashlib.sha256("\n".join(sorted(f"{f.src_uri} {f.url}" for f in files)).encode()).hexdigest()


class RenderCache:
    """One build's view of the cache folder; `prune()` at the end keeps only the entries this build used."""

    def __init__(self, folder: Path, configuration: str):
        self.folder = Path(folder)
        self.configuration = configuration
        self.used: set[str] = set()
        self.hits = 0
        self._files_digest: tuple[object, str] | None = None

    def _key(self, page, files) -> str:
        if self._files_digest is None or self._files_digest[0] is not files:
            self._files_digest = (files, files_digest(files))
        digest = hashlib.sha256()
        for part in (self.configuration, self._files_digest[1], page.file.src_uri, page.file.url, page.markdown):
            digest.update(part.encode() + b"\0")
        return digest.hexdigest()[:40]

    def install(self, page, files) -> None:
        """Make `page.render` reuse the cached HTML, or render and store it (mkdocs-jupyter swaps render alike)."""
        name = f"{self._key(page, files)}.pickle"
        self.used.add(name)
        path, original_render = self.folder / name, page.render

        def render(config, files) -> None:
            cached = _read(path)
            if cached is not None:
                self.hits += 1
                _apply(page, cached, files)
                return
            recorder = _Recorder()
            logger = logging.getLogger(_PAGES_LOGGER)
            logger.addHandler(recorder)
            try:
                original_render(config, files)
            finally:
                logger.removeHandler(recorder)
            links = page.links_to_anchors
            _write(path, RenderedPage(
                content=page.content, toc=page.toc, title=page._title_from_render,
                present_anchor_ids=frozenset(page.present_anchor_ids or ()),
                links_to_anchors=None if links is None else {f.src_uri: dict(v) for f, v in links.items()},
                log=tuple(recorder.records)))

        page.render = render

    def prune(self) -> None:
        for path in self.folder.glob("*.pickle"):
            if path.name not in self.used:
                path.unlink(missing_ok=True)


def _apply(page, cached: RenderedPage, files) -> None:
    page.content = cached.content
    page.toc = cached.toc
    page._title_from_render = cached.title
    page.present_anchor_ids = set(cached.present_anchor_ids)
    if cached.links_to_anchors is not None:
        page.links_to_anchors = {files.get_file_from_path(uri): dict(links)
                                 for uri, links in cached.links_to_anchors.items()}
    logger = logging.getLogger(_PAGES_LOGGER)
    for level, message in cached.log:
        logger.log(level, message)


def _read(path: Path) -> RenderedPage | None:
    try:
        cached = pickle.loads(path.read_bytes())
    except Exception:  # missing, or written by other code
        return None
    return cached if isinstance(cached, RenderedPage) else None


def _write(path: Path, rendered: RenderedPage | RenderedNotebook) -> None:
    write_atomically(path, pickle.dumps(rendered, protocol=pickle.HIGHEST_PROTOCOL))


# --- Notebook pages ----------------------------------------------------------------------------------------------
# mkdocs-jupyter turns an executed notebook into a page with nbconvert. Importing it with nbconvert, jupytext and
# jupyter_client took 0.3 s of every build, even when it answered from its own cache; so hooks/pipeline.py loads
# it, with these options, only for a build with a notebook page this cache does not hold, and this cache keeps
# what it rendered: the page's HTML, table of contents and title.
MKDOCS_JUPYTER_OPTIONS = {
    "include": ["*.ipynb"],
    "ignore": ["*.md"],  # else it parses every Markdown page with jupytext to look for a notebook header
    "execute": False,  # hooks/pipeline.py executed them once, cached by their inputs
    "allow_errors": False,
    "no_prompt": True,
    "include_source": False,  # hooks/pipeline.py publishes each notebook beside its page, without run facts
    "cache": False,  # this cache replaces its own
}
# The packages whose code turns a notebook into the page's HTML.
CONVERTING_DISTRIBUTIONS = ("mkdocs-jupyter", "nbconvert", "mistune", "pygments", "jupytext", "markdown", "nbformat",
                            "beautifulsoup4", "bleach")


@dataclass(frozen=True)
class RenderedNotebook:
    content: str
    toc: object
    title: str | None


class NotebookPageFile(File):
    """An executed notebook as a documentation page (notebooks/<name>/), as mkdocs-jupyter's own wrapper makes it."""

    def is_documentation_page(self) -> bool:
        return True


class NotebookRenderCache:
    """One build's view of the cache of rendered notebook pages, keyed by the executed notebook's bytes."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.used: set[str] = set()
        self.hits = 0
        versions = " ".join(f"{name}={importlib.metadata.version(name)}" for name in CONVERTING_DISTRIBUTIONS)
        self._salt = f"{versions} {json.dumps(MKDOCS_JUPYTER_OPTIONS, sort_keys=True)}".encode()

    def _path(self, notebook: Path) -> Path:
        digest = hashlib.sha256(self._salt + b"\0" + Path(notebook).read_bytes()).hexdigest()[:40]
        return self.folder / f"{digest}.pickle"

    def holds_all(self, notebooks) -> bool:
        return all(_read_notebook(self._path(path)) is not None for path in notebooks)

    def install(self, page) -> None:
        """Make `page.render` reuse the cached page, or run mkdocs-jupyter's render and keep what it made."""
        path, original_render = self._path(Path(page.file.abs_src_path)), page.render
        self.used.add(path.name)

        def render(config, files) -> None:
            cached = _read_notebook(path)
            if cached is None:
                if getattr(original_render, "__func__", None) is Page.render:  # would render the JSON as Markdown
                    raise PluginError(f"{page.file.src_uri}: its rendered page left the cache during the build — "
                                      "fix: build again")
                original_render(config, files)  # mkdocs-jupyter's, installed by its on_pre_page
                cached = RenderedNotebook(page.content, page.toc, page.title)
                _write(path, cached)
                return
            self.hits += 1
            page.content, page.toc = cached.content, cached.toc
            if cached.title is not None:
                page.title = cached.title

        page.render = render

    def prune(self) -> None:
        for path in self.folder.glob("*.pickle"):
            if path.name not in self.used:
                path.unlink(missing_ok=True)


def _read_notebook(path: Path) -> RenderedNotebook | None:
    try:
        cached = pickle.loads(path.read_bytes())
    except Exception:  # missing, or written by other code
        return None
    return cached if isinstance(cached, RenderedNotebook) else None
