"""Notebook sources and executed notebooks: titles, tagged snippet cells and their outputs.

A cell that belongs on a topic page carries two tags: a framework id (a file name in data/frameworks/)
and a snippet name (`gradient-of-a-function`). The same snippet name across the frameworks makes one
group of linked tabs.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .errors import NotebookError
from .text_policy import invisible_character_problem, notebook_markdown_problem

# A cell whose output reports what this run measured (timings, file sizes, profiler ranks): the output is
# expected to change when the notebook runs again with the same inputs. Pages say so beside it, search
# leaves it out, and the reproducibility test allows it — and only it — to differ between runs.
MEASURED_TAG = "measured"
# Tags that steer rendering rather than name a snippet.
CONTROL_TAGS = frozenset({"remove-cell", "remove-input", "remove-output", MEASURED_TAG})
# Terminal colour codes (tracebacks, some library printers) mean nothing in an HTML code block.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class NotebookSource:
    name: str
    path: Path
    title: str
    # snippet name → framework id → index of the cell in the notebook
    snippets: dict[str, dict[str, int]] = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()
    # Why this notebook computes nothing the frameworks could agree on (metadata.rosetta.no_equivalence_check).
    no_equivalence_check: str | None = None
    # Snippet name → why some frameworks have no cell for it (metadata.rosetta.partial_snippets).
    partial_snippets: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SnippetCell:
    framework: str
    source: str
    outputs: tuple["CellOutput", ...]
    measured: bool = False


@dataclass(frozen=True)
class CellOutput:
    kind: str  # "text" or "image"
    text: str = ""
    image_base64: str = ""
    mime: str = "image/png"


def first_heading(nb: nbformat.NotebookNode) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, flags=re.MULTILINE)
            if match:
                return match.group(1).strip()
    return None


def snippet_index(nb: nbformat.NotebookNode, display_path: str, framework_ids: set[str]) -> dict[str, dict[str, int]]:
    """Map snippet name → framework → cell index, rejecting ambiguous tagging."""
    snippets: dict[str, dict[str, int]] = {}
    for index, cell in enumerate(nb.cells):
        all_tags = cell.get("metadata", {}).get("tags", [])
        tags = [t for t in all_tags if t not in CONTROL_TAGS]
        frameworks = [t for t in tags if t in framework_ids]
        where = f"cell {index + 1} tags"
        if MEASURED_TAG in all_tags and cell.cell_type != "code":
            raise NotebookError(display_path, where, f"'{MEASURED_TAG}' is on a markdown cell, which has no output",
                                f"move the '{MEASURED_TAG}' tag to the code cell whose output is measured")
        if tags and not frameworks:
            # A misspelt or unknown framework tag would otherwise drop the cell from its tabs without a word.
            raise NotebookError(display_path, where, f"tags {tags} name no framework",
                                f"tag the cell with one of {', '.join(sorted(framework_ids))} and a snippet name, "
                                "or remove the tags")
        if not frameworks:
            continue
        names = [t for t in tags if t not in framework_ids]
        if cell.cell_type != "code":
            raise NotebookError(display_path, where, "a framework tag is on a non-code cell",
                                "move the tags to the code cell they describe")
        if len(frameworks) != 1 or len(names) != 1:
            raise NotebookError(display_path, where, f"tags {tags} should be one framework id and one snippet name",
                                f'tag the cell like `# %% tags=["{sorted(framework_ids)[0]}", "gradient-of-a-function"]`')
        by_framework = snippets.setdefault(names[0], {})
        if frameworks[0] in by_framework:
            raise NotebookError(display_path, where,
                                f"snippet '{names[0]}' already has a {frameworks[0]} cell (cell {by_framework[frameworks[0]] + 1})",
                                "give one of the two cells another snippet name")
        by_framework[frameworks[0]] = index
    return snippets


# `mkdocs serve` rebuilds in one process: parsing the notebooks was most of reloading the data after an edit.
# Path → (digest of its bytes, the parsed notebook); the parse is only read, never changed.
_parsed: dict[str, tuple[bytes, object]] = {}


def _parse_jupytext(path: Path):
    digest = hashlib.sha256(path.read_bytes()).digest()
    known = _parsed.get(str(path))
    if known is None or known[0] != digest:
        import jupytext  # 0.2 s with jupyter_client; a build whose data is cached parses no notebook source

        known = _parsed[str(path)] = (digest, jupytext.read(path))
    return known[1]


def read_notebook_source(path: Path, root: Path, framework_ids: set[str]) -> NotebookSource:
    display_path = path.relative_to(root).as_posix()
    try:
        nb = _parse_jupytext(path)
    except Exception as error:  # jupytext raises several kinds; the message is what matters
        raise NotebookError(display_path, "", f"cannot be read as a jupytext notebook ({error})",
                            "keep the percent format: cells start with `# %%`") from None
    for index, cell in enumerate(nb.cells):
        problem = (notebook_markdown_problem(cell.source) if cell.cell_type == "markdown"
                   else invisible_character_problem(cell.source))
        if problem:
            raise NotebookError(display_path, f"cell {index + 1}", problem[0] if isinstance(problem, tuple) else problem,
                                problem[1] if isinstance(problem, tuple) else "delete the character")
    title = first_heading(nb)
    if not title:
        raise NotebookError(display_path, "first markdown cell", "has no `# Title` heading",
                            "start the notebook with a markdown cell holding a level-1 heading")
    for index, cell in enumerate(nb.cells):
        heading = re.search(r"^#+\s+.*`.*$", cell.source, flags=re.MULTILINE) if cell.cell_type == "markdown" else None
        if heading:
            # mkdocs-jupyter slugs such headings differently in the page and in its table of contents.
            raise NotebookError(display_path, f"cell {index + 1} heading", f"'{heading.group(0)}' has a code span",
                                "write the heading without backticks")
    depends_on = tuple(nb.metadata.get("rosetta", {}).get("depends_on", []))
    for dependency in depends_on:
        if not (root / dependency).is_file():
            raise NotebookError(display_path, "metadata.rosetta.depends_on", f"'{dependency}' does not exist",
                                "list files relative to the repository root")
    return NotebookSource(
        name=path.stem,
        path=path,
        title=title,
        snippets=snippet_index(nb, display_path, framework_ids),
        depends_on=depends_on,
        no_equivalence_check=nb.metadata.get("rosetta", {}).get("no_equivalence_check"),
        partial_snippets=dict(nb.metadata.get("rosetta", {}).get("partial_snippets", {})),
    )


def _output_parts(output: nbformat.NotebookNode) -> list[CellOutput]:
    if output.output_type == "stream":
        return [CellOutput("text", text=_ANSI_ESCAPE.sub("", output.text))]
    if output.output_type in ("execute_result", "display_data"):
        data = output.get("data", {})
        if "image/png" in data:
            png = data["image/png"]
            return [CellOutput("image", image_base64=png if isinstance(png, str) else base64.b64encode(png).decode())]
        if "image/svg+xml" in data:
            # Shown through <img>, where an SVG cannot run scripts or load anything.
            svg = data["image/svg+xml"]
            return [CellOutput("image", image_base64=base64.b64encode(svg.encode()).decode(), mime="image/svg+xml")]
        if "text/plain" in data:
            return [CellOutput("text", text=_ANSI_ESCAPE.sub("", data["text/plain"]))]
    return []


def snippet_cells(nb: nbformat.NotebookNode, cell_indices: dict[str, int]) -> list[SnippetCell]:
    """The cells of one snippet with the outputs of their one execution, in framework order given."""
    cells = []
    for framework, index in cell_indices.items():
        cell = nb.cells[index]
        parts: list[CellOutput] = []
        for output in cell.get("outputs", []):
            parts.extend(_output_parts(output))
        # Consecutive stream chunks read as one block.
        merged: list[CellOutput] = []
        for part in parts:
            if merged and part.kind == "text" and merged[-1].kind == "text":
                joiner = "" if merged[-1].text.endswith("\n") else "\n"
                merged[-1] = CellOutput("text", text=merged[-1].text + joiner + part.text)
            else:
                merged.append(part)
        cells.append(SnippetCell(framework=framework, source=cell.source, outputs=tuple(merged),
                                 measured=MEASURED_TAG in cell.get("metadata", {}).get("tags", [])))
    return cells
