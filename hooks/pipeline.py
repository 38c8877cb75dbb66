"""MkDocs hooks: load data and execute notebooks once per build, then add the pages they imply.

on_config runs before the macros plugin (priority 100), so `define_env` finds the loaded site;
on_files runs before mkdocs-jupyter, which then renders the executed notebooks it is handed.
"""

from __future__ import annotations

import logging
import os
import posixpath
import sys
from dataclasses import dataclass
from pathlib import Path

# Import the build code of the checkout this hook belongs to, whichever venv runs mkdocs: the project
# is not installed into the venv, so two clones never build with each other's code.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nbformat  # noqa: E402
from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402

from macros.errors import SiteInputError  # noqa: E402
from macros.execution import ExecutedNotebook, execute_all  # noqa: E402
from macros.build_cache import cache_dir, load_site_cached  # noqa: E402
from macros.loading import Site  # noqa: E402
from macros.notebook_pages import slim_notebook_html  # noqa: E402
from macros.releases import check_against_environment  # noqa: E402
from macros.pages import generated_pages, navigation, notebook_src_uri  # noqa: E402
from macros.render_cache import RenderCache, configuration_digest  # noqa: E402
from macros.reproducible import data_epoch, normalise_notebook, publishable_notebook  # noqa: E402
from macros.rendering import relative_url  # noqa: E402

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
    cache = cache_dir(root)
    try:
        site = load_site_cached(root, cache)
        executed = execute_all(site.notebooks, root, cache, workers=int(os.environ.get("ROSETTA_WORKERS", "2")),
                               log=log.info)
        if executed:  # every execution shares one environment (its versions are part of each cache key)
            check_against_environment(site, next(iter(executed.values())).environment["distributions"])
    except SiteInputError as error:
        # One line, no traceback: the message names the file, the key path and the fix.
        raise PluginError(str(error)) from None
    for notebook in executed.values():
        if normalise_notebook(notebook.notebook):  # mkdocs-jupyter renders the file: write the clean one back
            nbformat.write(notebook.notebook, notebook.path)
    # Page dates (sitemap) from the data, not the clock; mkdocs honours SOURCE_DATE_EPOCH.
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(data_epoch(site)))
    config["rosetta"] = SiteBuild(site, executed)
    config["rosetta_render_cache"] = RenderCache(cache / "pages", configuration_digest(config.config_file_path))
    config.nav = navigation(site)
    return config


@event_priority(100)
def on_files(files: Files, config) -> Files:
    build: SiteBuild = config["rosetta"]
    for page in generated_pages(build.site):
        files.append(File.generated(config, page.src_uri, content=page.content))
    for name, notebook in build.executed.items():
        # A plain File rooted in the cache (not File.generated): mkdocs-jupyter wraps it and reads it from disk.
        src_dir = notebook.path.parent.parent
        files.append(File(notebook_src_uri(name), src_dir=str(src_dir), dest_dir=config.site_dir,
                          use_directory_urls=config.use_directory_urls))
    return files


@event_priority(-100)  # after the macros plugin has expanded the page's Markdown
def on_page_markdown(markdown: str, page, config, files) -> str:
    if page.file.src_uri.endswith(".md"):
        page.markdown = markdown
        config["rosetta_render_cache"].install(page, files)
    return markdown


def on_post_build(config) -> None:
    for name in config["rosetta"].executed:  # the downloadable copies, without this run's clock time
        for copy in Path(config.site_dir).glob(f"notebooks/{name}/*.ipynb"):
            publishable_notebook(copy)
    cache: RenderCache = config["rosetta_render_cache"]
    cache.prune()
    log.info(f"pages: {cache.hits} of {len(cache.used)} Markdown pages reused from the render cache")


NOTEBOOK_CSS_DIR = "assets/notebook-css/"


def on_post_page(output: str, page, config) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    # relative_url takes directory URLs; the offline edition's pages are files (notebooks/autograd.html).
    directory = page.url if page.url.endswith("/") or not page.url else posixpath.dirname(page.url) + "/"
    output, shared_css = slim_notebook_html(output, relative_url(directory.lstrip("/"), NOTEBOOK_CSS_DIR))
    css_dir = Path(config.site_dir) / NOTEBOOK_CSS_DIR
    css_dir.mkdir(parents=True, exist_ok=True)
    for name, css in shared_css.items():
        path = css_dir / name
        if not path.exists():  # named by content hash: the same CSS is written once per build
            path.write_text(css, encoding="utf-8")
    return output
