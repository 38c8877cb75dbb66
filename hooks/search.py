"""MkDocs hooks for the site's search engine, chosen by `extra.search_engine` (env ROSETTA_SEARCH_ENGINE).

- `pagefind` (the default, see README "Search"): Material's search box talks to docs/assets/search-worker.js,
  which answers from a Pagefind index built over the finished site. Material's own search_index.json is
  cut down to its configuration, since its main thread still fetches it on every page load.
- `lunr`: Material's built-in search, unchanged, kept so `make benchmark` can compare the two engines.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import material
from mkdocs.exceptions import PluginError

ENGINES = ("pagefind", "lunr")
PAGEFIND_WORKER = "assets/search-worker.js"
# The article body is what Pagefind indexes: not the navigation, header or footer repeated on every page.
_ARTICLE = '<article class="md-content__inner md-typeset">'


def _engine(config) -> str:
    engine = config.extra.get("search_engine", "pagefind")
    if engine not in ENGINES:
        raise PluginError(f"mkdocs.yml: extra.search_engine: '{engine}' is not a search engine — fix: use one of "
                          f"{', '.join(ENGINES)} (or unset ROSETTA_SEARCH_ENGINE)")
    return engine


def _material_worker() -> str:
    workers = Path(material.__file__).parent / "templates/assets/javascripts/workers"
    return "assets/javascripts/workers/" + next(workers.glob("search.*.min.js")).name


def on_config(config):
    config.extra["search_worker"] = PAGEFIND_WORKER if _engine(config) == "pagefind" else _material_worker()
    return config


def on_post_page(output: str, page, config) -> str:
    if _engine(config) != "pagefind":
        return output
    # A page's `search.boost` front matter (Material's per-page ranking) becomes Pagefind's content weight.
    boost = (page.meta.get("search") or {}).get("boost", 1)
    weight = f' data-pagefind-weight="{min(max(float(boost), 0.1), 10):g}"' if boost != 1 else ""
    return output.replace(_ARTICLE, _ARTICLE[:-1] + f" data-pagefind-body{weight}>", 1)


def on_post_build(config) -> None:
    if _engine(config) != "pagefind":
        return
    site = Path(config.site_dir)
    material_index = site / "search" / "search_index.json"
    if material_index.is_file():
        index = json.loads(material_index.read_text(encoding="utf-8"))
        material_index.write_text(json.dumps({"config": index["config"], "docs": []}), encoding="utf-8")
    from pagefind.service import _must_get_executable  # the binary that the pagefind[bin] wheel ships

    result = subprocess.run([str(_must_get_executable()), "--site", str(site), "--quiet"],
                            capture_output=True, text=True)
    if result.returncode:
        raise PluginError(f"pagefind could not index {site}: {' '.join(result.stderr.split())[:300]} — fix: "
                          "run `.venv/bin/python -m pagefind --site site` to see the full error")
