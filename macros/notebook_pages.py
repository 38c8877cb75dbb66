"""Slim the HTML mkdocs-jupyter produces for a notebook page, and mark what a run measured.

Each notebook page inlines ~590 KB of identical CSS and carries loaders for MathJax and Mermaid
from a CDN. The CSS moves to shared files (downloaded once, cached across pages) and the CDN
loaders go: the notebooks use neither LaTeX nor Mermaid, and the site loads nothing from another
origin.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

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


@lru_cache(maxsize=8)  # every notebook page inlines the same few stylesheets
def _css_name(css: str) -> str:
    return f"{hashlib.sha256(css.encode()).hexdigest()[:16]}.css"


def _is_cdn_loader(attributes: str, body: str) -> bool:
    if re.search(r'\bsrc=""', attributes):  # MathJax loader with no URL configured
        return True
    if "text/x-mathjax-config" in attributes:
        return True
    return "mermaid" in body and re.search(r"https?://", body) is not None


def _replace_elements(html: str, tag: str, replace) -> str:
    """`html` with each `<tag ...>body</tag>` replaced by `replace(attributes, body, whole)`.

    A scan with str.find, not a regular expression: a notebook page inlines ~600 KB of CSS, and a lazy `.*?`
    over it was most of the post-processing time of a build."""
    parts, position = [], 0
    while (start := html.find(f"<{tag}", position)) != -1:
        open_end = html.find(">", start)
        close = html.find(f"</{tag}>", open_end)
        if open_end == -1 or close == -1:
            break
        if html[start + len(tag) + 1] not in " \t\n>":  # <styles>, <scripts>: another element
            parts.append(html[position:open_end + 1])
            position = open_end + 1
            continue
        end = close + len(tag) + 3
        parts += [html[position:start], replace(html[start + len(tag) + 1:open_end], html[open_end + 1:close],
                                                 html[start:end])]
        position = end
    return "".join(parts) + html[position:]


def slim_notebook_html(html: str, css_url_prefix: str) -> tuple[str, dict[str, str]]:
    """Return the page with large inline styles replaced by <link>s, and the CSS files to write.

    `css_url_prefix` is the URL of the shared-CSS folder relative to the page.
    """
    shared: dict[str, str] = {}

    def move_style(attributes: str, css: str, whole: str) -> str:
        if ".jp-Mermaid" in css and len(css) < MIN_SHARED_CSS:
            return ""
        if len(css) < MIN_SHARED_CSS:
            return whole
        name = _css_name(css)
        shared[name] = css
        return f'<link rel="stylesheet" href="{css_url_prefix}{name}">'

    def drop_loader(attributes: str, body: str, whole: str) -> str:
        return "" if _is_cdn_loader(attributes, body) else whole

    html = _replace_elements(html, "script", drop_loader)
    html = _replace_elements(html, "style", move_style)
    html = _SCROLLABLE.sub(r'<div tabindex="0" class="\1', html)
    return html, shared
