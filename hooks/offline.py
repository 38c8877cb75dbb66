"""The offline edition (`make offline`): the whole site in a zip that works from file://, search included.

Built with Material's offline plugin (env ROSETTA_OFFLINE=true) and Material's own lunr search: Pagefind's worker
imports an ES module and WebAssembly, which Chromium refuses over file://, while the offline plugin inlines
lunr's index into a script and runs its worker through the iframe-worker shim, served here from the site
(docs/assets/vendor/) rather than unpkg.com. Links the macros write as directory URLs ('topics/x/') become
file names, since a file:// browser shows a folder listing for a directory.

In the published build the home page links the zip when `make offline` has made it (build/).
"""

from __future__ import annotations

import posixpath
import re
import shutil
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's build code, as in pipeline.py
from macros.offline import DOWNLOAD_URL, OFFLINE_ZIP  # noqa: E402

SHIM = "assets/vendor/iframe-worker-shim.js"
_RELATIVE_LINK = re.compile(r'href="((?![a-z][a-z0-9+.-]*:|/|#)[^"#?]*)(#[^"]*)?"')


def _offline(config) -> bool:
    plugin = config.plugins.get("material/offline")
    return bool(plugin and plugin.config.enabled)


@event_priority(50)  # before Material's offline plugin adds the unpkg.com shim, which it skips if one is listed
def on_config(config):
    if _offline(config):
        if config.extra.get("search_engine") != "lunr":
            raise PluginError("mkdocs.yml: extra.search_engine: the offline edition needs Material's lunr search — "
                              "fix: build it with `make offline` (sets ROSETTA_SEARCH_ENGINE=lunr)")
        config.extra["polyfills"] = [SHIM]
        # Instant navigation fetches pages and the sitemap with XHR, which file:// refuses (Material's offline docs).
        config.theme["features"] = [f for f in config.theme["features"] if not f.startswith("navigation.instant")]
    config["rosetta_offline_zip"] = None if _offline(config) else _zip_path(config)
    return config


def _zip_path(config) -> Path | None:
    path = Path(config.config_file_path).resolve().parent / OFFLINE_ZIP
    return path if path.is_file() else None


def on_files(files, config):
    if not _offline(config):
        shim = files.get_file_from_path(SHIM)
        if shim is not None:
            files.remove(shim)
    return files


def file_link(href: str, page: Path, site: Path) -> str:
    """A link to a directory → the file it means, relative to where the page is, or unchanged if there is none.

    Two writers: Material's header links home with a bare '.' or '..', relative to the page's real place; the
    macros write directory URLs ending in '/' relative to the page's directory URL (claims.html was claims/),
    so '../matrix/' seen from claims.html means matrix.html.
    """
    if href.rsplit("/", 1)[-1] in (".", ".."):
        written_from = page.parent
    elif href.endswith("/"):
        written_from = page.parent if page.name == "index.html" else page.parent / page.stem
    else:
        return href
    target = (written_from / href).resolve()
    for candidate in (target / "index.html", target.with_suffix(".html")):
        if candidate.is_file() and site.resolve() in candidate.parents:
            return posixpath.relpath(candidate.as_posix(), page.parent.resolve().as_posix())
    return href


def on_post_build(config) -> None:
    site = Path(config.site_dir)
    if not _offline(config):
        if config["rosetta_offline_zip"]:
            (site / DOWNLOAD_URL).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(config["rosetta_offline_zip"], site / DOWNLOAD_URL)
        return
    (site / "404.html").unlink(missing_ok=True)  # a server's error page, with root-absolute links; file:// has none
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        rewritten = _RELATIVE_LINK.sub(
            lambda m: f'href="{file_link(m.group(1), page, site)}{m.group(2) or ""}"', html)
        if rewritten != html:
            page.write_text(rewritten, encoding="utf-8")
