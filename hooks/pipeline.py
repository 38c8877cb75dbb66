"""MkDocs hooks: load data and execute notebooks once per build, then add the pages they imply.

on_config runs before the macros plugin (priority 100), so `define_env` finds the loaded site;
on_files adds the executed notebooks as pages, which mkdocs-jupyter renders when the notebook-page cache
does not hold them (it is loaded only for such a build: sitebuild/render_cache.py).
Every build writes into a staging folder and replaces the site only when it succeeded (strict
warnings included); under `mkdocs serve` a failed build shows its error instead of stopping.
"""

from __future__ import annotations

import datetime as dt
import json
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

import mkdocs.commands.serve  # noqa: E402

from macros import urls  # noqa: E402
from macros.offline import OFFLINE_ZIP  # noqa: E402
from sitebuild import publishing  # noqa: E402
from sitebuild.build_cache import cache_dir, load_site_cached, site_inputs_digest  # noqa: E402
from content.errors import SiteInputError, SiteInputErrors  # noqa: E402
from sitebuild.html_checks import check_site_html  # noqa: E402
from sitebuild.execution import (  # noqa: E402
    ExecutedNotebook, execute_all, execution_limits, site_environment, tracked_distributions)
from content.loading import Site  # noqa: E402
from macros.notebook_pages import mark_measured_outputs, slim_notebook_html  # noqa: E402
from macros.pages import generated_pages, navigation  # noqa: E402
from content.releases import check_against_environment, check_installs_shown  # noqa: E402
from macros.stylesheet import VOCABULARY_CSS, vocabulary_css  # noqa: E402
from sitebuild.render_cache import (  # noqa: E402
    MKDOCS_JUPYTER_OPTIONS, NotebookPageFile, NotebookRenderCache, RenderCache, configuration_digest, files_digest)
from sitebuild.macro_cache import MacroCache, build_digest  # noqa: E402
from macros.rendering import environment  # noqa: E402
from jinja2 import FileSystemBytecodeCache  # noqa: E402
from sitebuild.reproducible import data_epoch, normalise_notebook, publish_notebook  # noqa: E402

log = logging.getLogger("mkdocs.hooks.pipeline")


@dataclass(frozen=True)
class SiteBuild:
    site: Site
    executed: dict[str, ExecutedNotebook]


def _root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


# The build in progress: its staging folder and the warnings counted so far (strict mode's rule).
_staged: publishing.StagedSite | None = None
_warnings = publishing.WarningCounter()
logging.getLogger("mkdocs.plugins.mkdocs_macros.util").addFilter(publishing.OneLineMacroErrors())


def on_startup(command: str, dirty: bool) -> None:
    if command == "serve":
        # serve.py calls `build` by this name for the first build and every rebuild: a failing build
        # then shows its error on the served pages instead of stopping the server or hanging requests.
        mkdocs.commands.serve.build = _tolerant(mkdocs.commands.serve.build)


def _tolerant(build):
    if getattr(build, "tolerant", False):
        return build

    def tolerant_build(config, **kwargs):
        served = config.site_dir
        logged = publishing.WarningCounter()
        logging.getLogger("mkdocs").addHandler(logged)
        try:
            build(config, **kwargs)
        except (Exception, SystemExit) as error:  # SystemExit: a plugin giving up must not end the server
            lines = publishing.error_lines(error, logged.messages)
            publishing.show_build_error(served, lines)
            log.error(f"The build failed ({lines[-1]}): the served pages show the error until it is fixed.")
        finally:
            logging.getLogger("mkdocs").removeHandler(logged)

    tolerant_build.tolerant = True
    return tolerant_build


def on_serve(server, config, builder):
    # A broken mkdocs.yml fails before `build` is reached: keep answering there too.
    def tolerant_builder():
        try:
            builder()
        except (Exception, SystemExit) as error:
            publishing.show_build_error(server.root, [str(error) or type(error).__name__])
            log.error("The configuration could not be loaded: the served pages show the error.")

    server.builder = tolerant_builder
    return server


