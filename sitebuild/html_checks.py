"""The build's own checks on the HTML it wrote, for what MkDocs does not check itself.

MkDocs validates links in Markdown pages; notebook pages are HTML made by nbconvert, so their links
and anchors are checked here. Every page is checked for duplicate ids (a data id equal to an
existing anchor) and every notebook page for what would run or load: event-handler attributes,
script URLs, resources from another origin. Each problem is one line: `file: where: problem — fix`.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit


_ID = re.compile(r'\sid="([^"]+)"')
_HREF = re.compile(r'<a\s[^>]*?href="([^"]*)"')
_RESOURCE = re.compile(r'<(?:img|script|iframe|source|video|audio|embed|link)\s[^>]*?(?:src|href|data)="([^"]*)"')
_EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
_SCRIPT_URL = re.compile(r'(?:href|src)="\s*(?:javascript|vbscript):', re.IGNORECASE)


_VOID_ELEMENTS = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})


def replace_elements(html: str, attribute: str, replacement: str = "") -> str:
    """`html` with every element carrying `attribute` (a bare attribute such as `data-pagefind-ignore`) replaced,
    from its start tag to its matching end tag, by `replacement`. Nested elements of the same name are matched."""
    opening = re.compile(rf"<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*\s{re.escape(attribute)}(?=[\s>=/])[^>]*>")
    parts, position = [], 0
    for match in opening.finditer(html):
        if match.start() < position:  # inside an element already replaced
            continue
        name = match.group(1)
        if name.lower() in _VOID_ELEMENTS:
            parts += [html[position:match.start()], replacement]
            position = match.end()
            continue
        tags = re.compile(rf"<(/?){name}\b[^>]*>", re.IGNORECASE)
        depth, end = 1, len(html)
        for tag in tags.finditer(html, match.end()):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                end = tag.end()
                break
        parts += [html[position:match.start()], replacement]
        position = end
    return "".join(parts) + html[position:]


@lru_cache(maxsize=None)
def _ids(path: Path) -> frozenset[str]:
    return frozenset(_ID.findall(path.read_text(encoding="utf-8")))


def _cell_holding(notebook_path: Path, text: str) -> str:
    """'cell N' of the notebook source whose text holds `text`, to point the editor at it."""
    import jupytext  # only when a problem was found: most builds never need it

    for index, cell in enumerate(jupytext.read(notebook_path).cells):
        if text in cell.source:
            return f"cell {index + 1}"
    return "(generated)"


def _internal_link_problem(site_dir: Path, page: Path, href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or href.startswith("//"):
        return None
    base = posixpath.dirname(page.relative_to(site_dir).as_posix())
    target = site_dir / posixpath.normpath(posixpath.join(base, unquote(parts.path))) if parts.path else page
    if target.is_dir():
        target = target / "index.html"
    if not target.exists():
        return "points at no page of the site"
    if parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _ids(target):
        return f"points at an anchor '{parts.fragment}' the page does not have"
    return None


def _article(page_html: str) -> str:
    """The page's content: what the notebook produced, without the theme's header, nav and footer."""
    start = page_html.find("<article")
    end = page_html.rfind("</article>")
    return page_html[start:end] if 0 <= start < end else page_html


def notebook_page(site_dir: Path, name: str, directory_urls: bool = True) -> Path:
    """Where a notebook's page is written: notebooks/<name>/index.html, or notebooks/<name>.html in the offline
    edition (use_directory_urls off)."""
    return site_dir / "notebooks" / name / "index.html" if directory_urls else site_dir / "notebooks" / f"{name}.html"


def notebook_page_problems(site_dir: Path, name: str, source: Path, directory_urls: bool = True) -> list[str]:
    page = notebook_page(site_dir, name, directory_urls)
    text = _article(page.read_text(encoding="utf-8"))
    display = f"notebooks/{source.name}"
    problems = []
    for href in sorted(set(_HREF.findall(text))):
        problem = _internal_link_problem(site_dir, page, href)
        if problem:
            problems.append(f"{display}: {_cell_holding(source, href)}: the link '{href}' {problem} — fix: "
                            "link to a page of the site as '../../<folder>/<page>/' (or an https address)")
    for url in _RESOURCE.findall(text):
        if urlsplit(url).scheme in ("http", "https") or url.startswith("//"):
            problems.append(f"{display}: {_cell_holding(source, url)}: loads '{url[:80]}' from another origin — fix: "
                            "embed the image in the notebook (a PNG or SVG output)")
    for pattern, what in ((_EVENT_HANDLER, "an event-handler attribute"), (_SCRIPT_URL, "a script URL")):
        match = pattern.search(text)
        if match:
            problems.append(f"{display}: (page): the page has {what} ({match.group(0)[:60]!r}) — fix: "
                            "remove the HTML that produced it from the notebook")
    return problems


def duplicate_id_problems(site_dir: Path, page: Path) -> list[str]:
    counts = Counter(_ID.findall(page.read_text(encoding="utf-8")))
    return [f"{page.relative_to(site_dir).as_posix()}: id '{element_id}': appears {count} times on the page — fix: "
            "give the data item whose id makes this anchor another id"
            for element_id, count in sorted(counts.items()) if count > 1]


def check_site_html(site_dir: Path, site, directory_urls: bool = True) -> list[str]:
    """Every problem found in the built site, one line each."""
    _ids.cache_clear()
    problems = []
    for name, source in site.notebooks.items():
        problems += notebook_page_problems(site_dir, name, source.path, directory_urls)
    notebook_pages = {notebook_page(site_dir, name, directory_urls) for name in site.notebooks}
    for page in sorted(site_dir.rglob("*.html")):
        if page not in notebook_pages:  # nbconvert's ids on notebook pages are its own business
            problems += duplicate_id_problems(site_dir, page)
    return problems
