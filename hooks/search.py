"""MkDocs hooks for the site's search engine, chosen by `extra.search_engine` (env ROSETTA_SEARCH_ENGINE).

- `pagefind` (the default, see README "Search"): Material's search box talks to docs/assets/search-worker.js,
  which answers from a Pagefind index built over the finished site. Material's own search plugin stays (it
  renders the search box) but indexes nothing: its search_index.json holds only its configuration, which
  Material's main thread fetches on page load, and parsing every page for it was a third of a warm build.
- `lunr`: Material's built-in search, unchanged, kept so `make benchmark` can compare the two engines.
"""

from __future__ import annotations

import hashlib
import html
import importlib.metadata
import json
import logging
import re
import shutil
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import material
from material.plugins.search.plugin import SearchIndex
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's build code, as in pipeline.py
from sitebuild.build_cache import cache_dir, digest_files, reuse_folder  # noqa: E402
from sitebuild.html_checks import replace_elements  # noqa: E402

ENGINES = ("pagefind", "lunr")
PAGEFIND_WORKER = "assets/search-worker.js"
# The article body is what Pagefind indexes: not the navigation, header or footer repeated on every page.
_ARTICLE = '<article class="md-content__inner md-typeset">'
# What a page is about outweighs what it mentions in passing: its lead paragraph (templates mark it
# `rosetta-lead`), a topic's at-a-glance answer and its "Questions this page answers". Pagefind weights
# headings itself (h1 7 … h6 2); the article body weighs 1, or the page's `search.boost`.
SECTION_WEIGHTS = {"rosetta-lead": 4, "rosetta-glance": 2, "rosetta-questions": 4}
# Every word the index holds, most frequent first: the worker corrects a reader's misspelling or British
# spelling ("quantisation", "presicion") to the word the pages use, since Pagefind matches words exactly.
# It lives in Pagefind's folder so the cache reuses it with the index it describes.
VOCABULARY = "pagefind/vocabulary.json"
_EXCLUDED = re.compile(r' data-search-exclude(="")?')
_WORD = re.compile(r"[a-z][a-z0-9]{3,}")
_NOT_TEXT = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)

log = logging.getLogger("mkdocs.hooks.search")
_serving = False
_indexing = threading.Lock()  # one background indexing at a time under `mkdocs serve`


def on_startup(command: str, dirty: bool) -> None:
    global _serving
    _serving = command == "serve"


def _engine(config) -> str:
    engine = config.extra.get("search_engine", "pagefind")
    if engine not in ENGINES:
        raise PluginError(f"mkdocs.yml: extra.search_engine: '{engine}' is not a search engine — fix: use one of "
                          f"{', '.join(ENGINES)} (or unset ROSETTA_SEARCH_ENGINE)")
    return engine


def _material_worker() -> str:
    workers = Path(material.__file__).parent / "templates/assets/javascripts/workers"
    return "assets/javascripts/workers/" + next(workers.glob("search.*.min.js")).name


class _ConfigOnlyIndex(SearchIndex):
    """Material's index without pages: its JSON keeps the `config` block the search box reads."""

    def add_entry_from_context(self, page) -> None:
        pass


@event_priority(-100)  # after Material's search plugin has created its index
def on_config(config):
    engine = _engine(config)
    config.extra["search_worker"] = PAGEFIND_WORKER if engine == "pagefind" else _material_worker()
    search = config.plugins.get("material/search")
    if engine == "pagefind" and search is not None:
        search.search_index = _ConfigOnlyIndex(**search.config)
        # Its per-page step feeds that empty index and runs a regex over each page's HTML, 0.1 s of a build.
        page_context = config.plugins.events["page_context"]
        page_context[:] = [method for method in page_context if getattr(method, "__self__", None) is not search]
    return config


