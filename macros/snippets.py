"""Tagged notebook cells → linked "PyTorch / TensorFlow / JAX" content tabs with their outputs."""

from __future__ import annotations

import textwrap

from .execution import ExecutedNotebook
from .loading import Site
from .notebooks import snippet_cells
from .rendering import code_fence, doc_link, render

NOTEBOOK_DOC = "notebooks/{name}.ipynb"


def snippet_tabs(site: Site, executed: dict[str, ExecutedNotebook], notebook: str, snippet: str, page_src: str) -> str:
    """Markdown for one group of tabs; outputs come from the notebook's single cached execution."""
    source = site.notebooks[notebook]
    indices = source.snippets[snippet]
    ordered = {framework.id: indices[framework.id] for framework in site.frameworks}
    cells = snippet_cells(executed[notebook].notebook, ordered)
    tabs = []
    for cell in cells:
        framework = site.framework(cell.framework)
        body = [code_fence(cell.source, "python")]
        for output in cell.outputs:
            if output.kind == "text":
                body.append(code_fence(output.text, "text", title="Output"))
            else:
                body.append(f'<img class="rosetta-output-image" alt="Plot output of the {framework.name} cell" '
                            f'src="data:{output.mime};base64,{output.image_base64}">')
        tabs.append((framework.name, textwrap.indent("\n\n".join(body), "    ")))
    return render(
        "snippet_tabs.md",
        tabs=tabs,
        notebook_title=source.title,
        notebook_link=doc_link(page_src, NOTEBOOK_DOC.format(name=notebook)),
    )
