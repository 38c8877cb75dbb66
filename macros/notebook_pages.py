"""Slim the HTML mkdocs-jupyter produces for a notebook page, and mark what a run measured.

Each notebook page inlines ~590 KB of identical CSS and carries loaders for MathJax and Mermaid
from a CDN. The CSS moves to shared files (downloaded once, cached across pages) and the CDN
loaders go: the notebooks use neither LaTeX nor Mermaid, and the site loads nothing from another
origin.
"""

from __future__ import annotations

import hashlib
import re

_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL)
_SCRIPT = re.compile(r"<script([^>]*)>(.*?)</script>", re.DOTALL)
_SCROLLABLE = re.compile(r'<div class="(highlight-ipynb|jp-RenderedText)')
# Inline CSS below this size stays inline (a separate request would cost more than it saves).
MIN_SHARED_CSS = 2048
# The output of a cell tagged `measured` (content.notebooks.MEASURED_TAG) carries these attributes: readers are
# told the figures vary between runs, Pagefind leaves them out of the index, and the reproducibility check
# (sitebuild.reproducible.differs_outside_measurements) allows them — and nothing else — to differ between runs.
# Written the same in HTML and in Markdown's attribute lists (`{: ... }`, fenced blocks' `{ ... }`).
MEASURED_ATTRIBUTES = 'data-measured="run" data-pagefind-ignore="index"'
MEASURED_SENTENCE = "Measured when this page was built: these figures change from run to run."
MEASURED_CLASS = "rosetta-measured-note"


_CELL_OR_OUTPUT = re.compile(r'<div class="jp-Cell (?P<cell>[^"]*)"|<div class="jp-Cell-outputWrapper">'
                             r'(?P<between>\s*<div class="jp-Collapser[^"]*">\s*</div>\s*)'
                             r'<div class="jp-OutputArea jp-Cell-outputArea">')


def mark_measured_outputs(html: str) -> str:
    """Give the outputs of cells tagged `measured` the measured attributes and the note for readers."""
    if "celltag_measured" not in html:
        return html
    measured = False

    def mark(match: re.Match) -> str:
        nonlocal measured
        if match.group("cell") is not None:
            measured = "celltag_measured" in match.group("cell").split()
            return match.group(0)
        if not measured:
            return match.group(0)
        return (f'<div class="jp-Cell-outputWrapper" {MEASURED_ATTRIBUTES}>{match.group("between")}'
                f'<div class="jp-OutputArea jp-Cell-outputArea"><p class="{MEASURED_CLASS}">{MEASURED_SENTENCE}</p>')

    return _CELL_OR_OUTPUT.sub(mark, html)


def _is_cdn_loader(attributes: str, body: str) -> bool:
    if re.search(r'\bsrc=""', attributes):  # MathJax loader with no URL configured
        return True
    if "text/x-mathjax-config" in attributes:
        return True
    return "mermaid" in body and re.search(r"https?://", body) is not None


def slim_notebook_html(html: str, css_url_prefix: str) -> tuple[str, dict[str, str]]:
    """Return the page with large inline styles replaced by <link>s, and the CSS files to write.

    `css_url_prefix` is the URL of the shared-CSS folder relative to the page.
    """
    shared: dict[str, str] = {}

    def move_style(match: re.Match) -> str:
        css = match.group(1)
        if ".jp-Mermaid" in css and len(css) < MIN_SHARED_CSS:
            return ""
        if len(css) < MIN_SHARED_CSS:
            return match.group(0)
        name = f"{hashlib.sha256(css.encode()).hexdigest()[:16]}.css"
        shared[name] = css
        return f'<link rel="stylesheet" href="{css_url_prefix}{name}">'

    def drop_loader(match: re.Match) -> str:
        return "" if _is_cdn_loader(match.group(1), match.group(2)) else match.group(0)

    html = _SCRIPT.sub(drop_loader, html)
    html = _STYLE.sub(move_style, html)
    # Code and output blocks scroll sideways when long; keyboard users must be able to reach them.
    html = _SCROLLABLE.sub(r'<div tabindex="0" class="\1', html)
    return html, shared
