"""Code size per framework, measured on the tagged notebook cells (the seeds' "shorter code" claim).

Lines are non-blank lines that are not only a comment; tokens are Python tokens excluding comments,
newlines and indentation — both counted by Python's own tokenizer.
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass

from content.loading import Site
from .rendering import render

_IGNORED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER, tokenize.ENCODING}


@dataclass(frozen=True)
class CodeSize:
    lines: int
    tokens: int


def measure(source: str) -> CodeSize:
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type not in _IGNORED]
    code_lines = {t.start[0] for t in tokens}
    return CodeSize(lines=len(code_lines), tokens=len(tokens))


def snippet_sizes(site: Site, notebooks: dict) -> list[tuple[str, str, dict[str, CodeSize]]]:
    """(notebook title, snippet, framework → size) for every snippet, from the notebook sources."""
    rows = []
    for name, source in site.notebooks.items():
        cells = notebooks[name].notebook.cells
        for snippet, indices in sorted(source.snippets.items()):
            rows.append((source.title, snippet, {f: measure(cells[i].source) for f, i in indices.items()}))
    return rows


def _total(rows, framework_id: str) -> CodeSize:
    sizes = [row[2][framework_id] for row in rows if framework_id in row[2]]
    return CodeSize(sum(s.lines for s in sizes), sum(s.tokens for s in sizes))


def code_size_table(site: Site, executed: dict) -> str:
    rows = snippet_sizes(site, executed)
    frameworks = site.frameworks
    totals = {f.id: _total(rows, f.id) for f in frameworks}
    return render("code_size.md", rows=rows, frameworks=frameworks, totals=totals, snippet_count=len(rows))