def on_post_page(output: str, page, config) -> str:
    if _engine(config) != "pagefind":
        return output
    # A page's `search.boost` front matter (Material's per-page ranking) becomes Pagefind's content weight.
    boost = (page.meta.get("search") or {}).get("boost", 1)
    weight = f' data-pagefind-weight="{min(max(float(boost), 0.1), 10):g}"' if boost != 1 else ""
    output = output.replace(_ARTICLE, _ARTICLE[:-1] + f" data-pagefind-body{weight}>", 1)
    # Material's marker for content that is indexed where it lives (a migration guide's copies of Rosetta rows).
    output = _EXCLUDED.sub(" data-search-exclude data-pagefind-ignore", output)
    for name, section_weight in SECTION_WEIGHTS.items():
        output = output.replace(f'class="{name}"', f'class="{name}" data-pagefind-weight="{section_weight}"')
    return output


def indexed_words(site: Path) -> list[str]:
    """The words of every indexed article body (what Pagefind indexes), most frequent first."""
    counts: Counter[str] = Counter()
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        start = text.find(" data-pagefind-body")
        if start != -1:
            body = replace_elements(text[start:text.find("</article>", start)], "data-pagefind-ignore", " ")
            counts.update(_WORD.findall(html.unescape(_NOT_TEXT.sub(" ", body)).lower()))
    return [word for word, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def _index(site: Path) -> None:
    """Pagefind's index of the site's pages, and the vocabulary beside it."""
    _run_pagefind(site)
    (site / VOCABULARY).write_text(json.dumps(indexed_words(site), separators=(",", ":")), encoding="utf-8")


def _run_pagefind(site: Path) -> None:
    from pagefind.service import _must_get_executable  # the binary that the pagefind[bin] wheel ships

    result = subprocess.run([str(_must_get_executable()), "--site", str(site), "--quiet"],
                            capture_output=True, text=True)
    if result.returncode:
        raise PluginError(f"pagefind could not index {site}: {' '.join(result.stderr.split())[:300]} — fix: "
                          "run `.venv/bin/python -m pagefind --site site` to see the full error")


def on_post_build(config) -> None:
    if _engine(config) != "pagefind":
        return
    site = Path(config.site_dir)
    # Indexing is a second of CPU; a rebuild whose pages came out byte-identical reuses the last index (and
    # vocabulary), unless Pagefind or this file, which decides what is indexed, changed.
    key = hashlib.sha256(f"{importlib.metadata.version('pagefind')} {hashlib.sha256(Path(__file__).read_bytes()).hexdigest()} "
                         f"{digest_files(site, ['.'], ('.html',))}".encode()).hexdigest()[:32]
    entry = cache_dir(Path(config.config_file_path).resolve().parent) / "pagefind" / key
    last = _last_index(entry.parent)
    if _serving and not entry.is_dir() and last is not None:
        # An editor waits for the page to reload, not for search: serve it with the last index at once and
        # index this build in the background, after it is published. A published build never does this.
        shutil.copytree(last, site / "pagefind")
        config["rosetta_staged"].after_publish.append(lambda published: _index_in_background(published, entry))
        return
    reuse_folder(site / "pagefind", entry, lambda: _index(site))


def _last_index(folder: Path) -> Path | None:
    entries = [path for path in folder.glob("*") if path.is_dir() and ".partial" not in path.name]
    return entries[0] if entries else None


def _index_in_background(published: Path, entry: Path) -> None:
    def index() -> None:
        with _indexing:
            try:
                _index(published)
                shutil.rmtree(entry.parent, ignore_errors=True)
                shutil.copytree(published / "pagefind", entry.with_name(entry.name + ".partial"))
                entry.with_name(entry.name + ".partial").replace(entry)
                log.info("search: the index now covers the last build")
            except (PluginError, OSError) as error:  # a newer build replaced the site meanwhile: it indexes itself
                log.debug(f"search: background indexing skipped ({error})")

    threading.Thread(target=index, daemon=True).start()