@event_priority(100)
def on_config(config):
    global _staged
    _staged = publishing.StagedSite(config.site_dir)
    config["rosetta_staged"] = _staged
    config.site_dir = str(_staged.staging)
    _warnings.messages.clear()
    logging.getLogger("mkdocs").addHandler(_warnings)
    root = _root(config)
    cache = cache_dir(root)
    try:
        site = load_site_cached(root, cache)
        executed = execute_all(site.notebooks, root, cache, tracked_distributions(site.frameworks, site.tools),
                               workers=int(os.environ.get("ROSETTA_WORKERS", "2")), log=log.info,
                               limits=execution_limits(config))
        if executed:  # every execution shares one environment (its versions are part of each cache key)
            check_against_environment(site, site_environment(
                site.tools, next(iter(executed.values())).environment["distributions"]))
            check_installs_shown(site, (root / "requirements.txt").read_text(encoding="utf-8"))
    except SiteInputError as error:
        # One line per error, no traceback: each names the file, the key path and the fix. The cause
        # stays attached for `mkdocs serve`, which shows every line in the browser.
        lines = error.lines() if isinstance(error, SiteInputErrors) else [str(error)]
        for line in lines[:-1]:
            log.error(line)
        raise PluginError(lines[-1]) from error
    for notebook in executed.values():
        if normalise_notebook(notebook.notebook):  # mkdocs-jupyter renders the file: write the clean one back
            nbformat.write(notebook.notebook, notebook.path)
    notebook_pages = NotebookRenderCache(cache / "notebook-pages")
    if not notebook_pages.holds_all(notebook.path for notebook in executed.values()):
        _load_mkdocs_jupyter(config)
    config["rosetta_notebook_pages"] = notebook_pages
    # Page dates (sitemap) from the data, not the clock; mkdocs honours SOURCE_DATE_EPOCH.
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(data_epoch(site)))
    config["rosetta"] = SiteBuild(site, executed)
    config["rosetta_render_cache"] = RenderCache(cache / "pages", configuration_digest(config.config_file_path))
    macro_cache = MacroCache(cache / "macros", build_digest(
        site_inputs_digest(root, dt.date.today()), configuration_digest(config.config_file_path),
        json.dumps(sorted((name, nb.notebook.metadata["rosetta"]["cache_key"]) for name, nb in executed.items())),
        json.dumps(site_environment(site.tools, {}), sort_keys=True),
        # What mkdocs.yml took from the environment (SITE_URL, ROSETTA_SEARCH_ENGINE, ROSETTA_OFFLINE), and the zip.
        json.dumps(dict(config.extra), sort_keys=True, default=str), f"{config.site_url} {config.use_directory_urls}",
        str(config.plugins.get("material/offline") and config.plugins["material/offline"].config.enabled),
        str((root / OFFLINE_ZIP).is_file())))
    macro_cache.install(config.plugins["macros"])
    config["rosetta_macro_cache"] = macro_cache
    config.nav = navigation(config.nav, [(page.src_uri, page.title) for page in generated_pages(site)]
                            + [(urls.notebook(name), notebook.title) for name, notebook in site.notebooks.items()])
    # Colours of frameworks and vocabularies, generated from data/ (see macros/stylesheet.py).
    config.extra_css.insert(0, VOCABULARY_CSS)
    return config


def _load_mkdocs_jupyter(config) -> None:
    from mkdocs_jupyter.plugin import Plugin  # nbconvert, jupytext: only for a build that renders a notebook page

    plugin = Plugin()
    errors, _ = plugin.load_config(MKDOCS_JUPYTER_OPTIONS, config.config_file_path)
    if errors:
        raise PluginError(f"sitebuild/render_cache.py: MKDOCS_JUPYTER_OPTIONS: {errors} — fix: use the options "
                          f"mkdocs-jupyter {plugin.__module__} accepts")
    config.plugins["mkdocs-jupyter"] = plugin  # registers its events for the rest of this build


