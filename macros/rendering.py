"""The Jinja environment for macros/templates/: strict, autoescaping, with the text filters.

Every string that came from data/ passes through autoescaping, so `<script>` in a note shows as text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

TEMPLATES = Path(__file__).parent / "templates"
_INLINE_CODE = re.compile(r"`([^`]+)`")


def inline_text(value: str) -> Markup:
    """Plain data text → safe HTML; `backticks` become <code>."""
    escaped = str(escape(value))
    return Markup(_INLINE_CODE.sub(lambda m: f"<code>{m.group(1)}</code>", escaped))


def spoken_list(items: list[str]) -> str:
    """['A', 'B', 'C'] → 'A, B and C'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def pre_text(value: str) -> Markup:
    """Escaped text for a <pre> inside a raw HTML block: newlines become &#10; so that a blank line
    in the code cannot end the HTML block for Markdown."""
    return Markup(str(escape(value.rstrip("\n"))).replace("\n", "&#10;"))


def op_code(value: str, copyable: bool = True) -> Markup:
    """A Rosetta row's code in a table cell. One line is an inline <code>; only several lines get a
    <pre><code> block. Material's script measures every <pre><code> and adds a copy button at load, one
    forced layout each: 472 blocks made the migration guides and Rosetta pages block the main thread.
    `copyable=False` (tables whose rows link to the row's own page, which has the copy button) keeps several
    lines as a preformatted <code> that Material leaves alone."""
    if "\n" not in value.strip("\n"):
        return Markup(f'<code class="rosetta-op-code">{escape(value.strip())}</code>')
    if not copyable:
        return Markup(f'<code class="rosetta-op-code rosetta-op-lines">{pre_text(value)}</code>')
    return Markup(f'<pre class="rosetta-op-code"><code>{pre_text(value)}</code></pre>')


def source_label(url: str) -> str:
    """https://www.example.org/docs/stable/autograd.html → example.org/docs/stable/autograd.html"""
    parts = urlsplit(url)
    label = parts.netloc.removeprefix("www.") + parts.path.rstrip("/")
    return label + (f"#{parts.fragment}" if parts.fragment else "")


def source_short_label(url: str) -> str:
    """https://docs.pytorch.org/docs/stable/generated/torch.from_numpy.html → docs.pytorch.org › torch.from_numpy:
    the site and the page's own name, short enough for a table cell (the link holds the full address)."""
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    segments = [segment for segment in parts.path.split("/") if segment]
    if host == "github.com" and len(segments) >= 2:  # the repository says more than the host
        host, segments = f"{host}/{segments[0]}/{segments[1]}", segments[2:]
    while segments and re.fullmatch(r"(index|readme)(\.\w+)?", segments[-1], re.IGNORECASE):
        segments.pop()
    page = re.sub(r"\.(html?|md|rst)$", "", segments[-1]) if segments else ""
    page += f"#{parts.fragment}" if parts.fragment else ""
    return f"{host} › {page}" if page else host


def tight_html(html: str) -> Markup:
    """Join a generated block's lines: a large table's line breaks become thousands of whitespace text nodes
    that the browser parses, styles and lays out. Templates put a space where inline neighbours need one.

    The input is the output of an autoescaping template, hence safe to mark as markup.
    """
    return Markup(re.sub(r">\s*\n\s*<", "><", html.strip()))


def code_fence(source: str, language: str = "", title: str = "", attributes: str = "") -> str:
    """A fenced block whose fence is longer than any backtick run inside (so code can't close it).

    `attributes` (`name="value" ...`) go on the block's outer element."""
    longest = max((len(run) for run in re.findall(r"`+", source)), default=0)
    fence = "`" * max(3, longest + 1)
    if attributes:
        header = fence + " { " + " ".join(filter(None, [f".{language}" if language else "",
                                                         f'title="{title}"' if title else "", attributes.strip()])) + " }"
    else:
        header = fence + language + (f' title="{title}"' if title else "")
    return f"{header}\n{source.rstrip()}\n{fence}"


def compact_html(html: str) -> Markup:
    """Drop blank lines so Markdown keeps a generated HTML block in one piece.

    The input is the output of an autoescaping template, hence safe to mark as markup.
    """
    return Markup("\n".join(line for line in html.splitlines() if line.strip()))


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["inline"] = inline_text
    env.filters["source_label"] = source_label
    env.filters["source_short_label"] = source_short_label
    env.filters["pre"] = pre_text
    env.filters["spoken_list"] = spoken_list
    env.filters["op_code"] = op_code
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
