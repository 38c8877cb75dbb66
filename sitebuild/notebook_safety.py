"""Executed notebooks made safe to publish: only safe output types, sanitised HTML, bounded size.

nbconvert (inside mkdocs-jupyter) writes `text/html`, `image/svg+xml` and `application/javascript`
outputs into the page verbatim. Before a notebook is handed over, each output keeps only types that
cannot run code or load anything: text, PNG/JPEG, SVG turned into an <img> (where a browser runs no
script in it), and HTML cleaned by nh3 (ammonia) with no scripts, styles, event handlers or
non-embedded images. A cell whose outputs exceed the limit stops the build naming the cell.
"""

from __future__ import annotations

import base64
import html
import json
import re

import nbformat
import nh3

from content.errors import NotebookError

DEFAULT_CELL_OUTPUT_LIMIT = 1_000_000
SAFE_MIME_TYPES = ("text/plain", "image/png", "image/jpeg")
_SVG_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.DOTALL)
_IMG_SRC = re.compile(r'<img\s[^>]*?src="([^"]*)"')
_HTML_ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, "*": {"class", "title"}}


def _drop_script_urls(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src", "cite") and re.match(r"\s*(javascript|vbscript|data:(?!image/(png|jpeg|svg\+xml);))",
                                                        value, re.IGNORECASE):
        return None
    return value


def clean_html(markup: str) -> str:
    return nh3.clean(markup, attributes=_HTML_ATTRIBUTES, attribute_filter=_drop_script_urls,
                     url_schemes={"https", "http", "mailto", "data"})


def _svg_as_image(svg: str) -> str:
    title = _SVG_TITLE.search(svg)
    alt = html.escape(" ".join(title.group(1).split()) if title else "Figure output of the cell", quote=True)
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img alt="{alt}" src="data:image/svg+xml;base64,{encoded}">'


def _where(index: int, cell) -> str:
    first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
    return f"cell {index + 1} `{first_line[:60]}`"


def _safe_data(data: dict, display_path: str, where: str) -> dict:
    safe = {mime: data[mime] for mime in SAFE_MIME_TYPES if mime in data}
    if "image/svg+xml" in data:
        safe["text/html"] = _svg_as_image(data["image/svg+xml"])
    elif "text/html" in data:
        cleaned = clean_html(data["text/html"] if isinstance(data["text/html"], str) else "".join(data["text/html"]))
        for src in _IMG_SRC.findall(cleaned):
            if not src.startswith("data:"):
                raise NotebookError(display_path, where, f"shows an image from {src[:60]!r} in its output; the site "
                                    "loads nothing from elsewhere", "embed the image (display a PNG or SVG)")
        safe["text/html"] = cleaned
    return safe


def safe_notebook(nb: nbformat.NotebookNode, display_path: str,
                  output_limit: int = DEFAULT_CELL_OUTPUT_LIMIT) -> bool:
    """Make `nb` safe in place; True when anything changed. Raises NotebookError naming the cell for
    outputs over `output_limit` bytes or images from elsewhere."""
    changed = False
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        size = len(json.dumps(cell.get("outputs", [])))
        if size > output_limit:
            raise NotebookError(display_path, _where(index, cell),
                                f"its output is {size:,} bytes, over the limit of {output_limit:,}",
                                "print a summary instead (or raise extra.notebook_execution.cell_output_limit_bytes "
                                "in mkdocs.yml)")
        for output in cell.get("outputs", []):
            if output.get("output_type") in ("display_data", "execute_result"):
                safe = _safe_data(output.get("data", {}), display_path, _where(index, cell))
                if safe != output.get("data", {}):
                    output["data"] = nbformat.from_dict(safe)
                    changed = True
    if "widgets" in nb.metadata:  # widget state becomes a <script> on the page
        del nb.metadata["widgets"]
        changed = True
    return changed