@event_priority(100)
def on_files(files: Files, config) -> Files:
    build: SiteBuild = config["rosetta"]
    for page in generated_pages(build.site):
        files.append(File.generated(config, page.src_uri, content=page.content))
    files.append(File.generated(config, VOCABULARY_CSS, content=vocabulary_css(build.site)))
    for name, notebook in build.executed.items():
        # A page whose source is the executed notebook in the cache (not File.generated): it is read from disk.
        src_dir = notebook.path.parent.parent
        files.append(NotebookPageFile(urls.notebook(name), src_dir=str(src_dir), dest_dir=config.site_dir,
                                      use_directory_urls=config.use_directory_urls))
    return files


@event_priority(-100)  # after mkdocs-jupyter's, when it is loaded
def on_pre_page(page, config, files):
    if page.file.src_uri.endswith(".ipynb"):
        config["rosetta_notebook_pages"].install(page)
        page.nb_url = posixpath.basename(page.file.src_uri)  # overrides/main.html links the download
    return page


@event_priority(-100)  # after the macros plugin has expanded the page's Markdown
def on_page_markdown(markdown: str, page, config, files) -> str:
    if page.file.src_uri.endswith(".md"):
        page.markdown = markdown
        config["rosetta_render_cache"].install(page, files)
    return markdown


NOTEBOOK_CSS_DIR = "assets/notebook-css/"


def on_post_page(output: str, page, config) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    # relative_url takes directory URLs; the offline edition's pages are files (notebooks/autograd.html).
    directory = page.url if page.url.endswith("/") or not page.url else posixpath.dirname(page.url) + "/"
    output, shared_css = slim_notebook_html(output, urls.relative_url(directory.lstrip("/"), NOTEBOOK_CSS_DIR))
    output = mark_measured_outputs(output)
    # The executed notebook, downloadable beside its page, without the run's clock time.
    publish_notebook(Path(page.file.abs_src_path), Path(page.file.abs_dest_path).parent)
    css_dir = Path(config.site_dir) / NOTEBOOK_CSS_DIR
    css_dir.mkdir(parents=True, exist_ok=True)
    for name, css in shared_css.items():
        path = css_dir / name
        if not path.exists():  # named by content hash: the same CSS is written once per build
            path.write_text(css, encoding="utf-8")
    return output


@event_priority(-50)
def on_post_build(config) -> None:
    """The build's own HTML checks (links and anchors in notebook pages, duplicate ids, external
    resources), then publish — last, after every plugin's post-build step."""
    notebook_pages: NotebookRenderCache = config["rosetta_notebook_pages"]
    notebook_pages.prune()
    log.info(f"pages: {notebook_pages.hits} of {len(notebook_pages.used)} notebook pages reused from the cache")
    cache: RenderCache = config["rosetta_render_cache"]
    cache.prune()
    log.info(f"pages: {cache.hits} of {len(cache.used)} Markdown pages reused from the render cache")
    macro_cache: MacroCache = config["rosetta_macro_cache"]
    macro_cache.prune()
    log.info(f"pages: {macro_cache.hits} pages' macros reused from the macro cache")
    for line in check_site_html(Path(config.site_dir), config["rosetta"].site, config.use_directory_urls):
        log.warning(line)
    logging.getLogger("mkdocs").removeHandler(_warnings)
    if config.strict and _warnings.messages:
        return  # MkDocs aborts next ("Aborted with N warnings in strict mode"); on_build_error discards
    _staged.publish()
    config.site_dir = str(_staged.site_dir)


def on_build_error(error) -> None:
    logging.getLogger("mkdocs").removeHandler(_warnings)
    if _staged is not None:
        _staged.discard()


def on_shutdown() -> None:
    # A plugin that exits (SystemExit) skips on_build_error; the staging folder still goes.
    if _staged is not None and _staged.staging.exists():
        _staged.discard()


def on_env(env, config, files):
    # Every plugin has added its files by now: page links, and so the macros' output, depend on the list.
    config["rosetta_macro_cache"].files = files_digest(files)
    # Compiled templates (Material's and the macros') are reused across builds, keyed by their source.
    bytecode = FileSystemBytecodeCache(str(cache_dir(_root(config)) / "jinja"))
    Path(bytecode.directory).mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = bytecode
    environment().bytecode_cache = bytecode
    return env
