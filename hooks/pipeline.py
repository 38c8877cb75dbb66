"""MkDocs hooks: load data and execute notebooks once per build, then add the pages they imply.

on_config runs before the macros plugin (priority 100), so `define_env` finds the loaded site;
on_files runs before mkdocs-jupyter, which then renders the executed notebooks it is handed.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

# Import the build code of the checkout this hook belongs to, whichever venv runs mkdocs: the project
# is not installed into the venv, so two clones never build with each other's code.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402

from macros.errors import SiteInputError  # noqa: E402
from macros import urls  # noqa: E402
from macros.execution import ExecutedNotebook, execute_all, tracked_distributions  # noqa: E402
from macros.loading import Site, load_site  # noqa: E402
from macros.notebook_pages import slim_notebook_html  # noqa: E402
from macros.pages import generated_pages, navigation  # noqa: E402
from macros.releases import check_against_environment  # noqa: E402
from macros.stylesheet import VOCABULARY_CSS, vocabulary_css  # noqa: E402

log = logging.getLogger("mkdocs.hooks.pipeline")


@dataclass(frozen=True)
class SiteBuild:
    site: Site
    executed: dict[str, ExecutedNotebook]


def _root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


@event_priority(100)
def on_config(config):
    root = _root(config)
    cache_dir = Path(os.environ.get("ROSETTA_CACHE_DIR", root / ".cache"))
    try:
        site = load_site(root)
        executed = execute_all(site.notebooks, root, cache_dir, tracked_distributions(site.frameworks, site.tools),
                               workers=int(os.environ.get("ROSETTA_WORKERS", "2")), log=log.info)
        if executed:  # every execution shares one environment (its versions are part of each cache key)
            check_against_environment(site, next(iter(executed.values())).environment["distributions"])
    except SiteInputError as error:
        # One line, no traceback: the message names the file, the key path and the fix.
        raise PluginError(str(error)) from None
    config["rosetta"] = SiteBuild(site, executed)
    config.nav = navigation(config.nav, [(page.src_uri, page.title) for page in generated_pages(site)]
                            + [(urls.notebook(name), notebook.title) for name, notebook in site.notebooks.items()])
    # Colours of frameworks and vocabularies, generated from data/ (see macros/stylesheet.py).
    config.extra_css.insert(0, VOCABULARY_CSS)
    return config


@event_priority(100)
def on_files(files: Files, config) -> Files:
    build: SiteBuild = config["rosetta"]
    for page in generated_pages(build.site):
        files.append(File.generated(config, page.src_uri, content=page.content))
    files.append(File.generated(config, VOCABULARY_CSS, content=vocabulary_css(build.site)))
    for name, notebook in build.executed.items():
        # A plain File rooted in the cache (not File.generated): mkdocs-jupyter wraps it and reads it from disk.
        src_dir = notebook.path.parent.parent
        files.append(File(urls.notebook(name), src_dir=str(src_dir), dest_dir=config.site_dir,
                          use_directory_urls=config.use_directory_urls))
    return files


NOTEBOOK_CSS_DIR = "assets/notebook-css/"


def on_post_page(output: str, page, config) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    output, shared_css = slim_notebook_html(output, urls.relative_url(page.url, NOTEBOOK_CSS_DIR))
    css_dir = Path(config.site_dir) / NOTEBOOK_CSS_DIR
    css_dir.mkdir(parents=True, exist_ok=True)
    for name, css in shared_css.items():
        path = css_dir / name
        if not path.exists():  # named by content hash: the same CSS is written once per build
            path.write_text(css, encoding="utf-8")
    return output
