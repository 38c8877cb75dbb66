"""Tagged notebook cells → linked content tabs, one per framework, with their outputs."""

from __future__ import annotations

import textwrap

from sitebuild.execution import ExecutedNotebook
from content.loading import Site
from content.notebooks import snippet_cells
from . import urls
from .notebook_pages import MEASURED_ATTRIBUTES, MEASURED_CLASS, MEASURED_SENTENCE
from .rendering import code_fence, render


def snippet_tabs(site: Site, executed: dict[str, ExecutedNotebook], notebook: str, snippet: str, page_src: str) -> str:
    """Markdown for one group of tabs; outputs come from the notebook's single cached execution."""
    source = site.notebooks[notebook]
    indices = source.snippets[snippet]
    # A framework in preview may not have its cell yet: its tab is left out.
    ordered = {framework.id: indices[framework.id] for framework in site.frameworks if framework.id in indices}
    cells = snippet_cells(executed[notebook].notebook, ordered)
    tabs = []
    for cell in cells:
        framework = site.framework(cell.framework)
        body = [code_fence(cell.source, "python")]
        # Inside a tab raw HTML blocks are not parsed, so a measured output is marked through attribute lists.
        marked = f" {MEASURED_ATTRIBUTES}" if cell.measured else ""
        if cell.measured and cell.outputs:
            body.append(f"{MEASURED_SENTENCE}\n{{: .{MEASURED_CLASS}{marked} }}")
        for output in cell.outputs:
            if output.kind == "text":
                body.append(code_fence(output.text, "text", title="Output", attributes=marked))
            else:
                body.append(f'<img class="rosetta-output-image" alt="Plot output of the {framework.name} cell" '
                            f'src="data:{output.mime};base64,{output.image_base64}"{marked}>')
        tabs.append((framework.name, textwrap.indent("\n\n".join(body), "    ")))
    return render(
        "snippet_tabs.md",
        tabs=tabs,
        notebook_title=source.title,
        notebook_link=urls.doc_link(page_src, urls.notebook(notebook)),
    )
